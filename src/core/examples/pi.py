# Approximates pi with the Leibniz series, one term at a time.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import time


def calculate(iterations, param1, param2):
    result = 1.0
    for i in range(1, iterations + 1):
        j = i * param1 - param2
        result -= 1 / j
        j = i * param1 + param2
        result += 1 / j
    return result


start_time = time.time()
result = calculate(100_000_000, 4, 1) * 4
end_time = time.time()

print(f"Result: {result:.12f}")
print(f"Execution Time: {end_time - start_time:.6f} seconds")

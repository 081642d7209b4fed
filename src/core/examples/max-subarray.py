# Maximum subarray sum over pseudo-random numbers, the slow way.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import time


def lcg(seed, a=1664525, c=1013904223, m=2**32):
    """Yields an endless stream of pseudo-random numbers."""
    value = seed
    while True:
        value = (a * value + c) % m
        yield value


def max_subarray_sum(n, seed, min_val, max_val):
    numbers = []
    generator = lcg(seed)
    for _ in range(n):
        numbers.append(next(generator) % (max_val - min_val + 1) + min_val)

    # Tries every start and every end: O(n^2) additions.
    best = numbers[0]
    for start in range(n):
        running = 0
        for end in range(start, n):
            running += numbers[end]
            if running > best:
                best = running
    return best


def total_max_subarray_sum(n, initial_seed, min_val, max_val, runs):
    total = 0
    seeds = lcg(initial_seed)
    for _ in range(runs):
        seed = next(seeds)
        total += max_subarray_sum(n, seed, min_val, max_val)
    return total


n = 10000
initial_seed = 42
min_val = -10
max_val = 10
runs = 20

start_time = time.time()
result = total_max_subarray_sum(n, initial_seed, min_val, max_val, runs)
end_time = time.time()

print(f"Total Maximum Subarray Sum ({runs} runs): {result}")
print(f"Execution Time: {end_time - start_time:.6f} seconds")

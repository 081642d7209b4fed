# A few numerical experiments, printed the way Python prints floats.
#
# print() writes the shortest text that reads back as the same float, switches to
# exponent notation below 1e-04 and from 1e+16 on, and keeps a ".0" on whole numbers.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import math
import time

start_time = time.time()

# Partial sums of the harmonic and the Basel series.
harmonic = 0.0
basel = 0.0
checkpoint = 1
for n in range(1, 10_000_001):
    harmonic += 1.0 / n
    basel += 1.0 / (n * n)
    if n == checkpoint:
        print(f"n = {n}: harmonic {harmonic}, basel {basel}")
        checkpoint *= 10
print("Basel error:", math.pi * math.pi / 6 - basel)

# Mean and variance of pseudo-random numbers in [0, 1), with Welford's method.
state = 2024
count = 0
mean = 0.0
m2 = 0.0
smallest = 1.0
largest = 0.0
for _ in range(3_000_000):
    state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
    x = (state >> 11) / 9007199254740992
    count += 1
    delta = x - mean
    mean += delta / count
    m2 += delta * (x - mean)
    smallest = min(smallest, x)
    largest = max(largest, x)
print("Samples:", count)
print("Mean:", mean)
print("Variance:", m2 / count, "expected", 1 / 12)
print("Smallest:", smallest)
print("Largest:", largest)

# Where the notation changes.
third = 1.0
for k in range(1, 13):
    third /= 3
    print(f"3^-{k} = {third}")
power = 1.0
for k in range(1, 19):
    power *= 10
    print(f"10^{k} = {power}, 10^-{k} = {1 / power}")

# Whole numbers, signed zero, the smallest float, overflow, and not-a-number.
factorial = 1.0
for k in range(1, 172):
    factorial *= k
    if k in (5, 10, 18, 20, 22, 25, 100, 170, 171):
        print(f"{k}! = {factorial}")
print("Halves:", [k / 2 for k in range(-3, 4)])
print("Negative zero:", -0.0 * 1.5, "positive zero:", 0.0 * 1.5)
tiny = 1.0
for _ in range(1074):
    tiny /= 2
print("Smallest positive float:", tiny, "and half of it:", tiny / 2)
huge = 1.7976931348623157e308
print("Overflow:", huge * 2, -huge * 2, "and their sum:", huge * 2 - huge * 2)
print("Sums:", 0.1 + 0.2, 1.1 * 1.1, 1 / 3, 2 / 3, 10 / 3, 100.0 / 7)

end_time = time.time()
print(f"Execution Time: {end_time - start_time:.6f} seconds")

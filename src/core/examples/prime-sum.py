# Finds the primes just below and just above 2^63 with the Miller-Rabin test.
#
# Python integers never overflow. In C++ these numbers need unsigned 64-bit integers, the
# products inside the test need 128 bits, and so does the sum of the primes.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import time

SMALL_PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47,
                53, 59, 61, 67, 71, 73, 79, 83, 89, 97]

# Testing with the primes up to 37 as bases is exact for every number below 3.3 * 10^24.
BASES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]


def power_mod(base, exponent, modulus):
    result = 1
    base %= modulus
    while exponent > 0:
        if exponent & 1:
            result = result * base % modulus
        base = base * base % modulus
        exponent >>= 1
    return result


def is_prime(n):
    if n < 2:
        return False
    for p in SMALL_PRIMES:
        if n % p == 0:
            return n == p

    d = n - 1
    s = 0
    while d % 2 == 0:
        d //= 2
        s += 1

    for a in BASES:
        x = power_mod(a, d, n)
        if x == 1 or x == n - 1:
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


start_time = time.time()

low = 2**63 - 200_000
high = 2**63 + 200_000

count = 0
total = 0
first = None
last = None
widest_gap = 0
for n in range(low, high):
    if is_prime(n):
        if last is not None and n - last > widest_gap:
            widest_gap = n - last
        if first is None:
            first = n
        last = n
        count += 1
        total += n

end_time = time.time()

print(f"Range: {low} to {high - 1}")
print(f"Primes found: {count}")
print(f"First prime: {first}")
print(f"Last prime: {last}")
print(f"Widest gap: {widest_gap}")
print(f"Sum of the primes: {total}")
print(f"Sum modulo 2^64: {total % 2**64}")
print(f"Execution Time: {end_time - start_time:.6f} seconds")

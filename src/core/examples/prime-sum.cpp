// Finds the primes just below and just above 2^63: reference C++ translation.
//
// The numbers pass 2^63, so they are unsigned 64-bit; a product of two of them needs
// 128 bits before the reduction, and so does the sum of all the primes.
//
// SPDX-License-Identifier: GPL-3.0-or-later

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

using u64 = std::uint64_t;
using u128 = unsigned __int128;

static const u64 small_primes[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47,
                                    53, 59, 61, 67, 71, 73, 79, 83, 89, 97 };

// Testing with the primes up to 37 as bases is exact for every 64-bit number.
static const u64 bases[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37 };

static u64
mul_mod (u64 a, u64 b, u64 modulus)
{
  return static_cast<u64> (static_cast<u128> (a) * b % modulus);
}

static u64
power_mod (u64 base, u64 exponent, u64 modulus)
{
  u64 result = 1;

  base %= modulus;
  while (exponent > 0)
    {
      if (exponent & 1)
        result = mul_mod (result, base, modulus);
      base = mul_mod (base, base, modulus);
      exponent >>= 1;
    }
  return result;
}

static bool
is_prime (u64 n)
{
  if (n < 2)
    return false;
  for (u64 p : small_primes)
    if (n % p == 0)
      return n == p;

  u64 d = n - 1;
  int s = 0;
  while (d % 2 == 0)
    {
      d /= 2;
      s++;
    }

  for (u64 a : bases)
    {
      u64 x = power_mod (a, d, n);
      if (x == 1 || x == n - 1)
        continue;

      bool witness = true;
      for (int r = 0; r < s - 1; r++)
        {
          x = mul_mod (x, x, n);
          if (x == n - 1)
            {
              witness = false;
              break;
            }
        }
      if (witness)
        return false;
    }
  return true;
}

// printf has no conversion for 128-bit integers.
static std::string
to_string_u128 (u128 value)
{
  std::string digits;

  do
    {
      digits.push_back (static_cast<char> ('0' + static_cast<int> (value % 10)));
      value /= 10;
    }
  while (value != 0);
  std::reverse (digits.begin (), digits.end ());
  return digits;
}

int
main ()
{
  auto start_time = std::chrono::steady_clock::now ();

  const u64 two_63 = u64 (1) << 63;
  const u64 low = two_63 - 200000;
  const u64 high = two_63 + 200000;

  u64 count = 0;
  u128 total = 0;
  u64 first = 0;
  u64 last = 0;
  bool found = false;
  u64 widest_gap = 0;

  for (u64 n = low; n < high; n++)
    {
      if (!is_prime (n))
        continue;
      if (found && n - last > widest_gap)
        widest_gap = n - last;
      if (!found)
        first = n;
      found = true;
      last = n;
      count++;
      total += n;
    }

  auto end_time = std::chrono::steady_clock::now ();
  std::chrono::duration<double> elapsed = end_time - start_time;

  std::printf ("Range: %llu to %llu\n", static_cast<unsigned long long> (low),
               static_cast<unsigned long long> (high - 1));
  std::printf ("Primes found: %llu\n", static_cast<unsigned long long> (count));
  if (found)
    {
      std::printf ("First prime: %llu\n", static_cast<unsigned long long> (first));
      std::printf ("Last prime: %llu\n", static_cast<unsigned long long> (last));
    }
  else
    {
      std::printf ("First prime: None\n");
      std::printf ("Last prime: None\n");
    }
  std::printf ("Widest gap: %llu\n", static_cast<unsigned long long> (widest_gap));
  std::printf ("Sum of the primes: %s\n", to_string_u128 (total).c_str ());
  std::printf ("Sum modulo 2^64: %llu\n",
               static_cast<unsigned long long> (static_cast<u64> (total)));
  std::printf ("Execution Time: %.6f seconds\n", elapsed.count ());
  return 0;
}

// Approximates pi with the Leibniz series: reference C++ translation.
//
// SPDX-License-Identifier: GPL-3.0-or-later

#include <chrono>
#include <cstdint>
#include <cstdio>

// The terms are added in the same order as in Python, so the rounding errors match and so
// does every printed digit.
static double
calculate (std::int64_t iterations, std::int64_t param1, std::int64_t param2)
{
  double result = 1.0;

  for (std::int64_t i = 1; i <= iterations; i++)
    {
      std::int64_t j = i * param1 - param2;
      result -= 1.0 / static_cast<double> (j);
      j = i * param1 + param2;
      result += 1.0 / static_cast<double> (j);
    }
  return result;
}

int
main ()
{
  auto start_time = std::chrono::steady_clock::now ();
  double result = calculate (100000000, 4, 1) * 4;
  auto end_time = std::chrono::steady_clock::now ();
  std::chrono::duration<double> elapsed = end_time - start_time;

  std::printf ("Result: %.12f\n", result);
  std::printf ("Execution Time: %.6f seconds\n", elapsed.count ());
  return 0;
}

// Maximum subarray sum over pseudo-random numbers: reference C++ translation.
//
// SPDX-License-Identifier: GPL-3.0-or-later

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

// The modulus is 2^32, so the state must live in 64-bit unsigned arithmetic: a * value
// reaches about 2^53 before the reduction.
class Lcg
{
public:
  explicit Lcg (std::uint64_t seed) : value (seed) {}

  std::uint64_t
  next ()
  {
    value = (a * value + c) % m;
    return value;
  }

private:
  static constexpr std::uint64_t a = 1664525;
  static constexpr std::uint64_t c = 1013904223;
  static constexpr std::uint64_t m = 4294967296ULL;
  std::uint64_t value;
};

static std::int64_t
max_subarray_sum (int n, std::uint64_t seed, std::int64_t min_val, std::int64_t max_val)
{
  std::vector<std::int64_t> numbers (n);
  Lcg generator (seed);
  const std::uint64_t span = static_cast<std::uint64_t> (max_val - min_val + 1);

  for (int i = 0; i < n; i++)
    numbers[i] = static_cast<std::int64_t> (generator.next () % span) + min_val;

  // The same algorithm as the Python, every start and every end, so the speedup measures
  // the language and not a better algorithm (Kadane's would answer in O(n)).
  std::int64_t best = numbers[0];
  for (int start = 0; start < n; start++)
    {
      std::int64_t running = 0;
      for (int end = start; end < n; end++)
        {
          running += numbers[end];
          if (running > best)
            best = running;
        }
    }
  return best;
}

static std::int64_t
total_max_subarray_sum (int n, std::uint64_t initial_seed, std::int64_t min_val,
                        std::int64_t max_val, int runs)
{
  std::int64_t total = 0;
  Lcg seeds (initial_seed);

  for (int i = 0; i < runs; i++)
    {
      std::uint64_t seed = seeds.next ();
      total += max_subarray_sum (n, seed, min_val, max_val);
    }
  return total;
}

int
main ()
{
  const int n = 10000;
  const std::uint64_t initial_seed = 42;
  const std::int64_t min_val = -10;
  const std::int64_t max_val = 10;
  const int runs = 20;

  auto start_time = std::chrono::steady_clock::now ();
  std::int64_t result = total_max_subarray_sum (n, initial_seed, min_val, max_val, runs);
  auto end_time = std::chrono::steady_clock::now ();
  std::chrono::duration<double> elapsed = end_time - start_time;

  std::printf ("Total Maximum Subarray Sum (%d runs): %lld\n", runs,
               static_cast<long long> (result));
  std::printf ("Execution Time: %.6f seconds\n", elapsed.count ());
  return 0;
}

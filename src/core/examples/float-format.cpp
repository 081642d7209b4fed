// A few numerical experiments, printed the way Python prints floats: reference C++
// translation.
//
// Every floating-point expression keeps Python's order of operations, and no statement
// multiplies and adds in one go: a compiler allowed to fuse those into one instruction
// (clang does by default) would round differently from Python.
//
// SPDX-License-Identifier: GPL-3.0-or-later

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

// Python's repr() of a float: the shortest digits that read back as the same value, in
// positional notation for exponents from -4 to 15 and in exponent notation otherwise,
// with ".0" on whole numbers and at least two exponent digits.
static std::string
py_repr (double value)
{
  if (std::isnan (value))
    return "nan";
  if (std::isinf (value))
    return value > 0 ? "inf" : "-inf";

  char buffer[64];
  auto result = std::to_chars (buffer, buffer + sizeof buffer, value,
                               std::chars_format::scientific);
  std::string text (buffer, result.ptr);

  std::string sign;
  if (text[0] == '-')
    {
      sign = "-";
      text.erase (0, 1);
    }

  std::size_t e = text.find ('e');
  int exponent = std::stoi (text.substr (e + 1));
  std::string digits;
  for (std::size_t i = 0; i < e; i++)
    if (text[i] != '.')
      digits.push_back (text[i]);

  if (exponent < -4 || exponent >= 16)
    {
      std::string mantissa = digits.substr (0, 1);
      if (digits.size () > 1)
        mantissa += "." + digits.substr (1);
      char exponent_text[16];
      std::snprintf (exponent_text, sizeof exponent_text, "e%c%02d",
                     exponent < 0 ? '-' : '+', std::abs (exponent));
      return sign + mantissa + exponent_text;
    }

  // Digits before the decimal point.
  int point = exponent + 1;
  int n_digits = static_cast<int> (digits.size ());
  if (point <= 0)
    return sign + "0." + std::string (-point, '0') + digits;
  if (point >= n_digits)
    return sign + digits + std::string (point - n_digits, '0') + ".0";
  return sign + digits.substr (0, point) + "." + digits.substr (point);
}

static void
print_values (const char *label, std::initializer_list<double> values)
{
  std::string line = label;
  for (double value : values)
    line += " " + py_repr (value);
  std::puts (line.c_str ());
}

int
main ()
{
  auto start_time = std::chrono::steady_clock::now ();

  // Partial sums of the harmonic and the Basel series.
  double harmonic = 0.0;
  double basel = 0.0;
  std::int64_t checkpoint = 1;
  for (std::int64_t n = 1; n <= 10000000; n++)
    {
      harmonic += 1.0 / static_cast<double> (n);
      basel += 1.0 / static_cast<double> (n * n);
      if (n == checkpoint)
        {
          std::printf ("n = %lld: harmonic %s, basel %s\n", static_cast<long long> (n),
                       py_repr (harmonic).c_str (), py_repr (basel).c_str ());
          checkpoint *= 10;
        }
    }
  const double pi = 3.141592653589793;
  double pi_squared = pi * pi;
  double basel_limit = pi_squared / 6;
  print_values ("Basel error:", { basel_limit - basel });

  // Mean and variance of pseudo-random numbers in [0, 1), with Welford's method. The
  // state wraps around at 2^64 exactly like Python's "% 2**64".
  std::uint64_t state = 2024;
  long long count = 0;
  double mean = 0.0;
  double m2 = 0.0;
  double smallest = 1.0;
  double largest = 0.0;
  for (int i = 0; i < 3000000; i++)
    {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      double x = static_cast<double> (state >> 11) / 9007199254740992.0;
      count++;
      double delta = x - mean;
      mean += delta / static_cast<double> (count);
      double product = delta * (x - mean);
      m2 += product;
      if (x < smallest)
        smallest = x;
      if (x > largest)
        largest = x;
    }
  std::printf ("Samples: %lld\n", count);
  print_values ("Mean:", { mean });
  std::printf ("Variance: %s expected %s\n", py_repr (m2 / static_cast<double> (count)).c_str (),
               py_repr (1.0 / 12.0).c_str ());
  print_values ("Smallest:", { smallest });
  print_values ("Largest:", { largest });

  // Where the notation changes.
  double third = 1.0;
  for (int k = 1; k <= 12; k++)
    {
      third /= 3;
      std::printf ("3^-%d = %s\n", k, py_repr (third).c_str ());
    }
  double power = 1.0;
  for (int k = 1; k <= 18; k++)
    {
      power *= 10;
      std::printf ("10^%d = %s, 10^-%d = %s\n", k, py_repr (power).c_str (), k,
                   py_repr (1 / power).c_str ());
    }

  // Whole numbers, signed zero, the smallest float, overflow, and not-a-number.
  double factorial = 1.0;
  for (int k = 1; k <= 171; k++)
    {
      factorial *= k;
      if (k == 5 || k == 10 || k == 18 || k == 20 || k == 22 || k == 25 || k == 100 ||
          k == 170 || k == 171)
        std::printf ("%d! = %s\n", k, py_repr (factorial).c_str ());
    }

  std::string halves;
  for (int k = -3; k < 4; k++)
    {
      if (!halves.empty ())
        halves += ", ";
      halves += py_repr (k / 2.0);
    }
  std::printf ("Halves: [%s]\n", halves.c_str ());

  double negative_zero = -0.0;
  double positive_zero = 0.0;
  std::printf ("Negative zero: %s positive zero: %s\n", py_repr (negative_zero * 1.5).c_str (),
               py_repr (positive_zero * 1.5).c_str ());

  double tiny = 1.0;
  for (int i = 0; i < 1074; i++)
    tiny /= 2;
  std::printf ("Smallest positive float: %s and half of it: %s\n", py_repr (tiny).c_str (),
               py_repr (tiny / 2).c_str ());

  // Python prints "nan" whatever the sign bit of the NaN is; x86 makes this one negative.
  double huge = 1.7976931348623157e308;
  double overflow = huge * 2;
  double negative_overflow = -huge * 2;
  double overflow_again = huge * 2;
  double overflow_sum = overflow - overflow_again;
  std::printf ("Overflow: %s %s and their sum: %s\n", py_repr (overflow).c_str (),
               py_repr (negative_overflow).c_str (), py_repr (overflow_sum).c_str ());

  print_values ("Sums:", { 0.1 + 0.2, 1.1 * 1.1, 1.0 / 3, 2.0 / 3, 10.0 / 3, 100.0 / 7 });

  auto end_time = std::chrono::steady_clock::now ();
  std::chrono::duration<double> elapsed = end_time - start_time;
  std::printf ("Execution Time: %.6f seconds\n", elapsed.count ());
  return 0;
}

/* test-format.c: durations, sizes and speedups written for people
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>

#include "kiln-format.h"

typedef struct
{
  double      seconds;
  const char *expected;
} DurationCase;

static const DurationCase duration_cases[] = {
  { 0, "0 µs" },
  { 0.0000004, "0 µs" },
  { 0.000312, "312 µs" },
  { 0.0009994, "999 µs" },
  { 0.0009996, "1 ms" },
  { 0.845, "845 ms" },
  { 0.9996, "1.00 s" },
  { 1.52, "1.52 s" },
  { 1.5249, "1.52 s" },
  { 59.99, "59.99 s" },
  { 59.996, "1 min 00 s" },
  { 65, "1 min 05 s" },
  { 125.4, "2 min 05 s" },
  { 3599.4, "59 min 59 s" },
  { 3599.6, "1 h 00 min" },
  { 7500, "2 h 05 min" },
  { 1e300, "277777 h 47 min" },
  { -3, "0 µs" },
};

static void
test_duration (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (duration_cases); i++)
    {
      g_autofree char *text = kiln_format_duration (duration_cases[i].seconds);

      g_test_message ("%g s", duration_cases[i].seconds);
      g_assert_cmpstr (text, ==, duration_cases[i].expected);
    }
}

static void
test_duration_not_finite (void)
{
  g_autofree char *nan_text = kiln_format_duration (NAN);
  g_autofree char *inf_text = kiln_format_duration (INFINITY);

  g_assert_cmpstr (nan_text, ==, "0 µs");
  g_assert_cmpstr (inf_text, ==, "277777 h 47 min");
}

typedef struct
{
  gint64      kib;
  const char *expected;
} KibCase;

/* g_format_size: SI units of the bytes, as GNOME shows sizes elsewhere, with a no-break
 * space before the unit */
#define NBSP "\u00a0"

static const KibCase kib_cases[] = {
  { 0, "0 bytes" },
  { 1, "1.0" NBSP "kB" },
  { 793, "812.0" NBSP "kB" },
  { 812, "831.5" NBSP "kB" },
  { 3320, "3.4" NBSP "MB" },
  { 1024 * 1024, "1.1" NBSP "GB" },
  { -5, "0 bytes" },
  { G_MAXINT64, "9444.7 EB" },
};

static void
test_kib (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (kib_cases); i++)
    {
      g_autofree char *text = kiln_format_kib (kib_cases[i].kib);

      g_test_message ("%" G_GINT64_FORMAT " KiB", kib_cases[i].kib);
      g_assert_cmpstr (text, ==, kib_cases[i].expected);
    }
}

typedef struct
{
  double      speedup;
  gboolean    lower_bound;
  const char *expected;
} SpeedupCase;

static const SpeedupCase speedup_cases[] = {
  { 34.2, FALSE, "×34.2" },
  { 34.24, FALSE, "×34.2" },
  { 1, FALSE, "×1.0" },
  { 0.5, FALSE, "×0.5" },
  { 99.94, FALSE, "×99.9" },
  { 99.96, FALSE, "×100" },
  { 100, FALSE, "×100" },
  { 999.4, FALSE, "×999" },
  { 1200, FALSE, "×1,200" },
  { 1200, TRUE, "at least ×1,200" },
  { 12.5, TRUE, "at least ×12.5" },
  { 1234567.8, FALSE, "×1,234,568" },
  { 1e300, FALSE, "×1,000,000,000,000,000" },
  { -2, FALSE, "×0.0" },
};

static void
test_speedup (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (speedup_cases); i++)
    {
      g_autofree char *text = kiln_format_speedup (speedup_cases[i].speedup,
                                                   speedup_cases[i].lower_bound);

      g_test_message ("%g", speedup_cases[i].speedup);
      g_assert_cmpstr (text, ==, speedup_cases[i].expected);
    }
}

static void
test_speedup_not_finite (void)
{
  g_autofree char *nan_text = kiln_format_speedup (NAN, FALSE);
  g_autofree char *inf_text = kiln_format_speedup (INFINITY, TRUE);

  g_assert_cmpstr (nan_text, ==, "×0.0");
  g_assert_cmpstr (inf_text, ==, "at least ×1,000,000,000,000,000");
}

static void
test_cost (void)
{
  static const struct { double usd; const char *expected; } cases[] = {
    { 0, "$0" },
    { -1, "$0" },
    { 0.00004, "less than $0.0001" },
    { 0.00042, "$0.0004" },
    { 0.0042, "$0.0042" },
    { 0.127, "$0.127" },
    { 12.7, "$12.70" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = kiln_format_cost (cases[i].usd);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* The expected strings are the untranslated C-locale ones */
  setlocale (LC_ALL, "C");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/format/duration", test_duration);
  g_test_add_func ("/format/duration-not-finite", test_duration_not_finite);
  g_test_add_func ("/format/kib", test_kib);
  g_test_add_func ("/format/speedup", test_speedup);
  g_test_add_func ("/format/speedup-not-finite", test_speedup_not_finite);
  g_test_add_func ("/format/cost", test_cost);

  return g_test_run ();
}

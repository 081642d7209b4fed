/* kiln-format.c: figures written for people
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-format.h"

/* Numbers go through printf, so the decimal separator follows LC_NUMERIC. */

char *
kiln_format_duration (double seconds)
{
  double rounded;
  guint minutes;

  if (isnan (seconds) || seconds < 0)
    seconds = 0;

  /* Each unit is chosen after rounding, so 0.9996 s reads "1.00 s" and not "1000 ms" */
  rounded = round (seconds * 1e6);
  if (rounded < 1000)
    /* Translators: a duration in microseconds, e.g. "312 µs" */
    return g_strdup_printf (_("%.0f µs"), rounded);

  rounded = round (seconds * 1e3);
  if (rounded < 1000)
    /* Translators: a duration in milliseconds, e.g. "845 ms" */
    return g_strdup_printf (_("%.0f ms"), rounded);

  rounded = round (seconds * 100) / 100;
  if (rounded < 60)
    /* Translators: a duration in seconds with two decimals, e.g. "1.52 s" */
    return g_strdup_printf (_("%.2f s"), rounded);

  rounded = round (seconds);
  if (rounded < 3600)
    {
      guint total = (guint) rounded;

      /* Translators: a duration of at least a minute, e.g. "1 min 05 s";
         keep the "%02u" so the seconds keep two digits */
      return g_strdup_printf (_("%u min %02u s"), total / 60, total % 60);
    }

  /* A billion seconds is already 31 years: the cap keeps the hours in a guint */
  minutes = (guint) round (MIN (seconds, 1e9) / 60);

  /* Translators: a duration of at least an hour, e.g. "2 h 05 min";
     keep the "%02u" so the minutes keep two digits */
  return g_strdup_printf (_("%u h %02u min"), minutes / 60, minutes % 60);
}

char *
kiln_format_kib (gint64 kib)
{
  if (kib < 0)
    kib = 0;

  if ((guint64) kib <= G_MAXUINT64 / 1024)
    return g_format_size ((guint64) kib * 1024);

  /* Beyond what fits in 64 bits of bytes: only exabytes are left.
     Translators: a size in exabytes, e.g. "12.5 EB" */
  return g_strdup_printf (_("%.1f EB"), (double) kib * 1024 / 1e18);
}

/* @value with thousands grouping: the locale's separator, or "," where the locale has
 * none (the C locale), since "1200" reads worse than "1,200". */
static char *
format_grouped (guint64 value)
{
  const struct lconv *conv = localeconv ();
  const char *separator = ",";
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  gsize n_digits = strlen (digits);
  GString *grouped = g_string_new (NULL);

  if (conv != NULL && conv->thousands_sep != NULL && conv->thousands_sep[0] != '\0')
    separator = conv->thousands_sep;

  for (gsize i = 0; i < n_digits; i++)
    {
      if (i > 0 && (n_digits - i) % 3 == 0)
        g_string_append (grouped, separator);
      g_string_append_c (grouped, digits[i]);
    }

  return g_string_free (grouped, FALSE);
}

char *
kiln_format_speedup (double   speedup,
                     gboolean lower_bound)
{
  g_autofree char *number = NULL;

  if (isnan (speedup) || speedup < 0)
    speedup = 0;

  /* Above 1e15 the digits are noise anyway, and the cast below stays defined */
  speedup = MIN (speedup, 1e15);

  if (round (speedup * 10) < 1000)
    number = g_strdup_printf ("%.1f", round (speedup * 10) / 10);
  else
    number = format_grouped ((guint64) round (speedup));

  if (lower_bound)
    /* Translators: how many times faster the C++ program ran, when it ran too
       fast to measure exactly, e.g. "at least ×1,200"; %s is the number */
    return g_strdup_printf (_("at least ×%s"), number);

  /* Translators: how many times faster the C++ program ran, e.g. "×34.2";
     %s is the number */
  return g_strdup_printf (_("×%s"), number);
}

char *
kiln_format_cost (double usd)
{
  if (isnan (usd) || usd <= 0)
    /* Translators: an amount of US dollars */
    return g_strdup (_("$0"));

  if (usd < 0.0001)
    /* Translators: an amount of US dollars too small to show */
    return g_strdup (_("less than $0.0001"));

  /* Four significant places below a cent, where model calls usually cost */
  if (usd < 0.01)
    /* Translators: an amount of US dollars, e.g. "$0.0042" */
    return g_strdup_printf (_("$%.4f"), usd);

  if (usd < 1)
    /* Translators: an amount of US dollars, e.g. "$0.127" */
    return g_strdup_printf (_("$%.3f"), usd);

  /* Translators: an amount of US dollars, e.g. "$12.70" */
  return g_strdup_printf (_("$%.2f"), usd);
}

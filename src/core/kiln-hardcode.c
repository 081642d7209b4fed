/* kiln-hardcode.c: does a C++ program print the expected answer instead of computing it?
 *
 * The rule, in short (docs/verification.md has it for users):
 *  - A distinctive value is a number in the expected output, outside timing lines, with at
 *    least 5 significant digits that is not a round number: 3.141592658589, 10980, -123456
 *    are distinctive; 42, 100000, 0.5 and 1e-9 are not.
 *  - A value the program was given is not an answer: one written in the original program
 *    (Python literals such as 1_000_000, 10**6, 1 << 20, 1e6, 0x10 are read as numbers) or
 *    in an input case. A program that prints a table of constants is therefore fine.
 *  - The C++ program hard-codes a value when a number it writes in its code, or inside one of
 *    its string literals, equals the value at the precision it was printed with (3.14159265859
 *    matches a printed 3.141592658590). Comments do not count: only code prints. Tolerances
 *    such as 1e-9 never match a distinctive value, since they are far from it at its
 *    printed precision.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-hardcode.h"
#include "kiln-output-compare.h"
#include "kiln-output-compare-private.h"

/* Enough for any real program's output; keeps the check linear on huge outputs */
#define MAX_VALUES 10000
#define MAX_LINES_AS_STRINGS 1000

typedef struct
{
  char   *text;      /* as printed */
  double  magnitude; /* absolute value */
  double  half_ulp;  /* half a unit in the last printed place */
} PrintedValue;

static void
printed_value_clear (gpointer data)
{
  PrintedValue *value = data;

  g_free (value->text);
}

static inline gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* Reads a printed number; TRUE when it is distinctive. */
static gboolean
parse_printed (const char   *token,
               gsize         length,
               PrintedValue *value)
{
  const char *p = token;
  const char *end = token + length;
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autofree char *copy = NULL;
  const char *fraction;
  gsize fraction_digits = 0;
  gsize fraction_kept;
  gint64 exponent = 0;
  gsize significant;
  gsize leading = 0;

  if (p < end && (*p == '+' || *p == '-'))
    p++;

  while (p < end && g_ascii_isdigit (*p))
    g_string_append_c (digits, *p++);

  if (p < end && *p == '.')
    {
      p++;
      fraction = p;
      while (p < end && g_ascii_isdigit (*p))
        p++;
      fraction_digits = p - fraction;

      /* Trailing zeros of a fraction are only the printed precision */
      fraction_kept = fraction_digits;
      while (fraction_kept > 0 && fraction[fraction_kept - 1] == '0')
        fraction_kept--;
      g_string_append_len (digits, fraction, fraction_kept);
    }

  if (digits->len == 0)
    return FALSE;   /* inf, nan */

  if (p < end && (*p == 'e' || *p == 'E'))
    exponent = g_ascii_strtoll (p + 1, NULL, 10);

  while (leading < digits->len && digits->str[leading] == '0')
    leading++;
  significant = digits->len - leading;

  /* At least 5 digits, and not a round number such as 100000 or 250000 */
  if (significant < 5)
    return FALSE;
  {
    gsize core = digits->len;

    while (core > leading && digits->str[core - 1] == '0')
      core--;
    if (core - leading < 3)
      return FALSE;
  }

  copy = g_strndup (token, length);
  value->magnitude = fabs (g_ascii_strtod (copy, NULL));
  value->half_ulp = 0.5 * pow (10.0, (double) exponent - (double) fraction_digits);
  if (!isfinite (value->magnitude) || !isfinite (value->half_ulp))
    return FALSE;

  value->text = g_steal_pointer (&copy);

  return TRUE;
}

/* Numbers written in source code or in data. Digit separators (1_000_000, 1'000'000),
 * 0x, 0o and 0b prefixes, suffixes (10ull, 1.5f) and exponents are read; so is a power
 * a ** b or a shift a << b of two literals, since Python writes 10**6 for a million.
 * Only magnitudes are kept: a sign is an operator in code. */
static gsize
read_literal (const char *p,
              const char *end,
              double     *value)
{
  const char *q = p;
  g_autoptr(GString) clean = g_string_new (NULL);
  int base = 10;

  if (end - p >= 2 && p[0] == '0' && strchr ("xXoObB", p[1]) != NULL)
    {
      base = (p[1] == 'x' || p[1] == 'X') ? 16 : (p[1] == 'o' || p[1] == 'O') ? 8 : 2;
      q = p + 2;
      while (q < end && (g_ascii_isxdigit (*q) || *q == '_' || *q == '\''))
        {
          if (*q != '_' && *q != '\'')
            g_string_append_c (clean, *q);
          q++;
        }
      if (clean->len == 0)
        return 0;
      *value = (double) g_ascii_strtoull (clean->str, NULL, base);
      while (q < end && is_word_char (*q))
        q++;
      return q - p;
    }

  while (q < end && (g_ascii_isdigit (*q) ||
                     ((*q == '_' || *q == '\'') && q > p && q + 1 < end &&
                      g_ascii_isdigit (q[1]))))
    {
      if (g_ascii_isdigit (*q))
        g_string_append_c (clean, *q);
      q++;
    }

  if (q < end && *q == '.' && (clean->len > 0 || (q + 1 < end && g_ascii_isdigit (q[1]))))
    {
      g_string_append_c (clean, *q++);
      while (q < end && (g_ascii_isdigit (*q) ||
                         ((*q == '_' || *q == '\'') && q + 1 < end && g_ascii_isdigit (q[1]))))
        {
          if (g_ascii_isdigit (*q))
            g_string_append_c (clean, *q);
          q++;
        }
    }

  if (clean->len == 0 || (clean->len == 1 && clean->str[0] == '.'))
    return 0;

  if (q < end && (*q == 'e' || *q == 'E'))
    {
      const char *e = q + 1;

      if (e < end && (*e == '+' || *e == '-'))
        e++;
      if (e < end && g_ascii_isdigit (*e))
        {
          g_string_append_len (clean, q, e - q);
          while (e < end && g_ascii_isdigit (*e))
            g_string_append_c (clean, *e++);
          q = e;
        }
    }

  /* An old-style octal literal: 0755 */
  if (clean->len > 1 && clean->str[0] == '0' && strspn (clean->str, "01234567") == clean->len)
    *value = (double) g_ascii_strtoull (clean->str, NULL, 8);
  else
    *value = g_ascii_strtod (clean->str, NULL);

  /* Suffixes: u, l, ll, f, z, and Python's j */
  while (q < end && is_word_char (*q))
    q++;

  return q - p;
}

static inline gboolean
starts_literal (const char *start,
                const char *p,
                const char *end)
{
  if (p > start && (is_word_char (p[-1]) || p[-1] == '.'))
    return FALSE;

  return g_ascii_isdigit (*p) || (*p == '.' && p + 1 < end && g_ascii_isdigit (p[1]));
}

static void
add_number (GArray *numbers,
            double  value)
{
  value = fabs (value);
  if (isfinite (value))
    g_array_append_val (numbers, value);
}

static void
add_numbers_in_text (GArray     *numbers,
                     const char *text,
                     gsize       length)
{
  const char *start = text;
  const char *end = text + length;
  const char *p = text;

  while (p < end)
    {
      double a, b;
      gsize used;
      const char *q;

      if (!starts_literal (start, p, end) || (used = read_literal (p, end, &a)) == 0)
        {
          p++;
          continue;
        }

      add_number (numbers, a);
      p += used;

      /* a ** b, a << b */
      q = p;
      while (q < end && (*q == ' ' || *q == '\t'))
        q++;
      if (end - q >= 2 && ((q[0] == '*' && q[1] == '*') || (q[0] == '<' && q[1] == '<')))
        {
          gboolean power = q[0] == '*';

          q += 2;
          while (q < end && (*q == ' ' || *q == '\t'))
            q++;
          if (q < end && g_ascii_isdigit (*q) && (used = read_literal (q, end, &b)) > 0)
            {
              if (power && b <= 400)
                add_number (numbers, pow (a, b));
              else if (!power && b < 64)
                add_number (numbers, ldexp (a, (int) b));
            }
        }
    }
}

/* Python names a few constants instead of writing them; a C++ translation may well write
 * them out. */
static void
add_named_constants (GArray     *numbers,
                     const char *source)
{
  g_autoptr(GRegex) pi = g_regex_new ("\\b(pi|tau)\\b", 0, 0, NULL);
  g_autoptr(GRegex) e = g_regex_new ("\\b(math|np|numpy|cmath)\\.e\\b|\\bexp\\(", 0, 0, NULL);

  if (g_regex_match (pi, source, 0, NULL))
    {
      add_number (numbers, G_PI);
      add_number (numbers, 2 * G_PI);
    }
  if (g_regex_match (e, source, 0, NULL))
    add_number (numbers, G_E);
}

/* Appends the contents of a string literal starting at the opening quote @p; returns the
 * position after it. */
static const char *
read_cpp_string (const char *start,
                 const char *p,
                 const char *end,
                 GString    *contents)
{
  /* R"delim( ... )delim" */
  if (p > start && p[-1] == 'R')
    {
      const char *open = p + 1;
      const char *paren = open;
      g_autofree char *closing = NULL;
      const char *close;

      while (paren < end && *paren != '(' && paren - open <= 16)
        paren++;
      if (paren < end && *paren == '(')
        {
          closing = g_strdup_printf (")%.*s\"", (int) (paren - open), open);
          close = g_strstr_len (paren + 1, end - paren - 1, closing);
          if (close == NULL)
            close = end;
          g_string_append_len (contents, paren + 1, close - paren - 1);
          return MIN (end, close + strlen (closing));
        }
    }

  for (p++; p < end && *p != '"' && *p != '\n'; p++)
    {
      if (*p != '\\' || p + 1 >= end)
        {
          g_string_append_c (contents, *p);
          continue;
        }

      p++;
      switch (*p)
        {
        case 'n': g_string_append_c (contents, '\n'); break;
        case 't': g_string_append_c (contents, '\t'); break;
        case 'r': break;
        case '\n': break;   /* a continued line */
        default: g_string_append_c (contents, *p); break;
        }
    }

  return p < end ? p + 1 : end;
}

/* The numbers the code of a C++ program writes (comments left out) and the text of its
 * string literals; adjacent literals ("a" "b") are joined as the compiler joins them, and
 * others are kept apart by a line break. */
static void
scan_cpp (const char *source,
          GArray     *numbers,
          GString    *strings)
{
  const char *start = source;
  const char *end = source + strlen (source);
  const char *p = source;
  const char *last_string_end = NULL;

  while (p < end)
    {
      if (p[0] == '/' && p + 1 < end && p[1] == '/')
        {
          while (p < end && *p != '\n')
            p++;
        }
      else if (p[0] == '/' && p + 1 < end && p[1] == '*')
        {
          const char *close = g_strstr_len (p + 2, end - p - 2, "*/");

          p = close != NULL ? close + 2 : end;
        }
      else if (*p == '"')
        {
          gboolean adjacent = last_string_end != NULL;

          for (const char *q = last_string_end; adjacent && q < p; q++)
            if (!g_ascii_isspace (*q))
              adjacent = FALSE;
          if (!adjacent && strings->len > 0)
            g_string_append_c (strings, '\n');

          p = read_cpp_string (start, p, end, strings);
          last_string_end = p;
        }
      else if (*p == '\'')
        {
          /* A character literal */
          for (p++; p < end && *p != '\'' && *p != '\n'; p++)
            if (*p == '\\')
              p++;
          p = MIN (end, p + 1);
        }
      else if (is_word_char (*p) && !g_ascii_isdigit (*p))
        {
          while (p < end && is_word_char (*p))
            p++;
        }
      else if (starts_literal (start, p, end))
        {
          double value;
          gsize used = read_literal (p, end, &value);

          if (used == 0)
            {
              p++;
              continue;
            }
          add_number (numbers, value);
          p += used;
        }
      else
        {
          p++;
        }
    }

  add_numbers_in_text (numbers, strings->str, strings->len);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Is there a number in @sorted that prints as @value? */
static gboolean
has_value (GArray             *sorted,
           const PrintedValue *value)
{
  double slack = value->half_ulp * (1 + 1e-9) + value->magnitude * 4 * DBL_EPSILON;
  double low = value->magnitude - slack;
  guint lo = 0;
  guint hi = sorted->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (sorted, double, mid) < low)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo < sorted->len && g_array_index (sorted, double, lo) <= value->magnitude + slack;
}

char *
kiln_hardcode_check (const char         *cpp_source,
                     const char         *expected_output,
                     const char         *original_source,
                     const char * const *inputs)
{
  g_autoptr(KilnTimingMask) mask = kiln_timing_mask_new (NULL, NULL);
  g_autoptr(GArray) given = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) written = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) values = g_array_new (FALSE, TRUE, sizeof (PrintedValue));
  g_autoptr(GPtrArray) result_lines = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) strings = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  gboolean all_in_strings;

  g_return_val_if_fail (cpp_source != NULL, NULL);

  if (expected_output == NULL)
    return NULL;

  g_array_set_clear_func (values, printed_value_clear);

  if (original_source != NULL)
    {
      add_numbers_in_text (given, original_source, strlen (original_source));
      add_named_constants (given, original_source);
    }
  for (guint i = 0; inputs != NULL && inputs[i] != NULL; i++)
    add_numbers_in_text (given, inputs[i], strlen (inputs[i]));
  g_array_sort (given, compare_doubles);

  lines = kiln_output_split_lines (expected_output, strlen (expected_output));
  for (guint i = 0; lines[i] != NULL && values->len < MAX_VALUES; i++)
    {
      const char *line = lines[i];
      const char *end = line + strlen (line);

      if (*line == '\0' || kiln_timing_mask_matches (mask, line))
        continue;

      g_ptr_array_add (result_lines, lines[i]);

      for (const char *p = line; p < end && values->len < MAX_VALUES; )
        {
          gsize length = _kiln_output_scan_number (line, p, end);
          PrintedValue value = { NULL, 0, 0 };

          if (length == 0)
            {
              p++;
              continue;
            }

          if (parse_printed (p, length, &value))
            {
              if (!has_value (given, &value) && !g_hash_table_contains (seen, value.text))
                {
                  g_array_append_val (values, value);
                  g_hash_table_add (seen, value.text);
                }
              else
                {
                  printed_value_clear (&value);
                }
            }
          p += length;
        }
    }

  if (values->len == 0)
    return NULL;

  scan_cpp (cpp_source, written, strings);
  g_array_sort (written, compare_doubles);

  /* The whole answer printed from string literals */
  all_in_strings = strings->len > 0 && result_lines->len <= MAX_LINES_AS_STRINGS;
  for (guint i = 0; all_in_strings && i < result_lines->len; i++)
    if (strstr (strings->str, g_ptr_array_index (result_lines, i)) == NULL)
      all_in_strings = FALSE;
  if (all_in_strings)
    return g_strdup (_("The answer looks hard-coded: the C++ program prints the expected "
                       "output from string literals instead of computing it."));

  for (guint i = 0; i < values->len; i++)
    {
      const PrintedValue *value = &g_array_index (values, PrintedValue, i);

      if (has_value (written, value))
        /* Translators: %s is a number the program printed, such as 3.141592658589 */
        return g_strdup_printf (_("The answer looks hard-coded: the C++ program contains %s, "
                                  "the value the original computes, as a literal."),
                                value->text);
    }

  return NULL;
}

/* kiln-output-compare.c: normalising and comparing two programs' outputs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-error.h"
#include "kiln-output-compare.h"
#include "kiln-output-compare-private.h"

struct _KilnTimingMask
{
  gatomicrefcount  ref_count;
  GPtrArray       *regexes;
};

G_DEFINE_BOXED_TYPE (KilnTimingMask, kiln_timing_mask,
                     kiln_timing_mask_ref, kiln_timing_mask_unref)

/* Keep identical to the default of "timing-patterns" in io.github.kilnapp.Kiln.gschema.xml
 * (tests/test-output-compare.c checks it). */
static const char * const default_patterns[] = {
  "(execution|elapsed|run|running|wall|cpu|total|computation|processing)?[ \\t]*"
  "time([ \\t]+(taken|elapsed))?[ \\t]*[:=]?[ \\t]*[0-9]+([.,][0-9]+)?(e[-+]?[0-9]+)?[ \\t]*"
  "(s|secs?|seconds?|ms|msecs?|milliseconds?|us|µs|microseconds?|ns|nanoseconds?)?\\.?",

  "([a-z][a-z ]*[ \\t])?took[ \\t]+[0-9]+([.,][0-9]+)?(e[-+]?[0-9]+)?[ \\t]*"
  "(s|secs?|seconds?|ms|msecs?|milliseconds?|us|µs|microseconds?|ns|nanoseconds?)\\.?",

  "(elapsed|duration|runtime)[ \\t]*[:=][ \\t]*[0-9]+([.,][0-9]+)?(e[-+]?[0-9]+)?[ \\t]*"
  "(s|secs?|seconds?|ms|msecs?|milliseconds?|us|µs|microseconds?|ns|nanoseconds?)?\\.?",

  NULL
};

const char * const *
kiln_timing_mask_default_patterns (void)
{
  return default_patterns;
}

KilnTimingMask *
kiln_timing_mask_new (const char * const  *patterns,
                      GError             **error)
{
  g_autoptr(GPtrArray) regexes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_regex_unref);
  KilnTimingMask *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (patterns == NULL)
    patterns = default_patterns;

  for (guint i = 0; patterns[i] != NULL; i++)
    {
      /* The whole line must match, not a part of it */
      g_autofree char *anchored = g_strdup_printf ("^(?:%s)$", patterns[i]);
      g_autoptr(GError) local_error = NULL;
      GRegex *regex;

      regex = g_regex_new (anchored, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, &local_error);
      if (regex == NULL)
        {
          g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_PATTERN,
                       /* Translators: the first %s is a regular expression from
                          the preferences, the second the reason it is wrong */
                       _("Invalid timing pattern “%s”: %s"),
                       patterns[i], local_error->message);
          return NULL;
        }

      g_ptr_array_add (regexes, regex);
    }

  self = g_new0 (KilnTimingMask, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->regexes = g_steal_pointer (&regexes);

  return self;
}

KilnTimingMask *
kiln_timing_mask_ref (KilnTimingMask *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
kiln_timing_mask_unref (KilnTimingMask *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_ptr_array_unref (self->regexes);
      g_free (self);
    }
}

/* @line need not be nul-terminated. Lines that are not valid UTF-8 (or hold a NUL byte)
 * never match: GRegex works on UTF-8 and reports an error on anything else. */
static gboolean
mask_matches_len (KilnTimingMask *self,
                  const char     *line,
                  gsize           length)
{
  if (self == NULL || length > G_MAXSSIZE)
    return FALSE;

  if (!g_utf8_validate (line, (gssize) length, NULL))
    return FALSE;

  for (guint i = 0; i < self->regexes->len; i++)
    {
      GRegex *regex = g_ptr_array_index (self->regexes, i);
      g_autoptr(GError) error = NULL;

      if (g_regex_match_full (regex, line, (gssize) length, 0, 0, NULL, &error))
        return TRUE;

      /* e.g. PCRE's backtracking limit on a pathological line: not a timing line */
      if (error != NULL)
        g_debug ("Timing pattern failed on a line: %s", error->message);
    }

  return FALSE;
}

gboolean
kiln_timing_mask_matches (KilnTimingMask *self,
                          const char     *line)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);

  return mask_matches_len (self, line, strlen (line));
}

/* Walks the normalised lines of a buffer without copying it. The end is moved back over
 * trailing blanks and line breaks first, which drops the trailing empty lines in one go
 * and leaves the last line ending in a visible character. */
typedef struct
{
  const char *pos;
  const char *end;
} LineReader;

static inline gboolean
is_blank_or_break (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
line_reader_init (LineReader *reader,
                  const char *text,
                  gsize       length)
{
  if (text == NULL)
    {
      text = "";
      length = 0;
    }

  reader->pos = text;
  reader->end = text + length;

  while (reader->end > reader->pos && is_blank_or_break (reader->end[-1]))
    reader->end--;
}

static gboolean
line_reader_next (LineReader  *reader,
                  const char **line,
                  gsize       *line_length)
{
  const char *p = reader->pos;
  const char *line_end;

  if (reader->pos >= reader->end)
    return FALSE;

  while (p < reader->end && *p != '\n' && *p != '\r')
    p++;

  line_end = p;
  while (line_end > reader->pos && (line_end[-1] == ' ' || line_end[-1] == '\t'))
    line_end--;

  *line = reader->pos;
  *line_length = line_end - reader->pos;

  if (p < reader->end)
    {
      if (*p == '\r' && p + 1 < reader->end && p[1] == '\n')
        p += 2;
      else
        p++;
    }

  reader->pos = p;

  return TRUE;
}

/* A nul-terminated copy of a line. An embedded NUL byte shows as U+2400 SYMBOL FOR NULL,
 * so the line is not cut short where a person reads it; other bytes are kept as printed. */
static char *
copy_line (const char *line,
           gsize       length)
{
  GString *copy;

  if (memchr (line, '\0', length) == NULL)
    return g_strndup (line, length);

  copy = g_string_sized_new (length + 8);
  for (gsize i = 0; i < length; i++)
    {
      if (line[i] == '\0')
        g_string_append (copy, "\xe2\x90\x80");
      else
        g_string_append_c (copy, line[i]);
    }

  return g_string_free (copy, FALSE);
}

char **
kiln_output_split_lines (const char *text,
                         gsize       length)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  LineReader reader;
  const char *line;
  gsize line_length;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  line_reader_init (&reader, text, length);
  while (line_reader_next (&reader, &line, &line_length))
    g_ptr_array_add (lines, copy_line (line, line_length));

  g_ptr_array_add (lines, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}

/* Numbers inside a line, for the tolerance. A number is a maximal run like -12, 3.25, .5,
 * 1e-9 or 6.02E+23, or inf, infinity or nan (any case), with an optional sign. It does not
 * start inside a word ("x1", "abc123" are text) and inf or nan must stand alone ("info" is
 * text). Returns the number's length at @p, or 0. */
static inline gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

static gsize
scan_number (const char *start,
             const char *p,
             const char *end)
{
  const char *q = p;
  const char *digits;
  gboolean mantissa = FALSE;

  if (p > start && is_word_char (p[-1]))
    return 0;

  if (q < end && (*q == '+' || *q == '-'))
    q++;

  /* inf, infinity, nan */
  for (guint i = 0; i < 3; i++)
    {
      static const char * const words[] = { "infinity", "inf", "nan" };
      gsize word_len = strlen (words[i]);

      if ((gsize) (end - q) >= word_len && g_ascii_strncasecmp (q, words[i], word_len) == 0 &&
          (q + word_len == end || !is_word_char (q[word_len])))
        return q + word_len - p;
    }

  digits = q;
  while (q < end && g_ascii_isdigit (*q))
    q++;
  mantissa = q > digits;

  if (q < end && *q == '.')
    {
      const char *fraction = ++q;

      while (q < end && g_ascii_isdigit (*q))
        q++;

      if (q == fraction && !mantissa)
        return 0;
      mantissa = TRUE;
    }

  if (!mantissa)
    return 0;

  /* An exponent only when it is complete: "2e" is the number 2 and the text "e" */
  if (q < end && (*q == 'e' || *q == 'E'))
    {
      const char *e = q + 1;

      if (e < end && (*e == '+' || *e == '-'))
        e++;
      if (e < end && g_ascii_isdigit (*e))
        {
          while (e < end && g_ascii_isdigit (*e))
            e++;
          q = e;
        }
    }

  return q - p;
}

gsize
_kiln_output_scan_number (const char *start,
                          const char *p,
                          const char *end)
{
  return scan_number (start, p, end);
}

static double
parse_number (const char *text,
              gsize       length)
{
  char buffer[64];
  g_autofree char *copy = NULL;
  const char *nul_terminated;

  if (length < sizeof buffer)
    {
      memcpy (buffer, text, length);
      buffer[length] = '\0';
      nul_terminated = buffer;
    }
  else
    {
      copy = g_strndup (text, length);
      nul_terminated = copy;
    }

  return g_ascii_strtod (nul_terminated, NULL);
}

static gboolean
numbers_agree (const char *a_text,
               gsize       a_len,
               const char *b_text,
               gsize       b_len,
               double      tolerance)
{
  double a, b;

  if (a_len == b_len && memcmp (a_text, b_text, a_len) == 0)
    return TRUE;

  a = parse_number (a_text, a_len);
  b = parse_number (b_text, b_len);

  /* Python prints nan where C++ may print -nan */
  if (isnan (a) || isnan (b))
    return isnan (a) && isnan (b);

  if (a == b)
    return TRUE;

  if (isinf (a) || isinf (b))
    return FALSE;

  return fabs (a - b) <= tolerance * MAX (fabs (a), fabs (b));
}

/* Both lines must be the same sequence of numbers and other text: the text byte for byte,
 * the numbers within @tolerance. */
static gboolean
lines_agree (const char *ref,
             gsize       ref_len,
             const char *cand,
             gsize       cand_len,
             double      tolerance)
{
  const char *ref_end = ref + ref_len;
  const char *cand_end = cand + cand_len;
  const char *r = ref;
  const char *c = cand;

  while (r < ref_end && c < cand_end)
    {
      gsize r_num = scan_number (ref, r, ref_end);
      gsize c_num = scan_number (cand, c, cand_end);

      if (r_num > 0 && c_num > 0)
        {
          if (!numbers_agree (r, r_num, c, c_num, tolerance))
            return FALSE;
          r += r_num;
          c += c_num;
        }
      else if (r_num > 0 || c_num > 0 || *r != *c)
        {
          return FALSE;
        }
      else
        {
          r++;
          c++;
        }
    }

  return r == ref_end && c == cand_end;
}

/* The length in bytes of the character at @p: a valid UTF-8 sequence, or 1 for a byte that
 * does not start one (g_utf8_make_valid() replaces such a byte with one U+FFFD). */
static gsize
char_length (const char *p,
             const char *end)
{
  gsize available = end - p;
  gsize length;

  if ((guchar) *p < 0x80)
    return 1;

  length = g_utf8_skip[(guchar) *p];
  if (length > available || length == 1)
    return 1;

  if (g_utf8_get_char_validated (p, length) >= (gunichar) -2)
    return 1;

  return length;
}

/* Where the two lines differ, in characters: the common prefix, then the common suffix that
 * does not overlap it, both on character boundaries of both lines. */
static void
diff_columns (KilnOutputDiff *diff,
              const char     *ref,
              gsize           ref_len,
              const char     *cand,
              gsize           cand_len)
{
  gsize prefix = 0;
  guint column = 0;
  gsize max_suffix;
  gsize suffix = 0;
  g_autofree guint8 *ref_boundary = NULL;
  g_autofree guint8 *cand_boundary = NULL;
  guint ref_chars = 0;
  guint cand_chars = 0;

  while (prefix < ref_len && prefix < cand_len)
    {
      gsize r = char_length (ref + prefix, ref + ref_len);
      gsize c = char_length (cand + prefix, cand + cand_len);

      if (r != c || memcmp (ref + prefix, cand + prefix, r) != 0)
        break;

      prefix += r;
      if (column < G_MAXUINT)
        column++;
    }

  max_suffix = MIN (ref_len - prefix, cand_len - prefix);
  while (suffix < max_suffix && ref[ref_len - suffix - 1] == cand[cand_len - suffix - 1])
    suffix++;

  /* Which suffix lengths start on a character boundary of each line */
  ref_boundary = g_malloc0 (suffix + 1);
  cand_boundary = g_malloc0 (suffix + 1);

  for (gsize i = prefix; ; )
    {
      if (ref_len - i <= suffix)
        ref_boundary[ref_len - i] = 1;
      if (i >= ref_len)
        break;
      i += char_length (ref + i, ref + ref_len);
    }
  for (gsize i = prefix; ; )
    {
      if (cand_len - i <= suffix)
        cand_boundary[cand_len - i] = 1;
      if (i >= cand_len)
        break;
      i += char_length (cand + i, cand + cand_len);
    }

  while (suffix > 0 && !(ref_boundary[suffix] && cand_boundary[suffix]))
    suffix--;

  for (gsize i = prefix; i < ref_len - suffix; i += char_length (ref + i, ref + ref_len))
    ref_chars++;
  for (gsize i = prefix; i < cand_len - suffix; i += char_length (cand + i, cand + cand_len))
    cand_chars++;

  diff->column = column;
  diff->reference_end = (guint) MIN ((guint64) column + ref_chars, G_MAXUINT);
  diff->candidate_end = (guint) MIN ((guint64) column + cand_chars, G_MAXUINT);
}

static guint
count_chars (const char *line,
             gsize       length)
{
  guint count = 0;

  for (gsize i = 0; i < length && count < G_MAXUINT; i += char_length (line + i, line + length))
    count++;

  return count;
}

KilnOutputDiff *
kiln_output_compare_with_tolerance (const char     *reference,
                                    gsize           reference_len,
                                    const char     *candidate,
                                    gsize           candidate_len,
                                    KilnTimingMask *mask,
                                    double          tolerance)
{
  KilnOutputDiff *diff;
  LineReader ref_reader;
  LineReader cand_reader;
  guint line_number = 0;
  gboolean within = FALSE;

  g_return_val_if_fail (reference != NULL || reference_len == 0, NULL);
  g_return_val_if_fail (candidate != NULL || candidate_len == 0, NULL);
  g_return_val_if_fail (tolerance >= 0 && isfinite (tolerance), NULL);

  line_reader_init (&ref_reader, reference, reference_len);
  line_reader_init (&cand_reader, candidate, candidate_len);

  diff = g_new0 (KilnOutputDiff, 1);
  diff->tolerance = tolerance;

  for (;;)
    {
      const char *ref_line = NULL;
      const char *cand_line = NULL;
      gsize ref_length = 0;
      gsize cand_length = 0;
      gboolean has_ref = line_reader_next (&ref_reader, &ref_line, &ref_length);
      gboolean has_cand = line_reader_next (&cand_reader, &cand_line, &cand_length);

      if (!has_ref && !has_cand)
        break;

      if (line_number < G_MAXUINT)
        line_number++;

      if (has_ref && has_cand)
        {
          if (ref_length == cand_length && memcmp (ref_line, cand_line, ref_length) == 0)
            continue;

          /* The patterns only run on lines that differ, which keeps equal outputs fast */
          if (mask_matches_len (mask, ref_line, ref_length) &&
              mask_matches_len (mask, cand_line, cand_length))
            continue;

          if (tolerance > 0 &&
              lines_agree (ref_line, ref_length, cand_line, cand_length, tolerance))
            {
              within = TRUE;
              continue;
            }

          diff_columns (diff, ref_line, ref_length, cand_line, cand_length);
        }
      else if (has_ref)
        {
          diff->reference_end = count_chars (ref_line, ref_length);
        }
      else
        {
          diff->candidate_end = count_chars (cand_line, cand_length);
        }

      diff->match = FALSE;
      diff->line = line_number;
      diff->reference = has_ref ? copy_line (ref_line, ref_length) : NULL;
      diff->candidate = has_cand ? copy_line (cand_line, cand_length) : NULL;

      return diff;
    }

  diff->match = !within;
  diff->within_tolerance = within;

  return diff;
}

KilnOutputDiff *
kiln_output_compare (const char     *reference,
                     gsize           reference_len,
                     const char     *candidate,
                     gsize           candidate_len,
                     KilnTimingMask *mask)
{
  return kiln_output_compare_with_tolerance (reference, reference_len,
                                             candidate, candidate_len, mask, 0);
}

void
kiln_output_diff_free (KilnOutputDiff *self)
{
  if (self == NULL)
    return;

  g_free (self->reference);
  g_free (self->candidate);
  g_free (self);
}

/* test-output-compare.c: normalising, masking and comparing outputs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "kiln-error.h"
#include "kiln-output-compare.h"

#define SCHEMA_ID "io.github.kilnapp.Kiln"

/* The defaults must stay exactly these; the schema test below keeps the XML in step. */
static void
test_default_patterns (void)
{
  const char * const *patterns = kiln_timing_mask_default_patterns ();

  g_assert_cmpuint (g_strv_length ((char **) patterns), ==, 3);
  g_assert_true (g_str_has_prefix (patterns[0], "(execution|elapsed|run|running|wall|cpu|"));
  g_assert_true (g_str_has_prefix (patterns[1], "([a-z][a-z ]*[ \\t])?took[ \\t]+"));
  g_assert_true (g_str_has_prefix (patterns[2], "(elapsed|duration|runtime)[ \\t]*[:=]"));
}

static void
test_schema_default (void)
{
  const char *schema_dir = g_getenv ("GSETTINGS_SCHEMA_DIR");
  const char * const *patterns = kiln_timing_mask_default_patterns ();
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autofree const char **defaults = NULL;
  g_autoptr(GError) error = NULL;

  if (schema_dir == NULL)
    {
      g_test_skip ("GSETTINGS_SCHEMA_DIR is not set");
      return;
    }

  source = g_settings_schema_source_new_from_directory (schema_dir, NULL, FALSE, &error);
  g_assert_no_error (error);

  schema = g_settings_schema_source_lookup (source, SCHEMA_ID, FALSE);
  g_assert_nonnull (schema);
  g_assert_true (g_settings_schema_has_key (schema, "timing-patterns"));

  key = g_settings_schema_get_key (schema, "timing-patterns");
  value = g_settings_schema_key_get_default_value (key);
  g_assert_cmpstr (g_variant_get_type_string (value), ==, "as");

  defaults = g_variant_get_strv (value, NULL);
  for (guint i = 0; defaults[i] != NULL || patterns[i] != NULL; i++)
    g_assert_cmpstr (defaults[i], ==, patterns[i]);
}

typedef struct
{
  const char *line;
  gboolean    masked;
} MaskCase;

static const MaskCase mask_cases[] = {
  /* Timing lines */
  { "Execution Time: 0.21 seconds", TRUE },
  { "Execution Time: 0.000123 seconds", TRUE },
  { "time: 12 ms", TRUE },
  { "took 3.2s", TRUE },
  { "Computation took 3.2 seconds", TRUE },
  { "Elapsed: 1.5s", TRUE },
  { "Time taken: 2.0 s", TRUE },
  { "TIME TAKEN: 2.0 S", TRUE },
  { "Total time = 1.5e-03 s.", TRUE },
  { "Running time: 845 µs", TRUE },
  { "CPU time 12,5 ms", TRUE },
  { "runtime: 3 ns", TRUE },
  { "duration=15ms", TRUE },
  /* Not timing, or not only timing */
  { "Result: 3.141592658589", FALSE },
  { "Total Maximum Subarray Sum (20 runs): 10980", FALSE },
  { "time flies", FALSE },
  { "42", FALSE },
  { "", FALSE },
  { "Time: 12 ms of 20 ms budget used, answer 7", FALSE },
  { "The answer took 3 tries", FALSE },
  { "Elapsed: 1.5s, result 9", FALSE },
  { "result 9 Elapsed: 1.5s", FALSE },
  { "time: 12 ms\xff", FALSE },
  { "\xff\xfe", FALSE },
};

static void
test_mask_defaults (void)
{
  g_autoptr(KilnTimingMask) mask = NULL;
  g_autoptr(GError) error = NULL;

  mask = kiln_timing_mask_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mask);

  for (guint i = 0; i < G_N_ELEMENTS (mask_cases); i++)
    {
      g_autofree char *escaped = g_strescape (mask_cases[i].line, NULL);

      g_test_message ("line: %s", escaped);
      g_assert_cmpint (kiln_timing_mask_matches (mask, mask_cases[i].line), ==,
                       mask_cases[i].masked);
    }
}

static void
test_mask_custom (void)
{
  const char * const patterns[] = { "foo", "a|b", NULL };
  const char * const none[] = { NULL };
  g_autoptr(KilnTimingMask) mask = NULL;
  g_autoptr(KilnTimingMask) empty = NULL;
  g_autoptr(GError) error = NULL;
  KilnTimingMask *copy;

  mask = kiln_timing_mask_new (patterns, &error);
  g_assert_no_error (error);

  g_assert_true (kiln_timing_mask_matches (mask, "FoO"));
  g_assert_false (kiln_timing_mask_matches (mask, "foobar"));
  /* Alternatives are anchored as a whole */
  g_assert_true (kiln_timing_mask_matches (mask, "b"));
  g_assert_false (kiln_timing_mask_matches (mask, "ab"));
  g_assert_false (kiln_timing_mask_matches (mask, "a b"));

  copy = g_boxed_copy (KILN_TYPE_TIMING_MASK, mask);
  g_assert_true (copy == mask);
  g_boxed_free (KILN_TYPE_TIMING_MASK, copy);
  kiln_timing_mask_unref (kiln_timing_mask_ref (mask));
  g_assert_true (kiln_timing_mask_matches (mask, "foo"));

  empty = kiln_timing_mask_new (none, &error);
  g_assert_no_error (error);
  g_assert_false (kiln_timing_mask_matches (empty, "Elapsed: 1.5s"));
}

static void
test_mask_invalid (void)
{
  const char * const patterns[] = { "fine", "(unclosed", NULL };
  g_autoptr(KilnTimingMask) mask = NULL;
  g_autoptr(GError) error = NULL;

  mask = kiln_timing_mask_new (patterns, &error);
  g_assert_null (mask);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_PATTERN);
  g_assert_nonnull (strstr (error->message, "(unclosed"));
}

typedef struct
{
  const char         *name;
  const char         *text;
  gssize              length;     /* -1: strlen */
  const char * const  lines[6];   /* NULL-terminated */
} SplitCase;

static const SplitCase split_cases[] = {
  { "empty", "", -1, { NULL } },
  { "only-breaks", "\n\r\n\r \t\n", -1, { NULL } },
  { "one", "a", -1, { "a", NULL } },
  { "one-newline", "a\n", -1, { "a", NULL } },
  { "line-ends", "a\r\nb\rc\nd", -1, { "a", "b", "c", "d", NULL } },
  { "cr-crlf", "a\r\r\nb", -1, { "a", "", "b", NULL } },
  { "trailing-blanks", "a  \t\nb \n\n \n\t\n", -1, { "a", "b", NULL } },
  { "leading-kept", "\n\n  x", -1, { "", "", "  x", NULL } },
  { "inner-empty", "a\n\n \nb", -1, { "a", "", "", "b", NULL } },
  { "nul", "a\0b\n\0", 5, { "a\xe2\x90\x80" "b", "\xe2\x90\x80", NULL } },
  { "invalid-utf8", "\xff\xfe \n", -1, { "\xff\xfe", NULL } },
};

static void
test_split (gconstpointer data)
{
  const SplitCase *split_case = data;
  gsize length = split_case->length < 0 ? strlen (split_case->text)
                                        : (gsize) split_case->length;
  g_auto(GStrv) lines = kiln_output_split_lines (split_case->text, length);
  guint i;

  for (i = 0; lines[i] != NULL && split_case->lines[i] != NULL; i++)
    g_assert_cmpstr (lines[i], ==, split_case->lines[i]);

  g_assert_null (lines[i]);
  g_assert_null (split_case->lines[i]);
}

static void
test_split_null (void)
{
  g_auto(GStrv) lines = kiln_output_split_lines (NULL, 0);

  g_assert_cmpuint (g_strv_length (lines), ==, 0);
}

typedef struct
{
  const char *name;
  const char *reference;
  gssize      reference_len;   /* -1: strlen */
  const char *candidate;
  gssize      candidate_len;   /* -1: strlen */
  gboolean    use_mask;
  gboolean    match;
  guint       line;
  const char *reference_line;
  const char *candidate_line;
} CompareCase;

static const CompareCase compare_cases[] = {
  { "equal", "1\n2\n", -1, "1\n2", -1, FALSE, TRUE, 0, NULL, NULL },
  { "both-empty", "", -1, "\n\n  \n", -1, FALSE, TRUE, 0, NULL, NULL },
  { "crlf", "1\r\n2\r\n", -1, "1\n2\n", -1, FALSE, TRUE, 0, NULL, NULL },
  { "lone-cr", "1\r2\r", -1, "1\n2\n", -1, FALSE, TRUE, 0, NULL, NULL },
  { "trailing-blanks", "a  \nb\t\n", -1, "a\nb", -1, FALSE, TRUE, 0, NULL, NULL },
  { "leading-blanks", " a", -1, "a", -1, FALSE, FALSE, 1, " a", "a" },
  { "differ", "1\n2\n3\n", -1, "1\n2\n4\n", -1, FALSE, FALSE, 3, "3", "4" },
  { "candidate-ended", "1\n2\n", -1, "1\n", -1, FALSE, FALSE, 2, "2", NULL },
  { "reference-ended", "", -1, "x", -1, FALSE, FALSE, 1, NULL, "x" },
  { "inner-empty-line", "a\n\nb", -1, "a\nb", -1, FALSE, FALSE, 2, "", "b" },
  { "timing-masked",
    "Result: 3\nExecution Time: 0.21 seconds\n", -1,
    "Result: 3\nExecution Time: 0.000123 seconds\n", -1,
    TRUE, TRUE, 0, NULL, NULL },
  { "timing-unmasked",
    "Result: 3\nExecution Time: 0.21 seconds\n", -1,
    "Result: 3\nExecution Time: 0.000123 seconds\n", -1,
    FALSE, FALSE, 2, "Execution Time: 0.21 seconds", "Execution Time: 0.000123 seconds" },
  { "timing-forms-differ", "took 3.2s\nok", -1, "Computation took 12 ms\nok", -1,
    TRUE, TRUE, 0, NULL, NULL },
  { "timing-vs-result", "Result: 3\nTime: 1 s\n", -1, "Result: 3\nResult: 4\n", -1,
    TRUE, FALSE, 2, "Time: 1 s", "Result: 4" },
  { "timing-then-difference", "Elapsed: 1.5s\nX", -1, "Elapsed: 2s  \r\nY", -1,
    TRUE, FALSE, 2, "X", "Y" },
  { "timing-extra-line", "a\ntook 3s", -1, "a", -1, TRUE, FALSE, 2, "took 3s", NULL },
  { "nul-equal", "a\0b", 3, "a\0b", 3, FALSE, TRUE, 0, NULL, NULL },
  { "nul-differ", "a\0b", 3, "a\0c", 3, FALSE, FALSE, 1,
    "a\xe2\x90\x80" "b", "a\xe2\x90\x80" "c" },
  { "nul-prefix", "a\0b", 3, "a", 1, TRUE, FALSE, 1, "a\xe2\x90\x80" "b", "a" },
  { "invalid-utf8-equal", "x\xff\n", -1, "x\xff", -1, TRUE, TRUE, 0, NULL, NULL },
  { "invalid-utf8-not-masked", "time: 1 ms\xff", -1, "time: 2 ms\xff", -1,
    TRUE, FALSE, 1, "time: 1 ms\xff", "time: 2 ms\xff" },
};

static void
test_compare (gconstpointer data)
{
  const CompareCase *c = data;
  gsize reference_len = c->reference_len < 0 ? strlen (c->reference)
                                             : (gsize) c->reference_len;
  gsize candidate_len = c->candidate_len < 0 ? strlen (c->candidate)
                                             : (gsize) c->candidate_len;
  g_autoptr(KilnTimingMask) mask = NULL;
  g_autoptr(KilnOutputDiff) diff = NULL;

  if (c->use_mask)
    mask = kiln_timing_mask_new (NULL, NULL);

  diff = kiln_output_compare (c->reference, reference_len, c->candidate, candidate_len, mask);
  g_assert_cmpint (diff->match, ==, c->match);
  g_assert_cmpuint (diff->line, ==, c->line);
  g_assert_cmpstr (diff->reference, ==, c->reference_line);
  g_assert_cmpstr (diff->candidate, ==, c->candidate_line);
}

static void
test_compare_null (void)
{
  g_autoptr(KilnOutputDiff) diff = kiln_output_compare (NULL, 0, "\n", 1, NULL);

  g_assert_true (diff->match);
}

/* Several MiB must go through in linear time: many short lines, then one huge line. */
static void
test_compare_large (void)
{
  g_autoptr(KilnTimingMask) mask = kiln_timing_mask_new (NULL, NULL);
  g_autoptr(GString) reference = g_string_new (NULL);
  g_autoptr(GString) candidate = NULL;
  g_autoptr(KilnOutputDiff) equal = NULL;
  g_autoptr(KilnOutputDiff) last = NULL;
  g_autoptr(KilnOutputDiff) huge = NULL;
  g_autofree char *huge_a = NULL;
  g_autofree char *huge_b = NULL;
  gsize huge_len = 8 * 1024 * 1024;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < 400000; i++)
    g_string_append_printf (reference, "line %u: %u\r\nElapsed: %u ms\n", i, i * 7, i % 13);
  candidate = g_string_new_len (reference->str, reference->len);

  equal = kiln_output_compare (reference->str, reference->len,
                               candidate->str, candidate->len, mask);
  g_assert_true (equal->match);

  candidate->str[candidate->len - 5] = '9';
  last = kiln_output_compare (reference->str, reference->len,
                              candidate->str, candidate->len, NULL);
  g_assert_false (last->match);
  g_assert_cmpuint (last->line, ==, 800000);

  /* One line of 8 MiB that differs only in its last byte, with the patterns running on it */
  huge_a = g_malloc (huge_len);
  memset (huge_a, 'a', huge_len);
  huge_b = g_memdup2 (huge_a, huge_len);
  huge_b[huge_len - 1] = 'b';
  huge = kiln_output_compare (huge_a, huge_len, huge_b, huge_len, mask);
  g_assert_false (huge->match);
  g_assert_cmpuint (huge->line, ==, 1);
  g_assert_cmpuint (strlen (huge->candidate), ==, huge_len);

  g_test_message ("large comparisons took %.2f s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

typedef struct
{
  const char *name;
  const char *reference;
  const char *candidate;
  double      tolerance;
  gboolean    match;
  gboolean    within;
  guint       line;
} ToleranceCase;

static const ToleranceCase tolerance_cases[] = {
  { "exact", "pi = 3.14159\n", "pi = 3.14159", 1e-9, TRUE, FALSE, 0 },
  { "last-digits", "3.141592653589793", "3.14159265358979", 1e-9, FALSE, TRUE, 0 },
  { "last-digits-exact-only", "3.141592653589793", "3.14159265358979", 0, FALSE, FALSE, 1 },
  { "too-far", "3.141592653589793", "3.1415926", 1e-9, FALSE, FALSE, 1 },
  { "other-format", "Sum: 1.0000000001e10", "Sum: 10000000001", 1e-9, FALSE, TRUE, 0 },
  { "zero-forms", "0 -0.0 +1", "0.0 0 1", 1e-9, FALSE, TRUE, 0 },
  /* Relative only: a value that should be 0 must print as 0 */
  { "zero-vs-tiny", "0", "1e-17", 1e-9, FALSE, FALSE, 1 },
  { "integers", "Result: 10980", "Result: 10981", 1e-9, FALSE, FALSE, 1 },
  { "integers-loose", "Result: 10980", "Result: 10981", 1e-3, FALSE, TRUE, 0 },
  { "negative", "x=-0.1, y=-2", "x=-0.10000000000000001, y=-2.0", 1e-9, FALSE, TRUE, 0 },
  { "sign-flip", "-0.5", "0.5", 1e-9, FALSE, FALSE, 1 },
  { "text-differs", "Sum: 1.0", "Total: 1.0000000000001", 1e-9, FALSE, FALSE, 1 },
  { "spacing-differs", "1.0  2.0", "1.0 2.0", 1e-9, FALSE, FALSE, 1 },
  { "more-numbers", "x 1 2", "x 1 2 3", 1e-9, FALSE, FALSE, 1 },
  { "number-vs-text", "n = 5", "n = five", 1e-9, FALSE, FALSE, 1 },
  { "identifier-not-number", "v1 = 2", "v1.0000000000001 = 2", 1e-9, FALSE, FALSE, 1 },
  { "unit-after-number", "10.0ms", "10.00000000001ms", 1e-9, FALSE, TRUE, 0 },
  { "incomplete-exponent", "2e", "2.0000000000001e", 1e-9, FALSE, TRUE, 0 },
  { "nan-forms", "nan", "-nan", 1e-9, FALSE, TRUE, 0 },
  { "nan-vs-number", "nan", "0", 1e-9, FALSE, FALSE, 1 },
  { "inf-forms", "inf -inf", "Infinity -INF", 1e-9, FALSE, TRUE, 0 },
  { "inf-vs-large", "inf", "1e308", 1e-9, FALSE, FALSE, 1 },
  { "inf-sign", "inf", "-inf", 1e-9, FALSE, FALSE, 1 },
  { "info-is-text", "info 1", "inf0 1", 1e-9, FALSE, FALSE, 1 },
  { "then-differs", "1.0000000000001\nok\nA", "1\nok\nB", 1e-9, FALSE, FALSE, 3 },
  { "then-masked", "0.30000000000000004\nElapsed: 2s", "0.3\nElapsed: 0.01s", 1e-9,
    FALSE, TRUE, 0 },
  { "line-missing", "1.0\n2.0", "1.0000000000001", 1e-9, FALSE, FALSE, 2 },
  { "huge-integers", "123456789012345678901234567890", "123456789012345678901234567891",
    1e-9, FALSE, TRUE, 0 },
};

static void
test_tolerance (gconstpointer data)
{
  const ToleranceCase *c = data;
  g_autoptr(KilnTimingMask) mask = kiln_timing_mask_new (NULL, NULL);
  g_autoptr(KilnOutputDiff) diff = NULL;

  diff = kiln_output_compare_with_tolerance (c->reference, strlen (c->reference),
                                             c->candidate, strlen (c->candidate),
                                             mask, c->tolerance);
  g_assert_cmpint (diff->match, ==, c->match);
  g_assert_cmpint (diff->within_tolerance, ==, c->within);
  g_assert_cmpuint (diff->line, ==, c->line);
  g_assert_cmpfloat (diff->tolerance, ==, c->tolerance);
  if (c->line == 0)
    {
      g_assert_null (diff->reference);
      g_assert_null (diff->candidate);
    }
}

static void
test_tolerance_default (void)
{
  g_autoptr(KilnOutputDiff) diff = kiln_output_compare ("0.1", 3, "0.10000000000000001", 19,
                                                        NULL);

  g_assert_false (diff->match);
  g_assert_false (diff->within_tolerance);
  g_assert_cmpfloat (diff->tolerance, ==, 0);
}

typedef struct
{
  const char *name;
  const char *reference;
  const char *candidate;
  guint       column;
  guint       reference_end;
  guint       candidate_end;
} ColumnCase;

static const ColumnCase column_cases[] = {
  /* 3.14159265|8589 vs 3.14159265|386 */
  { "pi", "3.141592658589", "3.14159265386", 10, 14, 13 },
  { "inner", "Result: 10980", "Result: 10990", 11, 12, 12 },
  { "inserted", "abcXdef", "abcdef", 3, 4, 3 },
  { "removed", "abcdef", "abcXYdef", 3, 3, 5 },
  /* The suffix does not reach back into the prefix */
  { "repeated", "aa", "aaa", 2, 2, 3 },
  { "repeated-inside", "abab", "ab", 2, 4, 2 },
  { "first", "x = 1", "y = 1", 0, 1, 1 },
  { "whole", "abc", "xyz", 0, 3, 3 },
  { "utf8", "π ≈ 3.14", "π ≈ 3.15", 7, 8, 8 },
  { "utf8-suffix", "3 € left", "4 € left", 0, 1, 1 },
  /* é and è share their first byte, é and ĩ their last: neither counts */
  { "utf8-shared-lead-byte", "é", "è", 0, 1, 1 },
  { "utf8-shared-trail-byte", "é", "ĩ", 0, 1, 1 },
  { "invalid-byte", "a\xff" "b", "a\xfe" "b", 1, 2, 2 },
  { "invalid-vs-utf8", "x\xc3" "A", "xé", 1, 3, 2 },
  { "candidate-ended", "1\n2 €", "1", 0, 3, 0 },
  { "reference-ended", "1", "1\nabc", 0, 0, 3 },
};

static void
test_columns (gconstpointer data)
{
  const ColumnCase *c = data;
  g_autoptr(KilnOutputDiff) diff = NULL;

  diff = kiln_output_compare (c->reference, strlen (c->reference),
                              c->candidate, strlen (c->candidate), NULL);
  g_assert_false (diff->match);
  g_assert_cmpuint (diff->column, ==, c->column);
  g_assert_cmpuint (diff->reference_end, ==, c->reference_end);
  g_assert_cmpuint (diff->candidate_end, ==, c->candidate_end);
  g_assert_cmpuint (diff->column, <=, diff->reference_end);
  g_assert_cmpuint (diff->column, <=, diff->candidate_end);
  if (diff->reference != NULL && g_utf8_validate (diff->reference, -1, NULL))
    g_assert_cmpuint (diff->reference_end, <=, g_utf8_strlen (diff->reference, -1));
  if (diff->candidate != NULL && g_utf8_validate (diff->candidate, -1, NULL))
    g_assert_cmpuint (diff->candidate_end, <=, g_utf8_strlen (diff->candidate, -1));
}

/* The columns count characters of the text a person sees: with g_utf8_make_valid() the
 * invalid byte becomes one U+FFFD, and the differing part is exactly what differs. */
static void
test_columns_made_valid (void)
{
  const char *reference = "r\xff=1.5";
  const char *candidate = "r\xff=1.25";
  g_autoptr(KilnOutputDiff) diff = kiln_output_compare (reference, strlen (reference),
                                                        candidate, strlen (candidate), NULL);
  g_autofree char *shown = g_utf8_make_valid (diff->candidate, -1);
  const char *from = g_utf8_offset_to_pointer (shown, diff->column);
  const char *to = g_utf8_offset_to_pointer (shown, diff->candidate_end);
  g_autofree char *part = g_strndup (from, to - from);

  g_assert_cmpstr (part, ==, "2");
  g_assert_cmpuint (diff->column, ==, 5);
  g_assert_cmpuint (diff->reference_end, ==, 5);
}

static void
test_columns_when_equal (void)
{
  g_autoptr(KilnOutputDiff) equal = kiln_output_compare ("a", 1, "a", 1, NULL);
  g_autoptr(KilnOutputDiff) within = kiln_output_compare_with_tolerance ("1.0", 3, "1", 1,
                                                                        NULL, 1e-9);

  g_assert_true (equal->match);
  g_assert_cmpuint (equal->column + equal->reference_end + equal->candidate_end, ==, 0);
  g_assert_true (within->within_tolerance);
  g_assert_cmpuint (within->column + within->reference_end + within->candidate_end, ==, 0);
}

/* A long line within tolerance, and one that differs only at its end: linear time */
static void
test_tolerance_large (void)
{
  g_autoptr(GString) reference = g_string_new (NULL);
  g_autoptr(GString) candidate = g_string_new (NULL);
  g_autoptr(KilnOutputDiff) within = NULL;
  g_autoptr(KilnOutputDiff) last = NULL;

  for (guint i = 0; i < 200000; i++)
    {
      g_string_append_printf (reference, "%u.5 ", i);
      g_string_append_printf (candidate, "%u.50000000000001 ", i);
    }

  within = kiln_output_compare_with_tolerance (reference->str, reference->len,
                                               candidate->str, candidate->len, NULL, 1e-9);
  g_assert_true (within->within_tolerance);

  g_string_append (reference, "x");
  g_string_append (candidate, "y");
  last = kiln_output_compare_with_tolerance (reference->str, reference->len,
                                             candidate->str, candidate->len, NULL, 1e-9);
  g_assert_false (last->within_tolerance);
  g_assert_cmpuint (last->line, ==, 1);
  /* "0.5" is common, then " " and "0000000000001 …" differ, up to the end */
  g_assert_cmpuint (last->column, ==, 3);
  g_assert_cmpuint (last->reference_end, ==, reference->len);
  g_assert_cmpuint (last->candidate_end, ==, candidate->len);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/output-compare/mask/default-patterns", test_default_patterns);
  g_test_add_func ("/output-compare/mask/schema-default", test_schema_default);
  g_test_add_func ("/output-compare/mask/defaults", test_mask_defaults);
  g_test_add_func ("/output-compare/mask/custom", test_mask_custom);
  g_test_add_func ("/output-compare/mask/invalid", test_mask_invalid);

  for (guint i = 0; i < G_N_ELEMENTS (split_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/output-compare/split/%s", split_cases[i].name);

      g_test_add_data_func (path, &split_cases[i], test_split);
    }
  g_test_add_func ("/output-compare/split/null", test_split_null);

  for (guint i = 0; i < G_N_ELEMENTS (compare_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/output-compare/compare/%s",
                                               compare_cases[i].name);

      g_test_add_data_func (path, &compare_cases[i], test_compare);
    }
  g_test_add_func ("/output-compare/compare/null", test_compare_null);
  g_test_add_func ("/output-compare/compare/large", test_compare_large);

  for (guint i = 0; i < G_N_ELEMENTS (tolerance_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/output-compare/tolerance/%s",
                                               tolerance_cases[i].name);

      g_test_add_data_func (path, &tolerance_cases[i], test_tolerance);
    }
  g_test_add_func ("/output-compare/tolerance/default", test_tolerance_default);
  g_test_add_func ("/output-compare/tolerance/large", test_tolerance_large);

  for (guint i = 0; i < G_N_ELEMENTS (column_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/output-compare/columns/%s",
                                               column_cases[i].name);

      g_test_add_data_func (path, &column_cases[i], test_columns);
    }
  g_test_add_func ("/output-compare/columns/made-valid", test_columns_made_valid);
  g_test_add_func ("/output-compare/columns/when-equal", test_columns_when_equal);

  return g_test_run ();
}

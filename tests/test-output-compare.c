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

  return g_test_run ();
}

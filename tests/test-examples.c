/* test-examples.c: every bundled example runs, its C++ translation prints what the Python
 * prints, and runs faster
 *
 * The figures printed (g_test_message, visible with meson test --verbose) go in the release
 * note.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "kiln-test-util.h"

/* The max-subarray Python may take minutes on a slow machine. */
#define PYTHON_TIMEOUT_MS (600 * 1000)
#define OUTPUT_CAP (1024 * 1024)

/* One line per example, printed again once all have run. */
static GPtrArray *summary;

static void
test_metadata (void)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  const KilnExample *examples;
  guint n_examples = 0;

  examples = kiln_examples_get_all (&n_examples);
  g_assert_nonnull (examples);
  g_assert_cmpuint (n_examples, >, 0);

  for (guint i = 0; i < n_examples; i++)
    {
      const KilnExample *example = &examples[i];
      g_autoptr(GBytes) python = NULL;
      g_autoptr(GBytes) cpp = NULL;
      g_autoptr(GBytes) input = NULL;

      g_assert_nonnull (example->id);
      g_assert_cmpstr (example->id, !=, "");
      g_assert_nonnull (example->title);
      g_assert_cmpstr (example->title, !=, "");
      g_assert_nonnull (example->description);
      g_assert_cmpstr (example->description, !=, "");

      if (!g_hash_table_add (ids, (gpointer) example->id))
        g_error ("Two examples share the id “%s”", example->id);

      python = kiln_example_get_python (example);
      cpp = kiln_example_get_cpp (example);
      g_assert_nonnull (python);
      g_assert_nonnull (cpp);
      g_assert_cmpuint (g_bytes_get_size (python), >, 0);
      g_assert_cmpuint (g_bytes_get_size (cpp), >, 0);
      g_assert_true (g_utf8_validate (g_bytes_get_data (python, NULL),
                                      g_bytes_get_size (python), NULL));
      g_assert_true (g_utf8_validate (g_bytes_get_data (cpp, NULL),
                                      g_bytes_get_size (cpp), NULL));
      /* The input is optional, but when it is there it is not empty. */
      input = kiln_example_get_input (example);
      if (input != NULL)
        g_assert_cmpuint (g_bytes_get_size (input), >, 0);

      g_assert_true (kiln_examples_lookup (example->id) == example);
    }

  g_assert_null (kiln_examples_lookup ("no-such-example"));
  g_assert_null (kiln_examples_lookup (""));
  g_assert_nonnull (kiln_examples_lookup ("pi"));
}

/* The resource as a NUL-terminated string, as the toolchain takes sources. */
static char *
bytes_to_string (GBytes *bytes)
{
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
assert_ran_cleanly (const KilnExample *example,
                    KilnRunResult     *result)
{
  if (!result->ok)
    {
      g_autofree char *err = kiln_run_result_dup_stderr (result);

      g_test_message ("%s (%s) failed: %s\n%s", example->id,
                      kiln_language_get_title (result->language),
                      result->error != NULL ? result->error->message : "(no error)", err);
      if (result->compile != NULL && result->compile->output != NULL)
        g_test_message ("compiler output:\n%s", result->compile->output);
    }
  g_assert_true (result->ok);
  g_assert_no_error (result->error);
  g_assert_cmpuint (result->runs->len, >=, 1);
}

static void
test_example (gconstpointer data)
{
  const KilnExample *example = data;
  g_autofree char *dir = NULL;
  g_autoptr(KilnToolchain) toolchain = NULL;
  g_autoptr(GBytes) python_bytes = kiln_example_get_python (example);
  g_autoptr(GBytes) cpp_bytes = kiln_example_get_cpp (example);
  g_autoptr(GBytes) input = kiln_example_get_input (example);
  g_autofree char *python_source = bytes_to_string (python_bytes);
  g_autofree char *cpp_source = bytes_to_string (cpp_bytes);
  g_autofree char *input_text = input != NULL ? bytes_to_string (input) : NULL;
  g_autoptr(KilnRunResult) python = NULL;
  g_autoptr(KilnRunResult) cpp = NULL;
  g_autoptr(KilnTimingMask) mask = NULL;
  g_autoptr(KilnComparison) comparison = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *py_time = NULL;
  g_autofree char *cpp_time = NULL;
  g_autofree char *speedup = NULL;
  KilnRunLimits python_limits, cpp_limits;
  double py_median, cpp_median;
  char *line;

  kiln_run_limits_init_default (&python_limits, KILN_LANGUAGE_PYTHON);
  python_limits.timeout_ms = PYTHON_TIMEOUT_MS;
  python_limits.output_cap = OUTPUT_CAP;
  python_limits.max_runs = 1;

  kiln_run_limits_init_default (&cpp_limits, KILN_LANGUAGE_CPP);
  cpp_limits.output_cap = OUTPUT_CAP;
  cpp_limits.max_runs = 3;
  cpp_limits.time_budget_ms = 1000;

  toolchain = kiln_test_toolchain_new (&dir);

  /* One after the other, as Kiln does, so they do not compete for the CPU. */
  python = kiln_test_run (toolchain, KILN_LANGUAGE_PYTHON, python_source, input_text,
                          &python_limits);
  assert_ran_cleanly (example, python);
  cpp = kiln_test_run (toolchain, KILN_LANGUAGE_CPP, cpp_source, input_text, &cpp_limits);
  assert_ran_cleanly (example, cpp);
  g_assert_nonnull (cpp->compile);
  g_assert_true (cpp->compile->ok);

  mask = kiln_timing_mask_new (NULL, &error);
  g_assert_no_error (error);
  comparison = kiln_comparison_new (python, cpp, mask);
  g_assert_true (comparison->comparable);
  g_assert_nonnull (comparison->diff);
  if (!kiln_comparison_matches (comparison))
    g_error ("%s: outputs differ at line %u:\n  Python: %s\n  C++:    %s", example->id,
             comparison->diff->line,
             comparison->diff->reference ? comparison->diff->reference : "(no more output)",
             comparison->diff->candidate ? comparison->diff->candidate : "(no more output)");
  g_assert_cmpuint (g_bytes_get_size (python->stdout_bytes), >, 0);

  g_assert_true (kiln_run_result_get_wall (python, &py_median, NULL, NULL));
  g_assert_true (kiln_run_result_get_wall (cpp, &cpp_median, NULL, NULL));
  py_time = kiln_format_duration (py_median);
  cpp_time = kiln_format_duration (cpp_median);
  speedup = kiln_format_speedup (comparison->speedup, comparison->speedup_is_lower_bound);
  line = g_strdup_printf ("%s: Python %s, C++ %s, speedup %s", example->id, py_time, cpp_time,
                          speedup);
  g_test_message ("%s", line);
  g_ptr_array_add (summary, line);

  g_assert_cmpfloat (comparison->speedup, >, 1);

  kiln_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  const KilnExample *examples;
  guint n_examples = 0;
  int status;

  /* So that "×" reaches a UTF-8 terminal as itself. */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  kiln_core_init ();

  summary = g_ptr_array_new_with_free_func (g_free);

  g_test_add_func ("/examples/metadata", test_metadata);

  examples = kiln_examples_get_all (&n_examples);
  for (guint i = 0; i < n_examples; i++)
    {
      g_autofree char *path = g_strdup_printf ("/examples/run/%s", examples[i].id);

      g_test_add_data_func (path, &examples[i], test_example);
    }

  status = g_test_run ();

  if (summary->len > 0)
    {
      g_test_message ("Summary:");
      for (guint i = 0; i < summary->len; i++)
        g_test_message ("  %s", (const char *) g_ptr_array_index (summary, i));
    }
  g_ptr_array_unref (summary);

  return status;
}

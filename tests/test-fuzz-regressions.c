/* test-fuzz-regressions.c: the fuzzers' entry points on every input a fuzzer once broke
 * (tests/fuzz/regressions/<target>/) and on their seed corpora
 *
 * Each kiln_fuzz_<target>() checks its target's invariants and aborts when one breaks, so
 * this only has to feed them. The seeds are built as build-aux/dev fuzz builds them: the
 * test fixtures, with the control byte the target reads in front (see tests/fuzz/).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-fuzz.h"

typedef void (*FuzzEntry) (const uint8_t *data,
                           size_t         size);

typedef struct
{
  const char  *name;        /* the folder in tests/fuzz/regressions */
  FuzzEntry    entry;
  const char  *prefixes;    /* control bytes: each seed is fed once after each; NULL: as it is */
  gboolean     json_lines;  /* the seeds are the JSON documents on the lines of the files */
  const char  *seeds[5];    /* "folder/pattern" under tests/ */
} Target;

#define STREAMS "fixtures/sse/*.sse", "fixtures/sse/*.ndjson", "fixtures/streams/*"

static const Target targets[] = {
  { "sse", kiln_fuzz_sse, "07", FALSE, { STREAMS } },
  { "ndjson", kiln_fuzz_ndjson, "07", FALSE, { STREAMS } },
  { "decoder", kiln_fuzz_decoder, "0123", FALSE, { STREAMS } },
  { "extractor", kiln_fuzz_extractor, "07", FALSE, { "fuzz/corpus/extractor/*" } },
  { "diagnostics", kiln_fuzz_diagnostics, NULL, FALSE, { "fixtures/diagnostics/*.txt" } },
  { "models", kiln_fuzz_models, NULL, FALSE,
    { "fuzz/corpus/models/*", "../src/core/models/models.json" } },
  { "compare", kiln_fuzz_compare, NULL, FALSE, { "fuzz/corpus/compare/*" } },
  { "json-scan", kiln_fuzz_json_scan, NULL, TRUE, { STREAMS, "fuzz/corpus/models/*" } },
};

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The files in @folder (under tests/) whose names match @pattern, sorted; none when the
 * folder does not exist. */
static GPtrArray *
list_files (const char *folder,
            const char *pattern)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, folder, NULL);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      if (g_pattern_match_simple (pattern, name) &&
          g_file_test (file, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&file));
    }

  g_ptr_array_sort (files, compare_paths);

  return g_steal_pointer (&files);
}

static void
feed (const Target *target,
      const char   *data,
      gsize         length)
{
  g_autofree char *input = NULL;

  if (target->prefixes == NULL)
    {
      /* a copy of the exact size, as libFuzzer hands it over */
      input = g_memdup2 (data, MAX (length, 1));
      target->entry ((const uint8_t *) input, length);
      return;
    }

  input = g_malloc (length + 1);
  memcpy (input + 1, data, length);
  for (const char *p = target->prefixes; *p != '\0'; p++)
    {
      input[0] = *p;
      target->entry ((const uint8_t *) input, length + 1);
    }
}

/* The JSON documents of a stream: "data: {…}" lines and NDJSON lines */
static guint
feed_json_lines (const Target *target,
                 const char   *contents)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strchomp (lines[i]);

      if (g_str_has_prefix (line, "data:"))
        line = g_strchug (line + strlen ("data:"));
      if (*line != '{' && *line != '[')
        continue;

      feed (target, line, strlen (line));
      n++;
    }

  return n;
}

static void
test_seeds (gconstpointer user_data)
{
  const Target *target = user_data;
  guint n_inputs = 0;

  for (guint i = 0; i < G_N_ELEMENTS (target->seeds) && target->seeds[i] != NULL; i++)
    {
      g_autofree char *folder = g_path_get_dirname (target->seeds[i]);
      g_autofree char *pattern = g_path_get_basename (target->seeds[i]);
      g_autoptr(GPtrArray) files = list_files (folder, pattern);

      g_assert_cmpuint (files->len, >, 0);

      for (guint j = 0; j < files->len; j++)
        {
          const char *file = g_ptr_array_index (files, j);
          g_autofree char *contents = NULL;
          gsize length;
          g_autoptr(GError) error = NULL;

          g_file_get_contents (file, &contents, &length, &error);
          g_assert_no_error (error);

          g_test_message ("%s", file);
          if (target->json_lines)
            n_inputs += feed_json_lines (target, contents);
          else
            {
              feed (target, contents, length);
              n_inputs++;
            }
        }
    }

  g_assert_cmpuint (n_inputs, >, 0);
}

static void
test_regressions (gconstpointer user_data)
{
  const Target *target = user_data;
  g_autofree char *folder = g_build_filename ("fuzz", "regressions", target->name, NULL);
  g_autoptr(GPtrArray) files = list_files (folder, "*");

  g_assert_cmpuint (files->len, >, 0);
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      g_autofree char *input = NULL;
      gsize length;
      g_autoptr(GError) error = NULL;

      g_file_get_contents (file, &contents, &length, &error);
      g_assert_no_error (error);

      /* saved inputs are fed exactly as the fuzzer saw them, control byte included */
      g_test_message ("%s", file);
      input = g_memdup2 (contents, MAX (length, 1));
      target->entry ((const uint8_t *) input, length);
    }
}

/* Every folder in tests/fuzz/regressions belongs to a target */
static void
test_regression_folders (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "regressions", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
        known = known || strcmp (targets[i].name, name) == 0;
      if (!known)
        g_error ("tests/fuzz/regressions/%s: no fuzz target of that name", name);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autofree char *regressions = g_strdup_printf ("/fuzz/regressions/%s", targets[i].name);
      g_autofree char *seeds = g_strdup_printf ("/fuzz/seeds/%s", targets[i].name);
      g_autofree char *folder = g_build_filename ("fuzz", "regressions", targets[i].name, NULL);
      g_autoptr(GPtrArray) saved = list_files (folder, "*");

      /* Only targets a fuzzer has broken have saved inputs to replay. */
      if (saved->len > 0)
        g_test_add_data_func (regressions, &targets[i], test_regressions);
      g_test_add_data_func (seeds, &targets[i], test_seeds);
    }
  g_test_add_func ("/fuzz/regression-folders", test_regression_folders);

  return g_test_run ();
}

/* kiln-cli-compare-models.c: `kiln-cli compare-models`
 *
 *   kiln-cli compare-models FILE --model ID [--model ID ...] [--models FILE] [--stdin FILE]
 *                           [--max-attempts N] [--timeout SECONDS] [--json | --csv | --markdown]
 *
 * Converts FILE with every model through one KilnSession, as the window does: the streams
 * run side by side, the original runs once, verifications take turns. Each model's final
 * code goes to FILE-stem.MODEL-ID.cpp next to FILE, then the leaderboard is printed: a table,
 * or exactly one JSON object, CSV or Markdown document (kiln-leaderboard.h). Progress goes to
 * stderr, one line per step and model. Exit status 0 only when every model's code was
 * verified; Ctrl+C stops them all and still prints what there is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "kiln-cli.h"
#include "kiln-core.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

static void
attempt_started_cb (KilnConversion *conversion,
                    KilnAttempt    *attempt,
                    gpointer        user_data)
{
  const char *id = kiln_conversion_get_model_id (conversion);
  guint max = kiln_conversion_get_max_attempts (conversion);

  switch (attempt->repairing)
    {
    case KILN_ATTEMPT_COMPILE_ERROR:
    case KILN_ATTEMPT_NO_CODE:
      /* Translators: %s is a model id, then the attempt number and the most there may be */
      g_printerr (_("%s: attempt %u of %u: fixing a compile error\n"), id, attempt->number, max);
      break;
    case KILN_ATTEMPT_RUNTIME_ERROR:
      g_printerr (_("%s: attempt %u of %u: fixing a crash\n"), id, attempt->number, max);
      break;
    case KILN_ATTEMPT_TIMEOUT:
      g_printerr (_("%s: attempt %u of %u: fixing a timeout\n"), id, attempt->number, max);
      break;
    case KILN_ATTEMPT_OUTPUT_DIFFERS:
      g_printerr (_("%s: attempt %u of %u: fixing an output difference\n"),
                  id, attempt->number, max);
      break;
    case KILN_ATTEMPT_TRUNCATED:
      g_printerr (_("%s: attempt %u of %u: going on with a cut-off answer\n"),
                  id, attempt->number, max);
      break;
    case KILN_ATTEMPT_OK:
    case KILN_ATTEMPT_STREAM_FAILED:
    case KILN_ATTEMPT_REFUSED:
    default:
      g_printerr (_("%s: attempt %u of %u\n"), id, attempt->number, max);
      break;
    }
}

static void
retrying_cb (KilnConversion *conversion,
             guint           delay_ms,
             const GError   *error,
             gpointer        user_data)
{
  /* Translators: %s is a model id, then why its answer failed; %.1f is seconds */
  g_printerr (_("%s: %s; asking again in %.1f s\n"), kiln_conversion_get_model_id (conversion),
              error != NULL ? error->message : _("no answer"), delay_ms / 1000.0);
}

static void
conversion_finished_cb (KilnSession    *session,
                        KilnConversion *conversion,
                        gpointer        user_data)
{
  const char *id = kiln_conversion_get_model_id (conversion);
  const char *message = kiln_conversion_get_error_message (conversion);

  if (kiln_conversion_get_verified (conversion))
    {
      g_autofree char *speedup =
        kiln_format_speedup (kiln_conversion_get_speedup (conversion),
                             kiln_conversion_get_speedup_is_lower_bound (conversion));

      /* Translators: %s is a model id, then a speedup such as "×34.2" */
      g_printerr (_("%s: outputs match, %s\n"), id, speedup);
    }
  else if (message != NULL)
    g_printerr ("%s: %s\n", id, message);
  else
    {
      g_autofree char *verdict = kiln_conversion_dup_verdict_text (conversion);

      g_printerr ("%s: %s\n", id, verdict);
    }
}

static gboolean
on_interrupt (gpointer user_data)
{
  KilnSession *session = user_data;

  g_printerr ("%s\n", _("kiln-cli: stopping every conversion…"));
  kiln_session_stop (session, NULL);
  return G_SOURCE_CONTINUE;
}

/* FILE-stem.MODEL-ID.cpp next to FILE; the id keeps only [A-Za-z0-9._-]. */
static char *
output_path_for (const char *path,
                 const char *model_id)
{
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, '/');
  g_autofree char *stem = (dot != NULL && (slash == NULL || dot > slash + 1))
                            ? g_strndup (path, dot - path) : g_strdup (path);
  g_autofree char *safe = g_strdup (model_id);

  for (char *p = safe; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      *p = '-';

  return g_strconcat (stem, ".", safe, ".cpp", NULL);
}

/* Display width of a UTF-8 cell, for lining up the table (every character counts one). */
static glong
cell_width (const char *text)
{
  return g_utf8_strlen (text, -1);
}

/* The table printed without --json, --csv or --markdown: rank, id, verdict and the
 * figures that decide which model to use. */
static void
print_table (GPtrArray *sorted,
             double     python_seconds)
{
  const char *titles[] = {
    /* Translators: column titles of kiln-cli compare-models' table */
    "#", N_("Model"), N_("Verdict"), N_("Attempts"), N_("C++ time"), N_("Speedup"),
    N_("Cost"), N_("Total time"),
  };
  enum { N_COLUMNS = G_N_ELEMENTS (titles) };
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  glong widths[N_COLUMNS] = { 0 };

  for (guint c = 0; c < N_COLUMNS; c++)
    g_ptr_array_add (cells, g_strdup (c == 0 ? titles[c] : _(titles[c])));

  for (guint i = 0; i < sorted->len; i++)
    {
      KilnConversion *conversion = g_ptr_array_index (sorted, i);
      double cpp = kiln_conversion_get_cpp_seconds (conversion);
      double cost = kiln_conversion_get_cost_usd (conversion);
      gboolean lower_bound = kiln_conversion_get_speedup_is_lower_bound (conversion);

      g_ptr_array_add (cells, g_strdup_printf ("%u", i + 1));
      g_ptr_array_add (cells, g_strdup (kiln_conversion_get_model_id (conversion)));
      g_ptr_array_add (cells, kiln_conversion_dup_verdict_text (conversion));
      g_ptr_array_add (cells, g_strdup_printf ("%u", g_list_model_get_n_items (
                                                 kiln_conversion_get_attempts_model (conversion))));
      g_ptr_array_add (cells, cpp >= 0 ? kiln_format_duration (cpp) : g_strdup ("—"));
      g_ptr_array_add (cells, kiln_conversion_get_verified (conversion)
                                ? kiln_format_speedup (kiln_conversion_get_speedup (conversion),
                                                       lower_bound)
                                : g_strdup ("—"));
      g_ptr_array_add (cells, cost >= 0 ? kiln_format_cost (cost) : g_strdup ("—"));
      g_ptr_array_add (cells, kiln_format_duration (kiln_conversion_get_seconds (conversion)));
    }

  for (guint i = 0; i < cells->len; i++)
    widths[i % N_COLUMNS] = MAX (widths[i % N_COLUMNS], cell_width (cells->pdata[i]));

  for (guint i = 0; i < cells->len; i++)
    {
      guint c = i % N_COLUMNS;

      fputs (cells->pdata[i], stdout);
      if (c + 1 < N_COLUMNS)
        for (glong pad = cell_width (cells->pdata[i]); pad < widths[c] + 2; pad++)
          fputc (' ', stdout);
      else
        fputc ('\n', stdout);
    }

  if (python_seconds >= 0)
    {
      g_autofree char *seconds = kiln_format_duration (python_seconds);

      /* Translators: %s is how long the original program took, e.g. "1.52 s" */
      g_print (_("Original program: %s\n"), seconds);
    }
}

int
kiln_cli_compare_models (const KilnCliOptions *options,
                         const char           *path,
                         KilnRunConfig        *config,
                         GBytes               *input)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(KilnKeyStore) keys = kiln_key_store_new (TRUE);
  g_autoptr(KilnModelRegistry) registry = kiln_model_registry_new (keys);
  g_autoptr(KilnSession) session = NULL;
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *input_text = NULL;
  KilnCliWaiter waiter = { loop, NULL, cancellable };
  GListModel *conversions;
  GPtrArray *errors;
  KilnLanguage language;
  double python_seconds = -1;
  gboolean all_verified = TRUE;
  guint sigint, sigterm;

  if (options->model_ids == NULL || options->model_ids[0] == NULL)
    {
      g_printerr ("kiln-cli: %s\n", _("compare-models needs --model ID, once per model "
                                      "(kiln-cli models lists them)."));
      return EXIT_USAGE;
    }
  for (guint i = 0; options->model_ids[i] != NULL; i++)
    for (guint j = 0; j < i; j++)
      if (g_str_equal (options->model_ids[i], options->model_ids[j]))
        {
          g_printerr (_("kiln-cli: --model %s is given twice.\n"), options->model_ids[i]);
          return EXIT_USAGE;
        }
  if (!kiln_language_from_path (path, &language))
    {
      g_printerr (_("kiln-cli: “%s” is neither Python (.py) nor C++ (.cpp, .cc, .cxx).\n"),
                  path);
      return EXIT_USAGE;
    }
  if (!g_file_get_contents (path, &source, NULL, &error))
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (input != NULL)
    input_text = g_strndup (g_bytes_get_data (input, NULL), g_bytes_get_size (input));

  if (options->models_file != NULL)
    kiln_model_registry_set_override_file (registry, options->models_file);
  kiln_model_registry_load_async (registry, cancellable, kiln_cli_waiter_cb, &waiter);
  if (!kiln_model_registry_load_finish (registry, kiln_cli_waiter_wait (&waiter), &error))
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      g_clear_object (&waiter.result);
      return EXIT_FAILED;
    }
  g_clear_object (&waiter.result);
  errors = kiln_model_registry_get_errors (registry);
  for (guint i = 0; errors != NULL && i < errors->len; i++)
    g_printerr ("kiln-cli: %s\n", ((GError *) g_ptr_array_index (errors, i))->message);
  /* Every id is checked before any model is asked. */
  for (guint i = 0; options->model_ids[i] != NULL; i++)
    {
      KilnModel *model = kiln_model_registry_lookup (registry, options->model_ids[i], &error);

      if (model == NULL)
        {
          g_printerr ("kiln-cli: %s\n", error->message);
          return EXIT_USAGE;
        }
      g_ptr_array_add (models, model);
    }

  /* GLib 2.74 registers static resources lazily, and a thread that asks for one while
   * another registers them can find none. The conversions read their prompts from worker
   * threads all at once, so the resources are registered here, on this thread, first. */
  g_resources_get_info ("/", G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL);

  session = kiln_session_new (config, keys);
  if (options->cache_dir != NULL)
    kiln_toolchain_set_cache_dir (kiln_session_get_toolchain (session), options->cache_dir);
  kiln_session_set_program (session, language, source, input_text);
  kiln_session_set_hidden_cases (session, options->hidden_cases);
  g_signal_connect (session, "conversion-finished", G_CALLBACK (conversion_finished_cb), NULL);

  sigint = g_unix_signal_add (SIGINT, on_interrupt, session);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, session);

  for (guint i = 0; i < models->len; i++)
    {
      KilnConversion *conversion = kiln_session_convert (session, g_ptr_array_index (models, i));

      g_signal_connect (conversion, "attempt-started", G_CALLBACK (attempt_started_cb), NULL);
      g_signal_connect (conversion, "retrying", G_CALLBACK (retrying_cb), NULL);
    }

  kiln_session_wait_async (session, NULL, kiln_cli_waiter_cb, &waiter);
  kiln_session_wait_finish (session, kiln_cli_waiter_wait (&waiter), NULL);
  g_clear_object (&waiter.result);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  /* Whatever came of it, every model's last code is kept: nothing generated is lost. */
  conversions = kiln_session_get_conversions (session);
  for (guint i = 0; i < g_list_model_get_n_items (conversions); i++)
    {
      g_autoptr(KilnConversion) conversion = g_list_model_get_item (conversions, i);
      const char *code = kiln_conversion_get_code (conversion);
      g_autofree char *output = NULL;
      g_autoptr(GError) write_error = NULL;

      if (!kiln_conversion_get_verified (conversion))
        all_verified = FALSE;
      if (python_seconds < 0)
        python_seconds = kiln_conversion_get_python_seconds (conversion);
      if (*code == '\0')
        continue;

      output = output_path_for (path, kiln_conversion_get_model_id (conversion));
      if (!g_file_set_contents (output, code, -1, &write_error))
        {
          g_printerr ("kiln-cli: %s\n", write_error->message);
          all_verified = FALSE;
          continue;
        }
      g_printerr (_("Wrote %s\n"), output);
      g_hash_table_insert (files, g_strdup (kiln_conversion_get_model_id (conversion)),
                           g_steal_pointer (&output));
    }

  if (options->json)
    {
      g_autoptr(JsonNode) root = kiln_leaderboard_to_json (conversions, path, python_seconds,
                                                           files);
      /* Valid JSON whatever the models wrote (see kiln-json-write.h). */
      g_autofree char *text = kiln_json_to_string (root, TRUE);

      g_print ("%s\n", text);
    }
  else if (options->csv)
    {
      g_autofree char *text = kiln_leaderboard_to_csv (conversions, files);

      fputs (text, stdout);
    }
  else if (options->markdown)
    {
      g_autofree char *text = kiln_leaderboard_to_markdown (conversions);

      fputs (text, stdout);
    }
  else
    {
      sorted = kiln_leaderboard_sort (conversions);
      print_table (sorted, python_seconds);
    }
  fflush (stdout);

  return all_verified ? EXIT_SUCCESS : EXIT_FAILED;
}

/* kiln-cli-optimize.c: `kiln-cli optimize`
 *
 *   kiln-cli optimize FILE --model ID [--rounds N] [--samples K] [--no-flag-search]
 *                          [--allow-fast-math] [-o OUT] [--stdin FILE ...] [--json]
 *
 * A .py FILE is converted first (as `convert --run` does); a .cpp FILE is the original and the
 * starting program at once. Then optimize rounds ask the model for faster C++, every candidate
 * verified on every input case and timed, the fastest verified one kept; then the compiler
 * flag sets are tried on it (kiln-flag-sets.h). The best program is written to OUT (default:
 * FILE's stem + .fast.cpp) each time a better one is found, so a later round that fails
 * loses nothing. One line per candidate and a final line, or one JSON object with --json
 * (docs/cli.md). Exit status 0 when a verified best exists.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "kiln-cli.h"
#include "kiln-core.h"
#include "kiln-conversion.h"
#include "kiln-optimizer.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

static int      opt_rounds = -1;
static int      opt_samples;
static gboolean opt_no_flag_search;
static gboolean opt_allow_fast_math;

static const GOptionEntry optimize_entries[] = {
  { "rounds", 0, 0, G_OPTION_ARG_INT, &opt_rounds,
    N_("optimize: ask the model for a faster program at most N times (default 3; 0: only "
       "the compiler options)"), "N" },
  { "samples", 0, 0, G_OPTION_ARG_INT, &opt_samples,
    N_("optimize: candidates per round, at different temperatures (default 1)"), "K" },
  { "no-flag-search", 0, 0, G_OPTION_ARG_NONE, &opt_no_flag_search,
    N_("optimize: do not try other compiler options after the rounds"), NULL },
  { "allow-fast-math", 0, 0, G_OPTION_ARG_NONE, &opt_allow_fast_math,
    N_("optimize: also try -ffast-math (kept only when the output still matches)"), NULL },
  { NULL }
};

GOptionGroup *
kiln_cli_optimize_option_group (void)
{
  GOptionGroup *group = g_option_group_new ("optimize", _("Options of optimize:"),
                                            _("Show the options of optimize"), NULL, NULL);

  g_option_group_add_entries (group, optimize_entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  return group;
}

typedef struct
{
  const char *output;
  gboolean    json;
  GError     *write_error;
  gboolean    written;
} Progress;

static char *
default_output (const char *path)
{
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, '/');
  g_autofree char *stem = (dot != NULL && (slash == NULL || dot > slash))
                            ? g_strndup (path, dot - path) : g_strdup (path);

  return g_strconcat (stem, ".fast.cpp", NULL);
}

static void
candidate_finished_cb (KilnOptimizer         *optimizer,
                       KilnOptimizeCandidate *candidate,
                       Progress              *progress)
{
  FILE *out = progress->json ? stderr : stdout;
  g_autofree char *seconds = candidate->cpp_seconds >= 0
                               ? kiln_format_duration (candidate->cpp_seconds) : NULL;
  GString *line = g_string_new (NULL);

  if (candidate->round == 0)
    g_string_append (line, _("Start"));
  else if (candidate->compiler != NULL)
    /* Translators: the number of a try with other compiler options */
    g_string_append_printf (line, _("Compiler options %u"), candidate->index);
  else
    /* Translators: a round number, then the candidate's number within it */
    g_string_append_printf (line, _("Round %u, candidate %u"), candidate->round,
                            candidate->index);
  g_string_append_printf (line, ": %s", candidate->verdict_text);
  if (seconds != NULL && kiln_optimize_candidate_get_verified (candidate))
    {
      g_string_append_printf (line, ", %s", seconds);
      if (candidate->speedup > 0)
        {
          g_autofree char *speedup = kiln_format_speedup (candidate->speedup, FALSE);

          /* Translators: a speedup such as "×34.2" over the original program */
          g_string_append_printf (line, _(" (%s over the original)"), speedup);
        }
    }
  if (candidate->summary != NULL && *candidate->summary != '\0')
    g_string_append_printf (line, " — %s", candidate->summary);
  if (candidate->error_message != NULL && !kiln_optimize_candidate_get_verified (candidate))
    g_string_append_printf (line, "\n  %s", candidate->error_message);

  fprintf (out, "%s\n", line->str);
  fflush (out);
  g_string_free (line, TRUE);
}

/* The best so far goes to the file at once: a later round that fails loses nothing. */
static void
best_changed_cb (KilnOptimizer *optimizer,
                 GParamSpec    *pspec,
                 Progress      *progress)
{
  KilnOptimizeCandidate *best = kiln_optimizer_get_best (optimizer);

  if (best == NULL)
    return;
  g_clear_error (&progress->write_error);
  if (g_file_set_contents (progress->output, best->code, -1, &progress->write_error))
    progress->written = TRUE;
  else
    g_printerr ("kiln-cli: %s\n", progress->write_error->message);
}

static KilnModel *
find_model (const KilnCliOptions *options,
            GCancellable         *cancellable,
            KilnCliWaiter        *waiter,
            char                **key,
            GError              **error)
{
  g_autoptr(KilnKeyStore) keys = kiln_key_store_new (TRUE);
  g_autoptr(KilnModelRegistry) registry = kiln_model_registry_new (keys);
  g_autoptr(KilnModel) model = NULL;
  GPtrArray *errors;
  gboolean loaded;

  if (options->models_file != NULL)
    kiln_model_registry_set_override_file (registry, options->models_file);
  kiln_model_registry_load_async (registry, cancellable, kiln_cli_waiter_cb, waiter);
  loaded = kiln_model_registry_load_finish (registry, kiln_cli_waiter_wait (waiter), error);
  g_clear_object (&waiter->result);
  if (!loaded)
    return NULL;
  errors = kiln_model_registry_get_errors (registry);
  for (guint i = 0; errors != NULL && i < errors->len; i++)
    g_printerr ("kiln-cli: %s\n", ((GError *) g_ptr_array_index (errors, i))->message);
  if (!(model = kiln_model_registry_lookup (registry, options->model_id, error)))
    return NULL;

  kiln_key_store_lookup_for_model_async (keys, model, cancellable, kiln_cli_waiter_cb, waiter);
  *key = kiln_key_store_lookup_for_model_finish (keys, kiln_cli_waiter_wait (waiter), NULL,
                                                 error);
  g_clear_object (&waiter->result);
  if (error != NULL && *error != NULL)
    return NULL;

  return g_steal_pointer (&model);
}

/* Converts the Python original first, verified as `convert --run` does. */
static char *
convert_first (KilnProgram   *program,
               KilnModel     *model,
               const char    *key,
               KilnRunConfig *config,
               GCancellable  *cancellable,
               KilnCliWaiter *waiter,
               GPtrArray    **messages,
               GError       **error)
{
  const char *shown = kiln_program_get_case (program, 0);
  g_autoptr(GBytes) input = g_bytes_new (shown, strlen (shown));
  g_autoptr(KilnConversion) conversion = NULL;
  gboolean ok;

  conversion = kiln_conversion_new (kiln_program_get_toolchain (program), model, key,
                                    KILN_LANGUAGE_PYTHON, kiln_program_get_source (program),
                                    input);
  kiln_conversion_apply_config (conversion, config);
  kiln_conversion_set_program (conversion, program);
  kiln_conversion_set_verify (conversion, TRUE, TRUE);

  kiln_conversion_run_async (conversion, cancellable, kiln_cli_waiter_cb, waiter);
  ok = kiln_conversion_run_finish (conversion, kiln_cli_waiter_wait (waiter), error);
  g_clear_object (&waiter->result);
  {
    g_autofree char *verdict = kiln_conversion_dup_verdict_text (conversion);

    /* Translators: what came of converting the Python program first */
    g_printerr (_("Conversion: %s\n"), verdict);
  }
  if (!ok)
    return NULL;
  if (!kiln_conversion_get_verified (conversion))
    {
      g_autofree char *verdict = kiln_conversion_dup_verdict_text (conversion);

      g_set_error (error, KILN_ERROR, KILN_ERROR_FAILED,
                   _("The conversion was not verified (%s): there is nothing to make faster."),
                   verdict);
      return NULL;
    }
  /* The rounds continue this chat: the model knows what it wrote and why. */
  *messages = kiln_conversion_dup_messages (conversion);
  return g_strdup (kiln_conversion_get_code (conversion));
}

int
kiln_cli_optimize (const KilnCliOptions *options,
                   const char           *path,
                   KilnRunConfig        *config,
                   const char * const   *cases)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnToolchain) toolchain = NULL;
  g_autoptr(KilnProgram) program = NULL;
  g_autoptr(KilnOptimizer) optimizer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *output = NULL;
  g_autofree char *start = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  KilnCliWaiter waiter = { loop, NULL, cancellable };
  Progress progress = { 0 };
  KilnOptimizeCandidate *best;
  KilnLanguage language;
  char *key = NULL;
  gboolean ok;

  if (options->model_id == NULL)
    {
      g_printerr ("kiln-cli: %s\n", _("optimize needs --model ID (kiln-cli models lists them)."));
      return EXIT_USAGE;
    }
  if (opt_rounds > 100 || opt_samples < 0 || opt_samples > 16)
    {
      g_printerr ("kiln-cli: %s\n", _("--rounds takes a number from 0 to 100 and --samples one "
                                      "from 1 to 16."));
      return EXIT_USAGE;
    }
  if (!kiln_language_from_path (path, &language))
    {
      g_printerr (_("kiln-cli: “%s” is neither Python (.py) nor C++ (.cpp, .cc, .cxx).\n"), path);
      return EXIT_USAGE;
    }
  if (!g_file_get_contents (path, &source, NULL, &error))
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      return EXIT_USAGE;
    }
  output = options->output_path != NULL ? g_strdup (options->output_path)
                                        : default_output (path);

  g_unix_signal_add (SIGINT, kiln_cli_on_interrupt, cancellable);
  g_unix_signal_add (SIGTERM, kiln_cli_on_interrupt, cancellable);

  if (!(model = find_model (options, cancellable, &waiter, &key, &error)))
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      kiln_key_free (key);
      return EXIT_FAILED;
    }

  toolchain = kiln_cli_new_toolchain (config, options->cache_dir);
  program = kiln_program_new (toolchain, language, source, cases);
  kiln_program_apply_config (program, config);

  if (language == KILN_LANGUAGE_PYTHON)
    start = convert_first (program, model, key, config, cancellable, &waiter, &messages, &error);
  else
    start = g_strdup (source);
  if (start == NULL)
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      kiln_key_free (key);
      if (options->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;
          g_autofree char *text = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "ok");
          json_builder_add_boolean_value (builder, FALSE);
          json_builder_set_member_name (builder, "rounds");
          json_builder_begin_array (builder);
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "best");
          json_builder_add_null_value (builder);
          kiln_json_builder_add_text (builder, "error", error->message);
          json_builder_end_object (builder);
          root = json_builder_get_root (builder);
          text = kiln_json_to_string (root, TRUE);
          g_print ("%s\n", text);
        }
      return EXIT_FAILED;
    }

  optimizer = kiln_optimizer_new (program, model, key, NULL, start, messages);
  kiln_key_free (key);
  if (opt_rounds >= 0)
    kiln_optimizer_set_rounds (optimizer, opt_rounds);
  if (opt_samples > 0)
    kiln_optimizer_set_samples (optimizer, opt_samples);
  kiln_optimizer_set_search_flags (optimizer, !opt_no_flag_search);
  kiln_optimizer_set_allow_fast_math (optimizer, opt_allow_fast_math);
  kiln_optimizer_set_idle_timeout (optimizer, kiln_run_config_get_idle_timeout (config));

  progress.output = output;
  progress.json = options->json;
  g_signal_connect (optimizer, "candidate-finished", G_CALLBACK (candidate_finished_cb),
                    &progress);
  g_signal_connect (optimizer, "notify::best", G_CALLBACK (best_changed_cb), &progress);

  kiln_optimizer_run_async (optimizer, cancellable, kiln_cli_waiter_cb, &waiter);
  ok = kiln_optimizer_run_finish (optimizer, kiln_cli_waiter_wait (&waiter), &error);
  g_clear_object (&waiter.result);

  best = kiln_optimizer_get_best (optimizer);
  if (options->json)
    {
      g_autoptr(JsonNode) root = kiln_optimizer_to_json (optimizer,
                                                         progress.written ? output : NULL);
      g_autofree char *text = NULL;

      if (error != NULL || progress.write_error != NULL)
        {
          JsonObject *object = json_node_get_object (root);

          json_object_set_string_member (object, "error", error != NULL
                                                            ? error->message
                                                            : progress.write_error->message);
        }
      text = kiln_json_to_string (root, TRUE);
      g_print ("%s\n", text);
    }
  else if (best != NULL)
    {
      g_autofree char *seconds = kiln_format_duration (best->cpp_seconds);
      g_autofree char *speedup = best->speedup > 0 ? kiln_format_speedup (best->speedup, FALSE)
                                                   : g_strdup ("–");
      g_autofree char *flags = g_strdup_printf ("%s%s%s%s",
                                                best->compiler != NULL ? best->compiler : "",
                                                best->compiler != NULL ? " " : "",
                                                best->flags != NULL ? best->flags : "",
                                                best->pgo ? " -fprofile-use" : "");

      /* Translators: round number, time, speedup ("×34.2"), compiler flags, file name */
      g_print (_("Best: round %u, %s, %s over the original, built with %s; written to %s\n"),
               best->round, seconds, speedup, flags, output);
      if (kiln_optimizer_get_stop_reason (optimizer) != NULL)
        g_print ("%s\n", kiln_optimizer_get_stop_reason (optimizer));
    }

  if (error != NULL)
    g_printerr ("kiln-cli: %s\n", error->message);

  return ok && best != NULL && progress.written && progress.write_error == NULL
           ? EXIT_SUCCESS : EXIT_FAILED;
}

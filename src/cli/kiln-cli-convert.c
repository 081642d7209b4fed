/* kiln-cli-convert.c: `kiln-cli convert`
 *
 *   kiln-cli convert FILE --model ID [--models FILE] [-o OUT] [--stdin FILE] [--run]
 *                         [--max-attempts N] [--json]
 *
 * The run configuration (limits, timing patterns, attempts, idle timeout) comes from the
 * command line through the same KilnRunConfig as every other command's.
 * The answer streams to stderr as progress; the final code goes to OUT (default: FILE with
 * .cpp, or .opt.cpp for C++ input). Exit status 0 only when the final code compiled and,
 * with --run, its output matched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "kiln-cli.h"
#include "kiln-core.h"
#include "kiln-conversion.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

static void
answer_delta_cb (KilnConversion *conversion,
                 const char     *delta,
                 gpointer        user_data)
{
  fputs (delta, stderr);
}

static void
attempt_started_cb (KilnConversion *conversion,
                    KilnAttempt    *attempt,
                    gpointer        user_data)
{
  guint max = kiln_conversion_get_max_attempts (conversion);

  switch (attempt->repairing)
    {
    case KILN_ATTEMPT_COMPILE_ERROR:
    case KILN_ATTEMPT_NO_CODE:
      g_printerr (_("\n== Attempt %u of %u: fixing a compile error ==\n"), attempt->number, max);
      break;
    case KILN_ATTEMPT_RUNTIME_ERROR:
      g_printerr (_("\n== Attempt %u of %u: fixing a crash ==\n"), attempt->number, max);
      break;
    case KILN_ATTEMPT_TIMEOUT:
      g_printerr (_("\n== Attempt %u of %u: fixing a timeout ==\n"), attempt->number, max);
      break;
    case KILN_ATTEMPT_OUTPUT_DIFFERS:
      g_printerr (_("\n== Attempt %u of %u: fixing an output difference ==\n"),
                  attempt->number, max);
      break;
    case KILN_ATTEMPT_OK:
    case KILN_ATTEMPT_STREAM_FAILED:
    default:
      g_printerr (_("== Attempt %u of %u ==\n"), attempt->number, max);
      break;
    }
}

static void
attempt_finished_cb (KilnConversion *conversion,
                     KilnAttempt    *attempt,
                     gpointer        user_data)
{
  g_printerr ("\n");
  if (attempt->reason == KILN_ATTEMPT_OK && attempt->comparison != NULL)
    g_printerr (_("== Outputs match ==\n"));
  else if (attempt->reason == KILN_ATTEMPT_OUTPUT_DIFFERS)
    g_printerr (_("== Outputs differ at line %u ==\n"), attempt->comparison->diff->line);
  else if (attempt->cpp != NULL && attempt->cpp->error != NULL)
    g_printerr ("== %s ==\n", attempt->cpp->error->message);
}

static char *
default_output (const char   *path,
                KilnLanguage  language)
{
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, '/');
  g_autofree char *stem = (dot != NULL && (slash == NULL || dot > slash))
                            ? g_strndup (path, dot - path) : g_strdup (path);

  return g_strconcat (stem, language == KILN_LANGUAGE_PYTHON ? ".cpp" : ".opt.cpp", NULL);
}

int
kiln_cli_convert (const KilnCliOptions *options,
                  const char           *path,
                  KilnRunConfig        *config,
                  GBytes               *input)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(KilnKeyStore) keys = kiln_key_store_new (TRUE);
  g_autoptr(KilnModelRegistry) registry = kiln_model_registry_new (keys);
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnConversion) conversion = NULL;
  g_autoptr(KilnToolchain) toolchain = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) write_error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *output = NULL;
  KilnAttempt *last;
  KilnLanguage language;
  KilnCliWaiter waiter = { loop, NULL, cancellable };
  GPtrArray *errors;
  char *key;
  gboolean ok;

  if (options->model_id == NULL)
    {
      g_printerr ("kiln-cli: %s\n", _("convert needs --model ID (kiln-cli models lists them)."));
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
                                        : default_output (path, language);

  g_unix_signal_add (SIGINT, kiln_cli_on_interrupt, cancellable);
  g_unix_signal_add (SIGTERM, kiln_cli_on_interrupt, cancellable);

  if (options->models_file != NULL)
    kiln_model_registry_set_override_file (registry, options->models_file);
  kiln_model_registry_load_async (registry, cancellable, kiln_cli_waiter_cb, &waiter);
  if (!kiln_model_registry_load_finish (registry, kiln_cli_waiter_wait (&waiter), &error))
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      g_clear_object (&waiter.result);
      return EXIT_FAILED;
    }
  errors = kiln_model_registry_get_errors (registry);
  for (guint i = 0; errors != NULL && i < errors->len; i++)
    g_printerr ("kiln-cli: %s\n", ((GError *) g_ptr_array_index (errors, i))->message);
  if (!(model = kiln_model_registry_lookup (registry, options->model_id, &error)))
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      g_clear_object (&waiter.result);
      return EXIT_FAILED;
    }

  kiln_key_store_lookup_for_model_async (keys, model, cancellable, kiln_cli_waiter_cb, &waiter);
  key = kiln_key_store_lookup_for_model_finish (keys, kiln_cli_waiter_wait (&waiter), NULL, &error);
  if (error != NULL)
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      g_clear_object (&waiter.result);
      return EXIT_FAILED;
    }

  toolchain = kiln_cli_new_toolchain (config, options->cache_dir);
  conversion = kiln_conversion_new (toolchain, model, key, language, source, input);
  kiln_key_free (key);
  kiln_conversion_apply_config (conversion, config);
  if (options->hidden_cases != NULL && options->hidden_cases[0] != NULL)
    {
      /* The shown input first, then the hidden ones. */
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) cases = NULL;
      g_autoptr(KilnProgram) program = NULL;
      g_autofree char *shown = input != NULL ? g_strndup (g_bytes_get_data (input, NULL),
                                                          g_bytes_get_size (input))
                                             : g_strdup ("");

      g_strv_builder_add (builder, shown);
      g_strv_builder_addv (builder, (const char **) options->hidden_cases);
      cases = g_strv_builder_end (builder);
      program = kiln_program_new (toolchain, language, source, (const char * const *) cases);
      kiln_program_apply_config (program, config);
      kiln_conversion_set_program (conversion, program);
    }
  /* Without --run the code is compiled, not run. */
  kiln_conversion_set_verify (conversion, TRUE, options->run);
  g_signal_connect (conversion, "answer-delta", G_CALLBACK (answer_delta_cb), NULL);
  g_signal_connect (conversion, "attempt-started", G_CALLBACK (attempt_started_cb), NULL);
  g_signal_connect (conversion, "attempt-finished", G_CALLBACK (attempt_finished_cb), NULL);

  kiln_conversion_run_async (conversion, cancellable, kiln_cli_waiter_cb, &waiter);
  ok = kiln_conversion_run_finish (conversion, kiln_cli_waiter_wait (&waiter), &error);
  g_clear_object (&waiter.result);

  /* Whatever came, the last code is kept: nothing generated is lost. */
  last = kiln_conversion_get_last_attempt (conversion);
  if (last != NULL && *last->code != '\0')
    {
      if (!g_file_set_contents (output, last->code, -1, &write_error))
        {
          g_printerr ("kiln-cli: %s\n", write_error->message);
          ok = FALSE;
        }
      else
        g_printerr (_("Wrote %s\n"), output);
    }

  if (options->json)
    {
      g_autoptr(JsonNode) root = kiln_conversion_to_json (conversion, output,
                                                          error ? error : write_error);
      /* Valid JSON whatever the model or the programs wrote (see kiln-json-write.h). */
      g_autofree char *text = kiln_json_to_string (root, TRUE);

      g_print ("%s\n", text);
    }

  if (error != NULL)
    g_printerr ("kiln-cli: %s\n", error->message);

  return ok && write_error == NULL ? EXIT_SUCCESS : EXIT_FAILED;
}

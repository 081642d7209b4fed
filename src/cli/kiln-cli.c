/* kiln-cli.c: Kiln without a window, for scripts, tests and benchmarks
 *
 *   kiln-cli run FILE [--stdin FILE] [--repeat N] [--timeout SECONDS] [--json]
 *   kiln-cli compare PYFILE CPPFILE [--stdin FILE] [--repeat N] [--timeout SECONDS] [--json]
 *   kiln-cli models [--models FILE] [--json]
 *   kiln-cli ask --model ID [--models FILE] [--system FILE] [PROMPTFILE|-]
 *   kiln-cli convert FILE --model ID [--models FILE] [-o OUT] [--stdin FILE] [--run]
 *                    [--max-attempts N] [--json]
 *   kiln-cli compare-models FILE --model ID [--model ID ...] [--models FILE] [--stdin FILE]
 *                           [--max-attempts N] [--json | --csv | --markdown]
 *   kiln-cli optimize FILE --model ID [--rounds N] [--samples K] [--no-flag-search]
 *                     [--allow-fast-math] [-o OUT] [--stdin FILE] [--json]
 *
 * run, compare, convert and compare-models take their run configuration (--timeout,
 * --repeat, --python, --compiler, --flags, --no-sandbox, --timing-pattern, --max-attempts,
 * --idle-timeout) through one KilnRunConfig, built by new_run_config() as the window builds
 * its own from the settings, so both reach the same verdicts.
 *
 * The JSON printed with --json is a stable contract: scripts depend on it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "kiln-cli.h"
#include "kiln-core.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

typedef struct
{
  GMainLoop     *loop;
  KilnRunConfig *config;
  KilnToolchain *toolchain;
  GCancellable  *cancellable;
  KilnRunResult *results[2];
  guint          pending;
} Cli;

static void
cli_clear (Cli *cli)
{
  g_clear_pointer (&cli->results[0], kiln_run_result_unref);
  g_clear_pointer (&cli->results[1], kiln_run_result_unref);
  g_clear_object (&cli->toolchain);
  g_clear_object (&cli->config);
  g_clear_object (&cli->cancellable);
  g_clear_pointer (&cli->loop, g_main_loop_unref);
}

/* Every return of main() frees it, usage errors included. */
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cli, cli_clear)

static char   **opt_stdin;
static double   opt_tolerance;
static double   opt_cpp_timeout;
static int      opt_derive_cases;
static int      opt_repeat;
static double   opt_timeout;
static gboolean opt_json;
static char    *opt_python;
static char    *opt_compiler;
static char    *opt_flags;
static char    *opt_cache_dir;
static gboolean opt_no_sandbox;
static char    *opt_models;
static char   **opt_model_ids;
static char    *opt_system;
static double   opt_idle_timeout;
static char    *opt_output;
static gboolean opt_run;
static int      opt_max_attempts;
static char   **opt_timing_patterns;
static gboolean opt_csv;
static gboolean opt_markdown;

static const GOptionEntry entries[] = {
  { "stdin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_stdin,
    N_("Give the contents of FILE to the program on standard input; repeat it for more input "
       "cases (the first is shown to the model, the others are hidden from it)"), N_("FILE") },
  { "derive-cases", 0, 0, G_OPTION_ARG_INT, &opt_derive_cases,
    N_("Also check on up to N hidden inputs derived from the first (lines shuffled, dropped, "
       "repeated, numbers changed) on which the original runs cleanly"), "N" },
  { "tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &opt_tolerance,
    N_("Let numbers in the outputs differ by this relative amount (e.g. 1e-9); reported as "
       "its own verdict"), N_("REL") },
  { "cpp-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_cpp_timeout,
    N_("Stop a C++ run after SECONDS (default: twice the original's time, at least 10 s)"),
    N_("SECONDS") },
  { "repeat", 0, 0, G_OPTION_ARG_INT, &opt_repeat,
    N_("Run the program N times for timing (C++: fewer only past a 20 s budget)"), "N" },
  { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_timeout,
    N_("Stop a run of the original after SECONDS (default 600)"), N_("SECONDS") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
    N_("Print one JSON object on standard output"), NULL },
  { "python", 0, 0, G_OPTION_ARG_STRING, &opt_python,
    N_("Python interpreter to use (default: python3 from PATH)"), N_("COMMAND") },
  { "compiler", 0, 0, G_OPTION_ARG_STRING, &opt_compiler,
    N_("C++ compiler to use (default: g++, else clang++)"), N_("COMMAND") },
  { "flags", 0, 0, G_OPTION_ARG_STRING, &opt_flags,
    N_("C++ compiler flags, shell-quoted"), N_("FLAGS") },
  { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_cache_dir,
    N_("Folder for compiled binaries (default: the user cache folder)"), N_("DIR") },
  { "no-sandbox", 0, 0, G_OPTION_ARG_NONE, &opt_no_sandbox,
    N_("Run programs without the sandbox (resource limits only)"), NULL },
  { "models", 0, 0, G_OPTION_ARG_FILENAME, &opt_models,
    N_("Use only the models in FILE (default: built-in and ~/.config/kiln/models.json)"),
    N_("FILE") },
  { "model", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_model_ids,
    N_("The model to ask (an id from kiln-cli models); compare-models: repeat it per model"),
    N_("ID") },
  { "system", 0, 0, G_OPTION_ARG_FILENAME, &opt_system,
    N_("Send the contents of FILE as the system prompt"), N_("FILE") },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    N_("convert: write the C++ to FILE (default: next to the source)"), N_("FILE") },
  { "run", 0, 0, G_OPTION_ARG_NONE, &opt_run,
    N_("convert: also run both programs, compare, and repair until they match"), NULL },
  { "max-attempts", 0, 0, G_OPTION_ARG_INT, &opt_max_attempts,
    N_("convert, compare-models: ask each model at most N times (default 3)"), "N" },
  { "idle-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_idle_timeout,
    N_("Give up on a model that sends nothing for SECONDS (default 60)"), N_("SECONDS") },
  { "timing-pattern", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_timing_patterns,
    N_("Ignore output lines matching REGEX when comparing (repeatable; replaces the "
       "default timing patterns)"), N_("REGEX") },
  { "csv", 0, 0, G_OPTION_ARG_NONE, &opt_csv,
    N_("compare-models: print the leaderboard as CSV"), NULL },
  { "markdown", 0, 0, G_OPTION_ARG_NONE, &opt_markdown,
    N_("compare-models: print the leaderboard as a Markdown table"), NULL },
  { NULL }
};

/* kiln_json_to_string(), not JsonGenerator: program output may hold any byte, and the
 * JSON printed must still parse (json-glib 1.6 leaves U+001F and invalid UTF-8 raw). */
static void
print_json (JsonNode *owned_node)
{
  g_autoptr(JsonNode) node = owned_node;
  g_autofree char *text = kiln_json_to_string (node, TRUE);

  g_print ("%s\n", text);
}

static void
print_run_report (KilnRunResult *result,
                  FILE          *out)
{
  const char *title = kiln_language_get_title (result->language);
  double median, min, max;

  if (result->compile != NULL)
    {
      g_autofree char *command = g_strjoinv (" ", result->compile->command);
      g_autofree char *seconds = kiln_format_duration (result->compile->seconds);

      if (result->compile->cached)
        fprintf (out, _("%s: compiled earlier in %s (binary from the cache)\n"), title, seconds);
      else if (result->compile->ok)
        fprintf (out, _("%s: compiled in %s\n"), title, seconds);
      else
        fprintf (out, _("%s: compilation failed after %s\n"), title, seconds);
      fprintf (out, "  $ %s\n", command);
      for (guint i = 0; i < result->compile->diagnostics->len; i++)
        {
          const KilnDiagnostic *d = g_ptr_array_index (result->compile->diagnostics, i);

          if (d->line > 0)
            fprintf (out, "  %s:%u:%u: %s: %s\n", d->file, d->line, d->column,
                     kiln_severity_to_string (d->severity), d->message);
          else
            fprintf (out, "  %s: %s\n", kiln_severity_to_string (d->severity), d->message);
        }
    }

  if (kiln_run_result_get_wall (result, &median, &min, &max))
    {
      const KilnRunStats *run = kiln_run_result_get_median_run (result);
      g_autofree char *wall = kiln_format_duration (median);
      g_autofree char *lo = kiln_format_duration (min);
      g_autofree char *hi = kiln_format_duration (max);
      g_autofree char *cpu = kiln_format_duration (run->user_seconds + run->sys_seconds);
      g_autofree char *rss = kiln_format_kib (run->max_rss_kib);

      if (result->runs->len > 1)
        fprintf (out, g_dngettext (GETTEXT_PACKAGE,
                                   "%s: %u run, median %s (min %s, max %s), CPU %s, peak memory %s\n",
                                   "%s: %u runs, median %s (min %s, max %s), CPU %s, peak memory %s\n",
                                   result->runs->len),
                 title, result->runs->len, wall, lo, hi, cpu, rss);
      else
        fprintf (out, _("%s: ran in %s, CPU %s, peak memory %s\n"), title, wall, cpu, rss);
    }

  if (result->ok)
    fprintf (out, _("%s: exited with status 0\n"), title);
  else if (result->error != NULL)
    fprintf (out, _("%s: %s\n"), title, result->error->message);
}

/* Every --stdin file, in order; NULL when there is none (or on error). */
static char **
read_cases (GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (opt_stdin == NULL || opt_stdin[0] == NULL)
    return NULL;

  for (guint i = 0; opt_stdin[i] != NULL; i++)
    {
      g_autofree char *contents = NULL;

      if (!g_file_get_contents (opt_stdin[i], &contents, NULL, error))
        return NULL;
      g_strv_builder_add (builder, contents);
    }

  return g_strv_builder_end (builder);
}

/* --derive-cases: the cases given, and as many derived ones as the original accepts. */
static char **
derive_cases (KilnToolchain *toolchain,
              KilnRunConfig *config,
              KilnLanguage   language,
              const char    *source,
              char         **cases,
              GCancellable  *cancellable)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(KilnProgram) program = NULL;
  g_autoptr(GPtrArray) derived = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  KilnCliWaiter waiter = { loop, NULL, cancellable };

  if (opt_derive_cases <= 0 || cases == NULL || *cases[0] == '\0')
    return cases;

  program = kiln_program_new (toolchain, language, source, (const char * const *) cases);
  kiln_program_apply_config (program, config);
  kiln_program_derive_cases_async (program, (guint) opt_derive_cases, 1, cancellable,
                                   kiln_cli_waiter_cb, &waiter);
  derived = kiln_program_derive_cases_finish (program, kiln_cli_waiter_wait (&waiter), NULL);
  g_clear_object (&waiter.result);

  g_strv_builder_addv (builder, (const char **) cases);
  for (guint i = 0; derived != NULL && i < derived->len; i++)
    {
      KilnDerivedCase *one = g_ptr_array_index (derived, i);

      g_printerr (_("Hidden input %u: %s\n"), g_strv_length (cases) + i + 1, one->description);
      g_strv_builder_add (builder, one->text);
    }
  g_strfreev (cases);
  return g_strv_builder_end (builder);
}

static char *
read_source (const char    *path,
             KilnLanguage  *language,
             GError       **error)
{
  char *contents = NULL;

  if (!kiln_language_from_path (path, language))
    {
      g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                   _("“%s” is neither Python (.py) nor C++ (.cpp, .cc, .cxx)."), path);
      return NULL;
    }

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;

  return contents;
}

/* The one place the command line becomes a run configuration. Options left out keep the
 * configuration's defaults, which are the settings' defaults. NULL and a message for a
 * person when a value is out of range or a timing pattern does not compile. */
static KilnRunConfig *
new_run_config (GError **error)
{
  g_autoptr(KilnRunConfig) config = kiln_run_config_new ();
  g_autoptr(KilnTimingMask) mask = NULL;

  if (opt_repeat < 0 || opt_repeat > 1000)
    {
      g_set_error_literal (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                           _("--repeat takes a number from 1 to 1000."));
      return NULL;
    }
  if (opt_timeout < 0 || (opt_timeout > 0 && opt_timeout < 0.001) || opt_timeout > 24 * 3600)
    {
      g_set_error_literal (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                           _("--timeout takes a positive number of seconds, at most 86400."));
      return NULL;
    }
  if (opt_cpp_timeout < 0 || (opt_cpp_timeout > 0 && opt_cpp_timeout < 0.001) ||
      opt_cpp_timeout > 24 * 3600)
    {
      g_set_error_literal (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                           _("--cpp-timeout takes a positive number of seconds, at most 86400."));
      return NULL;
    }
  if (opt_tolerance < 0 || opt_tolerance > 0.01)
    {
      g_set_error_literal (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                           _("--tolerance takes a relative tolerance from 0 to 0.01, for "
                             "example 1e-9."));
      return NULL;
    }
  if (opt_derive_cases < 0 || opt_derive_cases > 100)
    {
      g_set_error_literal (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                           _("--derive-cases takes a number from 0 to 100."));
      return NULL;
    }
  if (opt_max_attempts < 0 || opt_max_attempts > 100)
    {
      g_set_error_literal (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                           _("--max-attempts takes a number from 1 to 100."));
      return NULL;
    }
  if (opt_idle_timeout < 0 || (opt_idle_timeout > 0 && opt_idle_timeout < 0.1) ||
      opt_idle_timeout > 24 * 3600)
    {
      g_set_error_literal (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                           _("--idle-timeout takes a number of seconds from 0.1 to 86400."));
      return NULL;
    }

  if (opt_repeat > 0)
    g_object_set (config, "cpp-repeat", (guint) opt_repeat, "python-repeat", (guint) opt_repeat,
                  NULL);
  /* Messages name the options, not the window's Preferences. */
  g_object_set (config, "hints-for-cli", TRUE, NULL);
  if (opt_timeout > 0)
    g_object_set (config, "run-timeout", opt_timeout, NULL);
  if (opt_cpp_timeout > 0)
    g_object_set (config, "cpp-timeout", opt_cpp_timeout, NULL);
  if (opt_tolerance > 0)
    g_object_set (config, "tolerance", opt_tolerance, NULL);
  if (opt_python != NULL)
    g_object_set (config, "python-interpreter", opt_python, NULL);
  if (opt_compiler != NULL)
    g_object_set (config, "compiler", opt_compiler, NULL);
  if (opt_flags != NULL)
    g_object_set (config, "compiler-flags", opt_flags, NULL);
  if (opt_no_sandbox)
    g_object_set (config, "sandbox", FALSE, NULL);
  if (opt_max_attempts > 0)
    g_object_set (config, "max-attempts", (guint) opt_max_attempts, NULL);
  if (opt_idle_timeout > 0)
    g_object_set (config, "idle-timeout", opt_idle_timeout, NULL);
  if (opt_timing_patterns != NULL)
    g_object_set (config, "timing-patterns", opt_timing_patterns, NULL);

  /* A pattern that does not compile is said now, not found out after the runs. */
  if (!(mask = kiln_run_config_dup_timing_mask (config, error)))
    return NULL;

  return g_steal_pointer (&config);
}

KilnToolchain *
kiln_cli_new_toolchain (KilnRunConfig *config,
                        const char    *cache_dir)
{
  KilnToolchain *toolchain = kiln_toolchain_new ();
  static const struct {
    const char *config;
    const char *toolchain;
  } bound[] = {
    { "python-interpreter", "python" },
    { "compiler", "compiler" },
    { "compiler-flags", "flags" },
    { "sandbox", "sandbox" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bound); i++)
    g_object_bind_property (config, bound[i].config, toolchain, bound[i].toolchain,
                            G_BINDING_SYNC_CREATE);
  if (cache_dir != NULL)
    kiln_toolchain_set_cache_dir (toolchain, cache_dir);

  return toolchain;
}

typedef struct
{
  Cli  *cli;
  guint slot;
} Slot;

static void
slot_done_cb (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autofree Slot *slot = user_data;
  Cli *cli = slot->cli;
  g_autoptr(GError) error = NULL;

  cli->results[slot->slot] = kiln_toolchain_run_finish (KILN_TOOLCHAIN (object), res, &error);
  if (cli->results[slot->slot] == NULL)
    g_printerr ("kiln-cli: %s\n", error->message);

  if (--cli->pending == 0)
    g_main_loop_quit (cli->loop);
}

static void
start_run (Cli          *cli,
           guint         slot_index,
           KilnLanguage  language,
           const char   *source,
           GBytes       *input)
{
  Slot *slot = g_new0 (Slot, 1);
  KilnRunLimits limits;

  kiln_run_config_fill_limits (cli->config, language, &limits);
  slot->cli = cli;
  slot->slot = slot_index;
  cli->pending++;
  kiln_toolchain_run_async (cli->toolchain, language, source, input, &limits,
                            cli->cancellable, slot_done_cb, slot);
}

static gboolean
on_interrupt (gpointer user_data)
{
  Cli *cli = user_data;

  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

/* An empty GBytes has no data pointer, and fwrite() must not be given NULL. */
static void
write_bytes (GBytes *bytes,
             FILE   *stream)
{
  gsize size = 0;
  const void *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  if (size > 0)
    fwrite (data, 1, size, stream);
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("kiln-cli: %s\n\n%s", message, help);
  return EXIT_USAGE;
}

/* The first difference, with the characters that differ marked: 3.14159265[86] */
static char *
mark_difference (const char *line,
                 guint       column,
                 guint       end)
{
  g_autofree char *valid = NULL;
  const char *from, *to;

  if (line == NULL)
    return g_strdup (_("(no more output)"));

  valid = g_utf8_make_valid (line, -1);
  if (end <= column || column > (guint) g_utf8_strlen (valid, -1))
    return g_steal_pointer (&valid);
  from = g_utf8_offset_to_pointer (valid, column);
  to = g_utf8_offset_to_pointer (valid, MIN (end, (guint) g_utf8_strlen (valid, -1)));
  return g_strdup_printf ("%.*s[%.*s]%s", (int) (from - valid), valid, (int) (to - from), from,
                          to);
}

static void
print_figures (KilnVerification *verification)
{
  KilnComparison *comparison = verification->comparison;
  g_autofree char *speedup = NULL;

  if (comparison == NULL)
    return;

  if (!kiln_verification_verified (verification))
    {
      /* Measured, but a wrong program has no speedup. */
      g_print (_("No speedup: the C++ program is not verified.\n"));
      return;
    }

  speedup = kiln_comparison_dup_speedup_text (comparison);
  if (comparison->basis == KILN_SPEEDUP_BASIS_CPU)
    g_print (_("Speedup: %s (CPU time: both programs use one core)\n"), speedup);
  else
    g_print (_("Speedup: %s (wall time: the programs use more than one core)\n"), speedup);
  if (comparison->noisy)
    {
      g_autofree char *cpu = kiln_format_speedup (comparison->speedup_cpu, FALSE);

      g_print (_("The computer was busy: wall times are inflated. CPU-time speedup %s.\n"), cpu);
    }
  if (comparison->speedup_is_lower_bound)
    {
      g_autofree char *floor = kiln_format_duration (comparison->floor_seconds > 0
                                                     ? comparison->floor_seconds
                                                     : KILN_SPEEDUP_LOWER_BOUND_SECONDS);

      g_print (_("(The C++ program finishes about as fast as any program can start here "
                 "(%s): the real speedup is higher.)\n"), floor);
    }
}

/* kiln-cli compare: the original on every case, the C++ verified against it. */
static int
compare (Cli                *cli,
         const char         *python,
         const char         *cpp,
         const char * const *cases)
{
  g_autoptr(KilnProgram) program = NULL;
  g_autoptr(KilnVerification) verification = NULL;
  g_autoptr(GError) error = NULL;
  KilnCliWaiter waiter = { cli->loop, NULL, cli->cancellable };

  program = kiln_program_new (cli->toolchain, KILN_LANGUAGE_PYTHON, python, cases);
  kiln_program_apply_config (program, cli->config);
  kiln_program_verify_async (program, cpp, NULL, cli->cancellable, kiln_cli_waiter_cb, &waiter);
  verification = kiln_program_verify_finish (program, kiln_cli_waiter_wait (&waiter), &error);
  g_clear_object (&waiter.result);
  if (verification == NULL)
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      return EXIT_FAILED;
    }

  if (opt_json)
    {
      print_json (kiln_verification_to_json (verification));
      return kiln_verification_verified (verification) ? EXIT_SUCCESS : EXIT_FAILED;
    }

  if (verification->python != NULL)
    print_run_report (verification->python, stdout);
  if (verification->cpp != NULL)
    print_run_report (verification->cpp, stdout);
  else if (verification->compile != NULL && !verification->compile->ok)
    g_print ("%s", verification->compile->output);

  switch (verification->check)
    {
    case KILN_CHECK_MATCHED:
      if (verification->n_cases > 1)
        g_print (g_dngettext (GETTEXT_PACKAGE, "Outputs match on the %u input case.\n",
                              "Outputs match on all %u input cases.\n", verification->n_cases),
                 verification->n_cases);
      else
        g_print (_("Outputs match.\n"));
      break;
    case KILN_CHECK_MATCHED_WITHIN_TOLERANCE:
      g_print (_("Outputs match within %g (not exactly).\n"),
               verification->comparison->tolerance);
      break;
    case KILN_CHECK_OUTPUT_DIFFERS:
      {
        KilnComparison *where = verification->failed != NULL ? verification->failed
                                                             : verification->comparison;
        g_autofree char *expected = mark_difference (where->diff->reference, where->diff->column,
                                                     where->diff->reference_end);
        g_autofree char *actual = mark_difference (where->diff->candidate, where->diff->column,
                                                   where->diff->candidate_end);

        if (verification->failed_case > 1)
          g_print ("%s\n", verification->error->message);
        g_print (_("Outputs differ at line %u:\n  Python: %s\n  C++:    %s\n"),
                 where->diff->line, expected, actual);
      }
      break;
    case KILN_CHECK_HARD_CODED:
      g_print (_("Outputs match, but the C++ is not verified: %s\n"), verification->suspicious);
      break;
    default:
      g_print ("%s\n", verification->error != NULL ? verification->error->message : "");
      break;
    }
  print_figures (verification);

  return kiln_verification_verified (verification) ? EXIT_SUCCESS : EXIT_FAILED;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) input = NULL;
  g_auto(GStrv) cases = NULL;
  const char * const *hidden = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  const char *command;
  g_auto(Cli) cli = { 0 };
  KilnLanguage language;
  int status;

  setlocale (LC_ALL, "");
  kiln_core_init ();
  /* stdout carries program output and JSON; every log message goes to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("run FILE | compare PYFILE CPPFILE | models | "
                                    "ask [PROMPTFILE|-] | convert FILE | "
                                    "compare-models FILE --model ID… | optimize FILE --model ID"));
  g_option_context_set_summary (context,
                                _("Run Python and C++ programs, time them and compare their "
                                  "outputs, as Kiln’s window does."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, kiln_cli_optimize_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);

  if (argc < 2)
    return usage_error (context, _("Say what to do: run, compare, models, ask or convert; "
                                   "compare-models converts with several models, optimize "
                                   "makes a program faster."));
  command = argv[1];

  /* One --model for ask and convert; compare-models takes several. */
  if (opt_model_ids != NULL && opt_model_ids[0] != NULL && opt_model_ids[1] != NULL &&
      !g_str_equal (command, "compare-models"))
    {
      g_autofree char *message =
        g_strdup_printf (_("%s takes one --model (compare-models takes several)."), command);

      return usage_error (context, message);
    }
  if ((opt_json ? 1 : 0) + (opt_csv ? 1 : 0) + (opt_markdown ? 1 : 0) > 1)
    return usage_error (context, _("Choose one of --json, --csv and --markdown."));
  if ((opt_csv || opt_markdown) && !g_str_equal (command, "compare-models"))
    return usage_error (context, _("--csv and --markdown are for compare-models."));

  if (g_str_equal (command, "models") || g_str_equal (command, "ask"))
    {
      KilnCliOptions options = {
        .json = opt_json,
        .models_file = opt_models,
        .model_id = opt_model_ids != NULL ? opt_model_ids[0] : NULL,
        .system_file = opt_system,
        .idle_timeout = opt_idle_timeout,
        .output_path = opt_output,
        .run = opt_run,
        .max_attempts = opt_max_attempts,
      };

      if (g_str_equal (command, "models"))
        {
          if (argc != 2)
            return usage_error (context, _("models takes no file."));
          return kiln_cli_models (&options);
        }
      if (argc > 3)
        return usage_error (context, _("ask takes at most one prompt file."));
      return kiln_cli_ask (&options, argc == 3 ? argv[2] : NULL);
    }
  if (!(cli.config = new_run_config (&error)))
    return usage_error (context, error->message);

  if (!(cases = read_cases (&error)) && error != NULL)
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (cases != NULL)
    {
      input = *cases[0] != '\0' ? g_bytes_new (cases[0], strlen (cases[0])) : NULL;
      hidden = (const char * const *) cases + 1;
    }

  if (g_str_equal (command, "compare-models"))
    {
      KilnCliOptions options = {
        .json = opt_json,
        .csv = opt_csv,
        .markdown = opt_markdown,
        .models_file = opt_models,
        .model_ids = (const char * const *) opt_model_ids,
        .cache_dir = opt_cache_dir,
        .hidden_cases = hidden,
      };

      if (argc != 3)
        return usage_error (context, _("compare-models takes one file."));
      return kiln_cli_compare_models (&options, argv[2], cli.config, input);
    }

  if (g_str_equal (command, "optimize"))
    {
      KilnCliOptions options = {
        .json = opt_json,
        .models_file = opt_models,
        .model_id = opt_model_ids != NULL ? opt_model_ids[0] : NULL,
        .output_path = opt_output,
        .cache_dir = opt_cache_dir,
      };
      if (argc != 3)
        return usage_error (context, _("optimize takes one file."));
      return kiln_cli_optimize (&options, argv[2], cli.config, (const char * const *) cases);
    }

  cli.loop = g_main_loop_new (NULL, FALSE);
  cli.cancellable = g_cancellable_new ();
  cli.toolchain = kiln_cli_new_toolchain (cli.config, opt_cache_dir);

  g_unix_signal_add (SIGINT, on_interrupt, &cli);
  g_unix_signal_add (SIGTERM, on_interrupt, &cli);

  if (g_str_equal (command, "run"))
    {
      if (argc != 3)
        return usage_error (context, _("run takes one file."));
      if (!(first = read_source (argv[2], &language, &error)))
        {
          g_printerr ("kiln-cli: %s\n", error->message);
          return EXIT_USAGE;
        }
      start_run (&cli, 0, language, first, input);
    }
  else if (g_str_equal (command, "compare"))
    {
      KilnLanguage second_language;

      if (argc != 4)
        return usage_error (context, _("compare takes a Python file and a C++ file."));
      if (!(first = read_source (argv[2], &language, &error)) ||
          !(second = read_source (argv[3], &second_language, &error)))
        {
          g_printerr ("kiln-cli: %s\n", error->message);
          return EXIT_USAGE;
        }
      if (language != KILN_LANGUAGE_PYTHON || second_language != KILN_LANGUAGE_CPP)
        return usage_error (context, _("compare takes the Python file first, then the C++ file."));

      cases = derive_cases (cli.toolchain, cli.config, KILN_LANGUAGE_PYTHON, first,
                            g_steal_pointer (&cases), cli.cancellable);
      return compare (&cli, first, second, (const char * const *) cases);
    }
  else if (g_str_equal (command, "convert"))
    {
      KilnCliOptions options = {
        .json = opt_json,
        .models_file = opt_models,
        .model_id = opt_model_ids != NULL ? opt_model_ids[0] : NULL,
        .output_path = opt_output,
        .run = opt_run,
        .cache_dir = opt_cache_dir,
        .hidden_cases = hidden,
      };

      if (argc != 3)
        return usage_error (context, _("convert takes one file."));
      return kiln_cli_convert (&options, argv[2], cli.config, input);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("Unknown command “%s”."), command);
      return usage_error (context, message);
    }

  if (cli.pending > 0)
    g_main_loop_run (cli.loop);

  if (g_str_equal (command, "run"))
    {
      KilnRunResult *result = cli.results[0];

      if (result == NULL)
        status = EXIT_FAILED;
      else
        {
          if (opt_json)
            print_json (kiln_run_result_to_json (result));
          else
            {
              write_bytes (result->stdout_bytes, stdout);
              fflush (stdout);
              write_bytes (result->stderr_bytes, stderr);
              print_run_report (result, stderr);
            }
          status = result->ok ? EXIT_SUCCESS : EXIT_FAILED;
        }
    }
  return status;
}

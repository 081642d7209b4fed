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

static char    *opt_stdin;
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
  { "stdin", 0, 0, G_OPTION_ARG_FILENAME, &opt_stdin,
    N_("Give the contents of FILE to the program on standard input"), N_("FILE") },
  { "repeat", 0, 0, G_OPTION_ARG_INT, &opt_repeat,
    N_("Run the program N times for timing (C++: fewer only past a 20 s budget)"), "N" },
  { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_timeout,
    N_("Stop a run after SECONDS (default 60)"), N_("SECONDS") },
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

static GBytes *
read_stdin_file (GError **error)
{
  char *contents = NULL;
  gsize length = 0;

  if (opt_stdin == NULL)
    return NULL;

  if (!g_file_get_contents (opt_stdin, &contents, &length, error))
    return NULL;

  return g_bytes_new_take (contents, length);
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
  if (opt_timeout > 0)
    g_object_set (config, "run-timeout", opt_timeout, NULL);
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

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) input = NULL;
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
                                    "compare-models FILE --model ID…"));
  g_option_context_set_summary (context,
                                _("Run Python and C++ programs, time them and compare their "
                                  "outputs, as Kiln’s window does."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);

  if (argc < 2)
    return usage_error (context, _("Say what to do: run, compare, models, ask or convert; "
                                   "compare-models converts with several models."));
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

  if (!(input = read_stdin_file (&error)) && error != NULL)
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      return EXIT_USAGE;
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
      };

      if (argc != 3)
        return usage_error (context, _("compare-models takes one file."));
      return kiln_cli_compare_models (&options, argv[2], cli.config, input);
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

      /* One after the other, so the two programs do not compete for the CPU. */
      start_run (&cli, 0, KILN_LANGUAGE_PYTHON, first, input);
      g_main_loop_run (cli.loop);
      if (cli.results[0] != NULL)
        start_run (&cli, 1, KILN_LANGUAGE_CPP, second, input);
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
  else if (cli.results[0] == NULL || cli.results[1] == NULL)
    status = EXIT_FAILED;
  else
    {
      /* The configuration's mask: --timing-pattern, else the defaults. */
      g_autoptr(KilnTimingMask) mask = kiln_run_config_dup_timing_mask (cli.config, NULL);
      g_autoptr(KilnComparison) comparison = kiln_comparison_new (cli.results[0],
                                                                  cli.results[1], mask);

      if (opt_json)
        print_json (kiln_comparison_to_json (comparison));
      else
        {
          print_run_report (cli.results[0], stdout);
          print_run_report (cli.results[1], stdout);
          if (!comparison->comparable)
            g_print (_("Outputs were not compared: both programs must run cleanly first.\n"));
          else if (kiln_comparison_matches (comparison))
            g_print (_("Outputs match.\n"));
          else
            g_print (_("Outputs differ at line %u:\n  Python: %s\n  C++:    %s\n"),
                     comparison->diff->line,
                     comparison->diff->reference ? comparison->diff->reference
                                                 : _("(no more output)"),
                     comparison->diff->candidate ? comparison->diff->candidate
                                                 : _("(no more output)"));
          if (comparison->speedup > 0)
            {
              g_autofree char *speedup = kiln_format_speedup (comparison->speedup,
                                                              comparison->speedup_is_lower_bound);

              g_print (_("Speedup: %s\n"), speedup);
              if (comparison->speedup_is_lower_bound)
                g_print (_("(The C++ program ran in under 5 ms, where process start-up "
                           "dominates: the real speedup is higher.)\n"));
            }
        }
      status = kiln_comparison_matches (comparison) ? EXIT_SUCCESS : EXIT_FAILED;
    }

  return status;
}

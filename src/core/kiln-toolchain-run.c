/* kiln-toolchain-run.c: running programs with the repeat policy, one at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "kiln-error.h"
#include "kiln-format.h"
#include "kiln-process.h"
#include "kiln-sandbox.h"
#include "kiln-toolchain-private.h"

/* --- running ------------------------------------------------------------------------ */

typedef struct
{
  KilnLanguage   language;
  char          *source;
  GBytes        *input;
  KilnRunLimits  limits;
  char         **argv;
  char          *work_dir;
  gboolean       keep_work_dir;  /* the caller's folder: it stays */
  KilnRunResult *result;
  KilnSandboxPlan *plan;
  char          *helper;
  double         total_wall;
  gulong         waiting_cancelled_id;
} RunState;

static void
run_state_free (gpointer data)
{
  RunState *state = data;

  g_free (state->source);
  g_clear_pointer (&state->input, g_bytes_unref);
  g_strfreev (state->argv);
  g_free (state->work_dir);
  g_clear_pointer (&state->plan, _kiln_sandbox_plan_free);
  g_free (state->helper);
  g_clear_pointer (&state->result, kiln_run_result_unref);
  g_free (state);
}

/* The last line a program printed on stderr that says something, for error messages. */
static char *
last_stderr_line (GBytes *stderr_bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (stderr_bytes, &size);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (data == NULL || size == 0)
    return NULL;

  text = g_utf8_make_valid (data, size);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = g_strv_length (lines); i > 0; i--)
    {
      char *line = g_strstrip (lines[i - 1]);

      if (*line != '\0')
        {
          if (g_utf8_strlen (line, -1) > 300)
            *g_utf8_offset_to_pointer (line, 300) = '\0';
          return g_strdup (line);
        }
    }

  return NULL;
}

static GError *
describe_run_failure (RunState                *state,
                      const KilnProcessResult *process,
                      const KilnRunStats      *stats)
{
  const char *title = kiln_language_get_title (state->language);
  g_autofree char *detail = last_stderr_line (process->stderr_bytes);

  if (process->report.spawn_errno != 0)
    return g_error_new (KILN_ERROR, KILN_ERROR_SPAWN_FAILED,
                        _("Could not start the %s program: %s."),
                        title, g_strerror (process->report.spawn_errno));

  if (stats->timed_out)
    {
      g_autofree char *limit = NULL;

      if (state->limits.timeout_ms % 1000 == 0)
        /* Translators: a whole number of seconds, as in "Stopped after 60 s" */
        limit = g_strdup_printf (_("%u s"), state->limits.timeout_ms / 1000);
      else
        limit = kiln_format_duration (state->limits.timeout_ms / 1000.0);

      if (state->limits.timeout_relative_to > 0)
        {
          g_autofree char *original = kiln_format_duration (state->limits.timeout_relative_to);

          return g_error_new (KILN_ERROR, KILN_ERROR_TIMED_OUT,
                              state->limits.timeout_hint_cli
                              ? _("Stopped after %s: the %s program was still running, and the "
                                  "original finished in %s. A translation much slower than its "
                                  "original has failed; to give it more time anyway, use "
                                  "--cpp-timeout.")
                              : _("Stopped after %s: the %s program was still running, and the "
                                  "original finished in %s. A translation much slower than its "
                                  "original has failed; to give it more time anyway, set a C++ "
                                  "timeout in Preferences."),
                              limit, title, original);
        }

      return g_error_new (KILN_ERROR, KILN_ERROR_TIMED_OUT,
                          state->limits.timeout_hint_cli
                          ? _("Stopped after %s: the %s program was still running. It may loop "
                              "forever; if it needs more time, use --timeout.")
                          : _("Stopped after %s: the %s program was still running. It may loop "
                              "forever; if it needs more time, raise the timeout in "
                              "Preferences."),
                          limit, title);
    }

  if (stats->output_truncated)
    {
      g_autofree char *cap = g_format_size_full (state->limits.output_cap,
                                                 G_FORMAT_SIZE_IEC_UNITS);

      return g_error_new (KILN_ERROR, KILN_ERROR_OUTPUT_TRUNCATED,
                          _("Stopped: the %s program printed more than %s on %s, so its "
                            "output was cut there. If that much output is expected, raise the "
                            "output limit in Preferences."),
                          title, cap, process->truncated_stream);
    }

  if (process->memory_exceeded)
    {
      g_autofree char *limit = g_format_size_full (state->limits.memory_limit,
                                                   G_FORMAT_SIZE_IEC_UNITS);

      return g_error_new (KILN_ERROR, KILN_ERROR_SIGNALED,
                          _("The %s program ran out of memory: it used more than the %s it may "
                            "use, and the system stopped it."), title, limit);
    }

  if (detail != NULL && (strstr (detail, "MemoryError") != NULL ||
                         strstr (detail, "bad_alloc") != NULL ||
                         strstr (detail, "Cannot allocate memory") != NULL))
    {
      g_autofree char *limit = g_format_size_full (state->limits.memory_limit,
                                                   G_FORMAT_SIZE_IEC_UNITS);

      return g_error_new (KILN_ERROR, stats->signal > 0 ? KILN_ERROR_SIGNALED
                                                        : KILN_ERROR_EXIT_STATUS,
                          _("The %s program ran out of memory: it asked for more than the "
                            "%s it may use (%s)."), title, limit, detail);
    }

  if (stats->signal > 0)
    return g_error_new (KILN_ERROR, KILN_ERROR_SIGNALED,
                        _("The %s program crashed: it was killed by signal %d (%s)."),
                        title, stats->signal, g_strsignal (stats->signal));

  if (state->language == KILN_LANGUAGE_PYTHON && detail != NULL)
    return g_error_new (KILN_ERROR, KILN_ERROR_EXIT_STATUS,
                        _("The Python program stopped with an error (exit status %d): %s"),
                        stats->exit_status, detail);

  if (detail != NULL)
    return g_error_new (KILN_ERROR, KILN_ERROR_EXIT_STATUS,
                        _("The %s program exited with status %d: %s"),
                        title, stats->exit_status, detail);

  return g_error_new (KILN_ERROR, KILN_ERROR_EXIT_STATUS,
                      _("The %s program exited with status %d."), title, stats->exit_status);
}

static void
run_cleaned_cb (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunState *state = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_pointer (task, g_steal_pointer (&state->result),
                         (GDestroyNotify) kiln_run_result_unref);
}

/* Ends the run: the work folder goes (in a thread), then the result is returned. */
static void run_once (GTask *task);
static void run_again (GTask *task);
static void release_execution (KilnToolchain *self, GTask *task);

static void
run_complete (GTask *task)
{
  RunState *state = g_task_get_task_data (task);
  g_autoptr(GTask) cleanup = NULL;

  release_execution (g_task_get_source_object (task), task);

  cleanup = g_task_new (NULL, NULL, run_cleaned_cb, task);
  if (state->work_dir != NULL && !state->keep_work_dir)
    g_task_set_task_data (cleanup, g_steal_pointer (&state->work_dir), g_free);
  g_task_run_in_thread (cleanup, _kiln_toolchain_remove_tree_thread);
}

/* Empties the work folder but for the program itself, so that every run starts as the
 * first did (a program that makes a folder or a file it must not find there still runs). */
static void
reset_work_dir_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  RunState *state = task_data;
  GDir *dir;
  const char *name;

  if ((dir = g_dir_open (state->work_dir, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = NULL;
          GStatBuf st;

          if (g_str_equal (name, "main.py") || g_str_equal (name, ".keep"))
            continue;
          child = g_build_filename (state->work_dir, name, NULL);
          if (g_lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
            {
              g_chmod (child, 0700);
              _kiln_toolchain_remove_tree (child);
            }
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_task_return_boolean (task, TRUE);
}

static void
work_dir_reset_cb (GObject      *object,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  GTask *task = user_data;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      run_complete (task);
      return;
    }
  run_once (task);
}

/* The next repeat: in a work folder as the first run found it (a caller's folder is left
 * as it is). */
static void
run_again (GTask *task)
{
  RunState *state = g_task_get_task_data (task);
  g_autoptr(GTask) reset = NULL;

  if (state->keep_work_dir || state->work_dir == NULL)
    {
      run_once (task);
      return;
    }

  reset = g_task_new (NULL, NULL, work_dir_reset_cb, task);
  g_task_set_task_data (reset, state, NULL);
  g_task_run_in_thread (reset, reset_work_dir_thread);
}

static void
run_once_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  GTask *task = user_data;
  RunState *state = g_task_get_task_data (task);
  KilnRunResult *result = state->result;
  g_autoptr(KilnProcessResult) process = NULL;
  g_autoptr(GError) error = NULL;
  KilnRunStats stats = { 0 };
  gboolean clean;

  process = _kiln_process_run_finish (res, &error);
  if (process == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          result->ok = FALSE;
          g_clear_error (&result->error);
          result->error = g_steal_pointer (&error);
        }
      run_complete (task);
      return;
    }

  stats.wall_seconds = process->report.wall_ns / 1e9;
  stats.user_seconds = process->report.user_us / 1e6;
  stats.sys_seconds = process->report.sys_us / 1e6;
  stats.max_rss_kib = process->report.max_rss_kib;
  stats.exit_status = process->report.exit_status;
  stats.signal = process->report.signal;
  stats.timed_out = process->report.timed_out;
  stats.output_truncated = process->output_truncated;

  if (process->report.spawn_errno == 0)
    g_array_append_val (result->runs, stats);

  /* The output shown and compared is the first run's; later runs are only for timing. */
  if (result->runs->len <= 1)
    {
      g_bytes_unref (result->stdout_bytes);
      result->stdout_bytes = g_bytes_ref (process->stdout_bytes);
      g_bytes_unref (result->stderr_bytes);
      result->stderr_bytes = g_bytes_ref (process->stderr_bytes);
    }

  clean = process->report.spawn_errno == 0 && stats.exit_status == 0 && stats.signal == 0 &&
          !stats.timed_out && !stats.output_truncated;
  state->total_wall += stats.wall_seconds;

  if (!clean)
    {
      result->ok = FALSE;
      result->error = describe_run_failure (state, process, &stats);
      run_complete (task);
      return;
    }

  result->ok = TRUE;
  if (result->runs->len >= state->limits.max_runs ||
      state->total_wall * 1000.0 >= state->limits.time_budget_ms)
    {
      run_complete (task);
      return;
    }

  run_again (task);
}

static void
run_once (GTask *task)
{
  RunState *state = g_task_get_task_data (task);
  g_autoptr(GPtrArray) options = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) command = g_ptr_array_new_with_free_func (g_free);

  _kiln_sandbox_build_command (state->plan, state->helper, state->work_dir,
                               (const char * const *) state->argv, state->limits.timeout_ms,
                               state->limits.memory_limit, state->limits.file_size_limit,
                               state->limits.max_processes, options, command);
  g_ptr_array_add (options, NULL);
  g_ptr_array_add (command, NULL);

  _kiln_process_run_with_helper_async (state->helper, (const char * const *) options->pdata,
                                       (const char * const *) command->pdata, state->work_dir,
                                       state->input, state->limits.timeout_ms,
                                       state->limits.output_cap,
                                       g_task_get_cancellable (task), run_once_cb, task);
}

static void
work_dir_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  RunState *state = task_data;
  KilnToolchain *self = source_object;
  g_autofree char *parent = g_build_filename (self->cache_dir, "run", NULL);
  const char *file_name = state->language == KILN_LANGUAGE_PYTHON ? "main.py" : NULL;
  GError *error = NULL;

  if (state->work_dir != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  state->work_dir = _kiln_toolchain_make_work_dir (parent, file_name != NULL ? file_name : ".keep",
                                   file_name != NULL ? state->source : "", &error);
  if (state->work_dir == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
waiting_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  KilnToolchain *self = g_task_get_source_object (task);

  /* Still queued? Then it ends now instead of after the running program. */
  if (g_queue_remove (&self->waiting, task))
    run_complete (task);
  return G_SOURCE_REMOVE;
}

static void
waiting_cancelled_cb (GCancellable *cancellable,
                      GTask        *task)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, waiting_cancelled_idle, g_object_ref (task),
                   g_object_unref);
}

static void
stop_waiting (GTask *task)
{
  RunState *state = g_task_get_task_data (task);

  if (state->waiting_cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), state->waiting_cancelled_id);
      state->waiting_cancelled_id = 0;
    }
}

static void
acquire_execution (KilnToolchain *self,
                   GTask         *task)
{
  RunState *state = g_task_get_task_data (task);

  if (self->executing == NULL)
    {
      self->executing = task;
      run_once (task);
      return;
    }

  g_queue_push_tail (&self->waiting, task);
  if (g_task_get_cancellable (task) != NULL)
    state->waiting_cancelled_id = g_cancellable_connect (g_task_get_cancellable (task),
                                                         G_CALLBACK (waiting_cancelled_cb),
                                                         task, NULL);
}

static void
release_execution (KilnToolchain *self,
                   GTask         *task)
{
  GTask *next;

  stop_waiting (task);
  g_queue_remove (&self->waiting, task);
  if (self->executing != task)
    return;

  self->executing = NULL;
  while ((next = g_queue_pop_head (&self->waiting)) != NULL)
    {
      stop_waiting (next);
      if (g_cancellable_is_cancelled (g_task_get_cancellable (next)))
        {
          run_complete (next);
          continue;
        }
      self->executing = next;
      run_once (next);
      break;
    }
}

static void
sandbox_planned_cb (GObject      *object,
                    GAsyncResult *res,
                    gpointer      user_data)
{
  GTask *task = user_data;
  RunState *state = g_task_get_task_data (task);

  state->plan = _kiln_sandbox_plan_finish (res);
  if (state->plan == NULL || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      run_complete (task);
      return;
    }

  state->result->sandbox = state->plan->sandbox;
  acquire_execution (g_task_get_source_object (task), task);
}

static void
work_dir_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  GTask *task = user_data;
  RunState *state = g_task_get_task_data (task);
  KilnToolchain *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      state->result->error = error;
      run_complete (task);
      return;
    }

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      run_complete (task);
      return;
    }

  if (!(state->helper = _kiln_process_find_helper (&error)))
    {
      state->result->error = error;
      run_complete (task);
      return;
    }

  _kiln_sandbox_plan_async (self->sandbox, state->argv[0],
                            state->language == KILN_LANGUAGE_PYTHON,
                            g_task_get_cancellable (task), sandbox_planned_cb, task);
}

static void
prepare_work_dir (GTask *task)
{
  g_autoptr(GTask) prepare = NULL;
  RunState *state = g_task_get_task_data (task);

  prepare = g_task_new (g_task_get_source_object (task), NULL, work_dir_cb, task);
  g_task_set_task_data (prepare, state, NULL);
  g_task_run_in_thread (prepare, work_dir_thread);
}

char *
_kiln_toolchain_summarize_compile_failure (KilnCompileResult *compile)
{
  guint errors = kiln_diagnostics_count (compile->diagnostics, KILN_SEVERITY_ERROR);
  char *link_failure = _kiln_toolchain_describe_link_failure (compile->output);

  if (link_failure != NULL)
    return link_failure;

  for (guint i = 0; i < compile->diagnostics->len; i++)
    {
      const KilnDiagnostic *d = g_ptr_array_index (compile->diagnostics, i);

      if (d->severity != KILN_SEVERITY_ERROR)
        continue;

      if (d->line > 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "The C++ code did not compile (%u error). "
                                             "Line %u: %s",
                                             "The C++ code did not compile (%u errors). "
                                             "First, line %u: %s",
                                             errors),
                                errors, d->line, d->message);
      return g_strdup_printf (_("The C++ code did not compile: %s"), d->message);
    }

  return g_strdup (_("The C++ code did not compile. See the compiler output."));
}

/* Runs the binary of @compile, or ends with its failure. */
static void
run_compiled (GTask             *task,
              KilnCompileResult *compile)
{
  RunState *state = g_task_get_task_data (task);

  g_clear_pointer (&state->result->compile, kiln_compile_result_unref);
  state->result->compile = kiln_compile_result_ref (compile);
  if (!compile->ok || compile->binary_path == NULL)
    {
      g_autofree char *message = _kiln_toolchain_summarize_compile_failure (compile);

      state->result->error = g_error_new_literal (KILN_ERROR, KILN_ERROR_COMPILE_FAILED,
                                                  message);
      run_complete (task);
      return;
    }

  g_strfreev (state->argv);
  state->argv = g_new0 (char *, 2);
  state->argv[0] = g_strdup (compile->binary_path);
  prepare_work_dir (task);
}

static void
compiled_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  GTask *task = user_data;
  RunState *state = g_task_get_task_data (task);
  g_autoptr(KilnCompileResult) compile = NULL;
  GError *error = NULL;

  compile = kiln_toolchain_compile_finish (KILN_TOOLCHAIN (object), res, &error);
  if (compile == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_clear_error (&error);
      else
        state->result->error = error;
      run_complete (task);
      return;
    }

  run_compiled (task, compile);
}

/* A run task with its state: the limits filled in from the language's defaults. */
static GTask *
run_task_new (KilnToolchain       *self,
              KilnLanguage         language,
              const KilnRunLimits *limits,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task;
  RunState *state;

  /* The task reference travels through the steps and is dropped when the result is in. */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  state = g_new0 (RunState, 1);
  g_task_set_task_data (task, state, run_state_free);
  state->language = language;
  if (limits != NULL)
    state->limits = *limits;
  else
    kiln_run_limits_init_default (&state->limits, language);
  state->limits.max_runs = MAX (state->limits.max_runs, 1);
  if (state->limits.memory_limit == 0 || state->limits.file_size_limit == 0 ||
      state->limits.max_processes == 0)
    {
      KilnRunLimits defaults;

      kiln_run_limits_init_default (&defaults, language);
      if (state->limits.memory_limit == 0)
        state->limits.memory_limit = defaults.memory_limit;
      if (state->limits.file_size_limit == 0)
        state->limits.file_size_limit = defaults.file_size_limit;
      if (state->limits.max_processes == 0)
        state->limits.max_processes = defaults.max_processes;
    }
  state->result = kiln_run_result_new (language);

  return task;
}

void
kiln_toolchain_run_async (KilnToolchain       *self,
                          KilnLanguage         language,
                          const char          *source,
                          GBytes              *input,
                          const KilnRunLimits *limits,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  RunState *state;

  g_return_if_fail (KILN_IS_TOOLCHAIN (self));
  g_return_if_fail (source != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = run_task_new (self, language, limits, kiln_toolchain_run_async, cancellable,
                       callback, user_data);
  state = g_task_get_task_data (task);
  state->source = g_strdup (source);
  state->input = input != NULL ? g_bytes_ref (input) : NULL;

  if (language == KILN_LANGUAGE_PYTHON)
    {
      GError *error = NULL;
      g_autofree char *python = kiln_toolchain_find_python (self, &error);

      if (python == NULL)
        {
          state->result->error = error;
          run_complete (task);
          return;
        }

      state->argv = g_new0 (char *, 3);
      state->argv[0] = g_steal_pointer (&python);
      state->argv[1] = g_strdup ("main.py");
      prepare_work_dir (task);
    }
  else
    {
      kiln_toolchain_compile_async (self, source, cancellable, compiled_cb, task);
    }
}

void
kiln_toolchain_run_compiled_async (KilnToolchain       *self,
                                   KilnCompileResult   *compile,
                                   GBytes              *input,
                                   const KilnRunLimits *limits,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  RunState *state;

  g_return_if_fail (KILN_IS_TOOLCHAIN (self));
  g_return_if_fail (compile != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = run_task_new (self, KILN_LANGUAGE_CPP, limits, kiln_toolchain_run_compiled_async,
                       cancellable, callback, user_data);
  state = g_task_get_task_data (task);
  state->input = input != NULL ? g_bytes_ref (input) : NULL;
  run_compiled (task, compile);
}

KilnRunResult *
kiln_toolchain_run_compiled_finish (KilnToolchain  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_kiln_toolchain_run_binary_async (KilnToolchain       *self,
                                  const char          *binary,
                                  const char          *work_dir,
                                  KilnCompileResult   *compile,
                                  GBytes              *input,
                                  const KilnRunLimits *limits,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  RunState *state;

  task = run_task_new (self, KILN_LANGUAGE_CPP, limits, _kiln_toolchain_run_binary_async,
                       cancellable, callback, user_data);
  state = g_task_get_task_data (task);
  state->input = input != NULL ? g_bytes_ref (input) : NULL;
  if (compile != NULL)
    state->result->compile = kiln_compile_result_ref (compile);
  if (work_dir != NULL)
    {
      state->work_dir = g_strdup (work_dir);
      state->keep_work_dir = TRUE;
    }
  state->argv = g_new0 (char *, 2);
  state->argv[0] = g_strdup (binary);
  prepare_work_dir (task);
}

KilnRunResult *
_kiln_toolchain_run_binary_finish (KilnToolchain  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

KilnRunResult *
kiln_toolchain_run_finish (KilnToolchain  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

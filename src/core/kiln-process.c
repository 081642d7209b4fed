/* kiln-process.c: one run of a program through kiln-run-helper
 *
 * The helper is the direct parent of the program (see src/helper/kiln-run-helper.c); this
 * side feeds stdin, reads stdout and stderr up to the cap, reads the helper's report, and
 * turns Stop and the output cap into a SIGTERM to the helper, which kills the whole process
 * group. Everything happens on the caller's main context; nothing blocks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "kiln-core.h"
#include "kiln-error.h"
#include "kiln-process.h"

#define READ_CHUNK (64 * 1024)
/* After Stop, how long the helper gets to clean up before it is killed outright. */
#define STOP_GRACE_MS 5000

typedef struct
{
  GSubprocess  *subprocess;
  GCancellable *cancellable;
  gulong        cancelled_id;
  GBytes       *input;
  GByteArray   *out;
  GByteArray   *err;
  GByteArray   *report;
  const char   *truncated_stream;
  guint         pending;
  guint         watchdog_id;
  gboolean      stop_sent;
} RunState;

typedef struct
{
  GTask        *task;
  GInputStream *stream;
  GByteArray   *buffer;
  const char   *name;
  gsize         cap;     /* 0: keep everything */
  gboolean      capped;
} Reader;

static void
run_state_free (gpointer data)
{
  RunState *state = data;

  g_cancellable_disconnect (state->cancellable, state->cancelled_id);
  g_clear_handle_id (&state->watchdog_id, g_source_remove);
  g_clear_object (&state->subprocess);
  g_clear_object (&state->cancellable);
  g_clear_pointer (&state->input, g_bytes_unref);
  g_clear_pointer (&state->out, g_byte_array_unref);
  g_clear_pointer (&state->err, g_byte_array_unref);
  g_clear_pointer (&state->report, g_byte_array_unref);
  g_free (state);
}

void
kiln_process_result_free (KilnProcessResult *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->stdout_bytes, g_bytes_unref);
  g_clear_pointer (&self->stderr_bytes, g_bytes_unref);
  g_free (self->truncated_stream);
  g_free (self);
}

char *
_kiln_process_find_helper (GError **error)
{
  const char *env = g_getenv ("KILN_RUN_HELPER");
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *program_dir = NULL;
  g_autofree char *relocated = NULL;
  g_autofree char *tried = NULL;

  if (env != NULL && *env != '\0')
    {
      if (g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup (env);
      g_set_error (error, KILN_ERROR, KILN_ERROR_HELPER_NOT_FOUND,
                   _("Kiln’s run helper was not found at “%s”, where KILN_RUN_HELPER points. "
                     "Point it at the kiln-run-helper program, or unset it."), env);
      return NULL;
    }

  /* Installed into any prefix: where PKGLIBEXECDIR is seen from BINDIR. */
  if ((relocated = kiln_core_relocate_path (PKGLIBEXECDIR)) != NULL)
    g_ptr_array_add (candidates, g_build_filename (relocated, "kiln-run-helper", NULL));
  /* The build folder: src/cli/kiln-cli and src/app/kiln next to src/helper/. */
  if ((program_dir = kiln_core_dup_program_dir ()) != NULL)
    g_ptr_array_add (candidates, g_build_filename (program_dir, "..", "helper",
                                                   "kiln-run-helper", NULL));
  /* Where the build configuration says, for a system that hides /proc/self/exe. */
  g_ptr_array_add (candidates, g_build_filename (PKGLIBEXECDIR, "kiln-run-helper", NULL));

  for (guint i = 0; i < candidates->len; i++)
    {
      const char *path = g_ptr_array_index (candidates, i);

      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) &&
          !g_file_test (path, G_FILE_TEST_IS_DIR))
        return g_canonicalize_filename (path, NULL);
    }

  g_ptr_array_add (candidates, NULL);
  tried = g_strjoinv ("”, “", (char **) candidates->pdata);
  g_set_error (error, KILN_ERROR, KILN_ERROR_HELPER_NOT_FOUND,
               _("Kiln’s run helper was not found (looked at “%s”). Reinstall Kiln, or set "
                 "KILN_RUN_HELPER to the kiln-run-helper program."), tried);
  return NULL;
}

static gboolean
watchdog_cb (gpointer user_data)
{
  RunState *state = user_data;

  state->watchdog_id = 0;
  g_warning ("kiln-run-helper did not end in time; killing it");
  if (state->subprocess != NULL)
    g_subprocess_force_exit (state->subprocess);

  return G_SOURCE_REMOVE;
}

/* Ask the helper to end the run: it kills the program's whole process group. */
static void
stop_run (RunState *state)
{
  if (state->stop_sent || state->subprocess == NULL)
    return;

  state->stop_sent = TRUE;
  g_subprocess_send_signal (state->subprocess, SIGTERM);

  g_clear_handle_id (&state->watchdog_id, g_source_remove);
  state->watchdog_id = g_timeout_add (STOP_GRACE_MS, watchdog_cb, state);
}

static void
cancelled_cb (GCancellable *cancellable,
              RunState     *state)
{
  /* May run in another thread; the signal itself is thread-safe to send. */
  if (state->subprocess != NULL)
    g_subprocess_send_signal (state->subprocess, SIGTERM);
}

/* A line the helper adds after its report (kiln-run-report.c ignores keys it does not know,
 * so the report format is unchanged for it). */
static gboolean
report_says_memory_exceeded (const char *text,
                             gsize       length)
{
  static const char line[] = "\nmemory-exceeded 1\n";
  g_autofree char *copy = g_strndup (text != NULL ? text : "", length);

  return strstr (copy, line) != NULL;
}

static void
finish_if_done (GTask *task)
{
  RunState *state = g_task_get_task_data (task);
  g_autoptr(KilnProcessResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (state->pending > 0);
  if (--state->pending > 0)
    return;

  g_clear_handle_id (&state->watchdog_id, g_source_remove);

  if (g_cancellable_is_cancelled (state->cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The run was stopped"));
      return;
    }

  result = g_new0 (KilnProcessResult, 1);
  if (!_kiln_run_report_parse ((const char *) state->report->data, state->report->len,
                               &result->report, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result->memory_exceeded = report_says_memory_exceeded ((const char *) state->report->data,
                                                         state->report->len);
  result->stdout_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&state->out));
  result->stderr_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&state->err));
  result->output_truncated = state->truncated_stream != NULL;
  result->truncated_stream = g_strdup (state->truncated_stream);

  g_task_return_pointer (task, g_steal_pointer (&result),
                         (GDestroyNotify) kiln_process_result_free);
}

static void
reader_free (Reader *reader)
{
  g_clear_object (&reader->task);
  g_clear_object (&reader->stream);
  g_free (reader);
}

static void read_next (Reader *reader);

static void
read_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  Reader *reader = user_data;
  RunState *state = g_task_get_task_data (reader->task);
  g_autoptr(GBytes) bytes = NULL;
  gsize size;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), res, NULL);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      GTask *task = g_steal_pointer (&reader->task);

      g_input_stream_close (reader->stream, NULL, NULL);
      reader_free (reader);
      finish_if_done (task);
      g_object_unref (task);
      return;
    }

  size = g_bytes_get_size (bytes);
  if (reader->capped)
    {
      /* Past the cap: keep draining so the helper never blocks on a full pipe. */
    }
  else if (reader->cap > 0 && reader->buffer->len + size > reader->cap)
    {
      g_byte_array_append (reader->buffer, g_bytes_get_data (bytes, NULL),
                           reader->cap - reader->buffer->len);
      reader->capped = TRUE;
      if (state->truncated_stream == NULL)
        state->truncated_stream = reader->name;
      stop_run (state);
    }
  else
    g_byte_array_append (reader->buffer, g_bytes_get_data (bytes, NULL), size);

  read_next (reader);
}

static void
read_next (Reader *reader)
{
  g_input_stream_read_bytes_async (reader->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   NULL, read_cb, reader);
}

static void
start_reader (GTask        *task,
              GInputStream *stream,
              GByteArray   *buffer,
              const char   *name,
              gsize         cap)
{
  RunState *state = g_task_get_task_data (task);
  Reader *reader = g_new0 (Reader, 1);

  reader->task = g_object_ref (task);
  reader->stream = g_object_ref (stream);
  reader->buffer = buffer;
  reader->name = name;
  reader->cap = cap;
  state->pending++;
  read_next (reader);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), res, NULL);
  finish_if_done (task);
}

static void
stdin_closed_cb (GObject      *object,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  g_output_stream_close_finish (G_OUTPUT_STREAM (object), res, NULL);
}

static void
stdin_written_cb (GObject      *object,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  /* A program that exits without reading all its input gives EPIPE: that is its right. */
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), res, NULL, NULL);
  g_output_stream_close_async (G_OUTPUT_STREAM (object), G_PRIORITY_DEFAULT, NULL,
                               stdin_closed_cb, g_steal_pointer (&task));
}

static void
ignore_sigpipe_once (void)
{
  static gsize done = 0;

  /* Writing to a program that stopped reading must give EPIPE, not kill Kiln. */
  if (g_once_init_enter (&done))
    {
      signal (SIGPIPE, SIG_IGN);
      g_once_init_leave (&done, 1);
    }
}

void
_kiln_process_run_async (const char * const  *argv,
                         const char          *cwd,
                         GBytes              *input,
                         guint                timeout_ms,
                         gsize                output_cap,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  _kiln_process_run_with_helper_async (NULL, NULL, argv, cwd, input, timeout_ms, output_cap,
                                       cancellable, callback, user_data);
}

void
_kiln_process_run_with_helper_async (const char          *helper_path,
                                     const char * const  *helper_options,
                                     const char * const  *argv,
                                     const char          *cwd,
                                     GBytes              *input,
                                     guint                timeout_ms,
                                     gsize                output_cap,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) helper_argv = NULL;
  g_autoptr(GInputStream) report_stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *helper = NULL;
  g_autofree char *timeout_text = NULL;
  GSubprocessFlags flags;
  gboolean has_input;
  RunState *state;
  int report_pipe[2];

  g_return_if_fail (argv != NULL && argv[0] != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  ignore_sigpipe_once ();

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _kiln_process_run_async);
  g_task_set_check_cancellable (task, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (helper_path != NULL)
    helper = g_strdup (helper_path);
  else if (!(helper = _kiln_process_find_helper (&error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!g_unix_open_pipe (report_pipe, FD_CLOEXEC, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  timeout_text = g_strdup_printf ("%u", timeout_ms);
  helper_argv = g_ptr_array_new ();
  g_ptr_array_add (helper_argv, helper);
  g_ptr_array_add (helper_argv, (char *) "--timeout-ms");
  g_ptr_array_add (helper_argv, timeout_text);
  g_ptr_array_add (helper_argv, (char *) "--report-fd");
  g_ptr_array_add (helper_argv, (char *) "3");
  for (guint i = 0; helper_options != NULL && helper_options[i] != NULL; i++)
    g_ptr_array_add (helper_argv, (char *) helper_options[i]);
  g_ptr_array_add (helper_argv, (char *) "--");
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (helper_argv, (char *) argv[i]);
  g_ptr_array_add (helper_argv, NULL);

  has_input = input != NULL && g_bytes_get_size (input) > 0;
  flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  if (has_input)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;

  launcher = g_subprocess_launcher_new (flags);
  if (!has_input)
    g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  g_subprocess_launcher_take_fd (launcher, report_pipe[1], 3);

  state = g_new0 (RunState, 1);
  state->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  state->out = g_byte_array_new ();
  state->err = g_byte_array_new ();
  state->report = g_byte_array_new ();
  g_task_set_task_data (task, state, run_state_free);

  state->subprocess = g_subprocess_launcher_spawnv (launcher,
                                                    (const char * const *) helper_argv->pdata,
                                                    &error);
  /* Our copy of the report pipe's write end goes with the launcher, so EOF can come. */
  g_clear_object (&launcher);

  report_stream = g_unix_input_stream_new (report_pipe[0], TRUE);

  if (state->subprocess == NULL)
    {
      g_task_return_new_error (task, KILN_ERROR, KILN_ERROR_SPAWN_FAILED,
                               _("Could not start Kiln’s run helper: %s"), error->message);
      return;
    }

  if (cancellable != NULL)
    state->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                 state, NULL);

  if (timeout_ms > 0)
    state->watchdog_id = g_timeout_add (timeout_ms + STOP_GRACE_MS * 2, watchdog_cb, state);

  /* One pending operation each: the exit, stdout, stderr and the report. */
  state->pending = 1;
  g_subprocess_wait_async (state->subprocess, NULL, wait_cb, g_object_ref (task));
  start_reader (task, g_subprocess_get_stdout_pipe (state->subprocess), state->out, "stdout",
                output_cap);
  start_reader (task, g_subprocess_get_stderr_pipe (state->subprocess), state->err, "stderr",
                output_cap);
  start_reader (task, report_stream, state->report, "report", 0);

  if (has_input)
    {
      state->input = g_bytes_ref (input);
      g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (state->subprocess),
                                       g_bytes_get_data (input, NULL),
                                       g_bytes_get_size (input),
                                       G_PRIORITY_DEFAULT, NULL,
                                       stdin_written_cb, g_object_ref (task));
    }
}

KilnProcessResult *
_kiln_process_run_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

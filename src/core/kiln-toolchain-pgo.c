/* kiln-toolchain-pgo.c: profile-guided builds (an instrumented build, one training run in
 * the sandbox, then the optimised build), cached like any other binary
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "kiln-error.h"
#include "kiln-toolchain-private.h"

#define PROFDATA_TIMEOUT_MS (60 * 1000)

typedef struct
{
  char              *compiler_command;
  char              *compiler;
  gboolean           clang;
  char              *profdata;      /* llvm-profdata, for clang++ */
  char             **flags;
  char              *source;
  GBytes            *training;
  KilnRunLimits      limits;
  char              *cache_dir;
  char              *key;
  char              *binary;
  char              *meta;
  char              *work_dir;      /* below cache-dir/build: main.cpp, main, profile/ */
  char              *profile_dir;
  char             **command;       /* the step's compiler argv */
  double             compile_seconds;
  gint64             started;
  KilnCompileResult *result;
} PgoState;

static void
pgo_state_free (gpointer data)
{
  PgoState *state = data;

  g_free (state->compiler_command);
  g_free (state->compiler);
  g_free (state->profdata);
  g_strfreev (state->flags);
  g_free (state->source);
  g_clear_pointer (&state->training, g_bytes_unref);
  g_free (state->cache_dir);
  g_free (state->key);
  g_free (state->binary);
  g_free (state->meta);
  g_free (state->work_dir);
  g_free (state->profile_dir);
  g_strfreev (state->command);
  g_clear_pointer (&state->result, kiln_compile_result_unref);
  g_free (state);
}

/* The flags, with @extra added after them (before main.cpp). */
static char **
flags_with (PgoState   *state,
            const char *first,
            ...)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  const char *extra;
  va_list args;
  char **flags;

  g_strv_builder_addv (builder, (const char **) state->flags);
  va_start (args, first);
  for (extra = first; extra != NULL; extra = va_arg (args, const char *))
    g_strv_builder_add (builder, extra);
  va_end (args);
  flags = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return flags;
}

static char **
generate_command (PgoState *state)
{
  g_autofree char *flag = NULL;
  g_auto(GStrv) flags = NULL;

  if (state->clang)
    flag = g_strdup_printf ("-fprofile-instr-generate=%s/kiln.profraw", state->profile_dir);
  else
    flag = g_strdup_printf ("-fprofile-generate=%s", state->profile_dir);
  flags = flags_with (state, flag, NULL);

  return _kiln_toolchain_build_compile_argv (state->compiler, flags);
}

static char **
use_command (PgoState *state)
{
  g_autofree char *flag = NULL;
  g_auto(GStrv) flags = NULL;

  if (state->clang)
    {
      flag = g_strdup_printf ("-fprofile-instr-use=%s/kiln.profdata", state->profile_dir);
      flags = flags_with (state, flag, NULL);
    }
  else
    {
      /* -fprofile-correction: a multi-threaded training run may leave counts that do not
       * add up exactly. */
      flag = g_strdup_printf ("-fprofile-use=%s", state->profile_dir);
      flags = flags_with (state, flag, "-fprofile-correction", NULL);
    }

  return _kiln_toolchain_build_compile_argv (state->compiler, flags);
}

/* llvm-profdata for @compiler: beside the compiler's real executable (Debian's
 * /usr/lib/llvm-N/bin), then llvm-profdata-N for the compiler's major version N, then plain
 * llvm-profdata on PATH. */
static char *
find_profdata (const char *compiler,
               const char *version)
{
  g_autofree char *real = g_canonicalize_filename (compiler, NULL);
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *beside = NULL;
  const char *number;

  /* Follow the chain of links (clang++ → clang → clang-14 …) to the real folder. */
  for (guint i = 0; i < 16 && (target = g_file_read_link (real, NULL)) != NULL; i++)
    {
      g_autofree char *parent = g_path_get_dirname (real);

      g_free (real);
      real = g_canonicalize_filename (target, parent);
      g_clear_pointer (&target, g_free);
    }
  dir = g_path_get_dirname (real);
  beside = g_build_filename (dir, "llvm-profdata", NULL);
  if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&beside);

  if ((number = strstr (version, "version ")) != NULL)
    {
      guint64 major = g_ascii_strtoull (number + strlen ("version "), NULL, 10);

      if (major > 0)
        {
          g_autofree char *name = g_strdup_printf ("llvm-profdata-%" G_GUINT64_FORMAT, major);
          char *path = g_find_program_in_path (name);

          if (path != NULL)
            return path;
        }
    }

  return g_find_program_in_path ("llvm-profdata");
}

typedef struct
{
  GTask             *task;
  KilnCompileResult *result;
  GError            *error;
} Ending;

static void
ended_cb (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  Ending *ending = user_data;

  if (ending->error != NULL)
    g_task_return_error (ending->task, ending->error);
  else
    g_task_return_pointer (ending->task, ending->result,
                           (GDestroyNotify) kiln_compile_result_unref);
  g_object_unref (ending->task);
  g_free (ending);
}

/* Removes the work folder (in a thread), then returns @result or @error (taking them), so
 * that nothing is left behind once the caller has its answer. */
static void
end_after_cleanup (GTask             *task,
                   KilnCompileResult *result,
                   GError            *error)
{
  PgoState *state = g_task_get_task_data (task);
  Ending *ending = g_new0 (Ending, 1);
  g_autoptr(GTask) cleanup = NULL;

  ending->task = g_object_ref (task);
  ending->result = result;
  ending->error = error;
  cleanup = g_task_new (NULL, NULL, ended_cb, ending);
  if (state->work_dir != NULL)
    g_task_set_task_data (cleanup, g_steal_pointer (&state->work_dir), g_free);
  g_task_run_in_thread (cleanup, _kiln_toolchain_remove_tree_thread);
}

/* Ends with cancellation. */
static void
end_cancelled (GTask *task)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error);
  end_after_cleanup (task, NULL, error);
}

/* Ends with a failure of one step: ok = FALSE, @what (a sentence naming the step) before
 * the step's own output. */
static void
return_failure (GTask             *task,
                KilnCompileResult *step,
                const char        *what,
                const char        *detail)
{
  PgoState *state = g_task_get_task_data (task);
  g_autoptr(KilnCompileResult) result = NULL;

  if (step != NULL)
    result = kiln_compile_result_ref (step);
  else
    {
      result = kiln_compile_result_new ();
      result->command = g_strdupv (state->command);
    }
  result->ok = FALSE;
  g_clear_pointer (&result->binary_path, g_free);
  {
    const char *output = step != NULL && step->output != NULL ? step->output : "";
    char *text = g_strconcat (what, detail != NULL ? "\n" : "", detail != NULL ? detail : "",
                              *output != '\0' ? "\n\n" : "", output, NULL);

    g_free (result->output);
    result->output = text;
  }
  g_ptr_array_insert (result->diagnostics, 0,
                      kiln_diagnostic_new ("", 0, 0, KILN_SEVERITY_ERROR, what));

  end_after_cleanup (task, g_steal_pointer (&result), NULL);
}

/* Ends with cancellation (or another GError), removing the work folder. */
static void
return_error (GTask  *task,
              GError *error)
{
  end_after_cleanup (task, NULL, error);
}

/* --- the last step: storing the optimised binary ----------------------------------------- */

static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PgoState *state = task_data;
  g_autofree char *built = g_build_filename (state->work_dir, "main", NULL);

  if (_kiln_toolchain_store_cache_entry (state->result, built, state->binary, state->meta, TRUE))
    {
      _kiln_toolchain_remove_tree (state->work_dir);
      g_clear_pointer (&state->work_dir, g_free);
    }
  g_task_return_boolean (task, TRUE);
}

static void
stored_cb (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgoState *state = g_task_get_task_data (task);

  g_task_propagate_boolean (G_TASK (res), NULL);
  g_task_return_pointer (task, kiln_compile_result_ref (state->result),
                         (GDestroyNotify) kiln_compile_result_unref);
}

static void
use_built_cb (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgoState *state = g_task_get_task_data (task);
  g_autoptr(KilnProcessResult) process = NULL;
  g_autoptr(KilnCompileResult) step = NULL;
  GError *error = NULL;
  g_autoptr(GTask) store = NULL;

  if (!(process = _kiln_process_run_finish (res, &error)))
    {
      return_error (task, error);
      return;
    }

  step = _kiln_toolchain_compile_result_from_process (
      process, state->compiler, state->command,
      (g_get_monotonic_time () - state->started) / (double) G_USEC_PER_SEC);
  if (!step->ok)
    {
      return_failure (task, step,
                      _("Profile-guided build: the optimised build (the second compile, "
                        "with the training run’s profile) failed."), NULL);
      return;
    }

  step->seconds += state->compile_seconds;
  state->result = g_steal_pointer (&step);
  store = g_task_new (NULL, NULL, stored_cb, g_steal_pointer (&task));
  g_task_set_task_data (store, state, NULL);
  g_task_run_in_thread (store, store_thread);
}

/* Runs one of the two builds (@command, taken) in the work folder; @task goes to @callback. */
static void
run_compiler (GTask               *task,
              char               **command,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback)
{
  PgoState *state = g_task_get_task_data (task);

  g_strfreev (state->command);
  state->command = command;
  state->started = g_get_monotonic_time ();
  _kiln_process_run_async ((const char * const *) state->command, state->work_dir, NULL,
                           _KILN_TOOLCHAIN_COMPILE_TIMEOUT_MS,
                           _KILN_TOOLCHAIN_COMPILE_OUTPUT_CAP, cancellable, callback, task);
}

static void
build_with_profile (GTask *task)
{
  PgoState *state = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  run_compiler (task, use_command (state), cancellable, use_built_cb);
}

/* --- clang++: merging the raw profile ----------------------------------------------------- */

static void
merged_cb (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(KilnProcessResult) process = NULL;
  GError *error = NULL;

  if (!(process = _kiln_process_run_finish (res, &error)))
    {
      return_error (task, error);
      return;
    }

  if (process->report.spawn_errno != 0 || process->report.exit_status != 0)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (process->stderr_bytes, &size);
      g_autofree char *detail = g_utf8_make_valid (data != NULL ? data : "", size);

      return_failure (task, NULL,
                      _("Profile-guided build: llvm-profdata could not merge the training "
                        "run’s profile."), g_strstrip (detail));
      return;
    }

  build_with_profile (g_steal_pointer (&task));
}

/* --- the training run ------------------------------------------------------------------- */

static void
trained_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgoState *state = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(KilnRunResult) run = NULL;
  GError *error = NULL;

  if (!(run = _kiln_toolchain_run_binary_finish (KILN_TOOLCHAIN (object), res, &error)))
    {
      return_error (task, error);
      return;
    }

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      end_cancelled (task);
      return;
    }

  if (!run->ok)
    {
      return_failure (task, NULL,
                      _("Profile-guided build: the training run of the instrumented program "
                        "failed."),
                      run->error != NULL ? run->error->message : NULL);
      return;
    }

  if (state->clang)
    {
      g_autofree char *raw = g_build_filename (state->profile_dir, "kiln.profraw", NULL);
      g_autofree char *merged = g_build_filename (state->profile_dir, "kiln.profdata", NULL);
      const char *argv[] = { state->profdata, "merge", "-o", merged, raw, NULL };

      g_strfreev (state->command);
      state->command = g_strdupv ((char **) argv);
      _kiln_process_run_async (argv, state->work_dir, NULL, PROFDATA_TIMEOUT_MS, 64 * 1024,
                               cancellable, merged_cb,
                               g_steal_pointer (&task));
      return;
    }

  build_with_profile (g_steal_pointer (&task));
}

/* --- the instrumented build ------------------------------------------------------------- */

static void
generate_built_cb (GObject      *object,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KilnToolchain *self = g_task_get_source_object (task);
  PgoState *state = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(KilnProcessResult) process = NULL;
  g_autoptr(KilnCompileResult) step = NULL;
  g_autofree char *binary = NULL;
  KilnRunLimits limits;
  GError *error = NULL;

  if (!(process = _kiln_process_run_finish (res, &error)))
    {
      return_error (task, error);
      return;
    }

  step = _kiln_toolchain_compile_result_from_process (
      process, state->compiler, state->command,
      (g_get_monotonic_time () - state->started) / (double) G_USEC_PER_SEC);
  if (!step->ok)
    {
      return_failure (task, step,
                      _("Profile-guided build: the instrumented build (the first compile, "
                        "which records a profile) failed."), NULL);
      return;
    }
  state->compile_seconds = step->seconds;

  /* One run on the training input, in the work folder (writable in the sandbox), where the
   * profile is written. */
  limits = state->limits;
  limits.max_runs = 1;
  binary = g_build_filename (state->work_dir, "main", NULL);
  _kiln_toolchain_run_binary_async (self, binary, state->work_dir,
                                    NULL, state->training, &limits,
                                    cancellable, trained_cb,
                                    g_steal_pointer (&task));
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PgoState *state = task_data;
  g_autofree char *bin_dir = g_build_filename (state->cache_dir, "bin", NULL);
  g_autofree char *build_dir = g_build_filename (state->cache_dir, "build", NULL);
  GError *error = NULL;

  state->binary = g_build_filename (bin_dir, state->key, NULL);
  state->meta = g_strconcat (state->binary, ".json", NULL);

  if ((state->result = _kiln_toolchain_load_cache_entry (state->binary, state->meta, NULL)))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  state->work_dir = _kiln_toolchain_make_work_dir (build_dir, "main.cpp", state->source, &error);
  if (state->work_dir == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  state->profile_dir = g_build_filename (state->work_dir, "profile", NULL);
  if (g_mkdir (state->profile_dir, 0700) < 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, KILN_ERROR, KILN_ERROR_CACHE,
                               _("Could not create the folder “%s”: %s. Check that the disk is "
                                 "not full and that the folder is writable."),
                               state->profile_dir, g_strerror (saved_errno));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
prepared_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgoState *state = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      return_error (task, error);
      return;
    }

  if (state->result != NULL)
    {
      g_task_return_pointer (task, kiln_compile_result_ref (state->result),
                             (GDestroyNotify) kiln_compile_result_unref);
      return;
    }

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      end_cancelled (task);
      return;
    }

  run_compiler (g_steal_pointer (&task), generate_command (state), cancellable,
                generate_built_cb);
}

static void
identified_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgoState *state = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GChecksum) training = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *version = NULL;
  g_autoptr(GTask) prepare = NULL;
  GError *error = NULL;
  gsize size = 0;
  const guchar *data;

  if (!(state->compiler = _kiln_toolchain_identify_finish (KILN_TOOLCHAIN (object), res,
                                                           &version, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  state->clang = strstr (version, "clang") != NULL;
  if (state->clang && !(state->profdata = find_profdata (state->compiler, version)))
    {
      g_autoptr(KilnCompileResult) result = kiln_compile_result_new ();

      state->profile_dir = g_strdup ("profile");
      result->command = use_command (state);
      result->output = g_strdup (_("Profile-guided builds are not supported with clang++ "
                                   "here: llvm-profdata, which turns the training run’s "
                                   "profile into one clang++ can use, was not found. Install "
                                   "it (on Debian and Ubuntu it comes with the package llvm) "
                                   "or use g++."));
      g_ptr_array_add (result->diagnostics,
                       kiln_diagnostic_new ("", 0, 0, KILN_SEVERITY_ERROR, result->output));
      g_task_return_pointer (task, g_steal_pointer (&result),
                             (GDestroyNotify) kiln_compile_result_unref);
      return;
    }

  /* The binary depends on the training input too. */
  data = state->training != NULL ? g_bytes_get_data (state->training, &size) : NULL;
  if (data != NULL)
    g_checksum_update (training, data, size);
  state->key = _kiln_toolchain_compute_cache_key ("kiln-binary-pgo-1", state->compiler, version,
                                                  state->flags, state->source,
                                                  g_checksum_get_string (training));

  prepare = g_task_new (NULL, cancellable, prepared_cb,
                        g_steal_pointer (&task));
  g_task_set_task_data (prepare, state, NULL);
  g_task_run_in_thread (prepare, prepare_thread);
}

void
kiln_toolchain_compile_pgo_async (KilnToolchain       *self,
                                  const char          *source,
                                  const char          *compiler,
                                  const char          *flags,
                                  GBytes              *training_input,
                                  const KilnRunLimits *limits,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  PgoState *state;

  g_return_if_fail (KILN_IS_TOOLCHAIN (self));
  g_return_if_fail (source != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_toolchain_compile_pgo_async);

  state = g_new0 (PgoState, 1);
  g_task_set_task_data (task, state, pgo_state_free);
  state->source = g_strdup (source);
  state->compiler_command = g_strdup (compiler);
  state->training = training_input != NULL ? g_bytes_ref (training_input) : NULL;
  state->cache_dir = g_strdup (self->cache_dir);
  if (limits != NULL)
    state->limits = *limits;
  else
    kiln_run_limits_init_default (&state->limits, KILN_LANGUAGE_CPP);

  if (!(state->flags = _kiln_toolchain_parse_flags (flags != NULL ? flags : self->flags,
                                                    &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _kiln_toolchain_identify_async (self, state->compiler_command, cancellable, identified_cb,
                                  g_steal_pointer (&task));
}

KilnCompileResult *
kiln_toolchain_compile_pgo_finish (KilnToolchain  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

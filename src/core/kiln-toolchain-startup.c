/* kiln-toolchain-startup.c: what an empty C++ program costs here, measured once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiln-error.h"
#include "kiln-toolchain-private.h"

#define EMPTY_PROGRAM "int main () { return 0; }\n"
#define STARTUP_RUNS 5
#define STARTUP_TIMEOUT_MS (10 * 1000)

/* One caller of measure_startup_async, waiting for the shared measurement. */
typedef struct
{
  gulong cancelled_id;
} Waiter;

/* The measurement in flight. */
typedef struct
{
  KilnToolchain *self;
  guint          generation;
  GCancellable  *cancellable;
} Measurement;

static void
measurement_free (Measurement *measurement)
{
  g_object_unref (measurement->self);
  g_object_unref (measurement->cancellable);
  g_free (measurement);
}

static void start_measurement (KilnToolchain *self);

static void
stop_waiting (GTask *task)
{
  Waiter *waiter = g_task_get_task_data (task);

  if (waiter->cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), waiter->cancelled_id);
      waiter->cancelled_id = 0;
    }
}

/* Hands @floor_seconds (or @error) to every caller waiting, and ends the measurement. */
static void
finish_measurement (Measurement  *measurement,
                    double        floor_seconds,
                    const GError *error)
{
  KilnToolchain *self = measurement->self;
  g_autoptr(GPtrArray) waiting = NULL;

  if (self->startup_cancellable == measurement->cancellable)
    g_clear_object (&self->startup_cancellable);

  /* Measured again when everyone who asked gave up and cancelled it but someone asked again
   * meanwhile, or when the compiler, flags or sandbox changed since it began: the figure
   * handed out is always the one of the settings in force. */
  if (self->startup_waiting->len > 0 &&
      (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
       measurement->generation != self->startup_generation))
    {
      start_measurement (self);
      measurement_free (measurement);
      return;
    }

  if (error == NULL && measurement->generation == self->startup_generation)
    _kiln_toolchain_set_startup_floor (self, floor_seconds);

  waiting = g_steal_pointer (&self->startup_waiting);
  self->startup_waiting = g_ptr_array_new ();
  for (guint i = 0; i < waiting->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (waiting, i);

      stop_waiting (task);
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_memdup2 (&floor_seconds, sizeof floor_seconds), g_free);
    }

  measurement_free (measurement);
}

static void
startup_ran_cb (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  Measurement *measurement = user_data;
  g_autoptr(KilnRunResult) run = NULL;
  g_autoptr(GError) error = NULL;
  double median = -1;

  run = kiln_toolchain_run_compiled_finish (KILN_TOOLCHAIN (object), res, &error);
  if (run != NULL && !run->ok)
    error = run->error != NULL
              ? g_error_copy (run->error)
              : g_error_new_literal (KILN_ERROR, KILN_ERROR_FAILED,
                                     _("An empty C++ program did not run here."));
  else if (run != NULL && !kiln_run_result_get_wall (run, &median, NULL, NULL))
    error = g_error_new_literal (KILN_ERROR, KILN_ERROR_FAILED,
                                 _("An empty C++ program did not run here."));

  finish_measurement (measurement, median, error);
}

static void
startup_compiled_cb (GObject      *object,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  Measurement *measurement = user_data;
  g_autoptr(KilnCompileResult) compile = NULL;
  g_autoptr(GError) error = NULL;
  KilnRunLimits limits;

  compile = kiln_toolchain_compile_full_finish (KILN_TOOLCHAIN (object), res, &error);
  if (compile == NULL)
    {
      finish_measurement (measurement, -1, error);
      return;
    }
  if (!compile->ok)
    {
      g_autofree char *message = _kiln_toolchain_summarize_compile_failure (compile);

      error = g_error_new_literal (KILN_ERROR, KILN_ERROR_COMPILE_FAILED, message);
      finish_measurement (measurement, -1, error);
      return;
    }

  kiln_run_limits_init_default (&limits, KILN_LANGUAGE_CPP);
  limits.timeout_ms = STARTUP_TIMEOUT_MS;
  limits.max_runs = STARTUP_RUNS;
  limits.time_budget_ms = STARTUP_RUNS * STARTUP_TIMEOUT_MS;
  kiln_toolchain_run_compiled_async (measurement->self, compile, NULL, &limits,
                                     measurement->cancellable, startup_ran_cb, measurement);
}

static void
start_measurement (KilnToolchain *self)
{
  Measurement *measurement = g_new0 (Measurement, 1);

  measurement->self = g_object_ref (self);
  measurement->generation = self->startup_generation;
  measurement->cancellable = g_cancellable_new ();
  self->startup_cancellable = g_object_ref (measurement->cancellable);

  kiln_toolchain_compile_full_async (self, EMPTY_PROGRAM, NULL, NULL, measurement->cancellable,
                                     startup_compiled_cb, measurement);
}

static gboolean
waiter_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  KilnToolchain *self = g_task_get_source_object (task);

  /* Still waiting? Then this caller gets its cancellation now; the measurement stops when
   * nobody waits for it any more. */
  if (g_ptr_array_remove (self->startup_waiting, task))
    {
      stop_waiting (task);
      g_task_return_error_if_cancelled (task);
      g_object_unref (task);
      if (self->startup_waiting->len == 0 && self->startup_cancellable != NULL)
        g_cancellable_cancel (self->startup_cancellable);
    }
  return G_SOURCE_REMOVE;
}

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     GTask        *task)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, waiter_cancelled_idle, g_object_ref (task),
                   g_object_unref);
}

void
kiln_toolchain_measure_startup_async (KilnToolchain       *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Waiter *waiter;

  g_return_if_fail (KILN_IS_TOOLCHAIN (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_toolchain_measure_startup_async);
  waiter = g_new0 (Waiter, 1);
  g_task_set_task_data (task, waiter, g_free);

  if (self->startup_floor >= 0)
    {
      g_task_return_pointer (task, g_memdup2 (&self->startup_floor, sizeof (double)), g_free);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (cancellable != NULL)
    waiter->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb),
                                                  task, NULL);
  g_ptr_array_add (self->startup_waiting, g_steal_pointer (&task));
  if (self->startup_cancellable == NULL)
    start_measurement (self);
}

double
kiln_toolchain_measure_startup_finish (KilnToolchain  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_autofree double *floor_seconds = NULL;

  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  floor_seconds = g_task_propagate_pointer (G_TASK (result), error);
  if (floor_seconds == NULL)
    return -1;

  return *floor_seconds;
}

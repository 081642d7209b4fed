/* kiln-reference.c: the original program's run, shared by every conversion of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-reference.h"

struct _KilnReference
{
  GObject        parent_instance;

  KilnToolchain *toolchain;
  KilnLanguage   language;
  char          *source;
  GBytes        *input;
  KilnRunLimits  limits;

  KilnRunResult *result;
  GCancellable  *run_cancellable;  /* non-NULL while the program runs */
  GPtrArray     *waiters;          /* GTask */
};

G_DEFINE_FINAL_TYPE (KilnReference, kiln_reference, G_TYPE_OBJECT)

typedef struct
{
  gulong cancelled_id;
} Waiter;

static void
kiln_reference_dispose (GObject *object)
{
  KilnReference *self = (KilnReference *) object;

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);

  G_OBJECT_CLASS (kiln_reference_parent_class)->dispose (object);
}

static void
kiln_reference_finalize (GObject *object)
{
  KilnReference *self = (KilnReference *) object;

  g_clear_object (&self->toolchain);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->input, g_bytes_unref);
  g_clear_pointer (&self->result, kiln_run_result_unref);
  g_clear_object (&self->run_cancellable);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (kiln_reference_parent_class)->finalize (object);
}

static void
kiln_reference_class_init (KilnReferenceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kiln_reference_dispose;
  object_class->finalize = kiln_reference_finalize;
}

static void
kiln_reference_init (KilnReference *self)
{
  self->waiters = g_ptr_array_new ();
}

KilnReference *
kiln_reference_new (KilnToolchain       *toolchain,
                    KilnLanguage         language,
                    const char          *source,
                    GBytes              *input,
                    const KilnRunLimits *limits)
{
  KilnReference *self;

  g_return_val_if_fail (KILN_IS_TOOLCHAIN (toolchain), NULL);
  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (limits != NULL, NULL);

  self = g_object_new (KILN_TYPE_REFERENCE, NULL);
  self->toolchain = g_object_ref (toolchain);
  self->language = language;
  self->source = g_strdup (source);
  /* Empty input and no input are the same run. */
  if (input != NULL && g_bytes_get_size (input) > 0)
    self->input = g_bytes_ref (input);
  self->limits = *limits;

  return self;
}

static gboolean
same_input (GBytes *a,
            GBytes *b)
{
  gsize a_size = a != NULL ? g_bytes_get_size (a) : 0;
  gsize b_size = b != NULL ? g_bytes_get_size (b) : 0;

  if (a_size != b_size)
    return FALSE;
  return a_size == 0 || g_bytes_equal (a, b);
}

static gboolean
same_limits (const KilnRunLimits *a,
             const KilnRunLimits *b)
{
  /* Field by field: the structs' padding holds whatever was on the stack. */
  return a->timeout_ms == b->timeout_ms && a->output_cap == b->output_cap &&
         a->max_runs == b->max_runs && a->time_budget_ms == b->time_budget_ms &&
         a->memory_limit == b->memory_limit && a->file_size_limit == b->file_size_limit &&
         a->max_processes == b->max_processes;
}

gboolean
kiln_reference_matches (KilnReference       *self,
                        KilnLanguage         language,
                        const char          *source,
                        GBytes              *input,
                        const KilnRunLimits *limits)
{
  g_return_val_if_fail (KILN_IS_REFERENCE (self), FALSE);

  return self->language == language &&
         g_strcmp0 (self->source, source) == 0 &&
         same_input (self->input, input) &&
         (limits == NULL || same_limits (&self->limits, limits));
}

void
kiln_reference_offer (KilnReference *self,
                      KilnRunResult *result)
{
  g_return_if_fail (KILN_IS_REFERENCE (self));
  g_return_if_fail (result != NULL);

  if (self->result == NULL && self->run_cancellable == NULL)
    self->result = kiln_run_result_ref (result);
}

KilnRunResult *
kiln_reference_get_result (KilnReference *self)
{
  g_return_val_if_fail (KILN_IS_REFERENCE (self), NULL);
  return self->result;
}

KilnLanguage
kiln_reference_get_language (KilnReference *self)
{
  g_return_val_if_fail (KILN_IS_REFERENCE (self), KILN_LANGUAGE_PYTHON);
  return self->language;
}

static void
waiter_stop (GTask *task)
{
  Waiter *waiter = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (waiter->cancelled_id != 0 && cancellable != NULL)
    g_cancellable_disconnect (cancellable, waiter->cancelled_id);
  waiter->cancelled_id = 0;
}

static gboolean
waiter_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  KilnReference *self = g_task_get_source_object (task);

  if (!g_ptr_array_remove (self->waiters, task))
    return G_SOURCE_REMOVE;

  waiter_stop (task);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);

  /* Nobody waits any more: the program need not finish. */
  if (self->waiters->len == 0 && self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);

  return G_SOURCE_REMOVE;
}

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     GTask        *task)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, waiter_cancelled_idle, g_object_ref (task),
                   g_object_unref);
}

static void
ran_cb (GObject      *object,
        GAsyncResult *res,
        gpointer      user_data)
{
  g_autoptr(KilnReference) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  KilnRunResult *result;

  result = kiln_toolchain_run_finish (KILN_TOOLCHAIN (object), res, &error);
  g_clear_object (&self->run_cancellable);
  if (result != NULL)
    {
      g_clear_pointer (&self->result, kiln_run_result_unref);
      self->result = result;
    }

  waiters = g_steal_pointer (&self->waiters);
  self->waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (waiters, i);

      waiter_stop (task);
      if (result != NULL)
        g_task_return_pointer (task, kiln_run_result_ref (result),
                               (GDestroyNotify) kiln_run_result_unref);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

void
kiln_reference_run_async (KilnReference       *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Waiter *waiter;

  g_return_if_fail (KILN_IS_REFERENCE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_reference_run_async);
  g_task_set_check_cancellable (task, FALSE);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->result != NULL && self->run_cancellable == NULL)
    {
      g_task_return_pointer (task, kiln_run_result_ref (self->result),
                             (GDestroyNotify) kiln_run_result_unref);
      return;
    }

  waiter = g_new0 (Waiter, 1);
  g_task_set_task_data (task, waiter, g_free);
  if (cancellable != NULL)
    waiter->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb),
                                                  task, NULL);
  g_ptr_array_add (self->waiters, g_steal_pointer (&task));

  if (self->run_cancellable == NULL)
    {
      self->run_cancellable = g_cancellable_new ();
      kiln_toolchain_run_async (self->toolchain, self->language, self->source, self->input,
                                &self->limits, self->run_cancellable, ran_cb,
                                g_object_ref (self));
    }
}

KilnRunResult *
kiln_reference_run_finish (KilnReference  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (KILN_IS_REFERENCE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* kiln-queue.c: turns, one holder at a time, in the order asked for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-queue.h"

struct _KilnQueue
{
  GObject  parent_instance;

  gboolean held;
  GQueue   waiting;      /* GTask */
};

typedef struct
{
  KilnQueue *queue;      /* not a reference: a waiting task holds the queue */
  gulong     cancelled_id;
} Waiter;

G_DEFINE_FINAL_TYPE (KilnQueue, kiln_queue, G_TYPE_OBJECT)

static void
kiln_queue_finalize (GObject *object)
{
  KilnQueue *self = (KilnQueue *) object;

  /* Each waiting task holds a reference, so none can be left here. */
  g_assert (g_queue_is_empty (&self->waiting));

  G_OBJECT_CLASS (kiln_queue_parent_class)->finalize (object);
}

static void
kiln_queue_class_init (KilnQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_queue_finalize;
}

static void
kiln_queue_init (KilnQueue *self)
{
  g_queue_init (&self->waiting);
}

KilnQueue *
kiln_queue_new (void)
{
  return g_object_new (KILN_TYPE_QUEUE, NULL);
}

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

static gboolean
cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  KilnQueue *self = g_task_get_source_object (task);

  /* Still waiting? Then it ends now, not when its turn comes. */
  if (g_queue_remove (&self->waiting, task))
    {
      stop_waiting (task);
      g_task_return_error_if_cancelled (task);
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  /* Not here: disconnecting from inside the handler would deadlock. */
  g_idle_add_full (G_PRIORITY_DEFAULT, cancelled_idle, g_object_ref (task), g_object_unref);
}

void
kiln_queue_enter_async (KilnQueue           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Waiter *waiter;

  g_return_if_fail (KILN_IS_QUEUE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_queue_enter_async);
  g_task_set_check_cancellable (task, FALSE);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!self->held)
    {
      self->held = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  waiter = g_new0 (Waiter, 1);
  waiter->queue = self;
  g_task_set_task_data (task, waiter, g_free);
  if (cancellable != NULL)
    waiter->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                  task, NULL);
  g_queue_push_tail (&self->waiting, g_steal_pointer (&task));
}

gboolean
kiln_queue_enter_finish (KilnQueue     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (KILN_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
kiln_queue_leave (KilnQueue *self)
{
  GTask *next;

  g_return_if_fail (KILN_IS_QUEUE (self));
  g_return_if_fail (self->held);

  next = g_queue_pop_head (&self->waiting);
  if (next == NULL)
    {
      self->held = FALSE;
      return;
    }

  /* The turn passes straight on: the queue stays held. */
  stop_waiting (next);
  g_task_return_boolean (next, TRUE);
  g_object_unref (next);
}

guint
kiln_queue_get_n_waiting (KilnQueue *self)
{
  g_return_val_if_fail (KILN_IS_QUEUE (self), 0);
  return self->waiting.length;
}

/* kiln-queue.h: turns, one holder at a time, in the order asked for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KILN_TYPE_QUEUE (kiln_queue_get_type ())

G_DECLARE_FINAL_TYPE (KilnQueue, kiln_queue, KILN, QUEUE, GObject)

/* Verification of several conversions takes turns through one of these, so that one
 * conversion's compiler never competes for the CPU with another's timed run. */
KilnQueue *kiln_queue_new          (void);
/* Completes when it is the caller's turn (TRUE), or with G_IO_ERROR_CANCELLED as soon as
 * @cancellable is cancelled while waiting. After TRUE the caller must kiln_queue_leave(). */
void       kiln_queue_enter_async  (KilnQueue           *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean   kiln_queue_enter_finish (KilnQueue           *self,
                                    GAsyncResult        *result,
                                    GError             **error);
void       kiln_queue_leave        (KilnQueue           *self);
/* How many wait for a turn (not counting the holder). */
guint      kiln_queue_get_n_waiting (KilnQueue          *self);

G_END_DECLS

/* kiln-cli-wait.c: waiting for async calls in kiln-cli's sequential commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-cli.h"

void
kiln_cli_waiter_cb (GObject      *object,
                    GAsyncResult *res,
                    gpointer      user_data)
{
  KilnCliWaiter *waiter = user_data;

  waiter->result = g_object_ref (res);
  g_main_loop_quit (waiter->loop);
}

GAsyncResult *
kiln_cli_waiter_wait (KilnCliWaiter *waiter)
{
  g_clear_object (&waiter->result);
  g_main_loop_run (waiter->loop);
  return waiter->result;
}

gboolean
kiln_cli_on_interrupt (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_CONTINUE;
}

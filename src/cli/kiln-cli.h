/* kiln-cli.h: what the commands of kiln-cli share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kiln-toolchain.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean    json;
  const char *models_file;
  const char *model_id;
  const char *system_file;
  double      idle_timeout;
  const char *output_path;
  gboolean    run;
  int         max_attempts;
} KilnCliOptions;

/* Waits for one async call at a time on a GMainLoop: the commands are sequential scripts. */
typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
  GCancellable *cancellable;
} KilnCliWaiter;

void          kiln_cli_waiter_cb   (GObject       *object,
                                    GAsyncResult  *res,
                                    gpointer       user_data);
GAsyncResult *kiln_cli_waiter_wait (KilnCliWaiter *waiter);
/* A GSourceFunc for g_unix_signal_add(): cancels the GCancellable it is given. */
gboolean      kiln_cli_on_interrupt (gpointer      cancellable);

int kiln_cli_models (const KilnCliOptions *options);
int kiln_cli_ask     (const KilnCliOptions *options,
                      const char           *prompt_file);
int kiln_cli_convert (const KilnCliOptions *options,
                      const char           *path,
                      KilnToolchain        *toolchain,
                      GBytes               *input,
                      const KilnRunLimits  *python_limits,
                      const KilnRunLimits  *cpp_limits);

G_END_DECLS

/* kiln-cli.h: what the commands of kiln-cli share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kiln-run-config.h"
#include "kiln-toolchain.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean    json;
  const char *models_file;
  const char *model_id;            /* ask, convert: the one --model */
  const char * const *model_ids;   /* compare-models: every --model, in order */
  const char *system_file;
  double      idle_timeout;
  const char *output_path;
  gboolean    run;
  int         max_attempts;
  const char *cache_dir;
  gboolean    csv;
  gboolean    markdown;
  const char * const *hidden_cases;  /* input cases hidden from the model; NULL: none */
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

/* A toolchain following @config's interpreter, compiler, flags and sandbox, as a
 * KilnSession's does; @cache_dir: NULL for the default. */
KilnToolchain *kiln_cli_new_toolchain (KilnRunConfig *config,
                                       const char    *cache_dir);

int kiln_cli_models (const KilnCliOptions *options);
int kiln_cli_ask     (const KilnCliOptions *options,
                      const char           *prompt_file);
/* @config: built from the command line like every command's (kiln-cli.c). */
int kiln_cli_convert (const KilnCliOptions *options,
                      const char           *path,
                      KilnRunConfig        *config,
                      GBytes               *input);
int kiln_cli_compare_models (const KilnCliOptions *options,
                             const char           *path,
                             KilnRunConfig        *config,
                             GBytes               *input);

/* @cases: the input cases (stdin), NULL-terminated; NULL: one case with empty stdin. */
int kiln_cli_optimize (const KilnCliOptions *options,
                       const char           *path,
                       KilnRunConfig        *config,
                       const char * const   *cases);
/* --rounds, --samples, --no-flag-search, --allow-fast-math */
GOptionGroup *kiln_cli_optimize_option_group (void);

G_END_DECLS

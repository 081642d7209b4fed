/* kiln-cli.h: what the commands of kiln-cli share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean    json;
  const char *models_file;
  const char *model_id;
  const char *system_file;
  double      idle_timeout;
} KilnCliOptions;

int kiln_cli_models (const KilnCliOptions *options);
int kiln_cli_ask    (const KilnCliOptions *options,
                     const char           *prompt_file);

G_END_DECLS

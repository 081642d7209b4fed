/* kiln-cli.h: what the commands of kiln-cli share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

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

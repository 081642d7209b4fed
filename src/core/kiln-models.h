/* kiln-models.h: reading models.json (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "kiln-model.h"

G_BEGIN_DECLS

/* Where the built-in registry lives in the core GResource. */
#define KILN_MODELS_RESOURCE_PATH "/io/github/kilnapp/Kiln/core/models/models.json"

/* Parses the text of a models.json file:
 *
 *   {"models": [{"id": ..., "label": ..., "provider": ..., "api": ..., "base_url": ...,
 *                "model": ..., "key_env": ..., "chat_template": ..., "max_tokens": ...,
 *                "temperature": ..., "price_in_per_mtok": ..., "price_out_per_mtok": ...,
 *                "max_retries": ..., "allow_insecure": ...}, ...]}
 *
 * @origin names the file in messages (e.g. "~/.config/kiln/models.json") and becomes each
 * model's origin. Good entries are appended to @models (KilnModel, full reference; give the
 * array kiln_model_unref as free func), in file order. Each bad entry appends one GError to
 * @errors (give it g_error_free) naming @origin, the entry and the field, with
 * KILN_ERROR_BAD_MODEL_ENTRY (or KILN_ERROR_INSECURE_URL for plain http to another host);
 * the other entries still load. Unknown fields are ignored.
 *
 * Returns FALSE when the document as a whole cannot be read (not UTF-8, not JSON, no
 * "models" list); then @errors holds exactly one new error and @models is unchanged. */
gboolean kiln_models_parse (const char *text,
                            gsize       length,
                            const char *origin,
                            GPtrArray  *models,
                            GPtrArray  *errors);

G_END_DECLS

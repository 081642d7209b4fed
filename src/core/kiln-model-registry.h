/* kiln-model-registry.h: the models Kiln knows, where they come from, which are usable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kiln-key-store.h"
#include "kiln-model.h"
#include "kiln-model-item.h"

G_BEGIN_DECLS

#define KILN_TYPE_MODEL_REGISTRY (kiln_model_registry_get_type ())

/* A GListModel of KilnModelItem: configured models first (built-in order, then entries the
 * user file adds), then the ones discovery found. Bind a dropdown to it directly.
 *
 * Sources, read by kiln_model_registry_load_async():
 *  - the built-in models.json (core GResource), then
 *  - "user-file" (default $XDG_CONFIG_HOME/kiln/models.json, missing is fine): an entry
 *    with a built-in id replaces that whole entry, other entries are added;
 *  - or, when "override-file" is set (kiln-cli --models FILE, or $KILN_MODELS_FILE), only
 *    that file: it replaces both.
 *
 * Discovery asks http://127.0.0.1:11434/api/tags ("ollama-url", $KILN_OLLAMA_URL) and
 * http://127.0.0.1:8080/v1/models ("local-openai-url", $KILN_LOCAL_OPENAI_URL) what they
 * serve, and adds those models (origin "discovered"); it also checks the server of every
 * configured model on this machine. Each probe gives up after 1.5 s.
 *
 * A model is available when its base_url is set, its key is found (keyring or
 * environment) if it has a key_env, and its server answered if it is on this machine.
 * An unavailable item has a one-line hint saying what to do.
 *
 * Signals: "changed" after a load, a discovery or a key change has updated the list and
 * the availability (the items also notify "available" and "hint"). */
G_DECLARE_FINAL_TYPE (KilnModelRegistry, kiln_model_registry, KILN, MODEL_REGISTRY, GObject)

/* @key_store: NULL reads keys from the environment only. */
KilnModelRegistry *kiln_model_registry_new                  (KilnKeyStore         *key_store);

KilnKeyStore      *kiln_model_registry_get_key_store        (KilnModelRegistry    *self);
const char        *kiln_model_registry_get_user_file        (KilnModelRegistry    *self);
void               kiln_model_registry_set_user_file        (KilnModelRegistry    *self,
                                                             const char           *path);
const char        *kiln_model_registry_get_override_file    (KilnModelRegistry    *self);
void               kiln_model_registry_set_override_file    (KilnModelRegistry    *self,
                                                             const char           *path);
const char        *kiln_model_registry_get_ollama_url       (KilnModelRegistry    *self);
void               kiln_model_registry_set_ollama_url       (KilnModelRegistry    *self,
                                                             const char           *url);
const char        *kiln_model_registry_get_local_openai_url (KilnModelRegistry    *self);
void               kiln_model_registry_set_local_openai_url (KilnModelRegistry    *self,
                                                             const char           *url);

/* Reads the files, then checks keys and discovers servers; the list is replaced as soon as
 * the files are read, and the task completes when availability is known. Bad entries do
 * not fail the load: they are in kiln_model_registry_get_errors(). Fails only when the
 * override file cannot be read or is not a models.json at all (the list is then empty). */
void               kiln_model_registry_load_async           (KilnModelRegistry    *self,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean           kiln_model_registry_load_finish          (KilnModelRegistry    *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

/* Asks the local servers again (a "Refresh" button). Never fails except when cancelled. */
void               kiln_model_registry_discover_async       (KilnModelRegistry    *self,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean           kiln_model_registry_discover_finish      (KilnModelRegistry    *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

/* The problems of the last load, for display (GError, transfer none). */
GPtrArray         *kiln_model_registry_get_errors           (KilnModelRegistry    *self);
/* A new array of every model (KilnModel, full references), in list order. */
GPtrArray         *kiln_model_registry_dup_models           (KilnModelRegistry    *self);
/* The model @id, a new reference, or NULL with KILN_ERROR_UNKNOWN_MODEL. */
KilnModel         *kiln_model_registry_lookup               (KilnModelRegistry    *self,
                                                             const char           *id,
                                                             GError              **error);
/* The item of @id, or NULL (transfer none). */
KilnModelItem     *kiln_model_registry_lookup_item          (KilnModelRegistry    *self,
                                                             const char           *id);

G_END_DECLS

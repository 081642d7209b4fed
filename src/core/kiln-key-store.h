/* kiln-key-store.h: API keys in the desktop keyring (libsecret), else the environment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "kiln-model.h"

G_BEGIN_DECLS

/* Keys are keyring items of this schema with the attribute "key-name" = the name of the
 * environment variable the key would otherwise come from (a model's key_env, e.g.
 * "OPENAI_API_KEY"), labelled "Kiln: OPENAI_API_KEY". */
#define KILN_KEY_SCHEMA_NAME "io.github.kilnapp.Kiln.ApiKey"

typedef enum
{
  KILN_KEY_SOURCE_NONE,         /* no key needed, or none found */
  KILN_KEY_SOURCE_KEYRING,
  KILN_KEY_SOURCE_ENVIRONMENT,
} KilnKeySource;

#define KILN_TYPE_KEY_STORE (kiln_key_store_get_type ())

G_DECLARE_FINAL_TYPE (KilnKeyStore, kiln_key_store, KILN, KEY_STORE, GObject)

const SecretSchema *kiln_key_store_get_schema                (void);

/* @use_keyring: FALSE reads only the environment (tests, or a headless kiln-cli). A keyring
 * that is not there (no Secret Service on the bus) is never fatal to lookups: they fall
 * back to the environment. Keys are never logged nor put in error messages. */
KilnKeyStore       *kiln_key_store_new                       (gboolean             use_keyring);
gboolean            kiln_key_store_get_use_keyring           (KilnKeyStore        *self);

/* Saves @key under @key_name in the default collection, replacing any earlier one; emits
 * "changed". Fails when the keyring is not available, with a message that says what
 * failed and what to do, never the D-Bus text: no Secret Service ("No keyring is
 * running: …"), a locked collection ("The keyring is locked: …"), a prompt that was
 * dismissed or could not be shown ("Saving the key was cancelled: …"). */
void                kiln_key_store_store_async               (KilnKeyStore        *self,
                                                              const char          *key_name,
                                                              const char          *key,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean            kiln_key_store_store_finish              (KilnKeyStore        *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);

/* Removes the keyring item (succeeds when there was none); emits "changed". The
 * environment is left alone. */
void                kiln_key_store_clear_async               (KilnKeyStore        *self,
                                                              const char          *key_name,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean            kiln_key_store_clear_finish              (KilnKeyStore        *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);

/* The key named @key_name: the keyring first, else the environment variable @key_name.
 * Fails with KILN_ERROR_KEY_MISSING (naming the variable and Preferences) when neither has
 * it. Free the key with kiln_key_free(). @source may be NULL. */
void                kiln_key_store_lookup_async              (KilnKeyStore        *self,
                                                              const char          *key_name,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
char               *kiln_key_store_lookup_finish             (KilnKeyStore        *self,
                                                              GAsyncResult        *result,
                                                              KilnKeySource       *source,
                                                              GError             **error);

/* The same for @model's key_env. A model without key_env needs no key: the result is NULL
 * with no error and source KILN_KEY_SOURCE_NONE. */
void                kiln_key_store_lookup_for_model_async    (KilnKeyStore        *self,
                                                              const KilnModel     *model,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
char               *kiln_key_store_lookup_for_model_finish   (KilnKeyStore        *self,
                                                              GAsyncResult        *result,
                                                              KilnKeySource       *source,
                                                              GError             **error);

/* Overwrites the key's memory before freeing it. NULL is fine. */
void                kiln_key_free                            (char                *key);

G_END_DECLS

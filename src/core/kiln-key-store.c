/* kiln-key-store.c: API keys in the desktop keyring, else the environment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keys are secrets: nothing here logs one, writes one to a file or puts one in an error
 * message. Debug messages name only the variable (e.g. OPENAI_API_KEY).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kiln-error.h"
#include "kiln-key-store.h"

struct _KilnKeyStore
{
  GObject  parent_instance;

  gboolean use_keyring;
};

G_DEFINE_FINAL_TYPE (KilnKeyStore, kiln_key_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USE_KEYRING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  char          *key_name;
  char          *key;
  KilnKeySource  source;
} LookupData;

static void
lookup_data_free (gpointer data)
{
  LookupData *lookup = data;

  g_free (lookup->key_name);
  kiln_key_free (lookup->key);
  g_free (lookup);
}

const SecretSchema *
kiln_key_store_get_schema (void)
{
  static const SecretSchema schema = {
    KILN_KEY_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "key-name", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

void
kiln_key_free (char *key)
{
  if (key == NULL)
    return;

  explicit_bzero (key, strlen (key));
  g_free (key);
}

static gboolean
is_valid_key_name (const char *key_name)
{
  return key_name != NULL && key_name[0] != '\0';
}

static void
kiln_key_store_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  KilnKeyStore *self = KILN_KEY_STORE (object);

  switch (prop_id)
    {
    case PROP_USE_KEYRING:
      g_value_set_boolean (value, self->use_keyring);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_key_store_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  KilnKeyStore *self = KILN_KEY_STORE (object);

  switch (prop_id)
    {
    case PROP_USE_KEYRING:
      self->use_keyring = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_key_store_class_init (KilnKeyStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = kiln_key_store_get_property;
  object_class->set_property = kiln_key_store_set_property;

  properties[PROP_USE_KEYRING] =
    g_param_spec_boolean ("use-keyring", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* KilnKeyStore::changed: (key_name) a key was stored or cleared */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
kiln_key_store_init (KilnKeyStore *self)
{
  self->use_keyring = TRUE;
}

KilnKeyStore *
kiln_key_store_new (gboolean use_keyring)
{
  return g_object_new (KILN_TYPE_KEY_STORE, "use-keyring", use_keyring, NULL);
}

gboolean
kiln_key_store_get_use_keyring (KilnKeyStore *self)
{
  g_return_val_if_fail (KILN_IS_KEY_STORE (self), FALSE);

  return self->use_keyring;
}

/* --- what the keyring said, for a person --- */

static gboolean
is_no_service (const GError *error)
{
  /* No bus to connect to, no "dbus-launch", or nobody owns (nor can start) the name. */
  if (error->domain == G_IO_ERROR || error->domain == G_SPAWN_ERROR)
    return TRUE;

  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_FILE_NOT_FOUND) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_BAD_ADDRESS) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_SIGNALED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FAILED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_INVALID);
}

/* A prompt that was dismissed, or could not be shown (no prompter), reaches libsecret as a
 * collection that stays locked (SECRET_ERROR_IS_LOCKED), as a default collection that was
 * never created (no such object at its path), or as G_IO_ERROR_CANCELLED. */
static gboolean
is_dismissed (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT);
}

/* The message of @error as libsecret gave it, when it is fit to show: without the D-Bus
 * error name in front, and without bus names. */
static char *
dup_plain_message (const GError *error)
{
  g_autoptr(GError) copy = g_error_copy (error);

  g_dbus_error_strip_remote_error (copy);
  if (strstr (copy->message, "GDBus") != NULL || strstr (copy->message, "org.freedesktop") != NULL
      || strstr (copy->message, "org.gnome") != NULL)
    return NULL;

  return g_strdup (copy->message);
}

/* What failed and what to do, never the D-Bus text (that goes to the debug log). The
 * messages name only the variable, never the key. */
static GError *
keyring_error (const GError *error,
               const char   *key_name,
               gboolean      storing)
{
  g_autofree char *plain = NULL;

  g_debug ("The keyring said (%s): %s", key_name, error->message);

  if (is_no_service (error))
    return g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                        _("No keyring is running: install gnome-keyring (or another Secret "
                          "Service) and log in again, or set %s in the environment instead"),
                        key_name);

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    return g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                        storing
                        ? _("The keyring is locked: unlock it and try again, or set %s in the "
                            "environment instead")
                        : _("The keyring is locked: unlock it and try again to remove %s"),
                        key_name);

  if (is_dismissed (error))
    return g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                        storing
                        ? _("Saving the key was cancelled: the keyring’s prompt was closed or "
                            "could not be shown. Try again, or set %s in the environment "
                            "instead")
                        : _("Removing %s was cancelled: the keyring’s prompt was closed or "
                            "could not be shown. Try again"),
                        key_name);

  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY))
    return g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                        storing
                        ? _("The keyring did not answer: try again, or set %s in the "
                            "environment instead")
                        : _("The keyring did not answer: try again to remove %s"),
                        key_name);

  plain = dup_plain_message (error);
  if (storing && plain != NULL)
    /* Translators: the variable the key is for, then the keyring's own words */
    return g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                        _("Could not save %s in the keyring (%s): try again, or set it in "
                          "the environment instead"), key_name, plain);
  if (storing)
    return g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                        _("Could not save %s in the keyring: try again, or set it in the "
                          "environment instead"), key_name);
  if (plain != NULL)
    return g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                        _("Could not remove %s from the keyring (%s): try again"),
                        key_name, plain);

  return g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                      _("Could not remove %s from the keyring: try again"), key_name);
}

/* --- store --- */

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  KilnKeyStore *self = g_task_get_source_object (task);
  const char *key_name = g_task_get_task_data (task);

  if (!secret_password_store_finish (result, &error))
    {
      /* Cancelled by the caller, or by a person in the keyring's prompt. */
      if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, keyring_error (error, key_name, TRUE));
      return;
    }

  g_debug ("Stored %s in the keyring", key_name);
  g_signal_emit (self, signals[CHANGED], 0, key_name);
  g_task_return_boolean (task, TRUE);
}

void
kiln_key_store_store_async (KilnKeyStore        *self,
                            const char          *key_name,
                            const char          *key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (KILN_IS_KEY_STORE (self));
  g_return_if_fail (is_valid_key_name (key_name));
  g_return_if_fail (key != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_key_store_store_async);
  g_task_set_task_data (task, g_strdup (key_name), g_free);

  if (!self->use_keyring)
    {
      g_task_return_new_error (task, KILN_ERROR, KILN_ERROR_FAILED,
                               _("Could not save %s: the keyring is not in use. Set it in the "
                                 "environment instead"), key_name);
      return;
    }

  if (key[0] == '\0')
    {
      g_task_return_new_error (task, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                               _("Could not save %s: the key is empty"), key_name);
      return;
    }

  label = g_strdup_printf ("Kiln: %s", key_name);
  secret_password_store (kiln_key_store_get_schema (), SECRET_COLLECTION_DEFAULT, label, key,
                         cancellable, store_cb, g_steal_pointer (&task),
                         "key-name", key_name,
                         NULL);
}

gboolean
kiln_key_store_store_finish (KilnKeyStore  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (KILN_IS_KEY_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- clear --- */

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  KilnKeyStore *self = g_task_get_source_object (task);
  const char *key_name = g_task_get_task_data (task);

  /* FALSE without an error: there was nothing to remove, which is fine. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, keyring_error (error, key_name, FALSE));
      return;
    }

  g_debug ("Removed %s from the keyring", key_name);
  g_signal_emit (self, signals[CHANGED], 0, key_name);
  g_task_return_boolean (task, TRUE);
}

void
kiln_key_store_clear_async (KilnKeyStore        *self,
                            const char          *key_name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KILN_IS_KEY_STORE (self));
  g_return_if_fail (is_valid_key_name (key_name));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_key_store_clear_async);
  g_task_set_task_data (task, g_strdup (key_name), g_free);

  if (!self->use_keyring)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  secret_password_clear (kiln_key_store_get_schema (), cancellable,
                         clear_cb, g_steal_pointer (&task),
                         "key-name", key_name,
                         NULL);
}

gboolean
kiln_key_store_clear_finish (KilnKeyStore  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (KILN_IS_KEY_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- lookup --- */

static void
lookup_from_environment (GTask *task)
{
  LookupData *lookup = g_task_get_task_data (task);
  const char *value = g_getenv (lookup->key_name);

  if (value != NULL && value[0] != '\0')
    {
      g_debug ("Using %s from the environment", lookup->key_name);
      lookup->key = g_strdup (value);
      lookup->source = KILN_KEY_SOURCE_ENVIRONMENT;
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_debug ("No key %s in the keyring nor in the environment", lookup->key_name);
  g_task_return_new_error (task, KILN_ERROR, KILN_ERROR_KEY_MISSING,
                           _("No API key: set the environment variable %s, or add the key "
                             "in Preferences"),
                           lookup->key_name);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  LookupData *lookup = g_task_get_task_data (task);
  char *key;

  key = secret_password_lookup_finish (result, &error);
  if (key != NULL)
    {
      g_debug ("Using %s from the keyring", lookup->key_name);
      lookup->key = g_strdup (key);
      lookup->source = KILN_KEY_SOURCE_KEYRING;
      secret_password_free (key);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* No Secret Service, a locked collection or a dismissed prompt: not fatal. */
  if (error != NULL)
    g_debug ("The keyring could not be read (%s); looking for %s in the environment",
             error->message, lookup->key_name);

  lookup_from_environment (task);
}

void
kiln_key_store_lookup_async (KilnKeyStore        *self,
                             const char          *key_name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LookupData *lookup;

  g_return_if_fail (KILN_IS_KEY_STORE (self));
  g_return_if_fail (is_valid_key_name (key_name));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_key_store_lookup_async);
  lookup = g_new0 (LookupData, 1);
  lookup->key_name = g_strdup (key_name);
  g_task_set_task_data (task, lookup, lookup_data_free);

  if (!self->use_keyring)
    {
      lookup_from_environment (task);
      return;
    }

  secret_password_lookup (kiln_key_store_get_schema (), cancellable,
                          lookup_cb, g_steal_pointer (&task),
                          "key-name", key_name,
                          NULL);
}

char *
kiln_key_store_lookup_finish (KilnKeyStore   *self,
                              GAsyncResult   *result,
                              KilnKeySource  *source,
                              GError        **error)
{
  LookupData *lookup;

  g_return_val_if_fail (KILN_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (source != NULL)
    *source = KILN_KEY_SOURCE_NONE;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  lookup = g_task_get_task_data (G_TASK (result));
  if (source != NULL)
    *source = lookup->source;

  return g_steal_pointer (&lookup->key);
}

static void
lookup_for_model_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  LookupData *lookup = g_task_get_task_data (task);

  lookup->key = kiln_key_store_lookup_finish (KILN_KEY_STORE (object), result,
                                              &lookup->source, &error);
  if (lookup->key == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
kiln_key_store_lookup_for_model_async (KilnKeyStore        *self,
                                       const KilnModel     *model,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LookupData *lookup;

  g_return_if_fail (KILN_IS_KEY_STORE (self));
  g_return_if_fail (model != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_key_store_lookup_for_model_async);
  lookup = g_new0 (LookupData, 1);
  lookup->key_name = g_strdup (model->key_env);
  g_task_set_task_data (task, lookup, lookup_data_free);

  if (!is_valid_key_name (model->key_env))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  kiln_key_store_lookup_async (self, model->key_env, cancellable,
                               lookup_for_model_cb, g_steal_pointer (&task));
}

char *
kiln_key_store_lookup_for_model_finish (KilnKeyStore   *self,
                                        GAsyncResult   *result,
                                        KilnKeySource  *source,
                                        GError        **error)
{
  LookupData *lookup;

  g_return_val_if_fail (KILN_IS_KEY_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (source != NULL)
    *source = KILN_KEY_SOURCE_NONE;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  lookup = g_task_get_task_data (G_TASK (result));
  if (source != NULL)
    *source = lookup->source;

  return g_steal_pointer (&lookup->key);
}

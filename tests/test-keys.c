/* test-keys.c: API keys in a real Secret Service (gnome-keyring), the environment fallback,
 * and that a key never reaches the log or an error message
 *
 * Run it on a private session bus: dbus-run-session -- ./test-keys
 * It starts its own gnome-keyring-daemon with a fresh data directory; with --unlock and a
 * password on stdin the daemon creates the "login" collection, unlocked, and makes it the
 * default alias, which is where kiln_key_store_store_async() saves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "kiln-error.h"
#include "kiln-key-store.h"
#include "kiln-model-registry.h"

static const char *skip_reason;
static char *tmp_dir;
static GSubprocess *daemon_process;
static GMutex log_lock;
static GString *log_text;

/* --- capturing every log message, debug included --- */

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_autofree char *line = g_log_writer_format_fields (log_level, fields, n_fields, FALSE);

  g_mutex_lock (&log_lock);
  g_string_append (log_text, line);
  g_string_append_c (log_text, '\n');
  g_mutex_unlock (&log_lock);

  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  return G_LOG_WRITER_HANDLED;
}

static gboolean
log_contains (const char *text)
{
  gboolean found;

  g_mutex_lock (&log_lock);
  found = strstr (log_text->str, text) != NULL;
  g_mutex_unlock (&log_lock);

  return found;
}

/* --- waiting --- */

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Waiter *waiter)
{
  g_clear_object (&waiter->result);
  while (waiter->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return waiter->result;
}

static gboolean
store_key (KilnKeyStore  *store,
           const char    *name,
           const char    *key,
           GError       **error)
{
  Waiter waiter = { NULL };
  gboolean ok;

  kiln_key_store_store_async (store, name, key, NULL, store_result, &waiter);
  ok = kiln_key_store_store_finish (store, wait_for (&waiter), error);
  g_clear_object (&waiter.result);

  return ok;
}

static gboolean
clear_key (KilnKeyStore  *store,
           const char    *name,
           GError       **error)
{
  Waiter waiter = { NULL };
  gboolean ok;

  kiln_key_store_clear_async (store, name, NULL, store_result, &waiter);
  ok = kiln_key_store_clear_finish (store, wait_for (&waiter), error);
  g_clear_object (&waiter.result);

  return ok;
}

static char *
lookup_key (KilnKeyStore   *store,
            const char     *name,
            KilnKeySource  *source,
            GError        **error)
{
  Waiter waiter = { NULL };
  char *key;

  kiln_key_store_lookup_async (store, name, NULL, store_result, &waiter);
  key = kiln_key_store_lookup_finish (store, wait_for (&waiter), source, error);
  g_clear_object (&waiter.result);

  return key;
}

static gboolean
skip_without_keyring (void)
{
  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return TRUE;
    }

  return FALSE;
}

/* --- the daemon --- */

static gboolean
name_has_owner (GDBusConnection *bus,
                const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);

  return owned;
}

static void
name_appeared (GDBusConnection *bus,
               const char      *name,
               const char      *owner,
               gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The default alias must point at an unlocked collection, or storing would prompt. */
static gboolean
default_collection_unlocked (GDBusConnection  *bus,
                             char            **path_out)
{
  g_autoptr(GVariant) alias = NULL;
  g_autoptr(GVariant) locked = NULL;
  g_autoptr(GVariant) value = NULL;
  const char *path;

  alias = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "ReadAlias",
                                       g_variant_new ("(s)", "default"), G_VARIANT_TYPE ("(o)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (alias == NULL)
    return FALSE;

  g_variant_get (alias, "(&o)", &path);
  *path_out = g_strdup (path);
  if (g_str_equal (path, "/"))
    return FALSE;

  locked = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", path,
                                        "org.freedesktop.DBus.Properties", "Get",
                                        g_variant_new ("(ss)", "org.freedesktop.Secret.Collection",
                                                       "Locked"),
                                        G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                        NULL, NULL);
  if (locked == NULL)
    return FALSE;

  g_variant_get (locked, "(v)", &value);
  return !g_variant_get_boolean (value);
}

static void
start_daemon (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *data_dir = NULL;
  g_autofree char *runtime_dir = NULL;
  g_autofree char *collection = NULL;
  GOutputStream *input;
  gboolean appeared = FALSE;
  gboolean timed_out = FALSE;
  guint watch_id;
  guint timeout_id;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      skip_reason = "No D-Bus session bus: run this test under dbus-run-session";
      return;
    }

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      skip_reason = "The D-Bus session bus cannot be reached: run under dbus-run-session";
      return;
    }

  if (program == NULL)
    {
      skip_reason = "gnome-keyring-daemon is not installed";
      return;
    }

  /* Never take over someone's real keyring. */
  if (name_has_owner (bus, "org.freedesktop.secrets"))
    {
      skip_reason = "A Secret Service already runs on this bus: run this test under "
                    "dbus-run-session so it gets a private one";
      return;
    }

  data_dir = g_build_filename (tmp_dir, "data", NULL);
  runtime_dir = g_build_filename (tmp_dir, "runtime", NULL);
  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime_dir, 0700), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE
                                        );
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GNOME_KEYRING_CONTROL");
  /* gnome-keyring 42 warns "asked to register item …, but it's already registered" when an
   * item is replaced; our fatal-warnings must not kill it. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  daemon_process = g_subprocess_launcher_spawn (launcher, &error, program, "--replace",
                                                "--unlock", "--components=secrets",
                                                "--foreground", NULL);
  g_assert_no_error (error);

  /* The password of the new login keyring, then end of input. */
  input = g_subprocess_get_stdin_pipe (daemon_process);
  g_output_stream_write_all (input, "kiln-test\n", strlen ("kiln-test\n"), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (input, NULL, &error);
  g_assert_no_error (error);

  watch_id = g_bus_watch_name_on_connection (bus, "org.freedesktop.secrets",
                                             G_BUS_NAME_WATCHER_FLAGS_NONE,
                                             name_appeared, NULL, &appeared, NULL);
  timeout_id = g_timeout_add_seconds (15, set_flag, &timed_out);
  while (!appeared && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_bus_unwatch_name (watch_id);
  if (!timed_out)
    g_source_remove (timeout_id);

  if (!appeared)
    g_error ("gnome-keyring-daemon did not take org.freedesktop.secrets within 15 s");

  if (!default_collection_unlocked (bus, &collection))
    g_error ("gnome-keyring-daemon has no unlocked default collection (default is %s)",
             collection != NULL ? collection : "unreadable");

  g_test_message ("Secret Service up; default collection %s", collection);
}

static void
stop_daemon (void)
{
  if (daemon_process == NULL)
    return;

  g_subprocess_send_signal (daemon_process, SIGTERM);
  g_subprocess_wait (daemon_process, NULL, NULL);
  g_clear_object (&daemon_process);
}

/* --- tests --- */

static void
on_changed (KilnKeyStore *store,
            const char   *key_name,
            GPtrArray    *names)
{
  g_ptr_array_add (names, g_strdup (key_name));
}

/* Asks the Secret Service itself (not libsecret) for our items named @key_name: there must
 * be exactly one; returns its label. */
static char *
item_label_of (const char *key_name)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) label = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autofree const char **unlocked = NULL;
  g_autofree const char **locked = NULL;
  GVariantBuilder attributes;

  g_variant_builder_init (&attributes, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&attributes, "{ss}", "xdg:schema", KILN_KEY_SCHEMA_NAME);
  g_variant_builder_add (&attributes, "{ss}", "key-name", key_name);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "SearchItems",
                                       g_variant_new ("(a{ss})", &attributes),
                                       G_VARIANT_TYPE ("(aoao)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  g_assert_nonnull (reply);
  g_variant_get (reply, "(^a&o^a&o)", &unlocked, &locked);
  g_assert_cmpuint (g_strv_length ((char **) unlocked), ==, 1);
  g_assert_cmpuint (g_strv_length ((char **) locked), ==, 0);

  label = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", unlocked[0],
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "org.freedesktop.Secret.Item",
                                                      "Label"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  g_assert_nonnull (label);
  g_variant_get (label, "(v)", &value);

  return g_variant_dup_string (value, NULL);
}

static void
test_store_lookup_clear (void)
{
  g_autoptr(KilnKeyStore) store = NULL;
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  KilnKeySource source;
  char *key;

  if (skip_without_keyring ())
    return;

  g_unsetenv ("KILN_TEST_KEY_A");
  store = kiln_key_store_new (TRUE);
  g_signal_connect (store, "changed", G_CALLBACK (on_changed), changed);

  g_assert_true (store_key (store, "KILN_TEST_KEY_A", "first-value", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (changed, 0), ==, "KILN_TEST_KEY_A");

  key = lookup_key (store, "KILN_TEST_KEY_A", &source, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "first-value");
  g_assert_cmpint (source, ==, KILN_KEY_SOURCE_KEYRING);
  kiln_key_free (key);

  /* Storing again replaces: one item, with our schema, attribute and label. */
  g_assert_true (store_key (store, "KILN_TEST_KEY_A", "second-value", &error));
  key = lookup_key (store, "KILN_TEST_KEY_A", &source, &error);
  g_assert_cmpstr (key, ==, "second-value");
  kiln_key_free (key);

  label = item_label_of ("KILN_TEST_KEY_A");
  g_assert_cmpstr (label, ==, "Kiln: KILN_TEST_KEY_A");

  g_assert_true (clear_key (store, "KILN_TEST_KEY_A", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 3);

  key = lookup_key (store, "KILN_TEST_KEY_A", &source, &error);
  g_assert_null (key);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_KEY_MISSING);
  g_assert_nonnull (strstr (error->message, "KILN_TEST_KEY_A"));
  g_assert_nonnull (strstr (error->message, "Preferences"));
  g_assert_cmpint (source, ==, KILN_KEY_SOURCE_NONE);
  g_clear_error (&error);

  /* Clearing what is not there is fine. */
  g_assert_true (clear_key (store, "KILN_TEST_KEY_A", &error));
  g_assert_no_error (error);

  /* An empty key is refused. */
  g_assert_false (store_key (store, "KILN_TEST_KEY_A", "", &error));
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
}

static void
test_environment (void)
{
  g_autoptr(KilnKeyStore) store = NULL;
  g_autoptr(KilnModel) model = kiln_model_new ();
  g_autoptr(GError) error = NULL;
  KilnKeySource source;
  Waiter waiter = { NULL };
  char *key;

  if (skip_without_keyring ())
    return;

  store = kiln_key_store_new (TRUE);
  g_setenv ("KILN_TEST_KEY_B", "from-env", TRUE);

  key = lookup_key (store, "KILN_TEST_KEY_B", &source, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "from-env");
  g_assert_cmpint (source, ==, KILN_KEY_SOURCE_ENVIRONMENT);
  kiln_key_free (key);

  /* The keyring comes first. */
  g_assert_true (store_key (store, "KILN_TEST_KEY_B", "from-keyring", &error));
  key = lookup_key (store, "KILN_TEST_KEY_B", &source, &error);
  g_assert_cmpstr (key, ==, "from-keyring");
  g_assert_cmpint (source, ==, KILN_KEY_SOURCE_KEYRING);
  kiln_key_free (key);

  /* Through a model. */
  model->key_env = g_strdup ("KILN_TEST_KEY_B");
  kiln_key_store_lookup_for_model_async (store, model, NULL, store_result, &waiter);
  key = kiln_key_store_lookup_for_model_finish (store, wait_for (&waiter), &source, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "from-keyring");
  kiln_key_free (key);

  /* A model without key_env needs no key. */
  g_clear_pointer (&model->key_env, g_free);
  kiln_key_store_lookup_for_model_async (store, model, NULL, store_result, &waiter);
  key = kiln_key_store_lookup_for_model_finish (store, wait_for (&waiter), &source, &error);
  g_assert_no_error (error);
  g_assert_null (key);
  g_assert_cmpint (source, ==, KILN_KEY_SOURCE_NONE);
  g_clear_object (&waiter.result);

  g_assert_true (clear_key (store, "KILN_TEST_KEY_B", &error));
  key = lookup_key (store, "KILN_TEST_KEY_B", &source, &error);
  g_assert_cmpstr (key, ==, "from-env");
  kiln_key_free (key);
  g_unsetenv ("KILN_TEST_KEY_B");
}

/* Without a Secret Service lookups still work from the environment (run in a child, so the
 * bus address can be broken before libsecret connects). */
static void
test_no_service (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(KilnKeyStore) store = NULL;
      g_autoptr(KilnKeyStore) env_only = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *address = g_strdup_printf ("unix:path=%s/no-bus", tmp_dir);
      KilnKeySource source;
      char *key;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      g_setenv ("KILN_TEST_KEY_D", "env-only", TRUE);
      store = kiln_key_store_new (TRUE);

      key = lookup_key (store, "KILN_TEST_KEY_D", &source, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (key, ==, "env-only");
      g_assert_cmpint (source, ==, KILN_KEY_SOURCE_ENVIRONMENT);
      kiln_key_free (key);
      g_assert_true (log_contains ("The keyring could not be read"));

      g_assert_false (store_key (store, "KILN_TEST_KEY_D", "x", &error));
      g_assert_error (error, KILN_ERROR, KILN_ERROR_FAILED);
      g_clear_error (&error);

      env_only = kiln_key_store_new (FALSE);
      key = lookup_key (env_only, "KILN_TEST_KEY_D", &source, &error);
      g_assert_cmpstr (key, ==, "env-only");
      kiln_key_free (key);
      key = lookup_key (env_only, "KILN_TEST_KEY_NONE", &source, &error);
      g_assert_error (error, KILN_ERROR, KILN_ERROR_KEY_MISSING);
      g_assert_null (key);
      return;
    }

  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
on_registry_changed (KilnModelRegistry *registry,
                     gboolean          *flag)
{
  *flag = TRUE;
}

static void
test_registry_follows_keys (void)
{
  g_autoptr(KilnKeyStore) store = NULL;
  g_autoptr(KilnModelRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (tmp_dir, "models.json", NULL);
  Waiter waiter = { NULL };
  KilnModelItem *item;
  gboolean changed = FALSE;

  if (skip_without_keyring ())
    return;

  g_unsetenv ("KILN_TEST_KEY_C");
  g_file_set_contents (file,
                       "{\"models\": [{\"id\": \"k\", \"api\": \"openai\","
                       " \"base_url\": \"https://k.example/v1\", \"model\": \"k\","
                       " \"key_env\": \"KILN_TEST_KEY_C\"}]}", -1, &error);
  g_assert_no_error (error);

  store = kiln_key_store_new (TRUE);
  registry = kiln_model_registry_new (store);
  kiln_model_registry_set_override_file (registry, file);
  kiln_model_registry_set_ollama_url (registry, "http://127.0.0.1:9/");
  kiln_model_registry_set_local_openai_url (registry, "http://127.0.0.1:9/v1");
  kiln_model_registry_load_async (registry, NULL, store_result, &waiter);
  g_assert_true (kiln_model_registry_load_finish (registry, wait_for (&waiter), &error));
  g_clear_object (&waiter.result);

  item = kiln_model_registry_lookup_item (registry, "k");
  g_assert_false (kiln_model_item_get_available (item));
  g_assert_cmpstr (kiln_model_item_get_hint (item), ==,
                   "Set KILN_TEST_KEY_C or add the key in Preferences");

  /* Adding the key in Preferences makes the model available. */
  g_signal_connect (registry, "changed", G_CALLBACK (on_registry_changed), &changed);
  g_assert_true (store_key (store, "KILN_TEST_KEY_C", "k-value", &error));
  while (!changed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (kiln_model_item_get_available (item));
  g_assert_null (kiln_model_item_get_hint (item));

  changed = FALSE;
  g_assert_true (clear_key (store, "KILN_TEST_KEY_C", &error));
  while (!changed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (kiln_model_item_get_available (item));
}

static void
test_no_leak (void)
{
  g_autoptr(KilnKeyStore) store = NULL;
  g_autoptr(KilnModelRegistry) registry = NULL;
  g_autoptr(KilnModel) model = kiln_model_new ();
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *canary = NULL;
  g_autofree char *file = g_build_filename (tmp_dir, "leak.json", NULL);
  Waiter waiter = { NULL };
  char *key;

  if (skip_without_keyring ())
    return;

  canary = g_strdup_printf ("sk-kiln-canary-%08x%08x", g_random_int (), g_random_int ());
  store = kiln_key_store_new (TRUE);

  g_mutex_lock (&log_lock);
  g_string_truncate (log_text, 0);
  g_mutex_unlock (&log_lock);

  /* The keyring path. */
  g_assert_true (store_key (store, "KILN_TEST_LEAK", canary, &error));
  key = lookup_key (store, "KILN_TEST_LEAK", NULL, &error);
  g_assert_cmpstr (key, ==, canary);
  kiln_key_free (key);

  model->id = g_strdup ("leak");
  model->key_env = g_strdup ("KILN_TEST_LEAK");
  kiln_key_store_lookup_for_model_async (store, model, NULL, store_result, &waiter);
  key = kiln_key_store_lookup_for_model_finish (store, wait_for (&waiter), NULL, &error);
  g_assert_cmpstr (key, ==, canary);
  kiln_key_free (key);
  g_clear_object (&waiter.result);

  /* The environment path. */
  g_setenv ("KILN_TEST_LEAK_ENV", canary, TRUE);
  key = lookup_key (store, "KILN_TEST_LEAK_ENV", NULL, &error);
  g_assert_cmpstr (key, ==, canary);
  kiln_key_free (key);

  /* Failing flows: a missing key, a refused store, a registry that reads the keys. */
  key = lookup_key (store, "KILN_TEST_LEAK_MISSING", NULL, &error);
  g_assert_null (key);
  g_ptr_array_add (messages, g_strdup (error->message));
  g_clear_error (&error);

  g_assert_false (store_key (store, "KILN_TEST_LEAK", "", &error));
  g_ptr_array_add (messages, g_strdup (error->message));
  g_clear_error (&error);

  g_file_set_contents (file,
                       "{\"models\": [{\"id\": \"leak\", \"api\": \"openai\","
                       " \"base_url\": \"https://leak.example/v1\", \"model\": \"m\","
                       " \"key_env\": \"KILN_TEST_LEAK\"},"
                       " {\"id\": \"leak-missing\", \"api\": \"anthropic\","
                       " \"base_url\": \"https://leak.example\", \"model\": \"m\","
                       " \"key_env\": \"KILN_TEST_LEAK_MISSING\"},"
                       " {\"id\": \"bad\", \"api\": \"openai\", \"base_url\": \"http://leak.example\","
                       " \"model\": \"m\", \"key_env\": \"KILN_TEST_LEAK\"}]}", -1, &error);
  registry = kiln_model_registry_new (store);
  kiln_model_registry_set_override_file (registry, file);
  kiln_model_registry_set_ollama_url (registry, "http://127.0.0.1:9");
  kiln_model_registry_set_local_openai_url (registry, "http://127.0.0.1:9/v1");
  kiln_model_registry_load_async (registry, NULL, store_result, &waiter);
  g_assert_true (kiln_model_registry_load_finish (registry, wait_for (&waiter), &error));
  g_clear_object (&waiter.result);
  g_assert_true (kiln_model_item_get_available (kiln_model_registry_lookup_item (registry,
                                                                                 "leak")));
  for (guint i = 0; i < kiln_model_registry_get_errors (registry)->len; i++)
    g_ptr_array_add (messages,
                     g_strdup (((GError *) g_ptr_array_index (kiln_model_registry_get_errors (registry),
                                                              i))->message));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (registry)); i++)
    {
      g_autoptr(KilnModelItem) item = g_list_model_get_item (G_LIST_MODEL (registry), i);

      if (kiln_model_item_get_hint (item) != NULL)
        g_ptr_array_add (messages, g_strdup (kiln_model_item_get_hint (item)));
    }

  g_assert_true (clear_key (store, "KILN_TEST_LEAK", &error));
  g_unsetenv ("KILN_TEST_LEAK_ENV");

  /* The capture works (debug messages were seen), and the key is in none of it. */
  g_assert_true (log_contains ("Using KILN_TEST_LEAK from the keyring"));
  g_assert_true (log_contains ("Using KILN_TEST_LEAK_ENV from the environment"));
  g_assert_false (log_contains (canary));
  g_assert_cmpuint (messages->len, >=, 3);
  for (guint i = 0; i < messages->len; i++)
    {
      g_test_message ("message: %s", (char *) g_ptr_array_index (messages, i));
      g_assert_null (strstr (g_ptr_array_index (messages, i), canary));
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Before any message: capture everything, debug included. */
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  log_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/keys/no-service", test_no_service);
  g_test_add_func ("/keys/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/keys/environment", test_environment);
  g_test_add_func ("/keys/registry", test_registry_follows_keys);
  g_test_add_func ("/keys/no-leak", test_no_leak);

  if (g_test_subprocess ())
    {
      /* The child of /keys/no-service uses the parent's directory, and no daemon. */
      tmp_dir = g_strdup (g_getenv ("KILN_TEST_KEYS_DIR"));
      return g_test_run ();
    }

  tmp_dir = g_dir_make_tmp ("kiln-test-keys-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  g_setenv ("KILN_TEST_KEYS_DIR", tmp_dir, TRUE);
  start_daemon ();

  status = g_test_run ();

  stop_daemon ();
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_string_free (log_text, TRUE);

  return status;
}

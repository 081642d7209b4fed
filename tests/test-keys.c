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

/* --- what a person reads when saving fails --- */

/* A message for a person: no D-Bus error names, no bus names. */
static void
assert_human (const char *message)
{
  g_assert_null (strstr (message, "GDBus"));
  g_assert_null (strstr (message, "org.freedesktop"));
  g_assert_null (strstr (message, "org.gnome"));
  g_assert_null (strstr (message, "Error."));
}

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);
  g_autofree char *reason = NULL;

  if (path != NULL)
    return TRUE;

  reason = g_strdup_printf ("%s is not installed", name);
  g_test_skip (reason);
  return FALSE;
}

/* A session bus of our own with nothing on it and nothing to start: no Secret Service,
 * no prompter. Returns its address. */
static char *
start_private_bus (const char   *dir,
                   GSubprocess **process)
{
  g_autofree char *config = g_build_filename (dir, "bus.conf", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;

  contents = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC "
                              "\"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
                              "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                              "<busconfig>\n"
                              "  <type>session</type>\n"
                              "  <listen>unix:dir=%s</listen>\n"
                              "  <auth>EXTERNAL</auth>\n"
                              "  <policy context=\"default\">\n"
                              "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                              "    <allow eavesdrop=\"true\"/>\n"
                              "    <allow own=\"*\"/>\n"
                              "  </policy>\n"
                              "</busconfig>\n", dir);
  g_assert_true (g_file_set_contents (config, contents, -1, &error));
  g_assert_no_error (error);

  *process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error, "dbus-daemon", "--nofork", "--print-address=1",
                               "--config-file", config, NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (*process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);

  return g_strdup (g_strstrip (line));
}

/* Answers gnome-keyring's prompts the way a person who closes them does ("no"), or, when
 * @fail, the way a session without a prompter does (an error). This is the protocol
 * gnome-keyring speaks with gcr-prompter. */
typedef struct
{
  gboolean fail;
  guint    n_prompts;
} Prompter;

static const char prompter_xml[] =
  "<node><interface name='org.gnome.keyring.internal.Prompter'>"
  "<method name='BeginPrompting'><arg type='o' direction='in'/></method>"
  "<method name='PerformPrompt'><arg type='o' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='a{sv}' direction='in'/><arg type='s' direction='in'/></method>"
  "<method name='StopPrompting'><arg type='o' direction='in'/></method>"
  "</interface></node>";

static void
prompter_ready (GDBusConnection *bus,
                const char      *caller,
                const char      *callback,
                const char      *reply)
{
  g_dbus_connection_call (bus, caller, callback, "org.gnome.keyring.internal.Prompter.Callback",
                          "PromptReady", g_variant_new ("(sa{sv}s)", reply, NULL, ""),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
}

static void
prompter_call (GDBusConnection       *bus,
               const char            *sender,
               const char            *path,
               const char            *interface,
               const char            *method,
               GVariant              *parameters,
               GDBusMethodInvocation *invocation,
               gpointer               user_data)
{
  Prompter *prompter = user_data;
  const char *callback = NULL;

  if (prompter->fail)
    {
      prompter->n_prompts++;
      g_dbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.Failed",
                                                  "No prompts in this session");
      return;
    }

  g_variant_get_child (parameters, 0, "&o", &callback);
  g_dbus_method_invocation_return_value (invocation, NULL);

  if (g_str_equal (method, "BeginPrompting"))
    prompter_ready (bus, sender, callback, "");
  else if (g_str_equal (method, "PerformPrompt"))
    {
      prompter->n_prompts++;
      prompter_ready (bus, sender, callback, "no");
    }
}

static const GDBusInterfaceVTable prompter_vtable = { prompter_call, NULL, NULL, { NULL } };

static void
start_prompter (GDBusConnection *bus,
                Prompter        *prompter)
{
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (prompter_xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  g_dbus_connection_register_object (bus, "/org/gnome/keyring/Prompter", info->interfaces[0],
                                     &prompter_vtable, prompter, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.gnome.keyring.SystemPrompter",
                                                      0u),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
}

/* A gnome-keyring-daemon of its own on the private bus; with @unlock, it creates the login
 * collection, unlocked, as the default. */
static GSubprocess *
spawn_keyring (GDBusConnection *bus,
               const char      *dir,
               gboolean         unlock)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *runtime_dir = g_build_filename (dir, "runtime", NULL);
  GSubprocess *process;
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime_dir, 0700), ==, 0);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GNOME_KEYRING_CONTROL");
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  process = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon",
                                         "--foreground", "--components=secrets",
                                         unlock ? "--unlock" : "--foreground", NULL);
  g_assert_no_error (error);

  if (unlock)
    g_output_stream_write_all (g_subprocess_get_stdin_pipe (process), "kiln-test\n",
                               strlen ("kiln-test\n"), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, &error);
  g_assert_no_error (error);

  while (!name_has_owner (bus, "org.freedesktop.secrets"))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("gnome-keyring-daemon did not take org.freedesktop.secrets within 15 s");
      g_usleep (50000);
    }

  return process;
}

static void
stop_process (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

static char *
dup_child_dir (const char *name)
{
  g_autofree char *dir = g_build_filename (tmp_dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return g_steal_pointer (&dir);
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
      g_test_message ("%s", error->message);
      assert_human (error->message);
      g_assert_true (g_str_has_prefix (error->message, "No keyring is running: install "
                                       "gnome-keyring"));
      g_assert_nonnull (strstr (error->message, "set KILN_TEST_KEY_D in the environment"));
      g_clear_error (&error);

      g_assert_false (clear_key (store, "KILN_TEST_KEY_D", &error));
      g_assert_error (error, KILN_ERROR, KILN_ERROR_FAILED);
      assert_human (error->message);
      g_assert_true (g_str_has_prefix (error->message, "No keyring is running"));
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

/* A session bus without any keyring on it: saving says what to install, nothing of D-Bus. */
static void
test_no_service_on_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = dup_child_dir ("no-service-on-bus");
      g_autoptr(GSubprocess) bus_process = NULL;
      g_autofree char *address = start_private_bus (dir, &bus_process);
      g_autoptr(KilnKeyStore) store = NULL;
      g_autoptr(GError) error = NULL;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      store = kiln_key_store_new (TRUE);

      g_assert_false (store_key (store, "KILN_TEST_KEY_E", "typed", &error));
      g_assert_error (error, KILN_ERROR, KILN_ERROR_FAILED);
      g_test_message ("%s", error->message);
      assert_human (error->message);
      g_assert_cmpstr (error->message, ==,
                       "No keyring is running: install gnome-keyring (or another Secret "
                       "Service) and log in again, or set KILN_TEST_KEY_E in the environment "
                       "instead");
      /* The D-Bus text is in the debug log, for whoever looks into it. */
      g_assert_true (log_contains ("org.freedesktop.secrets"));
      g_assert_false (log_contains ("typed"));

      stop_process (bus_process);
      return;
    }

  if (!have_program ("dbus-daemon"))
    return;

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The login collection locked, and the prompt to unlock it closed by the person (or not
 * shown at all): the key is not saved, and the message says to unlock the keyring. */
static void
test_locked (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = dup_child_dir (g_test_get_path () + strlen ("/keys/"));
      g_autoptr(GSubprocess) bus_process = NULL;
      g_autofree char *address = start_private_bus (dir, &bus_process);
      g_autoptr(GDBusConnection) bus = NULL;
      g_autoptr(GSubprocess) keyring = NULL;
      g_autoptr(SecretService) service = NULL;
      g_autoptr(SecretCollection) login = NULL;
      g_autoptr(KilnKeyStore) store = NULL;
      g_autoptr(GError) error = NULL;
      g_autolist(GObject) locked = NULL;
      GList *objects;
      Prompter prompter = { 0 };

      prompter.fail = g_str_has_suffix (g_test_get_path (), "no-prompter");
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
      g_assert_no_error (error);
      start_prompter (bus, &prompter);
      keyring = spawn_keyring (bus, dir, TRUE);

      /* Locked through libsecret, as the desktop does after a while or on request. */
      service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
      g_assert_no_error (error);
      login = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                SECRET_COLLECTION_NONE, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (login);
      objects = g_list_append (NULL, login);
      g_assert_cmpint (secret_service_lock_sync (service, objects, NULL, &locked, &error), ==, 1);
      g_assert_no_error (error);
      g_list_free (objects);
      g_assert_true (secret_collection_get_locked (login));

      store = kiln_key_store_new (TRUE);
      g_assert_false (store_key (store, "KILN_TEST_KEY_F", "typed", &error));
      g_assert_error (error, KILN_ERROR, KILN_ERROR_FAILED);
      g_test_message ("%s (prompts: %u)", error->message, prompter.n_prompts);
      g_assert_cmpuint (prompter.n_prompts, >=, 1);
      assert_human (error->message);
      g_assert_cmpstr (error->message, ==,
                       "The keyring is locked: unlock it and try again, or set "
                       "KILN_TEST_KEY_F in the environment instead");

      stop_process (keyring);
      stop_process (bus_process);
      return;
    }

  if (skip_without_keyring () || !have_program ("dbus-daemon"))
    return;

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* No keyring yet: gnome-keyring asks for the password of a new one, and the person closes
 * the prompt. */
static void
test_cancelled (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = dup_child_dir ("cancelled");
      g_autoptr(GSubprocess) bus_process = NULL;
      g_autofree char *address = start_private_bus (dir, &bus_process);
      g_autoptr(GDBusConnection) bus = NULL;
      g_autoptr(GSubprocess) keyring = NULL;
      g_autoptr(KilnKeyStore) store = NULL;
      g_autoptr(GError) error = NULL;
      Prompter prompter = { 0 };

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
      g_assert_no_error (error);
      start_prompter (bus, &prompter);
      keyring = spawn_keyring (bus, dir, FALSE);

      store = kiln_key_store_new (TRUE);
      g_assert_false (store_key (store, "KILN_TEST_KEY_G", "typed", &error));
      g_assert_error (error, KILN_ERROR, KILN_ERROR_FAILED);
      g_test_message ("%s (prompts: %u)", error->message, prompter.n_prompts);
      g_assert_cmpuint (prompter.n_prompts, >=, 1);
      assert_human (error->message);
      g_assert_true (g_str_has_prefix (error->message, "Saving the key was cancelled: "));
      g_assert_nonnull (strstr (error->message, "Try again, or set KILN_TEST_KEY_G in the "
                                                "environment instead"));

      stop_process (keyring);
      stop_process (bus_process);
      return;
    }

  if (skip_without_keyring () || !have_program ("dbus-daemon"))
    return;

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
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
  g_test_add_func ("/keys/no-service-on-bus", test_no_service_on_bus);
  g_test_add_func ("/keys/locked", test_locked);
  g_test_add_func ("/keys/locked-no-prompter", test_locked);
  g_test_add_func ("/keys/cancelled", test_cancelled);

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

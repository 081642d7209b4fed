/* test-window.c: the main window driven through its actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include <stdlib.h>

#include "kiln-window.h"

#define RUN_TIMEOUT_SECONDS 180

typedef gboolean (*Condition) (KilnWindow *window);

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until @condition holds; fails the test after @seconds. */
static void
wait_for (KilnWindow *window,
          Condition   condition,
          guint       seconds,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, tick_cb, NULL);

  while (!condition (window))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up after %u s waiting for %s", seconds, what);
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (tick);
}

static gboolean
drafts_loaded (KilnWindow *window)
{
  return kiln_window_get_drafts_loaded (window);
}

static gboolean
nothing_runs (KilnWindow *window)
{
  return !kiln_window_is_running (window, KILN_LANGUAGE_PYTHON) &&
         !kiln_window_is_running (window, KILN_LANGUAGE_CPP);
}

static char *
dup_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static KilnWindow *
new_window (void)
{
  KilnWindow *window = kiln_window_new (NULL);

  g_object_ref (window);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (window, drafts_loaded, 30, "the drafts");

  return window;
}

static void
destroy_window (KilnWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static double
parse_speedup (const char *text)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  /* "Speedup ×34.2" or "Speedup at least ×1,200" */
  for (const char *p = strstr (text, "×"); p != NULL && *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p) || *p == '.')
        g_string_append_c (digits, *p);
    }

  return g_ascii_strtod (digits->str, NULL);
}

static void
test_window_pi_example (void)
{
  KilnWindow *window = new_window ();
  KilnStatusPanel *panel = kiln_window_get_status_panel (window);
  const KilnExample *example = kiln_examples_lookup ("pi");
  g_autoptr(GBytes) reference = NULL;
  g_autofree char *cpp = NULL;
  const KilnComparison *comparison;
  const char *text;

  g_assert_nonnull (example);
  reference = kiln_example_get_cpp (example);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.load-example", "s", "pi"));

  cpp = dup_text (kiln_window_get_buffer (window, KILN_LANGUAGE_CPP));
  g_assert_cmpmem (cpp, strlen (cpp), g_bytes_get_data (reference, NULL),
                   g_bytes_get_size (reference));
  g_assert_true (kiln_window_shows_reference (window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-python", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-cpp", NULL));
  g_assert_true (kiln_window_is_running (window, KILN_LANGUAGE_PYTHON));
  g_assert_true (kiln_window_is_running (window, KILN_LANGUAGE_CPP));
  wait_for (window, nothing_runs, RUN_TIMEOUT_SECONDS, "both programs");

  text = kiln_status_panel_get_python_time_text (panel);
  g_test_message ("Python: %s", text);
  g_assert_cmpstr (text, !=, "");
  g_assert_nonnull (strstr (text, "s"));

  text = kiln_status_panel_get_cpp_time_text (panel);
  g_test_message ("C++: %s", text);
  g_assert_cmpstr (text, !=, "");
  g_assert_nonnull (strstr (text, "s"));

  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel), ==, "Outputs match");

  comparison = kiln_window_get_comparison (window);
  g_assert_nonnull (comparison);
  g_assert_true (comparison->comparable);
  g_assert_true (kiln_comparison_matches ((KilnComparison *) comparison));
  g_assert_cmpfloat (comparison->speedup, >, 1.0);

  text = kiln_status_panel_get_speedup_text (panel);
  g_test_message ("%s", text);
  g_assert_true (g_str_has_prefix (text, "Speedup "));
  g_assert_cmpfloat (parse_speedup (text), >, 1.0);

  /* Editing the C++ makes its result outdated: no verdict on code that did not run. */
  gtk_text_buffer_insert_at_cursor (kiln_window_get_buffer (window, KILN_LANGUAGE_CPP),
                                    "// edited\n", -1);
  g_assert_false (kiln_window_shows_reference (window));
  g_assert_null (kiln_window_get_comparison (window));
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel), !=, "Outputs match");

  destroy_window (window);
}

static void
test_window_compile_error (void)
{
  KilnWindow *window = new_window ();
  KilnStatusPanel *panel = kiln_window_get_status_panel (window);
  GtkTextBuffer *buffer = kiln_window_get_buffer (window, KILN_LANGUAGE_CPP);
  GtkListBoxRow *row;
  GtkTextIter cursor;

  gtk_text_buffer_set_text (buffer,
                            "#include <cstdio>\n"
                            "\n"
                            "int\n"
                            "main ()\n"
                            "{\n"
                            "    std::printf (\"%d\\n\", not_declared);\n"
                            "    return 0;\n"
                            "}\n", -1);
  g_assert_false (kiln_window_shows_reference (window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-cpp", NULL));
  wait_for (window, nothing_runs, RUN_TIMEOUT_SECONDS, "the compiler");

  g_test_message ("%s", kiln_status_panel_get_verdict_text (panel));
  g_assert_nonnull (strstr (kiln_status_panel_get_verdict_text (panel), "did not compile"));
  g_assert_cmpstr (kiln_status_panel_get_cpp_time_text (panel), ==, "");

  row = gtk_list_box_get_row_at_index (kiln_status_panel_get_diagnostics (panel), 0);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (kiln_status_panel_get_diagnostics (panel))));

  /* The cursor starts at the end of the text; activating the row moves it to line 6. */
  gtk_widget_activate (GTK_WIDGET (row));
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  g_assert_cmpint (gtk_text_iter_get_line (&cursor), ==, 5);
  g_assert_cmpint (gtk_text_iter_get_line_offset (&cursor), >, 0);

  /* The line is marked in the editor. */
  {
    GtkTextIter start, end;
    g_autoptr(GSList) marks = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    marks = gtk_source_buffer_get_source_marks_at_line (GTK_SOURCE_BUFFER (buffer), 5,
                                                        "kiln-error");
    g_assert_nonnull (marks);
  }

  destroy_window (window);
}

static void
test_window_stop (void)
{
  KilnWindow *window = new_window ();
  KilnStatusPanel *panel = kiln_window_get_status_panel (window);

  gtk_text_buffer_set_text (kiln_window_get_buffer (window, KILN_LANGUAGE_PYTHON),
                            "while True:\n    pass\n", -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-python", NULL));
  g_assert_true (kiln_window_is_running (window, KILN_LANGUAGE_PYTHON));

  /* The same action stops it, long before the 60 s limit. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-python", NULL));
  wait_for (window, nothing_runs, 20, "the stopped program");
  g_assert_cmpstr (kiln_status_panel_get_python_time_text (panel), ==, "");

  destroy_window (window);
}

static gboolean
file_has_contents (const char *path,
                   const char *expected)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) && g_str_equal (contents, expected);
}

static void
test_window_drafts (void)
{
  g_autofree char *path = g_build_filename (g_get_user_state_dir (), "kiln", "python.py", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *restored = NULL;
  KilnWindow *window;
  gint64 deadline;

  g_remove (path);

  window = new_window ();
  gtk_text_buffer_set_text (kiln_window_get_buffer (window, KILN_LANGUAGE_PYTHON),
                            "print('draft')\n", -1);
  /* Closing writes what is pending at once. */
  destroy_window (window);

  /* A first write creates the file before it fills it, so wait for the whole text. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!file_has_contents (path, "print('draft')\n") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "print('draft')\n");

  window = new_window ();
  restored = dup_text (kiln_window_get_buffer (window, KILN_LANGUAGE_PYTHON));
  g_assert_cmpstr (restored, ==, "print('draft')\n");
  destroy_window (window);
}

/* A loopback port that nothing listens on (it was free a moment ago). */
static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
models_loaded (KilnWindow *window)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));

  return kiln_application_get_models_loaded (KILN_APPLICATION (app));
}

static KilnModelItem *
dup_model_at (GtkDropDown *drop_down,
              guint        position)
{
  return g_list_model_get_item (gtk_drop_down_get_model (drop_down), position);
}

static void
test_window_models (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-test-models-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "models.json", NULL);
  g_autofree char *ollama_url = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autofree char *openai_url = g_strdup_printf ("http://127.0.0.1:%u/v1", closed_port ());
  g_autofree char *json = NULL;
  g_autoptr(KilnKeyStore) key_store = kiln_key_store_new (FALSE);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.kilnapp.Kiln");
  g_autoptr(GtkApplication) app = NULL;
  g_autoptr(KilnModelItem) item = NULL;
  g_autofree char *saved = NULL;
  KilnModelDropdown *dropdown;
  GtkDropDown *drop_down;
  KilnWindow *window;
  const char *hint;

  g_assert_no_error (error);

  /* One model with its key, one without, one whose server is not there. */
  json = g_strdup_printf ("{ \"models\": ["
                          "{ \"id\": \"keyed\", \"label\": \"Keyed\", "
                          "  \"provider\": \"OpenAI\", \"api\": \"openai\", "
                          "  \"base_url\": \"https://api.openai.com/v1\", "
                          "  \"model\": \"m\", \"key_env\": \"KILN_TEST_WINDOW_KEY\" },"
                          "{ \"id\": \"keyless\", \"label\": \"Keyless\", "
                          "  \"provider\": \"Other\", \"api\": \"openai\", "
                          "  \"base_url\": \"https://example.invalid/v1\", "
                          "  \"model\": \"m\", \"key_env\": \"KILN_TEST_WINDOW_NO_KEY\" },"
                          "{ \"id\": \"local\", \"label\": \"Local\", "
                          "  \"provider\": \"Ollama (local)\", \"api\": \"ollama\", "
                          "  \"base_url\": \"%s\", \"model\": \"m\" }"
                          "] }",
                          ollama_url);
  g_assert_true (g_file_set_contents (file, json, -1, &error));
  g_assert_no_error (error);

  g_setenv ("KILN_MODELS_FILE", file, TRUE);
  g_setenv ("KILN_OLLAMA_URL", ollama_url, TRUE);
  g_setenv ("KILN_LOCAL_OPENAI_URL", openai_url, TRUE);
  g_setenv ("KILN_TEST_WINDOW_KEY", "sk-test", TRUE);
  g_unsetenv ("KILN_TEST_WINDOW_NO_KEY");
  g_settings_reset (settings, "model");

  /* The environment-only key store: no keyring is needed. */
  app = g_object_new (KILN_TYPE_APPLICATION,
                      "application-id", "io.github.kilnapp.Kiln.Test",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/io/github/kilnapp/Kiln",
                      "key-store", key_store,
                      NULL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  window = g_object_ref (kiln_window_new (KILN_APPLICATION (app)));
  gtk_window_present (GTK_WINDOW (window));
  dropdown = kiln_window_get_model_dropdown (window);
  drop_down = kiln_model_dropdown_get_drop_down (dropdown);
  g_assert_true (kiln_model_dropdown_get_loading (dropdown));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (drop_down)));

  wait_for (window, models_loaded, 30, "the models");
  wait_for (window, drafts_loaded, 30, "the drafts");

  g_assert_false (kiln_model_dropdown_get_loading (dropdown));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (drop_down)));

  /* By provider: Ollama (local), OpenAI, Other. */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (drop_down)), ==, 3);
  item = dup_model_at (drop_down, 0);
  g_assert_cmpstr (kiln_model_item_get_id (item), ==, "local");
  g_assert_false (kiln_model_item_get_available (item));
  g_assert_nonnull (kiln_model_item_get_hint (item));
  g_clear_object (&item);

  item = dup_model_at (drop_down, 1);
  g_assert_cmpstr (kiln_model_item_get_id (item), ==, "keyed");
  g_assert_true (kiln_model_item_get_available (item));
  g_clear_object (&item);

  item = dup_model_at (drop_down, 2);
  g_assert_cmpstr (kiln_model_item_get_id (item), ==, "keyless");
  g_assert_false (kiln_model_item_get_available (item));
  hint = kiln_model_item_get_hint (item);
  g_assert_nonnull (strstr (hint, "KILN_TEST_WINDOW_NO_KEY"));

  /* Nothing chosen yet: the available model is shown, and nothing is saved for it. */
  g_assert_cmpuint (gtk_drop_down_get_selected (drop_down), ==, 1);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (drop_down)), !=, hint);
  saved = g_settings_get_string (settings, "model");
  g_assert_cmpstr (saved, ==, "");
  g_clear_pointer (&saved, g_free);

  /* An unavailable model can be chosen; the tooltip says what it lacks. */
  gtk_drop_down_set_selected (drop_down, 2);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (drop_down)), ==, hint);
  saved = g_settings_get_string (settings, "model");
  g_assert_cmpstr (saved, ==, "keyless");

  /* Another window shows the saved choice. */
  destroy_window (window);
  window = g_object_ref (kiln_window_new (KILN_APPLICATION (app)));
  gtk_window_present (GTK_WINDOW (window));
  wait_for (window, drafts_loaded, 30, "the drafts");
  drop_down = kiln_model_dropdown_get_drop_down (kiln_window_get_model_dropdown (window));
  g_assert_cmpuint (gtk_drop_down_get_selected (drop_down), ==, 2);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (drop_down)), ==, hint);
  destroy_window (window);

  g_unsetenv ("KILN_MODELS_FILE");
  g_unsetenv ("KILN_OLLAMA_URL");
  g_unsetenv ("KILN_LOCAL_OPENAI_URL");
  g_unsetenv ("KILN_TEST_WINDOW_KEY");
  g_remove (file);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("kiln-test-window-XXXXXX", &error);
  g_autofree char *state = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *config = NULL;
  int status;

  g_assert_no_error (error);

  /* Before anything reads them: the user's own drafts, cache and settings stay untouched. */
  state = g_build_filename (home, "state", NULL);
  cache = g_build_filename (home, "cache", NULL);
  config = g_build_filename (home, "config", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kiln_core_init ();

  g_test_add_func ("/window/pi-example", test_window_pi_example);
  g_test_add_func ("/window/compile-error", test_window_compile_error);
  g_test_add_func ("/window/stop", test_window_stop);
  g_test_add_func ("/window/drafts", test_window_drafts);
  g_test_add_func ("/window/models", test_window_models);

  status = g_test_run ();

  /* Leaves the temporary folder for inspection when a test failed. */
  if (status == 0)
    {
      g_autofree char *quoted = g_shell_quote (home);
      g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

      if (system (command) != 0)
        g_test_message ("Could not remove %s", home);
    }

  return status;
}

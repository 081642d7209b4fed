/* test-window.c: the main window driven through its actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include <stdlib.h>

#include "kiln-optimize-view.h"
#include "kiln-input-cases-view.h"
#include "kiln-prompt-editor.h"
#include "kiln-window.h"
#include "../kiln-test-replay.h"

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
  /* Runs of their own were not verified on every input case: no speedup yet */
  g_assert_cmpstr (kiln_status_panel_get_speedup_text (panel), ==, "");
  g_assert_nonnull (kiln_window_get_comparison (window));

  /* Run Both verifies, and a verified program has its speedup */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-both", NULL));
  g_assert_true (kiln_window_is_running (window, KILN_LANGUAGE_CPP));
  wait_for (window, nothing_runs, RUN_TIMEOUT_SECONDS, "both programs");
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

/* The window fills its run configuration from the settings, kiln-cli from its options: both
 * reach the same verdict on the same programs, with the default timing patterns and with a
 * custom one. */
static char *
cli_outputs_match (const char *python,
                   const char *cpp,
                   const char *pattern)
{
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  JsonObject *root;

  if (pattern != NULL)
    cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("KILN_CLI"),
                            "compare", python, cpp, "--json", "--timing-pattern", pattern, NULL);
  else
    cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("KILN_CLI"),
                            "compare", python, cpp, "--json", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  return g_strdup (json_object_get_boolean_member (root, "outputs_match") ? "match" : "differ");
}

static void
test_window_timing_patterns (void)
{
  static const char python_source[] = "print('Elapsed 0.93 parsecs')\nprint(42)\n";
  static const char cpp_source[] = "#include <cstdio>\nint main() {\n"
                                   "  std::printf(\"Elapsed 0.01 parsecs\\n42\\n\");\n}\n";
  g_autoptr(GSettings) settings = g_settings_new ("io.github.kilnapp.Kiln");
  g_autofree char *dir = g_dir_make_tmp ("kiln-test-patterns-XXXXXX", NULL);
  g_autofree char *python = g_build_filename (dir, "p.py", NULL);
  g_autofree char *cpp = g_build_filename (dir, "p.cpp", NULL);
  const char *pattern = "elapsed [0-9.]+ parsecs";
  KilnWindow *window = new_window ();
  KilnStatusPanel *panel = kiln_window_get_status_panel (window);

  g_assert_true (g_file_set_contents (python, python_source, -1, NULL));
  g_assert_true (g_file_set_contents (cpp, cpp_source, -1, NULL));
  gtk_text_buffer_set_text (kiln_window_get_buffer (window, KILN_LANGUAGE_PYTHON),
                            python_source, -1);
  gtk_text_buffer_set_text (kiln_window_get_buffer (window, KILN_LANGUAGE_CPP), cpp_source, -1);

  /* Run Both: the default patterns do not know parsecs, so the first lines differ. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-both", NULL));
  wait_for (window, nothing_runs, RUN_TIMEOUT_SECONDS, "both programs");
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel), !=, "Outputs match");
  {
    g_autofree char *cli = cli_outputs_match (python, cpp, NULL);

    g_assert_cmpstr (cli, ==, "differ");
  }

  /* A pattern set in Preferences masks those lines in the window, as --timing-pattern does
   * in kiln-cli. */
  g_settings_set_strv (settings, "timing-patterns", (const char *[]) { pattern, NULL });
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel), ==, "Outputs match");
  {
    g_autofree char *cli = cli_outputs_match (python, cpp, pattern);

    g_assert_cmpstr (cli, ==, "match");
  }

  g_settings_reset (settings, "timing-patterns");
  destroy_window (window);
  g_remove (python);
  g_remove (cpp);
  g_rmdir (dir);
}

static GtkWidget *
find_by_id (GtkWidget  *widget,
            const char *id)
{
  if (GTK_IS_BUILDABLE (widget) &&
      g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_id (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
editors_stacked (KilnWindow *window)
{
  GtkWidget *paned = find_by_id (GTK_WIDGET (window), "editors_paned");

  return gtk_orientable_get_orientation (GTK_ORIENTABLE (paned)) == GTK_ORIENTATION_VERTICAL;
}

static gboolean
editors_side_by_side (KilnWindow *window)
{
  return !editors_stacked (window);
}

/* Another example is another program: the old results go, the panes start at the top, and
 * the keyboard is in the Python editor. A narrow window stacks the editors. */
static void
test_window_example_switch (void)
{
  KilnWindow *window = new_window ();
  KilnStatusPanel *panel = kiln_window_get_status_panel (window);
  GtkWidget *python_view = find_by_id (GTK_WIDGET (window), "python_view");
  GtkWidget *input_expander = find_by_id (GTK_WIDGET (window), "input_expander");

  g_assert_nonnull (python_view);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.load-example", "s",
                                             "sequence-distance"));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) == python_view);
  g_assert_true (gtk_expander_get_expanded (GTK_EXPANDER (input_expander)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-cpp", NULL));
  wait_for (window, nothing_runs, RUN_TIMEOUT_SECONDS, "the C++ program");
  g_assert_cmpstr (kiln_status_panel_get_cpp_time_text (panel), !=, "");

  /* Focus elsewhere, then another example. */
  gtk_widget_grab_focus (find_by_id (GTK_WIDGET (window), "cpp_view"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.load-example", "s", "pi"));
  g_assert_cmpstr (kiln_status_panel_get_cpp_time_text (panel), ==, "");
  g_assert_null (kiln_window_get_comparison (window));
  g_assert_true (kiln_window_shows_reference (window));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) == python_view);
  /* pi takes no input */
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (input_expander)));

  /* Narrow: Python above C++; wide again: side by side. */
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  wait_for (window, editors_stacked, 10, "the editors to stack");
  gtk_window_set_default_size (GTK_WINDOW (window), 1300, 800);
  wait_for (window, editors_side_by_side, 10, "the editors side by side");

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

/* KILN_TEST_SCREENSHOTS=DIR: @window as drawn, into DIR/NAME.png */
static void
window_screenshot (GtkWidget  *window,
                   const char *name)
{
  const char *dir = g_getenv ("KILN_TEST_SCREENSHOTS");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  gint64 until;
  int width, height;

  if (dir == NULL)
    return;

  /* Past any transition */
  until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

#define SUM_PYTHON "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n"
#define SUM_CPP \
  "#include <iostream>\nint main() {\n  long s = 0, x;\n  while (std::cin >> x) s += x;\n" \
  "  std::cout << s << \"\\n\";\n}\n"
/* Right on the shown input only */
#define SIX_CPP "#include <cstdio>\nint main() { std::puts(\"6\"); }\n"

static gboolean
has_hidden_inputs (KilnWindow *window)
{
  GtkWidget *view = find_by_id (GTK_WIDGET (window), "hidden_inputs");

  return kiln_input_cases_view_get_n_cases (KILN_INPUT_CASES_VIEW (view)) > 0;
}

/* Hidden inputs: Run Both verifies on each, a translation that only works on the shown input
 * fails and has no speedup; they are saved with the drafts, derived from the input, and an
 * example clears them. */
static void
test_window_hidden_inputs (void)
{
  g_autofree char *path = g_build_filename (g_get_user_state_dir (), "kiln",
                                            "hidden-inputs.json", NULL);
  g_autofree char *text = NULL;
  KilnWindow *window = new_window ();
  KilnStatusPanel *panel = kiln_window_get_status_panel (window);
  KilnInputCasesView *view;
  const char * const *hidden;
  gint64 deadline;

  view = KILN_INPUT_CASES_VIEW (find_by_id (GTK_WIDGET (window), "hidden_inputs"));
  g_assert_nonnull (view);
  g_assert_cmpuint (kiln_input_cases_view_get_n_cases (view), ==, 0);

  gtk_text_buffer_set_text (kiln_window_get_buffer (window, KILN_LANGUAGE_PYTHON),
                            SUM_PYTHON, -1);
  gtk_text_buffer_set_text (kiln_window_get_buffer (window, KILN_LANGUAGE_CPP), SIX_CPP, -1);
  gtk_text_buffer_set_text (kiln_window_get_input_buffer (window), "1 2 3\n", -1);

  /* Shown input only: verified */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-both", NULL));
  wait_for (window, nothing_runs, RUN_TIMEOUT_SECONDS, "both programs");
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel), ==, "Outputs match");
  g_assert_true (g_str_has_prefix (kiln_status_panel_get_speedup_text (panel), "Speedup "));

  /* A hidden input: the verdict on the old cases goes, and Run Both catches it */
  kiln_input_cases_view_append (view, "10 20\n");
  hidden = kiln_session_get_hidden_cases (kiln_window_get_session (window));
  g_assert_cmpuint (g_strv_length ((char **) hidden), ==, 1);
  g_assert_cmpstr (hidden[0], ==, "10 20\n");
  g_assert_cmpstr (kiln_status_panel_get_speedup_text (panel), ==, "");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-both", NULL));
  wait_for (window, nothing_runs, RUN_TIMEOUT_SECONDS, "both programs");
  g_test_message ("%s", kiln_status_panel_get_verdict_text (panel));
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel), ==,
                   "Matched the input it was shown, but differs on hidden input 2 at line 1");
  g_assert_cmpstr (kiln_status_panel_get_speedup_text (panel), ==, "");
  /* The measured times stay */
  g_assert_cmpstr (kiln_status_panel_get_cpp_time_text (panel), !=, "");
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  window_screenshot (GTK_WIDGET (window), "window-differs-on-hidden-input");

  /* The right translation is verified on both, with its speedup */
  gtk_text_buffer_set_text (kiln_window_get_buffer (window, KILN_LANGUAGE_CPP), SUM_CPP, -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-both", NULL));
  wait_for (window, nothing_runs, RUN_TIMEOUT_SECONDS, "both programs");
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel), ==, "Outputs match");
  g_assert_true (g_str_has_prefix (kiln_status_panel_get_speedup_text (panel), "Speedup "));
  g_test_message ("%s — %s", kiln_status_panel_get_speedup_text (panel),
                  kiln_status_panel_get_speedup_detail_text (panel));
  window_screenshot (GTK_WIDGET (window), "window-verified");

  /* Saved with the drafts, and read back */
  destroy_window (window);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!file_has_contents (path, "[\n  \"10 20\\n\"\n]") &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "\"10 20\\n\""));

  window = new_window ();
  panel = kiln_window_get_status_panel (window);
  view = KILN_INPUT_CASES_VIEW (find_by_id (GTK_WIDGET (window), "hidden_inputs"));
  g_assert_cmpuint (kiln_input_cases_view_get_n_cases (view), ==, 1);
  {
    g_auto(GStrv) cases = kiln_input_cases_view_dup_cases (view);

    g_assert_cmpstr (cases[0], ==, "10 20\n");
    hidden = kiln_session_get_hidden_cases (kiln_window_get_session (window));
    g_assert_true (g_strv_equal ((const char * const *) cases, hidden));
  }

  /* Removed with its button's action; then derived from the input */
  kiln_input_cases_view_remove (view, 0);
  g_assert_cmpuint (kiln_input_cases_view_get_n_cases (view), ==, 0);
  hidden = kiln_session_get_hidden_cases (kiln_window_get_session (window));
  g_assert_true (hidden == NULL || hidden[0] == NULL);
  gtk_text_buffer_set_text (kiln_window_get_input_buffer (window), "1 2 3\n4 5\n6\n", -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.derive-hidden-inputs",
                                             NULL));
  wait_for (window, has_hidden_inputs, RUN_TIMEOUT_SECONDS, "the derived inputs");
  {
    g_auto(GStrv) cases = kiln_input_cases_view_dup_cases (view);

    g_test_message ("%u derived", g_strv_length (cases));
    for (guint i = 0; cases[i] != NULL; i++)
      g_assert_cmpstr (cases[i], !=, "1 2 3\n4 5\n6\n");
    g_assert_true (g_strv_equal ((const char * const *) cases,
                                 kiln_session_get_hidden_cases (kiln_window_get_session (window))));
  }
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  window_screenshot (GTK_WIDGET (window), "window-hidden-input-editor");

  /* Another example: another program, no hidden inputs */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.load-example", "s", "pi"));
  g_assert_cmpuint (kiln_input_cases_view_get_n_cases (view), ==, 0);
  g_assert_true (kiln_session_get_hidden_cases (kiln_window_get_session (window)) == NULL ||
                 kiln_session_get_hidden_cases (kiln_window_get_session (window))[0] == NULL);
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

  /* Usable models first; then the others, by provider: Ollama (local), Other. */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (drop_down)), ==, 3);
  item = dup_model_at (drop_down, 0);
  g_assert_cmpstr (kiln_model_item_get_id (item), ==, "keyed");
  g_assert_true (kiln_model_item_get_available (item));
  g_clear_object (&item);

  item = dup_model_at (drop_down, 1);
  g_assert_cmpstr (kiln_model_item_get_id (item), ==, "local");
  g_assert_false (kiln_model_item_get_available (item));
  g_assert_nonnull (kiln_model_item_get_hint (item));
  g_clear_object (&item);

  item = dup_model_at (drop_down, 2);
  g_assert_cmpstr (kiln_model_item_get_id (item), ==, "keyless");
  g_assert_false (kiln_model_item_get_available (item));
  hint = kiln_model_item_get_hint (item);
  g_assert_nonnull (strstr (hint, "KILN_TEST_WINDOW_NO_KEY"));

  /* Nothing chosen yet: the available model is shown, and nothing is saved for it. */
  g_assert_cmpuint (gtk_drop_down_get_selected (drop_down), ==, 0);
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

/* Conversion: a scripted model on loopback, the real g++ and python3 */

#define CONVERT_PYTHON "total = 0\nfor i in range(10):\n    total += i\nprint(total)\n"
#define GOOD_CODE \
  "#include <cstdio>\nint main() {\n  long total = 0;\n" \
  "  for (int i = 0; i < 10; i++) total += i;\n" \
  "  std::printf(\"%ld\\n\", total);\n}\n"
#define BROKEN_CODE \
  "#include <cstdio>\nint main() {\n  long total = 0;\n" \
  "  for (int i = 0; i < 10; i++) total += i;\n" \
  "  std::printf(\"%ld\\n\", totl);\n}\n"
#define PROSE_BEFORE "Sure! Here is a faster version.\n\n"
#define PROSE_AFTER "\nIt keeps the same loop, so the output is identical.\n"

typedef struct
{
  KilnTestReplay  replay;
  char           *dir;
  char           *models_path;
  GtkApplication *app;
  KilnWindow     *window;
} ConvertFixture;

/* An OpenAI-style stream of @answer in pieces of @piece bytes. */
static char *
openai_stream (const char *answer,
               gsize       piece)
{
  GString *stream = g_string_new ("data: {\"choices\":[{\"index\":0,\"delta\":"
                                  "{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
  gsize length = strlen (answer);

  for (gsize i = 0; i < length; i += piece)
    {
      g_autofree char *part = g_strndup (answer + i, MIN (piece, length - i));
      g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), part);
      g_autofree char *quoted = json_to_string (node, FALSE);

      g_string_append_printf (stream, "data: {\"choices\":[{\"index\":0,\"delta\":"
                                       "{\"content\":%s}}]}\n\n", quoted);
    }
  g_string_append (stream, "data: {\"choices\":[{\"index\":0,\"delta\":{},"
                           "\"finish_reason\":\"stop\"}],"
                           "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":40}}\n\n"
                           "data: [DONE]\n\n");
  return g_string_free (stream, FALSE);
}

/* One scripted response; @extra: more members, e.g. "\"stall_after\": 300" (or ""). */
static char *
scripted_response (const char *answer,
                   gsize       piece,
                   guint       chunk_size,
                   const char *extra)
{
  g_autofree char *stream = openai_stream (answer, piece);
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), stream);
  g_autofree char *quoted = json_to_string (node, FALSE);

  return g_strdup_printf ("{\"body\": %s, \"chunk_size\": %u%s%s}", quoted, chunk_size,
                          *extra != '\0' ? ", " : "", extra);
}

static char *
fenced (const char *code)
{
  return g_strdup_printf ("%s```cpp\n%s```\n%s", PROSE_BEFORE, code, PROSE_AFTER);
}

/* Starts the replay of @responses (a JSON list's items) and a window whose only model is
 * the replay, with Python set. */
static void
convert_fixture_start_models (ConvertFixture     *fixture,
                              const char         *scenario,
                              const char * const *ids);

static void
convert_fixture_start (ConvertFixture *fixture,
                       const char     *responses)
{
  g_autofree char *scenario = g_strdup_printf ("{\"routes\": {\"/v1/chat/completions\": [%s]}}",
                                               responses);

  convert_fixture_start_models (fixture, scenario, NULL);
}

/* @ids: models served under /ID/v1 of the replay; NULL: one model, "scripted", at /v1. */
static void
convert_fixture_start_models (ConvertFixture     *fixture,
                              const char         *scenario,
                              const char * const *ids)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *closed = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autoptr(KilnKeyStore) key_store = kiln_key_store_new (FALSE);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.kilnapp.Kiln");
  static guint n_apps;
  g_autofree char *app_id = NULL;
  gint64 deadline;
  KilnModelItem *item;

  kiln_test_replay_start (&fixture->replay, scenario, FALSE);

  fixture->dir = g_dir_make_tmp ("kiln-test-convert-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->models_path = g_build_filename (fixture->dir, "models.json", NULL);
  if (ids == NULL)
    json = g_strdup_printf ("{\"models\": [{\"id\": \"scripted\", \"label\": \"Scripted\", "
                            "\"provider\": \"Replay\", \"api\": \"openai\", "
                            "\"base_url\": \"http://127.0.0.1:%u/v1\", \"model\": \"scripted-1\", "
                            "\"max_retries\": 0, \"price_in_per_mtok\": 1.0, "
                            "\"price_out_per_mtok\": 2.0}]}", fixture->replay.port);
  else
    {
      g_autoptr(GString) list = g_string_new ("{\"models\": [");

      for (guint i = 0; ids[i] != NULL; i++)
        g_string_append_printf (list, "%s{\"id\": \"%s\", \"label\": \"Model %s\", "
                                "\"provider\": \"Replay\", \"api\": \"openai\", "
                                "\"base_url\": \"http://127.0.0.1:%u/%s/v1\", \"model\": \"m\", "
                                "\"max_retries\": 0, \"price_in_per_mtok\": 1.0, "
                                "\"price_out_per_mtok\": 2.0}", i > 0 ? ", " : "", ids[i],
                                ids[i], fixture->replay.port, ids[i]);
      g_string_append (list, "]}");
      json = g_string_free (g_steal_pointer (&list), FALSE);
    }
  g_assert_true (g_file_set_contents (fixture->models_path, json, -1, &error));
  g_assert_no_error (error);

  g_setenv ("KILN_MODELS_FILE", fixture->models_path, TRUE);
  g_setenv ("KILN_OLLAMA_URL", closed, TRUE);
  g_setenv ("KILN_LOCAL_OPENAI_URL", closed, TRUE);
  g_settings_reset (settings, "model");
  g_settings_reset (settings, "max-attempts");
  g_settings_reset (settings, "auto-verify");

  /* Each its own id: an application that was registered keeps its bus paths. */
  app_id = g_strdup_printf ("io.github.kilnapp.Kiln.TestConvert%u", ++n_apps);
  fixture->app = g_object_new (KILN_TYPE_APPLICATION,
                               "application-id", app_id,
                               "flags", G_APPLICATION_NON_UNIQUE,
                               "resource-base-path", "/io/github/kilnapp/Kiln",
                               "key-store", key_store,
                               NULL);
  g_application_register (G_APPLICATION (fixture->app), NULL, &error);
  g_assert_no_error (error);

  /* The models first: a first window can hold the main loop longer than the probe of the
   * replay server may take. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!kiln_application_get_models_loaded (KILN_APPLICATION (fixture->app)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

  fixture->window = g_object_ref (kiln_window_new (KILN_APPLICATION (fixture->app)));
  gtk_window_present (GTK_WINDOW (fixture->window));
  wait_for (fixture->window, drafts_loaded, 30, "the drafts");

  item = kiln_model_dropdown_get_selected_item (kiln_window_get_model_dropdown (fixture->window));
  g_assert_nonnull (item);
  if (ids != NULL)
    g_assert_true (g_strv_contains (ids, kiln_model_item_get_id (item)));
  else
    g_assert_cmpstr (kiln_model_item_get_id (item), ==, "scripted");
  g_assert_true (kiln_model_item_get_available (item));

  /* Nothing to convert yet. */
  gtk_text_buffer_set_text (kiln_window_get_buffer (fixture->window, KILN_LANGUAGE_PYTHON),
                            "", -1);
  gtk_text_buffer_set_text (kiln_window_get_buffer (fixture->window, KILN_LANGUAGE_CPP), "", -1);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.convert", NULL)
                  && kiln_session_get_busy (kiln_window_get_session (fixture->window)));

  gtk_text_buffer_set_text (kiln_window_get_buffer (fixture->window, KILN_LANGUAGE_PYTHON),
                            CONVERT_PYTHON, -1);
}

static void
convert_fixture_stop (ConvertFixture *fixture)
{
  destroy_window (fixture->window);
  g_clear_object (&fixture->app);
  kiln_test_replay_stop (&fixture->replay);
  g_unsetenv ("KILN_MODELS_FILE");
  g_unsetenv ("KILN_OLLAMA_URL");
  g_unsetenv ("KILN_LOCAL_OPENAI_URL");
  g_remove (fixture->models_path);
  g_rmdir (fixture->dir);
  g_free (fixture->models_path);
  g_free (fixture->dir);
}

static gboolean
conversion_ended (KilnWindow *window)
{
  return !kiln_session_get_busy (kiln_window_get_session (window));
}

static gboolean
cpp_has_text (KilnWindow *window)
{
  return gtk_text_buffer_get_char_count (kiln_window_get_buffer (window, KILN_LANGUAGE_CPP)) > 0;
}

static void
assert_cpp_is (KilnWindow *window,
               const char *expected)
{
  g_autofree char *cpp = dup_text (kiln_window_get_buffer (window, KILN_LANGUAGE_CPP));

  g_assert_cmpstr (cpp, ==, expected);
}

static void
test_window_convert (void)
{
  g_autofree char *answer = fenced (GOOD_CODE);
  g_autofree char *responses = scripted_response (answer, 3, 64, "");
  ConvertFixture fixture = { 0 };
  KilnStatusPanel *panel;
  g_autofree char *notes = NULL;
  const char *text;

  convert_fixture_start (&fixture, responses);
  panel = kiln_window_get_status_panel (fixture.window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.convert", NULL));
  g_assert_true (kiln_session_get_busy (kiln_window_get_session (fixture.window)));
  wait_for (fixture.window, conversion_ended, RUN_TIMEOUT_SECONDS, "the conversion");

  g_test_message ("%s", kiln_status_panel_get_conversion_progress_text (panel));
  g_test_message ("%s", kiln_status_panel_get_conversion_report_text (panel));
  g_assert_cmpstr (kiln_status_panel_get_conversion_error_text (panel), ==, "");
  assert_cpp_is (fixture.window, GOOD_CODE);

  notes = kiln_model_notes_dup_notes (kiln_window_get_model_notes (fixture.window));
  g_assert_nonnull (strstr (notes, "Sure! Here is a faster version."));
  g_assert_nonnull (strstr (notes, "It keeps the same loop, so the output is identical."));
  g_assert_null (strstr (notes, "```"));

  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel), ==, "Outputs match");
  text = kiln_status_panel_get_speedup_text (panel);
  g_assert_true (g_str_has_prefix (text, "Speedup "));
  g_assert_cmpstr (kiln_status_panel_get_conversion_progress_text (panel), ==,
                   "Attempt 1 of 3 succeeded");
  text = kiln_status_panel_get_conversion_report_text (panel);
  g_assert_nonnull (strstr (text, "Scripted"));
  g_assert_nonnull (strstr (text, "1 attempt of 3"));
  g_assert_nonnull (strstr (text, "100 tokens in, 40 out"));
  g_assert_nonnull (strstr (text, "$0.0002"));
  g_assert_cmpuint (g_list_model_get_n_items (kiln_conversion_get_attempts_model (kiln_window_get_shown_conversion (fixture.window))), ==, 1);
  g_assert_cmpstr (kiln_window_get_attempt_text (fixture.window), ==, "Attempt 1 of 1");

  /* Fewer buffer changes than pieces: they were gathered per frame. */
  g_test_message ("%u buffer changes", kiln_window_get_cpp_writes (fixture.window));
  g_assert_cmpuint (kiln_window_get_cpp_writes (fixture.window), <, strlen (GOOD_CODE) / 3);

  convert_fixture_stop (&fixture);
}


#define WRONG_CODE "#include <cstdio>\nint main() {\n  std::printf(\"44\\n\");\n}\n"

static gboolean
first_is_restored (GListModel *conversions)
{
  g_autoptr(KilnConversion) first = NULL;

  if (g_list_model_get_n_items (conversions) != 3)
    return FALSE;
  first = g_list_model_get_item (conversions, 0);
  return kiln_conversion_get_restored (first);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static char **
csv_rows (const char *csv)
{
  g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);
  GPtrArray *rows = g_ptr_array_new ();

  /* The first four columns: model, ok, verdict, attempts; the rest are timings. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (*lines[i] == '\0')
        continue;
      fields = g_strsplit (lines[i], ",", 5);
      g_assert_cmpuint (g_strv_length (fields), ==, 5);
      g_ptr_array_add (rows, g_strdup_printf ("%s,%s,%s,%s", fields[0], fields[1], fields[2],
                                              fields[3]));
    }
  g_ptr_array_add (rows, NULL);
  return (char **) g_ptr_array_free (rows, FALSE);
}

static char *
cli_compare_csv (const char *scenario,
                 const char *dir)
{
  KilnTestReplay replay = { 0 };
  g_autofree char *models = g_build_filename (dir, "cli-models.json", NULL);
  g_autofree char *program = g_build_filename (dir, "program.py", NULL);
  g_autofree char *cache = g_build_filename (dir, "cli-cache", NULL);
  g_autofree char *json = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  const char *ids[] = { "right", "repair", "wrong" };
  g_autoptr(GString) list = g_string_new ("{\"models\": [");

  kiln_test_replay_start (&replay, scenario, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_string_append_printf (list, "%s{\"id\": \"%s\", \"label\": \"Model %s\", "
                            "\"provider\": \"Replay\", \"api\": \"openai\", "
                            "\"base_url\": \"http://127.0.0.1:%u/%s/v1\", \"model\": \"m\", "
                            "\"max_retries\": 0, \"price_in_per_mtok\": 1.0, "
                            "\"price_out_per_mtok\": 2.0}", i > 0 ? ", " : "", ids[i], ids[i],
                            replay.port, ids[i]);
  g_string_append (list, "]}");
  g_assert_true (g_file_set_contents (models, list->str, -1, NULL));
  g_assert_true (g_file_set_contents (program, CONVERT_PYTHON, -1, NULL));

  cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("KILN_CLI"),
                          "compare-models", program, "--model", "right", "--model", "repair",
                          "--model", "wrong", "--models", models, "--max-attempts", "2",
                          "--cache-dir", cache, "--csv", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  /* One of the three is wrong. */
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 1);
  kiln_test_replay_stop (&replay);
  return out;
}

/* The classroom: three models at once, one right, one after a repair, one wrong. */
static void
test_window_compare (void)
{
  g_autofree char *good_answer = fenced (GOOD_CODE);
  g_autofree char *broken_answer = fenced (BROKEN_CODE);
  g_autofree char *wrong_answer = fenced (WRONG_CODE);
  g_autofree char *good = scripted_response (good_answer, 7, 64, "\"delay_ms\": 10");
  g_autofree char *broken = scripted_response (broken_answer, 7, 64, "");
  g_autofree char *wrong = scripted_response (wrong_answer, 7, 64, "");
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/right/v1/chat/completions\": [%s], "
    "\"/repair/v1/chat/completions\": [%s, %s], \"/wrong/v1/chat/completions\": [%s]}}",
    good, broken, good, wrong);
  const char * const ids[] = { "right", "repair", "wrong", NULL };
  g_autoptr(GSettings) settings = g_settings_new ("io.github.kilnapp.Kiln");
  g_autofree char *csv = NULL;
  g_autofree char *cli_csv = NULL;
  g_autofree char *markdown = NULL;
  g_auto(GStrv) rows = NULL;
  g_auto(GStrv) cli_rows = NULL;
  ConvertFixture fixture = { 0 };
  GListModel *conversions;
  KilnConversion *wrong_one = NULL;

  g_settings_set_uint (settings, "max-attempts", 2);
  convert_fixture_start_models (&fixture, scenario, ids);
  g_settings_set_uint (settings, "max-attempts", 2);

  kiln_window_compare_models (fixture.window, ids);
  g_assert_true (kiln_session_get_busy (kiln_window_get_session (fixture.window)));
  wait_for (fixture.window, conversion_ended, RUN_TIMEOUT_SECONDS, "the comparison");

  conversions = kiln_session_get_conversions (kiln_window_get_session (fixture.window));
  g_assert_cmpuint (g_list_model_get_n_items (conversions), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(KilnConversion) conversion = g_list_model_get_item (conversions, i);

      if (g_str_equal (kiln_conversion_get_model_id (conversion), "wrong"))
        wrong_one = conversion;
      else
        g_assert_cmpint (kiln_conversion_get_verdict (conversion), ==, KILN_VERDICT_MATCHED);
    }
  g_assert_nonnull (wrong_one);
  g_assert_cmpint (kiln_conversion_get_verdict (wrong_one), ==, KILN_VERDICT_OUTPUT_DIFFERS);

  /* The leaderboard as a person exports it: the two verified first, the wrong one last,
   * with no speedup. */
  csv = kiln_window_dup_leaderboard (fixture.window, FALSE);
  g_test_message ("%s", csv);
  rows = csv_rows (csv);
  g_assert_cmpuint (g_strv_length (rows), ==, 4);
  g_assert_cmpstr (rows[0], ==, "model,ok,verdict,attempts");
  g_assert_true (g_str_has_suffix (rows[1], ",true,matched,1") ||
                 g_str_has_suffix (rows[1], ",true,matched,2"));
  g_assert_true (g_str_has_suffix (rows[2], ",true,matched,1") ||
                 g_str_has_suffix (rows[2], ",true,matched,2"));
  g_assert_cmpstr (rows[3], ==, "wrong,false,output_differs,2");
  {
    g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);
    g_auto(GStrv) fields = g_strsplit (lines[3], ",", -1);

    /* speedup is the fifth column: empty for the unverified one */
    g_assert_cmpstr (fields[4], ==, "");
  }
  markdown = kiln_window_dup_leaderboard (fixture.window, TRUE);
  g_assert_nonnull (strstr (markdown, "Output differs at line 1"));
  g_assert_nonnull (strstr (markdown, "Model right"));

  /* KILN_TEST_HOLD_SECONDS keeps the window up to be looked at (screenshots). */
  if (g_getenv ("KILN_TEST_HOLD_SECONDS") != NULL)
    {
      gint64 until = g_get_monotonic_time () +
                     g_ascii_strtoll (g_getenv ("KILN_TEST_HOLD_SECONDS"), NULL, 10) * G_USEC_PER_SEC;

      gtk_window_set_default_size (GTK_WINDOW (fixture.window), 1400, 900);
      while (g_get_monotonic_time () < until)
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (10000);
        }
    }

  /* Choosing a row shows that model's code. */
  g_object_set (kiln_window_get_leaderboard (fixture.window), "selected", wrong_one, NULL);
  assert_cpp_is (fixture.window, WRONG_CODE);
  g_assert_true (kiln_window_get_shown_conversion (fixture.window) == wrong_one);

  /* kiln-cli compare-models says the same of the same replay. */
  cli_csv = cli_compare_csv (scenario, fixture.dir);
  g_test_message ("%s", cli_csv);
  cli_rows = csv_rows (cli_csv);
  g_assert_cmpuint (g_strv_length (cli_rows), ==, 4);
  /* The two verified ones are ranked by their measured speedups, which are close: compare
   * the rows, not their order among equals. The unverified one is last in both. */
  g_assert_cmpstr (cli_rows[0], ==, rows[0]);
  g_assert_cmpstr (cli_rows[3], ==, rows[3]);
  g_assert_true ((g_str_equal (cli_rows[1], rows[1]) && g_str_equal (cli_rows[2], rows[2])) ||
                 (g_str_equal (cli_rows[1], rows[2]) && g_str_equal (cli_rows[2], rows[1])));

  /* The comparison was recorded; it comes back, program and all, as after a restart. */
  {
    KilnHistory *history = NULL;
    g_autoptr(GListModel) entries = NULL;
    g_autoptr(KilnHistoryEntry) entry = NULL;
    g_autofree char *python = NULL;
    g_autofree char *restored_csv = NULL;
    g_auto(GStrv) restored_rows = NULL;
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    guint n_conversions = 0;
    gint64 id = 0;

    while ((history = kiln_application_get_history (KILN_APPLICATION (fixture.app))) == NULL)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
    while (n_conversions < 3)
      {
        g_autoptr(GAsyncResult) listed = NULL;

        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        kiln_history_list_async (history, 10, NULL, store_result_cb, &listed);
        while (listed == NULL)
          g_main_context_iteration (NULL, TRUE);
        g_clear_object (&entries);
        entries = kiln_history_list_finish (history, listed, NULL);
        g_assert_nonnull (entries);
        if (g_list_model_get_n_items (entries) > 0)
          {
            g_clear_object (&entry);
            entry = g_list_model_get_item (entries, 0);
            g_object_get (entry, "id", &id, "n-conversions", &n_conversions, NULL);
          }
      }
    /* The newest: the conversions of the earlier tests are in the history too. */
    {
      g_autofree char *models = NULL;

      g_object_get (entry, "models", &models, NULL);
      g_assert_nonnull (strstr (models, "Model right"));
      g_assert_nonnull (strstr (models, "Model wrong"));
    }

    gtk_text_buffer_set_text (kiln_window_get_buffer (fixture.window, KILN_LANGUAGE_PYTHON),
                              "print('something else')\n", -1);
    kiln_window_open_past_comparison (fixture.window, id);
    while (!first_is_restored (conversions))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
    python = dup_text (kiln_window_get_buffer (fixture.window, KILN_LANGUAGE_PYTHON));
    g_assert_cmpstr (python, ==, CONVERT_PYTHON);
    restored_csv = kiln_window_dup_leaderboard (fixture.window, FALSE);
    restored_rows = csv_rows (restored_csv);
    g_assert_cmpuint (g_strv_length (restored_rows), ==, 4);
    g_assert_cmpstr (restored_rows[3], ==, rows[3]);
  }

  g_settings_reset (settings, "max-attempts");
  convert_fixture_stop (&fixture);
}

static void
test_window_convert_repair (void)
{
  g_autofree char *broken = fenced (BROKEN_CODE);
  g_autofree char *good = fenced (GOOD_CODE);
  g_autofree char *first = scripted_response (broken, 5, 0, "");
  g_autofree char *second = scripted_response (good, 5, 0, "");
  g_autofree char *responses = g_strdup_printf ("%s, %s", first, second);
  g_autofree char *mine = NULL;
  ConvertFixture fixture = { 0 };
  KilnStatusPanel *panel;
  GtkTextBuffer *cpp;
  GtkTextIter end;

  convert_fixture_start (&fixture, responses);
  panel = kiln_window_get_status_panel (fixture.window);
  cpp = kiln_window_get_buffer (fixture.window, KILN_LANGUAGE_CPP);

  /* The person's own C++ before the conversion is kept. */
  gtk_text_buffer_set_text (cpp, "// my own try\n", -1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.convert", NULL));
  wait_for (fixture.window, conversion_ended, RUN_TIMEOUT_SECONDS, "the conversion");

  g_test_message ("%s", kiln_status_panel_get_conversion_progress_text (panel));
  g_assert_cmpstr (kiln_status_panel_get_conversion_progress_text (panel), ==,
                   "Attempt 2 of 3 succeeded");
  g_assert_nonnull (strstr (kiln_status_panel_get_conversion_report_text (panel),
                            "2 attempts of 3"));
  g_assert_cmpuint (g_list_model_get_n_items (kiln_conversion_get_attempts_model (kiln_window_get_shown_conversion (fixture.window))), ==, 2);
  assert_cpp_is (fixture.window, GOOD_CODE);
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel), ==, "Outputs match");
  g_assert_cmpstr (kiln_window_get_attempt_text (fixture.window), ==, "Attempt 2 of 2");

  /* Back to the attempt that did not compile. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window),
                                             "win.previous-attempt", NULL));
  assert_cpp_is (fixture.window, BROKEN_CODE);
  g_assert_cmpstr (kiln_window_get_attempt_text (fixture.window), ==, "Attempt 1 of 2");
  g_test_message ("%s", kiln_status_panel_get_verdict_text (panel));
  g_assert_nonnull (strstr (kiln_status_panel_get_verdict_text (panel), "did not compile"));

  /* Forward again: the working code and its verdict. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window),
                                             "win.next-attempt", NULL));
  assert_cpp_is (fixture.window, GOOD_CODE);
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel), ==, "Outputs match");

  /* Editing makes it the person's code; stepping keeps the edit as "Your code". */
  gtk_text_buffer_get_end_iter (cpp, &end);
  gtk_text_buffer_insert (cpp, &end, "// mine\n", -1);
  g_assert_cmpstr (kiln_window_get_attempt_text (fixture.window), ==, "Attempt 2 of 2, edited");
  mine = dup_text (cpp);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window),
                                             "win.previous-attempt", NULL));
  assert_cpp_is (fixture.window, BROKEN_CODE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window),
                                             "win.next-attempt", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window),
                                             "win.next-attempt", NULL));
  g_assert_cmpstr (kiln_window_get_attempt_text (fixture.window), ==, "Your code");
  assert_cpp_is (fixture.window, mine);

  convert_fixture_stop (&fixture);
}

static void
test_window_convert_stop (void)
{
  g_autofree char *answer = fenced (GOOD_CODE);
  g_autofree char *responses = scripted_response (answer, 4, 32, "\"stall_after\": 2000");
  ConvertFixture fixture = { 0 };
  g_autofree char *partial = NULL;
  KilnStatusPanel *panel;
  gint64 stopped_at;

  convert_fixture_start (&fixture, responses);
  panel = kiln_window_get_status_panel (fixture.window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.convert", NULL));
  wait_for (fixture.window, cpp_has_text, 60, "the first code");
  g_assert_true (kiln_session_get_busy (kiln_window_get_session (fixture.window)));

  /* The same action stops it, long before the stream's idle timeout. */
  stopped_at = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.convert", NULL));
  wait_for (fixture.window, conversion_ended, 5, "the stopped conversion");
  g_test_message ("stopped in %.3f s", (g_get_monotonic_time () - stopped_at) / 1e6);

  g_test_message ("%s", kiln_status_panel_get_conversion_progress_text (panel));
  g_assert_nonnull (strstr (kiln_status_panel_get_conversion_progress_text (panel), "Stopped"));
  g_assert_true (cpp_has_text (fixture.window));
  partial = dup_text (kiln_window_get_buffer (fixture.window, KILN_LANGUAGE_CPP));
  g_assert_true (g_str_has_prefix (GOOD_CODE, partial));
  g_assert_cmpstr (partial, !=, GOOD_CODE);

  convert_fixture_stop (&fixture);
}

/* Make It Faster: the rounds on a scripted model — round 1 keeps the O(n²)
 * algorithm, round 2 gives Kadane's O(n) scan with the same output, round 3 is faster but
 * prints something else. The real g++ and sandbox; no timing assertions beyond a ratio the
 * algorithms differ by far more than any noise. */
#define KADANE_CPP \
  "#include <cstdint>\n#include <cstdio>\n\nint main()\n{\n" \
  "  const int T = 100000, N = 64;\n  uint32_t seed = 12345;\n  long long a[N];\n" \
  "  long long total = 0;\n  for (int t = 0; t < T; t++)\n    {\n" \
  "      for (int i = 0; i < N; i++)\n        {\n" \
  "          seed = seed * 1664525u + 1013904223u;\n" \
  "          a[i] = (long long) (seed >> 16) % 2001 - 1000;\n        }\n" \
  "      long long best = a[0];\n      for (int i = 0; i < N; i++)\n        {\n" \
  "          long long s = 0;\n          for (int j = i; j < N; j++)\n            {\n" \
  "              s += a[j];\n              if (s > best)\n                best = s;\n" \
  "            }\n        }\n      total += best;\n    }\n" \
  "  std::printf(\"%lld\\n\", total);\n  return 0;\n}\n"
#define KADANE_ROUND1_CPP \
  "#include <cstdint>\n#include <cstdio>\n#include <vector>\n\nint main()\n{\n" \
  "  const int T = 100000, N = 64;\n  uint32_t seed = 12345;\n" \
  "  std::vector<long long> a(N);\n  long long total = 0;\n" \
  "  for (int t = 0; t < T; t++) {\n    for (auto &x : a) {\n" \
  "      seed = seed * 1664525u + 1013904223u;\n" \
  "      x = (long long) (seed >> 16) % 2001 - 1000;\n    }\n" \
  "    long long best = a[0];\n    for (int i = 0; i < N; i++) {\n      long long s = 0;\n" \
  "      for (int j = i; j < N; j++) { s += a[j]; best = s > best ? s : best; }\n    }\n" \
  "    total += best;\n  }\n  std::printf(\"%lld\\n\", total);\n}\n"
#define KADANE_LOOP(T) \
  "#include <cstdint>\n#include <cstdio>\n\nint main()\n{\n" \
  "  const int T = " T ", N = 64;\n  uint32_t seed = 12345;\n  long long total = 0;\n" \
  "  for (int t = 0; t < T; t++)\n    {\n      long long best = 0, here = 0;\n" \
  "      for (int i = 0; i < N; i++)\n        {\n" \
  "          seed = seed * 1664525u + 1013904223u;\n" \
  "          long long x = (long long) (seed >> 16) % 2001 - 1000;\n" \
  "          here = here > 0 ? here + x : x;\n" \
  "          if (i == 0 || here > best)\n            best = here;\n        }\n" \
  "      total += best;\n    }\n  std::printf(\"%lld\\n\", total);\n  return 0;\n}\n"
#define KADANE_ROUND2_CPP KADANE_LOOP ("100000")
/* Half the work: a different total. */
#define KADANE_ROUND3_CPP KADANE_LOOP ("50000")

static char *
optimize_answer (const char *summary,
                 const char *code)
{
  g_autofree char *before = g_strdup_printf ("Summary: %s\n\n", summary);
  g_autofree char *text = kiln_test_fenced (before, code, "\nSame output, less work.\n");
  g_autofree char *stream = kiln_test_openai_stream (text, 40, NULL);

  return kiln_test_replay_response (stream, 0, 0);
}

static GtkWidget *
make_faster_button (KilnWindow *window)
{
  GtkWidget *button = find_by_id (GTK_WIDGET (window), "make_faster_button");

  g_assert_nonnull (button);
  return button;
}

static gboolean
rounds_ended (KilnWindow *window)
{
  KilnOptimizeView *view = KILN_OPTIMIZE_VIEW (kiln_window_get_optimize_view (window));
  KilnOptimizer *optimizer = kiln_optimize_view_get_optimizer (view);

  return optimizer != NULL && !kiln_optimizer_get_running (optimizer) &&
         g_str_equal (gtk_button_get_label (GTK_BUTTON (make_faster_button (window))),
                      "Make It _Faster");
}

static KilnOptimizeCandidate *
row_at (KilnOptimizeView *view,
        guint             index)
{
  GListModel *rows = kiln_optimize_view_get_rows (view);
  KilnOptimizeCandidate *candidate;

  g_assert_cmpuint (index, <, g_list_model_get_n_items (rows));
  candidate = g_list_model_get_item (rows, index);
  g_object_unref (candidate);  /* the history holds it */
  return candidate;
}

static void
assert_result (KilnOptimizeView      *view,
               KilnOptimizeCandidate *candidate,
               const char            *expected)
{
  g_autofree char *text = kiln_optimize_view_dup_result_text (view, candidate);

  g_test_message ("round %u: %s — %s — %s", candidate->round, text, candidate->verdict_text,
                  candidate->summary != NULL ? candidate->summary : "");
  g_assert_cmpstr (text, ==, expected);
}

/* A PNG of @window in $KILN_SHOT_DIR, when it is set. */
static void
save_shot (KilnWindow *window,
           const char *name)
{
  const char *dir = g_getenv ("KILN_SHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;

  if (dir == NULL)
    return;

  /* A few frames, so that what changed is drawn. */
  {
    gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
    guint tick = g_timeout_add (20, tick_cb, NULL);

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick);
  }
  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                          gtk_widget_get_width (GTK_WIDGET (window)),
                          gtk_widget_get_height (GTK_WIDGET (window)));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  texture = gsk_renderer_render_texture (renderer, node, NULL);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

static void
test_window_make_faster (void)
{
  g_autofree char *one = optimize_answer ("kept the double loop, with a vector.",
                                          KADANE_ROUND1_CPP);
  g_autofree char *two = optimize_answer ("replaced the O(n^2) double loop with Kadane's O(n) "
                                          "scan.", KADANE_ROUND2_CPP);
  g_autofree char *three = optimize_answer ("only half the arrays are needed.",
                                            KADANE_ROUND3_CPP);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/v1/chat/completions\": [%s, %s, %s]}}", one, two, three);
  ConvertFixture fixture = { 0 };
  KilnOptimizeView *view;
  KilnOptimizeCandidate *start, *kept, *slow, *wrong;
  GtkWidget *button;
  const char *note;

  convert_fixture_start_models (&fixture, scenario, NULL);
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 1280, 900);
  view = KILN_OPTIMIZE_VIEW (kiln_window_get_optimize_view (fixture.window));
  button = make_faster_button (fixture.window);

  /* Python not yet converted: nothing verified to start from, and the button says so. */
  g_assert_false (gtk_widget_get_sensitive (button));
  g_test_message ("disabled: %s", gtk_widget_get_tooltip_text (button));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (button), "Convert the program first"));

  /* C++ alone: it is the original and the start. */
  gtk_text_buffer_set_text (kiln_window_get_buffer (fixture.window, KILN_LANGUAGE_PYTHON),
                            "", -1);
  gtk_text_buffer_set_text (kiln_window_get_buffer (fixture.window, KILN_LANGUAGE_CPP),
                            KADANE_CPP, -1);
  g_assert_true (gtk_widget_get_sensitive (button));

  /* Only the model's rounds here; the compiler options have tests of their own. */
  kiln_optimize_view_set_search_flags (view, FALSE);
  g_assert_cmpuint (kiln_optimize_view_get_rounds (view), ==, 3);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.make-faster",
                                             NULL));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Stop _Rounds");
  wait_for (fixture.window, rounds_ended, RUN_TIMEOUT_SECONDS, "the rounds");
  g_test_message ("%s", kiln_optimize_view_get_status_text (view));

  /* The start, then one candidate per round. */
  g_assert_cmpuint (g_list_model_get_n_items (kiln_optimize_view_get_rows (view)), ==, 4);
  start = row_at (view, 0);
  slow = row_at (view, 1);
  kept = row_at (view, 2);
  wrong = row_at (view, 3);
  g_assert_cmpuint (start->round, ==, 0);
  assert_result (view, start, "Kept, then beaten");
  /* The same algorithm: right, and not the best; whether it beat the start by 3% is the
   * machine's business. */
  g_assert_true (kiln_optimize_candidate_get_verified (slow));
  {
    g_autofree char *result = kiln_optimize_view_dup_result_text (view, slow);

    g_assert_true (g_str_equal (result, "Not faster") || g_str_equal (result, "Kept, then beaten"));
  }
  g_assert_cmpstr (slow->summary, ==, "kept the double loop, with a vector.");
  assert_result (view, kept, "Best");
  g_assert_nonnull (strstr (kept->summary, "Kadane"));
  g_assert_cmpfloat (kept->speedup_over_best, >, 1.5);
  assert_result (view, wrong, "Rejected");
  g_assert_true (g_str_has_prefix (wrong->verdict_text, "Output differs"));
  g_assert_cmpfloat (wrong->speedup, ==, 0);
  /* The wrong last round brought nothing verified: that ends the rounds, and says so. */
  g_assert_nonnull (strstr (kiln_optimize_view_get_status_text (view), "Round 3 brought no "
                                                                       "verified program."));
  g_assert_nonnull (strstr (kiln_optimize_view_get_status_text (view), "Best: round 2"));

  /* The best stays in the pane, editable. */
  assert_cpp_is (fixture.window, KADANE_ROUND2_CPP);
  g_assert_true (kiln_optimize_view_get_selected (view) == kept);
  g_assert_true (gtk_text_view_get_editable (
    GTK_TEXT_VIEW (find_by_id (GTK_WIDGET (fixture.window), "cpp_view"))));
  save_shot (fixture.window, "make-faster-done.png");

  /* Stepping through the rounds: a rejected one is shown read-only, the best comes back. */
  kiln_optimize_view_set_selected (view, wrong);
  assert_cpp_is (fixture.window, KADANE_ROUND3_CPP);
  g_assert_false (gtk_text_view_get_editable (
    GTK_TEXT_VIEW (find_by_id (GTK_WIDGET (fixture.window), "cpp_view"))));
  save_shot (fixture.window, "make-faster-rejected-selected.png");
  kiln_optimize_view_set_selected (view, NULL);
  assert_cpp_is (fixture.window, KADANE_ROUND2_CPP);
  g_assert_true (gtk_text_view_get_editable (
    GTK_TEXT_VIEW (find_by_id (GTK_WIDGET (fixture.window), "cpp_view"))));

  /* The compare view names the model's best after its rounds. */
  note = kiln_window_get_optimized_note (fixture.window);
  g_test_message ("%s", note);
  g_assert_nonnull (strstr (note, "Made faster by Scripted"));
  g_assert_nonnull (strstr (note, "round 2"));

  convert_fixture_stop (&fixture);
}

#define FASTER_PYTHON \
  "total = 0\nfor i in range(4000000):\n    total = (total + i * i) % 1000003\nprint(total)\n"
#define FASTER_CPP \
  "#include <cstdio>\nint main() {\n  long long total = 0;\n" \
  "  for (long long i = 0; i < 4000000; i++) total = (total + i * i) % 1000003;\n" \
  "  std::printf(\"%lld\\n\", total);\n}\n"
#define FASTER_WRONG_CPP "#include <cstdio>\nint main() {\n  std::printf(\"44\\n\");\n}\n"

/* After a verified conversion: the rounds continue its chat, and a wrong answer never
 * replaces the converted program in the pane. */
static void
test_window_make_faster_after_convert (void)
{
  g_autofree char *converted = optimize_answer ("a direct translation.", FASTER_CPP);
  g_autofree char *wrong = optimize_answer ("printed the answer.", FASTER_WRONG_CPP);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/v1/chat/completions\": [%s, %s]}}", converted, wrong);
  ConvertFixture fixture = { 0 };
  g_autoptr(GPtrArray) requests = NULL;
  KilnOptimizeView *view;
  GtkWidget *button;
  JsonArray *messages = NULL;
  guint posts = 0;

  convert_fixture_start_models (&fixture, scenario, NULL);
  view = KILN_OPTIMIZE_VIEW (kiln_window_get_optimize_view (fixture.window));
  button = make_faster_button (fixture.window);
  gtk_text_buffer_set_text (kiln_window_get_buffer (fixture.window, KILN_LANGUAGE_PYTHON),
                            FASTER_PYTHON, -1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.convert", NULL));
  wait_for (fixture.window, conversion_ended, RUN_TIMEOUT_SECONDS, "the conversion");
  g_assert_true (kiln_conversion_get_verified (kiln_window_get_shown_conversion (fixture.window)));
  g_assert_true (gtk_widget_get_sensitive (button));

  kiln_optimize_view_set_rounds (view, 1);
  kiln_optimize_view_set_search_flags (view, FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.make-faster",
                                             NULL));
  wait_for (fixture.window, rounds_ended, RUN_TIMEOUT_SECONDS, "the rounds");
  g_test_message ("%s", kiln_optimize_view_get_status_text (view));

  g_assert_cmpuint (g_list_model_get_n_items (kiln_optimize_view_get_rows (view)), ==, 2);
  assert_result (view, row_at (view, 0), "Best");
  assert_result (view, row_at (view, 1), "Rejected");
  assert_cpp_is (fixture.window, FASTER_CPP);

  /* The round's request carries the conversion's exchange before it. */
  requests = kiln_test_replay_requests (&fixture.replay);
  for (guint i = 0; i < requests->len; i++)
    {
      JsonObject *request = json_node_get_object (requests->pdata[i]);

      if (g_strcmp0 (json_object_get_string_member (request, "method"), "POST") != 0)
        continue;
      if (++posts == 2)
        messages = json_object_get_array_member (kiln_test_request_body (requests->pdata[i]),
                                                 "messages");
    }
  g_assert_cmpuint (posts, ==, 2);
  g_assert_nonnull (messages);
  g_assert_cmpuint (json_array_get_length (messages), >, 2);

  convert_fixture_stop (&fixture);
}

/* The prompt editor */

typedef gboolean (*EditorCondition) (KilnPromptEditor *editor,
                                     const char       *path);

static void
wait_for_editor (KilnPromptEditor *editor,
                 EditorCondition   condition,
                 const char       *path,
                 const char       *what)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, tick_cb, NULL);

  while (!condition (editor, path))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (tick);
}

static gboolean
editor_loaded (KilnPromptEditor *editor,
               const char       *path)
{
  return kiln_prompt_editor_get_loaded (editor);
}

#define MY_PROMPT "Fix line {{line}}: wanted {{expected}}, got {{actual}}.\n"

static gboolean
editor_saved (KilnPromptEditor *editor,
              const char       *path)
{
  g_autofree char *contents = NULL;

  return !kiln_prompt_editor_get_busy (editor) &&
         g_file_get_contents (path, &contents, NULL, NULL) &&
         g_str_equal (contents, MY_PROMPT);
}

static gboolean
editor_reset (KilnPromptEditor *editor,
              const char       *path)
{
  return !kiln_prompt_editor_get_busy (editor) && !g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
test_window_prompt_editor (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "kiln", "prompts",
                                            KILN_PROMPT_REPAIR_OUTPUT, NULL);
  g_autoptr(GBytes) builtin = kiln_prompt_load_from (NULL, KILN_PROMPT_REPAIR_OUTPUT, NULL);
  KilnPromptEditor *editor;
  g_autofree char *text = NULL;

  g_assert_nonnull (builtin);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  editor = g_object_ref (kiln_prompt_editor_new (NULL, KILN_PROMPT_REPAIR_OUTPUT,
                                                 "Repair: wrong output"));
  gtk_window_present (GTK_WINDOW (editor));
  wait_for_editor (editor, editor_loaded, path, "the prompt");

  text = kiln_prompt_editor_dup_text (editor);
  g_assert_cmpstr (text, ==, g_bytes_get_data (builtin, NULL));
  g_clear_pointer (&text, g_free);
  g_assert_false (kiln_prompt_editor_get_customized (editor));
  g_assert_false (kiln_prompt_editor_get_modified (editor));
  g_test_message ("%s", kiln_prompt_editor_get_placeholders (editor));
  g_assert_nonnull (strstr (kiln_prompt_editor_get_placeholders (editor), "{{expected}}"));
  g_assert_nonnull (strstr (kiln_prompt_editor_get_placeholders (editor), "{{max_attempts}}"));

  /* Saving creates the folders and the user's copy. */
  kiln_prompt_editor_set_text (editor, MY_PROMPT);
  g_assert_true (kiln_prompt_editor_get_modified (editor));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "prompt.save", NULL));
  wait_for_editor (editor, editor_saved, path, "the saved prompt");
  g_assert_cmpstr (kiln_prompt_editor_get_error_text (editor), ==, "");
  g_assert_true (kiln_prompt_editor_get_customized (editor));
  g_assert_false (kiln_prompt_editor_get_modified (editor));

  /* The prompt the conversions read is now the user's. */
  {
    g_autoptr(GBytes) used = kiln_prompt_load (KILN_PROMPT_REPAIR_OUTPUT, NULL);

    g_assert_cmpstr (g_bytes_get_data (used, NULL), ==, MY_PROMPT);
  }

  /* Reset removes it and shows the built-in text again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "prompt.reset", NULL));
  wait_for_editor (editor, editor_reset, path, "the reset prompt");
  g_assert_cmpstr (kiln_prompt_editor_get_error_text (editor), ==, "");
  text = kiln_prompt_editor_dup_text (editor);
  g_assert_cmpstr (text, ==, g_bytes_get_data (builtin, NULL));
  g_assert_false (kiln_prompt_editor_get_customized (editor));
  g_assert_false (kiln_prompt_editor_get_modified (editor));

  /* Nothing edited: closing asks nothing. */
  gtk_window_close (GTK_WINDOW (editor));
  g_assert_finalize_object (editor);
}

/* GTK 4.8 now and then warns that it was asked to draw one of its own internal widgets
 * (a GtkGizmo: a list header's sort arrow, an expander's arrow) in the frame before that
 * widget got its size, when the rows of a sorted column view change between two frames. It
 * draws nothing wrong and later GTK versions no longer say it; every other warning stays
 * fatal. */
static gboolean
is_gizmo_warning (const char *domain,
                  const char *message)
{
  return g_strcmp0 (domain, "Gtk") == 0 && message != NULL &&
         g_str_has_prefix (message, "Trying to snapshot GtkGizmo") &&
         g_str_has_suffix (message, "without a current allocation");
}

static GLogWriterOutput
log_writer_cb (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  if ((level & G_LOG_LEVEL_WARNING) && is_gizmo_warning (domain, message))
    {
      g_test_message ("(GTK 4.8, harmless) %s", message);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gboolean
fatal_log_cb (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
  return !((level & G_LOG_LEVEL_WARNING) && is_gizmo_warning (domain, message));
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
  g_autofree char *data = NULL;
  int status;

  g_assert_no_error (error);

  /* Before anything reads them: the user's own drafts, cache and settings stay untouched. */
  state = g_build_filename (home, "state", NULL);
  cache = g_build_filename (home, "cache", NULL);
  config = g_build_filename (home, "config", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  data = g_build_filename (home, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  /* GTK logs both ways, structured or not: the harmless warning is dropped by either path. */
  g_test_log_set_fatal_handler (fatal_log_cb, NULL);
  g_log_set_writer_func (log_writer_cb, NULL, NULL);
  adw_init ();
  kiln_core_init ();

  /* The pi example's Python takes 10–20 s alone; on a loaded machine it can pass the
   * default 60 s timeout, which is not what these tests are about. (Memory backend: this
   * changes nothing outside the test.) */
  {
    g_autoptr(GSettings) settings = g_settings_new ("io.github.kilnapp.Kiln");

    g_settings_set_uint (settings, "run-timeout", 600);
  }

  g_test_add_func ("/window/pi-example", test_window_pi_example);
  g_test_add_func ("/window/compile-error", test_window_compile_error);
  g_test_add_func ("/window/timing-patterns", test_window_timing_patterns);
  g_test_add_func ("/window/example-switch", test_window_example_switch);
  g_test_add_func ("/window/stop", test_window_stop);
  g_test_add_func ("/window/drafts", test_window_drafts);
  g_test_add_func ("/window/hidden-inputs", test_window_hidden_inputs);
  g_test_add_func ("/window/models", test_window_models);
  g_test_add_func ("/window/convert", test_window_convert);
  g_test_add_func ("/window/convert-repair", test_window_convert_repair);
  g_test_add_func ("/window/convert-stop", test_window_convert_stop);
  g_test_add_func ("/window/make-faster", test_window_make_faster);
  g_test_add_func ("/window/make-faster-after-convert", test_window_make_faster_after_convert);
  g_test_add_func ("/window/compare", test_window_compare);
  g_test_add_func ("/window/prompt-editor", test_window_prompt_editor);

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

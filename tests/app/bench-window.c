/* bench-window.c: how a fast model's stream loads the window's main loop
 *
 * Not a test: build-aux/bench-window runs it under Xvfb and prints the figures. Streams an
 * answer of SIZE bytes of C++ in DELTAS pieces from tests/replay-server.py into a window
 * (verification off, so only streaming is measured) and reports the longest gap between
 * two runs of a high-priority 1 ms timeout, the main thread's CPU time and how many times
 * the C++ buffer was changed.
 *
 * Usage: bench-window SIZE_KB [DELTAS]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "kiln-window.h"
#include "../kiln-test-replay.h"

static gint64 last_tick;
static gint64 max_gap;

static gboolean
tick_cb (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();

  if (last_tick != 0)
    max_gap = MAX (max_gap, now - last_tick);
  last_tick = now;

  return G_SOURCE_CONTINUE;
}

static double
thread_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static char *
make_answer (gsize size)
{
  g_autoptr(GString) code = g_string_new ("#include <cstdio>\nint main() {\n  long x = 0;\n");

  for (guint line = 0; code->len < size; line++)
    g_string_append_printf (code, "  x += %u; // step %u of the benchmark\n", line % 97, line);
  g_string_append (code, "  std::printf(\"%ld\\n\", x);\n}\n");

  return g_strdup_printf ("Here is the program.\n\n```cpp\n%s```\n\nThat is all.\n",
                          code->str);
}

static char *
scenario_for (const char *answer,
              guint       deltas)
{
  gsize length = strlen (answer);
  gsize piece = MAX (length / deltas, 1);
  GString *stream = g_string_new ("data: {\"choices\":[{\"index\":0,\"delta\":"
                                  "{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *body = NULL;

  for (gsize i = 0; i < length; i += piece)
    {
      g_autofree char *part = g_strndup (answer + i, MIN (piece, length - i));
      g_autoptr(JsonNode) string = json_node_init_string (json_node_alloc (), part);
      g_autofree char *text = json_to_string (string, FALSE);

      g_string_append_printf (stream, "data: {\"choices\":[{\"index\":0,\"delta\":"
                                       "{\"content\":%s}}]}\n\n", text);
    }
  g_string_append (stream, "data: {\"choices\":[{\"index\":0,\"delta\":{},"
                           "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");

  body = g_string_free (stream, FALSE);
  node = json_node_init_string (json_node_alloc (), body);
  quoted = json_to_string (node, FALSE);

  return g_strdup_printf ("{\"routes\": {\"/v1/chat/completions\": [{\"body\": %s, "
                          "\"chunk_size\": 4096}], \"/v1/models\": [{\"body\": "
                          "\"{\\\"data\\\": []}\"}]}}", quoted);
}

int
main (int   argc,
      char *argv[])
{
  gsize size = (argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 200) * 1024;
  guint deltas = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 50000;
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("kiln-bench-window-XXXXXX", &error);
  g_autofree char *answer = make_answer (size);
  g_autofree char *scenario = scenario_for (answer, deltas);
  g_autofree char *models = NULL;
  g_autofree char *models_path = NULL;
  g_autofree char *closed = g_strdup ("http://127.0.0.1:9");
  g_autoptr(KilnKeyStore) key_store = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GtkApplication) app = NULL;
  KilnTestReplay replay = { 0 };
  KilnWindow *window;
  GtkTextBuffer *python;
  double cpu_before, cpu_after;
  gint64 started, ended;
  guint writes_before;
  guint timer;

  g_assert_no_error (error);
  g_setenv ("XDG_STATE_HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);

  gtk_init ();
  adw_init ();
  kiln_core_init ();

  kiln_test_replay_start (&replay, scenario, FALSE);
  models_path = g_build_filename (home, "models.json", NULL);
  models = g_strdup_printf ("{\"models\": [{\"id\": \"bench\", \"label\": \"Bench\", "
                            "\"provider\": \"Replay\", \"api\": \"openai\", "
                            "\"base_url\": \"http://127.0.0.1:%u/v1\", \"model\": \"b\", "
                            "\"max_retries\": 0}]}", replay.port);
  g_assert_true (g_file_set_contents (models_path, models, -1, NULL));
  g_setenv ("KILN_MODELS_FILE", models_path, TRUE);
  g_setenv ("KILN_OLLAMA_URL", closed, TRUE);
  g_setenv ("KILN_LOCAL_OPENAI_URL", closed, TRUE);

  settings = g_settings_new ("io.github.kilnapp.Kiln");
  g_settings_set_boolean (settings, "auto-verify", FALSE);
  g_settings_set_uint (settings, "max-attempts", 1);

  key_store = kiln_key_store_new (FALSE);
  app = g_object_new (KILN_TYPE_APPLICATION,
                      "application-id", "io.github.kilnapp.Kiln.Bench",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/io/github/kilnapp/Kiln",
                      "key-store", key_store,
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  while (!kiln_application_get_models_loaded (KILN_APPLICATION (app)))
    g_main_context_iteration (NULL, TRUE);

  window = kiln_window_new (KILN_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
  while (!kiln_window_get_drafts_loaded (window))
    g_main_context_iteration (NULL, TRUE);
  python = kiln_window_get_buffer (window, KILN_LANGUAGE_PYTHON);
  gtk_text_buffer_set_text (python, "print(1)\n", -1);
  /* Let the first frames (and GL set-up) pass before measuring. */
  for (gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC; g_get_monotonic_time () < until;)
    g_main_context_iteration (NULL, FALSE);

  /* A first conversion realizes the status panel and the notes (a one-time cost). */
  if (g_getenv ("KILN_BENCH_NO_WARMUP") == NULL)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.convert", NULL));
      while (kiln_session_get_busy (kiln_window_get_session (window)))
        g_main_context_iteration (NULL, TRUE);
      for (gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
           g_get_monotonic_time () < until;)
        g_main_context_iteration (NULL, FALSE);
    }

  cpu_before = thread_cpu_seconds ();
  writes_before = kiln_window_get_cpp_writes (window);
  started = g_get_monotonic_time ();
  timer = g_timeout_add_full (G_PRIORITY_HIGH, 1, tick_cb, NULL, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.convert", NULL));
  while (kiln_session_get_busy (kiln_window_get_session (window)))
    g_main_context_iteration (NULL, TRUE);
  ended = g_get_monotonic_time ();
  g_source_remove (timer);
  cpu_after = thread_cpu_seconds ();

  {
    GtkTextBuffer *cpp = kiln_window_get_buffer (window, KILN_LANGUAGE_CPP);
    KilnStatusPanel *panel = kiln_window_get_status_panel (window);

    g_print ("answer %6zu KB in %u deltas: C++ pane %d chars, %u buffer changes, "
             "wall %.2f s, longest main-loop stall %.1f ms, main-thread CPU %.3f s\n",
             strlen (answer) / 1024, deltas, gtk_text_buffer_get_char_count (cpp),
             kiln_window_get_cpp_writes (window) - writes_before, (ended - started) / 1e6,
             max_gap / 1e3, cpu_after - cpu_before);
    g_printerr ("%s %s\n", kiln_status_panel_get_conversion_progress_text (panel),
                kiln_status_panel_get_conversion_error_text (panel));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  kiln_test_replay_stop (&replay);
  g_remove (models_path);

  return EXIT_SUCCESS;
}

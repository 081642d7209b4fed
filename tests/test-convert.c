/* test-convert.c: `kiln-cli convert` end to end — a scripted model on loopback, the real
 * g++ and python3, the repair loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kiln-test-replay.h"

#define PYTHON_SOURCE "total = 0\nfor i in range(10):\n    total += i\nprint(total)\n"

#define GOOD_CODE \
  "#include <cstdio>\nint main() {\n  long total = 0;\n  for (int i = 0; i < 10; i++) total += i;\n" \
  "  std::printf(\"%ld\\n\", total);\n}\n"
#define BROKEN_CODE \
  "#include <cstdio>\nint main() {\n  long total = 0;\n  for (int i = 0; i < 10; i++) total += i;\n" \
  "  std::printf(\"%ld\\n\", totl);\n}\n"
#define WRONG_CODE \
  "#include <cstdio>\nint main() {\n  std::printf(\"44\\n\");\n}\n"

static char *tmp_dir;

typedef struct
{
  int         status;
  char       *out;
  char       *err;
  JsonParser *parser;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  g_clear_object (&run->parser);
}

static JsonObject *
run_json (Run *run)
{
  return json_node_get_object (json_parser_get_root (run->parser));
}

static char *
response (const char *answer,
          gsize       piece,
          guint       chunk_size)
{
  g_autofree char *stream = kiln_test_openai_stream (answer, piece, NULL);

  return kiln_test_replay_response (stream, chunk_size, 0);
}

#define fenced kiln_test_fenced

static char *
write_file (const char *name,
            const char *contents)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static char *
models_file (guint port)
{
  g_autofree char *text = g_strdup_printf (
    "{\"models\": [{\"id\": \"scripted\", \"label\": \"Scripted\", \"provider\": \"Replay\", "
    "\"api\": \"openai\", \"base_url\": \"http://127.0.0.1:%u/v1\", \"model\": \"scripted-1\", "
    "\"max_retries\": 0, \"price_in_per_mtok\": 1.0, \"price_out_per_mtok\": 2.0}]}", port);

  return write_file ("models.json", text);
}

static void
convert (Run                *run,
         const char * const *extra_args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = g_build_filename (tmp_dir, "cache", NULL);
  g_autofree char *config = g_build_filename (tmp_dir, "config", NULL);
  char *out = NULL, *err = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("KILN_CLI"));
  g_ptr_array_add (argv, (char *) "convert");
  for (guint i = 0; extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, (char *) "--cache-dir");
  g_ptr_array_add (argv, cache);
  g_ptr_array_add (argv, (char *) "--json");
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);

  run->status = g_subprocess_get_exit_status (process);
  run->out = out;
  run->err = err;
  run->parser = json_parser_new ();
  if (!json_parser_load_from_data (run->parser, out, -1, NULL))
    g_error ("kiln-cli convert printed no JSON object. stdout:\n%s\nstderr:\n%s", out, err);
}

/* The POST requests the model received. */
static GPtrArray *
chat_requests (KilnTestReplay *replay)
{
  GPtrArray *requests = kiln_test_replay_requests (replay);

  for (guint i = requests->len; i > 0; i--)
    if (g_strcmp0 (json_object_get_string_member (json_node_get_object (requests->pdata[i - 1]),
                                                  "method"), "POST") != 0)
      g_ptr_array_remove_index (requests, i - 1);
  return requests;
}

static const char *
last_user_message (JsonNode *request)
{
  JsonArray *messages = json_object_get_array_member (kiln_test_request_body (request),
                                                      "messages");
  JsonObject *last = json_array_get_object_element (messages,
                                                    json_array_get_length (messages) - 1);

  g_assert_cmpstr (json_object_get_string_member (last, "role"), ==, "user");
  return json_object_get_string_member (last, "content");
}

static void
test_chatty_answer (void)
{
  g_autofree char *answer = fenced ("Sure! Here is a faster version.\n\n", GOOD_CODE,
                                    "\nIt keeps the same loop, so the output is identical.\n");
  g_autofree char *one = response (answer, 9, 0);
  g_autofree char *scenario = g_strdup_printf ("{\"routes\": {\"/v1/chat/completions\": [%s]}}",
                                               one);
  g_autofree char *source = write_file ("chatty.py", PYTHON_SOURCE);
  g_autofree char *models = NULL;
  g_autofree char *written = NULL;
  g_autofree char *expected_output = g_build_filename (tmp_dir, "chatty.cpp", NULL);
  KilnTestReplay replay = { 0 };
  JsonObject *attempt;
  const char *notes;
  Run run = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  models = models_file (replay.port);
  convert (&run, (const char *[]) { source, "--model", "scripted", "--models", models, "--run",
                                    NULL });

  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (json_object_get_boolean_member (run_json (&run), "ok"));
  g_assert_cmpstr (json_object_get_string_member (run_json (&run), "output_path"), ==,
                   expected_output);

  /* Exactly the code in the file... */
  g_assert_true (g_file_get_contents (expected_output, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, GOOD_CODE);

  /* ...and the prose in the notes, nothing of the code. */
  attempt = json_array_get_object_element (json_object_get_array_member (run_json (&run),
                                                                         "attempts"), 0);
  notes = json_object_get_string_member (attempt, "notes");
  g_assert_nonnull (strstr (notes, "Sure! Here is a faster version."));
  g_assert_nonnull (strstr (notes, "the output is identical"));
  g_assert_null (strstr (notes, "printf"));
  g_assert_true (json_object_get_boolean_member (attempt, "outputs_match"));
  g_assert_true (json_object_get_null_member (attempt, "reason"));
  g_assert_cmpfloat (json_object_get_double_member (run_json (&run), "speedup"), >, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (run_json (&run),
                                                                              "usage"),
                                               "output_tokens"), ==, 40);

  /* The first request asked for C++ from this Python and named the platform. */
  {
    g_autoptr(GPtrArray) requests = chat_requests (&replay);
    JsonArray *messages = json_object_get_array_member (kiln_test_request_body (requests->pdata[0]),
                                                        "messages");
    const char *system = json_object_get_string_member (json_array_get_object_element (messages, 0),
                                                        "content");

    g_assert_cmpuint (requests->len, ==, 1);
    g_assert_nonnull (strstr (system, "-O3"));
    g_assert_null (strstr (system, "{{"));
    g_assert_nonnull (strstr (last_user_message (requests->pdata[0]), "total += i"));
  }

  run_clear (&run);
  kiln_test_replay_stop (&replay);
}

/* The first answer does not compile; the second request carries the compiler's error. */
static void
test_compile_error_repaired (void)
{
  g_autofree char *first_answer = fenced ("", BROKEN_CODE, "");
  g_autofree char *second_answer = fenced ("Fixed the typo.\n", GOOD_CODE, "");
  g_autofree char *first = response (first_answer, 20, 0);
  g_autofree char *second = response (second_answer, 20, 0);
  g_autofree char *scenario = g_strdup_printf ("{\"routes\": {\"/v1/chat/completions\": [%s, %s]}}",
                                               first, second);
  g_autofree char *source = write_file ("typo.py", PYTHON_SOURCE);
  g_autofree char *models = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  KilnTestReplay replay = { 0 };
  JsonArray *attempts;
  JsonArray *messages;
  Run run = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  models = models_file (replay.port);
  convert (&run, (const char *[]) { source, "--model", "scripted", "--models", models, "--run",
                                    NULL });

  g_assert_cmpint (run.status, ==, 0);
  attempts = json_object_get_array_member (run_json (&run), "attempts");
  g_assert_cmpuint (json_array_get_length (attempts), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (attempts, 0),
                                                  "reason"), ==, "compile_error");
  g_assert_false (json_object_get_boolean_member (
    json_object_get_object_member (json_array_get_object_element (attempts, 0), "compile"), "ok"));
  g_assert_true (json_object_get_null_member (json_array_get_object_element (attempts, 1),
                                              "reason"));
  g_assert_nonnull (strstr (run.err, "Attempt 2 of 3: fixing a compile error"));

  requests = chat_requests (&replay);
  g_assert_cmpuint (requests->len, ==, 2);
  /* The same conversation goes on: system, user, the broken answer, the repair. */
  messages = json_object_get_array_member (kiln_test_request_body (requests->pdata[1]),
                                           "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 4);
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (messages, 2),
                                                           "content"), "totl"));
  g_assert_nonnull (strstr (last_user_message (requests->pdata[1]), "totl"));
  g_assert_nonnull (strstr (last_user_message (requests->pdata[1]), "main.cpp:5"));

  run_clear (&run);
  kiln_test_replay_stop (&replay);
}

/* A model that always prints something else: every repair request names the first
 * differing line with both values, and convert gives up after the limit. */
static void
test_output_always_differs (void)
{
  g_autofree char *answer = fenced ("", WRONG_CODE, "");
  g_autofree char *one = response (answer, 50, 0);
  g_autofree char *scenario = g_strdup_printf ("{\"routes\": {\"/v1/chat/completions\": [%s]}}",
                                               one);
  g_autofree char *source = write_file ("wrong.py", PYTHON_SOURCE);
  g_autofree char *models = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  KilnTestReplay replay = { 0 };
  JsonArray *attempts;
  Run run = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  models = models_file (replay.port);
  convert (&run, (const char *[]) { source, "--model", "scripted", "--models", models, "--run",
                                    "--max-attempts", "3", NULL });

  g_assert_cmpint (run.status, !=, 0);
  g_assert_false (json_object_get_boolean_member (run_json (&run), "ok"));
  g_assert_nonnull (strstr (json_object_get_string_member (run_json (&run), "error"), "3"));
  attempts = json_object_get_array_member (run_json (&run), "attempts");
  g_assert_cmpuint (json_array_get_length (attempts), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *attempt = json_array_get_object_element (attempts, i);
      JsonObject *difference = json_object_get_object_member (attempt, "first_difference");

      g_assert_cmpstr (json_object_get_string_member (attempt, "reason"), ==, "output_differs");
      g_assert_false (json_object_get_boolean_member (attempt, "outputs_match"));
      g_assert_cmpint (json_object_get_int_member (difference, "line"), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (difference, "python"), ==, "45");
      g_assert_cmpstr (json_object_get_string_member (difference, "cpp"), ==, "44");
    }

  requests = chat_requests (&replay);
  g_assert_cmpuint (requests->len, ==, 3);
  for (guint i = 1; i < 3; i++)
    {
      const char *repair = last_user_message (requests->pdata[i]);

      g_assert_nonnull (strstr (repair, "line 1"));
      g_assert_nonnull (strstr (repair, "45"));
      g_assert_nonnull (strstr (repair, "44"));
    }

  run_clear (&run);
  kiln_test_replay_stop (&replay);
}

/* The same answer in one-byte pieces on the wire gives the same code. */
static void
test_one_byte_pieces (void)
{
  g_autofree char *answer = fenced ("Here you go:\n", GOOD_CODE, "Done.\n");
  g_autofree char *one = response (answer, 1, 1);
  g_autofree char *scenario = g_strdup_printf ("{\"routes\": {\"/v1/chat/completions\": [%s]}}",
                                               one);
  g_autofree char *source = write_file ("bytes.py", PYTHON_SOURCE);
  g_autofree char *output = g_build_filename (tmp_dir, "bytes-out.cpp", NULL);
  g_autofree char *models = NULL;
  g_autofree char *written = NULL;
  KilnTestReplay replay = { 0 };
  Run run = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  models = models_file (replay.port);
  /* Without --run the code is compiled, not run. */
  convert (&run, (const char *[]) { source, "--model", "scripted", "--models", models, "-o",
                                    output, NULL });

  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_file_get_contents (output, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, GOOD_CODE);
  g_assert_true (json_object_get_null_member (run_json (&run), "python"));

  run_clear (&run);
  kiln_test_replay_stop (&replay);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("kiln-convert-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/convert/chatty-answer", test_chatty_answer);
  g_test_add_func ("/convert/compile-error-repaired", test_compile_error_repaired);
  g_test_add_func ("/convert/output-always-differs", test_output_always_differs);
  g_test_add_func ("/convert/one-byte-pieces", test_one_byte_pieces);

  status = g_test_run ();

  {
    g_autofree char *quoted = g_shell_quote (tmp_dir);
    g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (tmp_dir);
  return status;
}

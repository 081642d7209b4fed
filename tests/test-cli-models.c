/* test-cli-models.c: `kiln-cli models` and `kiln-cli ask` end to end, against models served
 * by tests/replay-server.py on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kiln-test-replay.h"

#define SECRET_KEY "sk-kiln-cli-test-2b8e61d09f"

typedef struct
{
  char *dir;
  int   status;
  char *out;
  char *err;
} Run;

static char *tmp_dir;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

static char *
write_file (const char *name,
            const char *contents)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

/* Runs kiln-cli with @argv (NULL-terminated, without the program) and @stdin_text. */
static void
run_cli (Run                *run,
         const char * const *args,
         const char         *stdin_text)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
    G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) in = g_bytes_new (stdin_text ? stdin_text : "",
                                      stdin_text ? strlen (stdin_text) : 0);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("KILN_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  /* No keyring here: keys come from the environment. Nothing local is discovered. */
  g_subprocess_launcher_setenv (launcher, "KILN_TEST_KEY", SECRET_KEY, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "KILN_UNSET_KEY");
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  g_subprocess_launcher_setenv (launcher, "KILN_OLLAMA_URL", "http://127.0.0.1:9", TRUE);
  g_subprocess_launcher_setenv (launcher, "KILN_LOCAL_OPENAI_URL", "http://127.0.0.1:9", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, in, NULL, &out, &err, &error);
  g_assert_no_error (error);

  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                     : -1;
  /* An empty GBytes has NULL data: make both plain (possibly empty) strings. */
  run->out = g_strndup (g_bytes_get_size (out) ? g_bytes_get_data (out, NULL) : "",
                        g_bytes_get_size (out));
  run->err = g_strndup (g_bytes_get_size (err) ? g_bytes_get_data (err, NULL) : "",
                        g_bytes_get_size (err));

  /* Whatever happened, the key was never printed. */
  g_assert_null (strstr (run->out, SECRET_KEY));
  g_assert_null (strstr (run->err, SECRET_KEY));
}

static char *
models_file (guint replay_port)
{
  g_autofree char *text = g_strdup_printf (
    "{\"models\": ["
    " {\"id\": \"replay\", \"label\": \"Replay GPT\", \"provider\": \"Replay\", \"api\": \"openai\","
    "  \"base_url\": \"http://127.0.0.1:%u/v1\", \"model\": \"replay-1\", \"key_env\": \"KILN_TEST_KEY\","
    "  \"price_in_per_mtok\": 1.0, \"price_out_per_mtok\": 4.0, \"max_retries\": 0},"
    " {\"id\": \"needs-key\", \"label\": \"Needs a key\", \"provider\": \"Elsewhere\", \"api\": \"anthropic\","
    "  \"base_url\": \"https://api.anthropic.com\", \"model\": \"m\", \"key_env\": \"KILN_UNSET_KEY\"},"
    " {\"id\": \"local-down\", \"label\": \"Local, down\", \"provider\": \"Ollama (local)\", \"api\": \"ollama\","
    "  \"base_url\": \"http://127.0.0.1:9\", \"model\": \"qwen2.5-coder:7b\"},"
    " {\"id\": \"broken\", \"label\": \"Broken\", \"api\": \"carrier-pigeon\", \"base_url\": \"https://x\", \"model\": \"m\"}"
    "]}", replay_port);

  return write_file ("models.json", text);
}

#define STREAM \
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n" \
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"#include <cstdio>\\n\"}}]}\n\n" \
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"int main() { std::puts(\\\"π\\\"); }\\n\"}}]}\n\n" \
  "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" \
  "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7}}\n\n" \
  "data: [DONE]\n\n"
#define STREAM_TEXT "#include <cstdio>\nint main() { std::puts(\"π\"); }\n"

static char *
scenario_for (const char *body,
              const char *extra)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), body);
  g_autofree char *quoted = json_to_string (node, FALSE);

  return g_strdup_printf ("{\"routes\": {\"/v1/chat/completions\": [{\"body\": %s, "
                          "\"chunk_size\": 5%s}]}}", quoted, extra ? extra : "");
}

static void
test_models_json (void)
{
  g_autofree char *scenario = scenario_for (STREAM, NULL);
  g_autofree char *file = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  KilnTestReplay replay = { 0 };
  JsonArray *models, *errors;
  Run run = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  file = models_file (replay.port);
  run_cli (&run, (const char *[]) { "models", "--models", file, "--json", NULL }, NULL);

  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, NULL));
  models = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "models");
  errors = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "errors");
  g_assert_cmpuint (json_array_get_length (models), ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      JsonObject *m = json_array_get_object_element (models, i);
      const char *id = json_object_get_string_member (m, "id");
      gboolean available = json_object_get_boolean_member (m, "available");

      if (g_str_equal (id, "replay"))
        {
          g_assert_true (available);
          g_assert_true (json_object_get_null_member (m, "hint"));
        }
      else if (g_str_equal (id, "needs-key"))
        {
          g_assert_false (available);
          g_assert_nonnull (strstr (json_object_get_string_member (m, "hint"), "KILN_UNSET_KEY"));
        }
      else
        {
          g_assert_cmpstr (id, ==, "local-down");
          g_assert_false (available);
          g_assert_nonnull (json_object_get_string_member (m, "hint"));
        }
    }

  /* The broken entry is named, with its file and its field; the others loaded. */
  g_assert_cmpuint (json_array_get_length (errors), ==, 1);
  g_assert_nonnull (strstr (json_array_get_string_element (errors, 0), "models.json"));
  g_assert_nonnull (strstr (json_array_get_string_element (errors, 0), "broken"));
  g_assert_nonnull (strstr (json_array_get_string_element (errors, 0), "api"));

  run_clear (&run);
  kiln_test_replay_stop (&replay);
}

static void
test_ask_streams_exact_text (void)
{
  g_autofree char *scenario = scenario_for (STREAM, NULL);
  g_autofree char *file = NULL;
  g_autofree char *system = write_file ("system.txt", "You turn Python into C++.");
  g_autoptr(GPtrArray) requests = NULL;
  KilnTestReplay replay = { 0 };
  JsonObject *body;
  JsonArray *messages;
  Run run = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  file = models_file (replay.port);
  run_cli (&run, (const char *[]) { "ask", "--model", "replay", "--models", file,
                                    "--system", system, "-", NULL },
           "print('π')\n");

  g_assert_cmpint (run.status, ==, 0);
  /* Exactly the answer, nothing added. */
  g_assert_cmpstr (run.out, ==, STREAM_TEXT);
  g_assert_nonnull (strstr (run.err, "11 tokens in"));
  g_assert_nonnull (strstr (run.err, "7 tokens out"));
  g_assert_nonnull (strstr (run.err, "time to first token"));

  /* Loading the list also checks that a model on this machine is up (a GET); the answer is
   * the one POST. */
  requests = kiln_test_replay_requests (&replay);
  for (guint i = requests->len; i > 0; i--)
    if (g_strcmp0 (json_object_get_string_member (json_node_get_object (requests->pdata[i - 1]),
                                                  "method"), "POST") != 0)
      g_ptr_array_remove_index (requests, i - 1);
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpstr (kiln_test_request_header (requests->pdata[0], "authorization"), ==,
                   "Bearer " SECRET_KEY);
  body = kiln_test_request_body (requests->pdata[0]);
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0),
                                                  "content"), ==, "You turn Python into C++.");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1),
                                                  "content"), ==, "print('π')\n");

  run_clear (&run);
  kiln_test_replay_stop (&replay);
}

static void
test_ask_cut_keeps_partial (void)
{
  g_autofree char *scenario = scenario_for (STREAM, ", \"cut_after\": 150");
  g_autofree char *file = NULL;
  g_autofree char *prompt = write_file ("prompt.txt", "hi");
  KilnTestReplay replay = { 0 };
  Run run = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  file = models_file (replay.port);
  run_cli (&run, (const char *[]) { "ask", "--model", "replay", "--models", file, prompt,
                                    NULL }, NULL);

  g_assert_cmpint (run.status, ==, 1);
  /* The text that arrived is on stdout; the one-line reason is the last line of stderr. */
  g_assert_cmpstr (run.out, ==, "#include <cstdio>\n");
  g_assert_true (g_str_has_suffix (run.err, "The partial answer is kept.\n"));
  run_clear (&run);
  kiln_test_replay_stop (&replay);
}

static void
test_ask_failures (void)
{
  g_autofree char *file = models_file (9);
  g_autofree char *prompt = write_file ("prompt.txt", "hi");
  Run run = { 0 };

  run_cli (&run, (const char *[]) { "ask", "--model", "no-such-model", "--models", file,
                                    prompt, NULL }, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "no-such-model"));
  g_assert_cmpstr (run.out, ==, "");
  run_clear (&run);

  run_cli (&run, (const char *[]) { "ask", "--model", "needs-key", "--models", file, prompt,
                                    NULL }, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "KILN_UNSET_KEY"));
  run_clear (&run);

  run_cli (&run, (const char *[]) { "ask", "--models", file, prompt, NULL }, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--model"));
  run_clear (&run);
}

/* An OpenAI-style and an Anthropic model, both on the replay, each answering with a fixture
 * from tests/fixtures/streams in writes of @chunk_size bytes (0: all at once). */
static void
run_ask_fixture (Run        *run,
                 const char *model_id,
                 const char *fixture,
                 guint       chunk_size)
{
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {"
    " \"/v1/chat/completions\": [{\"body_file\": \"fixtures/streams/%s\", \"chunk_size\": %u}],"
    " \"/v1/messages\": [{\"body_file\": \"fixtures/streams/%s\", \"chunk_size\": %u}]}}",
    fixture, chunk_size, fixture, chunk_size);
  g_autofree char *models = NULL;
  g_autofree char *file = NULL;
  g_autofree char *prompt = write_file ("prompt.txt", "Convert this scanner to C++.");
  KilnTestReplay replay = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  models = g_strdup_printf (
    "{\"models\": ["
    " {\"id\": \"replay\", \"label\": \"Replay GPT\", \"provider\": \"Replay\", \"api\": \"openai\","
    "  \"base_url\": \"http://127.0.0.1:%u/v1\", \"model\": \"replay-1\", \"key_env\": \"KILN_TEST_KEY\","
    "  \"max_retries\": 0},"
    " {\"id\": \"replay-claude\", \"label\": \"Replay Claude\", \"provider\": \"Replay\","
    "  \"api\": \"anthropic\", \"base_url\": \"http://127.0.0.1:%u\", \"model\": \"claude-x\","
    "  \"key_env\": \"KILN_TEST_KEY\", \"max_retries\": 0}"
    "]}", replay.port, replay.port);
  file = write_file ("ask-models.json", models);

  run_cli (run, (const char *[]) { "ask", "--model", model_id, "--models", file, prompt, NULL },
           NULL);
  g_test_message ("ask %s with %s: status %d\nstdout: %s\nstderr: %s", model_id, fixture,
                  run->status, run->out, run->err);
  kiln_test_replay_stop (&replay);
}

static void
test_ask_refusal (void)
{
  Run run = { 0 };

  /* OpenAI: the refusal text is the reason; nothing on stdout */
  run_ask_fixture (&run, "replay", "openai-refusal.sse", 7);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_suffix (run.err, "\nkiln-cli: the model refused: I'm sorry, I can't "
                                   "help with that — it is malware.\n"));
  run_clear (&run);

  /* Anthropic with stop_details: the text before the refusal stays on stdout, the
   * explanation is the reason */
  run_ask_fixture (&run, "replay-claude", "anthropic-refusal.sse", 7);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "Here is the C++ version of the scanner:\n\n");
  g_assert_true (g_str_has_suffix (run.err, "\nkiln-cli: the model refused: This request was "
                                   "declined because it could enable cyber harm.\n"));
  run_clear (&run);

  /* Anthropic without stop_details: no reason was given, and that is said */
  run_ask_fixture (&run, "replay-claude", "anthropic-refusal-no-details.sse", 7);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "Hello..");
  g_assert_true (g_str_has_suffix (run.err, "\nkiln-cli: the model refused to answer (finish "
                                   "reason “refusal”) and gave no reason.\n"));
  run_clear (&run);

  /* Gemini's content filter */
  run_ask_fixture (&run, "replay", "gemini-content-filter.sse", 7);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "I can convert");
  g_assert_nonnull (strstr (run.err, "(finish reason “content_filter”)"));
  run_clear (&run);
}

static void
test_ask_truncated (void)
{
  Run run = { 0 };

  /* The partial text is on stdout as it came; stderr says it is incomplete; exit 1 */
  run_ask_fixture (&run, "replay", "openai-reasoning.sse", 7);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "x = 42");
  g_assert_nonnull (strstr (run.err, "The user wants a one-liner."));
  g_assert_nonnull (strstr (run.err, "\nkiln-cli: the answer was cut at the model's token limit "
                                     "(finish reason “length”); it is incomplete."));
  g_assert_nonnull (strstr (run.err, "“replay”"));
  g_assert_true (g_str_has_suffix (run.err, ".\n"));
  run_clear (&run);

  run_ask_fixture (&run, "replay-claude", "anthropic-thinking.sse", 7);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "27 * 453 = 12,231");
  g_assert_nonnull (strstr (run.err, "(finish reason “max_tokens”); it is incomplete."));
  run_clear (&run);
}

static void
test_ask_thinking_parts (void)
{
  Run run = { 0 };

  /* Magistral's thinking parts are reasoning (stderr), its text parts the answer (stdout) */
  /* in one piece, so that the reasoning is one line of stderr between the debug lines */
  run_ask_fixture (&run, "replay", "mistral-magistral.sse", 0);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "```cpp\n#include <cstdio>\nint main() { long s = 0; for (long i = 0; i < 10; "
                   "i++) s += i * i; std::printf(\"%ld\\n\", s); }\n```");
  g_assert_nonnull (strstr (run.err, "\nThe loop sums squares; a plain for loop with a long "
                                     "accumulator is enough.\n"));
  g_assert_null (strstr (run.err, "kiln-cli: the model refused"));
  g_assert_null (strstr (run.err, "token limit"));
  g_assert_nonnull (strstr (run.err, "259 tokens out"));
  run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("kiln-cli-models-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/cli-models/models-json", test_models_json);
  g_test_add_func ("/cli-models/ask/exact-text", test_ask_streams_exact_text);
  g_test_add_func ("/cli-models/ask/cut-keeps-partial", test_ask_cut_keeps_partial);
  g_test_add_func ("/cli-models/ask/failures", test_ask_failures);
  g_test_add_func ("/cli-models/ask/refusal", test_ask_refusal);
  g_test_add_func ("/cli-models/ask/truncated", test_ask_truncated);
  g_test_add_func ("/cli-models/ask/thinking-parts", test_ask_thinking_parts);

  status = g_test_run ();

  {
    g_autofree char *quoted = g_shell_quote (tmp_dir);
    g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (tmp_dir);
  return status;
}

/* test-chat-stream.c: streaming from real HTTP on loopback, with each provider's wire format,
 * quirks and failures replayed by tests/replay-server.py
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <json-glib/json-glib.h>

#include "kiln-chat-stream.h"
#include "kiln-error.h"
#include "kiln-model.h"
#include "kiln-sse-parser.h"
#include "kiln-stream-event.h"
#include "kiln-test-replay.h"

/* Planted in every request; no log line and no error message may ever contain it. */
#define SECRET_KEY "sk-kiln-test-7f3a9c1e5b2d4f60"

static GString *captured_logs;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
        {
          g_string_append (captured_logs, fields[i].value);
          g_string_append_c (captured_logs, '\n');
        }
    }

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_standard_streams (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static KilnModel *
make_model (KilnApi     api,
            const char *base_url)
{
  KilnModel *model = kiln_model_new ();

  model->id = g_strdup ("test-model");
  model->label = g_strdup ("Test Model");
  model->provider = g_strdup ("KilnTestReplay");
  model->api = api;
  model->base_url = g_strdup (base_url);
  model->model = g_strdup ("test/model-1");
  model->key_env = g_strdup ("KILN_TEST_KEY");
  if (api == KILN_API_TGI)
    model->chat_template = g_strdup ("chatml");
  model->max_retries = 0;
  model->price_in_per_mtok = 2.0;
  model->price_out_per_mtok = 10.0;

  return model;
}

static GPtrArray *
make_messages (void)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_chat_message_free);

  g_ptr_array_add (messages, kiln_chat_message_new (KILN_ROLE_SYSTEM, "You write C++."));
  g_ptr_array_add (messages, kiln_chat_message_new (KILN_ROLE_USER, "print('hi')"));
  return messages;
}

typedef struct
{
  GString      *deltas;
  GString      *reasoning_deltas;
  GString      *refusal_deltas;
  guint         n_deltas;
  guint         n_retrying;
  GCancellable *cancel_on_text;
} Observed;

static void
text_delta_cb (KilnChatStream *stream,
               const char     *delta,
               Observed       *observed)
{
  g_assert_cmpstr (delta, !=, "");
  g_string_append (observed->deltas, delta);
  observed->n_deltas++;
  if (observed->cancel_on_text != NULL)
    g_cancellable_cancel (observed->cancel_on_text);
}

static void
reasoning_delta_cb (KilnChatStream *stream,
                    const char     *delta,
                    Observed       *observed)
{
  g_assert_cmpstr (delta, !=, "");
  g_string_append (observed->reasoning_deltas, delta);
}

static void
refusal_delta_cb (KilnChatStream *stream,
                  const char     *delta,
                  Observed       *observed)
{
  g_assert_cmpstr (delta, !=, "");
  g_string_append (observed->refusal_deltas, delta);
}

static void
retrying_cb (KilnChatStream *stream,
             guint           attempt,
             guint           delay_ms,
             const GError   *error,
             Observed       *observed)
{
  observed->n_retrying++;
  g_assert_nonnull (error);
}

static void
done_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (res);
}

/* Streams from the replay and returns the stream; @error gets the run's error. */
static KilnChatStream *
stream_once (KilnModel     *model,
             GCancellable  *cancellable,
             double         idle_timeout,
             Observed      *observed,
             GError       **error)
{
  g_autoptr(GPtrArray) messages = make_messages ();
  KilnChatStream *stream = kiln_chat_stream_new (NULL, model, messages, SECRET_KEY);
  GAsyncResult *result = NULL;

  kiln_chat_stream_set_backoff (stream, 10, 200);
  if (idle_timeout > 0)
    kiln_chat_stream_set_idle_timeout (stream, idle_timeout);
  observed->deltas = g_string_new (NULL);
  observed->reasoning_deltas = g_string_new (NULL);
  observed->refusal_deltas = g_string_new (NULL);
  g_signal_connect (stream, "text-delta", G_CALLBACK (text_delta_cb), observed);
  g_signal_connect (stream, "reasoning-delta", G_CALLBACK (reasoning_delta_cb), observed);
  g_signal_connect (stream, "refusal-delta", G_CALLBACK (refusal_delta_cb), observed);
  g_signal_connect (stream, "retrying", G_CALLBACK (retrying_cb), observed);

  kiln_chat_stream_run_async (stream, cancellable, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  kiln_chat_stream_run_finish (stream, result, error);
  g_object_unref (result);

  /* What the signals carried is exactly what the stream kept. */
  g_assert_cmpstr (observed->deltas->str, ==, kiln_chat_stream_get_text (stream));
  g_assert_cmpstr (observed->reasoning_deltas->str, ==, kiln_chat_stream_get_reasoning (stream));
  g_assert_cmpstr (observed->refusal_deltas->str, ==, kiln_chat_stream_get_refusal (stream));
  g_string_free (observed->deltas, TRUE);
  g_string_free (observed->reasoning_deltas, TRUE);
  g_string_free (observed->refusal_deltas, TRUE);
  observed->deltas = NULL;
  observed->reasoning_deltas = NULL;
  observed->refusal_deltas = NULL;

  if (error != NULL && *error != NULL)
    g_assert_null (strstr ((*error)->message, SECRET_KEY));

  return stream;
}

static char *
base_url (KilnTestReplay     *replay,
          const char *scheme,
          const char *suffix)
{
  return g_strdup_printf ("%s://127.0.0.1:%u%s", scheme, replay->port, suffix);
}

#define OPENAI_BASIC \
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n" \
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":null},\"finish_reason\":null}]}\n\n" \
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"int main() \"},\"finish_reason\":null}]}\n\n" \
  ": keep-alive\n\n" \
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"{ return 0; } // π\"},\"finish_reason\":null}]}\n\n" \
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" \
  "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,\"total_tokens\":21}}\n\n" \
  "data: [DONE]\n\n"
#define OPENAI_TEXT "int main() { return 0; } // π"

static char *
scenario_one (const char *path,
              const char *response_json)
{
  return g_strdup_printf ("{\"routes\": {\"%s\": [%s]}}", path, response_json);
}

static char *
json_string (const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

static void
test_openai (void)
{
  g_autofree char *body = json_string (OPENAI_BASIC);
  g_autofree char *response = g_strdup_printf ("{\"body\": %s, \"chunk_size\": 1}", body);
  g_autofree char *scenario = scenario_one ("/v1/chat/completions", response);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *url = NULL;
  Observed observed = { 0 };
  KilnTestReplay replay = { 0 };
  JsonObject *request;

  kiln_test_replay_start (&replay, scenario, FALSE);
  url = base_url (&replay, "http", "/v1");
  model = make_model (KILN_API_OPENAI, url);
  stream = stream_once (model, NULL, 0, &observed, &error);

  g_assert_no_error (error);
  /* Split into one-byte pieces on the wire, yet the same text. */
  g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, OPENAI_TEXT);
  g_assert_cmpstr (kiln_chat_stream_get_reasoning (stream), ==, "");
  g_assert_cmpstr (kiln_chat_stream_get_finish_reason (stream), ==, "stop");
  g_assert_cmpint (kiln_chat_stream_get_input_tokens (stream), ==, 12);
  g_assert_cmpint (kiln_chat_stream_get_output_tokens (stream), ==, 9);
  g_assert_cmpfloat (kiln_chat_stream_get_ttft (stream), >, 0);
  g_assert_cmpfloat (kiln_chat_stream_get_cost (stream), ==, (12 * 2.0 + 9 * 10.0) / 1e6);
  g_assert_cmpuint (observed.n_deltas, ==, 2);

  requests = kiln_test_replay_requests (&replay);
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpstr (kiln_test_request_header (requests->pdata[0], "authorization"), ==,
                   "Bearer " SECRET_KEY);
  request = kiln_test_request_body (requests->pdata[0]);
  g_assert_true (json_object_get_boolean_member (request, "stream"));
  g_assert_true (json_object_get_boolean_member (
    json_object_get_object_member (request, "stream_options"), "include_usage"));
  g_assert_cmpstr (json_object_get_string_member (request, "model"), ==, "test/model-1");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (request, "messages")),
                    ==, 2);

  kiln_test_replay_stop (&replay);
}

/* Each fixture stream, replayed whole and one byte per chunk: identical results. */
static void
test_fixtures_split (void)
{
  g_autofree char *dir_path = kiln_test_build_path ("fixtures", "streams", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      KilnApi api;
      g_autofree char *prefix = g_strndup (name, strcspn (name, "-."));
      const char *path;
      char *results[2][3] = { { NULL, NULL, NULL }, { NULL, NULL, NULL } };
      gboolean ok[2];

      if (g_str_has_prefix (name, "gemini") || g_str_has_prefix (name, "mistral"))
        api = KILN_API_OPENAI;
      else if (!kiln_api_from_string (prefix, &api))
        continue;
      path = api == KILN_API_OPENAI ? "/v1/chat/completions"
           : api == KILN_API_ANTHROPIC ? "/v1/messages"
           : api == KILN_API_TGI ? "/generate_stream" : "/api/chat";

      for (guint split = 0; split < 2; split++)
        {
          g_autofree char *response = g_strdup_printf (
            "{\"body_file\": \"fixtures/streams/%s\", \"chunk_size\": %u, "
            "\"headers\": {\"Content-Type\": \"%s\"}}",
            name, split ? 1 : 0,
            api == KILN_API_OLLAMA ? "application/x-ndjson" : "text/event-stream");
          g_autofree char *scenario = scenario_one (path, response);
          g_autoptr(GError) error = NULL;
          g_autoptr(KilnModel) model = NULL;
          g_autoptr(KilnChatStream) stream = NULL;
          g_autofree char *url = NULL;
          Observed observed = { 0 };
          KilnTestReplay replay = { 0 };

          kiln_test_replay_start (&replay, scenario, FALSE);
          url = base_url (&replay, "http", api == KILN_API_OPENAI ? "/v1" : "");
          model = make_model (api, url);
          stream = stream_once (model, NULL, 0, &observed, &error);
          ok[split] = error == NULL;
          results[split][0] = g_strdup (kiln_chat_stream_get_text (stream));
          results[split][1] = g_strdup (kiln_chat_stream_get_reasoning (stream));
          results[split][2] = g_strdup (kiln_chat_stream_get_refusal (stream));
          kiln_test_replay_stop (&replay);
        }

      g_test_message ("%s: %zu bytes of text, %zu of reasoning, %s", name,
                      strlen (results[0][0]), strlen (results[0][1]),
                      ok[0] ? "complete" : "ended with an error");
      g_assert_cmpint (ok[0], ==, ok[1]);
      g_assert_cmpstr (results[0][0], ==, results[1][0]);
      g_assert_cmpstr (results[0][1], ==, results[1][1]);
      g_assert_cmpstr (results[0][2], ==, results[1][2]);
      for (guint i = 0; i < 2; i++)
        {
          g_free (results[i][0]);
          g_free (results[i][1]);
          g_free (results[i][2]);
        }
      n++;
    }

  g_assert_cmpuint (n, >=, 18);
}

/* How an answer ended, as the person is told: refused, cut at the token limit, or whole. */
typedef struct
{
  const char *fixture;
  KilnApi     api;
  const char *text;
  const char *reasoning;
  const char *refusal;
  const char *finish_reason;
  gboolean    refused;
  gboolean    truncated;
} OutcomeCase;

static const OutcomeCase outcome_cases[] = {
  /* Anthropic's streaming classifiers: the text so far is kept, stop_details says why */
  { "anthropic-refusal.sse", KILN_API_ANTHROPIC,
    "Here is the C++ version of the scanner:\n\n", "",
    "This request was declined because it could enable cyber harm.", "refusal", TRUE, FALSE },
  { "anthropic-refusal-no-details.sse", KILN_API_ANTHROPIC,
    "Hello..", "", "", "refusal", TRUE, FALSE },
  /* OpenAI: the refusal streams in pieces of delta.refusal, and the finish reason is "stop" */
  { "openai-refusal.sse", KILN_API_OPENAI,
    "", "", "I'm sorry, I can't help with that — it is malware.", "stop", TRUE, FALSE },
  { "gemini-content-filter.sse", KILN_API_OPENAI,
    "I can convert", "", "", "content_filter", TRUE, FALSE },
  /* cut at the token limit, each wire API its own way */
  { "openai-reasoning.sse", KILN_API_OPENAI,
    "x = 42", "The user wants a one-liner.", "", "length", FALSE, TRUE },
  { "anthropic-thinking.sse", KILN_API_ANTHROPIC,
    "27 * 453 = 12,231",
    "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3",
    "", "max_tokens", FALSE, TRUE },
  { "tgi-length.sse", KILN_API_TGI, "for i in range(", "", "", "length", FALSE, TRUE },
  { "ollama-length.ndjson", KILN_API_OLLAMA, "#include <vector>\n", "", "", "length", FALSE, TRUE },
  /* whole answers */
  { "mistral-magistral.sse", KILN_API_OPENAI,
    "```cpp\n#include <cstdio>\nint main() { long s = 0; for (long i = 0; i < 10; i++) "
    "s += i * i; std::printf(\"%ld\\n\", s); }\n```",
    "The loop sums squares; a plain for loop with a long accumulator is enough.",
    "", "stop", FALSE, FALSE },
  { "openai.sse", KILN_API_OPENAI,
    "```python\nprint(sum(range(1, 11)))  # été → 55\n```", "", "", "stop", FALSE, FALSE },
};

static void
test_outcome (gconstpointer data)
{
  const OutcomeCase *c = data;
  const char *path = c->api == KILN_API_OPENAI ? "/v1/chat/completions"
                   : c->api == KILN_API_ANTHROPIC ? "/v1/messages"
                   : c->api == KILN_API_TGI ? "/generate_stream" : "/api/chat";
  g_autofree char *response = g_strdup_printf (
    "{\"body_file\": \"fixtures/streams/%s\", \"chunk_size\": 3, "
    "\"headers\": {\"Content-Type\": \"%s\"}}", c->fixture,
    c->api == KILN_API_OLLAMA ? "application/x-ndjson" : "text/event-stream");
  g_autofree char *scenario = scenario_one (path, response);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autofree char *url = NULL;
  KilnTestReplay replay = { 0 };
  Observed observed = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  url = base_url (&replay, "http", c->api == KILN_API_OPENAI ? "/v1" : "");
  model = make_model (c->api, url);
  model->max_retries = 2;
  /* stream_once() checks that the signals carried what the getters say */
  stream = stream_once (model, NULL, 0, &observed, &error);

  /* a refusal or a cut answer is not a failure of the stream: nothing was retried */
  g_assert_no_error (error);
  g_assert_cmpuint (kiln_chat_stream_get_retries (stream), ==, 0);
  g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, c->text);
  g_assert_cmpstr (kiln_chat_stream_get_reasoning (stream), ==, c->reasoning);
  g_assert_cmpstr (kiln_chat_stream_get_refusal (stream), ==, c->refusal);
  g_assert_cmpstr (kiln_chat_stream_get_finish_reason (stream), ==, c->finish_reason);
  g_assert_cmpint (kiln_chat_stream_get_refused (stream), ==, c->refused);
  g_assert_cmpint (kiln_chat_stream_get_truncated (stream), ==, c->truncated);
  if (*c->refusal != '\0')
    g_assert_cmpfloat (kiln_chat_stream_get_ttft (stream), >, 0);

  kiln_test_replay_stop (&replay);
}

#define ANTHROPIC_BASIC \
  "event: message_start\n" \
  "data: {\"type\": \"message_start\", \"message\": {\"id\": \"msg_1\", \"type\": \"message\", \"role\": \"assistant\", \"content\": [], \"model\": \"claude-x\", \"stop_reason\": null, \"usage\": {\"input_tokens\": 25, \"output_tokens\": 1}}}\n\n" \
  "event: ping\n" \
  "data: {\"type\": \"ping\"}\n\n" \
  "event: content_block_start\n" \
  "data: {\"type\": \"content_block_start\", \"index\": 0, \"content_block\": {\"type\": \"text\", \"text\": \"\"}}\n\n" \
  "event: content_block_delta\n" \
  "data: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_delta\", \"text\": \"#include <cstdio>\"}}\n\n" \
  "event: content_block_delta\n" \
  "data: {\"type\": \"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\\nint main() {}\"}}   \n\n" \
  "event: content_block_stop\n" \
  "data: {\"type\": \"content_block_stop\", \"index\": 0}\n\n" \
  "event: message_delta\n" \
  "data: {\"type\": \"message_delta\", \"delta\": {\"stop_reason\": \"end_turn\", \"stop_sequence\": null}, \"usage\": {\"output_tokens\": 15}}\n\n" \
  "event: message_stop\n" \
  "data: {\"type\": \"message_stop\"}\n\n"

static void
test_anthropic (void)
{
  g_autofree char *body = json_string (ANTHROPIC_BASIC);
  g_autofree char *response = g_strdup_printf ("{\"body\": %s, \"chunk_size\": 7}", body);
  g_autofree char *scenario = scenario_one ("/v1/messages", response);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *url = NULL;
  Observed observed = { 0 };
  KilnTestReplay replay = { 0 };
  JsonObject *request;

  kiln_test_replay_start (&replay, scenario, FALSE);
  url = base_url (&replay, "http", "");
  model = make_model (KILN_API_ANTHROPIC, url);
  stream = stream_once (model, NULL, 0, &observed, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, "#include <cstdio>\nint main() {}");
  g_assert_cmpint (kiln_chat_stream_get_input_tokens (stream), ==, 25);
  g_assert_cmpint (kiln_chat_stream_get_output_tokens (stream), ==, 15);
  g_assert_cmpstr (kiln_chat_stream_get_finish_reason (stream), ==, "end_turn");

  requests = kiln_test_replay_requests (&replay);
  g_assert_cmpstr (kiln_test_request_header (requests->pdata[0], "x-api-key"), ==, SECRET_KEY);
  g_assert_cmpstr (kiln_test_request_header (requests->pdata[0], "anthropic-version"), ==, "2023-06-01");
  g_assert_null (kiln_test_request_header (requests->pdata[0], "authorization"));
  request = kiln_test_request_body (requests->pdata[0]);
  g_assert_cmpstr (json_object_get_string_member (request, "system"), ==, "You write C++.");
  g_assert_cmpint (json_object_get_int_member (request, "max_tokens"), >, 0);

  kiln_test_replay_stop (&replay);
}

static void
test_tgi (void)
{
  const char *sse =
    "data:{\"index\":1,\"token\":{\"id\":1,\"text\":\"int\",\"logprob\":-0.1,\"special\":false},\"generated_text\":null,\"details\":null}\n\n"
    "data:{\"index\":2,\"token\":{\"id\":2,\"text\":\" x;\",\"logprob\":-0.1,\"special\":false},\"generated_text\":null,\"details\":null}\n\n"
    "data:{\"index\":3,\"token\":{\"id\":3,\"text\":\"<|im_end|>\",\"logprob\":-0.1,\"special\":true},\"generated_text\":\"int x;\",\"details\":{\"finish_reason\":\"eos_token\",\"generated_tokens\":3,\"seed\":null}}\n\n";
  g_autofree char *body = json_string (sse);
  g_autofree char *response = g_strdup_printf ("{\"body\": %s, \"chunk_size\": 3}", body);
  g_autofree char *scenario = scenario_one ("/generate_stream", response);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *url = NULL;
  Observed observed = { 0 };
  KilnTestReplay replay = { 0 };
  JsonObject *request;
  const char *inputs;

  kiln_test_replay_start (&replay, scenario, FALSE);
  url = base_url (&replay, "http", "");
  model = make_model (KILN_API_TGI, url);
  stream = stream_once (model, NULL, 0, &observed, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, "int x;");
  g_assert_cmpint (kiln_chat_stream_get_output_tokens (stream), ==, 3);

  requests = kiln_test_replay_requests (&replay);
  request = kiln_test_request_body (requests->pdata[0]);
  inputs = json_object_get_string_member (request, "inputs");
  g_assert_cmpstr (inputs, ==,
                   "<|im_start|>system\nYou write C++.<|im_end|>\n"
                   "<|im_start|>user\nprint('hi')<|im_end|>\n"
                   "<|im_start|>assistant\n");
  kiln_test_replay_stop (&replay);
}

static void
test_ollama (void)
{
  const char *ndjson =
    "{\"model\":\"m\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"a\"},\"done\":false}\n"
    "{\"model\":\"m\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"b\"},\"done\":false}\r\n"
    "{\"model\":\"m\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":30,\"eval_count\":2}\n";
  g_autofree char *body = json_string (ndjson);
  g_autofree char *response = g_strdup_printf (
    "{\"body\": %s, \"chunk_size\": 5, \"headers\": {\"Content-Type\": \"application/x-ndjson\"}}",
    body);
  g_autofree char *scenario = scenario_one ("/api/chat", response);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autofree char *url = NULL;
  Observed observed = { 0 };
  KilnTestReplay replay = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  url = base_url (&replay, "http", "");
  model = make_model (KILN_API_OLLAMA, url);
  stream = stream_once (model, NULL, 0, &observed, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, "ab");
  g_assert_cmpint (kiln_chat_stream_get_input_tokens (stream), ==, 30);
  g_assert_cmpint (kiln_chat_stream_get_output_tokens (stream), ==, 2);
  kiln_test_replay_stop (&replay);
}

typedef struct
{
  const char *name;
  const char *responses;   /* JSON array items for /v1/chat/completions */
  guint       max_retries;
  KilnError   code;        /* 0 with ok = TRUE */
  gboolean    ok;
  const char *in_message;
  guint       n_requests;
  const char *text;        /* the text kept */
} FailureCase;

#define OK_RESPONSE "{\"body\": \"data: {\\\"choices\\\":[{\\\"delta\\\":{\\\"content\\\":\\\"ok\\\"},\\\"finish_reason\\\":\\\"stop\\\"}]}\\n\\ndata: [DONE]\\n\\n\"}"

static const FailureCase failure_cases[] = {
  { "401", "{\"status\": 401, \"headers\": {\"Content-Type\": \"application/json\"}, \"body\": \"{\\\"error\\\": {\\\"message\\\": \\\"Incorrect API key provided: sk-kiln-****4f60.\\\", \\\"type\\\": \\\"invalid_request_error\\\", \\\"code\\\": \\\"invalid_api_key\\\"}}\"}",
    2, KILN_ERROR_KEY_REJECTED, FALSE, "KilnTestReplay", 1, "" },
  { "404", "{\"status\": 404, \"headers\": {\"Content-Type\": \"application/json\"}, \"body\": \"{\\\"error\\\": {\\\"message\\\": \\\"The model `test/model-1` does not exist\\\"}}\"}",
    2, KILN_ERROR_MODEL_NOT_FOUND, FALSE, "does not exist", 1, "" },
  { "429-then-ok", "{\"status\": 429, \"headers\": {\"retry-after\": \"0\", \"Content-Type\": \"application/json\"}, \"body\": \"{\\\"error\\\": {\\\"message\\\": \\\"Rate limit reached\\\"}}\"}, " OK_RESPONSE,
    2, 0, TRUE, NULL, 2, "ok" },
  { "529-twice-then-ok", "{\"status\": 529, \"body\": \"{\\\"type\\\":\\\"error\\\",\\\"error\\\":{\\\"type\\\":\\\"overloaded_error\\\",\\\"message\\\":\\\"Overloaded\\\"}}\"}, {\"status\": 529, \"body\": \"\"}, " OK_RESPONSE,
    2, 0, TRUE, NULL, 3, "ok" },
  { "529-over-limit", "{\"status\": 529, \"body\": \"{\\\"type\\\":\\\"error\\\",\\\"error\\\":{\\\"type\\\":\\\"overloaded_error\\\",\\\"message\\\":\\\"Overloaded\\\"}}\"}",
    1, KILN_ERROR_OVERLOADED, FALSE, "Overloaded", 2, "" },
  { "503-loading", "{\"status\": 503, \"headers\": {\"Content-Type\": \"application/json\"}, \"body\": \"{\\\"error\\\":\\\"Model test/model-1 is currently loading\\\",\\\"estimated_time\\\":20.0}\"}",
    0, KILN_ERROR_MODEL_LOADING, FALSE, "20", 1, "" },
  { "500-plain-text", "{\"status\": 500, \"headers\": {\"Content-Type\": \"text/plain\"}, \"body\": \"upstream exploded\"}",
    0, KILN_ERROR_SERVER_ERROR, FALSE, "upstream exploded", 1, "" },
  { "error-in-200-after-text", "{\"body\": \"data: {\\\"choices\\\":[{\\\"delta\\\":{\\\"content\\\":\\\"partial\\\"}}]}\\n\\ndata: {\\\"error\\\": {\\\"message\\\": \\\"The server had an error while processing your request\\\", \\\"type\\\": \\\"server_error\\\"}}\\n\\ndata: [DONE]\\n\\n\"}",
    2, KILN_ERROR_STREAM_ERROR, FALSE, "processing your request", 1, "partial" },
  /* refusal text counts as an answer begun: not retried (a retry would only refuse again) */
  { "refusal-then-cut", "{\"body\": \"data: {\\\"choices\\\":[{\\\"delta\\\":{\\\"content\\\":null,\\\"refusal\\\":\\\"I can't\\\"}}]}\\n\\ndata: {\\\"choices\\\":[{\\\"delta\\\":{\\\"refusal\\\":\\\" help.\\\"}}]}\\n\\n\", \"cut_after\": 80}",
    2, KILN_ERROR_NETWORK, FALSE, "partial answer", 1, "" },
  { "cut-mid-answer", "{\"body\": \"data: {\\\"choices\\\":[{\\\"delta\\\":{\\\"content\\\":\\\"int main\\\"}}]}\\n\\ndata: {\\\"choices\\\":[{\\\"delta\\\":{\\\"content\\\":\\\"() {}\\\"}}]}\\n\\n\", \"cut_after\": 60}",
    2, KILN_ERROR_NETWORK, FALSE, "partial answer", 1, "int main" },
};

static void
test_failure (gconstpointer data)
{
  const FailureCase *c = data;
  g_autofree char *scenario = g_strdup_printf ("{\"routes\": {\"/v1/chat/completions\": [%s]}}",
                                               c->responses);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *url = NULL;
  Observed observed = { 0 };
  KilnTestReplay replay = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  url = base_url (&replay, "http", "/v1");
  model = make_model (KILN_API_OPENAI, url);
  model->max_retries = c->max_retries;
  stream = stream_once (model, NULL, 0, &observed, &error);

  if (c->ok)
    g_assert_no_error (error);
  else
    {
      g_assert_error (error, KILN_ERROR, (gint) c->code);
      g_test_message ("%s: %s", c->name, error->message);
      g_assert_nonnull (strstr (error->message, c->in_message));
      g_assert_null (strchr (error->message, '\n'));
    }

  requests = kiln_test_replay_requests (&replay);
  g_assert_cmpuint (requests->len, ==, c->n_requests);
  g_assert_cmpuint (observed.n_retrying, ==, c->n_requests - 1);
  g_assert_cmpuint (kiln_chat_stream_get_retries (stream), ==, c->n_requests - 1);
  g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, c->text);
  kiln_test_replay_stop (&replay);
}

/* Anthropic's overloaded error event inside a 200 stream: before any text it is retried like
 * a 529; after text it ends the answer with the partial text kept. */
static void
test_anthropic_error_event (void)
{
  const char *early =
    "event: message_start\n"
    "data: {\"type\": \"message_start\", \"message\": {\"id\": \"m\", \"type\": \"message\", \"role\": \"assistant\", \"content\": [], \"usage\": {\"input_tokens\": 9, \"output_tokens\": 1}}}\n\n"
    "event: ping\n"
    "data: {\"type\": \"ping\"}\n\n"
    "event: error\n"
    "data: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n";
  g_autofree char *early_json = json_string (early);
  g_autofree char *ok_json = json_string (ANTHROPIC_BASIC);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/v1/messages\": [{\"body\": %s}, {\"body\": %s}]}}", early_json, ok_json);
  g_autofree char *late_scenario = g_strdup (
    "{\"routes\": {\"/v1/messages\": [{\"body_file\": \"fixtures/streams/anthropic-overloaded.sse\"}]}}");
  KilnTestReplay replay = { 0 };

  /* Before any text: retried, and the second answer is used. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KilnModel) model = NULL;
    g_autoptr(KilnChatStream) stream = NULL;
    g_autofree char *url = NULL;
    Observed observed = { 0 };

    kiln_test_replay_start (&replay, scenario, FALSE);
    url = base_url (&replay, "http", "");
    model = make_model (KILN_API_ANTHROPIC, url);
    model->max_retries = 1;
    stream = stream_once (model, NULL, 0, &observed, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (kiln_chat_stream_get_retries (stream), ==, 1);
    g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, "#include <cstdio>\nint main() {}");
    kiln_test_replay_stop (&replay);
  }

  /* After text: not retried, the error says overloaded, the partial text stays. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KilnModel) model = NULL;
    g_autoptr(KilnChatStream) stream = NULL;
    g_autofree char *url = NULL;
    Observed observed = { 0 };

    kiln_test_replay_start (&replay, late_scenario, FALSE);
    url = base_url (&replay, "http", "");
    model = make_model (KILN_API_ANTHROPIC, url);
    model->max_retries = 2;
    stream = stream_once (model, NULL, 0, &observed, &error);
    g_assert_error (error, KILN_ERROR, KILN_ERROR_OVERLOADED);
    g_assert_nonnull (strstr (error->message, "Overloaded"));
    g_assert_cmpuint (kiln_chat_stream_get_retries (stream), ==, 0);
    g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, "fn main() {");
    kiln_test_replay_stop (&replay);
  }
}

static void
test_stall (void)
{
  g_autofree char *scenario = g_strdup (
    "{\"routes\": {\"/v1/chat/completions\": [{\"body\": \"data: {\\\"choices\\\":[{\\\"delta\\\":{\\\"content\\\":\\\"half\\\"}}]}\\n\\ndata: {\\\"choices\\\":[{\\\"delta\\\":{\\\"content\\\":\\\" more\\\"}}]}\\n\\n\", \"stall_after\": 55}]}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autofree char *url = NULL;
  Observed observed = { 0 };
  KilnTestReplay replay = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  url = base_url (&replay, "http", "/v1");
  model = make_model (KILN_API_OPENAI, url);
  model->max_retries = 2;
  stream = stream_once (model, NULL, 0.5, &observed, &error);

  g_assert_error (error, KILN_ERROR, KILN_ERROR_IDLE_TIMEOUT);
  /* Text had arrived, so no retry: the partial answer stays. */
  g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, "half");
  g_assert_cmpuint (kiln_chat_stream_get_retries (stream), ==, 0);
  kiln_test_replay_stop (&replay);
}

static void
test_cancel (void)
{
  g_autofree char *scenario = g_strdup (
    "{\"routes\": {\"/v1/chat/completions\": [{\"body\": \"data: {\\\"choices\\\":[{\\\"delta\\\":{\\\"content\\\":\\\"half\\\"}}]}\\n\\ndata: {\\\"choices\\\":[{\\\"delta\\\":{\\\"content\\\":\\\" more\\\"}}]}\\n\\n\", \"stall_after\": 55}]}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *url = NULL;
  Observed observed = { 0 };
  KilnTestReplay replay = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  url = base_url (&replay, "http", "/v1");
  model = make_model (KILN_API_OPENAI, url);
  observed.cancel_on_text = cancellable;
  stream = stream_once (model, cancellable, 0, &observed, &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, "half");
  kiln_test_replay_stop (&replay);
}

static void
test_connection_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *url = NULL;
  Observed observed = { 0 };
  guint16 port;

  /* A port that was free a moment ago: nothing listens there now. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  model = make_model (KILN_API_OPENAI, url);
  model->max_retries = 1;
  stream = stream_once (model, NULL, 0, &observed, &error);

  g_assert_error (error, KILN_ERROR, KILN_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "refused"));
  g_assert_cmpuint (kiln_chat_stream_get_retries (stream), ==, 1);
}

static void
test_tls_untrusted (void)
{
  g_autofree char *body = json_string (OPENAI_BASIC);
  g_autofree char *response = g_strdup_printf ("{\"body\": %s}", body);
  g_autofree char *scenario = scenario_one ("/v1/chat/completions", response);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *url = NULL;
  Observed observed = { 0 };
  KilnTestReplay replay = { 0 };

  kiln_test_replay_start (&replay, scenario, TRUE);
  url = base_url (&replay, "https", "/v1");
  model = make_model (KILN_API_OPENAI, url);
  stream = stream_once (model, NULL, 0, &observed, &error);

  g_assert_error (error, KILN_ERROR, KILN_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "did not send the key"));
  /* The handshake failed, so no request (and no key) ever reached the server. */
  requests = kiln_test_replay_requests (&replay);
  g_assert_cmpuint (requests->len, ==, 0);
  kiln_test_replay_stop (&replay);
}

static void
test_insecure_url (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = make_model (KILN_API_OPENAI, "http://models.example.invalid/v1");
  g_autoptr(KilnChatStream) stream = NULL;
  Observed observed = { 0 };

  stream = stream_once (model, NULL, 0, &observed, &error);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INSECURE_URL);
  g_assert_nonnull (strstr (error->message, "allow_insecure"));
}

/* A redirect to another host is followed without the key. */
static void
test_redirect_drops_key (void)
{
  g_autofree char *body = json_string (OPENAI_BASIC);
  g_autofree char *target_response = g_strdup_printf ("{\"body\": %s}", body);
  g_autofree char *target_scenario = scenario_one ("/v1/chat/completions", target_response);
  g_autofree char *redirect_scenario = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autofree char *url = NULL;
  Observed observed = { 0 };
  KilnTestReplay origin = { 0 };
  KilnTestReplay other = { 0 };

  kiln_test_replay_start (&other, target_scenario, FALSE);
  redirect_scenario = g_strdup_printf (
    "{\"routes\": {\"/v1/chat/completions\": [{\"status\": 307, \"headers\": {\"Location\": "
    "\"http://localhost:%u/v1/chat/completions\"}, \"body\": \"\"}]}}", other.port);
  kiln_test_replay_start (&origin, redirect_scenario, FALSE);

  url = base_url (&origin, "http", "/v1");
  model = make_model (KILN_API_OPENAI, url);
  stream = stream_once (model, NULL, 0, &observed, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, OPENAI_TEXT);

  first = kiln_test_replay_requests (&origin);
  second = kiln_test_replay_requests (&other);
  g_assert_cmpuint (first->len, ==, 1);
  g_assert_cmpuint (second->len, ==, 1);
  g_assert_cmpstr (kiln_test_request_header (first->pdata[0], "authorization"), ==, "Bearer " SECRET_KEY);
  g_assert_null (kiln_test_request_header (second->pdata[0], "authorization"));

  kiln_test_replay_stop (&origin);
  kiln_test_replay_stop (&other);
}

/* Last: everything logged while all of the above ran never showed the key. */
static void
test_key_never_logged (void)
{
  g_assert_cmpuint (captured_logs->len, >, 0);
  g_assert_null (strstr (captured_logs->str, SECRET_KEY));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  captured_logs = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/chat-stream/openai", test_openai);
  g_test_add_func ("/chat-stream/anthropic", test_anthropic);
  g_test_add_func ("/chat-stream/tgi", test_tgi);
  g_test_add_func ("/chat-stream/ollama", test_ollama);
  g_test_add_func ("/chat-stream/fixtures-split-every-byte", test_fixtures_split);
  for (guint i = 0; i < G_N_ELEMENTS (outcome_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/chat-stream/outcome/%s", outcome_cases[i].fixture);
      g_test_add_data_func (path, &outcome_cases[i], test_outcome);
    }
  for (guint i = 0; i < G_N_ELEMENTS (failure_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/chat-stream/failure/%s", failure_cases[i].name);
      g_test_add_data_func (path, &failure_cases[i], test_failure);
    }
  g_test_add_func ("/chat-stream/anthropic-error-event", test_anthropic_error_event);
  g_test_add_func ("/chat-stream/stall", test_stall);
  g_test_add_func ("/chat-stream/cancel", test_cancel);
  g_test_add_func ("/chat-stream/connection-refused", test_connection_refused);
  g_test_add_func ("/chat-stream/tls-untrusted", test_tls_untrusted);
  g_test_add_func ("/chat-stream/insecure-url", test_insecure_url);
  g_test_add_func ("/chat-stream/redirect-drops-key", test_redirect_drops_key);
  /* A suite added last runs last: after every other test above has logged what it logs. */
  g_test_add_func ("/chat-stream/zz-last/key-never-logged", test_key_never_logged);

  return g_test_run ();
}

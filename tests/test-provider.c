/* test-provider.c: the streaming request of each API, and the servers' error answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "kiln-chat-template.h"
#include "kiln-error.h"
#include "kiln-model.h"
#include "kiln-provider.h"

#define SYSTEM "You are a careful programmer."
#define USER1 "Sum two numbers in Python."
#define ASSISTANT "```python\nprint(sum(map(int, input().split())))\n```"
#define USER2 "Now in C++ — with \"quotes\" and a tab\there."

static GPtrArray *
conversation (gboolean with_system)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_chat_message_free);

  if (with_system)
    g_ptr_array_add (messages, kiln_chat_message_new (KILN_ROLE_SYSTEM, SYSTEM));
  g_ptr_array_add (messages, kiln_chat_message_new (KILN_ROLE_USER, USER1));
  g_ptr_array_add (messages, kiln_chat_message_new (KILN_ROLE_ASSISTANT, ASSISTANT));
  g_ptr_array_add (messages, kiln_chat_message_new (KILN_ROLE_USER, USER2));

  return messages;
}

static KilnModel *
model_new (KilnApi     api,
           const char *base_url,
           const char *name)
{
  KilnModel *model = kiln_model_new ();

  model->id = g_strdup ("test-model");
  model->api = api;
  model->base_url = g_strdup (base_url);
  model->model = g_strdup (name);

  return model;
}

/* @expected: name, value, ..., NULL */
static void
assert_headers (GPtrArray          *headers,
                const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  g_assert_cmpuint (headers->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (headers, i), ==, expected[i]);
}

static JsonObject *
parse_body (KilnProviderRequest *request,
            JsonParser          *parser)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_nonnull (request->body);
  json_parser_load_from_data (parser, request->body, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_node_get_object (root);
}

static void
assert_messages (JsonObject *body,
                 gboolean    with_system)
{
  static const char * const roles[] = { "system", "user", "assistant", "user" };
  static const char * const contents[] = { SYSTEM, USER1, ASSISTANT, USER2 };
  JsonArray *messages = json_object_get_array_member (body, "messages");
  guint first = with_system ? 0 : 1;

  g_assert_nonnull (messages);
  g_assert_cmpuint (json_array_get_length (messages), ==, G_N_ELEMENTS (roles) - first);
  for (guint i = first; i < G_N_ELEMENTS (roles); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i - first);

      g_assert_cmpuint (json_object_get_size (message), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, roles[i]);
      g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, contents[i]);
    }
}

/* ---- Model entries ---- */

static void
test_model_defaults (void)
{
  g_autoptr(KilnModel) model = kiln_model_new ();

  g_assert_null (model->id);
  g_assert_cmpint (model->max_tokens, ==, 0);
  g_assert_cmpfloat (model->temperature, <, 0);
  g_assert_cmpfloat (model->price_in_per_mtok, <, 0);
  g_assert_cmpfloat (model->price_out_per_mtok, <, 0);
  g_assert_cmpuint (model->max_retries, ==, 2);
  g_assert_false (model->allow_insecure);
  g_assert_true (G_TYPE_IS_BOXED (KILN_TYPE_MODEL));
}

static void
test_model_copy (void)
{
  g_autoptr(KilnModel) model = model_new (KILN_API_TGI, "http://localhost:8080", "m");
  g_autoptr(KilnModel) copy = NULL;
  KilnModel *boxed;

  model->label = g_strdup ("Label");
  model->provider = g_strdup ("Provider");
  model->key_env = g_strdup ("HF_TOKEN");
  model->chat_template = g_strdup ("gemma");
  model->origin = g_strdup ("built-in");
  model->max_tokens = 77;
  model->temperature = 0.5;
  model->price_in_per_mtok = 1.25;
  model->price_out_per_mtok = 10;
  model->max_retries = 5;
  model->allow_insecure = TRUE;

  copy = kiln_model_copy (model);
  g_assert_true (copy != model);
  g_assert_true (copy->chat_template != model->chat_template);
  g_assert_cmpstr (copy->id, ==, "test-model");
  g_assert_cmpstr (copy->label, ==, "Label");
  g_assert_cmpstr (copy->provider, ==, "Provider");
  g_assert_cmpint (copy->api, ==, KILN_API_TGI);
  g_assert_cmpstr (copy->base_url, ==, "http://localhost:8080");
  g_assert_cmpstr (copy->model, ==, "m");
  g_assert_cmpstr (copy->key_env, ==, "HF_TOKEN");
  g_assert_cmpstr (copy->chat_template, ==, "gemma");
  g_assert_cmpstr (copy->origin, ==, "built-in");
  g_assert_cmpint (copy->max_tokens, ==, 77);
  g_assert_cmpfloat (copy->temperature, ==, 0.5);
  g_assert_cmpfloat (copy->price_in_per_mtok, ==, 1.25);
  g_assert_cmpfloat (copy->price_out_per_mtok, ==, 10);
  g_assert_cmpuint (copy->max_retries, ==, 5);
  g_assert_true (copy->allow_insecure);

  /* the boxed type copies by reference */
  boxed = g_boxed_copy (KILN_TYPE_MODEL, model);
  g_assert_true (boxed == model);
  g_boxed_free (KILN_TYPE_MODEL, boxed);
}

static void
test_model_is_local (void)
{
  static const struct
  {
    const char *url;
    gboolean    local;
  } cases[] = {
    { "http://localhost:11434", TRUE },
    { "http://LOCALHOST:8080/v1", TRUE },
    { "http://localhost.:8080", TRUE },
    { "http://tgi.localhost:3000", TRUE },
    { "http://127.0.0.1:8080", TRUE },
    { "http://127.45.6.7/v1", TRUE },
    { "http://[::1]:8000/v1", TRUE },
    { "https://user:pw@127.0.0.1/", TRUE },
    { "https://api.openai.com/v1", FALSE },
    { "http://192.168.1.20:11434", FALSE },
    { "http://10.0.0.1", FALSE },
    { "http://128.0.0.1", FALSE },
    { "http://[::2]:8000", FALSE },
    { "http://localhost.example.com", FALSE },
    { "http://127.0.0.1.nip.io", FALSE },
    { "http://mylocalhost", FALSE },
    { "localhost:8080", FALSE },
    { "not a url", FALSE },
    { "", FALSE },
    { NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KilnModel) model = kiln_model_new ();

      model->base_url = g_strdup (cases[i].url);
      g_test_message ("%s", cases[i].url);
      g_assert_true (kiln_model_is_local (model) == cases[i].local);
    }
}

static void
test_model_strings (void)
{
  static const char * const names[] = { "openai", "anthropic", "tgi", "ollama" };
  KilnApi api = KILN_API_OLLAMA;
  g_autoptr(KilnChatMessage) message = kiln_chat_message_new (KILN_ROLE_ASSISTANT, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (kiln_api_from_string (names[i], &api));
      g_assert_cmpint (api, ==, (KilnApi) i);
      g_assert_cmpstr (kiln_api_to_string (api), ==, names[i]);
    }
  g_assert_false (kiln_api_from_string ("OpenAI", &api));
  g_assert_false (kiln_api_from_string ("", &api));
  g_assert_false (kiln_api_from_string (NULL, &api));
  g_assert_cmpint (api, ==, KILN_API_OLLAMA);

  g_assert_cmpstr (kiln_role_to_string (KILN_ROLE_SYSTEM), ==, "system");
  g_assert_cmpstr (kiln_role_to_string (KILN_ROLE_USER), ==, "user");
  g_assert_cmpstr (kiln_role_to_string (KILN_ROLE_ASSISTANT), ==, "assistant");
  g_assert_cmpint (message->role, ==, KILN_ROLE_ASSISTANT);
  g_assert_cmpstr (message->content, ==, "");
}

/* ---- Requests ---- */

static void
test_openai (void)
{
  g_autoptr(KilnModel) model = model_new (KILN_API_OPENAI, "https://api.openai.com/v1/",
                                          "gpt-5-mini");
  g_autoptr(GPtrArray) messages = conversation (TRUE);
  g_autoptr(KilnProviderRequest) request = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *body;
  JsonObject *options;
  static const char * const headers[] = {
    "Authorization", "Bearer sk-test-123",
    "Content-Type", "application/json",
    "Accept", "text/event-stream",
    NULL,
  };

  model->max_tokens = 4000;
  model->temperature = 0.2;
  request = kiln_provider_request_new (model, messages, "sk-test-123", &error);
  g_assert_no_error (error);

  g_assert_cmpstr (request->url, ==, "https://api.openai.com/v1/chat/completions");
  assert_headers (request->headers, headers);

  body = parse_body (request, parser);
  g_assert_cmpuint (json_object_get_size (body), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "gpt-5-mini");
  assert_messages (body, TRUE);
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  options = json_object_get_object_member (body, "stream_options");
  g_assert_cmpuint (json_object_get_size (options), ==, 1);
  g_assert_true (json_object_get_boolean_member (options, "include_usage"));
  /* OpenAI itself: the newer name */
  g_assert_cmpint (json_object_get_int_member (body, "max_completion_tokens"), ==, 4000);
  g_assert_false (json_object_has_member (body, "max_tokens"));
  g_assert_cmpfloat (json_object_get_double_member (body, "temperature"), ==, 0.2);
}

static void
test_openai_compatible (void)
{
  g_autoptr(KilnModel) model = model_new (KILN_API_OPENAI, "http://localhost:8000/v1",
                                          "Qwen/Qwen2.5-Coder-7B-Instruct");
  g_autoptr(GPtrArray) messages = conversation (TRUE);
  g_autoptr(KilnProviderRequest) request = NULL;
  g_autoptr(KilnProviderRequest) defaults = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) defaults_parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *body;
  static const char * const headers[] = {
    "Content-Type", "application/json",
    "Accept", "text/event-stream",
    NULL,
  };

  model->max_tokens = 1024;
  model->temperature = 0;
  request = kiln_provider_request_new (model, messages, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (request->url, ==, "http://localhost:8000/v1/chat/completions");
  /* no key: no Authorization header at all */
  assert_headers (request->headers, headers);
  body = parse_body (request, parser);
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 1024);
  g_assert_false (json_object_has_member (body, "max_completion_tokens"));
  g_assert_true (json_object_has_member (body, "temperature"));
  g_assert_cmpfloat (json_object_get_double_member (body, "temperature"), ==, 0.0);

  /* the server's defaults: neither member sent; an empty key is no key */
  model->max_tokens = 0;
  model->temperature = -1;
  defaults = kiln_provider_request_new (model, messages, "", &error);
  g_assert_no_error (error);
  assert_headers (defaults->headers, headers);
  body = parse_body (defaults, defaults_parser);
  g_assert_cmpuint (json_object_get_size (body), ==, 4);
  g_assert_false (json_object_has_member (body, "max_tokens"));
  g_assert_false (json_object_has_member (body, "max_completion_tokens"));
  g_assert_false (json_object_has_member (body, "temperature"));
}

static void
test_anthropic (void)
{
  g_autoptr(KilnModel) model = model_new (KILN_API_ANTHROPIC, "https://api.anthropic.com",
                                          "claude-sonnet-4-5");
  g_autoptr(GPtrArray) messages = conversation (TRUE);
  g_autoptr(KilnProviderRequest) request = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *body;
  static const char * const headers[] = {
    "x-api-key", "sk-ant-api03-test",
    "anthropic-version", "2023-06-01",
    "Content-Type", "application/json",
    "Accept", "text/event-stream",
    NULL,
  };

  model->temperature = 0;
  request = kiln_provider_request_new (model, messages, "sk-ant-api03-test", &error);
  g_assert_no_error (error);

  g_assert_cmpstr (request->url, ==, "https://api.anthropic.com/v1/messages");
  assert_headers (request->headers, headers);

  body = parse_body (request, parser);
  g_assert_cmpuint (json_object_get_size (body), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "claude-sonnet-4-5");
  /* required by Anthropic: our default when the entry has none */
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 8192);
  /* the system prompt is top-level, not a message */
  g_assert_cmpstr (json_object_get_string_member (body, "system"), ==, SYSTEM);
  assert_messages (body, FALSE);
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  g_assert_cmpfloat (json_object_get_double_member (body, "temperature"), ==, 0.0);
}

static void
test_anthropic_no_system (void)
{
  g_autoptr(KilnModel) model = model_new (KILN_API_ANTHROPIC, "https://api.anthropic.com//",
                                          "claude-haiku-4-5");
  g_autoptr(GPtrArray) messages = conversation (FALSE);
  g_autoptr(KilnProviderRequest) request = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *body;

  model->max_tokens = 2000;
  request = kiln_provider_request_new (model, messages, "k", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (request->url, ==, "https://api.anthropic.com/v1/messages");
  body = parse_body (request, parser);
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 2000);
  g_assert_false (json_object_has_member (body, "system"));
  g_assert_false (json_object_has_member (body, "temperature"));
  assert_messages (body, FALSE);
}

static void
test_tgi (void)
{
  g_autoptr(KilnModel) model = model_new (KILN_API_TGI, "http://127.0.0.1:8080/", NULL);
  g_autoptr(GPtrArray) messages = conversation (TRUE);
  g_autoptr(KilnProviderRequest) request = NULL;
  g_autoptr(KilnProviderRequest) warm = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) warm_parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  JsonObject *body;
  JsonObject *parameters;
  JsonArray *stop;
  static const char * const headers[] = {
    "Content-Type", "application/json",
    "Accept", "text/event-stream",
    NULL,
  };
  static const char * const keyed_headers[] = {
    "Authorization", "Bearer hf_test",
    "Content-Type", "application/json",
    "Accept", "text/event-stream",
    NULL,
  };

  model->chat_template = g_strdup ("llama3");
  model->temperature = 0;
  request = kiln_provider_request_new (model, messages, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (request->url, ==, "http://127.0.0.1:8080/generate_stream");
  assert_headers (request->headers, headers);

  body = parse_body (request, parser);
  g_assert_cmpuint (json_object_get_size (body), ==, 2);
  prompt = kiln_chat_template_render ("llama3", messages, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (body, "inputs"), ==, prompt);
  g_assert_true (g_str_has_prefix (prompt, "<|begin_of_text|><|start_header_id|>system"));

  parameters = json_object_get_object_member (body, "parameters");
  g_assert_cmpuint (json_object_get_size (parameters), ==, 4);
  g_assert_cmpint (json_object_get_int_member (parameters, "max_new_tokens"), ==, 2048);
  stop = json_object_get_array_member (parameters, "stop");
  g_assert_cmpuint (json_array_get_length (stop), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (stop, 0), ==, "<|eot_id|>");
  g_assert_cmpstr (json_array_get_string_element (stop, 1), ==, "<|end_of_text|>");
  /* 0 is not sent: older TGI refuses it */
  g_assert_false (json_object_has_member (parameters, "temperature"));
  g_assert_true (json_object_get_boolean_member (parameters, "details"));
  g_assert_false (json_object_get_boolean_member (parameters, "return_full_text"));

  model->temperature = 0.7;
  model->max_tokens = 512;
  g_free (model->chat_template);
  model->chat_template = g_strdup ("mistral");
  warm = kiln_provider_request_new (model, messages, "hf_test", &error);
  g_assert_no_error (error);
  assert_headers (warm->headers, keyed_headers);
  body = parse_body (warm, warm_parser);
  parameters = json_object_get_object_member (body, "parameters");
  g_assert_cmpint (json_object_get_int_member (parameters, "max_new_tokens"), ==, 512);
  g_assert_cmpfloat (json_object_get_double_member (parameters, "temperature"), ==, 0.7);
  stop = json_object_get_array_member (parameters, "stop");
  g_assert_cmpuint (json_array_get_length (stop), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (stop, 0), ==, "</s>");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (body, "inputs"),
                                   "<s> [INST] " SYSTEM "\n\n" USER1 " [/INST] "));
}

static void
test_tgi_bad_template (void)
{
  g_autoptr(KilnModel) model = model_new (KILN_API_TGI, "http://127.0.0.1:8080", NULL);
  g_autoptr(GPtrArray) messages = conversation (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) null_error = NULL;
  g_autoptr(KilnProviderRequest) request = NULL;
  g_autoptr(KilnProviderRequest) null_request = NULL;

  model->chat_template = g_strdup ("alpaca");
  request = kiln_provider_request_new (model, messages, NULL, &error);
  g_assert_null (request);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“alpaca”"));
  g_assert_nonnull (strstr (error->message, "test-model"));
  g_assert_nonnull (strstr (error->message, "chatml"));

  g_clear_pointer (&model->chat_template, g_free);
  null_request = kiln_provider_request_new (model, messages, NULL, &null_error);
  g_assert_null (null_request);
  g_assert_error (null_error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
}

static void
test_ollama (void)
{
  g_autoptr(KilnModel) model = model_new (KILN_API_OLLAMA, "http://localhost:11434",
                                          "qwen2.5-coder:7b");
  g_autoptr(GPtrArray) messages = conversation (TRUE);
  g_autoptr(KilnProviderRequest) request = NULL;
  g_autoptr(KilnProviderRequest) tuned = NULL;
  g_autoptr(KilnProviderRequest) warm = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) tuned_parser = json_parser_new ();
  g_autoptr(JsonParser) warm_parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *body;
  JsonObject *options;
  static const char * const headers[] = {
    "Content-Type", "application/json",
    "Accept", "application/x-ndjson",
    NULL,
  };

  request = kiln_provider_request_new (model, messages, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (request->url, ==, "http://localhost:11434/api/chat");
  assert_headers (request->headers, headers);
  body = parse_body (request, parser);
  g_assert_cmpuint (json_object_get_size (body), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "qwen2.5-coder:7b");
  assert_messages (body, TRUE);
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  g_assert_false (json_object_has_member (body, "options"));

  model->temperature = 0.1;
  model->max_tokens = 3000;
  tuned = kiln_provider_request_new (model, messages, NULL, &error);
  g_assert_no_error (error);
  body = parse_body (tuned, tuned_parser);
  options = json_object_get_object_member (body, "options");
  g_assert_cmpuint (json_object_get_size (options), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (options, "temperature"), ==, 0.1);
  g_assert_cmpint (json_object_get_int_member (options, "num_predict"), ==, 3000);

  model->temperature = -1;
  warm = kiln_provider_request_new (model, messages, NULL, &error);
  g_assert_no_error (error);
  body = parse_body (warm, warm_parser);
  options = json_object_get_object_member (body, "options");
  g_assert_cmpuint (json_object_get_size (options), ==, 1);
  g_assert_true (json_object_has_member (options, "num_predict"));
}

static void
test_incomplete_model (void)
{
  g_autoptr(KilnModel) no_url = model_new (KILN_API_OPENAI, NULL, "gpt-5");
  g_autoptr(KilnModel) no_name = model_new (KILN_API_OLLAMA, "http://localhost:11434", NULL);
  g_autoptr(GPtrArray) messages = conversation (TRUE);
  g_autoptr(GError) url_error = NULL;
  g_autoptr(GError) name_error = NULL;
  g_autoptr(KilnProviderRequest) url_request = NULL;
  g_autoptr(KilnProviderRequest) name_request = NULL;

  url_request = kiln_provider_request_new (no_url, messages, NULL, &url_error);
  g_assert_null (url_request);
  g_assert_error (url_error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);

  name_request = kiln_provider_request_new (no_name, messages, NULL, &name_error);
  g_assert_null (name_request);
  g_assert_error (name_error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
}

/* ---- HTTP errors ---- */

typedef struct
{
  const char *label;
  guint       status;
  const char *body;
  KilnError   code;
  const char *expected;   /* the whole message, or a part of it when partial */
  gboolean    partial;
} ErrorCase;

static const ErrorCase error_cases[] = {
  /* OpenAI */
  { "OpenAI", 401,
    "{\n  \"error\": {\n    \"message\": \"Incorrect API key provided: sk-proj-****************"
    "******************************************4xQA. You can find your API key at "
    "https://platform.openai.com/account/api-keys.\",\n    \"type\": \"invalid_request_error\","
    "\n    \"param\": null,\n    \"code\": \"invalid_api_key\"\n  }\n}\n",
    KILN_ERROR_KEY_REJECTED,
    "OpenAI rejected the API key (HTTP 401): Incorrect API key provided. "
    "Check the key in Preferences." },
  { "OpenAI", 404,
    "{\"error\":{\"message\":\"The model `gpt-6` does not exist or you do not have access to "
    "it.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"model_not_found\"}}",
    KILN_ERROR_MODEL_NOT_FOUND,
    "OpenAI has no such model or address (HTTP 404): The model `gpt-6` does not exist or you "
    "do not have access to it. Check the model name and the server address." },
  { "OpenAI", 400,
    "{\"error\":{\"message\":\"This model's maximum context length is 128000 tokens. However, "
    "your messages resulted in 130211 tokens. Please reduce the length of the messages.\","
    "\"type\":\"invalid_request_error\",\"param\":\"messages\","
    "\"code\":\"context_length_exceeded\"}}",
    KILN_ERROR_REQUEST_TOO_LARGE,
    "OpenAI refused the request as too large for the model (HTTP 400): This model's maximum "
    "context length is 128000 tokens. However, your messages resulted in 130211 tokens. "
    "Please reduce the length of the messages. Shorten the prompt or lower the answer’s "
    "token limit." },
  { "OpenAI", 400,
    "{\"error\":{\"message\":\"Unsupported parameter: 'max_tokens' is not supported with this "
    "model. Use 'max_completion_tokens' instead.\",\"type\":\"invalid_request_error\","
    "\"param\":\"max_tokens\",\"code\":\"unsupported_parameter\"}}",
    KILN_ERROR_BAD_REQUEST,
    "OpenAI refused the request (HTTP 400): Unsupported parameter: 'max_tokens' is not "
    "supported with this model. Use 'max_completion_tokens' instead." },
  { "OpenAI", 429,
    "{\"error\":{\"message\":\"Rate limit reached for gpt-4o in organization org-abc on tokens "
    "per min (TPM): Limit 30000, Used 29000, Requested 2000. Please try again in 2s.\","
    "\"type\":\"tokens\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}",
    KILN_ERROR_RATE_LIMITED,
    "OpenAI is limiting the rate of requests (HTTP 429): Rate limit reached for gpt-4o", TRUE },
  { "OpenAI", 429,
    "{\"error\":{\"message\":\"You exceeded your current quota, please check your plan and "
    "billing details.\",\"type\":\"insufficient_quota\",\"param\":null,"
    "\"code\":\"insufficient_quota\"}}",
    KILN_ERROR_RATE_LIMITED, "You exceeded your current quota", TRUE },
  { "OpenAI", 500,
    "{\"error\":{\"message\":\"The server had an error while processing your request. Sorry "
    "about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}",
    KILN_ERROR_SERVER_ERROR,
    "OpenAI had a server error (HTTP 500): The server had an error while processing your "
    "request. Sorry about that." },
  { "OpenAI", 503,
    "{\"error\":{\"message\":\"The engine is currently overloaded, please try again later\","
    "\"type\":\"server_error\",\"param\":null,\"code\":null}}",
    KILN_ERROR_OVERLOADED, "OpenAI is overloaded (HTTP 503): The engine is currently "
    "overloaded, please try again later. Try again in a moment." },
  { "OpenAI", 403,
    "{\"error\":{\"code\":\"unsupported_country_region_territory\",\"message\":\"Country, "
    "region, or territory not supported\",\"param\":null,\"type\":\"request_forbidden\"}}",
    KILN_ERROR_KEY_REJECTED, "(HTTP 403): Country, region, or territory not supported.", TRUE },

  /* Anthropic */
  { "Anthropic", 401,
    "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid "
    "x-api-key\"},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}",
    KILN_ERROR_KEY_REJECTED,
    "Anthropic rejected the API key (HTTP 401): invalid x-api-key. Check the key in "
    "Preferences." },
  { "Anthropic", 529,
    "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
    KILN_ERROR_OVERLOADED,
    "Anthropic is overloaded (HTTP 529): Overloaded. Try again in a moment." },
  { "Anthropic", 500,
    "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
    KILN_ERROR_OVERLOADED, "Anthropic is overloaded (HTTP 500)", TRUE },
  { "Anthropic", 400,
    "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"prompt is "
    "too long: 215304 tokens > 200000 maximum\"}}",
    KILN_ERROR_REQUEST_TOO_LARGE, "prompt is too long: 215304 tokens > 200000 maximum.", TRUE },
  { "Anthropic", 413,
    "{\"type\":\"error\",\"error\":{\"type\":\"request_too_large\",\"message\":\"Request exceeds "
    "the maximum allowed number of bytes.\"}}",
    KILN_ERROR_REQUEST_TOO_LARGE, "(HTTP 413): Request exceeds the maximum allowed number of "
    "bytes. Shorten", TRUE },
  { "Anthropic", 400,
    "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens: "
    "100000 > 64000, which is the maximum allowed number of output tokens for "
    "claude-sonnet-4-5\"}}",
    KILN_ERROR_BAD_REQUEST, "Anthropic refused the request (HTTP 400): max_tokens: 100000", TRUE },
  { "Anthropic", 404,
    "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: "
    "claude-5\"}}",
    KILN_ERROR_MODEL_NOT_FOUND, "(HTTP 404): model: claude-5. Check", TRUE },
  { "Anthropic", 429,
    "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"This request "
    "would exceed the rate limit for your organization of 50,000 input tokens per minute.\"}}",
    KILN_ERROR_RATE_LIMITED, "(HTTP 429): This request would exceed the rate limit", TRUE },

  /* Hugging Face / TGI */
  { "Hugging Face", 503,
    "{\"error\":\"Model bigcode/starcoder2-15b is currently loading\",\"estimated_time\":20.0}",
    KILN_ERROR_MODEL_LOADING,
    "Hugging Face is loading the model (about 20 s); try again shortly." },
  { "Hugging Face", 503,
    "{\"error\":\"Model is currently loading\",\"estimated_time\":137.41}",
    KILN_ERROR_MODEL_LOADING,
    "Hugging Face is loading the model (about 138 s); try again shortly." },
  { "TGI", 503, "{\"error\":\"Model is loading\"}",
    KILN_ERROR_MODEL_LOADING, "TGI is loading the model; try again shortly." },
  { "TGI", 422,
    "{\"error\":\"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. "
    "Given: 3900 `inputs` tokens and 2048 `max_new_tokens`\",\"error_type\":\"validation\"}",
    KILN_ERROR_REQUEST_TOO_LARGE,
    "TGI refused the request as too large for the model (HTTP 422): Input validation error: "
    "`inputs` tokens + `max_new_tokens` must be <= 4096. Given: 3900 `inputs` tokens and 2048 "
    "`max_new_tokens`. Shorten the prompt or lower the answer’s token limit." },
  { "TGI", 422,
    "{\"error\":\"Input validation error: `temperature` must be strictly positive\","
    "\"error_type\":\"validation\"}",
    KILN_ERROR_BAD_REQUEST,
    "TGI refused the request (HTTP 422): Input validation error: `temperature` must be "
    "strictly positive." },
  { "TGI", 424,
    "{\"error\":\"Request failed during generation: Server error: CUDA out of memory.\","
    "\"error_type\":\"generation\"}",
    KILN_ERROR_BAD_REQUEST, "(HTTP 424): Request failed during generation", TRUE },
  { "Hugging Face", 401, "{\"error\":\"Invalid credentials in Authorization header\"}",
    KILN_ERROR_KEY_REJECTED, "(HTTP 401): Invalid credentials in Authorization header. Check",
    TRUE },
  { "Hugging Face", 400,
    "{\"error\":\"Input validation error: `inputs` must have less than 8192 tokens. Given: "
    "9000\",\"error_type\":\"validation\"}",
    KILN_ERROR_REQUEST_TOO_LARGE, "`inputs` must have less than 8192 tokens", TRUE },

  /* Ollama */
  { "Ollama (local)", 404, "{\"error\":\"model \\\"qwen3-coder:30b\\\" not found, try pulling "
    "it first\"}",
    KILN_ERROR_MODEL_NOT_FOUND,
    "Ollama (local) has no such model or address (HTTP 404): model \"qwen3-coder:30b\" not "
    "found, try pulling it first. Check the model name and the server address." },
  { "Ollama (local)", 400, "{\"error\":\"json: cannot unmarshal string into Go struct field "
    "ChatRequest.messages of type []api.Message\"}",
    KILN_ERROR_BAD_REQUEST, "(HTTP 400): json: cannot unmarshal string", TRUE },
  { "Ollama (local)", 500, "{\"error\":\"llama runner process has terminated: signal: killed\"}",
    KILN_ERROR_SERVER_ERROR,
    "Ollama (local) had a server error (HTTP 500): llama runner process has terminated: "
    "signal: killed." },

  /* vLLM and other FastAPI servers */
  { "vLLM", 400,
    "{\"object\":\"error\",\"message\":\"This model's maximum context length is 32768 tokens. "
    "However, you requested 33000 tokens (31000 in the messages, 2000 in the completion). "
    "Please reduce the length of the messages or completion.\",\"type\":\"BadRequestError\","
    "\"param\":null,\"code\":400}",
    KILN_ERROR_REQUEST_TOO_LARGE, "(HTTP 400): This model's maximum context length is 32768",
    TRUE },
  { "vLLM", 404,
    "{\"object\":\"error\",\"message\":\"The model `gpt-4` does not exist.\",\"type\":"
    "\"NotFoundError\",\"param\":null,\"code\":404}",
    KILN_ERROR_MODEL_NOT_FOUND, "(HTTP 404): The model `gpt-4` does not exist. Check", TRUE },
  { "Local server", 404, "{\"detail\":\"Not Found\"}",
    KILN_ERROR_MODEL_NOT_FOUND, "Local server has no such model or address (HTTP 404): Not Found.",
    TRUE },
  { "Local server", 422,
    "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"messages\",0,\"content\"],"
    "\"msg\":\"Field required\",\"input\":{\"role\":\"user\"}}]}",
    KILN_ERROR_BAD_REQUEST,
    "Local server refused the request (HTTP 422): body.messages.0.content: Field required." },
  { "llama.cpp", 400,
    "{\"error\":{\"code\":400,\"message\":\"the request exceeds the available context size, "
    "try increasing it\",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":9000,"
    "\"n_ctx\":8192}}",
    KILN_ERROR_REQUEST_TOO_LARGE, "the request exceeds the available context size", TRUE },

  /* Gemini's OpenAI endpoint: an array */
  { "Gemini", 400,
    "[{\n  \"error\": {\n    \"code\": 400,\n    \"message\": \"API key not valid. Please pass "
    "a valid API key.\",\n    \"status\": \"INVALID_ARGUMENT\"\n  }\n}\n]",
    KILN_ERROR_KEY_REJECTED,
    "Gemini rejected the API key (HTTP 400): API key not valid. Please pass a valid API key. "
    "Check the key in Preferences." },
  { "Gemini", 429,
    "[{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted (e.g. check quota).\","
    "\"status\":\"RESOURCE_EXHAUSTED\"}}]",
    KILN_ERROR_RATE_LIMITED,
    "Gemini is limiting the rate of requests (HTTP 429): Resource has been exhausted (e.g. "
    "check quota)." },
  { "Gemini", 401,
    "[{\"error\":{\"code\":401,\"message\":\"API key not valid: AIzaSyD-abcdefghijklmnop\","
    "\"status\":\"UNAUTHENTICATED\"}}]",
    KILN_ERROR_KEY_REJECTED,
    "Gemini rejected the API key (HTTP 401): API key not valid. Check the key in Preferences." },

  /* Plain text, HTML, nothing */
  { "OpenRouter", 502, "Bad Gateway",
    KILN_ERROR_SERVER_ERROR, "OpenRouter had a server error (HTTP 502): Bad Gateway." },
  { "Proxy", 502,
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    "Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n",
    KILN_ERROR_SERVER_ERROR,
    "Proxy had a server error (HTTP 502): the server answered with a web page, "
    "“502 Bad Gateway”." },
  { "Proxy", 524,
    "<!DOCTYPE html>\n<!--[if lt IE 7]> <html class=\"no-js ie6 oldie\" lang=\"en-US\"> "
    "<![endif]-->\n<html><head>\n<title>example.com | 524: A timeout occurred</title>\n"
    "<meta charset=\"UTF-8\" /></head><body><script>var x = 1 < 2;</script></body></html>",
    KILN_ERROR_SERVER_ERROR,
    "Proxy had a server error (HTTP 524): the server answered with a web page, "
    "“example.com | 524: A timeout occurred”." },
  { "Proxy", 500, "<html><head><title>Error &amp; more &amp;lt;b&amp;gt;</title></head></html>",
    KILN_ERROR_SERVER_ERROR,
    "Proxy had a server error (HTTP 500): the server answered with a web page, "
    "“Error & more &lt;b&gt;”." },
  { "Proxy", 403, "<!doctype html><html><body><p>Forbidden &amp; gone</p></body></html>",
    KILN_ERROR_KEY_REJECTED,
    "Proxy rejected the API key (HTTP 403): the server answered with a web page. Check the "
    "key in Preferences." },
  { "Proxy", 503, "<html><head><title>Service Unavailable &ndash; loading</title></head></html>",
    KILN_ERROR_MODEL_LOADING, "Proxy is loading the model; try again shortly." },
  { "OpenAI", 500, "", KILN_ERROR_SERVER_ERROR, "OpenAI had a server error (HTTP 500)." },
  { "OpenAI", 504, "   \n\n  ", KILN_ERROR_SERVER_ERROR, "OpenAI had a server error (HTTP 504)." },
  { "OpenAI", 401, NULL, KILN_ERROR_KEY_REJECTED,
    "OpenAI rejected the API key (HTTP 401). Check the key in Preferences." },
  { "Server", 409, "\n\nConflict: another request holds the slot\nsecond line\n",
    KILN_ERROR_BAD_REQUEST, "Server refused the request (HTTP 409): Conflict: another request "
    "holds the slot." },
  { "Server", 500, "{\"error\":{\"code\":500}}", KILN_ERROR_SERVER_ERROR,
    "Server had a server error (HTTP 500): {\"error\":{\"code\":500}}." },
  { "Server", 302, "", KILN_ERROR_BAD_RESPONSE,
    "Server answered with the unexpected HTTP status 302." },
  { "Server", 413, "Payload Too Large", KILN_ERROR_REQUEST_TOO_LARGE,
    "(HTTP 413): Payload Too Large. Shorten", TRUE },
  { "Server", 400, "{\"error\":\"Bearer sk-live-abcdefghijklmnop is not a valid token\"}",
    KILN_ERROR_BAD_REQUEST, "Server refused the request (HTTP 400)." },
};

static void
assert_one_line (const GError *error,
                 const char   *label)
{
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_null (strchr (error->message, '\r'));
  g_assert_true (g_str_has_prefix (error->message, label));
  /* never a key, whole or masked */
  g_assert_null (strstr (error->message, "sk-"));
  g_assert_null (strstr (error->message, "AIza"));
  g_assert_null (strstr (error->message, "****"));
}

static void
test_http_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      gsize len = c->body != NULL ? strlen (c->body) : 0;
      g_autoptr(GError) error = kiln_provider_http_error (c->label, c->status, c->body, len);

      g_test_message ("case %u: %s %u", i, c->label, c->status);
      g_assert_nonnull (error);
      g_test_message ("-> %s", error->message);
      g_assert_error (error, KILN_ERROR, (int) c->code);
      assert_one_line (error, c->label);
      if (c->partial)
        g_assert_nonnull (strstr (error->message, c->expected));
      else
        g_assert_cmpstr (error->message, ==, c->expected);
    }
}

static void
test_http_error_long (void)
{
  g_autoptr(GString) body = g_string_new ("{\"error\":{\"message\":\"");
  g_autoptr(GError) error = NULL;
  const char *detail;

  for (guint i = 0; i < 100; i++)
    g_string_append (body, "déjà vu ");
  g_string_append (body, "\"}}");

  error = kiln_provider_http_error ("OpenAI", 400, body->str, body->len);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_BAD_REQUEST);
  assert_one_line (error, "OpenAI");
  detail = strstr (error->message, "): ");
  g_assert_nonnull (detail);
  /* 200 characters at most, "…" included, then the closing period */
  g_assert_cmpint (g_utf8_strlen (detail + 3, -1), <=, 201);
  g_assert_true (g_str_has_suffix (error->message, "…."));
}

static void
test_http_error_bad_bytes (void)
{
  /* invalid UTF-8 and a NUL inside the body */
  static const char body[] = "Upstream \xff\xfe failed\0 after the NUL";
  g_autoptr(GError) error = kiln_provider_http_error ("Proxy", 502, body, sizeof body - 1);

  g_assert_error (error, KILN_ERROR, KILN_ERROR_SERVER_ERROR);
  assert_one_line (error, "Proxy");
  g_assert_nonnull (strstr (error->message, "Upstream"));
  g_assert_nonnull (strstr (error->message, "failed"));
}

static void
test_retryable (void)
{
  static const guint yes[] = { 408, 409, 429, 500, 502, 503, 504, 520, 524, 529, 599 };
  static const guint no[] = { 200, 301, 400, 401, 403, 404, 405, 413, 422, 424, 600 };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    g_assert_true (kiln_provider_status_is_retryable (yes[i]));
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    g_assert_false (kiln_provider_status_is_retryable (no[i]));
}

typedef struct
{
  const char *retry_after;
  const char *retry_after_ms;
  gint64      expected;
} RetryCase;

/* "now" is Wed, 21 Oct 2015 07:28:00 GMT */
#define NOW 1445412480

static const RetryCase retry_cases[] = {
  { NULL, NULL, -1 },
  { "20", NULL, 20000 },
  { " 3 ", NULL, 3000 },
  { "0", NULL, 0 },
  { "1.5", NULL, 1500 },
  { "0.0012", NULL, 2 },
  { "20", "1500", 1500 },
  { NULL, "250", 250 },
  { NULL, "12.3", 13 },
  { "7", "soon", 7000 },
  { "7", "", 7000 },
  { NULL, "-5", -1 },
  { "-5", NULL, -1 },
  { "inf", NULL, -1 },
  { "nan", NULL, -1 },
  { "0x10", NULL, -1 },
  { "1e3", NULL, -1 },
  { "", NULL, -1 },
  { "soon", NULL, -1 },
  { "99999999999999999999", NULL, -1 },
  { "Wed, 21 Oct 2015 07:28:30 GMT", NULL, 30000 },
  { "Wed, 21 Oct 2015 08:28:00 GMT", NULL, 3600000 },
  { "Wed, 21 Oct 2015 07:28:00 GMT", NULL, 0 },
  { "Tue, 20 Oct 2015 07:28:00 GMT", NULL, 0 },
  /* the obsolete forms HTTP still allows */
  { "Wednesday, 21-Oct-15 07:28:10 GMT", NULL, 10000 },
  { "Wed Oct 21 07:28:05 2015", NULL, 5000 },
};

static void
test_retry_after (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (retry_cases); i++)
    {
      const RetryCase *c = &retry_cases[i];

      g_test_message ("retry-after %s, retry-after-ms %s", c->retry_after, c->retry_after_ms);
      g_assert_cmpint (kiln_provider_parse_retry_after (c->retry_after, c->retry_after_ms, NOW),
                       ==, c->expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/provider/model/defaults", test_model_defaults);
  g_test_add_func ("/provider/model/copy", test_model_copy);
  g_test_add_func ("/provider/model/is-local", test_model_is_local);
  g_test_add_func ("/provider/model/strings", test_model_strings);
  g_test_add_func ("/provider/request/openai", test_openai);
  g_test_add_func ("/provider/request/openai-compatible", test_openai_compatible);
  g_test_add_func ("/provider/request/anthropic", test_anthropic);
  g_test_add_func ("/provider/request/anthropic-no-system", test_anthropic_no_system);
  g_test_add_func ("/provider/request/tgi", test_tgi);
  g_test_add_func ("/provider/request/tgi-bad-template", test_tgi_bad_template);
  g_test_add_func ("/provider/request/ollama", test_ollama);
  g_test_add_func ("/provider/request/incomplete-model", test_incomplete_model);
  g_test_add_func ("/provider/http-error/table", test_http_errors);
  g_test_add_func ("/provider/http-error/long", test_http_error_long);
  g_test_add_func ("/provider/http-error/bad-bytes", test_http_error_bad_bytes);
  g_test_add_func ("/provider/retryable", test_retryable);
  g_test_add_func ("/provider/retry-after", test_retry_after);

  return g_test_run ();
}

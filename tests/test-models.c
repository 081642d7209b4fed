/* test-models.c: models.json parsing, the registry's sources, discovery and availability
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "kiln-error.h"
#include "kiln-model-registry.h"
#include "kiln-models.h"

static char *tmp_dir;
static char *config_dir;

/* --- the parser --- */

#define GOOD_ENTRY \
  "{\"id\": \"good\", \"api\": \"openai\", \"base_url\": \"https://example.com/v1\", " \
  "\"model\": \"m\"}"

typedef struct
{
  const char *name;
  const char *entry;          /* the second entry, after GOOD_ENTRY */
  int         code;           /* -1: the entry is fine */
  const char *expected[3];    /* pieces of the message */
} EntryCase;

static const EntryCase entry_cases[] = {
  { "api-unknown",
    "{\"id\": \"my-llama\", \"api\": \"llama\", \"base_url\": \"http://127.0.0.1:1\", \"model\": \"m\"}",
    KILN_ERROR_BAD_MODEL_ENTRY,
    { "test.json: entry 2 (“my-llama”): ", "“api” must be one of openai, anthropic, tgi, ollama" } },
  { "api-missing",
    "{\"id\": \"x\", \"base_url\": \"https://a.example\", \"model\": \"m\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "entry 2 (“x”)", "“api” is missing" } },
  { "api-number",
    "{\"id\": \"x\", \"api\": 3, \"base_url\": \"https://a.example\", \"model\": \"m\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“api” must be a string" } },
  { "id-missing",
    "{\"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "test.json: entry 2: “id” is missing" } },
  { "id-number",
    "{\"id\": 7, \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "entry 2: “id” must be a non-empty string" } },
  { "id-duplicate",
    "{\"id\": \"good\", \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "entry 2 (“good”)", "“id” is used by an earlier entry" } },
  { "not-object", "42", KILN_ERROR_BAD_MODEL_ENTRY, { "entry 2: must be a JSON object" } },
  { "base-url-missing",
    "{\"id\": \"x\", \"api\": \"openai\", \"model\": \"m\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“base_url” is missing" } },
  { "base-url-ftp",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"ftp://a.example\", \"model\": \"m\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“base_url” must be an http:// or https:// URL" } },
  { "base-url-garbage",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"not a url\", \"model\": \"m\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“base_url” must be an http:// or https:// URL" } },
  { "insecure",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"http://gpu.example:8000/v1\", \"model\": \"m\"}",
    KILN_ERROR_INSECURE_URL, { "entry 2 (“x”): “base_url”", "https://", "allow_insecure" } },
  { "insecure-lan",
    "{\"id\": \"x\", \"api\": \"ollama\", \"base_url\": \"http://192.168.1.5:11434\", \"model\": \"m\"}",
    KILN_ERROR_INSECURE_URL, { "allow_insecure" } },
  { "insecure-allowed",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"http://gpu.example:8000/v1\", "
    "\"model\": \"m\", \"allow_insecure\": true}", -1, { NULL } },
  { "http-localhost",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"http://localhost:8000/v1/\", \"model\": \"m\"}",
    -1, { NULL } },
  { "http-loopback-v6",
    "{\"id\": \"x\", \"api\": \"ollama\", \"base_url\": \"http://[::1]:11434\", \"model\": \"m\"}",
    -1, { NULL } },
  { "model-missing",
    "{\"id\": \"x\", \"api\": \"anthropic\", \"base_url\": \"https://a.example\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“model” is missing" } },
  { "tgi-no-template",
    "{\"id\": \"x\", \"api\": \"tgi\", \"base_url\": \"https://e.example\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“chat_template” is needed" } },
  { "tgi-unknown-template",
    "{\"id\": \"x\", \"api\": \"tgi\", \"base_url\": \"https://e.example\", \"chat_template\": \"jinja\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“chat_template” must be one of", "chatml" } },
  { "tgi-empty-url",
    "{\"id\": \"x\", \"api\": \"tgi\", \"base_url\": \"\", \"chat_template\": \"chatml\"}",
    -1, { NULL } },
  { "max-tokens-negative",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\", "
    "\"max_tokens\": -1}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“max_tokens” must be a whole number" } },
  { "max-tokens-fraction",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\", "
    "\"max_tokens\": 1.5}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“max_tokens” must be a whole number" } },
  { "max-tokens-string",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\", "
    "\"max_tokens\": \"lots\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“max_tokens” must be a whole number" } },
  { "max-retries-big",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\", "
    "\"max_retries\": 1000}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“max_retries” must be a whole number from 0 to 10" } },
  { "temperature-high",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\", "
    "\"temperature\": 5}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“temperature” must be a number" } },
  { "price-string",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\", "
    "\"price_in_per_mtok\": \"cheap\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“price_in_per_mtok” must be a number" } },
  { "key-env-bad",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\", "
    "\"key_env\": \"OPENAI-KEY\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“key_env” must be the name of an environment variable" } },
  { "allow-insecure-string",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\", "
    "\"allow_insecure\": \"yes\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“allow_insecure” must be true or false" } },
  { "label-number",
    "{\"id\": \"x\", \"label\": 1, \"api\": \"openai\", \"base_url\": \"https://a.example\", "
    "\"model\": \"m\"}",
    KILN_ERROR_BAD_MODEL_ENTRY, { "“label” must be a string" } },
  { "unknown-fields",
    "{\"id\": \"x\", \"api\": \"openai\", \"base_url\": \"https://a.example\", \"model\": \"m\", "
    "\"colour\": \"blue\", \"future\": {\"a\": [1]}}", -1, { NULL } },
};

static void
test_parse_entry (gconstpointer data)
{
  const EntryCase *c = data;
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autofree char *text = g_strdup_printf ("{\"models\": [" GOOD_ENTRY ", %s]}", c->entry);

  g_assert_true (kiln_models_parse (text, strlen (text), "test.json", models, errors));

  if (c->code < 0)
    {
      g_assert_cmpuint (errors->len, ==, 0);
      g_assert_cmpuint (models->len, ==, 2);
      return;
    }

  /* The good entry still loads. */
  g_assert_cmpuint (models->len, ==, 1);
  g_assert_cmpstr (((KilnModel *) g_ptr_array_index (models, 0))->id, ==, "good");
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (errors, 0), KILN_ERROR, c->code);

  for (guint i = 0; i < G_N_ELEMENTS (c->expected) && c->expected[i] != NULL; i++)
    {
      const char *message = ((GError *) g_ptr_array_index (errors, 0))->message;

      if (strstr (message, c->expected[i]) == NULL)
        g_error ("“%s” not in “%s”", c->expected[i], message);
    }
  g_assert_true (g_str_has_prefix (((GError *) g_ptr_array_index (errors, 0))->message,
                                   "test.json: "));
}

static void
test_parse_fields (void)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  const char *text =
    "{\"models\": [{\"id\": \"a\", \"api\": \"tgi\", \"base_url\": \"https://e.example/\", "
    "\"chat_template\": \"chatml\", \"key_env\": \"HF_TOKEN\", \"max_tokens\": 4096, "
    "\"temperature\": 0.2, \"price_in_per_mtok\": 1.5, \"price_out_per_mtok\": null, "
    "\"max_retries\": 0, \"provider\": \"HF\"},"
    " {\"id\": \"b\", \"api\": \"ollama\", \"base_url\": \"http://127.0.0.1:11434\", "
    "\"model\": \"q:7b\", \"key_env\": \"\", \"chat_template\": \"chatml\"}]}";
  KilnModel *a;
  KilnModel *b;

  g_assert_true (kiln_models_parse (text, strlen (text), "f.json", models, errors));
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpuint (models->len, ==, 2);

  a = g_ptr_array_index (models, 0);
  g_assert_cmpstr (a->id, ==, "a");
  g_assert_cmpstr (a->label, ==, "a");   /* defaults to the id */
  g_assert_cmpstr (a->provider, ==, "HF");
  g_assert_cmpint (a->api, ==, KILN_API_TGI);
  g_assert_cmpstr (a->base_url, ==, "https://e.example");  /* no trailing slash */
  g_assert_cmpstr (a->model, ==, "");
  g_assert_cmpstr (a->chat_template, ==, "chatml");
  g_assert_cmpstr (a->key_env, ==, "HF_TOKEN");
  g_assert_cmpint (a->max_tokens, ==, 4096);
  g_assert_cmpfloat_with_epsilon (a->temperature, 0.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (a->price_in_per_mtok, 1.5, 1e-9);
  g_assert_cmpfloat (a->price_out_per_mtok, <, 0);
  g_assert_cmpuint (a->max_retries, ==, 0);
  g_assert_false (a->allow_insecure);
  g_assert_cmpstr (a->origin, ==, "f.json");

  b = g_ptr_array_index (models, 1);
  g_assert_null (b->key_env);          /* "" means no key */
  g_assert_null (b->chat_template);    /* only kept for tgi */
  g_assert_cmpfloat (b->temperature, <, 0);
  g_assert_cmpuint (b->max_retries, ==, 2);
  g_assert_nonnull (b->provider);
}

typedef struct
{
  const char *name;
  const char *text;
  const char *expected;
} DocumentCase;

static const DocumentCase document_cases[] = {
  { "syntax", "{\n  \"models\": [\n    {\"id\": 1,, }\n  ]\n}", "test.json:3:13: not valid JSON: unexpected character" },
  { "empty", "", "test.json: expected an object with a \"models\" list" },
  { "array", "[]", "test.json: expected an object with a \"models\" list" },
  { "no-models", "{\"model\": []}", "expected an object with a \"models\" list" },
  { "models-object", "{\"models\": {}}", "expected an object with a \"models\" list" },
  { "latin1", "{\"models\": [], \"x\": \"caf\xe9\"}", "test.json: not valid JSON: the file is not UTF-8" },
  { "nul", "{\"models\": []}\0", "not UTF-8" },
};

static void
test_parse_document (gconstpointer data)
{
  const DocumentCase *c = data;
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  gsize length = strlen (c->text) + (g_str_equal (c->name, "nul") ? 1 : 0);
  const char *message;

  g_assert_false (kiln_models_parse (c->text, length, "test.json", models, errors));
  g_assert_cmpuint (models->len, ==, 0);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (errors, 0), KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY);
  message = ((GError *) g_ptr_array_index (errors, 0))->message;
  if (strstr (message, c->expected) == NULL)
    g_error ("“%s” not in “%s”", c->expected, message);
}

static GBytes *
builtin_bytes (void)
{
  GBytes *bytes = g_resources_lookup_data (KILN_MODELS_RESOURCE_PATH, 0, NULL);

  g_assert_nonnull (bytes);
  return bytes;
}

static void
test_parse_builtin (void)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr(GBytes) bytes = builtin_bytes ();
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  const char *ids[] = {
    "gpt-5", "gpt-5-mini", "claude-sonnet-4-5", "claude-haiku-4-5", "gemini-2.5-pro",
    "qwen2.5-coder-32b", "codeqwen1.5-7b-endpoint", "ollama-qwen2.5-coder-7b",
  };

  g_assert_true (kiln_models_parse (data, size, "built-in", models, errors));
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpuint (models->len, ==, G_N_ELEMENTS (ids));

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      KilnModel *model = g_ptr_array_index (models, i);

      g_assert_cmpstr (model->id, ==, ids[i]);
      g_assert_cmpstr (model->origin, ==, "built-in");
      /* Anthropic refuses a request without max_tokens. */
      if (model->api == KILN_API_ANTHROPIC)
        g_assert_cmpint (model->max_tokens, >, 0);
      if (model->api == KILN_API_TGI)
        {
          g_assert_cmpstr (model->base_url, ==, "");
          g_assert_cmpstr (model->chat_template, ==, "chatml");
        }
      if (model->api == KILN_API_OLLAMA)
        {
          g_assert_null (model->key_env);
          g_assert_true (kiln_model_is_local (model));
        }
      else
        {
          g_assert_nonnull (model->key_env);
        }
    }
}

/* Every prefix of a real file, and random byte changes: no crash, and the return value
 * agrees with what was appended. */
static void
test_parse_robust (void)
{
  g_autoptr(GBytes) bytes = builtin_bytes ();
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autofree char *copy = g_memdup2 (data, size);

  for (gsize len = 0; len <= size; len++)
    {
      g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
      g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

      if (!kiln_models_parse (data, len, "t", models, errors))
        {
          g_assert_cmpuint (errors->len, ==, 1);
          g_assert_cmpuint (models->len, ==, 0);
        }
    }

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
      g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
      gsize at = g_test_rand_int_range (0, (gint32) size);
      char old = copy[at];

      copy[at] = (char) g_test_rand_int_range (1, 256);
      kiln_models_parse (copy, size, "t", models, errors);
      for (guint i = 0; i < models->len; i++)
        g_assert_nonnull (((KilnModel *) g_ptr_array_index (models, i))->id);
      copy[at] = old;
    }
}

/* --- the registry --- */

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
  while (waiter->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return waiter->result;
}

/* A loopback port where nothing listens. */
static char *
dead_url (const char *path)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  return g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
}

static KilnModelRegistry *
new_registry (void)
{
  KilnModelRegistry *registry = kiln_model_registry_new (NULL);
  g_autofree char *ollama = dead_url ("");
  g_autofree char *local = dead_url ("/v1");

  kiln_model_registry_set_ollama_url (registry, ollama);
  kiln_model_registry_set_local_openai_url (registry, local);

  return registry;
}

static gboolean
load (KilnModelRegistry  *registry,
      GError            **error)
{
  Waiter waiter = { NULL };
  gboolean ok;

  kiln_model_registry_load_async (registry, NULL, store_result, &waiter);
  ok = kiln_model_registry_load_finish (registry, wait_for (&waiter), error);
  g_object_unref (waiter.result);

  return ok;
}

static void
write_file (const char *path,
            const char *text)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static char *
user_file_path (void)
{
  return g_build_filename (config_dir, "kiln", "models.json", NULL);
}

static KilnModelItem *
item_at (KilnModelRegistry *registry,
         guint              position)
{
  /* The registry keeps a reference; drop ours at once. */
  KilnModelItem *item = g_list_model_get_item (G_LIST_MODEL (registry), position);

  g_object_unref (item);
  return item;
}

static void
test_registry_builtin (void)
{
  g_autoptr(KilnModelRegistry) registry = new_registry ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autofree char *user_file = user_file_path ();
  KilnModelItem *item;

  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("ANTHROPIC_API_KEY");
  g_setenv ("GEMINI_API_KEY", "test-gemini", TRUE);
  g_remove (user_file);

  /* The default user file follows XDG_CONFIG_HOME. */
  g_assert_cmpstr (kiln_model_registry_get_user_file (registry), ==, user_file);
  g_assert_null (kiln_model_registry_get_override_file (registry));

  g_assert_true (load (registry, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kiln_model_registry_get_errors (registry)->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 8);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (registry)) == KILN_TYPE_MODEL_ITEM);

  model = kiln_model_registry_lookup (registry, "gpt-5-mini", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->model, ==, "gpt-5-mini");
  g_assert_null (kiln_model_registry_lookup (registry, "gpt-2", &error));
  g_assert_error (error, KILN_ERROR, KILN_ERROR_UNKNOWN_MODEL);
  g_assert_nonnull (strstr (error->message, "gpt-2"));

  item = kiln_model_registry_lookup_item (registry, "gpt-5");
  g_assert_false (kiln_model_item_get_available (item));
  g_assert_cmpstr (kiln_model_item_get_hint (item), ==,
                   "Set OPENAI_API_KEY or add the key in Preferences");
  g_assert_cmpstr (kiln_model_item_get_provider (item), ==, "OpenAI");

  item = kiln_model_registry_lookup_item (registry, "gemini-2.5-pro");
  g_assert_true (kiln_model_item_get_available (item));
  g_assert_null (kiln_model_item_get_hint (item));

  item = kiln_model_registry_lookup_item (registry, "codeqwen1.5-7b-endpoint");
  g_assert_false (kiln_model_item_get_available (item));
  g_assert_true (g_str_has_prefix (kiln_model_item_get_hint (item), "Set the endpoint URL in "));
  g_assert_true (g_str_has_suffix (kiln_model_item_get_hint (item), "kiln/models.json"));

  g_unsetenv ("GEMINI_API_KEY");
}

static void
test_registry_user_file (void)
{
  g_autoptr(KilnModelRegistry) registry = new_registry ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *user_file = user_file_path ();
  KilnModel *model;
  GError *entry_error;

  write_file (user_file,
              "{\"models\": ["
              " {\"id\": \"my-llama\", \"api\": \"llama\", \"base_url\": \"http://127.0.0.1:1\"},"
              " {\"id\": \"gpt-5\", \"label\": \"My GPT-5\", \"provider\": \"Work\","
              "  \"api\": \"openai\", \"base_url\": \"https://proxy.example/v1\","
              "  \"model\": \"gpt-5\", \"key_env\": \"WORK_KEY\"},"
              " {\"id\": \"mine\", \"api\": \"anthropic\", \"base_url\": \"https://a.example\","
              "  \"model\": \"claude-x\"}"
              "]}");

  g_assert_true (load (registry, &error));
  g_assert_no_error (error);

  /* The bad entry is reported, the others load. */
  g_assert_cmpuint (kiln_model_registry_get_errors (registry)->len, ==, 1);
  entry_error = g_ptr_array_index (kiln_model_registry_get_errors (registry), 0);
  g_assert_error (entry_error, KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY);
  g_assert_nonnull (strstr (entry_error->message, "entry 1 (“my-llama”): “api” must be one of"));
  g_assert_nonnull (strstr (entry_error->message, "kiln/models.json"));

  models = kiln_model_registry_dup_models (registry);
  g_assert_cmpuint (models->len, ==, 9);

  /* gpt-5 is replaced where it was; "mine" comes after the built-in ones. */
  model = g_ptr_array_index (models, 0);
  g_assert_cmpstr (model->id, ==, "gpt-5");
  g_assert_cmpstr (model->label, ==, "My GPT-5");
  g_assert_cmpstr (model->base_url, ==, "https://proxy.example/v1");
  g_assert_true (g_str_has_suffix (model->origin, "kiln/models.json"));
  model = g_ptr_array_index (models, 1);
  g_assert_cmpstr (model->id, ==, "gpt-5-mini");
  g_assert_cmpstr (model->origin, ==, "built-in");
  model = g_ptr_array_index (models, 8);
  g_assert_cmpstr (model->id, ==, "mine");
  g_assert_null (model->key_env);
  g_assert_true (kiln_model_item_get_available (item_at (registry, 8)));
  g_assert_cmpstr (kiln_model_item_get_hint (item_at (registry, 0)), ==,
                   "Set WORK_KEY or add the key in Preferences");

  g_remove (user_file);
}

static void
test_registry_override (void)
{
  g_autoptr(KilnModelRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user_file = user_file_path ();
  g_autofree char *override = g_build_filename (tmp_dir, "override.json", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.json", NULL);
  g_autofree char *ollama = dead_url ("");
  g_autofree char *local = dead_url ("/v1");

  write_file (user_file,
              "{\"models\": [{\"id\": \"mine\", \"api\": \"anthropic\","
              " \"base_url\": \"https://a.example\", \"model\": \"claude-x\"}]}");
  write_file (override,
              "{\"models\": [{\"id\": \"only\", \"api\": \"openai\","
              " \"base_url\": \"https://o.example/v1\", \"model\": \"o\"}]}");

  g_setenv ("KILN_MODELS_FILE", override, TRUE);
  g_setenv ("KILN_OLLAMA_URL", ollama, TRUE);
  g_setenv ("KILN_LOCAL_OPENAI_URL", local, TRUE);
  registry = kiln_model_registry_new (NULL);
  g_unsetenv ("KILN_MODELS_FILE");
  g_unsetenv ("KILN_OLLAMA_URL");
  g_unsetenv ("KILN_LOCAL_OPENAI_URL");

  g_assert_cmpstr (kiln_model_registry_get_override_file (registry), ==, override);
  g_assert_cmpstr (kiln_model_registry_get_ollama_url (registry), ==, ollama);
  g_assert_cmpstr (kiln_model_registry_get_local_openai_url (registry), ==, local);

  /* Neither the built-in models nor the user file. */
  g_assert_true (load (registry, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 1);
  g_assert_cmpstr (kiln_model_item_get_id (item_at (registry, 0)), ==, "only");

  /* An override file that cannot be read fails the load and empties the list. */
  kiln_model_registry_set_override_file (registry, missing);
  g_assert_false (load (registry, &error));
  g_assert_error (error, KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY);
  g_assert_nonnull (strstr (error->message, "missing.json"));
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 0);
  g_assert_cmpuint (kiln_model_registry_get_errors (registry)->len, ==, 1);

  /* Not JSON at all: the same, with the position. */
  write_file (override, "{\"models\": [\n  oops\n]}");
  kiln_model_registry_set_override_file (registry, override);
  g_assert_false (load (registry, &error));
  g_assert_error (error, KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY);
  g_assert_nonnull (strstr (error->message, "override.json:2:"));
  g_clear_error (&error);

  /* Back to built-in + user file. */
  kiln_model_registry_set_override_file (registry, NULL);
  g_assert_true (load (registry, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 9);

  g_remove (user_file);
}

/* --- discovery --- */

static void
serve_json (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  const char *body = user_data;

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                    body, strlen (body));
}

static guint16
start_server (SoupServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;
  guint16 port;

  soup_server_listen (server, address, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return port;
}

static void
count_items_changed (GListModel *list,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *count)
{
  (*count)++;
}

static void
count_changed (KilnModelRegistry *registry,
               guint             *count)
{
  (*count)++;
}

static void
test_discovery (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(KilnModelRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *override = g_build_filename (tmp_dir, "local.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *ollama_url = NULL;
  g_autofree char *local_url = NULL;
  g_autofree char *dead = dead_url ("");
  KilnModelItem *item;
  guint16 port;
  guint items_changed = 0;
  guint changed = 0;
  Waiter waiter = { NULL };

  soup_server_add_handler (server, "/api/tags", serve_json,
                           (gpointer) "{\"models\": [{\"name\": \"qwen2.5-coder:7b\", \"size\": 1},"
                           " {\"name\": \"llama3:latest\"}, {\"model\": \"no-name\"}]}", NULL);
  soup_server_add_handler (server, "/v1/models", serve_json,
                           (gpointer) "{\"object\": \"list\", \"data\": [{\"id\": \"my-gguf\","
                           " \"object\": \"model\"}]}", NULL);
  port = start_server (server);
  ollama_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  local_url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);

  text = g_strdup_printf ("{\"models\": ["
                          " {\"id\": \"q\", \"api\": \"ollama\", \"base_url\": \"%s\","
                          "  \"model\": \"qwen2.5-coder:7b\"},"
                          " {\"id\": \"l\", \"api\": \"ollama\", \"base_url\": \"%s\","
                          "  \"model\": \"llama3\"},"
                          " {\"id\": \"m\", \"api\": \"ollama\", \"base_url\": \"%s\","
                          "  \"model\": \"missing:7b\"},"
                          " {\"id\": \"down\", \"api\": \"ollama\", \"base_url\": \"%s\","
                          "  \"model\": \"x\"},"
                          " {\"id\": \"down-openai\", \"api\": \"openai\", \"base_url\": \"%s/v1\","
                          "  \"model\": \"x\"}"
                          "]}", ollama_url, ollama_url, ollama_url, dead, dead);
  write_file (override, text);

  registry = kiln_model_registry_new (NULL);
  g_object_set (registry,
                "override-file", override,
                "ollama-url", ollama_url,
                "local-openai-url", local_url,
                NULL);
  g_signal_connect (registry, "items-changed", G_CALLBACK (count_items_changed), &items_changed);
  g_signal_connect (registry, "changed", G_CALLBACK (count_changed), &changed);

  g_assert_true (load (registry, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (items_changed, ==, 2);   /* the files, then what discovery added */

  /* The configured ones are not listed twice; llama3 is llama3:latest. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 6);
  item = item_at (registry, 5);
  g_assert_cmpstr (kiln_model_item_get_id (item), ==, "local/my-gguf");
  g_assert_cmpstr (kiln_model_item_get_provider (item), ==, "Local server");
  g_assert_cmpstr (kiln_model_item_get_origin (item), ==, "discovered");
  g_assert_true (kiln_model_item_get_available (item));
  g_assert_cmpstr (kiln_model_item_get_model (item)->base_url, ==, local_url);
  g_assert_cmpint (kiln_model_item_get_model (item)->api, ==, KILN_API_OPENAI);

  g_assert_true (kiln_model_item_get_available (kiln_model_registry_lookup_item (registry, "q")));
  g_assert_true (kiln_model_item_get_available (kiln_model_registry_lookup_item (registry, "l")));
  item = kiln_model_registry_lookup_item (registry, "m");
  g_assert_false (kiln_model_item_get_available (item));
  g_assert_cmpstr (kiln_model_item_get_hint (item), ==, "Download the model: ollama pull missing:7b");
  item = kiln_model_registry_lookup_item (registry, "down");
  g_assert_cmpstr (kiln_model_item_get_hint (item), ==, "Start Ollama (ollama serve)");
  item = kiln_model_registry_lookup_item (registry, "down-openai");
  g_assert_true (g_str_has_prefix (kiln_model_item_get_hint (item), "Start the server at http://"));

  /* A refresh that finds the same models keeps the items. */
  item = item_at (registry, 5);
  kiln_model_registry_discover_async (registry, NULL, store_result, &waiter);
  g_assert_true (kiln_model_registry_discover_finish (registry, wait_for (&waiter), &error));
  g_clear_object (&waiter.result);
  g_assert_cmpuint (items_changed, ==, 2);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_true (item_at (registry, 5) == item);

  /* The server goes away: the discovered models go, the configured ones say why. */
  soup_server_disconnect (server);
  kiln_model_registry_discover_async (registry, NULL, store_result, &waiter);
  g_assert_true (kiln_model_registry_discover_finish (registry, wait_for (&waiter), &error));
  g_clear_object (&waiter.result);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 5);
  item = kiln_model_registry_lookup_item (registry, "q");
  g_assert_cmpstr (kiln_model_item_get_hint (item), ==, "Start Ollama (ollama serve)");
}

static void
test_discovery_nothing (void)
{
  g_autoptr(KilnModelRegistry) registry = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *override = g_build_filename (tmp_dir, "nothing.json", NULL);
  g_autofree char *hole_url = NULL;
  g_autofree char *text = NULL;
  Waiter waiter = { NULL };
  gint64 start;
  gint64 elapsed;
  KilnModelItem *item;

  /* Nothing listens: refused at once. */
  registry = new_registry ();
  write_file (override, "{\"models\": []}");
  kiln_model_registry_set_override_file (registry, override);
  start = g_get_monotonic_time ();
  g_assert_true (load (registry, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpint (elapsed, <, G_USEC_PER_SEC);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 0);

  /* A server that accepts but never answers: the probe gives up after 1.5 s. */
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  hole_url = g_strdup_printf ("http://127.0.0.1:%u",
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  text = g_strdup_printf ("{\"models\": [{\"id\": \"hole\", \"api\": \"ollama\","
                          " \"base_url\": \"%s\", \"model\": \"x\"}]}", hole_url);
  write_file (override, text);
  kiln_model_registry_set_ollama_url (registry, hole_url);

  start = g_get_monotonic_time ();
  kiln_model_registry_load_async (registry, NULL, store_result, &waiter);
  /* The list is there before the servers have answered. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), <=, 1);
  g_assert_true (kiln_model_registry_load_finish (registry, wait_for (&waiter), &error));
  g_clear_object (&waiter.result);
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpint (elapsed, >=, 1400 * 1000);
  g_assert_cmpint (elapsed, <, 3 * G_USEC_PER_SEC);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 1);
  item = item_at (registry, 0);
  g_assert_false (kiln_model_item_get_available (item));
  g_assert_cmpstr (kiln_model_item_get_hint (item), ==, "Start Ollama (ollama serve)");
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

  /* Before GLib caches the user directories. */
  tmp_dir = g_dir_make_tmp ("kiln-test-models-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  config_dir = g_build_filename (tmp_dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  g_unsetenv ("KILN_MODELS_FILE");
  g_unsetenv ("KILN_OLLAMA_URL");
  g_unsetenv ("KILN_LOCAL_OPENAI_URL");
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (entry_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/models/parse/entry/%s", entry_cases[i].name);

      g_test_add_data_func (path, &entry_cases[i], test_parse_entry);
    }
  for (guint i = 0; i < G_N_ELEMENTS (document_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/models/parse/document/%s",
                                               document_cases[i].name);

      g_test_add_data_func (path, &document_cases[i], test_parse_document);
    }
  g_test_add_func ("/models/parse/fields", test_parse_fields);
  g_test_add_func ("/models/parse/builtin", test_parse_builtin);
  g_test_add_func ("/models/parse/robust", test_parse_robust);
  g_test_add_func ("/models/registry/builtin", test_registry_builtin);
  g_test_add_func ("/models/registry/user-file", test_registry_user_file);
  g_test_add_func ("/models/registry/override", test_registry_override);
  g_test_add_func ("/models/discovery/servers", test_discovery);
  g_test_add_func ("/models/discovery/nothing", test_discovery_nothing);

  status = g_test_run ();

  remove_tree (tmp_dir);
  g_free (config_dir);
  g_free (tmp_dir);

  return status;
}

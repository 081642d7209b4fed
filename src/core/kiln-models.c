/* kiln-models.c: reading models.json
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "kiln-chat-template.h"
#include "kiln-error.h"
#include "kiln-models.h"

/* Bounds that catch typos (an extra zero) without getting in the way. */
#define MAX_TOKENS_LIMIT  10000000
#define MAX_RETRIES_LIMIT 10

typedef struct
{
  const char *origin;
  char       *entry;    /* "entry 3 (“my-llama”)", for messages */
  GPtrArray  *errors;
  gboolean    failed;
} EntryContext;

static void
entry_error (EntryContext *ctx,
             KilnError     code,
             const char   *field,
             const char   *problem)
{
  GError *error;

  if (field != NULL)
    /* Translators: file: entry: “field” problem, e.g.
     * ~/.config/kiln/models.json: entry 3 (“my-llama”): “api” must be one of … */
    error = g_error_new (KILN_ERROR, code, _("%s: %s: “%s” %s"),
                         ctx->origin, ctx->entry, field, problem);
  else
    error = g_error_new (KILN_ERROR, code, "%s: %s: %s", ctx->origin, ctx->entry, problem);

  g_ptr_array_add (ctx->errors, error);
  ctx->failed = TRUE;
}

/* Like g_set_str(), which is GLib 2.76. */
static void
set_string (char       **slot,
           const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*slot);
  *slot = copy;
}

static gboolean
is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* Returns TRUE when the field is absent or null (then *out is untouched) or a string. */
static gboolean
get_string (EntryContext  *ctx,
            JsonObject    *object,
            const char    *field,
            gboolean       required,
            const char   **out)
{
  JsonNode *node = json_object_get_member (object, field);

  if (is_null (node))
    {
      if (required)
        {
          entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, field, _("is missing"));
          return FALSE;
        }
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, field, _("must be a string"));
      return FALSE;
    }

  /* json-glib turns a lone "\uD800"–"\uDFFF" escape into bytes that are not UTF-8 */
  if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
    {
      entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, field, _("must be valid Unicode text"));
      return FALSE;
    }

  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
node_get_number (JsonNode *node,
                 double   *out)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return FALSE;

  return isfinite (*out);
}

/* Absent or null leaves *out untouched. */
static gboolean
get_integer (EntryContext *ctx,
             JsonObject   *object,
             const char   *field,
             gint64        max,
             gint64       *out)
{
  JsonNode *node = json_object_get_member (object, field);
  double value;

  if (is_null (node))
    return TRUE;

  if (!node_get_number (node, &value) || value != floor (value) || value < 0 || value > max)
    {
      g_autofree char *problem = NULL;

      /* Translators: the field name comes before, e.g. “max_tokens” must be … */
      problem = g_strdup_printf (_("must be a whole number from 0 to %" G_GINT64_FORMAT), max);
      entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, field, problem);
      return FALSE;
    }

  *out = (gint64) value;
  return TRUE;
}

/* Absent or null sets *out to -1 (unknown, or the server's default). */
static gboolean
get_number (EntryContext *ctx,
            JsonObject   *object,
            const char   *field,
            double        max,
            double       *out)
{
  JsonNode *node = json_object_get_member (object, field);
  double value;

  if (is_null (node))
    {
      *out = -1;
      return TRUE;
    }

  if (!node_get_number (node, &value) || value < 0 || value > max)
    {
      g_autofree char *problem = NULL;

      problem = g_strdup_printf (_("must be a number from 0 to %g, or null"), max);
      entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, field, problem);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

static gboolean
get_boolean (EntryContext *ctx,
             JsonObject   *object,
             const char   *field,
             gboolean     *out)
{
  JsonNode *node = json_object_get_member (object, field);

  if (is_null (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, field, _("must be true or false"));
      return FALSE;
    }

  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
is_env_name (const char *name)
{
  if (name[0] == '\0' || g_ascii_isdigit (name[0]))
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_')
        return FALSE;
    }

  return TRUE;
}

static void
check_base_url (EntryContext *ctx,
                KilnModel    *model,
                const char   *text)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *url = g_strdup (text);
  const char *scheme;
  gsize len = strlen (url);

  while (len > 0 && url[len - 1] == '/')
    url[--len] = '\0';

  /* Empty means "to fill in": the entry is listed, but not available. */
  if (len == 0)
    {
      set_string (&model->base_url, "");
      return;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL
      || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
      || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, "base_url",
                   _("must be an http:// or https:// URL, or empty"));
      return;
    }

  set_string (&model->base_url, url);

  if (g_strcmp0 (scheme, "http") == 0 && !model->allow_insecure && !kiln_model_is_local (model))
    entry_error (ctx, KILN_ERROR_INSECURE_URL, "base_url",
                 _("uses plain http:// to another machine, which would send your prompts and "
                   "key unencrypted: use https://, or add \"allow_insecure\": true to the entry "
                   "if the network is trusted"));
}

static KilnModel *
parse_entry (EntryContext *ctx,
             JsonObject   *object,
             const char   *id)
{
  g_autoptr(KilnModel) model = kiln_model_new ();
  const char *label = NULL;
  const char *provider = NULL;
  const char *api = NULL;
  const char *base_url = NULL;
  const char *name = NULL;
  const char *key_env = NULL;
  const char *chat_template = NULL;
  gint64 max_retries = model->max_retries;

  get_string (ctx, object, "label", FALSE, &label);
  get_string (ctx, object, "provider", FALSE, &provider);
  get_string (ctx, object, "model", FALSE, &name);
  get_string (ctx, object, "chat_template", FALSE, &chat_template);
  get_integer (ctx, object, "max_tokens", MAX_TOKENS_LIMIT, &model->max_tokens);
  get_number (ctx, object, "temperature", 2.0, &model->temperature);
  get_number (ctx, object, "price_in_per_mtok", 10000.0, &model->price_in_per_mtok);
  get_number (ctx, object, "price_out_per_mtok", 10000.0, &model->price_out_per_mtok);
  if (get_integer (ctx, object, "max_retries", MAX_RETRIES_LIMIT, &max_retries))
    model->max_retries = (guint) max_retries;
  get_boolean (ctx, object, "allow_insecure", &model->allow_insecure);

  if (get_string (ctx, object, "key_env", FALSE, &key_env) && key_env != NULL)
    {
      if (key_env[0] == '\0')
        key_env = NULL;  /* "" reads as "no key" */
      else if (!is_env_name (key_env))
        entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, "key_env",
                     _("must be the name of an environment variable, like OPENAI_API_KEY"));
    }

  if (get_string (ctx, object, "api", TRUE, &api)
      && !kiln_api_from_string (api, &model->api))
    {
      entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, "api",
                   _("must be one of openai, anthropic, tgi, ollama"));
      api = NULL;
    }

  if (get_string (ctx, object, "base_url", TRUE, &base_url))
    check_base_url (ctx, model, base_url);

  if (api != NULL)
    {
      /* A TGI server serves one model, so its name is optional there. */
      if (model->api != KILN_API_TGI && (name == NULL || name[0] == '\0'))
        entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, "model", _("is missing"));

      if (model->api == KILN_API_TGI)
        {
          if (chat_template == NULL)
            entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, "chat_template",
                         _("is needed for the tgi api (e.g. \"chatml\")"));
          else if (!kiln_chat_template_exists (chat_template))
            {
              g_autofree char *known = NULL;
              g_autofree char *problem = NULL;

              known = g_strjoinv (", ", (char **) kiln_chat_templates_list ());
              problem = g_strdup_printf (_("must be one of %s"), known);
              entry_error (ctx, KILN_ERROR_BAD_MODEL_ENTRY, "chat_template", problem);
            }
        }
    }

  if (ctx->failed)
    return NULL;

  set_string (&model->id, id);
  set_string (&model->label, label != NULL && label[0] != '\0' ? label : id);
  set_string (&model->provider, provider != NULL && provider[0] != '\0' ? provider : _("Other"));
  set_string (&model->model, name != NULL ? name : "");
  set_string (&model->key_env, key_env);
  set_string (&model->chat_template, model->api == KILN_API_TGI ? chat_template : NULL);
  set_string (&model->origin, ctx->origin);

  return g_steal_pointer (&model);
}

static GError *
document_error (const char   *origin,
                const GError *json_error)
{
  /* json-glib quotes the token it choked on, which may hold a lone surrogate's bytes */
  g_autofree char *message = g_utf8_make_valid (json_error->message, -1);
  const char *prefix = "<data>:";

  /* json-glib says "<data>:LINE:COLUMN: Parse error: …"; put the file name in its place. */
  if (g_str_has_prefix (message, prefix))
    {
      const char *p = message + strlen (prefix);
      char *end = NULL;
      guint64 line = g_ascii_strtoull (p, &end, 10);

      if (end != p && *end == ':')
        {
          guint64 column;

          p = end + 1;
          column = g_ascii_strtoull (p, &end, 10);
          if (end != p && *end == ':')
            {
              p = end + 1;
              while (*p == ' ')
                p++;
              if (g_str_has_prefix (p, "Parse error: "))
                p += strlen ("Parse error: ");
              /* Translators: file:line:column: not valid JSON: what json-glib said */
              return g_error_new (KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY,
                                  _("%s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT
                                    ": not valid JSON: %s"),
                                  origin, line, column, p);
            }
        }
    }

  return g_error_new (KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY, _("%s: not valid JSON: %s"),
                      origin, message);
}

gboolean
kiln_models_parse (const char *text,
                   gsize       length,
                   const char *origin,
                   GPtrArray  *models,
                   GPtrArray  *errors)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) json_error = NULL;
  g_autoptr(GHashTable) seen = NULL;
  JsonNode *root;
  JsonNode *list_node;
  JsonArray *list;
  guint n;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (origin != NULL, FALSE);
  g_return_val_if_fail (models != NULL, FALSE);
  g_return_val_if_fail (errors != NULL, FALSE);

  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_ptr_array_add (errors, g_error_new (KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY,
                                            _("%s: not valid JSON: the file is not UTF-8 text"),
                                            origin));
      return FALSE;
    }

  parser = json_parser_new_immutable ();
  if (length > G_MAXSSIZE
      || !json_parser_load_from_data (parser, text, (gssize) length, &json_error))
    {
      if (json_error == NULL)
        g_set_error_literal (&json_error, KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY, "too large");
      g_ptr_array_add (errors, document_error (origin, json_error));
      return FALSE;
    }

  root = json_parser_get_root (parser);
  list_node = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
    ? json_object_get_member (json_node_get_object (root), "models")
    : NULL;
  if (list_node == NULL || !JSON_NODE_HOLDS_ARRAY (list_node))
    {
      g_ptr_array_add (errors, g_error_new (KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY,
                                            _("%s: expected an object with a \"models\" list, "
                                              "like {\"models\": [{\"id\": …}]}"),
                                            origin));
      return FALSE;
    }

  list = json_node_get_array (list_node);
  n = json_array_get_length (list);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      EntryContext ctx = { origin, NULL, errors, FALSE };
      JsonObject *object = NULL;
      JsonNode *id_node = NULL;
      const char *id = NULL;
      gboolean id_valid;
      KilnModel *model;

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          object = json_node_get_object (node);
          id_node = json_object_get_member (object, "id");
          if (id_node != NULL && JSON_NODE_HOLDS_VALUE (id_node)
              && json_node_get_value_type (id_node) == G_TYPE_STRING)
            id = json_node_get_string (id_node);
        }
      id_valid = id == NULL || g_utf8_validate (id, -1, NULL);

      if (id != NULL && id[0] != '\0' && id_valid)
        /* Translators: how an entry of models.json is named in messages */
        ctx.entry = g_strdup_printf (_("entry %u (“%s”)"), i + 1, id);
      else
        ctx.entry = g_strdup_printf (_("entry %u"), i + 1);

      if (object == NULL)
        entry_error (&ctx, KILN_ERROR_BAD_MODEL_ENTRY, NULL, _("must be a JSON object"));
      else if (id == NULL || id[0] == '\0')
        entry_error (&ctx, KILN_ERROR_BAD_MODEL_ENTRY, "id",
                     is_null (id_node) ? _("is missing") : _("must be a non-empty string"));
      else if (!id_valid)
        entry_error (&ctx, KILN_ERROR_BAD_MODEL_ENTRY, "id", _("must be valid Unicode text"));
      else if (g_hash_table_contains (seen, id))
        entry_error (&ctx, KILN_ERROR_BAD_MODEL_ENTRY, "id",
                     _("is used by an earlier entry of the same file"));
      else if ((model = parse_entry (&ctx, object, id)) != NULL)
        {
          g_hash_table_add (seen, g_strdup (id));
          g_ptr_array_add (models, model);
        }

      g_free (ctx.entry);
    }

  return TRUE;
}

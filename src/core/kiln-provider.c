/* kiln-provider.c: per-provider requests and errors (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "kiln-chat-template.h"
#include "kiln-error.h"
#include "kiln-provider.h"

/* Anthropic requires max_tokens; used when the model entry sets none */
#define ANTHROPIC_DEFAULT_MAX_TOKENS 8192
/* TGI's own default is tiny (a few dozen tokens at most), far too short for a program */
#define TGI_DEFAULT_MAX_NEW_TOKENS 2048
#define ANTHROPIC_VERSION "2023-06-01"

/* How much of a server's message goes into ours, in characters */
#define DETAIL_MAX_CHARS 200

/* ---- Requests ---- */

void
kiln_provider_request_free (KilnProviderRequest *self)
{
  if (self == NULL)
    return;

  g_free (self->url);
  g_clear_pointer (&self->headers, g_ptr_array_unref);
  g_free (self->body);
  g_free (self);
}

static void
add_header (GPtrArray  *headers,
            const char *name,
            const char *value)
{
  g_ptr_array_add (headers, g_strdup (name));
  g_ptr_array_add (headers, g_strdup (value));
}

static void
add_bearer (GPtrArray  *headers,
            const char *api_key)
{
  g_autofree char *value = NULL;

  if (api_key == NULL || *api_key == '\0')
    return;

  value = g_strconcat ("Bearer ", api_key, NULL);
  add_header (headers, "Authorization", value);
}

static char *
base_url_without_slash (const char *base_url)
{
  char *url = g_strdup (base_url);
  gsize len = strlen (url);

  while (len > 0 && url[len - 1] == '/')
    url[--len] = '\0';

  return url;
}

/* OpenAI's newest models (o-series, GPT-5) refuse "max_tokens" and want
 * "max_completion_tokens"; the servers that copy OpenAI's API (vLLM, llama.cpp, LM Studio,
 * Groq, OpenRouter, ...) have known "max_tokens" far longer, and some of them still ignore
 * the newer name. So the newer name goes only to OpenAI itself. */
static gboolean
is_openai_itself (const char *base_url)
{
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL &&
         g_ascii_strcasecmp (g_uri_get_host (uri), "api.openai.com") == 0;
}

static void
add_chat_messages (JsonBuilder *builder,
                   GPtrArray   *messages,
                   gboolean     with_system)
{
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < messages->len; i++)
    {
      KilnChatMessage *message = g_ptr_array_index (messages, i);

      if (message->role == KILN_ROLE_SYSTEM && !with_system)
        continue;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, kiln_role_to_string (message->role));
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, message->content);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
build_openai (JsonBuilder     *builder,
              const KilnModel *model,
              GPtrArray       *messages)
{
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model->model);
  add_chat_messages (builder, messages, TRUE);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  /* the token counts come in a last chunk with empty "choices" */
  json_builder_set_member_name (builder, "stream_options");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_usage");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);

  if (model->max_tokens > 0)
    {
      json_builder_set_member_name (builder, is_openai_itself (model->base_url)
                                             ? "max_completion_tokens" : "max_tokens");
      json_builder_add_int_value (builder, model->max_tokens);
    }
  if (model->temperature >= 0)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, model->temperature);
    }
}

static void
build_anthropic (JsonBuilder     *builder,
                 const KilnModel *model,
                 GPtrArray       *messages)
{
  g_autoptr(GString) system = NULL;

  /* Anthropic takes the system prompt apart from the turns */
  for (guint i = 0; i < messages->len; i++)
    {
      KilnChatMessage *message = g_ptr_array_index (messages, i);

      if (message->role != KILN_ROLE_SYSTEM)
        continue;

      if (system == NULL)
        system = g_string_new (message->content);
      else
        g_string_append_printf (system, "\n\n%s", message->content);
    }

  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model->model);
  json_builder_set_member_name (builder, "max_tokens");
  json_builder_add_int_value (builder, model->max_tokens > 0 ? model->max_tokens
                                                             : ANTHROPIC_DEFAULT_MAX_TOKENS);
  if (system != NULL)
    {
      json_builder_set_member_name (builder, "system");
      json_builder_add_string_value (builder, system->str);
    }
  add_chat_messages (builder, messages, FALSE);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  if (model->temperature >= 0)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, model->temperature);
    }
}

static gboolean
build_tgi (JsonBuilder     *builder,
           const KilnModel *model,
           GPtrArray       *messages,
           GError         **error)
{
  g_autofree char *prompt = NULL;
  const char * const *stop;

  prompt = kiln_chat_template_render (model->chat_template, messages, error);
  if (prompt == NULL)
    return FALSE;
  stop = kiln_chat_template_stop_sequences (model->chat_template);

  json_builder_set_member_name (builder, "inputs");
  json_builder_add_string_value (builder, prompt);
  json_builder_set_member_name (builder, "parameters");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "max_new_tokens");
  json_builder_add_int_value (builder, model->max_tokens > 0 ? model->max_tokens
                                                             : TGI_DEFAULT_MAX_NEW_TOKENS);
  json_builder_set_member_name (builder, "stop");
  json_builder_begin_array (builder);
  for (guint i = 0; stop[i] != NULL; i++)
    json_builder_add_string_value (builder, stop[i]);
  json_builder_end_array (builder);
  /* older TGI versions refuse a temperature of 0 ("must be strictly positive"), and greedy
   * decoding is what TGI does without one */
  if (model->temperature > 0)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, model->temperature);
    }
  json_builder_set_member_name (builder, "details");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "return_full_text");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  return TRUE;
}

static void
build_ollama (JsonBuilder     *builder,
              const KilnModel *model,
              GPtrArray       *messages)
{
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model->model);
  add_chat_messages (builder, messages, TRUE);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);

  if (model->temperature >= 0 || model->max_tokens > 0)
    {
      json_builder_set_member_name (builder, "options");
      json_builder_begin_object (builder);
      if (model->temperature >= 0)
        {
          json_builder_set_member_name (builder, "temperature");
          json_builder_add_double_value (builder, model->temperature);
        }
      if (model->max_tokens > 0)
        {
          json_builder_set_member_name (builder, "num_predict");
          json_builder_add_int_value (builder, model->max_tokens);
        }
      json_builder_end_object (builder);
    }
}

KilnProviderRequest *
kiln_provider_request_new (const KilnModel *model,
                           GPtrArray       *messages,
                           const char      *api_key,
                           GError         **error)
{
  g_autoptr(KilnProviderRequest) request = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *base = NULL;
  const char *name;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (messages != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = model->id != NULL ? model->id : "?";

  if (model->base_url == NULL || *model->base_url == '\0')
    {
      g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                   _("The model “%s” has no server address"), name);
      return NULL;
    }
  if (model->api != KILN_API_TGI && (model->model == NULL || *model->model == '\0'))
    {
      g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                   _("The model “%s” has no model name to send to the server"), name);
      return NULL;
    }

  base = base_url_without_slash (model->base_url);
  request = g_new0 (KilnProviderRequest, 1);
  request->headers = g_ptr_array_new_with_free_func (g_free);
  builder = json_builder_new ();
  json_builder_begin_object (builder);

  switch (model->api)
    {
    case KILN_API_OPENAI:
      request->url = g_strconcat (base, "/chat/completions", NULL);
      add_bearer (request->headers, api_key);
      add_header (request->headers, "Content-Type", "application/json");
      add_header (request->headers, "Accept", "text/event-stream");
      build_openai (builder, model, messages);
      break;

    case KILN_API_ANTHROPIC:
      request->url = g_strconcat (base, "/v1/messages", NULL);
      if (api_key != NULL && *api_key != '\0')
        add_header (request->headers, "x-api-key", api_key);
      add_header (request->headers, "anthropic-version", ANTHROPIC_VERSION);
      add_header (request->headers, "Content-Type", "application/json");
      add_header (request->headers, "Accept", "text/event-stream");
      build_anthropic (builder, model, messages);
      break;

    case KILN_API_TGI:
      request->url = g_strconcat (base, "/generate_stream", NULL);
      add_bearer (request->headers, api_key);
      add_header (request->headers, "Content-Type", "application/json");
      add_header (request->headers, "Accept", "text/event-stream");
      if (!build_tgi (builder, model, messages, error))
        {
          g_prefix_error (error, _("Model “%s”: "), name);
          return NULL;
        }
      break;

    case KILN_API_OLLAMA:
      request->url = g_strconcat (base, "/api/chat", NULL);
      add_bearer (request->headers, api_key);
      add_header (request->headers, "Content-Type", "application/json");
      add_header (request->headers, "Accept", "application/x-ndjson");
      build_ollama (builder, model, messages);
      break;

    default:
      g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                   _("The model “%s” names an unknown API"), name);
      return NULL;
    }

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  request->body = json_generator_to_data (generator, NULL);

  return g_steal_pointer (&request);
}

/* ---- Errors ---- */

typedef struct
{
  char   *message;         /* the server's own words, not yet shortened */
  char   *type;            /* "overloaded_error", "invalid_request_error", "validation", ... */
  char   *code;            /* "context_length_exceeded", "invalid_api_key", ... */
  double  estimated_time;  /* Hugging Face "model is loading"; < 0: none */
} ServerError;

static void
server_error_clear (ServerError *info)
{
  g_free (info->message);
  g_free (info->type);
  g_free (info->code);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static void
take_message (ServerError *info,
              const char  *text)
{
  if (info->message == NULL && text != NULL && *text != '\0')
    info->message = g_strdup (text);
}

/* FastAPI's validation errors: "detail": [{"loc": [...], "msg": "...", "type": "..."}] */
static void
read_detail (ServerError *info,
             JsonNode    *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      take_message (info, json_node_get_string (node));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array) && info->message == NULL; i++)
        read_detail (info, json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      const char *msg = member_string (object, "msg");
      JsonNode *loc = json_object_get_member (object, "loc");

      /* "body.messages.0.content: Field required" */
      if (msg != NULL && loc != NULL && JSON_NODE_HOLDS_ARRAY (loc))
        {
          JsonArray *parts = json_node_get_array (loc);
          g_autoptr(GString) where = g_string_new (NULL);

          for (guint i = 0; i < json_array_get_length (parts); i++)
            {
              JsonNode *part = json_array_get_element (parts, i);

              if (!JSON_NODE_HOLDS_VALUE (part))
                continue;
              if (where->len > 0)
                g_string_append_c (where, '.');
              if (json_node_get_value_type (part) == G_TYPE_STRING)
                g_string_append (where, json_node_get_string (part));
              else if (json_node_get_value_type (part) == G_TYPE_INT64)
                g_string_append_printf (where, "%" G_GINT64_FORMAT, json_node_get_int (part));
            }
          if (where->len > 0)
            {
              g_autofree char *located = g_strdup_printf ("%s: %s", where->str, msg);

              take_message (info, located);
            }
        }
      take_message (info, msg);
      take_message (info, member_string (object, "message"));
    }
}

static void
read_error_object (ServerError *info,
                   JsonObject  *object,
                   guint        depth)
{
  JsonNode *node;
  const char *type;

  if (depth > 4)
    return;

  /* the nested error first: its message is the precise one */
  node = json_object_get_member (object, "error");
  if (node != NULL)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        read_error_object (info, json_node_get_object (node), depth + 1);
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        take_message (info, json_node_get_string (node));
    }

  take_message (info, member_string (object, "message"));
  node = json_object_get_member (object, "detail");
  if (node != NULL)
    read_detail (info, node);
  take_message (info, member_string (object, "msg"));

  /* Anthropic's outer {"type": "error"} says nothing */
  type = member_string (object, "type");
  if (type == NULL)
    type = member_string (object, "error_type");
  if (info->type == NULL && type != NULL && !g_str_equal (type, "error"))
    info->type = g_strdup (type);

  node = json_object_get_member (object, "code");
  if (info->code == NULL && node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        info->code = g_strdup (json_node_get_string (node));
      else if (json_node_get_value_type (node) == G_TYPE_INT64)
        info->code = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    }

  node = json_object_get_member (object, "estimated_time");
  if (info->estimated_time < 0 && node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      GType value_type = json_node_get_value_type (node);

      if (value_type == G_TYPE_DOUBLE || value_type == G_TYPE_INT64)
        info->estimated_time = json_node_get_double (node);
    }
}

static gboolean
read_json (ServerError  *info,
           const char   *text,
           char        **compact)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root == NULL)
    return FALSE;
  *compact = json_to_string (root, FALSE);

  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      read_error_object (info, json_node_get_object (root), 0);
    }
  else if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (element))
            read_error_object (info, json_node_get_object (element), 0);
          else
            read_detail (info, element);
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (root) && json_node_get_value_type (root) == G_TYPE_STRING)
    {
      take_message (info, json_node_get_string (root));
    }
  else
    {
      return FALSE;
    }

  return TRUE;
}

static gboolean
looks_like_html (const char *text)
{
  g_autofree char *head = NULL;

  while (g_ascii_isspace (*text))
    text++;
  if (*text != '<')
    return FALSE;

  head = g_ascii_strdown (text, MIN (strlen (text), 512));

  return g_str_has_prefix (head, "<!doctype") || strstr (head, "<html") != NULL ||
         strstr (head, "<head") != NULL || strstr (head, "<body") != NULL ||
         strstr (head, "<title") != NULL || strstr (head, "<h1") != NULL;
}

/* The text inside the first <@tag>…</@tag>, its own tags removed and the common entities
 * decoded; NULL when there is none. */
static char *
html_element_text (const char *html,
                   const char *tag)
{
  g_autofree char *lower = g_ascii_strdown (html, -1);
  g_autofree char *open = g_strconcat ("<", tag, NULL);
  g_autofree char *close = g_strconcat ("</", tag, NULL);
  static const struct
  {
    const char *entity;
    const char *text;
  } entities[] = {
    /* "&amp;" last, so that "&amp;lt;" stays "&lt;" */
    { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&#39;", "'" },
    { "&apos;", "'" }, { "&nbsp;", " " }, { "&amp;", "&" },
  };
  GString *text;
  char *result;
  const char *start;
  const char *end;
  gboolean in_tag = FALSE;

  start = strstr (lower, open);
  if (start == NULL)
    return NULL;
  start = strchr (start, '>');
  if (start == NULL)
    return NULL;
  start++;
  end = strstr (start, close);
  if (end == NULL)
    return NULL;

  text = g_string_new (NULL);
  for (const char *p = html + (start - lower); p < html + (end - lower); p++)
    {
      if (*p == '<')
        in_tag = TRUE;
      else if (*p == '>')
        in_tag = FALSE;
      else if (!in_tag)
        g_string_append_c (text, *p);
    }
  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    g_string_replace (text, entities[i].entity, entities[i].text, 0);

  result = g_strstrip (g_string_free (text, FALSE));
  if (*result == '\0')
    g_clear_pointer (&result, g_free);

  return result;
}

static gboolean
starts_with_key_prefix (const char *word)
{
  static const char * const prefixes[] = {
    "sk-", "sk_", "hf_", "gsk_", "xai-", "AIza", "r8_", "pplx-", "nvapi-", NULL,
  };

  for (guint i = 0; prefixes[i] != NULL; i++)
    {
      if (g_str_has_prefix (word, prefixes[i]))
        return TRUE;
    }

  return FALSE;
}

/* Servers echo keys back, whole or masked ("Incorrect API key provided: sk-proj-****abcd");
 * what follows one is never needed, so the message ends before it. */
static void
cut_at_key (GString *text)
{
  const char *p = text->str;

  while (*p != '\0')
    {
      const char *word;
      const char *word_end;
      gsize word_len;
      g_autofree char *bare = NULL;

      while (*p == ' ')
        p++;
      word = p;
      while (*p != '\0' && *p != ' ')
        p++;
      word_end = p;

      /* quotes and brackets around the key */
      while (word < word_end && strchr ("\"'`([{<", *word) != NULL)
        word++;
      word_len = word_end - word;
      if (word_len < 8)
        continue;

      bare = g_strndup (word, word_len);
      if (starts_with_key_prefix (bare) || strstr (bare, "***") != NULL)
        {
          gsize keep = word - text->str;

          while (keep > 0 && strchr (" :,;=\"'`([{<", text->str[keep - 1]) != NULL)
            keep--;
          /* "Bearer sk-…" */
          if (keep >= 6 && g_ascii_strncasecmp (text->str + keep - 6, "Bearer", 6) == 0)
            keep -= 6;
          while (keep > 0 && text->str[keep - 1] == ' ')
            keep--;
          g_string_truncate (text, keep);
          return;
        }
    }
}

/* One line of at most DETAIL_MAX_CHARS characters, without its final punctuation (our
 * sentences add their own period); NULL when nothing is left. */
static char *
shorten (const char *message)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *p = message;
  gboolean space = FALSE;

  while (*p != '\0' && g_ascii_isspace (*p))
    p++;

  /* the first line, with runs of white space and control characters made one space */
  for (; *p != '\0' && *p != '\n' && *p != '\r'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          space = TRUE;
          continue;
        }
      if (space && text->len > 0)
        g_string_append_c (text, ' ');
      space = FALSE;
      g_string_append_unichar (text, c);
    }

  cut_at_key (text);

  if (g_utf8_strlen (text->str, -1) > DETAIL_MAX_CHARS)
    {
      const char *cut = g_utf8_offset_to_pointer (text->str, DETAIL_MAX_CHARS - 1);

      g_string_truncate (text, cut - text->str);
      while (text->len > 0 && text->str[text->len - 1] == ' ')
        g_string_truncate (text, text->len - 1);
      g_string_append (text, "…");
    }

  while (text->len > 0 && strchr (" .:!", text->str[text->len - 1]) != NULL)
    g_string_truncate (text, text->len - 1);

  if (text->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
read_server_error (ServerError *info,
                   const char  *body,
                   gsize        body_length)
{
  g_autofree char *text = NULL;
  g_autofree char *compact = NULL;

  info->estimated_time = -1;

  if (body == NULL || body_length == 0)
    return NULL;

  /* servers do send broken UTF-8; this also turns NUL bytes into U+FFFD */
  text = g_utf8_make_valid (body, body_length);

  if (read_json (info, text, &compact))
    {
      /* JSON that holds no message: all of it, on one line */
      return shorten (info->message != NULL ? info->message : compact);
    }
  else if (looks_like_html (text))
    {
      g_autofree char *title = html_element_text (text, "title");
      g_autofree char *heading = title == NULL ? html_element_text (text, "h1") : NULL;
      const char *name = title != NULL ? title : heading;
      g_autofree char *short_name = name != NULL ? shorten (name) : NULL;

      if (short_name != NULL)
        return g_strdup_printf (_("the server answered with a web page, “%s”"), short_name);

      return g_strdup (_("the server answered with a web page"));
    }

  /* plain text: its first line */
  return shorten (text);
}

static gboolean
mentions_any (const char         *haystack,
              const char * const *needles)
{
  for (guint i = 0; needles[i] != NULL; i++)
    {
      if (strstr (haystack, needles[i]) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* Lower case. OpenAI "maximum context length", Anthropic "prompt is too long", TGI's
 * validation errors, vLLM, llama.cpp, Gemini, Hugging Face, Ollama. */
static const char * const too_large_phrases[] = {
  "context length",
  "context_length",
  "context window",
  "context size",
  "maximum context",
  "too long",
  "too many tokens",
  "too many input tokens",
  "maximum number of tokens",
  "reduce the length",
  "`inputs` tokens + `max_new_tokens` must be <=",
  "`inputs` must have less than",
  NULL,
};

/* Gemini (and its OpenAI endpoint) answers a bad key with 400 INVALID_ARGUMENT */
static const char * const bad_key_phrases[] = {
  "api key not valid",
  "api_key_invalid",
  "invalid api key",
  "incorrect api key",
  NULL,
};

static const char * const loading_phrases[] = {
  "loading",
  NULL,
};

static const char * const overloaded_phrases[] = {
  "overloaded",
  NULL,
};

GError *
kiln_provider_http_error (const char *provider_label,
                          guint       status,
                          const char *body,
                          gsize       body_length)
{
  ServerError info = { NULL, NULL, NULL, -1 };
  g_autofree char *detail = NULL;
  g_autofree char *valid_body = NULL;
  g_autofree char *haystack = NULL;
  g_autofree char *lower = NULL;
  const char *label = provider_label != NULL ? provider_label : _("The server");
  GError *error = NULL;

  detail = read_server_error (&info, body, body_length);

  /* what the classification looks at: the whole body, and the error's type and code */
  valid_body = body != NULL ? g_utf8_make_valid (body, body_length) : g_strdup ("");
  haystack = g_strjoin (" ", info.type != NULL ? info.type : "",
                        info.code != NULL ? info.code : "", valid_body, NULL);
  lower = g_utf8_strdown (haystack, -1);

  if (status == 401 || status == 403 || (status == 400 && mentions_any (lower, bad_key_phrases)))
    {
      if (detail != NULL)
        error = g_error_new (KILN_ERROR, KILN_ERROR_KEY_REJECTED,
                             _("%s rejected the API key (HTTP %u): %s. "
                               "Check the key in Preferences."),
                             label, status, detail);
      else
        error = g_error_new (KILN_ERROR, KILN_ERROR_KEY_REJECTED,
                             _("%s rejected the API key (HTTP %u). "
                               "Check the key in Preferences."),
                             label, status);
    }
  else if (status == 404)
    {
      if (detail != NULL)
        error = g_error_new (KILN_ERROR, KILN_ERROR_MODEL_NOT_FOUND,
                             _("%s has no such model or address (HTTP %u): %s. "
                               "Check the model name and the server address."),
                             label, status, detail);
      else
        error = g_error_new (KILN_ERROR, KILN_ERROR_MODEL_NOT_FOUND,
                             _("%s has no such model or address (HTTP %u). "
                               "Check the model name and the server address."),
                             label, status);
    }
  else if (status == 413 ||
           ((status == 400 || status == 422) &&
            (mentions_any (lower, too_large_phrases) ||
             g_strcmp0 (info.code, "context_length_exceeded") == 0 ||
             g_strcmp0 (info.type, "request_too_large") == 0)))
    {
      if (detail != NULL)
        error = g_error_new (KILN_ERROR, KILN_ERROR_REQUEST_TOO_LARGE,
                             _("%s refused the request as too large for the model "
                               "(HTTP %u): %s. Shorten the prompt or lower the answer’s "
                               "token limit."),
                             label, status, detail);
      else
        error = g_error_new (KILN_ERROR, KILN_ERROR_REQUEST_TOO_LARGE,
                             _("%s refused the request as too large for the model "
                               "(HTTP %u). Shorten the prompt or lower the answer’s "
                               "token limit."),
                             label, status);
    }
  else if (status == 429)
    {
      if (detail != NULL)
        error = g_error_new (KILN_ERROR, KILN_ERROR_RATE_LIMITED,
                             _("%s is limiting the rate of requests (HTTP %u): %s."),
                             label, status, detail);
      else
        error = g_error_new (KILN_ERROR, KILN_ERROR_RATE_LIMITED,
                             _("%s is limiting the rate of requests (HTTP %u)."),
                             label, status);
    }
  else if (status == 503 && (info.estimated_time >= 0 || mentions_any (lower, loading_phrases)))
    {
      if (info.estimated_time >= 0 && info.estimated_time < 24 * 3600)
        {
          int seconds = MAX (1, (int) ceil (info.estimated_time));

          error = g_error_new (KILN_ERROR, KILN_ERROR_MODEL_LOADING,
                               _("%s is loading the model (about %d s); try again shortly."),
                               label, seconds);
        }
      else
        {
          error = g_error_new (KILN_ERROR, KILN_ERROR_MODEL_LOADING,
                               _("%s is loading the model; try again shortly."), label);
        }
    }
  else if (status == 529 || g_strcmp0 (info.type, "overloaded_error") == 0 ||
           (status == 503 && mentions_any (lower, overloaded_phrases)))
    {
      if (detail != NULL)
        error = g_error_new (KILN_ERROR, KILN_ERROR_OVERLOADED,
                             _("%s is overloaded (HTTP %u): %s. Try again in a moment."),
                             label, status, detail);
      else
        error = g_error_new (KILN_ERROR, KILN_ERROR_OVERLOADED,
                             _("%s is overloaded (HTTP %u). Try again in a moment."),
                             label, status);
    }
  else if (status >= 400 && status < 500)
    {
      if (detail != NULL)
        error = g_error_new (KILN_ERROR, KILN_ERROR_BAD_REQUEST,
                             _("%s refused the request (HTTP %u): %s."),
                             label, status, detail);
      else
        error = g_error_new (KILN_ERROR, KILN_ERROR_BAD_REQUEST,
                             _("%s refused the request (HTTP %u)."), label, status);
    }
  else if (status >= 500 && status < 600)
    {
      if (detail != NULL)
        error = g_error_new (KILN_ERROR, KILN_ERROR_SERVER_ERROR,
                             _("%s had a server error (HTTP %u): %s."),
                             label, status, detail);
      else
        error = g_error_new (KILN_ERROR, KILN_ERROR_SERVER_ERROR,
                             _("%s had a server error (HTTP %u)."), label, status);
    }
  else
    {
      if (detail != NULL)
        error = g_error_new (KILN_ERROR, KILN_ERROR_BAD_RESPONSE,
                             _("%s answered with the unexpected HTTP status %u: %s."),
                             label, status, detail);
      else
        error = g_error_new (KILN_ERROR, KILN_ERROR_BAD_RESPONSE,
                             _("%s answered with the unexpected HTTP status %u."),
                             label, status);
    }

  server_error_clear (&info);

  return error;
}

gboolean
kiln_provider_status_is_retryable (guint status)
{
  return status == 408 || status == 409 || status == 429 || (status >= 500 && status <= 599);
}

/* A plain non-negative decimal number ("2", "1.5"); g_ascii_strtod alone would take "inf",
 * "nan", hex and signs. Returns -1 when @text is not one. */
static double
parse_plain_number (const char *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  gboolean seen_digit = FALSE;
  gboolean seen_point = FALSE;
  double value;

  for (const char *p = trimmed; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        seen_digit = TRUE;
      else if (*p == '.' && !seen_point)
        seen_point = TRUE;
      else
        return -1;
    }
  if (!seen_digit)
    return -1;

  value = g_ascii_strtod (trimmed, NULL);
  if (!isfinite (value) || value < 0)
    return -1;

  return value;
}

/* About 31 years: anything longer is nonsense, and would overflow on the way to ms */
#define RETRY_AFTER_MAX_MS ((gint64) 1000 * 1000 * 1000 * 1000)

static gint64
to_ms (double ms)
{
  if (ms > (double) RETRY_AFTER_MAX_MS)
    return -1;

  return (gint64) ceil (ms);
}

gint64
kiln_provider_parse_retry_after (const char *retry_after,
                                 const char *retry_after_ms,
                                 gint64      now_unix)
{
  /* OpenAI and Azure send the precise wait in milliseconds beside the rounded one */
  if (retry_after_ms != NULL)
    {
      double ms = parse_plain_number (retry_after_ms);

      if (ms >= 0)
        return to_ms (ms);
    }

  if (retry_after != NULL)
    {
      double seconds = parse_plain_number (retry_after);
      g_autoptr(GDateTime) date = NULL;
      gint64 wait;

      if (seconds >= 0)
        return to_ms (seconds * 1000);

      /* RFC 9110: an HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms) */
      date = soup_date_time_new_from_http_string (retry_after);
      if (date == NULL)
        return -1;

      wait = g_date_time_to_unix (date) - now_unix;
      if (wait <= 0)
        return 0;

      return to_ms ((double) wait * 1000);
    }

  return -1;
}

/* kiln-stream-event.c: decoding each provider's streaming wire format into KilnStreamEvents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "kiln-json-scan.h"
#include "kiln-stream-event-private.h"
#include "kiln-think-filter.h"

/* json-glib parses recursively: a hostile server could nest deep enough to overflow the
 * stack, so deeper documents are dropped before they reach the parser. */
#define MAX_JSON_DEPTH KILN_JSON_SCAN_MAX_DEPTH

/* The most strings one fast-path document hands out */
#define N_FAST_STRINGS 3

struct _KilnStreamDecoder
{
  KilnApi          api;
  JsonParser      *parser;
  KilnThinkFilter *think;
  gboolean         think_fed;     /* text went into @think since the last flush */
  gboolean         done;          /* DONE was emitted */
  GHashTable      *blocks;        /* anthropic: block index → block type */

  /* Reused from event to event */
  gboolean         fast_path;     /* try fast_decode_*() before json-glib */
  guint            fast_count;    /* documents the fast path took, for tests */
  GString         *fast_strings[N_FAST_STRINGS];
  GString         *answer;
  GString         *reasoning;
};

KilnStreamEvent *
kiln_stream_event_new (KilnStreamEventType  type,
                       const char          *text)
{
  KilnStreamEvent *self = g_new0 (KilnStreamEvent, 1);

  self->type = type;
  self->text = g_strdup (text);
  self->input_tokens = -1;
  self->output_tokens = -1;

  return self;
}

void
kiln_stream_event_free (KilnStreamEvent *self)
{
  if (self == NULL)
    return;

  g_free (self->text);
  g_free (self->error_type);
  g_free (self);
}

gboolean
kiln_stream_finish_reason_is_truncation (const char *reason)
{
  if (reason == NULL)
    return FALSE;

  /* openai, tgi, ollama: "length"; anthropic: "max_tokens", or
   * "model_context_window_exceeded" when the context filled up first; Gemini native:
   * "MAX_TOKENS" */
  return g_ascii_strcasecmp (reason, "length") == 0 ||
         g_ascii_strcasecmp (reason, "max_tokens") == 0 ||
         g_ascii_strcasecmp (reason, "model_context_window_exceeded") == 0;
}

gboolean
kiln_stream_finish_reason_is_refusal (const char *reason)
{
  if (reason == NULL)
    return FALSE;

  /* anthropic: "refusal" (its streaming classifiers stopped the answer); openai, Azure and
   * Gemini's OpenAI-compatible endpoint: "content_filter" */
  return g_ascii_strcasecmp (reason, "refusal") == 0 ||
         g_ascii_strcasecmp (reason, "content_filter") == 0;
}

/* --- JSON helpers: every lookup checks the type, servers send anything --- */

static gboolean
json_too_deep (const char *data,
               gsize       length)
{
  const char *end = data + length;
  gboolean in_string = FALSE;
  guint depth = 0;

  for (const char *p = data; p < end; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p + 1 < end)
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '[' || *p == '{')
        {
          if (++depth > MAX_JSON_DEPTH)
            return TRUE;
        }
      else if ((*p == ']' || *p == '}') && depth > 0)
        depth--;
    }

  return FALSE;
}

/* @data holds @length bytes and no NUL. */
static JsonObject *
parse_object (KilnStreamDecoder *self,
              const char        *data,
              gsize              length)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (json_too_deep (data, length))
    {
      g_debug ("stream decoder: JSON nested deeper than %d, ignored", MAX_JSON_DEPTH);
      return NULL;
    }

  if (!json_parser_load_from_data (self->parser, data, length, &error))
    {
      g_debug ("stream decoder: ignoring unreadable data: %s", error->message);
      return NULL;
    }

  root = json_parser_get_root (self->parser);
  if (root == NULL)
    return NULL;

  if (JSON_NODE_HOLDS_OBJECT (root))
    return json_node_get_object (root);

  /* Google's endpoints wrap errors in a one-element array: [{"error": {...}}] */
  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      if (json_array_get_length (array) == 1)
        {
          JsonNode *first = json_array_get_element (array, 0);

          if (JSON_NODE_HOLDS_OBJECT (first) &&
              json_object_has_member (json_node_get_object (first), "error"))
            return json_node_get_object (first);
        }
    }

  g_debug ("stream decoder: ignoring JSON that is not an object");
  return NULL;
}

static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  if (object == NULL)
    return NULL;
  return json_object_get_member (object, name);
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* -1 when missing or not a number. */
static gint64
get_int (JsonObject *object,
         const char *name)
{
  JsonNode *node = get_member (object, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return MAX (json_node_get_int (node), -1);
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      if (value >= 0 && value < (double) G_MAXINT64)
        return (gint64) value;
    }

  return -1;
}

static gboolean
get_bool (JsonObject *object,
          const char *name)
{
  JsonNode *node = get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
         json_node_get_boolean (node);
}

/* A string or an integer member as text ("code": 429 or "code": "rate_limit_exceeded"). */
static char *
get_code (JsonObject *object,
          const char *name)
{
  const char *text = get_string (object, name);
  JsonNode *node;

  if (text != NULL)
    return *text != '\0' ? g_strdup (text) : NULL;

  node = get_member (object, name);
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

  return NULL;
}

/* --- emitting --- */

static void
push (GPtrArray           *events,
      KilnStreamEventType  type,
      const char          *text,
      gssize               length)
{
  KilnStreamEvent *last = events->len > 0 ? g_ptr_array_index (events, events->len - 1) : NULL;
  KilnStreamEvent *event;
  g_autofree char *repaired = NULL;

  if (length < 0)
    length = strlen (text);

  /* The UI needs valid UTF-8, whatever the server sent. */
  if (!g_utf8_validate (text, length, NULL))
    {
      repaired = g_utf8_make_valid (text, length);
      text = repaired;
      length = strlen (repaired);
    }

  /* A delta right after one of the same kind extends it: the text is the same, and a
   * fast stream costs one event per read instead of one per server event. */
  if (last != NULL && last->type == type &&
      (type == KILN_STREAM_EVENT_TEXT || type == KILN_STREAM_EVENT_REASONING ||
       type == KILN_STREAM_EVENT_REFUSAL))
    {
      gsize old_length = strlen (last->text);

      last->text = g_realloc (last->text, old_length + length + 1);
      memcpy (last->text + old_length, text, length);
      last->text[old_length + length] = '\0';
      return;
    }

  event = kiln_stream_event_new (type, NULL);
  event->text = g_strndup (text, length);
  g_ptr_array_add (events, event);
}

static void
push_strings (GPtrArray *events,
              GString   *answer,
              GString   *reasoning)
{
  if (reasoning->len > 0)
    push (events, KILN_STREAM_EVENT_REASONING, reasoning->str, reasoning->len);
  if (answer->len > 0)
    push (events, KILN_STREAM_EVENT_TEXT, answer->str, answer->len);
}

/* Answer text from any api: <think>…</think> inside it becomes reasoning. */
static void
emit_content (KilnStreamDecoder *self,
              const char        *text,
              GPtrArray         *events)
{
  if (text == NULL || *text == '\0')
    return;

  g_string_truncate (self->answer, 0);
  g_string_truncate (self->reasoning, 0);
  kiln_think_filter_feed (self->think, text, self->answer, self->reasoning);
  self->think_fed = TRUE;
  push_strings (events, self->answer, self->reasoning);
}

static void
emit_reasoning (const char *text,
                GPtrArray  *events)
{
  if (text != NULL && *text != '\0')
    push (events, KILN_STREAM_EVENT_REASONING, text, -1);
}

/* Refusal text is its own channel, like reasoning: it never goes through the think filter. */
static void
emit_refusal (const char *text,
              GPtrArray  *events)
{
  if (text != NULL && *text != '\0')
    push (events, KILN_STREAM_EVENT_REFUSAL, text, -1);
}

/* Releases text the filter holds back, so every delta lands before FINISH/ERROR/DONE. */
static void
flush_content (KilnStreamDecoder *self,
               GPtrArray         *events)
{
  if (!self->think_fed)
    return;

  g_string_truncate (self->answer, 0);
  g_string_truncate (self->reasoning, 0);
  /* the filter starts over after finish, in case a (misbehaving) server goes on */
  kiln_think_filter_finish (self->think, self->answer, self->reasoning);
  push_strings (events, self->answer, self->reasoning);
  self->think_fed = FALSE;
}

static void
emit_finish (KilnStreamDecoder *self,
             const char        *reason,
             GPtrArray         *events)
{
  if (reason == NULL || *reason == '\0')
    return;

  flush_content (self, events);
  push (events, KILN_STREAM_EVENT_FINISH, reason, -1);
}

static void
emit_usage (gint64     input_tokens,
            gint64     output_tokens,
            GPtrArray *events)
{
  KilnStreamEvent *event;

  if (input_tokens < 0 && output_tokens < 0)
    return;

  event = kiln_stream_event_new (KILN_STREAM_EVENT_USAGE, NULL);
  event->input_tokens = input_tokens;
  event->output_tokens = output_tokens;
  g_ptr_array_add (events, event);
}

static void
emit_error (KilnStreamDecoder *self,
            const char        *message,
            const char        *error_type,
            GPtrArray         *events)
{
  KilnStreamEvent *event;

  flush_content (self, events);

  if (message == NULL || *message == '\0')
    message = error_type != NULL ? error_type : "unknown error";

  push (events, KILN_STREAM_EVENT_ERROR, message, -1);
  event = g_ptr_array_index (events, events->len - 1);
  if (error_type != NULL && *error_type != '\0' && g_utf8_validate (error_type, -1, NULL))
    event->error_type = g_strdup (error_type);
}

static void
emit_done (KilnStreamDecoder *self,
           GPtrArray         *events)
{
  flush_content (self, events);

  if (self->done)
    return;

  self->done = TRUE;
  g_ptr_array_add (events, kiln_stream_event_new (KILN_STREAM_EVENT_DONE, NULL));
}

/* {"error": "text", "error_type": "…"} (tgi, ollama, llama.cpp) or
 * {"error": {"message": "…", "type"|"code"|"status": …}} (OpenAI, OpenRouter, Google).
 * Returns FALSE when @root holds no error. */
static gboolean
decode_error (KilnStreamDecoder *self,
              JsonObject        *root,
              GPtrArray         *events)
{
  JsonNode *node = get_member (root, "error");
  g_autofree char *error_type = NULL;
  g_autofree char *dumped = NULL;
  const char *message = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *error = json_node_get_object (node);

      message = get_string (error, "message");
      error_type = get_code (error, "type");
      if (error_type == NULL)
        error_type = get_code (error, "code");
      if (error_type == NULL)
        error_type = get_code (error, "status");
      if (message == NULL)
        message = dumped = json_to_string (node, FALSE);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      message = json_node_get_string (node);
      error_type = get_code (root, "error_type");
    }
  else
    {
      /* "error": false / 0 / [] — not an error report */
      return FALSE;
    }

  emit_error (self, message, error_type, events);
  return TRUE;
}

/* --- the fast path: the common delta events, read without building a tree ---
 *
 * Each fast_decode_*() takes a document only when it has exactly the shape of an everyday
 * delta: every member of the objects it reads must be one it knows (read, or known to be
 * ignored by the decode_*() below), with the types it expects. Anything else returns FALSE
 * and goes to json-glib, so the fast path can only ever give the events the slow one gives;
 * the stream-decoder tests compare both on fixtures and on mutated documents. */

/* Sets up @out for @n paths: the first @n_strings are unescaped (if they are strings). */
static void
fast_values_init (KilnStreamDecoder *self,
                  KilnJsonValue     *out,
                  guint              n,
                  guint              n_strings)
{
  g_assert (n_strings <= N_FAST_STRINGS);

  memset (out, 0, n * sizeof *out);
  for (guint i = 0; i < n_strings; i++)
    {
      g_string_truncate (self->fast_strings[i], 0);
      out[i].string = self->fast_strings[i];
    }
}

/* Text as the slow path's get_string() would see it: absent and null give NULL. FALSE for
 * any other type, and for a string holding a NUL (json-glib's copy would stop there). */
static gboolean
fast_text (const KilnJsonValue  *value,
           const char          **text)
{
  *text = NULL;

  if (value->type == KILN_JSON_NONE || value->type == KILN_JSON_NULL)
    return TRUE;

  if (value->type != KILN_JSON_STRING || value->string == NULL ||
      memchr (value->string->str, '\0', value->string->len) != NULL)
    return FALSE;

  *text = value->string->str;
  return TRUE;
}

static gboolean
fast_is_null (const KilnJsonValue *value)
{
  return value->type == KILN_JSON_NONE || value->type == KILN_JSON_NULL;
}

/* A string written exactly as @quoted (quotes included, no escapes). */
static gboolean
fast_raw_is (const KilnJsonValue *value,
             const char          *quoted)
{
  gsize length = strlen (quoted);

  return value->type == KILN_JSON_STRING && value->raw_length == length &&
         memcmp (value->raw, quoted, length) == 0;
}

enum
{
  OPENAI_CONTENT,            /* the strings first, see fast_values_init () */
  OPENAI_REASONING_CONTENT,
  OPENAI_REASONING,
  OPENAI_CHOICES,
  OPENAI_CHOICE,
  OPENAI_DELTA,
  OPENAI_FINISH_REASON,      /* only the common null takes the fast path */
  OPENAI_USAGE,
  OPENAI_ERROR,
  OPENAI_REFUSAL,            /* only the common null takes the fast path */
  N_OPENAI_SLOTS
};

/* What decode_openai() reads (a slot), and what it does not read at all (-1) */
static const KilnJsonField openai_delta[] = {
  KILN_JSON_FIELD ("content", OPENAI_CONTENT, NULL),
  KILN_JSON_FIELD ("reasoning_content", OPENAI_REASONING_CONTENT, NULL),
  KILN_JSON_FIELD ("reasoning", OPENAI_REASONING, NULL),
  KILN_JSON_FIELD ("role", -1, NULL),
  KILN_JSON_FIELD ("refusal", OPENAI_REFUSAL, NULL),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField openai_choice[] = {
  KILN_JSON_FIELD ("delta", OPENAI_DELTA, openai_delta),
  KILN_JSON_FIELD ("finish_reason", OPENAI_FINISH_REASON, NULL),
  KILN_JSON_FIELD ("index", -1, NULL),
  KILN_JSON_FIELD ("logprobs", -1, NULL),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField openai_choices[] = {
  KILN_JSON_FIELD ("0", OPENAI_CHOICE, openai_choice),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField openai_chunk[] = {
  KILN_JSON_FIELD ("choices", OPENAI_CHOICES, openai_choices),
  KILN_JSON_FIELD ("usage", OPENAI_USAGE, NULL),
  KILN_JSON_FIELD ("error", OPENAI_ERROR, NULL),
  KILN_JSON_FIELD ("id", -1, NULL),
  KILN_JSON_FIELD ("object", -1, NULL),
  KILN_JSON_FIELD ("created", -1, NULL),
  KILN_JSON_FIELD ("model", -1, NULL),
  KILN_JSON_FIELD ("system_fingerprint", -1, NULL),
  KILN_JSON_FIELD ("service_tier", -1, NULL),
  KILN_JSON_FIELD ("obfuscation", -1, NULL),
  KILN_JSON_FIELDS_END
};

static gboolean
fast_decode_openai (KilnStreamDecoder *self,
                    const char        *data,
                    gsize              length,
                    GPtrArray         *events)
{
  KilnJsonValue out[N_OPENAI_SLOTS];
  const char *content;
  const char *reasoning_content;
  const char *reasoning;

  fast_values_init (self, out, G_N_ELEMENTS (out), 3);
  if (kiln_json_scan (data, length, openai_chunk, out, G_N_ELEMENTS (out)) !=
      KILN_JSON_SCAN_OK)
    return FALSE;

  if (!fast_is_null (&out[OPENAI_ERROR]) || !fast_is_null (&out[OPENAI_USAGE]) ||
      !fast_is_null (&out[OPENAI_FINISH_REASON]) || !fast_is_null (&out[OPENAI_REFUSAL]) ||
      out[OPENAI_CHOICES].type != KILN_JSON_ARRAY ||
      out[OPENAI_CHOICE].type != KILN_JSON_OBJECT ||
      out[OPENAI_DELTA].type != KILN_JSON_OBJECT ||
      !fast_text (&out[OPENAI_CONTENT], &content) ||
      !fast_text (&out[OPENAI_REASONING_CONTENT], &reasoning_content) ||
      !fast_text (&out[OPENAI_REASONING], &reasoning))
    return FALSE;

  /* as decode_openai() does it */
  if (reasoning_content != NULL && *reasoning_content != '\0')
    reasoning = reasoning_content;
  emit_reasoning (reasoning, events);
  emit_content (self, content, events);

  return TRUE;
}

enum
{
  ANTHROPIC_TEXT,
  ANTHROPIC_THINKING,
  ANTHROPIC_TYPE,
  ANTHROPIC_DELTA,
  ANTHROPIC_DELTA_TYPE,
  N_ANTHROPIC_SLOTS
};

static const KilnJsonField anthropic_delta[] = {
  KILN_JSON_FIELD ("type", ANTHROPIC_DELTA_TYPE, NULL),
  KILN_JSON_FIELD ("text", ANTHROPIC_TEXT, NULL),
  KILN_JSON_FIELD ("thinking", ANTHROPIC_THINKING, NULL),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField anthropic_event[] = {
  KILN_JSON_FIELD ("type", ANTHROPIC_TYPE, NULL),
  KILN_JSON_FIELD ("index", -1, NULL),   /* read only for a delta without a type */
  KILN_JSON_FIELD ("delta", ANTHROPIC_DELTA, anthropic_delta),
  KILN_JSON_FIELDS_END
};

static gboolean
fast_decode_anthropic (KilnStreamDecoder *self,
                       const char        *data,
                       gsize              length,
                       GPtrArray         *events)
{
  KilnJsonValue out[N_ANTHROPIC_SLOTS];
  const char *text;
  const char *thinking;

  fast_values_init (self, out, G_N_ELEMENTS (out), 2);
  if (kiln_json_scan (data, length, anthropic_event, out, G_N_ELEMENTS (out)) !=
      KILN_JSON_SCAN_OK)
    return FALSE;

  if (!fast_raw_is (&out[ANTHROPIC_TYPE], "\"content_block_delta\"") ||
      out[ANTHROPIC_DELTA].type != KILN_JSON_OBJECT ||
      !fast_text (&out[ANTHROPIC_TEXT], &text) ||
      !fast_text (&out[ANTHROPIC_THINKING], &thinking))
    return FALSE;

  if (fast_raw_is (&out[ANTHROPIC_DELTA_TYPE], "\"text_delta\""))
    emit_content (self, text, events);
  else if (fast_raw_is (&out[ANTHROPIC_DELTA_TYPE], "\"thinking_delta\""))
    emit_reasoning (thinking, events);
  else
    return FALSE;

  return TRUE;
}

enum
{
  TGI_TEXT,
  TGI_TOKEN,
  TGI_SPECIAL,
  TGI_GENERATED_TEXT,
  TGI_ERROR,
  N_TGI_SLOTS
};

static const KilnJsonField tgi_token[] = {
  KILN_JSON_FIELD ("text", TGI_TEXT, NULL),
  KILN_JSON_FIELD ("special", TGI_SPECIAL, NULL),
  KILN_JSON_FIELD ("id", -1, NULL),
  KILN_JSON_FIELD ("logprob", -1, NULL),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField tgi_event[] = {
  KILN_JSON_FIELD ("token", TGI_TOKEN, tgi_token),
  KILN_JSON_FIELD ("generated_text", TGI_GENERATED_TEXT, NULL),
  KILN_JSON_FIELD ("error", TGI_ERROR, NULL),
  KILN_JSON_FIELD ("index", -1, NULL),
  KILN_JSON_FIELD ("details", -1, NULL),   /* read only beside generated_text */
  KILN_JSON_FIELD ("top_tokens", -1, NULL),
  KILN_JSON_FIELDS_END
};

static gboolean
fast_decode_tgi (KilnStreamDecoder *self,
                 const char        *data,
                 gsize              length,
                 GPtrArray         *events)
{
  KilnJsonValue out[N_TGI_SLOTS];
  const char *text;

  fast_values_init (self, out, G_N_ELEMENTS (out), 1);
  if (kiln_json_scan (data, length, tgi_event, out, G_N_ELEMENTS (out)) != KILN_JSON_SCAN_OK)
    return FALSE;

  if (!fast_is_null (&out[TGI_ERROR]) || !fast_is_null (&out[TGI_GENERATED_TEXT]) ||
      out[TGI_TOKEN].type != KILN_JSON_OBJECT ||
      (out[TGI_SPECIAL].type != KILN_JSON_FALSE && out[TGI_SPECIAL].type != KILN_JSON_TRUE) ||
      !fast_text (&out[TGI_TEXT], &text))
    return FALSE;

  if (out[TGI_SPECIAL].type == KILN_JSON_FALSE)
    emit_content (self, text, events);

  return TRUE;
}

enum
{
  OLLAMA_CONTENT,
  OLLAMA_THINKING,
  OLLAMA_MESSAGE,
  OLLAMA_DONE,
  OLLAMA_ERROR,
  N_OLLAMA_SLOTS
};

static const KilnJsonField ollama_message[] = {
  KILN_JSON_FIELD ("content", OLLAMA_CONTENT, NULL),
  KILN_JSON_FIELD ("thinking", OLLAMA_THINKING, NULL),
  KILN_JSON_FIELD ("role", -1, NULL),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField ollama_line[] = {
  KILN_JSON_FIELD ("message", OLLAMA_MESSAGE, ollama_message),
  KILN_JSON_FIELD ("done", OLLAMA_DONE, NULL),
  KILN_JSON_FIELD ("error", OLLAMA_ERROR, NULL),
  KILN_JSON_FIELD ("model", -1, NULL),
  KILN_JSON_FIELD ("created_at", -1, NULL),
  KILN_JSON_FIELDS_END
};

static gboolean
fast_decode_ollama (KilnStreamDecoder *self,
                    const char        *data,
                    gsize              length,
                    GPtrArray         *events)
{
  KilnJsonValue out[N_OLLAMA_SLOTS];
  const char *content;
  const char *thinking;

  fast_values_init (self, out, G_N_ELEMENTS (out), 2);
  if (kiln_json_scan (data, length, ollama_line, out, G_N_ELEMENTS (out)) !=
      KILN_JSON_SCAN_OK)
    return FALSE;

  if (!fast_is_null (&out[OLLAMA_ERROR]) || out[OLLAMA_DONE].type != KILN_JSON_FALSE ||
      out[OLLAMA_MESSAGE].type != KILN_JSON_OBJECT ||
      !fast_text (&out[OLLAMA_CONTENT], &content) ||
      !fast_text (&out[OLLAMA_THINKING], &thinking))
    return FALSE;

  emit_reasoning (thinking, events);
  emit_content (self, content, events);

  return TRUE;
}

/* What g_strstrip() would leave of @data, without a copy. */
static const char *
strip_range (const char *data,
             gsize      *length)
{
  const char *end = data + strlen (data);

  while (g_ascii_isspace (*data))
    data++;
  while (end > data && g_ascii_isspace (end[-1]))
    end--;

  *length = end - data;
  return data;
}

static gboolean
is_done_marker (const char *data,
                gsize       length)
{
  return length == 6 && memcmp (data, "[DONE]", 6) == 0;
}

/* --- openai: chat.completion.chunk --- */

/* Mistral's thinking part: "thinking" holds text parts (reference parts are skipped); a
 * plain string is read too. Thinking is never answer text, so no think filter here. */
static void
decode_thinking_part (JsonObject *part,
                      GPtrArray  *events)
{
  JsonNode *thinking = get_member (part, "thinking");
  JsonArray *pieces;
  guint n;

  if (thinking == NULL)
    return;

  if (JSON_NODE_HOLDS_VALUE (thinking) && json_node_get_value_type (thinking) == G_TYPE_STRING)
    {
      emit_reasoning (json_node_get_string (thinking), events);
      return;
    }

  if (!JSON_NODE_HOLDS_ARRAY (thinking))
    return;

  pieces = json_node_get_array (thinking);
  n = json_array_get_length (pieces);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *piece = json_array_get_element (pieces, i);
      JsonObject *object;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (piece))
        continue;

      object = json_node_get_object (piece);
      type = get_string (object, "type");
      if (type == NULL || g_str_equal (type, "text"))
        emit_reasoning (get_string (object, "text"), events);
    }
}

static void
decode_openai_content (KilnStreamDecoder *self,
                       JsonNode          *content,
                       GPtrArray         *events)
{
  if (content == NULL || JSON_NODE_HOLDS_NULL (content))
    return;

  if (JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
    {
      emit_content (self, json_node_get_string (content), events);
      return;
    }

  /* Mistral sends content as parts: [{"type": "text", "text": "…"}], and its reasoning
   * models (Magistral) their thinking as [{"type": "thinking", "thinking": [{"type": "text",
   * "text": "…"}]}]. A refusal part is OpenAI's shape for refused content. */
  if (JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *parts = json_node_get_array (content);
      guint n = json_array_get_length (parts);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *part = json_array_get_element (parts, i);
          JsonObject *object;
          const char *type;

          if (!JSON_NODE_HOLDS_OBJECT (part))
            continue;

          object = json_node_get_object (part);
          type = get_string (object, "type");
          if (type == NULL || g_str_equal (type, "text"))
            emit_content (self, get_string (object, "text"), events);
          else if (g_str_equal (type, "thinking"))
            decode_thinking_part (object, events);
          else if (g_str_equal (type, "refusal"))
            emit_refusal (get_string (object, "refusal"), events);
          /* image_url, reference, …: nothing to show */
        }
    }
}

static void
decode_openai (KilnStreamDecoder *self,
               const char        *event,
               const char        *data,
               GPtrArray         *events)
{
  gsize length;
  const char *trimmed = strip_range (data, &length);
  JsonObject *root;
  JsonArray *choices;
  JsonObject *usage;

  if (is_done_marker (trimmed, length))
    {
      emit_done (self, events);
      return;
    }

  if (self->fast_path && fast_decode_openai (self, trimmed, length, events))
    {
      self->fast_count++;
      return;
    }

  if ((root = parse_object (self, trimmed, length)) == NULL)
    return;

  /* An error after the 200 status line. OpenRouter keeps "choices" beside it (with
   * finish_reason "error"), so the chunk is read on. */
  decode_error (self, root, events);

  choices = get_array (root, "choices");
  if (choices != NULL && json_array_get_length (choices) > 0)
    {
      JsonNode *first = json_array_get_element (choices, 0);
      JsonObject *choice = JSON_NODE_HOLDS_OBJECT (first) ? json_node_get_object (first) : NULL;
      JsonObject *delta = get_object (choice, "delta");
      const char *reasoning;

      /* DeepSeek and older vLLM name it reasoning_content; OpenRouter, Ollama's /v1 and
       * newer vLLM name it reasoning. Some send both with the same text: take one. */
      reasoning = get_string (delta, "reasoning_content");
      if (reasoning == NULL || *reasoning == '\0')
        reasoning = get_string (delta, "reasoning");
      emit_reasoning (reasoning, events);

      /* Structured outputs: a refused answer streams its reason here, content null */
      emit_refusal (get_string (delta, "refusal"), events);

      decode_openai_content (self, get_member (delta, "content"), events);
      emit_finish (self, get_string (choice, "finish_reason"), events);
    }

  /* The include_usage chunk ("choices": []), or every chunk with Gemini's endpoint. */
  usage = get_object (root, "usage");
  if (usage != NULL)
    emit_usage (get_int (usage, "prompt_tokens"), get_int (usage, "completion_tokens"), events);
}

/* --- anthropic: named events of the Messages API --- */

static void
decode_anthropic (KilnStreamDecoder *self,
                  const char        *event,
                  const char        *data,
                  GPtrArray         *events)
{
  gsize length = strlen (data);
  JsonObject *root;
  const char *type;

  if (self->fast_path && fast_decode_anthropic (self, data, length, events))
    {
      self->fast_count++;
      return;
    }

  if ((root = parse_object (self, data, length)) == NULL)
    return;

  /* The SSE event name and the data's "type" agree, but proxies drop or rename the
   * event line: the data is the one to trust. */
  type = get_string (root, "type");
  if (type == NULL && event != NULL && *event != '\0')
    type = event;
  if (type == NULL)
    {
      decode_error (self, root, events);
      return;
    }

  if (g_str_equal (type, "content_block_delta"))
    {
      JsonObject *delta = get_object (root, "delta");
      const char *delta_type = get_string (delta, "type");

      if (delta_type == NULL)
        {
          /* unknown shape: fall back on what the block said it was */
          gint64 index = get_int (root, "index");
          delta_type = g_hash_table_lookup (self->blocks, GINT_TO_POINTER ((int) index));
          delta_type = g_strcmp0 (delta_type, "thinking") == 0 ? "thinking_delta" :
                       g_strcmp0 (delta_type, "text") == 0 ? "text_delta" : NULL;
        }

      if (g_strcmp0 (delta_type, "text_delta") == 0)
        emit_content (self, get_string (delta, "text"), events);
      else if (g_strcmp0 (delta_type, "thinking_delta") == 0)
        emit_reasoning (get_string (delta, "thinking"), events);
      /* signature_delta, input_json_delta, citations_delta: nothing to show */
    }
  else if (g_str_equal (type, "content_block_start"))
    {
      JsonObject *block = get_object (root, "content_block");
      const char *block_type = get_string (block, "type");
      gint64 index = get_int (root, "index");

      if (block_type != NULL && index >= 0 && index <= G_MAXINT)
        g_hash_table_insert (self->blocks, GINT_TO_POINTER ((int) index), g_strdup (block_type));

      /* the start block carries empty text in practice, but it is a text field */
      if (g_strcmp0 (block_type, "text") == 0)
        emit_content (self, get_string (block, "text"), events);
      else if (g_strcmp0 (block_type, "thinking") == 0)
        emit_reasoning (get_string (block, "thinking"), events);
    }
  else if (g_str_equal (type, "content_block_stop"))
    {
      gint64 index = get_int (root, "index");

      if (index >= 0 && index <= G_MAXINT)
        g_hash_table_remove (self->blocks, GINT_TO_POINTER ((int) index));
    }
  else if (g_str_equal (type, "message_start"))
    {
      JsonObject *usage = get_object (get_object (root, "message"), "usage");

      if (usage != NULL)
        emit_usage (get_int (usage, "input_tokens"), get_int (usage, "output_tokens"), events);
    }
  else if (g_str_equal (type, "message_delta"))
    {
      JsonObject *delta = get_object (root, "delta");
      JsonObject *usage = get_object (root, "usage");
      const char *stop_reason = get_string (delta, "stop_reason");
      JsonObject *details = get_object (delta, "stop_details");
      const char *details_type;

      /* A refusal may say why: "stop_details": {"type": "refusal", "category": "cyber",
       * "explanation": "…"}, beside stop_reason (a proxy may lift it to the top level). It
       * is often absent or null: the stop reason alone still says the model refused. */
      if (details == NULL)
        details = get_object (root, "stop_details");
      details_type = get_string (details, "type");
      if (details != NULL &&
          (g_strcmp0 (details_type, "refusal") == 0 ||
           (details_type == NULL && kiln_stream_finish_reason_is_refusal (stop_reason))))
        {
          const char *explanation = get_string (details, "explanation");

          if (explanation != NULL && *explanation != '\0')
            {
              flush_content (self, events);
              emit_refusal (explanation, events);
            }
        }

      emit_finish (self, stop_reason, events);
      /* output_tokens is cumulative; newer servers repeat input_tokens here too */
      if (usage != NULL)
        emit_usage (get_int (usage, "input_tokens"), get_int (usage, "output_tokens"), events);
    }
  else if (g_str_equal (type, "message_stop"))
    {
      emit_done (self, events);
    }
  else if (g_str_equal (type, "error"))
    {
      if (!decode_error (self, root, events))
        emit_error (self, NULL, NULL, events);
    }
  /* ping and event types added later are ignored */
}

/* --- tgi: /generate_stream --- */

static void
decode_tgi (KilnStreamDecoder *self,
            const char        *event,
            const char        *data,
            GPtrArray         *events)
{
  gsize length;
  const char *trimmed = strip_range (data, &length);
  JsonObject *root;
  JsonObject *token;
  JsonNode *generated_text;

  /* TGI sends no [DONE]; proxies in front of it sometimes add one. */
  if (is_done_marker (trimmed, length))
    {
      emit_done (self, events);
      return;
    }

  if (self->fast_path && fast_decode_tgi (self, trimmed, length, events))
    {
      self->fast_count++;
      return;
    }

  if ((root = parse_object (self, trimmed, length)) == NULL)
    return;

  if (decode_error (self, root, events))
    return;

  /* special tokens (</s>, <|eot_id|>, …) are not answer text */
  token = get_object (root, "token");
  if (token != NULL && !get_bool (token, "special"))
    emit_content (self, get_string (token, "text"), events);

  /* The last event carries the whole text; "details" only when the request asked for
   * it ("parameters": {"details": true}), else it is null. */
  generated_text = get_member (root, "generated_text");
  if (generated_text != NULL && !JSON_NODE_HOLDS_NULL (generated_text))
    {
      JsonObject *details = get_object (root, "details");

      flush_content (self, events);
      if (details != NULL)
        {
          JsonArray *prefill = get_array (details, "prefill");
          gint64 input_tokens = get_int (details, "input_length");

          if (input_tokens < 0 && prefill != NULL && json_array_get_length (prefill) > 0)
            input_tokens = json_array_get_length (prefill);

          emit_finish (self, get_string (details, "finish_reason"), events);
          emit_usage (input_tokens, get_int (details, "generated_tokens"), events);
        }

      emit_done (self, events);
    }
}

/* --- ollama: /api/chat NDJSON --- */

static void
decode_ollama (KilnStreamDecoder *self,
               const char        *event,
               const char        *data,
               GPtrArray         *events)
{
  gsize length = strlen (data);
  JsonObject *root;
  JsonObject *message;

  if (self->fast_path && fast_decode_ollama (self, data, length, events))
    {
      self->fast_count++;
      return;
    }

  if ((root = parse_object (self, data, length)) == NULL)
    return;

  if (decode_error (self, root, events))
    return;

  message = get_object (root, "message");
  emit_reasoning (get_string (message, "thinking"), events);
  emit_content (self, get_string (message, "content"), events);

  if (get_bool (root, "done"))
    {
      flush_content (self, events);
      emit_finish (self, get_string (root, "done_reason"), events);
      emit_usage (get_int (root, "prompt_eval_count"), get_int (root, "eval_count"), events);
      emit_done (self, events);
    }
}

/* --- the decoder --- */

KilnStreamDecoder *
kiln_stream_decoder_new (KilnApi api)
{
  KilnStreamDecoder *self;

  g_return_val_if_fail (api <= KILN_API_OLLAMA, NULL);

  self = g_new0 (KilnStreamDecoder, 1);
  self->api = api;
  self->parser = json_parser_new ();
  self->think = kiln_think_filter_new ();
  self->blocks = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->fast_path = TRUE;
  for (guint i = 0; i < N_FAST_STRINGS; i++)
    self->fast_strings[i] = g_string_new (NULL);
  self->answer = g_string_new (NULL);
  self->reasoning = g_string_new (NULL);

  return self;
}

void
kiln_stream_decoder_free (KilnStreamDecoder *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->parser);
  g_clear_pointer (&self->think, kiln_think_filter_free);
  g_clear_pointer (&self->blocks, g_hash_table_unref);
  for (guint i = 0; i < N_FAST_STRINGS; i++)
    g_string_free (self->fast_strings[i], TRUE);
  g_string_free (self->answer, TRUE);
  g_string_free (self->reasoning, TRUE);
  g_free (self);
}

void
_kiln_stream_decoder_set_fast_path (KilnStreamDecoder *self,
                                    gboolean           enabled)
{
  g_return_if_fail (self != NULL);

  self->fast_path = !!enabled;
}

guint
_kiln_stream_decoder_get_fast_count (KilnStreamDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->fast_count;
}

void
kiln_stream_decoder_feed (KilnStreamDecoder *self,
                          const char        *event,
                          const char        *data,
                          GPtrArray         *events)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (events != NULL);

  if (data == NULL || *data == '\0')
    return;

  switch (self->api)
    {
    case KILN_API_OPENAI:
      decode_openai (self, event, data, events);
      break;

    case KILN_API_ANTHROPIC:
      decode_anthropic (self, event, data, events);
      break;

    case KILN_API_TGI:
      decode_tgi (self, event, data, events);
      break;

    case KILN_API_OLLAMA:
      decode_ollama (self, event, data, events);
      break;

    default:
      g_assert_not_reached ();
    }
}

void
kiln_stream_decoder_finish (KilnStreamDecoder *self,
                            GPtrArray         *events)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (events != NULL);

  flush_content (self, events);
}

/* fuzz-json-scan.c: the one-pass JSON scanner, against json-glib
 *
 * Input: a JSON document. Scanned as a plain validator and with a watched field tree (the
 * shape of an OpenAI chunk, plus a kept string at the root). Invariants, from
 * kiln-json-scan.h: the watched scan only stops earlier (OTHER), never disagrees on
 * validity; kept values point into the input and look like their type; kept strings are
 * valid UTF-8 (NUL bytes allowed) and are what json-glib reads; json-glib accepts whatever
 * the scanner accepts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "kiln-fuzz.h"
#include "kiln-json-scan.h"

enum
{
  SLOT_S,
  SLOT_CONTENT,
  SLOT_CHOICES,
  SLOT_CHOICE,
  SLOT_DELTA,
  SLOT_N,
  N_SLOTS
};

static const KilnJsonField delta_fields[] = {
  KILN_JSON_FIELD ("content", SLOT_CONTENT, NULL),
  KILN_JSON_FIELD ("role", -1, NULL),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField choice_fields[] = {
  KILN_JSON_FIELD ("delta", SLOT_DELTA, delta_fields),
  KILN_JSON_FIELD ("index", -1, NULL),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField choices_fields[] = {
  KILN_JSON_FIELD ("0", SLOT_CHOICE, choice_fields),
  KILN_JSON_FIELD ("1", -1, NULL),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField root_fields[] = {
  KILN_JSON_FIELD ("s", SLOT_S, NULL),
  KILN_JSON_FIELD ("choices", SLOT_CHOICES, choices_fields),
  KILN_JSON_FIELD ("n", SLOT_N, NULL),
  KILN_JSON_FIELD ("x", -1, NULL),
  KILN_JSON_FIELDS_END
};

static void
check_value (const KilnJsonValue *value,
             const char          *json,
             gsize                length)
{
  const char *raw = value->raw;
  gsize n = value->raw_length;

  if (value->type == KILN_JSON_NONE)
    return;

  kiln_fuzz_check (raw >= json && n > 0 && n <= length && raw - json <= (gssize) (length - n));

  switch (value->type)
    {
    case KILN_JSON_NULL:
      kiln_fuzz_check (n == 4 && memcmp (raw, "null", 4) == 0);
      break;
    case KILN_JSON_FALSE:
      kiln_fuzz_check (n == 5 && memcmp (raw, "false", 5) == 0);
      break;
    case KILN_JSON_TRUE:
      kiln_fuzz_check (n == 4 && memcmp (raw, "true", 4) == 0);
      break;
    case KILN_JSON_NUMBER:
      for (gsize i = 0; i < n; i++)
        kiln_fuzz_check (strchr ("-+.eE0123456789", raw[i]) != NULL && raw[i] != '\0');
      break;
    case KILN_JSON_STRING:
      kiln_fuzz_check (n >= 2 && raw[0] == '"' && raw[n - 1] == '"');
      if (value->string != NULL)
        {
          GString *s = value->string;

          /* valid UTF-8 from one NUL to the next */
          for (gsize start = 0; start <= s->len; )
            {
              const char *nul = memchr (s->str + start, '\0', s->len - start);
              gsize end = nul != NULL ? (gsize) (nul - s->str) : s->len;

              kiln_fuzz_check (g_utf8_validate (s->str + start, end - start, NULL));
              start = end + 1;
            }
        }
      break;
    case KILN_JSON_ARRAY:
      kiln_fuzz_check (n >= 2 && raw[0] == '[' && raw[n - 1] == ']');
      break;
    case KILN_JSON_OBJECT:
      kiln_fuzz_check (n >= 2 && raw[0] == '{' && raw[n - 1] == '}');
      break;
    default:
      kiln_fuzz_check (!"a type out of range");
    }
}

/* json-glib's string at that place, as far as a C string goes */
static void
check_against (JsonNode            *node,
               const KilnJsonValue *value)
{
  if (value->type != KILN_JSON_STRING || value->string == NULL)
    return;

  kiln_fuzz_check (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                   json_node_get_value_type (node) == G_TYPE_STRING);
  kiln_fuzz_check (strcmp (json_node_get_string (node), value->string->str) == 0);
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

void
kiln_fuzz_json_scan (const uint8_t *data,
                     size_t         size)
{
  g_autofree char *json = kiln_fuzz_copy (data, size, FALSE);
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GString) content = g_string_new (NULL);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  KilnJsonValue out[N_SLOTS] = { { 0, } };
  KilnJsonScanResult plain;
  KilnJsonScanResult watched;
  JsonNode *root;

  plain = kiln_json_scan (json, size, NULL, NULL, 0);
  kiln_fuzz_check (plain == KILN_JSON_SCAN_OK || plain == KILN_JSON_SCAN_INVALID);

  out[SLOT_S].string = s;
  out[SLOT_CONTENT].string = content;
  watched = kiln_json_scan (json, size, root_fields, out, N_SLOTS);
  kiln_fuzz_check (watched == plain || watched == KILN_JSON_SCAN_OTHER);

  if (plain != KILN_JSON_SCAN_OK)
    return;

  /* The scanner is never more lenient than json-glib */
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, size, &error))
    {
      g_printerr ("json-glib refuses what the scanner took: %s\n", error->message);
      kiln_fuzz_check (!"json-glib refuses what the scanner took");
    }

  if (watched != KILN_JSON_SCAN_OK)
    return;

  for (guint i = 0; i < N_SLOTS; i++)
    check_value (&out[i], json, size);

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *choices = json_object_get_member (object, "choices");
      JsonObject *delta = NULL;

      check_against (json_object_get_member (object, "s"), &out[SLOT_S]);
      if (choices != NULL && JSON_NODE_HOLDS_ARRAY (choices) &&
          json_array_get_length (json_node_get_array (choices)) > 0)
        {
          JsonNode *first = json_array_get_element (json_node_get_array (choices), 0);

          if (JSON_NODE_HOLDS_OBJECT (first))
            delta = object_member (json_node_get_object (first), "delta");
        }
      if (out[SLOT_CONTENT].type == KILN_JSON_STRING)
        check_against (delta != NULL ? json_object_get_member (delta, "content") : NULL,
                       &out[SLOT_CONTENT]);
    }
  else
    {
      /* a root that is not an object keeps nothing */
      for (guint i = 0; i < N_SLOTS; i++)
        kiln_fuzz_check (out[i].type == KILN_JSON_NONE ||
                         (root != NULL && JSON_NODE_HOLDS_ARRAY (root)));
    }
}

KILN_FUZZ_DEFINE_MAIN (kiln_fuzz_json_scan)

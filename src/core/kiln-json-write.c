/* kiln-json-write.c: a JSON writer whose output every parser accepts
 *
 * json-glib 1.6 leaves U+001F unescaped and copies invalid UTF-8 through, so a program that
 * prints either made kiln-cli's --json output unreadable. This writer walks the node tree
 * itself and escapes as kiln-json-write.h says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "kiln-json-write.h"

static void write_node (GString  *out,
                        JsonNode *node,
                        gboolean  pretty,
                        guint     depth);

void
kiln_json_append_string (GString    *out,
                         const char *text,
                         gssize      length)
{
  static const char hex[] = "0123456789abcdef";
  const char *p, *end;

  g_return_if_fail (out != NULL);

  if (text == NULL)
    text = "";
  if (length < 0)
    length = strlen (text);
  p = text;
  end = text + length;

  g_string_append_c (out, '"');
  while (p < end)
    {
      guchar c = (guchar) *p;
      const char *start = p;
      gunichar ch;

      /* Runs of plain printable ASCII are copied in one go. */
      while (p < end && (guchar) *p >= 0x20 && (guchar) *p < 0x7f && *p != '"' && *p != '\\')
        p++;
      if (p > start)
        {
          g_string_append_len (out, start, p - start);
          continue;
        }

      c = (guchar) *p;
      if (c < 0x80)
        {
          switch (c)
            {
            case '"':  g_string_append (out, "\\\""); break;
            case '\\': g_string_append (out, "\\\\"); break;
            case '\b': g_string_append (out, "\\b"); break;
            case '\f': g_string_append (out, "\\f"); break;
            case '\n': g_string_append (out, "\\n"); break;
            case '\r': g_string_append (out, "\\r"); break;
            case '\t': g_string_append (out, "\\t"); break;
            default:
              /* the other controls below 0x20, and DEL */
              g_string_append (out, "\\u00");
              g_string_append_c (out, hex[c >> 4]);
              g_string_append_c (out, hex[c & 0xf]);
            }
          p++;
          continue;
        }

      ch = g_utf8_get_char_validated (p, end - p);
      if (ch == (gunichar) -1 || ch == (gunichar) -2)
        {
          /* Not UTF-8: this byte alone becomes U+FFFD, and reading goes on after it. */
          g_string_append (out, "\xef\xbf\xbd");
          p++;
          continue;
        }

      {
        const char *next = g_utf8_next_char (p);

        g_string_append_len (out, p, next - p);
        p = next;
      }
    }
  g_string_append_c (out, '"');
}

static void
write_double (GString *out,
              double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  /* The shortest of %.15g, %.16g, %.17g that reads back as the same double. */
  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  g_string_append (out, buffer);
  /* Integral values keep a fraction, so readers still see a floating-point number. */
  if (strpbrk (buffer, ".eE") == NULL)
    g_string_append (out, ".0");
}

static void
write_value (GString  *out,
             JsonNode *node)
{
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      write_double (out, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_STRING:
      kiln_json_append_string (out, json_node_get_string (node), -1);
      break;
    default:
      g_string_append (out, "null");
    }
}

static void
indent (GString *out,
        gboolean pretty,
        guint    depth)
{
  if (!pretty)
    return;
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static void
write_object (GString    *out,
              JsonObject *object,
              gboolean    pretty,
              guint       depth)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      indent (out, pretty, depth + 1);
      kiln_json_append_string (out, name, -1);
      g_string_append (out, pretty ? " : " : ":");
      write_node (out, member, pretty, depth + 1);
    }
  if (!first)
    indent (out, pretty, depth);
  g_string_append_c (out, '}');
}

static void
write_array (GString   *out,
             JsonArray *array,
             gboolean   pretty,
             guint      depth)
{
  guint length = json_array_get_length (array);

  g_string_append_c (out, '[');
  for (guint i = 0; i < length; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      indent (out, pretty, depth + 1);
      write_node (out, json_array_get_element (array, i), pretty, depth + 1);
    }
  if (length > 0)
    indent (out, pretty, depth);
  g_string_append_c (out, ']');
}

static void
write_node (GString  *out,
            JsonNode *node,
            gboolean  pretty,
            guint     depth)
{
  if (node == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      write_object (out, json_node_get_object (node), pretty, depth);
      break;
    case JSON_NODE_ARRAY:
      write_array (out, json_node_get_array (node), pretty, depth);
      break;
    case JSON_NODE_VALUE:
      write_value (out, node);
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
    }
}

char *
kiln_json_to_string (JsonNode *node,
                     gboolean  pretty)
{
  GString *out = g_string_new (NULL);

  write_node (out, node, pretty, 0);
  return g_string_free (out, FALSE);
}

void
kiln_json_builder_add_double (JsonBuilder *builder,
                              const char  *name,
                              double       value,
                              gboolean     known)
{
  json_builder_set_member_name (builder, name);
  if (known)
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
kiln_json_builder_add_count (JsonBuilder *builder,
                             const char  *name,
                             gint64       value)
{
  json_builder_set_member_name (builder, name);
  if (value >= 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
kiln_json_builder_add_text (JsonBuilder *builder,
                            const char  *name,
                            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

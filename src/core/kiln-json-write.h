/* kiln-json-write.h: JSON text that every JSON parser accepts (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Writes @node as JSON text, always valid UTF-8 and always valid JSON, whatever the strings
 * in it hold (program output may hold any byte):
 *  - every control character (U+0000 to U+001F) and DEL (U+007F) is written as \uXXXX,
 *    except \b \f \n \r \t, which keep their short escapes; '"' and '\' are escaped;
 *  - a byte that is not part of valid UTF-8 becomes U+FFFD (one per byte);
 *  - a double that is not finite (NaN, infinity) becomes null; other doubles are written
 *    with the fewest digits that read back to the same value, with ".0" when integral;
 *  - object members keep their insertion order.
 * With @pretty, members and elements go on their own lines, indented by two spaces
 * ("name" : value, as json-glib writes them). A NULL @node gives "null". Free with g_free(). */
char *kiln_json_to_string (JsonNode *node,
                           gboolean  pretty);

/* Appends @text (@length bytes, or up to its NUL when @length is -1) to @out as a JSON string
 * literal, quotes included, with the escaping of kiln_json_to_string(). */
void  kiln_json_append_string (GString    *out,
                               const char *text,
                               gssize      length);

/* Members whose value may be unknown, for JsonBuilder objects: each sets member @name to the
 * value, or to null — a double when @known, an integer when @value >= 0, a string when
 * @value is not NULL. */
void  kiln_json_builder_add_double (JsonBuilder *builder,
                                    const char  *name,
                                    double       value,
                                    gboolean     known);
void  kiln_json_builder_add_count  (JsonBuilder *builder,
                                    const char  *name,
                                    gint64       value);
void  kiln_json_builder_add_text   (JsonBuilder *builder,
                                    const char  *name,
                                    const char  *value);

G_END_DECLS

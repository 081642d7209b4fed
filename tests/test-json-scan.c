/* test-json-scan.c: the one-pass JSON scanner: validity, unescaping, fields, and agreement
 * with json-glib on what both accept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "kiln-json-scan.h"

static KilnJsonScanResult
scan (const char *json)
{
  return kiln_json_scan (json, strlen (json), NULL, NULL, 0);
}

static void
test_valid (void)
{
  static const char * const valid[] = {
    "0", "-0", "1e5", "1.5E-3", "-1.25e+10", "0.0", "1E-0", "123456789012345678901234567890",
    "1e999", "true", "false", "null", "\"\"", "\"a\"", "[]", "{}", "[1,2,[3,{}]]",
    "{\"a\":{\"b\":[true,false,null]}}", " \t\r\n1 \n", "\"\\ud83d\\ude00\"", "\"\\uDBFF\\uDFFF\"",
    "\"\\u0000\"", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "\"\xef\xbf\xbf\"", "\"\x7f\"",
    "{\"\":1}", "{\"a\":1,\"a\":2}", "[ 1 , { \"x\" : [ ] } ]", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_test_message ("valid: %s", valid[i]);
      g_assert_cmpint (scan (valid[i]), ==, KILN_JSON_SCAN_OK);
    }
}

static void
test_invalid (void)
{
  static const char * const invalid[] = {
    "", " ", "01", "-", "--1", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity",
    "tru", "nul", "True", "[1,]", "{\"a\":1,}", "[,1]", "{,}", "{\"a\" 1}", "{a:1}", "'a'",
    "[1 2]", "{\"a\":1 \"b\":2}", "[1]]", "[1] x", "1 2", "[", "{\"a\":1", "\"abc", "{\"a\"}",
    "\"a\x01\"", "\"a\tb\"", "\"a\nb\"", "\"\\x41\"", "\"\\'\"", "\"\\u12\"", "\"\\uzzzz\"",
    "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800\\ud800\"", "\"\\udc00\\ud800\"",
    "\"\\ud800x\"", "\"\xff\"", "\"\x80\"", "\"\xed\xa0\x80\"", "\"\xc0\x80\"", "\"\xc3\"",
    "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"", "\xef\xbb\xbf{}", "\f1", "1\f", "/*c*/1", "[1]\v",
    "{\"a\":1}{}", "\"\\", "\"\\u",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *escaped = g_strescape (invalid[i], NULL);

      g_test_message ("invalid: %s", escaped);
      g_assert_cmpint (scan (invalid[i]), ==, KILN_JSON_SCAN_INVALID);
    }

  /* a NUL inside the given length is a control character, not an end */
  g_assert_cmpint (kiln_json_scan ("\"a\0b\"", 5, NULL, NULL, 0), ==, KILN_JSON_SCAN_INVALID);
  g_assert_cmpint (kiln_json_scan ("1\0", 2, NULL, NULL, 0), ==, KILN_JSON_SCAN_INVALID);
  /* the length is honoured: no reading past it */
  g_assert_cmpint (kiln_json_scan ("[1]]", 3, NULL, NULL, 0), ==, KILN_JSON_SCAN_OK);
  g_assert_cmpint (kiln_json_scan ("\"ab\"", 3, NULL, NULL, 0), ==, KILN_JSON_SCAN_INVALID);
}

static void
test_depth (void)
{
  for (guint depth = 62; depth <= 66; depth++)
    {
      g_autoptr(GString) arrays = g_string_new (NULL);
      g_autoptr(GString) objects = g_string_new (NULL);
      KilnJsonScanResult expected = depth <= KILN_JSON_SCAN_MAX_DEPTH ? KILN_JSON_SCAN_OK
                                                                     : KILN_JSON_SCAN_INVALID;

      for (guint i = 0; i < depth; i++)
        {
          g_string_append_c (arrays, '[');
          g_string_append (objects, "{\"a\":");
        }
      g_string_append (objects, "1");
      for (guint i = 0; i < depth; i++)
        {
          g_string_append_c (arrays, ']');
          g_string_append_c (objects, '}');
        }

      g_assert_cmpint (scan (arrays->str), ==, expected);
      g_assert_cmpint (scan (objects->str), ==, expected);
    }

  /* far too deep, unclosed: refused without recursion */
  {
    g_autofree char *deep = g_strnfill (100000, '[');

    g_assert_cmpint (scan (deep), ==, KILN_JSON_SCAN_INVALID);
  }
}

/* --- fields --- */

enum
{
  SLOT_TEXT,
  SLOT_NAME,
  SLOT_ITEMS,
  SLOT_FIRST,
  SLOT_FLAG,
  SLOT_COUNT,
  N_SLOTS
};

static const KilnJsonField first_fields[] = {
  KILN_JSON_FIELD ("flag", SLOT_FLAG, NULL),
  KILN_JSON_FIELD ("ignored", -1, NULL),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField items_fields[] = {
  KILN_JSON_FIELD ("0", SLOT_FIRST, first_fields),
  KILN_JSON_FIELDS_END
};

static const KilnJsonField root_fields[] = {
  KILN_JSON_FIELD ("text", SLOT_TEXT, NULL),
  KILN_JSON_FIELD ("name", SLOT_NAME, NULL),
  KILN_JSON_FIELD ("items", SLOT_ITEMS, items_fields),
  KILN_JSON_FIELD ("count", SLOT_COUNT, NULL),
  KILN_JSON_FIELD ("meta", -1, NULL),
  KILN_JSON_FIELDS_END
};

#define assert_raw(value, literal) \
  g_assert_cmpmem ((value)->raw, (value)->raw_length, literal, sizeof (literal) - 1)

typedef struct
{
  KilnJsonValue out[N_SLOTS];
  GString      *text;
} Fields;

static KilnJsonScanResult
scan_fields (Fields     *fields,
             const char *json)
{
  memset (fields->out, 0, sizeof fields->out);
  if (fields->text == NULL)
    fields->text = g_string_new (NULL);
  g_string_truncate (fields->text, 0);
  fields->out[SLOT_TEXT].string = fields->text;

  return kiln_json_scan (json, strlen (json), root_fields, fields->out, N_SLOTS);
}

static void
test_fields (void)
{
  Fields f = { 0, };

  g_assert_cmpint (scan_fields (&f, "{\"meta\":{\"anything\":[1,{\"x\":2}]},"
                                    "\"text\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC"
                                    "\\ud83d\\ude00\xc3\xa9\",\"name\":\"n\\u0041\","
                                    "\"items\":[{\"flag\":true,\"ignored\":5,\"ignored\":6}],"
                                    "\"count\":-1.5e3}"), ==, KILN_JSON_SCAN_OK);
  g_assert_cmpint (f.out[SLOT_TEXT].type, ==, KILN_JSON_STRING);
  g_assert_cmpstr (f.text->str, ==,
                   "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9");
  /* no GString given: the raw text only */
  g_assert_cmpint (f.out[SLOT_NAME].type, ==, KILN_JSON_STRING);
  assert_raw (&f.out[SLOT_NAME], "\"n\\u0041\"");
  g_assert_cmpint (f.out[SLOT_ITEMS].type, ==, KILN_JSON_ARRAY);
  g_assert_cmpint (f.out[SLOT_FIRST].type, ==, KILN_JSON_OBJECT);
  assert_raw (&f.out[SLOT_FIRST], "{\"flag\":true,\"ignored\":5,\"ignored\":6}");
  g_assert_cmpint (f.out[SLOT_FLAG].type, ==, KILN_JSON_TRUE);
  g_assert_cmpint (f.out[SLOT_COUNT].type, ==, KILN_JSON_NUMBER);
  assert_raw (&f.out[SLOT_COUNT], "-1.5e3");

  /* absent fields, empty containers */
  g_assert_cmpint (scan_fields (&f, "{\"items\":[]}"), ==, KILN_JSON_SCAN_OK);
  g_assert_cmpint (f.out[SLOT_TEXT].type, ==, KILN_JSON_NONE);
  g_assert_cmpint (f.out[SLOT_ITEMS].type, ==, KILN_JSON_ARRAY);
  assert_raw (&f.out[SLOT_ITEMS], "[]");
  g_assert_cmpint (f.out[SLOT_FIRST].type, ==, KILN_JSON_NONE);
  g_assert_cmpint (scan_fields (&f, "{}"), ==, KILN_JSON_SCAN_OK);
  g_assert_cmpint (scan_fields (&f, "{\"text\":null,\"items\":5}"), ==, KILN_JSON_SCAN_OK);
  g_assert_cmpint (f.out[SLOT_TEXT].type, ==, KILN_JSON_NULL);
  g_assert_cmpint (f.out[SLOT_ITEMS].type, ==, KILN_JSON_NUMBER);
  /* a string with a NUL comes out whole */
  g_assert_cmpint (scan_fields (&f, "{\"text\":\"a\\u0000b\"}"), ==, KILN_JSON_SCAN_OK);
  g_assert_cmpmem (f.text->str, f.text->len, "a\0b", 3);
  /* a root that is not an object: nothing kept */
  g_assert_cmpint (scan_fields (&f, "\"text\""), ==, KILN_JSON_SCAN_OK);
  g_assert_cmpint (f.out[SLOT_TEXT].type, ==, KILN_JSON_NONE);

  /* what a watched container may not hold */
  g_assert_cmpint (scan_fields (&f, "{\"other\":1}"), ==, KILN_JSON_SCAN_OTHER);
  g_assert_cmpint (scan_fields (&f, "{\"text\":\"a\",\"text\":\"b\"}"), ==, KILN_JSON_SCAN_OTHER);
  g_assert_cmpint (scan_fields (&f, "{\"items\":[{},{}]}"), ==, KILN_JSON_SCAN_OTHER);
  g_assert_cmpint (scan_fields (&f, "{\"items\":[{\"flag\":1,\"x\":2}]}"), ==,
                   KILN_JSON_SCAN_OTHER);
  g_assert_cmpint (scan_fields (&f, "{\"t\\u0065xt\":\"a\"}"), ==, KILN_JSON_SCAN_OTHER);
  g_assert_cmpint (scan_fields (&f, "{\"items/0\":{}}"), ==, KILN_JSON_SCAN_OTHER);
  g_assert_cmpint (scan_fields (&f, "[1]"), ==, KILN_JSON_SCAN_OTHER);
  /* but invalid JSON is invalid first */
  g_assert_cmpint (scan_fields (&f, "{\"text\":\"a\",}"), ==, KILN_JSON_SCAN_INVALID);
  g_assert_cmpint (scan_fields (&f, "{\"text\":\"\\ud800\"}"), ==, KILN_JSON_SCAN_INVALID);

  g_string_free (f.text, TRUE);
}

/* --- against json-glib: on what the scanner accepts, both read the same strings --- */

static const char * const pieces[] = {
  "a", "Z", " ", "<think>", "\\n", "\\\"", "\\\\", "\\/", "\\b", "\\t", "\\u00e9", "\\u20ac",
  "\\u20AC", "\\uD83D\\uDE00", "\\ud83d\\ude00", "\\ud800", "\\udfff", "\\u0000", "\\u0001",
  "\xc3\xa9", "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "\xff", "\xed\xa0\x80", "\x01", "\t", "\\x",
  "\\u12", "\x7f",
};

static const char * const numbers[] = {
  "0", "-0", "1", "-1", "1e5", "1.5E-3", "-0.0e-0", "1e999", "-1e999", "1e-999",
  "99999999999999999999999", "-99999999999999999999999", "9223372036854775808", "01", "1.",
  ".5", "-", "4.9e-324", "1E+2",
};

static void
random_string (GString *out)
{
  guint n = g_test_rand_int_range (0, 8);

  g_string_append_c (out, '"');
  for (guint i = 0; i < n; i++)
    g_string_append (out, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
  g_string_append_c (out, '"');
}

static void
random_value (GString *out,
              guint    depth)
{
  switch (g_test_rand_int_range (0, depth > 3 ? 5 : 7))
    {
    case 0:
      g_string_append (out, g_test_rand_bit () ? "null" : (g_test_rand_bit () ? "true" : "false"));
      break;
    case 1:
    case 2:
      g_string_append (out, numbers[g_test_rand_int_range (0, G_N_ELEMENTS (numbers))]);
      break;
    case 3:
    case 4:
      random_string (out);
      break;
    case 5:
      g_string_append_c (out, '[');
      for (guint i = 0, n = g_test_rand_int_range (0, 4); i < n; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          random_value (out, depth + 1);
        }
      g_string_append_c (out, ']');
      break;
    default:
      g_string_append_c (out, '{');
      for (guint i = 0, n = g_test_rand_int_range (0, 4); i < n; i++)
        {
          if (i > 0)
            g_string_append (out, g_test_rand_bit () ? "," : " , ");
          random_string (out);
          g_string_append_c (out, ':');
          random_value (out, depth + 1);
        }
      g_string_append_c (out, '}');
      break;
    }
}

static void
test_against_json_glib (void)
{
  static const KilnJsonField fields[] = {
    KILN_JSON_FIELD ("s", 0, NULL),
    KILN_JSON_FIELD ("v", -1, NULL),
    KILN_JSON_FIELDS_END
  };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) doc = g_string_new (NULL);
  guint n_ok = 0;

  for (guint round = 0; round < 20000; round++)
    {
      KilnJsonValue out[1] = { { 0, } };
      KilnJsonScanResult result;
      g_autoptr(GError) error = NULL;

      g_string_assign (doc, "{\"s\":");
      random_string (doc);
      g_string_append (doc, ",\"v\":");
      random_value (doc, 0);
      g_string_append_c (doc, '}');

      /* now and then a cut or a flipped byte */
      if (g_test_rand_int_range (0, 8) == 0)
        g_string_truncate (doc, g_test_rand_int_range (0, doc->len));
      else if (g_test_rand_int_range (0, 8) == 0)
        doc->str[g_test_rand_int_range (0, doc->len)] ^= 1 << g_test_rand_int_range (0, 8);

      g_string_truncate (text, 0);
      out[0].string = text;
      result = kiln_json_scan (doc->str, doc->len, fields, out, 1);
      if (result != KILN_JSON_SCAN_OK || out[0].type != KILN_JSON_STRING)
        continue;

      /* the scanner is never more lenient than json-glib */
      n_ok++;
      if (!json_parser_load_from_data (parser, doc->str, doc->len, &error))
        g_error ("json-glib refuses what the scanner took: %s (%s)",
                 g_strescape (doc->str, NULL), error->message);

      /* and both read the same text (json-glib's copy ends at a NUL) */
      {
        JsonObject *root = json_node_get_object (json_parser_get_root (parser));

        g_assert_true (g_utf8_validate (text->str, text->len, NULL) ||
                       memchr (text->str, '\0', text->len) != NULL);
        g_assert_cmpstr (json_object_get_string_member (root, "s"), ==, text->str);
      }
    }

  /* enough of them were valid for this to mean something */
  g_assert_cmpuint (n_ok, >, 2000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-scan/valid", test_valid);
  g_test_add_func ("/json-scan/invalid", test_invalid);
  g_test_add_func ("/json-scan/depth", test_depth);
  g_test_add_func ("/json-scan/fields", test_fields);
  g_test_add_func ("/json-scan/against-json-glib", test_against_json_glib);

  return g_test_run ();
}

/* test-json-write.c: kiln_json_to_string() gives JSON any parser takes, whatever the strings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "kiln-core.h"

static JsonNode *
string_node (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

static char *
write_string (const char *text)
{
  g_autoptr(JsonNode) node = string_node (text);

  return kiln_json_to_string (node, FALSE);
}

/* No byte below 0x20 and no DEL anywhere in the text, and the text is UTF-8. */
static void
assert_clean (const char *json,
              gboolean    pretty)
{
  g_assert_true (g_utf8_validate (json, -1, NULL));
  for (const char *p = json; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (pretty && c == '\n')
        continue;
      g_assert_cmpuint (c, >=, 0x20);
      g_assert_cmpuint (c, !=, 0x7f);
    }
}

static void
test_control_characters (void)
{
  static const char * const expected[32] = {
    NULL, "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
    "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f",
    "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
    "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
  };

  /* A C string cannot hold NUL: 1 to 31, then DEL, one at a time between letters. */
  for (guint c = 1; c < 32; c++)
    {
      char text[4] = { 'a', (char) c, 'b', '\0' };
      g_autofree char *json = write_string (text);
      g_autofree char *want = g_strdup_printf ("\"a%sb\"", expected[c]);

      g_assert_cmpstr (json, ==, want);
      assert_clean (json, FALSE);
    }

  {
    g_autofree char *json = write_string ("a\x7f" "b");

    g_assert_cmpstr (json, ==, "\"a\\u007fb\"");
  }
  {
    g_autofree char *json = write_string ("quote \" backslash \\ slash / é ✓ 𝄞");

    g_assert_cmpstr (json, ==, "\"quote \\\" backslash \\\\ slash / é ✓ 𝄞\"");
  }
}

static void
test_invalid_utf8 (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "a\xff" "b", "\"a\xef\xbf\xbd" "b\"" },
    /* a lead byte without its continuation: each byte on its own */
    { "\xc3(", "\"\xef\xbf\xbd(\"" },
    { "x\xe2\x82", "\"x\xef\xbf\xbd\xef\xbf\xbd\"" },
    /* an encoded surrogate and an overlong slash are not UTF-8 either */
    { "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
    { "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
    /* a stray continuation byte between valid characters */
    { "é\x80ü", "\"é\xef\xbf\xbdü\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = write_string (cases[i].in);

      g_assert_cmpstr (json, ==, cases[i].out);
      assert_clean (json, FALSE);
    }
}

/* Object member names are strings too. */
static void
test_member_names (void)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *json = NULL;

  json_object_set_int_member (object, "tab\there\x1f", 1);
  json_object_set_int_member (object, "bad\xfe", 2);
  json_node_set_object (root, object);
  json = kiln_json_to_string (root, FALSE);
  g_assert_cmpstr (json, ==, "{\"tab\\there\\u001f\":1,\"bad\xef\xbf\xbd\":2}");
}

static void
test_numbers (void)
{
  static const struct { double value; const char *text; } doubles[] = {
    { 0.1, "0.1" }, { 1.0, "1.0" }, { -0.0, "-0.0" }, { 2.5, "2.5" },
    { 1e-7, "9.9999999999999995e-08" }, { 3.5e300, "3.5e+300" },
    { 0.30000000000000004, "0.30000000000000004" }, { 1e21, "1e+21" },
  };
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autofree char *json = NULL;

      json_node_set_double (node, doubles[i].value);
      json = kiln_json_to_string (node, FALSE);
      /* what matters is that it reads back exactly; the text is the shortest that does */
      g_assert_cmpfloat (g_ascii_strtod (json, NULL), ==, doubles[i].value);
      if (i != 4)
        g_assert_cmpstr (json, ==, doubles[i].text);
    }

  json_node_set_double (node, INFINITY);
  {
    g_autofree char *json = kiln_json_to_string (node, FALSE);

    g_assert_cmpstr (json, ==, "null");
  }
  json_node_set_double (node, NAN);
  {
    g_autofree char *json = kiln_json_to_string (node, FALSE);

    g_assert_cmpstr (json, ==, "null");
  }
  json_node_set_int (node, G_MININT64);
  {
    g_autofree char *json = kiln_json_to_string (node, FALSE);

    g_assert_cmpstr (json, ==, "-9223372036854775808");
  }
}

/* A nested document reads back equal through json-glib, compact and pretty, and the pretty
 * form has json-glib's layout. */
static void
test_round_trip (void)
{
  static const char document[] =
    "{\"language\":\"cpp\",\"ok\":false,\"error\":null,\"runs\":[{\"wall_seconds\":0.25,"
    "\"exit_status\":3},{}],\"empty\":[],\"nested\":{\"a\":[1,[2,[]],{\"b\":true}]},"
    "\"stdout\":\"line\\u001fx\\ttab\\n\\u007f\",\"big\":9007199254740993}";
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, document, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);

  for (guint pretty = 0; pretty < 2; pretty++)
    {
      g_autoptr(JsonParser) again = json_parser_new ();
      g_autofree char *json = kiln_json_to_string (root, pretty);

      assert_clean (json, pretty);
      json_parser_load_from_data (again, json, -1, &error);
      g_assert_no_error (error);
      g_assert_true (json_node_equal (root, json_parser_get_root (again)));
    }

  {
    g_autoptr(JsonParser) small = json_parser_new ();
    g_autofree char *json = NULL;

    json_parser_load_from_data (small, "{\"a\":[1,{}],\"b\":{\"c\":\"d\"}}", -1, &error);
    g_assert_no_error (error);
    json = kiln_json_to_string (json_parser_get_root (small), TRUE);
    g_assert_cmpstr (json, ==,
                     "{\n"
                     "  \"a\" : [\n"
                     "    1,\n"
                     "    {}\n"
                     "  ],\n"
                     "  \"b\" : {\n"
                     "    \"c\" : \"d\"\n"
                     "  }\n"
                     "}");
  }

  {
    g_autofree char *json = kiln_json_to_string (NULL, TRUE);

    g_assert_cmpstr (json, ==, "null");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-write/control-characters", test_control_characters);
  g_test_add_func ("/json-write/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/json-write/member-names", test_member_names);
  g_test_add_func ("/json-write/numbers", test_numbers);
  g_test_add_func ("/json-write/round-trip", test_round_trip);

  return g_test_run ();
}

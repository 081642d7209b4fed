/* test-prompt.c: prompt templates: rendering, user overrides, trimming diagnostics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "kiln-error.h"
#include "kiln-prompt.h"

/* The XDG_CONFIG_HOME of this test, set before GLib reads it */
static char *config_home;

typedef struct
{
  const char *name;
  const char *template_text;
  const char *expected;   /* NULL: an error naming @unknown */
  const char *unknown;
} RenderCase;

static const RenderCase render_cases[] = {
  { "plain", "no placeholders", "no placeholders", NULL },
  { "empty", "", "", NULL },
  { "one", "Hello {{name}}!", "Hello World!", NULL },
  { "spaces", "{{ name }}|{{  name}}|{{name\t}}", "World|World|World", NULL },
  { "twice", "{{name}}{{name}}", "WorldWorld", NULL },
  { "underscore-digits", "{{max_attempts}}/{{a1}}", "3/one", NULL },
  { "empty-value", "[{{empty}}]", "[]", NULL },
  { "value-not-expanded", "```\n{{source}}\n```", "```\nint x = {{name}};\n```", NULL },
  { "braces-alone", "{{", "{{", NULL },
  { "braces-text", "a {{ b", "a {{ b", NULL },
  { "braces-empty", "{{}}", "{{}}", NULL },
  { "braces-digit", "{{1x}}", "{{1x}}", NULL },
  { "braces-space-inside-name", "{{na me}}", "{{na me}}", NULL },
  { "braces-unclosed", "{{name", "{{name", NULL },
  { "braces-one-closing", "{{name}", "{{name}", NULL },
  { "closing-alone", "}} {", "}} {", NULL },
  { "triple-open", "{{{name}}}", "{World}", NULL },
  { "json-like", "{{\"a\": 1}}", "{{\"a\": 1}}", NULL },
  { "utf8", "\xC2\xAB{{name}}\xC2\xBB", "\xC2\xABWorld\xC2\xBB", NULL },
  { "unknown", "Hello {{who}}", NULL, "{{who}}" },
  { "unknown-after-known", "{{name}} {{ missing_one }}", NULL, "{{missing_one}}" },
};

static GHashTable *
render_values (void)
{
  GHashTable *values = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (values, (gpointer) "name", (gpointer) "World");
  g_hash_table_insert (values, (gpointer) "max_attempts", (gpointer) "3");
  g_hash_table_insert (values, (gpointer) "a1", (gpointer) "one");
  g_hash_table_insert (values, (gpointer) "empty", (gpointer) "");
  g_hash_table_insert (values, (gpointer) "source", (gpointer) "int x = {{name}};");
  return values;
}

static void
test_render_table (void)
{
  g_autoptr(GHashTable) values = render_values ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (render_cases); i++)
    {
      const RenderCase *c = &render_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *out = kiln_prompt_render (c->template_text, values, &error);

      g_test_message ("%s", c->name);
      if (c->expected != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (out, ==, c->expected);
        }
      else
        {
          g_assert_null (out);
          g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
          g_assert_nonnull (strstr (error->message, c->unknown));
        }
    }
}

static void
test_render_no_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = kiln_prompt_render ("a {{ b", NULL, &error);
  g_autofree char *failed = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "a {{ b");

  failed = kiln_prompt_render ("{{x}}", NULL, &error);
  g_assert_null (failed);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
}

/* Every built-in template renders with the placeholders the conversion gives it, and uses
 * the ones that matter. */
static void
test_builtin_templates (void)
{
  static const struct
  {
    const char *name;
    const char *placeholders[8];
  } templates[] = {
    { KILN_PROMPT_PYTHON_TO_CPP_SYSTEM, { "cpu_arch", "cpu_model", "os", "compiler", "flags" } },
    { KILN_PROMPT_CPP_TO_CPP_SYSTEM, { "cpu_arch", "cpu_model", "os", "compiler", "flags" } },
    { KILN_PROMPT_PYTHON_TO_CPP_USER, { "source", "input_note" } },
    { KILN_PROMPT_CPP_TO_CPP_USER, { "source", "input_note" } },
    { KILN_PROMPT_REPAIR_COMPILE, { "diagnostics", "attempt", "max_attempts" } },
    { KILN_PROMPT_REPAIR_RUNTIME,
      { "exit_description", "stderr_tail", "attempt", "max_attempts" } },
    { KILN_PROMPT_REPAIR_OUTPUT, { "line", "expected", "actual", "attempt", "max_attempts" } },
    { KILN_PROMPT_CONTINUE_TRUNCATED, { "tail", "attempt", "max_attempts" } },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                            NULL, g_free);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = kiln_prompt_load_from (NULL, templates[i].name, &error);
      g_autofree char *out = NULL;
      guint j;

      g_assert_no_error (error);
      for (j = 0; templates[i].placeholders[j] != NULL; j++)
        g_hash_table_insert (values, (gpointer) templates[i].placeholders[j],
                             g_strdup_printf ("<%s>", templates[i].placeholders[j]));

      out = kiln_prompt_render (g_bytes_get_data (bytes, NULL), values, &error);
      g_assert_no_error (error);
      for (j = 0; templates[i].placeholders[j] != NULL; j++)
        {
          g_autofree char *marker = g_strdup_printf ("<%s>", templates[i].placeholders[j]);

          g_assert_nonnull (strstr (out, marker));
        }
      /* The system and repair prompts ask for one ```cpp block; the user prompts fence the
       * source; the continuation asks for no new start */
      if (g_str_equal (templates[i].name, KILN_PROMPT_CONTINUE_TRUNCATED))
        g_assert_nonnull (strstr (out, "do not start over"));
      else
        g_assert_nonnull (strstr (out, g_str_has_suffix (templates[i].name, ".user.txt")
                                       ? "\n```\n" : "```cpp block"));
      g_assert_true (g_utf8_validate (out, -1, NULL));
    }
}

static void
write_file (const char *path,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

static void
test_load_override (void)
{
  g_autofree char *dir = g_build_filename (config_home, "kiln", "prompts", NULL);
  g_autofree char *override = g_build_filename (dir, KILN_PROMPT_REPAIR_COMPILE, NULL);
  g_autofree char *bad = g_build_filename (dir, KILN_PROMPT_REPAIR_OUTPUT, NULL);
  g_autofree char *folder = g_build_filename (dir, KILN_PROMPT_REPAIR_RUNTIME, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) builtin = NULL;

  g_assert_cmpstr (g_get_user_config_dir (), ==, config_home);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  /* No override yet: the built-in copy */
  bytes = kiln_prompt_load (KILN_PROMPT_REPAIR_COMPILE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (g_bytes_get_data (bytes, NULL), "{{diagnostics}}"));
  g_clear_pointer (&bytes, g_bytes_unref);

  /* The user's file wins, NUL-terminated */
  write_file (override, "Mine: {{diagnostics}}", -1);
  bytes = kiln_prompt_load (KILN_PROMPT_REPAIR_COMPILE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, strlen ("Mine: {{diagnostics}}"));
  g_assert_cmpstr (g_bytes_get_data (bytes, NULL), ==, "Mine: {{diagnostics}}");
  g_clear_pointer (&bytes, g_bytes_unref);

  /* …but not when the override folder is skipped */
  builtin = kiln_prompt_load_from (NULL, KILN_PROMPT_REPAIR_COMPILE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (g_bytes_get_data (builtin, NULL), "attempt {{attempt}}"));

  /* An override that is not text, or not a file, is an error naming it */
  write_file (bad, "\xFF\xFE", 2);
  bytes = kiln_prompt_load (KILN_PROMPT_REPAIR_OUTPUT, &error);
  g_assert_null (bytes);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  bytes = kiln_prompt_load (KILN_PROMPT_REPAIR_RUNTIME, &error);
  g_assert_null (bytes);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, folder));
  g_clear_error (&error);

  /* Names are plain file names that exist */
  bytes = kiln_prompt_load ("no-such-prompt.txt", &error);
  g_assert_null (bytes);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bytes = kiln_prompt_load ("../prompts/repair-compile.txt", &error);
  g_assert_null (bytes);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_cmpint (g_rmdir (folder), ==, 0);
  g_assert_cmpint (g_unlink (bad), ==, 0);
  g_assert_cmpint (g_unlink (override), ==, 0);
}

static char *
read_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "diagnostics",
                                                 name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;
  const char *p;

  for (p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

typedef struct
{
  const char *fixture;
  const char *keep[8];
  const char *drop[4];
} TrimCase;

static const TrimCase trim_cases[] = {
  { "missing-include.gcc.txt",
    { "fatal error: no_such_header.hpp", "#include \"no_such_header.hpp\"", "^~~~" } },
  { "missing-include.clang.txt",
    { "fatal error: 'no_such_header.hpp' file not found", "^~~~" },
    { "generated." } },
  { "missing-semicolon.gcc.txt",
    { "In function \xE2\x80\x98int main()\xE2\x80\x99", "error: expected", "std::printf" },
    { "warning:", "unused variable" } },
  { "missing-semicolon.clang.txt",
    { "error: expected ';'", "int x = 1", "             ;\n" },
    { "generated." } },
  { "template-mismatch.gcc.txt",
    { "error: no matching function", "note:   deduced conflicting types", "In file included from",
      "In instantiation of", "required from here", "error: no match for" },
    { "algorithm:61" } },
  { "template-mismatch.clang.txt",
    { "error: no matching function", "note: candidate template ignored",
      "error: no viable overloaded", "note: in instantiation of", "sum += v;" },
    { "errors generated." } },
  { "undeclared.gcc.txt", { "In function", "error: \xE2\x80\x98total\xE2\x80\x99", "^~~~~" } },
  { "undeclared.clang.txt", { "error: use of undeclared identifier 'total'", "^" },
    { "generated." } },
  { "undefined-reference.gcc.txt",
    { "in function `main'", "undefined reference to `compute(int)'", "collect2: error" } },
  { "undefined-reference.clang.txt",
    { "in function `main'", "undefined reference to `compute(int)'", "linker command failed" } },
  { "unknown-flag.gcc.txt", { "unrecognized command-line option" } },
  { "unknown-flag.clang.txt", { "unknown argument: '-fno-such-flag'" } },
  /* Only warnings: they stay */
  { "unused-variable.gcc.txt", { "warning: unused variable", "int unused = 42;" } },
  { "unused-variable.clang.txt", { "warning: unused variable", "int unused = 42;" },
    { "generated." } },
};

static void
test_trim_fixtures (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (trim_cases); i++)
    {
      const TrimCase *c = &trim_cases[i];
      g_autofree char *output = read_fixture (c->fixture);
      g_autofree char *trimmed = kiln_prompt_trim_diagnostics (output, 8192);
      gsize length = strlen (output);
      gsize max;
      guint j;

      g_test_message ("%s:\n%s", c->fixture, trimmed);
      for (j = 0; c->keep[j] != NULL; j++)
        g_assert_nonnull (strstr (trimmed, c->keep[j]));
      for (j = 0; c->drop[j] != NULL; j++)
        g_assert_null (strstr (trimmed, c->drop[j]));
      g_assert_cmpuint (count (trimmed, "In file included from"), <=, 1);
      g_assert_cmpuint (strlen (trimmed), <=, length);

      /* Any cap holds, never cuts a character, and keeps the start of the first error */
      for (max = 0; max <= length + 1; max++)
        {
          g_autofree char *capped = kiln_prompt_trim_diagnostics (output, max);
          gsize common;

          g_assert_cmpuint (strlen (capped), <=, max);
          g_assert_true (g_utf8_validate (capped, -1, NULL));
          for (common = 0; capped[common] != '\0' && capped[common] == trimmed[common]; common++)
            ;
          g_assert_true (capped[common] == '\0' || g_str_has_prefix (capped + common, "("));
        }
    }
}

static void
test_trim_cap (void)
{
  g_autofree char *output = read_fixture ("template-mismatch.gcc.txt");
  g_autofree char *full = kiln_prompt_trim_diagnostics (output, G_MAXSIZE);
  const char *second = strstr (full, "main.cpp: In instantiation of");
  g_autofree char *first_only = NULL;
  gsize first_length;

  g_assert_nonnull (second);
  first_length = second - full;

  /* Room for the first error and the note about the rest */
  first_only = kiln_prompt_trim_diagnostics (output, first_length + 40);
  g_assert_true (g_str_has_prefix (first_only, "main.cpp: In function"));
  g_assert_null (strstr (first_only, "no match for"));
  g_assert_true (g_str_has_suffix (first_only, "(1 more error not shown)\n"));

  /* Nothing recognised: the start of it, as it is */
  g_clear_pointer (&first_only, g_free);
  first_only = kiln_prompt_trim_diagnostics ("something odd\nhappened\n", 9);
  g_assert_cmpstr (first_only, ==, "something");
  g_clear_pointer (&first_only, g_free);
  first_only = kiln_prompt_trim_diagnostics ("", 100);
  g_assert_cmpstr (first_only, ==, "");
}

static void
test_trim_many_errors (void)
{
  g_autoptr(GString) output = g_string_new (NULL);
  g_autofree char *trimmed = NULL;
  guint i;

  for (i = 1; i <= 200; i++)
    {
      g_string_append_printf (output, "main.cpp:%u:5: warning: unused variable 'w%u'\n", i, i);
      g_string_append_printf (output, "main.cpp:%u:9: error: 'x%u' was not declared\n"
                                      "  %u |     x%u = 1;\n      |     ^~\n", i, i, i, i);
    }
  g_string_append (output, "main.cpp:999:1: warning: last one\r\n");

  trimmed = kiln_prompt_trim_diagnostics (output->str, 1000);
  g_test_message ("%s", trimmed);
  g_assert_cmpuint (strlen (trimmed), <=, 1000);
  g_assert_true (g_str_has_prefix (trimmed, "main.cpp:1:9: error: 'x1' was not declared\n"));
  g_assert_null (strstr (trimmed, "warning"));
  g_assert_nonnull (strstr (trimmed, "more errors not shown)\n"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* Before anything asks GLib for the user's folders */
  config_home = g_dir_make_tmp ("kiln-test-prompt-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/prompt/render/table", test_render_table);
  g_test_add_func ("/prompt/render/no-values", test_render_no_values);
  g_test_add_func ("/prompt/builtin-templates", test_builtin_templates);
  g_test_add_func ("/prompt/load/override", test_load_override);
  g_test_add_func ("/prompt/trim/fixtures", test_trim_fixtures);
  g_test_add_func ("/prompt/trim/cap", test_trim_cap);
  g_test_add_func ("/prompt/trim/many-errors", test_trim_many_errors);

  status = g_test_run ();

  {
    g_autofree char *prompts = g_build_filename (config_home, "kiln", "prompts", NULL);
    g_autofree char *kiln = g_build_filename (config_home, "kiln", NULL);

    g_rmdir (prompts);
    g_rmdir (kiln);
    g_rmdir (config_home);
    g_free (config_home);
  }

  return status;
}

/* test-cli.c: the real kiln-cli binary, its exit statuses and its JSON contract
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

/* The folder every test writes its programs into; the binary cache lives inside it. */
static char *work_dir;
static char *cache_dir;

typedef struct
{
  int        status;   /* exit status; -1 when kiln-cli did not exit by itself */
  char      *out;
  gsize      out_len;
  char      *err;
  JsonNode  *root;     /* the parsed stdout, with --json */
  double     seconds;  /* how long kiln-cli ran */
} CliResult;

static void
cli_result_free (CliResult *self)
{
  g_free (self->out);
  g_free (self->err);
  g_clear_pointer (&self->root, json_node_unref);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliResult, cli_result_free)

static char *
write_file (const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (work_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

/* Runs kiln-cli with @args (NULL-terminated) in the work folder. With @json, --json and the
 * test's cache folder are added and stdout must be exactly one JSON object. */
static CliResult *
run_cli_full (gboolean            json,
              gboolean            add_cache_dir,
              const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("KILN_CLI");
  CliResult *result = g_new0 (CliResult, 1);
  gint64 started;

  g_assert_nonnull (cli);

  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  if (add_cache_dir)
    {
      g_ptr_array_add (argv, (gpointer) "--cache-dir");
      g_ptr_array_add (argv, cache_dir);
    }
  if (json)
    g_ptr_array_add (argv, (gpointer) "--json");
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, work_dir);
  /* Messages are checked in English. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");

  started = g_get_monotonic_time ();
  subprocess = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                             &error);
  g_assert_no_error (error);
  g_subprocess_communicate (subprocess, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  result->seconds = (g_get_monotonic_time () - started) / 1e6;

  result->status = g_subprocess_get_if_exited (subprocess)
                     ? g_subprocess_get_exit_status (subprocess) : -1;
  result->out = g_bytes_unref_to_data (g_steal_pointer (&out), &result->out_len);
  result->out = g_realloc (result->out, result->out_len + 1);
  result->out[result->out_len] = '\0';
  result->err = g_bytes_get_size (err) > 0
                  ? g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err))
                  : g_strdup ("");

  if (json)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *stripped = g_strstrip (g_strdup (result->out));

      /* Nothing but the object on stdout: a script pipes it straight into a parser. */
      if (!g_str_has_prefix (stripped, "{") || !g_str_has_suffix (stripped, "}"))
        g_error ("kiln-cli --json printed more than one JSON object:\n%s\nstderr:\n%s",
                 result->out, result->err);
      g_assert_true (g_utf8_validate (result->out, result->out_len, NULL));
      json_parser_load_from_data (parser, result->out, result->out_len, &error);
      g_assert_no_error (error);
      result->root = json_node_ref (json_parser_get_root (parser));
      g_assert_true (JSON_NODE_HOLDS_OBJECT (result->root));
    }

  return result;
}

#define run_cli(...) run_cli_full (FALSE, TRUE, (const char * const []) { __VA_ARGS__, NULL })
#define run_cli_json(...) run_cli_full (TRUE, TRUE, (const char * const []) { __VA_ARGS__, NULL })

/* --- the contract ------------------------------------------------------------------- */

static void
assert_keys (JsonObject         *object,
             const char * const *keys)
{
  g_autoptr(GList) members = json_object_get_members (object);
  guint n_keys = g_strv_length ((char **) keys);

  for (guint i = 0; keys[i] != NULL; i++)
    if (!json_object_has_member (object, keys[i]))
      g_error ("JSON object lacks the key “%s”", keys[i]);

  for (const GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (keys, l->data))
      g_error ("JSON object has the unexpected key “%s”", (const char *) l->data);

  g_assert_cmpuint (json_object_get_size (object), ==, n_keys);
}

static gboolean
member_is_null (JsonObject *object,
                const char *name)
{
  return JSON_NODE_HOLDS_NULL (json_object_get_member (object, name));
}

static void
assert_value_type (JsonObject *object,
                   const char *name,
                   GType       type)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    g_error ("JSON member “%s” is not a %s", name, g_type_name (type));
}

static void
assert_boolean (JsonObject *object,
                const char *name)
{
  assert_value_type (object, name, G_TYPE_BOOLEAN);
}

static void
assert_string (JsonObject *object,
               const char *name)
{
  assert_value_type (object, name, G_TYPE_STRING);
}

static void
assert_nullable_string (JsonObject *object,
                        const char *name)
{
  if (!member_is_null (object, name))
    assert_string (object, name);
}

/* Counts, line numbers, statuses and kibibytes are JSON integers. */
static void
assert_integer (JsonObject *object,
                const char *name)
{
  assert_value_type (object, name, G_TYPE_INT64);
}

static void
assert_nullable_integer (JsonObject *object,
                         const char *name)
{
  if (!member_is_null (object, name))
    assert_integer (object, name);
}

/* Any JSON number (json-glib reads 2.0 as a double and 2 as an integer). */
static void
assert_number (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE &&
       json_node_get_value_type (node) != G_TYPE_INT64))
    g_error ("JSON member “%s” is not a number", name);
  g_assert_cmpfloat (json_object_get_double_member (object, name), >=, 0);
}

static void
assert_nullable_number (JsonObject *object,
                        const char *name)
{
  if (!member_is_null (object, name))
    assert_number (object, name);
}

static JsonArray *
assert_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));

  return json_node_get_array (node);
}

static void
assert_compile_object (JsonObject *compile)
{
  static const char * const keys[] = { "ok", "cached", "seconds", "command", "diagnostics",
                                       NULL };
  static const char * const diagnostic_keys[] = { "file", "line", "column", "severity",
                                                  "message", NULL };
  static const char * const severities[] = { "error", "warning", "note", NULL };
  JsonArray *command, *diagnostics;

  assert_keys (compile, keys);
  assert_boolean (compile, "ok");
  assert_boolean (compile, "cached");
  assert_number (compile, "seconds");

  command = assert_array (compile, "command");
  g_assert_cmpuint (json_array_get_length (command), >, 0);
  for (guint i = 0; i < json_array_get_length (command); i++)
    {
      JsonNode *node = json_array_get_element (command, i);

      g_assert_true (JSON_NODE_HOLDS_VALUE (node));
      g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
    }

  diagnostics = assert_array (compile, "diagnostics");
  for (guint i = 0; i < json_array_get_length (diagnostics); i++)
    {
      JsonNode *node = json_array_get_element (diagnostics, i);
      JsonObject *diagnostic;

      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      diagnostic = json_node_get_object (node);
      assert_keys (diagnostic, diagnostic_keys);
      assert_string (diagnostic, "file");
      assert_integer (diagnostic, "line");
      assert_integer (diagnostic, "column");
      assert_string (diagnostic, "severity");
      assert_string (diagnostic, "message");
      g_assert_true (g_strv_contains (severities,
                                      json_object_get_string_member (diagnostic, "severity")));
    }
}

static void
assert_run_stats_object (JsonObject *run)
{
  static const char * const keys[] = { "wall_seconds", "user_seconds", "sys_seconds",
                                       "max_rss_kib", "exit_status", "signal", "timed_out",
                                       "output_truncated", NULL };

  assert_keys (run, keys);
  assert_number (run, "wall_seconds");
  assert_number (run, "user_seconds");
  assert_number (run, "sys_seconds");
  assert_integer (run, "max_rss_kib");
  assert_nullable_integer (run, "exit_status");
  assert_nullable_integer (run, "signal");
  assert_boolean (run, "timed_out");
  assert_boolean (run, "output_truncated");

  /* A run either exited or was ended by a signal. */
  g_assert_true (member_is_null (run, "exit_status") != member_is_null (run, "signal"));
}

/* Checks every key and type of a run object; returns it. */
static JsonObject *
assert_run_object (JsonNode   *node,
                   const char *language)
{
  static const char * const keys[] = { "language", "ok", "error", "sandbox", "compile", "runs",
                                       "wall_seconds_median", "cpu_seconds", "stdout", "stderr",
                                       NULL };
  JsonObject *run;
  JsonArray *runs;

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  run = json_node_get_object (node);

  assert_keys (run, keys);
  assert_string (run, "language");
  g_assert_cmpstr (json_object_get_string_member (run, "language"), ==, language);
  assert_boolean (run, "ok");
  assert_nullable_string (run, "error");
  assert_string (run, "sandbox");
  g_assert_true (g_strv_contains ((const char * const []) { "bubblewrap", "flatpak", "limits",
                                                            NULL },
                                  json_object_get_string_member (run, "sandbox")));
  /* An error exactly when not ok, so a script can show why. */
  g_assert_true (json_object_get_boolean_member (run, "ok") == member_is_null (run, "error"));

  if (!member_is_null (run, "compile"))
    {
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (run, "compile")));
      assert_compile_object (json_object_get_object_member (run, "compile"));
    }
  if (g_str_equal (language, "python"))
    g_assert_true (member_is_null (run, "compile"));

  runs = assert_array (run, "runs");
  for (guint i = 0; i < json_array_get_length (runs); i++)
    {
      JsonNode *element = json_array_get_element (runs, i);

      g_assert_true (JSON_NODE_HOLDS_OBJECT (element));
      assert_run_stats_object (json_node_get_object (element));
    }

  assert_nullable_number (run, "wall_seconds_median");
  g_assert_true (member_is_null (run, "wall_seconds_median") ==
                 (json_array_get_length (runs) == 0));
  g_assert_true (member_is_null (run, "cpu_seconds") == (json_array_get_length (runs) == 0));
  if (!member_is_null (run, "cpu_seconds"))
    {
      static const char * const cpu_keys[] = { "median", "min", "max", NULL };
      JsonObject *cpu = json_object_get_object_member (run, "cpu_seconds");

      assert_keys (cpu, cpu_keys);
      assert_number (cpu, "median");
      assert_number (cpu, "min");
      assert_number (cpu, "max");
      g_assert_cmpfloat (json_object_get_double_member (cpu, "min"), <=,
                         json_object_get_double_member (cpu, "median"));
      g_assert_cmpfloat (json_object_get_double_member (cpu, "median"), <=,
                         json_object_get_double_member (cpu, "max"));
    }
  assert_string (run, "stdout");
  assert_string (run, "stderr");

  return run;
}

/* Checks every key and type of a compare object; returns it. */
static JsonObject *
assert_compare_object (JsonNode *node)
{
  static const char * const keys[] = { "python", "cpp", "outputs_match", "first_difference",
                                       "speedup", "speedup_is_lower_bound",
                                       "matches_within_tolerance", "tolerance", "speedup_cpu",
                                       "speedup_wall", "speedup_range", "noisy", "basis",
                                       "startup_floor_seconds", "verified", "check",
                                       "suspicious", "cases", "failed_case", "error", NULL };
  static const char * const difference_keys[] = { "line", "column", "python", "cpp", NULL };
  JsonObject *compare;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  compare = json_node_get_object (node);

  assert_keys (compare, keys);
  assert_run_object (json_object_get_member (compare, "python"), "python");
  assert_run_object (json_object_get_member (compare, "cpp"), "cpp");
  assert_boolean (compare, "outputs_match");
  if (!member_is_null (compare, "first_difference"))
    {
      JsonObject *difference = json_object_get_object_member (compare, "first_difference");

      g_assert_nonnull (difference);
      assert_keys (difference, difference_keys);
      assert_integer (difference, "line");
      g_assert_cmpint (json_object_get_int_member (difference, "line"), >=, 1);
      assert_nullable_string (difference, "python");
      assert_nullable_string (difference, "cpp");
      g_assert_false (json_object_get_boolean_member (compare, "outputs_match"));
    }
  assert_nullable_number (compare, "speedup");
  assert_boolean (compare, "speedup_is_lower_bound");
  if (json_object_get_boolean_member (compare, "speedup_is_lower_bound"))
    g_assert_false (member_is_null (compare, "speedup"));
  assert_boolean (compare, "verified");
  assert_boolean (compare, "noisy");
  assert_nullable_number (compare, "speedup_cpu");
  g_assert_true (g_strcmp0 (json_object_get_string_member (compare, "basis"), "cpu") == 0 ||
                 g_strcmp0 (json_object_get_string_member (compare, "basis"), "wall") == 0);
  /* A speedup, its CPU figure and its spread only for a verified program. */
  if (!json_object_get_boolean_member (compare, "verified"))
    {
      g_assert_true (member_is_null (compare, "speedup"));
      g_assert_true (member_is_null (compare, "speedup_cpu"));
      g_assert_true (member_is_null (compare, "speedup_range"));
    }
  else
    {
      JsonArray *range = json_object_get_array_member (compare, "speedup_range");
      double speedup = json_object_get_double_member (compare, "speedup");

      g_assert_nonnull (range);
      g_assert_cmpuint (json_array_get_length (range), ==, 2);
      g_assert_cmpfloat (json_array_get_double_element (range, 0), <=, speedup * 1.000001);
      g_assert_cmpfloat (json_array_get_double_element (range, 1), >=, speedup * 0.999999);
    }

  return compare;
}

static JsonObject *
first_run (JsonObject *run)
{
  JsonArray *runs = json_object_get_array_member (run, "runs");

  g_assert_cmpuint (json_array_get_length (runs), >=, 1);

  return json_array_get_object_element (runs, 0);
}

static const char *
error_of (JsonObject *run)
{
  g_assert_false (member_is_null (run, "error"));

  return json_object_get_string_member (run, "error");
}

/* --- programs ----------------------------------------------------------------------- */

static const char hello_py[] = "print('hello')\n";

static const char hello_cpp[] =
  "#include <cstdio>\n"
  "int main()\n"
  "{\n"
  "  std::puts(\"hello\");\n"
  "  return 0;\n"
  "}\n";

/* --- tests -------------------------------------------------------------------------- */

static void
test_run_python (void)
{
  g_autofree char *py = write_file ("hello.py", hello_py);
  g_autoptr(CliResult) cli = run_cli_json ("run", py);
  JsonObject *run = assert_run_object (cli->root, "python");
  JsonObject *stats;

  g_assert_cmpint (cli->status, ==, 0);
  g_assert_true (json_object_get_boolean_member (run, "ok"));
  g_assert_true (member_is_null (run, "error"));
  g_assert_true (member_is_null (run, "compile"));
  g_assert_cmpstr (json_object_get_string_member (run, "stdout"), ==, "hello\n");
  g_assert_cmpstr (json_object_get_string_member (run, "stderr"), ==, "");
  /* Timed like C++: three runs. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run, "runs")), ==, 3);

  stats = first_run (run);
  g_assert_cmpfloat (json_object_get_double_member (stats, "wall_seconds"), >, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "max_rss_kib"), >, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "exit_status"), ==, 0);
  g_assert_true (member_is_null (stats, "signal"));
  g_assert_false (json_object_get_boolean_member (stats, "timed_out"));
  g_assert_false (json_object_get_boolean_member (stats, "output_truncated"));
  /* The median is one of the runs' times. */
  {
    JsonArray *runs = json_object_get_array_member (run, "runs");
    double median = json_object_get_double_member (run, "wall_seconds_median");
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (runs); i++)
      found |= json_object_get_double_member (json_array_get_object_element (runs, i),
                                              "wall_seconds") == median;
    g_assert_true (found);
  }
}

static gboolean
command_contains (JsonObject *compile,
                  const char *argument)
{
  JsonArray *command = json_object_get_array_member (compile, "command");

  for (guint i = 0; i < json_array_get_length (command); i++)
    if (g_strcmp0 (json_array_get_string_element (command, i), argument) == 0)
      return TRUE;

  return FALSE;
}

static void
test_run_cpp (void)
{
  g_autofree char *cpp = write_file ("hello.cpp", hello_cpp);
  g_autoptr(CliResult) cli = run_cli_json ("run", cpp);
  JsonObject *run = assert_run_object (cli->root, "cpp");
  JsonObject *compile;
  JsonArray *runs;

  g_assert_cmpint (cli->status, ==, 0);
  g_assert_true (json_object_get_boolean_member (run, "ok"));
  g_assert_cmpstr (json_object_get_string_member (run, "stdout"), ==, "hello\n");

  compile = json_object_get_object_member (run, "compile");
  g_assert_nonnull (compile);
  g_assert_true (json_object_get_boolean_member (compile, "ok"));
  g_assert_true (command_contains (compile, "-O3"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (compile,
                                                                         "diagnostics")),
                    ==, 0);

  /* A fast program runs three times by default. */
  runs = json_object_get_array_member (run, "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 3);
  for (guint i = 0; i < json_array_get_length (runs); i++)
    {
      JsonObject *stats = json_array_get_object_element (runs, i);

      g_assert_cmpint (json_object_get_int_member (stats, "exit_status"), ==, 0);
      g_assert_cmpfloat (json_object_get_double_member (stats, "wall_seconds"), >, 0);
      g_assert_cmpint (json_object_get_int_member (stats, "max_rss_kib"), >, 0);
    }
}

static void
test_run_cpp_cached (void)
{
  /* A source no other test compiles, so the first build cannot come from the cache. */
  g_autofree char *source = g_strdup_printf ("// %" G_GINT64_FORMAT "\n%s",
                                             g_get_real_time (), hello_cpp);
  g_autofree char *cpp = write_file ("cached.cpp", source);
  g_autoptr(CliResult) first = run_cli_json ("run", cpp);
  g_autoptr(CliResult) second = run_cli_json ("run", cpp);
  JsonObject *run, *compile;

  run = assert_run_object (first->root, "cpp");
  compile = json_object_get_object_member (run, "compile");
  g_assert_cmpint (first->status, ==, 0);
  g_assert_true (json_object_get_boolean_member (compile, "ok"));
  g_assert_false (json_object_get_boolean_member (compile, "cached"));

  run = assert_run_object (second->root, "cpp");
  compile = json_object_get_object_member (run, "compile");
  g_assert_cmpint (second->status, ==, 0);
  g_assert_true (json_object_get_boolean_member (compile, "ok"));
  g_assert_true (json_object_get_boolean_member (compile, "cached"));
  g_assert_true (command_contains (compile, "-O3"));
  g_assert_cmpstr (json_object_get_string_member (run, "stdout"), ==, "hello\n");
}

static void
test_run_cpp_broken (void)
{
  g_autofree char *cpp = write_file ("broken.cpp",
                                     "#include <cstdio>\n"
                                     "int main()\n"
                                     "{\n"
                                     "  std::printf(\"%d\\n\", undeclared_thing);\n"
                                     "  return 0;\n"
                                     "}\n");
  g_autoptr(CliResult) cli = run_cli_json ("run", cpp);
  JsonObject *run = assert_run_object (cli->root, "cpp");
  JsonObject *compile, *diagnostic;
  JsonArray *diagnostics;

  g_assert_cmpint (cli->status, ==, 1);
  g_assert_false (json_object_get_boolean_member (run, "ok"));
  g_assert_nonnull (strstr (error_of (run), "did not compile"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run, "runs")), ==, 0);
  g_assert_true (member_is_null (run, "wall_seconds_median"));

  compile = json_object_get_object_member (run, "compile");
  g_assert_false (json_object_get_boolean_member (compile, "ok"));
  g_assert_false (json_object_get_boolean_member (compile, "cached"));
  diagnostics = json_object_get_array_member (compile, "diagnostics");
  g_assert_cmpuint (json_array_get_length (diagnostics), >=, 1);
  diagnostic = json_array_get_object_element (diagnostics, 0);
  g_assert_cmpint (json_object_get_int_member (diagnostic, "line"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (diagnostic, "column"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (diagnostic, "severity"), ==, "error");
  g_assert_nonnull (strstr (json_object_get_string_member (diagnostic, "message"),
                            "undeclared_thing"));
}

static void
test_compare_match (void)
{
  g_autofree char *py = write_file ("hello.py", hello_py);
  g_autofree char *cpp = write_file ("hello.cpp", hello_cpp);
  g_autoptr(CliResult) cli = run_cli_json ("compare", py, cpp);
  JsonObject *compare = assert_compare_object (cli->root);

  g_assert_cmpint (cli->status, ==, 0);
  g_assert_true (json_object_get_boolean_member (compare, "outputs_match"));
  g_assert_true (member_is_null (compare, "first_difference"));
  g_assert_false (member_is_null (compare, "speedup"));
  g_assert_cmpfloat (json_object_get_double_member (compare, "speedup"), >, 0);
}

static void
test_compare_differ (void)
{
  g_autofree char *py = write_file ("differ.py", "print('one')\nprint('two')\nprint('three')\n");
  g_autofree char *cpp = write_file ("differ.cpp",
                                     "#include <cstdio>\n"
                                     "int main()\n"
                                     "{\n"
                                     "  std::puts(\"one\");\n"
                                     "  std::puts(\"TWO\");\n"
                                     "  std::puts(\"three\");\n"
                                     "}\n");
  g_autoptr(CliResult) cli = run_cli_json ("compare", py, cpp);
  JsonObject *compare = assert_compare_object (cli->root);
  JsonObject *difference;

  g_assert_cmpint (cli->status, ==, 1);
  g_assert_false (json_object_get_boolean_member (compare, "outputs_match"));
  difference = json_object_get_object_member (compare, "first_difference");
  g_assert_nonnull (difference);
  g_assert_cmpint (json_object_get_int_member (difference, "line"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (difference, "python"), ==, "two");
  g_assert_cmpstr (json_object_get_string_member (difference, "cpp"), ==, "TWO");
  g_assert_cmpint (json_object_get_int_member (difference, "column"), ==, 0);
  /* Both ran and were timed, but a wrong program gets no speedup. */
  g_assert_false (json_object_get_boolean_member (compare, "verified"));
  g_assert_cmpstr (json_object_get_string_member (compare, "check"), ==, "output-differs");
  g_assert_true (member_is_null (compare, "speedup"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (compare, "cpp"), "runs")), >=, 1);
}

static void
test_compare_shorter (void)
{
  g_autofree char *py = write_file ("longer.py", "print('one')\nprint('two')\n");
  g_autofree char *cpp = write_file ("shorter.cpp",
                                     "#include <cstdio>\n"
                                     "int main()\n"
                                     "{\n"
                                     "  std::puts(\"one\");\n"
                                     "}\n");
  g_autoptr(CliResult) cli = run_cli_json ("compare", py, cpp);
  JsonObject *compare = assert_compare_object (cli->root);
  JsonObject *difference;

  g_assert_cmpint (cli->status, ==, 1);
  g_assert_false (json_object_get_boolean_member (compare, "outputs_match"));
  difference = json_object_get_object_member (compare, "first_difference");
  g_assert_cmpint (json_object_get_int_member (difference, "line"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (difference, "python"), ==, "two");
  g_assert_true (member_is_null (difference, "cpp"));
}

static void
test_compare_timing_lines (void)
{
  g_autofree char *py = write_file ("timed.py",
                                    "print('Result: 42')\n"
                                    "print('Execution Time: 0.5 seconds')\n");
  g_autofree char *cpp = write_file ("timed.cpp",
                                     "#include <cstdio>\n"
                                     "int main()\n"
                                     "{\n"
                                     "  std::puts(\"Result: 42\");\n"
                                     "  std::puts(\"Execution Time: 0.001 seconds\");\n"
                                     "}\n");
  g_autoptr(CliResult) cli = run_cli_json ("compare", py, cpp);
  JsonObject *compare = assert_compare_object (cli->root);

  g_assert_cmpint (cli->status, ==, 0);
  g_assert_true (json_object_get_boolean_member (compare, "outputs_match"));
  g_assert_true (member_is_null (compare, "first_difference"));
}

static void
test_stdin (void)
{
  g_autofree char *input = write_file ("numbers.input", "1 2 3\n4\n");
  g_autofree char *py = write_file ("sum.py",
                                    "import sys\n"
                                    "print(sum(int(word) for word in sys.stdin.read().split()))\n");
  g_autofree char *cpp = write_file ("sum.cpp",
                                     "#include <iostream>\n"
                                     "int main()\n"
                                     "{\n"
                                     "  long total = 0, n;\n"
                                     "  while (std::cin >> n)\n"
                                     "    total += n;\n"
                                     "  std::cout << total << '\\n';\n"
                                     "}\n");
  g_autoptr(CliResult) run = run_cli_json ("run", py, "--stdin", input);
  g_autoptr(CliResult) compare = run_cli_json ("compare", py, cpp, "--stdin", input);
  g_autoptr(CliResult) without = run_cli_json ("run", py);
  JsonObject *object;

  object = assert_run_object (run->root, "python");
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "stdout"), ==, "10\n");

  /* Both programs of a comparison get the input. */
  object = assert_compare_object (compare->root);
  g_assert_cmpint (compare->status, ==, 0);
  g_assert_true (json_object_get_boolean_member (object, "outputs_match"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "cpp"),
                                                  "stdout"), ==, "10\n");

  /* Without --stdin the program reads an empty input, it does not wait. */
  object = assert_run_object (without->root, "python");
  g_assert_cmpint (without->status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "stdout"), ==, "0\n");
}

static void
test_timeout (void)
{
  g_autofree char *py = write_file ("forever.py", "while True:\n    pass\n");
  g_autoptr(CliResult) cli = run_cli_json ("run", py, "--timeout", "1");
  JsonObject *run = assert_run_object (cli->root, "python");
  JsonObject *stats;

  g_assert_cmpint (cli->status, ==, 1);
  g_assert_cmpfloat (cli->seconds, <, 10);
  g_assert_false (json_object_get_boolean_member (run, "ok"));
  g_assert_nonnull (strstr (error_of (run), "Stopped after 1 s"));

  stats = first_run (run);
  g_assert_true (json_object_get_boolean_member (stats, "timed_out"));
  g_assert_true (member_is_null (stats, "exit_status"));
  g_assert_cmpfloat (json_object_get_double_member (stats, "wall_seconds"), >=, 0.9);
  g_assert_cmpfloat (json_object_get_double_member (stats, "wall_seconds"), <, 5);
}

static void
test_output_cap (void)
{
  /* 100 MiB if nothing stopped it. */
  g_autofree char *py = write_file ("flood.py",
                                    "import sys\n"
                                    "line = 'x' * 1023 + '\\n'\n"
                                    "for _ in range(100 * 1024):\n"
                                    "    sys.stdout.write(line)\n");
  g_autoptr(CliResult) cli = run_cli_json ("run", py);
  JsonObject *run = assert_run_object (cli->root, "python");
  JsonObject *stats;

  g_assert_cmpint (cli->status, ==, 1);
  g_assert_false (json_object_get_boolean_member (run, "ok"));
  g_assert_cmpuint (strlen (json_object_get_string_member (run, "stdout")), ==, 1048576);
  g_assert_nonnull (strstr (error_of (run), "stdout"));

  stats = first_run (run);
  g_assert_true (json_object_get_boolean_member (stats, "output_truncated"));
  g_assert_false (json_object_get_boolean_member (stats, "timed_out"));
}

static void
test_python_syntax_error (void)
{
  g_autofree char *py = write_file ("syntax.py", "print('a'\nprint('b')\n");
  g_autoptr(CliResult) cli = run_cli_json ("run", py);
  JsonObject *run = assert_run_object (cli->root, "python");
  JsonObject *stats;

  g_assert_cmpint (cli->status, ==, 1);
  g_assert_false (json_object_get_boolean_member (run, "ok"));
  g_assert_nonnull (strstr (error_of (run), "SyntaxError"));
  g_assert_nonnull (strstr (json_object_get_string_member (run, "stderr"), "SyntaxError"));
  stats = first_run (run);
  g_assert_cmpint (json_object_get_int_member (stats, "exit_status"), ==, 1);
}

static void
test_segfault (void)
{
  /* The null pointer comes from argc, so the optimiser cannot turn the store into a trap. */
  g_autofree char *cpp = write_file ("crash.cpp",
                                     "#include <cstdint>\n"
                                     "int main(int argc, char **argv)\n"
                                     "{\n"
                                     "  volatile int *p = (volatile int *) (std::intptr_t) "
                                     "(argc - 1);\n"
                                     "  *p = 42;\n"
                                     "  return 0;\n"
                                     "}\n");
  g_autoptr(CliResult) cli = run_cli_json ("run", cpp);
  JsonObject *run = assert_run_object (cli->root, "cpp");
  JsonObject *stats;

  g_assert_cmpint (cli->status, ==, 1);
  g_assert_false (json_object_get_boolean_member (run, "ok"));
  g_assert_nonnull (strstr (error_of (run), "signal 11"));
  /* A crash ends the repeats: there is no point in timing it again. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run, "runs")), ==, 1);
  stats = first_run (run);
  g_assert_cmpint (json_object_get_int_member (stats, "signal"), ==, 11);
  g_assert_true (member_is_null (stats, "exit_status"));
}

static void
test_missing_python (void)
{
  g_autofree char *py = write_file ("hello.py", hello_py);
  g_autoptr(CliResult) cli = run_cli_json ("run", py, "--python", "/nonexistent/python3");
  JsonObject *run = assert_run_object (cli->root, "python");
  const char *error;

  g_assert_cmpint (cli->status, ==, 1);
  g_assert_false (json_object_get_boolean_member (run, "ok"));
  error = error_of (run);
  g_assert_nonnull (strstr (error, "/nonexistent/python3"));
  g_assert_true (strstr (error, "Preferences") != NULL || strstr (error, "Install") != NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run, "runs")), ==, 0);
}

static void
assert_usage_error (CliResult  *cli,
                    const char *expected)
{
  if (cli->status != 2)
    g_error ("a usage error should exit with status 2, not %d; stderr:\n%s", cli->status,
             cli->err);
  g_assert_cmpstr (cli->out, ==, "");
  g_assert_nonnull (strstr (cli->err, "kiln-cli: "));
  if (expected != NULL && strstr (cli->err, expected) == NULL)
    g_error ("stderr lacks “%s”:\n%s", expected, cli->err);
}

static void
test_usage_errors (void)
{
  g_autofree char *py = write_file ("hello.py", hello_py);
  g_autofree char *cpp = write_file ("hello.cpp", hello_cpp);
  g_autofree char *txt = write_file ("notes.txt", "print('hello')\n");
  g_autofree char *missing = g_build_filename (work_dir, "missing.py", NULL);
  g_autoptr(CliResult) no_command = run_cli_full (FALSE, FALSE, (const char * const []) { NULL });
  g_autoptr(CliResult) unknown = run_cli ("frobnicate", py);
  g_autoptr(CliResult) text_file = run_cli ("run", txt);
  g_autoptr(CliResult) swapped = run_cli ("compare", cpp, py);
  g_autoptr(CliResult) too_few = run_cli ("compare", py);
  g_autoptr(CliResult) no_file = run_cli ("run");
  g_autoptr(CliResult) bad_option = run_cli ("run", py, "--no-such-option");
  g_autoptr(CliResult) absent = run_cli_full (FALSE, TRUE,
                                              (const char * const []) { "run", missing,
                                                                        "--json", NULL });

  assert_usage_error (no_command, "run, compare, models, ask or convert");
  assert_usage_error (unknown, "frobnicate");
  assert_usage_error (text_file, "notes.txt");
  assert_usage_error (swapped, "Python file first");
  assert_usage_error (too_few, NULL);
  assert_usage_error (no_file, NULL);
  assert_usage_error (bad_option, "--no-such-option");
  /* Even with --json, a usage error prints nothing on stdout. */
  assert_usage_error (absent, "missing.py");
}

static void
test_compare_text (void)
{
  g_autofree char *py = write_file ("hello.py", hello_py);
  g_autofree char *cpp = write_file ("hello.cpp", hello_cpp);
  g_autofree char *other = write_file ("other.cpp",
                                       "#include <cstdio>\n"
                                       "int main()\n"
                                       "{\n"
                                       "  std::puts(\"goodbye\");\n"
                                       "}\n");
  g_autoptr(CliResult) match = run_cli ("compare", py, cpp);
  g_autoptr(CliResult) differ = run_cli ("compare", py, other);

  g_assert_cmpint (match->status, ==, 0);
  g_assert_nonnull (strstr (match->out, "Outputs match."));
  g_assert_nonnull (strstr (match->out, "Speedup"));

  g_assert_cmpint (differ->status, ==, 1);
  g_assert_null (strstr (differ->out, "Outputs match."));
  g_assert_nonnull (strstr (differ->out, "goodbye"));
}

static void
test_run_text (void)
{
  g_autofree char *py = write_file ("hello.py", hello_py);
  g_autoptr(CliResult) cli = run_cli ("run", py);

  /* Without --json stdout is the program's own output, the report goes to stderr. */
  g_assert_cmpint (cli->status, ==, 0);
  g_assert_cmpstr (cli->out, ==, "hello\n");
  g_assert_nonnull (strstr (cli->err, "Python"));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *rm = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  work_dir = g_dir_make_tmp ("kiln-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  cache_dir = g_build_filename (work_dir, "cache", NULL);

  g_test_add_func ("/cli/run/python", test_run_python);
  g_test_add_func ("/cli/run/cpp", test_run_cpp);
  g_test_add_func ("/cli/run/cpp-cached", test_run_cpp_cached);
  g_test_add_func ("/cli/run/cpp-broken", test_run_cpp_broken);
  g_test_add_func ("/cli/run/stdin", test_stdin);
  g_test_add_func ("/cli/run/timeout", test_timeout);
  g_test_add_func ("/cli/run/output-cap", test_output_cap);
  g_test_add_func ("/cli/run/python-syntax-error", test_python_syntax_error);
  g_test_add_func ("/cli/run/segfault", test_segfault);
  g_test_add_func ("/cli/run/missing-python", test_missing_python);
  g_test_add_func ("/cli/run/text", test_run_text);
  g_test_add_func ("/cli/compare/match", test_compare_match);
  g_test_add_func ("/cli/compare/differ", test_compare_differ);
  g_test_add_func ("/cli/compare/shorter", test_compare_shorter);
  g_test_add_func ("/cli/compare/timing-lines", test_compare_timing_lines);
  g_test_add_func ("/cli/compare/text", test_compare_text);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);

  status = g_test_run ();

  quoted = g_shell_quote (work_dir);
  rm = g_strdup_printf ("rm -rf %s", quoted);
  g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
  g_free (cache_dir);
  g_free (work_dir);

  return status;
}

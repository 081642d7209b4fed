/* test-compare-models.c: `kiln-cli compare-models` end to end — three scripted models on
 * loopback (one right, one that needs a repair, one always wrong), the real g++ and python3,
 * the leaderboard as JSON, CSV and Markdown, the files written; the leaderboard formats on
 * conversions read back from records; --timing-pattern through `kiln-cli compare`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kiln-core.h"
#include "kiln-test-replay.h"

#define PYTHON_SOURCE "total = 0\nfor i in range(10):\n    total += i\nprint(total)\n"

#define GOOD_CODE \
  "#include <cstdio>\nint main() {\n  long total = 0;\n  for (int i = 0; i < 10; i++) total += i;\n" \
  "  std::printf(\"%ld\\n\", total);\n}\n"
#define BROKEN_CODE \
  "#include <cstdio>\nint main() {\n  long total = 0;\n  for (int i = 0; i < 10; i++) total += i;\n" \
  "  std::printf(\"%ld\\n\", totl);\n}\n"
#define WRONG_CODE \
  "#include <cstdio>\nint main() {\n  std::printf(\"44\\n\");\n}\n"

static const char *csv_header[] = {
  "model", "ok", "verdict", "attempts", "speedup", "cpp_seconds", "ttft_seconds", "tokens_in",
  "tokens_out", "cost_usd", "seconds", "output_file", NULL,
};

static char *tmp_dir;

typedef struct
{
  int             status;
  char           *out;
  char           *err;
  JsonNode       *root;      /* with --json */
  KilnTestReplay  replay;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  g_clear_pointer (&run->root, json_node_unref);
  if (run->replay.server != NULL)
    kiln_test_replay_stop (&run->replay);
}

static JsonObject *
run_json (Run *run)
{
  return json_node_get_object (run->root);
}

static char *
write_file (const char *name,
            const char *contents)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

/* An answer with @code in a fence, streamed slowly enough that the streams of the three
 * models are under way at once. */
static char *
answer_response (const char *code)
{
  g_autofree char *answer = kiln_test_fenced ("Here it is.\n\n", code, "\nSame output.\n");
  g_autofree char *stream = kiln_test_openai_stream (answer, 12, NULL);

  return kiln_test_replay_response (stream, 64, 15);
}

/* Starts a fresh replay: "right" answers right, "repair" first with code that does not
 * compile, then right; "wrong" always prints 44 where the program prints 45. */
static void
start_models (Run *run)
{
  g_autofree char *good = answer_response (GOOD_CODE);
  g_autofree char *broken = answer_response (BROKEN_CODE);
  g_autofree char *wrong = answer_response (WRONG_CODE);
  g_autofree char *scenario = NULL;
  g_autofree char *stalled = NULL;

  /* "stall" sends the start of an answer, then nothing. */
  {
    g_autofree char *answer = kiln_test_fenced ("Working on it.\n\n", GOOD_CODE, "");
    g_autofree char *stream = kiln_test_openai_stream (answer, 12, NULL);
    g_autofree char *response = kiln_test_replay_response (stream, 0, 0);

    g_assert_true (g_str_has_suffix (response, "}"));
    stalled = g_strdup_printf ("%.*s, \"stall_after\": 200}", (int) strlen (response) - 1,
                               response);
  }
  scenario = g_strdup_printf (
    "{\"routes\": {\"/right/v1/chat/completions\": [%s], "
    "\"/repair/v1/chat/completions\": [%s, %s], "
    "\"/wrong/v1/chat/completions\": [%s], "
    "\"/stall/v1/chat/completions\": [%s]}}", good, broken, good, wrong, stalled);

  kiln_test_replay_start (&run->replay, scenario, FALSE);
}

static char *
models_file (guint port)
{
  GString *text = g_string_new ("{\"models\": [");
  const char *ids[] = { "right", "repair", "wrong", "stall" };
  const char *labels[] = { "Right Model", "Repair Model", "Wrong Model", "Stalling Model" };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_string_append_printf (text,
                            "%s{\"id\": \"%s\", \"label\": \"%s\", \"provider\": \"Replay\", "
                            "\"api\": \"openai\", \"base_url\": \"http://127.0.0.1:%u/%s/v1\", "
                            "\"model\": \"m\", \"max_retries\": 0, \"price_in_per_mtok\": 1.0, "
                            "\"price_out_per_mtok\": 2.0}",
                            i > 0 ? ", " : "", ids[i], labels[i], port, ids[i]);
  g_string_append (text, "]}");

  {
    g_autofree char *contents = g_string_free (text, FALSE);

    return write_file ("models.json", contents);
  }
}

/* Runs kiln-cli with @args, then --cache-dir; with @json stdout must be one JSON object. */
static void
run_cli (Run                *run,
         gboolean            json,
         const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = g_build_filename (tmp_dir, "cache", NULL);
  g_autofree char *config = g_build_filename (tmp_dir, "config", NULL);
  char *out = NULL, *err = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("KILN_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, (char *) "--cache-dir");
  g_ptr_array_add (argv, cache);
  if (json)
    g_ptr_array_add (argv, (char *) "--json");
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  /* Messages and figures are checked in English. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);

  if (!g_subprocess_get_if_exited (process))
    g_error ("kiln-cli was killed by signal %d. stdout:\n%s\nstderr:\n%s",
             g_subprocess_get_term_sig (process), out, err);
  run->status = g_subprocess_get_exit_status (process);
  run->out = out;
  run->err = err;
  if (json)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *stripped = g_strstrip (g_strdup (out));

      /* Exactly one object: a script pipes it straight into a parser. */
      if (!g_str_has_prefix (stripped, "{") || !g_str_has_suffix (stripped, "}") ||
          !json_parser_load_from_data (parser, out, -1, NULL))
        g_error ("kiln-cli printed no single JSON object. stdout:\n%s\nstderr:\n%s", out, err);
      run->root = json_node_ref (json_parser_get_root (parser));
      g_assert_true (JSON_NODE_HOLDS_OBJECT (run->root));
    }
}

/* compare-models SOURCE --model right --model repair --model wrong ... */
static void
compare_three (Run        *run,
               const char *source,
               const char *format)
{
  g_autofree char *models = NULL;

  start_models (run);
  models = models_file (run->replay.port);
  run_cli (run, g_strcmp0 (format, "--json") == 0,
           (const char *[]) { "compare-models", source, "--model", "right", "--model", "repair",
                              "--model", "wrong", "--models", models, "--max-attempts", "2",
                              format != NULL && !g_str_equal (format, "--json") ? format : NULL,
                              NULL });
}

static JsonObject *
result_for (JsonArray  *results,
            const char *model)
{
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (g_strcmp0 (json_object_get_string_member (result, "model"), model) == 0)
        return result;
    }
  g_error ("no result for %s", model);
}

static gboolean
is_null (JsonObject *object,
         const char *member)
{
  g_assert_true (json_object_has_member (object, member));
  return JSON_NODE_HOLDS_NULL (json_object_get_member (object, member));
}

static void
assert_file (const char *path,
             const char *expected)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

/* --- CSV, read back as a spreadsheet would ---------------------------------------------- */

/* RFC 4180 records; every line must end with LF. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = NULL;
  GString *field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (row == NULL)
        row = g_ptr_array_new_with_free_func (g_free);

      g_string_truncate (field, 0);
      if (*p == '"')
        {
          for (p++; ; p++)
            {
              g_assert_true (*p != '\0');
              if (*p == '"' && p[1] == '"')
                g_string_append_c (field, *p++);
              else if (*p == '"')
                break;
              else
                g_string_append_c (field, *p);
            }
          p++;
        }
      else
        while (*p != ',' && *p != '\n' && *p != '\0')
          {
            g_assert_true (*p != '"' && *p != '\r');
            g_string_append_c (field, *p++);
          }
      g_ptr_array_add (row, g_strdup (field->str));

      if (*p == ',')
        p++;
      else
        {
          g_assert_cmpint (*p, ==, '\n');
          p++;
          g_ptr_array_add (row, NULL);
          g_ptr_array_add (rows, g_steal_pointer (&row));
        }
    }
  g_assert_null (row);
  g_string_free (field, TRUE);
  return rows;
}

static const char *
csv_cell (GPtrArray  *rows,
          guint       row,
          const char *column)
{
  const char * const *header = (const char * const *) ((GPtrArray *) rows->pdata[0])->pdata;

  for (guint i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], column))
      return ((GPtrArray *) rows->pdata[row])->pdata[i];
  g_error ("no column %s", column);
}

/* The CSV cell of a JSON member: "" for null, true/false, the number. */
static void
assert_csv_matches_json (const char *cell,
                         JsonObject *result,
                         const char *member)
{
  JsonNode *node = json_object_get_member (result, member);

  if (JSON_NODE_HOLDS_NULL (node))
    g_assert_cmpstr (cell, ==, "");
  else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    g_assert_cmpstr (cell, ==, json_node_get_boolean (node) ? "true" : "false");
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    g_assert_cmpstr (cell, ==, json_node_get_string (node));
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    g_assert_cmpint (g_ascii_strtoll (cell, NULL, 10), ==, json_node_get_int (node));
  else
    {
      double expected = json_node_get_double (node);
      char *end = NULL;
      double value = g_ascii_strtod (cell, &end);

      g_assert_cmpstr (end, ==, "");
      /* Six significant digits. */
      g_assert_cmpfloat_with_epsilon (value, expected, fabs (expected) * 1e-5 + 1e-12);
    }
}

/* --- tests through kiln-cli ------------------------------------------------------------- */

static void
test_json (void)
{
  g_autofree char *source = write_file ("sum.py", PYTHON_SOURCE);
  g_autofree char *right_file = g_build_filename (tmp_dir, "sum.right.cpp", NULL);
  g_autofree char *repair_file = g_build_filename (tmp_dir, "sum.repair.cpp", NULL);
  g_autofree char *wrong_file = g_build_filename (tmp_dir, "sum.wrong.cpp", NULL);
  JsonArray *results;
  JsonObject *root, *right, *repair, *wrong;
  Run run = { 0 };
  GList *members;
  const char *expected_members[] = {
    "model", "ok", "verdict", "attempts", "speedup", "speedup_range", "noisy", "basis",
    "suspicious", "cpp_seconds", "ttft_seconds", "tokens_in", "tokens_out", "cost_usd",
    "seconds", "output_file",
  };

  compare_three (&run, source, "--json");

  /* One model failed. */
  g_assert_cmpint (run.status, ==, 1);
  root = run_json (&run);
  g_assert_cmpstr (json_object_get_string_member (root, "program"), ==, source);
  g_assert_cmpfloat (json_object_get_double_member (root, "python_seconds"), >, 0);
  members = json_object_get_members (root);
  g_assert_cmpuint (g_list_length (members), ==, 3);
  g_list_free (members);

  results = json_object_get_array_member (root, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      members = json_object_get_members (result);
      g_assert_cmpuint (g_list_length (members), ==, G_N_ELEMENTS (expected_members));
      g_list_free (members);
      for (guint j = 0; j < G_N_ELEMENTS (expected_members); j++)
        g_assert_true (json_object_has_member (result, expected_members[j]));
    }

  /* The two verified ones first (by speedup), the wrong one last. */
  right = result_for (results, "right");
  repair = result_for (results, "repair");
  wrong = json_array_get_object_element (results, 2);
  g_assert_cmpstr (json_object_get_string_member (wrong, "model"), ==, "wrong");
  g_assert_true (json_array_get_object_element (results, 0) != wrong);
  {
    JsonObject *first = json_array_get_object_element (results, 0);
    JsonObject *second = json_array_get_object_element (results, 1);

    g_assert_cmpfloat (json_object_get_double_member (first, "speedup"), >=,
                       json_object_get_double_member (second, "speedup"));
  }

  g_assert_true (json_object_get_boolean_member (right, "ok"));
  g_assert_cmpstr (json_object_get_string_member (right, "verdict"), ==, "matched");
  g_assert_cmpint (json_object_get_int_member (right, "attempts"), ==, 1);
  g_assert_cmpfloat (json_object_get_double_member (right, "speedup"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (right, "cpp_seconds"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (right, "ttft_seconds"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (right, "tokens_in"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (right, "tokens_out"), ==, 40);
  /* 100 tokens at $1 and 40 at $2 per million. */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (right, "cost_usd"), 0.00018,
                                  1e-9);
  g_assert_cmpfloat (json_object_get_double_member (right, "seconds"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (right, "output_file"), ==, right_file);

  g_assert_true (json_object_get_boolean_member (repair, "ok"));
  g_assert_cmpstr (json_object_get_string_member (repair, "verdict"), ==, "matched");
  g_assert_cmpint (json_object_get_int_member (repair, "attempts"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (repair, "speedup"), >, 0);
  g_assert_cmpint (json_object_get_int_member (repair, "tokens_in"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (repair, "tokens_out"), ==, 80);
  g_assert_cmpstr (json_object_get_string_member (repair, "output_file"), ==, repair_file);

  /* Not verified: no speedup, but its C++ time is there. */
  g_assert_false (json_object_get_boolean_member (wrong, "ok"));
  g_assert_cmpstr (json_object_get_string_member (wrong, "verdict"), ==, "output_differs");
  g_assert_cmpint (json_object_get_int_member (wrong, "attempts"), ==, 2);
  g_assert_true (is_null (wrong, "speedup"));
  g_assert_false (is_null (wrong, "cpp_seconds"));
  g_assert_cmpfloat (json_object_get_double_member (wrong, "cpp_seconds"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (wrong, "output_file"), ==, wrong_file);

  /* Every model's final code is kept, the wrong one's too. */
  assert_file (right_file, GOOD_CODE);
  assert_file (repair_file, GOOD_CODE);
  assert_file (wrong_file, WRONG_CODE);

  /* Progress on stderr, one line per step and model. */
  g_assert_nonnull (strstr (run.err, "repair: attempt 2 of 2: fixing a compile error"));
  g_assert_nonnull (strstr (run.err, "wrong: attempt 2 of 2: fixing an output difference"));
  /* "×16.6", or "at least ×16.6" when the C++ ran too fast to time exactly. */
  g_assert_nonnull (strstr (run.err, "right: outputs match, "));
  g_assert_nonnull (strstr (strstr (run.err, "right: outputs match, "), "×"));

  /* Each model was asked on its own path, the repair twice. */
  {
    g_autoptr(GPtrArray) requests = kiln_test_replay_requests (&run.replay);
    guint repair_posts = 0;

    for (guint i = 0; i < requests->len; i++)
      {
        JsonObject *request = json_node_get_object (requests->pdata[i]);

        if (g_strcmp0 (json_object_get_string_member (request, "method"), "POST") == 0 &&
            g_str_has_prefix (json_object_get_string_member (request, "path"), "/repair/"))
          repair_posts++;
      }
    g_assert_cmpuint (repair_posts, ==, 2);
  }

  run_clear (&run);
}

static void
test_csv (void)
{
  g_autofree char *source = write_file ("csv.py", PYTHON_SOURCE);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonNode) reference = NULL;
  JsonArray *results;
  Run run = { 0 };
  const char *deterministic[] = {
    "ok", "verdict", "attempts", "tokens_in", "tokens_out", "cost_usd", "output_file",
  };

  /* The same comparison as JSON first, for the figures that do not depend on timing. */
  compare_three (&run, source, "--json");
  reference = json_node_ref (run.root);
  run_clear (&run);

  compare_three (&run, source, "--csv");
  g_assert_cmpint (run.status, ==, 1);
  rows = parse_csv (run.out);
  g_assert_cmpuint (rows->len, ==, 4);
  g_assert_true (g_strv_equal ((const char * const *) ((GPtrArray *) rows->pdata[0])->pdata,
                               csv_header));
  for (guint i = 1; i < rows->len; i++)
    g_assert_cmpuint (((GPtrArray *) rows->pdata[i])->len, ==, G_N_ELEMENTS (csv_header));

  /* The wrong one last; the verified ones before it. */
  g_assert_cmpstr (csv_cell (rows, 3, "model"), ==, "wrong");
  g_assert_cmpstr (csv_cell (rows, 3, "speedup"), ==, "");
  g_assert_cmpstr (csv_cell (rows, 3, "verdict"), ==, "output_differs");
  g_assert_cmpfloat (g_ascii_strtod (csv_cell (rows, 3, "cpp_seconds"), NULL), >, 0);

  results = json_object_get_array_member (json_node_get_object (reference), "results");
  for (guint i = 1; i < rows->len; i++)
    {
      JsonObject *result = result_for (results, csv_cell (rows, i, "model"));

      for (guint j = 0; j < G_N_ELEMENTS (deterministic); j++)
        assert_csv_matches_json (csv_cell (rows, i, deterministic[j]), result, deterministic[j]);
      /* Timings differ from run to run, but not which of them are there. */
      g_assert_cmpint (*csv_cell (rows, i, "speedup") == '\0', ==, is_null (result, "speedup"));
      g_assert_cmpfloat (g_ascii_strtod (csv_cell (rows, i, "seconds"), NULL), >, 0);
      g_assert_cmpfloat (g_ascii_strtod (csv_cell (rows, i, "cpp_seconds"), NULL), >, 0);
    }

  run_clear (&run);
}

static void
test_markdown (void)
{
  g_autofree char *source = write_file ("md.py", PYTHON_SOURCE);
  g_auto(GStrv) lines = NULL;
  Run run = { 0 };

  compare_three (&run, source, "--markdown");
  g_assert_cmpint (run.status, ==, 1);
  lines = g_strsplit (run.out, "\n", -1);
  /* Header, separator, three rows, and the final line end. */
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_true (g_str_has_prefix (lines[0], "| Model | Verdict | Attempts |"));
  g_assert_true (g_str_has_prefix (lines[1], "| --- | --- | ---: |"));
  g_assert_nonnull (strstr (run.out, "Right Model"));
  g_assert_nonnull (strstr (run.out, "Repair Model"));
  g_assert_true (g_str_has_prefix (lines[4], "| Wrong Model | Output differs at line 1 | 2 |"));
  g_assert_nonnull (strstr (lines[2], "| Outputs match |"));
  g_assert_nonnull (strstr (lines[2], "×"));
  g_assert_cmpstr (lines[5], ==, "");

  run_clear (&run);
}

/* Every model right: exit 0, and the plain table. */
static void
test_all_right (void)
{
  g_autofree char *source = write_file ("ok.py", PYTHON_SOURCE);
  g_autofree char *models = NULL;
  Run run = { 0 };

  start_models (&run);
  models = models_file (run.replay.port);
  run_cli (&run, FALSE, (const char *[]) { "compare-models", source, "--model", "repair",
                                           "--model", "right", "--models", models, NULL });

  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Verdict"));
  g_assert_nonnull (strstr (run.out, "right"));
  g_assert_nonnull (strstr (run.out, "repair"));
  g_assert_nonnull (strstr (run.out, "Outputs match"));
  g_assert_nonnull (strstr (run.out, "Original program: "));
  g_assert_null (strstr (run.out, "wrong"));

  run_clear (&run);
}

static void
test_usage (void)
{
  g_autofree char *source = write_file ("usage.py", PYTHON_SOURCE);
  g_autofree char *models = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  Run run = { 0 };

  start_models (&run);
  models = models_file (run.replay.port);

  /* An unknown model is named, and no model is asked to convert. */
  run_cli (&run, FALSE, (const char *[]) { "compare-models", source, "--model", "right",
                                           "--model", "no-such-model", "--models", models,
                                           NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "no-such-model"));
  g_assert_cmpstr (run.out, ==, "");
  if (g_file_test (run.replay.log_path, G_FILE_TEST_EXISTS))
    {
      requests = kiln_test_replay_requests (&run.replay);
      for (guint i = 0; i < requests->len; i++)
        g_assert_cmpstr (json_object_get_string_member (
                           json_node_get_object (requests->pdata[i]), "method"), !=, "POST");
    }
  g_clear_pointer (&run.out, g_free);
  g_clear_pointer (&run.err, g_free);

  /* No model at all. */
  run_cli (&run, FALSE, (const char *[]) { "compare-models", source, "--models", models, NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--model"));
  g_clear_pointer (&run.out, g_free);
  g_clear_pointer (&run.err, g_free);

  /* One output format. */
  run_cli (&run, FALSE, (const char *[]) { "compare-models", source, "--model", "right",
                                           "--models", models, "--csv", "--markdown", NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_clear_pointer (&run.out, g_free);
  g_clear_pointer (&run.err, g_free);

  /* convert still takes a single --model. */
  run_cli (&run, FALSE, (const char *[]) { "convert", source, "--model", "right", "--model",
                                           "wrong", "--models", models, NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "one --model"));

  run_clear (&run);
}

/* A custom timing mask reaches `kiln-cli compare`: the "Elapsed" lines differ, unless they
 * are masked. */
static void
test_timing_pattern (void)
{
  g_autofree char *python = write_file ("parsecs.py",
                                        "print('Elapsed 0.93 parsecs')\nprint(45)\n");
  g_autofree char *cpp = write_file ("parsecs.cpp",
                                     "#include <cstdio>\nint main() {\n"
                                     "  std::printf(\"Elapsed 0.01 parsecs\\n45\\n\");\n}\n");
  Run run = { 0 };

  run_cli (&run, TRUE, (const char *[]) { "compare", python, cpp, NULL });
  g_assert_cmpint (run.status, ==, 1);
  g_assert_false (json_object_get_boolean_member (run_json (&run), "outputs_match"));
  run_clear (&run);

  run_cli (&run, TRUE, (const char *[]) { "compare", python, cpp,
                                          "--timing-pattern", "elapsed [0-9.]+ parsecs", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (json_object_get_boolean_member (run_json (&run), "outputs_match"));
  run_clear (&run);

  /* A pattern that does not compile is a usage error that says which. */
  run_cli (&run, FALSE, (const char *[]) { "compare", python, cpp, "--timing-pattern", "([",
                                           NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "(["));
  g_assert_cmpstr (run.out, ==, "");
  run_clear (&run);
}

/* Ctrl+C while a model still streams: everything stops, and what there is is printed. */
static void
test_interrupt (void)
{
  g_autofree char *source = write_file ("stop.py", PYTHON_SOURCE);
  g_autofree char *right_file = g_build_filename (tmp_dir, "stop.right.cpp", NULL);
  g_autofree char *cache = g_build_filename (tmp_dir, "cache", NULL);
  g_autofree char *config = g_build_filename (tmp_dir, "config", NULL);
  g_autofree char *models = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *results;
  JsonObject *stalled;
  Run run = { 0 };

  start_models (&run);
  models = models_file (run.replay.port);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("KILN_CLI"),
                                         "compare-models", source, "--model", "right",
                                         "--model", "stall", "--models", models,
                                         "--cache-dir", cache, "--json", NULL);
  g_assert_no_error (error);

  /* Once the right one is done, the other one is still waiting for the rest of its answer. */
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("kiln-cli ended before the right model was done");
      if (g_str_has_prefix (line, "right: outputs match"))
        break;
    }
  g_subprocess_send_signal (process, SIGINT);

  g_output_stream_splice (out, g_subprocess_get_stdout_pipe (process),
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  while (TRUE)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        break;
    }
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);

  g_assert_true (json_parser_load_from_data (
    parser, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), &error));
  g_assert_no_error (error);
  results = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0),
                                                  "verdict"), ==, "matched");
  stalled = json_array_get_object_element (results, 1);
  g_assert_cmpstr (json_object_get_string_member (stalled, "model"), ==, "stall");
  g_assert_false (json_object_get_boolean_member (stalled, "ok"));
  g_assert_cmpstr (json_object_get_string_member (stalled, "verdict"), ==, "error");
  g_assert_true (is_null (stalled, "speedup"));
  assert_file (right_file, GOOD_CODE);

  run_clear (&run);
}

/* --- the formats themselves, on conversions read back from records ---------------------- */

static KilnConversion *
restored (const char *record)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  KilnConversion *conversion;

  g_assert_true (json_parser_load_from_data (parser, record, -1, &error));
  conversion = kiln_conversion_new_from_record (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  return conversion;
}

static void
test_formats (void)
{
  g_autoptr(GListStore) store = g_list_store_new (KILN_TYPE_CONVERSION);
  g_autoptr(GHashTable) files = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(KilnConversion) differs = restored (
    "{\"model\": \"odd,\\\"id\\\"\", \"model_label\": \"Odd | Model\", "
    "\"verdict\": \"output_differs\", \"cpp_seconds\": 0.5, \"diff_line\": 3, "
    "\"ttft_seconds\": 0.25, \"tokens_in\": 10, \"tokens_out\": 20, \"cost_usd\": 0.001, "
    "\"seconds\": 4.5, \"attempts\": [{\"reason\": \"output_differs\"}]}");
  g_autoptr(KilnConversion) fast = restored (
    "{\"model\": \"fast\", \"model_label\": \"Fast\", \"verdict\": \"matched\", "
    "\"speedup\": 1234.5678, \"speedup_range\": [1100, 1300], \"noisy\": true, "
    "\"basis\": \"cpu\", \"cpp_seconds\": 0.00123456789, \"ttft_seconds\": 0.5, "
    "\"tokens_in\": 100, \"tokens_out\": 40, \"tokens_per_second\": 12.4, "
    "\"cost_usd\": 0.00018, \"seconds\": 2.25, \"attempts\": [{}, {}]}");
  g_autoptr(KilnConversion) stopped = restored (
    "{\"model\": \"gone\", \"verdict\": \"stopped\", \"seconds\": 1}");
  g_autoptr(KilnConversion) slow = restored (
    "{\"model\": \"slow\", \"model_label\": \"Slow\", \"verdict\": \"matched\", "
    "\"speedup\": 2, \"cpp_seconds\": 0.75, \"seconds\": 3, \"attempts\": [{}]}");
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *json_text = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *markdown = NULL;
  g_auto(GStrv) lines = NULL;

  g_list_store_append (store, differs);
  g_list_store_append (store, slow);
  g_list_store_append (store, stopped);
  g_list_store_append (store, fast);
  g_hash_table_insert (files, (char *) "fast", (char *) "/tmp/p.fast.cpp");
  g_hash_table_insert (files, (char *) "odd,\"id\"", (char *) "/tmp/p.odd--id-.cpp");

  /* Verified by speedup, then how far the rest got; stopped and unverified are "error". */
  json = kiln_leaderboard_to_json (G_LIST_MODEL (store), "p.py", -1, files);
  json_text = kiln_json_to_string (json, FALSE);
  g_assert_cmpstr (json_text, ==,
    "{\"program\":\"p.py\",\"results\":["
    "{\"model\":\"fast\",\"ok\":true,\"verdict\":\"matched\",\"attempts\":2,"
    "\"speedup\":1234.5678,\"speedup_range\":[1100.0,1300.0],\"noisy\":true,"
    "\"basis\":\"cpu\",\"suspicious\":null,\"cpp_seconds\":0.00123456789,\"ttft_seconds\":0.5,"
    "\"tokens_in\":100,\"tokens_out\":40,\"cost_usd\":0.00018,\"seconds\":2.25,"
    "\"output_file\":\"/tmp/p.fast.cpp\"},"
    "{\"model\":\"slow\",\"ok\":true,\"verdict\":\"matched\",\"attempts\":1,"
    "\"speedup\":2.0,\"speedup_range\":null,\"noisy\":false,\"basis\":\"wall\","
    "\"suspicious\":null,\"cpp_seconds\":0.75,\"ttft_seconds\":null,\"tokens_in\":null,"
    "\"tokens_out\":null,\"cost_usd\":null,\"seconds\":3.0,\"output_file\":null},"
    "{\"model\":\"odd,\\\"id\\\"\",\"ok\":false,\"verdict\":\"output_differs\",\"attempts\":1,"
    "\"speedup\":null,\"speedup_range\":null,\"noisy\":false,\"basis\":\"wall\","
    "\"suspicious\":null,\"cpp_seconds\":0.5,\"ttft_seconds\":0.25,\"tokens_in\":10,"
    "\"tokens_out\":20,\"cost_usd\":0.001,\"seconds\":4.5,"
    "\"output_file\":\"/tmp/p.odd--id-.cpp\"},"
    "{\"model\":\"gone\",\"ok\":false,\"verdict\":\"error\",\"attempts\":0,"
    "\"speedup\":null,\"speedup_range\":null,\"noisy\":false,\"basis\":\"wall\","
    "\"suspicious\":null,\"cpp_seconds\":null,\"ttft_seconds\":null,\"tokens_in\":null,"
    "\"tokens_out\":null,\"cost_usd\":null,\"seconds\":1.0,\"output_file\":null}],"
    "\"python_seconds\":null}");

  /* The same values, in the C locale whatever the user's, to six significant digits. */
  csv = kiln_leaderboard_to_csv (G_LIST_MODEL (store), files);
  g_assert_cmpstr (csv, ==,
    "model,ok,verdict,attempts,speedup,cpp_seconds,ttft_seconds,tokens_in,tokens_out,"
    "cost_usd,seconds,output_file\n"
    "fast,true,matched,2,1234.57,0.00123457,0.5,100,40,0.00018,2.25,/tmp/p.fast.cpp\n"
    "slow,true,matched,1,2,0.75,,,,,3,\n"
    "\"odd,\"\"id\"\"\",false,output_differs,1,,0.5,0.25,10,20,0.001,4.5,/tmp/p.odd--id-.cpp\n"
    "gone,false,error,0,,,,,,,1,\n");
  {
    g_autoptr(GPtrArray) rows = parse_csv (csv);

    g_assert_cmpstr (csv_cell (rows, 3, "model"), ==, "odd,\"id\"");
  }

  markdown = kiln_leaderboard_to_markdown (G_LIST_MODEL (store));
  lines = g_strsplit (markdown, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  g_assert_cmpstr (lines[0], ==,
                   "| Model | Verdict | Attempts | C++ time | Speedup | First token | "
                   "Tokens in/out | Tokens/s | Cost | Total time |");
  g_assert_cmpstr (lines[1], ==,
                   "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  g_assert_cmpstr (lines[2], ==,
                   "| Fast | Outputs match | 2 | 1 ms | ×1,235 (×1,100–×1,300) | 500 ms | 100 / 40 | "
                   "12 | $0.0002 | 2.25 s |");
  g_assert_cmpstr (lines[3], ==,
                   "| Slow | Outputs match | 1 | 750 ms | ×2.0 | — | — | — | — | 3.00 s |");
  /* A "|" in a label does not end its cell. */
  g_assert_cmpstr (lines[4], ==,
                   "| Odd \\| Model | Output differs at line 3 | 1 | 500 ms | — | 250 ms | "
                   "10 / 20 | — | $0.0010 | 4.50 s |");
  g_assert_true (g_str_has_prefix (lines[5], "| gone | Stopped | 0 | — | — |"));
  g_assert_cmpstr (lines[6], ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* The Markdown figures are checked as the C locale writes them. */
  setlocale (LC_ALL, "C");
  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("kiln-compare-models-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/compare-models/formats", test_formats);
  g_test_add_func ("/compare-models/json", test_json);
  g_test_add_func ("/compare-models/csv", test_csv);
  g_test_add_func ("/compare-models/markdown", test_markdown);
  g_test_add_func ("/compare-models/all-right", test_all_right);
  g_test_add_func ("/compare-models/usage", test_usage);
  g_test_add_func ("/compare-models/timing-pattern", test_timing_pattern);
  g_test_add_func ("/compare-models/interrupt", test_interrupt);

  status = g_test_run ();

  {
    g_autofree char *quoted = g_shell_quote (tmp_dir);
    g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (tmp_dir);
  return status;
}

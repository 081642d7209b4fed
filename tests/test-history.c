/* test-history.c: the history database, with real SQLite files in temporary folders —
 * what a person would see after a restart, after a crash left a damaged file, while another
 * Kiln holds the file, and when the disk fills up
 *
 * The disk-full test mounts a small tmpfs in a private mount namespace, so it needs root
 * (or CAP_SYS_ADMIN); elsewhere it is skipped and says why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE /* unshare() */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <sys/mount.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiln-error.h"
#include "kiln-history.h"
#include "kiln-history-entry-private.h"
#include "kiln-test-util.h"

static char *mount_skip_reason;

/* --- waiting for the history --- */

static KilnHistory *
open_history (const char *path)
{
  KilnHistory *history = kiln_history_new (path);
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };

  kiln_history_open_async (history, NULL, kiln_test_wait_cb, &wait);
  g_assert_true (kiln_history_open_finish (history, kiln_test_wait_for (&wait), &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);

  return history;
}

static gboolean
try_open (KilnHistory  *history,
          GError      **error)
{
  KilnTestWait wait = { NULL };
  gboolean ok;

  kiln_history_open_async (history, NULL, kiln_test_wait_cb, &wait);
  ok = kiln_history_open_finish (history, kiln_test_wait_for (&wait), error);
  g_object_unref (wait.result);

  return ok;
}

static gint64
try_add_comparison (KilnHistory  *history,
                    JsonNode     *record,
                    GError      **error)
{
  KilnTestWait wait = { NULL };
  gint64 id;

  kiln_history_add_comparison_async (history, record, NULL, kiln_test_wait_cb, &wait);
  id = kiln_history_add_comparison_finish (history, kiln_test_wait_for (&wait), error);
  g_object_unref (wait.result);

  return id;
}

static gint64
add_comparison (KilnHistory *history,
                JsonNode    *record)
{
  g_autoptr(GError) error = NULL;
  gint64 id = try_add_comparison (history, record, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static gint64
try_add_conversion (KilnHistory  *history,
                    gint64        comparison_id,
                    JsonNode     *record,
                    GError      **error)
{
  KilnTestWait wait = { NULL };
  gint64 id;

  kiln_history_add_conversion_async (history, comparison_id, record, NULL,
                                     kiln_test_wait_cb, &wait);
  id = kiln_history_add_conversion_finish (history, kiln_test_wait_for (&wait), error);
  g_object_unref (wait.result);

  return id;
}

static gint64
add_conversion (KilnHistory *history,
                gint64       comparison_id,
                JsonNode    *record)
{
  g_autoptr(GError) error = NULL;
  gint64 id = try_add_conversion (history, comparison_id, record, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static GListModel *
try_list (KilnHistory  *history,
          guint         limit,
          GError      **error)
{
  KilnTestWait wait = { NULL };
  GListModel *list;

  kiln_history_list_async (history, limit, NULL, kiln_test_wait_cb, &wait);
  list = kiln_history_list_finish (history, kiln_test_wait_for (&wait), error);
  g_object_unref (wait.result);

  return list;
}

static GListModel *
list_history (KilnHistory *history,
              guint        limit)
{
  g_autoptr(GError) error = NULL;
  GListModel *list = try_list (history, limit, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  g_assert_true (g_list_model_get_item_type (list) == KILN_TYPE_HISTORY_ENTRY);

  return list;
}

static JsonNode *
try_load (KilnHistory  *history,
          gint64        id,
          GError      **error)
{
  KilnTestWait wait = { NULL };
  JsonNode *node;

  kiln_history_load_async (history, id, NULL, kiln_test_wait_cb, &wait);
  node = kiln_history_load_finish (history, kiln_test_wait_for (&wait), error);
  g_object_unref (wait.result);

  return node;
}

static JsonNode *
load (KilnHistory *history,
      gint64       id)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = try_load (history, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return node;
}

static void
delete_comparison (KilnHistory *history,
                   gint64       id)
{
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };

  kiln_history_delete_async (history, id, NULL, kiln_test_wait_cb, &wait);
  g_assert_true (kiln_history_delete_finish (history, kiln_test_wait_for (&wait), &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

/* Drops the last reference, as quitting does, and waits until the history is gone: its
 * queued writes done, its connection closed. */
static void
close_history (KilnHistory *history)
{
  GObject *weak = G_OBJECT (history);

  g_object_add_weak_pointer (weak, (gpointer *) &weak);
  g_object_unref (history);
  while (weak != NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* --- records, built as the conversion code builds them --- */

static JsonNode *
comparison_record (const char *language,
                   const char *source,
                   const char *input)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, language);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, source);
  json_builder_set_member_name (builder, "input");
  json_builder_add_string_value (builder, input);
  json_builder_set_member_name (builder, "run_config");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "timeout_seconds");
  json_builder_add_int_value (builder, 10);
  json_builder_set_member_name (builder, "cxxflags");
  json_builder_add_string_value (builder, "-O2 -std=c++17");
  json_builder_set_member_name (builder, "hidden_inputs");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "3\n");
  json_builder_add_string_value (builder, "1000\n");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "kiln_version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* @speedup < 0: null. */
static JsonNode *
conversion_record (const char *model,
                   const char *label,
                   gboolean    verified,
                   double      speedup,
                   guint       n_attempts,
                   const char *code)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model);
  json_builder_set_member_name (builder, "model_label");
  json_builder_add_string_value (builder, label);
  json_builder_set_member_name (builder, "verdict");
  json_builder_add_string_value (builder, verified ? "verified" : "output-differs");
  json_builder_set_member_name (builder, "verified");
  json_builder_add_boolean_value (builder, verified);
  json_builder_set_member_name (builder, "attempts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_attempts; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "diagnostics");
      json_builder_add_string_value (builder,
                                     i + 1 < n_attempts ? "error: ‘x’ was not declared" : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "speedup");
  if (speedup < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, speedup);
  json_builder_set_member_name (builder, "cpp_seconds");
  json_builder_add_double_value (builder, 0.0123456789);
  json_builder_set_member_name (builder, "ttft_seconds");
  json_builder_add_double_value (builder, 0.75);
  json_builder_set_member_name (builder, "tokens_in");
  json_builder_add_int_value (builder, 1234);
  json_builder_set_member_name (builder, "tokens_out");
  json_builder_add_int_value (builder, 567);
  json_builder_set_member_name (builder, "cost_usd");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, 12.5);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static char *
member_json (JsonNode   *object,
             const char *name)
{
  JsonNode *member = json_object_get_member (json_node_get_object (object), name);

  g_assert_nonnull (member);
  return json_to_string (member, FALSE);
}

static void
assert_same_member (JsonNode   *loaded,
                    JsonNode   *original,
                    const char *name)
{
  g_autofree char *a = member_json (loaded, name);
  g_autofree char *b = member_json (original, name);

  g_assert_cmpstr (a, ==, b);
}

/* --- the file as bytes, and a second connection as another program --- */

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, length);
}

static void
assert_file_is (const char *path,
                GBytes     *expected)
{
  g_autoptr(GBytes) bytes = read_bytes (path);

  g_assert_true (g_bytes_equal (bytes, expected));
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (handle);
  while (g_dir_read_name (handle) != NULL)
    n++;

  return n;
}

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
raw_count (const char *path,
           const char *sql)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return n;
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("kiln-history-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static KilnHistoryEntry *
entry_at (GListModel *list,
          guint       position)
{
  KilnHistoryEntry *entry = g_list_model_get_item (list, position);

  g_assert_nonnull (entry);
  g_object_unref (entry);  /* the list keeps it */
  return entry;
}

/* --- the tests --- */

#define SUM_SQUARES_PY \
  "#!/usr/bin/env python3\n" \
  "# Sum of squares, the slow way\n" \
  "\n" \
  "   total = sum(i * i for i in range(int(input())))   \n" \
  "print(total)\n"

#define SUM_SQUARES_CPP \
  "#include <cstdio>\n" \
  "int main () { long n; std::scanf (\"%ld\", &n); std::printf (\"%ld\\n\", n); }\n"

#define HELLO_CPP \
  "// hello.cpp\n" \
  "/* Prints a greeting,\n" \
  "   in \"quotes\" and ‘curly’ ones */\n" \
  "  int main () { return 0; }\n"

static void
test_round_trip (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "nested", "folder", "history.db", NULL);
  g_autoptr(JsonNode) first = comparison_record ("python", SUM_SQUARES_PY, "1000\n");
  g_autoptr(JsonNode) second = comparison_record ("cpp", HELLO_CPP, "");
  JsonNode *conversions[3];
  g_autoptr(JsonNode) lone = conversion_record ("m1", "Model One", FALSE, -1, 1, HELLO_CPP);
  g_autoptr(JsonNode) loaded = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *title = NULL;
  g_autofree char *models = NULL;
  g_autofree char *best_model = NULL;
  KilnHistory *history;
  KilnHistoryEntry *entry;
  JsonArray *loaded_conversions;
  gint64 first_id, second_id, id, created;
  guint n_conversions;
  double best_speedup;

  history = open_history (path);
  g_assert_cmpstr (kiln_history_get_path (history), ==, path);
  g_assert_null (kiln_history_get_recovered_path (history));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  conversions[0] = conversion_record ("m1", "Model One", TRUE, 3.5, 2, SUM_SQUARES_CPP);
  conversions[1] = conversion_record ("m2", "Model Two", FALSE, 10, 3, "int main () {}");
  conversions[2] = conversion_record ("m3", "Model “Three”", TRUE, 7.25, 1,
                                      SUM_SQUARES_CPP "// ünïcödé ✓\n");

  first_id = add_comparison (history, first);
  for (guint i = 0; i < G_N_ELEMENTS (conversions); i++)
    g_assert_cmpint (add_conversion (history, first_id, conversions[i]), >, 0);
  second_id = add_comparison (history, second);
  g_assert_cmpint (second_id, >, first_id);
  add_conversion (history, second_id, lone);

  /* As after a restart: a new object on the same file. */
  close_history (history);
  history = open_history (path);
  g_assert_null (kiln_history_get_recovered_path (history));

  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);

  /* Newest first */
  entry = entry_at (list, 0);
  g_assert_cmpint (kiln_history_entry_get_id (entry), ==, second_id);
  g_assert_cmpstr (kiln_history_entry_get_language (entry), ==, "cpp");
  g_assert_cmpstr (kiln_history_entry_get_title (entry), ==, "int main () { return 0; }");
  g_assert_cmpstr (kiln_history_entry_get_source (entry), ==, HELLO_CPP);
  g_assert_cmpuint (kiln_history_entry_get_n_conversions (entry), ==, 1);
  g_assert_cmpstr (kiln_history_entry_get_models (entry), ==, "Model One");
  g_assert_null (kiln_history_entry_get_best_model (entry));
  g_assert_cmpfloat (kiln_history_entry_get_best_speedup (entry), ==, 0);

  entry = entry_at (list, 1);
  g_assert_cmpint (kiln_history_entry_get_id (entry), ==, first_id);
  g_assert_cmpint (kiln_history_entry_get_created (entry), <=,
                   kiln_history_entry_get_created (entry_at (list, 0)));
  g_object_get (entry,
                "id", &id,
                "created", &created,
                "title", &title,
                "n-conversions", &n_conversions,
                "models", &models,
                "best-model", &best_model,
                "best-speedup", &best_speedup,
                NULL);
  g_assert_cmpint (id, ==, first_id);
  g_assert_cmpstr (title, ==, "total = sum(i * i for i in range(int(input())))");
  g_assert_cmpuint (n_conversions, ==, 3);
  g_assert_cmpstr (models, ==, "Model One, Model Two, Model “Three”");
  /* Model Two was faster but wrong: the best is the fastest verified one. */
  g_assert_cmpstr (best_model, ==, "Model “Three”");
  g_assert_cmpfloat (best_speedup, ==, 7.25);

  when = kiln_history_entry_dup_created_date_time (entry);
  g_assert_nonnull (when);
  g_assert_cmpint (g_date_time_to_unix (when), ==, created / G_USEC_PER_SEC);
  g_assert_cmpint (g_date_time_get_microsecond (when), ==, created % G_USEC_PER_SEC);
  g_assert_cmpint (ABS (g_get_real_time () - created), <, G_TIME_SPAN_HOUR);

  g_clear_object (&list);
  list = list_history (history, 1);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_cmpint (kiln_history_entry_get_id (entry_at (list, 0)), ==, second_id);

  /* The comparison whole: what went in comes out, member for member. */
  loaded = load (history, first_id);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (loaded), "id"), ==,
                   first_id);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (loaded), "created"), ==,
                   created);
  assert_same_member (loaded, first, "language");
  assert_same_member (loaded, first, "source");
  assert_same_member (loaded, first, "input");
  assert_same_member (loaded, first, "run_config");
  assert_same_member (loaded, first, "kiln_version");
  loaded_conversions = json_object_get_array_member (json_node_get_object (loaded),
                                                     "conversions");
  g_assert_cmpuint (json_array_get_length (loaded_conversions), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *a = json_to_string (json_array_get_element (loaded_conversions, i), FALSE);
      g_autofree char *b = json_to_string (conversions[i], FALSE);

      g_assert_cmpstr (a, ==, b);
    }

  /* The summary columns, as another tool reading the file would find them */
  g_assert_cmpint (raw_count (path, "SELECT count(*) FROM conversions WHERE model_id = 'm2'"
                                    " AND verified = 0 AND attempts = 3 AND speedup = 10"
                                    " AND tokens_in = 1234 AND tokens_out = 567"
                                    " AND cost_usd IS NULL AND seconds = 12.5"), ==, 1);
  g_assert_cmpint (raw_count (path, "SELECT count(*) FROM conversions WHERE speedup IS NULL"),
                   ==, 1);

  /* Deleting takes the conversions with it, and leaves the other comparison. */
  delete_comparison (history, first_id);
  g_clear_object (&list);
  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_cmpint (kiln_history_entry_get_id (entry_at (list, 0)), ==, second_id);
  g_assert_cmpint (raw_count (path, "SELECT count(*) FROM conversions"), ==, 1);
  delete_comparison (history, first_id);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) gone = try_load (history, first_id, &error);

    g_assert_error (error, KILN_ERROR, KILN_ERROR_HISTORY_NOT_FOUND);
    g_assert_null (gone);
    g_clear_error (&error);

    /* A conversion for a deleted comparison is refused, not kept as an orphan. */
    g_assert_cmpint (try_add_conversion (history, first_id, lone, &error), ==, 0);
    g_assert_error (error, KILN_ERROR, KILN_ERROR_HISTORY_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, path));
    g_assert_cmpint (raw_count (path, "SELECT count(*) FROM conversions"), ==, 1);
  }

  for (guint i = 0; i < G_N_ELEMENTS (conversions); i++)
    json_node_unref (conversions[i]);
  close_history (history);
  kiln_test_remove_tree (dir);
}

static void
test_titles (void)
{
  static const struct {
    const char *language;
    const char *source;
    const char *title;
  } cases[] = {
    { "python", "\n\n# only\n   \n  x = 1  # and a comment\n", "x = 1  # and a comment" },
    { "python", "# comments\n\n# only\n", "Untitled" },
    { "python", "", "Untitled" },
    { "python", "\r\n\tprint('hi')\r\n", "print('hi')" },
    { "cpp", "#include <cstdio>\nint main () {}\n", "#include <cstdio>" },
    { "cpp", "/* one */ /* two */ int x;\n", "int x;" },
    { "cpp", "/*\n * a block\n */\n\n// line\nint y;\n", "int y;" },
    { "cpp", "// just a comment\n/* and\n an open one", "Untitled" },
  };
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autofree char *long_line = NULL;
  g_autofree char *long_title = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GString) wide = g_string_new (NULL);
  KilnHistory *history = open_history (path);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) record = comparison_record (cases[i].language, cases[i].source, "");

      add_comparison (history, record);
    }

  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      KilnHistoryEntry *entry = entry_at (list, G_N_ELEMENTS (cases) - 1 - i);

      g_assert_cmpstr (kiln_history_entry_get_title (entry), ==, cases[i].title);
      g_assert_cmpstr (kiln_history_entry_get_language (entry), ==, cases[i].language);
      g_assert_cmpuint (kiln_history_entry_get_n_conversions (entry), ==, 0);
      g_assert_cmpstr (kiln_history_entry_get_models (entry), ==, "");
    }

  /* A long first line: at most 80 characters, not bytes, ending in an ellipsis. */
  for (guint i = 0; i < 100; i++)
    g_string_append (wide, "é");
  long_line = g_strdup_printf ("# header\n    %s\nprint(1)\n", wide->str);
  long_title = _kiln_history_entry_make_title ("python", long_line);
  g_assert_cmpuint (g_utf8_strlen (long_title, -1), ==, 80);
  g_assert_true (g_str_has_suffix (long_title, "é…"));
  g_assert_true (strncmp (long_title, wide->str, strlen (long_title) - strlen ("…")) == 0);

  close_history (history);
  kiln_test_remove_tree (dir);
}

static void
assert_recovered (KilnHistory *history,
                  const char  *dir,
                  GBytes      *original)
{
  const char *aside = kiln_history_get_recovered_path (history);
  g_autofree char *name = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(JsonNode) record = comparison_record ("python", "print(2)\n", "");
  g_autoptr(GRegex) pattern = g_regex_new ("^history\\.db\\.corrupt-[0-9]{8}-[0-9]{6}$",
                                           0, 0, NULL);

  g_assert_nonnull (aside);
  name = g_path_get_basename (aside);
  g_assert_true (g_regex_match (pattern, name, 0, NULL));
  g_assert_true (g_str_has_prefix (aside, dir));

  /* The old file is kept, byte for byte, for whoever wants to rescue it. */
  assert_file_is (aside, original);

  /* The new history is empty and works. */
  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  add_comparison (history, record);
}

static void
test_corrupt_random (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  g_autoptr(GByteArray) garbage = g_byte_array_new ();
  g_autoptr(GBytes) original = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  KilnHistory *history;

  for (guint i = 0; i < 8192; i++)
    {
      guint8 byte = g_rand_int_range (rand, 0, 256);

      g_byte_array_append (garbage, &byte, 1);
    }
  g_file_set_contents (path, (const char *) garbage->data, garbage->len, &error);
  g_assert_no_error (error);
  original = read_bytes (path);

  history = open_history (path);
  assert_recovered (history, dir, original);
  g_assert_cmpuint (count_files (dir), ==, 2);
  close_history (history);

  /* The next start finds a healthy file and has nothing to report. */
  history = open_history (path);
  g_assert_null (kiln_history_get_recovered_path (history));
  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  close_history (history);

  kiln_test_remove_tree (dir);
}

static void
test_corrupt_truncated (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(GBytes) whole = NULL;
  g_autoptr(GBytes) original = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  KilnHistory *history;
  gsize length;
  gint64 id;

  /* A real history of many pages ... */
  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (big, "x%u = %u\n", i, i * i);
  history = open_history (path);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonNode) comparison = comparison_record ("python", big->str, "");
      g_autoptr(JsonNode) conversion = conversion_record ("m1", "Model One", TRUE, 2, 1,
                                                          big->str);

      id = add_comparison (history, comparison);
      add_conversion (history, id, conversion);
    }
  close_history (history);

  /* ... cut in half, as a crash on a disk without barriers might leave it. */
  whole = read_bytes (path);
  length = g_bytes_get_size (whole);
  g_assert_cmpuint (length, >, 64 * 1024);
  g_file_set_contents (path, g_bytes_get_data (whole, NULL), length / 2, &error);
  g_assert_no_error (error);
  original = read_bytes (path);

  history = open_history (path);
  assert_recovered (history, dir, original);
  close_history (history);

  kiln_test_remove_tree (dir);
}

static void
test_locked (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(JsonNode) record = comparison_record ("python", "print(1)\n", "");
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  KilnHistory *history;
  sqlite3 *other;

  history = open_history (path);
  add_comparison (history, record);
  close_history (history);
  before = read_bytes (path);

  /* Another program holds the file. */
  other = raw_open (path);
  raw_exec (other, "BEGIN EXCLUSIVE");

  history = kiln_history_new (path);
  g_assert_false (try_open (history, &error));
  g_assert_error (error, KILN_ERROR, KILN_ERROR_HISTORY);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "another program"));
  g_assert_null (kiln_history_get_recovered_path (history));
  g_clear_error (&error);
  assert_file_is (path, before);
  g_assert_cmpuint (count_files (dir), ==, 1);

  /* Once it lets go, the same history opens and has everything. */
  raw_exec (other, "COMMIT");
  g_assert_true (try_open (history, &error));
  g_assert_no_error (error);
  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_clear_object (&list);

  /* A write while the file is held fails, says so, and keeps what was there. */
  raw_exec (other, "BEGIN EXCLUSIVE");
  g_assert_cmpint (try_add_comparison (history, record, &error), ==, 0);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_HISTORY);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  raw_exec (other, "ROLLBACK");
  sqlite3_close (other);

  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_clear_object (&list);
  add_comparison (history, record);
  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);

  close_history (history);
  kiln_test_remove_tree (dir);
}

static void
test_newer_version (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(JsonNode) record = comparison_record ("python", "print(1)\n", "");
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st_before, st_after;
  KilnHistory *history;
  sqlite3 *future;

  /* A file written by a later Kiln */
  future = raw_open (path);
  raw_exec (future, "CREATE TABLE comparisons_v2 (id INTEGER PRIMARY KEY, what TEXT);"
                    "INSERT INTO comparisons_v2 (what) VALUES ('from the future');"
                    "PRAGMA user_version = 2;");
  sqlite3_close (future);
  before = read_bytes (path);
  g_assert_cmpint (g_stat (path, &st_before), ==, 0);

  history = kiln_history_new (path);
  g_assert_false (try_open (history, &error));
  g_assert_error (error, KILN_ERROR, KILN_ERROR_HISTORY_TOO_NEW);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_null (kiln_history_get_recovered_path (history));
  g_clear_error (&error);

  /* Nor does a write slip in. */
  g_assert_cmpint (try_add_comparison (history, record, &error), ==, 0);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_HISTORY_TOO_NEW);
  close_history (history);

  assert_file_is (path, before);
  g_assert_cmpint (g_stat (path, &st_after), ==, 0);
  g_assert_cmpint (st_after.st_mtime, ==, st_before.st_mtime);
  g_assert_cmpuint (count_files (dir), ==, 1);
  g_assert_cmpint (raw_count (path, "PRAGMA user_version"), ==, 2);

  kiln_test_remove_tree (dir);
}

typedef struct
{
  guint  done;
  guint  failed;
  gint64 last_id;
  gboolean in_order;
} Counter;

static void
count_comparison_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Counter *counter = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = kiln_history_add_comparison_finish (KILN_HISTORY (object), result, &error);

  if (error != NULL || id <= 0)
    counter->failed++;
  counter->done++;
}

static void
count_conversion_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Counter *counter = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = kiln_history_add_conversion_finish (KILN_HISTORY (object), result, &error);

  if (error != NULL || id <= 0)
    counter->failed++;
  /* Written in the order they were queued */
  if (id <= counter->last_id)
    counter->in_order = FALSE;
  counter->last_id = id;
  counter->done++;
}

static void
test_queued_writes (void)
{
  const guint n = 100;
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(JsonNode) comparison = comparison_record ("python", SUM_SQUARES_PY, "5\n");
  g_autoptr(JsonNode) loaded = NULL;
  g_autoptr(GListModel) list = NULL;
  Counter counter = { 0, 0, 0, TRUE };
  KilnHistory *history;
  JsonArray *conversions;
  gint64 id;

  history = open_history (path);
  id = add_comparison (history, comparison);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) record = conversion_record ("m1", "Model One", TRUE, i, 1, "x");

      json_object_set_int_member (json_node_get_object (record), "n", i);
      kiln_history_add_conversion_async (history, id, record, NULL, count_conversion_cb,
                                         &counter);
      /* The record was copied: changing it now changes nothing stored. */
      json_object_set_int_member (json_node_get_object (record), "n", -1);
    }
  for (guint i = 0; i < 5; i++)
    kiln_history_add_comparison_async (history, comparison, NULL, count_comparison_cb,
                                       &counter);
  /* And one whose caller does not wait for it at all */
  kiln_history_add_comparison_async (history, comparison, NULL, NULL, NULL);

  /* The window closes: dispose and the last reference, with everything still queued. */
  g_assert_cmpuint (counter.done, ==, 0);
  g_object_run_dispose (G_OBJECT (history));
  close_history (history);
  g_assert_cmpuint (counter.done, ==, n + 5);
  g_assert_cmpuint (counter.failed, ==, 0);
  g_assert_true (counter.in_order);

  history = open_history (path);
  loaded = load (history, id);
  conversions = json_object_get_array_member (json_node_get_object (loaded), "conversions");
  g_assert_cmpuint (json_array_get_length (conversions), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *record = json_array_get_object_element (conversions, i);

      g_assert_cmpint (json_object_get_int_member (record, "n"), ==, i);
    }
  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1 + 5 + 1);
  g_assert_cmpuint (kiln_history_entry_get_n_conversions (entry_at (list, 6)), ==, n);
  g_assert_cmpfloat (kiln_history_entry_get_best_speedup (entry_at (list, 6)), ==, n - 1);

  close_history (history);
  kiln_test_remove_tree (dir);
}

typedef struct
{
  sqlite3 *other;
  gboolean released;
  guint    ticks;
} Responsive;

static gboolean
release_lock_cb (gpointer user_data)
{
  Responsive *state = user_data;

  raw_exec (state->other, "COMMIT");
  state->released = TRUE;

  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (gpointer user_data)
{
  Responsive *state = user_data;

  state->ticks++;

  return G_SOURCE_CONTINUE;
}

static void
test_main_loop_runs (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(JsonNode) comparison = comparison_record ("python", SUM_SQUARES_PY, "5\n");
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(JsonNode) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) code = g_string_new (NULL);
  g_autofree char *stored = NULL;
  g_autofree char *expected = NULL;
  Responsive state = { NULL, FALSE, 0 };
  KilnTestWait wait = { NULL };
  KilnHistory *history;
  guint tick_id;
  gint64 id;

  history = open_history (path);
  id = add_comparison (history, comparison);

  while (code->len < 8 * 1024 * 1024)
    g_string_append (code, "  std::printf (\"%ld\\n\", total); // a long, long program\n");
  record = conversion_record ("m1", "Model One", TRUE, 4, 3, code->str);

  /* The write cannot finish until the main loop has run the timeout that lets go of the
   * file: if the write blocked the main loop, this test would fail instead of waiting. */
  state.other = raw_open (path);
  raw_exec (state.other, "BEGIN EXCLUSIVE");
  g_timeout_add (100, release_lock_cb, &state);
  tick_id = g_timeout_add (5, tick_cb, &state);

  kiln_history_add_conversion_async (history, id, record, NULL, kiln_test_wait_cb, &wait);
  g_assert_null (wait.result);
  g_assert_cmpint (kiln_history_add_conversion_finish (history, kiln_test_wait_for (&wait),
                                                       &error), >, 0);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  g_source_remove (tick_id);
  sqlite3_close (state.other);

  g_assert_true (state.released);
  g_assert_cmpuint (state.ticks, >, 0);

  loaded = load (history, id);
  stored = json_to_string (json_array_get_element (
             json_object_get_array_member (json_node_get_object (loaded), "conversions"), 0),
           FALSE);
  expected = json_to_string (record, FALSE);
  g_assert_cmpstr (stored, ==, expected);

  close_history (history);
  kiln_test_remove_tree (dir);
}

static void
test_default_path (void)
{
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "kiln", "history.db",
                                                NULL);
  KilnHistory *history = open_history (NULL);

  g_assert_cmpstr (kiln_history_get_path (history), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
  close_history (history);
}

static void
test_bad_calls (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(JsonNode) not_object = json_from_string ("[1, 2]", NULL);
  g_autoptr(JsonNode) no_source = json_from_string ("{\"language\": \"python\"}", NULL);
  g_autoptr(JsonNode) record = comparison_record ("python", "print(1)\n", "");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };
  KilnHistory *history;

  /* Any call opens the history first. */
  history = kiln_history_new (path);
  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  g_clear_object (&list);

  g_assert_cmpint (try_add_comparison (history, not_object, &error), ==, 0);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (try_add_comparison (history, no_source, &error), ==, 0);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (try_add_conversion (history, 1, not_object, &error), ==, 0);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Cancelled before it starts: skipped, and said so. */
  g_cancellable_cancel (cancellable);
  kiln_history_add_comparison_async (history, record, cancellable, kiln_test_wait_cb, &wait);
  g_assert_cmpint (kiln_history_add_comparison_finish (history, kiln_test_wait_for (&wait),
                                                       &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&wait.result);
  kiln_history_list_async (history, 0, cancellable, kiln_test_wait_cb, &wait);
  g_assert_null (kiln_history_list_finish (history, kiln_test_wait_for (&wait), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&wait.result);

  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);

  close_history (history);
  kiln_test_remove_tree (dir);
}

static void
test_disk_full (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *options = NULL;
  g_autoptr(JsonNode) comparison = comparison_record ("python", SUM_SQUARES_PY, "5\n");
  g_autoptr(JsonNode) small = conversion_record ("m1", "Model One", TRUE, 2, 1, "int x;");
  g_autoptr(JsonNode) huge = NULL;
  g_autoptr(JsonNode) loaded = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) code = g_string_new (NULL);
  KilnHistory *history;
  gint64 id;

  if (mount_skip_reason != NULL)
    {
      g_test_skip (mount_skip_reason);
      return;
    }

  dir = make_tmp_dir ();
  if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,mode=0755") < 0)
    g_error ("mount tmpfs on %s: %s", dir, g_strerror (errno));
  path = g_build_filename (dir, "history.db", NULL);

  history = open_history (path);
  id = add_comparison (history, comparison);
  add_conversion (history, id, small);

  while (code->len < 1024 * 1024)
    g_string_append (code, "int f () { return 42; }\n");
  huge = conversion_record ("m2", "Model Two", TRUE, 3, 1, code->str);
  g_assert_cmpint (try_add_conversion (history, id, huge, &error), ==, 0);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_HISTORY);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "full"));
  g_clear_error (&error);

  /* Nothing earlier is lost, and the file still takes small writes. */
  add_conversion (history, id, small);
  close_history (history);

  history = open_history (path);
  g_assert_null (kiln_history_get_recovered_path (history));
  list = list_history (history, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  loaded = load (history, id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (loaded), "conversions")), ==, 2);
  close_history (history);

  if (umount2 (dir, MNT_DETACH) < 0)
    g_error ("umount %s: %s", dir, g_strerror (errno));
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = make_tmp_dir ();
  int status;

  /* Before anything asks GLib for it: the default path lands in a temporary folder. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  g_test_init (&argc, &argv, NULL);

  if (unshare (CLONE_NEWNS) < 0)
    mount_skip_reason = g_strdup_printf ("Cannot make a private mount namespace (%s): the "
                                         "disk-full test needs root or CAP_SYS_ADMIN",
                                         g_strerror (errno));
  else if (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    mount_skip_reason = g_strdup_printf ("Cannot make the mounts private (%s)",
                                         g_strerror (errno));

  g_test_add_func ("/history/round-trip", test_round_trip);
  g_test_add_func ("/history/titles", test_titles);
  g_test_add_func ("/history/corrupt/random-bytes", test_corrupt_random);
  g_test_add_func ("/history/corrupt/truncated", test_corrupt_truncated);
  g_test_add_func ("/history/locked", test_locked);
  g_test_add_func ("/history/newer-version", test_newer_version);
  g_test_add_func ("/history/queued-writes-survive-dispose", test_queued_writes);
  g_test_add_func ("/history/main-loop-runs-during-write", test_main_loop_runs);
  g_test_add_func ("/history/default-path", test_default_path);
  g_test_add_func ("/history/bad-calls", test_bad_calls);
  g_test_add_func ("/history/disk-full", test_disk_full);

  status = g_test_run ();
  kiln_test_remove_tree (data_home);

  return status;
}

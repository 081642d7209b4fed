/* kiln-history.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiln-error.h"
#include "kiln-history.h"
#include "kiln-history-entry-private.h"

/* How long a statement waits for another program's lock before it gives up. */
#define BUSY_TIMEOUT_MS 2000

/* The journal stays in its default mode, DELETE (a rollback journal), rather than WAL:
 * Kiln writes a few rows a minute from one connection, so WAL's concurrent readers buy
 * nothing, while a rollback journal keeps the history one file (no -wal/-shm beside it to
 * copy, move aside or lose) and works on network home folders where WAL's shared memory
 * does not. synchronous=FULL makes every committed write durable. */

struct _KilnHistory
{
  GObject      parent_instance;

  char        *path;
  char        *recovered_path;  /* main context only */
  GThreadPool *pool;            /* one exclusive thread; created with the first call */
  sqlite3     *db;              /* the worker thread only */
};

G_DEFINE_FINAL_TYPE (KilnHistory, kiln_history, G_TYPE_OBJECT)

/* The schema, one step per version: migrations[v] upgrades version v to v + 1 and sets
 * user_version itself (a PRAGMA cannot take a bound parameter). AUTOINCREMENT: an id is
 * never reused, so a stale id held by the window can never reach a newer comparison. */
static const char * const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE comparisons ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  created INTEGER NOT NULL,"
  "  language TEXT NOT NULL,"
  "  source TEXT NOT NULL,"
  "  input TEXT,"
  "  run_config TEXT,"
  "  kiln_version TEXT"
  ");"
  "CREATE INDEX comparisons_by_created ON comparisons (created);"
  "CREATE TABLE conversions ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  comparison_id INTEGER NOT NULL REFERENCES comparisons (id) ON DELETE CASCADE,"
  "  created INTEGER NOT NULL,"
  "  model_id TEXT,"
  "  model_label TEXT,"
  "  verdict TEXT,"
  "  verified INTEGER NOT NULL DEFAULT 0,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  speedup REAL,"
  "  cpp_seconds REAL,"
  "  ttft_seconds REAL,"
  "  tokens_in INTEGER,"
  "  tokens_out INTEGER,"
  "  cost_usd REAL,"
  "  seconds REAL,"
  "  record TEXT NOT NULL"
  ");"
  "CREATE INDEX conversions_by_comparison ON conversions (comparison_id);"
  "PRAGMA user_version = 1;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == KILN_HISTORY_SCHEMA_VERSION);

typedef enum
{
  JOB_OPEN,
  JOB_ADD_COMPARISON,
  JOB_ADD_CONVERSION,
  JOB_LIST,
  JOB_LOAD,
  JOB_DELETE,
  JOB_CLOSE,
} JobKind;

typedef struct
{
  gboolean set;
  double   value;
} OptDouble;

typedef struct
{
  gboolean set;
  gint64   value;
} OptInt;

/* Everything a job needs, copied on the caller's thread, so the worker never touches the
 * caller's JsonNode; and its results, handed back to the caller's main context. */
typedef struct
{
  JobKind     kind;
  GTask      *task;        /* NULL for JOB_CLOSE */

  gint64      id;          /* the comparison: add_conversion, load, delete */
  gint64      created;
  guint       limit;

  char       *language;
  char       *source;
  char       *input;
  char       *run_config;
  char       *kiln_version;

  char       *model_id;
  char       *model_label;
  char       *verdict;
  gboolean    verified;
  gint64      attempts;
  OptDouble   speedup;
  OptDouble   cpp_seconds;
  OptDouble   ttft_seconds;
  OptInt      tokens_in;
  OptInt      tokens_out;
  OptDouble   cost_usd;
  OptDouble   seconds;
  char       *record;

  GError     *error;
  gboolean    opened;      /* this job opened the database */
  char       *recovered_path;
  gint64      result_id;
  GListModel *list;
  JsonNode   *node;
} Job;

static Job *
job_new (JobKind  kind,
         GTask   *task)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->task = task;

  return job;
}

static void
job_free (Job *job)
{
  g_free (job->language);
  g_free (job->source);
  g_free (job->input);
  g_free (job->run_config);
  g_free (job->kiln_version);
  g_free (job->model_id);
  g_free (job->model_label);
  g_free (job->verdict);
  g_free (job->record);
  g_free (job->recovered_path);
  g_clear_error (&job->error);
  g_clear_object (&job->list);
  g_clear_pointer (&job->node, json_node_unref);
  g_clear_object (&job->task);
  g_free (job);
}

/* --- errors --- */

static gboolean
is_damaged (int rc)
{
  return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* @what is a translated "Could not …" that says which operation failed. */
static void
set_db_error (GError     **error,
              sqlite3     *db,
              int          rc,
              const char  *path,
              const char  *what)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
                   _("%s: the history file “%s” is used by another program. "
                     "Close other Kiln windows and try again."),
                   what, path);
      break;

    case SQLITE_FULL:
      g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
                   _("%s: the disk that holds “%s” is full. Free some space and try again; "
                     "the history saved before is kept."),
                   what, path);
      break;

    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
      g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
                   _("%s: the history file “%s” cannot be opened or written (%s). "
                     "Check that you may write to the file and its folder."),
                   what, path, detail);
      break;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
                   _("%s: the history file “%s” is damaged (%s). Restart Kiln: it will set "
                     "the damaged file aside and start a new history."),
                   what, path, detail);
      break;

    case SQLITE_IOERR:
      g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
                   _("%s: reading or writing “%s” failed (%s). Check the disk, then try "
                     "again."),
                   what, path, detail);
      break;

    default:
      g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
                   _("%s: “%s”: %s. Try again; if it keeps failing, please report it."),
                   what, path, detail);
      break;
    }
}

/* --- small SQL helpers (worker thread) --- */

/* Runs constant SQL that takes no parameters. */
static int
exec_sql (sqlite3    *db,
          const char *sql)
{
  return sqlite3_exec (db, sql, NULL, NULL, NULL);
}

static void
rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    exec_sql (db, "ROLLBACK");
}

static int
read_user_version (sqlite3 *db,
                   int     *version)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *version = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);

  return rc;
}

/* SQLITE_OK and *ok when the file passes quick_check. */
static int
quick_check (sqlite3  *db,
             gboolean *ok)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *ok = FALSE;
  rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *ok = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0;
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);

  return rc;
}

static int
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  /* SQLITE_STATIC: the job owns the text until the statement is finalized. */
  if (text == NULL)
    return sqlite3_bind_null (stmt, index);
  return sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

static int
bind_opt_double (sqlite3_stmt    *stmt,
                 int              index,
                 const OptDouble *value)
{
  if (!value->set)
    return sqlite3_bind_null (stmt, index);
  return sqlite3_bind_double (stmt, index, value->value);
}

static int
bind_opt_int (sqlite3_stmt *stmt,
              int           index,
              const OptInt *value)
{
  if (!value->set)
    return sqlite3_bind_null (stmt, index);
  return sqlite3_bind_int64 (stmt, index, value->value);
}

/* --- opening (worker thread) --- */

typedef enum
{
  OPEN_OK,
  OPEN_DAMAGED,
  OPEN_FAILED,
} OpenResult;

/* Brings the schema up to KILN_HISTORY_SCHEMA_VERSION, one version per transaction. The
 * version is read again inside each transaction, so two programs opening a new file at
 * once upgrade it once. */
static int
migrate (sqlite3  *db,
         int      *version)
{
  for (;;)
    {
      int rc;

      if ((rc = exec_sql (db, "BEGIN IMMEDIATE")) != SQLITE_OK)
        return rc;

      if ((rc = read_user_version (db, version)) != SQLITE_OK)
        {
          rollback (db);
          return rc;
        }

      if (*version < 0 || *version >= KILN_HISTORY_SCHEMA_VERSION)
        {
          rollback (db);
          return SQLITE_OK;
        }

      g_debug ("Upgrading the history from version %d to %d", *version, *version + 1);

      if ((rc = exec_sql (db, migrations[*version])) != SQLITE_OK ||
          (rc = exec_sql (db, "COMMIT")) != SQLITE_OK)
        {
          rollback (db);
          return rc;
        }
    }
}

static void
set_too_new_error (GError     **error,
                   const char  *path,
                   int          version)
{
  g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY_TOO_NEW,
               _("The history file “%s” was written by a newer version of Kiln (format %d; "
                 "this version reads up to %d). Update Kiln to see that history; the file "
                 "was left as it is."),
               path, version, KILN_HISTORY_SCHEMA_VERSION);
}

static OpenResult
try_open (const char  *path,
          sqlite3    **out,
          GError     **error)
{
  const char *what = _("Could not open the history");
  sqlite3 *db = NULL;
  gboolean ok;
  int version = 0;
  int rc;

  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    goto failed;

  /* Settings of this connection, not of the file: nothing is read or written yet. */
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  sqlite3_db_config (db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  if ((rc = exec_sql (db, "PRAGMA foreign_keys = ON")) != SQLITE_OK ||
      (rc = exec_sql (db, "PRAGMA synchronous = FULL")) != SQLITE_OK)
    goto failed;

  /* The version first: a newer Kiln's file is left alone, damaged or not. */
  if ((rc = read_user_version (db, &version)) != SQLITE_OK)
    goto failed;

  if (version > KILN_HISTORY_SCHEMA_VERSION)
    {
      set_too_new_error (error, path, version);
      sqlite3_close (db);
      return OPEN_FAILED;
    }

  if ((rc = quick_check (db, &ok)) != SQLITE_OK)
    goto failed;

  if (!ok)
    {
      g_debug ("The history file %s fails its quick check", path);
      sqlite3_close (db);
      return OPEN_DAMAGED;
    }

  if ((rc = migrate (db, &version)) != SQLITE_OK)
    goto failed;

  if (version > KILN_HISTORY_SCHEMA_VERSION)
    {
      set_too_new_error (error, path, version);
      sqlite3_close (db);
      return OPEN_FAILED;
    }

  *out = db;
  return OPEN_OK;

failed:
  if (is_damaged (rc))
    {
      g_debug ("The history file %s is damaged: %s", path, sqlite3_errstr (rc));
      sqlite3_close (db);
      return OPEN_DAMAGED;
    }

  set_db_error (error, db, rc, path, what);
  sqlite3_close (db);
  return OPEN_FAILED;
}

/* Renames the damaged file (and its journal, which must not be played into the new file)
 * to "<path>.corrupt-YYYYMMDD-HHMMSS", never over an earlier one. */
static char *
move_aside (const char  *path,
            GError     **error)
{
  static const char * const companions[] = { "-journal", "-wal", "-shm" };
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_strdup_printf ("%s.corrupt-%s", path, stamp);
  g_autofree char *aside = g_strdup (base);

  for (guint n = 2; g_file_test (aside, G_FILE_TEST_EXISTS); n++)
    {
      g_free (aside);
      aside = g_strdup_printf ("%s-%u", base, n);
    }

  if (g_rename (path, aside) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
                   _("The history file “%s” is damaged and could not be moved aside (%s). "
                     "Move it away yourself, then open Kiln again."),
                   path, g_strerror (saved_errno));
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *from = g_strconcat (path, companions[i], NULL);
      g_autofree char *to = g_strconcat (aside, companions[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS) && g_rename (from, to) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
                       _("The history file “%s” is damaged and its journal “%s” could not "
                         "be moved aside (%s). Move it away yourself, then open Kiln again."),
                       path, from, g_strerror (saved_errno));
          return NULL;
        }
    }

  g_debug ("Moved the damaged history file %s to %s", path, aside);

  return g_steal_pointer (&aside);
}

/* Opens the database unless it is open: any call opens it first, so a history that was
 * busy at start-up is used as soon as the other program lets go. */
static gboolean
ensure_open (KilnHistory  *self,
             Job          *job,
             GError      **error)
{
  g_autofree char *folder = NULL;
  g_autofree char *aside = NULL;
  sqlite3 *db = NULL;
  OpenResult result;

  if (self->db != NULL)
    return TRUE;

  folder = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
                   _("Could not create the folder “%s” for the history file: %s. Check that "
                     "you may write there."),
                   folder, g_strerror (saved_errno));
      return FALSE;
    }

  result = try_open (self->path, &db, error);
  if (result == OPEN_DAMAGED)
    {
      if ((aside = move_aside (self->path, error)) == NULL)
        return FALSE;

      /* Reported even when the new file cannot be made: the old one is no longer there. */
      job->recovered_path = g_strdup (aside);
      result = try_open (self->path, &db, error);
      if (result == OPEN_DAMAGED)
        {
          g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
                       _("Could not create a new history file “%s”: the new file is damaged "
                         "too. Check the disk, then open Kiln again."),
                       self->path);
          return FALSE;
        }
    }

  if (result != OPEN_OK)
    return FALSE;

  self->db = db;
  job->opened = TRUE;

  return TRUE;
}

/* --- the jobs (worker thread) --- */

static gboolean
run_add_comparison (KilnHistory  *self,
                    Job          *job,
                    GError      **error)
{
  const char *what = _("Could not save the comparison to the history");
  sqlite3_stmt *stmt = NULL;
  gboolean bound = TRUE;
  int rc;

  if ((rc = exec_sql (self->db, "BEGIN IMMEDIATE")) != SQLITE_OK)
    goto failed;

  rc = sqlite3_prepare_v2 (self->db,
                           "INSERT INTO comparisons"
                           " (created, language, source, input, run_config, kiln_version)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    goto failed;

  bound &= sqlite3_bind_int64 (stmt, 1, job->created) == SQLITE_OK;
  bound &= bind_text (stmt, 2, job->language) == SQLITE_OK;
  bound &= bind_text (stmt, 3, job->source) == SQLITE_OK;
  bound &= bind_text (stmt, 4, job->input) == SQLITE_OK;
  bound &= bind_text (stmt, 5, job->run_config) == SQLITE_OK;
  bound &= bind_text (stmt, 6, job->kiln_version) == SQLITE_OK;
  if (!bound)
    {
      rc = sqlite3_errcode (self->db);
      goto failed;
    }

  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    goto failed;

  job->result_id = sqlite3_last_insert_rowid (self->db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if ((rc = exec_sql (self->db, "COMMIT")) != SQLITE_OK)
    goto failed;

  return TRUE;

failed:
  set_db_error (error, self->db, rc, self->path, what);
  g_clear_pointer (&stmt, sqlite3_finalize);
  rollback (self->db);
  job->result_id = 0;
  return FALSE;
}

static gboolean
run_add_conversion (KilnHistory  *self,
                    Job          *job,
                    GError      **error)
{
  const char *what = _("Could not save the conversion to the history");
  sqlite3_stmt *stmt = NULL;
  gboolean bound = TRUE;
  int rc;

  if ((rc = exec_sql (self->db, "BEGIN IMMEDIATE")) != SQLITE_OK)
    goto failed;

  rc = sqlite3_prepare_v2 (self->db,
                           "INSERT INTO conversions"
                           " (comparison_id, created, model_id, model_label, verdict, verified,"
                           "  attempts, speedup, cpp_seconds, ttft_seconds, tokens_in,"
                           "  tokens_out, cost_usd, seconds, record)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                           "  ?14, ?15)",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    goto failed;

  bound &= sqlite3_bind_int64 (stmt, 1, job->id) == SQLITE_OK;
  bound &= sqlite3_bind_int64 (stmt, 2, job->created) == SQLITE_OK;
  bound &= bind_text (stmt, 3, job->model_id) == SQLITE_OK;
  bound &= bind_text (stmt, 4, job->model_label) == SQLITE_OK;
  bound &= bind_text (stmt, 5, job->verdict) == SQLITE_OK;
  bound &= sqlite3_bind_int (stmt, 6, job->verified ? 1 : 0) == SQLITE_OK;
  bound &= sqlite3_bind_int64 (stmt, 7, job->attempts) == SQLITE_OK;
  bound &= bind_opt_double (stmt, 8, &job->speedup) == SQLITE_OK;
  bound &= bind_opt_double (stmt, 9, &job->cpp_seconds) == SQLITE_OK;
  bound &= bind_opt_double (stmt, 10, &job->ttft_seconds) == SQLITE_OK;
  bound &= bind_opt_int (stmt, 11, &job->tokens_in) == SQLITE_OK;
  bound &= bind_opt_int (stmt, 12, &job->tokens_out) == SQLITE_OK;
  bound &= bind_opt_double (stmt, 13, &job->cost_usd) == SQLITE_OK;
  bound &= bind_opt_double (stmt, 14, &job->seconds) == SQLITE_OK;
  bound &= bind_text (stmt, 15, job->record) == SQLITE_OK;
  if (!bound)
    {
      rc = sqlite3_errcode (self->db);
      goto failed;
    }

  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    goto failed;

  job->result_id = sqlite3_last_insert_rowid (self->db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if ((rc = exec_sql (self->db, "COMMIT")) != SQLITE_OK)
    goto failed;

  return TRUE;

failed:
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, job->id);

      g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY_NOT_FOUND,
                   _("%s: comparison %s is not in the history file “%s”; it may have been "
                     "deleted. Run the comparison again to keep its results."),
                   what, id, self->path);
    }
  else
    set_db_error (error, self->db, rc, self->path, what);
  g_clear_pointer (&stmt, sqlite3_finalize);
  rollback (self->db);
  job->result_id = 0;
  return FALSE;
}

/* One read transaction, so the list is one moment of a file other programs may write. */
static gboolean
run_list (KilnHistory  *self,
          Job          *job,
          GError      **error)
{
  const char *what = _("Could not read the history");
  g_autoptr(GListStore) store = g_list_store_new (KILN_TYPE_HISTORY_ENTRY);
  sqlite3_stmt *stmt = NULL;
  sqlite3_stmt *conversions = NULL;
  int rc;

  if ((rc = exec_sql (self->db, "BEGIN")) != SQLITE_OK)
    goto failed;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT id, created, language, source FROM comparisons"
                           " ORDER BY created DESC, id DESC LIMIT ?1",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    goto failed;
  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT model_id, model_label, verified, speedup FROM conversions"
                           " WHERE comparison_id = ?1 ORDER BY id",
                           -1, &conversions, NULL);
  if (rc != SQLITE_OK)
    goto failed;

  if ((rc = sqlite3_bind_int64 (stmt, 1, job->limit > 0 ? (gint64) job->limit : -1)) != SQLITE_OK)
    goto failed;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(KilnHistoryEntry) entry = NULL;
      g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GString) models = g_string_new (NULL);
      g_autofree char *best_model = NULL;
      double best_speedup = 0;
      gint64 id = sqlite3_column_int64 (stmt, 0);
      guint n_conversions = 0;

      sqlite3_reset (conversions);
      if ((rc = sqlite3_bind_int64 (conversions, 1, id)) != SQLITE_OK)
        goto failed;

      while ((rc = sqlite3_step (conversions)) == SQLITE_ROW)
        {
          const char *model_id = (const char *) sqlite3_column_text (conversions, 0);
          const char *label = (const char *) sqlite3_column_text (conversions, 1);
          gboolean verified = sqlite3_column_int (conversions, 2) != 0;
          double speedup = sqlite3_column_double (conversions, 3);  /* NULL reads as 0 */

          if (label == NULL || label[0] == '\0')
            label = model_id != NULL ? model_id : "";

          n_conversions++;

          if (label[0] != '\0' && !g_hash_table_contains (seen, label))
            {
              g_hash_table_add (seen, g_strdup (label));
              if (models->len > 0)
                g_string_append (models, ", ");
              g_string_append (models, label);
            }

          if (verified && (best_model == NULL || speedup > best_speedup))
            {
              g_free (best_model);
              best_model = g_strdup (label);
              best_speedup = speedup;
            }
        }
      if (rc != SQLITE_DONE)
        goto failed;

      entry = _kiln_history_entry_new (id,
                                       sqlite3_column_int64 (stmt, 1),
                                       (const char *) sqlite3_column_text (stmt, 2),
                                       (const char *) sqlite3_column_text (stmt, 3),
                                       n_conversions,
                                       models->str,
                                       best_model,
                                       best_speedup);
      g_list_store_append (store, entry);
    }
  if (rc != SQLITE_DONE)
    goto failed;

  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_pointer (&conversions, sqlite3_finalize);
  exec_sql (self->db, "COMMIT");

  job->list = G_LIST_MODEL (g_steal_pointer (&store));
  return TRUE;

failed:
  set_db_error (error, self->db, rc, self->path, what);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_pointer (&conversions, sqlite3_finalize);
  rollback (self->db);
  return FALSE;
}

static void
add_text_member (JsonBuilder  *builder,
                 const char   *name,
                 sqlite3_stmt *stmt,
                 int           column)
{
  json_builder_set_member_name (builder, name);
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, column));
}

/* Adds the JSON text of @column parsed, or NULL; FALSE when the text is not JSON. */
static gboolean
add_json_member (JsonBuilder   *builder,
                 const char    *name,
                 sqlite3_stmt  *stmt,
                 int            column,
                 GError       **error)
{
  JsonNode *node;

  if (name != NULL)
    json_builder_set_member_name (builder, name);

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    {
      json_builder_add_null_value (builder);
      return TRUE;
    }

  node = json_from_string ((const char *) sqlite3_column_text (stmt, column), error);
  if (node == NULL)
    return FALSE;

  json_builder_add_value (builder, node);
  return TRUE;
}

static gboolean
run_load (KilnHistory  *self,
          Job          *job,
          GError      **error)
{
  const char *what = _("Could not read the comparison from the history");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) json_error = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if ((rc = exec_sql (self->db, "BEGIN")) != SQLITE_OK)
    goto failed;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT created, language, source, input, run_config, kiln_version"
                           " FROM comparisons WHERE id = ?1",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK || (rc = sqlite3_bind_int64 (stmt, 1, job->id)) != SQLITE_OK)
    goto failed;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, job->id);

      g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY_NOT_FOUND,
                   _("%s: comparison %s is not in the history file “%s”; it may have been "
                     "deleted. Reload the history list."),
                   what, id, self->path);
      g_clear_pointer (&stmt, sqlite3_finalize);
      rollback (self->db);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    goto failed;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, job->id);
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
  add_text_member (builder, "language", stmt, 1);
  add_text_member (builder, "source", stmt, 2);
  add_text_member (builder, "input", stmt, 3);
  if (!add_json_member (builder, "run_config", stmt, 4, &json_error))
    goto damaged;
  add_text_member (builder, "kiln_version", stmt, 5);
  g_clear_pointer (&stmt, sqlite3_finalize);

  json_builder_set_member_name (builder, "conversions");
  json_builder_begin_array (builder);

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT record FROM conversions WHERE comparison_id = ?1 ORDER BY id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK || (rc = sqlite3_bind_int64 (stmt, 1, job->id)) != SQLITE_OK)
    goto failed;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (!add_json_member (builder, NULL, stmt, 0, &json_error))
        goto damaged;
    }
  if (rc != SQLITE_DONE)
    goto failed;

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  g_clear_pointer (&stmt, sqlite3_finalize);
  exec_sql (self->db, "COMMIT");

  job->node = json_builder_get_root (builder);
  return TRUE;

damaged:
  g_set_error (error, KILN_ERROR, KILN_ERROR_HISTORY,
               _("%s: a record in the history file “%s” is not valid JSON (%s)."),
               what, self->path, json_error->message);
  g_clear_pointer (&stmt, sqlite3_finalize);
  rollback (self->db);
  return FALSE;

failed:
  set_db_error (error, self->db, rc, self->path, what);
  g_clear_pointer (&stmt, sqlite3_finalize);
  rollback (self->db);
  return FALSE;
}

static gboolean
run_delete (KilnHistory  *self,
            Job          *job,
            GError      **error)
{
  const char *what = _("Could not delete the comparison from the history");
  sqlite3_stmt *stmt = NULL;
  int rc;

  if ((rc = exec_sql (self->db, "BEGIN IMMEDIATE")) != SQLITE_OK)
    goto failed;

  /* Its conversions go with it: ON DELETE CASCADE, with foreign_keys on. */
  rc = sqlite3_prepare_v2 (self->db, "DELETE FROM comparisons WHERE id = ?1", -1, &stmt, NULL);
  if (rc != SQLITE_OK || (rc = sqlite3_bind_int64 (stmt, 1, job->id)) != SQLITE_OK)
    goto failed;

  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    goto failed;
  g_clear_pointer (&stmt, sqlite3_finalize);

  if ((rc = exec_sql (self->db, "COMMIT")) != SQLITE_OK)
    goto failed;

  return TRUE;

failed:
  set_db_error (error, self->db, rc, self->path, what);
  g_clear_pointer (&stmt, sqlite3_finalize);
  rollback (self->db);
  return FALSE;
}

/* Back in the caller's main context: the task returns there, and its last reference (and
 * so possibly the history's) is dropped there, never on the worker thread. */
static gboolean
job_complete_cb (gpointer user_data)
{
  Job *job = user_data;
  KilnHistory *self = g_task_get_source_object (job->task);

  if (job->opened || job->recovered_path != NULL)
    {
      g_free (self->recovered_path);
      self->recovered_path = g_steal_pointer (&job->recovered_path);
    }

  if (job->error != NULL)
    {
      g_task_return_error (job->task, g_steal_pointer (&job->error));
    }
  else
    {
      switch (job->kind)
        {
        case JOB_ADD_COMPARISON:
        case JOB_ADD_CONVERSION:
          g_task_return_pointer (job->task, g_memdup2 (&job->result_id, sizeof (gint64)), g_free);
          break;

        case JOB_LIST:
          g_task_return_pointer (job->task, g_steal_pointer (&job->list), g_object_unref);
          break;

        case JOB_LOAD:
          g_task_return_pointer (job->task, g_steal_pointer (&job->node),
                                 (GDestroyNotify) json_node_unref);
          break;

        case JOB_OPEN:
        case JOB_DELETE:
          g_task_return_boolean (job->task, TRUE);
          break;

        case JOB_CLOSE:
        default:
          g_assert_not_reached ();
        }
    }

  job_free (job);

  return G_SOURCE_REMOVE;
}

static void
worker_func (gpointer data,
             gpointer user_data)
{
  Job *job = data;
  KilnHistory *self = user_data;
  g_autoptr(GSource) source = NULL;
  GError *error = NULL;
  gboolean ok = FALSE;

  if (job->kind == JOB_CLOSE)
    {
      g_clear_pointer (&self->db, sqlite3_close);
      job_free (job);
      return;
    }

  if (!g_cancellable_set_error_if_cancelled (g_task_get_cancellable (job->task), &error) &&
      ensure_open (self, job, &error))
    {
      switch (job->kind)
        {
        case JOB_OPEN:
          ok = TRUE;
          break;

        case JOB_ADD_COMPARISON:
          ok = run_add_comparison (self, job, &error);
          break;

        case JOB_ADD_CONVERSION:
          ok = run_add_conversion (self, job, &error);
          break;

        case JOB_LIST:
          ok = run_list (self, job, &error);
          break;

        case JOB_LOAD:
          ok = run_load (self, job, &error);
          break;

        case JOB_DELETE:
          ok = run_delete (self, job, &error);
          break;

        case JOB_CLOSE:
        default:
          g_assert_not_reached ();
        }
    }

  g_assert (ok == (error == NULL));
  job->error = error;

  /* A plain idle source rather than g_main_context_invoke(), which would run the callback
   * on this thread whenever the caller's context happened to be free. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, job_complete_cb, job, NULL);
  g_source_set_static_name (source, "[kiln] history job done");
  g_source_attach (source, g_task_get_context (job->task));
}

static void
push_job (KilnHistory *self,
          Job         *job)
{
  if (self->pool == NULL)
    {
      g_autoptr(GError) error = NULL;

      self->pool = g_thread_pool_new (worker_func, self, 1, TRUE, &error);
      if (self->pool == NULL)
        {
          g_task_return_new_error (job->task, KILN_ERROR, KILN_ERROR_HISTORY,
                                   _("Could not start the thread that writes the history "
                                     "file “%s”: %s."),
                                   self->path, error->message);
          job_free (job);
          return;
        }
    }

  /* The pool's thread exists already, so pushing cannot fail. */
  g_thread_pool_push (self->pool, job, NULL);
}

static void
kiln_history_finalize (GObject *object)
{
  KilnHistory *self = KILN_HISTORY (object);

  /* Every queued job holds a reference to the history, so none is left but the close;
   * g_thread_pool_free() waits for it. */
  if (self->pool != NULL)
    {
      g_thread_pool_push (self->pool, job_new (JOB_CLOSE, NULL), NULL);
      g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
    }
  g_assert (self->db == NULL);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->recovered_path, g_free);

  G_OBJECT_CLASS (kiln_history_parent_class)->finalize (object);
}

static void
kiln_history_class_init (KilnHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kiln_history_finalize;
}

static void
kiln_history_init (KilnHistory *self)
{
}

KilnHistory *
kiln_history_new (const char *path)
{
  KilnHistory *self = g_object_new (KILN_TYPE_HISTORY, NULL);

  if (path != NULL)
    self->path = g_strdup (path);
  else
    self->path = g_build_filename (g_get_user_data_dir (), "kiln", "history.db", NULL);

  return self;
}

const char *
kiln_history_get_path (KilnHistory *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY (self), NULL);

  return self->path;
}

const char *
kiln_history_get_recovered_path (KilnHistory *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY (self), NULL);

  return self->recovered_path;
}

static GTask *
new_task (KilnHistory         *self,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);

  return task;
}

void
kiln_history_open_async (KilnHistory         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (KILN_IS_HISTORY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, cancellable, callback, user_data, kiln_history_open_async);
  push_job (self, job_new (JOB_OPEN, task));
}

gboolean
kiln_history_open_finish (KilnHistory   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (KILN_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kiln_history_open_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- reading the caller's records (caller's thread) --- */

static JsonNode *
get_value_member (JsonObject *object,
                  const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? node : NULL;
}

static char *
dup_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = get_value_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static OptDouble
get_double_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = get_value_member (object, name);
  OptDouble value = { FALSE, 0 };

  if (node == NULL)
    return value;

  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      value.set = TRUE;
      value.value = json_node_get_double (node);
    }
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      value.set = TRUE;
      value.value = (double) json_node_get_int (node);
    }

  return value;
}

static OptInt
get_int_member (JsonObject *object,
                const char *name)
{
  JsonNode *node = get_value_member (object, name);
  OptInt value = { FALSE, 0 };

  if (node == NULL)
    return value;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      value.set = TRUE;
      value.value = json_node_get_int (node);
    }
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (d >= (double) G_MININT64 && d < (double) G_MAXINT64)
        {
          value.set = TRUE;
          value.value = (gint64) d;
        }
    }

  return value;
}

static gboolean
get_boolean_member (JsonObject *object,
                    const char *name)
{
  JsonNode *node = get_value_member (object, name);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
         json_node_get_boolean (node);
}

/* A member's JSON text; NULL when it is missing or null. */
static char *
dup_json_member (JsonObject *object,
                 const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return json_to_string (node, FALSE);
}

void
kiln_history_add_comparison_async (KilnHistory         *self,
                                   JsonNode            *record,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  JsonObject *object;
  Job *job;

  g_return_if_fail (KILN_IS_HISTORY (self));
  g_return_if_fail (record != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, cancellable, callback, user_data, kiln_history_add_comparison_async);
  /* A write that has started is finished, and reports its id, even when cancelled. */
  g_task_set_check_cancellable (task, FALSE);

  job = job_new (JOB_ADD_COMPARISON, task);
  job->created = g_get_real_time ();

  object = JSON_NODE_HOLDS_OBJECT (record) ? json_node_get_object (record) : NULL;
  if (object != NULL)
    {
      job->language = dup_string_member (object, "language");
      job->source = dup_string_member (object, "source");
      job->input = dup_string_member (object, "input");
      job->run_config = dup_json_member (object, "run_config");
      job->kiln_version = dup_string_member (object, "kiln_version");
    }

  if (job->language == NULL || job->source == NULL)
    {
      g_task_return_new_error (task, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                               _("Could not save the comparison to the history: its record "
                                 "has no “language” or no “source”."));
      job_free (job);
      return;
    }

  push_job (self, job);
}

gint64
kiln_history_add_comparison_finish (KilnHistory   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (KILN_IS_HISTORY (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        kiln_history_add_comparison_async, 0);

  id = g_task_propagate_pointer (G_TASK (result), error);

  return id != NULL ? *id : 0;
}

void
kiln_history_add_conversion_async (KilnHistory         *self,
                                   gint64               comparison_id,
                                   JsonNode            *record,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  JsonObject *object;
  JsonNode *attempts;
  Job *job;

  g_return_if_fail (KILN_IS_HISTORY (self));
  g_return_if_fail (record != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, cancellable, callback, user_data, kiln_history_add_conversion_async);
  g_task_set_check_cancellable (task, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (record))
    {
      g_task_return_new_error (task, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                               _("Could not save the conversion to the history: its record "
                                 "is not a JSON object."));
      g_object_unref (task);
      return;
    }

  object = json_node_get_object (record);
  job = job_new (JOB_ADD_CONVERSION, task);
  job->id = comparison_id;
  job->created = g_get_real_time ();
  job->model_id = dup_string_member (object, "model");
  job->model_label = dup_string_member (object, "model_label");
  job->verdict = dup_string_member (object, "verdict");
  job->verified = get_boolean_member (object, "verified");

  attempts = json_object_get_member (object, "attempts");
  if (attempts != NULL && JSON_NODE_HOLDS_ARRAY (attempts))
    job->attempts = json_array_get_length (json_node_get_array (attempts));
  else
    job->attempts = MAX (get_int_member (object, "attempts").value, 0);

  job->speedup = get_double_member (object, "speedup");
  job->cpp_seconds = get_double_member (object, "cpp_seconds");
  job->ttft_seconds = get_double_member (object, "ttft_seconds");
  job->tokens_in = get_int_member (object, "tokens_in");
  job->tokens_out = get_int_member (object, "tokens_out");
  job->cost_usd = get_double_member (object, "cost_usd");
  job->seconds = get_double_member (object, "seconds");
  job->record = json_to_string (record, FALSE);

  push_job (self, job);
}

gint64
kiln_history_add_conversion_finish (KilnHistory   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (KILN_IS_HISTORY (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        kiln_history_add_conversion_async, 0);

  id = g_task_propagate_pointer (G_TASK (result), error);

  return id != NULL ? *id : 0;
}

void
kiln_history_list_async (KilnHistory         *self,
                         guint                limit,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  Job *job;

  g_return_if_fail (KILN_IS_HISTORY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = job_new (JOB_LIST, new_task (self, cancellable, callback, user_data,
                                     kiln_history_list_async));
  job->limit = limit;
  push_job (self, job);
}

GListModel *
kiln_history_list_finish (KilnHistory   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (KILN_IS_HISTORY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kiln_history_list_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
kiln_history_load_async (KilnHistory         *self,
                         gint64               id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  Job *job;

  g_return_if_fail (KILN_IS_HISTORY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = job_new (JOB_LOAD, new_task (self, cancellable, callback, user_data,
                                     kiln_history_load_async));
  job->id = id;
  push_job (self, job);
}

JsonNode *
kiln_history_load_finish (KilnHistory   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (KILN_IS_HISTORY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kiln_history_load_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
kiln_history_delete_async (KilnHistory         *self,
                           gint64               id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (KILN_IS_HISTORY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, cancellable, callback, user_data, kiln_history_delete_async);
  g_task_set_check_cancellable (task, FALSE);

  job = job_new (JOB_DELETE, task);
  job->id = id;
  push_job (self, job);
}

gboolean
kiln_history_delete_finish (KilnHistory   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (KILN_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kiln_history_delete_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

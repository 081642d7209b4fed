/* kiln-history.h: every conversion Kiln made, kept in an SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kiln-history-entry.h"

G_BEGIN_DECLS

/* The schema this code writes (PRAGMA user_version). Older files are upgraded one version
 * at a time; a newer file is refused with KILN_ERROR_HISTORY_TOO_NEW and left untouched. */
#define KILN_HISTORY_SCHEMA_VERSION 1

#define KILN_TYPE_HISTORY (kiln_history_get_type ())

G_DECLARE_FINAL_TYPE (KilnHistory, kiln_history, KILN, HISTORY, GObject)

/* Every call below is queued to one worker thread that owns the database connection, and
 * runs in the order it was made; callbacks run in the thread-default main context of the
 * caller. Each queued call keeps the history alive until its callback has run, and a queued
 * write is always carried out (dropping the last reference cancels nothing): keep the main
 * context running (g_application_hold) until the callbacks of the last writes arrive.
 * A cancellable cancelled before its call starts skips it (G_IO_ERROR_CANCELLED); a write
 * that has started completes and reports its result. Errors are in KILN_ERROR and name the
 * file: KILN_ERROR_HISTORY (busy, disk full, I/O), KILN_ERROR_HISTORY_TOO_NEW,
 * KILN_ERROR_HISTORY_NOT_FOUND, KILN_ERROR_INVALID_ARGUMENT (a record of the wrong shape).
 * A failed write changes nothing: each write is one transaction. */

/* @path: the database file; NULL: $XDG_DATA_HOME/kiln/history.db */
KilnHistory *kiln_history_new                   (const char           *path);
const char  *kiln_history_get_path              (KilnHistory          *self);

/* Opens the database, creating its folder and the schema. A file that is not a database,
 * or fails PRAGMA quick_check, is renamed aside to "<name>.corrupt-YYYYMMDD-HHMMSS" (with
 * its journal, if any) and a new one is created: the open succeeds and
 * kiln_history_get_recovered_path() says where the old file went. A database that another
 * program keeps locked for more than 2 seconds fails with KILN_ERROR_HISTORY and is left
 * untouched; opening again later may succeed. Opening an open history does nothing, and
 * any other call opens the history first when it is not open (yet). */
void         kiln_history_open_async            (KilnHistory          *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean     kiln_history_open_finish           (KilnHistory          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* Where the last open moved a damaged file, or NULL when it did not. */
const char  *kiln_history_get_recovered_path    (KilnHistory          *self);

/* Adds a comparison: @record is a JSON object with members "language" and "source"
 * (strings, required), "input" (string), "run_config" (object), "kiln_version" (string).
 * The record is copied before this returns. Finishes with its id (> 0), or 0 on error. */
void         kiln_history_add_comparison_async  (KilnHistory          *self,
                                                 JsonNode             *record,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gint64       kiln_history_add_comparison_finish (KilnHistory          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* Adds a finished conversion to comparison @comparison_id. @record is a JSON object, kept
 * whole; the summary columns are read from its members "model" (id), "model_label",
 * "verdict", "verified" (bool), "attempts" (a count, or an array: its length), "speedup",
 * "cpp_seconds", "ttft_seconds", "tokens_in", "tokens_out", "cost_usd", "seconds" (numbers;
 * null or missing is stored as NULL). Finishes with its id (> 0), or 0 on error
 * (KILN_ERROR_HISTORY_NOT_FOUND when the comparison is gone). */
void         kiln_history_add_conversion_async  (KilnHistory          *self,
                                                 gint64                comparison_id,
                                                 JsonNode             *record,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gint64       kiln_history_add_conversion_finish (KilnHistory          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* The comparisons, newest first, at most @limit (0: all): a GListModel of
 * KilnHistoryEntry. */
void         kiln_history_list_async            (KilnHistory          *self,
                                                 guint                 limit,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GListModel  *kiln_history_list_finish           (KilnHistory          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* One comparison whole: {"id", "created" (unix µs), "language", "source", "input",
 * "run_config", "kiln_version", "conversions": [record, ...] (in the order added)}.
 * KILN_ERROR_HISTORY_NOT_FOUND when there is no comparison @id. */
void         kiln_history_load_async            (KilnHistory          *self,
                                                 gint64                id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *kiln_history_load_finish           (KilnHistory          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* Deletes comparison @id and its conversions. Deleting one that is gone succeeds. */
void         kiln_history_delete_async          (KilnHistory          *self,
                                                 gint64                id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean     kiln_history_delete_finish         (KilnHistory          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS

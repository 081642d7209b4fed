/* kiln-history-entry.h: one comparison in the history list, as KilnHistory lists them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define KILN_TYPE_HISTORY_ENTRY (kiln_history_entry_get_type ())

G_DECLARE_FINAL_TYPE (KilnHistoryEntry, kiln_history_entry, KILN, HISTORY_ENTRY, GObject)

/* Read-only: an entry is a snapshot of the database when it was listed. */
gint64      kiln_history_entry_get_id                (KilnHistoryEntry *self);
/* Unix time in microseconds (g_get_real_time ()). */
gint64      kiln_history_entry_get_created           (KilnHistoryEntry *self);
/* The same moment in the local time zone; free with g_date_time_unref (). */
GDateTime  *kiln_history_entry_dup_created_date_time (KilnHistoryEntry *self);
/* "python" or "cpp", as the comparison was recorded. */
const char *kiln_history_entry_get_language          (KilnHistoryEntry *self);
/* The first line of the source that is neither blank nor a comment, trimmed; at most 80
 * characters (a longer line ends in "…"); "Untitled" (translated) when there is none. */
const char *kiln_history_entry_get_title             (KilnHistoryEntry *self);
const char *kiln_history_entry_get_source            (KilnHistoryEntry *self);
guint       kiln_history_entry_get_n_conversions     (KilnHistoryEntry *self);
/* The models' labels in the order they were added, each once, joined with ", ". */
const char *kiln_history_entry_get_models            (KilnHistoryEntry *self);
/* The verified conversion with the highest speedup: its model's label and speedup;
 * NULL and 0 when no conversion was verified. */
const char *kiln_history_entry_get_best_model        (KilnHistoryEntry *self);
double      kiln_history_entry_get_best_speedup      (KilnHistoryEntry *self);

G_END_DECLS

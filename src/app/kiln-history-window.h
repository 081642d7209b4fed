/* kiln-history-window.h: the past comparisons, to open again or delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_HISTORY_WINDOW (kiln_history_window_get_type ())

/* A "History" window listing the comparisons of @history, newest first: each with the first
 * line of its program, its date, its models and its best verified speedup, an Open button
 * and a Delete button. It reads the history when it is created and after each delete; while
 * that fails (the database is locked, say) it shows why, with a Retry button. Everything is
 * asynchronous and cancelled when the window closes.
 *
 * Properties (read-only):
 *   "history"        (KilnHistory, construct-only)
 *   "entries"        (GListModel of KilnHistoryEntry) the comparisons listed
 *   "loading"        (boolean) a read of the history is under way
 *   "error-message"  (string) why the last read failed; NULL when it did not
 *
 * Signals:
 *   "open" (gint64 id)  the person opened comparison @id (kiln_history_load_async reads it);
 *                       the window closes after the handlers have run
 *
 * Actions: "history.open" (x: id), "history.delete" (x: id), "history.reload". */
G_DECLARE_FINAL_TYPE (KilnHistoryWindow, kiln_history_window, KILN, HISTORY_WINDOW, AdwWindow)

KilnHistoryWindow *kiln_history_window_new               (GtkWindow         *parent,
                                                          KilnHistory       *history);
KilnHistory       *kiln_history_window_get_history       (KilnHistoryWindow *self);
GListModel        *kiln_history_window_get_entries       (KilnHistoryWindow *self);
gboolean           kiln_history_window_get_loading       (KilnHistoryWindow *self);
const char        *kiln_history_window_get_error_message (KilnHistoryWindow *self);
/* Reads the history again (what Retry does). */
void               kiln_history_window_reload            (KilnHistoryWindow *self);

G_END_DECLS

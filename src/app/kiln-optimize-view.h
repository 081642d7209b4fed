/* kiln-optimize-view.h: KilnOptimizeView, the rounds of a KilnOptimizer as a table — one row
 * per candidate, the kept ones marked, the best named
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_OPTIMIZE_VIEW (kiln_optimize_view_get_type ())

/* Properties:
 *   "optimizer" (KilnOptimizer) the rounds shown; NULL: none (a sentence says what Make It
 *               Faster does)
 *   "selected"  (KilnOptimizeCandidate) the row the person picked, NULL when none; setting it
 *               selects that row. Notified whenever the selection changes.
 *   "rounds"    (uint, 1–10, default 3) and "search-flags" (boolean, default TRUE): what the
 *               person asked for next time (the Rounds field and the compiler options box)
 *
 * Columns: Round ("Start", 1, 2, …, "Options" for the compiler options), C++ time, Speedup
 * (over the original), Over Best (over the best before it), Change (the model's one-line
 * summary), Verdict, Result ("Best", "Kept", "Not faster", "Rejected"). Above them, one line
 * says what the optimizer is doing, or why it stopped. */
G_DECLARE_FINAL_TYPE (KilnOptimizeView, kiln_optimize_view, KILN, OPTIMIZE_VIEW, GtkWidget)

GtkWidget             *kiln_optimize_view_new           (void);
KilnOptimizer         *kiln_optimize_view_get_optimizer (KilnOptimizeView      *self);
void                   kiln_optimize_view_set_optimizer (KilnOptimizeView      *self,
                                                         KilnOptimizer         *optimizer);
KilnOptimizeCandidate *kiln_optimize_view_get_selected  (KilnOptimizeView      *self);
void                   kiln_optimize_view_set_selected  (KilnOptimizeView      *self,
                                                         KilnOptimizeCandidate *candidate);
guint                  kiln_optimize_view_get_rounds    (KilnOptimizeView      *self);
void                   kiln_optimize_view_set_rounds    (KilnOptimizeView      *self,
                                                         guint                  rounds);
gboolean               kiln_optimize_view_get_search_flags (KilnOptimizeView   *self);
void                   kiln_optimize_view_set_search_flags (KilnOptimizeView   *self,
                                                            gboolean            search_flags);
/* The rows: every candidate of every round, in order (GListModel of KilnOptimizeCandidate). */
GListModel            *kiln_optimize_view_get_rows      (KilnOptimizeView      *self);
/* The line above the table. */
const char            *kiln_optimize_view_get_status_text (KilnOptimizeView    *self);
/* What the Result column says of @candidate. */
char                  *kiln_optimize_view_dup_result_text (KilnOptimizeView    *self,
                                                           KilnOptimizeCandidate *candidate);

G_END_DECLS

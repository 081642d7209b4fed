/* kiln-leaderboard-view.h: KilnLeaderboard, the conversions of one program as a sortable table, best first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_LEADERBOARD (kiln_leaderboard_get_type ())

/* Properties:
 *   "model"     (GListModel of KilnConversion) a session's "conversions"; NULL: none
 *   "selected"  (KilnConversion) the row the person picked, NULL when none; setting it
 *               selects that row (NULL, or a conversion not in the model: none). Notified
 *               whenever the selection changes, by the person or by a set.
 *   "sorted"    (GListModel of KilnConversion, read-only) the rows in the order shown
 *
 * Columns: Model, Verdict, Attempts ("2 of 3"), C++ time, Speedup ("—" unless verified),
 * First token, Tokens in, Tokens out, Tokens/s, Cost, Total time; every one sorts on a
 * click of its header. By default the rows are in leaderboard order
 * (kiln_conversion_compare_rank, the Verdict column's order), and they are sorted again
 * whenever a conversion's figures change. */
G_DECLARE_FINAL_TYPE (KilnLeaderboard, kiln_leaderboard, KILN, LEADERBOARD, GtkWidget)

GtkWidget      *kiln_leaderboard_new          (void);
GListModel     *kiln_leaderboard_get_model    (KilnLeaderboard *self);
void            kiln_leaderboard_set_model    (KilnLeaderboard *self,
                                               GListModel      *model);
KilnConversion *kiln_leaderboard_get_selected (KilnLeaderboard *self);
void            kiln_leaderboard_set_selected (KilnLeaderboard *self,
                                               KilnConversion  *conversion);
GListModel     *kiln_leaderboard_get_sorted   (KilnLeaderboard *self);

G_END_DECLS

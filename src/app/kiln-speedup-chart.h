/* kiln-speedup-chart.h: the conversions of one program as bars on a log scale of their
 * speedup, large enough to read from the back of a room
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_SPEEDUP_CHART (kiln_speedup_chart_get_type ())

/* Properties:
 *   "model"    (GListModel of KilnConversion) a session's "conversions"; NULL: none
 *   "summary"  (string, read-only) what the chart shows, in words: its accessible label,
 *              "Speedup chart: Right ×41.0, Wrong: Output differs at line 3"
 *
 * One row per conversion in leaderboard order (kiln_conversion_compare_rank). A verified
 * conversion is a bar in the accent colour whose length is the logarithm of its speedup,
 * with the speedup at its end ("≥" in front of a lower bound); any other conversion is a
 * grey dashed outline with its verdict ("Did not compile"), never a speedup; a running one
 * shows what it is doing. The chart follows the model and every conversion's notify. */
G_DECLARE_FINAL_TYPE (KilnSpeedupChart, kiln_speedup_chart, KILN, SPEEDUP_CHART, GtkWidget)

GtkWidget  *kiln_speedup_chart_new         (void);
GListModel *kiln_speedup_chart_get_model   (KilnSpeedupChart *self);
void        kiln_speedup_chart_set_model   (KilnSpeedupChart *self,
                                            GListModel       *model);
const char *kiln_speedup_chart_get_summary (KilnSpeedupChart *self);

G_END_DECLS

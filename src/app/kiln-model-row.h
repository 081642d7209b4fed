/* kiln-model-row.h: one model of the model dropdown, with its provider and what it lacks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_MODEL_ROW (kiln_model_row_get_type ())

/* Properties: "item" (KilnModelItem), "selected-item" (the row shows a check mark when it is
 * "item"), "compact" (the label alone, with a warning sign when the model is not available:
 * the dropdown's button). */
G_DECLARE_FINAL_TYPE (KilnModelRow, kiln_model_row, KILN, MODEL_ROW, GtkWidget)

KilnModelItem *kiln_model_row_get_item     (KilnModelRow  *self);
void           kiln_model_row_set_item     (KilnModelRow  *self,
                                            KilnModelItem *item);

G_END_DECLS

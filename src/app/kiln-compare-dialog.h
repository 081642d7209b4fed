/* kiln-compare-dialog.h: pick the models that convert the program side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_COMPARE_DIALOG (kiln_compare_dialog_get_type ())

/* A modal "Compare Models" window: a checklist of the models of @model_items (a GListModel
 * of KilnModelItem, followed as the registry learns more); a model that is not available
 * cannot be checked and says why. "Convert All" is sensitive with one model checked or
 * more; it emits "convert" and closes the dialog. Cancel and Escape close it.
 *
 * Signals:
 *   "convert" (GStrv ids)  the checked models' ids, in the order of @model_items
 *
 * Actions: "compare.convert-all". */
G_DECLARE_FINAL_TYPE (KilnCompareDialog, kiln_compare_dialog, KILN, COMPARE_DIALOG, AdwWindow)

/* @checked_ids: the models checked at first (say, the last comparison's); NULL: none. One
 * that is not available yet is checked as soon as it becomes available. */
KilnCompareDialog *kiln_compare_dialog_new             (GtkWindow          *parent,
                                                        GListModel         *model_items,
                                                        const char * const *checked_ids);
/* The ids of the checked models that are available, in the order of the model items;
 * free with g_strfreev(). */
char             **kiln_compare_dialog_get_checked_ids (KilnCompareDialog  *self);
/* Checks or unchecks the model @id (as a click on its check box would). */
void               kiln_compare_dialog_set_checked     (KilnCompareDialog  *self,
                                                        const char         *id,
                                                        gboolean            checked);

G_END_DECLS

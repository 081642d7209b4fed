/* kiln-diagnostic-row.h: one compiler diagnostic in the status panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_DIAGNOSTIC_ROW (kiln_diagnostic_row_get_type ())

G_DECLARE_FINAL_TYPE (KilnDiagnosticRow, kiln_diagnostic_row, KILN, DIAGNOSTIC_ROW, GtkListBoxRow)

GtkWidget            *kiln_diagnostic_row_new            (const KilnDiagnostic *diagnostic);
const KilnDiagnostic *kiln_diagnostic_row_get_diagnostic (KilnDiagnosticRow    *self);

G_END_DECLS

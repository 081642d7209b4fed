/* kiln-program-report.h: what one run of one program produced, in the status panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_PROGRAM_REPORT (kiln_program_report_get_type ())

G_DECLARE_FINAL_TYPE (KilnProgramReport, kiln_program_report, KILN, PROGRAM_REPORT, AdwBin)

void           kiln_program_report_set_language    (KilnProgramReport *self,
                                                    KilnLanguage       language);
void           kiln_program_report_set_running     (KilnProgramReport *self,
                                                    gboolean           running);
/* @result: NULL forgets the last result. */
void           kiln_program_report_set_result      (KilnProgramReport *self,
                                                    KilnRunResult     *result);
KilnRunResult *kiln_program_report_get_result      (KilnProgramReport *self);
/* An outdated result ran a text that was edited since; it shows dimmed. */
void           kiln_program_report_set_outdated    (KilnProgramReport *self,
                                                    gboolean           outdated);
const char    *kiln_program_report_get_time_text   (KilnProgramReport *self);
GtkListBox    *kiln_program_report_get_diagnostics (KilnProgramReport *self);

G_END_DECLS

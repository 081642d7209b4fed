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
/* Waits for the other program: "Waiting for Python to finish" in the C++ report, "Waiting
 * for the C++ program to finish" in the Python one, in place of "Running…". Any later
 * kiln_program_report_set_running() ends the wait. */
void           kiln_program_report_set_waiting     (KilnProgramReport *self,
                                                    gboolean           waiting);
/* @result: NULL forgets the last result. */
void           kiln_program_report_set_result      (KilnProgramReport *self,
                                                    KilnRunResult     *result);
KilnRunResult *kiln_program_report_get_result      (KilnProgramReport *self);
/* An outdated result ran a text that was edited since; it shows dimmed. */
void           kiln_program_report_set_outdated    (KilnProgramReport *self,
                                                    gboolean           outdated);
const char    *kiln_program_report_get_time_text   (KilnProgramReport *self);
/* "Running…", "Waiting for Python to finish", "Not run yet", … */
const char    *kiln_program_report_get_state_text  (KilnProgramReport *self);
GtkListBox    *kiln_program_report_get_diagnostics (KilnProgramReport *self);

G_END_DECLS

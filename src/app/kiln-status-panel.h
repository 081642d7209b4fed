/* kiln-status-panel.h: outputs, timings and the verdict of the last runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_STATUS_PANEL (kiln_status_panel_get_type ())

G_DECLARE_FINAL_TYPE (KilnStatusPanel, kiln_status_panel, KILN, STATUS_PANEL, AdwBin)

typedef enum
{
  KILN_VERDICT_STYLE_NEUTRAL,
  KILN_VERDICT_STYLE_SUCCESS,
  KILN_VERDICT_STYLE_WARNING,
  KILN_VERDICT_STYLE_ERROR,
} KilnVerdictStyle;

/* Properties: "no-usable-models" (boolean, default FALSE): no model can convert now. The
 * page shown before any run then says what to do, in the panel: a button "Add an API Key…"
 * that activates "app.preferences-models", and how to start a local model (Ollama), with a
 * button that activates "app.discover-models". Bind it to
 * KilnModelDropdown:no-usable-models. */
void        kiln_status_panel_set_no_usable_models (KilnStatusPanel *self,
                                                    gboolean         no_usable_models);
gboolean    kiln_status_panel_get_no_usable_models (KilnStatusPanel *self);

void        kiln_status_panel_set_running         (KilnStatusPanel      *self,
                                                   KilnLanguage          language,
                                                   gboolean              running);
/* The program in @language waits for the other one to finish before it runs (timed runs
 * never overlap): it says "Waiting for Python to finish" (the C++ program) or "Waiting for
 * the C++ program to finish" (the Python program) instead of "Running…", also when it was
 * set running. Any later kiln_status_panel_set_running() for it ends the wait: call it
 * with TRUE when the program really starts. */
void        kiln_status_panel_set_waiting         (KilnStatusPanel      *self,
                                                   KilnLanguage          language,
                                                   gboolean              waiting);
void        kiln_status_panel_set_result          (KilnStatusPanel      *self,
                                                   KilnLanguage          language,
                                                   KilnRunResult        *result);
void        kiln_status_panel_set_outdated        (KilnStatusPanel      *self,
                                                   KilnLanguage          language,
                                                   gboolean              outdated);
/* Shows the outputs' verdict of @comparison (must be comparable; runs made on their own, so
 * never a speedup), or hides the verdict when NULL. */
void        kiln_status_panel_set_comparison      (KilnStatusPanel      *self,
                                                   const KilnComparison *comparison);
/* Shows what verifying the C++ program found: a speedup with its spread and basis only when
 * it is verified (same output, or within the tolerance, on every input case); otherwise what
 * failed (the differing line with its differing characters marked, the hidden input, the
 * hard-coded answer) and no speedup. NULL hides the verdict. */
void        kiln_status_panel_set_verification    (KilnStatusPanel      *self,
                                                   KilnVerification     *verification);
/* Shows @message in the verdict area instead of a comparison. */
void        kiln_status_panel_set_verdict_message (KilnStatusPanel      *self,
                                                   const char           *message,
                                                   KilnVerdictStyle      style);
/* The conversion's line: @progress ("Attempt 2 of 3: fixing a compile error — Compiling…"),
 * @error (shown prominently) and @report (model, tokens, cost, time); NULL hides each, and
 * all three NULL hide the conversion's part of the panel. */
void        kiln_status_panel_set_conversion      (KilnStatusPanel      *self,
                                                   const char           *progress,
                                                   const char           *error,
                                                   const char           *report);

/* What the panel shows, for tests and the accessibility of the window. */
const char *kiln_status_panel_get_verdict_text    (KilnStatusPanel      *self);
const char *kiln_status_panel_get_speedup_text    (KilnStatusPanel      *self);
/* The line under the speedup: its basis, a busy machine, a lower bound, or why none. */
const char *kiln_status_panel_get_speedup_detail_text (KilnStatusPanel  *self);
/* The characters marked in the differing line of each output ([start, end), in characters);
 * FALSE when no differing line is shown. */
gboolean    kiln_status_panel_get_diff_highlight  (KilnStatusPanel      *self,
                                                   guint                *reference_start,
                                                   guint                *reference_end,
                                                   guint                *candidate_start,
                                                   guint                *candidate_end);
const char *kiln_status_panel_get_python_time_text (KilnStatusPanel     *self);
const char *kiln_status_panel_get_cpp_time_text   (KilnStatusPanel      *self);
const char *kiln_status_panel_get_conversion_progress_text (KilnStatusPanel *self);
const char *kiln_status_panel_get_conversion_error_text    (KilnStatusPanel *self);
const char *kiln_status_panel_get_conversion_report_text   (KilnStatusPanel *self);
const char *kiln_status_panel_get_state_text      (KilnStatusPanel      *self,
                                                   KilnLanguage          language);
GtkListBox *kiln_status_panel_get_diagnostics     (KilnStatusPanel      *self);

G_END_DECLS

/* kiln-window.h: the main window, two editors and what their programs did
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kiln-application.h"
#include "kiln-core.h"
#include "kiln-model-dropdown.h"
#include "kiln-model-notes.h"
#include "kiln-status-panel.h"

G_BEGIN_DECLS

#define KILN_TYPE_WINDOW (kiln_window_get_type ())

G_DECLARE_FINAL_TYPE (KilnWindow, kiln_window, KILN, WINDOW, AdwApplicationWindow)

/* @app: may be NULL (tests) */
KilnWindow           *kiln_window_new                (KilnApplication *app);

/* What the window shows, for its tests. */
KilnStatusPanel      *kiln_window_get_status_panel   (KilnWindow      *self);
GtkTextBuffer        *kiln_window_get_buffer         (KilnWindow      *self,
                                                      KilnLanguage     language);
GtkTextBuffer        *kiln_window_get_input_buffer   (KilnWindow      *self);
gboolean              kiln_window_is_running         (KilnWindow      *self,
                                                      KilnLanguage     language);
/* The verdict on the current Python and C++ texts; NULL when there is none. */
const KilnComparison *kiln_window_get_comparison     (KilnWindow      *self);
/* Whether the C++ pane shows an example's unchanged reference translation. */
gboolean              kiln_window_shows_reference    (KilnWindow      *self);
KilnModelDropdown    *kiln_window_get_model_dropdown (KilnWindow      *self);
/* Whether the saved drafts were read (until then edits are not saved). */
gboolean              kiln_window_get_drafts_loaded  (KilnWindow      *self);
/* The program's session (its conversions, the run configuration), and the conversion the
 * C++ pane shows. */
KilnSession          *kiln_window_get_session        (KilnWindow      *self);
KilnConversion       *kiln_window_get_shown_conversion (KilnWindow    *self);
KilnModelNotes       *kiln_window_get_model_notes    (KilnWindow      *self);
/* "Attempt 1 of 2", "Your code", or "" before any conversion. */
const char           *kiln_window_get_attempt_text   (KilnWindow      *self);
/* Converts the editors' program with each model of @ids at once (what Compare Models…
 * does with the ticked models). */
void                  kiln_window_compare_models     (KilnWindow         *self,
                                                      const char * const *ids);
/* The KilnLeaderboard of the compare view. */
GtkWidget            *kiln_window_get_leaderboard    (KilnWindow      *self);
/* The leaderboard as CSV or Markdown, as Export saves it. */
char                 *kiln_window_dup_leaderboard    (KilnWindow      *self,
                                                      gboolean         markdown);
void                  kiln_window_export_leaderboard (KilnWindow      *self,
                                                      GFile           *file,
                                                      gboolean         markdown);
/* Brings back a past comparison from the history: its program and its conversions. */
void                  kiln_window_open_past_comparison (KilnWindow    *self,
                                                        gint64         id);
/* How many times a conversion changed the C++ buffer (at most once per frame). */
guint                 kiln_window_get_cpp_writes     (KilnWindow      *self);

/* Make It Faster: the progression view (KilnOptimizeView) and the note of each model's best
 * under the leaderboard. */
GtkWidget            *kiln_window_get_optimize_view  (KilnWindow      *self);
const char           *kiln_window_get_optimized_note (KilnWindow      *self);

G_END_DECLS

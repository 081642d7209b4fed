/* kiln-input-cases-view.h: the hidden input cases — inputs the model is not shown, on which
 * verification runs both programs too
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KILN_TYPE_INPUT_CASES_VIEW (kiln_input_cases_view_get_type ())

G_DECLARE_FINAL_TYPE (KilnInputCasesView, kiln_input_cases_view, KILN, INPUT_CASES_VIEW, AdwBin)

/* Properties: "n-cases" (uint, read-only) the cases listed, empty ones too.
 * Signals: "changed" when a person adds, edits or removes a case (not on set_cases).
 * Its "Derive from the Input" button activates "win.derive-hidden-inputs". */
GtkWidget *kiln_input_cases_view_new          (void);
/* The cases that are not empty, in order. */
char     **kiln_input_cases_view_dup_cases    (KilnInputCasesView *self);
/* Replaces the list (NULL: none); collapses when empty. */
void       kiln_input_cases_view_set_cases    (KilnInputCasesView *self,
                                               const char * const *cases);
/* Adds a case at the end and shows the list; emits "changed". */
void       kiln_input_cases_view_append       (KilnInputCasesView *self,
                                               const char         *text);
guint      kiln_input_cases_view_get_n_cases  (KilnInputCasesView *self);
/* The text view of case @index (0-based among the listed ones), for tests. */
GtkTextView *kiln_input_cases_view_get_view   (KilnInputCasesView *self,
                                               guint               index);
/* Removes case @index, as its Remove button does; emits "changed". */
void       kiln_input_cases_view_remove       (KilnInputCasesView *self,
                                               guint               index);

G_END_DECLS

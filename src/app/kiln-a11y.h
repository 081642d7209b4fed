/* kiln-a11y.h: accessible names that GTK 4.8 and libadwaita 1.2 leave out or double, and
 * "C++" kept on one line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In GTK 4.8 a control's accessible name is its "label" property followed by the labels of
 * its "labelled-by" relation. Some widgets set both to the same text ("_Convert Convert":
 * a mnemonic button), some set neither (an expander, a dropdown's button, libadwaita's
 * show-key and apply buttons). These helpers fix one widget each; the window test suite
 * (tests/app/test-a11y.c) walks the widget tree and fails on a control without a name or
 * with a doubled one.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Gives @widget the accessible name @label. For a GtkDropDown the focusable button inside
 * gets the same name (GTK 4.8 leaves it nameless). */
void  kiln_a11y_set_label                (GtkWidget   *widget,
                                          const char  *label);

/* For a GtkButton whose visible label is its name: GTK 4.8 also sets the raw label
 * ("_Convert") as accessible label, which screen readers read before the visible text.
 * Drops it now and after every change of the button's label. */
void  kiln_a11y_use_visible_label        (GtkWidget   *button);

/* Names @expander by its visible label (GTK 4.8 gives expanders no name). */
void  kiln_a11y_name_expander            (GtkExpander *expander);

/* Names the buttons libadwaita 1.2 adds to an entry row without a name: the apply button
 * (@apply_label, e.g. "Save the key") and, for an AdwPasswordEntryRow, the button that
 * shows and hides the text ("Show the key" / "Hide the key", following its state). Their
 * tooltips become the same sentence-case text. */
void  kiln_a11y_name_entry_row_buttons   (AdwEntryRow *row,
                                          const char  *apply_label,
                                          const char  *show_label,
                                          const char  *hide_label);

/* Pango breaks lines between the two "+" of "C++". Every label under @root (now, and
 * after its text changes) keeps "C++" on one line, and so do the tooltips of @root's
 * widgets. The text itself is unchanged, so screen readers and copying see plain "C++". */
void  kiln_a11y_keep_cpp_together        (GtkWidget   *root);

/* The same for one label. */
void  kiln_a11y_label_keep_cpp_together  (GtkLabel    *label);

/* @text as Pango markup (escaped) with every "C++" kept on one line; for tooltips. */
char *kiln_a11y_markup_keep_cpp_together (const char  *text);

G_END_DECLS

/* kiln-preferences-window.h: the settings of the toolchain, runs, output comparison and models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_PREFERENCES_WINDOW (kiln_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (KilnPreferencesWindow, kiln_preferences_window, KILN, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* @registry: the models whose keys the Models page manages; may be NULL. */
KilnPreferencesWindow *kiln_preferences_window_new         (GtkWindow             *parent,
                                                            KilnModelRegistry     *registry);
/* Shows the Models page, whose first group holds the API keys, and focuses the first key
 * (the "Add an API Key…" button of the first run). */
void                   kiln_preferences_window_show_keys   (KilnPreferencesWindow *self);
/* The AdwPasswordEntryRow of @key_name ("OPENAI_API_KEY"), or NULL; for tests. A key that
 * could not be saved stays in its row, and the row gets the "error" style class. */
GtkWidget             *kiln_preferences_window_get_key_row (KilnPreferencesWindow *self,
                                                            const char            *key_name);

G_END_DECLS

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
KilnPreferencesWindow *kiln_preferences_window_new (GtkWindow         *parent,
                                                    KilnModelRegistry *registry);

G_END_DECLS

/* kiln-application.h: the Kiln application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_APPLICATION (kiln_application_get_type ())

G_DECLARE_FINAL_TYPE (KilnApplication, kiln_application, KILN, APPLICATION, AdwApplication)

KilnApplication   *kiln_application_new               (void);

/* The models every window offers, read at start-up; NULL before "startup". Property
 * "key-store" (construct-only) replaces the keyring-backed store, for tests. */
KilnModelRegistry *kiln_application_get_model_registry (KilnApplication *self);
/* Where the windows look up API keys; NULL before "startup". */
KilnKeyStore      *kiln_application_get_key_store      (KilnApplication *self);
/* Whether the first load of the models has completed ("models-loaded" is notified). */
/* NULL until the history opened, and when it could not (then the problem says why). */
KilnHistory       *kiln_application_get_history        (KilnApplication *self);
/* What the person should know about the history: it could not open, or a damaged one was
 * kept aside. NULL when all is well. */
const char        *kiln_application_get_history_problem (KilnApplication *self);
gboolean           kiln_application_get_models_loaded  (KilnApplication *self);

G_END_DECLS

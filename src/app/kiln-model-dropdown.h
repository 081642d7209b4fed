/* kiln-model-dropdown.h: the header bar's choice of model, bound to the model registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kiln-core.h"

G_BEGIN_DECLS

#define KILN_TYPE_MODEL_DROPDOWN (kiln_model_dropdown_get_type ())

/* Lists the registry's models: the usable ones first, then the others, each part by
 * provider, then label. Properties: "registry", "loading" (shows "Loading models…" instead
 * of the list), "model-id": the chosen model, notified only when a person picks one (bind
 * it to the "model" setting), and "no-usable-models" (read-only): TRUE once the models are
 * loaded and none of them can be used (bind it to KilnStatusPanel:no-usable-models). Until
 * the chosen model is in the list, the first available one is shown. The accessible name
 * says which model is shown ("Model: GPT-5"). */
G_DECLARE_FINAL_TYPE (KilnModelDropdown, kiln_model_dropdown, KILN, MODEL_DROPDOWN, GtkWidget)

KilnModelRegistry *kiln_model_dropdown_get_registry         (KilnModelDropdown *self);
void               kiln_model_dropdown_set_registry         (KilnModelDropdown *self,
                                                             KilnModelRegistry *registry);
gboolean           kiln_model_dropdown_get_loading          (KilnModelDropdown *self);
void               kiln_model_dropdown_set_loading          (KilnModelDropdown *self,
                                                             gboolean           loading);
const char        *kiln_model_dropdown_get_model_id         (KilnModelDropdown *self);
void               kiln_model_dropdown_set_model_id         (KilnModelDropdown *self,
                                                             const char        *model_id);
gboolean           kiln_model_dropdown_get_no_usable_models (KilnModelDropdown *self);
/* Why a conversion cannot start with the model shown, for a person: "Choose a model
 * first", "GPT-5 is unavailable: Set OPENAI_API_KEY or add the key in Preferences", "No
 * model is usable yet: add an API key in Preferences or start Ollama"; NULL when the model
 * shown is usable. For Convert's tooltip. */
char              *kiln_model_dropdown_dup_unusable_reason  (KilnModelDropdown *self);
/* The model shown, or NULL (transfer none). */
KilnModelItem     *kiln_model_dropdown_get_selected_item    (KilnModelDropdown *self);
/* The GtkDropDown inside, for tests. */
GtkDropDown       *kiln_model_dropdown_get_drop_down        (KilnModelDropdown *self);

G_END_DECLS

/* kiln-model-item.h: a model of the registry as a GObject, for list widgets to bind
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "kiln-model.h"

G_BEGIN_DECLS

#define KILN_TYPE_MODEL_ITEM (kiln_model_item_get_type ())

G_DECLARE_FINAL_TYPE (KilnModelItem, kiln_model_item, KILN, MODEL_ITEM, GObject)

/* Properties: "model" (KilnModel, construct-only), "id", "label", "provider", "origin"
 * (read-only, from the model), "available" and "hint" (read-only, notified when the
 * registry learns more: a key was added, a server answered). */
KilnModelItem *kiln_model_item_new           (KilnModel     *model);
KilnModel     *kiln_model_item_get_model     (KilnModelItem *self);
const char    *kiln_model_item_get_id        (KilnModelItem *self);
const char    *kiln_model_item_get_label     (KilnModelItem *self);
const char    *kiln_model_item_get_provider  (KilnModelItem *self);
const char    *kiln_model_item_get_origin    (KilnModelItem *self);
gboolean       kiln_model_item_get_available (KilnModelItem *self);
/* One line saying how to make the model available; NULL when it is. */
const char    *kiln_model_item_get_hint      (KilnModelItem *self);

G_END_DECLS

/* kiln-model-item-private.h: what the registry may change on its items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-model-item.h"

G_BEGIN_DECLS

/* @hint: NULL when available. Notifies only what changed. */
void _kiln_model_item_set_availability (KilnModelItem *self,
                                        gboolean       available,
                                        const char    *hint);

G_END_DECLS

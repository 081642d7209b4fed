/* kiln-history-entry-private.h: how KilnHistory builds its entries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-history-entry.h"

G_BEGIN_DECLS

/* Takes nothing: copies every string. The title is derived from @source. */
KilnHistoryEntry *_kiln_history_entry_new (gint64      id,
                                           gint64      created,
                                           const char *language,
                                           const char *source,
                                           guint       n_conversions,
                                           const char *models,
                                           const char *best_model,
                                           double      best_speedup);

/* The title rule, exposed for the tests. Returns a new string. */
char             *_kiln_history_entry_make_title (const char *language,
                                                  const char *source);

G_END_DECLS

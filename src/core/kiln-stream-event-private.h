/* kiln-stream-event-private.h: switches for tests of the stream decoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-stream-event.h"

G_BEGIN_DECLS

/* The decoder reads the common delta events with kiln_json_scan() and everything else with
 * json-glib. Both must give the same events: tests turn the fast path off to compare. */
void  _kiln_stream_decoder_set_fast_path  (KilnStreamDecoder *self,
                                          gboolean           enabled);
/* How many documents the fast path took */
guint _kiln_stream_decoder_get_fast_count (KilnStreamDecoder *self);

G_END_DECLS

/* kiln-think-filter.h: splits <think>…</think> reasoning from a streamed answer (pure)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Some models (DeepSeek-R1, Qwen3, …) write their reasoning inside the answer text, between
 * "<think>" and "</think>". The filter is fed the text deltas as they arrive and appends each
 * part to @answer_out or @reasoning_out, in order, whatever byte the deltas are split at.
 *
 * - "<think>" opens a reasoning block wherever it appears in the answer (models put it at
 *   the very start, but a block after some text is honoured too); "</think>" closes it.
 *   Blocks do not nest: inside one, "<think>" is plain reasoning text.
 * - A "</think>" outside a block is kept in the answer as it is.
 * - Tags are exact and lower-case; anything else ("<", "<thin", "</thinker>") is text and
 *   comes out unchanged. A possible tag cut at the end of a delta is held back until the
 *   next delta (or finish) tells.
 * - Whitespace right after a tag is dropped: the "\n" after "<think>" and the "\n\n"
 *   after "</think>".
 * - At finish, a block that was never closed stays reasoning. */
typedef struct _KilnThinkFilter KilnThinkFilter;

KilnThinkFilter *kiln_think_filter_new    (void);
void             kiln_think_filter_free   (KilnThinkFilter *self);
void             kiln_think_filter_feed   (KilnThinkFilter *self,
                                           const char      *text,
                                           GString         *answer_out,
                                           GString         *reasoning_out);
/* Releases what was held back; the filter is then ready for a new stream. */
void             kiln_think_filter_finish (KilnThinkFilter *self,
                                           GString         *answer_out,
                                           GString         *reasoning_out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnThinkFilter, kiln_think_filter_free)

G_END_DECLS

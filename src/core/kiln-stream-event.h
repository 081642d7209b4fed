/* kiln-stream-event.h: what a model's stream says, decoded from any provider's wire format
 * (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "kiln-model.h"

G_BEGIN_DECLS

typedef enum
{
  KILN_STREAM_EVENT_TEXT,       /* answer text delta (never reasoning) */
  KILN_STREAM_EVENT_REASONING,  /* reasoning/thinking delta, kept apart */
  KILN_STREAM_EVENT_REFUSAL,    /* the model declines: refusal text delta (OpenAI
                                 * delta.refusal), or Anthropic's stop_details explanation */
  KILN_STREAM_EVENT_USAGE,      /* token counts (either may be -1: not sent) */
  KILN_STREAM_EVENT_FINISH,     /* why generation stopped: text = "stop", "length", ... */
  KILN_STREAM_EVENT_ERROR,      /* an error inside the stream: text = message, error_type */
  KILN_STREAM_EVENT_DONE,       /* the provider's end marker */
} KilnStreamEventType;

typedef struct _KilnStreamEvent
{
  KilnStreamEventType  type;
  char                *text;
  char                *error_type;     /* ERROR: e.g. "overloaded_error"; may be NULL */
  gint64               input_tokens;   /* USAGE; -1 when not sent */
  gint64               output_tokens;
} KilnStreamEvent;

KilnStreamEvent *kiln_stream_event_new  (KilnStreamEventType type,
                                         const char         *text);
void             kiln_stream_event_free (KilnStreamEvent    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnStreamEvent, kiln_stream_event_free)

/* TRUE for a FINISH reason that means the answer was cut at the token limit ("length":
 * OpenAI, TGI, Ollama; Anthropic's "max_tokens" and "model_context_window_exceeded"). */
gboolean         kiln_stream_finish_reason_is_truncation (const char *reason);
/* TRUE for a FINISH reason that means the model declined to answer (Anthropic's "refusal",
 * "content_filter" from OpenAI, Azure and Gemini's OpenAI-compatible endpoint). */
gboolean         kiln_stream_finish_reason_is_refusal    (const char *reason);

/* Turns one provider's stream into KilnStreamEvents. Stateful (Anthropic's content blocks,
 * <think> tags split across deltas), one per response. */
typedef struct _KilnStreamDecoder KilnStreamDecoder;

KilnStreamDecoder *kiln_stream_decoder_new    (KilnApi            api);
void               kiln_stream_decoder_free   (KilnStreamDecoder *self);
/* One SSE event (openai, anthropic, tgi: @event may be NULL for unnamed events) or one
 * NDJSON line (ollama: @event is NULL, @data is the line). Appends KilnStreamEvent* to
 * @events (a GPtrArray with kiln_stream_event_free as free func). Never fails: data it
 * cannot read becomes an ERROR event only when it is clearly an error, else it is ignored. */
void               kiln_stream_decoder_feed   (KilnStreamDecoder *self,
                                               const char        *event,
                                               const char        *data,
                                               GPtrArray         *events);
/* At the end of the body: flushes text held back while looking for a tag. */
void               kiln_stream_decoder_finish (KilnStreamDecoder *self,
                                               GPtrArray         *events);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnStreamDecoder, kiln_stream_decoder_free)

G_END_DECLS

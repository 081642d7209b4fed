/* kiln-chat-stream.h: one streamed answer from a model, through its wire API, with retries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "kiln-model.h"

G_BEGIN_DECLS

#define KILN_TYPE_CHAT_STREAM (kiln_chat_stream_get_type ())

G_DECLARE_FINAL_TYPE (KilnChatStream, kiln_chat_stream, KILN, CHAT_STREAM, GObject)

/* @session: shared session, or NULL for one of its own. @messages: KilnChatMessage.
 * @api_key: NULL for servers without keys. The key is only ever put in the request's headers
 * (and dropped on a redirect to another host). */
KilnChatStream *kiln_chat_stream_new               (SoupSession         *session,
                                                    KilnModel           *model,
                                                    GPtrArray           *messages,
                                                    const char          *api_key);

/* Seconds without a single byte (comments count) after which the stream ends; default 60. */
void            kiln_chat_stream_set_idle_timeout  (KilnChatStream      *self,
                                                    double               seconds);
/* First back-off delay (doubled each retry, with jitter) and the cap on any wait, also on a
 * server's retry-after; defaults 1 s and 30 s. */
void            kiln_chat_stream_set_backoff       (KilnChatStream      *self,
                                                    guint                base_ms,
                                                    guint                cap_ms);

/* Streams the answer; "text-delta", "reasoning-delta" and "refusal-delta" are emitted as it
 * arrives.
 * Fails with a KILN_ERROR for a person, or G_IO_ERROR_CANCELLED; the partial text stays
 * available from the getters either way. */
void            kiln_chat_stream_run_async         (KilnChatStream      *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean        kiln_chat_stream_run_finish        (KilnChatStream      *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

KilnModel      *kiln_chat_stream_get_model         (KilnChatStream      *self);
const char     *kiln_chat_stream_get_text          (KilnChatStream      *self);
const char     *kiln_chat_stream_get_reasoning     (KilnChatStream      *self);
const char     *kiln_chat_stream_get_finish_reason (KilnChatStream      *self);
/* Why the model declined, as far as it said: refusal text (OpenAI's delta.refusal) and
 * Anthropic's stop_details explanation; "" when none came. */
const char     *kiln_chat_stream_get_refusal       (KilnChatStream      *self);
/* TRUE when the answer was a refusal: refusal text came, or the finish reason says so
 * ("refusal", "content_filter"). Any text that came before stays in get_text(). */
gboolean        kiln_chat_stream_get_refused       (KilnChatStream      *self);
/* TRUE when the finish reason says the answer was cut at the token limit ("length",
 * "max_tokens", …): the text is incomplete. */
gboolean        kiln_chat_stream_get_truncated     (KilnChatStream      *self);
/* -1 when the server did not say. */
gint64          kiln_chat_stream_get_input_tokens  (KilnChatStream      *self);
gint64          kiln_chat_stream_get_output_tokens (KilnChatStream      *self);
/* Seconds from sending the request that answered to its first text, reasoning or refusal;
 * -1 if none. */
double          kiln_chat_stream_get_ttft          (KilnChatStream      *self);
/* Output tokens per second after the first token; -1 when unknown. */
double          kiln_chat_stream_get_tokens_per_second (KilnChatStream  *self);
/* Seconds from run_async to the end. */
double          kiln_chat_stream_get_seconds       (KilnChatStream      *self);
guint           kiln_chat_stream_get_retries       (KilnChatStream      *self);
/* Estimated cost in USD from the model's prices and the usage; -1 when unknown. */
double          kiln_chat_stream_get_cost          (KilnChatStream      *self);

G_END_DECLS

/* fuzz-decoder.c: each provider's stream decoder, behind the framing it gets in real use
 *
 * Input: a control byte, then a response body. The control byte's two low bits pick the
 * api (0 openai, 1 anthropic, 2 tgi, 3 ollama), so "0", "1", "2" and "3" in front of a
 * fixture make a readable seed; the body goes through the SSE parser (the line splitter
 * for ollama) cut as the rest of the byte says, and each event or line goes to two
 * decoders: one with the kiln_json_scan() fast path, one with json-glib only. Invariants:
 * both give the same events; every text is valid UTF-8; the kinds that carry text carry
 * some; DONE comes at most once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-fuzz.h"
#include "kiln-sse-parser.h"
#include "kiln-stream-event-private.h"

typedef struct
{
  KilnStreamDecoder *fast;
  KilnStreamDecoder *slow;
  GPtrArray         *fast_events;
  GPtrArray         *slow_events;
} Decoders;

static void
feed (Decoders   *decoders,
      const char *event,
      const char *data)
{
  kiln_stream_decoder_feed (decoders->fast, event, data, decoders->fast_events);
  kiln_stream_decoder_feed (decoders->slow, event, data, decoders->slow_events);
}

static void
on_event (const char *event,
          const char *data,
          const char *id,
          gpointer    user_data)
{
  feed (user_data, event, data);
}

static void
on_line (const char *line,
         gsize       length,
         gpointer    user_data)
{
  feed (user_data, NULL, line);
}

static void
check_events (GPtrArray *events)
{
  guint n_done = 0;

  for (guint i = 0; i < events->len; i++)
    {
      const KilnStreamEvent *event = g_ptr_array_index (events, i);

      switch (event->type)
        {
        case KILN_STREAM_EVENT_TEXT:
        case KILN_STREAM_EVENT_REASONING:
        case KILN_STREAM_EVENT_REFUSAL:
        case KILN_STREAM_EVENT_FINISH:
        case KILN_STREAM_EVENT_ERROR:
          kiln_fuzz_check (event->text != NULL && *event->text != '\0');
          kiln_fuzz_check (g_utf8_validate (event->text, -1, NULL));
          break;

        case KILN_STREAM_EVENT_USAGE:
          kiln_fuzz_check (event->input_tokens >= 0 || event->output_tokens >= 0);
          kiln_fuzz_check (event->input_tokens >= -1 && event->output_tokens >= -1);
          break;

        case KILN_STREAM_EVENT_DONE:
          n_done++;
          break;

        default:
          kiln_fuzz_check (!"an event type out of range");
        }

      if (event->error_type != NULL)
        {
          kiln_fuzz_check (event->type == KILN_STREAM_EVENT_ERROR);
          kiln_fuzz_check (*event->error_type != '\0');
          kiln_fuzz_check (g_utf8_validate (event->error_type, -1, NULL));
        }
    }

  kiln_fuzz_check (n_done <= 1);
}

static void
check_same (GPtrArray *a,
            GPtrArray *b)
{
  kiln_fuzz_check (a->len == b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const KilnStreamEvent *x = g_ptr_array_index (a, i);
      const KilnStreamEvent *y = g_ptr_array_index (b, i);

      kiln_fuzz_check (x->type == y->type);
      kiln_fuzz_check (g_strcmp0 (x->text, y->text) == 0);
      kiln_fuzz_check (g_strcmp0 (x->error_type, y->error_type) == 0);
      kiln_fuzz_check (x->input_tokens == y->input_tokens);
      kiln_fuzz_check (x->output_tokens == y->output_tokens);
    }
}

void
kiln_fuzz_decoder (const uint8_t *data,
                   size_t         size)
{
  g_autoptr(GPtrArray) fast_events = NULL;
  g_autoptr(GPtrArray) slow_events = NULL;
  g_autoptr(KilnStreamDecoder) fast = NULL;
  g_autoptr(KilnStreamDecoder) slow = NULL;
  KilnFuzzCutter cutter;
  Decoders decoders;
  KilnApi api;
  const char *body = (const char *) data + 1;
  gsize length;
  gsize offset = 0;

  if (size == 0)
    return;
  length = size - 1;
  api = (KilnApi) (data[0] & 3);
  kiln_fuzz_cutter_init (&cutter, data[0] >> 2);

  fast_events = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_stream_event_free);
  slow_events = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_stream_event_free);
  fast = kiln_stream_decoder_new (api);
  slow = kiln_stream_decoder_new (api);
  _kiln_stream_decoder_set_fast_path (slow, FALSE);
  decoders = (Decoders) { fast, slow, fast_events, slow_events };

  if (api == KILN_API_OLLAMA)
    {
      g_autoptr(KilnLineSplitter) lines = kiln_line_splitter_new ();

      while (offset < length)
        {
          gsize piece = kiln_fuzz_cutter_next (&cutter, length - offset);
          g_autofree char *copy = kiln_fuzz_copy (body + offset, piece, FALSE);

          kiln_line_splitter_feed (lines, copy, piece, on_line, &decoders);
          offset += piece;
        }
      kiln_line_splitter_finish (lines, on_line, &decoders);
    }
  else
    {
      g_autoptr(KilnSseParser) sse = kiln_sse_parser_new ();

      while (offset < length)
        {
          gsize piece = kiln_fuzz_cutter_next (&cutter, length - offset);
          g_autofree char *copy = kiln_fuzz_copy (body + offset, piece, FALSE);

          kiln_sse_parser_feed (sse, copy, piece, on_event, &decoders);
          offset += piece;
        }
      kiln_sse_parser_finish (sse, on_event, &decoders);
    }

  kiln_stream_decoder_finish (fast, fast_events);
  kiln_stream_decoder_finish (slow, slow_events);

  kiln_fuzz_check (_kiln_stream_decoder_get_fast_count (slow) == 0);
  check_events (fast_events);
  check_same (fast_events, slow_events);
}

KILN_FUZZ_DEFINE_MAIN (kiln_fuzz_decoder)

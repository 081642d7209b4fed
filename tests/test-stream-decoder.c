/* test-stream-decoder.c: each provider's stream, replayed from fixtures, decoded into events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-sse-parser.h"
#include "kiln-stream-event-private.h"

/* What a whole stream adds up to. */
typedef struct
{
  GString  *text;
  GString  *reasoning;
  GString  *refusal;
  gint64    input_tokens;   /* the last value sent, -1: never */
  gint64    output_tokens;
  guint     n_usage;
  char     *finish;
  char     *error;
  char     *error_type;
  guint     n_done;
  gboolean  done_last;      /* nothing came after DONE */
} Summary;

static void
summary_clear (Summary *summary)
{
  g_string_free (summary->text, TRUE);
  g_string_free (summary->reasoning, TRUE);
  g_string_free (summary->refusal, TRUE);
  g_free (summary->finish);
  g_free (summary->error);
  g_free (summary->error_type);
}

static void
summarize (GPtrArray *events,
           Summary   *summary)
{
  memset (summary, 0, sizeof *summary);
  summary->text = g_string_new (NULL);
  summary->reasoning = g_string_new (NULL);
  summary->refusal = g_string_new (NULL);
  summary->input_tokens = -1;
  summary->output_tokens = -1;

  for (guint i = 0; i < events->len; i++)
    {
      KilnStreamEvent *event = g_ptr_array_index (events, i);

      g_assert_true (event->type == KILN_STREAM_EVENT_USAGE ||
                     event->type == KILN_STREAM_EVENT_DONE ||
                     (event->text != NULL && g_utf8_validate (event->text, -1, NULL)));

      switch (event->type)
        {
        case KILN_STREAM_EVENT_TEXT:
          g_assert_cmpstr (event->text, !=, "");
          g_string_append (summary->text, event->text);
          break;

        case KILN_STREAM_EVENT_REASONING:
          g_assert_cmpstr (event->text, !=, "");
          g_string_append (summary->reasoning, event->text);
          break;

        case KILN_STREAM_EVENT_REFUSAL:
          g_assert_cmpstr (event->text, !=, "");
          g_string_append (summary->refusal, event->text);
          break;

        case KILN_STREAM_EVENT_USAGE:
          /* the way the client keeps usage: every value sent replaces the one before */
          if (event->input_tokens >= 0)
            summary->input_tokens = event->input_tokens;
          if (event->output_tokens >= 0)
            summary->output_tokens = event->output_tokens;
          summary->n_usage++;
          break;

        case KILN_STREAM_EVENT_FINISH:
          g_free (summary->finish);
          summary->finish = g_strdup (event->text);
          break;

        case KILN_STREAM_EVENT_ERROR:
          g_free (summary->error);
          g_free (summary->error_type);
          summary->error = g_strdup (event->text);
          summary->error_type = g_strdup (event->error_type);
          break;

        case KILN_STREAM_EVENT_DONE:
          summary->n_done++;
          break;

        default:
          g_assert_not_reached ();
        }
    }

  summary->done_last = events->len > 0 &&
    ((KilnStreamEvent *) g_ptr_array_index (events, events->len - 1))->type ==
      KILN_STREAM_EVENT_DONE;
}

/* --- feeding a fixture through the real SSE parser / line splitter --- */

typedef struct
{
  KilnStreamDecoder *decoder;
  GPtrArray         *events;
} Feed;

static void
on_sse_event (const char *event,
              const char *data,
              const char *id,
              gpointer    user_data)
{
  Feed *feed = user_data;

  kiln_stream_decoder_feed (feed->decoder, event, data, feed->events);
}

static void
on_line (const char *line,
         gsize       length,
         gpointer    user_data)
{
  Feed *feed = user_data;
  g_autofree char *copy = g_strndup (line, length);

  kiln_stream_decoder_feed (feed->decoder, NULL, copy, feed->events);
}

/* Decodes @body as it would arrive from the network, in pieces of up to @piece bytes
 * (0: all at once). */
static GPtrArray *
decode_body (KilnApi     api,
             const char *body,
             gsize       length,
             gsize       piece)
{
  g_autoptr(KilnStreamDecoder) decoder = kiln_stream_decoder_new (api);
  g_autoptr(KilnSseParser) sse = kiln_sse_parser_new ();
  g_autoptr(KilnLineSplitter) lines = kiln_line_splitter_new ();
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_stream_event_free);
  Feed feed = { decoder, events };
  gsize offset = 0;

  if (piece == 0)
    piece = MAX (length, 1);

  while (offset < length)
    {
      gsize n = MIN (piece, length - offset);

      if (api == KILN_API_OLLAMA)
        kiln_line_splitter_feed (lines, body + offset, n, on_line, &feed);
      else
        kiln_sse_parser_feed (sse, body + offset, n, on_sse_event, &feed);
      offset += n;
    }

  if (api == KILN_API_OLLAMA)
    kiln_line_splitter_finish (lines, on_line, &feed);
  else
    kiln_sse_parser_finish (sse, on_sse_event, &feed);
  kiln_stream_decoder_finish (decoder, events);

  return events;
}

typedef struct
{
  const char *fixture;
  KilnApi     api;
  const char *text;
  const char *reasoning;
  gint64      input_tokens;
  gint64      output_tokens;
  const char *finish;
  const char *error;
  const char *error_type;
  gboolean    done;
  const char *refusal;     /* NULL: none */
} FixtureCase;

static const FixtureCase fixture_cases[] = {
  { "openai.sse", KILN_API_OPENAI,
    "```python\nprint(sum(range(1, 11)))  # été → 55\n```", "",
    31, 17, "stop", NULL, NULL, TRUE },
  { "openai-reasoning.sse", KILN_API_OPENAI,
    "x = 42", "The user wants a one-liner.",
    12, 64, "length", NULL, NULL, TRUE },
  { "openai-error-in-200.sse", KILN_API_OPENAI,
    "int main", "", -1, -1, NULL,
    "The server had an error while processing your request. Sorry about that!", "server_error",
    TRUE },
  { "gemini-style.sse", KILN_API_OPENAI,
    "Here is the fix:\n\n`a.sort()` sorts in place.", "",
    14, 13, "stop", NULL, NULL, TRUE },
  { "anthropic.sse", KILN_API_ANTHROPIC,
    "Use `std::accumulate`:\n\nauto s = std::accumulate(v.begin(), v.end(), 0);", "",
    25, 15, "end_turn", NULL, NULL, TRUE },
  { "anthropic-thinking.sse", KILN_API_ANTHROPIC,
    "27 * 453 = 12,231",
    "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3",
    48, 101, "max_tokens", NULL, NULL, TRUE },
  { "anthropic-overloaded.sse", KILN_API_ANTHROPIC,
    "fn main() {", "", 472, 2, NULL, "Overloaded", "overloaded_error", FALSE },
  { "tgi.sse", KILN_API_TGI,
    "def add(a, b):\n    return a + b", "", 27, 6, "eos_token", NULL, NULL, TRUE },
  { "tgi-error.sse", KILN_API_TGI,
    "The", "", -1, -1, NULL,
    "Request failed during generation: Server error: CUDA out of memory. "
    "Tried to allocate 2.00 GiB", "generation", FALSE },
  { "ollama.ndjson", KILN_API_OLLAMA,
    "for i in range(3):\n    print(i)", "Okay, the user wants a loop.",
    26, 41, "stop", NULL, NULL, TRUE },
  { "ollama-error.ndjson", KILN_API_OLLAMA,
    " Yes.", "", -1, -1, NULL,
    "an error was encountered while running the model: unexpected EOF", NULL, FALSE },
  { "think-tags-in-content.sse", KILN_API_OPENAI,
    "squares = [n * n for n in xs] # x < y", "A list comprehension works.\n",
    18, 30, "stop", NULL, NULL, TRUE },
  /* refusals: Anthropic's stop reason with and without stop_details, OpenAI's delta.refusal
   * (finish reason "stop"), Gemini's content filter */
  { "anthropic-refusal.sse", KILN_API_ANTHROPIC,
    "Here is the C++ version of the scanner:\n\n", "", 412, 11, "refusal", NULL, NULL, TRUE,
    "This request was declined because it could enable cyber harm." },
  { "anthropic-refusal-no-details.sse", KILN_API_ANTHROPIC,
    "Hello..", "", 388, 4, "refusal", NULL, NULL, TRUE },
  { "openai-refusal.sse", KILN_API_OPENAI,
    "", "", 96, 13, "stop", NULL, NULL, TRUE,
    "I'm sorry, I can't help with that — it is malware." },
  { "gemini-content-filter.sse", KILN_API_OPENAI,
    "I can convert", "", 57, 3, "content_filter", NULL, NULL, TRUE },
  /* cut at the token limit (OpenAI's and Anthropic's are above) */
  { "tgi-length.sse", KILN_API_TGI,
    "for i in range(", "", 31, 5, "length", NULL, NULL, TRUE },
  { "ollama-length.ndjson", KILN_API_OLLAMA,
    "#include <vector>\n", "", 44, 3, "length", NULL, NULL, TRUE },
  /* Mistral's reasoning models: thinking and text as content parts */
  { "mistral-magistral.sse", KILN_API_OPENAI,
    "```cpp\n#include <cstdio>\nint main() { long s = 0; for (long i = 0; i < 10; i++) "
    "s += i * i; std::printf(\"%ld\\n\", s); }\n```",
    "The loop sums squares; a plain for loop with a long accumulator is enough.",
    42, 259, "stop", NULL, NULL, TRUE },
};

static void
assert_summary (const Summary     *summary,
                const FixtureCase *expected)
{
  g_assert_cmpstr (summary->text->str, ==, expected->text);
  g_assert_cmpstr (summary->reasoning->str, ==, expected->reasoning);
  g_assert_cmpint (summary->input_tokens, ==, expected->input_tokens);
  g_assert_cmpint (summary->output_tokens, ==, expected->output_tokens);
  g_assert_cmpstr (summary->finish, ==, expected->finish);
  g_assert_cmpstr (summary->error, ==, expected->error);
  g_assert_cmpstr (summary->error_type, ==, expected->error_type);
  g_assert_cmpstr (summary->refusal->str, ==, expected->refusal ? expected->refusal : "");
  g_assert_cmpuint (summary->n_done, ==, expected->done ? 1 : 0);
  if (expected->done)
    g_assert_true (summary->done_last);
}

static void
test_fixture (gconstpointer data)
{
  const FixtureCase *fixture_case = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  gsize length;
  static const gsize pieces[] = { 0, 1, 2, 3, 7, 64 };

  path = g_test_build_filename (G_TEST_DIST, "fixtures", "streams", fixture_case->fixture, NULL);
  g_file_get_contents (path, &body, &length, &error);
  g_assert_no_error (error);

  /* the result must not depend on where the network split the body */
  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      g_autoptr(GPtrArray) events = decode_body (fixture_case->api, body, length, pieces[i]);
      Summary summary;

      summarize (events, &summary);
      assert_summary (&summary, fixture_case);
      summary_clear (&summary);
    }
}

/* --- single events, fed straight in --- */

static GPtrArray *
decode_events (KilnApi            api,
               const char * const *pairs)   /* event, data, event, data, …, NULL */
{
  g_autoptr(KilnStreamDecoder) decoder = kiln_stream_decoder_new (api);
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_stream_event_free);

  for (guint i = 0; pairs[i + 1] != NULL; i += 2)
    kiln_stream_decoder_feed (decoder, pairs[i] != NULL && *pairs[i] ? pairs[i] : NULL,
                              pairs[i + 1], events);
  kiln_stream_decoder_finish (decoder, events);

  return events;
}

static void
test_event_new (void)
{
  g_autoptr(KilnStreamEvent) event = kiln_stream_event_new (KILN_STREAM_EVENT_TEXT, "hi");
  g_autoptr(KilnStreamEvent) usage = kiln_stream_event_new (KILN_STREAM_EVENT_USAGE, NULL);

  g_assert_cmpint (event->type, ==, KILN_STREAM_EVENT_TEXT);
  g_assert_cmpstr (event->text, ==, "hi");
  g_assert_null (event->error_type);
  g_assert_cmpint (usage->input_tokens, ==, -1);
  g_assert_cmpint (usage->output_tokens, ==, -1);
  g_assert_null (usage->text);
  kiln_stream_event_free (NULL);
  kiln_stream_decoder_free (NULL);

  g_assert_true (kiln_stream_finish_reason_is_truncation ("length"));
  g_assert_true (kiln_stream_finish_reason_is_truncation ("max_tokens"));
  g_assert_false (kiln_stream_finish_reason_is_truncation ("stop"));
  g_assert_false (kiln_stream_finish_reason_is_truncation ("end_turn"));
  g_assert_false (kiln_stream_finish_reason_is_truncation (NULL));
  g_assert_true (kiln_stream_finish_reason_is_truncation ("model_context_window_exceeded"));
  g_assert_true (kiln_stream_finish_reason_is_truncation ("MAX_TOKENS"));
  g_assert_false (kiln_stream_finish_reason_is_truncation ("refusal"));

  g_assert_true (kiln_stream_finish_reason_is_refusal ("refusal"));
  g_assert_true (kiln_stream_finish_reason_is_refusal ("content_filter"));
  g_assert_false (kiln_stream_finish_reason_is_refusal ("stop"));
  g_assert_false (kiln_stream_finish_reason_is_refusal ("length"));
  g_assert_false (kiln_stream_finish_reason_is_refusal ("end_turn"));
  g_assert_false (kiln_stream_finish_reason_is_refusal (NULL));
}

static void
test_openai_variants (void)
{
  /* OpenRouter reasoning, an error with an integer code beside "choices" (finish_reason
   * "error"), and a usage-only chunk whose "choices" is null (vLLM). */
  static const char * const pairs[] = {
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
        "\"reasoning\":\"Think.\"},\"finish_reason\":null}]}",
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\",\"reasoning\":null},"
        "\"finish_reason\":null}]}",
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"!\"}]},"
        "\"finish_reason\":null}]}",
    "", "{\"error\":{\"code\":502,\"message\":\"Provider returned error\"},"
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}",
    "", "{\"choices\":null,\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}",
    "", "  [DONE]\n",
    NULL, NULL,
  };
  g_autoptr(GPtrArray) events = decode_events (KILN_API_OPENAI, pairs);
  Summary summary;

  summarize (events, &summary);
  g_assert_cmpstr (summary.text->str, ==, "ok!");
  g_assert_cmpstr (summary.reasoning->str, ==, "Think.");
  g_assert_cmpstr (summary.error, ==, "Provider returned error");
  g_assert_cmpstr (summary.error_type, ==, "502");
  g_assert_cmpstr (summary.finish, ==, "error");
  g_assert_cmpint (summary.input_tokens, ==, 3);
  g_assert_cmpint (summary.output_tokens, ==, 2);
  g_assert_cmpuint (summary.n_done, ==, 1);
  summary_clear (&summary);
}

static void
test_openai_error_shapes (void)
{
  static const char * const pairs[] = {
    /* TGI's /v1 and llama.cpp: a plain string; Google: an array around the error */
    "", "{\"error\":\"Input validation error: inputs too long\",\"error_type\":\"validation\"}",
    "", "[{\"error\":{\"code\":429,\"message\":\"Resource exhausted\","
        "\"status\":\"RESOURCE_EXHAUSTED\"}}]",
    NULL, NULL,
  };
  g_autoptr(GPtrArray) events = decode_events (KILN_API_OPENAI, pairs);
  KilnStreamEvent *first;
  KilnStreamEvent *second;

  g_assert_cmpuint (events->len, ==, 2);
  first = g_ptr_array_index (events, 0);
  second = g_ptr_array_index (events, 1);
  g_assert_cmpint (first->type, ==, KILN_STREAM_EVENT_ERROR);
  g_assert_cmpstr (first->text, ==, "Input validation error: inputs too long");
  g_assert_cmpstr (first->error_type, ==, "validation");
  g_assert_cmpint (second->type, ==, KILN_STREAM_EVENT_ERROR);
  g_assert_cmpstr (second->text, ==, "Resource exhausted");
  g_assert_cmpstr (second->error_type, ==, "429");
}

static void
test_gemini_usage_every_chunk (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gsize length;
  Summary summary;

  path = g_test_build_filename (G_TEST_DIST, "fixtures", "streams", "gemini-style.sse", NULL);
  g_file_get_contents (path, &body, &length, &error);
  g_assert_no_error (error);

  events = decode_body (KILN_API_OPENAI, body, length, 0);
  summarize (events, &summary);
  g_assert_cmpuint (summary.n_usage, ==, 3);
  summary_clear (&summary);
}

static void
test_anthropic_without_event_names (void)
{
  /* a proxy that drops "event:" lines: the data's "type" is used */
  static const char * const pairs[] = {
    "", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":7}}}",
    "", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
        "\"text\":\"\"}}",
    "", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
        "\"text\":\"<think>hm</think>yes\"}}",
    "", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
        "\"partial_json\":\"{\\\"a\\\"\"}}",
    "", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
        "\"usage\":{\"input_tokens\":9,\"output_tokens\":3}}",
    "", "{\"type\":\"some_future_event\",\"x\":1}",
    "", "{\"type\":\"message_stop\"}",
    NULL, NULL,
  };
  g_autoptr(GPtrArray) events = decode_events (KILN_API_ANTHROPIC, pairs);
  Summary summary;

  summarize (events, &summary);
  g_assert_cmpstr (summary.text->str, ==, "yes");
  g_assert_cmpstr (summary.reasoning->str, ==, "hm");
  g_assert_cmpstr (summary.finish, ==, "tool_use");
  g_assert_cmpint (summary.input_tokens, ==, 9);
  g_assert_cmpint (summary.output_tokens, ==, 3);
  g_assert_cmpuint (summary.n_done, ==, 1);
  g_assert_true (summary.done_last);
  summary_clear (&summary);
}

static void
test_anthropic_refusal_details (void)
{
  /* stop_details null (the usual case for older models); at the top level (a proxy); of
   * another type (not a refusal: its text is not a refusal either) */
  static const char * const null_details[] = {
    "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\","
                     "\"stop_sequence\":null,\"stop_details\":null},\"usage\":{\"output_tokens\":0}}",
    "message_stop", "{\"type\":\"message_stop\"}",
    NULL, NULL,
  };
  static const char * const lifted[] = {
    "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{"
                           "\"type\":\"text_delta\",\"text\":\"a <thi\"}}",
    "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\"},"
                     "\"stop_details\":{\"category\":\"bio\",\"explanation\":\"Declined.\"}}",
    NULL, NULL,
  };
  static const char * const other_type[] = {
    "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                     "\"stop_details\":{\"type\":\"pause\",\"explanation\":\"Paused.\"}}}",
    NULL, NULL,
  };
  g_autoptr(GPtrArray) a = decode_events (KILN_API_ANTHROPIC, null_details);
  g_autoptr(GPtrArray) b = decode_events (KILN_API_ANTHROPIC, lifted);
  g_autoptr(GPtrArray) c = decode_events (KILN_API_ANTHROPIC, other_type);
  KilnStreamEvent *event;
  Summary summary;

  summarize (a, &summary);
  g_assert_cmpstr (summary.refusal->str, ==, "");
  g_assert_cmpstr (summary.finish, ==, "refusal");
  g_assert_true (kiln_stream_finish_reason_is_refusal (summary.finish));
  g_assert_cmpuint (summary.n_done, ==, 1);
  summary_clear (&summary);

  /* the text held back by the think filter comes out before the refusal and the finish */
  g_assert_cmpuint (b->len, ==, 3);
  event = g_ptr_array_index (b, 0);
  g_assert_cmpint (event->type, ==, KILN_STREAM_EVENT_TEXT);
  g_assert_cmpstr (event->text, ==, "a <thi");
  event = g_ptr_array_index (b, 1);
  g_assert_cmpint (event->type, ==, KILN_STREAM_EVENT_REFUSAL);
  g_assert_cmpstr (event->text, ==, "Declined.");
  event = g_ptr_array_index (b, 2);
  g_assert_cmpint (event->type, ==, KILN_STREAM_EVENT_FINISH);
  g_assert_cmpstr (event->text, ==, "refusal");

  summarize (c, &summary);
  g_assert_cmpstr (summary.refusal->str, ==, "");
  g_assert_cmpstr (summary.finish, ==, "end_turn");
  summary_clear (&summary);
}

static void
test_openai_content_parts (void)
{
  /* Mistral: thinking and text parts in one delta, thinking as a plain string, a reference
   * part inside thinking (skipped), parts of unknown types; OpenAI's refusal part */
  static const char * const pairs[] = {
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"thinking\","
        "\"thinking\":[{\"type\":\"text\",\"text\":\"One.\"},{\"type\":\"reference\","
        "\"reference_ids\":[1]}]},{\"type\":\"text\",\"text\":\"A\"}]},\"finish_reason\":null}]}",
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"thinking\","
        "\"thinking\":\" Two.\",\"closed\":true},{\"type\":\"image_url\",\"image_url\":\"x\"},"
        "{\"text\":\"B\"}]},\"finish_reason\":null}]}",
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"thinking\","
        "\"thinking\":5},{\"type\":\"thinking\",\"thinking\":[5,{\"text\":\" Three.\"}]}]},"
        "\"finish_reason\":null}]}",
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"refusal\","
        "\"refusal\":\"No.\"}]},\"finish_reason\":\"content_filter\"}]}",
    "", "[DONE]",
    NULL, NULL,
  };
  g_autoptr(GPtrArray) events = decode_events (KILN_API_OPENAI, pairs);
  Summary summary;

  summarize (events, &summary);
  g_assert_cmpstr (summary.text->str, ==, "AB");
  g_assert_cmpstr (summary.reasoning->str, ==, "One. Two. Three.");
  g_assert_cmpstr (summary.refusal->str, ==, "No.");
  g_assert_cmpstr (summary.finish, ==, "content_filter");
  g_assert_cmpuint (summary.n_done, ==, 1);
  summary_clear (&summary);
}

static void
test_openai_refusal_pieces (void)
{
  /* Refusal pieces beside other kinds keep their order; adjacent ones are one event */
  static const char * const pairs[] = {
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
        "\"refusal\":\"\"},\"finish_reason\":null}]}",
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"I can\"},\"finish_reason\":null}]}",
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"not.\"},\"finish_reason\":null}]}",
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\",\"refusal\":null},"
        "\"finish_reason\":null}]}",
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"!\"},\"finish_reason\":\"stop\"}]}",
    NULL, NULL,
  };
  g_autoptr(GPtrArray) events = decode_events (KILN_API_OPENAI, pairs);
  static const KilnStreamEventType types[] = {
    KILN_STREAM_EVENT_REFUSAL, KILN_STREAM_EVENT_TEXT, KILN_STREAM_EVENT_REFUSAL,
    KILN_STREAM_EVENT_FINISH,
  };
  static const char * const texts[] = { "I cannot.", "x", "!", "stop" };

  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (types));
  for (guint i = 0; i < events->len; i++)
    {
      KilnStreamEvent *event = g_ptr_array_index (events, i);

      g_assert_cmpint (event->type, ==, types[i]);
      g_assert_cmpstr (event->text, ==, texts[i]);
    }
}

static void
test_truncation_every_api (void)
{
  /* each api's way of saying the answer hit the token limit */
  static const char * const openai[] = {
    "", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"length\"}]}",
    NULL, NULL,
  };
  static const char * const anthropic[] = {
    "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\","
                     "\"stop_sequence\":null},\"usage\":{\"output_tokens\":8192}}",
    NULL, NULL,
  };
  static const char * const tgi[] = {
    "", "{\"index\":1,\"token\":{\"id\":1,\"text\":\"a\",\"logprob\":0,\"special\":false},"
        "\"generated_text\":\"a\",\"details\":{\"finish_reason\":\"length\","
        "\"generated_tokens\":1,\"seed\":null}}",
    NULL, NULL,
  };
  static const char * const ollama[] = {
    "", "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
        "\"done_reason\":\"length\",\"done\":true,\"eval_count\":1}",
    NULL, NULL,
  };
  const char * const *streams[] = { openai, anthropic, tgi, ollama };

  for (KilnApi api = KILN_API_OPENAI; api <= KILN_API_OLLAMA; api++)
    {
      g_autoptr(GPtrArray) events = decode_events (api, streams[api]);
      Summary summary;

      summarize (events, &summary);
      g_assert_true (kiln_stream_finish_reason_is_truncation (summary.finish));
      g_assert_false (kiln_stream_finish_reason_is_refusal (summary.finish));
      summary_clear (&summary);
    }
}

static void
test_tgi_variants (void)
{
  /* older TGI: no input_length, the prompt tokens in "prefill"; then a proxy's [DONE] */
  static const char * const with_prefill[] = {
    "", "{\"index\":1,\"token\":{\"id\":1,\"text\":\"<think>\",\"logprob\":0,\"special\":false},"
        "\"generated_text\":null,\"details\":null}",
    "", "{\"index\":2,\"token\":{\"id\":2,\"text\":\"why</think>\",\"logprob\":0,"
        "\"special\":false},\"generated_text\":null,\"details\":null}",
    "", "{\"index\":3,\"token\":{\"id\":3,\"text\":\" end\",\"logprob\":0,\"special\":false},"
        "\"generated_text\":\"<think>why</think> end\",\"details\":{\"finish_reason\":\"length\","
        "\"generated_tokens\":3,\"seed\":4,\"prefill\":[{\"id\":1,\"text\":\"a\"},"
        "{\"id\":2,\"text\":\"b\"}]}}",
    "", "[DONE]",
    NULL, NULL,
  };
  /* a request without "details": true ends with "details": null */
  static const char * const without_details[] = {
    "", "{\"index\":1,\"token\":{\"id\":9,\"text\":\"ok\",\"logprob\":0,\"special\":false},"
        "\"generated_text\":\"ok\",\"details\":null}",
    NULL, NULL,
  };
  g_autoptr(GPtrArray) events = decode_events (KILN_API_TGI, with_prefill);
  g_autoptr(GPtrArray) bare = decode_events (KILN_API_TGI, without_details);
  Summary summary;

  summarize (events, &summary);
  /* the filter drops the whitespace after a tag */
  g_assert_cmpstr (summary.text->str, ==, "end");
  g_assert_cmpstr (summary.reasoning->str, ==, "why");
  g_assert_cmpstr (summary.finish, ==, "length");
  g_assert_cmpint (summary.input_tokens, ==, 2);
  g_assert_cmpint (summary.output_tokens, ==, 3);
  g_assert_cmpuint (summary.n_done, ==, 1);
  summary_clear (&summary);

  summarize (bare, &summary);
  g_assert_cmpstr (summary.text->str, ==, "ok");
  g_assert_null (summary.finish);
  g_assert_cmpuint (summary.n_usage, ==, 0);
  g_assert_cmpuint (summary.n_done, ==, 1);
  summary_clear (&summary);
}

static void
test_held_back_text_is_flushed (void)
{
  /* a stream cut after "<thi": finish() releases what the filter held back */
  static const char * const pairs[] = {
    "", "{\"message\":{\"role\":\"assistant\",\"content\":\"a <thi\"},\"done\":false}",
    NULL, NULL,
  };
  g_autoptr(GPtrArray) events = decode_events (KILN_API_OLLAMA, pairs);
  Summary summary;

  summarize (events, &summary);
  g_assert_cmpstr (summary.text->str, ==, "a <thi");
  g_assert_cmpuint (summary.n_done, ==, 0);
  summary_clear (&summary);
}

/* --- garbage never crashes, never warns --- */

static const char * const garbage_documents[] = {
  "", " ", "null", "true", "0", "-1", "1e999", "\"text\"", "[]", "{}", "[[[", "{\"a\":",
  "\xff\xfe\x00", "data: {}", "[DONE", "[DONE]x",
  "{\"choices\":{}}", "{\"choices\":[5]}", "{\"choices\":[null]}", "{\"choices\":[{\"delta\":5}]}",
  "{\"choices\":[{\"delta\":{\"content\":5,\"reasoning_content\":[1]}}]}",
  "{\"choices\":[{\"delta\":{\"content\":[5,null,{\"text\":7}]},\"finish_reason\":3}]}",
  "{\"choices\":[{\"delta\":{\"content\":\"\\ud800\"}}]}",
  "{\"usage\":5}", "{\"usage\":{\"prompt_tokens\":\"3\",\"completion_tokens\":-7}}",
  "{\"usage\":{\"prompt_tokens\":1e300,\"completion_tokens\":2.5}}",
  "{\"error\":5}", "{\"error\":[]}", "{\"error\":{}}", "{\"error\":{\"message\":5,\"type\":[]}}",
  "{\"error\":null}", "{\"error\":\"\"}", "[{\"error\":7}]",
  "{\"type\":5}", "{\"type\":\"content_block_delta\"}",
  "{\"type\":\"content_block_delta\",\"index\":-5,\"delta\":{}}",
  "{\"type\":\"content_block_delta\",\"index\":99999999999,\"delta\":{\"text\":5}}",
  "{\"type\":\"content_block_start\",\"index\":1e10,\"content_block\":{\"type\":7}}",
  "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":5}",
  "{\"type\":\"message_start\",\"message\":{\"usage\":[]}}",
  "{\"type\":\"message_delta\",\"delta\":[],\"usage\":\"x\"}",
  "{\"type\":\"error\",\"error\":\"nope\"}", "{\"type\":\"error\"}",
  "{\"token\":5,\"generated_text\":5,\"details\":5}",
  "{\"token\":{\"text\":5,\"special\":\"yes\"},\"generated_text\":\"\","
  "\"details\":{\"prefill\":5}}",
  "{\"message\":5,\"done\":\"true\"}", "{\"message\":{\"content\":[],\"thinking\":{}},\"done\":1}",
  "{\"done\":true,\"done_reason\":5,\"prompt_eval_count\":\"x\",\"eval_count\":null}",
};

static const char * const garbage_event_names[] = {
  NULL, "", "error", "message_start", "content_block_start", "content_block_delta",
  "content_block_stop", "message_delta", "message_stop", "ping", "\xff",
};

static void
feed_garbage (KilnApi     api,
              const char *event,
              const char *data)
{
  g_autoptr(KilnStreamDecoder) decoder = kiln_stream_decoder_new (api);
  g_autoptr(GPtrArray) events =
    g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_stream_event_free);
  Summary summary;

  kiln_stream_decoder_feed (decoder, event, data, events);
  kiln_stream_decoder_feed (decoder, event, data, events);
  kiln_stream_decoder_finish (decoder, events);
  summarize (events, &summary);   /* checks every event is well formed */
  summary_clear (&summary);
}

static void
test_garbage (void)
{
  g_autofree char *deep = NULL;
  GString *nested = g_string_new ("{\"choices\":");

  for (KilnApi api = KILN_API_OPENAI; api <= KILN_API_OLLAMA; api++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (garbage_documents); i++)
        for (guint j = 0; j < G_N_ELEMENTS (garbage_event_names); j++)
          feed_garbage (api, garbage_event_names[j], garbage_documents[i]);

      /* random bytes, printable or not */
      for (guint i = 0; i < 2000; i++)
        {
          guint length = g_test_rand_int_range (1, 200);
          g_autofree char *data = g_malloc (length + 1);

          for (guint k = 0; k < length; k++)
            data[k] = (char) g_test_rand_int_range (1, 256);
          data[length] = '\0';
          feed_garbage (api, NULL, data);
        }
    }

  /* nesting deep enough to blow json-glib's recursive parser */
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (nested, '[');
  deep = g_string_free (nested, FALSE);
  for (KilnApi api = KILN_API_OPENAI; api <= KILN_API_OLLAMA; api++)
    feed_garbage (api, "content_block_delta", deep);
}

static void
test_truncated_fixtures (void)
{
  /* every fixture cut at random points: no crash, and events stay well formed */
  for (guint i = 0; i < G_N_ELEMENTS (fixture_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;
      g_autofree char *body = NULL;
      gsize length;

      path = g_test_build_filename (G_TEST_DIST, "fixtures", "streams",
                                    fixture_cases[i].fixture, NULL);
      g_file_get_contents (path, &body, &length, &error);
      g_assert_no_error (error);

      for (guint k = 0; k < 50; k++)
        {
          gsize cut = g_test_rand_int_range (0, (gint32) length);
          g_autoptr(GPtrArray) events = NULL;
          Summary summary;

          /* flip a byte too, so JSON breaks in the middle of values */
          if (cut > 0)
            body[g_test_rand_int_range (0, (gint32) cut)] ^= 0x20;
          events = decode_body (fixture_cases[i].api, body, cut, g_test_rand_int_range (1, 40));
          summarize (events, &summary);
          summary_clear (&summary);
        }
    }
}

/* --- the fast path gives exactly what json-glib gives --- */

/* A stream as the decoder sees it: event names (NULL or a name) and data, in pairs. */
typedef struct
{
  GPtrArray *names;
  GPtrArray *data;
} Stream;

static void
stream_init (Stream *stream)
{
  stream->names = g_ptr_array_new_with_free_func (g_free);
  stream->data = g_ptr_array_new_with_free_func (g_free);
}

static void
stream_clear (Stream *stream)
{
  g_ptr_array_unref (stream->names);
  g_ptr_array_unref (stream->data);
}

static void
stream_add (Stream     *stream,
            const char *name,
            const char *data)
{
  g_ptr_array_add (stream->names, g_strdup (name));
  g_ptr_array_add (stream->data, g_strdup (data));
}

static void
on_sse_collect (const char *event,
                const char *data,
                const char *id,
                gpointer    user_data)
{
  stream_add (user_data, event, data);
}

static void
on_line_collect (const char *line,
                 gsize       length,
                 gpointer    user_data)
{
  g_autofree char *copy = g_strndup (line, length);

  stream_add (user_data, NULL, copy);
}

static GPtrArray *
decode_stream (KilnApi       api,
               const Stream *stream,
               gboolean      fast_path,
               guint        *fast_count)
{
  g_autoptr(KilnStreamDecoder) decoder = kiln_stream_decoder_new (api);
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_stream_event_free);

  _kiln_stream_decoder_set_fast_path (decoder, fast_path);
  for (guint i = 0; i < stream->data->len; i++)
    kiln_stream_decoder_feed (decoder, g_ptr_array_index (stream->names, i),
                              g_ptr_array_index (stream->data, i), events);
  kiln_stream_decoder_finish (decoder, events);
  if (fast_count != NULL)
    *fast_count += _kiln_stream_decoder_get_fast_count (decoder);

  return events;
}

/* Decodes @stream both ways and checks the events are the same, one by one. Returns how
 * many documents took the fast path. */
static guint
assert_fast_path_agrees (KilnApi       api,
                         const Stream *stream)
{
  guint fast_count = 0;
  g_autoptr(GPtrArray) slow = decode_stream (api, stream, FALSE, NULL);
  g_autoptr(GPtrArray) fast = decode_stream (api, stream, TRUE, &fast_count);

  if (slow->len != fast->len)
    {
      for (guint i = 0; i < stream->data->len; i++)
        g_test_message ("data: %s", g_strescape (g_ptr_array_index (stream->data, i), NULL));
    }
  g_assert_cmpuint (fast->len, ==, slow->len);

  for (guint i = 0; i < slow->len; i++)
    {
      KilnStreamEvent *a = g_ptr_array_index (slow, i);
      KilnStreamEvent *b = g_ptr_array_index (fast, i);

      if (g_strcmp0 (a->text, b->text) != 0 || a->type != b->type)
        {
          for (guint k = 0; k < stream->data->len; k++)
            g_test_message ("data: %s", g_strescape (g_ptr_array_index (stream->data, k), NULL));
        }
      g_assert_cmpint (b->type, ==, a->type);
      g_assert_cmpstr (b->text, ==, a->text);
      g_assert_cmpstr (b->error_type, ==, a->error_type);
      g_assert_cmpint (b->input_tokens, ==, a->input_tokens);
      g_assert_cmpint (b->output_tokens, ==, a->output_tokens);
    }

  return fast_count;
}

static void
read_fixture_stream (const char *path,
                     Stream     *stream)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  gsize length;

  g_file_get_contents (path, &body, &length, &error);
  g_assert_no_error (error);

  if (g_str_has_suffix (path, ".ndjson"))
    {
      g_autoptr(KilnLineSplitter) lines = kiln_line_splitter_new ();

      kiln_line_splitter_feed (lines, body, length, on_line_collect, stream);
      kiln_line_splitter_finish (lines, on_line_collect, stream);
    }
  else
    {
      g_autoptr(KilnSseParser) sse = kiln_sse_parser_new ();

      kiln_sse_parser_feed (sse, body, length, on_sse_collect, stream);
      kiln_sse_parser_finish (sse, on_sse_collect, stream);
    }
}

static void
test_fast_path_fixtures (void)
{
  static const char * const folders[] = { "streams", "sse" };
  guint n_files = 0;
  guint fast_count = 0;

  for (guint f = 0; f < G_N_ELEMENTS (folders); f++)
    {
      g_autofree char *folder = g_test_build_filename (G_TEST_DIST, "fixtures", folders[f], NULL);
      g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = NULL;
          Stream stream;

          if (!g_str_has_suffix (name, ".sse") && !g_str_has_suffix (name, ".ndjson"))
            continue;

          path = g_build_filename (folder, name, NULL);
          stream_init (&stream);
          read_fixture_stream (path, &stream);
          /* every api on every fixture: what is not its own format must agree too */
          for (KilnApi api = KILN_API_OPENAI; api <= KILN_API_OLLAMA; api++)
            fast_count += assert_fast_path_agrees (api, &stream);
          stream_clear (&stream);
          n_files++;
        }
    }

  g_assert_cmpuint (n_files, >=, 25);
  g_assert_cmpuint (fast_count, >, 40);
}

/* --- generated documents near the common shapes --- */

static const char * const string_pieces[] = {
  "a", "Hi", " ", "  ", "\\n", "<think>", "</think>", "<thi", "nk>", "<", "\\\"", "\\\\",
  "\\/", "\\b", "\\f", "\\r", "\\t", "\\u00e9", "\\u20AC", "\\u003cthink\\u003e",
  "\\ud83d\\ude00", "\\uD834\\uDD1E", "\\ud800", "\\udc00", "\\ud800\\u0041", "\\u0000",
  "\\u0001", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff", "\xc3", "\xed\xa0\x80",
  "\x01", "\t", "\\x", "\\u12", "\x7f", "\xef\xbb\xbf",
};

static void
gen_string (GString *out)
{
  guint n = g_test_rand_int_range (0, 6);

  g_string_append_c (out, '"');
  for (guint i = 0; i < n; i++)
    {
      /* mostly harmless text, now and then anything */
      guint k = g_test_rand_int_range (0, 4) > 0
        ? g_test_rand_int_range (0, 8)
        : g_test_rand_int_range (0, G_N_ELEMENTS (string_pieces));

      g_string_append (out, string_pieces[k]);
    }
  g_string_append_c (out, '"');
}

static const char * const scalars[] = {
  "null", "true", "false", "0", "-0", "1", "-1", "2.5", "1e5", "1.5E-3", "1e999", "-5",
  "99999999999999999999999", "\"\"", "\"x\"", "[]", "{}", "[1,\"a\",null]", "{\"k\":[{}]}",
};

static void
gen_any (GString *out)
{
  if (g_test_rand_int_range (0, 3) == 0)
    gen_string (out);
  else
    g_string_append (out, scalars[g_test_rand_int_range (0, G_N_ELEMENTS (scalars))]);
}

/* A member value: @usual most of the time, else something of another type. */
static char *
gen_value (const char *usual)
{
  GString *out = g_string_new (NULL);

  if (g_test_rand_int_range (0, 10) == 0)
    gen_any (out);
  else if (usual == NULL)
    gen_string (out);
  else
    g_string_append (out, usual);

  return g_string_free (out, FALSE);
}

static const char * const odd_keys[] = {
  "unknown", "tool_calls", "usage", "error", "choices", "delta/content", "cont\\u0065nt",
  "", "Content", "content ", "type", "done", "text", "special", "message",
};

static const char * const spaces[] = { "", "", "", " ", "\n", "\t", "\r\n ", "  " };

/* An object from the first @n of @n_values (key, value) pairs (all values are freed),
 * shuffled and now and then damaged: a pair dropped or doubled, a stranger added. */
static char *
gen_object (const char **keys,
            char       **values,
            guint        n,
            guint        n_values)
{
  GString *out = g_string_new ("{");
  guint order[16];
  guint n_order = 0;
  gboolean first = TRUE;

  g_assert (n <= 12);
  for (guint i = 0; i < n; i++)
    {
      if (g_test_rand_int_range (0, 20) == 0)
        continue;   /* dropped */
      order[n_order++] = i;
      if (g_test_rand_int_range (0, 30) == 0)
        order[n_order++] = i;   /* doubled */
    }
  if (g_test_rand_bit ())
    {
      for (guint i = n_order; i > 1; i--)
        {
          guint j = g_test_rand_int_range (0, i);
          guint t = order[i - 1];

          order[i - 1] = order[j];
          order[j] = t;
        }
    }

  for (guint i = 0; i < n_order; i++)
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      g_string_append (out, spaces[g_test_rand_int_range (0, G_N_ELEMENTS (spaces))]);
      g_string_append_printf (out, "\"%s\":", keys[order[i]]);
      g_string_append (out, spaces[g_test_rand_int_range (0, G_N_ELEMENTS (spaces))]);
      g_string_append (out, values[order[i]]);
    }

  if (g_test_rand_int_range (0, 15) == 0)
    {
      g_string_append_printf (out, "%s\"%s\":", first ? "" : ",",
                              odd_keys[g_test_rand_int_range (0, G_N_ELEMENTS (odd_keys))]);
      gen_any (out);
    }
  g_string_append_c (out, '}');

  for (guint i = 0; i < n_values; i++)
    g_free (values[i]);

  return g_string_free (out, FALSE);
}

static char *
gen_openai (void)
{
  const char *delta_keys[] = { "role", "content", "reasoning_content", "reasoning", "refusal" };
  char *delta_values[] = {
    gen_value ("\"assistant\""), gen_value (NULL),
    gen_value (g_test_rand_int_range (0, 4) ? "null" : NULL),
    gen_value (g_test_rand_int_range (0, 4) ? "null" : NULL),
    gen_value (g_test_rand_int_range (0, 4) ? "null" : NULL),
  };
  const char *choice_keys[] = { "index", "delta", "finish_reason", "logprobs" };
  char *choice_values[4];
  const char *keys[] = { "id", "object", "created", "model", "system_fingerprint",
                         "service_tier", "obfuscation", "choices", "usage", "error" };
  char *values[10];
  guint n_delta = g_test_rand_int_range (1, 6);
  g_autofree char *delta = NULL;
  g_autofree char *choice = NULL;
  g_autofree char *choices = NULL;

  /* deltas mostly carry only content, maybe a role */
  if (n_delta < 5 && g_test_rand_bit ())
    {
      g_free (delta_values[0]);
      delta_values[0] = delta_values[1];
      delta_keys[0] = "content";
      delta_values[1] = NULL;
      n_delta = 1;
    }
  delta = gen_object (delta_keys, delta_values, n_delta, 5);

  choice_values[0] = gen_value ("0");
  choice_values[1] = gen_value (delta);
  choice_values[2] = gen_value (g_test_rand_int_range (0, 10) ? "null" : "\"stop\"");
  choice_values[3] = gen_value ("null");
  choice = gen_object (choice_keys, choice_values, 4, 4);
  choices = g_test_rand_int_range (0, 20) ? g_strdup_printf ("[%s]", choice)
          : g_test_rand_bit () ? g_strdup_printf ("[%s,%s]", choice, choice) : g_strdup ("[]");

  values[0] = gen_value ("\"chatcmpl-1\"");
  values[1] = gen_value ("\"chat.completion.chunk\"");
  values[2] = gen_value ("1754646592");
  values[3] = gen_value ("\"m\"");
  values[4] = gen_value ("\"fp_1\"");
  values[5] = gen_value ("\"default\"");
  values[6] = gen_value ("\"x\"");
  values[7] = gen_value (choices);
  values[8] = gen_value (g_test_rand_int_range (0, 10) ? "null"
                         : "{\"prompt_tokens\":3,\"completion_tokens\":4}");
  values[9] = gen_value (g_test_rand_int_range (0, 10) ? "null"
                         : "{\"message\":\"m\",\"code\":429}");

  return gen_object (keys, values, g_test_rand_bit () ? 10 : 8, 10);
}

static char *
gen_anthropic (void)
{
  static const char * const delta_types[] = {
    "\"text_delta\"", "\"thinking_delta\"", "\"signature_delta\"", "\"text\\u005fdelta\"",
  };
  gboolean thinking = g_test_rand_bit ();
  const char *delta_keys[] = { "type", thinking ? "thinking" : "text", "text" };
  char *delta_values[] = {
    gen_value (g_test_rand_int_range (0, 6) ? delta_types[thinking]
               : delta_types[g_test_rand_int_range (0, G_N_ELEMENTS (delta_types))]),
    gen_value (NULL), gen_value (NULL),
  };
  const char *keys[] = { "type", "index", "delta" };
  char *values[3];
  g_autofree char *delta = gen_object (delta_keys, delta_values,
                                       g_test_rand_int_range (0, 8) ? 2 : 3, 3);

  values[0] = gen_value (g_test_rand_int_range (0, 10) ? "\"content_block_delta\""
                         : "\"content_block_start\"");
  values[1] = gen_value ("0");
  values[2] = gen_value (delta);

  return gen_object (keys, values, 3, 3);
}

static char *
gen_tgi (void)
{
  const char *token_keys[] = { "id", "text", "logprob", "special" };
  char *token_values[] = {
    gen_value ("42"), gen_value (NULL), gen_value ("-0.25"),
    gen_value (g_test_rand_int_range (0, 6) ? "false" : "true"),
  };
  const char *keys[] = { "index", "token", "generated_text", "details", "top_tokens" };
  char *values[5];
  g_autofree char *token = gen_object (token_keys, token_values, 4, 4);

  values[0] = gen_value ("1");
  values[1] = gen_value (token);
  values[2] = gen_value (g_test_rand_int_range (0, 10) ? "null" : "\"all\"");
  values[3] = gen_value (g_test_rand_int_range (0, 3) ? "null"
                         : "{\"finish_reason\":\"length\",\"generated_tokens\":3}");
  values[4] = gen_value ("[]");

  return gen_object (keys, values, g_test_rand_bit () ? 4 : 5, 5);
}

static char *
gen_ollama (void)
{
  const char *message_keys[] = { "role", "content", "thinking" };
  char *message_values[] = { gen_value ("\"assistant\""), gen_value (NULL), gen_value (NULL) };
  const char *keys[] = { "model", "created_at", "message", "done" };
  char *values[4];
  g_autofree char *message = gen_object (message_keys, message_values,
                                         g_test_rand_bit () ? 2 : 3, 3);

  values[0] = gen_value ("\"qwen3\"");
  values[1] = gen_value ("\"2025-08-08T10:12:01Z\"");
  values[2] = gen_value (message);
  values[3] = gen_value (g_test_rand_int_range (0, 10) ? "false" : "true");

  return gen_object (keys, values, 4, 4);
}

static const char * const generated_event_names[] = {
  NULL, NULL, NULL, "content_block_delta", "ping", "error", "message_stop",
};

static void
test_fast_path_generated (void)
{
  guint fast_count = 0;
  guint n_documents = 0;

  for (guint round = 0; round < 2000; round++)
    {
      KilnApi api = g_test_rand_int_range (KILN_API_OPENAI, KILN_API_OLLAMA + 1);
      guint n = g_test_rand_int_range (1, 8);
      Stream stream;

      stream_init (&stream);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *doc = NULL;
          GString *data;
          const char *name;

          switch (api)
            {
            case KILN_API_OPENAI:
              doc = gen_openai ();
              break;
            case KILN_API_ANTHROPIC:
              doc = gen_anthropic ();
              break;
            case KILN_API_TGI:
              doc = gen_tgi ();
              break;
            default:
              doc = gen_ollama ();
              break;
            }

          data = g_string_new (doc);
          /* damage: a cut, a flipped bit, a stray byte; whitespace around */
          switch (g_test_rand_int_range (0, 16))
            {
            case 0:
              g_string_truncate (data, g_test_rand_int_range (0, data->len));
              break;
            case 1:
              data->str[g_test_rand_int_range (0, data->len)] ^= 1 << g_test_rand_int_range (0, 7);
              break;
            case 2:
              g_string_insert_c (data, g_test_rand_int_range (0, data->len + 1),
                                 "{}[],:\"\\ \x01\xff"[g_test_rand_int_range (0, 12)]);
              break;
            case 3:
              g_string_prepend (data, spaces[g_test_rand_int_range (0, G_N_ELEMENTS (spaces))]);
              g_string_append (data, g_test_rand_bit () ? " \f\v" : "\n");
              break;
            case 4:
              g_string_assign (data, g_test_rand_bit () ? "[DONE]" : " [DONE] ");
              break;
            default:
              break;
            }

          /* the data a decoder gets is a C string: a flipped bit may have made a NUL */
          g_string_truncate (data, strlen (data->str));
          name = generated_event_names[g_test_rand_int_range (0,
                                                              G_N_ELEMENTS (generated_event_names))];
          stream_add (&stream, name, data->str);
          g_string_free (data, TRUE);
          n_documents++;
        }

      fast_count += assert_fast_path_agrees (api, &stream);
      stream_clear (&stream);
    }

  /* the fast path must have been taken often enough for the comparison to mean something,
   * and refused often enough that the damage reached it */
  g_test_message ("%u of %u documents took the fast path", fast_count, n_documents);
  g_assert_cmpuint (fast_count, >, n_documents / 5);
  g_assert_cmpuint (fast_count, <, n_documents * 9 / 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fixture_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/stream-decoder/fixture/%s",
                                               fixture_cases[i].fixture);
      g_test_add_data_func (name, &fixture_cases[i], test_fixture);
    }

  g_test_add_func ("/stream-decoder/event-new", test_event_new);
  g_test_add_func ("/stream-decoder/openai/variants", test_openai_variants);
  g_test_add_func ("/stream-decoder/openai/error-shapes", test_openai_error_shapes);
  g_test_add_func ("/stream-decoder/openai/gemini-usage-every-chunk",
                   test_gemini_usage_every_chunk);
  g_test_add_func ("/stream-decoder/anthropic/without-event-names",
                   test_anthropic_without_event_names);
  g_test_add_func ("/stream-decoder/anthropic/refusal-details", test_anthropic_refusal_details);
  g_test_add_func ("/stream-decoder/openai/content-parts", test_openai_content_parts);
  g_test_add_func ("/stream-decoder/openai/refusal-pieces", test_openai_refusal_pieces);
  g_test_add_func ("/stream-decoder/truncation-every-api", test_truncation_every_api);
  g_test_add_func ("/stream-decoder/tgi/variants", test_tgi_variants);
  g_test_add_func ("/stream-decoder/held-back-text-is-flushed", test_held_back_text_is_flushed);
  g_test_add_func ("/stream-decoder/garbage", test_garbage);
  g_test_add_func ("/stream-decoder/truncated-fixtures", test_truncated_fixtures);
  g_test_add_func ("/stream-decoder/fast-path/fixtures", test_fast_path_fixtures);
  g_test_add_func ("/stream-decoder/fast-path/generated", test_fast_path_generated);

  return g_test_run ();
}

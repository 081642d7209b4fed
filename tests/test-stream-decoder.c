/* test-stream-decoder.c: each provider's stream, replayed from fixtures, decoded into events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-sse-parser.h"
#include "kiln-stream-event.h"

/* What a whole stream adds up to. */
typedef struct
{
  GString  *text;
  GString  *reasoning;
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
  g_test_add_func ("/stream-decoder/tgi/variants", test_tgi_variants);
  g_test_add_func ("/stream-decoder/held-back-text-is-flushed", test_held_back_text_is_flushed);
  g_test_add_func ("/stream-decoder/garbage", test_garbage);
  g_test_add_func ("/stream-decoder/truncated-fixtures", test_truncated_fixtures);

  return g_test_run ();
}

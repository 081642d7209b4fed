/* test-sse-parser.c: the Server-Sent Events parser and the NDJSON line splitter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-sse-parser.h"

#define MAX_LINE (16 * 1024 * 1024)

/* An input given by its bytes, so it may hold a NUL */
#define BYTES(s) s, sizeof (s) - 1

/* --- Running the parsers over pieces of an input --- */

/* Each event is recorded as "event\tid\tdata", "-" standing for a NULL event or id. */
static char *
format_event (const char *event,
              const char *id,
              const char *data)
{
  return g_strdup_printf ("%s\t%s\t%s", event ? event : "-", id ? id : "-", data);
}

static void
collect_event (const char *event,
               const char *data,
               const char *id,
               gpointer    user_data)
{
  g_assert_nonnull (data);
  /* The parser hands out NULL rather than empty names and ids */
  g_assert_true (event == NULL || event[0] != '\0');
  g_assert_true (id == NULL || id[0] != '\0');

  g_ptr_array_add (user_data, format_event (event, id, data));
}

static void
collect_line (const char *line,
              gsize       length,
              gpointer    user_data)
{
  g_assert_cmpuint (length, >, 0);
  g_assert_cmpint (line[length], ==, '\0');

  g_ptr_array_add (user_data, g_strndup (line, length));
}

typedef enum
{
  PARSE_SSE,
  PARSE_LINES,
} ParseMode;

/* Feeds @input cut at the @n_cuts offsets of @cuts (ascending, possibly equal, which
 * gives empty feeds), or one byte at a time when @cuts is NULL. */
static GPtrArray *
parse_cut (ParseMode    mode,
           const char  *input,
           gsize        length,
           const gsize *cuts,
           guint        n_cuts,
           gint64      *retry_out)
{
  g_autoptr(KilnSseParser) sse = kiln_sse_parser_new ();
  g_autoptr(KilnLineSplitter) splitter = kiln_line_splitter_new ();
  GPtrArray *results = g_ptr_array_new_with_free_func (g_free);
  gsize start = 0;
  guint i;

  for (i = 0; i <= (cuts != NULL ? n_cuts : length); i++)
    {
      gsize end;

      if (cuts == NULL)
        end = MIN (i + 1, length);
      else
        end = i < n_cuts ? cuts[i] : length;

      g_assert_cmpuint (end, >=, start);
      if (mode == PARSE_SSE)
        kiln_sse_parser_feed (sse, input + start, end - start, collect_event, results);
      else
        kiln_line_splitter_feed (splitter, input + start, end - start, collect_line, results);
      start = end;
    }

  if (mode == PARSE_SSE)
    kiln_sse_parser_finish (sse, collect_event, results);
  else
    kiln_line_splitter_finish (splitter, collect_line, results);

  if (retry_out != NULL)
    *retry_out = kiln_sse_parser_get_retry (sse);

  return results;
}

static void
assert_same (GPtrArray  *got,
             GPtrArray  *expected,
             const char *how)
{
  guint i;

  for (i = 0; i < MAX (got->len, expected->len); i++)
    {
      const char *a = i < got->len ? g_ptr_array_index (got, i) : "(missing)";
      const char *b = i < expected->len ? g_ptr_array_index (expected, i) : "(none)";

      if (g_strcmp0 (a, b) != 0)
        {
          g_test_message ("Mismatch at result %u when fed %s", i, how);
          g_assert_cmpstr (a, ==, b);
        }
    }
}

/* The crucial property: the results do not depend on where the input is cut. Checks a
 * cut at every offset, one byte at a time and, when @three_way, every pair of cuts. */
static void
assert_all_cuts (ParseMode   mode,
                 const char *input,
                 gsize       length,
                 GPtrArray  *expected,
                 gint64      expected_retry,
                 gboolean    three_way)
{
  g_autoptr(GPtrArray) whole = NULL;
  g_autoptr(GPtrArray) bytes = NULL;
  const gsize no_cuts[1] = { 0 };
  gint64 retry;
  gsize i, j;

  whole = parse_cut (mode, input, length, no_cuts, 0, &retry);
  assert_same (whole, expected, "whole");
  if (mode == PARSE_SSE)
    g_assert_cmpint (retry, ==, expected_retry);

  bytes = parse_cut (mode, input, length, NULL, 0, NULL);
  assert_same (bytes, expected, "one byte at a time");

  for (i = 0; i <= length; i++)
    {
      g_autoptr(GPtrArray) got = parse_cut (mode, input, length, &i, 1, &retry);
      g_autofree char *how = g_strdup_printf ("cut at %" G_GSIZE_FORMAT, i);

      assert_same (got, expected, how);
      if (mode == PARSE_SSE)
        g_assert_cmpint (retry, ==, expected_retry);
    }

  if (!three_way)
    return;

  for (i = 0; i <= length; i++)
    for (j = i; j <= length; j++)
      {
        gsize cuts[] = { i, j };
        g_autoptr(GPtrArray) got = parse_cut (mode, input, length, cuts, 2, NULL);
        g_autofree char *how = g_strdup_printf ("cut at %" G_GSIZE_FORMAT " and %"
                                                G_GSIZE_FORMAT, i, j);

        assert_same (got, expected, how);
      }
}

/* --- Provider streams from fixture files --- */

static char *
load_fixture (const char *name,
              gsize      *length)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "sse", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);

  return contents;
}

/* Reads a .expected file: see the comment at its top. */
static GPtrArray *
load_expected (const char *name,
               ParseMode   mode,
               gint64     *retry)
{
  g_autofree char *contents = load_fixture (name, NULL);
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  GPtrArray *expected = g_ptr_array_new_with_free_func (g_free);
  guint i;

  *retry = -1;
  for (i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree char *data = NULL;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;

      if (mode == PARSE_LINES)
        {
          g_ptr_array_add (expected, g_strdup (lines[i]));
          continue;
        }

      fields = g_strsplit (lines[i], "\t", 3);
      if (g_strcmp0 (fields[0], "retry") == 0)
        {
          *retry = g_ascii_strtoll (fields[1], NULL, 10);
          continue;
        }

      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      data = g_strcompress (fields[2]);
      g_ptr_array_add (expected,
                       format_event (strcmp (fields[0], "-") == 0 ? NULL : fields[0],
                                     strcmp (fields[1], "-") == 0 ? NULL : fields[1],
                                     data));
    }

  return expected;
}

/* @input with every line ending (CRLF, CR or LF) replaced by @ending */
static char *
with_line_endings (const char *input,
                   gsize       length,
                   const char *ending,
                   gsize      *new_length)
{
  GString *out = g_string_sized_new (length * 2);
  gsize i;

  for (i = 0; i < length; i++)
    {
      if (input[i] == '\r' || input[i] == '\n')
        {
          if (input[i] == '\r' && i + 1 < length && input[i + 1] == '\n')
            i++;
          g_string_append (out, ending);
        }
      else
        {
          g_string_append_c (out, input[i]);
        }
    }

  *new_length = out->len;
  return g_string_free (out, FALSE);
}

static void
test_fixture (gconstpointer user_data)
{
  const char *name = user_data;
  ParseMode mode = g_str_has_suffix (name, ".ndjson") ? PARSE_LINES : PARSE_SSE;
  g_autofree char *base = g_strndup (name, strrchr (name, '.') - name);
  g_autofree char *expected_name = g_strconcat (base, ".expected", NULL);
  g_autofree char *input = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  const char *endings[] = { "\n", "\r\n", "\r" };
  gsize length;
  gint64 retry;
  guint i;

  input = load_fixture (name, &length);
  expected = load_expected (expected_name, mode, &retry);
  g_assert_cmpuint (expected->len, >, 0);

  assert_all_cuts (mode, input, length, expected, retry, FALSE);

  /* The same stream with each kind of line ending */
  for (i = 0; i < G_N_ELEMENTS (endings); i++)
    {
      gsize variant_length;
      g_autofree char *variant = with_line_endings (input, length, endings[i],
                                                    &variant_length);

      assert_all_cuts (mode, variant, variant_length, expected, retry, FALSE);
    }
}

/* --- SSE edge cases --- */

typedef struct
{
  const char *event;
  const char *id;
  const char *data;
} Ev;

typedef struct
{
  const char *name;
  const char *input;
  gsize       length;
  gint64      retry;
  Ev          events[4];  /* up to the first with a NULL data */
} SseCase;

static const SseCase sse_cases[] = {
  { "lf", BYTES ("data: a\n\n"), -1, { { NULL, NULL, "a" } } },
  { "crlf", BYTES ("data: a\r\n\r\n"), -1, { { NULL, NULL, "a" } } },
  { "lone-cr", BYTES ("data: a\r\rdata: b\r\r"), -1,
    { { NULL, NULL, "a" }, { NULL, NULL, "b" } } },
  /* A CRLF is one ending, never an ending and an empty line */
  { "crlf-no-spurious-dispatch", BYTES ("data: a\r\ndata: b\r\n\r\n"), -1,
    { { NULL, NULL, "a\nb" } } },
  { "mixed-endings", BYTES ("data: a\r\n\ndata: b\r\r\ndata: c\n\r"), -1,
    { { NULL, NULL, "a" }, { NULL, NULL, "b" }, { NULL, NULL, "c" } } },
  { "cr-then-cr", BYTES ("data: a\r\r\n"), -1, { { NULL, NULL, "a" } } },
  { "no-colon", BYTES ("data\n\n"), -1, { { NULL, NULL, "" } } },
  { "no-colon-twice", BYTES ("data\ndata\n\n"), -1, { { NULL, NULL, "\n" } } },
  { "no-space", BYTES ("data:x\n\n"), -1, { { NULL, NULL, "x" } } },
  { "two-spaces", BYTES ("data:  two spaces\n\n"), -1, { { NULL, NULL, " two spaces" } } },
  { "space-only", BYTES ("data: \n\n"), -1, { { NULL, NULL, "" } } },
  { "tab-kept", BYTES ("data:\tx\n\n"), -1, { { NULL, NULL, "\tx" } } },
  { "colon-in-value", BYTES ("data: a: b\n\n"), -1, { { NULL, NULL, "a: b" } } },
  { "multi-line", BYTES ("data: a\ndata: b\ndata:\n\n"), -1, { { NULL, NULL, "a\nb\n" } } },
  { "empty-data", BYTES ("data:\n\n"), -1, { { NULL, NULL, "" } } },
  { "event-only", BYTES ("event: x\n\n"), -1, { { NULL } } },
  { "event-reset-without-data", BYTES ("event: x\n\ndata: y\n\n"), -1,
    { { NULL, NULL, "y" } } },
  { "event-reset-after-dispatch", BYTES ("event: a\ndata: 1\n\ndata: 2\n\n"), -1,
    { { "a", NULL, "1" }, { NULL, NULL, "2" } } },
  { "event-last-wins", BYTES ("event: a\nevent: b\ndata: 1\n\n"), -1,
    { { "b", NULL, "1" } } },
  { "event-empty", BYTES ("event:\ndata: a\n\n"), -1, { { NULL, NULL, "a" } } },
  { "id-persists", BYTES ("id: 7\ndata: 1\n\ndata: 2\n\nid\ndata: 3\n\n"), -1,
    { { NULL, "7", "1" }, { NULL, "7", "2" }, { NULL, NULL, "3" } } },
  { "id-without-data", BYTES ("id: 9\n\ndata: x\n\n"), -1, { { NULL, "9", "x" } } },
  { "id-with-nul", BYTES ("id: 1\ndata: a\n\nid: x\0y\ndata: b\n\n"), -1,
    { { NULL, "1", "a" }, { NULL, "1", "b" } } },
  { "retry", BYTES ("retry: 1500\n"), 1500, { { NULL } } },
  { "retry-non-digits", BYTES ("retry: 15a\n"), -1, { { NULL } } },
  { "retry-keeps-last-valid", BYTES ("retry: 100\nretry: x\nretry: -5\nretry:\n"), 100,
    { { NULL } } },
  { "retry-two-spaces", BYTES ("retry:  100\n"), -1, { { NULL } } },
  { "retry-huge", BYTES ("retry: 99999999999999999999999\n"), G_MAXINT64, { { NULL } } },
  { "comments", BYTES (": hi\ndata: a\n:\n: more\n\n"), -1, { { NULL, NULL, "a" } } },
  { "only-comments", BYTES (":\n: ping\n\n"), -1, { { NULL } } },
  { "unknown-field", BYTES ("foo: bar\ndata: a\n\n"), -1, { { NULL, NULL, "a" } } },
  { "field-case-sensitive", BYTES ("Data: a\nDATA: b\n\n"), -1, { { NULL } } },
  { "field-leading-space", BYTES (" data: a\n\n"), -1, { { NULL } } },
  { "bom", BYTES ("\xEF\xBB\xBF" "data: a\n\n"), -1, { { NULL, NULL, "a" } } },
  { "bom-only-once", BYTES ("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\ndata: b\n\n"), -1,
    { { NULL, NULL, "b" } } },
  { "bom-not-later", BYTES ("data: a\n\n\xEF\xBB\xBF" "data: b\n\n"), -1,
    { { NULL, NULL, "a" } } },
  { "bom-partial", BYTES ("\xEF\xBB" "data: a\n\ndata: b\n\n"), -1, { { NULL, NULL, "b" } } },
  { "bom-partial-line", BYTES ("\xEF\xBB\ndata: a\n\n"), -1, { { NULL, NULL, "a" } } },
  { "bom-then-line-end", BYTES ("\xEF\r\ndata: a\n\n"), -1, { { NULL, NULL, "a" } } },
  { "bom-at-eof", BYTES ("\xEF\xBB"), -1, { { NULL } } },
  { "unterminated-line", BYTES ("data: a"), -1, { { NULL, NULL, "a" } } },
  { "no-blank-line", BYTES ("data: a\n"), -1, { { NULL, NULL, "a" } } },
  { "no-blank-line-after-cr", BYTES ("data: a\r"), -1, { { NULL, NULL, "a" } } },
  { "last-without-blank-line", BYTES ("data: a\n\nevent: e\ndata: b"), -1,
    { { NULL, NULL, "a" }, { "e", NULL, "b" } } },
  { "finish-without-data", BYTES ("data: a\n\nevent: x\n"), -1, { { NULL, NULL, "a" } } },
  { "utf8", BYTES ("data: h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x94\xA5\n\n"), -1,
    { { NULL, NULL, "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x94\xA5" } } },
  { "invalid-utf8", BYTES ("event: \xC3\ndata: a\xFF\n\n"), -1,
    { { "\xEF\xBF\xBD", NULL, "a\xEF\xBF\xBD" } } },
  { "nul-in-data", BYTES ("data: a\0b\n\n"), -1, { { NULL, NULL, "a\xEF\xBF\xBD" "b" } } },
  { "empty", BYTES (""), -1, { { NULL } } },
  { "blank-lines", BYTES ("\n\r\n\r\n"), -1, { { NULL } } },
};

static GPtrArray *
expected_from_table (const Ev *events,
                     guint     max)
{
  GPtrArray *expected = g_ptr_array_new_with_free_func (g_free);
  guint i;

  for (i = 0; i < max && events[i].data != NULL; i++)
    g_ptr_array_add (expected, format_event (events[i].event, events[i].id, events[i].data));

  return expected;
}

static void
test_sse_case (gconstpointer user_data)
{
  const SseCase *sse_case = user_data;
  g_autoptr(GPtrArray) expected = expected_from_table (sse_case->events,
                                                       G_N_ELEMENTS (sse_case->events));

  assert_all_cuts (PARSE_SSE, sse_case->input, sse_case->length, expected, sse_case->retry,
                   TRUE);
}

/* Feeds given one after the other, to pin down the CR-at-the-end-of-a-feed cases and
 * empty feeds in between. */
typedef struct
{
  const char *name;
  const char *feeds[4];   /* up to the first NULL */
  Ev          events[3];
} SequenceCase;

static const SequenceCase sequence_cases[] = {
  { "cr-then-lf", { "data: a\r", "\ndata: b\r", "\n\r\n" }, { { NULL, NULL, "a\nb" } } },
  { "cr-empty-feed-lf", { "data: a\r", "", "\ndata: b\r\n\r\n" }, { { NULL, NULL, "a\nb" } } },
  { "cr-then-cr", { "data: a\r", "\r" }, { { NULL, NULL, "a" } } },
  { "cr-then-text", { "data: a\r", "data: b\r", "\r" }, { { NULL, NULL, "a\nb" } } },
  { "crlf-then-lf", { "data: a\r\n", "\n" }, { { NULL, NULL, "a" } } },
  { "split-utf8", { "data: \xE2", "\x82", "\xAC\n\n" }, { { NULL, NULL, "\xE2\x82\xAC" } } },
  { "split-bom", { "\xEF", "\xBB", "\xBF" "data: a\n\n" }, { { NULL, NULL, "a" } } },
};

static void
test_sse_sequence (gconstpointer user_data)
{
  const SequenceCase *sequence = user_data;
  g_autoptr(KilnSseParser) parser = kiln_sse_parser_new ();
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) expected = expected_from_table (sequence->events,
                                                       G_N_ELEMENTS (sequence->events));
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sequence->feeds) && sequence->feeds[i] != NULL; i++)
    kiln_sse_parser_feed (parser, sequence->feeds[i], strlen (sequence->feeds[i]),
                          collect_event, got);
  kiln_sse_parser_finish (parser, collect_event, got);

  assert_same (got, expected, "in sequence");
}

/* After finish() the parser takes a new stream: a BOM is skipped again, the last id and
 * the retry delay carry over as they would on a reconnection. */
static void
test_sse_reuse (void)
{
  g_autoptr(KilnSseParser) parser = kiln_sse_parser_new ();
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  const char first[] = "retry: 10\nid: 5\ndata: a";
  const char second[] = "\xEF\xBB\xBF" "data: b\n\n";

  kiln_sse_parser_feed (parser, first, strlen (first), collect_event, got);
  kiln_sse_parser_finish (parser, collect_event, got);
  kiln_sse_parser_feed (parser, second, strlen (second), collect_event, got);
  kiln_sse_parser_finish (parser, collect_event, got);
  kiln_sse_parser_finish (parser, collect_event, got);

  g_assert_cmpuint (got->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (got, 0), ==, "-\t5\ta");
  g_assert_cmpstr (g_ptr_array_index (got, 1), ==, "-\t5\tb");
  g_assert_cmpint (kiln_sse_parser_get_retry (parser), ==, 10);
}

/* --- Size limits --- */

/* Feeds @input whole or in 64 KiB pieces */
static GPtrArray *
parse_big (ParseMode   mode,
           const char *input,
           gsize       length,
           gboolean    chunked)
{
  gsize cut_count = chunked ? length / 65536 : 0;
  g_autofree gsize *cuts = g_new0 (gsize, cut_count + 1);
  gsize i;

  for (i = 0; i < cut_count; i++)
    cuts[i] = (i + 1) * 65536;

  return parse_cut (mode, input, length, cuts, cut_count, NULL);
}

static void
test_sse_long_lines (void)
{
  GString *input = g_string_new ("data: ");
  g_autofree char *text = NULL;
  gsize length;
  int chunked;

  /* A line of exactly the limit is kept */
  while (input->len < MAX_LINE)
    g_string_append_c (input, 'x');
  g_string_append (input, "\n\n");

  for (chunked = 0; chunked <= 1; chunked++)
    {
      g_autoptr(GPtrArray) got = parse_big (PARSE_SSE, input->str, input->len, chunked);

      g_assert_cmpuint (got->len, ==, 1);
      g_assert_cmpuint (strlen (g_ptr_array_index (got, 0)), ==, strlen ("-\t-\t") + MAX_LINE - 6);
    }

  /* One byte more and it is dropped, while the stream goes on */
  g_string_truncate (input, MAX_LINE);
  g_string_append (input, "x\ndata: ok\n\ndata: also");
  length = input->len;
  text = g_string_free (input, FALSE);

  for (chunked = 0; chunked <= 1; chunked++)
    {
      g_autoptr(GPtrArray) got = parse_big (PARSE_SSE, text, length, chunked);

      g_assert_cmpuint (got->len, ==, 2);
      g_assert_cmpstr (g_ptr_array_index (got, 0), ==, "-\t-\tok");
      g_assert_cmpstr (g_ptr_array_index (got, 1), ==, "-\t-\talso");
    }

  /* An endless line at the end of the stream */
  for (chunked = 0; chunked <= 1; chunked++)
    {
      g_autoptr(GPtrArray) got = parse_big (PARSE_SSE, text, MAX_LINE + 1, chunked);

      g_assert_cmpuint (got->len, ==, 0);
    }
}

/* Many lines, each short, can still make one huge event: it is dropped past 16 MiB */
static void
test_sse_huge_event (void)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GPtrArray) got = NULL;
  gsize line = 1024 * 1024;
  guint i;

  for (i = 0; i < 17; i++)
    {
      g_string_append (input, "data: ");
      while (input->len % line != 0)
        g_string_append_c (input, 'y');
      g_string_append_c (input, '\n');
    }
  g_string_append (input, "\ndata: next\n\n");

  got = parse_big (PARSE_SSE, input->str, input->len, TRUE);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (got, 0), ==, "-\t-\tnext");
}

static void
test_lines_long_lines (void)
{
  g_autofree char *text = g_malloc (MAX_LINE + 16);
  int chunked;

  memset (text, 'z', MAX_LINE + 1);
  memcpy (text + MAX_LINE + 1, "\nok\n", 4);

  /* MAX_LINE + 1 bytes: dropped */
  for (chunked = 0; chunked <= 1; chunked++)
    {
      g_autoptr(GPtrArray) got = parse_big (PARSE_LINES, text, MAX_LINE + 5, chunked);

      g_assert_cmpuint (got->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (got, 0), ==, "ok");
    }

  /* MAX_LINE bytes: kept */
  for (chunked = 0; chunked <= 1; chunked++)
    {
      g_autoptr(GPtrArray) got = parse_big (PARSE_LINES, text + 1, MAX_LINE + 4, chunked);

      g_assert_cmpuint (got->len, ==, 2);
      g_assert_cmpuint (strlen (g_ptr_array_index (got, 0)), ==, MAX_LINE);
    }
}

/* --- Line splitter edge cases --- */

typedef struct
{
  const char *name;
  const char *input;
  gsize       length;
  const char *lines[4];  /* up to the first NULL */
} LineCase;

static const LineCase line_cases[] = {
  { "lf", BYTES ("a\nb\n"), { "a", "b" } },
  { "crlf", BYTES ("a\r\nb\r\n"), { "a", "b" } },
  { "lone-cr", BYTES ("a\rb\r"), { "a", "b" } },
  { "mixed", BYTES ("a\r\nb\rc\nd"), { "a", "b", "c", "d" } },
  { "empty-lines-skipped", BYTES ("\n\na\r\n\r\n\rb\r\r\n"), { "a", "b" } },
  { "only-endings", BYTES ("\n\r\n\r"), { NULL } },
  { "blank-is-not-empty", BYTES ("  \n"), { "  " } },
  { "unterminated", BYTES ("{\"k\":1}"), { "{\"k\":1}" } },
  { "utf8", BYTES ("\xE2\x9C\x93\n\xF0\x9F\x94\xA5"), { "\xE2\x9C\x93", "\xF0\x9F\x94\xA5" } },
  { "empty", BYTES (""), { NULL } },
};

static void
test_line_case (gconstpointer user_data)
{
  const LineCase *line_case = user_data;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (line_case->lines) && line_case->lines[i] != NULL; i++)
    g_ptr_array_add (expected, g_strdup (line_case->lines[i]));

  assert_all_cuts (PARSE_LINES, line_case->input, line_case->length, expected, -1, TRUE);
}

static void
test_lines_cr_across_feeds (void)
{
  g_autoptr(KilnLineSplitter) splitter = kiln_line_splitter_new ();
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);

  kiln_line_splitter_feed (splitter, "a\r", 2, collect_line, got);
  g_assert_cmpuint (got->len, ==, 1);
  kiln_line_splitter_feed (splitter, "", 0, collect_line, got);
  kiln_line_splitter_feed (splitter, "\nb\r", 3, collect_line, got);
  kiln_line_splitter_feed (splitter, "c", 1, collect_line, got);
  kiln_line_splitter_finish (splitter, collect_line, got);

  g_assert_cmpuint (got->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (got, 0), ==, "a");
  g_assert_cmpstr (g_ptr_array_index (got, 1), ==, "b");
  g_assert_cmpstr (g_ptr_array_index (got, 2), ==, "c");
}

/* --- Speed --- */

static void
count_event (const char *event,
             const char *data,
             const char *id,
             gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
count_line (const char *line,
            gsize       length,
            gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* No timing assertion (machines differ): this must simply finish quickly. */
static void
test_many_events (void)
{
  g_autoptr(GString) sse = g_string_new (NULL);
  g_autoptr(GString) ndjson = g_string_new (NULL);
  g_autoptr(KilnSseParser) parser = kiln_sse_parser_new ();
  g_autoptr(KilnLineSplitter) splitter = kiln_line_splitter_new ();
  guint n_events = 0;
  guint n_lines = 0;
  gint64 start;
  gsize offset;
  guint i;

  for (i = 0; i < 100000; i++)
    {
      g_string_append_printf (sse,
                              "data: {\"choices\":[{\"delta\":{\"content\":\"t%u\"}}]}\r\n\r\n",
                              i);
      g_string_append_printf (ndjson, "{\"message\":{\"content\":\"t%u\"},\"done\":false}\n", i);
    }

  start = g_get_monotonic_time ();
  for (offset = 0; offset < sse->len; offset += 4096)
    kiln_sse_parser_feed (parser, sse->str + offset, MIN (4096, sse->len - offset),
                          count_event, &n_events);
  kiln_sse_parser_finish (parser, count_event, &n_events);
  g_test_message ("SSE: %u events, %" G_GSIZE_FORMAT " bytes in 4 KiB feeds: %.1f ms",
                  n_events, sse->len, (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (n_events, ==, 100000);

  start = g_get_monotonic_time ();
  for (offset = 0; offset < ndjson->len; offset += 4096)
    kiln_line_splitter_feed (splitter, ndjson->str + offset, MIN (4096, ndjson->len - offset),
                             count_line, &n_lines);
  kiln_line_splitter_finish (splitter, count_line, &n_lines);
  g_test_message ("NDJSON: %u lines, %" G_GSIZE_FORMAT " bytes in 4 KiB feeds: %.1f ms",
                  n_lines, ndjson->len, (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (n_lines, ==, 100000);
}

int
main (int   argc,
      char *argv[])
{
  static const char *fixtures[] = {
    "openai-chat.sse",
    "anthropic-messages.sse",
    "tgi-generate.sse",
    "llamacpp-crlf.sse",
    "bom-comments.sse",
    "ollama-chat.ndjson",
  };
  guint i;

  g_test_init (&argc, &argv, NULL);

  for (i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *path = g_strconcat ("/sse-parser/fixture/", fixtures[i], NULL);

      g_test_add_data_func (path, fixtures[i], test_fixture);
    }

  for (i = 0; i < G_N_ELEMENTS (sse_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/sse-parser/case/", sse_cases[i].name, NULL);

      g_test_add_data_func (path, &sse_cases[i], test_sse_case);
    }

  for (i = 0; i < G_N_ELEMENTS (sequence_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/sse-parser/sequence/", sequence_cases[i].name,
                                           NULL);

      g_test_add_data_func (path, &sequence_cases[i], test_sse_sequence);
    }

  for (i = 0; i < G_N_ELEMENTS (line_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/line-splitter/case/", line_cases[i].name, NULL);

      g_test_add_data_func (path, &line_cases[i], test_line_case);
    }

  g_test_add_func ("/sse-parser/reuse", test_sse_reuse);
  g_test_add_func ("/sse-parser/long-lines", test_sse_long_lines);
  g_test_add_func ("/sse-parser/huge-event", test_sse_huge_event);
  g_test_add_func ("/line-splitter/cr-across-feeds", test_lines_cr_across_feeds);
  g_test_add_func ("/line-splitter/long-lines", test_lines_long_lines);
  g_test_add_func ("/stream-parsers/many-events", test_many_events);

  return g_test_run ();
}

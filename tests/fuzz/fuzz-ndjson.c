/* fuzz-ndjson.c: the line splitter, against a plain reference splitter
 *
 * Input: a control byte (how to cut, see kiln-fuzz.h), then the stream. Invariants: the
 * lines are the input's non-empty lines (LF, CRLF or lone CR ended) whatever the feeds,
 * each NUL-terminated and without line breaks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-fuzz.h"
#include "kiln-sse-parser.h"

static void
collect (const char *line,
         gsize       length,
         gpointer    user_data)
{
  GPtrArray *lines = user_data;

  kiln_fuzz_check (length > 0);
  kiln_fuzz_check (line[length] == '\0');
  kiln_fuzz_check (memchr (line, '\n', length) == NULL);
  kiln_fuzz_check (memchr (line, '\r', length) == NULL);

  g_ptr_array_add (lines, g_bytes_new (line, length));
}

/* What the splitter should give, the slow and obvious way */
static GPtrArray *
reference_lines (const char *text,
                 gsize       length)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize start = 0;

  for (gsize i = 0; i <= length; i++)
    {
      if (i < length && text[i] != '\n' && text[i] != '\r')
        continue;

      if (i > start)
        g_ptr_array_add (lines, g_bytes_new (text + start, i - start));
      if (i + 1 < length && text[i] == '\r' && text[i + 1] == '\n')
        i++;
      start = i + 1;
    }

  return lines;
}

static void
check_same (GPtrArray *a,
            GPtrArray *b)
{
  kiln_fuzz_check (a->len == b->len);
  for (guint i = 0; i < a->len; i++)
    kiln_fuzz_check (g_bytes_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)));
}

void
kiln_fuzz_ndjson (const uint8_t *data,
                  size_t         size)
{
  g_autoptr(KilnLineSplitter) splitter = kiln_line_splitter_new ();
  g_autoptr(GPtrArray) whole = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) split = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) expected = NULL;
  KilnFuzzCutter cutter;
  const char *stream = (const char *) data + 1;
  gsize length;
  gsize offset = 0;

  if (size == 0)
    return;
  length = size - 1;
  kiln_fuzz_cutter_init (&cutter, data[0]);

  kiln_line_splitter_feed (splitter, stream, length, collect, whole);
  kiln_line_splitter_finish (splitter, collect, whole);

  /* The same splitter again: finish made it ready for another stream */
  while (offset < length)
    {
      gsize piece = kiln_fuzz_cutter_next (&cutter, length - offset);
      g_autofree char *copy = kiln_fuzz_copy (stream + offset, piece, FALSE);

      kiln_line_splitter_feed (splitter, copy, piece, collect, split);
      offset += piece;
    }
  kiln_line_splitter_finish (splitter, collect, split);

  expected = reference_lines (stream, length);
  check_same (expected, whole);
  check_same (expected, split);
}

KILN_FUZZ_DEFINE_MAIN (kiln_fuzz_ndjson)

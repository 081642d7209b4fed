/* fuzz-sse.c: the Server-Sent Events parser, fed whole and in pieces
 *
 * Input: a control byte (how to cut, see kiln-fuzz.h), then the stream. Invariants: the
 * events do not depend on where the feeds end; every field is valid UTF-8 without line
 * breaks (data: without "\r"); a parser reused after finish gives the same events again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-fuzz.h"
#include "kiln-sse-parser.h"

typedef struct
{
  char *event;
  char *data;
  char *id;
} Event;

static void
event_free (gpointer data)
{
  Event *event = data;

  g_free (event->event);
  g_free (event->data);
  g_free (event->id);
  g_free (event);
}

static void
check_field (const char *text,
             gboolean    may_hold_lf)
{
  kiln_fuzz_check (g_utf8_validate (text, -1, NULL));
  kiln_fuzz_check (strchr (text, '\r') == NULL);
  kiln_fuzz_check (may_hold_lf || strchr (text, '\n') == NULL);
}

static void
collect (const char *event_name,
         const char *data,
         const char *id,
         gpointer    user_data)
{
  GPtrArray *events = user_data;
  Event *event = g_new0 (Event, 1);

  kiln_fuzz_check (data != NULL);
  check_field (data, TRUE);
  if (event_name != NULL)
    {
      kiln_fuzz_check (*event_name != '\0');
      check_field (event_name, FALSE);
    }
  if (id != NULL)
    {
      kiln_fuzz_check (*id != '\0');
      check_field (id, FALSE);
    }

  event->event = g_strdup (event_name);
  event->data = g_strdup (data);
  event->id = g_strdup (id);
  g_ptr_array_add (events, event);
}

static void
check_same (GPtrArray *a,
            GPtrArray *b,
            gboolean   compare_ids)
{
  kiln_fuzz_check (a->len == b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const Event *x = g_ptr_array_index (a, i);
      const Event *y = g_ptr_array_index (b, i);

      kiln_fuzz_check (g_strcmp0 (x->event, y->event) == 0);
      kiln_fuzz_check (strcmp (x->data, y->data) == 0);
      kiln_fuzz_check (!compare_ids || g_strcmp0 (x->id, y->id) == 0);
    }
}

void
kiln_fuzz_sse (const uint8_t *data,
               size_t         size)
{
  g_autoptr(KilnSseParser) whole = NULL;
  g_autoptr(KilnSseParser) split = NULL;
  g_autoptr(GPtrArray) whole_events = g_ptr_array_new_with_free_func (event_free);
  g_autoptr(GPtrArray) split_events = g_ptr_array_new_with_free_func (event_free);
  g_autoptr(GPtrArray) again_events = g_ptr_array_new_with_free_func (event_free);
  KilnFuzzCutter cutter;
  const char *stream = (const char *) data + 1;
  gsize length;
  gsize offset = 0;

  if (size == 0)
    return;
  length = size - 1;
  kiln_fuzz_cutter_init (&cutter, data[0]);

  /* Whole: straight from libFuzzer's buffer, which ends where the input does */
  whole = kiln_sse_parser_new ();
  kiln_sse_parser_feed (whole, stream, length, collect, whole_events);
  kiln_sse_parser_finish (whole, collect, whole_events);

  /* In pieces, each in a buffer of its own size */
  split = kiln_sse_parser_new ();
  while (offset < length)
    {
      gsize piece = kiln_fuzz_cutter_next (&cutter, length - offset);
      g_autofree char *copy = kiln_fuzz_copy (stream + offset, piece, FALSE);

      kiln_sse_parser_feed (split, copy, piece, collect, split_events);
      offset += piece;
    }
  kiln_sse_parser_finish (split, collect, split_events);

  check_same (whole_events, split_events, TRUE);
  kiln_fuzz_check (kiln_sse_parser_get_retry (whole) == kiln_sse_parser_get_retry (split));

  /* The next stream on the same parser: the last id carries over, nothing else does */
  kiln_sse_parser_feed (whole, stream, length, collect, again_events);
  kiln_sse_parser_finish (whole, collect, again_events);
  check_same (whole_events, again_events, FALSE);
}

KILN_FUZZ_DEFINE_MAIN (kiln_fuzz_sse)

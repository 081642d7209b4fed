/* kiln-sse-parser.c: incremental Server-Sent Events and line parsers (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-sse-parser.h"

/* A hostile or broken server could stream one endless line; past this it is dropped. */
#define MAX_LINE_LENGTH (16 * 1024 * 1024)
/* The same bound for the data of one event, which may be spread over many lines. */
#define MAX_DATA_LENGTH (16 * 1024 * 1024)

typedef void (*LineFunc) (const char *line,
                          gsize       length,
                          gpointer    user_data);

/* The line-ending machinery both parsers share.
 *
 * Each feed is scanned once. Only the unterminated tail of a feed is kept (in @partial),
 * so complete lines are never moved around and the cost stays linear in the input. A line
 * is handed out NUL-terminated from @partial, which is reused from line to line; unless
 * @in_place: then a line that arrived whole in one feed is handed out from the feed itself,
 * not terminated. */
typedef struct
{
  GByteArray *partial;
  gboolean    in_place;
  /* The last feed ended with a CR: a LF at the start of the next one belongs to it. */
  gboolean    skip_lf;
  /* The current line went past MAX_LINE_LENGTH: its bytes are dropped up to its end. */
  gboolean    overflow;
} LineReader;

static void
line_reader_init (LineReader *self,
                  gboolean    in_place)
{
  self->partial = g_byte_array_new ();
  self->in_place = in_place;
  self->skip_lf = FALSE;
  self->overflow = FALSE;
}

static void
line_reader_clear (LineReader *self)
{
  g_clear_pointer (&self->partial, g_byte_array_unref);
}

static void
line_reader_drop (LineReader *self)
{
  g_debug ("Dropping a stream line longer than %d bytes", MAX_LINE_LENGTH);
  self->overflow = TRUE;
  /* Give the memory back rather than keep 16 MiB around for the rest of the stream */
  g_byte_array_unref (self->partial);
  self->partial = g_byte_array_new ();
}

/* Adds the bytes of a line whose end has not been seen yet. */
static void
line_reader_append (LineReader *self,
                    const char *bytes,
                    gsize       length)
{
  if (self->overflow || length == 0)
    return;

  if (length > MAX_LINE_LENGTH - self->partial->len)
    {
      line_reader_drop (self);
      return;
    }

  g_byte_array_append (self->partial, (const guint8 *) bytes, length);
}

/* Ends the current line with its last @length bytes and hands it to @func. */
static void
line_reader_end_line (LineReader *self,
                      const char *bytes,
                      gsize       length,
                      LineFunc    func,
                      gpointer    user_data)
{
  gsize line_length;

  if (self->in_place && self->partial->len == 0 && !self->overflow &&
      length <= MAX_LINE_LENGTH)
    {
      func (bytes, length, user_data);
      return;
    }

  line_reader_append (self, bytes, length);

  if (self->overflow)
    {
      self->overflow = FALSE;
      return;
    }

  line_length = self->partial->len;
  g_byte_array_append (self->partial, (const guint8 *) "", 1);
  func ((const char *) self->partial->data, line_length, user_data);
  g_byte_array_set_size (self->partial, 0);
}

static void
line_reader_feed (LineReader *self,
                  const char *data,
                  gsize       length,
                  LineFunc    func,
                  gpointer    user_data)
{
  gsize start = 0;
  const char *lf = NULL;
  gsize i;

  if (length == 0)
    return;

  if (self->skip_lf)
    {
      self->skip_lf = FALSE;
      if (data[0] == '\n')
        start = 1;
    }

  /* memchr() for both endings; each byte is looked at at most once for each */
  for (i = start; i < length; i++)
    {
      const char *cr;
      char c;

      if (lf != NULL && lf < data + i)
        lf = NULL;
      if (lf == NULL && (lf = memchr (data + i, '\n', length - i)) == NULL)
        lf = data + length;
      cr = memchr (data + i, '\r', lf - (data + i));
      if (cr != NULL)
        i = cr - data;
      else if (lf < data + length)
        i = lf - data;
      else
        break;

      c = data[i];
      line_reader_end_line (self, data + start, i - start, func, user_data);

      if (c == '\r')
        {
          if (i + 1 == length)
            self->skip_lf = TRUE;
          else if (data[i + 1] == '\n')
            i++;
        }

      start = i + 1;
    }

  line_reader_append (self, data + start, length - start);
}

/* At end of stream: the last line may have no ending. The reader is ready for a new
 * stream afterwards. */
static void
line_reader_finish (LineReader *self,
                    LineFunc    func,
                    gpointer    user_data)
{
  if (self->overflow || self->partial->len > 0)
    line_reader_end_line (self, NULL, 0, func, user_data);

  self->overflow = FALSE;
  self->skip_lf = FALSE;
}

/* --- Server-Sent Events --- */

static const guint8 utf8_bom[] = { 0xEF, 0xBB, 0xBF };

struct _KilnSseParser
{
  LineReader  reader;

  /* How many bytes of a BOM the stream started with so far; G_N_ELEMENTS (utf8_bom) + 1
   * once the start of the stream is behind us. */
  guint       bom_matched;

  char       *event_name;    /* NULL or non-empty */
  GString    *data;          /* each data line followed by "\n" */
  gboolean    has_data;      /* at least one data field since the last dispatch */
  gboolean    data_overflow; /* the event's data went past MAX_DATA_LENGTH */
  char       *last_id;       /* NULL or non-empty */
  gint64      retry;

  /* The callback of the feed() or finish() in progress */
  KilnSseEventFunc func;
  gpointer         user_data;
};

#define BOM_DONE (G_N_ELEMENTS (utf8_bom) + 1)

KilnSseParser *
kiln_sse_parser_new (void)
{
  KilnSseParser *self = g_new0 (KilnSseParser, 1);

  line_reader_init (&self->reader, TRUE);
  self->data = g_string_new (NULL);
  self->retry = -1;

  return self;
}

void
kiln_sse_parser_free (KilnSseParser *self)
{
  if (self == NULL)
    return;

  line_reader_clear (&self->reader);
  g_string_free (self->data, TRUE);
  g_free (self->event_name);
  g_free (self->last_id);
  g_free (self);
}

gint64
kiln_sse_parser_get_retry (KilnSseParser *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->retry;
}

static void
reset_event (KilnSseParser *self)
{
  g_clear_pointer (&self->event_name, g_free);
  g_string_truncate (self->data, 0);
  self->has_data = FALSE;
  self->data_overflow = FALSE;
}

static void
dispatch (KilnSseParser *self)
{
  if (!self->has_data)
    {
      /* Per the spec an event without data is not dispatched, but its name is still reset */
      reset_event (self);
      return;
    }

  if (self->data_overflow)
    {
      g_debug ("Dropping a stream event with more than %d bytes of data", MAX_DATA_LENGTH);
      reset_event (self);
      return;
    }

  /* Drop the "\n" that follows the last data line */
  g_string_truncate (self->data, self->data->len - 1);
  self->func (self->event_name, self->data->str, self->last_id, self->user_data);
  reset_event (self);
}

/* g_utf8_validate_len(), with a quick pass over the plain ASCII most streams are made of:
 * eight bytes at a time while none is 0 or past 0x7F. */
static gboolean
utf8_validate (const char *text,
               gsize       length)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  gsize i = 0;

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, 8);
      if (((word - ones) | word) & highs)
        break;
    }

  return g_utf8_validate_len (text + i, length - i, NULL);
}

/* Returns a copy of @value as valid UTF-8: the stream is meant to be UTF-8, and whatever is
 * not (or is a NUL, which a C string cannot hold) becomes U+FFFD. */
static char *
dup_valid_utf8 (const char *value,
                gsize       length)
{
  if (utf8_validate (value, length))
    return g_strndup (value, length);

  return g_utf8_make_valid (value, length);
}

static void
set_retry (KilnSseParser *self,
           const char    *value,
           gsize          length)
{
  gint64 retry = 0;
  gsize i;

  if (length == 0)
    return;

  for (i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (value[i]))
        return;

      /* Saturate rather than wrap on absurd values */
      if (retry > (G_MAXINT64 - 9) / 10)
        retry = G_MAXINT64;
      else
        retry = retry * 10 + (value[i] - '0');
    }

  self->retry = retry;
}

static gboolean
field_is (const char *field,
          gsize       field_length,
          const char *name)
{
  return strlen (name) == field_length && memcmp (field, name, field_length) == 0;
}

static void
sse_process_line (const char *line,
                  gsize       length,
                  gpointer    user_data)
{
  KilnSseParser *self = user_data;
  const char *colon;
  const char *value;
  gsize field_length;
  gsize value_length;

  if (length == 0)
    {
      dispatch (self);
      return;
    }

  if (line[0] == ':')
    return;

  colon = memchr (line, ':', length);
  if (colon != NULL)
    {
      field_length = colon - line;
      value = colon + 1;
      value_length = length - field_length - 1;
      if (value_length > 0 && value[0] == ' ')
        {
          value++;
          value_length--;
        }
    }
  else
    {
      field_length = length;
      value = line + length;
      value_length = 0;
    }

  if (field_is (line, field_length, "data"))
    {
      self->has_data = TRUE;
      if (self->data_overflow)
        return;

      if (utf8_validate (value, value_length))
        {
          g_string_append_len (self->data, value, value_length);
        }
      else
        {
          g_autofree char *valid = g_utf8_make_valid (value, value_length);

          g_string_append (self->data, valid);
        }
      g_string_append_c (self->data, '\n');

      if (self->data->len > MAX_DATA_LENGTH)
        {
          self->data_overflow = TRUE;
          g_string_free (self->data, TRUE);
          self->data = g_string_new (NULL);
        }
    }
  else if (field_is (line, field_length, "event"))
    {
      g_clear_pointer (&self->event_name, g_free);
      if (value_length > 0)
        self->event_name = dup_valid_utf8 (value, value_length);
    }
  else if (field_is (line, field_length, "id"))
    {
      /* The spec ignores an id holding a NUL; an empty one clears the last id */
      if (memchr (value, '\0', value_length) != NULL)
        return;

      g_clear_pointer (&self->last_id, g_free);
      if (value_length > 0)
        self->last_id = dup_valid_utf8 (value, value_length);
    }
  else if (field_is (line, field_length, "retry"))
    {
      set_retry (self, value, value_length);
    }
  /* Any other field is ignored, as the spec asks */
}

/* Skips a UTF-8 BOM at the very start of the stream, even when it comes in pieces.
 * Returns how many bytes of @data were consumed. */
static gsize
skip_bom (KilnSseParser *self,
          const char    *data,
          gsize          length)
{
  gsize consumed = 0;

  while (self->bom_matched < G_N_ELEMENTS (utf8_bom) && consumed < length)
    {
      if ((guint8) data[consumed] != utf8_bom[self->bom_matched])
        {
          /* Not a BOM after all: the bytes held so far are the start of the first line
           * (none of them is a line ending) */
          line_reader_append (&self->reader, (const char *) utf8_bom, self->bom_matched);
          self->bom_matched = BOM_DONE;
          return consumed;
        }

      self->bom_matched++;
      consumed++;
    }

  if (self->bom_matched == G_N_ELEMENTS (utf8_bom))
    self->bom_matched = BOM_DONE;

  return consumed;
}

void
kiln_sse_parser_feed (KilnSseParser    *self,
                      const char       *data,
                      gsize             length,
                      KilnSseEventFunc  func,
                      gpointer          user_data)
{
  gsize skipped = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || length == 0);
  g_return_if_fail (func != NULL);

  if (self->bom_matched != BOM_DONE)
    skipped = skip_bom (self, data, length);

  self->func = func;
  self->user_data = user_data;
  line_reader_feed (&self->reader, data + skipped, length - skipped,
                    sse_process_line, self);
  self->func = NULL;
  self->user_data = NULL;
}

void
kiln_sse_parser_finish (KilnSseParser    *self,
                        KilnSseEventFunc  func,
                        gpointer          user_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (func != NULL);

  /* A stream that was nothing but the start of a BOM */
  if (self->bom_matched != BOM_DONE)
    line_reader_append (&self->reader, (const char *) utf8_bom, self->bom_matched);

  self->func = func;
  self->user_data = user_data;
  line_reader_finish (&self->reader, sse_process_line, self);

  /* More lenient than the spec, which drops an event with no blank line after it: some
   * servers (TGI, a few proxies) end the stream right after the last data line. */
  dispatch (self);

  self->func = NULL;
  self->user_data = NULL;

  /* Ready for the next stream; the last id and the retry delay carry over, as they would
   * on a reconnection. */
  self->bom_matched = 0;
}

/* --- Newline-delimited lines --- */

struct _KilnLineSplitter
{
  LineReader    reader;

  KilnLineFunc  func;
  gpointer      user_data;
};

KilnLineSplitter *
kiln_line_splitter_new (void)
{
  KilnLineSplitter *self = g_new0 (KilnLineSplitter, 1);

  line_reader_init (&self->reader, FALSE);

  return self;
}

void
kiln_line_splitter_free (KilnLineSplitter *self)
{
  if (self == NULL)
    return;

  line_reader_clear (&self->reader);
  g_free (self);
}

static void
splitter_process_line (const char *line,
                       gsize       length,
                       gpointer    user_data)
{
  KilnLineSplitter *self = user_data;

  if (length > 0)
    self->func (line, length, self->user_data);
}

/* The line passed to @func is NUL-terminated (line[length] == '\0'). */
void
kiln_line_splitter_feed (KilnLineSplitter *self,
                         const char       *data,
                         gsize             length,
                         KilnLineFunc      func,
                         gpointer          user_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || length == 0);
  g_return_if_fail (func != NULL);

  self->func = func;
  self->user_data = user_data;
  line_reader_feed (&self->reader, data, length, splitter_process_line, self);
  self->func = NULL;
  self->user_data = NULL;
}

void
kiln_line_splitter_finish (KilnLineSplitter *self,
                           KilnLineFunc      func,
                           gpointer          user_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (func != NULL);

  self->func = func;
  self->user_data = user_data;
  line_reader_finish (&self->reader, splitter_process_line, self);
  self->func = NULL;
  self->user_data = NULL;
}

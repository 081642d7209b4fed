/* kiln-json-scan.c: a one-pass JSON validator that picks out a few known values without
 * building a tree
 *
 * Streaming providers send one small JSON document per token; building a JsonNode tree for
 * each costs far more than the network does. This scan walks the text once with a fixed
 * stack and copies out only the strings the caller asked for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-json-scan.h"

typedef struct
{
  gboolean             is_object;
  const KilnJsonField *fields;   /* what it may hold; NULL: not watched */
  gint                 slot;     /* where the container itself is kept, or -1 */
  guint                index;    /* arrays: the next element's index */
} Frame;

typedef struct
{
  const guchar  *p;
  const guchar  *end;
  KilnJsonValue *out;
  guint          n_out;
} Scan;

/* Characters a string holds as they are: not '"', '\\', control characters or non-ASCII */
static const guint8 plain_char[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x00 */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x20: '"' */
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x40 */
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,  /* 0x50: '\\' */
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x60 */
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  /* 0x80 to 0xFF: all 0 */
};

static inline void
skip_space (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
    s->p++;
}

/* The length of the UTF-8 sequence at @p (whose first byte is not ASCII), 0 when it is not
 * one: overlong forms, surrogates and code points past U+10FFFF are refused, as
 * g_utf8_validate() refuses them. */
static guint
utf8_sequence (const guchar *p,
               const guchar *end)
{
  guchar c = p[0];
  guchar low = 0x80;
  guchar high = 0xBF;
  guint length;

  if (c >= 0xC2 && c <= 0xDF)
    length = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    {
      length = 3;
      if (c == 0xE0)
        low = 0xA0;
      else if (c == 0xED)
        high = 0x9F;
    }
  else if (c >= 0xF0 && c <= 0xF4)
    {
      length = 4;
      if (c == 0xF0)
        low = 0x90;
      else if (c == 0xF4)
        high = 0x8F;
    }
  else
    return 0;

  if ((gsize) (end - p) < length || p[1] < low || p[1] > high)
    return 0;
  for (guint i = 2; i < length; i++)
    {
      if (p[i] < 0x80 || p[i] > 0xBF)
        return 0;
    }

  return length;
}

/* Four hex digits at @p, or -1. */
static gint
hex4 (const guchar *p)
{
  gint value = 0;

  for (guint i = 0; i < 4; i++)
    {
      gint digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

/* The "\uXXXX" escape (and its low surrogate) after the backslash at s->p. */
static gboolean
scan_unicode_escape (Scan    *s,
                     GString *into)
{
  gint unit;
  gunichar c;

  if (s->end - s->p < 6 || (unit = hex4 (s->p + 2)) < 0)
    return FALSE;
  s->p += 6;

  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return FALSE;

  if (unit >= 0xD800 && unit <= 0xDBFF)
    {
      gint low;

      if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' ||
          (low = hex4 (s->p + 2)) < 0xDC00 || low > 0xDFFF)
        return FALSE;
      s->p += 6;
      c = 0x10000 + (((gunichar) unit - 0xD800) << 10) + ((gunichar) low - 0xDC00);
    }
  else
    c = (gunichar) unit;

  if (into != NULL)
    g_string_append_unichar (into, c);

  return TRUE;
}

/* Reads the string whose opening quote is at s->p, and moves past its closing quote.
 * Appends its text to @into unless NULL. */
static gboolean
scan_string (Scan     *s,
             GString  *into,
             gboolean *escaped)
{
  const guchar *run;

  s->p++;
  run = s->p;

  for (;;)
    {
      guchar c;

      while (s->p < s->end && plain_char[*s->p])
        s->p++;

      if (s->p == s->end)
        return FALSE;

      c = *s->p;
      if (c == '"')
        break;

      if (c >= 0x80)
        {
          guint length = utf8_sequence (s->p, s->end);

          if (length == 0)
            return FALSE;
          s->p += length;
          continue;
        }

      if (c < 0x20)
        return FALSE;

      /* a backslash: what came before it goes out as it is */
      if (into != NULL)
        g_string_append_len (into, (const char *) run, s->p - run);
      *escaped = TRUE;

      if (s->end - s->p < 2)
        return FALSE;

      switch (s->p[1])
        {
        case '"':  c = '"';  break;
        case '\\': c = '\\'; break;
        case '/':  c = '/';  break;
        case 'b':  c = '\b'; break;
        case 'f':  c = '\f'; break;
        case 'n':  c = '\n'; break;
        case 'r':  c = '\r'; break;
        case 't':  c = '\t'; break;
        case 'u':  c = 0;    break;
        default:
          return FALSE;
        }

      if (c == 0)
        {
          if (!scan_unicode_escape (s, into))
            return FALSE;
        }
      else
        {
          if (into != NULL)
            g_string_append_c (into, c);
          s->p += 2;
        }

      run = s->p;
    }

  if (into != NULL)
    g_string_append_len (into, (const char *) run, s->p - run);
  s->p++;

  return TRUE;
}

static gboolean
scan_digits (Scan *s)
{
  const guchar *start = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;

  return s->p > start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static gboolean
scan_number (Scan *s)
{
  if (*s->p == '-')
    s->p++;

  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!scan_digits (s))
    return FALSE;

  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (!scan_digits (s))
        return FALSE;
    }

  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (!scan_digits (s))
        return FALSE;
    }

  return TRUE;
}

static gboolean
scan_literal (Scan       *s,
              const char *word,
              gsize       length)
{
  if ((gsize) (s->end - s->p) < length || memcmp (s->p, word, length) != 0)
    return FALSE;

  s->p += length;
  return TRUE;
}

/* Moves to the next child of @frame: past a member's name and colon, or to an element.
 * Sets where the child is kept (-1: nowhere) and what it may hold (NULL: anything). */
static KilnJsonScanResult
begin_child (Scan                 *s,
             Frame                *frame,
             gint                 *slot,
             const KilnJsonField **fields)
{
  const char *name = NULL;
  gsize name_length = 0;
  gboolean escaped = FALSE;
  char digits[16];

  if (frame->is_object)
    {
      if (s->p == s->end || *s->p != '"')
        return KILN_JSON_SCAN_INVALID;
      name = (const char *) s->p + 1;
      if (!scan_string (s, NULL, &escaped))
        return KILN_JSON_SCAN_INVALID;
      name_length = (const char *) s->p - 1 - name;
      skip_space (s);
      if (s->p == s->end || *s->p != ':')
        return KILN_JSON_SCAN_INVALID;
      s->p++;
      skip_space (s);
    }
  else if (frame->fields != NULL)
    {
      guint index = frame->index++;
      char *d = digits + sizeof digits;

      do
        {
          *--d = '0' + index % 10;
          index /= 10;
        }
      while (index > 0);
      name = d;
      name_length = digits + sizeof digits - d;
    }

  *slot = -1;
  *fields = NULL;
  if (frame->fields == NULL)
    return KILN_JSON_SCAN_OK;

  if (escaped)
    return KILN_JSON_SCAN_OTHER;

  for (const KilnJsonField *field = frame->fields; field->name != NULL; field++)
    {
      if (field->length != name_length || memcmp (field->name, name, name_length) != 0)
        continue;

      *fields = field->fields;
      *slot = field->slot;
      if (field->slot < 0)
        return KILN_JSON_SCAN_OK;

      g_assert ((guint) field->slot < s->n_out);
      return s->out[field->slot].type == KILN_JSON_NONE ? KILN_JSON_SCAN_OK
                                                         : KILN_JSON_SCAN_OTHER;
    }

  return KILN_JSON_SCAN_OTHER;
}

KilnJsonScanResult
kiln_json_scan (const char          *json,
                gsize                length,
                const KilnJsonField *fields,
                KilnJsonValue       *out,
                guint                n_out)
{
  Frame stack[KILN_JSON_SCAN_MAX_DEPTH];
  guint depth = 0;
  Scan s;
  gint target = -1;
  KilnJsonScanResult result;

  g_return_val_if_fail (json != NULL || length == 0, KILN_JSON_SCAN_INVALID);
  g_return_val_if_fail (out != NULL || n_out == 0, KILN_JSON_SCAN_INVALID);

  s.p = (const guchar *) json;
  s.end = s.p + length;
  s.out = out;
  s.n_out = n_out;

  for (guint i = 0; i < n_out; i++)
    {
      out[i].type = KILN_JSON_NONE;
      out[i].raw = NULL;
      out[i].raw_length = 0;
    }

  skip_space (&s);

  for (;;)
    {
      const guchar *start = s.p;
      KilnJsonType type;

      /* --- a value starts here: kept in @target, may hold @fields --- */
      if (s.p == s.end)
        return KILN_JSON_SCAN_INVALID;

      switch (*s.p)
        {
        case '{':
        case '[':
          {
            Frame *frame;

            if (depth == KILN_JSON_SCAN_MAX_DEPTH)
              return KILN_JSON_SCAN_INVALID;

            frame = &stack[depth++];
            frame->is_object = *s.p == '{';
            frame->fields = fields;
            frame->slot = target;
            frame->index = 0;
            if (target >= 0)
              {
                out[target].type = frame->is_object ? KILN_JSON_OBJECT : KILN_JSON_ARRAY;
                out[target].raw = (const char *) start;
              }

            s.p++;
            skip_space (&s);
            if (s.p < s.end && *s.p == (frame->is_object ? '}' : ']'))
              {
                /* empty: recorded and closed at once */
                s.p++;
                if (target >= 0)
                  out[target].raw_length = s.p - start;
                depth--;
                type = KILN_JSON_NONE;
              }
            else
              {
                result = begin_child (&s, frame, &target, &fields);
                if (result != KILN_JSON_SCAN_OK)
                  return result;
                continue;
              }
          }
          break;

        case '"':
          {
            gboolean escaped = FALSE;
            GString *into = target >= 0 ? out[target].string : NULL;

            if (!scan_string (&s, into, &escaped))
              return KILN_JSON_SCAN_INVALID;
            type = KILN_JSON_STRING;
          }
          break;

        case 't':
          if (!scan_literal (&s, "true", 4))
            return KILN_JSON_SCAN_INVALID;
          type = KILN_JSON_TRUE;
          break;

        case 'f':
          if (!scan_literal (&s, "false", 5))
            return KILN_JSON_SCAN_INVALID;
          type = KILN_JSON_FALSE;
          break;

        case 'n':
          if (!scan_literal (&s, "null", 4))
            return KILN_JSON_SCAN_INVALID;
          type = KILN_JSON_NULL;
          break;

        default:
          if (*s.p != '-' && !g_ascii_isdigit (*s.p))
            return KILN_JSON_SCAN_INVALID;
          if (!scan_number (&s))
            return KILN_JSON_SCAN_INVALID;
          type = KILN_JSON_NUMBER;
          break;
        }

      if (type != KILN_JSON_NONE && target >= 0)
        {
          out[target].type = type;
          out[target].raw = (const char *) start;
          out[target].raw_length = s.p - start;
        }

      /* --- after a value: close containers, or go on to the next child --- */
      for (;;)
        {
          Frame *frame;

          skip_space (&s);
          if (depth == 0)
            return s.p == s.end ? KILN_JSON_SCAN_OK : KILN_JSON_SCAN_INVALID;

          frame = &stack[depth - 1];
          if (s.p == s.end)
            return KILN_JSON_SCAN_INVALID;

          if (*s.p == ',')
            {
              s.p++;
              skip_space (&s);
              result = begin_child (&s, frame, &target, &fields);
              if (result != KILN_JSON_SCAN_OK)
                return result;
              break;
            }

          if (*s.p != (frame->is_object ? '}' : ']'))
            return KILN_JSON_SCAN_INVALID;

          s.p++;
          if (frame->slot >= 0)
            out[frame->slot].raw_length = (const char *) s.p - out[frame->slot].raw;
          depth--;
        }
    }
}

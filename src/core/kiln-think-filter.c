/* kiln-think-filter.c: splits <think>…</think> reasoning from a streamed answer (pure)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-think-filter.h"

#define OPEN_TAG "<think>"
#define CLOSE_TAG "</think>"

struct _KilnThinkFilter
{
  gboolean  in_think;
  /* A tag was just passed: whitespace is dropped until some other text comes */
  gboolean  skip_space;
  /* The end of the last delta, which may be the start of a tag */
  GString  *held;
};

KilnThinkFilter *
kiln_think_filter_new (void)
{
  KilnThinkFilter *self = g_new0 (KilnThinkFilter, 1);

  self->held = g_string_new (NULL);

  return self;
}

void
kiln_think_filter_free (KilnThinkFilter *self)
{
  if (self == NULL)
    return;

  g_string_free (self->held, TRUE);
  g_free (self);
}

static void
emit (KilnThinkFilter *self,
      const char      *text,
      gsize            length,
      GString         *answer_out,
      GString         *reasoning_out)
{
  if (self->skip_space)
    {
      while (length > 0 && g_ascii_isspace (*text))
        {
          text++;
          length--;
        }
      if (length > 0)
        self->skip_space = FALSE;
    }

  g_string_append_len (self->in_think ? reasoning_out : answer_out, text, length);
}

/* How many bytes at the end of @text could be the start of @tag. Only a '<' can start
 * either tag and neither holds a second one, so the longest such end is the only one. */
static gsize
partial_tag_length (const char *text,
                    gsize       length,
                    const char *tag)
{
  gsize k;

  for (k = MIN (length, strlen (tag) - 1); k > 0; k--)
    {
      if (memcmp (text + length - k, tag, k) == 0)
        return k;
    }

  return 0;
}

void
kiln_think_filter_feed (KilnThinkFilter *self,
                        const char      *text,
                        GString         *answer_out,
                        GString         *reasoning_out)
{
  g_autofree char *joined = NULL;
  const char *rest = text;

  g_return_if_fail (self != NULL);
  g_return_if_fail (answer_out != NULL);
  g_return_if_fail (reasoning_out != NULL);

  if (text == NULL || text[0] == '\0')
    return;

  if (self->held->len > 0)
    {
      joined = g_strconcat (self->held->str, text, NULL);
      g_string_truncate (self->held, 0);
      rest = joined;
    }

  for (;;)
    {
      const char *tag = self->in_think ? CLOSE_TAG : OPEN_TAG;
      const char *found = strstr (rest, tag);
      gsize length;
      gsize partial;

      if (found != NULL)
        {
          emit (self, rest, found - rest, answer_out, reasoning_out);
          self->in_think = !self->in_think;
          self->skip_space = TRUE;
          rest = found + strlen (tag);
          continue;
        }

      length = strlen (rest);
      partial = partial_tag_length (rest, length, tag);
      emit (self, rest, length - partial, answer_out, reasoning_out);
      g_string_append_len (self->held, rest + length - partial, partial);
      break;
    }
}

void
kiln_think_filter_finish (KilnThinkFilter *self,
                          GString         *answer_out,
                          GString         *reasoning_out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (answer_out != NULL);
  g_return_if_fail (reasoning_out != NULL);

  /* What was held back turned out not to be a tag; an unclosed block stays reasoning */
  emit (self, self->held->str, self->held->len, answer_out, reasoning_out);
  g_string_truncate (self->held, 0);

  self->in_think = FALSE;
  self->skip_space = FALSE;
}

/* kiln-code-extractor.c: splits a streamed model answer into C++ code and prose (pure)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-code-extractor.h"

typedef enum
{
  MODE_UNDECIDED,     /* no non-blank line yet, no fence */
  MODE_PROSE,
  MODE_OTHER_BLOCK,   /* inside a fenced block that is not C++: prose */
  MODE_CODE_BLOCK,    /* inside a C++ block, fenced or implicit */
} Mode;

/* What the current line can still be, from the bytes seen so far */
typedef enum
{
  LINE_START,         /* only blanks */
  LINE_FENCE,         /* blanks, then a run of one fence character */
  LINE_AFTER_FENCE,   /* a run of at least three, then blanks */
  LINE_INFO,          /* a run of at least three, then an info string */
  LINE_TEXT,          /* anything else */
} LineState;

typedef struct
{
  GString  *code;
  gsize     line_start;   /* where the line being written starts in @code */
  gboolean  has_main;
} Block;

struct _KilnCodeExtractor
{
  GString    *prose;
  GPtrArray  *blocks;

  /* Bytes of the current line not routed yet; while undecided, the blank lines before it
   * too, the current line starting at @held_line_start. */
  GString    *held;
  gsize       held_line_start;

  Mode        mode;
  Block      *open;          /* the code block being written */
  char        fence_char;    /* of the open block; 0: an implicit block, any bare fence ends it */
  gsize       fence_length;

  LineState   line_state;
  char        run_char;
  gsize       run_length;
  gboolean    hold_line;     /* held to its end whatever it turns out to be */
  gboolean    line_routed;   /* the rest of the line goes straight to its output */

  gboolean    seen_fence;
  gboolean    finished;

  /* The choice among closed blocks, kept as they close */
  Block      *last_main;
  Block      *longest;

  Block      *reported;
  gsize       reported_length;
};

static void
block_free (gpointer data)
{
  Block *block = data;

  g_string_free (block->code, TRUE);
  g_free (block);
}

KilnCodeExtractor *
kiln_code_extractor_new (void)
{
  KilnCodeExtractor *self = g_new0 (KilnCodeExtractor, 1);

  self->prose = g_string_new (NULL);
  self->held = g_string_new (NULL);
  self->blocks = g_ptr_array_new_with_free_func (block_free);

  return self;
}

void
kiln_code_extractor_free (KilnCodeExtractor *self)
{
  if (self == NULL)
    return;

  g_string_free (self->prose, TRUE);
  g_string_free (self->held, TRUE);
  g_ptr_array_unref (self->blocks);
  g_free (self);
}

void
kiln_code_extractor_reset (KilnCodeExtractor *self)
{
  g_return_if_fail (self != NULL);

  g_string_truncate (self->prose, 0);
  g_string_truncate (self->held, 0);
  g_ptr_array_set_size (self->blocks, 0);
  self->held_line_start = 0;
  self->mode = MODE_UNDECIDED;
  self->open = NULL;
  self->fence_char = 0;
  self->fence_length = 0;
  self->line_state = LINE_START;
  self->run_char = 0;
  self->run_length = 0;
  self->hold_line = FALSE;
  self->line_routed = FALSE;
  self->seen_fence = FALSE;
  self->finished = FALSE;
  self->last_main = NULL;
  self->longest = NULL;
  self->reported = NULL;
  self->reported_length = 0;
}

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

static inline gboolean
is_ident (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* "int main (" with any blanks, "int" and "main" whole words */
static gboolean
line_has_main (const char *line,
               gsize       length)
{
  const char *end = line + length;
  const char *p = line;

  while (p < end && (p = memchr (p, 'm', end - p)) != NULL)
    {
      const char *q = p + 4;
      const char *r = p;

      if ((gsize) (end - p) < 4 || memcmp (p, "main", 4) != 0)
        {
          p++;
          continue;
        }

      p++;
      if (q < end && is_ident (*q))
        continue;
      while (q < end && is_blank (*q))
        q++;
      if (q >= end || *q != '(')
        continue;

      /* Back from "main": at least one blank, then "int" as a whole word */
      if (r == line || !is_blank (r[-1]))
        continue;
      while (r > line && is_blank (r[-1]))
        r--;
      if (r - line < 3 || memcmp (r - 3, "int", 3) != 0)
        continue;
      if (r - line > 3 && is_ident (r[-4]))
        continue;

      return TRUE;
    }

  return FALSE;
}

static gboolean
looks_like_code (const char *line)
{
  static const char * const prefixes[] = {
    "//", "/*", "int ", "void ", "using ", "namespace", "template", "static", "struct",
    "class", "typedef", "const", "auto ", "long ", "unsigned ", "double ", "bool ",
    "std::",
  };
  guint i;

  if (line[0] == '#')
    return g_ascii_isalpha (line[1]);

  for (i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      if (g_str_has_prefix (line, prefixes[i]))
        return TRUE;
    }

  return FALSE;
}

/* The first word of the info string of the fence line @line, compared without case */
static gboolean
info_is_cpp (const char *line,
             gsize       length)
{
  static const char * const words[] = {
    "", "cpp", "c++", "cc", "cxx", "c", "h", "hpp", "hxx", "cplusplus",
  };
  const char *end = line + length;
  const char *word;
  gsize word_length;
  guint i;

  while (line < end && is_blank (*line))
    line++;
  while (line < end && (*line == '`' || *line == '~'))
    line++;
  while (line < end && is_blank (*line))
    line++;

  word = line;
  while (line < end && !is_blank (*line) && *line != '\n' && *line != '{')
    line++;
  word_length = line - word;

  for (i = 0; i < G_N_ELEMENTS (words); i++)
    {
      if (strlen (words[i]) == word_length &&
          g_ascii_strncasecmp (word, words[i], word_length) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
reset_line (KilnCodeExtractor *self)
{
  self->line_state = LINE_START;
  self->run_char = 0;
  self->run_length = 0;
  self->hold_line = FALSE;
  self->line_routed = FALSE;
}

static GString *
target (KilnCodeExtractor *self)
{
  return self->mode == MODE_CODE_BLOCK ? self->open->code : self->prose;
}

static void
open_block (KilnCodeExtractor *self,
            char               fence_char,
            gsize              fence_length)
{
  Block *block = g_new0 (Block, 1);

  block->code = g_string_new (NULL);
  g_ptr_array_add (self->blocks, block);

  self->open = block;
  self->fence_char = fence_char;
  self->fence_length = fence_length;
  self->mode = MODE_CODE_BLOCK;
}

static void
close_block (KilnCodeExtractor *self)
{
  Block *block = self->open;

  g_assert (block != NULL);

  if (block->has_main)
    self->last_main = block;
  if (self->longest == NULL || block->code->len > self->longest->code->len)
    self->longest = block;

  self->open = NULL;
  self->mode = MODE_PROSE;
}

/* The line just added to the open block is complete */
static void
check_block_line (KilnCodeExtractor *self)
{
  Block *block = self->open;

  if (!block->has_main &&
      line_has_main (block->code->str + block->line_start,
                     block->code->len - block->line_start))
    block->has_main = TRUE;
  block->line_start = block->code->len;
}

static gboolean
is_fence_line (KilnCodeExtractor *self)
{
  return (self->line_state == LINE_FENCE && self->run_length >= 3) ||
         self->line_state == LINE_AFTER_FENCE || self->line_state == LINE_INFO;
}

/* A bare fence that closes the open block (or the non-C++ block) */
static gboolean
is_closing_line (KilnCodeExtractor *self)
{
  if (self->line_state != LINE_FENCE && self->line_state != LINE_AFTER_FENCE)
    return FALSE;
  if (self->run_length < 3)
    return FALSE;
  if (self->fence_char == 0)
    return TRUE;
  return self->run_char == self->fence_char && self->run_length >= self->fence_length;
}

/* Whether the partial line may still turn out to matter, so it must be held */
static gboolean
line_undecided (KilnCodeExtractor *self)
{
  switch (self->mode)
    {
    case MODE_UNDECIDED:
      return TRUE;

    case MODE_CODE_BLOCK:
    case MODE_OTHER_BLOCK:
      if (self->line_state == LINE_START)
        return TRUE;
      if (self->line_state == LINE_FENCE || self->line_state == LINE_AFTER_FENCE)
        return self->fence_char == 0 || self->run_char == self->fence_char;
      return FALSE;

    case MODE_PROSE:
    default:
      return self->hold_line || self->line_state != LINE_TEXT;
    }
}

static void
route_line (KilnCodeExtractor *self)
{
  g_assert (self->held_line_start == 0);

  g_string_append_len (target (self), self->held->str, self->held->len);
  g_string_truncate (self->held, 0);
  self->line_routed = TRUE;
}

static void
classify (KilnCodeExtractor *self,
          char               c)
{
  switch (self->line_state)
    {
    case LINE_START:
      if (is_blank (c))
        break;
      if (c == '`' || c == '~')
        {
          self->line_state = LINE_FENCE;
          self->run_char = c;
          self->run_length = 1;
          break;
        }
      self->line_state = LINE_TEXT;
      /* "#include" may still start code while nothing else has */
      if (c == '#' && self->mode == MODE_PROSE && !self->seen_fence &&
          self->blocks->len == 0 && self->held->len - self->held_line_start == 1)
        self->hold_line = TRUE;
      break;

    case LINE_FENCE:
      if (c == self->run_char)
        self->run_length++;
      else if (self->run_length < 3)
        self->line_state = LINE_TEXT;
      else if (is_blank (c))
        self->line_state = LINE_AFTER_FENCE;
      else
        self->line_state = (self->run_char == '`' && c == '`') ? LINE_TEXT : LINE_INFO;
      break;

    case LINE_AFTER_FENCE:
    case LINE_INFO:
      if (self->run_char == '`' && c == '`')
        self->line_state = LINE_TEXT;
      else if (!is_blank (c))
        self->line_state = LINE_INFO;
      break;

    case LINE_TEXT:
    default:
      break;
    }
}

/* The current line is complete (its "\n", if any, already added where its bytes are) */
static void
end_line (KilnCodeExtractor *self)
{
  const char *line;
  gsize length;

  if (self->line_routed)
    {
      if (self->mode == MODE_CODE_BLOCK)
        check_block_line (self);
      reset_line (self);
      return;
    }

  line = self->held->str + self->held_line_start;
  length = self->held->len - self->held_line_start;

  if (self->mode == MODE_UNDECIDED)
    {
      if (self->line_state == LINE_START)
        {
          /* A blank line: keep holding until a line decides */
          self->held_line_start = self->held->len;
          reset_line (self);
          return;
        }

      if (is_fence_line (self))
        {
          g_string_append_len (self->prose, self->held->str, self->held_line_start);
          g_string_erase (self->held, 0, self->held_line_start);
          self->held_line_start = 0;
          line = self->held->str;
          self->mode = MODE_PROSE;
        }
      else
        {
          if (looks_like_code (line))
            {
              open_block (self, 0, 0);
              g_string_append_len (self->open->code, self->held->str, self->held_line_start);
              self->open->line_start = self->open->code->len;
            }
          else
            {
              /* the blank lines held before it are prose too */
              self->mode = MODE_PROSE;
              g_string_append_len (self->prose, self->held->str, self->held_line_start);
            }

          g_string_append_len (target (self), line, length);
          if (self->mode == MODE_CODE_BLOCK)
            check_block_line (self);
          goto done;
        }
    }

  switch (self->mode)
    {
    case MODE_PROSE:
      if (is_fence_line (self))
        {
          self->seen_fence = TRUE;
          if (info_is_cpp (line, length))
            open_block (self, self->run_char, self->run_length);
          else
            {
              g_string_append_len (self->prose, line, length);
              self->mode = MODE_OTHER_BLOCK;
              self->fence_char = self->run_char;
              self->fence_length = self->run_length;
            }
        }
      else if (self->hold_line && g_str_has_prefix (line, "#include"))
        {
          open_block (self, 0, 0);
          g_string_append_len (self->open->code, line, length);
          check_block_line (self);
        }
      else
        g_string_append_len (self->prose, line, length);
      break;

    case MODE_OTHER_BLOCK:
      g_string_append_len (self->prose, line, length);
      if (is_closing_line (self))
        self->mode = MODE_PROSE;
      break;

    case MODE_CODE_BLOCK:
      if (is_closing_line (self))
        close_block (self);  /* the fence line goes to neither output */
      else
        {
          g_string_append_len (self->open->code, line, length);
          check_block_line (self);
        }
      break;

    case MODE_UNDECIDED:
    default:
      g_assert_not_reached ();
    }

done:
  g_string_truncate (self->held, 0);
  self->held_line_start = 0;
  reset_line (self);
}

static Block *
current_block (KilnCodeExtractor *self)
{
  if (self->open != NULL && (self->open->has_main || self->last_main == NULL))
    return self->open;
  if (self->last_main != NULL)
    return self->last_main;
  return self->longest;
}

static KilnCodeChange
report (KilnCodeExtractor *self,
        gsize             *appended_at)
{
  Block *block = current_block (self);
  gsize length = block != NULL ? block->code->len : 0;
  KilnCodeChange change;

  if (appended_at != NULL)
    *appended_at = 0;

  if (length == self->reported_length && (block == self->reported || length == 0))
    change = KILN_CODE_UNCHANGED;
  else if ((block == self->reported || self->reported_length == 0) &&
           length > self->reported_length)
    {
      change = KILN_CODE_APPENDED;
      if (appended_at != NULL)
        *appended_at = self->reported_length;
    }
  else
    change = KILN_CODE_REPLACED;

  self->reported = block;
  self->reported_length = length;

  return change;
}

KilnCodeChange
kiln_code_extractor_feed (KilnCodeExtractor *self,
                          const char        *text,
                          gssize             length,
                          gsize             *appended_at)
{
  gsize size;
  gsize i = 0;

  g_return_val_if_fail (self != NULL, KILN_CODE_UNCHANGED);
  g_return_val_if_fail (text != NULL || length == 0, KILN_CODE_UNCHANGED);

  if (appended_at != NULL)
    *appended_at = 0;
  if (self->finished)
    return KILN_CODE_UNCHANGED;

  size = length < 0 ? strlen (text) : (gsize) length;

  while (i < size)
    {
      char c;

      if (self->line_routed)
        {
          const char *newline = memchr (text + i, '\n', size - i);
          gsize end = newline != NULL ? (gsize) (newline - text) + 1 : size;

          g_string_append_len (target (self), text + i, end - i);
          i = end;
          if (newline != NULL)
            end_line (self);
          continue;
        }

      c = text[i++];
      g_string_append_c (self->held, c);

      if (c == '\n')
        {
          end_line (self);
          continue;
        }

      classify (self, c);
      if (!line_undecided (self))
        route_line (self);
    }

  return report (self, appended_at);
}

/* No fence and no code in the whole answer, but some line holds "int main": the code is
 * from the first line that looks like C++ (or that line) to the end. */
static void
settle_unfenced (KilnCodeExtractor *self)
{
  const char *start = NULL;
  const char *line = self->prose->str;
  const char *end = self->prose->str + self->prose->len;

  while (line < end)
    {
      const char *newline = memchr (line, '\n', end - line);
      const char *next = newline != NULL ? newline + 1 : end;

      if (start == NULL && looks_like_code (line))
        start = line;
      if (line_has_main (line, next - line))
        {
          gsize offset;

          if (start == NULL)
            start = line;
          offset = start - self->prose->str;

          open_block (self, 0, 0);
          g_string_append_len (self->open->code, start, end - start);
          self->open->has_main = TRUE;
          g_string_truncate (self->prose, offset);
          close_block (self);
          return;
        }
      line = next;
    }
}

KilnCodeChange
kiln_code_extractor_finish (KilnCodeExtractor *self,
                            gsize             *appended_at)
{
  g_return_val_if_fail (self != NULL, KILN_CODE_UNCHANGED);

  if (appended_at != NULL)
    *appended_at = 0;
  if (self->finished)
    return KILN_CODE_UNCHANGED;

  if (self->held->len > 0 || self->line_routed)
    end_line (self);

  if (self->mode == MODE_UNDECIDED)
    {
      /* Only blank lines */
      g_string_append_len (self->prose, self->held->str, self->held->len);
      g_string_truncate (self->held, 0);
      self->held_line_start = 0;
      self->mode = MODE_PROSE;
    }

  if (self->open != NULL)
    close_block (self);

  if (self->blocks->len == 0 && !self->seen_fence)
    settle_unfenced (self);

  self->finished = TRUE;

  return report (self, appended_at);
}

const char *
kiln_code_extractor_get_code (KilnCodeExtractor *self,
                              gsize             *length)
{
  Block *block;

  g_return_val_if_fail (self != NULL, NULL);

  /* The same choice as the last report, so the code matches what the feed said */
  block = self->reported;
  if (length != NULL)
    *length = block != NULL ? block->code->len : 0;
  return block != NULL ? block->code->str : "";
}

const char *
kiln_code_extractor_get_prose (KilnCodeExtractor *self,
                               gsize             *length)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (length != NULL)
    *length = self->prose->len;
  return self->prose->str;
}

guint
kiln_code_extractor_get_n_blocks (KilnCodeExtractor *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->blocks->len;
}

const char *
kiln_code_extractor_get_block (KilnCodeExtractor *self,
                               guint              index,
                               gsize             *length)
{
  Block *block;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->blocks->len, NULL);

  block = g_ptr_array_index (self->blocks, index);
  if (length != NULL)
    *length = block->code->len;
  return block->code->str;
}

gboolean
kiln_code_extractor_is_finished (KilnCodeExtractor *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->finished;
}

/* fuzz-extractor.c: the code extractor, fed in pieces as a stream arrives
 *
 * Input: a control byte (how to cut, see kiln-fuzz.h), then the answer. Invariants, from
 * kiln-code-extractor.h: every feed reports truthfully how the code changed (UNCHANGED:
 * the same bytes; APPENDED: the old code plus more, from the offset given); the result
 * does not depend on where the feeds end; the code is one of the blocks ("" without any);
 * each block is a run of the answer, in answer order; the prose is what is left of the
 * answer once the blocks and the code fence lines are taken out, so without any fence
 * character the prose and the blocks add up to the whole answer; feeds after finish are
 * ignored; reset starts over.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE  /* memmem() */

#include "config.h"

#include "kiln-code-extractor.h"
#include "kiln-fuzz.h"

/* Checks what a feed or finish said against the code before and after, and keeps the code
 * in @previous. */
static void
check_change (KilnCodeExtractor *extractor,
              KilnCodeChange     change,
              gsize              appended_at,
              GString           *previous)
{
  gsize length;
  const char *code = kiln_code_extractor_get_code (extractor, &length);

  kiln_fuzz_check (code != NULL && code[length] == '\0');

  switch (change)
    {
    case KILN_CODE_UNCHANGED:
      kiln_fuzz_check (appended_at == 0);
      kiln_fuzz_check (length == previous->len && memcmp (code, previous->str, length) == 0);
      break;

    case KILN_CODE_APPENDED:
      kiln_fuzz_check (appended_at == previous->len);
      kiln_fuzz_check (length > previous->len);
      kiln_fuzz_check (memcmp (code, previous->str, previous->len) == 0);
      break;

    case KILN_CODE_REPLACED:
      kiln_fuzz_check (appended_at == 0);
      break;

    default:
      kiln_fuzz_check (!"a change out of range");
    }

  g_string_truncate (previous, 0);
  g_string_append_len (previous, code, length);
}

/* Byte by byte, is @part a subsequence of @whole? */
static gboolean
is_subsequence (const char *part,
                gsize       part_length,
                const char *whole,
                gsize       whole_length)
{
  gsize j = 0;

  for (gsize i = 0; i < whole_length && j < part_length; i++)
    {
      if (whole[i] == part[j])
        j++;
    }

  return j == part_length;
}

static void
check_accounting (KilnCodeExtractor *extractor,
                  const char        *answer,
                  gsize              length)
{
  guint n_blocks = kiln_code_extractor_get_n_blocks (extractor);
  const char *search = answer;
  gsize code_length;
  const char *code = kiln_code_extractor_get_code (extractor, &code_length);
  gsize prose_length;
  const char *prose = kiln_code_extractor_get_prose (extractor, &prose_length);
  gsize total = prose_length;
  gboolean code_is_a_block = n_blocks == 0 && code_length == 0;

  for (guint i = 0; i < n_blocks; i++)
    {
      gsize block_length;
      const char *block = kiln_code_extractor_get_block (extractor, i, &block_length);
      const char *found;

      kiln_fuzz_check (block != NULL && block[block_length] == '\0');
      if (block_length == code_length && memcmp (block, code, code_length) == 0)
        code_is_a_block = TRUE;

      found = memmem (search, answer + length - search, block, block_length);
      kiln_fuzz_check (found != NULL);
      search = found + block_length;
      total += block_length;
    }

  kiln_fuzz_check (code_is_a_block);
  kiln_fuzz_check (prose[prose_length] == '\0');
  kiln_fuzz_check (is_subsequence (prose, prose_length, answer, length));
  kiln_fuzz_check (total <= length);
  if (memchr (answer, '`', length) == NULL && memchr (answer, '~', length) == NULL)
    kiln_fuzz_check (total == length);
}

static void
check_same (KilnCodeExtractor *a,
            KilnCodeExtractor *b)
{
  gsize a_length;
  gsize b_length;
  const char *a_text;
  const char *b_text;

  a_text = kiln_code_extractor_get_code (a, &a_length);
  b_text = kiln_code_extractor_get_code (b, &b_length);
  kiln_fuzz_check (a_length == b_length && memcmp (a_text, b_text, a_length) == 0);

  a_text = kiln_code_extractor_get_prose (a, &a_length);
  b_text = kiln_code_extractor_get_prose (b, &b_length);
  kiln_fuzz_check (a_length == b_length && memcmp (a_text, b_text, a_length) == 0);

  kiln_fuzz_check (kiln_code_extractor_get_n_blocks (a) == kiln_code_extractor_get_n_blocks (b));
  for (guint i = 0; i < kiln_code_extractor_get_n_blocks (a); i++)
    {
      a_text = kiln_code_extractor_get_block (a, i, &a_length);
      b_text = kiln_code_extractor_get_block (b, i, &b_length);
      kiln_fuzz_check (a_length == b_length && memcmp (a_text, b_text, a_length) == 0);
    }
}

void
kiln_fuzz_extractor (const uint8_t *data,
                     size_t         size)
{
  g_autoptr(KilnCodeExtractor) split = NULL;
  g_autoptr(KilnCodeExtractor) whole = NULL;
  g_autoptr(GString) previous = g_string_new (NULL);
  KilnFuzzCutter cutter;
  KilnCodeChange change;
  const char *answer = (const char *) data + 1;
  gsize length;
  gsize offset = 0;
  gsize appended_at = 0;

  if (size == 0)
    return;
  length = size - 1;
  kiln_fuzz_cutter_init (&cutter, data[0]);

  split = kiln_code_extractor_new ();
  while (offset < length)
    {
      gsize piece = kiln_fuzz_cutter_next (&cutter, length - offset);
      g_autofree char *copy = kiln_fuzz_copy (answer + offset, piece, FALSE);

      change = kiln_code_extractor_feed (split, copy, piece, &appended_at);
      check_change (split, change, appended_at, previous);
      offset += piece;
    }
  change = kiln_code_extractor_finish (split, &appended_at);
  check_change (split, change, appended_at, previous);
  kiln_fuzz_check (kiln_code_extractor_is_finished (split));

  /* Later feeds change nothing */
  change = kiln_code_extractor_feed (split, "int main () {}\n```\n", -1, &appended_at);
  kiln_fuzz_check (change == KILN_CODE_UNCHANGED);
  check_change (split, change, appended_at, previous);

  whole = kiln_code_extractor_new ();
  kiln_code_extractor_feed (whole, answer, length, NULL);
  kiln_code_extractor_finish (whole, NULL);

  check_same (split, whole);
  check_accounting (whole, answer, length);

  /* Reset: the same answer again gives the same result */
  kiln_code_extractor_reset (split);
  kiln_fuzz_check (!kiln_code_extractor_is_finished (split));
  kiln_fuzz_check (kiln_code_extractor_get_n_blocks (split) == 0);
  kiln_code_extractor_feed (split, answer, length, NULL);
  kiln_code_extractor_finish (split, NULL);
  check_same (split, whole);
}

KILN_FUZZ_DEFINE_MAIN (kiln_fuzz_extractor)

/* fuzz-compare.c: normalising and comparing two programs' outputs
 *
 * Input: a separator byte, the reference output up to the next separator byte, then the
 * candidate output ("|3.14\n|3.14\r\n" is a readable seed). Compared with the default
 * timing mask and with none. Invariants: an output matches itself; the comparison is
 * symmetric; without a mask it agrees with kiln_output_split_lines(); masking only turns
 * differences into matches, never the other way; split lines have no breaks, no trailing
 * blanks, and the last one is not empty.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-fuzz.h"
#include "kiln-output-compare.h"

static KilnTimingMask *
default_mask (void)
{
  static KilnTimingMask *mask;

  if (mask == NULL)
    mask = kiln_timing_mask_new (NULL, NULL);
  kiln_fuzz_check (mask != NULL);

  return mask;
}

static void
check_lines (char **lines)
{
  guint n = g_strv_length (lines);

  for (guint i = 0; i < n; i++)
    {
      gsize length = strlen (lines[i]);

      kiln_fuzz_check (strpbrk (lines[i], "\r\n") == NULL);
      kiln_fuzz_check (length == 0 || (lines[i][length - 1] != ' ' &&
                                       lines[i][length - 1] != '\t'));
    }
  kiln_fuzz_check (n == 0 || *lines[n - 1] != '\0');
}

static void
check_symmetric (const KilnOutputDiff *ab,
                 const KilnOutputDiff *ba)
{
  kiln_fuzz_check (ab->match == ba->match);
  kiln_fuzz_check (ab->line == ba->line);
  kiln_fuzz_check (g_strcmp0 (ab->reference, ba->candidate) == 0);
  kiln_fuzz_check (g_strcmp0 (ab->candidate, ba->reference) == 0);
  kiln_fuzz_check (ab->match == (ab->line == 0));
  kiln_fuzz_check (ab->match || ab->reference != NULL || ab->candidate != NULL);
}

void
kiln_fuzz_compare (const uint8_t *data,
                   size_t         size)
{
  g_autofree char *reference = NULL;
  g_autofree char *candidate = NULL;
  g_auto(GStrv) reference_lines = NULL;
  g_auto(GStrv) candidate_lines = NULL;
  g_autoptr(KilnOutputDiff) same = NULL;
  g_autoptr(KilnOutputDiff) plain = NULL;
  g_autoptr(KilnOutputDiff) plain_swapped = NULL;
  g_autoptr(KilnOutputDiff) masked = NULL;
  g_autoptr(KilnOutputDiff) masked_swapped = NULL;
  const uint8_t *separator;
  gsize reference_len;
  gsize candidate_len;
  guint n_reference;
  guint n_candidate;
  gboolean has_nul;

  if (size == 0)
    return;

  separator = memchr (data + 1, data[0], size - 1);
  reference_len = separator != NULL ? (gsize) (separator - (data + 1)) : size - 1;
  candidate_len = separator != NULL ? size - 2 - reference_len : 0;
  /* Exact copies, not NUL-terminated: the comparer takes lengths */
  reference = kiln_fuzz_copy (data + 1, reference_len, FALSE);
  candidate = kiln_fuzz_copy (separator != NULL ? separator + 1 : data, candidate_len, FALSE);
  has_nul = memchr (reference, '\0', reference_len) != NULL ||
            memchr (candidate, '\0', candidate_len) != NULL;

  reference_lines = kiln_output_split_lines (reference, reference_len);
  candidate_lines = kiln_output_split_lines (candidate, candidate_len);
  check_lines (reference_lines);
  check_lines (candidate_lines);
  n_reference = g_strv_length (reference_lines);
  n_candidate = g_strv_length (candidate_lines);

  same = kiln_output_compare (reference, reference_len, reference, reference_len,
                              default_mask ());
  kiln_fuzz_check (same->match);

  plain = kiln_output_compare (reference, reference_len, candidate, candidate_len, NULL);
  plain_swapped = kiln_output_compare (candidate, candidate_len, reference, reference_len, NULL);
  check_symmetric (plain, plain_swapped);

  /* Without a mask the comparison is the one of the split lines */
  if (plain->match)
    kiln_fuzz_check (g_strv_equal ((const char * const *) reference_lines,
                                   (const char * const *) candidate_lines));
  else
    {
      guint i = plain->line - 1;

      kiln_fuzz_check (plain->line <= MAX (n_reference, n_candidate));
      kiln_fuzz_check (g_strcmp0 (plain->reference, i < n_reference ? reference_lines[i] : NULL) == 0);
      kiln_fuzz_check (g_strcmp0 (plain->candidate, i < n_candidate ? candidate_lines[i] : NULL) == 0);
      for (guint j = 0; j < i && !has_nul; j++)
        kiln_fuzz_check (strcmp (reference_lines[j], candidate_lines[j]) == 0);
      if (!has_nul)
        kiln_fuzz_check (!g_strv_equal ((const char * const *) reference_lines,
                                        (const char * const *) candidate_lines));
    }

  masked = kiln_output_compare (reference, reference_len, candidate, candidate_len,
                                default_mask ());
  masked_swapped = kiln_output_compare (candidate, candidate_len, reference, reference_len,
                                        default_mask ());
  check_symmetric (masked, masked_swapped);
  kiln_fuzz_check (!plain->match || masked->match);
  kiln_fuzz_check (masked->match || masked->line >= plain->line);
}

KILN_FUZZ_DEFINE_MAIN (kiln_fuzz_compare)

/* kiln-input-cases.h: hidden input cases derived from the one shown to the model (pure)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KilnDerivedCase
{
  char *text;         /* the input, with the shown input's line ends */
  char *description;  /* how it was made, translated: "lines shuffled", "numbers changed"… */
} KilnDerivedCase;

void       kiln_derived_case_free  (KilnDerivedCase *self);

/* Derives up to @max inputs from @shown (stdin text), taking turns: lines shuffled, one line
 * dropped, one line repeated, numbers changed (each integer moved by a small amount, keeping
 * its sign; 0 stays 0). A first line that is a lone integer stays first and is never
 * changed, except that when it equals the number of lines after it, it follows the count when
 * a line is dropped or repeated. No result equals @shown or another result; the same @seed
 * gives the same results. The caller keeps those the original program runs cleanly on.
 * Returns a GPtrArray of KilnDerivedCase (it frees them), perhaps empty. */
GPtrArray *kiln_input_cases_derive (const char *shown,
                                    guint32     seed,
                                    guint       max);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnDerivedCase, kiln_derived_case_free)

G_END_DECLS

/* kiln-comparison.h: the verdict on a Python run and a C++ run of the same program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-output-compare.h"
#include "kiln-run-result.h"

G_BEGIN_DECLS

/* Below this C++ median (seconds) process start-up dominates and the speedup is a lower bound. */
#define KILN_SPEEDUP_LOWER_BOUND_SECONDS 0.005

typedef struct _KilnComparison
{
  KilnRunResult  *python;
  KilnRunResult  *cpp;
  gboolean        comparable;      /* both ran to a clean exit, so outputs can be compared */
  KilnOutputDiff *diff;            /* NULL unless comparable */
  double          speedup;         /* Python median / C++ median; 0 when not comparable */
  gboolean        speedup_is_lower_bound;
} KilnComparison;

KilnComparison *kiln_comparison_new     (KilnRunResult  *python,
                                         KilnRunResult  *cpp,
                                         KilnTimingMask *mask);
void            kiln_comparison_free    (KilnComparison *self);
gboolean        kiln_comparison_matches (KilnComparison *self);
/* kiln-cli compare's JSON object. */
JsonNode       *kiln_comparison_to_json (KilnComparison *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnComparison, kiln_comparison_free)

G_END_DECLS

/* kiln-comparison.h: the verdict on a run of the original and a run of the C++ on one input,
 * and the speedup measured from their repeats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-output-compare.h"
#include "kiln-run-result.h"

G_BEGIN_DECLS

/* When the start-up floor was not measured: below this C++ time (seconds) process start-up
 * dominates and the speedup is a lower bound. */
#define KILN_SPEEDUP_LOWER_BOUND_SECONDS 0.005

/* Which time the speedup shown is a ratio of. */
typedef enum
{
  KILN_SPEEDUP_BASIS_WALL,  /* elapsed time: for programs that use more than one core */
  KILN_SPEEDUP_BASIS_CPU,   /* user + system time: single-threaded programs, stable on a
                             * busy machine, where wall time also counts waiting for a core */
} KilnSpeedupBasis;

#define KILN_TYPE_SPEEDUP_BASIS (kiln_speedup_basis_get_type ())
GType       kiln_speedup_basis_get_type    (void) G_GNUC_CONST;
const char *kiln_speedup_basis_to_string   (KilnSpeedupBasis basis);   /* "wall", "cpu" */
gboolean    kiln_speedup_basis_from_string (const char       *text,
                                            KilnSpeedupBasis *basis);

typedef struct _KilnCompareOptions
{
  double tolerance;       /* relative tolerance for numbers in the output; 0: exact only */
  double startup_floor;   /* measured cost of starting an empty C++ program (seconds); <= 0:
                           * unknown, KILN_SPEEDUP_LOWER_BOUND_SECONDS is used */
} KilnCompareOptions;

typedef struct _KilnComparison
{
  KilnRunResult   *python;
  KilnRunResult   *cpp;
  gboolean         comparable;      /* both ran to a clean exit, so outputs can be compared */
  KilnOutputDiff  *diff;            /* NULL unless comparable */
  gboolean         within_tolerance; /* not exact, but every number agrees within tolerance */
  double           tolerance;
  /* Figures, whatever the outputs: 0 when a program has no run. */
  double           speedup;         /* the figure shown: the ratio in @basis */
  double           speedup_wall;    /* ratio of median wall times */
  double           speedup_cpu;     /* ratio of median CPU times (user + system) */
  double           speedup_low;     /* the spread of @speedup over the repeats: slowest */
  double           speedup_high;    /* ...and fastest pairing */
  KilnSpeedupBasis basis;
  gboolean         noisy;           /* the machine was busy or the repeats spread widely */
  gboolean         busy;            /* a single-threaded program got well under one core */
  gboolean         speedup_is_lower_bound; /* the C++ ran about as fast as a program starts */
  double           floor_seconds;   /* the start-up floor the lower bound was judged by */
} KilnComparison;

/* Exact comparison, no measured floor. */
KilnComparison *kiln_comparison_new      (KilnRunResult            *python,
                                          KilnRunResult            *cpp,
                                          KilnTimingMask           *mask);
KilnComparison *kiln_comparison_new_full (KilnRunResult            *python,
                                          KilnRunResult            *cpp,
                                          KilnTimingMask           *mask,
                                          const KilnCompareOptions *options);
void            kiln_comparison_free     (KilnComparison *self);
/* Exactly the same output. */
gboolean        kiln_comparison_matches  (KilnComparison *self);
/* The same output, or numbers that agree within the tolerance. */
gboolean        kiln_comparison_agrees   (KilnComparison *self);
/* The speedup text of a verified program: "×38 (35–41)", "at least ×120". */
char           *kiln_comparison_dup_speedup_text (KilnComparison *self);
/* kiln-cli compare's JSON object. */
JsonNode       *kiln_comparison_to_json  (KilnComparison *self);
/* The same members, added to an object @builder is inside; the speedup members are null
 * unless @verified (the caller knows more: hidden cases, a hard-coded answer). */
void            kiln_comparison_add_json_members (KilnComparison *self,
                                                  JsonBuilder    *builder,
                                                  gboolean        verified);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnComparison, kiln_comparison_free)

G_END_DECLS

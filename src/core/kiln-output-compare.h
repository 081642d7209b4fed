/* kiln-output-compare.h: normalising and comparing two programs' outputs (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A compiled list of patterns; a line that matches one of them in full only reports
 * timing, and is masked before comparing. */
typedef struct _KilnTimingMask KilnTimingMask;

#define KILN_TYPE_TIMING_MASK (kiln_timing_mask_get_type ())

GType               kiln_timing_mask_get_type         (void) G_GNUC_CONST;
/* The default list (also the default of the GSettings key "timing-patterns"). */
const char * const *kiln_timing_mask_default_patterns (void);
/* @patterns: NULL-terminated Perl-compatible regular expressions, matched against a whole
 * line (after normalisation), case-insensitively. NULL means the defaults. An invalid pattern
 * fails with KILN_ERROR_INVALID_PATTERN naming the pattern. */
KilnTimingMask     *kiln_timing_mask_new              (const char * const *patterns,
                                                       GError            **error);
KilnTimingMask     *kiln_timing_mask_ref              (KilnTimingMask     *self);
void                kiln_timing_mask_unref            (KilnTimingMask     *self);
gboolean            kiln_timing_mask_matches          (KilnTimingMask     *self,
                                                       const char         *line);

/* Splits @text into lines: "\r\n" and lone "\r" count as "\n", trailing spaces and tabs are
 * dropped from each line and trailing empty lines from the end. Returns a NULL-terminated
 * vector of lines. */
char              **kiln_output_split_lines           (const char         *text,
                                                       gsize               length);

typedef struct _KilnOutputDiff
{
  gboolean  match;            /* an exact match (after normalisation and masking) */
  guint     line;             /* 1-based line of the first difference; 0 when none */
  char     *reference;        /* that line of the reference output (Python); NULL when it ended */
  char     *candidate;        /* that line of the candidate output (C++); NULL when it ended */
  /* Within the differing line, in characters (UTF-8; an invalid byte counts as one character,
   * as g_utf8_make_valid() replaces it): the text that differs is [column, reference_end) of
   * the reference line and [column, candidate_end) of the candidate line. When one line is
   * missing, column is 0 and the other line's end is its length. All 0 when no line differs. */
  guint     column;           /* length of the common prefix */
  guint     reference_end;    /* where the common suffix starts in the reference line */
  guint     candidate_end;    /* where the common suffix starts in the candidate line */
  gboolean  within_tolerance; /* not an exact match, but every number agrees within @tolerance */
  double    tolerance;        /* the relative tolerance that was used (0: exact only) */
} KilnOutputDiff;

/* Compares two outputs after normalisation and masking with @mask (may be NULL: no
 * masking). Lines show unmasked in the result, so a person sees what was printed.
 * Same as kiln_output_compare_with_tolerance() with a tolerance of 0. */
KilnOutputDiff     *kiln_output_compare               (const char         *reference,
                                                       gsize               reference_len,
                                                       const char         *candidate,
                                                       gsize               candidate_len,
                                                       KilnTimingMask     *mask);
/* Like kiln_output_compare(), and a line that differs may still agree within @tolerance
 * (relative, >= 0): both lines split into the same sequence of numbers and other text, the
 * other text equal, and each pair of numbers a, b equal or |a - b| <= tolerance * max(|a|, |b|).
 * Then match stays FALSE and within_tolerance is TRUE, unless some line differs beyond it. */
KilnOutputDiff     *kiln_output_compare_with_tolerance (const char        *reference,
                                                        gsize              reference_len,
                                                        const char        *candidate,
                                                        gsize              candidate_len,
                                                        KilnTimingMask    *mask,
                                                        double             tolerance);
void                kiln_output_diff_free             (KilnOutputDiff     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnTimingMask, kiln_timing_mask_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnOutputDiff, kiln_output_diff_free)

G_END_DECLS

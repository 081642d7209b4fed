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
  gboolean  match;
  guint     line;       /* 1-based line of the first difference; 0 when they match */
  char     *reference;  /* that line of the reference output (Python); NULL when it ended */
  char     *candidate;  /* that line of the candidate output (C++); NULL when it ended */
} KilnOutputDiff;

/* Compares two outputs after normalisation and masking with @mask (may be NULL: no
 * masking). Lines show unmasked in the result, so a person sees what was printed. */
KilnOutputDiff     *kiln_output_compare               (const char         *reference,
                                                       gsize               reference_len,
                                                       const char         *candidate,
                                                       gsize               candidate_len,
                                                       KilnTimingMask     *mask);
void                kiln_output_diff_free             (KilnOutputDiff     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnTimingMask, kiln_timing_mask_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnOutputDiff, kiln_output_diff_free)

G_END_DECLS

/* kiln-output-compare-private.h: the number scanner the tolerance and the hard-coded
 * answer check share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The length of the printed number that starts at @p (inside the text from @start to @end),
 * or 0: an optional sign, then digits with an optional fraction (or a fraction alone) and
 * an optional complete exponent, or inf, infinity, nan in any case. A number never starts
 * inside a word. */
gsize _kiln_output_scan_number (const char *start,
                                const char *p,
                                const char *end);

G_END_DECLS

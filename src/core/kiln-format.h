/* kiln-format.h: figures written for people (pure)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *kiln_format_duration (double seconds);   /* "1.52 s", "845 ms", "312 µs" */
char *kiln_format_kib      (gint64 kib);       /* "3.4 MB", "812 kB" */
char *kiln_format_speedup  (double speedup,
                            gboolean lower_bound); /* "×34.2", "at least ×1,200" */

char *kiln_format_cost     (double usd);        /* "$0.0042", "$1.27", "less than $0.0001" */

G_END_DECLS

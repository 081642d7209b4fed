/* kiln-run-report.h: reading what kiln-run-helper reports about one run (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KilnRunReport
{
  int      spawn_errno;   /* non-zero when the program could not be started */
  gint64   wall_ns;
  gint64   user_us;
  gint64   sys_us;
  gint64   max_rss_kib;
  int      exit_status;   /* -1 when it was killed by a signal */
  int      signal;        /* 0 when it exited */
  gboolean timed_out;
  gboolean stopped;       /* killed on request: Stop, output cap, quit */
} KilnRunReport;

/* Parses the helper's "key value" lines. Unknown keys are ignored, so the helper can grow;
 * a report without the version line or without an outcome is an error. */
gboolean _kiln_run_report_parse (const char    *text,
                                 gsize          length,
                                 KilnRunReport *report,
                                 GError       **error);

G_END_DECLS

/* kiln-run-report.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-error.h"
#include "kiln-run-report.h"

static gboolean
parse_int64 (const char *text,
             gint64     *value)
{
  return g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, value, NULL);
}

gboolean
_kiln_run_report_parse (const char    *text,
                        gsize          length,
                        KilnRunReport *report,
                        GError       **error)
{
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean versioned = FALSE;
  gboolean outcome = FALSE;

  g_return_val_if_fail (report != NULL, FALSE);

  memset (report, 0, sizeof *report);
  report->exit_status = -1;

  copy = g_strndup (text != NULL ? text : "", length);
  lines = g_strsplit (copy, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *space = strchr (line, ' ');
      g_autofree char *key = NULL;
      const char *value;
      gint64 number;

      if (space == NULL)
        continue;
      key = g_strndup (line, space - line);
      value = space + 1;

      if (g_str_equal (key, "kiln-run-helper"))
        {
          versioned = g_str_equal (value, "1");
          continue;
        }

      if (!parse_int64 (value, &number))
        continue;

      if (g_str_equal (key, "spawn-errno"))
        {
          report->spawn_errno = (int) MIN (number, G_MAXINT);
          outcome = TRUE;
        }
      else if (g_str_equal (key, "wall-ns"))
        report->wall_ns = number;
      else if (g_str_equal (key, "user-us"))
        report->user_us = number;
      else if (g_str_equal (key, "sys-us"))
        report->sys_us = number;
      else if (g_str_equal (key, "maxrss-kib"))
        report->max_rss_kib = number;
      else if (g_str_equal (key, "exit") && number <= 255)
        {
          report->exit_status = (int) number;
          report->signal = 0;
          outcome = TRUE;
        }
      else if (g_str_equal (key, "signal") && number > 0 && number < 128)
        {
          report->signal = (int) number;
          report->exit_status = -1;
          outcome = TRUE;
        }
      else if (g_str_equal (key, "timed-out"))
        report->timed_out = number != 0;
      else if (g_str_equal (key, "stopped"))
        report->stopped = number != 0;
    }

  if (!versioned || !outcome)
    {
      g_set_error (error, KILN_ERROR, KILN_ERROR_SPAWN_FAILED,
                   _("The run helper ended without saying how the program ended. "
                     "Check that kiln-run-helper is installed alongside Kiln."));
      return FALSE;
    }

  return TRUE;
}

/* kiln-core.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <glib/gi18n-lib.h>

#include "kiln-core.h"

void
kiln_core_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      /* Writing to a program that stopped reading its input must not kill Kiln. */
      signal (SIGPIPE, SIG_IGN);
      g_once_init_leave (&initialized, 1);
    }
}

/* main.c: starts Kiln
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "kiln-application.h"
#include "kiln-core.h"

#define SCHEMA_ID "io.github.kilnapp.Kiln"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(KilnApplication) app = NULL;
  GSettingsSchemaSource *source;
  GSettingsSchema *schema = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  kiln_core_init ();

  /* From the build folder or a prefix GLib does not search, the schema is found next to
   * this program; without it GSettings would abort on the first window. */
  g_free (kiln_core_add_settings_schema_dir (SCHEMA_ID));
  if ((source = g_settings_schema_source_get_default ()) != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema == NULL)
    {
      g_printerr (_("Kiln’s settings schema %s is not installed. Run Kiln from its build "
                    "folder, install it with “meson install”, or set GSETTINGS_SCHEMA_DIR "
                    "to the folder holding gschemas.compiled.\n"), SCHEMA_ID);
      return 1;
    }
  g_settings_schema_unref (schema);

  g_set_application_name (_("Kiln"));

  app = kiln_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}

/* kiln-core.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "kiln-core.h"

/* Whether @dir holds a compiled catalog of this package for at least one language
 * (<dir>/LANG/LC_MESSAGES/kiln.mo, the layout of both an installation and the build's po/). */
static gboolean
dir_has_catalog (const char *dir)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  if (entries == NULL)
    return FALSE;
  while ((name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *mo = g_build_filename (dir, name, "LC_MESSAGES",
                                              GETTEXT_PACKAGE ".mo", NULL);

      if (g_file_test (mo, G_FILE_TEST_IS_REGULAR))
        return TRUE;
    }

  return FALSE;
}

/* Where this program's translations are, found like its settings schema: installed,
 * <prefix>/bin/kiln reads <prefix>/share/locale; from the build folder, <build>/src/app/kiln
 * (or <build>/tests/app/…) reads <build>/po, where meson compiles LANG/LC_MESSAGES/kiln.mo. */
static char *
dup_locale_dir (void)
{
  g_autofree char *installed_dir = kiln_core_relocate_path (LOCALEDIR);
  g_autofree char *program_dir = NULL;

  if (installed_dir != NULL && dir_has_catalog (installed_dir))
    return g_steal_pointer (&installed_dir);
  if ((program_dir = kiln_core_dup_program_dir ()) != NULL)
    {
      g_autofree char *path = g_build_filename (program_dir, "..", "..", "po", NULL);
      g_autofree char *build_dir = g_canonicalize_filename (path, NULL);

      if (dir_has_catalog (build_dir))
        return g_steal_pointer (&build_dir);
    }

  return g_strdup (LOCALEDIR);
}

void
kiln_core_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_autofree char *locale_dir = dup_locale_dir ();

      bindtextdomain (GETTEXT_PACKAGE, locale_dir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      /* Writing to a program that stopped reading its input must not kill Kiln. */
      signal (SIGPIPE, SIG_IGN);
      /* GLib registers the built-in resources on their first lookup, and that first lookup
       * is not safe from several threads at once (conversions load their prompts in worker
       * threads side by side): look once here, on the main thread. */
      g_resources_get_info ("/", G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL);
      g_once_init_leave (&initialized, 1);
    }
}

char *
kiln_core_dup_program_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe == NULL || !g_path_is_absolute (exe))
    return NULL;

  return g_path_get_dirname (exe);
}

/* The components of an absolute path, without empty ones and ".". */
static GPtrArray *
split_path (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  GPtrArray *components = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], "..") && components->len > 0)
        g_ptr_array_remove_index (components, components->len - 1);
      else
        g_ptr_array_add (components, g_strdup (parts[i]));
    }

  return components;
}

char *
kiln_core_relocate_path (const char *configured)
{
  g_autofree char *program_dir = NULL;
  g_autoptr(GPtrArray) from = NULL;
  g_autoptr(GPtrArray) to = NULL;
  g_autoptr(GString) path = NULL;
  guint common = 0;

  g_return_val_if_fail (configured != NULL && g_path_is_absolute (configured), NULL);

  if (!(program_dir = kiln_core_dup_program_dir ()))
    return NULL;

  /* BINDIR → @configured as a relative path: up out of what is not shared, then down. */
  from = split_path (BINDIR);
  to = split_path (configured);
  while (common < from->len && common < to->len &&
         g_str_equal (g_ptr_array_index (from, common), g_ptr_array_index (to, common)))
    common++;

  path = g_string_new (program_dir);
  for (guint i = common; i < from->len; i++)
    g_string_append (path, "/..");
  for (guint i = common; i < to->len; i++)
    {
      g_string_append_c (path, '/');
      g_string_append (path, g_ptr_array_index (to, i));
    }

  return g_canonicalize_filename (path->str, NULL);
}

static gboolean
dir_has_schema (const char *dir,
                const char *schema_id)
{
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *compiled = g_build_filename (dir, "gschemas.compiled", NULL);

  if (!g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  source = g_settings_schema_source_new_from_directory (dir, NULL, FALSE, NULL);
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, schema_id, FALSE);

  return schema != NULL;
}

char *
kiln_core_add_settings_schema_dir (const char *schema_id)
{
  g_autofree char *installed_dir = NULL;
  g_autofree char *program_dir = NULL;
  g_autofree char *build_dir = NULL;
  const char *current = g_getenv ("GSETTINGS_SCHEMA_DIR");
  const char *found = NULL;

  g_return_val_if_fail (schema_id != NULL, NULL);

  /* Installed: <prefix>/bin/kiln finds <prefix>/share/glib-2.0/schemas. From the build
   * folder: <build>/src/app/kiln finds <build>/data, where data/meson.build compiles it. */
  if ((installed_dir = kiln_core_relocate_path (DATADIR "/glib-2.0/schemas")) != NULL &&
      dir_has_schema (installed_dir, schema_id))
    found = installed_dir;
  else if ((program_dir = kiln_core_dup_program_dir ()) != NULL)
    {
      g_autofree char *path = g_build_filename (program_dir, "..", "..", "data", NULL);

      build_dir = g_canonicalize_filename (path, NULL);
      if (dir_has_schema (build_dir, schema_id))
        found = build_dir;
    }

  if (found == NULL)
    return NULL;

  if (current == NULL || *current == '\0')
    g_setenv ("GSETTINGS_SCHEMA_DIR", found, TRUE);
  else
    {
      g_auto(GStrv) dirs = g_strsplit (current, G_SEARCHPATH_SEPARATOR_S, -1);
      g_autofree char *value = NULL;

      if (g_strv_contains ((const char * const *) dirs, found))
        return g_strdup (found);
      value = g_strconcat (found, G_SEARCHPATH_SEPARATOR_S, current, NULL);
      g_setenv ("GSETTINGS_SCHEMA_DIR", value, TRUE);
    }

  return g_strdup (found);
}

/* test-locale.c: the window and kiln-cli speak the language of the locale they start in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   test-locale LOCALE     (de_DE.UTF-8 or fr_FR.UTF-8; one process per locale, because
 *                           GTK and gettext read the locale once)
 *
 * Runs from the build folder with nothing installed: kiln_core_init() must find the catalogs
 * meson compiled into <build>/po/LANG/LC_MESSAGES/kiln.mo, and kiln-cli must find them too.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

#include "kiln-application.h"
#include "kiln-core.h"
#include "kiln-window.h"

typedef struct
{
  const char *locale;
  const char *language;
  const char *convert;      /* the Convert button */
  const char *run_python;   /* the Run Python button and its tooltip */
  const char *run_python_tooltip;
  const char *main_menu;    /* the main menu button's tooltip */
  const char *cli_usage;    /* what kiln-cli without a command says first */
  const char *cli_commands; /* the commands in the help that follows */
} Expected;

/* What a German or French reader sees: the translations themselves, not the catalogs'
 * lookups, so a missing or stale .mo fails here. */
static const Expected expectations[] = {
  { "de_DE.UTF-8", "de", "_Umwandeln", "Python ausführen",
    "Das Python-Programm ausführen (Strg+R)", "Hauptmenü",
    "kiln-cli: Sagen Sie, was zu tun ist: run, compare, models, ask oder convert;",
    "run DATEI | compare PYDATEI CPPDATEI" },
  { "fr_FR.UTF-8", "fr", "_Convertir", "Exécuter le Python",
    "Exécuter le programme Python (Ctrl+R)", "Menu principal",
    "kiln-cli: Indiquez quoi faire\u00a0: run, compare, models, ask ou convert\u202f;",
    "run FICHIER | compare FICHIERPY FICHIERCPP" },
};

static const Expected *expected;

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_for_drafts (KilnWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, tick_cb, NULL);

  while (!kiln_window_get_drafts_loaded (window))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up after 30 s waiting for the drafts");
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

/* The first widget under @root (depth first) that is a @type with @action_name, or NULL. */
static GtkWidget *
find_actionable (GtkWidget  *root,
                 GType       type,
                 const char *action_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) && GTK_IS_ACTIONABLE (child) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action_name) == 0)
        return child;
      if ((found = find_actionable (child, type, action_name)) != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_menu_button (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_MENU_BUTTON (child) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (child)))
        return child;
      if ((found = find_menu_button (child)) != NULL)
        return found;
    }

  return NULL;
}

/* The catalog itself: when it is not where kiln_core_init() looked, say so first, because
 * every other check would only report English text. */
static void
test_locale_catalog (void)
{
  const char *translated = g_dgettext (GETTEXT_PACKAGE, "_Convert");

  if (g_str_equal (translated, "_Convert"))
    {
      g_test_message ("No %s catalog for %s in %s: is po/LINGUAS listing it, and did meson "
                      "build %s/LC_MESSAGES/%s.mo?", GETTEXT_PACKAGE, expected->language,
                      bindtextdomain (GETTEXT_PACKAGE, NULL), expected->language,
                      GETTEXT_PACKAGE);
      g_test_fail ();
      return;
    }
  g_assert_cmpstr (translated, ==, expected->convert);
}

static void
test_locale_window (void)
{
  g_autoptr(KilnKeyStore) key_store = kiln_key_store_new (FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkApplication) app = NULL;
  KilnWindow *window;
  GtkWidget *convert;
  GtkWidget *run_python;
  GtkWidget *menu;

  app = g_object_new (KILN_TYPE_APPLICATION,
                      "application-id", "io.github.kilnapp.Kiln.TestLocale",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/io/github/kilnapp/Kiln",
                      "key-store", key_store,
                      NULL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  window = g_object_ref (kiln_window_new (KILN_APPLICATION (app)));
  gtk_window_present (GTK_WINDOW (window));
  wait_for_drafts (window);

  convert = find_actionable (GTK_WIDGET (window), GTK_TYPE_BUTTON, "win.convert");
  g_assert_nonnull (convert);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (convert)), ==, expected->convert);

  run_python = find_actionable (GTK_WIDGET (window), GTK_TYPE_BUTTON, "win.run-python");
  g_assert_nonnull (run_python);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (run_python)), ==, expected->run_python);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (run_python), ==,
                   expected->run_python_tooltip);

  menu = find_menu_button (GTK_WIDGET (window));
  g_assert_nonnull (menu);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (menu), ==, expected->main_menu);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* kiln-cli from the build folder, with the environment a person has: no catalog path set. */
static void
test_locale_cli (void)
{
  const char *cli = g_getenv ("KILN_CLI");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *argv[] = { cli, NULL };
  int status = 0;

  g_assert_nonnull (cli);
  env = g_environ_setenv (env, "LC_ALL", expected->locale, TRUE);
  env = g_environ_setenv (env, "LANG", expected->locale, TRUE);
  env = g_environ_setenv (env, "LANGUAGE", expected->language, TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);

  /* No command is a usage error (exit 2), said in the reader's language. */
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  if (!g_str_has_prefix (err, expected->cli_usage))
    g_error ("kiln-cli under %s printed:\n%s", expected->locale, err);
  g_assert_nonnull (strstr (err, expected->cli_commands));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("kiln-test-locale-XXXXXX", &error);
  g_autofree char *state = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *config = NULL;
  const char *locale = NULL;
  int status;

  g_assert_no_error (error);
  for (int i = 1; i < argc; i++)
    if (argv[i][0] != '-')
      locale = argv[i];
  for (guint i = 0; locale != NULL && i < G_N_ELEMENTS (expectations); i++)
    if (g_str_equal (expectations[i].locale, locale))
      expected = &expectations[i];
  if (expected == NULL)
    {
      g_printerr ("usage: test-locale de_DE.UTF-8|fr_FR.UTF-8\n");
      return 2;
    }

  /* Before GTK and gettext read them: only this locale, and this language. */
  g_setenv ("LC_ALL", expected->locale, TRUE);
  g_setenv ("LANG", expected->locale, TRUE);
  g_setenv ("LANGUAGE", expected->language, TRUE);
  if (setlocale (LC_ALL, "") == NULL)
    {
      /* Not a skip: without the locale the window never translates, and that is what this
       * test is for. build-aux/dev generates both locales on a fresh machine. */
      g_printerr ("The locale %s is not available on this system, so nothing can be shown "
                  "translated. Run build-aux/dev deps (it generates it), or as root: "
                  "localedef -i %.5s -f UTF-8 %s\n", expected->locale, expected->locale,
                  expected->locale);
      return 1;
    }

  state = g_build_filename (home, "state", NULL);
  cache = g_build_filename (home, "cache", NULL);
  config = g_build_filename (home, "config", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  /* What src/app/main.c does: the core binds the catalog, the templates use the default
   * domain. */
  kiln_core_init ();
  textdomain (GETTEXT_PACKAGE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/locale/catalog", test_locale_catalog);
  g_test_add_func ("/locale/window", test_locale_window);
  g_test_add_func ("/locale/cli", test_locale_cli);

  status = g_test_run ();

  if (status == 0)
    {
      g_autofree char *quoted = g_shell_quote (home);
      g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

      if (system (command) != 0)
        g_test_message ("Could not remove %s", home);
    }

  return status;
}

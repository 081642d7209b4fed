/* kiln-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-application.h"
#include "kiln-preferences-window.h"
#include "kiln-window.h"

struct _KilnApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (KilnApplication, kiln_application, ADW_TYPE_APPLICATION)

static void
kiln_application_activate (GApplication *app)
{
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (kiln_window_new (KILN_APPLICATION (app)));

  gtk_window_present (window);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  g_autoptr(GList) windows = NULL;

  /* Closing (rather than quitting the main loop) lets each window cancel its runs and hold
   * the application until its drafts are on disk; the application ends with the last one. */
  windows = g_list_copy (gtk_application_get_windows (app));
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkApplication *app = user_data;
  KilnPreferencesWindow *preferences;

  preferences = kiln_preferences_window_new (gtk_application_get_active_window (app));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { _("The Kiln authors"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Kiln"),
                        "application-icon", APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Turn Python into fast C++ and prove it: run both, "
                                      "compare their outputs and see the speedup."),
                        "website", "https://github.com/kilnapp/kiln",
                        "issue-url", "https://github.com/kilnapp/kiln/issues",
                        "developers", developers,
                        "copyright", _("© The Kiln authors"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "about", about_action },
};

typedef struct
{
  const char *action;
  const char *accels[3];
} Accel;

static const Accel accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "win.open", { "<Control>o", NULL } },
  { "win.save-cpp-as", { "<Control><Shift>s", NULL } },
  { "win.run-python", { "<Control>r", NULL } },
  { "win.run-cpp", { "<Control><Shift>r", NULL } },
  { "win.convert", { "<Control>Return", "<Control>KP_Enter", NULL } },
};

static void
kiln_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (kiln_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app),
                                           accels[i].action, accels[i].accels);
}

static void
kiln_application_class_init (KilnApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = kiln_application_activate;
  app_class->startup = kiln_application_startup;
}

static void
kiln_application_init (KilnApplication *self)
{
}

KilnApplication *
kiln_application_new (void)
{
  /* The resource path stays the same for the development profile's application id, so
   * GTK finds gtk/help-overlay.ui and libadwaita finds style.css. */
  return g_object_new (KILN_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/kilnapp/Kiln",
                       NULL);
}

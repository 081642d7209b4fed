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
  AdwApplication     parent_instance;

  KilnKeyStore      *key_store;
  KilnModelRegistry *registry;
  GCancellable      *cancellable;
  gboolean           models_loaded;
  KilnHistory       *history;
  gboolean           history_open;
  char              *history_problem; /* why it did not open, or what was kept aside */
};

G_DEFINE_FINAL_TYPE (KilnApplication, kiln_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_KEY_STORE,
  PROP_MODELS_LOADED,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
  KilnApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  KilnPreferencesWindow *preferences;

  preferences = kiln_preferences_window_new (parent, self->registry);
  if (g_str_equal (g_action_get_name (G_ACTION (action)), "preferences-models"))
    kiln_preferences_window_show_keys (preferences);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
discovered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The registry's items say what was found. */
  if (!kiln_model_registry_discover_finish (KILN_MODEL_REGISTRY (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Looking for local models failed: %s", error->message);
}

/* After "ollama serve" in a terminal: the local servers are asked again. */
static void
discover_models_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  KilnApplication *self = user_data;

  kiln_model_registry_discover_async (self->registry, self->cancellable, discovered_cb, NULL);
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
  /* Preferences on the Models page, the API keys at the top. */
  { "preferences-models", preferences_action },
  { "discover-models", discover_models_action },
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
  { "win.run-both", { "F5", NULL } },
  { "win.convert", { "<Control>Return", "<Control>KP_Enter", NULL } },
};

/* Models */

static void
models_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(KilnApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Bad entries, or an unreadable override file, are in the registry's errors: the
   * windows show those. */
  if (!kiln_model_registry_load_finish (KILN_MODEL_REGISTRY (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Loading the models failed: %s", error->message);
    }

  self->models_loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODELS_LOADED]);
}

static void
history_opened_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(KilnApplication) self = user_data;
  KilnHistory *history = KILN_HISTORY (object);
  g_autoptr(GError) error = NULL;
  const char *aside;

  if (!kiln_history_open_finish (history, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Conversions still work; they are only not remembered. */
      self->history_problem = g_strdup_printf (_("Past comparisons are not saved: %s"),
                                               error->message);
    }
  else
    {
      aside = kiln_history_get_recovered_path (history);
      if (aside != NULL)
        self->history_problem = g_strdup_printf (_("The history of past comparisons was "
                                                   "damaged. It was kept aside as “%s”, and a "
                                                   "new one was started."), aside);
      self->history_open = TRUE;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

static void
kiln_application_startup (GApplication *app)
{
  KilnApplication *self = KILN_APPLICATION (app);

  G_APPLICATION_CLASS (kiln_application_parent_class)->startup (app);

  /* The load also asks the local servers what they serve, so no separate discovery. */
  if (self->key_store == NULL)
    self->key_store = kiln_key_store_new (TRUE);
  self->registry = kiln_model_registry_new (self->key_store);
  kiln_model_registry_load_async (self->registry, self->cancellable, models_loaded_cb,
                                  g_object_ref (self));
  self->history = kiln_history_new (NULL);
  kiln_history_open_async (self->history, self->cancellable, history_opened_cb,
                           g_object_ref (self));

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app),
                                           accels[i].action, accels[i].accels);
}

static void
kiln_application_shutdown (GApplication *app)
{
  KilnApplication *self = KILN_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);

  G_APPLICATION_CLASS (kiln_application_parent_class)->shutdown (app);
}

static void
kiln_application_dispose (GObject *object)
{
  KilnApplication *self = KILN_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->registry);
  g_clear_object (&self->key_store);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (kiln_application_parent_class)->dispose (object);
}

static void
kiln_application_finalize (GObject *object)
{
  KilnApplication *self = KILN_APPLICATION (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->history_problem, g_free);

  G_OBJECT_CLASS (kiln_application_parent_class)->finalize (object);
}

static void
kiln_application_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KilnApplication *self = KILN_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_KEY_STORE:
      g_value_set_object (value, self->key_store);
      break;

    case PROP_MODELS_LOADED:
      g_value_set_boolean (value, self->models_loaded);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, kiln_application_get_history (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_application_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KilnApplication *self = KILN_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_KEY_STORE:
      self->key_store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_application_class_init (KilnApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = kiln_application_dispose;
  object_class->finalize = kiln_application_finalize;
  object_class->get_property = kiln_application_get_property;
  object_class->set_property = kiln_application_set_property;
  app_class->activate = kiln_application_activate;
  app_class->startup = kiln_application_startup;
  app_class->shutdown = kiln_application_shutdown;

  properties[PROP_KEY_STORE] =
    g_param_spec_object ("key-store", NULL, NULL, KILN_TYPE_KEY_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODELS_LOADED] =
    g_param_spec_boolean ("models-loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The history of past comparisons, once it opened; NULL before and when it could not. */
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, KILN_TYPE_HISTORY,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kiln_application_init (KilnApplication *self)
{
  self->cancellable = g_cancellable_new ();
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

KilnKeyStore *
kiln_application_get_key_store (KilnApplication *self)
{
  g_return_val_if_fail (KILN_IS_APPLICATION (self), NULL);

  return self->key_store;
}

KilnModelRegistry *
kiln_application_get_model_registry (KilnApplication *self)
{
  g_return_val_if_fail (KILN_IS_APPLICATION (self), NULL);

  return self->registry;
}

KilnHistory *
kiln_application_get_history (KilnApplication *self)
{
  g_return_val_if_fail (KILN_IS_APPLICATION (self), NULL);

  return self->history_open ? self->history : NULL;
}

const char *
kiln_application_get_history_problem (KilnApplication *self)
{
  g_return_val_if_fail (KILN_IS_APPLICATION (self), NULL);

  return self->history_problem;
}

gboolean
kiln_application_get_models_loaded (KilnApplication *self)
{
  g_return_val_if_fail (KILN_IS_APPLICATION (self), FALSE);

  return self->models_loaded;
}

/* kiln-history-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-history-window.h"

struct _KilnHistoryWindow
{
  AdwWindow        parent_instance;

  KilnHistory     *history;
  GCancellable    *cancellable;        /* the window's: cancelled when it closes */
  GCancellable    *list_cancellable;   /* the read under way; a newer read cancels it */
  char            *error_message;
  guint            loading : 1;

  AdwToastOverlay *toasts;
  GtkStack        *stack;
  AdwStatusPage   *error_page;
  GListStore      *entries;
};

G_DEFINE_FINAL_TYPE (KilnHistoryWindow, kiln_history_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_ENTRIES,
  PROP_LOADING,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum {
  OPEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* A call to the history: its callback touches the window only while this is not cancelled
 * (the window cancels it when it closes, and may be gone by then). */
typedef struct
{
  KilnHistoryWindow *self;
  GCancellable      *cancellable;
} Call;

static Call *
call_new (KilnHistoryWindow *self,
          GCancellable      *cancellable)
{
  Call *call = g_new0 (Call, 1);

  call->self = self;
  call->cancellable = g_object_ref (cancellable);
  return call;
}

static void
call_free (Call *call)
{
  g_object_unref (call->cancellable);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

/* --- the rows' closures ------------------------------------------------------------------- */

static char *
format_details (gpointer    unused,
                gint64      created,
                const char *models)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (created / G_USEC_PER_SEC);
  /* Translators: when a past comparison was made, as g_date_time_format() writes it, e.g.
     "14 March 2025, 09:30" */
  g_autofree char *when = date != NULL ? g_date_time_format (date, _("%-d %B %Y, %H:%M"))
                                       : NULL;

  if (models == NULL || *models == '\0')
    return g_strdup (when != NULL ? when : "");

  /* Translators: a past comparison's date and the models it compared, e.g.
     "14 March 2025, 09:30 · GPT-5 mini, Claude Sonnet 4.5" */
  return g_strdup_printf (_("%s · %s"), when != NULL ? when : "", models);
}

static char *
format_best (gpointer unused,
             double   best_speedup)
{
  if (best_speedup <= 0)
    return g_strdup ("—");
  return kiln_format_speedup (best_speedup, FALSE);
}

static char *
format_best_tooltip (gpointer    unused,
                     const char *best_model,
                     double      best_speedup)
{
  g_autofree char *speedup = NULL;

  if (best_model == NULL || best_speedup <= 0)
    return g_strdup (_("No conversion was verified"));

  speedup = kiln_format_speedup (best_speedup, FALSE);
  /* Translators: the tooltip of a past comparison's best speedup; %s: a model, %s: "×41.0" */
  return g_strdup_printf (_("Fastest verified conversion: %s, %s"), best_model, speedup);
}

static char **
best_classes (gpointer unused,
              double   best_speedup)
{
  if (best_speedup <= 0)
    return g_strdupv ((char **) (const char *[]) { "dim-label", NULL });
  return g_strdupv ((char **) (const char *[]) { "title-3", "speedup", "numeric", NULL });
}

static GVariant *
entry_target (gpointer unused,
              gint64   id)
{
  return g_variant_new_int64 (id);
}

/* --- reading the history ------------------------------------------------------------------ */

static void
set_loading (KilnHistoryWindow *self,
             gboolean           loading)
{
  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_error_message (KilnHistoryWindow *self,
                   const char        *message)
{
  if (g_strcmp0 (self->error_message, message) == 0)
    return;

  g_free (self->error_message);
  self->error_message = g_strdup (message);
  adw_status_page_set_description (self->error_page, message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
update_page (KilnHistoryWindow *self)
{
  gboolean listed = g_list_model_get_n_items (G_LIST_MODEL (self->entries)) > 0;
  const char *shown = gtk_stack_get_visible_child_name (self->stack);
  const char *page;

  /* A list being read again stays up; anything else waits with a spinner */
  if (self->loading && !listed)
    page = "loading";
  else if (self->error_message != NULL)
    page = "error";
  else if (listed)
    page = "list";
  else
    page = "empty";

  /* No fade out of a spinner that barely showed */
  gtk_stack_set_visible_child_full (self->stack, page,
                                    g_strcmp0 (shown, "loading") == 0
                                    ? GTK_STACK_TRANSITION_TYPE_NONE
                                    : GTK_STACK_TRANSITION_TYPE_CROSSFADE);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  KilnHistoryWindow *self;
  guint n;

  entries = kiln_history_list_finish (KILN_HISTORY (source), result, &error);
  /* Closed, or a newer read replaced this one */
  if (g_cancellable_is_cancelled (call->cancellable))
    return;

  self = call->self;
  set_loading (self, FALSE);
  if (entries == NULL)
    {
      set_error_message (self, error->message);
      update_page (self);
      return;
    }

  n = g_list_model_get_n_items (entries);
  items = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (entries, i));
  set_error_message (self, NULL);
  g_list_store_splice (self->entries, 0, g_list_model_get_n_items (G_LIST_MODEL (self->entries)),
                       items->pdata, items->len);
  update_page (self);
}

void
kiln_history_window_reload (KilnHistoryWindow *self)
{
  g_return_if_fail (KILN_IS_HISTORY_WINDOW (self));

  if (self->list_cancellable != NULL)
    g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();

  set_loading (self, TRUE);
  update_page (self);
  kiln_history_list_async (self->history, 0, self->list_cancellable, list_cb,
                           call_new (self, self->list_cancellable));
}

static void
delete_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  KilnHistoryWindow *self;

  /* The delete is not cancelled with the window: it was asked for, so it is carried out */
  kiln_history_delete_finish (KILN_HISTORY (source), result, &error);
  if (g_cancellable_is_cancelled (call->cancellable))
    return;

  self = call->self;
  if (error != NULL)
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
  kiln_history_window_reload (self);
}

/* --- actions ------------------------------------------------------------------------------ */

static void
open_id (KilnHistoryWindow *self,
         gint64             id)
{
  g_object_ref (self);
  g_signal_emit (self, signals[OPEN], 0, id);
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  open_id (KILN_HISTORY_WINDOW (widget), g_variant_get_int64 (parameter));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  KilnHistoryWindow *self = KILN_HISTORY_WINDOW (widget);

  kiln_history_delete_async (self->history, g_variant_get_int64 (parameter), NULL,
                             delete_cb, call_new (self, self->cancellable));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  kiln_history_window_reload (KILN_HISTORY_WINDOW (widget));
}

static void
activate_cb (KilnHistoryWindow *self,
             guint              position)
{
  g_autoptr(KilnHistoryEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->entries),
                                                             position);

  if (entry != NULL)
    open_id (self, kiln_history_entry_get_id (entry));
}

/* --- API ---------------------------------------------------------------------------------- */

KilnHistoryWindow *
kiln_history_window_new (GtkWindow   *parent,
                         KilnHistory *history)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (KILN_IS_HISTORY (history), NULL);

  return g_object_new (KILN_TYPE_HISTORY_WINDOW,
                       "transient-for", parent,
                       "history", history,
                       NULL);
}

KilnHistory *
kiln_history_window_get_history (KilnHistoryWindow *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_WINDOW (self), NULL);

  return self->history;
}

GListModel *
kiln_history_window_get_entries (KilnHistoryWindow *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_WINDOW (self), NULL);

  return G_LIST_MODEL (self->entries);
}

gboolean
kiln_history_window_get_loading (KilnHistoryWindow *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_WINDOW (self), FALSE);

  return self->loading;
}

const char *
kiln_history_window_get_error_message (KilnHistoryWindow *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_WINDOW (self), NULL);

  return self->error_message;
}

/* --- object ------------------------------------------------------------------------------- */

static void
kiln_history_window_constructed (GObject *object)
{
  KilnHistoryWindow *self = KILN_HISTORY_WINDOW (object);

  G_OBJECT_CLASS (kiln_history_window_parent_class)->constructed (object);

  g_assert (self->history != NULL);
  kiln_history_window_reload (self);
}

static void
kiln_history_window_dispose (GObject *object)
{
  KilnHistoryWindow *self = KILN_HISTORY_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->list_cancellable != NULL)
    g_cancellable_cancel (self->list_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_HISTORY_WINDOW);
  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (kiln_history_window_parent_class)->dispose (object);
}

static void
kiln_history_window_finalize (GObject *object)
{
  KilnHistoryWindow *self = KILN_HISTORY_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (kiln_history_window_parent_class)->finalize (object);
}

static void
kiln_history_window_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  KilnHistoryWindow *self = KILN_HISTORY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;

    case PROP_ENTRIES:
      g_value_set_object (value, self->entries);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_history_window_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  KilnHistoryWindow *self = KILN_HISTORY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      self->history = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_history_window_class_init (KilnHistoryWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = kiln_history_window_constructed;
  object_class->dispose = kiln_history_window_dispose;
  object_class->finalize = kiln_history_window_finalize;
  object_class->get_property = kiln_history_window_get_property;
  object_class->set_property = kiln_history_window_set_property;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, KILN_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENTRIES] =
    g_param_spec_object ("entries", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[OPEN] =
    g_signal_new ("open", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "history.open", "x", open_action);
  gtk_widget_class_install_action (widget_class, "history.delete", "x", delete_action);
  gtk_widget_class_install_action (widget_class, "history.reload", NULL, reload_action);

  /* The templates name it before anything else has */
  g_type_ensure (KILN_TYPE_HISTORY_ENTRY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-history-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnHistoryWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, KilnHistoryWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KilnHistoryWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, KilnHistoryWindow, entries);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, format_details);
  gtk_widget_class_bind_template_callback (widget_class, format_best);
  gtk_widget_class_bind_template_callback (widget_class, format_best_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, best_classes);
  gtk_widget_class_bind_template_callback (widget_class, entry_target);
}

static void
kiln_history_window_init (KilnHistoryWindow *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

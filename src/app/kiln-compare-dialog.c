/* kiln-compare-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-compare-dialog.h"

struct _KilnCompareDialog
{
  AdwWindow   parent_instance;

  GListModel *model_items;
  GHashTable *checked;          /* ids the person checked (available or not) */

  GtkListBox *list_box;
};

G_DEFINE_FINAL_TYPE (KilnCompareDialog, kiln_compare_dialog, ADW_TYPE_WINDOW)

enum {
  CONVERT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char **
kiln_compare_dialog_get_checked_ids (KilnCompareDialog *self)
{
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  guint n;

  g_return_val_if_fail (KILN_IS_COMPARE_DIALOG (self), NULL);

  n = self->model_items != NULL ? g_list_model_get_n_items (self->model_items) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KilnModelItem) item = g_list_model_get_item (self->model_items, i);
      const char *id = kiln_model_item_get_id (item);

      if (kiln_model_item_get_available (item) && g_hash_table_contains (self->checked, id))
        g_strv_builder_add (ids, id);
    }

  return g_strv_builder_end (ids);
}

static void
update_actions (KilnCompareDialog *self)
{
  g_auto(GStrv) ids = kiln_compare_dialog_get_checked_ids (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.convert-all", ids[0] != NULL);
}

/* --- the rows ----------------------------------------------------------------------------- */

static void check_toggled_cb (GtkCheckButton    *check,
                              KilnCompareDialog *self);

static void
update_row (KilnCompareDialog *self,
            AdwActionRow      *row)
{
  KilnModelItem *item = g_object_get_data (G_OBJECT (row), "kiln-item");
  GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "kiln-check");
  gboolean available = kiln_model_item_get_available (item);
  const char *hint = kiln_model_item_get_hint (item);

  adw_action_row_set_subtitle (row, available || hint == NULL
                                    ? kiln_model_item_get_provider (item) : hint);
  gtk_widget_set_sensitive (GTK_WIDGET (row), available);

  g_signal_handlers_block_by_func (check, check_toggled_cb, self);
  gtk_check_button_set_active (check, available &&
                               g_hash_table_contains (self->checked,
                                                      kiln_model_item_get_id (item)));
  g_signal_handlers_unblock_by_func (check, check_toggled_cb, self);
}

static void
item_notify_cb (KilnModelItem *item,
                GParamSpec    *pspec,
                AdwActionRow  *row)
{
  KilnCompareDialog *self = g_object_get_data (G_OBJECT (row), "kiln-dialog");

  update_row (self, row);
  update_actions (self);
}

static void
check_toggled_cb (GtkCheckButton    *check,
                  KilnCompareDialog *self)
{
  const char *id = g_object_get_data (G_OBJECT (check), "kiln-id");

  if (gtk_check_button_get_active (check))
    g_hash_table_add (self->checked, g_strdup (id));
  else
    g_hash_table_remove (self->checked, id);

  update_actions (self);
}

static GtkWidget *
create_row_cb (gpointer item_ptr,
               gpointer user_data)
{
  KilnCompareDialog *self = user_data;
  KilnModelItem *item = item_ptr;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), kiln_model_item_get_label (item));
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  kiln_model_item_get_label (item),
                                  -1);

  g_object_set_data_full (G_OBJECT (check), "kiln-id",
                          g_strdup (kiln_model_item_get_id (item)), g_free);
  g_object_set_data_full (G_OBJECT (row), "kiln-item", g_object_ref (item), g_object_unref);
  g_object_set_data (G_OBJECT (row), "kiln-check", check);
  g_object_set_data (G_OBJECT (row), "kiln-dialog", self);

  g_signal_connect_object (check, "toggled", G_CALLBACK (check_toggled_cb), self, 0);
  g_signal_connect_object (item, "notify::available", G_CALLBACK (item_notify_cb), row, 0);
  g_signal_connect_object (item, "notify::hint", G_CALLBACK (item_notify_cb), row, 0);

  update_row (self, ADW_ACTION_ROW (row));

  return row;
}

static void
items_changed_cb (KilnCompareDialog *self)
{
  update_actions (self);
}

/* --- API ---------------------------------------------------------------------------------- */

void
kiln_compare_dialog_set_checked (KilnCompareDialog *self,
                                 const char        *id,
                                 gboolean           checked)
{
  g_return_if_fail (KILN_IS_COMPARE_DIALOG (self));
  g_return_if_fail (id != NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      KilnModelItem *item = g_object_get_data (G_OBJECT (row), "kiln-item");
      GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "kiln-check");

      if (item != NULL && g_str_equal (kiln_model_item_get_id (item), id))
        {
          /* An unavailable model stays unchecked, as its row is insensitive */
          if (kiln_model_item_get_available (item))
            gtk_check_button_set_active (check, checked);
          return;
        }
    }
}

KilnCompareDialog *
kiln_compare_dialog_new (GtkWindow          *parent,
                         GListModel         *model_items,
                         const char * const *checked_ids)
{
  KilnCompareDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (model_items), NULL);
  g_return_val_if_fail (g_type_is_a (g_list_model_get_item_type (model_items),
                                     KILN_TYPE_MODEL_ITEM), NULL);

  self = g_object_new (KILN_TYPE_COMPARE_DIALOG,
                       "transient-for", parent,
                       NULL);

  for (guint i = 0; checked_ids != NULL && checked_ids[i] != NULL; i++)
    g_hash_table_add (self->checked, g_strdup (checked_ids[i]));

  self->model_items = g_object_ref (model_items);
  g_signal_connect_object (model_items, "items-changed", G_CALLBACK (items_changed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->list_box, model_items, create_row_cb, self, NULL);
  update_actions (self);

  return self;
}

/* --- actions ------------------------------------------------------------------------------ */

static void
convert_all_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  KilnCompareDialog *self = KILN_COMPARE_DIALOG (widget);
  g_auto(GStrv) ids = kiln_compare_dialog_get_checked_ids (self);

  if (ids[0] == NULL)
    return;

  g_object_ref (self);
  g_signal_emit (self, signals[CONVERT], 0, ids);
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

/* --- object ------------------------------------------------------------------------------- */

static void
kiln_compare_dialog_dispose (GObject *object)
{
  KilnCompareDialog *self = KILN_COMPARE_DIALOG (object);

  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_COMPARE_DIALOG);
  g_clear_object (&self->model_items);

  G_OBJECT_CLASS (kiln_compare_dialog_parent_class)->dispose (object);
}

static void
kiln_compare_dialog_finalize (GObject *object)
{
  KilnCompareDialog *self = KILN_COMPARE_DIALOG (object);

  g_clear_pointer (&self->checked, g_hash_table_unref);

  G_OBJECT_CLASS (kiln_compare_dialog_parent_class)->finalize (object);
}

static void
kiln_compare_dialog_class_init (KilnCompareDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_compare_dialog_dispose;
  object_class->finalize = kiln_compare_dialog_finalize;

  signals[CONVERT] =
    g_signal_new ("convert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRV);

  gtk_widget_class_install_action (widget_class, "compare.convert-all", NULL,
                                   convert_all_action);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-compare-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnCompareDialog, list_box);
}

static void
kiln_compare_dialog_init (KilnCompareDialog *self)
{
  self->checked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.convert-all", FALSE);
}

/* kiln-model-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-model-row.h"

struct _KilnModelRow
{
  GtkWidget      parent_instance;

  KilnModelItem *item;
  GSignalGroup  *item_signals;
  GObject       *selected_item;
  guint          compact : 1;

  GtkWidget     *box;
  GtkLabel      *title_label;
  GtkLabel      *provider_label;
  GtkLabel      *hint_label;
  GtkWidget     *warning_image;
  GtkWidget     *check_image;
};

G_DEFINE_FINAL_TYPE (KilnModelRow, kiln_model_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ITEM,
  PROP_SELECTED_ITEM,
  PROP_COMPACT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The row's labels are presentation only: the row's accessible name says it all once. */
static void
update_accessible (KilnModelRow *self,
                   gboolean      available,
                   const char   *hint)
{
  g_autofree char *name = NULL;
  const char *label;
  const char *provider;

  if (self->item == NULL)
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL);
      return;
    }

  label = kiln_model_item_get_label (self->item);
  provider = kiln_model_item_get_provider (self->item);

  if (self->compact)
    name = g_strdup (label);
  else if (available)
    /* Translators: the accessible name of a model in the model list: the model, then its
     * provider, "GPT-5, OpenAI" */
    name = g_strdup_printf (_("%s, %s"), label, provider);
  else
    /* Translators: the accessible name of a model that cannot be used now: the model, its
     * provider, then what it lacks, "GPT-5, OpenAI, unavailable: Set OPENAI_API_KEY or add
     * the key in Preferences" */
    name = g_strdup_printf (_("%s, %s, unavailable: %s"), label, provider,
                            hint != NULL ? hint : "");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->warning_image),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, hint != NULL ? hint : "",
                                  -1);
}

static void
update (KilnModelRow *self)
{
  gboolean available = self->item == NULL || kiln_model_item_get_available (self->item);
  const char *hint = self->item != NULL ? kiln_model_item_get_hint (self->item) : NULL;

  gtk_label_set_label (self->title_label,
                       self->item != NULL ? kiln_model_item_get_label (self->item) : "");
  gtk_label_set_label (self->provider_label,
                       self->item != NULL ? kiln_model_item_get_provider (self->item) : "");
  gtk_label_set_label (self->hint_label, hint != NULL ? hint : "");

  gtk_widget_set_visible (GTK_WIDGET (self->provider_label), !self->compact);
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), !self->compact && !available);
  gtk_widget_set_visible (self->warning_image, self->compact && !available);
  gtk_widget_set_visible (self->check_image, !self->compact);
  gtk_widget_set_opacity (self->check_image,
                          self->item != NULL && (GObject *) self->item == self->selected_item
                          ? 1.0 : 0.0);

  /* Still selectable, so the hint can be read, but visibly not ready. */
  if (!self->compact && !available)
    gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->title_label), "dim-label");

  gtk_widget_set_tooltip_text (GTK_WIDGET (self), self->compact ? NULL : hint);
  update_accessible (self, available, hint);
}

KilnModelItem *
kiln_model_row_get_item (KilnModelRow *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_ROW (self), NULL);

  return self->item;
}

void
kiln_model_row_set_item (KilnModelRow  *self,
                         KilnModelItem *item)
{
  g_return_if_fail (KILN_IS_MODEL_ROW (self));
  g_return_if_fail (item == NULL || KILN_IS_MODEL_ITEM (item));

  if (!g_set_object (&self->item, item))
    return;

  g_signal_group_set_target (self->item_signals, item);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

static void
set_compact (KilnModelRow *self,
             gboolean      compact)
{
  if (self->compact == !!compact)
    return;

  self->compact = !!compact;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPACT]);
}

static void
set_selected_item (KilnModelRow *self,
                   GObject      *selected_item)
{
  if (!g_set_object (&self->selected_item, selected_item))
    return;

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ITEM]);
}

static void
kiln_model_row_dispose (GObject *object)
{
  KilnModelRow *self = KILN_MODEL_ROW (object);

  g_signal_group_set_target (self->item_signals, NULL);
  g_clear_object (&self->item);
  g_clear_object (&self->selected_item);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_MODEL_ROW);

  G_OBJECT_CLASS (kiln_model_row_parent_class)->dispose (object);
}

static void
kiln_model_row_finalize (GObject *object)
{
  KilnModelRow *self = KILN_MODEL_ROW (object);

  g_clear_object (&self->item_signals);

  G_OBJECT_CLASS (kiln_model_row_parent_class)->finalize (object);
}

static void
kiln_model_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  KilnModelRow *self = KILN_MODEL_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;

    case PROP_SELECTED_ITEM:
      g_value_set_object (value, self->selected_item);
      break;

    case PROP_COMPACT:
      g_value_set_boolean (value, self->compact);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_model_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  KilnModelRow *self = KILN_MODEL_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      kiln_model_row_set_item (self, g_value_get_object (value));
      break;

    case PROP_SELECTED_ITEM:
      set_selected_item (self, g_value_get_object (value));
      break;

    case PROP_COMPACT:
      set_compact (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_model_row_class_init (KilnModelRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_model_row_dispose;
  object_class->finalize = kiln_model_row_finalize;
  object_class->get_property = kiln_model_row_get_property;
  object_class->set_property = kiln_model_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, KILN_TYPE_MODEL_ITEM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_ITEM] =
    g_param_spec_object ("selected-item", NULL, NULL, G_TYPE_OBJECT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPACT] =
    g_param_spec_boolean ("compact", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-model-row.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnModelRow, box);
  gtk_widget_class_bind_template_child (widget_class, KilnModelRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, KilnModelRow, provider_label);
  gtk_widget_class_bind_template_child (widget_class, KilnModelRow, hint_label);
  gtk_widget_class_bind_template_child (widget_class, KilnModelRow, warning_image);
  gtk_widget_class_bind_template_child (widget_class, KilnModelRow, check_image);
}

static void
kiln_model_row_init (KilnModelRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The registry learns about keys and servers after the row is shown. */
  self->item_signals = g_signal_group_new (KILN_TYPE_MODEL_ITEM);
  g_signal_group_connect_swapped (self->item_signals, "notify::available",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->item_signals, "notify::hint",
                                  G_CALLBACK (update), self);

  update (self);
}

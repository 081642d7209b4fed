/* kiln-model-dropdown.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-a11y.h"
#include "kiln-model-dropdown.h"
#include "kiln-model-row.h"

struct _KilnModelDropdown
{
  GtkWidget          parent_instance;

  KilnModelRegistry *registry;
  GSignalGroup      *item_signals;   /* the selected item's availability */
  char              *model_id;
  guint              updating;       /* selection changes that nobody asked for */
  guint              loading : 1;
  guint              no_usable_models : 1;

  GtkWidget         *box;
  GtkSortListModel  *sorted;
  GtkDropDown       *placeholder;
  GtkStringList     *placeholder_list;
  GtkDropDown       *drop_down;
};

G_DEFINE_FINAL_TYPE (KilnModelDropdown, kiln_model_dropdown, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_REGISTRY,
  PROP_LOADING,
  PROP_MODEL_ID,
  PROP_NO_USABLE_MODELS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
has_usable_model (KilnModelDropdown *self)
{
  GListModel *list = G_LIST_MODEL (self->sorted);
  guint n_items = g_list_model_get_n_items (list);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(KilnModelItem) item = g_list_model_get_item (list, i);

      if (kiln_model_item_get_available (item))
        return TRUE;
    }

  return FALSE;
}

static void
update_no_usable_models (KilnModelDropdown *self)
{
  gboolean no_usable_models;

  /* Disposed */
  if (self->sorted == NULL)
    return;

  no_usable_models = self->registry != NULL && !self->loading && !has_usable_model (self);
  if (self->no_usable_models == no_usable_models)
    return;

  self->no_usable_models = no_usable_models;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NO_USABLE_MODELS]);
}

/* The tooltip says what an unavailable model lacks; the accessible name says which model
 * is chosen, the description what it lacks. */
static void
update_tooltip (KilnModelDropdown *self)
{
  KilnModelItem *item;
  g_autofree char *name = NULL;

  /* Building or disposing the template. */
  if (self->drop_down == NULL)
    return;

  item = kiln_model_dropdown_get_selected_item (self);
  if (item != NULL && !kiln_model_item_get_available (item))
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->drop_down), kiln_model_item_get_hint (item));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->drop_down),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      kiln_model_item_get_hint (item),
                                      -1);
    }
  else
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->drop_down),
                                   _("The model that converts the code"));
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->drop_down),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }

  if (item != NULL)
    /* Translators: the accessible name of the model dropdown; %s is a model, "GPT-5" */
    name = g_strdup_printf (_("Model: %s"), kiln_model_item_get_label (item));
  kiln_a11y_set_label (GTK_WIDGET (self->drop_down), name != NULL ? name : _("Model"));
}

static void
update_placeholder (KilnModelDropdown *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->sorted)) == 0;
  const char *text = self->loading ? _("Loading models…") : _("No models configured");
  const char * const texts[] = { text, NULL };

  gtk_string_list_splice (self->placeholder_list, 0, 1, texts);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder), self->loading || empty);
  gtk_widget_set_visible (GTK_WIDGET (self->drop_down), !self->loading && !empty);
}

/* Shows the chosen model, else the first one that is available, else the first. */
static void
select_model (KilnModelDropdown *self)
{
  GListModel *list = G_LIST_MODEL (self->sorted);
  guint n_items = g_list_model_get_n_items (list);
  guint chosen = GTK_INVALID_LIST_POSITION;
  guint available = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; i < n_items && chosen == GTK_INVALID_LIST_POSITION; i++)
    {
      g_autoptr(KilnModelItem) item = g_list_model_get_item (list, i);

      if (g_strcmp0 (kiln_model_item_get_id (item), self->model_id) == 0)
        chosen = i;
      else if (available == GTK_INVALID_LIST_POSITION && kiln_model_item_get_available (item))
        available = i;
    }

  if (chosen == GTK_INVALID_LIST_POSITION)
    chosen = available != GTK_INVALID_LIST_POSITION ? available : (n_items > 0 ? 0 : chosen);

  self->updating++;
  gtk_drop_down_set_selected (self->drop_down, chosen);
  self->updating--;

  update_placeholder (self);
  update_no_usable_models (self);
}

static void
selected_cb (KilnModelDropdown *self)
{
  KilnModelItem *item;

  /* Building or disposing the template. */
  if (self->drop_down == NULL)
    return;

  item = gtk_drop_down_get_selected_item (self->drop_down);
  g_signal_group_set_target (self->item_signals, item);
  update_tooltip (self);

  /* The list changing under the dropdown moves the selection: that is no choice. */
  if (self->updating > 0 || item == NULL)
    return;

  if (g_strcmp0 (self->model_id, kiln_model_item_get_id (item)) == 0)
    return;

  g_free (self->model_id);
  self->model_id = g_strdup (kiln_model_item_get_id (item));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_ID]);
}

/* The popup's own selection follows the pointer: the check mark follows the dropdown's. */
static void
setup_row_cb (KilnModelDropdown *self,
              GtkListItem       *list_item)
{
  GtkWidget *row = g_object_new (KILN_TYPE_MODEL_ROW, NULL);

  g_object_bind_property (self->drop_down, "selected-item", row, "selected-item",
                          G_BINDING_SYNC_CREATE);
  gtk_list_item_set_child (list_item, row);
}

static void
bind_row_cb (KilnModelDropdown *self,
             GtkListItem       *list_item)
{
  kiln_model_row_set_item (KILN_MODEL_ROW (gtk_list_item_get_child (list_item)),
                           gtk_list_item_get_item (list_item));
}

static void
unbind_row_cb (KilnModelDropdown *self,
               GtkListItem       *list_item)
{
  kiln_model_row_set_item (KILN_MODEL_ROW (gtk_list_item_get_child (list_item)), NULL);
}

static void
registry_items_changing_cb (KilnModelDropdown *self)
{
  self->updating++;
}

static void
registry_items_changed_cb (KilnModelDropdown *self)
{
  self->updating--;
  select_model (self);
}

/* Availability is known later than the list: the usable models move to the top, and a
 * model not chosen may be a better default. The sort model neither watches its items nor
 * sorts again for a sorter that says it changed but compares the same properties: it is
 * given its sorter anew. */
static void
registry_changed_cb (KilnModelDropdown *self)
{
  g_autoptr(GtkSorter) sorter = g_object_ref (gtk_sort_list_model_get_sorter (self->sorted));

  self->updating++;
  gtk_sort_list_model_set_sorter (self->sorted, NULL);
  gtk_sort_list_model_set_sorter (self->sorted, sorter);
  self->updating--;

  select_model (self);
  update_tooltip (self);
}

KilnModelRegistry *
kiln_model_dropdown_get_registry (KilnModelDropdown *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_DROPDOWN (self), NULL);

  return self->registry;
}

void
kiln_model_dropdown_set_registry (KilnModelDropdown *self,
                                  KilnModelRegistry *registry)
{
  g_return_if_fail (KILN_IS_MODEL_DROPDOWN (self));
  g_return_if_fail (registry == NULL || KILN_IS_MODEL_REGISTRY (registry));

  if (self->registry == registry)
    return;

  if (self->registry != NULL)
    g_signal_handlers_disconnect_by_data (self->registry, self);
  g_set_object (&self->registry, registry);

  /* Around the sort model's own handler, which is connected after these. */
  if (registry != NULL)
    {
      g_signal_connect_object (registry, "items-changed",
                               G_CALLBACK (registry_items_changing_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (registry, "items-changed",
                               G_CALLBACK (registry_items_changed_cb), self,
                               G_CONNECT_SWAPPED | G_CONNECT_AFTER);
      g_signal_connect_object (registry, "changed",
                               G_CALLBACK (registry_changed_cb), self, G_CONNECT_SWAPPED);
    }

  self->updating++;
  gtk_sort_list_model_set_model (self->sorted, G_LIST_MODEL (registry));
  self->updating--;
  select_model (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTRY]);
}

gboolean
kiln_model_dropdown_get_loading (KilnModelDropdown *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_DROPDOWN (self), FALSE);

  return self->loading;
}

void
kiln_model_dropdown_set_loading (KilnModelDropdown *self,
                                 gboolean           loading)
{
  g_return_if_fail (KILN_IS_MODEL_DROPDOWN (self));

  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  update_placeholder (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  update_no_usable_models (self);
}

gboolean
kiln_model_dropdown_get_no_usable_models (KilnModelDropdown *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_DROPDOWN (self), FALSE);

  return self->no_usable_models;
}

char *
kiln_model_dropdown_dup_unusable_reason (KilnModelDropdown *self)
{
  KilnModelItem *item;
  const char *hint;

  g_return_val_if_fail (KILN_IS_MODEL_DROPDOWN (self), NULL);

  item = kiln_model_dropdown_get_selected_item (self);
  if (item != NULL && kiln_model_item_get_available (item))
    return NULL;

  if (self->registry == NULL || self->loading)
    return g_strdup (_("The models are still loading"));

  if (!has_usable_model (self))
    return g_strdup (_("No model is usable yet: add an API key in Preferences or start Ollama"));

  if (item == NULL)
    return g_strdup (_("Choose a model first"));

  hint = kiln_model_item_get_hint (item);
  if (hint == NULL)
    /* Translators: %s is a model, "GPT-5" */
    return g_strdup_printf (_("%s is unavailable"), kiln_model_item_get_label (item));

  /* Translators: a model, then what it lacks: "GPT-5 is unavailable: Set OPENAI_API_KEY or
   * add the key in Preferences" */
  return g_strdup_printf (_("%s is unavailable: %s"), kiln_model_item_get_label (item), hint);
}

const char *
kiln_model_dropdown_get_model_id (KilnModelDropdown *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_DROPDOWN (self), NULL);

  return self->model_id;
}

void
kiln_model_dropdown_set_model_id (KilnModelDropdown *self,
                                  const char        *model_id)
{
  g_return_if_fail (KILN_IS_MODEL_DROPDOWN (self));

  if (model_id != NULL && *model_id == '\0')
    model_id = NULL;

  if (g_strcmp0 (self->model_id, model_id) == 0)
    return;

  g_free (self->model_id);
  self->model_id = g_strdup (model_id);

  select_model (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_ID]);
}

KilnModelItem *
kiln_model_dropdown_get_selected_item (KilnModelDropdown *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_DROPDOWN (self), NULL);

  return gtk_drop_down_get_selected_item (self->drop_down);
}

GtkDropDown *
kiln_model_dropdown_get_drop_down (KilnModelDropdown *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_DROPDOWN (self), NULL);

  return self->drop_down;
}

static void
kiln_model_dropdown_dispose (GObject *object)
{
  KilnModelDropdown *self = KILN_MODEL_DROPDOWN (object);

  if (self->registry != NULL)
    g_signal_handlers_disconnect_by_data (self->registry, self);
  g_signal_group_set_target (self->item_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_MODEL_DROPDOWN);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (kiln_model_dropdown_parent_class)->dispose (object);
}

static void
kiln_model_dropdown_finalize (GObject *object)
{
  KilnModelDropdown *self = KILN_MODEL_DROPDOWN (object);

  g_clear_object (&self->item_signals);
  g_clear_pointer (&self->model_id, g_free);

  G_OBJECT_CLASS (kiln_model_dropdown_parent_class)->finalize (object);
}

static void
kiln_model_dropdown_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  KilnModelDropdown *self = KILN_MODEL_DROPDOWN (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_MODEL_ID:
      /* Never NULL, so that it binds to a string setting. */
      g_value_set_string (value, self->model_id != NULL ? self->model_id : "");
      break;

    case PROP_NO_USABLE_MODELS:
      g_value_set_boolean (value, self->no_usable_models);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_model_dropdown_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  KilnModelDropdown *self = KILN_MODEL_DROPDOWN (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      kiln_model_dropdown_set_registry (self, g_value_get_object (value));
      break;

    case PROP_LOADING:
      kiln_model_dropdown_set_loading (self, g_value_get_boolean (value));
      break;

    case PROP_MODEL_ID:
      kiln_model_dropdown_set_model_id (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_model_dropdown_class_init (KilnModelDropdownClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_model_dropdown_dispose;
  object_class->finalize = kiln_model_dropdown_finalize;
  object_class->get_property = kiln_model_dropdown_get_property;
  object_class->set_property = kiln_model_dropdown_set_property;

  properties[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL, KILN_TYPE_MODEL_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_ID] =
    g_param_spec_string ("model-id", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NO_USABLE_MODELS] =
    g_param_spec_boolean ("no-usable-models", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KILN_TYPE_MODEL_ITEM);
  g_type_ensure (KILN_TYPE_MODEL_ROW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-model-dropdown.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnModelDropdown, box);
  gtk_widget_class_bind_template_child (widget_class, KilnModelDropdown, sorted);
  gtk_widget_class_bind_template_child (widget_class, KilnModelDropdown, placeholder);
  gtk_widget_class_bind_template_child (widget_class, KilnModelDropdown, placeholder_list);
  gtk_widget_class_bind_template_child (widget_class, KilnModelDropdown, drop_down);
  gtk_widget_class_bind_template_callback (widget_class, selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_row_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_row_cb);
  gtk_widget_class_bind_template_callback (widget_class, unbind_row_cb);
}

static void
kiln_model_dropdown_init (KilnModelDropdown *self)
{
  self->loading = TRUE;
  self->item_signals = g_signal_group_new (KILN_TYPE_MODEL_ITEM);
  g_signal_group_connect_swapped (self->item_signals, "notify::available",
                                  G_CALLBACK (update_tooltip), self);
  g_signal_group_connect_swapped (self->item_signals, "notify::hint",
                                  G_CALLBACK (update_tooltip), self);

  gtk_widget_init_template (GTK_WIDGET (self));

  kiln_a11y_set_label (GTK_WIDGET (self->placeholder), _("Model"));
  update_tooltip (self);
  update_placeholder (self);
}

/* kiln-model-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-model-item-private.h"

struct _KilnModelItem
{
  GObject    parent_instance;

  KilnModel *model;
  char      *hint;
  gboolean   available;
};

G_DEFINE_FINAL_TYPE (KilnModelItem, kiln_model_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_ID,
  PROP_LABEL,
  PROP_PROVIDER,
  PROP_ORIGIN,
  PROP_AVAILABLE,
  PROP_HINT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
kiln_model_item_finalize (GObject *object)
{
  KilnModelItem *self = KILN_MODEL_ITEM (object);

  g_clear_pointer (&self->model, kiln_model_unref);
  g_clear_pointer (&self->hint, g_free);

  G_OBJECT_CLASS (kiln_model_item_parent_class)->finalize (object);
}

static void
kiln_model_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KilnModelItem *self = KILN_MODEL_ITEM (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_boxed (value, self->model);
      break;

    case PROP_ID:
      g_value_set_string (value, kiln_model_item_get_id (self));
      break;

    case PROP_LABEL:
      g_value_set_string (value, kiln_model_item_get_label (self));
      break;

    case PROP_PROVIDER:
      g_value_set_string (value, kiln_model_item_get_provider (self));
      break;

    case PROP_ORIGIN:
      g_value_set_string (value, kiln_model_item_get_origin (self));
      break;

    case PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;

    case PROP_HINT:
      g_value_set_string (value, self->hint);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_model_item_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  KilnModelItem *self = KILN_MODEL_ITEM (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      self->model = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_model_item_class_init (KilnModelItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kiln_model_item_finalize;
  object_class->get_property = kiln_model_item_get_property;
  object_class->set_property = kiln_model_item_set_property;

  properties[PROP_MODEL] =
    g_param_spec_boxed ("model", NULL, NULL, KILN_TYPE_MODEL,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROVIDER] =
    g_param_spec_string ("provider", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ORIGIN] =
    g_param_spec_string ("origin", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HINT] =
    g_param_spec_string ("hint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kiln_model_item_init (KilnModelItem *self)
{
}

KilnModelItem *
kiln_model_item_new (KilnModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  return g_object_new (KILN_TYPE_MODEL_ITEM, "model", model, NULL);
}

KilnModel *
kiln_model_item_get_model (KilnModelItem *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_ITEM (self), NULL);

  return self->model;
}

const char *
kiln_model_item_get_id (KilnModelItem *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_ITEM (self), NULL);

  return self->model != NULL ? self->model->id : NULL;
}

const char *
kiln_model_item_get_label (KilnModelItem *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_ITEM (self), NULL);

  return self->model != NULL ? self->model->label : NULL;
}

const char *
kiln_model_item_get_provider (KilnModelItem *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_ITEM (self), NULL);

  return self->model != NULL ? self->model->provider : NULL;
}

const char *
kiln_model_item_get_origin (KilnModelItem *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_ITEM (self), NULL);

  return self->model != NULL ? self->model->origin : NULL;
}

gboolean
kiln_model_item_get_available (KilnModelItem *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_ITEM (self), FALSE);

  return self->available;
}

const char *
kiln_model_item_get_hint (KilnModelItem *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_ITEM (self), NULL);

  return self->hint;
}

void
_kiln_model_item_set_availability (KilnModelItem *self,
                                   gboolean       available,
                                   const char    *hint)
{
  g_return_if_fail (KILN_IS_MODEL_ITEM (self));

  available = !!available;
  if (available)
    hint = NULL;

  if (g_strcmp0 (self->hint, hint) != 0)
    {
      g_free (self->hint);
      self->hint = g_strdup (hint);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HINT]);
    }

  if (self->available != available)
    {
      self->available = available;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
    }
}

/* kiln-history-entry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-history-entry-private.h"

#define TITLE_MAX_CHARS 80

struct _KilnHistoryEntry
{
  GObject  parent_instance;

  gint64   id;
  gint64   created;
  char    *language;
  char    *title;
  char    *source;
  char    *models;
  char    *best_model;
  double   best_speedup;
  guint    n_conversions;
};

G_DEFINE_FINAL_TYPE (KilnHistoryEntry, kiln_history_entry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CREATED,
  PROP_LANGUAGE,
  PROP_TITLE,
  PROP_SOURCE,
  PROP_N_CONVERSIONS,
  PROP_MODELS,
  PROP_BEST_MODEL,
  PROP_BEST_SPEEDUP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Skips C and C++ comments at the start of @text; returns what follows them, or NULL when
 * the line ends inside a block comment (*in_block is then TRUE). */
static const char *
skip_c_comments (const char *text,
                 gboolean   *in_block)
{
  for (;;)
    {
      const char *end;

      while (g_ascii_isspace (*text))
        text++;

      if (*in_block)
        {
          if ((end = strstr (text, "*/")) == NULL)
            return NULL;
          *in_block = FALSE;
          text = end + 2;
          continue;
        }

      if (g_str_has_prefix (text, "//"))
        return "";

      if (g_str_has_prefix (text, "/*"))
        {
          *in_block = TRUE;
          text += 2;
          continue;
        }

      return text;
    }
}

char *
_kiln_history_entry_make_title (const char *language,
                                const char *source)
{
  g_autofree char *valid = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean python = g_strcmp0 (language, "cpp") != 0;
  gboolean c_like = g_strcmp0 (language, "python") != 0;
  gboolean in_block = FALSE;

  if (source == NULL)
    return g_strdup (_("Untitled"));

  valid = g_utf8_make_valid (source, -1);
  lines = g_strsplit (valid, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *text = lines[i];
      g_autofree char *line = NULL;

      if (c_like && (text = skip_c_comments (text, &in_block)) == NULL)
        continue;

      line = g_strstrip (g_strdup (text));
      if (line[0] == '\0' || (python && line[0] == '#'))
        continue;

      if (g_utf8_strlen (line, -1) > TITLE_MAX_CHARS)
        {
          g_autofree char *head = g_utf8_substring (line, 0, TITLE_MAX_CHARS - 1);
          g_autofree char *trimmed = g_strdup (g_strchomp (head));

          return g_strconcat (trimmed, "…", NULL);
        }

      return g_steal_pointer (&line);
    }

  return g_strdup (_("Untitled"));
}

static void
kiln_history_entry_finalize (GObject *object)
{
  KilnHistoryEntry *self = KILN_HISTORY_ENTRY (object);

  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->models, g_free);
  g_clear_pointer (&self->best_model, g_free);

  G_OBJECT_CLASS (kiln_history_entry_parent_class)->finalize (object);
}

static void
kiln_history_entry_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  KilnHistoryEntry *self = KILN_HISTORY_ENTRY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;

    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;

    case PROP_N_CONVERSIONS:
      g_value_set_uint (value, self->n_conversions);
      break;

    case PROP_MODELS:
      g_value_set_string (value, self->models);
      break;

    case PROP_BEST_MODEL:
      g_value_set_string (value, self->best_model);
      break;

    case PROP_BEST_SPEEDUP:
      g_value_set_double (value, self->best_speedup);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_history_entry_class_init (KilnHistoryEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = kiln_history_entry_finalize;
  object_class->get_property = kiln_history_entry_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, NULL, flags);
  properties[PROP_N_CONVERSIONS] =
    g_param_spec_uint ("n-conversions", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MODELS] =
    g_param_spec_string ("models", NULL, NULL, NULL, flags);
  properties[PROP_BEST_MODEL] =
    g_param_spec_string ("best-model", NULL, NULL, NULL, flags);
  properties[PROP_BEST_SPEEDUP] =
    g_param_spec_double ("best-speedup", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kiln_history_entry_init (KilnHistoryEntry *self)
{
}

KilnHistoryEntry *
_kiln_history_entry_new (gint64      id,
                         gint64      created,
                         const char *language,
                         const char *source,
                         guint       n_conversions,
                         const char *models,
                         const char *best_model,
                         double      best_speedup)
{
  KilnHistoryEntry *self = g_object_new (KILN_TYPE_HISTORY_ENTRY, NULL);

  self->id = id;
  self->created = created;
  self->language = g_strdup (language);
  self->source = g_strdup (source != NULL ? source : "");
  self->title = _kiln_history_entry_make_title (language, source);
  self->n_conversions = n_conversions;
  self->models = g_strdup (models != NULL ? models : "");
  self->best_model = g_strdup (best_model);
  self->best_speedup = best_speedup > 0 ? best_speedup : 0;

  return self;
}

gint64
kiln_history_entry_get_id (KilnHistoryEntry *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_ENTRY (self), 0);

  return self->id;
}

gint64
kiln_history_entry_get_created (KilnHistoryEntry *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_ENTRY (self), 0);

  return self->created;
}

GDateTime *
kiln_history_entry_dup_created_date_time (KilnHistoryEntry *self)
{
  g_autoptr(GDateTime) epoch = NULL;
  g_autoptr(GDateTime) utc = NULL;

  g_return_val_if_fail (KILN_IS_HISTORY_ENTRY (self), NULL);

  epoch = g_date_time_new_from_unix_utc (0);
  utc = g_date_time_add (epoch, self->created);

  return utc != NULL ? g_date_time_to_local (utc) : NULL;
}

const char *
kiln_history_entry_get_language (KilnHistoryEntry *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_ENTRY (self), NULL);

  return self->language;
}

const char *
kiln_history_entry_get_title (KilnHistoryEntry *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_ENTRY (self), NULL);

  return self->title;
}

const char *
kiln_history_entry_get_source (KilnHistoryEntry *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_ENTRY (self), NULL);

  return self->source;
}

guint
kiln_history_entry_get_n_conversions (KilnHistoryEntry *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_ENTRY (self), 0);

  return self->n_conversions;
}

const char *
kiln_history_entry_get_models (KilnHistoryEntry *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_ENTRY (self), NULL);

  return self->models;
}

const char *
kiln_history_entry_get_best_model (KilnHistoryEntry *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_ENTRY (self), NULL);

  return self->best_model;
}

double
kiln_history_entry_get_best_speedup (KilnHistoryEntry *self)
{
  g_return_val_if_fail (KILN_IS_HISTORY_ENTRY (self), 0);

  return self->best_speedup;
}

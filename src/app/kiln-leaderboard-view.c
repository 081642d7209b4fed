/* kiln-leaderboard-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "kiln-leaderboard-view.h"

struct _KilnLeaderboard
{
  GtkWidget            parent_instance;

  GListModel          *model;
  gulong               items_changed_id;
  GPtrArray           *item_signals;   /* a GSignalGroup per item of model, in its order */
  KilnConversion      *selected;
  GtkSorter           *rank_sorter;

  GtkWidget           *scroller;
  GtkColumnView       *column_view;
  GtkSingleSelection  *selection;
  GtkSortListModel    *sorted;
  GtkColumnViewColumn *verdict_column;
};

G_DEFINE_FINAL_TYPE (KilnLeaderboard, kiln_leaderboard, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_SELECTED,
  PROP_SORTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* --- the cells' closures ------------------------------------------------------------------ */

static char *
format_verdict (gpointer             unused,
                KilnConversion      *conversion,
                KilnVerdict          verdict,
                guint                diff_line,
                KilnConversionPhase  phase)
{
  /* The figures are only here so that the cell follows them */
  if (conversion == NULL)
    return g_strdup ("");
  return kiln_conversion_dup_verdict_text (conversion);
}

static char **
verdict_classes (gpointer    unused,
                 KilnVerdict verdict,
                 gboolean    running)
{
  const char *style;

  switch (verdict)
    {
    case KILN_VERDICT_MATCHED:
    case KILN_VERDICT_MATCHED_WITHIN_TOLERANCE:
      style = "success";
      break;
    case KILN_VERDICT_HARD_CODED:
      style = "warning";
      break;
    case KILN_VERDICT_NONE:
    case KILN_VERDICT_STOPPED:
      style = "dim-label";
      break;
    case KILN_VERDICT_UNVERIFIED:
      style = NULL;
      break;
    case KILN_VERDICT_OUTPUT_DIFFERS:
    case KILN_VERDICT_COMPILE_ERROR:
    case KILN_VERDICT_RUNTIME_ERROR:
    case KILN_VERDICT_TIMED_OUT:
    case KILN_VERDICT_REFUSED:
    case KILN_VERDICT_TRUNCATED:
    case KILN_VERDICT_NO_CODE:
    case KILN_VERDICT_ERROR:
    default:
      style = "error";
      break;
    }

  if (running)
    style = "dim-label";

  return g_strdupv ((char **) (const char *[]) { style, NULL });
}

static char *
format_attempts (gpointer unused,
                 guint    attempt,
                 guint    max_attempts)
{
  if (attempt == 0)
    return g_strdup ("—");

  /* Translators: the attempts a model made, of the most it was allowed, e.g. "2 of 3" */
  return g_strdup_printf (_("%u of %u"), attempt, MAX (attempt, max_attempts));
}

static char *
format_seconds (gpointer unused,
                double   seconds)
{
  if (!isfinite (seconds) || seconds <= 0)
    return g_strdup ("—");
  return kiln_format_duration (seconds);
}

static char *
format_speedup (gpointer unused,
                gboolean verified,
                double   speedup,
                gboolean lower_bound)
{
  /* An output that differs has no speedup worth a number */
  if (!verified || !isfinite (speedup) || speedup <= 0)
    return g_strdup ("—");
  return kiln_format_speedup (speedup, lower_bound);
}

static char **
speedup_classes (gpointer unused,
                 gboolean verified)
{
  return g_strdupv ((char **) (const char *[]) { "numeric",
                                                 verified ? "speedup" : "dim-label",
                                                 NULL });
}

static char *
format_count (gpointer unused,
              gint64   count)
{
  if (count < 0)
    return g_strdup ("—");
  return g_strdup_printf ("%'" G_GINT64_FORMAT, count);
}

static char *
format_rate (gpointer unused,
             double   per_second)
{
  if (!isfinite (per_second) || per_second < 0)
    return g_strdup ("—");
  return g_strdup_printf (per_second < 10 ? "%.1f" : "%.0f", per_second);
}

static char *
format_cost (gpointer unused,
             double   usd)
{
  if (!isfinite (usd) || usd < 0)
    return g_strdup ("—");
  return kiln_format_cost (usd);
}

/* --- following the conversions ------------------------------------------------------------ */

/* GtkSortListModel does not watch its items: a changed figure sorts every row again. */
static void
item_changed_cb (KilnLeaderboard *self)
{
  gtk_sorter_changed (self->rank_sorter, GTK_SORTER_CHANGE_DIFFERENT);
}

static GSignalGroup *
follow_item (KilnLeaderboard *self,
             KilnConversion  *conversion)
{
  static const char * const watched[] = {
    "notify::model-label", "notify::verdict", "notify::speedup",
    "notify::speedup-is-lower-bound", "notify::attempt", "notify::cpp-seconds",
    "notify::ttft-seconds", "notify::tokens-in", "notify::tokens-out",
    "notify::tokens-per-second", "notify::cost-usd", "notify::seconds",
  };
  GSignalGroup *group = g_signal_group_new (KILN_TYPE_CONVERSION);

  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    g_signal_group_connect_swapped (group, watched[i], G_CALLBACK (item_changed_cb), self);
  g_signal_group_set_target (group, conversion);

  return group;
}

static void
items_changed_cb (GListModel      *model,
                  guint            position,
                  guint            removed,
                  guint            added,
                  KilnLeaderboard *self)
{
  if (removed > 0)
    g_ptr_array_remove_range (self->item_signals, position, removed);
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(KilnConversion) conversion = g_list_model_get_item (model, position + i);

      g_ptr_array_insert (self->item_signals, position + i, follow_item (self, conversion));
    }
}

static void
selected_item_cb (KilnLeaderboard *self)
{
  KilnConversion *selected = gtk_single_selection_get_selected_item (self->selection);

  if (g_set_object (&self->selected, selected))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

/* --- API ---------------------------------------------------------------------------------- */

GtkWidget *
kiln_leaderboard_new (void)
{
  return g_object_new (KILN_TYPE_LEADERBOARD, NULL);
}

GListModel *
kiln_leaderboard_get_model (KilnLeaderboard *self)
{
  g_return_val_if_fail (KILN_IS_LEADERBOARD (self), NULL);

  return self->model;
}

void
kiln_leaderboard_set_model (KilnLeaderboard *self,
                            GListModel      *model)
{
  g_return_if_fail (KILN_IS_LEADERBOARD (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));
  g_return_if_fail (model == NULL ||
                    g_type_is_a (g_list_model_get_item_type (model), KILN_TYPE_CONVERSION));

  if (self->model == model)
    return;

  g_clear_signal_handler (&self->items_changed_id, self->model);
  g_set_object (&self->model, model);
  g_ptr_array_set_size (self->item_signals, 0);
  if (model != NULL)
    {
      self->items_changed_id = g_signal_connect (model, "items-changed",
                                                 G_CALLBACK (items_changed_cb), self);
      items_changed_cb (model, 0, 0, g_list_model_get_n_items (model), self);
    }
  gtk_sort_list_model_set_model (self->sorted, model);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

KilnConversion *
kiln_leaderboard_get_selected (KilnLeaderboard *self)
{
  g_return_val_if_fail (KILN_IS_LEADERBOARD (self), NULL);

  return self->selected;
}

void
kiln_leaderboard_set_selected (KilnLeaderboard *self,
                               KilnConversion  *conversion)
{
  GListModel *rows;
  guint position = GTK_INVALID_LIST_POSITION;

  g_return_if_fail (KILN_IS_LEADERBOARD (self));
  g_return_if_fail (conversion == NULL || KILN_IS_CONVERSION (conversion));

  rows = G_LIST_MODEL (self->sorted);
  for (guint i = 0; conversion != NULL && i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(KilnConversion) row = g_list_model_get_item (rows, i);

      if (row == conversion)
        {
          position = i;
          break;
        }
    }

  gtk_single_selection_set_selected (self->selection, position);
  if (position == GTK_INVALID_LIST_POSITION)
    return;

  /* GtkColumnView has no scroll_to before GTK 4.12: its list view has the action */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
    }
}

GListModel *
kiln_leaderboard_get_sorted (KilnLeaderboard *self)
{
  g_return_val_if_fail (KILN_IS_LEADERBOARD (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

/* --- object ------------------------------------------------------------------------------- */

static void
kiln_leaderboard_dispose (GObject *object)
{
  KilnLeaderboard *self = KILN_LEADERBOARD (object);

  g_clear_signal_handler (&self->items_changed_id, self->model);
  if (self->item_signals != NULL)
    g_ptr_array_set_size (self->item_signals, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_LEADERBOARD);
  g_clear_object (&self->model);
  g_clear_object (&self->selected);
  g_clear_object (&self->rank_sorter);

  G_OBJECT_CLASS (kiln_leaderboard_parent_class)->dispose (object);
}

static void
kiln_leaderboard_finalize (GObject *object)
{
  KilnLeaderboard *self = KILN_LEADERBOARD (object);

  g_clear_pointer (&self->item_signals, g_ptr_array_unref);

  G_OBJECT_CLASS (kiln_leaderboard_parent_class)->finalize (object);
}

static void
kiln_leaderboard_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KilnLeaderboard *self = KILN_LEADERBOARD (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_SELECTED:
      g_value_set_object (value, self->selected);
      break;

    case PROP_SORTED:
      g_value_set_object (value, self->sorted);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_leaderboard_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KilnLeaderboard *self = KILN_LEADERBOARD (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      kiln_leaderboard_set_model (self, g_value_get_object (value));
      break;

    case PROP_SELECTED:
      kiln_leaderboard_set_selected (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_leaderboard_class_init (KilnLeaderboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_leaderboard_dispose;
  object_class->finalize = kiln_leaderboard_finalize;
  object_class->get_property = kiln_leaderboard_get_property;
  object_class->set_property = kiln_leaderboard_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, KILN_TYPE_CONVERSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORTED] =
    g_param_spec_object ("sorted", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The templates name it before anything else has */
  g_type_ensure (KILN_TYPE_CONVERSION);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-leaderboard-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnLeaderboard, scroller);
  gtk_widget_class_bind_template_child (widget_class, KilnLeaderboard, column_view);
  gtk_widget_class_bind_template_child (widget_class, KilnLeaderboard, selection);
  gtk_widget_class_bind_template_child (widget_class, KilnLeaderboard, sorted);
  gtk_widget_class_bind_template_child (widget_class, KilnLeaderboard, verdict_column);
  gtk_widget_class_bind_template_callback (widget_class, selected_item_cb);
  gtk_widget_class_bind_template_callback (widget_class, format_verdict);
  gtk_widget_class_bind_template_callback (widget_class, verdict_classes);
  gtk_widget_class_bind_template_callback (widget_class, format_attempts);
  gtk_widget_class_bind_template_callback (widget_class, format_seconds);
  gtk_widget_class_bind_template_callback (widget_class, format_speedup);
  gtk_widget_class_bind_template_callback (widget_class, speedup_classes);
  gtk_widget_class_bind_template_callback (widget_class, format_count);
  gtk_widget_class_bind_template_callback (widget_class, format_rate);
  gtk_widget_class_bind_template_callback (widget_class, format_cost);
}

static void
kiln_leaderboard_init (KilnLeaderboard *self)
{
  GtkMultiSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->item_signals = g_ptr_array_new_with_free_func (g_object_unref);

  /* The Verdict column sorts in leaderboard order, which is also the order within equal
   * cells of any other column. */
  self->rank_sorter = GTK_SORTER (gtk_custom_sorter_new (kiln_conversion_compare_rank,
                                                         NULL, NULL));
  gtk_column_view_column_set_sorter (self->verdict_column, self->rank_sorter);
  sorter = gtk_multi_sorter_new ();
  gtk_multi_sorter_append (sorter, g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  gtk_multi_sorter_append (sorter, g_object_ref (self->rank_sorter));
  gtk_sort_list_model_set_sorter (self->sorted, GTK_SORTER (sorter));
  g_object_unref (sorter);
  gtk_column_view_sort_by_column (self->column_view, self->verdict_column, GTK_SORT_ASCENDING);
}

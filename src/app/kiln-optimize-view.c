/* kiln-optimize-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "kiln-optimize-view.h"

struct _KilnOptimizeView
{
  GtkWidget              parent_instance;

  KilnOptimizer         *optimizer;
  GSignalGroup          *optimizer_signals;
  GListModel            *rows;           /* the rounds' candidates, flattened */
  GPtrArray             *result_items;   /* GtkListItem bound in the Result column */
  KilnOptimizeCandidate *selected;
  char                  *status_text;

  GtkWidget             *box;
  GtkSpinButton         *rounds_spin;
  GtkCheckButton        *flags_check;
  GtkLabel              *status_label;
  GtkStack              *stack;
  GtkColumnView         *column_view;
  GtkSingleSelection    *selection;
};

G_DEFINE_FINAL_TYPE (KilnOptimizeView, kiln_optimize_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_OPTIMIZER,
  PROP_SELECTED,
  PROP_ROUNDS,
  PROP_SEARCH_FLAGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* --- what a row says ---------------------------------------------------------------------- */

static KilnOptimizeRoundKind
round_kind (KilnOptimizeView      *self,
            KilnOptimizeCandidate *candidate)
{
  GListModel *history;

  if (self->optimizer == NULL)
    return KILN_OPTIMIZE_ROUND_MODEL;

  history = kiln_optimizer_get_history (self->optimizer);
  for (guint i = 0; i < g_list_model_get_n_items (history); i++)
    {
      g_autoptr(KilnOptimizeRound) round = g_list_model_get_item (history, i);

      if (kiln_optimize_round_get_number (round) == candidate->round)
        return kiln_optimize_round_get_kind (round);
    }

  return candidate->round == 0 ? KILN_OPTIMIZE_ROUND_START : KILN_OPTIMIZE_ROUND_MODEL;
}

static char *
format_round (KilnOptimizeView      *self,
              KilnOptimizeCandidate *candidate)
{
  switch (round_kind (self, candidate))
    {
    case KILN_OPTIMIZE_ROUND_START:
      /* Translators: the round column's entry for the program Make It Faster started from */
      return g_strdup (_("Start"));
    case KILN_OPTIMIZE_ROUND_FLAGS:
      /* Translators: the round column's entry for builds with other compiler options; %u
       * numbers them */
      return g_strdup_printf (_("Options %u"), candidate->index);
    case KILN_OPTIMIZE_ROUND_MODEL:
    default:
      if (self->optimizer != NULL && kiln_optimizer_get_samples (self->optimizer) > 1)
        /* Translators: round and candidate within it, e.g. "2.1" */
        return g_strdup_printf (_("%u.%u"), candidate->round, candidate->index);
      return g_strdup_printf ("%u", candidate->round);
    }
}

static char *
format_seconds (double seconds)
{
  if (!isfinite (seconds) || seconds <= 0)
    return g_strdup ("—");
  return kiln_format_duration (seconds);
}

static char *
format_factor (KilnOptimizeCandidate *candidate,
               double                 factor)
{
  if (!kiln_optimize_candidate_get_verified (candidate) || !isfinite (factor) || factor <= 0)
    return g_strdup ("—");
  return kiln_format_speedup (factor, FALSE);
}

static char *
format_summary (KilnOptimizeCandidate *candidate)
{
  if (candidate->summary != NULL && *candidate->summary != '\0')
    return g_strdup (candidate->summary);
  if (candidate->round == 0)
    return g_strdup (_("The program to make faster"));
  return g_strdup ("—");
}

char *
kiln_optimize_view_dup_result_text (KilnOptimizeView      *self,
                                    KilnOptimizeCandidate *candidate)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_VIEW (self), NULL);
  g_return_val_if_fail (KILN_IS_OPTIMIZE_CANDIDATE (candidate), NULL);

  if (self->optimizer != NULL && kiln_optimizer_get_best (self->optimizer) == candidate)
    /* Translators: the candidate kept in the end */
    return g_strdup (_("Best"));
  if (candidate->kept)
    /* Translators: a candidate that was the best until a later one beat it */
    return g_strdup (_("Kept, then beaten"));
  if (kiln_optimize_candidate_get_verified (candidate))
    /* Translators: a correct candidate that was not faster beyond the noise */
    return g_strdup (_("Not faster"));
  /* Translators: a candidate whose output was wrong, or that did not build or run */
  return g_strdup (_("Rejected"));
}

/* --- cells -------------------------------------------------------------------------------- */

static void
setup_label (GtkListItem *item,
             float        xalign)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (xalign > 0.5)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
setup_start_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                KilnOptimizeView         *self)
{
  setup_label (item, 0);
}

static void
setup_end_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              KilnOptimizeView         *self)
{
  setup_label (item, 1);
}

static void
set_cell (GtkListItem *item,
          char        *text,
          const char  *tooltip)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));

  gtk_label_set_text (label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), tooltip != NULL ? tooltip : text);
  g_free (text);
}

#define CANDIDATE(item) KILN_OPTIMIZE_CANDIDATE (gtk_list_item_get_item (item))

static void
bind_round_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               KilnOptimizeView         *self)
{
  KilnOptimizeCandidate *candidate = CANDIDATE (item);
  g_autofree char *build = NULL;

  build = g_strdup_printf ("%s%s%s%s", candidate->compiler != NULL ? candidate->compiler : "",
                           candidate->compiler != NULL ? " " : "",
                           candidate->flags != NULL ? candidate->flags : "",
                           candidate->pgo ? " -fprofile-use" : "");
  set_cell (item, format_round (self, candidate), *build != '\0' ? build : NULL);
}

static void
bind_time_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              KilnOptimizeView         *self)
{
  set_cell (item, format_seconds (CANDIDATE (item)->cpp_seconds), NULL);
}

static void
bind_speedup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 KilnOptimizeView         *self)
{
  KilnOptimizeCandidate *candidate = CANDIDATE (item);

  set_cell (item, format_factor (candidate, candidate->speedup), NULL);
}

static void
bind_over_best_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   KilnOptimizeView         *self)
{
  KilnOptimizeCandidate *candidate = CANDIDATE (item);

  set_cell (item, format_factor (candidate, candidate->speedup_over_best), NULL);
}

static void
bind_summary_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 KilnOptimizeView         *self)
{
  set_cell (item, format_summary (CANDIDATE (item)), NULL);
}

static void
bind_verdict_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 KilnOptimizeView         *self)
{
  KilnOptimizeCandidate *candidate = CANDIDATE (item);

  set_cell (item, g_strdup (candidate->verdict_text != NULL ? candidate->verdict_text : ""),
            candidate->error_message);
}

static void
update_result_cell (KilnOptimizeView *self,
                    GtkListItem      *item)
{
  KilnOptimizeCandidate *candidate = CANDIDATE (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  gboolean best = self->optimizer != NULL &&
                  kiln_optimizer_get_best (self->optimizer) == candidate;

  set_cell (item, kiln_optimize_view_dup_result_text (self, candidate), NULL);
  if (best)
    gtk_widget_add_css_class (label, "heading");
  else
    gtk_widget_remove_css_class (label, "heading");
  if (!kiln_optimize_candidate_get_verified (candidate))
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
}

static void
kept_changed_cb (KilnOptimizeCandidate *candidate,
                 GParamSpec            *pspec,
                 GtkListItem           *item)
{
  KilnOptimizeView *self = g_object_get_data (G_OBJECT (item), "kiln-optimize-view");

  if (self != NULL && gtk_list_item_get_item (item) == (gpointer) candidate)
    update_result_cell (self, item);
}

static void
bind_result_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                KilnOptimizeView         *self)
{
  g_object_set_data (G_OBJECT (item), "kiln-optimize-view", self);
  g_signal_connect_object (gtk_list_item_get_item (item), "notify::kept",
                           G_CALLBACK (kept_changed_cb), item, 0);
  g_ptr_array_add (self->result_items, item);
  update_result_cell (self, item);
}

static void
unbind_result_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  KilnOptimizeView         *self)
{
  GObject *candidate = gtk_list_item_get_item (item);

  if (candidate != NULL)
    g_signal_handlers_disconnect_by_func (candidate, kept_changed_cb, item);
  g_object_set_data (G_OBJECT (item), "kiln-optimize-view", NULL);
  g_ptr_array_remove_fast (self->result_items, item);
}

static void
update_result_cells (KilnOptimizeView *self)
{
  for (guint i = 0; i < self->result_items->len; i++)
    update_result_cell (self, g_ptr_array_index (self->result_items, i));
}

/* --- the line above ----------------------------------------------------------------------- */

static char *
describe_best (KilnOptimizeCandidate *best,
               gboolean               running)
{
  g_autofree char *seconds = format_seconds (best->cpp_seconds);
  g_autofree char *speedup = NULL;

  if (best->speedup <= 0)
    return running
           /* Translators: the best program so far; %s is a duration */
           ? g_strdup_printf (_("Best so far: the starting program, %s."), seconds)
           /* Translators: the best program in the end; %s is a duration */
           : g_strdup_printf (_("Best: the starting program, %s."), seconds);

  speedup = kiln_format_speedup (best->speedup, FALSE);
  if (best->round == 0)
    return running
           /* Translators: %s are a duration and a speedup such as "×4.4" */
           ? g_strdup_printf (_("Best so far: the starting program, %s (%s over the original)."),
                              seconds, speedup)
           : g_strdup_printf (_("Best: the starting program, %s (%s over the original)."),
                              seconds, speedup);
  return running
         /* Translators: %u is a round, then a duration and a speedup such as "×4.4" */
         ? g_strdup_printf (_("Best so far: round %u, %s (%s over the original)."), best->round,
                            seconds, speedup)
         : g_strdup_printf (_("Best: round %u, %s (%s over the original)."), best->round,
                            seconds, speedup);
}

static void
update_status (KilnOptimizeView *self)
{
  g_autofree char *doing = NULL;
  g_autofree char *best_text = NULL;
  KilnOptimizeCandidate *best;
  guint round, rounds;

  if (self->optimizer == NULL)
    {
      g_clear_pointer (&self->status_text, g_free);
      self->status_text = g_strdup ("");
      gtk_label_set_text (self->status_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  round = kiln_optimizer_get_round (self->optimizer);
  rounds = kiln_optimizer_get_rounds (self->optimizer);
  best = kiln_optimizer_get_best (self->optimizer);

  switch (kiln_optimizer_get_phase (self->optimizer))
    {
    case KILN_OPTIMIZE_PHASE_PREPARING:
      doing = g_strdup (_("Preparing…"));
      break;
    case KILN_OPTIMIZE_PHASE_MEASURING:
      doing = g_strdup (_("Verifying and timing the starting program…"));
      break;
    case KILN_OPTIMIZE_PHASE_STREAMING:
      /* Translators: the round under way and the most there will be */
      doing = g_strdup_printf (_("Round %u of %u: the model is answering…"), round, rounds);
      break;
    case KILN_OPTIMIZE_PHASE_VERIFYING:
      doing = round == 0 ? g_strdup (_("Verifying and timing the starting program…"))
                         : g_strdup_printf (_("Round %u of %u: compiling, running and "
                                              "comparing the answer…"), round, rounds);
      break;
    case KILN_OPTIMIZE_PHASE_FLAGS:
      doing = g_strdup (_("Building the best program with other compiler options…"));
      break;
    case KILN_OPTIMIZE_PHASE_DONE:
    case KILN_OPTIMIZE_PHASE_IDLE:
    default:
      if (kiln_optimizer_get_stop_reason (self->optimizer) != NULL)
        doing = g_strdup (kiln_optimizer_get_stop_reason (self->optimizer));
      break;
    }

  if (best != NULL)
    best_text = describe_best (best, kiln_optimizer_get_running (self->optimizer));

  g_free (self->status_text);
  if (doing != NULL && best_text != NULL)
    self->status_text = g_strdup_printf ("%s %s", doing, best_text);
  else
    self->status_text = g_strdup (doing != NULL ? doing : best_text != NULL ? best_text : "");

  gtk_label_set_text (self->status_label, self->status_text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), *self->status_text != '\0');
  gtk_stack_set_visible_child_name (self->stack, "rounds");
}

static void
best_changed_cb (KilnOptimizeView *self)
{
  update_result_cells (self);
  update_status (self);
}

/* --- selection ---------------------------------------------------------------------------- */

static void
selected_item_cb (KilnOptimizeView *self)
{
  KilnOptimizeCandidate *candidate = gtk_single_selection_get_selected_item (self->selection);

  if (g_set_object (&self->selected, candidate))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

KilnOptimizeCandidate *
kiln_optimize_view_get_selected (KilnOptimizeView *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_VIEW (self), NULL);

  return self->selected;
}

void
kiln_optimize_view_set_selected (KilnOptimizeView      *self,
                                 KilnOptimizeCandidate *candidate)
{
  guint position = GTK_INVALID_LIST_POSITION;

  g_return_if_fail (KILN_IS_OPTIMIZE_VIEW (self));
  g_return_if_fail (candidate == NULL || KILN_IS_OPTIMIZE_CANDIDATE (candidate));

  for (guint i = 0; candidate != NULL && i < g_list_model_get_n_items (self->rows); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (self->rows, i);

      if (item == (GObject *) candidate)
        {
          position = i;
          break;
        }
    }

  gtk_single_selection_set_selected (self->selection, position);
}

/* --- the optimizer ------------------------------------------------------------------------ */

static gpointer
round_candidates (gpointer item,
                  gpointer user_data)
{
  GListModel *candidates = g_object_ref (kiln_optimize_round_get_candidates (item));

  g_object_unref (item);
  return candidates;
}

KilnOptimizer *
kiln_optimize_view_get_optimizer (KilnOptimizeView *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_VIEW (self), NULL);

  return self->optimizer;
}

void
kiln_optimize_view_set_optimizer (KilnOptimizeView *self,
                                  KilnOptimizer    *optimizer)
{
  GtkFlattenListModel *flat;

  g_return_if_fail (KILN_IS_OPTIMIZE_VIEW (self));
  g_return_if_fail (optimizer == NULL || KILN_IS_OPTIMIZER (optimizer));

  if (self->optimizer == optimizer)
    return;

  g_set_object (&self->optimizer, optimizer);
  g_signal_group_set_target (self->optimizer_signals, optimizer);

  if (optimizer != NULL)
    {
      GtkMapListModel *map;

      map = gtk_map_list_model_new (g_object_ref (kiln_optimizer_get_history (optimizer)),
                                    round_candidates, NULL, NULL);
      flat = gtk_flatten_list_model_new (G_LIST_MODEL (map));
    }
  else
    {
      flat = gtk_flatten_list_model_new (NULL);
    }
  g_clear_object (&self->rows);
  self->rows = G_LIST_MODEL (flat);
  gtk_single_selection_set_model (self->selection, self->rows);

  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPTIMIZER]);
}

GListModel *
kiln_optimize_view_get_rows (KilnOptimizeView *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_VIEW (self), NULL);

  return self->rows;
}

const char *
kiln_optimize_view_get_status_text (KilnOptimizeView *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_VIEW (self), NULL);

  return self->status_text != NULL ? self->status_text : "";
}

guint
kiln_optimize_view_get_rounds (KilnOptimizeView *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_VIEW (self), 0);

  return (guint) gtk_spin_button_get_value_as_int (self->rounds_spin);
}

void
kiln_optimize_view_set_rounds (KilnOptimizeView *self,
                               guint             rounds)
{
  g_return_if_fail (KILN_IS_OPTIMIZE_VIEW (self));

  gtk_spin_button_set_value (self->rounds_spin, rounds);
}

gboolean
kiln_optimize_view_get_search_flags (KilnOptimizeView *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_VIEW (self), FALSE);

  return gtk_check_button_get_active (self->flags_check);
}

void
kiln_optimize_view_set_search_flags (KilnOptimizeView *self,
                                     gboolean          search_flags)
{
  g_return_if_fail (KILN_IS_OPTIMIZE_VIEW (self));

  gtk_check_button_set_active (self->flags_check, search_flags);
}

static void
rounds_changed_cb (KilnOptimizeView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROUNDS]);
}

static void
flags_toggled_cb (KilnOptimizeView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_FLAGS]);
}

/* --- GObject ------------------------------------------------------------------------------ */

GtkWidget *
kiln_optimize_view_new (void)
{
  return g_object_new (KILN_TYPE_OPTIMIZE_VIEW, NULL);
}

static void
kiln_optimize_view_dispose (GObject *object)
{
  KilnOptimizeView *self = KILN_OPTIMIZE_VIEW (object);

  if (self->optimizer_signals != NULL)
    g_signal_group_set_target (self->optimizer_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_OPTIMIZE_VIEW);
  g_clear_object (&self->optimizer_signals);
  g_clear_object (&self->optimizer);
  g_clear_object (&self->rows);
  g_clear_object (&self->selected);

  G_OBJECT_CLASS (kiln_optimize_view_parent_class)->dispose (object);
}

static void
kiln_optimize_view_finalize (GObject *object)
{
  KilnOptimizeView *self = KILN_OPTIMIZE_VIEW (object);

  g_clear_pointer (&self->result_items, g_ptr_array_unref);
  g_clear_pointer (&self->status_text, g_free);

  G_OBJECT_CLASS (kiln_optimize_view_parent_class)->finalize (object);
}

static void
kiln_optimize_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  KilnOptimizeView *self = KILN_OPTIMIZE_VIEW (object);

  switch (prop_id)
    {
    case PROP_OPTIMIZER:
      g_value_set_object (value, self->optimizer);
      break;

    case PROP_SELECTED:
      g_value_set_object (value, self->selected);
      break;

    case PROP_ROUNDS:
      g_value_set_uint (value, kiln_optimize_view_get_rounds (self));
      break;

    case PROP_SEARCH_FLAGS:
      g_value_set_boolean (value, kiln_optimize_view_get_search_flags (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_optimize_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  KilnOptimizeView *self = KILN_OPTIMIZE_VIEW (object);

  switch (prop_id)
    {
    case PROP_OPTIMIZER:
      kiln_optimize_view_set_optimizer (self, g_value_get_object (value));
      break;

    case PROP_SELECTED:
      kiln_optimize_view_set_selected (self, g_value_get_object (value));
      break;

    case PROP_ROUNDS:
      kiln_optimize_view_set_rounds (self, g_value_get_uint (value));
      break;

    case PROP_SEARCH_FLAGS:
      kiln_optimize_view_set_search_flags (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_optimize_view_class_init (KilnOptimizeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_optimize_view_dispose;
  object_class->finalize = kiln_optimize_view_finalize;
  object_class->get_property = kiln_optimize_view_get_property;
  object_class->set_property = kiln_optimize_view_set_property;

  properties[PROP_OPTIMIZER] =
    g_param_spec_object ("optimizer", NULL, NULL, KILN_TYPE_OPTIMIZER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, KILN_TYPE_OPTIMIZE_CANDIDATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROUNDS] =
    g_param_spec_uint ("rounds", NULL, NULL, 1, 10, 3,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH_FLAGS] =
    g_param_spec_boolean ("search-flags", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-optimize-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnOptimizeView, box);
  gtk_widget_class_bind_template_child (widget_class, KilnOptimizeView, rounds_spin);
  gtk_widget_class_bind_template_child (widget_class, KilnOptimizeView, flags_check);
  gtk_widget_class_bind_template_child (widget_class, KilnOptimizeView, status_label);
  gtk_widget_class_bind_template_child (widget_class, KilnOptimizeView, stack);
  gtk_widget_class_bind_template_child (widget_class, KilnOptimizeView, column_view);
  gtk_widget_class_bind_template_child (widget_class, KilnOptimizeView, selection);
  gtk_widget_class_bind_template_callback (widget_class, selected_item_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_start_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_end_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_round_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_time_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_speedup_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_over_best_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_summary_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_verdict_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_result_cb);
  gtk_widget_class_bind_template_callback (widget_class, unbind_result_cb);
}

static void
kiln_optimize_view_init (KilnOptimizeView *self)
{
  static const char * const followed[] = {
    "notify::phase", "notify::round", "notify::running", "notify::stop-reason",
  };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->result_items = g_ptr_array_new ();
  self->rows = G_LIST_MODEL (gtk_flatten_list_model_new (NULL));
  gtk_single_selection_set_model (self->selection, self->rows);

  self->optimizer_signals = g_signal_group_new (KILN_TYPE_OPTIMIZER);
  for (guint i = 0; i < G_N_ELEMENTS (followed); i++)
    g_signal_group_connect_swapped (self->optimizer_signals, followed[i],
                                    G_CALLBACK (update_status), self);
  g_signal_group_connect_swapped (self->optimizer_signals, "notify::best",
                                  G_CALLBACK (best_changed_cb), self);
  g_signal_connect_object (self->rounds_spin, "value-changed", G_CALLBACK (rounds_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flags_check, "toggled", G_CALLBACK (flags_toggled_cb),
                           self, G_CONNECT_SWAPPED);
  update_status (self);
}

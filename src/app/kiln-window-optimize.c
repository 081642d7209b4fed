/* kiln-window-optimize.c: Make It Faster — the window follows a KilnOptimizer: its rounds in
 * the progression view, the best program in the C++ pane, each model's best under the
 * leaderboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-a11y.h"
#include "kiln-model-dropdown.h"
#include "kiln-optimize-view.h"
#include "kiln-window-private.h"

/* How it behaves, and why:
 *
 * - It starts from the verified program the window shows: the shown conversion's code with
 *   its model, or, with C++ alone in the editors, that C++ with the chosen model. The
 *   optimizer verifies every candidate against the session's program (every input case,
 *   the same measurement as Run Both and conversions), so nothing wrong is ever kept.
 * - While it runs the C++ pane is read-only and holds the best program so far; converting
 *   and stepping through attempts wait. Selecting a row shows that candidate's code in the
 *   pane, read-only; selecting the best one (or nothing) brings the best back, which stays
 *   in the pane, editable, when the rounds end. */

static gboolean
optimizing (KilnWindow *self)
{
  return self->optimize_cancellable != NULL;
}

static gboolean
is_blank (GtkTextBuffer *buffer)
{
  g_autofree char *text = _kiln_window_dup_buffer_text (buffer);

  g_strstrip (text);
  return *text == '\0';
}

/* Whether it could start; @why (for a tooltip) when it cannot. */
static gboolean
can_start (KilnWindow  *self,
           char       **why)
{
  gboolean python_blank, cpp_blank;
  KilnModelItem *item;

  if (kiln_session_get_busy (self->session))
    {
      *why = g_strdup (_("Wait for the conversion to finish: Make It Faster starts from its "
                         "verified program"));
      return FALSE;
    }
  if (self->conversion != NULL && kiln_conversion_get_verified (self->conversion) &&
      *kiln_conversion_get_code (self->conversion) != '\0')
    return TRUE;

  python_blank = is_blank (_kiln_window_get_buffer (self, KILN_LANGUAGE_PYTHON));
  cpp_blank = is_blank (_kiln_window_get_buffer (self, KILN_LANGUAGE_CPP));
  item = kiln_model_dropdown_get_selected_item (self->model_dropdown);
  if (python_blank && !cpp_blank && (item == NULL || !kiln_model_item_get_available (item)))
    {
      *why = kiln_model_dropdown_dup_unusable_reason (self->model_dropdown);
      if (*why == NULL)
        *why = g_strdup (_("Choose a model first"));
      return FALSE;
    }
  if (python_blank && !cpp_blank)
    return TRUE;

  if (python_blank)
    *why = g_strdup (_("Write or open a program first"));
  else if (self->conversion != NULL)
    *why = g_strdup (_("Make It Faster needs a verified conversion: this one’s output was "
                       "not verified"));
  else
    *why = g_strdup (_("Convert the program first: Make It Faster starts from a verified "
                       "conversion, or from C++ alone in the editors"));
  return FALSE;
}

/* What Make It Faster starts from: the program, the model and the code; FALSE with @why when
 * it cannot start. */
static gboolean
find_start (KilnWindow   *self,
            KilnModel   **model,
            char        **code,
            KilnProgram **program,
            GPtrArray   **messages,
            char        **why)
{
  KilnModelItem *item;
  g_autofree char *source = NULL;
  g_autofree char *input = NULL;

  if (!can_start (self, why))
    return FALSE;

  if (self->conversion != NULL && kiln_conversion_get_verified (self->conversion) &&
      *kiln_conversion_get_code (self->conversion) != '\0')
    {
      KilnProgram *own = kiln_conversion_get_program (self->conversion);

      *model = kiln_model_ref (kiln_conversion_get_model (self->conversion));
      *code = g_strdup (kiln_conversion_get_code (self->conversion));
      *program = g_object_ref (own != NULL ? own : kiln_session_get_program (self->session));
      /* The rounds continue its chat: the model knows what it wrote and why. */
      *messages = kiln_conversion_dup_messages (self->conversion);
      return TRUE;
    }

  /* C++ alone: it is the original and the start; verifying it against itself times it. */
  item = kiln_model_dropdown_get_selected_item (self->model_dropdown);
  source = _kiln_window_dup_buffer_text (_kiln_window_get_buffer (self, KILN_LANGUAGE_CPP));
  input = _kiln_window_dup_buffer_text (gtk_text_view_get_buffer (self->input_view));
  *model = kiln_model_ref (kiln_model_item_get_model (item));
  *code = g_strdup (source);
  kiln_session_set_program (self->session, KILN_LANGUAGE_CPP, source, input);
  *program = g_object_ref (kiln_session_get_program (self->session));
  return TRUE;
}

void
_kiln_window_optimize_update_actions (KilnWindow *self)
{
  GtkWidget *button = GTK_WIDGET (self->make_faster_button);
  g_autofree char *why = NULL;

  /* Disposed */
  if (self->optimize_view == NULL)
    return;

  if (optimizing (self))
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.make-faster", TRUE);
      gtk_button_set_label (self->make_faster_button, _("Stop _Rounds"));
      gtk_widget_set_tooltip_text (button, _("Stop making the program faster; the best so far "
                                             "stays"));
      gtk_widget_add_css_class (button, "destructive-action");
      /* The pane belongs to the rounds until they end. */
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.convert", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-models", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous-attempt", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-attempt", FALSE);
      return;
    }

  gtk_button_set_label (self->make_faster_button, _("Make It _Faster"));
  gtk_widget_remove_css_class (button, "destructive-action");
  if (can_start (self, &why))
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.make-faster", TRUE);
      gtk_widget_set_tooltip_text (button, _("Ask the model for faster C++ round after round; "
                                             "every answer is verified and only a faster, "
                                             "correct one is kept"));
    }
  else
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.make-faster", FALSE);
      gtk_widget_set_tooltip_text (button, why);
    }
}

/* The C++ pane */

static void
show_code (KilnWindow *self,
           const char *code,
           gboolean    editable)
{
  GtkTextBuffer *buffer = _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP);
  g_autofree char *shown = _kiln_window_dup_buffer_text (buffer);

  if (code != NULL && *code != '\0' && g_strcmp0 (shown, code) != 0)
    {
      _kiln_window_clear_diagnostic_marks (self);
      _kiln_window_set_buffer_text (self, buffer, code);
    }
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->cpp_view), editable);
}

/* The pane shows the selected candidate, or the best when none (or the best) is selected. */
static void
update_pane (KilnWindow *self)
{
  KilnOptimizeView *view = KILN_OPTIMIZE_VIEW (self->optimize_view);
  KilnOptimizeCandidate *selected = kiln_optimize_view_get_selected (view);
  KilnOptimizeCandidate *best = self->optimizer != NULL
                                ? kiln_optimizer_get_best (self->optimizer) : NULL;

  if (self->optimizer == NULL)
    return;

  if (selected != NULL && selected != best)
    show_code (self, selected->code, FALSE);
  else if (best != NULL)
    show_code (self, best->code, !optimizing (self));
  else
    gtk_text_view_set_editable (GTK_TEXT_VIEW (self->cpp_view), !optimizing (self));
}

static void
selected_changed_cb (KilnWindow *self)
{
  update_pane (self);
}

static void
best_changed_cb (KilnWindow    *self,
                 GParamSpec    *pspec,
                 KilnOptimizer *optimizer)
{
  if (optimizer == self->optimizer)
    update_pane (self);
}

/* Each model's best, under the leaderboard */

static void
update_note (KilnWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GList) labels = g_hash_table_get_keys (self->optimized_bests);

  labels = g_list_sort (labels, (GCompareFunc) g_utf8_collate);
  for (GList *l = labels; l != NULL; l = l->next)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, g_hash_table_lookup (self->optimized_bests, l->data));
    }

  gtk_label_set_text (self->optimized_note, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->optimized_note), text->len > 0);
}

static void
record_best (KilnWindow    *self,
             KilnOptimizer *optimizer)
{
  KilnOptimizeCandidate *best = kiln_optimizer_get_best (optimizer);
  KilnModel *model = kiln_optimizer_get_model (optimizer);
  const char *label = model->label != NULL ? model->label : model->id;
  g_autofree char *seconds = NULL;
  g_autofree char *speedup = NULL;
  char *line;

  if (best == NULL || !kiln_optimize_candidate_get_verified (best))
    return;

  seconds = kiln_format_duration (best->cpp_seconds);
  speedup = best->speedup > 0 ? kiln_format_speedup (best->speedup, FALSE) : g_strdup ("—");
  if (best->round == 0)
    /* Translators: a model's best after Make It Faster: its label, a speedup such as "×4.4"
     * and a duration */
    line = g_strdup_printf (_("Made faster by %s: %s, %s — no round beat the starting program"),
                            label, speedup, seconds);
  else
    /* Translators: a model's best after Make It Faster: its label, a speedup such as "×4.4",
     * a duration and the round that brought it */
    line = g_strdup_printf (_("Made faster by %s: %s, %s, from round %u"), label, speedup,
                            seconds, best->round);
  g_hash_table_replace (self->optimized_bests, g_strdup (label), line);
  update_note (self);
}

/* Running */

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  KilnOptimizer *optimizer = KILN_OPTIMIZER (object);
  g_autoptr(KilnWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  KilnOptimizeCandidate *best;
  gboolean ok;

  ok = kiln_optimizer_run_finish (optimizer, result, &error);

  /* Cleared or closed meanwhile: another program's rounds, or none. */
  if (optimizer != self->optimizer || self->optimize_view == NULL)
    return;

  g_clear_object (&self->optimize_cancellable);
  best = kiln_optimizer_get_best (optimizer);
  kiln_optimize_view_set_selected (KILN_OPTIMIZE_VIEW (self->optimize_view), best);
  update_pane (self);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->cpp_view), TRUE);
  record_best (self, optimizer);

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _kiln_window_show_toast (self, error->message);
  else if (best != NULL && best->round > 0 && best->speedup > 0)
    {
      g_autofree char *speedup = kiln_format_speedup (best->speedup, FALSE);
      g_autofree char *message = NULL;

      /* Translators: %u is a round, %s a speedup such as "×4.4" */
      message = g_strdup_printf (_("The fastest verified program came from round %u: %s over "
                                   "the original"), best->round, speedup);
      _kiln_window_show_toast (self, message);
    }
  else if (best != NULL)
    _kiln_window_show_toast (self, _("No round was faster than the starting program beyond the "
                                     "measurement’s noise"));

  _kiln_window_update_actions (self);
}

static void
start_optimizer (KilnWindow  *self,
                 KilnModel   *model,
                 const char  *key,
                 const char  *code,
                 KilnProgram *program,
                 GPtrArray   *messages)
{
  g_autoptr(KilnOptimizer) optimizer = NULL;

  optimizer = kiln_optimizer_new (program, model, key,
                                  kiln_session_get_soup_session (self->session), code,
                                  messages);
  kiln_optimizer_set_idle_timeout (optimizer, kiln_run_config_get_idle_timeout (self->config));
  kiln_optimizer_set_rounds (optimizer,
                             kiln_optimize_view_get_rounds (KILN_OPTIMIZE_VIEW (self->optimize_view)));
  kiln_optimizer_set_search_flags (optimizer, kiln_optimize_view_get_search_flags (
                                     KILN_OPTIMIZE_VIEW (self->optimize_view)));
  g_signal_connect_object (optimizer, "notify::best", G_CALLBACK (best_changed_cb), self,
                           G_CONNECT_SWAPPED);

  g_set_object (&self->optimizer, optimizer);
  kiln_optimize_view_set_optimizer (KILN_OPTIMIZE_VIEW (self->optimize_view), optimizer);
  adw_view_stack_set_visible_child_name (self->results_stack, "faster");
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->cpp_view), FALSE);

  kiln_optimizer_run_async (optimizer, self->optimize_cancellable, run_cb,
                            g_object_ref (self));
  _kiln_window_update_actions (self);
}

typedef struct
{
  KilnWindow   *window;
  KilnModel    *model;
  char         *code;
  KilnProgram  *program;
  GPtrArray    *messages;      /* KilnChatMessage; NULL: a new chat */
  GCancellable *cancellable;
} StartData;

static void
start_data_free (StartData *data)
{
  g_object_unref (data->window);
  kiln_model_unref (data->model);
  g_free (data->code);
  g_object_unref (data->program);
  g_clear_pointer (&data->messages, g_ptr_array_unref);
  g_object_unref (data->cancellable);
  g_free (data);
}

static void
key_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  StartData *data = user_data;
  KilnWindow *self = data->window;
  g_autoptr(GError) error = NULL;
  char *key;

  key = kiln_key_store_lookup_for_model_finish (KILN_KEY_STORE (object), result, NULL, &error);
  if (g_cancellable_is_cancelled (data->cancellable) ||
      data->cancellable != self->optimize_cancellable)
    {
      kiln_key_free (key);
      start_data_free (data);
      return;
    }

  if (error != NULL)
    {
      g_clear_object (&self->optimize_cancellable);
      _kiln_window_show_toast (self, error->message);
      _kiln_window_update_actions (self);
    }
  else
    start_optimizer (self, data->model, key, data->code, data->program, data->messages);

  kiln_key_free (key);
  start_data_free (data);
}

static void
make_faster_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autofree char *why = NULL;
  StartData *data;

  /* The same action stops it. */
  if (optimizing (self))
    {
      if (self->optimizer != NULL)
        kiln_optimizer_stop (self->optimizer);
      else
        {
          /* Still looking up the key. */
          g_cancellable_cancel (self->optimize_cancellable);
          g_clear_object (&self->optimize_cancellable);
          _kiln_window_update_actions (self);
        }
      return;
    }

  data = g_new0 (StartData, 1);
  if (!find_start (self, &data->model, &data->code, &data->program, &data->messages, &why))
    {
      g_free (data);
      _kiln_window_show_toast (self, why);
      return;
    }

  data->window = g_object_ref (self);
  self->optimize_cancellable = g_cancellable_new ();
  data->cancellable = g_object_ref (self->optimize_cancellable);

  /* Starts where the rounds will be shown. */
  kiln_optimize_view_set_optimizer (KILN_OPTIMIZE_VIEW (self->optimize_view), NULL);
  g_clear_object (&self->optimizer);

  if (app != NULL && KILN_IS_APPLICATION (app))
    kiln_key_store_lookup_for_model_async (kiln_application_get_key_store (KILN_APPLICATION (app)),
                                           data->model, data->cancellable, key_cb, data);
  else
    {
      start_optimizer (self, data->model, NULL, data->code, data->program, data->messages);
      start_data_free (data);
    }
  _kiln_window_update_actions (self);
}

/* Another program in the editors: its rounds say nothing about this one. */
void
_kiln_window_optimize_clear (KilnWindow *self)
{
  if (self->optimize_cancellable != NULL)
    g_cancellable_cancel (self->optimize_cancellable);
  g_clear_object (&self->optimize_cancellable);
  g_clear_object (&self->optimizer);
  if (self->optimize_view != NULL)
    kiln_optimize_view_set_optimizer (KILN_OPTIMIZE_VIEW (self->optimize_view), NULL);
  if (self->optimized_bests != NULL)
    {
      g_hash_table_remove_all (self->optimized_bests);
      update_note (self);
    }
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->cpp_view), TRUE);
}

/* Set-up */

void
_kiln_window_optimize_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (KILN_TYPE_OPTIMIZE_VIEW);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, optimize_view);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, make_faster_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, optimized_note);
  gtk_widget_class_install_action (widget_class, "win.make-faster", NULL, make_faster_action);
}

void
_kiln_window_optimize_init (KilnWindow *self)
{
  self->optimized_bests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  kiln_a11y_use_visible_label (GTK_WIDGET (self->make_faster_button));
  g_signal_connect_object (self->optimize_view, "notify::selected",
                           G_CALLBACK (selected_changed_cb), self, G_CONNECT_SWAPPED);
}

void
_kiln_window_optimize_dispose (KilnWindow *self)
{
  if (self->optimize_cancellable != NULL)
    g_cancellable_cancel (self->optimize_cancellable);
  g_clear_object (&self->optimize_cancellable);
  g_clear_object (&self->optimizer);
  g_clear_pointer (&self->optimized_bests, g_hash_table_unref);
  self->optimize_view = NULL;
}

/* For tests */

GtkWidget *
kiln_window_get_optimize_view (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return self->optimize_view;
}

const char *
kiln_window_get_optimized_note (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return gtk_label_get_text (self->optimized_note);
}

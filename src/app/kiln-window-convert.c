/* kiln-window-convert.c: the Convert button, the streamed C++, the model's notes and the
 * attempts of the last conversion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiln-window-private.h"

/* How it behaves, and why:
 *
 * - The conversion's code goes into the C++ pane through a KilnTextFeed: pieces are
 *   gathered and written at most once per frame, so a fast server cannot starve the main
 *   loop. Those writes are irreversible (the buffer's undo history is cleared): thousands
 *   of streamed pieces are not worth as many undo steps. Nothing is lost by it, because
 *   every attempt is kept and the person's own C++ is kept beside them (below).
 * - While a conversion runs the C++ pane is read-only, the drafts and the verdict wait
 *   for its end, and the same button stops it.
 * - The attempts of the last conversion can be stepped through. The C++ that was in the
 *   pane before the conversion, or that the person wrote over an attempt, is kept as one
 *   more entry after the attempts, "Your code" (only the latest such text is kept).
 *   Stepping replaces the pane's text as one undoable change. */

/* The person's code is the entry after the attempts. */
static guint
n_entries (KilnWindow *self)
{
  if (self->attempts == NULL)
    return 0;

  return self->attempts->len + (self->user_code != NULL ? 1 : 0);
}

/* Whether the conversion shown in the pane is under way. */
static gboolean
converting (KilnWindow *self)
{
  return self->conversion != NULL && kiln_conversion_get_running (self->conversion);
}

gboolean
_kiln_window_convert_is_writing (KilnWindow *self)
{
  return self->streaming_code;
}

static gboolean
not_space (gunichar ch,
           gpointer user_data)
{
  return !g_unichar_isspace (ch);
}

static gboolean
is_blank (GtkTextBuffer *buffer)
{
  GtkTextIter iter;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  if (!gtk_text_iter_is_end (&iter) && not_space (gtk_text_iter_get_char (&iter), NULL))
    return FALSE;

  return !gtk_text_iter_forward_find_char (&iter, not_space, NULL, NULL);
}

/* Python when there is Python; else the C++, to be made faster. FALSE: nothing to convert. */
static gboolean
get_source_language (KilnWindow   *self,
                     KilnLanguage *language)
{
  if (!is_blank (_kiln_window_get_buffer (self, KILN_LANGUAGE_PYTHON)))
    *language = KILN_LANGUAGE_PYTHON;
  else if (!is_blank (_kiln_window_get_buffer (self, KILN_LANGUAGE_CPP)))
    *language = KILN_LANGUAGE_CPP;
  else
    return FALSE;

  return TRUE;
}

static KilnAttempt *
shown_attempt (KilnWindow *self)
{
  if (self->attempts != NULL && self->shown < self->attempts->len)
    return g_ptr_array_index (self->attempts, self->shown);

  return NULL;
}

static void
update_attempt_label (KilnWindow *self)
{
  g_autofree char *text = NULL;
  KilnAttempt *attempt = shown_attempt (self);

  gtk_widget_set_visible (self->attempt_box, n_entries (self) > 0 ||
                                             (converting (self) && self->conversion != NULL));

  if (converting (self))
    {
      KilnAttempt *last = self->conversion != NULL
                          ? kiln_conversion_get_last_attempt (self->conversion) : NULL;

      if (last == NULL)
        return;
      /* Translators: the attempt being made and the most there will be */
      text = g_strdup_printf (_("Attempt %u of %u"), last->number,
                              kiln_conversion_get_max_attempts (self->conversion));
    }
  else if (attempt != NULL)
    {
      g_autofree char *pane = NULL;

      pane = _kiln_window_dup_buffer_text (_kiln_window_get_buffer (self, KILN_LANGUAGE_CPP));
      if (g_str_equal (pane, attempt->code))
        /* Translators: the attempt shown and how many there were */
        text = g_strdup_printf (_("Attempt %u of %u"), self->shown + 1, self->attempts->len);
      else
        /* Translators: the attempt shown, changed by the person, and how many there were */
        text = g_strdup_printf (_("Attempt %u of %u, edited"), self->shown + 1,
                                self->attempts->len);
    }
  else
    {
      text = g_strdup (_("Your code"));
    }

  gtk_label_set_text (self->attempt_label, text);
}

void
_kiln_window_convert_update_actions (KilnWindow *self)
{
  GtkWidget *button = GTK_WIDGET (self->convert_button);
  KilnModelItem *item;
  KilnLanguage language = KILN_LANGUAGE_PYTHON;
  gboolean has_source, running, stepping;

  /* Disposed */
  if (self->attempts == NULL)
    return;

  item = kiln_model_dropdown_get_selected_item (self->model_dropdown);
  has_source = get_source_language (self, &language);
  running = kiln_session_get_busy (self->session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.convert",
                                 running || (item != NULL && has_source &&
                                             kiln_model_item_get_available (item)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-models",
                                 !running && has_source);

  stepping = !converting (self) && n_entries (self) > 1;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous-attempt",
                                 stepping && self->shown > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-attempt",
                                 stepping && self->shown + 1 < n_entries (self));

  if (running)
    {
      gtk_button_set_label (self->convert_button, _("_Stop"));
      gtk_widget_set_tooltip_text (button,
                                   kiln_session_get_n_running (self->session) > 1
                                   ? _("Stop every conversion (Ctrl+Enter)")
                                   : _("Stop the conversion (Ctrl+Enter)"));
      gtk_widget_remove_css_class (button, "suggested-action");
      gtk_widget_add_css_class (button, "destructive-action");
    }
  else
    {
      if (language == KILN_LANGUAGE_CPP && has_source)
        {
          gtk_button_set_label (self->convert_button, _("_Speed Up C++"));
          gtk_widget_set_tooltip_text (button, _("The Python pane is empty: rewrite the C++ "
                                                 "as faster C++ with the chosen model "
                                                 "(Ctrl+Enter)"));
        }
      else
        {
          g_autofree char *reason = kiln_model_dropdown_dup_unusable_reason (self->model_dropdown);

          gtk_button_set_label (self->convert_button, _("_Convert"));
          /* A disabled button says why. */
          if (reason != NULL)
            gtk_widget_set_tooltip_text (button, reason);
          else if (!has_source)
            gtk_widget_set_tooltip_text (button, _("Write or open a Python program first"));
          else
            gtk_widget_set_tooltip_text (button, _("Convert the Python program to fast C++ "
                                                   "with the chosen model (Ctrl+Enter)"));
        }
      gtk_widget_remove_css_class (button, "destructive-action");
      gtk_widget_add_css_class (button, "suggested-action");
    }

  update_attempt_label (self);
}

/* Progress and the report */

static const char *
describe_repair (KilnAttemptReason reason)
{
  switch (reason)
    {
    case KILN_ATTEMPT_COMPILE_ERROR:
      return _("fixing a compile error");
    case KILN_ATTEMPT_RUNTIME_ERROR:
      return _("fixing a crash");
    case KILN_ATTEMPT_TIMEOUT:
      return _("making it finish in time");
    case KILN_ATTEMPT_OUTPUT_DIFFERS:
      return _("fixing a different output");
    case KILN_ATTEMPT_NO_CODE:
      return _("asking for the code");
    case KILN_ATTEMPT_OK:
    case KILN_ATTEMPT_STREAM_FAILED:
    default:
      return NULL;
    }
}

static void
show_progress (KilnWindow *self)
{
  g_autofree char *line = NULL;

  if (self->progress_attempt != NULL && self->progress_phase != NULL)
    /* Translators: "Attempt 2 of 3: fixing a compile error" — "Compiling…" */
    line = g_strdup_printf (_("%s — %s"), self->progress_attempt, self->progress_phase);
  else
    line = g_strdup (self->progress_attempt != NULL ? self->progress_attempt
                                                    : self->progress_phase);

  kiln_status_panel_set_conversion (self->status_panel, line, NULL, NULL);
}

static void
set_phase_text (KilnWindow *self,
                const char *text)
{
  g_free (self->progress_phase);
  self->progress_phase = g_strdup (text);
  show_progress (self);
}

static void
clear_retry (KilnWindow *self)
{
  g_clear_handle_id (&self->retry_source, g_source_remove);
}

static gboolean
retry_tick_cb (gpointer user_data)
{
  KilnWindow *self = user_data;
  gint64 left = self->retry_at - g_get_monotonic_time ();
  guint seconds = left > 0 ? (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
  g_autofree char *text = NULL;

  if (seconds == 0)
    {
      self->retry_source = 0;
      set_phase_text (self, _("Asking again…"));
      return G_SOURCE_REMOVE;
    }

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The model is busy: retrying in %u s",
                                       "The model is busy: retrying in %u s", seconds),
                          seconds);
  set_phase_text (self, text);

  return G_SOURCE_CONTINUE;
}

static char *
format_report (KilnWindow *self)
{
  GPtrArray *attempts = kiln_conversion_get_attempts (self->conversion);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  gint64 tokens_in = 0, tokens_out = 0;
  gboolean in_known = attempts->len > 0, out_known = attempts->len > 0;
  gboolean cost_known = attempts->len > 0;
  double cost = 0, streaming = 0, ttft = -1;
  g_autofree char *total = NULL;

  for (guint i = 0; i < attempts->len; i++)
    {
      KilnAttempt *attempt = g_ptr_array_index (attempts, i);

      in_known &= attempt->input_tokens >= 0;
      out_known &= attempt->output_tokens >= 0;
      cost_known &= attempt->cost_usd >= 0;
      tokens_in += MAX (attempt->input_tokens, 0);
      tokens_out += MAX (attempt->output_tokens, 0);
      cost += MAX (attempt->cost_usd, 0);
      streaming += attempt->seconds;
      if (i == 0)
        ttft = attempt->ttft_seconds;
    }

  g_ptr_array_add (parts, g_strdup (kiln_conversion_get_model_label (self->conversion)));
  g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "%u attempt of %u",
                                                        "%u attempts of %u",
                                                        attempts->len),
                                           attempts->len,
                                           kiln_conversion_get_max_attempts (self->conversion)));
  if (ttft >= 0)
    {
      g_autofree char *duration = kiln_format_duration (ttft);

      /* Translators: %s is a duration */
      g_ptr_array_add (parts, g_strdup_printf (_("first token after %s"), duration));
    }
  if (in_known && out_known)
    /* Translators: tokens sent to and received from the model */
    g_ptr_array_add (parts, g_strdup_printf (_("%" G_GINT64_FORMAT " tokens in, %"
                                               G_GINT64_FORMAT " out"),
                                             tokens_in, tokens_out));
  if (out_known && streaming > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%.0f tokens/s"), tokens_out / streaming));
  if (cost_known)
    {
      g_autofree char *amount = kiln_format_cost (cost);

      /* Translators: %s is an amount of money, e.g. "$0.0042" */
      g_ptr_array_add (parts, g_strdup_printf (_("about %s"), amount));
    }

  total = kiln_format_duration (kiln_conversion_get_seconds (self->conversion));
  /* Translators: %s is the duration of the whole conversion */
  g_ptr_array_add (parts, g_strdup_printf (_("%s in all"), total));
  g_ptr_array_add (parts, NULL);

  /* Translators: the separator between the figures of the conversion report */
  return g_strjoinv (_(" · "), (char **) parts->pdata);
}

/* Results of the shown attempt */

static void
show_entry_results (KilnWindow *self)
{
  KilnAttempt *attempt = shown_attempt (self);
  Program *cpp = &self->programs[KILN_LANGUAGE_CPP];
  KilnRunResult *python = self->conversion != NULL
                          ? kiln_conversion_get_python (self->conversion) : NULL;
  KilnLanguage language = self->conversion != NULL
                          ? kiln_conversion_get_language (self->conversion)
                          : KILN_LANGUAGE_PYTHON;
  g_autofree char *input = NULL;

  if (self->conversion != NULL && kiln_conversion_get_input (self->conversion) != NULL)
    {
      GBytes *bytes = kiln_conversion_get_input (self->conversion);

      input = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  else
    input = g_strdup ("");

  _kiln_window_program_clear_result (cpp);
  _kiln_window_set_verification (self, NULL, NULL);
  if (attempt != NULL && attempt->cpp != NULL)
    {
      cpp->result = kiln_run_result_ref (attempt->cpp);
      cpp->source = g_strdup (attempt->code);
      cpp->input = g_strdup (input);
      _kiln_window_set_verification (self, attempt->verification, attempt->cpp);
    }
  kiln_status_panel_set_result (self->status_panel, KILN_LANGUAGE_CPP, cpp->result);
  _kiln_window_mark_diagnostics (self, cpp->result != NULL ? cpp->result->compile : NULL);

  /* From C++, the "Python" the conversion ran was the original C++: the pane keeps its own. */
  if (language == KILN_LANGUAGE_PYTHON && python != NULL &&
      python != self->programs[KILN_LANGUAGE_PYTHON].result)
    {
      Program *program = &self->programs[KILN_LANGUAGE_PYTHON];

      _kiln_window_program_clear_result (program);
      program->result = kiln_run_result_ref (python);
      program->source = g_strdup (kiln_conversion_get_source (self->conversion));
      program->input = g_strdup (input);
      kiln_status_panel_set_result (self->status_panel, KILN_LANGUAGE_PYTHON, python);
    }

  _kiln_window_update_results (self, TRUE);

  /* From C++, the Python pane is not the original: the verdict is the attempt's. */
  if (language == KILN_LANGUAGE_CPP && attempt != NULL && attempt->verification != NULL &&
      self->programs[KILN_LANGUAGE_CPP].current)
    kiln_status_panel_set_verification (self->status_panel, attempt->verification);
}

/* Keeps the pane's text as the person's code when no attempt holds it. */
static void
keep_user_code (KilnWindow *self)
{
  g_autofree char *text = NULL;

  if (is_blank (_kiln_window_get_buffer (self, KILN_LANGUAGE_CPP)))
    return;

  text = _kiln_window_dup_buffer_text (_kiln_window_get_buffer (self, KILN_LANGUAGE_CPP));
  if (g_strcmp0 (text, self->reference_cpp) == 0)
    return;

  for (guint i = 0; i < self->attempts->len; i++)
    {
      if (g_str_equal (text, ((KilnAttempt *) g_ptr_array_index (self->attempts, i))->code))
        return;
    }

  g_free (self->user_code);
  self->user_code = g_steal_pointer (&text);
}

static void
show_entry (KilnWindow *self,
            guint       index)
{
  KilnAttempt *attempt;

  g_return_if_fail (index < n_entries (self));

  keep_user_code (self);
  self->shown = index;
  attempt = shown_attempt (self);

  _kiln_window_set_buffer_text (self, _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP),
                                attempt != NULL ? attempt->code : self->user_code);
  if (attempt != NULL)
    kiln_model_notes_set (self->model_notes, attempt->notes, attempt->reasoning);
  else
    kiln_model_notes_set (self->model_notes, NULL, NULL);

  show_entry_results (self);
  _kiln_window_update_actions (self);
}

static void
previous_attempt_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);

  if (!converting (self) && self->shown > 0)
    show_entry (self, self->shown - 1);
}

static void
next_attempt_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);

  if (!converting (self) && self->shown + 1 < n_entries (self))
    show_entry (self, self->shown + 1);
}

void
_kiln_window_convert_cpp_changed (KilnWindow *self)
{
  if (n_entries (self) > 0)
    update_attempt_label (self);
}

/* The conversion's signals */

static void
attempt_started_cb (KilnWindow     *self,
                    KilnAttempt    *attempt,
                    KilnConversion *conversion)
{
  const char *repair = describe_repair (attempt->repairing);

  g_free (self->progress_attempt);
  if (repair != NULL)
    /* Translators: "Attempt 2 of 3: fixing a compile error" */
    self->progress_attempt = g_strdup_printf (_("Attempt %u of %u: %s"), attempt->number,
                                              kiln_conversion_get_max_attempts (conversion),
                                              repair);
  else
    self->progress_attempt = g_strdup_printf (_("Attempt %u of %u"), attempt->number,
                                              kiln_conversion_get_max_attempts (conversion));

  /* Each attempt writes its code from the start; the last one stays in the attempts. */
  _kiln_window_clear_diagnostic_marks (self);
  kiln_text_feed_replace (self->cpp_feed, "");
  kiln_model_notes_set (self->model_notes, NULL, NULL);
  show_progress (self);
  update_attempt_label (self);
}

static void
code_changed_cb (KilnWindow     *self,
                 guint           kind,
                 guint           offset,
                 const char     *text,
                 KilnConversion *conversion)
{
  if (kind == 0)
    kiln_text_feed_append (self->cpp_feed, text);
  else
    kiln_text_feed_replace (self->cpp_feed, text);
}

static void
notes_delta_cb (KilnWindow     *self,
                const char     *text,
                KilnConversion *conversion)
{
  kiln_model_notes_append_notes (self->model_notes, text);
}

static void
reasoning_delta_cb (KilnWindow     *self,
                    const char     *text,
                    KilnConversion *conversion)
{
  kiln_model_notes_append_reasoning (self->model_notes, text);
}

static void
phase_changed_cb (KilnWindow          *self,
                  KilnConversionPhase  phase,
                  KilnConversion      *conversion)
{
  clear_retry (self);

  switch ((KilnConversionPhase) phase)
    {
    case KILN_CONVERSION_PHASE_STREAMING:
      set_phase_text (self, _("Streaming…"));
      break;
    case KILN_CONVERSION_PHASE_COMPILING:
      set_phase_text (self, _("Compiling the C++…"));
      break;
    case KILN_CONVERSION_PHASE_RUNNING_CPP:
      set_phase_text (self, _("Running the C++…"));
      break;
    case KILN_CONVERSION_PHASE_RUNNING_PYTHON:
      set_phase_text (self, kiln_conversion_get_language (conversion) == KILN_LANGUAGE_PYTHON
                            ? _("Running Python…") : _("Running the original C++…"));
      break;
    case KILN_CONVERSION_PHASE_WAITING:
      set_phase_text (self, _("Waiting for another model’s program to finish running…"));
      break;
    case KILN_CONVERSION_PHASE_PREPARING:
      set_phase_text (self, _("Preparing the prompt…"));
      break;
    case KILN_CONVERSION_PHASE_IDLE:
    case KILN_CONVERSION_PHASE_DONE:
    default:
      break;
    }
}

static void
retrying_cb (KilnWindow     *self,
             guint           delay_ms,
             const GError   *error,
             KilnConversion *conversion)
{
  clear_retry (self);
  self->retry_at = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  if (retry_tick_cb (self))
    self->retry_source = g_timeout_add_seconds (1, retry_tick_cb, self);
}

static void
attempt_finished_cb (KilnWindow     *self,
                     KilnAttempt    *attempt,
                     KilnConversion *conversion)
{
  /* The pane shows exactly the attempt's code before the next one starts. */
  kiln_text_feed_flush (self->cpp_feed);
  kiln_model_notes_flush (self->model_notes);
  g_ptr_array_add (self->attempts, kiln_attempt_ref (attempt));
  self->shown = self->attempts->len - 1;
}

/* The shown conversion ended: the drafts and the verdict catch up with what it wrote. */
static void
show_conclusion (KilnWindow *self)
{
  KilnConversion *conversion = self->conversion;
  KilnVerdict verdict = kiln_conversion_get_verdict (conversion);
  KilnAttempt *last = kiln_conversion_get_last_attempt (conversion);
  guint max = kiln_conversion_get_max_attempts (conversion);
  g_autofree char *report = NULL;
  g_autofree char *progress = NULL;
  const char *error = NULL;

  if (kiln_conversion_get_restored (conversion))
    /* Translators: a conversion read back from the history; %s is a model's name */
    progress = g_strdup_printf (_("A past conversion by %s"),
                                kiln_conversion_get_model_label (conversion));
  else if (verdict == KILN_VERDICT_MATCHED || verdict == KILN_VERDICT_UNVERIFIED ||
           verdict == KILN_VERDICT_MATCHED_WITHIN_TOLERANCE)
    progress = g_strdup_printf (_("Attempt %u of %u succeeded"), last->number, max);
  else if (verdict == KILN_VERDICT_STOPPED)
    progress = last != NULL
               ? g_strdup_printf (_("Stopped during attempt %u of %u"), last->number, max)
               : g_strdup (_("Stopped"));
  else if (last != NULL)
    progress = g_strdup_printf (_("Attempt %u of %u failed"), last->number, max);
  else
    progress = g_strdup (_("The conversion could not start"));

  if (verdict != KILN_VERDICT_MATCHED && verdict != KILN_VERDICT_UNVERIFIED &&
      verdict != KILN_VERDICT_MATCHED_WITHIN_TOLERANCE && verdict != KILN_VERDICT_STOPPED)
    error = kiln_conversion_get_error_message (conversion);
  if (last != NULL)
    report = format_report (self);

  kiln_status_panel_set_conversion (self->status_panel, progress, error, report);
}

static void
conversion_ended (KilnWindow *self)
{
  kiln_text_feed_flush (self->cpp_feed);
  kiln_model_notes_flush (self->model_notes);
  clear_retry (self);
  self->streaming_code = FALSE;
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->cpp_view), TRUE);

  self->shown = self->attempts->len > 0 ? self->attempts->len - 1 : n_entries (self);
  if (self->shown >= n_entries (self))
    self->shown = 0;

  _kiln_window_cpp_edited (self);
  show_entry_results (self);
  show_conclusion (self);
  _kiln_window_update_actions (self);
}

static void
running_changed_cb (KilnWindow     *self,
                    GParamSpec     *pspec,
                    KilnConversion *conversion)
{
  if (!kiln_conversion_get_running (conversion) && self->cpp_feed != NULL)
    conversion_ended (self);
}

/* Showing a conversion */

static void
show_conversion (KilnWindow     *self,
                 KilnConversion *conversion)
{
  GListModel *attempts;

  if (self->conversion == conversion)
    return;

  if (self->conversion != NULL)
    {
      kiln_text_feed_flush (self->cpp_feed);
      clear_retry (self);
    }
  keep_user_code (self);
  g_set_object (&self->conversion, conversion);
  g_signal_group_set_target (self->conversion_signals, conversion);
  _kiln_window_compare_shown_changed (self);

  g_ptr_array_set_size (self->attempts, 0);
  self->shown = 0;
  if (conversion == NULL)
    {
      self->streaming_code = FALSE;
      gtk_text_view_set_editable (GTK_TEXT_VIEW (self->cpp_view), TRUE);
      _kiln_window_update_actions (self);
      return;
    }

  attempts = kiln_conversion_get_attempts_model (conversion);
  for (guint i = 0; i < g_list_model_get_n_items (attempts); i++)
    g_ptr_array_add (self->attempts, g_list_model_get_item (attempts, i));

  if (kiln_conversion_get_running (conversion))
    {
      /* It streams into the pane from where it is now. */
      self->streaming_code = TRUE;
      gtk_text_view_set_editable (GTK_TEXT_VIEW (self->cpp_view), FALSE);
      _kiln_window_clear_diagnostic_marks (self);
      kiln_text_feed_replace (self->cpp_feed, kiln_conversion_get_current_code (conversion));
      kiln_model_notes_set (self->model_notes, kiln_conversion_get_current_notes (conversion),
                            NULL);
      g_clear_pointer (&self->progress_attempt, g_free);
      {
        g_autofree char *verdict = kiln_conversion_dup_verdict_text (conversion);

        set_phase_text (self, verdict);
      }
      _kiln_window_update_actions (self);
      return;
    }

  self->streaming_code = FALSE;
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->cpp_view), TRUE);
  if (self->attempts->len > 0)
    show_entry (self, self->attempts->len - 1);
  show_conclusion (self);
  _kiln_window_update_actions (self);
}

void
_kiln_window_show_conversion (KilnWindow     *self,
                              KilnConversion *conversion)
{
  show_conversion (self, conversion);
}

/* Starting */

/* Hands the program in the editors to the session; FALSE when there is none. */
static gboolean
set_program (KilnWindow *self)
{
  KilnLanguage language;
  g_autofree char *source = NULL;
  g_autofree char *input = NULL;
  Program *original;

  if (!get_source_language (self, &language))
    return FALSE;

  source = _kiln_window_dup_buffer_text (_kiln_window_get_buffer (self, language));
  input = _kiln_window_dup_buffer_text (gtk_text_view_get_buffer (self->input_view));
  kiln_session_set_program (self->session, language, source, input);

  /* The same text and input already ran: no need to run it again. */
  original = &self->programs[language];
  if (original->result != NULL && original->result->ok && original->source != NULL)
    kiln_session_offer_reference (self->session, language, original->source, original->input,
                                  original->result);
  return TRUE;
}

static void
prepare_pane (KilnWindow *self)
{
  keep_user_code (self);
  g_clear_pointer (&self->progress_attempt, g_free);
  g_clear_pointer (&self->reference_cpp, g_free);
  gtk_widget_set_visible (self->reference_badge, FALSE);
  _kiln_window_program_clear_result (&self->programs[KILN_LANGUAGE_CPP]);
  kiln_status_panel_set_result (self->status_panel, KILN_LANGUAGE_CPP, NULL);
  kiln_status_panel_set_comparison (self->status_panel, NULL);
  kiln_model_notes_set_expanded (self->model_notes, TRUE);
}

KilnConversion *
_kiln_window_convert_with (KilnWindow *self,
                           KilnModel  *model)
{
  KilnConversion *conversion;

  conversion = kiln_session_convert (self->session, model);
  show_conversion (self, conversion);
  /* Each attempt writes its code from the start. */
  kiln_text_feed_replace (self->cpp_feed, kiln_conversion_get_current_code (conversion));
  set_phase_text (self, _("Looking up the API key…"));
  _kiln_window_update_actions (self);
  return conversion;
}

static void
convert_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  KilnModelItem *item = kiln_model_dropdown_get_selected_item (self->model_dropdown);

  /* The same action stops them. */
  if (kiln_session_get_busy (self->session))
    {
      kiln_session_stop (self->session, NULL);
      return;
    }

  if (item == NULL || !kiln_model_item_get_available (item) || !set_program (self))
    return;

  prepare_pane (self);
  _kiln_window_convert_with (self, kiln_model_item_get_model (item));
}

void
_kiln_window_convert_all (KilnWindow *self,
                          GPtrArray  *models)
{
  KilnConversion *first = NULL;

  g_return_if_fail (models != NULL);

  if (kiln_session_get_busy (self->session) || models->len == 0 || !set_program (self))
    return;

  prepare_pane (self);
  for (guint i = 0; i < models->len; i++)
    {
      KilnConversion *conversion = kiln_session_convert (self->session,
                                                         g_ptr_array_index (models, i));

      if (first == NULL)
        first = conversion;
    }
  show_conversion (self, first);
  kiln_text_feed_replace (self->cpp_feed, "");
  _kiln_window_update_actions (self);
}

/* Set-up */

static void
selected_model_changed_cb (KilnWindow *self)
{
  g_signal_group_set_target (self->model_signals,
                             kiln_model_dropdown_get_selected_item (self->model_dropdown));
  _kiln_window_update_actions (self);
}

void
_kiln_window_convert_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.convert", NULL, convert_action);
  gtk_widget_class_install_action (widget_class, "win.previous-attempt", NULL,
                                   previous_attempt_action);
  gtk_widget_class_install_action (widget_class, "win.next-attempt", NULL,
                                   next_attempt_action);
}

void
_kiln_window_convert_init (KilnWindow *self)
{
  self->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_attempt_unref);
  /* The window's own frame clock: the pane is written even while scrolled out of view. */
  self->cpp_feed = kiln_text_feed_new (GTK_TEXT_VIEW (self->cpp_view), GTK_WIDGET (self));

  self->model_signals = g_signal_group_new (KILN_TYPE_MODEL_ITEM);
  g_signal_group_connect_swapped (self->model_signals, "notify::available",
                                  G_CALLBACK (_kiln_window_update_actions), self);
  g_signal_connect_object (kiln_model_dropdown_get_drop_down (self->model_dropdown),
                           "notify::selected-item", G_CALLBACK (selected_model_changed_cb),
                           self, G_CONNECT_SWAPPED);

  /* The window follows the conversion it shows; the others go on in the session. */
  self->conversion_signals = g_signal_group_new (KILN_TYPE_CONVERSION);
  g_signal_group_connect_swapped (self->conversion_signals, "attempt-started",
                                  G_CALLBACK (attempt_started_cb), self);
  g_signal_group_connect_swapped (self->conversion_signals, "code-changed",
                                  G_CALLBACK (code_changed_cb), self);
  g_signal_group_connect_swapped (self->conversion_signals, "notes-delta",
                                  G_CALLBACK (notes_delta_cb), self);
  g_signal_group_connect_swapped (self->conversion_signals, "reasoning-delta",
                                  G_CALLBACK (reasoning_delta_cb), self);
  g_signal_group_connect_swapped (self->conversion_signals, "phase-changed",
                                  G_CALLBACK (phase_changed_cb), self);
  g_signal_group_connect_swapped (self->conversion_signals, "retrying",
                                  G_CALLBACK (retrying_cb), self);
  g_signal_group_connect_swapped (self->conversion_signals, "attempt-finished",
                                  G_CALLBACK (attempt_finished_cb), self);
  g_signal_group_connect_swapped (self->conversion_signals, "notify::running",
                                  G_CALLBACK (running_changed_cb), self);
  g_signal_connect_object (self->session, "notify::busy",
                           G_CALLBACK (_kiln_window_update_actions), self, G_CONNECT_SWAPPED);
}

void
_kiln_window_convert_dispose (KilnWindow *self)
{
  if (self->session != NULL)
    kiln_session_stop (self->session, NULL);
  clear_retry (self);
  if (self->conversion_signals != NULL)
    g_signal_group_set_target (self->conversion_signals, NULL);
  g_clear_object (&self->conversion_signals);
  g_clear_object (&self->conversion);
  g_clear_pointer (&self->cpp_feed, kiln_text_feed_free);
  g_clear_object (&self->model_signals);
  g_clear_pointer (&self->attempts, g_ptr_array_unref);
  g_clear_pointer (&self->user_code, g_free);
  g_clear_pointer (&self->progress_attempt, g_free);
  g_clear_pointer (&self->progress_phase, g_free);
  self->streaming_code = FALSE;
}

/* For tests */

KilnSession *
kiln_window_get_session (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return self->session;
}

KilnConversion *
kiln_window_get_shown_conversion (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return self->conversion;
}

KilnModelNotes *
kiln_window_get_model_notes (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return self->model_notes;
}

const char *
kiln_window_get_attempt_text (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return gtk_label_get_text (self->attempt_label);
}

guint
kiln_window_get_cpp_writes (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), 0);

  return self->cpp_feed != NULL ? kiln_text_feed_get_n_applied (self->cpp_feed) : 0;
}

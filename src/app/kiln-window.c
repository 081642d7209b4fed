/* kiln-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "kiln-a11y.h"
#include "kiln-input-cases-view.h"
#include "kiln-model-dropdown.h"
#include "kiln-status-panel.h"
#include "kiln-window-private.h"

G_DEFINE_FINAL_TYPE (KilnWindow, kiln_window, ADW_TYPE_APPLICATION_WINDOW)

void
_kiln_window_program_clear_result (Program *program)
{
  g_clear_pointer (&program->result, kiln_run_result_unref);
  g_clear_pointer (&program->source, g_free);
  g_clear_pointer (&program->input, g_free);
  program->current = FALSE;
}

void
_kiln_window_show_toast (KilnWindow *self,
            const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Loads @text into an editor as one undoable step. */
void
_kiln_window_set_buffer_text (KilnWindow    *self,
                 GtkTextBuffer *buffer,
                 const char    *text)
{
  GtkTextIter start, end;

  /* Replacing rather than gtk_text_buffer_set_text() keeps the change undoable. */
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_insert (buffer, &start, text, -1);
  gtk_text_buffer_end_user_action (buffer);

  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
}

/* Actions */

void
_kiln_window_update_actions (KilnWindow *self)
{
  GtkTextBuffer *cpp = _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP);
  const struct {
    KilnLanguage  language;
    GtkButton    *button;
    const char   *run_label;
    const char   *run_tooltip;
    const char   *stop_tooltip;
  } runs[] = {
    { KILN_LANGUAGE_PYTHON, self->run_python_button, N_("Run Python"),
      N_("Run the Python program (Ctrl+R)"), N_("Stop the Python program (Ctrl+R)") },
    { KILN_LANGUAGE_CPP, self->run_cpp_button, N_("Run C++"),
      N_("Compile and run the C++ program (Shift+Ctrl+R)"),
      N_("Stop the C++ program (Shift+Ctrl+R)") },
  };

  _kiln_window_convert_update_actions (self);
  _kiln_window_compare_update_actions (self);
  _kiln_window_optimize_update_actions (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-cpp-as",
                                 gtk_text_buffer_get_char_count (cpp) > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.load-example", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.derive-hidden-inputs",
                                 self->derive_cancellable == NULL);

  if (self->programs[KILN_LANGUAGE_PYTHON].cancellable != NULL ||
      self->programs[KILN_LANGUAGE_CPP].cancellable != NULL)
    {
      gtk_button_set_label (self->run_both_button, _("Stop _Both"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_both_button),
                                   _("Stop both programs (F5)"));
    }
  else
    {
      gtk_button_set_label (self->run_both_button, _("Run _Both"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_both_button),
                                   _("Run both programs and compare their outputs (F5)"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      gboolean running = self->programs[runs[i].language].cancellable != NULL;

      gtk_button_set_label (runs[i].button, running ? _("Stop") : _(runs[i].run_label));
      gtk_widget_set_tooltip_text (GTK_WIDGET (runs[i].button),
                                   running ? _(runs[i].stop_tooltip) : _(runs[i].run_tooltip));
      if (running)
        gtk_widget_add_css_class (GTK_WIDGET (runs[i].button), "destructive-action");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (runs[i].button), "destructive-action");
    }
}

/* Running */

void
_kiln_window_fill_limits (KilnWindow    *self,
                          KilnLanguage   language,
                          KilnRunLimits *limits)
{
  kiln_run_config_fill_limits (self->config, language, limits);
}

/* GSettings keys and KilnRunConfig properties share their names. */
static gboolean
seconds_get_mapping (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant));
  return TRUE;
}

static GVariant *
seconds_set_mapping (const GValue       *value,
                     const GVariantType *expected_type,
                     gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) MIN (g_value_get_double (value) + 0.5, G_MAXUINT32));
}

void
_kiln_window_bind_config (GSettings     *settings,
                          KilnRunConfig *config)
{
  static const char * const keys[] = {
    "python-interpreter", "compiler", "compiler-flags", "sandbox", "output-cap-kib",
    "cpp-repeat", "cpp-time-budget", "python-repeat", "timing-patterns", "max-attempts",
    "auto-verify", "python-time-budget", "tolerance",
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_bind (settings, keys[i], config, keys[i], G_SETTINGS_BIND_GET);
  g_settings_bind_with_mapping (settings, "run-timeout", config, "run-timeout",
                                G_SETTINGS_BIND_GET, seconds_get_mapping, seconds_set_mapping,
                                NULL, NULL);
  g_settings_bind_with_mapping (settings, "cpp-timeout", config, "cpp-timeout",
                                G_SETTINGS_BIND_GET, seconds_get_mapping, seconds_set_mapping,
                                NULL, NULL);
}

void
_kiln_window_clear_diagnostic_marks (KilnWindow *self)
{
  GtkTextBuffer *buffer = _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_source_buffer_remove_source_marks (GTK_SOURCE_BUFFER (buffer), &start, &end, MARK_ERROR);
  gtk_source_buffer_remove_source_marks (GTK_SOURCE_BUFFER (buffer), &start, &end, MARK_WARNING);
  gtk_text_buffer_remove_tag (buffer, self->error_tag, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->warning_tag, &start, &end);
}

/* Diagnostics in system headers or from the linker have no place in the editor. */
static gboolean
diagnostic_is_in_source (const KilnDiagnostic *diagnostic)
{
  static const char * const suffixes[] = { ".cpp", ".cc", ".cxx", ".c++" };

  if (diagnostic->line == 0 || diagnostic->file == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      if (g_str_has_suffix (diagnostic->file, suffixes[i]))
        return TRUE;
    }

  return FALSE;
}

void
_kiln_window_mark_diagnostics (KilnWindow        *self,
                  KilnCompileResult *compile)
{
  GtkTextBuffer *buffer = _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP);

  _kiln_window_clear_diagnostic_marks (self);

  if (compile == NULL || compile->diagnostics == NULL)
    return;

  for (guint i = 0; i < compile->diagnostics->len; i++)
    {
      const KilnDiagnostic *diagnostic = g_ptr_array_index (compile->diagnostics, i);
      gboolean error = diagnostic->severity == KILN_SEVERITY_ERROR;
      GtkTextIter start, end;

      if (diagnostic->severity == KILN_SEVERITY_NOTE || !diagnostic_is_in_source (diagnostic))
        continue;

      if ((int) diagnostic->line > gtk_text_buffer_get_line_count (buffer))
        continue;

      gtk_text_buffer_get_iter_at_line (buffer, &start, (int) diagnostic->line - 1);
      end = start;
      if (!gtk_text_iter_ends_line (&end))
        gtk_text_iter_forward_to_line_end (&end);

      gtk_source_buffer_create_source_mark (GTK_SOURCE_BUFFER (buffer), NULL,
                                            error ? MARK_ERROR : MARK_WARNING, &start);
      gtk_text_buffer_apply_tag (buffer, error ? self->error_tag : self->warning_tag,
                                 &start, &end);
    }
}

typedef struct
{
  KilnWindow   *self;
  GCancellable *cancellable;
  KilnLanguage  language;
  char         *source;
  char         *input;
} RunData;

static void
run_data_free (RunData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->cancellable);
  g_free (data->source);
  g_free (data->input);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RunData, run_data_free)

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(RunData) data = user_data;
  KilnWindow *self = data->self;
  Program *program = &self->programs[data->language];
  g_autoptr(KilnRunResult) run = NULL;
  g_autoptr(GError) error = NULL;

  run = kiln_toolchain_run_finish (KILN_TOOLCHAIN (object), result, &error);

  /* A window being closed forgot this run already. */
  if (program->cancellable != data->cancellable)
    return;

  g_clear_object (&program->cancellable);
  kiln_status_panel_set_running (self->status_panel, data->language, FALSE);
  /* The other program's turn has come. */
  kiln_status_panel_set_waiting (self->status_panel,
                                 data->language == KILN_LANGUAGE_CPP ? KILN_LANGUAGE_PYTHON
                                                                     : KILN_LANGUAGE_CPP,
                                 FALSE);
  _kiln_window_update_actions (self);

  if (run == NULL)
    {
      _kiln_window_update_results (self, TRUE);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _kiln_window_show_toast (self, error->message);
      else
        {
          g_autofree char *message = NULL;

          /* Translators: %s is "Python" or "C++" */
          message = g_strdup_printf (_("The %s program was stopped"),
                                     kiln_language_get_title (data->language));
          _kiln_window_show_toast (self, message);
        }
      return;
    }

  _kiln_window_program_clear_result (program);
  program->result = g_steal_pointer (&run);
  program->source = g_steal_pointer (&data->source);
  program->input = g_steal_pointer (&data->input);

  kiln_status_panel_set_result (self->status_panel, data->language, program->result);

  if (data->language == KILN_LANGUAGE_CPP)
    _kiln_window_mark_diagnostics (self, program->result->compile);

  _kiln_window_update_results (self, TRUE);
}

static void
run_program (KilnWindow   *self,
             KilnLanguage  language)
{
  Program *program = &self->programs[language];
  g_autoptr(GBytes) input = NULL;
  KilnRunLimits limits;
  RunData *data;

  /* The same action stops a running program. */
  if (program->cancellable != NULL)
    {
      g_cancellable_cancel (program->cancellable);
      return;
    }

  _kiln_window_fill_limits (self, language, &limits);

  data = g_new0 (RunData, 1);
  data->self = g_object_ref (self);
  data->language = language;
  data->source = _kiln_window_dup_buffer_text (_kiln_window_get_buffer (self, language));
  data->input = _kiln_window_dup_buffer_text (gtk_text_view_get_buffer (self->input_view));
  data->cancellable = g_cancellable_new ();

  if (*data->input != '\0')
    input = g_bytes_new (data->input, strlen (data->input));

  program->cancellable = g_object_ref (data->cancellable);
  kiln_status_panel_set_running (self->status_panel, language, TRUE);
  /* Timed runs take turns: the second waits for the first. */
  kiln_status_panel_set_waiting (self->status_panel, language,
                                 self->programs[language == KILN_LANGUAGE_CPP
                                                ? KILN_LANGUAGE_PYTHON
                                                : KILN_LANGUAGE_CPP].cancellable != NULL);
  _kiln_window_update_actions (self);
  _kiln_window_update_results (self, TRUE);

  kiln_toolchain_run_async (self->toolchain, language, data->source, input, &limits,
                            data->cancellable, run_cb, data);
}

static void
run_python_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  run_program (KILN_WINDOW (widget), KILN_LANGUAGE_PYTHON);
}

/* Run Both verifies the C++ program against the session's program: every input case, the
 * tolerance, the start-up floor and the hard-coded check, as conversions are verified. */
typedef struct
{
  KilnWindow   *self;
  GCancellable *cancellable;
  KilnProgram  *program;
  char         *python;
  char         *cpp;
  char         *input;
} VerifyData;

static void
verify_data_free (VerifyData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->program);
  g_free (data->python);
  g_free (data->cpp);
  g_free (data->input);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VerifyData, verify_data_free)

static void
show_python_run (KilnWindow    *self,
                 KilnRunResult *run,
                 const char    *source,
                 const char    *input)
{
  Program *python = &self->programs[KILN_LANGUAGE_PYTHON];

  if (run == NULL || run == python->result)
    return;

  _kiln_window_program_clear_result (python);
  python->result = kiln_run_result_ref (run);
  python->source = g_strdup (source);
  python->input = g_strdup (input);
  kiln_status_panel_set_result (self->status_panel, KILN_LANGUAGE_PYTHON, run);
}

static void
verify_progress_cb (KilnVerifyStep step,
                    guint          index,
                    gpointer       user_data)
{
  VerifyData *data = user_data;
  KilnWindow *self = data->self;

  if (self->programs[KILN_LANGUAGE_CPP].cancellable != data->cancellable)
    return;

  /* Shown: the first case; the hidden ones run while both still say "Running…". */
  if (step == KILN_VERIFY_STEP_RUNNING_ORIGINAL && index == 0)
    kiln_status_panel_set_running (self->status_panel, KILN_LANGUAGE_PYTHON, TRUE);
  else if (step == KILN_VERIFY_STEP_RUNNING_CPP && index == 0)
    {
      KilnReference *reference = kiln_program_get_reference (data->program, 0);

      show_python_run (self, reference != NULL ? kiln_reference_get_result (reference) : NULL,
                       data->python, data->input);
      kiln_status_panel_set_running (self->status_panel, KILN_LANGUAGE_PYTHON, FALSE);
      kiln_status_panel_set_running (self->status_panel, KILN_LANGUAGE_CPP, TRUE);
    }
}

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VerifyData) data = user_data;
  KilnWindow *self = data->self;
  Program *cpp = &self->programs[KILN_LANGUAGE_CPP];
  g_autoptr(KilnVerification) verification = NULL;
  g_autoptr(KilnRunResult) cpp_run = NULL;
  g_autoptr(GError) error = NULL;

  verification = kiln_program_verify_finish (KILN_PROGRAM (object), result, &error);

  /* A window being closed forgot this run already. */
  if (cpp->cancellable != data->cancellable)
    return;

  for (guint i = 0; i < N_LANGUAGES; i++)
    {
      g_clear_object (&self->programs[i].cancellable);
      kiln_status_panel_set_running (self->status_panel, i, FALSE);
      kiln_status_panel_set_waiting (self->status_panel, i, FALSE);
    }
  _kiln_window_update_actions (self);

  if (verification == NULL)
    {
      _kiln_window_update_results (self, TRUE);
      _kiln_window_show_toast (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                     ? _("Both programs were stopped") : error->message);
      return;
    }

  if (verification->python != NULL)
    show_python_run (self, verification->python, data->python, data->input);
  else if (kiln_program_get_reference (data->program, 0) != NULL)
    show_python_run (self,
                     kiln_reference_get_result (kiln_program_get_reference (data->program, 0)),
                     data->python, data->input);

  if (verification->cpp != NULL)
    cpp_run = kiln_run_result_ref (verification->cpp);
  else if (verification->compile != NULL && !verification->compile->ok)
    {
      /* It did not build: the compiler's messages are the result. */
      cpp_run = kiln_run_result_new (KILN_LANGUAGE_CPP);
      cpp_run->compile = kiln_compile_result_ref (verification->compile);
      cpp_run->ok = FALSE;
      if (verification->error != NULL)
        cpp_run->error = g_error_copy (verification->error);
    }

  if (cpp_run != NULL)
    {
      _kiln_window_program_clear_result (cpp);
      cpp->result = kiln_run_result_ref (cpp_run);
      cpp->source = g_steal_pointer (&data->cpp);
      cpp->input = g_strdup (data->input);
      kiln_status_panel_set_result (self->status_panel, KILN_LANGUAGE_CPP, cpp->result);
      _kiln_window_mark_diagnostics (self, cpp->result->compile);
    }
  else if (verification->error != NULL)
    _kiln_window_show_toast (self, verification->error->message);

  _kiln_window_set_verification (self, verification, cpp_run);
  _kiln_window_update_results (self, TRUE);
}

static gboolean
text_is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static gboolean
run_both_verified (KilnWindow *self)
{
  GtkTextBuffer *input_buffer = gtk_text_view_get_buffer (self->input_view);
  Program *python = &self->programs[KILN_LANGUAGE_PYTHON];
  VerifyData *data;

  data = g_new0 (VerifyData, 1);
  data->python = _kiln_window_dup_buffer_text (_kiln_window_get_buffer (self,
                                                                      KILN_LANGUAGE_PYTHON));
  data->cpp = _kiln_window_dup_buffer_text (_kiln_window_get_buffer (self, KILN_LANGUAGE_CPP));
  data->input = _kiln_window_dup_buffer_text (input_buffer);

  /* Nothing to verify: each pane runs on its own and says what is missing. */
  if (text_is_blank (data->python) || text_is_blank (data->cpp))
    {
      verify_data_free (data);
      return FALSE;
    }

  kiln_session_set_program (self->session, KILN_LANGUAGE_PYTHON, data->python, data->input);
  if (python->result != NULL && python->result->ok && python->source != NULL)
    kiln_session_offer_reference (self->session, KILN_LANGUAGE_PYTHON, python->source,
                                  python->input, python->result);

  data->self = g_object_ref (self);
  data->program = g_object_ref (kiln_session_get_program (self->session));
  data->cancellable = g_cancellable_new ();

  _kiln_window_set_verification (self, NULL, NULL);
  for (guint i = 0; i < N_LANGUAGES; i++)
    {
      self->programs[i].cancellable = g_object_ref (data->cancellable);
      kiln_status_panel_set_running (self->status_panel, i, TRUE);
    }
  /* Timed runs take turns: the original runs first. */
  kiln_status_panel_set_waiting (self->status_panel, KILN_LANGUAGE_CPP, TRUE);
  _kiln_window_update_actions (self);
  _kiln_window_update_results (self, TRUE);

  kiln_program_verify_full_async (data->program, data->cpp, NULL, verify_progress_cb, data,
                                  NULL, data->cancellable, verify_cb, data);
  return TRUE;
}

/* Runs both programs, one after the other (runs take turns), so the verdict follows; the
 * same action stops them. */
static void
run_both_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  gboolean running = FALSE;

  for (guint i = 0; i < N_LANGUAGES; i++)
    if (self->programs[i].cancellable != NULL)
      {
        g_cancellable_cancel (self->programs[i].cancellable);
        running = TRUE;
      }
  if (running)
    return;

  if (run_both_verified (self))
    return;

  run_program (self, KILN_LANGUAGE_PYTHON);
  run_program (self, KILN_LANGUAGE_CPP);
}

static void
run_cpp_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  run_program (KILN_WINDOW (widget), KILN_LANGUAGE_CPP);
}

/* The verdict */

KilnTimingMask *
_kiln_window_new_timing_mask (KilnWindow  *self,
                              GError     **error)
{
  return kiln_run_config_dup_timing_mask (self->config, error);
}

static void
show_verdict (KilnWindow *self)
{
  Program *python = &self->programs[KILN_LANGUAGE_PYTHON];
  Program *cpp = &self->programs[KILN_LANGUAGE_CPP];
  KilnRunResult *python_run = python->current ? python->result : NULL;
  KilnRunResult *cpp_run = cpp->current ? cpp->result : NULL;
  g_autoptr(KilnTimingMask) mask = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->comparison, kiln_comparison_free);
  self->verification_shown = FALSE;

  if (cpp_run != NULL && cpp_run->compile != NULL && !cpp_run->compile->ok)
    {
      guint n_errors = kiln_diagnostics_count (cpp_run->compile->diagnostics,
                                               KILN_SEVERITY_ERROR);
      g_autofree char *message = NULL;

      if (n_errors > 0)
        message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "The C++ program did not compile: %u error",
                                                "The C++ program did not compile: %u errors",
                                                n_errors),
                                   n_errors);
      else
        message = g_strdup (_("The C++ program did not compile"));

      kiln_status_panel_set_verdict_message (self->status_panel, message,
                                             KILN_VERDICT_STYLE_ERROR);
      return;
    }

  if (python_run == NULL || cpp_run == NULL)
    {
      const char *message = NULL;

      if (python->cancellable != NULL || cpp->cancellable != NULL)
        message = _("Waiting for the programs to finish to compare outputs");
      else if (python_run != NULL)
        message = cpp->result != NULL
                  ? _("The C++ code was edited since it ran: run it again to compare outputs")
                  : _("Run the C++ program to compare outputs");
      else if (cpp_run != NULL)
        message = python->result != NULL
                  ? _("The Python code was edited since it ran: run it again to compare outputs")
                  : _("Run the Python program to compare outputs");
      else if (python->result != NULL || cpp->result != NULL)
        message = _("The code was edited since it ran: run both programs to compare outputs");

      if (message != NULL)
        kiln_status_panel_set_verdict_message (self->status_panel, message,
                                               KILN_VERDICT_STYLE_NEUTRAL);
      else
        kiln_status_panel_set_comparison (self->status_panel, NULL);
      return;
    }

  /* Verified: the verdict and the speedup are the verification's. */
  if (self->verification != NULL && self->verification_run == cpp_run)
    {
      self->verification_shown = TRUE;
      kiln_status_panel_set_verification (self->status_panel, self->verification);
      return;
    }

  mask = _kiln_window_new_timing_mask (self, &error);
  if (mask == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s says which timing pattern is wrong and why */
      message = g_strdup_printf (_("Outputs not compared: %s. Fix the pattern in Preferences."),
                                 error->message);
      kiln_status_panel_set_verdict_message (self->status_panel, message,
                                             KILN_VERDICT_STYLE_WARNING);
      return;
    }

  self->comparison = kiln_comparison_new (python_run, cpp_run, mask);

  if (!self->comparison->comparable)
    {
      const char *message;

      if (!python_run->ok && !cpp_run->ok)
        message = _("Outputs not compared: neither program ran to a clean exit");
      else if (!python_run->ok)
        message = _("Outputs not compared: the Python program failed");
      else
        message = _("Outputs not compared: the C++ program failed");

      kiln_status_panel_set_verdict_message (self->status_panel, message,
                                             KILN_VERDICT_STYLE_ERROR);
      return;
    }

  kiln_status_panel_set_comparison (self->status_panel, self->comparison);
}

/* @verification found what it found about @cpp_run (held by the C++ program's result); it
 * is the verdict while that result is current. */
void
_kiln_window_set_verification (KilnWindow       *self,
                               KilnVerification *verification,
                               KilnRunResult    *cpp_run)
{
  g_clear_pointer (&self->verification, kiln_verification_unref);
  g_clear_pointer (&self->verification_run, kiln_run_result_unref);
  self->verification_shown = FALSE;
  if (verification == NULL || cpp_run == NULL)
    return;

  self->verification = kiln_verification_ref (verification);
  self->verification_run = kiln_run_result_ref (cpp_run);
}

/* Works out which results still belong to the texts shown; the verdict changes only when
 * that does, or when @force (a new result, new settings). */
void
_kiln_window_update_results (KilnWindow *self,
                gboolean    force)
{
  GtkTextBuffer *input_buffer = gtk_text_view_get_buffer (self->input_view);
  g_autofree char *input = _kiln_window_dup_buffer_text (input_buffer);
  gboolean changed = force;

  for (guint i = 0; i < N_LANGUAGES; i++)
    {
      Program *program = &self->programs[i];
      gboolean current = FALSE;

      if (program->result != NULL)
        {
          GtkTextBuffer *buffer = _kiln_window_get_buffer (self, i);
          g_autofree char *source = _kiln_window_dup_buffer_text (buffer);

          current = g_str_equal (source, program->source) && g_str_equal (input, program->input);
        }

      if (current != program->current)
        {
          program->current = current;
          changed = TRUE;
        }

      kiln_status_panel_set_outdated (self->status_panel, i,
                                      program->result != NULL && !current);
    }

  if (changed)
    show_verdict (self);
}

static void
timing_patterns_changed_cb (KilnWindow *self)
{
  /* Verified under the settings before: its outputs are compared again, as runs of their
   * own, until the next Run Both. */
  _kiln_window_set_verification (self, NULL, NULL);
  _kiln_window_update_results (self, TRUE);
}

/* Editing */

static void
update_reference_badge (KilnWindow *self)
{
  gboolean visible = FALSE;

  if (self->reference_cpp != NULL)
    {
      GtkTextBuffer *buffer = _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP);
      g_autofree char *text = _kiln_window_dup_buffer_text (buffer);

      visible = g_str_equal (text, self->reference_cpp);
    }

  gtk_widget_set_visible (self->reference_badge, visible);
}

static void
buffer_changed (KilnWindow    *self,
                GtkTextBuffer *buffer,
                const char    *draft_name,
                Touched        touched)
{
  if (self->drafts == NULL)
    return;

  if (self->drafts_loaded)
    {
      g_autofree char *text = _kiln_window_dup_buffer_text (buffer);

      kiln_draft_store_queue (self->drafts, draft_name, text);
    }
  else if (!self->loading_text)
    {
      self->touched |= touched;
    }

  _kiln_window_update_results (self, FALSE);
  _kiln_window_update_actions (self);
}

static void
python_changed_cb (KilnWindow    *self,
                   GtkTextBuffer *buffer)
{
  buffer_changed (self, buffer, DRAFT_PYTHON, TOUCHED_PYTHON);
}

void
_kiln_window_cpp_edited (KilnWindow *self)
{
  buffer_changed (self, _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP), DRAFT_CPP,
                  TOUCHED_CPP);
  update_reference_badge (self);
}

static void
cpp_changed_cb (KilnWindow    *self,
                GtkTextBuffer *buffer)
{
  /* While a conversion streams, the drafts and the verdict catch up when it ends. */
  if (_kiln_window_convert_is_writing (self))
    return;

  _kiln_window_cpp_edited (self);
  _kiln_window_convert_cpp_changed (self);
}

static void
input_changed_cb (KilnWindow    *self,
                  GtkTextBuffer *buffer)
{
  buffer_changed (self, buffer, DRAFT_INPUT, TOUCHED_INPUT);
}

/* Hidden inputs */

static void
set_hidden_cases (KilnWindow         *self,
                  const char * const *cases)
{
  kiln_session_set_hidden_cases (self->session, cases);
  /* Verified on other cases: no longer the verdict. */
  _kiln_window_set_verification (self, NULL, NULL);
  _kiln_window_update_results (self, TRUE);
}

static void
hidden_inputs_changed_cb (KilnWindow *self)
{
  KilnInputCasesView *view = KILN_INPUT_CASES_VIEW (self->hidden_inputs);
  g_auto(GStrv) cases = kiln_input_cases_view_dup_cases (view);

  if (self->drafts != NULL && self->drafts_loaded)
    {
      g_autofree char *text = kiln_draft_store_encode_cases ((const char * const *) cases);

      kiln_draft_store_queue (self->drafts, DRAFT_HIDDEN, text);
    }
  else
    self->touched |= TOUCHED_HIDDEN;

  set_hidden_cases (self, (const char * const *) cases);
}

static void
derive_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(KilnWindow) self = user_data;
  g_autoptr(GPtrArray) derived = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) present = NULL;
  g_autofree char *message = NULL;
  guint added = 0;

  derived = kiln_program_derive_cases_finish (KILN_PROGRAM (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      self->derive_cancellable == NULL)
    return;
  g_clear_object (&self->derive_cancellable);
  _kiln_window_update_actions (self);

  if (derived == NULL)
    {
      _kiln_window_show_toast (self, error->message);
      return;
    }

  present = kiln_input_cases_view_dup_cases (KILN_INPUT_CASES_VIEW (self->hidden_inputs));
  for (guint i = 0; i < derived->len; i++)
    {
      KilnDerivedCase *derived_case = g_ptr_array_index (derived, i);

      if (g_strv_contains ((const char * const *) present, derived_case->text))
        continue;
      kiln_input_cases_view_append (KILN_INPUT_CASES_VIEW (self->hidden_inputs),
                                    derived_case->text);
      added++;
    }

  if (added == 0)
    message = g_strdup (_("No new hidden input: none of those derived ran cleanly in Python, "
                          "or they were there already"));
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Added %u hidden input on which the Python "
                                            "program runs cleanly",
                                            "Added %u hidden inputs on which the Python "
                                            "program runs cleanly",
                                            added),
                               added);
  _kiln_window_show_toast (self, message);
}

/* Derives hidden inputs from the program input, keeping those the original runs cleanly. */
static void
derive_hidden_inputs_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  g_autofree char *python = NULL;
  g_autofree char *input = NULL;

  if (self->derive_cancellable != NULL)
    return;

  python = _kiln_window_dup_buffer_text (_kiln_window_get_buffer (self, KILN_LANGUAGE_PYTHON));
  input = _kiln_window_dup_buffer_text (gtk_text_view_get_buffer (self->input_view));
  if (*g_strstrip (input) == '\0')
    {
      _kiln_window_show_toast (self, _("The program input is empty: there is nothing to "
                                       "derive hidden inputs from"));
      return;
    }
  g_free (input);
  input = _kiln_window_dup_buffer_text (gtk_text_view_get_buffer (self->input_view));

  kiln_session_set_program (self->session, KILN_LANGUAGE_PYTHON, python, input);
  self->derive_cancellable = g_cancellable_new ();
  _kiln_window_update_actions (self);
  _kiln_window_show_toast (self, _("Deriving hidden inputs: running the Python program on "
                                   "each…"));
  kiln_program_derive_cases_async (kiln_session_get_program (self->session), 5,
                                   g_random_int (), self->derive_cancellable, derive_cb,
                                   g_object_ref (self));
}

static void
diagnostic_activated_cb (KilnWindow *self,
                         guint       line,
                         guint       column)
{
  GtkTextBuffer *buffer = _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP);
  GtkTextIter iter;

  /* GTK clamps a line or column past the end to the end. */
  gtk_text_buffer_get_iter_at_line_offset (buffer, &iter, (int) line - 1,
                                           column > 0 ? (int) column - 1 : 0);
  gtk_text_buffer_place_cursor (buffer, &iter);
  gtk_text_view_scroll_to_mark (GTK_TEXT_VIEW (self->cpp_view),
                                gtk_text_buffer_get_insert (buffer), 0.2, FALSE, 0, 0);
  gtk_widget_grab_focus (GTK_WIDGET (self->cpp_view));
}

static void
update_style_scheme (KilnWindow *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (schemes,
                                                       adw_style_manager_get_dark (style_manager)
                                                       ? "Adwaita-dark" : "Adwaita");

  for (guint i = 0; i < N_LANGUAGES; i++)
    gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (_kiln_window_get_buffer (self, i)),
                                        scheme);
}

/* Drafts */

static void
draft_save_failed_cb (KilnWindow   *self,
                      const GError *error)
{
  g_autofree char *message = NULL;

  if (self->draft_error_shown)
    return;

  self->draft_error_shown = TRUE;
  message = g_strdup_printf (_("Your code could not be saved as a draft: %s"), error->message);
  _kiln_window_show_toast (self, message);
}

/* A C++ draft that is an example's reference translation, unchanged, is shown as such again
 * after a restart. */
static void
restore_reference (KilnWindow *self)
{
  g_autofree char *cpp = _kiln_window_dup_buffer_text (_kiln_window_get_buffer (self,
                                                                              KILN_LANGUAGE_CPP));
  const KilnExample *examples;
  guint n_examples = 0;

  if (*cpp == '\0' || self->reference_cpp != NULL)
    return;

  examples = kiln_examples_get_all (&n_examples);
  for (guint i = 0; i < n_examples; i++)
    {
      g_autoptr(GBytes) bytes = kiln_example_get_cpp (&examples[i]);
      g_autofree char *reference = g_utf8_make_valid (g_bytes_get_data (bytes, NULL),
                                                      g_bytes_get_size (bytes));

      if (g_str_equal (reference, cpp))
        {
          self->reference_cpp = g_steal_pointer (&reference);
          break;
        }
    }
  update_reference_badge (self);
}

static void
drafts_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(KilnWindow) self = user_data;
  g_autoptr(GHashTable) texts = NULL;
  g_autoptr(GError) error = NULL;
  const struct {
    const char    *name;
    Touched        touched;
    GtkTextBuffer *buffer;
  } drafts[] = {
    { DRAFT_PYTHON, TOUCHED_PYTHON, _kiln_window_get_buffer (self, KILN_LANGUAGE_PYTHON) },
    { DRAFT_CPP, TOUCHED_CPP, _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP) },
    { DRAFT_INPUT, TOUCHED_INPUT, gtk_text_view_get_buffer (self->input_view) },
  };

  texts = kiln_draft_store_load_finish (KILN_DRAFT_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->drafts == NULL)
    return;

  if (texts == NULL)
    {
      g_autofree char *message = NULL;

      /* Saving now could overwrite drafts that exist but could not be read. */
      message = g_strdup_printf (_("Your saved drafts could not be read: %s"), error->message);
      _kiln_window_show_toast (self, message);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (drafts); i++)
    {
      const char *text = g_hash_table_lookup (texts, drafts[i].name);

      if ((self->touched & drafts[i].touched) == 0)
        {
          if (text != NULL)
            {
              self->loading_text = TRUE;
              _kiln_window_set_buffer_text (self, drafts[i].buffer, text);
              self->loading_text = FALSE;
            }
        }
      else
        {
          /* Edited before the drafts arrived: what is shown wins and is saved. */
          g_autofree char *shown = _kiln_window_dup_buffer_text (drafts[i].buffer);

          kiln_draft_store_queue (self->drafts, drafts[i].name, shown);
        }
    }

  {
    const char *text = g_hash_table_lookup (texts, DRAFT_HIDDEN);

    if ((self->touched & TOUCHED_HIDDEN) == 0)
      {
        g_auto(GStrv) cases = kiln_draft_store_decode_cases (text);

        if (cases != NULL)
          {
            kiln_input_cases_view_set_cases (KILN_INPUT_CASES_VIEW (self->hidden_inputs),
                                             (const char * const *) cases);
            set_hidden_cases (self, (const char * const *) cases);
          }
      }
    else
      {
        g_auto(GStrv) shown =
          kiln_input_cases_view_dup_cases (KILN_INPUT_CASES_VIEW (self->hidden_inputs));
        g_autofree char *encoded = kiln_draft_store_encode_cases ((const char * const *) shown);

        kiln_draft_store_queue (self->drafts, DRAFT_HIDDEN, encoded);
      }
  }

  self->drafts_loaded = TRUE;
  restore_reference (self);

  if (g_hash_table_lookup (texts, DRAFT_INPUT) != NULL &&
      *(const char *) g_hash_table_lookup (texts, DRAFT_INPUT) != '\0')
    gtk_expander_set_expanded (self->input_expander, TRUE);
}

/* Examples */

/* Forgets the runs and the conversions of the program that was in the editors. */
static void
clear_results (KilnWindow *self)
{
  /* Inputs derived from the previous program have no place with the next one. */
  if (self->derive_cancellable != NULL)
    {
      g_cancellable_cancel (self->derive_cancellable);
      g_clear_object (&self->derive_cancellable);
      _kiln_window_update_actions (self);
    }

  for (guint i = 0; i < N_LANGUAGES; i++)
    {
      Program *program = &self->programs[i];

      if (program->cancellable != NULL)
        g_cancellable_cancel (program->cancellable);
      _kiln_window_program_clear_result (program);
      kiln_status_panel_set_result (self->status_panel, i, NULL);
    }
  g_clear_pointer (&self->comparison, kiln_comparison_free);
  _kiln_window_set_verification (self, NULL, NULL);
  kiln_status_panel_set_comparison (self->status_panel, NULL);
  kiln_status_panel_set_conversion (self->status_panel, NULL, NULL, NULL);
  _kiln_window_show_conversion (self, NULL);
  kiln_session_clear (self->session);
  _kiln_window_optimize_clear (self);
  kiln_model_notes_set (self->model_notes, NULL, NULL);
  _kiln_window_update_results (self, TRUE);
  _kiln_window_update_actions (self);
}

static void
load_example_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  const KilnExample *example;
  g_autoptr(GBytes) python = NULL;
  g_autoptr(GBytes) cpp = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autofree char *python_text = NULL;
  g_autofree char *input_text = NULL;

  example = kiln_examples_lookup (g_variant_get_string (parameter, NULL));
  if (example == NULL)
    {
      _kiln_window_show_toast (self, _("This example is not part of Kiln"));
      return;
    }

  python = kiln_example_get_python (example);
  cpp = kiln_example_get_cpp (example);
  input = kiln_example_get_input (example);

  python_text = g_utf8_make_valid (g_bytes_get_data (python, NULL), g_bytes_get_size (python));
  g_free (self->reference_cpp);
  self->reference_cpp = g_utf8_make_valid (g_bytes_get_data (cpp, NULL), g_bytes_get_size (cpp));
  input_text = input != NULL
               ? g_utf8_make_valid (g_bytes_get_data (input, NULL), g_bytes_get_size (input))
               : g_strdup ("");

  _kiln_window_set_buffer_text (self, _kiln_window_get_buffer (self, KILN_LANGUAGE_PYTHON),
                                python_text);
  _kiln_window_set_buffer_text (self, _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP),
                                self->reference_cpp);
  _kiln_window_set_buffer_text (self, gtk_text_view_get_buffer (self->input_view), input_text);
  gtk_expander_set_expanded (self->input_expander, *input_text != '\0');
  _kiln_window_clear_diagnostic_marks (self);

  /* Another program's hidden inputs are not this one's. */
  if (kiln_input_cases_view_get_n_cases (KILN_INPUT_CASES_VIEW (self->hidden_inputs)) > 0)
    {
      kiln_input_cases_view_set_cases (KILN_INPUT_CASES_VIEW (self->hidden_inputs), NULL);
      hidden_inputs_changed_cb (self);
    }

  /* Results of the previous program say nothing about this one. */
  clear_results (self);
  update_reference_badge (self);

  /* Both panes start at the top, and the keyboard goes to the program. */
  for (guint i = 0; i < N_LANGUAGES; i++)
    {
      GtkTextView *view = GTK_TEXT_VIEW (i == KILN_LANGUAGE_CPP ? self->cpp_view
                                                                : self->python_view);
      GtkTextIter start;

      gtk_text_buffer_get_start_iter (gtk_text_view_get_buffer (view), &start);
      gtk_text_view_scroll_to_iter (view, &start, 0, FALSE, 0, 0);
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->python_view));
}

static void
populate_examples_menu (KilnWindow *self)
{
  const KilnExample *examples;
  guint n_examples = 0;

  examples = kiln_examples_get_all (&n_examples);

  for (guint i = 0; i < n_examples; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(examples[i].title), NULL);

      g_menu_item_set_action_and_target (item, "win.load-example", "s", examples[i].id);
      g_menu_append_item (self->examples_menu, item);
    }
}

/* Window state */

static void
restore_window_state (KilnWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");
  int editors = g_settings_get_int (self->settings, "editors-position");
  int status = g_settings_get_int (self->settings, "status-position");

  gtk_window_set_default_size (GTK_WINDOW (self), MAX (width, 720), MAX (height, 480));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* Unset, the editors share the width and the status panel gets the lower 45 %. */
  gtk_paned_set_position (self->editors_paned, editors >= 0 ? editors : MAX (width, 720) / 2);
  gtk_paned_set_position (self->status_paned, status >= 0 ? status : MAX (height, 480) * 55 / 100);
}

static void
save_window_state (KilnWindow *self)
{
  int width, height;

  g_settings_delay (self->settings);

  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }

  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_set_int (self->settings, "editors-position",
                      gtk_paned_get_position (self->editors_paned));
  g_settings_set_int (self->settings, "status-position",
                      gtk_paned_get_position (self->status_paned));

  g_settings_apply (self->settings);
}

static void
drafts_flushed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GApplication) app = user_data;

  kiln_draft_store_flush_finish (KILN_DRAFT_STORE (object), result, NULL);
  g_application_release (app);
}

static gboolean
kiln_window_close_request (GtkWindow *window)
{
  KilnWindow *self = KILN_WINDOW (window);
  GtkApplication *app = gtk_window_get_application (window);

  save_window_state (self);

  /* The application stays until the last draft is on disk. */
  if (self->drafts != NULL && kiln_draft_store_has_pending (self->drafts) && app != NULL)
    {
      g_application_hold (G_APPLICATION (app));
      kiln_draft_store_flush_async (self->drafts, NULL, drafts_flushed_cb, g_object_ref (app));
    }

  return GTK_WINDOW_CLASS (kiln_window_parent_class)->close_request (window);
}

/* Models */

static void
models_loaded_cb (KilnWindow      *self,
                  GParamSpec      *pspec,
                  KilnApplication *app)
{
  GPtrArray *errors = kiln_model_registry_get_errors (kiln_application_get_model_registry (app));

  /* Shown once, by the windows open when the list was read. */
  for (guint i = 0; kiln_application_get_models_loaded (app) && i < errors->len; i++)
    _kiln_window_show_toast (self, ((GError *) g_ptr_array_index (errors, i))->message);
}

static void
history_changed_cb (KilnWindow      *self,
                    GParamSpec      *pspec,
                    KilnApplication *app)
{
  const char *problem = kiln_application_get_history_problem (app);

  kiln_session_set_history (self->session, kiln_application_get_history (app));
  if (problem != NULL)
    _kiln_window_show_toast (self, problem);
}

static void
application_changed_cb (KilnWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (!KILN_IS_APPLICATION (app) || kiln_model_dropdown_get_registry (self->model_dropdown))
    return;

  kiln_model_dropdown_set_registry (self->model_dropdown,
                                    kiln_application_get_model_registry (KILN_APPLICATION (app)));
  kiln_session_set_key_store (self->session,
                              kiln_application_get_key_store (KILN_APPLICATION (app)));
  g_object_bind_property (app, "models-loaded", self->model_dropdown, "loading",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  g_signal_connect_object (app, "notify::models-loaded", G_CALLBACK (models_loaded_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (app, "notify::history", G_CALLBACK (history_changed_cb), self,
                           G_CONNECT_SWAPPED);
  if (kiln_application_get_history (KILN_APPLICATION (app)) != NULL)
    kiln_session_set_history (self->session,
                              kiln_application_get_history (KILN_APPLICATION (app)));
}

/* Life cycle */

/* Narrow windows */

/* Below this width the two editors are stacked, Python above C++. */
#define NARROW_WIDTH 900

static gboolean
apply_layout_idle (gpointer user_data)
{
  KilnWindow *self = user_data;
  GtkOrientation orientation = self->narrow ? GTK_ORIENTATION_VERTICAL
                                            : GTK_ORIENTATION_HORIZONTAL;

  self->layout_idle = 0;
  if (gtk_orientable_get_orientation (GTK_ORIENTABLE (self->editors_paned)) != orientation)
    {
      gtk_orientable_set_orientation (GTK_ORIENTABLE (self->editors_paned), orientation);
      /* Half and half in the new direction. */
      gtk_paned_set_position (self->editors_paned,
                              (self->narrow ? gtk_widget_get_height (GTK_WIDGET (self->editors_paned))
                                            : gtk_widget_get_width (GTK_WIDGET (self->editors_paned))) / 2);
    }
  return G_SOURCE_REMOVE;
}

static void
kiln_window_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  KilnWindow *self = KILN_WINDOW (widget);
  gboolean narrow = width < NARROW_WIDTH;

  GTK_WIDGET_CLASS (kiln_window_parent_class)->size_allocate (widget, width, height, baseline);

  /* Not during the allocation: changing the layout here would start another one. */
  if (narrow != self->narrow)
    {
      self->narrow = narrow;
      if (self->layout_idle == 0)
        self->layout_idle = g_idle_add (apply_layout_idle, self);
    }
}

static void
kiln_window_dispose (GObject *object)
{
  KilnWindow *self = KILN_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->layout_idle, g_source_remove);
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  _kiln_window_compare_dispose (self);
  _kiln_window_convert_dispose (self);
  _kiln_window_optimize_dispose (self);

  for (guint i = 0; i < N_LANGUAGES; i++)
    {
      Program *program = &self->programs[i];

      /* Stopping a run kills its whole process group. */
      if (program->cancellable != NULL)
        g_cancellable_cancel (program->cancellable);
      g_clear_object (&program->cancellable);
      _kiln_window_program_clear_result (program);
    }

  /* Whatever is still queued is written even though the window goes away. */
  if (self->drafts != NULL)
    {
      kiln_draft_store_flush_async (self->drafts, NULL, NULL, NULL);
      g_signal_handlers_disconnect_by_data (self->drafts, self);
      g_clear_object (&self->drafts);
    }

  if (self->file_chooser != NULL)
    gtk_native_dialog_destroy (self->file_chooser);
  g_clear_object (&self->file_chooser);

  g_clear_pointer (&self->comparison, kiln_comparison_free);
  _kiln_window_set_verification (self, NULL, NULL);
  if (self->derive_cancellable != NULL)
    g_cancellable_cancel (self->derive_cancellable);
  g_clear_object (&self->derive_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_WINDOW);

  g_clear_object (&self->toolchain);
  g_clear_object (&self->session);
  g_clear_object (&self->config);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (kiln_window_parent_class)->dispose (object);
}

static void
kiln_window_finalize (GObject *object)
{
  KilnWindow *self = KILN_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reference_cpp, g_free);

  G_OBJECT_CLASS (kiln_window_parent_class)->finalize (object);
}

static void
kiln_window_class_init (KilnWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kiln_window_dispose;
  object_class->finalize = kiln_window_finalize;
  window_class->close_request = kiln_window_close_request;
  widget_class->size_allocate = kiln_window_size_allocate;

  gtk_source_init ();
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (KILN_TYPE_STATUS_PANEL);
  g_type_ensure (KILN_TYPE_MODEL_DROPDOWN);
  g_type_ensure (KILN_TYPE_MODEL_NOTES);
  g_type_ensure (KILN_TYPE_INPUT_CASES_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, editors_paned);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, status_paned);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, python_view);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, cpp_view);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, input_view);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, input_expander);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, hidden_inputs);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, run_python_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, run_cpp_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, reference_badge);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, status_panel);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, examples_menu);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, convert_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, run_both_button);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, attempt_box);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, attempt_label);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, model_notes);
  gtk_widget_class_bind_template_callback (widget_class, diagnostic_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, hidden_inputs_changed_cb);

  _kiln_window_convert_class_init (widget_class);
  _kiln_window_compare_class_init (widget_class);
  _kiln_window_optimize_class_init (widget_class);
  gtk_widget_class_install_action (widget_class, "win.run-python", NULL, run_python_action);
  gtk_widget_class_install_action (widget_class, "win.run-cpp", NULL, run_cpp_action);
  gtk_widget_class_install_action (widget_class, "win.run-both", NULL, run_both_action);
  gtk_widget_class_install_action (widget_class, "win.derive-hidden-inputs", NULL,
                                   derive_hidden_inputs_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, _kiln_window_open_action);
  gtk_widget_class_install_action (widget_class, "win.save-cpp-as", NULL,
                                   _kiln_window_save_cpp_as_action);
  gtk_widget_class_install_action (widget_class, "win.load-example", "s", load_example_action);
}

static GtkSourceMarkAttributes *
new_mark_attributes (const char    *icon_name,
                     const GdkRGBA *color)
{
  GtkSourceMarkAttributes *attributes = gtk_source_mark_attributes_new ();
  GdkRGBA background = *color;

  /* A faint wash over the whole line, readable in light and dark schemes. */
  background.alpha = 0.15;
  gtk_source_mark_attributes_set_icon_name (attributes, icon_name);
  gtk_source_mark_attributes_set_background (attributes, &background);

  return attributes;
}

static void
setup_editors (KilnWindow *self)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkTextBuffer *python = _kiln_window_get_buffer (self, KILN_LANGUAGE_PYTHON);
  GtkTextBuffer *cpp = _kiln_window_get_buffer (self, KILN_LANGUAGE_CPP);
  g_autoptr(GtkSourceMarkAttributes) error_attributes = NULL;
  g_autoptr(GtkSourceMarkAttributes) warning_attributes = NULL;
  GdkRGBA error_color = { 0.88, 0.11, 0.14, 1.0 };
  GdkRGBA warning_color = { 0.90, 0.60, 0.0, 1.0 };

  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (python),
                                  gtk_source_language_manager_get_language (languages, "python3"));
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (cpp),
                                  gtk_source_language_manager_get_language (languages, "cpp"));

  error_attributes = new_mark_attributes ("dialog-error-symbolic", &error_color);
  warning_attributes = new_mark_attributes ("dialog-warning-symbolic", &warning_color);
  gtk_source_view_set_mark_attributes (self->cpp_view, MARK_ERROR, error_attributes, 20);
  gtk_source_view_set_mark_attributes (self->cpp_view, MARK_WARNING, warning_attributes, 10);

  self->error_tag = gtk_text_buffer_create_tag (cpp, NULL,
                                                "underline", PANGO_UNDERLINE_ERROR,
                                                "underline-rgba", &error_color,
                                                NULL);
  self->warning_tag = gtk_text_buffer_create_tag (cpp, NULL,
                                                  "underline", PANGO_UNDERLINE_ERROR,
                                                  "underline-rgba", &warning_color,
                                                  NULL);

  g_signal_connect_object (python, "changed", G_CALLBACK (python_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (cpp, "changed", G_CALLBACK (cpp_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->input_view), "changed",
                           G_CALLBACK (input_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_style_scheme), self, G_CONNECT_SWAPPED);
  update_style_scheme (self);
}

static void
kiln_window_init (KilnWindow *self)
{
  static const char * const draft_names[] = { DRAFT_PYTHON, DRAFT_CPP, DRAFT_INPUT,
                                              DRAFT_HIDDEN, NULL };

  gtk_widget_init_template (GTK_WIDGET (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new ("io.github.kilnapp.Kiln");
  self->config = kiln_run_config_new ();
  _kiln_window_bind_config (self->settings, self->config);
  self->session = kiln_session_new (self->config, NULL);
  self->toolchain = g_object_ref (kiln_session_get_toolchain (self->session));
  g_signal_connect_object (self->config, "notify::timing-patterns",
                           G_CALLBACK (timing_patterns_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->config, "notify::tolerance",
                           G_CALLBACK (timing_patterns_changed_cb), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->model_dropdown, "no-usable-models", self->status_panel,
                          "no-usable-models", G_BINDING_SYNC_CREATE);
  g_settings_bind (self->settings, "model", self->model_dropdown, "model-id",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed_cb), NULL);

  /* Names for screen readers where GTK 4.8 doubles or leaves them out. */
  kiln_a11y_use_visible_label (GTK_WIDGET (self->convert_button));
  kiln_a11y_use_visible_label (GTK_WIDGET (self->run_both_button));
  kiln_a11y_name_expander (self->input_expander);
  kiln_a11y_keep_cpp_together (GTK_WIDGET (self));

  setup_editors (self);
  _kiln_window_convert_init (self);
  _kiln_window_compare_init (self);
  _kiln_window_optimize_init (self);
  populate_examples_menu (self);
  restore_window_state (self);
  _kiln_window_update_actions (self);

  /* The editors stay empty, and nothing is saved, until the last drafts are back. */
  self->drafts = kiln_draft_store_new (NULL);
  g_signal_connect_object (self->drafts, "save-failed", G_CALLBACK (draft_save_failed_cb),
                           self, G_CONNECT_SWAPPED);
  kiln_draft_store_load_async (self->drafts, draft_names, self->cancellable,
                               drafts_loaded_cb, g_object_ref (self));
}

KilnWindow *
kiln_window_new (KilnApplication *app)
{
  g_return_val_if_fail (app == NULL || KILN_IS_APPLICATION (app), NULL);

  return g_object_new (KILN_TYPE_WINDOW,
                       "application", app,
                       NULL);
}

KilnStatusPanel *
kiln_window_get_status_panel (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return self->status_panel;
}

GtkTextBuffer *
kiln_window_get_buffer (KilnWindow   *self,
                        KilnLanguage  language)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return _kiln_window_get_buffer (self, language);
}

GtkTextBuffer *
kiln_window_get_input_buffer (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return gtk_text_view_get_buffer (self->input_view);
}

gboolean
kiln_window_is_running (KilnWindow   *self,
                        KilnLanguage  language)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (language < N_LANGUAGES, FALSE);

  return self->programs[language].cancellable != NULL;
}

const KilnComparison *
kiln_window_get_comparison (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  if (self->comparison == NULL && self->verification_shown)
    return self->verification->comparison;
  return self->comparison;
}

gboolean
kiln_window_shows_reference (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), FALSE);

  return gtk_widget_get_visible (self->reference_badge);
}

KilnModelDropdown *
kiln_window_get_model_dropdown (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return self->model_dropdown;
}

gboolean
kiln_window_get_drafts_loaded (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), FALSE);

  return self->drafts_loaded;
}

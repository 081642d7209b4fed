/* kiln-program-report.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiln-a11y.h"
#include "kiln-diagnostic-row.h"
#include "kiln-program-report.h"

struct _KilnProgramReport
{
  AdwBin         parent_instance;

  KilnLanguage   language;
  KilnRunResult *result;
  guint          running : 1;
  guint          waiting : 1;
  guint          outdated : 1;

  GtkLabel      *title_label;
  GtkLabel      *state_label;
  GtkSpinner    *spinner;
  GtkLabel      *error_label;
  GtkWidget     *details_box;
  GtkLabel      *exit_title;
  GtkLabel      *exit_label;
  GtkLabel      *wall_title;
  GtkLabel      *wall_label;
  GtkLabel      *cpu_title;
  GtkLabel      *cpu_label;
  GtkLabel      *memory_title;
  GtkLabel      *sandbox_title;
  GtkLabel      *sandbox_label;
  GtkLabel      *memory_label;
  GtkLabel      *compile_title;
  GtkLabel      *compile_label;
  GtkLabel      *command_title;
  GtkLabel      *command_label;
  GtkWidget     *diagnostics_title;
  GtkListBox    *diagnostics_list;
  GtkTextView   *stdout_view;
  GtkWidget     *stderr_title;
  GtkWidget     *stderr_scroller;
  GtkTextView   *stderr_view;
};

G_DEFINE_FINAL_TYPE (KilnProgramReport, kiln_program_report, ADW_TYPE_BIN)

enum {
  DIAGNOSTIC_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
diagnostic_row_activated_cb (KilnProgramReport *self,
                             GtkListBoxRow     *row)
{
  const KilnDiagnostic *diagnostic;

  if (!KILN_IS_DIAGNOSTIC_ROW (row))
    return;

  diagnostic = kiln_diagnostic_row_get_diagnostic (KILN_DIAGNOSTIC_ROW (row));
  if (diagnostic->line > 0)
    g_signal_emit (self, signals[DIAGNOSTIC_ACTIVATED], 0, diagnostic->line, diagnostic->column);
}

static void
kiln_program_report_dispose (GObject *object)
{
  KilnProgramReport *self = KILN_PROGRAM_REPORT (object);

  g_clear_pointer (&self->result, kiln_run_result_unref);
  /* The bin drops its child first, so the template does not unparent it a second time. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), KILN_TYPE_PROGRAM_REPORT);

  G_OBJECT_CLASS (kiln_program_report_parent_class)->dispose (object);
}

static void
kiln_program_report_class_init (KilnProgramReportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_program_report_dispose;

  /**
   * KilnProgramReport::diagnostic-activated:
   * @line: 1-based line
   * @column: 1-based column, 0 when unknown
   *
   * A diagnostic row with a location was activated.
   */
  signals[DIAGNOSTIC_ACTIVATED] =
    g_signal_new ("diagnostic-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-program-report.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, title_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, state_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, spinner);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, error_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, details_box);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, exit_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, exit_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, wall_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, wall_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, cpu_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, cpu_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, memory_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, sandbox_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, sandbox_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, memory_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, compile_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, compile_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, command_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, command_label);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, diagnostics_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, diagnostics_list);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, stdout_view);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, stderr_title);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, stderr_scroller);
  gtk_widget_class_bind_template_child (widget_class, KilnProgramReport, stderr_view);
  gtk_widget_class_bind_template_callback (widget_class, diagnostic_row_activated_cb);
}

static void
kiln_program_report_init (KilnProgramReport *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  kiln_program_report_set_language (self, KILN_LANGUAGE_PYTHON);
  kiln_a11y_keep_cpp_together (GTK_WIDGET (self));
}

static void
update_state (KilnProgramReport *self)
{
  const char *state = "";

  if (self->waiting && self->language == KILN_LANGUAGE_CPP)
    state = _("Waiting for Python to finish");
  else if (self->waiting)
    state = _("Waiting for the C++ program to finish");
  else if (self->running)
    state = _("Running…");
  else if (self->result != NULL && self->outdated)
    state = _("(edited since)");
  else if (self->result == NULL)
    state = _("Not run yet");

  gtk_label_set_text (self->state_label, state);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->running && !self->waiting);
  gtk_spinner_set_spinning (self->spinner, self->running && !self->waiting);

  if (self->running || self->waiting || self->outdated)
    gtk_widget_add_css_class (GTK_WIDGET (self), "outdated");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "outdated");
}

static const char *
describe_sandbox (KilnSandbox sandbox)
{
  switch (sandbox)
    {
    case KILN_SANDBOX_BUBBLEWRAP:
      return _("Sandbox (bubblewrap): no network, read-only system, own folder only");
    case KILN_SANDBOX_FLATPAK:
      return _("Flatpak sandbox: no network");
    case KILN_SANDBOX_LIMITS:
    default:
      return _("Resource limits only: the program could reach files and the network");
    }
}

static void
set_row_visible (GtkLabel *title,
                 GtkLabel *value,
                 gboolean  visible)
{
  gtk_widget_set_visible (GTK_WIDGET (title), visible);
  gtk_widget_set_visible (GTK_WIDGET (value), visible);
}

/* Shows an argument vector the way a person would type it in a shell. */
static char *
format_command (char **argv)
{
  g_autoptr(GString) command = g_string_new (NULL);

  for (guint i = 0; argv != NULL && argv[i] != NULL; i++)
    {
      const char *arg = argv[i];
      gboolean plain = *arg != '\0';

      for (const char *p = arg; *p != '\0' && plain; p++)
        plain = g_ascii_isalnum (*p) || strchr ("-_./=+,:@%", *p) != NULL;

      if (i > 0)
        g_string_append_c (command, ' ');

      if (plain)
        g_string_append (command, arg);
      else
        {
          g_autofree char *quoted = g_shell_quote (arg);
          g_string_append (command, quoted);
        }
    }

  return g_string_free (g_steal_pointer (&command), FALSE);
}

static char *
format_wall (KilnRunResult *result)
{
  double median, min, max;
  g_autofree char *median_text = NULL;
  g_autofree char *min_text = NULL;
  g_autofree char *max_text = NULL;
  guint n_runs;

  if (!kiln_run_result_get_wall (result, &median, &min, &max))
    return g_strdup ("");

  n_runs = result->runs->len;
  median_text = kiln_format_duration (median);
  if (n_runs < 2)
    return g_steal_pointer (&median_text);

  min_text = kiln_format_duration (min);
  max_text = kiln_format_duration (max);

  /* Translators: median wall time, then its range, then how many runs it summarises,
   * for example "1.52 s (1.50 s – 1.61 s, 3 runs)" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (%s – %s, %u run)",
                                       "%s (%s – %s, %u runs)", n_runs),
                          median_text, min_text, max_text, n_runs);
}

static char *
format_exit (const KilnRunStats *stats)
{
  if (stats->timed_out)
    return g_strdup (_("Stopped at the time limit"));
  if (stats->output_truncated)
    return g_strdup (_("Stopped at the output limit"));
  if (stats->signal != 0)
    return g_strdup_printf (_("Killed by signal %d"), stats->signal);

  return g_strdup_printf ("%d", stats->exit_status);
}

static void
set_text_view (GtkTextView *view,
               const char  *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);
}

static void
clear_diagnostics (KilnProgramReport *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->diagnostics_list))) != NULL)
    gtk_list_box_remove (self->diagnostics_list, child);
}

static void
update_result (KilnProgramReport *self)
{
  KilnRunResult *result = self->result;
  KilnCompileResult *compile = result != NULL ? result->compile : NULL;
  const KilnRunStats *stats = result != NULL ? kiln_run_result_get_median_run (result) : NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint n_diagnostics = 0;

  clear_diagnostics (self);

  gtk_widget_set_visible (GTK_WIDGET (self->error_label),
                          result != NULL && !result->ok && result->error != NULL);
  gtk_label_set_text (self->error_label,
                      result != NULL && result->error != NULL ? result->error->message : "");
  gtk_widget_set_visible (self->details_box, result != NULL);

  if (result == NULL)
    {
      set_text_view (self->stdout_view, "");
      set_text_view (self->stderr_view, "");
      return;
    }

  set_row_visible (self->exit_title, self->exit_label, stats != NULL);
  set_row_visible (self->wall_title, self->wall_label, stats != NULL);
  set_row_visible (self->cpu_title, self->cpu_label, stats != NULL);
  set_row_visible (self->memory_title, self->memory_label, stats != NULL);
  set_row_visible (self->sandbox_title, self->sandbox_label, stats != NULL);
  gtk_label_set_text (self->sandbox_label, describe_sandbox (result->sandbox));

  if (stats != NULL)
    {
      g_autofree char *exit_text = format_exit (stats);
      g_autofree char *wall = format_wall (result);
      g_autofree char *cpu = kiln_format_duration (stats->user_seconds + stats->sys_seconds);
      g_autofree char *user = kiln_format_duration (stats->user_seconds);
      g_autofree char *sys = kiln_format_duration (stats->sys_seconds);
      g_autofree char *cpu_text = NULL;
      g_autofree char *memory = kiln_format_kib (stats->max_rss_kib);

      /* Translators: total CPU time, then its user and system parts */
      cpu_text = g_strdup_printf (_("%s (user %s, system %s)"), cpu, user, sys);

      gtk_label_set_text (self->exit_label, exit_text);
      gtk_label_set_text (self->wall_label, wall);
      gtk_label_set_text (self->cpu_label, cpu_text);
      gtk_label_set_text (self->memory_label, memory);
    }
  else
    {
      gtk_label_set_text (self->wall_label, "");
    }

  set_row_visible (self->compile_title, self->compile_label, compile != NULL);
  set_row_visible (self->command_title, self->command_label, compile != NULL);

  if (compile != NULL)
    {
      g_autofree char *seconds = kiln_format_duration (compile->seconds);
      g_autofree char *compile_text = NULL;
      g_autofree char *command = format_command (compile->command);

      if (compile->cached)
        /* Translators: the binary came from the cache; %s is how long the first build took */
        compile_text = g_strdup_printf (_("Cached (first build took %s)"), seconds);
      else
        compile_text = g_steal_pointer (&seconds);

      gtk_label_set_text (self->compile_label, compile_text);
      gtk_label_set_text (self->command_label, command);

      for (guint i = 0; compile->diagnostics != NULL && i < compile->diagnostics->len; i++)
        {
          const KilnDiagnostic *diagnostic = g_ptr_array_index (compile->diagnostics, i);

          gtk_list_box_append (self->diagnostics_list, kiln_diagnostic_row_new (diagnostic));
          n_diagnostics++;
        }
    }

  gtk_widget_set_visible (self->diagnostics_title, n_diagnostics > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->diagnostics_list), n_diagnostics > 0);

  out = kiln_run_result_dup_stdout (result);
  err = kiln_run_result_dup_stderr (result);
  set_text_view (self->stdout_view, out);
  set_text_view (self->stderr_view, err);
  gtk_widget_set_visible (self->stderr_title, *err != '\0');
  gtk_widget_set_visible (self->stderr_scroller, *err != '\0');
}

void
kiln_program_report_set_language (KilnProgramReport *self,
                                  KilnLanguage       language)
{
  g_autofree char *out_name = NULL;
  g_autofree char *err_name = NULL;
  const char *title;

  g_return_if_fail (KILN_IS_PROGRAM_REPORT (self));

  self->language = language;
  title = kiln_language_get_title (language);
  gtk_label_set_text (self->title_label, title);

  /* Translators: accessible names; %s is "Python" or "C++" */
  out_name = g_strdup_printf (_("%s output"), title);
  err_name = g_strdup_printf (_("%s error output"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stdout_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, out_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stderr_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, err_name, -1);

  update_state (self);
  update_result (self);
}

void
kiln_program_report_set_running (KilnProgramReport *self,
                                 gboolean           running)
{
  g_return_if_fail (KILN_IS_PROGRAM_REPORT (self));

  self->running = !!running;
  self->waiting = FALSE;
  update_state (self);
}

void
kiln_program_report_set_waiting (KilnProgramReport *self,
                                 gboolean           waiting)
{
  g_return_if_fail (KILN_IS_PROGRAM_REPORT (self));

  if (self->waiting == !!waiting)
    return;

  self->waiting = !!waiting;
  update_state (self);
}

const char *
kiln_program_report_get_state_text (KilnProgramReport *self)
{
  g_return_val_if_fail (KILN_IS_PROGRAM_REPORT (self), NULL);

  return gtk_label_get_text (self->state_label);
}

void
kiln_program_report_set_result (KilnProgramReport *self,
                                KilnRunResult     *result)
{
  g_return_if_fail (KILN_IS_PROGRAM_REPORT (self));

  if (result != NULL)
    kiln_run_result_ref (result);
  g_clear_pointer (&self->result, kiln_run_result_unref);
  self->result = result;
  self->outdated = FALSE;

  update_state (self);
  update_result (self);
}

KilnRunResult *
kiln_program_report_get_result (KilnProgramReport *self)
{
  g_return_val_if_fail (KILN_IS_PROGRAM_REPORT (self), NULL);

  return self->result;
}

void
kiln_program_report_set_outdated (KilnProgramReport *self,
                                  gboolean           outdated)
{
  g_return_if_fail (KILN_IS_PROGRAM_REPORT (self));

  if (self->outdated == !!outdated)
    return;

  self->outdated = !!outdated;
  update_state (self);
}

const char *
kiln_program_report_get_time_text (KilnProgramReport *self)
{
  g_return_val_if_fail (KILN_IS_PROGRAM_REPORT (self), NULL);

  if (self->result == NULL)
    return "";

  return gtk_label_get_text (self->wall_label);
}

GtkListBox *
kiln_program_report_get_diagnostics (KilnProgramReport *self)
{
  g_return_val_if_fail (KILN_IS_PROGRAM_REPORT (self), NULL);

  return self->diagnostics_list;
}

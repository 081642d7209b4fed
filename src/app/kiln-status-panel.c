/* kiln-status-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-program-report.h"
#include "kiln-status-panel.h"

struct _KilnStatusPanel
{
  AdwBin             parent_instance;

  GtkStack          *stack;
  GtkWidget         *conversion_box;
  GtkLabel          *conversion_progress_label;
  GtkLabel          *conversion_error_label;
  GtkLabel          *conversion_report_label;
  GtkWidget         *verdict_box;
  GtkImage          *verdict_icon;
  GtkLabel          *verdict_label;
  GtkLabel          *speedup_label;
  GtkWidget         *diff_grid;
  GtkLabel          *reference_label;
  GtkLabel          *candidate_label;
  KilnProgramReport *python_report;
  KilnProgramReport *cpp_report;
};

G_DEFINE_FINAL_TYPE (KilnStatusPanel, kiln_status_panel, ADW_TYPE_BIN)

enum {
  DIAGNOSTIC_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const verdict_classes[] = { "success", "warning", "error" };

static void
diagnostic_activated_cb (KilnStatusPanel *self,
                         guint            line,
                         guint            column)
{
  g_signal_emit (self, signals[DIAGNOSTIC_ACTIVATED], 0, line, column);
}

static void
kiln_status_panel_dispose (GObject *object)
{
  /* The bin drops its child first, so the template does not unparent it a second time. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), KILN_TYPE_STATUS_PANEL);

  G_OBJECT_CLASS (kiln_status_panel_parent_class)->dispose (object);
}

static void
kiln_status_panel_class_init (KilnStatusPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_status_panel_dispose;

  /**
   * KilnStatusPanel::diagnostic-activated:
   * @line: 1-based line in the C++ source
   * @column: 1-based column, 0 when unknown
   */
  signals[DIAGNOSTIC_ACTIVATED] =
    g_signal_new ("diagnostic-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  g_type_ensure (KILN_TYPE_PROGRAM_REPORT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-status-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, conversion_box);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, conversion_progress_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, conversion_error_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, conversion_report_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, verdict_box);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, verdict_icon);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, speedup_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, diff_grid);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, reference_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, candidate_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, python_report);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, cpp_report);
  gtk_widget_class_bind_template_callback (widget_class, diagnostic_activated_cb);
}

static void
kiln_status_panel_init (KilnStatusPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  kiln_program_report_set_language (self->python_report, KILN_LANGUAGE_PYTHON);
  kiln_program_report_set_language (self->cpp_report, KILN_LANGUAGE_CPP);
}

static KilnProgramReport *
get_report (KilnStatusPanel *self,
            KilnLanguage     language)
{
  return language == KILN_LANGUAGE_CPP ? self->cpp_report : self->python_report;
}

static void
show_results (KilnStatusPanel *self)
{
  gtk_stack_set_visible_child_name (self->stack, "results");
}

static void
set_verdict_style (KilnStatusPanel  *self,
                   KilnVerdictStyle  style)
{
  static const char * const icons[] = {
    "dialog-information-symbolic",
    "emblem-ok-symbolic",
    "dialog-warning-symbolic",
    "dialog-error-symbolic",
  };

  for (guint i = 0; i < G_N_ELEMENTS (verdict_classes); i++)
    gtk_widget_remove_css_class (self->verdict_box, verdict_classes[i]);

  if (style != KILN_VERDICT_STYLE_NEUTRAL)
    gtk_widget_add_css_class (self->verdict_box, verdict_classes[style - 1]);

  gtk_image_set_from_icon_name (self->verdict_icon, icons[style]);
}

void
kiln_status_panel_set_running (KilnStatusPanel *self,
                               KilnLanguage     language,
                               gboolean         running)
{
  g_return_if_fail (KILN_IS_STATUS_PANEL (self));

  kiln_program_report_set_running (get_report (self, language), running);
  if (running)
    show_results (self);
}

void
kiln_status_panel_set_result (KilnStatusPanel *self,
                              KilnLanguage     language,
                              KilnRunResult   *result)
{
  g_return_if_fail (KILN_IS_STATUS_PANEL (self));

  kiln_program_report_set_result (get_report (self, language), result);
  if (result != NULL)
    show_results (self);
}

void
kiln_status_panel_set_outdated (KilnStatusPanel *self,
                                KilnLanguage     language,
                                gboolean         outdated)
{
  g_return_if_fail (KILN_IS_STATUS_PANEL (self));

  kiln_program_report_set_outdated (get_report (self, language), outdated);
}

void
kiln_status_panel_set_comparison (KilnStatusPanel      *self,
                                  const KilnComparison *comparison)
{
  g_autofree char *speedup = NULL;
  g_autofree char *speedup_text = NULL;
  const KilnOutputDiff *diff;

  g_return_if_fail (KILN_IS_STATUS_PANEL (self));
  g_return_if_fail (comparison == NULL || comparison->comparable);

  if (comparison == NULL)
    {
      gtk_widget_set_visible (self->verdict_box, FALSE);
      gtk_label_set_text (self->verdict_label, "");
      gtk_label_set_text (self->speedup_label, "");
      return;
    }

  diff = comparison->diff;

  if (diff->match)
    {
      set_verdict_style (self, KILN_VERDICT_STYLE_SUCCESS);
      gtk_label_set_text (self->verdict_label, _("Outputs match"));
      gtk_widget_set_visible (self->diff_grid, FALSE);
    }
  else
    {
      g_autofree char *title = NULL;

      title = g_strdup_printf (_("Outputs differ at line %u"), diff->line);
      set_verdict_style (self, KILN_VERDICT_STYLE_ERROR);
      gtk_label_set_text (self->verdict_label, title);
      gtk_label_set_text (self->reference_label,
                          diff->reference != NULL ? diff->reference : _("(output ended)"));
      gtk_label_set_text (self->candidate_label,
                          diff->candidate != NULL ? diff->candidate : _("(output ended)"));
      gtk_widget_set_visible (self->diff_grid, TRUE);
    }

  speedup = kiln_format_speedup (comparison->speedup, comparison->speedup_is_lower_bound);
  /* Translators: %s is a factor such as "×34.2" or "at least ×1,200" */
  speedup_text = g_strdup_printf (_("Speedup %s"), speedup);
  gtk_label_set_text (self->speedup_label, speedup_text);
  gtk_widget_set_visible (GTK_WIDGET (self->speedup_label), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->speedup_label),
                               comparison->speedup_is_lower_bound
                               ? _("The C++ program ends so fast that starting a process "
                                   "dominates its time; the real speedup is higher")
                               : _("Median Python wall time divided by median C++ wall time"));
  gtk_widget_set_visible (self->verdict_box, TRUE);
  show_results (self);
}

void
kiln_status_panel_set_verdict_message (KilnStatusPanel  *self,
                                       const char       *message,
                                       KilnVerdictStyle  style)
{
  g_return_if_fail (KILN_IS_STATUS_PANEL (self));
  g_return_if_fail (message != NULL);

  set_verdict_style (self, style);
  gtk_label_set_text (self->verdict_label, message);
  gtk_label_set_text (self->speedup_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->speedup_label), FALSE);
  gtk_widget_set_visible (self->diff_grid, FALSE);
  gtk_widget_set_visible (self->verdict_box, TRUE);
  show_results (self);
}

static void
set_optional_label (GtkLabel   *label,
                    const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

void
kiln_status_panel_set_conversion (KilnStatusPanel *self,
                                  const char      *progress,
                                  const char      *error,
                                  const char      *report)
{
  g_return_if_fail (KILN_IS_STATUS_PANEL (self));

  set_optional_label (self->conversion_progress_label, progress);
  set_optional_label (self->conversion_error_label, error);
  set_optional_label (self->conversion_report_label, report);
  gtk_widget_set_visible (self->conversion_box, progress != NULL || error != NULL ||
                                                report != NULL);
  if (progress != NULL || error != NULL || report != NULL)
    show_results (self);
}

const char *
kiln_status_panel_get_conversion_progress_text (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return gtk_label_get_text (self->conversion_progress_label);
}

const char *
kiln_status_panel_get_conversion_error_text (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return gtk_label_get_text (self->conversion_error_label);
}

const char *
kiln_status_panel_get_conversion_report_text (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return gtk_label_get_text (self->conversion_report_label);
}

const char *
kiln_status_panel_get_verdict_text (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return gtk_label_get_text (self->verdict_label);
}

const char *
kiln_status_panel_get_speedup_text (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return gtk_label_get_text (self->speedup_label);
}

const char *
kiln_status_panel_get_python_time_text (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return kiln_program_report_get_time_text (self->python_report);
}

const char *
kiln_status_panel_get_cpp_time_text (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return kiln_program_report_get_time_text (self->cpp_report);
}

GtkListBox *
kiln_status_panel_get_diagnostics (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return kiln_program_report_get_diagnostics (self->cpp_report);
}

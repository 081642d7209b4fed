/* kiln-status-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiln-a11y.h"
#include "kiln-program-report.h"
#include "kiln-status-panel.h"

struct _KilnStatusPanel
{
  AdwBin             parent_instance;

  gboolean           no_usable_models;

  GtkStack          *stack;
  GtkScrolledWindow *results_scroller;
  guint              scroll_tick;
  AdwStatusPage     *empty_page;
  GtkWidget         *first_run_box;
  GtkWidget         *add_key_button;
  GtkLabel          *local_model_label;
  GtkWidget         *discover_button;
  GtkWidget         *conversion_box;
  GtkLabel          *conversion_progress_label;
  GtkLabel          *conversion_error_label;
  GtkLabel          *conversion_report_label;
  GtkWidget         *verdict_box;
  GtkImage          *verdict_icon;
  GtkLabel          *verdict_label;
  GtkLabel          *speedup_label;
  GtkLabel          *speedup_detail_label;
  GtkWidget         *diff_grid;
  GtkLabel          *reference_label;
  GtkLabel          *candidate_label;
  KilnProgramReport *python_report;
  KilnProgramReport *cpp_report;
};

G_DEFINE_FINAL_TYPE (KilnStatusPanel, kiln_status_panel, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_NO_USABLE_MODELS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
  KilnStatusPanel *self = KILN_STATUS_PANEL (object);

  if (self->scroll_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->scroll_tick);
  self->scroll_tick = 0;
  /* The bin drops its child first, so the template does not unparent it a second time. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), KILN_TYPE_STATUS_PANEL);

  G_OBJECT_CLASS (kiln_status_panel_parent_class)->dispose (object);
}

static void
kiln_status_panel_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  KilnStatusPanel *self = KILN_STATUS_PANEL (object);

  switch (prop_id)
    {
    case PROP_NO_USABLE_MODELS:
      g_value_set_boolean (value, self->no_usable_models);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_status_panel_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  KilnStatusPanel *self = KILN_STATUS_PANEL (object);

  switch (prop_id)
    {
    case PROP_NO_USABLE_MODELS:
      kiln_status_panel_set_no_usable_models (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_status_panel_class_init (KilnStatusPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_status_panel_dispose;
  object_class->get_property = kiln_status_panel_get_property;
  object_class->set_property = kiln_status_panel_set_property;

  /**
   * KilnStatusPanel:no-usable-models:
   *
   * No model can convert now: the page shown before any run says how to get one.
   */
  properties[PROP_NO_USABLE_MODELS] =
    g_param_spec_boolean ("no-usable-models", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, results_scroller);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, empty_page);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, first_run_box);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, add_key_button);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, local_model_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, discover_button);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, conversion_box);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, conversion_progress_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, conversion_error_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, conversion_report_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, verdict_box);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, verdict_icon);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, speedup_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, speedup_detail_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, diff_grid);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, reference_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, candidate_label);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, python_report);
  gtk_widget_class_bind_template_child (widget_class, KilnStatusPanel, cpp_report);
  gtk_widget_class_bind_template_callback (widget_class, diagnostic_activated_cb);
}

/* Before any run: how to start, and, without a usable model, how to get one. */
static void
update_empty_page (KilnStatusPanel *self)
{
  /* No icon: what to do must fit in a short results area without scrolling. */
  if (self->no_usable_models)
    {
      adw_status_page_set_icon_name (self->empty_page, NULL);
      adw_status_page_set_title (self->empty_page, _("No model can convert yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("To convert Python to fast C++, Kiln needs a model. "
                                         "You can already write and run both programs."));
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "media-playback-start-symbolic");
      adw_status_page_set_title (self->empty_page, _("Run a program to see its output here"));
      adw_status_page_set_description (self->empty_page,
                                       _("Write Python on the left and C++ on the right, or "
                                         "pick an example from the main menu, then run each."));
    }

  gtk_widget_set_visible (self->first_run_box, self->no_usable_models);
}

static void
add_monospace (PangoAttrList *attributes,
               const char    *text,
               const char    *part)
{
  const char *found = strstr (text, part);
  PangoAttribute *attribute;

  if (found == NULL)
    return;

  /* A command in a fixed-width font, on one line. */
  attribute = pango_attr_family_new ("monospace");
  attribute->start_index = found - text;
  attribute->end_index = found - text + strlen (part);
  pango_attr_list_insert (attributes, attribute);
  attribute = pango_attr_allow_breaks_new (FALSE);
  attribute->start_index = found - text;
  attribute->end_index = found - text + strlen (part);
  pango_attr_list_insert (attributes, attribute);
}

static void
setup_first_run (KilnStatusPanel *self)
{
  static const char serve[] = "ollama serve";
  static const char pull[] = "ollama pull qwen2.5-coder:7b";
  g_autoptr(PangoAttrList) attributes = pango_attr_list_new ();
  g_autofree char *text = NULL;

  /* Translators: the %s are the commands "ollama serve" and "ollama pull
   * qwen2.5-coder:7b", shown in a fixed-width font */
  text = g_strdup_printf (_("Or use a local model: install Ollama (ollama.com), start it with "
                            "%s, then download a coder model with %s."), serve, pull);
  gtk_label_set_text (self->local_model_label, text);
  add_monospace (attributes, text, serve);
  add_monospace (attributes, text, pull);
  gtk_label_set_attributes (self->local_model_label, attributes);

  kiln_a11y_use_visible_label (self->add_key_button);
  kiln_a11y_use_visible_label (self->discover_button);
}

static void
kiln_status_panel_init (KilnStatusPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  kiln_program_report_set_language (self->python_report, KILN_LANGUAGE_PYTHON);
  kiln_program_report_set_language (self->cpp_report, KILN_LANGUAGE_CPP);

  setup_first_run (self);
  update_empty_page (self);
  kiln_a11y_keep_cpp_together (GTK_WIDGET (self));
}

void
kiln_status_panel_set_no_usable_models (KilnStatusPanel *self,
                                        gboolean         no_usable_models)
{
  g_return_if_fail (KILN_IS_STATUS_PANEL (self));

  if (self->no_usable_models == !!no_usable_models)
    return;

  self->no_usable_models = !!no_usable_models;
  update_empty_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NO_USABLE_MODELS]);
}

gboolean
kiln_status_panel_get_no_usable_models (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), FALSE);

  return self->no_usable_models;
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

/* Brings the verdict into view once it has its place (the next frame). */
static gboolean
scroll_to_verdict_cb (GtkWidget     *widget,
                      GdkFrameClock *clock,
                      gpointer       user_data)
{
  KilnStatusPanel *self = KILN_STATUS_PANEL (widget);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->results_scroller);
  GtkWidget *content = gtk_scrolled_window_get_child (self->results_scroller);
  double x, y;
  double top = gtk_adjustment_get_value (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);
  int height = gtk_widget_get_height (self->verdict_box);

  self->scroll_tick = 0;
  if (!gtk_widget_get_visible (self->verdict_box) || content == NULL ||
      !gtk_widget_translate_coordinates (self->verdict_box, content, 0, 0, &x, &y))
    return G_SOURCE_REMOVE;

  if (y < top || y + height > top + page)
    gtk_adjustment_set_value (adjustment, MAX (y - 12, 0));
  return G_SOURCE_REMOVE;
}

static void
scroll_to_verdict (KilnStatusPanel *self)
{
  if (self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_verdict_cb,
                                                      NULL, NULL);
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
kiln_status_panel_set_waiting (KilnStatusPanel *self,
                               KilnLanguage     language,
                               gboolean         waiting)
{
  g_return_if_fail (KILN_IS_STATUS_PANEL (self));

  kiln_program_report_set_waiting (get_report (self, language), waiting);
  if (waiting)
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

static void
set_optional_label (GtkLabel   *label,
                    const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

/* Byte offset of character @offset in @text (clamped to its end). */
static guint
char_to_byte (const char *text,
              guint       offset)
{
  const char *p = text;

  for (guint i = 0; i < offset && *p != '\0'; i++)
    p = g_utf8_next_char (p);
  return p - text;
}

/* Marks [start, end) (characters) of @label's text as the part that differs. */
static void
highlight_line (GtkLabel   *label,
                const char *line,
                guint       start,
                guint       end,
                const char *what)
{
  g_autoptr(PangoAttrList) attributes = pango_attr_list_new ();
  g_autofree char *part = NULL;
  g_autofree char *description = NULL;
  PangoAttribute *attribute;
  guint start_byte, end_byte;

  if (line == NULL)
    {
      gtk_label_set_attributes (label, NULL);
      /* Translators: %s is "Python" or "C++": its output ended before this line */
      description = g_strdup_printf (_("The %s output has no such line"), what);
      gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
      return;
    }

  start_byte = char_to_byte (line, start);
  end_byte = char_to_byte (line, MAX (start, end));

  if (end_byte > start_byte)
    {
      attribute = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
      attribute->start_index = start_byte;
      attribute->end_index = end_byte;
      pango_attr_list_insert (attributes, attribute);
      attribute = pango_attr_underline_new (PANGO_UNDERLINE_SINGLE);
      attribute->start_index = start_byte;
      attribute->end_index = end_byte;
      pango_attr_list_insert (attributes, attribute);
      attribute = pango_attr_background_new (0xf6 * 257, 0xd3 * 257, 0x2d * 257);
      attribute->start_index = start_byte;
      attribute->end_index = end_byte;
      pango_attr_list_insert (attributes, attribute);
      attribute = pango_attr_foreground_new (0, 0, 0);
      attribute->start_index = start_byte;
      attribute->end_index = end_byte;
      pango_attr_list_insert (attributes, attribute);

      part = g_strndup (line + start_byte, end_byte - start_byte);
      /* Translators: %s is "Python" or "C++"; %u a 1-based character position; the last %s
       * the characters that differ from the other output */
      description = g_strdup_printf (_("%s output differs from character %u: “%s”"),
                                     what, start + 1, part);
    }
  else
    {
      /* Translators: %s is "Python" or "C++"; %u a 1-based character position */
      description = g_strdup_printf (_("%s output lacks characters at position %u"),
                                     what, start + 1);
    }

  gtk_label_set_attributes (label, attributes);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
}

/* The differing line of both outputs, its differing characters marked. */
static void
show_diff (KilnStatusPanel      *self,
           const KilnOutputDiff *diff)
{
  g_autofree char *reference = NULL;
  g_autofree char *candidate = NULL;

  if (diff == NULL || diff->match || diff->line == 0)
    {
      gtk_widget_set_visible (self->diff_grid, FALSE);
      return;
    }

  /* The lines are as printed; an invalid byte becomes one U+FFFD, one character, as the
   * comparison counted it, so the offsets still point at the same characters. */
  if (diff->reference != NULL)
    reference = g_utf8_make_valid (diff->reference, -1);
  if (diff->candidate != NULL)
    candidate = g_utf8_make_valid (diff->candidate, -1);

  gtk_label_set_text (self->reference_label,
                      reference != NULL ? reference : _("(output ended)"));
  gtk_label_set_text (self->candidate_label,
                      candidate != NULL ? candidate : _("(output ended)"));
  highlight_line (self->reference_label, reference, diff->column, diff->reference_end,
                  kiln_language_get_title (KILN_LANGUAGE_PYTHON));
  highlight_line (self->candidate_label, candidate, diff->column, diff->candidate_end,
                  kiln_language_get_title (KILN_LANGUAGE_CPP));
  gtk_widget_set_visible (self->diff_grid, TRUE);
}

static void
hide_speedup (KilnStatusPanel *self,
              const char      *detail)
{
  gtk_label_set_text (self->speedup_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->speedup_label), FALSE);
  set_optional_label (self->speedup_detail_label, detail);
}

/* The speedup of a verified program, its spread, and which time it is a ratio of. */
static void
show_speedup (KilnStatusPanel      *self,
              const KilnComparison *comparison)
{
  g_autofree char *speedup = NULL;
  g_autofree char *speedup_text = NULL;
  g_autofree char *detail = NULL;

  speedup = kiln_comparison_dup_speedup_text ((KilnComparison *) comparison);
  if (speedup == NULL)
    {
      hide_speedup (self, NULL);
      return;
    }

  /* Translators: %s is a factor and its spread, such as "×38 (×35–×41)", or "at least
   * ×1,200" */
  speedup_text = g_strdup_printf (_("Speedup %s"), speedup);
  gtk_label_set_text (self->speedup_label, speedup_text);
  gtk_widget_set_visible (GTK_WIDGET (self->speedup_label), TRUE);

  if (comparison->speedup_is_lower_bound)
    {
      g_autofree char *factor = kiln_format_speedup (comparison->speedup, FALSE);

      /* Translators: %s is a factor such as "×120" */
      detail = g_strdup_printf (_("At least %s: the C++ program finishes about as fast as any "
                                  "program can start"), factor);
    }
  else if (comparison->busy && comparison->basis == KILN_SPEEDUP_BASIS_CPU)
    {
      g_autofree char *factor = kiln_format_speedup (comparison->speedup_cpu, FALSE);

      /* Translators: %s is a factor such as "×38" */
      detail = g_strdup_printf (_("The computer was busy: wall times are inflated. "
                                  "CPU-time speedup %s"), factor);
    }
  else if (comparison->noisy && comparison->basis == KILN_SPEEDUP_BASIS_CPU)
    detail = g_strdup (_("The runs varied widely: the figures are less certain. Measured in "
                         "CPU time (user + system)"));
  else if (comparison->noisy)
    detail = g_strdup (_("The computer was busy or the runs varied widely: the figures are "
                         "less certain. Measured in wall time"));
  else if (comparison->basis == KILN_SPEEDUP_BASIS_CPU)
    detail = g_strdup (_("Measured in CPU time (user + system), the median of the runs"));
  else
    detail = g_strdup (_("Measured in wall time, the median of the runs"));

  set_optional_label (self->speedup_detail_label, detail);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->speedup_label),
                               comparison->speedup_is_lower_bound
                               ? _("The C++ program ends so fast that starting a process "
                                   "dominates its time; the real speedup is higher")
                               : comparison->basis == KILN_SPEEDUP_BASIS_CPU
                               ? _("Median Python CPU time divided by median C++ CPU time; "
                                   "in brackets the slowest and fastest pairing of the runs")
                               : _("Median Python wall time divided by median C++ wall time; "
                                   "in brackets the slowest and fastest pairing of the runs"));
}

static void
show_verdict_box (KilnStatusPanel *self)
{
  gtk_widget_set_visible (self->verdict_box, TRUE);
  show_results (self);
  scroll_to_verdict (self);
}

static char *
dup_tolerance_text (double tolerance)
{
  if (tolerance > 0)
    /* Translators: %g is a relative tolerance such as 1e-09 */
    return g_strdup_printf (_("Matches within %g"), tolerance);
  return g_strdup (_("Matches within the tolerance"));
}

void
kiln_status_panel_set_comparison (KilnStatusPanel      *self,
                                  const KilnComparison *comparison)
{
  const KilnOutputDiff *diff;

  g_return_if_fail (KILN_IS_STATUS_PANEL (self));
  g_return_if_fail (comparison == NULL || comparison->comparable);

  if (comparison == NULL)
    {
      gtk_widget_set_visible (self->verdict_box, FALSE);
      gtk_label_set_text (self->verdict_label, "");
      hide_speedup (self, NULL);
      return;
    }

  diff = comparison->diff;

  /* Runs of their own: not verified on every input case, so no speedup. */
  if (diff->match)
    {
      set_verdict_style (self, KILN_VERDICT_STYLE_SUCCESS);
      gtk_label_set_text (self->verdict_label, _("Outputs match"));
    }
  else if (comparison->within_tolerance)
    {
      g_autofree char *title = dup_tolerance_text (comparison->tolerance);

      set_verdict_style (self, KILN_VERDICT_STYLE_SUCCESS);
      gtk_label_set_text (self->verdict_label, title);
    }
  else
    {
      g_autofree char *title = NULL;

      title = g_strdup_printf (_("Outputs differ at line %u"), diff->line);
      set_verdict_style (self, KILN_VERDICT_STYLE_ERROR);
      gtk_label_set_text (self->verdict_label, title);
    }
  show_diff (self, diff->within_tolerance ? NULL : diff);
  hide_speedup (self, kiln_comparison_agrees ((KilnComparison *) comparison)
                      ? _("Run both programs together to verify every input case and measure "
                          "the speedup")
                      : _("No speedup: the C++ program is not verified"));
  show_verdict_box (self);
}

void
kiln_status_panel_set_verification (KilnStatusPanel  *self,
                                    KilnVerification *verification)
{
  g_autofree char *title = NULL;
  KilnVerdictStyle style = KILN_VERDICT_STYLE_ERROR;
  const KilnOutputDiff *diff = NULL;

  g_return_if_fail (KILN_IS_STATUS_PANEL (self));

  if (verification == NULL)
    {
      kiln_status_panel_set_comparison (self, NULL);
      return;
    }

  switch (verification->check)
    {
    case KILN_CHECK_MATCHED:
      style = KILN_VERDICT_STYLE_SUCCESS;
      title = g_strdup (_("Outputs match"));
      break;

    case KILN_CHECK_MATCHED_WITHIN_TOLERANCE:
      style = KILN_VERDICT_STYLE_SUCCESS;
      title = dup_tolerance_text (verification->comparison != NULL
                                  ? verification->comparison->tolerance : 0);
      break;

    case KILN_CHECK_HARD_CODED:
      style = KILN_VERDICT_STYLE_WARNING;
      title = g_strdup (verification->suspicious != NULL
                        ? verification->suspicious : _("The answer looks hard-coded"));
      break;

    case KILN_CHECK_OUTPUT_DIFFERS:
      {
        KilnComparison *failed = verification->failed != NULL ? verification->failed
                                                              : verification->comparison;

        diff = failed != NULL ? failed->diff : NULL;
        if (verification->failed_case > 1 && diff != NULL)
          /* Translators: the first %u is the number of an input case the model was not
           * shown (2 or more), the second a line of its output */
          title = g_strdup_printf (_("Matched the input it was shown, but differs on hidden "
                                     "input %u at line %u"),
                                   verification->failed_case, diff->line);
        else if (verification->failed_case > 1)
          /* Translators: %u is the number of an input case the model was not shown */
          title = g_strdup_printf (_("Matched the input it was shown, but differs on hidden "
                                     "input %u"), verification->failed_case);
        else if (diff != NULL)
          title = g_strdup_printf (_("Outputs differ at line %u"), diff->line);
        else
          title = g_strdup (_("The outputs differ"));
      }
      break;

    case KILN_CHECK_COMPILE_ERROR:
      title = g_strdup (_("The C++ program did not compile"));
      break;

    case KILN_CHECK_RUNTIME_ERROR:
    case KILN_CHECK_TIMED_OUT:
      if (verification->failed_case > 1)
        {
          /* Translators: %u is the number of an input case the model was not shown; %s
           * says what went wrong */
          const GError *why = verification->failed_run != NULL &&
                              verification->failed_run->error != NULL
                              ? verification->failed_run->error : verification->error;

          /* The run's own error: the verification's already names the hidden input. */
          title = g_strdup_printf (_("The C++ program failed on hidden input %u: %s"),
                                   verification->failed_case, why != NULL ? why->message : "");
        }
      else if (verification->error != NULL)
        title = g_strdup_printf (_("Outputs not compared: %s"), verification->error->message);
      else
        title = g_strdup (_("Outputs not compared: the C++ program failed"));
      break;

    case KILN_CHECK_ORIGINAL_FAILED:
      title = verification->error != NULL
              ? g_strdup_printf (_("Outputs not compared: %s"), verification->error->message)
              : g_strdup (_("Outputs not compared: the Python program failed"));
      break;

    case KILN_CHECK_NO_COMPILER:
    default:
      style = KILN_VERDICT_STYLE_WARNING;
      title = g_strdup (verification->error != NULL ? verification->error->message
                                                    : _("The C++ program could not be built"));
      break;
    }

  set_verdict_style (self, style);
  gtk_label_set_text (self->verdict_label, title);
  show_diff (self, diff);

  if (kiln_verification_verified (verification) && verification->comparison != NULL)
    show_speedup (self, verification->comparison);
  else
    hide_speedup (self, verification->cpp != NULL
                        ? _("No speedup: the C++ program is not verified")
                        : NULL);
  show_verdict_box (self);
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
  hide_speedup (self, NULL);
  gtk_widget_set_visible (self->diff_grid, FALSE);
  show_verdict_box (self);
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
kiln_status_panel_get_speedup_detail_text (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return gtk_label_get_text (self->speedup_detail_label);
}

static gboolean
get_highlight (GtkLabel *label,
               guint    *start,
               guint    *end)
{
  PangoAttrList *attributes = gtk_label_get_attributes (label);
  const char *text = gtk_label_get_text (label);
  g_autoptr(PangoAttrIterator) iter = NULL;

  *start = *end = 0;
  if (attributes == NULL)
    return FALSE;

  iter = pango_attr_list_get_iterator (attributes);
  do
    {
      PangoAttribute *weight = pango_attr_iterator_get (iter, PANGO_ATTR_WEIGHT);

      if (weight != NULL)
        {
          *start = g_utf8_pointer_to_offset (text, text + weight->start_index);
          *end = g_utf8_pointer_to_offset (text, text + weight->end_index);
          return TRUE;
        }
    }
  while (pango_attr_iterator_next (iter));

  return FALSE;
}

gboolean
kiln_status_panel_get_diff_highlight (KilnStatusPanel *self,
                                      guint           *reference_start,
                                      guint           *reference_end,
                                      guint           *candidate_start,
                                      guint           *candidate_end)
{
  gboolean reference, candidate;

  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), FALSE);

  if (!gtk_widget_get_visible (self->diff_grid))
    return FALSE;

  reference = get_highlight (self->reference_label, reference_start, reference_end);
  candidate = get_highlight (self->candidate_label, candidate_start, candidate_end);
  return reference || candidate;
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

const char *
kiln_status_panel_get_state_text (KilnStatusPanel *self,
                                  KilnLanguage     language)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return kiln_program_report_get_state_text (get_report (self, language));
}

GtkListBox *
kiln_status_panel_get_diagnostics (KilnStatusPanel *self)
{
  g_return_val_if_fail (KILN_IS_STATUS_PANEL (self), NULL);

  return kiln_program_report_get_diagnostics (self->cpp_report);
}

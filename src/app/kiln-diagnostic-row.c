/* kiln-diagnostic-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-a11y.h"
#include "kiln-diagnostic-row.h"

struct _KilnDiagnosticRow
{
  GtkListBoxRow   parent_instance;

  KilnDiagnostic *diagnostic;

  GtkImage       *icon;
  GtkLabel       *location_label;
  GtkLabel       *message_label;
};

G_DEFINE_FINAL_TYPE (KilnDiagnosticRow, kiln_diagnostic_row, GTK_TYPE_LIST_BOX_ROW)

static void
kiln_diagnostic_row_finalize (GObject *object)
{
  KilnDiagnosticRow *self = KILN_DIAGNOSTIC_ROW (object);

  g_clear_pointer (&self->diagnostic, kiln_diagnostic_free);

  G_OBJECT_CLASS (kiln_diagnostic_row_parent_class)->finalize (object);
}

static void
kiln_diagnostic_row_dispose (GObject *object)
{
  /* The bin drops its child first, so the template does not unparent it a second time. */
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), KILN_TYPE_DIAGNOSTIC_ROW);

  G_OBJECT_CLASS (kiln_diagnostic_row_parent_class)->dispose (object);
}

static void
kiln_diagnostic_row_class_init (KilnDiagnosticRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_diagnostic_row_dispose;
  object_class->finalize = kiln_diagnostic_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-diagnostic-row.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnDiagnosticRow, icon);
  gtk_widget_class_bind_template_child (widget_class, KilnDiagnosticRow, location_label);
  gtk_widget_class_bind_template_child (widget_class, KilnDiagnosticRow, message_label);
}

static void
kiln_diagnostic_row_init (KilnDiagnosticRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static const char *
severity_icon_name (KilnSeverity severity)
{
  switch (severity)
    {
    case KILN_SEVERITY_ERROR:
      return "dialog-error-symbolic";
    case KILN_SEVERITY_WARNING:
      return "dialog-warning-symbolic";
    case KILN_SEVERITY_NOTE:
    default:
      return "dialog-information-symbolic";
    }
}

static const char *
severity_title (KilnSeverity severity)
{
  switch (severity)
    {
    case KILN_SEVERITY_ERROR:
      return _("Error");
    case KILN_SEVERITY_WARNING:
      return _("Warning");
    case KILN_SEVERITY_NOTE:
    default:
      return _("Note");
    }
}

GtkWidget *
kiln_diagnostic_row_new (const KilnDiagnostic *diagnostic)
{
  KilnDiagnosticRow *self;
  g_autofree char *location = NULL;
  g_autofree char *accessible = NULL;

  g_return_val_if_fail (diagnostic != NULL, NULL);

  self = g_object_new (KILN_TYPE_DIAGNOSTIC_ROW, NULL);
  self->diagnostic = kiln_diagnostic_copy (diagnostic);

  if (diagnostic->line > 0 && diagnostic->column > 0)
    location = g_strdup_printf ("%u:%u", diagnostic->line, diagnostic->column);
  else if (diagnostic->line > 0)
    location = g_strdup_printf ("%u", diagnostic->line);
  else
    location = g_strdup ("");

  gtk_image_set_from_icon_name (self->icon, severity_icon_name (diagnostic->severity));
  gtk_widget_add_css_class (GTK_WIDGET (self->icon),
                            diagnostic->severity == KILN_SEVERITY_ERROR ? "error" :
                            diagnostic->severity == KILN_SEVERITY_WARNING ? "warning" : "accent");
  gtk_label_set_text (self->location_label, location);
  gtk_label_set_text (self->message_label, diagnostic->message);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), diagnostic->line > 0);

  if (diagnostic->line > 0)
    /* Translators: "Error, line 3, column 5: 'x' was not declared in this scope" */
    accessible = g_strdup_printf (_("%s, line %u, column %u: %s"),
                                  severity_title (diagnostic->severity),
                                  diagnostic->line, diagnostic->column, diagnostic->message);
  else
    accessible = g_strdup_printf ("%s: %s", severity_title (diagnostic->severity),
                                  diagnostic->message);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->icon), severity_title (diagnostic->severity));
  kiln_a11y_label_keep_cpp_together (self->message_label);

  return GTK_WIDGET (self);
}

const KilnDiagnostic *
kiln_diagnostic_row_get_diagnostic (KilnDiagnosticRow *self)
{
  g_return_val_if_fail (KILN_IS_DIAGNOSTIC_ROW (self), NULL);

  return self->diagnostic;
}

/* kiln-a11y.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-a11y.h"

#define CPP "C++"
#define CPP_LEN 3

static GQuark visible_label_quark;
static GQuark cpp_label_quark;
static GQuark cpp_tooltip_quark;
static GQuark show_label_quark;
static GQuark hide_label_quark;

static void
ensure_quarks (void)
{
  if (visible_label_quark != 0)
    return;

  visible_label_quark = g_quark_from_static_string ("kiln-a11y-visible-label");
  cpp_label_quark = g_quark_from_static_string ("kiln-a11y-cpp-label");
  cpp_tooltip_quark = g_quark_from_static_string ("kiln-a11y-cpp-tooltip");
  show_label_quark = g_quark_from_static_string ("kiln-a11y-show-label");
  hide_label_quark = g_quark_from_static_string ("kiln-a11y-hide-label");
}

void
kiln_a11y_set_label (GtkWidget  *widget,
                     const char *label)
{
  GtkWidget *button;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (label != NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  /* The dropdown's toggle button is what takes the focus; GtkMenuButton names its own
   * button the same way. */
  if (GTK_IS_DROP_DOWN (widget) &&
      GTK_IS_TOGGLE_BUTTON (button = gtk_widget_get_first_child (widget)))
    gtk_accessible_update_relation (GTK_ACCESSIBLE (button),
                                    GTK_ACCESSIBLE_RELATION_LABELLED_BY, widget, NULL,
                                    -1);
}

/* GtkButton updates its accessible label before it notifies "label". */
static void
drop_raw_label (GtkWidget *button)
{
  if (gtk_button_get_label (GTK_BUTTON (button)) != NULL)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

void
kiln_a11y_use_visible_label (GtkWidget *button)
{
  g_return_if_fail (GTK_IS_BUTTON (button));

  ensure_quarks ();
  drop_raw_label (button);

  if (g_object_get_qdata (G_OBJECT (button), visible_label_quark) != NULL)
    return;

  g_object_set_qdata (G_OBJECT (button), visible_label_quark, GINT_TO_POINTER (TRUE));
  g_signal_connect (button, "notify::label", G_CALLBACK (drop_raw_label), NULL);
}

static void
expander_label_widget_cb (GtkExpander *expander)
{
  GtkWidget *label = gtk_expander_get_label_widget (expander);

  if (label != NULL)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (expander),
                                    GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL,
                                    -1);
  else
    gtk_accessible_reset_relation (GTK_ACCESSIBLE (expander),
                                   GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

void
kiln_a11y_name_expander (GtkExpander *expander)
{
  g_return_if_fail (GTK_IS_EXPANDER (expander));

  expander_label_widget_cb (expander);
  g_signal_handlers_disconnect_by_func (expander, expander_label_widget_cb, NULL);
  g_signal_connect (expander, "notify::label-widget", G_CALLBACK (expander_label_widget_cb),
                    NULL);
}

/* Entry rows */

static void
find_buttons (GtkWidget  *widget,
              GtkWidget **apply,
              GtkWidget **show)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child))
        {
          const char *icon = gtk_button_get_icon_name (GTK_BUTTON (child));

          if (g_strcmp0 (icon, "adw-entry-apply-symbolic") == 0)
            *apply = child;
          else if (g_strcmp0 (icon, "view-reveal-symbolic") == 0 ||
                   g_strcmp0 (icon, "view-conceal-symbolic") == 0)
            *show = child;
        }
      else
        {
          find_buttons (child, apply, show);
        }
    }
}

static void
text_visibility_cb (GtkText    *text,
                    GParamSpec *pspec,
                    GtkWidget  *show)
{
  GQuark quark = gtk_text_get_visibility (text) ? hide_label_quark : show_label_quark;
  const char *label = g_object_get_qdata (G_OBJECT (show), quark);

  /* After libadwaita's own handler, which sets the tooltip in title case. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (show),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_widget_set_tooltip_text (show, label);
}

void
kiln_a11y_name_entry_row_buttons (AdwEntryRow *row,
                                  const char  *apply_label,
                                  const char  *show_label,
                                  const char  *hide_label)
{
  GtkWidget *apply = NULL;
  GtkWidget *show = NULL;
  GtkEditable *delegate;

  g_return_if_fail (ADW_IS_ENTRY_ROW (row));

  ensure_quarks ();
  find_buttons (GTK_WIDGET (row), &apply, &show);

  if (apply != NULL && apply_label != NULL)
    {
      kiln_a11y_set_label (apply, apply_label);
      gtk_widget_set_tooltip_text (apply, apply_label);
    }

  delegate = gtk_editable_get_delegate (GTK_EDITABLE (row));
  if (show == NULL || show_label == NULL || hide_label == NULL || !GTK_IS_TEXT (delegate))
    return;

  g_object_set_qdata_full (G_OBJECT (show), show_label_quark, g_strdup (show_label), g_free);
  g_object_set_qdata_full (G_OBJECT (show), hide_label_quark, g_strdup (hide_label), g_free);
  g_signal_connect_object (delegate, "notify::visibility", G_CALLBACK (text_visibility_cb),
                           show, G_CONNECT_DEFAULT);
  text_visibility_cb (GTK_TEXT (delegate), NULL, show);
}

/* C++ on one line */

/* The ranges ("C++") this file kept together in a label, so that only those are replaced
 * when the text changes; other attributes of the label stay. */
typedef struct
{
  guint start;
  guint end;
} Range;

static gboolean
is_ours (PangoAttribute *attribute,
         gpointer        user_data)
{
  GArray *ranges = user_data;

  if (attribute->klass->type != PANGO_ATTR_ALLOW_BREAKS)
    return FALSE;

  for (guint i = 0; i < ranges->len; i++)
    {
      const Range *range = &g_array_index (ranges, Range, i);

      if (range->start == attribute->start_index && range->end == attribute->end_index)
        return TRUE;
    }

  return FALSE;
}

static void
label_text_cb (GtkLabel *label)
{
  const char *text = gtk_label_get_text (label);
  PangoAttrList *current = gtk_label_get_attributes (label);
  GArray *ranges = g_object_get_qdata (G_OBJECT (label), cpp_label_quark);
  g_autoptr(PangoAttrList) attributes = NULL;

  /* Leaves labels alone that never showed "C++", so their attributes stay theirs. */
  if (strstr (text, CPP) == NULL && ranges->len == 0)
    return;

  if (current != NULL)
    {
      g_autoptr(PangoAttrList) ours = NULL;

      attributes = pango_attr_list_copy (current);
      ours = pango_attr_list_filter (attributes, is_ours, ranges);
    }
  else
    {
      attributes = pango_attr_list_new ();
    }

  g_array_set_size (ranges, 0);
  for (const char *p = strstr (text, CPP); p != NULL; p = strstr (p + CPP_LEN, CPP))
    {
      PangoAttribute *attribute = pango_attr_allow_breaks_new (FALSE);
      Range range = { p - text, p - text + CPP_LEN };

      attribute->start_index = range.start;
      attribute->end_index = range.end;
      pango_attr_list_insert (attributes, attribute);
      g_array_append_val (ranges, range);
    }

  gtk_label_set_attributes (label, attributes);
}

void
kiln_a11y_label_keep_cpp_together (GtkLabel *label)
{
  g_return_if_fail (GTK_IS_LABEL (label));

  ensure_quarks ();
  if (g_object_get_qdata (G_OBJECT (label), cpp_label_quark) == NULL)
    {
      g_object_set_qdata_full (G_OBJECT (label), cpp_label_quark,
                               g_array_new (FALSE, FALSE, sizeof (Range)),
                               (GDestroyNotify) g_array_unref);
      g_signal_connect (label, "notify::label", G_CALLBACK (label_text_cb), NULL);
    }

  label_text_cb (label);
}

char *
kiln_a11y_markup_keep_cpp_together (const char *text)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  const char *rest = text;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);

  while ((p = strstr (rest, CPP)) != NULL)
    {
      g_autofree char *before = g_markup_escape_text (rest, p - rest);

      g_string_append (markup, before);
      g_string_append (markup, "<span allow_breaks=\"false\">C++</span>");
      rest = p + CPP_LEN;
    }

  {
    g_autofree char *after = g_markup_escape_text (rest, -1);

    g_string_append (markup, after);
  }

  return g_string_free (g_steal_pointer (&markup), FALSE);
}

static void
tooltip_cb (GtkWidget *widget)
{
  const char *text = gtk_widget_get_tooltip_text (widget);
  const char *markup = gtk_widget_get_tooltip_markup (widget);
  g_autofree char *kept = NULL;

  if (text == NULL || strstr (text, CPP) == NULL)
    return;

  /* Ours already, or markup somebody wrote: leave it. */
  if (markup != NULL && strstr (markup, "allow_breaks") != NULL)
    return;

  kept = kiln_a11y_markup_keep_cpp_together (text);
  gtk_widget_set_tooltip_markup (widget, kept);
}

static void
keep_cpp_together (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    kiln_a11y_label_keep_cpp_together (GTK_LABEL (widget));

  if (g_object_get_qdata (G_OBJECT (widget), cpp_tooltip_quark) == NULL)
    {
      g_object_set_qdata (G_OBJECT (widget), cpp_tooltip_quark, GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "notify::tooltip-text", G_CALLBACK (tooltip_cb), NULL);
    }
  tooltip_cb (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    keep_cpp_together (child);
}

void
kiln_a11y_keep_cpp_together (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  ensure_quarks ();
  keep_cpp_together (root);
}

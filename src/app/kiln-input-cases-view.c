/* kiln-input-cases-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-a11y.h"
#include "kiln-input-cases-view.h"

struct _KilnInputCasesView
{
  AdwBin       parent_instance;

  GtkExpander *expander;
  GtkWidget   *empty_label;
  GtkBox      *cases_box;
  GtkWidget   *add_button;
  GtkWidget   *derive_button;

  GPtrArray   *rows;      /* GtkWidget: a box holding a case's text view and its button */
  guint        loading : 1;
};

G_DEFINE_FINAL_TYPE (KilnInputCasesView, kiln_input_cases_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_N_CASES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkTextView *
row_get_view (GtkWidget *row)
{
  GtkWidget *scroller = gtk_widget_get_first_child (row);

  return GTK_TEXT_VIEW (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)));
}

static GtkWidget *
row_get_button (GtkWidget *row)
{
  return gtk_widget_get_last_child (row);
}

/* The title counts the cases; each row is named by its number (the shown input is input 1,
 * so the first hidden one is input 2, as verdicts say). */
static void
update_names (KilnInputCasesView *self)
{
  g_autofree char *title = NULL;

  if (self->rows->len > 0)
    /* Translators: the expander over the hidden input cases; %u is how many there are */
    title = g_strdup_printf (_("_Hidden inputs (%u)"), self->rows->len);
  else
    title = g_strdup (_("_Hidden inputs"));
  gtk_expander_set_label (self->expander, title);

  /* Empty inputs are left out of the cases, so the numbers count only the others: "hidden
   * input 3" in a verdict is the row named so here. */
  for (guint i = 0, number = 2; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (row_get_view (row));
      g_autofree char *label = NULL;
      g_autofree char *remove = NULL;

      if (gtk_text_buffer_get_char_count (buffer) == 0)
        {
          label = g_strdup (_("Empty hidden input (not checked until it has text)"));
          remove = g_strdup (_("Remove this empty hidden input"));
        }
      else
        {
          /* Translators: %u is the number of an input case (2 or more: input 1 is the shown
             one) */
          label = g_strdup_printf (_("Hidden input %u"), number);
          /* Translators: %u is the number of an input case (2 or more) */
          remove = g_strdup_printf (_("Remove hidden input %u"), number);
          number++;
        }
      kiln_a11y_set_label (GTK_WIDGET (row_get_view (row)), label);
      kiln_a11y_set_label (row_get_button (row), remove);
      gtk_widget_set_tooltip_text (row_get_button (row), remove);
    }

  gtk_widget_set_visible (self->empty_label, self->rows->len == 0);
}

static void
emit_changed (KilnInputCasesView *self)
{
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
case_changed_cb (KilnInputCasesView *self)
{
  /* A row that becomes empty, or stops being, renumbers the others. */
  update_names (self);
  emit_changed (self);
}

static void
remove_clicked_cb (GtkButton          *button,
                   KilnInputCasesView *self)
{
  GtkWidget *row = gtk_widget_get_parent (GTK_WIDGET (button));
  guint index;

  if (g_ptr_array_find (self->rows, row, &index))
    kiln_input_cases_view_remove (self, index);
}

static GtkWidget *
add_row (KilnInputCasesView *self,
         const char         *text)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_buffer_set_text (buffer, text != NULL ? text : "", -1);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (case_changed_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 48);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 100);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_widget_set_hexpand (scroller, TRUE);
  gtk_widget_add_css_class (scroller, "output-frame");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);

  gtk_widget_set_valign (button, GTK_ALIGN_START);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_object (button, "clicked", G_CALLBACK (remove_clicked_cb), self, 0);

  gtk_box_append (GTK_BOX (row), scroller);
  gtk_box_append (GTK_BOX (row), button);
  gtk_box_append (self->cases_box, row);
  g_ptr_array_add (self->rows, row);

  return row;
}

static void
add_clicked_cb (KilnInputCasesView *self)
{
  GtkWidget *row;

  row = add_row (self, "");
  update_names (self);
  gtk_expander_set_expanded (self->expander, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (row_get_view (row)));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CASES]);
  emit_changed (self);
}

static void
kiln_input_cases_view_dispose (GObject *object)
{
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), KILN_TYPE_INPUT_CASES_VIEW);

  G_OBJECT_CLASS (kiln_input_cases_view_parent_class)->dispose (object);
}

static void
kiln_input_cases_view_finalize (GObject *object)
{
  KilnInputCasesView *self = KILN_INPUT_CASES_VIEW (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (kiln_input_cases_view_parent_class)->finalize (object);
}

static void
kiln_input_cases_view_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  KilnInputCasesView *self = KILN_INPUT_CASES_VIEW (object);

  switch (prop_id)
    {
    case PROP_N_CASES:
      g_value_set_uint (value, self->rows->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_input_cases_view_class_init (KilnInputCasesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_input_cases_view_dispose;
  object_class->finalize = kiln_input_cases_view_finalize;
  object_class->get_property = kiln_input_cases_view_get_property;

  properties[PROP_N_CASES] =
    g_param_spec_uint ("n-cases", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KilnInputCasesView::changed:
   *
   * A person added, edited or removed a hidden input.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-input-cases-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnInputCasesView, expander);
  gtk_widget_class_bind_template_child (widget_class, KilnInputCasesView, empty_label);
  gtk_widget_class_bind_template_child (widget_class, KilnInputCasesView, cases_box);
  gtk_widget_class_bind_template_child (widget_class, KilnInputCasesView, add_button);
  gtk_widget_class_bind_template_child (widget_class, KilnInputCasesView, derive_button);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
}

static void
kiln_input_cases_view_init (KilnInputCasesView *self)
{
  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  kiln_a11y_use_visible_label (self->add_button);
  kiln_a11y_use_visible_label (self->derive_button);
  update_names (self);
  kiln_a11y_name_expander (self->expander);
}

GtkWidget *
kiln_input_cases_view_new (void)
{
  return g_object_new (KILN_TYPE_INPUT_CASES_VIEW, NULL);
}

char **
kiln_input_cases_view_dup_cases (KilnInputCasesView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (KILN_IS_INPUT_CASES_VIEW (self), NULL);

  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (row_get_view (row));
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
      if (*text != '\0')
        g_strv_builder_add (builder, text);
    }

  return g_strv_builder_end (builder);
}

void
kiln_input_cases_view_set_cases (KilnInputCasesView *self,
                                 const char * const *cases)
{
  guint before;

  g_return_if_fail (KILN_IS_INPUT_CASES_VIEW (self));

  before = self->rows->len;
  self->loading = TRUE;
  while (self->rows->len > 0)
    {
      GtkWidget *row = g_ptr_array_steal_index (self->rows, self->rows->len - 1);

      gtk_box_remove (self->cases_box, row);
    }
  for (guint i = 0; cases != NULL && cases[i] != NULL; i++)
    add_row (self, cases[i]);
  self->loading = FALSE;

  update_names (self);
  if (self->rows->len == 0)
    gtk_expander_set_expanded (self->expander, FALSE);
  if (before != self->rows->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CASES]);
}

void
kiln_input_cases_view_append (KilnInputCasesView *self,
                              const char         *text)
{
  g_return_if_fail (KILN_IS_INPUT_CASES_VIEW (self));
  g_return_if_fail (text != NULL);

  self->loading = TRUE;
  add_row (self, text);
  self->loading = FALSE;
  update_names (self);
  gtk_expander_set_expanded (self->expander, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CASES]);
  emit_changed (self);
}

void
kiln_input_cases_view_remove (KilnInputCasesView *self,
                              guint               index)
{
  GtkWidget *row;

  g_return_if_fail (KILN_IS_INPUT_CASES_VIEW (self));
  g_return_if_fail (index < self->rows->len);

  row = g_ptr_array_steal_index (self->rows, index);
  gtk_box_remove (self->cases_box, row);
  update_names (self);
  if (self->rows->len > 0)
    {
      GtkWidget *next = g_ptr_array_index (self->rows, MIN (index, self->rows->len - 1));

      gtk_widget_grab_focus (GTK_WIDGET (row_get_view (next)));
    }
  else
    gtk_widget_grab_focus (self->add_button);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CASES]);
  emit_changed (self);
}

guint
kiln_input_cases_view_get_n_cases (KilnInputCasesView *self)
{
  g_return_val_if_fail (KILN_IS_INPUT_CASES_VIEW (self), 0);

  return self->rows->len;
}

GtkTextView *
kiln_input_cases_view_get_view (KilnInputCasesView *self,
                                guint               index)
{
  g_return_val_if_fail (KILN_IS_INPUT_CASES_VIEW (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);

  return row_get_view (g_ptr_array_index (self->rows, index));
}

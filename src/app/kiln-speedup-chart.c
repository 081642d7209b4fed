/* kiln-speedup-chart.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "kiln-speedup-chart.h"

/* Sizes in pixels; text sizes relative to the widget's font. */
#define H_PADDING       12
#define COLUMN_GAP      16
#define VALUE_GAP       10
#define ROW_SPACING     10
#define ROW_PADDING      8
#define BAR_RADIUS       6
#define MIN_BAR_LENGTH   8
#define MIN_BAR_AREA    96
#define AXIS_GAP         6
#define LABEL_SCALE     1.5
#define VALUE_SCALE     1.6
#define VERDICT_SCALE   1.25

struct _KilnSpeedupChart
{
  GtkWidget   parent_instance;

  GListModel *model;
  gulong      items_changed_id;
  GPtrArray  *item_signals;     /* a GSignalGroup per item of model, in its order */
  char       *summary;

  GtkWidget  *empty_label;
};

G_DEFINE_FINAL_TYPE (KilnSpeedupChart, kiln_speedup_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* --- what to draw ------------------------------------------------------------------------ */

static int
compare_rank_cb (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return kiln_conversion_compare_rank (*(gpointer const *) a, *(gpointer const *) b, NULL);
}

static guint
n_items (KilnSpeedupChart *self)
{
  return self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
}

/* The conversions in leaderboard order. */
static GPtrArray *
dup_ranked (KilnSpeedupChart *self)
{
  GPtrArray *ranked = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = n_items (self);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (ranked, g_list_model_get_item (self->model, i));
  g_ptr_array_sort_with_data (ranked, compare_rank_cb, NULL);

  return ranked;
}

static gboolean
shows_speedup (KilnConversion *conversion)
{
  return kiln_conversion_get_verified (conversion) &&
         kiln_conversion_get_speedup (conversion) > 0;
}

/* "×41.0", "≥ ×1,200" */
static char *
dup_value_text (KilnConversion *conversion)
{
  double speedup = kiln_conversion_get_speedup (conversion);
  g_autofree char *text = kiln_format_speedup (speedup, FALSE);

  if (kiln_conversion_get_speedup_is_lower_bound (conversion))
    /* Translators: a speedup too large to measure exactly, drawn at the end of its bar;
       %s is a speedup such as "×1,200" */
    return g_strdup_printf (_("≥ %s"), text);

  return g_steal_pointer (&text);
}

/* A gridline's label: "×1", "×10", "×1,000", "×0.1" */
static char *
dup_axis_text (double value)
{
  g_autofree char *number = value >= 1 ? g_strdup_printf ("%'.0f", value)
                                       : g_strdup_printf ("%g", value);

  /* Translators: a gridline of the speedup chart, e.g. "×10"; %s is the number */
  return g_strdup_printf (_("×%s"), number);
}

static char *
dup_summary (KilnSpeedupChart *self)
{
  g_autoptr(GPtrArray) ranked = dup_ranked (self);
  g_autoptr(GString) list = g_string_new (NULL);

  if (ranked->len == 0)
    return g_strdup (_("Speedup chart: no conversions yet"));

  for (guint i = 0; i < ranked->len; i++)
    {
      KilnConversion *conversion = g_ptr_array_index (ranked, i);
      const char *label = kiln_conversion_get_model_label (conversion);
      g_autofree char *text = NULL;

      if (i > 0)
        g_string_append (list, ", ");

      if (shows_speedup (conversion))
        {
          /* Read out, so "at least ×1,200" rather than "≥ ×1,200" */
          g_autofree char *speedup =
            kiln_format_speedup (kiln_conversion_get_speedup (conversion),
                                 kiln_conversion_get_speedup_is_lower_bound (conversion));

          /* Translators: one bar of the speedup chart read out: a model and its speedup,
             e.g. "GPT-5 mini ×41.0" */
          text = g_strdup_printf (_("%s %s"), label, speedup);
        }
      else
        {
          g_autofree char *verdict = kiln_conversion_dup_verdict_text (conversion);

          /* Translators: one row of the speedup chart read out: a model and what came of
             its conversion, e.g. "Mistral: Did not compile" */
          text = g_strdup_printf (_("%s: %s"), label, verdict);
        }
      g_string_append (list, text);
    }

  /* Translators: the accessible description of the chart; %s lists every model with its
     speedup or verdict */
  return g_strdup_printf (_("Speedup chart: %s"), list->str);
}

static void
update_summary (KilnSpeedupChart *self)
{
  g_autofree char *summary = dup_summary (self);

  if (g_strcmp0 (summary, self->summary) == 0)
    return;

  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->summary,
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

/* --- following the model ----------------------------------------------------------------- */

static void
item_changed_cb (KilnSpeedupChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  update_summary (self);
}

static GSignalGroup *
follow_item (KilnSpeedupChart *self,
             KilnConversion   *conversion)
{
  static const char * const watched[] = {
    "notify::model-label", "notify::verdict", "notify::speedup",
    "notify::speedup-is-lower-bound", "notify::diff-line", "notify::phase",
    "notify::running",
  };
  GSignalGroup *group = g_signal_group_new (KILN_TYPE_CONVERSION);

  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    g_signal_group_connect_swapped (group, watched[i], G_CALLBACK (item_changed_cb), self);
  g_signal_group_set_target (group, conversion);

  return group;
}

static void
items_changed_cb (GListModel       *model,
                  guint             position,
                  guint             removed,
                  guint             added,
                  KilnSpeedupChart *self)
{
  if (removed > 0)
    g_ptr_array_remove_range (self->item_signals, position, removed);
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(KilnConversion) conversion = g_list_model_get_item (model, position + i);

      g_ptr_array_insert (self->item_signals, position + i, follow_item (self, conversion));
    }

  gtk_widget_set_visible (self->empty_label, n_items (self) == 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  update_summary (self);
}

GListModel *
kiln_speedup_chart_get_model (KilnSpeedupChart *self)
{
  g_return_val_if_fail (KILN_IS_SPEEDUP_CHART (self), NULL);

  return self->model;
}

void
kiln_speedup_chart_set_model (KilnSpeedupChart *self,
                              GListModel       *model)
{
  g_return_if_fail (KILN_IS_SPEEDUP_CHART (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));
  g_return_if_fail (model == NULL ||
                    g_type_is_a (g_list_model_get_item_type (model), KILN_TYPE_CONVERSION));

  if (self->model == model)
    return;

  g_clear_signal_handler (&self->items_changed_id, self->model);
  g_set_object (&self->model, model);
  if (model != NULL)
    self->items_changed_id = g_signal_connect (model, "items-changed",
                                               G_CALLBACK (items_changed_cb), self);

  g_ptr_array_set_size (self->item_signals, 0);
  items_changed_cb (model, 0, 0, n_items (self), self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

const char *
kiln_speedup_chart_get_summary (KilnSpeedupChart *self)
{
  g_return_val_if_fail (KILN_IS_SPEEDUP_CHART (self), NULL);

  return self->summary;
}

GtkWidget *
kiln_speedup_chart_new (void)
{
  return g_object_new (KILN_TYPE_SPEEDUP_CHART, NULL);
}

/* --- drawing ----------------------------------------------------------------------------- */

static PangoLayout *
new_layout (KilnSpeedupChart *self,
            const char       *text,
            double            scale,
            PangoWeight       weight)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  pango_attr_list_insert (attrs, pango_attr_weight_new (weight));
  /* Figures line up from row to row */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

static int
layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);
  return height;
}

static int
layout_width (PangoLayout *layout)
{
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

/* The height of the axis labels and of one row, from the fonts. */
static void
get_metrics (KilnSpeedupChart *self,
             int              *axis_height,
             int              *row_height)
{
  g_autoptr(PangoLayout) axis = new_layout (self, "×10", 1.0, PANGO_WEIGHT_NORMAL);
  g_autoptr(PangoLayout) label = new_layout (self, "Ag", LABEL_SCALE, PANGO_WEIGHT_SEMIBOLD);
  g_autoptr(PangoLayout) value = new_layout (self, "×10", VALUE_SCALE, PANGO_WEIGHT_BOLD);

  *axis_height = layout_height (axis) + AXIS_GAP;
  *row_height = MAX (layout_height (label), layout_height (value)) + 2 * ROW_PADDING;
}

static void
append_layout (GtkSnapshot   *snapshot,
               PangoLayout   *layout,
               double         x,
               double         y,
               const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
rounded_rectangle (cairo_t *cr,
                   double   x,
                   double   y,
                   double   width,
                   double   height,
                   double   radius)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + width - radius, y + height - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* No speedup to show: a dashed outline, hatched when the conversion is over. */
static void
append_outline (GtkSnapshot   *snapshot,
                double         x,
                double         y,
                double         width,
                double         height,
                const GdkRGBA *color,
                gboolean       hatched)
{
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot,
                                           &GRAPHENE_RECT_INIT (x, y, width, height));
  const double dashes[] = { 6, 4 };

  rounded_rectangle (cr, x + 1, y + 1, width - 2, height - 2, BAR_RADIUS);
  if (hatched)
    {
      cairo_save (cr);
      cairo_clip_preserve (cr);
      cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * 0.25);
      cairo_set_line_width (cr, 1.5);
      for (double hx = x - height; hx < x + width; hx += 12)
        {
          cairo_move_to (cr, hx, y + height);
          cairo_line_to (cr, hx + height, y);
        }
      cairo_stroke (cr);
      cairo_restore (cr);
    }
  gdk_cairo_set_source_rgba (cr, color);
  cairo_set_line_width (cr, 2);
  cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static GdkRGBA
with_alpha (const GdkRGBA *color,
            double         alpha)
{
  GdkRGBA result = *color;

  result.alpha *= alpha;
  return result;
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              const char *fallback,
              GdkRGBA    *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color))
    gdk_rgba_parse (color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
clear_layout (gpointer layout)
{
  if (layout != NULL)
    g_object_unref (layout);
}

static double
bar_fraction (double speedup,
              double low,
              double high)
{
  return CLAMP ((log10 (speedup) - log10 (low)) / (log10 (high) - log10 (low)), 0, 1);
}

static void
kiln_speedup_chart_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  KilnSpeedupChart *self = KILN_SPEEDUP_CHART (widget);
  g_autoptr(GPtrArray) ranked = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GPtrArray) values = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int axis_height, row_height, label_width = 0, value_width = 0;
  double low = 1, high = 0, bar_x0, bar_x1, rows_y;
  GdkRGBA fg, accent_bg, accent, grey;

  if (n_items (self) == 0)
    {
      gtk_widget_snapshot_child (widget, self->empty_label, snapshot);
      return;
    }

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  lookup_color (widget, "accent_bg_color", "#3584e4", &accent_bg);
  lookup_color (widget, "accent_color", "#1c71d8", &accent);
  grey = with_alpha (&fg, 0.55);

  get_metrics (self, &axis_height, &row_height);
  ranked = dup_ranked (self);
  labels = g_ptr_array_new_with_free_func (g_object_unref);
  values = g_ptr_array_new_with_free_func (clear_layout);

  for (guint i = 0; i < ranked->len; i++)
    {
      KilnConversion *conversion = g_ptr_array_index (ranked, i);
      PangoLayout *label = new_layout (self, kiln_conversion_get_model_label (conversion),
                                       LABEL_SCALE, PANGO_WEIGHT_SEMIBOLD);
      PangoLayout *value = NULL;

      g_ptr_array_add (labels, label);
      label_width = MAX (label_width, layout_width (label));
      if (shows_speedup (conversion))
        {
          g_autofree char *text = dup_value_text (conversion);
          double speedup = kiln_conversion_get_speedup (conversion);

          value = new_layout (self, text, VALUE_SCALE, PANGO_WEIGHT_BOLD);
          value_width = MAX (value_width, layout_width (value));
          high = MAX (high, speedup);
          low = MIN (low, pow (10, floor (log10 (speedup))));
        }
      g_ptr_array_add (values, value);
    }

  /* Long labels give way to the bars */
  if (label_width > width * 0.35)
    {
      label_width = (int) (width * 0.35);
      for (guint i = 0; i < labels->len; i++)
        {
          pango_layout_set_width (g_ptr_array_index (labels, i), label_width * PANGO_SCALE);
          pango_layout_set_ellipsize (g_ptr_array_index (labels, i), PANGO_ELLIPSIZE_END);
        }
    }

  bar_x0 = H_PADDING + label_width + COLUMN_GAP;
  bar_x1 = MAX (width - H_PADDING - (value_width > 0 ? value_width + VALUE_GAP : 0),
                bar_x0 + MIN_BAR_AREA);
  /* A scale of one decade at least, so a lone ×1.3 is not a full-width bar */
  if (high > 0 && high < low * 10)
    high = low * 10;
  rows_y = high > 0 ? axis_height : 0;

  /* The gridlines at ×1, ×10, ×100, … */
  if (high > 0)
    {
      GdkRGBA line = with_alpha (&fg, 0.15);

      for (double mark = low; mark <= high * 1.0001; mark *= 10)
        {
          double x = bar_x0 + bar_fraction (mark, low, high) * (bar_x1 - bar_x0);
          g_autofree char *text = dup_axis_text (mark);
          g_autoptr(PangoLayout) axis = new_layout (self, text, 1.0, PANGO_WEIGHT_NORMAL);
          double text_x = CLAMP (x - layout_width (axis) / 2.0, bar_x0 - 4,
                                 width - layout_width (axis));

          gtk_snapshot_append_color (snapshot, &line,
                                     &GRAPHENE_RECT_INIT (x - 0.5, rows_y, 1, height - rows_y));
          append_layout (snapshot, axis, text_x, 0, &grey);
        }
    }

  for (guint i = 0; i < ranked->len; i++)
    {
      KilnConversion *conversion = g_ptr_array_index (ranked, i);
      PangoLayout *label = g_ptr_array_index (labels, i);
      PangoLayout *value = g_ptr_array_index (values, i);
      double y = rows_y + i * (row_height + ROW_SPACING);
      double bar_y = y + 2, bar_height = row_height - 4;

      append_layout (snapshot, label, H_PADDING, y + (row_height - layout_height (label)) / 2.0,
                     &fg);

      if (value != NULL)
        {
          double speedup = kiln_conversion_get_speedup (conversion);
          double length = MAX (MIN_BAR_LENGTH,
                               bar_fraction (speedup, low, high) * (bar_x1 - bar_x0));
          GskRoundedRect bar;

          gsk_rounded_rect_init_from_rect (&bar,
                                           &GRAPHENE_RECT_INIT (bar_x0, bar_y, length,
                                                                bar_height),
                                           BAR_RADIUS);
          gtk_snapshot_push_rounded_clip (snapshot, &bar);
          gtk_snapshot_append_color (snapshot, &accent_bg, &bar.bounds);
          gtk_snapshot_pop (snapshot);

          append_layout (snapshot, value, bar_x0 + length + VALUE_GAP,
                         y + (row_height - layout_height (value)) / 2.0, &accent);
        }
      else
        {
          gboolean finished = kiln_conversion_get_verdict (conversion) != KILN_VERDICT_NONE;
          g_autofree char *text = kiln_conversion_dup_verdict_text (conversion);
          g_autoptr(PangoLayout) verdict = new_layout (self, text, VERDICT_SCALE,
                                                       PANGO_WEIGHT_NORMAL);
          /* As long as the bars, or longer into the speedups' column if the text needs it */
          double box_width = CLAMP (layout_width (verdict) + 2 * 12, bar_x1 - bar_x0,
                                    MAX (width - H_PADDING - bar_x0, bar_x1 - bar_x0));
          GdkRGBA outline = finished ? grey : with_alpha (&accent, 0.7);

          append_outline (snapshot, bar_x0, bar_y, box_width, bar_height, &outline, finished);
          pango_layout_set_width (verdict, MAX (box_width - 2 * 12, 1) * PANGO_SCALE);
          pango_layout_set_ellipsize (verdict, PANGO_ELLIPSIZE_END);
          append_layout (snapshot, verdict, bar_x0 + 12,
                         y + (row_height - layout_height (verdict)) / 2.0,
                         finished ? &grey : &fg);
        }
    }
}

static void
kiln_speedup_chart_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  KilnSpeedupChart *self = KILN_SPEEDUP_CHART (widget);
  guint n = n_items (self);
  int axis_height, row_height;

  if (n == 0)
    {
      gtk_widget_measure (self->empty_label, orientation, for_size, minimum, natural,
                          NULL, NULL);
      return;
    }

  get_metrics (self, &axis_height, &row_height);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 2 * H_PADDING + 80 + COLUMN_GAP + MIN_BAR_AREA;
      *natural = 2 * H_PADDING + 200 + COLUMN_GAP + 480;
    }
  else
    {
      *minimum = *natural = axis_height + n * row_height + (n - 1) * ROW_SPACING + 2;
    }
}

static void
kiln_speedup_chart_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  KilnSpeedupChart *self = KILN_SPEEDUP_CHART (widget);
  int minimum;

  if (!gtk_widget_get_visible (self->empty_label))
    return;

  gtk_widget_measure (self->empty_label, GTK_ORIENTATION_VERTICAL, width, &minimum, NULL,
                      NULL, NULL);
  gtk_widget_allocate (self->empty_label, width, MAX (height, minimum), -1, NULL);
}

static GtkSizeRequestMode
kiln_speedup_chart_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* --- object ------------------------------------------------------------------------------ */

static void
kiln_speedup_chart_dispose (GObject *object)
{
  KilnSpeedupChart *self = KILN_SPEEDUP_CHART (object);

  g_clear_signal_handler (&self->items_changed_id, self->model);
  g_clear_object (&self->model);
  if (self->item_signals != NULL)
    g_ptr_array_set_size (self->item_signals, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), KILN_TYPE_SPEEDUP_CHART);

  G_OBJECT_CLASS (kiln_speedup_chart_parent_class)->dispose (object);
}

static void
kiln_speedup_chart_finalize (GObject *object)
{
  KilnSpeedupChart *self = KILN_SPEEDUP_CHART (object);

  g_clear_pointer (&self->item_signals, g_ptr_array_unref);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (kiln_speedup_chart_parent_class)->finalize (object);
}

static void
kiln_speedup_chart_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  KilnSpeedupChart *self = KILN_SPEEDUP_CHART (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_speedup_chart_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  KilnSpeedupChart *self = KILN_SPEEDUP_CHART (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      kiln_speedup_chart_set_model (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_speedup_chart_class_init (KilnSpeedupChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_speedup_chart_dispose;
  object_class->finalize = kiln_speedup_chart_finalize;
  object_class->get_property = kiln_speedup_chart_get_property;
  object_class->set_property = kiln_speedup_chart_set_property;

  widget_class->snapshot = kiln_speedup_chart_snapshot;
  widget_class->measure = kiln_speedup_chart_measure;
  widget_class->size_allocate = kiln_speedup_chart_size_allocate;
  widget_class->get_request_mode = kiln_speedup_chart_get_request_mode;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "speedupchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-speedup-chart.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnSpeedupChart, empty_label);
}

static void
kiln_speedup_chart_init (KilnSpeedupChart *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->item_signals = g_ptr_array_new_with_free_func (g_object_unref);
  update_summary (self);
}

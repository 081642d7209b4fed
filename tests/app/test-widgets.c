/* test-widgets.c: the comparison widgets — the speedup chart, the leaderboard, the Compare
 * Models dialog and the History window — on real windows, fed with conversions read back
 * from records and with a real history database in a temporary folder
 *
 * KILN_TEST_SCREENSHOTS=DIR also writes a PNG of each window into DIR (see
 * /widgets/screenshots).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "kiln-compare-dialog.h"
#include "kiln-history-window.h"
#include "kiln-leaderboard-view.h"
#include "kiln-preferences-window.h"
#include "kiln-model-item-private.h"
#include "kiln-speedup-chart.h"
#include "kiln-status-panel.h"
#include "../kiln-test-util.h"

#define WAIT_SECONDS 30

/* Speedup is in the record of the one whose output differs on purpose: it must never show. */
#define RIGHT_RECORD \
  "{\"model\": \"right\", \"model_label\": \"Right\", \"verdict\": \"matched\"," \
  " \"verified\": true, \"speedup\": 41.0, \"cpp_seconds\": 0.02, \"python_seconds\": 0.82," \
  " \"ttft_seconds\": 0.45, \"tokens_in\": 812, \"tokens_out\": 1530," \
  " \"tokens_per_second\": 61.2, \"cost_usd\": 0.0042, \"seconds\": 25.0," \
  " \"max_attempts\": 3, \"attempts\": [{\"number\": 1, \"code\": \"int main () {}\"}]}"
#define WRONG_RECORD \
  "{\"model\": \"wrong\", \"model_label\": \"Wrong\", \"verdict\": \"output_differs\"," \
  " \"verified\": false, \"speedup\": 12.0, \"cpp_seconds\": 0.03, \"diff_line\": 3," \
  " \"ttft_seconds\": 0.8, \"tokens_in\": 2400, \"tokens_out\": 4100, \"cost_usd\": 0.011," \
  " \"seconds\": 61.5, \"max_attempts\": 3," \
  " \"attempts\": [{\"reason\": \"output_differs\"}, {\"reason\": \"output_differs\"}," \
  "                {\"reason\": \"output_differs\"}]}"
#define BROKEN_RECORD \
  "{\"model\": \"broken\", \"model_label\": \"Broken\", \"verdict\": \"compile_error\"," \
  " \"verified\": false, \"ttft_seconds\": 1.2, \"tokens_in\": 1900, \"tokens_out\": 2000," \
  " \"cost_usd\": 0.0009, \"seconds\": 40.0, \"max_attempts\": 2," \
  " \"attempts\": [{\"reason\": \"compile_error\"}, {\"reason\": \"compile_error\"}]}"
#define HALTED_RECORD \
  "{\"model\": \"halted\", \"model_label\": \"Halted\", \"verdict\": \"stopped\"," \
  " \"seconds\": 3.0, \"max_attempts\": 3, \"attempts\": [{\"reason\": null}]}"

/* Columns of the leaderboard, in order */
enum {
  COLUMN_MODEL,
  COLUMN_VERDICT,
  COLUMN_ATTEMPTS,
  COLUMN_CPP,
  COLUMN_SPEEDUP,
  COLUMN_TTFT,
  COLUMN_TOKENS_IN,
  COLUMN_TOKENS_OUT,
  COLUMN_RATE,
  COLUMN_COST,
  COLUMN_SECONDS,
  N_COLUMNS
};

/* --- helpers ------------------------------------------------------------------------------ */

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

static void
wait_until (Condition   condition,
            gpointer    data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, tick_cb, NULL);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up after %d s waiting for %s", WAIT_SECONDS, what);
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (tick);
}

/* Lets pending idles, layouts and frames run. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 5;
  guint tick = g_timeout_add (20, tick_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);
}

static KilnConversion *
conversion_from_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) record = json_from_string (json, &error);
  KilnConversion *conversion;

  g_assert_no_error (error);
  conversion = kiln_conversion_new_from_record (record, &error);
  g_assert_no_error (error);
  g_assert_nonnull (conversion);

  return conversion;
}

static void
append_record (GListStore *store,
               const char *json)
{
  g_autoptr(KilnConversion) conversion = conversion_from_json (json);

  g_list_store_append (store, conversion);
}

/* The three conversions, in an order that is not the leaderboard's. */
static GListStore *
new_conversions (void)
{
  GListStore *store = g_list_store_new (KILN_TYPE_CONVERSION);

  append_record (store, BROKEN_RECORD);
  append_record (store, WRONG_RECORD);
  append_record (store, RIGHT_RECORD);

  return store;
}

/* A conversion that has not started (no key, no server: it never will). */
static KilnConversion *
new_pending_conversion (const char *id,
                        const char *label)
{
  g_autoptr(KilnToolchain) toolchain = kiln_toolchain_new ();
  g_autoptr(KilnModel) model = kiln_model_new ();

  g_free (model->id);
  model->id = g_strdup (id);
  g_free (model->label);
  model->label = g_strdup (label);

  return kiln_conversion_new (toolchain, model, NULL, KILN_LANGUAGE_PYTHON, "print (1)\n",
                              NULL);
}

static void
collect_widgets (GtkWidget *widget,
                 GType      type,
                 GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (g_type_is_a (G_OBJECT_TYPE (child), type))
        g_ptr_array_add (found, child);
      collect_widgets (child, type, found);
    }
}

/* Every descendant of @widget of @type, in the order of the widget tree. */
static GPtrArray *
find_all (GtkWidget *widget,
          GType      type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_widgets (widget, type, found);
  return found;
}

static GtkWidget *
find_first (GtkWidget *widget,
            GType      type)
{
  g_autoptr(GPtrArray) found = find_all (widget, type);

  g_assert_cmpuint (found->len, >, 0);
  return g_ptr_array_index (found, 0);
}

/* @target: floating or not, consumed */
static GtkWidget *
find_button_with_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *target_in)
{
  g_autoptr(GPtrArray) buttons = find_all (widget, GTK_TYPE_BUTTON);
  g_autoptr(GVariant) target = target_in != NULL ? g_variant_ref_sink (target_in) : NULL;

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkActionable *button = g_ptr_array_index (buttons, i);
      GVariant *value = gtk_actionable_get_action_target_value (button);

      if (g_strcmp0 (gtk_actionable_get_action_name (button), action_name) == 0 &&
          (target == NULL || (value != NULL && g_variant_equal (value, target))))
        return GTK_WIDGET (button);
    }

  g_error ("No button for %s", action_name);
}

/* The model labels of @model's conversions, joined with ", ". */
static char *
dup_labels (GListModel *model)
{
  g_autoptr(GString) labels = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(KilnConversion) conversion = g_list_model_get_item (model, i);

      g_string_append_printf (labels, "%s%s", i > 0 ? ", " : "",
                              kiln_conversion_get_model_label (conversion));
    }

  return g_string_free (g_steal_pointer (&labels), FALSE);
}

static void
destroy_window (gpointer window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  settle ();
  g_assert_finalize_object (window);
}

/* KILN_TEST_SCREENSHOTS=DIR: the window as drawn, into DIR/NAME.png */
static void
screenshot (GtkWidget  *window,
            const char *name)
{
  const char *dir = g_getenv ("KILN_TEST_SCREENSHOTS");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *import = NULL;
  int width, height;

  if (dir == NULL)
    return;

  /* Past any transition */
  for (guint i = 0; i < 4; i++)
    settle ();
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);

  /* And the X server's screen as it is, when ImageMagick is there to take it */
  import = g_find_program_in_path ("import");
  if (import != NULL)
    {
      g_autofree char *screen_file = g_strconcat (name, "-screen.png", NULL);
      g_autofree char *screen_path = g_build_filename (dir, screen_file, NULL);
      const char *argv[] = { import, "-window", "root", screen_path, NULL };
      g_autoptr(GError) error = NULL;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                         NULL, &error))
        g_test_message ("No screen shot: %s", error->message);
    }
}

/* --- the leaderboard ----------------------------------------------------------------------- */

typedef struct
{
  GtkWindow       *window;
  KilnLeaderboard *leaderboard;
  KilnSpeedupChart *chart;
} Board;

static gboolean
board_drawn (gpointer data)
{
  Board *board = data;
  g_autoptr(GPtrArray) labels = find_all (GTK_WIDGET (board->leaderboard), GTK_TYPE_LABEL);

  return gtk_widget_get_mapped (GTK_WIDGET (board->chart)) &&
         gtk_widget_get_height (GTK_WIDGET (board->chart)) > 0 &&
         gtk_widget_get_mapped (GTK_WIDGET (board->leaderboard)) && labels->len > N_COLUMNS;
}

static void
board_open (Board      *board,
            GListModel *conversions)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  board->window = GTK_WINDOW (gtk_window_new ());
  g_object_ref (board->window);
  gtk_window_set_default_size (board->window, 1100, 640);
  board->chart = KILN_SPEEDUP_CHART (kiln_speedup_chart_new ());
  board->leaderboard = KILN_LEADERBOARD (kiln_leaderboard_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (board->leaderboard), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (board->chart));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (board->leaderboard));
  gtk_window_set_child (board->window, box);
  kiln_speedup_chart_set_model (board->chart, conversions);
  kiln_leaderboard_set_model (board->leaderboard, conversions);

  gtk_window_present (board->window);
  wait_until (board_drawn, board, "the chart and the leaderboard to be drawn");
}

static void
board_close (Board *board)
{
  destroy_window (board->window);
}

/* The text of every cell of the row showing @label, as shown. */
static GPtrArray *
dup_row_cells (KilnLeaderboard *leaderboard,
               const char      *label)
{
  GtkWidget *list_view = find_first (GTK_WIDGET (leaderboard), GTK_TYPE_LIST_VIEW);

  for (GtkWidget *row = gtk_widget_get_first_child (list_view);
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      g_autoptr(GPtrArray) labels = NULL;
      GPtrArray *cells;

      if (g_strcmp0 (gtk_widget_get_css_name (row), "row") != 0)
        continue;
      labels = find_all (row, GTK_TYPE_LABEL);
      if (labels->len != N_COLUMNS ||
          g_strcmp0 (gtk_label_get_label (g_ptr_array_index (labels, COLUMN_MODEL)), label) != 0)
        continue;

      cells = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < labels->len; i++)
        g_ptr_array_add (cells, g_strdup (gtk_label_get_label (g_ptr_array_index (labels, i))));
      return cells;
    }

  g_error ("No row shows %s", label);
}

static const char *
cell (GPtrArray *cells,
      guint      column)
{
  return g_ptr_array_index (cells, column);
}

static GtkColumnViewColumn *
find_column (KilnLeaderboard *leaderboard,
             const char      *title)
{
  GtkColumnView *column_view =
    GTK_COLUMN_VIEW (find_first (GTK_WIDGET (leaderboard), GTK_TYPE_COLUMN_VIEW));
  GListModel *columns = gtk_column_view_get_columns (column_view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;   /* the column view keeps it */
    }

  g_error ("No column %s", title);
}

static void
sort_by (KilnLeaderboard *leaderboard,
         const char      *title,
         GtkSortType      direction)
{
  GtkColumnView *column_view =
    GTK_COLUMN_VIEW (find_first (GTK_WIDGET (leaderboard), GTK_TYPE_COLUMN_VIEW));

  gtk_column_view_sort_by_column (column_view, find_column (leaderboard, title), direction);
}

static void
assert_order (KilnLeaderboard *leaderboard,
              const char      *expected)
{
  g_autofree char *order = dup_labels (kiln_leaderboard_get_sorted (leaderboard));

  g_assert_cmpstr (order, ==, expected);
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
test_leaderboard (void)
{
  g_autoptr(GListStore) conversions = new_conversions ();
  g_autoptr(KilnConversion) late = new_pending_conversion ("late", "Late");
  g_autoptr(GError) failure = g_error_new_literal (KILN_ERROR, KILN_ERROR_KEY_MISSING,
                                                   "No key for Late.");
  g_autoptr(GPtrArray) right = NULL;
  g_autoptr(GPtrArray) wrong = NULL;
  g_autoptr(GPtrArray) broken = NULL;
  g_autofree char *speedup = kiln_format_speedup (41.0, FALSE);
  GtkColumnView *column_view;
  GtkSingleSelection *selection;
  Board board = { NULL };
  guint selected_notifies = 0;

  board_open (&board, G_LIST_MODEL (conversions));
  column_view = GTK_COLUMN_VIEW (find_first (GTK_WIDGET (board.leaderboard),
                                             GTK_TYPE_COLUMN_VIEW));

  /* The verified one first, then how far the others got */
  assert_order (board.leaderboard, "Right, Wrong, Broken");

  /* Each column header is a title a screen reader reads */
  g_assert_nonnull (find_column (board.leaderboard, "Speedup"));
  g_assert_nonnull (find_column (board.leaderboard, "Tokens/s"));

  /* What the rows show */
  right = dup_row_cells (board.leaderboard, "Right");
  wrong = dup_row_cells (board.leaderboard, "Wrong");
  broken = dup_row_cells (board.leaderboard, "Broken");
  g_assert_cmpstr (cell (right, COLUMN_VERDICT), ==, "Outputs match");
  g_assert_cmpstr (cell (right, COLUMN_SPEEDUP), ==, speedup);
  g_assert_cmpstr (cell (right, COLUMN_ATTEMPTS), ==, "1 of 3");
  g_assert_cmpstr (cell (right, COLUMN_COST), ==, "$0.0042");
  g_assert_cmpstr (cell (right, COLUMN_RATE), ==, "61");
  g_assert_cmpstr (cell (wrong, COLUMN_VERDICT), ==, "Output differs at line 3");
  g_assert_cmpstr (cell (broken, COLUMN_VERDICT), ==, "Did not compile");
  g_assert_cmpstr (cell (broken, COLUMN_ATTEMPTS), ==, "2 of 2");
  /* Never a speedup for a program whose output was not verified */
  g_assert_cmpstr (cell (wrong, COLUMN_SPEEDUP), ==, "—");
  g_assert_cmpstr (cell (broken, COLUMN_SPEEDUP), ==, "—");
  g_assert_cmpstr (cell (broken, COLUMN_CPP), ==, "—");
  g_assert_cmpstr (cell (wrong, COLUMN_RATE), ==, "—");

  /* Another column's order, both ways, then back to the ranking */
  sort_by (board.leaderboard, "Model", GTK_SORT_ASCENDING);
  assert_order (board.leaderboard, "Broken, Right, Wrong");
  sort_by (board.leaderboard, "Model", GTK_SORT_DESCENDING);
  assert_order (board.leaderboard, "Wrong, Right, Broken");
  sort_by (board.leaderboard, "Total time", GTK_SORT_ASCENDING);
  assert_order (board.leaderboard, "Right, Broken, Wrong");
  sort_by (board.leaderboard, "Verdict", GTK_SORT_ASCENDING);
  assert_order (board.leaderboard, "Right, Wrong, Broken");

  /* The selection, both ways */
  g_signal_connect (board.leaderboard, "notify::selected", G_CALLBACK (count_cb),
                    &selected_notifies);
  g_assert_null (kiln_leaderboard_get_selected (board.leaderboard));
  selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (column_view));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (selection), 1, TRUE);
  g_assert_cmpuint (selected_notifies, ==, 1);
  g_assert_cmpstr (kiln_conversion_get_model_label (kiln_leaderboard_get_selected (board.leaderboard)),
                   ==, "Wrong");
  {
    g_autoptr(KilnConversion) first = g_list_model_get_item (G_LIST_MODEL (conversions), 0);

    kiln_leaderboard_set_selected (board.leaderboard, first);
    g_assert_true (kiln_leaderboard_get_selected (board.leaderboard) == first);
    g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 2);
    g_assert_cmpuint (selected_notifies, ==, 2);
  }

  /* New conversions join in their place; one that ends moves up */
  append_record (conversions, HALTED_RECORD);
  g_list_store_append (conversions, late);
  assert_order (board.leaderboard, "Right, Wrong, Broken, Halted, Late");
  {
    g_autoptr(GPtrArray) cells = dup_row_cells (board.leaderboard, "Late");

    g_assert_cmpstr (cell (cells, COLUMN_VERDICT), ==, "Waiting…");
  }
  kiln_conversion_fail (late, failure);
  g_assert_cmpint (kiln_conversion_get_verdict (late), ==, KILN_VERDICT_ERROR);
  assert_order (board.leaderboard, "Right, Wrong, Broken, Late, Halted");
  settle ();
  {
    g_autoptr(GPtrArray) cells = dup_row_cells (board.leaderboard, "Late");

    g_assert_cmpstr (cell (cells, COLUMN_VERDICT), ==, "Failed");
    g_assert_cmpstr (cell (cells, COLUMN_SPEEDUP), ==, "—");
  }
  /* The selection stayed with its conversion */
  g_assert_cmpstr (kiln_conversion_get_model_label (kiln_leaderboard_get_selected (board.leaderboard)),
                   ==, "Broken");

  g_list_store_remove_all (conversions);
  g_assert_null (kiln_leaderboard_get_selected (board.leaderboard));
  assert_order (board.leaderboard, "");

  board_close (&board);
}

/* --- the chart ----------------------------------------------------------------------------- */

static void
assert_summary_item (const char *summary,
                     const char *label,
                     const char *expected)
{
  g_autofree char *prefix = g_strconcat (label, " ", NULL);
  g_autofree char *colon = g_strconcat (label, ": ", NULL);
  g_auto(GStrv) items = NULL;

  g_assert_true (g_str_has_prefix (summary, "Speedup chart: "));
  items = g_strsplit (summary + strlen ("Speedup chart: "), ", ", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      if (g_str_has_prefix (items[i], prefix) || g_str_has_prefix (items[i], colon))
        {
          g_assert_cmpstr (items[i], ==, expected);
          return;
        }
    }

  g_error ("%s is not in \"%s\"", label, summary);
}

static void
test_chart (void)
{
  g_autoptr(GListStore) conversions = new_conversions ();
  g_autoptr(KilnConversion) late = new_pending_conversion ("late", "Late");
  g_autoptr(GError) failure = g_error_new_literal (KILN_ERROR, KILN_ERROR_KEY_MISSING,
                                                   "No key for Late.");
  g_autofree char *speedup = kiln_format_speedup (41.0, FALSE);
  g_autofree char *expected = g_strdup_printf ("Speedup chart: Right %s, "
                                               "Wrong: Output differs at line 3, "
                                               "Broken: Did not compile", speedup);
  g_autofree char *right = g_strdup_printf ("Right %s", speedup);
  Board board = { NULL };
  guint summary_notifies = 0;
  GtkWidget *hint;
  int height_three, height_four;

  board_open (&board, G_LIST_MODEL (conversions));
  hint = find_first (GTK_WIDGET (board.chart), GTK_TYPE_LABEL);

  /* Read out in leaderboard order: a speedup for the verified one only */
  g_assert_cmpstr (kiln_speedup_chart_get_summary (board.chart), ==, expected);
  g_assert_null (strstr (kiln_speedup_chart_get_summary (board.chart), "12"));
  g_assert_false (gtk_widget_get_visible (hint));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (board.chart)), ==,
                   GTK_ACCESSIBLE_ROLE_IMG);
  height_three = gtk_widget_get_height (GTK_WIDGET (board.chart));
  g_assert_cmpint (height_three, >, 0);

  /* It follows the model and each conversion */
  g_signal_connect (board.chart, "notify::summary", G_CALLBACK (count_cb), &summary_notifies);
  g_list_store_append (conversions, late);
  assert_summary_item (kiln_speedup_chart_get_summary (board.chart), "Late", "Late: Waiting…");
  kiln_conversion_fail (late, failure);
  assert_summary_item (kiln_speedup_chart_get_summary (board.chart), "Late", "Late: Failed");
  assert_summary_item (kiln_speedup_chart_get_summary (board.chart), "Right", right);
  assert_summary_item (kiln_speedup_chart_get_summary (board.chart), "Wrong",
                       "Wrong: Output differs at line 3");
  g_assert_cmpuint (summary_notifies, ==, 2);

  /* A row more is a taller chart */
  settle ();
  height_four = gtk_widget_get_height (GTK_WIDGET (board.chart));
  g_assert_cmpint (height_four, >, height_three);

  /* Empty: the hint */
  g_list_store_remove_all (conversions);
  g_assert_cmpstr (kiln_speedup_chart_get_summary (board.chart), ==,
                   "Speedup chart: no conversions yet");
  g_assert_true (gtk_widget_get_visible (hint));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (hint)), ==,
                   "Convert with several models to compare them here");
  kiln_speedup_chart_set_model (board.chart, NULL);
  g_assert_null (kiln_speedup_chart_get_model (board.chart));

  board_close (&board);
}

/* --- the Compare Models dialog ------------------------------------------------------------ */

static KilnModelItem *
new_model_item (const char *id,
                const char *label,
                const char *hint)
{
  g_autoptr(KilnModel) model = kiln_model_new ();
  KilnModelItem *item;

  g_free (model->id);
  model->id = g_strdup (id);
  g_free (model->label);
  model->label = g_strdup (label);
  g_free (model->provider);
  model->provider = g_strdup ("Test provider");
  item = kiln_model_item_new (model);
  _kiln_model_item_set_availability (item, hint == NULL, hint);

  return item;
}

static GListStore *
new_model_items (void)
{
  GListStore *items = g_list_store_new (KILN_TYPE_MODEL_ITEM);
  g_autoptr(KilnModelItem) alpha = new_model_item ("alpha", "Alpha", NULL);
  g_autoptr(KilnModelItem) beta = new_model_item ("beta", "Beta", NULL);
  g_autoptr(KilnModelItem) gamma = new_model_item ("gamma", "Gamma",
                                                   "Add a key for Gamma in Preferences");

  g_list_store_append (items, alpha);
  g_list_store_append (items, beta);
  g_list_store_append (items, gamma);

  return items;
}

static void
convert_cb (KilnCompareDialog  *dialog,
            char              **ids,
            char              **received)
{
  g_assert_null (*received);
  *received = g_strjoinv (",", ids);
}

static gboolean
window_mapped (gpointer window)
{
  return gtk_widget_get_mapped (window);
}

static void
test_compare_dialog (void)
{
  g_autoptr(GListStore) items = new_model_items ();
  const char *checked[] = { "beta", "gamma", "nowhere", NULL };
  GtkWindow *parent = GTK_WINDOW (gtk_window_new ());
  KilnCompareDialog *dialog;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *received = NULL;
  g_auto(GStrv) ids = NULL;
  GtkWidget *convert;

  g_object_ref (parent);
  gtk_window_present (parent);
  dialog = kiln_compare_dialog_new (parent, G_LIST_MODEL (items), checked);
  g_object_ref (dialog);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == parent);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Compare Models");
  g_signal_connect (dialog, "convert", G_CALLBACK (convert_cb), &received);
  gtk_window_present (GTK_WINDOW (dialog));
  wait_until (window_mapped, dialog, "the dialog");

  /* The unavailable model cannot be checked, and says why */
  ids = kiln_compare_dialog_get_checked_ids (dialog);
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  g_assert_cmpstr (ids[0], ==, "beta");
  checks = find_all (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON);
  rows = find_all (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW);
  g_assert_cmpuint (checks->len, ==, 3);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_false (gtk_check_button_get_active (g_ptr_array_index (checks, 0)));
  g_assert_true (gtk_check_button_get_active (g_ptr_array_index (checks, 1)));
  g_assert_false (gtk_check_button_get_active (g_ptr_array_index (checks, 2)));
  g_assert_false (gtk_widget_is_sensitive (g_ptr_array_index (checks, 2)));
  g_assert_cmpstr (adw_action_row_get_subtitle (g_ptr_array_index (rows, 2)), ==,
                   "Add a key for Gamma in Preferences");
  g_assert_cmpstr (adw_action_row_get_subtitle (g_ptr_array_index (rows, 0)), ==,
                   "Test provider");
  g_assert_cmpstr (adw_preferences_row_get_title (g_ptr_array_index (rows, 0)), ==, "Alpha");

  screenshot (GTK_WIDGET (dialog), "compare-dialog-unavailable");

  /* Nothing checked: Convert All cannot be pressed, and its action does nothing */
  convert = find_button_with_action (GTK_WIDGET (dialog), "compare.convert-all", NULL);
  g_assert_true (gtk_widget_get_sensitive (convert));
  gtk_check_button_set_active (g_ptr_array_index (checks, 1), FALSE);
  g_assert_false (gtk_widget_get_sensitive (convert));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "compare.convert-all", NULL);
  g_assert_null (received);

  /* Once a key is added, Gamma can be checked, and is, as it was asked for */
  {
    g_autoptr(KilnModelItem) gamma = g_list_model_get_item (G_LIST_MODEL (items), 2);

    _kiln_model_item_set_availability (gamma, TRUE, NULL);
  }
  g_assert_true (gtk_widget_is_sensitive (g_ptr_array_index (checks, 2)));
  g_assert_true (gtk_check_button_get_active (g_ptr_array_index (checks, 2)));
  g_assert_cmpstr (adw_action_row_get_subtitle (g_ptr_array_index (rows, 2)), ==,
                   "Test provider");

  gtk_check_button_set_active (g_ptr_array_index (checks, 0), TRUE);
  gtk_check_button_set_active (g_ptr_array_index (checks, 2), TRUE);
  g_assert_true (gtk_widget_get_sensitive (convert));
  screenshot (GTK_WIDGET (dialog), "compare-dialog");

  /* Convert All: the checked ids in the list's order, then the dialog closes */
  g_signal_emit_by_name (convert, "clicked");
  g_assert_cmpstr (received, ==, "alpha,gamma");
  destroy_window (dialog);
  destroy_window (parent);
}

static void
test_compare_dialog_cancel (void)
{
  g_autoptr(GListStore) items = new_model_items ();
  KilnCompareDialog *dialog = kiln_compare_dialog_new (NULL, G_LIST_MODEL (items), NULL);
  g_autofree char *received = NULL;
  g_auto(GStrv) ids = NULL;

  g_object_ref (dialog);
  g_signal_connect (dialog, "convert", G_CALLBACK (convert_cb), &received);
  gtk_window_present (GTK_WINDOW (dialog));
  wait_until (window_mapped, dialog, "the dialog");

  ids = kiln_compare_dialog_get_checked_ids (dialog);
  g_assert_cmpuint (g_strv_length (ids), ==, 0);
  kiln_compare_dialog_set_checked (dialog, "beta", TRUE);
  kiln_compare_dialog_set_checked (dialog, "gamma", TRUE);  /* not available: stays off */
  g_strfreev (ids);
  ids = kiln_compare_dialog_get_checked_ids (dialog);
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  g_assert_cmpstr (ids[0], ==, "beta");

  /* Cancel closes it without a word */
  g_signal_emit_by_name (find_button_with_action (GTK_WIDGET (dialog), "window.close", NULL),
                         "clicked");
  g_assert_null (received);
  settle ();
  g_assert_finalize_object (dialog);
}

/* --- the History window ------------------------------------------------------------------- */

typedef struct
{
  char        *dir;
  KilnHistory *history;
  gint64       fast_id;     /* with Right's speedup */
  gint64       slow_id;     /* newer, nothing verified */
} HistoryFixture;

static gint64
add_comparison (KilnHistory *history,
                const char  *source)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };
  gint64 id;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, "python");
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, source);
  json_builder_end_object (builder);
  record = json_builder_get_root (builder);

  kiln_history_add_comparison_async (history, record, NULL, kiln_test_wait_cb, &wait);
  id = kiln_history_add_comparison_finish (history, kiln_test_wait_for (&wait), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_object_unref (wait.result);

  return id;
}

static void
add_conversion (KilnHistory *history,
                gint64       comparison_id,
                const char  *json)
{
  g_autoptr(KilnConversion) conversion = conversion_from_json (json);
  g_autoptr(JsonNode) record = kiln_conversion_to_record (conversion);
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };

  kiln_history_add_conversion_async (history, comparison_id, record, NULL,
                                     kiln_test_wait_cb, &wait);
  g_assert_cmpint (kiln_history_add_conversion_finish (history, kiln_test_wait_for (&wait),
                                                       &error), >, 0);
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

static void
history_fixture_start (HistoryFixture *fixture,
                       gboolean        filled)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("kiln-widgets-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "history.db", NULL);
  fixture->history = kiln_history_new (path);
  if (!filled)
    return;

  fixture->fast_id = add_comparison (fixture->history,
                                     "# Sum of squares\n\ndef total(n):\n"
                                     "    return sum(i * i for i in range(n))\n"
                                     "print(total(10**7))\n");
  add_conversion (fixture->history, fixture->fast_id, RIGHT_RECORD);
  add_conversion (fixture->history, fixture->fast_id, WRONG_RECORD);
  fixture->slow_id = add_comparison (fixture->history, "print(sorted(set(input())))\n");
  add_conversion (fixture->history, fixture->slow_id, BROKEN_RECORD);
}

/* Every call made to the history has called back. */
static gboolean
history_idle (gpointer history)
{
  return G_OBJECT (history)->ref_count == 1;
}

static void
history_fixture_stop (HistoryFixture *fixture)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  wait_until (history_idle, fixture->history, "the history's last calls");
  g_assert_finalize_object (fixture->history);
  dir = g_dir_open (fixture->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->dir, name, NULL);

      g_remove (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static gboolean
history_loaded (gpointer window)
{
  return !kiln_history_window_get_loading (window) && gtk_widget_get_mapped (window);
}

static KilnHistoryWindow *
history_window_open (KilnHistory *history)
{
  KilnHistoryWindow *window = kiln_history_window_new (NULL, history);

  g_object_ref (window);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (history_loaded, window, "the history");

  return window;
}

static gboolean
one_entry (gpointer window)
{
  return history_loaded (window) &&
         g_list_model_get_n_items (kiln_history_window_get_entries (window)) == 1;
}

static const char *
visible_page (KilnHistoryWindow *window)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (find_first (GTK_WIDGET (window),
                                                                  GTK_TYPE_STACK)));
}

static void
open_cb (KilnHistoryWindow *window,
         gint64             id,
         gint64            *opened)
{
  *opened = id;
}

static gboolean
rows_shown (gpointer window)
{
  g_autoptr(GPtrArray) buttons = find_all (GTK_WIDGET (window), GTK_TYPE_BUTTON);
  guint open = 0;

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkActionable *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (button), "history.open") == 0 &&
          gtk_actionable_get_action_target_value (button) != NULL)
        open++;
    }

  return open == g_list_model_get_n_items (kiln_history_window_get_entries (window));
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  g_autoptr(GPtrArray) labels = find_all (widget, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    {
      if (g_strcmp0 (gtk_label_get_label (g_ptr_array_index (labels, i)), text) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_history_window (void)
{
  HistoryFixture fixture = { NULL };
  KilnHistoryWindow *window;
  g_autoptr(KilnHistoryEntry) newest = NULL;
  g_autofree char *speedup = kiln_format_speedup (41.0, FALSE);
  gint64 opened = 0;

  history_fixture_start (&fixture, TRUE);
  window = history_window_open (fixture.history);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "History");
  g_assert_null (kiln_history_window_get_error_message (window));
  g_assert_cmpstr (visible_page (window), ==, "list");

  /* Newest first */
  g_assert_cmpuint (g_list_model_get_n_items (kiln_history_window_get_entries (window)), ==, 2);
  newest = g_list_model_get_item (kiln_history_window_get_entries (window), 0);
  g_assert_cmpint (kiln_history_entry_get_id (newest), ==, fixture.slow_id);

  /* Each row: its program's first line, its models, its best speedup */
  wait_until (rows_shown, window, "the rows");
  g_assert_true (has_label (GTK_WIDGET (window), "def total(n):"));
  g_assert_true (has_label (GTK_WIDGET (window), "print(sorted(set(input())))"));
  g_assert_true (has_label (GTK_WIDGET (window), speedup));
  g_assert_true (has_label (GTK_WIDGET (window), "—"));
  screenshot (GTK_WIDGET (window), "history-window");

  /* Delete the newest: the list is read again */
  g_signal_emit_by_name (find_button_with_action (GTK_WIDGET (window), "history.delete",
                                                  g_variant_new_int64 (fixture.slow_id)),
                         "clicked");
  wait_until (one_entry, window, "the history after the delete");
  g_assert_false (has_label (GTK_WIDGET (window), "print(sorted(set(input())))"));

  /* Open: the id of the row's comparison, and the window closes */
  g_signal_connect (window, "open", G_CALLBACK (open_cb), &opened);
  wait_until (rows_shown, window, "the rows");
  g_signal_emit_by_name (find_button_with_action (GTK_WIDGET (window), "history.open",
                                                  g_variant_new_int64 (fixture.fast_id)),
                         "clicked");
  g_assert_cmpint (opened, ==, fixture.fast_id);
  settle ();
  g_assert_finalize_object (window);

  /* Closing before the list arrives cancels the read and leaves nothing behind */
  window = kiln_history_window_new (NULL, fixture.history);
  g_object_ref (window);
  gtk_window_present (GTK_WINDOW (window));
  destroy_window (window);
  settle ();

  history_fixture_stop (&fixture);
}

static void
test_history_window_empty_and_error (void)
{
  HistoryFixture fixture = { NULL };
  g_autoptr(KilnHistory) blocked = NULL;
  g_autofree char *blocker = NULL;
  g_autofree char *path = NULL;
  KilnHistoryWindow *window;
  GtkWidget *status;

  history_fixture_start (&fixture, FALSE);
  window = history_window_open (fixture.history);
  g_assert_cmpstr (visible_page (window), ==, "empty");
  g_assert_cmpuint (g_list_model_get_n_items (kiln_history_window_get_entries (window)), ==, 0);
  g_assert_null (kiln_history_window_get_error_message (window));
  screenshot (GTK_WIDGET (window), "history-window-empty");
  destroy_window (window);

  /* A file stands where the history's folder should be: the history cannot be read */
  blocker = g_build_filename (fixture.dir, "blocker", NULL);
  g_assert_true (g_file_set_contents (blocker, "not a folder", -1, NULL));
  path = g_build_filename (blocker, "history.db", NULL);
  blocked = kiln_history_new (path);
  window = history_window_open (blocked);
  g_assert_nonnull (kiln_history_window_get_error_message (window));
  g_test_message ("%s", kiln_history_window_get_error_message (window));
  g_assert_cmpstr (visible_page (window), ==, "error");
  status = gtk_stack_get_visible_child (GTK_STACK (find_first (GTK_WIDGET (window),
                                                               GTK_TYPE_STACK)));
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (status)), ==,
                   kiln_history_window_get_error_message (window));
  screenshot (GTK_WIDGET (window), "history-window-error");

  /* Once the file is gone, Retry reads it */
  g_assert_cmpint (g_remove (blocker), ==, 0);
  g_signal_emit_by_name (find_button_with_action (status, "history.reload", NULL), "clicked");
  wait_until (history_loaded, window, "the history after Retry");
  g_assert_null (kiln_history_window_get_error_message (window));
  g_assert_cmpstr (visible_page (window), ==, "empty");
  destroy_window (window);

  wait_until (history_idle, blocked, "the history's last calls");
  g_assert_finalize_object (g_steal_pointer (&blocked));
  {
    g_autofree char *folder = g_path_get_dirname (path);
    g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *file = g_build_filename (folder, name, NULL);

        g_remove (file);
      }
    g_rmdir (folder);
  }
  history_fixture_stop (&fixture);
}

/* --- screenshots -------------------------------------------------------------------------- */

static void
test_screenshots (void)
{
  g_autoptr(GListStore) conversions = NULL;
  g_autoptr(KilnConversion) waiting = NULL;
  AdwStyleManager *style = adw_style_manager_get_default ();
  Board board = { NULL };

  if (g_getenv ("KILN_TEST_SCREENSHOTS") == NULL)
    {
      g_test_skip ("KILN_TEST_SCREENSHOTS is not set: no screenshots to write");
      return;
    }

  conversions = new_conversions ();
  append_record (conversions,
                 "{\"model\": \"repair\", \"model_label\": \"Claude Sonnet 4.5\","
                 " \"verdict\": \"matched\", \"speedup\": 38.2, \"cpp_seconds\": 0.021,"
                 " \"ttft_seconds\": 0.61, \"tokens_in\": 4100, \"tokens_out\": 3020,"
                 " \"tokens_per_second\": 48.0, \"cost_usd\": 0.061, \"seconds\": 70.2,"
                 " \"max_attempts\": 3, \"attempts\": [{\"reason\": \"compile_error\"},"
                 " {\"reason\": null}]}");
  append_record (conversions,
                 "{\"model\": \"bound\", \"model_label\": \"Qwen 2.5 Coder 32B (local)\","
                 " \"verdict\": \"matched\", \"speedup\": 1200, \"speedup_is_lower_bound\": true,"
                 " \"cpp_seconds\": 0.0004, \"ttft_seconds\": 2.1, \"tokens_in\": 900,"
                 " \"tokens_out\": 1200, \"tokens_per_second\": 9.4, \"seconds\": 130,"
                 " \"max_attempts\": 3, \"attempts\": [{\"reason\": null}]}");
  append_record (conversions,
                 "{\"model\": \"slow\", \"model_label\": \"Slow\", \"verdict\": \"matched\","
                 " \"speedup\": 2.4, \"cpp_seconds\": 0.4, \"seconds\": 12,"
                 " \"max_attempts\": 3, \"attempts\": [{\"reason\": null}]}");
  append_record (conversions,
                 "{\"model\": \"refuser\", \"model_label\": \"Refuser\", \"verdict\": \"refused\","
                 " \"seconds\": 2, \"max_attempts\": 3, \"attempts\": [{\"reason\": \"refused\"}]}");
  waiting = new_pending_conversion ("pending", "Pending");
  g_list_store_append (conversions, waiting);

  board_open (&board, G_LIST_MODEL (conversions));
  g_test_message ("%s", kiln_speedup_chart_get_summary (board.chart));
  screenshot (GTK_WIDGET (board.window), "chart-and-leaderboard");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot (GTK_WIDGET (board.window), "chart-and-leaderboard-dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (board.window, 560, 640);
  screenshot (GTK_WIDGET (board.window), "chart-and-leaderboard-narrow");
  g_list_store_remove_all (conversions);
  screenshot (GTK_WIDGET (board.window), "chart-empty");
  board_close (&board);
}

/* --- the status panel: a speedup only for a verified program -------------------------------- */

typedef struct
{
  KilnToolchain *toolchain;
  char          *dir;
  GtkWindow     *window;
  KilnStatusPanel *panel;
} Panel;

static void
panel_open (Panel *panel)
{
  panel->toolchain = kiln_test_toolchain_new (&panel->dir);
  panel->window = GTK_WINDOW (gtk_window_new ());
  panel->panel = g_object_new (KILN_TYPE_STATUS_PANEL, NULL);
  gtk_window_set_child (panel->window, GTK_WIDGET (panel->panel));
  gtk_window_set_default_size (panel->window, 720, 560);
  gtk_window_present (panel->window);
}

static void
panel_close (Panel *panel)
{
  gtk_window_destroy (panel->window);
  while (g_main_context_iteration (NULL, FALSE));
  g_clear_object (&panel->toolchain);
  kiln_test_remove_tree (panel->dir);
  g_free (panel->dir);
}

/* Verifies @cpp against @python on @cases with the window's default settings. */
static KilnVerification *
panel_verify (Panel              *panel,
              const char         *python,
              const char * const *cases,
              const char         *cpp)
{
  g_autoptr(KilnRunConfig) config = kiln_run_config_new ();
  g_autoptr(KilnProgram) program = kiln_program_new (panel->toolchain, KILN_LANGUAGE_PYTHON,
                                                     python, cases);
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };
  KilnVerification *verification;

  kiln_program_apply_config (program, config);
  kiln_program_verify_async (program, cpp, NULL, NULL, kiln_test_wait_cb, &wait);
  verification = kiln_program_verify_finish (program, kiln_test_wait_for (&wait), &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_nonnull (verification);
  if (verification->compile != NULL && !verification->compile->ok)
    g_error ("the test's C++ did not compile:\n%s", verification->compile->output);
  return verification;
}

#define SUM_PYTHON "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n"
#define SUM_CPP \
  "#include <iostream>\nint main() {\n  long s = 0, x;\n  while (std::cin >> x) s += x;\n" \
  "  std::cout << s << \"\\n\";\n}\n"
/* Right on "1 2 3" only */
#define SIX_CPP "#include <cstdio>\nint main() { std::puts(\"6\"); }\n"

static void
test_panel_verified (void)
{
  const char * const cases[] = { "1 2 3\n", NULL };
  g_autoptr(KilnVerification) verification = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *cpu = NULL;
  g_autofree char *spread = NULL;
  Panel panel = { NULL };
  const char *detail;

  panel_open (&panel);
  verification = panel_verify (&panel, SUM_PYTHON, cases, SUM_CPP);
  g_assert_true (kiln_verification_verified (verification));

  kiln_status_panel_set_verification (panel.panel, verification);
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel.panel), ==, "Outputs match");
  /* The comparison's own text: the figure and its spread */
  spread = kiln_comparison_dup_speedup_text (verification->comparison);
  expected = g_strdup_printf ("Speedup %s", spread);
  g_assert_cmpstr (kiln_status_panel_get_speedup_text (panel.panel), ==, expected);
  detail = kiln_status_panel_get_speedup_detail_text (panel.panel);
  g_test_message ("%s — %s", expected, detail);
  /* What the figure is, said plainly */
  g_assert_true (strstr (detail, "CPU time") != NULL || strstr (detail, "wall time") != NULL ||
                 g_str_has_prefix (detail, "At least ×"));
  g_assert_false (kiln_status_panel_get_diff_highlight (panel.panel, &(guint) { 0 },
                                                        &(guint) { 0 }, &(guint) { 0 },
                                                        &(guint) { 0 }));

  /* A busy machine, said so, with the CPU-time figure that stays */
  verification->comparison->noisy = TRUE;
  verification->comparison->busy = TRUE;
  verification->comparison->basis = KILN_SPEEDUP_BASIS_CPU;
  verification->comparison->speedup_is_lower_bound = FALSE;
  verification->comparison->speedup_cpu = 38.0;
  kiln_status_panel_set_verification (panel.panel, verification);
  cpu = kiln_format_speedup (38.0, FALSE);
  g_free (expected);
  expected = g_strdup_printf ("The computer was busy: wall times are inflated. "
                              "CPU-time speedup %s", cpu);
  g_assert_cmpstr (kiln_status_panel_get_speedup_detail_text (panel.panel), ==, expected);

  /* Repeats that spread on an idle machine are not a busy machine */
  verification->comparison->busy = FALSE;
  kiln_status_panel_set_verification (panel.panel, verification);
  g_assert_true (g_str_has_prefix (kiln_status_panel_get_speedup_detail_text (panel.panel),
                                   "The runs varied widely"));

  /* Close to the start-up floor: a lower bound, said why */
  verification->comparison->noisy = FALSE;
  verification->comparison->speedup_is_lower_bound = TRUE;
  kiln_status_panel_set_verification (panel.panel, verification);
  g_assert_true (g_str_has_prefix (kiln_status_panel_get_speedup_text (panel.panel),
                                   "Speedup at least ×"));
  g_assert_true (g_str_has_suffix (kiln_status_panel_get_speedup_detail_text (panel.panel),
                                   ": the C++ program finishes about as fast as any program "
                                   "can start"));

  /* Runs made on their own: outputs compared, never a speedup */
  kiln_status_panel_set_comparison (panel.panel, verification->comparison);
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel.panel), ==, "Outputs match");
  g_assert_cmpstr (kiln_status_panel_get_speedup_text (panel.panel), ==, "");

  panel_close (&panel);
}

static void
test_panel_hidden_input (void)
{
  const char * const cases[] = { "1 2 3\n", "10 20\n", NULL };
  g_autoptr(KilnVerification) verification = NULL;
  Panel panel = { NULL };
  guint rs, re, cs, ce;

  panel_open (&panel);
  verification = panel_verify (&panel, SUM_PYTHON, cases, SIX_CPP);
  g_assert_cmpint (verification->check, ==, KILN_CHECK_OUTPUT_DIFFERS);
  g_assert_cmpuint (verification->failed_case, ==, 2);

  kiln_status_panel_set_verification (panel.panel, verification);
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel.panel), ==,
                   "Matched the input it was shown, but differs on hidden input 2 at line 1");
  /* The times stay, the speedup does not */
  g_assert_cmpstr (kiln_status_panel_get_speedup_text (panel.panel), ==, "");
  g_assert_cmpstr (kiln_status_panel_get_speedup_detail_text (panel.panel), ==,
                   "No speedup: the C++ program is not verified");
  /* "30" against "6": every character differs */
  g_assert_true (kiln_status_panel_get_diff_highlight (panel.panel, &rs, &re, &cs, &ce));
  g_assert_cmpuint (rs, ==, 0);
  g_assert_cmpuint (re, ==, 2);
  g_assert_cmpuint (cs, ==, 0);
  g_assert_cmpuint (ce, ==, 1);

  panel_close (&panel);
}

/* Within the differing line only the characters that differ are marked, in characters (the
 * line holds a multi-byte character before them). */
static void
test_panel_highlight (void)
{
  g_autoptr(KilnVerification) verification = NULL;
  Panel panel = { NULL };
  guint rs, re, cs, ce;
  const KilnOutputDiff *diff;

  panel_open (&panel);
  verification = panel_verify (&panel, "print('π ≈ 3.141592658589')\n", NULL,
                               "#include <cstdio>\nint main() { std::puts(\"π ≈ "
                               "3.14159265386\"); }\n");
  g_assert_cmpint (verification->check, ==, KILN_CHECK_OUTPUT_DIFFERS);
  kiln_status_panel_set_verification (panel.panel, verification);
  g_assert_cmpstr (kiln_status_panel_get_verdict_text (panel.panel), ==,
                   "Outputs differ at line 1");
  g_assert_cmpstr (kiln_status_panel_get_speedup_text (panel.panel), ==, "");

  diff = verification->comparison->diff;
  g_assert_true (kiln_status_panel_get_diff_highlight (panel.panel, &rs, &re, &cs, &ce));
  g_assert_cmpuint (rs, ==, diff->column);
  g_assert_cmpuint (re, ==, diff->reference_end);
  g_assert_cmpuint (cs, ==, diff->column);
  g_assert_cmpuint (ce, ==, diff->candidate_end);
  /* "π ≈ 3.14159265" is the common prefix: 14 characters, more bytes */
  g_assert_cmpuint (rs, ==, 14);
  g_assert_cmpuint (re, >, rs);
  g_assert_cmpuint (ce, >, cs);

  if (g_getenv ("KILN_TEST_SCREENSHOTS") != NULL)
    screenshot (GTK_WIDGET (panel.window), "panel-char-highlight");

  panel_close (&panel);
}

/* --- preferences: the verification settings ---------------------------------------------- */

static GtkWidget *
find_child (GtkWidget  *widget,
            const char *id)
{
  if (GTK_IS_BUILDABLE (widget) &&
      g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_preferences_verification (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.kilnapp.Kiln");
  KilnPreferencesWindow *window;
  AdwComboRow *tolerance;
  GtkSpinButton *timeout;
  GtkSpinButton *cpp_timeout;

  /* The original's default limit: 10 minutes */
  g_assert_cmpuint (g_settings_get_uint (settings, "run-timeout"), ==, 600);

  window = kiln_preferences_window_new (NULL, NULL);
  g_object_ref (window);
  gtk_window_present (GTK_WINDOW (window));
  tolerance = ADW_COMBO_ROW (find_child (GTK_WIDGET (window), "tolerance_row"));
  timeout = GTK_SPIN_BUTTON (find_child (GTK_WIDGET (window), "timeout_spin"));
  cpp_timeout = GTK_SPIN_BUTTON (find_child (GTK_WIDGET (window), "cpp_timeout_spin"));
  g_assert_nonnull (tolerance);
  g_assert_nonnull (timeout);
  g_assert_nonnull (cpp_timeout);

  /* Shown in minutes, kept in seconds */
  g_assert_cmpfloat (gtk_spin_button_get_value (timeout), ==, 10.0);
  gtk_spin_button_set_value (timeout, 2.5);
  g_assert_cmpuint (g_settings_get_uint (settings, "run-timeout"), ==, 150);

  /* 0 is Automatic */
  g_assert_cmpfloat (gtk_spin_button_get_value (cpp_timeout), ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cpp_timeout)), ==, "Automatic");
  gtk_spin_button_set_value (cpp_timeout, 30);
  g_assert_cmpuint (g_settings_get_uint (settings, "cpp-timeout"), ==, 30);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cpp_timeout)), ==, "30");

  /* Off by default; the row and the key follow each other */
  g_assert_cmpuint (adw_combo_row_get_selected (tolerance), ==, 0);
  adw_combo_row_set_selected (tolerance, 2);
  g_assert_cmpfloat (g_settings_get_double (settings, "tolerance"), ==, 1e-9);
  g_settings_set_double (settings, "tolerance", 1e-6);
  g_assert_cmpuint (adw_combo_row_get_selected (tolerance), ==, 3);
  /* A value set elsewhere shows as the nearest offered */
  g_settings_set_double (settings, "tolerance", 2e-12);
  g_assert_cmpuint (adw_combo_row_get_selected (tolerance), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  while (g_main_context_iteration (NULL, FALSE));
  g_settings_reset (settings, "run-timeout");
  g_settings_reset (settings, "cpp-timeout");
  g_settings_reset (settings, "tolerance");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kiln_core_init ();

  g_test_add_func ("/widgets/leaderboard", test_leaderboard);
  g_test_add_func ("/widgets/chart", test_chart);
  g_test_add_func ("/widgets/compare-dialog", test_compare_dialog);
  g_test_add_func ("/widgets/compare-dialog-cancel", test_compare_dialog_cancel);
  g_test_add_func ("/widgets/history-window", test_history_window);
  g_test_add_func ("/widgets/history-window-empty-and-error",
                   test_history_window_empty_and_error);
  g_test_add_func ("/widgets/screenshots", test_screenshots);
  g_test_add_func ("/widgets/panel-verified", test_panel_verified);
  g_test_add_func ("/widgets/panel-hidden-input", test_panel_hidden_input);
  g_test_add_func ("/widgets/panel-highlight", test_panel_highlight);
  g_test_add_func ("/widgets/preferences-verification", test_preferences_verification);

  return g_test_run ();
}

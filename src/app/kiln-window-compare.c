/* kiln-window-compare.c: several models side by side — the leaderboard and the chart over
 * the session's conversions, exports, and past comparisons from the history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-compare-dialog.h"
#include "kiln-history-window.h"
#include "kiln-leaderboard-view.h"
#include "kiln-speedup-chart.h"
#include "kiln-window-private.h"

/* Shows the leaderboard and gives it room: a class reads it from the back of the room. */
static void
show_compare_page (KilnWindow *self)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self->status_paned));

  adw_view_stack_set_visible_child_name (self->results_stack, "compare");
  if (height > 0 && gtk_paned_get_position (self->status_paned) > height / 2)
    gtk_paned_set_position (self->status_paned, height * 2 / 5);
}

/* The summary above the leaderboard: how many, how many verified, the best. */
static void
update_summary (KilnWindow *self)
{
  GListModel *conversions = kiln_session_get_conversions (self->session);
  guint n = g_list_model_get_n_items (conversions);
  guint verified = 0, running = 0;
  g_autoptr(KilnConversion) best = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KilnConversion) conversion = g_list_model_get_item (conversions, i);

      if (kiln_conversion_get_running (conversion))
        running++;
      if (kiln_conversion_get_verified (conversion))
        {
          verified++;
          if (best == NULL ||
              kiln_conversion_get_speedup (conversion) > kiln_conversion_get_speedup (best))
            g_set_object (&best, conversion);
        }
    }

  if (n == 0)
    text = g_strdup (_("Compare Models… converts the program with several models at once."));
  else if (running > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u model still working",
                                         "%u of %u models still working", running),
                            running, n);
  else if (best != NULL)
    {
      g_autofree char *speedup = kiln_format_speedup (kiln_conversion_get_speedup (best),
                                                      kiln_conversion_get_speedup_is_lower_bound (best));

      /* Translators: "2 of 3 verified · fastest: Claude Sonnet ×41.2" */
      text = g_strdup_printf (_("%u of %u verified · fastest: %s %s"), verified, n,
                              kiln_conversion_get_model_label (best), speedup);
    }
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "None of %u model was verified",
                                         "None of %u models was verified", n), n);

  gtk_label_set_text (self->compare_summary, text);
}

static void
conversions_changed_cb (KilnWindow *self,
                        guint       position,
                        guint       removed,
                        guint       added,
                        GListModel *conversions)
{
  /* Several models at once: the leaderboard is what a person wants to see. */
  if (added > 0 && g_list_model_get_n_items (conversions) > 1)
    show_compare_page (self);
  update_summary (self);
  _kiln_window_update_actions (self);
}

static void
conversion_finished_cb (KilnWindow     *self,
                        KilnConversion *conversion,
                        KilnSession    *session)
{
  update_summary (self);
  _kiln_window_update_actions (self);
}

static void
leaderboard_selected_cb (KilnWindow *self)
{
  g_autoptr(KilnConversion) selected = NULL;

  if (self->selecting)
    return;

  g_object_get (self->leaderboard, "selected", &selected, NULL);
  if (selected != NULL && selected != self->conversion)
    _kiln_window_show_conversion (self, selected);
}

void
_kiln_window_compare_shown_changed (KilnWindow *self)
{
  if (self->leaderboard == NULL)
    return;

  self->selecting = TRUE;
  g_object_set (self->leaderboard, "selected", self->conversion, NULL);
  self->selecting = FALSE;
}

void
_kiln_window_compare_update_actions (KilnWindow *self)
{
  GListModel *conversions = kiln_session_get_conversions (self->session);
  gboolean any = g_list_model_get_n_items (conversions) > 0;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-csv", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-markdown", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-markdown", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop-shown",
                                 self->conversion != NULL &&
                                 kiln_conversion_get_running (self->conversion));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-history",
                                 KILN_IS_APPLICATION (app) &&
                                 kiln_application_get_history (KILN_APPLICATION (app)) != NULL);
}

/* Compare Models… */

void
kiln_window_compare_models (KilnWindow         *self,
                            const char * const *ids)
{
  GtkApplication *app;
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
  KilnModelRegistry *registry;

  g_return_if_fail (KILN_IS_WINDOW (self));

  app = gtk_window_get_application (GTK_WINDOW (self));
  if (!KILN_IS_APPLICATION (app))
    return;

  registry = kiln_application_get_model_registry (KILN_APPLICATION (app));
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      KilnModel *model = kiln_model_registry_lookup (registry, ids[i], NULL);

      if (model != NULL)
        g_ptr_array_add (models, model);
    }

  show_compare_page (self);
  _kiln_window_convert_all (self, models);
}

static void
compare_convert_cb (KilnWindow         *self,
                    const char * const *ids,
                    GtkWindow          *dialog)
{
  kiln_window_compare_models (self, ids);
}

GtkWidget *
kiln_window_get_leaderboard (KilnWindow *self)
{
  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  return self->leaderboard;
}

static void
compare_models_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GListModel *conversions = kiln_session_get_conversions (self->session);
  g_autoptr(GStrvBuilder) checked = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;

  if (!KILN_IS_APPLICATION (app) || self->compare_dialog != NULL)
    return;

  /* The models of the last comparison stay ticked. */
  for (guint i = 0; i < g_list_model_get_n_items (conversions); i++)
    {
      g_autoptr(KilnConversion) conversion = g_list_model_get_item (conversions, i);

      g_strv_builder_add (checked, kiln_conversion_get_model_id (conversion));
    }
  ids = g_strv_builder_end (checked);

  self->compare_dialog = GTK_WINDOW (kiln_compare_dialog_new (
    GTK_WINDOW (self),
    G_LIST_MODEL (kiln_application_get_model_registry (KILN_APPLICATION (app))),
    (const char * const *) ids));
  g_object_add_weak_pointer (G_OBJECT (self->compare_dialog), (gpointer *) &self->compare_dialog);
  g_signal_connect_object (self->compare_dialog, "convert", G_CALLBACK (compare_convert_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (self->compare_dialog);
}

static void
stop_shown_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);

  if (self->conversion != NULL)
    kiln_session_stop (self->session, self->conversion);
}

/* Exports */

char *
kiln_window_dup_leaderboard (KilnWindow *self,
                             gboolean    markdown)
{
  GListModel *conversions;

  g_return_val_if_fail (KILN_IS_WINDOW (self), NULL);

  conversions = kiln_session_get_conversions (self->session);
  return markdown ? kiln_leaderboard_to_markdown (conversions)
                  : kiln_leaderboard_to_csv (conversions, NULL);
}

void
kiln_window_export_leaderboard (KilnWindow *self,
                                GFile      *file,
                                gboolean    markdown)
{
  g_autofree char *text = NULL;

  g_return_if_fail (KILN_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  text = kiln_window_dup_leaderboard (self, markdown);
  _kiln_window_save_text_async (self, file, text);
}

static void
export_response_cb (KilnWindow           *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->file_chooser);

  if (file != NULL)
    kiln_window_export_leaderboard (self, file, self->export_markdown);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  gboolean markdown = g_str_equal (action_name, "win.export-markdown");
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->file_chooser != NULL)
    return;

  self->export_markdown = markdown;
  chooser = gtk_file_chooser_native_new (markdown ? _("Save Leaderboard as Markdown")
                                                  : _("Save Leaderboard as CSV"),
                                         GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_file_filter_set_name (filter, markdown ? _("Markdown Files") : _("CSV Files"));
  gtk_file_filter_add_pattern (filter, markdown ? "*.md" : "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     markdown ? "leaderboard.md" : "leaderboard.csv");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  self->file_chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->file_chooser);
}

static void
copy_markdown_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  g_autofree char *text = kiln_window_dup_leaderboard (self, TRUE);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  _kiln_window_show_toast (self, _("Leaderboard copied as Markdown"));
}

/* History */

static void
history_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(KilnWindow) self = user_data;
  g_autoptr(JsonNode) comparison = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *conversions;
  GtkTextBuffer *buffer;

  comparison = kiln_history_load_finish (KILN_HISTORY (object), result, &error);
  if (self->cpp_feed == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (comparison == NULL || !kiln_session_restore (self->session, comparison, &error))
    {
      _kiln_window_show_toast (self, error->message);
      return;
    }

  /* The program comes back into its editor as one undoable change, so the text that was
   * there is one Undo away (and the drafts keep it until then). */
  buffer = _kiln_window_get_buffer (self, kiln_session_get_language (self->session));
  _kiln_window_set_buffer_text (self, buffer, kiln_session_get_source (self->session));
  _kiln_window_set_buffer_text (self, gtk_text_view_get_buffer (self->input_view),
                                kiln_session_get_input (self->session));

  conversions = kiln_session_get_conversions (self->session);
  if (g_list_model_get_n_items (conversions) > 0)
    {
      g_autoptr(GListStore) ranked = g_list_store_new (KILN_TYPE_CONVERSION);
      g_autoptr(KilnConversion) first = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (conversions); i++)
        {
          g_autoptr(KilnConversion) item = g_list_model_get_item (conversions, i);

          g_list_store_insert_sorted (ranked, item, kiln_conversion_compare_rank, NULL);
        }
      first = g_list_model_get_item (G_LIST_MODEL (ranked), 0);
      _kiln_window_show_conversion (self, first);
    }
  show_compare_page (self);
  _kiln_window_update_actions (self);
}

void
kiln_window_open_past_comparison (KilnWindow *self,
                                  gint64      id)
{
  GtkApplication *app;
  KilnHistory *history;

  g_return_if_fail (KILN_IS_WINDOW (self));

  app = gtk_window_get_application (GTK_WINDOW (self));
  history = KILN_IS_APPLICATION (app) ? kiln_application_get_history (KILN_APPLICATION (app))
                                      : kiln_session_get_history (self->session);
  if (history == NULL || kiln_session_get_busy (self->session))
    return;

  kiln_history_load_async (history, id, self->cancellable, history_loaded_cb,
                           g_object_ref (self));
}

static void
history_open_cb (KilnWindow *self,
                 gint64      id,
                 GtkWindow  *window)
{
  kiln_window_open_past_comparison (self, id);
  gtk_window_close (window);
}

static void
show_history_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  KilnHistory *history;

  if (!KILN_IS_APPLICATION (app) || self->history_window != NULL)
    return;
  history = kiln_application_get_history (KILN_APPLICATION (app));
  if (history == NULL)
    return;

  self->history_window = GTK_WINDOW (kiln_history_window_new (GTK_WINDOW (self), history));
  g_object_add_weak_pointer (G_OBJECT (self->history_window), (gpointer *) &self->history_window);
  g_signal_connect_object (self->history_window, "open", G_CALLBACK (history_open_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (self->history_window);
}

/* Set-up */

void
_kiln_window_compare_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (KILN_TYPE_LEADERBOARD);
  g_type_ensure (KILN_TYPE_SPEEDUP_CHART);

  gtk_widget_class_bind_template_child (widget_class, KilnWindow, results_stack);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, leaderboard);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, speedup_chart);
  gtk_widget_class_bind_template_child (widget_class, KilnWindow, compare_summary);
  gtk_widget_class_bind_template_callback (widget_class, leaderboard_selected_cb);

  gtk_widget_class_install_action (widget_class, "win.compare-models", NULL,
                                   compare_models_action);
  gtk_widget_class_install_action (widget_class, "win.stop-shown", NULL, stop_shown_action);
  gtk_widget_class_install_action (widget_class, "win.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.export-markdown", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.copy-markdown", NULL,
                                   copy_markdown_action);
  gtk_widget_class_install_action (widget_class, "win.show-history", NULL,
                                   show_history_action);
}

void
_kiln_window_compare_init (KilnWindow *self)
{
  GListModel *conversions = kiln_session_get_conversions (self->session);

  g_object_set (self->leaderboard, "model", conversions, NULL);
  g_object_set (self->speedup_chart, "model", conversions, NULL);
  g_signal_connect_object (conversions, "items-changed", G_CALLBACK (conversions_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "conversion-finished",
                           G_CALLBACK (conversion_finished_cb), self, G_CONNECT_SWAPPED);
  update_summary (self);
}

void
_kiln_window_compare_dispose (KilnWindow *self)
{
  if (self->compare_dialog != NULL)
    gtk_window_destroy (self->compare_dialog);
  if (self->history_window != NULL)
    gtk_window_destroy (self->history_window);
}

/* kiln-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "kiln-a11y.h"
#include "kiln-core.h"
#include "kiln-preferences-window.h"
#include "kiln-prompt-editor.h"

/* The templates in the order shown, with what people call them */
static const struct {
  const char *name;
  const char *title;
  const char *subtitle;
} prompts[] = {
  { KILN_PROMPT_PYTHON_TO_CPP_SYSTEM, N_("Python → C++: system"),
    N_("The model’s instructions for converting Python") },
  { KILN_PROMPT_PYTHON_TO_CPP_USER, N_("Python → C++: request"),
    N_("The message that carries the Python program") },
  { KILN_PROMPT_CPP_TO_CPP_SYSTEM, N_("C++ → faster C++: system"),
    N_("The model’s instructions for speeding up C++") },
  { KILN_PROMPT_CPP_TO_CPP_USER, N_("C++ → faster C++: request"),
    N_("The message that carries the C++ program") },
  { KILN_PROMPT_REPAIR_COMPILE, N_("Repair: compile error"),
    N_("Asks for a fix when the C++ does not compile") },
  { KILN_PROMPT_REPAIR_RUNTIME, N_("Repair: crash"),
    N_("Asks for a fix when the C++ fails or times out") },
  { KILN_PROMPT_REPAIR_OUTPUT, N_("Repair: wrong output"),
    N_("Asks for a fix when the outputs differ") },
  { KILN_PROMPT_CONTINUE_TRUNCATED, N_("Continue: cut-off answer"),
    N_("Asks the model to go on when its answer was cut at the token limit") },
};

/* Positions in the compiler list; "Other…" stands for a command or path. */
enum {
  COMPILER_AUTO,
  COMPILER_GXX,
  COMPILER_CLANGXX,
  COMPILER_OTHER,
};

struct _KilnPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  KilnModelRegistry    *registry;
  KilnKeyStore         *key_store;
  GCancellable         *cancellable;
  GPtrArray            *key_rows;       /* AdwPasswordEntryRow, one per key name */
  guint                 updating : 1;

  GtkEntry             *python_entry;
  AdwComboRow          *compiler_row;
  GtkWidget            *compiler_path_row;
  GtkEntry             *compiler_entry;
  GtkEntry             *flags_entry;
  GtkAdjustment        *timeout_adjustment;
  GtkAdjustment        *cpp_timeout_adjustment;
  AdwComboRow          *tolerance_row;
  GtkAdjustment        *output_adjustment;
  GtkAdjustment        *python_repeat_adjustment;
  GtkAdjustment        *cpp_repeat_adjustment;
  GtkAdjustment        *cpp_budget_adjustment;
  GtkListBox           *patterns_list;
  GtkWidget            *reset_patterns_button;
  AdwPreferencesPage   *models_page;
  AdwPreferencesGroup  *keys_group;
  AdwActionRow         *models_file_row;
  GtkAdjustment        *max_attempts_adjustment;
  GtkSwitch            *auto_verify_switch;
  GtkSwitch            *sandbox_switch;
  AdwPreferencesGroup  *prompts_group;
  GtkWidget            *prompt_badges[G_N_ELEMENTS (prompts)];
};

G_DEFINE_FINAL_TYPE (KilnPreferencesWindow, kiln_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Compiler */

static void
compiler_changed_cb (KilnPreferencesWindow *self)
{
  g_autofree char *compiler = g_settings_get_string (self->settings, "compiler");
  guint selected;

  if (self->updating)
    return;

  if (*compiler == '\0' || g_str_equal (compiler, "auto"))
    selected = COMPILER_AUTO;
  else if (g_str_equal (compiler, "g++"))
    selected = COMPILER_GXX;
  else if (g_str_equal (compiler, "clang++"))
    selected = COMPILER_CLANGXX;
  else
    selected = COMPILER_OTHER;

  self->updating = TRUE;
  adw_combo_row_set_selected (self->compiler_row, selected);
  if (selected == COMPILER_OTHER)
    gtk_editable_set_text (GTK_EDITABLE (self->compiler_entry), compiler);
  gtk_widget_set_visible (self->compiler_path_row, selected == COMPILER_OTHER);
  self->updating = FALSE;
}

static void
compiler_selected_cb (KilnPreferencesWindow *self)
{
  static const char * const names[] = { "auto", "g++", "clang++" };
  guint selected = adw_combo_row_get_selected (self->compiler_row);
  const char *path;

  gtk_widget_set_visible (self->compiler_path_row, selected == COMPILER_OTHER);

  if (self->updating || self->settings == NULL)
    return;

  self->updating = TRUE;
  if (selected < G_N_ELEMENTS (names))
    g_settings_set_string (self->settings, "compiler", names[selected]);
  else if (*(path = gtk_editable_get_text (GTK_EDITABLE (self->compiler_entry))) != '\0')
    g_settings_set_string (self->settings, "compiler", path);
  self->updating = FALSE;
}

static void
compiler_entry_changed_cb (KilnPreferencesWindow *self)
{
  const char *path = gtk_editable_get_text (GTK_EDITABLE (self->compiler_entry));

  if (self->updating || self->settings == NULL ||
      adw_combo_row_get_selected (self->compiler_row) != COMPILER_OTHER || *path == '\0')
    return;

  self->updating = TRUE;
  g_settings_set_string (self->settings, "compiler", path);
  self->updating = FALSE;
}

/* Timing patterns */

static void
save_patterns (KilnPreferencesWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) patterns = NULL;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->patterns_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *text;

      if (!ADW_IS_ENTRY_ROW (row))
        continue;

      text = gtk_editable_get_text (GTK_EDITABLE (row));
      if (*text != '\0')
        g_strv_builder_add (builder, text);
    }

  patterns = g_strv_builder_end (builder);

  self->updating = TRUE;
  g_settings_set_strv (self->settings, "timing-patterns", (const char * const *) patterns);
  self->updating = FALSE;
}

/* Marks a pattern that does not compile; the window would not compare outputs with it. */
static gboolean
check_pattern (AdwEntryRow *row)
{
  const char *patterns[] = { gtk_editable_get_text (GTK_EDITABLE (row)), NULL };
  g_autoptr(KilnTimingMask) mask = NULL;
  g_autoptr(GError) error = NULL;

  if (*patterns[0] == '\0' || (mask = kiln_timing_mask_new (patterns, &error)) != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (row), NULL);
      return TRUE;
    }

  gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), error->message);
  return FALSE;
}

static void
pattern_applied_cb (KilnPreferencesWindow *self,
                    AdwEntryRow           *row)
{
  if (check_pattern (row))
    save_patterns (self);
}

static void
remove_pattern_cb (KilnPreferencesWindow *self,
                   GtkButton             *button)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ENTRY_ROW);

  gtk_list_box_remove (self->patterns_list, row);
  save_patterns (self);
}

static GtkWidget *
add_pattern_row (KilnPreferencesWindow *self,
                 guint                  position,
                 const char            *pattern)
{
  g_autofree char *title = NULL;
  GtkWidget *row;
  GtkWidget *remove;

  /* Translators: the title of one timing pattern in the list, counted from 1 */
  title = g_strdup_printf (_("Pattern %u"), position + 1);

  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  gtk_widget_add_css_class (row, "pattern");
  gtk_editable_set_text (GTK_EDITABLE (row), pattern);
  g_signal_connect_object (row, "apply", G_CALLBACK (pattern_applied_cb), self,
                           G_CONNECT_SWAPPED);

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove this pattern"));
  kiln_a11y_set_label (remove, _("Remove this pattern"));
  g_signal_connect_object (remove, "clicked", G_CALLBACK (remove_pattern_cb), self,
                           G_CONNECT_SWAPPED);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);
  kiln_a11y_name_entry_row_buttons (ADW_ENTRY_ROW (row), _("Use this pattern"), NULL, NULL);

  gtk_list_box_append (self->patterns_list, row);
  check_pattern (ADW_ENTRY_ROW (row));

  return row;
}

static void
patterns_changed_cb (KilnPreferencesWindow *self)
{
  g_auto(GStrv) patterns = NULL;
  GtkWidget *child;

  if (self->updating)
    return;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->patterns_list))) != NULL)
    gtk_list_box_remove (self->patterns_list, child);

  patterns = g_settings_get_strv (self->settings, "timing-patterns");
  for (guint i = 0; patterns[i] != NULL; i++)
    add_pattern_row (self, i, patterns[i]);
}

static void
add_pattern_cb (KilnPreferencesWindow *self)
{
  guint n_rows = 0;
  GtkWidget *row;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->patterns_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n_rows++;

  /* Saved once applied; an empty pattern is never saved. */
  row = add_pattern_row (self, n_rows, "");
  gtk_widget_grab_focus (row);
}

static void
reset_patterns_cb (KilnPreferencesWindow *self)
{
  g_settings_reset (self->settings, "timing-patterns");
}

/* API keys */

#define KEY_NAME "kiln-key-name"
#define KEY_STATUS "kiln-key-status"
#define KEY_CLEAR "kiln-key-clear"
#define KEY_SAVING "kiln-key-saving"

typedef struct
{
  KilnPreferencesWindow *self;
  GtkWidget             *row;
} KeyOp;

static KeyOp *
key_op_new (KilnPreferencesWindow *self,
            GtkWidget             *row)
{
  KeyOp *op = g_new0 (KeyOp, 1);

  op->self = g_object_ref (self);
  op->row = g_object_ref (row);

  return op;
}

static void
key_op_free (KeyOp *op)
{
  g_clear_object (&op->self);
  g_clear_object (&op->row);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeyOp, key_op_free)

static void
show_error (KilnPreferencesWindow *self,
            const GError          *error)
{
  AdwToast *toast = adw_toast_new ("");
  GtkWidget *label = gtk_label_new (error->message);

  /* The reason is at the end of the message: wrap rather than cut it off. */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  kiln_a11y_label_keep_cpp_together (GTK_LABEL (label));
  adw_toast_set_custom_title (toast, label);
  adw_toast_set_timeout (toast, 8);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static void
key_looked_up_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(KeyOp) op = user_data;
  g_autoptr(GError) error = NULL;
  KilnKeySource source = KILN_KEY_SOURCE_NONE;
  GtkLabel *status;
  const char *text;

  /* Only where the key is matters: it is never shown. */
  kiln_key_free (kiln_key_store_lookup_finish (KILN_KEY_STORE (object), result, &source, &error));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (source == KILN_KEY_SOURCE_KEYRING)
    text = _("Saved in the keyring");
  else if (source == KILN_KEY_SOURCE_ENVIRONMENT)
    text = _("From the environment");
  else
    text = _("Missing");

  status = g_object_get_data (G_OBJECT (op->row), KEY_STATUS);
  gtk_label_set_label (status, text);
  gtk_widget_set_sensitive (g_object_get_data (G_OBJECT (op->row), KEY_CLEAR),
                            source == KILN_KEY_SOURCE_KEYRING);
}

static void
refresh_key_row (KilnPreferencesWindow *self,
                 GtkWidget             *row)
{
  kiln_key_store_lookup_async (self->key_store, g_object_get_data (G_OBJECT (row), KEY_NAME),
                               self->cancellable, key_looked_up_cb, key_op_new (self, row));
}

static void
key_store_changed_cb (KilnPreferencesWindow *self,
                      const char            *key_name)
{
  for (guint i = 0; i < self->key_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->key_rows, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (row), KEY_NAME), key_name) == 0)
        refresh_key_row (self, row);
    }
}

static void
key_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(KeyOp) op = user_data;
  g_autoptr(GError) error = NULL;
  gboolean storing = g_task_get_source_tag (G_TASK (result)) == kiln_key_store_store_async;
  AdwEntryRow *row = ADW_ENTRY_ROW (op->row);
  gboolean ok;

  if (storing)
    ok = kiln_key_store_store_finish (KILN_KEY_STORE (object), result, &error);
  else
    ok = kiln_key_store_clear_finish (KILN_KEY_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_object_set_data (G_OBJECT (row), KEY_SAVING, NULL);

  /* A key that was not saved stays in its field, to try again with Enter. */
  if (!ok)
    {
      gtk_widget_add_css_class (op->row, "error");
      show_error (op->self, error);
      return;
    }

  /* On success the store says "changed", which refreshes the status. The key is in the
   * keyring; the row never shows it again. Turning the apply button off around the
   * change keeps it from coming back for an empty row. */
  gtk_widget_remove_css_class (op->row, "error");
  if (storing)
    {
      adw_entry_row_set_show_apply_button (row, FALSE);
      gtk_editable_set_text (GTK_EDITABLE (row), "");
      adw_entry_row_set_show_apply_button (row, TRUE);
    }
}

static void
key_applied_cb (KilnPreferencesWindow *self,
                AdwEntryRow           *row)
{
  const char *key = gtk_editable_get_text (GTK_EDITABLE (row));

  if (*key == '\0' || g_object_get_data (G_OBJECT (row), KEY_SAVING) != NULL)
    return;

  g_object_set_data (G_OBJECT (row), KEY_SAVING, GINT_TO_POINTER (TRUE));
  kiln_key_store_store_async (self->key_store, g_object_get_data (G_OBJECT (row), KEY_NAME),
                              key, self->cancellable, key_done_cb,
                              key_op_new (self, GTK_WIDGET (row)));
}

static void
key_clear_cb (KilnPreferencesWindow *self,
              GtkButton             *button)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ENTRY_ROW);

  kiln_key_store_clear_async (self->key_store, g_object_get_data (G_OBJECT (row), KEY_NAME),
                              self->cancellable, key_done_cb, key_op_new (self, row));
}

static GtkWidget *
new_key_row (KilnPreferencesWindow *self,
             const char            *key_name,
             const char            *providers)
{
  g_autofree char *title = NULL;
  GtkWidget *row = adw_password_entry_row_new ();
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *clear = gtk_button_new_from_icon_name ("user-trash-symbolic");

  /* Translators: the providers using a key, then the environment variable that holds it,
   * e.g. "OpenAI (OPENAI_API_KEY)" */
  title = g_strdup_printf (_("%s (%s)"), providers, key_name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  g_signal_connect_object (row, "apply", G_CALLBACK (key_applied_cb), self, G_CONNECT_SWAPPED);
  /* Enter again after a failure: the apply button is gone, the key is still there. */
  g_signal_connect_object (row, "entry-activated", G_CALLBACK (key_applied_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_widget_add_css_class (status, "dim-label");
  gtk_widget_set_valign (status, GTK_ALIGN_CENTER);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), status);

  gtk_widget_set_valign (clear, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (clear, FALSE);
  gtk_widget_add_css_class (clear, "flat");
  gtk_widget_set_tooltip_text (clear, _("Remove the key from the keyring"));
  kiln_a11y_set_label (clear, _("Remove the key from the keyring"));
  g_signal_connect_object (clear, "clicked", G_CALLBACK (key_clear_cb), self,
                           G_CONNECT_SWAPPED);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), clear);
  kiln_a11y_name_entry_row_buttons (ADW_ENTRY_ROW (row), _("Save the key"),
                                    _("Show the key"), _("Hide the key"));

  g_object_set_data_full (G_OBJECT (row), KEY_NAME, g_strdup (key_name), g_free);
  g_object_set_data (G_OBJECT (row), KEY_STATUS, status);
  g_object_set_data (G_OBJECT (row), KEY_CLEAR, clear);

  return row;
}

/* One row per key name the models use, titled with the providers that use it. */
static void
update_key_rows (KilnPreferencesWindow *self)
{
  g_autoptr(GPtrArray) models = kiln_model_registry_dup_models (self->registry);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GHashTable) providers = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean same;

  providers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint i = 0; i < models->len; i++)
    {
      KilnModel *model = g_ptr_array_index (models, i);
      const char *list;
      char *pair;

      if (model->key_env == NULL || *model->key_env == '\0')
        continue;

      pair = g_strconcat (model->key_env, "\n", model->provider, NULL);
      if (!g_hash_table_add (seen, pair))
        continue;

      list = g_hash_table_lookup (providers, model->key_env);
      if (list == NULL)
        g_ptr_array_add (names, model->key_env);
      g_hash_table_insert (providers, model->key_env,
                           list == NULL ? g_strdup (model->provider)
                                        : g_strdup_printf ("%s, %s", list, model->provider));
    }

  /* Rebuilding would throw away what someone is typing. */
  same = names->len == self->key_rows->len;
  for (guint i = 0; same && i < names->len; i++)
    same = g_str_equal (g_ptr_array_index (names, i),
                        g_object_get_data (g_ptr_array_index (self->key_rows, i), KEY_NAME));
  if (same)
    return;

  for (guint i = 0; i < self->key_rows->len; i++)
    adw_preferences_group_remove (self->keys_group, g_ptr_array_index (self->key_rows, i));
  g_ptr_array_set_size (self->key_rows, 0);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      GtkWidget *row = new_key_row (self, name, g_hash_table_lookup (providers, name));

      adw_preferences_group_add (self->keys_group, row);
      g_ptr_array_add (self->key_rows, row);
      kiln_a11y_keep_cpp_together (row);
      refresh_key_row (self, row);
    }
}

/* The model list file */

static void
folder_opened_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(KilnPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_error (self, error);
}

static void
folder_made_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KilnPreferencesWindow) self = user_data;
  g_autoptr(GAppLaunchContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  /* A folder that is already there is the usual case. */
  if (!g_file_make_directory_finish (G_FILE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  uri = g_file_get_uri (G_FILE (object));
  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (
                                    gtk_widget_get_display (GTK_WIDGET (self))));
  g_app_info_launch_default_for_uri_async (uri, context, self->cancellable, folder_opened_cb,
                                           g_object_ref (self));
}

static void
open_models_folder_cb (KilnPreferencesWindow *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;

  if (self->registry == NULL)
    return;

  file = g_file_new_for_path (kiln_model_registry_get_user_file (self->registry));
  folder = g_file_get_parent (file);
  g_file_make_directory_async (folder, G_PRIORITY_DEFAULT, self->cancellable, folder_made_cb,
                               g_object_ref (self));
}

static void
setup_models (KilnPreferencesWindow *self)
{
  const char *path = kiln_model_registry_get_user_file (self->registry);
  const char *home = g_get_home_dir ();
  g_autofree char *shown = NULL;

  self->key_store = kiln_model_registry_get_key_store (self->registry);
  self->key_store = self->key_store != NULL ? g_object_ref (self->key_store)
                                            : kiln_key_store_new (FALSE);

  if (g_str_has_prefix (path, home) && path[strlen (home)] == G_DIR_SEPARATOR)
    shown = g_strconcat ("~", path + strlen (home), NULL);
  else
    shown = g_strdup (path);
  adw_action_row_set_subtitle (self->models_file_row, shown);

  g_signal_connect_object (self->key_store, "changed", G_CALLBACK (key_store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->registry, "changed", G_CALLBACK (update_key_rows), self,
                           G_CONNECT_SWAPPED);
  update_key_rows (self);
}

/* Prompts */

typedef struct
{
  KilnPreferencesWindow *self;
  guint                  index;
} PromptOp;

static void
prompt_checked_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PromptOp *op = user_data;
  g_autoptr(KilnPreferencesWindow) self = op->self;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  guint index = op->index;

  g_free (op);

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* A copy that cannot be read is still the one in use: it counts. */
  gtk_widget_set_visible (self->prompt_badges[index],
                          info != NULL || !g_error_matches (error, G_IO_ERROR,
                                                            G_IO_ERROR_NOT_FOUND));
}

static void
check_prompt (KilnPreferencesWindow *self,
              guint                  index)
{
  g_autoptr(GFile) file = NULL;
  PromptOp *op = g_new0 (PromptOp, 1);

  op->self = g_object_ref (self);
  op->index = index;
  file = g_file_new_build_filename (g_get_user_config_dir (), "kiln", "prompts",
                                    prompts[index].name, NULL);
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, self->cancellable, prompt_checked_cb, op);
}

static void
editor_customized_cb (KilnPreferencesWindow *self,
                      GParamSpec            *pspec,
                      KilnPromptEditor      *editor)
{
  const char *name = kiln_prompt_editor_get_name (editor);

  for (guint i = 0; i < G_N_ELEMENTS (prompts); i++)
    if (g_str_equal (prompts[i].name, name))
      gtk_widget_set_visible (self->prompt_badges[i],
                              kiln_prompt_editor_get_customized (editor));
}

static void
edit_prompt_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  KilnPreferencesWindow *self = KILN_PREFERENCES_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  KilnPromptEditor *editor;

  for (guint i = 0; i < G_N_ELEMENTS (prompts); i++)
    {
      if (!g_str_equal (prompts[i].name, name))
        continue;

      editor = kiln_prompt_editor_new (GTK_WINDOW (self), name, _(prompts[i].title));
      g_signal_connect_object (editor, "notify::customized",
                               G_CALLBACK (editor_customized_cb), self, G_CONNECT_SWAPPED);
      gtk_window_present (GTK_WINDOW (editor));
      return;
    }

  g_warning ("No prompt named %s", name);
}

static void
setup_prompts (KilnPreferencesWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (prompts); i++)
    {
      g_autofree char *label = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *badge = gtk_label_new (_("Customized"));
      GtkWidget *edit = gtk_button_new_with_mnemonic (_("_Edit"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(prompts[i].title));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(prompts[i].subtitle));

      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      gtk_widget_set_visible (badge, FALSE);
      gtk_widget_add_css_class (badge, "badge");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
      self->prompt_badges[i] = badge;

      gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "prompts.edit");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (edit), "s", prompts[i].name);
      /* Translators: the accessible name of a button; %s names a prompt template */
      label = g_strdup_printf (_("Edit “%s”"), _(prompts[i].title));
      gtk_accessible_update_property (GTK_ACCESSIBLE (edit),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), edit);
      /* The label above names the prompt; without this the button's own text and the
       * row's title would follow it. */
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (edit), GTK_ACCESSIBLE_RELATION_LABELLED_BY);

      adw_preferences_group_add (self->prompts_group, row);
      check_prompt (self, i);
    }
}

/* Life cycle */

static void
kiln_preferences_window_dispose (GObject *object)
{
  KilnPreferencesWindow *self = KILN_PREFERENCES_WINDOW (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->registry);
  g_clear_object (&self->key_store);
  gtk_widget_dispose_template (GTK_WIDGET (object), KILN_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (kiln_preferences_window_parent_class)->dispose (object);
}

static void
kiln_preferences_window_finalize (GObject *object)
{
  KilnPreferencesWindow *self = KILN_PREFERENCES_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->key_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (kiln_preferences_window_parent_class)->finalize (object);
}

/* The original's time limit is kept in seconds and shown in minutes. */
static gboolean
minutes_get_mapping (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant) / 60.0);
  return TRUE;
}

static GVariant *
minutes_set_mapping (const GValue       *value,
                     const GVariantType *expected_type,
                     gpointer            user_data)
{
  double seconds = g_value_get_double (value) * 60.0 + 0.5;

  return g_variant_new_uint32 ((guint32) CLAMP (seconds, 1, 86400));
}

/* The tolerances offered, in the order of the row's list; "Off" is 0. */
static const double tolerances[] = { 0, 1e-12, 1e-9, 1e-6 };

static gboolean
tolerance_get_mapping (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  double tolerance = g_variant_get_double (variant);
  guint best = 0;

  /* A value set elsewhere shows as the nearest one offered. */
  if (tolerance > 0)
    {
      best = 1;
      for (guint i = 2; i < G_N_ELEMENTS (tolerances); i++)
        if (fabs (log10 (tolerances[i]) - log10 (tolerance)) <
            fabs (log10 (tolerances[best]) - log10 (tolerance)))
          best = i;
    }
  g_value_set_uint (value, best);
  return TRUE;
}

static GVariant *
tolerance_set_mapping (const GValue       *value,
                       const GVariantType *expected_type,
                       gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  return g_variant_new_double (index < G_N_ELEMENTS (tolerances) ? tolerances[index] : 0);
}

/* 0 s is "Automatic": a multiple of the original's time. */
static gboolean
cpp_timeout_output_cb (GtkSpinButton *spin,
                       gpointer       user_data)
{
  double value = gtk_adjustment_get_value (gtk_spin_button_get_adjustment (spin));
  g_autofree char *text = NULL;

  if (value < 0.5)
    text = g_strdup (_("Automatic"));
  else
    text = g_strdup_printf ("%.0f", value);
  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static int
cpp_timeout_input_cb (GtkSpinButton *spin,
                      double        *new_value,
                      gpointer       user_data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  char *end = NULL;
  double value;

  if (g_str_equal (text, _("Automatic")) || *text == '\0')
    {
      *new_value = 0;
      return TRUE;
    }
  value = g_strtod (text, &end);
  if (end == text || *end != '\0' || value < 0)
    return GTK_INPUT_ERROR;
  *new_value = value;
  return TRUE;
}

static void
kiln_preferences_window_class_init (KilnPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_preferences_window_dispose;
  object_class->finalize = kiln_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, python_entry);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, compiler_row);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, compiler_path_row);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, compiler_entry);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, flags_entry);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, timeout_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow,
                                        cpp_timeout_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, tolerance_row);
  gtk_widget_class_bind_template_callback (widget_class, cpp_timeout_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, cpp_timeout_input_cb);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, output_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow,
                                        python_repeat_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow,
                                        cpp_repeat_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow,
                                        cpp_budget_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, patterns_list);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow,
                                        reset_patterns_button);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow,
                                        max_attempts_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, auto_verify_switch);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, sandbox_switch);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, models_page);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, keys_group);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, models_file_row);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, prompts_group);
  gtk_widget_class_bind_template_callback (widget_class, compiler_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, compiler_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_pattern_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_patterns_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_models_folder_cb);

  gtk_widget_class_install_action (widget_class, "prompts.edit", "s", edit_prompt_action);
}

/* AdwPreferencesWindow's own search entry (off here, but in the tree) has no name. */
static gboolean
name_search_entry (GtkWidget *widget)
{
  if (GTK_IS_SEARCH_ENTRY (widget))
    {
      kiln_a11y_set_label (widget, _("Search preferences"));
      return TRUE;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (name_search_entry (child))
      return TRUE;

  return FALSE;
}

static void
kiln_preferences_window_init (KilnPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->key_rows = g_ptr_array_new ();
  self->settings = g_settings_new ("io.github.kilnapp.Kiln");

  gtk_entry_set_placeholder_text (self->flags_entry, kiln_toolchain_default_flags ());

  g_settings_bind (self->settings, "python-interpreter", self->python_entry, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "compiler-flags", self->flags_entry, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "max-attempts", self->max_attempts_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sandbox", self->sandbox_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "auto-verify", self->auto_verify_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "run-timeout", self->timeout_adjustment, "value",
                                G_SETTINGS_BIND_DEFAULT, minutes_get_mapping,
                                minutes_set_mapping, NULL, NULL);
  g_settings_bind (self->settings, "cpp-timeout", self->cpp_timeout_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "tolerance", self->tolerance_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, tolerance_get_mapping,
                                tolerance_set_mapping, NULL, NULL);
  g_settings_bind (self->settings, "output-cap-kib", self->output_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "python-repeat", self->python_repeat_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cpp-repeat", self->cpp_repeat_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cpp-time-budget", self->cpp_budget_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed::compiler",
                           G_CALLBACK (compiler_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::timing-patterns",
                           G_CALLBACK (patterns_changed_cb), self, G_CONNECT_SWAPPED);
  compiler_changed_cb (self);
  patterns_changed_cb (self);
  setup_prompts (self);

  kiln_a11y_use_visible_label (self->reset_patterns_button);
  kiln_a11y_keep_cpp_together (GTK_WIDGET (self));
  name_search_entry (GTK_WIDGET (self));
}

KilnPreferencesWindow *
kiln_preferences_window_new (GtkWindow         *parent,
                             KilnModelRegistry *registry)
{
  KilnPreferencesWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (registry == NULL || KILN_IS_MODEL_REGISTRY (registry), NULL);

  self = g_object_new (KILN_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);

  if (registry != NULL)
    {
      self->registry = g_object_ref (registry);
      setup_models (self);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->models_page), FALSE);
    }

  return self;
}

void
kiln_preferences_window_show_keys (KilnPreferencesWindow *self)
{
  GtkWidget *first = NULL;

  g_return_if_fail (KILN_IS_PREFERENCES_WINDOW (self));

  if (!gtk_widget_get_visible (GTK_WIDGET (self->models_page)))
    return;

  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self), self->models_page);

  /* The keys are the first group of the page: the first key row is at the top. */
  if (self->key_rows->len > 0)
    first = g_ptr_array_index (self->key_rows, 0);
  if (first != NULL)
    gtk_widget_grab_focus (first);
}

GtkWidget *
kiln_preferences_window_get_key_row (KilnPreferencesWindow *self,
                                     const char            *key_name)
{
  g_return_val_if_fail (KILN_IS_PREFERENCES_WINDOW (self), NULL);
  g_return_val_if_fail (key_name != NULL, NULL);

  for (guint i = 0; i < self->key_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->key_rows, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (row), KEY_NAME), key_name) == 0)
        return row;
    }

  return NULL;
}

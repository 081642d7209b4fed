/* kiln-prompt-editor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "kiln-core.h"
#include "kiln-prompt-editor.h"

struct _KilnPromptEditor
{
  AdwWindow          parent_instance;

  char              *name;
  char              *builtin;      /* the text in the GResource */
  char              *placeholders; /* the hint under the text */
  char              *error_text;
  char              *saving;       /* the text being written */
  GFile             *file;         /* the user's copy, which may not exist */
  GCancellable      *cancellable;
  guint              customized : 1;
  guint              loaded : 1;
  guint              busy : 1;
  guint              close_when_done : 1;
  guint              discard : 1;

  AdwToast          *toast;        /* the error shown */
  AdwToastOverlay   *toast_overlay;
  AdwWindowTitle    *window_title;
  GtkSourceView     *view;
  GtkLabel          *placeholders_label;
};

G_DEFINE_FINAL_TYPE (KilnPromptEditor, kiln_prompt_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CUSTOMIZED,
  PROP_LOADED,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkTextBuffer *
get_buffer (KilnPromptEditor *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view));
}

/* The placeholders of @text in the order they first appear, as kiln_prompt_render() reads
 * them: "{{", optional spaces, [A-Za-z_][A-Za-z0-9_]*, optional spaces, "}}". */
static GPtrArray *
find_placeholders (const char *text)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (const char *p = strstr (text, "{{"); p != NULL; p = strstr (p, "{{"))
    {
      const char *start;
      const char *end;
      char *name;

      p += 2;
      while (*p == ' ')
        p++;
      if (!g_ascii_isalpha (*p) && *p != '_')
        continue;

      start = p;
      while (g_ascii_isalnum (*p) || *p == '_')
        p++;
      end = p;
      while (*p == ' ')
        p++;
      if (!g_str_has_prefix (p, "}}"))
        continue;

      name = g_strndup (start, end - start);
      if (g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_free (name);
      else
        g_ptr_array_add (names, name);
    }

  return names;
}

static void
update_actions (KilnPromptEditor *self)
{
  gboolean modified = gtk_text_buffer_get_modified (get_buffer (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prompt.save", self->loaded && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prompt.reset",
                                 self->loaded && !self->busy && (self->customized || modified));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->view), !self->busy);
}

static void
set_busy (KilnPromptEditor *self,
          gboolean          busy)
{
  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_customized (KilnPromptEditor *self,
                gboolean          customized)
{
  customized = !!customized;

  adw_window_title_set_subtitle (self->window_title,
                                 customized ? _("Customized") : _("Built-in"));

  if (self->customized == customized)
    return;

  self->customized = customized;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CUSTOMIZED]);
}

/* Replaces the text as a new starting point: not undoable, not modified. */
static void
show_text (KilnPromptEditor *self,
           const char       *text)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter start;

  gtk_text_buffer_begin_irreversible_action (buffer);
  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_buffer_end_irreversible_action (buffer);
  gtk_text_buffer_set_modified (buffer, FALSE);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
}

static void
show_error (KilnPromptEditor *self,
            const char       *message)
{
  AdwToast *toast = adw_toast_new ("");
  GtkWidget *label = gtk_label_new (message);

  g_free (self->error_text);
  self->error_text = g_strdup (message);

  /* File errors end with the reason: wrap rather than cut it off. */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 60);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  adw_toast_set_custom_title (toast, label);
  adw_toast_set_timeout (toast, 0);

  /* Toasts queue: the older error would hide this one until dismissed. */
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);
  g_set_object (&self->toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
finish_operation (KilnPromptEditor *self,
                  gboolean          ok)
{
  set_busy (self, FALSE);
  if (self->close_when_done)
    {
      self->close_when_done = FALSE;
      if (ok)
        gtk_window_close (GTK_WINDOW (self));
    }
}

/* Loading */

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(KilnPromptEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* No copy of one's own is the usual case. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_autofree char *message = NULL;

          /* Translators: %s is the reason, e.g. "Permission denied" */
          message = g_strdup_printf (_("Could not read your copy: %s"), error->message);
          show_error (self, message);
          set_customized (self, TRUE);
        }
      else
        {
          set_customized (self, FALSE);
        }
    }
  else if (!g_utf8_validate (contents, length, NULL) || memchr (contents, '\0', length))
    {
      show_error (self, _("Your copy is not UTF-8 text; the built-in text is shown instead"));
      set_customized (self, TRUE);
    }
  else
    {
      show_text (self, contents);
      set_customized (self, TRUE);
    }

  self->loaded = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->view), TRUE);
  update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
load (KilnPromptEditor *self)
{
  g_autoptr(GBytes) builtin = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GString) hint = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  /* NULL: only the GResource, no disk. */
  builtin = kiln_prompt_load_from (NULL, self->name, &error);
  if (builtin == NULL)
    {
      g_warning ("No built-in prompt %s: %s", self->name, error->message);
      self->builtin = g_strdup ("");
    }
  else
    {
      self->builtin = g_strdup (g_bytes_get_data (builtin, NULL));
    }
  show_text (self, self->builtin);

  /* The built-in text uses every value the program fills in. */
  names = find_placeholders (self->builtin);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (hint, "%s{{%s}}", i > 0 ? ", " : "",
                            (char *) g_ptr_array_index (names, i));
  if (names->len > 0)
    /* Translators: %s is a list such as "{{source}}, {{flags}}" */
    self->placeholders = g_strdup_printf (_("Placeholders: %s"), hint->str);
  else
    self->placeholders = g_strdup (_("This template has no placeholders"));
  gtk_label_set_label (self->placeholders_label, self->placeholders);

  self->file = g_file_new_build_filename (g_get_user_config_dir (), "kiln", "prompts",
                                          self->name, NULL);
  g_file_load_contents_async (self->file, self->cancellable, loaded_cb, g_object_ref (self));
}

/* Saving */

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(KilnPromptEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_steal_pointer (&self->saving);
  g_autofree char *now = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: %s is the reason, e.g. "No space left on device" */
      message = g_strdup_printf (_("Could not save: %s"), error->message);
      show_error (self, message);
      finish_operation (self, FALSE);
      return;
    }

  now = kiln_prompt_editor_dup_text (self);
  if (g_strcmp0 (now, saved) == 0)
    gtk_text_buffer_set_modified (get_buffer (self), FALSE);
  set_customized (self, TRUE);
  finish_operation (self, TRUE);
}

static void
make_folder_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  /* A folder that is already there is the usual case. */
  if (!g_file_make_directory_with_parents (G_FILE (source_object), cancellable, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
folder_made_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KilnPromptEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      message = g_strdup_printf (_("Could not save: %s"), error->message);
      show_error (self, message);
      finish_operation (self, FALSE);
      return;
    }

  bytes = g_bytes_new (self->saving, strlen (self->saving));
  g_file_replace_contents_bytes_async (self->file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                       self->cancellable, saved_cb, g_object_ref (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KilnPromptEditor *self = KILN_PROMPT_EDITOR (widget);
  g_autoptr(GFile) folder = g_file_get_parent (self->file);
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self->loaded && !self->busy);

  /* What is written, compared with the buffer once written: typing may go on meanwhile. */
  g_free (self->saving);
  self->saving = kiln_prompt_editor_dup_text (self);
  set_busy (self, TRUE);

  task = g_task_new (folder, self->cancellable, folder_made_cb, g_object_ref (self));
  g_task_set_source_tag (task, save_action);
  g_task_run_in_thread (task, make_folder_thread);
}

/* Reset */

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(KilnPromptEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: %s is the reason, e.g. "Permission denied" */
      message = g_strdup_printf (_("Could not remove your copy: %s"), error->message);
      show_error (self, message);
      finish_operation (self, FALSE);
      return;
    }

  show_text (self, self->builtin);
  set_customized (self, FALSE);
  finish_operation (self, TRUE);
}

static void
reset_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  KilnPromptEditor *self = KILN_PROMPT_EDITOR (widget);

  g_return_if_fail (self->loaded && !self->busy);

  set_busy (self, TRUE);
  g_file_delete_async (self->file, G_PRIORITY_DEFAULT, self->cancellable, deleted_cb,
                       g_object_ref (self));
}

/* Closing */

static void
discard_response_cb (KilnPromptEditor *self,
                     const char       *response)
{
  if (g_strcmp0 (response, "discard") != 0)
    return;

  self->discard = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
kiln_prompt_editor_close_request (GtkWindow *window)
{
  KilnPromptEditor *self = KILN_PROMPT_EDITOR (window);
  AdwMessageDialog *dialog;

  /* Closing in the middle of a save would lose it: close once it is written. */
  if (self->busy)
    {
      self->close_when_done = TRUE;
      return TRUE;
    }

  if (self->discard || !gtk_text_buffer_get_modified (get_buffer (self)))
    {
      GtkWindowClass *parent_class = GTK_WINDOW_CLASS (kiln_prompt_editor_parent_class);

      return parent_class->close_request != NULL && parent_class->close_request (window);
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Discard changes?"),
                                                       _("The changes to this prompt have not "
                                                         "been saved.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Keep Editing"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

/* Life cycle */

static void
update_style_scheme (KilnPromptEditor *self)
{
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (get_buffer (self)),
                                      gtk_source_style_scheme_manager_get_scheme (
                                        schemes, dark ? "Adwaita-dark" : "Adwaita"));
}

static void
kiln_prompt_editor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  KilnPromptEditor *self = KILN_PROMPT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_CUSTOMIZED:
      g_value_set_boolean (value, self->customized);
      break;

    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_prompt_editor_dispose (GObject *object)
{
  KilnPromptEditor *self = KILN_PROMPT_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->toast);
  gtk_widget_dispose_template (GTK_WIDGET (object), KILN_TYPE_PROMPT_EDITOR);

  G_OBJECT_CLASS (kiln_prompt_editor_parent_class)->dispose (object);
}

static void
kiln_prompt_editor_finalize (GObject *object)
{
  KilnPromptEditor *self = KILN_PROMPT_EDITOR (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->file);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->builtin, g_free);
  g_clear_pointer (&self->placeholders, g_free);
  g_clear_pointer (&self->error_text, g_free);
  g_clear_pointer (&self->saving, g_free);

  G_OBJECT_CLASS (kiln_prompt_editor_parent_class)->finalize (object);
}

static void
kiln_prompt_editor_class_init (KilnPromptEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = kiln_prompt_editor_get_property;
  object_class->dispose = kiln_prompt_editor_dispose;
  object_class->finalize = kiln_prompt_editor_finalize;
  window_class->close_request = kiln_prompt_editor_close_request;

  properties[PROP_CUSTOMIZED] =
    g_param_spec_boolean ("customized", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-prompt-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnPromptEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KilnPromptEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, KilnPromptEditor, view);
  gtk_widget_class_bind_template_child (widget_class, KilnPromptEditor, placeholders_label);

  gtk_widget_class_install_action (widget_class, "prompt.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "prompt.reset", NULL, reset_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "prompt.save", NULL);
}

static void
kiln_prompt_editor_init (KilnPromptEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  g_signal_connect_object (get_buffer (self), "modified-changed", G_CALLBACK (update_actions),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_style_scheme), self, G_CONNECT_SWAPPED);
  update_style_scheme (self);
  update_actions (self);
}

KilnPromptEditor *
kiln_prompt_editor_new (GtkWindow  *parent,
                        const char *name,
                        const char *title)
{
  KilnPromptEditor *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (title != NULL, NULL);

  self = g_object_new (KILN_TYPE_PROMPT_EDITOR,
                       "transient-for", parent,
                       NULL);
  self->name = g_strdup (name);
  adw_window_title_set_title (self->window_title, title);
  load (self);

  return self;
}

const char *
kiln_prompt_editor_get_name (KilnPromptEditor *self)
{
  g_return_val_if_fail (KILN_IS_PROMPT_EDITOR (self), NULL);

  return self->name;
}

gboolean
kiln_prompt_editor_get_customized (KilnPromptEditor *self)
{
  g_return_val_if_fail (KILN_IS_PROMPT_EDITOR (self), FALSE);

  return self->customized;
}

gboolean
kiln_prompt_editor_get_loaded (KilnPromptEditor *self)
{
  g_return_val_if_fail (KILN_IS_PROMPT_EDITOR (self), FALSE);

  return self->loaded;
}

gboolean
kiln_prompt_editor_get_busy (KilnPromptEditor *self)
{
  g_return_val_if_fail (KILN_IS_PROMPT_EDITOR (self), FALSE);

  return self->busy;
}

gboolean
kiln_prompt_editor_get_modified (KilnPromptEditor *self)
{
  g_return_val_if_fail (KILN_IS_PROMPT_EDITOR (self), FALSE);

  return gtk_text_buffer_get_modified (get_buffer (self));
}

char *
kiln_prompt_editor_dup_text (KilnPromptEditor *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (KILN_IS_PROMPT_EDITOR (self), NULL);

  gtk_text_buffer_get_bounds (get_buffer (self), &start, &end);
  return gtk_text_buffer_get_text (get_buffer (self), &start, &end, TRUE);
}

void
kiln_prompt_editor_set_text (KilnPromptEditor *self,
                             const char       *text)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_if_fail (KILN_IS_PROMPT_EDITOR (self));
  g_return_if_fail (text != NULL);

  /* As typing would, unlike gtk_text_buffer_set_text(), which is not undoable. */
  buffer = get_buffer (self);
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_insert (buffer, &start, text, -1);
  gtk_text_buffer_end_user_action (buffer);
}

const char *
kiln_prompt_editor_get_placeholders (KilnPromptEditor *self)
{
  g_return_val_if_fail (KILN_IS_PROMPT_EDITOR (self), NULL);

  return self->placeholders;
}

const char *
kiln_prompt_editor_get_error_text (KilnPromptEditor *self)
{
  g_return_val_if_fail (KILN_IS_PROMPT_EDITOR (self), NULL);

  return self->error_text != NULL ? self->error_text : "";
}

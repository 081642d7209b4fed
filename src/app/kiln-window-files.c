/* kiln-window-files.c: opening programs and saving the C++
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiln-window-private.h"

static char *
dup_display_name (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL)
    return g_filename_display_basename (path);

  return g_file_get_uri (file);
}

/* Opening and saving files */

typedef struct
{
  KilnWindow   *self;
  KilnLanguage  language;
  char         *name;
} FileData;

static void
file_data_free (FileData *data)
{
  g_clear_object (&data->self);
  g_free (data->name);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FileData, file_data_free)

static FileData *
file_data_new (KilnWindow   *self,
               GFile        *file,
               KilnLanguage  language)
{
  FileData *data = g_new0 (FileData, 1);

  data->self = g_object_ref (self);
  data->language = language;
  data->name = dup_display_name (file);

  return data;
}

static void
open_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(FileData) data = user_data;
  KilnWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: the first %s is a file name, the second says why */
      message = g_strdup_printf (_("Could not open “%s”: %s"), data->name, error->message);
      _kiln_window_show_toast (self, message);
      return;
    }

  if (!g_utf8_validate (contents, length, NULL) || memchr (contents, '\0', length) != NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("Could not open “%s”: it is not UTF-8 text"), data->name);
      _kiln_window_show_toast (self, message);
      return;
    }

  if (data->language == KILN_LANGUAGE_CPP)
    g_clear_pointer (&self->reference_cpp, g_free);

  _kiln_window_set_buffer_text (self, _kiln_window_get_buffer (self, data->language), contents);
  if (data->language == KILN_LANGUAGE_CPP)
    _kiln_window_clear_diagnostic_marks (self);
}

static void
open_response_cb (KilnWindow           *self,
                  int                   response,
                  GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *name = NULL;
  KilnLanguage language;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  g_clear_object (&self->file_chooser);

  if (file == NULL)
    return;

  name = dup_display_name (file);

  if (!kiln_language_from_path (name, &language))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is a file name */
      message = g_strdup_printf (_("Kiln opens Python (.py) and C++ (.cpp, .cc, .cxx, .c++) "
                                   "files, and “%s” is neither"), name);
      _kiln_window_show_toast (self, message);
      return;
    }

  g_file_load_contents_async (file, self->cancellable, open_loaded_cb,
                              file_data_new (self, file, language));
}

static GtkFileFilter *
new_filter (const char         *name,
            const char * const *patterns)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);

  return filter;
}

static void
add_filters (GtkFileChooser *chooser,
             gboolean        python)
{
  static const char * const python_patterns[] = { "*.py", NULL };
  static const char * const cpp_patterns[] = { "*.cpp", "*.cc", "*.cxx", "*.c++", NULL };
  static const char * const all_patterns[] = { "*", NULL };
  g_autoptr(GtkFileFilter) cpp = new_filter (_("C++ Files"), cpp_patterns);
  g_autoptr(GtkFileFilter) all = new_filter (_("All Files"), all_patterns);

  if (python)
    {
      g_autoptr(GtkFileFilter) python_filter = new_filter (_("Python Files"), python_patterns);

      gtk_file_chooser_add_filter (chooser, python_filter);
    }

  gtk_file_chooser_add_filter (chooser, cpp);
  gtk_file_chooser_add_filter (chooser, all);
}

void
_kiln_window_open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  GtkFileChooserNative *chooser;

  if (self->file_chooser != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Open Program"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  add_filters (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  self->file_chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (open_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->file_chooser);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(FileData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: the first %s is a file name, the second says why */
      message = g_strdup_printf (_("Could not save “%s”: %s"), data->name, error->message);
    }
  else
    {
      message = g_strdup_printf (_("Saved “%s”"), data->name);
    }

  _kiln_window_show_toast (data->self, message);
}

static void
save_response_cb (KilnWindow           *self,
                  int                   response,
                  GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  g_clear_object (&self->file_chooser);

  if (file == NULL)
    return;

  text = _kiln_window_dup_buffer_text (_kiln_window_get_buffer (self, KILN_LANGUAGE_CPP));
  bytes = g_bytes_new_take (text, strlen (text));

  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                       self->cancellable, saved_cb,
                                       file_data_new (self, file, KILN_LANGUAGE_CPP));
}

void
_kiln_window_save_cpp_as_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  KilnWindow *self = KILN_WINDOW (widget);
  GtkFileChooserNative *chooser;

  if (self->file_chooser != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save C++ As"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  add_filters (GTK_FILE_CHOOSER (chooser), FALSE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "program.cpp");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  self->file_chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->file_chooser);
}

/* Writes @text to @file off the main loop and says how it went in a toast. */
void
_kiln_window_save_text_async (KilnWindow *self,
                              GFile      *file,
                              const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                       self->cancellable, saved_cb,
                                       file_data_new (self, file, KILN_LANGUAGE_CPP));
}

/* kiln-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-core.h"
#include "kiln-preferences-window.h"

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
  guint                 updating : 1;

  GtkEntry             *python_entry;
  AdwComboRow          *compiler_row;
  GtkWidget            *compiler_path_row;
  GtkEntry             *compiler_entry;
  GtkEntry             *flags_entry;
  GtkAdjustment        *timeout_adjustment;
  GtkAdjustment        *output_adjustment;
  GtkAdjustment        *python_repeat_adjustment;
  GtkAdjustment        *cpp_repeat_adjustment;
  GtkAdjustment        *cpp_budget_adjustment;
  GtkListBox           *patterns_list;
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
  gtk_widget_set_tooltip_text (remove, _("Remove Pattern"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove Pattern"),
                                  -1);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (remove_pattern_cb), self,
                           G_CONNECT_SWAPPED);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);

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

/* Life cycle */

static void
kiln_preferences_window_dispose (GObject *object)
{
  KilnPreferencesWindow *self = KILN_PREFERENCES_WINDOW (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (object), KILN_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (kiln_preferences_window_parent_class)->dispose (object);
}

static void
kiln_preferences_window_class_init (KilnPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, python_entry);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, compiler_row);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, compiler_path_row);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, compiler_entry);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, flags_entry);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, timeout_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, output_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow,
                                        python_repeat_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow,
                                        cpp_repeat_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow,
                                        cpp_budget_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KilnPreferencesWindow, patterns_list);
  gtk_widget_class_bind_template_callback (widget_class, compiler_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, compiler_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_pattern_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_patterns_cb);
}

static void
kiln_preferences_window_init (KilnPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new ("io.github.kilnapp.Kiln");

  gtk_entry_set_placeholder_text (self->flags_entry, kiln_toolchain_default_flags ());

  g_settings_bind (self->settings, "python-interpreter", self->python_entry, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "compiler-flags", self->flags_entry, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-timeout", self->timeout_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
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
}

KilnPreferencesWindow *
kiln_preferences_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (KILN_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
}

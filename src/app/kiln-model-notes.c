/* kiln-model-notes.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kiln-a11y.h"
#include "kiln-model-notes.h"
#include "kiln-text-feed.h"

struct _KilnModelNotes
{
  AdwBin        parent_instance;

  GtkExpander  *expander;
  GtkTextView  *notes_view;
  GtkExpander  *reasoning_expander;
  GtkTextView  *reasoning_view;
  KilnTextFeed *notes_feed;
  KilnTextFeed *reasoning_feed;
};

G_DEFINE_FINAL_TYPE (KilnModelNotes, kiln_model_notes, ADW_TYPE_BIN)

static char *
dup_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
reasoning_applied_cb (gpointer user_data)
{
  KilnModelNotes *self = user_data;

  gtk_widget_set_visible (GTK_WIDGET (self->reasoning_expander),
                          gtk_text_buffer_get_char_count (
                            gtk_text_view_get_buffer (self->reasoning_view)) > 0);
}

static void
kiln_model_notes_dispose (GObject *object)
{
  KilnModelNotes *self = KILN_MODEL_NOTES (object);

  g_clear_pointer (&self->notes_feed, kiln_text_feed_free);
  g_clear_pointer (&self->reasoning_feed, kiln_text_feed_free);
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), KILN_TYPE_MODEL_NOTES);

  G_OBJECT_CLASS (kiln_model_notes_parent_class)->dispose (object);
}

static void
kiln_model_notes_class_init (KilnModelNotesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiln_model_notes_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kilnapp/Kiln/kiln-model-notes.ui");
  gtk_widget_class_bind_template_child (widget_class, KilnModelNotes, expander);
  gtk_widget_class_bind_template_child (widget_class, KilnModelNotes, notes_view);
  gtk_widget_class_bind_template_child (widget_class, KilnModelNotes, reasoning_expander);
  gtk_widget_class_bind_template_child (widget_class, KilnModelNotes, reasoning_view);
}

static void
kiln_model_notes_init (KilnModelNotes *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  kiln_a11y_name_expander (self->expander);
  kiln_a11y_name_expander (self->reasoning_expander);

  /* The bin itself keeps the frame clock: a collapsed expander still receives the text. */
  self->notes_feed = kiln_text_feed_new (self->notes_view, GTK_WIDGET (self));
  self->reasoning_feed = kiln_text_feed_new (self->reasoning_view, GTK_WIDGET (self));
  kiln_text_feed_set_applied (self->reasoning_feed, reasoning_applied_cb, self);
}

void
kiln_model_notes_append_notes (KilnModelNotes *self,
                               const char     *text)
{
  g_return_if_fail (KILN_IS_MODEL_NOTES (self));

  kiln_text_feed_append (self->notes_feed, text);
}

void
kiln_model_notes_append_reasoning (KilnModelNotes *self,
                                   const char     *text)
{
  g_return_if_fail (KILN_IS_MODEL_NOTES (self));

  kiln_text_feed_append (self->reasoning_feed, text);
}

void
kiln_model_notes_set (KilnModelNotes *self,
                      const char     *notes,
                      const char     *reasoning)
{
  g_return_if_fail (KILN_IS_MODEL_NOTES (self));

  kiln_text_feed_replace (self->notes_feed, notes);
  kiln_text_feed_replace (self->reasoning_feed, reasoning);
  kiln_model_notes_flush (self);
}

void
kiln_model_notes_flush (KilnModelNotes *self)
{
  g_return_if_fail (KILN_IS_MODEL_NOTES (self));

  kiln_text_feed_flush (self->notes_feed);
  kiln_text_feed_flush (self->reasoning_feed);
}

void
kiln_model_notes_set_expanded (KilnModelNotes *self,
                               gboolean        expanded)
{
  g_return_if_fail (KILN_IS_MODEL_NOTES (self));

  gtk_expander_set_expanded (self->expander, expanded);
}

char *
kiln_model_notes_dup_notes (KilnModelNotes *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_NOTES (self), NULL);

  return dup_text (self->notes_view);
}

char *
kiln_model_notes_dup_reasoning (KilnModelNotes *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_NOTES (self), NULL);

  return dup_text (self->reasoning_view);
}

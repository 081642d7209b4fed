/* kiln-text-feed.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-text-feed.h"

/* Within this many pixels of the bottom the view counts as following the end. */
#define FOLLOW_SLACK 8.0

struct _KilnTextFeed
{
  GtkTextView         *view;          /* weak */
  GtkWidget           *clock_widget;  /* weak */
  GtkTextMark         *end_mark;
  GString             *pending;
  gboolean             replace;       /* pending is the whole text */
  guint                tick_id;
  guint                n_applied;
  KilnTextFeedApplied  applied;
  gpointer             applied_data;
};

static void
clear_tick (KilnTextFeed *self)
{
  if (self->tick_id != 0 && self->clock_widget != NULL)
    gtk_widget_remove_tick_callback (self->clock_widget, self->tick_id);
  self->tick_id = 0;
}

static gboolean
follows_end (KilnTextFeed *self)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->view));

  if (adjustment == NULL)
    return TRUE;

  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment)
         >= gtk_adjustment_get_upper (adjustment) - FOLLOW_SLACK;
}

static void
apply (KilnTextFeed *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  gboolean follow;

  if (self->view == NULL || (!self->replace && self->pending->len == 0))
    {
      g_string_truncate (self->pending, 0);
      self->replace = FALSE;
      return;
    }

  buffer = gtk_text_view_get_buffer (self->view);
  follow = follows_end (self);

  gtk_text_buffer_begin_irreversible_action (buffer);
  if (self->replace)
    {
      gtk_text_buffer_get_bounds (buffer, &start, &end);
      gtk_text_buffer_delete (buffer, &start, &end);
    }
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, self->pending->str, (int) self->pending->len);
  gtk_text_buffer_end_irreversible_action (buffer);

  g_string_truncate (self->pending, 0);
  self->replace = FALSE;
  self->n_applied++;

  if (follow)
    {
      if (self->end_mark == NULL)
        {
          gtk_text_buffer_get_end_iter (buffer, &end);
          self->end_mark = gtk_text_buffer_create_mark (buffer, NULL, &end, FALSE);
        }
      gtk_text_view_scroll_mark_onscreen (self->view, self->end_mark);
    }

  if (self->applied != NULL)
    self->applied (self->applied_data);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  KilnTextFeed *self = user_data;

  self->tick_id = 0;
  apply (self);

  return G_SOURCE_REMOVE;
}

static void
schedule (KilnTextFeed *self)
{
  if (self->tick_id == 0 && self->clock_widget != NULL)
    self->tick_id = gtk_widget_add_tick_callback (self->clock_widget, tick_cb, self, NULL);
}

KilnTextFeed *
kiln_text_feed_new (GtkTextView *view,
                    GtkWidget   *clock_widget)
{
  KilnTextFeed *self;

  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), NULL);
  g_return_val_if_fail (GTK_IS_WIDGET (clock_widget), NULL);

  self = g_new0 (KilnTextFeed, 1);
  self->view = view;
  self->clock_widget = clock_widget;
  self->pending = g_string_new (NULL);
  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &self->view);
  g_object_add_weak_pointer (G_OBJECT (clock_widget), (gpointer *) &self->clock_widget);

  return self;
}

void
kiln_text_feed_free (KilnTextFeed *self)
{
  if (self == NULL)
    return;

  clear_tick (self);
  if (self->view != NULL)
    {
      if (self->end_mark != NULL)
        gtk_text_buffer_delete_mark (gtk_text_view_get_buffer (self->view), self->end_mark);
      g_object_remove_weak_pointer (G_OBJECT (self->view), (gpointer *) &self->view);
    }
  if (self->clock_widget != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->clock_widget),
                                  (gpointer *) &self->clock_widget);
  g_string_free (self->pending, TRUE);
  g_free (self);
}

void
kiln_text_feed_set_applied (KilnTextFeed        *self,
                            KilnTextFeedApplied  applied,
                            gpointer             user_data)
{
  g_return_if_fail (self != NULL);

  self->applied = applied;
  self->applied_data = user_data;
}

void
kiln_text_feed_append (KilnTextFeed *self,
                       const char   *text)
{
  g_return_if_fail (self != NULL);

  if (text == NULL || *text == '\0')
    return;

  g_string_append (self->pending, text);
  schedule (self);
}

void
kiln_text_feed_replace (KilnTextFeed *self,
                        const char   *text)
{
  g_return_if_fail (self != NULL);

  g_string_assign (self->pending, text != NULL ? text : "");
  self->replace = TRUE;
  schedule (self);
}

void
kiln_text_feed_flush (KilnTextFeed *self)
{
  g_return_if_fail (self != NULL);

  clear_tick (self);
  apply (self);
}

void
kiln_text_feed_cancel (KilnTextFeed *self)
{
  g_return_if_fail (self != NULL);

  clear_tick (self);
  g_string_truncate (self->pending, 0);
  self->replace = FALSE;
}

gboolean
kiln_text_feed_has_pending (KilnTextFeed *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->replace || self->pending->len > 0;
}

guint
kiln_text_feed_get_n_applied (KilnTextFeed *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_applied;
}

/* kiln-text-feed.h: streamed text into a text view, at most one buffer change per frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _KilnTextFeed KilnTextFeed;

/* Called after the feed changed the buffer (once per frame at most). */
typedef void (*KilnTextFeedApplied) (gpointer user_data);

/* Text given to the feed is kept until the next frame of @clock_widget (normally a widget
 * that stays mapped, so text still arrives in a view that is hidden), then goes into
 * @view's buffer in one change. The view follows the end of the text unless the person
 * scrolled away from the bottom. Changes are irreversible: they clear the buffer's undo
 * history, so a stream of thousands of pieces never becomes thousands of undo steps. */
KilnTextFeed *kiln_text_feed_new          (GtkTextView         *view,
                                           GtkWidget           *clock_widget);
void          kiln_text_feed_free         (KilnTextFeed        *self);
void          kiln_text_feed_set_applied  (KilnTextFeed        *self,
                                           KilnTextFeedApplied  applied,
                                           gpointer             user_data);
void          kiln_text_feed_append       (KilnTextFeed        *self,
                                           const char          *text);
/* The whole text becomes @text (pending appends are dropped). */
void          kiln_text_feed_replace      (KilnTextFeed        *self,
                                           const char          *text);
/* Applies what is pending now, without waiting for the frame. */
void          kiln_text_feed_flush        (KilnTextFeed        *self);
/* Drops what is pending. */
void          kiln_text_feed_cancel       (KilnTextFeed        *self);
gboolean      kiln_text_feed_has_pending  (KilnTextFeed        *self);
/* How many times the buffer was changed, for benchmarks. */
guint         kiln_text_feed_get_n_applied (KilnTextFeed       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnTextFeed, kiln_text_feed_free)

G_END_DECLS

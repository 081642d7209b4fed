/* kiln-sse-parser.h: an incremental Server-Sent Events parser (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @event: the event name, NULL when the event had no "event:" field.
 * @data: the data lines joined with "\n" (never NULL; "" for an event with empty data).
 * @id: the last event id seen, or NULL. */
typedef void (*KilnSseEventFunc) (const char *event,
                                  const char *data,
                                  const char *id,
                                  gpointer    user_data);

typedef struct _KilnSseParser KilnSseParser;

KilnSseParser *kiln_sse_parser_new    (void);
void           kiln_sse_parser_free   (KilnSseParser    *self);
/* Feeds any number of bytes, split anywhere (inside a line, a CRLF pair or a UTF-8
 * sequence). Calls @func for every complete event. */
void           kiln_sse_parser_feed   (KilnSseParser    *self,
                                       const char       *data,
                                       gsize             length,
                                       KilnSseEventFunc  func,
                                       gpointer          user_data);
/* At end of stream: dispatches a last event that had no blank line after it. */
void           kiln_sse_parser_finish (KilnSseParser    *self,
                                       KilnSseEventFunc  func,
                                       gpointer          user_data);
/* The last "retry:" value in milliseconds, or -1. */
gint64         kiln_sse_parser_get_retry (KilnSseParser *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnSseParser, kiln_sse_parser_free)

/* Splits newline-delimited JSON (or any line protocol) fed in pieces. */
typedef void (*KilnLineFunc) (const char *line,
                              gsize       length,
                              gpointer    user_data);

typedef struct _KilnLineSplitter KilnLineSplitter;

KilnLineSplitter *kiln_line_splitter_new    (void);
void              kiln_line_splitter_free   (KilnLineSplitter *self);
/* Calls @func for each complete line (LF, CRLF or lone CR ended), without the ending,
 * skipping empty lines. */
void              kiln_line_splitter_feed   (KilnLineSplitter *self,
                                             const char       *data,
                                             gsize             length,
                                             KilnLineFunc      func,
                                             gpointer          user_data);
void              kiln_line_splitter_finish (KilnLineSplitter *self,
                                             KilnLineFunc      func,
                                             gpointer          user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnLineSplitter, kiln_line_splitter_free)

G_END_DECLS

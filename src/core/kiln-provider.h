/* kiln-provider.h: per-provider requests and errors (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "kiln-model.h"

G_BEGIN_DECLS

typedef struct _KilnProviderRequest
{
  char       *url;       /* full URL to POST to */
  GPtrArray  *headers;   /* alternating name, value (char *); the key is in here when given */
  char       *body;      /* JSON text */
} KilnProviderRequest;

/* Builds the streaming request for @model with @messages (GPtrArray of KilnChatMessage).
 * @api_key may be NULL (local servers). Fails for a tgi model with an unknown template. */
KilnProviderRequest *kiln_provider_request_new  (const KilnModel *model,
                                                 GPtrArray       *messages,
                                                 const char      *api_key,
                                                 GError         **error);
void                 kiln_provider_request_free (KilnProviderRequest *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnProviderRequest, kiln_provider_request_free)

/* Turns an HTTP error answer into one line for a person, naming @provider_label and the
 * cause, with the right KILN_ERROR code. Reads every body shape servers send: a JSON object
 * ({"error": {"message": ...}}, {"error": "..."}, {"message": ...}, {"detail": ...}), a JSON
 * array of those, plain text or HTML, or nothing. For 503 "model is loading" it mentions
 * estimated_time. The message never contains the request's key. */
GError  *kiln_provider_http_error      (const char *provider_label,
                                        guint       status,
                                        const char *body,
                                        gsize       body_length);
/* 408, 409, 429, 5xx and 529 may succeed when tried again. */
gboolean kiln_provider_status_is_retryable (guint status);
/* The wait a server asked for, in milliseconds, from "retry-after-ms" (number) or
 * "retry-after" (seconds, or an HTTP date relative to @now_unix); -1 when none or unreadable. */
gint64   kiln_provider_parse_retry_after (const char *retry_after,
                                          const char *retry_after_ms,
                                          gint64      now_unix);

G_END_DECLS

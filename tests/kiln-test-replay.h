/* kiln-test-replay.h: starting tests/replay-server.py and reading what it received
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *server;
  char        *dir;
  char        *log_path;
  guint        port;
} KilnTestReplay;

/* A path below $G_TEST_SRCDIR; NULL-terminated parts. */
char       *kiln_test_build_path       (const char     *first,
                                        ...) G_GNUC_NULL_TERMINATED;
/* Starts the server with @scenario (JSON text, see replay-server.py); @tls: https with a
 * fresh self-signed certificate. */
void        kiln_test_replay_start     (KilnTestReplay *replay,
                                        const char     *scenario,
                                        gboolean        tls);
void        kiln_test_replay_stop      (KilnTestReplay *replay);
/* The requests the server received, as parsed JSON objects. */
GPtrArray  *kiln_test_replay_requests  (KilnTestReplay *replay);
const char *kiln_test_request_header   (JsonNode       *request,
                                        const char     *name);
/* The request's JSON body (owned by the helper until the next call). */
JsonObject *kiln_test_request_body     (JsonNode       *request);

G_END_DECLS

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

/* An OpenAI Chat Completions stream of @answer in pieces of @piece bytes, ending with
 * @finish_reason (NULL: "stop") and a usage chunk. */
char       *kiln_test_openai_stream    (const char     *answer,
                                        gsize           piece,
                                        const char     *finish_reason);
/* One response of a replay scenario: @body sent in chunks of @chunk_size bytes (0: at once)
 * @delay_ms apart. */
char       *kiln_test_replay_response  (const char     *body,
                                        guint           chunk_size,
                                        guint           delay_ms);
/* An answer with @code in a ```cpp fence between two pieces of prose. */
char       *kiln_test_fenced           (const char     *prose_before,
                                        const char     *code,
                                        const char     *prose_after);

G_END_DECLS

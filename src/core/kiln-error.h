/* kiln-error.h: the error domain of libkiln-core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KILN_ERROR (kiln_error_quark ())

/* One code per cause, so a front end can react to the cause; the message is for a person. */
typedef enum
{
  KILN_ERROR_FAILED,
  KILN_ERROR_INTERPRETER_NOT_FOUND,
  KILN_ERROR_COMPILER_NOT_FOUND,
  KILN_ERROR_HELPER_NOT_FOUND,
  KILN_ERROR_SPAWN_FAILED,
  KILN_ERROR_COMPILE_FAILED,
  KILN_ERROR_TIMED_OUT,
  KILN_ERROR_OUTPUT_TRUNCATED,
  KILN_ERROR_SIGNALED,
  KILN_ERROR_EXIT_STATUS,
  KILN_ERROR_CACHE,
  KILN_ERROR_INVALID_PATTERN,
  KILN_ERROR_INVALID_ARGUMENT,

  /* Models and their servers */
  KILN_ERROR_BAD_MODEL_ENTRY,     /* models.json: names the file, the entry and the field */
  KILN_ERROR_UNKNOWN_MODEL,       /* no model with that id */
  KILN_ERROR_KEY_MISSING,         /* no key in the keyring nor in the environment */
  KILN_ERROR_KEY_REJECTED,        /* 401, 403 */
  KILN_ERROR_MODEL_NOT_FOUND,     /* 404 */
  KILN_ERROR_REQUEST_TOO_LARGE,   /* 400/413/422 about context length or size */
  KILN_ERROR_BAD_REQUEST,         /* other 4xx */
  KILN_ERROR_RATE_LIMITED,        /* 429 */
  KILN_ERROR_OVERLOADED,          /* 529, or an overloaded error event */
  KILN_ERROR_MODEL_LOADING,       /* 503 "model is loading" */
  KILN_ERROR_SERVER_ERROR,        /* other 5xx */
  KILN_ERROR_NETWORK,             /* connection refused, DNS, cut mid-stream */
  KILN_ERROR_TLS,                 /* certificate not trusted */
  KILN_ERROR_INSECURE_URL,        /* plain http to a non-loopback host */
  KILN_ERROR_IDLE_TIMEOUT,        /* no byte for too long */
  KILN_ERROR_STREAM_ERROR,        /* an error event inside a 200 stream */
  KILN_ERROR_BAD_RESPONSE,        /* the server said something we cannot read */

  /* The history database (kiln-history.c): each message names the file */
  KILN_ERROR_HISTORY,             /* cannot open, read or write it: busy, disk full, I/O */
  KILN_ERROR_HISTORY_TOO_NEW,     /* written by a newer Kiln; left untouched */
  KILN_ERROR_HISTORY_NOT_FOUND,   /* no comparison with that id (deleted meanwhile?) */

  KILN_ERROR_REFUSED,             /* the model refused to answer */
} KilnError;

GQuark kiln_error_quark (void);

G_END_DECLS

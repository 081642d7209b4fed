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
} KilnError;

GQuark kiln_error_quark (void);

G_END_DECLS

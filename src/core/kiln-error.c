/* kiln-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-error.h"

G_DEFINE_QUARK (kiln-error-quark, kiln_error)

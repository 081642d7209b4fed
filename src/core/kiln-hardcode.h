/* kiln-hardcode.h: does a C++ program print the expected answer instead of computing it?
 * (pure, no I/O; the rule is described for users in docs/verification.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @cpp_source: the candidate C++ program.
 * @expected_output: what the original program printed (timing lines are ignored).
 * @original_source: (nullable): the original program (Python or C++); numbers written in it
 *   are constants the program was given, not answers it computed.
 * @inputs: (nullable): NULL-terminated input cases (stdin); their numbers count as given too.
 *
 * Returns NULL when nothing looks hard-coded, or a sentence for a person (translated) that
 * names the value found. */
char *kiln_hardcode_check (const char         *cpp_source,
                           const char         *expected_output,
                           const char         *original_source,
                           const char * const *inputs);

G_END_DECLS

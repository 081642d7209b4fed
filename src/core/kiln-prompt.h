/* kiln-prompt.h: prompt templates: loading, rendering, trimming diagnostics for repairs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Template names, as found in prompts/ and in the GResource */
#define KILN_PROMPT_PYTHON_TO_CPP_SYSTEM "python-to-cpp.system.txt"
#define KILN_PROMPT_PYTHON_TO_CPP_USER   "python-to-cpp.user.txt"
#define KILN_PROMPT_CPP_TO_CPP_SYSTEM    "cpp-to-cpp.system.txt"
#define KILN_PROMPT_CPP_TO_CPP_USER      "cpp-to-cpp.user.txt"
#define KILN_PROMPT_REPAIR_COMPILE       "repair-compile.txt"
#define KILN_PROMPT_REPAIR_RUNTIME       "repair-runtime.txt"
#define KILN_PROMPT_REPAIR_OUTPUT        "repair-output.txt"
#define KILN_PROMPT_REPAIR_HARD_CODED    "repair-hard-coded.txt"
#define KILN_PROMPT_CONTINUE_TRUNCATED   "continue-truncated.txt"

/* Pure. Replaces every "{{name}}" of @template_text (spaces are allowed inside the braces:
 * "{{ name }}"; a name is [A-Za-z_][A-Za-z0-9_]*) with the value @values (char * → char *)
 * holds for it. Values are inserted verbatim and never expanded again, so code holding
 * "{{x}}" is safe. A "{{" that does not start a well-formed placeholder is left as it is.
 * A well-formed placeholder with no value is an error (KILN_ERROR_INVALID_ARGUMENT) that
 * names it; @values may be NULL for a template with no placeholders. */
char   *kiln_prompt_render             (const char  *template_text,
                                        GHashTable  *values,
                                        GError     **error);

/* Reads the template @name: "@config_dir/kiln/prompts/@name" when that file exists (the
 * user's override), else the built-in copy in the GResource. @config_dir is normally
 * g_get_user_config_dir(); NULL skips the override. Blocking, but on small files: call it
 * from a worker thread or at start-up, not on every frame. An override that exists but
 * cannot be read, or is not UTF-8, is an error naming the file (it is never silently
 * ignored). The bytes are followed by a NUL that is not counted in their size, so the data
 * can be passed to kiln_prompt_render() as a string. */
GBytes *kiln_prompt_load_from          (const char  *config_dir,
                                        const char  *name,
                                        GError     **error);

/* kiln_prompt_load_from (g_get_user_config_dir (), @name, @error) */
GBytes *kiln_prompt_load               (const char  *name,
                                        GError     **error);

/* Pure. Trims what g++ or clang++ printed to what a repair prompt needs, at most
 * @max_bytes bytes (never cut inside a UTF-8 sequence):
 * - each error, warning or note keeps its source and caret lines, and the context lines
 *   just before it ("In function …", "In instantiation of …", "required from here");
 *   notes stay with the error they follow;
 * - only the first "In file included from" chain is kept;
 * - warnings are dropped when there are errors;
 * - "N errors generated." summaries are dropped;
 * - when the whole does not fit, the first errors are kept, whole, and a last line says how
 *   many were left out (if that line fits).
 * Output it does not recognise as diagnostics is kept, cut to @max_bytes. */
char   *kiln_prompt_trim_diagnostics   (const char  *compiler_output,
                                        gsize        max_bytes);

G_END_DECLS

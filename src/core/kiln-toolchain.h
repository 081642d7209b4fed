/* kiln-toolchain.h: the interpreter and compiler Kiln uses, and running programs with them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kiln-run-result.h"

G_BEGIN_DECLS

#define KILN_TYPE_TOOLCHAIN (kiln_toolchain_get_type ())

G_DECLARE_FINAL_TYPE (KilnToolchain, kiln_toolchain, KILN, TOOLCHAIN, GObject)

/* Properties (all strings, bindable to GSettings):
 *   "python"    interpreter command or path; "" means python3 from PATH
 *   "compiler"  "" or "auto" (g++, then clang++), "g++", "clang++", or a path
 *   "flags"     compiler flags, shell-quoted; "" means kiln_toolchain_default_flags()
 *   "cache-dir" where compiled binaries are kept; default $XDG_CACHE_HOME/kiln
 * and one boolean:
 *   "sandbox"   run programs in a sandbox when one works here (bubblewrap, or flatpak-spawn
 *               inside Flatpak); default TRUE. Off, or when none works, runs get resource
 *               limits only. KilnRunResult.sandbox says which protection a run had.
 */
KilnToolchain *kiln_toolchain_new               (void);
const char    *kiln_toolchain_default_flags     (void);

const char    *kiln_toolchain_get_python        (KilnToolchain *self);
void           kiln_toolchain_set_python        (KilnToolchain *self,
                                                 const char    *python);
const char    *kiln_toolchain_get_compiler      (KilnToolchain *self);
void           kiln_toolchain_set_compiler      (KilnToolchain *self,
                                                 const char    *compiler);
const char    *kiln_toolchain_get_flags         (KilnToolchain *self);
void           kiln_toolchain_set_flags         (KilnToolchain *self,
                                                 const char    *flags);
const char    *kiln_toolchain_get_cache_dir     (KilnToolchain *self);
void           kiln_toolchain_set_cache_dir     (KilnToolchain *self,
                                                 const char    *cache_dir);

gboolean       kiln_toolchain_get_sandbox       (KilnToolchain *self);
void           kiln_toolchain_set_sandbox       (KilnToolchain *self,
                                                 gboolean       sandbox);

/* Full paths, or NULL with KILN_ERROR_INTERPRETER_NOT_FOUND / _COMPILER_NOT_FOUND and a
 * message that says what to install or where to set it. Only looks at PATH (no spawning). */
char          *kiln_toolchain_find_python       (KilnToolchain *self,
                                                 GError       **error);
char          *kiln_toolchain_find_compiler     (KilnToolchain *self,
                                                 GError       **error);

/* The compiler's full path and the first line of its --version (asked once, then cached):
 * both go into the binary cache key and the conversion prompt. */
void           kiln_toolchain_query_compiler_async  (KilnToolchain       *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char          *kiln_toolchain_query_compiler_finish (KilnToolchain       *self,
                                                     GAsyncResult        *result,
                                                     char               **version,
                                                     GError             **error);
/* The flags in force: the "flags" property, or the defaults when it is empty. */
char          *kiln_toolchain_dup_effective_flags   (KilnToolchain       *self);

/* Compiles @source (or finds it in the binary cache, keyed by a hash of source, compiler
 * identity and flags). Returns a result also when compilation failed (ok = FALSE, with the
 * diagnostics); NULL and a GError only on cancellation or when no compiler exists. */
void               kiln_toolchain_compile_async  (KilnToolchain       *self,
                                                  const char          *source,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
KilnCompileResult *kiln_toolchain_compile_finish (KilnToolchain       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Runs @source as @language: Python through the interpreter, C++ compiled first. @input is
 * given on stdin (NULL: empty stdin). The result says what happened, also when the program
 * failed to build or run (ok = FALSE and its error); finish fails only with
 * G_IO_ERROR_CANCELLED. */
void           kiln_toolchain_run_async         (KilnToolchain       *self,
                                                 KilnLanguage         language,
                                                 const char          *source,
                                                 GBytes              *input,
                                                 const KilnRunLimits *limits,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
KilnRunResult *kiln_toolchain_run_finish        (KilnToolchain       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS

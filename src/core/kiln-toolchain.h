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
 * and one read-only double:
 *   "startup-floor"  seconds an empty C++ program takes from spawn to exit through the
 *               helper and sandbox here (see kiln_toolchain_measure_startup_async()); -1 until
 *               measured, and again after "compiler", "flags" or "sandbox" change.
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

/* The compilers Kiln knows that are on PATH, by name ("g++", "clang++"), in that order;
 * an empty list when there is none. Looks at PATH only (spawns nothing). */
char         **kiln_toolchain_list_compilers    (KilnToolchain *self);

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

/* Like kiln_toolchain_compile_async() (which is this with NULL, NULL), with @compiler named
 * as the "compiler" property names one (NULL: the property's) and shell-quoted @flags (NULL:
 * the effective flags). The cache key holds the compiler's identity and the flags, so each
 * set of flags has its own binary; the result's command shows them. */
void               kiln_toolchain_compile_full_async  (KilnToolchain       *self,
                                                       const char          *source,
                                                       const char          *compiler,
                                                       const char          *flags,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
KilnCompileResult *kiln_toolchain_compile_full_finish (KilnToolchain       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* A profile-guided build of @source with @compiler and @flags (NULL: as for
 * kiln_toolchain_compile_full_async()): an instrumented build (g++: -fprofile-generate=DIR;
 * clang++: -fprofile-instr-generate), one run on @training_input (NULL: empty stdin) with
 * @limits (NULL: C++ defaults; one run only) through the same helper and sandbox as any run,
 * with DIR inside the run's writable work folder (clang++: then llvm-profdata merge), and the
 * build with the profile (g++: -fprofile-use=DIR -fprofile-correction; clang++:
 * -fprofile-instr-use). The final binary is cached, keyed by source, compiler identity, flags
 * and the training input. The result's command is the final compile's argv (DIR was a
 * temporary folder, gone once the binary is built). A failing step gives ok = FALSE, with
 * an output and a first diagnostic saying which step failed and why; clang++ without
 * llvm-profdata says it is not supported. NULL and a GError only on cancellation or when no
 * compiler exists or the flags cannot be read. */
void               kiln_toolchain_compile_pgo_async  (KilnToolchain       *self,
                                                      const char          *source,
                                                      const char          *compiler,
                                                      const char          *flags,
                                                      GBytes              *training_input,
                                                      const KilnRunLimits *limits,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
KilnCompileResult *kiln_toolchain_compile_pgo_finish (KilnToolchain       *self,
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

/* Runs the binary of an already compiled program exactly as kiln_toolchain_run_async() runs
 * C++ (same sandbox, repeat policy, and turn in the execution queue); result->compile is
 * @compile. A @compile that failed gives a result with ok = FALSE and the compile error. */
void           kiln_toolchain_run_compiled_async  (KilnToolchain       *self,
                                                   KilnCompileResult   *compile,
                                                   GBytes              *input,
                                                   const KilnRunLimits *limits,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
KilnRunResult *kiln_toolchain_run_compiled_finish (KilnToolchain       *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Measures the start-up floor once: `int main(){return 0;}` compiled with the effective
 * flags and run 5 times (10 s timeout each) exactly as C++ programs run; the floor is the
 * median wall time. Later calls return the known figure without running anything, and
 * callers during a measurement share it. Sets "startup-floor" (and notifies) unless the
 * compiler, flags or sandbox changed meanwhile. Fails with the compile or run error, or
 * G_IO_ERROR_CANCELLED. */
void           kiln_toolchain_measure_startup_async  (KilnToolchain       *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
double         kiln_toolchain_measure_startup_finish (KilnToolchain       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
double         kiln_toolchain_get_startup_floor      (KilnToolchain       *self);

G_END_DECLS

/* kiln-toolchain-private.h: what kiln-toolchain.c and kiln-toolchain-run.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-process.h"
#include "kiln-toolchain.h"

G_BEGIN_DECLS

struct _KilnToolchain
{
  GObject     parent_instance;

  char       *python;
  char       *compiler;
  char       *flags;
  char       *cache_dir;
  gboolean    sandbox;

  /* compiler path -> first line of its --version, part of the cache key */
  GHashTable *versions;

  /* Timed executions never overlap, so two programs never compete for the CPU: while one
   * runs, the others wait here (compiling may overlap; it is not timed against Python). */
  GTask      *executing;
  GQueue      waiting;

  /* The start-up floor (kiln-toolchain-startup.c): -1 until measured; a change of compiler,
   * flags or sandbox bumps the generation and forgets it. */
  double        startup_floor;
  guint         startup_generation;
  GPtrArray    *startup_waiting;      /* GTask, callers of measure_startup_async */
  GCancellable *startup_cancellable;  /* the measurement in flight, NULL when none */
};

/* Forgets the start-up floor (notifying "startup-floor" when one was known). */
void  _kiln_toolchain_reset_startup_floor (KilnToolchain *self);
/* Sets it (from a measurement of the current generation) and notifies. */
void  _kiln_toolchain_set_startup_floor   (KilnToolchain *self,
                                           double         floor_seconds);

#define _KILN_TOOLCHAIN_COMPILE_TIMEOUT_MS (5 * 60 * 1000)
#define _KILN_TOOLCHAIN_COMPILE_OUTPUT_CAP (1024 * 1024)

/* A compiler named as the "compiler" property names one ("", "auto", a name on PATH or a
 * path) → its full path, or NULL with KILN_ERROR_COMPILER_NOT_FOUND. */
char  *_kiln_toolchain_find_compiler_command (const char    *command,
                                              GError       **error);
/* Shell-quoted flags → argv; NULL or "" means kiln_toolchain_default_flags(). */
char **_kiln_toolchain_parse_flags           (const char    *flags,
                                              GError       **error);
/* The full path and --version line of @command (NULL: the "compiler" property). */
void   _kiln_toolchain_identify_async        (KilnToolchain       *self,
                                              const char          *command,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
char  *_kiln_toolchain_identify_finish       (KilnToolchain       *self,
                                              GAsyncResult        *result,
                                              char               **version,
                                              GError             **error);

/* The binary cache: a SHA-256 over @kind, the compiler's identity, @flags, @source and
 * @extra (may be NULL). */
char  *_kiln_toolchain_compute_cache_key     (const char    *kind,
                                              const char    *compiler,
                                              const char    *version,
                                              char * const  *flags,
                                              const char    *source,
                                              const char    *extra);
/* Reads the entry @binary + @meta (in a thread); NULL when there is none or it was damaged
 * (then it is set aside). @command: the result's command; NULL: the one stored in @meta. */
KilnCompileResult *_kiln_toolchain_load_cache_entry  (const char        *binary,
                                                      const char        *meta,
                                                      char * const      *command);
/* Moves @built to @binary and writes @meta (with the command when @with_command), setting
 * result->binary_path. FALSE when the cache could not be written: binary_path is then
 * @built, whose folder must stay. */
gboolean           _kiln_toolchain_store_cache_entry (KilnCompileResult *result,
                                                      const char        *built,
                                                      const char        *binary,
                                                      const char        *meta,
                                                      gboolean           with_command);
/* What a finished compiler process produced, as a compile result (diagnostics, link hints). */
KilnCompileResult *_kiln_toolchain_compile_result_from_process (const KilnProcessResult *process,
                                                                const char              *compiler,
                                                                char * const            *command,
                                                                double                   seconds);

/* Runs @binary with the repeat policy, in the execution queue, like a C++ run: in a fresh
 * work folder below the cache, or in @work_dir (kept afterwards) when not NULL. The result's
 * compile is @compile (may be NULL). */
void           _kiln_toolchain_run_binary_async  (KilnToolchain       *self,
                                                  const char          *binary,
                                                  const char          *work_dir,
                                                  KilnCompileResult   *compile,
                                                  GBytes              *input,
                                                  const KilnRunLimits *limits,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
KilnRunResult *_kiln_toolchain_run_binary_finish (KilnToolchain       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* The sentence for a compile that failed, as a run's error says it. */
char          *_kiln_toolchain_summarize_compile_failure (KilnCompileResult *compile);

/* The compiler's argv for main.cpp → main: @flags in their order, except linker inputs
 * (-l, -L, -Wl,, -Xlinker, .a/.so/.o files), which go after main.cpp. */
char **_kiln_toolchain_build_compile_argv    (const char    *compiler,
                                              char * const  *flags);
/* For compiler output that failed to link (an undefined symbol): what to do about it, naming
 * the library flag when the symbol is a known library's; NULL for any other output. */
char  *_kiln_toolchain_describe_link_failure (const char    *output);

/* Work folders: made and removed off the main thread. */
char *_kiln_toolchain_make_work_dir      (const char    *parent,
                                          const char    *file_name,
                                          const char    *content,
                                          GError       **error);
void  _kiln_toolchain_remove_tree        (const char    *path);
/* A GTaskThreadFunc removing the folder in task_data (may be NULL). */
void  _kiln_toolchain_remove_tree_thread (GTask         *task,
                                          gpointer       source_object,
                                          gpointer       task_data,
                                          GCancellable  *cancellable);

G_END_DECLS

/* kiln-toolchain-private.h: what kiln-toolchain.c and kiln-toolchain-run.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

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
};

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

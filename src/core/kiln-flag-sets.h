/* kiln-flag-sets.h: the small, documented list of compiler option sets an optimize run tries
 * (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One way to build the program: a compiler, its flags (always with -std=c++17), and whether
 * it is a profile-guided build (trained on the first input case). */
typedef struct _KilnFlagSet
{
  char     *compiler;   /* "g++", "clang++", ... as kiln_toolchain_list_compilers() names it */
  char     *flags;      /* shell-quoted, e.g. "-std=c++17 -O3 -march=native -flto" */
  gboolean  pgo;        /* built with a profile: -fprofile-generate, a training run, -fprofile-use */
  gboolean  fast_math;  /* may change floating-point results: only when allowed */
} KilnFlagSet;

void         kiln_flag_set_free   (KilnFlagSet *self);
/* "g++ -std=c++17 -O3 -march=native", "+ profile" for PGO: how a person reads it. */
char        *kiln_flag_set_describe (const KilnFlagSet *self);

/* The option sets to try, in order, for every compiler in @compilers (NULL-terminated, e.g.
 * {"g++", "clang++"}): -O2, -O3, -O3 with the CPU's own instructions, that with link-time
 * optimisation, and that with a profile; with @allow_fast_math also -O3 -ffast-math with
 * the CPU's instructions. Returns KilnFlagSet*; never empty when @compilers is not. */
GPtrArray   *kiln_flag_sets_list  (const char * const *compilers,
                                   gboolean            allow_fast_math);

/* The flag that asks for the CPU's own instructions on this architecture ("-march=native",
 * "-mcpu=native" on ARM), or NULL where there is none. */
const char  *kiln_flag_sets_native_flag (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnFlagSet, kiln_flag_set_free)

G_END_DECLS

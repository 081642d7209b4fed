/* kiln-flag-sets.c: the compiler option sets an optimize run tries
 *
 * The list is short on purpose: each set costs a build and timed runs, and these are the
 * ones that matter for a single-file program. -ffast-math (and so -Ofast) may change the
 * last digits of floating-point results; it is only tried when the person allows it, and a
 * build with it is still verified like every other.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-flag-sets.h"

void
kiln_flag_set_free (KilnFlagSet *self)
{
  if (self == NULL)
    return;
  g_free (self->compiler);
  g_free (self->flags);
  g_free (self);
}

char *
kiln_flag_set_describe (const KilnFlagSet *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_strdup_printf ("%s %s%s", self->compiler, self->flags,
                          self->pgo ? " + profile" : "");
}

const char *
kiln_flag_sets_native_flag (void)
{
#if defined(__x86_64__) || defined(__i386__)
  return "-march=native";
#elif defined(__aarch64__) || defined(__arm__)
  return "-mcpu=native";
#else
  return NULL;
#endif
}

static void
add (GPtrArray  *sets,
     const char *compiler,
     const char *flags,
     gboolean    pgo,
     gboolean    fast_math)
{
  KilnFlagSet *set = g_new0 (KilnFlagSet, 1);

  set->compiler = g_strdup (compiler);
  set->flags = g_strdup (flags);
  set->pgo = pgo;
  set->fast_math = fast_math;
  g_ptr_array_add (sets, set);
}

GPtrArray *
kiln_flag_sets_list (const char * const *compilers,
                     gboolean            allow_fast_math)
{
  GPtrArray *sets = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_flag_set_free);
  const char *native = kiln_flag_sets_native_flag ();
  g_autofree char *o3_native = native != NULL ? g_strdup_printf ("-std=c++17 -O3 %s", native)
                                              : g_strdup ("-std=c++17 -O3");
  g_autofree char *lto = g_strdup_printf ("%s -flto", o3_native);
  g_autofree char *fast = g_strdup_printf ("%s -ffast-math", o3_native);

  for (guint i = 0; compilers != NULL && compilers[i] != NULL; i++)
    {
      const char *compiler = compilers[i];

      add (sets, compiler, "-std=c++17 -O2", FALSE, FALSE);
      add (sets, compiler, "-std=c++17 -O3", FALSE, FALSE);
      if (native != NULL)
        add (sets, compiler, o3_native, FALSE, FALSE);
      add (sets, compiler, lto, FALSE, FALSE);
      add (sets, compiler, o3_native, TRUE, FALSE);
      if (allow_fast_math)
        add (sets, compiler, fast, FALSE, TRUE);
    }

  return sets;
}

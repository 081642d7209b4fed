/* kiln-examples.h: the bundled example programs and their reference translations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KilnExample
{
  const char *id;           /* "pi", "max-subarray", ... */
  const char *title;        /* translatable (N_), call gettext on it */
  const char *description;  /* translatable (N_) */
} KilnExample;

const KilnExample *kiln_examples_get_all   (guint             *n_examples);
const KilnExample *kiln_examples_lookup    (const char        *id);
/* The Python program, the reference C++ translation, and the stdin input (NULL when the
 * example reads none), from the core GResource. */
GBytes            *kiln_example_get_python (const KilnExample *example);
GBytes            *kiln_example_get_cpp    (const KilnExample *example);
GBytes            *kiln_example_get_input  (const KilnExample *example);

G_END_DECLS

/* kiln-examples.c: the bundled example programs and their reference translations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "kiln-core-resources.h"
#include "kiln-examples.h"

#define EXAMPLES_PATH "/io/github/kilnapp/Kiln/core/examples/"

static const KilnExample examples[] = {
  {
    "pi",
    N_("Pi"),
    N_("Leibniz series for π (100 million steps)"),
  },
  {
    "max-subarray",
    N_("Maximum Subarray"),
    N_("Largest sum of a run of random numbers, tried every way (slow in Python)"),
  },
  {
    "prime-sum",
    N_("Primes Around 2⁶³"),
    N_("Numbers too big for 64-bit signed integers, tested with Miller–Rabin"),
  },
  {
    "float-format",
    N_("Float Formatting"),
    N_("Series, statistics and edge cases printed the way Python prints floats"),
  },
  {
    "sequence-distance",
    N_("DNA Edit Distance"),
    N_("Reads DNA sequences from standard input and compares every pair"),
  },
};

const KilnExample *
kiln_examples_get_all (guint *n_examples)
{
  if (n_examples != NULL)
    *n_examples = G_N_ELEMENTS (examples);

  return examples;
}

const KilnExample *
kiln_examples_lookup (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      if (g_str_equal (examples[i].id, id))
        return &examples[i];
    }

  return NULL;
}

static GBytes *
lookup_file (const KilnExample *example,
             const char        *extension,
             gboolean           must_exist)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  path = g_strconcat (EXAMPLES_PATH, example->id, extension, NULL);
  /* Looked up in the core's own resource, which also keeps it linked into the binary. */
  bytes = g_resource_lookup_data (kiln_core_get_resource (), path,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);

  /* Every example ships its Python and C++; only the input is optional. */
  if (bytes == NULL && must_exist)
    g_critical ("Example resource %s is missing: %s", path, error->message);

  return bytes;
}

GBytes *
kiln_example_get_python (const KilnExample *example)
{
  g_return_val_if_fail (example != NULL, NULL);

  return lookup_file (example, ".py", TRUE);
}

GBytes *
kiln_example_get_cpp (const KilnExample *example)
{
  g_return_val_if_fail (example != NULL, NULL);

  return lookup_file (example, ".cpp", TRUE);
}

GBytes *
kiln_example_get_input (const KilnExample *example)
{
  g_return_val_if_fail (example != NULL, NULL);

  return lookup_file (example, ".input", FALSE);
}

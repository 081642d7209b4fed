/* fuzz-diagnostics.c: the compiler-diagnostics parser
 *
 * Input: what a compiler printed. Invariants: every diagnostic holds valid UTF-8 on one
 * line, a message with no blanks around it, a line and a column that fit an int, a known
 * severity; the counts add up; a copy is equal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-diagnostic.h"
#include "kiln-fuzz.h"

static void
check_text (const char *text)
{
  kiln_fuzz_check (text != NULL);
  kiln_fuzz_check (g_utf8_validate (text, -1, NULL));
  kiln_fuzz_check (strpbrk (text, "\r\n") == NULL);
}

void
kiln_fuzz_diagnostics (const uint8_t *data,
                       size_t         size)
{
  g_autofree char *output = kiln_fuzz_copy (data, size, TRUE);
  g_autoptr(GPtrArray) diagnostics = kiln_diagnostics_parse (output);
  guint n_errors;
  guint n_warnings;
  guint n_notes;

  kiln_fuzz_check (diagnostics != NULL);

  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KilnDiagnostic *diagnostic = g_ptr_array_index (diagnostics, i);
      g_autoptr(KilnDiagnostic) copy = g_boxed_copy (KILN_TYPE_DIAGNOSTIC, diagnostic);
      gsize length;

      check_text (diagnostic->file);
      check_text (diagnostic->message);
      length = strlen (diagnostic->message);
      kiln_fuzz_check (length == 0 || !g_ascii_isspace (diagnostic->message[0]));
      kiln_fuzz_check (length == 0 || !g_ascii_isspace (diagnostic->message[length - 1]));
      kiln_fuzz_check (diagnostic->line <= G_MAXINT);
      kiln_fuzz_check (diagnostic->column <= G_MAXINT);
      kiln_fuzz_check (diagnostic->severity <= KILN_SEVERITY_NOTE);
      kiln_fuzz_check (strcmp (kiln_severity_to_string (diagnostic->severity), "unknown") != 0);

      kiln_fuzz_check (strcmp (copy->file, diagnostic->file) == 0);
      kiln_fuzz_check (strcmp (copy->message, diagnostic->message) == 0);
      kiln_fuzz_check (copy->line == diagnostic->line && copy->column == diagnostic->column);
      kiln_fuzz_check (copy->severity == diagnostic->severity);
    }

  n_errors = kiln_diagnostics_count (diagnostics, KILN_SEVERITY_ERROR);
  n_warnings = kiln_diagnostics_count (diagnostics, KILN_SEVERITY_WARNING);
  n_notes = kiln_diagnostics_count (diagnostics, KILN_SEVERITY_NOTE);
  kiln_fuzz_check (n_errors + n_warnings + n_notes == diagnostics->len);
}

KILN_FUZZ_DEFINE_MAIN (kiln_fuzz_diagnostics)

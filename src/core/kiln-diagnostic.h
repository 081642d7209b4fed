/* kiln-diagnostic.h: compiler diagnostics parsed from gcc and clang output (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  KILN_SEVERITY_ERROR,
  KILN_SEVERITY_WARNING,
  KILN_SEVERITY_NOTE,
} KilnSeverity;

#define KILN_TYPE_DIAGNOSTIC (kiln_diagnostic_get_type ())

typedef struct _KilnDiagnostic
{
  char         *file;     /* as the compiler printed it; "" for a linker message */
  guint         line;     /* 1-based; 0 when the compiler gave none (linker, driver) */
  guint         column;   /* 1-based; 0 when the compiler gave none */
  KilnSeverity  severity;
  char         *message;  /* the message text, without "error:" and without the caret lines */
} KilnDiagnostic;

GType           kiln_diagnostic_get_type      (void) G_GNUC_CONST;
KilnDiagnostic *kiln_diagnostic_new           (const char     *file,
                                               guint           line,
                                               guint           column,
                                               KilnSeverity    severity,
                                               const char     *message);
KilnDiagnostic *kiln_diagnostic_copy          (const KilnDiagnostic *self);
void            kiln_diagnostic_free          (KilnDiagnostic *self);
const char     *kiln_severity_to_string       (KilnSeverity    severity);

/* Parses everything g++ or clang++ printed (with -fdiagnostics-color=never) into a
 * GPtrArray of KilnDiagnostic (element free function set). Never fails: lines it does not
 * understand are skipped. */
GPtrArray      *kiln_diagnostics_parse        (const char     *compiler_output);

/* How many entries of @diagnostics have @severity. */
guint           kiln_diagnostics_count        (GPtrArray      *diagnostics,
                                               KilnSeverity    severity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnDiagnostic, kiln_diagnostic_free)

G_END_DECLS

/* kiln-reference.h: the original program's run that every conversion is compared with —
 * run once, on first need, and shared by all who wait for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-toolchain.h"

G_BEGIN_DECLS

#define KILN_TYPE_REFERENCE (kiln_reference_get_type ())

G_DECLARE_FINAL_TYPE (KilnReference, kiln_reference, KILN, REFERENCE, GObject)

/* @input: NULL for empty stdin. */
KilnReference *kiln_reference_new         (KilnToolchain        *toolchain,
                                           KilnLanguage          language,
                                           const char           *source,
                                           GBytes               *input,
                                           const KilnRunLimits  *limits);
/* Whether this reference ran (or would run) exactly @source on @input with @limits. */
gboolean       kiln_reference_matches     (KilnReference        *self,
                                           KilnLanguage          language,
                                           const char           *source,
                                           GBytes               *input,
                                           const KilnRunLimits  *limits);
/* A result of the same program and input obtained elsewhere (the window's own Run Python):
 * taken as this reference's result when nothing ran yet. */
void           kiln_reference_offer       (KilnReference        *self,
                                           KilnRunResult        *result);
/* The result, or NULL until it ran. */
KilnRunResult *kiln_reference_get_result  (KilnReference        *self);
KilnLanguage   kiln_reference_get_language (KilnReference       *self);

/* Returns the result, running the program the first time. Callers that ask while it runs
 * wait for the same run. One caller's @cancellable ends only its own wait; the run itself
 * stops when every waiter has gone. Fails only with G_IO_ERROR_CANCELLED (a program that
 * failed is a result with ok = FALSE). */
void           kiln_reference_run_async   (KilnReference        *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
KilnRunResult *kiln_reference_run_finish  (KilnReference        *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS

/* kiln-model-notes.h: what the model wrote besides the code — its notes and its reasoning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KILN_TYPE_MODEL_NOTES (kiln_model_notes_get_type ())

G_DECLARE_FINAL_TYPE (KilnModelNotes, kiln_model_notes, KILN, MODEL_NOTES, AdwBin)

/* Streamed text is shown at most once per frame. */
void   kiln_model_notes_append_notes     (KilnModelNotes *self,
                                          const char     *text);
void   kiln_model_notes_append_reasoning (KilnModelNotes *self,
                                          const char     *text);
/* Shows @notes and @reasoning (either may be NULL: empty) in place of what was there. */
void   kiln_model_notes_set              (KilnModelNotes *self,
                                          const char     *notes,
                                          const char     *reasoning);
/* Applies pending text now. */
void   kiln_model_notes_flush            (KilnModelNotes *self);
void   kiln_model_notes_set_expanded     (KilnModelNotes *self,
                                          gboolean        expanded);
/* The text shown, for tests. */
char  *kiln_model_notes_dup_notes        (KilnModelNotes *self);
char  *kiln_model_notes_dup_reasoning    (KilnModelNotes *self);

G_END_DECLS

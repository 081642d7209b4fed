/* kiln-prompt-editor.h: a dialog editing the user's copy of one prompt template
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KILN_TYPE_PROMPT_EDITOR (kiln_prompt_editor_get_type ())

G_DECLARE_FINAL_TYPE (KilnPromptEditor, kiln_prompt_editor, KILN, PROMPT_EDITOR, AdwWindow)

/* @name: one of the KILN_PROMPT_* names; @title: what people call it, shown in the header.
 * The user's copy, when there is one, is read asynchronously: see :loaded. */
KilnPromptEditor *kiln_prompt_editor_new              (GtkWindow        *parent,
                                                       const char       *name,
                                                       const char       *title);
const char       *kiln_prompt_editor_get_name         (KilnPromptEditor *self);
/* Whether the user's copy exists (as far as the editor knows). */
gboolean          kiln_prompt_editor_get_customized   (KilnPromptEditor *self);
/* FALSE until the user's copy was read or found missing. */
gboolean          kiln_prompt_editor_get_loaded       (KilnPromptEditor *self);
/* TRUE while saving or resetting. */
gboolean          kiln_prompt_editor_get_busy         (KilnPromptEditor *self);
/* Whether the text differs from what was loaded or last saved. */
gboolean          kiln_prompt_editor_get_modified     (KilnPromptEditor *self);

/* For tests */
char             *kiln_prompt_editor_dup_text         (KilnPromptEditor *self);
void              kiln_prompt_editor_set_text         (KilnPromptEditor *self,
                                                       const char       *text);
const char       *kiln_prompt_editor_get_placeholders (KilnPromptEditor *self);
/* The last error shown, "" if none. */
const char       *kiln_prompt_editor_get_error_text   (KilnPromptEditor *self);

G_END_DECLS

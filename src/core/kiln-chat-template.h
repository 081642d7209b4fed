/* kiln-chat-template.h: building the raw prompt for text-generation servers (TGI) exactly as
 * the model's own chat template does (pure, no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Names: "chatml", "llama3", "gemma", "mistral", "deepseek-coder", "phi3". */
const char * const *kiln_chat_templates_list          (void);
gboolean            kiln_chat_template_exists         (const char  *name);

/* @messages: GPtrArray of KilnChatMessage (system, then user/assistant turns). Returns the
 * prompt with the generation prompt for the assistant added, or NULL with
 * KILN_ERROR_INVALID_ARGUMENT (unknown template, or a conversation the template cannot
 * express, with a message saying why). */
char               *kiln_chat_template_render         (const char  *name,
                                                       GPtrArray   *messages,
                                                       GError     **error);
/* The stop sequences to send as parameters (NULL-terminated, static). */
const char * const *kiln_chat_template_stop_sequences (const char  *name);

G_END_DECLS

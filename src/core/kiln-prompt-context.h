/* kiln-prompt-context.h: what a chat with a model starts from — the prompt templates (the
 * user's overrides or the built-in ones) and the values that describe this machine (private
 * to the core; conversions and optimize rounds share it)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-toolchain.h"

G_BEGIN_DECLS

typedef struct _KilnPromptContext
{
  GHashTable *prompts;  /* template name -> text */
  GHashTable *values;   /* "cpu_model", "cpu_arch", "os", "compiler", "flags" -> text */
} KilnPromptContext;

void               _kiln_prompt_context_free        (KilnPromptContext   *self);

/* Loads the templates @names (NULL-terminated) from @prompts_dir's kiln/prompts/ or the
 * built-in ones (in a thread), reads the CPU model and the system, and asks @toolchain for its
 * compiler (once per toolchain). Fails when a template cannot be read, when there is no
 * compiler, or with G_IO_ERROR_CANCELLED. */
void               _kiln_prompt_context_load_async  (KilnToolchain        *toolchain,
                                                     const char           *prompts_dir,
                                                     const char * const   *names,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
KilnPromptContext *_kiln_prompt_context_load_finish (GAsyncResult         *result,
                                                     GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnPromptContext, _kiln_prompt_context_free)

G_END_DECLS

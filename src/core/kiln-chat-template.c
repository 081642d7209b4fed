/* kiln-chat-template.c: raw prompts for text-generation servers
 *
 * Each renderer writes, byte for byte, what the model's own Jinja chat template (the
 * "chat_template" of its tokenizer_config.json, rendered as transformers does with
 * add_generation_prompt=True) gives for a system message followed by user and assistant
 * turns. Where a template would throw, or silently drop part of the conversation, we
 * refuse the conversation instead.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-chat-template.h"
#include "kiln-error.h"
#include "kiln-model.h"

typedef gboolean (*RenderFunc) (GString    *out,
                                GPtrArray  *messages,
                                const char *name,
                                GError    **error);

typedef struct
{
  const char         *name;
  RenderFunc          render;
  const char * const *stop;
} ChatTemplate;

/* Jinja's trim filter is Python's str.strip(): Unicode white space, plus the ASCII
 * separators Python counts as space. */
static gboolean
is_python_space (gunichar c)
{
  return g_unichar_isspace (c) || c == 0x0b || (c >= 0x1c && c <= 0x1f) || c == 0x85;
}

static void
append_trimmed (GString    *out,
                const char *text)
{
  const char *start = text;
  const char *end = text + strlen (text);

  while (start < end && is_python_space (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (!is_python_space (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  g_string_append_len (out, start, end - start);
}

static KilnChatMessage *
message_at (GPtrArray *messages,
            guint      i)
{
  return g_ptr_array_index (messages, i);
}

/* For the templates that take the system text apart from the turns (Gemma, Mistral): an
 * optional system message first, then user and assistant turns in turn, user first. */
static gboolean
check_alternating (GPtrArray  *messages,
                   const char *name,
                   GError    **error)
{
  guint first = 0;

  if (message_at (messages, 0)->role == KILN_ROLE_SYSTEM)
    first = 1;

  for (guint i = first; i < messages->len; i++)
    {
      KilnRole role = message_at (messages, i)->role;
      KilnRole expected = (i - first) % 2 == 0 ? KILN_ROLE_USER : KILN_ROLE_ASSISTANT;

      if (role == KILN_ROLE_SYSTEM)
        {
          g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                       _("The “%s” chat template takes one system message, and only at the "
                         "start of the conversation"),
                       name);
          return FALSE;
        }

      if (role != expected)
        {
          g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                       _("The “%s” chat template needs user and assistant turns in "
                         "alternation, starting with the user"),
                       name);
          return FALSE;
        }
    }

  return TRUE;
}

/* ChatML as Qwen (1.5, 2, 2.5) and CodeQwen1.5 write it. Their templates add a default
 * system prompt when none is given, but that default differs between versions ("You are a
 * helpful assistant", "You are Qwen, created by Alibaba Cloud. ..."), so we add none: Kiln
 * always sends its own system message. */
static gboolean
render_chatml (GString    *out,
               GPtrArray  *messages,
               const char *name,
               GError    **error)
{
  for (guint i = 0; i < messages->len; i++)
    {
      KilnChatMessage *message = message_at (messages, i);

      g_string_append_printf (out, "<|im_start|>%s\n", kiln_role_to_string (message->role));
      g_string_append (out, message->content);
      g_string_append (out, "<|im_end|>\n");
    }
  g_string_append (out, "<|im_start|>assistant\n");

  return TRUE;
}

/* Meta-Llama-3-8B/70B-Instruct: every content goes through "| trim". (Llama 3.1 and later
 * add a "Cutting Knowledge Date" header to the system turn; that is not this template.) */
static gboolean
render_llama3 (GString    *out,
               GPtrArray  *messages,
               const char *name,
               GError    **error)
{
  g_string_append (out, "<|begin_of_text|>");
  for (guint i = 0; i < messages->len; i++)
    {
      KilnChatMessage *message = message_at (messages, i);

      g_string_append_printf (out, "<|start_header_id|>%s<|end_header_id|>\n\n",
                              kiln_role_to_string (message->role));
      append_trimmed (out, message->content);
      g_string_append (out, "<|eot_id|>");
    }
  g_string_append (out, "<|start_header_id|>assistant<|end_header_id|>\n\n");

  return TRUE;
}

/* Gemma 3 instruction-tuned models (gemma-3-*-it): no system turn; the system text and a
 * blank line go before the first user turn, untrimmed, while each turn's own content is
 * trimmed. (Gemma 2's template refuses a system message outright.) */
static gboolean
render_gemma (GString    *out,
              GPtrArray  *messages,
              const char *name,
              GError    **error)
{
  const char *system = NULL;
  guint first = 0;

  if (!check_alternating (messages, name, error))
    return FALSE;

  if (message_at (messages, 0)->role == KILN_ROLE_SYSTEM)
    {
      system = message_at (messages, 0)->content;
      first = 1;
    }

  g_string_append (out, "<bos>");
  for (guint i = first; i < messages->len; i++)
    {
      KilnChatMessage *message = message_at (messages, i);

      g_string_append (out, "<start_of_turn>");
      g_string_append (out, message->role == KILN_ROLE_ASSISTANT ? "model" : "user");
      g_string_append_c (out, '\n');
      if (i == first && system != NULL)
        {
          g_string_append (out, system);
          g_string_append (out, "\n\n");
        }
      append_trimmed (out, message->content);
      g_string_append (out, "<end_of_turn>\n");
    }
  g_string_append (out, "<start_of_turn>model\n");

  return TRUE;
}

/* Mistral-7B-Instruct-v0.1 and v0.2, Mixtral-8x7B-Instruct-v0.1 (tokenizer V1): the
 * template of their current tokenizer_config.json, which matches mistral-common. The
 * system text and a blank line go before the first user message. The generation prompt is
 * the closing " [/INST]" itself. */
static gboolean
render_mistral (GString    *out,
                GPtrArray  *messages,
                const char *name,
                GError    **error)
{
  const char *system = NULL;
  guint first = 0;

  if (!check_alternating (messages, name, error))
    return FALSE;

  if (message_at (messages, 0)->role == KILN_ROLE_SYSTEM)
    {
      system = message_at (messages, 0)->content;
      first = 1;
    }

  g_string_append (out, "<s>");
  for (guint i = first; i < messages->len; i++)
    {
      KilnChatMessage *message = message_at (messages, i);

      if (message->role == KILN_ROLE_USER)
        {
          g_string_append (out, " [INST] ");
          if (i == first && system != NULL)
            {
              g_string_append (out, system);
              g_string_append (out, "\n\n");
            }
          g_string_append (out, message->content);
          g_string_append (out, " [/INST]");
        }
      else
        {
          g_string_append_c (out, ' ');
          g_string_append (out, message->content);
          g_string_append (out, "</s>");
        }
    }

  return TRUE;
}

/* deepseek-coder-{1.3b,6.7b,33b}-instruct. Their template writes a system message's
 * content with nothing after it (no newline before "### Instruction:"), and its own
 * default system prompt (ending in a newline) only when the conversation has none. */
#define DEEPSEEK_CODER_BOS "<｜begin▁of▁sentence｜>"
#define DEEPSEEK_CODER_DEFAULT_SYSTEM \
  "You are an AI programming assistant, utilizing the Deepseek Coder model, developed by " \
  "Deepseek Company, and you only answer questions related to computer science. For " \
  "politically sensitive questions, security and privacy issues, and other non-computer " \
  "science questions, you will refuse to answer\n"

static gboolean
render_deepseek_coder (GString    *out,
                       GPtrArray  *messages,
                       const char *name,
                       GError    **error)
{
  gboolean has_system = FALSE;

  for (guint i = 0; i < messages->len; i++)
    {
      if (message_at (messages, i)->role == KILN_ROLE_SYSTEM)
        has_system = TRUE;
    }

  g_string_append (out, DEEPSEEK_CODER_BOS);
  if (!has_system)
    g_string_append (out, DEEPSEEK_CODER_DEFAULT_SYSTEM);

  for (guint i = 0; i < messages->len; i++)
    {
      KilnChatMessage *message = message_at (messages, i);

      switch (message->role)
        {
        case KILN_ROLE_SYSTEM:
          g_string_append (out, message->content);
          break;
        case KILN_ROLE_USER:
          g_string_append (out, "### Instruction:\n");
          g_string_append (out, message->content);
          g_string_append_c (out, '\n');
          break;
        case KILN_ROLE_ASSISTANT:
        default:
          g_string_append (out, "### Response:\n");
          g_string_append (out, message->content);
          g_string_append (out, "\n<|EOT|>\n");
          break;
        }
    }
  g_string_append (out, "### Response:\n");

  return TRUE;
}

/* Phi-3-mini-4k/128k-instruct since their mid-2024 update (the first release dropped
 * system messages) */
static gboolean
render_phi3 (GString    *out,
             GPtrArray  *messages,
             const char *name,
             GError    **error)
{
  for (guint i = 0; i < messages->len; i++)
    {
      KilnChatMessage *message = message_at (messages, i);

      g_string_append_printf (out, "<|%s|>\n", kiln_role_to_string (message->role));
      g_string_append (out, message->content);
      g_string_append (out, "<|end|>\n");
    }
  g_string_append (out, "<|assistant|>\n");

  return TRUE;
}

static const char * const chatml_stop[] = { "<|im_end|>", "<|endoftext|>", NULL };
static const char * const llama3_stop[] = { "<|eot_id|>", "<|end_of_text|>", NULL };
static const char * const gemma_stop[] = { "<end_of_turn>", "<eos>", NULL };
static const char * const mistral_stop[] = { "</s>", NULL };
static const char * const deepseek_coder_stop[] = { "<|EOT|>", NULL };
static const char * const phi3_stop[] = { "<|end|>", "<|endoftext|>", NULL };

static const ChatTemplate templates[] = {
  { "chatml", render_chatml, chatml_stop },
  { "llama3", render_llama3, llama3_stop },
  { "gemma", render_gemma, gemma_stop },
  { "mistral", render_mistral, mistral_stop },
  { "deepseek-coder", render_deepseek_coder, deepseek_coder_stop },
  { "phi3", render_phi3, phi3_stop },
};

static const char * const template_names[] = {
  "chatml", "llama3", "gemma", "mistral", "deepseek-coder", "phi3", NULL,
};

G_STATIC_ASSERT (G_N_ELEMENTS (template_names) == G_N_ELEMENTS (templates) + 1);

static const ChatTemplate *
find_template (const char *name)
{
  if (name == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      if (g_str_equal (templates[i].name, name))
        return &templates[i];
    }

  return NULL;
}

const char * const *
kiln_chat_templates_list (void)
{
  return template_names;
}

gboolean
kiln_chat_template_exists (const char *name)
{
  return find_template (name) != NULL;
}

char *
kiln_chat_template_render (const char  *name,
                           GPtrArray   *messages,
                           GError     **error)
{
  const ChatTemplate *template;
  g_autoptr(GString) out = NULL;
  gboolean has_user = FALSE;

  g_return_val_if_fail (messages != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  template = find_template (name);
  if (template == NULL)
    {
      g_autofree char *known = g_strjoinv (", ", (char **) template_names);

      if (name == NULL)
        g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                     _("No chat template given; the known ones are %s"), known);
      else
        g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                     _("Unknown chat template “%s”; the known ones are %s"), name, known);
      return NULL;
    }

  for (guint i = 0; i < messages->len; i++)
    {
      if (message_at (messages, i)->role == KILN_ROLE_USER)
        has_user = TRUE;
    }
  if (!has_user)
    {
      g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                   _("The conversation for the “%s” chat template has no user message"),
                   template->name);
      return NULL;
    }

  out = g_string_new (NULL);
  if (!template->render (out, messages, template->name, error))
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}

const char * const *
kiln_chat_template_stop_sequences (const char *name)
{
  const ChatTemplate *template = find_template (name);

  return template != NULL ? template->stop : NULL;
}

/* kiln-model.h: one model entry of the registry (models.json)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  KILN_API_OPENAI,     /* POST {base_url}/chat/completions, SSE */
  KILN_API_ANTHROPIC,  /* POST {base_url}/v1/messages, named SSE events */
  KILN_API_TGI,        /* POST {base_url}/generate_stream, prompt built with a chat template */
  KILN_API_OLLAMA,     /* POST {base_url}/api/chat, NDJSON */
} KilnApi;

const char *kiln_api_to_string   (KilnApi     api);    /* "openai", ... */
gboolean    kiln_api_from_string (const char *text,
                                  KilnApi    *api);

#define KILN_TYPE_MODEL (kiln_model_get_type ())

/* Plain data, refcounted; treat as immutable once in the registry. */
typedef struct _KilnModel
{
  char     *id;               /* unique, e.g. "gpt-5-mini" */
  char     *label;            /* shown to people, e.g. "GPT-5 mini" */
  char     *provider;         /* group in the dropdown, e.g. "OpenAI", "Ollama (local)" */
  KilnApi   api;
  char     *base_url;         /* without trailing slash */
  char     *model;            /* the name the server knows it by */
  char     *key_env;          /* environment variable holding the key; NULL: no key needed */
  char     *chat_template;    /* tgi only: "chatml", "llama3", ... */
  gint64    max_tokens;       /* 0: the server's default (Anthropic needs one: 8192 then) */
  double    temperature;      /* < 0: the server's default */
  double    price_in_per_mtok;   /* USD per million input tokens; < 0: unknown */
  double    price_out_per_mtok;
  guint     max_retries;      /* default 2 */
  gboolean  allow_insecure;   /* plain http to a remote host */
  char     *origin;           /* "built-in", a file path, or "discovered" */
  /*< private >*/
  gatomicrefcount ref_count;
} KilnModel;

GType      kiln_model_get_type (void) G_GNUC_CONST;
KilnModel *kiln_model_new      (void);   /* defaults filled in */
KilnModel *kiln_model_ref      (KilnModel *self);
void       kiln_model_unref    (KilnModel *self);
KilnModel *kiln_model_copy     (const KilnModel *self);

/* TRUE when base_url points at this machine (127.0.0.0/8, ::1, localhost). */
gboolean   kiln_model_is_local (const KilnModel *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnModel, kiln_model_unref)

/* A chat message. */
typedef enum
{
  KILN_ROLE_SYSTEM,
  KILN_ROLE_USER,
  KILN_ROLE_ASSISTANT,
} KilnRole;

typedef struct _KilnChatMessage
{
  KilnRole  role;
  char     *content;
} KilnChatMessage;

KilnChatMessage *kiln_chat_message_new  (KilnRole         role,
                                         const char      *content);
void             kiln_chat_message_free (KilnChatMessage *self);
const char      *kiln_role_to_string    (KilnRole         role);  /* "system", "user", "assistant" */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnChatMessage, kiln_chat_message_free)

G_END_DECLS

/* kiln-model.c: one model entry of the registry, and chat messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "kiln-model.h"

G_DEFINE_BOXED_TYPE (KilnModel, kiln_model, kiln_model_ref, kiln_model_unref)

static const char * const api_names[] = {
  [KILN_API_OPENAI] = "openai",
  [KILN_API_ANTHROPIC] = "anthropic",
  [KILN_API_TGI] = "tgi",
  [KILN_API_OLLAMA] = "ollama",
};

const char *
kiln_api_to_string (KilnApi api)
{
  if ((guint) api >= G_N_ELEMENTS (api_names))
    return "unknown";

  return api_names[api];
}

gboolean
kiln_api_from_string (const char *text,
                      KilnApi    *api)
{
  g_return_val_if_fail (api != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (api_names); i++)
    {
      if (g_str_equal (text, api_names[i]))
        {
          *api = (KilnApi) i;
          return TRUE;
        }
    }

  return FALSE;
}

KilnModel *
kiln_model_new (void)
{
  KilnModel *self = g_new0 (KilnModel, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->api = KILN_API_OPENAI;
  self->max_tokens = 0;
  self->temperature = -1;
  self->price_in_per_mtok = -1;
  self->price_out_per_mtok = -1;
  self->max_retries = 2;
  self->allow_insecure = FALSE;

  return self;
}

KilnModel *
kiln_model_ref (KilnModel *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
kiln_model_unref (KilnModel *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->id);
  g_free (self->label);
  g_free (self->provider);
  g_free (self->base_url);
  g_free (self->model);
  g_free (self->key_env);
  g_free (self->chat_template);
  g_free (self->origin);
  g_free (self);
}

KilnModel *
kiln_model_copy (const KilnModel *self)
{
  KilnModel *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = kiln_model_new ();
  copy->id = g_strdup (self->id);
  copy->label = g_strdup (self->label);
  copy->provider = g_strdup (self->provider);
  copy->api = self->api;
  copy->base_url = g_strdup (self->base_url);
  copy->model = g_strdup (self->model);
  copy->key_env = g_strdup (self->key_env);
  copy->chat_template = g_strdup (self->chat_template);
  copy->max_tokens = self->max_tokens;
  copy->temperature = self->temperature;
  copy->price_in_per_mtok = self->price_in_per_mtok;
  copy->price_out_per_mtok = self->price_out_per_mtok;
  copy->max_retries = self->max_retries;
  copy->allow_insecure = self->allow_insecure;
  copy->origin = g_strdup (self->origin);

  return copy;
}

gboolean
kiln_model_is_local (const KilnModel *self)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *host = NULL;
  gsize len;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->base_url == NULL)
    return FALSE;

  uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return FALSE;

  /* GUri gives IPv6 literals without their brackets; be tolerant of both */
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  len = strlen (host);
  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    {
      memmove (host, host + 1, len - 2);
      host[len - 2] = '\0';
      len -= 2;
    }
  /* a fully qualified name may end with a dot */
  if (len > 1 && host[len - 1] == '.')
    host[--len] = '\0';

  /* RFC 6761: "localhost" and names under it are loopback */
  if (g_str_equal (host, "localhost") || g_str_has_suffix (host, ".localhost"))
    return TRUE;

  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    return FALSE;

  /* 127.0.0.0/8 and ::1 */
  return g_inet_address_get_is_loopback (address);
}

KilnChatMessage *
kiln_chat_message_new (KilnRole    role,
                       const char *content)
{
  KilnChatMessage *self = g_new0 (KilnChatMessage, 1);

  self->role = role;
  self->content = g_strdup (content != NULL ? content : "");

  return self;
}

void
kiln_chat_message_free (KilnChatMessage *self)
{
  if (self == NULL)
    return;

  g_free (self->content);
  g_free (self);
}

const char *
kiln_role_to_string (KilnRole role)
{
  switch (role)
    {
    case KILN_ROLE_SYSTEM:
      return "system";
    case KILN_ROLE_USER:
      return "user";
    case KILN_ROLE_ASSISTANT:
      return "assistant";
    default:
      g_return_val_if_reached ("user");
    }
}

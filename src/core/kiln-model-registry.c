/* kiln-model-registry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "kiln-core-resources.h"
#include "kiln-error.h"
#include "kiln-model-item-private.h"
#include "kiln-model-registry.h"
#include "kiln-models.h"

#define DEFAULT_OLLAMA_URL       "http://127.0.0.1:11434"
#define DEFAULT_LOCAL_OPENAI_URL "http://127.0.0.1:8080/v1"
#define PROBE_TIMEOUT_MS         1500

typedef enum
{
  SERVER_UNKNOWN,
  SERVER_UP,
  SERVER_DOWN,
} ServerState;

/* A server on this machine, keyed by "api base_url". */
typedef struct
{
  KilnApi      api;
  char        *base_url;
  ServerState  state;
  GPtrArray   *names;   /* model names it serves, when it said; else NULL */
} Server;

struct _KilnModelRegistry
{
  GObject       parent_instance;

  KilnKeyStore *key_store;
  char         *user_file;
  char         *override_file;
  char         *ollama_url;
  char         *local_openai_url;

  GPtrArray    *items;          /* KilnModelItem: configured, then discovered */
  guint         n_configured;
  GPtrArray    *errors;         /* GError */
  GHashTable   *servers;        /* "api base_url" → Server */
  GHashTable   *keys;           /* key_env → GINT_TO_POINTER (found); absent: not known yet */

  SoupSession  *session;
};

static void kiln_model_registry_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KilnModelRegistry, kiln_model_registry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      kiln_model_registry_list_model_init))

enum {
  PROP_0,
  PROP_KEY_STORE,
  PROP_USER_FILE,
  PROP_OVERRIDE_FILE,
  PROP_OLLAMA_URL,
  PROP_LOCAL_OPENAI_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The work of one load or discovery: it completes when every check is back. */
typedef struct
{
  guint pending;
} Round;

static void
server_free (gpointer data)
{
  Server *server = data;

  g_free (server->base_url);
  g_clear_pointer (&server->names, g_ptr_array_unref);
  g_free (server);
}

static char *
server_key (KilnApi     api,
            const char *base_url)
{
  return g_strdup_printf ("%s %s", kiln_api_to_string (api), base_url);
}

static char *
strip_url (const char *url)
{
  char *copy = g_strdup (url != NULL ? url : "");
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';

  return copy;
}

/* "~/.config/kiln/models.json" reads better than the full path. */
static char *
display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize len = home != NULL ? strlen (home) : 0;

  if (len > 1 && g_str_has_prefix (path, home) && path[len] == G_DIR_SEPARATOR)
    return g_strconcat ("~", path + len, NULL);

  return g_strdup (path);
}

/* --- GListModel --- */

static GType
kiln_model_registry_get_item_type (GListModel *list)
{
  return KILN_TYPE_MODEL_ITEM;
}

static guint
kiln_model_registry_get_n_items (GListModel *list)
{
  return KILN_MODEL_REGISTRY (list)->items->len;
}

static gpointer
kiln_model_registry_get_item (GListModel *list,
                              guint       position)
{
  KilnModelRegistry *self = KILN_MODEL_REGISTRY (list);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
kiln_model_registry_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = kiln_model_registry_get_item_type;
  iface->get_n_items = kiln_model_registry_get_n_items;
  iface->get_item = kiln_model_registry_get_item;
}

/* --- availability --- */

/* Ollama: "llama3" is "llama3:latest". */
static gboolean
same_model_name (KilnApi     api,
                 const char *configured,
                 const char *served)
{
  gsize len;

  if (configured == NULL || served == NULL)
    return FALSE;

  if (g_str_equal (configured, served))
    return TRUE;

  len = strlen (configured);
  return api == KILN_API_OLLAMA && strchr (configured, ':') == NULL
    && strncmp (served, configured, len) == 0 && g_str_equal (served + len, ":latest");
}

static gboolean
server_serves (Server     *server,
               const char *name)
{
  if (server->names == NULL)
    return TRUE;  /* it did not say: assume it does */

  for (guint i = 0; i < server->names->len; i++)
    {
      if (same_model_name (server->api, name, g_ptr_array_index (server->names, i)))
        return TRUE;
    }

  return FALSE;
}

static void
update_item (KilnModelRegistry *self,
             KilnModelItem     *item)
{
  KilnModel *model = kiln_model_item_get_model (item);
  g_autofree char *hint = NULL;

  if (model->base_url == NULL || model->base_url[0] == '\0')
    {
      g_autofree char *file = display_path (self->override_file != NULL
                                            ? self->override_file : self->user_file);

      hint = g_strdup_printf (_("Set the endpoint URL in %s"), file);
    }
  else if (model->key_env != NULL)
    {
      gpointer found;

      if (!g_hash_table_lookup_extended (self->keys, model->key_env, NULL, &found))
        hint = g_strdup (_("Looking for the key…"));
      else if (!GPOINTER_TO_INT (found))
        hint = g_strdup_printf (_("Set %s or add the key in Preferences"), model->key_env);
    }

  if (hint == NULL && kiln_model_is_local (model))
    {
      g_autofree char *key = server_key (model->api, model->base_url);
      Server *server = g_hash_table_lookup (self->servers, key);

      if (server == NULL || server->state == SERVER_UNKNOWN)
        hint = g_strdup (_("Looking for the server…"));
      else if (server->state == SERVER_DOWN && model->api == KILN_API_OLLAMA)
        hint = g_strdup (_("Start Ollama (ollama serve)"));
      else if (server->state == SERVER_DOWN)
        hint = g_strdup_printf (_("Start the server at %s"), model->base_url);
      else if (model->model != NULL && model->model[0] != '\0'
               && model->api == KILN_API_OLLAMA && !server_serves (server, model->model))
        hint = g_strdup_printf (_("Download the model: ollama pull %s"), model->model);
    }

  _kiln_model_item_set_availability (item, hint == NULL, hint);
}

static void
update_all_items (KilnModelRegistry *self)
{
  for (guint i = 0; i < self->items->len; i++)
    update_item (self, g_ptr_array_index (self->items, i));
}

/* --- servers --- */

static void
add_server (GHashTable *servers,
            GHashTable *old_servers,
            KilnApi     api,
            const char *base_url)
{
  g_autofree char *key = server_key (api, base_url);
  g_autofree char *old_key = NULL;
  Server *server;

  if (base_url[0] == '\0' || g_hash_table_contains (servers, key))
    return;

  /* Keep what the last round learnt until this one knows better, so a refresh does not
   * make available models flicker. */
  if (!g_hash_table_steal_extended (old_servers, key, (gpointer *) &old_key,
                                    (gpointer *) &server))
    {
      server = g_new0 (Server, 1);
      server->api = api;
      server->base_url = g_strdup (base_url);
      server->state = SERVER_UNKNOWN;
    }
  g_hash_table_insert (servers, g_steal_pointer (&key), server);
}

static void
reset_servers (KilnModelRegistry *self)
{
  g_autoptr(GHashTable) old_servers = g_steal_pointer (&self->servers);

  self->servers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, server_free);
  add_server (self->servers, old_servers, KILN_API_OLLAMA, self->ollama_url);
  add_server (self->servers, old_servers, KILN_API_OPENAI, self->local_openai_url);

  for (guint i = 0; i < self->n_configured; i++)
    {
      KilnModel *model = kiln_model_item_get_model (g_ptr_array_index (self->items, i));

      if (kiln_model_is_local (model))
        add_server (self->servers, old_servers, model->api, model->base_url);
    }
}

/* Lists the discovered models; skips those a configured entry already names. */
static GPtrArray *
collect_discovered (KilnModelRegistry *self,
                    KilnApi            api,
                    const char        *base_url,
                    const char        *id_prefix,
                    const char        *provider,
                    GPtrArray         *models)
{
  g_autofree char *key = server_key (api, base_url);
  Server *server = g_hash_table_lookup (self->servers, key);

  if (server == NULL || server->state != SERVER_UP || server->names == NULL)
    return models;

  for (guint i = 0; i < server->names->len; i++)
    {
      const char *name = g_ptr_array_index (server->names, i);
      g_autofree char *id = g_strconcat (id_prefix, name, NULL);
      gboolean known = FALSE;
      KilnModel *model;

      for (guint j = 0; j < self->n_configured && !known; j++)
        {
          KilnModel *configured = kiln_model_item_get_model (g_ptr_array_index (self->items, j));

          known = g_str_equal (configured->id, id)
            || (configured->api == api && g_str_equal (configured->base_url, base_url)
                && same_model_name (api, configured->model, name));
        }

      for (guint j = 0; j < models->len && !known; j++)
        known = g_str_equal (((KilnModel *) g_ptr_array_index (models, j))->id, id);

      if (known)
        continue;

      model = kiln_model_new ();
      model->id = g_steal_pointer (&id);
      model->label = g_strdup (name);
      model->provider = g_strdup (provider);
      model->api = api;
      model->base_url = g_strdup (base_url);
      model->model = g_strdup (name);
      model->max_retries = 1;
      model->origin = g_strdup ("discovered");
      g_ptr_array_add (models, model);
    }

  return models;
}

static void
update_discovered (KilnModelRegistry *self)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
  guint n_old = self->items->len - self->n_configured;
  gboolean same;

  collect_discovered (self, KILN_API_OLLAMA, self->ollama_url, "ollama/",
                      _("Ollama (local)"), models);
  collect_discovered (self, KILN_API_OPENAI, self->local_openai_url, "local/",
                      _("Local server"), models);

  /* Keep the items when nothing changed, so a selection survives a refresh. */
  same = n_old == models->len;
  for (guint i = 0; same && i < models->len; i++)
    {
      KilnModelItem *item = g_ptr_array_index (self->items, self->n_configured + i);

      same = g_str_equal (kiln_model_item_get_id (item),
                          ((KilnModel *) g_ptr_array_index (models, i))->id);
    }
  if (same)
    return;

  g_ptr_array_remove_range (self->items, self->n_configured, n_old);
  for (guint i = 0; i < models->len; i++)
    g_ptr_array_add (self->items, kiln_model_item_new (g_ptr_array_index (models, i)));

  g_list_model_items_changed (G_LIST_MODEL (self), self->n_configured, n_old, models->len);
}

/* --- a round of checks --- */

static void
round_finish_one (GTask *task)
{
  KilnModelRegistry *self = g_task_get_source_object (task);
  Round *round = g_task_get_task_data (task);

  g_assert (round->pending > 0);
  if (--round->pending > 0)
    return;

  update_discovered (self);
  update_all_items (self);
  g_signal_emit (self, signals[CHANGED], 0);

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

typedef struct
{
  GTask        *task;
  char         *server_key;
  GCancellable *cancellable;
  SoupMessage  *message;
  guint         timeout_id;
} Probe;

static void
probe_free (Probe *probe)
{
  g_clear_handle_id (&probe->timeout_id, g_source_remove);
  g_clear_object (&probe->task);
  g_clear_object (&probe->cancellable);
  g_clear_object (&probe->message);
  g_free (probe->server_key);
  g_free (probe);
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  Probe *probe = user_data;

  probe->timeout_id = 0;
  g_cancellable_cancel (probe->cancellable);

  return G_SOURCE_REMOVE;
}

/* {"models": [{"name": ...}]} (Ollama) or {"data": [{"id": ...}]} (OpenAI). */
static GPtrArray *
read_model_names (GBytes     *body,
                  const char *list_member,
                  const char *name_member)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) names = NULL;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);
  JsonNode *root;
  JsonObject *object;
  JsonArray *list;

  if (size == 0 || !g_utf8_validate_len (data, size, NULL)
      || !json_parser_load_from_data (parser, data, (gssize) size, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  object = json_node_get_object (root);
  if (!json_object_has_member (object, list_member)
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, list_member)))
    return NULL;

  list = json_object_get_array_member (object, list_member);
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonNode *name;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      name = json_object_get_member (json_node_get_object (node), name_member);
      if (name != NULL && JSON_NODE_HOLDS_VALUE (name)
          && json_node_get_value_type (name) == G_TYPE_STRING
          && json_node_get_string (name)[0] != '\0')
        g_ptr_array_add (names, g_strdup (json_node_get_string (name)));
    }

  return g_steal_pointer (&names);
}

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Probe *probe = user_data;
  KilnModelRegistry *self = g_task_get_source_object (probe->task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  Server *server;
  GTask *task;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);

  server = g_hash_table_lookup (self->servers, probe->server_key);
  if (server != NULL)
    {
      g_clear_pointer (&server->names, g_ptr_array_unref);

      if (body == NULL)
        {
          g_debug ("No server at %s: %s", server->base_url, error->message);
          server->state = SERVER_DOWN;
        }
      else
        {
          guint status = soup_message_get_status (probe->message);

          /* Any HTTP answer means something listens there. */
          g_debug ("Server at %s answered %u", server->base_url, status);
          server->state = SERVER_UP;
          if (status == SOUP_STATUS_OK && server->api == KILN_API_OLLAMA)
            server->names = read_model_names (body, "models", "name");
          else if (status == SOUP_STATUS_OK && server->api == KILN_API_OPENAI)
            server->names = read_model_names (body, "data", "id");
        }
    }

  task = g_steal_pointer (&probe->task);
  probe_free (probe);
  round_finish_one (task);
  g_object_unref (task);
}

static void
start_probe (KilnModelRegistry *self,
             GTask             *task,
             const char        *key,
             Server            *server)
{
  Round *round = g_task_get_task_data (task);
  g_autofree char *url = NULL;
  Probe *probe;

  switch (server->api)
    {
    case KILN_API_OLLAMA:
      url = g_strconcat (server->base_url, "/api/tags", NULL);
      break;

    case KILN_API_OPENAI:
      url = g_strconcat (server->base_url, "/models", NULL);
      break;

    case KILN_API_TGI:
      url = g_strconcat (server->base_url, "/info", NULL);
      break;

    case KILN_API_ANTHROPIC:
    default:
      url = g_strconcat (server->base_url, "/v1/models", NULL);
      break;
    }

  probe = g_new0 (Probe, 1);
  probe->message = soup_message_new (SOUP_METHOD_GET, url);
  if (probe->message == NULL)
    {
      g_free (probe);
      server->state = SERVER_DOWN;
      return;
    }

  probe->task = g_object_ref (task);
  probe->server_key = g_strdup (key);
  probe->cancellable = g_cancellable_new ();
  probe->timeout_id = g_timeout_add (PROBE_TIMEOUT_MS, probe_timeout_cb, probe);
  round->pending++;

  soup_session_send_and_read_async (self->session, probe->message, G_PRIORITY_DEFAULT,
                                    probe->cancellable, probe_cb, probe);
}

static void
start_probes (KilnModelRegistry *self,
              GTask             *task)
{
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_hash_table_iter_init (&iter, self->servers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    start_probe (self, task, key, value);
}

typedef struct
{
  KilnModelRegistry *self;
  GTask             *task;      /* NULL outside a round: a key changed */
  char              *key_name;
} KeyCheck;

static void
key_check_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  KeyCheck *check = user_data;
  KilnModelRegistry *self = check->self;
  g_autoptr(GError) error = NULL;
  char *key;

  key = kiln_key_store_lookup_finish (KILN_KEY_STORE (object), result, NULL, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_hash_table_insert (self->keys, g_strdup (check->key_name), GINT_TO_POINTER (key != NULL));
  kiln_key_free (key);

  if (check->task != NULL)
    {
      round_finish_one (check->task);
      g_object_unref (check->task);
    }
  else
    {
      update_all_items (self);
      g_signal_emit (self, signals[CHANGED], 0);
    }

  g_object_unref (check->self);
  g_free (check->key_name);
  g_free (check);
}

static void
start_key_check (KilnModelRegistry *self,
                 GTask             *task,
                 const char        *key_name)
{
  KeyCheck *check = g_new0 (KeyCheck, 1);

  check->self = g_object_ref (self);
  check->task = task != NULL ? g_object_ref (task) : NULL;
  check->key_name = g_strdup (key_name);
  kiln_key_store_lookup_async (self->key_store, key_name,
                               task != NULL ? g_task_get_cancellable (task) : NULL,
                               key_check_cb, check);
}

static void
start_key_checks (KilnModelRegistry *self,
                  GTask             *task)
{
  Round *round = g_task_get_task_data (task);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_remove_all (self->keys);

  for (guint i = 0; i < self->n_configured; i++)
    {
      KilnModel *model = kiln_model_item_get_model (g_ptr_array_index (self->items, i));

      if (model->key_env == NULL || !g_hash_table_add (names, model->key_env))
        continue;

      if (self->key_store == NULL)
        {
          const char *value = g_getenv (model->key_env);

          g_hash_table_insert (self->keys, g_strdup (model->key_env),
                               GINT_TO_POINTER (value != NULL && value[0] != '\0'));
          continue;
        }

      round->pending++;
      start_key_check (self, task, model->key_env);
    }
}

/* Starts the checks of a round; the task completes when they are all back. Takes
 * @task: each check holds its own reference. */
static void
run_round (KilnModelRegistry *self,
           GTask             *task_owned,
           gboolean           check_keys)
{
  g_autoptr(GTask) task = task_owned;
  Round *round = g_task_get_task_data (task);

  /* Hold one count while starting, so a check that finishes at once cannot end it. */
  round->pending = 1;
  if (check_keys)
    start_key_checks (self, task);
  start_probes (self, task);
  update_all_items (self);
  round_finish_one (task);
}

/* A key was stored or cleared in Preferences. */
static void
on_key_store_changed (KilnKeyStore      *key_store,
                      const char        *key_name,
                      KilnModelRegistry *self)
{
  start_key_check (self, NULL, key_name);
}

/* --- loading --- */

static void
set_configured (KilnModelRegistry *self,
                GPtrArray         *models,
                GPtrArray         *errors)
{
  guint n_old = self->items->len;

  g_ptr_array_set_size (self->items, 0);
  for (guint i = 0; i < models->len; i++)
    g_ptr_array_add (self->items, kiln_model_item_new (g_ptr_array_index (models, i)));
  self->n_configured = models->len;

  g_ptr_array_unref (self->errors);
  self->errors = g_ptr_array_ref (errors);

  reset_servers (self);
  g_hash_table_remove_all (self->keys);
  update_all_items (self);

  g_list_model_items_changed (G_LIST_MODEL (self), 0, n_old, self->items->len);
}

/* Entries of @added replace those of @models with the same id, or come after them. */
static void
merge_models (GPtrArray *models,
              GPtrArray *added)
{
  for (guint i = 0; i < added->len; i++)
    {
      KilnModel *model = g_ptr_array_index (added, i);
      gboolean replaced = FALSE;

      for (guint j = 0; j < models->len && !replaced; j++)
        {
          KilnModel *old = g_ptr_array_index (models, j);

          if (g_str_equal (old->id, model->id))
            {
              g_ptr_array_index (models, j) = kiln_model_ref (model);
              kiln_model_unref (old);
              replaced = TRUE;
            }
        }

      if (!replaced)
        g_ptr_array_add (models, kiln_model_ref (model));
    }
}

static GPtrArray *
new_model_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
}

static GPtrArray *
new_error_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
}

static void
load_file_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KilnModelRegistry *self = g_task_get_source_object (task);
  GFile *file = G_FILE (object);
  gboolean is_override = self->override_file != NULL;
  g_autoptr(GPtrArray) models = new_model_array ();
  g_autoptr(GPtrArray) errors = new_error_array ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *origin = display_path (path);
  gsize length = 0;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!is_override)
    {
      g_autoptr(GBytes) builtin = NULL;
      g_autoptr(GError) resource_error = NULL;
      gsize size = 0;
      const char *data;

      /* The core's own resource, which also keeps it linked into the binary. */
      builtin = g_resource_lookup_data (kiln_core_get_resource (), KILN_MODELS_RESOURCE_PATH,
                                        G_RESOURCE_LOOKUP_FLAGS_NONE, &resource_error);
      if (builtin == NULL)
        g_error ("The built-in models are missing from the resource: %s",
                 resource_error->message);
      data = g_bytes_get_data (builtin, &size);
      kiln_models_parse (data, size, "built-in", models, errors);
    }

  if (g_file_load_contents_finish (file, result, &contents, &length, NULL, &error))
    {
      g_autoptr(GPtrArray) added = new_model_array ();

      if (!kiln_models_parse (contents, length, origin, added, errors) && is_override)
        error = g_error_copy (g_ptr_array_index (errors, errors->len - 1));
      merge_models (models, added);
    }
  else if (!is_override && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_debug ("No %s: using the built-in models", origin);
      g_clear_error (&error);
    }
  else
    {
      GError *read_error = g_error_new (KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY,
                                        _("Could not read %s: %s"), origin, error->message);

      g_ptr_array_add (errors, read_error);
      g_clear_error (&error);
      if (is_override)
        error = g_error_copy (read_error);
    }

  for (guint i = 0; i < errors->len; i++)
    g_debug ("%s", ((GError *) g_ptr_array_index (errors, i))->message);

  set_configured (self, models, errors);

  if (error != NULL)
    {
      g_signal_emit (self, signals[CHANGED], 0);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  run_round (self, g_steal_pointer (&task), TRUE);
}

void
kiln_model_registry_load_async (KilnModelRegistry   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFile) file = NULL;

  g_return_if_fail (KILN_IS_MODEL_REGISTRY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_model_registry_load_async);
  g_task_set_task_data (task, g_new0 (Round, 1), g_free);

  file = g_file_new_for_path (self->override_file != NULL ? self->override_file
                                                          : self->user_file);
  g_file_load_contents_async (file, cancellable, load_file_cb, g_steal_pointer (&task));
}

gboolean
kiln_model_registry_load_finish (KilnModelRegistry  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
kiln_model_registry_discover_async (KilnModelRegistry   *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KILN_IS_MODEL_REGISTRY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_model_registry_discover_async);
  g_task_set_task_data (task, g_new0 (Round, 1), g_free);

  /* The URLs may have changed since the load. */
  reset_servers (self);
  run_round (self, g_steal_pointer (&task), FALSE);
}

gboolean
kiln_model_registry_discover_finish (KilnModelRegistry  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- accessors --- */

GPtrArray *
kiln_model_registry_get_errors (KilnModelRegistry *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), NULL);

  return self->errors;
}

GPtrArray *
kiln_model_registry_dup_models (KilnModelRegistry *self)
{
  GPtrArray *models;

  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), NULL);

  models = new_model_array ();
  for (guint i = 0; i < self->items->len; i++)
    g_ptr_array_add (models,
                     kiln_model_ref (kiln_model_item_get_model (g_ptr_array_index (self->items,
                                                                                   i))));

  return models;
}

KilnModelItem *
kiln_model_registry_lookup_item (KilnModelRegistry *self,
                                 const char        *id)
{
  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      KilnModelItem *item = g_ptr_array_index (self->items, i);

      if (g_str_equal (kiln_model_item_get_id (item), id))
        return item;
    }

  return NULL;
}

KilnModel *
kiln_model_registry_lookup (KilnModelRegistry  *self,
                            const char         *id,
                            GError            **error)
{
  KilnModelItem *item;

  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  item = kiln_model_registry_lookup_item (self, id);
  if (item == NULL)
    {
      g_set_error (error, KILN_ERROR, KILN_ERROR_UNKNOWN_MODEL,
                   _("No model “%s”: “kiln-cli models” lists the models Kiln knows"), id);
      return NULL;
    }

  return kiln_model_ref (kiln_model_item_get_model (item));
}

KilnKeyStore *
kiln_model_registry_get_key_store (KilnModelRegistry *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), NULL);

  return self->key_store;
}

const char *
kiln_model_registry_get_user_file (KilnModelRegistry *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), NULL);

  return self->user_file;
}

void
kiln_model_registry_set_user_file (KilnModelRegistry *self,
                                   const char        *path)
{
  g_autofree char *value = NULL;

  g_return_if_fail (KILN_IS_MODEL_REGISTRY (self));

  value = path != NULL && path[0] != '\0'
    ? g_strdup (path)
    : g_build_filename (g_get_user_config_dir (), "kiln", "models.json", NULL);
  if (g_strcmp0 (self->user_file, value) == 0)
    return;

  g_free (self->user_file);
  self->user_file = g_steal_pointer (&value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_FILE]);
}

const char *
kiln_model_registry_get_override_file (KilnModelRegistry *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), NULL);

  return self->override_file;
}

void
kiln_model_registry_set_override_file (KilnModelRegistry *self,
                                       const char        *path)
{
  g_return_if_fail (KILN_IS_MODEL_REGISTRY (self));

  if (path != NULL && path[0] == '\0')
    path = NULL;
  if (g_strcmp0 (self->override_file, path) == 0)
    return;

  g_free (self->override_file);
  self->override_file = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERRIDE_FILE]);
}

const char *
kiln_model_registry_get_ollama_url (KilnModelRegistry *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), NULL);

  return self->ollama_url;
}

void
kiln_model_registry_set_ollama_url (KilnModelRegistry *self,
                                    const char        *url)
{
  g_autofree char *value = NULL;

  g_return_if_fail (KILN_IS_MODEL_REGISTRY (self));

  value = strip_url (url != NULL && url[0] != '\0' ? url : DEFAULT_OLLAMA_URL);
  if (g_strcmp0 (self->ollama_url, value) == 0)
    return;

  g_free (self->ollama_url);
  self->ollama_url = g_steal_pointer (&value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OLLAMA_URL]);
}

const char *
kiln_model_registry_get_local_openai_url (KilnModelRegistry *self)
{
  g_return_val_if_fail (KILN_IS_MODEL_REGISTRY (self), NULL);

  return self->local_openai_url;
}

void
kiln_model_registry_set_local_openai_url (KilnModelRegistry *self,
                                          const char        *url)
{
  g_autofree char *value = NULL;

  g_return_if_fail (KILN_IS_MODEL_REGISTRY (self));

  value = strip_url (url != NULL && url[0] != '\0' ? url : DEFAULT_LOCAL_OPENAI_URL);
  if (g_strcmp0 (self->local_openai_url, value) == 0)
    return;

  g_free (self->local_openai_url);
  self->local_openai_url = g_steal_pointer (&value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCAL_OPENAI_URL]);
}

/* --- GObject --- */

static void
kiln_model_registry_constructed (GObject *object)
{
  KilnModelRegistry *self = KILN_MODEL_REGISTRY (object);

  G_OBJECT_CLASS (kiln_model_registry_parent_class)->constructed (object);

  /* The environment fills in what the caller left unset. */
  if (self->user_file == NULL)
    kiln_model_registry_set_user_file (self, NULL);
  if (self->override_file == NULL)
    kiln_model_registry_set_override_file (self, g_getenv ("KILN_MODELS_FILE"));
  if (self->ollama_url == NULL)
    kiln_model_registry_set_ollama_url (self, g_getenv ("KILN_OLLAMA_URL"));
  if (self->local_openai_url == NULL)
    kiln_model_registry_set_local_openai_url (self, g_getenv ("KILN_LOCAL_OPENAI_URL"));

  if (self->key_store != NULL)
    g_signal_connect_object (self->key_store, "changed",
                             G_CALLBACK (on_key_store_changed), self, G_CONNECT_DEFAULT);
}

static void
kiln_model_registry_dispose (GObject *object)
{
  KilnModelRegistry *self = KILN_MODEL_REGISTRY (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->key_store);

  G_OBJECT_CLASS (kiln_model_registry_parent_class)->dispose (object);
}

static void
kiln_model_registry_finalize (GObject *object)
{
  KilnModelRegistry *self = KILN_MODEL_REGISTRY (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->errors, g_ptr_array_unref);
  g_clear_pointer (&self->servers, g_hash_table_unref);
  g_clear_pointer (&self->keys, g_hash_table_unref);
  g_clear_pointer (&self->user_file, g_free);
  g_clear_pointer (&self->override_file, g_free);
  g_clear_pointer (&self->ollama_url, g_free);
  g_clear_pointer (&self->local_openai_url, g_free);

  G_OBJECT_CLASS (kiln_model_registry_parent_class)->finalize (object);
}

static void
kiln_model_registry_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  KilnModelRegistry *self = KILN_MODEL_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_KEY_STORE:
      g_value_set_object (value, self->key_store);
      break;

    case PROP_USER_FILE:
      g_value_set_string (value, self->user_file);
      break;

    case PROP_OVERRIDE_FILE:
      g_value_set_string (value, self->override_file);
      break;

    case PROP_OLLAMA_URL:
      g_value_set_string (value, self->ollama_url);
      break;

    case PROP_LOCAL_OPENAI_URL:
      g_value_set_string (value, self->local_openai_url);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_model_registry_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  KilnModelRegistry *self = KILN_MODEL_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_KEY_STORE:
      self->key_store = g_value_dup_object (value);
      break;

    case PROP_USER_FILE:
      if (g_value_get_string (value) != NULL)
        kiln_model_registry_set_user_file (self, g_value_get_string (value));
      break;

    case PROP_OVERRIDE_FILE:
      kiln_model_registry_set_override_file (self, g_value_get_string (value));
      break;

    case PROP_OLLAMA_URL:
      if (g_value_get_string (value) != NULL)
        kiln_model_registry_set_ollama_url (self, g_value_get_string (value));
      break;

    case PROP_LOCAL_OPENAI_URL:
      if (g_value_get_string (value) != NULL)
        kiln_model_registry_set_local_openai_url (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_model_registry_class_init (KilnModelRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = kiln_model_registry_constructed;
  object_class->dispose = kiln_model_registry_dispose;
  object_class->finalize = kiln_model_registry_finalize;
  object_class->get_property = kiln_model_registry_get_property;
  object_class->set_property = kiln_model_registry_set_property;

  properties[PROP_KEY_STORE] =
    g_param_spec_object ("key-store", NULL, NULL, KILN_TYPE_KEY_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The string properties take effect at the next load (files) or discovery (URLs). */
  properties[PROP_USER_FILE] =
    g_param_spec_string ("user-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERRIDE_FILE] =
    g_param_spec_string ("override-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OLLAMA_URL] =
    g_param_spec_string ("ollama-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCAL_OPENAI_URL] =
    g_param_spec_string ("local-openai-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
kiln_model_registry_init (KilnModelRegistry *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->errors = new_error_array ();
  self->servers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, server_free);
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Every probe goes to this machine: a proxy would only get in the way. */
  self->session = soup_session_new_with_options ("proxy-resolver", NULL,
                                                 "timeout", 5,
                                                 "user-agent", "Kiln/" PACKAGE_VERSION,
                                                 NULL);
}

KilnModelRegistry *
kiln_model_registry_new (KilnKeyStore *key_store)
{
  g_return_val_if_fail (key_store == NULL || KILN_IS_KEY_STORE (key_store), NULL);

  return g_object_new (KILN_TYPE_MODEL_REGISTRY, "key-store", key_store, NULL);
}

/* kiln-draft-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "kiln-draft-store.h"

typedef struct
{
  char     *name;
  char     *pending;  /* queued text not yet handed to a write; NULL when none */
  gboolean  writing;
} Draft;

struct _KilnDraftStore
{
  GObject     parent_instance;

  GFile      *directory;
  GHashTable *drafts;           /* name → Draft */
  GPtrArray  *flush_tasks;      /* GTask waiting for the store to become idle */
  guint       timeout_id;
  guint       directory_ready : 1;
  guint       creating_directory : 1;
};

G_DEFINE_FINAL_TYPE (KilnDraftStore, kiln_draft_store, G_TYPE_OBJECT)

enum {
  SAVE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_writes (KilnDraftStore *self);

static void
draft_free (gpointer data)
{
  Draft *draft = data;

  g_free (draft->name);
  g_free (draft->pending);
  g_free (draft);
}

static gboolean
is_idle (KilnDraftStore *self)
{
  GHashTableIter iter;
  Draft *draft;

  if (self->timeout_id != 0 || self->creating_directory)
    return FALSE;

  g_hash_table_iter_init (&iter, self->drafts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &draft))
    {
      if (draft->pending != NULL || draft->writing)
        return FALSE;
    }

  return TRUE;
}

static void
complete_flushes (KilnDraftStore *self)
{
  g_autoptr(GPtrArray) tasks = NULL;

  if (self->flush_tasks->len == 0 || !is_idle (self))
    return;

  tasks = g_steal_pointer (&self->flush_tasks);
  self->flush_tasks = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < tasks->len; i++)
    g_task_return_boolean (g_ptr_array_index (tasks, i), TRUE);
}

static void
fail (KilnDraftStore *self,
      const GError   *error)
{
  g_debug ("Could not save a draft: %s", error->message);
  g_signal_emit (self, signals[SAVE_FAILED], 0, error);
}

static void
drop_pending (KilnDraftStore *self)
{
  GHashTableIter iter;
  Draft *draft;

  g_hash_table_iter_init (&iter, self->drafts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &draft))
    g_clear_pointer (&draft->pending, g_free);
}

/* Creating the folder and its missing parents, without blocking: try the folder, and when
 * its parent is missing create that first. */
typedef struct
{
  GFile *directory;
  GList *waiting;  /* GFile still to create after directory, innermost last */
} MakeDirs;

static void make_directory_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data);

static void
make_next_directory (GTask *task)
{
  MakeDirs *state = g_task_get_task_data (task);

  g_file_make_directory_async (state->directory, G_PRIORITY_DEFAULT,
                               g_task_get_cancellable (task), make_directory_cb, task);
}

static void
make_directory_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MakeDirs *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) parent = NULL;

  if (!g_file_make_directory_finish (G_FILE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
          (parent = g_file_get_parent (state->directory)) != NULL)
        {
          state->waiting = g_list_prepend (state->waiting, state->directory);
          state->directory = g_steal_pointer (&parent);
          make_next_directory (g_steal_pointer (&task));
          return;
        }

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (state->waiting != NULL)
    {
      g_object_unref (state->directory);
      state->directory = state->waiting->data;
      state->waiting = g_list_delete_link (state->waiting, state->waiting);
      make_next_directory (g_steal_pointer (&task));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
make_dirs_free (gpointer data)
{
  MakeDirs *state = data;

  g_clear_object (&state->directory);
  g_list_free_full (state->waiting, g_object_unref);
  g_free (state);
}

static void
ensure_directory_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(KilnDraftStore) self = user_data;
  g_autoptr(GError) error = NULL;

  self->creating_directory = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      drop_pending (self);
      fail (self, error);
    }
  else
    {
      self->directory_ready = TRUE;
      start_writes (self);
    }

  complete_flushes (self);
}

static void
ensure_directory (KilnDraftStore *self)
{
  g_autoptr(GTask) task = NULL;
  MakeDirs *state;

  if (self->creating_directory)
    return;

  self->creating_directory = TRUE;

  state = g_new0 (MakeDirs, 1);
  state->directory = g_object_ref (self->directory);

  task = g_task_new (NULL, NULL, ensure_directory_cb, g_object_ref (self));
  g_task_set_source_tag (task, ensure_directory);
  g_task_set_task_data (task, state, make_dirs_free);
  make_next_directory (g_steal_pointer (&task));
}

typedef struct
{
  KilnDraftStore *self;
  char           *name;
  char           *path;
  GBytes         *bytes;
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_clear_object (&data->self);
  g_free (data->name);
  g_free (data->path);
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_free (data);
}

/* g_file_set_contents_full() writes a temporary file and renames it over the draft only
 * when every byte is on disk, so a full disk leaves the previous draft whole.
 * (g_file_replace_contents() renamed a half-written file over it.) */
static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteData *data = task_data;
  GError *error = NULL;
  gsize length;
  const char *contents = g_bytes_get_data (data->bytes, &length);

  if (g_file_set_contents_full (data->path, contents != NULL ? contents : "", (gssize) length,
                                G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  KilnDraftStore *self = KILN_DRAFT_STORE (object);
  WriteData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  Draft *draft;

  draft = g_hash_table_lookup (self->drafts, data->name);
  g_assert (draft != NULL);
  draft->writing = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* The folder may have been removed since; create it again on the next write. */
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        self->directory_ready = FALSE;
      fail (self, error);
    }

  /* Text typed while this write ran waits for its timer, or goes now when none runs. */
  if (draft->pending != NULL && self->timeout_id == 0)
    start_writes (self);

  complete_flushes (self);
}

static void
start_writes (KilnDraftStore *self)
{
  GHashTableIter iter;
  Draft *draft;

  if (!self->directory_ready)
    {
      ensure_directory (self);
      return;
    }

  g_hash_table_iter_init (&iter, self->drafts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &draft))
    {
      g_autoptr(GFile) file = NULL;
      g_autoptr(GTask) task = NULL;
      WriteData *data;
      gsize length;

      if (draft->pending == NULL || draft->writing)
        continue;

      length = strlen (draft->pending);
      file = g_file_get_child (self->directory, draft->name);
      draft->writing = TRUE;

      data = g_new0 (WriteData, 1);
      data->self = g_object_ref (self);
      data->name = g_strdup (draft->name);
      data->path = g_file_get_path (file);
      data->bytes = g_bytes_new_take (g_steal_pointer (&draft->pending), length);

      /* Not cancellable: a draft being written is finished even while the app quits. The
       * task data holds a reference, so the store lives until the write is done. */
      task = g_task_new (self, NULL, write_cb, NULL);
      g_task_set_source_tag (task, start_writes);
      g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);
      g_task_run_in_thread (task, write_thread);
    }
}

static gboolean
timeout_cb (gpointer user_data)
{
  KilnDraftStore *self = user_data;

  self->timeout_id = 0;
  start_writes (self);
  complete_flushes (self);

  return G_SOURCE_REMOVE;
}

static void
kiln_draft_store_dispose (GObject *object)
{
  KilnDraftStore *self = KILN_DRAFT_STORE (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);

  G_OBJECT_CLASS (kiln_draft_store_parent_class)->dispose (object);
}

static void
kiln_draft_store_finalize (GObject *object)
{
  KilnDraftStore *self = KILN_DRAFT_STORE (object);

  g_clear_object (&self->directory);
  g_clear_pointer (&self->drafts, g_hash_table_unref);
  g_clear_pointer (&self->flush_tasks, g_ptr_array_unref);

  G_OBJECT_CLASS (kiln_draft_store_parent_class)->finalize (object);
}

static void
kiln_draft_store_class_init (KilnDraftStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kiln_draft_store_dispose;
  object_class->finalize = kiln_draft_store_finalize;

  /**
   * KilnDraftStore::save-failed:
   * @error: what went wrong
   *
   * A draft could not be written.
   */
  signals[SAVE_FAILED] =
    g_signal_new ("save-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
kiln_draft_store_init (KilnDraftStore *self)
{
  self->drafts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, draft_free);
  self->flush_tasks = g_ptr_array_new_with_free_func (g_object_unref);
}

KilnDraftStore *
kiln_draft_store_new (GFile *directory)
{
  KilnDraftStore *self;

  g_return_val_if_fail (directory == NULL || G_IS_FILE (directory), NULL);

  self = g_object_new (KILN_TYPE_DRAFT_STORE, NULL);

  if (directory != NULL)
    self->directory = g_object_ref (directory);
  else
    self->directory = g_file_new_build_filename (g_get_user_state_dir (), "kiln", NULL);

  return self;
}

GFile *
kiln_draft_store_get_directory (KilnDraftStore *self)
{
  g_return_val_if_fail (KILN_IS_DRAFT_STORE (self), NULL);

  return self->directory;
}

typedef struct
{
  GHashTable *texts;
  GError     *error;
  guint       n_pending;
} LoadState;

static void
load_state_free (gpointer data)
{
  LoadState *state = data;

  g_clear_pointer (&state->texts, g_hash_table_unref);
  g_clear_error (&state->error);
  g_free (state);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoadState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    {
      g_hash_table_insert (state->texts,
                           g_file_get_basename (G_FILE (object)),
                           g_utf8_make_valid (contents, length));
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) && state->error == NULL)
    {
      state->error = g_steal_pointer (&error);
    }

  if (--state->n_pending > 0)
    return;

  if (state->error != NULL)
    g_task_return_error (task, g_steal_pointer (&state->error));
  else
    g_task_return_pointer (task, g_hash_table_ref (state->texts),
                           (GDestroyNotify) g_hash_table_unref);
}

void
kiln_draft_store_load_async (KilnDraftStore      *self,
                             const char * const  *names,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadState *state;

  g_return_if_fail (KILN_IS_DRAFT_STORE (self));
  g_return_if_fail (names != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_draft_store_load_async);

  state = g_new0 (LoadState, 1);
  state->texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  state->n_pending = g_strv_length ((char **) names);
  g_task_set_task_data (task, state, load_state_free);

  if (state->n_pending == 0)
    {
      g_task_return_pointer (task, g_hash_table_ref (state->texts),
                             (GDestroyNotify) g_hash_table_unref);
      return;
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_get_child (self->directory, names[i]);

      g_file_load_contents_async (file, cancellable, load_cb, g_object_ref (task));
    }
}

GHashTable *
kiln_draft_store_load_finish (KilnDraftStore  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (KILN_IS_DRAFT_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
kiln_draft_store_queue (KilnDraftStore *self,
                        const char     *name,
                        const char     *text)
{
  Draft *draft;

  g_return_if_fail (KILN_IS_DRAFT_STORE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (text != NULL);

  draft = g_hash_table_lookup (self->drafts, name);
  if (draft == NULL)
    {
      draft = g_new0 (Draft, 1);
      draft->name = g_strdup (name);
      g_hash_table_insert (self->drafts, draft->name, draft);
    }

  g_free (draft->pending);
  draft->pending = g_strdup (text);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->timeout_id = g_timeout_add (KILN_DRAFT_STORE_DELAY_MS, timeout_cb, self);
}

gboolean
kiln_draft_store_has_pending (KilnDraftStore *self)
{
  g_return_val_if_fail (KILN_IS_DRAFT_STORE (self), FALSE);

  return !is_idle (self);
}

void
kiln_draft_store_flush_async (KilnDraftStore      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KILN_IS_DRAFT_STORE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_draft_store_flush_async);
  g_ptr_array_add (self->flush_tasks, g_steal_pointer (&task));

  if (self->timeout_id != 0)
    {
      g_clear_handle_id (&self->timeout_id, g_source_remove);
      start_writes (self);
    }

  complete_flushes (self);
}

gboolean
kiln_draft_store_flush_finish (KilnDraftStore  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (KILN_IS_DRAFT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
kiln_draft_store_encode_cases (const char * const *cases)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; cases != NULL && cases[i] != NULL; i++)
    if (*cases[i] != '\0')
      json_builder_add_string_value (builder, cases[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, TRUE);
}

char **
kiln_draft_store_decode_cases (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return NULL;

  builder = g_strv_builder_new ();
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          *json_node_get_string (node) != '\0')
        g_strv_builder_add (builder, json_node_get_string (node));
    }

  return g_strv_builder_end (builder);
}

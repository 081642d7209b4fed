/* test-faults.c: faults that must lose nothing — a server that cannot be found, a full or
 * read-only disk, damaged files, quitting in the middle of a run
 *
 * The disk tests mount small tmpfs folders in a private mount namespace, so they need root
 * (or CAP_SYS_ADMIN); elsewhere they are skipped and say why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE /* unshare() */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>

#include <glib/gstdio.h>

#include "kiln-chat-stream.h"
#include "kiln-draft-store.h"
#include "kiln-error.h"
#include "kiln-model-registry.h"
#include "kiln-test-util.h"

#define HELLO_CPP "#include <cstdio>\nint main() { std::puts(\"hello\"); return 0; }\n"

/* Why the disk tests cannot mount, or NULL when they can. */
static char *mount_skip_reason;

/* A fresh tmpfs of @size_kib at a new temporary folder, read-only when asked. */
static char *
mount_tmpfs (guint    size_kib,
             gboolean read_only)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *options = g_strdup_printf ("size=%uk,mode=0755", size_kib);
  char *dir = g_dir_make_tmp ("kiln-faults-XXXXXX", &error);

  g_assert_no_error (error);
  if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0)
    g_error ("mount tmpfs on %s: %s", dir, g_strerror (errno));
  if (read_only && mount ("none", dir, "none", MS_REMOUNT | MS_RDONLY, options) < 0)
    g_error ("remount %s read-only: %s", dir, g_strerror (errno));

  return dir;
}

static void
make_read_only (const char *dir)
{
  if (mount ("none", dir, "none", MS_REMOUNT | MS_RDONLY, NULL) < 0)
    g_error ("remount %s read-only: %s", dir, g_strerror (errno));
}

static void
unmount_tmpfs (char *dir)
{
  if (umount2 (dir, MNT_DETACH) < 0)
    g_warning ("umount %s: %s", dir, g_strerror (errno));
  g_rmdir (dir);
  g_free (dir);
}

/* Writes into @dir until the disk is full. */
static void
fill_disk (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "filler", NULL);
  char block[4096];
  FILE *file = g_fopen (path, "wb");

  g_assert_nonnull (file);
  memset (block, 'x', sizeof block);
  while (fwrite (block, 1, sizeof block, file) == sizeof block && fflush (file) == 0)
    ;
  fclose (file);
}

static gboolean
skip_without_mounts (void)
{
  if (mount_skip_reason == NULL)
    return FALSE;
  g_test_skip (mount_skip_reason);
  return TRUE;
}

/* --- network --------------------------------------------------------------------------- */

/* A host that cannot exist (RFC 6761): a clear message naming it, and no answer invented. */
static void
test_dns_failure (void)
{
  g_autoptr(KilnModel) model = kiln_model_new ();
  g_autoptr(GPtrArray) messages =
    g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_chat_message_free);
  g_autoptr(KilnChatStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };

  model->id = g_strdup ("faults");
  model->label = g_strdup ("Faults");
  model->provider = g_strdup ("Nowhere");
  model->api = KILN_API_OPENAI;
  model->base_url = g_strdup ("https://models.kiln-test.invalid/v1");
  model->model = g_strdup ("m");
  model->max_retries = 0;
  g_ptr_array_add (messages, kiln_chat_message_new (KILN_ROLE_USER, "print('hi')"));

  stream = kiln_chat_stream_new (NULL, model, messages, "sk-faults-not-a-key");
  kiln_chat_stream_set_idle_timeout (stream, 10);
  kiln_chat_stream_run_async (stream, NULL, kiln_test_wait_cb, &wait);
  kiln_chat_stream_run_finish (stream, kiln_test_wait_for (&wait), &error);
  g_object_unref (wait.result);

  g_assert_error (error, KILN_ERROR, KILN_ERROR_NETWORK);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "models.kiln-test.invalid"));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_null (strstr (error->message, "sk-faults-not-a-key"));
  g_assert_cmpstr (kiln_chat_stream_get_text (stream), ==, "");
}

/* --- disk: the binary cache ------------------------------------------------------------ */

static void
assert_cache_failure (const char *cache_dir)
{
  g_autoptr(KilnToolchain) toolchain = kiln_toolchain_new ();
  g_autoptr(KilnRunResult) run = NULL;

  kiln_toolchain_set_cache_dir (toolchain, cache_dir);
  run = kiln_test_run (toolchain, KILN_LANGUAGE_CPP, HELLO_CPP, NULL, NULL);
  g_assert_false (run->ok);
  g_assert_nonnull (run->error);
  g_test_message ("%s", run->error->message);
  /* Either the cache folder could not be used (KILN_ERROR_CACHE, naming the folder), or the
   * compiler could not write its output and says so in its diagnostics. */
  if (g_error_matches (run->error, KILN_ERROR, KILN_ERROR_CACHE))
    g_assert_nonnull (strstr (run->error->message, cache_dir));
  else
    {
      g_assert_error (run->error, KILN_ERROR, KILN_ERROR_COMPILE_FAILED);
      g_assert_nonnull (run->compile);
      g_assert_true (strstr (run->compile->output, "space") != NULL ||
                     strstr (run->compile->output, "Read-only") != NULL);
    }
}

static void
test_cache_read_only (void)
{
  char *dir;

  if (skip_without_mounts ())
    return;
  dir = mount_tmpfs (256, TRUE);
  assert_cache_failure (dir);
  unmount_tmpfs (dir);
}

static void
test_cache_full (void)
{
  char *dir;

  if (skip_without_mounts ())
    return;
  dir = mount_tmpfs (64, FALSE);
  fill_disk (dir);
  assert_cache_failure (dir);
  unmount_tmpfs (dir);
}

/* --- disk: drafts ---------------------------------------------------------------------- */

typedef struct
{
  guint   n_failed;
  GError *error;
} SaveFailures;

static void
save_failed_cb (KilnDraftStore *store,
                const GError   *error,
                SaveFailures   *failures)
{
  failures->n_failed++;
  g_clear_error (&failures->error);
  failures->error = g_error_copy (error);
}

static void
flush (KilnDraftStore *store)
{
  KilnTestWait wait = { NULL };
  g_autoptr(GError) error = NULL;

  kiln_draft_store_flush_async (store, NULL, kiln_test_wait_cb, &wait);
  kiln_draft_store_flush_finish (store, kiln_test_wait_for (&wait), &error);
  g_object_unref (wait.result);
}

static GHashTable *
load_drafts (KilnDraftStore *store,
             const char     *name)
{
  const char *names[] = { name, NULL };
  KilnTestWait wait = { NULL };
  g_autoptr(GError) error = NULL;
  GHashTable *drafts;

  kiln_draft_store_load_async (store, names, NULL, kiln_test_wait_cb, &wait);
  drafts = kiln_draft_store_load_finish (store, kiln_test_wait_for (&wait), &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_nonnull (drafts);

  return drafts;
}

/* The disk goes full or read-only after a first save: the next save reports save-failed,
 * and the draft already on disk is still whole (never truncated by the failed write). */
static void
assert_draft_survives (gboolean read_only)
{
  g_autofree char *big = g_strnfill (128 * 1024, 'b');
  g_autoptr(KilnDraftStore) store = NULL;
  g_autoptr(GFile) directory = NULL;
  g_autoptr(GHashTable) drafts = NULL;
  g_autofree char *state_dir = NULL;
  SaveFailures failures = { 0 };
  char *dir;

  dir = mount_tmpfs (64, FALSE);
  state_dir = g_build_filename (dir, "kiln", NULL);
  directory = g_file_new_for_path (state_dir);
  store = kiln_draft_store_new (directory);
  g_signal_connect (store, "save-failed", G_CALLBACK (save_failed_cb), &failures);

  kiln_draft_store_queue (store, "source.py", "print('first version')\n");
  flush (store);
  g_assert_cmpuint (failures.n_failed, ==, 0);

  if (read_only)
    make_read_only (dir);
  else
    fill_disk (dir);

  kiln_draft_store_queue (store, "source.py", big);
  flush (store);
  g_assert_cmpuint (failures.n_failed, >=, 1);
  g_assert_nonnull (failures.error);
  g_test_message ("%s", failures.error->message);
  g_assert_false (kiln_draft_store_has_pending (store));

  drafts = load_drafts (store, "source.py");
  g_assert_cmpstr (g_hash_table_lookup (drafts, "source.py"), ==, "print('first version')\n");

  g_clear_error (&failures.error);
  g_clear_object (&store);
  unmount_tmpfs (dir);
}

static void
test_drafts_disk_full (void)
{
  if (!skip_without_mounts ())
    assert_draft_survives (FALSE);
}

static void
test_drafts_read_only (void)
{
  if (!skip_without_mounts ())
    assert_draft_survives (TRUE);
}

/* A state folder that cannot be created at all: save-failed, no crash. */
static void
test_drafts_folder_read_only (void)
{
  g_autoptr(KilnDraftStore) store = NULL;
  g_autoptr(GFile) directory = NULL;
  g_autofree char *state_dir = NULL;
  SaveFailures failures = { 0 };
  char *dir;

  if (skip_without_mounts ())
    return;
  dir = mount_tmpfs (64, TRUE);
  state_dir = g_build_filename (dir, "state", "kiln", NULL);
  directory = g_file_new_for_path (state_dir);
  store = kiln_draft_store_new (directory);
  g_signal_connect (store, "save-failed", G_CALLBACK (save_failed_cb), &failures);

  kiln_draft_store_queue (store, "source.py", "print('kept in the editor')\n");
  flush (store);
  g_assert_cmpuint (failures.n_failed, ==, 1);
  g_assert_error (failures.error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);

  g_clear_error (&failures.error);
  g_clear_object (&store);
  unmount_tmpfs (dir);
}

/* --- damaged files --------------------------------------------------------------------- */

/* A draft cut in the middle of a UTF-8 character (a crash during a non-atomic copy, a
 * full disk in another program): restored as far as it goes. */
static void
test_truncated_draft (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-faults-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "source.py", NULL);
  g_autoptr(GFile) directory = g_file_new_for_path (dir);
  g_autoptr(KilnDraftStore) store = kiln_draft_store_new (directory);
  g_autoptr(GHashTable) drafts = NULL;
  /* "print('π')" with the π cut after its first byte */
  const char truncated[] = "print('\xcf";
  const char *text;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, truncated, sizeof truncated - 1, &error));
  drafts = load_drafts (store, "source.py");
  text = g_hash_table_lookup (drafts, "source.py");
  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_prefix (text, "print('"));

  g_clear_object (&store);
  kiln_test_remove_tree (dir);
}

static gboolean
registry_has (KilnModelRegistry *registry,
              const char        *id)
{
  return kiln_model_registry_lookup_item (registry, id) != NULL;
}

/* A broken user models.json: the built-in models still load, the error names the file,
 * and the user's file is left exactly as it was (it is theirs to fix). */
static void
test_broken_models_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiln-faults-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "models.json", NULL);
  g_autofree char *after = NULL;
  g_autoptr(KilnModelRegistry) registry = kiln_model_registry_new (NULL);
  GPtrArray *errors;
  const char broken[] = "{\"models\": [{\"id\": \"mine\", \"api\": \"openai\",";
  KilnTestWait wait = { NULL };
  gboolean named = FALSE;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, broken, -1, &error));
  kiln_model_registry_set_user_file (registry, path);
  kiln_model_registry_set_ollama_url (registry, "http://127.0.0.1:9");
  kiln_model_registry_set_local_openai_url (registry, "http://127.0.0.1:9/v1");

  kiln_model_registry_load_async (registry, NULL, kiln_test_wait_cb, &wait);
  g_assert_true (kiln_model_registry_load_finish (registry, kiln_test_wait_for (&wait), &error));
  g_object_unref (wait.result);
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), >, 0);
  g_assert_false (registry_has (registry, "mine"));
  errors = kiln_model_registry_get_errors (registry);
  g_assert_cmpuint (errors->len, >=, 1);
  for (guint i = 0; i < errors->len; i++)
    {
      GError *e = g_ptr_array_index (errors, i);

      g_test_message ("%s", e->message);
      named = named || strstr (e->message, "models.json") != NULL;
    }
  g_assert_true (named);

  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, broken);

  g_clear_object (&registry);
  kiln_test_remove_tree (dir);
}

/* Garbage where a cached binary should be: moved aside as NAME.corrupt (kept, not deleted),
 * and the run compiles afresh and succeeds. */
static void
test_garbage_cached_binary (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(KilnToolchain) toolchain = kiln_test_toolchain_new (&dir);
  g_autoptr(KilnRunResult) first = NULL;
  g_autoptr(KilnRunResult) second = NULL;
  g_autofree char *binary = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *kept = NULL;
  const char garbage[] = "\x13\x37 not a program \xff\xfe\n";

  first = kiln_test_run (toolchain, KILN_LANGUAGE_CPP, HELLO_CPP, NULL, NULL);
  g_assert_true (first->ok);
  g_assert_nonnull (first->compile);
  binary = g_strdup (first->compile->binary_path);
  g_assert_true (g_str_has_prefix (binary, dir));

  g_assert_true (g_file_set_contents (binary, garbage, sizeof garbage - 1, NULL));
  g_assert_cmpint (g_chmod (binary, 0755), ==, 0);

  second = kiln_test_run (toolchain, KILN_LANGUAGE_CPP, HELLO_CPP, NULL, NULL);
  g_assert_no_error (second->error);
  g_assert_true (second->ok);
  g_assert_false (second->compile->cached);
  g_assert_cmpmem (g_bytes_get_data (second->stdout_bytes, NULL),
                   g_bytes_get_size (second->stdout_bytes), "hello\n", 6);

  aside = g_strconcat (binary, ".corrupt", NULL);
  g_assert_true (g_file_get_contents (aside, &kept, NULL, NULL));
  g_assert_cmpmem (kept, sizeof garbage - 1, garbage, sizeof garbage - 1);

  g_clear_object (&toolchain);
  kiln_test_remove_tree (dir);
}

/* A cached binary that looks like a program but cannot start: the run says so clearly. */
static void
test_broken_cached_binary (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(KilnToolchain) toolchain = kiln_test_toolchain_new (&dir);
  g_autoptr(KilnRunResult) first = NULL;
  g_autoptr(KilnRunResult) second = NULL;
  const char broken[] = "\177ELF truncated";

  first = kiln_test_run (toolchain, KILN_LANGUAGE_CPP, HELLO_CPP, NULL, NULL);
  g_assert_true (first->ok);
  g_assert_true (g_file_set_contents (first->compile->binary_path, broken, sizeof broken - 1,
                                      NULL));
  g_assert_cmpint (g_chmod (first->compile->binary_path, 0755), ==, 0);

  second = kiln_test_run (toolchain, KILN_LANGUAGE_CPP, HELLO_CPP, NULL, NULL);
  g_assert_false (second->ok);
  g_assert_nonnull (second->error);
  g_test_message ("%s", second->error->message);
  g_assert_null (strchr (second->error->message, '\n'));

  g_clear_object (&toolchain);
  kiln_test_remove_tree (dir);
}

/* --- quitting mid-run ------------------------------------------------------------------ */

static gboolean
process_gone (pid_t pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (kill (pid, 0) < 0 && errno == ESRCH)
    return TRUE;
  /* A zombie is gone for our purpose: it runs nothing and holds nothing but its entry. */
  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return TRUE;
  state = strrchr (stat, ')');
  return state != NULL && (state[2] == 'Z' || state[2] == 'X');
}

static gboolean
wait_gone (pid_t pid,
           guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      if (process_gone (pid))
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20 * 1000);
    }
  return process_gone (pid);
}

static GArray *
read_pids (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return pids;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      pid_t pid = (pid_t) g_ascii_strtoll (lines[i], NULL, 10);

      if (pid > 0)
        g_array_append_val (pids, pid);
    }
  return pids;
}

/* A long run, with a child of its own, is cancelled (what closing the window does) and the
 * toolchain dropped: no process of it is left. */
static void
test_quit_mid_run (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(KilnToolchain) toolchain = kiln_test_toolchain_new (&dir);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *pid_file = g_build_filename (dir, "pids", NULL);
  g_autofree char *source = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnRunResult) result = NULL;
  KilnTestWait wait = { NULL };
  gint64 end;

  /* The sandbox would give the program its own /tmp and pid numbers; this test needs the
   * real ones to look for leftovers, and the limits and the group kill apply either way. */
  kiln_toolchain_set_sandbox (toolchain, FALSE);
  source = g_strdup_printf ("import os, time\n"
                            "child = os.fork()\n"
                            "if child == 0:\n"
                            "    time.sleep(600)\n"
                            "    os._exit(0)\n"
                            "with open('%s', 'w') as f:\n"
                            "    f.write('%%d\\n%%d\\n' %% (os.getpid(), child))\n"
                            "time.sleep(600)\n", pid_file);

  kiln_toolchain_run_async (toolchain, KILN_LANGUAGE_PYTHON, source, NULL, NULL, cancellable,
                            kiln_test_wait_cb, &wait);

  end = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < end)
    {
      g_clear_pointer (&pids, g_array_unref);
      pids = read_pids (pid_file);
      if (pids->len == 2)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20 * 1000);
    }
  g_assert_cmpuint (pids->len, ==, 2);

  /* Cancel and drop the last reference we hold, as a closing window does. */
  g_cancellable_cancel (cancellable);
  g_clear_object (&toolchain);
  kiln_test_wait_for (&wait);
  toolchain = KILN_TOOLCHAIN (g_async_result_get_source_object (wait.result));
  result = kiln_toolchain_run_finish (toolchain, wait.result, &error);
  g_object_unref (wait.result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  for (guint i = 0; i < pids->len; i++)
    g_assert_true (wait_gone (g_array_index (pids, pid_t, i), 5000));

  kiln_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* A private mount namespace: the tmpfs folders vanish with this process. */
  if (unshare (CLONE_NEWNS) < 0)
    mount_skip_reason = g_strdup_printf ("Cannot make a private mount namespace (%s): the "
                                         "disk tests need root or CAP_SYS_ADMIN",
                                         g_strerror (errno));
  else if (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    mount_skip_reason = g_strdup_printf ("Cannot make the mounts private (%s)",
                                         g_strerror (errno));

  g_test_add_func ("/faults/network/dns-failure", test_dns_failure);
  g_test_add_func ("/faults/disk/cache-read-only", test_cache_read_only);
  g_test_add_func ("/faults/disk/cache-full", test_cache_full);
  g_test_add_func ("/faults/disk/drafts-full", test_drafts_disk_full);
  g_test_add_func ("/faults/disk/drafts-read-only", test_drafts_read_only);
  g_test_add_func ("/faults/disk/drafts-folder-read-only", test_drafts_folder_read_only);
  g_test_add_func ("/faults/corrupt/truncated-draft", test_truncated_draft);
  g_test_add_func ("/faults/corrupt/models-json", test_broken_models_json);
  g_test_add_func ("/faults/corrupt/garbage-cached-binary", test_garbage_cached_binary);
  g_test_add_func ("/faults/corrupt/broken-cached-binary", test_broken_cached_binary);
  g_test_add_func ("/faults/quit/mid-run", test_quit_mid_run);

  return g_test_run ();
}

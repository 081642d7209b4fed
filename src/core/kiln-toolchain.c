/* kiln-toolchain.c: finding python3 and a C++ compiler, compiling with a binary cache, and
 * running programs with the repeat policy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "kiln-error.h"
#include "kiln-format.h"
#include "kiln-process.h"
#include "kiln-toolchain.h"

#define COMPILE_TIMEOUT_MS (5 * 60 * 1000)
#define COMPILE_OUTPUT_CAP (1024 * 1024)
#define VERSION_TIMEOUT_MS (20 * 1000)

struct _KilnToolchain
{
  GObject     parent_instance;

  char       *python;
  char       *compiler;
  char       *flags;
  char       *cache_dir;

  /* compiler path -> first line of its --version, part of the cache key */
  GHashTable *versions;

  /* Timed executions never overlap, so two programs never compete for the CPU: while one
   * runs, the others wait here (compiling may overlap; it is not timed against Python). */
  GTask      *executing;
  GQueue      waiting;
};

G_DEFINE_FINAL_TYPE (KilnToolchain, kiln_toolchain, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PYTHON,
  PROP_COMPILER,
  PROP_FLAGS,
  PROP_CACHE_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
kiln_toolchain_default_flags (void)
{
#if defined(__x86_64__) || defined(__i386__)
  return "-std=c++17 -O3 -march=native";
#elif defined(__aarch64__) || defined(__arm__)
  return "-std=c++17 -O3 -mcpu=native";
#else
  return "-std=c++17 -O3";
#endif
}

static void
kiln_toolchain_finalize (GObject *object)
{
  KilnToolchain *self = (KilnToolchain *) object;

  g_clear_pointer (&self->python, g_free);
  g_clear_pointer (&self->compiler, g_free);
  g_clear_pointer (&self->flags, g_free);
  g_clear_pointer (&self->cache_dir, g_free);
  g_clear_pointer (&self->versions, g_hash_table_unref);
  g_assert (self->executing == NULL);
  g_assert (g_queue_is_empty (&self->waiting));

  G_OBJECT_CLASS (kiln_toolchain_parent_class)->finalize (object);
}

static void
kiln_toolchain_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  KilnToolchain *self = KILN_TOOLCHAIN (object);

  switch (prop_id)
    {
    case PROP_PYTHON:
      g_value_set_string (value, self->python);
      break;
    case PROP_COMPILER:
      g_value_set_string (value, self->compiler);
      break;
    case PROP_FLAGS:
      g_value_set_string (value, self->flags);
      break;
    case PROP_CACHE_DIR:
      g_value_set_string (value, self->cache_dir);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_toolchain_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  KilnToolchain *self = KILN_TOOLCHAIN (object);

  switch (prop_id)
    {
    case PROP_PYTHON:
      kiln_toolchain_set_python (self, g_value_get_string (value));
      break;
    case PROP_COMPILER:
      kiln_toolchain_set_compiler (self, g_value_get_string (value));
      break;
    case PROP_FLAGS:
      kiln_toolchain_set_flags (self, g_value_get_string (value));
      break;
    case PROP_CACHE_DIR:
      kiln_toolchain_set_cache_dir (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_toolchain_class_init (KilnToolchainClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kiln_toolchain_finalize;
  object_class->get_property = kiln_toolchain_get_property;
  object_class->set_property = kiln_toolchain_set_property;

  properties[PROP_PYTHON] =
    g_param_spec_string ("python", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPILER] =
    g_param_spec_string ("compiler", NULL, NULL, "auto",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FLAGS] =
    g_param_spec_string ("flags", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CACHE_DIR] =
    g_param_spec_string ("cache-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kiln_toolchain_init (KilnToolchain *self)
{
  self->python = g_strdup ("");
  self->compiler = g_strdup ("auto");
  self->flags = g_strdup ("");
  self->cache_dir = g_build_filename (g_get_user_cache_dir (), "kiln", NULL);
  self->versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

KilnToolchain *
kiln_toolchain_new (void)
{
  return g_object_new (KILN_TYPE_TOOLCHAIN, NULL);
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value != NULL ? value : "");
  return TRUE;
}

#define DEFINE_STRING_PROPERTY(name, PROP)                                    \
  const char *                                                                \
  kiln_toolchain_get_##name (KilnToolchain *self)                             \
  {                                                                           \
    g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);                    \
    return self->name;                                                        \
  }                                                                           \
  void                                                                        \
  kiln_toolchain_set_##name (KilnToolchain *self,                             \
                             const char    *value)                            \
  {                                                                           \
    g_return_if_fail (KILN_IS_TOOLCHAIN (self));                              \
    if (set_string (&self->name, value))                                      \
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);           \
  }

DEFINE_STRING_PROPERTY (python, PROP_PYTHON)
DEFINE_STRING_PROPERTY (compiler, PROP_COMPILER)
DEFINE_STRING_PROPERTY (flags, PROP_FLAGS)

const char *
kiln_toolchain_get_cache_dir (KilnToolchain *self)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);

  return self->cache_dir;
}

void
kiln_toolchain_set_cache_dir (KilnToolchain *self,
                              const char    *cache_dir)
{
  g_autofree char *fallback = NULL;

  g_return_if_fail (KILN_IS_TOOLCHAIN (self));

  if (cache_dir == NULL || *cache_dir == '\0')
    cache_dir = fallback = g_build_filename (g_get_user_cache_dir (), "kiln", NULL);

  if (set_string (&self->cache_dir, cache_dir))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CACHE_DIR]);
}

/* A command name is looked up on PATH; anything with a slash is taken as a path. */
static char *
resolve_program (const char *command)
{
  if (strchr (command, '/') != NULL)
    {
      if (g_file_test (command, G_FILE_TEST_IS_EXECUTABLE) &&
          !g_file_test (command, G_FILE_TEST_IS_DIR))
        return g_strdup (command);
      return NULL;
    }

  return g_find_program_in_path (command);
}

char *
kiln_toolchain_find_python (KilnToolchain *self,
                            GError       **error)
{
  const char *command;
  char *path;

  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);

  command = (self->python != NULL && *self->python != '\0') ? self->python : "python3";
  if ((path = resolve_program (command)))
    return path;

  if (strchr (command, '/') != NULL)
    g_set_error (error, KILN_ERROR, KILN_ERROR_INTERPRETER_NOT_FOUND,
                 _("The Python interpreter “%s” does not exist or cannot be run. "
                   "Choose another one in Preferences."), command);
  else
    g_set_error (error, KILN_ERROR, KILN_ERROR_INTERPRETER_NOT_FOUND,
                 _("Python was not found: no “%s” on PATH. Install Python 3 (on Debian "
                   "and Ubuntu the package python3) or choose an interpreter in Preferences."),
                 command);
  return NULL;
}

char *
kiln_toolchain_find_compiler (KilnToolchain *self,
                              GError       **error)
{
  const char *command;
  char *path;

  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);

  command = self->compiler;
  if (command == NULL || *command == '\0' || g_str_equal (command, "auto"))
    {
      static const char * const candidates[] = { "g++", "clang++", "c++", NULL };

      for (guint i = 0; candidates[i] != NULL; i++)
        if ((path = g_find_program_in_path (candidates[i])))
          return path;

      g_set_error (error, KILN_ERROR, KILN_ERROR_COMPILER_NOT_FOUND,
                   _("No C++ compiler was found: neither g++ nor clang++ is on PATH. "
                     "Install one (on Debian and Ubuntu the package g++) or name a compiler "
                     "in Preferences."));
      return NULL;
    }

  if ((path = resolve_program (command)))
    return path;

  g_set_error (error, KILN_ERROR, KILN_ERROR_COMPILER_NOT_FOUND,
               _("The C++ compiler “%s” was not found. Install it or choose another "
                 "compiler in Preferences."), command);
  return NULL;
}

static char **
parse_flags (KilnToolchain *self,
             GError       **error)
{
  const char *flags = (self->flags != NULL && *self->flags != '\0')
                        ? self->flags : kiln_toolchain_default_flags ();
  g_autoptr(GError) local_error = NULL;
  char **argv = NULL;

  if (g_shell_parse_argv (flags, NULL, &argv, &local_error))
    return argv;

  if (g_error_matches (local_error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
    return g_new0 (char *, 1);

  g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
               _("The compiler flags “%s” could not be read (%s). Fix them in Preferences."),
               flags, local_error->message);
  return NULL;
}

/* --- work folders -------------------------------------------------------------------- */

/* Removes a folder a program wrote into, never following a link out of it. */
static void
remove_tree (const char *path)
{
  GDir *dir;
  const char *name;

  if ((dir = g_dir_open (path, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          GStatBuf st;

          if (g_lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
            {
              g_chmod (child, 0700);
              remove_tree (child);
            }
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }

  g_rmdir (path);
}

static void
remove_tree_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  if (task_data != NULL)
    remove_tree (task_data);
  g_task_return_boolean (task, TRUE);
}

/* Makes a fresh folder below @parent and writes @content into @file_name there. */
static char *
make_work_dir (const char  *parent,
               const char  *file_name,
               const char  *content,
               GError     **error)
{
  g_autofree char *template = g_build_filename (parent, "XXXXXX", NULL);
  g_autofree char *file = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_mkdir_with_parents (parent, 0700) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, KILN_ERROR, KILN_ERROR_CACHE,
                   _("Could not create the folder “%s”: %s. Check that the disk is not full "
                     "and that the folder is writable."), parent, g_strerror (saved_errno));
      return NULL;
    }

  if (g_mkdtemp (template) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, KILN_ERROR, KILN_ERROR_CACHE,
                   _("Could not create a work folder in “%s”: %s. Check that the disk is not "
                     "full and that the folder is writable."), parent, g_strerror (saved_errno));
      return NULL;
    }

  file = g_build_filename (template, file_name, NULL);
  if (!g_file_set_contents (file, content, -1, &local_error))
    {
      remove_tree (template);
      g_set_error (error, KILN_ERROR, KILN_ERROR_CACHE,
                   _("Could not write the program to “%s”: %s"), file, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&template);
}

/* --- compiling ---------------------------------------------------------------------- */

typedef struct
{
  char              *compiler;
  char             **flags;
  char              *source;
  char              *cache_dir;
  char              *key;
  char              *work_dir;
  char              *binary;     /* where the cached binary lives */
  char              *meta;       /* its JSON description */
  KilnCompileResult *result;
  gint64             started;
} CompileState;

static void
compile_state_free (gpointer data)
{
  CompileState *state = data;

  g_free (state->compiler);
  g_strfreev (state->flags);
  g_free (state->source);
  g_free (state->cache_dir);
  g_free (state->key);
  g_free (state->work_dir);
  g_free (state->binary);
  g_free (state->meta);
  g_clear_pointer (&state->result, kiln_compile_result_unref);
  g_free (state);
}

static char **
build_compile_command (CompileState *state)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **argv;

  g_strv_builder_add (builder, state->compiler);
  g_strv_builder_addv (builder, (const char **) state->flags);
  g_strv_builder_add_many (builder, "-fdiagnostics-color=never", "main.cpp", "-o", "main",
                           NULL);
  argv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return argv;
}

static char *
compute_cache_key (CompileState *state,
                   const char   *version)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  /* Every field ends with a NUL so that no two different inputs hash alike. */
  g_checksum_update (checksum, (const guchar *) "kiln-binary-1", 14);
  g_checksum_update (checksum, (const guchar *) state->compiler, strlen (state->compiler) + 1);
  g_checksum_update (checksum, (const guchar *) version, strlen (version) + 1);
  for (guint i = 0; state->flags[i] != NULL; i++)
    g_checksum_update (checksum, (const guchar *) state->flags[i], strlen (state->flags[i]) + 1);
  g_checksum_update (checksum, (const guchar *) state->source, strlen (state->source) + 1);

  return g_strdup (g_checksum_get_string (checksum));
}

/* Reads a cached binary's description; FALSE when there is no usable entry. */
static gboolean
load_cache_entry (CompileState *state)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(KilnCompileResult) result = NULL;
  JsonObject *object;
  JsonNode *root;

  if (!g_file_test (state->binary, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;
  if (!json_parser_load_from_file (parser, state->meta, NULL))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  object = json_node_get_object (root);

  result = kiln_compile_result_new ();
  result->ok = TRUE;
  result->cached = TRUE;
  result->seconds = json_object_get_double_member_with_default (object, "seconds", 0);
  result->output = g_strdup (json_object_get_string_member_with_default (object, "output", ""));
  result->command = build_compile_command (state);
  result->binary_path = g_strdup (state->binary);
  g_ptr_array_extend_and_steal (result->diagnostics, kiln_diagnostics_parse (result->output));

  state->result = g_steal_pointer (&result);
  return TRUE;
}

static void
compile_prepare_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  CompileState *state = task_data;
  g_autofree char *bin_dir = g_build_filename (state->cache_dir, "bin", NULL);
  g_autofree char *build_dir = g_build_filename (state->cache_dir, "build", NULL);
  GError *error = NULL;

  state->binary = g_build_filename (bin_dir, state->key, NULL);
  state->meta = g_strconcat (state->binary, ".json", NULL);

  if (load_cache_entry (state))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  state->work_dir = make_work_dir (build_dir, "main.cpp", state->source, &error);
  if (state->work_dir == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
compile_store_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  CompileState *state = task_data;
  KilnCompileResult *result = state->result;

  if (result->ok)
    {
      g_autofree char *built = g_build_filename (state->work_dir, "main", NULL);
      g_autofree char *bin_dir = g_path_get_dirname (state->binary);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;
      g_autofree char *output = g_utf8_make_valid (result->output, -1);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seconds");
      json_builder_add_double_value (builder, result->seconds);
      json_builder_set_member_name (builder, "output");
      json_builder_add_string_value (builder, output);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      text = json_generator_to_data (generator, NULL);

      /* A cache that cannot be written only costs a recompile next time: run from the
       * build folder then, and keep that folder until the run is over. */
      if (g_mkdir_with_parents (bin_dir, 0700) == 0 &&
          g_rename (built, state->binary) == 0 &&
          g_file_set_contents (state->meta, text, -1, NULL))
        {
          result->binary_path = g_strdup (state->binary);
        }
      else
        {
          g_debug ("Could not store a compiled binary in %s", bin_dir);
          if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
            result->binary_path = g_steal_pointer (&built);
          else
            result->binary_path = g_strdup (state->binary);
          g_task_return_boolean (task, TRUE);
          return;
        }
    }

  remove_tree (state->work_dir);
  g_clear_pointer (&state->work_dir, g_free);
  g_task_return_boolean (task, TRUE);
}

static void
compile_stored_cb (GObject      *object,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CompileState *state = g_task_get_task_data (task);

  g_task_propagate_boolean (G_TASK (res), NULL);
  g_task_return_pointer (task, kiln_compile_result_ref (state->result),
                         (GDestroyNotify) kiln_compile_result_unref);
}

static void
compile_ran_cb (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CompileState *state = g_task_get_task_data (task);
  g_autoptr(KilnProcessResult) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) store = NULL;
  KilnCompileResult *result;
  GString *output;

  process = _kiln_process_run_finish (res, &error);
  if (process == NULL)
    {
      g_autoptr(GTask) cleanup = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_task_data (cleanup, g_steal_pointer (&state->work_dir), g_free);
      g_task_run_in_thread (cleanup, remove_tree_thread);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = state->result = kiln_compile_result_new ();
  result->seconds = (g_get_monotonic_time () - state->started) / (double) G_USEC_PER_SEC;
  result->command = build_compile_command (state);

  output = g_string_new (NULL);
  g_string_append_len (output, g_bytes_get_data (process->stderr_bytes, NULL),
                       g_bytes_get_size (process->stderr_bytes));
  g_string_append_len (output, g_bytes_get_data (process->stdout_bytes, NULL),
                       g_bytes_get_size (process->stdout_bytes));
  result->output = g_string_free (output, FALSE);
  g_ptr_array_extend_and_steal (result->diagnostics, kiln_diagnostics_parse (result->output));

  if (process->report.spawn_errno != 0)
    {
      g_autofree char *text = g_strdup_printf (_("Could not start the compiler “%s”: %s"),
                                               state->compiler,
                                               g_strerror (process->report.spawn_errno));
      g_ptr_array_add (result->diagnostics,
                       kiln_diagnostic_new ("", 0, 0, KILN_SEVERITY_ERROR, text));
    }
  else if (process->report.timed_out)
    {
      g_autofree char *text = g_strdup_printf (_("The compiler was stopped after %u seconds."),
                                               COMPILE_TIMEOUT_MS / 1000);
      g_ptr_array_add (result->diagnostics,
                       kiln_diagnostic_new ("", 0, 0, KILN_SEVERITY_ERROR, text));
    }
  else
    result->ok = process->report.exit_status == 0 && !process->output_truncated;

  store = g_task_new (NULL, NULL, compile_stored_cb, g_steal_pointer (&task));
  g_task_set_task_data (store, state, NULL);
  g_task_run_in_thread (store, compile_store_thread);
}

static void
compile_prepared_cb (GObject      *object,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CompileState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  GCancellable *cancellable;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (state->result != NULL)
    {
      g_task_return_pointer (task, kiln_compile_result_ref (state->result),
                             (GDestroyNotify) kiln_compile_result_unref);
      return;
    }

  argv = build_compile_command (state);
  cancellable = g_task_get_cancellable (task);
  state->started = g_get_monotonic_time ();
  _kiln_process_run_async ((const char * const *) argv, state->work_dir, NULL,
                           COMPILE_TIMEOUT_MS, COMPILE_OUTPUT_CAP, cancellable,
                           compile_ran_cb, g_steal_pointer (&task));
}

static void
compile_with_version (GTask      *task,
                      const char *version)
{
  CompileState *state = g_task_get_task_data (task);
  g_autoptr(GTask) prepare = NULL;

  state->key = compute_cache_key (state, version);

  prepare = g_task_new (NULL, g_task_get_cancellable (task), compile_prepared_cb,
                        g_object_ref (task));
  g_task_set_task_data (prepare, state, NULL);
  g_task_run_in_thread (prepare, compile_prepare_thread);
}

static void
version_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KilnToolchain *self = g_task_get_source_object (task);
  CompileState *state = g_task_get_task_data (task);
  g_autoptr(KilnProcessResult) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  const char *data;
  gsize size;

  process = _kiln_process_run_finish (res, &error);
  if (process == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (process->report.spawn_errno != 0 || process->report.exit_status != 0)
    {
      g_task_return_new_error (task, KILN_ERROR, KILN_ERROR_COMPILER_NOT_FOUND,
                               _("The C++ compiler “%s” could not be run (asking for its "
                                 "version failed). Choose another compiler in Preferences."),
                               state->compiler);
      return;
    }

  data = g_bytes_get_data (process->stdout_bytes, &size);
  version = g_strndup (data != NULL ? data : "", size);
  version[strcspn (version, "\n")] = '\0';

  g_hash_table_replace (self->versions, g_strdup (state->compiler), g_strdup (version));
  compile_with_version (task, version);
}

void
kiln_toolchain_compile_async (KilnToolchain       *self,
                              const char          *source,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CompileState *state;
  const char *version;

  g_return_if_fail (KILN_IS_TOOLCHAIN (self));
  g_return_if_fail (source != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_toolchain_compile_async);

  state = g_new0 (CompileState, 1);
  g_task_set_task_data (task, state, compile_state_free);
  state->source = g_strdup (source);
  state->cache_dir = g_strdup (self->cache_dir);

  if (!(state->compiler = kiln_toolchain_find_compiler (self, &error)) ||
      !(state->flags = parse_flags (self, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if ((version = g_hash_table_lookup (self->versions, state->compiler)))
    {
      compile_with_version (task, version);
    }
  else
    {
      const char *argv[] = { state->compiler, "--version", NULL };

      _kiln_process_run_async (argv, NULL, NULL, VERSION_TIMEOUT_MS, 64 * 1024, cancellable,
                               version_cb, g_steal_pointer (&task));
    }
}

KilnCompileResult *
kiln_toolchain_compile_finish (KilnToolchain  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- running ------------------------------------------------------------------------ */

typedef struct
{
  KilnLanguage   language;
  char          *source;
  GBytes        *input;
  KilnRunLimits  limits;
  char         **argv;
  char          *work_dir;
  KilnRunResult *result;
  double         total_wall;
  gulong         waiting_cancelled_id;
} RunState;

static void
run_state_free (gpointer data)
{
  RunState *state = data;

  g_free (state->source);
  g_clear_pointer (&state->input, g_bytes_unref);
  g_strfreev (state->argv);
  g_free (state->work_dir);
  g_clear_pointer (&state->result, kiln_run_result_unref);
  g_free (state);
}

/* The last line a program printed on stderr that says something, for error messages. */
static char *
last_stderr_line (GBytes *stderr_bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (stderr_bytes, &size);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (data == NULL || size == 0)
    return NULL;

  text = g_utf8_make_valid (data, size);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = g_strv_length (lines); i > 0; i--)
    {
      char *line = g_strstrip (lines[i - 1]);

      if (*line != '\0')
        {
          if (g_utf8_strlen (line, -1) > 300)
            *g_utf8_offset_to_pointer (line, 300) = '\0';
          return g_strdup (line);
        }
    }

  return NULL;
}

static GError *
describe_run_failure (RunState                *state,
                      const KilnProcessResult *process,
                      const KilnRunStats      *stats)
{
  const char *title = kiln_language_get_title (state->language);
  g_autofree char *detail = last_stderr_line (process->stderr_bytes);

  if (process->report.spawn_errno != 0)
    return g_error_new (KILN_ERROR, KILN_ERROR_SPAWN_FAILED,
                        _("Could not start the %s program: %s."),
                        title, g_strerror (process->report.spawn_errno));

  if (stats->timed_out)
    {
      g_autofree char *limit = NULL;

      if (state->limits.timeout_ms % 1000 == 0)
        /* Translators: a whole number of seconds, as in "Stopped after 60 s" */
        limit = g_strdup_printf (_("%u s"), state->limits.timeout_ms / 1000);
      else
        limit = kiln_format_duration (state->limits.timeout_ms / 1000.0);

      return g_error_new (KILN_ERROR, KILN_ERROR_TIMED_OUT,
                          _("Stopped after %s: the %s program was still running. It may loop "
                            "forever; if it needs more time, raise the timeout (in "
                            "Preferences, or with --timeout in kiln-cli)."),
                          limit, title);
    }

  if (stats->output_truncated)
    {
      g_autofree char *cap = g_format_size_full (state->limits.output_cap,
                                                 G_FORMAT_SIZE_IEC_UNITS);

      return g_error_new (KILN_ERROR, KILN_ERROR_OUTPUT_TRUNCATED,
                          _("Stopped: the %s program printed more than %s on %s, so its "
                            "output was cut there. If that much output is expected, raise the "
                            "output limit in Preferences."),
                          title, cap, process->truncated_stream);
    }

  if (stats->signal > 0)
    return g_error_new (KILN_ERROR, KILN_ERROR_SIGNALED,
                        _("The %s program crashed: it was killed by signal %d (%s)."),
                        title, stats->signal, g_strsignal (stats->signal));

  if (state->language == KILN_LANGUAGE_PYTHON && detail != NULL)
    return g_error_new (KILN_ERROR, KILN_ERROR_EXIT_STATUS,
                        _("The Python program stopped with an error (exit status %d): %s"),
                        stats->exit_status, detail);

  if (detail != NULL)
    return g_error_new (KILN_ERROR, KILN_ERROR_EXIT_STATUS,
                        _("The %s program exited with status %d: %s"),
                        title, stats->exit_status, detail);

  return g_error_new (KILN_ERROR, KILN_ERROR_EXIT_STATUS,
                      _("The %s program exited with status %d."), title, stats->exit_status);
}

static void
run_cleaned_cb (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunState *state = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_pointer (task, g_steal_pointer (&state->result),
                         (GDestroyNotify) kiln_run_result_unref);
}

/* Ends the run: the work folder goes (in a thread), then the result is returned. */
static void run_once (GTask *task);
static void release_execution (KilnToolchain *self, GTask *task);

static void
run_complete (GTask *task)
{
  RunState *state = g_task_get_task_data (task);
  g_autoptr(GTask) cleanup = NULL;

  release_execution (g_task_get_source_object (task), task);

  cleanup = g_task_new (NULL, NULL, run_cleaned_cb, task);
  if (state->work_dir != NULL)
    g_task_set_task_data (cleanup, g_steal_pointer (&state->work_dir), g_free);
  g_task_run_in_thread (cleanup, remove_tree_thread);
}

static void
run_once_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  GTask *task = user_data;
  RunState *state = g_task_get_task_data (task);
  KilnRunResult *result = state->result;
  g_autoptr(KilnProcessResult) process = NULL;
  g_autoptr(GError) error = NULL;
  KilnRunStats stats = { 0 };
  gboolean clean;

  process = _kiln_process_run_finish (res, &error);
  if (process == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          result->ok = FALSE;
          g_clear_error (&result->error);
          result->error = g_steal_pointer (&error);
        }
      run_complete (task);
      return;
    }

  stats.wall_seconds = process->report.wall_ns / 1e9;
  stats.user_seconds = process->report.user_us / 1e6;
  stats.sys_seconds = process->report.sys_us / 1e6;
  stats.max_rss_kib = process->report.max_rss_kib;
  stats.exit_status = process->report.exit_status;
  stats.signal = process->report.signal;
  stats.timed_out = process->report.timed_out;
  stats.output_truncated = process->output_truncated;

  if (process->report.spawn_errno == 0)
    g_array_append_val (result->runs, stats);

  /* The output shown and compared is the first run's; later runs are only for timing. */
  if (result->runs->len <= 1)
    {
      g_bytes_unref (result->stdout_bytes);
      result->stdout_bytes = g_bytes_ref (process->stdout_bytes);
      g_bytes_unref (result->stderr_bytes);
      result->stderr_bytes = g_bytes_ref (process->stderr_bytes);
    }

  clean = process->report.spawn_errno == 0 && stats.exit_status == 0 && stats.signal == 0 &&
          !stats.timed_out && !stats.output_truncated;
  state->total_wall += stats.wall_seconds;

  if (!clean)
    {
      result->ok = FALSE;
      result->error = describe_run_failure (state, process, &stats);
      run_complete (task);
      return;
    }

  result->ok = TRUE;
  if (result->runs->len >= state->limits.max_runs ||
      state->total_wall * 1000.0 >= state->limits.time_budget_ms)
    {
      run_complete (task);
      return;
    }

  run_once (task);
}

static void
run_once (GTask *task)
{
  RunState *state = g_task_get_task_data (task);

  _kiln_process_run_async ((const char * const *) state->argv, state->work_dir, state->input,
                           state->limits.timeout_ms, state->limits.output_cap,
                           g_task_get_cancellable (task), run_once_cb, task);
}

static void
work_dir_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  RunState *state = task_data;
  KilnToolchain *self = source_object;
  g_autofree char *parent = g_build_filename (self->cache_dir, "run", NULL);
  const char *file_name = state->language == KILN_LANGUAGE_PYTHON ? "main.py" : NULL;
  GError *error = NULL;

  state->work_dir = make_work_dir (parent, file_name != NULL ? file_name : ".keep",
                                   file_name != NULL ? state->source : "", &error);
  if (state->work_dir == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
waiting_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  KilnToolchain *self = g_task_get_source_object (task);

  /* Still queued? Then it ends now instead of after the running program. */
  if (g_queue_remove (&self->waiting, task))
    run_complete (task);
  return G_SOURCE_REMOVE;
}

static void
waiting_cancelled_cb (GCancellable *cancellable,
                      GTask        *task)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, waiting_cancelled_idle, g_object_ref (task),
                   g_object_unref);
}

static void
stop_waiting (GTask *task)
{
  RunState *state = g_task_get_task_data (task);

  if (state->waiting_cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), state->waiting_cancelled_id);
      state->waiting_cancelled_id = 0;
    }
}

static void
acquire_execution (KilnToolchain *self,
                   GTask         *task)
{
  RunState *state = g_task_get_task_data (task);

  if (self->executing == NULL)
    {
      self->executing = task;
      run_once (task);
      return;
    }

  g_queue_push_tail (&self->waiting, task);
  if (g_task_get_cancellable (task) != NULL)
    state->waiting_cancelled_id = g_cancellable_connect (g_task_get_cancellable (task),
                                                         G_CALLBACK (waiting_cancelled_cb),
                                                         task, NULL);
}

static void
release_execution (KilnToolchain *self,
                   GTask         *task)
{
  GTask *next;

  stop_waiting (task);
  g_queue_remove (&self->waiting, task);
  if (self->executing != task)
    return;

  self->executing = NULL;
  while ((next = g_queue_pop_head (&self->waiting)) != NULL)
    {
      stop_waiting (next);
      if (g_cancellable_is_cancelled (g_task_get_cancellable (next)))
        {
          run_complete (next);
          continue;
        }
      self->executing = next;
      run_once (next);
      break;
    }
}

static void
work_dir_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  GTask *task = user_data;
  RunState *state = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      state->result->error = error;
      run_complete (task);
      return;
    }

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      run_complete (task);
      return;
    }

  acquire_execution (g_task_get_source_object (task), task);
}

static void
prepare_work_dir (GTask *task)
{
  g_autoptr(GTask) prepare = NULL;
  RunState *state = g_task_get_task_data (task);

  prepare = g_task_new (g_task_get_source_object (task), NULL, work_dir_cb, task);
  g_task_set_task_data (prepare, state, NULL);
  g_task_run_in_thread (prepare, work_dir_thread);
}

static char *
summarize_compile_failure (KilnCompileResult *compile)
{
  guint errors = kiln_diagnostics_count (compile->diagnostics, KILN_SEVERITY_ERROR);

  for (guint i = 0; i < compile->diagnostics->len; i++)
    {
      const KilnDiagnostic *d = g_ptr_array_index (compile->diagnostics, i);

      if (d->severity != KILN_SEVERITY_ERROR)
        continue;

      if (d->line > 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "The C++ code did not compile (%u error). "
                                             "Line %u: %s",
                                             "The C++ code did not compile (%u errors). "
                                             "First, line %u: %s",
                                             errors),
                                errors, d->line, d->message);
      return g_strdup_printf (_("The C++ code did not compile: %s"), d->message);
    }

  return g_strdup (_("The C++ code did not compile. See the compiler output."));
}

static void
compiled_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  GTask *task = user_data;
  RunState *state = g_task_get_task_data (task);
  g_autoptr(KilnCompileResult) compile = NULL;
  GError *error = NULL;

  compile = kiln_toolchain_compile_finish (KILN_TOOLCHAIN (object), res, &error);
  if (compile == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_clear_error (&error);
      else
        state->result->error = error;
      run_complete (task);
      return;
    }

  state->result->compile = kiln_compile_result_ref (compile);
  if (!compile->ok)
    {
      g_autofree char *message = summarize_compile_failure (compile);

      state->result->error = g_error_new_literal (KILN_ERROR, KILN_ERROR_COMPILE_FAILED,
                                                  message);
      run_complete (task);
      return;
    }

  state->argv = g_new0 (char *, 2);
  state->argv[0] = g_strdup (compile->binary_path);
  prepare_work_dir (task);
}

void
kiln_toolchain_run_async (KilnToolchain       *self,
                          KilnLanguage         language,
                          const char          *source,
                          GBytes              *input,
                          const KilnRunLimits *limits,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  RunState *state;

  g_return_if_fail (KILN_IS_TOOLCHAIN (self));
  g_return_if_fail (source != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  /* The task reference travels through the steps and is dropped when the result is in. */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_toolchain_run_async);

  state = g_new0 (RunState, 1);
  g_task_set_task_data (task, state, run_state_free);
  state->language = language;
  state->source = g_strdup (source);
  state->input = input != NULL ? g_bytes_ref (input) : NULL;
  if (limits != NULL)
    state->limits = *limits;
  else
    kiln_run_limits_init_default (&state->limits, language);
  state->limits.max_runs = MAX (state->limits.max_runs, 1);
  state->result = kiln_run_result_new (language);

  if (language == KILN_LANGUAGE_PYTHON)
    {
      GError *error = NULL;
      g_autofree char *python = kiln_toolchain_find_python (self, &error);

      if (python == NULL)
        {
          state->result->error = error;
          run_complete (task);
          return;
        }

      state->argv = g_new0 (char *, 3);
      state->argv[0] = g_steal_pointer (&python);
      state->argv[1] = g_strdup ("main.py");
      prepare_work_dir (task);
    }
  else
    {
      kiln_toolchain_compile_async (self, source, cancellable, compiled_cb, task);
    }
}

KilnRunResult *
kiln_toolchain_run_finish (KilnToolchain  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* kiln-toolchain.c: finding python3 and a C++ compiler, and compiling with a binary cache
 * (running programs is in kiln-toolchain-run.c)
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
#include "kiln-json-write.h"
#include "kiln-process.h"
#include "kiln-toolchain-private.h"

#define VERSION_TIMEOUT_MS (20 * 1000)


G_DEFINE_FINAL_TYPE (KilnToolchain, kiln_toolchain, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PYTHON,
  PROP_COMPILER,
  PROP_FLAGS,
  PROP_CACHE_DIR,
  PROP_SANDBOX,
  PROP_STARTUP_FLOOR,
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
  g_assert (self->startup_waiting->len == 0);
  g_assert (self->startup_cancellable == NULL);
  g_clear_pointer (&self->startup_waiting, g_ptr_array_unref);
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
    case PROP_SANDBOX:
      g_value_set_boolean (value, self->sandbox);
      break;
    case PROP_STARTUP_FLOOR:
      g_value_set_double (value, self->startup_floor);
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
    case PROP_SANDBOX:
      kiln_toolchain_set_sandbox (self, g_value_get_boolean (value));
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
  properties[PROP_SANDBOX] =
    g_param_spec_boolean ("sandbox", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STARTUP_FLOOR] =
    g_param_spec_double ("startup-floor", NULL, NULL, -1, G_MAXDOUBLE, -1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

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
  self->sandbox = TRUE;
  self->startup_floor = -1;
  self->startup_waiting = g_ptr_array_new ();
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

/* The compiler and its flags are part of what the start-up floor measured. */
void
kiln_toolchain_set_compiler (KilnToolchain *self,
                             const char    *compiler)
{
  g_return_if_fail (KILN_IS_TOOLCHAIN (self));

  if (!set_string (&self->compiler, compiler))
    return;
  _kiln_toolchain_reset_startup_floor (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPILER]);
}

const char *
kiln_toolchain_get_compiler (KilnToolchain *self)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);

  return self->compiler;
}

void
kiln_toolchain_set_flags (KilnToolchain *self,
                          const char    *flags)
{
  g_return_if_fail (KILN_IS_TOOLCHAIN (self));

  if (!set_string (&self->flags, flags))
    return;
  _kiln_toolchain_reset_startup_floor (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLAGS]);
}

const char *
kiln_toolchain_get_flags (KilnToolchain *self)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);

  return self->flags;
}

double
kiln_toolchain_get_startup_floor (KilnToolchain *self)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), -1);

  return self->startup_floor;
}

void
_kiln_toolchain_reset_startup_floor (KilnToolchain *self)
{
  self->startup_generation++;
  if (self->startup_floor < 0)
    return;
  self->startup_floor = -1;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTUP_FLOOR]);
}

void
_kiln_toolchain_set_startup_floor (KilnToolchain *self,
                                   double         floor_seconds)
{
  if (self->startup_floor == floor_seconds)
    return;
  self->startup_floor = floor_seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTUP_FLOOR]);
}

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

gboolean
kiln_toolchain_get_sandbox (KilnToolchain *self)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), FALSE);

  return self->sandbox;
}

void
kiln_toolchain_set_sandbox (KilnToolchain *self,
                            gboolean       sandbox)
{
  g_return_if_fail (KILN_IS_TOOLCHAIN (self));

  sandbox = !!sandbox;
  if (self->sandbox == sandbox)
    return;
  self->sandbox = sandbox;
  _kiln_toolchain_reset_startup_floor (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SANDBOX]);
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
_kiln_toolchain_find_compiler_command (const char  *command,
                                       GError     **error)
{
  char *path;

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

char *
kiln_toolchain_find_compiler (KilnToolchain *self,
                              GError       **error)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);

  return _kiln_toolchain_find_compiler_command (self->compiler, error);
}

char **
kiln_toolchain_list_compilers (KilnToolchain *self)
{
  static const char * const known[] = { "g++", "clang++", NULL };
  GStrvBuilder *builder;
  char **names;

  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; known[i] != NULL; i++)
    {
      g_autofree char *path = g_find_program_in_path (known[i]);

      if (path != NULL)
        g_strv_builder_add (builder, known[i]);
    }
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return names;
}

char **
_kiln_toolchain_parse_flags (const char  *flags,
                             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char **argv = NULL;

  if (flags == NULL || *flags == '\0')
    flags = kiln_toolchain_default_flags ();

  if (g_shell_parse_argv (flags, NULL, &argv, &local_error))
    return argv;

  if (g_error_matches (local_error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
    return g_new0 (char *, 1);

  g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
               _("The compiler flags “%s” could not be read (%s). Fix them in Preferences."),
               flags, local_error->message);
  return NULL;
}

/* --- link failures -------------------------------------------------------------------- */

/* The symbols the linker could not find, in order: GNU ld's "undefined reference to `sym'"
 * (or 'sym'), lld's "undefined symbol: sym". */
static GPtrArray *
find_undefined_symbols (const char *output)
{
  static const char * const markers[] = { "undefined reference to ", "undefined symbol: " };
  GPtrArray *symbols = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    for (guint m = 0; m < G_N_ELEMENTS (markers); m++)
      {
        const char *start = strstr (lines[i], markers[m]);
        const char *end;

        if (start == NULL)
          continue;
        start += strlen (markers[m]);
        end = start + strlen (start);
        if (*start == '`' || *start == '\'' || *start == '"')
          {
            const char *close = end;

            start++;
            while (close > start && close[-1] != '\'' && close[-1] != '"')
              close--;
            if (close > start)
              end = close - 1;
          }
        if (end > start)
          g_ptr_array_add (symbols, g_strndup (start, end - start));
      }

  return symbols;
}

/* The flag that usually brings @symbol in, for the libraries generated code reaches for. */
static const char *
flag_for_symbol (const char *symbol)
{
  static const struct { const char *prefix; const char *flag; } prefixes[] = {
    { "__gmpz_", "-lgmp" }, { "__gmpq_", "-lgmp" }, { "__gmpf_", "-lgmp" },
    { "__gmpn_", "-lgmp" }, { "__gmp_", "-lgmp" }, { "mpfr_", "-lmpfr -lgmp" },
    { "omp_", "-fopenmp" }, { "GOMP_", "-fopenmp" }, { "pthread_", "-pthread" },
    { "tbb::", "-ltbb" },
  };

  /* gmpxx: the C++ operators on GMP's types (operator<<(std::ostream&, __mpz_struct
   * const*)) and the expression templates live in libgmpxx, which needs libgmp after it. */
  if ((strstr (symbol, "__mpz_struct") != NULL || strstr (symbol, "__mpq_struct") != NULL ||
       strstr (symbol, "__mpf_struct") != NULL || strstr (symbol, "__gmp_expr") != NULL) &&
      strstr (symbol, "std::") != NULL)
    return "-lgmpxx -lgmp";

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (symbol, prefixes[i].prefix))
      return prefixes[i].flag;

  return NULL;
}

char *
_kiln_toolchain_describe_link_failure (const char *output)
{
  g_autoptr(GPtrArray) symbols = NULL;
  g_autoptr(GPtrArray) words = NULL;
  g_autofree char *flags = NULL;
  gboolean gmp = FALSE;
  const char *symbol;

  if (output == NULL)
    return NULL;
  symbols = find_undefined_symbols (output);
  if (symbols->len == 0)
    return NULL;
  symbol = g_ptr_array_index (symbols, 0);

  /* Every flag the missing symbols call for, once each; -lgmp last, as gmpxx and mpfr need
   * it after them. */
  words = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < symbols->len; i++)
    {
      const char *flag = flag_for_symbol (g_ptr_array_index (symbols, i));
      g_auto(GStrv) parts = flag != NULL ? g_strsplit (flag, " ", -1) : NULL;

      for (guint j = 0; parts != NULL && parts[j] != NULL; j++)
        {
          if (g_str_equal (parts[j], "-lgmp"))
            gmp = TRUE;
          else if (!g_ptr_array_find_with_equal_func (words, parts[j], g_str_equal, NULL))
            g_ptr_array_add (words, g_strdup (parts[j]));
        }
    }
  if (gmp)
    g_ptr_array_add (words, g_strdup ("-lgmp"));

  if (words->len > 0)
    {
      g_ptr_array_add (words, NULL);
      flags = g_strjoinv (" ", (char **) words->pdata);
      return g_strdup_printf (_("The C++ code compiled, but linking failed: “%s” is not "
                                "defined. It comes from a library the compiler flags do not "
                                "name: add %s to the compiler flags (in Preferences, or with "
                                "--flags in kiln-cli). Libraries in the flags are given to the "
                                "linker after the source file."), symbol, flags);
    }

  return g_strdup_printf (_("The C++ code compiled, but linking failed: “%s” is not defined "
                            "anywhere. If it comes from a library, add that library’s -l flag "
                            "(for example -lgmp) to the compiler flags (in Preferences, or "
                            "with --flags in kiln-cli); if it is the program’s own function, "
                            "its definition is missing."), symbol);
}

/* --- work folders -------------------------------------------------------------------- */

/* Removes a folder a program wrote into, never following a link out of it. */
void
_kiln_toolchain_remove_tree (const char *path)
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
              _kiln_toolchain_remove_tree (child);
            }
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }

  g_rmdir (path);
}

void
_kiln_toolchain_remove_tree_thread (GTask        *task,
                                    gpointer      source_object,
                                    gpointer      task_data,
                                    GCancellable *cancellable)
{
  if (task_data != NULL)
    _kiln_toolchain_remove_tree (task_data);
  g_task_return_boolean (task, TRUE);
}

/* Makes a fresh folder below @parent and writes @content into @file_name there. */
char *
_kiln_toolchain_make_work_dir (const char  *parent,
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
      _kiln_toolchain_remove_tree (template);
      g_set_error (error, KILN_ERROR, KILN_ERROR_CACHE,
                   _("Could not write the program to “%s”: %s"), file, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&template);
}

/* --- compiling ---------------------------------------------------------------------- */

typedef struct
{
  char              *compiler_command;  /* as asked for; NULL: the toolchain's */
  char              *compiler;          /* its full path, once known */
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

  g_free (state->compiler_command);
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

/* How many arguments, from @flags[i], are one linker input (a library, a library folder, an
 * object or archive, an option for the linker), or 0 when @flags[i] is not one. */
static guint
linker_input_length (char * const *flags,
                     guint         i)
{
  const char *flag = flags[i];

  if (g_str_equal (flag, "-l") || g_str_equal (flag, "-L") || g_str_equal (flag, "-Xlinker"))
    return flags[i + 1] != NULL ? 2 : 1;
  if (g_str_has_prefix (flag, "-l") || g_str_has_prefix (flag, "-L") ||
      g_str_has_prefix (flag, "-Wl,"))
    return 1;
  if (flag[0] != '-' &&
      (g_str_has_suffix (flag, ".a") || g_str_has_suffix (flag, ".o") ||
       g_str_has_suffix (flag, ".so") || strstr (flag, ".so.") != NULL))
    return 1;

  return 0;
}

/* The linker reads its inputs in order and keeps from a library only what earlier inputs
 * need, so libraries named before main.cpp would be dropped: they go after it. Everything
 * else (-std, -O3, -fopenmp, -pthread, -I, -D…) stays in front, in the order given. */
char **
_kiln_toolchain_build_compile_argv (const char    *compiler,
                                    char * const  *flags)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrvBuilder *linker = g_strv_builder_new ();
  g_auto(GStrv) linker_inputs = NULL;
  char **argv;

  g_strv_builder_add (builder, compiler);
  for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
    {
      guint length = linker_input_length (flags, i);

      if (length == 0)
        {
          g_strv_builder_add (builder, flags[i]);
          continue;
        }
      for (guint j = 0; j < length; j++)
        g_strv_builder_add (linker, flags[i + j]);
      i += length - 1;
    }
  g_strv_builder_add_many (builder, "-fdiagnostics-color=never", "main.cpp", "-o", "main",
                           NULL);
  linker_inputs = g_strv_builder_end (linker);
  g_strv_builder_addv (builder, (const char **) linker_inputs);
  argv = g_strv_builder_end (builder);
  g_strv_builder_unref (linker);
  g_strv_builder_unref (builder);

  return argv;
}

static char **
build_compile_command (CompileState *state)
{
  return _kiln_toolchain_build_compile_argv (state->compiler, state->flags);
}

char *
_kiln_toolchain_compute_cache_key (const char          *kind,
                                   const char          *compiler,
                                   const char          *version,
                                   char * const        *flags,
                                   const char          *source,
                                   const char          *extra)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  /* Every field ends with a NUL so that no two different inputs hash alike. */
  g_checksum_update (checksum, (const guchar *) kind, strlen (kind) + 1);
  g_checksum_update (checksum, (const guchar *) compiler, strlen (compiler) + 1);
  g_checksum_update (checksum, (const guchar *) version, strlen (version) + 1);
  for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
    g_checksum_update (checksum, (const guchar *) flags[i], strlen (flags[i]) + 1);
  g_checksum_update (checksum, (const guchar *) source, strlen (source) + 1);
  if (extra != NULL)
    g_checksum_update (checksum, (const guchar *) extra, strlen (extra) + 1);

  return g_strdup (g_checksum_get_string (checksum));
}

/* TRUE when @path starts like an executable the compiler writes (ELF). */
static gboolean
looks_like_binary (const char *path)
{
  char magic[4] = { 0 };
  FILE *file = g_fopen (path, "rb");
  gboolean ok;

  if (file == NULL)
    return FALSE;
  ok = fread (magic, 1, sizeof magic, file) == sizeof magic && memcmp (magic, "\177ELF", 4) == 0;
  fclose (file);

  return ok;
}

/* A damaged cache entry is moved aside (NAME.corrupt, NAME.json.corrupt), not deleted, so
 * it can still be looked at; the compile that follows writes a fresh entry. */
static void
set_cache_entry_aside (const char *binary,
                       const char *meta)
{
  const char *paths[] = { binary, meta };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *aside = g_strconcat (paths[i], ".corrupt", NULL);

      if (g_file_test (paths[i], G_FILE_TEST_EXISTS) && g_rename (paths[i], aside) < 0)
        g_debug ("Could not move the damaged cache file %s aside: %s", paths[i],
                 g_strerror (errno));
    }
  g_debug ("Moved a damaged cache entry aside: %s.corrupt", binary);
}

KilnCompileResult *
_kiln_toolchain_load_cache_entry (const char   *binary,
                                  const char   *meta,
                                  char * const *command)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(KilnCompileResult) result = NULL;
  JsonObject *object;
  JsonNode *root;

  if (!g_file_test (binary, G_FILE_TEST_EXISTS))
    return NULL;
  if (!g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE) || !looks_like_binary (binary)
      || !json_parser_load_from_file (parser, meta, NULL))
    {
      set_cache_entry_aside (binary, meta);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_cache_entry_aside (binary, meta);
      return NULL;
    }
  object = json_node_get_object (root);

  result = kiln_compile_result_new ();
  result->ok = TRUE;
  result->cached = TRUE;
  result->seconds = json_object_get_double_member_with_default (object, "seconds", 0);
  result->output = g_strdup (json_object_get_string_member_with_default (object, "output", ""));
  if (command != NULL)
    result->command = g_strdupv ((char **) command);
  else
    {
      JsonNode *node = json_object_get_member (object, "command");
      GStrvBuilder *builder = g_strv_builder_new ();

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_VALUE (element) &&
                  json_node_get_value_type (element) == G_TYPE_STRING)
                g_strv_builder_add (builder, json_node_get_string (element));
            }
        }
      result->command = g_strv_builder_end (builder);
      g_strv_builder_unref (builder);
    }
  result->binary_path = g_strdup (binary);
  g_ptr_array_extend_and_steal (result->diagnostics, kiln_diagnostics_parse (result->output));

  return g_steal_pointer (&result);
}

gboolean
_kiln_toolchain_store_cache_entry (KilnCompileResult *result,
                                   const char        *built,
                                   const char        *binary,
                                   const char        *meta,
                                   gboolean           with_command)
{
  g_autofree char *bin_dir = g_path_get_dirname (binary);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *output = g_utf8_make_valid (result->output != NULL ? result->output : "",
                                               -1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, result->seconds);
  json_builder_set_member_name (builder, "output");
  json_builder_add_string_value (builder, output);
  if (with_command)
    {
      json_builder_set_member_name (builder, "command");
      json_builder_begin_array (builder);
      for (guint i = 0; result->command != NULL && result->command[i] != NULL; i++)
        {
          g_autofree char *word = g_utf8_make_valid (result->command[i], -1);

          json_builder_add_string_value (builder, word);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  /* Compiler output may hold any byte; the entry must read back as JSON. */
  text = kiln_json_to_string (root, FALSE);

  /* A cache that cannot be written only costs a recompile next time: run from the
   * build folder then, and keep that folder. */
  if (g_mkdir_with_parents (bin_dir, 0700) == 0 &&
      g_rename (built, binary) == 0 &&
      g_file_set_contents (meta, text, -1, NULL))
    {
      g_free (result->binary_path);
      result->binary_path = g_strdup (binary);
      return TRUE;
    }

  g_debug ("Could not store a compiled binary in %s", bin_dir);
  g_free (result->binary_path);
  if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
    result->binary_path = g_strdup (built);
  else
    result->binary_path = g_strdup (binary);
  return FALSE;
}

KilnCompileResult *
_kiln_toolchain_compile_result_from_process (const KilnProcessResult *process,
                                             const char              *compiler,
                                             char * const            *command,
                                             double                   seconds)
{
  KilnCompileResult *result = kiln_compile_result_new ();
  GString *output;

  result->seconds = seconds;
  result->command = g_strdupv ((char **) command);

  output = g_string_new (NULL);
  g_string_append_len (output, g_bytes_get_data (process->stderr_bytes, NULL),
                       g_bytes_get_size (process->stderr_bytes));
  g_string_append_len (output, g_bytes_get_data (process->stdout_bytes, NULL),
                       g_bytes_get_size (process->stdout_bytes));
  result->output = g_string_free (output, FALSE);
  g_ptr_array_extend_and_steal (result->diagnostics, kiln_diagnostics_parse (result->output));

  if (process->report.exit_status != 0)
    {
      g_autofree char *hint = _kiln_toolchain_describe_link_failure (result->output);

      if (hint != NULL)
        g_ptr_array_add (result->diagnostics,
                         kiln_diagnostic_new ("", 0, 0, KILN_SEVERITY_NOTE, hint));
    }

  if (process->report.spawn_errno != 0)
    {
      g_autofree char *text = g_strdup_printf (_("Could not start the compiler “%s”: %s"),
                                               compiler,
                                               g_strerror (process->report.spawn_errno));
      g_ptr_array_add (result->diagnostics,
                       kiln_diagnostic_new ("", 0, 0, KILN_SEVERITY_ERROR, text));
    }
  else if (process->report.timed_out)
    {
      g_autofree char *text = g_strdup_printf (_("The compiler was stopped after %u seconds."),
                                               _KILN_TOOLCHAIN_COMPILE_TIMEOUT_MS / 1000);
      g_ptr_array_add (result->diagnostics,
                       kiln_diagnostic_new ("", 0, 0, KILN_SEVERITY_ERROR, text));
    }
  else
    result->ok = process->report.exit_status == 0 && !process->output_truncated;

  return result;
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
  g_auto(GStrv) command = NULL;
  GError *error = NULL;

  state->binary = g_build_filename (bin_dir, state->key, NULL);
  state->meta = g_strconcat (state->binary, ".json", NULL);

  command = build_compile_command (state);
  if ((state->result = _kiln_toolchain_load_cache_entry (state->binary, state->meta, command)))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  state->work_dir = _kiln_toolchain_make_work_dir (build_dir, "main.cpp", state->source, &error);
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

      if (!_kiln_toolchain_store_cache_entry (result, built, state->binary, state->meta,
                                              FALSE))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
    }

  _kiln_toolchain_remove_tree (state->work_dir);
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
  g_auto(GStrv) command = NULL;

  process = _kiln_process_run_finish (res, &error);
  if (process == NULL)
    {
      g_autoptr(GTask) cleanup = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_task_data (cleanup, g_steal_pointer (&state->work_dir), g_free);
      g_task_run_in_thread (cleanup, _kiln_toolchain_remove_tree_thread);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  command = build_compile_command (state);
  state->result = _kiln_toolchain_compile_result_from_process (
      process, state->compiler, command,
      (g_get_monotonic_time () - state->started) / (double) G_USEC_PER_SEC);

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
                           _KILN_TOOLCHAIN_COMPILE_TIMEOUT_MS, _KILN_TOOLCHAIN_COMPILE_OUTPUT_CAP,
                           cancellable, compile_ran_cb, g_steal_pointer (&task));
}

static void
compile_with_version (GTask      *task,
                      const char *version)
{
  CompileState *state = g_task_get_task_data (task);
  g_autoptr(GTask) prepare = NULL;

  state->key = _kiln_toolchain_compute_cache_key ("kiln-binary-1", state->compiler, version,
                                                  state->flags, state->source, NULL);

  prepare = g_task_new (NULL, g_task_get_cancellable (task), compile_prepared_cb,
                        g_object_ref (task));
  g_task_set_task_data (prepare, state, NULL);
  g_task_run_in_thread (prepare, compile_prepare_thread);
}

/* --- the compiler's identity ---------------------------------------------------------- */

typedef struct
{
  char *compiler;
  char *version;
} CompilerIdentity;

static void
compiler_identity_free (gpointer data)
{
  CompilerIdentity *identity = data;

  g_free (identity->compiler);
  g_free (identity->version);
  g_free (identity);
}

static void
version_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KilnToolchain *self = g_task_get_source_object (task);
  CompilerIdentity *identity = g_task_get_task_data (task);
  g_autoptr(KilnProcessResult) process = NULL;
  g_autoptr(GError) error = NULL;
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
                               identity->compiler);
      return;
    }

  data = g_bytes_get_data (process->stdout_bytes, &size);
  identity->version = g_strndup (data != NULL ? data : "", size);
  identity->version[strcspn (identity->version, "\n")] = '\0';

  g_hash_table_replace (self->versions, g_strdup (identity->compiler),
                        g_strdup (identity->version));
  g_task_return_boolean (task, TRUE);
}

void
_kiln_toolchain_identify_async (KilnToolchain       *self,
                                const char          *command,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CompilerIdentity *identity;
  const char *version;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _kiln_toolchain_identify_async);
  identity = g_new0 (CompilerIdentity, 1);
  g_task_set_task_data (task, identity, compiler_identity_free);

  if (!(identity->compiler = _kiln_toolchain_find_compiler_command (
            command != NULL ? command : self->compiler, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if ((version = g_hash_table_lookup (self->versions, identity->compiler)))
    {
      identity->version = g_strdup (version);
      g_task_return_boolean (task, TRUE);
    }
  else
    {
      const char *argv[] = { identity->compiler, "--version", NULL };

      _kiln_process_run_async (argv, NULL, NULL, VERSION_TIMEOUT_MS, 64 * 1024, cancellable,
                               version_cb, g_steal_pointer (&task));
    }
}

char *
_kiln_toolchain_identify_finish (KilnToolchain  *self,
                                 GAsyncResult   *result,
                                 char          **version,
                                 GError        **error)
{
  CompilerIdentity *identity;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  identity = g_task_get_task_data (G_TASK (result));
  if (version != NULL)
    *version = g_strdup (identity->version);
  return g_strdup (identity->compiler);
}

void
kiln_toolchain_query_compiler_async (KilnToolchain       *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (KILN_IS_TOOLCHAIN (self));

  _kiln_toolchain_identify_async (self, NULL, cancellable, callback, user_data);
}

char *
kiln_toolchain_query_compiler_finish (KilnToolchain  *self,
                                      GAsyncResult   *result,
                                      char          **version,
                                      GError        **error)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);

  return _kiln_toolchain_identify_finish (self, result, version, error);
}

char *
kiln_toolchain_dup_effective_flags (KilnToolchain *self)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);

  return g_strdup ((self->flags != NULL && *self->flags != '\0')
                     ? self->flags : kiln_toolchain_default_flags ());
}

static void
compiler_known_cb (GObject      *object,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CompileState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *compiler = NULL;

  compiler = _kiln_toolchain_identify_finish (KILN_TOOLCHAIN (object), res, &version, &error);
  if (compiler == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_free (state->compiler);
  state->compiler = g_steal_pointer (&compiler);
  compile_with_version (task, version);
}

void
kiln_toolchain_compile_full_async (KilnToolchain       *self,
                                   const char          *source,
                                   const char          *compiler,
                                   const char          *flags,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CompileState *state;

  g_return_if_fail (KILN_IS_TOOLCHAIN (self));
  g_return_if_fail (source != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_toolchain_compile_full_async);

  state = g_new0 (CompileState, 1);
  g_task_set_task_data (task, state, compile_state_free);
  state->source = g_strdup (source);
  state->cache_dir = g_strdup (self->cache_dir);
  state->compiler_command = g_strdup (compiler);

  if (!(state->flags = _kiln_toolchain_parse_flags (flags != NULL ? flags : self->flags,
                                                    &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _kiln_toolchain_identify_async (self, state->compiler_command, cancellable,
                                  compiler_known_cb, g_steal_pointer (&task));
}

KilnCompileResult *
kiln_toolchain_compile_full_finish (KilnToolchain  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (KILN_IS_TOOLCHAIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
kiln_toolchain_compile_async (KilnToolchain       *self,
                              const char          *source,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  kiln_toolchain_compile_full_async (self, source, NULL, NULL, cancellable, callback,
                                     user_data);
}

KilnCompileResult *
kiln_toolchain_compile_finish (KilnToolchain  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  return kiln_toolchain_compile_full_finish (self, result, error);
}

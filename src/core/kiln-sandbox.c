/* kiln-sandbox.c: bubblewrap, flatpak-spawn or limits only
 *
 * A run goes: Kiln → kiln-run-helper → launcher → kiln-run-helper (inside) → program. The
 * outer helper enforces the timeout and Stop and holds the pids cgroup; the inner one is the
 * program's direct parent, so its wait4() still gives exact CPU time, peak memory and exit
 * status (bwrap itself would turn a signal into exit status 128+N and, with a PID namespace,
 * lose the rusage). Under bwrap the inner helper is PID 1 of a new PID namespace: when it or
 * the launcher dies, the kernel kills everything left in the namespace.
 *
 * What the sandbox shows, read-only: /usr (and the /bin, /lib… links to it), a few files of
 * /etc the loader and libc read, the helper, and the program's own folders — for a compiled
 * program the binary cache folder, for Python what the interpreter itself reports:
 * sys.prefix, sys.base_prefix, the folder of sys.executable and every folder on sys.path.
 * Asking the interpreter resolves shims (pyenv, asdf), virtual environments and user site
 * packages alike, without knowing any of them. Writable: the run's work folder and a
 * private /tmp. No network, no home folder, no other process visible.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-sandbox.h"

#define NESTED_REPORT_FD 4
#define DEFAULT_MEMORY_LIMIT (G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024)
#define DEFAULT_FILE_SIZE_LIMIT (G_GUINT64_CONSTANT (256) * 1024 * 1024)
#define DEFAULT_MAX_PROCESSES 512

/* Asked of the interpreter: where it really is, and what it reads when it starts. */
static const char python_probe[] =
  "import sys, os\n"
  "print(os.path.realpath(sys.executable))\n"
  "for p in {sys.prefix, sys.base_prefix, os.path.dirname(sys.executable)} | set(sys.path):\n"
  "    if os.path.isabs(p) and os.path.isdir(p): print(p)\n";

static const char * const etc_files[] = {
  "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
  "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/alternatives",
  "/etc/python3", NULL
};

typedef enum
{
  PROBE_NOT_STARTED,
  PROBE_RUNNING,
  PROBE_DONE,
} ProbeState;

static ProbeState  probe_state;
static KilnSandbox probe_result = KILN_SANDBOX_LIMITS;
static char       *bwrap_path;
static GPtrArray  *probe_waiters;   /* GTask */
static GHashTable *python_cache;    /* interpreter path -> GStrv: executable, folders… */

const char *
kiln_sandbox_to_string (KilnSandbox sandbox)
{
  switch (sandbox)
    {
    case KILN_SANDBOX_BUBBLEWRAP:
      return "bubblewrap";
    case KILN_SANDBOX_FLATPAK:
      return "flatpak";
    case KILN_SANDBOX_LIMITS:
    default:
      return "limits";
    }
}

void
_kiln_sandbox_plan_free (KilnSandboxPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->program);
  g_clear_pointer (&plan->read_only, g_ptr_array_unref);
  g_free (plan);
}

/* --- steps of a plan ------------------------------------------------------------------ */

typedef struct
{
  KilnSandboxPlan *plan;
  gboolean         is_python;
} PlanState;

static void
plan_state_free (gpointer data)
{
  PlanState *state = data;

  _kiln_sandbox_plan_free (state->plan);
  g_free (state);
}

static void
return_plan (GTask *task)
{
  PlanState *state = g_task_get_task_data (task);

  g_task_return_pointer (task, g_steal_pointer (&state->plan),
                         (GDestroyNotify) _kiln_sandbox_plan_free);
}

static void
apply_python_location (GTask      *task,
                       const char *const *location)
{
  PlanState *state = g_task_get_task_data (task);

  if (location == NULL || location[0] == NULL)
    {
      if (state->plan->sandbox != KILN_SANDBOX_LIMITS)
        g_debug ("Could not ask %s where it lives; running it with limits only",
                 state->plan->program);
      state->plan->sandbox = KILN_SANDBOX_LIMITS;
      return;
    }

  g_free (state->plan->program);
  state->plan->program = g_strdup (location[0]);
  for (guint i = 1; location[i] != NULL; i++)
    g_ptr_array_add (state->plan->read_only, g_strdup (location[i]));
}

static void
python_probe_cb (GObject      *object,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PlanState *state = g_task_get_task_data (task);
  GSubprocess *subprocess = G_SUBPROCESS (object);
  g_autofree char *out = NULL;
  g_auto(GStrv) location = NULL;

  if (g_subprocess_communicate_utf8_finish (subprocess, res, &out, NULL, NULL) &&
      g_subprocess_get_if_exited (subprocess) && g_subprocess_get_exit_status (subprocess) == 0)
    {
      location = g_strsplit (g_strchomp (out), "\n", -1);
      if (location[0] != NULL && g_path_is_absolute (location[0]))
        {
          if (python_cache == NULL)
            python_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) g_strfreev);
          g_hash_table_replace (python_cache,
                                g_strdup (g_object_get_data (G_OBJECT (task), "python")),
                                g_strdupv (location));
        }
      else
        g_clear_pointer (&location, g_strfreev);
    }

  if (g_task_return_error_if_cancelled (task))
    return;
  g_assert (state->plan != NULL);
  apply_python_location (task, (const char * const *) location);
  return_plan (task);
}

static void
resolve_program (GTask *task)
{
  PlanState *state = g_task_get_task_data (task);
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *cached;

  /* Python is always run as the real interpreter, also with limits only: a launcher in
   * between (a pyenv shim is a shell script costing a second or more here) would be timed
   * as part of the program, and differently with and without the sandbox. */
  if (state->plan->sandbox == KILN_SANDBOX_LIMITS && !state->is_python)
    {
      return_plan (task);
      return;
    }

  if (!state->is_python)
    {
      /* A compiled program needs its own folder, nothing else outside /usr. */
      g_autofree char *dir = g_path_get_dirname (state->plan->program);

      g_ptr_array_add (state->plan->read_only, g_steal_pointer (&dir));
      return_plan (task);
      return;
    }

  cached = python_cache != NULL ? g_hash_table_lookup (python_cache, state->plan->program) : NULL;
  if (cached != NULL)
    {
      apply_python_location (task, cached);
      return_plan (task);
      return;
    }

  subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                 &error, state->plan->program, "-c", python_probe, NULL);
  if (subprocess == NULL)
    {
      apply_python_location (task, NULL);
      return_plan (task);
      return;
    }

  g_object_set_data_full (G_OBJECT (task), "python", g_strdup (state->plan->program), g_free);
  g_subprocess_communicate_utf8_async (subprocess, NULL, g_task_get_cancellable (task),
                                       python_probe_cb, g_object_ref (task));
}

static void
finish_probe (KilnSandbox result)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&probe_waiters);

  probe_result = result;
  probe_state = PROBE_DONE;
  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      PlanState *state = g_task_get_task_data (task);

      state->plan->sandbox = result;
      resolve_program (task);
    }
}

static void
bwrap_probe_cb (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  GSubprocess *subprocess = G_SUBPROCESS (object);
  g_autoptr(GError) error = NULL;

  if (g_subprocess_wait_check_finish (subprocess, res, &error))
    finish_probe (KILN_SANDBOX_BUBBLEWRAP);
  else
    {
      g_debug ("bubblewrap does not work here (%s); runs get resource limits only",
               error->message);
      finish_probe (KILN_SANDBOX_LIMITS);
    }
  g_object_unref (subprocess);
}

/* Runs bwrap once with the namespaces a run uses: in some containers they are refused. */
static void
start_probe (void)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *subprocess;

  probe_state = PROBE_RUNNING;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_autofree char *spawn = g_find_program_in_path ("flatpak-spawn");

      if (spawn == NULL)
        g_debug ("Inside Flatpak without flatpak-spawn; runs get resource limits only");
      finish_probe (spawn != NULL ? KILN_SANDBOX_FLATPAK : KILN_SANDBOX_LIMITS);
      return;
    }

  bwrap_path = g_find_program_in_path ("bwrap");
  if (bwrap_path == NULL)
    {
      g_debug ("bubblewrap (bwrap) is not installed; runs get resource limits only");
      finish_probe (KILN_SANDBOX_LIMITS);
      return;
    }

  subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                 G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                 bwrap_path, "--ro-bind", "/", "/", "--proc", "/proc",
                                 "--dev", "/dev", "--unshare-net", "--unshare-pid",
                                 "--unshare-ipc", "--unshare-uts", "--die-with-parent",
                                 "--new-session", "--as-pid-1", "true", NULL);
  if (subprocess == NULL)
    {
      g_debug ("Could not start bwrap: %s", error->message);
      finish_probe (KILN_SANDBOX_LIMITS);
      return;
    }

  g_subprocess_wait_check_async (subprocess, NULL, bwrap_probe_cb, NULL);
}

void
_kiln_sandbox_plan_async (gboolean             wanted,
                          const char          *program,
                          gboolean             is_python,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PlanState *state;

  g_return_if_fail (program != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _kiln_sandbox_plan_async);
  g_task_set_check_cancellable (task, FALSE);

  state = g_new0 (PlanState, 1);
  state->is_python = is_python;
  state->plan = g_new0 (KilnSandboxPlan, 1);
  state->plan->sandbox = KILN_SANDBOX_LIMITS;
  state->plan->program = g_strdup (program);
  state->plan->read_only = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, state, plan_state_free);

  if (!wanted)
    {
      resolve_program (task);
      return;
    }

  if (probe_state == PROBE_DONE)
    {
      state->plan->sandbox = probe_result;
      resolve_program (task);
      return;
    }

  if (probe_waiters == NULL)
    probe_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (probe_waiters, g_steal_pointer (&task));
  if (probe_state == PROBE_NOT_STARTED)
    start_probe ();
}

KilnSandboxPlan *
_kiln_sandbox_plan_finish (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), NULL);
}

/* --- the command ---------------------------------------------------------------------- */

static void
add (GPtrArray  *array,
     const char *first,
     ...)
{
  va_list args;
  const char *arg;

  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (array, g_strdup (arg));
  va_end (args);
}

static void
add_number (GPtrArray  *array,
            const char *option,
            guint64     value)
{
  g_ptr_array_add (array, g_strdup (option));
  g_ptr_array_add (array, g_strdup_printf ("%" G_GUINT64_FORMAT, value));
}

static void
append_all (GPtrArray *array,
            GPtrArray *more)
{
  for (guint i = 0; i < more->len; i++)
    g_ptr_array_add (array, g_strdup (g_ptr_array_index (more, i)));
}

/* Under /usr (or a link to it) is visible anyway. */
static gboolean
is_system_path (const char *path)
{
  static const char * const system[] = { "/usr", "/bin", "/sbin", "/lib", "/lib64", NULL };

  for (guint i = 0; system[i] != NULL; i++)
    {
      gsize len = strlen (system[i]);

      if (strncmp (path, system[i], len) == 0 && (path[len] == '\0' || path[len] == '/'))
        return TRUE;
    }

  return FALSE;
}

static void
add_system (GPtrArray *command)
{
  static const char * const links[] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64",
                                        "/libx32", NULL };

  add (command, "--ro-bind", "/usr", "/usr", NULL);
  for (guint i = 0; links[i] != NULL; i++)
    {
      g_autofree char *target = g_file_read_link (links[i], NULL);

      if (target != NULL)
        add (command, "--symlink", target, links[i], NULL);
      else if (g_file_test (links[i], G_FILE_TEST_IS_DIR))
        add (command, "--ro-bind", links[i], links[i], NULL);
    }

  for (guint i = 0; etc_files[i] != NULL; i++)
    add (command, "--ro-bind-try", etc_files[i], etc_files[i], NULL);
}

void
_kiln_sandbox_build_command (const KilnSandboxPlan *plan,
                             const char            *helper,
                             const char            *work_dir,
                             const char * const    *argv,
                             guint                  timeout_ms,
                             guint64                memory_limit,
                             guint64                file_size_limit,
                             guint                  max_processes,
                             GPtrArray             *helper_options,
                             GPtrArray             *command)
{
  g_autoptr(GPtrArray) limits = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *nested_fd = g_strdup_printf ("%d", NESTED_REPORT_FD);
  KilnSandbox sandbox = plan != NULL ? plan->sandbox : KILN_SANDBOX_LIMITS;

  g_return_if_fail (argv != NULL && argv[0] != NULL);

  if (memory_limit == 0)
    memory_limit = DEFAULT_MEMORY_LIMIT;
  if (file_size_limit == 0)
    file_size_limit = DEFAULT_FILE_SIZE_LIMIT;
  if (max_processes == 0)
    max_processes = DEFAULT_MAX_PROCESSES;

  /* CPU time is a backstop behind the wall-clock timeout: generous enough for a program
   * that keeps every core busy for the whole timeout. */
  if (timeout_ms > 0)
    add_number (limits, "--cpu-seconds",
                ((guint64) timeout_ms + 999) / 1000 * MAX (g_get_num_processors (), 1) + 5);
  add_number (limits, "--file-size-mib", file_size_limit / (1024 * 1024));
  add_number (limits, "--processes", max_processes);

  /* Counted by the kernel across the whole sandbox, also for root. */
  add_number (helper_options, "--pids-max", max_processes);

  /* Memory is limited where it is measured: by the outer helper's memory cgroup, which holds
   * the launcher and all inside it, or else by an address-space cap it sets before starting
   * the launcher, which everything inside inherits. Only flatpak-spawn starts the program
   * outside our process tree, so there the inner helper does it. */
  add_number (sandbox == KILN_SANDBOX_FLATPAK && work_dir != NULL ? limits : helper_options,
              "--memory-mib", MAX (memory_limit / (1024 * 1024), 1));

  if (sandbox == KILN_SANDBOX_LIMITS || work_dir == NULL)
    {
      append_all (helper_options, limits);
      /* The resolved program (the real interpreter behind a launcher), as in the sandbox. */
      g_ptr_array_add (command, g_strdup (plan != NULL && plan->program != NULL
                                            ? plan->program : argv[0]));
      for (guint i = 1; argv[i] != NULL; i++)
        g_ptr_array_add (command, g_strdup (argv[i]));
      return;
    }

  add (helper_options, "--nested-report-fd", nested_fd, NULL);

  if (sandbox == KILN_SANDBOX_FLATPAK)
    {
      g_ptr_array_add (command, g_strdup ("flatpak-spawn"));
      add (command, "--sandbox", "--no-network", "--watch-bus", NULL);
      g_ptr_array_add (command, g_strdup_printf ("--forward-fd=%d", NESTED_REPORT_FD));
      g_ptr_array_add (command, g_strdup_printf ("--directory=%s", work_dir));
      g_ptr_array_add (command, g_strdup_printf ("--sandbox-expose-path=%s", work_dir));
      for (guint i = 0; plan->read_only != NULL && i < plan->read_only->len; i++)
        g_ptr_array_add (command, g_strdup_printf ("--sandbox-expose-path-ro=%s",
                                                   (char *) g_ptr_array_index (plan->read_only,
                                                                               i)));
    }
  else
    {
      g_ptr_array_add (command, g_strdup (bwrap_path != NULL ? bwrap_path : "bwrap"));
      add (command, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
           "--die-with-parent", "--new-session", "--as-pid-1", NULL);
      add_system (command);
      add (command, "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", NULL);
      for (guint i = 0; plan->read_only != NULL && i < plan->read_only->len; i++)
        {
          const char *path = g_ptr_array_index (plan->read_only, i);

          if (!is_system_path (path))
            add (command, "--ro-bind-try", path, path, NULL);
        }
      if (!is_system_path (helper))
        add (command, "--ro-bind", helper, helper, NULL);
      add (command, "--bind", work_dir, work_dir, "--chdir", work_dir,
           "--setenv", "TMPDIR", "/tmp", NULL);
    }

  g_ptr_array_add (command, g_strdup (helper));
  add (command, "--report-fd", nested_fd, NULL);
  append_all (command, limits);
  g_ptr_array_add (command, g_strdup ("--"));
  g_ptr_array_add (command, g_strdup (plan->program));
  for (guint i = 1; argv[i] != NULL; i++)
    g_ptr_array_add (command, g_strdup (argv[i]));
}

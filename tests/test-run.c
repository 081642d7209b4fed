/* test-run.c: running programs for real — timing, rusage, repeats, limits, cancellation
 *
 * Every test runs the real python3 or a real compiled program through kiln-run-helper.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>

#include <glib/gstdio.h>

#include "kiln-test-util.h"

typedef struct
{
  KilnToolchain *toolchain;
  char          *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->toolchain = kiln_test_toolchain_new (&fixture->dir);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->toolchain);
  kiln_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static KilnRunResult *
run_python (Fixture             *fixture,
            const char          *source,
            const char          *input,
            const KilnRunLimits *limits)
{
  return kiln_test_run (fixture->toolchain, KILN_LANGUAGE_PYTHON, source, input, limits);
}

static void
test_python_hello (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run_python (fixture, "print('hello')\n", NULL, NULL);
  const KilnRunStats *run;
  g_autofree char *out = kiln_test_stdout (result);

  g_assert_no_error (result->error);
  g_assert_true (result->ok);
  g_assert_cmpstr (out, ==, "hello\n");
  /* Timed like the C++: three runs within the 20 s budget. */
  g_assert_cmpuint (result->runs->len, ==, 3);
  g_assert_null (result->compile);

  run = kiln_run_result_get_median_run (result);
  g_assert_nonnull (run);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpint (run->signal, ==, 0);
  g_assert_cmpfloat (run->wall_seconds, >, 0);
  g_assert_cmpint (run->max_rss_kib, >, 1000);
  g_assert_false (run->timed_out);
  g_assert_false (run->output_truncated);
}

/* The program measures its own CPU time: ours, from rusage, can only be at least as much. */
static void
test_cpu_time (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run_python (fixture,
    "import time\n"
    "n = 0\n"
    "while time.process_time() < 0.3:\n"
    "    n += 1\n"
    "time.sleep(0.3)\n", NULL, NULL);
  const KilnRunStats *run = kiln_run_result_get_median_run (result);

  g_assert_true (result->ok);
  g_assert_cmpfloat (run->user_seconds + run->sys_seconds, >=, 0.3);
  /* It also slept 0.3 s, which costs wall time but no CPU time. */
  g_assert_cmpfloat (run->wall_seconds, >=, 0.6);
  g_assert_cmpfloat (run->wall_seconds, >, run->user_seconds + run->sys_seconds);
}

static void
test_peak_memory (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(KilnRunResult) small = run_python (fixture, "x = 1\n", NULL, NULL);
  g_autoptr(KilnRunResult) big = run_python (fixture,
    "b = bytearray(200 * 1024 * 1024)\n"
    "for i in range(0, len(b), 4096):\n"
    "    b[i] = 1\n", NULL, NULL);

  g_assert_true (small->ok);
  g_assert_true (big->ok);
  g_assert_cmpint (kiln_run_result_get_median_run (big)->max_rss_kib, >=, 200 * 1024);
  g_assert_cmpint (kiln_run_result_get_median_run (small)->max_rss_kib, <, 200 * 1024);
}

static void
test_repeat_policy (Fixture       *fixture,
                    gconstpointer  data)
{
  KilnRunLimits limits;

  /* Python is timed like C++: three runs by default, within the 20 s budget. */
  {
    g_autoptr(KilnRunResult) result = run_python (fixture, "print(1)\n", NULL, NULL);
    g_assert_cmpuint (result->runs->len, ==, 3);
  }

  /* Up to max_runs when the budget allows. */
  kiln_run_limits_init_default (&limits, KILN_LANGUAGE_PYTHON);
  limits.max_runs = 4;
  limits.time_budget_ms = G_MAXUINT;
  {
    g_autoptr(KilnRunResult) result = run_python (fixture, "print(1)\n", NULL, &limits);
    g_assert_cmpuint (result->runs->len, ==, 4);
  }

  /* C++ by default: 3 runs, also of a program that takes over a second (the budget of
   * 20 s only stops a slow one early). */
  kiln_run_limits_init_default (&limits, KILN_LANGUAGE_CPP);
  g_assert_cmpuint (limits.max_runs, ==, 3);
  g_assert_cmpuint (limits.time_budget_ms, ==, 20000);
  {
    g_autoptr(KilnRunResult) result = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_CPP,
                                                     "#include <unistd.h>\n"
                                                     "int main() { usleep (1200000); }\n",
                                                     NULL, &limits);
    g_assert_true (result->ok);
    g_assert_cmpuint (result->runs->len, ==, 3);
  }

  /* No further run starts once the budget is spent: 0.6 s runs within 1 s make two. (C++,
   * because an interpreter's start-up time would blur the arithmetic.) */
  limits.time_budget_ms = 1000;
  {
    g_autoptr(KilnRunResult) result = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_CPP,
                                                     "#include <unistd.h>\n"
                                                     "int main() { usleep (600000); }\n",
                                                     NULL, &limits);
    g_assert_true (result->ok);
    g_assert_cmpuint (result->runs->len, ==, 2);
  }

  /* A failing run ends the series at once. */
  limits.max_runs = 5;
  limits.time_budget_ms = G_MAXUINT;
  {
    g_autoptr(KilnRunResult) result = run_python (fixture, "raise SystemExit(4)\n",
                                                  NULL, &limits);
    g_assert_false (result->ok);
    g_assert_cmpuint (result->runs->len, ==, 1);
  }
}

static void
test_median (void)
{
  g_autoptr(KilnRunResult) result = kiln_run_result_new (KILN_LANGUAGE_CPP);
  const double walls[] = { 0.5, 0.1, 0.3, 0.9 };
  double median, min, max;

  g_assert_false (kiln_run_result_get_wall (result, &median, &min, &max));
  g_assert_null (kiln_run_result_get_median_run (result));

  for (guint i = 0; i < G_N_ELEMENTS (walls); i++)
    {
      KilnRunStats stats = { .wall_seconds = walls[i], .max_rss_kib = i };
      g_array_append_val (result->runs, stats);
    }

  g_assert_true (kiln_run_result_get_wall (result, &median, &min, &max));
  /* The lower median of an even count: a run that really happened. */
  g_assert_cmpfloat (median, ==, 0.3);
  g_assert_cmpfloat (min, ==, 0.1);
  g_assert_cmpfloat (max, ==, 0.9);
  g_assert_cmpint (kiln_run_result_get_median_run (result)->max_rss_kib, ==, 2);
}

static void
test_stdin (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(KilnRunResult) upper = run_python (fixture,
    "import sys\nsys.stdout.write(sys.stdin.read().upper())\n", "abc\nxyz\n", NULL);
  g_autoptr(KilnRunResult) empty = run_python (fixture, "x = input()\n", NULL, NULL);
  g_autofree char *out = kiln_test_stdout (upper);

  g_assert_true (upper->ok);
  g_assert_cmpstr (out, ==, "ABC\nXYZ\n");

  /* No input: stdin is empty, not the terminal, so input() ends at once with EOFError. */
  g_assert_false (empty->ok);
  g_assert_error (empty->error, KILN_ERROR, KILN_ERROR_EXIT_STATUS);
  g_assert_nonnull (strstr (empty->error->message, "EOFError"));
}

/* A program that never reads its (large) input must neither hang nor kill Kiln (SIGPIPE). */
static void
test_unread_input (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *input = g_strnfill (8 * 1024 * 1024, 'x');
  g_autoptr(KilnRunResult) result = run_python (fixture, "print('done')\n", input, NULL);
  g_autofree char *out = kiln_test_stdout (result);

  g_assert_true (result->ok);
  g_assert_cmpstr (out, ==, "done\n");
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  KilnRunLimits limits;
  g_autoptr(KilnRunResult) result = NULL;
  const KilnRunStats *run;

  kiln_run_limits_init_default (&limits, KILN_LANGUAGE_PYTHON);
  limits.timeout_ms = 1000;
  result = run_python (fixture, "while True:\n    pass\n", NULL, &limits);
  run = kiln_run_result_get_median_run (result);

  g_assert_false (result->ok);
  g_assert_error (result->error, KILN_ERROR, KILN_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (result->error->message, "Preferences"));
  g_assert_true (run->timed_out);
  g_assert_cmpint (run->signal, ==, SIGKILL);
  g_assert_cmpfloat (run->wall_seconds, >=, 1.0);
}

static void
test_output_cap (Fixture       *fixture,
                 gconstpointer  data)
{
  KilnRunLimits limits;
  g_autoptr(KilnRunResult) result = NULL;

  kiln_run_limits_init_default (&limits, KILN_LANGUAGE_PYTHON);
  /* 100 MB of output against the default cap of 1 MiB. */
  result = run_python (fixture,
                       "import sys\n"
                       "line = 'x' * 99 + '\\n'\n"
                       "for i in range(1000000):\n"
                       "    sys.stdout.write(line)\n", NULL, &limits);

  g_assert_false (result->ok);
  g_assert_error (result->error, KILN_ERROR, KILN_ERROR_OUTPUT_TRUNCATED);
  g_assert_nonnull (strstr (result->error->message, "stdout"));
  g_assert_true (kiln_run_result_get_median_run (result)->output_truncated);
  g_assert_cmpuint (g_bytes_get_size (result->stdout_bytes), ==, 1024 * 1024);
}

static void
test_exit_status_and_signal (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(KilnRunResult) status = run_python (fixture, "import sys\nsys.exit(3)\n", NULL, NULL);
  g_autoptr(KilnRunResult) crash = run_python (fixture,
                                               "import os, signal\n"
                                               "os.kill(os.getpid(), signal.SIGSEGV)\n",
                                               NULL, NULL);
  g_autoptr(KilnRunResult) syntax = run_python (fixture, "def f(:\n  pass\n", NULL, NULL);

  g_assert_false (status->ok);
  g_assert_error (status->error, KILN_ERROR, KILN_ERROR_EXIT_STATUS);
  g_assert_cmpint (kiln_run_result_get_median_run (status)->exit_status, ==, 3);

  g_assert_false (crash->ok);
  g_assert_error (crash->error, KILN_ERROR, KILN_ERROR_SIGNALED);
  g_assert_cmpint (kiln_run_result_get_median_run (crash)->signal, ==, SIGSEGV);
  g_assert_nonnull (strstr (crash->error->message, "signal 11"));

  g_assert_false (syntax->ok);
  g_assert_nonnull (strstr (syntax->error->message, "SyntaxError"));
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gboolean
process_exists (GPid pid)
{
  return kill (pid, 0) == 0 || errno != ESRCH;
}

static GPid
read_pid (const char *path)
{
  g_autofree char *text = NULL;

  for (guint i = 0; i < 500 && !g_file_get_contents (path, &text, NULL, NULL); i++)
    g_usleep (10000);
  g_assert_nonnull (text);
  return (GPid) g_ascii_strtoll (text, NULL, 10);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_file = g_build_filename (fixture->dir, "pid", NULL);
  g_autofree char *quoted = g_shell_quote (pid_file);
  g_autofree char *source = NULL;
  KilnTestWait wait = { NULL };
  KilnRunResult *result;
  GPid pid;

  /* The program writes its pid outside its work folder, so it runs without the sandbox
   * (test-sandbox.c checks the same inside it). */
  kiln_toolchain_set_sandbox (fixture->toolchain, FALSE);
  source = g_strdup_printf ("import os\n"
                            "p = %s\n"
                            "open(p + '.tmp', 'w').write(str(os.getpid()))\n"
                            "os.rename(p + '.tmp', p)\n"
                            "while True:\n"
                            "    pass\n", quoted);

  kiln_toolchain_run_async (fixture->toolchain, KILN_LANGUAGE_PYTHON, source, NULL, NULL,
                            cancellable, kiln_test_wait_cb, &wait);
  while (!g_file_test (pid_file, G_FILE_TEST_EXISTS))
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  pid = read_pid (pid_file);
  g_assert_true (process_exists (pid));

  g_timeout_add (100, cancel_cb, cancellable);
  result = kiln_toolchain_run_finish (fixture->toolchain, kiln_test_wait_for (&wait), &error);
  g_object_unref (wait.result);

  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* By the time the result is in, the process is gone. */
  g_assert_false (process_exists (pid));
}

/* A program that starts a child in a session of its own and exits: no orphan survives. */
static void
test_no_orphans (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *pid_file = g_build_filename (fixture->dir, "child-pid", NULL);
  g_autofree char *quoted = g_shell_quote (pid_file);
  g_autofree char *source = g_strdup_printf (
    "import subprocess\n"
    "child = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
    "open(%s, 'w').write(str(child.pid))\n"
    "print('parent exits')\n", quoted);
  g_autoptr(KilnRunResult) result = NULL;
  GPid child;

  /* Pids seen from out here: without the sandbox's PID namespace (test-sandbox.c checks the
   * same inside it). */
  kiln_toolchain_set_sandbox (fixture->toolchain, FALSE);
  result = run_python (fixture, source, NULL, NULL);
  child = read_pid (pid_file);

  g_assert_true (result->ok);
  g_assert_cmpint (child, >, 1);
  g_assert_false (process_exists (child));
}

/* Closing stdout early and going on must not end the run before the program does. */
static void
test_closes_stdout (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run_python (fixture,
    "import os, sys, time\n"
    "print('bye', flush=True)\n"
    "os.close(1)\n"
    "time.sleep(0.5)\n", NULL, NULL);
  g_autofree char *out = kiln_test_stdout (result);

  g_assert_true (result->ok);
  g_assert_cmpstr (out, ==, "bye\n");
  g_assert_cmpfloat (kiln_run_result_get_median_run (result)->wall_seconds, >=, 0.5);
}

static void
test_missing_interpreter (Fixture       *fixture,
                          gconstpointer  data)
{
  kiln_toolchain_set_python (fixture->toolchain, "/nonexistent/python3");
  {
    g_autoptr(KilnRunResult) result = run_python (fixture, "print(1)\n", NULL, NULL);

    g_assert_false (result->ok);
    g_assert_error (result->error, KILN_ERROR, KILN_ERROR_INTERPRETER_NOT_FOUND);
    g_assert_nonnull (strstr (result->error->message, "Preferences"));
    g_assert_cmpuint (result->runs->len, ==, 0);
  }

  kiln_toolchain_set_python (fixture->toolchain, "kiln-no-such-python");
  {
    g_autoptr(KilnRunResult) result = run_python (fixture, "print(1)\n", NULL, NULL);

    g_assert_error (result->error, KILN_ERROR, KILN_ERROR_INTERPRETER_NOT_FOUND);
    g_assert_nonnull (strstr (result->error->message, "PATH"));
  }
}

static void
test_missing_helper (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *saved = g_strdup (g_getenv ("KILN_RUN_HELPER"));
  g_autoptr(KilnRunResult) result = NULL;

  g_setenv ("KILN_RUN_HELPER", "/nonexistent/kiln-run-helper", TRUE);
  result = run_python (fixture, "print(1)\n", NULL, NULL);
  g_setenv ("KILN_RUN_HELPER", saved, TRUE);

  g_assert_false (result->ok);
  g_assert_error (result->error, KILN_ERROR, KILN_ERROR_HELPER_NOT_FOUND);
}

/* Installed files are found where the build configuration put them relative to BINDIR,
 * seen from the running program: any prefix works. */
static void
test_relocate_path (void)
{
  g_autofree char *program_dir = kiln_core_dup_program_dir ();
  g_autofree char *parent = NULL;
  g_autofree char *bin = kiln_core_relocate_path (BINDIR);
  g_autofree char *libexec = kiln_core_relocate_path (PKGLIBEXECDIR);
  g_autofree char *data = kiln_core_relocate_path (DATADIR "/glib-2.0/schemas");
  g_autofree char *want_libexec = NULL;
  g_autofree char *want_data = NULL;

  g_assert_nonnull (program_dir);
  g_assert_true (g_path_is_absolute (program_dir));
  parent = g_path_get_dirname (program_dir);

  /* The default layout (meson's bin, libexec/kiln, share) */
  if (!g_str_equal (BINDIR, "/usr/local/bin") || !g_str_equal (DATADIR, "/usr/local/share") ||
      !g_str_equal (PKGLIBEXECDIR, "/usr/local/libexec/kiln"))
    {
      g_test_skip ("configured with another layout than meson's default");
      return;
    }
  want_libexec = g_build_filename (parent, "libexec", "kiln", NULL);
  want_data = g_build_filename (parent, "share", "glib-2.0", "schemas", NULL);
  g_assert_cmpstr (bin, ==, program_dir);
  g_assert_cmpstr (libexec, ==, want_libexec);
  g_assert_cmpstr (data, ==, want_data);
}

/* The work folder is the program's current directory, and it is removed afterwards. */
static void
test_work_dir (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run_python (fixture,
    "import os\n"
    "open('scratch.txt', 'w').write('x')\n"
    "os.mkdir('sub')\n"
    "os.chmod('sub', 0o500)\n"
    "print(os.getcwd())\n", NULL, NULL);
  g_autofree char *cwd = kiln_test_stdout (result);

  g_assert_true (result->ok);
  g_strstrip (cwd);
  g_assert_true (g_str_has_prefix (cwd, fixture->dir));
  g_assert_false (g_file_test (cwd, G_FILE_TEST_EXISTS));
}

/* Two runs started together take turns: their executions never overlap in time. */
static void
test_runs_take_turns (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *source = "import time\n"
                       "print(time.time())\n"
                       "time.sleep(0.4)\n"
                       "print(time.time())\n";
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  KilnTestWait waits[3] = { { NULL }, { NULL }, { NULL } };
  KilnRunResult *results[3];
  double spans[2][2];

  for (guint i = 0; i < 2; i++)
    kiln_toolchain_run_async (fixture->toolchain, KILN_LANGUAGE_PYTHON, source, NULL, NULL,
                              NULL, kiln_test_wait_cb, &waits[i]);
  /* A third one is stopped while it waits its turn: it ends without running at all. */
  kiln_toolchain_run_async (fixture->toolchain, KILN_LANGUAGE_PYTHON, source, NULL, NULL,
                            cancellable, kiln_test_wait_cb, &waits[2]);
  g_cancellable_cancel (cancellable);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;

      results[i] = kiln_toolchain_run_finish (fixture->toolchain, kiln_test_wait_for (&waits[i]),
                                              &error);
      g_object_unref (waits[i].result);
      if (i == 2)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_null (results[i]);
        }
      else
        {
          g_autofree char *out = NULL;
          g_auto(GStrv) lines = NULL;

          g_assert_no_error (error);
          g_assert_true (results[i]->ok);
          out = kiln_test_stdout (results[i]);
          lines = g_strsplit (out, "\n", -1);
          spans[i][0] = g_ascii_strtod (lines[0], NULL);
          spans[i][1] = g_ascii_strtod (lines[1], NULL);
          kiln_run_result_unref (results[i]);
        }
    }

  g_assert_true (spans[0][1] <= spans[1][0] || spans[1][1] <= spans[0][0]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  kiln_core_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/run/python/hello", test_python_hello);
  ADD ("/run/rusage/cpu-time", test_cpu_time);
  ADD ("/run/rusage/peak-memory", test_peak_memory);
  ADD ("/run/repeat-policy", test_repeat_policy);
  g_test_add_func ("/run/median", test_median);
  ADD ("/run/stdin", test_stdin);
  ADD ("/run/unread-input", test_unread_input);
  ADD ("/run/limits/timeout", test_timeout);
  ADD ("/run/limits/output-cap", test_output_cap);
  ADD ("/run/failures/exit-signal-syntax", test_exit_status_and_signal);
  ADD ("/run/cancel", test_cancel);
  ADD ("/run/no-orphans", test_no_orphans);
  ADD ("/run/closes-stdout", test_closes_stdout);
  ADD ("/run/missing/interpreter", test_missing_interpreter);
  ADD ("/run/missing/helper", test_missing_helper);
  g_test_add_func ("/run/relocate-path", test_relocate_path);
  ADD ("/run/work-dir", test_work_dir);
  ADD ("/run/take-turns", test_runs_take_turns);

#undef ADD

  return g_test_run ();
}

/* test-sandbox.c: hostile programs, each contained, each with the message a person sees
 *
 * Every run asserts which protection it had. Where bubblewrap cannot work, the checks that
 * need it are skipped with the reason; the resource limits are checked everywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "kiln-test-util.h"

typedef struct
{
  KilnToolchain *toolchain;
  char          *dir;
} Fixture;

static char *home_dir;

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
run (Fixture      *fixture,
     KilnLanguage  language,
     const char   *source,
     guint         timeout_ms)
{
  KilnRunLimits limits;

  kiln_run_limits_init_default (&limits, language);
  limits.max_runs = 1;
  if (timeout_ms > 0)
    limits.timeout_ms = timeout_ms;
  return kiln_test_run (fixture->toolchain, language, source, NULL, &limits);
}

/* The protection a run on this machine gets with the sandbox on; FALSE (and the test is
 * marked skipped) when it is limits only. */
static gboolean
sandbox_works (KilnRunResult *result)
{
  if (result->sandbox == KILN_SANDBOX_LIMITS)
    {
      g_test_skip ("bubblewrap does not work here (not installed, or no user namespaces): "
                   "only the resource limits were checked");
      return FALSE;
    }
  g_assert_cmpint (result->sandbox, ==, KILN_SANDBOX_BUBBLEWRAP);
  return TRUE;
}

/* Processes whose working folder is inside @dir: what a run left behind. */
static guint
count_leftovers (const char *dir)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint count = 0;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *link = NULL;
      g_autofree char *cwd = NULL;

      if (!g_ascii_isdigit (name[0]))
        continue;
      link = g_build_filename ("/proc", name, "cwd", NULL);
      cwd = g_file_read_link (link, NULL);
      if (cwd != NULL && g_str_has_prefix (cwd, dir))
        count++;
    }

  return count;
}

static void
assert_no_leftovers (Fixture *fixture)
{
  /* Killing is synchronous in the helper, but a zombie may need a moment to be reaped. */
  for (guint i = 0; i < 100 && count_leftovers (fixture->dir) > 0; i++)
    g_usleep (20000);
  g_assert_cmpuint (count_leftovers (fixture->dir), ==, 0);
}

static void
test_fork_bomb_python (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run (fixture, KILN_LANGUAGE_PYTHON,
    "import os\n"
    "while True:\n"
    "    try:\n"
    "        os.fork()\n"
    "    except OSError:\n"
    "        pass\n", 3000);

  g_assert_false (result->ok);
  g_assert_error (result->error, KILN_ERROR, KILN_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (result->error->message, "Stopped after 3 s"));
  assert_no_leftovers (fixture);
  sandbox_works (result);
}

static void
test_fork_bomb_cpp (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run (fixture, KILN_LANGUAGE_CPP,
    "#include <unistd.h>\n"
    "int main() { for (;;) fork(); }\n", 3000);

  g_assert_false (result->ok);
  g_assert_error (result->error, KILN_ERROR, KILN_ERROR_TIMED_OUT);
  assert_no_leftovers (fixture);
  sandbox_works (result);
}

static void
test_memory_bomb (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(KilnRunResult) python = run (fixture, KILN_LANGUAGE_PYTHON,
    "b = bytearray(64 * 1024 ** 3)\n"
    "for i in range(0, len(b), 4096):\n"
    "    b[i] = 1\n", 10000);
  g_autoptr(KilnRunResult) cpp = run (fixture, KILN_LANGUAGE_CPP,
    "#include <cstring>\n"
    "#include <cstdlib>\n"
    "#include <new>\n"
    "int main() {\n"
    "  std::size_t n = std::size_t(64) << 30;\n"
    "  char *p = new char[n];\n"
    "  for (std::size_t i = 0; i < n; i += 4096) p[i] = 1;\n"
    "  return p[12345];\n"
    "}\n", 10000);

  g_assert_false (python->ok);
  g_assert_nonnull (strstr (python->error->message, "ran out of memory"));
  g_test_message ("%s", python->error->message);
  g_test_message ("%s", cpp->error->message);
  g_assert_nonnull (strstr (python->error->message, "GiB"));
  g_assert_false (cpp->ok);
  g_assert_nonnull (strstr (cpp->error->message, "ran out of memory"));
  sandbox_works (python);
  sandbox_works (cpp);
}

/* Memory is limited where it is measured: a program that really uses more than its limit is
 * stopped with that message (by the memory cgroup where one is writable, else by the address
 * space cap, 4 times the limit), and its peak stays near the limit. */
static void
test_memory_grows (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = NULL;
  const KilnRunStats *stats;
  KilnRunLimits limits;

  kiln_run_limits_init_default (&limits, KILN_LANGUAGE_PYTHON);
  limits.memory_limit = 256 * 1024 * 1024;
  limits.timeout_ms = 60000;
  result = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_PYTHON,
                          "chunks = []\n"
                          "while True:\n"
                          "    chunk = bytearray(32 * 1024 * 1024)\n"
                          "    for i in range(0, len(chunk), 4096):\n"
                          "        chunk[i] = 1\n"
                          "    chunks.append(chunk)\n", NULL, &limits);
  stats = kiln_run_result_get_median_run (result);

  g_test_message ("%s", result->error->message);
  g_assert_false (result->ok);
  g_assert_nonnull (strstr (result->error->message, "ran out of memory"));
  g_assert_nonnull (strstr (result->error->message, "256.0"));
  g_assert_nonnull (strstr (result->error->message, "MiB"));
  g_assert_false (stats->timed_out);
  g_assert_cmpint (stats->max_rss_kib, <=, 4 * 256 * 1024 + 64 * 1024);
  assert_no_leftovers (fixture);
  sandbox_works (result);
}

/* Threads cost address space they never touch (8 MiB of stack each): 500 of them at once
 * must run, as they do outside Kiln. */
static void
test_python_threads (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run (fixture, KILN_LANGUAGE_PYTHON,
    "import threading\n"
    "n = 500\n"
    "barrier = threading.Barrier(n + 1)\n"
    "threads = [threading.Thread(target=barrier.wait) for _ in range(n)]\n"
    "for t in threads:\n"
    "    t.start()\n"
    "barrier.wait()\n"
    "for t in threads:\n"
    "    t.join()\n"
    "print('threads', len(threads))\n", 60000);
  g_autofree char *out = kiln_test_stdout (result);

  g_assert_no_error (result->error);
  g_assert_cmpstr (out, ==, "threads 500\n");
  sandbox_works (result);
}

static void
test_python_multiprocessing (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run (fixture, KILN_LANGUAGE_PYTHON,
    "import multiprocessing, os\n"
    "def square(x):\n"
    "    return x * x, os.getpid()\n"
    "if __name__ == '__main__':\n"
    "    with multiprocessing.Pool(4) as pool:\n"
    "        results = pool.map(square, range(2000), chunksize=10)\n"
    "    print(sum(r[0] for r in results))\n"
    "    print(len({r[1] for r in results}) >= 1)\n", 60000);
  g_autofree char *out = kiln_test_stdout (result);

  g_assert_no_error (result->error);
  g_assert_cmpstr (out, ==, "2664667000\nTrue\n");
  assert_no_leftovers (fixture);
  sandbox_works (result);
}

static KilnRunResult *
run_cpp_with_flags (Fixture    *fixture,
                    const char *flags,
                    const char *source)
{
  kiln_toolchain_set_flags (fixture->toolchain, flags);
  return run (fixture, KILN_LANGUAGE_CPP, source, 60000);
}

static void
test_openmp (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run_cpp_with_flags (fixture, "-std=c++17 -O2 -fopenmp",
    "#include <cstdio>\n"
    "#include <omp.h>\n"
    "int main() {\n"
    "  long long sum = 0;\n"
    "  int threads = 0;\n"
    "#pragma omp parallel num_threads(4) reduction(+:sum)\n"
    "  {\n"
    "#pragma omp single\n"
    "    threads = omp_get_num_threads();\n"
    "#pragma omp for\n"
    "    for (long long i = 1; i <= 10000000; i++) sum += i;\n"
    "  }\n"
    "  std::printf(\"%lld %d\\n\", sum, threads);\n"
    "}\n");
  g_autofree char *out = kiln_test_stdout (result);

  g_assert_no_error (result->error);
  g_assert_cmpstr (out, ==, "50000005000000 4\n");
  sandbox_works (result);
}

static void
test_pthread (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run_cpp_with_flags (fixture, "-std=c++17 -O2 -pthread",
    "#include <atomic>\n"
    "#include <cstdio>\n"
    "#include <thread>\n"
    "#include <vector>\n"
    "int main() {\n"
    "  std::atomic<long> count{0};\n"
    "  std::vector<std::thread> threads;\n"
    "  for (int t = 0; t < 64; t++)\n"
    "    threads.emplace_back([&] { for (int i = 0; i < 1000; i++) count++; });\n"
    "  for (auto &t : threads) t.join();\n"
    "  std::printf(\"%ld\\n\", count.load());\n"
    "}\n");
  g_autofree char *out = kiln_test_stdout (result);

  g_assert_no_error (result->error);
  g_assert_cmpstr (out, ==, "64000\n");
  sandbox_works (result);
}

static void
test_infinite_loop (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run (fixture, KILN_LANGUAGE_PYTHON,
                                         "while True:\n    pass\n", 1000);
  const KilnRunStats *stats = kiln_run_result_get_median_run (result);

  g_assert_error (result->error, KILN_ERROR, KILN_ERROR_TIMED_OUT);
  g_assert_true (stats->timed_out);
  g_assert_cmpint (stats->signal, ==, SIGKILL);
  g_assert_cmpfloat (stats->wall_seconds, <, 3.0);
  assert_no_leftovers (fixture);
  sandbox_works (result);
}

static void
test_output_flood (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run (fixture, KILN_LANGUAGE_PYTHON,
    "import sys\n"
    "line = 'x' * 1023 + '\\n'\n"
    "for _ in range(100 * 1024):\n"
    "    sys.stdout.write(line)\n", 20000);
  const KilnRunStats *stats = kiln_run_result_get_median_run (result);

  g_assert_error (result->error, KILN_ERROR, KILN_ERROR_OUTPUT_TRUNCATED);
  g_assert_nonnull (strstr (result->error->message, "MiB on stdout"));
  g_assert_true (stats->output_truncated);
  g_assert_cmpuint (g_bytes_get_size (result->stdout_bytes), ==, 1024 * 1024);
  assert_no_leftovers (fixture);
  sandbox_works (result);
}

static const char write_home[] =
  "import os\n"
  "open(os.path.join(os.environ['HOME'], 'kiln-escaped'), 'w').write('out')\n"
  "print('written')\n";

static void
test_write_home (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *target = g_build_filename (home_dir, "kiln-escaped", NULL);
  g_autoptr(KilnRunResult) sandboxed = NULL;
  g_autoptr(KilnRunResult) plain = NULL;

  g_remove (target);
  sandboxed = run (fixture, KILN_LANGUAGE_PYTHON, write_home, 0);
  if (sandbox_works (sandboxed))
    {
      g_assert_false (sandboxed->ok);
      g_assert_error (sandboxed->error, KILN_ERROR, KILN_ERROR_EXIT_STATUS);
      g_assert_nonnull (strstr (sandboxed->error->message, "FileNotFoundError"));
      g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
    }

  /* The same program without the sandbox does write there: the check above can fail. */
  kiln_toolchain_set_sandbox (fixture->toolchain, FALSE);
  plain = run (fixture, KILN_LANGUAGE_PYTHON, write_home, 0);
  g_assert_cmpint (plain->sandbox, ==, KILN_SANDBOX_LIMITS);
  g_assert_no_error (plain->error);
  g_assert_true (g_file_test (target, G_FILE_TEST_EXISTS));
  g_remove (target);
}

static void
test_network (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(KilnRunResult) sandboxed = NULL;
  g_autoptr(KilnRunResult) plain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  source = g_strdup_printf ("import socket\n"
                            "socket.create_connection(('127.0.0.1', %u), timeout=5).close()\n"
                            "print('connected')\n",
                            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  sandboxed = run (fixture, KILN_LANGUAGE_PYTHON, source, 0);
  if (sandbox_works (sandboxed))
    {
      g_assert_false (sandboxed->ok);
      g_assert_nonnull (strstr (sandboxed->error->message, "Error"));
    }

  /* Without the sandbox the same connection succeeds (the listener backlog accepts it). */
  kiln_toolchain_set_sandbox (fixture->toolchain, FALSE);
  plain = run (fixture, KILN_LANGUAGE_PYTHON, source, 0);
  g_assert_cmpint (plain->sandbox, ==, KILN_SANDBOX_LIMITS);
  g_assert_no_error (plain->error);
}

static void
test_sleep_after_stdout (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run (fixture, KILN_LANGUAGE_PYTHON,
    "import os, sys, time\n"
    "print('bye')\n"
    "sys.stdout.flush()\n"
    "os.close(1)\n"
    "time.sleep(0.5)\n", 0);
  g_autofree char *out = kiln_test_stdout (result);

  g_assert_no_error (result->error);
  g_assert_cmpstr (out, ==, "bye\n");
  g_assert_cmpfloat (kiln_run_result_get_median_run (result)->wall_seconds, >=, 0.5);
  sandbox_works (result);
}

static void
test_orphan (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run (fixture, KILN_LANGUAGE_PYTHON,
    "import subprocess\n"
    "subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
    "print('parent exits')\n", 0);

  g_assert_no_error (result->error);
  assert_no_leftovers (fixture);
  sandbox_works (result);
}

/* CPU time and peak memory come from the program itself, through the launcher. */
static void
test_rusage (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(KilnRunResult) result = run (fixture, KILN_LANGUAGE_PYTHON,
    "import time\n"
    "b = bytearray(200 * 1024 * 1024)\n"
    "t = time.process_time()\n"
    "while time.process_time() - t < 0.5:\n"
    "    pass\n", 0);
  const KilnRunStats *stats = kiln_run_result_get_median_run (result);

  g_assert_no_error (result->error);
  g_assert_cmpfloat (stats->user_seconds + stats->sys_seconds, >=, 0.5);
  g_assert_cmpint (stats->max_rss_kib, >, 200 * 1024);
  sandbox_works (result);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* A HOME of our own, in case a sandbox fails to keep a program out of it. */
  home_dir = g_dir_make_tmp ("kiln-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", home_dir, TRUE);

  g_test_init (&argc, &argv, NULL);
  kiln_core_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/sandbox/fork-bomb/python", test_fork_bomb_python);
  ADD ("/sandbox/fork-bomb/cpp", test_fork_bomb_cpp);
  ADD ("/sandbox/memory-bomb", test_memory_bomb);
  ADD ("/sandbox/memory-grows", test_memory_grows);
  ADD ("/sandbox/python-threads", test_python_threads);
  ADD ("/sandbox/python-multiprocessing", test_python_multiprocessing);
  ADD ("/sandbox/openmp", test_openmp);
  ADD ("/sandbox/pthread", test_pthread);
  ADD ("/sandbox/infinite-loop", test_infinite_loop);
  ADD ("/sandbox/output-flood", test_output_flood);
  ADD ("/sandbox/write-home", test_write_home);
  ADD ("/sandbox/network", test_network);
  ADD ("/sandbox/sleep-after-stdout", test_sleep_after_stdout);
  ADD ("/sandbox/orphan", test_orphan);
  ADD ("/sandbox/rusage", test_rusage);

#undef ADD

  status = g_test_run ();
  kiln_test_remove_tree (home_dir);
  g_free (home_dir);

  return status;
}

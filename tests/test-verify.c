/* test-verify.c: verifying a C++ program against its original for real — the repeat policy,
 * the busy-machine flag and the figure shown, the start-up floor, automatic C++ timeouts, no
 * speedup for a wrong program, the numeric tolerance, hidden and derived input cases, answers
 * written into the source, and kiln-cli compare on several input cases
 *
 * Every test compiles with the real g++, runs the real python3 and the C++ through
 * kiln-run-helper and the sandbox, as a conversion does. No assertion is about how long
 * something took: where load matters, the test makes it (busy child processes) and checks
 * what Kiln says about it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

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

/* A program of @python on @cases (NULL: one empty case), with @config's settings (NULL:
 * the defaults of a new KilnRunConfig, which are the window's). */
static KilnProgram *
program_new (Fixture            *fixture,
             const char         *python,
             const char * const *cases,
             KilnRunConfig      *config)
{
  g_autoptr(KilnRunConfig) defaults = NULL;
  KilnProgram *program = kiln_program_new (fixture->toolchain, KILN_LANGUAGE_PYTHON, python,
                                           cases);

  if (config == NULL)
    config = defaults = kiln_run_config_new ();
  kiln_program_apply_config (program, config);

  return program;
}

static KilnVerification *
verify (KilnProgram *program,
        const char  *cpp)
{
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };
  KilnVerification *verification;

  kiln_program_verify_async (program, cpp, NULL, NULL, kiln_test_wait_cb, &wait);
  verification = kiln_program_verify_finish (program, kiln_test_wait_for (&wait), &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_nonnull (verification);
  if (verification->compile != NULL && !verification->compile->ok)
    g_error ("the test's C++ did not compile:\n%s", verification->compile->output);

  return verification;
}

static const char *
check_name (KilnCheck check)
{
  static const char * const names[] = {
    "MATCHED", "MATCHED_WITHIN_TOLERANCE", "HARD_CODED", "OUTPUT_DIFFERS", "COMPILE_ERROR",
    "RUNTIME_ERROR", "TIMED_OUT", "ORIGINAL_FAILED", "NO_COMPILER",
  };

  return check < G_N_ELEMENTS (names) ? names[check] : "?";
}

#define assert_check(verification, expected) \
  G_STMT_START { \
    if ((verification)->check != (expected)) \
      g_error ("expected %s, got %s (%s)", check_name (expected), \
               check_name ((verification)->check), \
               (verification)->error != NULL ? (verification)->error->message : "no error"); \
  } G_STMT_END

static JsonObject *
json_object (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* --- load: busy child processes ------------------------------------------------------------ */

/* Keeps every core busy: two python3 busy loops per processor, until load_stop(). */
static GPtrArray *
load_start (void)
{
  GPtrArray *children = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_get_num_processors () * 2;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      GSubprocess *child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                             G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                             "python3", "-c", "while True: pass", NULL);

      g_assert_no_error (error);
      g_ptr_array_add (children, child);
    }

  return children;
}

static void
load_stop (GPtrArray *children)
{
  for (guint i = 0; i < children->len; i++)
    {
      GSubprocess *child = g_ptr_array_index (children, i);

      g_subprocess_force_exit (child);
      g_assert_true (g_subprocess_wait (child, NULL, NULL));
    }
  g_ptr_array_unref (children);
}

/* --- the programs -------------------------------------------------------------------------- */

/* CPU-bound, single-threaded: a linear congruential generator, which no compiler folds. */
static const char lcg_python[] =
  "x = 1\n"
  "for i in range(1500000):\n"
  "    x = (x * 1103515245 + 12345) % 2147483648\n"
  "print(x)\n";

static const char lcg_cpp[] =
  "#include <cstdio>\n"
  "#include <cstdint>\n"
  "int main() {\n"
  "  std::uint64_t x = 1;\n"
  "  for (long i = 0; i < 1500000; i++)\n"
  "    x = (x * 1103515245u + 12345u) % 2147483648u;\n"
  "  std::printf(\"%llu\\n\", (unsigned long long) x);\n"
  "}\n";

static const char hello_python[] = "print('hello')\n";
static const char hello_cpp[] =
  "#include <cstdio>\n"
  "int main() { std::puts(\"hello\"); }\n";

/* --- repeat policy ------------------------------------------------------------------------- */

static void
test_repeat_default (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(KilnProgram) program = program_new (fixture, hello_python, NULL, NULL);
  g_autoptr(KilnVerification) verification = verify (program, hello_cpp);

  assert_check (verification, KILN_CHECK_MATCHED);
  /* Both programs are timed alike: three runs each within their budgets. */
  g_assert_cmpuint (verification->python->runs->len, ==, 3);
  g_assert_cmpuint (verification->cpp->runs->len, ==, 3);
  g_assert_true (kiln_verification_verified (verification));
  g_assert_cmpfloat (kiln_verification_get_speedup (verification), >, 0);
}

static void
test_repeat_budget (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(KilnRunConfig) config = kiln_run_config_new ();
  g_autoptr(KilnProgram) program = NULL;
  g_autoptr(KilnVerification) verification = NULL;

  /* A first run longer than the budget is the only one. */
  g_object_set (config, "python-time-budget", 0.2, "cpp-time-budget", 0.2, NULL);
  program = program_new (fixture, "import time\ntime.sleep(0.3)\nprint('slept')\n", NULL,
                         config);
  verification = verify (program,
                         "#include <chrono>\n"
                         "#include <cstdio>\n"
                         "#include <thread>\n"
                         "int main() {\n"
                         "  std::this_thread::sleep_for(std::chrono::milliseconds(300));\n"
                         "  std::puts(\"slept\");\n"
                         "}\n");

  assert_check (verification, KILN_CHECK_MATCHED);
  g_assert_cmpuint (verification->python->runs->len, ==, 1);
  g_assert_cmpuint (verification->cpp->runs->len, ==, 1);
}

/* --- noisy figures and the basis ----------------------------------------------------------- */

static void
test_noisy_under_load (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(KilnProgram) program = program_new (fixture, lcg_python, NULL, NULL);
  g_autoptr(KilnVerification) verification = NULL;
  g_autoptr(JsonNode) json = NULL;
  KilnComparison *comparison;
  GPtrArray *load;

  /* Compile and measure the floor first, so the load only meets the timed runs. */
  {
    g_autoptr(KilnProgram) warm = program_new (fixture, hello_python, NULL, NULL);
    g_autoptr(KilnVerification) warmed = verify (warm, lcg_cpp);

    g_assert_cmpint (warmed->check, ==, KILN_CHECK_OUTPUT_DIFFERS);
  }

  load = load_start ();
  verification = verify (program, lcg_cpp);
  load_stop (load);

  assert_check (verification, KILN_CHECK_MATCHED);
  comparison = verification->comparison;
  g_assert_nonnull (comparison);

  /* Single-threaded programs on a machine whose every core is busy: said so whenever one of
   * them got well under a core. (Where the run's own cgroup gets a fair share of the CPU
   * against the load's, the scheduler may keep it on a core of its own: then nothing was
   * inflated, and nothing is said; /verify/noisy/rule checks the rule on fixed figures.) */
  {
    double py_wall, py_cpu, cpp_wall, cpp_cpu;
    gboolean waited;

    g_assert_true (kiln_run_result_get_wall (verification->python, &py_wall, NULL, NULL));
    g_assert_true (kiln_run_result_get_cpu (verification->python, &py_cpu, NULL, NULL));
    g_assert_true (kiln_run_result_get_wall (verification->cpp, &cpp_wall, NULL, NULL));
    g_assert_true (kiln_run_result_get_cpu (verification->cpp, &cpp_cpu, NULL, NULL));
    g_test_message ("under load: Python wall %.3f s, CPU %.3f s; C++ wall %.3f s, CPU %.3f s",
                    py_wall, py_cpu, cpp_wall, cpp_cpu);
    waited = (py_wall >= 0.2 && py_cpu < 0.8 * py_wall) ||
             (cpp_wall >= 0.2 && cpp_cpu < 0.8 * cpp_wall);
    g_assert_cmpint (comparison->busy, ==, waited);
    if (waited)
      g_assert_true (comparison->noisy);
  }
  /* ...and the figure shown is the CPU-time ratio, not the inflated wall-time one. */
  g_assert_cmpint (comparison->basis, ==, KILN_SPEEDUP_BASIS_CPU);
  g_assert_cmpfloat (comparison->speedup, ==, comparison->speedup_cpu);
  g_assert_cmpfloat (comparison->speedup_cpu, >, 0);
  g_assert_cmpfloat (comparison->speedup_wall, >, 0);
  g_assert_cmpfloat (fabs (comparison->speedup_wall / comparison->speedup_cpu - 1), >, 1e-6);
  g_assert_cmpfloat (kiln_verification_get_speedup (verification), ==, comparison->speedup_cpu);
  g_assert_cmpfloat (comparison->speedup_low, <=, comparison->speedup);
  g_assert_cmpfloat (comparison->speedup_high, >=, comparison->speedup);

  /* The JSON says the same. */
  json = kiln_verification_to_json (verification);
  g_assert_cmpint (json_object_get_boolean_member (json_object (json), "noisy"), ==,
                   comparison->noisy);
  g_assert_cmpstr (json_object_get_string_member (json_object (json), "basis"), ==, "cpu");
  g_assert_cmpfloat (json_object_get_double_member (json_object (json), "speedup"), ==,
                     json_object_get_double_member (json_object (json), "speedup_cpu"));
  g_assert_true (json_object_get_boolean_member (json_object (json), "verified"));
}

/* The rule itself, on figures as a busy machine gives them: the run objects are real ones,
 * filled with the times kiln-run-helper would report. */
static KilnRunResult *
result_with_runs (KilnLanguage  language,
                  const char   *output,
                  const double *wall,
                  const double *cpu,
                  guint         n)
{
  KilnRunResult *result = kiln_run_result_new (language);

  result->ok = TRUE;
  g_bytes_unref (result->stdout_bytes);
  result->stdout_bytes = g_bytes_new (output, strlen (output));
  for (guint i = 0; i < n; i++)
    {
      KilnRunStats stats = { 0 };

      stats.wall_seconds = wall[i];
      stats.user_seconds = cpu[i];
      g_array_append_val (result->runs, stats);
    }
  return result;
}

static void
test_noisy_rule (void)
{
  KilnCompareOptions options = { 0, 0.002 };

  /* Idle: CPU about the wall time, tight repeats. Not noisy, CPU basis. */
  {
    g_autoptr(KilnRunResult) py = result_with_runs (KILN_LANGUAGE_PYTHON, "42\n",
                                                    (double[]) { 1.00, 1.01, 1.02 },
                                                    (double[]) { 0.98, 0.99, 1.00 }, 3);
    g_autoptr(KilnRunResult) cpp = result_with_runs (KILN_LANGUAGE_CPP, "42\n",
                                                     (double[]) { 0.030, 0.031, 0.030 },
                                                     (double[]) { 0.025, 0.026, 0.025 }, 3);
    g_autoptr(KilnComparison) comparison = kiln_comparison_new_full (py, cpp, NULL, &options);

    g_assert_false (comparison->busy);
    g_assert_false (comparison->noisy);
    g_assert_cmpint (comparison->basis, ==, KILN_SPEEDUP_BASIS_CPU);
    g_assert_cmpfloat_with_epsilon (comparison->speedup, 0.99 / 0.025, 1e-9);
    g_assert_false (comparison->speedup_is_lower_bound);
  }

  /* Busy: the same program got half a core. Said so; the figure shown stays the CPU ratio. */
  {
    g_autoptr(KilnRunResult) py = result_with_runs (KILN_LANGUAGE_PYTHON, "42\n",
                                                    (double[]) { 2.0, 2.1, 1.9 },
                                                    (double[]) { 0.98, 0.99, 1.00 }, 3);
    g_autoptr(KilnRunResult) cpp = result_with_runs (KILN_LANGUAGE_CPP, "42\n",
                                                     (double[]) { 0.060, 0.062, 0.058 },
                                                     (double[]) { 0.025, 0.026, 0.025 }, 3);
    g_autoptr(KilnComparison) comparison = kiln_comparison_new_full (py, cpp, NULL, &options);

    g_assert_true (comparison->busy);
    g_assert_true (comparison->noisy);
    g_assert_cmpint (comparison->basis, ==, KILN_SPEEDUP_BASIS_CPU);
    g_assert_cmpfloat_with_epsilon (comparison->speedup, 0.99 / 0.025, 1e-9);
    g_assert_cmpfloat (comparison->speedup_wall, <, comparison->speedup);
  }

  /* Repeats that spread by more than 25 %: noisy, not busy. */
  {
    g_autoptr(KilnRunResult) py = result_with_runs (KILN_LANGUAGE_PYTHON, "42\n",
                                                    (double[]) { 1.0, 1.6, 1.1 },
                                                    (double[]) { 0.98, 1.55, 1.05 }, 3);
    g_autoptr(KilnRunResult) cpp = result_with_runs (KILN_LANGUAGE_CPP, "42\n",
                                                     (double[]) { 0.030, 0.031, 0.030 },
                                                     (double[]) { 0.025, 0.026, 0.025 }, 3);
    g_autoptr(KilnComparison) comparison = kiln_comparison_new_full (py, cpp, NULL, &options);

    g_assert_false (comparison->busy);
    g_assert_true (comparison->noisy);
  }

  /* Threads: CPU time above wall time. Wall time is the truth. */
  {
    g_autoptr(KilnRunResult) py = result_with_runs (KILN_LANGUAGE_PYTHON, "42\n",
                                                    (double[]) { 1.0, 1.0, 1.0 },
                                                    (double[]) { 0.98, 0.98, 0.98 }, 3);
    g_autoptr(KilnRunResult) cpp = result_with_runs (KILN_LANGUAGE_CPP, "42\n",
                                                     (double[]) { 0.050, 0.050, 0.050 },
                                                     (double[]) { 0.095, 0.095, 0.095 }, 3);
    g_autoptr(KilnComparison) comparison = kiln_comparison_new_full (py, cpp, NULL, &options);

    g_assert_cmpint (comparison->basis, ==, KILN_SPEEDUP_BASIS_WALL);
    g_assert_cmpfloat_with_epsilon (comparison->speedup, 1.0 / 0.050, 1e-9);
  }

  /* Less CPU than an empty program's start-up: a lower bound. */
  {
    g_autoptr(KilnRunResult) py = result_with_runs (KILN_LANGUAGE_PYTHON, "42\n",
                                                    (double[]) { 1.0, 1.0, 1.0 },
                                                    (double[]) { 0.98, 0.98, 0.98 }, 3);
    g_autoptr(KilnRunResult) cpp = result_with_runs (KILN_LANGUAGE_CPP, "42\n",
                                                     (double[]) { 0.006, 0.006, 0.006 },
                                                     (double[]) { 0.001, 0.001, 0.001 }, 3);
    g_autoptr(KilnComparison) comparison = kiln_comparison_new_full (py, cpp, NULL, &options);

    g_assert_true (comparison->speedup_is_lower_bound);
  }
}

static void
test_threaded_wall_basis (Fixture       *fixture,
                          gconstpointer  data)
{
  /* Eight threads keep more than one core busy even when other programs run: the CPU time
   * adds up every core, so the wall time is the truth. An odd-increment LCG modulo 2^31 never
   * returns to its seed within 2^31 steps: the output is fixed, the work is not foldable. */
  g_autoptr(KilnProgram) program = program_new (fixture, "print('done')\n", NULL, NULL);
  g_autoptr(KilnVerification) verification = verify (program,
    "#include <cstdint>\n"
    "#include <cstdio>\n"
    "#include <thread>\n"
    "#include <vector>\n"
    "static bool ok[8];\n"
    "static void work(int t) {\n"
    "  std::uint32_t seed = 1 + t, x = seed;\n"
    "  for (long i = 0; i < 60000000; i++)\n"
    "    x = (x * 1103515245u + 12345u) & 0x7fffffffu;\n"
    "  ok[t] = x != seed;\n"
    "}\n"
    "int main() {\n"
    "  std::vector<std::thread> threads;\n"
    "  for (int t = 0; t < 8; t++) threads.emplace_back(work, t);\n"
    "  for (auto &t : threads) t.join();\n"
    "  bool all = true;\n"
    "  for (bool b : ok) all = all && b;\n"
    "  std::puts(all ? \"done\" : \"again\");\n"
    "}\n");
  KilnComparison *comparison;
  double wall, cpu;

  assert_check (verification, KILN_CHECK_MATCHED);
  comparison = verification->comparison;
  g_assert_true (kiln_run_result_get_wall (verification->cpp, &wall, NULL, NULL));
  g_assert_true (kiln_run_result_get_cpu (verification->cpp, &cpu, NULL, NULL));

  /* Whether the threads got more than one core is up to the machine (one processor, or
   * every core taken by other programs); what Kiln must do when they did is not. */
  if (cpu <= wall * 1.3)
    {
      g_autofree char *why = g_strdup_printf ("the threads got no more than one core here "
                                              "(CPU %.2f s in %.2f s)", cpu, wall);

      g_test_skip (why);
      return;
    }
  g_assert_cmpint (comparison->basis, ==, KILN_SPEEDUP_BASIS_WALL);
  g_assert_cmpfloat (comparison->speedup, ==, comparison->speedup_wall);
  g_assert_cmpfloat (kiln_verification_get_speedup (verification), ==, comparison->speedup_wall);
  /* Its time is the wall time too. */
  g_assert_cmpfloat (kiln_verification_get_cpp_seconds (verification), ==, wall);
}

/* --- start-up floor ------------------------------------------------------------------------ */

static void
test_startup_floor (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnProgram) program = NULL;
  g_autoptr(KilnVerification) verification = NULL;
  g_autofree char *text = NULL;
  KilnTestWait wait = { NULL };
  double floor;

  g_assert_cmpfloat (kiln_toolchain_get_startup_floor (fixture->toolchain), <, 0);

  kiln_toolchain_measure_startup_async (fixture->toolchain, NULL, kiln_test_wait_cb, &wait);
  floor = kiln_toolchain_measure_startup_finish (fixture->toolchain, kiln_test_wait_for (&wait),
                                                 &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_cmpfloat (floor, >, 0);
  g_assert_cmpfloat (floor, <, 1);
  g_assert_cmpfloat (kiln_toolchain_get_startup_floor (fixture->toolchain), ==, floor);

  /* A program that does nothing takes about the floor: its speedup is only a lower bound,
   * judged by the measured floor (below twice it). On a busy machine one set of runs of a
   * program this short can come out slower: the rule is checked every time, the verdict at
   * least once in three. */
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      double cpp_wall, cpp_cpu;

      g_clear_object (&program);
      g_clear_pointer (&verification, kiln_verification_unref);
      program = program_new (fixture, hello_python, NULL, NULL);
      verification = verify (program, hello_cpp);
      assert_check (verification, KILN_CHECK_MATCHED);
      g_assert_cmpfloat (verification->comparison->floor_seconds, ==, floor);
      g_assert_true (kiln_run_result_get_wall (verification->cpp, &cpp_wall, NULL, NULL));
      g_assert_true (kiln_run_result_get_cpu (verification->cpp, &cpp_cpu, NULL, NULL));
      g_test_message ("floor %.4f s, C++ median %.4f s (CPU %.4f s)", floor, cpp_wall, cpp_cpu);
      /* Wall time under twice the floor, or (a CPU-time speedup) CPU time under the floor. */
      g_assert_cmpint (verification->comparison->speedup_is_lower_bound, ==,
                       cpp_wall < 2 * floor ||
                       (verification->comparison->basis == KILN_SPEEDUP_BASIS_CPU &&
                        MAX (cpp_cpu, 1e-6) < floor));
      if (verification->comparison->speedup_is_lower_bound)
        break;
    }
  g_assert_true (verification->comparison->speedup_is_lower_bound);
  text = kiln_comparison_dup_speedup_text (verification->comparison);
  g_assert_nonnull (text);
  /* A lower bound has no spread: "at least ×N". */
  g_assert_true (g_str_has_prefix (text, "at least ×"));
  g_assert_null (strstr (text, "("));

  /* Measured once: the floor did not change with the verification. */
  g_assert_cmpfloat (kiln_toolchain_get_startup_floor (fixture->toolchain), ==, floor);
}

/* --- adaptive timeouts --------------------------------------------------------------------- */

static const char sleepy_python[] = "import time\ntime.sleep(0.3)\nprint('ok')\n";

static char *
sleeping_cpp (guint ms)
{
  return g_strdup_printf ("#include <chrono>\n"
                          "#include <cstdio>\n"
                          "#include <thread>\n"
                          "int main() {\n"
                          "  std::this_thread::sleep_for(std::chrono::milliseconds(%u));\n"
                          "  std::puts(\"ok\");\n"
                          "}\n", ms);
}

static void
test_timeout_automatic (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(KilnProgram) program = program_new (fixture, sleepy_python, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnRunResult) original = NULL;
  KilnReference *reference;
  KilnTestWait wait = { NULL };
  KilnRunLimits limits;
  double slowest;

  /* Before the original ran, the C++ gets the configured upper bound. */
  kiln_program_get_cpp_limits (program, 0, &limits);
  g_assert_cmpfloat (limits.timeout_relative_to, ==, 0);
  g_assert_cmpuint (limits.timeout_ms, ==, 600 * 1000);

  reference = kiln_program_get_reference (program, 0);
  kiln_reference_run_async (reference, NULL, kiln_test_wait_cb, &wait);
  original = kiln_reference_run_finish (reference, kiln_test_wait_for (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_true (original->ok);
  g_assert_true (kiln_run_result_get_wall (original, NULL, NULL, &slowest));
  g_assert_cmpfloat (slowest, >=, 0.3);

  /* Then a multiple of the original's slowest run, at least 10 s. */
  kiln_program_get_cpp_limits (program, 0, &limits);
  g_assert_cmpfloat (limits.timeout_relative_to, ==, slowest);
  if (slowest * 2 <= 10)
    g_assert_cmpuint (limits.timeout_ms, ==, 10 * 1000);
  else
    g_assert_cmpuint (limits.timeout_ms, ==, (guint) (slowest * 2 * 1000 + 0.5));
}

static void
test_timeout_bounded (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *cpp = sleeping_cpp (3000);

  /* run-timeout 2 s bounds the automatic C++ timeout: the C++ sleeping 3 s is stopped, and
   * the message says where to change the timeout, for the window and for kiln-cli. */
  for (guint cli = 0; cli < 2; cli++)
    {
      g_autoptr(KilnRunConfig) config = kiln_run_config_new ();
      g_autoptr(KilnProgram) program = NULL;
      g_autoptr(KilnVerification) verification = NULL;
      KilnRunLimits limits;

      g_object_set (config, "run-timeout", 2.0, "hints-for-cli", (gboolean) cli, NULL);
      program = program_new (fixture, sleepy_python, NULL, config);
      verification = verify (program, cpp);

      assert_check (verification, KILN_CHECK_TIMED_OUT);
      g_assert_false (kiln_verification_verified (verification));
      g_assert_cmpfloat (kiln_verification_get_speedup (verification), ==, 0);
      g_assert_cmpuint (verification->failed_case, ==, 1);
      kiln_program_get_cpp_limits (program, 0, &limits);
      g_assert_cmpuint (limits.timeout_ms, ==, 2000);
      g_assert_nonnull (verification->error);
      if (cli)
        {
          g_assert_nonnull (strstr (verification->error->message, "--timeout"));
          g_assert_null (strstr (verification->error->message, "Preferences"));
        }
      else
        {
          g_assert_nonnull (strstr (verification->error->message, "Preferences"));
          g_assert_null (strstr (verification->error->message, "--"));
        }
    }
}

static void
test_timeout_relative (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(KilnRunConfig) config = kiln_run_config_new ();
  g_autoptr(KilnProgram) program = NULL;
  g_autoptr(KilnVerification) verification = NULL;
  g_autofree char *cpp = sleeping_cpp (11000);

  /* run-timeout 12 s: the automatic C++ timeout is the 10 s minimum, which a C++ sleeping
   * 11 s passes; the message says it is relative to the original and names the C++ timeout
   * setting. */
  g_object_set (config, "run-timeout", 12.0, NULL);
  program = program_new (fixture, sleepy_python, NULL, config);
  verification = verify (program, cpp);

  assert_check (verification, KILN_CHECK_TIMED_OUT);
  g_assert_nonnull (strstr (verification->error->message, "10 s"));
  g_assert_nonnull (strstr (verification->error->message, "original finished in"));
  g_assert_nonnull (strstr (verification->error->message, "C++ timeout in Preferences"));
  g_assert_null (strstr (verification->error->message, "--cpp-timeout"));
}

/* --- no speedup when unverified ------------------------------------------------------------ */

static void
test_unverified_no_speedup (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(KilnProgram) program = program_new (fixture, lcg_python, NULL, NULL);
  g_autoptr(KilnVerification) verification = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *wrong = g_strdup (lcg_cpp);
  JsonObject *object;

  /* One step short: a different number. */
  memcpy (strstr (wrong, "1500000"), "1499999", 7);
  verification = verify (program, wrong);

  assert_check (verification, KILN_CHECK_OUTPUT_DIFFERS);
  g_assert_false (kiln_verification_verified (verification));
  g_assert_cmpfloat (kiln_verification_get_speedup (verification), ==, 0);
  g_assert_cmpuint (verification->failed_case, ==, 1);
  /* The times were measured, and are there to show. */
  g_assert_nonnull (verification->comparison);
  g_assert_cmpfloat (kiln_verification_get_cpp_seconds (verification), >, 0);

  json = kiln_verification_to_json (verification);
  object = json_object (json);
  g_assert_false (json_object_get_boolean_member (object, "verified"));
  g_assert_cmpstr (json_object_get_string_member (object, "check"), ==, "output-differs");
  g_assert_true (json_object_get_null_member (object, "speedup"));
  g_assert_true (json_object_get_null_member (object, "speedup_cpu"));
  g_assert_true (json_object_get_null_member (object, "speedup_range"));
  g_assert_false (json_object_get_boolean_member (object, "speedup_is_lower_bound"));
  g_assert_cmpint (json_object_get_int_member (
                     json_object_get_object_member (object, "first_difference"), "line"), ==, 1);
}

/* --- tolerance ----------------------------------------------------------------------------- */

static const char basel_python[] =
  "s = 0.0\n"
  "for k in range(1, 100001):\n"
  "    s += 1.0 / (k * k)\n"
  "print('%.15f' % s)\n";

/* The same sum, the result scaled by @factor (a C++ expression). */
static char *
basel_cpp (const char *factor)
{
  return g_strdup_printf ("#include <cstdio>\n"
                          "int main() {\n"
                          "  double s = 0.0;\n"
                          "  for (long long k = 1; k <= 100000; k++)\n"
                          "    s += 1.0 / (double) (k * k);\n"
                          "  s *= %s;\n"
                          "  std::printf(\"%%.15f\\n\", s);\n"
                          "}\n", factor);
}

static void
test_tolerance (Fixture       *fixture,
                gconstpointer  data)
{
  /* About 5e-12 apart: the 12th decimal differs. */
  g_autofree char *close = basel_cpp ("(1.0 + 3e-12)");
  g_autofree char *far = basel_cpp ("1.001");
  g_autofree char *exact = basel_cpp ("1.0");
  g_autoptr(KilnRunConfig) tolerant = kiln_run_config_new ();
  g_autoptr(KilnProgram) strict_program = program_new (fixture, basel_python, NULL, NULL);
  g_autoptr(KilnProgram) tolerant_program = NULL;

  g_object_set (tolerant, "tolerance", 1e-9, NULL);
  tolerant_program = program_new (fixture, basel_python, NULL, tolerant);

  {
    g_autoptr(KilnVerification) verification = verify (tolerant_program, close);
    g_autoptr(JsonNode) json = kiln_verification_to_json (verification);

    assert_check (verification, KILN_CHECK_MATCHED_WITHIN_TOLERANCE);
    g_assert_true (kiln_verification_verified (verification));
    g_assert_cmpfloat (kiln_verification_get_speedup (verification), >, 0);
    g_assert_false (kiln_comparison_matches (verification->comparison));
    g_assert_true (kiln_comparison_agrees (verification->comparison));
    g_assert_cmpfloat (verification->comparison->tolerance, ==, 1e-9);
    g_assert_false (json_object_get_boolean_member (json_object (json), "outputs_match"));
    g_assert_true (json_object_get_boolean_member (json_object (json),
                                                   "matches_within_tolerance"));
    g_assert_true (json_object_get_boolean_member (json_object (json), "verified"));
  }
  {
    g_autoptr(KilnVerification) verification = verify (strict_program, close);

    assert_check (verification, KILN_CHECK_OUTPUT_DIFFERS);
    g_assert_cmpfloat (kiln_verification_get_speedup (verification), ==, 0);
    /* 1.6449... against a value about 5e-12 larger: they part in the 11th or 12th decimal,
     * after at least "1.644934056". */
    g_assert_cmpuint (verification->comparison->diff->column, >=, 11);
    g_assert_cmpuint (verification->comparison->diff->column, <=, 14);
  }
  {
    g_autoptr(KilnVerification) verification = verify (tolerant_program, far);

    assert_check (verification, KILN_CHECK_OUTPUT_DIFFERS);
    g_assert_cmpuint (verification->comparison->diff->column, <=, 4);
  }
  {
    g_autoptr(KilnVerification) verification = verify (tolerant_program, exact);

    /* An exact match stays an exact match, tolerance or not. */
    assert_check (verification, KILN_CHECK_MATCHED);
    g_assert_true (kiln_comparison_matches (verification->comparison));
  }
}

/* --- hidden cases -------------------------------------------------------------------------- */

static const char sum_python[] =
  "import sys\n"
  "print(sum(int(x) for x in sys.stdin.read().split()))\n";

/* Adds up only the first three numbers: right on the shown input, wrong on longer ones. */
static const char sum_first_three_cpp[] =
  "#include <iostream>\n"
  "int main() {\n"
  "  long x, total = 0;\n"
  "  for (int i = 0; i < 3 && std::cin >> x; i++) total += x;\n"
  "  std::cout << total << '\\n';\n"
  "}\n";

static const char sum_cpp[] =
  "#include <iostream>\n"
  "int main() {\n"
  "  long x, total = 0;\n"
  "  while (std::cin >> x) total += x;\n"
  "  std::cout << total << '\\n';\n"
  "}\n";

static void
test_hidden_case_fails (Fixture       *fixture,
                        gconstpointer  data)
{
  const char * const cases[] = { "1 2 3\n", "4 5 6 7\n", "8\n", NULL };
  g_autoptr(KilnProgram) program = program_new (fixture, sum_python, cases, NULL);
  g_autoptr(KilnVerification) verification = verify (program, sum_first_three_cpp);
  g_autoptr(JsonNode) json = NULL;
  JsonObject *object, *difference;

  assert_check (verification, KILN_CHECK_OUTPUT_DIFFERS);
  g_assert_cmpuint (verification->failed_case, ==, 2);
  g_assert_nonnull (strstr (verification->error->message, "hidden input 2"));
  g_assert_false (kiln_verification_verified (verification));
  g_assert_cmpfloat (kiln_verification_get_speedup (verification), ==, 0);
  /* Case 1 matched and was measured; case 2's diff is the one reported. */
  g_assert_true (kiln_comparison_matches (verification->comparison));
  g_assert_nonnull (verification->failed);
  g_assert_cmpstr (verification->failed->diff->reference, ==, "22");
  g_assert_cmpstr (verification->failed->diff->candidate, ==, "15");

  json = kiln_verification_to_json (verification);
  object = json_object (json);
  g_assert_false (json_object_get_boolean_member (object, "verified"));
  g_assert_cmpint (json_object_get_int_member (object, "failed_case"), ==, 2);
  difference = json_object_get_object_member (object, "first_difference");
  g_assert_nonnull (difference);
  g_assert_cmpstr (json_object_get_string_member (difference, "python"), ==, "22");
  g_assert_cmpstr (json_object_get_string_member (difference, "cpp"), ==, "15");
  /* Case 1 matched, but the program is not verified: no speedup (docs/cli.md). */
  g_assert_true (json_object_get_null_member (object, "speedup"));
  g_assert_true (json_object_get_null_member (object, "speedup_cpu"));
  g_assert_true (json_object_get_null_member (object, "speedup_wall"));
  g_assert_true (json_object_get_null_member (object, "speedup_range"));
}

static void
test_hidden_cases_pass (Fixture       *fixture,
                        gconstpointer  data)
{
  const char * const cases[] = { "1 2 3\n", "4 5 6 7\n", "8\n", NULL };
  g_autoptr(KilnProgram) program = program_new (fixture, sum_python, cases, NULL);
  g_autoptr(KilnVerification) verification = verify (program, sum_cpp);
  g_autoptr(JsonNode) json = kiln_verification_to_json (verification);

  assert_check (verification, KILN_CHECK_MATCHED);
  g_assert_cmpuint (verification->n_cases, ==, 3);
  g_assert_cmpuint (verification->failed_case, ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_object (json), "cases"), ==, 3);
  g_assert_true (json_object_get_null_member (json_object (json), "failed_case"));
}

/* --- derived cases ------------------------------------------------------------------------- */

static void
test_derived_cases (Fixture       *fixture,
                    gconstpointer  data)
{
  /* The original accepts only strictly increasing numbers: shuffled or repeated lines make
   * it fail, a dropped line does not. */
  static const char python[] =
    "import sys\n"
    "v = [int(line) for line in sys.stdin if line.strip()]\n"
    "assert all(a < b for a, b in zip(v, v[1:])), 'not increasing'\n"
    "print(sum(v))\n";
  static const char shown[] = "10\n20\n30\n40\n50\n60\n";
  const char * const cases[] = { shown, NULL };
  const guint32 seed = 7;
  const guint max = 8;
  g_autoptr(KilnProgram) program = program_new (fixture, python, cases, NULL);
  g_autoptr(GPtrArray) candidates = kiln_input_cases_derive (shown, seed, max);
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };
  guint dropped = 0;
  guint next = 0;

  kiln_program_derive_cases_async (program, max, seed, NULL, kiln_test_wait_cb, &wait);
  kept = kiln_program_derive_cases_finish (program, kiln_test_wait_for (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_nonnull (kept);
  g_assert_cmpuint (candidates->len, >, 0);
  g_assert_cmpuint (kept->len, >, 0);
  g_assert_cmpuint (kept->len, <, candidates->len);

  /* The kept ones are the candidates (same seed, same order) the original runs cleanly on. */
  for (guint i = 0; i < candidates->len; i++)
    {
      KilnDerivedCase *candidate = g_ptr_array_index (candidates, i);
      g_autoptr(KilnRunResult) run = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_PYTHON,
                                                    python, candidate->text, NULL);

      if (next < kept->len &&
          g_str_equal (((KilnDerivedCase *) g_ptr_array_index (kept, next))->text,
                       candidate->text))
        {
          g_assert_true (run->ok);
          g_assert_nonnull (((KilnDerivedCase *) g_ptr_array_index (kept, next))->description);
          next++;
        }
      else
        {
          g_assert_false (run->ok);
          dropped++;
        }
    }
  g_assert_cmpuint (next, ==, kept->len);
  g_assert_cmpuint (dropped, >, 0);
}

static void
test_derived_cases_empty (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(KilnProgram) program = program_new (fixture, hello_python, NULL, NULL);
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };

  kiln_program_derive_cases_async (program, 4, 1, NULL, kiln_test_wait_cb, &wait);
  kept = kiln_program_derive_cases_finish (program, kiln_test_wait_for (&wait), &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_cmpuint (kept->len, ==, 0);
}

/* --- hard-coded answers -------------------------------------------------------------------- */

static void
test_hard_coded (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char python[] =
    "s = 0.0\n"
    "for k in range(200000):\n"
    "    s += (-1.0) ** k / (2 * k + 1)\n"
    "import math\n"
    "print('%.12f' % math.acos(-1))\n";
  g_autoptr(KilnProgram) program = program_new (fixture, python, NULL, NULL);
  g_autoptr(KilnVerification) verification = verify (program,
    "#include <cstdio>\n"
    "int main() {\n"
    "  double pi = 3.14159265359;\n"
    "  std::printf(\"%.12f\\n\", pi);\n"
    "}\n");
  g_autoptr(JsonNode) json = NULL;
  JsonObject *object;

  assert_check (verification, KILN_CHECK_HARD_CODED);
  g_assert_nonnull (verification->suspicious);
  g_assert_nonnull (strstr (verification->suspicious, "hard-coded"));
  g_assert_nonnull (strstr (verification->suspicious, "3.14159265"));
  g_assert_false (kiln_verification_verified (verification));
  g_assert_cmpfloat (kiln_verification_get_speedup (verification), ==, 0);
  /* The outputs did match: that is what makes it suspicious rather than wrong. */
  g_assert_true (kiln_comparison_matches (verification->comparison));

  json = kiln_verification_to_json (verification);
  object = json_object (json);
  g_assert_false (json_object_get_boolean_member (object, "verified"));
  g_assert_cmpstr (json_object_get_string_member (object, "check"), ==, "hard-coded");
  g_assert_nonnull (strstr (json_object_get_string_member (object, "suspicious"), "hard-coded"));
  /* Not verified: no speedup in the JSON either. */
  g_assert_true (json_object_get_null_member (object, "speedup"));
  g_assert_true (json_object_get_null_member (object, "speedup_cpu"));
  g_assert_true (json_object_get_null_member (object, "speedup_range"));
}

static void
test_constant_table (Fixture       *fixture,
                     gconstpointer  data)
{
  /* Both print a table of constants the original holds: nothing is computed, nothing is
   * hard-coded. */
  static const char python[] =
    "TABLE = [299792458, 6.02214076e23, 1.380649e-23, 96485.33212]\n"
    "for value in TABLE:\n"
    "    print(value)\n";
  g_autoptr(KilnProgram) program = program_new (fixture, python, NULL, NULL);
  g_autoptr(KilnVerification) verification = verify (program,
    "#include <cstdio>\n"
    "int main() {\n"
    "  std::printf(\"%d\\n\", 299792458);\n"
    "  std::printf(\"%.8e\\n\", 6.02214076e23);\n"
    "  std::printf(\"%.6e\\n\", 1.380649e-23);\n"
    "  std::printf(\"%.5f\\n\", 96485.33212);\n"
    "}\n");

  assert_check (verification, KILN_CHECK_MATCHED);
  g_assert_null (verification->suspicious);
  g_assert_true (kiln_verification_verified (verification));
  g_assert_cmpfloat (kiln_verification_get_speedup (verification), >, 0);
}

static void
test_value_from_input (Fixture       *fixture,
                       gconstpointer  data)
{
  /* The largest number of the input, printed: a literal of it in the C++ would be odd, but
   * the value came from the input, so it is not flagged. */
  const char * const cases[] = { "123456\n98765\n", NULL };
  g_autoptr(KilnProgram) program = program_new (fixture,
    "import sys\nprint(max(int(x) for x in sys.stdin.read().split()))\n", cases, NULL);
  g_autoptr(KilnVerification) verification = verify (program,
    "#include <iostream>\n"
    "int main() {\n"
    "  long x, best = -1;\n"
    "  while (std::cin >> x) if (x > best) best = x;\n"
    "  if (best == 123456) std::cout << 123456 << '\\n'; else std::cout << best << '\\n';\n"
    "}\n");

  assert_check (verification, KILN_CHECK_MATCHED);
  g_assert_null (verification->suspicious);
}

/* --- kiln-cli compare with several input cases --------------------------------------------- */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Cli;

static void
cli_clear (Cli *cli)
{
  g_free (cli->out);
  g_free (cli->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cli, cli_clear)

static void
run_cli (Fixture            *fixture,
         const char * const *args,
         Cli                *cli)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = g_build_filename (fixture->dir, "cli-cache", NULL);
  const char *binary = g_getenv ("KILN_CLI");

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (gpointer) binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "--cache-dir");
  g_ptr_array_add (argv, cache);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, fixture->dir);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  subprocess = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                             &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (subprocess, NULL, NULL, &cli->out, &cli->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (subprocess));
  cli->status = g_subprocess_get_exit_status (subprocess);
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_cli_hidden_case (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *py = write_file (fixture, "sum.py", sum_python);
  g_autofree char *cpp = write_file (fixture, "sum.cpp", sum_first_three_cpp);
  g_autofree char *shown = write_file (fixture, "shown.txt", "1 2 3\n");
  g_autofree char *hidden = write_file (fixture, "hidden.txt", "4 5 6 7\n");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Cli) json = { 0 };
  g_auto(Cli) text = { 0 };
  JsonObject *object;

  run_cli (fixture, (const char * const[]) { "compare", py, cpp, "--stdin", shown,
                                             "--stdin", hidden, "--json", NULL }, &json);
  g_assert_cmpint (json.status, !=, 0);
  json_parser_load_from_data (parser, json.out, -1, &error);
  g_assert_no_error (error);
  object = json_object (json_parser_get_root (parser));
  g_assert_false (json_object_get_boolean_member (object, "verified"));
  g_assert_cmpint (json_object_get_int_member (object, "failed_case"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "check"), ==, "output-differs");
  g_assert_nonnull (strstr (json_object_get_string_member (object, "error"), "hidden input 2"));

  run_cli (fixture, (const char * const[]) { "compare", py, cpp, "--stdin", shown,
                                             "--stdin", hidden, NULL }, &text);
  g_assert_cmpint (text.status, !=, 0);
  g_assert_nonnull (strstr (text.out, "hidden input 2"));
  g_assert_null (strstr (text.out, "Speedup:"));
  g_assert_nonnull (strstr (text.out, "No speedup"));

  /* Not verified: no speedup in the JSON either. */
  g_assert_true (json_object_get_null_member (object, "speedup"));
  g_assert_true (json_object_get_null_member (object, "speedup_range"));
  /* "cases counts the cases the C++ ran on" (docs/cli.md): the shown one and hidden input 2. */
  g_assert_cmpint (json_object_get_int_member (object, "cases"), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  kiln_core_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/verify/repeat/default", test_repeat_default);
  ADD ("/verify/repeat/budget", test_repeat_budget);
  g_test_add_func ("/verify/noisy/rule", test_noisy_rule);
  ADD ("/verify/noisy/under-load", test_noisy_under_load);
  ADD ("/verify/noisy/threaded-wall", test_threaded_wall_basis);
  ADD ("/verify/startup-floor", test_startup_floor);
  ADD ("/verify/timeout/automatic", test_timeout_automatic);
  ADD ("/verify/timeout/bounded", test_timeout_bounded);
  ADD ("/verify/timeout/relative", test_timeout_relative);
  ADD ("/verify/unverified/no-speedup", test_unverified_no_speedup);
  ADD ("/verify/tolerance", test_tolerance);
  ADD ("/verify/hidden/fails", test_hidden_case_fails);
  ADD ("/verify/hidden/pass", test_hidden_cases_pass);
  ADD ("/verify/derived/kept-run-cleanly", test_derived_cases);
  ADD ("/verify/derived/empty", test_derived_cases_empty);
  ADD ("/verify/hard-coded/literal", test_hard_coded);
  ADD ("/verify/hard-coded/constant-table", test_constant_table);
  ADD ("/verify/hard-coded/value-from-input", test_value_from_input);
  ADD ("/verify/cli/hidden-case", test_cli_hidden_case);

#undef ADD

  return g_test_run ();
}

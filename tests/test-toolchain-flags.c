/* test-toolchain-flags.c: compiling with explicit compilers and flags, running a compiled
 * binary, profile-guided builds and the start-up floor, for real (g++, clang++ when
 * installed, the run helper and the sandbox as ordinary runs use them)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-test-util.h"

#define HELLO_CPP "#include <cstdio>\nint main() { std::puts(\"hello\"); return 0; }\n"
#define BROKEN_CPP "int main() { return y; }\n"

/* Reads numbers from stdin and prints their sum and how many were odd: enough branches for
 * a profile to mean something. */
#define SUM_CPP                                                                     \
  "#include <cstdio>\n"                                                             \
  "int main() {\n"                                                                  \
  "  long n, sum = 0, odd = 0;\n"                                                   \
  "  while (std::scanf(\"%ld\", &n) == 1) {\n"                                      \
  "    for (long i = 0; i < 20000; i++) sum += (n * i) % 7;\n"                      \
  "    if (n % 2) odd++;\n"                                                         \
  "  }\n"                                                                           \
  "  std::printf(\"%ld %ld\\n\", sum, odd);\n"                                      \
  "  return 0;\n"                                                                   \
  "}\n"
#define SUM_INPUT "1 2 3 4 5 6 7 8 9 10 11 12\n"

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
  g_assert_finalize_object (fixture->toolchain);
  kiln_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static gboolean
skip_without (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  if (path == NULL)
    {
      g_autofree char *why = g_strdup_printf ("%s is not installed on this machine", program);
      g_test_skip (why);
      return TRUE;
    }
  return FALSE;
}

static KilnCompileResult *
compile_full (Fixture    *fixture,
              const char *source,
              const char *compiler,
              const char *flags)
{
  KilnTestWait wait = { NULL };
  g_autoptr(GError) error = NULL;
  KilnCompileResult *result;

  kiln_toolchain_compile_full_async (fixture->toolchain, source, compiler, flags, NULL,
                                     kiln_test_wait_cb, &wait);
  result = kiln_toolchain_compile_full_finish (fixture->toolchain, kiln_test_wait_for (&wait),
                                               &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

static KilnRunResult *
run_compiled (Fixture           *fixture,
              KilnCompileResult *compile,
              const char        *input,
              guint              max_runs)
{
  KilnTestWait wait = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = input != NULL ? g_bytes_new (input, strlen (input)) : NULL;
  KilnRunLimits limits;
  KilnRunResult *result;

  kiln_run_limits_init_default (&limits, KILN_LANGUAGE_CPP);
  limits.max_runs = max_runs;
  kiln_toolchain_run_compiled_async (fixture->toolchain, compile, bytes, &limits, NULL,
                                     kiln_test_wait_cb, &wait);
  result = kiln_toolchain_run_compiled_finish (fixture->toolchain, kiln_test_wait_for (&wait),
                                               &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

static KilnCompileResult *
compile_pgo (Fixture    *fixture,
             const char *source,
             const char *compiler,
             const char *flags,
             const char *training)
{
  KilnTestWait wait = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = training != NULL ? g_bytes_new (training, strlen (training)) : NULL;
  KilnCompileResult *result;

  kiln_toolchain_compile_pgo_async (fixture->toolchain, source, compiler, flags, bytes, NULL,
                                    NULL, kiln_test_wait_cb, &wait);
  result = kiln_toolchain_compile_pgo_finish (fixture->toolchain, kiln_test_wait_for (&wait),
                                              &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

static gboolean
command_has (KilnCompileResult *compile,
             const char        *word)
{
  return compile->command != NULL && g_strv_contains ((const char * const *) compile->command,
                                                      word);
}

static gboolean
command_has_prefix (KilnCompileResult *compile,
                    const char        *prefix)
{
  for (guint i = 0; compile->command != NULL && compile->command[i] != NULL; i++)
    if (g_str_has_prefix (compile->command[i], prefix))
      return TRUE;
  return FALSE;
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_base64_encode ((const guchar *) contents, length);
}

/* -O0 and -O2 are two binaries, each cached on its own, each command saying its flags; the
 * toolchain's own flags stay untouched. */
static void
test_flags_change_binary (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(KilnCompileResult) o0 = compile_full (fixture, SUM_CPP, NULL, "-std=c++17 -O0");
  g_autoptr(KilnCompileResult) o2 = compile_full (fixture, SUM_CPP, NULL, "-std=c++17 -O2");
  g_autoptr(KilnCompileResult) o0_again = NULL;
  g_autoptr(KilnCompileResult) o2_again = NULL;
  g_autoptr(KilnCompileResult) plain = NULL;
  g_autofree char *o0_bytes = NULL;
  g_autofree char *o2_bytes = NULL;

  g_assert_true (o0->ok);
  g_assert_true (o2->ok);
  g_assert_false (o0->cached);
  g_assert_false (o2->cached);
  g_assert_true (command_has (o0, "-O0"));
  g_assert_false (command_has (o0, "-O2"));
  g_assert_true (command_has (o2, "-O2"));
  g_assert_false (command_has (o2, "-O0"));
  g_assert_cmpstr (o0->binary_path, !=, o2->binary_path);

  /* Different code came out. */
  o0_bytes = read_file (o0->binary_path);
  o2_bytes = read_file (o2->binary_path);
  g_assert_cmpstr (o0_bytes, !=, o2_bytes);

  /* Each set of flags finds its own binary again. */
  o0_again = compile_full (fixture, SUM_CPP, NULL, "-std=c++17 -O0");
  o2_again = compile_full (fixture, SUM_CPP, NULL, "-std=c++17 -O2");
  g_assert_true (o0_again->cached);
  g_assert_true (o2_again->cached);
  g_assert_cmpstr (o0_again->binary_path, ==, o0->binary_path);
  g_assert_cmpstr (o2_again->binary_path, ==, o2->binary_path);
  g_assert_cmpstrv (o0_again->command, o0->command);

  /* NULL flags are the effective ones: compile_async's binary, not one of those above. */
  g_assert_cmpstr (kiln_toolchain_get_flags (fixture->toolchain), ==, "");
  plain = compile_full (fixture, SUM_CPP, NULL, NULL);
  g_assert_true (plain->ok);
  g_assert_true (command_has (plain, "-O3"));
  g_assert_cmpstr (plain->binary_path, !=, o0->binary_path);
  g_assert_cmpstr (plain->binary_path, !=, o2->binary_path);
  {
    KilnTestWait wait = { NULL };
    g_autoptr(KilnCompileResult) same = NULL;

    kiln_toolchain_compile_async (fixture->toolchain, SUM_CPP, NULL, kiln_test_wait_cb, &wait);
    same = kiln_toolchain_compile_finish (fixture->toolchain, kiln_test_wait_for (&wait), NULL);
    g_object_unref (wait.result);
    g_assert_true (same->cached);
    g_assert_cmpstr (same->binary_path, ==, plain->binary_path);
  }
}

/* Flags that cannot be read are the caller's error; a program that does not compile is a
 * result that says so. */
static void
test_bad_flags_and_source (Fixture       *fixture,
                           gconstpointer  data)
{
  KilnTestWait wait = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnCompileResult) result = NULL;
  g_autoptr(KilnCompileResult) broken = NULL;
  g_autoptr(KilnRunResult) run = NULL;

  kiln_toolchain_compile_full_async (fixture->toolchain, HELLO_CPP, NULL, "-O2 \"unclosed",
                                     NULL, kiln_test_wait_cb, &wait);
  result = kiln_toolchain_compile_full_finish (fixture->toolchain, kiln_test_wait_for (&wait),
                                               &error);
  g_clear_object (&wait.result);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_assert_null (result);
  g_clear_error (&error);

  kiln_toolchain_compile_full_async (fixture->toolchain, HELLO_CPP, "no-such-compiler++", NULL,
                                     NULL, kiln_test_wait_cb, &wait);
  result = kiln_toolchain_compile_full_finish (fixture->toolchain, kiln_test_wait_for (&wait),
                                               &error);
  g_clear_object (&wait.result);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_COMPILER_NOT_FOUND);
  g_assert_null (result);

  /* Running a failed compile: the run says the code did not compile, nothing ran. */
  broken = compile_full (fixture, BROKEN_CPP, NULL, "-std=c++17 -O1");
  g_assert_false (broken->ok);
  run = run_compiled (fixture, broken, NULL, 3);
  g_assert_false (run->ok);
  g_assert_error (run->error, KILN_ERROR, KILN_ERROR_COMPILE_FAILED);
  g_assert_cmpuint (run->runs->len, ==, 0);
  g_assert_true (run->compile == broken);
}

/* A compiled binary runs with the repeat policy, its result keeps the compile, and every run
 * has CPU figures. */
static void
test_run_compiled (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(KilnCompileResult) compile = compile_full (fixture, SUM_CPP, NULL,
                                                       "-std=c++17 -O1");
  g_autoptr(KilnRunResult) run = run_compiled (fixture, compile, SUM_INPUT, 3);
  g_autoptr(KilnRunResult) reference = NULL;
  g_autofree char *out = kiln_test_stdout (run);
  g_autofree char *reference_out = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *object, *cpu;
  double median, min, max, wall;

  g_assert_true (run->ok);
  g_assert_no_error (run->error);
  g_assert_true (run->compile == compile);
  g_assert_cmpuint (run->runs->len, ==, 3);
  g_assert_true (kiln_run_result_get_wall (run, &wall, NULL, NULL));
  g_assert_true (kiln_run_result_get_cpu (run, &median, &min, &max));
  g_assert_cmpfloat (min, >=, 0);
  g_assert_cmpfloat (min, <=, median);
  g_assert_cmpfloat (median, <=, max);

  /* The same program through run_async prints the same. */
  kiln_toolchain_set_flags (fixture->toolchain, "-std=c++17 -O1");
  reference = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_CPP, SUM_CPP, SUM_INPUT, NULL);
  reference_out = kiln_test_stdout (reference);
  g_assert_true (reference->ok);
  g_assert_cmpstr (out, ==, reference_out);
  g_assert_cmpstr (reference->compile->binary_path, ==, compile->binary_path);
  g_assert_true (reference->sandbox == run->sandbox);

  /* The JSON run object carries them next to the wall figures. */
  json = kiln_run_result_to_json (run);
  object = json_node_get_object (json);
  g_assert_true (json_object_has_member (object, "wall_seconds_median"));
  cpu = json_object_get_object_member (object, "cpu_seconds");
  g_assert_nonnull (cpu);
  g_assert_cmpfloat (json_object_get_double_member (cpu, "median"), ==, median);
  g_assert_cmpfloat (json_object_get_double_member (cpu, "min"), ==, min);
  g_assert_cmpfloat (json_object_get_double_member (cpu, "max"), ==, max);
}

/* CPU time is the sum of user and system time of each run; median, min and max of those. */
static void
test_cpu_stats (void)
{
  g_autoptr(KilnRunResult) result = kiln_run_result_new (KILN_LANGUAGE_CPP);
  const double user[] = { 0.30, 0.10, 0.20, 0.50 };
  const double sys[] = { 0.01, 0.02, 0.00, 0.05 };
  g_autoptr(JsonNode) json = NULL;
  double median, min, max;

  g_assert_false (kiln_run_result_get_cpu (result, &median, &min, &max));
  json = kiln_run_result_to_json (result);
  g_assert_true (json_object_get_null_member (json_node_get_object (json), "cpu_seconds"));
  g_clear_pointer (&json, json_node_unref);

  for (guint i = 0; i < G_N_ELEMENTS (user); i++)
    {
      KilnRunStats stats = { 0 };

      stats.wall_seconds = 1.0 + i;
      stats.user_seconds = user[i];
      stats.sys_seconds = sys[i];
      g_array_append_val (result->runs, stats);
    }

  g_assert_true (kiln_run_result_get_cpu (result, &median, &min, &max));
  /* 0.31, 0.12, 0.20, 0.55: the lower median of four is the second smallest. */
  g_assert_cmpfloat_with_epsilon (min, 0.12, 1e-9);
  g_assert_cmpfloat_with_epsilon (median, 0.20, 1e-9);
  g_assert_cmpfloat_with_epsilon (max, 0.55, 1e-9);
  /* Any pointer may be NULL. */
  g_assert_true (kiln_run_result_get_cpu (result, NULL, NULL, NULL));
}

static void
check_pgo (Fixture    *fixture,
           const char *compiler,
           const char *use_flag)
{
  g_autoptr(KilnCompileResult) pgo = NULL;
  g_autoptr(KilnCompileResult) again = NULL;
  g_autoptr(KilnCompileResult) other_training = NULL;
  g_autoptr(KilnCompileResult) plain = NULL;
  g_autoptr(KilnRunResult) run = NULL;
  g_autoptr(KilnRunResult) plain_run = NULL;
  g_autofree char *out = NULL;
  g_autofree char *plain_out = NULL;
  g_autofree char *build_dir = g_build_filename (fixture->dir, "build", NULL);
  g_autoptr(GDir) dir = NULL;

  pgo = compile_pgo (fixture, SUM_CPP, compiler, "-std=c++17 -O2", SUM_INPUT);
  if (!pgo->ok)
    g_error ("PGO build failed: %s", pgo->output);
  g_assert_false (pgo->cached);
  g_assert_true (command_has_prefix (pgo, use_flag));
  g_assert_true (command_has (pgo, "-O2"));
  g_assert_false (command_has_prefix (pgo, "-fprofile-generate"));
  g_assert_false (command_has_prefix (pgo, "-fprofile-instr-generate"));
  g_assert_true (g_str_has_prefix (pgo->binary_path, fixture->dir));
  g_assert_cmpfloat (pgo->seconds, >, 0);

  /* The binary works and prints what the ordinary build prints. */
  run = run_compiled (fixture, pgo, SUM_INPUT, 1);
  g_assert_no_error (run->error);
  g_assert_true (run->ok);
  plain = compile_full (fixture, SUM_CPP, compiler, "-std=c++17 -O2");
  g_assert_true (plain->ok);
  g_assert_cmpstr (plain->binary_path, !=, pgo->binary_path);
  plain_run = run_compiled (fixture, plain, SUM_INPUT, 1);
  out = kiln_test_stdout (run);
  plain_out = kiln_test_stdout (plain_run);
  g_assert_cmpstr (out, ==, plain_out);
  g_assert_cmpstr (out, ==, "659967 6\n");

  /* The same source, flags and training input: from the cache, same command. */
  again = compile_pgo (fixture, SUM_CPP, compiler, "-std=c++17 -O2", SUM_INPUT);
  g_assert_true (again->ok);
  g_assert_true (again->cached);
  g_assert_cmpstr (again->binary_path, ==, pgo->binary_path);
  g_assert_cmpstrv (again->command, pgo->command);

  /* Another training input is another binary. */
  other_training = compile_pgo (fixture, SUM_CPP, compiler, "-std=c++17 -O2", "2 4 6\n");
  g_assert_true (other_training->ok);
  g_assert_false (other_training->cached);
  g_assert_cmpstr (other_training->binary_path, !=, pgo->binary_path);

  /* No work folder is left behind. */
  dir = g_dir_open (build_dir, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

static void
test_pgo_gcc (Fixture       *fixture,
              gconstpointer  data)
{
  if (skip_without ("g++"))
    return;
  check_pgo (fixture, "g++", "-fprofile-use=");
  {
    g_autoptr(KilnCompileResult) pgo = compile_pgo (fixture, SUM_CPP, "g++", "-std=c++17 -O2",
                                                    SUM_INPUT);

    g_assert_true (command_has (pgo, "-fprofile-correction"));
  }
}

static void
test_pgo_clang (Fixture       *fixture,
                gconstpointer  data)
{
  if (skip_without ("clang++"))
    return;

  {
    g_autoptr(KilnCompileResult) pgo = compile_pgo (fixture, HELLO_CPP, "clang++",
                                                    "-std=c++17 -O2", NULL);

    /* Without llvm-profdata it says so instead of failing somewhere. */
    if (!pgo->ok)
      {
        g_assert_nonnull (strstr (pgo->output, "llvm-profdata"));
        g_test_skip ("llvm-profdata is not installed on this machine");
        return;
      }
  }
  check_pgo (fixture, "clang++", "-fprofile-instr-use=");
}

/* A training run that fails, and a source that does not compile, are results that name the
 * step; nothing is cached and no folder is left. */
static void
test_pgo_failures (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(KilnCompileResult) broken = NULL;
  g_autoptr(KilnCompileResult) crash = NULL;
  g_autoptr(KilnCompileResult) crash_again = NULL;
  g_autofree char *build_dir = g_build_filename (fixture->dir, "build", NULL);
  g_autoptr(GDir) dir = NULL;

  broken = compile_pgo (fixture, BROKEN_CPP, NULL, "-std=c++17 -O2", NULL);
  g_assert_false (broken->ok);
  g_assert_null (broken->binary_path);
  g_assert_true (command_has_prefix (broken, "-fprofile"));
  g_assert_nonnull (strstr (broken->output, "instrumented build"));
  g_assert_cmpuint (kiln_diagnostics_count (broken->diagnostics, KILN_SEVERITY_ERROR), >=, 2);

  crash = compile_pgo (fixture, "int main() { return 3; }\n", NULL, "-std=c++17 -O2", NULL);
  g_assert_false (crash->ok);
  g_assert_null (crash->binary_path);
  g_assert_nonnull (strstr (crash->output, "training run"));
  g_assert_nonnull (strstr (crash->output, "status 3"));

  crash_again = compile_pgo (fixture, "int main() { return 3; }\n", NULL, "-std=c++17 -O2",
                             NULL);
  g_assert_false (crash_again->ok);
  g_assert_false (crash_again->cached);

  dir = g_dir_open (build_dir, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static double
measure_startup (Fixture *fixture)
{
  KilnTestWait wait = { NULL };
  g_autoptr(GError) error = NULL;
  double floor_seconds;

  kiln_toolchain_measure_startup_async (fixture->toolchain, NULL, kiln_test_wait_cb, &wait);
  floor_seconds = kiln_toolchain_measure_startup_finish (fixture->toolchain,
                                                         kiln_test_wait_for (&wait), &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);

  return floor_seconds;
}

/* The start-up floor is measured once, shared by callers that ask at the same time, kept,
 * and forgotten when what it measured changes. */
static void
test_startup_floor (Fixture       *fixture,
                    gconstpointer  data)
{
  KilnTestWait first = { NULL }, second = { NULL };
  g_autoptr(GError) error = NULL;
  guint notified = 0;
  double a, b, c, property;

  g_assert_cmpfloat (kiln_toolchain_get_startup_floor (fixture->toolchain), ==, -1);
  g_signal_connect (fixture->toolchain, "notify::startup-floor", G_CALLBACK (count_notify),
                    &notified);

  /* Two callers at once: one measurement, one notification, the same figure. */
  kiln_toolchain_measure_startup_async (fixture->toolchain, NULL, kiln_test_wait_cb, &first);
  kiln_toolchain_measure_startup_async (fixture->toolchain, NULL, kiln_test_wait_cb, &second);
  a = kiln_toolchain_measure_startup_finish (fixture->toolchain, kiln_test_wait_for (&first),
                                             &error);
  g_assert_no_error (error);
  b = kiln_toolchain_measure_startup_finish (fixture->toolchain, kiln_test_wait_for (&second),
                                             &error);
  g_assert_no_error (error);
  g_clear_object (&first.result);
  g_clear_object (&second.result);

  g_assert_cmpfloat (a, >, 0);
  g_assert_cmpfloat (a, <, 1);
  g_assert_cmpfloat (b, ==, a);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (fixture->toolchain, "startup-floor", &property, NULL);
  g_assert_cmpfloat (property, ==, a);

  /* Asked again: the kept figure, nothing measured (no notification). */
  c = measure_startup (fixture);
  g_assert_cmpfloat (c, ==, a);
  g_assert_cmpuint (notified, ==, 1);

  /* Other flags: forgotten, then measured anew. */
  kiln_toolchain_set_flags (fixture->toolchain, "-std=c++17 -O1");
  g_assert_cmpfloat (kiln_toolchain_get_startup_floor (fixture->toolchain), ==, -1);
  g_assert_cmpuint (notified, ==, 2);
  c = measure_startup (fixture);
  g_assert_cmpfloat (c, >, 0);
  g_assert_cmpfloat (c, <, 1);
  g_assert_cmpuint (notified, ==, 3);
  g_assert_cmpfloat (kiln_toolchain_get_startup_floor (fixture->toolchain), ==, c);

  /* The sandbox switch is part of it too. */
  kiln_toolchain_set_sandbox (fixture->toolchain, !kiln_toolchain_get_sandbox (fixture->toolchain));
  g_assert_cmpfloat (kiln_toolchain_get_startup_floor (fixture->toolchain), ==, -1);

  g_signal_handlers_disconnect_by_func (fixture->toolchain, count_notify, &notified);
}

/* A caller that cancels gets G_IO_ERROR_CANCELLED; one that did not still gets the figure. */
static void
test_startup_cancel (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  KilnTestWait cancelled = { NULL }, kept = { NULL };
  g_autoptr(GError) error = NULL;
  double floor_seconds;

  kiln_toolchain_measure_startup_async (fixture->toolchain, cancellable, kiln_test_wait_cb,
                                        &cancelled);
  kiln_toolchain_measure_startup_async (fixture->toolchain, NULL, kiln_test_wait_cb, &kept);
  g_cancellable_cancel (cancellable);

  floor_seconds = kiln_toolchain_measure_startup_finish (fixture->toolchain,
                                                         kiln_test_wait_for (&cancelled),
                                                         &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpfloat (floor_seconds, ==, -1);
  g_clear_error (&error);

  floor_seconds = kiln_toolchain_measure_startup_finish (fixture->toolchain,
                                                         kiln_test_wait_for (&kept), &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (floor_seconds, >, 0);
  g_clear_object (&cancelled.result);
  g_clear_object (&kept.result);

  /* All callers cancelling stops it; asking again afterwards measures. */
  {
    g_autoptr(GCancellable) only = g_cancellable_new ();
    KilnTestWait wait = { NULL };

    kiln_toolchain_set_flags (fixture->toolchain, "-std=c++17 -O1");
    kiln_toolchain_measure_startup_async (fixture->toolchain, only, kiln_test_wait_cb, &wait);
    g_cancellable_cancel (only);
    kiln_toolchain_measure_startup_finish (fixture->toolchain, kiln_test_wait_for (&wait),
                                           &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_clear_object (&wait.result);

    floor_seconds = measure_startup (fixture);
    g_assert_cmpfloat (floor_seconds, >, 0);
  }

  /* Let the cancelled measurement's steps finish before the toolchain goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The compilers on PATH by name, without spawning anything. */
static void
test_list_compilers (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(GStrv) compilers = kiln_toolchain_list_compilers (fixture->toolchain);
  g_autofree char *gxx = g_find_program_in_path ("g++");
  g_autofree char *clangxx = g_find_program_in_path ("clang++");

  g_assert_nonnull (compilers);
  g_assert_true (g_strv_contains ((const char * const *) compilers, "g++") == (gxx != NULL));
  g_assert_true (g_strv_contains ((const char * const *) compilers, "clang++") ==
                 (clangxx != NULL));
  if (gxx != NULL && clangxx != NULL)
    {
      g_assert_cmpuint (g_strv_length (compilers), ==, 2);
      g_assert_cmpstr (compilers[0], ==, "g++");
    }

  /* Each one builds with compile_full, and its command names it. */
  for (guint i = 0; compilers[i] != NULL; i++)
    {
      g_autoptr(KilnCompileResult) compile = compile_full (fixture, HELLO_CPP, compilers[i],
                                                           "-std=c++17 -O2");
      g_autoptr(KilnRunResult) run = NULL;
      g_autofree char *out = NULL;

      g_assert_true (compile->ok);
      g_assert_true (g_str_has_suffix (compile->command[0], compilers[i]));
      run = run_compiled (fixture, compile, NULL, 1);
      out = kiln_test_stdout (run);
      g_assert_cmpstr (out, ==, "hello\n");
    }
}

static void
add (const char *path,
     void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/toolchain-flags/cpu-stats", test_cpu_stats);
  add ("/toolchain-flags/flags-change-binary", test_flags_change_binary);
  add ("/toolchain-flags/bad-flags-and-source", test_bad_flags_and_source);
  add ("/toolchain-flags/run-compiled", test_run_compiled);
  add ("/toolchain-flags/list-compilers", test_list_compilers);
  add ("/toolchain-flags/startup-floor", test_startup_floor);
  add ("/toolchain-flags/startup-cancel", test_startup_cancel);
  add ("/toolchain-flags/pgo/gcc", test_pgo_gcc);
  add ("/toolchain-flags/pgo/clang", test_pgo_clang);
  add ("/toolchain-flags/pgo/failures", test_pgo_failures);

  return g_test_run ();
}

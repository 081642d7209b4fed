/* test-toolchain.c: compiling for real with g++ (and clang++), the binary cache, and the
 * messages a person gets when something is missing or wrong
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "kiln-test-util.h"
#include "kiln-toolchain-private.h"

#define HELLO_CPP "#include <cstdio>\nint main() { std::puts(\"hello\"); return 0; }\n"
#define BROKEN_CPP "#include <cstdio>\nint main() {\n  int x = y + 1;\n  return x;\n}\n"

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
  if (data != NULL)
    kiln_toolchain_set_compiler (fixture->toolchain, data);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->toolchain);
  kiln_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static KilnCompileResult *
compile (Fixture    *fixture,
         const char *source,
         GError    **error)
{
  KilnTestWait wait = { NULL };
  KilnCompileResult *result;

  kiln_toolchain_compile_async (fixture->toolchain, source, NULL, kiln_test_wait_cb, &wait);
  result = kiln_toolchain_compile_finish (fixture->toolchain, kiln_test_wait_for (&wait), error);
  g_object_unref (wait.result);

  return result;
}

static gboolean
skip_without_compiler (const char *compiler)
{
  g_autofree char *path = g_find_program_in_path (compiler);

  if (path == NULL)
    {
      g_autofree char *why = g_strdup_printf ("%s is not installed on this machine", compiler);
      g_test_skip (why);
      return TRUE;
    }
  return FALSE;
}

static void
test_compile_and_cache (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnCompileResult) first = NULL;
  g_autoptr(KilnCompileResult) second = NULL;
  g_autofree char *command = NULL;

  if (data != NULL && skip_without_compiler (data))
    return;

  first = compile (fixture, HELLO_CPP, &error);
  g_assert_no_error (error);
  g_assert_true (first->ok);
  g_assert_false (first->cached);
  g_assert_cmpfloat (first->seconds, >, 0);
  g_assert_cmpuint (kiln_diagnostics_count (first->diagnostics, KILN_SEVERITY_ERROR), ==, 0);
  g_assert_true (g_file_test (first->binary_path, G_FILE_TEST_IS_EXECUTABLE));
  g_assert_true (g_str_has_prefix (first->binary_path, fixture->dir));

  command = g_strjoinv (" ", first->command);
  g_assert_nonnull (strstr (command, "-O3"));
  g_assert_nonnull (strstr (command, "-std=c++17"));
  g_assert_nonnull (strstr (command, "main.cpp"));
  if (data != NULL)
    g_assert_nonnull (strstr (first->command[0], data));

  /* The same source, compiler and flags: straight from the cache, same binary. */
  second = compile (fixture, HELLO_CPP, &error);
  g_assert_no_error (error);
  g_assert_true (second->ok);
  g_assert_true (second->cached);
  g_assert_cmpstr (second->binary_path, ==, first->binary_path);
  g_assert_cmpfloat (second->seconds, ==, first->seconds);
  g_assert_cmpstrv (second->command, first->command);

  /* Other flags make another binary. */
  kiln_toolchain_set_flags (fixture->toolchain, "-std=c++17 -O1");
  {
    g_autoptr(KilnCompileResult) third = compile (fixture, HELLO_CPP, &error);

    g_assert_no_error (error);
    g_assert_false (third->cached);
    g_assert_cmpstr (third->binary_path, !=, first->binary_path);
  }

  /* And a run of it says hello. */
  {
    g_autoptr(KilnRunResult) run = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_CPP,
                                                  HELLO_CPP, NULL, NULL);
    g_autofree char *out = kiln_test_stdout (run);

    g_assert_true (run->ok);
    g_assert_cmpstr (out, ==, "hello\n");
    g_assert_nonnull (run->compile);
    g_assert_true (run->compile->cached);
    /* A fast program runs three times by default. */
    g_assert_cmpuint (run->runs->len, ==, 3);
  }
}

static void
test_compile_error (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnCompileResult) result = NULL;
  g_autoptr(KilnRunResult) run = NULL;
  const KilnDiagnostic *first_error = NULL;

  if (data != NULL && skip_without_compiler (data))
    return;

  result = compile (fixture, BROKEN_CPP, &error);
  g_assert_no_error (error);
  g_assert_false (result->ok);
  g_assert_null (result->binary_path);
  g_assert_nonnull (strstr (result->output, "main.cpp:3:"));

  for (guint i = 0; i < result->diagnostics->len && first_error == NULL; i++)
    {
      const KilnDiagnostic *d = g_ptr_array_index (result->diagnostics, i);
      if (d->severity == KILN_SEVERITY_ERROR)
        first_error = d;
    }
  g_assert_nonnull (first_error);
  g_assert_cmpstr (first_error->file, ==, "main.cpp");
  g_assert_cmpuint (first_error->line, ==, 3);
  g_assert_cmpuint (first_error->column, >, 0);
  /* gcc: "'y' was not declared in this scope" (with typographic quotes in a UTF-8 locale);
   * clang: "use of undeclared identifier 'y'". */
  g_assert_true (strstr (first_error->message, "not declared") != NULL ||
                 strstr (first_error->message, "undeclared identifier") != NULL);

  /* A failed build is not cached: a second try compiles again. */
  {
    g_autoptr(KilnCompileResult) again = compile (fixture, BROKEN_CPP, &error);
    g_assert_false (again->cached);
  }

  run = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_CPP, BROKEN_CPP, NULL, NULL);
  g_assert_false (run->ok);
  g_assert_error (run->error, KILN_ERROR, KILN_ERROR_COMPILE_FAILED);
  g_assert_nonnull (strstr (run->error->message, "did not compile"));
  g_assert_nonnull (strstr (run->error->message, "3"));
  g_assert_cmpuint (run->runs->len, ==, 0);
}

static void
test_warnings_kept (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnCompileResult) result = NULL;
  g_autoptr(KilnCompileResult) cached = NULL;

  kiln_toolchain_set_flags (fixture->toolchain, "-std=c++17 -O2 -Wall");
  result = compile (fixture, "int main() {\n  int unused = 1;\n  return 0;\n}\n", &error);
  g_assert_no_error (error);
  g_assert_true (result->ok);
  g_assert_cmpuint (kiln_diagnostics_count (result->diagnostics, KILN_SEVERITY_WARNING), >=, 1);

  /* The warnings come back with the cached binary too. */
  cached = compile (fixture, "int main() {\n  int unused = 1;\n  return 0;\n}\n", &error);
  g_assert_true (cached->cached);
  g_assert_cmpuint (kiln_diagnostics_count (cached->diagnostics, KILN_SEVERITY_WARNING), >=, 1);
}

/* A garbage cache entry is a cache miss, never a crash; it is rebuilt. */
static void
test_garbage_cache_entry (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnCompileResult) first = compile (fixture, HELLO_CPP, &error);
  g_autoptr(KilnCompileResult) again = NULL;
  g_autofree char *meta = g_strconcat (first->binary_path, ".json", NULL);

  g_assert_true (first->ok);
  g_assert_true (g_file_set_contents (meta, "{not json", -1, NULL));

  again = compile (fixture, HELLO_CPP, &error);
  g_assert_no_error (error);
  g_assert_true (again->ok);
  g_assert_false (again->cached);

  {
    g_autoptr(KilnRunResult) run = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_CPP,
                                                  HELLO_CPP, NULL, NULL);
    g_assert_true (run->ok);
  }
}

static void
test_missing_compiler (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnCompileResult) result = NULL;

  kiln_toolchain_set_compiler (fixture->toolchain, "/nonexistent/g++");
  result = compile (fixture, HELLO_CPP, &error);
  g_assert_null (result);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_COMPILER_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Preferences"));

  {
    g_autoptr(KilnRunResult) run = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_CPP,
                                                  HELLO_CPP, NULL, NULL);

    g_assert_false (run->ok);
    g_assert_error (run->error, KILN_ERROR, KILN_ERROR_COMPILER_NOT_FOUND);
  }

  /* "auto" with nothing on PATH says what to install. */
  {
    g_autofree char *saved_path = g_strdup (g_getenv ("PATH"));
    g_autofree char *found = NULL;

    g_clear_error (&error);
    kiln_toolchain_set_compiler (fixture->toolchain, "auto");
    g_setenv ("PATH", fixture->dir, TRUE);
    found = kiln_toolchain_find_compiler (fixture->toolchain, &error);
    g_setenv ("PATH", saved_path, TRUE);

    g_assert_null (found);
    g_assert_error (error, KILN_ERROR, KILN_ERROR_COMPILER_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "g++"));
  }
}

static void
test_bad_flags (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnCompileResult) result = NULL;

  kiln_toolchain_set_flags (fixture->toolchain, "-O3 'unterminated");
  result = compile (fixture, HELLO_CPP, &error);
  g_assert_null (result);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "unterminated"));

  /* A flag the compiler rejects is a compile error with the compiler's own words. */
  g_clear_error (&error);
  kiln_toolchain_set_flags (fixture->toolchain, "-std=c++17 -fno-such-flag-kiln");
  {
    g_autoptr(KilnCompileResult) rejected = compile (fixture, HELLO_CPP, &error);

    g_assert_no_error (error);
    g_assert_false (rejected->ok);
    g_assert_cmpuint (kiln_diagnostics_count (rejected->diagnostics, KILN_SEVERITY_ERROR), >=, 1);
  }
}

static void
test_default_flags (void)
{
  g_autoptr(KilnToolchain) toolchain = kiln_toolchain_new ();
  const char *flags = kiln_toolchain_default_flags ();

  g_assert_nonnull (strstr (flags, "-std=c++17"));
  g_assert_nonnull (strstr (flags, "-O3"));
#if defined(__x86_64__)
  g_assert_nonnull (strstr (flags, "-march=native"));
#elif defined(__aarch64__)
  g_assert_nonnull (strstr (flags, "-mcpu=native"));
#endif
  g_assert_cmpstr (kiln_toolchain_get_compiler (toolchain), ==, "auto");
  g_assert_cmpstr (kiln_toolchain_get_flags (toolchain), ==, "");
}

static void
test_cpp_crash (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(KilnRunResult) run = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_CPP,
    "#include <csignal>\n#include <cstdio>\n"
    "int main() { std::puts(\"before\"); std::fflush(stdout); std::raise(SIGSEGV); }\n",
    NULL, NULL);
  g_autofree char *out = kiln_test_stdout (run);

  g_assert_false (run->ok);
  g_assert_error (run->error, KILN_ERROR, KILN_ERROR_SIGNALED);
  g_assert_cmpstr (out, ==, "before\n");
  /* A crash ends the series: one run only. */
  g_assert_cmpuint (run->runs->len, ==, 1);
}

/* 2^200 with GMP's C++ interface: needs -lgmpxx and -lgmp. */
#define GMP_CPP \
  "#include <gmpxx.h>\n" \
  "#include <iostream>\n" \
  "int main() {\n" \
  "  mpz_class x = 1;\n" \
  "  x <<= 200;\n" \
  "  std::cout << x << \"\\n\";\n" \
  "}\n"
#define TWO_TO_200 "1606938044258990275541962092341162602522202993782792835301376\n"

static gboolean
skip_without_gmp (void)
{
  if (!g_file_test ("/usr/include/gmpxx.h", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("GMP's C++ headers are not installed (Debian: libgmp-dev, "
                   "Fedora: gmp-devel gmp-c++)");
      return TRUE;
    }
  return FALSE;
}

/* Libraries named in the flags come after main.cpp, so the linker keeps what it needs:
 * "-lgmpxx -lgmp" in the flags links, as it would at a shell prompt after the source. */
static void
test_libraries_in_flags (Fixture       *fixture,
                         gconstpointer  data)
{
  if ((data != NULL && skip_without_compiler (data)) || skip_without_gmp ())
    return;

  kiln_toolchain_set_flags (fixture->toolchain, "-std=c++17 -O2 -lgmpxx -lgmp");
  {
    g_autoptr(KilnRunResult) run = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_CPP,
                                                  GMP_CPP, NULL, NULL);
    g_autofree char *out = kiln_test_stdout (run);
    g_autofree char *command = g_strjoinv (" ", run->compile->command);

    g_assert_no_error (run->error);
    g_assert_cmpstr (out, ==, TWO_TO_200);
    g_assert_true (g_str_has_suffix (command, " main.cpp -o main -lgmpxx -lgmp"));
  }
}

/* Without the library flags the link fails, and the message says which flag to add and
 * where, instead of only the linker's "undefined reference". */
static void
test_missing_library (Fixture       *fixture,
                      gconstpointer  data)
{
  if ((data != NULL && skip_without_compiler (data)) || skip_without_gmp ())
    return;

  kiln_toolchain_set_flags (fixture->toolchain, "-std=c++17 -O2");
  {
    g_autoptr(KilnRunResult) run = kiln_test_run (fixture->toolchain, KILN_LANGUAGE_CPP,
                                                  GMP_CPP, NULL, NULL);
    gboolean noted = FALSE;

    g_assert_false (run->ok);
    g_assert_error (run->error, KILN_ERROR, KILN_ERROR_COMPILE_FAILED);
    g_test_message ("%s", run->error->message);
    g_assert_nonnull (strstr (run->error->message, "linking failed"));
    g_assert_nonnull (strstr (run->error->message, "add -lgmpxx -lgmp to the compiler flags"));
    for (guint i = 0; i < run->compile->diagnostics->len; i++)
      {
        const KilnDiagnostic *d = g_ptr_array_index (run->compile->diagnostics, i);

        if (d->severity == KILN_SEVERITY_NOTE && strstr (d->message, "-lgmp") != NULL)
          noted = TRUE;
      }
    g_assert_true (noted);
  }
}

static void
test_link_argv_order (void)
{
  static const struct { const char *flags; const char *argv; } cases[] = {
    { "-std=c++17 -O3", "g++ -std=c++17 -O3 -fdiagnostics-color=never main.cpp -o main" },
    { "-O2 -lgmpxx -lgmp -fopenmp",
      "g++ -O2 -fopenmp -fdiagnostics-color=never main.cpp -o main -lgmpxx -lgmp" },
    { "-L /opt/x/lib -I/opt/x/include -l m -Wl,--as-needed -Xlinker -z -Xlinker now",
      "g++ -I/opt/x/include -fdiagnostics-color=never main.cpp -o main "
      "-L /opt/x/lib -l m -Wl,--as-needed -Xlinker -z -Xlinker now" },
    { "-pthread /opt/x/libx.a extra.o libfoo.so.1 -DNAME=lib.a",
      "g++ -pthread -DNAME=lib.a -fdiagnostics-color=never main.cpp -o main "
      "/opt/x/libx.a extra.o libfoo.so.1" },
    { "-l", "g++ -fdiagnostics-color=never main.cpp -o main -l" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) flags = NULL;
      g_auto(GStrv) argv = NULL;
      g_autofree char *joined = NULL;

      g_assert_true (g_shell_parse_argv (cases[i].flags, NULL, &flags, NULL));
      argv = _kiln_toolchain_build_compile_argv ("g++", flags);
      joined = g_strjoinv (" ", argv);
      g_assert_cmpstr (joined, ==, cases[i].argv);
    }
}

static void
test_link_failure_hint (void)
{
  static const struct { const char *output; const char *expect; } cases[] = {
    { "/usr/bin/ld: /tmp/ccA.o: in function `main':\n"
      "main.cpp:(.text.startup+0x1c): undefined reference to `__gmpz_init_set_ui'\n"
      "collect2: error: ld returned 1 exit status\n", "add -lgmp to" },
    /* newer binutils quote with ' on both sides; gmpxx's operators need libgmp after it */
    { "/usr/bin/ld: main.o: undefined reference to '__gmpz_clear'\n"
      "/usr/bin/ld: main.o: undefined reference to 'operator<<(std::ostream&, "
      "__mpz_struct const*)'\n", "add -lgmpxx -lgmp to" },
    { "ld.lld: error: undefined symbol: omp_get_num_threads\n"
      ">>> referenced by main.cpp\n", "add -fopenmp to" },
    { "main.cpp:(.text+0x5): undefined reference to `helper(int)'\n",
      "“helper(int)” is not defined anywhere" },
    { "main.cpp:3:11: error: 'y' was not declared in this scope\n", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *hint = _kiln_toolchain_describe_link_failure (cases[i].output);

      if (cases[i].expect == NULL)
        {
          g_assert_null (hint);
          continue;
        }
      g_assert_nonnull (hint);
      g_assert_nonnull (strstr (hint, cases[i].expect));
      g_assert_nonnull (strstr (hint, "compiler flags"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  kiln_core_init ();

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("/toolchain/compile/auto", NULL, test_compile_and_cache);
  ADD ("/toolchain/compile/clang++", "clang++", test_compile_and_cache);
  ADD ("/toolchain/compile-error/auto", NULL, test_compile_error);
  ADD ("/toolchain/compile-error/clang++", "clang++", test_compile_error);
  ADD ("/toolchain/warnings", NULL, test_warnings_kept);
  ADD ("/toolchain/cache/garbage-entry", NULL, test_garbage_cache_entry);
  ADD ("/toolchain/missing-compiler", NULL, test_missing_compiler);
  ADD ("/toolchain/bad-flags", NULL, test_bad_flags);
  g_test_add_func ("/toolchain/default-flags", test_default_flags);
  ADD ("/toolchain/cpp-crash", NULL, test_cpp_crash);
  ADD ("/toolchain/link/libraries-in-flags/auto", NULL, test_libraries_in_flags);
  ADD ("/toolchain/link/libraries-in-flags/clang++", "clang++", test_libraries_in_flags);
  ADD ("/toolchain/link/missing-library/auto", NULL, test_missing_library);
  ADD ("/toolchain/link/missing-library/clang++", "clang++", test_missing_library);
  g_test_add_func ("/toolchain/link/argv-order", test_link_argv_order);
  g_test_add_func ("/toolchain/link/failure-hint", test_link_failure_hint);

#undef ADD

  return g_test_run ();
}

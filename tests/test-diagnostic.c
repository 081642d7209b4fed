/* test-diagnostic.c: parsing real g++ 12 and clang++ 14 output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-diagnostic.h"

typedef struct
{
  const char   *file;
  guint         line;
  guint         column;
  KilnSeverity  severity;
  const char   *message;
} Expected;

#define E KILN_SEVERITY_ERROR
#define W KILN_SEVERITY_WARNING
#define N KILN_SEVERITY_NOTE

/* The g++ / clang++ include folders as they appear in the fixtures */
#define GXX_INC "/usr/include/c++/12/bits/"
#define CLANG_INC "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/"

static const Expected undeclared_gcc[] = {
  { "main.cpp", 5, 18, E, "‘total’ was not declared in this scope" },
};
static const Expected undeclared_clang[] = {
  { "main.cpp", 5, 18, E, "use of undeclared identifier 'total'" },
};
static const Expected missing_semicolon_gcc[] = {
  { "main.cpp", 6, 5, E, "expected ‘,’ or ‘;’ before ‘std’" },
  { "main.cpp", 5, 9, W, "unused variable ‘x’ [-Wunused-variable]" },
};
static const Expected missing_semicolon_clang[] = {
  { "main.cpp", 5, 14, E, "expected ';' at end of declaration" },
};
static const Expected missing_include_gcc[] = {
  { "main.cpp", 2, 10, E, "no_such_header.hpp: No such file or directory" },
};
static const Expected missing_include_clang[] = {
  { "main.cpp", 2, 10, E, "'no_such_header.hpp' file not found" },
};
static const Expected template_mismatch_gcc[] = {
  { "main.cpp", 22, 20, E, "no matching function for call to ‘max(int&, double)’" },
  { GXX_INC "stl_algobase.h", 254, 5, N,
    "candidate: ‘template<class _Tp> constexpr const _Tp& std::max(const _Tp&, const _Tp&)’" },
  { GXX_INC "stl_algobase.h", 254, 5, N, "template argument deduction/substitution failed:" },
  { "main.cpp", 22, 20, N,
    "deduced conflicting types for parameter ‘const _Tp’ (‘int’ and ‘double’)" },
  { GXX_INC "stl_algobase.h", 300, 5, N,
    "candidate: ‘template<class _Tp, class _Compare> constexpr const _Tp& "
    "std::max(const _Tp&, const _Tp&, _Compare)’" },
  { GXX_INC "stl_algobase.h", 300, 5, N, "template argument deduction/substitution failed:" },
  { "main.cpp", 22, 20, N,
    "deduced conflicting types for parameter ‘const _Tp’ (‘int’ and ‘double’)" },
  { GXX_INC "stl_algo.h", 5746, 5, N,
    "candidate: ‘template<class _Tp> constexpr _Tp std::max(initializer_list<_Tp>)’" },
  { GXX_INC "stl_algo.h", 5746, 5, N, "template argument deduction/substitution failed:" },
  { "main.cpp", 22, 20, N, "mismatched types ‘std::initializer_list<_Tp>’ and ‘int’" },
  { GXX_INC "stl_algo.h", 5756, 5, N,
    "candidate: ‘template<class _Tp, class _Compare> constexpr _Tp "
    "std::max(initializer_list<_Tp>, _Compare)’" },
  { GXX_INC "stl_algo.h", 5756, 5, N, "template argument deduction/substitution failed:" },
  { "main.cpp", 22, 20, N, "mismatched types ‘std::initializer_list<_Tp>’ and ‘int’" },
  /* gcc prints the instantiation context before the error it explains */
  { "main.cpp", 21, 22, N, "required from here" },
  { "main.cpp", 14, 13, E,
    "no match for ‘operator+=’ (operand types are ‘Point’ and ‘const Point’)" },
};
static const Expected template_mismatch_clang[] = {
  { "main.cpp", 22, 12, E, "no matching function for call to 'max'" },
  { CLANG_INC "algorithmfwd.h", 407, 5, N,
    "candidate template ignored: deduced conflicting types for parameter '_Tp' "
    "('int' vs. 'double')" },
  { CLANG_INC "stl_algo.h", 5756, 5, N,
    "candidate template ignored: could not match 'initializer_list<_Tp>' against 'int'" },
  { CLANG_INC "stl_algo.h", 5746, 5, N,
    "candidate function template not viable: requires single argument '__l', "
    "but 2 arguments were provided" },
  { CLANG_INC "algorithmfwd.h", 412, 5, N,
    "candidate function template not viable: requires 3 arguments, but 2 were provided" },
  { "main.cpp", 14, 13, E, "no viable overloaded '+='" },
  { "main.cpp", 21, 15, N,
    "in instantiation of function template specialization 'add_all<Point>' requested here" },
};
static const Expected unused_variable_gcc[] = {
  { "main.cpp", 3, 9, W, "unused variable ‘unused’ [-Wunused-variable]" },
};
static const Expected unused_variable_clang[] = {
  { "main.cpp", 3, 9, W, "unused variable 'unused' [-Wunused-variable]" },
};
/* The linker's summary ("ld returned 1 exit status", "linker command failed") is dropped
 * because the undefined reference already says why. */
static const Expected undefined_reference_gcc[] = {
  { "", 0, 0, E, "undefined reference to `compute(int)'" },
};
static const Expected undefined_reference_clang[] = {
  { "", 0, 0, E, "undefined reference to `compute(int)'" },
};
static const Expected unknown_flag_gcc[] = {
  { "", 0, 0, E,
    "unrecognized command-line option ‘-fno-such-flag’; did you mean ‘-fno-mudflap’?" },
};
static const Expected unknown_flag_clang[] = {
  { "", 0, 0, E, "unknown argument: '-fno-such-flag'" },
};

typedef struct
{
  const char     *fixture;
  const Expected *expected;
  guint           n_expected;
} FixtureCase;

#define CASE(file, table) { file, table, G_N_ELEMENTS (table) }

static const FixtureCase fixture_cases[] = {
  CASE ("undeclared.gcc.txt", undeclared_gcc),
  CASE ("undeclared.clang.txt", undeclared_clang),
  CASE ("missing-semicolon.gcc.txt", missing_semicolon_gcc),
  CASE ("missing-semicolon.clang.txt", missing_semicolon_clang),
  CASE ("missing-include.gcc.txt", missing_include_gcc),
  CASE ("missing-include.clang.txt", missing_include_clang),
  CASE ("template-mismatch.gcc.txt", template_mismatch_gcc),
  CASE ("template-mismatch.clang.txt", template_mismatch_clang),
  CASE ("unused-variable.gcc.txt", unused_variable_gcc),
  CASE ("unused-variable.clang.txt", unused_variable_clang),
  CASE ("undefined-reference.gcc.txt", undefined_reference_gcc),
  CASE ("undefined-reference.clang.txt", undefined_reference_clang),
  CASE ("unknown-flag.gcc.txt", unknown_flag_gcc),
  CASE ("unknown-flag.clang.txt", unknown_flag_clang),
};

static void
assert_diagnostics (GPtrArray      *diagnostics,
                    const Expected *expected,
                    guint           n_expected)
{
  g_assert_nonnull (diagnostics);

  for (guint i = 0; i < MIN (diagnostics->len, n_expected); i++)
    {
      const KilnDiagnostic *d = g_ptr_array_index (diagnostics, i);

      g_test_message ("entry %u: %s:%u:%u: %s", i, d->file, d->line, d->column, d->message);
      g_assert_cmpstr (d->file, ==, expected[i].file);
      g_assert_cmpuint (d->line, ==, expected[i].line);
      g_assert_cmpuint (d->column, ==, expected[i].column);
      g_assert_cmpint (d->severity, ==, expected[i].severity);
      g_assert_cmpstr (d->message, ==, expected[i].message);
    }

  g_assert_cmpuint (diagnostics->len, ==, n_expected);
}

static void
test_fixture (gconstpointer data)
{
  const FixtureCase *fixture_case = data;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) diagnostics = NULL;
  g_autoptr(GError) error = NULL;

  path = g_test_build_filename (G_TEST_DIST, "fixtures", "diagnostics",
                                fixture_case->fixture, NULL);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  diagnostics = kiln_diagnostics_parse (contents);
  assert_diagnostics (diagnostics, fixture_case->expected, fixture_case->n_expected);
}

typedef struct
{
  const char     *name;
  const char     *input;
  const Expected *expected;
  guint           n_expected;
} InlineCase;

static const Expected crlf_expected[] = {
  { "main.cpp", 1, 2, E, "first" },
  { "main.cpp", 3, 4, W, "second" },
};
static const Expected no_column_expected[] = {
  { "main.cpp", 7, 0, E, "no column, no newline" },
};
static const Expected overflow_expected[] = {
  { "main.cpp", G_MAXINT, 5, E, "huge line" },
  { "main.cpp", 3, G_MAXINT, W, "huge column" },
  { "main.cpp", G_MAXINT, 0, N, "4294967296 wraps a guint" },
};
static const Expected invalid_utf8_expected[] = {
  { "main.cpp", 1, 1, E, "bad \xef\xbf\xbd byte" },
  { "m\xef\xbf\xbd.cpp", 2, 1, W, "bad file name" },
};
static const Expected linker_expected[] = {
  { "", 0, 0, E, "undefined reference to `foo()'" },
  { "", 0, 0, E, "undefined reference to `bar(int)'" },
};
static const Expected cannot_find_expected[] = {
  { "", 0, 0, E, "cannot find -lnosuchlib: No such file or directory" },
};
static const Expected summary_only_expected[] = {
  { "", 0, 0, E, "ld returned 1 exit status" },
};
static const Expected driver_expected[] = {
  { "", 0, 0, E, "no input files" },
  { "", 0, 0, W,
    "command-line option ‘-Wstrict-prototypes’ is valid for C/ObjC but not for C++" },
  { "", 0, 0, W, "argument unused during compilation: '-s'" },
  { "", 0, 0, E, "unrecognized command-line option ‘-fbogus’" },
};
static const Expected colon_in_name_expected[] = {
  { "dir: odd/a.cpp", 3, 4, E, "colon in the folder" },
};
static const Expected context_expected[] = {
  { "main.cpp", 9, 3, N, "recursively required from ‘void f(T) [with T = int]’" },
  { "main.cpp", 2, 1, E, "boom" },
};

#define INLINE(name, input, table) { name, input, table, G_N_ELEMENTS (table) }
#define INLINE_NONE(name, input) { name, input, NULL, 0 }

static const InlineCase inline_cases[] = {
  INLINE_NONE ("empty", ""),
  INLINE_NONE ("newlines", "\n\n\r\n\r"),
  INLINE_NONE ("garbage",
               "hello\nworld: foo\n:::\n:1:2: error: no file\n12:34\n\x01\x02\x7f"),
  INLINE_NONE ("carets-only", "    5 |   int x\n      |       ^\n   ^~~~~\n"),
  INLINE_NONE ("footers",
               "1 error generated.\n2 warnings and 3 errors generated.\n"
               "compilation terminated.\n"),
  INLINE_NONE ("gcc-context",
               "main.cpp: In function ‘int main()’:\n"
               "In file included from a.h:3,\n                 from main.cpp:1:\n"
               "main.cpp: In instantiation of ‘void f(T) [with T = int]’:\n"),
  INLINE_NONE ("incomplete", "main.cpp:12:3: error:\nmain.cpp:12:3:\nmain.cpp:12\nmain.cpp:"),
  INLINE ("crlf", "main.cpp:1:2: error: first\r\nmain.cpp:3:4: warning: second\r\n",
          crlf_expected),
  INLINE ("no-column-no-newline", "main.cpp:7: error: no column, no newline",
          no_column_expected),
  INLINE ("overflow",
          "main.cpp:99999999999999999999999999999999:5: error: huge line\n"
          "main.cpp:3:18446744073709551617: warning: huge column\n"
          "main.cpp:4294967296: note: 4294967296 wraps a guint\n",
          overflow_expected),
  INLINE ("invalid-utf8",
          "main.cpp:1:1: error: bad \xff byte\nm\xc3.cpp:2:1: warning: bad file name\n",
          invalid_utf8_expected),
  INLINE ("linker",
          "/usr/bin/ld: main.o: in function `main':\n"
          "main.cpp:(.text+0x1b): undefined reference to `foo()'\n"
          "/usr/bin/ld: main.cpp:(.text+0x2a): undefined reference to `bar(int)'\n"
          "collect2: error: ld returned 1 exit status\n",
          linker_expected),
  INLINE ("cannot-find",
          "/usr/bin/ld: cannot find -lnosuchlib: No such file or directory\n"
          "clang: error: linker command failed with exit code 1 (use -v to see invocation)\n",
          cannot_find_expected),
  INLINE ("summary-only", "collect2: error: ld returned 1 exit status", summary_only_expected),
  INLINE ("driver",
          "g++: fatal error: no input files\n"
          "cc1plus: warning: command-line option ‘-Wstrict-prototypes’ is valid for C/ObjC "
          "but not for C++\n"
          "clang-14: warning: argument unused during compilation: '-s'\n"
          "x86_64-linux-gnu-g++-12: error: unrecognized command-line option ‘-fbogus’\n",
          driver_expected),
  INLINE ("colon-in-name", "dir: odd/a.cpp:3:4: error: colon in the folder\n",
          colon_in_name_expected),
  INLINE ("context-notes",
          "main.cpp:9:3:   recursively required from ‘void f(T) [with T = int]’\n"
          "main.cpp:5:1:   something gcc never prints\n"
          "main.cpp:2:1: error: boom\n",
          context_expected),
};

static void
test_inline (gconstpointer data)
{
  const InlineCase *inline_case = data;
  g_autoptr(GPtrArray) diagnostics = kiln_diagnostics_parse (inline_case->input);

  assert_diagnostics (diagnostics, inline_case->expected, inline_case->n_expected);
}

static void
test_null (void)
{
  g_autoptr(GPtrArray) diagnostics = kiln_diagnostics_parse (NULL);

  g_assert_cmpuint (diagnostics->len, ==, 0);
}

static void
test_count_and_boxed (void)
{
  g_autoptr(GPtrArray) diagnostics = NULL;
  g_autoptr(KilnDiagnostic) copy = NULL;
  KilnDiagnostic *boxed;

  diagnostics = kiln_diagnostics_parse ("a.cpp:1:1: error: e1\n"
                                        "a.cpp:2:1: warning: w1\n"
                                        "a.cpp:3:1: fatal error: e2\n"
                                        "a.cpp:4:1: note: n1\n");
  g_assert_cmpuint (kiln_diagnostics_count (diagnostics, KILN_SEVERITY_ERROR), ==, 2);
  g_assert_cmpuint (kiln_diagnostics_count (diagnostics, KILN_SEVERITY_WARNING), ==, 1);
  g_assert_cmpuint (kiln_diagnostics_count (diagnostics, KILN_SEVERITY_NOTE), ==, 1);

  copy = kiln_diagnostic_copy (g_ptr_array_index (diagnostics, 1));
  g_assert_cmpstr (copy->file, ==, "a.cpp");
  g_assert_cmpuint (copy->line, ==, 2);
  g_assert_cmpstr (copy->message, ==, "w1");

  g_assert_true (G_TYPE_IS_BOXED (KILN_TYPE_DIAGNOSTIC));
  boxed = g_boxed_copy (KILN_TYPE_DIAGNOSTIC, copy);
  g_assert_true (boxed != copy);
  g_assert_cmpint (boxed->severity, ==, KILN_SEVERITY_WARNING);
  g_boxed_free (KILN_TYPE_DIAGNOSTIC, boxed);

  g_assert_cmpstr (kiln_severity_to_string (KILN_SEVERITY_ERROR), ==, "error");
  g_assert_cmpstr (kiln_severity_to_string (KILN_SEVERITY_WARNING), ==, "warning");
  g_assert_cmpstr (kiln_severity_to_string (KILN_SEVERITY_NOTE), ==, "note");
}

/* Random bytes drawn mostly from the characters the parser looks at, so that the random
 * input reaches its branches. Only checks that nothing crashes and that every string is
 * valid UTF-8. */
static void
test_random_input (void)
{
  static const char alphabet[] =
    "::::  0123456789errorwarningnotefatal\n\r\t().+-/`'g++clangld\xff\xc3\xa9";

  for (guint round = 0; round < 2000; round++)
    {
      guint length = g_test_rand_int_range (0, 400);
      g_autofree char *input = g_malloc (length + 1);
      g_autoptr(GPtrArray) diagnostics = NULL;

      for (guint i = 0; i < length; i++)
        {
          if (g_test_rand_int_range (0, 10) == 0)
            input[i] = (char) g_test_rand_int_range (1, 256);
          else
            input[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
        }
      input[length] = '\0';

      diagnostics = kiln_diagnostics_parse (input);
      for (guint i = 0; i < diagnostics->len; i++)
        {
          const KilnDiagnostic *d = g_ptr_array_index (diagnostics, i);

          g_assert_true (g_utf8_validate (d->file, -1, NULL));
          g_assert_true (g_utf8_validate (d->message, -1, NULL));
          g_assert_cmpuint (d->line, <=, G_MAXINT);
          g_assert_cmpuint (d->column, <=, G_MAXINT);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fixture_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/diagnostic/fixture/%s",
                                               fixture_cases[i].fixture);

      g_test_add_data_func (path, &fixture_cases[i], test_fixture);
    }

  for (guint i = 0; i < G_N_ELEMENTS (inline_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/diagnostic/inline/%s", inline_cases[i].name);

      g_test_add_data_func (path, &inline_cases[i], test_inline);
    }

  g_test_add_func ("/diagnostic/null", test_null);
  g_test_add_func ("/diagnostic/count-and-boxed", test_count_and_boxed);
  g_test_add_func ("/diagnostic/random-input", test_random_input);

  return g_test_run ();
}

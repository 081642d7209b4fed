/* test-hardcode.c: spotting a C++ program that prints the answer instead of computing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "kiln-hardcode.h"

static const char pi_python[] =
  "import time\n"
  "def calculate(iterations, param1, param2):\n"
  "    result = 1.0\n"
  "    for i in range(1, iterations + 1):\n"
  "        j = i * param1 - param2\n"
  "        result -= 1 / j\n"
  "        j = i * param1 + param2\n"
  "        result += 1 / j\n"
  "    return result\n"
  "start_time = time.time()\n"
  "result = calculate(100_000_000, 4, 1) * 4\n"
  "end_time = time.time()\n"
  "print(f\"Result: {result:.12f}\")\n"
  "print(f\"Execution Time: {end_time - start_time:.6f} seconds\")\n";

static const char pi_output[] =
  "Result: 3.141592658589\n"
  "Execution Time: 8.102733 seconds\n";

static const char max_python[] =
  "def lcg(seed, a=1664525, c=1013904223, m=2**32):\n"
  "    value = seed\n"
  "    while True:\n"
  "        value = (a * value + c) % m\n"
  "        yield value\n"
  "n = 10000\n"
  "initial_seed = 42\n"
  "runs = 20\n"
  "result = total_max_subarray_sum(n, initial_seed, -10, 10, runs)\n"
  "print(f\"Total Maximum Subarray Sum ({runs} runs): {result}\")\n";

static const char max_output[] = "Total Maximum Subarray Sum (20 runs): 10980\n"
                                 "Execution Time: 51.3 seconds\n";

typedef struct
{
  const char *name;
  const char *cpp;
  const char *output;
  const char *original;
  const char *input;       /* one input case, or NULL */
  const char *found;       /* NULL: not hard-coded; else a part of the sentence */
} HardcodeCase;

static const HardcodeCase cases[] = {
  /* True positives */
  { "pi-literal",
    "#include <cstdio>\n"
    "int main () {\n"
    "  double result = 3.141592658589;\n"
    "  std::printf (\"Result: %.12f\\n\", result);\n"
    "}\n",
    pi_output, pi_python, NULL, "contains 3.141592658589," },
  { "pi-literal-more-digits",
    "int main () { double r = 3.1415926585893; printf (\"Result: %.12f\\n\", r); }\n",
    pi_output, pi_python, NULL, "3.141592658589" },
  /* The printed value ends in a 0 the literal leaves out */
  { "pi-12-decimals",
    "#include <iostream>\n#include <iomanip>\n"
    "int main () { const double PI = 3.14159265359;\n"
    "  std::cout << std::fixed << std::setprecision (12) << PI << '\\n'; }\n",
    "3.141592653590\n", "print(f'{4 * sum(...):.12f}')\n", NULL, "3.141592653590" },
  { "max-subarray-int",
    "#include <iostream>\n"
    "int main () {\n"
    "  long long total = 10980;\n"
    "  std::cout << \"Total Maximum Subarray Sum (\" << 20 << \" runs): \" << total << '\\n';\n"
    "}\n",
    max_output, max_python, NULL, "contains 10980," },
  { "suffix-and-separators",
    "int main () { auto t = 10'980LL; std::cout << t; }\n",
    max_output, max_python, NULL, "10980" },
  { "hex",
    "int main () { unsigned t = 0x2AE4; std::cout << t; }\n",
    max_output, max_python, NULL, "10980" },
  { "whole-output-in-a-string",
    "#include <iostream>\n"
    "int main () {\n"
    "  std::cout << \"Total Maximum Subarray Sum (20 runs): 10980\" << std::endl;\n"
    "}\n",
    max_output, max_python, NULL, "from string literals" },
  { "adjacent-strings",
    "int main () { puts (\"Total Maximum Subarray Sum (20 runs): \" \"10980\"); }\n",
    max_output, max_python, NULL, "from string literals" },
  { "raw-string",
    "int main () { puts (R\"x(Total Maximum Subarray Sum (20 runs): 10980)x\"); }\n",
    max_output, max_python, NULL, "from string literals" },
  /* Only the answer is in a string; the other line is computed */
  { "answer-in-a-string",
    "int main () { int runs = 0; for (int i = 0; i < 20; i++) runs++;\n"
    "  std::cout << \"Checked \" << runs << \" runs\\n\" << \"Result: 10980\\n\"; }\n",
    "Checked 20 runs\nResult: 10980\n", "print(f'Checked {runs} runs')\n", NULL,
    "contains 10980," },
  { "negative",
    "int main () { int best = -123456; printf (\"min: %d\\n\", best); }\n",
    "min: -123456\n", "print('min:', min(values))\n", NULL, "contains -123456," },
  { "exponent",
    "int main () { double x = 12345670000.0; printf (\"%e\\n\", x); }\n",
    "1.234567e+10\n", "print(f'{total:e}')\n", NULL, "1.234567e+10" },
  { "one-of-many",
    "int main () { for (int i = 1; i <= 3; i++) printf (\"%d\\n\", i * i);\n"
    "  printf (\"%.6f\\n\", 2.718281828); }\n",
    "1\n4\n9\n2.718282\n", "print(f'{s:.6f}')\n", NULL, "2.718282" },

  /* Negatives: a constant table printed by both programs */
  { "constant-table",
    "const int table[] = { 31415, 27182, 14142 };\n"
    "int main () { for (int v : table) std::cout << v << '\\n'; }\n",
    "31415\n27182\n14142\n", "TABLE = [31415, 27182, 14142]\nfor v in TABLE:\n    print(v)\n",
    NULL, NULL },
  { "constant-table-as-string",
    "int main () { std::cout << \"31415\\n27182\\n14142\\n\"; }\n",
    "31415\n27182\n14142\n", "TABLE = [31415, 27182, 14142]\nfor v in TABLE:\n    print(v)\n",
    NULL, NULL },
  { "python-literal-forms",
    "int main () { const int n = 123456; const long m = 1048576, k = 2097152, h = 123450;\n"
    "  const int x = 0777777; std::cout << n << m << k << h << x; }\n",
    "123456\n1048576\n2097152\n123450\n262143\n",
    "n = 123_456\nm = 2**20\nk = 1 << 21\nh = 12345e1\nx = 0o777777\n"
    "print(n); print(m); print(k); print(h); print(x)\n",
    NULL, NULL },
  { "small-values",
    "int main () { printf (\"Answer: %d\\nTotal: %d\\n%d\\n%.1f\\n\", 42, 100, 100000, 0.5); }\n",
    "Answer: 42\nTotal: 100\n100000\n0.5\n", "print(...)\n", NULL, NULL },
  { "round-numbers",
    "int main () { std::cout << 250000 << ' ' << 1200000 << ' ' << 1e-9; }\n",
    "250000 1200000 1e-09\n", "print(...)\n", NULL, NULL },
  { "value-from-input",
    "int main () { long fallback = 67890; long best = read_max (fallback);\n"
    "  std::cout << \"Max: \" << best << '\\n'; }\n",
    "Max: 67890\n", "print('Max:', max(map(int, sys.stdin.read().split())))\n",
    "3\n12345 67890 24680\n", NULL },
  { "comment-only",
    "// Expected output: Total Maximum Subarray Sum (20 runs): 10980\n"
    "/* 10980 */\n"
    "int main () { long long total = compute (10000, 42, 20);\n"
    "  std::cout << \"Total Maximum Subarray Sum (\" << 20 << \" runs): \" << total; }\n",
    max_output, max_python, NULL, NULL },
  { "tolerances",
    "int main () { double err = measure (); if (err < 1e-9 || err < 1.5e-9) return 1;\n"
    "  printf (\"Error: %.16f\\n\", err); }\n",
    "Error: 0.0000000012345678\n", "print(f'Error: {err:.16f}')\n", NULL, NULL },
  { "timing-line",
    "int main () { compute (); printf (\"Execution Time: %.6f seconds\\n\", 8.102733); }\n",
    "Result: 7\nExecution Time: 8.102733 seconds\n", "print(...)\n", NULL, NULL },
  { "digits-in-identifiers",
    "int v10980 = 0; int f10980 (); int main () { std::cout << f10980 (); }\n",
    max_output, max_python, NULL, NULL },
  { "pi-named-in-python",
    "const double PI = 3.14159265358979323846;\n"
    "int main () { printf (\"%.12f\\n\", PI); }\n",
    "3.141592653590\n", "import math\nprint(f'{math.pi:.12f}')\n", NULL, NULL },
  { "not-at-printed-precision",
    "int main () { double r = 3.14159265; printf (\"Result: %.12f\\n\", leibniz (r)); }\n",
    pi_output, pi_python, NULL, NULL },
  { "no-output", "int main () { return 0; }\n", "", pi_python, NULL, NULL },
};

static void
test_case (gconstpointer data)
{
  const HardcodeCase *c = data;
  const char *inputs[] = { c->input, NULL };
  g_autofree char *reason = NULL;

  reason = kiln_hardcode_check (c->cpp, c->output, c->original, inputs);
  if (c->found == NULL)
    {
      g_assert_null (reason);
      return;
    }

  g_assert_nonnull (reason);
  g_test_message ("%s", reason);
  g_assert_true (g_str_has_prefix (reason, "The answer looks hard-coded"));
  g_assert_nonnull (strstr (reason, c->found));
}

static void
test_null_arguments (void)
{
  g_autofree char *no_output = kiln_hardcode_check ("int x = 10980;", NULL, NULL, NULL);
  g_autofree char *no_original = kiln_hardcode_check ("int x = 10980;", "10980", NULL, NULL);

  g_assert_null (no_output);
  g_assert_nonnull (no_original);
}

static char *
read_example (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "src", "core", "examples",
                                                 name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* The bundled examples: their C++ computes everything it prints, though it writes large
 * constants of its own (2^63 - 200000, LCG multipliers, DBL_MAX). */
typedef struct
{
  const char *name;
  const char *output;
} ExampleCase;

static const ExampleCase examples[] = {
  { "pi", "Result: 3.141592658589\nExecution Time: 0.240575 seconds\n" },
  { "max-subarray", "Total Maximum Subarray Sum (20 runs): 10980\n"
                    "Execution Time: 0.877490 seconds\n" },
  { "prime-sum", "Range: 9223372036854575808 to 9223372036854975807\n"
                 "Primes found: 9185\n"
                 "First prime: 9223372036854575827\n"
                 "Last prime: 9223372036854975773\n"
                 "Widest gap: 336\n"
                 "Sum of the primes: 84716672158511105109729\n"
                 "Sum modulo 2^64: 9223372036844089057\n" },
  { "float-format", "n = 10: harmonic 2.9289682539682538, basel 1.5497677311665408\n"
                    "Basel error: 1.0000096684059656e-07\n"
                    "Samples: 3000000\n"
                    "Mean: 0.4997371000204411\n"
                    "Variance: 0.08348461707138455 expected 0.08333333333333333\n"
                    "3^-4 = 0.012345679012345678\n"
                    "18! = 6402373705728000.0\n"
                    "170! = 7.257415615307994e+306\n"
                    "Sums: 0.30000000000000004 1.2100000000000002 0.3333333333333333\n" },
  { "sequence-distance", "isolate_A      1100 bases, GC content 48.9%\n"
                         "Closest pair: isolate_A and isolate_C, distance 38, "
                         "identity 96.55%\n" },
};

static void
test_example (gconstpointer data)
{
  const ExampleCase *example = data;
  g_autofree char *cpp_name = g_strconcat (example->name, ".cpp", NULL);
  g_autofree char *py_name = g_strconcat (example->name, ".py", NULL);
  g_autofree char *cpp = read_example (cpp_name);
  g_autofree char *python = read_example (py_name);
  g_autofree char *reason = kiln_hardcode_check (cpp, example->output, python, NULL);
  g_autofree char *printed = NULL;
  g_autofree char *hard_coded = NULL;
  const char *first_line_end = strchr (example->output, '\n');

  g_assert_null (reason);

  /* The same program with its first result line printed from a string: caught */
  printed = g_strndup (example->output, first_line_end - example->output);
  hard_coded = g_strdup_printf ("%s\nint answer () { puts (\"%s\"); return 0; }\n",
                                cpp, printed);
  g_clear_pointer (&reason, g_free);
  reason = kiln_hardcode_check (hard_coded, example->output, python, NULL);
  if (g_str_equal (example->name, "sequence-distance"))
    g_assert_null (reason);   /* 1100, 48.9, 38 and 96.55 are not distinctive */
  else
    g_assert_nonnull (reason);
}

/* Big outputs stay quick: a value per line for many lines */
static void
test_large (void)
{
  g_autoptr(GString) output = g_string_new (NULL);
  g_autoptr(GString) cpp = g_string_new ("int main () {\n");
  g_autofree char *reason = NULL;

  for (guint i = 0; i < 200000; i++)
    g_string_append_printf (output, "%u\n", 1000003 + i * 7);
  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (cpp, "  x += %u;\n", 2000003 + i * 7);
  g_string_append (cpp, "}\n");

  reason = kiln_hardcode_check (cpp->str, output->str, NULL, NULL);
  g_assert_null (reason);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hardcode/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/hardcode/null-arguments", test_null_arguments);
  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hardcode/example/%s", examples[i].name);

      g_test_add_data_func (path, &examples[i], test_example);
    }
  g_test_add_func ("/hardcode/large", test_large);

  return g_test_run ();
}

/* test-code-extractor.c: splitting a streamed answer into C++ code and prose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-code-extractor.h"

typedef struct
{
  const char *name;
  const char *answer;
  const char *code;
  const char *prose;
  guint       n_blocks;
  gsize       fence_bytes;   /* the code fence lines, in neither output */
} ExtractCase;

#define PROGRAM "#include <cstdio>\nint main() { std::puts(\"hi\"); }\n"

static const ExtractCase extract_cases[] = {
  { "chatty",
    "Here is the fast version:\n\n```cpp\n" PROGRAM "```\n\nIt uses puts.\n",
    PROGRAM, "Here is the fast version:\n\n\nIt uses puts.\n", 1, 11 },
  { "helper-then-program",
    "First a helper:\n```cpp\nstatic int sq(int x) { return x * x; }\n```\n"
    "The whole program:\n```cpp\n" PROGRAM "```\nDone.\n",
    PROGRAM, "First a helper:\nThe whole program:\nDone.\n", 2, 22 },
  { "program-then-snippet",
    "```cpp\n" PROGRAM "```\nYou could also write:\n```cpp\nstd::printf(\"hi\\n\");\n```\n",
    PROGRAM, "You could also write:\n", 2, 22 },
  { "two-mains-last-wins",
    "```cpp\nint main() { return 1; }\n```\nBetter:\n```cpp\nint main () { return 0; }\n```\n",
    "int main () { return 0; }\n", "Better:\n", 2, 22 },
  { "no-main-longest",
    "```cpp\nint a;\n```\n```cpp\nint longer;\n```\n```cpp\nint b;\n```\n",
    "int longer;\n", "", 3, 33 },
  { "open-at-end", "Sure:\n```cpp\nint x;\nint main(",
    "int x;\nint main(", "Sure:\n", 1, 7 },
  { "open-bare-at-end", "```", "", "", 1, 3 },
  { "closing-without-newline", "```cpp\nint main(){}\n```",
    "int main(){}\n", "", 1, 10 },
  { "no-fences-code", PROGRAM, PROGRAM, "", 1, 0 },
  { "no-fences-code-no-newline", "int main() { return 0; }",
    "int main() { return 0; }", "", 1, 0 },
  { "no-fences-comment-first", "// fast\n" PROGRAM, "// fast\n" PROGRAM, "", 1, 0 },
  { "no-fences-leading-blank-lines", "\n\n" PROGRAM, "\n\n" PROGRAM, "", 1, 0 },
  { "no-fences-prose", "I cannot convert this program.\nSorry.\n",
    "", "I cannot convert this program.\nSorry.\n", 0, 0 },
  { "no-fences-prose-then-include", "Here it is:\n" PROGRAM, PROGRAM, "Here it is:\n", 1, 0 },
  { "no-fences-main-at-finish", "Program:\nlong long f();\nint main() { return 0; }\n",
    "long long f();\nint main() { return 0; }\n", "Program:\n", 1, 0 },
  { "no-fences-main-only", "Program:\n  int main() {}\n",
    "  int main() {}\n", "Program:\n", 1, 0 },
  { "heading-is-prose", "# Fast version\n```cpp\nint main(){}\n```\n",
    "int main(){}\n", "# Fast version\n", 1, 11 },
  { "leading-blank-then-fence", "\n```cpp\nint main(){}\n```\n",
    "int main(){}\n", "\n", 1, 11 },
  { "implicit-closed-by-fence", "int main(){}\n```\nNotes.\n", "int main(){}\n", "Notes.\n", 1, 4 },
  { "tilde", "~~~cpp\nint main(){}\n~~~\nok\n", "int main(){}\n", "ok\n", 1, 11 },
  { "tilde-holds-backticks", "~~~\nint a;\n```\nint main(){}\n~~~\n",
    "int a;\n```\nint main(){}\n", "", 1, 8 },
  { "four-backticks", "````cpp\nint a;\n```\nint main(){}\n````\n",
    "int a;\n```\nint main(){}\n", "", 1, 13 },
  { "backticks-mid-line", "```cpp\nconst char *s = \"```\";\nint main(){}\n```\n",
    "const char *s = \"```\";\nint main(){}\n", "", 1, 11 },
  /* Documented limit: a line of the program that starts with ``` closes the block */
  { "backticks-at-line-start", "```cpp\nauto s = R\"(\n```\n)\";\nint main(){}\n```\n",
    "auto s = R\"(\n", ")\";\nint main(){}\n", 2, 15 },
  { "crlf", "Text\r\n```cpp\r\nint main(){}\r\n```\r\nBye\r\n",
    "int main(){}\r\n", "Text\r\nBye\r\n", 1, 13 },
  { "python-block-is-prose",
    "Original:\n```python\nprint(1)\n```\nC++:\n```cpp\nint main(){}\n```\n",
    "int main(){}\n", "Original:\n```python\nprint(1)\n```\nC++:\n", 1, 11 },
  { "output-block-is-prose",
    "```cpp\nint main(){}\n```\nOutput:\n```text\n```cpp\n```\n",
    "int main(){}\n", "Output:\n```text\n```cpp\n```\n", 1, 11 },
  { "info-extras", "```cpp title=main.cpp\nint main(){}\n```\n",
    "int main(){}\n", "", 1, 26 },
  { "info-upper", "```C++\nint main(){}\n```\n", "int main(){}\n", "", 1, 11 },
  { "info-cc-cxx", "```cc\nint a;\n```\n```cxx\nint main(){}\n```\n",
    "int main(){}\n", "", 2, 21 },
  { "bare-fence", "```\nint main(){}\n```\n", "int main(){}\n", "", 1, 8 },
  { "closing-with-spaces", "```cpp\nint main(){}\n  ```  \nx\n", "int main(){}\n", "x\n", 1, 15 },
  { "not-a-closing-fence", "```cpp\nint a;\n```x\nint main(){}\n```\n",
    "int a;\n```x\nint main(){}\n", "", 1, 11 },
  { "indented-fence", "1. Code:\n   ```cpp\n   int main(){}\n   ```\n",
    "   int main(){}\n", "1. Code:\n", 1, 17 },
  { "inline-backticks-prose", "Use ```cpp fences and `x`.\n", "", "Use ```cpp fences and `x`.\n",
    0, 0 },
  { "two-backticks-line", "``\n```cpp\nint main(){}\n```\n", "int main(){}\n", "``\n", 1, 11 },
  { "backtick-info-with-backtick", "```a`b\nint main(){}\n", "int main(){}\n", "```a`b\n", 1, 0 },
  { "utf8", "Voil\xC3\xA0 \xE2\x80\x94 le code\xC2\xA0:\n```cpp\n// \xCF\x80\nint main(){}\n```\n",
    "// \xCF\x80\nint main(){}\n", "Voil\xC3\xA0 \xE2\x80\x94 le code\xC2\xA0:\n", 1, 11 },
  { "main-not-a-word", "```cpp\nint mainly(int);\n```\n```cpp\nx\n```\n",
    "int mainly(int);\n", "", 2, 22 },
  { "empty", "", "", "", 0, 0 },
  { "blank-only", "\n \n", "", "\n \n", 0, 0 },
};

/* Feeds @answer cut at @cuts (ascending offsets, @n_cuts of them), checks the invariants
 * after every feed, and finishes. */
static KilnCodeExtractor *
feed_cut (const char  *answer,
          const gsize *cuts,
          guint        n_cuts)
{
  KilnCodeExtractor *extractor = kiln_code_extractor_new ();
  gsize length = strlen (answer);
  g_autoptr(GString) shown = g_string_new (NULL);
  gsize start = 0;
  guint i;

  for (i = 0; i <= n_cuts; i++)
    {
      gsize end = i < n_cuts ? cuts[i] : length;
      gsize at = 12345;
      KilnCodeChange change;
      const char *code;
      gsize code_length;

      change = kiln_code_extractor_feed (extractor, answer + start, end - start, &at);
      code = kiln_code_extractor_get_code (extractor, &code_length);

      /* What a window applying the changes would show is the code */
      if (change == KILN_CODE_APPENDED)
        {
          g_assert_cmpuint (at, ==, shown->len);
          g_assert_cmpint (memcmp (code, shown->str, shown->len), ==, 0);
          g_string_append_len (shown, code + at, code_length - at);
        }
      else if (change == KILN_CODE_REPLACED)
        {
          g_assert_cmpuint (at, ==, 0);
          g_string_assign (shown, code);
        }
      else
        g_assert_cmpuint (at, ==, 0);
      g_assert_cmpstr (shown->str, ==, code);
      start = end;
    }

  kiln_code_extractor_finish (extractor, NULL);
  return extractor;
}

static void
check_case (const ExtractCase *c,
            KilnCodeExtractor *extractor,
            const char        *how)
{
  const char *code;
  const char *prose;
  gsize code_length;
  gsize prose_length;
  gsize total;
  guint i;

  code = kiln_code_extractor_get_code (extractor, &code_length);
  prose = kiln_code_extractor_get_prose (extractor, &prose_length);

  if (g_strcmp0 (code, c->code) != 0 || g_strcmp0 (prose, c->prose) != 0)
    g_test_message ("%s (%s): code «%s» prose «%s»", c->name, how, code, prose);
  g_assert_cmpstr (code, ==, c->code);
  g_assert_cmpuint (code_length, ==, strlen (c->code));
  g_assert_cmpstr (prose, ==, c->prose);
  g_assert_cmpuint (prose_length, ==, strlen (c->prose));
  g_assert_cmpuint (kiln_code_extractor_get_n_blocks (extractor), ==, c->n_blocks);
  g_assert_true (kiln_code_extractor_is_finished (extractor));

  /* Nothing lost: prose + blocks + code fence lines = the answer */
  total = prose_length + c->fence_bytes;
  for (i = 0; i < kiln_code_extractor_get_n_blocks (extractor); i++)
    {
      gsize block_length;

      kiln_code_extractor_get_block (extractor, i, &block_length);
      total += block_length;
    }
  if (total != strlen (c->answer))
    g_test_message ("%s (%s): fences %" G_GSIZE_FORMAT, c->name, how,
                    strlen (c->answer) - (total - c->fence_bytes));
  g_assert_cmpuint (total, ==, strlen (c->answer));
}

static void
test_extract_table (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (extract_cases); i++)
    {
      const ExtractCase *c = &extract_cases[i];
      gsize length = strlen (c->answer);
      g_autofree gsize *bytes = g_new (gsize, length + 1);
      gsize cut;

      /* Whole */
      {
        g_autoptr(KilnCodeExtractor) extractor = feed_cut (c->answer, NULL, 0);

        check_case (c, extractor, "whole");
      }

      /* One byte at a time */
      for (cut = 0; cut < length; cut++)
        bytes[cut] = cut + 1;
      {
        g_autoptr(KilnCodeExtractor) extractor = feed_cut (c->answer, bytes,
                                                           length > 0 ? length - 1 : 0);

        check_case (c, extractor, "bytes");
      }

      /* Two deltas, cut at every byte */
      for (cut = 0; cut <= length; cut++)
        {
          g_autoptr(KilnCodeExtractor) extractor = feed_cut (c->answer, &cut, 1);
          g_autofree char *how = g_strdup_printf ("cut at %" G_GSIZE_FORMAT, cut);

          check_case (c, extractor, how);
        }
    }
}

/* Every pair of cuts of a sample answer: every fence split every way into three */
static void
test_extract_every_split (void)
{
  const ExtractCase *c = &extract_cases[0];
  gsize length = strlen (c->answer);
  gsize cuts[2];

  for (cuts[0] = 0; cuts[0] <= length; cuts[0]++)
    for (cuts[1] = cuts[0]; cuts[1] <= length; cuts[1]++)
      {
        g_autoptr(KilnCodeExtractor) extractor = feed_cut (c->answer, cuts, 2);

        check_case (c, extractor, "three deltas");
      }
}

typedef struct
{
  const char     *delta;      /* NULL: finish */
  KilnCodeChange  change;
  gsize           at;
  const char     *code;
} Step;

static void
run_steps (const Step *steps,
           guint       n_steps)
{
  g_autoptr(KilnCodeExtractor) extractor = kiln_code_extractor_new ();
  guint i;

  for (i = 0; i < n_steps; i++)
    {
      gsize at = 99;
      KilnCodeChange change;

      if (steps[i].delta != NULL)
        change = kiln_code_extractor_feed (extractor, steps[i].delta, -1, &at);
      else
        change = kiln_code_extractor_finish (extractor, &at);

      if (change != steps[i].change || at != steps[i].at)
        g_test_message ("step %u: change %d at %" G_GSIZE_FORMAT, i, change, at);
      g_assert_cmpint (change, ==, steps[i].change);
      g_assert_cmpuint (at, ==, steps[i].at);
      g_assert_cmpstr (kiln_code_extractor_get_code (extractor, NULL), ==, steps[i].code);
    }
}

static void
test_extract_changes (void)
{
  static const Step streaming[] = {
    { "Sure", KILN_CODE_UNCHANGED, 0, "" },
    { ", here:\n``", KILN_CODE_UNCHANGED, 0, "" },
    { "`cpp\nint a;\n", KILN_CODE_APPENDED, 0, "int a;\n" },
    { "int b", KILN_CODE_APPENDED, 7, "int a;\nint b" },
    { ";\n", KILN_CODE_APPENDED, 12, "int a;\nint b;\n" },
    { "  ", KILN_CODE_UNCHANGED, 0, "int a;\nint b;\n" },       /* could be a fence */
    { "`", KILN_CODE_UNCHANGED, 0, "int a;\nint b;\n" },
    { "x\n", KILN_CODE_APPENDED, 14, "int a;\nint b;\n  `x\n" },
    { "``", KILN_CODE_UNCHANGED, 0, "int a;\nint b;\n  `x\n" },
    { "`\nThen:\n```cpp\nint main(", KILN_CODE_REPLACED, 0, "int main(" },
    { ") {}\n", KILN_CODE_APPENDED, 9, "int main() {}\n" },
    { "```\nDone.", KILN_CODE_UNCHANGED, 0, "int main() {}\n" },
    { NULL, KILN_CODE_UNCHANGED, 0, "int main() {}\n" },
    { "more", KILN_CODE_UNCHANGED, 0, "int main() {}\n" },    /* finished: ignored */
  };
  /* A snippet after the program does not take the editor over */
  static const Step snippet_after_main[] = {
    { "```cpp\nint main() {}\n```\n", KILN_CODE_APPENDED, 0, "int main() {}\n" },
    { "Or:\n```cpp\nputs(1);\n", KILN_CODE_UNCHANGED, 0, "int main() {}\n" },
    { "```\n", KILN_CODE_UNCHANGED, 0, "int main() {}\n" },
    /* …but a second whole program does, once its main shows */
    { "```cpp\nint f();\n", KILN_CODE_UNCHANGED, 0, "int main() {}\n" },
    { "int main () {}\n", KILN_CODE_REPLACED, 0, "int f();\nint main () {}\n" },
    { NULL, KILN_CODE_UNCHANGED, 0, "int f();\nint main () {}\n" },
  };
  /* Without main anywhere: the open block while it is written, the longest after */
  static const Step no_main[] = {
    { "```cpp\nint longer_block;\n```\n", KILN_CODE_APPENDED, 0, "int longer_block;\n" },
    { "```cpp\nint b;", KILN_CODE_REPLACED, 0, "int b;" },
    { "\n```\n", KILN_CODE_REPLACED, 0, "int longer_block;\n" },
    { NULL, KILN_CODE_UNCHANGED, 0, "int longer_block;\n" },
  };
  /* Undecided until the first line ends */
  static const Step unfenced[] = {
    { "#incl", KILN_CODE_UNCHANGED, 0, "" },
    { "ude <cstdio>", KILN_CODE_UNCHANGED, 0, "" },
    { "\nint", KILN_CODE_APPENDED, 0, "#include <cstdio>\nint" },
    { " main() {}", KILN_CODE_APPENDED, 21, "#include <cstdio>\nint main() {}" },
    { NULL, KILN_CODE_UNCHANGED, 0, "#include <cstdio>\nint main() {}" },
  };
  /* Code found only at finish */
  static const Step late[] = {
    { "Program:\nint main() {}\n", KILN_CODE_UNCHANGED, 0, "" },
    { NULL, KILN_CODE_APPENDED, 0, "int main() {}\n" },
  };

  run_steps (streaming, G_N_ELEMENTS (streaming));
  run_steps (snippet_after_main, G_N_ELEMENTS (snippet_after_main));
  run_steps (no_main, G_N_ELEMENTS (no_main));
  run_steps (unfenced, G_N_ELEMENTS (unfenced));
  run_steps (late, G_N_ELEMENTS (late));
}

static void
test_extract_prose_while_streaming (void)
{
  g_autoptr(KilnCodeExtractor) extractor = kiln_code_extractor_new ();

  kiln_code_extractor_feed (extractor, "Here", -1, NULL);
  g_assert_cmpstr (kiln_code_extractor_get_prose (extractor, NULL), ==, "");
  kiln_code_extractor_feed (extractor, " it is.\nIt is ", -1, NULL);
  g_assert_cmpstr (kiln_code_extractor_get_prose (extractor, NULL), ==, "Here it is.\nIt is ");
  kiln_code_extractor_feed (extractor, "fast.\n```cp", -1, NULL);
  g_assert_cmpstr (kiln_code_extractor_get_prose (extractor, NULL), ==,
                   "Here it is.\nIt is fast.\n");
  kiln_code_extractor_feed (extractor, "p\nint main() {}\n```\nBye", -1, NULL);
  g_assert_cmpstr (kiln_code_extractor_get_prose (extractor, NULL), ==,
                   "Here it is.\nIt is fast.\nBye");

  /* Reset: a new answer */
  kiln_code_extractor_reset (extractor);
  g_assert_cmpstr (kiln_code_extractor_get_code (extractor, NULL), ==, "");
  g_assert_cmpstr (kiln_code_extractor_get_prose (extractor, NULL), ==, "");
  g_assert_false (kiln_code_extractor_is_finished (extractor));
  g_assert_cmpint (kiln_code_extractor_feed (extractor, "```\nint x;", -1, NULL), ==,
                   KILN_CODE_APPENDED);
  g_assert_cmpstr (kiln_code_extractor_get_code (extractor, NULL), ==, "int x;");
}

static double
time_feeds (const char *answer,
            gsize       length,
            gsize       n_deltas,
            KilnCodeExtractor *extractor)
{
  gint64 start = g_get_monotonic_time ();
  gsize step = length / n_deltas;
  gsize offset;

  for (offset = 0; offset < length; offset += step)
    kiln_code_extractor_feed (extractor, answer + offset, MIN (step, length - offset), NULL);
  kiln_code_extractor_finish (extractor, NULL);

  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
test_extract_performance (void)
{
  g_autoptr(GString) answer = g_string_new ("Here is the program:\n\n```cpp\n");
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(KilnCodeExtractor) extractor = kiln_code_extractor_new ();
  g_autoptr(KilnCodeExtractor) long_line = kiln_code_extractor_new ();
  g_autoptr(KilnCodeExtractor) long_info = kiln_code_extractor_new ();
  g_autoptr(GString) line = g_string_new ("```cpp\n");
  g_autoptr(GString) info = g_string_new ("```");
  double ms;
  guint i;

  for (i = 0; expected->len < 200 * 1000; i++)
    g_string_append_printf (expected, "    static long long value_%u = %u * 7919LL;\n", i, i);
  g_string_append (expected, "int main() { return 0; }\n");
  g_string_append (answer, expected->str);
  g_string_append (answer, "```\n\nIt is fast.\n");

  ms = time_feeds (answer->str, answer->len, 50000, extractor);
  g_test_message ("%" G_GSIZE_FORMAT " bytes in 50000 deltas: %.1f ms", answer->len, ms);
  g_assert_cmpstr (kiln_code_extractor_get_code (extractor, NULL), ==, expected->str);
  g_assert_cmpstr (kiln_code_extractor_get_prose (extractor, NULL), ==,
                   "Here is the program:\n\n\nIt is fast.\n");
  g_assert_cmpfloat (ms, <, 2000);

  /* One 200 KB line in a block, then one held as a possible fence: still linear */
  for (i = 0; i < 200 * 1000; i++)
    {
      g_string_append_c (line, 'x');
      g_string_append_c (info, 'x');
    }
  ms = time_feeds (line->str, line->len, 50000, long_line);
  g_test_message ("one 200 KB code line in 50000 deltas: %.1f ms", ms);
  g_assert_cmpuint (strlen (kiln_code_extractor_get_code (long_line, NULL)), ==, line->len - 7);
  g_assert_cmpfloat (ms, <, 2000);

  ms = time_feeds (info->str, info->len, 50000, long_info);
  g_test_message ("one 200 KB fence line in 50000 deltas: %.1f ms", ms);
  g_assert_cmpstr (kiln_code_extractor_get_prose (long_info, NULL), ==, info->str);
  g_assert_cmpfloat (ms, <, 2000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/code-extractor/table", test_extract_table);
  g_test_add_func ("/code-extractor/every-split", test_extract_every_split);
  g_test_add_func ("/code-extractor/changes", test_extract_changes);
  g_test_add_func ("/code-extractor/prose-while-streaming", test_extract_prose_while_streaming);
  g_test_add_func ("/code-extractor/performance", test_extract_performance);

  return g_test_run ();
}

/* test-think-filter.c: keeping <think>…</think> reasoning apart from the answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-think-filter.h"

typedef struct
{
  const char *name;
  const char *input;
  const char *answer;
  const char *reasoning;
} ThinkCase;

static const ThinkCase think_cases[] = {
  { "think-then-answer", "<think>ab</think>\n\nanswer", "answer", "ab" },
  { "qwen3", "<think>\nLet me see: 2 + 2.\n</think>\n\nThe answer is 4.",
    "The answer is 4.", "Let me see: 2 + 2.\n" },
  { "plain", "Hello world", "Hello world", "" },
  { "empty", "", "", "" },
  { "lt", "a<b", "a<b", "" },
  { "lone-lt", "<", "<", "" },
  { "lt-t", "<t", "<t", "" },
  { "trailing-lt", "x <", "x <", "" },
  { "thin", "<thin", "<thin", "" },
  { "think-without-gt", "<think", "<think", "" },
  { "thinker", "</thinker>", "</thinker>", "" },
  { "html", "Use <b>bold</b> and <thead>", "Use <b>bold</b> and <thead>", "" },
  { "uppercase", "<THINK>x</THINK>", "<THINK>x</THINK>", "" },
  { "close-outside", "</think>answer", "</think>answer", "" },
  { "unclosed", "<think>still thinking", "", "still thinking" },
  { "unclosed-partial-close", "<think>abc</thi", "", "abc</thi" },
  { "thinker-inside", "<think>x</thinker>y</think>z", "z", "x</thinker>y" },
  { "double-lt", "<<think>a</think>b", "<b", "a" },
  { "lt-before-close", "<think>a<</think>b", "b", "a<" },
  { "tag-like-in-reasoning", "<think>if a<b then</think>ok", "ok", "if a<b then" },
  { "mid-answer", "Hi <think>r</think> there", "Hi there", "r" },
  { "empty-block", "<think></think>\n\nanswer", "answer", "" },
  { "nested-open", "<think>a<think>b</think>c", "c", "a<think>b" },
  { "two-blocks", "<think>a</think>b<think>c</think>d", "bd", "ac" },
  { "utf8", "<think>\xC3\xA9\xE2\x82\xAC</think>\n\xE2\x9C\x93 done",
    "\xE2\x9C\x93 done", "\xC3\xA9\xE2\x82\xAC" },
  { "nothing-after", "<think>a</think>\n\n", "", "a" },
  { "space-before-think", "\n<think>a</think>b", "\nb", "a" },
  { "inner-space-kept", "<think>a  b\n\nc</think>d  e", "d  e", "a  b\n\nc" },
};

typedef struct
{
  GString *answer;
  GString *reasoning;
} Output;

/* Feeds @input cut at the @n_cuts offsets of @cuts (ascending), or one byte at a time
 * when @cuts is NULL. */
static void
run_cut (const char  *input,
         const gsize *cuts,
         guint        n_cuts,
         Output      *out)
{
  g_autoptr(KilnThinkFilter) filter = kiln_think_filter_new ();
  gsize length = strlen (input);
  gsize start = 0;
  guint i;

  out->answer = g_string_new (NULL);
  out->reasoning = g_string_new (NULL);

  for (i = 0; i <= (cuts != NULL ? n_cuts : length); i++)
    {
      g_autofree char *piece = NULL;
      gsize end;

      if (cuts == NULL)
        end = MIN (i + 1, length);
      else
        end = i < n_cuts ? cuts[i] : length;

      piece = g_strndup (input + start, end - start);
      kiln_think_filter_feed (filter, piece, out->answer, out->reasoning);
      start = end;
    }

  kiln_think_filter_finish (filter, out->answer, out->reasoning);
}

static void
assert_output (const ThinkCase *think_case,
               const gsize     *cuts,
               guint            n_cuts)
{
  Output out;
  guint i;

  run_cut (think_case->input, cuts, n_cuts, &out);

  if (strcmp (out.answer->str, think_case->answer) != 0
      || strcmp (out.reasoning->str, think_case->reasoning) != 0)
    {
      g_autoptr(GString) how = g_string_new (cuts == NULL ? "one byte at a time" : "cut at");

      for (i = 0; cuts != NULL && i < n_cuts; i++)
        g_string_append_printf (how, " %" G_GSIZE_FORMAT, cuts[i]);
      g_test_message ("Fed %s", how->str);
    }

  g_assert_cmpstr (out.answer->str, ==, think_case->answer);
  g_assert_cmpstr (out.reasoning->str, ==, think_case->reasoning);

  g_string_free (out.answer, TRUE);
  g_string_free (out.reasoning, TRUE);
}

/* Whole, one byte at a time, cut once anywhere and cut twice anywhere: always the same. */
static void
test_think_case (gconstpointer user_data)
{
  const ThinkCase *think_case = user_data;
  gsize length = strlen (think_case->input);
  const gsize no_cuts[1] = { 0 };
  gsize i, j;

  assert_output (think_case, no_cuts, 0);
  assert_output (think_case, NULL, 0);

  for (i = 0; i <= length; i++)
    for (j = i; j <= length; j++)
      {
        gsize cuts[] = { i, j };

        assert_output (think_case, cuts, 2);
      }
}

/* Empty and NULL deltas change nothing, even while a tag is held back; the outputs are
 * appended to, never replaced. */
static void
test_think_empty_deltas (void)
{
  g_autoptr(KilnThinkFilter) filter = kiln_think_filter_new ();
  g_autoptr(GString) answer = g_string_new ("before ");
  g_autoptr(GString) reasoning = g_string_new ("earlier ");

  kiln_think_filter_feed (filter, "<thi", answer, reasoning);
  kiln_think_filter_feed (filter, "", answer, reasoning);
  kiln_think_filter_feed (filter, NULL, answer, reasoning);
  g_assert_cmpstr (answer->str, ==, "before ");
  kiln_think_filter_feed (filter, "nk>r</think>", answer, reasoning);
  kiln_think_filter_feed (filter, "\n\n", answer, reasoning);
  kiln_think_filter_feed (filter, "ans", answer, reasoning);
  kiln_think_filter_finish (filter, answer, reasoning);

  g_assert_cmpstr (answer->str, ==, "before ans");
  g_assert_cmpstr (reasoning->str, ==, "earlier r");
}

/* What is held back is released as soon as the next delta shows it is not a tag. */
static void
test_think_release (void)
{
  g_autoptr(KilnThinkFilter) filter = kiln_think_filter_new ();
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(GString) reasoning = g_string_new (NULL);

  kiln_think_filter_feed (filter, "a <th", answer, reasoning);
  g_assert_cmpstr (answer->str, ==, "a ");
  kiln_think_filter_feed (filter, "e end", answer, reasoning);
  g_assert_cmpstr (answer->str, ==, "a <the end");
  g_assert_cmpstr (reasoning->str, ==, "");
}

/* After finish() the filter starts a new stream outside any block. */
static void
test_think_reuse (void)
{
  g_autoptr(KilnThinkFilter) filter = kiln_think_filter_new ();
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(GString) reasoning = g_string_new (NULL);

  kiln_think_filter_feed (filter, "<think>unclosed</th", answer, reasoning);
  kiln_think_filter_finish (filter, answer, reasoning);
  g_assert_cmpstr (reasoning->str, ==, "unclosed</th");

  kiln_think_filter_feed (filter, "next", answer, reasoning);
  kiln_think_filter_finish (filter, answer, reasoning);
  g_assert_cmpstr (answer->str, ==, "next");
  g_assert_cmpstr (reasoning->str, ==, "unclosed</th");
}

int
main (int   argc,
      char *argv[])
{
  guint i;

  g_test_init (&argc, &argv, NULL);

  for (i = 0; i < G_N_ELEMENTS (think_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/think-filter/case/", think_cases[i].name, NULL);

      g_test_add_data_func (path, &think_cases[i], test_think_case);
    }

  g_test_add_func ("/think-filter/empty-deltas", test_think_empty_deltas);
  g_test_add_func ("/think-filter/release", test_think_release);
  g_test_add_func ("/think-filter/reuse", test_think_reuse);

  return g_test_run ();
}

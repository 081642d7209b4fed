/* test-input-cases.c: hidden input cases derived from the shown one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "kiln-input-cases.h"
#include "kiln-output-compare.h"

static const char * const kinds[] = {
  "lines shuffled", "one line dropped", "one line repeated", "numbers changed", NULL
};

static int
compare_lines (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static gboolean
same_lines (const char *a,
            const char *b)
{
  g_auto(GStrv) la = g_strsplit (a, "\n", -1);
  g_auto(GStrv) lb = g_strsplit (b, "\n", -1);
  guint n = g_strv_length (la);

  if (n != g_strv_length (lb))
    return FALSE;

  qsort (la, n, sizeof (char *), compare_lines);
  qsort (lb, n, sizeof (char *), compare_lines);
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (la[i], lb[i]) != 0)
      return FALSE;

  return TRUE;
}

/* Every result: not the shown input, not another result, a known kind */
static void
assert_valid (GPtrArray  *cases,
              const char *shown,
              guint       max)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (cases->len, <=, max);
  for (guint i = 0; i < cases->len; i++)
    {
      KilnDerivedCase *c = g_ptr_array_index (cases, i);

      g_assert_cmpstr (c->text, !=, shown);
      g_assert_false (g_hash_table_contains (seen, c->text));
      g_hash_table_add (seen, c->text);
      g_assert_true (g_strv_contains (kinds, c->description));
      g_assert_cmpint (g_str_has_suffix (c->text, "\n"), ==, g_str_has_suffix (shown, "\n"));
    }
}

static const KilnDerivedCase *
find_kind (GPtrArray  *cases,
           const char *kind)
{
  for (guint i = 0; i < cases->len; i++)
    {
      KilnDerivedCase *c = g_ptr_array_index (cases, i);

      if (g_str_equal (c->description, kind))
        return c;
    }

  return NULL;
}

static void
test_each_kind (void)
{
  const char *shown = "4\n3 1\n-7 2\n5 0\n12 8\n";
  g_autoptr(GPtrArray) cases = kiln_input_cases_derive (shown, 1, 4);
  const KilnDerivedCase *c;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) original = g_strsplit (shown, "\n", -1);

  assert_valid (cases, shown, 4);
  g_assert_cmpuint (cases->len, ==, 4);

  /* The count stays first and still counts */
  c = find_kind (cases, "lines shuffled");
  g_assert_nonnull (c);
  g_assert_true (g_str_has_prefix (c->text, "4\n"));
  g_assert_true (same_lines (c->text, shown));

  c = find_kind (cases, "one line dropped");
  g_assert_nonnull (c);
  lines = g_strsplit (c->text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "3");
  g_assert_cmpuint (g_strv_length (lines), ==, 5);   /* 3 + count + "" after the last \n */
  g_clear_pointer (&lines, g_strfreev);

  c = find_kind (cases, "one line repeated");
  g_assert_nonnull (c);
  lines = g_strsplit (c->text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "5");
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  g_clear_pointer (&lines, g_strfreev);

  /* Same lines, same shape: integers moved, signs kept, zero kept, the count untouched */
  c = find_kind (cases, "numbers changed");
  g_assert_nonnull (c);
  lines = g_strsplit (c->text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, g_strv_length (original));
  g_assert_cmpstr (lines[0], ==, "4");
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) was = g_strsplit (original[i], " ", -1);
      g_auto(GStrv) now = g_strsplit (lines[i], " ", -1);

      g_assert_cmpuint (g_strv_length (was), ==, g_strv_length (now));
      for (guint k = 0; was[k] != NULL; k++)
        {
          gint64 a = g_ascii_strtoll (was[k], NULL, 10);
          gint64 b = g_ascii_strtoll (now[k], NULL, 10);

          g_assert_cmpint (a < 0, ==, b < 0);
          g_assert_cmpint (a == 0, ==, b == 0);
          g_assert_cmpint (ABS (a - b), <=, 3);
        }
    }
}

static void
test_deterministic (void)
{
  const char *shown = "alpha 10\nbeta 20\ngamma 30\ndelta 40\nepsilon 50\n";
  g_autoptr(GPtrArray) a = kiln_input_cases_derive (shown, 7, 8);
  g_autoptr(GPtrArray) b = kiln_input_cases_derive (shown, 7, 8);
  g_autoptr(GPtrArray) other = kiln_input_cases_derive (shown, 8, 8);
  gboolean differs = FALSE;

  assert_valid (a, shown, 8);
  assert_valid (other, shown, 8);
  g_assert_cmpuint (a->len, ==, 8);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      KilnDerivedCase *x = g_ptr_array_index (a, i);
      KilnDerivedCase *y = g_ptr_array_index (b, i);

      g_assert_cmpstr (x->text, ==, y->text);
      g_assert_cmpstr (x->description, ==, y->description);
    }

  for (guint i = 0; i < MIN (a->len, other->len); i++)
    {
      KilnDerivedCase *x = g_ptr_array_index (a, i);
      KilnDerivedCase *y = g_ptr_array_index (other, i);

      if (!g_str_equal (x->text, y->text))
        differs = TRUE;
    }
  g_assert_true (differs);
}

/* One line without numbers: only repeating it is possible */
static void
test_one_line (void)
{
  g_autoptr(GPtrArray) cases = kiln_input_cases_derive ("hello\n", 3, 5);
  KilnDerivedCase *c;

  g_assert_cmpuint (cases->len, ==, 1);
  c = g_ptr_array_index (cases, 0);
  g_assert_cmpstr (c->text, ==, "hello\nhello\n");
  g_assert_cmpstr (c->description, ==, "one line repeated");
}

/* Two lines: every distinct edit, then no more */
static void
test_exhausted (void)
{
  const char *shown = "a\nb";
  g_autoptr(GPtrArray) cases = kiln_input_cases_derive (shown, 11, 50);
  const char * const possible[] = { "b\na", "a", "b", "a\na\nb", "a\nb\nb", NULL };

  assert_valid (cases, shown, 50);
  g_assert_cmpuint (cases->len, ==, g_strv_length ((char **) possible));
  for (guint i = 0; i < cases->len; i++)
    {
      KilnDerivedCase *c = g_ptr_array_index (cases, i);

      g_assert_true (g_strv_contains (possible, c->text));
    }
}

static void
test_limits (void)
{
  g_autoptr(GPtrArray) none = kiln_input_cases_derive ("1\n2\n3\n", 1, 0);
  g_autoptr(GPtrArray) empty = kiln_input_cases_derive ("", 1, 4);
  g_autoptr(GPtrArray) two = kiln_input_cases_derive ("1 2 3\n4 5 6\n7 8 9\n", 1, 2);

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (empty->len, ==, 0);
  g_assert_cmpuint (two->len, ==, 2);
}

/* Words, decimals, leading zeros and numbers inside names stay as they are */
static void
test_numbers_left_alone (void)
{
  const char *shown = "x2 1.5 007 abc 2.25e3 id_9\n";
  g_autoptr(GPtrArray) cases = kiln_input_cases_derive (shown, 5, 10);

  g_assert_null (find_kind (cases, "numbers changed"));
  g_assert_nonnull (find_kind (cases, "one line repeated"));
}

/* A first line that is a lone integer but not the count of lines (here: of numbers) stays
 * first and unchanged */
static void
test_header_not_a_count (void)
{
  const char *shown = "3\n10 20 30\n";
  g_autoptr(GPtrArray) cases = kiln_input_cases_derive (shown, 2, 10);

  assert_valid (cases, shown, 10);
  g_assert_nonnull (find_kind (cases, "numbers changed"));
  for (guint i = 0; i < cases->len; i++)
    {
      KilnDerivedCase *c = g_ptr_array_index (cases, i);

      g_assert_true (g_str_has_prefix (c->text, "3\n"));
    }
}

static void
test_crlf (void)
{
  const char *shown = "2\r\n5 6\r\n7 8\r\n";
  g_autoptr(GPtrArray) cases = kiln_input_cases_derive (shown, 4, 10);
  const KilnDerivedCase *dropped;

  assert_valid (cases, shown, 10);
  for (guint i = 0; i < cases->len; i++)
    {
      KilnDerivedCase *c = g_ptr_array_index (cases, i);
      g_auto(GStrv) lines = g_strsplit (c->text, "\n", -1);

      for (guint k = 0; lines[k + 1] != NULL; k++)
        g_assert_true (g_str_has_suffix (lines[k], "\r"));
    }

  dropped = find_kind (cases, "one line dropped");
  g_assert_nonnull (dropped);
  g_assert_true (g_str_has_prefix (dropped->text, "1\r\n"));
}

/* A blank line at the end repeated (or trailing spaces) is the same input again: not a case. */
static void
test_trailing_blank (void)
{
  const char *shown = "1 2 3\n4 5\n6\n\n";
  g_autoptr(GPtrArray) cases = kiln_input_cases_derive (shown, 7, 20);

  g_assert_cmpuint (cases->len, >, 0);
  for (guint i = 0; i < cases->len; i++)
    {
      KilnDerivedCase *one = g_ptr_array_index (cases, i);
      g_auto(GStrv) a = kiln_output_split_lines (one->text, strlen (one->text));
      g_auto(GStrv) b = kiln_output_split_lines (shown, strlen (shown));

      g_assert_false (g_strv_equal ((const char * const *) a, (const char * const *) b));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/input-cases/each-kind", test_each_kind);
  g_test_add_func ("/input-cases/trailing-blank", test_trailing_blank);
  g_test_add_func ("/input-cases/deterministic", test_deterministic);
  g_test_add_func ("/input-cases/one-line", test_one_line);
  g_test_add_func ("/input-cases/exhausted", test_exhausted);
  g_test_add_func ("/input-cases/limits", test_limits);
  g_test_add_func ("/input-cases/numbers-left-alone", test_numbers_left_alone);
  g_test_add_func ("/input-cases/header-not-a-count", test_header_not_a_count);
  g_test_add_func ("/input-cases/crlf", test_crlf);

  return g_test_run ();
}

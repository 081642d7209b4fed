/* kiln-input-cases.c: hidden input cases derived from the one shown to the model
 *
 * A translation that only works on the input it was shown (it prints the answer for that
 * input, or it mishandles a case the shown input does not reach) differs on inputs like it.
 * These are small edits of the shown input that keep its format, so the original program
 * most likely still reads them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-input-cases.h"
#include "kiln-output-compare.h"

typedef enum
{
  EDIT_SHUFFLE,
  EDIT_DROP,
  EDIT_REPEAT,
  EDIT_NUMBERS,
  N_EDITS
} Edit;

static const char * const descriptions[N_EDITS] = {
  N_("lines shuffled"),
  N_("one line dropped"),
  N_("one line repeated"),
  N_("numbers changed"),
};

/* How many tries each result may take before giving up (an input with two equal lines
 * shuffles into itself often) */
#define TRIES_PER_CASE 8

typedef struct
{
  GPtrArray *body;          /* char *: the lines after the header, without their '\n' */
  char      *header;        /* a first line that is a lone integer, or NULL */
  gboolean   header_counts; /* ...equal to the number of body lines */
  gboolean   final_newline;
  gboolean   crlf;          /* header and body lines end in '\r' (kept inside the lines) */
} Input;

void
kiln_derived_case_free (KilnDerivedCase *self)
{
  if (self == NULL)
    return;

  g_free (self->text);
  g_free (self->description);
  g_free (self);
}

/* A lone integer, perhaps with blanks around it; returns its value in @value. */
static gboolean
is_lone_integer (const char *line,
                 guint64    *value)
{
  g_autofree char *stripped = g_strstrip (g_strdup (line));

  if (*stripped == '\0' || strspn (stripped, "0123456789") != strlen (stripped))
    return FALSE;

  return g_ascii_string_to_unsigned (stripped, 10, 0, G_MAXUINT64, value, NULL);
}

static void
input_clear (Input *input)
{
  g_clear_pointer (&input->body, g_ptr_array_unref);
  g_clear_pointer (&input->header, g_free);
}

static void
input_parse (Input      *input,
             const char *shown)
{
  g_auto(GStrv) lines = g_strsplit (shown, "\n", -1);
  guint n = g_strv_length (lines);
  guint first = 0;
  guint64 count;

  memset (input, 0, sizeof *input);
  input->body = g_ptr_array_new_with_free_func (g_free);
  input->final_newline = g_str_has_suffix (shown, "\n");
  input->crlf = g_str_has_suffix (shown, "\r\n");

  /* "a\n" splits into "a" and "" */
  if (input->final_newline && n > 0)
    n--;

  if (n > 0 && is_lone_integer (lines[0], &count))
    {
      input->header = g_strdup (lines[0]);
      input->header_counts = count == n - 1;
      first = 1;
    }

  for (guint i = first; i < n; i++)
    g_ptr_array_add (input->body, g_strdup (lines[i]));
}

static char *
input_to_text (const Input *input,
               GPtrArray   *body)
{
  GString *text = g_string_new (NULL);
  const char *eol = input->crlf ? "\r" : "";

  if (input->header != NULL)
    {
      if (input->header_counts)
        {
          /* Keep the header's own spacing around the new count */
          const char *digits = input->header + strspn (input->header, " \t");
          gsize digits_len = strspn (digits, "0123456789");

          g_string_append_len (text, input->header, digits - input->header);
          g_string_append_printf (text, "%u", body->len);
          g_string_append (text, digits + digits_len);
        }
      else
        {
          g_string_append (text, input->header);
        }

      if (body->len > 0 || input->final_newline)
        g_string_append_c (text, '\n');
    }

  for (guint i = 0; i < body->len; i++)
    {
      const char *line = g_ptr_array_index (body, i);

      g_string_append (text, line);
      /* A line moved to the end from inside keeps a '\r' the last line may lack, and the
       * other way round: give every line the same end */
      if (input->crlf && !g_str_has_suffix (line, "\r"))
        g_string_append (text, eol);
      if (i + 1 < body->len || input->final_newline)
        g_string_append_c (text, '\n');
    }

  return g_string_free (text, FALSE);
}

static gpointer
copy_line (gconstpointer line,
           gpointer      user_data)
{
  return g_strdup (line);
}

static GPtrArray *
copy_body (GPtrArray *body)
{
  return g_ptr_array_copy (body, copy_line, NULL);
}

/* Moves each integer (not part of a word or of a decimal number, no leading zero) by 1 to 3,
 * away from or towards zero but never across it; about half of them, at least one when
 * @force. Returns NULL when nothing changed. With @rand NULL, only says whether the line
 * holds such an integer (non-NULL when it does). */
static char *
change_numbers (const char *line,
                GRand      *rand,
                gboolean    force)
{
  GString *out = g_string_new (NULL);
  gboolean changed = FALSE;
  const char *p = line;

  while (*p != '\0')
    {
      gboolean before_ok = p == line || !(g_ascii_isalnum (p[-1]) || p[-1] == '_' ||
                                          p[-1] == '.');
      gboolean negative = *p == '-' && g_ascii_isdigit (p[1]);
      const char *digits = negative ? p + 1 : p;
      gsize len;
      guint64 value = 0;

      if (!before_ok || !g_ascii_isdigit (*digits))
        {
          g_string_append_c (out, *p++);
          continue;
        }

      len = strspn (digits, "0123456789");
      if (len <= 18)
        {
          char buffer[20];

          memcpy (buffer, digits, len);
          buffer[len] = '\0';
          value = g_ascii_strtoull (buffer, NULL, 10);
        }
      if (g_ascii_isalpha (digits[len]) || digits[len] == '_' ||
          (digits[len] == '.' && g_ascii_isdigit (digits[len + 1])) ||
          (digits[0] == '0' && len > 1) || len > 18 || value == 0)
        {
          g_string_append_len (out, p, digits + len - p);
          p = digits + len;
          continue;
        }

      if (rand == NULL)
        {
          /* Only asked whether there is an integer */
          g_string_free (out, TRUE);
          return g_strdup (line);
        }

      if (force || g_rand_boolean (rand))
        {
          gint64 delta = g_rand_int_range (rand, 1, 4);

          /* Never across zero, so a count stays positive and a sign stays */
          if (g_rand_boolean (rand) && (guint64) delta < value)
            delta = -delta;
          value += delta;
          changed = TRUE;
          force = FALSE;
        }

      g_string_append_printf (out, "%s%" G_GUINT64_FORMAT, negative ? "-" : "", value);
      p = digits + len;
    }

  if (!changed)
    {
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}

static gboolean
has_integer (const char *line)
{
  g_autofree char *changed = change_numbers (line, NULL, TRUE);

  return changed != NULL;
}

static GPtrArray *
apply_edit (const Input *input,
            Edit         edit,
            GRand       *rand)
{
  GPtrArray *body = copy_body (input->body);
  guint n = body->len;

  switch (edit)
    {
    case EDIT_SHUFFLE:
      if (n < 2)
        break;
      for (guint i = n - 1; i > 0; i--)
        {
          guint j = g_rand_int_range (rand, 0, i + 1);
          gpointer tmp = body->pdata[i];

          body->pdata[i] = body->pdata[j];
          body->pdata[j] = tmp;
        }
      return body;

    case EDIT_DROP:
      if (n < 2)
        break;
      g_ptr_array_remove_index (body, g_rand_int_range (rand, 0, n));
      return body;

    case EDIT_REPEAT:
      if (n < 1)
        break;
      {
        guint i = g_rand_int_range (rand, 0, n);

        g_ptr_array_insert (body, i + 1, g_strdup (g_ptr_array_index (body, i)));
      }
      return body;

    case EDIT_NUMBERS:
      {
        g_autoptr(GArray) with_numbers = g_array_new (FALSE, FALSE, sizeof (guint));
        guint forced;

        for (guint i = 0; i < n; i++)
          if (has_integer (g_ptr_array_index (body, i)))
            g_array_append_val (with_numbers, i);
        if (with_numbers->len == 0)
          break;

        /* At least one line changes */
        forced = g_array_index (with_numbers, guint,
                                g_rand_int_range (rand, 0, with_numbers->len));
        for (guint k = 0; k < with_numbers->len; k++)
          {
            guint i = g_array_index (with_numbers, guint, k);
            char *changed = change_numbers (g_ptr_array_index (body, i), rand, i == forced);

            if (changed != NULL)
              {
                g_free (body->pdata[i]);
                body->pdata[i] = changed;
              }
          }
      }
      return body;

    case N_EDITS:
    default:
      g_assert_not_reached ();
    }

  g_ptr_array_unref (body);
  return NULL;
}

/* Inputs that differ only in trailing spaces or blank lines at the end are the same input to
 * nearly every program: one of them is enough. */
static char *
normalized (const char *text)
{
  g_auto(GStrv) lines = kiln_output_split_lines (text, strlen (text));

  return g_strjoinv ("\n", lines);
}

GPtrArray *
kiln_input_cases_derive (const char *shown,
                         guint32     seed,
                         guint       max)
{
  GPtrArray *cases = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_derived_case_free);
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GRand) rand = NULL;
  Input input;
  guint64 tries;

  g_return_val_if_fail (shown != NULL, cases);

  if (max == 0 || *shown == '\0')
    return cases;

  input_parse (&input, shown);
  rand = g_rand_new_with_seed (seed);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (seen, normalized (shown));

  tries = (guint64) max * TRIES_PER_CASE * N_EDITS;
  for (guint64 t = 0; t < tries && cases->len < max; t++)
    {
      Edit edit = (Edit) (t % N_EDITS);
      g_autoptr(GPtrArray) body = apply_edit (&input, edit, rand);
      KilnDerivedCase *derived;
      char *text, *key;

      if (body == NULL)
        continue;

      text = input_to_text (&input, body);
      key = normalized (text);
      if (g_hash_table_contains (seen, key))
        {
          g_free (key);
          g_free (text);
          continue;
        }

      g_hash_table_add (seen, key);
      derived = g_new0 (KilnDerivedCase, 1);
      derived->text = text;
      derived->description = g_strdup (_(descriptions[edit]));
      g_ptr_array_add (cases, derived);
    }

  input_clear (&input);

  return cases;
}

/* kiln-prompt.c: prompt templates: loading, rendering, trimming diagnostics for repairs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "kiln-core-resources.h"
#include "kiln-error.h"
#include "kiln-prompt.h"

#define PROMPT_RESOURCE_DIR "/io/github/kilnapp/Kiln/core/prompts/"

/* Rendering */

/* If @p starts a well-formed "{{ name }}", returns the name's bounds and the end of the
 * placeholder. */
static gboolean
parse_placeholder (const char  *p,
                   const char **name,
                   gsize       *name_length,
                   const char **end)
{
  const char *q;

  g_assert (p[0] == '{' && p[1] == '{');

  q = p + 2;
  while (*q == ' ' || *q == '\t')
    q++;

  if (!g_ascii_isalpha (*q) && *q != '_')
    return FALSE;

  *name = q;
  while (g_ascii_isalnum (*q) || *q == '_')
    q++;
  *name_length = q - *name;

  while (*q == ' ' || *q == '\t')
    q++;

  if (q[0] != '}' || q[1] != '}')
    return FALSE;

  *end = q + 2;
  return TRUE;
}

char *
kiln_prompt_render (const char  *template_text,
                    GHashTable  *values,
                    GError     **error)
{
  g_autoptr(GString) out = NULL;
  const char *p;

  g_return_val_if_fail (template_text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_sized_new (strlen (template_text) + 256);
  p = template_text;

  for (;;)
    {
      const char *open = strstr (p, "{{");
      const char *name;
      const char *end;
      gsize name_length;
      g_autofree char *key = NULL;
      const char *value;

      if (open == NULL)
        {
          g_string_append (out, p);
          break;
        }

      g_string_append_len (out, p, open - p);

      if (!parse_placeholder (open, &name, &name_length, &end))
        {
          /* Only one brace is consumed, so "{{{x}}" still finds "{{x}}" */
          g_string_append_c (out, '{');
          p = open + 1;
          continue;
        }

      key = g_strndup (name, name_length);
      if (values == NULL || !g_hash_table_lookup_extended (values, key, NULL,
                                                           (gpointer *) &value))
        {
          g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                       _("The prompt template uses an unknown placeholder “{{%s}}”"), key);
          return NULL;
        }

      if (value != NULL)
        g_string_append (out, value);
      p = end;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Loading */

static gboolean
is_valid_name (const char *name)
{
  return name[0] != '\0' && name[0] != '.' && strchr (name, '/') == NULL &&
         strchr (name, '\\') == NULL;
}

GBytes *
kiln_prompt_load_from (const char  *config_dir,
                       const char  *name,
                       GError     **error)
{
  g_autofree char *resource_path = NULL;
  g_autoptr(GError) local_error = NULL;
  GBytes *bytes;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!is_valid_name (name))
    {
      g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid prompt name"), name);
      return NULL;
    }

  if (config_dir != NULL)
    {
      g_autofree char *path = g_build_filename (config_dir, "kiln", "prompts", name, NULL);
      char *contents = NULL;
      gsize length = 0;

      if (g_file_get_contents (path, &contents, &length, &local_error))
        {
          if (!g_utf8_validate_len (contents, length, NULL))
            {
              g_free (contents);
              g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                           _("The prompt file “%s” is not UTF-8 text"), path);
              return NULL;
            }
          /* g_file_get_contents() adds a NUL after the data */
          return g_bytes_new_take (contents, length);
        }

      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                       _("Could not read the prompt file “%s”: %s"), path,
                       local_error->message);
          return NULL;
        }
      g_clear_error (&local_error);
    }

  /* Resource data is always followed by a NUL */
  resource_path = g_strconcat (PROMPT_RESOURCE_DIR, name, NULL);
  bytes = g_resource_lookup_data (kiln_core_get_resource (), resource_path,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT,
                   _("There is no prompt named “%s”"), name);
      return NULL;
    }

  return bytes;
}

GBytes *
kiln_prompt_load (const char  *name,
                  GError     **error)
{
  return kiln_prompt_load_from (g_get_user_config_dir (), name, error);
}

/* Trimming diagnostics */

typedef enum
{
  LINE_ERROR,      /* "file:1:2: error: …", a linker error, a driver error */
  LINE_WARNING,
  LINE_NOTE,
  LINE_CONTEXT,    /* belongs to the diagnostic after it */
  LINE_INCLUDED,   /* "In file included from …" and its "                 from …" lines */
  LINE_SUMMARY,    /* "2 errors generated." */
  LINE_OTHER,      /* source, caret and fix-it lines: belong to the diagnostic before */
} LineKind;

/* The earliest of ": error: ", ": warning: "… in the line, or a line that starts with
 * "error: "… (some drivers print no program name). */
static LineKind
severity_of (const char *line)
{
  static const struct { const char *tag; LineKind kind; } tags[] = {
    { "fatal error: ", LINE_ERROR },
    { "error: ", LINE_ERROR },
    { "warning: ", LINE_WARNING },
    { "note: ", LINE_NOTE },
  };
  const char *best = NULL;
  LineKind kind = LINE_OTHER;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (tags); i++)
    {
      gsize tag_length = strlen (tags[i].tag);
      const char *at;

      if (strncmp (line, tags[i].tag, tag_length) == 0)
        return tags[i].kind;

      for (at = strstr (line, tags[i].tag); at != NULL; at = strstr (at + 1, tags[i].tag))
        {
          /* "fatal error: " also holds "error: ": only a tag after ": " counts */
          if (at - line >= 2 && at[-2] == ':' && at[-1] == ' ')
            {
              if (best == NULL || at - 2 < best)
                {
                  best = at - 2;
                  kind = tags[i].kind;
                }
              break;
            }
        }
    }

  return kind;
}

static LineKind
classify_line (const char *line,
               gboolean    in_include_chain)
{
  LineKind kind;

  if (g_str_has_prefix (line, "In file included from "))
    return LINE_INCLUDED;
  if (in_include_chain && g_str_has_prefix (line, "                 from "))
    return LINE_INCLUDED;

  kind = severity_of (line);
  if (kind != LINE_OTHER)
    return kind;

  if (strstr (line, "undefined reference to ") != NULL ||
      strstr (line, "multiple definition of ") != NULL)
    return LINE_ERROR;

  /* clang: "1 error generated.", "2 warnings and 1 error generated." */
  if (g_ascii_isdigit (line[0]) && g_str_has_suffix (line, " generated."))
    return LINE_SUMMARY;

  /* gcc: "main.cpp: In function ‘int main()’:", "main.cpp:21:22:   required from here";
   * ld: "/usr/bin/ld: /tmp/x.o: in function `main':" */
  if (strstr (line, ": In ") != NULL || strstr (line, ": At global scope") != NULL ||
      strstr (line, ":   required from ") != NULL ||
      strstr (line, ":   required by ") != NULL ||
      strstr (line, ":   in ") != NULL ||
      strstr (line, ": in function `") != NULL)
    return LINE_CONTEXT;

  return LINE_OTHER;
}

typedef struct
{
  LineKind  kind;   /* LINE_ERROR or LINE_WARNING */
  GString  *text;
} Group;

static void
group_free (gpointer data)
{
  Group *group = data;

  g_string_free (group->text, TRUE);
  g_free (group);
}

/* Where to cut @text so it is at most @max bytes and not inside a UTF-8 sequence */
static gsize
utf8_cut (const char *text,
          gsize       length,
          gsize       max)
{
  gsize cut;

  if (length <= max)
    return length;

  cut = max;
  while (cut > 0 && ((guchar) text[cut] & 0xC0) == 0x80)
    cut--;
  return cut;
}

char *
kiln_prompt_trim_diagnostics (const char *compiler_output,
                              gsize       max_bytes)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (group_free);
  g_autoptr(GString) pending = g_string_new (NULL);  /* context for the next diagnostic */
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  Group *current = NULL;
  gboolean in_include_chain = FALSE;
  gboolean keep_include_chain = TRUE;
  gboolean has_errors = FALSE;
  guint n_kept = 0;
  guint n_candidates = 0;
  guint i;

  g_return_val_if_fail (compiler_output != NULL, NULL);

  lines = g_strsplit (compiler_output, "\n", -1);

  for (i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize length = strlen (line);
      LineKind kind;

      if (length > 0 && line[length - 1] == '\r')
        line[--length] = '\0';

      /* The empty string after a final newline */
      if (lines[i + 1] == NULL && length == 0)
        break;

      kind = classify_line (line, in_include_chain);

      if (kind != LINE_INCLUDED && in_include_chain)
        {
          in_include_chain = FALSE;
          keep_include_chain = FALSE;
        }

      switch (kind)
        {
        case LINE_ERROR:
        case LINE_WARNING:
          current = g_new0 (Group, 1);
          current->kind = kind;
          current->text = g_string_new (pending->str);
          g_string_truncate (pending, 0);
          g_ptr_array_add (groups, current);
          g_string_append_printf (current->text, "%s\n", line);
          if (kind == LINE_ERROR)
            has_errors = TRUE;
          break;

        case LINE_NOTE:
          if (current != NULL)
            {
              g_string_append (current->text, pending->str);
              g_string_truncate (pending, 0);
              g_string_append_printf (current->text, "%s\n", line);
            }
          else
            g_string_append_printf (pending, "%s\n", line);
          break;

        case LINE_INCLUDED:
          in_include_chain = TRUE;
          if (keep_include_chain)
            g_string_append_printf (pending, "%s\n", line);
          break;

        case LINE_CONTEXT:
          g_string_append_printf (pending, "%s\n", line);
          break;

        case LINE_SUMMARY:
          break;

        case LINE_OTHER:
        default:
          if (current != NULL && pending->len == 0)
            g_string_append_printf (current->text, "%s\n", line);
          else
            g_string_append_printf (pending, "%s\n", line);
          break;
        }
    }

  if (groups->len == 0)
    {
      /* Nothing recognised: keep the start of what the compiler said */
      gsize cut = utf8_cut (compiler_output, strlen (compiler_output), max_bytes);

      return g_strndup (compiler_output, cut);
    }

  /* Trailing context with nothing after it ("compilation terminated.") joins the last */
  if (pending->len > 0 && current != NULL)
    g_string_append (current->text, pending->str);

  for (i = 0; i < groups->len; i++)
    {
      Group *group = g_ptr_array_index (groups, i);

      if (has_errors && group->kind != LINE_ERROR)
        continue;

      n_candidates++;
      if (n_kept + 1 != n_candidates)
        continue;  /* one did not fit: the rest are only counted */

      if (out->len + group->text->len <= max_bytes)
        {
          g_string_append_len (out, group->text->str, group->text->len);
          n_kept++;
        }
      else if (n_kept == 0)
        {
          /* Even the first does not fit: keep as much of it as fits */
          g_string_append_len (out, group->text->str,
                               utf8_cut (group->text->str, group->text->len, max_bytes));
          n_kept++;
        }
    }

  if (n_kept < n_candidates)
    {
      /* For the model, like the templates: not translated */
      guint n_more = n_candidates - n_kept;
      g_autofree char *more = g_strdup_printf ("(%u more %s%s not shown)\n", n_more,
                                               has_errors ? "error" : "warning",
                                               n_more == 1 ? "" : "s");

      if (out->len + strlen (more) <= max_bytes)
        g_string_append (out, more);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

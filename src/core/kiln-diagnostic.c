/* kiln-diagnostic.c: compiler diagnostics parsed from gcc and clang output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-diagnostic.h"

/* What the parser keeps, line by line:
 *
 *   file:line:col: error|warning|note|fatal error|remark: message
 *   file:line: error|warning|note: message             (no column: column 0)
 *   file:line:col:   required from here                (gcc context: kept as a note, since
 *                                                       it points at the user's own line)
 *   g++: error: message / clang: warning: message      (driver: file "", line 0)
 *   /usr/bin/ld: message / file.cpp:(.text+0x1b): undefined reference to `foo()'
 *                                                      (linker: file "", line 0)
 *
 * Skipped: gcc's "In function …:", "In instantiation of …:", "In file included from" and
 * "from …" lines, caret and source-echo lines (they start with a space, or are source code
 * that matches none of the forms above), clang's "N errors generated." and gcc's
 * "compilation terminated." footers, the linker's "in function `main':" context, and
 * "ld returned 1 exit status" / "linker command failed" when a linker message already
 * explained the failure. */

G_DEFINE_BOXED_TYPE (KilnDiagnostic, kiln_diagnostic,
                     kiln_diagnostic_copy, kiln_diagnostic_free)

/* Kept below G_MAXINT so a front end can hand line numbers to int-based APIs. */
#define MAX_LINE_NUMBER ((guint) G_MAXINT)

KilnDiagnostic *
kiln_diagnostic_new (const char   *file,
                     guint         line,
                     guint         column,
                     KilnSeverity  severity,
                     const char   *message)
{
  KilnDiagnostic *self = g_new0 (KilnDiagnostic, 1);

  self->file = g_strdup (file != NULL ? file : "");
  self->line = line;
  self->column = column;
  self->severity = severity;
  self->message = g_strdup (message != NULL ? message : "");

  return self;
}

KilnDiagnostic *
kiln_diagnostic_copy (const KilnDiagnostic *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return kiln_diagnostic_new (self->file, self->line, self->column,
                              self->severity, self->message);
}

void
kiln_diagnostic_free (KilnDiagnostic *self)
{
  if (self == NULL)
    return;

  g_free (self->file);
  g_free (self->message);
  g_free (self);
}

/* A stable identifier (for reports and the command line), not a translated label. */
const char *
kiln_severity_to_string (KilnSeverity severity)
{
  switch (severity)
    {
    case KILN_SEVERITY_ERROR:
      return "error";
    case KILN_SEVERITY_WARNING:
      return "warning";
    case KILN_SEVERITY_NOTE:
      return "note";
    default:
      return "unknown";
    }
}

guint
kiln_diagnostics_count (GPtrArray    *diagnostics,
                        KilnSeverity  severity)
{
  guint count = 0;

  g_return_val_if_fail (diagnostics != NULL, 0);

  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KilnDiagnostic *diagnostic = g_ptr_array_index (diagnostics, i);

      if (diagnostic->severity == severity)
        count++;
    }

  return count;
}

typedef struct
{
  const char   *prefix;
  KilnSeverity  severity;
} SeverityWord;

/* Longest first where one is a prefix of another. */
static const SeverityWord severity_words[] = {
  { "fatal error: ", KILN_SEVERITY_ERROR },
  { "error: ", KILN_SEVERITY_ERROR },
  { "warning: ", KILN_SEVERITY_WARNING },
  { "note: ", KILN_SEVERITY_NOTE },
  { "remark: ", KILN_SEVERITY_NOTE },
  { "sorry, unimplemented: ", KILN_SEVERITY_ERROR },
};

/* gcc's instantiation context: a location without a severity word. */
static const char * const context_notes[] = {
  "required from ",
  "recursively required from ",
  "required by substitution of ",
  "in ‘constexpr’ expansion of ",
  "in 'constexpr' expansion of ",
};

static gboolean
match_severity (const char   *text,
                KilnSeverity *severity,
                const char  **message)
{
  for (guint i = 0; i < G_N_ELEMENTS (severity_words); i++)
    {
      if (g_str_has_prefix (text, severity_words[i].prefix))
        {
          *severity = severity_words[i].severity;
          *message = text + strlen (severity_words[i].prefix);
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
is_context_note (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (context_notes); i++)
    {
      if (g_str_has_prefix (text, context_notes[i]))
        return TRUE;
    }

  /* "required from here" ends the text without a trailing space */
  return strcmp (text, "required from here") == 0;
}

/* Reads a run of decimal digits at *p, saturating at MAX_LINE_NUMBER. */
static gboolean
parse_number (const char **p,
              guint       *value)
{
  const char *s = *p;
  guint64 n = 0;

  if (!g_ascii_isdigit (*s))
    return FALSE;

  for (; g_ascii_isdigit (*s); s++)
    {
      if (n <= MAX_LINE_NUMBER)
        n = n * 10 + (guint) (*s - '0');
    }

  *value = (guint) MIN (n, (guint64) MAX_LINE_NUMBER);
  *p = s;

  return TRUE;
}

static const char *
skip_blanks (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* "file:line[:col]: rest" — tries each ':' in turn, so a file name holding a colon still
 * works as long as no ":digits:" comes before the real location. */
static gboolean
parse_location (const char  *text,
                char       **file,
                guint       *line,
                guint       *column,
                const char **rest)
{
  if (*text == ':')
    return FALSE;

  for (const char *colon = strchr (text, ':'); colon != NULL; colon = strchr (colon + 1, ':'))
    {
      const char *p = colon + 1;
      guint l = 0;
      guint c = 0;

      if (!parse_number (&p, &l) || *p != ':')
        continue;
      p++;

      if (g_ascii_isdigit (*p))
        {
          const char *q = p;

          if (parse_number (&q, &c) && *q == ':')
            p = q + 1;
          else
            c = 0;
        }

      if (*p != ' ')
        continue;

      *file = g_strndup (text, colon - text);
      *line = l;
      *column = c;
      *rest = p + 1;
      return TRUE;
    }

  return FALSE;
}

/* The name of a program that prints "name: message" lines: the compiler driver, its
 * back ends, or the linker. */
static gboolean
is_tool_name (const char *name,
              gsize       length)
{
  g_autofree char *full = g_strndup (name, length);
  const char *base = strrchr (full, '/');
  static const char * const tools[] = {
    "g++", "gcc", "c++", "cc", "clang", "cc1", "collect2", "lto", "ld",
  };

  base = base != NULL ? base + 1 : full;

  /* File names have a dot; the tools do not ("ld.bfd" is matched as a linker) */
  if (*base == '\0' || strpbrk (base, " .") != NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    {
      /* "g++", "g++-12", "x86_64-linux-gnu-g++-12", "clang++", "cc1plus", "lto-wrapper" */
      const char *found = strstr (base, tools[i]);

      if (found != NULL &&
          (found == base || found[-1] == '-'))
        {
          gsize tool_len = strlen (tools[i]);
          char after = found[tool_len];

          if (after == '\0' || after == '-' || after == '+' || g_ascii_isalnum (after))
            return TRUE;
        }
    }

  return FALSE;
}

static gboolean
is_linker_name (const char *name,
                gsize       length)
{
  g_autofree char *full = g_strndup (name, length);
  const char *base = strrchr (full, '/');

  base = base != NULL ? base + 1 : full;

  return strcmp (base, "ld") == 0 ||
         g_str_has_prefix (base, "ld.") ||
         g_str_has_suffix (base, "-ld") ||
         strstr (base, "-ld.") != NULL;
}

/* The messages that only say that linking failed, after the linker said why. */
static gboolean
is_link_summary (const char *message)
{
  return g_str_has_prefix (message, "ld returned ") ||
         g_str_has_prefix (message, "linker command failed");
}

typedef struct
{
  GPtrArray *diagnostics;
  gboolean   linker_error_seen;
} Parser;

static void
add (Parser       *parser,
     const char   *file,
     guint         line,
     guint         column,
     KilnSeverity  severity,
     const char   *message)
{
  g_autofree char *stripped = g_strstrip (g_strdup (message));

  g_ptr_array_add (parser->diagnostics,
                   kiln_diagnostic_new (file, line, column, severity, stripped));
}

/* "object:(.text+0x1b): message" as ld prints it for a symbol it could not resolve. */
static gboolean
parse_section_message (Parser     *parser,
                       const char *text)
{
  const char *open = strstr (text, ":(");
  const char *close;
  KilnSeverity severity = KILN_SEVERITY_ERROR;
  const char *message;

  if (open == NULL)
    return FALSE;

  close = strstr (open, "): ");
  if (close == NULL)
    return FALSE;

  message = close + 3;
  if (!match_severity (message, &severity, &message))
    severity = KILN_SEVERITY_ERROR;

  add (parser, "", 0, 0, severity, message);
  if (severity == KILN_SEVERITY_ERROR)
    parser->linker_error_seen = TRUE;

  return TRUE;
}

static void
parse_linker_message (Parser     *parser,
                      const char *text)
{
  KilnSeverity severity = KILN_SEVERITY_ERROR;
  const char *message = text;
  gsize len = strlen (text);

  if (len == 0)
    return;

  /* "/tmp/ccX.o: in function `main':" only introduces the next lines */
  if (text[len - 1] == ':' &&
      (strstr (text, ": in function ") != NULL || strstr (text, ": In function ") != NULL ||
       g_str_has_prefix (text, "in function ")))
    return;

  if (parse_section_message (parser, text))
    return;

  if (!match_severity (text, &severity, &message))
    severity = KILN_SEVERITY_ERROR;

  add (parser, "", 0, 0, severity, message);
  if (severity == KILN_SEVERITY_ERROR)
    parser->linker_error_seen = TRUE;
}

static void
parse_line (Parser     *parser,
            const char *text)
{
  g_autofree char *file = NULL;
  const char *rest = NULL;
  const char *message = NULL;
  const char *colon;
  KilnSeverity severity;
  guint line = 0;
  guint column = 0;

  /* Carets, source echo, "from file:line" continuations */
  if (*text == '\0' || *text == ' ' || *text == '\t')
    return;

  if (parse_location (text, &file, &line, &column, &rest))
    {
      if (match_severity (rest, &severity, &message))
        {
          add (parser, file, line, column, severity, message);
          return;
        }

      rest = skip_blanks (rest);
      if (is_context_note (rest))
        add (parser, file, line, column, KILN_SEVERITY_NOTE, rest);

      return;
    }

  colon = strstr (text, ": ");
  if (colon == NULL)
    return;

  if (is_linker_name (text, colon - text))
    {
      parse_linker_message (parser, colon + 2);
      return;
    }

  if (is_tool_name (text, colon - text))
    {
      if (!match_severity (colon + 2, &severity, &message))
        return;

      if (is_link_summary (message))
        {
          if (parser->linker_error_seen)
            return;
          parser->linker_error_seen = TRUE;
        }

      add (parser, "", 0, 0, severity, message);
      return;
    }

  if (parse_section_message (parser, text))
    return;

  /* "<command-line>: error: …" and other located-without-a-line messages; gcc's
   * "main.cpp: In function …:" context lines have no severity word and are dropped. */
  if (memchr (text, ':', colon - text) == NULL &&
      match_severity (colon + 2, &severity, &message))
    {
      g_autofree char *where = g_strndup (text, colon - text);

      add (parser, where, 0, 0, severity, message);
    }
}

GPtrArray *
kiln_diagnostics_parse (const char *compiler_output)
{
  g_autoptr(GPtrArray) diagnostics =
    g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_diagnostic_free);
  g_autofree char *valid = NULL;
  Parser parser = { diagnostics, FALSE };
  char *line;
  char *next;

  if (compiler_output == NULL)
    return g_steal_pointer (&diagnostics);

  /* Invalid bytes become U+FFFD, so every message is safe to show */
  valid = g_utf8_make_valid (compiler_output, -1);

  for (line = valid; line != NULL; line = next)
    {
      char *end = strpbrk (line, "\r\n");

      if (end != NULL)
        {
          *end = '\0';
          next = end + 1;
        }
      else
        {
          next = NULL;
        }

      parse_line (&parser, line);
    }

  return g_steal_pointer (&diagnostics);
}

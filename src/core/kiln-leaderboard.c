/* kiln-leaderboard.c: the conversions of one program ranked, as JSON, CSV and Markdown
 *
 * Every format reads its figures from the same Row, so the CSV holds exactly the values of
 * the JSON (at six significant digits).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-format.h"
#include "kiln-json-write.h"
#include "kiln-leaderboard.h"

/* One result, as the contract says it: a negative number is null. */
typedef struct
{
  KilnConversion *conversion;
  const char     *model;
  gboolean        ok;
  const char     *verdict;
  gint64          attempts;
  double          speedup;
  double          cpp_seconds;
  double          ttft_seconds;
  gint64          tokens_in;
  gint64          tokens_out;
  double          cost_usd;
  double          seconds;
  const char     *output_file;   /* NULL: none */
} Row;

static int
compare_rank_cb (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  /* g_ptr_array_sort_with_data() hands over pointers to the elements. */
  return kiln_conversion_compare_rank (*(KilnConversion * const *) a,
                                       *(KilnConversion * const *) b, user_data);
}

GPtrArray *
kiln_leaderboard_sort (GListModel *conversions)
{
  GPtrArray *sorted;
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (conversions), NULL);

  n = g_list_model_get_n_items (conversions);
  sorted = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (sorted, g_list_model_get_item (conversions, i));
  g_ptr_array_sort_with_data (sorted, compare_rank_cb, NULL);

  return sorted;
}

const char *
kiln_leaderboard_verdict_name (KilnVerdict verdict)
{
  switch (verdict)
    {
    case KILN_VERDICT_MATCHED:
    case KILN_VERDICT_OUTPUT_DIFFERS:
    case KILN_VERDICT_COMPILE_ERROR:
    case KILN_VERDICT_RUNTIME_ERROR:
    case KILN_VERDICT_TIMED_OUT:
    case KILN_VERDICT_REFUSED:
    case KILN_VERDICT_TRUNCATED:
    case KILN_VERDICT_NO_CODE:
    case KILN_VERDICT_MATCHED_WITHIN_TOLERANCE:
    case KILN_VERDICT_HARD_CODED:
      return kiln_verdict_to_string (verdict);
    case KILN_VERDICT_ERROR:
    case KILN_VERDICT_STOPPED:
    case KILN_VERDICT_UNVERIFIED:
    case KILN_VERDICT_NONE:
    default:
      return "error";
    }
}

static double
known_or_null (double value)
{
  return isfinite (value) && value >= 0 ? value : -1;
}

static void
fill_row (Row            *row,
          KilnConversion *conversion,
          GHashTable     *output_files)
{
  const char *model = kiln_conversion_get_model_id (conversion);

  row->conversion = conversion;
  row->model = model;
  row->ok = kiln_conversion_get_verified (conversion);
  row->verdict = kiln_leaderboard_verdict_name (kiln_conversion_get_verdict (conversion));
  row->attempts = g_list_model_get_n_items (kiln_conversion_get_attempts_model (conversion));
  row->speedup = row->ok && kiln_conversion_get_speedup (conversion) > 0
                   ? known_or_null (kiln_conversion_get_speedup (conversion)) : -1;
  row->cpp_seconds = known_or_null (kiln_conversion_get_cpp_seconds (conversion));
  row->ttft_seconds = known_or_null (kiln_conversion_get_ttft_seconds (conversion));
  row->tokens_in = kiln_conversion_get_tokens_in (conversion);
  row->tokens_out = kiln_conversion_get_tokens_out (conversion);
  row->cost_usd = known_or_null (kiln_conversion_get_cost_usd (conversion));
  row->seconds = MAX (known_or_null (kiln_conversion_get_seconds (conversion)), 0);
  row->output_file = output_files != NULL && model != NULL
                       ? g_hash_table_lookup (output_files, model) : NULL;
}

/* The rows in leaderboard order; the conversions stay referenced by @sorted. */
static GArray *
ranked_rows (GListModel  *conversions,
             GHashTable  *output_files,
             GPtrArray  **sorted)
{
  GArray *rows;

  *sorted = kiln_leaderboard_sort (conversions);
  rows = g_array_sized_new (FALSE, TRUE, sizeof (Row), (*sorted)->len);
  g_array_set_size (rows, (*sorted)->len);
  for (guint i = 0; i < (*sorted)->len; i++)
    fill_row (&g_array_index (rows, Row, i), g_ptr_array_index (*sorted, i), output_files);

  return rows;
}

/* --- JSON ------------------------------------------------------------------------------- */

JsonNode *
kiln_leaderboard_to_json (GListModel *conversions,
                          const char *program,
                          double      python_seconds,
                          GHashTable *output_files)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GArray) rows = NULL;

  g_return_val_if_fail (G_IS_LIST_MODEL (conversions), NULL);

  rows = ranked_rows (conversions, output_files, &sorted);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  kiln_json_builder_add_text (builder, "program", program != NULL ? program : "");

  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);

      json_builder_begin_object (builder);
      kiln_json_builder_add_text (builder, "model", row->model);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, row->ok);
      kiln_json_builder_add_text (builder, "verdict", row->verdict);
      kiln_json_builder_add_count (builder, "attempts", row->attempts);
      kiln_json_builder_add_double (builder, "speedup", row->speedup,
                                    row->speedup >= 0);
      json_builder_set_member_name (builder, "speedup_range");
      if (row->speedup >= 0 && kiln_conversion_get_speedup_low (row->conversion) > 0)
        {
          json_builder_begin_array (builder);
          json_builder_add_double_value (builder, kiln_conversion_get_speedup_low (row->conversion));
          json_builder_add_double_value (builder,
                                         kiln_conversion_get_speedup_high (row->conversion));
          json_builder_end_array (builder);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "noisy");
      json_builder_add_boolean_value (builder, kiln_conversion_get_noisy (row->conversion));
      kiln_json_builder_add_text (builder, "basis",
                                  kiln_speedup_basis_to_string (
                                    kiln_conversion_get_basis (row->conversion)));
      kiln_json_builder_add_text (builder, "suspicious",
                                  kiln_conversion_get_suspicious (row->conversion));
      kiln_json_builder_add_double (builder, "cpp_seconds", row->cpp_seconds,
                                    row->cpp_seconds >= 0);
      kiln_json_builder_add_double (builder, "ttft_seconds", row->ttft_seconds,
                                    row->ttft_seconds >= 0);
      kiln_json_builder_add_count (builder, "tokens_in", row->tokens_in);
      kiln_json_builder_add_count (builder, "tokens_out", row->tokens_out);
      kiln_json_builder_add_double (builder, "cost_usd", row->cost_usd,
                                    row->cost_usd >= 0);
      kiln_json_builder_add_double (builder, "seconds", row->seconds,
                                    row->seconds >= 0);
      kiln_json_builder_add_text (builder, "output_file", row->output_file);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  kiln_json_builder_add_double (builder, "python_seconds",
                                known_or_null (python_seconds),
                                known_or_null (python_seconds) >= 0);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* --- CSV -------------------------------------------------------------------------------- */

static void
csv_field (GString    *out,
           const char *text,
           gboolean    first)
{
  if (!first)
    g_string_append_c (out, ',');
  if (text == NULL)
    return;

  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
csv_double (GString *out,
            double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  if (value >= 0)
    g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.6g", value));
}

static void
csv_int (GString *out,
         gint64   value)
{
  g_string_append_c (out, ',');
  if (value >= 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

char *
kiln_leaderboard_to_csv (GListModel *conversions,
                         GHashTable *output_files)
{
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GArray) rows = NULL;
  GString *out;

  g_return_val_if_fail (G_IS_LIST_MODEL (conversions), NULL);

  rows = ranked_rows (conversions, output_files, &sorted);
  /* Not translated: the names are the JSON members, for scripts and spreadsheets. */
  out = g_string_new ("model,ok,verdict,attempts,speedup,cpp_seconds,ttft_seconds,"
                      "tokens_in,tokens_out,cost_usd,seconds,output_file\n");
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);

      csv_field (out, row->model, TRUE);
      csv_field (out, row->ok ? "true" : "false", FALSE);
      csv_field (out, row->verdict, FALSE);
      csv_int (out, row->attempts);
      csv_double (out, row->speedup);
      csv_double (out, row->cpp_seconds);
      csv_double (out, row->ttft_seconds);
      csv_int (out, row->tokens_in);
      csv_int (out, row->tokens_out);
      csv_double (out, row->cost_usd);
      csv_double (out, row->seconds);
      csv_field (out, row->output_file, FALSE);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

/* --- Markdown --------------------------------------------------------------------------- */

/* A table cell: one line, "|" and "\" escaped so neither ends the cell early. */
static void
md_cell (GString    *out,
         const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));

  g_string_append (out, "| ");
  for (const char *p = stripped; *p != '\0'; p++)
    {
      if (*p == '|' || *p == '\\')
        g_string_append_c (out, '\\');
      if (*p == '\n' || *p == '\r' || *p == '\t')
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, ' ');
}

static void
md_take (GString *out,
         char    *text)
{
  md_cell (out, text);
  g_free (text);
}

static char *
md_duration (double seconds)
{
  return seconds >= 0 ? kiln_format_duration (seconds) : g_strdup ("—");
}

/* "200 / 80"; "—" for a count the provider did not give. */
static char *
md_tokens (gint64 tokens_in,
           gint64 tokens_out)
{
  g_autofree char *in = tokens_in >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, tokens_in)
                                       : g_strdup ("—");
  g_autofree char *out = tokens_out >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, tokens_out)
                                         : g_strdup ("—");

  if (tokens_in < 0 && tokens_out < 0)
    return g_strdup ("—");
  /* Translators: tokens sent to / received from a model, e.g. "200 / 80" */
  return g_strdup_printf (_("%s / %s"), in, out);
}

/* "×38 (×35–×41)", as the window says it. */
static char *
speedup_text (KilnConversion *conversion,
              gboolean        lower_bound)
{
  double speedup = kiln_conversion_get_speedup (conversion);
  double low = kiln_conversion_get_speedup_low (conversion);
  double high = kiln_conversion_get_speedup_high (conversion);
  g_autofree char *main = kiln_format_speedup (speedup, lower_bound);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (lower_bound || low <= 0 || high <= low * 1.001)
    return g_steal_pointer (&main);
  from = kiln_format_speedup (low, FALSE);
  to = kiln_format_speedup (high, FALSE);
  /* Translators: a speedup and its spread over the repeated runs, e.g. "×38 (×35–×41)" */
  return g_strdup_printf (_("%s (%s–%s)"), main, from, to);
}

char *
kiln_leaderboard_to_markdown (GListModel *conversions)
{
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GArray) rows = NULL;
  const char *titles[] = {
    /* Translators: column titles of the leaderboard table exported as Markdown */
    N_("Model"), N_("Verdict"), N_("Attempts"), N_("C++ time"), N_("Speedup"),
    N_("First token"), N_("Tokens in/out"), N_("Tokens/s"), N_("Cost"), N_("Total time"),
  };
  /* Text left, figures right. */
  const gboolean numeric[G_N_ELEMENTS (titles)] = {
    FALSE, FALSE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE,
  };
  GString *out;

  g_return_val_if_fail (G_IS_LIST_MODEL (conversions), NULL);

  rows = ranked_rows (conversions, NULL, &sorted);
  out = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    md_cell (out, _(titles[i]));
  g_string_append (out, "|\n");
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    g_string_append (out, numeric[i] ? "| ---: " : "| --- ");
  g_string_append (out, "|\n");

  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      KilnConversion *conversion = row->conversion;
      double tokens_per_second = kiln_conversion_get_tokens_per_second (conversion);
      gboolean lower_bound = kiln_conversion_get_speedup_is_lower_bound (conversion);

      md_cell (out, kiln_conversion_get_model_label (conversion));
      md_take (out, kiln_conversion_dup_verdict_text (conversion));
      md_take (out, g_strdup_printf ("%" G_GINT64_FORMAT, row->attempts));
      md_take (out, md_duration (row->cpp_seconds));
      md_take (out, row->speedup > 0 ? speedup_text (conversion, lower_bound)
                                     : g_strdup ("—"));
      md_take (out, md_duration (row->ttft_seconds));
      md_take (out, md_tokens (row->tokens_in, row->tokens_out));
      md_take (out, isfinite (tokens_per_second) && tokens_per_second >= 0
                      ? g_strdup_printf ("%.0f", tokens_per_second) : g_strdup ("—"));
      md_take (out, row->cost_usd >= 0 ? kiln_format_cost (row->cost_usd) : g_strdup ("—"));
      md_take (out, kiln_format_duration (row->seconds));
      g_string_append (out, "|\n");
    }

  return g_string_free (out, FALSE);
}

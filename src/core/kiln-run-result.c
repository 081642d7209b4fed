/* kiln-run-result.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-run-result.h"

G_DEFINE_BOXED_TYPE (KilnCompileResult, kiln_compile_result,
                     kiln_compile_result_ref, kiln_compile_result_unref)
G_DEFINE_BOXED_TYPE (KilnRunResult, kiln_run_result,
                     kiln_run_result_ref, kiln_run_result_unref)

const char *
kiln_language_to_string (KilnLanguage language)
{
  return language == KILN_LANGUAGE_PYTHON ? "python" : "cpp";
}

const char *
kiln_language_get_title (KilnLanguage language)
{
  return language == KILN_LANGUAGE_PYTHON ? _("Python") : _("C++");
}

gboolean
kiln_language_from_path (const char   *path,
                         KilnLanguage *language)
{
  static const char * const cpp_suffixes[] = { ".cpp", ".cc", ".cxx", ".c++", ".C", NULL };
  g_autofree char *base = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (language != NULL, FALSE);

  base = g_path_get_basename (path);

  if (g_str_has_suffix (base, ".py") || g_str_has_suffix (base, ".pyw"))
    {
      *language = KILN_LANGUAGE_PYTHON;
      return TRUE;
    }

  for (guint i = 0; cpp_suffixes[i] != NULL; i++)
    {
      if (g_str_has_suffix (base, cpp_suffixes[i]))
        {
          *language = KILN_LANGUAGE_CPP;
          return TRUE;
        }
    }

  return FALSE;
}

void
kiln_run_limits_init_default (KilnRunLimits *limits,
                              KilnLanguage   language)
{
  g_return_if_fail (limits != NULL);

  /* Long enough for the bundled examples on a slow, busy laptop; a C++ translation gets a
   * timeout of its own from the original's time (KilnProgram). */
  limits->timeout_ms = 600 * 1000;
  limits->output_cap = 1024 * 1024;
  limits->memory_limit = G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024;
  limits->file_size_limit = 256 * 1024 * 1024;
  limits->max_processes = 512;
  limits->timeout_relative_to = 0;
  limits->timeout_hint_cli = FALSE;
  /* Three runs give a median and a spread worth reporting even for a program that takes
   * seconds; only a slow one stops early, once its runs together took more than 20 s. Both
   * programs are measured alike. */
  limits->max_runs = 3;
  limits->time_budget_ms = 20 * 1000;
  (void) language;
}

KilnCompileResult *
kiln_compile_result_new (void)
{
  KilnCompileResult *self = g_new0 (KilnCompileResult, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->diagnostics = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_diagnostic_free);

  return self;
}

KilnCompileResult *
kiln_compile_result_ref (KilnCompileResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
kiln_compile_result_unref (KilnCompileResult *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_strfreev (self->command);
  g_free (self->output);
  g_ptr_array_unref (self->diagnostics);
  g_free (self->binary_path);
  g_free (self);
}

JsonNode *
kiln_compile_result_to_json (KilnCompileResult *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, self->ok);
  json_builder_set_member_name (builder, "cached");
  json_builder_add_boolean_value (builder, self->cached);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, self->seconds);
  json_builder_set_member_name (builder, "command");
  json_builder_begin_array (builder);
  for (guint i = 0; self->command != NULL && self->command[i] != NULL; i++)
    json_builder_add_string_value (builder, self->command[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "diagnostics");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->diagnostics->len; i++)
    {
      const KilnDiagnostic *d = g_ptr_array_index (self->diagnostics, i);
      g_autofree char *file = g_utf8_make_valid (d->file, -1);
      g_autofree char *message = g_utf8_make_valid (d->message, -1);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, file);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, d->line);
      json_builder_set_member_name (builder, "column");
      json_builder_add_int_value (builder, d->column);
      json_builder_set_member_name (builder, "severity");
      json_builder_add_string_value (builder, kiln_severity_to_string (d->severity));
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

KilnRunResult *
kiln_run_result_new (KilnLanguage language)
{
  KilnRunResult *self = g_new0 (KilnRunResult, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->language = language;
  self->runs = g_array_new (FALSE, TRUE, sizeof (KilnRunStats));
  self->stdout_bytes = g_bytes_new (NULL, 0);
  self->stderr_bytes = g_bytes_new (NULL, 0);

  return self;
}

KilnRunResult *
kiln_run_result_ref (KilnRunResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
kiln_run_result_unref (KilnRunResult *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_error (&self->error);
  g_clear_pointer (&self->compile, kiln_compile_result_unref);
  g_array_unref (self->runs);
  g_bytes_unref (self->stdout_bytes);
  g_bytes_unref (self->stderr_bytes);
  g_free (self);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The lower median for an even count: it is a run that really happened. */
static guint
median_index (KilnRunResult *self)
{
  g_autofree double *walls = g_new (double, self->runs->len);
  double median;

  for (guint i = 0; i < self->runs->len; i++)
    walls[i] = g_array_index (self->runs, KilnRunStats, i).wall_seconds;
  qsort (walls, self->runs->len, sizeof (double), compare_doubles);
  median = walls[(self->runs->len - 1) / 2];

  for (guint i = 0; i < self->runs->len; i++)
    if (g_array_index (self->runs, KilnRunStats, i).wall_seconds == median)
      return i;

  g_assert_not_reached ();
}

const KilnRunStats *
kiln_run_result_get_median_run (KilnRunResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->runs->len == 0)
    return NULL;

  return &g_array_index (self->runs, KilnRunStats, median_index (self));
}

gboolean
kiln_run_result_get_wall (KilnRunResult *self,
                          double        *median,
                          double        *min,
                          double        *max)
{
  double lo = G_MAXDOUBLE, hi = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->runs->len == 0)
    return FALSE;

  for (guint i = 0; i < self->runs->len; i++)
    {
      double wall = g_array_index (self->runs, KilnRunStats, i).wall_seconds;

      lo = MIN (lo, wall);
      hi = MAX (hi, wall);
    }

  if (median != NULL)
    *median = kiln_run_result_get_median_run (self)->wall_seconds;
  if (min != NULL)
    *min = lo;
  if (max != NULL)
    *max = hi;

  return TRUE;
}

gboolean
kiln_run_result_get_cpu (KilnRunResult *self,
                         double        *median,
                         double        *min,
                         double        *max)
{
  g_autofree double *cpu = NULL;
  guint n;

  g_return_val_if_fail (self != NULL, FALSE);

  n = self->runs->len;
  if (n == 0)
    return FALSE;

  cpu = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      const KilnRunStats *run = &g_array_index (self->runs, KilnRunStats, i);

      cpu[i] = run->user_seconds + run->sys_seconds;
    }
  qsort (cpu, n, sizeof (double), compare_doubles);

  if (median != NULL)
    *median = cpu[(n - 1) / 2];
  if (min != NULL)
    *min = cpu[0];
  if (max != NULL)
    *max = cpu[n - 1];

  return TRUE;
}

static char *
bytes_to_utf8 (GBytes *bytes)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  if (size == 0)
    return g_strdup ("");

  return g_utf8_make_valid (data, size);
}

char *
kiln_run_result_dup_stdout (KilnRunResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return bytes_to_utf8 (self->stdout_bytes);
}

char *
kiln_run_result_dup_stderr (KilnRunResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return bytes_to_utf8 (self->stderr_bytes);
}

JsonNode *
kiln_run_result_to_json (KilnRunResult *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  double median, min, max;

  g_return_val_if_fail (self != NULL, NULL);

  out = kiln_run_result_dup_stdout (self);
  err = kiln_run_result_dup_stderr (self);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, kiln_language_to_string (self->language));
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, self->ok);
  json_builder_set_member_name (builder, "error");
  if (self->error != NULL)
    json_builder_add_string_value (builder, self->error->message);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "sandbox");
  json_builder_add_string_value (builder, kiln_sandbox_to_string (self->sandbox));

  json_builder_set_member_name (builder, "compile");
  if (self->compile != NULL)
    json_builder_add_value (builder, kiln_compile_result_to_json (self->compile));
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "runs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->runs->len; i++)
    {
      const KilnRunStats *run = &g_array_index (self->runs, KilnRunStats, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "wall_seconds");
      json_builder_add_double_value (builder, run->wall_seconds);
      json_builder_set_member_name (builder, "user_seconds");
      json_builder_add_double_value (builder, run->user_seconds);
      json_builder_set_member_name (builder, "sys_seconds");
      json_builder_add_double_value (builder, run->sys_seconds);
      json_builder_set_member_name (builder, "max_rss_kib");
      json_builder_add_int_value (builder, run->max_rss_kib);
      json_builder_set_member_name (builder, "exit_status");
      if (run->exit_status >= 0)
        json_builder_add_int_value (builder, run->exit_status);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "signal");
      if (run->signal > 0)
        json_builder_add_int_value (builder, run->signal);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "timed_out");
      json_builder_add_boolean_value (builder, run->timed_out);
      json_builder_set_member_name (builder, "output_truncated");
      json_builder_add_boolean_value (builder, run->output_truncated);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "wall_seconds_median");
  if (kiln_run_result_get_wall (self, &median, NULL, NULL))
    json_builder_add_double_value (builder, median);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "cpu_seconds");
  if (kiln_run_result_get_cpu (self, &median, &min, &max))
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "median");
      json_builder_add_double_value (builder, median);
      json_builder_set_member_name (builder, "min");
      json_builder_add_double_value (builder, min);
      json_builder_set_member_name (builder, "max");
      json_builder_add_double_value (builder, max);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "stdout");
  json_builder_add_string_value (builder, out);
  json_builder_set_member_name (builder, "stderr");
  json_builder_add_string_value (builder, err);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

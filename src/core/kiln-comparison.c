/* kiln-comparison.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-comparison.h"

KilnComparison *
kiln_comparison_new (KilnRunResult  *python,
                     KilnRunResult  *cpp,
                     KilnTimingMask *mask)
{
  KilnComparison *self;

  g_return_val_if_fail (python != NULL, NULL);
  g_return_val_if_fail (cpp != NULL, NULL);

  self = g_new0 (KilnComparison, 1);
  self->python = kiln_run_result_ref (python);
  self->cpp = kiln_run_result_ref (cpp);
  self->comparable = python->ok && cpp->ok;

  if (self->comparable)
    {
      gsize py_len, cpp_len;
      const char *py_out = g_bytes_get_data (python->stdout_bytes, &py_len);
      const char *cpp_out = g_bytes_get_data (cpp->stdout_bytes, &cpp_len);
      double py_median, cpp_median;

      self->diff = kiln_output_compare (py_out != NULL ? py_out : "", py_len,
                                        cpp_out != NULL ? cpp_out : "", cpp_len,
                                        mask);

      if (kiln_run_result_get_wall (python, &py_median, NULL, NULL) &&
          kiln_run_result_get_wall (cpp, &cpp_median, NULL, NULL))
        {
          /* A run is never shorter than the clock's resolution allows us to say. */
          cpp_median = MAX (cpp_median, 1e-6);
          self->speedup = py_median / cpp_median;
          self->speedup_is_lower_bound = cpp_median < KILN_SPEEDUP_LOWER_BOUND_SECONDS;
        }
    }

  return self;
}

void
kiln_comparison_free (KilnComparison *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->python, kiln_run_result_unref);
  g_clear_pointer (&self->cpp, kiln_run_result_unref);
  g_clear_pointer (&self->diff, kiln_output_diff_free);
  g_free (self);
}

gboolean
kiln_comparison_matches (KilnComparison *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->comparable && self->diff != NULL && self->diff->match;
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *value)
{
  if (value != NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (value, -1);

      json_builder_add_string_value (builder, valid);
    }
  else
    json_builder_add_null_value (builder);
}

JsonNode *
kiln_comparison_to_json (KilnComparison *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "python");
  json_builder_add_value (builder, kiln_run_result_to_json (self->python));
  json_builder_set_member_name (builder, "cpp");
  json_builder_add_value (builder, kiln_run_result_to_json (self->cpp));
  json_builder_set_member_name (builder, "outputs_match");
  json_builder_add_boolean_value (builder, kiln_comparison_matches (self));

  json_builder_set_member_name (builder, "first_difference");
  if (self->diff != NULL && !self->diff->match)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, self->diff->line);
      json_builder_set_member_name (builder, "python");
      add_nullable_string (builder, self->diff->reference);
      json_builder_set_member_name (builder, "cpp");
      add_nullable_string (builder, self->diff->candidate);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "speedup");
  if (self->speedup > 0)
    json_builder_add_double_value (builder, self->speedup);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "speedup_is_lower_bound");
  json_builder_add_boolean_value (builder, self->speedup > 0 && self->speedup_is_lower_bound);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

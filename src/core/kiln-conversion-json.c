/* kiln-conversion-json.c: kiln-cli convert's JSON object for a conversion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "kiln-conversion.h"

static void
add_nullable_number (JsonBuilder *builder,
                     double       value,
                     gboolean     known)
{
  if (known)
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

JsonNode *
kiln_conversion_to_json (KilnConversion *self,
                         const char     *output_path,
                         const GError   *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GPtrArray *attempts = kiln_conversion_get_attempts (self);
  KilnRunResult *python = kiln_conversion_get_python (self);
  KilnAttempt *last = kiln_conversion_get_last_attempt (self);
  gint64 input_tokens = 0, output_tokens = 0;
  gboolean input_known = attempts->len > 0, output_known = attempts->len > 0;
  gboolean cost_known = attempts->len > 0;
  double cost = 0;

  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, kiln_conversion_get_model (self)->id);
  json_builder_set_member_name (builder, "output_path");
  if (output_path != NULL)
    json_builder_add_string_value (builder, output_path);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, error == NULL && last != NULL &&
                                  last->reason == KILN_ATTEMPT_OK);
  json_builder_set_member_name (builder, "error");
  if (error != NULL)
    json_builder_add_string_value (builder, error->message);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "attempts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < attempts->len; i++)
    {
      KilnAttempt *attempt = g_ptr_array_index (attempts, i);
      const char *reason = kiln_attempt_reason_to_string (attempt->reason);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "number");
      json_builder_add_int_value (builder, attempt->number);
      json_builder_set_member_name (builder, "reason");
      if (reason != NULL)
        json_builder_add_string_value (builder, reason);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "notes");
      json_builder_add_string_value (builder, attempt->notes);
      json_builder_set_member_name (builder, "compile");
      if (attempt->cpp != NULL && attempt->cpp->compile != NULL)
        json_builder_add_value (builder, kiln_compile_result_to_json (attempt->cpp->compile));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "cpp");
      if (attempt->cpp != NULL)
        json_builder_add_value (builder, kiln_run_result_to_json (attempt->cpp));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "outputs_match");
      if (attempt->comparison != NULL && attempt->comparison->comparable)
        json_builder_add_boolean_value (builder, kiln_comparison_matches (attempt->comparison));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "first_difference");
      if (attempt->comparison != NULL && attempt->comparison->diff != NULL &&
          !attempt->comparison->diff->match)
        {
          JsonNode *whole = kiln_comparison_to_json (attempt->comparison);

          json_builder_add_value (builder,
                                  json_node_copy (json_object_get_member (json_node_get_object (whole),
                                                                          "first_difference")));
          json_node_unref (whole);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);

      if (attempt->input_tokens >= 0)
        input_tokens += attempt->input_tokens;
      else
        input_known = FALSE;
      if (attempt->output_tokens >= 0)
        output_tokens += attempt->output_tokens;
      else
        output_known = FALSE;
      if (attempt->cost_usd >= 0)
        cost += attempt->cost_usd;
      else
        cost_known = FALSE;
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "python");
  if (python != NULL)
    json_builder_add_value (builder, kiln_run_result_to_json (python));
  else
    json_builder_add_null_value (builder);
  /* A speedup only for what was verified on every input case. */
  json_builder_set_member_name (builder, "speedup");
  add_nullable_number (builder, kiln_conversion_get_speedup (self),
                       kiln_conversion_get_speedup (self) > 0);
  json_builder_set_member_name (builder, "speedup_is_lower_bound");
  json_builder_add_boolean_value (builder, kiln_conversion_get_speedup (self) > 0 &&
                                  kiln_conversion_get_speedup_is_lower_bound (self));
  json_builder_set_member_name (builder, "verified");
  json_builder_add_boolean_value (builder, kiln_conversion_get_verified (self));
  json_builder_set_member_name (builder, "speedup_cpu");
  add_nullable_number (builder, kiln_conversion_get_speedup_cpu (self),
                       kiln_conversion_get_speedup_cpu (self) > 0);
  json_builder_set_member_name (builder, "speedup_range");
  if (kiln_conversion_get_speedup_low (self) > 0)
    {
      json_builder_begin_array (builder);
      json_builder_add_double_value (builder, kiln_conversion_get_speedup_low (self));
      json_builder_add_double_value (builder, kiln_conversion_get_speedup_high (self));
      json_builder_end_array (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "noisy");
  json_builder_add_boolean_value (builder, kiln_conversion_get_noisy (self));
  json_builder_set_member_name (builder, "basis");
  json_builder_add_string_value (builder,
                                 kiln_speedup_basis_to_string (kiln_conversion_get_basis (self)));
  json_builder_set_member_name (builder, "suspicious");
  if (kiln_conversion_get_suspicious (self) != NULL)
    json_builder_add_string_value (builder, kiln_conversion_get_suspicious (self));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "failed_case");
  if (kiln_conversion_get_failed_case (self) > 0)
    json_builder_add_int_value (builder, kiln_conversion_get_failed_case (self));
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "usage");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "input_tokens");
  if (input_known)
    json_builder_add_int_value (builder, input_tokens);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "output_tokens");
  if (output_known)
    json_builder_add_int_value (builder, output_tokens);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "ttft_seconds");
  {
    KilnAttempt *first = attempts->len > 0 ? g_ptr_array_index (attempts, 0) : NULL;

    add_nullable_number (builder, first ? first->ttft_seconds : 0,
                         first != NULL && first->ttft_seconds >= 0);
  }
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, kiln_conversion_get_seconds (self));
  json_builder_set_member_name (builder, "cost_usd");
  add_nullable_number (builder, cost, cost_known);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

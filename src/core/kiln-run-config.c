/* kiln-run-config.c: how programs are built, run, timed and compared
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-run-config.h"

struct _KilnRunConfig
{
  GObject         parent_instance;

  char           *python_interpreter;
  char           *compiler;
  char           *compiler_flags;
  gboolean        sandbox;
  double          run_timeout;
  guint           output_cap_kib;
  guint           cpp_repeat;
  double          cpp_time_budget;
  guint           python_repeat;
  char          **timing_patterns;
  guint           max_attempts;
  gboolean        auto_verify;
  double          idle_timeout;
  double          python_time_budget;
  double          cpp_timeout;
  double          tolerance;
  gboolean        hints_for_cli;

  KilnTimingMask *mask;           /* compiled from timing_patterns, until they change */
};

G_DEFINE_FINAL_TYPE (KilnRunConfig, kiln_run_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PYTHON_INTERPRETER,
  PROP_COMPILER,
  PROP_COMPILER_FLAGS,
  PROP_SANDBOX,
  PROP_RUN_TIMEOUT,
  PROP_OUTPUT_CAP_KIB,
  PROP_CPP_REPEAT,
  PROP_CPP_TIME_BUDGET,
  PROP_PYTHON_REPEAT,
  PROP_TIMING_PATTERNS,
  PROP_MAX_ATTEMPTS,
  PROP_AUTO_VERIFY,
  PROP_IDLE_TIMEOUT,
  PROP_PYTHON_TIME_BUDGET,
  PROP_CPP_TIMEOUT,
  PROP_TOLERANCE,
  PROP_HINTS_FOR_CLI,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
kiln_run_config_finalize (GObject *object)
{
  KilnRunConfig *self = (KilnRunConfig *) object;

  g_clear_pointer (&self->python_interpreter, g_free);
  g_clear_pointer (&self->compiler, g_free);
  g_clear_pointer (&self->compiler_flags, g_free);
  g_clear_pointer (&self->timing_patterns, g_strfreev);
  g_clear_pointer (&self->mask, kiln_timing_mask_unref);

  G_OBJECT_CLASS (kiln_run_config_parent_class)->finalize (object);
}

static void
kiln_run_config_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KilnRunConfig *self = KILN_RUN_CONFIG (object);

  switch (prop_id)
    {
    case PROP_PYTHON_INTERPRETER:
      g_value_set_string (value, self->python_interpreter);
      break;
    case PROP_COMPILER:
      g_value_set_string (value, self->compiler);
      break;
    case PROP_COMPILER_FLAGS:
      g_value_set_string (value, self->compiler_flags);
      break;
    case PROP_SANDBOX:
      g_value_set_boolean (value, self->sandbox);
      break;
    case PROP_RUN_TIMEOUT:
      g_value_set_double (value, self->run_timeout);
      break;
    case PROP_OUTPUT_CAP_KIB:
      g_value_set_uint (value, self->output_cap_kib);
      break;
    case PROP_CPP_REPEAT:
      g_value_set_uint (value, self->cpp_repeat);
      break;
    case PROP_CPP_TIME_BUDGET:
      g_value_set_double (value, self->cpp_time_budget);
      break;
    case PROP_PYTHON_REPEAT:
      g_value_set_uint (value, self->python_repeat);
      break;
    case PROP_TIMING_PATTERNS:
      g_value_set_boxed (value, kiln_run_config_get_timing_patterns (self));
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_AUTO_VERIFY:
      g_value_set_boolean (value, self->auto_verify);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_double (value, self->idle_timeout);
      break;
    case PROP_PYTHON_TIME_BUDGET:
      g_value_set_double (value, self->python_time_budget);
      break;
    case PROP_CPP_TIMEOUT:
      g_value_set_double (value, self->cpp_timeout);
      break;
    case PROP_TOLERANCE:
      g_value_set_double (value, self->tolerance);
      break;
    case PROP_HINTS_FOR_CLI:
      g_value_set_boolean (value, self->hints_for_cli);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_string (KilnRunConfig  *self,
            char          **field,
            const char     *value,
            guint           prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value != NULL ? value : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

#define SET_NUMBER(field, value, prop_id)                                     \
  G_STMT_START {                                                              \
    if ((field) != (value))                                                   \
      {                                                                       \
        (field) = (value);                                                    \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);      \
      }                                                                       \
  } G_STMT_END

static void
set_timing_patterns (KilnRunConfig      *self,
                     const char * const *patterns)
{
  /* An empty list is a real choice (mask nothing); NULL means the defaults. */
  if (patterns == NULL && self->timing_patterns == NULL)
    return;
  if (patterns != NULL && self->timing_patterns != NULL &&
      g_strv_equal (patterns, (const char * const *) self->timing_patterns))
    return;

  g_strfreev (self->timing_patterns);
  self->timing_patterns = g_strdupv ((char **) patterns);
  g_clear_pointer (&self->mask, kiln_timing_mask_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMING_PATTERNS]);
}

static void
kiln_run_config_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  KilnRunConfig *self = KILN_RUN_CONFIG (object);

  switch (prop_id)
    {
    case PROP_PYTHON_INTERPRETER:
      set_string (self, &self->python_interpreter, g_value_get_string (value), prop_id);
      break;
    case PROP_COMPILER:
      set_string (self, &self->compiler, g_value_get_string (value), prop_id);
      break;
    case PROP_COMPILER_FLAGS:
      set_string (self, &self->compiler_flags, g_value_get_string (value), prop_id);
      break;
    case PROP_SANDBOX:
      SET_NUMBER (self->sandbox, g_value_get_boolean (value), prop_id);
      break;
    case PROP_RUN_TIMEOUT:
      SET_NUMBER (self->run_timeout, g_value_get_double (value), prop_id);
      break;
    case PROP_OUTPUT_CAP_KIB:
      SET_NUMBER (self->output_cap_kib, g_value_get_uint (value), prop_id);
      break;
    case PROP_CPP_REPEAT:
      SET_NUMBER (self->cpp_repeat, g_value_get_uint (value), prop_id);
      break;
    case PROP_CPP_TIME_BUDGET:
      SET_NUMBER (self->cpp_time_budget, g_value_get_double (value), prop_id);
      break;
    case PROP_PYTHON_REPEAT:
      SET_NUMBER (self->python_repeat, g_value_get_uint (value), prop_id);
      break;
    case PROP_TIMING_PATTERNS:
      set_timing_patterns (self, g_value_get_boxed (value));
      break;
    case PROP_MAX_ATTEMPTS:
      SET_NUMBER (self->max_attempts, g_value_get_uint (value), prop_id);
      break;
    case PROP_AUTO_VERIFY:
      SET_NUMBER (self->auto_verify, g_value_get_boolean (value), prop_id);
      break;
    case PROP_IDLE_TIMEOUT:
      SET_NUMBER (self->idle_timeout, g_value_get_double (value), prop_id);
      break;
    case PROP_PYTHON_TIME_BUDGET:
      SET_NUMBER (self->python_time_budget, g_value_get_double (value), prop_id);
      break;
    case PROP_CPP_TIMEOUT:
      SET_NUMBER (self->cpp_timeout, g_value_get_double (value), prop_id);
      break;
    case PROP_TOLERANCE:
      SET_NUMBER (self->tolerance, g_value_get_double (value), prop_id);
      break;
    case PROP_HINTS_FOR_CLI:
      SET_NUMBER (self->hints_for_cli, g_value_get_boolean (value), prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_run_config_class_init (KilnRunConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  KilnRunLimits cpp, python;

  kiln_run_limits_init_default (&cpp, KILN_LANGUAGE_CPP);
  kiln_run_limits_init_default (&python, KILN_LANGUAGE_PYTHON);

  object_class->finalize = kiln_run_config_finalize;
  object_class->get_property = kiln_run_config_get_property;
  object_class->set_property = kiln_run_config_set_property;

  properties[PROP_PYTHON_INTERPRETER] =
    g_param_spec_string ("python-interpreter", NULL, NULL, "", flags);
  properties[PROP_COMPILER] =
    g_param_spec_string ("compiler", NULL, NULL, "auto", flags);
  properties[PROP_COMPILER_FLAGS] =
    g_param_spec_string ("compiler-flags", NULL, NULL, "", flags);
  properties[PROP_SANDBOX] =
    g_param_spec_boolean ("sandbox", NULL, NULL, TRUE, flags);
  properties[PROP_RUN_TIMEOUT] =
    g_param_spec_double ("run-timeout", NULL, NULL, 0.001, 24 * 3600,
                         python.timeout_ms / 1000.0, flags);
  properties[PROP_OUTPUT_CAP_KIB] =
    g_param_spec_uint ("output-cap-kib", NULL, NULL, 1, G_MAXUINT / 1024,
                       (guint) (python.output_cap / 1024), flags);
  properties[PROP_CPP_REPEAT] =
    g_param_spec_uint ("cpp-repeat", NULL, NULL, 1, 1000, cpp.max_runs, flags);
  properties[PROP_CPP_TIME_BUDGET] =
    g_param_spec_double ("cpp-time-budget", NULL, NULL, 0, 3600,
                         cpp.time_budget_ms / 1000.0, flags);
  properties[PROP_PYTHON_REPEAT] =
    g_param_spec_uint ("python-repeat", NULL, NULL, 1, 1000, python.max_runs, flags);
  properties[PROP_TIMING_PATTERNS] =
    g_param_spec_boxed ("timing-patterns", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL, 1, 100, 3, flags);
  properties[PROP_AUTO_VERIFY] =
    g_param_spec_boolean ("auto-verify", NULL, NULL, TRUE, flags);
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_double ("idle-timeout", NULL, NULL, 0.1, 24 * 3600, 60, flags);
  properties[PROP_PYTHON_TIME_BUDGET] =
    g_param_spec_double ("python-time-budget", NULL, NULL, 0, 3600,
                         python.time_budget_ms / 1000.0, flags);
  properties[PROP_CPP_TIMEOUT] =
    g_param_spec_double ("cpp-timeout", NULL, NULL, 0, 24 * 3600, 0, flags);
  properties[PROP_TOLERANCE] =
    g_param_spec_double ("tolerance", NULL, NULL, 0, 1, 0, flags);
  properties[PROP_HINTS_FOR_CLI] =
    g_param_spec_boolean ("hints-for-cli", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kiln_run_config_init (KilnRunConfig *self)
{
  KilnRunLimits cpp, python;

  kiln_run_limits_init_default (&cpp, KILN_LANGUAGE_CPP);
  kiln_run_limits_init_default (&python, KILN_LANGUAGE_PYTHON);

  self->python_interpreter = g_strdup ("");
  self->compiler = g_strdup ("auto");
  self->compiler_flags = g_strdup ("");
  self->sandbox = TRUE;
  self->run_timeout = python.timeout_ms / 1000.0;
  self->output_cap_kib = (guint) (python.output_cap / 1024);
  self->cpp_repeat = cpp.max_runs;
  self->cpp_time_budget = cpp.time_budget_ms / 1000.0;
  self->python_repeat = python.max_runs;
  self->max_attempts = 3;
  self->auto_verify = TRUE;
  self->idle_timeout = 60;
  self->python_time_budget = python.time_budget_ms / 1000.0;
  self->cpp_timeout = 0;
  self->tolerance = 0;
}

KilnRunConfig *
kiln_run_config_new (void)
{
  return g_object_new (KILN_TYPE_RUN_CONFIG, NULL);
}

double
kiln_run_config_get_run_timeout (KilnRunConfig *self)
{
  g_return_val_if_fail (KILN_IS_RUN_CONFIG (self), 0);
  return self->run_timeout;
}

guint
kiln_run_config_get_max_attempts (KilnRunConfig *self)
{
  g_return_val_if_fail (KILN_IS_RUN_CONFIG (self), 0);
  return self->max_attempts;
}

gboolean
kiln_run_config_get_auto_verify (KilnRunConfig *self)
{
  g_return_val_if_fail (KILN_IS_RUN_CONFIG (self), FALSE);
  return self->auto_verify;
}

double
kiln_run_config_get_idle_timeout (KilnRunConfig *self)
{
  g_return_val_if_fail (KILN_IS_RUN_CONFIG (self), 0);
  return self->idle_timeout;
}

const char * const *
kiln_run_config_get_timing_patterns (KilnRunConfig *self)
{
  g_return_val_if_fail (KILN_IS_RUN_CONFIG (self), NULL);

  if (self->timing_patterns == NULL)
    return kiln_timing_mask_default_patterns ();
  return (const char * const *) self->timing_patterns;
}

void
kiln_run_config_fill_limits (KilnRunConfig *self,
                             KilnLanguage   language,
                             KilnRunLimits *limits)
{
  g_return_if_fail (KILN_IS_RUN_CONFIG (self));
  g_return_if_fail (limits != NULL);

  kiln_run_limits_init_default (limits, language);
  limits->timeout_ms = (guint) MIN (self->run_timeout * 1000.0 + 0.5, (double) G_MAXUINT);
  limits->output_cap = (gsize) self->output_cap_kib * 1024;
  limits->timeout_hint_cli = self->hints_for_cli;

  if (language == KILN_LANGUAGE_CPP)
    {
      limits->max_runs = self->cpp_repeat;
      limits->time_budget_ms = (guint) MIN (self->cpp_time_budget * 1000.0, (double) G_MAXUINT);
    }
  else
    {
      limits->max_runs = self->python_repeat;
      limits->time_budget_ms = (guint) MIN (self->python_time_budget * 1000.0,
                                            (double) G_MAXUINT);
    }
}

double
kiln_run_config_get_cpp_timeout (KilnRunConfig *self)
{
  g_return_val_if_fail (KILN_IS_RUN_CONFIG (self), 0);
  return self->cpp_timeout;
}

double
kiln_run_config_get_tolerance (KilnRunConfig *self)
{
  g_return_val_if_fail (KILN_IS_RUN_CONFIG (self), 0);
  return self->tolerance;
}

KilnTimingMask *
kiln_run_config_dup_timing_mask (KilnRunConfig  *self,
                                 GError        **error)
{
  g_return_val_if_fail (KILN_IS_RUN_CONFIG (self), NULL);

  if (self->mask == NULL)
    self->mask = kiln_timing_mask_new (kiln_run_config_get_timing_patterns (self), error);

  return self->mask != NULL ? kiln_timing_mask_ref (self->mask) : NULL;
}

JsonNode *
kiln_run_config_to_json (KilnRunConfig *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree GParamSpec **specs = NULL;
  guint n_specs;

  g_return_val_if_fail (KILN_IS_RUN_CONFIG (self), NULL);

  specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_specs);
  json_builder_begin_object (builder);
  for (guint i = 0; i < n_specs; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, specs[i]->value_type);
      g_object_get_property (G_OBJECT (self), specs[i]->name, &value);
      json_builder_set_member_name (builder, specs[i]->name);

      if (G_VALUE_HOLDS_STRING (&value))
        json_builder_add_string_value (builder, g_value_get_string (&value));
      else if (G_VALUE_HOLDS_BOOLEAN (&value))
        json_builder_add_boolean_value (builder, g_value_get_boolean (&value));
      else if (G_VALUE_HOLDS_UINT (&value))
        json_builder_add_int_value (builder, g_value_get_uint (&value));
      else if (G_VALUE_HOLDS_DOUBLE (&value))
        json_builder_add_double_value (builder, g_value_get_double (&value));
      else if (G_VALUE_HOLDS (&value, G_TYPE_STRV))
        {
          const char * const *strv = g_value_get_boxed (&value);

          json_builder_begin_array (builder);
          for (guint j = 0; strv != NULL && strv[j] != NULL; j++)
            json_builder_add_string_value (builder, strv[j]);
          json_builder_end_array (builder);
        }
      else
        g_assert_not_reached ();
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

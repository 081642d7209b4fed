/* kiln-program.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-error.h"
#include "kiln-format.h"
#include "kiln-hardcode.h"
#include "kiln-input-cases.h"
#include "kiln-program.h"

/* An automatic C++ timeout is this multiple of the original's slowest run... */
#define CPP_TIMEOUT_FACTOR 2.0
/* ...and never shorter than this (seconds): compiler caches, a cold disk, a busy machine. */
#define CPP_TIMEOUT_MIN 10.0

struct _KilnProgram
{
  GObject          parent_instance;

  KilnToolchain   *toolchain;
  KilnLanguage     language;
  char            *source;
  char           **cases;
  GPtrArray       *references;     /* KilnReference or NULL, one per case */

  KilnRunLimits    original_limits;
  KilnRunLimits    cpp_limits;
  double           cpp_timeout;    /* seconds; 0: automatic */
  KilnTimingMask  *mask;
  double           tolerance;
  double           startup_floor;
};

G_DEFINE_FINAL_TYPE (KilnProgram, kiln_program, G_TYPE_OBJECT)

/* --- KilnVerification --------------------------------------------------------------------- */

static KilnVerification *
kiln_verification_new (void)
{
  KilnVerification *self = g_new0 (KilnVerification, 1);

  g_atomic_ref_count_init (&self->ref_count);
  return self;
}

KilnVerification *
kiln_verification_ref (KilnVerification *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
kiln_verification_unref (KilnVerification *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_error (&self->error);
  g_clear_pointer (&self->compile, kiln_compile_result_unref);
  g_clear_pointer (&self->cpp, kiln_run_result_unref);
  g_clear_pointer (&self->python, kiln_run_result_unref);
  g_clear_pointer (&self->comparison, kiln_comparison_free);
  g_clear_pointer (&self->failed, kiln_comparison_free);
  g_clear_pointer (&self->failed_run, kiln_run_result_unref);
  g_free (self->suspicious);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (KilnVerification, kiln_verification,
                     kiln_verification_ref, kiln_verification_unref)

gboolean
kiln_verification_verified (KilnVerification *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->check == KILN_CHECK_MATCHED || self->check == KILN_CHECK_MATCHED_WITHIN_TOLERANCE;
}

double
kiln_verification_get_speedup (KilnVerification *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (!kiln_verification_verified (self) || self->comparison == NULL)
    return 0;
  return self->comparison->speedup;
}

double
kiln_verification_get_cpp_seconds (KilnVerification *self)
{
  double median;

  g_return_val_if_fail (self != NULL, -1);

  if (self->cpp == NULL)
    return -1;
  if (self->comparison != NULL && self->comparison->basis == KILN_SPEEDUP_BASIS_CPU &&
      kiln_run_result_get_cpu (self->cpp, &median, NULL, NULL))
    return median;
  if (kiln_run_result_get_wall (self->cpp, &median, NULL, NULL))
    return median;
  return -1;
}

static const char *
check_to_string (KilnCheck check)
{
  switch (check)
    {
    case KILN_CHECK_MATCHED: return "matched";
    case KILN_CHECK_MATCHED_WITHIN_TOLERANCE: return "matched-within-tolerance";
    case KILN_CHECK_HARD_CODED: return "hard-coded";
    case KILN_CHECK_OUTPUT_DIFFERS: return "output-differs";
    case KILN_CHECK_COMPILE_ERROR: return "compile-error";
    case KILN_CHECK_RUNTIME_ERROR: return "runtime-error";
    case KILN_CHECK_TIMED_OUT: return "timed-out";
    case KILN_CHECK_ORIGINAL_FAILED: return "original-failed";
    case KILN_CHECK_NO_COMPILER: return "no-compiler";
    default: return "error";
    }
}

JsonNode *
kiln_verification_to_json (KilnVerification *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  if (self->comparison != NULL)
    kiln_comparison_add_json_members (self->comparison, builder,
                                      kiln_verification_verified (self));
  else
    {
      json_builder_set_member_name (builder, "python");
      if (self->python != NULL)
        json_builder_add_value (builder, kiln_run_result_to_json (self->python));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "cpp");
      if (self->cpp != NULL)
        json_builder_add_value (builder, kiln_run_result_to_json (self->cpp));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "outputs_match");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_set_member_name (builder, "first_difference");
      json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "speedup");
      json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "speedup_is_lower_bound");
      json_builder_add_boolean_value (builder, FALSE);
    }

  /* A hidden case's difference is the first difference. */
  if (self->failed != NULL && self->failed != self->comparison && self->failed->diff != NULL &&
      !self->failed->diff->match)
    {
      json_builder_set_member_name (builder, "first_difference");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, self->failed->diff->line);
      json_builder_set_member_name (builder, "column");
      json_builder_add_int_value (builder, self->failed->diff->column);
      json_builder_set_member_name (builder, "python");
      if (self->failed->diff->reference != NULL)
        json_builder_add_string_value (builder, self->failed->diff->reference);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "cpp");
      if (self->failed->diff->candidate != NULL)
        json_builder_add_string_value (builder, self->failed->diff->candidate);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "verified");
  json_builder_add_boolean_value (builder, kiln_verification_verified (self));
  json_builder_set_member_name (builder, "check");
  json_builder_add_string_value (builder, check_to_string (self->check));
  json_builder_set_member_name (builder, "suspicious");
  if (self->suspicious != NULL)
    json_builder_add_string_value (builder, self->suspicious);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "cases");
  json_builder_add_int_value (builder, self->n_cases);
  json_builder_set_member_name (builder, "failed_case");
  if (self->failed_case > 0)
    json_builder_add_int_value (builder, self->failed_case);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "error");
  if (self->error != NULL)
    json_builder_add_string_value (builder, self->error->message);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* --- KilnProgram ---------------------------------------------------------------------------- */

static void
kiln_program_finalize (GObject *object)
{
  KilnProgram *self = (KilnProgram *) object;

  g_clear_object (&self->toolchain);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->cases, g_strfreev);
  g_clear_pointer (&self->references, g_ptr_array_unref);
  g_clear_pointer (&self->mask, kiln_timing_mask_unref);

  G_OBJECT_CLASS (kiln_program_parent_class)->finalize (object);
}

static void
kiln_program_class_init (KilnProgramClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_program_finalize;
}

static void
kiln_program_init (KilnProgram *self)
{
  kiln_run_limits_init_default (&self->original_limits, KILN_LANGUAGE_PYTHON);
  kiln_run_limits_init_default (&self->cpp_limits, KILN_LANGUAGE_CPP);
}

static void
unref_reference (gpointer reference)
{
  if (reference != NULL)
    g_object_unref (reference);
}

static char **
copy_cases (const char * const *cases)
{
  if (cases == NULL || cases[0] == NULL)
    return g_strdupv ((char *[]) { (char *) "", NULL });
  return g_strdupv ((char **) cases);
}

KilnProgram *
kiln_program_new (KilnToolchain      *toolchain,
                  KilnLanguage        language,
                  const char         *source,
                  const char * const *cases)
{
  KilnProgram *self;

  g_return_val_if_fail (KILN_IS_TOOLCHAIN (toolchain), NULL);
  g_return_val_if_fail (source != NULL, NULL);

  self = g_object_new (KILN_TYPE_PROGRAM, NULL);
  self->toolchain = g_object_ref (toolchain);
  self->language = language;
  self->source = g_strdup (source);
  self->cases = copy_cases (cases);
  self->references = g_ptr_array_new_with_free_func (unref_reference);
  for (guint i = 0; self->cases[i] != NULL; i++)
    g_ptr_array_add (self->references, NULL);

  return self;
}

KilnToolchain *
kiln_program_get_toolchain (KilnProgram *self)
{
  g_return_val_if_fail (KILN_IS_PROGRAM (self), NULL);
  return self->toolchain;
}

KilnLanguage
kiln_program_get_language (KilnProgram *self)
{
  g_return_val_if_fail (KILN_IS_PROGRAM (self), KILN_LANGUAGE_PYTHON);
  return self->language;
}

const char *
kiln_program_get_source (KilnProgram *self)
{
  g_return_val_if_fail (KILN_IS_PROGRAM (self), NULL);
  return self->source;
}

guint
kiln_program_get_n_cases (KilnProgram *self)
{
  g_return_val_if_fail (KILN_IS_PROGRAM (self), 0);
  return g_strv_length (self->cases);
}

const char *
kiln_program_get_case (KilnProgram *self,
                       guint        index)
{
  g_return_val_if_fail (KILN_IS_PROGRAM (self), NULL);
  g_return_val_if_fail (index < g_strv_length (self->cases), NULL);
  return self->cases[index];
}

const char * const *
kiln_program_get_cases (KilnProgram *self)
{
  g_return_val_if_fail (KILN_IS_PROGRAM (self), NULL);
  return (const char * const *) self->cases;
}

gboolean
kiln_program_matches (KilnProgram        *self,
                      KilnLanguage        language,
                      const char         *source,
                      const char * const *cases)
{
  g_auto(GStrv) wanted = copy_cases (cases);

  g_return_val_if_fail (KILN_IS_PROGRAM (self), FALSE);

  return self->language == language && g_strcmp0 (self->source, source) == 0 &&
         g_strv_equal ((const char * const *) wanted, (const char * const *) self->cases);
}

void
kiln_program_apply_config (KilnProgram   *self,
                           KilnRunConfig *config)
{
  g_autoptr(KilnTimingMask) mask = NULL;

  g_return_if_fail (KILN_IS_PROGRAM (self));
  g_return_if_fail (KILN_IS_RUN_CONFIG (config));

  /* From C++, the original runs as the reference with the C++ limits. */
  kiln_run_config_fill_limits (config, self->language, &self->original_limits);
  kiln_run_config_fill_limits (config, KILN_LANGUAGE_CPP, &self->cpp_limits);
  self->cpp_timeout = kiln_run_config_get_cpp_timeout (config);
  self->tolerance = kiln_run_config_get_tolerance (config);

  /* An invalid pattern was reported where it was typed; here it masks nothing. */
  mask = kiln_run_config_dup_timing_mask (config, NULL);
  if (mask == NULL)
    mask = kiln_timing_mask_new ((const char * const[]) { NULL }, NULL);
  g_clear_pointer (&self->mask, kiln_timing_mask_unref);
  self->mask = g_steal_pointer (&mask);
}

void
kiln_program_set_limits (KilnProgram         *self,
                         const KilnRunLimits *original,
                         const KilnRunLimits *cpp,
                         KilnTimingMask      *mask)
{
  g_return_if_fail (KILN_IS_PROGRAM (self));

  if (original != NULL)
    self->original_limits = *original;
  if (cpp != NULL)
    {
      self->cpp_limits = *cpp;
      /* Given limits are meant as they are. */
      self->cpp_timeout = cpp->timeout_ms / 1000.0;
    }
  g_clear_pointer (&self->mask, kiln_timing_mask_unref);
  self->mask = mask != NULL ? kiln_timing_mask_ref (mask) : NULL;
}

void
kiln_program_set_startup_floor (KilnProgram *self,
                                double       seconds)
{
  g_return_if_fail (KILN_IS_PROGRAM (self));
  self->startup_floor = seconds;
}

static void
original_limits_for (KilnProgram   *self,
                     guint          index,
                     KilnRunLimits *limits)
{
  *limits = self->original_limits;
  /* Only the shown case is timed; a hidden one only needs its output. */
  if (index > 0)
    limits->max_runs = 1;
}

KilnReference *
kiln_program_get_reference (KilnProgram *self,
                            guint        index)
{
  g_autoptr(GBytes) input = NULL;
  KilnReference *reference;
  KilnRunLimits limits;

  g_return_val_if_fail (KILN_IS_PROGRAM (self), NULL);
  g_return_val_if_fail (index < self->references->len, NULL);

  original_limits_for (self, index, &limits);
  if (*self->cases[index] != '\0')
    input = g_bytes_new (self->cases[index], strlen (self->cases[index]));

  reference = g_ptr_array_index (self->references, index);
  if (reference == NULL ||
      !kiln_reference_matches (reference, self->language, self->source, input, &limits))
    {
      reference = kiln_reference_new (self->toolchain, self->language, self->source, input,
                                      &limits);
      if (self->references->pdata[index] != NULL)
        g_object_unref (self->references->pdata[index]);
      self->references->pdata[index] = reference;
    }

  return reference;
}

void
kiln_program_get_cpp_limits (KilnProgram   *self,
                             guint          index,
                             KilnRunLimits *limits)
{
  KilnReference *reference;
  KilnRunResult *original;
  double slowest = 0;

  g_return_if_fail (KILN_IS_PROGRAM (self));
  g_return_if_fail (limits != NULL);

  *limits = self->cpp_limits;
  limits->timeout_relative_to = 0;
  if (index > 0)
    limits->max_runs = 1;

  if (self->cpp_timeout > 0)
    {
      limits->timeout_ms = (guint) MIN (self->cpp_timeout * 1000.0 + 0.5, (double) G_MAXUINT);
      return;
    }

  reference = index < self->references->len ? g_ptr_array_index (self->references, index)
                                            : NULL;
  original = reference != NULL ? kiln_reference_get_result (reference) : NULL;
  if (original != NULL && original->ok &&
      kiln_run_result_get_wall (original, NULL, NULL, &slowest))
    {
      double seconds = MAX (slowest * CPP_TIMEOUT_FACTOR, CPP_TIMEOUT_MIN);

      if (seconds * 1000.0 < limits->timeout_ms)
        {
          limits->timeout_ms = (guint) (seconds * 1000.0 + 0.5);
          limits->timeout_relative_to = slowest;
        }
    }
}

/* --- verifying ------------------------------------------------------------------------------ */

typedef struct
{
  char             *source;
  KilnVerification *verification;
  guint             index;        /* the case under way */
  KilnVerifyProgress progress;
  gpointer          progress_data;
  GDestroyNotify    progress_data_free;
} Verify;

static void
step (Verify         *verify,
      KilnVerifyStep  what)
{
  if (verify->progress != NULL)
    verify->progress (what, verify->index, verify->progress_data);
}

static void
verify_free (gpointer data)
{
  Verify *verify = data;

  g_free (verify->source);
  g_clear_pointer (&verify->verification, kiln_verification_unref);
  if (verify->progress_data_free != NULL)
    verify->progress_data_free (verify->progress_data);
  g_free (verify);
}

static void run_case (GTask *task);

static void
finish (GTask     *task,
        KilnCheck  check,
        GError    *error)
{
  Verify *verify = g_task_get_task_data (task);

  verify->verification->check = check;
  g_clear_error (&verify->verification->error);
  verify->verification->error = error;
  g_task_return_pointer (task, kiln_verification_ref (verify->verification),
                         (GDestroyNotify) kiln_verification_unref);
}

static KilnCheck
check_for_failed_run (KilnRunResult *cpp)
{
  if (g_error_matches (cpp->error, KILN_ERROR, KILN_ERROR_TIMED_OUT))
    return KILN_CHECK_TIMED_OUT;
  return KILN_CHECK_RUNTIME_ERROR;
}

static void
hidden_failure (GTask     *task,
                KilnCheck  check,
                const char *what)
{
  Verify *verify = g_task_get_task_data (task);
  guint number = verify->index + 1;

  verify->verification->failed_case = number;
  /* It ran on this one too. */
  verify->verification->n_cases = number;
  finish (task, check,
          g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                       /* Translators: %u is the number of an input case (2 or more); %s says
                          what went wrong */
                       _("The C++ matched the input it was shown, but not hidden input %u: %s"),
                       number, what));
}

static void
all_cases_agree (GTask *task)
{
  KilnProgram *self = g_task_get_source_object (task);
  Verify *verify = g_task_get_task_data (task);
  KilnVerification *verification = verify->verification;
  g_autofree char *expected = kiln_run_result_dup_stdout (verification->python);
  char *suspicious;

  suspicious = kiln_hardcode_check (verify->source, expected, self->source,
                                    (const char * const *) self->cases);
  if (suspicious != NULL)
    {
      verification->suspicious = suspicious;
      finish (task, KILN_CHECK_HARD_CODED,
              g_error_new_literal (KILN_ERROR, KILN_ERROR_FAILED, suspicious));
      return;
    }

  if (kiln_comparison_matches (verification->comparison))
    finish (task, KILN_CHECK_MATCHED, NULL);
  else
    finish (task, KILN_CHECK_MATCHED_WITHIN_TOLERANCE, NULL);
}

static void
compare_case (GTask         *task,
              KilnRunResult *original,
              KilnRunResult *cpp)
{
  KilnProgram *self = g_task_get_source_object (task);
  Verify *verify = g_task_get_task_data (task);
  KilnVerification *verification = verify->verification;
  KilnCompareOptions options = { self->tolerance, self->startup_floor };
  KilnComparison *comparison;

  if (options.startup_floor <= 0)
    options.startup_floor = kiln_toolchain_get_startup_floor (self->toolchain);

  comparison = kiln_comparison_new_full (original, cpp, self->mask, &options);
  if (verify->index == 0)
    verification->comparison = comparison;

  if (!kiln_comparison_agrees (comparison))
    {
      guint line = comparison->diff != NULL ? comparison->diff->line : 0;

      if (verify->index == 0)
        {
          verification->failed_case = 1;
          verification->n_cases = 1;
          verification->failed = NULL;
          finish (task, KILN_CHECK_OUTPUT_DIFFERS,
                  g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                               _("The outputs differ, first on line %u."), line));
        }
      else
        {
          g_autofree char *what = g_strdup_printf (_("the outputs differ, first on line %u"),
                                                   line);

          verification->failed = comparison;
          hidden_failure (task, KILN_CHECK_OUTPUT_DIFFERS, what);
        }
      return;
    }

  if (verify->index > 0)
    kiln_comparison_free (comparison);

  verify->index++;
  verification->n_cases = verify->index;
  if (verify->index < g_strv_length (self->cases))
    run_case (task);
  else
    all_cases_agree (task);
}

typedef struct
{
  GTask         *task;
  KilnRunResult *original;
} CaseRun;

static void
cpp_ran_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  CaseRun *run = user_data;
  g_autoptr(GTask) task = run->task;
  g_autoptr(KilnRunResult) original = run->original;
  Verify *verify = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnRunResult) cpp = NULL;

  g_free (run);
  cpp = kiln_toolchain_run_compiled_finish (KILN_TOOLCHAIN (object), res, &error);
  if (cpp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (verify->index == 0)
    verify->verification->cpp = kiln_run_result_ref (cpp);

  if (!cpp->ok)
    {
      if (verify->index == 0)
        {
          verify->verification->failed_case = 1;
          verify->verification->n_cases = 1;
          finish (task, check_for_failed_run (cpp),
                  cpp->error != NULL ? g_error_copy (cpp->error)
                                     : g_error_new_literal (KILN_ERROR, KILN_ERROR_FAILED,
                                                            _("The C++ program failed.")));
        }
      else
        {
          verify->verification->failed_run = kiln_run_result_ref (cpp);
          hidden_failure (task, check_for_failed_run (cpp), cpp->error->message);
        }
      return;
    }

  compare_case (task, original, cpp);
}

static void
original_ran_cb (GObject      *object,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KilnProgram *self = g_task_get_source_object (task);
  Verify *verify = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  KilnRunResult *original;
  g_autoptr(GBytes) input = NULL;
  KilnRunLimits limits;
  CaseRun *run;

  original = kiln_reference_run_finish (KILN_REFERENCE (object), res, &error);
  if (original == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (verify->index == 0)
    verify->verification->python = kiln_run_result_ref (original);

  if (!original->ok)
    {
      /* Nothing to compare with: the original itself failed. Not the translation's fault. */
      verify->verification->failed_case = verify->index + 1;
      verify->verification->n_cases = verify->index + 1;
      if (verify->index == 0)
        finish (task, KILN_CHECK_ORIGINAL_FAILED,
                g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                             self->language == KILN_LANGUAGE_PYTHON
                             ? _("The Python program the C++ is compared with failed: %s")
                             : _("The original program the new C++ is compared with failed: %s"),
                             original->error->message));
      else
        finish (task, KILN_CHECK_ORIGINAL_FAILED,
                g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                             _("The original program failed on hidden input %u, so the C++ "
                               "cannot be checked on it: %s"),
                             verify->index + 1, original->error->message));
      kiln_run_result_unref (original);
      return;
    }

  kiln_program_get_cpp_limits (self, verify->index, &limits);
  if (*self->cases[verify->index] != '\0')
    input = g_bytes_new (self->cases[verify->index], strlen (self->cases[verify->index]));

  step (verify, KILN_VERIFY_STEP_RUNNING_CPP);
  run = g_new0 (CaseRun, 1);
  run->original = original;
  run->task = g_object_ref (task);
  kiln_toolchain_run_compiled_async (self->toolchain, verify->verification->compile, input,
                                     &limits, g_task_get_cancellable (run->task), cpp_ran_cb,
                                     run);
}

static void
run_case (GTask *task)
{
  KilnProgram *self = g_task_get_source_object (task);
  Verify *verify = g_task_get_task_data (task);
  KilnReference *reference = kiln_program_get_reference (self, verify->index);

  if (kiln_reference_get_result (reference) == NULL)
    step (verify, KILN_VERIFY_STEP_RUNNING_ORIGINAL);
  kiln_reference_run_async (reference,
                            g_task_get_cancellable (task), original_ran_cb,
                            g_object_ref (task));
}

static void
compiled (GTask             *task,
          KilnCompileResult *compile)
{
  Verify *verify = g_task_get_task_data (task);

  verify->verification->compile = kiln_compile_result_ref (compile);
  if (!compile->ok)
    {
      finish (task, KILN_CHECK_COMPILE_ERROR,
              g_error_new_literal (KILN_ERROR, KILN_ERROR_COMPILE_FAILED,
                                   _("The C++ code did not compile.")));
      return;
    }

  run_case (task);
}

static void
compiled_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnCompileResult) compile = NULL;

  compile = kiln_toolchain_compile_finish (KILN_TOOLCHAIN (object), res, &error);
  if (compile == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        finish (task, KILN_CHECK_NO_COMPILER, g_steal_pointer (&error));
      return;
    }

  compiled (task, compile);
}

static void
floor_measured_cb (GObject      *object,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KilnProgram *self = g_task_get_source_object (task);
  Verify *verify = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* Without a floor the fixed rule stands in; only Stop ends the verification here. */
  kiln_toolchain_measure_startup_finish (KILN_TOOLCHAIN (object), res, &error);
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_error_if_cancelled (task);
      return;
    }

  if (verify->verification->compile != NULL)
    {
      g_autoptr(KilnCompileResult) compile = g_steal_pointer (&verify->verification->compile);

      compiled (task, compile);
    }
  else
    {
      step (verify, KILN_VERIFY_STEP_COMPILING);
      kiln_toolchain_compile_async (self->toolchain, verify->source, cancellable, compiled_cb,
                                    g_object_ref (task));
    }
}

void
kiln_program_verify_async (KilnProgram         *self,
                           const char          *cpp_source,
                           KilnCompileResult   *compiled_result,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  kiln_program_verify_full_async (self, cpp_source, compiled_result, NULL, NULL, NULL,
                                  cancellable, callback, user_data);
}

void
kiln_program_verify_full_async (KilnProgram         *self,
                                const char          *cpp_source,
                                KilnCompileResult   *compiled_result,
                                KilnVerifyProgress   progress,
                                gpointer             progress_data,
                                GDestroyNotify       progress_data_free,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Verify *verify;

  g_return_if_fail (KILN_IS_PROGRAM (self));
  g_return_if_fail (cpp_source != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_program_verify_async);
  verify = g_new0 (Verify, 1);
  verify->source = g_strdup (cpp_source);
  verify->verification = kiln_verification_new ();
  verify->progress = progress;
  verify->progress_data = progress_data;
  verify->progress_data_free = progress_data_free;
  if (compiled_result != NULL)
    verify->verification->compile = kiln_compile_result_ref (compiled_result);
  g_task_set_task_data (task, verify, verify_free);

  /* The start-up floor is measured once per toolchain (and shared by every caller). */
  kiln_toolchain_measure_startup_async (self->toolchain, cancellable, floor_measured_cb,
                                        g_steal_pointer (&task));
}

KilnVerification *
kiln_program_verify_finish (KilnProgram   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (KILN_IS_PROGRAM (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- deriving hidden cases ------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *candidates;  /* KilnDerivedCase */
  GPtrArray *kept;
  guint      next;
} Derive;

static void
derive_free (gpointer data)
{
  Derive *derive = data;

  g_ptr_array_unref (derive->candidates);
  g_ptr_array_unref (derive->kept);
  g_free (derive);
}

static void derive_next (GTask *task);

static void
derived_ran_cb (GObject      *object,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Derive *derive = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnRunResult) result = NULL;

  result = kiln_toolchain_run_finish (KILN_TOOLCHAIN (object), res, &error);
  if (result == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Only inputs the original accepts can check a translation. */
  if (result->ok)
    g_ptr_array_add (derive->kept,
                     g_ptr_array_steal_index (derive->candidates, derive->next));
  else
    derive->next++;
  derive_next (task);
}

static void
derive_next (GTask *task)
{
  KilnProgram *self = g_task_get_source_object (task);
  Derive *derive = g_task_get_task_data (task);
  KilnDerivedCase *candidate;
  g_autoptr(GBytes) input = NULL;
  KilnRunLimits limits;

  if (derive->next >= derive->candidates->len)
    {
      g_task_return_pointer (task, g_ptr_array_ref (derive->kept),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  candidate = g_ptr_array_index (derive->candidates, derive->next);
  input = g_bytes_new (candidate->text, strlen (candidate->text));
  original_limits_for (self, 1, &limits);
  kiln_toolchain_run_async (self->toolchain, self->language, self->source, input, &limits,
                            g_task_get_cancellable (task), derived_ran_cb, g_object_ref (task));
}

void
kiln_program_derive_cases_async (KilnProgram         *self,
                                 guint                max,
                                 guint32              seed,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Derive *derive;

  g_return_if_fail (KILN_IS_PROGRAM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kiln_program_derive_cases_async);
  derive = g_new0 (Derive, 1);
  derive->candidates = *self->cases[0] != '\0'
                       ? kiln_input_cases_derive (self->cases[0], seed, max)
                       : g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_derived_case_free);
  derive->kept = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_derived_case_free);
  g_task_set_task_data (task, derive, derive_free);
  derive_next (task);
}

GPtrArray *
kiln_program_derive_cases_finish (KilnProgram   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (KILN_IS_PROGRAM (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

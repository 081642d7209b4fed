/* kiln-conversion.c: one conversion — stream the C++ from a model, prove it, repair it
 *
 * Attempt 1 sends the system and user prompts. Its answer streams through the code
 * extractor (code to the editor, prose to the notes). When the stream ends the code is
 * compiled and run, the Python program is run (once: its result is reused), and the outputs
 * are compared. A failure continues the same chat with the matching repair prompt, until an
 * attempt succeeds, the limit is reached, or the person stops it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/utsname.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "kiln-chat-stream.h"
#include "kiln-code-extractor.h"
#include "kiln-conversion.h"
#include "kiln-error.h"
#include "kiln-prompt.h"

#define DIAGNOSTICS_MAX 6000
#define STDERR_TAIL_MAX 2000
#define LINE_MAX_CHARS 500

struct _KilnConversion
{
  GObject            parent_instance;

  KilnToolchain     *toolchain;
  KilnModel         *model;
  char              *api_key;
  KilnLanguage       language;
  char              *source;
  GBytes            *input;
  SoupSession       *session;
  guint              max_attempts;
  gboolean           compile;
  gboolean           run;
  KilnRunLimits      python_limits;
  KilnRunLimits      cpp_limits;
  KilnTimingMask    *mask;
  KilnRunResult     *python;
  char              *prompts_dir;
  double             idle_timeout;

  /* The run */
  GTask             *task;
  GCancellable      *cancellable;
  GHashTable        *prompts;        /* name -> template text */
  GHashTable        *platform;       /* placeholder -> value */
  GPtrArray         *messages;       /* KilnChatMessage: the whole chat so far */
  GPtrArray         *attempts;       /* KilnAttempt */
  KilnAttempt       *attempt;        /* the one under way */
  KilnChatStream    *stream;
  KilnCodeExtractor *extractor;
  gint64             started;
  gint64             ended;
};

G_DEFINE_FINAL_TYPE (KilnConversion, kiln_conversion, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (KilnAttempt, kiln_attempt, kiln_attempt_ref, kiln_attempt_unref)

enum {
  ANSWER_DELTA,
  ATTEMPT_STARTED,
  CODE_CHANGED,
  NOTES_DELTA,
  REASONING_DELTA,
  PHASE_CHANGED,
  RETRYING,
  ATTEMPT_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_attempt (KilnConversion *self, KilnAttemptReason repairing);

const char *
kiln_attempt_reason_to_string (KilnAttemptReason reason)
{
  switch (reason)
    {
    case KILN_ATTEMPT_OK:
      return NULL;
    case KILN_ATTEMPT_COMPILE_ERROR:
      return "compile_error";
    case KILN_ATTEMPT_RUNTIME_ERROR:
      return "runtime_error";
    case KILN_ATTEMPT_TIMEOUT:
      return "timeout";
    case KILN_ATTEMPT_OUTPUT_DIFFERS:
      return "output_differs";
    case KILN_ATTEMPT_NO_CODE:
      return "no_code";
    case KILN_ATTEMPT_STREAM_FAILED:
      return "stream_failed";
    default:
      g_return_val_if_reached (NULL);
    }
}

static KilnAttempt *
kiln_attempt_new (guint             number,
                  KilnAttemptReason repairing)
{
  KilnAttempt *self = g_new0 (KilnAttempt, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->number = number;
  self->repairing = repairing;
  self->input_tokens = -1;
  self->output_tokens = -1;
  self->ttft_seconds = -1;
  self->cost_usd = -1;
  self->answer = g_strdup ("");
  self->code = g_strdup ("");
  self->notes = g_strdup ("");
  self->reasoning = g_strdup ("");

  return self;
}

KilnAttempt *
kiln_attempt_ref (KilnAttempt *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
kiln_attempt_unref (KilnAttempt *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->answer);
  g_free (self->code);
  g_free (self->notes);
  g_free (self->reasoning);
  g_clear_error (&self->error);
  g_clear_pointer (&self->cpp, kiln_run_result_unref);
  g_clear_pointer (&self->comparison, kiln_comparison_free);
  g_free (self);
}

/* --- object ----------------------------------------------------------------------------- */

static void
kiln_conversion_dispose (GObject *object)
{
  KilnConversion *self = (KilnConversion *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (kiln_conversion_parent_class)->dispose (object);
}

static void
kiln_conversion_finalize (GObject *object)
{
  KilnConversion *self = (KilnConversion *) object;

  g_clear_object (&self->toolchain);
  g_clear_pointer (&self->model, kiln_model_unref);
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->input, g_bytes_unref);
  g_clear_object (&self->session);
  g_clear_pointer (&self->mask, kiln_timing_mask_unref);
  g_clear_pointer (&self->python, kiln_run_result_unref);
  g_clear_pointer (&self->prompts_dir, g_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->prompts, g_hash_table_unref);
  g_clear_pointer (&self->platform, g_hash_table_unref);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->attempts, g_ptr_array_unref);
  g_clear_pointer (&self->attempt, kiln_attempt_unref);
  g_clear_pointer (&self->extractor, kiln_code_extractor_free);

  G_OBJECT_CLASS (kiln_conversion_parent_class)->finalize (object);
}

static void
kiln_conversion_class_init (KilnConversionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->dispose = kiln_conversion_dispose;
  object_class->finalize = kiln_conversion_finalize;

  signals[ANSWER_DELTA] =
    g_signal_new ("answer-delta", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[ATTEMPT_STARTED] =
    g_signal_new ("attempt-started", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, KILN_TYPE_ATTEMPT);
  signals[CODE_CHANGED] =
    g_signal_new ("code-changed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[NOTES_DELTA] =
    g_signal_new ("notes-delta", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[REASONING_DELTA] =
    g_signal_new ("reasoning-delta", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[PHASE_CHANGED] =
    g_signal_new ("phase-changed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[RETRYING] =
    g_signal_new ("retrying", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_ERROR);
  signals[ATTEMPT_FINISHED] =
    g_signal_new ("attempt-finished", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, KILN_TYPE_ATTEMPT);
}

static void
kiln_conversion_init (KilnConversion *self)
{
  self->max_attempts = 3;
  self->compile = TRUE;
  self->run = TRUE;
  self->idle_timeout = 60;
  kiln_run_limits_init_default (&self->python_limits, KILN_LANGUAGE_PYTHON);
  kiln_run_limits_init_default (&self->cpp_limits, KILN_LANGUAGE_CPP);
  self->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_attempt_unref);
  self->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_chat_message_free);
}

KilnConversion *
kiln_conversion_new (KilnToolchain *toolchain,
                     KilnModel     *model,
                     const char    *api_key,
                     KilnLanguage   source_language,
                     const char    *source,
                     GBytes        *input)
{
  KilnConversion *self;

  g_return_val_if_fail (KILN_IS_TOOLCHAIN (toolchain), NULL);
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (source != NULL, NULL);

  self = g_object_new (KILN_TYPE_CONVERSION, NULL);
  self->toolchain = g_object_ref (toolchain);
  self->model = kiln_model_ref (model);
  self->api_key = g_strdup (api_key);
  self->language = source_language;
  self->source = g_strdup (source);
  self->input = input != NULL ? g_bytes_ref (input) : NULL;

  return self;
}

void
kiln_conversion_set_session (KilnConversion *self,
                             SoupSession    *session)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));

  g_set_object (&self->session, session);
}

void
kiln_conversion_set_max_attempts (KilnConversion *self,
                                  guint           max_attempts)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));

  self->max_attempts = MAX (max_attempts, 1);
}

void
kiln_conversion_set_verify (KilnConversion *self,
                            gboolean        compile,
                            gboolean        run)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));

  self->compile = compile || run;
  self->run = run;
}

void
kiln_conversion_set_limits (KilnConversion      *self,
                            const KilnRunLimits *python,
                            const KilnRunLimits *cpp)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));

  if (python != NULL)
    self->python_limits = *python;
  if (cpp != NULL)
    self->cpp_limits = *cpp;
}

void
kiln_conversion_set_timing_mask (KilnConversion *self,
                                 KilnTimingMask *mask)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));

  g_clear_pointer (&self->mask, kiln_timing_mask_unref);
  self->mask = mask != NULL ? kiln_timing_mask_ref (mask) : NULL;
}

void
kiln_conversion_set_python_result (KilnConversion *self,
                                   KilnRunResult  *python)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));

  g_clear_pointer (&self->python, kiln_run_result_unref);
  self->python = python != NULL ? kiln_run_result_ref (python) : NULL;
}

void
kiln_conversion_set_prompts_dir (KilnConversion *self,
                                 const char     *dir)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));

  g_free (self->prompts_dir);
  self->prompts_dir = g_strdup (dir);
}

void
kiln_conversion_set_idle_timeout (KilnConversion *self,
                                  double          seconds)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));

  self->idle_timeout = seconds;
}

/* --- ending ----------------------------------------------------------------------------- */

static void
set_phase (KilnConversion      *self,
           KilnConversionPhase  phase)
{
  g_signal_emit (self, signals[PHASE_CHANGED], 0, (guint) phase);
}

static void
finish_run (KilnConversion *self,
            GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  self->ended = g_get_monotonic_time ();
  g_clear_object (&self->stream);
  set_phase (self, KILN_CONVERSION_PHASE_DONE);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
cancelled (KilnConversion *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

static void
finish_attempt (KilnConversion    *self,
                KilnAttemptReason  reason)
{
  g_autoptr(KilnAttempt) attempt = g_steal_pointer (&self->attempt);

  attempt->reason = reason;
  g_signal_emit (self, signals[ATTEMPT_FINISHED], 0, attempt);
}

/* --- repair ----------------------------------------------------------------------------- */

static char *
tail_utf8 (GBytes *bytes,
           gsize   max)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (data == NULL || size == 0)
    return g_strdup ("");
  if (size > max)
    {
      data += size - max;
      size = max;
    }
  return g_utf8_make_valid (data, size);
}

static char *
clip_line (const char *line)
{
  g_autofree char *valid = NULL;

  if (line == NULL)
    return g_strdup (_("(no more output: the program stopped printing here)"));

  valid = g_utf8_make_valid (line, -1);
  if (g_utf8_strlen (valid, -1) > LINE_MAX_CHARS)
    *g_utf8_offset_to_pointer (valid, LINE_MAX_CHARS) = '\0';
  return g_steal_pointer (&valid);
}

static char *
render_repair (KilnConversion     *self,
               KilnAttempt        *attempt,
               KilnAttemptReason   reason,
               GError            **error)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  const char *name;
  const char *template_text;

  g_hash_table_insert (values, (char *) "attempt",
                       g_strdup_printf ("%u", attempt->number + 1));
  g_hash_table_insert (values, (char *) "max_attempts",
                       g_strdup_printf ("%u", self->max_attempts));

  switch (reason)
    {
    case KILN_ATTEMPT_COMPILE_ERROR:
    case KILN_ATTEMPT_NO_CODE:
      name = KILN_PROMPT_REPAIR_COMPILE;
      if (reason == KILN_ATTEMPT_NO_CODE)
        g_hash_table_insert (values, (char *) "diagnostics",
                             g_strdup (_("Your answer contained no C++ program.")));
      else
        g_hash_table_insert (values, (char *) "diagnostics",
                             kiln_prompt_trim_diagnostics (attempt->cpp->compile->output,
                                                           DIAGNOSTICS_MAX));
      break;

    case KILN_ATTEMPT_RUNTIME_ERROR:
    case KILN_ATTEMPT_TIMEOUT:
      name = KILN_PROMPT_REPAIR_RUNTIME;
      g_hash_table_insert (values, (char *) "exit_description",
                           g_strdup (attempt->cpp->error ? attempt->cpp->error->message : ""));
      g_hash_table_insert (values, (char *) "stderr_tail",
                           tail_utf8 (attempt->cpp->stderr_bytes, STDERR_TAIL_MAX));
      break;

    case KILN_ATTEMPT_OUTPUT_DIFFERS:
      name = KILN_PROMPT_REPAIR_OUTPUT;
      g_hash_table_insert (values, (char *) "line",
                           g_strdup_printf ("%u", attempt->comparison->diff->line));
      g_hash_table_insert (values, (char *) "expected",
                           clip_line (attempt->comparison->diff->reference));
      g_hash_table_insert (values, (char *) "actual",
                           clip_line (attempt->comparison->diff->candidate));
      break;

    case KILN_ATTEMPT_OK:
    case KILN_ATTEMPT_STREAM_FAILED:
    default:
      g_return_val_if_reached (NULL);
    }

  template_text = g_hash_table_lookup (self->prompts, name);
  return kiln_prompt_render (template_text, values, error);
}

static const char *
describe_reason (KilnAttemptReason reason)
{
  switch (reason)
    {
    case KILN_ATTEMPT_COMPILE_ERROR:
      return _("the C++ code did not compile");
    case KILN_ATTEMPT_RUNTIME_ERROR:
      return _("the C++ program failed when it ran");
    case KILN_ATTEMPT_TIMEOUT:
      return _("the C++ program ran out of time");
    case KILN_ATTEMPT_OUTPUT_DIFFERS:
      return _("the C++ program printed something different");
    case KILN_ATTEMPT_NO_CODE:
      return _("the answer held no C++ code");
    case KILN_ATTEMPT_OK:
    case KILN_ATTEMPT_STREAM_FAILED:
    default:
      return "";
    }
}

/* The attempt failed for @reason: ask again with the repair prompt, or give up. */
static void
repair_or_stop (KilnConversion    *self,
                KilnAttemptReason  reason)
{
  g_autoptr(KilnAttempt) attempt = kiln_attempt_ref (self->attempt);
  g_autoptr(GError) error = NULL;
  g_autofree char *repair = NULL;

  finish_attempt (self, reason);

  if (cancelled (self))
    {
      finish_run (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped")));
      return;
    }

  if (self->attempts->len >= self->max_attempts)
    {
      finish_run (self, g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                                     g_dngettext (GETTEXT_PACKAGE,
                                                  "No working C++ after %u attempt: %s.",
                                                  "No working C++ after %u attempts: in the "
                                                  "last one, %s.",
                                                  self->attempts->len),
                                     self->attempts->len, describe_reason (reason)));
      return;
    }

  if (!(repair = render_repair (self, attempt, reason, &error)))
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  g_ptr_array_add (self->messages, kiln_chat_message_new (KILN_ROLE_ASSISTANT, attempt->answer));
  g_ptr_array_add (self->messages, kiln_chat_message_new (KILN_ROLE_USER, repair));
  start_attempt (self, reason);
}

/* --- verifying -------------------------------------------------------------------------- */

static void
compare (KilnConversion *self)
{
  KilnAttempt *attempt = self->attempt;

  attempt->comparison = kiln_comparison_new (self->python, attempt->cpp, self->mask);
  if (kiln_comparison_matches (attempt->comparison))
    {
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, NULL);
    }
  else
    repair_or_stop (self, KILN_ATTEMPT_OUTPUT_DIFFERS);
}

static void
python_ran_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(KilnConversion) self = user_data;
  g_autoptr(GError) error = NULL;
  KilnRunResult *python;

  python = kiln_toolchain_run_finish (KILN_TOOLCHAIN (object), res, &error);
  if (python == NULL)
    {
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  g_clear_pointer (&self->python, kiln_run_result_unref);
  self->python = python;

  if (!python->ok)
    {
      /* Nothing to compare with: the original itself failed. Not the model's fault. */
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                                     _("The C++ ran, but the Python program it is compared "
                                       "with failed: %s"), python->error->message));
      return;
    }

  compare (self);
}

static void
cpp_ran_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(KilnConversion) self = user_data;
  g_autoptr(GError) error = NULL;
  KilnAttempt *attempt = self->attempt;
  KilnRunResult *cpp;

  cpp = kiln_toolchain_run_finish (KILN_TOOLCHAIN (object), res, &error);
  if (cpp == NULL)
    {
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, g_steal_pointer (&error));
      return;
    }
  attempt->cpp = cpp;

  if (cpp->compile == NULL || !cpp->compile->ok)
    {
      /* No compiler at all is not something a model can repair. */
      if (g_error_matches (cpp->error, KILN_ERROR, KILN_ERROR_COMPILER_NOT_FOUND) ||
          g_error_matches (cpp->error, KILN_ERROR, KILN_ERROR_INVALID_ARGUMENT))
        {
          finish_attempt (self, KILN_ATTEMPT_OK);
          finish_run (self, g_error_copy (cpp->error));
          return;
        }
      repair_or_stop (self, KILN_ATTEMPT_COMPILE_ERROR);
      return;
    }

  if (!cpp->ok)
    {
      if (g_error_matches (cpp->error, KILN_ERROR, KILN_ERROR_TIMED_OUT))
        repair_or_stop (self, KILN_ATTEMPT_TIMEOUT);
      else
        repair_or_stop (self, KILN_ATTEMPT_RUNTIME_ERROR);
      return;
    }

  if (self->python != NULL)
    {
      compare (self);
      return;
    }

  set_phase (self, KILN_CONVERSION_PHASE_RUNNING_PYTHON);
  kiln_toolchain_run_async (self->toolchain, self->language, self->source, self->input,
                            &self->python_limits, self->cancellable, python_ran_cb,
                            g_object_ref (self));
}

static void
compiled_only_cb (GObject      *object,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(KilnConversion) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnCompileResult) compile = NULL;
  KilnAttempt *attempt = self->attempt;

  compile = kiln_toolchain_compile_finish (KILN_TOOLCHAIN (object), res, &error);
  if (compile == NULL)
    {
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  /* A run result with no executions: what `kiln-cli convert` without --run reports. */
  attempt->cpp = kiln_run_result_new (KILN_LANGUAGE_CPP);
  attempt->cpp->compile = kiln_compile_result_ref (compile);
  attempt->cpp->ok = compile->ok;
  if (!compile->ok)
    {
      attempt->cpp->error = g_error_new_literal (KILN_ERROR, KILN_ERROR_COMPILE_FAILED,
                                                 _("The C++ code did not compile."));
      repair_or_stop (self, KILN_ATTEMPT_COMPILE_ERROR);
      return;
    }

  finish_attempt (self, KILN_ATTEMPT_OK);
  finish_run (self, NULL);
}

static void
verify (KilnConversion *self)
{
  set_phase (self, KILN_CONVERSION_PHASE_COMPILING);

  if (!self->run)
    kiln_toolchain_compile_async (self->toolchain, self->attempt->code, self->cancellable,
                                  compiled_only_cb, g_object_ref (self));
  else
    kiln_toolchain_run_async (self->toolchain, KILN_LANGUAGE_CPP, self->attempt->code,
                              self->input, &self->cpp_limits, self->cancellable, cpp_ran_cb,
                              g_object_ref (self));
}

/* --- streaming -------------------------------------------------------------------------- */

static void
emit_code_change (KilnConversion *self,
                  KilnCodeChange  change,
                  gsize           appended_at)
{
  gsize length;
  const char *code = kiln_code_extractor_get_code (self->extractor, &length);

  if (change == KILN_CODE_APPENDED)
    g_signal_emit (self, signals[CODE_CHANGED], 0, 0u, (guint) appended_at, code + appended_at);
  else if (change == KILN_CODE_REPLACED)
    g_signal_emit (self, signals[CODE_CHANGED], 0, 1u, 0u, code);
}

static void
text_delta_cb (KilnChatStream *stream,
               const char     *delta,
               KilnConversion *self)
{
  gsize prose_before, prose_after;
  gsize appended_at = 0;
  KilnCodeChange change;
  const char *prose;

  g_signal_emit (self, signals[ANSWER_DELTA], 0, delta);

  kiln_code_extractor_get_prose (self->extractor, &prose_before);
  change = kiln_code_extractor_feed (self->extractor, delta, -1, &appended_at);
  emit_code_change (self, change, appended_at);

  prose = kiln_code_extractor_get_prose (self->extractor, &prose_after);
  if (prose_after > prose_before)
    g_signal_emit (self, signals[NOTES_DELTA], 0, prose + prose_before);
}

static void
reasoning_delta_cb (KilnChatStream *stream,
                    const char     *delta,
                    KilnConversion *self)
{
  g_signal_emit (self, signals[REASONING_DELTA], 0, delta);
}

static void
retrying_cb (KilnChatStream *stream,
             guint           retry,
             guint           delay_ms,
             const GError   *error,
             KilnConversion *self)
{
  g_signal_emit (self, signals[RETRYING], 0, delay_ms, error);
}

static void
streamed_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(KilnConversion) self = user_data;
  KilnChatStream *stream = KILN_CHAT_STREAM (object);
  KilnAttempt *attempt = self->attempt;
  g_autoptr(GError) error = NULL;
  gsize prose_before, prose_after;
  gsize appended_at = 0;
  KilnCodeChange change;
  const char *prose;
  gboolean ok;

  ok = kiln_chat_stream_run_finish (stream, res, &error);

  kiln_code_extractor_get_prose (self->extractor, &prose_before);
  change = kiln_code_extractor_finish (self->extractor, &appended_at);
  emit_code_change (self, change, appended_at);
  prose = kiln_code_extractor_get_prose (self->extractor, &prose_after);
  if (prose_after > prose_before)
    g_signal_emit (self, signals[NOTES_DELTA], 0, prose + prose_before);

  g_free (attempt->answer);
  attempt->answer = g_strdup (kiln_chat_stream_get_text (stream));
  g_free (attempt->code);
  attempt->code = g_strdup (kiln_code_extractor_get_code (self->extractor, NULL));
  g_free (attempt->notes);
  attempt->notes = g_strdup (kiln_code_extractor_get_prose (self->extractor, NULL));
  g_free (attempt->reasoning);
  attempt->reasoning = g_strdup (kiln_chat_stream_get_reasoning (stream));
  attempt->input_tokens = kiln_chat_stream_get_input_tokens (stream);
  attempt->output_tokens = kiln_chat_stream_get_output_tokens (stream);
  attempt->ttft_seconds = kiln_chat_stream_get_ttft (stream);
  attempt->seconds = kiln_chat_stream_get_seconds (stream);
  attempt->cost_usd = kiln_chat_stream_get_cost (stream);

  if (!ok)
    {
      /* Cancelled or broken off: keep what came, never retry once text has streamed (the
       * stream itself retried before any text). */
      attempt->error = g_error_copy (error);
      finish_attempt (self, KILN_ATTEMPT_STREAM_FAILED);
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  if (*attempt->code == '\0')
    {
      repair_or_stop (self, KILN_ATTEMPT_NO_CODE);
      return;
    }

  if (!self->compile)
    {
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, NULL);
      return;
    }

  verify (self);
}

static void
start_attempt (KilnConversion    *self,
               KilnAttemptReason  repairing)
{
  g_clear_pointer (&self->attempt, kiln_attempt_unref);
  self->attempt = kiln_attempt_new (self->attempts->len + 1, repairing);
  g_ptr_array_add (self->attempts, kiln_attempt_ref (self->attempt));

  g_clear_pointer (&self->extractor, kiln_code_extractor_free);
  self->extractor = kiln_code_extractor_new ();

  g_signal_emit (self, signals[ATTEMPT_STARTED], 0, self->attempt);
  set_phase (self, KILN_CONVERSION_PHASE_STREAMING);

  g_clear_object (&self->stream);
  self->stream = kiln_chat_stream_new (self->session, self->model, self->messages,
                                       self->api_key);
  kiln_chat_stream_set_idle_timeout (self->stream, self->idle_timeout);
  g_signal_connect (self->stream, "text-delta", G_CALLBACK (text_delta_cb), self);
  g_signal_connect (self->stream, "reasoning-delta", G_CALLBACK (reasoning_delta_cb), self);
  g_signal_connect (self->stream, "retrying", G_CALLBACK (retrying_cb), self);
  kiln_chat_stream_run_async (self->stream, self->cancellable, streamed_cb,
                              g_object_ref (self));
}

/* --- setting up ------------------------------------------------------------------------- */

typedef struct
{
  char       *prompts_dir;
  KilnLanguage language;
  GHashTable *prompts;
  char       *cpu_model;
} Setup;

static void
setup_free (gpointer data)
{
  Setup *setup = data;

  g_free (setup->prompts_dir);
  g_clear_pointer (&setup->prompts, g_hash_table_unref);
  g_free (setup->cpu_model);
  g_free (setup);
}

/* The CPU's marketing name, from /proc/cpuinfo ("model name" on x86, "Model" or
 * "Hardware" on ARM boards). */
static char *
read_cpu_model (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  static const char * const keys[] = { "model name", "Model", "Hardware", "cpu model", NULL };

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return g_strdup (_("unknown"));

  lines = g_strsplit (text, "\n", -1);
  for (guint k = 0; keys[k] != NULL; k++)
    for (guint i = 0; lines[i] != NULL; i++)
      {
        const char *colon = strchr (lines[i], ':');
        g_autofree char *key = NULL;

        if (colon == NULL)
          continue;
        key = g_strstrip (g_strndup (lines[i], colon - lines[i]));
        if (g_str_equal (key, keys[k]))
          return g_strstrip (g_strdup (colon + 1));
      }

  return g_strdup (_("unknown"));
}

static void
setup_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Setup *setup = task_data;
  const char *names[] = {
    setup->language == KILN_LANGUAGE_PYTHON ? KILN_PROMPT_PYTHON_TO_CPP_SYSTEM
                                            : KILN_PROMPT_CPP_TO_CPP_SYSTEM,
    setup->language == KILN_LANGUAGE_PYTHON ? KILN_PROMPT_PYTHON_TO_CPP_USER
                                            : KILN_PROMPT_CPP_TO_CPP_USER,
    KILN_PROMPT_REPAIR_COMPILE,
    KILN_PROMPT_REPAIR_RUNTIME,
    KILN_PROMPT_REPAIR_OUTPUT,
  };

  setup->prompts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GError *error = NULL;
      g_autoptr(GBytes) bytes = kiln_prompt_load_from (setup->prompts_dir, names[i], &error);

      if (bytes == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_hash_table_insert (setup->prompts, (char *) names[i],
                           g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
    }

  setup->cpu_model = read_cpu_model ();
  g_task_return_boolean (task, TRUE);
}

static void
compiler_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(KilnConversion) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *compiler = NULL;
  g_autofree char *flags = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autofree char *system = NULL;
  g_autofree char *user = NULL;
  struct utsname uts;
  g_autofree char *os_name = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
  const char *system_name, *user_name;
  gsize input_size = self->input != NULL ? g_bytes_get_size (self->input) : 0;

  compiler = kiln_toolchain_query_compiler_finish (KILN_TOOLCHAIN (object), res, &version,
                                                   &error);
  if (compiler == NULL)
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  flags = kiln_toolchain_dup_effective_flags (self->toolchain);
  values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  if (uname (&uts) == 0)
    {
      g_hash_table_insert (values, (char *) "cpu_arch", g_strdup (uts.machine));
      g_hash_table_insert (values, (char *) "os",
                           g_strdup_printf ("%s (%s %s)", os_name ? os_name : uts.sysname,
                                            uts.sysname, uts.release));
    }
  else
    {
      g_hash_table_insert (values, (char *) "cpu_arch", g_strdup (_("unknown")));
      g_hash_table_insert (values, (char *) "os", g_strdup (os_name ? os_name : "Linux"));
    }
  g_hash_table_insert (values, (char *) "cpu_model",
                       g_strdup (g_hash_table_lookup (self->platform, "cpu_model")));
  g_hash_table_insert (values, (char *) "compiler", g_strdup (version));
  g_hash_table_insert (values, (char *) "flags", g_strdup (flags));
  g_hash_table_insert (values, (char *) "source", g_strdup (self->source));
  g_hash_table_insert (values, (char *) "input_note",
                       input_size > 0
                         ? g_strdup_printf (_("The program reads %" G_GSIZE_FORMAT " bytes "
                                              "from standard input when it runs."), input_size)
                         : g_strdup (_("The program gets no input: standard input is empty.")));

  system_name = self->language == KILN_LANGUAGE_PYTHON ? KILN_PROMPT_PYTHON_TO_CPP_SYSTEM
                                                       : KILN_PROMPT_CPP_TO_CPP_SYSTEM;
  user_name = self->language == KILN_LANGUAGE_PYTHON ? KILN_PROMPT_PYTHON_TO_CPP_USER
                                                     : KILN_PROMPT_CPP_TO_CPP_USER;
  if (!(system = kiln_prompt_render (g_hash_table_lookup (self->prompts, system_name), values,
                                     &error)) ||
      !(user = kiln_prompt_render (g_hash_table_lookup (self->prompts, user_name), values,
                                   &error)))
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  g_ptr_array_add (self->messages, kiln_chat_message_new (KILN_ROLE_SYSTEM, system));
  g_ptr_array_add (self->messages, kiln_chat_message_new (KILN_ROLE_USER, user));
  start_attempt (self, KILN_ATTEMPT_OK);
}

static void
setup_cb (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(KilnConversion) self = user_data;
  Setup *setup = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  self->prompts = g_steal_pointer (&setup->prompts);
  self->platform = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (self->platform, (char *) "cpu_model", g_steal_pointer (&setup->cpu_model));

  kiln_toolchain_query_compiler_async (self->toolchain, self->cancellable, compiler_cb,
                                       g_object_ref (self));
}

void
kiln_conversion_run_async (KilnConversion      *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) setup_task = NULL;
  Setup *setup;

  g_return_if_fail (KILN_IS_CONVERSION (self));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (self->attempts->len == 0);

  self->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->task, kiln_conversion_run_async);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  self->started = g_get_monotonic_time ();

  setup = g_new0 (Setup, 1);
  setup->language = self->language;
  setup->prompts_dir = self->prompts_dir != NULL ? g_strdup (self->prompts_dir)
                                                 : g_strdup (g_get_user_config_dir ());
  setup_task = g_task_new (NULL, self->cancellable, setup_cb, g_object_ref (self));
  g_task_set_task_data (setup_task, setup, setup_free);
  g_task_run_in_thread (setup_task, setup_thread);
}

gboolean
kiln_conversion_run_finish (KilnConversion  *self,
                            GAsyncResult    *result,
                            GError         **error)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- results ---------------------------------------------------------------------------- */

KilnModel *
kiln_conversion_get_model (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return self->model;
}

GPtrArray *
kiln_conversion_get_attempts (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return self->attempts;
}

KilnAttempt *
kiln_conversion_get_last_attempt (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);

  if (self->attempts->len == 0)
    return NULL;
  return g_ptr_array_index (self->attempts, self->attempts->len - 1);
}

KilnRunResult *
kiln_conversion_get_python (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return self->python;
}

guint
kiln_conversion_get_max_attempts (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), 0);
  return self->max_attempts;
}

double
kiln_conversion_get_seconds (KilnConversion *self)
{
  gint64 end;

  g_return_val_if_fail (KILN_IS_CONVERSION (self), 0);

  if (self->started == 0)
    return 0;
  end = self->ended != 0 ? self->ended : g_get_monotonic_time ();
  return (end - self->started) / (double) G_USEC_PER_SEC;
}

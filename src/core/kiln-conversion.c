/* kiln-conversion.c: one conversion — stream the C++ from a model, prove it, repair it
 *
 * Attempt 1 sends the system and user prompts. Its answer streams through the code
 * extractor (code to the editor, prose to the notes). When the stream ends the code is
 * compiled and run, the original program is run (once, through the shared KilnReference),
 * and the outputs are compared. A failure continues the same chat with the matching repair
 * prompt, until an attempt succeeds, the limit is reached, or the person stops it. A refusal
 * ends it at once; an answer cut at the token limit is continued instead of repaired.
 *
 * Verification takes turns through a KilnQueue shared with the other conversions of a
 * session, so the compiler of one never competes with the timed runs of another; the
 * streams themselves run side by side.
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
#include "kiln-json-write.h"
#include "kiln-prompt.h"
#include "kiln-prompt-context.h"
#include "kiln-stream-event.h"

#define DIAGNOSTICS_MAX 6000
#define STDERR_TAIL_MAX 2000
#define LINE_MAX_CHARS 500
#define CONTINUE_TAIL_LINES 6
#define MAX_CONTINUATIONS 2

struct _KilnConversion
{
  GObject             parent_instance;

  KilnToolchain      *toolchain;
  KilnModel          *model;          /* NULL when restored */
  char               *model_id;
  char               *model_label;
  char               *api_key;
  KilnLanguage        language;
  char               *source;
  GBytes             *input;
  SoupSession        *session;
  guint               max_attempts;
  gboolean            compile;
  gboolean            run;
  KilnRunLimits       python_limits;
  KilnRunLimits       cpp_limits;
  KilnTimingMask     *mask;
  KilnRunResult      *python;
  KilnReference      *reference;
  KilnProgram        *program;
  KilnRunConfig      *config;
  KilnQueue          *queue;
  char               *prompts_dir;
  double              idle_timeout;

  /* The run */
  GTask              *task;
  GCancellable       *cancellable;    /* our own; an outside one is chained to it */
  GCancellable       *outside;
  gulong              outside_id;
  GHashTable         *prompts;        /* name -> template text */
  GHashTable         *platform;       /* placeholder -> value */
  GPtrArray          *messages;       /* KilnChatMessage: the whole chat so far */
  GPtrArray          *attempts;       /* KilnAttempt: every attempt, the one under way too */
  GListStore         *finished;       /* KilnAttempt: the finished ones */
  KilnAttempt        *attempt;        /* the one under way */
  char               *answer_prefix;  /* a cut-off answer being continued */
  guint               continuations;
  KilnChatStream     *stream;
  KilnCodeExtractor  *extractor;
  gboolean            holding_turn;
  gint64              started;
  gint64              ended;

  /* What the properties say */
  KilnConversionPhase phase;
  gboolean            running;
  gboolean            restored;
  KilnVerdict         verdict;
  double              speedup;
  gboolean            speedup_is_lower_bound;
  double              cpp_seconds;
  double              python_seconds;
  guint               diff_line;
  double              ttft_seconds;
  gint64              tokens_in;
  gint64              tokens_out;
  double              tokens_per_second;
  double              cost_usd;
  double              seconds;        /* restored conversions only */
  char               *error_message;
  double              speedup_cpu;
  double              speedup_low;
  double              speedup_high;
  gboolean            noisy;
  KilnSpeedupBasis    basis;
  char               *suspicious;
  guint               failed_case;
  double              cpp_cpu_seconds;
  double              python_cpu_seconds;
};

static gboolean
verdict_is_verified (KilnVerdict verdict)
{
  return verdict == KILN_VERDICT_MATCHED || verdict == KILN_VERDICT_MATCHED_WITHIN_TOLERANCE;
}

G_DEFINE_FINAL_TYPE (KilnConversion, kiln_conversion, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (KilnAttempt, kiln_attempt, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (KilnAttemptReason, kiln_attempt_reason,
  G_DEFINE_ENUM_VALUE (KILN_ATTEMPT_OK, "ok"),
  G_DEFINE_ENUM_VALUE (KILN_ATTEMPT_COMPILE_ERROR, "compile-error"),
  G_DEFINE_ENUM_VALUE (KILN_ATTEMPT_RUNTIME_ERROR, "runtime-error"),
  G_DEFINE_ENUM_VALUE (KILN_ATTEMPT_TIMEOUT, "timeout"),
  G_DEFINE_ENUM_VALUE (KILN_ATTEMPT_OUTPUT_DIFFERS, "output-differs"),
  G_DEFINE_ENUM_VALUE (KILN_ATTEMPT_NO_CODE, "no-code"),
  G_DEFINE_ENUM_VALUE (KILN_ATTEMPT_STREAM_FAILED, "stream-failed"),
  G_DEFINE_ENUM_VALUE (KILN_ATTEMPT_REFUSED, "refused"),
  G_DEFINE_ENUM_VALUE (KILN_ATTEMPT_TRUNCATED, "truncated"),
  G_DEFINE_ENUM_VALUE (KILN_ATTEMPT_HARD_CODED, "hard-coded"))

G_DEFINE_ENUM_TYPE (KilnConversionPhase, kiln_conversion_phase,
  G_DEFINE_ENUM_VALUE (KILN_CONVERSION_PHASE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (KILN_CONVERSION_PHASE_STREAMING, "streaming"),
  G_DEFINE_ENUM_VALUE (KILN_CONVERSION_PHASE_COMPILING, "compiling"),
  G_DEFINE_ENUM_VALUE (KILN_CONVERSION_PHASE_RUNNING_PYTHON, "running-python"),
  G_DEFINE_ENUM_VALUE (KILN_CONVERSION_PHASE_DONE, "done"),
  G_DEFINE_ENUM_VALUE (KILN_CONVERSION_PHASE_PREPARING, "preparing"),
  G_DEFINE_ENUM_VALUE (KILN_CONVERSION_PHASE_WAITING, "waiting"),
  G_DEFINE_ENUM_VALUE (KILN_CONVERSION_PHASE_RUNNING_CPP, "running-cpp"))

G_DEFINE_ENUM_TYPE (KilnVerdict, kiln_verdict,
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_NONE, "none"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_MATCHED, "matched"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_OUTPUT_DIFFERS, "output-differs"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_COMPILE_ERROR, "compile-error"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_RUNTIME_ERROR, "runtime-error"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_TIMED_OUT, "timed-out"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_REFUSED, "refused"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_TRUNCATED, "truncated"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_NO_CODE, "no-code"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_UNVERIFIED, "unverified"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_MATCHED_WITHIN_TOLERANCE, "matched-within-tolerance"),
  G_DEFINE_ENUM_VALUE (KILN_VERDICT_HARD_CODED, "hard-coded"))

enum {
  PROP_0,
  PROP_MODEL_ID,
  PROP_MODEL_LABEL,
  PROP_PHASE,
  PROP_RUNNING,
  PROP_ATTEMPT,
  PROP_N_ATTEMPTS,
  PROP_MAX_ATTEMPTS,
  PROP_ATTEMPTS,
  PROP_VERDICT,
  PROP_VERIFIED,
  PROP_SPEEDUP,
  PROP_SPEEDUP_IS_LOWER_BOUND,
  PROP_CPP_SECONDS,
  PROP_PYTHON_SECONDS,
  PROP_DIFF_LINE,
  PROP_TTFT_SECONDS,
  PROP_TOKENS_IN,
  PROP_TOKENS_OUT,
  PROP_TOKENS_PER_SECOND,
  PROP_COST_USD,
  PROP_SECONDS,
  PROP_ERROR_MESSAGE,
  PROP_RESTORED,
  PROP_SPEEDUP_CPU,
  PROP_SPEEDUP_LOW,
  PROP_SPEEDUP_HIGH,
  PROP_NOISY,
  PROP_BASIS,
  PROP_SUSPICIOUS,
  PROP_FAILED_CASE,
  PROP_CPP_CPU_SECONDS,
  PROP_PYTHON_CPU_SECONDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

static const struct {
  KilnVerdict  verdict;
  const char  *name;
} verdict_names[] = {
  { KILN_VERDICT_MATCHED, "matched" },
  { KILN_VERDICT_OUTPUT_DIFFERS, "output_differs" },
  { KILN_VERDICT_COMPILE_ERROR, "compile_error" },
  { KILN_VERDICT_RUNTIME_ERROR, "runtime_error" },
  { KILN_VERDICT_TIMED_OUT, "timed_out" },
  { KILN_VERDICT_REFUSED, "refused" },
  { KILN_VERDICT_TRUNCATED, "truncated" },
  { KILN_VERDICT_NO_CODE, "no_code" },
  { KILN_VERDICT_ERROR, "error" },
  { KILN_VERDICT_STOPPED, "stopped" },
  { KILN_VERDICT_UNVERIFIED, "unverified" },
  { KILN_VERDICT_MATCHED_WITHIN_TOLERANCE, "matched_within_tolerance" },
  { KILN_VERDICT_HARD_CODED, "hard_coded" },
};

const char *
kiln_verdict_to_string (KilnVerdict verdict)
{
  for (guint i = 0; i < G_N_ELEMENTS (verdict_names); i++)
    if (verdict_names[i].verdict == verdict)
      return verdict_names[i].name;
  return NULL;
}

gboolean
kiln_verdict_from_string (const char  *text,
                          KilnVerdict *verdict)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (verdict_names); i++)
    if (g_str_equal (verdict_names[i].name, text))
      {
        *verdict = verdict_names[i].verdict;
        return TRUE;
      }
  return FALSE;
}

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
    case KILN_ATTEMPT_REFUSED:
      return "refused";
    case KILN_ATTEMPT_TRUNCATED:
      return "truncated";
    case KILN_ATTEMPT_HARD_CODED:
      return "hard_coded";
    default:
      g_return_val_if_reached (NULL);
    }
}

static gboolean
attempt_reason_from_string (const char        *text,
                            KilnAttemptReason *reason)
{
  if (text == NULL)
    {
      *reason = KILN_ATTEMPT_OK;
      return TRUE;
    }
  for (KilnAttemptReason r = KILN_ATTEMPT_COMPILE_ERROR; r <= KILN_ATTEMPT_HARD_CODED; r++)
    if (g_str_equal (kiln_attempt_reason_to_string (r), text))
      {
        *reason = r;
        return TRUE;
      }
  return FALSE;
}

/* --- attempts --------------------------------------------------------------------------- */

static void
kiln_attempt_finalize (GObject *object)
{
  KilnAttempt *self = (KilnAttempt *) object;

  g_free (self->answer);
  g_free (self->code);
  g_free (self->notes);
  g_free (self->reasoning);
  g_free (self->refusal);
  g_free (self->finish_reason);
  g_clear_error (&self->error);
  g_clear_pointer (&self->cpp, kiln_run_result_unref);
  /* The comparison is the verification's. */
  self->comparison = NULL;
  g_clear_pointer (&self->verification, kiln_verification_unref);
  g_free (self->suspicious);

  G_OBJECT_CLASS (kiln_attempt_parent_class)->finalize (object);
}

static void
kiln_attempt_class_init (KilnAttemptClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kiln_attempt_finalize;
}

static void
kiln_attempt_init (KilnAttempt *self)
{
  self->input_tokens = -1;
  self->output_tokens = -1;
  self->ttft_seconds = -1;
  self->cost_usd = -1;
  self->answer = g_strdup ("");
  self->code = g_strdup ("");
  self->notes = g_strdup ("");
  self->reasoning = g_strdup ("");
  self->refusal = g_strdup ("");
}

static KilnAttempt *
kiln_attempt_new (guint             number,
                  KilnAttemptReason repairing)
{
  KilnAttempt *self = g_object_new (KILN_TYPE_ATTEMPT, NULL);

  self->number = number;
  self->repairing = repairing;

  return self;
}

KilnAttempt *
kiln_attempt_ref (KilnAttempt *self)
{
  g_return_val_if_fail (KILN_IS_ATTEMPT (self), NULL);
  return g_object_ref (self);
}

void
kiln_attempt_unref (KilnAttempt *self)
{
  g_return_if_fail (KILN_IS_ATTEMPT (self));
  g_object_unref (self);
}

/* --- object ----------------------------------------------------------------------------- */

static void
release_turn (KilnConversion *self)
{
  if (self->holding_turn)
    {
      self->holding_turn = FALSE;
      kiln_queue_leave (self->queue);
    }
}

static void
kiln_conversion_dispose (GObject *object)
{
  KilnConversion *self = (KilnConversion *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->outside_id != 0)
    g_cancellable_disconnect (self->outside, self->outside_id);
  self->outside_id = 0;
  g_clear_object (&self->outside);
  g_clear_object (&self->stream);
  release_turn (self);

  G_OBJECT_CLASS (kiln_conversion_parent_class)->dispose (object);
}

static void
kiln_conversion_finalize (GObject *object)
{
  KilnConversion *self = (KilnConversion *) object;

  g_clear_object (&self->toolchain);
  g_clear_pointer (&self->model, kiln_model_unref);
  g_clear_pointer (&self->model_id, g_free);
  g_clear_pointer (&self->model_label, g_free);
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->input, g_bytes_unref);
  g_clear_object (&self->session);
  g_clear_pointer (&self->mask, kiln_timing_mask_unref);
  g_clear_pointer (&self->python, kiln_run_result_unref);
  g_clear_object (&self->reference);
  g_clear_object (&self->program);
  g_clear_object (&self->config);
  g_clear_object (&self->queue);
  g_clear_pointer (&self->prompts_dir, g_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->prompts, g_hash_table_unref);
  g_clear_pointer (&self->platform, g_hash_table_unref);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->attempts, g_ptr_array_unref);
  g_clear_object (&self->finished);
  g_clear_object (&self->attempt);
  g_clear_pointer (&self->answer_prefix, g_free);
  g_clear_pointer (&self->extractor, kiln_code_extractor_free);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->suspicious, g_free);

  G_OBJECT_CLASS (kiln_conversion_parent_class)->finalize (object);
}

static void
kiln_conversion_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KilnConversion *self = KILN_CONVERSION (object);

  switch (prop_id)
    {
    case PROP_MODEL_ID:
      g_value_set_string (value, self->model_id);
      break;
    case PROP_MODEL_LABEL:
      g_value_set_string (value, self->model_label);
      break;
    case PROP_PHASE:
      g_value_set_enum (value, self->phase);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_ATTEMPT:
      g_value_set_uint (value, kiln_conversion_get_attempt (self));
      break;
    case PROP_N_ATTEMPTS:
      g_value_set_uint (value, g_list_model_get_n_items (G_LIST_MODEL (self->finished)));
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_ATTEMPTS:
      g_value_set_object (value, self->finished);
      break;
    case PROP_VERDICT:
      g_value_set_enum (value, self->verdict);
      break;
    case PROP_VERIFIED:
      g_value_set_boolean (value, verdict_is_verified (self->verdict));
      break;
    case PROP_SPEEDUP:
      g_value_set_double (value, self->speedup);
      break;
    case PROP_SPEEDUP_IS_LOWER_BOUND:
      g_value_set_boolean (value, self->speedup_is_lower_bound);
      break;
    case PROP_CPP_SECONDS:
      g_value_set_double (value, self->cpp_seconds);
      break;
    case PROP_PYTHON_SECONDS:
      g_value_set_double (value, self->python_seconds);
      break;
    case PROP_DIFF_LINE:
      g_value_set_uint (value, self->diff_line);
      break;
    case PROP_TTFT_SECONDS:
      g_value_set_double (value, self->ttft_seconds);
      break;
    case PROP_TOKENS_IN:
      g_value_set_int64 (value, self->tokens_in);
      break;
    case PROP_TOKENS_OUT:
      g_value_set_int64 (value, self->tokens_out);
      break;
    case PROP_TOKENS_PER_SECOND:
      g_value_set_double (value, self->tokens_per_second);
      break;
    case PROP_COST_USD:
      g_value_set_double (value, self->cost_usd);
      break;
    case PROP_SECONDS:
      g_value_set_double (value, kiln_conversion_get_seconds (self));
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_RESTORED:
      g_value_set_boolean (value, self->restored);
      break;
    case PROP_SPEEDUP_CPU:
      g_value_set_double (value, self->speedup_cpu);
      break;
    case PROP_SPEEDUP_LOW:
      g_value_set_double (value, self->speedup_low);
      break;
    case PROP_SPEEDUP_HIGH:
      g_value_set_double (value, self->speedup_high);
      break;
    case PROP_NOISY:
      g_value_set_boolean (value, self->noisy);
      break;
    case PROP_BASIS:
      g_value_set_enum (value, self->basis);
      break;
    case PROP_SUSPICIOUS:
      g_value_set_string (value, self->suspicious);
      break;
    case PROP_FAILED_CASE:
      g_value_set_uint (value, self->failed_case);
      break;
    case PROP_CPP_CPU_SECONDS:
      g_value_set_double (value, self->cpp_cpu_seconds);
      break;
    case PROP_PYTHON_CPU_SECONDS:
      g_value_set_double (value, self->python_cpu_seconds);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_conversion_class_init (KilnConversionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = kiln_conversion_dispose;
  object_class->finalize = kiln_conversion_finalize;
  object_class->get_property = kiln_conversion_get_property;

  properties[PROP_MODEL_ID] = g_param_spec_string ("model-id", NULL, NULL, NULL, flags);
  properties[PROP_MODEL_LABEL] = g_param_spec_string ("model-label", NULL, NULL, NULL, flags);
  properties[PROP_PHASE] =
    g_param_spec_enum ("phase", NULL, NULL, KILN_TYPE_CONVERSION_PHASE,
                       KILN_CONVERSION_PHASE_IDLE, flags);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags);
  properties[PROP_ATTEMPT] = g_param_spec_uint ("attempt", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_ATTEMPTS] =
    g_param_spec_uint ("n-attempts", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL, 1, G_MAXUINT, 3, flags);
  properties[PROP_ATTEMPTS] =
    g_param_spec_object ("attempts", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_VERDICT] =
    g_param_spec_enum ("verdict", NULL, NULL, KILN_TYPE_VERDICT, KILN_VERDICT_NONE, flags);
  properties[PROP_VERIFIED] = g_param_spec_boolean ("verified", NULL, NULL, FALSE, flags);
  properties[PROP_SPEEDUP] =
    g_param_spec_double ("speedup", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_SPEEDUP_IS_LOWER_BOUND] =
    g_param_spec_boolean ("speedup-is-lower-bound", NULL, NULL, FALSE, flags);
  properties[PROP_CPP_SECONDS] =
    g_param_spec_double ("cpp-seconds", NULL, NULL, -1, G_MAXDOUBLE, -1, flags);
  properties[PROP_PYTHON_SECONDS] =
    g_param_spec_double ("python-seconds", NULL, NULL, -1, G_MAXDOUBLE, -1, flags);
  properties[PROP_DIFF_LINE] =
    g_param_spec_uint ("diff-line", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TTFT_SECONDS] =
    g_param_spec_double ("ttft-seconds", NULL, NULL, -1, G_MAXDOUBLE, -1, flags);
  properties[PROP_TOKENS_IN] =
    g_param_spec_int64 ("tokens-in", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_TOKENS_OUT] =
    g_param_spec_int64 ("tokens-out", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_TOKENS_PER_SECOND] =
    g_param_spec_double ("tokens-per-second", NULL, NULL, -1, G_MAXDOUBLE, -1, flags);
  properties[PROP_COST_USD] =
    g_param_spec_double ("cost-usd", NULL, NULL, -1, G_MAXDOUBLE, -1, flags);
  properties[PROP_SECONDS] =
    g_param_spec_double ("seconds", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  properties[PROP_RESTORED] = g_param_spec_boolean ("restored", NULL, NULL, FALSE, flags);
  properties[PROP_SPEEDUP_CPU] =
    g_param_spec_double ("speedup-cpu", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_SPEEDUP_LOW] =
    g_param_spec_double ("speedup-low", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_SPEEDUP_HIGH] =
    g_param_spec_double ("speedup-high", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_NOISY] = g_param_spec_boolean ("noisy", NULL, NULL, FALSE, flags);
  properties[PROP_BASIS] =
    g_param_spec_enum ("basis", NULL, NULL, KILN_TYPE_SPEEDUP_BASIS, KILN_SPEEDUP_BASIS_WALL,
                       flags);
  properties[PROP_SUSPICIOUS] = g_param_spec_string ("suspicious", NULL, NULL, NULL, flags);
  properties[PROP_FAILED_CASE] =
    g_param_spec_uint ("failed-case", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_CPP_CPU_SECONDS] =
    g_param_spec_double ("cpp-cpu-seconds", NULL, NULL, -1, G_MAXDOUBLE, -1, flags);
  properties[PROP_PYTHON_CPU_SECONDS] =
    g_param_spec_double ("python-cpu-seconds", NULL, NULL, -1, G_MAXDOUBLE, -1, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
                  G_TYPE_NONE, 1, KILN_TYPE_CONVERSION_PHASE);
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
  self->attempts = g_ptr_array_new_with_free_func (g_object_unref);
  self->finished = g_list_store_new (KILN_TYPE_ATTEMPT);
  self->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_chat_message_free);
  self->cpp_seconds = -1;
  self->python_seconds = -1;
  self->cpp_cpu_seconds = -1;
  self->python_cpu_seconds = -1;
  self->ttft_seconds = -1;
  self->tokens_in = -1;
  self->tokens_out = -1;
  self->tokens_per_second = -1;
  self->cost_usd = -1;
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
  self->model_id = g_strdup (model->id);
  self->model_label = g_strdup (model->label != NULL && *model->label ? model->label
                                                                       : model->id);
  self->api_key = g_strdup (api_key);
  self->language = source_language;
  self->source = g_strdup (source);
  self->input = input != NULL ? g_bytes_ref (input) : NULL;

  return self;
}

void
kiln_conversion_apply_config (KilnConversion *self,
                              KilnRunConfig  *config)
{
  g_autoptr(KilnTimingMask) mask = NULL;
  gboolean verify;

  g_return_if_fail (KILN_IS_CONVERSION (self));
  g_return_if_fail (KILN_IS_RUN_CONFIG (config));

  g_set_object (&self->config, config);
  kiln_conversion_set_max_attempts (self, kiln_run_config_get_max_attempts (config));
  verify = kiln_run_config_get_auto_verify (config);
  kiln_conversion_set_verify (self, verify, verify);
  /* From C++, the original runs as the reference with the C++ limits. */
  kiln_run_config_fill_limits (config, self->language, &self->python_limits);
  kiln_run_config_fill_limits (config, KILN_LANGUAGE_CPP, &self->cpp_limits);
  kiln_conversion_set_idle_timeout (self, kiln_run_config_get_idle_timeout (config));
  /* An invalid pattern was reported where it was typed; here it masks nothing. */
  mask = kiln_run_config_dup_timing_mask (config, NULL);
  if (mask == NULL)
    mask = kiln_timing_mask_new ((const char * const[]) { NULL }, NULL);
  kiln_conversion_set_timing_mask (self, mask);
}

void
kiln_conversion_set_api_key (KilnConversion *self,
                             const char     *api_key)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));

  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_free (self->api_key);
  self->api_key = g_strdup (api_key);
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

  max_attempts = MAX (max_attempts, 1);
  if (self->max_attempts == max_attempts)
    return;
  self->max_attempts = max_attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ATTEMPTS]);
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

KilnProgram *
kiln_conversion_get_program (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return self->program;
}

void
kiln_conversion_set_program (KilnConversion *self,
                             KilnProgram    *program)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));
  g_return_if_fail (!program || KILN_IS_PROGRAM (program));

  g_set_object (&self->program, program);
}

void
kiln_conversion_set_verify_queue (KilnConversion *self,
                                  KilnQueue      *queue)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));
  g_return_if_fail (!queue || KILN_IS_QUEUE (queue));
  g_return_if_fail (!self->holding_turn);

  g_set_object (&self->queue, queue);
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

/* --- figures ---------------------------------------------------------------------------- */

#define UPDATE(field, value, prop)                                              \
  G_STMT_START {                                                                \
    __typeof__ (self->field) _v = (value);                                      \
    if (self->field != _v)                                                      \
      {                                                                         \
        self->field = _v;                                                       \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);           \
      }                                                                         \
  } G_STMT_END

static double
median_wall (KilnRunResult *result)
{
  double median, min, max;

  if (result != NULL && kiln_run_result_get_wall (result, &median, &min, &max))
    return median;
  return -1;
}

/* Recomputes what the properties say from the attempts. */
static void
update_figures (KilnConversion *self)
{
  GListModel *finished = G_LIST_MODEL (self->finished);
  guint n = g_list_model_get_n_items (finished);
  g_autoptr(KilnAttempt) last = n > 0 ? g_list_model_get_item (finished, n - 1) : NULL;
  g_autoptr(KilnAttempt) first = n > 0 ? g_list_model_get_item (finished, 0) : NULL;
  gint64 tokens_in = 0, tokens_out = 0;
  gboolean in_known = n > 0, out_known = n > 0, cost_known = n > 0;
  double cost = 0, streaming = 0;
  KilnComparison *comparison = last != NULL ? last->comparison : NULL;
  gboolean verified = verdict_is_verified (self->verdict);
  double cpu;

  if (self->restored)
    return;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KilnAttempt) attempt = g_list_model_get_item (finished, i);

      in_known &= attempt->input_tokens >= 0;
      out_known &= attempt->output_tokens >= 0;
      cost_known &= attempt->cost_usd >= 0;
      tokens_in += MAX (attempt->input_tokens, 0);
      tokens_out += MAX (attempt->output_tokens, 0);
      cost += MAX (attempt->cost_usd, 0);
      streaming += attempt->seconds;
    }

  g_object_freeze_notify (G_OBJECT (self));
  UPDATE (tokens_in, in_known ? tokens_in : -1, PROP_TOKENS_IN);
  UPDATE (tokens_out, out_known ? tokens_out : -1, PROP_TOKENS_OUT);
  UPDATE (cost_usd, cost_known ? cost : -1, PROP_COST_USD);
  UPDATE (tokens_per_second, out_known && streaming > 0 ? tokens_out / streaming : -1,
          PROP_TOKENS_PER_SECOND);
  UPDATE (ttft_seconds, first != NULL ? first->ttft_seconds : -1, PROP_TTFT_SECONDS);
  UPDATE (cpp_seconds, last != NULL ? median_wall (last->cpp) : -1, PROP_CPP_SECONDS);
  UPDATE (python_seconds, median_wall (self->python), PROP_PYTHON_SECONDS);
  UPDATE (diff_line, comparison != NULL && comparison->diff != NULL && !comparison->diff->match
                     ? comparison->diff->line : 0, PROP_DIFF_LINE);
  /* A speedup is shown only for a program whose output matched on every case. */
  UPDATE (speedup, verified && comparison != NULL ? comparison->speedup : 0, PROP_SPEEDUP);
  UPDATE (speedup_cpu, verified && comparison != NULL ? comparison->speedup_cpu : 0,
          PROP_SPEEDUP_CPU);
  UPDATE (speedup_low, verified && comparison != NULL ? comparison->speedup_low : 0,
          PROP_SPEEDUP_LOW);
  UPDATE (speedup_high, verified && comparison != NULL ? comparison->speedup_high : 0,
          PROP_SPEEDUP_HIGH);
  UPDATE (noisy, comparison != NULL && comparison->noisy, PROP_NOISY);
  UPDATE (basis, comparison != NULL ? comparison->basis : KILN_SPEEDUP_BASIS_WALL, PROP_BASIS);
  UPDATE (failed_case, last != NULL ? last->failed_case : 0, PROP_FAILED_CASE);
  UPDATE (cpp_cpu_seconds, last != NULL && last->cpp != NULL &&
                           kiln_run_result_get_cpu (last->cpp, &cpu, NULL, NULL) ? cpu : -1,
          PROP_CPP_CPU_SECONDS);
  UPDATE (python_cpu_seconds, self->python != NULL &&
                              kiln_run_result_get_cpu (self->python, &cpu, NULL, NULL) ? cpu : -1,
          PROP_PYTHON_CPU_SECONDS);
  if (g_strcmp0 (self->suspicious, last != NULL ? last->suspicious : NULL) != 0)
    {
      g_free (self->suspicious);
      self->suspicious = g_strdup (last != NULL ? last->suspicious : NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUSPICIOUS]);
    }
  UPDATE (speedup_is_lower_bound,
          verified && comparison != NULL && comparison->speedup_is_lower_bound,
          PROP_SPEEDUP_IS_LOWER_BOUND);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDS]);
  g_object_thaw_notify (G_OBJECT (self));
}

/* --- ending ----------------------------------------------------------------------------- */

static void
set_phase (KilnConversion      *self,
           KilnConversionPhase  phase)
{
  if (self->phase != phase)
    {
      self->phase = phase;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
    }
  g_signal_emit (self, signals[PHASE_CHANGED], 0, phase);
}

static KilnVerdict
verdict_for (KilnConversion *self,
             const GError   *error)
{
  KilnAttempt *last = kiln_conversion_get_last_attempt (self);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return KILN_VERDICT_STOPPED;
  if (last == NULL)
    return KILN_VERDICT_ERROR;

  switch (last->reason)
    {
    case KILN_ATTEMPT_OK:
      if (error != NULL)
        return KILN_VERDICT_ERROR;
      if (last->comparison != NULL && kiln_comparison_matches (last->comparison))
        return KILN_VERDICT_MATCHED;
      if (last->comparison != NULL && kiln_comparison_agrees (last->comparison))
        return KILN_VERDICT_MATCHED_WITHIN_TOLERANCE;
      return KILN_VERDICT_UNVERIFIED;
    case KILN_ATTEMPT_HARD_CODED:
      return KILN_VERDICT_HARD_CODED;
    case KILN_ATTEMPT_COMPILE_ERROR:
      return KILN_VERDICT_COMPILE_ERROR;
    case KILN_ATTEMPT_RUNTIME_ERROR:
      return KILN_VERDICT_RUNTIME_ERROR;
    case KILN_ATTEMPT_TIMEOUT:
      return KILN_VERDICT_TIMED_OUT;
    case KILN_ATTEMPT_OUTPUT_DIFFERS:
      return KILN_VERDICT_OUTPUT_DIFFERS;
    case KILN_ATTEMPT_NO_CODE:
      return KILN_VERDICT_NO_CODE;
    case KILN_ATTEMPT_REFUSED:
      return KILN_VERDICT_REFUSED;
    case KILN_ATTEMPT_TRUNCATED:
      return KILN_VERDICT_TRUNCATED;
    case KILN_ATTEMPT_STREAM_FAILED:
    default:
      return KILN_VERDICT_ERROR;
    }
}

/* Sets the verdict and the figures of an ended conversion; returns the task, if any. */
static GTask *
conclude (KilnConversion *self,
          const GError   *error)
{
  self->ended = g_get_monotonic_time ();
  g_clear_object (&self->stream);
  release_turn (self);
  if (self->outside_id != 0)
    g_cancellable_disconnect (self->outside, self->outside_id);
  self->outside_id = 0;

  g_object_freeze_notify (G_OBJECT (self));
  UPDATE (verdict, verdict_for (self, error), PROP_VERDICT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFIED]);
  if (g_strcmp0 (self->error_message, error ? error->message : NULL) != 0)
    {
      g_free (self->error_message);
      self->error_message = error != NULL ? g_strdup (error->message) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  update_figures (self);
  set_phase (self, KILN_CONVERSION_PHASE_DONE);
  UPDATE (running, FALSE, PROP_RUNNING);
  g_object_thaw_notify (G_OBJECT (self));

  return g_steal_pointer (&self->task);
}

static void
finish_run (KilnConversion *self,
            GError         *error)
{
  g_autoptr(GTask) task = conclude (self, error);

  if (task == NULL)
    g_clear_error (&error);
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
kiln_conversion_fail (KilnConversion *self,
                      const GError   *error)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (error != NULL);

  if (self->started == 0)
    self->started = g_get_monotonic_time ();
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_assert (conclude (self, error) == NULL);
}

void
kiln_conversion_stop (KilnConversion *self)
{
  g_return_if_fail (KILN_IS_CONVERSION (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
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
  g_list_store_append (self->finished, attempt);
  update_figures (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ATTEMPTS]);
  g_signal_emit (self, signals[ATTEMPT_FINISHED], 0, attempt);
  /* Only now: the next conversion's turn may start right inside this call. */
  release_turn (self);
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
    /* Not translated: this goes to the model, inside an English prompt. */
    return g_strdup ("(no more output: the program stopped printing here)");

  valid = g_utf8_make_valid (line, -1);
  if (g_utf8_strlen (valid, -1) > LINE_MAX_CHARS)
    *g_utf8_offset_to_pointer (valid, LINE_MAX_CHARS) = '\0';
  return g_steal_pointer (&valid);
}

/* The last lines of a cut-off answer, so the model knows where to go on. */
static char *
tail_lines (const char *answer)
{
  const char *start = answer + strlen (answer);
  guint newlines = 0;

  while (start > answer)
    {
      if (start[-1] == '\n' && ++newlines > CONTINUE_TAIL_LINES)
        break;
      start--;
    }
  return g_utf8_make_valid (start, -1);
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
                             g_strdup ("Your answer contained no C++ program."));
      else
        g_hash_table_insert (values, (char *) "diagnostics",
                             kiln_prompt_trim_diagnostics (attempt->cpp->compile->output,
                                                           DIAGNOSTICS_MAX));
      break;

    case KILN_ATTEMPT_RUNTIME_ERROR:
    case KILN_ATTEMPT_TIMEOUT:
      {
        KilnRunResult *failed = attempt->verification != NULL &&
                                attempt->verification->failed_run != NULL
                                ? attempt->verification->failed_run : attempt->cpp;

        name = KILN_PROMPT_REPAIR_RUNTIME;
        g_hash_table_insert (values, (char *) "exit_description",
                             g_strdup (failed->error ? failed->error->message : ""));
        g_hash_table_insert (values, (char *) "stderr_tail",
                             tail_utf8 (failed->stderr_bytes, STDERR_TAIL_MAX));
      }
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

    case KILN_ATTEMPT_HARD_CODED:
      name = KILN_PROMPT_REPAIR_HARD_CODED;
      g_hash_table_insert (values, (char *) "finding", g_strdup (attempt->suspicious));
      break;

    case KILN_ATTEMPT_TRUNCATED:
      name = KILN_PROMPT_CONTINUE_TRUNCATED;
      g_hash_table_insert (values, (char *) "tail", tail_lines (attempt->answer));
      break;

    case KILN_ATTEMPT_OK:
    case KILN_ATTEMPT_STREAM_FAILED:
    case KILN_ATTEMPT_REFUSED:
    default:
      g_return_val_if_reached (NULL);
    }

  template_text = g_hash_table_lookup (self->prompts, name);
  if (attempt->failed_case > 1)
    {
      /* The hidden input itself stays hidden: only that the program fails on another one. */
      g_autofree char *rendered = kiln_prompt_render (template_text, values, error);

      if (rendered == NULL)
        return NULL;
      return g_strdup_printf ("Your program gives the right output on the input you were shown, "
                              "but not on another input that is kept hidden from you (a "
                              "translation must work on every input the original accepts). "
                              "On that input:\n\n%s", rendered);
    }
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
    case KILN_ATTEMPT_TRUNCATED:
      return _("the answer was cut at the model’s token limit");
    case KILN_ATTEMPT_HARD_CODED:
      return _("the answer looked hard-coded");
    case KILN_ATTEMPT_OK:
    case KILN_ATTEMPT_STREAM_FAILED:
    case KILN_ATTEMPT_REFUSED:
    default:
      return "";
    }
}

/* The attempt failed for @reason: ask again with the repair prompt, or give up. */
static void
repair_or_stop (KilnConversion    *self,
                KilnAttemptReason  reason)
{
  g_autoptr(KilnAttempt) attempt = g_object_ref (self->attempt);
  g_autoptr(GError) error = NULL;
  g_autofree char *repair = NULL;
  const char *said;

  finish_attempt (self, reason);

  if (cancelled (self))
    {
      finish_run (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped")));
      return;
    }

  if (self->attempts->len >= self->max_attempts ||
      (reason == KILN_ATTEMPT_TRUNCATED && self->continuations >= MAX_CONTINUATIONS))
    {
      if (reason == KILN_ATTEMPT_TRUNCATED)
        finish_run (self, g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                                       _("The answer was cut at the model’s token limit and "
                                         "is incomplete, after %u attempts. Choose a model "
                                         "with a larger output limit, or raise the entry’s "
                                         "“max_tokens” in models.json."),
                                       self->attempts->len));
      else
        finish_run (self, g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                                       g_dngettext (GETTEXT_PACKAGE,
                                                    "No working C++ after %u attempt: %s.",
                                                    "No working C++ after %u attempts: in "
                                                    "the last one, %s.",
                                                    self->attempts->len),
                                       self->attempts->len, describe_reason (reason)));
      return;
    }

  if (!(repair = render_repair (self, attempt, reason, &error)))
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  /* The chat holds what the model said in this round only: a continued answer's earlier
   * part is already in the chat. */
  said = attempt->answer;
  if (self->answer_prefix != NULL && g_str_has_prefix (said, self->answer_prefix))
    said += strlen (self->answer_prefix);
  g_ptr_array_add (self->messages, kiln_chat_message_new (KILN_ROLE_ASSISTANT, said));
  g_ptr_array_add (self->messages, kiln_chat_message_new (KILN_ROLE_USER, repair));

  g_clear_pointer (&self->answer_prefix, g_free);
  if (reason == KILN_ATTEMPT_TRUNCATED)
    {
      self->continuations++;
      self->answer_prefix = g_strdup (attempt->answer);
    }
  start_attempt (self, reason);
}

/* --- verifying -------------------------------------------------------------------------- */

static KilnProgram *
ensure_program (KilnConversion *self)
{
  g_auto(GStrv) cases = NULL;

  if (self->program != NULL)
    return self->program;

  /* A conversion on its own (kiln-cli convert): one case, its own input. */
  if (self->input != NULL && g_bytes_get_size (self->input) > 0)
    {
      gsize size;
      const char *data = g_bytes_get_data (self->input, &size);

      cases = g_new0 (char *, 2);
      cases[0] = g_strndup (data, size);
    }
  self->program = kiln_program_new (self->toolchain, self->language, self->source,
                                    (const char * const *) cases);
  if (self->config != NULL)
    kiln_program_apply_config (self->program, self->config);
  else
    kiln_program_set_limits (self->program, &self->python_limits, &self->cpp_limits, self->mask);
  if (self->python != NULL)
    kiln_reference_offer (kiln_program_get_reference (self->program, 0), self->python);

  return self->program;
}

static void
verify_progress (KilnVerifyStep step,
                 guint          index,
                 gpointer       user_data)
{
  KilnConversion *self = user_data;

  /* Compiling was said when the turn came. */
  if (step == KILN_VERIFY_STEP_RUNNING_ORIGINAL)
    set_phase (self, KILN_CONVERSION_PHASE_RUNNING_PYTHON);
  else if (step == KILN_VERIFY_STEP_RUNNING_CPP)
    set_phase (self, KILN_CONVERSION_PHASE_RUNNING_CPP);
}

static void
verified_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(KilnConversion) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnVerification) verification = NULL;
  KilnAttempt *attempt = self->attempt;

  verification = kiln_program_verify_finish (KILN_PROGRAM (object), res, &error);
  if (verification == NULL)
    {
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  attempt->verification = kiln_verification_ref (verification);
  attempt->comparison = verification->failed != NULL ? verification->failed
                                                     : verification->comparison;
  attempt->failed_case = verification->failed_case;
  attempt->suspicious = g_strdup (verification->suspicious);
  if (verification->cpp != NULL)
    attempt->cpp = kiln_run_result_ref (verification->cpp);
  else
    {
      /* It did not run: a run result with no executions holds the compiler's word. */
      attempt->cpp = kiln_run_result_new (KILN_LANGUAGE_CPP);
      attempt->cpp->compile = verification->compile != NULL
                              ? kiln_compile_result_ref (verification->compile) : NULL;
      attempt->cpp->ok = FALSE;
      attempt->cpp->error = verification->error != NULL ? g_error_copy (verification->error)
                                                        : NULL;
    }
  if (verification->python != NULL)
    {
      g_clear_pointer (&self->python, kiln_run_result_unref);
      self->python = kiln_run_result_ref (verification->python);
    }

  switch (verification->check)
    {
    case KILN_CHECK_MATCHED:
    case KILN_CHECK_MATCHED_WITHIN_TOLERANCE:
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, NULL);
      break;
    case KILN_CHECK_HARD_CODED:
      repair_or_stop (self, KILN_ATTEMPT_HARD_CODED);
      break;
    case KILN_CHECK_OUTPUT_DIFFERS:
      repair_or_stop (self, KILN_ATTEMPT_OUTPUT_DIFFERS);
      break;
    case KILN_CHECK_COMPILE_ERROR:
      repair_or_stop (self, KILN_ATTEMPT_COMPILE_ERROR);
      break;
    case KILN_CHECK_TIMED_OUT:
      repair_or_stop (self, KILN_ATTEMPT_TIMEOUT);
      break;
    case KILN_CHECK_RUNTIME_ERROR:
      repair_or_stop (self, KILN_ATTEMPT_RUNTIME_ERROR);
      break;
    case KILN_CHECK_ORIGINAL_FAILED:
    case KILN_CHECK_NO_COMPILER:
    default:
      /* Not something a model can repair. */
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, verification->error != NULL
                        ? g_error_copy (verification->error)
                        : g_error_new_literal (KILN_ERROR, KILN_ERROR_FAILED,
                                               _("The C++ could not be verified.")));
      break;
    }
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
turn_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(KilnConversion) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!kiln_queue_enter_finish (KILN_QUEUE (object), res, &error))
    {
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, g_steal_pointer (&error));
      return;
    }
  self->holding_turn = TRUE;

  /* The turn came just as the person stopped it. */
  if (cancelled (self))
    {
      finish_attempt (self, KILN_ATTEMPT_OK);
      finish_run (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped")));
      return;
    }

  set_phase (self, KILN_CONVERSION_PHASE_COMPILING);
  if (!self->run)
    kiln_toolchain_compile_async (self->toolchain, self->attempt->code, self->cancellable,
                                  compiled_only_cb, g_object_ref (self));
  else
    kiln_program_verify_full_async (ensure_program (self), self->attempt->code, NULL,
                                    verify_progress, g_object_ref (self), g_object_unref,
                                    self->cancellable, verified_cb, g_object_ref (self));
}

static void
verify (KilnConversion *self)
{
  if (self->queue == NULL)
    self->queue = kiln_queue_new ();

  set_phase (self, KILN_CONVERSION_PHASE_WAITING);
  kiln_queue_enter_async (self->queue, self->cancellable, turn_cb, g_object_ref (self));
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
feed_extractor (KilnConversion *self,
                const char     *delta)
{
  gsize prose_before, prose_after;
  gsize appended_at = 0;
  KilnCodeChange change;
  const char *prose;

  kiln_code_extractor_get_prose (self->extractor, &prose_before);
  change = kiln_code_extractor_feed (self->extractor, delta, -1, &appended_at);
  emit_code_change (self, change, appended_at);

  prose = kiln_code_extractor_get_prose (self->extractor, &prose_after);
  if (prose_after > prose_before)
    g_signal_emit (self, signals[NOTES_DELTA], 0, prose + prose_before);
}

static void
text_delta_cb (KilnChatStream *stream,
               const char     *delta,
               KilnConversion *self)
{
  g_signal_emit (self, signals[ANSWER_DELTA], 0, delta);
  feed_extractor (self, delta);
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
  const char *finish_reason;
  gboolean ok;

  ok = kiln_chat_stream_run_finish (stream, res, &error);

  kiln_code_extractor_get_prose (self->extractor, &prose_before);
  change = kiln_code_extractor_finish (self->extractor, &appended_at);
  emit_code_change (self, change, appended_at);
  prose = kiln_code_extractor_get_prose (self->extractor, &prose_after);
  if (prose_after > prose_before)
    g_signal_emit (self, signals[NOTES_DELTA], 0, prose + prose_before);

  g_free (attempt->answer);
  attempt->answer = g_strconcat (self->answer_prefix != NULL ? self->answer_prefix : "",
                                 kiln_chat_stream_get_text (stream), NULL);
  g_free (attempt->code);
  attempt->code = g_strdup (kiln_code_extractor_get_code (self->extractor, NULL));
  g_free (attempt->notes);
  attempt->notes = g_strdup (kiln_code_extractor_get_prose (self->extractor, NULL));
  g_free (attempt->reasoning);
  attempt->reasoning = g_strdup (kiln_chat_stream_get_reasoning (stream));
  g_free (attempt->refusal);
  attempt->refusal = g_strdup (kiln_chat_stream_get_refusal (stream));
  finish_reason = kiln_chat_stream_get_finish_reason (stream);
  g_free (attempt->finish_reason);
  attempt->finish_reason = g_strdup (finish_reason);
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

  /* A refusal is the model's answer: asking again would only argue with it. */
  if (kiln_chat_stream_get_refused (stream))
    {
      g_autofree char *why = g_strstrip (g_strdup (attempt->refusal));

      finish_attempt (self, KILN_ATTEMPT_REFUSED);
      if (*why != '\0')
        finish_run (self, g_error_new (KILN_ERROR, KILN_ERROR_REFUSED,
                                       _("The model refused to convert the program: %s"), why));
      else
        finish_run (self, g_error_new_literal (KILN_ERROR, KILN_ERROR_REFUSED,
                                               _("The model refused to convert the program "
                                                 "and gave no reason.")));
      return;
    }

  /* Cut at the token limit: the code is incomplete, so it is not compiled; the model is
   * asked to go on where it stopped. */
  if (kiln_chat_stream_get_truncated (stream))
    {
      repair_or_stop (self, KILN_ATTEMPT_TRUNCATED);
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
  g_clear_object (&self->attempt);
  self->attempt = kiln_attempt_new (self->attempts->len + 1, repairing);
  g_ptr_array_add (self->attempts, g_object_ref (self->attempt));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTEMPT]);

  g_clear_pointer (&self->extractor, kiln_code_extractor_free);
  self->extractor = kiln_code_extractor_new ();

  g_signal_emit (self, signals[ATTEMPT_STARTED], 0, self->attempt);
  set_phase (self, KILN_CONVERSION_PHASE_STREAMING);

  /* A continued answer starts from what was already written. */
  if (self->answer_prefix != NULL)
    feed_extractor (self, self->answer_prefix);

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

/* What the prompt says of the input: the shown case itself when it is short enough to read,
 * and that the program must work for other inputs too (Kiln checks hidden ones). Not
 * translated: the prompts are English. */
#define INPUT_SHOWN_MAX 4000

static char *
describe_input (KilnConversion *self,
                gsize           input_size)
{
  guint n_cases = self->program != NULL ? kiln_program_get_n_cases (self->program) : 1;
  g_autofree char *text = NULL;

  if (input_size == 0)
    return g_strdup ("The program gets no input: standard input is empty.");

  if (input_size <= INPUT_SHOWN_MAX)
    {
      text = g_utf8_make_valid (g_bytes_get_data (self->input, NULL), input_size);
      return g_strdup_printf ("The program reads this from standard input when it runs "
                              "(%" G_GSIZE_FORMAT " bytes):\n\n```text\n%s%s```\n\n"
                              "Your program must give the same output as the original for "
                              "any input the original accepts, not only this one%s.",
                              input_size, text, g_str_has_suffix (text, "\n") ? "" : "\n",
                              n_cases > 1 ? " (it is also checked on other inputs)" : "");
    }
  return g_strdup_printf ("The program reads %" G_GSIZE_FORMAT " bytes from standard input "
                          "when it runs. Your program must give the same output as the "
                          "original for any input the original accepts%s.", input_size,
                          n_cases > 1 ? " (it is also checked on other inputs)" : "");
}

static void
context_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(KilnConversion) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnPromptContext) context = NULL;
  g_autofree char *system = NULL;
  g_autofree char *user = NULL;
  const char *system_name, *user_name;
  gsize input_size = self->input != NULL ? g_bytes_get_size (self->input) : 0;

  context = _kiln_prompt_context_load_finish (res, &error);
  if (context == NULL)
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  self->prompts = g_steal_pointer (&context->prompts);
  self->platform = g_steal_pointer (&context->values);
  g_hash_table_insert (self->platform, g_strdup ("source"), g_strdup (self->source));
  g_hash_table_insert (self->platform, g_strdup ("input_note"), describe_input (self, input_size));

  system_name = self->language == KILN_LANGUAGE_PYTHON ? KILN_PROMPT_PYTHON_TO_CPP_SYSTEM
                                                       : KILN_PROMPT_CPP_TO_CPP_SYSTEM;
  user_name = self->language == KILN_LANGUAGE_PYTHON ? KILN_PROMPT_PYTHON_TO_CPP_USER
                                                     : KILN_PROMPT_CPP_TO_CPP_USER;
  if (!(system = kiln_prompt_render (g_hash_table_lookup (self->prompts, system_name),
                                     self->platform, &error)) ||
      !(user = kiln_prompt_render (g_hash_table_lookup (self->prompts, user_name),
                                   self->platform, &error)))
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  g_ptr_array_add (self->messages, kiln_chat_message_new (KILN_ROLE_SYSTEM, system));
  g_ptr_array_add (self->messages, kiln_chat_message_new (KILN_ROLE_USER, user));
  start_attempt (self, KILN_ATTEMPT_OK);
}

static void
outside_cancelled_cb (GCancellable   *outside,
                      KilnConversion *self)
{
  g_cancellable_cancel (self->cancellable);
}

void
kiln_conversion_run_async (KilnConversion      *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  const char *names[] = {
    self->language == KILN_LANGUAGE_PYTHON ? KILN_PROMPT_PYTHON_TO_CPP_SYSTEM
                                           : KILN_PROMPT_CPP_TO_CPP_SYSTEM,
    self->language == KILN_LANGUAGE_PYTHON ? KILN_PROMPT_PYTHON_TO_CPP_USER
                                           : KILN_PROMPT_CPP_TO_CPP_USER,
    KILN_PROMPT_REPAIR_COMPILE,
    KILN_PROMPT_REPAIR_RUNTIME,
    KILN_PROMPT_REPAIR_OUTPUT,
    KILN_PROMPT_REPAIR_HARD_CODED,
    KILN_PROMPT_CONTINUE_TRUNCATED,
    NULL,
  };

  g_return_if_fail (KILN_IS_CONVERSION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (self->attempts->len == 0);
  g_return_if_fail (!self->restored && self->model != NULL);

  self->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->task, kiln_conversion_run_async);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->outside = g_object_ref (cancellable);
      self->outside_id = g_cancellable_connect (cancellable, G_CALLBACK (outside_cancelled_cb),
                                                self, NULL);
    }
  self->started = g_get_monotonic_time ();
  self->ended = 0;
  g_object_freeze_notify (G_OBJECT (self));
  UPDATE (running, TRUE, PROP_RUNNING);
  set_phase (self, KILN_CONVERSION_PHASE_PREPARING);
  g_object_thaw_notify (G_OBJECT (self));

  _kiln_prompt_context_load_async (self->toolchain, self->prompts_dir, names,
                                   self->cancellable, context_cb, g_object_ref (self));
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

const char *
kiln_conversion_get_model_id (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return self->model_id;
}

const char *
kiln_conversion_get_model_label (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return self->model_label;
}

double
kiln_conversion_get_speedup_cpu (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), 0);
  return self->speedup_cpu;
}

double
kiln_conversion_get_speedup_low (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), 0);
  return self->speedup_low;
}

double
kiln_conversion_get_speedup_high (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), 0);
  return self->speedup_high;
}

gboolean
kiln_conversion_get_noisy (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), FALSE);
  return self->noisy;
}

KilnSpeedupBasis
kiln_conversion_get_basis (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), KILN_SPEEDUP_BASIS_WALL);
  return self->basis;
}

const char *
kiln_conversion_get_suspicious (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return self->suspicious;
}

guint
kiln_conversion_get_failed_case (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), 0);
  return self->failed_case;
}

GPtrArray *
kiln_conversion_dup_messages (KilnConversion *self)
{
  GPtrArray *messages;
  KilnAttempt *last;

  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_chat_message_free);
  for (guint i = 0; self->messages != NULL && i < self->messages->len; i++)
    {
      KilnChatMessage *message = g_ptr_array_index (self->messages, i);

      g_ptr_array_add (messages, kiln_chat_message_new (message->role, message->content));
    }
  /* A repair put the answer it repaired in the chat; the last answer is not yet. */
  last = kiln_conversion_get_last_attempt (self);
  if (last != NULL && last->answer != NULL && *last->answer != '\0' && messages->len > 0 &&
      ((KilnChatMessage *) g_ptr_array_index (messages, messages->len - 1))->role ==
        KILN_ROLE_USER)
    g_ptr_array_add (messages, kiln_chat_message_new (KILN_ROLE_ASSISTANT, last->answer));

  return messages;
}

KilnComparison *
kiln_conversion_get_comparison (KilnConversion *self)
{
  KilnAttempt *last;

  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);

  last = kiln_conversion_get_last_attempt (self);
  if (last == NULL || last->verification == NULL)
    return NULL;
  return last->verification->comparison;
}

KilnLanguage
kiln_conversion_get_language (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), KILN_LANGUAGE_PYTHON);
  return self->language;
}

const char *
kiln_conversion_get_source (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return self->source;
}

GBytes *
kiln_conversion_get_input (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return self->input;
}

KilnConversionPhase
kiln_conversion_get_phase (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), KILN_CONVERSION_PHASE_IDLE);
  return self->phase;
}

gboolean
kiln_conversion_get_running (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), FALSE);
  return self->running;
}

KilnVerdict
kiln_conversion_get_verdict (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), KILN_VERDICT_NONE);
  return self->verdict;
}

gboolean
kiln_conversion_get_verified (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), FALSE);
  return verdict_is_verified (self->verdict);
}

double
kiln_conversion_get_speedup (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), 0);
  return self->speedup;
}

gboolean
kiln_conversion_get_speedup_is_lower_bound (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), FALSE);
  return self->speedup_is_lower_bound;
}

double
kiln_conversion_get_cpp_seconds (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), -1);
  return self->cpp_seconds;
}

double
kiln_conversion_get_python_seconds (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), -1);
  return self->python_seconds;
}

guint
kiln_conversion_get_diff_line (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), 0);
  return self->diff_line;
}

double
kiln_conversion_get_ttft_seconds (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), -1);
  return self->ttft_seconds;
}

gint64
kiln_conversion_get_tokens_in (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), -1);
  return self->tokens_in;
}

gint64
kiln_conversion_get_tokens_out (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), -1);
  return self->tokens_out;
}

double
kiln_conversion_get_tokens_per_second (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), -1);
  return self->tokens_per_second;
}

double
kiln_conversion_get_cost_usd (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), -1);
  return self->cost_usd;
}

const char *
kiln_conversion_get_error_message (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return self->error_message;
}

gboolean
kiln_conversion_get_restored (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), FALSE);
  return self->restored;
}

guint
kiln_conversion_get_attempt (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), 0);
  return self->attempts->len;
}

GListModel *
kiln_conversion_get_attempts_model (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);
  return G_LIST_MODEL (self->finished);
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

const char *
kiln_conversion_get_code (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);

  for (guint i = self->attempts->len; i > 0; i--)
    {
      KilnAttempt *attempt = g_ptr_array_index (self->attempts, i - 1);

      if (*attempt->code != '\0')
        return attempt->code;
    }
  return "";
}

const char *
kiln_conversion_get_current_code (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);

  if (self->attempt != NULL && self->extractor != NULL)
    return kiln_code_extractor_get_code (self->extractor, NULL);
  return kiln_conversion_get_code (self);
}

const char *
kiln_conversion_get_current_notes (KilnConversion *self)
{
  KilnAttempt *last;

  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);

  if (self->attempt != NULL && self->extractor != NULL)
    return kiln_code_extractor_get_prose (self->extractor, NULL);
  last = kiln_conversion_get_last_attempt (self);
  return last != NULL ? last->notes : "";
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

  if (self->restored)
    return self->seconds;
  if (self->started == 0)
    return 0;
  end = self->ended != 0 ? self->ended : g_get_monotonic_time ();
  return (end - self->started) / (double) G_USEC_PER_SEC;
}

char *
kiln_conversion_dup_verdict_text (KilnConversion *self)
{
  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);

  switch (self->verdict)
    {
    case KILN_VERDICT_MATCHED:
      return g_strdup (_("Outputs match"));
    case KILN_VERDICT_MATCHED_WITHIN_TOLERANCE:
      {
        KilnComparison *comparison = kiln_conversion_get_comparison (self);

        if (comparison != NULL && comparison->tolerance > 0)
          /* Translators: %g is a relative tolerance such as 1e-09 */
          return g_strdup_printf (_("Matches within %g"), comparison->tolerance);
        return g_strdup (_("Matches within the tolerance"));
      }
    case KILN_VERDICT_HARD_CODED:
      return g_strdup (_("Looks hard-coded"));
    case KILN_VERDICT_OUTPUT_DIFFERS:
      if (self->failed_case > 1)
        /* Translators: %u is the number of an input case the model was not shown (2 or more) */
        return g_strdup_printf (_("Differs on hidden input %u"), self->failed_case);
      if (self->diff_line > 0)
        /* Translators: %u is a line number of the program's output */
        return g_strdup_printf (_("Output differs at line %u"), self->diff_line);
      return g_strdup (_("Output differs"));
    case KILN_VERDICT_COMPILE_ERROR:
      return g_strdup (_("Did not compile"));
    case KILN_VERDICT_RUNTIME_ERROR:
      return g_strdup (_("Crashed"));
    case KILN_VERDICT_TIMED_OUT:
      return g_strdup (_("Timed out"));
    case KILN_VERDICT_REFUSED:
      return g_strdup (_("Refused"));
    case KILN_VERDICT_TRUNCATED:
      return g_strdup (_("Cut off at the token limit"));
    case KILN_VERDICT_NO_CODE:
      return g_strdup (_("No code in the answer"));
    case KILN_VERDICT_ERROR:
      return g_strdup (_("Failed"));
    case KILN_VERDICT_STOPPED:
      return g_strdup (_("Stopped"));
    case KILN_VERDICT_UNVERIFIED:
      return g_strdup (_("Not verified"));
    case KILN_VERDICT_NONE:
    default:
      break;
    }

  switch (self->phase)
    {
    case KILN_CONVERSION_PHASE_PREPARING:
      return g_strdup (_("Preparing…"));
    case KILN_CONVERSION_PHASE_STREAMING:
      return g_strdup (_("Writing…"));
    case KILN_CONVERSION_PHASE_WAITING:
      return g_strdup (_("Waiting to verify…"));
    case KILN_CONVERSION_PHASE_COMPILING:
    case KILN_CONVERSION_PHASE_RUNNING_PYTHON:
    case KILN_CONVERSION_PHASE_RUNNING_CPP:
      return g_strdup (_("Verifying…"));
    case KILN_CONVERSION_PHASE_IDLE:
    case KILN_CONVERSION_PHASE_DONE:
    default:
      return g_strdup (_("Waiting…"));
    }
}

/* How far an unverified conversion got: higher is better. */
static int
verdict_standing (KilnVerdict verdict)
{
  switch (verdict)
    {
    case KILN_VERDICT_MATCHED:
    case KILN_VERDICT_MATCHED_WITHIN_TOLERANCE:
      return 100;
    case KILN_VERDICT_UNVERIFIED:
      return 90;
    case KILN_VERDICT_HARD_CODED:
      return 85;
    case KILN_VERDICT_OUTPUT_DIFFERS:
      return 80;
    case KILN_VERDICT_RUNTIME_ERROR:
      return 70;
    case KILN_VERDICT_TIMED_OUT:
      return 60;
    case KILN_VERDICT_COMPILE_ERROR:
      return 50;
    case KILN_VERDICT_TRUNCATED:
      return 40;
    case KILN_VERDICT_NO_CODE:
      return 30;
    case KILN_VERDICT_REFUSED:
      return 20;
    case KILN_VERDICT_ERROR:
      return 10;
    case KILN_VERDICT_STOPPED:
      return 5;
    case KILN_VERDICT_NONE:
    default:
      return 0;
    }
}

int
kiln_conversion_compare_rank (gconstpointer a,
                              gconstpointer b,
                              gpointer      user_data)
{
  KilnConversion *x = KILN_CONVERSION ((gpointer) a);
  KilnConversion *y = KILN_CONVERSION ((gpointer) b);
  int sx = verdict_standing (x->verdict), sy = verdict_standing (y->verdict);

  if (sx != sy)
    return sx > sy ? -1 : 1;
  if (verdict_is_verified (x->verdict) && x->speedup != y->speedup)
    return x->speedup > y->speedup ? -1 : 1;
  return g_utf8_collate (x->model_label, y->model_label);
}

/* --- records ---------------------------------------------------------------------------- */

JsonNode *
kiln_conversion_to_record (KilnConversion *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GListModel *finished;
  g_autofree char *verdict_text = NULL;

  g_return_val_if_fail (KILN_IS_CONVERSION (self), NULL);

  finished = G_LIST_MODEL (self->finished);
  verdict_text = kiln_conversion_dup_verdict_text (self);

  json_builder_begin_object (builder);
  kiln_json_builder_add_text (builder, "model", self->model_id);
  kiln_json_builder_add_text (builder, "model_label", self->model_label);
  kiln_json_builder_add_text (builder, "verdict", kiln_verdict_to_string (self->verdict));
  kiln_json_builder_add_text (builder, "verdict_text", verdict_text);
  json_builder_set_member_name (builder, "verified");
  json_builder_add_boolean_value (builder, verdict_is_verified (self->verdict));
  kiln_json_builder_add_double (builder, "speedup", self->speedup, self->speedup > 0);
  kiln_json_builder_add_double (builder, "speedup_cpu", self->speedup_cpu, self->speedup_cpu > 0);
  json_builder_set_member_name (builder, "speedup_range");
  if (self->speedup_low > 0)
    {
      json_builder_begin_array (builder);
      json_builder_add_double_value (builder, self->speedup_low);
      json_builder_add_double_value (builder, self->speedup_high);
      json_builder_end_array (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "noisy");
  json_builder_add_boolean_value (builder, self->noisy);
  kiln_json_builder_add_text (builder, "basis", kiln_speedup_basis_to_string (self->basis));
  kiln_json_builder_add_text (builder, "suspicious", self->suspicious);
  kiln_json_builder_add_count (builder, "failed_case",
                               self->failed_case > 0 ? (gint64) self->failed_case : -1);
  kiln_json_builder_add_double (builder, "cpp_cpu_seconds", self->cpp_cpu_seconds,
                                self->cpp_cpu_seconds >= 0);
  kiln_json_builder_add_double (builder, "python_cpu_seconds", self->python_cpu_seconds,
                                self->python_cpu_seconds >= 0);
  json_builder_set_member_name (builder, "speedup_is_lower_bound");
  json_builder_add_boolean_value (builder, self->speedup_is_lower_bound);
  kiln_json_builder_add_double (builder, "cpp_seconds", self->cpp_seconds,
                                self->cpp_seconds >= 0);
  kiln_json_builder_add_double (builder, "python_seconds", self->python_seconds,
                                self->python_seconds >= 0);
  kiln_json_builder_add_count (builder, "diff_line",
                               self->diff_line > 0 ? (gint64) self->diff_line : -1);
  kiln_json_builder_add_double (builder, "ttft_seconds", self->ttft_seconds,
                                self->ttft_seconds >= 0);
  kiln_json_builder_add_count (builder, "tokens_in", self->tokens_in);
  kiln_json_builder_add_count (builder, "tokens_out", self->tokens_out);
  kiln_json_builder_add_double (builder, "tokens_per_second", self->tokens_per_second,
                                self->tokens_per_second >= 0);
  kiln_json_builder_add_double (builder, "cost_usd", self->cost_usd, self->cost_usd >= 0);
  kiln_json_builder_add_double (builder, "seconds", kiln_conversion_get_seconds (self), TRUE);
  kiln_json_builder_add_count (builder, "max_attempts", self->max_attempts);
  kiln_json_builder_add_text (builder, "error", self->error_message);

  json_builder_set_member_name (builder, "attempts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (finished); i++)
    {
      g_autoptr(KilnAttempt) attempt = g_list_model_get_item (finished, i);
      KilnComparison *comparison = attempt->comparison;
      double cpp_seconds = median_wall (attempt->cpp);
      const char *error = attempt->error != NULL ? attempt->error->message
                          : attempt->cpp != NULL && attempt->cpp->error != NULL
                          ? attempt->cpp->error->message : NULL;

      json_builder_begin_object (builder);
      kiln_json_builder_add_count (builder, "number", attempt->number);
      kiln_json_builder_add_text (builder, "repairing",
                                  kiln_attempt_reason_to_string (attempt->repairing));
      kiln_json_builder_add_text (builder, "reason",
                                  kiln_attempt_reason_to_string (attempt->reason));
      kiln_json_builder_add_text (builder, "answer", attempt->answer);
      kiln_json_builder_add_text (builder, "code", attempt->code);
      kiln_json_builder_add_text (builder, "notes", attempt->notes);
      kiln_json_builder_add_text (builder, "reasoning", attempt->reasoning);
      kiln_json_builder_add_text (builder, "refusal", attempt->refusal);
      kiln_json_builder_add_text (builder, "finish_reason", attempt->finish_reason);
      kiln_json_builder_add_text (builder, "error", error);
      kiln_json_builder_add_double (builder, "cpp_seconds", cpp_seconds, cpp_seconds >= 0);
      kiln_json_builder_add_count (builder, "diff_line",
                                   comparison != NULL && comparison->diff != NULL &&
                                   !comparison->diff->match
                                   ? (gint64) comparison->diff->line : -1);
      kiln_json_builder_add_count (builder, "input_tokens", attempt->input_tokens);
      kiln_json_builder_add_count (builder, "output_tokens", attempt->output_tokens);
      kiln_json_builder_add_double (builder, "ttft_seconds", attempt->ttft_seconds,
                                    attempt->ttft_seconds >= 0);
      kiln_json_builder_add_double (builder, "seconds", attempt->seconds, TRUE);
      kiln_json_builder_add_double (builder, "cost_usd", attempt->cost_usd,
                                    attempt->cost_usd >= 0);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static double
member_number (JsonObject *object,
               const char *name,
               double      unknown)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return unknown;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return (double) json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return json_node_get_double (node);
    default:
      return unknown;
    }
}

static gboolean
member_boolean (JsonObject *object,
                const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

static char *
dup_or_empty (const char *text)
{
  return g_strdup (text != NULL ? text : "");
}

KilnConversion *
kiln_conversion_new_from_record (JsonNode  *record,
                                 GError   **error)
{
  g_autoptr(KilnConversion) self = NULL;
  JsonObject *object;
  JsonArray *attempts;
  const char *model_id;

  g_return_val_if_fail (record != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (record) ||
      (model_id = member_string (json_node_get_object (record), "model")) == NULL)
    {
      g_set_error_literal (error, KILN_ERROR, KILN_ERROR_BAD_RESPONSE,
                           _("A saved conversion could not be read: it names no model."));
      return NULL;
    }
  object = json_node_get_object (record);

  self = g_object_new (KILN_TYPE_CONVERSION, NULL);
  self->restored = TRUE;
  self->model_id = g_strdup (model_id);
  self->model_label = g_strdup (member_string (object, "model_label") ?: model_id);
  if (!kiln_verdict_from_string (member_string (object, "verdict"), &self->verdict))
    self->verdict = KILN_VERDICT_ERROR;
  self->speedup = verdict_is_verified (self->verdict)
                  ? MAX (member_number (object, "speedup", 0), 0) : 0;
  self->speedup_cpu = self->speedup > 0 ? MAX (member_number (object, "speedup_cpu", 0), 0) : 0;
  if (self->speedup > 0 && json_object_has_member (object, "speedup_range") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "speedup_range")))
    {
      JsonArray *range = json_object_get_array_member (object, "speedup_range");

      if (json_array_get_length (range) == 2)
        {
          self->speedup_low = MAX (json_array_get_double_element (range, 0), 0);
          self->speedup_high = MAX (json_array_get_double_element (range, 1), 0);
        }
    }
  self->noisy = member_boolean (object, "noisy");
  if (!kiln_speedup_basis_from_string (member_string (object, "basis"), &self->basis))
    self->basis = KILN_SPEEDUP_BASIS_WALL;
  self->suspicious = g_strdup (member_string (object, "suspicious"));
  self->failed_case = (guint) MAX (member_number (object, "failed_case", 0), 0);
  self->cpp_cpu_seconds = member_number (object, "cpp_cpu_seconds", -1);
  self->python_cpu_seconds = member_number (object, "python_cpu_seconds", -1);
  self->speedup_is_lower_bound = member_boolean (object, "speedup_is_lower_bound");
  self->cpp_seconds = member_number (object, "cpp_seconds", -1);
  self->python_seconds = member_number (object, "python_seconds", -1);
  self->diff_line = (guint) MAX (member_number (object, "diff_line", 0), 0);
  self->ttft_seconds = member_number (object, "ttft_seconds", -1);
  self->tokens_in = (gint64) member_number (object, "tokens_in", -1);
  self->tokens_out = (gint64) member_number (object, "tokens_out", -1);
  self->tokens_per_second = member_number (object, "tokens_per_second", -1);
  self->cost_usd = member_number (object, "cost_usd", -1);
  self->seconds = MAX (member_number (object, "seconds", 0), 0);
  self->max_attempts = (guint) CLAMP (member_number (object, "max_attempts", 3), 1, 100);
  self->error_message = g_strdup (member_string (object, "error"));
  self->phase = KILN_CONVERSION_PHASE_DONE;

  attempts = json_object_has_member (object, "attempts") &&
             JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "attempts"))
             ? json_object_get_array_member (object, "attempts") : NULL;
  for (guint i = 0; attempts != NULL && i < json_array_get_length (attempts); i++)
    {
      JsonNode *node = json_array_get_element (attempts, i);
      JsonObject *item;
      g_autoptr(KilnAttempt) attempt = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      item = json_node_get_object (node);
      attempt = kiln_attempt_new (i + 1, KILN_ATTEMPT_OK);
      attempt_reason_from_string (member_string (item, "repairing"), &attempt->repairing);
      attempt_reason_from_string (member_string (item, "reason"), &attempt->reason);
      g_free (attempt->answer);
      attempt->answer = dup_or_empty (member_string (item, "answer"));
      g_free (attempt->code);
      attempt->code = dup_or_empty (member_string (item, "code"));
      g_free (attempt->notes);
      attempt->notes = dup_or_empty (member_string (item, "notes"));
      g_free (attempt->reasoning);
      attempt->reasoning = dup_or_empty (member_string (item, "reasoning"));
      g_free (attempt->refusal);
      attempt->refusal = dup_or_empty (member_string (item, "refusal"));
      attempt->finish_reason = g_strdup (member_string (item, "finish_reason"));
      attempt->input_tokens = (gint64) member_number (item, "input_tokens", -1);
      attempt->output_tokens = (gint64) member_number (item, "output_tokens", -1);
      attempt->ttft_seconds = member_number (item, "ttft_seconds", -1);
      attempt->seconds = member_number (item, "seconds", 0);
      attempt->cost_usd = member_number (item, "cost_usd", -1);
      g_ptr_array_add (self->attempts, g_object_ref (attempt));
      g_list_store_append (self->finished, attempt);
    }

  return g_steal_pointer (&self);
}

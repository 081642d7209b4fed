/* kiln-optimizer.c: optimize rounds and the compiler flag search
 *
 * Round 0 verifies and times the starting program: it is the first best. Each model round
 * tells the model the best's measured time and asks for a faster program with identical
 * output; each of its K candidates is verified exactly like a conversion (every input case,
 * the hard-coded check) through kiln_program_verify_async(), and a compile error gets one
 * repair inside the round. A candidate replaces the best only when it is verified and faster
 * by more than the noise (kiln_optimizer_is_improvement()). The rounds stop after N, when a
 * round brings no verified candidate, when two rounds in a row bring nothing faster (one
 * right-but-not-faster round is told so and tried again: the next may find the better
 * algorithm), on stop(), or when the best runs about as fast as an empty program starts. The flag search then builds the best source (and the starting one) with each of
 * kiln-flag-sets' option sets and keeps the fastest that is still verified.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/utsname.h>

#include <glib/gi18n-lib.h>

#include "kiln-chat-stream.h"
#include "kiln-code-extractor.h"
#include "kiln-error.h"
#include "kiln-flag-sets.h"
#include "kiln-json-write.h"
#include "kiln-optimizer.h"
#include "kiln-prompt.h"
#include "kiln-prompt-context.h"

#define PROMPT_SYSTEM "optimize.system.txt"
#define PROMPT_ROUND  "optimize.txt"
#define DIAGNOSTICS_MAX 6000
#define SUMMARY_MAX_CHARS 200
/* A candidate must be at least this much faster (median) to replace the best. */
#define MIN_GAIN 0.97
/* Rounds stop once the best's wall time is within this factor of the start-up floor and its
 * CPU time below the floor itself: CPU time does not grow with the machine's load, so a floor
 * measured at a busier moment does not stop the rounds of a program that still computes. */
#define FLOOR_FACTOR 1.5

/* --- candidates ------------------------------------------------------------------------- */

enum {
  CPROP_0,
  CPROP_ROUND,
  CPROP_INDEX,
  CPROP_VERDICT,
  CPROP_VERDICT_TEXT,
  CPROP_VERIFIED,
  CPROP_KEPT,
  CPROP_CPP_SECONDS,
  CPROP_SPEEDUP,
  CPROP_SPEEDUP_OVER_BEST,
  CPROP_FLAGS,
  CPROP_COMPILER,
  CPROP_SUMMARY,
  CPROP_CODE,
  CPROP_ERROR_MESSAGE,
  N_CPROPS
};

static GParamSpec *candidate_properties[N_CPROPS];

G_DEFINE_FINAL_TYPE (KilnOptimizeCandidate, kiln_optimize_candidate, G_TYPE_OBJECT)

static void
kiln_optimize_candidate_finalize (GObject *object)
{
  KilnOptimizeCandidate *self = KILN_OPTIMIZE_CANDIDATE (object);

  g_free (self->code);
  g_free (self->answer);
  g_free (self->summary);
  g_free (self->compiler);
  g_free (self->flags);
  g_clear_pointer (&self->verification, kiln_verification_unref);
  g_free (self->verdict_text);
  g_free (self->error_message);
  g_clear_pointer (&self->chat_tail, g_ptr_array_unref);

  G_OBJECT_CLASS (kiln_optimize_candidate_parent_class)->finalize (object);
}

static void
kiln_optimize_candidate_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  KilnOptimizeCandidate *self = KILN_OPTIMIZE_CANDIDATE (object);

  switch (prop_id)
    {
    case CPROP_ROUND: g_value_set_uint (value, self->round); break;
    case CPROP_INDEX: g_value_set_uint (value, self->index); break;
    case CPROP_VERDICT: g_value_set_string (value, self->verdict); break;
    case CPROP_VERDICT_TEXT: g_value_set_string (value, self->verdict_text); break;
    case CPROP_VERIFIED:
      g_value_set_boolean (value, kiln_optimize_candidate_get_verified (self));
      break;
    case CPROP_KEPT: g_value_set_boolean (value, self->kept); break;
    case CPROP_CPP_SECONDS: g_value_set_double (value, self->cpp_seconds); break;
    case CPROP_SPEEDUP: g_value_set_double (value, self->speedup); break;
    case CPROP_SPEEDUP_OVER_BEST: g_value_set_double (value, self->speedup_over_best); break;
    case CPROP_FLAGS: g_value_set_string (value, self->flags); break;
    case CPROP_COMPILER: g_value_set_string (value, self->compiler); break;
    case CPROP_SUMMARY: g_value_set_string (value, self->summary); break;
    case CPROP_CODE: g_value_set_string (value, self->code); break;
    case CPROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_optimize_candidate_class_init (KilnOptimizeCandidateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = kiln_optimize_candidate_finalize;
  object_class->get_property = kiln_optimize_candidate_get_property;

  candidate_properties[CPROP_ROUND] = g_param_spec_uint ("round", NULL, NULL, 0, G_MAXUINT, 0,
                                                         flags);
  candidate_properties[CPROP_INDEX] = g_param_spec_uint ("index", NULL, NULL, 0, G_MAXUINT, 0,
                                                         flags);
  candidate_properties[CPROP_VERDICT] = g_param_spec_string ("verdict", NULL, NULL, NULL, flags);
  candidate_properties[CPROP_VERDICT_TEXT] = g_param_spec_string ("verdict-text", NULL, NULL,
                                                                  NULL, flags);
  candidate_properties[CPROP_VERIFIED] = g_param_spec_boolean ("verified", NULL, NULL, FALSE,
                                                               flags);
  candidate_properties[CPROP_KEPT] = g_param_spec_boolean ("kept", NULL, NULL, FALSE, flags);
  candidate_properties[CPROP_CPP_SECONDS] = g_param_spec_double ("cpp-seconds", NULL, NULL,
                                                                 -1, G_MAXDOUBLE, -1, flags);
  candidate_properties[CPROP_SPEEDUP] = g_param_spec_double ("speedup", NULL, NULL,
                                                             0, G_MAXDOUBLE, 0, flags);
  candidate_properties[CPROP_SPEEDUP_OVER_BEST] =
    g_param_spec_double ("speedup-over-best", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  candidate_properties[CPROP_FLAGS] = g_param_spec_string ("flags", NULL, NULL, NULL, flags);
  candidate_properties[CPROP_COMPILER] = g_param_spec_string ("compiler", NULL, NULL, NULL,
                                                              flags);
  candidate_properties[CPROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, flags);
  candidate_properties[CPROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, flags);
  candidate_properties[CPROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL,
                                                                   NULL, flags);
  g_object_class_install_properties (object_class, N_CPROPS, candidate_properties);
}

static void
kiln_optimize_candidate_init (KilnOptimizeCandidate *self)
{
  self->code = g_strdup ("");
  self->temperature = -1;
  self->cpp_seconds = -1;
  self->chat_tail = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_chat_message_free);
}

static KilnOptimizeCandidate *
candidate_new (guint round,
               guint index)
{
  KilnOptimizeCandidate *self = g_object_new (KILN_TYPE_OPTIMIZE_CANDIDATE, NULL);

  self->round = round;
  self->index = index;
  return self;
}

gboolean
kiln_optimize_candidate_get_verified (KilnOptimizeCandidate *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_CANDIDATE (self), FALSE);

  return self->verification != NULL && kiln_verification_verified (self->verification);
}

static void
candidate_set_kept (KilnOptimizeCandidate *self,
                    gboolean               kept)
{
  if (self->kept == kept)
    return;
  self->kept = kept;
  g_object_notify_by_pspec (G_OBJECT (self), candidate_properties[CPROP_KEPT]);
}

/* --- rounds ----------------------------------------------------------------------------- */

struct _KilnOptimizeRound
{
  GObject                parent_instance;
  guint                  number;
  KilnOptimizeRoundKind  kind;
  GListStore            *candidates;
  KilnOptimizeCandidate *kept;
};

enum {
  RPROP_0,
  RPROP_NUMBER,
  RPROP_KIND,
  RPROP_CANDIDATES,
  RPROP_KEPT,
  N_RPROPS
};

static GParamSpec *round_properties[N_RPROPS];

G_DEFINE_FINAL_TYPE (KilnOptimizeRound, kiln_optimize_round, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (KilnOptimizeRoundKind, kiln_optimize_round_kind,
  G_DEFINE_ENUM_VALUE (KILN_OPTIMIZE_ROUND_START, "start"),
  G_DEFINE_ENUM_VALUE (KILN_OPTIMIZE_ROUND_MODEL, "model"),
  G_DEFINE_ENUM_VALUE (KILN_OPTIMIZE_ROUND_FLAGS, "flags"))

G_DEFINE_ENUM_TYPE (KilnOptimizePhase, kiln_optimize_phase,
  G_DEFINE_ENUM_VALUE (KILN_OPTIMIZE_PHASE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (KILN_OPTIMIZE_PHASE_PREPARING, "preparing"),
  G_DEFINE_ENUM_VALUE (KILN_OPTIMIZE_PHASE_MEASURING, "measuring"),
  G_DEFINE_ENUM_VALUE (KILN_OPTIMIZE_PHASE_STREAMING, "streaming"),
  G_DEFINE_ENUM_VALUE (KILN_OPTIMIZE_PHASE_VERIFYING, "verifying"),
  G_DEFINE_ENUM_VALUE (KILN_OPTIMIZE_PHASE_FLAGS, "flags"),
  G_DEFINE_ENUM_VALUE (KILN_OPTIMIZE_PHASE_DONE, "done"))

const char *
kiln_optimize_round_kind_to_string (KilnOptimizeRoundKind kind)
{
  switch (kind)
    {
    case KILN_OPTIMIZE_ROUND_START: return "start";
    case KILN_OPTIMIZE_ROUND_MODEL: return "model";
    case KILN_OPTIMIZE_ROUND_FLAGS: return "flags";
    default: return NULL;
    }
}

static void
kiln_optimize_round_finalize (GObject *object)
{
  KilnOptimizeRound *self = KILN_OPTIMIZE_ROUND (object);

  g_clear_object (&self->candidates);
  g_clear_object (&self->kept);

  G_OBJECT_CLASS (kiln_optimize_round_parent_class)->finalize (object);
}

static void
kiln_optimize_round_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  KilnOptimizeRound *self = KILN_OPTIMIZE_ROUND (object);

  switch (prop_id)
    {
    case RPROP_NUMBER: g_value_set_uint (value, self->number); break;
    case RPROP_KIND: g_value_set_enum (value, self->kind); break;
    case RPROP_CANDIDATES: g_value_set_object (value, self->candidates); break;
    case RPROP_KEPT: g_value_set_object (value, self->kept); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_optimize_round_class_init (KilnOptimizeRoundClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = kiln_optimize_round_finalize;
  object_class->get_property = kiln_optimize_round_get_property;

  round_properties[RPROP_NUMBER] = g_param_spec_uint ("number", NULL, NULL, 0, G_MAXUINT, 0,
                                                      flags);
  round_properties[RPROP_KIND] = g_param_spec_enum ("kind", NULL, NULL,
                                                    KILN_TYPE_OPTIMIZE_ROUND_KIND,
                                                    KILN_OPTIMIZE_ROUND_START, flags);
  round_properties[RPROP_CANDIDATES] = g_param_spec_object ("candidates", NULL, NULL,
                                                            G_TYPE_LIST_MODEL, flags);
  round_properties[RPROP_KEPT] = g_param_spec_object ("kept", NULL, NULL,
                                                      KILN_TYPE_OPTIMIZE_CANDIDATE, flags);
  g_object_class_install_properties (object_class, N_RPROPS, round_properties);
}

static void
kiln_optimize_round_init (KilnOptimizeRound *self)
{
  self->candidates = g_list_store_new (KILN_TYPE_OPTIMIZE_CANDIDATE);
}

static KilnOptimizeRound *
round_new (guint                 number,
           KilnOptimizeRoundKind kind)
{
  KilnOptimizeRound *self = g_object_new (KILN_TYPE_OPTIMIZE_ROUND, NULL);

  self->number = number;
  self->kind = kind;
  return self;
}

guint
kiln_optimize_round_get_number (KilnOptimizeRound *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_ROUND (self), 0);
  return self->number;
}

KilnOptimizeRoundKind
kiln_optimize_round_get_kind (KilnOptimizeRound *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_ROUND (self), KILN_OPTIMIZE_ROUND_START);
  return self->kind;
}

GListModel *
kiln_optimize_round_get_candidates (KilnOptimizeRound *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_ROUND (self), NULL);
  return G_LIST_MODEL (self->candidates);
}

KilnOptimizeCandidate *
kiln_optimize_round_get_kept (KilnOptimizeRound *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZE_ROUND (self), NULL);
  return self->kept;
}

static void
round_set_kept (KilnOptimizeRound     *self,
                KilnOptimizeCandidate *kept)
{
  if (self->kept == kept)
    return;
  if (self->kept != NULL)
    candidate_set_kept (self->kept, FALSE);
  g_set_object (&self->kept, kept);
  if (kept != NULL)
    candidate_set_kept (kept, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), round_properties[RPROP_KEPT]);
}

/* --- the optimizer ---------------------------------------------------------------------- */

struct _KilnOptimizer
{
  GObject                parent_instance;

  KilnProgram           *program;
  KilnToolchain         *toolchain;
  KilnModel             *model;
  char                  *api_key;
  SoupSession           *soup;
  char                  *start_code;
  GPtrArray             *messages;       /* KilnChatMessage: the chat so far */
  gboolean               continued;      /* @messages came from a conversion */

  guint                  rounds;
  guint                  samples;
  gboolean               search_flags;
  gboolean               allow_fast_math;
  double                 idle_timeout;
  char                  *prompts_dir;

  /* The run */
  GTask                 *task;
  GCancellable          *cancellable;
  GCancellable          *outside;
  gulong                 outside_id;
  GHashTable            *prompts;        /* name -> template text */
  GHashTable            *platform;       /* placeholder -> value */
  KilnOptimizeRound     *current;
  KilnOptimizeCandidate *candidate;      /* the one under way */
  GPtrArray             *sample_chat;    /* the chat this candidate's stream was given */
  KilnChatStream        *stream;
  KilnCodeExtractor     *extractor;
  GPtrArray             *flag_sets;      /* KilnFlagSet */
  guint                  flag_step;      /* flag set * 2 + source (0 best, 1 start) */
  KilnOptimizeCandidate *start;
  char                  *flags_base_code;
  guint                  idle_rounds;    /* model rounds in a row that kept nothing */

  /* What the properties say */
  KilnOptimizePhase      phase;
  guint                  round;
  gboolean               running;
  KilnOptimizeCandidate *best;
  GListStore            *history;
  char                  *stop_reason;
};

enum {
  PROP_0,
  PROP_ROUNDS,
  PROP_SAMPLES,
  PROP_SEARCH_FLAGS,
  PROP_ALLOW_FAST_MATH,
  PROP_IDLE_TIMEOUT,
  PROP_PROMPTS_DIR,
  PROP_PHASE,
  PROP_ROUND,
  PROP_RUNNING,
  PROP_BEST,
  PROP_HISTORY,
  PROP_STOP_REASON,
  N_PROPS
};

enum {
  ANSWER_DELTA,
  CANDIDATE_STARTED,
  CANDIDATE_FINISHED,
  ROUND_STARTED,
  ROUND_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KilnOptimizer, kiln_optimizer, G_TYPE_OBJECT)

static void next_round (KilnOptimizer *self);
static void start_sample (KilnOptimizer *self);
static void start_stream (KilnOptimizer *self);
static void flags_or_finish (KilnOptimizer *self);
static void next_flag_step (KilnOptimizer *self);

static GPtrArray *
copy_messages (GPtrArray *messages)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_chat_message_free);

  for (guint i = 0; messages != NULL && i < messages->len; i++)
    {
      KilnChatMessage *message = g_ptr_array_index (messages, i);

      g_ptr_array_add (copy, kiln_chat_message_new (message->role, message->content));
    }
  return copy;
}

static void
kiln_optimizer_dispose (GObject *object)
{
  KilnOptimizer *self = KILN_OPTIMIZER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->outside_id != 0)
    g_cancellable_disconnect (self->outside, self->outside_id);
  self->outside_id = 0;
  g_clear_object (&self->outside);
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (kiln_optimizer_parent_class)->dispose (object);
}

static void
kiln_optimizer_finalize (GObject *object)
{
  KilnOptimizer *self = KILN_OPTIMIZER (object);

  g_clear_object (&self->program);
  g_clear_object (&self->toolchain);
  g_clear_pointer (&self->model, kiln_model_unref);
  g_free (self->api_key);
  g_clear_object (&self->soup);
  g_free (self->start_code);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_free (self->prompts_dir);
  g_clear_object (&self->task);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->prompts, g_hash_table_unref);
  g_clear_pointer (&self->platform, g_hash_table_unref);
  g_clear_object (&self->current);
  g_clear_object (&self->candidate);
  g_clear_pointer (&self->sample_chat, g_ptr_array_unref);
  g_clear_pointer (&self->extractor, kiln_code_extractor_free);
  g_clear_pointer (&self->flag_sets, g_ptr_array_unref);
  g_clear_object (&self->start);
  g_free (self->flags_base_code);
  g_clear_object (&self->best);
  g_clear_object (&self->history);
  g_free (self->stop_reason);

  G_OBJECT_CLASS (kiln_optimizer_parent_class)->finalize (object);
}

static void
kiln_optimizer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  KilnOptimizer *self = KILN_OPTIMIZER (object);

  switch (prop_id)
    {
    case PROP_ROUNDS: g_value_set_uint (value, self->rounds); break;
    case PROP_SAMPLES: g_value_set_uint (value, self->samples); break;
    case PROP_SEARCH_FLAGS: g_value_set_boolean (value, self->search_flags); break;
    case PROP_ALLOW_FAST_MATH: g_value_set_boolean (value, self->allow_fast_math); break;
    case PROP_IDLE_TIMEOUT: g_value_set_double (value, self->idle_timeout); break;
    case PROP_PROMPTS_DIR: g_value_set_string (value, self->prompts_dir); break;
    case PROP_PHASE: g_value_set_enum (value, self->phase); break;
    case PROP_ROUND: g_value_set_uint (value, self->round); break;
    case PROP_RUNNING: g_value_set_boolean (value, self->running); break;
    case PROP_BEST: g_value_set_object (value, self->best); break;
    case PROP_HISTORY: g_value_set_object (value, self->history); break;
    case PROP_STOP_REASON: g_value_set_string (value, self->stop_reason); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_optimizer_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  KilnOptimizer *self = KILN_OPTIMIZER (object);

  switch (prop_id)
    {
    case PROP_ROUNDS: kiln_optimizer_set_rounds (self, g_value_get_uint (value)); break;
    case PROP_SAMPLES: kiln_optimizer_set_samples (self, g_value_get_uint (value)); break;
    case PROP_SEARCH_FLAGS:
      kiln_optimizer_set_search_flags (self, g_value_get_boolean (value));
      break;
    case PROP_ALLOW_FAST_MATH:
      kiln_optimizer_set_allow_fast_math (self, g_value_get_boolean (value));
      break;
    case PROP_IDLE_TIMEOUT:
      kiln_optimizer_set_idle_timeout (self, g_value_get_double (value));
      break;
    case PROP_PROMPTS_DIR:
      kiln_optimizer_set_prompts_dir (self, g_value_get_string (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiln_optimizer_class_init (KilnOptimizerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = kiln_optimizer_dispose;
  object_class->finalize = kiln_optimizer_finalize;
  object_class->get_property = kiln_optimizer_get_property;
  object_class->set_property = kiln_optimizer_set_property;

  properties[PROP_ROUNDS] = g_param_spec_uint ("rounds", NULL, NULL, 0, 100, 3, rw);
  properties[PROP_SAMPLES] = g_param_spec_uint ("samples", NULL, NULL, 1, 16, 1, rw);
  properties[PROP_SEARCH_FLAGS] = g_param_spec_boolean ("search-flags", NULL, NULL, TRUE, rw);
  properties[PROP_ALLOW_FAST_MATH] = g_param_spec_boolean ("allow-fast-math", NULL, NULL, FALSE,
                                                           rw);
  properties[PROP_IDLE_TIMEOUT] = g_param_spec_double ("idle-timeout", NULL, NULL,
                                                       0, G_MAXDOUBLE, 60, rw);
  properties[PROP_PROMPTS_DIR] = g_param_spec_string ("prompts-dir", NULL, NULL, NULL, rw);
  properties[PROP_PHASE] = g_param_spec_enum ("phase", NULL, NULL, KILN_TYPE_OPTIMIZE_PHASE,
                                              KILN_OPTIMIZE_PHASE_IDLE, ro);
  properties[PROP_ROUND] = g_param_spec_uint ("round", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_BEST] = g_param_spec_object ("best", NULL, NULL, KILN_TYPE_OPTIMIZE_CANDIDATE,
                                               ro);
  properties[PROP_HISTORY] = g_param_spec_object ("history", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_STOP_REASON] = g_param_spec_string ("stop-reason", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ANSWER_DELTA] = g_signal_new ("answer-delta", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                        2, KILN_TYPE_OPTIMIZE_CANDIDATE, G_TYPE_STRING);
  signals[CANDIDATE_STARTED] = g_signal_new ("candidate-started", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, KILN_TYPE_OPTIMIZE_CANDIDATE);
  signals[CANDIDATE_FINISHED] = g_signal_new ("candidate-finished", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, KILN_TYPE_OPTIMIZE_CANDIDATE);
  signals[ROUND_STARTED] = g_signal_new ("round-started", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                         1, KILN_TYPE_OPTIMIZE_ROUND);
  signals[ROUND_FINISHED] = g_signal_new ("round-finished", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                          1, KILN_TYPE_OPTIMIZE_ROUND);
}

static void
kiln_optimizer_init (KilnOptimizer *self)
{
  self->rounds = 3;
  self->samples = 1;
  self->search_flags = TRUE;
  self->idle_timeout = 60;
  self->history = g_list_store_new (KILN_TYPE_OPTIMIZE_ROUND);
}

KilnOptimizer *
kiln_optimizer_new (KilnProgram *program,
                    KilnModel   *model,
                    const char  *api_key,
                    SoupSession *soup,
                    const char  *start_code,
                    GPtrArray   *chat_messages)
{
  KilnOptimizer *self;

  g_return_val_if_fail (KILN_IS_PROGRAM (program), NULL);
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (start_code != NULL, NULL);
  g_return_val_if_fail (soup == NULL || SOUP_IS_SESSION (soup), NULL);

  self = g_object_new (KILN_TYPE_OPTIMIZER, NULL);
  self->program = g_object_ref (program);
  self->toolchain = g_object_ref (kiln_program_get_toolchain (program));
  self->model = kiln_model_ref (model);
  self->api_key = g_strdup (api_key);
  self->soup = soup != NULL ? g_object_ref (soup) : NULL;
  self->start_code = g_strdup (start_code);
  self->continued = chat_messages != NULL && chat_messages->len > 0;
  self->messages = copy_messages (chat_messages);
  return self;
}

KilnProgram *
kiln_optimizer_get_program (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), NULL);
  return self->program;
}

KilnModel *
kiln_optimizer_get_model (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), NULL);
  return self->model;
}

#define SETTER(field, value, prop)                                                \
  G_STMT_START {                                                                  \
    if (self->field != (value))                                                   \
      {                                                                           \
        self->field = (value);                                                    \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);             \
      }                                                                           \
  } G_STMT_END

guint
kiln_optimizer_get_rounds (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), 0);
  return self->rounds;
}

void
kiln_optimizer_set_rounds (KilnOptimizer *self,
                           guint          rounds)
{
  g_return_if_fail (KILN_IS_OPTIMIZER (self));
  SETTER (rounds, MIN (rounds, 100), PROP_ROUNDS);
}

guint
kiln_optimizer_get_samples (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), 1);
  return self->samples;
}

void
kiln_optimizer_set_samples (KilnOptimizer *self,
                            guint          samples)
{
  g_return_if_fail (KILN_IS_OPTIMIZER (self));
  SETTER (samples, CLAMP (samples, 1, 16), PROP_SAMPLES);
}

gboolean
kiln_optimizer_get_search_flags (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), FALSE);
  return self->search_flags;
}

void
kiln_optimizer_set_search_flags (KilnOptimizer *self,
                                 gboolean       search_flags)
{
  g_return_if_fail (KILN_IS_OPTIMIZER (self));
  SETTER (search_flags, !!search_flags, PROP_SEARCH_FLAGS);
}

gboolean
kiln_optimizer_get_allow_fast_math (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), FALSE);
  return self->allow_fast_math;
}

void
kiln_optimizer_set_allow_fast_math (KilnOptimizer *self,
                                    gboolean       allow)
{
  g_return_if_fail (KILN_IS_OPTIMIZER (self));
  SETTER (allow_fast_math, !!allow, PROP_ALLOW_FAST_MATH);
}

void
kiln_optimizer_set_prompts_dir (KilnOptimizer *self,
                                const char    *dir)
{
  g_return_if_fail (KILN_IS_OPTIMIZER (self));
  if (g_strcmp0 (self->prompts_dir, dir) == 0)
    return;
  g_free (self->prompts_dir);
  self->prompts_dir = g_strdup (dir);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROMPTS_DIR]);
}

void
kiln_optimizer_set_idle_timeout (KilnOptimizer *self,
                                 double         seconds)
{
  g_return_if_fail (KILN_IS_OPTIMIZER (self));
  SETTER (idle_timeout, MAX (seconds, 0), PROP_IDLE_TIMEOUT);
}

KilnOptimizePhase
kiln_optimizer_get_phase (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), KILN_OPTIMIZE_PHASE_IDLE);
  return self->phase;
}

guint
kiln_optimizer_get_round (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), 0);
  return self->round;
}

gboolean
kiln_optimizer_get_running (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), FALSE);
  return self->running;
}

KilnOptimizeCandidate *
kiln_optimizer_get_best (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), NULL);
  return self->best;
}

GListModel *
kiln_optimizer_get_history (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), NULL);
  return G_LIST_MODEL (self->history);
}

const char *
kiln_optimizer_get_stop_reason (KilnOptimizer *self)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), NULL);
  return self->stop_reason;
}

static void
set_phase (KilnOptimizer     *self,
           KilnOptimizePhase  phase)
{
  SETTER (phase, phase, PROP_PHASE);
}

static void
set_stop_reason (KilnOptimizer *self,
                 const char    *reason)
{
  /* The first reason is the one that ended the rounds. */
  if (self->stop_reason != NULL)
    return;
  self->stop_reason = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STOP_REASON]);
}

static gboolean
cancelled (KilnOptimizer *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

/* --- measuring -------------------------------------------------------------------------- */

/* The C++ figures of @verification in @basis. */
static gboolean
figures (KilnVerification *verification,
         KilnSpeedupBasis  basis,
         double           *median,
         double           *min,
         double           *max)
{
  if (verification == NULL || verification->cpp == NULL)
    return FALSE;
  if (basis == KILN_SPEEDUP_BASIS_CPU)
    return kiln_run_result_get_cpu (verification->cpp, median, min, max);
  return kiln_run_result_get_wall (verification->cpp, median, min, max);
}

gboolean
kiln_optimizer_is_improvement (KilnOptimizeCandidate *candidate,
                               KilnOptimizeCandidate *best)
{
  KilnSpeedupBasis basis;
  double median, min, max;
  double best_median, best_min, best_max;

  g_return_val_if_fail (KILN_IS_OPTIMIZE_CANDIDATE (candidate), FALSE);

  if (!kiln_optimize_candidate_get_verified (candidate))
    return FALSE;
  if (best == NULL)
    return TRUE;
  if (!kiln_optimize_candidate_get_verified (best))
    return TRUE;

  /* Both in the best's basis: the same figure the best was judged by. */
  basis = best->verification->comparison != NULL ? best->verification->comparison->basis
                                                  : KILN_SPEEDUP_BASIS_WALL;
  if (!figures (candidate->verification, basis, &median, &min, &max) ||
      !figures (best->verification, basis, &best_median, &best_min, &best_max))
    return FALSE;

  return max < best_min && median <= MIN_GAIN * best_median;
}

static double
best_wall (KilnOptimizer *self)
{
  double median, min, max;

  if (self->best == NULL || !figures (self->best->verification, KILN_SPEEDUP_BASIS_WALL,
                                      &median, &min, &max))
    return -1;
  return median;
}

/* --- candidates' verdicts --------------------------------------------------------------- */

static const char *
check_to_string (KilnCheck check)
{
  switch (check)
    {
    case KILN_CHECK_MATCHED: return "matched";
    case KILN_CHECK_MATCHED_WITHIN_TOLERANCE: return "matched_within_tolerance";
    case KILN_CHECK_HARD_CODED: return "hard_coded";
    case KILN_CHECK_OUTPUT_DIFFERS: return "output_differs";
    case KILN_CHECK_COMPILE_ERROR: return "compile_error";
    case KILN_CHECK_RUNTIME_ERROR: return "runtime_error";
    case KILN_CHECK_TIMED_OUT: return "timed_out";
    case KILN_CHECK_ORIGINAL_FAILED: return "original_failed";
    case KILN_CHECK_NO_COMPILER: return "no_compiler";
    default: return "error";
    }
}

static char *
check_text (KilnVerification *verification)
{
  switch (verification->check)
    {
    case KILN_CHECK_MATCHED:
      return g_strdup (_("Outputs match"));
    case KILN_CHECK_MATCHED_WITHIN_TOLERANCE:
      return g_strdup (_("Outputs match within the tolerance"));
    case KILN_CHECK_HARD_CODED:
      return g_strdup (_("The answer looks hard-coded"));
    case KILN_CHECK_OUTPUT_DIFFERS:
      if (verification->failed_case > 1)
        return g_strdup_printf (_("Output differs on hidden input %u"),
                                verification->failed_case);
      return g_strdup (_("Output differs"));
    case KILN_CHECK_COMPILE_ERROR:
      return g_strdup (_("Does not compile"));
    case KILN_CHECK_RUNTIME_ERROR:
      return g_strdup (_("Failed when it ran"));
    case KILN_CHECK_TIMED_OUT:
      return g_strdup (_("Ran out of time"));
    case KILN_CHECK_ORIGINAL_FAILED:
      return g_strdup (_("The original program failed"));
    case KILN_CHECK_NO_COMPILER:
    default:
      return g_strdup (_("No C++ compiler"));
    }
}

/* Fills in what @verification says about the candidate under way, against the best. */
static void
judge (KilnOptimizer    *self,
       KilnVerification *verification)
{
  KilnOptimizeCandidate *candidate = self->candidate;
  g_autofree char *text = NULL;

  g_clear_pointer (&candidate->verification, kiln_verification_unref);
  candidate->verification = kiln_verification_ref (verification);
  candidate->verdict = check_to_string (verification->check);
  candidate->cpp_seconds = kiln_verification_get_cpp_seconds (verification);
  g_clear_pointer (&candidate->error_message, g_free);
  if (verification->suspicious != NULL)
    candidate->error_message = g_strdup (verification->suspicious);
  else if (verification->error != NULL)
    candidate->error_message = g_strdup (verification->error->message);

  text = check_text (verification);
  g_free (candidate->verdict_text);
  if (!kiln_verification_verified (verification))
    {
      candidate->verdict_text = g_steal_pointer (&text);
      return;
    }

  candidate->speedup = kiln_verification_get_speedup (verification);
  if (self->best != NULL && kiln_optimize_candidate_get_verified (self->best))
    {
      /* In the best's basis, the figure it was judged by. */
      KilnComparison *comparison = self->best->verification->comparison;
      KilnSpeedupBasis basis = comparison != NULL ? comparison->basis : KILN_SPEEDUP_BASIS_WALL;
      double median, best_median, lo, hi;

      if (figures (verification, basis, &median, &lo, &hi) &&
          figures (self->best->verification, basis, &best_median, &lo, &hi) && median > 0)
        candidate->speedup_over_best = best_median / median;
    }

  if (self->best == NULL)
    candidate->verdict_text = g_steal_pointer (&text);
  else if (kiln_optimizer_is_improvement (candidate, self->best))
    /* Translators: the first %s is a verdict ("Outputs match"), then a factor such as 2.3 */
    candidate->verdict_text = g_strdup_printf (_("%s, %.2f× faster than the best: kept"), text,
                                               candidate->speedup_over_best);
  else
    /* Translators: %s is a verdict such as "Outputs match" */
    candidate->verdict_text = g_strdup_printf (_("%s, but not faster than the best beyond the "
                                                 "measurement’s noise"), text);
}

/* The candidate under way is done: it becomes the best when it beats it. */
static void
finish_candidate (KilnOptimizer *self)
{
  g_autoptr(KilnOptimizeCandidate) candidate = g_steal_pointer (&self->candidate);
  gboolean improves = candidate->verification != NULL &&
                      kiln_optimizer_is_improvement (candidate, self->best);

  if (candidate->verdict == NULL)
    candidate->verdict = "error";
  if (candidate->verdict_text == NULL)
    candidate->verdict_text = g_strdup (_("Failed"));

  if (improves)
    {
      round_set_kept (self->current, candidate);
      g_set_object (&self->best, candidate);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BEST]);
    }
  g_list_store_append (self->current->candidates, candidate);
  g_signal_emit (self, signals[CANDIDATE_FINISHED], 0, candidate);
}

/* The candidate under way ended without a verification: no code, refused, broke off. */
static void
fail_candidate (KilnOptimizer *self,
                const char    *verdict,
                const char    *text,
                const char    *message)
{
  self->candidate->verdict = verdict;
  g_free (self->candidate->verdict_text);
  self->candidate->verdict_text = g_strdup (text);
  g_free (self->candidate->error_message);
  self->candidate->error_message = g_strdup (message);
  finish_candidate (self);
}

/* --- the end ---------------------------------------------------------------------------- */

static void
finish_run (KilnOptimizer *self,
            GError        *owned_error)
{
  g_autoptr(GError) error = owned_error;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    return;

  if (self->candidate != NULL)
    {
      if (cancelled (self))
        fail_candidate (self, "stopped", _("Stopped"), NULL);
      else
        fail_candidate (self, "error", _("Failed"), error != NULL ? error->message : NULL);
    }
  if (self->current != NULL)
    {
      g_autoptr(KilnOptimizeRound) round = g_steal_pointer (&self->current);

      g_signal_emit (self, signals[ROUND_FINISHED], 0, round);
    }
  if (self->outside_id != 0)
    g_cancellable_disconnect (self->outside, self->outside_id);
  self->outside_id = 0;
  g_clear_object (&self->outside);
  g_clear_object (&self->stream);

  if (cancelled (self))
    set_stop_reason (self, _("Stopped."));
  else if (error != NULL)
    set_stop_reason (self, error->message);
  else
    set_stop_reason (self, _("Done."));

  g_object_freeze_notify (G_OBJECT (self));
  set_phase (self, KILN_OPTIMIZE_PHASE_DONE);
  SETTER (running, FALSE, PROP_RUNNING);
  g_object_thaw_notify (G_OBJECT (self));

  if (self->best != NULL)
    g_task_return_boolean (task, TRUE);
  else if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Stopped"));
}

static void
start_round (KilnOptimizer         *self,
             guint                  number,
             KilnOptimizeRoundKind  kind)
{
  g_clear_object (&self->current);
  self->current = round_new (number, kind);
  g_list_store_append (self->history, self->current);
  SETTER (round, number, PROP_ROUND);
  g_signal_emit (self, signals[ROUND_STARTED], 0, self->current);
}

static void
end_round (KilnOptimizer *self)
{
  g_autoptr(KilnOptimizeRound) round = g_steal_pointer (&self->current);

  g_signal_emit (self, signals[ROUND_FINISHED], 0, round);
}

/* --- model rounds ----------------------------------------------------------------------- */

static void
feed (KilnOptimizer *self,
      const char    *delta)
{
  kiln_code_extractor_feed (self->extractor, delta, -1, NULL);
}

static void
text_delta_cb (KilnChatStream *stream,
               const char     *delta,
               KilnOptimizer  *self)
{
  if (self->candidate != NULL)
    g_signal_emit (self, signals[ANSWER_DELTA], 0, self->candidate, delta);
  feed (self, delta);
}

/* The model's "Summary: …" line, else the first sentence of its prose. */
static char *
find_summary (const char *answer,
              const char *prose)
{
  g_auto(GStrv) lines = g_strsplit (answer != NULL ? answer : "", "\n", -1);
  g_autofree char *text = NULL;
  char *end;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      /* "**Summary:** …" in Markdown too. */
      while (*line == '*' || *line == '#' || *line == '-' || *line == ' ')
        line++;
      if (g_ascii_strncasecmp (line, "summary", 7) == 0)
        {
          line += 7;
          while (*line == '*' || *line == ':' || *line == ' ')
            line++;
          if (*line != '\0')
            {
              text = g_strdup (line);
              break;
            }
        }
      if (g_str_has_prefix (line, "```"))
        break;
    }

  if (text == NULL)
    {
      const char *p = prose != NULL ? prose : "";

      while (g_ascii_isspace (*p))
        p++;
      text = g_strdup (p);
      for (end = text; *end != '\0'; end++)
        if (*end == '\n' || ((*end == '.' || *end == '!') &&
                             (end[1] == '\0' || g_ascii_isspace (end[1]))))
          {
            if (*end != '\n')
              end++;
            *end = '\0';
            break;
          }
    }

  g_strstrip (text);
  if (g_utf8_strlen (text, -1) > SUMMARY_MAX_CHARS)
    {
      g_autofree char *valid = g_utf8_make_valid (text, -1);

      *g_utf8_offset_to_pointer (valid, SUMMARY_MAX_CHARS) = '\0';
      g_free (text);
      text = g_strconcat (valid, "…", NULL);
    }
  return g_steal_pointer (&text);
}

static void verified_cb (GObject *object, GAsyncResult *res, gpointer user_data);

static void
verify_candidate (KilnOptimizer *self)
{
  set_phase (self, KILN_OPTIMIZE_PHASE_VERIFYING);
  kiln_program_verify_async (self->program, self->candidate->code, NULL, self->cancellable,
                             verified_cb, g_object_ref (self));
}

static void
streamed_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(KilnOptimizer) self = user_data;
  KilnChatStream *stream = KILN_CHAT_STREAM (object);
  KilnOptimizeCandidate *candidate = self->candidate;
  g_autoptr(GError) error = NULL;
  const char *text;
  gboolean ok;

  ok = kiln_chat_stream_run_finish (stream, res, &error);
  if (candidate == NULL || self->task == NULL)
    return;

  kiln_code_extractor_finish (self->extractor, NULL);
  text = kiln_chat_stream_get_text (stream);
  g_free (candidate->answer);
  candidate->answer = g_strdup (text != NULL ? text : "");
  g_free (candidate->code);
  candidate->code = g_strdup (kiln_code_extractor_get_code (self->extractor, NULL));
  g_free (candidate->summary);
  candidate->summary = find_summary (candidate->answer,
                                     kiln_code_extractor_get_prose (self->extractor, NULL));

  if (!ok)
    {
      if (cancelled (self))
        {
          finish_run (self, NULL);
          return;
        }
      /* Translators: %s says why the model's answer broke off */
      fail_candidate (self, "stream_failed", _("The answer broke off"), error->message);
      start_sample (self);
      return;
    }

  g_ptr_array_add (candidate->chat_tail,
                   kiln_chat_message_new (KILN_ROLE_ASSISTANT, candidate->answer));

  if (kiln_chat_stream_get_refused (stream))
    {
      fail_candidate (self, "refused", _("Refused"), kiln_chat_stream_get_refusal (stream));
      start_sample (self);
      return;
    }
  if (kiln_chat_stream_get_truncated (stream))
    {
      fail_candidate (self, "truncated", _("Cut at the model’s token limit"), NULL);
      start_sample (self);
      return;
    }
  if (*candidate->code == '\0')
    {
      fail_candidate (self, "no_code", _("The answer held no C++ code"), NULL);
      start_sample (self);
      return;
    }

  verify_candidate (self);
}

static gboolean
repair (KilnOptimizer    *self,
        KilnVerification *verification)
{
  KilnOptimizeCandidate *candidate = self->candidate;
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree char *prompt = NULL;

  if (candidate->repaired || verification->check != KILN_CHECK_COMPILE_ERROR ||
      verification->compile == NULL || candidate->answer == NULL)
    return FALSE;

  g_hash_table_insert (values, (char *) "attempt", g_strdup ("2"));
  g_hash_table_insert (values, (char *) "max_attempts", g_strdup ("2"));
  g_hash_table_insert (values, (char *) "diagnostics",
                       kiln_prompt_trim_diagnostics (verification->compile->output
                                                       ? verification->compile->output : "",
                                                     DIAGNOSTICS_MAX));
  if (!(prompt = kiln_prompt_render (g_hash_table_lookup (self->prompts,
                                                          KILN_PROMPT_REPAIR_COMPILE),
                                     values, NULL)))
    return FALSE;

  candidate->repaired = TRUE;
  g_ptr_array_add (candidate->chat_tail, kiln_chat_message_new (KILN_ROLE_USER, prompt));
  for (guint i = candidate->chat_tail->len - 2; i < candidate->chat_tail->len; i++)
    {
      KilnChatMessage *message = g_ptr_array_index (candidate->chat_tail, i);

      g_ptr_array_add (self->sample_chat, kiln_chat_message_new (message->role,
                                                                 message->content));
    }
  start_stream (self);
  return TRUE;
}

static void
verified_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(KilnOptimizer) self = user_data;
  g_autoptr(KilnVerification) verification = NULL;
  g_autoptr(GError) error = NULL;

  verification = kiln_program_verify_finish (KILN_PROGRAM (object), res, &error);
  if (self->task == NULL)
    return;
  if (verification == NULL)
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  if (repair (self, verification))
    return;

  judge (self, verification);
  finish_candidate (self);
  start_sample (self);
}

static void
start_stream (KilnOptimizer *self)
{
  g_autoptr(KilnModel) model = NULL;

  g_clear_pointer (&self->extractor, kiln_code_extractor_free);
  self->extractor = kiln_code_extractor_new ();
  set_phase (self, KILN_OPTIMIZE_PHASE_STREAMING);

  if (self->candidate->temperature >= 0)
    {
      model = kiln_model_copy (self->model);
      model->temperature = self->candidate->temperature;
    }
  else
    model = kiln_model_ref (self->model);

  g_clear_object (&self->stream);
  self->stream = kiln_chat_stream_new (self->soup, model, self->sample_chat, self->api_key);
  kiln_chat_stream_set_idle_timeout (self->stream, self->idle_timeout);
  g_signal_connect (self->stream, "text-delta", G_CALLBACK (text_delta_cb), self);
  kiln_chat_stream_run_async (self->stream, self->cancellable, streamed_cb,
                              g_object_ref (self));
}

/* The temperature of sample @index (0-based): the model's own for the first; others spread
 * the answers (every wire API Kiln speaks takes one; TGI needs it above 0). */
static double
sample_temperature (KilnOptimizer *self,
                    guint          index)
{
  static const double spread[] = { 0.3, 0.7, 1.0 };

  if (index == 0)
    return -1;
  return spread[MIN (index - 1, G_N_ELEMENTS (spread) - 1)];
}

static char *
format_seconds (double seconds)
{
  /* Not translated: this goes to the model, inside an English prompt. */
  if (seconds >= 1)
    return g_strdup_printf ("%.3f s", seconds);
  if (seconds >= 0.001)
    return g_strdup_printf ("%.3f ms", seconds * 1e3);
  return g_strdup_printf ("%.1f µs", seconds * 1e6);
}

/* What came of the last round's first answer, for the model (English, like the prompts). */
static char *
feedback (KilnOptimizer *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->history));
  g_autoptr(KilnOptimizeRound) last = NULL;
  g_autoptr(KilnOptimizeCandidate) first = NULL;

  if (n < 2)
    return g_strdup ("");
  last = g_list_model_get_item (G_LIST_MODEL (self->history), n - 2);
  if (last->kind != KILN_OPTIMIZE_ROUND_MODEL || last->kept != NULL ||
      g_list_model_get_n_items (G_LIST_MODEL (last->candidates)) == 0)
    return g_strdup ("");
  first = g_list_model_get_item (G_LIST_MODEL (last->candidates), 0);

  if (kiln_optimize_candidate_get_verified (first))
    {
      g_autofree char *theirs = format_seconds (first->cpp_seconds);

      return g_strdup_printf ("Your previous program printed the right output but was not "
                              "measurably faster (%s).\n", theirs);
    }
  if (first->verification == NULL)
    return g_strdup ("Your previous answer did not give a complete C++ program.\n");
  switch (first->verification->check)
    {
    case KILN_CHECK_HARD_CODED:
      return g_strdup ("Your previous program was rejected: it printed results written into "
                       "its source instead of computing them.\n");
    case KILN_CHECK_OUTPUT_DIFFERS:
      return g_strdup ("Your previous program was rejected: its output differed from the "
                       "original's.\n");
    case KILN_CHECK_COMPILE_ERROR:
      return g_strdup ("Your previous program did not compile.\n");
    case KILN_CHECK_RUNTIME_ERROR:
      return g_strdup ("Your previous program failed when it ran.\n");
    case KILN_CHECK_TIMED_OUT:
      return g_strdup ("Your previous program ran out of time.\n");
    default:
      return g_strdup ("");
    }
}

static char *
render_round (KilnOptimizer  *self,
              GError        **error)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  KilnVerification *verification = self->best->verification;
  KilnSpeedupBasis basis = verification->comparison != NULL ? verification->comparison->basis
                                                            : KILN_SPEEDUP_BASIS_WALL;
  const char *shown = kiln_program_get_case (self->program, 0);
  double floor = kiln_toolchain_get_startup_floor (self->toolchain);
  double wall_median, wall_min, wall_max, cpu_median, cpu_min, cpu_max;
  GString *profile = g_string_new (NULL);
  g_autofree char *seconds = format_seconds (self->best->cpp_seconds);

  /* Not translated: the prompts are English. */
  if (kiln_run_result_get_wall (verification->cpp, &wall_median, &wall_min, &wall_max))
    {
      g_autofree char *lo = format_seconds (wall_min);
      g_autofree char *hi = format_seconds (wall_max);

      g_string_append_printf (profile, "Wall time over %u runs: %s to %s.",
                              verification->cpp->runs->len, lo, hi);
    }
  if (kiln_run_result_get_cpu (verification->cpp, &cpu_median, &cpu_min, &cpu_max))
    {
      g_autofree char *cpu = format_seconds (cpu_median);

      g_string_append_printf (profile, "%sCPU time (user + system): %s.",
                              profile->len > 0 ? " " : "", cpu);
    }
  if (profile->len > 0)
    g_string_append_c (profile, '\n');

  g_hash_table_insert (values, (char *) "round", g_strdup_printf ("%u", self->round));
  g_hash_table_insert (values, (char *) "rounds", g_strdup_printf ("%u", self->rounds));
  g_hash_table_insert (values, (char *) "seconds", g_steal_pointer (&seconds));
  g_hash_table_insert (values, (char *) "basis",
                       g_strdup (basis == KILN_SPEEDUP_BASIS_CPU ? "CPU time, median"
                                                                 : "wall time, median"));
  if (floor > 0)
    {
      g_autofree char *floor_text = format_seconds (floor);

      g_hash_table_insert (values, (char *) "floor_note",
                           g_strdup_printf ("; an empty program takes %s to start here",
                                            floor_text));
    }
  else
    g_hash_table_insert (values, (char *) "floor_note", g_strdup (""));
  g_hash_table_insert (values, (char *) "profile", g_string_free (profile, FALSE));
  g_hash_table_insert (values, (char *) "feedback", feedback (self));
  g_hash_table_insert (values, (char *) "input_note",
                       shown != NULL && *shown != '\0'
                         ? g_strdup_printf ("The program reads %" G_GSIZE_FORMAT " bytes from "
                                            "standard input; it is also run on other inputs "
                                            "that you do not see.", strlen (shown))
                         : g_strdup ("The program gets no input: standard input is empty."));
  g_hash_table_insert (values, (char *) "code", g_strdup (self->best->code));
  g_hash_table_insert (values, (char *) "language",
                       g_strdup (kiln_program_get_language (self->program) == KILN_LANGUAGE_PYTHON
                                   ? "python" : "cpp"));
  g_hash_table_insert (values, (char *) "source",
                       g_strdup (kiln_program_get_source (self->program)));

  return kiln_prompt_render (g_hash_table_lookup (self->prompts, PROMPT_ROUND), values, error);
}

/* The next candidate of the round, or the round's end. */
static void
start_sample (KilnOptimizer *self)
{
  guint index = g_list_model_get_n_items (G_LIST_MODEL (self->current->candidates));
  KilnOptimizeCandidate *chosen = NULL;

  if (cancelled (self))
    {
      finish_run (self, NULL);
      return;
    }

  if (index < self->samples)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *prompt = render_round (self, &error);

      if (prompt == NULL)
        {
          finish_run (self, g_steal_pointer (&error));
          return;
        }

      self->candidate = candidate_new (self->round, index + 1);
      self->candidate->temperature = sample_temperature (self, index);
      self->candidate->flags = kiln_toolchain_dup_effective_flags (self->toolchain);
      g_ptr_array_add (self->candidate->chat_tail,
                       kiln_chat_message_new (KILN_ROLE_USER, prompt));
      g_clear_pointer (&self->sample_chat, g_ptr_array_unref);
      self->sample_chat = copy_messages (self->messages);
      g_ptr_array_add (self->sample_chat, kiln_chat_message_new (KILN_ROLE_USER, prompt));
      g_signal_emit (self, signals[CANDIDATE_STARTED], 0, self->candidate);
      start_stream (self);
      return;
    }

  /* The chat goes on from the kept candidate's exchange, else from the first answer. */
  chosen = self->current->kept;
  for (guint i = 0; chosen == NULL && i < index; i++)
    {
      g_autoptr(KilnOptimizeCandidate) candidate =
        g_list_model_get_item (G_LIST_MODEL (self->current->candidates), i);

      if (candidate->chat_tail->len > 1)
        chosen = candidate;
    }
  if (chosen != NULL)
    for (guint i = 0; i < chosen->chat_tail->len; i++)
      {
        KilnChatMessage *message = g_ptr_array_index (chosen->chat_tail, i);

        g_ptr_array_add (self->messages, kiln_chat_message_new (message->role,
                                                                message->content));
      }

  /* A round whose answers all failed brings nothing; one that was right but not faster may
   * be followed by a better one, but two such rounds in a row end the rounds. */
  if (self->current->kept == NULL)
    {
      gboolean any_verified = FALSE;
      g_autofree char *reason = NULL;

      for (guint i = 0; i < index; i++)
        {
          g_autoptr(KilnOptimizeCandidate) candidate =
            g_list_model_get_item (G_LIST_MODEL (self->current->candidates), i);

          any_verified |= kiln_optimize_candidate_get_verified (candidate);
        }
      self->idle_rounds++;
      if (!any_verified)
        reason = g_strdup_printf (_("Round %u brought no verified program."), self->round);
      else if (self->idle_rounds >= 2)
        reason = g_strdup_printf (_("Rounds %u and %u brought no faster program."),
                                  self->round - 1, self->round);
      if (reason != NULL)
        {
          set_stop_reason (self, reason);
          end_round (self);
          flags_or_finish (self);
          return;
        }
    }
  else
    self->idle_rounds = 0;

  end_round (self);
  next_round (self);
}

static double
best_cpu (KilnOptimizer *self)
{
  double median, min, max;

  if (self->best == NULL || !figures (self->best->verification, KILN_SPEEDUP_BASIS_CPU,
                                      &median, &min, &max))
    return -1;
  return median;
}

static void
next_round (KilnOptimizer *self)
{
  double floor = kiln_toolchain_get_startup_floor (self->toolchain);
  double wall = best_wall (self);
  double cpu = best_cpu (self);

  if (cancelled (self))
    {
      finish_run (self, NULL);
      return;
    }
  if (self->round >= self->rounds)
    {
      g_autofree char *reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              "All %u round ran.",
                                                              "All %u rounds ran.",
                                                              self->rounds),
                                                 self->rounds);

      set_stop_reason (self, reason);
      flags_or_finish (self);
      return;
    }
  if (floor > 0 && wall > 0 && wall <= FLOOR_FACTOR * floor && cpu >= 0 && cpu < floor)
    {
      set_stop_reason (self, _("The C++ program finishes about as fast as any program can "
                               "start: no round can make it measurably faster."));
      flags_or_finish (self);
      return;
    }

  start_round (self, self->round + 1, KILN_OPTIMIZE_ROUND_MODEL);
  start_sample (self);
}

/* --- the flag search -------------------------------------------------------------------- */

static void
flag_verified_cb (GObject      *object,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(KilnOptimizer) self = user_data;
  g_autoptr(KilnVerification) verification = NULL;
  g_autoptr(GError) error = NULL;

  verification = kiln_program_verify_finish (KILN_PROGRAM (object), res, &error);
  if (self->task == NULL)
    return;
  if (verification == NULL)
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  judge (self, verification);
  finish_candidate (self);
  next_flag_step (self);
}

static void
flag_compiled_cb (GObject      *object,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(KilnOptimizer) self = user_data;
  g_autoptr(KilnCompileResult) compiled = NULL;
  g_autoptr(GError) error = NULL;
  gboolean pgo = self->candidate != NULL && self->candidate->pgo;

  if (pgo)
    compiled = kiln_toolchain_compile_pgo_finish (KILN_TOOLCHAIN (object), res, &error);
  else
    compiled = kiln_toolchain_compile_full_finish (KILN_TOOLCHAIN (object), res, &error);
  if (self->task == NULL || self->candidate == NULL)
    return;
  if (compiled == NULL)
    {
      if (cancelled (self))
        {
          finish_run (self, NULL);
          return;
        }
      fail_candidate (self, "compile_error", _("Could not be built with these options"),
                      error->message);
      next_flag_step (self);
      return;
    }

  set_phase (self, KILN_OPTIMIZE_PHASE_FLAGS);
  kiln_program_verify_async (self->program, self->candidate->code, compiled, self->cancellable,
                             flag_verified_cb, g_object_ref (self));
}

/* Whether @set builds exactly as the toolchain's own flags do (measured already). */
static gboolean
is_default_build (KilnOptimizer     *self,
                  const KilnFlagSet *set)
{
  g_autofree char *effective = kiln_toolchain_dup_effective_flags (self->toolchain);
  g_autofree char *path = kiln_toolchain_find_compiler (self->toolchain, NULL);
  g_autofree char *name = path != NULL ? g_path_get_basename (path) : NULL;

  return !set->pgo && g_strcmp0 (name, set->compiler) == 0 &&
         g_strcmp0 (effective, set->flags) == 0;
}

static void
next_flag_step (KilnOptimizer *self)
{
  if (cancelled (self))
    {
      finish_run (self, NULL);
      return;
    }

  for (; self->flag_step < self->flag_sets->len * 2; self->flag_step++)
    {
      const KilnFlagSet *set = g_ptr_array_index (self->flag_sets, self->flag_step / 2);
      gboolean from_start = self->flag_step % 2 == 1;
      const char *code = from_start ? self->start->code : self->flags_base_code;
      guint index = g_list_model_get_n_items (G_LIST_MODEL (self->current->candidates));

      /* The starting program only when the rounds changed the source. */
      if (from_start && g_str_equal (self->start->code, self->flags_base_code))
        continue;
      if (!from_start && is_default_build (self, set))
        continue;

      self->flag_step++;
      self->candidate = candidate_new (self->round, index + 1);
      g_free (self->candidate->code);
      self->candidate->code = g_strdup (code);
      self->candidate->compiler = g_strdup (set->compiler);
      self->candidate->flags = g_strdup (set->flags);
      self->candidate->pgo = set->pgo;
      self->candidate->summary = kiln_flag_set_describe (set);
      g_signal_emit (self, signals[CANDIDATE_STARTED], 0, self->candidate);
      set_phase (self, KILN_OPTIMIZE_PHASE_FLAGS);

      if (set->pgo)
        {
          const char *training = kiln_program_get_case (self->program, 0);
          g_autoptr(GBytes) input = g_bytes_new (training, strlen (training));
          KilnRunLimits limits;

          kiln_program_get_cpp_limits (self->program, 0, &limits);
          kiln_toolchain_compile_pgo_async (self->toolchain, code, set->compiler, set->flags,
                                            input, &limits, self->cancellable,
                                            flag_compiled_cb, g_object_ref (self));
        }
      else
        kiln_toolchain_compile_full_async (self->toolchain, code, set->compiler, set->flags,
                                           self->cancellable, flag_compiled_cb,
                                           g_object_ref (self));
      return;
    }

  end_round (self);
  finish_run (self, NULL);
}

static void
flags_or_finish (KilnOptimizer *self)
{
  g_auto(GStrv) compilers = NULL;

  if (!self->search_flags || cancelled (self) || self->best == NULL)
    {
      finish_run (self, NULL);
      return;
    }

  compilers = kiln_toolchain_list_compilers (self->toolchain);
  g_clear_pointer (&self->flag_sets, g_ptr_array_unref);
  self->flag_sets = kiln_flag_sets_list ((const char * const *) compilers,
                                         self->allow_fast_math);
  self->flag_step = 0;
  g_free (self->flags_base_code);
  self->flags_base_code = g_strdup (self->best->code);
  start_round (self, self->round + 1, KILN_OPTIMIZE_ROUND_FLAGS);
  next_flag_step (self);
}

/* --- setting up ------------------------------------------------------------------------- */

static void
start_verified_cb (GObject      *object,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  g_autoptr(KilnOptimizer) self = user_data;
  g_autoptr(KilnVerification) verification = NULL;
  g_autoptr(GError) error = NULL;

  verification = kiln_program_verify_finish (KILN_PROGRAM (object), res, &error);
  if (self->task == NULL)
    return;
  if (verification == NULL)
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  judge (self, verification);
  g_set_object (&self->start, self->candidate);
  if (!kiln_verification_verified (verification))
    {
      g_autoptr(GError) why = NULL;

      /* Translators: %s says why, e.g. "Output differs on hidden input 2: …" */
      why = g_error_new (KILN_ERROR, KILN_ERROR_FAILED,
                         _("The starting program is not verified, so there is nothing to make "
                           "faster: %s"),
                         self->candidate->error_message != NULL ? self->candidate->error_message
                                                                : self->candidate->verdict_text);
      finish_candidate (self);
      end_round (self);
      finish_run (self, g_steal_pointer (&why));
      return;
    }

  finish_candidate (self);
  end_round (self);
  next_round (self);
}

static void
measure_start (KilnOptimizer *self)
{
  start_round (self, 0, KILN_OPTIMIZE_ROUND_START);
  self->candidate = candidate_new (0, 1);
  g_free (self->candidate->code);
  self->candidate->code = g_strdup (self->start_code);
  self->candidate->flags = kiln_toolchain_dup_effective_flags (self->toolchain);
  g_signal_emit (self, signals[CANDIDATE_STARTED], 0, self->candidate);
  set_phase (self, KILN_OPTIMIZE_PHASE_MEASURING);
  kiln_program_verify_async (self->program, self->start_code, NULL, self->cancellable,
                             start_verified_cb, g_object_ref (self));
}

static void
floor_cb (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(KilnOptimizer) self = user_data;
  g_autoptr(GError) error = NULL;
  double floor;

  floor = kiln_toolchain_measure_startup_finish (KILN_TOOLCHAIN (object), res, &error);
  if (self->task == NULL)
    return;
  if (cancelled (self))
    {
      finish_run (self, NULL);
      return;
    }
  /* Without a floor the rounds only lack one reason to stop early. */
  if (floor > 0)
    kiln_program_set_startup_floor (self->program, floor);
  else if (error != NULL)
    g_debug ("No start-up floor: %s", error->message);

  measure_start (self);
}

static void
context_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(KilnOptimizer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnPromptContext) context = NULL;

  context = _kiln_prompt_context_load_finish (res, &error);
  if (self->task == NULL)
    return;
  if (context == NULL)
    {
      finish_run (self, g_steal_pointer (&error));
      return;
    }

  self->prompts = g_steal_pointer (&context->prompts);
  self->platform = g_steal_pointer (&context->values);

  /* A new chat starts with the optimize system prompt; a conversion's chat goes on. */
  if (!self->continued)
    {
      g_autofree char *system = kiln_prompt_render (g_hash_table_lookup (self->prompts,
                                                                         PROMPT_SYSTEM),
                                                    self->platform, &error);

      if (system == NULL)
        {
          finish_run (self, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (self->messages, kiln_chat_message_new (KILN_ROLE_SYSTEM, system));
    }

  if (kiln_toolchain_get_startup_floor (self->toolchain) > 0)
    {
      kiln_program_set_startup_floor (self->program,
                                      kiln_toolchain_get_startup_floor (self->toolchain));
      measure_start (self);
    }
  else
    kiln_toolchain_measure_startup_async (self->toolchain, self->cancellable, floor_cb,
                                          g_object_ref (self));
}

static void
outside_cancelled_cb (GCancellable  *outside,
                      KilnOptimizer *self)
{
  g_cancellable_cancel (self->cancellable);
}

void
kiln_optimizer_run_async (KilnOptimizer       *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  static const char * const names[] = {
    PROMPT_SYSTEM, PROMPT_ROUND, KILN_PROMPT_REPAIR_COMPILE, NULL,
  };

  g_return_if_fail (KILN_IS_OPTIMIZER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (g_list_model_get_n_items (G_LIST_MODEL (self->history)) == 0);

  self->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->task, kiln_optimizer_run_async);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->outside = g_object_ref (cancellable);
      self->outside_id = g_cancellable_connect (cancellable, G_CALLBACK (outside_cancelled_cb),
                                                self, NULL);
    }

  g_object_freeze_notify (G_OBJECT (self));
  SETTER (running, TRUE, PROP_RUNNING);
  set_phase (self, KILN_OPTIMIZE_PHASE_PREPARING);
  g_object_thaw_notify (G_OBJECT (self));

  _kiln_prompt_context_load_async (self->toolchain, self->prompts_dir, names, self->cancellable,
                                   context_cb, g_object_ref (self));
}

gboolean
kiln_optimizer_run_finish (KilnOptimizer  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
kiln_optimizer_stop (KilnOptimizer *self)
{
  g_return_if_fail (KILN_IS_OPTIMIZER (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* --- JSON ------------------------------------------------------------------------------- */

static char *
describe_flags (KilnOptimizeCandidate *candidate)
{
  /* A profile-guided build is said as the flag that uses the profile. */
  return g_strconcat (candidate->flags != NULL ? candidate->flags : "",
                      candidate->pgo ? " -fprofile-use" : "", NULL);
}

static void
add_candidate (JsonBuilder           *builder,
               KilnOptimizeCandidate *candidate)
{
  g_autofree char *flags = describe_flags (candidate);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, candidate->index);
  kiln_json_builder_add_text (builder, "verdict", candidate->verdict);
  kiln_json_builder_add_text (builder, "verdict_text", candidate->verdict_text);
  json_builder_set_member_name (builder, "verified");
  json_builder_add_boolean_value (builder, kiln_optimize_candidate_get_verified (candidate));
  kiln_json_builder_add_double (builder, "cpp_seconds", candidate->cpp_seconds,
                                candidate->cpp_seconds >= 0);
  kiln_json_builder_add_double (builder, "speedup", candidate->speedup, candidate->speedup > 0);
  kiln_json_builder_add_double (builder, "speedup_over_best", candidate->speedup_over_best,
                                candidate->speedup_over_best > 0);
  json_builder_set_member_name (builder, "kept");
  json_builder_add_boolean_value (builder, candidate->kept);
  json_builder_set_member_name (builder, "flags");
  json_builder_add_string_value (builder, flags);
  kiln_json_builder_add_text (builder, "compiler", candidate->compiler);
  json_builder_set_member_name (builder, "pgo");
  json_builder_add_boolean_value (builder, candidate->pgo);
  json_builder_set_member_name (builder, "summary");
  json_builder_add_string_value (builder, candidate->summary != NULL ? candidate->summary : "");
  json_builder_set_member_name (builder, "repaired");
  json_builder_add_boolean_value (builder, candidate->repaired);
  kiln_json_builder_add_double (builder, "temperature", candidate->temperature,
                                candidate->temperature >= 0);
  json_builder_set_member_name (builder, "failed_case");
  json_builder_add_int_value (builder, candidate->verification != NULL
                                         ? candidate->verification->failed_case : 0);
  kiln_json_builder_add_text (builder, "error", candidate->error_message);
  json_builder_end_object (builder);
}

JsonNode *
kiln_optimizer_to_json (KilnOptimizer *self,
                        const char    *output_file)
{
  g_autoptr(JsonBuilder) builder = NULL;
  KilnOptimizeCandidate *best;
  guint n_rounds;

  g_return_val_if_fail (KILN_IS_OPTIMIZER (self), NULL);

  builder = json_builder_new ();
  best = self->best;
  n_rounds = g_list_model_get_n_items (G_LIST_MODEL (self->history));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, best != NULL);
  kiln_json_builder_add_text (builder, "model", self->model->id);

  json_builder_set_member_name (builder, "rounds");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_rounds; i++)
    {
      g_autoptr(KilnOptimizeRound) round = g_list_model_get_item (G_LIST_MODEL (self->history),
                                                                  i);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (round->candidates));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "round");
      json_builder_add_int_value (builder, round->number);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, kiln_optimize_round_kind_to_string (round->kind));
      json_builder_set_member_name (builder, "candidates");
      json_builder_begin_array (builder);
      for (guint j = 0; j < n; j++)
        {
          g_autoptr(KilnOptimizeCandidate) candidate =
            g_list_model_get_item (G_LIST_MODEL (round->candidates), j);

          add_candidate (builder, candidate);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "best");
  if (best == NULL)
    json_builder_add_null_value (builder);
  else
    {
      g_autofree char *flags = describe_flags (best);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "round");
      json_builder_add_int_value (builder, best->round);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, best->index);
      kiln_json_builder_add_double (builder, "cpp_seconds", best->cpp_seconds,
                                    best->cpp_seconds >= 0);
      kiln_json_builder_add_double (builder, "speedup", best->speedup, best->speedup > 0);
      if (self->start != NULL && self->start->cpp_seconds > 0 && best->cpp_seconds > 0)
        kiln_json_builder_add_double (builder, "speedup_over_start",
                                      self->start->cpp_seconds / best->cpp_seconds, TRUE);
      else
        kiln_json_builder_add_double (builder, "speedup_over_start", 0, FALSE);
      json_builder_set_member_name (builder, "flags");
      json_builder_add_string_value (builder, flags);
      kiln_json_builder_add_text (builder, "compiler", best->compiler);
      json_builder_set_member_name (builder, "pgo");
      json_builder_add_boolean_value (builder, best->pgo);
      kiln_json_builder_add_text (builder, "output_file", output_file);
      json_builder_end_object (builder);
    }

  kiln_json_builder_add_text (builder, "stop_reason", self->stop_reason);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

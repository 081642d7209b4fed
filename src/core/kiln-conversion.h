/* kiln-conversion.h: one conversion — stream the C++ from a model, prove it, repair it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "kiln-comparison.h"
#include "kiln-model.h"
#include "kiln-queue.h"
#include "kiln-reference.h"
#include "kiln-run-config.h"
#include "kiln-program.h"
#include "kiln-toolchain.h"

G_BEGIN_DECLS

/* Why an attempt failed (and so what the next attempt is asked to repair). */
typedef enum
{
  KILN_ATTEMPT_OK,              /* compiled, ran, outputs match (or not verified) */
  KILN_ATTEMPT_COMPILE_ERROR,
  KILN_ATTEMPT_RUNTIME_ERROR,   /* crashed or exited non-zero */
  KILN_ATTEMPT_TIMEOUT,
  KILN_ATTEMPT_OUTPUT_DIFFERS,
  KILN_ATTEMPT_NO_CODE,         /* the answer held no code */
  KILN_ATTEMPT_STREAM_FAILED,   /* the model's answer broke off; not repaired */
  KILN_ATTEMPT_REFUSED,         /* the model refused; not repaired */
  KILN_ATTEMPT_TRUNCATED,       /* cut at the model's token limit: it is asked to go on */
  KILN_ATTEMPT_HARD_CODED,      /* the output matched, but the answer is written in the source */
} KilnAttemptReason;

/* NULL for KILN_ATTEMPT_OK; "compile_error", "runtime_error", "timeout", "output_differs",
 * "no_code", "stream_failed", "refused", "truncated", "hard_coded". */
const char *kiln_attempt_reason_to_string (KilnAttemptReason reason);
GType       kiln_attempt_reason_get_type  (void) G_GNUC_CONST;
#define KILN_TYPE_ATTEMPT_REASON (kiln_attempt_reason_get_type ())

typedef enum
{
  KILN_CONVERSION_PHASE_IDLE,
  KILN_CONVERSION_PHASE_STREAMING,
  KILN_CONVERSION_PHASE_COMPILING,      /* compiling the C++ */
  KILN_CONVERSION_PHASE_RUNNING_PYTHON,
  KILN_CONVERSION_PHASE_DONE,
  KILN_CONVERSION_PHASE_PREPARING,      /* the key and the prompt */
  KILN_CONVERSION_PHASE_WAITING,        /* for its turn to verify: another conversion runs */
  KILN_CONVERSION_PHASE_RUNNING_CPP,    /* running the C++ on the input cases */
} KilnConversionPhase;

GType kiln_conversion_phase_get_type (void) G_GNUC_CONST;
#define KILN_TYPE_CONVERSION_PHASE (kiln_conversion_phase_get_type ())

/* What came of a conversion, as the leaderboard says it. */
typedef enum
{
  KILN_VERDICT_NONE,            /* not finished */
  KILN_VERDICT_MATCHED,         /* compiled, ran, same output: verified */
  KILN_VERDICT_OUTPUT_DIFFERS,
  KILN_VERDICT_COMPILE_ERROR,
  KILN_VERDICT_RUNTIME_ERROR,
  KILN_VERDICT_TIMED_OUT,
  KILN_VERDICT_REFUSED,
  KILN_VERDICT_TRUNCATED,
  KILN_VERDICT_NO_CODE,
  KILN_VERDICT_ERROR,           /* the model could not be reached, the original failed, ... */
  KILN_VERDICT_STOPPED,
  KILN_VERDICT_UNVERIFIED,      /* verification was off: at most compiled */
  KILN_VERDICT_MATCHED_WITHIN_TOLERANCE, /* numbers agree within the tolerance: verified */
  KILN_VERDICT_HARD_CODED,      /* same output, but the answer is written in: not verified */
} KilnVerdict;

GType       kiln_verdict_get_type  (void) G_GNUC_CONST;
#define KILN_TYPE_VERDICT (kiln_verdict_get_type ())
/* "matched", "output_differs", "compile_error", "runtime_error", "timed_out", "refused",
 * "truncated", "no_code", "error", "stopped", "unverified", "matched_within_tolerance",
 * "hard_coded"; NULL for NONE. */
const char *kiln_verdict_to_string (KilnVerdict  verdict);
gboolean    kiln_verdict_from_string (const char *text,
                                      KilnVerdict *verdict);

#define KILN_TYPE_ATTEMPT (kiln_attempt_get_type ())

G_DECLARE_FINAL_TYPE (KilnAttempt, kiln_attempt, KILN, ATTEMPT, GObject)

/* One round: the model's answer and what it did. Read-only once "attempt-finished". */
struct _KilnAttempt
{
  GObject            parent_instance;

  guint              number;          /* from 1 */
  KilnAttemptReason  repairing;       /* what this attempt was asked to fix (OK: the first) */
  KilnAttemptReason  reason;          /* why it failed; KILN_ATTEMPT_OK when it did not */
  char              *answer;          /* the model's whole answer */
  char              *code;            /* the C++ taken from it */
  char              *notes;           /* its prose */
  char              *reasoning;
  char              *refusal;         /* the model's refusal, "" when none */
  char              *finish_reason;   /* as the provider said it; NULL when unknown */
  GError            *error;           /* the stream's error, when it broke off */
  KilnRunResult     *cpp;             /* NULL when not verified or no code */
  KilnComparison    *comparison;      /* NULL unless both programs ran: the shown case's,
                                       * or the hidden case's that differed (borrowed from
                                       * @verification) */
  KilnVerification  *verification;    /* NULL when not verified */
  guint              failed_case;     /* 1-based case that failed; 0: none */
  char              *suspicious;      /* why the answer looks hard-coded; NULL: it does not */
  gint64             input_tokens;    /* -1 when unknown */
  gint64             output_tokens;
  double             ttft_seconds;    /* -1 when unknown */
  double             seconds;         /* streaming time */
  double             cost_usd;        /* -1 when unknown */
};

KilnAttempt *kiln_attempt_ref      (KilnAttempt *self);
void         kiln_attempt_unref    (KilnAttempt *self);

#define KILN_TYPE_CONVERSION (kiln_conversion_get_type ())

G_DECLARE_FINAL_TYPE (KilnConversion, kiln_conversion, KILN, CONVERSION, GObject)

/* Properties (read-only, notified when they change, on the main context):
 *   "model-id", "model-label"   (string)
 *   "phase"                     (KilnConversionPhase)
 *   "running"                   (boolean) from run_async to its end
 *   "attempt"                   (uint) the attempt under way or the last one; 0 before
 *   "n-attempts"                (uint) attempts finished
 *   "max-attempts"              (uint)
 *   "attempts"                  (GListModel of KilnAttempt) the finished ones
 *   "verdict"                   (KilnVerdict)
 *   "verified"                  (boolean) verdict is MATCHED or MATCHED_WITHIN_TOLERANCE,
 *                               on every input case
 *   "speedup"                   (double) the original's median / the C++ median, in "basis";
 *                               0 unless verified
 *   "speedup-cpu"               (double) the ratio of CPU times; 0 unless verified
 *   "speedup-low", "speedup-high" (double) its spread over the repeats; 0 unless verified
 *   "noisy"                     (boolean) measured on a busy machine, or repeats spread widely
 *   "basis"                     (KilnSpeedupBasis) which time "speedup" is a ratio of
 *   "suspicious"                (string) why the answer looks hard-coded; NULL: it does not
 *   "failed-case"               (uint) 1-based input case that failed; 0: none
 *   "cpp-cpu-seconds", "python-cpu-seconds" (double) medians; -1 when they did not run
 *   "speedup-is-lower-bound"    (boolean)
 *   "cpp-seconds", "python-seconds" (double) medians; -1 when they did not run
 *   "diff-line"                 (uint) first differing line, 0 when none
 *   "ttft-seconds"              (double) first attempt's time to first token; -1 unknown
 *   "tokens-in", "tokens-out"   (int64) over all attempts; -1 when unknown
 *   "tokens-per-second"         (double) -1 unknown
 *   "cost-usd"                  (double) estimated, over all attempts; -1 unknown
 *   "seconds"                   (double) the whole conversion so far
 *   "error-message"             (string) why it failed, for a person; NULL when it did not
 *   "restored"                  (boolean) read back from the history, not run here
 *
 * Signals:
 *   "answer-delta"     (const char *text)   the model's answer exactly as it streams
 *   "attempt-started"  (KilnAttempt *attempt)
 *   "code-changed"     (guint kind: 0 appended / 1 replaced, guint offset, const char *text):
 *                       appended: @text goes at byte @offset of the code so far;
 *                       replaced: @text is the whole code now
 *   "notes-delta"      (const char *text)   prose of the answer, as it streams
 *   "reasoning-delta"  (const char *text)
 *   "phase-changed"    (KilnConversionPhase phase)
 *   "retrying"         (guint delay_ms, const GError *error)  the model is being asked again
 *   "attempt-finished" (KilnAttempt *attempt)
 */
KilnConversion *kiln_conversion_new              (KilnToolchain        *toolchain,
                                                  KilnModel            *model,
                                                  const char           *api_key,
                                                  KilnLanguage          source_language,
                                                  const char           *source,
                                                  GBytes               *input);
/* Takes max attempts, verification, limits, timing patterns and the idle timeout from
 * @config (read when the conversion starts). */
void            kiln_conversion_apply_config     (KilnConversion       *self,
                                                  KilnRunConfig        *config);
void            kiln_conversion_set_api_key      (KilnConversion       *self,
                                                  const char           *api_key);
void            kiln_conversion_set_session      (KilnConversion       *self,
                                                  SoupSession          *session);
void            kiln_conversion_set_max_attempts (KilnConversion       *self,
                                                  guint                 max_attempts);
/* FALSE: stream the code only; it is still compiled when @compile is TRUE. */
void            kiln_conversion_set_verify       (KilnConversion       *self,
                                                  gboolean              compile,
                                                  gboolean              run);
void            kiln_conversion_set_limits       (KilnConversion       *self,
                                                  const KilnRunLimits  *python,
                                                  const KilnRunLimits  *cpp);
void            kiln_conversion_set_timing_mask  (KilnConversion       *self,
                                                  KilnTimingMask       *mask);
/* A result of the same source and input run earlier: reused instead of running again. */
void            kiln_conversion_set_python_result (KilnConversion      *self,
                                                   KilnRunResult       *python);
/* The original and its input cases, with their shared reference runs (several conversions
 * of one program run it once). Without one, the conversion makes its own from its source and
 * input, with the limits it was given. */
void            kiln_conversion_set_program      (KilnConversion       *self,
                                                  KilnProgram          *program);
KilnProgram    *kiln_conversion_get_program      (KilnConversion       *self);
/* Verification takes turns through @queue with other conversions. */
void            kiln_conversion_set_verify_queue (KilnConversion       *self,
                                                  KilnQueue            *queue);
/* The configuration folder whose kiln/prompts/ holds the user's prompt overrides
 * (default: g_get_user_config_dir ()). */
void            kiln_conversion_set_prompts_dir  (KilnConversion       *self,
                                                  const char           *dir);
void            kiln_conversion_set_idle_timeout (KilnConversion       *self,
                                                  double                seconds);

/* Runs attempts until one succeeds, the limit is reached, or @cancellable is cancelled.
 * TRUE when the final code compiled (and, when run, its output matched). On FALSE the
 * error says why for a person; every attempt stays available either way. */
void            kiln_conversion_run_async        (KilnConversion       *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean        kiln_conversion_run_finish       (KilnConversion       *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* Ends a conversion that could not start (no key, ...) with @error, as run_async would. */
void            kiln_conversion_fail             (KilnConversion       *self,
                                                  const GError         *error);
/* Stops a running conversion; it ends with the verdict STOPPED. */
void            kiln_conversion_stop             (KilnConversion       *self);

KilnModel      *kiln_conversion_get_model        (KilnConversion       *self);
const char     *kiln_conversion_get_model_id     (KilnConversion       *self);
const char     *kiln_conversion_get_model_label  (KilnConversion       *self);
KilnLanguage    kiln_conversion_get_language     (KilnConversion       *self);
const char     *kiln_conversion_get_source       (KilnConversion       *self);
GBytes         *kiln_conversion_get_input        (KilnConversion       *self);
KilnConversionPhase kiln_conversion_get_phase    (KilnConversion       *self);
gboolean        kiln_conversion_get_running      (KilnConversion       *self);
KilnVerdict     kiln_conversion_get_verdict      (KilnConversion       *self);
gboolean        kiln_conversion_get_verified     (KilnConversion       *self);
double          kiln_conversion_get_speedup      (KilnConversion       *self);
gboolean        kiln_conversion_get_speedup_is_lower_bound (KilnConversion *self);
double          kiln_conversion_get_speedup_cpu  (KilnConversion       *self);
double          kiln_conversion_get_speedup_low  (KilnConversion       *self);
double          kiln_conversion_get_speedup_high (KilnConversion       *self);
gboolean        kiln_conversion_get_noisy        (KilnConversion       *self);
KilnSpeedupBasis kiln_conversion_get_basis       (KilnConversion       *self);
const char     *kiln_conversion_get_suspicious   (KilnConversion       *self);
guint           kiln_conversion_get_failed_case  (KilnConversion       *self);
/* The whole chat so far (KilnChatMessage: the prompts, each answer and each repair request,
 * the last answer included), for continuing it (optimize rounds); empty before it ran. */
GPtrArray      *kiln_conversion_dup_messages     (KilnConversion       *self);
/* The shown case's comparison of the last attempt (times, spread); NULL when none ran. */
KilnComparison *kiln_conversion_get_comparison   (KilnConversion       *self);
double          kiln_conversion_get_cpp_seconds  (KilnConversion       *self);
double          kiln_conversion_get_python_seconds (KilnConversion     *self);
guint           kiln_conversion_get_diff_line    (KilnConversion       *self);
double          kiln_conversion_get_ttft_seconds (KilnConversion       *self);
gint64          kiln_conversion_get_tokens_in    (KilnConversion       *self);
gint64          kiln_conversion_get_tokens_out   (KilnConversion       *self);
double          kiln_conversion_get_tokens_per_second (KilnConversion  *self);
double          kiln_conversion_get_cost_usd     (KilnConversion       *self);
const char     *kiln_conversion_get_error_message (KilnConversion      *self);
gboolean        kiln_conversion_get_restored     (KilnConversion       *self);
guint           kiln_conversion_get_attempt      (KilnConversion       *self);
GListModel     *kiln_conversion_get_attempts_model (KilnConversion     *self);
GPtrArray      *kiln_conversion_get_attempts     (KilnConversion       *self);  /* KilnAttempt */
KilnAttempt    *kiln_conversion_get_last_attempt (KilnConversion       *self);
/* While an answer streams: its code and prose so far; otherwise those of the last attempt. */
const char     *kiln_conversion_get_current_code  (KilnConversion      *self);
const char     *kiln_conversion_get_current_notes (KilnConversion      *self);
/* The code of the last attempt that had any; "" when none. */
const char     *kiln_conversion_get_code         (KilnConversion       *self);
KilnRunResult  *kiln_conversion_get_python       (KilnConversion       *self);
guint           kiln_conversion_get_max_attempts (KilnConversion       *self);
double          kiln_conversion_get_seconds      (KilnConversion       *self);
/* The verdict for a person: "Outputs match", "Output differs at line 3", "Refused", ... */
char           *kiln_conversion_dup_verdict_text (KilnConversion       *self);

/* Leaderboard order: verified ones first, fastest first; then the rest by how far they
 * got; then by label. A GCompareDataFunc over two KilnConversion. */
int             kiln_conversion_compare_rank     (gconstpointer         a,
                                                  gconstpointer         b,
                                                  gpointer              user_data);

/* kiln-cli convert's JSON object; @output_path may be NULL. */
JsonNode       *kiln_conversion_to_json          (KilnConversion       *self,
                                                  const char           *output_path,
                                                  const GError         *error);
/* The history's record: the leaderboard's figures and every attempt with its code. */
JsonNode       *kiln_conversion_to_record        (KilnConversion       *self);
/* A finished conversion read back from a record (no runs or streams: figures and code). */
KilnConversion *kiln_conversion_new_from_record  (JsonNode             *record,
                                                  GError              **error);

G_END_DECLS

/* kiln-conversion.h: one conversion — stream the C++ from a model, prove it, repair it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "kiln-comparison.h"
#include "kiln-model.h"
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
} KilnAttemptReason;

/* NULL for KILN_ATTEMPT_OK; "compile_error", "runtime_error", "timeout", "output_differs",
 * "no_code", "stream_failed". */
const char *kiln_attempt_reason_to_string (KilnAttemptReason reason);

typedef enum
{
  KILN_CONVERSION_PHASE_IDLE,
  KILN_CONVERSION_PHASE_STREAMING,
  KILN_CONVERSION_PHASE_COMPILING,   /* compiling and running the C++ */
  KILN_CONVERSION_PHASE_RUNNING_PYTHON,
  KILN_CONVERSION_PHASE_DONE,
} KilnConversionPhase;

#define KILN_TYPE_ATTEMPT (kiln_attempt_get_type ())

/* One round: the model's answer and what it did. Read-only once "attempt-finished". */
typedef struct _KilnAttempt
{
  guint              number;          /* from 1 */
  KilnAttemptReason  repairing;       /* what this attempt was asked to fix (OK: the first) */
  KilnAttemptReason  reason;          /* why it failed; KILN_ATTEMPT_OK when it did not */
  char              *answer;          /* the model's whole answer */
  char              *code;            /* the C++ taken from it */
  char              *notes;           /* its prose */
  char              *reasoning;
  GError            *error;           /* the stream's error, when it broke off */
  KilnRunResult     *cpp;             /* NULL when not verified or no code */
  KilnComparison    *comparison;      /* NULL unless both programs ran */
  gint64             input_tokens;    /* -1 when unknown */
  gint64             output_tokens;
  double             ttft_seconds;    /* -1 when unknown */
  double             seconds;         /* streaming time */
  double             cost_usd;        /* -1 when unknown */
  /*< private >*/
  gatomicrefcount    ref_count;
} KilnAttempt;

GType        kiln_attempt_get_type (void) G_GNUC_CONST;
KilnAttempt *kiln_attempt_ref      (KilnAttempt *self);
void         kiln_attempt_unref    (KilnAttempt *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnAttempt, kiln_attempt_unref)

#define KILN_TYPE_CONVERSION (kiln_conversion_get_type ())

G_DECLARE_FINAL_TYPE (KilnConversion, kiln_conversion, KILN, CONVERSION, GObject)

/* Signals:
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

KilnModel      *kiln_conversion_get_model        (KilnConversion       *self);
GPtrArray      *kiln_conversion_get_attempts     (KilnConversion       *self);  /* KilnAttempt */
KilnAttempt    *kiln_conversion_get_last_attempt (KilnConversion       *self);
KilnRunResult  *kiln_conversion_get_python       (KilnConversion       *self);
guint           kiln_conversion_get_max_attempts (KilnConversion       *self);
double          kiln_conversion_get_seconds      (KilnConversion       *self);
/* kiln-cli convert's JSON object; @output_path may be NULL. */
JsonNode       *kiln_conversion_to_json          (KilnConversion       *self,
                                                  const char           *output_path,
                                                  const GError         *error);

G_END_DECLS

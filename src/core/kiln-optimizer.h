/* kiln-optimizer.h: optimize rounds — ask a model for faster C++ again and again, verify every
 * try on every input case, keep the fastest correct one; then search compiler flags
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "kiln-model.h"
#include "kiln-program.h"

G_BEGIN_DECLS

typedef enum
{
  KILN_OPTIMIZE_PHASE_IDLE,
  KILN_OPTIMIZE_PHASE_PREPARING,   /* prompts, the compiler, the start-up floor */
  KILN_OPTIMIZE_PHASE_MEASURING,   /* verifying and timing the starting program */
  KILN_OPTIMIZE_PHASE_STREAMING,   /* a model's answer is coming */
  KILN_OPTIMIZE_PHASE_VERIFYING,   /* compiling, running and comparing a candidate */
  KILN_OPTIMIZE_PHASE_FLAGS,       /* building and timing with other compiler options */
  KILN_OPTIMIZE_PHASE_DONE,
} KilnOptimizePhase;

GType kiln_optimize_phase_get_type (void) G_GNUC_CONST;
#define KILN_TYPE_OPTIMIZE_PHASE (kiln_optimize_phase_get_type ())

/* What a round is. */
typedef enum
{
  KILN_OPTIMIZE_ROUND_START,   /* round 0: the starting program, measured */
  KILN_OPTIMIZE_ROUND_MODEL,   /* rounds 1..N: candidates from the model */
  KILN_OPTIMIZE_ROUND_FLAGS,   /* the last one: the best source with other compiler options */
} KilnOptimizeRoundKind;

GType kiln_optimize_round_kind_get_type (void) G_GNUC_CONST;
#define KILN_TYPE_OPTIMIZE_ROUND_KIND (kiln_optimize_round_kind_get_type ())
/* "start", "model", "flags" */
const char *kiln_optimize_round_kind_to_string (KilnOptimizeRoundKind kind);

#define KILN_TYPE_OPTIMIZE_CANDIDATE (kiln_optimize_candidate_get_type ())

G_DECLARE_FINAL_TYPE (KilnOptimizeCandidate, kiln_optimize_candidate, KILN, OPTIMIZE_CANDIDATE,
                      GObject)

/* One try: a program (and how it was built), and what verifying it found. Read-only once
 * "candidate-finished" was emitted. The same fields are read-only properties: "round",
 * "index", "verdict", "verdict-text" (strings), "verified", "kept" (notified: a later
 * candidate of the same round may take its place), "cpp-seconds", "speedup",
 * "speedup-over-best", "flags", "compiler", "summary", "code", "error-message". */
struct _KilnOptimizeCandidate
{
  GObject            parent_instance;

  guint              round;             /* 0: the starting program */
  guint              index;             /* from 1 within its round */
  char              *code;              /* the C++ ("" when the answer held none) */
  char              *answer;            /* the model's whole answer; NULL for builds */
  char              *summary;           /* the model's one-line summary of the change */
  char              *compiler;          /* NULL: the toolchain's own */
  char              *flags;             /* the flags it was built with (effective ones) */
  gboolean           pgo;
  gboolean           repaired;          /* its compile error got the round's one repair */
  double             temperature;       /* < 0: the model's default */
  KilnVerification  *verification;      /* NULL when there was nothing to verify */
  const char        *verdict;           /* for scripts: "matched", "output_differs", ...
                                         * (kiln-cli optimize's JSON); NULL while under way */
  char              *verdict_text;      /* for a person: "Outputs match, 2.3× faster", ... */
  char              *error_message;     /* why it failed, for a person; NULL when it did not */
  double             cpp_seconds;       /* median in the comparison's basis; -1: did not run */
  double             speedup;           /* over the original; 0 unless verified */
  double             speedup_over_best; /* the best so far's time / this time; 0 unless verified */
  gboolean           kept;              /* it is the best its round brought */
  /*< private >*/
  GPtrArray         *chat_tail;         /* KilnChatMessage: its exchange, to continue from */
};

gboolean kiln_optimize_candidate_get_verified (KilnOptimizeCandidate *self);

#define KILN_TYPE_OPTIMIZE_ROUND (kiln_optimize_round_get_type ())

G_DECLARE_FINAL_TYPE (KilnOptimizeRound, kiln_optimize_round, KILN, OPTIMIZE_ROUND, GObject)

/* Properties: "number" (uint), "kind" (KilnOptimizeRoundKind), "candidates" (GListModel of
 * KilnOptimizeCandidate, appended as they finish), "kept" (the candidate kept in this round,
 * NULL when none). */
guint                  kiln_optimize_round_get_number     (KilnOptimizeRound *self);
KilnOptimizeRoundKind  kiln_optimize_round_get_kind       (KilnOptimizeRound *self);
GListModel            *kiln_optimize_round_get_candidates (KilnOptimizeRound *self);
KilnOptimizeCandidate *kiln_optimize_round_get_kept       (KilnOptimizeRound *self);

#define KILN_TYPE_OPTIMIZER (kiln_optimizer_get_type ())

G_DECLARE_FINAL_TYPE (KilnOptimizer, kiln_optimizer, KILN, OPTIMIZER, GObject)

/* Properties:
 *   "rounds"           (uint, default 3)  model rounds at most
 *   "samples"          (uint, default 1)  candidates per round (K); the 2nd and later are
 *                                         asked at other temperatures
 *   "search-flags"     (boolean, default TRUE) try the flag sets after the rounds
 *   "allow-fast-math"  (boolean, default FALSE) flag sets with -ffast-math too
 *   "idle-timeout"     (double seconds, default 60)
 *   "prompts-dir"      (string) configuration folder with kiln/prompts/ overrides (NULL: the
 *                                user's)
 * read-only, notified on the main context:
 *   "phase"            (KilnOptimizePhase)
 *   "round"            (uint) the round under way or the last one (0: the start)
 *   "running"          (boolean)
 *   "best"             (KilnOptimizeCandidate) the kept one; NULL until the start is verified
 *   "history"          (GListModel of KilnOptimizeRound) round 0 first, the flag search last
 *   "stop-reason"      (string) why it stopped, for a person; NULL while running
 *
 * Signals:
 *   "answer-delta"       (KilnOptimizeCandidate *candidate, const char *text)
 *   "candidate-started"  (KilnOptimizeCandidate *candidate)
 *   "candidate-finished" (KilnOptimizeCandidate *candidate)
 *   "round-started"      (KilnOptimizeRound *round)
 *   "round-finished"     (KilnOptimizeRound *round)
 */
/* @start_code: the C++ to start from (for C++ input, the original). @chat_messages:
 * KilnChatMessage, the chat so far (it is continued); NULL: a new chat with the optimize
 * prompt. @soup: NULL for a session of its own. */
KilnOptimizer         *kiln_optimizer_new           (KilnProgram          *program,
                                                     KilnModel            *model,
                                                     const char           *api_key,
                                                     SoupSession          *soup,
                                                     const char           *start_code,
                                                     GPtrArray            *chat_messages);

KilnProgram           *kiln_optimizer_get_program   (KilnOptimizer        *self);
KilnModel             *kiln_optimizer_get_model     (KilnOptimizer        *self);
guint                  kiln_optimizer_get_rounds    (KilnOptimizer        *self);
void                   kiln_optimizer_set_rounds    (KilnOptimizer        *self,
                                                     guint                 rounds);
guint                  kiln_optimizer_get_samples   (KilnOptimizer        *self);
void                   kiln_optimizer_set_samples   (KilnOptimizer        *self,
                                                     guint                 samples);
gboolean               kiln_optimizer_get_search_flags (KilnOptimizer     *self);
void                   kiln_optimizer_set_search_flags (KilnOptimizer     *self,
                                                        gboolean           search_flags);
gboolean               kiln_optimizer_get_allow_fast_math (KilnOptimizer  *self);
void                   kiln_optimizer_set_allow_fast_math (KilnOptimizer  *self,
                                                           gboolean        allow);
void                   kiln_optimizer_set_prompts_dir (KilnOptimizer      *self,
                                                       const char         *dir);
void                   kiln_optimizer_set_idle_timeout (KilnOptimizer     *self,
                                                        double             seconds);

KilnOptimizePhase      kiln_optimizer_get_phase     (KilnOptimizer        *self);
guint                  kiln_optimizer_get_round     (KilnOptimizer        *self);
gboolean               kiln_optimizer_get_running   (KilnOptimizer        *self);
KilnOptimizeCandidate *kiln_optimizer_get_best      (KilnOptimizer        *self);
GListModel            *kiln_optimizer_get_history   (KilnOptimizer        *self);
const char            *kiln_optimizer_get_stop_reason (KilnOptimizer      *self);

/* Runs the rounds, then the flag search. The rounds stop after "rounds", when a round brings
 * no verified candidate at all, when two rounds in a row bring nothing faster, on stop(), or
 * once the best's wall time is within 1.5 times the start-up floor and its CPU time below
 * it. TRUE when a verified
 * best exists (the starting program at least); FALSE with a message for a person when even
 * the starting program could not be verified, or G_IO_ERROR_CANCELLED when stopped before it was. A round that
 * fails never loses the best: it stays in "best". */
void                   kiln_optimizer_run_async     (KilnOptimizer        *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean               kiln_optimizer_run_finish    (KilnOptimizer        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
/* Stops after the step under way is abandoned; the best so far stays; run_finish then
 * returns TRUE when a best exists. */
void                   kiln_optimizer_stop          (KilnOptimizer        *self);

/* Whether @candidate beats @best by more than the measurement's noise: both verified, its
 * slowest run faster than the best's fastest in the best's basis, and at least 3% faster. */
gboolean               kiln_optimizer_is_improvement (KilnOptimizeCandidate *candidate,
                                                      KilnOptimizeCandidate *best);

/* kiln-cli optimize's JSON object (docs/cli.md); @output_file may be NULL. */
JsonNode              *kiln_optimizer_to_json       (KilnOptimizer        *self,
                                                     const char           *output_file);

G_END_DECLS

/* kiln-program.h: the original program and its input cases, with a reference run per case;
 * verifying a C++ candidate against it on every case, measured the one way that conversions,
 * kiln-cli compare and optimize rounds share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-comparison.h"
#include "kiln-reference.h"
#include "kiln-run-config.h"
#include "kiln-toolchain.h"

G_BEGIN_DECLS

typedef enum
{
  KILN_CHECK_MATCHED,                  /* same output on every case */
  KILN_CHECK_MATCHED_WITHIN_TOLERANCE, /* numbers agree within the tolerance on every case */
  KILN_CHECK_HARD_CODED,               /* matched, but the answer is written into the source */
  KILN_CHECK_OUTPUT_DIFFERS,           /* on the shown case, or on a hidden one (failed_case) */
  KILN_CHECK_COMPILE_ERROR,
  KILN_CHECK_RUNTIME_ERROR,
  KILN_CHECK_TIMED_OUT,
  KILN_CHECK_ORIGINAL_FAILED,          /* the original itself failed: nothing to compare with */
  KILN_CHECK_NO_COMPILER,              /* not something a model can repair */
} KilnCheck;

#define KILN_TYPE_VERIFICATION (kiln_verification_get_type ())

/* What verifying one C++ program found. */
typedef struct _KilnVerification
{
  KilnCheck          check;
  GError            *error;        /* why it is not verified, for a person; NULL when verified */
  KilnCompileResult *compile;      /* NULL only when no compiler could be asked */
  KilnRunResult     *cpp;          /* the timed runs on case 1; NULL when it did not run */
  KilnRunResult     *python;       /* the reference on case 1; NULL when it did not run */
  KilnComparison    *comparison;   /* case 1, measured; NULL unless both ran cleanly */
  guint              failed_case;  /* 1-based case whose output differed or failed; 0: none */
  KilnComparison    *failed;       /* that case's comparison (the diff); NULL when none */
  KilnRunResult     *failed_run;   /* a hidden case's C++ run that failed; NULL when none */
  char              *suspicious;   /* why the answer looks hard-coded; NULL when it does not */
  guint              n_cases;      /* cases the C++ ran on */
  /*< private >*/
  gatomicrefcount    ref_count;
} KilnVerification;

GType              kiln_verification_get_type (void) G_GNUC_CONST;
KilnVerification  *kiln_verification_ref      (KilnVerification *self);
void               kiln_verification_unref    (KilnVerification *self);
/* MATCHED or MATCHED_WITHIN_TOLERANCE: the only checks that earn a speedup. */
gboolean           kiln_verification_verified (KilnVerification *self);
/* The speedup shown (0 unless verified). */
double             kiln_verification_get_speedup (KilnVerification *self);
/* C++ time in the comparison's basis (median seconds); -1 when it did not run. */
double             kiln_verification_get_cpp_seconds (KilnVerification *self);
/* kiln-cli compare's JSON object: the comparison's members and "verified", "check",
 * "suspicious", "cases", "failed_case", "error". */
JsonNode          *kiln_verification_to_json  (KilnVerification *self);

#define KILN_TYPE_PROGRAM (kiln_program_get_type ())

G_DECLARE_FINAL_TYPE (KilnProgram, kiln_program, KILN, PROGRAM, GObject)

/* @cases: NULL-terminated inputs (stdin); NULL or empty means one case with empty stdin.
 * Case 1 is the one shown to the model; the others are hidden from it. */
KilnProgram   *kiln_program_new              (KilnToolchain       *toolchain,
                                              KilnLanguage         language,
                                              const char          *source,
                                              const char * const  *cases);
KilnToolchain *kiln_program_get_toolchain    (KilnProgram         *self);
KilnLanguage   kiln_program_get_language     (KilnProgram         *self);
const char    *kiln_program_get_source       (KilnProgram         *self);
guint          kiln_program_get_n_cases      (KilnProgram         *self);
/* 0-based; "" for empty stdin. */
const char    *kiln_program_get_case         (KilnProgram         *self,
                                              guint                index);
const char * const *kiln_program_get_cases   (KilnProgram         *self);
/* Whether this is exactly @language/@source on @cases (NULL: one empty case). */
gboolean       kiln_program_matches          (KilnProgram         *self,
                                              KilnLanguage         language,
                                              const char          *source,
                                              const char * const  *cases);

/* Takes the limits, timing mask, tolerance and timeouts from @config (a snapshot: later
 * changes to @config need another call). References already run stay when their limits
 * did not change. */
void           kiln_program_apply_config     (KilnProgram         *self,
                                              KilnRunConfig       *config);
/* For a program without a config (tests, a conversion on its own): the original's limits,
 * the C++ limits (their timeout is used as is) and the timing mask (NULL: none). */
void           kiln_program_set_limits       (KilnProgram         *self,
                                              const KilnRunLimits *original,
                                              const KilnRunLimits *cpp,
                                              KilnTimingMask      *mask);
/* The measured start-up floor in seconds (see kiln_toolchain_measure_startup_async); used
 * for the lower-bound rule; <= 0: not known. */
void           kiln_program_set_startup_floor (KilnProgram        *self,
                                               double              seconds);

/* The reference (the original's run) of case @index (0-based). */
KilnReference *kiln_program_get_reference    (KilnProgram         *self,
                                              guint                index);
/* The C++ limits a candidate gets on case @index once the reference of that case ran: the
 * timeout is the configured one, or (automatic) a multiple of the original's time. */
void           kiln_program_get_cpp_limits   (KilnProgram         *self,
                                              guint                index,
                                              KilnRunLimits       *limits);

/* Verifies @cpp_source: compiles it (or takes @compiled, a build of it, e.g. with other flags
 * or profile-guided), runs the original's reference and the C++ on case 1 with the timed
 * repeat policy and compares them (tolerance, hard-coded check), then each hidden case once.
 * Stops at the first failure. Fails only with G_IO_ERROR_CANCELLED. */
void              kiln_program_verify_async  (KilnProgram         *self,
                                              const char          *cpp_source,
                                              KilnCompileResult   *compiled,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* What a verification is doing, for a progress display. @index: the 0-based case. */
typedef enum
{
  KILN_VERIFY_STEP_COMPILING,
  KILN_VERIFY_STEP_RUNNING_ORIGINAL,
  KILN_VERIFY_STEP_RUNNING_CPP,
} KilnVerifyStep;

typedef void (*KilnVerifyProgress) (KilnVerifyStep step,
                                    guint          index,
                                    gpointer       user_data);

/* kiln_program_verify_async() that calls @progress (on the caller's main context) as it
 * goes; @progress_data is kept until the verification ends. */
void              kiln_program_verify_full_async (KilnProgram         *self,
                                                  const char          *cpp_source,
                                                  KilnCompileResult   *compiled,
                                                  KilnVerifyProgress   progress,
                                                  gpointer             progress_data,
                                                  GDestroyNotify       progress_data_free,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
KilnVerification *kiln_program_verify_finish (KilnProgram         *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* Derives up to @max hidden cases from case 1 (kiln_input_cases_derive(): lines shuffled,
 * dropped, repeated, numbers changed) and keeps those on which the original runs cleanly
 * (each run once, with the original's limits). Returns the kept KilnDerivedCase, in order;
 * fails only with G_IO_ERROR_CANCELLED. Case 1 empty: nothing to derive, an empty array. */
void              kiln_program_derive_cases_async  (KilnProgram         *self,
                                                    guint                max,
                                                    guint32              seed,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GPtrArray        *kiln_program_derive_cases_finish (KilnProgram         *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnVerification, kiln_verification_unref)

G_END_DECLS

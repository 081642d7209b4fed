/* kiln-session.h: one program's work — its source and input, the run configuration, the
 * original's reference run, and a conversion per model; driven alike by the window and
 * kiln-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-conversion.h"
#include "kiln-history.h"
#include "kiln-key-store.h"
#include "kiln-run-config.h"
#include "kiln-toolchain.h"

G_BEGIN_DECLS

#define KILN_TYPE_SESSION (kiln_session_get_type ())

G_DECLARE_FINAL_TYPE (KilnSession, kiln_session, KILN, SESSION, GObject)

/* Properties:
 *   "config"       (KilnRunConfig, construct-only) what every run of the session uses
 *   "toolchain"    (KilnToolchain, read-only) follows the config's interpreter, compiler,
 *                  flags and sandbox
 *   "conversions"  (GListModel of KilnConversion, read-only) one per model, in the order
 *                  they were started
 *   "language", "source", "input" (the program; read-only, see set_program)
 *   "hidden-cases" (GStrv) input cases the model is not shown (see set_hidden_cases)
 *   "n-running"    (uint) conversions under way
 *   "busy"         (boolean) n-running > 0
 *   "history"      (KilnHistory) where finished conversions are recorded; NULL: nowhere
 *   "history-error" (string) why the last write to the history failed; NULL when it did not
 *
 * Signals:
 *   "conversion-finished" (KilnConversion *conversion)
 */
KilnSession    *kiln_session_new                 (KilnRunConfig    *config,
                                                  KilnKeyStore     *keys);
/* Where keys are looked up (the window learns its application's store late). */
void            kiln_session_set_key_store       (KilnSession      *self,
                                                  KilnKeyStore     *keys);
KilnRunConfig  *kiln_session_get_config          (KilnSession      *self);
KilnToolchain  *kiln_session_get_toolchain       (KilnSession      *self);
GListModel     *kiln_session_get_conversions     (KilnSession      *self);
SoupSession    *kiln_session_get_soup_session    (KilnSession      *self);
KilnLanguage    kiln_session_get_language        (KilnSession      *self);
const char     *kiln_session_get_source          (KilnSession      *self);
const char     *kiln_session_get_input           (KilnSession      *self);
guint           kiln_session_get_n_running       (KilnSession      *self);
gboolean        kiln_session_get_busy            (KilnSession      *self);
KilnHistory    *kiln_session_get_history         (KilnSession      *self);
void            kiln_session_set_history         (KilnSession      *self,
                                                  KilnHistory      *history);
const char     *kiln_session_get_history_error   (KilnSession      *self);
/* The folder whose kiln/prompts/ overrides the built-in prompts (tests). */
void            kiln_session_set_prompts_dir     (KilnSession      *self,
                                                  const char       *dir);

/* The program to convert. @input: its standard input ("" or NULL: none). A different program
 * starts a new comparison: conversions of the previous one stay listed until the next
 * kiln_session_convert(). */
void            kiln_session_set_program         (KilnSession      *self,
                                                  KilnLanguage      language,
                                                  const char       *source,
                                                  const char       *input);
/* Input cases besides the shown input, hidden from the model: verification runs both programs
 * on each, and a conversion that differs on one fails. Empty cases are dropped. Another set
 * of cases starts a new comparison. */
void            kiln_session_set_hidden_cases    (KilnSession      *self,
                                                  const char * const *cases);
const char * const *kiln_session_get_hidden_cases (KilnSession     *self);
/* The program as verification sees it: source, every case, their references. */
KilnProgram    *kiln_session_get_program         (KilnSession      *self);
/* A run of the session's program made elsewhere (the window's Run Python): reused as the
 * reference when it ran exactly the current program and input with the current limits. */
void            kiln_session_offer_reference     (KilnSession      *self,
                                                  KilnLanguage      language,
                                                  const char       *source,
                                                  const char       *input,
                                                  KilnRunResult    *result);
/* The reference run of the current program, when it has run. */
KilnRunResult  *kiln_session_get_reference_result (KilnSession     *self);

/* Converts the current program with @model: looks up its key, streams, verifies, repairs.
 * A conversion already listed for the same model is stopped and replaced, and so is every
 * conversion of an earlier program. Returns the new conversion (owned by the session). */
KilnConversion *kiln_session_convert             (KilnSession      *self,
                                                  KilnModel        *model);
/* Stops @conversion, or every one when NULL. */
void            kiln_session_stop                (KilnSession      *self,
                                                  KilnConversion   *conversion);
/* Stops and removes every conversion. */
void            kiln_session_clear               (KilnSession      *self);
/* Completes when no conversion is running (at once if none is). */
void            kiln_session_wait_async          (KilnSession      *self,
                                                  GCancellable     *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer          user_data);
gboolean        kiln_session_wait_finish         (KilnSession      *self,
                                                  GAsyncResult     *result,
                                                  GError          **error);

/* Replaces the program and the conversions with a comparison read back from the history
 * (kiln_history_load_finish's object). */
gboolean        kiln_session_restore             (KilnSession      *self,
                                                  JsonNode         *comparison,
                                                  GError          **error);

G_END_DECLS

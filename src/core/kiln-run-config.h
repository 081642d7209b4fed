/* kiln-run-config.h: how programs are built, run, timed and compared — one object that the
 * window fills from GSettings and kiln-cli from its options, so both reach the same verdicts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kiln-output-compare.h"
#include "kiln-run-result.h"

G_BEGIN_DECLS

#define KILN_TYPE_RUN_CONFIG (kiln_run_config_get_type ())

G_DECLARE_FINAL_TYPE (KilnRunConfig, kiln_run_config, KILN, RUN_CONFIG, GObject)

/* Properties. Each is named like the GSettings key it mirrors, so the window binds them one
 * to one with g_settings_bind():
 *   "python-interpreter" (string)  "" : python3 from PATH
 *   "compiler"           (string)  "auto", "g++", "clang++" or a path
 *   "compiler-flags"     (string)  shell-quoted; "" : the default flags
 *   "sandbox"            (boolean)
 *   "run-timeout"        (double, seconds per execution)
 *   "output-cap-kib"     (uint)
 *   "cpp-repeat"         (uint)     C++ executions at most
 *   "cpp-time-budget"    (double, seconds) no further C++ execution starts after it
 *   "python-repeat"      (uint)
 *   "timing-patterns"    (GStrv)    NULL: the defaults
 *   "max-attempts"       (uint)     model answers per conversion
 *   "auto-verify"        (boolean)  compile, run and compare every answer
 *   "idle-timeout"       (double, seconds) give up on a model that sends nothing
 *   "python-time-budget" (double, seconds) no further run of the original starts after it
 *   "cpp-timeout"        (double, seconds) 0: automatic, a multiple of the original's time
 *                        (at least 10 s, at most "run-timeout")
 *   "tolerance"          (double) relative tolerance for numbers in outputs; 0: exact only
 * and one that is not a setting:
 *   "hints-for-cli"      (boolean) messages name kiln-cli's options, not Preferences
 * "run-timeout" is the original program's timeout (and the C++ program's upper bound).
 */
KilnRunConfig      *kiln_run_config_new                (void);

double              kiln_run_config_get_run_timeout    (KilnRunConfig  *self);
guint               kiln_run_config_get_max_attempts   (KilnRunConfig  *self);
gboolean            kiln_run_config_get_auto_verify    (KilnRunConfig  *self);
double              kiln_run_config_get_idle_timeout   (KilnRunConfig  *self);
const char * const *kiln_run_config_get_timing_patterns (KilnRunConfig *self);
double              kiln_run_config_get_cpp_timeout    (KilnRunConfig  *self);
double              kiln_run_config_get_tolerance      (KilnRunConfig  *self);

/* The limits and repeat policy for a run of @language. */
void                kiln_run_config_fill_limits        (KilnRunConfig  *self,
                                                        KilnLanguage    language,
                                                        KilnRunLimits  *limits);
/* The compiled timing patterns (kept until they change); NULL and
 * KILN_ERROR_INVALID_PATTERN when one does not compile. */
KilnTimingMask     *kiln_run_config_dup_timing_mask    (KilnRunConfig  *self,
                                                        GError        **error);
/* Every property, for the history and reports: what a result was measured with. */
JsonNode           *kiln_run_config_to_json            (KilnRunConfig  *self);

G_END_DECLS

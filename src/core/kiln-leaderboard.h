/* kiln-leaderboard.h: the conversions of one program ranked, as JSON, CSV and Markdown
 * (pure, no I/O) — kiln-cli compare-models prints them, the window exports them, so both
 * write the same text for the same conversions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kiln-conversion.h"

G_BEGIN_DECLS

/* @conversions: a GListModel of KilnConversion (a session's "conversions").
 * @output_files: model id -> path of the file its code was written to; NULL (or an id
 * missing from it): none. */

/* The conversions in leaderboard order (kiln_conversion_compare_rank: verified ones first,
 * fastest first, then how far the rest got). A new array holding a reference to each. */
GPtrArray  *kiln_leaderboard_sort            (GListModel  *conversions);

/* The contract's name of @verdict: "matched", "output_differs", "compile_error",
 * "runtime_error", "timed_out", "refused", "truncated", "no_code", or "error" (for every
 * other verdict: the model could not be reached, stopped, not verified, not finished). */
const char *kiln_leaderboard_verdict_name    (KilnVerdict  verdict);

/* kiln-cli compare-models --json:
 *   {"program": s,
 *    "results": [{"model": id, "ok": bool, "verdict": name, "attempts": n,
 *                 "speedup": n|null, "cpp_seconds": n|null, "ttft_seconds": n|null,
 *                 "tokens_in": n|null, "tokens_out": n|null, "cost_usd": n|null,
 *                 "seconds": n, "output_file": s|null}, ...],
 *    "python_seconds": n|null}
 * in leaderboard order. "ok" is verified; "speedup" is null unless verified; "cpp_seconds"
 * is the median of the last C++ run, verified or not, null when it never ran. A negative
 * @python_seconds (the original did not run) is null. */
JsonNode   *kiln_leaderboard_to_json         (GListModel  *conversions,
                                              const char  *program,
                                              double       python_seconds,
                                              GHashTable  *output_files);

/* The same results as CSV (RFC 4180): a header row with the JSON member names
 * (model,ok,verdict,attempts,speedup,cpp_seconds,ttft_seconds,tokens_in,tokens_out,
 * cost_usd,seconds,output_file), then one row per conversion in leaderboard order. Lines
 * end with LF (the last one too); a field holding a comma, a quote, CR or LF is quoted, its
 * quotes doubled; null is an empty field; booleans are true/false; whole numbers are
 * written as integers, others in the C locale with six significant digits ("%.6g"). */
char       *kiln_leaderboard_to_csv          (GListModel  *conversions,
                                              GHashTable  *output_files);

/* A Markdown (GitHub) table to paste into a document: Model (label), Verdict (as
 * kiln_conversion_dup_verdict_text says it), Attempts, C++ time, Speedup ("—" unless
 * verified), First token, Tokens in/out, Tokens/s, Cost, Total time. Figures are written
 * for people, in the current locale; "|" in a cell is escaped. Ends with LF. */
char       *kiln_leaderboard_to_markdown     (GListModel  *conversions);

G_END_DECLS

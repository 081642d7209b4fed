/* kiln-process.h: one run of a program through kiln-run-helper (private to the core)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kiln-run-report.h"

G_BEGIN_DECLS

typedef struct _KilnProcessResult
{
  KilnRunReport report;
  GBytes       *stdout_bytes;      /* at most output_cap bytes */
  GBytes       *stderr_bytes;
  gboolean      output_truncated;  /* a stream passed output_cap and the run was stopped */
  char         *truncated_stream;  /* "stdout" or "stderr" when output_truncated */
  gboolean      memory_exceeded;   /* the kernel killed it for passing its memory cgroup's
                                    * limit ("memory-exceeded 1" in the helper's report) */
} KilnProcessResult;

void               kiln_process_result_free (KilnProcessResult *self);

/* Where kiln-run-helper is: $KILN_RUN_HELPER when set; else, seen from the running program,
 * the installed one (PKGLIBEXECDIR relative to BINDIR, so any prefix works) or the build
 * folder's (src/helper next to src/cli and src/app); else PKGLIBEXECDIR itself. NULL with
 * KILN_ERROR_HELPER_NOT_FOUND, naming the places tried, when none is there. */
char              *_kiln_process_find_helper (GError **error);

/* Runs @argv in @cwd with @input on stdin. Everything is killed after @timeout_ms (0: never)
 * or when one output stream passes @output_cap bytes, or on cancellation (then the result is
 * G_IO_ERROR_CANCELLED, after the process group is gone). Fails otherwise only when the
 * helper could not be started; a program that could not be started is reported in
 * report.spawn_errno. */
void               _kiln_process_run_async  (const char * const  *argv,
                                             const char          *cwd,
                                             GBytes              *input,
                                             guint                timeout_ms,
                                             gsize                output_cap,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* The same with @helper_path (NULL: _kiln_process_find_helper()) and extra options for it
 * (NULL-terminated, may be NULL), such as limits or --nested-report-fd. Finish with
 * _kiln_process_run_finish(). */
void               _kiln_process_run_with_helper_async (const char          *helper_path,
                                                        const char * const  *helper_options,
                                                        const char * const  *argv,
                                                        const char          *cwd,
                                                        GBytes              *input,
                                                        guint                timeout_ms,
                                                        gsize                output_cap,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
KilnProcessResult *_kiln_process_run_finish (GAsyncResult        *result,
                                             GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnProcessResult, kiln_process_result_free)

G_END_DECLS

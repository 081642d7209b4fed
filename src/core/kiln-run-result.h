/* kiln-run-result.h: what compiling and running one program produced
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kiln-diagnostic.h"
#include "kiln-sandbox.h"

G_BEGIN_DECLS

typedef enum
{
  KILN_LANGUAGE_PYTHON,
  KILN_LANGUAGE_CPP,
} KilnLanguage;

const char  *kiln_language_to_string   (KilnLanguage language);   /* "python", "cpp" */
const char  *kiln_language_get_title   (KilnLanguage language);   /* "Python", "C++" */
/* From a file name's extension (.py; .cpp .cc .cxx .c++); FALSE when it is neither. */
gboolean     kiln_language_from_path   (const char   *path,
                                        KilnLanguage *language);

/* One execution of a program. */
typedef struct _KilnRunStats
{
  double   wall_seconds;      /* spawn to exit, monotonic clock */
  double   user_seconds;      /* from the child's rusage */
  double   sys_seconds;
  gint64   max_rss_kib;       /* peak resident set size */
  int      exit_status;       /* -1 when it did not exit by itself */
  int      signal;            /* the signal that ended it; 0 when none */
  gboolean timed_out;
  gboolean output_truncated;  /* stopped because an output stream passed its cap */
} KilnRunStats;

/* Limits and the repeat policy of a run. */
typedef struct _KilnRunLimits
{
  guint timeout_ms;      /* per execution; the whole process group is killed after it */
  gsize output_cap;      /* bytes per stream (stdout, stderr) */
  guint max_runs;        /* executions at most */
  guint time_budget_ms;  /* no further execution starts once this much wall time was spent */
  guint64 memory_limit;     /* bytes of memory: a memory cgroup's limit where one is writable,
                             * else an address-space cap (RLIMIT_AS) of 4 times it; 0: 4 GiB */
  guint64 file_size_limit;  /* bytes per file written (RLIMIT_FSIZE); 0: 256 MiB */
  guint   max_processes;    /* processes and threads at once; 0: 512 */
  /* How a timeout is explained. */
  double  timeout_relative_to; /* > 0: the timeout is a multiple of this many seconds (the
                                * original's time), not a fixed setting */
  gboolean timeout_hint_cli;   /* name kiln-cli's --timeout / --cpp-timeout, not Preferences */
} KilnRunLimits;

/* Defaults: 600 s, 1 MiB; 3 runs, stopping early only once they took 20 s in all; 4 GiB of
 * memory, files up to 256 MiB, 512 processes. */
void kiln_run_limits_init_default (KilnRunLimits *limits,
                                   KilnLanguage   language);

#define KILN_TYPE_COMPILE_RESULT (kiln_compile_result_get_type ())

typedef struct _KilnCompileResult
{
  gboolean    ok;
  gboolean    cached;           /* the binary came from the cache (no compiler ran) */
  double      seconds;          /* compiler wall time; of the original build when cached */
  char      **command;          /* the exact argv that was (or would have been) run */
  char       *output;           /* everything the compiler printed */
  GPtrArray  *diagnostics;      /* KilnDiagnostic */
  char       *binary_path;      /* NULL unless ok */
  /*< private >*/
  gatomicrefcount ref_count;
} KilnCompileResult;

GType              kiln_compile_result_get_type (void) G_GNUC_CONST;
KilnCompileResult *kiln_compile_result_new      (void);
KilnCompileResult *kiln_compile_result_ref      (KilnCompileResult *self);
void               kiln_compile_result_unref    (KilnCompileResult *self);
JsonNode          *kiln_compile_result_to_json  (KilnCompileResult *self);

#define KILN_TYPE_RUN_RESULT (kiln_run_result_get_type ())

typedef struct _KilnRunResult
{
  KilnLanguage       language;
  gboolean           ok;           /* built, ran, exited 0, within the limits */
  GError            *error;        /* why not ok, written for a person; NULL when ok */
  KilnCompileResult *compile;      /* C++ only */
  GArray            *runs;         /* KilnRunStats, in the order they ran */
  GBytes            *stdout_bytes; /* of the first run */
  GBytes            *stderr_bytes;
  KilnSandbox        sandbox;      /* the protection the runs had */
  /*< private >*/
  gatomicrefcount    ref_count;
} KilnRunResult;

GType          kiln_run_result_get_type     (void) G_GNUC_CONST;
KilnRunResult *kiln_run_result_new          (KilnLanguage   language);
KilnRunResult *kiln_run_result_ref          (KilnRunResult *self);
void           kiln_run_result_unref        (KilnRunResult *self);
/* Median, minimum and maximum wall time over the runs; FALSE when there was no run. */
gboolean       kiln_run_result_get_wall     (KilnRunResult *self,
                                             double        *median,
                                             double        *min,
                                             double        *max);
/* Median, minimum and maximum CPU time (user + system) over the runs, each run's own
 * figure (the median is the lower median of those figures, not the median-wall run's);
 * FALSE when there was no run. */
gboolean       kiln_run_result_get_cpu      (KilnRunResult *self,
                                             double        *median,
                                             double        *min,
                                             double        *max);
/* The median run (the one whose wall time is the median); NULL when there was no run. */
const KilnRunStats *kiln_run_result_get_median_run (KilnRunResult *self);
/* stdout/stderr as valid UTF-8 (invalid bytes replaced), never NULL. */
char          *kiln_run_result_dup_stdout   (KilnRunResult *self);
char          *kiln_run_result_dup_stderr   (KilnRunResult *self);
/* The run object of kiln-cli's JSON contract. */
JsonNode      *kiln_run_result_to_json      (KilnRunResult *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnCompileResult, kiln_compile_result_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnRunResult, kiln_run_result_unref)

G_END_DECLS

/* kiln-sandbox.h: which protection a run gets, and the command that gives it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  KILN_SANDBOX_LIMITS,     /* resource limits and a process group only */
  KILN_SANDBOX_BUBBLEWRAP, /* bwrap: no network, read-only system, only the work folder writable */
  KILN_SANDBOX_FLATPAK,    /* inside Flatpak: flatpak-spawn --sandbox --no-network */
} KilnSandbox;

/* "limits", "bubblewrap", "flatpak": the "sandbox" field of kiln-cli's run object. */
const char *kiln_sandbox_to_string (KilnSandbox sandbox);

/* What a sandboxed run needs: the protection in force, the program to start (the
 * interpreter's real executable rather than a shim) and the folders to show read-only. */
typedef struct _KilnSandboxPlan
{
  KilnSandbox  sandbox;
  char        *program;
  GPtrArray   *read_only;  /* char *, absolute paths */
} KilnSandboxPlan;

void _kiln_sandbox_plan_free (KilnSandboxPlan *plan);

/* Decides the protection for running @program (a python interpreter when @is_python, else a
 * compiled binary). With @wanted FALSE it is always KILN_SANDBOX_LIMITS. Whether bubblewrap
 * works here is probed once per process (a quick bwrap run), and an interpreter's location
 * once per path (it is asked for sys.executable, sys.prefix and sys.path). Never fails: when
 * something does not work, the plan falls back to limits and says so with g_debug(). */
void             _kiln_sandbox_plan_async  (gboolean             wanted,
                                            const char          *program,
                                            gboolean             is_python,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
KilnSandboxPlan *_kiln_sandbox_plan_finish (GAsyncResult        *result);

/* The helper options and the command for one run: @helper_options go before "--", @command
 * after it (the launcher, the inner helper and @argv, or just @argv with limits only). */
void _kiln_sandbox_build_command (const KilnSandboxPlan *plan,
                                  const char            *helper,
                                  const char            *work_dir,
                                  const char * const    *argv,
                                  guint                  timeout_ms,
                                  guint64                memory_limit,
                                  guint64                file_size_limit,
                                  guint                  max_processes,
                                  GPtrArray             *helper_options,
                                  GPtrArray             *command);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KilnSandboxPlan, _kiln_sandbox_plan_free)

G_END_DECLS

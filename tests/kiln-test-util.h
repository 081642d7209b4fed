/* kiln-test-util.h: small helpers shared by the core tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kiln-core.h"

G_BEGIN_DECLS

typedef struct
{
  GAsyncResult *result;
} KilnTestWait;

static inline void
kiln_test_wait_cb (GObject      *object,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  KilnTestWait *wait = user_data;

  wait->result = g_object_ref (res);
  g_main_context_wakeup (NULL);
}

/* Iterates the default main context until @wait has a result. */
static inline GAsyncResult *
kiln_test_wait_for (KilnTestWait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wait->result;
}

/* Runs @source and waits for the result; asserts the run was not cancelled. */
static inline KilnRunResult *
kiln_test_run (KilnToolchain       *toolchain,
               KilnLanguage         language,
               const char          *source,
               const char          *input,
               const KilnRunLimits *limits)
{
  g_autoptr(GBytes) bytes = input ? g_bytes_new (input, strlen (input)) : NULL;
  g_autoptr(GError) error = NULL;
  KilnTestWait wait = { NULL };
  KilnRunResult *result;

  kiln_toolchain_run_async (toolchain, language, source, bytes, limits, NULL,
                            kiln_test_wait_cb, &wait);
  result = kiln_toolchain_run_finish (toolchain, kiln_test_wait_for (&wait), &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_object_unref (wait.result);

  return result;
}

/* A toolchain whose cache lives in a fresh temporary folder (returned in @dir). */
static inline KilnToolchain *
kiln_test_toolchain_new (char **dir)
{
  KilnToolchain *toolchain = kiln_toolchain_new ();
  g_autoptr(GError) error = NULL;
  char *tmp = g_dir_make_tmp ("kiln-test-XXXXXX", &error);

  g_assert_no_error (error);
  kiln_toolchain_set_cache_dir (toolchain, tmp);
  *dir = tmp;

  return toolchain;
}

static inline void
kiln_test_remove_tree (const char *path)
{
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
}

static inline char *
kiln_test_stdout (KilnRunResult *result)
{
  return kiln_run_result_dup_stdout (result);
}

G_END_DECLS

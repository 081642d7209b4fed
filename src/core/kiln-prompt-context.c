/* kiln-prompt-context.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/utsname.h>

#include "kiln-prompt.h"
#include "kiln-prompt-context.h"

typedef struct
{
  KilnToolchain     *toolchain;
  char              *prompts_dir;
  char             **names;
  KilnPromptContext *context;
} Load;

void
_kiln_prompt_context_free (KilnPromptContext *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->prompts, g_hash_table_unref);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_free (self);
}

static void
load_free (gpointer data)
{
  Load *load = data;

  g_clear_object (&load->toolchain);
  g_free (load->prompts_dir);
  g_strfreev (load->names);
  g_clear_pointer (&load->context, _kiln_prompt_context_free);
  g_free (load);
}

/* The CPU's marketing name, from /proc/cpuinfo ("model name" on x86, "Model" or
 * "Hardware" on ARM boards). */
static char *
read_cpu_model (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  static const char * const keys[] = { "model name", "Model", "Hardware", "cpu model", NULL };

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return g_strdup ("unknown");

  lines = g_strsplit (text, "\n", -1);
  for (guint k = 0; keys[k] != NULL; k++)
    for (guint i = 0; lines[i] != NULL; i++)
      {
        const char *colon = strchr (lines[i], ':');
        g_autofree char *key = NULL;

        if (colon == NULL)
          continue;
        key = g_strstrip (g_strndup (lines[i], colon - lines[i]));
        if (g_str_equal (key, keys[k]))
          return g_strstrip (g_strdup (colon + 1));
      }

  return g_strdup ("unknown");
}

/* Files only: the templates and /proc/cpuinfo. */
static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  KilnPromptContext *context = load->context;
  struct utsname uts;
  g_autofree char *os_name = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);

  for (guint i = 0; load->names[i] != NULL; i++)
    {
      GError *error = NULL;
      g_autoptr(GBytes) bytes = kiln_prompt_load_from (load->prompts_dir, load->names[i],
                                                       &error);

      if (bytes == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_hash_table_insert (context->prompts, g_strdup (load->names[i]),
                           g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
    }

  g_hash_table_insert (context->values, g_strdup ("cpu_model"), read_cpu_model ());
  if (uname (&uts) == 0)
    {
      g_hash_table_insert (context->values, g_strdup ("cpu_arch"), g_strdup (uts.machine));
      g_hash_table_insert (context->values, g_strdup ("os"),
                           g_strdup_printf ("%s (%s %s)", os_name ? os_name : uts.sysname,
                                            uts.sysname, uts.release));
    }
  else
    {
      g_hash_table_insert (context->values, g_strdup ("cpu_arch"), g_strdup ("unknown"));
      g_hash_table_insert (context->values, g_strdup ("os"),
                           g_strdup (os_name ? os_name : "Linux"));
    }

  g_task_return_boolean (task, TRUE);
}

static void
compiler_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Load *load = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *compiler = NULL;

  compiler = kiln_toolchain_query_compiler_finish (KILN_TOOLCHAIN (object), res, &version,
                                                   &error);
  if (compiler == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_hash_table_insert (load->context->values, g_strdup ("compiler"), g_steal_pointer (&version));
  g_hash_table_insert (load->context->values, g_strdup ("flags"),
                       kiln_toolchain_dup_effective_flags (load->toolchain));
  g_task_return_pointer (task, g_steal_pointer (&load->context),
                         (GDestroyNotify) _kiln_prompt_context_free);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Load *load = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  kiln_toolchain_query_compiler_async (load->toolchain, cancellable, compiler_cb,
                                       g_steal_pointer (&task));
}

void
_kiln_prompt_context_load_async (KilnToolchain       *toolchain,
                                 const char          *prompts_dir,
                                 const char * const  *names,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;
  Load *load;

  g_return_if_fail (KILN_IS_TOOLCHAIN (toolchain));
  g_return_if_fail (names != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _kiln_prompt_context_load_async);
  load = g_new0 (Load, 1);
  load->toolchain = g_object_ref (toolchain);
  load->prompts_dir = g_strdup (prompts_dir != NULL ? prompts_dir : g_get_user_config_dir ());
  load->names = g_strdupv ((char **) names);
  load->context = g_new0 (KilnPromptContext, 1);
  load->context->prompts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  load->context->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_task_set_task_data (task, load, load_free);

  /* The thread works on the Load that the outer task, held by loaded_cb's reference, keeps
   * alive. */
  thread_task = g_task_new (NULL, cancellable, loaded_cb, g_object_ref (task));
  g_task_set_task_data (thread_task, load, NULL);
  g_task_run_in_thread (thread_task, load_thread);
}

KilnPromptContext *
_kiln_prompt_context_load_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

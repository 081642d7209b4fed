/* kiln-cli-models.c: `kiln-cli models` and `kiln-cli ask`
 *
 *   kiln-cli models [--models FILE] [--json]
 *   kiln-cli ask --model ID [--models FILE] [--system FILE] [PROMPTFILE|-]
 *
 * `ask` writes the answer text to stdout exactly as it arrives, nothing added; reasoning
 * and statistics go to stderr, and so does the one-line message of a failure (after any
 * partial text). A refusal and an answer cut at the token limit are failures too (exit 1):
 * a script must not take them for a whole answer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <json-glib/json-glib.h>

#include "kiln-chat-stream.h"
#include "kiln-cli.h"
#include "kiln-model-registry.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

static KilnModelRegistry *
load_registry (KilnCliWaiter *waiter,
               const char    *models_file,
               gboolean       use_keyring,
               gboolean       discover)
{
  g_autoptr(KilnKeyStore) keys = kiln_key_store_new (use_keyring);
  g_autoptr(KilnModelRegistry) registry = kiln_model_registry_new (keys);
  g_autoptr(GError) error = NULL;
  GPtrArray *errors;

  if (models_file != NULL)
    kiln_model_registry_set_override_file (registry, models_file);

  kiln_model_registry_load_async (registry, waiter->cancellable, kiln_cli_waiter_cb, waiter);
  if (!kiln_model_registry_load_finish (registry, kiln_cli_waiter_wait (waiter), &error))
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      return NULL;
    }

  /* A bad entry does not stop the others from loading: say what was wrong, go on. */
  errors = kiln_model_registry_get_errors (registry);
  for (guint i = 0; errors != NULL && i < errors->len; i++)
    g_printerr ("kiln-cli: %s\n", ((GError *) g_ptr_array_index (errors, i))->message);

  if (discover)
    {
      kiln_model_registry_discover_async (registry, waiter->cancellable, kiln_cli_waiter_cb, waiter);
      kiln_model_registry_discover_finish (registry, kiln_cli_waiter_wait (waiter), NULL);
    }

  return g_steal_pointer (&registry);
}

int
kiln_cli_models (const KilnCliOptions *options)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(KilnModelRegistry) registry = NULL;
  KilnCliWaiter waiter = { loop, NULL, cancellable };
  guint n;

  g_unix_signal_add (SIGINT, kiln_cli_on_interrupt, cancellable);
  registry = load_registry (&waiter, options->models_file, TRUE, TRUE);
  g_clear_object (&waiter.result);
  if (registry == NULL)
    return EXIT_FAILED;

  n = g_list_model_get_n_items (G_LIST_MODEL (registry));

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;
      GPtrArray *errors = kiln_model_registry_get_errors (registry);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "models");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(KilnModelItem) item = g_list_model_get_item (G_LIST_MODEL (registry), i);
          KilnModel *model = kiln_model_item_get_model (item);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, model->id);
          json_builder_set_member_name (builder, "label");
          json_builder_add_string_value (builder, model->label);
          json_builder_set_member_name (builder, "provider");
          json_builder_add_string_value (builder, model->provider);
          json_builder_set_member_name (builder, "api");
          json_builder_add_string_value (builder, kiln_api_to_string (model->api));
          json_builder_set_member_name (builder, "model");
          json_builder_add_string_value (builder, model->model);
          json_builder_set_member_name (builder, "base_url");
          json_builder_add_string_value (builder, model->base_url);
          json_builder_set_member_name (builder, "origin");
          json_builder_add_string_value (builder, model->origin);
          json_builder_set_member_name (builder, "available");
          json_builder_add_boolean_value (builder, kiln_model_item_get_available (item));
          json_builder_set_member_name (builder, "hint");
          if (kiln_model_item_get_hint (item) != NULL)
            json_builder_add_string_value (builder, kiln_model_item_get_hint (item));
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "errors");
      json_builder_begin_array (builder);
      for (guint i = 0; errors != NULL && i < errors->len; i++)
        json_builder_add_string_value (builder,
                                       ((GError *) g_ptr_array_index (errors, i))->message);
      json_builder_end_array (builder);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      g_print ("%s\n", text);
      return EXIT_SUCCESS;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KilnModelItem) item = g_list_model_get_item (G_LIST_MODEL (registry), i);
      KilnModel *model = kiln_model_item_get_model (item);

      if (kiln_model_item_get_available (item))
        g_print ("%-28s %-24s %s\n", model->id, model->provider, _("ready"));
      else
        g_print ("%-28s %-24s %s\n", model->id, model->provider,
                 kiln_model_item_get_hint (item));
    }

  return EXIT_SUCCESS;
}

typedef struct
{
  gboolean reasoning_open;
  guint    flush_source;
} AskOutput;

static gboolean
flush_cb (gpointer user_data)
{
  AskOutput *output = user_data;

  output->flush_source = 0;
  fflush (stdout);
  return G_SOURCE_REMOVE;
}

/* Deltas are written as they come, and flushed once per turn of the main loop: a reader
 * sees every network read at once, without one write() per delta. */
static void
text_delta_cb (KilnChatStream *stream,
               const char     *delta,
               AskOutput      *output)
{
  fputs (delta, stdout);
  if (output->flush_source == 0)
    output->flush_source = g_idle_add (flush_cb, output);
}

static void
reasoning_delta_cb (KilnChatStream *stream,
                    const char     *delta,
                    AskOutput      *output)
{
  fputs (delta, stderr);
  output->reasoning_open = TRUE;
}

static void
retrying_cb (KilnChatStream *stream,
             guint           retry,
             guint           delay_ms,
             const GError   *error,
             AskOutput      *output)
{
  g_printerr (_("%s — trying again in %.1f s\n"), error->message, delay_ms / 1000.0);
}

static char *
read_all (const char  *path,
          GError     **error)
{
  char *contents = NULL;

  if (path == NULL || g_str_equal (path, "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL,
                                  error) < 0)
        return NULL;
      g_output_stream_write (out, "", 1, NULL, NULL);
      return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
    }

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  return contents;
}

static void
print_statistics (KilnChatStream *stream)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL;
  double ttft = kiln_chat_stream_get_ttft (stream);
  double rate = kiln_chat_stream_get_tokens_per_second (stream);
  double cost = kiln_chat_stream_get_cost (stream);
  gint64 in = kiln_chat_stream_get_input_tokens (stream);
  gint64 out = kiln_chat_stream_get_output_tokens (stream);

  if (ttft >= 0)
    g_ptr_array_add (parts, g_strdup_printf (_("time to first token %.2f s"), ttft));
  if (in >= 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%" G_GINT64_FORMAT " tokens in"), in));
  if (out >= 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%" G_GINT64_FORMAT " tokens out"), out));
  if (rate >= 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%.1f tokens/s"), rate));
  if (cost >= 0)
    g_ptr_array_add (parts, g_strdup_printf (_("about $%.4f"), cost));
  g_ptr_array_add (parts, g_strdup_printf (_("%.2f s in all"),
                                           kiln_chat_stream_get_seconds (stream)));
  g_ptr_array_add (parts, NULL);

  line = g_strjoinv (", ", (char **) parts->pdata);
  g_printerr ("%s\n", line);
}

int
kiln_cli_ask (const KilnCliOptions *options,
              const char           *prompt_file)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(KilnModelRegistry) registry = NULL;
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(KilnChatStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *system = NULL;
  char *key = NULL;
  KilnCliWaiter waiter = { loop, NULL, cancellable };
  AskOutput output = { FALSE, 0 };
  const char *finish_reason;
  gboolean ok;

  if (options->model_id == NULL)
    {
      g_printerr ("kiln-cli: %s\n", _("ask needs --model ID (kiln-cli models lists them)."));
      return EXIT_USAGE;
    }

  if (!(prompt = read_all (prompt_file, &error)) ||
      (options->system_file != NULL && !(system = read_all (options->system_file, &error))))
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      return EXIT_USAGE;
    }

  g_unix_signal_add (SIGINT, kiln_cli_on_interrupt, cancellable);
  g_unix_signal_add (SIGTERM, kiln_cli_on_interrupt, cancellable);

  registry = load_registry (&waiter, options->models_file, TRUE, FALSE);
  if (registry == NULL)
    return EXIT_FAILED;
  if (!(model = kiln_model_registry_lookup (registry, options->model_id, &error)))
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      return EXIT_FAILED;
    }

  kiln_key_store_lookup_for_model_async (kiln_model_registry_get_key_store (registry), model,
                                         cancellable, kiln_cli_waiter_cb, &waiter);
  key = kiln_key_store_lookup_for_model_finish (kiln_model_registry_get_key_store (registry),
                                                kiln_cli_waiter_wait (&waiter), NULL, &error);
  if (error != NULL)
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      g_clear_object (&waiter.result);
      return EXIT_FAILED;
    }

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_chat_message_free);
  if (system != NULL)
    g_ptr_array_add (messages, kiln_chat_message_new (KILN_ROLE_SYSTEM, system));
  g_ptr_array_add (messages, kiln_chat_message_new (KILN_ROLE_USER, prompt));

  stream = kiln_chat_stream_new (NULL, model, messages, key);
  kiln_key_free (key);
  if (options->idle_timeout > 0)
    kiln_chat_stream_set_idle_timeout (stream, options->idle_timeout);
  g_signal_connect (stream, "text-delta", G_CALLBACK (text_delta_cb), &output);
  g_signal_connect (stream, "reasoning-delta", G_CALLBACK (reasoning_delta_cb), &output);
  g_signal_connect (stream, "retrying", G_CALLBACK (retrying_cb), &output);

  kiln_chat_stream_run_async (stream, cancellable, kiln_cli_waiter_cb, &waiter);
  ok = kiln_chat_stream_run_finish (stream, kiln_cli_waiter_wait (&waiter), &error);
  g_clear_object (&waiter.result);
  g_clear_handle_id (&output.flush_source, g_source_remove);
  fflush (stdout);

  if (output.reasoning_open)
    g_printerr ("\n");
  print_statistics (stream);

  if (!ok)
    {
      g_printerr ("kiln-cli: %s\n", error->message);
      return EXIT_FAILED;
    }

  finish_reason = kiln_chat_stream_get_finish_reason (stream);

  /* The text that came is on stdout; what was wrong with it is the last line of stderr.
   * Neither is a whole answer, so neither exits 0. */
  if (kiln_chat_stream_get_refused (stream))
    {
      g_autofree char *reason = g_strstrip (g_strdup (kiln_chat_stream_get_refusal (stream)));
      g_autofree char *message = NULL;

      if (*reason != '\0')
        message = g_strdup_printf (_("the model refused: %s"), reason);
      else
        message = g_strdup_printf (_("the model refused to answer (finish reason “%s”) and "
                                     "gave no reason."), finish_reason);
      g_printerr ("kiln-cli: %s\n", message);
      return EXIT_FAILED;
    }

  if (kiln_chat_stream_get_truncated (stream))
    {
      g_autofree char *message = g_strdup_printf (
        _("the answer was cut at the model's token limit (finish reason “%s”); it is "
          "incomplete. A larger \"max_tokens\" in the “%s” entry of models.json allows a "
          "longer one."), finish_reason, model->id);

      g_printerr ("kiln-cli: %s\n", message);
      return EXIT_FAILED;
    }

  return EXIT_SUCCESS;
}

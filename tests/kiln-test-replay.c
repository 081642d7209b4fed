/* kiln-test-replay.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-test-replay.h"

char *
kiln_test_build_path (const char *first, ...)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  va_list args;
  GString *path = g_string_new (srcdir ? srcdir : ".");
  const char *part;

  va_start (args, first);
  for (part = first; part != NULL; part = va_arg (args, const char *))
    {
      g_string_append_c (path, G_DIR_SEPARATOR);
      g_string_append (path, part);
    }
  va_end (args);

  return g_string_free (path, FALSE);
}

/* Starts the replay server with @scenario (JSON text). @tls: serve https with a fresh
 * self-signed certificate. */
void
kiln_test_replay_start (KilnTestReplay     *replay,
              const char *scenario,
              gboolean    tls)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = kiln_test_build_path ("replay-server.py", NULL);
  g_autofree char *scenario_path = NULL;
  g_autofree char *root = kiln_test_build_path (NULL, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  replay->dir = g_dir_make_tmp ("kiln-replay-XXXXXX", &error);
  g_assert_no_error (error);
  scenario_path = g_build_filename (replay->dir, "scenario.json", NULL);
  replay->log_path = g_build_filename (replay->dir, "requests.jsonl", NULL);
  g_assert_true (g_file_set_contents (scenario_path, scenario, -1, NULL));
  g_assert_true (g_file_set_contents (replay->log_path, "", -1, NULL));

  g_ptr_array_add (argv, g_strdup ("python3"));
  g_ptr_array_add (argv, g_strdup (script));
  g_ptr_array_add (argv, g_strdup ("--scenario"));
  g_ptr_array_add (argv, g_strdup (scenario_path));
  g_ptr_array_add (argv, g_strdup ("--log"));
  g_ptr_array_add (argv, g_strdup (replay->log_path));
  g_ptr_array_add (argv, g_strdup ("--root"));
  g_ptr_array_add (argv, g_strdup (root));

  if (tls)
    {
      g_autofree char *cert = g_build_filename (replay->dir, "cert.pem", NULL);
      g_autofree char *key = g_build_filename (replay->dir, "key.pem", NULL);
      g_autofree char *command = g_strdup_printf (
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-keyout %s -out %s", key, cert);
      int status = 0;

      g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_cmpint (status, ==, 0);
      g_ptr_array_add (argv, g_strdup ("--cert"));
      g_ptr_array_add (argv, g_strdup (cert));
      g_ptr_array_add (argv, g_strdup ("--key"));
      g_ptr_array_add (argv, g_strdup (key));
    }
  g_ptr_array_add (argv, NULL);

  replay->server = g_subprocess_newv ((const char * const *) argv->pdata,
                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (replay->server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  replay->port = (guint) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (replay->port, >, 0);
}

void
kiln_test_replay_stop (KilnTestReplay *replay)
{
  g_autofree char *quoted = g_shell_quote (replay->dir);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  if (replay->server != NULL)
    {
      g_subprocess_force_exit (replay->server);
      g_subprocess_wait (replay->server, NULL, NULL);
      g_clear_object (&replay->server);
    }
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_clear_pointer (&replay->dir, g_free);
  g_clear_pointer (&replay->log_path, g_free);
}

/* The requests the server received, parsed. */
GPtrArray *
kiln_test_replay_requests (KilnTestReplay *replay)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *requests = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  g_assert_true (g_file_get_contents (replay->log_path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      g_ptr_array_add (requests, json_node_copy (json_parser_get_root (parser)));
    }

  return requests;
}

const char *
kiln_test_request_header (JsonNode   *request,
                const char *name)
{
  JsonObject *headers = json_object_get_object_member (json_node_get_object (request), "headers");

  return json_object_get_string_member_with_default (headers, name, NULL);
}

JsonObject *
kiln_test_request_body (JsonNode *request)
{
  static JsonParser *parser;
  const char *body = json_object_get_string_member (json_node_get_object (request), "body");

  g_clear_object (&parser);
  parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  return json_node_get_object (json_parser_get_root (parser));
}


static char *
json_quote (const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

char *
kiln_test_openai_stream (const char *answer,
                         gsize       piece,
                         const char *finish_reason)
{
  GString *stream = g_string_new ("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":"
                                  "\"assistant\",\"content\":\"\"}}]}\n\n");
  gsize length = strlen (answer);

  for (gsize i = 0; i < length; i += piece)
    {
      g_autofree char *part = g_strndup (answer + i, MIN (piece, length - i));
      g_autofree char *quoted = json_quote (part);

      g_string_append_printf (stream,
                              "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":%s}}]}\n\n",
                              quoted);
    }
  g_string_append_printf (stream,
                          "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"%s\"}],"
                          "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":40}}\n\n"
                          "data: [DONE]\n\n", finish_reason != NULL ? finish_reason : "stop");
  return g_string_free (stream, FALSE);
}

char *
kiln_test_replay_response (const char *body,
                           guint       chunk_size,
                           guint       delay_ms)
{
  g_autofree char *quoted = json_quote (body);

  return g_strdup_printf ("{\"body\": %s, \"chunk_size\": %u, \"delay_ms\": %u}",
                          quoted, chunk_size, delay_ms);
}

char *
kiln_test_fenced (const char *prose_before,
                  const char *code,
                  const char *prose_after)
{
  return g_strdup_printf ("%s```cpp\n%s```\n%s", prose_before, code, prose_after);
}

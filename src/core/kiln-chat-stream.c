/* kiln-chat-stream.c: one streamed answer from a model
 *
 * The body is read as it arrives (soup_session_send_async + read_bytes_async), cut into SSE
 * events or NDJSON lines, decoded per provider into text, reasoning and refusal deltas, and
 * emitted at once. Retries happen only before any answer text arrived; afterwards the partial answer
 * is kept and the error reported with it. An idle timer ends a stalled stream.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kiln-chat-stream.h"
#include "kiln-error.h"
#include "kiln-provider.h"
#include "kiln-sse-parser.h"
#include "kiln-stream-event.h"

#define READ_CHUNK 16384
#define READ_PRIORITY (G_PRIORITY_HIGH_IDLE + 22)
#define ERROR_BODY_MAX (64 * 1024)
#define MAX_REDIRECTS 5

struct _KilnChatStream
{
  GObject              parent_instance;

  SoupSession         *session;
  KilnModel           *model;
  GPtrArray           *messages;
  char                *api_key;
  double               idle_timeout;
  guint                backoff_base_ms;
  guint                backoff_cap_ms;

  /* The run */
  GTask               *task;
  GCancellable        *cancellable;       /* ours: user cancel and idle timeout both use it */
  GCancellable        *user_cancellable;
  gulong               user_cancelled_id;
  KilnProviderRequest *request;
  SoupMessage         *message;
  GInputStream        *body;
  GByteArray          *error_body;
  KilnSseParser       *sse;
  KilnLineSplitter    *lines;
  KilnStreamDecoder   *decoder;
  GPtrArray           *events;
  GError              *stream_error;
  guint                idle_source;
  guint                retry_source;
  guint                redirects;
  gboolean             idle_fired;
  gboolean             got_done;

  /* What came back */
  GString             *text;
  GString             *reasoning;
  GString             *refusal;
  GString             *pending;          /* deltas of one kind not yet emitted */
  char                *finish_reason;
  gint64               input_tokens;
  gint64               output_tokens;
  guint                retries;
  gint64               run_started;
  gint64               attempt_started;
  gint64               first_token;
  gint64               ended;
};

G_DEFINE_FINAL_TYPE (KilnChatStream, kiln_chat_stream, G_TYPE_OBJECT)

enum {
  TEXT_DELTA,
  REASONING_DELTA,
  REFUSAL_DELTA,
  RETRYING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void read_next (KilnChatStream *self);
static void send_attempt (KilnChatStream *self);

static void
kiln_chat_stream_dispose (GObject *object)
{
  KilnChatStream *self = (KilnChatStream *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_handle_id (&self->retry_source, g_source_remove);

  G_OBJECT_CLASS (kiln_chat_stream_parent_class)->dispose (object);
}

static void
kiln_chat_stream_finalize (GObject *object)
{
  KilnChatStream *self = (KilnChatStream *) object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->model, kiln_model_unref);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->user_cancellable);
  g_clear_pointer (&self->request, kiln_provider_request_free);
  g_clear_object (&self->message);
  g_clear_object (&self->body);
  g_clear_pointer (&self->error_body, g_byte_array_unref);
  g_clear_pointer (&self->sse, kiln_sse_parser_free);
  g_clear_pointer (&self->lines, kiln_line_splitter_free);
  g_clear_pointer (&self->decoder, kiln_stream_decoder_free);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_clear_error (&self->stream_error);
  g_string_free (self->text, TRUE);
  g_string_free (self->reasoning, TRUE);
  g_string_free (self->refusal, TRUE);
  g_string_free (self->pending, TRUE);
  g_free (self->finish_reason);

  G_OBJECT_CLASS (kiln_chat_stream_parent_class)->finalize (object);
}

static void
kiln_chat_stream_class_init (KilnChatStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kiln_chat_stream_dispose;
  object_class->finalize = kiln_chat_stream_finalize;

  /* Each delta exactly as received; never empty. */
  signals[TEXT_DELTA] =
    g_signal_new ("text-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[REASONING_DELTA] =
    g_signal_new ("reasoning-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* Why the model declines, as it arrives (see kiln_chat_stream_get_refusal()). */
  signals[REFUSAL_DELTA] =
    g_signal_new ("refusal-delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* (retry number from 1, delay in ms, the error that made us wait) */
  signals[RETRYING] =
    g_signal_new ("retrying", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_ERROR);
}

static void
kiln_chat_stream_init (KilnChatStream *self)
{
  self->idle_timeout = 60;
  self->backoff_base_ms = 1000;
  self->backoff_cap_ms = 30000;
  self->text = g_string_new (NULL);
  self->reasoning = g_string_new (NULL);
  self->refusal = g_string_new (NULL);
  self->pending = g_string_new (NULL);
  self->input_tokens = -1;
  self->output_tokens = -1;
}

KilnChatStream *
kiln_chat_stream_new (SoupSession *session,
                      KilnModel   *model,
                      GPtrArray   *messages,
                      const char  *api_key)
{
  KilnChatStream *self;

  g_return_val_if_fail (!session || SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (messages != NULL, NULL);

  self = g_object_new (KILN_TYPE_CHAT_STREAM, NULL);
  if (session != NULL)
    self->session = g_object_ref (session);
  else
    {
      g_autofree char *user_agent = g_strdup_printf ("Kiln/%s", PACKAGE_VERSION);

      self->session = soup_session_new_with_options ("user-agent", user_agent, NULL);
    }
  self->model = kiln_model_ref (model);
  self->messages = g_ptr_array_ref (messages);
  self->api_key = g_strdup (api_key);

  return self;
}

void
kiln_chat_stream_set_idle_timeout (KilnChatStream *self,
                                   double          seconds)
{
  g_return_if_fail (KILN_IS_CHAT_STREAM (self));

  self->idle_timeout = seconds;
}

void
kiln_chat_stream_set_backoff (KilnChatStream *self,
                              guint           base_ms,
                              guint           cap_ms)
{
  g_return_if_fail (KILN_IS_CHAT_STREAM (self));

  self->backoff_base_ms = base_ms;
  self->backoff_cap_ms = cap_ms;
}

static const char *
provider_label (KilnChatStream *self)
{
  if (self->model->provider != NULL && *self->model->provider != '\0')
    return self->model->provider;
  if (self->model->label != NULL && *self->model->label != '\0')
    return self->model->label;
  return self->model->id;
}

/* --- ending ---------------------------------------------------------------------------- */

static void
clear_attempt (KilnChatStream *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_object (&self->body);
  g_clear_object (&self->message);
  g_clear_pointer (&self->error_body, g_byte_array_unref);
  g_clear_pointer (&self->sse, kiln_sse_parser_free);
  g_clear_pointer (&self->lines, kiln_line_splitter_free);
  g_clear_pointer (&self->decoder, kiln_stream_decoder_free);
  g_clear_error (&self->stream_error);
  self->got_done = FALSE;
}

static void
finish_run (KilnChatStream *self,
            GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_assert (task != NULL);

  self->ended = g_get_monotonic_time ();
  clear_attempt (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_pointer (&self->request, kiln_provider_request_free);
  if (self->user_cancellable != NULL)
    g_cancellable_disconnect (self->user_cancellable, self->user_cancelled_id);
  self->user_cancelled_id = 0;
  g_clear_object (&self->user_cancellable);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
user_cancelled (KilnChatStream *self)
{
  return self->user_cancellable != NULL && g_cancellable_is_cancelled (self->user_cancellable);
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped"));
}

static gboolean
retry_cb (gpointer user_data)
{
  KilnChatStream *self = user_data;

  self->retry_source = 0;
  send_attempt (self);
  return G_SOURCE_REMOVE;
}

/* Either waits and tries again (only while no answer text arrived), or ends with @error. */
static void
fail_or_retry (KilnChatStream *self,
               GError         *error,
               gboolean        retryable,
               gint64          server_wait_ms)
{
  guint delay;

  if (user_cancelled (self))
    {
      g_error_free (error);
      finish_run (self, cancelled_error ());
      return;
    }

  if (!retryable || self->text->len > 0 || self->reasoning->len > 0 || self->refusal->len > 0 ||
      self->retries >= self->model->max_retries)
    {
      finish_run (self, error);
      return;
    }

  if (server_wait_ms >= 0)
    delay = (guint) MIN (server_wait_ms, (gint64) self->backoff_cap_ms);
  else
    {
      double exp = (double) self->backoff_base_ms * (double) (1u << MIN (self->retries, 16u));
      /* Full jitter over the upper half keeps clients that failed together apart. */
      double jitter = g_random_double_range (0.5, 1.0);

      delay = (guint) MIN (exp * jitter, (double) self->backoff_cap_ms);
    }

  self->retries++;
  clear_attempt (self);
  g_debug ("Retrying %s in %u ms (retry %u): %s", self->model->id, delay, self->retries,
           error->message);
  g_signal_emit (self, signals[RETRYING], 0, self->retries, delay, error);
  g_error_free (error);

  self->retry_source = g_timeout_add (delay, retry_cb, self);
}

/* --- idle timeout ---------------------------------------------------------------------- */

static gboolean
idle_timeout_cb (gpointer user_data)
{
  KilnChatStream *self = user_data;

  self->idle_source = 0;
  self->idle_fired = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

static void
touch_idle_timer (KilnChatStream *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->idle_timeout > 0)
    self->idle_source = g_timeout_add ((guint) MIN (self->idle_timeout * 1000.0, G_MAXUINT),
                                       idle_timeout_cb, self);
}

/* --- transport errors ------------------------------------------------------------------ */

static GError *
describe_transport_error (KilnChatStream *self,
                          const GError   *error,
                          gboolean        mid_stream)
{
  const char *label = provider_label (self);
  g_autoptr(GUri) uri = g_uri_parse (self->request->url, G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "?";

  if (self->idle_fired)
    return g_error_new (KILN_ERROR, KILN_ERROR_IDLE_TIMEOUT,
                        _("%s sent nothing for %.0f s, so Kiln stopped waiting. "
                          "Any partial answer is kept; try again later."),
                        label, self->idle_timeout);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (KILN_ERROR, KILN_ERROR_TLS,
                        _("Could not connect securely to %s: %s. Kiln did not send the key. "
                          "Check the base URL, or the system’s certificates."),
                        host, error->message);

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (KILN_ERROR, KILN_ERROR_NETWORK,
                        _("Could not find the server “%s” (%s). Check the network connection "
                          "and the model’s base URL."), host, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (KILN_ERROR, KILN_ERROR_NETWORK,
                        _("Could not connect to %s at %s: connection refused. Is the server "
                          "running?"), label, host);

  if (mid_stream)
    return g_error_new (KILN_ERROR, KILN_ERROR_NETWORK,
                        _("The connection to %s broke before the answer was complete (%s). "
                          "The partial answer is kept."), label, error->message);

  return g_error_new (KILN_ERROR, KILN_ERROR_NETWORK,
                      _("Could not reach %s at %s: %s"), label, host, error->message);
}

/* --- events ---------------------------------------------------------------------------- */

static void
flush_pending (KilnChatStream      *self,
               KilnStreamEventType *pending_type)
{
  if (self->pending->len == 0)
    return;

  if (*pending_type == KILN_STREAM_EVENT_TEXT)
    {
      g_string_append_len (self->text, self->pending->str, self->pending->len);
      g_signal_emit (self, signals[TEXT_DELTA], 0, self->pending->str);
    }
  else if (*pending_type == KILN_STREAM_EVENT_REFUSAL)
    {
      g_string_append_len (self->refusal, self->pending->str, self->pending->len);
      g_signal_emit (self, signals[REFUSAL_DELTA], 0, self->pending->str);
    }
  else
    {
      g_string_append_len (self->reasoning, self->pending->str, self->pending->len);
      g_signal_emit (self, signals[REASONING_DELTA], 0, self->pending->str);
    }
  g_string_truncate (self->pending, 0);
}

static void
handle_events (KilnChatStream *self)
{
  KilnStreamEventType pending_type = KILN_STREAM_EVENT_TEXT;

  for (guint i = 0; i < self->events->len; i++)
    {
      KilnStreamEvent *event = g_ptr_array_index (self->events, i);

      if (event->type != KILN_STREAM_EVENT_TEXT && event->type != KILN_STREAM_EVENT_REASONING &&
          event->type != KILN_STREAM_EVENT_REFUSAL)
        flush_pending (self, &pending_type);

      switch (event->type)
        {
        case KILN_STREAM_EVENT_TEXT:
        case KILN_STREAM_EVENT_REASONING:
        case KILN_STREAM_EVENT_REFUSAL:
          if (event->text == NULL || *event->text == '\0')
            break;
          if (self->first_token == 0)
            self->first_token = g_get_monotonic_time ();
          /* Consecutive deltas of one kind from one read go out as one signal: the text is
           * the same, and a fast server costs one emission per read, not per event. */
          if (pending_type != event->type)
            flush_pending (self, &pending_type);
          pending_type = event->type;
          g_string_append (self->pending, event->text);
          break;

        case KILN_STREAM_EVENT_USAGE:
          if (event->input_tokens >= 0)
            self->input_tokens = event->input_tokens;
          if (event->output_tokens >= 0)
            self->output_tokens = event->output_tokens;
          break;

        case KILN_STREAM_EVENT_FINISH:
          g_free (self->finish_reason);
          self->finish_reason = g_strdup (event->text);
          break;

        case KILN_STREAM_EVENT_ERROR:
          if (self->stream_error == NULL)
            {
              const char *type = event->error_type != NULL ? event->error_type : "";
              KilnError code = KILN_ERROR_STREAM_ERROR;

              /* Anthropic names its types; OpenRouter and others send the HTTP code. */
              if (strstr (type, "overloaded") != NULL || g_str_equal (type, "529") ||
                  g_str_equal (type, "503"))
                code = KILN_ERROR_OVERLOADED;
              else if (strstr (type, "rate_limit") != NULL || g_str_equal (type, "429"))
                code = KILN_ERROR_RATE_LIMITED;

              self->stream_error = g_error_new (KILN_ERROR, code,
                                                _("%s reported an error during the answer: %s"),
                                                provider_label (self),
                                                event->text != NULL ? event->text : type);
            }
          break;

        case KILN_STREAM_EVENT_DONE:
          self->got_done = TRUE;
          break;

        default:
          break;
        }
    }

  flush_pending (self, &pending_type);
  g_ptr_array_set_size (self->events, 0);
}

static void
sse_event_cb (const char *event,
              const char *data,
              const char *id,
              gpointer    user_data)
{
  KilnChatStream *self = user_data;

  kiln_stream_decoder_feed (self->decoder, event, data, self->events);
}

static void
line_cb (const char *line,
         gsize       length,
         gpointer    user_data)
{
  KilnChatStream *self = user_data;

  /* the splitter hands out lines NUL-terminated: no copy needed */
  kiln_stream_decoder_feed (self->decoder, NULL, line, self->events);
}

static void
end_of_body (KilnChatStream *self)
{
  GError *error;

  if (self->lines != NULL)
    kiln_line_splitter_finish (self->lines, line_cb, self);
  else
    kiln_sse_parser_finish (self->sse, sse_event_cb, self);
  kiln_stream_decoder_finish (self->decoder, self->events);
  handle_events (self);

  if (self->stream_error != NULL)
    {
      gboolean retryable = !g_error_matches (self->stream_error, KILN_ERROR,
                                             KILN_ERROR_STREAM_ERROR);

      error = g_steal_pointer (&self->stream_error);
      fail_or_retry (self, error, retryable, -1);
      return;
    }

  if (!self->got_done && self->finish_reason == NULL)
    {
      error = g_error_new (KILN_ERROR, KILN_ERROR_NETWORK,
                           _("The connection to %s ended before the answer was complete. "
                             "The partial answer is kept."), provider_label (self));
      fail_or_retry (self, error, TRUE, -1);
      return;
    }

  finish_run (self, NULL);
}

static void
read_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  KilnChatStream *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *data;
  gsize size;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), res, &error);
  if (bytes == NULL)
    {
      if (user_cancelled (self))
        finish_run (self, cancelled_error ());
      else
        fail_or_retry (self, describe_transport_error (self, error, TRUE), !self->idle_fired, -1);
      g_object_unref (self);
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  if (size == 0)
    {
      end_of_body (self);
      g_object_unref (self);
      return;
    }

  touch_idle_timer (self);
  if (self->lines != NULL)
    kiln_line_splitter_feed (self->lines, data, size, line_cb, self);
  else
    kiln_sse_parser_feed (self->sse, data, size, sse_event_cb, self);
  handle_events (self);

  read_next (self);
  g_object_unref (self);
}

static void
read_next (KilnChatStream *self)
{
  /* Just below redraw (G_PRIORITY_HIGH_IDLE + 20): against a server that floods us, the
   * window still gets its frames (and input events) between reads, not only at the end;
   * above GtkTextView's layout validation (+25), so a long text does not hold reads up. */
  g_input_stream_read_bytes_async (self->body, READ_CHUNK, READ_PRIORITY,
                                   self->cancellable, read_cb, g_object_ref (self));
}

/* --- error answers --------------------------------------------------------------------- */

static void
error_body_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  KilnChatStream *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageHeaders *headers;
  guint status;
  gint64 wait_ms;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), res, &error);
  if (bytes != NULL && g_bytes_get_size (bytes) > 0 && self->error_body->len < ERROR_BODY_MAX)
    {
      g_byte_array_append (self->error_body, g_bytes_get_data (bytes, NULL),
                           g_bytes_get_size (bytes));
      g_input_stream_read_bytes_async (self->body, READ_CHUNK, G_PRIORITY_DEFAULT,
                                       self->cancellable, error_body_cb, self);
      return;
    }

  if (bytes == NULL && user_cancelled (self))
    {
      finish_run (self, cancelled_error ());
      g_object_unref (self);
      return;
    }

  status = soup_message_get_status (self->message);
  headers = soup_message_get_response_headers (self->message);
  wait_ms = kiln_provider_parse_retry_after (soup_message_headers_get_one (headers, "retry-after"),
                                             soup_message_headers_get_one (headers,
                                                                           "retry-after-ms"),
                                             g_get_real_time () / G_USEC_PER_SEC);

  fail_or_retry (self,
                 kiln_provider_http_error (provider_label (self), status,
                                           (const char *) self->error_body->data,
                                           self->error_body->len),
                 kiln_provider_status_is_retryable (status), wait_ms);
  g_object_unref (self);
}

/* --- sending --------------------------------------------------------------------------- */

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_strcmp0 (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a) ? g_uri_get_host (a) : "",
                             g_uri_get_host (b) ? g_uri_get_host (b) : "") == 0 &&
         g_uri_get_port (a) == g_uri_get_port (b);
}

/* Follows a redirect ourselves, so that the key never travels to another host. */
static gboolean
follow_redirect (KilnChatStream *self)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (self->message);
  const char *location = soup_message_headers_get_one (headers, "Location");
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) target = NULL;

  if (location == NULL || self->redirects >= MAX_REDIRECTS)
    return FALSE;

  base = g_uri_parse (self->request->url, G_URI_FLAGS_ENCODED, NULL);
  if (base == NULL || !(target = g_uri_parse_relative (base, location, G_URI_FLAGS_ENCODED, NULL)))
    return FALSE;

  if (!same_origin (base, target))
    {
      /* Drop every header that can carry the key. */
      for (guint i = 0; i + 1 < self->request->headers->len; )
        {
          const char *name = g_ptr_array_index (self->request->headers, i);

          if (g_ascii_strcasecmp (name, "Authorization") == 0 ||
              g_ascii_strcasecmp (name, "x-api-key") == 0 ||
              g_ascii_strcasecmp (name, "api-key") == 0)
            g_ptr_array_remove_range (self->request->headers, i, 2);
          else
            i += 2;
        }
    }

  g_free (self->request->url);
  self->request->url = g_uri_to_string (target);
  self->redirects++;
  return TRUE;
}

static void
sent_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  KilnChatStream *self = user_data;
  g_autoptr(GError) error = NULL;
  guint status;

  self->body = soup_session_send_finish (SOUP_SESSION (object), res, &error);
  if (self->body == NULL)
    {
      if (user_cancelled (self))
        finish_run (self, cancelled_error ());
      else
        fail_or_retry (self, describe_transport_error (self, error, FALSE), !self->idle_fired, -1);
      g_object_unref (self);
      return;
    }

  touch_idle_timer (self);
  status = soup_message_get_status (self->message);

  if (SOUP_STATUS_IS_REDIRECTION (status) && follow_redirect (self))
    {
      clear_attempt (self);
      send_attempt (self);
      g_object_unref (self);
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      self->error_body = g_byte_array_new ();
      /* The reference travels on to error_body_cb. */
      g_input_stream_read_bytes_async (self->body, READ_CHUNK, G_PRIORITY_DEFAULT,
                                       self->cancellable, error_body_cb, self);
      return;
    }

  self->decoder = kiln_stream_decoder_new (self->model->api);
  if (self->model->api == KILN_API_OLLAMA)
    self->lines = kiln_line_splitter_new ();
  else
    self->sse = kiln_sse_parser_new ();

  read_next (self);
  g_object_unref (self);
}

static void
send_attempt (KilnChatStream *self)
{
  g_autoptr(GBytes) body = NULL;
  SoupMessageHeaders *headers;

  if (user_cancelled (self))
    {
      finish_run (self, cancelled_error ());
      return;
    }

  /* A fresh cancellable per attempt: the idle timer cancels only this attempt's I/O. */
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->idle_fired = FALSE;

  self->message = soup_message_new (SOUP_METHOD_POST, self->request->url);
  if (self->message == NULL)
    {
      finish_run (self, g_error_new (KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY,
                                     _("The base URL of “%s” is not a valid URL: “%s”. Fix it "
                                       "in models.json."),
                                     self->model->id, self->model->base_url));
      return;
    }

  soup_message_add_flags (self->message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (self->message);
  for (guint i = 0; i + 1 < self->request->headers->len; i += 2)
    soup_message_headers_replace (headers,
                                  g_ptr_array_index (self->request->headers, i),
                                  g_ptr_array_index (self->request->headers, i + 1));
  body = g_bytes_new (self->request->body, strlen (self->request->body));
  soup_message_set_request_body_from_bytes (self->message, "application/json", body);

  self->events = self->events ? self->events
                              : g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_stream_event_free);
  self->attempt_started = g_get_monotonic_time ();
  touch_idle_timer (self);

  soup_session_send_async (self->session, self->message, G_PRIORITY_DEFAULT, self->cancellable,
                           sent_cb, g_object_ref (self));
}

static void
user_cancelled_cb (GCancellable   *cancellable,
                   KilnChatStream *self)
{
  g_cancellable_cancel (self->cancellable);
}

static gboolean
cancel_during_wait_cb (gpointer user_data)
{
  KilnChatStream *self = user_data;

  /* Waiting between tries: nothing is in flight to notice the cancellation. */
  if (self->task != NULL && self->retry_source != 0 && user_cancelled (self))
    {
      g_clear_handle_id (&self->retry_source, g_source_remove);
      finish_run (self, cancelled_error ());
    }
  return G_SOURCE_REMOVE;
}

static void
user_cancelled_wait_cb (GCancellable   *cancellable,
                        KilnChatStream *self)
{
  user_cancelled_cb (cancellable, self);
  g_idle_add_full (G_PRIORITY_DEFAULT, cancel_during_wait_cb, g_object_ref (self),
                   g_object_unref);
}

static gboolean
url_is_allowed (KilnChatStream  *self,
                GError         **error)
{
  g_autoptr(GUri) uri = g_uri_parse (self->model->base_url ? self->model->base_url : "",
                                     G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, KILN_ERROR, KILN_ERROR_BAD_MODEL_ENTRY,
                   _("“%s” has no usable base URL (“%s”). Set it in models.json."),
                   self->model->id, self->model->base_url ? self->model->base_url : "");
      return FALSE;
    }

  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0 &&
      !kiln_model_is_local (self->model) && !self->model->allow_insecure)
    {
      g_set_error (error, KILN_ERROR, KILN_ERROR_INSECURE_URL,
                   _("Kiln will not send a request to %s over plain http: the key and the code "
                     "could be read on the way. Use https, or add \"allow_insecure\": true to "
                     "the “%s” entry in models.json."),
                   g_uri_get_host (uri), self->model->id);
      return FALSE;
    }

  return TRUE;
}

void
kiln_chat_stream_run_async (KilnChatStream      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (KILN_IS_CHAT_STREAM (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->task == NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, kiln_chat_stream_run_async);
  self->task = g_steal_pointer (&task);

  self->run_started = g_get_monotonic_time ();
  self->first_token = 0;
  self->retries = 0;
  self->redirects = 0;

  if (cancellable != NULL)
    {
      self->user_cancellable = g_object_ref (cancellable);
      /* Connected after the first attempt's cancellable exists (see send_attempt). */
    }

  if (!url_is_allowed (self, &error) ||
      !(self->request = kiln_provider_request_new (self->model, self->messages, self->api_key,
                                                   &error)))
    {
      finish_run (self, error);
      return;
    }

  send_attempt (self);

  if (self->task != NULL && self->user_cancellable != NULL)
    self->user_cancelled_id = g_cancellable_connect (self->user_cancellable,
                                                     G_CALLBACK (user_cancelled_wait_cb),
                                                     self, NULL);
}

gboolean
kiln_chat_stream_run_finish (KilnChatStream  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- results --------------------------------------------------------------------------- */

KilnModel *
kiln_chat_stream_get_model (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), NULL);
  return self->model;
}

const char *
kiln_chat_stream_get_text (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), NULL);
  return self->text->str;
}

const char *
kiln_chat_stream_get_reasoning (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), NULL);
  return self->reasoning->str;
}

const char *
kiln_chat_stream_get_finish_reason (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), NULL);
  return self->finish_reason;
}

const char *
kiln_chat_stream_get_refusal (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), NULL);
  return self->refusal->str;
}

gboolean
kiln_chat_stream_get_refused (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), FALSE);
  return self->refusal->len > 0 || kiln_stream_finish_reason_is_refusal (self->finish_reason);
}

gboolean
kiln_chat_stream_get_truncated (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), FALSE);
  return kiln_stream_finish_reason_is_truncation (self->finish_reason);
}

gint64
kiln_chat_stream_get_input_tokens (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), -1);
  return self->input_tokens;
}

gint64
kiln_chat_stream_get_output_tokens (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), -1);
  return self->output_tokens;
}

double
kiln_chat_stream_get_ttft (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), -1);

  if (self->first_token == 0)
    return -1;
  return (self->first_token - self->attempt_started) / (double) G_USEC_PER_SEC;
}

double
kiln_chat_stream_get_tokens_per_second (KilnChatStream *self)
{
  double seconds;

  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), -1);

  if (self->first_token == 0 || self->ended == 0 || self->output_tokens <= 0)
    return -1;
  seconds = (self->ended - self->first_token) / (double) G_USEC_PER_SEC;
  if (seconds <= 0)
    return -1;
  return self->output_tokens / seconds;
}

double
kiln_chat_stream_get_seconds (KilnChatStream *self)
{
  gint64 end;

  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), 0);

  if (self->run_started == 0)
    return 0;
  end = self->ended != 0 ? self->ended : g_get_monotonic_time ();
  return (end - self->run_started) / (double) G_USEC_PER_SEC;
}

guint
kiln_chat_stream_get_retries (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), 0);
  return self->retries;
}

double
kiln_chat_stream_get_cost (KilnChatStream *self)
{
  g_return_val_if_fail (KILN_IS_CHAT_STREAM (self), -1);

  if (self->input_tokens < 0 || self->output_tokens < 0 ||
      self->model->price_in_per_mtok < 0 || self->model->price_out_per_mtok < 0)
    return -1;

  return (self->input_tokens * self->model->price_in_per_mtok +
          self->output_tokens * self->model->price_out_per_mtok) / 1e6;
}

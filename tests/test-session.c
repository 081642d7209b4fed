/* test-session.c: KilnSession and KilnConversion in-process — several scripted models on
 * loopback, the real g++ and python3, the shared reference run, turns, refusals, cut-off
 * answers, the history round trip
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kiln-core.h"
#include "kiln-test-replay.h"
#include "kiln-test-util.h"

#define PYTHON_SOURCE "total = 0\nfor i in range(10):\n    total += i\nprint(total)\n"

#define GOOD_CODE \
  "#include <cstdio>\nint main() {\n  long total = 0;\n  for (int i = 0; i < 10; i++) total += i;\n" \
  "  std::printf(\"%ld\\n\", total);\n}\n"
#define BROKEN_CODE \
  "#include <cstdio>\nint main() {\n  long total = 0;\n  for (int i = 0; i < 10; i++) total += i;\n" \
  "  std::printf(\"%ld\\n\", totl);\n}\n"
#define WRONG_CODE \
  "#include <cstdio>\nint main() {\n  std::printf(\"44\\n\");\n}\n"

static char *tmp_dir;

/* --- helpers ---------------------------------------------------------------------------- */

/* A response whose answer is @code in a fence, streamed slowly enough that the streams of
 * several models are under way at once. */
static char *
answer_response (const char *code,
                 const char *finish_reason)
{
  g_autofree char *answer = kiln_test_fenced ("Here it is.\n\n", code, "\nSame output.\n");
  g_autofree char *stream = kiln_test_openai_stream (answer, 12, finish_reason);

  return kiln_test_replay_response (stream, 64, 15);
}

static KilnModel *
scripted_model (guint       port,
                const char *id,
                const char *label)
{
  g_autofree char *json = g_strdup_printf (
    "{\"models\": [{\"id\": \"%s\", \"label\": \"%s\", \"provider\": \"Replay\", "
    "\"api\": \"openai\", \"base_url\": \"http://127.0.0.1:%u/%s/v1\", \"model\": \"m\", "
    "\"max_retries\": 0, \"price_in_per_mtok\": 1.0, \"price_out_per_mtok\": 2.0}]}",
    id, label, port, id);
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) kiln_model_unref);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  g_assert_true (kiln_models_parse (json, strlen (json), "test", models, errors));
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpuint (models->len, ==, 1);
  return kiln_model_ref (g_ptr_array_index (models, 0));
}

static KilnSession *
new_session (void)
{
  g_autoptr(KilnRunConfig) config = kiln_run_config_new ();
  g_autofree char *cache = g_build_filename (tmp_dir, "cache", NULL);
  KilnSession *session;

  g_object_set (config, "cpp-repeat", 1, NULL);
  session = kiln_session_new (config, NULL);
  kiln_toolchain_set_cache_dir (kiln_session_get_toolchain (session), cache);
  kiln_session_set_prompts_dir (session, tmp_dir);
  return session;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (kiln_session_wait_finish (KILN_SESSION (object), result, NULL));
  *done = TRUE;
}

static void
wait_idle (KilnSession *session)
{
  gboolean done = FALSE;

  kiln_session_wait_async (session, NULL, wait_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static KilnConversion *
find (KilnSession *session,
      const char  *id)
{
  GListModel *list = kiln_session_get_conversions (session);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(KilnConversion) conversion = g_list_model_get_item (list, i);

      if (g_str_equal (kiln_conversion_get_model_id (conversion), id))
        return conversion;
    }
  g_assert_not_reached ();
}

/* Phase intervals, in the order they happened. */
typedef struct
{
  const char *id;
  gint64      stream_start, stream_end;
  gint64      verify_start, verify_end;
  guint       verifications;
  gboolean    overlapped_verification;
} Timeline;

static guint n_verifying;

static void
phase_cb (KilnConversion      *conversion,
          KilnConversionPhase  phase,
          Timeline            *timeline)
{
  gint64 now = g_get_monotonic_time ();

  if (phase == KILN_CONVERSION_PHASE_STREAMING && timeline->stream_start == 0)
    timeline->stream_start = now;
  if (phase == KILN_CONVERSION_PHASE_WAITING && timeline->stream_end == 0)
    timeline->stream_end = now;
  if (phase == KILN_CONVERSION_PHASE_COMPILING)
    {
      if (n_verifying > 0)
        timeline->overlapped_verification = TRUE;
      n_verifying++;
      timeline->verifications++;
      if (timeline->verify_start == 0)
        timeline->verify_start = now;
    }
}

static void
attempt_finished_cb (KilnConversion *conversion,
                     KilnAttempt    *attempt,
                     Timeline       *timeline)
{
  /* A verification ends with its attempt. */
  if (attempt->cpp != NULL && n_verifying > 0)
    {
      n_verifying--;
      timeline->verify_end = g_get_monotonic_time ();
    }
}

static GPtrArray *
posts (KilnTestReplay *replay,
       const char     *prefix)
{
  GPtrArray *requests = kiln_test_replay_requests (replay);

  for (guint i = requests->len; i > 0; i--)
    {
      JsonObject *request = json_node_get_object (requests->pdata[i - 1]);

      if (g_strcmp0 (json_object_get_string_member (request, "method"), "POST") != 0 ||
          !g_str_has_prefix (json_object_get_string_member (request, "path"), prefix))
        g_ptr_array_remove_index (requests, i - 1);
    }
  return requests;
}

static const char *
last_user_message (JsonNode *request)
{
  JsonArray *messages = json_object_get_array_member (kiln_test_request_body (request),
                                                      "messages");
  JsonObject *last = json_array_get_object_element (messages,
                                                    json_array_get_length (messages) - 1);

  g_assert_cmpstr (json_object_get_string_member (last, "role"), ==, "user");
  return json_object_get_string_member (last, "content");
}

/* --- tests ------------------------------------------------------------------------------ */

static void
test_run_config (void)
{
  g_autoptr(KilnRunConfig) config = kiln_run_config_new ();
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(KilnTimingMask) mask = NULL;
  g_autoptr(GError) error = NULL;
  KilnRunLimits limits;
  guint notified = 0;
  JsonObject *object;

  g_signal_connect_swapped (config, "notify::run-timeout", G_CALLBACK (g_atomic_int_inc),
                            &notified);
  g_object_set (config, "run-timeout", 2.5, "cpp-repeat", 5, "python-repeat", 2,
                "output-cap-kib", 64, NULL);
  g_object_set (config, "run-timeout", 2.5, NULL);
  g_assert_cmpuint (notified, ==, 1);

  kiln_run_config_fill_limits (config, KILN_LANGUAGE_CPP, &limits);
  g_assert_cmpuint (limits.timeout_ms, ==, 2500);
  g_assert_cmpuint (limits.max_runs, ==, 5);
  g_assert_cmpuint (limits.output_cap, ==, 64 * 1024);
  kiln_run_config_fill_limits (config, KILN_LANGUAGE_PYTHON, &limits);
  g_assert_cmpuint (limits.max_runs, ==, 2);

  /* The defaults mask "Execution Time: 0.21 seconds"; a custom list masks only its own. */
  mask = kiln_run_config_dup_timing_mask (config, &error);
  g_assert_no_error (error);
  g_assert_true (kiln_timing_mask_matches (mask, "Execution Time: 0.21 seconds"));
  g_clear_pointer (&mask, kiln_timing_mask_unref);
  g_object_set (config, "timing-patterns", (const char *[]) { "elapsed [0-9.]+ parsecs", NULL },
                NULL);
  mask = kiln_run_config_dup_timing_mask (config, &error);
  g_assert_no_error (error);
  g_assert_true (kiln_timing_mask_matches (mask, "Elapsed 0.93 parsecs"));
  g_assert_false (kiln_timing_mask_matches (mask, "Execution Time: 0.21 seconds"));
  g_clear_pointer (&mask, kiln_timing_mask_unref);

  g_object_set (config, "timing-patterns", (const char *[]) { "([", NULL }, NULL);
  mask = kiln_run_config_dup_timing_mask (config, &error);
  g_assert_null (mask);
  g_assert_error (error, KILN_ERROR, KILN_ERROR_INVALID_PATTERN);

  json = kiln_run_config_to_json (config);
  object = json_node_get_object (json);
  g_assert_cmpfloat (json_object_get_double_member (object, "run-timeout"), ==, 2.5);
  g_assert_cmpint (json_object_get_int_member (object, "cpp-repeat"), ==, 5);
  g_assert_true (json_object_has_member (object, "compiler-flags"));
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (object, "timing-patterns"), 0), ==, "([");
}

static void
enter_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GString *order = user_data;
  g_autoptr(GError) error = NULL;

  if (kiln_queue_enter_finish (KILN_QUEUE (object), result, &error))
    g_string_append_c (order, '+');
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_string_append_c (order, 'x');
    }
}

static void
test_queue (void)
{
  g_autoptr(KilnQueue) queue = kiln_queue_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GString) order = g_string_new ("");

  kiln_queue_enter_async (queue, NULL, enter_cb, order);
  kiln_queue_enter_async (queue, cancellable, enter_cb, order);
  kiln_queue_enter_async (queue, NULL, enter_cb, order);
  while (g_main_context_iteration (NULL, FALSE));
  /* Only the first holds a turn; the others wait. */
  g_assert_cmpstr (order->str, ==, "+");
  g_assert_cmpuint (kiln_queue_get_n_waiting (queue), ==, 2);

  /* A waiter that is cancelled leaves at once, without a turn. */
  g_cancellable_cancel (cancellable);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpstr (order->str, ==, "+x");

  kiln_queue_leave (queue);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpstr (order->str, ==, "+x+");
  kiln_queue_leave (queue);
  g_assert_cmpuint (kiln_queue_get_n_waiting (queue), ==, 0);
}

/* Three models: one right, one that needs a repair, one that is always wrong. */
static void
test_compare_three (void)
{
  g_autofree char *good = answer_response (GOOD_CODE, NULL);
  g_autofree char *broken = answer_response (BROKEN_CODE, NULL);
  g_autofree char *wrong = answer_response (WRONG_CODE, NULL);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/right/v1/chat/completions\": [%s], "
    "\"/repair/v1/chat/completions\": [%s, %s], "
    "\"/wrong/v1/chat/completions\": [%s]}}", good, broken, good, wrong);
  g_autoptr(KilnSession) session = new_session ();
  g_autoptr(KilnModel) right = NULL, repair = NULL, bad = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GListStore) sorted = g_list_store_new (KILN_TYPE_CONVERSION);
  KilnTestReplay replay = { 0 };
  Timeline timelines[3] = { { "right" }, { "repair" }, { "wrong" } };
  KilnModel *models[3];
  KilnConversion *a, *b, *c;
  guint busy_changes = 0;

  kiln_test_replay_start (&replay, scenario, FALSE);
  right = scripted_model (replay.port, "right", "Right");
  repair = scripted_model (replay.port, "repair", "Repair");
  bad = scripted_model (replay.port, "wrong", "Wrong");
  models[0] = right;
  models[1] = repair;
  models[2] = bad;

  g_object_set (kiln_session_get_config (session), "max-attempts", 2, NULL);
  kiln_session_set_program (session, KILN_LANGUAGE_PYTHON, PYTHON_SOURCE, "");
  g_signal_connect_swapped (session, "notify::busy", G_CALLBACK (g_atomic_int_inc),
                            &busy_changes);
  n_verifying = 0;
  for (guint i = 0; i < 3; i++)
    {
      KilnConversion *conversion = kiln_session_convert (session, models[i]);

      g_signal_connect (conversion, "phase-changed", G_CALLBACK (phase_cb), &timelines[i]);
      g_signal_connect (conversion, "attempt-finished", G_CALLBACK (attempt_finished_cb),
                        &timelines[i]);
    }
  g_assert_true (kiln_session_get_busy (session));
  g_assert_cmpuint (kiln_session_get_n_running (session), ==, 3);
  wait_idle (session);
  g_assert_false (kiln_session_get_busy (session));
  g_assert_cmpuint (busy_changes, ==, 2);

  a = find (session, "right");
  b = find (session, "repair");
  c = find (session, "wrong");
  g_assert_cmpint (kiln_conversion_get_verdict (a), ==, KILN_VERDICT_MATCHED);
  g_assert_cmpint (kiln_conversion_get_verdict (b), ==, KILN_VERDICT_MATCHED);
  g_assert_cmpint (kiln_conversion_get_verdict (c), ==, KILN_VERDICT_OUTPUT_DIFFERS);
  g_assert_cmpuint (g_list_model_get_n_items (kiln_conversion_get_attempts_model (a)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (kiln_conversion_get_attempts_model (b)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (kiln_conversion_get_attempts_model (c)), ==, 2);
  g_assert_cmpuint (kiln_conversion_get_diff_line (c), ==, 1);
  g_assert_cmpstr (kiln_conversion_get_code (b), ==, GOOD_CODE);

  /* A speedup only for what was verified; the wrong one still shows its C++ time. */
  g_assert_cmpfloat (kiln_conversion_get_speedup (a), >, 0);
  g_assert_cmpfloat (kiln_conversion_get_speedup (b), >, 0);
  g_assert_cmpfloat (kiln_conversion_get_speedup (c), ==, 0);
  g_assert_cmpfloat (kiln_conversion_get_cpp_seconds (c), >, 0);
  g_assert_true (kiln_conversion_get_verified (a));
  g_assert_false (kiln_conversion_get_verified (c));
  g_assert_cmpint (kiln_conversion_get_tokens_in (b), ==, 200);
  g_assert_cmpint (kiln_conversion_get_tokens_out (b), ==, 80);
  g_assert_cmpfloat (kiln_conversion_get_cost_usd (a), >, 0);

  /* The Python program ran once for all three. */
  g_assert_nonnull (kiln_conversion_get_python (a));
  g_assert_true (kiln_conversion_get_python (a) == kiln_conversion_get_python (b));
  g_assert_true (kiln_conversion_get_python (a) == kiln_conversion_get_python (c));
  g_assert_true (kiln_session_get_reference_result (session) == kiln_conversion_get_python (a));

  /* Verifications took turns; the streams ran side by side. */
  for (guint i = 0; i < 3; i++)
    g_assert_false (timelines[i].overlapped_verification);
  g_assert_cmpuint (timelines[0].verifications + timelines[1].verifications +
                    timelines[2].verifications, ==, 5);
  g_assert_cmpint (timelines[1].stream_start, <, timelines[0].stream_end);
  g_assert_cmpint (timelines[2].stream_start, <, timelines[0].stream_end);

  /* The repair continued the chat with the compiler's complaint. */
  requests = posts (&replay, "/repair/");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_nonnull (strstr (last_user_message (requests->pdata[1]), "totl"));

  /* Leaderboard order: verified first, then how far the rest got. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(KilnConversion) item = g_list_model_get_item (kiln_session_get_conversions (session), i);

      g_list_store_insert_sorted (sorted, item, kiln_conversion_compare_rank, NULL);
    }
  {
    g_autoptr(KilnConversion) last = g_list_model_get_item (G_LIST_MODEL (sorted), 2);

    g_assert_true (last == c);
  }

  kiln_test_replay_stop (&replay);
}

/* Converting the same model again replaces its conversion; another program replaces all. */
static void
test_replace (void)
{
  g_autofree char *good = answer_response (GOOD_CODE, NULL);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/one/v1/chat/completions\": [%s], \"/two/v1/chat/completions\": [%s]}}",
    good, good);
  g_autoptr(KilnSession) session = new_session ();
  g_autoptr(KilnModel) one = NULL, two = NULL;
  GListModel *list = kiln_session_get_conversions (session);
  KilnTestReplay replay = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  one = scripted_model (replay.port, "one", "One");
  two = scripted_model (replay.port, "two", "Two");
  kiln_session_set_program (session, KILN_LANGUAGE_PYTHON, PYTHON_SOURCE, NULL);
  kiln_session_convert (session, one);
  kiln_session_convert (session, two);
  kiln_session_convert (session, one);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  wait_idle (session);
  g_assert_cmpint (kiln_conversion_get_verdict (find (session, "two")), ==, KILN_VERDICT_MATCHED);
  g_assert_cmpint (kiln_conversion_get_verdict (find (session, "one")), ==, KILN_VERDICT_MATCHED);

  kiln_session_set_program (session, KILN_LANGUAGE_PYTHON, "print(45)\n", NULL);
  /* Until the next conversion the old results stay in view. */
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  kiln_session_convert (session, two);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  wait_idle (session);
  g_assert_cmpint (kiln_conversion_get_verdict (find (session, "two")), ==, KILN_VERDICT_MATCHED);

  kiln_test_replay_stop (&replay);
}

/* Stop one while the others go on. */
static void
test_stop_one (void)
{
  g_autofree char *good = answer_response (GOOD_CODE, NULL);
  g_autofree char *stream = kiln_test_openai_stream ("```cpp\n#include <cstdio>\n", 4, NULL);
  g_autoptr(JsonNode) quoted = json_node_init_string (json_node_alloc (), stream);
  g_autofree char *body = json_to_string (quoted, FALSE);
  g_autofree char *stalled = g_strdup_printf ("{\"body\": %s, \"stall_after\": 200}", body);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/slow/v1/chat/completions\": [%s], \"/fast/v1/chat/completions\": [%s]}}",
    stalled, good);
  g_autoptr(KilnSession) session = new_session ();
  g_autoptr(KilnModel) slow = NULL, fast = NULL;
  KilnTestReplay replay = { 0 };
  KilnConversion *stopped;

  kiln_test_replay_start (&replay, scenario, FALSE);
  slow = scripted_model (replay.port, "slow", "Slow");
  fast = scripted_model (replay.port, "fast", "Fast");
  kiln_session_set_program (session, KILN_LANGUAGE_PYTHON, PYTHON_SOURCE, NULL);
  stopped = kiln_session_convert (session, slow);
  kiln_session_convert (session, fast);
  while (kiln_conversion_get_phase (stopped) != KILN_CONVERSION_PHASE_STREAMING ||
         kiln_conversion_get_verdict (find (session, "fast")) == KILN_VERDICT_NONE)
    g_main_context_iteration (NULL, TRUE);
  kiln_session_stop (session, stopped);
  wait_idle (session);

  g_assert_cmpint (kiln_conversion_get_verdict (stopped), ==, KILN_VERDICT_STOPPED);
  g_assert_cmpint (kiln_conversion_get_verdict (find (session, "fast")), ==, KILN_VERDICT_MATCHED);
  g_assert_false (kiln_conversion_get_running (stopped));
  kiln_test_replay_stop (&replay);
}

static void
test_refusal (void)
{
  g_autofree char *stream = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *scenario = NULL;
  g_autoptr(KilnSession) session = new_session ();
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  KilnTestReplay replay = { 0 };
  KilnConversion *conversion;
  KilnAttempt *attempt;

  /* OpenAI sends the refusal in delta.refusal, with no content. */
  stream = g_strdup ("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                     "\"content\":null,\"refusal\":\"\"}}]}\n\n"
                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"I can't help "
                     "\"}}]}\n\n"
                     "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"with that.\"}}]}\n\n"
                     "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                     "data: [DONE]\n\n");
  refused = kiln_test_replay_response (stream, 0, 0);
  scenario = g_strdup_printf ("{\"routes\": {\"/no/v1/chat/completions\": [%s]}}", refused);
  kiln_test_replay_start (&replay, scenario, FALSE);
  model = scripted_model (replay.port, "no", "No");
  kiln_session_set_program (session, KILN_LANGUAGE_PYTHON, PYTHON_SOURCE, NULL);
  conversion = kiln_session_convert (session, model);
  wait_idle (session);

  g_assert_cmpint (kiln_conversion_get_verdict (conversion), ==, KILN_VERDICT_REFUSED);
  g_assert_nonnull (strstr (kiln_conversion_get_error_message (conversion),
                            "I can't help with that."));
  attempt = kiln_conversion_get_last_attempt (conversion);
  g_assert_cmpint (attempt->reason, ==, KILN_ATTEMPT_REFUSED);
  /* No repair loop against a refusal. */
  requests = posts (&replay, "/no/");
  g_assert_cmpuint (requests->len, ==, 1);
  kiln_test_replay_stop (&replay);
}

/* Cut at the token limit: the model is asked to go on, and the two parts make the program. */
static void
test_truncated_continues (void)
{
  g_autofree char *answer = kiln_test_fenced ("Here it is.\n\n", GOOD_CODE, "\nDone.\n");
  gsize cut = strstr (answer, "for (int") - answer;
  g_autofree char *first_part = g_strndup (answer, cut);
  g_autofree char *first_stream = kiln_test_openai_stream (first_part, 16, "length");
  g_autofree char *second_stream = kiln_test_openai_stream (answer + cut, 16, NULL);
  g_autofree char *first = kiln_test_replay_response (first_stream, 0, 0);
  g_autofree char *second = kiln_test_replay_response (second_stream, 0, 0);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/cut/v1/chat/completions\": [%s, %s]}}", first, second);
  g_autoptr(KilnSession) session = new_session ();
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  KilnTestReplay replay = { 0 };
  KilnConversion *conversion;
  KilnAttempt *attempt;

  kiln_test_replay_start (&replay, scenario, FALSE);
  model = scripted_model (replay.port, "cut", "Cut");
  kiln_session_set_program (session, KILN_LANGUAGE_PYTHON, PYTHON_SOURCE, NULL);
  conversion = kiln_session_convert (session, model);
  wait_idle (session);

  g_assert_cmpint (kiln_conversion_get_verdict (conversion), ==, KILN_VERDICT_MATCHED);
  attempt = g_ptr_array_index (kiln_conversion_get_attempts (conversion), 0);
  g_assert_cmpint (attempt->reason, ==, KILN_ATTEMPT_TRUNCATED);
  /* The cut-off code was not compiled and sent back as a compile error. */
  g_assert_null (attempt->cpp);
  attempt = kiln_conversion_get_last_attempt (conversion);
  g_assert_cmpint (attempt->repairing, ==, KILN_ATTEMPT_TRUNCATED);
  g_assert_cmpstr (attempt->code, ==, GOOD_CODE);

  requests = posts (&replay, "/cut/");
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_nonnull (strstr (last_user_message (requests->pdata[1]), "cut off"));
  g_assert_nonnull (strstr (last_user_message (requests->pdata[1]), "long total = 0;"));
  kiln_test_replay_stop (&replay);
}

/* Always cut: after the continuations allowed it ends as "truncated", never compiled. */
static void
test_truncated_gives_up (void)
{
  g_autofree char *cut_stream = kiln_test_openai_stream ("```cpp\n#include <cstdio>\nint main() {\n",
                                                         8, "length");
  g_autofree char *cut = kiln_test_replay_response (cut_stream, 0, 0);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/cut/v1/chat/completions\": [%s]}}", cut);
  g_autoptr(KilnSession) session = new_session ();
  g_autoptr(KilnModel) model = NULL;
  KilnTestReplay replay = { 0 };
  KilnConversion *conversion;

  kiln_test_replay_start (&replay, scenario, FALSE);
  model = scripted_model (replay.port, "cut", "Cut");
  g_object_set (kiln_session_get_config (session), "max-attempts", 5, NULL);
  kiln_session_set_program (session, KILN_LANGUAGE_PYTHON, PYTHON_SOURCE, NULL);
  conversion = kiln_session_convert (session, model);
  wait_idle (session);

  g_assert_cmpint (kiln_conversion_get_verdict (conversion), ==, KILN_VERDICT_TRUNCATED);
  g_assert_cmpuint (kiln_conversion_get_attempts (conversion)->len, ==, 3);
  g_assert_nonnull (strstr (kiln_conversion_get_error_message (conversion), "token limit"));
  kiln_test_replay_stop (&replay);
}

/* The window's own Run Python is reused: no second run of the same program. */
static void
test_offered_reference (void)
{
  g_autofree char *good = answer_response (GOOD_CODE, NULL);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/one/v1/chat/completions\": [%s]}}", good);
  g_autoptr(KilnSession) session = new_session ();
  g_autoptr(KilnModel) model = NULL;
  g_autoptr(KilnRunResult) offered = kiln_run_result_new (KILN_LANGUAGE_PYTHON);
  KilnRunStats stats = { .wall_seconds = 1.5, .user_seconds = 1.4 };
  KilnTestReplay replay = { 0 };
  KilnConversion *conversion;

  offered->ok = TRUE;
  g_clear_pointer (&offered->stdout_bytes, g_bytes_unref);
  g_clear_pointer (&offered->stderr_bytes, g_bytes_unref);
  offered->stdout_bytes = g_bytes_new_static ("45\n", 3);
  offered->stderr_bytes = g_bytes_new_static ("", 0);
  g_array_append_val (offered->runs, stats);

  kiln_test_replay_start (&replay, scenario, FALSE);
  model = scripted_model (replay.port, "one", "One");
  kiln_session_set_program (session, KILN_LANGUAGE_PYTHON, PYTHON_SOURCE, "");
  /* Another program's result is not taken. */
  kiln_session_offer_reference (session, KILN_LANGUAGE_PYTHON, "print(1)\n", "", offered);
  g_assert_null (kiln_session_get_reference_result (session));
  kiln_session_offer_reference (session, KILN_LANGUAGE_PYTHON, PYTHON_SOURCE, "", offered);
  conversion = kiln_session_convert (session, model);
  wait_idle (session);

  g_assert_cmpint (kiln_conversion_get_verdict (conversion), ==, KILN_VERDICT_MATCHED);
  g_assert_true (kiln_conversion_get_python (conversion) == offered);
  g_assert_cmpfloat (kiln_conversion_get_python_seconds (conversion), ==, 1.5);
  kiln_test_replay_stop (&replay);
}

static void
history_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* Every conversion is recorded; after a restart the comparison reopens as it was. */
static void
test_history_round_trip (void)
{
  g_autofree char *good = answer_response (GOOD_CODE, NULL);
  g_autofree char *wrong = answer_response (WRONG_CODE, NULL);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/right/v1/chat/completions\": [%s], \"/wrong/v1/chat/completions\": [%s]}}",
    good, wrong);
  g_autofree char *db = g_build_filename (tmp_dir, "history.db", NULL);
  g_autoptr(KilnSession) session = new_session ();
  g_autoptr(KilnSession) later = new_session ();
  g_autoptr(KilnHistory) history = kiln_history_new (db);
  g_autoptr(KilnHistory) reopened = NULL;
  g_autoptr(KilnModel) right = NULL, bad = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GAsyncResult) opened = NULL, listed = NULL, loaded = NULL;
  g_autoptr(JsonNode) comparison = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnHistoryEntry) entry = NULL;
  KilnTestReplay replay = { 0 };
  KilnConversion *restored;
  gint64 id;

  kiln_history_open_async (history, NULL, history_cb, &opened);
  g_assert_true (kiln_history_open_finish (history, wait_result (&opened), &error));
  g_assert_no_error (error);

  kiln_test_replay_start (&replay, scenario, FALSE);
  right = scripted_model (replay.port, "right", "Right");
  bad = scripted_model (replay.port, "wrong", "Wrong");
  g_object_set (kiln_session_get_config (session), "max-attempts", 1, NULL);
  kiln_session_set_history (session, history);
  kiln_session_set_program (session, KILN_LANGUAGE_PYTHON, PYTHON_SOURCE, "");
  kiln_session_convert (session, right);
  kiln_session_convert (session, bad);
  wait_idle (session);
  kiln_test_replay_stop (&replay);
  g_assert_null (kiln_session_get_history_error (session));

  /* A restart: new objects, the same file. */
  g_clear_object (&session);
  g_clear_object (&history);
  while (g_main_context_iteration (NULL, FALSE));
  reopened = kiln_history_new (db);
  g_clear_object (&opened);
  kiln_history_open_async (reopened, NULL, history_cb, &opened);
  g_assert_true (kiln_history_open_finish (reopened, wait_result (&opened), &error));
  kiln_history_list_async (reopened, 10, NULL, history_cb, &listed);
  entries = kiln_history_list_finish (reopened, wait_result (&listed), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 1);
  entry = g_list_model_get_item (entries, 0);
  g_object_get (entry, "id", &id, NULL);

  kiln_history_load_async (reopened, id, NULL, history_cb, &loaded);
  comparison = kiln_history_load_finish (reopened, wait_result (&loaded), &error);
  g_assert_no_error (error);
  g_assert_true (kiln_session_restore (later, comparison, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (kiln_session_get_source (later), ==, PYTHON_SOURCE);
  g_assert_cmpuint (g_list_model_get_n_items (kiln_session_get_conversions (later)), ==, 2);
  restored = find (later, "right");
  g_assert_true (kiln_conversion_get_restored (restored));
  g_assert_cmpint (kiln_conversion_get_verdict (restored), ==, KILN_VERDICT_MATCHED);
  g_assert_cmpfloat (kiln_conversion_get_speedup (restored), >, 0);
  g_assert_cmpstr (kiln_conversion_get_code (restored), ==, GOOD_CODE);
  g_assert_cmpstr (kiln_conversion_get_model_label (restored), ==, "Right");
  restored = find (later, "wrong");
  g_assert_cmpint (kiln_conversion_get_verdict (restored), ==, KILN_VERDICT_OUTPUT_DIFFERS);
  g_assert_cmpuint (kiln_conversion_get_diff_line (restored), ==, 1);
  g_assert_cmpfloat (kiln_conversion_get_speedup (restored), ==, 0);
  g_assert_cmpint (kiln_conversion_get_tokens_out (restored), ==, 40);
}

/* Properties are notified once per change, and the object goes away when dropped. */
static void
test_notify (void)
{
  g_autofree char *good = answer_response (GOOD_CODE, NULL);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/one/v1/chat/completions\": [%s]}}", good);
  KilnSession *session = new_session ();
  g_autoptr(KilnModel) model = NULL;
  KilnTestReplay replay = { 0 };
  KilnConversion *conversion;
  guint verdicts = 0, phases = 0, attempts = 0;

  kiln_test_replay_start (&replay, scenario, FALSE);
  model = scripted_model (replay.port, "one", "One");
  kiln_session_set_program (session, KILN_LANGUAGE_PYTHON, PYTHON_SOURCE, NULL);
  conversion = g_object_ref (kiln_session_convert (session, model));
  g_signal_connect_swapped (conversion, "notify::verdict", G_CALLBACK (g_atomic_int_inc), &verdicts);
  g_signal_connect_swapped (conversion, "notify::phase", G_CALLBACK (g_atomic_int_inc), &phases);
  g_signal_connect_swapped (conversion, "notify::n-attempts", G_CALLBACK (g_atomic_int_inc), &attempts);
  wait_idle (session);

  g_assert_cmpuint (verdicts, ==, 1);
  g_assert_cmpuint (attempts, ==, 1);
  /* Preparing began inside kiln_session_convert(); then streaming, waiting for the turn,
   * compiling, running the original (first: its time sets the C++ timeout), running the
   * C++, done. */
  g_assert_cmpuint (phases, ==, 6);
  kiln_test_replay_stop (&replay);

  /* The chat can be continued (optimize rounds): the prompts and the answer. */
  {
    g_autoptr(GPtrArray) messages = kiln_conversion_dup_messages (conversion);
    KilnChatMessage *answer;

    g_assert_cmpuint (messages->len, ==, 3);
    g_assert_cmpint (((KilnChatMessage *) messages->pdata[0])->role, ==, KILN_ROLE_SYSTEM);
    g_assert_cmpint (((KilnChatMessage *) messages->pdata[1])->role, ==, KILN_ROLE_USER);
    answer = messages->pdata[2];
    g_assert_cmpint (answer->role, ==, KILN_ROLE_ASSISTANT);
    g_assert_nonnull (strstr (answer->content, GOOD_CODE));
  }

  g_assert_finalize_object (session);
  g_assert_finalize_object (conversion);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  kiln_core_init ();
  tmp_dir = g_dir_make_tmp ("kiln-session-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", tmp_dir, TRUE);

  g_test_add_func ("/session/run-config", test_run_config);
  g_test_add_func ("/session/queue", test_queue);
  g_test_add_func ("/session/compare-three", test_compare_three);
  g_test_add_func ("/session/replace", test_replace);
  g_test_add_func ("/session/stop-one", test_stop_one);
  g_test_add_func ("/session/refusal", test_refusal);
  g_test_add_func ("/session/truncated-continues", test_truncated_continues);
  g_test_add_func ("/session/truncated-gives-up", test_truncated_gives_up);
  g_test_add_func ("/session/offered-reference", test_offered_reference);
  g_test_add_func ("/session/history", test_history_round_trip);
  g_test_add_func ("/session/notify", test_notify);

  status = g_test_run ();
  kiln_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}

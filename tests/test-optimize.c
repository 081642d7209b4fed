/* test-optimize.c: `kiln-cli optimize` end to end — a scripted model on loopback whose rounds
 * keep the O(n²) algorithm, then give O(n), then a faster program with a different output; a
 * Python original converted first; the compiler flag search with a profile-guided build;
 * stopping a run. The real g++, python3 and sandbox; no timing assertions: only ratios far
 * beyond any noise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kiln-core.h"
#include "kiln-test-replay.h"

/* Kadane's problem 100000 times over arrays of 64 from an LCG: the O(n²) original takes a few
 * tenths of a second, the O(n) one a fraction of it, both far above the start-up floor. */
#define ORIGINAL_CPP \
  "#include <cstdint>\n#include <cstdio>\n\nint main()\n{\n" \
  "  const int T = 100000, N = 64;\n  uint32_t seed = 12345;\n  long long a[N];\n" \
  "  long long total = 0;\n  for (int t = 0; t < T; t++)\n    {\n" \
  "      for (int i = 0; i < N; i++)\n        {\n" \
  "          seed = seed * 1664525u + 1013904223u;\n" \
  "          a[i] = (long long) (seed >> 16) % 2001 - 1000;\n        }\n" \
  "      long long best = a[0];\n      for (int i = 0; i < N; i++)\n        {\n" \
  "          long long s = 0;\n          for (int j = i; j < N; j++)\n            {\n" \
  "              s += a[j];\n              if (s > best)\n                best = s;\n" \
  "            }\n        }\n      total += best;\n    }\n" \
  "  std::printf(\"%lld\\n\", total);\n  return 0;\n}\n"

/* Round 1: the same O(n²) algorithm, written another way. */
#define ROUND1_CPP \
  "#include <cstdint>\n#include <cstdio>\n#include <vector>\n\nint main()\n{\n" \
  "  const int T = 100000, N = 64;\n  uint32_t seed = 12345;\n" \
  "  std::vector<long long> a(N);\n  long long total = 0;\n" \
  "  for (int t = 0; t < T; t++) {\n    for (auto &x : a) {\n" \
  "      seed = seed * 1664525u + 1013904223u;\n" \
  "      x = (long long) (seed >> 16) % 2001 - 1000;\n    }\n" \
  "    long long best = a[0];\n    for (int i = 0; i < N; i++) {\n      long long s = 0;\n" \
  "      for (int j = i; j < N; j++) { s += a[j]; best = s > best ? s : best; }\n    }\n" \
  "    total += best;\n  }\n  std::printf(\"%lld\\n\", total);\n}\n"

/* Round 2: Kadane's O(n) scan, the same output. */
#define ROUND2_CPP \
  "#include <cstdint>\n#include <cstdio>\n\nint main()\n{\n" \
  "  const int T = 100000, N = 64;\n  uint32_t seed = 12345;\n  long long total = 0;\n" \
  "  for (int t = 0; t < T; t++)\n    {\n      long long best = 0, here = 0;\n" \
  "      for (int i = 0; i < N; i++)\n        {\n" \
  "          seed = seed * 1664525u + 1013904223u;\n" \
  "          long long x = (long long) (seed >> 16) % 2001 - 1000;\n" \
  "          here = here > 0 ? here + x : x;\n" \
  "          if (i == 0 || here > best)\n            best = here;\n        }\n" \
  "      total += best;\n    }\n  std::printf(\"%lld\\n\", total);\n  return 0;\n}\n"

/* Round 3: faster still, because it does half the work: a different output. */
#define ROUND3_CPP \
  "#include <cstdint>\n#include <cstdio>\n\nint main()\n{\n" \
  "  const int T = 50000, N = 64;\n  uint32_t seed = 12345;\n  long long total = 0;\n" \
  "  for (int t = 0; t < T; t++)\n    {\n      long long best = 0, here = 0;\n" \
  "      for (int i = 0; i < N; i++)\n        {\n" \
  "          seed = seed * 1664525u + 1013904223u;\n" \
  "          long long x = (long long) (seed >> 16) % 2001 - 1000;\n" \
  "          here = here > 0 ? here + x : x;\n" \
  "          if (i == 0 || here > best)\n            best = here;\n        }\n" \
  "      total += best;\n    }\n  std::printf(\"%lld\\n\", total);\n  return 0;\n}\n"

/* Enough work that the C++ takes well above the start-up floor. */
#define PYTHON_SOURCE \
  "total = 0\nfor i in range(4000000):\n    total = (total + i * i) % 1000003\nprint(total)\n"
#define PYTHON_GOOD_CPP \
  "#include <cstdio>\nint main() {\n  long long total = 0;\n" \
  "  for (long long i = 0; i < 4000000; i++) total = (total + i * i) % 1000003;\n" \
  "  std::printf(\"%lld\\n\", total);\n}\n"
#define PYTHON_WRONG_CPP \
  "#include <cstdio>\nint main() {\n  std::printf(\"44\\n\");\n}\n"

/* A loop over a std::vector that -O0 runs several times slower than -O2 does. */
#define FLAGS_CPP \
  "#include <cstdint>\n#include <cstdio>\n#include <vector>\n\nint main()\n{\n" \
  "  std::vector<uint32_t> v (1 << 16);\n  uint32_t x = 1;\n  uint64_t sum = 0;\n" \
  "  for (int round = 0; round < 300; round++)\n    {\n      for (auto &e : v)\n        {\n" \
  "          x = x * 1664525u + 1013904223u;\n          e = x >> 8;\n        }\n" \
  "      for (std::size_t i = 0; i < v.size (); i++)\n        sum += v[i] % 13;\n    }\n" \
  "  std::printf (\"%llu\\n\", (unsigned long long) sum);\n  return 0;\n}\n"

static char *tmp_dir;

typedef struct
{
  int         status;
  char       *out;
  char       *err;
  JsonParser *parser;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  g_clear_object (&run->parser);
}

static JsonObject *
run_json (Run *run)
{
  return json_node_get_object (json_parser_get_root (run->parser));
}

static char *
write_file (const char *name,
            const char *contents)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static char *
answer (const char *summary,
        const char *code)
{
  g_autofree char *before = g_strdup_printf ("Summary: %s\n\n", summary);
  g_autofree char *text = kiln_test_fenced (before, code, "\nSame output, less work.\n");
  g_autofree char *stream = kiln_test_openai_stream (text, 40, NULL);

  return kiln_test_replay_response (stream, 0, 0);
}

static char *
models_file (guint port)
{
  g_autofree char *text = g_strdup_printf (
    "{\"models\": [{\"id\": \"scripted\", \"label\": \"Scripted\", \"provider\": \"Replay\", "
    "\"api\": \"openai\", \"base_url\": \"http://127.0.0.1:%u/v1\", \"model\": \"scripted-1\", "
    "\"max_retries\": 0}]}", port);

  return write_file ("models.json", text);
}

static void
optimize (Run                *run,
          const char * const *extra_args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = g_build_filename (tmp_dir, "cache", NULL);
  g_autofree char *config = g_build_filename (tmp_dir, "config", NULL);
  char *out = NULL, *err = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("KILN_CLI"));
  g_ptr_array_add (argv, (char *) "optimize");
  for (guint i = 0; extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, (char *) "--cache-dir");
  g_ptr_array_add (argv, cache);
  g_ptr_array_add (argv, (char *) "--json");
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);

  run->status = g_subprocess_get_exit_status (process);
  run->out = out;
  run->err = err;
  run->parser = json_parser_new ();
  if (!json_parser_load_from_data (run->parser, out, -1, NULL))
    g_error ("kiln-cli optimize printed no JSON object. stdout:\n%s\nstderr:\n%s", out, err);
  g_test_message ("stderr:\n%s", err);
}

static GPtrArray *
chat_requests (KilnTestReplay *replay)
{
  GPtrArray *requests = kiln_test_replay_requests (replay);

  for (guint i = requests->len; i > 0; i--)
    if (g_strcmp0 (json_object_get_string_member (json_node_get_object (requests->pdata[i - 1]),
                                                  "method"), "POST") != 0)
      g_ptr_array_remove_index (requests, i - 1);
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

static JsonObject *
round_at (Run   *run,
          guint  index)
{
  JsonArray *rounds = json_object_get_array_member (run_json (run), "rounds");

  g_assert_cmpuint (index, <, json_array_get_length (rounds));
  return json_array_get_object_element (rounds, index);
}

static JsonObject *
candidate_at (JsonObject *round,
              guint       index)
{
  JsonArray *candidates = json_object_get_array_member (round, "candidates");

  g_assert_cmpuint (index, <, json_array_get_length (candidates));
  return json_array_get_object_element (candidates, index);
}

/* The scenario: round 1 keeps O(n²) (right, not faster), round 2 gives O(n) (kept),
 * round 3 is faster but prints something else (rejected). The file holds round 2's program. */
static void
test_rounds (void)
{
  g_autofree char *one = answer ("kept the double loop, with a vector.", ROUND1_CPP);
  g_autofree char *two = answer ("replaced the O(n^2) double loop with Kadane's O(n) scan.",
                                 ROUND2_CPP);
  g_autofree char *three = answer ("only half the arrays are needed.", ROUND3_CPP);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/v1/chat/completions\": [%s, %s, %s]}}", one, two, three);
  g_autofree char *source = write_file ("kadane.cpp", ORIGINAL_CPP);
  g_autofree char *expected_output = g_build_filename (tmp_dir, "kadane.fast.cpp", NULL);
  g_autofree char *models = NULL;
  g_autofree char *written = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  KilnTestReplay replay = { 0 };
  JsonObject *best, *candidate;
  Run run = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  models = models_file (replay.port);
  optimize (&run, (const char *[]) { source, "--model", "scripted", "--models", models,
                                     "--rounds", "3", "--no-flag-search", NULL });

  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (json_object_get_boolean_member (run_json (&run), "ok"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run_json (&run),
                                                                         "rounds")), ==, 4);

  /* Round 0: the original, measured: the first best. */
  candidate = candidate_at (round_at (&run, 0), 0);
  g_assert_cmpint (json_object_get_int_member (round_at (&run, 0), "round"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (candidate, "verdict"), ==, "matched");

  /* Round 1: right, but not faster beyond the noise. */
  candidate = candidate_at (round_at (&run, 1), 0);
  g_assert_cmpint (json_object_get_int_member (round_at (&run, 1), "round"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (candidate, "verdict"), ==, "matched");
  g_assert_false (json_object_get_boolean_member (candidate, "kept"));
  g_assert_cmpstr (json_object_get_string_member (candidate, "summary"), ==,
                   "kept the double loop, with a vector.");

  /* Round 2: O(n), kept. */
  candidate = candidate_at (round_at (&run, 2), 0);
  g_assert_cmpstr (json_object_get_string_member (candidate, "verdict"), ==, "matched");
  g_assert_true (json_object_get_boolean_member (candidate, "kept"));
  g_assert_cmpfloat (json_object_get_double_member (candidate, "speedup_over_best"), >, 1.5);
  g_assert_nonnull (strstr (json_object_get_string_member (candidate, "summary"), "Kadane"));

  /* Round 3: faster, wrong: rejected and shown as such. */
  candidate = candidate_at (round_at (&run, 3), 0);
  g_assert_cmpstr (json_object_get_string_member (candidate, "verdict"), ==, "output_differs");
  g_assert_false (json_object_get_boolean_member (candidate, "kept"));
  g_assert_false (json_object_get_boolean_member (candidate, "verified"));
  g_assert_true (json_object_get_null_member (candidate, "speedup"));

  best = json_object_get_object_member (run_json (&run), "best");
  g_assert_cmpint (json_object_get_int_member (best, "round"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (best, "output_file"), ==, expected_output);
  g_assert_cmpfloat (json_object_get_double_member (best, "cpp_seconds"), >, 0);
  g_assert_true (g_file_get_contents (expected_output, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, ROUND2_CPP);

  /* Three rounds, three requests, one chat: each round names the best's time; the second
   * says the first answer was not faster and carries the program to beat. */
  requests = chat_requests (&replay);
  g_assert_cmpuint (requests->len, ==, 3);
  g_assert_nonnull (strstr (last_user_message (requests->pdata[0]), "round 1 of 3"));
  g_assert_nonnull (strstr (last_user_message (requests->pdata[0]), "best = s;"));
  g_assert_nonnull (strstr (last_user_message (requests->pdata[1]), "not measurably faster"));
  g_assert_nonnull (strstr (last_user_message (requests->pdata[2]), "here = here > 0"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      kiln_test_request_body (requests->pdata[2]), "messages")), ==, 6);

  run_clear (&run);
  kiln_test_replay_stop (&replay);
}

/* A Python original is converted first; the conversion is the start, a wrong round never
 * replaces it, and the file holds the conversion's program. */
static void
test_python_first (void)
{
  g_autofree char *converted = answer ("a direct translation.", PYTHON_GOOD_CPP);
  g_autofree char *wrong = answer ("printed the answer.", PYTHON_WRONG_CPP);
  g_autofree char *scenario = g_strdup_printf (
    "{\"routes\": {\"/v1/chat/completions\": [%s, %s]}}", converted, wrong);
  g_autofree char *source = write_file ("sum.py", PYTHON_SOURCE);
  g_autofree char *output = g_build_filename (tmp_dir, "sum-best.cpp", NULL);
  g_autofree char *models = NULL;
  g_autofree char *written = NULL;
  KilnTestReplay replay = { 0 };
  JsonObject *best, *candidate;
  Run run = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  models = models_file (replay.port);
  optimize (&run, (const char *[]) { source, "--model", "scripted", "--models", models,
                                     "--no-flag-search", "-o", output, NULL });

  g_assert_cmpint (run.status, ==, 0);
  candidate = candidate_at (round_at (&run, 1), 0);
  g_assert_cmpstr (json_object_get_string_member (candidate, "verdict"), ==, "output_differs");
  g_assert_false (json_object_get_boolean_member (candidate, "kept"));
  /* Nothing right came of the round: no second round is asked for. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run_json (&run),
                                                                         "rounds")), ==, 2);
  g_assert_nonnull (strstr (json_object_get_string_member (run_json (&run), "stop_reason"),
                            "no verified"));

  best = json_object_get_object_member (run_json (&run), "best");
  g_assert_cmpint (json_object_get_int_member (best, "round"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (best, "speedup"), >, 0);
  g_assert_true (g_file_get_contents (output, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, PYTHON_GOOD_CPP);

  run_clear (&run);
  kiln_test_replay_stop (&replay);
}

/* Built at -O0, the program gets much faster with the flag sets; the fastest verified build
 * is kept, and the profile-guided one builds, runs and matches. */
static void
test_flag_search (void)
{
  g_autofree char *scenario = g_strdup ("{\"routes\": {}}");
  g_autofree char *source = write_file ("loop.cpp", FLAGS_CPP);
  g_autofree char *models = NULL;
  KilnTestReplay replay = { 0 };
  JsonObject *best, *start, *flags_round;
  JsonArray *candidates;
  gboolean saw_pgo = FALSE;
  double start_seconds;
  Run run = { 0 };

  kiln_test_replay_start (&replay, scenario, FALSE);
  models = models_file (replay.port);
  optimize (&run, (const char *[]) { source, "--model", "scripted", "--models", models,
                                     "--rounds", "0", "--flags", "-std=c++17 -O0", NULL });

  g_assert_cmpint (run.status, ==, 0);
  start = candidate_at (round_at (&run, 0), 0);
  g_assert_cmpstr (json_object_get_string_member (start, "flags"), ==, "-std=c++17 -O0");
  start_seconds = json_object_get_double_member (start, "cpp_seconds");

  flags_round = round_at (&run, 1);
  g_assert_cmpstr (json_object_get_string_member (flags_round, "kind"), ==, "flags");
  candidates = json_object_get_array_member (flags_round, "candidates");
  g_assert_cmpuint (json_array_get_length (candidates), >=, 4);
  for (guint i = 0; i < json_array_get_length (candidates); i++)
    {
      JsonObject *candidate = json_array_get_object_element (candidates, i);
      const char *flags = json_object_get_string_member (candidate, "flags");

      /* Never -ffast-math unless allowed. */
      g_assert_null (strstr (flags, "fast-math"));
      g_assert_nonnull (strstr (flags, "-std=c++17"));
      if (json_object_get_boolean_member (candidate, "pgo"))
        {
          saw_pgo = TRUE;
          g_assert_cmpstr (json_object_get_string_member (candidate, "verdict"), ==, "matched");
          g_assert_nonnull (strstr (flags, "-fprofile-use"));
        }
    }
  g_assert_true (saw_pgo);

  best = json_object_get_object_member (run_json (&run), "best");
  g_assert_cmpint (json_object_get_int_member (best, "round"), ==, 1);
  g_assert_null (strstr (json_object_get_string_member (best, "flags"), "-O0"));
  /* Far beyond any noise: -O0 against an optimised build of this loop. */
  g_assert_cmpfloat (start_seconds / json_object_get_double_member (best, "cpp_seconds"), >, 2);

  /* No model round: the model was never asked. */
  {
    g_autoptr(GPtrArray) requests = chat_requests (&replay);

    g_assert_cmpuint (requests->len, ==, 0);
  }

  run_clear (&run);
  kiln_test_replay_stop (&replay);
}

/* Stop while round 1 streams: the best stays the start, the round's candidate says stopped. */
typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (res);
  g_main_loop_quit (wait->loop);
}

static void
stop_on_round_cb (KilnOptimizer         *optimizer,
                  KilnOptimizeCandidate *candidate,
                  gpointer               user_data)
{
  if (candidate->round == 1)
    kiln_optimizer_stop (optimizer);
}

static void
test_stop (void)
{
  g_autofree char *text = kiln_test_fenced ("Summary: slow.\n", ROUND2_CPP, "");
  g_autofree char *stream = kiln_test_openai_stream (text, 4, NULL);
  g_autofree char *slow = kiln_test_replay_response (stream, 16, 200);
  g_autofree char *scenario = g_strdup_printf ("{\"routes\": {\"/v1/chat/completions\": [%s]}}",
                                               slow);
  g_autofree char *base_url = NULL;
  g_autofree char *cache = g_build_filename (tmp_dir, "cache", NULL);
  g_autoptr(KilnToolchain) toolchain = kiln_toolchain_new ();
  g_autoptr(KilnProgram) program = NULL;
  g_autoptr(KilnOptimizer) optimizer = NULL;
  g_autoptr(KilnModel) model = kiln_model_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(KilnOptimizeRound) round = NULL;
  g_autoptr(KilnOptimizeCandidate) candidate = NULL;
  KilnTestReplay replay = { 0 };
  Wait wait = { loop, NULL };
  gboolean ok;

  kiln_test_replay_start (&replay, scenario, FALSE);
  base_url = g_strdup_printf ("http://127.0.0.1:%u/v1", replay.port);
  model->id = g_strdup ("scripted");
  model->label = g_strdup ("Scripted");
  model->api = KILN_API_OPENAI;
  model->base_url = g_strdup (base_url);
  model->model = g_strdup ("scripted-1");
  model->max_retries = 0;

  kiln_toolchain_set_cache_dir (toolchain, cache);
  program = kiln_program_new (toolchain, KILN_LANGUAGE_CPP, ROUND2_CPP, NULL);
  optimizer = kiln_optimizer_new (program, model, NULL, NULL, ROUND2_CPP, NULL);
  g_signal_connect (optimizer, "candidate-started", G_CALLBACK (stop_on_round_cb), NULL);

  kiln_optimizer_run_async (optimizer, NULL, wait_cb, &wait);
  g_main_loop_run (loop);
  ok = kiln_optimizer_run_finish (optimizer, wait.result, &error);
  g_clear_object (&wait.result);

  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_false (kiln_optimizer_get_running (optimizer));
  g_assert_cmpint (kiln_optimizer_get_phase (optimizer), ==, KILN_OPTIMIZE_PHASE_DONE);
  g_assert_cmpuint (kiln_optimizer_get_best (optimizer)->round, ==, 0);
  g_assert_cmpstr (kiln_optimizer_get_stop_reason (optimizer), ==, "Stopped.");
  g_assert_cmpuint (g_list_model_get_n_items (kiln_optimizer_get_history (optimizer)), ==, 2);
  round = g_list_model_get_item (kiln_optimizer_get_history (optimizer), 1);
  candidate = g_list_model_get_item (kiln_optimize_round_get_candidates (round), 0);
  g_assert_cmpstr (candidate->verdict, ==, "stopped");
  g_assert_false (candidate->kept);

  kiln_test_replay_stop (&replay);
  g_clear_object (&candidate);
  g_clear_object (&round);
  g_assert_finalize_object (g_steal_pointer (&optimizer));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  kiln_core_init ();

  tmp_dir = g_dir_make_tmp ("kiln-optimize-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/optimize/rounds", test_rounds);
  g_test_add_func ("/optimize/python-first", test_python_first);
  g_test_add_func ("/optimize/flag-search", test_flag_search);
  g_test_add_func ("/optimize/stop", test_stop);

  status = g_test_run ();

  {
    g_autofree char *quoted = g_shell_quote (tmp_dir);
    g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (tmp_dir);
  return status;
}

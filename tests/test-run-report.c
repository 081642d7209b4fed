/* test-run-report.c: reading kiln-run-helper's report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kiln-core.h"
#include "kiln-run-report.h"

static void
test_exit (void)
{
  const char *text = "kiln-run-helper 1\nwall-ns 1500000000\nuser-us 1200000\nsys-us 30000\n"
                     "maxrss-kib 9216\nexit 3\ntimed-out 0\nstopped 0\n";
  g_autoptr(GError) error = NULL;
  KilnRunReport report;

  g_assert_true (_kiln_run_report_parse (text, strlen (text), &report, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report.wall_ns, ==, 1500000000);
  g_assert_cmpint (report.user_us, ==, 1200000);
  g_assert_cmpint (report.sys_us, ==, 30000);
  g_assert_cmpint (report.max_rss_kib, ==, 9216);
  g_assert_cmpint (report.exit_status, ==, 3);
  g_assert_cmpint (report.signal, ==, 0);
  g_assert_false (report.timed_out);
  g_assert_false (report.stopped);
  g_assert_cmpint (report.spawn_errno, ==, 0);
}

static void
test_signal_and_timeout (void)
{
  const char *text = "kiln-run-helper 1\nwall-ns 60000000000\nsignal 9\ntimed-out 1\n"
                     "stopped 0\nfuture-key 12\n";
  KilnRunReport report;

  g_assert_true (_kiln_run_report_parse (text, strlen (text), &report, NULL));
  g_assert_cmpint (report.signal, ==, 9);
  g_assert_cmpint (report.exit_status, ==, -1);
  g_assert_true (report.timed_out);
}

static void
test_spawn_error (void)
{
  const char *text = "kiln-run-helper 1\nspawn-errno 2\n";
  KilnRunReport report;

  g_assert_true (_kiln_run_report_parse (text, strlen (text), &report, NULL));
  g_assert_cmpint (report.spawn_errno, ==, 2);
}

static void
test_bad_reports (void)
{
  const char *bad[] = {
    "",
    "kiln-run-helper 1\n",                          /* no outcome */
    "wall-ns 5\nexit 0\n",                          /* no version line */
    "kiln-run-helper 2\nexit 0\n",                  /* a version we do not know */
    "kiln-run-helper 1\nexit 999999999999999999999\n",
    "kiln-run-helper 1\nexit -1\n",
    "kiln-run-helper 1\nsignal 0\n",
    "kiln-run-helper 1\nexit\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      KilnRunReport report;

      g_assert_false (_kiln_run_report_parse (bad[i], strlen (bad[i]), &report, &error));
      g_assert_error (error, KILN_ERROR, KILN_ERROR_SPAWN_FAILED);
    }
}

static void
test_embedded_nul (void)
{
  const char text[] = "kiln-run-helper 1\nexit 0\0garbage\nexit 4\n";
  KilnRunReport report;

  /* Parsing stops at the NUL: what follows it is not part of the report. */
  g_assert_true (_kiln_run_report_parse (text, sizeof text - 1, &report, NULL));
  g_assert_cmpint (report.exit_status, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/run-report/exit", test_exit);
  g_test_add_func ("/run-report/signal-and-timeout", test_signal_and_timeout);
  g_test_add_func ("/run-report/spawn-error", test_spawn_error);
  g_test_add_func ("/run-report/bad", test_bad_reports);
  g_test_add_func ("/run-report/embedded-nul", test_embedded_nul);

  return g_test_run ();
}

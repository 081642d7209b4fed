/* kiln-run-helper.c: runs one untrusted program and reports how it went
 *
 * Kiln starts this small program (through GSubprocess) for every run of generated or user
 * code. It exists because only the direct parent of a process can reap it with wait4() and
 * so learn its exact CPU time and peak memory, and because a timeout is most reliable when
 * enforced next to the program rather than from a busy main loop.
 *
 * It forks the program into a process group of its own, under resource limits, and waits.
 * When the program exits, when the timeout passes, or when Kiln sends SIGTERM (Stop, output
 * cap, quit), every process of that group and every orphan left behind is killed. Orphans
 * come back to us because we are a child subreaper. The result goes to the report pipe as
 * "key value" lines (see kiln-run-report.c).
 *
 * Usage: kiln-run-helper [--timeout-ms N] [--report-fd FD] [--cpu-seconds N]
 *                        [--address-space-mib N] [--file-size-mib N] [--processes N]
 *                        -- PROGRAM [ARGS...]
 *
 * It deliberately links nothing but libc: it starts in well under a millisecond.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 125

typedef struct
{
  long long timeout_ms;
  int       report_fd;
  long long cpu_seconds;
  long long address_space_mib;
  long long file_size_mib;
  long long processes;
  char    **argv;
} Options;

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
parse_number (const char *text,
              long long  *value)
{
  char *end = NULL;
  long long v;

  if (text == NULL || *text == '\0')
    return -1;
  errno = 0;
  v = strtoll (text, &end, 10);
  if (errno != 0 || *end != '\0' || v < 0)
    return -1;
  *value = v;
  return 0;
}

static int
parse_options (int      argc,
               char   **argv,
               Options *options)
{
  int i;

  options->timeout_ms = 0;
  options->report_fd = -1;
  options->cpu_seconds = 0;
  options->address_space_mib = 0;
  options->file_size_mib = 0;
  options->processes = 0;
  options->argv = NULL;

  for (i = 1; i < argc; i++)
    {
      long long *target = NULL;
      long long report_fd;

      if (strcmp (argv[i], "--") == 0)
        {
          if (i + 1 >= argc)
            return -1;
          options->argv = &argv[i + 1];
          return 0;
        }
      else if (strcmp (argv[i], "--timeout-ms") == 0)
        target = &options->timeout_ms;
      else if (strcmp (argv[i], "--cpu-seconds") == 0)
        target = &options->cpu_seconds;
      else if (strcmp (argv[i], "--address-space-mib") == 0)
        target = &options->address_space_mib;
      else if (strcmp (argv[i], "--file-size-mib") == 0)
        target = &options->file_size_mib;
      else if (strcmp (argv[i], "--processes") == 0)
        target = &options->processes;
      else if (strcmp (argv[i], "--report-fd") == 0)
        {
          if (i + 1 >= argc || parse_number (argv[i + 1], &report_fd) < 0 || report_fd > 1024)
            return -1;
          options->report_fd = (int) report_fd;
          i++;
          continue;
        }
      else
        return -1;

      if (i + 1 >= argc || parse_number (argv[i + 1], target) < 0)
        return -1;
      i++;
    }

  return -1;
}

static void
set_limit (int       resource,
           long long value)
{
  struct rlimit rl;

  rl.rlim_cur = (rlim_t) value;
  rl.rlim_max = (rlim_t) value;
  setrlimit (resource, &rl);
}

/* In the forked child, before exec: only async-signal-safe calls from here on. */
static void
exec_child (const Options *options,
            int            error_fd,
            const sigset_t *original_mask)
{
  int saved_errno;

  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);

  set_limit (RLIMIT_CORE, 0);
  if (options->cpu_seconds > 0)
    set_limit (RLIMIT_CPU, options->cpu_seconds);
  if (options->address_space_mib > 0)
    set_limit (RLIMIT_AS, options->address_space_mib * 1024 * 1024);
  if (options->file_size_mib > 0)
    set_limit (RLIMIT_FSIZE, options->file_size_mib * 1024 * 1024);
  if (options->processes > 0)
    set_limit (RLIMIT_NPROC, options->processes);

  if (options->report_fd >= 0)
    close (options->report_fd);

  signal (SIGPIPE, SIG_DFL);
  sigprocmask (SIG_SETMASK, original_mask, NULL);

  execvp (options->argv[0], options->argv);

  saved_errno = errno;
  while (write (error_fd, &saved_errno, sizeof saved_errno) < 0 && errno == EINTR)
    ;
  _exit (127);
}

/* Kill what the program left: its process group, then any orphan that was re-parented to us
 * (a daemon that called setsid() escapes the group but not the subreaper). */
static void
kill_leftovers (pid_t group)
{
  int round;

  for (round = 0; round < 50; round++)
    {
      char path[64];
      FILE *children;
      int found = 0;
      long pid;

      if (group > 0)
        kill (-group, SIGKILL);

      snprintf (path, sizeof path, "/proc/self/task/%ld/children", (long) getpid ());
      children = fopen (path, "re");
      if (children != NULL)
        {
          while (fscanf (children, "%ld", &pid) == 1)
            {
              kill ((pid_t) pid, SIGKILL);
              found++;
            }
          fclose (children);
        }

      while (waitpid (-1, NULL, WNOHANG) > 0)
        ;

      if (found == 0 && (group <= 0 || kill (-group, 0) < 0))
        return;

      {
        struct timespec pause = { 0, 2 * 1000 * 1000 };
        nanosleep (&pause, NULL);
      }
    }
}

static void
report (int            fd,
        int            spawn_errno,
        int64_t        wall_ns,
        const struct rusage *ru,
        int            status,
        int            timed_out,
        int            stopped)
{
  char buf[512];
  int len;

  if (fd < 0)
    return;

  if (spawn_errno != 0)
    len = snprintf (buf, sizeof buf, "kiln-run-helper 1\nspawn-errno %d\n", spawn_errno);
  else
    len = snprintf (buf, sizeof buf,
                    "kiln-run-helper 1\n"
                    "wall-ns %" PRId64 "\n"
                    "user-us %lld\n"
                    "sys-us %lld\n"
                    "maxrss-kib %ld\n"
                    "%s %d\n"
                    "timed-out %d\n"
                    "stopped %d\n",
                    wall_ns,
                    (long long) ru->ru_utime.tv_sec * 1000000 + ru->ru_utime.tv_usec,
                    (long long) ru->ru_stime.tv_sec * 1000000 + ru->ru_stime.tv_usec,
                    ru->ru_maxrss,
                    WIFSIGNALED (status) ? "signal" : "exit",
                    WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status),
                    timed_out,
                    stopped);

  if (len > 0)
    {
      const char *p = buf;
      size_t left = (size_t) len;

      while (left > 0)
        {
          ssize_t n = write (fd, p, left);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          p += n;
          left -= (size_t) n;
        }
    }
}

int
main (int    argc,
      char **argv)
{
  Options options;
  sigset_t mask, original_mask;
  int error_pipe[2];
  int spawn_errno = 0;
  int status = 0;
  int timed_out = 0;
  int stopped = 0;
  int64_t start_ns, deadline_ns, wall_ns;
  struct rusage ru;
  pid_t child;
  ssize_t n;

  if (parse_options (argc, argv, &options) < 0)
    {
      fprintf (stderr,
               "usage: kiln-run-helper [--timeout-ms N] [--report-fd FD] [--cpu-seconds N]\n"
               "       [--address-space-mib N] [--file-size-mib N] [--processes N]\n"
               "       -- PROGRAM [ARGS...]\n");
      return EXIT_USAGE;
    }

  if (options.report_fd >= 0)
    fcntl (options.report_fd, F_SETFD, FD_CLOEXEC);

  /* Signals are taken synchronously with sigtimedwait(), never by handlers. */
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGHUP);
  sigprocmask (SIG_BLOCK, &mask, &original_mask);

  /* If Kiln itself dies, we hear SIGTERM and take the program down with us. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () == 1)
    return EXIT_USAGE;
  prctl (PR_SET_CHILD_SUBREAPER, 1);

  if (pipe2 (error_pipe, O_CLOEXEC) < 0)
    {
      report (options.report_fd, errno, 0, NULL, 0, 0, 0);
      return 0;
    }

  start_ns = now_ns ();
  child = fork ();
  if (child < 0)
    {
      report (options.report_fd, errno, 0, NULL, 0, 0, 0);
      return 0;
    }
  if (child == 0)
    exec_child (&options, error_pipe[1], &original_mask);

  setpgid (child, child);
  close (error_pipe[1]);
  do
    n = read (error_pipe[0], &spawn_errno, sizeof spawn_errno);
  while (n < 0 && errno == EINTR);
  close (error_pipe[0]);
  if (n != (ssize_t) sizeof spawn_errno)
    spawn_errno = 0;

  deadline_ns = options.timeout_ms > 0 ? start_ns + options.timeout_ms * 1000000 : 0;

  for (;;)
    {
      siginfo_t info;
      struct timespec wait_for = { 1, 0 };
      pid_t reaped;
      int sig;

      memset (&ru, 0, sizeof ru);
      reaped = wait4 (child, &status, WNOHANG, &ru);
      if (reaped == child)
        break;
      if (reaped < 0 && errno != EINTR)
        {
          status = 0;
          break;
        }

      if (deadline_ns > 0 && !timed_out && !stopped)
        {
          int64_t left = deadline_ns - now_ns ();

          if (left <= 0)
            {
              timed_out = 1;
              kill (-child, SIGKILL);
              continue;
            }
          if (left < 1000000000)
            {
              wait_for.tv_sec = 0;
              wait_for.tv_nsec = (long) left;
            }
        }

      sig = sigtimedwait (&mask, &info, &wait_for);
      if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
        {
          if (!timed_out)
            stopped = 1;
          kill (-child, SIGKILL);
        }
    }

  wall_ns = now_ns () - start_ns;
  kill_leftovers (child);

  if (spawn_errno != 0)
    report (options.report_fd, spawn_errno, 0, NULL, 0, 0, 0);
  else
    report (options.report_fd, 0, wall_ns, &ru, status, timed_out, stopped);

  return 0;
}

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
 *                        [--pids-max N] [--nested-report-fd FD]
 *                        -- PROGRAM [ARGS...]
 *
 * --processes N   RLIMIT_NPROC: N processes more than the real user runs now. It counts per
 *                 user (per user namespace), and the kernel ignores it for root.
 * --pids-max N    when a pids cgroup is writable here (typically only for root), the program
 *                 runs in a child cgroup with pids.max N, which also contains root's fork bombs.
 * --nested-report-fd FD
 *                 PROGRAM is a sandbox launcher (bwrap, flatpak-spawn) that runs a second copy
 *                 of this helper inside the sandbox, reporting on FD. That inner report (exact
 *                 rusage and status of the program) is forwarded; on timeout or Stop the
 *                 launcher first gets SIGTERM (flatpak-spawn forwards it), then SIGKILL.
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
#include <sys/stat.h>
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
  long long pids_max;
  int       nested_report_fd;
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
  options->pids_max = 0;
  options->nested_report_fd = -1;
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
      else if (strcmp (argv[i], "--pids-max") == 0)
        target = &options->pids_max;
      else if (strcmp (argv[i], "--report-fd") == 0 ||
               strcmp (argv[i], "--nested-report-fd") == 0)
        {
          if (i + 1 >= argc || parse_number (argv[i + 1], &report_fd) < 0 || report_fd > 1024)
            return -1;
          if (argv[i][2] == 'r')
            options->report_fd = (int) report_fd;
          else if (report_fd > 2)
            options->nested_report_fd = (int) report_fd;
          else
            return -1;
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

/* Tasks (threads count: RLIMIT_NPROC counts them) whose real user id is @uid, as far as this
 * /proc shows: inside a user namespace that is the namespace's own count, as the limit. */
static long long
count_user_tasks (uid_t uid)
{
  DIR *proc = opendir ("/proc");
  struct dirent *entry;
  long long count = 0;

  if (proc == NULL)
    return 0;

  while ((entry = readdir (proc)) != NULL)
    {
      char path[300], line[256];
      FILE *status;
      long real_uid = -1, threads = 1;

      if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
        continue;
      snprintf (path, sizeof path, "/proc/%s/status", entry->d_name);
      status = fopen (path, "re");
      if (status == NULL)
        continue;
      while (fgets (line, sizeof line, status) != NULL)
        {
          if (strncmp (line, "Uid:", 4) == 0)
            real_uid = strtol (line + 4, NULL, 10);
          else if (strncmp (line, "Threads:", 8) == 0)
            threads = strtol (line + 8, NULL, 10);
        }
      fclose (status);
      if (real_uid == (long) uid)
        count += threads;
    }
  closedir (proc);

  return count;
}

/* Our own cgroup in a hierarchy with the pids controller: v1 ("N:...pids...:/path") or v2
 * ("0::/path", when pids is among its controllers). Writes the folder into @dir. */
static int
find_pids_cgroup (char   *dir,
                  size_t  size)
{
  FILE *file = fopen ("/proc/self/cgroup", "re");
  char line[1024];
  int found = 0;

  if (file == NULL)
    return -1;

  while (!found && fgets (line, sizeof line, file) != NULL)
    {
      char *controllers = strchr (line, ':');
      char *path = controllers != NULL ? strchr (controllers + 1, ':') : NULL;
      char *token, *save = NULL;

      if (path == NULL)
        continue;
      *path++ = '\0';
      controllers++;
      path[strcspn (path, "\n")] = '\0';

      if (*controllers == '\0')
        {
          char probe[1200];

          snprintf (probe, sizeof probe, "/sys/fs/cgroup%s/cgroup.controllers", path);
          if (access (probe, R_OK) == 0)
            {
              snprintf (dir, size, "/sys/fs/cgroup%s", strcmp (path, "/") == 0 ? "" : path);
              found = 2;
            }
          continue;
        }

      for (token = strtok_r (controllers, ",", &save); token != NULL;
           token = strtok_r (NULL, ",", &save))
        if (strcmp (token, "pids") == 0)
          {
            snprintf (dir, size, "/sys/fs/cgroup/pids%s", strcmp (path, "/") == 0 ? "" : path);
            found = 1;
          }
    }
  fclose (file);

  return found ? 0 : -1;
}

static int
write_file (const char *path,
            const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return -1;
  n = write (fd, text, strlen (text));
  close (fd);

  return n == (ssize_t) strlen (text) ? 0 : -1;
}

/* A helper that was killed outright (SIGKILL) leaves its empty cgroup behind: remove those
 * whose helper is gone (rmdir refuses a cgroup that still holds a process). */
static void
remove_stale_cgroups (const char *parent)
{
  DIR *dir = opendir (parent);
  struct dirent *entry;

  if (dir == NULL)
    return;
  while ((entry = readdir (dir)) != NULL)
    {
      char path[1200];
      long pid;

      if (strncmp (entry->d_name, "kiln-run-", 9) != 0)
        continue;
      pid = strtol (entry->d_name + 9, NULL, 10);
      if (pid <= 0 || (kill ((pid_t) pid, 0) == 0 || errno != ESRCH))
        continue;
      snprintf (path, sizeof path, "%s/%s", parent, entry->d_name);
      rmdir (path);
    }
  closedir (dir);
}

/* Makes a child cgroup limited to @pids_max tasks; returns the open cgroup.procs of it (the
 * forked child writes itself there), or -1 when no pids cgroup is writable here. */
static int
make_pids_cgroup (long long  pids_max,
                  char      *dir,
                  size_t     size)
{
  char parent[900], path[1100], number[32];
  int procs;

  if (find_pids_cgroup (parent, sizeof parent) < 0)
    return -1;
  remove_stale_cgroups (parent);
  snprintf (dir, size, "%s/kiln-run-%ld", parent, (long) getpid ());
  if (mkdir (dir, 0755) < 0)
    return -1;

  snprintf (path, sizeof path, "%.1000s/pids.max", dir);
  snprintf (number, sizeof number, "%lld", pids_max);
  if (write_file (path, number) < 0)
    {
      rmdir (dir);
      return -1;
    }

  snprintf (path, sizeof path, "%.1000s/cgroup.procs", dir);
  procs = open (path, O_WRONLY | O_CLOEXEC);
  if (procs < 0)
    rmdir (dir);

  return procs;
}

/* Kills every task in the cgroup until it is empty, then removes it. */
static void
remove_pids_cgroup (const char *dir)
{
  char path[1100];
  int round;

  snprintf (path, sizeof path, "%.1000s/cgroup.kill", dir);
  write_file (path, "1");

  snprintf (path, sizeof path, "%.1000s/cgroup.procs", dir);
  for (round = 0; round < 500; round++)
    {
      FILE *procs = fopen (path, "re");
      long pid;
      int found = 0;

      if (procs == NULL)
        break;
      while (fscanf (procs, "%ld", &pid) == 1)
        {
          kill ((pid_t) pid, SIGKILL);
          found++;
        }
      fclose (procs);
      while (waitpid (-1, NULL, WNOHANG) > 0)
        ;
      if (found == 0)
        break;
      {
        struct timespec pause = { 0, 1000 * 1000 };
        nanosleep (&pause, NULL);
      }
    }

  rmdir (dir);
}

/* In the forked child, before exec: only async-signal-safe calls from here on. */
static void
exec_child (const Options *options,
            int            error_fd,
            const sigset_t *original_mask,
            int            cgroup_procs,
            long long      processes,
            int            nested_write_fd)
{
  int saved_errno;

  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);

  if (cgroup_procs >= 0)
    {
      char number[32];
      int len = snprintf (number, sizeof number, "%ld", (long) getpid ());

      if (write (cgroup_procs, number, (size_t) len) != len)
        _exit (126);
      close (cgroup_procs);
    }

  if (nested_write_fd >= 0)
    {
      if (nested_write_fd == options->nested_report_fd)
        fcntl (nested_write_fd, F_SETFD, 0);
      else if (dup2 (nested_write_fd, options->nested_report_fd) < 0)
        _exit (126);
    }

  set_limit (RLIMIT_CORE, 0);
  if (options->cpu_seconds > 0)
    set_limit (RLIMIT_CPU, options->cpu_seconds);
  if (options->address_space_mib > 0)
    set_limit (RLIMIT_AS, options->address_space_mib * 1024 * 1024);
  if (options->file_size_mib > 0)
    set_limit (RLIMIT_FSIZE, options->file_size_mib * 1024 * 1024);
  if (processes > 0)
    set_limit (RLIMIT_NPROC, processes);

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
write_all (int         fd,
           const char *p,
           size_t      left)
{
  if (fd < 0)
    return;

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
    write_all (fd, buf, (size_t) len);
}

/* Timeout or Stop. A sandbox launcher gets a chance to pass SIGTERM on to the inner helper
 * (flatpak-spawn does; bwrap dies and --die-with-parent takes the sandbox down). */
static void
end_child (pid_t    child,
           int      nested,
           int64_t *kill_at_ns)
{
  if (!nested)
    {
      kill (-child, SIGKILL);
      return;
    }

  kill (child, SIGTERM);
  *kill_at_ns = now_ns () + 500 * 1000 * 1000;
}

static int
nested_report_complete (const char *text,
                        size_t      len)
{
  if (len == 0 || strncmp (text, "kiln-run-helper 1\n", 18) != 0)
    return 0;

  return strstr (text, "\nexit ") != NULL || strstr (text, "\nsignal ") != NULL ||
         strstr (text, "\nspawn-errno ") != NULL;
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
  int64_t start_ns, deadline_ns, wall_ns, kill_at_ns = 0;
  struct rusage ru;
  pid_t child;
  ssize_t n;
  long long processes = 0;
  char cgroup_dir[1100];
  int cgroup_procs = -1;
  int nested_pipe[2] = { -1, -1 };
  char nested[1024];
  size_t nested_len = 0;

  if (parse_options (argc, argv, &options) < 0)
    {
      fprintf (stderr,
               "usage: kiln-run-helper [--timeout-ms N] [--report-fd FD] [--cpu-seconds N]\n"
               "       [--address-space-mib N] [--file-size-mib N] [--processes N]\n"
               "       [--pids-max N] [--nested-report-fd FD] -- PROGRAM [ARGS...]\n");
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

  if (options.processes > 0 && getuid () != 0)
    processes = count_user_tasks (getuid ()) + options.processes;
  if (options.pids_max > 0)
    cgroup_procs = make_pids_cgroup (options.pids_max, cgroup_dir, sizeof cgroup_dir);
  if (options.nested_report_fd >= 0 && pipe2 (nested_pipe, O_CLOEXEC) < 0)
    nested_pipe[0] = nested_pipe[1] = -1;

  start_ns = now_ns ();
  child = fork ();
  if (child < 0)
    {
      report (options.report_fd, errno, 0, NULL, 0, 0, 0);
      return 0;
    }
  if (child == 0)
    exec_child (&options, error_pipe[1], &original_mask, cgroup_procs, processes,
                nested_pipe[1]);

  setpgid (child, child);
  close (error_pipe[1]);
  if (cgroup_procs >= 0)
    close (cgroup_procs);
  if (nested_pipe[1] >= 0)
    close (nested_pipe[1]);
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

      if (kill_at_ns > 0)
        {
          int64_t left = kill_at_ns - now_ns ();

          if (left <= 0)
            {
              kill_at_ns = 0;
              kill (-child, SIGKILL);
              continue;
            }
          if (left < 1000000000)
            {
              wait_for.tv_sec = 0;
              wait_for.tv_nsec = (long) left;
            }
        }
      else if (deadline_ns > 0 && !timed_out && !stopped)
        {
          int64_t left = deadline_ns - now_ns ();

          if (left <= 0)
            {
              timed_out = 1;
              end_child (child, options.nested_report_fd >= 0, &kill_at_ns);
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
          /* A second request does not wait for the launcher any more. */
          if (kill_at_ns > 0)
            kill_at_ns = now_ns ();
          else
            end_child (child, options.nested_report_fd >= 0, &kill_at_ns);
        }
    }

  wall_ns = now_ns () - start_ns;
  kill_leftovers (child);
  if (cgroup_procs >= 0)
    remove_pids_cgroup (cgroup_dir);

  if (nested_pipe[0] >= 0)
    {
      fcntl (nested_pipe[0], F_SETFL, O_NONBLOCK);
      while (nested_len < sizeof nested - 1)
        {
          n = read (nested_pipe[0], nested + nested_len, sizeof nested - 1 - nested_len);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          nested_len += (size_t) n;
        }
      nested[nested_len] = '\0';
      close (nested_pipe[0]);
    }

  if (spawn_errno != 0)
    report (options.report_fd, spawn_errno, 0, NULL, 0, 0, 0);
  else if (nested_report_complete (nested, nested_len))
    {
      /* The inner helper saw the program itself; we only add what happened out here. Later
       * lines win when the report is read. */
      char flags[64];
      int len = snprintf (flags, sizeof flags, "timed-out %d\nstopped %d\n",
                          timed_out, stopped);

      write_all (options.report_fd, nested, nested_len);
      if (timed_out || stopped)
        write_all (options.report_fd, flags, (size_t) len);
    }
  else
    {
      /* Ended from out here before the inside could tell: the program was killed. */
      if (options.nested_report_fd >= 0 && (timed_out || stopped))
        status = SIGKILL;
      report (options.report_fd, 0, wall_ns, &ru, status, timed_out, stopped);
    }

  return 0;
}

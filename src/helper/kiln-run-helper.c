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
 *                        [--memory-mib N] [--address-space-mib N] [--file-size-mib N]
 *                        [--processes N] [--pids-max N] [--nested-report-fd FD]
 *                        -- PROGRAM [ARGS...]
 *
 * --memory-mib N  the memory the program (with its children) may use. Where a memory cgroup
 *                 is writable here (typically for root), a child cgroup with memory.max N
 *                 (memory.limit_in_bytes on cgroup v1), without swap: it counts the pages
 *                 really used, so threads and untouched reservations cost nothing, and a
 *                 program over it is killed by the kernel and reported as "memory-exceeded 1".
 *                 Elsewhere RLIMIT_AS of 4 N: address space also counts what is reserved but
 *                 never touched (8 MiB of stack per thread, 64 MiB malloc arenas), so a cap of
 *                 N itself would stop a program with a few hundred threads.
 * --address-space-mib N
 *                 RLIMIT_AS of N, whatever else applies.
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
  long long memory_mib;
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
  options->memory_mib = 0;
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
      else if (strcmp (argv[i], "--memory-mib") == 0)
        target = &options->memory_mib;
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

/* A child cgroup of ours that the program runs in. */
typedef struct
{
  char dir[1100];  /* "" when not in use */
  int  procs;      /* its cgroup.procs, open for the forked child; -1 when shared */
  int  v2;         /* on the unified hierarchy */
} Cgroup;

static int
has_word (const char *list,
          const char *word,
          const char *separators)
{
  size_t len = strlen (word);
  const char *p = list;

  while ((p = strstr (p, word)) != NULL)
    {
      int starts = p == list || strchr (separators, p[-1]) != NULL;
      int ends = p[len] == '\0' || strchr (separators, p[len]) != NULL;

      if (starts && ends)
        return 1;
      p += len;
    }

  return 0;
}

/* Our own cgroup in a hierarchy with @controller: cgroup v1 ("N:…controller…:/path",
 * mounted at /sys/fs/cgroup/<controllers>) wins; else v2 ("0::/path") when its
 * cgroup.controllers lists @controller. Writes the folder into @dir. */
static int
find_cgroup (const char *controller,
             char       *dir,
             size_t      size,
             int        *v2)
{
  FILE *file = fopen ("/proc/self/cgroup", "re");
  char line[1024];
  int found = 0;

  if (file == NULL)
    return -1;

  while (found != 1 && fgets (line, sizeof line, file) != NULL)
    {
      char *controllers = strchr (line, ':');
      char *path = controllers != NULL ? strchr (controllers + 1, ':') : NULL;

      if (path == NULL)
        continue;
      *path++ = '\0';
      controllers++;
      path[strcspn (path, "\n")] = '\0';
      if (strcmp (path, "/") == 0)
        path = (char *) "";

      if (*controllers == '\0')
        {
          char probe[1200], list[512] = "";
          FILE *available;

          snprintf (probe, sizeof probe, "/sys/fs/cgroup%s/cgroup.controllers", path);
          if ((available = fopen (probe, "re")) == NULL)
            continue;
          if (fgets (list, sizeof list, available) != NULL)
            list[strcspn (list, "\n")] = '\0';
          fclose (available);
          if (!has_word (list, controller, " "))
            continue;
          snprintf (dir, size, "/sys/fs/cgroup%s", path);
          *v2 = 1;
          found = 2;
        }
      else if (has_word (controllers, controller, ","))
        {
          snprintf (dir, size, "/sys/fs/cgroup/%s%s", controllers, path);
          *v2 = 0;
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

static int
write_cgroup_file (const Cgroup *cgroup,
                   const char   *name,
                   const char   *text)
{
  char path[1200];

  snprintf (path, sizeof path, "%.1000s/%s", cgroup->dir, name);
  return write_file (path, text);
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

/* Puts the program into a child cgroup of ours in the hierarchy of @controller, with @value
 * written into its @limit_file. On the unified hierarchy every controller shares one cgroup:
 * when @other already made it, the limit goes there too. -1 (and @cgroup unused) when no
 * such cgroup is writable here. */
static int
limit_in_cgroup (const char   *controller,
                 const char   *limit_file,
                 const char   *value,
                 Cgroup       *cgroup,
                 const Cgroup *other)
{
  char parent[900], path[1200];

  cgroup->dir[0] = '\0';
  cgroup->procs = -1;
  if (find_cgroup (controller, parent, sizeof parent, &cgroup->v2) < 0)
    return -1;
  snprintf (cgroup->dir, sizeof cgroup->dir, "%s/kiln-run-%ld", parent, (long) getpid ());

  if (other != NULL && other->dir[0] != '\0' && strcmp (other->dir, cgroup->dir) == 0)
    {
      if (write_cgroup_file (cgroup, limit_file, value) < 0)
        {
          cgroup->dir[0] = '\0';
          return -1;
        }
      return 0;
    }

  remove_stale_cgroups (parent);
  if (mkdir (cgroup->dir, 0755) < 0)
    {
      cgroup->dir[0] = '\0';
      return -1;
    }
  snprintf (path, sizeof path, "%.1000s/cgroup.procs", cgroup->dir);
  if (write_cgroup_file (cgroup, limit_file, value) < 0 ||
      (cgroup->procs = open (path, O_WRONLY | O_CLOEXEC)) < 0)
    {
      rmdir (cgroup->dir);
      cgroup->dir[0] = '\0';
      return -1;
    }

  return 0;
}

/* memory.max (v2) or memory.limit_in_bytes (v1) of @mib, and no swap on top, so the limit
 * means memory and timings never include paging. */
static int
limit_memory (long long     mib,
              Cgroup       *cgroup,
              const Cgroup *other)
{
  char bytes[32], parent[900];
  int v2 = 0;

  if (find_cgroup ("memory", parent, sizeof parent, &v2) < 0)
    return -1;
  snprintf (bytes, sizeof bytes, "%lld", mib * 1024 * 1024);
  if (limit_in_cgroup ("memory", v2 ? "memory.max" : "memory.limit_in_bytes", bytes,
                       cgroup, other) < 0)
    return -1;

  /* Where swap is accounted; memory+swap on v1 must not be below the memory limit. */
  if (v2)
    write_cgroup_file (cgroup, "memory.swap.max", "0");
  else
    write_cgroup_file (cgroup, "memory.memsw.limit_in_bytes", bytes);

  return 0;
}

/* How many times the kernel killed a task of @cgroup for memory ("oom_kill N" in
 * memory.events on v2, memory.oom_control on v1). */
static long long
count_oom_kills (const Cgroup *cgroup)
{
  char path[1200], line[256];
  long long kills = 0;
  FILE *file;

  if (cgroup->dir[0] == '\0')
    return 0;
  snprintf (path, sizeof path, "%.1000s/%s", cgroup->dir,
            cgroup->v2 ? "memory.events" : "memory.oom_control");
  if ((file = fopen (path, "re")) == NULL)
    return 0;
  while (fgets (line, sizeof line, file) != NULL)
    if (strncmp (line, "oom_kill ", 9) == 0)
      kills = strtoll (line + 9, NULL, 10);
  fclose (file);

  return kills;
}

/* Kills every task in the cgroup until it is empty, then removes it. */
static void
remove_cgroup (Cgroup *cgroup)
{
  char path[1100];
  int round;

  if (cgroup->dir[0] == '\0')
    return;
  if (cgroup->v2)
    write_cgroup_file (cgroup, "cgroup.kill", "1");

  snprintf (path, sizeof path, "%.1000s/cgroup.procs", cgroup->dir);
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

  rmdir (cgroup->dir);
  cgroup->dir[0] = '\0';
}

/* In the forked child, before exec: only async-signal-safe calls from here on. */
static void
exec_child (const Options *options,
            int            error_fd,
            const sigset_t *original_mask,
            const Cgroup  *cgroups,
            int            n_cgroups,
            long long      processes,
            long long      address_space_mib,
            int            nested_write_fd)
{
  int saved_errno;

  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);

  for (int i = 0; i < n_cgroups; i++)
    if (cgroups[i].procs >= 0)
      {
        char number[32];
        int len = snprintf (number, sizeof number, "%ld", (long) getpid ());

        if (write (cgroups[i].procs, number, (size_t) len) != len)
          _exit (126);
        close (cgroups[i].procs);
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
  if (address_space_mib > 0)
    set_limit (RLIMIT_AS, address_space_mib * 1024 * 1024);
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
  long long address_space_mib = 0;
  Cgroup cgroups[2];   /* pids, memory */
  int memory_exceeded = 0;
  int nested_pipe[2] = { -1, -1 };
  char nested[1024];
  size_t nested_len = 0;

  if (parse_options (argc, argv, &options) < 0)
    {
      fprintf (stderr,
               "usage: kiln-run-helper [--timeout-ms N] [--report-fd FD] [--cpu-seconds N]\n"
               "       [--memory-mib N] [--address-space-mib N] [--file-size-mib N]\n"
               "       [--processes N] [--pids-max N] [--nested-report-fd FD]\n"
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

  if (options.processes > 0 && getuid () != 0)
    processes = count_user_tasks (getuid ()) + options.processes;
  cgroups[0].dir[0] = cgroups[1].dir[0] = '\0';
  cgroups[0].procs = cgroups[1].procs = -1;
  if (options.pids_max > 0)
    {
      char number[32];

      snprintf (number, sizeof number, "%lld", options.pids_max);
      limit_in_cgroup ("pids", "pids.max", number, &cgroups[0], NULL);
    }
  address_space_mib = options.address_space_mib;
  if (options.memory_mib > 0 && limit_memory (options.memory_mib, &cgroups[1], &cgroups[0]) < 0)
    {
      long long fallback = options.memory_mib * 4;

      if (address_space_mib == 0 || fallback < address_space_mib)
        address_space_mib = fallback;
    }
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
    exec_child (&options, error_pipe[1], &original_mask, cgroups, 2, processes,
                address_space_mib, nested_pipe[1]);

  setpgid (child, child);
  close (error_pipe[1]);
  for (int i = 0; i < 2; i++)
    if (cgroups[i].procs >= 0)
      close (cgroups[i].procs);
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
  memory_exceeded = count_oom_kills (&cgroups[1]) > 0;
  /* The memory cgroup first: on the unified hierarchy it may be the pids one too. */
  remove_cgroup (&cgroups[1]);
  remove_cgroup (&cgroups[0]);

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
  /* The kernel killed a task for going over the memory cgroup's limit. */
  if (spawn_errno == 0 && memory_exceeded)
    write_all (options.report_fd, "memory-exceeded 1\n", 18);

  return 0;
}

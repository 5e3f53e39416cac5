/* procwarden's native code: the few libc calls Node does not offer, as a Node-API addon
 * against libc alone. src/native/libc.ts gives them their JavaScript shape; every function
 * here takes and returns plain numbers, booleans and Buffers.
 *
 * Built by scripts/native-addon.ts with the machine's C compiler against Node's own
 * node_api.h; linked with -z now so that nothing is resolved lazily inside the spawned
 * child, which shares procwarden's memory until it execs. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <malloc.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <node_api.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The kernel's sigset is 64 bits on x86_64 (glibc's sigset_t is 1024: not what the
 * rt_sig* system calls take). */
#define KERNEL_SIGSET_BYTES 8
#define LAST_SIGNAL 64

/* The kernel's struct sigaction for rt_sigaction (not glibc's, which differs in layout). */
struct kernel_sigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
};

/* ---- Node-API plumbing ------------------------------------------------------------- */

#define CHECK(call)                                                                     \
  do {                                                                                  \
    if ((call) != napi_ok) return NULL;                                                 \
  } while (0)

static napi_value throw_type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static napi_value make_int(napi_env env, int64_t value) {
  napi_value result;
  return napi_create_int64(env, value, &result) == napi_ok ? result : NULL;
}

static napi_value make_bool(napi_env env, int value) {
  napi_value result;
  return napi_get_boolean(env, value != 0, &result) == napi_ok ? result : NULL;
}

/* The `count` arguments of a call, each required to be a number, as ints. */
static int int_args(napi_env env, napi_callback_info info, int *out, size_t count) {
  napi_value argv[4];
  size_t argc = 4;
  if (count > 4 || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < count) {
    throw_type_error(env, "procwarden libc: too few arguments");
    return 0;
  }
  for (size_t i = 0; i < count; i++) {
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) {
      throw_type_error(env, "procwarden libc: expected a number");
      return 0;
    }
  }
  return 1;
}

/* ---- waiting for children ----------------------------------------------------------- */

/* waitpid(pid, WNOHANG): the wait status, or -1 when the child has not changed state. */
static napi_value reap_if_exited(napi_env env, napi_callback_info info) {
  int pid;
  if (!int_args(env, info, &pid, 1)) return NULL;
  int status = 0;
  pid_t reaped = waitpid(pid, &status, WNOHANG);
  return make_int(env, reaped > 0 ? status : -1);
}

/* The pid of an exited child left unreaped (WNOWAIT), or 0. */
static napi_value peek_exited_child(napi_env env, napi_callback_info info) {
  (void)info;
  siginfo_t child;
  memset(&child, 0, sizeof child);
  if (waitid(P_ALL, 0, &child, WEXITED | WNOHANG | WNOWAIT) != 0) return make_int(env, 0);
  return make_int(env, child.si_pid);
}

/* Whether the process has any child, running or exited (waitid answers ECHILD when it has
 * none); nothing is reaped. */
static napi_value has_children(napi_env env, napi_callback_info info) {
  (void)info;
  siginfo_t child;
  memset(&child, 0, sizeof child);
  bool none = waitid(P_ALL, 0, &child, WEXITED | WNOHANG | WNOWAIT) != 0 && errno == ECHILD;
  napi_value result;
  CHECK(napi_get_boolean(env, !none, &result));
  return result;
}

/* The signal that stopped child pid since the last call (its stop report taken, the child
 * left unreaped), or 0. */
static napi_value stopped_by(napi_env env, napi_callback_info info) {
  int pid;
  if (!int_args(env, info, &pid, 1)) return NULL;
  siginfo_t child;
  memset(&child, 0, sizeof child);
  if (pid <= 0 || waitid(P_PID, (id_t)pid, &child, WSTOPPED | WNOHANG) != 0) return make_int(env, 0);
  return make_int(env, child.si_pid == pid ? child.si_status : 0);
}

static napi_value become_subreaper(napi_env env, napi_callback_info info) {
  (void)info;
  return make_bool(env, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
}

/* ---- signals, terminal, process ----------------------------------------------------- */

static napi_value ignore_signal(napi_env env, napi_callback_info info) {
  int signal_number;
  if (!int_args(env, info, &signal_number, 1)) return NULL;
  struct sigaction ignore;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  return make_bool(env, sigaction(signal_number, &ignore, NULL) == 0);
}

static napi_value set_foreground(napi_env env, napi_callback_info info) {
  int args[2];
  if (!int_args(env, info, args, 2)) return NULL;
  return make_bool(env, args[1] > 0 && tcsetpgrp(args[0], args[1]) == 0);
}

static napi_value owns_foreground_of(napi_env env, napi_callback_info info) {
  int fd;
  if (!int_args(env, info, &fd, 1)) return NULL;
  if (isatty(fd) != 1) return make_bool(env, 0);
  pid_t foreground = tcgetpgrp(fd);
  return make_bool(env, foreground > 0 && foreground == getpgrp());
}

static napi_value exit_now(napi_env env, napi_callback_info info) {
  int code;
  if (!int_args(env, info, &code, 1)) return NULL;
  _exit(code);
}

/* ---- spawn -------------------------------------------------------------------------- */

/* Everything the child needs, prepared by the parent: the child shares the parent's memory
 * (CLONE_VM) and may only make async-signal-safe calls, so it allocates nothing. */
struct spawn_plan {
  char **paths; /* execve candidates, in order: the file itself, or each PATH entry + file */
  char **argv;
  char **envp;
  int *fds; /* 0, 1, 2 and the descriptors the app inherits */
  size_t fd_count;
  int take_terminal;
  int stdout_fd; /* becomes the app's 1 when >= 0 (a pipe procwarden reads) */
  int stderr_fd; /* becomes the app's 2 when >= 0 */
  char *listen_pid_digits; /* room for the pid after "LISTEN_PID=", or NULL */
  int error; /* written by the child when it cannot exec: an errno */
};

#define LISTEN_PID "LISTEN_PID="
#define PID_DIGITS 12

/* The child's stack. Its own, since it runs while the parent's frames stay live beneath;
 * static, so that a spawn maps nothing. Only one spawn runs at a time (Node's main thread). */
static char child_stack[64 * 1024] __attribute__((aligned(16)));

static void write_digits(char *out, long value) {
  char reversed[PID_DIGITS];
  int n = 0;
  do {
    reversed[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < PID_DIGITS - 1);
  while (n > 0) *out++ = reversed[--n];
  *out = '\0';
}

static int child_main(void *argument) {
  struct spawn_plan *plan = argument;

  /* Every signal back to SIG_DFL, 32 and 33 included: glibc's sigaction refuses those two
   * (its own internal signals) and its posix_spawn leaves them SIG_IGN in the child, so
   * this goes to the kernel directly. Signals are all blocked here (the parent blocked
   * them before clone), so none can run one of procwarden's handlers in this child. */
  struct kernel_sigaction default_action;
  memset(&default_action, 0, sizeof default_action);
  default_action.handler = SIG_DFL;
  for (int sig = 1; sig <= LAST_SIGNAL; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    syscall(SYS_rt_sigaction, sig, &default_action, NULL, KERNEL_SIGSET_BYTES);
  }

  /* A process group of its own (pgid = its pid): procwarden signals the app and whatever
   * it starts in its group, never itself. Set here rather than in the parent, which is
   * suspended until the exec, after which setpgid on the child would fail. */
  if (setpgid(0, 0) != 0) goto fail;
  pid_t self = (pid_t)syscall(SYS_getpid);

  /* tcsetpgrp from a background group stops the caller with SIGTTOU unless SIGTTOU is
   * ignored or blocked; it is blocked here. A terminal that cannot be taken (hung up) does
   * not keep the app from starting: it runs in the background. */
  if (plan->take_terminal) ioctl(0, TIOCSPGRP, &self);

  /* Output through procwarden (PROCWARDEN_PREFIX): the pipes' write ends become 1 and 2. */
  if (plan->stdout_fd >= 0 && syscall(SYS_dup2, plan->stdout_fd, 1) < 0) goto fail;
  if (plan->stderr_fd >= 0 && syscall(SYS_dup2, plan->stderr_fd, 2) < 0) goto fail;

  /* Nothing of procwarden's reaches the app: every descriptor above 2 is marked
   * close-on-exec (Node opens its own so already; this covers any that was not), then the
   * inherited ones have the mark cleared (Node set it on them). close_range is Linux 5.11+;
   * where it is missing, Node's own marks stand. */
  syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  for (size_t i = 0; i < plan->fd_count; i++) syscall(SYS_fcntl, plan->fds[i], F_SETFD, 0);

  if (plan->listen_pid_digits) write_digits(plan->listen_pid_digits, self);

  /* An empty mask: the app must not inherit procwarden's blocked signals. A signal sent to
   * the new group meanwhile is delivered now, at its default action, as it would be to the
   * app. */
  uint64_t no_signals = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &no_signals, NULL, KERNEL_SIGSET_BYTES);

  /* posix_spawnp's PATH search (glibc's __execvpex): EACCES from one entry is remembered
   * and reported if no later entry runs; "not there" errors go on to the next entry; any
   * other (ENOEXEC, E2BIG, ...) ends the search. Unlike execvp, a file without #! is not
   * handed to /bin/sh: ENOEXEC is reported. */
  int saw_eacces = 0;
  for (char **path = plan->paths; *path; path++) {
    execve(*path, plan->argv, plan->envp);
    switch (errno) {
    case EACCES:
      saw_eacces = 1;
      /* fall through */
    case ENOENT:
    case ESTALE:
    case ENOTDIR:
    case ENODEV:
    case ETIMEDOUT:
      continue;
    default:
      goto fail;
    }
  }
  if (saw_eacces) errno = EACCES;
fail:
  plan->error = errno ? errno : ENOENT;
  _exit(127);
}

/* A Buffer's bytes as a NUL-terminated string copied to *cursor, which advances. */
static char *copy_string(const void *bytes, size_t length, char **cursor) {
  char *start = *cursor;
  memcpy(start, bytes, length);
  start[length] = '\0';
  *cursor += length + 1;
  return start;
}

struct buffer_list {
  uint32_t count;
  const void **data;
  size_t *length;
  size_t total; /* bytes, one NUL each included */
};

/* The Buffers of a JavaScript array, borrowed (valid while the call lasts). */
static int read_buffer_list(napi_env env, napi_value array, struct buffer_list *list) {
  bool is_array = false;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array) return 0;
  if (napi_get_array_length(env, array, &list->count) != napi_ok) return 0;
  list->data = calloc(list->count + 1, sizeof *list->data);
  list->length = calloc(list->count + 1, sizeof *list->length);
  list->total = 0;
  if (!list->data || !list->length) return 0;
  for (uint32_t i = 0; i < list->count; i++) {
    napi_value element;
    bool is_buffer = false;
    void *data;
    if (napi_get_element(env, array, i, &element) != napi_ok) return 0;
    if (napi_is_buffer(env, element, &is_buffer) != napi_ok || !is_buffer) return 0;
    if (napi_get_buffer_info(env, element, &data, &list->length[i]) != napi_ok) return 0;
    list->data[i] = data;
    list->total += list->length[i] + 1;
  }
  return 1;
}

static void free_buffer_list(struct buffer_list *list) {
  free(list->data);
  free(list->length);
}

static int is_listen_pid(const void *bytes, size_t length) {
  return length >= sizeof LISTEN_PID - 1 && memcmp(bytes, LISTEN_PID, sizeof LISTEN_PID - 1) == 0;
}

/* Forks and execs, returning the child's pid, or -errno when it could not exec. */
static long spawn_with(struct spawn_plan *plan) {
  /* Every signal blocked across clone, 32 and 33 included (so through the kernel, not
   * glibc): the child shares this memory, and a handler of procwarden's running in it
   * (libuv's writes to its signal pipe) would act for the parent. */
  uint64_t all_signals = ~(uint64_t)0, saved;
  syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all_signals, &saved, KERNEL_SIGSET_BYTES);
  /* CLONE_VM | CLONE_VFORK: the child borrows the parent's memory instead of a copy of its
   * page tables (Node maps a lot), and the parent sleeps until the child has exec'd or
   * exited, so plan->error is settled when clone returns. */
  plan->error = 0;
  pid_t pid = clone(child_main, child_stack + sizeof child_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, plan);
  int clone_errno = errno;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &saved, NULL, KERNEL_SIGSET_BYTES);
  if (pid < 0) return -clone_errno;
  if (plan->error) {
    /* Reaped here, as posix_spawn does: the caller only ever learns of an app that ran. */
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    return -plan->error;
  }
  return pid;
}

/* spawn(file, argv, env, fds, takeTerminal, listenPid[, stdoutFd, stderrFd]): the pid, or
 * -errno. A stdoutFd or stderrFd of -1 (or none) leaves procwarden's own. */
static napi_value spawn(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  size_t argc = 8;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) return throw_type_error(env, "procwarden libc: spawn takes 6 arguments");

  void *file;
  size_t file_length;
  bool is_buffer = false;
  if (napi_is_buffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer) return throw_type_error(env, "spawn: file must be a Buffer");
  CHECK(napi_get_buffer_info(env, argv[0], &file, &file_length));

  struct buffer_list args = {0}, vars = {0};
  uint32_t fd_count = 0;
  bool take_terminal = false, listen_pid = false;
  napi_value result = NULL;
  char *block = NULL;
  if (!read_buffer_list(env, argv[1], &args) || !read_buffer_list(env, argv[2], &vars)) {
    throw_type_error(env, "spawn: argv and env must be arrays of Buffers");
    goto done;
  }
  if (napi_get_array_length(env, argv[3], &fd_count) != napi_ok || napi_get_value_bool(env, argv[4], &take_terminal) != napi_ok ||
      napi_get_value_bool(env, argv[5], &listen_pid) != napi_ok) {
    throw_type_error(env, "spawn: fds must be an array of numbers, takeTerminal and listenPid booleans");
    goto done;
  }

  /* The PATH search happens here, not in the child: candidates are built now. As
   * posix_spawnp does, the PATH is procwarden's own (glibc's default when it has none). */
  int has_slash = memchr(file, '/', file_length) != NULL;
  const char *search = has_slash ? "" : getenv("PATH");
  if (!search) search = "/bin:/usr/bin";
  size_t path_count = 1, search_length = strlen(search);
  for (const char *c = search; *c; c++) path_count += *c == ':';

  size_t listen_room = sizeof LISTEN_PID + PID_DIGITS;
  size_t bytes = (path_count + 1 + args.count + 1 + vars.count + 2) * sizeof(char *) + (fd_count + 3) * sizeof(int) +
                 path_count * (search_length + file_length + 2) + file_length + 1 + args.total + vars.total + listen_room;
  block = malloc(bytes);
  if (!block) {
    napi_throw_error(env, NULL, "spawn: out of memory");
    goto done;
  }
  struct spawn_plan plan;
  memset(&plan, 0, sizeof plan);
  plan.paths = (char **)block;
  plan.argv = plan.paths + path_count + 1;
  plan.envp = plan.argv + args.count + 1;
  plan.fds = (int *)(plan.envp + vars.count + 2);
  char *cursor = (char *)(plan.fds + fd_count + 3);

  /* What posix_spawnp reports when there is nothing to try: an empty name, or one too long
   * to be a file name. */
  int nothing_to_try = file_length > NAME_MAX && !has_slash ? ENAMETOOLONG : ENOENT;
  size_t paths = 0;
  if (file_length == 0) {
  } else if (has_slash) {
    plan.paths[paths++] = copy_string(file, file_length, &cursor);
  } else if (file_length <= NAME_MAX) {
    for (const char *entry = search;;) {
      const char *end = strchrnul(entry, ':');
      size_t prefix = (size_t)(end - entry);
      /* An empty entry means the working directory. */
      if (prefix + 1 + file_length < PATH_MAX) {
        char *path = cursor;
        memcpy(cursor, entry, prefix);
        cursor += prefix;
        if (prefix > 0) *cursor++ = '/';
        copy_string(file, file_length, &cursor);
        plan.paths[paths++] = path;
      }
      if (*end == '\0') break;
      entry = end + 1;
    }
  }
  plan.paths[paths] = NULL;

  for (uint32_t i = 0; i < args.count; i++) plan.argv[i] = copy_string(args.data[i], args.length[i], &cursor);
  plan.argv[args.count] = NULL;

  size_t vars_kept = 0;
  for (uint32_t i = 0; i < vars.count; i++) {
    if (listen_pid && is_listen_pid(vars.data[i], vars.length[i])) continue;
    plan.envp[vars_kept++] = copy_string(vars.data[i], vars.length[i], &cursor);
  }
  if (listen_pid) {
    /* Filled in by the child, the only one that knows its pid before exec (systemd's
     * sd_listen_fds checks LISTEN_PID against getpid()). */
    plan.envp[vars_kept++] = cursor;
    memcpy(cursor, LISTEN_PID, sizeof LISTEN_PID - 1);
    plan.listen_pid_digits = cursor + sizeof LISTEN_PID - 1;
    memset(plan.listen_pid_digits, 0, PID_DIGITS + 1);
    cursor += listen_room;
  }
  plan.envp[vars_kept] = NULL;

  plan.fds[0] = 0;
  plan.fds[1] = 1;
  plan.fds[2] = 2;
  plan.fd_count = 3;
  for (uint32_t i = 0; i < fd_count; i++) {
    napi_value element;
    int fd;
    if (napi_get_element(env, argv[3], i, &element) != napi_ok || napi_get_value_int32(env, element, &fd) != napi_ok) {
      throw_type_error(env, "spawn: fds must be an array of numbers");
      goto done;
    }
    plan.fds[plan.fd_count++] = fd;
  }
  plan.take_terminal = take_terminal;
  plan.stdout_fd = plan.stderr_fd = -1;
  if ((argc > 6 && napi_get_value_int32(env, argv[6], &plan.stdout_fd) != napi_ok) ||
      (argc > 7 && napi_get_value_int32(env, argv[7], &plan.stderr_fd) != napi_ok)) {
    throw_type_error(env, "spawn: stdoutFd and stderrFd must be numbers");
    goto done;
  }

  result = make_int(env, plan.paths[0] ? spawn_with(&plan) : -nothing_to_try);

done:
  free(block);
  free_buffer_list(&args);
  free_buffer_list(&vars);
  return result;
}


/* ---- the filesystem, relative to folder descriptors ------------------------------------
 * Node's fs has no *at calls. The snapshot and the reset (src/filesystem/) open every folder
 * without following links and name everything relative to it, so that a symlink put where a
 * folder was can make a call fail, never lead it out of the wipe roots. Names are Buffers
 * (bytes, not UTF-8); every call returns a result >= 0 or -errno, and throws TypeError only
 * for arguments of the wrong type. */

#define STAT_FIELDS 13

/* Argument i as a NUL-terminated name copied into out (size bytes); an empty name when it is
 * null or undefined. -ENAMETOOLONG when it does not fit, 0 on success, -1 after a throw. */
static int name_arg(napi_env env, napi_value value, char *out, size_t size) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return -1;
  if (type == napi_null || type == napi_undefined) {
    out[0] = 0;
    return 0;
  }
  bool is_buffer = false;
  if (napi_is_buffer(env, value, &is_buffer) != napi_ok || !is_buffer) {
    throw_type_error(env, "procwarden fs: expected a Buffer name");
    return -1;
  }
  void *data;
  size_t length;
  if (napi_get_buffer_info(env, value, &data, &length) != napi_ok) return -1;
  if (length >= size || memchr(data, 0, length) != NULL) return -ENAMETOOLONG;
  memcpy(out, data, length);
  out[length] = 0;
  return 0;
}

/* Gets up to `max` arguments; numbers are read as doubles (int64 range: offsets, ids). */
static int fs_args(napi_env env, napi_callback_info info, napi_value *argv, size_t max, size_t needed) {
  size_t argc = max;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < needed) {
    throw_type_error(env, "procwarden fs: too few arguments");
    return 0;
  }
  for (size_t i = argc; i < max; i++) napi_get_undefined(env, &argv[i]);
  return 1;
}

static int number_arg(napi_env env, napi_value value, int64_t *out) {
  if (napi_get_value_int64(env, value, out) != napi_ok) {
    throw_type_error(env, "procwarden fs: expected a number");
    return 0;
  }
  return 1;
}

static void stat_into(const struct stat *st, double *out) {
  out[0] = st->st_mode;
  out[1] = st->st_uid;
  out[2] = st->st_gid;
  out[3] = (double)st->st_size;
  out[4] = (double)st->st_mtim.tv_sec;
  out[5] = (double)st->st_mtim.tv_nsec;
  out[6] = (double)st->st_dev;
  out[7] = (double)st->st_ino;
  out[8] = (double)st->st_nlink;
  out[9] = (double)st->st_rdev;
  out[10] = (double)st->st_blocks;
  out[11] = (double)st->st_ctim.tv_sec;
  out[12] = (double)st->st_ctim.tv_nsec;
}

static napi_value make_stats(napi_env env, size_t count, double **data) {
  napi_value buffer, array;
  if (napi_create_arraybuffer(env, count * STAT_FIELDS * sizeof(double), (void **)data, &buffer) != napi_ok) return NULL;
  if (napi_create_typedarray(env, napi_float64_array, count * STAT_FIELDS, buffer, 0, &array) != napi_ok) return NULL;
  return array;
}

/* openat(dirfd, name, flags | O_CLOEXEC, mode): the descriptor or -errno. */
static napi_value fs_open_at(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int64_t dirfd, flags, mode = 0;
  char name[PATH_MAX];
  if (!fs_args(env, info, argv, 4, 3) || !number_arg(env, argv[0], &dirfd) || !number_arg(env, argv[2], &flags)) return NULL;
  napi_valuetype type;
  napi_typeof(env, argv[3], &type);
  if (type != napi_undefined && !number_arg(env, argv[3], &mode)) return NULL;
  int got = name_arg(env, argv[1], name, sizeof name);
  if (got == -1) return NULL;
  if (got < 0) return make_int(env, got);
  int fd = openat((int)dirfd, name, (int)flags | O_CLOEXEC, (mode_t)mode);
  return make_int(env, fd >= 0 ? fd : -errno);
}

/* fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW), or fstat(dirfd) when name is null: the
 * STAT_FIELDS numbers as a Float64Array, or -errno. */
static napi_value fs_stat_at(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t dirfd;
  char name[PATH_MAX];
  if (!fs_args(env, info, argv, 2, 1) || !number_arg(env, argv[0], &dirfd)) return NULL;
  int got = name_arg(env, argv[1], name, sizeof name);
  if (got == -1) return NULL;
  if (got < 0) return make_int(env, got);
  struct stat st;
  if (fstatat((int)dirfd, name, &st, AT_SYMLINK_NOFOLLOW | (name[0] ? 0 : AT_EMPTY_PATH)) != 0) return make_int(env, -errno);
  double *data;
  napi_value array = make_stats(env, 1, &data);
  if (array) stat_into(&st, data);
  return array;
}

struct scanned {
  char *name;
  struct stat st;
};

static int by_name(const void *a, const void *b) {
  return strcmp(((const struct scanned *)a)->name, ((const struct scanned *)b)->name);
}

/* Every entry of the open folder dirfd but . and .., sorted by name (bytes), each with its
 * lstat: [names (one latin1 string, each name followed by a NUL), Float64Array of
 * STAT_FIELDS a name], or -errno. An entry removed
 * between the listing and its stat is left out. */
static napi_value fs_scan(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t dirfd;
  if (!fs_args(env, info, argv, 1, 1) || !number_arg(env, argv[0], &dirfd)) return NULL;
  int copy = fcntl((int)dirfd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return make_int(env, -errno);
  DIR *dir = fdopendir(copy);
  if (!dir) {
    int failure = errno;
    close(copy);
    return make_int(env, -failure);
  }
  rewinddir(dir);
  size_t count = 0, room = 64;
  struct scanned *entries = malloc(room * sizeof *entries);
  int failure = entries ? 0 : ENOMEM;
  struct dirent *entry;
  while (!failure) {
    errno = 0;
    entry = readdir(dir);
    if (!entry) {
      failure = errno;
      break;
    }
    const char *n = entry->d_name;
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
    if (count == room) {
      struct scanned *more = realloc(entries, (room *= 2) * sizeof *entries);
      if (!more) {
        failure = ENOMEM;
        break;
      }
      entries = more;
    }
    if (fstatat((int)dirfd, n, &entries[count].st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      failure = errno;
      break;
    }
    if (!(entries[count].name = strdup(n))) {
      failure = ENOMEM;
      break;
    }
    count++;
  }
  closedir(dir);
  napi_value result = NULL;
  if (failure) {
    result = make_int(env, -failure);
  } else {
    qsort(entries, count, sizeof *entries, by_name);
    /* The names as one latin1 string, each followed by a NUL: one value for the whole
     * folder, where a Buffer a name cost more than the stats. */
    size_t total = 0;
    for (size_t i = 0; i < count; i++) total += strlen(entries[i].name) + 1;
    char *joined = malloc(total ? total : 1);
    napi_value names, pair;
    double *data;
    napi_value stats = joined ? make_stats(env, count, &data) : NULL;
    if (stats) {
      char *cursor = joined;
      for (size_t i = 0; i < count; i++) {
        size_t length = strlen(entries[i].name) + 1;
        memcpy(cursor, entries[i].name, length);
        cursor += length;
        stat_into(&entries[i].st, data + i * STAT_FIELDS);
      }
      if (napi_create_string_latin1(env, joined, total, &names) == napi_ok && napi_create_array_with_length(env, 2, &pair) == napi_ok &&
          napi_set_element(env, pair, 0, names) == napi_ok && napi_set_element(env, pair, 1, stats) == napi_ok)
        result = pair;
    }
    free(joined);
  }
  for (size_t i = 0; i < count; i++) free(entries[i].name);
  free(entries);
  return result;
}

/* readlinkat(dirfd, name): the target as a Buffer, or -errno. */
static napi_value fs_readlink_at(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t dirfd;
  char name[PATH_MAX], target[PATH_MAX];
  if (!fs_args(env, info, argv, 2, 2) || !number_arg(env, argv[0], &dirfd)) return NULL;
  int got = name_arg(env, argv[1], name, sizeof name);
  if (got == -1) return NULL;
  if (got < 0) return make_int(env, got);
  ssize_t length = readlinkat((int)dirfd, name, target, sizeof target);
  if (length < 0) return make_int(env, -errno);
  if ((size_t)length >= sizeof target) return make_int(env, -ENAMETOOLONG);
  napi_value result;
  return napi_create_buffer_copy(env, (size_t)length, target, NULL, &result) == napi_ok ? result : NULL;
}

/* The calls of the form f(dirfd, name, number, number): 0 (or a result >= 0) or -errno. */
enum name_call { UNLINK_AT, MKDIR_AT, MKNOD_AT, CHOWN_AT, SET_MTIME_AT };

static napi_value name_call(napi_env env, napi_callback_info info, enum name_call which) {
  napi_value argv[5];
  int64_t dirfd, a = 0, b = 0, c = 0;
  char name[PATH_MAX];
  if (!fs_args(env, info, argv, 5, 2) || !number_arg(env, argv[0], &dirfd)) return NULL;
  napi_valuetype type;
  napi_typeof(env, argv[2], &type);
  if (type != napi_undefined && !number_arg(env, argv[2], &a)) return NULL;
  napi_typeof(env, argv[3], &type);
  if (type != napi_undefined && !number_arg(env, argv[3], &b)) return NULL;
  napi_typeof(env, argv[4], &type);
  if (type != napi_undefined && !number_arg(env, argv[4], &c)) return NULL;
  int got = name_arg(env, argv[1], name, sizeof name);
  if (got == -1) return NULL;
  if (got < 0) return make_int(env, got);
  int done = -1;
  switch (which) {
    case UNLINK_AT:
      done = unlinkat((int)dirfd, name, (int)a);
      break;
    case MKDIR_AT:
      done = mkdirat((int)dirfd, name, (mode_t)a);
      break;
    case MKNOD_AT:
      done = mknodat((int)dirfd, name, (mode_t)a, (dev_t)b);
      break;
    case CHOWN_AT:
      done = fchownat((int)dirfd, name, (uid_t)a, (gid_t)b, name[0] ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH);
      break;
    case SET_MTIME_AT: {
      /* The access time is left as it is: only the modification time is compared. */
      struct timespec times[2] = {{0, UTIME_OMIT}, {(time_t)a, (long)b}};
      done = name[0] ? utimensat((int)dirfd, name, times, AT_SYMLINK_NOFOLLOW) : futimens((int)dirfd, times);
      break;
    }
  }
  return make_int(env, done == 0 ? 0 : -errno);
}

static napi_value fs_unlink_at(napi_env env, napi_callback_info info) { return name_call(env, info, UNLINK_AT); }
static napi_value fs_mkdir_at(napi_env env, napi_callback_info info) { return name_call(env, info, MKDIR_AT); }
static napi_value fs_mknod_at(napi_env env, napi_callback_info info) { return name_call(env, info, MKNOD_AT); }
static napi_value fs_chown_at(napi_env env, napi_callback_info info) { return name_call(env, info, CHOWN_AT); }
static napi_value fs_set_mtime_at(napi_env env, napi_callback_info info) { return name_call(env, info, SET_MTIME_AT); }

/* symlinkat(target, dirfd, name): 0 or -errno. */
static napi_value fs_symlink_at(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int64_t dirfd;
  char target[PATH_MAX], name[PATH_MAX];
  if (!fs_args(env, info, argv, 3, 3) || !number_arg(env, argv[1], &dirfd)) return NULL;
  int got = name_arg(env, argv[0], target, sizeof target);
  if (got == -1) return NULL;
  if (got < 0) return make_int(env, got);
  got = name_arg(env, argv[2], name, sizeof name);
  if (got == -1) return NULL;
  if (got < 0) return make_int(env, got);
  return make_int(env, symlinkat(target, (int)dirfd, name) == 0 ? 0 : -errno);
}

/* renameat(fromdir, from, todir, to): 0 or -errno. */
static napi_value fs_rename_at(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int64_t from_dir, to_dir;
  char from[PATH_MAX], to[PATH_MAX];
  if (!fs_args(env, info, argv, 4, 4) || !number_arg(env, argv[0], &from_dir) || !number_arg(env, argv[2], &to_dir)) return NULL;
  int got = name_arg(env, argv[1], from, sizeof from);
  if (got == -1) return NULL;
  if (got < 0) return make_int(env, got);
  got = name_arg(env, argv[3], to, sizeof to);
  if (got == -1) return NULL;
  if (got < 0) return make_int(env, got);
  return make_int(env, renameat((int)from_dir, from, (int)to_dir, to) == 0 ? 0 : -errno);
}

/* The calls on descriptors and numbers: lseek, ioctl(FICLONE), copy_file_range, flock. */
enum fd_call { SEEK, CLONE, COPY_RANGE, LOCK };

static napi_value fd_call(napi_env env, napi_callback_info info, enum fd_call which, size_t needed) {
  napi_value argv[5];
  int64_t n[5] = {0, 0, 0, 0, 0};
  if (!fs_args(env, info, argv, 5, needed)) return NULL;
  for (size_t i = 0; i < needed; i++)
    if (!number_arg(env, argv[i], &n[i])) return NULL;
  int64_t done = -1;
  switch (which) {
    case SEEK:
      done = lseek((int)n[0], (off_t)n[1], (int)n[2]);
      break;
    case CLONE:
      done = ioctl((int)n[0], FICLONE, (int)n[1]);
      break;
    case COPY_RANGE: {
      loff_t from = n[1], to = n[3];
      done = copy_file_range((int)n[0], &from, (int)n[2], &to, (size_t)n[4], 0);
      break;
    }
    case LOCK:
      done = flock((int)n[0], (int)n[1]);
      break;
  }
  return make_int(env, done >= 0 ? done : -errno);
}

static napi_value fs_seek(napi_env env, napi_callback_info info) { return fd_call(env, info, SEEK, 3); }
static napi_value fs_clone(napi_env env, napi_callback_info info) { return fd_call(env, info, CLONE, 2); }
static napi_value fs_copy_range(napi_env env, napi_callback_info info) { return fd_call(env, info, COPY_RANGE, 5); }
static napi_value fs_lock(napi_env env, napi_callback_info info) { return fd_call(env, info, LOCK, 2); }

/* pipe(): [readFd, writeFd], both close-on-exec, or -errno. */
static napi_value make_pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return make_int(env, -errno);
  napi_value pair;
  CHECK(napi_create_array_with_length(env, 2, &pair));
  CHECK(napi_set_element(env, pair, 0, make_int(env, fds[0])));
  CHECK(napi_set_element(env, pair, 1, make_int(env, fds[1])));
  return pair;
}

/* ---- memory ------------------------------------------------------------------------ */

/* trimMemory(): gives malloc's free pages back to the system, in every arena (glibc's
 * malloc_trim). Returns whether any memory was released. */
static napi_value trim_memory(napi_env env, napi_callback_info info) {
  (void)info;
  return make_bool(env, malloc_trim(0));
}

/* ---- the module --------------------------------------------------------------------- */

NAPI_MODULE_INIT() {
  static const struct {
    const char *name;
    napi_callback function;
  } functions[] = {
      {"reapIfExited", reap_if_exited},   {"peekExitedChild", peek_exited_child}, {"stoppedBy", stopped_by},
      {"hasChildren", has_children},
      {"becomeSubreaper", become_subreaper}, {"ignoreSignal", ignore_signal},    {"setForeground", set_foreground},
      {"ownsForegroundOf", owns_foreground_of}, {"exitNow", exit_now},           {"spawn", spawn},
      {"fsOpenAt", fs_open_at},           {"fsStatAt", fs_stat_at},              {"fsScan", fs_scan},
      {"fsReadlinkAt", fs_readlink_at},   {"fsUnlinkAt", fs_unlink_at},          {"fsMkdirAt", fs_mkdir_at},
      {"fsMknodAt", fs_mknod_at},         {"fsChownAt", fs_chown_at},            {"fsSetMtimeAt", fs_set_mtime_at},
      {"fsSymlinkAt", fs_symlink_at},     {"fsRenameAt", fs_rename_at},          {"fsSeek", fs_seek},
      {"fsClone", fs_clone},              {"fsCopyRange", fs_copy_range},        {"fsLock", fs_lock},
      {"trimMemory", trim_memory},        {"pipe", make_pipe},
  };
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value function;
    CHECK(napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].function, NULL, &function));
    CHECK(napi_set_named_property(env, exports, functions[i].name, function));
  }
  CHECK(napi_set_named_property(env, exports, "processGroup", make_int(env, getpgrp())));
  CHECK(napi_set_named_property(env, exports, "clockTicksPerSecond", make_int(env, sysconf(_SC_CLK_TCK))));
  return exports;
}

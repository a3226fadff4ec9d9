/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hm-faultfs: Hexmap's FUSE test filesystem.
 *
 * It mirrors one backing directory (a passthrough of the files in it) and can
 * inject the faults a network filesystem shows: latency, EIO on chosen read
 * ranges, write and flush errors, a file truncated "on the server", and a
 * server that disappears.
 *
 *   hm-faultfs BACKING_DIR MOUNTPOINT -f -o ctl=SOCKET [fuse options]
 *
 * Faults are set at run time through a Unix stream socket (-o ctl=PATH) that
 * lives outside the mount, served by its own thread, so it keeps answering
 * while the filesystem is slow or hung.  One command per line; each line gets
 * exactly one reply line, "ok" or "error: MESSAGE", sent after the command
 * took effect.  By hand: `socat - UNIX-CONNECT:SOCKET`.
 *
 *   latency MS              every read and write sleeps MS ms first
 *   read-eio OFFSET LENGTH  reads overlapping [OFFSET, OFFSET+LENGTH) of any
 *                           file fail with EIO (up to 64 ranges; dec or 0x hex)
 *   write-error ERR         writes fail with ERR (EIO, ENOSPC, EDQUOT, EROFS)
 *   flush-error ERR         flush (close) and fsync fail with ERR; a
 *                           msync(MS_SYNC) on a MAP_SHARED mapping reports it
 *   fallocate-error ERR     fallocate fails with ERR (also EOPNOTSUPP)
 *                           ("off" instead of ERR turns one of these off)
 *   shrink NAME SIZE        truncate the backing file NAME to SIZE and drop
 *                           the kernel's cached pages and attributes of it
 *   invalidate NAME         drop the kernel's cached pages and attributes of
 *                           NAME, so the next access reads through the daemon
 *   hang                    reads and writes block until "clear"
 *   watch-thread TID        count the reads and writes that thread TID of the
 *                           client asks for from now on (0: stop counting)
 *   watched-ops             answers "ok N": how many were counted (a test
 *                           checks that its main thread never reads the mount)
 *   disconnect              reply, then _exit() at once: the kernel aborts the
 *                           connection and every access returns ENOTCONN (the
 *                           dead mount must still be unmounted: umount -l)
 *   clear                   remove every fault, the latency and a hang
 *   ping                    do nothing (answers "ok")
 *
 * Caching: files are opened without keep_cache (so every open(2) of a file
 * drops its cached pages) and attribute/entry timeouts are forced to 0 (so
 * every stat asks the daemon and sees a shrunk file).  Within one open file
 * the kernel keeps pages it has read; to force a re-read, reopen the file,
 * send "invalidate NAME", or `echo 3 > /proc/sys/vm/drop_caches`.  A read that
 * failed is never cached.  Pages read ahead may come in one large request; if
 * that request overlaps a failing range the kernel retries page by page, so
 * only the pages overlapping the range fail.  mmap works (no direct_io).
 *
 * The daemon is multithreaded (libfuse's default loop; do not pass -s) so a
 * read sleeping in "latency" or "hang" does not stop stat, open or statfs.
 * SIGTERM/SIGINT unmount cleanly (libfuse's handlers); reads and writes
 * waiting in "latency" or "hang" then fail with EIO so the exit is prompt.
 * Note that flush-error also makes close(2) fail, read-only opens included.
 */

#define FUSE_USE_VERSION 31

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HM_MAX_EIO_RANGES 64
#define HM_MAX_LINE 1024

typedef struct
{
  uint64_t offset;
  uint64_t end; /* exclusive, saturated at UINT64_MAX */
} HmRange;

typedef struct
{
  pthread_mutex_t lock;
  unsigned int latency_ms;
  HmRange eio[HM_MAX_EIO_RANGES];
  unsigned int n_eio;
  int write_errno;
  int flush_errno;
  int fallocate_errno;
  int hung;
  pid_t watched_tid;       /* "watch-thread": count reads and writes from it */
  uint64_t watched_ops;
  struct fuse *fuse; /* set by init, for invalidation */
} HmFaults;

typedef struct
{
  char *backing;
  char *ctl;
} HmOptions;

static HmFaults faults = { .lock = PTHREAD_MUTEX_INITIALIZER };
static int backing_fd = -1;

/* --- helpers --------------------------------------------------------- */

/* Paths from libfuse are absolute inside the mount ("/", "/name"); the
 * backing directory is reached through backing_fd with a relative path. */
static const char *
hm_rel (const char *path)
{
  if (path == NULL || path[0] == '\0' || strcmp (path, "/") == 0)
    return ".";
  while (*path == '/')
    path++;
  return path;
}

static void
hm_sleep_us (uint64_t us)
{
  struct timespec ts;

  ts.tv_sec = (time_t) (us / 1000000);
  ts.tv_nsec = (long) (us % 1000000) * 1000L;
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

static uint64_t
hm_now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* Latency and "hang" apply to reads and writes.  The wait is sliced so that
 * a request stuck here gives up (EIO) once the session ends: on SIGTERM
 * libfuse joins its workers without cancelling them. */
static int
hm_data_op_wait (void)
{
  struct fuse_context *context = fuse_get_context ();
  struct fuse_session *session = fuse_get_session (context->fuse);
  uint64_t deadline;
  unsigned int latency;

  /* Counted before waiting: a request stuck in "hang" has been asked for. The
   * kernel gives the id of the thread that asked, also for page faults. */
  pthread_mutex_lock (&faults.lock);
  latency = faults.latency_ms;
  if (faults.watched_tid != 0 && context->pid == faults.watched_tid)
    faults.watched_ops++;
  pthread_mutex_unlock (&faults.lock);
  deadline = hm_now_us () + (uint64_t) latency * 1000;

  for (;;)
    {
      uint64_t now = hm_now_us ();
      int hung;

      if (fuse_session_exited (session))
        return -EIO;

      pthread_mutex_lock (&faults.lock);
      hung = faults.hung;
      pthread_mutex_unlock (&faults.lock);

      if (now < deadline)
        hm_sleep_us (deadline - now < 10000 ? deadline - now : 10000);
      else if (hung)
        hm_sleep_us (5000);
      else
        return 0;
    }
}

static int
hm_get_errno (const int *field)
{
  int value;

  pthread_mutex_lock (&faults.lock);
  value = *field;
  pthread_mutex_unlock (&faults.lock);
  return value;
}

static int
hm_read_fails (uint64_t offset, uint64_t size)
{
  uint64_t end;
  unsigned int i;
  int fails = 0;

  if (size == 0)
    return 0;
  end = offset + size < offset ? UINT64_MAX : offset + size;

  pthread_mutex_lock (&faults.lock);
  for (i = 0; i < faults.n_eio && !fails; i++)
    fails = offset < faults.eio[i].end && faults.eio[i].offset < end;
  pthread_mutex_unlock (&faults.lock);

  return fails;
}

/* --- filesystem operations ------------------------------------------- */

static void *
hm_init (struct fuse_conn_info *conn, struct fuse_config *cfg)
{
  /* Every stat reaches the daemon, so a shrunk file is seen at once. */
  cfg->entry_timeout = 0;
  cfg->attr_timeout = 0;
  cfg->negative_timeout = 0;
  /* Reads must reach the daemon: never keep pages across opens. */
  cfg->kernel_cache = 0;
  cfg->auto_cache = 0;
  cfg->direct_io = 0; /* mmap needs the page cache */
  cfg->use_ino = 1;   /* inode numbers of the backing files */
  cfg->hard_remove = 1;
  cfg->nullpath_ok = 1;

  /* Write-through: a write error reaches write(2) or msync, never lost in
   * a kernel writeback cache. */
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;

  pthread_mutex_lock (&faults.lock);
  faults.fuse = fuse_get_context ()->fuse;
  pthread_mutex_unlock (&faults.lock);

  return NULL;
}

static int
hm_getattr (const char *path, struct stat *st, struct fuse_file_info *fi)
{
  int res;

  if (fi != NULL)
    res = fstat ((int) fi->fh, st);
  else
    res = fstatat (backing_fd, hm_rel (path), st, AT_SYMLINK_NOFOLLOW);

  return res < 0 ? -errno : 0;
}

static int
hm_readdir (const char *path, void *buf, fuse_fill_dir_t filler, off_t offset,
            struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
  DIR *dir;
  struct dirent *entry;
  int fd;

  fd = openat (backing_fd, hm_rel (path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int saved = errno;

      close (fd);
      return -saved;
    }

  while ((entry = readdir (dir)) != NULL)
    {
      struct stat st;

      memset (&st, 0, sizeof st);
      st.st_ino = entry->d_ino;
      st.st_mode = (mode_t) DTTOIF (entry->d_type);
      if (filler (buf, entry->d_name, &st, 0, 0) != 0)
        break;
    }

  closedir (dir);
  return 0;
}

static int
hm_open (const char *path, struct fuse_file_info *fi)
{
  int fd;

  fd = openat (backing_fd, hm_rel (path), fi->flags | O_CLOEXEC);
  if (fd < 0)
    return -errno;

  fi->fh = (uint64_t) fd;
  fi->keep_cache = 0; /* the kernel drops this file's pages on every open */
  fi->direct_io = 0;
  return 0;
}

static int
hm_create (const char *path, mode_t mode, struct fuse_file_info *fi)
{
  int fd;

  fd = openat (backing_fd, hm_rel (path), fi->flags | O_CREAT | O_CLOEXEC, mode);
  if (fd < 0)
    return -errno;

  fi->fh = (uint64_t) fd;
  fi->keep_cache = 0;
  fi->direct_io = 0;
  return 0;
}

static int
hm_read (const char *path, char *buf, size_t size, off_t offset,
         struct fuse_file_info *fi)
{
  size_t done = 0;
  int err = hm_data_op_wait ();

  if (err != 0)
    return err;
  if (hm_read_fails ((uint64_t) offset, size))
    return -EIO;

  while (done < size)
    {
      ssize_t n = pread ((int) fi->fh, buf + done, size - done,
                         offset + (off_t) done);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return done > 0 ? (int) done : -errno;
        }
      if (n == 0)
        break;
      done += (size_t) n;
    }

  return (int) done;
}

static int
hm_write (const char *path, const char *buf, size_t size, off_t offset,
          struct fuse_file_info *fi)
{
  size_t done = 0;
  int err = hm_data_op_wait ();

  if (err != 0)
    return err;
  err = hm_get_errno (&faults.write_errno);
  if (err != 0)
    return -err;

  while (done < size)
    {
      ssize_t n = pwrite ((int) fi->fh, buf + done, size - done,
                          offset + (off_t) done);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return done > 0 ? (int) done : -errno;
        }
      done += (size_t) n;
    }

  return (int) done;
}

static int
hm_flush (const char *path, struct fuse_file_info *fi)
{
  return -hm_get_errno (&faults.flush_errno);
}

static int
hm_fsync (const char *path, int datasync, struct fuse_file_info *fi)
{
  int err = hm_get_errno (&faults.flush_errno);

  if (err != 0)
    return -err;
  if ((datasync ? fdatasync ((int) fi->fh) : fsync ((int) fi->fh)) < 0)
    return -errno;
  return 0;
}

static int
hm_release (const char *path, struct fuse_file_info *fi)
{
  close ((int) fi->fh);
  return 0;
}

static int
hm_truncate (const char *path, off_t size, struct fuse_file_info *fi)
{
  int fd;
  int res;

  if (fi != NULL)
    return ftruncate ((int) fi->fh, size) < 0 ? -errno : 0;

  fd = openat (backing_fd, hm_rel (path), O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  res = ftruncate (fd, size) < 0 ? -errno : 0;
  close (fd);
  return res;
}

static int
hm_utimens (const char *path, const struct timespec tv[2],
            struct fuse_file_info *fi)
{
  int res;

  if (fi != NULL)
    res = futimens ((int) fi->fh, tv);
  else
    res = utimensat (backing_fd, hm_rel (path), tv, AT_SYMLINK_NOFOLLOW);

  return res < 0 ? -errno : 0;
}

static int
hm_unlink (const char *path)
{
  return unlinkat (backing_fd, hm_rel (path), 0) < 0 ? -errno : 0;
}

static int
hm_rename (const char *from, const char *to, unsigned int flags)
{
  if (renameat2 (backing_fd, hm_rel (from), backing_fd, hm_rel (to), flags) < 0)
    return -errno;
  return 0;
}

static int
hm_statfs (const char *path, struct statvfs *st)
{
  return fstatvfs (backing_fd, st) < 0 ? -errno : 0;
}

static int
hm_fallocate (const char *path, int mode, off_t offset, off_t length,
              struct fuse_file_info *fi)
{
  int err = hm_get_errno (&faults.fallocate_errno);

  if (err != 0)
    return -err;
  if (fi == NULL)
    return -EOPNOTSUPP;
  return fallocate ((int) fi->fh, mode, offset, length) < 0 ? -errno : 0;
}

/* SEEK_DATA/SEEK_HOLE reach the backing file, so holes show through. */
static off_t
hm_lseek (const char *path, off_t off, int whence, struct fuse_file_info *fi)
{
  off_t res;

  if (fi == NULL)
    return -EINVAL;
  res = lseek ((int) fi->fh, off, whence);
  return res < 0 ? -errno : res;
}

static const struct fuse_operations hm_operations = {
  .init = hm_init,
  .getattr = hm_getattr,
  .readdir = hm_readdir,
  .open = hm_open,
  .create = hm_create,
  .read = hm_read,
  .write = hm_write,
  .flush = hm_flush,
  .fsync = hm_fsync,
  .release = hm_release,
  .truncate = hm_truncate,
  .utimens = hm_utimens,
  .unlink = hm_unlink,
  .rename = hm_rename,
  .statfs = hm_statfs,
  .fallocate = hm_fallocate,
  .lseek = hm_lseek,
};

/* --- control socket -------------------------------------------------- */

static int
hm_parse_u64 (const char *text, uint64_t *out)
{
  char *end = NULL;
  unsigned long long value;

  if (text == NULL || text[0] == '-' || text[0] == '\0')
    return 0;
  errno = 0;
  value = strtoull (text, &end, 0);
  if (errno != 0 || end == text || *end != '\0')
    return 0;
  *out = (uint64_t) value;
  return 1;
}

static int
hm_parse_errno (const char *text, int *out)
{
  static const struct { const char *name; int value; } names[] = {
    { "off", 0 }, { "none", 0 }, { "EIO", EIO }, { "ENOSPC", ENOSPC },
    { "EDQUOT", EDQUOT }, { "EROFS", EROFS }, { "EOPNOTSUPP", EOPNOTSUPP },
    { "ENOTCONN", ENOTCONN }, { "EACCES", EACCES }, { "EPERM", EPERM },
  };
  size_t i;

  if (text == NULL)
    return 0;
  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp (text, names[i].name) == 0)
      {
        *out = names[i].value;
        return 1;
      }
  return 0;
}

static int
hm_valid_name (const char *name)
{
  return name != NULL && name[0] != '\0' && strchr (name, '/') == NULL
         && strcmp (name, ".") != 0 && strcmp (name, "..") != 0;
}

/* Drops the kernel's pages and attributes of /NAME.  ENOENT only means the
 * kernel holds nothing for it. */
static void
hm_invalidate (const char *name)
{
  struct fuse *fuse;
  char path[PATH_MAX];

  pthread_mutex_lock (&faults.lock);
  fuse = faults.fuse;
  pthread_mutex_unlock (&faults.lock);

  if (fuse == NULL)
    return;
  snprintf (path, sizeof path, "/%s", name);
  fuse_invalidate_path (fuse, path);
}

static void
hm_reply (int fd, const char *text)
{
  size_t len = strlen (text);
  size_t done = 0;

  while (done < len)
    {
      ssize_t n = send (fd, text + done, len - done, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      done += (size_t) n;
    }
}

static void
hm_reply_error (int fd, const char *message)
{
  char line[HM_MAX_LINE + 64];

  snprintf (line, sizeof line, "error: %s\n", message);
  hm_reply (fd, line);
}

/* Runs one command line and sends its one reply line. */
static void
hm_execute (int fd, char *line)
{
  char *save = NULL;
  char *cmd = strtok_r (line, " \t\r", &save);
  char *arg1 = strtok_r (NULL, " \t\r", &save);
  char *arg2 = strtok_r (NULL, " \t\r", &save);
  char *extra = strtok_r (NULL, " \t\r", &save);
  const char *error = NULL;
  uint64_t a = 0;
  uint64_t b = 0;
  int err = 0;

  if (cmd == NULL)
    error = "empty command";
  else if (extra != NULL)
    error = "too many arguments";
  else if (strcmp (cmd, "ping") == 0)
    ;
  else if (strcmp (cmd, "latency") == 0)
    {
      if (!hm_parse_u64 (arg1, &a) || a > 600000 || arg2 != NULL)
        error = "usage: latency MS (0..600000)";
      else
        {
          pthread_mutex_lock (&faults.lock);
          faults.latency_ms = (unsigned int) a;
          pthread_mutex_unlock (&faults.lock);
        }
    }
  else if (strcmp (cmd, "read-eio") == 0)
    {
      if (!hm_parse_u64 (arg1, &a) || !hm_parse_u64 (arg2, &b) || b == 0)
        error = "usage: read-eio OFFSET LENGTH (LENGTH > 0)";
      else
        {
          pthread_mutex_lock (&faults.lock);
          if (faults.n_eio == HM_MAX_EIO_RANGES)
            error = "too many read-eio ranges";
          else
            {
              faults.eio[faults.n_eio].offset = a;
              faults.eio[faults.n_eio].end = a + b < a ? UINT64_MAX : a + b;
              faults.n_eio++;
            }
          pthread_mutex_unlock (&faults.lock);
        }
    }
  else if (strcmp (cmd, "write-error") == 0
           || strcmp (cmd, "flush-error") == 0
           || strcmp (cmd, "fallocate-error") == 0)
    {
      if (!hm_parse_errno (arg1, &err) || arg2 != NULL)
        error = "usage: write-error|flush-error|fallocate-error "
                "EIO|ENOSPC|EDQUOT|EROFS|EOPNOTSUPP|off";
      else
        {
          pthread_mutex_lock (&faults.lock);
          if (cmd[0] == 'w')
            faults.write_errno = err;
          else if (cmd[1] == 'l')
            faults.flush_errno = err;
          else
            faults.fallocate_errno = err;
          pthread_mutex_unlock (&faults.lock);
        }
    }
  else if (strcmp (cmd, "shrink") == 0)
    {
      int file = -1;

      if (!hm_valid_name (arg1) || !hm_parse_u64 (arg2, &a) || a > INT64_MAX)
        error = "usage: shrink NAME SIZE";
      else if ((file = openat (backing_fd, arg1,
                               O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) < 0
               || ftruncate (file, (off_t) a) < 0)
        error = strerror (errno);
      else
        hm_invalidate (arg1);
      if (file >= 0)
        close (file);
    }
  else if (strcmp (cmd, "invalidate") == 0)
    {
      if (!hm_valid_name (arg1) || arg2 != NULL)
        error = "usage: invalidate NAME";
      else
        hm_invalidate (arg1);
    }
  else if (strcmp (cmd, "watch-thread") == 0)
    {
      if (!hm_parse_u64 (arg1, &a) || a > INT32_MAX || arg2 != NULL)
        error = "usage: watch-thread TID";
      else
        {
          pthread_mutex_lock (&faults.lock);
          faults.watched_tid = (pid_t) a;
          faults.watched_ops = 0;
          pthread_mutex_unlock (&faults.lock);
        }
    }
  else if (strcmp (cmd, "watched-ops") == 0)
    {
      char answer[64];

      if (arg1 != NULL)
        error = "usage: watched-ops";
      else
        {
          pthread_mutex_lock (&faults.lock);
          b = faults.watched_ops;
          pthread_mutex_unlock (&faults.lock);
          snprintf (answer, sizeof answer, "ok %llu\n", (unsigned long long) b);
          hm_reply (fd, answer);
          return;
        }
    }
  else if (strcmp (cmd, "hang") == 0)
    {
      pthread_mutex_lock (&faults.lock);
      faults.hung = 1;
      pthread_mutex_unlock (&faults.lock);
    }
  else if (strcmp (cmd, "clear") == 0)
    {
      pthread_mutex_lock (&faults.lock);
      faults.latency_ms = 0;
      faults.n_eio = 0;
      faults.write_errno = 0;
      faults.flush_errno = 0;
      faults.fallocate_errno = 0;
      faults.hung = 0;
      pthread_mutex_unlock (&faults.lock);
    }
  else if (strcmp (cmd, "disconnect") == 0)
    {
      /* Like a server that vanished: no unmount, no FUSE_DESTROY.  Closing
       * /dev/fuse on exit makes the kernel abort the connection. */
      hm_reply (fd, "ok\n");
      _exit (0);
    }
  else
    error = "unknown command";

  if (error != NULL)
    hm_reply_error (fd, error);
  else
    hm_reply (fd, "ok\n");
}

static void
hm_serve_client (int fd)
{
  char buf[HM_MAX_LINE + 1];
  size_t len = 0;

  for (;;)
    {
      ssize_t n;
      char *nl;

      while ((nl = memchr (buf, '\n', len)) != NULL)
        {
          size_t line_len = (size_t) (nl - buf);

          *nl = '\0';
          hm_execute (fd, buf);
          memmove (buf, nl + 1, len - line_len - 1);
          len -= line_len + 1;
        }

      if (len == HM_MAX_LINE)
        {
          hm_reply_error (fd, "line too long");
          return;
        }

      n = recv (fd, buf + len, HM_MAX_LINE - len, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (size_t) n;
    }

  if (len > 0)
    {
      buf[len] = '\0';
      hm_execute (fd, buf);
    }
}

static void *
hm_control_thread (void *data)
{
  int listen_fd = *(int *) data;

  for (;;)
    {
      int fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);

      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          perror ("hm-faultfs: accept");
          hm_sleep_us (100000);
          continue;
        }
      hm_serve_client (fd);
      close (fd);
    }

  return NULL;
}

static int
hm_start_control (const char *ctl_path)
{
  static int listen_fd = -1;
  struct sockaddr_un addr;
  pthread_t thread;
  sigset_t all;
  sigset_t old;
  int res;

  if (strlen (ctl_path) >= sizeof addr.sun_path)
    {
      fprintf (stderr, "hm-faultfs: control socket path too long: %s\n", ctl_path);
      return -1;
    }

  listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd < 0)
    {
      perror ("hm-faultfs: socket");
      return -1;
    }

  memset (&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strcpy (addr.sun_path, ctl_path);
  unlink (ctl_path);
  if (bind (listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0
      || listen (listen_fd, 16) < 0)
    {
      fprintf (stderr, "hm-faultfs: %s: %s\n", ctl_path, strerror (errno));
      return -1;
    }

  /* Signals must reach the main thread, where libfuse's handlers end the
   * loop; libfuse blocks them in its own workers the same way. */
  sigfillset (&all);
  pthread_sigmask (SIG_BLOCK, &all, &old);
  res = pthread_create (&thread, NULL, hm_control_thread, &listen_fd);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  if (res != 0)
    {
      fprintf (stderr, "hm-faultfs: pthread_create: %s\n", strerror (res));
      return -1;
    }
  pthread_detach (thread);
  return 0;
}

/* --- main ------------------------------------------------------------ */

static const struct fuse_opt hm_opts[] = {
  { "ctl=%s", offsetof (HmOptions, ctl), 0 },
  FUSE_OPT_END
};

static int
hm_opt_proc (void *data, const char *arg, int key, struct fuse_args *outargs)
{
  HmOptions *options = data;

  if (key == FUSE_OPT_KEY_NONOPT && options->backing == NULL)
    {
      options->backing = strdup (arg);
      return 0; /* consumed; the next non-option is the mountpoint */
    }
  return 1;
}

int
main (int argc, char *argv[])
{
  struct fuse_args args = FUSE_ARGS_INIT (argc, argv);
  HmOptions options = { NULL, NULL };
  int res;

  if (fuse_opt_parse (&args, &options, hm_opts, hm_opt_proc) < 0)
    return 1;

  if (options.backing == NULL)
    {
      fprintf (stderr,
               "usage: %s BACKING_DIR MOUNTPOINT -f [-o ctl=SOCKET] [fuse options]\n",
               argv[0]);
      return 2;
    }

  backing_fd = open (options.backing, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (backing_fd < 0)
    {
      fprintf (stderr, "hm-faultfs: %s: %s\n", options.backing, strerror (errno));
      return 1;
    }

  if (options.ctl != NULL && hm_start_control (options.ctl) < 0)
    return 1;

  /* Name it in /proc/mounts: "hm-faultfs on MNT type fuse.hm-faultfs".
   * The thread limits are explicit because libfuse 3.14 warns about its own
   * unset default otherwise.  Options given on the command line still win. */
  fuse_opt_insert_arg (&args, 1, "-ofsname=hm-faultfs,subtype=hm-faultfs,"
                                 "max_threads=16,max_idle_threads=8");

  res = fuse_main (args.argc, args.argv, &hm_operations, NULL);

  if (options.ctl != NULL)
    unlink (options.ctl);
  fuse_opt_free_args (&args);
  free (options.backing);
  free (options.ctl);
  close (backing_fd);
  return res;
}

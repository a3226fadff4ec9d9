/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Drives hm-faultfs from GLib tests: a temporary mountpoint, the daemon as a
 * child process, synchronous fault commands over its control socket, and a
 * cleanup that also works after the daemon was told to vanish.
 */

#include "hm-faultfs-harness.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define HM_FUSE_SUPER_MAGIC 0x65735546
#define HM_CAP_SYS_ADMIN 21
#define HM_START_TIMEOUT_US (10 * G_USEC_PER_SEC)
#define HM_EXIT_TIMEOUT_US (5 * G_USEC_PER_SEC)
#define HM_CONTROL_TIMEOUT_S 10

struct _HmFaultfs
{
  char *tmpdir;     /* $TMPDIR/hm-faultfs-XXXXXX, holds the two below */
  char *mountpoint; /* tmpdir/mnt */
  char *ctl_path;   /* tmpdir/ctl, the daemon's control socket */
  GPid pid;         /* 0 once the daemon has been reaped */
};

/* $HM_FAULTFS (set by meson test), else the daemon of this build tree. */
static const char *
hm_faultfs_get_exe (void)
{
  const char *exe = g_getenv ("HM_FAULTFS");

  if (exe != NULL && exe[0] != '\0')
    return exe;
#ifdef HM_FAULTFS_DEFAULT
  return HM_FAULTFS_DEFAULT;
#else
  return NULL;
#endif
}

/* Root inside a container may still lack the right to mount. */
static gboolean
hm_has_cap_sys_admin (void)
{
  g_autofree char *status = NULL;
  const char *line;
  guint64 caps;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return TRUE; /* cannot tell: let the mount itself decide */
  line = strstr (status, "\nCapEff:");
  if (line == NULL)
    return TRUE;
  caps = g_ascii_strtoull (line + strlen ("\nCapEff:"), NULL, 16);
  return (caps & (G_GUINT64_CONSTANT (1) << HM_CAP_SYS_ADMIN)) != 0;
}

/**
 * hm_faultfs_available:
 * @reason: (out) (optional): why not, when it returns %FALSE
 *
 * Tells whether the root-only tier can run here: root with the right to
 * mount, a usable `/dev/fuse`, and the hm-faultfs daemon: the one named by
 * the `HM_FAULTFS` environment variable, else the one of this build tree.
 *
 * Returns: %TRUE if hm_faultfs_start() can be expected to work
 */
gboolean
hm_faultfs_available (char **reason)
{
  const char *exe = hm_faultfs_get_exe ();
  char *why = NULL;

  if (geteuid () != 0)
    why = g_strdup ("needs root to mount a FUSE filesystem");
  else if (!hm_has_cap_sys_admin ())
    why = g_strdup ("no CAP_SYS_ADMIN, cannot mount");
  else if (access ("/dev/fuse", R_OK | W_OK) != 0)
    why = g_strdup_printf ("/dev/fuse: %s", g_strerror (errno));
  else if (exe == NULL || exe[0] == '\0')
    why = g_strdup ("hm-faultfs daemon unknown: set HM_FAULTFS (meson test does)");
  else if (!g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE))
    why = g_strdup_printf ("hm-faultfs daemon not found at %s", exe);

  if (reason != NULL)
    *reason = why;
  else
    g_free (why);

  return why == NULL;
}

/**
 * hm_faultfs_skip_unless_available:
 * @argc: main()'s argc
 * @argv: main()'s argv, before g_test_init() consumes `--tap`
 *
 * Ends the whole test binary as skipped when hm_faultfs_available() says no.
 * Call it first thing in main().
 *
 * Meson 1.0 turns any non-zero exit of a TAP test into an ERROR, 77
 * included, and reads a `1..0 # SKIP` plan with status 0 as SKIP; so under
 * `--tap` this prints that plan and exits 0, otherwise it exits 77, the
 * automake convention that Meson's exitcode protocol reports as SKIP.
 */
void
hm_faultfs_skip_unless_available (int    argc,
                                  char **argv)
{
  g_autofree char *reason = NULL;
  gboolean tap = FALSE;
  int i;

  if (hm_faultfs_available (&reason))
    return;

  for (i = 1; i < argc; i++)
    if (g_strcmp0 (argv[i], "--tap") == 0)
      tap = TRUE;

  if (tap)
    printf ("1..0 # SKIP %s\n", reason);
  else
    fprintf (stderr, "SKIP: %s\n", reason);
  fflush (stdout);
  exit (tap ? 0 : 77);
}

/* Runs in the child between fork and exec: if the test dies, so does the
 * daemon, and libfuse's SIGTERM handler unmounts. */
static void
hm_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* fuse_opt splits -o values at commas; a backslash escapes. */
static char *
hm_escape_option (const char *value)
{
  GString *out = g_string_new (NULL);
  const char *p;

  for (p = value; *p != '\0'; p++)
    {
      if (*p == ',' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* Waits up to @timeout_us for the daemon to exit; TRUE once reaped. */
static gboolean
hm_faultfs_reap (HmFaultfs *self,
                 gint64     timeout_us,
                 int       *status_out)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (self->pid != 0)
    {
      int status = 0;
      pid_t res = waitpid (self->pid, &status, WNOHANG);

      if (res == self->pid || (res < 0 && errno == ECHILD))
        {
          self->pid = 0;
          if (status_out != NULL)
            *status_out = status;
          break;
        }
      if (res < 0 && errno != EINTR)
        break;
      if (g_get_monotonic_time () >= deadline)
        break;
      g_usleep (2000);
    }

  return self->pid == 0;
}

/**
 * hm_faultfs_start:
 * @backing_dir: the directory whose files the mount shows
 * @error: return location for a #GError
 *
 * Mounts hm-faultfs over @backing_dir at a new temporary mountpoint and waits
 * until the mount answers (statfs reports FUSE) and the control socket
 * replies.  No fault is active.
 *
 * Returns: (transfer full): the running mount, to be ended with
 *   hm_faultfs_stop(), or %NULL on error
 */
HmFaultfs *
hm_faultfs_start (const char  *backing_dir,
                  GError     **error)
{
  g_autoptr(HmFaultfs) self = NULL;
  g_autofree char *backing = NULL;
  g_autofree char *escaped_ctl = NULL;
  g_autofree char *ctl_option = NULL;
  const char *exe = hm_faultfs_get_exe ();
  const char *argv[7];
  gint64 deadline;

  g_return_val_if_fail (backing_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (exe == NULL || exe[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "hm-faultfs daemon unknown: set HM_FAULTFS");
      return NULL;
    }

  self = g_new0 (HmFaultfs, 1);
  self->tmpdir = g_dir_make_tmp ("hm-faultfs-XXXXXX", error);
  if (self->tmpdir == NULL)
    return NULL;
  self->mountpoint = g_build_filename (self->tmpdir, "mnt", NULL);
  self->ctl_path = g_build_filename (self->tmpdir, "ctl", NULL);
  if (g_mkdir (self->mountpoint, 0755) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create mountpoint %s: %s", self->mountpoint,
                   g_strerror (saved));
      return NULL;
    }

  backing = g_canonicalize_filename (backing_dir, NULL);
  escaped_ctl = hm_escape_option (self->ctl_path);
  ctl_option = g_strconcat ("ctl=", escaped_ctl, NULL);
  argv[0] = exe;
  argv[1] = backing;
  argv[2] = self->mountpoint;
  argv[3] = "-f";
  argv[4] = "-o";
  argv[5] = ctl_option;
  argv[6] = NULL;

  /* stdout would corrupt the test's TAP stream; stderr goes to the log. */
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                      hm_child_setup, NULL, &self->pid, error))
    return NULL;

  deadline = g_get_monotonic_time () + HM_START_TIMEOUT_US;
  for (;;)
    {
      struct statfs st;
      int status = 0;

      if (statfs (self->mountpoint, &st) == 0 && st.f_type == HM_FUSE_SUPER_MAGIC)
        break;

      if (hm_faultfs_reap (self, 0, &status))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "hm-faultfs exited before mounting %s (wait status %d)",
                       self->mountpoint, status);
          return NULL;
        }

      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "hm-faultfs did not mount %s within %d s",
                       self->mountpoint,
                       (int) (HM_START_TIMEOUT_US / G_USEC_PER_SEC));
          return NULL;
        }

      g_usleep (5000);
    }

  /* The socket listens before the mount exists; this proves the path. */
  if (!hm_faultfs_control (self, "ping", error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * hm_faultfs_get_mountpoint:
 * @self: a #HmFaultfs
 *
 * Returns: the directory where the backing files appear
 */
const char *
hm_faultfs_get_mountpoint (HmFaultfs *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->mountpoint;
}

/**
 * hm_faultfs_build_path:
 * @self: a #HmFaultfs
 * @name: a file name in the backing directory
 *
 * Returns: (transfer full): the path of @name seen through the mount
 */
char *
hm_faultfs_build_path (HmFaultfs  *self,
                       const char *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_build_filename (self->mountpoint, name, NULL);
}

static gboolean
hm_send_all (int         fd,
             const char *data,
             gsize       len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Sends one line and reads the one-line reply; @reply is "" on EOF. */
static gboolean
hm_faultfs_exchange (HmFaultfs   *self,
                     const char  *command,
                     GString     *reply,
                     GError     **error)
{
  struct sockaddr_un addr;
  struct timeval timeout = { HM_CONTROL_TIMEOUT_S, 0 };
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  int fd;
  int saved;

  if (strlen (self->ctl_path) >= sizeof addr.sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "Control socket path too long: %s", self->ctl_path);
      return FALSE;
    }

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto fail;

  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

  memset (&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strcpy (addr.sun_path, self->ctl_path);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0
      || !hm_send_all (fd, line, strlen (line)))
    goto fail;
  shutdown (fd, SHUT_WR);

  for (;;)
    {
      char buf[256];
      ssize_t n = recv (fd, buf, sizeof buf, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      if (n == 0)
        break;
      g_string_append_len (reply, buf, n);
      if (memchr (buf, '\n', (gsize) n) != NULL)
        break;
    }

  close (fd);
  g_strchomp (reply->str);
  g_string_set_size (reply, strlen (reply->str));
  return TRUE;

fail:
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               "hm-faultfs control “%s” via %s: %s", command, self->ctl_path,
               g_strerror (saved));
  return FALSE;
}

/**
 * hm_faultfs_control:
 * @self: a #HmFaultfs
 * @command: one command line, e.g. `read-eio 0x10000 4096`
 * @error: return location for a #GError
 *
 * Sends a fault command and waits for the daemon to apply it: when this
 * returns %TRUE the fault is in effect.  After `disconnect` it also waits for
 * the daemon to exit, so the mount answers ENOTCONN at once.
 *
 * Returns: %TRUE if the daemon accepted the command
 */
gboolean
hm_faultfs_control (HmFaultfs   *self,
                    const char  *command,
                    GError     **error)
{
  g_autoptr(GString) reply = g_string_new (NULL);
  g_autofree char *stripped = NULL;
  gboolean disconnect;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (command != NULL && strchr (command, '\n') == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->pid == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                   "hm-faultfs control “%s”: the daemon is not running", command);
      return FALSE;
    }

  stripped = g_strstrip (g_strdup (command));
  disconnect = g_str_equal (stripped, "disconnect");

  if (!hm_faultfs_exchange (self, stripped, reply, error))
    return FALSE;

  if (disconnect)
    {
      /* "ok" or EOF: either way it is going; wait until it is gone. */
      if (!hm_faultfs_reap (self, HM_EXIT_TIMEOUT_US, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "hm-faultfs did not exit after “disconnect”");
          return FALSE;
        }
      return TRUE;
    }

  if (g_str_equal (reply->str, "ok"))
    return TRUE;

  if (reply->len == 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                 "hm-faultfs control “%s”: no reply", stripped);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "hm-faultfs control “%s”: %s", stripped, reply->str);
  return FALSE;
}

/**
 * hm_faultfs_controlf:
 * @self: a #HmFaultfs
 * @error: return location for a #GError
 * @format: printf() format of the command line
 * @...: arguments for @format
 *
 * hm_faultfs_control() with a formatted command, e.g.
 * `hm_faultfs_controlf (fs, &error, "read-eio %" G_GUINT64_FORMAT " 4096", offset)`.
 *
 * Returns: %TRUE if the daemon accepted the command
 */
gboolean
hm_faultfs_controlf (HmFaultfs   *self,
                     GError     **error,
                     const char  *format,
                     ...)
{
  g_autofree char *command = NULL;
  va_list args;

  g_return_val_if_fail (format != NULL, FALSE);

  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);

  return hm_faultfs_control (self, command, error);
}

/**
 * hm_faultfs_watch_thread:
 * @self: a #HmFaultfs
 * @tid: a thread id of this process (gettid()), or 0 to stop
 * @error: return location for a #GError
 *
 * From now on the daemon counts the reads and writes that thread @tid asks for
 * (page faults in mapped files included); hm_faultfs_get_watched_ops() tells
 * how many. A test watches its main thread to check that nothing it does there
 * reads the mount: a deterministic form of "the main loop never waits for the
 * server".
 *
 * Returns: %TRUE if the daemon accepted the command
 */
gboolean
hm_faultfs_watch_thread (HmFaultfs  *self,
                         int         tid,
                         GError    **error)
{
  return hm_faultfs_controlf (self, error, "watch-thread %d", tid);
}

/**
 * hm_faultfs_get_watched_ops:
 * @self: a #HmFaultfs
 * @n_ops: (out): reads and writes asked for by the watched thread
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the daemon answered
 */
gboolean
hm_faultfs_get_watched_ops (HmFaultfs  *self,
                            guint64    *n_ops,
                            GError    **error)
{
  g_autoptr(GString) reply = g_string_new (NULL);
  guint64 value;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (n_ops != NULL, FALSE);

  if (self->pid == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                   "hm-faultfs control “watched-ops”: the daemon is not running");
      return FALSE;
    }
  if (!hm_faultfs_exchange (self, "watched-ops", reply, error))
    return FALSE;
  if (!g_str_has_prefix (reply->str, "ok ") ||
      !g_ascii_string_to_unsigned (reply->str + 3, 10, 0, G_MAXUINT64, &value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "hm-faultfs control “watched-ops”: unexpected reply “%s”", reply->str);
      return FALSE;
    }
  *n_ops = value;
  return TRUE;
}

/* Lazy unmount: also works while files are open and after the daemon died. */
static void
hm_unmount (const char *mountpoint)
{
  const char *argv[] = { "fusermount3", "-u", "-z", mountpoint, NULL };
  int saved;

  if (umount2 (mountpoint, MNT_DETACH) == 0)
    return;
  saved = errno;
  if (saved == EINVAL || saved == ENOENT) /* not mounted (any more) */
    return;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                     | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, NULL, NULL))
    g_debug ("Cannot unmount %s: %s", mountpoint, g_strerror (saved));
}

/**
 * hm_faultfs_stop:
 * @self: (nullable) (transfer full): a #HmFaultfs
 *
 * Ends the daemon (SIGTERM, SIGKILL after a few seconds if it hangs),
 * unmounts whatever is left — also a dead mount after `disconnect` — and
 * removes the temporary mountpoint.  Files still open on the mount answer
 * ENOTCONN afterwards.
 */
void
hm_faultfs_stop (HmFaultfs *self)
{
  hm_faultfs_stop_clean (self);
}

/**
 * hm_faultfs_stop_clean:
 * @self: (nullable) (transfer full): a #HmFaultfs
 *
 * hm_faultfs_stop(), telling how the daemon ended.
 *
 * Returns: %TRUE if it exited on SIGTERM by itself (or had already exited),
 *   %FALSE if it had to be killed
 */
gboolean
hm_faultfs_stop_clean (HmFaultfs *self)
{
  gboolean clean = TRUE;

  if (self == NULL)
    return TRUE;

  if (self->pid != 0)
    {
      kill (self->pid, SIGTERM);
      if (!hm_faultfs_reap (self, HM_EXIT_TIMEOUT_US, NULL))
        {
          clean = FALSE;
          kill (self->pid, SIGKILL);
          while (waitpid (self->pid, NULL, 0) < 0 && errno == EINTR)
            ;
          self->pid = 0;
        }
    }

  if (self->mountpoint != NULL)
    {
      hm_unmount (self->mountpoint);
      if (g_rmdir (self->mountpoint) < 0 && errno != ENOENT)
        g_debug ("Cannot remove %s: %s", self->mountpoint, g_strerror (errno));
    }
  if (self->ctl_path != NULL)
    g_unlink (self->ctl_path);
  if (self->tmpdir != NULL)
    g_rmdir (self->tmpdir);

  g_free (self->ctl_path);
  g_free (self->mountpoint);
  g_free (self->tmpdir);
  g_free (self);
  return clean;
}

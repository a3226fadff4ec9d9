/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Durable-file helpers shared by the saves (Save As in hm-document-save.c) and
 * the save journal (hm-save-journal.c): a temporary file next to its target that
 * a crash cannot leave behind (O_TMPFILE where the filesystem has it), naming
 * it, and making a folder's new names durable.
 */
#include "config.h"

#include "hm-file-util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

/*
 * A named temporary file outlives a process killed while writing it. Each one
 * is flock()ed by its writer for as long as it is open, so a lock that can be
 * taken means its writer is gone: the next Save As to the same name removes
 * those (ours only, regular files only), and a crash costs the space once.
 */
static void
remove_stale_temporaries (const char *dir,
                          const char *base)
{
  g_autofree char *prefix = g_strdup_printf (".%s.hexmap-", base);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      struct stat st;
      int fd;

      if (!g_str_has_prefix (name, prefix))
        continue;
      path = g_build_filename (dir, name, NULL);
      fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      if (fd < 0)
        continue;
      if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_uid == geteuid () &&
          flock (fd, LOCK_EX | LOCK_NB) == 0)
        g_unlink (path);
      close (fd);
    }
}

/* Creates the unnamed (O_TMPFILE) or, where the filesystem has none, a
 * uniquely named 0600 file in @dir (also where @no_tmpfile: tests of that
 * path), locked (flock) while open. *tmp_name is set in the second case only:
 * the caller removes it on every failure. Returns the descriptor, or -1 with
 * errno set. */
int
hm_file_create_temporary (const char *dir,
                          const char *base,
                          gboolean    no_tmpfile,
                          char      **tmp_name)
{
  int out;

  *tmp_name = NULL;
  remove_stale_temporaries (dir, base);
  if (!no_tmpfile)
    {
      out = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
      if (out >= 0)
        {
          /* It gets a name just before the rename: a kill between them leaves it. */
          flock (out, LOCK_EX | LOCK_NB);
          return out;
        }
      if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT)
        return -1;
    }
  *tmp_name = g_strdup_printf ("%s/.%s.hexmap-XXXXXX", dir, base);
  out = g_mkstemp_full (*tmp_name, O_RDWR | O_CLOEXEC, 0600);
  if (out < 0)
    g_clear_pointer (tmp_name, g_free);
  else
    flock (out, LOCK_EX | LOCK_NB);
  return out;
}

/* Gives an unnamed file a temporary name in @dir (linkat() cannot replace the
 * target, rename() can). Returns the name, or NULL with errno set. */
char *
hm_file_link_temporary (int         out,
                        const char *dir,
                        const char *base)
{
  g_autofree char *proc = g_strdup_printf ("/proc/self/fd/%d", out);

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      char *name = g_strdup_printf ("%s/.%s.hexmap-%08x", dir, base, g_random_int ());

      if (linkat (AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0)
        return name;
      g_free (name);
      if (errno != EEXIST)
        return NULL;
    }
  errno = EEXIST;
  return NULL;
}

/* Makes a new, renamed or removed name in @dir durable. */
void
hm_file_sync_directory (const char *dir)
{
  int dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
}


/* write() until all of @data is written, retrying on EINTR. On failure
 * returns FALSE with errno set by the failing write(). */
gboolean
hm_file_write_all (int         fd,
                   const void *data,
                   gsize       length)
{
  const guint8 *p = data;

  while (length > 0)
    {
      ssize_t n = write (fd, p, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

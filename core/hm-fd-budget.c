/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The descriptor budget: a document open (and anything else that keeps
 * descriptors for as long as a file is open) asks here first, and is refused
 * with a clear message when opening would leave fewer than HM_FD_RESERVE
 * descriptors under RLIMIT_NOFILE.
 *
 * It counts the descriptors actually open (/proc/self/fd) rather than only the
 * documents' own: GTK, fontconfig, GIO and the D-Bus connection take theirs too,
 * and what runs out is the process's total. Counting costs a directory read per
 * open, a few microseconds per thousand descriptors.
 */
#include "config.h"

#include "hm-fd-budget.h"

#include <dirent.h>
#include <errno.h>
#include <sys/resource.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

static guint reserve_override;

/**
 * hm_fd_budget_count_open:
 *
 * Returns: how many descriptors the process has open, or 0 if it cannot tell
 */
guint
hm_fd_budget_count_open (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *entry;
  guint n = 0;

  if (dir == NULL)
    return 0;
  while ((entry = readdir (dir)) != NULL)
    if (entry->d_name[0] != '.')
      n++;
  closedir (dir);
  /* Not the descriptor that read the directory */
  return n > 0 ? n - 1 : 0;
}

/**
 * hm_fd_budget_get_limit:
 *
 * Returns: the soft RLIMIT_NOFILE, or %G_MAXUINT when unlimited
 */
guint
hm_fd_budget_get_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= G_MAXUINT)
    return G_MAXUINT;
  return (guint) rl.rlim_cur;
}

/**
 * hm_fd_budget_check:
 * @needed: descriptors the caller is about to keep open
 * @display_name: the file being opened, for the message
 * @error: a #GError
 *
 * Whether @needed more descriptors still leave HM_FD_RESERVE free. When not,
 * fails with %G_IO_ERROR_TOO_MANY_OPEN_FILES and a message that says so and
 * what to do.
 *
 * Returns: %TRUE if the caller may go ahead
 */
gboolean
hm_fd_budget_check (guint        needed,
                    const char  *display_name,
                    GError     **error)
{
  guint limit = hm_fd_budget_get_limit ();
  guint reserve = reserve_override > 0 ? reserve_override : HM_FD_RESERVE;
  guint open_now;

  g_return_val_if_fail (display_name != NULL, FALSE);

  if (limit == G_MAXUINT)
    return TRUE;
  open_now = hm_fd_budget_count_open ();
  if (open_now == 0 && errno == EMFILE)
    open_now = limit;
  if ((guint64) open_now + needed + reserve <= limit)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES,
               _("Too many files are open: “%s” was not opened. Close some files and try again "
                 "(%u of the %u file descriptors this program may use are taken, and %u are kept "
                 "free for the window, fonts and dialogs)."),
               display_name, open_now, limit, reserve);
  return FALSE;
}

void
_hm_fd_budget_set_reserve (guint reserve)
{
  reserve_override = reserve;
}

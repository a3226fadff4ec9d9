/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmDocument and the file on disk: what we expect the file to look like, and
 * whether another program changed it behind our back.
 *
 * baseline_stat is the file as opened or last saved; expected_stat is that plus
 * the effects of our own writes (a direct-mode store moves mtime on ext4; a
 * failed commit may have preallocated blocks). Before the file is written (a
 * commit, a direct save, carrying preview edits into the file) the conflict
 * check compares the file with what we expect, so our own writes are never
 * mistaken for another program's.
 */
#include "config.h"

#include "hm-document-private.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>

const struct stat *
_hm_document_expected_stat (HmDocument *self)
{
  return self->expected_valid ? &self->expected_stat : &self->baseline_stat;
}

/* After our own writes to the file: remember how it looks now, so that the next
 * conflict check does not blame another program for them. */
void
_hm_document_adopt_current_stat (HmDocument *self)
{
  struct stat st;

  if (fstat (self->fd, &st) == 0)
    {
      self->expected_stat = st;
      self->expected_valid = TRUE;
    }
}

gboolean
_hm_document_same_file (const struct stat *a,
                        const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Has the file changed behind our back? A file replaced at its path (an editor
 * that saves by rename) is always refused: writing our fd would write a file
 * nobody sees any more. A change of size or mtime is refused unless @force.
 * Any thread.
 */
gboolean
_hm_document_check_unchanged (HmDocument        *self,
                              const struct stat *expected,
                              gboolean           force,
                              GError           **error)
{
  struct stat st;
  struct stat at_path;
  gboolean expected_mtime = TRUE;

  if (fstat (self->fd, &st) != 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot check “%s”"), self->display_name);
      return FALSE;
    }

  if (stat (self->path, &at_path) != 0 || !_hm_document_same_file (&st, &at_path) ||
      !_hm_document_same_file (&st, expected))
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                   _("“%s” was replaced or removed by another program since it was opened. "
                     "Save a copy elsewhere to keep your edits."),
                   self->display_name);
      return FALSE;
    }

  if (force || self->kind != HM_FILE_KIND_REGULAR)
    return TRUE;

  /* In direct mode the kernel writes our stores back whenever it likes, and on
   * FUSE and network filesystems the server moves mtime when that happens: only
   * a change of size can be told apart from our own writes there. */
  if (self->mode == HM_DOCUMENT_MODE_DIRECT)
    expected_mtime = FALSE;

  if (st.st_size != expected->st_size)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                   _("“%s” was changed by another program: its size went from %" PRId64
                     " to %" PRId64 " bytes. Reload it, save a copy "
                     "elsewhere, or save anyway."),
                   self->display_name, (gint64) expected->st_size, (gint64) st.st_size);
      return FALSE;
    }

  if (expected_mtime &&
      (st.st_mtim.tv_sec != expected->st_mtim.tv_sec ||
       st.st_mtim.tv_nsec != expected->st_mtim.tv_nsec))
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                   _("“%s” was modified by another program since it was opened. "
                     "Reload it, save a copy elsewhere, or save anyway."),
                   self->display_name);
      return FALSE;
    }

  return TRUE;
}

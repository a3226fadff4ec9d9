/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmDocument and its save journal (hm-save-journal.c, which has the format and
 * the guarantees): finding an interrupted save when a file is opened, recovering
 * it (hm_document_recover(), hexmap-cli recover), and journalling the old bytes
 * of direct-mode stores before they land (hm_document_journal_range()). The
 * saves themselves, which write a journal around every in-place save, are in
 * hm-document-save.c.
 */
#include "config.h"

#include "hm-document-private.h"
#include "hm-journal.h"
#include "hm-save-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

gboolean
_hm_document_check_interrupted_save (HmDocument        *self,
                                     const struct stat *st,
                                     GError           **error)
{
  if (!hm_save_journal_exists (self->fd, self->path, st))
    return TRUE;
  g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_INTERRUPTED_SAVE,
               _("An interrupted save of “%s” was found; it may be part old, part new. "
                 "Run “hexmap-cli recover %s” to finish or undo it"),
               self->display_name, self->display_name);
  return FALSE;
}

/* The old bytes are no longer needed: the file is at its last saved state. */
void
_hm_document_drop_save_journal (HmDocument *self)
{
  if (self->save_journal == NULL)
    return;
  hm_save_journal_commit (self->save_journal, NULL);
  g_clear_pointer (&self->save_journal, hm_save_journal_close);
}

void
_hm_document_save_finalize (HmDocument *self)
{
  /* Unsaved direct changes are still in the file: the journal stays, so the
   * next open offers to undo them. */
  if (self->save_journal != NULL && !hm_journal_has_pending (self->journal))
    _hm_document_drop_save_journal (self);
  g_clear_pointer (&self->save_journal, hm_save_journal_close);
  g_clear_pointer (&self->unfinished_journal, hm_save_journal_close);
}

/* Records the file's bytes of one range in the direct-mode save journal,
 * opening it first if needed; the caller syncs. */
static gboolean
journal_record (HmDocument *self,
                guint64     offset,
                guint64     length,
                GError    **error)
{
  guint64 size = hm_document_get_size (self);

  if (offset >= size || length == 0)
    return TRUE;
  length = MIN (length, size - offset);

  if (self->save_journal == NULL)
    {
      struct stat st;

      if (fstat (self->wfd, &st) != 0)
        {
          _hm_document_set_errno_error (error, errno, _("Cannot check “%s”"), self->display_name);
          return FALSE;
        }
      self->save_journal = hm_save_journal_begin (self->wfd, &st, self->path, self->display_name,
                                                  size, size, error);
      if (self->save_journal == NULL)
        return FALSE;
    }
  return hm_save_journal_record (self->save_journal, self->wfd, offset, length, error);
}

/* hm_document_journal_range() for many ranges (HmRange), with one fsync. */
gboolean
_hm_document_journal_ranges (HmDocument *self,
                             GArray     *ranges,
                             GError    **error)
{
  if (self->mode != HM_DOCUMENT_MODE_DIRECT || self->kind == HM_FILE_KIND_ZERO_DEVICE)
    return TRUE;
  if (self->busy)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” is being saved; edit it when the save is done"), self->display_name);
      return FALSE;
    }
  for (guint i = 0; i < ranges->len; i++)
    {
      const HmRange *r = &g_array_index (ranges, HmRange, i);

      if (!journal_record (self, r->offset, r->length, error))
        return FALSE;
    }
  if (self->save_journal == NULL)
    return TRUE;
  if (!hm_save_journal_sync (self->save_journal, error))
    return FALSE;
  _hm_document_save_test_point (self, "journal-synced");
  return TRUE;
}

/**
 * hm_document_journal_range:
 * @self: a #HmDocument
 * @offset: the first byte about to be stored into
 * @length: how many
 * @error: a #GError
 *
 * Direct mode: records the file's current bytes of a range in the save journal,
 * durably, before the caller stores into it, so that a crash before the next
 * save completes leaves the file at its last saved state once recovered. Call
 * it before every store (batched: one call for a fill, one per run of typing);
 * stores not announced this way are in the file as typed if a crash comes. In
 * the other modes this does nothing: the preview commit journals by itself.
 *
 * Returns: %TRUE when the bytes are safe to overwrite
 */
gboolean
hm_document_journal_range (HmDocument *self,
                           guint64     offset,
                           guint64     length,
                           GError    **error)
{
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (HmRange));
  HmRange r = { offset, length };

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  g_array_append_val (ranges, r);
  return _hm_document_journal_ranges (self, ranges, error);
}

/**
 * hm_document_has_interrupted_save:
 * @path: a file name
 *
 * Whether a save of the file at @path was interrupted and not yet recovered.
 * Opening it fails with %HM_DOCUMENT_ERROR_INTERRUPTED_SAVE until
 * hm_document_recover() runs.
 *
 * Returns: %TRUE if a save journal exists for the file
 */
gboolean
hm_document_has_interrupted_save (const char *path)
{
  struct stat st;

  g_return_val_if_fail (path != NULL, FALSE);
  return stat (path, &st) == 0 && hm_save_journal_exists (-1, path, &st);
}

/**
 * hm_document_recover:
 * @path: a file name
 * @outcome: (out): what was done
 * @error: a #GError
 *
 * Finishes an interrupted save of @path: if it had not completed, the old bytes
 * are written back (holes punched, size and mtime restored) so the file is
 * exactly as before that save (%HM_RECOVER_ROLLED_BACK); if it had, the journal
 * is just removed (%HM_RECOVER_COMPLETED). With no journal, nothing is done
 * (%HM_RECOVER_NOTHING).
 *
 * Returns: %TRUE when the file is consistent
 */
gboolean
hm_document_recover (const char       *path,
                     HmRecoverOutcome *outcome,
                     GError          **error)
{
  g_autofree char *display = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (outcome != NULL, FALSE);

  *outcome = HM_RECOVER_NOTHING;
  display = g_filename_display_name (path);
  if (!hm_document_has_interrupted_save (path))
    {
      struct stat st;

      if (stat (path, &st) != 0)
        {
          _hm_document_set_errno_error (error, errno, _("Cannot open “%s”"), display);
          return FALSE;
        }
      return TRUE;
    }
  fd = open (path, O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot open “%s” for writing to recover it"),
                                    display);
      return FALSE;
    }
  ok = hm_save_journal_recover (fd, display, outcome, error);
  close (fd);
  return ok;
}


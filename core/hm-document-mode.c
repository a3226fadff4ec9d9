/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The modes of HmDocument, and switching between them.
 *
 * The bytes a user sees always come out of the window cache; the mode decides
 * how the windows are mapped, and so where a store lands:
 *
 *   read-only  windows are MAP_SHARED, PROT_READ: nothing can store.
 *   preview    windows are MAP_PRIVATE: a store copies the page (copy-on-write),
 *              the file never sees it. Windows we stored into are pinned so the
 *              cache cannot evict them (that would lose the edits). Every read
 *              path (view, search, checksums) sees the edits for free.
 *   direct     windows are MAP_SHARED on an O_RDWR fd: a store lands in the
 *              file's page cache at once and other programs see it. Windows are
 *              pinned until saved so that save can msync() them and hear about
 *              write errors.
 *
 * Crash safety. A preview commit is atomic: the save journal (hm-save-journal.c)
 * holds the old bytes until the file is flushed, so after a crash recovery gives
 * the old file or the new one. In direct mode a store lands at once, so only the
 * stores announced with hm_document_journal_range() are covered: their old bytes
 * are journalled first, and after a crash before the next Save, recovery rolls
 * them back to the last saved state. hexmap-cli patch and the preview-to-direct
 * switch announce theirs; stores not announced (the editor's typing, for now)
 * may be partly in the file after a crash, as direct mode always said.
 *
 * Everything that changes the mapping is here: the mode a file opens in, the
 * writable descriptor (opened once, by _hm_document_open_writable(), for direct
 * mode and for commits), and hm_document_set_mode(), which carries pending
 * preview edits into the file when switching to direct mode.
 */
#include "config.h"

#include "hm-document-private.h"
#include "hm-journal.h"
#include "hm-window-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

/**
 * _hm_document_open_writable:
 * @self: a #HmDocument
 * @error: a #GError
 *
 * Opens the O_RDWR descriptor that direct mode maps and commits write through,
 * once: every path that needs it comes here. The path must still name the file
 * we have been reading; a file replaced at its path (an editor that saves by
 * rename) is refused, since writing it would change a file nobody sees.
 *
 * Returns: %TRUE if self->wfd is open
 */
gboolean
_hm_document_open_writable (HmDocument *self,
                            GError    **error)
{
  struct stat a;
  struct stat b;
  int wfd;

  if (self->wfd >= 0)
    return TRUE;

  /* O_EXCL on a block device: refused (EBUSY) while a filesystem on it is
   * mounted, and while we hold it no one can mount it under our writes. */
  wfd = open (self->path, O_RDWR | O_CLOEXEC | O_NOCTTY |
                          (self->kind == HM_FILE_KIND_BLOCK_DEVICE ? O_EXCL : 0));
  if (wfd < 0 && errno == EBUSY && self->kind == HM_FILE_KIND_BLOCK_DEVICE)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY,
                   _("Cannot write to “%s”: the device is mounted or in use; unmount it first"),
                   self->display_name);
      return FALSE;
    }
  if (wfd < 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot open “%s” for writing"),
                                    self->display_name);
      return FALSE;
    }
  if (fstat (wfd, &a) != 0 || fstat (self->fd, &b) != 0 || !_hm_document_same_file (&a, &b))
    {
      close (wfd);
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                   _("“%s” was replaced by another program since it was opened"),
                   self->display_name);
      return FALSE;
    }
  self->wfd = wfd;
  return TRUE;
}

/* Sets how windows are mapped for @mode. Callers check that no edits would be lost. */
gboolean
_hm_document_apply_mode (HmDocument    *self,
                         HmDocumentMode mode,
                         GError       **error)
{
  int fd = self->fd;
  int prot = PROT_READ;
  int flags = MAP_SHARED;

  if (mode != HM_DOCUMENT_MODE_READ_ONLY && !self->can_write)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY,
                   _("“%s” can only be opened read-only"), self->display_name);
      return FALSE;
    }

  switch (mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      break;
    case HM_DOCUMENT_MODE_PREVIEW:
      /* Copy-on-write: a page we store into becomes ours; the file never sees it. */
      prot = PROT_READ | PROT_WRITE;
      flags = MAP_PRIVATE;
      break;
    case HM_DOCUMENT_MODE_DIRECT:
      if (!_hm_document_open_writable (self, error))
        return FALSE;
      fd = self->wfd;
      prot = PROT_READ | PROT_WRITE;
      flags = MAP_SHARED;
      break;
    default:
      g_assert_not_reached ();
    }

  hm_window_cache_drop (self->cache, TRUE);
  hm_window_cache_set_mapping (self->cache, fd, prot, flags);
  self->mode = mode;
  return TRUE;
}

/**
 * hm_document_get_default_mode:
 * @self: a #HmDocument
 *
 * The mode a user should get without asking: read-only for files they cannot
 * write, block devices, and network or FUSE mounts (where a read can fail or hang
 * and a write error shows up late); preview for everything else.
 *
 * Returns: the default mode
 */
HmDocumentMode
hm_document_get_default_mode (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), HM_DOCUMENT_MODE_READ_ONLY);

  if (!self->can_write ||
      self->kind != HM_FILE_KIND_REGULAR ||
      self->fs_kind == HM_FS_KIND_NETWORK ||
      self->fs_kind == HM_FS_KIND_FUSE)
    return HM_DOCUMENT_MODE_READ_ONLY;
  return HM_DOCUMENT_MODE_PREVIEW;
}

/* Preview -> direct with pending edits: the pending bytes leave the private
 * windows and go into the file's page cache, i.e. the file changes now. */
static gboolean
carry_pending_to_direct (HmDocument *self,
                         GError    **error)
{
  g_autoptr(GArray) ranges = hm_journal_get_pending_ranges (self->journal);
  g_autoptr(GArray) pieces = NULL;
  g_autoptr(GError) local = NULL;

  /* Like a commit: applying the edits on top of a file changed by someone else
   * would make a mix nobody asked for. */
  if (!_hm_document_check_unchanged (self, _hm_document_expected_stat (self), FALSE, error))
    {
      g_prefix_error (error, _("The edits stay in preview: "));
      return FALSE;
    }

  pieces = _hm_document_read_pending_pieces (self, error);
  if (pieces == NULL)
    return FALSE;

  if (!_hm_document_apply_mode (self, HM_DOCUMENT_MODE_DIRECT, error))
    return FALSE;
  _hm_document_invalidate_extents (self);

  if (_hm_document_journal_ranges (self, ranges, &local) &&
      _hm_document_store_pieces (self, pieces, TRUE, &local))
    {
      _hm_document_adopt_current_stat (self);
      _hm_document_disk_record (self);
      return TRUE;
    }

  /* Back to preview with the edits where they were: the file got its baseline
   * bytes back from _hm_document_store_pieces(), so the old bytes in the save
   * journal are no longer needed. */
  _hm_document_drop_save_journal (self);
  _hm_document_adopt_current_stat (self);
  _hm_document_disk_record (self);
  if (_hm_document_apply_mode (self, HM_DOCUMENT_MODE_PREVIEW, NULL))
    {
      g_autoptr(GError) again = NULL;

      _hm_document_invalidate_extents (self);
      if (!_hm_document_restore_pieces (self, pieces, &again))
        g_prefix_error (&local, _("(Restoring the preview also failed: %s) "), again->message);
    }
  g_propagate_prefixed_error (error, g_steal_pointer (&local),
                              _("Could not move the pending edits into “%s”; they stay in preview. "),
                              self->display_name);
  return FALSE;
}

/**
 * hm_document_set_mode:
 * @self: a #HmDocument
 * @mode: the new mode
 * @error: a #GError
 *
 * Switches how edits reach the file, keeping the edits:
 *
 * - to read-only: refused (%HM_DOCUMENT_ERROR_BUSY) while edits are pending; save
 *   or discard them first.
 * - preview to direct: the pending edits are written into the file's page cache
 *   at once. **In direct mode the file changes immediately for every other
 *   program**; saving only makes the changes durable. Refused with
 *   %HM_DOCUMENT_ERROR_CONFLICT if the file changed on disk since it was opened.
 * - direct to anything else: refused (%HM_DOCUMENT_ERROR_BUSY) while edits are
 *   unsaved: "save first". Switching would leave changed bytes in the file that
 *   no mode describes; saving silently is a decision for the user.
 *
 * Emits "notify::mode".
 *
 * Returns: %TRUE if the document is now in @mode
 */
gboolean
hm_document_set_mode (HmDocument    *self,
                      HmDocumentMode mode,
                      GError       **error)
{
  gboolean pending;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (mode == HM_DOCUMENT_MODE_READ_ONLY || mode == HM_DOCUMENT_MODE_PREVIEW ||
                        mode == HM_DOCUMENT_MODE_DIRECT, FALSE);

  if (mode == self->mode)
    return TRUE;

  if (self->busy)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” is being saved; change the mode when the save is done"),
                   self->display_name);
      return FALSE;
    }

  hm_journal_break_coalescing (self->journal);
  pending = hm_journal_has_pending (self->journal);

  if (pending && self->mode == HM_DOCUMENT_MODE_DIRECT)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” has unsaved changes written directly into the file; "
                     "save first (or discard them), then switch modes"), self->display_name);
      return FALSE;
    }

  /* The pieces keep file offsets whatever the mode; switching with them pending
   * would need a policy per pair of modes for little use: save them first. */
  if (_hm_document_is_structural (self) && mode != self->mode)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” has pending inserts or deletes; save or discard them, then switch modes"),
                   self->display_name);
      return FALSE;
    }

  if (pending && mode == HM_DOCUMENT_MODE_READ_ONLY)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” has pending edits; save or discard them before making it read-only"),
                   self->display_name);
      return FALSE;
    }

  if (mode == HM_DOCUMENT_MODE_DIRECT && !_hm_document_open_writable (self, error))
    return FALSE;

  if (pending)
    {
      g_assert (self->mode == HM_DOCUMENT_MODE_PREVIEW && mode == HM_DOCUMENT_MODE_DIRECT);
      if (!carry_pending_to_direct (self, error))
        return FALSE;
    }
  else
    {
      /* Nothing unsaved: the file is at its last saved state. */
      if (self->mode == HM_DOCUMENT_MODE_DIRECT)
        _hm_document_drop_save_journal (self);
      if (!_hm_document_apply_mode (self, mode, error))
        return FALSE;
      /* Hole marks for private pages we no longer map must go. */
      _hm_document_invalidate_extents (self);
    }

  _hm_document_notify (self, "mode");
  return TRUE;
}

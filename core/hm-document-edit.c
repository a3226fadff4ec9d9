/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Editing HmDocument: modes, stores, undo/redo, commit, save and Save As.
 *
 * The bytes a user sees always come out of the window cache, so editing is
 * storing into the windows and remembering what was there before:
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
 * Every store goes through the fault guard (hm_fault_store): a store into a hole
 * on a full filesystem, or into a page the storage cannot deliver, raises SIGBUS,
 * which becomes an error for that edit only. An edit that faults halfway is
 * reverted with its old bytes before it returns, and the journal only hears of
 * edits that landed completely; so the journal always describes exactly what
 * the windows hold.
 *
 * Commit (preview) writes only the pending bytes: it preallocates the holes they
 * fall into (so a full disk fails before a byte lands), copies them from the
 * private windows into short-lived writable shared views of the file, msyncs
 * each view and checks the result (FUSE and network filesystems report a write
 * error there, once), sets the timestamps and fsyncs. Only then do the edits
 * become the baseline. The slow part runs in a worker for the async variants;
 * everything that touches the journal or emits signals runs on the caller's
 * thread, before and after.
 */
#include "config.h"

#include "hm-document-private.h"
#include "hm-fault.h"
#include "hm-journal.h"
#include "hm-window-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

/* Bytes moved per guarded store or read: bounds the memory a fill or a commit
 * needs beyond the journal itself. */
#define CHUNK_SIZE          (1024 * 1024)
/* Save As copies this much per copy_file_range() call, then checks for cancel. */
#define COPY_CHUNK          (64 * 1024 * 1024)
/* More changed ranges than this are announced as one "changed" span. */
#define MAX_CHANGED_SIGNALS 64

static gsize
page_size (void)
{
  static gsize size = 0;

  if (size == 0)
    size = (gsize) sysconf (_SC_PAGESIZE);
  return size;
}

/* ---- State notifications ---- */

typedef struct
{
  gboolean can_undo;
  gboolean can_redo;
  gboolean has_pending;
} EditState;

static EditState
edit_state (HmDocument *self)
{
  EditState state = {
    hm_journal_can_undo (self->journal),
    hm_journal_can_redo (self->journal),
    hm_journal_has_pending (self->journal),
  };

  return state;
}

/* Notifies the properties that changed since @before (explicit-notify style). */
static void
notify_state (HmDocument      *self,
              const EditState *before)
{
  EditState now = edit_state (self);

  if (now.can_undo != before->can_undo)
    _hm_document_notify (self, "can-undo");
  if (now.can_redo != before->can_redo)
    _hm_document_notify (self, "can-redo");
  if (now.has_pending != before->has_pending)
    _hm_document_notify (self, "has-pending");
}

/* Announces changed ranges; a flood of them becomes one span, since a view only
 * needs to know what to redraw. */
static void
emit_changed_ranges (HmDocument *self,
                     GArray     *ranges)
{
  const HmRange *first;
  const HmRange *last;

  if (ranges == NULL || ranges->len == 0)
    return;

  if (ranges->len <= MAX_CHANGED_SIGNALS)
    {
      for (guint i = 0; i < ranges->len; i++)
        {
          const HmRange *r = &g_array_index (ranges, HmRange, i);

          _hm_document_emit_changed (self, r->offset, r->length);
        }
      return;
    }

  first = &g_array_index (ranges, HmRange, 0);
  last = &g_array_index (ranges, HmRange, ranges->len - 1);
  _hm_document_emit_changed (self, first->offset, last->offset + last->length - first->offset);
}

/* ---- Checks ---- */

static gboolean
check_editable (HmDocument *self,
                GError    **error)
{
  if (self->busy)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” is being saved; try again when the save is done"),
                   self->display_name);
      return FALSE;
    }
  if (self->mode == HM_DOCUMENT_MODE_READ_ONLY)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY,
                   _("“%s” is open read-only; switch to preview or direct mode to edit it"),
                   self->display_name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_range (HmDocument *self,
             guint64     offset,
             guint64     length,
             GError    **error)
{
  guint64 size = hm_document_get_size (self);

  if (offset > size || length > size - offset)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE,
                   _("Cannot edit 0x%" PRIx64 " bytes at offset 0x%" PRIx64
                     ": “%s” ends at 0x%" PRIx64 " (edits never change the size)"),
                   length, offset, self->display_name, size);
      return FALSE;
    }
  return TRUE;
}

static void
set_errno_error (GError    **error,
                 int         saved_errno,
                 const char *format,
                 ...) G_GNUC_PRINTF (3, 4);

static void
set_errno_error (GError    **error,
                 int         saved_errno,
                 const char *format,
                 ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_NO_SPACE, "%s: %s",
                 what, g_strerror (saved_errno));
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s",
                 what, g_strerror (saved_errno));
}

/* A read came up short: the file shrank behind our back. Returns FALSE. */
static gboolean
set_shrank_error (HmDocument *self,
                  GError    **error)
{
  g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
               _("“%s” was truncated by another program; reload it"), self->display_name);
  return FALSE;
}

static const struct stat *
expected_stat (HmDocument *self)
{
  return self->expected_valid ? &self->expected_stat : &self->baseline_stat;
}

/* After our own writes to the file: remember how it looks now, so that the next
 * conflict check does not blame another program for them. */
static void
adopt_current_stat (HmDocument *self)
{
  struct stat st;

  if (fstat (self->fd, &st) == 0)
    {
      self->expected_stat = st;
      self->expected_valid = TRUE;
    }
}

static gboolean
same_file (const struct stat *a,
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
static gboolean
check_unchanged (HmDocument        *self,
                 const struct stat *expected,
                 gboolean           force,
                 GError           **error)
{
  struct stat st;
  struct stat at_path;
  gboolean expected_mtime = TRUE;

  if (fstat (self->fd, &st) != 0)
    {
      set_errno_error (error, errno, _("Cannot check “%s”"), self->display_name);
      return FALSE;
    }

  if (stat (self->path, &at_path) != 0 || !same_file (&st, &at_path) || !same_file (&st, expected))
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

/* Opens the O_RDWR fd, making sure it is the same file as the one we read. */
static gboolean
ensure_wfd (HmDocument *self,
            GError    **error)
{
  struct stat a;
  struct stat b;
  int wfd;

  if (self->wfd >= 0)
    return TRUE;

  wfd = open (self->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (wfd < 0)
    {
      set_errno_error (error, errno, _("Cannot open “%s” for writing"), self->display_name);
      return FALSE;
    }
  if (fstat (wfd, &a) != 0 || fstat (self->fd, &b) != 0 || !same_file (&a, &b))
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

/* ---- Stores ---- */

typedef enum
{
  SOURCE_DATA,      /* data[i] */
  SOURCE_PATTERN,   /* pattern[i % pattern_length], i counted from origin */
  SOURCE_STEP_NEW,  /* the new bytes of a journal step (a fill is generated) */
} SourceKind;

/* Where the bytes of a store come from; byte i is for file offset origin + i. */
typedef struct
{
  SourceKind           kind;
  guint64              origin;
  const guint8        *data;
  const guint8        *pattern;
  gsize                pattern_length;
  const HmJournalStep *step;
} ByteSource;

static void
source_copy (const ByteSource *source,
             guint64           offset,
             guint8           *buffer,
             gsize             length)
{
  guint64 rel = offset - source->origin;

  switch (source->kind)
    {
    case SOURCE_DATA:
      memcpy (buffer, source->data + rel, length);
      break;
    case SOURCE_PATTERN:
      {
        gsize p = (gsize) (rel % source->pattern_length);

        for (gsize i = 0; i < length; i++)
          {
            buffer[i] = source->pattern[p];
            if (++p == source->pattern_length)
              p = 0;
          }
      }
      break;
    case SOURCE_STEP_NEW:
      hm_journal_step_copy_new (source->step, rel, buffer, length);
      break;
    default:
      g_assert_not_reached ();
    }
}

/*
 * Preview on tmpfs: a copy-on-write fault on a hole makes tmpfs allocate a page
 * in the *file* first (it counts against the filesystem, and on a full tmpfs the
 * fault is a SIGBUS: preview edits would fail where nothing is being written).
 * A hole reads as zeros, so a page that lies entirely in a hole is replaced by an
 * anonymous zero page before the store; the file is then truly untouched. Only
 * pages the hole map still shows as holes qualify: a page we stored into before
 * was marked as data then. If the mapping cannot be replaced (mapping limit) the
 * ordinary copy-on-write store follows, which is merely less thrifty.
 * Disk filesystems do not allocate on such a fault, so they are left alone.
 */
#define HM_MAX_HOLE_REPLACEMENTS 4096

static void
replace_hole_pages (HmDocument *self,
                    HmWindow   *window,
                    guint64     offset,
                    gsize       length)
{
  guint64 page = page_size ();
  guint64 window_end = window->offset + window->length;
  guint64 pos = offset / page * page;
  guint64 end = MIN (window_end, offset + length);

  while (pos < end)
    {
      guint64 run_end;
      guint64 first;
      guint64 last;

      if (!hm_document_is_hole (self, pos, &run_end))
        {
          pos = MIN (run_end, end);
          pos = (pos + page - 1) / page * page;
          continue;
        }

      /* Whole pages inside the hole (the file's last page may be partial). */
      first = (pos + page - 1) / page * page;
      last = run_end >= window_end ? (window_end + page - 1) / page * page
                                   : run_end / page * page;
      last = MIN (last, (end + page - 1) / page * page);
      /* Each replacement may split the window's mapping in up to three, and
       * vm.max_map_count (65530) is per process: past a budget, fall back to the
       * ordinary store rather than starve every later mmap (GLib's included). */
      if (last > first && self->n_hole_replacements < HM_MAX_HOLE_REPLACEMENTS)
        {
          void *addr = window->data + (first - window->offset);

          if (mmap (addr, (gsize) (last - first), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED)
            self->n_hole_replacements++;
        }
      pos = MAX (run_end, pos + 1);
      pos = (pos + page - 1) / page * page;
    }
}

/* Allocates [start, end) rounded out to whole pages (a store dirties a whole
 * page, which may need neighbouring blocks when blocks are smaller than pages),
 * clamped to the size. KEEP_SIZE: a truncation racing with us must not be undone
 * by growing the file back. Sets errno and returns FALSE on failure. */
static gboolean
preallocate_pages (HmDocument *self,
                   guint64     start,
                   guint64     end)
{
  guint64 page = page_size ();
  guint64 size = hm_document_get_size (self);

  start = start / page * page;
  end = MIN ((end + page - 1) / page * page, size);
  if (end <= start)
    return TRUE;
  return fallocate (self->wfd, FALLOC_FL_KEEP_SIZE, (off_t) start, (off_t) (end - start)) == 0;
}

/*
 * Direct mode: allocate the holes the store will fall into, so a full disk is a
 * clean ENOSPC before anything is stored rather than a SIGBUS halfway through.
 * Filesystems without fallocate (FUSE, some network ones) are left to the guard.
 */
static gboolean
preallocate_direct (HmDocument *self,
                    guint64     offset,
                    guint64     length,
                    GError    **error)
{
  g_autoptr(GArray) extents = NULL;

  if (self->mode != HM_DOCUMENT_MODE_DIRECT || self->kind != HM_FILE_KIND_REGULAR)
    return TRUE;

  extents = hm_document_get_extents (self, offset, length);
  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (!e->is_hole)
        continue;
      if (!preallocate_pages (self, e->offset, e->offset + e->length))
        {
          int saved_errno = errno;

          if (saved_errno == EOPNOTSUPP || saved_errno == ENOSYS || saved_errno == EINVAL)
            return TRUE;
          set_errno_error (error, saved_errno,
                           _("Cannot allocate space in “%s” for the edit at offset 0x%"
                             PRIx64 "; nothing was changed"), self->display_name, e->offset);
          return FALSE;
        }
    }
  return TRUE;
}

/*
 * Stores @length bytes from @source at @offset through the windows, pinning each
 * window it touches. On a fault, *touched_end says how far bytes may have landed
 * (memcpy may store a chunk's tail first, so the whole faulting chunk counts).
 * Any thread; no signals.
 */
static gboolean
store_range (HmDocument       *self,
             guint64           offset,
             guint64           length,
             const ByteSource *source,
             guint64          *touched_end,
             GError          **error)
{
  g_autofree guint8 *bounce = NULL;
  guint64 done = 0;

  *touched_end = offset;

  if (source->kind != SOURCE_DATA &&
      !(source->kind == SOURCE_PATTERN && source->pattern_length == 1))
    bounce = g_malloc (MIN (length, (guint64) CHUNK_SIZE));

  while (done < length)
    {
      guint64 pos = offset + done;
      HmWindow *window;
      guint64 window_end;
      guint64 n;

      window = _hm_document_acquire_window (self, pos, HM_ACCESS_RANDOM, error);
      if (window == NULL)
        return FALSE;

      window_end = window->offset + window->length;
      if (window_end <= pos)
        {
          _hm_document_release_window (self, window);
          g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                       _("“%s” changed size on disk while edits are pending near its end; "
                         "save or discard them, then reload"), self->display_name);
          return FALSE;
        }

      /* Pin before storing: a window holding even part of an edit must stay. */
      hm_window_cache_pin (self->cache, window);

      n = MIN (window_end - pos, length - done);
      if (self->mode == HM_DOCUMENT_MODE_PREVIEW && self->fs_kind == HM_FS_KIND_MEMORY)
        replace_hole_pages (self, window, pos, (gsize) n);

      for (guint64 k = 0; k < n;)
        {
          guint8 *dest = window->data + (pos + k - window->offset);
          const void *fault_addr = NULL;
          gsize c;
          gboolean ok;

          if (source->kind == SOURCE_DATA)
            {
              c = (gsize) (n - k);
              ok = hm_fault_store (dest, source->data + (pos + k - source->origin), c, &fault_addr);
            }
          else if (bounce == NULL)
            {
              c = (gsize) (n - k);
              ok = hm_fault_fill (dest, source->pattern[0], c, &fault_addr);
            }
          else
            {
              c = (gsize) MIN (n - k, (guint64) CHUNK_SIZE);
              source_copy (source, pos + k, bounce, c);
              ok = hm_fault_store (dest, bounce, c, &fault_addr);
            }

          if (!ok)
            {
              guint64 fault_offset = window->offset +
                                     (guint64) ((const guint8 *) fault_addr - window->data);

              *touched_end = pos + k + c;
              _hm_document_release_window (self, window);
              g_propagate_error (error, _hm_document_fault_error (self, fault_offset, TRUE));
              return FALSE;
            }
          k += c;
        }

      _hm_document_release_window (self, window);
      done += n;
      *touched_end = offset + done;
    }

  return TRUE;
}

/* Puts @old back over [offset, end) after a failed store, a page at a time: a page
 * whose store faulted received nothing, so skipping it loses nothing. */
static gboolean
revert_range (HmDocument       *self,
              guint64           offset,
              guint64           end,
              const ByteSource *old)
{
  guint64 page = page_size ();
  gboolean all = TRUE;

  for (guint64 pos = offset; pos < end;)
    {
      guint64 next = MIN (end, (pos / page + 1) * page);
      guint64 touched;
      g_autoptr(GError) local = NULL;

      if (!store_range (self, pos, next - pos, old, &touched, &local))
        {
          g_debug ("Could not restore 0x%" G_GINT64_MODIFIER "x: %s", pos, local->message);
          all = FALSE;
        }
      pos = next;
    }
  return all;
}

/* Reads show zeros for holes without looking at the windows: tell them where
 * edits now hold bytes. Whole pages are marked (a page we stored into is ours, so
 * reading the rest of it through the window costs nothing and allocates nothing),
 * which keeps the hole map small: a million one-byte edits in a sparse file add
 * at most one extent per page, and later edits in the page find no hole and skip
 * the rebuild. */
static void
mark_stored (HmDocument *self,
             guint64     offset,
             guint64     length)
{
  guint64 page = page_size ();
  guint64 start = offset / page * page;
  guint64 end = MIN ((offset + length + page - 1) / page * page, hm_document_get_size (self));
  g_autoptr(GArray) extents = hm_document_get_extents (self, start, end - start);

  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (e->is_hole)
        _hm_document_mark_data (self, e->offset, e->length);
    }
}

/*
 * Stores @new_bytes over [offset, offset + length); if that fails partway, puts
 * @old_bytes back, so the document and the journal stay in step. Any thread.
 */
static gboolean
store_with_revert (HmDocument       *self,
                   guint64           offset,
                   guint64           length,
                   const ByteSource *new_bytes,
                   const ByteSource *old_bytes,
                   GError          **error)
{
  guint64 touched = offset;
  gboolean ok;

  if (length == 0)
    return TRUE;

  if (!preallocate_direct (self, offset, length, error))
    return FALSE;

  ok = store_range (self, offset, length, new_bytes, &touched, error);
  if (!ok && touched > offset && !revert_range (self, offset, touched, old_bytes))
    g_prefix_error (error, _("Some bytes between 0x%" PRIx64 " and 0x%"
                      PRIx64 " could not be restored either. "), offset, touched);

  /* Only a complete store makes the range data: after a failed one the hole's
   * zeros are back, and reading a faulting page again would only fault again. */
  if (ok)
    mark_stored (self, offset, length);
  return ok;
}

static void
after_direct_store (HmDocument *self)
{
  if (self->mode == HM_DOCUMENT_MODE_DIRECT)
    adopt_current_stat (self);
}

/* ---- Edits ---- */

/**
 * hm_document_write:
 * @self: a #HmDocument
 * @offset: where the bytes go
 * @data: (array length=length): the new bytes
 * @length: how many; the range must lie inside the file (edits never change its size)
 * @flags: %HM_EDIT_COALESCE for typing, so a run of typed nibbles is one undo step
 * @error: a #GError
 *
 * Overwrites bytes, across as many windows as needed, as one undo step.
 *
 * In preview mode the file is untouched until hm_document_save(). In direct mode
 * the bytes land in the file's page cache at once: **other programs reading the
 * file see them immediately**, and the kernel may write them to disk at any time;
 * hm_document_save() only makes them durable.
 *
 * A store that faults (no space left for a hole, an I/O error) fails with a
 * %HM_FAULT_ERROR; the bytes it already stored are put back, so the edit is
 * either complete or absent and the other edits are untouched.
 *
 * Returns: %TRUE if the edit was made
 */
gboolean
hm_document_write (HmDocument  *self,
                   guint64      offset,
                   const void  *data,
                   gsize        length,
                   HmEditFlags  flags,
                   GError     **error)
{
  g_autofree guint8 *old = NULL;
  ByteSource new_bytes = { SOURCE_DATA, offset, data, NULL, 0, NULL };
  ByteSource old_bytes = { SOURCE_DATA, offset, NULL, NULL, 0, NULL };
  EditState before;
  gssize n;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (!check_editable (self, error) || !check_range (self, offset, length, error))
    return FALSE;
  if (length == 0)
    return TRUE;

  old = g_try_malloc (length);
  if (old == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory to keep the %zu old bytes for undo"), length);
      return FALSE;
    }
  n = hm_document_read (self, offset, old, length, error);
  if (n < 0)
    return FALSE;
  if ((gsize) n != length)
    return set_shrank_error (self, error);
  old_bytes.data = old;

  if (!store_with_revert (self, offset, length, &new_bytes, &old_bytes, error))
    {
      after_direct_store (self);
      return FALSE;
    }
  after_direct_store (self);

  before = edit_state (self);
  hm_journal_record (self->journal, offset, old, data, length, flags);
  _hm_document_emit_changed (self, offset, length);
  notify_state (self, &before);
  return TRUE;
}

/**
 * hm_document_fill:
 * @self: a #HmDocument
 * @offset: first byte to fill
 * @length: bytes to fill, inside the file
 * @pattern: (array length=pattern_length): the bytes to repeat, starting at @offset
 * @pattern_length: at least 1
 * @error: a #GError
 *
 * Fills a range with a repeated pattern, as one undo step. The journal keeps the
 * old bytes (undo needs them) but only the pattern for the new ones. Direct mode
 * changes the file at once, as with hm_document_write().
 *
 * Returns: %TRUE if the range was filled
 */
gboolean
hm_document_fill (HmDocument   *self,
                  guint64       offset,
                  guint64       length,
                  const guint8 *pattern,
                  gsize         pattern_length,
                  GError      **error)
{
  g_autofree guint8 *old = NULL;
  ByteSource new_bytes = { SOURCE_PATTERN, offset, NULL, pattern, pattern_length, NULL };
  ByteSource old_bytes = { SOURCE_DATA, offset, NULL, NULL, 0, NULL };
  EditState before;
  gssize n;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (pattern != NULL && pattern_length > 0, FALSE);

  if (!check_editable (self, error) || !check_range (self, offset, length, error))
    return FALSE;
  if (length == 0)
    return TRUE;

  old = length <= (guint64) G_MAXSSIZE ? g_try_malloc ((gsize) length) : NULL;
  if (old == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory to keep the %" PRIu64 " old bytes for undo"), length);
      return FALSE;
    }
  n = hm_document_read (self, offset, old, (gsize) length, error);
  if (n < 0)
    return FALSE;
  if ((guint64) n != length)
    return set_shrank_error (self, error);
  old_bytes.data = old;

  if (!store_with_revert (self, offset, length, &new_bytes, &old_bytes, error))
    {
      after_direct_store (self);
      return FALSE;
    }
  after_direct_store (self);

  before = edit_state (self);
  hm_journal_record_fill (self->journal, offset, old, (gsize) length, pattern, pattern_length);
  _hm_document_emit_changed (self, offset, length);
  notify_state (self, &before);
  return TRUE;
}

static gboolean
undo_redo (HmDocument *self,
           gboolean    undo,
           GError    **error)
{
  const HmJournalStep *step;
  ByteSource old_bytes = { SOURCE_DATA, 0, NULL, NULL, 0, NULL };
  ByteSource new_bytes = { SOURCE_STEP_NEW, 0, NULL, NULL, 0, NULL };
  guint64 offset;
  guint64 length;
  EditState before;
  gboolean ok;

  if (!check_editable (self, error))
    return FALSE;

  step = undo ? hm_journal_peek_undo (self->journal) : hm_journal_peek_redo (self->journal);
  if (step == NULL)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   undo ? _("Nothing to undo") : _("Nothing to redo"));
      return FALSE;
    }

  offset = hm_journal_step_get_offset (step);
  length = hm_journal_step_get_length (step);
  if (!check_range (self, offset, length, error))
    return FALSE;

  old_bytes.origin = offset;
  old_bytes.data = hm_journal_step_get_old_data (step);
  new_bytes.origin = offset;
  new_bytes.step = step;

  /* Undo stores the old bytes and would revert with the new ones; redo the reverse. */
  if (undo)
    ok = store_with_revert (self, offset, length, &old_bytes, &new_bytes, error);
  else
    ok = store_with_revert (self, offset, length, &new_bytes, &old_bytes, error);
  after_direct_store (self);
  if (!ok)
    return FALSE;

  before = edit_state (self);
  if (undo)
    hm_journal_commit_undo (self->journal);
  else
    hm_journal_commit_redo (self->journal);
  _hm_document_emit_changed (self, offset, length);
  notify_state (self, &before);
  return TRUE;
}

/**
 * hm_document_undo:
 * @self: a #HmDocument
 * @error: a #GError
 *
 * Reverts the latest step. Undo reaches back past commits: undoing a committed
 * step makes the bytes differ from the file again, so they become pending. If the
 * store faults, nothing changes and the step stays undoable.
 *
 * Returns: %TRUE if a step was undone
 */
gboolean
hm_document_undo (HmDocument *self,
                  GError    **error)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  return undo_redo (self, TRUE, error);
}

/**
 * hm_document_redo:
 * @self: a #HmDocument
 * @error: a #GError
 *
 * Applies the latest undone step again.
 *
 * Returns: %TRUE if a step was redone
 */
gboolean
hm_document_redo (HmDocument *self,
                  GError    **error)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  return undo_redo (self, FALSE, error);
}

gboolean
hm_document_get_can_undo (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  return hm_journal_can_undo (self->journal);
}

gboolean
hm_document_get_can_redo (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  return hm_journal_can_redo (self->journal);
}

/**
 * hm_document_get_has_pending:
 * @self: a #HmDocument
 *
 * Returns: %TRUE if some bytes differ from the file as last saved (in preview
 *   mode: the file does not have them yet; in direct mode: they are not durable)
 */
gboolean
hm_document_get_has_pending (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  return hm_journal_has_pending (self->journal);
}

/**
 * hm_document_get_pending_ranges:
 * @self: a #HmDocument
 *
 * The bytes that differ from the file as last saved, byte-exact: a byte typed
 * back to its old value is not pending. For highlighting and a changes list.
 *
 * Returns: (transfer full) (element-type HmRange): sorted, merged ranges
 */
GArray *
hm_document_get_pending_ranges (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);
  return hm_journal_get_pending_ranges (self->journal);
}

/**
 * hm_document_get_committed_ranges:
 * @self: a #HmDocument
 *
 * Returns: (transfer full) (element-type HmRange): the ranges saved to the file
 *   since the document was opened, sorted and merged
 */
GArray *
hm_document_get_committed_ranges (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);
  return hm_journal_get_committed_ranges (self->journal);
}

/**
 * hm_document_read_baseline:
 * @self: a #HmDocument
 * @offset: first byte to read
 * @buffer: (out caller-allocates) (array length=length): where to put the bytes
 * @length: bytes to read
 * @error: return location for an error
 *
 * Like hm_document_read(), but pending bytes read as the file had them when last
 * saved: the "old" side of a changes list.
 *
 * Returns: bytes read (short at the end of the file), or -1 with @error set
 */
gssize
hm_document_read_baseline (HmDocument  *self,
                           guint64      offset,
                           void        *buffer,
                           gsize        length,
                           GError     **error)
{
  gssize n;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), -1);

  n = hm_document_read (self, offset, buffer, length, error);
  if (n > 0)
    hm_journal_copy_baseline (self->journal, offset, buffer, (gsize) n);
  return n;
}

/* ---- Moving pending bytes around (mode switch, direct discard) ---- */

typedef struct
{
  guint64  offset;
  gsize    length;
  guint8  *current;   /* the bytes the document shows */
  guint8  *baseline;  /* the bytes the file had when last saved */
} Piece;

static void
piece_clear (gpointer data)
{
  Piece *piece = data;

  g_free (piece->current);
  g_free (piece->baseline);
}

/* Reads the pending bytes, with their baseline values, in pieces of CHUNK_SIZE. */
static GArray *
read_pending_pieces (HmDocument *self,
                     GError    **error)
{
  g_autoptr(GArray) ranges = hm_journal_get_pending_ranges (self->journal);
  g_autoptr(GArray) pieces = g_array_new (FALSE, TRUE, sizeof (Piece));

  g_array_set_clear_func (pieces, piece_clear);
  for (guint i = 0; i < ranges->len; i++)
    {
      const HmRange *r = &g_array_index (ranges, HmRange, i);

      for (guint64 done = 0; done < r->length;)
        {
          Piece piece;

          piece.offset = r->offset + done;
          piece.length = (gsize) MIN (r->length - done, (guint64) CHUNK_SIZE);
          piece.current = g_malloc (piece.length);
          piece.baseline = NULL;
          g_array_append_val (pieces, piece);
          if (hm_document_read (self, piece.offset, piece.current, piece.length, error)
              != (gssize) piece.length)
            {
              if (error != NULL && *error == NULL)
                g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                             _("“%s” shrank while edits are pending"), self->display_name);
              return NULL;
            }
          piece.baseline = g_memdup2 (piece.current, piece.length);
          hm_journal_copy_baseline (self->journal, piece.offset, piece.baseline, piece.length);
          g_array_index (pieces, Piece, pieces->len - 1).baseline = piece.baseline;
          done += piece.length;
        }
    }
  return g_steal_pointer (&pieces);
}

/* Stores one side of every piece (current or baseline), reverting all on failure. */
static gboolean
store_pieces (HmDocument *self,
              GArray     *pieces,
              gboolean    store_current,
              GError    **error)
{
  for (guint i = 0; i < pieces->len; i++)
    {
      const Piece *p = &g_array_index (pieces, Piece, i);
      ByteSource want = { SOURCE_DATA, p->offset, store_current ? p->current : p->baseline, NULL, 0, NULL };
      ByteSource other = { SOURCE_DATA, p->offset, store_current ? p->baseline : p->current, NULL, 0, NULL };

      if (!store_with_revert (self, p->offset, p->length, &want, &other, error))
        {
          for (guint j = 0; j < i; j++)
            {
              const Piece *q = &g_array_index (pieces, Piece, j);
              ByteSource back = { SOURCE_DATA, q->offset, store_current ? q->baseline : q->current,
                                  NULL, 0, NULL };

              revert_range (self, q->offset, q->offset + q->length, &back);
            }
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- Modes ---- */

/* Preview -> direct with pending edits: the pending bytes leave the private
 * windows and go into the file's page cache, i.e. the file changes now. */
static gboolean
carry_pending_to_direct (HmDocument *self,
                         GError    **error)
{
  g_autoptr(GArray) pieces = NULL;
  g_autoptr(GError) local = NULL;

  /* Like a commit: applying the edits on top of a file changed by someone else
   * would make a mix nobody asked for. */
  if (!check_unchanged (self, expected_stat (self), FALSE, error))
    {
      g_prefix_error (error, _("The edits stay in preview: "));
      return FALSE;
    }

  pieces = read_pending_pieces (self, error);
  if (pieces == NULL)
    return FALSE;

  if (!_hm_document_apply_mode (self, HM_DOCUMENT_MODE_DIRECT, error))
    return FALSE;
  _hm_document_invalidate_extents (self);

  if (store_pieces (self, pieces, TRUE, &local))
    {
      adopt_current_stat (self);
      return TRUE;
    }

  /* Back to preview with the edits where they were: the file got its baseline
   * bytes back from store_pieces(). */
  adopt_current_stat (self);
  if (_hm_document_apply_mode (self, HM_DOCUMENT_MODE_PREVIEW, NULL))
    {
      g_autoptr(GError) again = NULL;

      _hm_document_invalidate_extents (self);
      for (guint i = 0; i < pieces->len; i++)
        {
          const Piece *p = &g_array_index (pieces, Piece, i);
          ByteSource want = { SOURCE_DATA, p->offset, p->current, NULL, 0, NULL };
          guint64 touched;

          if (!store_range (self, p->offset, p->length, &want, &touched, again ? NULL : &again))
            continue;
          mark_stored (self, p->offset, p->length);
        }
      if (again != NULL)
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

  if (pending && mode == HM_DOCUMENT_MODE_READ_ONLY)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” has pending edits; save or discard them before making it read-only"),
                   self->display_name);
      return FALSE;
    }

  if (mode == HM_DOCUMENT_MODE_DIRECT && !ensure_wfd (self, error))
    return FALSE;

  if (pending)
    {
      g_assert (self->mode == HM_DOCUMENT_MODE_PREVIEW && mode == HM_DOCUMENT_MODE_DIRECT);
      if (!carry_pending_to_direct (self, error))
        return FALSE;
    }
  else
    {
      if (!_hm_document_apply_mode (self, mode, error))
        return FALSE;
      /* Hole marks for private pages we no longer map must go. */
      _hm_document_invalidate_extents (self);
    }

  _hm_document_notify (self, "mode");
  return TRUE;
}

/* ---- Discard ---- */

/**
 * hm_document_discard:
 * @self: a #HmDocument
 * @error: a #GError
 *
 * Drops every pending edit: the document shows the file as last saved again, and
 * the discarded steps cannot be redone.
 *
 * In preview mode the private pages are simply thrown away. In direct mode the
 * file already holds the new bytes, so the saved bytes are stored back (other
 * programs see the file return to its saved state at once); like any store they
 * reach the disk when the kernel writes them or at the next save. If storing them
 * back fails, nothing is discarded.
 *
 * Returns: %TRUE on success
 */
gboolean
hm_document_discard (HmDocument *self,
                     GError    **error)
{
  g_autoptr(GArray) ranges = NULL;
  EditState before;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  if (self->busy)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” is being saved; nothing was discarded"), self->display_name);
      return FALSE;
    }

  before = edit_state (self);
  ranges = hm_journal_get_pending_ranges (self->journal);

  switch (self->mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      /* Nothing can be pending here; keep the redo history. */
      return TRUE;

    case HM_DOCUMENT_MODE_PREVIEW:
      hm_window_cache_drop (self->cache, TRUE);
      _hm_document_invalidate_extents (self);
      break;

    case HM_DOCUMENT_MODE_DIRECT:
      {
        g_autoptr(GArray) pieces = read_pending_pieces (self, error);
        gboolean ok;

        if (pieces == NULL)
          return FALSE;
        ok = store_pieces (self, pieces, FALSE, error);
        adopt_current_stat (self);
        if (!ok)
          {
            g_prefix_error (error, _("Nothing was discarded. "));
            return FALSE;
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }

  hm_journal_discard (self->journal);
  emit_changed_ranges (self, ranges);
  notify_state (self, &before);
  return TRUE;
}

/* ---- Save and Save As: the worker side ---- */

typedef enum
{
  JOB_SAVE,
  JOB_SAVE_AS,
} JobKind;

typedef struct
{
  HmDocument     *self;
  JobKind         kind;
  HmDocumentMode  mode;
  HmSaveOptions   options;
  char           *target;        /* Save As */
  GArray         *ranges;        /* HmRange: pending when the job started */
  guint64         total;
  guint64         copy_total;    /* Save As: data bytes of the file */
  guint64         done;
  HmProgressFunc  progress;
  gpointer        progress_data;
  GArray         *landed;        /* HmRange: written and flushed to the file */
  gboolean        touched;       /* we may have changed the file (blocks, bytes) */
  gboolean        flush_failed;
  gboolean        redirty;       /* direct: store the pending bytes again first */
  struct stat     new_stat;
  GError         *error;
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_clear_object (&job->self);
  g_free (job->target);
  g_clear_pointer (&job->ranges, g_array_unref);
  g_clear_pointer (&job->landed, g_array_unref);
  g_clear_error (&job->error);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveJob, save_job_free)

static void
job_progress (SaveJob *job,
              guint64  bytes)
{
  job->done += bytes;
  if (job->progress != NULL)
    job->progress (MIN (job->done, job->total), job->total, job->progress_data);
}

static void
add_range (GArray  *ranges,
           guint64  offset,
           guint64  length)
{
  HmRange r = { offset, length };

  if (ranges->len > 0)
    {
      HmRange *last = &g_array_index (ranges, HmRange, ranges->len - 1);

      if (last->offset + last->length == offset)
        {
          last->length += length;
          return;
        }
    }
  g_array_append_val (ranges, r);
}

/* Adds to the error which bytes already reached the file, so the user knows what
 * the file holds now (the edits themselves stay pending either way). */
static void
append_to_error (GError    **error,
                  const char *format,
                  ...) G_GNUC_PRINTF (2, 3);

static void
append_to_error (GError    **error,
                  const char *format,
                  ...)
{
  g_autofree char *extra = NULL;
  char *message;
  va_list args;

  if (error == NULL || *error == NULL)
    return;
  va_start (args, format);
  extra = g_strdup_vprintf (format, args);
  va_end (args);
  message = g_strconcat ((*error)->message,
                         g_str_has_suffix ((*error)->message, ".") ? " " : ". ",
                         extra, NULL);
  g_free ((*error)->message);
  (*error)->message = message;
}

/* Adds to the error what the file holds now, so the user knows (the edits
 * themselves stay pending either way). */
static void
describe_landed (SaveJob *job,
                 GError **error)
{
  guint64 bytes = 0;
  const HmRange *first;

  if (job->mode == HM_DOCUMENT_MODE_DIRECT)
    {
      append_to_error (error, _("The changes are still unsaved; save again to retry."));
      return;
    }

  if (job->landed->len == 0)
    {
      if (job->touched)
        append_to_error (error, _("Some edits may have partly reached the file; all of them "
                           "stay pending and saving again writes them all."));
      else
        append_to_error (error, _("Nothing was written; your edits are still pending."));
      return;
    }

  for (guint i = 0; i < job->landed->len; i++)
    bytes += g_array_index (job->landed, HmRange, i).length;
  first = &g_array_index (job->landed, HmRange, 0);

  /* Translators: “%u range(s)” counts the ranges that reached the file; the
   * hex numbers are the first and last offset of the first one. */
  append_to_error (error, g_dngettext (GETTEXT_PACKAGE,
                                       "Part of the edits already reached the file (%" PRIu64
                                       " bytes in %u range, the first 0x%" PRIx64 "–0x%" PRIx64
                                       "); all edits stay pending and saving again writes them all.",
                                       "Part of the edits already reached the file (%" PRIu64
                                       " bytes in %u ranges, the first 0x%" PRIx64 "–0x%" PRIx64
                                       "); all edits stay pending and saving again writes them all.",
                                       job->landed->len),
                   bytes, job->landed->len, first->offset, first->offset + first->length - 1);
}

static gboolean
apply_timestamps (HmDocument          *self,
                  int                  fd,
                  const HmSaveOptions *options,
                  GError             **error)
{
  struct timespec times[2];

  if (self->kind != HM_FILE_KIND_REGULAR)
    return TRUE;

  switch (options->timestamp)
    {
    case HM_TIMESTAMP_NOW:
      times[0].tv_sec = times[1].tv_sec = 0;
      times[0].tv_nsec = times[1].tv_nsec = UTIME_NOW;
      break;
    case HM_TIMESTAMP_KEEP:
      times[0] = self->baseline_stat.st_atim;
      times[1] = self->baseline_stat.st_mtim;
      break;
    case HM_TIMESTAMP_EXPLICIT:
      /* Only the modification time was asked for; the access time is the
       * kernel's to keep, so leave it. */
      times[0].tv_sec = 0;
      times[0].tv_nsec = UTIME_OMIT;
      times[1].tv_sec = (time_t) options->mtime_sec;
      times[1].tv_nsec = options->mtime_nsec;
      break;
    default:
      g_assert_not_reached ();
    }

  if (futimens (fd, times) != 0)
    {
      set_errno_error (error, errno, _("The data of “%s” was written, but its time stamps "
                         "could not be set"), self->display_name);
      return FALSE;
    }
  return TRUE;
}

/* Commit preparation: allocate the holes the pending bytes fall into. */
static gboolean
preallocate_holes (SaveJob *job,
                   GError **error)
{
  HmDocument *self = job->self;

  if (self->kind != HM_FILE_KIND_REGULAR)
    return TRUE;

  for (guint i = 0; i < job->ranges->len; i++)
    {
      const HmRange *r = &g_array_index (job->ranges, HmRange, i);
      guint64 end = r->offset + r->length;
      guint64 pos = r->offset;

      while (pos < end)
        {
          off_t hole = lseek (self->wfd, (off_t) pos, SEEK_HOLE);
          off_t data;
          guint64 stop;

          if (hole < 0)
            break;  /* ENXIO: past the end (a conflict the store will report) */
          if ((guint64) hole >= end)
            break;
          data = lseek (self->wfd, hole, SEEK_DATA);
          stop = data < 0 ? end : MIN ((guint64) data, end);

          if (!preallocate_pages (self, (guint64) hole, stop))
            {
              int saved_errno = errno;

              if (saved_errno == EOPNOTSUPP || saved_errno == ENOSYS)
                return TRUE;  /* the stores are guarded anyway */
              if (saved_errno == ENOSPC || saved_errno == EDQUOT)
                {
                  g_set_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_NO_SPACE,
                               _("No space left on the device that holds “%s” for the edits "
                                 "that fall into its holes (at 0x%" PRIx64 "): %s. "
                                 "Free some space or save a copy elsewhere."),
                               self->display_name, (guint64) hole, g_strerror (saved_errno));
                  return FALSE;
                }
              set_errno_error (error, saved_errno, _("Cannot allocate space in “%s” at 0x%"
                                 PRIx64), self->display_name, (guint64) hole);
              return FALSE;
            }
          job->touched = TRUE;
          pos = stop;
        }
    }
  return TRUE;
}

/* Copies pending bytes [offset, offset + length) from the document (the private
 * windows) into @view, which maps the file from @view_offset. */
static gboolean
copy_into_view (SaveJob *job,
                guint8  *view,
                guint64  view_offset,
                guint64  offset,
                guint64  length,
                guint8  *buffer,
                GError **error)
{
  HmDocument *self = job->self;

  for (guint64 done = 0; done < length;)
    {
      gsize n = (gsize) MIN (length - done, (guint64) CHUNK_SIZE);
      const void *fault_addr = NULL;
      gssize got = hm_document_read (self, offset + done, buffer, n, error);

      if (got != (gssize) n)
        {
          if (got >= 0)
            g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                         _("“%s” shrank while saving"), self->display_name);
          return FALSE;
        }
      job->touched = TRUE;
      if (!hm_fault_store (view + (offset + done - view_offset), buffer, n, &fault_addr))
        {
          guint64 at = view_offset + (guint64) ((const guint8 *) fault_addr - view);

          g_propagate_error (error, _hm_document_fault_error (self, at, TRUE));
          return FALSE;
        }
      done += n;
      job_progress (job, n);
    }
  return TRUE;
}

/*
 * The preview commit. The pending ranges are grouped by window-sized spans of the
 * file; each span gets one writable shared view covering its ranges, is msynced
 * and checked, then unmapped. Cancellation is honoured between spans, when
 * everything written so far is flushed, so the error can say exactly what landed.
 */
static gboolean
commit_preview (SaveJob      *job,
                GCancellable *cancellable,
                GError      **error)
{
  HmDocument *self = job->self;
  g_autofree guint8 *buffer = g_malloc (CHUNK_SIZE);
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (HmRange));
  guint64 span = self->window_size;
  guint64 page = page_size ();
  guint n_ranges = job->ranges->len;
  guint i = 0;
  guint64 pos;  /* the next byte to write, inside ranges[i] */

  if (!ensure_wfd (self, error))
    return FALSE;
  if (!check_unchanged (self, expected_stat (self), job->options.force, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!preallocate_holes (job, error))
    return FALSE;

  pos = n_ranges > 0 ? g_array_index (job->ranges, HmRange, 0).offset : 0;
  while (i < n_ranges)
    {
      guint64 span_end = pos / span * span + span;
      guint64 map_start = pos / page * page;
      guint64 map_end = pos;
      guint8 *view;
      gboolean ok = TRUE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      /* The pieces of ranges that fall into this span. */
      g_array_set_size (batch, 0);
      for (guint j = i; j < n_ranges; j++)
        {
          const HmRange *q = &g_array_index (job->ranges, HmRange, j);
          guint64 from = j == i ? pos : q->offset;
          guint64 to = MIN (q->offset + q->length, span_end);

          if (from >= span_end)
            break;
          add_range (batch, from, to - from);
          map_end = to;
          if (to < q->offset + q->length)
            break;
        }

      view = mmap (NULL, (gsize) (map_end - map_start), PROT_READ | PROT_WRITE, MAP_SHARED,
                   self->wfd, (off_t) map_start);
      if (view == MAP_FAILED)
        {
          set_errno_error (error, errno, _("Cannot map “%s” for writing at 0x%" PRIx64),
                           self->display_name, map_start);
          return FALSE;
        }

      for (guint k = 0; ok && k < batch->len; k++)
        {
          const HmRange *piece = &g_array_index (batch, HmRange, k);

          ok = copy_into_view (job, view, map_start, piece->offset, piece->length, buffer, error);
        }

      if (ok && msync (view, (gsize) (map_end - map_start), MS_SYNC) != 0)
        {
          /* FUSE and network filesystems report a failed write here, and only
           * once: the next msync or fsync would return 0. */
          job->flush_failed = TRUE;
          set_errno_error (error, errno, _("Could not write the edits between 0x%" PRIx64
                             " and 0x%" PRIx64 " to “%s”"), map_start, map_end,
                           self->display_name);
          ok = FALSE;
        }
      munmap (view, (gsize) (map_end - map_start));
      if (!ok)
        return FALSE;

      /* Everything in this span is flushed: it landed. */
      for (guint k = 0; k < batch->len; k++)
        add_range (job->landed, g_array_index (batch, HmRange, k).offset,
                   g_array_index (batch, HmRange, k).length);

      /* Move past the span. */
      while (i < n_ranges)
        {
          const HmRange *q = &g_array_index (job->ranges, HmRange, i);

          if (q->offset + q->length <= map_end)
            {
              i++;
              if (i < n_ranges)
                pos = g_array_index (job->ranges, HmRange, i).offset;
              continue;
            }
          pos = MAX (q->offset, map_end);
          break;
        }
    }

  if (!apply_timestamps (self, self->wfd, &job->options, error))
    return FALSE;
  if (fsync (self->wfd) != 0)
    {
      job->flush_failed = TRUE;
      set_errno_error (error, errno, _("Could not flush “%s” to disk"), self->display_name);
      return FALSE;
    }
  if (fstat (self->wfd, &job->new_stat) != 0)
    {
      set_errno_error (error, errno, _("Cannot check “%s”"), self->display_name);
      return FALSE;
    }
  return TRUE;
}

/* Direct save: the bytes are in the page cache already; make them durable. */
static gboolean
save_direct (SaveJob      *job,
             GCancellable *cancellable,
             GError      **error)
{
  HmDocument *self = job->self;
  g_autoptr(GPtrArray) pinned = NULL;
  gboolean ok = TRUE;

  if (!check_unchanged (self, expected_stat (self), job->options.force, error))
    return FALSE;

  /* After a failed flush the kernel considers the pages clean (or forgot the
   * error): store the pending bytes again so they are dirty and really written. */
  if (job->redirty)
    {
      g_autofree guint8 *buffer = g_malloc (CHUNK_SIZE);

      job->touched = TRUE;
      for (guint i = 0; i < job->ranges->len; i++)
        {
          const HmRange *r = &g_array_index (job->ranges, HmRange, i);

          for (guint64 done = 0; done < r->length;)
            {
              gsize n = (gsize) MIN (r->length - done, (guint64) CHUNK_SIZE);
              ByteSource again = { SOURCE_DATA, r->offset + done, buffer, NULL, 0, NULL };
              guint64 touched;

              if (hm_document_read (self, r->offset + done, buffer, n, error) != (gssize) n ||
                  !store_range (self, r->offset + done, n, &again, &touched, error))
                {
                  if (error != NULL && *error == NULL)
                    g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                                 _("“%s” shrank while saving"), self->display_name);
                  return FALSE;
                }
              done += n;
            }
        }
    }

  /* From here on the kernel writes: whatever happens, the file may change. */
  job->touched = TRUE;
  pinned = hm_window_cache_ref_pinned (self->cache);
  job->total = 0;
  for (guint i = 0; i < pinned->len; i++)
    job->total += ((HmWindow *) g_ptr_array_index (pinned, i))->length;

  for (guint i = 0; i < pinned->len && ok; i++)
    {
      HmWindow *window = g_ptr_array_index (pinned, i);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
      else if (msync (window->data, window->length, MS_SYNC) != 0)
        {
          job->flush_failed = TRUE;
          set_errno_error (error, errno, _("Could not write the changes between 0x%"
                             PRIx64 " and 0x%" PRIx64 " to “%s”"),
                           window->offset, window->offset + window->length, self->display_name);
          ok = FALSE;
        }
      else
        job_progress (job, window->length);
    }
  for (guint i = 0; i < pinned->len; i++)
    _hm_document_release_window (self, g_ptr_array_index (pinned, i));
  if (!ok)
    return FALSE;

  if (!apply_timestamps (self, self->wfd, &job->options, error))
    return FALSE;
  if (fsync (self->wfd) != 0)
    {
      job->flush_failed = TRUE;
      set_errno_error (error, errno, _("Could not flush “%s” to disk"), self->display_name);
      return FALSE;
    }
  if (fstat (self->wfd, &job->new_stat) != 0)
    {
      set_errno_error (error, errno, _("Cannot check “%s”"), self->display_name);
      return FALSE;
    }
  return TRUE;
}

/* ---- Save As ---- */

static gboolean
copy_plain (SaveJob      *job,
            int           out,
            guint64       offset,
            guint64       length,
            GCancellable *cancellable,
            GError      **error)
{
  g_autofree guint8 *buffer = g_malloc (CHUNK_SIZE);

  for (guint64 done = 0; done < length;)
    {
      gsize n = (gsize) MIN (length - done, (guint64) CHUNK_SIZE);
      gssize got;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      got = pread (job->self->fd, buffer, n, (off_t) (offset + done));
      if (got <= 0)
        {
          if (got == 0)
            g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                         _("“%s” shrank while it was being copied"), job->self->display_name);
          else
            set_errno_error (error, errno, _("Cannot read “%s” at 0x%" PRIx64),
                             job->self->display_name, offset + done);
          return FALSE;
        }
      if (pwrite (out, buffer, (gsize) got, (off_t) (offset + done)) != got)
        {
          set_errno_error (error, errno, _("Cannot write the copy"));
          return FALSE;
        }
      done += (guint64) got;
      job_progress (job, (guint64) got);
    }
  return TRUE;
}

/* Copies one data extent, in the kernel when it can. */
static gboolean
copy_extent (SaveJob      *job,
             int           out,
             guint64       offset,
             guint64       length,
             gboolean     *use_plain,
             GCancellable *cancellable,
             GError      **error)
{
  guint64 done = 0;

  while (!*use_plain && done < length)
    {
      loff_t in_off = (loff_t) (offset + done);
      loff_t out_off = in_off;
      gsize n = (gsize) MIN (length - done, (guint64) COPY_CHUNK);
      ssize_t got;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      got = copy_file_range (job->self->fd, &in_off, out, &out_off, n, 0);
      if (got < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EXDEV || saved_errno == EINVAL || saved_errno == ENOSYS ||
              saved_errno == EOPNOTSUPP || saved_errno == EBADF)
            {
              *use_plain = TRUE;
              break;
            }
          set_errno_error (error, saved_errno, _("Cannot copy “%s” at 0x%" PRIx64),
                           job->self->display_name, offset + done);
          return FALSE;
        }
      if (got == 0)
        {
          g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                       _("“%s” shrank while it was being copied"), job->self->display_name);
          return FALSE;
        }
      done += (guint64) got;
      job_progress (job, (guint64) got);
    }

  if (done < length)
    return copy_plain (job, out, offset + done, length - done, cancellable, error);
  return TRUE;
}

static gboolean
save_as_into (SaveJob      *job,
              int           out,
              GCancellable *cancellable,
              GError      **error)
{
  HmDocument *self = job->self;
  guint64 size = hm_document_get_size (self);
  g_autofree guint8 *buffer = NULL;
  gboolean use_plain = FALSE;
  gboolean cloned = FALSE;

  /* A reflink shares the blocks: instant, and holes stay holes. */
  if (self->kind == HM_FILE_KIND_REGULAR && ioctl (out, FICLONE, self->fd) == 0)
    {
      struct stat st;

      if (fstat (out, &st) == 0 && (guint64) st.st_size == size)
        {
          cloned = TRUE;
          job_progress (job, job->copy_total);
        }
    }

  if (!cloned)
    {
      guint64 pos = 0;

      if (ftruncate (out, 0) != 0 || ftruncate (out, (off_t) size) != 0)
        {
          set_errno_error (error, errno, _("Cannot make the copy %" PRIu64 " bytes long"), size);
          return FALSE;
        }

      /* Only the data extents: the holes stay holes in the copy. */
      while (pos < size && self->kind != HM_FILE_KIND_ZERO_DEVICE)
        {
          off_t data = lseek (self->fd, (off_t) pos, SEEK_DATA);
          off_t hole;

          if (data < 0)
            {
              if (errno == ENXIO)
                break;
              data = (off_t) pos;  /* no hole information: all data */
              hole = (off_t) size;
            }
          else
            {
              if ((guint64) data >= size)
                break;
              hole = lseek (self->fd, data, SEEK_HOLE);
              if (hole < 0 || (guint64) hole > size || hole <= data)
                hole = (off_t) size;
            }
          if (!copy_extent (job, out, (guint64) data, (guint64) (hole - data), &use_plain,
                            cancellable, error))
            return FALSE;
          pos = (guint64) hole;
        }
    }

  /* Then the pending edits, read as the document shows them. */
  buffer = g_malloc (CHUNK_SIZE);
  for (guint i = 0; i < job->ranges->len; i++)
    {
      const HmRange *r = &g_array_index (job->ranges, HmRange, i);

      for (guint64 done = 0; done < r->length;)
        {
          gsize n = (gsize) MIN (r->length - done, (guint64) CHUNK_SIZE);

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (hm_document_read (self, r->offset + done, buffer, n, error) != (gssize) n)
            {
              if (error != NULL && *error == NULL)
                g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                             _("“%s” shrank while it was being copied"), self->display_name);
              return FALSE;
            }
          if (pwrite (out, buffer, n, (off_t) (r->offset + done)) != (gssize) n)
            {
              set_errno_error (error, errno, _("Cannot write the copy"));
              return FALSE;
            }
          done += n;
          job_progress (job, n);
        }
    }

  if (fsync (out) != 0)
    {
      set_errno_error (error, errno, _("Could not flush the copy to disk"));
      return FALSE;
    }
  return TRUE;
}

/*
 * Save As writes a temporary file next to the target and renames it over the
 * target only when it is complete and flushed: an existing file at the target is
 * either replaced entirely or left as it was.
 */
static gboolean
save_as (SaveJob      *job,
         GCancellable *cancellable,
         GError      **error)
{
  HmDocument *self = job->self;
  g_autofree char *display = g_filename_display_name (job->target);
  g_autofree char *dir = g_path_get_dirname (job->target);
  g_autofree char *base = g_path_get_basename (job->target);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.hexmap-XXXXXX", dir, base);
  struct stat target_st;
  gboolean target_exists;
  int out;
  int dir_fd;

  target_exists = stat (job->target, &target_st) == 0;
  if (target_exists && same_file (&target_st, &self->baseline_stat))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” is the file being edited; use Save to write it"), display);
      return FALSE;
    }
  if (target_exists && !S_ISREG (target_st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” exists and is not a regular file; choose another name"), display);
      return FALSE;
    }

  out = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0666);
  if (out < 0)
    {
      set_errno_error (error, errno, _("Cannot create a file in the folder of “%s”"), display);
      return FALSE;
    }
  if (target_exists)
    fchmod (out, target_st.st_mode & 07777);

  if (!save_as_into (job, out, cancellable, error))
    {
      close (out);
      g_unlink (tmp);
      g_prefix_error (error, _("“%s” was not written: "), display);
      return FALSE;
    }
  close (out);

  if (g_rename (tmp, job->target) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp);
      set_errno_error (error, saved_errno, _("Cannot save as “%s”"), display);
      return FALSE;
    }

  /* Make the new name durable too. */
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;
}

/* ---- Save and Save As: the caller's side ---- */

static SaveJob *
save_job_new (HmDocument *self,
              JobKind     kind,
              GError    **error)
{
  g_autoptr(SaveJob) job = NULL;

  if (self->busy)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("“%s” is already being saved"), self->display_name);
      return NULL;
    }

  job = g_new0 (SaveJob, 1);
  job->self = g_object_ref (self);
  job->kind = kind;
  job->mode = self->mode;
  job->landed = g_array_new (FALSE, FALSE, sizeof (HmRange));
  hm_journal_break_coalescing (self->journal);
  job->ranges = hm_journal_get_pending_ranges (self->journal);
  for (guint i = 0; i < job->ranges->len; i++)
    job->total += g_array_index (job->ranges, HmRange, i).length;
  return g_steal_pointer (&job);
}

static SaveJob *
save_job_new_save (HmDocument          *self,
                   const HmSaveOptions *options,
                   GError             **error)
{
  static const HmSaveOptions defaults = { HM_TIMESTAMP_NOW, 0, 0, FALSE };
  SaveJob *job;

  if (options == NULL)
    options = &defaults;
  if (options->timestamp == HM_TIMESTAMP_EXPLICIT &&
      (options->mtime_nsec < 0 || options->mtime_nsec >= G_USEC_PER_SEC * 1000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid modification time: %ld nanoseconds"), options->mtime_nsec);
      return NULL;
    }

  job = save_job_new (self, JOB_SAVE, error);
  if (job == NULL)
    return NULL;
  job->options = *options;
  /* A direct save after a failed flush stores the pending bytes again. */
  job->redirty = self->mode == HM_DOCUMENT_MODE_DIRECT && self->direct_redirty;
  return job;
}

/* Whether the worker has anything to do at all. */
static gboolean
save_job_is_empty (SaveJob *job)
{
  if (job->kind != JOB_SAVE)
    return FALSE;
  switch (job->mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      return TRUE;
    case HM_DOCUMENT_MODE_PREVIEW:
      return job->ranges->len == 0;
    case HM_DOCUMENT_MODE_DIRECT:
      return job->ranges->len == 0 && hm_window_cache_get_n_pinned (job->self->cache) == 0;
    default:
      g_assert_not_reached ();
    }
}

/* The slow part; any thread; touches neither the journal nor signals. */
static void
save_job_run (SaveJob      *job,
              GCancellable *cancellable)
{
  gboolean ok = TRUE;

  if (save_job_is_empty (job))
    return;

  if (job->kind == JOB_SAVE_AS)
    {
      job->copy_total = hm_document_get_data_bytes (job->self);
      job->total += job->copy_total;
      ok = save_as (job, cancellable, &job->error);
    }
  else if (job->mode == HM_DOCUMENT_MODE_PREVIEW)
    ok = commit_preview (job, cancellable, &job->error);
  else
    ok = save_direct (job, cancellable, &job->error);

  if (!ok && job->kind == JOB_SAVE)
    describe_landed (job, &job->error);
}

/* Back on the caller's thread: the journal and the windows catch up. */
static gboolean
save_job_finish (SaveJob *job,
                 GError **error)
{
  HmDocument *self = job->self;
  EditState before = edit_state (self);

  self->busy = FALSE;

  if (job->kind == JOB_SAVE_AS || job->mode == HM_DOCUMENT_MODE_READ_ONLY)
    goto out;

  if (save_job_is_empty (job))
    {
      /* Nothing to write, but this is still the state the user saved: a later
       * discard returns here (with this undo history), not to an older save. */
      hm_journal_mark_committed (self->journal);
      goto out;
    }

  if (job->error != NULL)
    {
      if (job->mode == HM_DOCUMENT_MODE_DIRECT && job->flush_failed)
        self->direct_redirty = TRUE;
      if (job->touched || job->landed->len > 0)
        adopt_current_stat (self);
      goto out;
    }

  hm_journal_mark_committed (self->journal);
  if (job->mode == HM_DOCUMENT_MODE_PREVIEW)
    {
      /* The file has the bytes now: read it again instead of our private copies. */
      hm_window_cache_drop (self->cache, TRUE);
      _hm_document_invalidate_extents (self);
    }
  else
    {
      hm_window_cache_unpin_all (self->cache);
      self->direct_redirty = FALSE;
    }
  self->baseline_stat = job->new_stat;
  self->expected_valid = FALSE;
  emit_changed_ranges (self, job->ranges);
  notify_state (self, &before);

out:
  if (job->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job->error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_job_sync (SaveJob      *job,
              GCancellable *cancellable,
              GError      **error)
{
  job->self->busy = TRUE;
  save_job_run (job, cancellable);
  return save_job_finish (job, error);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  save_job_run (task_data, cancellable);
  g_task_return_boolean (task, TRUE);
}

/* The worker is done: finish on the thread that started the save, then answer
 * the caller. The state changes and signals happen here, never in the worker. */
static void
save_thread_done_cb (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  SaveJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (save_job_finish (job, &error))
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
}

static void
run_job_async (SaveJob            *job,
               gpointer            source_tag,
               GCancellable       *cancellable,
               GAsyncReadyCallback callback,
               gpointer            user_data)
{
  HmDocument *self = job->self;
  g_autoptr(GTask) outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;

  g_task_set_source_tag (outer, source_tag);
  /* A save that completed must be reported as such even if cancel came late. */
  g_task_set_check_cancellable (outer, FALSE);

  inner = g_task_new (self, cancellable, save_thread_done_cb, g_steal_pointer (&outer));
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, job, (GDestroyNotify) save_job_free);
  self->busy = TRUE;
  g_task_run_in_thread (inner, save_thread);
}

/**
 * hm_document_save:
 * @self: a #HmDocument
 * @options: (nullable): time stamps and conflict handling; %NULL for the defaults
 *   (time stamps set to now, refuse on conflict)
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): progress, called from the thread doing the work
 * @progress_data: data for @progress
 * @error: a #GError
 *
 * Makes the pending edits part of the file, durably.
 *
 * Preview: refuses with %HM_DOCUMENT_ERROR_CONFLICT if the file changed on disk
 * since it was opened or last saved (unless @options says force); allocates the
 * holes the edits fall into, so a full disk fails with %HM_FAULT_ERROR_NO_SPACE
 * before a byte is written; writes only the changed bytes, each span flushed with
 * msync() and checked (network filesystems report write errors only there, once);
 * sets the time stamps; fsync()s. Direct: flushes the changed windows the same way.
 *
 * Time stamps are set explicitly because the kernel does not reliably update
 * mtime for writes through a mapping (tmpfs never does): %HM_TIMESTAMP_NOW sets
 * both times to now, %HM_TIMESTAMP_KEEP restores the times the file had when
 * opened, %HM_TIMESTAMP_EXPLICIT sets the modification time to the nanosecond and
 * leaves the access time alone.
 *
 * On any failure (including cancellation) the edits stay pending, nothing is
 * lost, and the error says whether and which bytes already reached the file.
 *
 * Returns: %TRUE when the edits are on disk
 */
gboolean
hm_document_save (HmDocument          *self,
                  const HmSaveOptions *options,
                  GCancellable        *cancellable,
                  HmProgressFunc       progress,
                  gpointer             progress_data,
                  GError             **error)
{
  g_autoptr(SaveJob) job = NULL;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  job = save_job_new_save (self, options, error);
  if (job == NULL)
    return FALSE;
  job->progress = progress;
  job->progress_data = progress_data;
  return run_job_sync (job, cancellable, error);
}

/**
 * hm_document_save_async:
 * @self: a #HmDocument
 * @options: (nullable): as for hm_document_save()
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope notified): progress, called from the worker thread
 * @progress_data: data for @progress
 * @callback: called on the thread-default main context of the caller when done
 * @user_data: data for @callback
 *
 * hm_document_save() in a worker thread. Until @callback runs the document
 * refuses edits, undo, discard and mode changes (%HM_DOCUMENT_ERROR_BUSY); reading
 * it stays possible. Signals and notifications are emitted on the caller's
 * thread, before @callback.
 */
void
hm_document_save_async (HmDocument          *self,
                        const HmSaveOptions *options,
                        GCancellable        *cancellable,
                        HmProgressFunc       progress,
                        gpointer             progress_data,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  SaveJob *job;
  GError *error = NULL;

  g_return_if_fail (HM_IS_DOCUMENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = save_job_new_save (self, options, &error);
  if (job == NULL)
    {
      g_task_report_error (self, callback, user_data, hm_document_save_async, error);
      return;
    }
  job->progress = progress;
  job->progress_data = progress_data;
  run_job_async (job, hm_document_save_async, cancellable, callback, user_data);
}

/**
 * hm_document_save_finish:
 * @self: a #HmDocument
 * @result: the #GAsyncResult given to the callback
 * @error: a #GError
 *
 * Returns: %TRUE when the edits are on disk
 */
gboolean
hm_document_save_finish (HmDocument   *self,
                         GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * hm_document_save_as:
 * @self: a #HmDocument
 * @path: where to write the copy; not the document's own file
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): progress, called from the thread doing the work
 * @progress_data: data for @progress
 * @error: a #GError
 *
 * Writes the document as it is now (the file plus the pending edits) to a new
 * file. Fast: a reflink (FICLONE) when the filesystem can share blocks, else
 * copy_file_range() over the data extents only, so holes stay holes; then the
 * pending edits on top. The copy is written to a temporary file in the target's
 * folder and renamed over @path only once complete and flushed, so an existing
 * file there is either replaced entirely or untouched.
 *
 * The document itself is unchanged: it stays on its own file, which is untouched,
 * and keeps its pending edits (the caller may then discard them, or open the copy).
 *
 * Returns: %TRUE when the copy is on disk
 */
gboolean
hm_document_save_as (HmDocument     *self,
                     const char     *path,
                     GCancellable   *cancellable,
                     HmProgressFunc  progress,
                     gpointer        progress_data,
                     GError        **error)
{
  g_autoptr(SaveJob) job = NULL;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  job = save_job_new (self, JOB_SAVE_AS, error);
  if (job == NULL)
    return FALSE;
  job->target = g_strdup (path);
  job->progress = progress;
  job->progress_data = progress_data;
  return run_job_sync (job, cancellable, error);
}

/**
 * hm_document_save_as_async:
 * @self: a #HmDocument
 * @path: where to write the copy
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope notified): progress, called from the worker thread
 * @progress_data: data for @progress
 * @callback: called on the caller's thread-default main context when done
 * @user_data: data for @callback
 *
 * hm_document_save_as() in a worker thread; edits are refused until it is done.
 */
void
hm_document_save_as_async (HmDocument         *self,
                           const char         *path,
                           GCancellable       *cancellable,
                           HmProgressFunc      progress,
                           gpointer            progress_data,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  SaveJob *job;
  GError *error = NULL;

  g_return_if_fail (HM_IS_DOCUMENT (self));
  g_return_if_fail (path != NULL);

  job = save_job_new (self, JOB_SAVE_AS, &error);
  if (job == NULL)
    {
      g_task_report_error (self, callback, user_data, hm_document_save_as_async, error);
      return;
    }
  job->target = g_strdup (path);
  job->progress = progress;
  job->progress_data = progress_data;
  run_job_async (job, hm_document_save_as_async, cancellable, callback, user_data);
}

/**
 * hm_document_save_as_finish:
 * @self: a #HmDocument
 * @result: the #GAsyncResult given to the callback
 * @error: a #GError
 *
 * Returns: %TRUE when the copy is on disk
 */
gboolean
hm_document_save_as_finish (HmDocument   *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Life cycle ---- */

void
_hm_document_edit_init (HmDocument *self)
{
  self->journal = hm_journal_new ();
}

/* Unsaved direct-mode edits stay in the page cache and reach the disk when the
 * kernel writes them; unsaved preview edits are gone with the private windows. */
void
_hm_document_edit_finalize (HmDocument *self)
{
  g_clear_pointer (&self->journal, hm_journal_free);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Saving HmDocument: Save (the preview commit and the direct save) and Save As.
 *
 * Every in-place save is atomic across a crash: before the first byte lands the
 * old bytes of the ranges it overwrites go to the save journal
 * (hm-save-journal.c), which is removed only once the file is flushed and still
 * the file at the path (verify_written()); a save that fails half-way rolls the
 * file back from it, a crashed one is rolled back by hm_document_recover().
 * Direct mode journals at store time (hm_document_journal_range()). The
 * document's side of the journal (recovery, direct-mode records) is in
 * hm-document-journal.c.
 *
 * Commit (preview) writes only the pending bytes: it preallocates the holes they
 * fall into (so a full disk fails before a byte lands), copies them from the
 * private windows into short-lived writable shared views of the file, msyncs
 * each view and checks the result (FUSE and network filesystems report a write
 * error there, once), sets the timestamps and fsyncs. Only then do the edits
 * become the baseline.
 *
 * A direct save finds the bytes in the page cache already: it msyncs the pinned
 * windows, sets the timestamps and fsyncs; after a failed flush it stores the
 * pending bytes again first, since FUSE and network filesystems report a write
 * error only once.
 *
 * Save As copies the file (a reflink, or copy_file_range() over the data
 * extents) into a temporary file next to the target, puts the pending edits on
 * top, flushes and renames it over the target.
 *
 * Every variant is a SaveJob: built on the caller's thread (save_job_new), run
 * anywhere (save_job_run: the slow part, which touches neither the journal nor
 * signals; in a GTask worker for the async variants) and finished on the
 * caller's thread (save_job_finish: the journal, the windows and the signals
 * catch up). Until then the document is busy and refuses edits.
 */
#include "config.h"

#include "hm-document-private.h"
#include "hm-fault.h"
#include "hm-file-util.h"
#include "hm-journal.h"
#include "hm-save-journal.h"
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

#define CHUNK_SIZE          HM_DOCUMENT_CHUNK_SIZE
/* Save As copies this much per copy_file_range() call, then checks for cancel. */
#define COPY_CHUNK          (64 * 1024 * 1024)

HmSaveTestHook _hm_save_test_hook;
gpointer       _hm_save_test_hook_data;
gboolean       _hm_save_test_no_tmpfile;

void
_hm_document_save_test_point (HmDocument *self,
                              const char *point)
{
  if (G_UNLIKELY (_hm_save_test_hook != NULL))
    _hm_save_test_hook (self, point, _hm_save_test_hook_data);
}

/* ---- The worker side ---- */

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
  gboolean        described;     /* the error already says what the file holds */
  struct stat     new_stat;
  gboolean        structural;    /* inserts or deletes: hm-document-save-structural.c */
  HmSaveJournal  *journal;       /* preview: the undo journal of this commit */
  GError         *error;
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_clear_object (&job->self);
  g_free (job->target);
  g_clear_pointer (&job->ranges, g_array_unref);
  g_clear_pointer (&job->landed, g_array_unref);
  g_clear_pointer (&job->journal, hm_save_journal_close);
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

  if (job->described)
    return;
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

gboolean
_hm_document_apply_timestamps (HmDocument          *self,
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
      _hm_document_set_errno_error (error, errno, _("The data of “%s” was written, but its time stamps "
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

          if (!_hm_document_preallocate_pages (self, (guint64) hole, stop))
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
              _hm_document_set_errno_error (error, saved_errno, _("Cannot allocate space in “%s” at 0x%"
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
 * After the final fsync: is the file we wrote still the one at the path, and as
 * long as we wrote it? Another program may have renamed a file over the path
 * (then our bytes went into a file nobody sees any more) or truncated it while we
 * were writing. Either way the save did not happen as far as the user can tell.
 */
static gboolean
verify_written (SaveJob *job,
                GError **error)
{
  HmDocument *self = job->self;
  struct stat at_path;

  _hm_document_save_test_point (self, "before-verify");
  if (stat (self->path, &at_path) != 0 || !_hm_document_same_file (&at_path, &job->new_stat) ||
      (self->kind == HM_FILE_KIND_REGULAR &&
       ((guint64) at_path.st_size != hm_document_get_size (self) ||
        (guint64) job->new_stat.st_size != hm_document_get_size (self))))
    {
      job->described = TRUE;
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                   _("Another program replaced or truncated “%s” during the save; your edits "
                     "are still pending. Save a copy elsewhere to keep them."), self->display_name);
      return FALSE;
    }
  return TRUE;
}

/* Final steps of every in-place save: time stamps, fsync, and the check that
 * the path still names what we wrote. */
static gboolean
flush_and_verify (SaveJob *job,
                  GError **error)
{
  HmDocument *self = job->self;

  if (!_hm_document_apply_timestamps (self, self->wfd, &job->options, error))
    return FALSE;
  if (fsync (self->wfd) != 0)
    {
      job->flush_failed = TRUE;
      _hm_document_set_errno_error (error, errno, _("Could not flush “%s” to disk"), self->display_name);
      return FALSE;
    }
  if (fstat (self->wfd, &job->new_stat) != 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot check “%s”"), self->display_name);
      return FALSE;
    }
  return verify_written (job, error);
}

/* Before the first byte of the file changes: the old bytes of every range the
 * commit will write, durably (see hm-save-journal.c). */
static gboolean
write_journal (SaveJob *job,
               GError **error)
{
  HmDocument *self = job->self;
  struct stat st;

  /* An earlier commit of ours failed and could not be undone then: now. */
  if (self->unfinished_journal != NULL)
    {
      if (!hm_save_journal_roll_back (self->unfinished_journal, self->wfd, error))
        {
          g_prefix_error (error, _("The previous failed save of “%s” cannot be undone yet: "),
                          self->display_name);
          return FALSE;
        }
      g_clear_pointer (&self->unfinished_journal, hm_save_journal_close);
    }
  if (fstat (self->wfd, &st) != 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot check “%s”"), self->display_name);
      return FALSE;
    }
  job->journal = hm_save_journal_begin (self->wfd, &st, self->path, self->display_name,
                                        hm_document_get_size (self), hm_document_get_size (self), error);
  if (job->journal == NULL)
    return FALSE;
  for (guint i = 0; i < job->ranges->len; i++)
    {
      const HmRange *r = &g_array_index (job->ranges, HmRange, i);

      if (!hm_save_journal_record (job->journal, self->fd, r->offset, r->length, error))
        return FALSE;
    }
  if (!hm_save_journal_sync (job->journal, error))
    return FALSE;
  _hm_document_save_test_point (self, "journal-synced");
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
  g_autofree guint8 *buffer = g_try_malloc (CHUNK_SIZE);
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (HmRange));
  guint64 span = self->window_size;
  guint64 page = _hm_document_page_size ();
  guint n_ranges = job->ranges->len;
  guint i = 0;
  guint64 pos;  /* the next byte to write, inside ranges[i] */

  if (buffer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory to save “%s”"),
                   self->display_name);
      return FALSE;
    }
  if (!_hm_document_open_writable (self, error))
    return FALSE;
  if (!_hm_document_check_unchanged (self, _hm_document_expected_stat (self), job->options.force, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!write_journal (job, error))
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
          _hm_document_set_errno_error (error, errno, _("Cannot map “%s” for writing at 0x%" PRIx64),
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
          _hm_document_set_errno_error (error, errno, _("Could not write the edits between 0x%" PRIx64
                             " and 0x%" PRIx64 " to “%s”"), map_start, map_end,
                           self->display_name);
          ok = FALSE;
        }
      munmap (view, (gsize) (map_end - map_start));
      if (!ok)
        return FALSE;

      _hm_document_save_test_point (self, "stored");

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

  if (!flush_and_verify (job, error))
    return FALSE;
  return hm_save_journal_commit (job->journal, error);
}

/*
 * Direct mode: the edits are in the page cache, but a page past the end of the
 * file is never written back. If another program shortened the file (a forced
 * save skips the conflict check), the edits past its new end are lost: say which,
 * rather than "saved".
 */
static gboolean
check_direct_ranges (SaveJob *job,
                     GError **error)
{
  HmDocument *self = job->self;
  struct stat st;
  guint n_lost = 0;
  guint64 first = 0;

  if (self->kind != HM_FILE_KIND_REGULAR)
    return TRUE;
  if (fstat (self->wfd, &st) != 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot check “%s”"), self->display_name);
      return FALSE;
    }
  for (guint i = 0; i < job->ranges->len; i++)
    {
      const HmRange *r = &g_array_index (job->ranges, HmRange, i);

      if (r->offset + r->length > (guint64) st.st_size)
        {
          if (n_lost == 0)
            first = MAX (r->offset, (guint64) st.st_size);
          n_lost++;
        }
    }
  if (n_lost == 0)
    return TRUE;

  job->described = TRUE;
  g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
               g_dngettext (GETTEXT_PACKAGE,
                            "Another program shortened “%s” to %" PRIu64 " bytes: %u unsaved change "
                            "(from 0x%" PRIx64 ") lies past its end and cannot be written. Nothing was "
                            "saved; save a copy elsewhere to keep your changes.",
                            "Another program shortened “%s” to %" PRIu64 " bytes: %u unsaved changes "
                            "(the first from 0x%" PRIx64 ") lie past its end and cannot be written. "
                            "Nothing was saved; save a copy elsewhere to keep your changes.",
                            n_lost),
               self->display_name, (guint64) st.st_size, n_lost, first);
  return FALSE;
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

  if (!_hm_document_check_unchanged (self, _hm_document_expected_stat (self), job->options.force, error))
    return FALSE;
  if (!check_direct_ranges (job, error))
    return FALSE;
  /* The edits are in the file's page cache since they were made. */
  _hm_document_save_test_point (self, "stored");

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

              if (hm_document_read (self, r->offset + done, buffer, n, error) != (gssize) n ||
                  !_hm_document_store_data (self, r->offset + done, buffer, n, error))
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
          _hm_document_set_errno_error (error, errno, _("Could not write the changes between 0x%"
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

  if (!flush_and_verify (job, error))
    return FALSE;
  /* The file holds the saved bytes: the old ones are no longer needed. */
  if (self->save_journal != NULL)
    {
      if (!hm_save_journal_commit (self->save_journal, error))
        return FALSE;
      g_clear_pointer (&self->save_journal, hm_save_journal_close);
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
  g_autofree guint8 *buffer = g_try_malloc (CHUNK_SIZE);

  if (buffer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory to save “%s”"),
                   job->self->display_name);
      return FALSE;
    }
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
            _hm_document_set_errno_error (error, errno, _("Cannot read “%s” at 0x%" PRIx64),
                             job->self->display_name, offset + done);
          return FALSE;
        }
      if (pwrite (out, buffer, (gsize) got, (off_t) (offset + done)) != got)
        {
          _hm_document_set_errno_error (error, errno, _("Cannot write the copy"));
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
          _hm_document_set_errno_error (error, saved_errno, _("Cannot copy “%s” at 0x%" PRIx64),
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

static void
job_advance (gpointer data,
             guint64  bytes)
{
  job_progress (data, bytes);
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

  /* Inserts or deletes pending: the content as read, holes left as holes */
  if (job->structural)
    {
      if (ftruncate (out, 0) != 0 || ftruncate (out, (off_t) size) != 0)
        {
          _hm_document_set_errno_error (error, errno, _("Cannot make the copy %" PRIu64 " bytes long"), size);
          return FALSE;
        }
      return _hm_document_copy_content (self, out, job_advance, job, cancellable, error);
    }

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
          _hm_document_set_errno_error (error, errno, _("Cannot make the copy %" PRIu64 " bytes long"), size);
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
  buffer = g_try_malloc (CHUNK_SIZE);
  if (buffer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory to save “%s”"),
                   self->display_name);
      return FALSE;
    }
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
              _hm_document_set_errno_error (error, errno, _("Cannot write the copy"));
              return FALSE;
            }
          done += n;
          job_progress (job, n);
        }
    }

  return TRUE;
}

/* The permission bits a copy gets: the source's, without setuid, setgid and
 * sticky (a copy must never gain privileges from wherever it is written), and
 * never those of whatever the target path held before. */
static mode_t
copy_mode (HmDocument *self)
{
  if (self->kind != HM_FILE_KIND_REGULAR)
    return 0600;
  return self->baseline_stat.st_mode & 0777;
}

/*
 * Save As writes a temporary file in the target's folder and renames it over the
 * target only when it is complete and flushed: an existing file at the target is
 * either replaced entirely or left as it was.
 *
 * The temporary file is unnamed (O_TMPFILE) where the filesystem allows, so a
 * crash or a cancel leaves nothing behind; elsewhere it is a 0600 file with a
 * unique name, removed on every failure. It never follows a symbolic link at the
 * target: a link is refused (rename() would replace the link itself, which is
 * rarely what the user meant, and writing through it could reach any file).
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
  g_autofree char *tmp = NULL;
  struct stat target_st;
  gboolean target_exists;
  int out;

  target_exists = lstat (job->target, &target_st) == 0;
  if (target_exists && S_ISLNK (target_st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” is a symbolic link; Save As does not write through links. "
                     "Choose the file it points to, or another name"), display);
      return FALSE;
    }
  if (target_exists && _hm_document_same_file (&target_st, &self->baseline_stat))
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

  out = hm_file_create_temporary (dir, base, _hm_save_test_no_tmpfile, &tmp);
  if (out < 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot create a file in the folder of “%s”"), display);
      return FALSE;
    }

  if (!save_as_into (job, out, cancellable, error) ||
      (fchmod (out, copy_mode (self)) != 0 &&
       (_hm_document_set_errno_error (error, errno, _("Cannot set the permissions of the copy")), TRUE)) ||
      (fsync (out) != 0 &&
       (_hm_document_set_errno_error (error, errno, _("Could not flush the copy to disk")), TRUE)))
    {
      close (out);
      if (tmp != NULL)
        g_unlink (tmp);
      g_prefix_error (error, _("“%s” was not written: "), display);
      return FALSE;
    }

  if (tmp == NULL)
    {
      tmp = hm_file_link_temporary (out, dir, base);
      if (tmp == NULL)
        {
          int saved_errno = errno;

          close (out);
          _hm_document_set_errno_error (error, saved_errno, _("Cannot save as “%s”"), display);
          return FALSE;
        }
    }
  close (out);

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      (g_rename (tmp, job->target) != 0 &&
       (_hm_document_set_errno_error (error, errno, _("Cannot save as “%s”"), display), TRUE)))
    {
      g_unlink (tmp);
      return FALSE;
    }

  /* Make the new name durable too. */
  hm_file_sync_directory (dir);
  return TRUE;
}

/* ---- The caller's side ---- */

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
  job->structural = _hm_document_is_structural (self);
  /* Save As copies the content as read; a direct save's overwrites are in the file */
  if (job->structural && (kind == JOB_SAVE_AS || self->mode == HM_DOCUMENT_MODE_DIRECT))
    g_array_set_size (job->ranges, 0);
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
  /* Outside it the filesystem clamps the time and the save would set another. */
  if (options->timestamp == HM_TIMESTAMP_EXPLICIT &&
      (options->mtime_sec < HM_MTIME_MIN || options->mtime_sec > HM_MTIME_MAX ||
       (options->mtime_sec == HM_MTIME_MAX && options->mtime_nsec > 0)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The modification time %" G_GINT64_FORMAT " is out of the range filesystems "
                     "store (1901-12-13 to 2446-05-10)"), options->mtime_sec);
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
  if (job->kind != JOB_SAVE || job->structural)
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
  else if (job->structural)
    ok = _hm_document_save_structural (job->self, job->ranges, &job->options, cancellable,
                                       job->progress, job->progress_data, &job->new_stat, &job->error);
  else if (job->mode == HM_DOCUMENT_MODE_PREVIEW)
    ok = commit_preview (job, cancellable, &job->error);
  else
    ok = save_direct (job, cancellable, &job->error);

  /* A commit that failed half-way puts the old bytes back: the file is as it
   * was, not part old, part new. */
  if (!ok && job->journal != NULL)
    {
      g_autoptr(GError) local = NULL;

      if (hm_save_journal_roll_back (job->journal, job->self->wfd, &local))
        {
          job->touched = FALSE;
          g_array_set_size (job->landed, 0);
        }
      else
        {
          append_to_error (&job->error, _("Undoing the partial save also failed (%s); your "
                                          "edits are still pending: saving again undoes it "
                                          "first, or after quitting run “hexmap-cli recover %s”."),
                           local->message, job->self->display_name);
          job->described = TRUE;
          /* The document is busy until the job finishes: this is ours. */
          job->self->unfinished_journal = g_steal_pointer (&job->journal);
        }
    }
  if (!ok && job->kind == JOB_SAVE)
    describe_landed (job, &job->error);
}

/* Back on the caller's thread: the journal and the windows catch up. */
static gboolean
save_job_finish (SaveJob *job,
                 GError **error)
{
  HmDocument *self = job->self;
  HmEditState before = _hm_document_edit_state (self);

  self->busy = FALSE;
  /* Whatever the save did to the file is ours: the disk monitor must not
   * report it. Save As leaves the file alone. */
  if (job->kind == JOB_SAVE)
    _hm_document_disk_record (self);

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
        _hm_document_adopt_current_stat (self);
      goto out;
    }

  if (job->structural)
    {
      _hm_document_structural_rebase (self, &job->new_stat);
      _hm_document_notify (self, "size");
      _hm_document_notify_state (self, &before);
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
  _hm_document_emit_changed_ranges (self, job->ranges);
  _hm_document_notify_state (self, &before);

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
 * lost, and a preview commit puts the file's old bytes back from the save
 * journal (else the error says which bytes reached the file). After the final
 * fsync the path must still name the file written, at the size written, or the
 * save fails with %HM_DOCUMENT_ERROR_CONFLICT; a direct save refuses edits that
 * lie past a shortened file's end.
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

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The structural save: rewrites a file in place (same inode, owner, mode,
 * holes) so that it holds a new content given as segments: runs of the file as
 * it is now (FILE) and new bytes (DATA). Only what must move moves.
 *
 * Planning (hm_save_plan_new):
 *  - The FILE segments whose sources increase keep their bytes in the file and
 *    become moves (source → new offset). A FILE segment out of that order is
 *    copied into the journal like new bytes.
 *  - Where the displacement between two moves changes by a multiple of the
 *    filesystem block and an aligned point lies in the bytes between them (a
 *    deleted or rewritten range), the filesystem inserts or collapses that range
 *    (FALLOC_FL_INSERT_RANGE / COLLAPSE_RANGE, ext4 and XFS): a metadata change,
 *    whatever the file's size. They run from the end of the file backwards, so
 *    the offsets of the earlier ones hold.
 *  - What is left moves by copying: the moves to lower offsets from the start
 *    forwards, then the moves to higher offsets from the end backwards, each in
 *    chunks of at most HM_SHIFT_CHUNK_MAX; in that order no chunk overwrites a
 *    source still to be read. Only data is copied: the holes of a source
 *    (SEEK_DATA/SEEK_HOLE) are punched at its destination instead.
 *
 * Executing (hm_save_plan_execute) goes through the save journal
 * (hm-save-journal.c), so a crash at any moment leaves the old or the new file
 * once recovered: the plan's steps and all new bytes go to the journal first
 * (until then the file is untouched: a cancel or an error just removes the
 * journal), space past the end is reserved, then a NO_RETURN record is
 * fsync'd. From there hm-structural-save-apply.c rolls forward, the same code
 * that recovery runs.
 */
#include "config.h"

#include "hm-save-journal-private.h"
#include "hm-structural-save-private.h"

#include "hm-document-private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

/* Displacements at least this large copy in chunks of the displacement, so
 * that source and destination never overlap and need no copy in the journal. */
#define SHIFT_CHUNK_MIN (1024 * 1024)

/* A copy whose source and destination are apart runs in steps of up to this
 * many chunks (copied a chunk at a time, with one fsync per step). */
#define SHIFT_STEP_APART 8

static guint64 chunk_limit = HM_SHIFT_CHUNK_MAX;
static gboolean range_changes_allowed = TRUE;

void
_hm_structural_save_set_range_changes_for_tests (gboolean allowed)
{
  range_changes_allowed = allowed;
}

void
_hm_structural_save_set_chunk_for_tests (guint64 chunk)
{
  chunk_limit = chunk == 0 ? HM_SHIFT_CHUNK_MAX : MIN (chunk, (guint64) HM_SHIFT_CHUNK_MAX);
}

typedef struct
{
  guint64 src;
  guint64 dst;
  guint64 length;
  gint64  shift;  /* what the inserts and collapses before it did */
} Move;

typedef struct
{
  guint64  dst;
  guint64  length;
  guint64  source;
  gboolean from_file;
} Write;

struct _HmSavePlan
{
  dev_t    dev;
  ino_t    ino;
  gboolean regular;
  guint64  old_size;
  guint64  new_size;
  guint64  block_size;
  GArray  *steps;   /* HmShiftStep */
  GArray  *writes;  /* Write */
  guint    n_range_changes;
  guint64  bytes_to_move;
  guint64  bytes_to_write;
};

#define EXT4_MAGIC 0xEF53
#define XFS_MAGIC  0x58465342

/* Whether the filesystem inserts and collapses ranges of this file: XFS, and
 * ext4 for files mapped by extents. (Probing with a call that fails would
 * touch the file's mtime on ext4.) */
static gboolean
can_change_ranges (int                  fd,
                   const struct statfs *sfs)
{
  int flags = 0;

  if (!range_changes_allowed)
    return FALSE;
  if (sfs->f_type == XFS_MAGIC)
    return TRUE;
  return sfs->f_type == EXT4_MAGIC && ioctl (fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_EXTENT_FL) != 0;
}

static guint64
round_up (guint64 value,
          guint64 multiple)
{
  return (value + multiple - 1) / multiple * multiple;
}

static void
add_step (HmSavePlan *plan,
          guint32     kind,
          guint64     src,
          guint64     dst,
          guint64     length,
          guint64     size_before)
{
  HmShiftStep step = { kind, 0, src, dst, length, size_before };

  if (kind == HM_SHIFT_STEP_COPY)
    {
      guint64 distance = src > dst ? src - dst : dst - src;

      if (distance < length)
        step.flags |= HM_SHIFT_STEP_OVERLAP;
      plan->bytes_to_move += length;
    }
  g_array_append_val (plan->steps, step);
}

/* Data and hole extents of [start, end) of the file as it is now. */
static GArray *
extents_of (int     fd,
            guint64 start,
            guint64 end)
{
  GArray *extents = g_array_new (FALSE, FALSE, sizeof (guint64) * 3);  /* start, end, is_data */
  guint64 pos = start;

  while (pos < end)
    {
      off_t data = lseek (fd, (off_t) pos, SEEK_DATA);
      guint64 data_start;
      guint64 data_end;
      guint64 hole[3];
      guint64 extent[3];

      if (data < 0 && errno != ENXIO)
        {
          data_start = pos;  /* no hole information: all data */
          data_end = end;
        }
      else
        {
          off_t hole_at = data < 0 ? -1 : lseek (fd, data, SEEK_HOLE);

          data_start = data < 0 ? end : MIN ((guint64) data, end);
          data_end = hole_at < 0 ? end : MIN ((guint64) hole_at, end);
        }
      if (data_start > pos)
        {
          hole[0] = pos;
          hole[1] = data_start;
          hole[2] = FALSE;
          g_array_append_val (extents, hole);
        }
      if (data_end > data_start)
        {
          extent[0] = data_start;
          extent[1] = data_end;
          extent[2] = TRUE;
          g_array_append_val (extents, extent);
        }
      pos = MAX (data_end, data_start);
    }
  return extents;
}

/* The copy and punch steps of one move, in the order that keeps its unread
 * source intact. */
static void
plan_move (HmSavePlan *plan,
           int         fd,
           const Move *move)
{
  guint64 src = (guint64) ((gint64) move->src + move->shift);
  gint64 shift = (gint64) move->dst - (gint64) src;
  guint64 distance = (guint64) ABS (shift);
  g_autoptr(GArray) extents = NULL;
  gboolean forwards = shift < 0;
  guint64 chunk;

  if (shift == 0)
    return;
  if (distance >= chunk_limit)
    chunk = MIN (distance, SHIFT_STEP_APART * chunk_limit);  /* apart: large steps, fewer fsyncs */
  else if (distance >= MIN (SHIFT_CHUNK_MIN, chunk_limit))
    chunk = distance;
  else
    chunk = chunk_limit;  /* overlapping: each step's source goes to the journal */
  extents = extents_of (fd, move->src, move->src + move->length);
  for (guint e = 0; e < extents->len; e++)
    {
      const guint64 *extent = &g_array_index (extents, guint64, 3 * (forwards ? e : extents->len - 1 - e));
      guint64 start = (guint64) ((gint64) extent[0] + move->shift);
      guint64 end = (guint64) ((gint64) extent[1] + move->shift);

      if (!extent[2])
        {
          add_step (plan, HM_SHIFT_STEP_PUNCH, 0, (guint64) ((gint64) start + shift), end - start, 0);
          continue;
        }
      for (guint64 done = 0; done < end - start;)
        {
          guint64 n = MIN (chunk, end - start - done);
          guint64 at = forwards ? start + done : end - done - n;

          add_step (plan, HM_SHIFT_STEP_COPY, at, (guint64) ((gint64) at + shift), n, 0);
          done += n;
        }
    }
}

/* Inserts and collapses for the displacements that the filesystem can make:
 * fills in each move's shift and appends the steps, last boundary first. */
static void
plan_range_changes (HmSavePlan *plan,
                    GArray     *moves)
{
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (HmShiftStep));
  guint64 prev_end = 0;
  gint64 shift = 0;
  gint64 size;

  for (guint i = 0; i < moves->len; i++)
    {
      Move *move = &g_array_index (moves, Move, i);
      gint64 delta = (gint64) move->dst - (gint64) move->src - shift;
      guint64 at = round_up (prev_end, plan->block_size);
      guint64 length = (guint64) ABS (delta);

      if (delta != 0 && length % plan->block_size == 0 &&
          ((delta > 0 && at <= move->src) || (delta < 0 && at + length <= move->src)))
        {
          HmShiftStep step = { delta > 0 ? HM_SHIFT_STEP_INSERT : HM_SHIFT_STEP_COLLAPSE, 0, 0, at, length, 0 };

          g_array_append_val (changes, step);
          shift += delta;
        }
      else if (delta != 0 && length < chunk_limit && move->length >= chunk_limit && at <= move->src)
        {
          /* Copying by less than a chunk would put every chunk in the
           * journal too. Insert a range beyond the displacement instead: the
           * run then moves back by at least a chunk, source and destination
           * never overlap, and the extra range is cut off at the end. */
          guint64 extra = round_up ((guint64) MAX (delta, 0) + SHIFT_STEP_APART * chunk_limit, plan->block_size);
          HmShiftStep step = { HM_SHIFT_STEP_INSERT, 0, 0, at, extra, 0 };

          g_array_append_val (changes, step);
          shift += (gint64) extra;
        }
      move->shift = shift;
      prev_end = move->src + move->length;
    }

  /* They run from the last backwards: before change i, the ones after it ran. */
  size = (gint64) plan->old_size;
  for (guint i = changes->len; i-- > 0;)
    {
      HmShiftStep *step = &g_array_index (changes, HmShiftStep, i);

      step->size_before = (guint64) size;
      size += step->kind == HM_SHIFT_STEP_INSERT ? (gint64) step->length : -(gint64) step->length;
      g_array_append_val (plan->steps, *step);
    }
  plan->n_range_changes = changes->len;
}

HmSavePlan *
hm_save_plan_new (int              fd,
                  const HmSegment *segments,
                  guint            n_segments,
                  GError         **error)
{
  g_autoptr(HmSavePlan) plan = g_new0 (HmSavePlan, 1);
  g_autoptr(GArray) moves = g_array_new (FALSE, FALSE, sizeof (Move));
  struct statfs sfs;
  struct stat st;
  guint64 new_offset = 0;
  guint64 chain_end = 0;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (segments != NULL || n_segments == 0, NULL);

  plan->steps = g_array_new (FALSE, FALSE, sizeof (HmShiftStep));
  plan->writes = g_array_new (FALSE, FALSE, sizeof (Write));
  if (fstat (fd, &st) != 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot check the file to save"));
      return NULL;
    }
  plan->dev = st.st_dev;
  plan->ino = st.st_ino;
  plan->regular = S_ISREG (st.st_mode);
  if (S_ISBLK (st.st_mode))
    {
      guint64 size = 0;

      if (ioctl (fd, BLKGETSIZE64, &size) != 0)
        {
          _hm_document_set_errno_error (error, errno, _("Cannot read the size of the device to save"));
          return NULL;
        }
      plan->old_size = size;
    }
  else if (plan->regular)
    plan->old_size = (guint64) st.st_size;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Only regular files and block devices can be saved in place"));
      return NULL;
    }
  if (fstatfs (fd, &sfs) != 0)
    memset (&sfs, 0, sizeof sfs);
  plan->block_size = sfs.f_bsize > 0 ? (guint64) sfs.f_bsize : 4096;

  for (guint i = 0; i < n_segments; i++)
    {
      const HmSegment *segment = &segments[i];

      if (segment->length == 0)
        continue;
      if (segment->kind == HM_SEGMENT_FILE &&
          (segment->source > plan->old_size || segment->length > plan->old_size - segment->source))
        {
          g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE,
                       _("A save refers to 0x%" PRIx64 " bytes at 0x%" PRIx64 ", past the end of the file "
                         "(0x%" PRIx64 " bytes)"), segment->length, segment->source, plan->old_size);
          return NULL;
        }
      if (segment->kind == HM_SEGMENT_FILE && segment->source >= chain_end)
        {
          Move *last = moves->len > 0 ? &g_array_index (moves, Move, moves->len - 1) : NULL;

          if (last != NULL && last->src + last->length == segment->source &&
              last->dst + last->length == new_offset)
            last->length += segment->length;
          else
            {
              Move move = { segment->source, new_offset, segment->length, 0 };

              g_array_append_val (moves, move);
            }
          chain_end = segment->source + segment->length;
        }
      else
        {
          Write write = { new_offset, segment->length, segment->source, segment->kind == HM_SEGMENT_FILE };

          g_array_append_val (plan->writes, write);
          plan->bytes_to_write += segment->length;
        }
      new_offset += segment->length;
    }
  plan->new_size = new_offset;

  if (!plan->regular && plan->new_size != plan->old_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("A device cannot change its size: this save would make it 0x%" PRIx64
                     " bytes instead of 0x%" PRIx64), plan->new_size, plan->old_size);
      return NULL;
    }

  if (plan->regular && can_change_ranges (fd, &sfs))
    plan_range_changes (plan, moves);

  for (guint i = 0; i < moves->len; i++)
    {
      const Move *move = &g_array_index (moves, Move, i);

      if ((gint64) move->dst < (gint64) move->src + move->shift)
        plan_move (plan, fd, move);
    }
  for (guint i = moves->len; i-- > 0;)
    {
      const Move *move = &g_array_index (moves, Move, i);

      if ((gint64) move->dst > (gint64) move->src + move->shift)
        plan_move (plan, fd, move);
    }
  return g_steal_pointer (&plan);
}

guint64
hm_save_plan_get_new_size (HmSavePlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->new_size;
}

guint64
hm_save_plan_get_bytes_to_move (HmSavePlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->bytes_to_move;
}

guint64
hm_save_plan_get_bytes_to_write (HmSavePlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->bytes_to_write;
}

/**
 * hm_save_plan_get_range_changes:
 * @plan: a plan
 *
 * Returns: how many ranges the filesystem inserts or removes (fallocate)
 */
guint
hm_save_plan_get_range_changes (HmSavePlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->n_range_changes;
}

char *
hm_save_plan_describe (HmSavePlan *plan)
{
  g_autofree char *move = NULL;
  g_autofree char *write = NULL;

  g_return_val_if_fail (plan != NULL, NULL);
  move = g_format_size (plan->bytes_to_move);
  write = g_format_size (plan->bytes_to_write);
  /* TRANSLATORS: both are sizes, e.g. "4.3 GB" and "1 byte" */
  return g_strdup_printf (_("This save moves %s already in the file and writes %s of new bytes"), move, write);
}

/* Space for what lands past the current end, so that ENOSPC comes before the
 * first byte moves; and a rough check of the rest. */
static gboolean
reserve_space (HmSavePlan *plan,
               int         fd,
               const char *display_name,
               GError    **error)
{
  struct statvfs sv;
  guint64 need = plan->bytes_to_write;

  if (plan->regular && plan->n_range_changes == 0 && plan->new_size > plan->old_size)
    {
      for (guint i = 0; i < plan->steps->len; i++)
        {
          const HmShiftStep *step = &g_array_index (plan->steps, HmShiftStep, i);
          guint64 end = step->dst + step->length;

          if (step->kind != HM_SHIFT_STEP_COPY || end <= plan->old_size)
            continue;
          if (fallocate (fd, FALLOC_FL_KEEP_SIZE, (off_t) MAX (step->dst, plan->old_size),
                         (off_t) (end - MAX (step->dst, plan->old_size))) != 0)
            {
              if (errno == EOPNOTSUPP || errno == ENOSYS)
                {
                  need += end - MAX (step->dst, plan->old_size);
                  continue;
                }
              goto failed;
            }
        }
    }
  if (fstatvfs (fd, &sv) == 0 && (guint64) sv.f_bavail * sv.f_frsize < need)
    {
      errno = ENOSPC;
      goto failed;
    }
  return TRUE;

failed:
  _hm_document_set_errno_error (error, errno, _("Cannot make room to save “%s”; it was left as it was"),
                                display_name);
  return FALSE;
}

static gboolean
journal_new_bytes (HmSavePlan        *plan,
                   HmSaveJournal     *journal,
                   int                fd,
                   const char        *display_name,
                   HmSegmentReadFunc  read_data,
                   gpointer           user_data,
                   HmProgressFunc     progress,
                   gpointer           progress_data,
                   GCancellable      *cancellable,
                   guint64            total,
                   GError           **error)
{
  g_autofree guint8 *buffer = g_malloc (HM_JOURNAL_RECORD_MAX);
  guint64 done = 0;

  for (guint i = 0; i < plan->writes->len; i++)
    {
      const Write *write = &g_array_index (plan->writes, Write, i);

      for (guint64 pos = 0; pos < write->length;)
        {
          gsize n = (gsize) MIN (write->length - pos, (guint64) HM_JOURNAL_RECORD_MAX);

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (write->from_file)
            {
              ssize_t got = pread (fd, buffer, n, (off_t) (write->source + pos));

              if (got != (ssize_t) n)
                {
                  _hm_document_set_errno_error (error, got < 0 ? errno : EIO, _("Cannot read “%s” at 0x%" PRIx64),
                                                display_name, write->source + pos);
                  return FALSE;
                }
            }
          else if (read_data == NULL || !read_data (user_data, write->dst + pos, buffer, n, error))
            {
              if (read_data == NULL)
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                             _("A save of “%s” has new bytes but nothing to read them from"), display_name);
              return FALSE;
            }
          if (!_hm_save_journal_append (journal, HM_JOURNAL_RECORD_WRITE, write->dst + pos, buffer, n, error))
            return FALSE;
          pos += n;
          done += n;
          if (progress != NULL)
            progress (done, total, progress_data);
        }
    }
  return TRUE;
}

/* The roll-forward counts from 0; the save's progress goes on from the new
 * bytes already journaled. */
typedef struct
{
  HmProgressFunc progress;
  gpointer       progress_data;
  guint64        before;
  guint64        total;
} ProgressAfter;

static void
progress_after_cb (guint64  done,
                   guint64  total,
                   gpointer user_data)
{
  ProgressAfter *after = user_data;

  after->progress (after->before + done, after->total, after->progress_data);
}

gboolean
hm_save_plan_execute (HmSavePlan        *plan,
                      int                fd,
                      const char        *path,
                      const char        *display_name,
                      HmSegmentReadFunc  read_data,
                      gpointer           user_data,
                      HmProgressFunc     progress,
                      gpointer           progress_data,
                      GCancellable      *cancellable,
                      GError           **error)
{
  g_autoptr(HmSaveJournal) journal = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GError) rollback_error = NULL;
  ProgressAfter after;
  guint64 total;
  guint64 records_start;
  struct stat st;
  guint64 size;
  int jfd;

  g_return_val_if_fail (plan != NULL, FALSE);
  g_return_val_if_fail (fd >= 0, FALSE);
  g_return_val_if_fail (path != NULL && display_name != NULL, FALSE);

  if (fstat (fd, &st) != 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot check “%s”"), display_name);
      return FALSE;
    }
  size = plan->regular ? (guint64) st.st_size : plan->old_size;
  if (st.st_dev != plan->dev || st.st_ino != plan->ino || size != plan->old_size)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                   _("“%s” changed since its save was planned; nothing was written"), display_name);
      return FALSE;
    }

  journal = hm_save_journal_begin (fd, &st, path, display_name, plan->old_size, plan->new_size, error);
  if (journal == NULL)
    return FALSE;
  jfd = _hm_save_journal_get_fd (journal);
  records_start = (guint64) lseek (jfd, 0, SEEK_CUR);

  for (guint i = 0; i < plan->steps->len; i += HM_JOURNAL_RECORD_MAX / sizeof (HmShiftStep))
    {
      guint n = MIN (plan->steps->len - i, (guint) (HM_JOURNAL_RECORD_MAX / sizeof (HmShiftStep)));

      if (!_hm_save_journal_append (journal, HM_JOURNAL_RECORD_PLAN, i,
                                    &g_array_index (plan->steps, HmShiftStep, i),
                                    n * sizeof (HmShiftStep), &local))
        goto undo;
    }
  /* Progress: the new bytes into the journal, then the moves and the new
   * bytes into the file. */
  total = 2 * plan->bytes_to_write + plan->bytes_to_move;
  if (!journal_new_bytes (plan, journal, fd, display_name, read_data, user_data, progress, progress_data,
                          cancellable, total, &local) ||
      !reserve_space (plan, fd, display_name, &local) ||
      !hm_save_journal_sync (journal, &local) ||
      g_cancellable_set_error_if_cancelled (cancellable, &local))
    goto undo;

  /* The point of no return. */
  if (!_hm_save_journal_append (journal, HM_JOURNAL_RECORD_NO_RETURN, plan->steps->len, NULL,
                                plan->new_size, &local) ||
      !hm_save_journal_sync (journal, &local))
    goto undo;

  after.progress = progress;
  after.progress_data = progress_data;
  after.before = plan->bytes_to_write;
  after.total = total;
  if (!_hm_structural_save_resume (jfd, fd, records_start, display_name, _hm_save_journal_get_path (journal),
                                   progress != NULL ? progress_after_cb : NULL, &after, error))
    {
      g_prefix_error (error, _("The save of “%s” stopped halfway; run “hexmap-cli recover %s” to finish it: "),
                      display_name, path);
      return FALSE;
    }
  _hm_save_journal_forget (journal);
  return TRUE;

undo:
  /* The file was not touched (but for space reserved past its end). */
  if (!hm_save_journal_roll_back (journal, fd, &rollback_error))
    g_prefix_error (&local, "%s; ", rollback_error->message);
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

void
hm_save_plan_free (HmSavePlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_pointer (&plan->steps, g_array_unref);
  g_clear_pointer (&plan->writes, g_array_unref);
  g_free (plan);
}

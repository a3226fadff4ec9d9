/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The roll-forward half of the structural save: runs the steps of a plan that
 * is in the save journal past its point of no return. The save itself and the
 * recovery of an interrupted save both come here, so every save exercises the
 * code that recovery relies on.
 *
 * Before step k touches the file, a SLOT record "step k in flight" goes to slot
 * k % 2 of the journal and is fsync'd; after the step, the file is fsync'd. A
 * copy whose source and destination overlap carries its source bytes in that
 * record (the copy destroys them); every other step can simply run again: a
 * copy whose source is intact, a hole punch, and an insert or collapse of a
 * range (the size before it tells whether it ran). Recovery takes the valid slot
 * with the highest step, redoes that step without rewriting its slot, and goes
 * on. The final step truncates or extends the file to its new size and writes
 * the new bytes (WRITE records); a slot with step n + 1 means "done".
 */
#include "config.h"

#include "hm-save-journal-private.h"
#include "hm-structural-save-private.h"

#include "hm-document-private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#define SLOT_SIZE ((guint64) sizeof (HmJournalRecord) + HM_SHIFT_CHUNK_MAX)

static gboolean step_sync = TRUE;

void
_hm_structural_save_set_step_sync_for_tests (gboolean sync)
{
  step_sync = sync;
}

typedef struct
{
  int            jfd;
  int            fd;
  const char    *display_name;
  const char    *journal_path;
  GArray        *steps;      /* HmShiftStep */
  GArray        *writes;     /* guint64: journal positions of WRITE records */
  guint64        slot_pos;
  guint64        new_size;
  guint8        *buffer;     /* a record and a chunk */
  HmProgressFunc progress;
  gpointer       progress_data;
  guint64        done;
  guint64        total;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->steps, g_array_unref);
  g_clear_pointer (&run->writes, g_array_unref);
  g_clear_pointer (&run->buffer, g_free);
}

static gboolean
damaged (Run     *run,
         GError **error)
{
  g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_INTERRUPTED_SAVE,
               _("The save journal of “%s” (%s) is damaged; it was left alone"),
               run->display_name, run->journal_path);
  return FALSE;
}

static gboolean
journal_read_failed (Run     *run,
                     GError **error)
{
  _hm_document_set_errno_error (error, errno != 0 ? errno : EIO,
                                _("Cannot read the save journal %s"), run->journal_path);
  return FALSE;
}

/* An error from errno (EIO if none): @format names the file (the display
 * name, %s) and an offset (0x%PRIx64). A macro, so that the format is checked. */
#define file_failed(run, error, format, offset) \
  (_hm_document_set_errno_error ((error), errno != 0 ? errno : EIO, (format), (run)->display_name, \
                                 (guint64) (offset)), FALSE)

/* Reads exactly @length bytes; FALSE with errno = EIO if the file is shorter. */
static gboolean
pread_all (int      fd,
           guint8  *buffer,
           gsize    length,
           guint64  offset)
{
  while (length > 0)
    {
      ssize_t got = pread (fd, buffer, length, (off_t) offset);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        return FALSE;
      if (got == 0)
        {
          errno = EIO;
          return FALSE;
        }
      buffer += got;
      length -= (gsize) got;
      offset += (guint64) got;
    }
  return TRUE;
}

/* The records before the slots: the steps, the new bytes, the size. */
static gboolean
scan (Run     *run,
      guint64  pos,
      GError **error)
{
  for (;;)
    {
      HmJournalRecord record;

      errno = 0;
      if (pread (run->jfd, &record, sizeof record, (off_t) pos) != (ssize_t) sizeof record)
        return journal_read_failed (run, error);
      switch (record.type)
        {
        case HM_JOURNAL_RECORD_PLAN:
          if (record.length == 0 || record.length > HM_JOURNAL_RECORD_MAX ||
              record.length % sizeof (HmShiftStep) != 0 || record.offset != run->steps->len)
            return damaged (run, error);
          if (!pread_all (run->jfd, run->buffer, (gsize) record.length, pos + sizeof record))
            return journal_read_failed (run, error);
          if (_hm_journal_record_crc (&record, run->buffer) != record.crc)
            return damaged (run, error);
          g_array_append_vals (run->steps, run->buffer, (guint) (record.length / sizeof (HmShiftStep)));
          break;
        case HM_JOURNAL_RECORD_WRITE:
          if (record.length == 0 || record.length > HM_JOURNAL_RECORD_MAX)
            return damaged (run, error);
          g_array_append_val (run->writes, pos);
          run->total += record.length;
          break;
        case HM_JOURNAL_RECORD_NO_RETURN:
          if (_hm_journal_record_crc (&record, NULL) != record.crc || record.offset != run->steps->len)
            return damaged (run, error);
          run->new_size = record.length;
          run->slot_pos = pos + sizeof record;
          return TRUE;
        default:
          return damaged (run, error);
        }
      pos += sizeof record + record.length;
    }
}

/* The step in slot @slot into run->buffer: its index, or -1 if the slot is
 * empty or torn. */
static gint64
read_slot (Run     *run,
           guint    slot,
           guint64 *data_length)
{
  guint64 pos = run->slot_pos + slot * SLOT_SIZE;
  HmJournalRecord record;

  if (pread (run->jfd, &record, sizeof record, (off_t) pos) != (ssize_t) sizeof record ||
      record.type != HM_JOURNAL_RECORD_SLOT || record.length > HM_SHIFT_CHUNK_MAX ||
      record.offset > run->steps->len + 1)
    return -1;
  if (record.length > 0 && !pread_all (run->jfd, run->buffer, (gsize) record.length, pos + sizeof record))
    return -1;
  if (_hm_journal_record_crc (&record, run->buffer) != record.crc)
    return -1;
  *data_length = record.length;
  return (gint64) record.offset;
}

static gboolean
write_slot (Run          *run,
            guint64       index,
            const guint8 *data,
            guint64       length,
            GError      **error)
{
  HmJournalRecord record = { HM_JOURNAL_RECORD_SLOT, 0, index, length };
  guint64 pos = run->slot_pos + (index % 2) * SLOT_SIZE;

  record.crc = _hm_journal_record_crc (&record, data);
  if (!_hm_journal_pwrite_all (run->jfd, &record, sizeof record, pos) ||
      (length > 0 && !_hm_journal_pwrite_all (run->jfd, data, (gsize) length, pos + sizeof record)) ||
      (step_sync && fdatasync (run->jfd) != 0))
    {
      _hm_document_set_errno_error (error, errno,
                                    _("Cannot write the save journal of “%s” (%s), which keeps the file "
                                      "safe if the save is interrupted"),
                                    run->display_name, run->journal_path);
      return FALSE;
    }
  return TRUE;
}

static void
report (Run     *run,
        guint64  amount)
{
  run->done += amount;
  if (run->progress != NULL)
    run->progress (run->done, run->total, run->progress_data);
}

/* Makes [offset, offset + length) a hole, or zeros where holes cannot be. */
static gboolean
punch (Run     *run,
       guint64  offset,
       guint64  length,
       GError **error)
{
  struct stat st;
  guint64 end;

  if (fallocate (run->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t) offset, (off_t) length) == 0)
    return TRUE;
  if (errno != EOPNOTSUPP && errno != ENOSYS && errno != ENODEV)
    return file_failed (run, error, _("Cannot punch a hole in “%s” at 0x%" PRIx64 " while moving its bytes"), offset);
  if (fstat (run->fd, &st) != 0)
    return file_failed (run, error, _("Cannot check “%s” (at 0x%" PRIx64 ") while moving its bytes"), offset);
  end = S_ISREG (st.st_mode) ? MIN (offset + length, (guint64) st.st_size) : offset + length;
  memset (run->buffer, 0, HM_SHIFT_CHUNK_MAX);
  for (guint64 pos = offset; pos < end;)
    {
      gsize n = (gsize) MIN (end - pos, (guint64) HM_SHIFT_CHUNK_MAX);

      if (!_hm_journal_pwrite_all (run->fd, run->buffer, n, pos))
        return file_failed (run, error, _("Cannot write “%s” at 0x%" PRIx64 " while moving its bytes"), pos);
      pos += n;
    }
  return TRUE;
}

static gboolean
change_range (Run               *run,
              const HmShiftStep *step,
              GError           **error)
{
  gboolean insert = step->kind == HM_SHIFT_STEP_INSERT;
  guint64 size_after = insert ? step->size_before + step->length : step->size_before - step->length;
  struct stat st;

  if (fstat (run->fd, &st) != 0)
    return file_failed (run, error, _("Cannot check “%s” (at 0x%" PRIx64 ") while moving its bytes"), step->dst);
  if ((guint64) st.st_size == size_after)
    return TRUE;  /* it ran before the interruption */
  if ((guint64) st.st_size != step->size_before)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT,
                   _("“%s” is 0x%" PRIx64 " bytes long, neither 0x%" PRIx64 " nor 0x%" PRIx64
                     " as its save expects: another program changed it"),
                   run->display_name, (guint64) st.st_size, step->size_before, size_after);
      return FALSE;
    }
  if (fallocate (run->fd, insert ? FALLOC_FL_INSERT_RANGE : FALLOC_FL_COLLAPSE_RANGE,
                 (off_t) step->dst, (off_t) step->length) != 0)
    return insert ? file_failed (run, error, _("Cannot insert a range into “%s” at 0x%" PRIx64), step->dst)
                  : file_failed (run, error, _("Cannot remove a range from “%s” at 0x%" PRIx64), step->dst);
  return TRUE;
}

static gboolean
final_step (Run     *run,
            GError **error)
{
  struct stat st;

  if (fstat (run->fd, &st) != 0)
    return file_failed (run, error, _("Cannot check “%s” (at 0x%" PRIx64 ") while moving its bytes"), 0);
  if (S_ISREG (st.st_mode) && (guint64) st.st_size != run->new_size &&
      ftruncate (run->fd, (off_t) run->new_size) != 0)
    return file_failed (run, error, _("Cannot resize “%s” to 0x%" PRIx64 " bytes"), run->new_size);
  for (guint i = 0; i < run->writes->len; i++)
    {
      guint64 pos = g_array_index (run->writes, guint64, i);
      HmJournalRecord record;

      errno = 0;
      if (pread (run->jfd, &record, sizeof record, (off_t) pos) != (ssize_t) sizeof record ||
          !pread_all (run->jfd, run->buffer, (gsize) record.length, pos + sizeof record))
        return journal_read_failed (run, error);
      if (_hm_journal_record_crc (&record, run->buffer) != record.crc)
        return damaged (run, error);
      if (!_hm_journal_pwrite_all (run->fd, run->buffer, (gsize) record.length, record.offset))
        return file_failed (run, error, _("Cannot write “%s” at 0x%" PRIx64 " while moving its bytes"), record.offset);
      report (run, record.length);
    }
  if (fsync (run->fd) != 0)
    return file_failed (run, error, _("Cannot flush “%s” to disk (at 0x%" PRIx64 ") while moving its bytes"), 0);
  return TRUE;
}

/* A copy whose source and destination are apart: in pieces, any order. */
static gboolean
copy_apart (Run               *run,
            const HmShiftStep *step,
            GError           **error)
{
  for (guint64 done = 0; done < step->length;)
    {
      gsize n = (gsize) MIN (step->length - done, (guint64) HM_SHIFT_CHUNK_MAX);

      errno = 0;
      if (!pread_all (run->fd, run->buffer, n, step->src + done))
        return file_failed (run, error, _("Cannot read “%s” at 0x%" PRIx64 " while moving its bytes"), step->src + done);
      if (!_hm_journal_pwrite_all (run->fd, run->buffer, n, step->dst + done))
        return file_failed (run, error, _("Cannot write “%s” at 0x%" PRIx64 " while moving its bytes"), step->dst + done);
      done += n;
    }
  return TRUE;
}

/* Runs steps @start… (the last, n, is the final step). @resumed: step @start
 * is in its slot already, with its source bytes in run->buffer if @has_data. */
static gboolean
run_steps (Run      *run,
           guint64   start,
           gboolean  resumed,
           gboolean  has_data,
           GError  **error)
{
  guint64 n = run->steps->len;

  for (guint64 k = start; k <= n; k++)
    {
      const HmShiftStep *step = k < n ? &g_array_index (run->steps, HmShiftStep, k) : NULL;
      gboolean in_slot = resumed && k == start;
      gboolean ok;

      gboolean overlap = step != NULL && (step->flags & HM_SHIFT_STEP_OVERLAP) != 0;

      /* A copy that overlaps itself keeps its source in the slot. */
      if (overlap && !(in_slot && has_data))
        {
          errno = 0;
          if (step->length > HM_SHIFT_CHUNK_MAX)
            return damaged (run, error);
          if (!pread_all (run->fd, run->buffer, (gsize) step->length, step->src))
            return file_failed (run, error, _("Cannot read “%s” at 0x%" PRIx64 " while moving its bytes"), step->src);
        }
      if (!in_slot && !write_slot (run, k, run->buffer, overlap ? step->length : 0, error))
        return FALSE;
      if (step == NULL)
        return final_step (run, error) && write_slot (run, n + 1, NULL, 0, error);

      switch ((HmShiftStepKind) step->kind)
        {
        case HM_SHIFT_STEP_COPY:
          if (overlap || (in_slot && has_data))
            ok = _hm_journal_pwrite_all (run->fd, run->buffer, (gsize) step->length, step->dst) ||
                 file_failed (run, error, _("Cannot write “%s” at 0x%" PRIx64 " while moving its bytes"), step->dst);
          else
            ok = copy_apart (run, step, error);
          if (ok)
            report (run, step->length);
          break;
        case HM_SHIFT_STEP_PUNCH:
          ok = punch (run, step->dst, step->length, error);
          break;
        case HM_SHIFT_STEP_INSERT:
        case HM_SHIFT_STEP_COLLAPSE:
          ok = change_range (run, step, error);
          break;
        default:
          return damaged (run, error);
        }
      if (!ok)
        return FALSE;
      if (step_sync && fdatasync (run->fd) != 0)
        return file_failed (run, error, _("Cannot flush “%s” to disk (at 0x%" PRIx64 ") while moving its bytes"), step->dst);
    }
  return TRUE;
}

gboolean
_hm_structural_save_resume (int             jfd,
                            int             fd,
                            guint64         records_start,
                            const char     *display_name,
                            const char     *journal_path,
                            HmProgressFunc  progress,
                            gpointer        progress_data,
                            GError        **error)
{
  Run run = { jfd, fd, display_name, journal_path, NULL, NULL, 0, 0, NULL, progress, progress_data, 0, 0 };
  guint64 lengths[2] = { 0, 0 };
  gint64 slots[2];
  gint64 best;
  gboolean ok;

  run.steps = g_array_new (FALSE, FALSE, sizeof (HmShiftStep));
  run.writes = g_array_new (FALSE, FALSE, sizeof (guint64));
  run.buffer = g_try_malloc (HM_SHIFT_CHUNK_MAX);
  if (run.buffer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory to save “%s”"), display_name);
      run_clear (&run);
      return FALSE;
    }
  if (!scan (&run, records_start, error))
    {
      run_clear (&run);
      return FALSE;
    }
  for (guint i = 0; i < run.steps->len; i++)
    {
      const HmShiftStep *step = &g_array_index (run.steps, HmShiftStep, i);

      if (step->kind == HM_SHIFT_STEP_COPY)
        run.total += step->length;
    }

  slots[0] = read_slot (&run, 0, &lengths[0]);
  slots[1] = read_slot (&run, 1, &lengths[1]);
  best = MAX (slots[0], slots[1]);
  if (best < 0)
    ok = run_steps (&run, 0, FALSE, FALSE, error);
  else if ((guint64) best > run.steps->len)
    ok = TRUE;  /* done; only the journal's removal was lost */
  else
    {
      guint slot = slots[0] == best ? 0 : 1;
      guint64 length = 0;

      /* The buffer holds the slot read last: read the chosen one again. */
      read_slot (&run, slot, &length);
      if ((guint64) best < run.steps->len && length > 0 &&
          length != g_array_index (run.steps, HmShiftStep, best).length)
        ok = damaged (&run, error);
      else
        ok = run_steps (&run, (guint64) best, TRUE, length > 0, error);
    }
  run_clear (&run);
  return ok;
}

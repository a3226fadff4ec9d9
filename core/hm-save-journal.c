/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The save journal: a write-ahead undo log that makes an in-place save atomic
 * across a crash, a kill or a power cut. Every path that changes bytes of a file
 * in place (the preview commit; direct-mode stores; later the structural saves)
 * goes through it the same way:
 *
 *   1. hm_save_journal_begin(): create the journal, O_EXCL, 0600, and write its
 *      header: magic, version, the file's identity (st_dev, st_ino), its size and
 *      mtime before, the intended size after, its path (for messages only).
 *   2. hm_save_journal_record() for every range about to be overwritten: the
 *      file's OLD bytes there, in records of at most 1 MiB; a hole is recorded as
 *      a hole (no bytes), so rolling back punches it again.
 *   3. hm_save_journal_sync(): fsync the journal (and, once, its folder).
 *      Only now may the first byte of the file change.
 *   4. Store, msync, fsync the file; check the path still names it.
 *   5. hm_save_journal_commit(): append a "committed" record, fsync, unlink the
 *      journal, fsync the folder.
 *
 * On disk, in native byte order (the journal never leaves the machine):
 *   header  { "HMSAVEJ\1", u32 version = 1, u32 path_length, u64 dev, u64 ino,
 *             u64 size_before, u64 size_after, i64 mtime_sec, i64 mtime_nsec,
 *             i64 btime_sec, i64 btime_nsec, u32 reserved, u32 crc } + path bytes
 *   record  { u32 type ('D' old data, 'H' hole, 'C' committed; structural:
 *             'P', 'W', 'N', 'S'), u32 crc,
 *             u64 offset, u64 length } + length bytes for 'D'
 * Every crc is CRC-32 (IEEE) over the structure with crc = 0, then what follows
 * it. A record that is short or fails its crc ends the journal (a torn tail:
 * the crash came before step 3, so the file was not touched yet).
 *
 * Inode numbers are reused: a journal left for a file that was then deleted
 * must not be applied to a new file that got its inode. The header keeps the
 * file's birth time (statx) and, where the filesystem has none, its path; a
 * journal whose file does not match is stale and removed when found.
 *
 * Recovery (hm_save_journal_recover(), matched by device and inode): committed
 * → the file is new; remove the journal. Not committed → write the old bytes
 * back, newest record first (so when a range was recorded twice the oldest bytes
 * win), punch the holes again, restore the size and mtime, fsync: the file is
 * exactly as before the save; remove the journal.
 *
 * A structural save (inserts and deletes: hm-structural-save.c) uses the same
 * journal the other way round, as a redo log: PLAN records (its steps), WRITE
 * records (every new byte), then a NO_RETURN record, fsync'd before the file
 * changes; after it, two SLOT records at fixed places name the step in flight.
 * Recovery before NO_RETURN restores the size and mtime (nothing else changed);
 * after it, it rolls forward (hm-structural-save-apply.c).
 *
 * Journals live in $XDG_STATE_HOME/hexmap/journals/ (0700), one per file, named
 * DEV-INODE.journal: this works for files in read-only folders and for block
 * devices, and never leaves anything next to the user's file.
 */
#include "config.h"

#include "hm-save-journal-private.h"

#include "hm-file-util.h"

#include "hm-checksum.h"
#include "hm-document-private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#define MAGIC        "HMSAVEJ\1"
#define VERSION      1
#define RECORD_MAX   HM_JOURNAL_RECORD_MAX
#define PATH_MAX_LEN (64 * 1024)

typedef struct
{
  char    magic[8];
  guint32 version;
  guint32 path_length;
  guint64 dev;
  guint64 ino;
  guint64 size_before;
  guint64 size_after;
  gint64  mtime_sec;
  gint64  mtime_nsec;
  gint64  btime_sec;    /* 0, 0: the filesystem has no birth time */
  gint64  btime_nsec;
  guint32 reserved;
  guint32 crc;
} Header;

typedef HmJournalRecord Record;

enum
{
  RECORD_DATA = HM_JOURNAL_RECORD_DATA,
  RECORD_HOLE = HM_JOURNAL_RECORD_HOLE,
  RECORD_COMMITTED = HM_JOURNAL_RECORD_COMMITTED,
};

struct _HmSaveJournal
{
  char    *path;
  char    *display_name;
  int      fd;
  gboolean dir_synced;
  gboolean done;       /* committed or rolled back: the file is gone */
  guint8  *buffer;     /* a record and its data */
};

static char *
journal_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "hexmap", "journals", NULL);
}

char *
hm_save_journal_path_for (dev_t dev,
                          ino_t ino)
{
  g_autofree char *dir = journal_dir ();
  g_autofree char *name = g_strdup_printf ("%" PRIx64 "-%" PRIx64 ".journal",
                                           (guint64) dev, (guint64) ino);

  return g_build_filename (dir, name, NULL);
}

static void sync_dir_of (const char *path);
static void remove_journal (HmSaveJournal *journal);

/* The file's birth time: through @fd if >= 0, else @path. */
static void
birth_time (int         fd,
            const char *path,
            gint64     *sec,
            gint64     *nsec)
{
  struct statx stx;

  *sec = *nsec = 0;
  if (statx (fd >= 0 ? fd : AT_FDCWD, fd >= 0 ? "" : path,
             fd >= 0 ? AT_EMPTY_PATH : 0, STATX_BTIME, &stx) == 0 &&
      (stx.stx_mask & STATX_BTIME) != 0)
    {
      *sec = stx.stx_btime.tv_sec;
      *nsec = stx.stx_btime.tv_nsec;
    }
}

static gboolean read_header (int         jfd,
                             const char *display_name,
                             const char *journal_path,
                             Header     *header,
                             char      **path,
                             GError    **error);

/* Whether the journal in @jfd was written for the file (@fd or @path) rather
 * than for an earlier file with the same inode number. An unreadable header
 * counts as ours: recovery decides. */
static gboolean
journal_is_for (int         jfd,
                int         fd,
                const char *path)
{
  g_autofree char *journal_file_path = NULL;
  Header header;
  gint64 sec;
  gint64 nsec;

  if (!read_header (jfd, "", "", &header, &journal_file_path, NULL))
    return TRUE;
  birth_time (fd, path, &sec, &nsec);
  if ((sec != 0 || nsec != 0) && (header.btime_sec != 0 || header.btime_nsec != 0))
    return sec == header.btime_sec && nsec == header.btime_nsec;
  /* No birth time: the path must match (a rename defeats this, rarely). */
  if (path == NULL)
    return TRUE;
  return g_strcmp0 (journal_file_path, path) == 0;
}

gboolean
hm_save_journal_exists (int                fd,
                        const char        *path,
                        const struct stat *st)
{
  g_autofree char *journal = hm_save_journal_path_for (st->st_dev, st->st_ino);
  gboolean ours;
  int jfd = open (journal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  if (jfd < 0)
    return errno != ENOENT;
  ours = journal_is_for (jfd, fd, path);
  close (jfd);
  if (!ours)
    {
      /* Left for a deleted file whose inode number this file got. */
      g_unlink (journal);
      sync_dir_of (journal);
    }
  return ours;
}

gboolean
_hm_journal_pwrite_all (int         fd,
            const void *data,
            gsize       length,
            guint64     offset)
{
  const guint8 *p = data;

  while (length > 0)
    {
      ssize_t n = pwrite (fd, p, length, (off_t) offset);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      if (n == 0)
        {
          errno = EIO;
          return FALSE;
        }
      p += n;
      offset += (guint64) n;
      length -= (gsize) n;
    }
  return TRUE;
}

static void
sync_dir_of (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  hm_file_sync_directory (dir);
}

gboolean
_hm_journal_record_has_data (guint32 type)
{
  return type == RECORD_DATA || type == HM_JOURNAL_RECORD_PLAN || type == HM_JOURNAL_RECORD_WRITE ||
         type == HM_JOURNAL_RECORD_SLOT;
}

guint32
_hm_journal_record_crc (const Record *record,
                        const guint8 *data)
{
  Record copy = *record;
  guint32 crc;

  copy.crc = 0;
  crc = hm_crc32_update (0, &copy, sizeof copy);
  if (_hm_journal_record_has_data (record->type))
    crc = hm_crc32_update (crc, data, (gsize) record->length);
  return crc;
}

static gboolean
journal_error (HmSaveJournal *journal,
               int            saved_errno,
               GError       **error)
{
  _hm_document_set_errno_error (error, saved_errno,
                                _("Cannot write the save journal of “%s” (%s), which keeps the file "
                                  "safe if the save is interrupted"),
                                journal->display_name, journal->path);
  return FALSE;
}

HmSaveJournal *
hm_save_journal_begin (int                fd,
                       const struct stat *st,
                       const char        *path,
                       const char        *display_name,
                       guint64            size_before,
                       guint64            size_after,
                       GError           **error)
{
  g_autoptr(HmSaveJournal) journal = g_new0 (HmSaveJournal, 1);
  g_autofree char *dir = journal_dir ();
  Header header = { MAGIC, VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
  gsize path_length = MIN (strlen (path), (gsize) PATH_MAX_LEN);

  journal->fd = -1;
  journal->path = hm_save_journal_path_for (st->st_dev, st->st_ino);
  journal->display_name = g_strdup (display_name);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      journal_error (journal, errno, error);
      return NULL;
    }
  journal->fd = open (journal->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (journal->fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == EEXIST)
        {
          g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_INTERRUPTED_SAVE,
                       _("An interrupted save of “%s” was found (or another save of it is "
                         "running); run “hexmap-cli recover %s” first"), display_name, path);
          g_clear_pointer (&journal->path, g_free);  /* not ours to remove */
          return NULL;
        }
      journal_error (journal, saved_errno, error);
      return NULL;
    }

  header.path_length = (guint32) path_length;
  header.dev = (guint64) st->st_dev;
  header.ino = (guint64) st->st_ino;
  header.size_before = size_before;
  header.size_after = size_after;
  header.mtime_sec = (gint64) st->st_mtim.tv_sec;
  header.mtime_nsec = (gint64) st->st_mtim.tv_nsec;
  birth_time (fd, NULL, &header.btime_sec, &header.btime_nsec);
  header.crc = hm_crc32_update (hm_crc32_update (0, &header, sizeof header), path, path_length);

  journal->buffer = g_malloc (sizeof (Record) + RECORD_MAX);
  memcpy (journal->buffer, &header, sizeof header);
  memcpy (journal->buffer + sizeof header, path, path_length);
  if (!hm_file_write_all (journal->fd, journal->buffer, sizeof header + path_length))
    {
      journal_error (journal, errno, error);
      return NULL;
    }
  return g_steal_pointer (&journal);
}

static gboolean
append_record (HmSaveJournal *journal,
               guint32        type,
               guint64        offset,
               guint64        length,
               GError       **error)
{
  Record record = { type, 0, offset, length };
  gsize data_length = _hm_journal_record_has_data (type) ? (gsize) length : 0;

  record.crc = _hm_journal_record_crc (&record, journal->buffer + sizeof record);
  memcpy (journal->buffer, &record, sizeof record);
  if (!hm_file_write_all (journal->fd, journal->buffer, sizeof record + data_length))
    return journal_error (journal, errno, error);
  return TRUE;
}

/* Appends a record of any type with @length bytes of @data (at most
 * HM_JOURNAL_RECORD_MAX) for the structural save. */
gboolean
_hm_save_journal_append (HmSaveJournal *journal,
                         guint32        type,
                         guint64        offset,
                         const void    *data,
                         guint64        length,
                         GError       **error)
{
  g_assert (!_hm_journal_record_has_data (type) || length <= RECORD_MAX);
  if (_hm_journal_record_has_data (type) && length > 0)
    memcpy (journal->buffer + sizeof (Record), data, (gsize) length);
  return append_record (journal, type, offset, length, error);
}

int
_hm_save_journal_get_fd (HmSaveJournal *journal)
{
  return journal->fd;
}

const char *
_hm_save_journal_get_path (HmSaveJournal *journal)
{
  return journal->path;
}

/* The structural save finished: the journal is complete and gets removed. */
void
_hm_save_journal_forget (HmSaveJournal *journal)
{
  remove_journal (journal);
}

/* Records the current bytes of [offset, offset + length) of @fd: data as data,
 * holes as holes. Bytes past the end of the file are not recorded: restoring
 * the size takes care of them. */
gboolean
hm_save_journal_record (HmSaveJournal *journal,
                        int            fd,
                        guint64        offset,
                        guint64        length,
                        GError       **error)
{
  guint64 end = offset + length;
  guint64 pos = offset;

  while (pos < end)
    {
      off_t data = lseek (fd, (off_t) pos, SEEK_DATA);
      guint64 data_end;

      if (data < 0 && errno == ENXIO)
        return append_record (journal, RECORD_HOLE, pos, end - pos, error);
      if (data < 0)
        {
          data = (off_t) pos;  /* no hole information (a block device): all data */
          data_end = end;
        }
      else
        {
          off_t hole = lseek (fd, data, SEEK_HOLE);

          data_end = hole < 0 || hole <= data ? end : MIN ((guint64) hole, end);
        }
      if ((guint64) data >= end)
        return append_record (journal, RECORD_HOLE, pos, end - pos, error);
      if ((guint64) data > pos)
        {
          if (!append_record (journal, RECORD_HOLE, pos, (guint64) data - pos, error))
            return FALSE;
          pos = (guint64) data;
        }

      while (pos < data_end)
        {
          gsize n = (gsize) MIN (data_end - pos, (guint64) RECORD_MAX);
          ssize_t got = pread (fd, journal->buffer + sizeof (Record), n, (off_t) pos);

          if (got < 0)
            {
              if (errno == EINTR)
                continue;
              _hm_document_set_errno_error (error, errno, _("Cannot read “%s” at 0x%" PRIx64),
                                            journal->display_name, pos);
              return FALSE;
            }
          if (got == 0)
            return TRUE;  /* the end of the file */
          if (!append_record (journal, RECORD_DATA, pos, (guint64) got, error))
            return FALSE;
          pos += (guint64) got;
        }
    }
  return TRUE;
}

gboolean
hm_save_journal_sync (HmSaveJournal *journal,
                      GError       **error)
{
  if (fsync (journal->fd) != 0)
    return journal_error (journal, errno, error);
  if (!journal->dir_synced)
    {
      sync_dir_of (journal->path);
      journal->dir_synced = TRUE;
    }
  return TRUE;
}

static void
remove_journal (HmSaveJournal *journal)
{
  g_unlink (journal->path);
  sync_dir_of (journal->path);
  journal->done = TRUE;
}

gboolean
hm_save_journal_commit (HmSaveJournal *journal,
                        GError       **error)
{
  /* The marker lets recovery tell "the file is new" from "the file may be
   * torn" if the unlink below does not survive a crash. */
  if (!append_record (journal, RECORD_COMMITTED, 0, 0, error))
    return FALSE;
  if (fdatasync (journal->fd) != 0)
    return journal_error (journal, errno, error);
  remove_journal (journal);
  return TRUE;
}

/* Reads the header; FALSE with no error when the journal is empty or shorter
 * than a header (the crash came while creating it: nothing was stored yet). */
static gboolean
read_header (int         jfd,
             const char *display_name,
             const char *journal_path,
             Header     *header,
             char      **path_out,
             GError    **error)
{
  g_autofree char *path = NULL;
  guint32 crc;
  Header copy;

  if (pread (jfd, header, sizeof *header, 0) != (ssize_t) sizeof *header)
    return FALSE;
  if (memcmp (header->magic, MAGIC, sizeof header->magic) != 0 || header->version != VERSION ||
      header->path_length > PATH_MAX_LEN)
    goto bad;
  path = g_malloc (header->path_length + 1);
  if (pread (jfd, path, header->path_length, sizeof *header) != (ssize_t) header->path_length)
    return FALSE;
  copy = *header;
  copy.crc = 0;
  crc = hm_crc32_update (hm_crc32_update (0, &copy, sizeof copy), path, header->path_length);
  if (crc != header->crc)
    goto bad;
  if (path_out != NULL)
    {
      path[header->path_length] = '\0';
      *path_out = g_steal_pointer (&path);
    }
  return TRUE;

bad:
  g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_INTERRUPTED_SAVE,
               _("The save journal of “%s” (%s) is damaged; it was left alone"),
               display_name, journal_path);
  return FALSE;
}

/* Applies the journal in @jfd to @fd unless it is committed. */
static gboolean
apply (int               jfd,
       int               fd,
       const char       *display_name,
       const char       *journal_path,
       gboolean         *committed,
       gboolean         *empty,
       GError          **error)
{
  g_autofree guint8 *data = g_malloc (RECORD_MAX);
  g_autoptr(GArray) records = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GError) local = NULL;
  gboolean structural = FALSE;
  struct stat st;
  Header header;
  guint64 pos;

  *committed = FALSE;
  *empty = FALSE;
  if (!read_header (jfd, display_name, journal_path, &header, NULL, &local))
    {
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      *empty = TRUE;
      return TRUE;
    }
  if (fstat (fd, &st) != 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot check “%s”"), display_name);
      return FALSE;
    }
  if (header.dev != (guint64) st.st_dev || header.ino != (guint64) st.st_ino)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_INTERRUPTED_SAVE,
                   _("The save journal %s does not belong to “%s”"), journal_path, display_name);
      return FALSE;
    }

  /* Pass 1: the valid records, up to a torn tail. */
  pos = sizeof header + header.path_length;
  for (;;)
    {
      Record record;

      if (pread (jfd, &record, sizeof record, (off_t) pos) != (ssize_t) sizeof record)
        break;
      if (_hm_journal_record_has_data (record.type) && record.type != HM_JOURNAL_RECORD_SLOT)
        {
          if (record.length == 0 || record.length > RECORD_MAX ||
              pread (jfd, data, (gsize) record.length, (off_t) (pos + sizeof record)) !=
                (ssize_t) record.length)
            break;
        }
      else if (record.type != RECORD_HOLE && record.type != RECORD_COMMITTED &&
               record.type != HM_JOURNAL_RECORD_NO_RETURN)
        break;
      if (_hm_journal_record_crc (&record, data) != record.crc)
        break;
      if (record.type == RECORD_COMMITTED)
        {
          *committed = TRUE;
          return TRUE;
        }
      if (record.type == HM_JOURNAL_RECORD_NO_RETURN)
        {
          /* A structural save past its point of no return: finish it. */
          if (!_hm_structural_save_resume (jfd, fd, sizeof header + header.path_length, display_name,
                                           journal_path, NULL, NULL, error))
            return FALSE;
          *committed = TRUE;
          return TRUE;
        }
      if (record.type == HM_JOURNAL_RECORD_PLAN)
        structural = TRUE;
      if (record.type == RECORD_DATA || record.type == RECORD_HOLE)
        g_array_append_val (records, pos);
      pos += sizeof record + (_hm_journal_record_has_data (record.type) ? record.length : 0);
    }

  /* Pass 2: newest first, so the oldest bytes of a range recorded twice win. */
  for (guint i = records->len; i-- > 0;)
    {
      Record record;

      pos = g_array_index (records, guint64, i);
      if (pread (jfd, &record, sizeof record, (off_t) pos) != (ssize_t) sizeof record)
        goto read_failed;
      if (record.type == RECORD_DATA)
        {
          if (pread (jfd, data, (gsize) record.length, (off_t) (pos + sizeof record)) !=
              (ssize_t) record.length)
            goto read_failed;
          if (!_hm_journal_pwrite_all (fd, data, (gsize) record.length, record.offset))
            goto write_failed;
        }
      else if (fallocate (fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                          (off_t) record.offset, (off_t) record.length) != 0)
        {
          /* No holes here: zeros read the same. */
          memset (data, 0, RECORD_MAX);
          for (guint64 done = 0; done < record.length;)
            {
              gsize n = (gsize) MIN (record.length - done, (guint64) RECORD_MAX);

              if (!_hm_journal_pwrite_all (fd, data, n, record.offset + done))
                goto write_failed;
              done += n;
            }
        }
    }

  if (S_ISREG (st.st_mode))
    {
      struct timespec times[2] = { { 0, UTIME_OMIT },
                                   { (time_t) header.mtime_sec, (long) header.mtime_nsec } };

      /* A structural save may have reserved space past the end: growing by
       * one byte and shrinking back releases it. */
      if (structural && ftruncate (fd, (off_t) header.size_before + 1) != 0)
        goto write_failed;
      if ((structural || (guint64) st.st_size != header.size_before) &&
          ftruncate (fd, (off_t) header.size_before) != 0)
        goto write_failed;
      futimens (fd, times);
    }
  if (fsync (fd) != 0)
    goto write_failed;
  return TRUE;

read_failed:
  _hm_document_set_errno_error (error, errno != 0 ? errno : EIO,
                                _("Cannot read the save journal %s"), journal_path);
  return FALSE;
write_failed:
  _hm_document_set_errno_error (error, errno, _("Cannot restore “%s” from its save journal"),
                                display_name);
  return FALSE;
}

gboolean
hm_save_journal_roll_back (HmSaveJournal *journal,
                           int            fd,
                           GError       **error)
{
  gboolean committed;
  gboolean empty;

  if (!apply (journal->fd, fd, journal->display_name, journal->path, &committed, &empty, error))
    return FALSE;
  remove_journal (journal);
  return TRUE;
}

void
hm_save_journal_close (HmSaveJournal *journal)
{
  if (journal == NULL)
    return;
  if (journal->fd >= 0)
    close (journal->fd);
  g_free (journal->path);
  g_free (journal->display_name);
  g_free (journal->buffer);
  g_free (journal);
}

gboolean
hm_save_journal_recover (int               fd,
                         const char       *display_name,
                         HmRecoverOutcome *outcome,
                         GError          **error)
{
  g_autofree char *path = NULL;
  gboolean committed;
  gboolean empty;
  struct stat st;
  int jfd;

  *outcome = HM_RECOVER_NOTHING;
  if (fstat (fd, &st) != 0)
    {
      _hm_document_set_errno_error (error, errno, _("Cannot check “%s”"), display_name);
      return FALSE;
    }
  path = hm_save_journal_path_for (st.st_dev, st.st_ino);
  /* Read-write: rolling a structural save forward records its progress. */
  jfd = open (path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (jfd < 0 && errno == EACCES)
    jfd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (jfd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      _hm_document_set_errno_error (error, errno, _("Cannot read the save journal %s"), path);
      return FALSE;
    }
  if (!apply (jfd, fd, display_name, path, &committed, &empty, error))
    {
      close (jfd);
      return FALSE;
    }
  close (jfd);
  g_unlink (path);
  sync_dir_of (path);
  /* An empty journal: the save died creating it, before any store, so the
   * file is as before that save too. */
  *outcome = committed ? HM_RECOVER_COMPLETED : HM_RECOVER_ROLLED_BACK;
  return TRUE;
}

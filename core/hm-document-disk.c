/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmDocument and the file on disk: what we expect the file to look like, and
 * whether another program changed it behind our back. Two questions, asked at
 * two moments:
 *
 * Before the file is written (a commit, a direct save, carrying preview edits
 * into the file), the conflict check compares the open file with what we
 * expect. baseline_stat is the file as opened or last saved; expected_stat is
 * that plus the effects of our own writes (a direct-mode store moves mtime on
 * ext4; a failed commit may have preallocated blocks), so our own writes are
 * never mistaken for another program's.
 *
 * While the user looks at it, the disk monitor (hm_document_watch_disk()) tells
 * when the file at the path changed: a GFileMonitor event makes it stat the
 * path and compare size and mtime with the state last recorded. Every write of
 * our own (direct stores, saves, a refresh) records the state anew, so only
 * other programs' changes are reported, once each. Where the storage may stall
 * the stat runs on a worker, one at a time: a request that comes while one runs
 * waits for it, and a record requested meanwhile makes its answer be taken
 * silently (it may predate our write).
 */
#include "config.h"

#include "hm-document-private.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>

/* What a stat of the path is for. */
enum
{
  DISK_RECORD = 1 << 0,  /* our own write: take what it shows as the new state */
  DISK_CHECK  = 1 << 1,  /* a monitor event: report what changed */
};

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

/* ---- The disk monitor ---- */

static gint64
mtime_usec (const struct timespec *mtime)
{
  return (gint64) mtime->tv_sec * G_USEC_PER_SEC + mtime->tv_nsec / 1000;
}

/* Remembers what the path showed: @st, or nothing if the stat failed. */
static void
set_disk_state (HmDocument        *self,
                const struct stat *st)
{
  gint64 before = hm_document_get_disk_mtime (self);

  self->disk_known = st != NULL;
  self->disk_gone = FALSE;
  if (st != NULL)
    {
      self->disk_size = (guint64) st->st_size;
      self->disk_mtime = st->st_mtim;
    }
  if (hm_document_get_disk_mtime (self) != before)
    _hm_document_notify (self, "disk-mtime");
}

/* Direct-mode stores move the mtime too, but every one of ours records the
 * state (_hm_document_disk_record()), so another mtime is another program's.
 * Not on network and FUSE mounts: the server moves it whenever it writes our
 * pages back, so there only a new size tells. */
static gboolean
mtime_is_comparable (HmDocument *self)
{
  return self->mode != HM_DOCUMENT_MODE_DIRECT ||
         (self->fs_kind != HM_FS_KIND_NETWORK && self->fs_kind != HM_FS_KIND_FUSE);
}

/* A stat of the path is back (@st is NULL if it failed): record or compare. */
static void
disk_stat_done (HmDocument        *self,
                guint              what,
                const struct stat *st)
{
  gboolean same_time;

  if (what & DISK_RECORD)
    {
      set_disk_state (self, st);
      return;
    }

  /* A save in progress writes the file: its end records the state. */
  if (self->busy)
    return;

  if (st == NULL)
    {
      if (!self->disk_gone)
        {
          self->disk_gone = TRUE;
          _hm_document_emit_disk_changed (self, HM_DISK_CHANGE_DELETED, 0);
        }
      return;
    }

  same_time = st->st_mtim.tv_sec == self->disk_mtime.tv_sec &&
              st->st_mtim.tv_nsec == self->disk_mtime.tv_nsec;
  if (self->disk_known && !self->disk_gone && (guint64) st->st_size == self->disk_size &&
      (same_time || !mtime_is_comparable (self)))
    return;

  /* One notice per outside change: the next event compares with this state. */
  set_disk_state (self, st);
  _hm_document_emit_disk_changed (self, HM_DISK_CHANGE_MODIFIED, (guint64) st->st_size);
}

typedef struct
{
  gboolean    ok;
  struct stat st;
} DiskStat;

static void
disk_stat_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  DiskStat *result = g_new0 (DiskStat, 1);

  result->ok = stat (task_data, &result->st) == 0;
  g_task_return_pointer (task, result, g_free);
}

static void disk_request (HmDocument *self,
                          guint       what);

/* No source object on the task: its last reference may go in the worker, and
 * the document must not be finalized there. A weak reference instead. */
static void
disk_stat_done_cb (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HmDocument) self = g_weak_ref_get (user_data);
  g_autofree DiskStat *answer = g_task_propagate_pointer (G_TASK (result), NULL);
  guint what;
  guint next;

  g_weak_ref_clear (user_data);
  g_free (user_data);
  if (self == NULL)
    return;

  what = self->disk_inflight;
  self->disk_inflight = 0;
  disk_stat_done (self, what, answer->ok ? &answer->st : NULL);

  /* A record makes a check that waited for it pointless: one stat does both. */
  next = self->disk_next;
  self->disk_next = 0;
  if (next & DISK_RECORD)
    disk_request (self, DISK_RECORD);
  else if (next & DISK_CHECK)
    disk_request (self, DISK_CHECK);
}

static void
disk_request (HmDocument *self,
              guint       what)
{
  if (!self->watching || (what == DISK_CHECK && self->busy))
    return;

  if (self->disk_inflight != 0)
    {
      /* The running stat may predate our write: take its answer silently. */
      if (what == DISK_RECORD)
        self->disk_inflight |= DISK_RECORD;
      self->disk_next |= what;
      return;
    }

  if (self->may_stall)
    {
      g_autoptr(GTask) task = NULL;
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      g_weak_ref_init (ref, self);
      task = g_task_new (NULL, NULL, disk_stat_done_cb, ref);
      g_task_set_source_tag (task, disk_request);
      g_task_set_task_data (task, g_strdup (self->path), g_free);
      self->disk_inflight = what;
      g_task_run_in_thread (task, disk_stat_thread);
    }
  else
    {
      struct stat st;

      disk_stat_done (self, what, stat (self->path, &st) == 0 ? &st : NULL);
    }
}

/* After our own writes to the file (direct stores, saves, a refresh): look at
 * it again, so the monitor does not report them. */
void
_hm_document_disk_record (HmDocument *self)
{
  disk_request (self, DISK_RECORD);
}

/* The monitor saw an event: see whether the file changed, and report it. Also
 * called directly by the tests, for a deterministic "nothing changed". */
void
_hm_document_check_disk (HmDocument *self)
{
  g_autoptr(HmDocument) hold = g_object_ref (self);  /* a handler may drop the last one */

  disk_request (self, DISK_CHECK);
}

/* For tests: TRUE when no stat is running or waiting to run. */
gboolean
_hm_document_disk_is_settled (HmDocument *self)
{
  return self->disk_inflight == 0 && self->disk_next == 0;
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    gpointer           user_data)
{
  /* Any event may mean new contents, a new size or a file that is gone; stat says which. */
  if (event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT || event == G_FILE_MONITOR_EVENT_UNMOUNTED)
    return;
  _hm_document_check_disk (user_data);
}

/**
 * hm_document_watch_disk:
 * @self: a #HmDocument
 *
 * Starts telling when another program changes or removes the file: emits
 * #HmDocument::disk-changed once per such change, and keeps
 * #HmDocument:disk-mtime up to date. The document's own writes (direct-mode
 * stores, saves, hm_document_refresh()) are never reported, nor is anything
 * while a save runs. On network and FUSE mounts a change of mtime alone is not
 * reported in direct mode (the server moves it when it writes our pages back).
 * Where the storage may stall (#HmDocument:may-stall) the file is looked at on
 * a worker thread.
 *
 * Events arrive on the thread-default main context of the caller. Only regular
 * files are watched; calling it again does nothing.
 */
void
hm_document_watch_disk (HmDocument *self)
{
  g_autoptr(GFile) file = NULL;

  g_return_if_fail (HM_IS_DOCUMENT (self));

  if (self->watching || self->kind != HM_FILE_KIND_REGULAR)
    return;

  self->watching = TRUE;
  _hm_document_disk_record (self);

  file = g_file_new_for_path (self->path);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (monitor_changed_cb), self);
}

/**
 * hm_document_get_disk_mtime:
 * @self: a #HmDocument
 *
 * The modification time of the file as last seen: when it was opened, and
 * while it is watched (hm_document_watch_disk()) after every change ours or
 * another program's.
 *
 * Returns: microseconds since the epoch, or -1 if unknown (not a regular file,
 *   or the path named no file when last looked at)
 */
gint64
hm_document_get_disk_mtime (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), -1);

  return self->disk_known ? mtime_usec (&self->disk_mtime) : -1;
}

/* At open: the file as just opened is the state last seen. */
void
_hm_document_disk_init (HmDocument        *self,
                        const struct stat *st)
{
  self->disk_known = self->kind == HM_FILE_KIND_REGULAR;
  if (self->disk_known)
    {
      self->disk_size = (guint64) st->st_size;
      self->disk_mtime = st->st_mtim;
    }
}

void
_hm_document_disk_finalize (HmDocument *self)
{
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->monitor, monitor_changed_cb, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
}

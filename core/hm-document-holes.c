/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The hole map of HmDocument: which runs of the file are holes (they read as
 * zeros and have no disk blocks) and which hold data.
 *
 * Built from SEEK_DATA/SEEK_HOLE on first use, outside the lock (it is I/O, and
 * slow on a network mount), and dropped whenever the size changes. Edits that
 * land in a hole are remembered as marks and turn the hole into data, so reads
 * go through the windows there and see the edit; the marks outlive rescans and
 * are forgotten when the windows holding the edits are dropped.
 *
 * Everything here is safe to call from any thread (self->lock). The first use
 * scans the file, which takes long on a big sparse file and can stall on a
 * network or FUSE mount: the _async variants at the end do it on a worker.
 */
#include "config.h"

#include "hm-document-private.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_EXTENTS (1u << 20)

static void
append_extent (GArray  *extents,
               guint64  offset,
               guint64  length,
               gboolean is_hole)
{
  HmExtent e = { offset, length, is_hole };

  if (length == 0)
    return;
  if (extents->len > 0)
    {
      HmExtent *last = &g_array_index (extents, HmExtent, extents->len - 1);

      if (last->is_hole == is_hole && last->offset + last->length == offset)
        {
          last->length += length;
          return;
        }
    }
  g_array_append_val (extents, e);
}

static GArray *
scan_extents (int        fd,
              HmFileKind kind,
              guint64    size)
{
  GArray *extents = g_array_new (FALSE, FALSE, sizeof (HmExtent));
  guint64 pos = 0;

  guint64 scan_end = size;
  struct stat st;

  if (kind == HM_FILE_KIND_ZERO_DEVICE)
    {
      append_extent (extents, 0, size, TRUE);
      return extents;
    }

  /* If the file shrank behind our back, SEEK_DATA past its new end says ENXIO,
   * which would look like a hole: zeros, no fault, a truncation nobody notices.
   * Show that tail as data instead, so whoever reads it faults and learns. */
  if (kind == HM_FILE_KIND_REGULAR && fstat (fd, &st) == 0 && (guint64) st.st_size < size)
    scan_end = (guint64) st.st_size;

  while (pos < scan_end)
    {
      off_t data = lseek (fd, (off_t) pos, SEEK_DATA);
      off_t hole;

      if (data < 0)
        {
          /* ENXIO: only a hole remains. Anything else: holes are not supported here. */
          append_extent (extents, pos, scan_end - pos, errno == ENXIO);
          break;
        }
      if ((guint64) data >= scan_end)
        {
          append_extent (extents, pos, scan_end - pos, TRUE);
          break;
        }
      append_extent (extents, pos, (guint64) data - pos, TRUE);

      hole = lseek (fd, data, SEEK_HOLE);
      if (hole < 0 || (guint64) hole > scan_end)
        hole = (off_t) scan_end;
      if (hole <= data)
        hole = (off_t) scan_end;  /* a filesystem that lies: treat the rest as data */
      if (extents->len >= MAX_EXTENTS)
        hole = (off_t) scan_end;
      append_extent (extents, (guint64) data, (guint64) (hole - data), FALSE);
      pos = (guint64) hole;
    }
  append_extent (extents, scan_end, size - scan_end, FALSE);

  return extents;
}

/* Returns @extents with [offset, offset + length) turned from hole into data. */
static GArray *
split_holes (GArray  *extents,
             guint64  offset,
             guint64  length)
{
  GArray *rebuilt = g_array_sized_new (FALSE, FALSE, sizeof (HmExtent), extents->len + 2);
  guint64 end = offset + length;

  for (guint i = 0; i < extents->len; i++)
    {
      HmExtent e = g_array_index (extents, HmExtent, i);
      guint64 e_end = e.offset + e.length;

      if (!e.is_hole || e_end <= offset || e.offset >= end)
        {
          append_extent (rebuilt, e.offset, e.length, e.is_hole);
          continue;
        }
      append_extent (rebuilt, e.offset, MAX (e.offset, offset) - e.offset, TRUE);
      append_extent (rebuilt, MAX (e.offset, offset), MIN (e_end, end) - MAX (e.offset, offset), FALSE);
      append_extent (rebuilt, MIN (e_end, end), e_end - MIN (e_end, end), TRUE);
    }
  g_array_unref (extents);
  return rebuilt;
}

/* Called with the lock held; may drop and retake it. The file's holes, minus the ones our pending
 * stores filled: those must be read through the windows, or the edits would
 * read as zeros (and a commit would write zeros). */
static GArray *
ensure_extents (HmDocument *self)
{
  /* The scan is I/O (slow on a network mount): do it without the lock, so the
   * main thread's hm_document_get_size() never waits for a worker's scan. */
  while (self->extents == NULL)
    {
      guint64 size = self->size;
      GArray *scanned;

      g_mutex_unlock (&self->lock);
      scanned = scan_extents (self->fd, self->kind, size);
      g_mutex_lock (&self->lock);

      if (self->extents != NULL || self->size != size)
        {
          g_array_unref (scanned);  /* someone was quicker, or the size moved: again */
          continue;
        }

      self->extents = scanned;
      for (guint i = 0; i < self->marks->len; i++)
        {
          const HmRange *r = &g_array_index (self->marks, HmRange, i);

          if (r->offset < self->size)
            self->extents = split_holes (self->extents, r->offset,
                                         MIN (r->length, self->size - r->offset));
        }
    }
  return self->extents;
}

/* Index of the extent containing @offset (< size), by binary search. */
static guint
find_extent (GArray  *extents,
             guint64  offset)
{
  guint lo = 0, hi = extents->len;

  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (extents, HmExtent, mid).offset <= offset)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

/**
 * hm_document_is_hole:
 * @self: a #HmDocument
 * @offset: an offset below the size
 * @run_end: (out) (optional): the end of the hole or data run containing @offset
 *
 * Returns: %TRUE if @offset lies in a hole (it reads as zero and has no disk block)
 */
gboolean
hm_document_is_hole (HmDocument *self,
                     guint64     offset,
                     guint64    *run_end)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  if (_hm_document_is_structural (self))
    {
      /* The run holding @offset, looked for in growing spans of the content */
      guint64 size = hm_document_get_size (self);
      guint64 span = 1024 * 1024;

      if (offset >= size)
        {
          if (run_end != NULL)
            *run_end = size;
          return FALSE;
        }
      for (;;)
        {
          g_autoptr(GArray) runs = _hm_document_content_extents (self, offset, span);
          const HmExtent *first = &g_array_index (runs, HmExtent, 0);

          if (runs->len > 1 || first->offset + first->length >= size)
            {
              if (run_end != NULL)
                *run_end = first->offset + first->length;
              return first->is_hole;
            }
          span *= 4;
        }
    }
  return _hm_document_file_is_hole (self, offset, run_end);
}

gboolean
_hm_document_file_is_hole (HmDocument *self,
                           guint64     offset,
                           guint64    *run_end)
{
  GArray *extents;
  gboolean is_hole = FALSE;
  guint64 end;

  g_mutex_lock (&self->lock);
  extents = ensure_extents (self);
  end = self->size;
  if (offset < self->size && extents->len > 0)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, find_extent (extents, offset));

      is_hole = e->is_hole;
      end = e->offset + e->length;
    }
  g_mutex_unlock (&self->lock);

  if (run_end != NULL)
    *run_end = end;
  return is_hole;
}

/**
 * hm_document_get_extents:
 * @self: a #HmDocument
 * @offset: start of the range
 * @length: length of the range (clipped to the file)
 *
 * Returns: (transfer full) (element-type HmExtent): the holes and data runs that
 *   cover the range, clipped to it
 */
GArray *
hm_document_get_extents (HmDocument *self,
                         guint64     offset,
                         guint64     length)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);

  if (_hm_document_is_structural (self))
    return _hm_document_content_extents (self, offset, length);
  return _hm_document_file_extents (self, offset, length);
}

GArray *
_hm_document_file_extents (HmDocument *self,
                           guint64     offset,
                           guint64     length)
{
  GArray *result = g_array_new (FALSE, FALSE, sizeof (HmExtent));
  GArray *extents;
  guint64 end;

  g_mutex_lock (&self->lock);
  extents = ensure_extents (self);
  end = offset + MIN (length, self->size > offset ? self->size - offset : 0);
  if (offset < end)
    {
      for (guint i = find_extent (extents, offset); i < extents->len; i++)
        {
          HmExtent e = g_array_index (extents, HmExtent, i);
          guint64 e_end = e.offset + e.length;

          if (e.offset >= end)
            break;
          e.offset = MAX (e.offset, offset);
          e.length = MIN (e_end, end) - e.offset;
          g_array_append_val (result, e);
        }
    }
  g_mutex_unlock (&self->lock);

  return result;
}

/* Finds the first run of the wanted kind that starts after @offset (forward) or
 * the last one that starts before it (backward). */
static gboolean
find_run_start (HmDocument *self,
                guint64     offset,
                gboolean    want_hole,
                gboolean    forward,
                guint64    *result)
{
  GArray *extents;
  gboolean found = FALSE;

  if (_hm_document_is_structural (self))
    {
      guint64 size = hm_document_get_size (self);
      g_autoptr(GArray) runs = forward ? _hm_document_content_extents (self, offset, size - MIN (offset, size))
                                       : _hm_document_content_extents (self, 0, MIN (offset, size));

      for (guint k = 0; k < runs->len && !found; k++)
        {
          const HmExtent *e = &g_array_index (runs, HmExtent, forward ? k : runs->len - 1 - k);

          if (e->is_hole == want_hole && (forward ? e->offset > offset : e->offset < offset))
            {
              *result = e->offset;
              found = TRUE;
            }
        }
      return found;
    }

  g_mutex_lock (&self->lock);
  extents = ensure_extents (self);
  if (extents->len > 0)
    {
      guint here = offset < self->size ? find_extent (extents, offset) : extents->len - 1;

      if (forward)
        {
          for (guint i = here; i < extents->len && !found; i++)
            {
              const HmExtent *e = &g_array_index (extents, HmExtent, i);

              if (e->is_hole == want_hole && e->offset > offset)
                {
                  *result = e->offset;
                  found = TRUE;
                }
            }
        }
      else
        {
          for (guint i = here + 1; i-- > 0 && !found;)
            {
              const HmExtent *e = &g_array_index (extents, HmExtent, i);

              if (e->is_hole == want_hole && e->offset < offset)
                {
                  *result = e->offset;
                  found = TRUE;
                }
            }
        }
    }
  g_mutex_unlock (&self->lock);
  return found;
}

/**
 * hm_document_next_data:
 * @self: a #HmDocument
 * @offset: where to start
 * @result: (out): the first byte of the next data run
 *
 * For "next data" navigation in sparse files: the start of the first data run
 * that begins after @offset.
 *
 * Returns: %FALSE if there is none
 */
gboolean
hm_document_next_data (HmDocument *self,
                       guint64     offset,
                       guint64    *result)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  return find_run_start (self, offset, FALSE, TRUE, result);
}

/**
 * hm_document_previous_data:
 * @self: a #HmDocument
 * @offset: where to start
 * @result: (out): the first byte of the previous data run
 *
 * The start of the last data run that begins before @offset (the start of the
 * current run when @offset is inside one).
 *
 * Returns: %FALSE if there is none
 */
gboolean
hm_document_previous_data (HmDocument *self,
                           guint64     offset,
                           guint64    *result)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  return find_run_start (self, offset, FALSE, FALSE, result);
}

/**
 * hm_document_next_hole:
 * @self: a #HmDocument
 * @offset: where to start
 * @result: (out): the first byte of the next hole
 *
 * Returns: %FALSE if no hole begins after @offset
 */
gboolean
hm_document_next_hole (HmDocument *self,
                       guint64     offset,
                       guint64    *result)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  return find_run_start (self, offset, TRUE, TRUE, result);
}

guint
hm_document_get_n_holes (HmDocument *self)
{
  GArray *extents;
  guint n = 0;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), 0);

  if (_hm_document_is_structural (self))
    {
      g_autoptr(GArray) runs = _hm_document_content_extents (self, 0, G_MAXUINT64);

      for (guint i = 0; i < runs->len; i++)
        n += g_array_index (runs, HmExtent, i).is_hole ? 1 : 0;
      return n;
    }

  g_mutex_lock (&self->lock);
  extents = ensure_extents (self);
  for (guint i = 0; i < extents->len; i++)
    n += g_array_index (extents, HmExtent, i).is_hole ? 1 : 0;
  g_mutex_unlock (&self->lock);
  return n;
}

guint64
hm_document_get_data_bytes (HmDocument *self)
{
  GArray *extents;
  guint64 n = 0;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), 0);

  if (_hm_document_is_structural (self))
    {
      g_autoptr(GArray) runs = _hm_document_content_extents (self, 0, G_MAXUINT64);

      for (guint i = 0; i < runs->len; i++)
        if (!g_array_index (runs, HmExtent, i).is_hole)
          n += g_array_index (runs, HmExtent, i).length;
      return n;
    }

  g_mutex_lock (&self->lock);
  extents = ensure_extents (self);
  for (guint i = 0; i < extents->len; i++)
    if (!g_array_index (extents, HmExtent, i).is_hole)
      n += g_array_index (extents, HmExtent, i).length;
  g_mutex_unlock (&self->lock);
  return n;
}

/* An edit landed in [offset, offset + length): reads there must go through the
 * windows even where the file has a hole, or they would show zeros. The mark
 * lasts until the windows holding the edit are dropped (commit, discard, mode
 * switch: _hm_document_invalidate_extents()), across refreshes and faults. */
void
_hm_document_mark_data (HmDocument *self,
                        guint64     offset,
                        guint64     length)
{
  HmRange mark = { offset, length };

  g_mutex_lock (&self->lock);
  ensure_extents (self);
  self->extents = split_holes (self->extents, offset, length);
  if (self->marks->len > 0)
    {
      HmRange *last = &g_array_index (self->marks, HmRange, self->marks->len - 1);

      /* Typing runs: extend the last mark instead of adding one per byte. */
      if (offset >= last->offset && offset <= last->offset + last->length)
        {
          last->length = MAX (last->offset + last->length, offset + length) - last->offset;
          g_mutex_unlock (&self->lock);
          return;
        }
    }
  g_array_append_val (self->marks, mark);
  g_mutex_unlock (&self->lock);
}

/* The windows holding edits were dropped: forget the marks, rescan the file. */
void
_hm_document_invalidate_extents (HmDocument *self)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->extents, g_array_unref);
  g_array_set_size (self->marks, 0);
  self->n_hole_replacements = 0;
  g_mutex_unlock (&self->lock);
}

/* ---- Off the main thread ---- */

typedef struct
{
  guint   n_holes;
  guint64 data_bytes;
} HoleCount;

static void
count_holes_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  HmDocument *self = source_object;
  HoleCount *count;
  GArray *extents;

  if (g_task_return_error_if_cancelled (task))
    return;

  count = g_new0 (HoleCount, 1);
  if (_hm_document_is_structural (self))
    {
      count->n_holes = hm_document_get_n_holes (self);
      count->data_bytes = hm_document_get_data_bytes (self);
      g_task_return_pointer (task, count, g_free);
      return;
    }
  g_mutex_lock (&self->lock);
  extents = ensure_extents (self);
  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (e->is_hole)
        count->n_holes++;
      else
        count->data_bytes += e->length;
    }
  g_mutex_unlock (&self->lock);
  g_task_return_pointer (task, count, g_free);
}

/**
 * hm_document_count_holes_async:
 * @self: a #HmDocument
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context when done
 * @user_data: data for @callback
 *
 * hm_document_get_n_holes() and hm_document_get_data_bytes() on a worker
 * thread: the first use of the hole map scans the file, which takes long on a
 * big sparse file and can stall on a network or FUSE mount.
 */
void
hm_document_count_holes_async (HmDocument          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HM_IS_DOCUMENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hm_document_count_holes_async);
  g_task_run_in_thread (task, count_holes_thread);
}

/**
 * hm_document_count_holes_finish:
 * @self: a #HmDocument
 * @result: the #GAsyncResult given to the callback
 * @n_holes: (out) (optional): the number of holes
 * @data_bytes: (out) (optional): the bytes in data runs, i.e. not in holes
 * @error: a #GError, %G_IO_ERROR_CANCELLED if cancelled
 *
 * Returns: %TRUE if the counts were set
 */
gboolean
hm_document_count_holes_finish (HmDocument   *self,
                                GAsyncResult *result,
                                guint        *n_holes,
                                guint64      *data_bytes,
                                GError      **error)
{
  g_autofree HoleCount *count = NULL;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hm_document_count_holes_async, FALSE);

  count = g_task_propagate_pointer (G_TASK (result), error);
  if (count == NULL)
    return FALSE;
  if (n_holes != NULL)
    *n_holes = count->n_holes;
  if (data_bytes != NULL)
    *data_bytes = count->data_bytes;
  return TRUE;
}

typedef struct
{
  guint64 offset;
  guint64 length;
} ExtentsRequest;

static void
get_extents_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  const ExtentsRequest *request = task_data;

  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task,
                         hm_document_get_extents (source_object, request->offset, request->length),
                         (GDestroyNotify) g_array_unref);
}

/**
 * hm_document_get_extents_async:
 * @self: a #HmDocument
 * @offset: start of the range
 * @length: length of the range (clipped to the file)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context when done
 * @user_data: data for @callback
 *
 * hm_document_get_extents() on a worker thread, for the same reason as
 * hm_document_count_holes_async().
 */
void
hm_document_get_extents_async (HmDocument          *self,
                               guint64              offset,
                               guint64              length,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExtentsRequest *request;

  g_return_if_fail (HM_IS_DOCUMENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  request = g_new (ExtentsRequest, 1);
  request->offset = offset;
  request->length = length;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hm_document_get_extents_async);
  g_task_set_task_data (task, request, g_free);
  g_task_run_in_thread (task, get_extents_thread);
}

/**
 * hm_document_get_extents_finish:
 * @self: a #HmDocument
 * @result: the #GAsyncResult given to the callback
 * @error: a #GError, %G_IO_ERROR_CANCELLED if cancelled
 *
 * Returns: (transfer full) (element-type HmExtent) (nullable): as
 *   hm_document_get_extents(), or %NULL with @error set
 */
GArray *
hm_document_get_extents_finish (HmDocument   *self,
                                GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hm_document_get_extents_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Windows are mapped at multiples of the window size (a power of two, at least a
 * page), so each file offset has exactly one window and the cache is a hash table
 * from window index to window. A window is in one of three states:
 *
 *   in use   ref_count > 0: somebody is copying from it; never unmapped
 *   pinned   holds edits that exist nowhere else (preview) or are not yet flushed
 *            (direct); never evicted, only dropped on discard/commit
 *   idle     in the LRU queue; the oldest is unmapped when there are too many
 *
 * Dropping a window (discard, commit, mode switch, truncation) takes it out of the
 * table at once; its mapping goes away when its last user releases it. So a worker
 * thread scanning a window never sees it unmapped under its feet (that would be a
 * SIGSEGV, which no guard can recover).
 *
 * The last page of the largest files. mmap refuses a mapping whose page-rounded end
 * passes the largest file offset (2^63 - 1, the kernel's MAX_LFS_FILESIZE), so the
 * last, partial page of a file that reaches into it (an 8 EiB sparse file on XFS,
 * btrfs or tmpfs) cannot be mapped. The window holding it maps the file up to the
 * last page that can be, and an anonymous page follows with the file's last bytes,
 * read by pread() outside the lock (storage may stall). Readers see one contiguous
 * window as for any other file. The copy does not follow later changes of the file
 * while the window stays cached, and stores into it could never reach the file: a
 * writable shared mapping (direct mode) leaves that page out of its window, so
 * acquiring it fails with an error instead of losing edits.
 */
#include "config.h"

#include "hm-window-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct
{
  HmWindow  pub;
  guint64   index;
  int       ref_count;
  gboolean  pinned;
  gboolean  dropped;
  GList     lru_link;   /* in cache->idle while idle */
} Window;

struct _HmWindowCache
{
  GMutex      mutex;
  gsize       window_size;
  guint       max_idle;
  int         fd;
  int         prot;
  int         flags;
  GHashTable *windows;   /* guint64 index -> Window, not dropped */
  GQueue      idle;      /* head: most recently used */
  guint       n_mapped;  /* including dropped windows still in use */
  guint       n_pinned;
  guint       generation; /* bumped by set_mapping and drops: a window mapped
                           * outside the lock from an older one is stale */
};

static gsize
page_size (void)
{
  return (gsize) sysconf (_SC_PAGESIZE);
}

/* The end of the last whole page that mmap can reach */
static guint64
map_limit (void)
{
  return (guint64) G_MAXINT64 & ~((guint64) page_size () - 1);
}

/**
 * hm_window_cache_layout:
 * @window_size: the cache's window size
 * @offset: any offset below @file_size
 * @file_size: the current size of the file
 * @start: (out): where the window holding @offset starts
 * @length: (out): the bytes it holds: a window, or less at the end of the file
 * @mapped_length: (out): how many of them are mapped from the file; the others, at
 *   most a page's worth past the last page mmap can reach, are read into a copy
 *
 * Where the window holding @offset lies, and how much of it mmap can map.
 */
void
hm_window_cache_layout (gsize    window_size,
                        guint64  offset,
                        guint64  file_size,
                        guint64 *start,
                        gsize   *length,
                        gsize   *mapped_length)
{
  guint64 limit = map_limit ();

  g_return_if_fail (offset < file_size);

  *start = offset / window_size * window_size;
  *length = (gsize) MIN ((guint64) window_size, file_size - *start);
  if (*start >= limit)
    *mapped_length = 0;
  else
    *mapped_length = (gsize) MIN ((guint64) *length, limit - *start);
}

HmWindowCache *
hm_window_cache_new (gsize window_size,
                     guint max_idle)
{
  HmWindowCache *cache;

  g_assert (window_size > 0 && (window_size & (window_size - 1)) == 0);
  g_assert (window_size % (gsize) sysconf (_SC_PAGESIZE) == 0);

  cache = g_new0 (HmWindowCache, 1);
  g_mutex_init (&cache->mutex);
  cache->window_size = window_size;
  cache->max_idle = MAX (max_idle, 1);
  cache->fd = -1;
  cache->prot = PROT_READ;
  cache->flags = MAP_SHARED;
  cache->windows = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_queue_init (&cache->idle);
  return cache;
}

static void
window_unmap (HmWindowCache *cache,
              Window        *w)
{
  g_assert (w->ref_count == 0);
  munmap (w->pub.data, w->pub.length);
  cache->n_mapped--;
  g_free (w);
}

/* Takes @w out of the table (and the idle queue); unmaps it now if nobody uses it. */
static void
window_drop (HmWindowCache *cache,
             Window        *w)
{
  gboolean was_idle = w->ref_count == 0 && !w->pinned;

  if (w->dropped)
    return;
  w->dropped = TRUE;
  g_hash_table_remove (cache->windows, &w->index);
  if (w->pinned)
    {
      w->pinned = FALSE;
      cache->n_pinned--;
    }
  if (was_idle)
    g_queue_unlink (&cache->idle, &w->lru_link);
  if (w->ref_count == 0)
    window_unmap (cache, w);
}

void
hm_window_cache_free (HmWindowCache *cache)
{
  GHashTableIter iter;
  Window *w;

  if (cache == NULL)
    return;

  g_mutex_lock (&cache->mutex);
  g_hash_table_iter_init (&iter, cache->windows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &w))
    {
      /* A window still in use at free time is a bug in the caller. */
      g_assert (w->ref_count == 0);
      g_hash_table_iter_remove (&iter);
      w->dropped = TRUE;
      if (w->pinned)
        cache->n_pinned--;
      else
        g_queue_unlink (&cache->idle, &w->lru_link);
      window_unmap (cache, w);
    }
  g_mutex_unlock (&cache->mutex);

  g_hash_table_unref (cache->windows);
  g_mutex_clear (&cache->mutex);
  g_free (cache);
}

/* Sets how new windows are mapped; drop the old ones first. */
void
hm_window_cache_set_mapping (HmWindowCache *cache,
                             int            fd,
                             int            prot,
                             int            flags)
{
  g_mutex_lock (&cache->mutex);
  cache->fd = fd;
  cache->prot = prot;
  cache->flags = flags;
  cache->generation++;
  g_mutex_unlock (&cache->mutex);
}

static void
trim_idle (HmWindowCache *cache)
{
  while (cache->idle.length > cache->max_idle)
    {
      GList *link = g_queue_pop_tail_link (&cache->idle);
      Window *w = link->data;

      g_hash_table_remove (cache->windows, &w->index);
      w->dropped = TRUE;
      window_unmap (cache, w);
    }
}

static void
set_map_error (GError  **error,
               int       saved_errno,
               gsize     length,
               guint64   offset)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Cannot map %zu bytes at offset 0x%" PRIx64 ": %s"),
               length, offset, g_strerror (saved_errno));
}

/* Maps [start, start + length) of @fd; the bytes past @mapped go into a copy */
static guint8 *
map_window (int       fd,
            int       prot,
            int       flags,
            guint64   start,
            gsize     length,
            gsize     mapped,
            GError  **error)
{
  gsize page = page_size ();
  guint8 *data;
  gsize done;

  if (mapped == length)
    {
      data = mmap (NULL, length, prot, flags, fd, (off_t) start);
      if (data == MAP_FAILED)
        {
          set_map_error (error, errno, length, start);
          return NULL;
        }
      return data;
    }

  /* Reserve the whole window as anonymous memory, then lay the file's pages
   * over its head: the tail page stays anonymous and gets the copy. */
  data = mmap (NULL, (length + page - 1) / page * page, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED)
    {
      set_map_error (error, errno, length, start);
      return NULL;
    }
  if (mapped > 0 && mmap (data, mapped, prot, flags | MAP_FIXED, fd, (off_t) start) == MAP_FAILED)
    {
      set_map_error (error, errno, mapped, start);
      munmap (data, length);
      return NULL;
    }

  for (done = mapped; done < length;)
    {
      gssize got = pread (fd, data + done, length - done, (off_t) (start + done));

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot read %zu bytes at offset 0x%" PRIx64 ": %s"),
                       length - done, start + done, g_strerror (saved_errno));
        }
      else if (got == 0)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("Cannot read %zu bytes at offset 0x%" PRIx64 ": the file ends before them"),
                     length - done, start + done);
      if (got <= 0)
        {
          munmap (data, length);
          return NULL;
        }
      done += (gsize) got;
    }

  /* A read-only window stays read-only, copy included */
  if ((prot & PROT_WRITE) == 0)
    mprotect (data + mapped, length - mapped, PROT_READ);
  return data;
}

/**
 * hm_window_cache_acquire:
 * @offset: any offset below @file_size
 * @file_size: the current size of the file; the window never extends past it
 *
 * Returns the window that contains @offset, mapping it if needed, with a
 * reference the caller must give back with hm_window_cache_release().
 */
HmWindow *
hm_window_cache_acquire (HmWindowCache *cache,
                         guint64        offset,
                         guint64        file_size,
                         HmAccessHint   hint,
                         GError       **error)
{
  guint64 index = offset / cache->window_size;
  guint64 start;
  gsize length;
  gsize mapped;
  gsize want;
  Window *w;
  guint8 *data;

  g_assert (offset < file_size);

  hm_window_cache_layout (cache->window_size, offset, file_size, &start, &length, &mapped);

  g_mutex_lock (&cache->mutex);

again:
  want = length;
  if (mapped < want && (cache->prot & PROT_WRITE) != 0 && (cache->flags & MAP_SHARED) != 0)
    {
      /* Stores into a copy would never reach the file */
      want = mapped;
      if (offset >= start + mapped)
        {
          g_mutex_unlock (&cache->mutex);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("Cannot map the last page of the file, at offset 0x%" PRIx64
                         ", for writing: it lies past the largest offset mmap can reach"),
                       start + mapped);
          return NULL;
        }
    }

  w = g_hash_table_lookup (cache->windows, &index);
  if (w != NULL && w->pub.length < want && !w->pinned)
    {
      /* The file grew since this (last) window was mapped: map it anew. */
      window_drop (cache, w);
      w = NULL;
    }

  if (w == NULL)
    {
      if (mapped == want)
        data = map_window (cache->fd, cache->prot, cache->flags, start, want, mapped, error);
      else
        {
          int fd = cache->fd;
          int prot = cache->prot;
          int flags = cache->flags;
          guint generation = cache->generation;

          /* The copy reads the file: never stall other threads on it */
          g_mutex_unlock (&cache->mutex);
          data = map_window (fd, prot, flags, start, want, mapped, error);
          g_mutex_lock (&cache->mutex);
          if (data != NULL && (generation != cache->generation ||
                               g_hash_table_contains (cache->windows, &index)))
            {
              /* Dropped or remapped meanwhile, or another thread was quicker */
              munmap (data, want);
              goto again;
            }
        }

      if (data == NULL)
        {
          g_mutex_unlock (&cache->mutex);
          return NULL;
        }

      if (hint == HM_ACCESS_SEQUENTIAL)
        madvise (data, want, MADV_SEQUENTIAL);

      w = g_new0 (Window, 1);
      w->pub.offset = start;
      w->pub.length = want;
      w->pub.data = data;
      w->index = index;
      w->lru_link.data = w;
      g_hash_table_insert (cache->windows, &w->index, w);
      cache->n_mapped++;
    }
  else if (w->ref_count == 0 && !w->pinned)
    {
      g_queue_unlink (&cache->idle, &w->lru_link);
    }

  w->ref_count++;
  g_mutex_unlock (&cache->mutex);

  if (hint == HM_ACCESS_SEQUENTIAL && start + cache->window_size < file_size)
    {
      guint64 next = start + cache->window_size;

      /* Start reading the next window ahead while this one is scanned. */
      posix_fadvise (cache->fd, (off_t) next,
                     (off_t) MIN ((guint64) cache->window_size, file_size - next),
                     POSIX_FADV_WILLNEED);
    }

  return &w->pub;
}

void
hm_window_cache_release (HmWindowCache *cache,
                         HmWindow      *window)
{
  Window *w = (Window *) window;

  g_mutex_lock (&cache->mutex);
  g_assert (w->ref_count > 0);
  w->ref_count--;
  if (w->ref_count == 0)
    {
      if (w->dropped)
        window_unmap (cache, w);
      else if (!w->pinned)
        {
          g_queue_push_head_link (&cache->idle, &w->lru_link);
          trim_idle (cache);
        }
    }
  g_mutex_unlock (&cache->mutex);
}

/* Keeps @window mapped until it is dropped: it holds bytes that exist nowhere else. */
void
hm_window_cache_pin (HmWindowCache *cache,
                     HmWindow      *window)
{
  Window *w = (Window *) window;

  g_mutex_lock (&cache->mutex);
  g_assert (w->ref_count > 0);
  if (!w->pinned && !w->dropped)
    {
      w->pinned = TRUE;
      cache->n_pinned++;
    }
  g_mutex_unlock (&cache->mutex);
}

void
hm_window_cache_unpin_all (HmWindowCache *cache)
{
  GHashTableIter iter;
  Window *w;

  g_mutex_lock (&cache->mutex);
  g_hash_table_iter_init (&iter, cache->windows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &w))
    {
      if (!w->pinned)
        continue;
      w->pinned = FALSE;
      cache->n_pinned--;
      if (w->ref_count == 0)
        g_queue_push_tail_link (&cache->idle, &w->lru_link);
    }
  trim_idle (cache);
  g_mutex_unlock (&cache->mutex);
}

/* Drops the windows reaching past @end whose pin state allows it; those in use
 * are unmapped when released. */
static void
drop_where (HmWindowCache *cache,
            gboolean       include_pinned,
            guint64        end)
{
  GHashTableIter iter;
  Window *w;
  g_autoptr(GPtrArray) victims = g_ptr_array_new ();

  g_mutex_lock (&cache->mutex);
  cache->generation++;
  g_hash_table_iter_init (&iter, cache->windows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &w))
    if ((include_pinned || !w->pinned) && w->pub.offset + w->pub.length > end)
      g_ptr_array_add (victims, w);
  for (guint i = 0; i < victims->len; i++)
    window_drop (cache, g_ptr_array_index (victims, i));
  g_mutex_unlock (&cache->mutex);
}

/* Drops every window (or every unpinned one): new reads map the file afresh. */
void
hm_window_cache_drop (HmWindowCache *cache,
                      gboolean       include_pinned)
{
  drop_where (cache, include_pinned, 0);
}

/* After the file shrank: drops the windows that reach past the new end, except
 * pinned ones: they hold edits that exist nowhere else, and reads past the new
 * end are refused by the size check anyway. */
void
hm_window_cache_drop_beyond (HmWindowCache *cache,
                             guint64        file_size)
{
  drop_where (cache, FALSE, file_size);
}

/* Returns the pinned windows, each with a reference (release each one). */
GPtrArray *
hm_window_cache_ref_pinned (HmWindowCache *cache)
{
  GHashTableIter iter;
  Window *w;
  GPtrArray *result = g_ptr_array_new ();

  g_mutex_lock (&cache->mutex);
  g_hash_table_iter_init (&iter, cache->windows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &w))
    {
      if (!w->pinned)
        continue;
      w->ref_count++;
      g_ptr_array_add (result, &w->pub);
    }
  g_mutex_unlock (&cache->mutex);
  return result;
}

guint
hm_window_cache_get_n_mapped (HmWindowCache *cache)
{
  guint n;

  g_mutex_lock (&cache->mutex);
  n = cache->n_mapped;
  g_mutex_unlock (&cache->mutex);
  return n;
}

guint
hm_window_cache_get_n_pinned (HmWindowCache *cache)
{
  guint n;

  g_mutex_lock (&cache->mutex);
  n = cache->n_pinned;
  g_mutex_unlock (&cache->mutex);
  return n;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmReader: reading a document for display without blocking.
 *
 * A view asks, for every frame, for the bytes it shows (hm_reader_fill()) and gets
 * them with a flag per byte: in a hole, unreadable, past the end, or not read yet.
 * Two strategies answer, chosen when the reader is made (the document's
 * "may-stall" property, hm_document_get_may_stall(), says which suits it):
 *
 * Direct, for local storage, where a mapped read takes microseconds: the bytes are
 * read in the call with one guarded hm_document_read(). If that fails the range is
 * read again page by page, the pages that fail are flagged as faults and the
 * others are still shown; the first error is handed to the ready callback (once,
 * until hm_reader_invalidate() or hm_reader_retry()). Nothing is cached.
 *
 * Worker, for network and FUSE mounts, where a read may take a network round trip
 * or never come back (a hung server): what is cached is copied out at once, what
 * is not is marked as loading (the view draws a placeholder) and queued for a
 * worker thread.
 *
 * The queue holds only what the latest frame wants: each fill replaces it, so
 * while the user scrolls, ranges that went off screen are never read. Priorities:
 * the visible chunks, then the next screen (prefetch), then the previous one. The
 * worker reads a run of contiguous chunks with one guarded hm_document_read() and
 * keeps private copies in a small LRU cache (a few screens), so scrolling back is
 * instant; no pointer into mapped memory leaves hm_document_read(). It then wakes
 * the caller with an idle on the main context of the thread that made the reader.
 *
 * A run that fails is read again chunk by chunk, and a failing chunk page by page;
 * the pages that fail stay in the cache marked unreadable, so a dead share is not
 * asked again every frame. hm_reader_retry() forgets them.
 *
 * Edits and refreshes (hm_reader_invalidate()) mark cached chunks stale: they
 * are still shown, and read again; a read that started before the change counts as
 * stale too (a generation counter), so old bytes never win.
 *
 * Shutdown: the worker may be stuck in a read on a hung mount, which no one can
 * interrupt. hm_reader_free() waits briefly for it to leave and otherwise lets
 * it go: the shared state is reference counted, and the worker drops its reference
 * when the read returns; the document is then released on the main context.
 *
 * Scattered ranges. Besides the rows on screen, panels read a few bytes here and
 * there (the bytes at the cursor, the first bytes of a change or of a match, a
 * match to check again after an edit), a few at a time and rarely.
 * hm_reader_read_ranges_async() reads such a batch in GIO's thread pool and hands
 * back copies. Cancelling only skips the ranges not started yet: a read on a hung
 * mount cannot be interrupted. So a caller keeps at most one batch in flight
 * (more would only pile up blocked threads in the shared pool) and drops results
 * it no longer wants. As with the worker, the document is released on the main
 * context of the caller, never finalized on a worker.
 */
#include "config.h"

#include <string.h>

#include "hm-reader.h"

#define CHUNK_SIZE      (16u * 1024u)
#define PAGE_BYTES      4096u
#define MAX_RUN_CHUNKS  16u
#define MIN_CAPACITY    64u
#define FREE_WAIT       (50 * G_TIME_SPAN_MILLISECOND)

typedef enum
{
  PRIORITY_VISIBLE,
  PRIORITY_NEXT,
  PRIORITY_PREVIOUS,
} Priority;

typedef struct
{
  guint64  index;
  Priority priority;
} Want;

typedef struct
{
  guint64  index;       /* the chunk covers [index * CHUNK_SIZE, + CHUNK_SIZE) */
  gboolean stale;
  gboolean has_fault;
  GList    link;        /* in the LRU queue; data points back here */
  guint8   bytes[CHUNK_SIZE];
  guint8   flags[CHUNK_SIZE];
} Chunk;

typedef struct
{
  GMutex                lock;
  GCond                 cond;
  HmDocument           *document;
  GMainContext         *context;
  GThread              *owner;

  /* Under the lock. */
  GHashTable           *chunks;       /* &chunk->index -> Chunk */
  GQueue                lru;          /* most recently used first */
  guint                 capacity;
  GArray               *wanted;       /* Want, in order */
  guint                 generation;
  gboolean              busy;
  guint64               busy_first;
  guint                 busy_n;
  gboolean              quit;
  gboolean              exited;
  gboolean              idle_pending;
  GError               *fault;
  gint                  n_reads;      /* atomic */

  /* On the owner thread only. */
  HmReaderReadyFunc     ready;
  gpointer              user_data;
  gboolean              fault_reported;  /* direct: the ready callback has had one */
} State;

struct _HmReader
{
  State   *state;
  GThread *thread;  /* NULL for direct reads */
};

/* ---- Shared state ---- */

static void
chunk_free (gpointer data)
{
  g_free (data);
}

static gboolean
unref_document_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* Drops a reference to @document on @owner, the thread that took it: the last
 * reference may go on a worker after a read on a hung mount finally returned,
 * and the document's signal handlers belong to the owner. Not through
 * g_main_context_invoke(): a worker whose thread-default context is the global
 * one may acquire it and run the unref itself. */
static void
release_document (HmDocument   *document,
                  GThread      *owner,
                  GMainContext *context)
{
  GSource *source;

  if (g_thread_self () == owner)
    {
      g_object_unref (document);
      return;
    }
  source = g_idle_source_new ();
  g_source_set_callback (source, unref_document_cb, document, NULL);
  g_source_set_static_name (source, "[hexmap] release document");
  g_source_attach (source, context);
  g_source_unref (source);
}

static void
state_clear (gpointer data)
{
  State *state = data;

  g_hash_table_unref (state->chunks);
  g_array_unref (state->wanted);
  g_clear_error (&state->fault);
  g_mutex_clear (&state->lock);
  g_cond_clear (&state->cond);

  /* The last reference may be the worker's. */
  release_document (state->document, state->owner, state->context);
  g_main_context_unref (state->context);
}

static State *
state_ref (State *state)
{
  return g_atomic_rc_box_acquire (state);
}

static void
state_unref (gpointer state)
{
  g_atomic_rc_box_release_full (state, state_clear);
}

/* Called with the lock held. */
static Chunk *
lookup (State   *state,
        guint64  index)
{
  return g_hash_table_lookup (state->chunks, &index);
}

static gboolean
needs_read (State   *state,
            guint64  index)
{
  Chunk *chunk = lookup (state, index);

  return chunk == NULL || chunk->stale;
}

static gboolean
in_flight (State   *state,
           guint64  index)
{
  return state->busy && index >= state->busy_first && index - state->busy_first < state->busy_n;
}

static void
remove_chunk (State *state,
              Chunk *chunk)
{
  g_queue_unlink (&state->lru, &chunk->link);
  g_hash_table_remove (state->chunks, &chunk->index);
}

static void
touch (State *state,
       Chunk *chunk)
{
  g_queue_unlink (&state->lru, &chunk->link);
  g_queue_push_head_link (&state->lru, &chunk->link);
}

/* ---- Main context ---- */

static gboolean
ready_idle_cb (gpointer data)
{
  State *state = data;
  g_autoptr(GError) fault = NULL;

  g_mutex_lock (&state->lock);
  state->idle_pending = FALSE;
  fault = g_steal_pointer (&state->fault);
  g_mutex_unlock (&state->lock);

  if (state->ready != NULL)
    state->ready (fault, state->user_data);
  return G_SOURCE_REMOVE;
}

/* Called with the lock held. */
static void
schedule_ready (State *state)
{
  GSource *source;

  if (state->idle_pending || state->quit)
    return;
  state->idle_pending = TRUE;
  source = g_idle_source_new ();
  /* Before the next frame is laid out and painted. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, ready_idle_cb, state_ref (state), state_unref);
  g_source_set_static_name (source, "[hexmap] reader bytes ready");
  g_source_attach (source, state->context);
  g_source_unref (source);
}

/* ---- The worker ---- */

/* Takes the next run of chunks to read off the wanted list: the first one that
 * needs reading, and those right after it with the same priority. */
static gboolean
take_run (State   *state,
          guint64 *first,
          guint   *n)
{
  for (guint i = 0; i < state->wanted->len; i++)
    {
      const Want *w = &g_array_index (state->wanted, Want, i);
      guint run = 1;

      if (!needs_read (state, w->index) || in_flight (state, w->index))
        continue;
      while (run < MAX_RUN_CHUNKS && i + run < state->wanted->len)
        {
          const Want *next = &g_array_index (state->wanted, Want, i + run);

          if (next->index != w->index + run || next->priority != w->priority
              || !needs_read (state, next->index) || in_flight (state, next->index))
            break;
          run++;
        }
      *first = w->index;
      *n = run;
      g_array_remove_range (state->wanted, 0, i + run);
      return TRUE;
    }
  g_array_set_size (state->wanted, 0);
  return FALSE;
}

static void
mark_holes (HmDocument *document,
            Chunk      *chunk,
            guint64     offset,
            gsize       length)
{
  g_autoptr(GArray) extents = hm_document_get_extents (document, offset, length);

  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (e->is_hole)
        memset (chunk->flags + (e->offset - offset), HM_READER_HOLE, (gsize) e->length);
    }
}

/* Reads one chunk the slow way, page by page, after a larger read failed. The
 * first error goes to @error. */
static void
read_chunk_by_pages (HmDocument *document,
                     Chunk      *chunk,
                     guint64     offset,
                     gsize       length,
                     GError    **error)
{
  for (gsize pos = 0; pos < length; pos += PAGE_BYTES)
    {
      gsize n = MIN (PAGE_BYTES, length - pos);
      g_autoptr(GError) page_error = NULL;
      gssize got = hm_document_read (document, offset + pos, chunk->bytes + pos, n, &page_error);

      if (got < 0)
        {
          memset (chunk->bytes + pos, 0, n);
          memset (chunk->flags + pos, HM_READER_FAULT, n);
          chunk->has_fault = TRUE;
          if (error != NULL && *error == NULL)
            *error = g_steal_pointer (&page_error);
        }
      else if ((gsize) got < n)
        memset (chunk->flags + pos + got, HM_READER_MISSING, n - (gsize) got);
    }
}

static void
publish (State  *state,
         Chunk  *chunk,
         guint   generation,
         GError *fault)
{
  Chunk *old;

  g_mutex_lock (&state->lock);
  chunk->stale = generation != state->generation;
  old = lookup (state, chunk->index);
  if (old != NULL)
    remove_chunk (state, old);
  chunk->link.data = chunk;
  g_hash_table_insert (state->chunks, &chunk->index, chunk);
  g_queue_push_head_link (&state->lru, &chunk->link);
  while (state->lru.length > state->capacity)
    remove_chunk (state, g_queue_peek_tail (&state->lru));
  if (fault != NULL && state->fault == NULL)
    state->fault = g_error_copy (fault);
  schedule_ready (state);
  g_mutex_unlock (&state->lock);
}

static gboolean
stopping (State *state)
{
  gboolean quit;

  g_mutex_lock (&state->lock);
  quit = state->quit;
  g_mutex_unlock (&state->lock);
  return quit;
}

static void
read_run (State   *state,
          guint64  first,
          guint    n,
          guint    generation)
{
  HmDocument *document = state->document;
  guint64 offset = first * CHUNK_SIZE;
  gsize length = (gsize) n * CHUNK_SIZE;
  g_autofree guint8 *buffer = g_malloc (length);
  g_autoptr(GError) error = NULL;
  gboolean told = FALSE;
  gssize got;

  got = hm_document_read (document, offset, buffer, length, &error);
  g_atomic_int_inc (&state->n_reads);

  for (guint i = 0; i < n; i++)
    {
      Chunk *chunk = g_new0 (Chunk, 1);
      guint64 chunk_offset = offset + (guint64) i * CHUNK_SIZE;
      gsize start = (gsize) i * CHUNK_SIZE;
      g_autoptr(GError) chunk_error = NULL;

      chunk->index = first + i;
      if (got >= 0)
        {
          gsize valid = (gsize) got > start ? MIN ((gsize) got - start, CHUNK_SIZE) : 0;

          memcpy (chunk->bytes, buffer + start, valid);
          memset (chunk->flags + valid, HM_READER_MISSING, CHUNK_SIZE - valid);
        }
      else if (stopping (state))
        {
          g_free (chunk);
          return;
        }
      else
        {
          /* Find out which pages fail: the others are still worth showing. A whole
           * chunk first (usually only a few pages are bad), unless that is what
           * just failed. */
          gssize part = -1;

          if (n > 1)
            {
              part = hm_document_read (document, chunk_offset, chunk->bytes, CHUNK_SIZE, &chunk_error);
              g_atomic_int_inc (&state->n_reads);
            }
          if (part >= 0)
            memset (chunk->flags + part, HM_READER_MISSING, CHUNK_SIZE - (gsize) part);
          else
            {
              g_clear_error (&chunk_error);
              read_chunk_by_pages (document, chunk, chunk_offset, CHUNK_SIZE, &chunk_error);
            }
        }
      mark_holes (document, chunk, chunk_offset, CHUNK_SIZE);
      /* A truncation fails the run but no page after it (the document took the
       * new size): then the run's own error is the one to tell, with its last chunk. */
      told |= chunk_error != NULL;
      publish (state, chunk, generation,
               chunk_error != NULL ? chunk_error : i + 1 == n && !told ? error : NULL);
    }
}

static gpointer
worker_main (gpointer data)
{
  State *state = data;

  g_mutex_lock (&state->lock);
  while (!state->quit)
    {
      guint64 first;
      guint n;
      guint generation;

      if (!take_run (state, &first, &n))
        {
          g_cond_wait (&state->cond, &state->lock);
          continue;
        }
      state->busy = TRUE;
      state->busy_first = first;
      state->busy_n = n;
      generation = state->generation;
      g_mutex_unlock (&state->lock);

      read_run (state, first, n, generation);

      g_mutex_lock (&state->lock);
      state->busy = FALSE;
    }
  state->exited = TRUE;
  g_cond_broadcast (&state->cond);
  g_mutex_unlock (&state->lock);

  state_unref (state);
  return NULL;
}

/* ---- Worker reads: the caller's side ---- */

/* Copies what is cached, queues the rest, then the next and previous screens */
static gboolean
fill_worker (State   *state,
             guint64  first,
             gsize    length,
             guint8  *bytes,
             guint8  *flags)
{
  guint64 first_chunk, last_chunk, screen, n_chunks;
  guint64 size;
  gboolean complete = TRUE;

  size = hm_document_get_size (state->document);
  first_chunk = first / CHUNK_SIZE;
  last_chunk = (first + length - 1) / CHUNK_SIZE;
  screen = last_chunk - first_chunk + 1;
  n_chunks = size / CHUNK_SIZE + (size % CHUNK_SIZE != 0);

  g_mutex_lock (&state->lock);
  g_array_set_size (state->wanted, 0);
  state->capacity = (guint) MAX ((guint64) MIN_CAPACITY, 6 * screen + 8);

  for (guint64 c = first_chunk; c <= last_chunk; c++)
    {
      Chunk *chunk = lookup (state, c);
      guint64 a = MAX (first, c * CHUNK_SIZE);
      guint64 b = MIN (first + length, (c + 1) * CHUNK_SIZE);
      gsize at = (gsize) (a - first);
      gsize n = (gsize) (b - a);

      if (chunk != NULL)
        {
          memcpy (bytes + at, chunk->bytes + (a - c * CHUNK_SIZE), n);
          memcpy (flags + at, chunk->flags + (a - c * CHUNK_SIZE), n);
          touch (state, chunk);
        }
      else
        {
          memset (bytes + at, 0, n);
          memset (flags + at, HM_READER_LOADING, n);
          complete = FALSE;
        }
      if (chunk == NULL || chunk->stale)
        g_array_append_val (state->wanted, ((Want) { c, PRIORITY_VISIBLE }));
    }

  /* Prefetch: the next screen, then the previous one. */
  for (guint64 c = last_chunk + 1; c <= last_chunk + screen && c < n_chunks; c++)
    if (needs_read (state, c))
      g_array_append_val (state->wanted, ((Want) { c, PRIORITY_NEXT }));
  for (guint64 c = first_chunk > screen ? first_chunk - screen : 0; c < first_chunk; c++)
    if (needs_read (state, c))
      g_array_append_val (state->wanted, ((Want) { c, PRIORITY_PREVIOUS }));

  if (state->wanted->len > 0)
    g_cond_signal (&state->cond);
  g_mutex_unlock (&state->lock);

  return complete;
}
static HmReaderPeek
peek_worker (State   *state,
             guint64  offset,
             guint8  *byte)
{
  Chunk *chunk;
  HmReaderPeek result = HM_READER_PEEK_LOADING;

  g_mutex_lock (&state->lock);
  chunk = lookup (state, offset / CHUNK_SIZE);
  if (chunk != NULL)
    {
      gsize at = (gsize) (offset % CHUNK_SIZE);

      if (chunk->flags[at] & (HM_READER_FAULT | HM_READER_MISSING))
        result = HM_READER_PEEK_UNREADABLE;
      else
        {
          *byte = chunk->bytes[at];
          result = HM_READER_PEEK_LOADED;
        }
    }
  g_mutex_unlock (&state->lock);
  return result;
}
/* ---- Direct reads ---- */

/* The first error goes to the ready callback, from an idle; then none until the
 * next invalidate or retry, since a frame that reads a bad page again each time
 * would otherwise report it each time. */
static void
report_direct_fault (State        *state,
                     const GError *error)
{
  if (state->fault_reported || error == NULL)
    return;
  state->fault_reported = TRUE;
  g_mutex_lock (&state->lock);
  g_clear_error (&state->fault);
  state->fault = g_error_copy (error);
  schedule_ready (state);
  g_mutex_unlock (&state->lock);
}

static void
fill_direct (State   *state,
             guint64  first,
             gsize    length,
             guint8  *bytes,
             guint8  *flags)
{
  HmDocument *document = state->document;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) extents = NULL;
  gssize n;

  memset (flags, 0, length);

  n = hm_document_read (document, first, bytes, length, &error);
  g_atomic_int_inc (&state->n_reads);
  if (n < 0)
    {
      /* Find out which pages fail: the others are still worth showing. */
      guint64 end = first + length;
      guint64 pos = first;

      while (pos < end)
        {
          guint64 page_end = MIN ((pos / PAGE_BYTES + 1) * PAGE_BYTES, end);
          gsize chunk = (gsize) (page_end - pos);
          gsize at = (gsize) (pos - first);
          g_autoptr(GError) page_error = NULL;
          gssize got = hm_document_read (document, pos, bytes + at, chunk, &page_error);

          g_atomic_int_inc (&state->n_reads);
          if (got < 0)
            {
              memset (bytes + at, 0, chunk);
              memset (flags + at, HM_READER_FAULT, chunk);
            }
          else if ((gsize) got < chunk)
            {
              memset (bytes + at + got, 0, chunk - (gsize) got);
              memset (flags + at + got, HM_READER_MISSING, chunk - (gsize) got);
            }
          pos = page_end;
        }
      report_direct_fault (state, error);
    }
  else if ((gsize) n < length)
    {
      memset (bytes + n, 0, length - (gsize) n);
      memset (flags + n, HM_READER_MISSING, length - (gsize) n);
    }

  extents = hm_document_get_extents (document, first, length);
  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (e->is_hole)
        for (guint64 o = e->offset; o < e->offset + e->length; o++)
          flags[o - first] |= HM_READER_HOLE;
    }
}

static HmReaderPeek
peek_direct (State   *state,
             guint64  offset,
             guint8  *byte)
{
  gssize got = hm_document_read (state->document, offset, byte, 1, NULL);

  g_atomic_int_inc (&state->n_reads);
  return got == 1 ? HM_READER_PEEK_LOADED : HM_READER_PEEK_UNREADABLE;
}

/* ---- API ---- */

/**
 * hm_reader_new:
 * @document: the document to read
 * @use_worker: read on a worker thread (where hm_document_get_may_stall()), or at once
 * @ready: (nullable): called on the current thread's main context when bytes
 *   arrive or a read fails
 * @user_data: for @ready
 *
 * Makes a reader, starting its worker thread if @use_worker. Create and use the
 * reader on one thread (the view's).
 *
 * Returns: (transfer full): a reader; free it with hm_reader_free()
 */
HmReader *
hm_reader_new (HmDocument        *document,
               gboolean           use_worker,
               HmReaderReadyFunc  ready,
               gpointer           user_data)
{
  HmReader *self;
  State *state;

  g_return_val_if_fail (HM_IS_DOCUMENT (document), NULL);

  state = g_atomic_rc_box_new0 (State);
  g_mutex_init (&state->lock);
  g_cond_init (&state->cond);
  state->document = g_object_ref (document);
  state->context = g_main_context_ref_thread_default ();
  state->owner = g_thread_self ();
  state->chunks = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, chunk_free);
  g_queue_init (&state->lru);
  state->capacity = MIN_CAPACITY;
  state->wanted = g_array_new (FALSE, FALSE, sizeof (Want));
  state->ready = ready;
  state->user_data = user_data;

  self = g_new0 (HmReader, 1);
  self->state = state;
  if (use_worker)
    self->thread = g_thread_new ("hm-reader", worker_main, state_ref (state));
  return self;
}

/**
 * hm_reader_free:
 * @self: (nullable): a reader
 *
 * Stops the worker, if any. @ready is never called again. If the worker is stuck
 * in a read of a hung mount, waits at most 50 ms, then leaves it to finish alone.
 */
void
hm_reader_free (HmReader *self)
{
  State *state;
  gint64 deadline = g_get_monotonic_time () + FREE_WAIT;
  gboolean exited;

  if (self == NULL)
    return;
  state = self->state;

  state->ready = NULL;
  state->user_data = NULL;

  g_mutex_lock (&state->lock);
  state->quit = TRUE;
  g_array_set_size (state->wanted, 0);
  g_cond_broadcast (&state->cond);
  while (self->thread != NULL && !state->exited)
    if (!g_cond_wait_until (&state->cond, &state->lock, deadline))
      break;
  exited = state->exited;
  g_mutex_unlock (&state->lock);

  if (self->thread == NULL)
    ;
  else if (exited)
    g_thread_join (self->thread);
  else
    g_thread_unref (self->thread);
  state_unref (state);
  g_free (self);
}

/**
 * hm_reader_get_uses_worker:
 * @self: a reader
 *
 * Returns: whether @self reads on a worker thread
 */
gboolean
hm_reader_get_uses_worker (HmReader *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->thread != NULL;
}

/**
 * hm_reader_fill:
 * @self: a reader
 * @first: the first byte wanted
 * @length: how many
 * @bytes: (out caller-allocates) (array length=length): the bytes; zero where unknown
 * @flags: (out caller-allocates) (array length=length): #HmReaderFlags per byte
 *
 * Direct: reads the bytes now. Worker: copies what is cached and asks the worker
 * for the rest, then for the next and the previous screen, replacing what earlier
 * calls asked for; never blocks on I/O.
 *
 * Returns: %TRUE if every byte was there (none is loading)
 */
gboolean
hm_reader_fill (HmReader *self,
                guint64   first,
                gsize     length,
                guint8   *bytes,
                guint8   *flags)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (length == 0 || (bytes != NULL && flags != NULL), FALSE);
  g_return_val_if_fail (length <= G_MAXUINT64 - first, FALSE);

  if (length == 0)
    return TRUE;

  if (self->thread == NULL)
    {
      fill_direct (self->state, first, length, bytes, flags);
      return TRUE;
    }
  return fill_worker (self->state, first, length, bytes, flags);
}

/**
 * hm_reader_peek:
 * @self: a reader
 * @offset: a byte
 * @byte: (out): its value, when it is known
 *
 * One byte, for the accessible description of the cursor: read at once by the
 * direct strategy, looked up in the cache only by the worker one.
 *
 * Returns: whether the byte is known, loading or unreadable
 */
HmReaderPeek
hm_reader_peek (HmReader *self,
                guint64   offset,
                guint8   *byte)
{
  g_return_val_if_fail (self != NULL, HM_READER_PEEK_UNREADABLE);
  g_return_val_if_fail (byte != NULL, HM_READER_PEEK_UNREADABLE);

  if (self->thread == NULL)
    return peek_direct (self->state, offset, byte);
  return peek_worker (self->state, offset, byte);
}

/**
 * hm_reader_invalidate:
 * @self: a reader
 * @offset: first changed byte
 * @length: changed bytes (may reach past the end of the file, or be G_MAXUINT64)
 *
 * The document changed there. Worker: cached chunks in the range are still shown
 * but read again, and reads under way count as stale. Direct: the next fault is
 * reported again.
 */
void
hm_reader_invalidate (HmReader *self,
                      guint64   offset,
                      guint64   length)
{
  State *state;
  guint64 end;
  GHashTableIter iter;
  Chunk *chunk;

  g_return_if_fail (self != NULL);

  state = self->state;
  state->fault_reported = FALSE;
  end = length > G_MAXUINT64 - offset ? G_MAXUINT64 : offset + length;
  g_mutex_lock (&state->lock);
  state->generation++;
  g_hash_table_iter_init (&iter, state->chunks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &chunk))
    {
      guint64 a = chunk->index * CHUNK_SIZE;

      if (a < end && a + CHUNK_SIZE > offset)
        chunk->stale = TRUE;
    }
  g_mutex_unlock (&state->lock);
}

/**
 * hm_reader_retry:
 * @self: a reader
 *
 * Forgets the pages that could not be read, so the next fill reads them again
 * (after the user fixed the share and pressed Retry), and reports the next fault.
 */
void
hm_reader_retry (HmReader *self)
{
  State *state;
  GHashTableIter iter;
  Chunk *chunk;

  g_return_if_fail (self != NULL);

  state = self->state;
  state->fault_reported = FALSE;
  g_mutex_lock (&state->lock);
  state->generation++;
  g_hash_table_iter_init (&iter, state->chunks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &chunk))
    if (chunk->has_fault)
      {
        g_queue_unlink (&state->lru, &chunk->link);
        g_hash_table_iter_remove (&iter);
      }
  g_clear_error (&state->fault);
  g_mutex_unlock (&state->lock);
}

/**
 * hm_reader_get_n_reads:
 * @self: a reader
 *
 * For tests and benchmarks.
 *
 * Returns: how many hm_document_read() calls the reader made
 */
guint
hm_reader_get_n_reads (HmReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return (guint) g_atomic_int_get (&self->state->n_reads);
}

/* ---- Scattered ranges on a worker ---- */

typedef struct
{
  HmDocument   *document;
  GMainContext *context;
  GThread      *owner;
  HmRange      *ranges;
  guint         n_ranges;
} RangesRequest;

static void
ranges_request_free (gpointer data)
{
  RangesRequest *request = data;

  /* The last reference to the task may go on the worker. */
  release_document (request->document, request->owner, request->context);
  g_main_context_unref (request->context);
  g_free (request->ranges);
  g_free (request);
}

static void
read_item_free (gpointer data)
{
  HmReadItem *item = data;

  g_clear_pointer (&item->bytes, g_bytes_unref);
  g_clear_error (&item->error);
  g_free (item);
}

static void
read_ranges_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  RangesRequest *request = task_data;
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (request->n_ranges, read_item_free);

  for (guint i = 0; i < request->n_ranges; i++)
    {
      const HmRange *range = &request->ranges[i];
      gsize length = (gsize) MIN (range->length, (guint64) G_MAXSSIZE);
      g_autofree guint8 *buffer = NULL;
      HmReadItem *item;
      gssize n;

      if (g_task_return_error_if_cancelled (task))
        return;
      item = g_new0 (HmReadItem, 1);
      item->offset = range->offset;
      buffer = g_malloc (MAX (length, 1));
      n = hm_document_read (request->document, range->offset, buffer, length, &item->error);
      if (n >= 0)
        item->bytes = g_bytes_new_take (g_steal_pointer (&buffer), (gsize) n);
      g_ptr_array_add (items, item);
    }
  g_task_return_pointer (task, g_steal_pointer (&items), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * hm_reader_read_ranges_async:
 * @document: the document to read
 * @ranges: (array length=n_ranges): what to read
 * @n_ranges: how many ranges
 * @cancellable: (nullable): skips the ranges not started yet
 * @callback: called on the current thread's main context when done
 * @user_data: for @callback
 *
 * Reads @ranges on a worker thread, for callers that must not wait for storage
 * that may stall (hm_document_get_may_stall()); hm_reader_read_ranges_finish()
 * gives the bytes. The task has no source object, so it may be finalized on the
 * worker: pass a reference to a widget in @user_data, not the widget itself.
 */
void
hm_reader_read_ranges_async (HmDocument          *document,
                             const HmRange       *ranges,
                             guint                n_ranges,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RangesRequest *request;

  g_return_if_fail (HM_IS_DOCUMENT (document));
  g_return_if_fail (ranges != NULL || n_ranges == 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  request = g_new0 (RangesRequest, 1);
  request->document = g_object_ref (document);
  request->context = g_main_context_ref_thread_default ();
  request->owner = g_thread_self ();
  request->ranges = g_memdup2 (ranges, sizeof *ranges * n_ranges);
  request->n_ranges = n_ranges;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hm_reader_read_ranges_async);
  g_task_set_name (task, "[hexmap] read ranges");
  g_task_set_task_data (task, request, ranges_request_free);
  g_task_run_in_thread (task, read_ranges_thread);
}

/**
 * hm_reader_read_ranges_finish:
 * @result: the result given to the callback
 * @error: %G_IO_ERROR_CANCELLED if the read was cancelled
 *
 * A range that could not be read has an item with @bytes %NULL and its error;
 * the call fails only when cancelled.
 *
 * Returns: (transfer container) (element-type HmReadItem): one item per range,
 *   in order, or %NULL with @error set
 */
GPtrArray *
hm_reader_read_ranges_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hm_reader_read_ranges_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

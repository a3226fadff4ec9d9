/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmBulk: reading a range of a document from start to end, for scanners.
 *
 * Two ways reach the bytes, and which is faster depends on the machine:
 *   - pread() into one reused buffer of 256 KiB, small enough to stay in the
 *     CPU cache while the consumer scans it (64-256 KiB scanned fastest here,
 *     1 MiB and more at a third to a half of that). Errors and truncation come
 *     back as return values: no signal, no guard.
 *   - the document's mapped windows, scanned in place (no copy). Every touch goes
 *     through the fault guard: a consumer runs its leaf function with
 *     hm_bulk_run().
 * On a machine where setting up page tables is cheap, mapped windows were
 * measured at 13-15 GB/s against 7-8 for pread; on a virtual machine where it is
 * expensive, at 1.4-1.8 GB/s against 8-11. So the path is measured, once per
 * process, on the first bulk job over at least 64 MiB of local data
 * (hm_bulk_choose_path()): a 2 MiB slice of it is read once to warm it, then
 * three times each way, each pass summing every byte (what a scanner does at
 * least), and the best time of each way counts; the mapping wins only if it is
 * at least 25% faster, since pread is the simpler path (errors as values). A
 * first mapped pass more than 2.5 times slower ends the measurement: 12-18 ms
 * where the mapping is slow (16 MiB each way took 0.1 s there). Storage that
 * may stall (network, FUSE) always uses pread. `HEXMAP_BULK_PATH=pread|map` or
 * hm_bulk_set_path() override the choice, for tests and benchmarks.
 *
 * Holes from the document's hole map are never read: they come as hole blocks
 * (zeros without bytes, or with %HM_BULK_ZERO_HOLES a buffer of zeros).
 *
 * Preview mode keeps pending edits in private copy-on-write pages of the
 * windows, which pread() cannot see. The windows that hold edits are pinned, so
 * the pread path reads the span of every pinned window through the mapping
 * (a guarded copy, as hm_document_read() does) and the rest with pread(). That is
 * exactly what the windows show, including bytes typed back to their old value
 * and a pinned window that ends before a file that grew since. In direct mode
 * edits are in the page cache already.
 *
 * Inserts and deletes (the document's piece table): a walk follows the pieces.
 * Ranges of the file are read the pread way at their baseline offsets (with the
 * preview spans as above, which are file offsets too), inserted bytes are copied
 * from memory, patterns or their temporary file, and the holes come from the
 * translated hole map. Such walks always take the pread path, since the windows
 * hold the file's layout, not the content's.
 *
 * Faults: a pread() that fails or comes up short ends the bytes delivered at
 * that offset, and the next block reports it with the document's fault error
 * (%HM_FAULT_ERROR_TRUNCATED or %HM_FAULT_ERROR_IO, naming the file and the
 * offset in hex), or with %HM_BULK_SKIP_FAULTS as a fault block for the rest of
 * that page, after which reading goes on (a truncation ends the walk).
 *
 * Cold files: one bulk reading a file from start to end is read ahead by the
 * kernel as `cat` is. The kernel keeps one read-ahead state per open file, so
 * several bulks reading a file at once (the workers of a search) confuse it;
 * with %HM_BULK_OWN_STREAM a bulk reads a local file through an open file of its
 * own (reopened through /proc/self/fd, so it is the same file even if renamed)
 * and the kernel follows each as one stream, with large folios. Measured on cold
 * 2 GiB files here, two workers sharing one open file ran at a quarter of cat's
 * speed; advising the range ahead (POSIX_FADV_WILLNEED) brought them to 0.6-0.8
 * of it where the storage is fast (it fills the page cache with small pages)
 * and above it where it is slow; their own streams ran at 0.9-1.5 times cat's
 * speed in both cases. Where a bulk shares the document's open file (FUSE,
 * network), each read first tries RWF_NOWAIT, which fails at once when the bytes
 * are not cached, so the owner knows (hm_bulk_saw_cold()) and can read ahead
 * for its bulks with hm_bulk_prefetch().
 */
#include "config.h"

#include "hm-bulk.h"

#include "hm-document-private.h"
#include "hm-journal.h"
#include "hm-piece-table.h"
#include "hm-window-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define DEFAULT_BUFFER_SIZE (256u * 1024u)
#define CALIBRATE_MIN_DATA  (G_GUINT64_CONSTANT (64) * 1024 * 1024)
#define CALIBRATE_SLICE     (2u * 1024u * 1024u)
#define CALIBRATE_ROUNDS    3
#define MAP_ADVANTAGE       1.25

/* Where bytes come from: pread, or the mapping inside preview spans. */
typedef struct
{
  HmDocument *doc;
  int         fd;       /* the document's, or an open file of our own */
  GArray     *spans;    /* HmRange, sorted: pinned preview windows; NULL if none */
  gboolean    nowait;   /* RWF_NOWAIT works here */
  gboolean    cold;     /* some bytes were not in the page cache */
} Source;

struct _HmBulk
{
  HmDocument  *doc;
  HmBulkFlags  flags;
  HmBulkPath   path;
  guint64      pos;
  guint64      end;
  GArray      *segments;     /* HmExtent over [pos, end) */
  guint        seg;
  Source       source;
  guint8      *buffer;
  gsize        buffer_size;
  guint8      *zeros;        /* %HM_BULK_ZERO_HOLES: buffer_size zeros */
  HmWindow    *window;       /* map path: the window of the last block */
  gboolean     overlay;      /* inserts or deletes pending: walk the pieces */
  GError      *pending;      /* the fault that ended the last data block */
  GError      *block_error;  /* the last fault block's error */
  gboolean     finished;     /* a truncation or an error ended the walk */
};

static gsize test_buffer_size;

/* --- the path ------------------------------------------------------------- */

enum
{
  CALIBRATION_NONE,
  CALIBRATION_RUNNING,
  CALIBRATION_DONE,
};

static gint forced_path = -1;          /* -1: not read from the environment yet */
static gint calibration_state = CALIBRATION_NONE;
static gint calibrated_path = HM_BULK_PATH_PREAD;
static GMutex calibration_lock;
static double calibration_pread_rate;
static double calibration_map_rate;

static HmBulkPath
get_forced_path (void)
{
  gint path = g_atomic_int_get (&forced_path);

  if (path < 0)
    {
      const char *env = g_getenv ("HEXMAP_BULK_PATH");

      path = HM_BULK_PATH_AUTO;
      if (g_strcmp0 (env, "pread") == 0)
        path = HM_BULK_PATH_PREAD;
      else if (g_strcmp0 (env, "map") == 0)
        path = HM_BULK_PATH_MAP;
      g_atomic_int_compare_and_exchange (&forced_path, -1, path);
      path = g_atomic_int_get (&forced_path);
    }
  return (HmBulkPath) path;
}

/**
 * hm_bulk_set_path:
 * @path: the path every bulk read takes from now on; %HM_BULK_PATH_AUTO to
 *   measure
 *
 * For tests and benchmarks. Wins over `HEXMAP_BULK_PATH`.
 */
void
hm_bulk_set_path (HmBulkPath path)
{
  g_return_if_fail (path <= HM_BULK_PATH_MAP);

  g_atomic_int_set (&forced_path, path);
}

/**
 * hm_bulk_get_calibration:
 * @pread_rate: (out) (optional): bytes per second through pread()
 * @map_rate: (out) (optional): bytes per second through mapped windows
 * @chosen: (out) (optional): the path it chose
 *
 * What the calibration measured, for benchmarks and debugging.
 *
 * Returns: %TRUE if it has run in this process
 */
gboolean
hm_bulk_get_calibration (double     *pread_rate,
                         double     *map_rate,
                         HmBulkPath *chosen)
{
  gboolean done;

  g_mutex_lock (&calibration_lock);
  done = g_atomic_int_get (&calibration_state) == CALIBRATION_DONE;
  if (pread_rate != NULL)
    *pread_rate = calibration_pread_rate;
  if (map_rate != NULL)
    *map_rate = calibration_map_rate;
  if (chosen != NULL)
    *chosen = (HmBulkPath) g_atomic_int_get (&calibrated_path);
  g_mutex_unlock (&calibration_lock);
  return done;
}

typedef struct
{
  const guint8 *data;
  gsize         length;
  guint64       sum;
} SumArgs;

/* What every scanner does at least: read each byte once. */
static void
sum_words (gpointer user_data)
{
  SumArgs *args = user_data;
  const guint8 *p = args->data;
  gsize n = args->length / 32;
  guint64 a = 0, b = 0, c = 0, d = 0;

  for (gsize i = 0; i < n; i++, p += 32)
    {
      guint64 w[4];

      memcpy (w, p, sizeof w);
      a += w[0];
      b += w[1];
      c += w[2];
      d += w[3];
    }
  for (gsize i = n * 32; i < args->length; i++)
    a += args->data[i];
  args->sum += a + b + c + d;
}

static gboolean
pread_all (int      fd,
           guint8  *buffer,
           gsize    length,
           guint64  offset)
{
  gsize done = 0;

  while (done < length)
    {
      gssize r = pread (fd, buffer + done, length - done, (off_t) (offset + done));

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return FALSE;
      done += (gsize) r;
    }
  return TRUE;
}

/* Seconds to read [offset, offset + CALIBRATE_SLICE) through pread (or < 0). */
static double
time_pread (int      fd,
            guint8  *buffer,
            guint64  offset)
{
  gint64 start = g_get_monotonic_time ();
  SumArgs args = { buffer, 0, 0 };

  for (gsize done = 0; done < CALIBRATE_SLICE; done += DEFAULT_BUFFER_SIZE)
    {
      if (!pread_all (fd, buffer, DEFAULT_BUFFER_SIZE, offset + done))
        return -1;
      args.length = DEFAULT_BUFFER_SIZE;
      sum_words (&args);
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

/* The same through a fresh mapping, as a window is read the first time. */
static double
time_map (int     fd,
          guint64 offset)
{
  gint64 start = g_get_monotonic_time ();
  SumArgs args = { NULL, CALIBRATE_SLICE, 0 };
  void *data = mmap (NULL, CALIBRATE_SLICE, PROT_READ, MAP_SHARED, fd, (off_t) offset);
  gboolean ok;

  if (data == MAP_FAILED)
    return -1;
  madvise (data, CALIBRATE_SLICE, MADV_SEQUENTIAL);
  args.data = data;
  ok = hm_fault_guard_run (data, CALIBRATE_SLICE, sum_words, &args, NULL);
  munmap (data, CALIBRATE_SLICE);
  return ok ? (g_get_monotonic_time () - start) / 1e6 : -1;
}

/* A page-aligned slice of data in [offset, offset + length), or FALSE. */
static gboolean
find_slice (HmDocument *doc,
            guint64     offset,
            guint64     length,
            guint64    *slice)
{
  g_autoptr(GArray) extents = hm_document_get_extents (doc, offset, length);
  guint64 data_bytes = 0;
  gboolean found = FALSE;
  guint64 page = _hm_document_page_size ();

  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);
      guint64 start = (e->offset + page - 1) & ~(page - 1);

      if (e->is_hole)
        continue;
      data_bytes += e->length;
      if (!found && start + CALIBRATE_SLICE <= e->offset + e->length)
        {
          *slice = start;
          found = TRUE;
        }
    }
  return found && data_bytes >= CALIBRATE_MIN_DATA;
}

/* Measures both paths on a slice of the job; FALSE if the job is too small
 * (or the slice could not be read) to tell. */
static gboolean
calibrate (HmDocument *doc,
           guint64     offset,
           guint64     length)
{
  guint8 *buffer;
  guint64 slice = 0;
  double t_pread = G_MAXDOUBLE, t_map = G_MAXDOUBLE;
  gint64 t0 = g_get_monotonic_time ();
  HmBulkPath path;

  if (!find_slice (doc, offset, length, &slice))
    return FALSE;

  buffer = g_aligned_alloc (1, DEFAULT_BUFFER_SIZE, 4096);
  /* Warm the slice: the job reads it anyway, and both paths must find it in
   * the page cache to be compared fairly. */
  if (time_pread (doc->fd, buffer, slice) < 0)
    {
      g_aligned_free (buffer);
      return FALSE;
    }
  for (guint round = 0; round < CALIBRATE_ROUNDS; round++)
    {
      double p = time_pread (doc->fd, buffer, slice);

      if (p < 0)
        {
          g_aligned_free (buffer);
          return FALSE;
        }
      t_pread = MIN (t_pread, p);
    }
  for (guint round = 0; round < CALIBRATE_ROUNDS; round++)
    {
      double m = time_map (doc->fd, slice);

      if (m < 0)
        {
          t_map = G_MAXDOUBLE;
          break;
        }
      t_map = MIN (t_map, m);
      /* Far slower already: no need to look closer. */
      if (t_map > 2 * MAP_ADVANTAGE * t_pread)
        break;
    }
  g_aligned_free (buffer);

  path = t_map * MAP_ADVANTAGE < t_pread ? HM_BULK_PATH_MAP : HM_BULK_PATH_PREAD;
  g_mutex_lock (&calibration_lock);
  calibration_pread_rate = t_pread < G_MAXDOUBLE ? CALIBRATE_SLICE / MAX (t_pread, 1e-6) : 0;
  calibration_map_rate = t_map < G_MAXDOUBLE ? CALIBRATE_SLICE / MAX (t_map, 1e-6) : 0;
  g_atomic_int_set (&calibrated_path, path);
  g_mutex_unlock (&calibration_lock);
  g_debug ("bulk reads: pread %.2f GB/s, mapped windows %.2f GB/s: using %s (measured in %.3f s)",
           calibration_pread_rate / 1e9, calibration_map_rate / 1e9,
           path == HM_BULK_PATH_MAP ? "mapped windows" : "pread", (g_get_monotonic_time () - t0) / 1e6);
  return TRUE;
}

/**
 * hm_bulk_choose_path:
 * @document: a document
 * @offset: the job's first byte
 * @length: its length
 *
 * The path a bulk read of this range takes. The first job in a process over
 * at least 64 MiB of local data measures both paths on it first (12-18 ms
 * here); until then, and for storage that may stall, pread.
 *
 * Returns: %HM_BULK_PATH_PREAD or %HM_BULK_PATH_MAP
 */
HmBulkPath
hm_bulk_choose_path (HmDocument *document,
                     guint64     offset,
                     guint64     length)
{
  HmBulkPath forced;

  g_return_val_if_fail (HM_IS_DOCUMENT (document), HM_BULK_PATH_PREAD);

  if (_hm_document_is_structural (document))
    return HM_BULK_PATH_PREAD;
  forced = get_forced_path ();
  if (forced != HM_BULK_PATH_AUTO)
    return forced;
  if (document->may_stall || document->kind == HM_FILE_KIND_ZERO_DEVICE)
    return HM_BULK_PATH_PREAD;

  if (length >= CALIBRATE_MIN_DATA &&
      g_atomic_int_compare_and_exchange (&calibration_state, CALIBRATION_NONE, CALIBRATION_RUNNING))
    g_atomic_int_set (&calibration_state,
                      calibrate (document, offset, length) ? CALIBRATION_DONE : CALIBRATION_NONE);

  return (HmBulkPath) g_atomic_int_get (&calibrated_path);
}

/* --- what to read ---------------------------------------------------------- */

/**
 * hm_bulk_get_segments:
 * @document: a document
 * @offset: first byte
 * @length: bytes
 *
 * The hole map as bulk reads see it: in preview mode, ranges with pending edits
 * are data even where the file has a hole (their bytes live in private pages).
 * Neighbours of the same kind are merged.
 *
 * Returns: (transfer full) (element-type HmExtent): the runs of [offset,
 *   offset + length) that lie inside the document
 */
GArray *
hm_bulk_get_segments (HmDocument *document,
                      guint64     offset,
                      guint64     length)
{
  g_autoptr(GArray) extents = NULL;
  GArray *segments;
  gboolean pending;
  HmRange next = { G_MAXUINT64, 0 };

  g_return_val_if_fail (HM_IS_DOCUMENT (document), NULL);

  extents = hm_document_get_extents (document, offset, length);
  segments = g_array_sized_new (FALSE, FALSE, sizeof (HmExtent), extents->len);
  /* (With inserts or deletes pending the translated hole map knows every edit) */
  pending = document->mode == HM_DOCUMENT_MODE_PREVIEW && hm_journal_has_pending (document->journal) &&
            !_hm_document_is_structural (document);

  for (guint i = 0; i < extents->len; i++)
    {
      HmExtent e = g_array_index (extents, HmExtent, i);
      guint64 pos = e.offset, end = e.offset + e.length;

      while (pos < end)
        {
          HmExtent piece = { pos, end - pos, e.is_hole };

          if (e.is_hole && pending)
            {
              if (next.offset == G_MAXUINT64 || next.offset + next.length <= pos)
                {
                  if (!hm_journal_next_modified (document->journal, pos, &next))
                    {
                      next.offset = G_MAXUINT64 - 1;
                      next.length = 0;
                    }
                }
              if (next.offset <= pos)
                {
                  piece.is_hole = FALSE;
                  piece.length = MIN (end, next.offset + next.length) - pos;
                }
              else if (next.offset < end)
                piece.length = next.offset - pos;
            }

          if (segments->len > 0 &&
              g_array_index (segments, HmExtent, segments->len - 1).is_hole == piece.is_hole)
            g_array_index (segments, HmExtent, segments->len - 1).length += piece.length;
          else
            g_array_append_val (segments, piece);
          pos += piece.length;
        }
    }

  return segments;
}

static int
compare_ranges (gconstpointer a,
                gconstpointer b)
{
  const HmRange *ra = a, *rb = b;

  return ra->offset < rb->offset ? -1 : ra->offset > rb->offset;
}

/* The parts of [offset, end) that a pinned preview window covers: those are
 * read through the mapping. NULL if there are none. */
static GArray *
preview_spans (HmDocument *doc,
               guint64     offset,
               guint64     end)
{
  g_autoptr(GPtrArray) pinned = NULL;
  GArray *spans;

  if (doc->mode != HM_DOCUMENT_MODE_PREVIEW || hm_window_cache_get_n_pinned (doc->cache) == 0)
    return NULL;

  pinned = hm_window_cache_ref_pinned (doc->cache);
  spans = g_array_new (FALSE, FALSE, sizeof (HmRange));
  for (guint i = 0; i < pinned->len; i++)
    {
      HmWindow *w = g_ptr_array_index (pinned, i);
      guint64 lo = MAX (w->offset, offset);
      guint64 hi = MIN (w->offset + doc->window_size, end);

      if (lo < hi)
        {
          HmRange r = { lo, hi - lo };

          g_array_append_val (spans, r);
        }
      hm_window_cache_release (doc->cache, w);
    }
  if (spans->len == 0)
    g_clear_pointer (&spans, g_array_unref);
  else
    g_array_sort (spans, compare_ranges);
  return spans;
}

/* --- reading ---------------------------------------------------------------- */

static guint64
page_mask (void)
{
  return (guint64) _hm_document_page_size () - 1;
}

/* Copies [pos, pos + n) out of the windows. Returns the bytes copied; fewer
 * with *fault_at (the first byte not copied) and *error set. */
static gsize
copy_mapped (HmDocument *doc,
             guint64     pos,
             guint8     *buffer,
             gsize       n,
             guint64    *fault_at,
             GError    **error)
{
  gsize done = 0;

  while (done < n)
    {
      guint64 p = pos + done;
      guint64 fault = 0;
      GError *local = NULL;
      HmWindow *w = _hm_document_guard_window (doc, p, HM_ACCESS_SEQUENTIAL,
                                               HM_GUARD_END_IS_FAULT | HM_GUARD_RAW_FAULTS |
                                               HM_GUARD_ALLOW_SHORT, &fault, &local);
      const void *fault_addr = NULL;
      gsize m;

      *fault_at = p;
      if (w == NULL)
        {
          if (local != NULL)
            g_propagate_error (error, local);
          else
            g_propagate_error (error, _hm_document_fault_error (doc, fault, FALSE));
          return done;
        }
      if (w->offset + w->length <= p)
        {
          /* A window holding edits ends before a file that grew since: a fault
           * where it ends, as a scan through the windows reports it. */
          guint64 w_end = w->offset + w->length;

          _hm_document_release_window (doc, w);
          g_propagate_error (error, _hm_document_fault_error (doc, w_end, FALSE));
          return done;
        }

      m = (gsize) MIN (w->offset + w->length - p, (guint64) (n - done));
      if (!hm_fault_copy (buffer + done, w->data + (p - w->offset), m, &fault_addr))
        {
          guint64 lo = MAX (p, _hm_document_window_fault_offset (w, fault_addr) & ~page_mask ());
          gsize good = 0;

          /* memcpy may touch a range's tail first: copy again what lies below
           * the bad page, a page at a time, up to it (or a lower bad page). */
          while (p + good < lo)
            {
              gsize k = (gsize) MIN (lo - (p + good), page_mask () + 1 - ((p + good) & page_mask ()));

              if (!hm_fault_copy (buffer + done + good, w->data + (p + good - w->offset), k, &fault_addr))
                break;
              good += k;
            }
          _hm_document_release_window (doc, w);
          *fault_at = p + good;
          g_propagate_error (error, _hm_document_fault_error (doc, p + good, FALSE));
          return done + good;
        }
      _hm_document_release_window (doc, w);
      done += m;
    }
  return done;
}

/* pread() of [pos, pos + n), the whole of it unless the file fails or ends. */
static gsize
pread_range (Source  *source,
             guint64  pos,
             guint8  *buffer,
             gsize    n,
             guint64 *fault_at,
             GError **error)
{
  int fd = source->fd;
  gsize done = 0;

  while (done < n)
    {
      gssize r = -1;

      if (source->nowait)
        {
          struct iovec iov = { buffer + done, n - done };

          r = preadv2 (fd, &iov, 1, (off_t) (pos + done), RWF_NOWAIT);
          if (r < 0 && errno != EAGAIN && errno != EINTR)
            source->nowait = FALSE;  /* not supported here: read plainly */
          if (r > 0)
            {
              done += (gsize) r;
              continue;
            }
          if (r < 0 && errno == EAGAIN)
            source->cold = TRUE;
        }

      r = pread (fd, buffer + done, n - done, (off_t) (pos + done));
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          /* The end of the file (it shrank) or an I/O error: the document tells
           * which, as it does for a fault. */
          *fault_at = pos + done;
          g_propagate_error (error, _hm_document_fault_error (source->doc, pos + done, FALSE));
          return done;
        }
      done += (gsize) r;
    }
  return n;
}

/* Reads [pos, pos + n) of data into @buffer. Returns the bytes read; fewer
 * with *fault_at and *error set. */
static gsize
source_read (Source  *source,
             guint64  pos,
             guint8  *buffer,
             gsize    n,
             guint64 *fault_at,
             GError **error)
{
  gsize done = 0;
  guint i = 0;

  while (done < n)
    {
      guint64 p = pos + done;
      guint64 span_lo = G_MAXUINT64, span_hi = G_MAXUINT64;
      gsize m, got;

      if (source->spans != NULL)
        {
          while (i < source->spans->len &&
                 g_array_index (source->spans, HmRange, i).offset +
                 g_array_index (source->spans, HmRange, i).length <= p)
            i++;
          if (i < source->spans->len)
            {
              span_lo = g_array_index (source->spans, HmRange, i).offset;
              span_hi = span_lo + g_array_index (source->spans, HmRange, i).length;
            }
        }

      if (span_lo <= p)
        {
          m = (gsize) MIN (span_hi - p, (guint64) (n - done));
          got = copy_mapped (source->doc, p, buffer + done, m, fault_at, error);
        }
      else
        {
          m = (gsize) MIN (span_lo - p, (guint64) (n - done));
          got = pread_range (source, p, buffer + done, m, fault_at, error);
        }
      done += got;
      if (got < m)
        return done;
    }
  return n;
}

/* --- the walk ------------------------------------------------------------- */

static gsize
buffer_size (void)
{
  return test_buffer_size != 0 ? test_buffer_size : DEFAULT_BUFFER_SIZE;
}

/* An open file of our own for the document's file, so that the kernel's
 * read-ahead (one state per open file) follows this reader alone. Local files
 * only: opening a file on FUSE may drop its cached pages. The document's file
 * descriptor if that cannot be done. */
static int
open_own_stream (HmDocument *doc)
{
  g_autofree char *proc = NULL;
  struct stat a, b;
  int fd;

  if (doc->kind == HM_FILE_KIND_ZERO_DEVICE || doc->may_stall ||
      (doc->fs_kind != HM_FS_KIND_LOCAL && doc->fs_kind != HM_FS_KIND_MEMORY && doc->fs_kind != HM_FS_KIND_OTHER))
    return doc->fd;

  /* The very file the document has open, even if it was renamed or deleted. */
  proc = g_strdup_printf ("/proc/self/fd/%d", doc->fd);
  fd = open (proc, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return doc->fd;
  if (fstat (fd, &a) != 0 || fstat (doc->fd, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino ||
      a.st_rdev != b.st_rdev)
    {
      close (fd);
      return doc->fd;
    }
  return fd;
}

/**
 * hm_bulk_new:
 * @document: the document to read
 * @offset: the first byte
 * @length: how many bytes; the walk stops at the end of the document
 * @flags: how holes and faults are reported
 *
 * Prepares a walk over [offset, offset + length). Create one per thread and
 * reuse it with hm_bulk_set_range(): its buffer is allocated once. The first big
 * walk in a process may measure the read paths (hm_bulk_choose_path()).
 *
 * Returns: (transfer full): a bulk reader
 */
HmBulk *
hm_bulk_new (HmDocument  *document,
             guint64      offset,
             guint64      length,
             HmBulkFlags  flags)
{
  HmBulk *self;

  g_return_val_if_fail (HM_IS_DOCUMENT (document), NULL);

  self = g_new0 (HmBulk, 1);
  self->doc = g_object_ref (document);
  self->flags = flags;
  self->path = hm_bulk_choose_path (document, offset, length);
  self->buffer_size = buffer_size ();
  self->source.doc = document;
  self->source.fd = document->fd;
  if ((flags & HM_BULK_OWN_STREAM) && self->path == HM_BULK_PATH_PREAD)
    self->source.fd = open_own_stream (document);
  /* With a stream of its own the kernel reads ahead for it: no need to know. */
  self->source.nowait = self->source.fd == document->fd;
  if (self->path == HM_BULK_PATH_PREAD)
    self->buffer = g_aligned_alloc (1, self->buffer_size, 4096);
  if (flags & HM_BULK_ZERO_HOLES)
    self->zeros = g_aligned_alloc0 (1, self->buffer_size, 4096);
  hm_bulk_set_range (self, offset, length);

  return self;
}

static void
release_window (HmBulk *self)
{
  if (self->window != NULL)
    {
      _hm_document_release_window (self->doc, self->window);
      self->window = NULL;
    }
}

/**
 * hm_bulk_set_range:
 * @self: a bulk reader
 * @offset: the first byte
 * @length: how many bytes
 *
 * Starts a new walk with the same reader (and buffer). Takes the hole map and,
 * in preview mode, the windows holding edits as they are now.
 */
void
hm_bulk_set_range (HmBulk  *self,
                   guint64  offset,
                   guint64  length)
{
  guint64 size;

  g_return_if_fail (self != NULL);

  release_window (self);
  g_clear_error (&self->pending);
  g_clear_error (&self->block_error);
  g_clear_pointer (&self->segments, g_array_unref);
  g_clear_pointer (&self->source.spans, g_array_unref);

  size = hm_document_get_size (self->doc);
  self->pos = offset;
  self->end = offset >= size ? offset : offset + MIN (length, size - offset);
  self->seg = 0;
  self->finished = FALSE;
  self->segments = hm_bulk_get_segments (self->doc, offset, self->end - offset);
  self->overlay = _hm_document_is_structural (self->doc);
  if (self->overlay)
    {
      /* The spans are file offsets, wherever the pieces put them */
      self->path = HM_BULK_PATH_PREAD;
      if (self->buffer == NULL)
        self->buffer = g_aligned_alloc (1, self->buffer_size, 4096);
      self->source.spans = preview_spans (self->doc, 0, _hm_document_file_size (self->doc));
    }
  else if (self->path == HM_BULK_PATH_PREAD)
    self->source.spans = preview_spans (self->doc, offset, self->end);
}

/**
 * hm_bulk_free:
 * @self: (transfer full): a bulk reader
 *
 * Frees the reader and gives back any window it holds.
 */
void
hm_bulk_free (HmBulk *self)
{
  if (self == NULL)
    return;
  release_window (self);
  g_clear_error (&self->pending);
  g_clear_error (&self->block_error);
  g_clear_pointer (&self->segments, g_array_unref);
  g_clear_pointer (&self->source.spans, g_array_unref);
  g_clear_pointer (&self->buffer, g_aligned_free);
  g_clear_pointer (&self->zeros, g_aligned_free);
  if (self->source.fd != self->doc->fd)
    close (self->source.fd);
  g_clear_object (&self->doc);
  g_free (self);
}

/**
 * hm_bulk_get_path_used:
 * @self: a bulk reader
 *
 * Returns: the path this reader takes
 */
HmBulkPath
hm_bulk_get_path_used (HmBulk *self)
{
  g_return_val_if_fail (self != NULL, HM_BULK_PATH_PREAD);
  return self->path;
}

/**
 * hm_bulk_has_own_stream:
 * @self: a bulk reader
 *
 * Returns: %TRUE if the reader made with %HM_BULK_OWN_STREAM got an open file
 *   of its own (a local file read with pread)
 */
gboolean
hm_bulk_has_own_stream (HmBulk *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->source.fd != self->doc->fd;
}

/**
 * hm_bulk_saw_cold:
 * @self: a bulk reader
 *
 * Only known for readers that share the document's open file.
 *
 * Returns: %TRUE if some bytes were not in the page cache when read: a
 *   caller that walks further with several such readers (a search over many
 *   chunks) should read ahead for them (hm_bulk_prefetch())
 */
gboolean
hm_bulk_saw_cold (HmBulk *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->source.cold;
}

/* Turns a fault at @at (the first byte not delivered) into a fault block, or
 * ends the walk with it. Takes @error. */
static gboolean
fault_block (HmBulk      *self,
             guint64      at,
             guint64      seg_end,
             GError      *error,
             HmBulkBlock *block,
             GError     **out_error)
{
  self->pos = at;
  if (!(self->flags & HM_BULK_SKIP_FAULTS))
    {
      self->finished = TRUE;
      g_propagate_error (out_error, error);
      return FALSE;
    }

  g_clear_error (&self->block_error);
  self->block_error = error;
  if (g_error_matches (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED))
    {
      /* Nothing more can be read. */
      *block = (HmBulkBlock) { HM_BULK_FAULT, at, self->end - at, NULL, FALSE, error };
      self->pos = self->end;
      self->finished = TRUE;
      return TRUE;
    }

  *block = (HmBulkBlock) { HM_BULK_FAULT, at, MIN ((at | page_mask ()) + 1, seg_end) - at, NULL, FALSE, error };
  self->pos = at + block->length;
  return TRUE;
}

/* A data block of the content, piece by piece: file ranges the pread way at
 * their baseline offsets, inserted bytes from where the table keeps them. */
static gboolean
overlay_next (HmBulk      *self,
              guint64      seg_end,
              HmBulkBlock *block,
              GError     **error)
{
  guint64 n = MIN (seg_end - self->pos, (guint64) self->buffer_size);
  g_autoptr(GArray) spans = _hm_document_get_spans (self->doc, self->pos, n);
  gsize done = 0;

  for (guint i = 0; i < spans->len; i++)
    {
      const HmPieceSpan *s = &g_array_index (spans, HmPieceSpan, i);
      gsize len = (gsize) s->piece.length;
      GError *local = NULL;

      if (s->piece.kind == HM_PIECE_FILE)
        {
          guint64 fault_at = 0;
          gsize got = source_read (&self->source, s->piece.start, self->buffer + done, len,
                                   &fault_at, &local);

          done += got;
          if (got < len)
            {
              if (done == 0)
                return fault_block (self, self->pos, seg_end, local, block, error);
              self->pending = local;
              break;
            }
        }
      else if (!hm_piece_copy (&s->piece, 0, self->buffer + done, len, &local))
        {
          self->finished = TRUE;
          g_propagate_error (error, local);
          return FALSE;
        }
      else
        done += len;
    }

  *block = (HmBulkBlock) { HM_BULK_DATA, self->pos, done, self->buffer, FALSE, NULL };
  self->pos += done;
  return done > 0;
}

/**
 * hm_bulk_next:
 * @self: a bulk reader
 * @block: (out caller-allocates): the next block
 * @error: a #GError: a %HM_FAULT_ERROR, or another reason the bytes could
 *   not be reached
 *
 * Delivers the next block of the range: data (at most a buffer, or the part of a
 * window, at a time), a hole (whole), or with %HM_BULK_SKIP_FAULTS an unreadable
 * page. The previous block's bytes are no longer valid.
 *
 * Returns: %TRUE with a block; %FALSE at the end of the range, or with @error set
 */
gboolean
hm_bulk_next (HmBulk       *self,
              HmBulkBlock  *block,
              GError      **error)
{
  const HmExtent *seg;
  guint64 seg_end;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (block != NULL, FALSE);

  release_window (self);
  if (self->finished || self->pos >= self->end)
    return FALSE;

  while (self->seg < self->segments->len &&
         g_array_index (self->segments, HmExtent, self->seg).offset +
         g_array_index (self->segments, HmExtent, self->seg).length <= self->pos)
    self->seg++;
  if (self->seg >= self->segments->len)
    return FALSE;
  seg = &g_array_index (self->segments, HmExtent, self->seg);
  seg_end = MIN (seg->offset + seg->length, self->end);

  if (self->pending != NULL)
    return fault_block (self, self->pos, seg_end, g_steal_pointer (&self->pending), block, error);

  if (seg->is_hole)
    {
      guint64 n = seg_end - self->pos;

      if (self->zeros != NULL)
        n = MIN (n, (guint64) self->buffer_size);
      *block = (HmBulkBlock) { HM_BULK_HOLE, self->pos, n, self->zeros, FALSE, NULL };
      self->pos += n;
      return TRUE;
    }

  if (self->overlay)
    return overlay_next (self, seg_end, block, error);

  if (self->path == HM_BULK_PATH_MAP)
    {
      guint64 fault = 0;
      GError *local = NULL;
      HmWindow *w = _hm_document_guard_window (self->doc, self->pos, HM_ACCESS_SEQUENTIAL,
                                               HM_GUARD_END_IS_FAULT | HM_GUARD_RAW_FAULTS |
                                               HM_GUARD_ALLOW_SHORT, &fault, &local);
      guint64 n;

      if (w == NULL && local != NULL)
        {
          self->finished = TRUE;
          g_propagate_error (error, local);
          return FALSE;
        }
      if (w == NULL)
        return fault_block (self, self->pos, seg_end,
                            _hm_document_fault_error (self->doc, fault, FALSE), block, error);
      if (w->offset + w->length <= self->pos)
        {
          /* A window holding edits ends before a file that grew since. */
          guint64 w_end = w->offset + w->length;

          _hm_document_release_window (self->doc, w);
          return fault_block (self, self->pos, seg_end,
                              _hm_document_fault_error (self->doc, w_end, FALSE), block, error);
        }
      self->window = w;
      n = MIN (seg_end, w->offset + w->length) - self->pos;
      *block = (HmBulkBlock) { HM_BULK_DATA, self->pos, n, w->data + (self->pos - w->offset), TRUE, NULL };
      self->pos += n;
      return TRUE;
    }
  else
    {
      /* Buffers end at multiples of their size, so reads stay page-aligned. */
      guint64 n = MIN (seg_end - self->pos, (guint64) (self->buffer_size - self->pos % self->buffer_size));
      guint64 fault_at = 0;
      GError *local = NULL;
      gsize got = source_read (&self->source, self->pos, self->buffer, (gsize) n, &fault_at, &local);

      if (got == 0)
        return fault_block (self, self->pos, seg_end, local, block, error);
      if (got < n)
        self->pending = local;
      *block = (HmBulkBlock) { HM_BULK_DATA, self->pos, got, self->buffer, FALSE, NULL };
      self->pos += got;
      return TRUE;
    }
}

/**
 * hm_bulk_run:
 * @self: a bulk reader
 * @block: a block with bytes from hm_bulk_next()
 * @func: (scope call): a leaf function that reads the block's bytes (no
 *   allocation, no locks, no GLib calls: it may be abandoned)
 * @user_data: data for @func
 * @fault_offset: (out) (optional): where a fault happened
 * @error: (nullable): the document's fault error for it
 *
 * Runs @func: directly on a buffer, under the fault guard on a mapped window.
 *
 * Returns: %TRUE if @func ran to completion
 */
gboolean
hm_bulk_run (HmBulk            *self,
             const HmBulkBlock *block,
             HmGuardedFunc      func,
             gpointer           user_data,
             guint64           *fault_offset,
             GError           **error)
{
  const void *fault_addr = NULL;
  guint64 f;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (block != NULL && block->data != NULL, FALSE);

  if (!block->mapped)
    {
      func (user_data);
      return TRUE;
    }
  if (hm_fault_guard_run (block->data, (gsize) block->length, func, user_data, &fault_addr))
    return TRUE;

  f = block->offset + (guint64) ((const guint8 *) fault_addr - block->data);
  if (fault_offset != NULL)
    *fault_offset = f;
  g_propagate_error (error, _hm_document_fault_error (self->doc, MAX (block->offset, f & ~page_mask ()),
                                                      FALSE));
  return FALSE;
}

/* --- one-shot reads ------------------------------------------------------- */

/**
 * hm_bulk_read:
 * @document: a document
 * @offset: the first byte
 * @buffer: (out caller-allocates) (array length=length): where the bytes go
 * @length: how many
 * @error: a #GError
 *
 * Reads all of [offset, offset + length) the way bulk reads do, straight into
 * @buffer: holes as zeros, pending preview edits as the document shows them.
 * For consumers that need two documents' bytes side by side (compare).
 *
 * Returns: %TRUE if every byte was read; %FALSE with the document's fault error
 *   (a range reaching past the end is a truncation at the end)
 */
gboolean
hm_bulk_read (HmDocument *document,
              guint64     offset,
              void       *buffer,
              gsize       length,
              GError    **error)
{
  g_autoptr(GArray) segments = NULL;
  guint8 *out = buffer;
  Source source = { document, document->fd, NULL, FALSE, FALSE };
  guint64 size, avail, hole_end = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (HM_IS_DOCUMENT (document), FALSE);
  g_return_val_if_fail (buffer != NULL || length == 0, FALSE);

  if (hm_bulk_choose_path (document, offset, length) == HM_BULK_PATH_MAP)
    {
      gssize got = hm_document_read (document, offset, buffer, length, error);

      if (got < 0)
        return FALSE;
      if ((gsize) got < length)
        {
          g_propagate_error (error, _hm_document_fault_error (document, offset + (guint64) got, FALSE));
          return FALSE;
        }
      return TRUE;
    }

  size = hm_document_get_size (document);
  avail = offset >= size ? 0 : MIN ((guint64) length, size - offset);
  segments = hm_bulk_get_segments (document, offset, avail);
  source.spans = preview_spans (document, offset, offset + avail);

  for (guint i = 0; ok && i < segments->len; i++)
    {
      const HmExtent *e = &g_array_index (segments, HmExtent, i);
      guint8 *at = out + (e->offset - offset);

      if (e->is_hole)
        {
          memset (at, 0, (gsize) e->length);
          hole_end = e->offset + e->length;
        }
      else
        {
          guint64 fault_at = 0;

          ok = source_read (&source, e->offset, at, (gsize) e->length, &fault_at, error) == e->length;
        }
    }
  g_clear_pointer (&source.spans, g_array_unref);
  if (!ok)
    return FALSE;

  if (avail < length)
    {
      g_propagate_error (error, _hm_document_fault_error (document, offset + avail, FALSE));
      return FALSE;
    }

  /* Zeros from the hole map need no read, so nothing tells us if the file
   * shrank under them: ask the file (as hm_document_read() does). */
  if (hole_end > 0 && document->kind == HM_FILE_KIND_REGULAR)
    {
      struct stat st;

      if (fstat (document->fd, &st) == 0 && (guint64) st.st_size < hole_end)
        {
          g_propagate_error (error, _hm_document_fault_error (document, MAX (offset, (guint64) st.st_size),
                                                              FALSE));
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * hm_bulk_prefetch:
 * @document: a document
 * @offset: the first byte
 * @length: how many
 *
 * Asks the kernel to start reading the data of a range that will be needed
 * soon (holes are left alone). Returns at once.
 */
void
hm_bulk_prefetch (HmDocument *document,
                  guint64     offset,
                  guint64     length)
{
  g_autoptr(GArray) extents = NULL;

  g_return_if_fail (HM_IS_DOCUMENT (document));

  if (document->kind == HM_FILE_KIND_ZERO_DEVICE || length == 0)
    return;
  extents = hm_document_get_extents (document, offset, length);
  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (!e->is_hole)
        posix_fadvise (document->fd, (off_t) e->offset, (off_t) e->length, POSIX_FADV_WILLNEED);
    }
}

/**
 * _hm_bulk_set_buffer_size:
 * @size: bytes per buffer for bulk readers made from now on; 0 for the default
 *
 * For tests: small buffers put block edges everywhere.
 */
void
_hm_bulk_set_buffer_size (gsize size)
{
  test_buffer_size = size;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Checksums of a document range: CRC-32, MD5, SHA-1, SHA-256 and SHA-512 in one
 * pass, each from the library made for it.
 *
 *   CRC-32            zlib's crc32_z(); a run of zeros is skipped with
 *                     crc32_combine64(), in time logarithmic in its length
 *   MD5, SHA-1,       OpenSSL's libcrypto (EVP), which uses the CPU's SHA
 *   SHA-256, SHA-512  extensions: 2.5-4x GChecksum for the SHAs. For MD5 there
 *                     is nothing special to use, and the two are close; measured
 *                     here in CPU time over 256 MiB in memory, libcrypto was still
 *                     12-15% faster (572-685 MB/s against 499-604 MB/s), so MD5
 *                     comes from libcrypto too
 *
 * The work is a pipeline. The calling thread reads: it copies each chunk of a
 * data run into a slot of a small ring of buffers (read_data(), the only place
 * that touches the file) and hands it on; a hole is handed on as "so many zeros"
 * without a buffer. Every sum asked for has a thread of its own that takes each
 * slot in turn, so reading and all the sums run side by side and the slowest one
 * sets the pace; a slot is refilled once every sum is done with it. The digests
 * run on private copies, never inside the fault guard (library code must not).
 *
 * Holes never touch the file: CRC-32 jumps over them arithmetically, so a sum of
 * CRC-32 alone costs what the file's data costs, however sparse it is; MD5 and
 * the SHAs have no such shortcut and are fed zeros from a static buffer.
 *
 * What is summed is what the document shows, pending edits included.
 */
#include "config.h"

#include "hm-checksum.h"

#include "hm-document-private.h"
#include "hm-fault.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* 1 MiB slots: pread() is at its fastest with 256 KiB - 4 MiB buffers, and eight
 * of them let a slow sum fall a little behind without stalling the reader. */
#define CHUNK_SIZE             (1024 * 1024)
#define N_SLOTS                8
#define ZERO_BUFFER_SIZE       (64 * 1024)
#define PROGRESS_INTERVAL_USEC (50 * 1000)
#define N_KINDS                5

struct _HmChecksumResult
{
  guint64         offset;
  guint64         length;
  HmChecksumKind  kinds;
  char           *sums[N_KINDS];
};

static const guint8 zeros[ZERO_BUFFER_SIZE];

/* ---- CRC-32 ---- */

/**
 * hm_crc32_update:
 * @crc: the CRC-32 of the bytes before @data (0 to start)
 * @data: (array length=length): more bytes
 * @length: bytes in @data
 *
 * Extends a CRC-32 with more bytes: zlib's crc32(), whose value of "123456789"
 * is 0xcbf43926.
 *
 * Returns: the CRC-32 of the bytes so far
 */
guint32
hm_crc32_update (guint32     crc,
                 const void *data,
                 gsize       length)
{
  g_return_val_if_fail (data != NULL || length == 0, crc);

  if (length == 0)
    return crc;
  return (guint32) crc32_z (crc, data, length);
}

/**
 * hm_crc32_update_zeros:
 * @crc: the CRC-32 of the bytes before
 * @length: how many zero bytes follow
 *
 * Extends a CRC-32 with @length zero bytes (a hole) in O(log @length) time.
 *
 * Returns: the CRC-32 of the bytes so far
 */
guint32
hm_crc32_update_zeros (guint32 crc,
                       guint64 length)
{
  /* Inside the pre- and post-inversion, a zero byte multiplies the CRC register
   * by x^8 modulo the polynomial; crc32_combine64 (A, 0, n) is A times x^(8n).
   * So extending by n zeros is that product taken inside the inversion. */
  guint32 c = crc ^ 0xffffffffu;

  while (length > 0)
    {
      guint64 n = MIN (length, (guint64) G_MAXINT64);

      c = (guint32) crc32_combine64 (c, 0, (z_off64_t) n);
      length -= n;
    }
  return c ^ 0xffffffffu;
}

/* ---- One sum ---- */

typedef struct
{
  HmChecksumKind  kind;
  guint32         crc;    /* CRC-32 */
  EVP_MD_CTX     *ctx;    /* the others */
} Digest;

static int
kind_index (HmChecksumKind kind)
{
  switch (kind)
    {
    case HM_CHECKSUM_CRC32:
      return 0;
    case HM_CHECKSUM_MD5:
      return 1;
    case HM_CHECKSUM_SHA1:
      return 2;
    case HM_CHECKSUM_SHA256:
      return 3;
    case HM_CHECKSUM_SHA512:
      return 4;
    case HM_CHECKSUM_ALL:
    default:
      return -1;
    }
}

static const EVP_MD *
digest_evp_md (HmChecksumKind kind)
{
  switch (kind)
    {
    case HM_CHECKSUM_MD5:
      return EVP_md5 ();
    case HM_CHECKSUM_SHA1:
      return EVP_sha1 ();
    case HM_CHECKSUM_SHA256:
      return EVP_sha256 ();
    case HM_CHECKSUM_SHA512:
      return EVP_sha512 ();
    case HM_CHECKSUM_CRC32:
    case HM_CHECKSUM_ALL:
    default:
      return NULL;
    }
}

static void
set_digest_error (GError         **error,
                  HmDocument      *doc,
                  HmChecksumKind   kind)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("Could not compute the %s of “%s”: out of memory or no cryptographic "
                 "library"),
               hm_checksum_kind_to_string (kind), hm_document_get_display_name (doc));
}

/* OpenSSL tears itself down in an atexit() handler by default. A sum may still
 * be starting or finishing on a worker while the program exits (the checksum
 * dialog closed mid-run, then the application quit): it crashed in the torn-down
 * library (test-panels, 3 runs in 15). Keep the library alive to the very end. */
static gpointer
init_libcrypto (gpointer data)
{
  return GINT_TO_POINTER (OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, NULL) == 1);
}

static gboolean
digest_init (Digest          *digest,
             HmChecksumKind   kind,
             HmDocument      *doc,
             GError         **error)
{
  static GOnce libcrypto_once = G_ONCE_INIT;
  const EVP_MD *md;

  digest->kind = kind;
  if (kind == HM_CHECKSUM_CRC32)
    return TRUE;

  /* Before anything else of OpenSSL's runs, or its default init wins. */
  g_once (&libcrypto_once, init_libcrypto, NULL);
  md = digest_evp_md (kind);
  digest->ctx = EVP_MD_CTX_new ();
  if (md == NULL || digest->ctx == NULL || EVP_DigestInit_ex (digest->ctx, md, NULL) != 1)
    {
      set_digest_error (error, doc, kind);
      return FALSE;
    }
  return TRUE;
}

static gboolean
digest_update (Digest       *digest,
               const guint8 *data,
               gsize         length)
{
  if (digest->kind == HM_CHECKSUM_CRC32)
    digest->crc = hm_crc32_update (digest->crc, data, length);
  else
    return EVP_DigestUpdate (digest->ctx, data, length) == 1;
  return TRUE;
}

static gboolean
digest_update_zeros (Digest  *digest,
                     guint64  length)
{
  if (digest->kind == HM_CHECKSUM_CRC32)
    {
      digest->crc = hm_crc32_update_zeros (digest->crc, length);
      return TRUE;
    }
  while (length > 0)
    {
      gsize n = (gsize) MIN (length, (guint64) sizeof zeros);

      if (!digest_update (digest, zeros, n))
        return FALSE;
      length -= n;
    }
  return TRUE;
}

/* Returns: (transfer full) (nullable): the sum as lowercase hex */
static char *
digest_finish (Digest *digest)
{
  static const char hex_digits[] = "0123456789abcdef";
  guint8 md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  char *hex;

  if (digest->kind == HM_CHECKSUM_CRC32)
    return g_strdup_printf ("%08x", digest->crc);
  if (EVP_DigestFinal_ex (digest->ctx, md, &n) != 1)
    return NULL;

  hex = g_malloc (2 * n + 1);
  for (unsigned int i = 0; i < n; i++)
    {
      hex[2 * i] = hex_digits[md[i] >> 4];
      hex[2 * i + 1] = hex_digits[md[i] & 0xf];
    }
  hex[2 * n] = '\0';
  return hex;
}

static void
digest_clear (Digest *digest)
{
  g_clear_pointer (&digest->ctx, EVP_MD_CTX_free);
}

/* ---- The pipeline: one reader, one thread per sum ---- */

typedef struct _Pipeline Pipeline;

typedef struct
{
  guint8  *data;
  gsize    length;   /* bytes in data */
  guint64  zeros;    /* or, for a hole, this many zeros (data unused) */
  guint    pending;  /* sums yet to take it; 0: free for the reader */
} Slot;

typedef struct
{
  Pipeline *pipeline;
  Digest    digest;
  GThread  *thread;
  guint64   next;      /* the item it takes next */
  gboolean  failed;
} Consumer;

struct _Pipeline
{
  GMutex    lock;
  GCond     ready;       /* an item was published, or the end came */
  GCond     freed;       /* a slot was freed, or a sum failed */
  Slot      slots[N_SLOTS];
  guint     n_slots;
  gsize     slot_size;
  guint64   published;   /* items handed on */
  guint64   consumed;    /* bytes every sum is done with */
  gboolean  ended;       /* no more items will come */
  gboolean  aborted;     /* stop now */
  Consumer  consumers[N_KINDS];
  guint     n_consumers;
};

static gpointer
consumer_thread (gpointer data)
{
  Consumer *self = data;
  Pipeline *pipeline = self->pipeline;

  for (;;)
    {
      Slot *slot;
      gboolean ok;

      g_mutex_lock (&pipeline->lock);
      while (self->next == pipeline->published && !pipeline->ended && !pipeline->aborted)
        g_cond_wait (&pipeline->ready, &pipeline->lock);
      if (pipeline->aborted || self->next == pipeline->published)
        {
          g_mutex_unlock (&pipeline->lock);
          break;
        }
      slot = &pipeline->slots[self->next % pipeline->n_slots];
      g_mutex_unlock (&pipeline->lock);

      /* The reader leaves a published slot alone until every sum is done with it. */
      if (slot->zeros > 0)
        ok = digest_update_zeros (&self->digest, slot->zeros);
      else
        ok = digest_update (&self->digest, slot->data, slot->length);

      g_mutex_lock (&pipeline->lock);
      self->next++;
      if (--slot->pending == 0)
        {
          pipeline->consumed += slot->length + slot->zeros;
          g_cond_signal (&pipeline->freed);
        }
      if (!ok)
        {
          self->failed = TRUE;
          pipeline->aborted = TRUE;
          g_cond_broadcast (&pipeline->ready);
          g_cond_signal (&pipeline->freed);
        }
      g_mutex_unlock (&pipeline->lock);
    }

  return NULL;
}

/* Sets up the ring and one consumer per sum in @kinds; threads not started yet. */
static gboolean
pipeline_init (Pipeline        *pipeline,
               HmChecksumKind   kinds,
               guint64          length,
               HmDocument      *doc,
               GError         **error)
{
  g_mutex_init (&pipeline->lock);
  g_cond_init (&pipeline->ready);
  g_cond_init (&pipeline->freed);

  /* A short range needs neither big nor many buffers. */
  pipeline->slot_size = (gsize) MAX (MIN (length, (guint64) CHUNK_SIZE), 1);
  pipeline->n_slots = (guint) MAX (MIN ((length + CHUNK_SIZE - 1) / CHUNK_SIZE, (guint64) N_SLOTS), 1);
  for (guint i = 0; i < pipeline->n_slots; i++)
    {
      pipeline->slots[i].data = g_try_malloc (pipeline->slot_size);
      if (pipeline->slots[i].data == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("Not enough memory to compute checksums of “%s”"),
                       hm_document_get_display_name (doc));
          return FALSE;
        }
    }

  for (guint k = 0; k < N_KINDS; k++)
    {
      HmChecksumKind kind = 1u << k;
      Consumer *consumer;

      if (!(kinds & kind))
        continue;
      consumer = &pipeline->consumers[pipeline->n_consumers++];
      consumer->pipeline = pipeline;
      if (!digest_init (&consumer->digest, kind, doc, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
pipeline_start (Pipeline    *pipeline,
                HmDocument  *doc,
                GError     **error)
{
  for (guint i = 0; i < pipeline->n_consumers; i++)
    {
      Consumer *consumer = &pipeline->consumers[i];
      g_autofree char *name = g_strdup_printf ("hm-sum-%s", hm_checksum_kind_to_string (consumer->digest.kind));
      g_autoptr(GError) local_error = NULL;

      consumer->thread = g_thread_try_new (name, consumer_thread, consumer, &local_error);
      if (consumer->thread == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("Cannot start computing checksums of “%s”: %s"),
                       hm_document_get_display_name (doc), local_error->message);
          return FALSE;
        }
    }
  return TRUE;
}

/* The next slot to fill, once every sum is done with it; %NULL if a sum failed. */
static Slot *
pipeline_acquire (Pipeline *pipeline)
{
  Slot *slot = &pipeline->slots[pipeline->published % pipeline->n_slots];

  g_mutex_lock (&pipeline->lock);
  while (slot->pending > 0 && !pipeline->aborted)
    g_cond_wait (&pipeline->freed, &pipeline->lock);
  if (pipeline->aborted)
    slot = NULL;
  g_mutex_unlock (&pipeline->lock);
  return slot;
}

static void
pipeline_publish (Pipeline *pipeline,
                  Slot     *slot)
{
  g_mutex_lock (&pipeline->lock);
  slot->pending = pipeline->n_consumers;
  pipeline->published++;
  g_cond_broadcast (&pipeline->ready);
  g_mutex_unlock (&pipeline->lock);
}

static guint64
pipeline_get_consumed (Pipeline *pipeline)
{
  guint64 consumed;

  g_mutex_lock (&pipeline->lock);
  consumed = pipeline->consumed;
  g_mutex_unlock (&pipeline->lock);
  return consumed;
}

/* No more items: lets the sums finish what was published (or drop it all if
 * @abort), and waits for their threads. Returns: %FALSE if a sum failed. */
static gboolean
pipeline_end (Pipeline *pipeline,
              gboolean  abort)
{
  gboolean failed = FALSE;

  g_mutex_lock (&pipeline->lock);
  pipeline->ended = TRUE;
  if (abort)
    pipeline->aborted = TRUE;
  g_cond_broadcast (&pipeline->ready);
  g_mutex_unlock (&pipeline->lock);

  for (guint i = 0; i < pipeline->n_consumers; i++)
    {
      Consumer *consumer = &pipeline->consumers[i];

      if (consumer->thread != NULL)
        g_thread_join (g_steal_pointer (&consumer->thread));
      failed |= consumer->failed;
    }
  return !failed;
}

static void
pipeline_clear (Pipeline *pipeline)
{
  /* Threads that were started are joined: pipeline_end() always runs first. */
  for (guint i = 0; i < pipeline->n_consumers; i++)
    digest_clear (&pipeline->consumers[i].digest);
  for (guint i = 0; i < N_SLOTS; i++)
    g_clear_pointer (&pipeline->slots[i].data, g_free);
  g_cond_clear (&pipeline->freed);
  g_cond_clear (&pipeline->ready);
  g_mutex_clear (&pipeline->lock);
}

/* The sum that failed, for the message. */
static HmChecksumKind
pipeline_failed_kind (Pipeline *pipeline)
{
  for (guint i = 0; i < pipeline->n_consumers; i++)
    if (pipeline->consumers[i].failed)
      return pipeline->consumers[i].digest.kind;
  return HM_CHECKSUM_CRC32;
}

/* ---- The scan (the reader) ---- */

typedef struct
{
  HmDocument     *doc;
  gboolean        use_pread;
  guint64         hole_item;      /* the longest hole handed on as one item */
  Pipeline        pipeline;
  GCancellable   *cancellable;
  HmProgressFunc  progress;
  gpointer        progress_data;
  guint64         done;           /* bytes handed on */
  guint64         total;
  gint64          last_progress;
} Scan;

static void
report_progress (Scan     *scan,
                 gboolean  force)
{
  gint64 now;

  if (scan->progress == NULL)
    return;
  now = g_get_monotonic_time ();
  if (force || now - scan->last_progress >= PROGRESS_INTERVAL_USEC)
    {
      scan->last_progress = now;
      scan->progress (force ? scan->done : pipeline_get_consumed (&scan->pipeline), scan->total,
                      scan->progress_data);
    }
}

/* Copies [offset, offset + length) of a data run into @buffer. This is the one
 * place the sums read the file.
 *
 * A read-only document shows exactly what the file holds, so its bytes are
 * read with pread(): 5-6 times faster than through mapped windows here, where
 * setting up page tables is what a scan of mapped memory mostly costs. A
 * document that may hold edits is read through its windows, under the fault
 * guard. Either way, a file that ends early (it shrank under us) or a storage
 * error is the document's fault error at the first byte not read. */
static gboolean
read_data (Scan     *scan,
           guint64   offset,
           guint8   *buffer,
           gsize     length,
           GError  **error)
{
  gsize done = 0;

  /* Inserts or deletes pending: the content, through the pieces */
  if (_hm_document_is_structural (scan->doc))
    {
      gssize got = hm_document_read (scan->doc, offset, buffer, length, error);

      if (got >= 0 && (gsize) got != length)
        g_propagate_error (error, _hm_document_fault_error (scan->doc, offset + (guint64) got, FALSE));
      return got >= 0 && (gsize) got == length;
    }
  if (!scan->use_pread)
    return _hm_document_copy_guarded (scan->doc, offset, buffer, length, HM_ACCESS_SEQUENTIAL,
                                      HM_GUARD_END_IS_FAULT, NULL, error);

  while (done < length)
    {
      gssize got = pread (scan->doc->fd, buffer + done, length - done, (off_t) (offset + done));

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        {
          g_propagate_error (error, _hm_document_fault_error (scan->doc, offset + done, FALSE));
          return FALSE;
        }
      done += (gsize) got;
    }
  return TRUE;
}

/* Hands a slot on; %FALSE (with @error) if a sum failed. */
static gboolean
publish (Scan     *scan,
         Slot     *slot,
         GError  **error)
{
  if (slot == NULL)
    {
      set_digest_error (error, scan->doc, pipeline_failed_kind (&scan->pipeline));
      return FALSE;
    }
  pipeline_publish (&scan->pipeline, slot);
  scan->done += slot->length + slot->zeros;
  report_progress (scan, FALSE);
  return TRUE;
}

/* A hole [offset, offset + length): zeros, without touching the file. */
static gboolean
feed_hole (Scan     *scan,
           guint64   offset,
           guint64   length,
           GError  **error)
{
  guint64 left = length;
  guint8 last;
  gssize n;

  while (left > 0)
    {
      guint64 item = MIN (left, scan->hole_item);
      Slot *slot;

      if (g_cancellable_set_error_if_cancelled (scan->cancellable, error))
        return FALSE;
      slot = pipeline_acquire (&scan->pipeline);
      if (slot != NULL)
        {
          slot->length = 0;
          slot->zeros = item;
        }
      if (!publish (scan, slot, error))
        return FALSE;
      left -= item;
    }

  /* Zeros from the hole map need no page, so no fault would tell us that the
   * file was cut short under us: reading the hole's last byte checks the file's
   * size (the document compares it with fstat). */
  n = hm_document_read (scan->doc, offset + length - 1, &last, 1, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    {
      g_propagate_error (error, _hm_document_fault_error (scan->doc, offset + length - 1, FALSE));
      return FALSE;
    }
  return TRUE;
}

static gboolean
feed_data (Scan     *scan,
           guint64   offset,
           guint64   length,
           GError  **error)
{
  guint64 end = offset + length;

  while (offset < end)
    {
      gsize n = (gsize) MIN (end - offset, (guint64) scan->pipeline.slot_size);
      Slot *slot;

      if (g_cancellable_set_error_if_cancelled (scan->cancellable, error))
        return FALSE;
      slot = pipeline_acquire (&scan->pipeline);
      if (slot != NULL)
        {
          if (!read_data (scan, offset, slot->data, n, error))
            return FALSE;
          slot->length = n;
          slot->zeros = 0;
        }
      if (!publish (scan, slot, error))
        return FALSE;
      offset += n;
    }

  return TRUE;
}

/* ---- CRC-32 alone, on every core ---- */

/* CRC-32 alone of a read-only file is cheap enough per byte (zlib: ~5 GB/s on
 * one core) that one reader thread feeding one CRC thread tops out at the CRC's
 * speed. Instead the range is cut into one part per core; each part reads its
 * bytes with pread() into a buffer of its own that stays in the cache, CRCs
 * them there, and jumps over its holes arithmetically. The parts' CRCs are then
 * joined in file order with crc32_combine64(). Parts are big (at least
 * PARALLEL_CRC_MIN_PART), so a small range stays on the calling thread. */
#define PARALLEL_CRC_MIN_PART  (32 * 1024 * 1024)
#define PARALLEL_CRC_MAX_PARTS 16
#define PARALLEL_CRC_BUFFER    (256 * 1024)

typedef struct
{
  Scan        *scan;
  GArray      *extents;
  guint64      start;        /* the part: [start, end) */
  guint64      end;
  guint32      crc;
  guint64      fault;        /* the first offset not read, or G_MAXUINT64 */
  gboolean     cancelled;
  gint        *stop;         /* set by a part that failed: the others stop too */
  guint64     *done;         /* bytes done by all parts (atomic) */
  GThread     *thread;
} CrcPart;

static void
crc_part_add_done (CrcPart *part,
                   guint64  bytes)
{
  /* No 64-bit atomic add in GLib 2.74: a compare-and-swap loop. */
  guint64 old;

  do
    old = (guint64) g_atomic_pointer_get ((gpointer *) part->done);
  while (!g_atomic_pointer_compare_and_exchange ((gpointer *) part->done, (gpointer) old,
                                                 (gpointer) (old + bytes)));
}

/* Reports progress on the calling thread (part 0), from all parts' bytes. */
static void
crc_part_progress (CrcPart *part,
                   gboolean on_caller)
{
  Scan *scan = part->scan;
  gint64 now;

  if (!on_caller || scan->progress == NULL)
    return;
  now = g_get_monotonic_time ();
  if (now - scan->last_progress >= PROGRESS_INTERVAL_USEC)
    {
      scan->last_progress = now;
      scan->progress ((guint64) g_atomic_pointer_get ((gpointer *) part->done), scan->total, scan->progress_data);
    }
}

static void
crc_part_run (CrcPart  *part,
              gboolean  on_caller)
{
  Scan *scan = part->scan;
  g_autofree guint8 *buffer = g_try_malloc (PARALLEL_CRC_BUFFER);
  guint32 crc = 0;

  part->fault = G_MAXUINT64;
  if (buffer == NULL)
    {
      part->fault = part->start;
      g_atomic_int_set (part->stop, 1);
      return;
    }
  for (guint i = 0; i < part->extents->len; i++)
    {
      const HmExtent *e = &g_array_index (part->extents, HmExtent, i);
      guint64 from = MAX (e->offset, part->start);
      guint64 to = MIN (e->offset + e->length, part->end);

      if (from >= to)
        continue;
      if (e->is_hole)
        {
          guint8 last;

          crc = hm_crc32_update_zeros (crc, to - from);
          /* No page of a hole is read: its last byte tells whether the file
           * still reaches that far (see feed_hole()). */
          if (pread (scan->doc->fd, &last, 1, (off_t) (to - 1)) != 1)
            {
              part->fault = to - 1;
              g_atomic_int_set (part->stop, 1);
              break;
            }
          crc_part_add_done (part, to - from);
          continue;
        }
      while (from < to)
        {
          gsize want = (gsize) MIN (to - from, (guint64) PARALLEL_CRC_BUFFER);
          gsize have = 0;

          if (g_atomic_int_get (part->stop) || g_cancellable_is_cancelled (scan->cancellable))
            {
              part->cancelled = TRUE;
              break;
            }
          while (have < want)
            {
              gssize got = pread (scan->doc->fd, buffer + have, want - have, (off_t) (from + have));

              if (got < 0 && errno == EINTR)
                continue;
              if (got <= 0)
                break;
              have += (gsize) got;
            }
          if (have < want)
            {
              part->fault = from + have;
              g_atomic_int_set (part->stop, 1);
              break;
            }
          crc = hm_crc32_update (crc, buffer, want);
          from += want;
          crc_part_add_done (part, want);
          crc_part_progress (part, on_caller);
        }
      if (part->fault != G_MAXUINT64 || part->cancelled)
        break;
    }
  part->crc = crc;
}

static gpointer
crc_part_thread (gpointer data)
{
  crc_part_run (data, FALSE);
  return NULL;
}

static guint forced_crc_parts;

/**
 * _hm_checksum_set_crc32_parts:
 * @n_parts: how many parts a CRC-32 alone of a read-only document is cut into,
 *   whatever its size and the number of cores; 0 to choose by both again
 *
 * For tests: the parts and their joining are checked on small files and on
 * machines with one core.
 */
void
_hm_checksum_set_crc32_parts (guint n_parts)
{
  g_atomic_int_set (&forced_crc_parts, MIN (n_parts, PARALLEL_CRC_MAX_PARTS));
}

/* How many parts a CRC-32 of @length bytes is cut into. */
static guint
crc_n_parts (guint64 length)
{
  guint64 n = MIN ((guint64) g_get_num_processors (), (guint64) PARALLEL_CRC_MAX_PARTS);
  guint forced = (guint) g_atomic_int_get (&forced_crc_parts);

  if (forced > 0)
    return (guint) MAX (MIN ((guint64) forced, length), 1);

  n = MIN (n, length / PARALLEL_CRC_MIN_PART);
  return (guint) MAX (n, 1);
}

/* The CRC-32 of [offset, offset + length) of a read-only document on
 * crc_n_parts() threads (the calling thread is one). */
static char *
crc32_parallel (Scan     *scan,
                guint64   offset,
                guint64   length,
                GError  **error)
{
  g_autoptr(GArray) extents = hm_document_get_extents (scan->doc, offset, length);
  guint n = crc_n_parts (length);
  CrcPart parts[PARALLEL_CRC_MAX_PARTS] = { { 0 } };
  guint64 done = 0;
  gint stop = 0;
  guint64 fault = G_MAXUINT64;
  gboolean cancelled = FALSE;
  guint32 crc = 0;

  for (guint i = 0; i < n; i++)
    {
      parts[i].scan = scan;
      parts[i].extents = extents;
      parts[i].start = offset + length / n * i;
      parts[i].end = i + 1 == n ? offset + length : offset + length / n * (i + 1);
      parts[i].stop = &stop;
      parts[i].done = &done;
    }
  /* A part whose thread cannot start runs on the calling thread. */
  for (guint i = 1; i < n; i++)
    parts[i].thread = g_thread_try_new ("hm-crc32", crc_part_thread, &parts[i], NULL);
  crc_part_run (&parts[0], TRUE);
  for (guint i = 1; i < n; i++)
    {
      if (parts[i].thread != NULL)
        g_thread_join (g_steal_pointer (&parts[i].thread));
      else
        crc_part_run (&parts[i], TRUE);
    }

  for (guint i = 0; i < n; i++)
    {
      fault = MIN (fault, parts[i].fault);
      cancelled = cancelled || parts[i].cancelled;
      crc = (guint32) crc32_combine64 (crc, parts[i].crc, (z_off64_t) (parts[i].end - parts[i].start));
    }
  /* A part that stopped because another failed is not a cancel. */
  if (fault != G_MAXUINT64)
    {
      g_propagate_error (error, _hm_document_fault_error (scan->doc, fault, FALSE));
      return NULL;
    }
  if (cancelled && g_cancellable_set_error_if_cancelled (scan->cancellable, error))
    return NULL;
  scan->done = length;
  return g_strdup_printf ("%08x", crc);
}

/**
 * hm_checksum_compute:
 * @document: a #HmDocument
 * @offset: first byte to sum
 * @length: bytes to sum; the range must lie inside the document
 * @kinds: which sums to compute
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): told bytes done and total, about 20 times a
 *   second and once at the end, on the calling thread
 * @progress_data: data for @progress
 * @error: return location for an error
 *
 * Computes checksums of a range of what the document shows (pending edits
 * included); from the UI use hm_checksum_compute_async(). The calling thread
 * reads while each sum runs on a thread of its own. A page that cannot be read
 * fails the whole computation with a %HM_FAULT_ERROR naming the offset; nothing
 * is skipped. Running out of memory or threads is an error too, never an abort.
 *
 * Returns: (transfer full) (nullable): the sums, or %NULL with @error set
 */
HmChecksumResult *
hm_checksum_compute (HmDocument      *document,
                     guint64          offset,
                     guint64          length,
                     HmChecksumKind   kinds,
                     GCancellable    *cancellable,
                     HmProgressFunc   progress,
                     gpointer         progress_data,
                     GError         **error)
{
  g_autoptr(GArray) extents = NULL;
  g_autoptr(HmChecksumResult) result = NULL;
  Scan scan = { 0 };
  guint64 size;
  gboolean ok;

  g_return_val_if_fail (HM_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail ((kinds & HM_CHECKSUM_ALL) != 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  size = hm_document_get_size (document);
  if (offset > size || length > size - offset)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE,
                   _("The range 0x%" PRIx64 " + %" PRIu64
                     " lies outside “%s”, which ends at 0x%" PRIx64),
                   offset, length, hm_document_get_display_name (document), size);
      return NULL;
    }

  hm_fault_guard_install ();
  kinds &= HM_CHECKSUM_ALL;

  scan.doc = document;
  scan.use_pread = hm_document_get_mode (document) == HM_DOCUMENT_MODE_READ_ONLY &&
                   hm_document_get_kind (document) != HM_FILE_KIND_ZERO_DEVICE;
  /* CRC-32 alone takes a hole in one step. A hash is fed a hole's zeros one
   * chunk at a time, so that cancelling and progress still work inside it. */
  scan.hole_item = kinds == HM_CHECKSUM_CRC32 ? G_MAXUINT64 : CHUNK_SIZE;
  scan.cancellable = cancellable;
  scan.progress = progress;
  scan.progress_data = progress_data;
  scan.total = length;
  scan.last_progress = g_get_monotonic_time ();

  if (kinds == HM_CHECKSUM_CRC32 && scan.use_pread && !_hm_document_is_structural (document))
    {
      char *crc;

      report_progress (&scan, TRUE);
      crc = crc32_parallel (&scan, offset, length, error);
      if (crc == NULL)
        return NULL;
      result = g_new0 (HmChecksumResult, 1);
      result->offset = offset;
      result->length = length;
      result->kinds = kinds;
      result->sums[kind_index (HM_CHECKSUM_CRC32)] = crc;
      report_progress (&scan, TRUE);
      return g_steal_pointer (&result);
    }

  ok = pipeline_init (&scan.pipeline, kinds, length, document, error) &&
       pipeline_start (&scan.pipeline, document, error);
  if (ok)
    {
      report_progress (&scan, TRUE);
      extents = hm_document_get_extents (document, offset, length);
      for (guint i = 0; ok && i < extents->len; i++)
        {
          const HmExtent *e = &g_array_index (extents, HmExtent, i);

          if (e->is_hole)
            ok = feed_hole (&scan, e->offset, e->length, error);
          else
            ok = feed_data (&scan, e->offset, e->length, error);
        }
      /* The extents cover the range unless the file shrank since we checked. */
      if (ok && scan.done < length)
        {
          g_propagate_error (error, _hm_document_fault_error (document, offset + scan.done, FALSE));
          ok = FALSE;
        }
    }

  if (!pipeline_end (&scan.pipeline, !ok) && ok)
    {
      set_digest_error (error, document, pipeline_failed_kind (&scan.pipeline));
      ok = FALSE;
    }

  if (ok)
    {
      result = g_new0 (HmChecksumResult, 1);
      result->offset = offset;
      result->length = length;
      result->kinds = kinds;
      for (guint i = 0; ok && i < scan.pipeline.n_consumers; i++)
        {
          Digest *digest = &scan.pipeline.consumers[i].digest;
          char *hex = digest_finish (digest);

          if (hex == NULL)
            {
              set_digest_error (error, document, digest->kind);
              ok = FALSE;
            }
          result->sums[kind_index (digest->kind)] = hex;
        }
      if (ok)
        report_progress (&scan, TRUE);
      else
        g_clear_pointer (&result, hm_checksum_result_free);
    }

  pipeline_clear (&scan.pipeline);
  return g_steal_pointer (&result);
}

typedef struct
{
  guint64         offset;
  guint64         length;
  HmChecksumKind  kinds;
  HmProgressFunc  progress;
  gpointer        progress_data;
  GDestroyNotify  progress_destroy;
} TaskData;

static void
task_data_free (gpointer data)
{
  TaskData *td = data;

  if (td->progress_destroy != NULL)
    td->progress_destroy (td->progress_data);
  g_free (td);
}

static void
compute_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  TaskData *td = task_data;
  GError *error = NULL;
  HmChecksumResult *result;

  result = hm_checksum_compute (HM_DOCUMENT (source_object), td->offset, td->length, td->kinds,
                                cancellable, td->progress, td->progress_data, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) hm_checksum_result_free);
}

/**
 * hm_checksum_compute_async:
 * @document: a #HmDocument
 * @offset: first byte to sum
 * @length: bytes to sum
 * @kinds: which sums to compute
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable): told bytes done and total, on the worker thread: keep it
 *   short (store the numbers, let the main loop show them)
 * @progress_data: data for @progress
 * @progress_destroy: (nullable): frees @progress_data once the task is done
 * @callback: called on the thread-default main context at the end
 * @user_data: data for @callback
 *
 * Computes checksums in a worker thread; see hm_checksum_compute().
 */
void
hm_checksum_compute_async (HmDocument          *document,
                           guint64              offset,
                           guint64              length,
                           HmChecksumKind       kinds,
                           GCancellable        *cancellable,
                           HmProgressFunc       progress,
                           gpointer             progress_data,
                           GDestroyNotify       progress_destroy,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *td;

  g_return_if_fail (HM_IS_DOCUMENT (document));
  g_return_if_fail ((kinds & HM_CHECKSUM_ALL) != 0);

  td = g_new0 (TaskData, 1);
  td->offset = offset;
  td->length = length;
  td->kinds = kinds;
  td->progress = progress;
  td->progress_data = progress_data;
  td->progress_destroy = progress_destroy;

  task = g_task_new (document, cancellable, callback, user_data);
  g_task_set_source_tag (task, hm_checksum_compute_async);
  g_task_set_name (task, "[hexmap] checksum");
  g_task_set_task_data (task, td, task_data_free);
  g_task_run_in_thread (task, compute_in_thread);
}

/**
 * hm_checksum_compute_finish:
 * @document: a #HmDocument
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Completes hm_checksum_compute_async().
 *
 * Returns: (transfer full) (nullable): the sums, or %NULL with @error set
 */
HmChecksumResult *
hm_checksum_compute_finish (HmDocument    *document,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (g_task_is_valid (result, document), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * hm_checksum_result_get:
 * @result: a result
 * @kind: one sum
 *
 * Returns: (nullable): the sum as lowercase hex, or %NULL if it was not asked for
 */
const char *
hm_checksum_result_get (const HmChecksumResult *result,
                        HmChecksumKind          kind)
{
  int i = kind_index (kind);

  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (i >= 0, NULL);

  return result->sums[i];
}

guint64
hm_checksum_result_get_offset (const HmChecksumResult *result)
{
  g_return_val_if_fail (result != NULL, 0);
  return result->offset;
}

guint64
hm_checksum_result_get_length (const HmChecksumResult *result)
{
  g_return_val_if_fail (result != NULL, 0);
  return result->length;
}

void
hm_checksum_result_free (HmChecksumResult *result)
{
  if (result == NULL)
    return;
  for (guint k = 0; k < N_KINDS; k++)
    g_free (result->sums[k]);
  g_free (result);
}

/**
 * hm_checksum_kind_to_string:
 * @kind: one sum
 *
 * Returns: the sum's usual name ("CRC-32", "SHA-256", …); not translated
 */
const char *
hm_checksum_kind_to_string (HmChecksumKind kind)
{
  switch (kind)
    {
    case HM_CHECKSUM_CRC32:
      return "CRC-32";
    case HM_CHECKSUM_MD5:
      return "MD5";
    case HM_CHECKSUM_SHA1:
      return "SHA-1";
    case HM_CHECKSUM_SHA256:
      return "SHA-256";
    case HM_CHECKSUM_SHA512:
      return "SHA-512";
    case HM_CHECKSUM_ALL:
    default:
      return NULL;
    }
}

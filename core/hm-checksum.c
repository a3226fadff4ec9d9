/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Checksums of a document range: CRC-32, MD5, SHA-1 and SHA-256 in one pass.
 *
 * Data runs are copied out of mapped windows in chunks under the fault guard
 * (GChecksum is GLib code, so it must never run inside a guarded region) and
 * fed to every requested sum. Holes never touch the file: CRC-32 skips over a
 * run of zeros arithmetically, in time logarithmic in its length; MD5 and the
 * SHAs have no such shortcut and are fed zeros from a static buffer. A sum of
 * CRC-32 alone therefore costs what the file's data costs, however sparse it is.
 *
 * What is summed is what the document shows, pending edits included.
 */
#include "config.h"

#include "hm-checksum.h"

#include "hm-document-private.h"
#include "hm-fault.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#define CHUNK_SIZE             (1024 * 1024)
#define ZERO_BUFFER_SIZE       (64 * 1024)
#define PROGRESS_INTERVAL_USEC (50 * 1000)
#define N_KINDS                4

struct _HmChecksumResult
{
  guint64         offset;
  guint64         length;
  HmChecksumKind  kinds;
  char           *sums[N_KINDS];
};

static const guint8 zeros[ZERO_BUFFER_SIZE];

/* ---- CRC-32 ---- */

/* Reflected IEEE 802.3 polynomial (x^32 + x^26 + … + 1, bit-reversed). */
#define CRC32_POLY 0xedb88320u

static guint32 crc32_table[256];

static gpointer
crc32_init_table (gpointer data)
{
  for (guint32 n = 0; n < 256; n++)
    {
      guint32 c = n;

      for (int k = 0; k < 8; k++)
        c = (c & 1) ? CRC32_POLY ^ (c >> 1) : c >> 1;
      crc32_table[n] = c;
    }
  return NULL;
}

static void
crc32_ensure_table (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, crc32_init_table, NULL);
}

/**
 * hm_crc32_update:
 * @crc: the CRC-32 of the bytes before @data (0 to start)
 * @data: (array length=length): more bytes
 * @length: bytes in @data
 *
 * Extends a CRC-32 with more bytes, the way zlib's crc32() does: the value of
 * "123456789" is 0xcbf43926.
 *
 * Returns: the CRC-32 of the bytes so far
 */
guint32
hm_crc32_update (guint32     crc,
                 const void *data,
                 gsize       length)
{
  const guint8 *p = data;
  guint32 c = crc ^ 0xffffffffu;

  g_return_val_if_fail (data != NULL || length == 0, crc);

  crc32_ensure_table ();
  for (gsize i = 0; i < length; i++)
    c = crc32_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

/* The CRC register is a vector over GF(2); feeding it a zero bit is a linear
 * map, a 32x32 bit matrix stored as 32 column words. Feeding 2^k zero bytes is
 * that matrix raised to the power 8 * 2^k, found by repeated squaring. */
static guint32
gf2_apply (const guint32 *matrix,
           guint32        vector)
{
  guint32 sum = 0;

  for (guint i = 0; vector != 0; i++, vector >>= 1)
    if (vector & 1)
      sum ^= matrix[i];
  return sum;
}

static void
gf2_square (guint32       *result,
            const guint32 *matrix)
{
  for (guint i = 0; i < 32; i++)
    result[i] = gf2_apply (matrix, matrix[i]);
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
  guint32 a[32], b[32];
  guint32 *power = a, *next = b;
  guint32 c;

  if (length < 256)
    {
      while (length > 0)
        {
          gsize n = (gsize) MIN (length, (guint64) sizeof zeros);

          crc = hm_crc32_update (crc, zeros, n);
          length -= n;
        }
      return crc;
    }

  /* One zero bit: shift right, and fold the polynomial in if a one fell out. */
  next[0] = CRC32_POLY;
  for (guint i = 1; i < 32; i++)
    next[i] = 1u << (i - 1);
  /* Square three times: one zero byte. */
  gf2_square (power, next);
  gf2_square (next, power);
  gf2_square (power, next);

  c = crc ^ 0xffffffffu;
  for (;;)
    {
      guint32 *tmp;

      if (length & 1)
        c = gf2_apply (power, c);
      length >>= 1;
      if (length == 0)
        break;
      gf2_square (next, power);
      tmp = power;
      power = next;
      next = tmp;
    }
  return c ^ 0xffffffffu;
}

/* ---- The scan ---- */

typedef struct
{
  HmDocument     *doc;
  HmChecksumKind  kinds;
  GChecksum      *sums[N_KINDS];   /* NULL for CRC-32 and for kinds not asked for */
  guint32         crc;
  GCancellable   *cancellable;
  HmProgressFunc  progress;
  gpointer        progress_data;
  guint64         done;
  guint64         total;
  gint64          last_progress;
} Scan;

static const GChecksumType checksum_types[N_KINDS] = {
  0, G_CHECKSUM_MD5, G_CHECKSUM_SHA1, G_CHECKSUM_SHA256,
};

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
      scan->progress (scan->done, scan->total, scan->progress_data);
    }
}

static void
feed (Scan         *scan,
      const guint8 *data,
      gsize         length)
{
  if (scan->kinds & HM_CHECKSUM_CRC32)
    scan->crc = hm_crc32_update (scan->crc, data, length);
  for (guint k = 1; k < N_KINDS; k++)
    if (scan->sums[k] != NULL)
      g_checksum_update (scan->sums[k], data, (gssize) length);
}

static gboolean
wants_bytes (Scan *scan)
{
  return (scan->kinds & ~HM_CHECKSUM_CRC32) != 0;
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

  if (scan->kinds & HM_CHECKSUM_CRC32)
    scan->crc = hm_crc32_update_zeros (scan->crc, length);

  while (wants_bytes (scan) && left > 0)
    {
      gsize chunk = (gsize) MIN (left, (guint64) sizeof zeros);

      for (guint k = 1; k < N_KINDS; k++)
        if (scan->sums[k] != NULL)
          g_checksum_update (scan->sums[k], zeros, (gssize) chunk);
      left -= chunk;
      scan->done += chunk;
      if ((scan->done & (CHUNK_SIZE * 16 - 1)) < chunk)
        {
          if (g_cancellable_set_error_if_cancelled (scan->cancellable, error))
            return FALSE;
          report_progress (scan, FALSE);
        }
    }
  scan->done += left;

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

/* Copies [offset, offset + length) of a data run out of its windows. */
static gboolean
read_data (Scan     *scan,
           guint64   offset,
           guint8   *buffer,
           gsize     length,
           GError  **error)
{
  /* A window past the (new) end means the file shrank under us: a fault there. */
  return _hm_document_copy_guarded (scan->doc, offset, buffer, length, HM_ACCESS_SEQUENTIAL,
                                    HM_GUARD_END_IS_FAULT, NULL, error);
}

static gboolean
feed_data (Scan     *scan,
           guint64   offset,
           guint64   length,
           guint8   *buffer,
           GError  **error)
{
  guint64 end = offset + length;

  while (offset < end)
    {
      gsize n = (gsize) MIN (end - offset, (guint64) CHUNK_SIZE);

      if (g_cancellable_set_error_if_cancelled (scan->cancellable, error))
        return FALSE;
      if (!read_data (scan, offset, buffer, n, error))
        return FALSE;
      feed (scan, buffer, n);
      offset += n;
      scan->done += n;
      report_progress (scan, FALSE);
    }

  return TRUE;
}

static char *
crc_to_string (guint32 crc)
{
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
 * included) on the calling thread; from the UI use hm_checksum_compute_async().
 * A page that cannot be read fails the whole computation with a
 * %HM_FAULT_ERROR naming the offset; nothing is skipped.
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
  g_autofree guint8 *buffer = NULL;
  g_autoptr(HmChecksumResult) result = NULL;
  Scan scan = { 0 };
  guint64 size;
  gboolean ok = TRUE;

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
  crc32_ensure_table ();

  scan.doc = document;
  scan.kinds = kinds & HM_CHECKSUM_ALL;
  for (guint k = 1; k < N_KINDS; k++)
    if (scan.kinds & (1u << k))
      scan.sums[k] = g_checksum_new (checksum_types[k]);
  scan.cancellable = cancellable;
  scan.progress = progress;
  scan.progress_data = progress_data;
  scan.total = length;
  scan.last_progress = g_get_monotonic_time ();
  report_progress (&scan, TRUE);

  extents = hm_document_get_extents (document, offset, length);
  buffer = g_malloc (CHUNK_SIZE);
  for (guint i = 0; ok && i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (e->is_hole)
        ok = feed_hole (&scan, e->offset, e->length, error);
      else
        ok = feed_data (&scan, e->offset, e->length, buffer, error);
    }
  /* The extents cover the range unless the file shrank since we checked. */
  if (ok && scan.done < length)
    {
      g_propagate_error (error, _hm_document_fault_error (document, offset + scan.done, FALSE));
      ok = FALSE;
    }

  if (ok)
    {
      result = g_new0 (HmChecksumResult, 1);
      result->offset = offset;
      result->length = length;
      result->kinds = scan.kinds;
      if (scan.kinds & HM_CHECKSUM_CRC32)
        result->sums[0] = crc_to_string (scan.crc);
      for (guint k = 1; k < N_KINDS; k++)
        if (scan.sums[k] != NULL)
          result->sums[k] = g_strdup (g_checksum_get_string (scan.sums[k]));
      report_progress (&scan, TRUE);
    }

  for (guint k = 1; k < N_KINDS; k++)
    g_clear_pointer (&scan.sums[k], g_checksum_free);

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
    case HM_CHECKSUM_ALL:
    default:
      return -1;
    }
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
    case HM_CHECKSUM_ALL:
    default:
      return NULL;
    }
}

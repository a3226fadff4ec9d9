/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A picture of a document: what its bytes are, block by block.
 *
 * The document is cut into at most a few thousand equal buckets (a 10 GiB
 * file: 2.5 MiB each; 4 KiB at least). Each bucket gets a class (hole, zeros,
 * text, random, other) and the Shannon entropy of its bytes, from a histogram
 * of byte values (hm_byte_histogram_classify()):
 *   - no data at all: a hole. Holes come from the document's hole map and are
 *     never read, so a 1 TiB sparse image costs what its data costs;
 *   - 98% zero bytes or more: zeros;
 *   - 95% printable ASCII and white space, counting bytes 0x80-0xf4 too when
 *     their lead and continuation bytes add up as UTF-8 would: text;
 *   - HM_ENTROPY_RANDOM_BITS (7.2) bits per byte or more: random, which in a
 *     file means compressed or encrypted (a 4 KiB sample of random bytes
 *     scores about 7.95, text 4-5, machine code 5.5-6.5);
 *   - the rest: other.
 *
 * HmEntropyMap keeps the picture of a whole document, in two passes on a
 * worker thread of its own:
 *   1. Sampling: one small sample (16 KiB) from the data of every bucket,
 *      placed in the middle of the bucket's data (never in a hole). All the
 *      samples are advised to the kernel first (POSIX_FADV_WILLNEED), so a
 *      cold disk reads them as one deep queue rather than one seek at a time.
 *      64 MiB at most for any file: the whole picture at once.
 *   2. Refining: every byte, bucket by bucket in file order, through the bulk
 *      reader (hm-bulk.c: pread or mapped windows, whichever is faster here,
 *      holes skipped, faults reported and skipped), at the speed of the disk.
 *      Its reader has an open file of its own (%HM_BULK_OWN_STREAM), so the
 *      kernel reads ahead for it as one stream whatever the view reads.
 * Both read the document as it shows, pending edits and inserts included, as
 * the bulk reader does. Results reach the map's thread in batches (one idle
 * callback per batch) and are announced with "updated".
 *
 * Edits: every bucket has a generation, bumped by each edit that touches it,
 * and a result counts only if the generation it was computed for is still
 * current. An overwrite re-samples the buckets it touched, then refines them.
 * An insert or delete moves the buckets after it by whole buckets, keeping
 * their classes on screen, and re-samples only the buckets the edit covered;
 * if the shift is not a whole number of buckets, the moved ones are refined
 * again in the background. Only a change of size that leaves the buckets far
 * too many or too few starts over.
 */
#include "config.h"

#include "hm-entropy.h"

#include "hm-bulk.h"
#include "hm-document-private.h"

#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#define DEFAULT_MAX_BUCKETS 4096u
#define MIN_BUCKET_SIZE     4096u
#define DEFAULT_SAMPLE_SIZE (16u * 1024u)
#define REFINE_RUN_BYTES    (G_GUINT64_CONSTANT (64) * 1024 * 1024)
#define REFINE_RUN_BUCKETS  256u
#define PREFETCH_MIN        16u

#define ZEROS_SHARE         0.98
#define TEXT_SHARE          0.95

enum
{
  NEED_SAMPLE = 1 << 0,
  NEED_REFINE = 1 << 1,
};

static guint max_buckets_override;
static gsize sample_size_override;

/* ---- Histograms ---- */

/* Four tables side by side, so that a run of one byte value does not wait on
 * its own increments. 32-bit counts: one call is one bulk block at most. */
typedef struct
{
  guint32 t[4][256];
} Tables;

/* A leaf function: no GLib, no allocation (it may run under the fault guard). */
static void
count_bytes (Tables       *tables,
             const guint8 *data,
             gsize         length)
{
  gsize i = 0;

  for (; i + 4 <= length; i += 4)
    {
      tables->t[0][data[i]]++;
      tables->t[1][data[i + 1]]++;
      tables->t[2][data[i + 2]]++;
      tables->t[3][data[i + 3]]++;
    }
  for (; i < length; i++)
    tables->t[0][data[i]]++;
}

static void
add_tables (HmByteHistogram *histogram,
            const Tables    *tables)
{
  for (guint v = 0; v < 256; v++)
    histogram->counts[v] += (guint64) tables->t[0][v] + tables->t[1][v] + tables->t[2][v] + tables->t[3][v];
}

/**
 * hm_byte_histogram_add:
 * @histogram: a histogram
 * @data: (array length=length): bytes
 * @length: how many
 *
 * Counts @data's bytes into @histogram.
 */
void
hm_byte_histogram_add (HmByteHistogram *histogram,
                       const guint8    *data,
                       gsize            length)
{
  g_return_if_fail (histogram != NULL);
  g_return_if_fail (data != NULL || length == 0);

  while (length > 0)
    {
      Tables tables = { { { 0 } } };
      gsize n = MIN (length, (gsize) G_MAXUINT32);

      count_bytes (&tables, data, n);
      add_tables (histogram, &tables);
      data += n;
      length -= n;
    }
}

/**
 * hm_byte_histogram_classify:
 * @histogram: the bytes of a range, counted
 * @entropy: (out) (optional): the Shannon entropy of the data bytes, in bits
 *   per byte
 *
 * What kind of bytes @histogram counted (see the top of hm-entropy.c).
 *
 * Returns: the class; %HM_BYTE_CLASS_HOLE when only holes were counted,
 *   %HM_BYTE_CLASS_UNKNOWN when nothing was
 */
HmByteClass
hm_byte_histogram_classify (const HmByteHistogram *histogram,
                            float                 *entropy)
{
  const guint64 *c;
  guint64 n = 0, ascii = 0, high = 0, cont = 0, bad = 0;
  guint64 lead2 = 0, lead3 = 0, lead4 = 0, expected, text;
  double h = 0.0;

  if (entropy != NULL)
    *entropy = 0.0f;
  g_return_val_if_fail (histogram != NULL, HM_BYTE_CLASS_UNKNOWN);

  c = histogram->counts;
  for (guint v = 0; v < 256; v++)
    n += c[v];
  if (n == 0)
    return histogram->hole_bytes > 0 ? HM_BYTE_CLASS_HOLE : HM_BYTE_CLASS_UNKNOWN;

  for (guint v = 0; v < 256; v++)
    if (c[v] > 0)
      {
        double p = (double) c[v] / (double) n;

        h -= p * log2 (p);
      }
  h = CLAMP (h, 0.0, 8.0);
  if (entropy != NULL)
    *entropy = (float) h;

  if ((double) c[0] >= ZEROS_SHARE * (double) n)
    return HM_BYTE_CLASS_ZEROS;

  for (guint v = 0x20; v < 0x7f; v++)
    ascii += c[v];
  ascii += c['\t'] + c['\n'] + c['\r'];
  for (guint v = 0x80; v < 0x100; v++)
    {
      high += c[v];
      if (v < 0xc0)
        cont += c[v];
      else if (v >= 0xc2 && v <= 0xdf)
        lead2 += c[v];
      else if (v >= 0xe0 && v <= 0xef)
        lead3 += c[v];
      else if (v >= 0xf0 && v <= 0xf4)
        lead4 += c[v];
      else
        bad += c[v];
    }
  /* UTF-8 has as many continuation bytes as its lead bytes ask for; a sample
   * may cut a sequence at either end. */
  expected = lead2 + 2 * lead3 + 3 * lead4;
  text = ascii;
  if (bad == 0 && high > 0 && cont + 8 >= expected && cont <= expected + 8 + expected / 16)
    text += high;
  if ((double) text >= TEXT_SHARE * (double) n)
    return HM_BYTE_CLASS_TEXT;

  if (h >= HM_ENTROPY_RANDOM_BITS)
    return HM_BYTE_CLASS_RANDOM;
  return HM_BYTE_CLASS_OTHER;
}

/**
 * hm_byte_class_get_label:
 * @klass: a class
 *
 * Returns: what to call @klass in the user interface
 */
const char *
hm_byte_class_get_label (HmByteClass klass)
{
  switch (klass)
    {
    case HM_BYTE_CLASS_HOLE:
      return _("Hole");
    case HM_BYTE_CLASS_ZEROS:
      return _("Zeros");
    case HM_BYTE_CLASS_TEXT:
      return _("Text");
    case HM_BYTE_CLASS_RANDOM:
      return _("Compressed or encrypted");
    case HM_BYTE_CLASS_OTHER:
      return _("Other");
    case HM_BYTE_CLASS_UNKNOWN:
    default:
      return _("Not read yet");
    }
}

static void
bucket_from_histogram (HmEntropyBucket       *bucket,
                       const HmByteHistogram *histogram,
                       guint64                length,
                       guint8                 flags)
{
  float entropy = 0.0f;

  bucket->klass = (guint8) hm_byte_histogram_classify (histogram, &entropy);
  bucket->entropy = entropy;
  bucket->flags = flags;
  bucket->data_share = length > 0 ? (float) (1.0 - (double) MIN (histogram->hole_bytes, length) / (double) length)
                                  : 0.0f;
}

/* ---- Reading a range in full ---- */

typedef struct
{
  Tables       tables;
  const guint8 *data;
  gsize         length;
} CountJob;

static void
count_job_run (gpointer user_data)
{
  CountJob *job = user_data;

  count_bytes (&job->tables, job->data, job->length);
}

/* Counts the bytes of [offset, offset + length) of @block into @histogram:
 * data under the fault guard if mapped, holes as hole bytes, faults skipped.
 * Returns the data bytes counted. */
static guint64
count_block_part (HmBulk            *bulk,
                  const HmBulkBlock *block,
                  guint64            offset,
                  guint64            length,
                  HmByteHistogram   *histogram)
{
  HmBulkBlock part;
  CountJob job;

  switch (block->kind)
    {
    case HM_BULK_HOLE:
      histogram->hole_bytes += length;
      return 0;
    case HM_BULK_FAULT:
      return 0;
    case HM_BULK_DATA:
    default:
      break;
    }
  part = *block;
  part.offset = offset;
  part.length = length;
  part.data = block->data + (offset - block->offset);
  memset (&job.tables, 0, sizeof job.tables);
  job.data = part.data;
  job.length = (gsize) length;
  if (!hm_bulk_run (bulk, &part, count_job_run, &job, NULL, NULL))
    return 0;
  add_tables (histogram, &job.tables);
  return length;
}

/**
 * hm_entropy_classify_range:
 * @document: a document
 * @offset: first byte
 * @length: how many bytes
 * @bucket: (out caller-allocates): the class of the range
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError
 *
 * Reads every byte of the range (never its holes) as the document shows it,
 * and classifies it. Unreadable pages are left out.
 *
 * Returns: %TRUE on success
 */
gboolean
hm_entropy_classify_range (HmDocument      *document,
                           guint64          offset,
                           guint64          length,
                           HmEntropyBucket *bucket,
                           GCancellable    *cancellable,
                           GError         **error)
{
  g_autoptr(HmBulk) bulk = NULL;
  g_autofree HmByteHistogram *histogram = g_new0 (HmByteHistogram, 1);
  HmBulkBlock block;
  GError *local = NULL;
  guint64 size;

  g_return_val_if_fail (HM_IS_DOCUMENT (document), FALSE);
  g_return_val_if_fail (bucket != NULL, FALSE);

  size = hm_document_get_size (document);
  length = offset >= size ? 0 : MIN (length, size - offset);
  bulk = hm_bulk_new (document, offset, length, HM_BULK_SKIP_FAULTS);
  while (hm_bulk_next (bulk, &block, &local))
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      count_block_part (bulk, &block, block.offset, block.length, histogram);
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  bucket_from_histogram (bucket, histogram, length, HM_ENTROPY_REFINED);
  return TRUE;
}

/* ---- The shared state of a map and its worker ---- */

typedef struct
{
  guint           index;
  guint32         gen;
  HmEntropyBucket bucket;
} Result;

typedef struct
{
  gint          ref_count;
  gint          stopping;        /* atomic */
  HmDocument   *document;
  GMainContext *context;
  GThread      *owner;           /* the map's thread */
  GWeakRef      map;
  gsize         sample_size;

  GMutex        lock;
  GCond         cond;
  /* Under the lock; written by the map's thread only, except @need, which the
   * worker clears as it takes work. */
  gboolean      refine;
  guint64       bucket_size;
  guint         n;
  guint32      *gen;
  guint8       *need;
  guint32       next_gen;
  guint         refine_cursor;
  /* Under the lock: from the worker to the map's thread. */
  GArray       *results;         /* Result */
  gboolean      delivery_scheduled;
  guint64       bytes_read;
} State;

/* Runs @func on @context's thread, later; never on the caller's thread at once
 * (g_main_context_invoke() would run it on a worker that can acquire the
 * context while its owner is not iterating it). */
static void
invoke_later (GMainContext   *context,
              GSourceFunc     func,
              gpointer        data,
              GDestroyNotify  destroy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[hexmap] entropy");
  g_source_attach (source, context);
  g_source_unref (source);
}

static State *
state_ref (State *st)
{
  g_atomic_int_inc (&st->ref_count);
  return st;
}

static gboolean
unref_document_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
state_unref (State *st)
{
  if (!g_atomic_int_dec_and_test (&st->ref_count))
    return;
  /* A document is finalized on its own thread, never on the worker's (which
   * hm_entropy_map_stop() joins before dropping the map's reference). */
  if (st->document != NULL && g_thread_self () == st->owner)
    g_object_unref (st->document);
  else if (st->document != NULL)
    invoke_later (st->context, unref_document_cb, st->document, NULL);
  g_main_context_unref (st->context);
  g_weak_ref_clear (&st->map);
  g_clear_pointer (&st->gen, g_free);
  g_clear_pointer (&st->need, g_free);
  g_clear_pointer (&st->results, g_array_unref);
  g_mutex_clear (&st->lock);
  g_cond_clear (&st->cond);
  g_free (st);
}

/* ---- The map ---- */

struct _HmEntropyMap
{
  GObject          parent_instance;

  HmDocument      *document;
  State           *state;
  HmEntropyBucket *buckets;       /* state->n of them */
  GThread         *thread;        /* the worker, joined when stopping */
  gboolean         started;
  gboolean         sampled;
  gboolean         refined;
  double           progress;
  /* The "changed" that follows a "content-changed" at this offset, which the
   * "content-changed" handler has dealt with already. */
  gboolean         skip_changed;
  guint64          skip_offset;
};

enum
{
  PROP_0,
  PROP_DOCUMENT,
  PROP_SAMPLED,
  PROP_REFINED,
  PROP_PROGRESS,
  N_PROPS
};

enum
{
  UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HmEntropyMap, hm_entropy_map, G_TYPE_OBJECT)

static guint
max_buckets (void)
{
  return max_buckets_override != 0 ? max_buckets_override : DEFAULT_MAX_BUCKETS;
}

static guint64
choose_bucket_size (guint64 size)
{
  guint64 bs = size / max_buckets () + (size % max_buckets () != 0);

  bs = MAX (bs, (guint64) MIN_BUCKET_SIZE);
  return (bs + MIN_BUCKET_SIZE - 1) / MIN_BUCKET_SIZE * MIN_BUCKET_SIZE;
}

static guint
n_buckets_for (guint64 size,
               guint64 bucket_size)
{
  return (guint) (size / bucket_size + (size % bucket_size != 0));
}

/* Under the lock. */
static void
wake_worker (State *st)
{
  g_cond_signal (&st->cond);
}

/* Everything anew: a new bucket size for the document's size. */
static void
reset_geometry (HmEntropyMap *self)
{
  State *st = self->state;
  guint64 size = hm_document_get_size (self->document);

  g_mutex_lock (&st->lock);
  st->bucket_size = choose_bucket_size (size);
  st->n = n_buckets_for (size, st->bucket_size);
  g_free (st->gen);
  g_free (st->need);
  st->gen = g_new (guint32, MAX (st->n, 1));
  st->need = g_new (guint8, MAX (st->n, 1));
  for (guint i = 0; i < st->n; i++)
    {
      st->gen[i] = ++st->next_gen;
      st->need[i] = NEED_SAMPLE | NEED_REFINE;
    }
  st->refine_cursor = 0;
  wake_worker (st);
  g_mutex_unlock (&st->lock);

  g_free (self->buckets);
  self->buckets = g_new0 (HmEntropyBucket, MAX (st->n, 1));
}

static void
update_state (HmEntropyMap *self)
{
  State *st = self->state;
  guint n_sampled = 0, n_refined = 0;
  gboolean sampled, refined;
  double progress;

  for (guint i = 0; i < st->n; i++)
    {
      if (self->buckets[i].flags & HM_ENTROPY_REFINED)
        n_refined++;
      if (self->buckets[i].flags != 0)
        n_sampled++;
    }
  sampled = n_sampled == st->n;
  refined = n_refined == st->n;
  progress = st->n > 0 ? (double) n_refined / st->n : 1.0;

  g_object_freeze_notify (G_OBJECT (self));
  if (sampled != self->sampled)
    {
      self->sampled = sampled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLED]);
    }
  if (refined != self->refined)
    {
      self->refined = refined;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFINED]);
    }
  if (progress != self->progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* Marks buckets [first, last] to be sampled and refined again. */
static void
mark_dirty (HmEntropyMap *self,
            guint         first,
            guint         last)
{
  State *st = self->state;

  if (st->n == 0)
    return;
  last = MIN (last, st->n - 1);
  if (first > last)
    return;
  g_mutex_lock (&st->lock);
  for (guint i = first; i <= last; i++)
    {
      st->gen[i] = ++st->next_gen;
      st->need[i] = NEED_SAMPLE | NEED_REFINE;
      self->buckets[i].flags = 0;
    }
  st->refine_cursor = MIN (st->refine_cursor, first);
  wake_worker (st);
  g_mutex_unlock (&st->lock);
}

/* A new size: more or fewer buckets of the same size, unless that leaves far
 * too many or too few. */
static void
follow_size (HmEntropyMap *self)
{
  State *st = self->state;
  guint64 size = hm_document_get_size (self->document);
  guint n = n_buckets_for (size, st->bucket_size);
  guint old_n = st->n;

  if (n == old_n)
    return;
  if (n > 2 * max_buckets () || (n < max_buckets () / 4 && st->bucket_size > MIN_BUCKET_SIZE))
    {
      reset_geometry (self);
      g_signal_emit (self, signals[UPDATED], 0, 0u, st->n);
      update_state (self);
      return;
    }
  g_mutex_lock (&st->lock);
  st->gen = g_renew (guint32, st->gen, MAX (n, 1));
  st->need = g_renew (guint8, st->need, MAX (n, 1));
  for (guint i = old_n; i < n; i++)
    {
      st->gen[i] = ++st->next_gen;
      st->need[i] = NEED_SAMPLE | NEED_REFINE;
    }
  st->n = n;
  g_mutex_unlock (&st->lock);
  self->buckets = g_renew (HmEntropyBucket, self->buckets, MAX (n, 1));
  if (n > old_n)
    memset (self->buckets + old_n, 0, (n - old_n) * sizeof (HmEntropyBucket));
  /* The last bucket is now cut elsewhere. */
  if (n > 0)
    mark_dirty (self, MIN (old_n, n) > 0 ? MIN (old_n, n) - 1 : 0, n - 1);
  g_signal_emit (self, signals[UPDATED], 0, 0u, n);
  update_state (self);
}

static void
document_content_changed_cb (HmEntropyMap *self,
                             guint64       offset,
                             guint64       removed,
                             guint64       added,
                             HmDocument   *document)
{
  State *st = self->state;
  guint64 bs = st->bucket_size;
  guint64 size = hm_document_get_size (document);
  guint old_n = st->n, new_n = n_buckets_for (size, bs);
  gint64 delta = (gint64) added - (gint64) removed;
  gint64 shift = delta / (gint64) bs;
  gboolean aligned = delta % (gint64) bs == 0;
  guint b_edit = (guint) MIN (offset / bs, (guint64) G_MAXUINT);
  /* The last old bucket the edit cut into (none: an insert between two). */
  gint64 last_old = removed > 0 ? (gint64) ((offset + removed - 1) / bs) : (gint64) b_edit - (offset % bs == 0);
  guint last_new = added > 0 ? (guint) ((offset + added - 1) / bs) : b_edit;
  g_autofree HmEntropyBucket *buckets = NULL;
  g_autofree guint32 *gen = NULL;
  g_autofree guint8 *need = NULL;

  self->skip_changed = TRUE;
  self->skip_offset = offset;
  if (!self->started)
    {
      /* Nothing known yet: only the number of buckets. */
      reset_geometry (self);
      return;
    }
  if (removed == added)
    {
      if (added > 0 && b_edit < old_n)
        {
          mark_dirty (self, b_edit, last_new);
          g_signal_emit (self, signals[UPDATED], 0, b_edit, MIN (last_new, old_n - 1) - b_edit + 1);
          update_state (self);
        }
      return;
    }
  if (new_n > 2 * max_buckets () || (new_n < max_buckets () / 4 && bs > MIN_BUCKET_SIZE))
    {
      reset_geometry (self);
      g_signal_emit (self, signals[UPDATED], 0, 0u, st->n);
      update_state (self);
      return;
    }

  buckets = g_new0 (HmEntropyBucket, MAX (new_n, 1));
  gen = g_new (guint32, MAX (new_n, 1));
  need = g_new (guint8, MAX (new_n, 1));
  g_mutex_lock (&st->lock);
  for (guint i = 0; i < new_n; i++)
    {
      gint64 src = (gint64) i - shift;

      if (i < b_edit && i < old_n)
        {
          buckets[i] = self->buckets[i];
          gen[i] = st->gen[i];
          need[i] = st->need[i];
          continue;
        }
      gen[i] = ++st->next_gen;
      if (i <= last_new)
        {
          /* What the edit covered: sampled again now. */
          if (i < old_n)
            buckets[i] = self->buckets[i];
          buckets[i].flags = 0;
          need[i] = NEED_SAMPLE | NEED_REFINE;
        }
      else if (src > last_old && src < (gint64) old_n)
        {
          /* Moved by whole buckets: the same bytes; otherwise nearly. */
          buckets[i] = self->buckets[src];
          need[i] = st->need[src];
          if (!aligned)
            {
              buckets[i].flags &= ~HM_ENTROPY_REFINED;
              need[i] |= NEED_REFINE;
            }
        }
      else
        need[i] = NEED_SAMPLE | NEED_REFINE;
    }
  /* The last bucket ends somewhere else now. */
  if (new_n > 0)
    {
      need[new_n - 1] = NEED_SAMPLE | NEED_REFINE;
      buckets[new_n - 1].flags = 0;
    }
  g_free (st->gen);
  g_free (st->need);
  st->gen = g_steal_pointer (&gen);
  st->need = g_steal_pointer (&need);
  st->n = new_n;
  st->refine_cursor = MIN (st->refine_cursor, b_edit);
  wake_worker (st);
  g_mutex_unlock (&st->lock);
  g_free (self->buckets);
  self->buckets = g_steal_pointer (&buckets);

  g_signal_emit (self, signals[UPDATED], 0, 0u, new_n);
  update_state (self);
}

static void
document_changed_cb (HmEntropyMap *self,
                     guint64       offset,
                     guint64       length,
                     HmDocument   *document)
{
  State *st = self->state;
  guint first, last;

  if (self->skip_changed && offset == self->skip_offset)
    {
      self->skip_changed = FALSE;
      return;
    }
  self->skip_changed = FALSE;
  if (!self->started)
    {
      if (n_buckets_for (hm_document_get_size (document), st->bucket_size) != st->n)
        reset_geometry (self);
      return;
    }
  follow_size (self);
  if (length == 0 || st->n == 0 || offset / st->bucket_size >= st->n)
    return;
  first = (guint) (offset / st->bucket_size);
  last = length > G_MAXUINT64 - offset ? st->n - 1 : (guint) MIN ((offset + length - 1) / st->bucket_size,
                                                                  (guint64) st->n - 1);
  mark_dirty (self, first, last);
  g_signal_emit (self, signals[UPDATED], 0, first, last - first + 1);
  update_state (self);
}

/* ---- Delivery, on the map's thread ---- */

static gboolean
deliver_cb (gpointer data)
{
  State *st = data;
  g_autoptr(HmEntropyMap) self = g_weak_ref_get (&st->map);
  g_autoptr(GArray) results = NULL;
  guint lo = G_MAXUINT, hi = 0;

  g_mutex_lock (&st->lock);
  results = g_steal_pointer (&st->results);
  st->results = g_array_new (FALSE, FALSE, sizeof (Result));
  st->delivery_scheduled = FALSE;
  g_mutex_unlock (&st->lock);

  if (self == NULL || self->state != st)
    return G_SOURCE_REMOVE;
  /* Only this thread changes the generations: no lock to read them. */
  for (guint i = 0; i < results->len; i++)
    {
      const Result *r = &g_array_index (results, Result, i);

      if (r->index >= st->n || st->gen[r->index] != r->gen)
        continue;
      /* A sample never replaces a full read of the same bytes. */
      if ((self->buckets[r->index].flags & HM_ENTROPY_REFINED) && !(r->bucket.flags & HM_ENTROPY_REFINED))
        continue;
      self->buckets[r->index] = r->bucket;
      lo = MIN (lo, r->index);
      hi = MAX (hi, r->index);
    }
  if (lo <= hi)
    g_signal_emit (self, signals[UPDATED], 0, lo, hi - lo + 1);
  update_state (self);
  return G_SOURCE_REMOVE;
}

static void
push_result (State                 *st,
             guint                  index,
             guint32                gen,
             const HmEntropyBucket *bucket,
             guint64                bytes_read)
{
  Result r = { index, gen, *bucket };
  gboolean schedule;

  g_mutex_lock (&st->lock);
  g_array_append_val (st->results, r);
  st->bytes_read += bytes_read;
  schedule = !st->delivery_scheduled;
  st->delivery_scheduled = TRUE;
  g_mutex_unlock (&st->lock);
  if (schedule)
    invoke_later (st->context, deliver_cb, state_ref (st), (GDestroyNotify) state_unref);
}

/* ---- The worker ---- */

typedef struct
{
  guint    index;
  guint32  gen;
  guint64  offset;       /* the bucket */
  guint64  length;
  guint64  data_bytes;
  guint64  sample_offset;
  gsize    sample_length;
} Sample;

/* Where to sample a bucket: around the middle of its data. */
static void
plan_sample (HmDocument *document,
             Sample     *s,
             gsize       sample_size)
{
  g_autoptr(GArray) segments = hm_bulk_get_segments (document, s->offset, s->length);
  guint64 seen = 0, middle;

  s->data_bytes = 0;
  for (guint i = 0; i < segments->len; i++)
    {
      const HmExtent *e = &g_array_index (segments, HmExtent, i);

      if (!e->is_hole)
        s->data_bytes += e->length;
    }
  s->sample_length = 0;
  if (s->data_bytes == 0)
    return;
  middle = s->data_bytes / 2;
  for (guint i = 0; i < segments->len; i++)
    {
      const HmExtent *e = &g_array_index (segments, HmExtent, i);
      guint64 at, len, start;

      if (e->is_hole)
        continue;
      if (seen + e->length <= middle)
        {
          seen += e->length;
          continue;
        }
      at = e->offset + (middle - seen);
      len = MIN ((guint64) sample_size, e->length);
      start = at >= len / 2 ? at - len / 2 : 0;
      /* Whole pages where it can, inside this run of data. */
      start &= ~(guint64) (MIN_BUCKET_SIZE - 1);
      start = CLAMP (start, e->offset, e->offset + e->length - len);
      s->sample_offset = start;
      s->sample_length = (gsize) len;
      return;
    }
}

static void
sample_buckets (State  *st,
                GArray *batch)
{
  HmDocument *document = st->document;
  g_autofree guint8 *buffer = g_malloc (st->sample_size);
  g_autoptr(GArray) holes = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean advise = batch->len >= PREFETCH_MIN && !_hm_document_is_structural (document) &&
                    document->kind != HM_FILE_KIND_ZERO_DEVICE;

  for (guint i = 0; i < batch->len && !g_atomic_int_get (&st->stopping); i++)
    {
      Sample *s = &g_array_index (batch, Sample, i);

      plan_sample (document, s, st->sample_size);
      /* Let the disk queue them all at once. */
      if (advise && s->sample_length > 0)
        posix_fadvise (document->fd, (off_t) s->sample_offset, (off_t) s->sample_length, POSIX_FADV_WILLNEED);
    }

  for (guint i = 0; i < batch->len && !g_atomic_int_get (&st->stopping); i++)
    {
      Sample *s = &g_array_index (batch, Sample, i);
      HmByteHistogram histogram = { { 0 }, 0 };
      HmEntropyBucket bucket = { 0 };

      if (s->data_bytes == 0)
        {
          histogram.hole_bytes = s->length;
          bucket_from_histogram (&bucket, &histogram, s->length, HM_ENTROPY_SAMPLED | HM_ENTROPY_REFINED);
          g_array_append_val (holes, s->index);
          push_result (st, s->index, s->gen, &bucket, 0);
          continue;
        }
      if (!hm_bulk_read (document, s->sample_offset, buffer, s->sample_length, NULL))
        {
          /* Unreadable here: the refining pass skips the faults. */
          bucket.klass = HM_BYTE_CLASS_UNKNOWN;
          bucket.flags = HM_ENTROPY_SAMPLED;
          bucket.data_share = (float) ((double) s->data_bytes / (double) s->length);
          push_result (st, s->index, s->gen, &bucket, 0);
          continue;
        }
      hm_byte_histogram_add (&histogram, buffer, s->sample_length);
      bucket_from_histogram (&bucket, &histogram, s->sample_length, HM_ENTROPY_SAMPLED);
      bucket.data_share = (float) ((double) s->data_bytes / (double) s->length);
      push_result (st, s->index, s->gen, &bucket, s->sample_length);
    }

  /* A bucket that is all hole is as refined as it will get. */
  g_mutex_lock (&st->lock);
  for (guint i = 0, j = 0; i < batch->len && j < holes->len; i++)
    {
      const Sample *s = &g_array_index (batch, Sample, i);

      if (s->index != g_array_index (holes, guint, j))
        continue;
      j++;
      if (s->index < st->n && st->gen[s->index] == s->gen)
        st->need[s->index] &= ~NEED_REFINE;
    }
  g_mutex_unlock (&st->lock);
}

/* Reads buckets [first, first + n) in full, in one walk. */
static void
refine_buckets (State         *st,
                HmBulk       **bulk,
                guint          first,
                const guint32 *gens,
                guint          n,
                guint64        bucket_size,
                guint64        size)
{
  g_autofree HmByteHistogram *histogram = g_new0 (HmByteHistogram, 1);
  guint64 start = (guint64) first * bucket_size;
  guint64 end = MIN ((guint64) (first + n) * bucket_size, size);
  guint64 data = 0;
  guint b = 0;
  HmBulkBlock block;

  if (start >= end)
    return;
  if (*bulk == NULL)
    *bulk = hm_bulk_new (st->document, start, end - start, HM_BULK_SKIP_FAULTS | HM_BULK_OWN_STREAM);
  else
    hm_bulk_set_range (*bulk, start, end - start);

  while (b < n && !g_atomic_int_get (&st->stopping) && hm_bulk_next (*bulk, &block, NULL))
    {
      guint64 pos = block.offset, block_end = block.offset + block.length;

      while (pos < block_end && b < n)
        {
          guint64 b_start = start + (guint64) b * bucket_size;
          guint64 b_end = MIN (b_start + bucket_size, end);
          guint64 part = MIN (block_end, b_end) - pos;

          data += count_block_part (*bulk, &block, pos, part, histogram);
          pos += part;
          if (pos == b_end)
            {
              HmEntropyBucket bucket;

              bucket_from_histogram (&bucket, histogram, b_end - b_start,
                                     HM_ENTROPY_SAMPLED | HM_ENTROPY_REFINED);
              push_result (st, first + b, gens[b], &bucket, data);
              memset (histogram, 0, sizeof *histogram);
              data = 0;
              b++;
            }
        }
    }
}

static gpointer
worker_main (gpointer data)
{
  State *st = data;
  g_autoptr(HmBulk) bulk = NULL;

  for (;;)
    {
      g_autoptr(GArray) batch = NULL;
      g_autofree guint32 *gens = NULL;
      guint first = 0, n = 0;
      guint64 bucket_size, size;
      gboolean have_sample = FALSE, have_refine = FALSE;

      g_mutex_lock (&st->lock);
      while (!g_atomic_int_get (&st->stopping))
        {
          for (guint i = 0; i < st->n && !have_sample; i++)
            have_sample = (st->need[i] & NEED_SAMPLE) != 0;
          if (!have_sample && st->refine)
            for (guint k = 0; k < st->n && !have_refine; k++)
              {
                guint i = (st->refine_cursor + k) % st->n;

                if (st->need[i] & NEED_REFINE)
                  {
                    have_refine = TRUE;
                    first = i;
                  }
              }
          if (have_sample || have_refine)
            break;
          g_cond_wait (&st->cond, &st->lock);
        }
      if (g_atomic_int_get (&st->stopping))
        {
          g_mutex_unlock (&st->lock);
          break;
        }
      bucket_size = st->bucket_size;
      size = MIN (hm_document_get_size (st->document), (guint64) st->n * bucket_size);
      if (have_sample)
        {
          batch = g_array_new (FALSE, FALSE, sizeof (Sample));
          for (guint i = 0; i < st->n; i++)
            if (st->need[i] & NEED_SAMPLE)
              {
                Sample s = { 0 };

                s.index = i;
                s.gen = st->gen[i];
                s.offset = (guint64) i * bucket_size;
                s.length = MIN (bucket_size, size > s.offset ? size - s.offset : 0);
                st->need[i] &= ~NEED_SAMPLE;
                g_array_append_val (batch, s);
              }
        }
      else
        {
          guint max_n = (guint) MAX (1, MIN ((guint64) REFINE_RUN_BUCKETS, REFINE_RUN_BYTES / bucket_size));

          gens = g_new (guint32, max_n);
          while (first + n < st->n && n < max_n && (st->need[first + n] & NEED_REFINE))
            {
              gens[n] = st->gen[first + n];
              st->need[first + n] &= ~NEED_REFINE;
              n++;
            }
          st->refine_cursor = first + n;
        }
      g_mutex_unlock (&st->lock);

      if (batch != NULL)
        sample_buckets (st, batch);
      else
        refine_buckets (st, &bulk, first, gens, n, bucket_size, size);
    }

  g_clear_pointer (&bulk, hm_bulk_free);
  state_unref (st);
  return NULL;
}

/* ---- GObject ---- */

static void
hm_entropy_map_dispose (GObject *object)
{
  HmEntropyMap *self = HM_ENTROPY_MAP (object);

  hm_entropy_map_stop (self);
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  G_OBJECT_CLASS (hm_entropy_map_parent_class)->dispose (object);
}

static void
hm_entropy_map_finalize (GObject *object)
{
  HmEntropyMap *self = HM_ENTROPY_MAP (object);

  g_clear_pointer (&self->state, state_unref);
  g_clear_pointer (&self->buckets, g_free);
  g_clear_object (&self->document);
  G_OBJECT_CLASS (hm_entropy_map_parent_class)->finalize (object);
}

static void
hm_entropy_map_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HmEntropyMap *self = HM_ENTROPY_MAP (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_SAMPLED:
      g_value_set_boolean (value, self->sampled);
      break;
    case PROP_REFINED:
      g_value_set_boolean (value, self->refined);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_entropy_map_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HmEntropyMap *self = HM_ENTROPY_MAP (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      self->document = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_entropy_map_constructed (GObject *object)
{
  HmEntropyMap *self = HM_ENTROPY_MAP (object);
  State *st;

  G_OBJECT_CLASS (hm_entropy_map_parent_class)->constructed (object);
  g_assert (self->document != NULL);

  st = g_new0 (State, 1);
  st->ref_count = 1;
  st->document = g_object_ref (self->document);
  st->context = g_main_context_ref_thread_default ();
  st->owner = g_thread_self ();
  g_weak_ref_init (&st->map, self);
  st->sample_size = sample_size_override != 0 ? sample_size_override : DEFAULT_SAMPLE_SIZE;
  g_mutex_init (&st->lock);
  g_cond_init (&st->cond);
  st->results = g_array_new (FALSE, FALSE, sizeof (Result));
  self->state = st;
  reset_geometry (self);
  update_state (self);

  g_signal_connect_object (self->document, "content-changed", G_CALLBACK (document_content_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->document, "changed", G_CALLBACK (document_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
hm_entropy_map_class_init (HmEntropyMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hm_entropy_map_dispose;
  object_class->finalize = hm_entropy_map_finalize;
  object_class->get_property = hm_entropy_map_get_property;
  object_class->set_property = hm_entropy_map_set_property;
  object_class->constructed = hm_entropy_map_constructed;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, HM_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SAMPLED] =
    g_param_spec_boolean ("sampled", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_REFINED] =
    g_param_spec_boolean ("refined", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[UPDATED] = g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                   NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
hm_entropy_map_init (HmEntropyMap *self)
{
}

/**
 * hm_entropy_map_new:
 * @document: the document to picture
 *
 * Makes a map of @document. Nothing is read before hm_entropy_map_start().
 * Results arrive on the thread-default main context of the caller.
 *
 * Returns: (transfer full): a new map
 */
HmEntropyMap *
hm_entropy_map_new (HmDocument *document)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (document), NULL);

  return g_object_new (HM_TYPE_ENTROPY_MAP, "document", document, NULL);
}

/**
 * hm_entropy_map_start:
 * @self: a map
 * @refine: %TRUE to read every byte after the samples
 *
 * Starts (or goes on with) the background work: samples first, then, with
 * @refine, every byte. Calling it again changes @refine.
 */
void
hm_entropy_map_start (HmEntropyMap *self,
                      gboolean      refine)
{
  State *st;

  g_return_if_fail (HM_IS_ENTROPY_MAP (self));

  st = self->state;
  if (g_atomic_int_get (&st->stopping))
    return;
  g_mutex_lock (&st->lock);
  st->refine = refine;
  wake_worker (st);
  g_mutex_unlock (&st->lock);
  if (!self->started)
    {
      self->started = TRUE;
      self->thread = g_thread_new ("hm-entropy", worker_main, state_ref (st));
    }
}

/**
 * hm_entropy_map_stop:
 * @self: a map
 *
 * Stops the background work for good, waiting for the worker to finish the
 * read it is doing (one sample or one bulk block), and lets go of the
 * document's bytes. The buckets stay as they are.
 */
void
hm_entropy_map_stop (HmEntropyMap *self)
{
  State *st;

  g_return_if_fail (HM_IS_ENTROPY_MAP (self));

  st = self->state;
  if (st == NULL)
    return;
  g_mutex_lock (&st->lock);
  g_atomic_int_set (&st->stopping, 1);
  wake_worker (st);
  g_mutex_unlock (&st->lock);
  /* Joined here, the worker never drops the last reference to the state, so
   * the document is let go on this thread, now. */
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
  g_clear_object (&st->document);
}

/**
 * hm_entropy_map_get_document:
 * @self: a map
 *
 * Returns: (transfer none): its document
 */
HmDocument *
hm_entropy_map_get_document (HmEntropyMap *self)
{
  g_return_val_if_fail (HM_IS_ENTROPY_MAP (self), NULL);
  return self->document;
}

/**
 * hm_entropy_map_get_bucket_size:
 * @self: a map
 *
 * Returns: the bytes of each bucket (the last may be shorter)
 */
guint64
hm_entropy_map_get_bucket_size (HmEntropyMap *self)
{
  g_return_val_if_fail (HM_IS_ENTROPY_MAP (self), 0);
  return self->state->bucket_size;
}

/**
 * hm_entropy_map_get_buckets:
 * @self: a map
 * @n_buckets: (out): how many
 *
 * Returns: (array length=n_buckets) (transfer none): the picture, first bucket
 *   first; valid until the next "updated"
 */
const HmEntropyBucket *
hm_entropy_map_get_buckets (HmEntropyMap *self,
                            guint        *n_buckets)
{
  g_return_val_if_fail (HM_IS_ENTROPY_MAP (self), NULL);
  g_return_val_if_fail (n_buckets != NULL, NULL);

  *n_buckets = self->state->n;
  return self->buckets;
}

/**
 * hm_entropy_map_get_sampled:
 * @self: a map
 *
 * Returns: %TRUE when every bucket has a class for its current bytes
 */
gboolean
hm_entropy_map_get_sampled (HmEntropyMap *self)
{
  g_return_val_if_fail (HM_IS_ENTROPY_MAP (self), FALSE);
  return self->sampled;
}

/**
 * hm_entropy_map_get_refined:
 * @self: a map
 *
 * Returns: %TRUE when every bucket's class comes from all of its bytes
 */
gboolean
hm_entropy_map_get_refined (HmEntropyMap *self)
{
  g_return_val_if_fail (HM_IS_ENTROPY_MAP (self), FALSE);
  return self->refined;
}

/**
 * hm_entropy_map_get_progress:
 * @self: a map
 *
 * Returns: the share of buckets read in full (0-1)
 */
double
hm_entropy_map_get_progress (HmEntropyMap *self)
{
  g_return_val_if_fail (HM_IS_ENTROPY_MAP (self), 0.0);
  return self->progress;
}

/**
 * hm_entropy_map_get_bytes_read:
 * @self: a map
 *
 * Returns: the data bytes the map has read so far (holes are never read)
 */
guint64
hm_entropy_map_get_bytes_read (HmEntropyMap *self)
{
  guint64 n;

  g_return_val_if_fail (HM_IS_ENTROPY_MAP (self), 0);
  g_mutex_lock (&self->state->lock);
  n = self->state->bytes_read;
  g_mutex_unlock (&self->state->lock);
  return n;
}

void
_hm_entropy_set_max_buckets (guint max_buckets)
{
  max_buckets_override = max_buckets;
}

void
_hm_entropy_set_sample_size (gsize sample_size)
{
  sample_size_override = sample_size;
}

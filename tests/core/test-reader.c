/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmReader, both strategies: direct reads in the call, worker reads handed over on
 * the main context. Holes, bytes past the end, a truncation by another program,
 * invalidation, and (where FUSE can be mounted) pages that fail and are retried.
 * Then scattered ranges read on a worker (hm_reader_read_ranges_async()).
 * Every wait is bounded, but generously: a loaded machine must not fail them.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "hm-document.h"
#include "hm-fault.h"
#include "hm-faultfs-harness.h"
#include "hm-reader.h"
#include "hm-test-util.h"

#define KIB       1024
#define PAGE      4096
#define WAIT_SECS 30

typedef struct
{
  guint     n_ready;
  guint     n_faults;
  GError   *fault;     /* the first one */
  gboolean  freed;     /* the callback must not run after this */
} Ready;

static void
ready_cb (const GError *fault,
          gpointer      user_data)
{
  Ready *ready = user_data;

  g_assert_false (ready->freed);
  ready->n_ready++;
  if (fault != NULL)
    {
      ready->n_faults++;
      if (ready->fault == NULL)
        ready->fault = g_error_copy (fault);
    }
}

static void
ready_clear (Ready *ready)
{
  g_clear_error (&ready->fault);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Ready, ready_clear)

/* Runs what is due on the main context, without waiting */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Waits until @ready has been called more than @before times */
static void
wait_ready (Ready *ready,
            guint  before)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECS * G_TIME_SPAN_SECOND;

  while (ready->n_ready == before)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* Fills until no byte is loading, waiting for the worker in between */
static void
fill_all (HmReader *reader,
          Ready    *ready,
          guint64   first,
          gsize     length,
          guint8   *bytes,
          guint8   *flags)
{
  for (guint i = 0;; i++)
    {
      guint before = ready->n_ready;

      g_assert_cmpuint (i, <, 1000);
      if (hm_reader_fill (reader, first, length, bytes, flags))
        return;
      wait_ready (ready, before);
    }
}

static void
assert_flags (const guint8 *flags,
              gsize         from,
              gsize         to,
              guint8        expected)
{
  for (gsize i = from; i < to; i++)
    if (flags[i] != expected)
      g_error ("flag of byte %zu is 0x%02x, expected 0x%02x", i, flags[i], expected);
}

static gboolean
use_worker (gconstpointer data)
{
  return GPOINTER_TO_INT (data) != 0;
}

/* A sparse file: data, a hole, data, and an end that is not chunk-aligned. */
#define SPARSE_SIZE  (200 * KIB + 123)
#define HOLE_START   (32 * KIB)
#define HOLE_END     (160 * KIB)

static char *
make_sparse (guint8 **contents)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autofree char *path = hm_test_make_sparse ("sparse.bin", SPARSE_SIZE);
  guint8 *bytes = g_malloc0 (SPARSE_SIZE);

  for (gsize i = 0; i < SPARSE_SIZE; i++)
    if (i < HOLE_START || i >= HOLE_END)
      bytes[i] = (guint8) g_rand_int (rand);
  hm_test_pwrite (path, 0, bytes, HOLE_START);
  hm_test_pwrite (path, HOLE_END, bytes + HOLE_END, SPARSE_SIZE - HOLE_END);
  *contents = bytes;
  return g_steal_pointer (&path);
}

static void
test_holes_and_end (gconstpointer data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_sparse (&contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  g_auto(Ready) ready = { 0 };
  const gsize length = SPARSE_SIZE + 100;
  g_autofree guint8 *bytes = g_malloc (length);
  g_autofree guint8 *flags = g_malloc (length);
  HmReader *reader;
  gboolean complete;
  guint8 byte = 0;

  g_assert_no_error (error);
  g_assert_false (hm_document_get_may_stall (doc));
  reader = hm_reader_new (doc, use_worker (data), ready_cb, &ready);
  g_assert_cmpint (hm_reader_get_uses_worker (reader), ==, use_worker (data));

  complete = hm_reader_fill (reader, 0, length, bytes, flags);
  if (use_worker (data))
    {
      /* Nothing is read in the call: every byte is a placeholder */
      g_assert_false (complete);
      assert_flags (flags, 0, length, HM_READER_LOADING);
      wait_ready (&ready, 0);
      fill_all (reader, &ready, 0, length, bytes, flags);
    }
  else
    {
      g_assert_true (complete);
      drain ();
      g_assert_cmpuint (ready.n_ready, ==, 0);
    }
  g_assert_cmpuint (ready.n_faults, ==, 0);

  g_assert_cmpmem (bytes, SPARSE_SIZE, contents, SPARSE_SIZE);
  assert_flags (flags, 0, HOLE_START, 0);
  assert_flags (flags, HOLE_START, HOLE_END, HM_READER_HOLE);
  assert_flags (flags, HOLE_END, SPARSE_SIZE, 0);
  assert_flags (flags, SPARSE_SIZE, length, HM_READER_MISSING);
  for (gsize i = SPARSE_SIZE; i < length; i++)
    g_assert_cmpuint (bytes[i], ==, 0);

  /* A window in the middle, across the hole's start */
  fill_all (reader, &ready, HOLE_START - 10, 20, bytes, flags);
  g_assert_cmpmem (bytes, 10, contents + HOLE_START - 10, 10);
  assert_flags (flags, 0, 10, 0);
  assert_flags (flags, 10, 20, HM_READER_HOLE);

  g_assert_cmpuint (hm_reader_peek (reader, 5, &byte), ==, HM_READER_PEEK_LOADED);
  g_assert_cmpuint (byte, ==, contents[5]);
  g_assert_cmpuint (hm_reader_peek (reader, HOLE_START + 1, &byte), ==, HM_READER_PEEK_LOADED);
  g_assert_cmpuint (byte, ==, 0);
  g_assert_cmpuint (hm_reader_peek (reader, SPARSE_SIZE + 5, &byte), ==, HM_READER_PEEK_UNREADABLE);
  g_assert_cmpuint (hm_reader_get_n_reads (reader), >, 0);

  /* Freed with reads queued and, for the worker, maybe an idle pending: the
   * callback never runs again */
  hm_reader_invalidate (reader, 0, G_MAXUINT64);
  hm_reader_fill (reader, 0, length, bytes, flags);
  g_clear_pointer (&reader, hm_reader_free);
  ready.freed = TRUE;
  drain ();
  g_usleep (20 * 1000);
  drain ();
}

/* Another program truncates the file behind the document's back */
static void
test_truncated (gconstpointer data)
{
  const gsize size = 256 * KIB;
  const gsize new_size = 64 * KIB + 100;
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("truncated.bin", size, 12, &contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  g_auto(Ready) ready = { 0 };
  g_autofree guint8 *bytes = g_malloc (size);
  g_autofree guint8 *flags = g_malloc (size);
  g_autoptr(HmReader) reader = NULL;
  guint before;

  g_assert_no_error (error);
  reader = hm_reader_new (doc, use_worker (data), ready_cb, &ready);

  /* The first screen, read while the file was whole */
  fill_all (reader, &ready, 0, 4 * KIB, bytes, flags);
  g_assert_cmpmem (bytes, 4 * KIB, contents, 4 * KIB);
  drain ();

  hm_test_truncate (path, new_size);

  before = ready.n_ready;
  fill_all (reader, &ready, 0, size, bytes, flags);
  while (ready.n_faults == 0)
    wait_ready (&ready, ready.n_ready);
  g_assert_cmpuint (ready.n_ready, >, before);
  g_assert_cmpuint (ready.n_faults, ==, 1);
  g_assert_error (ready.fault, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);

  /* The document took the new size: what is left reads, the rest is past the end */
  g_assert_cmpuint (hm_document_get_size (doc), ==, new_size);
  g_assert_cmpmem (bytes, new_size, contents, new_size);
  assert_flags (flags, 0, new_size, 0);
  assert_flags (flags, new_size, size, HM_READER_MISSING);
  drain ();
}

/* The file changes under a cached range: the worker shows its copy until told */
static void
test_invalidate (gconstpointer data)
{
  const gsize size = 64 * KIB;
  const guint8 fresh[16] = "fresh bytes here";
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("invalidate.bin", size, 13, &contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  g_auto(Ready) ready = { 0 };
  guint8 bytes[8 * KIB];
  guint8 flags[8 * KIB];
  g_autoptr(HmReader) reader = NULL;
  gint64 deadline;

  g_assert_no_error (error);
  reader = hm_reader_new (doc, use_worker (data), ready_cb, &ready);
  fill_all (reader, &ready, 0, sizeof bytes, bytes, flags);
  g_assert_cmpmem (bytes, sizeof bytes, contents, sizeof bytes);

  hm_test_pwrite (path, 100, fresh, sizeof fresh);

  g_assert_true (hm_reader_fill (reader, 0, sizeof bytes, bytes, flags));
  if (use_worker (data))
    g_assert_cmpmem (bytes + 100, sizeof fresh, contents + 100, sizeof fresh);
  else
    g_assert_cmpmem (bytes + 100, sizeof fresh, fresh, sizeof fresh);

  /* Stale bytes stay on show (no placeholder) until the new ones arrive */
  hm_reader_invalidate (reader, 100, sizeof fresh);
  deadline = g_get_monotonic_time () + WAIT_SECS * G_TIME_SPAN_SECOND;
  for (;;)
    {
      guint before = ready.n_ready;

      g_assert_true (hm_reader_fill (reader, 0, sizeof bytes, bytes, flags));
      assert_flags (flags, 0, sizeof bytes, 0);
      if (memcmp (bytes + 100, fresh, sizeof fresh) == 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      wait_ready (&ready, before);
    }
  g_assert_cmpmem (bytes, 100, contents, 100);
  g_assert_cmpuint (ready.n_faults, ==, 0);
  drain ();
}

/* Pages that fail to read, on the project's FUSE test filesystem (root only) */
static void
test_fault_and_retry (gconstpointer data)
{
  const gsize size = 256 * KIB;
  const guint64 bad = 64 * KIB;
  g_autoptr(GError) error = NULL;
  g_autofree char *backing = NULL;
  g_autofree char *backing_file = NULL;
  g_autofree char *path = NULL;
  g_autofree guint8 *contents = NULL;
  g_autofree guint8 *bytes = g_malloc (size);
  g_autofree guint8 *flags = g_malloc (size);
  g_autoptr(GRand) rand = g_rand_new_with_seed (14);
  g_autoptr(HmFaultfs) fs = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmReader) reader = NULL;
  g_auto(Ready) ready = { 0 };
  guint n_reads;
  guint8 byte;

  if (!hm_faultfs_available (NULL))
    {
      g_test_skip ("needs root and /dev/fuse for the FUSE test filesystem");
      return;
    }

  backing = g_dir_make_tmp ("hexmap-reader-backing-XXXXXX", &error);
  g_assert_no_error (error);
  contents = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    contents[i] = (guint8) g_rand_int (rand);
  backing_file = g_build_filename (backing, "remote.bin", NULL);
  g_assert_true (g_file_set_contents (backing_file, (char *) contents, (gssize) size, NULL));
  fs = hm_faultfs_start (backing, &error);
  g_assert_no_error (error);
  path = hm_faultfs_build_path (fs, "remote.bin");

  g_assert_true (hm_faultfs_controlf (fs, &error, "read-eio 0x%" G_GINT64_MODIFIER "x %u", bad, PAGE));
  g_assert_no_error (error);

  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_get_may_stall (doc));
  reader = hm_reader_new (doc, use_worker (data), ready_cb, &ready);

  /* The whole file: the bad page is flagged, every other byte reads */
  fill_all (reader, &ready, 0, size, bytes, flags);
  while (ready.n_faults == 0)
    wait_ready (&ready, ready.n_ready);
  g_assert_error (ready.fault, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
  assert_flags (flags, 0, bad, 0);
  assert_flags (flags, bad, bad + PAGE, HM_READER_FAULT);
  assert_flags (flags, bad + PAGE, size, 0);
  g_assert_cmpmem (bytes, bad, contents, bad);
  g_assert_cmpmem (bytes + bad + PAGE, size - bad - PAGE, contents + bad + PAGE, size - bad - PAGE);
  g_assert_cmpuint (hm_reader_peek (reader, bad + 1, &byte), ==, HM_READER_PEEK_UNREADABLE);

  /* Drawn again: still unreadable, and not reported again. The worker does not
   * even ask the share again. */
  drain ();
  n_reads = hm_reader_get_n_reads (reader);
  g_assert_true (hm_reader_fill (reader, 0, size, bytes, flags));
  assert_flags (flags, bad, bad + PAGE, HM_READER_FAULT);
  drain ();
  g_assert_cmpuint (ready.n_faults, ==, 1);
  if (use_worker (data))
    g_assert_cmpuint (hm_reader_get_n_reads (reader), ==, n_reads);

  /* The share is back and the user pressed Retry */
  g_assert_true (hm_faultfs_control (fs, "clear", &error));
  hm_reader_retry (reader);
  fill_all (reader, &ready, 0, size, bytes, flags);
  g_assert_cmpmem (bytes, size, contents, size);
  assert_flags (flags, 0, size, 0);
  g_assert_cmpuint (ready.n_faults, ==, 1);

  g_clear_pointer (&reader, hm_reader_free);
  g_clear_object (&doc);
  drain ();
  g_clear_pointer (&fs, hm_faultfs_stop);
  unlink (backing_file);
  rmdir (backing);
}

/* ---- Scattered ranges on a worker ---- */

typedef struct
{
  GPtrArray *items;
  GError    *error;
  GThread   *thread;   /* where the callback ran */
  gboolean   done;
} RangesResult;

static void
ranges_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RangesResult *out = user_data;

  g_assert_null (source);
  out->items = hm_reader_read_ranges_finish (result, &out->error);
  out->thread = g_thread_self ();
  out->done = TRUE;
}

static void
ranges_result_clear (RangesResult *out)
{
  g_clear_pointer (&out->items, g_ptr_array_unref);
  g_clear_error (&out->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RangesResult, ranges_result_clear)

static void
wait_done (RangesResult *out)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECS * G_TIME_SPAN_SECOND;

  while (!out->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
assert_item (GPtrArray    *items,
             guint         index,
             guint64       offset,
             const guint8 *expected,
             gsize         length)
{
  HmReadItem *item = g_ptr_array_index (items, index);

  g_assert_cmpuint (item->offset, ==, offset);
  g_assert_no_error (item->error);
  g_assert_nonnull (item->bytes);
  g_assert_cmpmem (g_bytes_get_data (item->bytes, NULL), g_bytes_get_size (item->bytes), expected, length);
}

/* One item per range, in order; short at the end, empty past it; the callback on
 * the caller's main context */
static void
test_ranges (void)
{
  const gsize size = 64 * KIB + 10;
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("ranges.bin", size, 15, &contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  g_auto(RangesResult) out = { 0 };
  const HmRange ranges[] = {
    { 5000, 16 },
    { 0, 3 },
    { size - 10, 100 },
    { size, 16 },
    { 12 * KIB, 8 * KIB },
    { 7, 0 },
  };

  g_assert_no_error (error);
  hm_reader_read_ranges_async (doc, ranges, G_N_ELEMENTS (ranges), NULL, ranges_done_cb, &out);
  wait_done (&out);
  g_assert_no_error (out.error);
  g_assert_true (out.thread == g_thread_self ());
  g_assert_cmpuint (out.items->len, ==, G_N_ELEMENTS (ranges));
  assert_item (out.items, 0, 5000, contents + 5000, 16);
  assert_item (out.items, 1, 0, contents, 3);
  assert_item (out.items, 2, size - 10, contents + size - 10, 10);
  assert_item (out.items, 3, size, NULL, 0);
  assert_item (out.items, 4, 12 * KIB, contents + 12 * KIB, 8 * KIB);
  assert_item (out.items, 5, 7, NULL, 0);

  /* No ranges at all */
  ranges_result_clear (&out);
  out.done = FALSE;
  hm_reader_read_ranges_async (doc, NULL, 0, NULL, ranges_done_cb, &out);
  wait_done (&out);
  g_assert_no_error (out.error);
  g_assert_cmpuint (out.items->len, ==, 0);
}

/* Cancelled before it ran: no items, G_IO_ERROR_CANCELLED */
static void
test_ranges_cancelled (void)
{
  g_autofree char *path = hm_test_write_random ("ranges-cancel.bin", 16 * KIB, 16, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new (path, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(RangesResult) out = { 0 };
  const HmRange range = { 0, 16 };

  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  hm_reader_read_ranges_async (doc, &range, 1, cancellable, ranges_done_cb, &out);
  wait_done (&out);
  g_assert_error (out.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (out.items);
}

static void
finalized_cb (gpointer  data,
              GObject  *where_the_object_was)
{
  GThread **thread = data;

  *thread = g_thread_self ();
}

/* The read holds the document; when it holds the last reference, the document
 * is still finalized on the caller's thread, never on the worker. Which thread
 * lets go of the read last is a race: a few rounds. */
static void
test_ranges_release (void)
{
  g_autofree char *path = hm_test_write_random ("ranges-release.bin", 16 * KIB, 17, NULL);
  const HmRange range = { 0, 16 };

  for (guint round = 0; round < 5; round++)
    {
      g_autoptr(GError) error = NULL;
      HmDocument *doc = hm_document_new (path, &error);
      g_auto(RangesResult) out = { 0 };
      GThread *finalized_in = NULL;
      gint64 deadline;

      g_assert_no_error (error);
      g_object_weak_ref (G_OBJECT (doc), finalized_cb, &finalized_in);
      hm_reader_read_ranges_async (doc, &range, 1, NULL, ranges_done_cb, &out);
      g_object_unref (doc);
      g_assert_null (finalized_in);
      wait_done (&out);
      g_assert_no_error (out.error);
      g_assert_cmpuint (out.items->len, ==, 1);

      deadline = g_get_monotonic_time () + WAIT_SECS * G_TIME_SPAN_SECOND;
      while (finalized_in == NULL)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (1000);
        }
      g_assert_true (finalized_in == g_thread_self ());
    }
}

/* A range over a page that fails has its error and no bytes; the others read
 * (on the FUSE test filesystem, root only) */
static void
test_ranges_fault (void)
{
  const gsize size = 64 * KIB;
  const guint64 bad = 32 * KIB;
  g_autoptr(GError) error = NULL;
  g_autofree char *backing = NULL;
  g_autofree char *backing_file = NULL;
  g_autofree char *path = NULL;
  g_autofree guint8 *contents = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (18);
  g_autoptr(HmFaultfs) fs = NULL;
  g_autoptr(HmDocument) doc = NULL;
  g_auto(RangesResult) out = { 0 };
  HmReadItem *item;
  const HmRange ranges[] = {
    { 100, 16 },
    { bad + 10, 16 },
    { bad + PAGE, 16 },
  };

  if (!hm_faultfs_available (NULL))
    {
      g_test_skip ("needs root and /dev/fuse for the FUSE test filesystem");
      return;
    }

  backing = g_dir_make_tmp ("hexmap-reader-backing-XXXXXX", &error);
  g_assert_no_error (error);
  contents = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    contents[i] = (guint8) g_rand_int (rand);
  backing_file = g_build_filename (backing, "remote.bin", NULL);
  g_assert_true (g_file_set_contents (backing_file, (char *) contents, (gssize) size, NULL));
  fs = hm_faultfs_start (backing, &error);
  g_assert_no_error (error);
  path = hm_faultfs_build_path (fs, "remote.bin");
  g_assert_true (hm_faultfs_controlf (fs, &error, "read-eio 0x%" G_GINT64_MODIFIER "x %u", bad, PAGE));
  g_assert_no_error (error);

  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  hm_reader_read_ranges_async (doc, ranges, G_N_ELEMENTS (ranges), NULL, ranges_done_cb, &out);
  wait_done (&out);
  g_assert_no_error (out.error);
  g_assert_cmpuint (out.items->len, ==, 3);
  assert_item (out.items, 0, 100, contents + 100, 16);
  item = g_ptr_array_index (out.items, 1);
  g_assert_cmpuint (item->offset, ==, bad + 10);
  g_assert_null (item->bytes);
  g_assert_error (item->error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
  assert_item (out.items, 2, bad + PAGE, contents + bad + PAGE, 16);

  g_clear_object (&doc);
  drain ();
  g_clear_pointer (&fs, hm_faultfs_stop);
  unlink (backing_file);
  rmdir (backing);
}

int
main (int   argc,
      char *argv[])
{
  const struct
  {
    const char   *name;
    GTestDataFunc func;
  } tests[] = {
    { "holes-and-end", test_holes_and_end },
    { "truncated", test_truncated },
    { "invalidate", test_invalidate },
    { "fault-and-retry", test_fault_and_retry },
  };
  int ret;

  g_test_init (&argc, &argv, NULL);
  hm_fault_guard_install ();

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    for (int worker = 0; worker <= 1; worker++)
      {
        g_autofree char *test_path = g_strdup_printf ("/hm/reader/%s/%s", worker ? "worker" : "direct",
                                                      tests[i].name);

        g_test_add_data_func (test_path, GINT_TO_POINTER (worker), tests[i].func);
      }

  g_test_add_func ("/hm/reader/ranges/read", test_ranges);
  g_test_add_func ("/hm/reader/ranges/cancelled", test_ranges_cancelled);
  g_test_add_func ("/hm/reader/ranges/release", test_ranges_release);
  g_test_add_func ("/hm/reader/ranges/fault", test_ranges_fault);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The bulk reader: both read paths (pread into a buffer, mapped windows)
 * against each other, against hm_document_read() and against the file's bytes,
 * on random and sparse files, with preview and direct edits, a file truncated
 * in the middle of a walk, and (root tier) I/O errors on the FUSE test
 * filesystem.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "hm-bulk.h"
#include "hm-faultfs-harness.h"
#include "hm-test-util.h"

static const HmBulkPath paths[] = { HM_BULK_PATH_PREAD, HM_BULK_PATH_MAP };
static const gsize buffer_sizes[] = { 0, 4096, 5000, 65536 };

static const char *
path_name (HmBulkPath path)
{
  return path == HM_BULK_PATH_MAP ? "map" : "pread";
}

typedef struct
{
  guint8       *dest;
  const guint8 *src;
  gsize         length;
} Copy;

static void
copy_cb (gpointer user_data)
{
  Copy *copy = user_data;

  memcpy (copy->dest, copy->src, copy->length);
}

typedef struct
{
  guint64 n_data;
  guint64 n_holes;
  guint64 n_faults;
  guint64 hole_bytes;
  guint64 fault_offset;   /* the first fault block */
  guint64 fault_length;
  GError *error;          /* the walk's or a guarded copy's error */
  guint64 end;            /* bytes walked up to here */
} Walk;

static void
walk_clear (Walk *walk)
{
  g_clear_error (&walk->error);
}

/* Walks [offset, offset + length) and copies every block into @out (indexed
 * from @offset); holes are checked to read as zeros. */
static void
walk (HmDocument  *doc,
      guint64      offset,
      guint64      length,
      HmBulkFlags  flags,
      guint8      *out,
      Walk        *result)
{
  g_autoptr(HmBulk) bulk = hm_bulk_new (doc, offset, length, flags);
  HmBulkBlock block;
  guint64 pos = offset;

  memset (result, 0, sizeof *result);
  while (hm_bulk_next (bulk, &block, &result->error))
    {
      g_assert_cmpuint (block.offset, ==, pos);
      g_assert_cmpuint (block.length, >, 0);
      switch (block.kind)
        {
        case HM_BULK_DATA:
          {
            Copy copy = { out + (block.offset - offset), block.data, (gsize) block.length };

            g_assert_nonnull (block.data);
            result->n_data++;
            if (!hm_bulk_run (bulk, &block, copy_cb, &copy, NULL, &result->error))
              {
                result->end = pos;
                return;
              }
          }
          break;

        case HM_BULK_HOLE:
          result->n_holes++;
          result->hole_bytes += block.length;
          g_assert_false (block.mapped);
          if (flags & HM_BULK_ZERO_HOLES)
            {
              g_assert_nonnull (block.data);
              for (gsize i = 0; i < block.length; i++)
                g_assert_cmpuint (block.data[i], ==, 0);
            }
          else
            g_assert_null (block.data);
          memset (out + (block.offset - offset), 0, (gsize) block.length);
          break;

        case HM_BULK_FAULT:
          g_assert_nonnull (block.error);
          g_assert_true (block.error->domain == HM_FAULT_ERROR);
          if (result->n_faults++ == 0)
            {
              result->fault_offset = block.offset;
              result->fault_length = block.length;
            }
          break;

        default:
          g_assert_not_reached ();
        }
      pos += block.length;
    }
  result->end = pos;
}

/* Every path and buffer size walks @doc to @expected, and bulk-reads random
 * ranges of it as hm_document_read() does. */
static void
check_document (HmDocument   *doc,
                const guint8 *expected,
                gsize         size,
                GRand        *rand)
{
  g_autofree guint8 *out = g_malloc (size + 1);
  g_autofree guint8 *want = g_malloc (size + 1);

  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    for (guint b = 0; b < G_N_ELEMENTS (buffer_sizes); b++)
      {
        guint64 lo = size > 0 ? g_rand_int_range (rand, 0, size) : 0;
        guint64 hi = lo + g_rand_int_range (rand, 0, size - lo + 1);
        Walk w;

        hm_bulk_set_path (paths[p]);
        _hm_bulk_set_buffer_size (buffer_sizes[b]);

        for (guint flags = 0; flags < 2; flags++)
          {
            memset (out, 0xee, size + 1);
            walk (doc, 0, size + 100, flags ? HM_BULK_ZERO_HOLES : HM_BULK_DEFAULT, out, &w);
            g_assert_no_error (w.error);
            g_assert_cmpuint (w.end, ==, size);
            g_assert_cmpuint (w.n_faults, ==, 0);
            g_assert_cmpmem (out, size, expected, size);
            walk_clear (&w);
          }

        /* A part of it. */
        walk (doc, lo, hi - lo, HM_BULK_DEFAULT, out, &w);
        g_assert_no_error (w.error);
        g_assert_cmpuint (w.end, ==, hi);
        g_assert_cmpmem (out, hi - lo, expected + lo, hi - lo);
        walk_clear (&w);

        /* One-shot reads, as compare makes them. */
        for (guint r = 0; r < 4; r++)
          {
            guint64 a = size > 0 ? g_rand_int_range (rand, 0, size) : 0;
            gsize n = g_rand_int_range (rand, 0, size - a + 1);
            g_autoptr(GError) error = NULL;

            g_assert_cmpint (hm_document_read (doc, a, want, n, &error), ==, (gssize) n);
            g_assert_no_error (error);
            g_assert_true (hm_bulk_read (doc, a, out, n, &error));
            g_assert_no_error (error);
            g_assert_cmpmem (out, n, want, n);
            g_assert_cmpmem (out, n, expected + a, n);
          }
      }

  /* Past the end: the file "shrank" from where the caller stands. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (hm_bulk_read (doc, size > 0 ? size - 1 : 0, out, 2, &error));
    g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  }

  hm_bulk_set_path (HM_BULK_PATH_AUTO);
  _hm_bulk_set_buffer_size (0);
}

static void
test_random_files (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint it = 0; it < 12; it++)
    {
      gsize size = g_rand_int_range (rand, 0, g_rand_boolean (rand) ? 100 : 300 * 1024);
      g_autofree guint8 *bytes = NULL;
      g_autofree char *path = hm_test_write_random ("random", size, g_rand_int (rand), &bytes);
      gsize window = g_rand_boolean (rand) ? 4096 : 65536;
      g_autoptr(GError) error = NULL;
      g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, window, &error);

      g_assert_no_error (error);
      check_document (doc, bytes, size, rand);
    }
}

/* Sparse files: holes come as hole blocks where the hole map has them, and
 * are never read (no path allocates them). */
static void
test_sparse_files (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint it = 0; it < 8; it++)
    {
      gsize size = g_rand_int_range (rand, 1, 64) * 4096 + g_rand_int_range (rand, 0, 4096);
      g_autofree char *path = hm_test_make_sparse ("sparse", size);
      g_autofree guint8 *bytes = g_malloc0 (size);
      g_autofree guint8 *out = g_malloc (size);
      g_autoptr(HmDocument) doc = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) extents = NULL;
      guint64 allocated, hole_bytes = 0;

      for (guint e = 0; e < 4; e++)
        {
          gsize at = g_rand_int_range (rand, 0, size);
          gsize want = g_rand_int_range (rand, 1, 20000);
          gsize len = MIN (size - at, want);

          for (gsize i = 0; i < len; i++)
            bytes[at + i] = (guint8) g_rand_int (rand);
          hm_test_pwrite (path, at, bytes + at, len);
        }
      allocated = hm_test_allocated_bytes (path);

      doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 8192, &error);
      g_assert_no_error (error);
      extents = hm_document_get_extents (doc, 0, size);
      for (guint i = 0; i < extents->len; i++)
        if (g_array_index (extents, HmExtent, i).is_hole)
          hole_bytes += g_array_index (extents, HmExtent, i).length;

      check_document (doc, bytes, size, rand);

      for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
        {
          Walk w;

          hm_bulk_set_path (paths[p]);
          walk (doc, 0, size, HM_BULK_DEFAULT, out, &w);
          g_assert_no_error (w.error);
          g_assert_cmpuint (w.hole_bytes, ==, hole_bytes);
          walk_clear (&w);
        }
      hm_bulk_set_path (HM_BULK_PATH_AUTO);
      g_assert_cmpuint (hm_test_allocated_bytes (path), ==, allocated);
    }
}

/* Pending edits are read as the document shows them: in preview mode they
 * live in private pages pread cannot see, also where the file has a hole; a
 * byte typed back to its old value reads as that value. In direct mode they
 * are in the file. */
static void
test_edits (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (HmDocumentMode mode = HM_DOCUMENT_MODE_PREVIEW; mode <= HM_DOCUMENT_MODE_DIRECT; mode++)
    {
      gsize size = 40 * 4096 + 77;
      g_autofree char *path = hm_test_make_sparse ("edits", size);
      g_autofree guint8 *bytes = g_malloc0 (size);
      g_autofree guint8 *shown = g_malloc (size);
      g_autoptr(HmDocument) doc = NULL;
      g_autoptr(GError) error = NULL;
      static const struct { gsize at, length; } edits[] = {
        { 4096 * 3 + 10, 100 },       /* inside data */
        { 4096 * 12 - 5, 10 },        /* across data and a hole */
        { 4096 * 20 + 1, 3000 },      /* inside a hole */
        { 4096 * 31 - 1, 8194 },      /* across windows */
        { 40 * 4096 + 70, 7 },        /* the last bytes */
      };

      for (gsize i = 0; i < 12 * 4096; i++)
        bytes[i] = (guint8) g_rand_int (rand);
      hm_test_pwrite (path, 0, bytes, 12 * 4096);

      doc = hm_document_new_full (path, mode, 16384, &error);
      g_assert_no_error (error);
      for (guint e = 0; e < G_N_ELEMENTS (edits); e++)
        {
          g_autofree guint8 *data = g_malloc (edits[e].length);

          for (gsize i = 0; i < edits[e].length; i++)
            data[i] = (guint8) g_rand_int (rand);
          g_assert_true (hm_document_write (doc, edits[e].at, data, edits[e].length, HM_EDIT_NONE, &error));
          g_assert_no_error (error);
        }
      /* Typed back: no longer pending, but its page is private. */
      g_assert_true (hm_document_write (doc, 4096 * 3 + 10, bytes + 4096 * 3 + 10, 4, HM_EDIT_NONE, &error));
      g_assert_no_error (error);

      g_assert_cmpint (hm_document_read (doc, 0, shown, size, &error), ==, (gssize) size);
      g_assert_no_error (error);
      {
        g_autofree char *on_disk = NULL;
        gsize disk_size = 0;

        /* Preview: the file has none of it (pread alone would miss every
         * edit); direct: it has them all. */
        g_assert_true (g_file_get_contents (path, &on_disk, &disk_size, NULL));
        g_assert_cmpuint (disk_size, ==, size);
        if (mode == HM_DOCUMENT_MODE_PREVIEW)
          g_assert_cmpmem (on_disk, size, bytes, size);
        else
          g_assert_cmpmem (on_disk, size, shown, size);
        g_assert_true (memcmp (shown, bytes, size) != 0);
      }
      check_document (doc, shown, size, rand);
    }
}

/* A file truncated by another program in the middle of a walk: the walk ends
 * with a truncation naming the file and the offset, or (skipping faults) with
 * one fault block to the end; no byte past the new end is delivered as data. */
static void
test_truncate (void)
{
  gsize size = 256 * 1024;
  guint64 new_size = 100 * 1024 + 123;

  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    for (guint skip = 0; skip < 2; skip++)
      {
        g_autofree guint8 *bytes = NULL;
        g_autofree char *path = hm_test_write_random ("truncate.bin", size, 3, &bytes);
        g_autofree guint8 *out = g_malloc (size);
        g_autoptr(GError) error = NULL;
        g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 16384, &error);
        g_autoptr(HmBulk) bulk = NULL;
        HmBulkBlock block;
        guint64 pos = 0, data_end = 0;
        gboolean truncated = FALSE, faulted = FALSE;

        g_assert_no_error (error);
        hm_bulk_set_path (paths[p]);
        _hm_bulk_set_buffer_size (8192);
        bulk = hm_bulk_new (doc, 0, size, skip ? HM_BULK_SKIP_FAULTS : HM_BULK_DEFAULT);

        while (hm_bulk_next (bulk, &block, &error))
          {
            g_assert_cmpuint (block.offset, ==, pos);
            if (block.kind == HM_BULK_FAULT)
              {
                g_assert_true (skip);
                g_assert_error (block.error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
                g_assert_cmpuint (block.offset, >=, new_size & ~(guint64) 4095);
                g_assert_cmpuint (block.offset + block.length, ==, size);
                faulted = TRUE;
              }
            else
              {
                Copy copy = { out + block.offset, block.data, (gsize) block.length };

                g_assert_cmpint (block.kind, ==, HM_BULK_DATA);
                if (!hm_bulk_run (bulk, &block, copy_cb, &copy, NULL, &error))
                  break;
                /* Bytes past the new end read as zeros at most (the rest of the
                 * last page, through a mapping). */
                if (block.offset + block.length > new_size)
                  for (guint64 i = MAX (block.offset, new_size); i < block.offset + block.length; i++)
                    g_assert_cmpuint (out[i], ==, 0);
                else
                  g_assert_cmpmem (out + block.offset, block.length, bytes + block.offset, block.length);
                data_end = block.offset + block.length;
              }
            pos += block.length;
            if (!truncated)
              {
                hm_test_truncate (path, new_size);
                truncated = TRUE;
              }
          }

        if (error != NULL)
          {
            g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
            g_assert_nonnull (strstr (error->message, "truncate.bin"));
            g_assert_nonnull (strstr (error->message, "0x"));
            g_test_message ("%s: %s", path_name (paths[p]), error->message);
          }
        else
          g_assert_true (faulted);
        g_assert_cmpuint (data_end, <=, (new_size | 4095) + 1);
      }
  hm_bulk_set_path (HM_BULK_PATH_AUTO);
  _hm_bulk_set_buffer_size (0);
}

/* A reader of its own for a local file reads the document's file, even once
 * it was renamed and deleted, and gives its open file back. */
static void
test_own_stream (void)
{
  gsize size = 200 * 1024;
  g_autofree guint8 *bytes = NULL;
  g_autofree char *path = hm_test_write_random ("stream.bin", size, 21, &bytes);
  g_autofree char *moved = hm_test_path ("stream-moved.bin");
  g_autofree guint8 *out = g_malloc (size);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  guint n_fds;

  g_assert_no_error (error);
  hm_bulk_set_path (HM_BULK_PATH_PREAD);
  g_assert_cmpint (g_rename (path, moved), ==, 0);
  g_assert_cmpint (g_unlink (moved), ==, 0);
  /* Something else at the old path. */
  g_free (hm_test_write_random ("stream.bin", 100, 22, NULL));

  n_fds = hm_test_count_fds ();
  {
    g_autoptr(HmBulk) bulk = hm_bulk_new (doc, 0, size, HM_BULK_OWN_STREAM);
    g_autoptr(HmBulk) shared = hm_bulk_new (doc, 0, size, HM_BULK_DEFAULT);
    HmBulkBlock block;

    g_assert_true (hm_bulk_has_own_stream (bulk));
    g_assert_false (hm_bulk_has_own_stream (shared));
    g_assert_cmpuint (hm_test_count_fds (), ==, n_fds + 1);
    while (hm_bulk_next (bulk, &block, &error))
      {
        g_assert_cmpint (block.kind, ==, HM_BULK_DATA);
        memcpy (out + block.offset, block.data, block.length);
      }
    g_assert_no_error (error);
    g_assert_cmpmem (out, size, bytes, size);
  }
  g_assert_cmpuint (hm_test_count_fds (), ==, n_fds);

  /* Mapped windows need no open file of their own. */
  hm_bulk_set_path (HM_BULK_PATH_MAP);
  {
    g_autoptr(HmBulk) bulk = hm_bulk_new (doc, 0, size, HM_BULK_OWN_STREAM);

    g_assert_false (hm_bulk_has_own_stream (bulk));
  }
  hm_bulk_set_path (HM_BULK_PATH_AUTO);
}

/* The first big job measures both paths once; storage that may stall always
 * reads with pread. Not a speed test: only that a choice is made. */
static void
test_calibration (void)
{
  gsize size = 72 * 1024 * 1024;
  g_autofree guint8 *bytes = g_malloc (size);
  g_autofree char *path = hm_test_path ("calibrate.bin");
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  double pread_rate = 0, map_rate = 0;
  HmBulkPath chosen, calibrated = HM_BULK_PATH_AUTO;

  for (gsize i = 0; i < size; i++)
    bytes[i] = (guint8) (i * 2654435761u >> 13);
  g_file_set_contents (path, (const char *) bytes, size, &error);
  g_assert_no_error (error);
  doc = hm_document_new (path, &error);
  g_assert_no_error (error);

  hm_bulk_set_path (HM_BULK_PATH_AUTO);
  chosen = hm_bulk_choose_path (doc, 0, size);
  g_assert_true (chosen == HM_BULK_PATH_PREAD || chosen == HM_BULK_PATH_MAP);
  g_assert_true (hm_bulk_get_calibration (&pread_rate, &map_rate, &calibrated));
  g_assert_cmpint (calibrated, ==, chosen);
  g_assert_cmpfloat (pread_rate, >, 0);
  g_assert_cmpfloat (map_rate, >, 0);
  g_test_message ("pread %.2f GB/s, mapped windows %.2f GB/s: %s", pread_rate / 1e9, map_rate / 1e9,
                  path_name (chosen));
  /* Decided once. */
  g_assert_cmpint (hm_bulk_choose_path (doc, 0, size), ==, chosen);

  hm_document_set_may_stall (doc, TRUE);
  g_assert_cmpint (hm_bulk_choose_path (doc, 0, size), ==, HM_BULK_PATH_PREAD);
  hm_bulk_set_path (HM_BULK_PATH_MAP);
  g_assert_cmpint (hm_bulk_choose_path (doc, 0, size), ==, HM_BULK_PATH_MAP);
  hm_bulk_set_path (HM_BULK_PATH_AUTO);
  g_unlink (path);
}

/* --- root tier: I/O errors on the FUSE test filesystem --------------------- */

#define EIO_AT 0x30000

static void
test_eio (void)
{
  g_autofree char *reason = NULL;
  g_autofree char *backing = NULL;
  g_autofree char *backing_file = NULL;
  g_autofree char *mounted = NULL;
  g_autofree guint8 *bytes = NULL;
  g_autofree guint8 *out = NULL;
  g_autoptr(HmFaultfs) fs = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = 1024 * 1024;

  if (!hm_faultfs_available (&reason))
    {
      g_test_skip (reason);
      return;
    }

  backing = g_dir_make_tmp ("hm-bulk-faultfs-XXXXXX", &error);
  g_assert_no_error (error);
  g_free (hm_test_write_random ("eio-source", size, 11, &bytes));
  backing_file = g_build_filename (backing, "remote.bin", NULL);
  g_file_set_contents (backing_file, (const char *) bytes, (gssize) size, &error);
  g_assert_no_error (error);
  out = g_malloc (size);

  fs = hm_faultfs_start (backing, &error);
  g_assert_no_error (error);
  mounted = hm_faultfs_build_path (fs, "remote.bin");
  g_assert_true (hm_faultfs_controlf (fs, &error, "read-eio %d 4096", EIO_AT));
  g_assert_no_error (error);

  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    for (guint skip = 0; skip < 2; skip++)
      {
        g_autoptr(HmDocument) doc = hm_document_new_full (mounted, HM_DOCUMENT_MODE_READ_ONLY, 65536, &error);
        Walk w;

        g_assert_no_error (error);
        /* Storage that may stall always takes pread, unless forced. */
        hm_bulk_set_path (HM_BULK_PATH_AUTO);
        g_assert_cmpint (hm_bulk_choose_path (doc, 0, size), ==, HM_BULK_PATH_PREAD);

        hm_bulk_set_path (paths[p]);
        {
          /* Opening a FUSE file anew may drop its cached pages: never. */
          g_autoptr(HmBulk) bulk = hm_bulk_new (doc, 0, size, HM_BULK_OWN_STREAM);

          g_assert_false (hm_bulk_has_own_stream (bulk));
        }
        memset (out, 0, size);
        walk (doc, 0, size, skip ? HM_BULK_SKIP_FAULTS : HM_BULK_DEFAULT, out, &w);
        g_test_message ("%s, skip %u: walked to 0x%" G_GINT64_MODIFIER "x", path_name (paths[p]), skip, w.end);

        if (skip && paths[p] == HM_BULK_PATH_PREAD)
          {
            /* The bad page is a fault block; everything else reads. */
            g_assert_no_error (w.error);
            g_assert_cmpuint (w.n_faults, ==, 1);
            g_assert_cmphex (w.fault_offset, ==, EIO_AT);
            g_assert_cmpuint (w.fault_length, ==, 4096);
            g_assert_cmpuint (w.end, ==, size);
            g_assert_cmpmem (out, EIO_AT, bytes, EIO_AT);
            g_assert_cmpmem (out + EIO_AT + 4096, size - EIO_AT - 4096, bytes + EIO_AT + 4096,
                             size - EIO_AT - 4096);
          }
        else
          {
            /* Through a mapping the consumer meets the fault (hm_bulk_run()). */
            g_assert_error (w.error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
            g_assert_nonnull (strstr (w.error->message, "remote.bin"));
            g_assert_nonnull (strstr (w.error->message, "0x30000"));
            g_assert_cmpuint (w.end, <=, EIO_AT);
            g_assert_cmpmem (out, w.end, bytes, w.end);
          }
        walk_clear (&w);

        g_assert_false (hm_bulk_read (doc, EIO_AT - 100, out, 8192, &error));
        g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
        g_assert_nonnull (strstr (error->message, "0x30000"));
        g_clear_error (&error);
        g_assert_true (hm_bulk_read (doc, EIO_AT + 4096, out, 8192, &error));
        g_assert_no_error (error);
        g_assert_cmpmem (out, 8192, bytes + EIO_AT + 4096, 8192);
      }
  hm_bulk_set_path (HM_BULK_PATH_AUTO);

  g_clear_pointer (&fs, hm_faultfs_stop);
  g_unlink (backing_file);
  g_rmdir (backing);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/bulk/random-files", test_random_files);
  g_test_add_func ("/hm/bulk/sparse-files", test_sparse_files);
  g_test_add_func ("/hm/bulk/edits", test_edits);
  g_test_add_func ("/hm/bulk/truncate", test_truncate);
  g_test_add_func ("/hm/bulk/own-stream", test_own_stream);
  g_test_add_func ("/hm/bulk/calibration", test_calibration);
  g_test_add_func ("/hm/bulk/eio", test_eio);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}

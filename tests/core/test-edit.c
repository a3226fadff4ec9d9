/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The editing engine against a plain model.
 *
 * The model keeps, page by page, what the document should show (cur) and what the
 * file should hold (disk), plus its own undo history with the journal's rules
 * (coalescing typed bytes, redo tail dropped by a new edit, discard returning to
 * the history of the last commit). After every random step the document, the
 * file read through another fd, and the pending set are checked against it.
 * Seed: printed on failure; HM_TEST_SEED=N reruns one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm-document.h"
#include "hm-document-private.h"
#include "hm-fault.h"
#include "hm-test-util.h"

#define PAGE 4096
#define GIB (G_GUINT64_CONSTANT (1) << 30)

/* ---- The model ---- */

typedef struct
{
  guint64 offset;
  GBytes *old;
  GBytes *new;
  gboolean coalesce;
} Step;

typedef struct
{
  guint64     size;
  const guint8 *initial;   /* NULL: the file starts as zeros (sparse) */
  GHashTable *cur;         /* page index -> guint8[PAGE] */
  GHashTable *disk;
  GArray     *steps;       /* Step */
  guint       pos;
  GArray     *base_steps;  /* the history at the last commit */
  gboolean    run_open;
  HmDocumentMode mode;
} Model;

static void
step_clear (gpointer data)
{
  Step *step = data;

  g_clear_pointer (&step->old, g_bytes_unref);
  g_clear_pointer (&step->new, g_bytes_unref);
}

static GArray *
steps_new (void)
{
  GArray *steps = g_array_new (FALSE, TRUE, sizeof (Step));

  g_array_set_clear_func (steps, step_clear);
  return steps;
}

static void
steps_copy_into (GArray *dest,
                 GArray *src,
                 guint   n)
{
  g_array_set_size (dest, 0);
  for (guint i = 0; i < n; i++)
    {
      Step s = g_array_index (src, Step, i);

      s.old = g_bytes_ref (s.old);
      s.new = g_bytes_ref (s.new);
      g_array_append_val (dest, s);
    }
}

static guint8 *
model_page (Model      *m,
            GHashTable *pages,
            guint64     index,
            gboolean    create)
{
  guint8 *page = g_hash_table_lookup (pages, &index);

  if (page == NULL && create)
    {
      guint64 *key = g_new (guint64, 1);

      page = g_malloc0 (PAGE);
      if (m->initial != NULL && index * PAGE < m->size)
        memcpy (page, m->initial + index * PAGE, MIN ((guint64) PAGE, m->size - index * PAGE));
      *key = index;
      g_hash_table_insert (pages, key, page);
    }
  return page;
}

static void
model_get (Model      *m,
           GHashTable *pages,
           guint64     offset,
           guint8     *buffer,
           gsize       length)
{
  for (gsize done = 0; done < length;)
    {
      guint64 pos = offset + done;
      gsize in = (gsize) (pos % PAGE);
      gsize n = MIN (length - done, PAGE - in);
      guint8 *page = model_page (m, pages, pos / PAGE, FALSE);

      if (page != NULL)
        memcpy (buffer + done, page + in, n);
      else if (m->initial != NULL)
        memcpy (buffer + done, m->initial + pos, n);
      else
        memset (buffer + done, 0, n);
      done += n;
    }
}

static void
model_set (Model      *m,
           GHashTable *pages,
           guint64     offset,
           const guint8 *data,
           gsize       length)
{
  for (gsize done = 0; done < length;)
    {
      guint64 pos = offset + done;
      gsize in = (gsize) (pos % PAGE);
      gsize n = MIN (length - done, PAGE - in);

      memcpy (model_page (m, pages, pos / PAGE, TRUE) + in, data + done, n);
      done += n;
    }
}

static void
model_init (Model        *m,
            guint64       size,
            const guint8 *initial)
{
  memset (m, 0, sizeof *m);
  m->size = size;
  m->initial = initial;
  m->cur = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  m->disk = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  m->steps = steps_new ();
  m->base_steps = steps_new ();
  m->mode = HM_DOCUMENT_MODE_PREVIEW;
}

static void
model_clear (Model *m)
{
  g_hash_table_unref (m->cur);
  g_hash_table_unref (m->disk);
  g_array_unref (m->steps);
  g_array_unref (m->base_steps);
}

/* The journal's rules: record drops the redo tail; a coalescing edit merges into
 * an open coalescing step it touches or overlaps. */
static void
model_record (Model        *m,
              guint64       offset,
              const guint8 *new_bytes,
              gsize         length,
              gboolean      coalesce)
{
  g_autofree guint8 *old = g_malloc (length);

  model_get (m, m->cur, offset, old, length);

  if (coalesce && m->run_open)
    {
      Step *top = &g_array_index (m->steps, Step, m->steps->len - 1);
      guint64 top_end = top->offset + g_bytes_get_size (top->old);

      if (offset <= top_end && offset + length > top->offset)
        {
          guint64 start = MIN (top->offset, offset);
          guint64 end = MAX (top_end, offset + length);
          g_autofree guint8 *merged_old = g_malloc ((gsize) (end - start));
          g_autofree guint8 *merged_new = g_malloc ((gsize) (end - start));

          /* Old bytes: the step's where it has them, else the ones before now. */
          model_get (m, m->cur, start, merged_old, (gsize) (end - start));
          memcpy (merged_old + (top->offset - start), g_bytes_get_data (top->old, NULL),
                  g_bytes_get_size (top->old));
          model_set (m, m->cur, offset, new_bytes, length);
          model_get (m, m->cur, start, merged_new, (gsize) (end - start));
          g_bytes_unref (top->old);
          g_bytes_unref (top->new);
          top->offset = start;
          top->old = g_bytes_new (merged_old, (gsize) (end - start));
          top->new = g_bytes_new (merged_new, (gsize) (end - start));
          return;
        }
    }

  g_array_set_size (m->steps, m->pos);
  {
    Step s = { offset, g_bytes_new (old, length), g_bytes_new (new_bytes, length), coalesce };

    g_array_append_val (m->steps, s);
  }
  m->pos = m->steps->len;
  m->run_open = coalesce;
  model_set (m, m->cur, offset, new_bytes, length);
}

static gboolean
model_has_pending (Model *m)
{
  GHashTableIter iter;
  gpointer key, value;
  guint8 disk[PAGE];

  g_hash_table_iter_init (&iter, m->cur);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint64 index = *(guint64 *) key;
      gsize n = (gsize) MIN ((guint64) PAGE, m->size - index * PAGE);

      model_get (m, m->disk, index * PAGE, disk, n);
      if (memcmp (disk, value, n) != 0)
        return TRUE;
    }
  return FALSE;
}

/* ---- Checks ---- */

typedef struct
{
  const char *path;
  HmDocument *doc;
  int         other_fd;   /* the file through another fd */
  Model       model;
  GRand      *rand;
  gboolean    sparse;
  guint64     cursor;
  guint       n_commits;
} Run;

static GArray *
sorted_pages (GHashTable *pages)
{
  GArray *indexes = g_array_new (FALSE, FALSE, sizeof (guint64));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, pages);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (indexes, *(guint64 *) key);
  return indexes;
}

static void
check_page (Run     *run,
            guint64  index,
            const char *what)
{
  Model *m = &run->model;
  guint64 offset = index * PAGE;
  gsize n = (gsize) MIN ((guint64) PAGE, m->size - offset);
  guint8 want[PAGE], got[PAGE], file_want[PAGE], file_got[PAGE];
  g_autoptr(GError) error = NULL;
  gssize r;

  model_get (m, m->cur, offset, want, n);
  r = hm_document_read (run->doc, offset, got, n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r, ==, (gssize) n);
  if (memcmp (want, got, n) != 0)
    {
      for (gsize i = 0; i < n; i++)
        if (want[i] != got[i])
          g_error ("%s: document byte 0x%" G_GINT64_MODIFIER "x is %02x, the model says %02x",
                   what, offset + i, got[i], want[i]);
    }

  /* Preview and read-only leave the file alone; direct changes it at once. */
  model_get (m, m->mode == HM_DOCUMENT_MODE_DIRECT ? m->cur : m->disk, offset, file_want, n);
  g_assert_cmpint (pread (run->other_fd, file_got, n, (off_t) offset), ==, (gssize) n);
  if (memcmp (file_want, file_got, n) != 0)
    {
      for (gsize i = 0; i < n; i++)
        if (file_want[i] != file_got[i])
          g_error ("%s: file byte 0x%" G_GINT64_MODIFIER "x is %02x, the model says %02x (mode %s)",
                   what, offset + i, file_got[i], file_want[i],
                   hm_document_mode_to_string (m->mode));
    }
}

static void
check_all (Run        *run,
           const char *what)
{
  Model *m = &run->model;
  g_autoptr(GArray) pages = NULL;

  g_assert_cmpint (hm_document_get_mode (run->doc), ==, m->mode);
  g_assert_cmpint (hm_document_get_can_undo (run->doc), ==, m->pos > 0);
  g_assert_cmpint (hm_document_get_can_redo (run->doc), ==, m->pos < m->steps->len);
  g_assert_cmpint (hm_document_get_has_pending (run->doc), ==, model_has_pending (m));

  if (!run->sparse)
    {
      for (guint64 i = 0; i * PAGE < m->size; i++)
        check_page (run, i, what);
    }
  else
    {
      pages = sorted_pages (m->cur);
      for (guint i = 0; i < pages->len; i++)
        check_page (run, g_array_index (pages, guint64, i), what);
      /* And somewhere nobody wrote. */
      check_page (run, g_rand_int_range (run->rand, 0, (gint32) MIN (m->size / PAGE, G_MAXINT32)), what);
    }

  /* The pending ranges, byte-exact, on small files. */
  if (!run->sparse)
    {
      g_autoptr(GArray) ranges = hm_document_get_pending_ranges (run->doc);
      g_autofree guint8 *cur = g_malloc (m->size);
      g_autofree guint8 *disk = g_malloc (m->size);
      guint r = 0;
      guint64 i = 0;

      model_get (m, m->cur, 0, cur, m->size);
      model_get (m, m->disk, 0, disk, m->size);
      while (i < m->size)
        {
          guint64 start;

          if (cur[i] == disk[i])
            {
              i++;
              continue;
            }
          start = i;
          while (i < m->size && cur[i] != disk[i])
            i++;
          g_assert_cmpuint (r, <, ranges->len);
          g_assert_cmpuint (g_array_index (ranges, HmRange, r).offset, ==, start);
          g_assert_cmpuint (g_array_index (ranges, HmRange, r).length, ==, i - start);
          r++;
        }
      g_assert_cmpuint (r, ==, ranges->len);
    }
}

/* ---- Random steps ---- */

static guint64
random_offset (Run     *run,
               guint64  length)
{
  guint64 span = run->model.size - length;

  if (run->sparse)
    {
      /* Mostly near the places already edited, so steps interact. */
      if (g_rand_boolean (run->rand) && g_hash_table_size (run->model.cur) > 0)
        {
          g_autoptr(GArray) pages = sorted_pages (run->model.cur);
          guint64 base = g_array_index (pages, guint64, g_rand_int_range (run->rand, 0, (gint32) pages->len)) * PAGE;

          base += (guint64) g_rand_int_range (run->rand, 0, 3 * PAGE);
          return MIN (base, span);
        }
      return ((guint64) g_rand_int (run->rand) << 32 | g_rand_int (run->rand)) % (span + 1);
    }
  return (guint64) g_rand_int_range (run->rand, 0, (gint32) (span + 1));
}

static void
expect_refusal (gboolean ok,
                GError  *error,
                GQuark   domain,
                int      code)
{
  g_assert_false (ok);
  g_assert_error (error, domain, code);
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;

  if (!hm_document_save_finish (HM_DOCUMENT (source), result, error))
    g_assert_nonnull (*error);
  else
    *error = (GError *) GINT_TO_POINTER (1);
}

static gboolean trace;

#define TRACE(...) G_STMT_START { if (trace) g_printerr (__VA_ARGS__); } G_STMT_END

static void
do_step (Run *run)
{
  Model *m = &run->model;
  g_autoptr(GError) error = NULL;
  guint choice = g_rand_int_range (run->rand, 0, 100);
  gboolean editable = m->mode != HM_DOCUMENT_MODE_READ_ONLY;
  gboolean ok;

  if (choice < 25)
    {
      /* A write, often across windows. */
      gsize length = (gsize) g_rand_int_range (run->rand, 1, run->sparse ? 40000 : 20000);
      guint64 offset;
      g_autofree guint8 *data = g_malloc (length);

      length = (gsize) MIN ((guint64) length, m->size);
      offset = random_offset (run, length);
      for (gsize i = 0; i < length; i++)
        data[i] = (guint8) g_rand_int (run->rand);
      TRACE ("write %" G_GUINT64_FORMAT " +%zu\n", offset, length);
      ok = hm_document_write (run->doc, offset, data, length, HM_EDIT_NONE, &error);
      if (!editable)
        return expect_refusal (ok, error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY);
      g_assert_no_error (error);
      model_record (m, offset, data, length, FALSE);
    }
  else if (choice < 35)
    {
      /* A fill with a short pattern. */
      guint8 pattern[5];
      gsize plen = (gsize) g_rand_int_range (run->rand, 1, 6);
      gsize length = (gsize) g_rand_int_range (run->rand, 1, 30000);
      guint64 offset;
      g_autofree guint8 *data = NULL;

      length = (gsize) MIN ((guint64) length, m->size);
      offset = random_offset (run, length);
      for (gsize i = 0; i < plen; i++)
        pattern[i] = (guint8) g_rand_int (run->rand);
      TRACE ("fill %" G_GUINT64_FORMAT " +%zu\n", offset, length);
      ok = hm_document_fill (run->doc, offset, length, pattern, plen, &error);
      if (!editable)
        return expect_refusal (ok, error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY);
      g_assert_no_error (error);
      data = g_malloc (length);
      for (gsize i = 0; i < length; i++)
        data[i] = pattern[i % plen];
      model_record (m, offset, data, length, FALSE);
    }
  else if (choice < 60)
    {
      /* Typing: a nibble changes the byte at the cursor, or the next one. */
      guint8 byte[1];
      guint k = g_rand_int_range (run->rand, 0, 10);

      if (k == 0)
        run->cursor = random_offset (run, 1);
      else if (k < 5 && run->cursor + 1 < m->size)
        run->cursor++;
      model_get (m, m->cur, run->cursor, byte, 1);
      byte[0] = (guint8) ((g_rand_boolean (run->rand) ? byte[0] & 0x0f : byte[0] & 0xf0) |
                          (g_rand_int (run->rand) & (g_rand_boolean (run->rand) ? 0xf0 : 0x0f)));
      TRACE ("type %" G_GUINT64_FORMAT "\n", run->cursor);
      ok = hm_document_write (run->doc, run->cursor, byte, 1, HM_EDIT_COALESCE, &error);
      if (!editable)
        return expect_refusal (ok, error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY);
      g_assert_no_error (error);
      model_record (m, run->cursor, byte, 1, TRUE);
    }
  else if (choice < 70)
    {
      TRACE ("undo\n");
      ok = hm_document_undo (run->doc, &error);
      if (!editable)
        return expect_refusal (ok, error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY);
      m->run_open = FALSE;
      if (m->pos == 0)
        return expect_refusal (ok, error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY);
      g_assert_no_error (error);
      m->pos--;
      {
        Step *s = &g_array_index (m->steps, Step, m->pos);
        gsize n;
        const guint8 *old = g_bytes_get_data (s->old, &n);

        model_set (m, m->cur, s->offset, old, n);
      }
    }
  else if (choice < 78)
    {
      TRACE ("redo\n");
      ok = hm_document_redo (run->doc, &error);
      if (!editable)
        return expect_refusal (ok, error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY);
      m->run_open = FALSE;
      if (m->pos == m->steps->len)
        return expect_refusal (ok, error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY);
      g_assert_no_error (error);
      {
        Step *s = &g_array_index (m->steps, Step, m->pos);
        gsize n;
        const guint8 *data = g_bytes_get_data (s->new, &n);

        model_set (m, m->cur, s->offset, data, n);
      }
      m->pos++;
    }
  else if (choice < 85)
    {
      /* Commit, sometimes asynchronously. */
      HmSaveOptions options = { g_rand_int_range (run->rand, 0, 3), 1600000000, 123456789, FALSE };

      m->run_open = FALSE;
      TRACE ("save\n");
      if (g_rand_int_range (run->rand, 0, 4) == 0)
        {
          GError *result = NULL;

          hm_document_save_async (run->doc, &options, NULL, NULL, NULL, save_done_cb, &result);
          /* Edits wait while the worker writes. */
          if (editable)
            {
              guint8 byte = 0;

              ok = hm_document_write (run->doc, 0, &byte, 1, HM_EDIT_NONE, &error);
              expect_refusal (ok, error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY);
              g_clear_error (&error);
            }
          while (result == NULL)
            g_main_context_iteration (NULL, TRUE);
          g_assert_true (result == GINT_TO_POINTER (1));
        }
      else
        {
          ok = hm_document_save (run->doc, &options, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      if (m->mode != HM_DOCUMENT_MODE_READ_ONLY)
        {
          GHashTableIter iter;
          gpointer key, value;

          g_hash_table_iter_init (&iter, m->cur);
          while (g_hash_table_iter_next (&iter, &key, &value))
            model_set (m, m->disk, *(guint64 *) key * PAGE, value,
                       (gsize) MIN ((guint64) PAGE, m->size - *(guint64 *) key * PAGE));
          steps_copy_into (m->base_steps, m->steps, m->pos);
          run->n_commits++;
        }
    }
  else if (choice < 91)
    {
      TRACE ("discard\n");
      ok = hm_document_discard (run->doc, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      m->run_open = FALSE;
      if (m->mode != HM_DOCUMENT_MODE_READ_ONLY)
        {
          GHashTableIter iter;
          gpointer key, value;

          g_hash_table_iter_init (&iter, m->disk);
          while (g_hash_table_iter_next (&iter, &key, &value))
            model_set (m, m->cur, *(guint64 *) key * PAGE, value,
                       (gsize) MIN ((guint64) PAGE, m->size - *(guint64 *) key * PAGE));
          /* Pages edited since the commit go back to what the file holds. */
          g_hash_table_iter_init (&iter, m->cur);
          while (g_hash_table_iter_next (&iter, &key, &value))
            model_get (m, m->disk, *(guint64 *) key * PAGE, value,
                       (gsize) MIN ((guint64) PAGE, m->size - *(guint64 *) key * PAGE));
          steps_copy_into (m->steps, m->base_steps, m->base_steps->len);
          m->pos = m->steps->len;
        }
    }
  else
    {
      HmDocumentMode target = g_rand_int_range (run->rand, 0, 3);
      gboolean pending = model_has_pending (m);

      TRACE ("mode %s\n", hm_document_mode_to_string (target));
      ok = hm_document_set_mode (run->doc, target, &error);
      if (target == m->mode)
        {
          g_assert_no_error (error);
          return;
        }
      m->run_open = FALSE;
      if (pending && (m->mode == HM_DOCUMENT_MODE_DIRECT || target == HM_DOCUMENT_MODE_READ_ONLY))
        return expect_refusal (ok, error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY);
      g_assert_no_error (error);
      g_assert_true (ok);
      m->mode = target;
    }
}

static void
run_model (const char   *path,
           const guint8 *initial,
           guint64       size,
           gsize         window_size,
           guint32       seed,
           guint         n_steps,
           gboolean      sparse)
{
  Run run = { 0 };
  g_autoptr(GError) error = NULL;

  g_test_message ("model run: seed %u, %u steps, size %" G_GUINT64_FORMAT, seed, n_steps, size);
  run.path = path;
  run.sparse = sparse;
  run.rand = g_rand_new_with_seed (seed);
  model_init (&run.model, size, initial);
  run.doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, window_size, &error);
  g_assert_no_error (error);
  run.other_fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (run.other_fd, >=, 0);

  for (guint i = 0; i < n_steps; i++)
    {
      g_autofree char *what = g_strdup_printf ("seed %u step %u", seed, i);

      do_step (&run);
      check_all (&run, what);
    }

  /* End with everything committed and on disk. */
  if (run.model.mode == HM_DOCUMENT_MODE_READ_ONLY)
    {
      g_assert_true (hm_document_set_mode (run.doc, HM_DOCUMENT_MODE_PREVIEW, &error));
      run.model.mode = HM_DOCUMENT_MODE_PREVIEW;
    }
  g_assert_true (hm_document_save (run.doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (run.doc);
  run.doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, window_size, &error);
  g_assert_no_error (error);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, run.model.cur);
    while (g_hash_table_iter_next (&iter, &key, &value))
      model_set (&run.model, run.model.disk, *(guint64 *) key * PAGE, value,
                 (gsize) MIN ((guint64) PAGE, size - *(guint64 *) key * PAGE));
  }
  run.model.mode = HM_DOCUMENT_MODE_READ_ONLY;
  g_array_set_size (run.model.steps, 0);
  run.model.pos = 0;
  check_all (&run, "after reopening");
  g_test_message ("seed %u: %u commits", seed, run.n_commits);

  g_object_unref (run.doc);
  close (run.other_fd);
  model_clear (&run.model);
  g_rand_free (run.rand);
}

static guint32
test_seed (guint32 fallback)
{
  const char *env = g_getenv ("HM_TEST_SEED");

  if (env != NULL)
    return (guint32) g_ascii_strtoull (env, NULL, 10);
  return fallback;
}

static void
test_model_small (void)
{
  guint32 base = test_seed (g_test_rand_int ());

  for (guint k = 0; k < 4; k++)
    {
      guint32 seed = base + k;
      g_autofree guint8 *initial = NULL;
      gsize size = 20000 + (seed % 5) * 9001;
      g_autofree char *path = hm_test_write_random ("model-small", size, seed, &initial);

      g_printerr ("# /hm/edit/model/small: seed %u (HM_TEST_SEED=%u reruns it)\n", seed, seed);
      run_model (path, initial, size, 8192, seed, 1500, FALSE);
      g_unlink (path);
      if (g_getenv ("HM_TEST_SEED") != NULL)
        break;
    }
}

static void
test_model_sparse (void)
{
  guint32 seed = test_seed (g_test_rand_int ());
  g_autofree char *path = hm_test_make_sparse ("model-sparse", 4 * GIB + 12345);

  g_printerr ("# /hm/edit/model/sparse: seed %u (HM_TEST_SEED=%u reruns it)\n", seed, seed);
  run_model (path, NULL, 4 * GIB + 12345, 65536, seed, 400, TRUE);
  g_unlink (path);
}

/* ---- Focused tests ---- */

static void
read_file (const char *path,
           guint64     offset,
           guint8     *buffer,
           gsize       length)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, buffer, length, (off_t) offset), ==, (gssize) length);
  close (fd);
}

static void
test_preview_isolation (void)
{
  g_autofree guint8 *initial = NULL;
  g_autofree char *path = hm_test_write_random ("isolation", 100000, 7, &initial);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 edit[] = "preview bytes";
  guint8 seen[sizeof edit];
  struct stat before, after;

  g_assert_cmpint (stat (path, &before), ==, 0);
  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hm_document_get_mode (doc), ==, HM_DOCUMENT_MODE_PREVIEW);

  g_assert_true (hm_document_write (doc, 70000, edit, sizeof edit, HM_EDIT_NONE, &error));
  read_file (path, 70000, seen, sizeof seen);
  g_assert_cmpmem (seen, sizeof seen, initial + 70000, sizeof edit);
  g_assert_cmpint (hm_document_read (doc, 70000, seen, sizeof seen, &error), ==, sizeof seen);
  g_assert_cmpmem (seen, sizeof seen, edit, sizeof edit);

  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  read_file (path, 70000, seen, sizeof seen);
  g_assert_cmpmem (seen, sizeof seen, edit, sizeof edit);
  g_assert_cmpint (stat (path, &after), ==, 0);
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);
  g_assert_false (hm_document_get_has_pending (doc));
  g_unlink (path);
}

static gboolean
timespec_le (const struct timespec *a,
             const struct timespec *b)
{
  return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

static void
check_timestamps_in (const char     *dir,
                     HmDocumentMode  mode)
{
  g_autofree char *path = g_build_filename (dir, "hexmap-test-times", NULL);
  g_autoptr(GError) error = NULL;
  const struct timespec old_times[2] = { { 1000000000, 111111111 }, { 1100000000, 222222222 } };

  for (int policy = HM_TIMESTAMP_NOW; policy <= HM_TIMESTAMP_EXPLICIT; policy++)
    {
      g_autoptr(HmDocument) doc = NULL;
      HmSaveOptions options = { policy, 1234567890, 987654321, FALSE };
      struct timespec t0, t1;
      struct stat st;
      guint8 byte = (guint8) (0x40 + policy);
      int fd;

      g_assert_true (g_file_set_contents (path, "0123456789abcdef", 16, &error));
      fd = open (path, O_RDWR | O_CLOEXEC);
      g_assert_cmpint (futimens (fd, old_times), ==, 0);
      close (fd);

      doc = hm_document_new_full (path, mode, 0, &error);
      g_assert_no_error (error);
      g_assert_true (hm_document_write (doc, 3, &byte, 1, HM_EDIT_NONE, &error));
      clock_gettime (CLOCK_REALTIME, &t0);
      g_assert_true (hm_document_save (doc, &options, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      clock_gettime (CLOCK_REALTIME, &t1);
      g_assert_cmpint (stat (path, &st), ==, 0);

      switch (policy)
        {
        case HM_TIMESTAMP_NOW:
          /* The filesystem clock is coarse: allow a tick before t0. */
          t0.tv_sec -= 1;
          g_assert_true (timespec_le (&t0, &st.st_mtim) && timespec_le (&st.st_mtim, &t1));
          g_assert_true (timespec_le (&t0, &st.st_atim) && timespec_le (&st.st_atim, &t1));
          break;
        case HM_TIMESTAMP_KEEP:
          g_assert_cmpint (st.st_mtim.tv_sec, ==, old_times[1].tv_sec);
          g_assert_cmpint (st.st_mtim.tv_nsec, ==, old_times[1].tv_nsec);
          g_assert_cmpint (st.st_atim.tv_sec, ==, old_times[0].tv_sec);
          g_assert_cmpint (st.st_atim.tv_nsec, ==, old_times[0].tv_nsec);
          break;
        case HM_TIMESTAMP_EXPLICIT:
          g_assert_cmpint (st.st_mtim.tv_sec, ==, 1234567890);
          g_assert_cmpint (st.st_mtim.tv_nsec, ==, 987654321);
          /* The access time is left to the kernel (UTIME_OMIT): our own reads may
           * have moved it forward (relatime), but it is not the explicit time. */
          g_assert_true (timespec_le (&old_times[0], &st.st_atim));
          g_assert_false (st.st_atim.tv_sec == 1234567890 && st.st_atim.tv_nsec == 987654321);
          break;
        default:
          g_assert_not_reached ();
        }
      {
        guint8 check[16];

        read_file (path, 0, check, 16);
        g_assert_cmpint (check[3], ==, byte);
      }
    }
  g_unlink (path);
}

static void
test_timestamps (void)
{
  check_timestamps_in (hm_test_tmpdir (), HM_DOCUMENT_MODE_PREVIEW);
  check_timestamps_in (hm_test_tmpdir (), HM_DOCUMENT_MODE_DIRECT);
  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) && access ("/dev/shm", W_OK) == 0)
    {
      check_timestamps_in ("/dev/shm", HM_DOCUMENT_MODE_PREVIEW);
      check_timestamps_in ("/dev/shm", HM_DOCUMENT_MODE_DIRECT);
    }
  else
    g_test_message ("no writable /dev/shm: tmpfs not checked");
}

static void
check_commit_only_changed (HmDocumentMode mode)
{
  g_autofree char *path = hm_test_make_sparse ("only-changed", 4 * GIB);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  struct stat before, after;
  guint8 byte = 0x5a, seen;
  guint64 offset = 3 * GIB + 1234567;

  /* Some data already, so "unchanged" is not trivially zero. */
  hm_test_pwrite (path, GIB, "data", 4);
  g_assert_cmpint (stat (path, &before), ==, 0);

  doc = hm_document_new_full (path, mode, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, offset, &byte, 1, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (stat (path, &after), ==, 0);
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);
  g_assert_cmpint (after.st_size, ==, before.st_size);
  g_test_message ("%s: allocated %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT " bytes",
                  hm_document_mode_to_string (mode), (gint64) before.st_blocks * 512,
                  (gint64) after.st_blocks * 512);
  g_assert_cmpint ((after.st_blocks - before.st_blocks) * 512, <=, MAX (PAGE, after.st_blksize));
  read_file (path, offset, &seen, 1);
  g_assert_cmpint (seen, ==, byte);
  g_unlink (path);
}

static void
test_commit_only_changed (void)
{
  check_commit_only_changed (HM_DOCUMENT_MODE_PREVIEW);
  check_commit_only_changed (HM_DOCUMENT_MODE_DIRECT);
}

static void
test_conflict (void)
{
  g_autofree guint8 *initial = NULL;
  g_autofree char *path = hm_test_write_random ("conflict", 50000, 3, &initial);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  HmSaveOptions force = { HM_TIMESTAMP_NOW, 0, 0, TRUE };
  const guint8 edit[4] = { 1, 2, 3, 4 };
  guint8 seen[4];
  const struct timespec later[2] = { { 0, UTIME_OMIT }, { 2000000000, 5 } };
  int fd;

  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 100, edit, 4, HM_EDIT_NONE, &error));

  /* Another program touches the file. */
  fd = open (path, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (futimens (fd, later), ==, 0);
  close (fd);

  g_assert_false (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  read_file (path, 100, seen, 4);
  g_assert_cmpmem (seen, 4, initial + 100, 4);
  g_assert_true (hm_document_get_has_pending (doc));

  g_assert_true (hm_document_save (doc, &force, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  read_file (path, 100, seen, 4);
  g_assert_cmpmem (seen, 4, edit, 4);

  /* Truncated between edit and commit: conflict, nothing written. */
  g_assert_true (hm_document_write (doc, 40000, edit, 4, HM_EDIT_NONE, &error));
  hm_test_truncate (path, 30000);
  g_assert_false (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT);
  g_clear_error (&error);
  {
    struct stat st;

    g_assert_cmpint (stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_size, ==, 30000);
  }
  g_assert_true (hm_document_get_has_pending (doc));

  /* A file replaced at its path is refused even when forced. */
  g_assert_true (g_file_set_contents (path, "new", 3, &error));
  g_assert_false (hm_document_save (doc, &force, NULL, NULL, NULL, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT);
  g_unlink (path);
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
test_mode_rules (void)
{
  g_autofree guint8 *initial = NULL;
  g_autofree char *path = hm_test_write_random ("modes", 30000, 5, &initial);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 edit[3] = { 0xaa, 0xbb, 0xcc };
  guint8 seen[3];
  guint notified = 0;

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 8192, &error);
  g_assert_no_error (error);
  g_assert_false (hm_document_write (doc, 0, edit, 3, HM_EDIT_NONE, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_READ_ONLY);
  g_clear_error (&error);

  g_signal_connect (doc, "notify::mode", G_CALLBACK (count_cb), &notified);
  g_assert_true (hm_document_set_mode (doc, HM_DOCUMENT_MODE_PREVIEW, &error));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (hm_document_write (doc, 8190, edit, 3, HM_EDIT_NONE, &error));

  /* Pending preview edits cannot become read-only. */
  g_assert_false (hm_document_set_mode (doc, HM_DOCUMENT_MODE_READ_ONLY, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY);
  g_clear_error (&error);

  /* Preview to direct carries them into the file at once. */
  g_assert_true (hm_document_set_mode (doc, HM_DOCUMENT_MODE_DIRECT, &error));
  g_assert_no_error (error);
  read_file (path, 8190, seen, 3);
  g_assert_cmpmem (seen, 3, edit, 3);
  g_assert_true (hm_document_get_has_pending (doc));

  /* Direct with unsaved edits: save first. */
  g_assert_false (hm_document_set_mode (doc, HM_DOCUMENT_MODE_PREVIEW, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY);
  g_clear_error (&error);

  /* Discard in direct mode puts the old bytes back in the file. */
  g_assert_true (hm_document_discard (doc, &error));
  read_file (path, 8190, seen, 3);
  g_assert_cmpmem (seen, 3, initial + 8190, 3);
  g_assert_true (hm_document_set_mode (doc, HM_DOCUMENT_MODE_PREVIEW, &error));
  g_assert_no_error (error);
  g_unlink (path);
}

typedef struct
{
  GThread *main_thread;
  guint    changed;
  guint    progress;
  guint64  last_done;
  guint64  total;
} AsyncProbe;

static void
changed_cb (HmDocument *doc,
            guint64     offset,
            guint64     length,
            AsyncProbe *probe)
{
  g_assert_true (g_thread_self () == probe->main_thread);
  probe->changed++;
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  AsyncProbe *probe = user_data;

  g_atomic_int_inc (&probe->progress);
  probe->last_done = done;
  probe->total = total;
}

static void
test_async_and_cancel (void)
{
  g_autofree char *path = hm_test_make_sparse ("async", 64 * 1024 * 1024);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncProbe probe = { g_thread_self (), 0, 0, 0, 0 };
  const guint8 pattern[2] = { 0x12, 0x34 };
  GError *result = NULL;
  guint8 seen[2];

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 1024 * 1024, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_fill (doc, 1000, 40 * 1024 * 1024, pattern, 2, &error));

  /* Cancelled before it starts: nothing written, still pending. */
  g_cancellable_cancel (cancellable);
  g_assert_false (hm_document_save (doc, NULL, cancellable, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_true (hm_document_get_has_pending (doc));
  read_file (path, 1000, seen, 2);
  g_assert_cmpint (seen[0], ==, 0);

  g_signal_connect (doc, "changed", G_CALLBACK (changed_cb), &probe);
  hm_document_save_async (doc, NULL, NULL, progress_cb, &probe, save_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (result == GINT_TO_POINTER (1));
  g_assert_cmpuint (probe.progress, >, 1);
  g_assert_cmpuint (probe.last_done, ==, 40 * 1024 * 1024);
  g_assert_cmpuint (probe.total, ==, 40 * 1024 * 1024);
  g_assert_cmpuint (probe.changed, >, 0);
  g_assert_false (hm_document_get_has_pending (doc));
  read_file (path, 1000 + 40 * 1024 * 1024 - 2, seen, 2);
  g_assert_cmpmem (seen, 2, pattern, 2);
  g_unlink (path);
}

static void
test_save_as (void)
{
  g_autofree char *path = hm_test_make_sparse ("save-as-src", 256 * 1024 * 1024);
  g_autofree char *copy = hm_test_path ("save-as-copy");
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 edit[5] = "hello";
  guint8 seen[5];

  hm_test_pwrite (path, 100 * 1024 * 1024, "data!", 5);
  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 200 * 1024 * 1024, edit, 5, HM_EDIT_NONE, &error));

  /* Not over itself. */
  g_assert_false (hm_document_save_as (doc, path, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* Over another existing file: replaced entirely. */
  g_assert_true (g_file_set_contents (copy, "old contents", -1, &error));
  g_assert_true (hm_document_save_as (doc, copy, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  read_file (copy, 200 * 1024 * 1024, seen, 5);
  g_assert_cmpmem (seen, 5, edit, 5);
  read_file (copy, 100 * 1024 * 1024, seen, 5);
  g_assert_cmpmem (seen, 5, "data!", 5);
  read_file (copy, 0, seen, 5);
  g_assert_cmpint (seen[0], ==, 0);
  /* Holes stayed holes. */
  g_assert_cmpuint (hm_test_allocated_bytes (copy), <, 1024 * 1024);
  /* The original is untouched and the edit still pending. */
  read_file (path, 200 * 1024 * 1024, seen, 5);
  g_assert_cmpint (seen[0], ==, 0);
  g_assert_true (hm_document_get_has_pending (doc));
  g_unlink (copy);
  g_unlink (path);
}

/* Names in the folder of @path that look like Save As temporaries. */
static guint
count_temporaries (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (strstr (name, ".hexmap-") != NULL)
      n++;
  return n;
}

static void
test_save_as_permissions (void)
{
  g_autofree char *path = hm_test_write_random ("perm-src", 64 * 1024, 1, NULL);
  g_autofree char *copy = hm_test_path ("perm-copy");
  g_autofree char *planted = hm_test_path ("perm-planted");
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_cmpint (chmod (path, 0600), ==, 0);
  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 10, (const guint8 *) "x", 1, HM_EDIT_NONE, &error));

  /* A new copy of a 0600 file is 0600, whatever the umask would give. */
  g_unlink (copy);
  g_assert_true (hm_document_save_as (doc, copy, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (copy, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);

  /* A planted setuid/setgid 6777 target lends nothing: the source's bits. */
  g_assert_true (g_file_set_contents (planted, "planted", -1, &error));
  g_assert_cmpint (chmod (planted, 06777), ==, 0);
  g_assert_true (hm_document_save_as (doc, planted, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (planted, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpuint (st.st_size, ==, 64 * 1024);
  g_clear_object (&doc);

  /* A setuid source: the copy keeps the permission bits, not the s-bits. */
  g_assert_cmpint (chmod (path, 04755), ==, 0);
  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_unlink (copy);
  g_assert_true (hm_document_save_as (doc, copy, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (copy, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  g_assert_cmpuint (count_temporaries (copy), ==, 0);
  g_unlink (copy);
  g_unlink (planted);
  g_unlink (path);
}

static void
test_save_as_symlink (void)
{
  g_autofree char *path = hm_test_write_random ("link-src", 64 * 1024, 2, NULL);
  g_autofree char *dest = hm_test_path ("link-dest");
  g_autofree char *link = hm_test_path ("link-link");
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *target = NULL;
  struct stat st;

  g_assert_true (g_file_set_contents (dest, "the destination", -1, &error));
  g_unlink (link);
  g_assert_cmpint (symlink (dest, link), ==, 0);
  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 10, (const guint8 *) "x", 1, HM_EDIT_NONE, &error));

  g_assert_false (hm_document_save_as (doc, link, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* The link and the file it points to are untouched. */
  g_assert_true (g_file_get_contents (dest, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, "the destination");
  g_assert_cmpint (lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  target = g_file_read_link (link, &error);
  g_assert_cmpstr (target, ==, dest);
  g_assert_cmpuint (count_temporaries (link), ==, 0);
  g_unlink (link);
  g_unlink (dest);
  g_unlink (path);
}

static void
test_save_as_no_leftovers (void)
{
  g_autofree char *path = hm_test_write_random ("left-src", 4 * 1024 * 1024, 3, NULL);
  g_autofree char *copy = hm_test_path ("left-copy");
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  doc = hm_document_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 10, (const guint8 *) "x", 1, HM_EDIT_NONE, &error));
  g_cancellable_cancel (cancellable);
  g_unlink (copy);

  /* Cancelled, with an unnamed temporary file and with a named one. */
  for (guint named = 0; named < 2; named++)
    {
      _hm_save_test_no_tmpfile = named;
      g_assert_false (hm_document_save_as (doc, copy, cancellable, NULL, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      g_assert_false (g_file_test (copy, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (count_temporaries (copy), ==, 0);
    }

  /* The named fallback works too, and leaves only the copy. */
  g_assert_true (hm_document_save_as (doc, copy, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_temporaries (copy), ==, 0);
  _hm_save_test_no_tmpfile = FALSE;
  g_unlink (copy);
  g_unlink (path);
}

/* ---- Honest saves ---- */

static void
replace_path_cb (HmDocument *doc,
                 const char *point,
                 gpointer    data)
{
  const char *other = data;

  if (g_strcmp0 (point, "before-verify") == 0)
    g_assert_cmpint (g_rename (other, hm_document_get_path (doc)), ==, 0);
}

static void
test_replaced_during_save (void)
{
  for (guint direct = 0; direct < 2; direct++)
    {
      g_autofree char *path = hm_test_write_random ("replaced", 256 * 1024, 4, NULL);
      g_autofree char *other = hm_test_write_random ("replaced-other", 256 * 1024, 5, NULL);
      g_autoptr(HmDocument) doc = NULL;
      g_autoptr(GError) error = NULL;

      doc = hm_document_new_full (path, direct ? HM_DOCUMENT_MODE_DIRECT : HM_DOCUMENT_MODE_PREVIEW,
                                  0, &error);
      g_assert_no_error (error);
      g_assert_true (hm_document_write (doc, 1000, (const guint8 *) "edit", 4, HM_EDIT_NONE, &error));

      _hm_save_test_hook = replace_path_cb;
      _hm_save_test_hook_data = other;
      g_assert_false (hm_document_save (doc, NULL, NULL, NULL, NULL, &error));
      _hm_save_test_hook = NULL;
      g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT);
      g_assert_nonnull (strstr (error->message, "during the save"));
      g_assert_nonnull (strstr (error->message, "still pending"));
      g_test_message ("%s", error->message);
      g_assert_true (hm_document_get_has_pending (doc));
      g_unlink (path);
    }
}

static void
test_direct_truncated (void)
{
  g_autofree char *path = hm_test_write_random ("direct-trunc", 1024 * 1024, 6, NULL);
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  HmSaveOptions force = { HM_TIMESTAMP_NOW, 0, 0, TRUE };

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_DIRECT, 0, &error);
  g_assert_no_error (error);
  g_assert_true (hm_document_write (doc, 0x80000, (const guint8 *) "edit", 4, HM_EDIT_NONE, &error));
  hm_test_truncate (path, 4096);

  /* Even "overwrite anyway" cannot write past the end: not "saved". */
  g_assert_false (hm_document_save (doc, &force, NULL, NULL, NULL, &error));
  g_assert_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "0x80000"));
  g_assert_nonnull (strstr (error->message, "4096 bytes"));
  g_test_message ("%s", error->message);
  g_assert_true (hm_document_get_has_pending (doc));
  g_clear_object (&doc);
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  trace = g_getenv ("HM_TEST_TRACE") != NULL;

  g_test_add_func ("/hm/edit/model/small", test_model_small);
  g_test_add_func ("/hm/edit/model/sparse", test_model_sparse);
  g_test_add_func ("/hm/edit/preview-isolation", test_preview_isolation);
  g_test_add_func ("/hm/edit/timestamps", test_timestamps);
  g_test_add_func ("/hm/edit/commit-only-changed", test_commit_only_changed);
  g_test_add_func ("/hm/edit/conflict", test_conflict);
  g_test_add_func ("/hm/edit/mode-rules", test_mode_rules);
  g_test_add_func ("/hm/edit/async-and-cancel", test_async_and_cancel);
  g_test_add_func ("/hm/edit/save-as", test_save_as);
  g_test_add_func ("/hm/edit/save-as/permissions", test_save_as_permissions);
  g_test_add_func ("/hm/edit/save-as/symlink", test_save_as_symlink);
  g_test_add_func ("/hm/edit/save-as/no-leftovers", test_save_as_no_leftovers);
  g_test_add_func ("/hm/edit/honest/replaced-during-save", test_replaced_during_save);
  g_test_add_func ("/hm/edit/honest/direct-truncated", test_direct_truncated);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}

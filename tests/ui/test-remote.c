/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Remote and sparse files in the hex view: reads off the main thread with a
 * placeholder until the bytes arrive, `??` for pages that fail (one "read-fault"),
 * Retry, a lost server, the hole/data map and hole navigation.
 *
 * The FUSE parts mount the project's test filesystem (tests/faultfs) and need
 * root and /dev/fuse; they are skipped otherwise. The rest runs anywhere with a
 * display, forcing the worker thread on a local file. */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>
#include <unistd.h>

#include "hm-changes-panel-private.h"
#include "hm-extent-map-private.h"
#include "hm-fault.h"
#include "hm-find-bar-private.h"
#include "hm-inspector-private.h"
#include "hm-faultfs-harness.h"
#include "hm-hex-view-private.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"

#define KIB        1024u
#define MIB        (1024u * 1024u)
#define FILE_SIZE  (4 * MIB)
#define WAIT_US    (60 * G_USEC_PER_SEC) /* waits for what must happen: only a defect fails them */
#define GRID_COLS  200

/* ---- A view in an unshown window, allocated by hand ---- */

typedef struct
{
  GtkWindow  *window;
  GtkWidget  *box;
  HmHexView  *view;
  HmExtentMap *map;
  guint       n_faults;
  GError     *last_fault;

  /* FUSE */
  HmFaultfs  *fs;
  char       *backing;
  char       *path;
  guint8     *contents;
} Fixture;

static void
read_fault_cb (HmHexView    *view,
               const GError *error,
               Fixture      *fx)
{
  fx->n_faults++;
  g_clear_error (&fx->last_fault);
  fx->last_fault = g_error_copy (error);
}

/* The map is attached to each document the view shows, as a page attaches it. */
static void
view_document_cb (HmHexView  *view,
                  GParamSpec *pspec,
                  Fixture    *fx)
{
  HmDocument *document = hm_hex_view_get_document (view);

  _hm_extent_map_attach (fx->map, document != NULL ? view : NULL, document);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->window = GTK_WINDOW (gtk_window_new ());
  fx->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  fx->view = HM_HEX_VIEW (hm_hex_view_new ());
  fx->map = HM_EXTENT_MAP (hm_extent_map_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (fx->view), TRUE);
  gtk_box_append (GTK_BOX (fx->box), GTK_WIDGET (fx->view));
  gtk_box_append (GTK_BOX (fx->box), GTK_WIDGET (fx->map));
  gtk_window_set_child (fx->window, fx->box);
  g_signal_connect (fx->view, "notify::document", G_CALLBACK (view_document_cb), fx);
  hm_hex_view_set_fixed_bytes_per_row (fx->view, 16);
  g_signal_connect (fx->view, "read-fault", G_CALLBACK (read_fault_cb), fx);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  gtk_window_destroy (fx->window);
  g_clear_error (&fx->last_fault);
}

/* The FUSE fixture: a 4 MiB random file seen through hm-faultfs. */
static void
fuse_setup (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *backing_file = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  fixture_setup (fx, data);
  fx->contents = g_malloc (FILE_SIZE);
  for (gsize i = 0; i < FILE_SIZE; i++)
    fx->contents[i] = (guint8) g_rand_int (rand);
  fx->backing = g_dir_make_tmp ("hexmap-remote-backing-XXXXXX", &error);
  g_assert_no_error (error);
  backing_file = g_build_filename (fx->backing, "remote.bin", NULL);
  g_assert_true (g_file_set_contents (backing_file, (char *) fx->contents, FILE_SIZE, NULL));

  fx->fs = hm_faultfs_start (fx->backing, &error);
  g_assert_no_error (error);
  fx->path = hm_faultfs_build_path (fx->fs, "remote.bin");
}

static void
fuse_teardown (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *backing_file = g_build_filename (fx->backing, "remote.bin", NULL);

  /* The view (and its worker) go first: nothing may still read the mount. */
  fixture_teardown (fx, data);
  hm_faultfs_stop (fx->fs);
  unlink (backing_file);
  rmdir (fx->backing);
  g_free (fx->backing);
  g_free (fx->path);
  g_free (fx->contents);
}

static void
allocate (Fixture *fx,
          int      width,
          int      height)
{
  int min, nat;

  gtk_widget_measure (fx->box, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  gtk_widget_measure (fx->box, GTK_ORIENTATION_VERTICAL, width, &min, &nat, NULL, NULL);
  gtk_widget_size_allocate (fx->box, &(GtkAllocation) { 0, 0, width, height }, -1);
}

static HmDocument *
open_document (const char *path)
{
  g_autoptr(GError) error = NULL;
  HmDocument *document = hm_document_new (path, &error);

  g_assert_no_error (error);
  return document;
}

/* Runs the main loop for about @ms milliseconds. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* Runs the main loop until @done (fails after WAIT_US). */
static void
spin_until (gboolean (*done) (gpointer data),
            gpointer   data)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

typedef struct
{
  Fixture *fx;
  guint    n;
} FaultCount;

static gboolean
faults_reached (gpointer data)
{
  FaultCount *count = data;

  return count->fx->n_faults >= count->n;
}

/* Waits until the view has signalled @n faults in all (the signal comes through
 * the main loop after the worker's read failed); then a short spin may check
 * that no more come. */
static void
wait_for_faults (Fixture *fx,
                 guint    n)
{
  FaultCount count = { fx, n };

  spin_until (faults_reached, &count);
}

/* ---- Reading a frame back: the hex pane of each row ---- */

typedef struct
{
  GPtrArray *rows;   /* char[GRID_COLS + 1] per row */
} Grid;

static void
grid_free (Grid *grid)
{
  g_ptr_array_unref (grid->rows);
  g_free (grid);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Grid, grid_free)

static void
collect_text (HmHexView     *view,
              GskRenderNode *node,
              Grid          *grid)
{
  GskRenderNodeType type = gsk_render_node_get_node_type (node);

  if (type == GSK_CONTAINER_NODE)
    {
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        collect_text (view, gsk_container_node_get_child (node, i), grid);
    }
  else if (type == GSK_CLIP_NODE)
    collect_text (view, gsk_clip_node_get_child (node), grid);
  else if (type == GSK_TEXT_NODE)
    {
      const graphene_point_t *offset = gsk_text_node_get_offset (node);
      double cw = _hm_hex_view_get_cell_width (view);
      guint row = (guint) (offset->y / _hm_hex_view_get_row_height (view));
      guint n;
      const PangoGlyphInfo *glyphs = gsk_text_node_get_glyphs (node, &n);
      double x = offset->x;

      while (grid->rows->len <= row)
        {
          char *line = g_malloc (GRID_COLS + 1);

          memset (line, ' ', GRID_COLS);
          line[GRID_COLS] = '\0';
          g_ptr_array_add (grid->rows, line);
        }
      for (guint i = 0; i < n; i++)
        {
          int col = (int) (x / cw + 0.5);

          if (col >= 0 && col < GRID_COLS)
            ((char *) grid->rows->pdata[row])[col] = (char) _hm_hex_view_char_for_glyph (view, glyphs[i].glyph);
          x += (double) glyphs[i].geometry.width / PANGO_SCALE;
        }
    }
}

static Grid *
render (Fixture *fx)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  Grid *grid = g_new0 (Grid, 1);

  grid->rows = g_ptr_array_new_with_free_func (g_free);
  _hm_hex_view_snapshot_content (fx->view, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    collect_text (fx->view, node, grid);
  return grid;
}

/* The two characters of byte @index in row @row (16 bytes per row, 6 offset
 * digits for a file under 16 MiB: byte i is at column 9 + 3 i). */
static void
cell (Grid *grid,
      guint row,
      guint index,
      char  out[3])
{
  const char *line;

  g_assert_cmpuint (row, <, grid->rows->len);
  line = grid->rows->pdata[row];
  out[0] = line[9 + 3 * index];
  out[1] = line[10 + 3 * index];
  out[2] = '\0';
}

static guint
count_cells (Grid       *grid,
             const char *what)
{
  guint n = 0;

  for (guint r = 0; r < grid->rows->len; r++)
    for (guint i = 0; i < 16; i++)
      {
        char c[3];

        cell (grid, r, i, c);
        n += g_str_equal (c, what);
      }
  return n;
}

/* Renders until no placeholder is left, running the main loop in between. */
static Grid *
render_until_loaded (Fixture *fx)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  for (;;)
    {
      g_autoptr(Grid) grid = render (fx);

      if (grid->rows->len > 0 && count_cells (grid, "..") == 0)
        return g_steal_pointer (&grid);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      spin (5);
    }
}

/* Renders until the cell at @row, @col shows @want and no placeholder is left:
 * after an edit the stale bytes stay on screen until the worker read them again. */
static Grid *
render_until_shows (Fixture    *fx,
                    guint       row,
                    guint       col,
                    const char *want)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  for (;;)
    {
      g_autoptr(Grid) grid = render (fx);
      char c[3];

      if (grid->rows->len > row && count_cells (grid, "..") == 0)
        {
          cell (grid, row, col, c);
          if (g_str_equal (c, want))
            return g_steal_pointer (&grid);
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      spin (5);
    }
}

/* Every visible row shows the file's bytes, except cells that are `??`. Returns
 * the number of `??` cells. */
static guint
check_rows (Fixture      *fx,
            Grid         *grid,
            const guint8 *contents)
{
  guint64 top = hm_hex_view_get_top_row (fx->view);
  guint bad = 0;

  for (guint r = 0; r < grid->rows->len; r++)
    for (guint i = 0; i < 16; i++)
      {
        guint64 offset = (top + r) * 16 + i;
        char c[3], want[3];

        cell (grid, r, i, c);
        g_snprintf (want, sizeof want, "%02x", contents[offset]);
        if (g_str_equal (c, "??"))
          bad++;
        else
          g_assert_cmpstr (c, ==, want);
      }
  return bad;
}

/* ---- Without FUSE: the worker on a local file ---- */

static void
test_async_local (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("async.bin", FILE_SIZE, 3, &contents);
  g_autoptr(HmDocument) document = open_document (path);
  g_autoptr(Grid) first = NULL;
  g_autoptr(Grid) loaded = NULL;
  guint reads;

  /* A local file is read in the frame: the first frame has the bytes. */
  hm_hex_view_set_document (fx->view, document);
  allocate (fx, 900, 400);
  g_assert_false (_hm_hex_view_get_async_reads (fx->view));
  first = render (fx);
  g_assert_cmpuint (count_cells (first, ".."), ==, 0);
  g_assert_cmpuint (check_rows (fx, first, contents), ==, 0);
  g_clear_pointer (&first, grid_free);

  /* Through the worker: placeholders first, then the bytes. */
  hm_document_set_may_stall (document, TRUE);
  g_assert_true (_hm_hex_view_get_async_reads (fx->view));
  first = render (fx);
  g_assert_cmpuint (count_cells (first, ".."), ==, first->rows->len * 16);
  loaded = render_until_loaded (fx);
  g_assert_cmpuint (check_rows (fx, loaded, contents), ==, 0);

  /* The next screen was prefetched: scrolling one page down needs no new read.
   * No wait is needed for it: a screen of 16-byte rows here is far less than
   * the reader's 16 KiB chunk, so the next one came with the read just done. */
  spin (50);
  reads = _hm_hex_view_get_n_async_reads (fx->view);
  hm_hex_view_set_top_row (fx->view, hm_hex_view_get_n_visible_rows (fx->view));
  g_clear_pointer (&loaded, grid_free);
  loaded = render (fx);
  g_assert_cmpuint (count_cells (loaded, ".."), ==, 0);
  g_assert_cmpuint (check_rows (fx, loaded, contents), ==, 0);

  /* And scrolling back is served from the cache. */
  hm_hex_view_set_top_row (fx->view, 0);
  g_clear_pointer (&loaded, grid_free);
  loaded = render (fx);
  g_assert_cmpuint (count_cells (loaded, ".."), ==, 0);
  g_assert_cmpuint (_hm_hex_view_get_n_async_reads (fx->view), ==, reads);

  /* A far jump: placeholders, then the bytes there. */
  hm_hex_view_scroll_to_offset (fx->view, 3 * MIB);
  g_clear_pointer (&loaded, grid_free);
  loaded = render_until_loaded (fx);
  g_assert_cmpuint (check_rows (fx, loaded, contents), ==, 0);
  g_assert_cmpuint (fx->n_faults, ==, 0);
}

static void
test_async_edit (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("edit.bin", 1 * MIB, 4, &contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) document = hm_document_new_full (path, HM_DOCUMENT_MODE_PREVIEW, 0, &error);
  g_autoptr(Grid) grid = NULL;
  static const guint8 patch[4] = { 0xde, 0xad, 0xbe, 0xef };
  guint8 original[4];
  char c[3], want[3];

  g_assert_no_error (error);
  hm_document_set_may_stall (document, TRUE);
  hm_hex_view_set_document (fx->view, document);
  allocate (fx, 900, 400);
  grid = render_until_loaded (fx);

  /* An edit: the cached bytes are stale and read again, never left old. */
  g_assert_true (hm_document_write (document, 0x10, patch, sizeof patch, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  memcpy (original, contents + 0x10, sizeof original);
  memcpy (contents + 0x10, patch, sizeof patch);
  g_clear_pointer (&grid, grid_free);
  spin (50);
  grid = render_until_loaded (fx);
  g_clear_pointer (&grid, grid_free);
  grid = render_until_shows (fx, 1, 0, "de");
  cell (grid, 1, 0, c);
  g_assert_cmpstr (c, ==, "de");
  g_assert_cmpuint (check_rows (fx, grid, contents), ==, 0);

  /* Undo: back to the file's bytes. */
  g_assert_true (hm_document_undo (document, &error));
  g_assert_no_error (error);
  memcpy (contents + 0x10, original, sizeof original);
  g_snprintf (want, sizeof want, "%02x", original[0]);
  g_clear_pointer (&grid, grid_free);
  grid = render (fx);
  g_clear_pointer (&grid, grid_free);
  grid = render_until_shows (fx, 1, 0, want);
  cell (grid, 1, 0, c);
  g_assert_cmpstr (c, ==, want);
  g_assert_cmpuint (check_rows (fx, grid, contents), ==, 0);
}

/* ---- The hole/data map and hole navigation ---- */

static const struct
{
  guint64 offset;
  guint64 length;
} sparse_data[] = {
  { 0, 1 * MIB },
  { 40 * MIB, 64 * KIB },
  { 100 * MIB, 8 * MIB },
  { 255 * MIB, 1 * MIB },
};

static char *
make_sparse_file (void)
{
  g_autofree guint8 *block = g_malloc (64 * KIB);
  char *path = hm_test_make_sparse ("map.bin", 256 * MIB);

  memset (block, 0xa5, 64 * KIB);
  for (guint i = 0; i < G_N_ELEMENTS (sparse_data); i++)
    for (guint64 o = 0; o < sparse_data[i].length; o += 64 * KIB)
      hm_test_pwrite (path, sparse_data[i].offset + o, block, 64 * KIB);
  return path;
}

static gboolean
colors_close (const GdkRGBA *a,
              const GdkRGBA *b)
{
  return ABS (a->red - b->red) < 0.01 && ABS (a->green - b->green) < 0.01 && ABS (a->blue - b->blue) < 0.01;
}

/* Collects the rows [y, y + height) of the map's colour rectangles that are in
 * @color. */
static void
collect_rects (GskRenderNode *node,
               const GdkRGBA *color,
               gboolean      *rows,
               guint          n_rows)
{
  GskRenderNodeType type = gsk_render_node_get_node_type (node);

  if (type == GSK_CONTAINER_NODE)
    {
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        collect_rects (gsk_container_node_get_child (node, i), color, rows, n_rows);
    }
  else if (type == GSK_COLOR_NODE && colors_close (gsk_color_node_get_color (node), color))
    {
      graphene_rect_t bounds;

      gsk_render_node_get_bounds (node, &bounds);
      for (guint y = (guint) (bounds.origin.y + 0.5); y < (guint) (bounds.origin.y + bounds.size.height + 0.5)
           && y < n_rows; y++)
        rows[y] = TRUE;
    }
}

/* The window is never shown, so GTK would skip the map: call its snapshot
 * directly, as GTK would for a mapped widget. */
static void
snapshot_map (Fixture     *fx,
              GtkSnapshot *snapshot)
{
  GTK_WIDGET_GET_CLASS (fx->map)->snapshot (GTK_WIDGET (fx->map), snapshot);
}

static void
test_extent_map (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *path = make_sparse_file ();
  g_autoptr(HmDocument) document = open_document (path);
  g_autoptr(GArray) extents = NULL;
  g_autofree gboolean *expected = NULL;
  g_autofree gboolean *drawn = NULL;
  const float *buckets;
  guint n = 0, n_data = 0;
  guint64 size = hm_document_get_size (document);
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  GdkRGBA data_color;
  int height;

  if (hm_document_get_n_holes (document) == 0)
    {
      g_test_skip ("the test folder's filesystem does not report holes");
      return;
    }

  hm_hex_view_set_document (fx->view, document);
  allocate (fx, 900, 512);
  height = gtk_widget_get_height (GTK_WIDGET (fx->map));
  g_assert_cmpint (height, ==, 512);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fx->map)), >=, 8);

  /* What the buckets must say, from the document's own hole map. */
  extents = hm_document_get_extents (document, 0, size);
  expected = g_new0 (gboolean, height);
  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (!e->is_hole)
        for (guint64 b = e->offset * height / size; b <= (e->offset + e->length - 1) * height / size; b++)
          expected[b] = TRUE;
    }

  snapshot = gtk_snapshot_new ();
  snapshot_map (fx, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  buckets = _hm_extent_map_get_buckets (fx->map, &n);
  g_assert_nonnull (buckets);
  g_assert_cmpuint (n, ==, (guint) height);
  for (guint b = 0; b < n; b++)
    {
      g_assert_cmpint (buckets[b] > 0, ==, expected[b]);
      n_data += expected[b];
    }
  /* Half a MiB per pixel row: 2 + 1 + 16 + 2 rows of data; the 64 KiB extent
   * fills an eighth of its row, and still shows. */
  g_assert_cmpuint (n_data, ==, 21);
  g_assert_cmpfloat (buckets[0], ==, 1.0f);
  g_assert_cmpfloat (buckets[80], >, 0.1f);
  g_assert_cmpfloat (buckets[80], <, 0.2f);
  g_assert_cmpfloat (buckets[81], ==, 0.0f);

  /* The drawn rectangles in the data colour cover those rows, and only those, but
   * for a lone row drawn two pixels tall to stay visible. */
  drawn = g_new0 (gboolean, height);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (fx->map)),
                                       "hm_map_data_color", &data_color))
    gdk_rgba_parse (&data_color, "rgba(53,132,228,0.9)");
  G_GNUC_END_IGNORE_DEPRECATIONS
  collect_rects (node, &data_color, drawn, (guint) height);
  for (int y = 0; y < height; y++)
    {
      if (expected[y])
        g_assert_true (drawn[y]);
      else if (drawn[y])
        g_assert_true ((y > 0 && expected[y - 1]) || (y + 1 < height && expected[y + 1]));
    }

  /* Hole navigation from the start. */
  hm_hex_view_set_cursor_offset (fx->view, 0);
  g_assert_true (hm_hex_view_goto_next_hole (fx->view));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fx->view), ==, 1 * MIB);
  g_assert_true (hm_hex_view_goto_next_data (fx->view));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fx->view), ==, 40 * MIB);
  g_assert_true (hm_hex_view_goto_next_data (fx->view));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fx->view), ==, 100 * MIB);
  /* On screen: the cursor's row is visible. */
  {
    guint64 first, last;

    g_assert_true (hm_hex_view_get_visible_range (fx->view, &first, &last));
    g_assert_cmpuint (first, <=, 100 * MIB);
    g_assert_cmpuint (last, >=, 100 * MIB);
  }
  g_assert_true (hm_hex_view_goto_previous_data (fx->view));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fx->view), ==, 40 * MIB);
  g_assert_true (hm_hex_view_goto_previous_hole (fx->view));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fx->view), ==, 1 * MIB);
  hm_hex_view_set_cursor_offset (fx->view, 255 * MIB + 10);
  g_assert_false (hm_hex_view_goto_next_data (fx->view));
  g_assert_false (hm_hex_view_goto_next_hole (fx->view));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fx->view), ==, 255 * MIB + 10);

  /* The actions exist under the names the page binds. */
  hm_hex_view_set_cursor_offset (fx->view, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->view), "hex-view.next-data", NULL));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fx->view), ==, 40 * MIB);

  /* A write into a hole changes the map. */
  {
    static const guint8 byte = 1;
    g_autoptr(HmDocument) writer = NULL;
    g_autoptr(GError) error = NULL;

    writer = hm_document_new_full (path, HM_DOCUMENT_MODE_DIRECT, 0, &error);
    g_assert_no_error (error);
    hm_hex_view_set_document (fx->view, writer);
    g_assert_true (hm_document_write (writer, 200 * MIB, &byte, 1, HM_EDIT_NONE, &error));
    g_assert_no_error (error);
    g_clear_pointer (&node, gsk_render_node_unref);
    snapshot = gtk_snapshot_new ();
    snapshot_map (fx, snapshot);
    node = gtk_snapshot_free_to_node (snapshot);
    buckets = _hm_extent_map_get_buckets (fx->map, &n);
    g_assert_nonnull (buckets);
    g_assert_cmpfloat (buckets[400], >, 0.0f);
    g_assert_true (hm_document_discard (writer, &error));
    hm_hex_view_set_document (fx->view, NULL);
  }
}

/* Where the storage may stall, the map asks for the extents off the main thread:
 * nothing at first, the same buckets once they arrive. */
static void
test_extent_map_may_stall (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *path = make_sparse_file ();
  g_autoptr(HmDocument) document = open_document (path);
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  const float *buckets;
  guint n = 0, n_data = 0;

  if (hm_document_get_n_holes (document) == 0)
    {
      g_test_skip ("the test folder's filesystem does not report holes");
      return;
    }

  hm_document_set_may_stall (document, TRUE);
  hm_hex_view_set_document (fx->view, document);
  allocate (fx, 900, 512);
  for (guint round = 0;; round++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;

      snapshot_map (fx, snapshot);
      node = gtk_snapshot_free_to_node (snapshot);
      buckets = _hm_extent_map_get_buckets (fx->map, &n);
      /* The first frame cannot have them: they come through the main loop. */
      if (round == 0)
        g_assert_null (buckets);
      if (buckets != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      spin (5);
    }
  g_assert_cmpuint (n, ==, 512);
  for (guint b = 0; b < n; b++)
    n_data += buckets[b] > 0;
  g_assert_cmpuint (n_data, ==, 21);
  g_assert_cmpfloat (buckets[0], ==, 1.0f);
  g_assert_cmpfloat (buckets[80], >, 0.1f);
  g_assert_cmpfloat (buckets[80], <, 0.2f);
  g_assert_cmpfloat (buckets[81], ==, 0.0f);
  hm_hex_view_set_document (fx->view, NULL);
}

/* ---- On the FUSE test filesystem ---- */

static void
skip_fuse (void)
{
  g_autofree char *reason = NULL;

  hm_faultfs_available (&reason);
  g_test_skip (reason != NULL ? reason : "the FUSE test filesystem needs root and /dev/fuse");
}

static void
control (Fixture    *fx,
         const char *command)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hm_faultfs_control (fx->fs, command, &error));
  g_assert_no_error (error);
}

static void
test_fuse_latency (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(HmDocument) document = NULL;
  g_autoptr(Grid) first = NULL;
  g_autoptr(Grid) loaded = NULL;
  gint64 start, first_frame;

  control (fx, "latency 20");
  document = open_document (fx->path);
  g_assert_cmpint (hm_document_get_fs_kind (document), ==, HM_FS_KIND_FUSE);

  start = g_get_monotonic_time ();
  hm_hex_view_set_document (fx->view, document);
  allocate (fx, 900, 400);
  first = render (fx);
  first_frame = g_get_monotonic_time () - start;
  g_test_message ("first frame on a 20 ms mount after %.2f ms", first_frame / 1000.0);

  /* The worker reads: the first frame has only placeholders, drawn at once. */
  g_assert_true (_hm_hex_view_get_async_reads (fx->view));
  g_assert_cmpuint (first->rows->len, >, 0);
  g_assert_cmpuint (count_cells (first, ".."), ==, first->rows->len * 16);

  start = g_get_monotonic_time ();
  loaded = render_until_loaded (fx);
  g_test_message ("bytes on screen %.2f ms later", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (check_rows (fx, loaded, fx->contents), ==, 0);
  g_assert_cmpuint (fx->n_faults, ==, 0);
}

static void
test_fuse_hang (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(HmDocument) document = NULL;
  g_autoptr(Grid) grid = NULL;

  /* The server stops answering reads: opening, the first frames and the
   * main loop must go on regardless (the test would hang otherwise). */
  control (fx, "hang");
  document = open_document (fx->path);
  hm_hex_view_set_document (fx->view, document);
  allocate (fx, 900, 400);
  for (guint i = 0; i < 5; i++)
    {
      g_clear_pointer (&grid, grid_free);
      grid = render (fx);
      g_assert_cmpuint (count_cells (grid, ".."), ==, grid->rows->len * 16);
      hm_hex_view_set_top_row (fx->view, i * 1000);
      spin (10);
    }
  hm_hex_view_set_top_row (fx->view, 0);

  /* The server answers again. */
  control (fx, "clear");
  g_clear_pointer (&grid, grid_free);
  grid = render_until_loaded (fx);
  g_assert_cmpuint (check_rows (fx, grid, fx->contents), ==, 0);
}

static void
test_fuse_eio (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(HmDocument) document = NULL;
  g_autoptr(Grid) grid = NULL;
  guint rows, bad;

  control (fx, "latency 20");
  control (fx, "read-eio 0x200000 4096");
  document = open_document (fx->path);
  hm_hex_view_set_document (fx->view, document);
  allocate (fx, 900, 400);
  rows = hm_hex_view_get_n_visible_rows (fx->view);

  /* Half a screen before the bad page, so both show. */
  hm_hex_view_set_top_row (fx->view, 0x200000 / 16 - rows / 2);
  grid = render_until_loaded (fx);
  bad = check_rows (fx, grid, fx->contents);
  /* The rows of the bad page on screen are `??`, all of them, and nothing else. */
  g_assert_cmpuint (bad, ==, (grid->rows->len - rows / 2) * 16);
  {
    char c[3];

    cell (grid, rows / 2, 0, c);
    g_assert_cmpstr (c, ==, "??");
    cell (grid, rows / 2 - 1, 15, c);
    g_assert_cmpstr (c, !=, "??");
  }

  /* One signal, however many frames. */
  wait_for_faults (fx, 1);
  spin (100);
  for (guint i = 0; i < 10; i++)
    {
      g_clear_pointer (&grid, grid_free);
      grid = render (fx);
      spin (10);
    }
  g_assert_cmpuint (fx->n_faults, ==, 1);
  g_assert_error (fx->last_fault, HM_FAULT_ERROR, HM_FAULT_ERROR_IO);
  g_assert_nonnull (strstr (fx->last_fault->message, "0x200000"));

  /* Scrolling elsewhere still works. */
  hm_hex_view_set_top_row (fx->view, 0x300000 / 16);
  g_clear_pointer (&grid, grid_free);
  grid = render_until_loaded (fx);
  g_assert_cmpuint (check_rows (fx, grid, fx->contents), ==, 0);

  /* Retry while it still fails: `??` again, signalled again, once. */
  hm_hex_view_set_top_row (fx->view, 0x200000 / 16 - rows / 2);
  hm_hex_view_retry (fx->view);
  g_clear_pointer (&grid, grid_free);
  grid = render (fx);
  g_assert_cmpuint (count_cells (grid, ".."), ==, (grid->rows->len - rows / 2) * 16);
  g_clear_pointer (&grid, grid_free);
  grid = render_until_loaded (fx);
  g_assert_cmpuint (check_rows (fx, grid, fx->contents), ==, bad);
  wait_for_faults (fx, 2);
  spin (100);
  g_assert_cmpuint (fx->n_faults, ==, 2);

  /* Retry after the share is back: real bytes, and no further signal. */
  control (fx, "clear");
  control (fx, "latency 20");
  hm_hex_view_retry (fx->view);
  g_clear_pointer (&grid, grid_free);
  grid = render_until_loaded (fx);
  g_assert_cmpuint (check_rows (fx, grid, fx->contents), ==, 0);
  spin (100);
  g_assert_cmpuint (fx->n_faults, ==, 2);
}

static void
test_fuse_disconnect (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(HmDocument) document = NULL;
  g_autoptr(Grid) grid = NULL;
  guint bad;

  document = open_document (fx->path);
  hm_hex_view_set_document (fx->view, document);
  allocate (fx, 900, 400);
  grid = render_until_loaded (fx);
  g_assert_cmpuint (check_rows (fx, grid, fx->contents), ==, 0);

  control (fx, "disconnect");
  /* A region never read: unreadable now, signalled, no crash. */
  hm_hex_view_set_top_row (fx->view, 0x380000 / 16);
  g_clear_pointer (&grid, grid_free);
  grid = render_until_loaded (fx);
  bad = check_rows (fx, grid, fx->contents);
  g_assert_cmpuint (bad, ==, grid->rows->len * 16);
  wait_for_faults (fx, 1);
  spin (50);
  g_assert_cmpuint (fx->n_faults, ==, 1);

  /* What was on screen before is still there (cached), and the view works. */
  hm_hex_view_set_top_row (fx->view, 0);
  g_clear_pointer (&grid, grid_free);
  grid = render_until_loaded (fx);
  g_assert_cmpuint (check_rows (fx, grid, fx->contents), ==, 0);
  hm_hex_view_set_cursor_offset (fx->view, 100);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fx->view), ==, 100);

  /* Retry on a dead server: fails again, signalled once more, still alive. */
  hm_hex_view_set_top_row (fx->view, 0x380000 / 16);
  hm_hex_view_retry (fx->view);
  g_clear_pointer (&grid, grid_free);
  grid = render_until_loaded (fx);
  wait_for_faults (fx, 2);
  spin (50);
  g_assert_cmpuint (fx->n_faults, ==, 2);
}

/* ---- The side panels and the find bar on a hung mount ----
 *
 * None of them may read on the main thread there. While the server hangs, a
 * read from the main thread blocks the main loop until "clear", that is for
 * ever. The checks are built so that only that defect can fail them, however
 * busy the machine: the daemon counts the reads and writes the main thread asks
 * for (there must be none), the main loop must keep turning (a high-priority
 * tick fires HANG_TICKS times during the hang), and a watchdog thread ends the
 * hang ("clear") and fails the test when the main thread asked for a read or
 * the loop stood still for HANG_STUCK_US (a stuck read is stuck for ever; a
 * busy machine pauses a loop for milliseconds). The daemon may not see a
 * stuck read when all its threads already wait in the hang, hence both.
 * How long the longest gap is, is a benchmark figure (tests/bench/bench-remote.c). */

#define HANG_TICKS    20
#define HANG_STUCK_US (5 * G_USEC_PER_SEC)

typedef struct
{
  HmFaultfs *fs;
  GThread   *watchdog;
  gint       stop;
  gint       caught;      /* 1: the main thread read the mount; 2: its loop stood still */
  gint64     start;
  gint       last_tick_ms; /* atomic: since start */
  guint      ticks;
  guint      tick_source;
} HangGuard;

static gpointer
hang_watchdog_thread (gpointer data)
{
  HangGuard *guard = data;

  while (!g_atomic_int_get (&guard->stop))
    {
      g_autoptr(GError) error = NULL;
      guint64 n_ops = 0;

      gint caught = 0;

      if (!hm_faultfs_get_watched_ops (guard->fs, &n_ops, &error) || n_ops > 0)
        caught = 1;
      else if (g_get_monotonic_time () - guard->start -
               (gint64) g_atomic_int_get (&guard->last_tick_ms) * 1000 > HANG_STUCK_US)
        caught = 2;
      if (caught != 0)
        {
          /* Unblock the main thread, so the test can say what went wrong. */
          g_atomic_int_set (&guard->caught, caught);
          hm_faultfs_control (guard->fs, "clear", NULL);
          break;
        }
      g_usleep (20 * 1000);
    }
  return NULL;
}

static gboolean
hang_tick_cb (gpointer data)
{
  HangGuard *guard = data;

  guard->ticks++;
  g_atomic_int_set (&guard->last_tick_ms, (gint) ((g_get_monotonic_time () - guard->start) / 1000));
  return G_SOURCE_CONTINUE;
}

static void
hang_guard_start (Fixture   *fx,
                  HangGuard *guard)
{
  g_autoptr(GError) error = NULL;

  guard->fs = fx->fs;
  guard->stop = 0;
  guard->caught = 0;
  guard->ticks = 0;
  guard->start = g_get_monotonic_time ();
  guard->last_tick_ms = 0;
  g_assert_true (hm_faultfs_watch_thread (fx->fs, gettid (), &error));
  g_assert_no_error (error);
  guard->watchdog = g_thread_new ("hang-watchdog", hang_watchdog_thread, guard);
  guard->tick_source = g_timeout_add_full (G_PRIORITY_HIGH, 5, hang_tick_cb, guard, NULL);
}

static gboolean
hang_guard_turned (gpointer data)
{
  HangGuard *guard = data;

  return guard->ticks >= HANG_TICKS || g_atomic_int_get (&guard->caught);
}

/* Ends the hang check: the main loop turned HANG_TICKS times, and the main
 * thread asked the hung mount for nothing. */
static void
hang_guard_stop (HangGuard *guard)
{
  g_autoptr(GError) error = NULL;
  guint64 n_ops = 0;

  spin_until (hang_guard_turned, guard);
  g_atomic_int_set (&guard->stop, 1);
  g_thread_join (guard->watchdog);
  g_source_remove (guard->tick_source);
  g_assert_true (hm_faultfs_get_watched_ops (guard->fs, &n_ops, &error));
  g_assert_no_error (error);
  g_test_message ("main loop turned %u times on the hung mount; %" G_GUINT64_FORMAT
                  " reads from the main thread", guard->ticks, n_ops);
  if (g_atomic_int_get (&guard->caught) == 2)
    g_test_message ("the main loop stood still for %d s on the hung mount", (int) (HANG_STUCK_US / G_USEC_PER_SEC));
  g_assert_cmpint (g_atomic_int_get (&guard->caught), ==, 0);
  g_assert_cmpuint (n_ops, ==, 0);
  g_assert_cmpuint (guard->ticks, >=, HANG_TICKS);
  g_assert_true (hm_faultfs_watch_thread (guard->fs, 0, &error));
  g_assert_no_error (error);
}

static void
present (Fixture   *fx,
         GtkWidget *widget)
{
  gtk_window_set_default_size (fx->window, 1200, 700);
  gtk_window_present (fx->window);
  spin_until (hm_ui_test_widget_mapped, widget);
}

static gboolean
inspector_loaded (gpointer data)
{
  return g_strcmp0 (_hm_inspector_get_text (data, HM_INSPECTOR_UINT8), "…") != 0;
}

static void
test_fuse_inspector_hang (Fixture       *fx,
                          gconstpointer  data)
{
  HmInspector *inspector = HM_INSPECTOR (hm_inspector_new ());
  g_autoptr(HmDocument) document = NULL;
  g_autofree char *expected = NULL;
  HangGuard guard;
  guint64 offset = 0;

  gtk_box_append (GTK_BOX (fx->box), GTK_WIDGET (inspector));
  control (fx, "hang");
  document = open_document (fx->path);
  hm_hex_view_set_document (fx->view, document);
  _hm_inspector_attach (inspector, fx->view, document);
  present (fx, GTK_WIDGET (inspector));

  /* Moving the cursor about (holding an arrow key, clicking around): the
   * fields wait with "…", the main loop runs on. */
  hang_guard_start (fx, &guard);
  for (guint i = 0; i < 20; i++)
    {
      offset = 0x100000 + i * 0x1234;
      hm_hex_view_set_cursor_offset (fx->view, offset);
      g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT8), ==, "…");
      g_assert_false (_hm_inspector_get_editable (inspector, HM_INSPECTOR_UINT8));
      spin (15);
    }
  spin (100);
  hang_guard_stop (&guard);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT8), ==, "…");

  /* The server answers again: the values at the cursor appear. */
  control (fx, "clear");
  spin_until (inspector_loaded, inspector);
  expected = g_strdup_printf ("%u", fx->contents[offset]);
  g_assert_cmpstr (_hm_inspector_get_text (inspector, HM_INSPECTOR_UINT8), ==, expected);
}

typedef struct
{
  HmChangesPanel *panel;
  guint           position;
} RowRef;

static gboolean
change_row_loaded (gpointer data)
{
  RowRef *ref = data;
  g_autofree char *shown = _hm_changes_panel_get_shown (ref->panel, ref->position);

  return shown != NULL && !g_str_has_prefix (shown, "… ->");
}

static void
test_fuse_changes_hang (Fixture       *fx,
                        gconstpointer  data)
{
  HmChangesPanel *panel = HM_CHANGES_PANEL (hm_changes_panel_new ());
  g_autoptr(HmDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *expected = NULL;
  RowRef ref = { panel, 0 };
  HangGuard guard;

  /* Edits are made while the server answers (an edit reads its page). */
  document = open_document (fx->path);
  g_assert_true (hm_document_set_mode (document, HM_DOCUMENT_MODE_PREVIEW, &error));
  g_assert_true (hm_document_write (document, 0x200000, "\x01\x02", 2, HM_EDIT_NONE, &error));
  g_assert_true (hm_document_write (document, 0x300000, "\x03", 1, HM_EDIT_NONE, &error));
  g_assert_no_error (error);

  control (fx, "hang");
  gtk_widget_set_size_request (GTK_WIDGET (panel), 360, 400);
  gtk_box_append (GTK_BOX (fx->box), GTK_WIDGET (panel));
  hm_hex_view_set_document (fx->view, document);
  _hm_changes_panel_attach (panel, fx->view, document);
  hang_guard_start (fx, &guard);
  present (fx, GTK_WIDGET (panel));
  spin (200);
  hang_guard_stop (&guard);
  /* The rows come from the journal when the panel is attached: no wait. */
  g_assert_cmpuint (_hm_changes_panel_get_n_rows (panel), ==, 2);

  control (fx, "clear");
  spin_until (change_row_loaded, &ref);
  shown = _hm_changes_panel_get_shown (panel, 0);
  expected = g_strdup_printf ("%02x%02x -> 0102", fx->contents[0x200000], fx->contents[0x200001]);
  g_assert_cmpstr (shown, ==, expected);
  ref.position = 1;
  spin_until (change_row_loaded, &ref);
}

static gboolean
find_bar_idle (gpointer data)
{
  return !hm_find_bar_get_busy (data);
}

typedef struct
{
  HmFindBar *bar;
  guint      n;
} FindRef;

static gboolean
previews_loaded (gpointer data)
{
  FindRef *ref = data;
  GListModel *results = _hm_find_bar_get_results (ref->bar);

  if (g_list_model_get_n_items (results) != ref->n)
    return FALSE;
  for (guint i = 0; i < ref->n; i++)
    {
      const char *preview = _hm_find_bar_get_preview (ref->bar, i);

      if (preview != NULL && g_str_equal (preview, "…"))
        return FALSE;
    }
  return TRUE;
}

static void
test_fuse_find_hang (Fixture       *fx,
                     gconstpointer  data)
{
  HmFindBar *bar = HM_FIND_BAR (hm_find_bar_new ());
  GtkWidget *holder = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_autoptr(HmDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pattern = NULL;
  GListModel *results = _hm_find_bar_get_results (bar);
  guint n, n_shown = 0, n_waiting = 0;
  FindRef ref = { bar, 0 };
  HangGuard guard;

  /* Find All while the server answers, with the results list not on screen
   * yet (the bar sits in a hidden box of a shown window). */
  gtk_widget_set_visible (holder, FALSE);
  gtk_box_append (GTK_BOX (holder), GTK_WIDGET (bar));
  gtk_box_append (GTK_BOX (fx->box), holder);
  present (fx, GTK_WIDGET (fx->view));
  hm_find_bar_set_revealed (bar, TRUE);
  document = open_document (fx->path);
  hm_hex_view_set_document (fx->view, document);
  _hm_find_bar_attach (bar, fx->view, document);
  pattern = g_strdup_printf ("%02x %02x", fx->contents[0x1000], fx->contents[0x1001]);
  gtk_editable_set_text (_hm_find_bar_get_entry (bar), pattern);
  hm_find_bar_find_all (bar);
  spin_until (find_bar_idle, bar);
  spin (50);
  /* The results are listed before the bar stops being busy. */
  n = g_list_model_get_n_items (results);
  g_assert_cmpuint (n, >, 10);

  /* The kernel forgets the file's pages, the server hangs, and the file is
   * looked at again (as after a change on disk): every match is to be checked
   * again, on the worker. */
  control (fx, "invalidate remote.bin");
  control (fx, "hang");
  hang_guard_start (fx, &guard);
  g_assert_true (hm_document_refresh (document, &error));
  g_assert_no_error (error);
  spin (100);
  hang_guard_stop (&guard);

  /* Now the rows are shown, layout included; their previews wait with "…"
   * unless the kernel still had the page. */
  hang_guard_start (fx, &guard);
  gtk_widget_set_size_request (holder, 400, 600);
  gtk_widget_set_visible (holder, TRUE);
  spin_until (hm_ui_test_widget_mapped, bar);
  spin (300);
  hang_guard_stop (&guard);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, n);
  for (guint i = 0; i < n; i++)
    {
      const char *preview = _hm_find_bar_get_preview (bar, i);

      if (preview != NULL)
        {
          n_shown++;
          n_waiting += g_str_equal (preview, "…");
        }
    }
  g_test_message ("%u of %u rows shown wait for their bytes", n_waiting, n_shown);
  g_assert_cmpuint (n_shown, >, 0);

  /* The server answers: every match still matches and shows its bytes. */
  control (fx, "clear");
  ref.n = n;
  spin_until (previews_loaded, &ref);
  for (guint i = 0; i < n; i++)
    {
      const char *preview = _hm_find_bar_get_preview (bar, i);

      if (preview != NULL)
        g_assert_cmpstr (preview, ==, pattern);
    }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/hm/remote/async/local", Fixture, NULL, fixture_setup, test_async_local, fixture_teardown);
  g_test_add ("/hm/remote/async/edit", Fixture, NULL, fixture_setup, test_async_edit, fixture_teardown);
  g_test_add ("/hm/remote/extent-map/sparse", Fixture, NULL, fixture_setup, test_extent_map, fixture_teardown);
  g_test_add ("/hm/remote/extent-map/may-stall", Fixture, NULL, fixture_setup, test_extent_map_may_stall,
              fixture_teardown);
  /* Root only: the FUSE test filesystem. Skipped (not failed) without it. */
  if (hm_faultfs_available (NULL))
    {
      g_test_add ("/hm/remote/fuse/latency", Fixture, NULL, fuse_setup, test_fuse_latency, fuse_teardown);
      g_test_add ("/hm/remote/fuse/hang", Fixture, NULL, fuse_setup, test_fuse_hang, fuse_teardown);
      g_test_add ("/hm/remote/fuse/eio", Fixture, NULL, fuse_setup, test_fuse_eio, fuse_teardown);
      g_test_add ("/hm/remote/fuse/disconnect", Fixture, NULL, fuse_setup, test_fuse_disconnect, fuse_teardown);
      g_test_add ("/hm/remote/fuse/inspector-hang", Fixture, NULL, fuse_setup, test_fuse_inspector_hang, fuse_teardown);
      g_test_add ("/hm/remote/fuse/changes-hang", Fixture, NULL, fuse_setup, test_fuse_changes_hang, fuse_teardown);
      g_test_add ("/hm/remote/fuse/find-hang", Fixture, NULL, fuse_setup, test_fuse_find_hang, fuse_teardown);
    }
  else
    g_test_add_func ("/hm/remote/fuse", skip_fuse);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}

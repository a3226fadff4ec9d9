/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Remote and sparse files through the real application, end to end: the
 * window of HmApplication, its pages, menus, accelerators and fault dialogs,
 * on the project's FUSE test filesystem (tests/faultfs) and on sparse files.
 *
 * Like test-window.c, the tests run inside the application's main loop, one
 * after the other on the same window. The application starts with a local file
 * in preview mode; the other files arrive through GApplication::open, the path
 * a second `hexmap FILE` takes. The FUSE tests need root and /dev/fuse and are
 * skipped one by one without them; the others run anywhere with a display.
 */
#include "config.h"

#include <fcntl.h>
#include <gtk/gtk.h>
#include <string.h>
#include <unistd.h>

#include "hm-application.h"
#include "hm-extent-map-private.h"
#include "hm-fault-dialog.h"
#include "hm-faultfs-harness.h"
#include "hm-hex-view-private.h"
#include "hm-page-private.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"
#include "hm-window-private.h"

#define KIB          1024u
#define MIB          (1024u * 1024u)
#define LOCAL_SIZE   0x10000
#define REMOTE_SIZE  (4 * MIB)
#define EIO_OFFSET   0x200000
#define GRID_COLS    200

static HmApplication *app;
static char *local_path;
static guint8 *local_contents;
static int test_status = 1;

/* The FUSE mount, when available. */
static HmFaultfs *fs;
static char *backing;
static char *remote_path;
static guint8 *remote_contents;

/* ---- Helpers ---- */

static HmWindow *
get_window (void)
{
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (HM_IS_WINDOW (l->data))
      window = l->data;
  g_assert_true (HM_IS_WINDOW (window));
  return HM_WINDOW (window);
}

static HmPage *
get_page (void)
{
  HmPage *page = hm_window_get_current_page (get_window ());

  g_assert_nonnull (page);
  return page;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop for @ms and returns the most dialogs seen at once. */
static guint
watch_dialogs (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint tick = g_timeout_add (5, tick_cb, NULL);
  guint most = 0;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, TRUE);
      most = MAX (most, hm_ui_test_count_message_dialogs ());
    }
  g_source_remove (tick);
  return most;
}

static void
activate (const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), action, NULL));
}

static gboolean
has_accel (const char *action,
           const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  return g_strv_contains ((const char * const *) accels, accel);
}

/* Opens @path as a second `hexmap PATH` would, and returns its page. */
static HmPage *
open_path (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  HmPage *page;

  g_application_open (G_APPLICATION (app), &file, 1, "");
  page = get_page ();
  g_assert_cmpstr (hm_document_get_path (hm_page_get_document (page)), ==, path);
  return page;
}

static void
control (const char *command)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hm_faultfs_control (fs, command, &error));
  g_assert_no_error (error);
}

static gboolean
skip_without_fuse (void)
{
  g_autofree char *reason = NULL;

  if (fs != NULL)
    return FALSE;
  hm_faultfs_available (&reason);
  g_test_skip (reason != NULL ? reason : "the FUSE test filesystem needs root and /dev/fuse");
  return TRUE;
}

/* ---- Reading a frame of the view back as text (see test-remote.c) ---- */

typedef struct
{
  HmHexView *view;
  GPtrArray *rows;   /* char[GRID_COLS + 1] per row */
  guint64    top;
  guint      bytes_per_row;
} Grid;

static void
grid_free (Grid *grid)
{
  g_ptr_array_unref (grid->rows);
  g_free (grid);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Grid, grid_free)

/* The rows go below the column header, translated by its height (@dy); the
 * header itself is left out. */
static void
collect_text (Grid          *grid,
              GskRenderNode *node,
              float          dy)
{
  GskRenderNodeType type = gsk_render_node_get_node_type (node);

  if (type == GSK_CONTAINER_NODE)
    {
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        collect_text (grid, gsk_container_node_get_child (node, i), dy);
    }
  else if (type == GSK_CLIP_NODE)
    collect_text (grid, gsk_clip_node_get_child (node), dy);
  else if (type == GSK_TRANSFORM_NODE)
    {
      float tx = 0, ty = 0;

      gsk_transform_to_translate (gsk_transform_node_get_transform (node), &tx, &ty);
      collect_text (grid, gsk_transform_node_get_child (node), dy + ty);
    }
  else if (type == GSK_TEXT_NODE)
    {
      const graphene_point_t *offset = gsk_text_node_get_offset (node);
      double cw = _hm_hex_view_get_cell_width (grid->view);
      int header = hm_hex_view_get_show_header (grid->view) ? _hm_hex_view_get_row_height (grid->view) : 0;
      double y = offset->y + dy - header;
      guint row = (guint) (y / _hm_hex_view_get_row_height (grid->view));
      guint n;
      const PangoGlyphInfo *glyphs = gsk_text_node_get_glyphs (node, &n);
      double x = offset->x;

      if (y < 0)
        return;

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
            ((char *) grid->rows->pdata[row])[col] = (char) _hm_hex_view_char_for_glyph (grid->view,
                                                                                        glyphs[i].glyph);
          x += (double) glyphs[i].geometry.width / PANGO_SCALE;
        }
    }
}

static Grid *
render (HmHexView *view)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  Grid *grid = g_new0 (Grid, 1);

  grid->view = view;
  grid->rows = g_ptr_array_new_with_free_func (g_free);
  grid->top = hm_hex_view_get_top_row (view);
  grid->bytes_per_row = hm_hex_view_get_bytes_per_row (view);
  _hm_hex_view_snapshot_content (view, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    collect_text (grid, node, 0);
  return grid;
}

/* The two characters drawn for the byte at @offset, at the column the view
 * puts it; FALSE if it is not on screen. */
static gboolean
grid_cell (Grid    *grid,
           guint64  offset,
           char     out[3])
{
  guint64 row = offset / grid->bytes_per_row;
  guint col = (guint) _hm_hex_view_hex_byte_col (grid->view, (guint) (offset % grid->bytes_per_row));
  const char *line;

  if (row < grid->top || row - grid->top >= grid->rows->len)
    return FALSE;
  line = grid->rows->pdata[row - grid->top];
  out[0] = line[col];
  out[1] = line[col + 1];
  out[2] = '\0';
  return TRUE;
}

/* Counts the cells of the full rows on screen that show @what. */
static guint
grid_count (Grid       *grid,
            const char *what)
{
  guint n = 0;

  for (guint r = 0; r < grid->rows->len; r++)
    for (guint i = 0; i < grid->bytes_per_row; i++)
      {
        char c[3];

        g_assert_true (grid_cell (grid, (grid->top + r) * grid->bytes_per_row + i, c));
        n += g_str_equal (c, what);
      }
  return n;
}

/* Cells that show neither the file's byte nor `??` nor `..`: must be none. */
static guint
grid_count_wrong (Grid         *grid,
                  const guint8 *contents)
{
  guint n = 0;

  for (guint r = 0; r < grid->rows->len; r++)
    for (guint i = 0; i < grid->bytes_per_row; i++)
      {
        guint64 offset = (grid->top + r) * grid->bytes_per_row + i;
        char c[3], want[3];

        g_assert_true (grid_cell (grid, offset, c));
        g_snprintf (want, sizeof want, "%02x", contents[offset]);
        if (!g_str_equal (c, want) && !g_str_equal (c, "??") && !g_str_equal (c, ".."))
          n++;
      }
  return n;
}

static gboolean
view_loaded (gpointer data)
{
  g_autoptr(Grid) grid = render (data);

  return grid->rows->len > 0 && grid_count (grid, "..") == 0;
}

static Grid *
render_loaded (HmHexView *view)
{
  g_assert_true (hm_ui_test_wait_for (view_loaded, view, HM_UI_TEST_WAIT_MS));
  return render (view);
}

/* ---- A stall meter: the longest gap between ticks of a high-priority timer ---- */

typedef struct
{
  gint64 last;
  gint64 max_gap;
  guint  source;
} Meter;

static gboolean
meter_tick_cb (gpointer data)
{
  Meter *meter = data;
  gint64 now = g_get_monotonic_time ();

  meter->max_gap = MAX (meter->max_gap, now - meter->last);
  meter->last = now;
  return G_SOURCE_CONTINUE;
}

static void
meter_start (Meter *meter)
{
  meter->last = g_get_monotonic_time ();
  meter->max_gap = 0;
  meter->source = g_timeout_add_full (G_PRIORITY_HIGH, 2, meter_tick_cb, meter, NULL);
}

static double
meter_stop (Meter *meter)
{
  meter_tick_cb (meter);
  g_source_remove (meter->source);
  return meter->max_gap / 1000.0;
}

/* ---- Without FUSE ---- */

static void
test_not_local (void)
{
  HmWindow *window = get_window ();
  guint n_pages = hm_window_get_n_pages (window);
  g_autoptr(GFile) sftp = g_file_new_for_uri ("sftp://files.example.com/srv/disk.img");
  g_autoptr(GFile) web = g_file_new_for_uri ("https://example.com/disk.img");
  GtkMessageDialog *dialog;
  g_autofree char *text = NULL;
  g_autofree char *web_text = NULL;

  /* Without GVfs mounted there, the URI has no local path: a dialog says how to
   * mount it, and nothing else happens. */
  g_assert_null (g_file_peek_path (sftp));
  g_application_open (G_APPLICATION (app), &sftp, 1, "");
  dialog = hm_ui_test_wait_for_message_dialog ();
  text = hm_ui_test_dialog_text (dialog);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "sftp://files.example.com/srv/disk.img"));
  g_assert_nonnull (strstr (text, "gio mount sftp://files.example.com/"));
  g_assert_nonnull (strstr (text, "gvfs"));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CLOSE);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (50);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, n_pages);

  /* A web address cannot be mounted: download it. */
  g_application_open (G_APPLICATION (app), &web, 1, "");
  dialog = hm_ui_test_wait_for_message_dialog ();
  web_text = hm_ui_test_dialog_text (dialog);
  g_assert_nonnull (strstr (web_text, "download"));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CLOSE);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_no_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (50);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
  g_assert_cmpuint (hm_window_get_n_pages (window), ==, n_pages);
}

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
  char *path = hm_test_make_sparse ("sparse.img", 256 * MIB);

  for (guint i = 0; i < 64 * KIB; i++)
    block[i] = (guint8) (i * 13 + 1);
  for (guint i = 0; i < G_N_ELEMENTS (sparse_data); i++)
    for (guint64 o = 0; o < sparse_data[i].length; o += 64 * KIB)
      hm_test_pwrite (path, sparse_data[i].offset + o, block, 64 * KIB);
  return path;
}

static GtkFileChooser *
find_file_chooser (void)
{
  GList *toplevels = gtk_window_list_toplevels ();
  GtkFileChooser *chooser = NULL;

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (GTK_IS_FILE_CHOOSER (l->data) && gtk_widget_get_visible (l->data))
      chooser = l->data;
  g_list_free (toplevels);
  return chooser;
}

static gboolean
has_file_chooser (gpointer data)
{
  return find_file_chooser () != NULL;
}

static gboolean
no_file_chooser (gpointer data)
{
  return find_file_chooser () == NULL;
}

static gboolean
page_idle (gpointer data)
{
  return !_hm_page_get_busy (data);
}

/* The map is laid out and has drawn (its buckets come from its first frame). */
static gboolean
map_drawn (gpointer data)
{
  guint n = 0;

  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0 && gtk_widget_get_height (data) > 0 &&
         _hm_extent_map_get_buckets (data, &n) != NULL;
}

/* The chooser shows @data's folder (it may settle on it after it is shown). */
static gboolean
chooser_in_folder (gpointer data)
{
  GtkFileChooser *chooser = find_file_chooser ();
  g_autoptr(GFile) folder = chooser != NULL ? gtk_file_chooser_get_current_folder (chooser) : NULL;

  return folder != NULL && g_strcmp0 (g_file_peek_path (folder), data) == 0;
}

typedef struct
{
  HmPage     *page;
  const char *copy;
} SaveAs;

/* Save As is over: the page is idle and the copy is there, or a dialog says
 * why not (the page is busy from the moment the chooser answers). */
static gboolean
save_as_over (gpointer data)
{
  SaveAs *save_as = data;

  return !_hm_page_get_busy (save_as->page) &&
         (g_file_test (save_as->copy, G_FILE_TEST_EXISTS) || hm_ui_test_count_message_dialogs () > 0);
}

static void
test_sparse (void)
{
  g_autofree char *path = make_sparse_file ();
  g_autofree char *copy = hm_test_path ("sparse-copy.img");
  HmPage *page;
  HmHexView *view;
  HmDocument *document;
  HmExtentMap *map;
  const float *buckets;
  guint n_buckets = 0;
  GtkFileChooser *chooser;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;

  page = open_path (path);
  view = hm_page_get_view (page);
  document = hm_page_get_document (page);
  if (hm_document_get_n_holes (document) == 0)
    {
      activate ("page.close");
      g_test_skip ("the test folder's filesystem does not report holes");
      return;
    }

  /* The hole/data map stands beside the view's scrollbar, and shows the data. */
  map = _hm_page_get_extent_map (page);
  g_assert_nonnull (map);
  g_assert_true (_hm_extent_map_get_view (map) == view);
  g_assert_true (hm_ui_test_wait_for (map_drawn, map, HM_UI_TEST_WAIT_MS));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (map)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (map)), >=, 8);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (map)), >, 100);
  {
    graphene_point_t p;

    /* Right of the view, which ends with its scrollbar. */
    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (map), GTK_WIDGET (view), &GRAPHENE_POINT_INIT (0, 0), &p));
    g_assert_cmpfloat (p.x, >=, gtk_widget_get_width (GTK_WIDGET (view)) - 1);
  }
  buckets = _hm_extent_map_get_buckets (map, &n_buckets);
  g_assert_nonnull (buckets);
  g_assert_cmpfloat (buckets[0], >, 0.99f);
  g_assert_cmpfloat (buckets[n_buckets / 2], ==, 0.0f);

  /* Navigation: the actions, their accelerators, and a hint at the end. */
  g_assert_true (has_accel ("page.next-data", "<Alt>Down"));
  g_assert_true (has_accel ("page.previous-data", "<Alt>Up"));
  g_assert_true (has_accel ("page.next-hole", "<Shift><Alt>Down") ||
                 has_accel ("page.next-hole", "<Alt><Shift>Down"));
  g_assert_true (has_accel ("page.previous-hole", "<Shift><Alt>Up") ||
                 has_accel ("page.previous-hole", "<Alt><Shift>Up"));

  hm_hex_view_set_cursor_offset (view, 0);
  activate ("page.next-hole");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 1 * MIB);
  activate ("page.next-data");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 40 * MIB);
  activate ("page.next-data");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 100 * MIB);
  activate ("page.previous-data");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 40 * MIB);
  activate ("page.previous-hole");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 1 * MIB);

  hm_hex_view_set_cursor_offset (view, 255 * MIB + 10);
  activate ("page.next-data");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 255 * MIB + 10);
  g_assert_nonnull (strstr (_hm_page_get_hint (page), "No data after the cursor"));
  activate ("page.next-hole");
  g_assert_nonnull (strstr (_hm_page_get_hint (page), "No hole after the cursor"));
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);

  /* The key works where the user presses it: in the view. */
  hm_hex_view_set_cursor_offset (view, 0);
  gtk_widget_grab_focus (GTK_WIDGET (view));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "page.next-data", NULL));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 40 * MIB);

  /* Save As through the page, with an edit in a hole: the copy keeps the holes. */
  g_assert_true (hm_document_set_mode (document, HM_DOCUMENT_MODE_PREVIEW, &error));
  g_assert_no_error (error);
  g_assert_true (hm_document_write (document, 200 * MIB, (const guint8 *) "edit", 4, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  activate ("page.save-as");
  g_assert_true (hm_ui_test_wait_for (has_file_chooser, NULL, HM_UI_TEST_WAIT_MS));
  chooser = find_file_chooser ();
  /* The chooser opens in the file's folder, the test's: only the name is new.
   * The wait is not asserted: if it never gets there, the checks say where. */
  hm_ui_test_wait_for (chooser_in_folder, (gpointer) hm_test_tmpdir (), HM_UI_TEST_WAIT_MS);
  folder = gtk_file_chooser_get_current_folder (chooser);
  g_assert_nonnull (folder);
  g_assert_cmpstr (g_file_peek_path (folder), ==, hm_test_tmpdir ());
  gtk_file_chooser_set_current_name (chooser, "sparse-copy.img");
  hm_ui_test_spin (100);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  /* The chooser checks the name asynchronously before it answers. */
  g_assert_true (hm_ui_test_wait_for (no_file_chooser, NULL, HM_UI_TEST_WAIT_MS));
  {
    SaveAs save_as = { page, copy };

    g_assert_true (hm_ui_test_wait_for (save_as_over, &save_as, HM_UI_TEST_WAIT_MS));
  }
  g_assert_true (hm_ui_test_wait_for (page_idle, page, HM_UI_TEST_WAIT_MS));
  if (hm_ui_test_count_message_dialogs () > 0)
    {
      GList *dialogs = hm_ui_test_list_message_dialogs ();
      g_autofree char *text = hm_ui_test_dialog_text (dialogs->data);

      g_test_message ("unexpected dialog: %s", text);
      g_list_free (dialogs);
    }
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
  g_assert_true (g_file_test (copy, G_FILE_TEST_IS_REGULAR));
  {
    g_autoptr(HmDocument) saved = hm_document_new (copy, &error);
    guint8 a[4], b[4];

    g_assert_no_error (error);
    g_assert_cmpuint (hm_document_get_size (saved), ==, 256 * MIB);
    for (guint i = 0; i < G_N_ELEMENTS (sparse_data); i++)
      {
        g_assert_cmpint (hm_document_read (saved, sparse_data[i].offset + 4097, a, 4, NULL), ==, 4);
        g_assert_cmpint (hm_document_read (document, sparse_data[i].offset + 4097, b, 4, NULL), ==, 4);
        g_assert_cmpmem (a, 4, b, 4);
      }
    g_assert_cmpint (hm_document_read (saved, 200 * MIB, a, 4, NULL), ==, 4);
    g_assert_cmpmem (a, 4, "edit", 4);
  }
  g_test_message ("Save As: %" G_GUINT64_FORMAT " bytes allocated for a 256 MiB copy with %" G_GUINT64_FORMAT
                  " bytes of data", hm_test_allocated_bytes (copy), hm_document_get_data_bytes (document));
  g_assert_cmpuint (hm_test_allocated_bytes (copy), <, 12 * MIB);
  /* The original is untouched, the edit still pending. */
  g_assert_true (hm_document_get_has_pending (document));

  g_assert_true (hm_document_discard (document, &error));
  g_assert_no_error (error);
  activate ("page.close");
  hm_ui_test_spin (50);
  unlink (copy);
  unlink (path);
}

/* ---- On the FUSE test filesystem ---- */

static HmPage *
remote_page (void)
{
  HmWindow *window = get_window ();

  for (guint i = 0; i < hm_window_get_n_pages (window); i++)
    {
      HmPage *page = hm_window_get_page (window, i);

      if (g_str_equal (hm_document_get_path (hm_page_get_document (page)), remote_path))
        return page;
    }
  return NULL;
}

static gboolean
remote_page_gone (gpointer data)
{
  return remote_page () == NULL;
}

static void
test_fuse_open (void)
{
  HmWindow *window;
  HmPage *page;
  HmDocument *document;
  HmHexView *view;
  g_autoptr(Grid) grid = NULL;
  const char *reason;
  Meter meter;
  double open_ms, stall_ms;
  guint64 main_ops = 0;
  gint64 start;

  if (skip_without_fuse ())
    return;

  /* 20 ms per read: opening and the first frames must not block the main loop,
   * so the main thread asks the mount for no byte (the daemon counts them; a
   * time bound would be a coin toss on a busy machine). The longest stall is
   * a benchmark figure (tests/bench/bench-remote.c). */
  control ("latency 20");
  g_assert_true (hm_faultfs_watch_thread (fs, gettid (), NULL));
  meter_start (&meter);
  start = g_get_monotonic_time ();
  page = open_path (remote_path);
  open_ms = (g_get_monotonic_time () - start) / 1000.0;
  view = hm_page_get_view (page);
  grid = render_loaded (view);
  hm_ui_test_spin (300);
  stall_ms = meter_stop (&meter);
  g_assert_true (hm_faultfs_get_watched_ops (fs, &main_ops, NULL));
  g_assert_true (hm_faultfs_watch_thread (fs, 0, NULL));
  g_test_message ("opened on a 20 ms mount in %.1f ms; longest main loop stall %.1f ms; "
                  "%" G_GUINT64_FORMAT " reads from the main thread", open_ms, stall_ms, main_ops);
  g_assert_cmpuint (main_ops, ==, 0);

  window = get_window ();
  document = hm_page_get_document (page);
  g_assert_cmpint (hm_document_get_fs_kind (document), ==, HM_FS_KIND_FUSE);
  g_assert_true (_hm_hex_view_get_async_reads (view));
  g_assert_cmpuint (grid_count_wrong (grid, remote_contents), ==, 0);
  g_assert_cmpuint (grid_count (grid, "??"), ==, 0);

  /* Read-only by default, and the UI says why: the mode popover, the status bar. */
  g_assert_cmpint (hm_document_get_mode (document), ==, HM_DOCUMENT_MODE_READ_ONLY);
  reason = _hm_window_get_mode_reason (window);
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "FUSE"));
  g_assert_nonnull (strstr (_hm_page_get_hint (page), "FUSE"));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (window)), "Read-Only"));
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);

  /* A URI with a local path (as GVfs gives its FUSE mounts) opens through that
   * path: here, the page that is already open. */
  {
    g_autofree char *uri = g_filename_to_uri (remote_path, NULL, NULL);
    g_autoptr(GFile) file = g_file_new_for_uri (uri);
    guint n_pages = hm_window_get_n_pages (window);

    g_application_open (G_APPLICATION (app), &file, 1, "");
    g_assert_true (get_page () == page);
    g_assert_cmpuint (hm_window_get_n_pages (window), ==, n_pages);
  }

  /* The map is there on a remote file too (computed off the main thread).
   * render_loaded() draws the view itself: the window may map the page later. */
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_mapped, _hm_page_get_extent_map (page), HM_UI_TEST_WAIT_MS));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (_hm_page_get_extent_map (page))));
  control ("clear");
}

static void
test_fuse_eio (void)
{
  HmPage *page;
  HmHexView *view;
  GtkMessageDialog *dialog;
  g_autoptr(Grid) grid = NULL;
  g_autofree char *text = NULL;
  char c[3], want[3];

  if (skip_without_fuse ())
    return;

  page = open_path (remote_path);
  view = hm_page_get_view (page);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);

  /* A bad page far from what was read: go there. */
  control ("read-eio 0x200000 4096");
  hm_page_go_to (page, EIO_OFFSET);
  dialog = hm_ui_test_wait_for_message_dialog ();
  text = hm_ui_test_dialog_text (dialog);
  g_test_message ("fault dialog: %s", text);
  g_assert_nonnull (strstr (text, "remote.bin"));
  g_assert_nonnull (strstr (text, "0x200000"));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (get_window ()));
  g_assert_true ((GtkWindow *) dialog == _hm_page_get_fault_dialog (page));

  /* `??` where the page failed, the file's bytes elsewhere. */
  grid = render_loaded (view);
  g_assert_true (grid_cell (grid, EIO_OFFSET, c));
  g_assert_cmpstr (c, ==, "??");
  g_assert_true (grid_cell (grid, EIO_OFFSET + 15, c));
  g_assert_cmpstr (c, ==, "??");
  g_assert_true (grid_cell (grid, EIO_OFFSET - 1, c));
  g_snprintf (want, sizeof want, "%02x", remote_contents[EIO_OFFSET - 1]);
  g_assert_cmpstr (c, ==, want);
  g_assert_cmpuint (grid_count (grid, "??"), >=, 16);
  g_assert_cmpuint (grid_count_wrong (grid, remote_contents), ==, 0);

  /* One dialog, however many frames. */
  for (guint i = 0; i < 10; i++)
    {
      g_clear_pointer (&grid, grid_free);
      grid = render (view);
      gtk_widget_queue_draw (GTK_WIDGET (view));
      hm_ui_test_spin (20);
    }
  g_assert_cmpuint (watch_dialogs (500), ==, 1);

  /* Retry while it still fails: this dialog goes, one new one comes, no storm. */
  gtk_dialog_response (GTK_DIALOG (dialog), HM_FAULT_RESPONSE_RETRY);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  g_assert_cmpuint (watch_dialogs (1000), ==, 1);
  dialog = hm_ui_test_wait_for_message_dialog ();
  g_clear_pointer (&grid, grid_free);
  grid = render_loaded (view);
  g_assert_true (grid_cell (grid, EIO_OFFSET, c));
  g_assert_cmpstr (c, ==, "??");

  /* The share is back: Retry shows the real bytes, and no dialog. */
  control ("clear");
  gtk_dialog_response (GTK_DIALOG (dialog), HM_FAULT_RESPONSE_RETRY);
  g_assert_cmpuint (watch_dialogs (1000), ==, 0);
  g_clear_pointer (&grid, grid_free);
  grid = render_loaded (view);
  g_assert_cmpuint (grid_count (grid, "??"), ==, 0);
  g_assert_cmpuint (grid_count_wrong (grid, remote_contents), ==, 0);
  g_assert_true (grid_cell (grid, EIO_OFFSET, c));
  g_snprintf (want, sizeof want, "%02x", remote_contents[EIO_OFFSET]);
  g_assert_cmpstr (c, ==, want);
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
}

static void
test_fuse_disconnect (void)
{
  HmWindow *window;
  HmPage *local, *page;
  HmHexView *view;
  GtkMessageDialog *dialog;
  g_autoptr(Grid) grid = NULL;
  g_autoptr(GError) error = NULL;
  guint8 byte = 0;
  Meter meter;
  double stall_ms;

  if (skip_without_fuse ())
    return;

  /* A pending edit in the local file, in its own tab. */
  local = open_path (local_path);
  g_assert_cmpint (hm_document_get_mode (hm_page_get_document (local)), ==, HM_DOCUMENT_MODE_PREVIEW);
  hm_hex_view_set_cursor_offset (hm_page_get_view (local), 0x40);
  hm_hex_view_set_pane (hm_page_get_view (local), HM_HEX_PANE_HEX);
  g_assert_true (_hm_hex_view_key_press (hm_page_get_view (local), GDK_KEY_5, 0));
  g_assert_true (_hm_hex_view_key_press (hm_page_get_view (local), GDK_KEY_a, 0));
  g_assert_true (hm_document_get_has_pending (hm_page_get_document (local)));

  /* The remote file in front, its first screen read. */
  page = open_path (remote_path);
  view = hm_page_get_view (page);
  hm_page_go_to (page, 0);
  g_clear_pointer (&grid, grid_free);
  grid = render_loaded (view);
  g_assert_cmpuint (grid_count (grid, "??"), ==, 0);

  /* The server goes away; a region never read: one dialog, the app lives. */
  control ("disconnect");
  meter_start (&meter);
  hm_page_go_to (page, 0x380000);
  dialog = hm_ui_test_wait_for_message_dialog ();
  g_assert_cmpuint (watch_dialogs (500), ==, 1);
  g_clear_pointer (&grid, grid_free);
  grid = render_loaded (view);
  g_assert_cmpuint (grid_count (grid, "??"), ==, grid->rows->len * grid->bytes_per_row);

  /* Retry on a dead server: one new dialog, not a storm, and no freeze. */
  gtk_dialog_response (GTK_DIALOG (dialog), HM_FAULT_RESPONSE_RETRY);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  g_assert_cmpuint (watch_dialogs (1000), ==, 1);
  dialog = hm_ui_test_wait_for_message_dialog ();

  /* What was read before is still there, and the window responds. */
  hm_page_go_to (page, 0);
  g_clear_pointer (&grid, grid_free);
  grid = render_loaded (view);
  g_assert_cmpuint (grid_count_wrong (grid, remote_contents), ==, 0);
  g_assert_cmpuint (grid_count (grid, "??"), ==, 0);
  activate ("page.goto");
  hm_ui_test_spin (50);
  /* The entry's "activate" moves the cursor at once: no wait. */
  gtk_editable_set_text (_hm_page_get_goto_entry (page), "0x100");
  g_signal_emit_by_name (_hm_page_get_goto_entry (page), "activate");
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0x100);

  /* Back to the lost region: still `??`, and no new dialog without a Retry. */
  hm_page_go_to (page, 0x380000);
  g_clear_pointer (&grid, grid_free);
  grid = render_loaded (view);
  g_assert_cmpuint (grid_count (grid, "??"), ==, grid->rows->len * grid->bytes_per_row);
  g_assert_cmpuint (watch_dialogs (300), ==, 1);

  gtk_dialog_response (GTK_DIALOG (dialog), HM_FAULT_RESPONSE_CLOSE);
  g_assert_cmpuint (watch_dialogs (500), ==, 0);
  /* Alive: the main loop kept running all along (every wait above needs it).
   * Its longest pause here is GTK presenting the dialogs, not I/O: a dead
   * mount answers ENOTCONN at once, and its reads happen in the view's worker
   * thread. Reported, not asserted: it depends on how busy the machine is. */
  stall_ms = meter_stop (&meter);
  g_test_message ("longest main loop stall after the disconnect %.1f ms", stall_ms);

  /* The remote page closes without a question: it has no edits. (Close in the
   * fault dialog may already have closed it.) */
  page = remote_page ();
  if (page != NULL)
    gtk_widget_activate_action (GTK_WIDGET (page), "page.close", NULL);
  g_assert_true (hm_ui_test_wait_for (remote_page_gone, NULL, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (50);
  g_assert_null (remote_page ());
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);

  /* No edit lost: the local tab still has it, the file on disk does not. */
  window = get_window ();
  g_assert_cmpuint (hm_window_get_n_pages (window), >=, 1);
  local = open_path (local_path);
  g_assert_true (hm_document_get_has_pending (hm_page_get_document (local)));
  g_assert_cmpint (hm_document_read (hm_page_get_document (local), 0x40, &byte, 1, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (byte, ==, 0x5a);
  {
    g_autofree char *disk = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (local_path, &disk, &length, NULL));
    g_assert_cmpuint (length, ==, LOCAL_SIZE);
    g_assert_cmpuint ((guint8) disk[0x40], ==, local_contents[0x40]);
  }
}

/* ---- Screenshot, on request: HM_SCREENSHOT=path.png ---- */

/* The window with its dialog over it, the way a compositor would show them. */
static void
save_screenshot (GtkWindow  *window,
                 GtkWindow  *dialog,
                 const char *path)
{
  g_autoptr(GdkPaintable) window_paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GdkPaintable) dialog_paintable = gtk_widget_paintable_new (GTK_WIDGET (dialog));
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));
  int dialog_width = gtk_widget_get_width (GTK_WIDGET (dialog));
  int dialog_height = gtk_widget_get_height (GTK_WIDGET (dialog));

  gdk_paintable_snapshot (window_paintable, snapshot, width, height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) (width - dialog_width) / 2, 48));
  gdk_paintable_snapshot (dialog_paintable, snapshot, dialog_width, dialog_height);
  gtk_snapshot_restore (snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, (float) width, (float) height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static void
test_fuse_screenshot (void)
{
  const char *target = g_getenv ("HM_SCREENSHOT");
  g_autofree char *backing_file = NULL;
  g_autofree char *path = NULL;
  g_autofree guint8 *block = g_malloc (64 * KIB);
  g_autoptr(Grid) grid = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkMessageDialog *dialog;
  HmPage *page;
  int fd;

  if (target == NULL)
    {
      g_test_skip ("set HM_SCREENSHOT=file.png to take one");
      return;
    }
  if (skip_without_fuse ())
    return;

  /* A sparse disk image on the share, with a bad block in its second data run. */
  backing_file = g_build_filename (backing, "disk.img", NULL);
  fd = open (backing_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 512 * MIB), ==, 0);
  close (fd);
  for (guint i = 0; i < 64 * KIB; i++)
    block[i] = (guint8) (i * 7 + (i >> 5));
  memcpy (block, "\xeb\x3c\x90" "mkfs.fat", 11);
  for (guint64 o = 0; o < 2 * MIB; o += 64 * KIB)
    hm_test_pwrite (backing_file, o, block, 64 * KIB);
  for (guint64 o = 0; o < 24 * MIB; o += 64 * KIB)
    hm_test_pwrite (backing_file, 120 * MIB + o, block, 64 * KIB);
  for (guint64 o = 0; o < 6 * MIB; o += 64 * KIB)
    hm_test_pwrite (backing_file, 330 * MIB + o, block, 64 * KIB);
  for (guint64 o = 0; o < 1 * MIB; o += 64 * KIB)
    hm_test_pwrite (backing_file, 511 * MIB + o, block, 64 * KIB);

  /* The view at its natural width, the map at the window's edge. */
  g_settings_set_uint (settings, "bytes-per-row", 0);
  g_settings_set_boolean (settings, "show-side-pane", FALSE);
  path = hm_faultfs_build_path (fs, "disk.img");
  control ("read-eio 0x7a01000 0x1000");
  page = open_path (path);
  gtk_window_set_default_size (GTK_WINDOW (get_window ()), 1180, 720);
  hm_ui_test_spin (200);
  hm_page_go_to (page, 0x7a01000);
  {
    HmHexView *view = hm_page_get_view (page);
    guint64 row = 0x7a01000 / hm_hex_view_get_bytes_per_row (view);

    /* Good bytes above, the bad page from the middle down. */
    hm_hex_view_set_top_row (view, row - hm_hex_view_get_n_visible_rows (view) / 2);
  }
  dialog = hm_ui_test_wait_for_message_dialog ();
  grid = render_loaded (hm_page_get_view (page));
  g_assert_cmpuint (grid_count (grid, "??"), >, 0);
  hm_ui_test_spin (300);
  save_screenshot (GTK_WINDOW (get_window ()), GTK_WINDOW (dialog), target);
  g_test_message ("screenshot saved as %s", target);
  g_settings_set_uint (settings, "bytes-per-row", 16);
  g_settings_set_boolean (settings, "show-side-pane", TRUE);

  control ("clear");
  gtk_dialog_response (GTK_DIALOG (dialog), HM_FAULT_RESPONSE_CLOSE);
  hm_ui_test_spin (100);
  page = hm_window_get_current_page (get_window ());
  if (page != NULL && g_str_equal (hm_document_get_path (hm_page_get_document (page)), path))
    gtk_widget_activate_action (GTK_WIDGET (page), "page.close", NULL);
  hm_ui_test_spin (50);
  unlink (backing_file);
}

/* ---- Running inside the application ---- */

static gboolean
run_tests_cb (gpointer data)
{
  GList *windows;

  test_status = g_test_run ();

  /* The windows go first: nothing may read the mount when it is unmounted. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
startup_cb (GApplication *application)
{
  g_idle_add (run_tests_cb, NULL);
}

static void
start_fuse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autofree char *file = NULL;

  if (!hm_faultfs_available (NULL))
    return;
  remote_contents = g_malloc (REMOTE_SIZE);
  for (gsize i = 0; i < REMOTE_SIZE; i++)
    remote_contents[i] = (guint8) g_rand_int (rand);
  backing = g_dir_make_tmp ("hexmap-remote-window-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (backing, "remote.bin", NULL);
  g_assert_true (g_file_set_contents (file, (const char *) remote_contents, REMOTE_SIZE, NULL));
  fs = hm_faultfs_start (backing, &error);
  g_assert_no_error (error);
  remote_path = hm_faultfs_build_path (fs, "remote.bin");
}

static void
stop_fuse (void)
{
  g_autofree char *file = NULL;

  if (fs == NULL)
    return;
  hm_faultfs_stop (fs);
  file = g_build_filename (backing, "remote.bin", NULL);
  unlink (file);
  rmdir (backing);
  g_free (backing);
  g_free (remote_path);
  g_free (remote_contents);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSettings) settings = NULL;
  char *app_argv[4];

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    hm_test_skip_all (argc, argv, "no session bus (run under dbus-run-session)");

  /* Recent files go to the test's folder, not the user's. */
  g_setenv ("XDG_DATA_HOME", hm_test_tmpdir (), TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_set_application_name ("Hexmap");

  /* 16 bytes per row in groups of one, so the tests can read the frame back. */
  settings = g_settings_new (APP_ID);
  g_settings_set_uint (settings, "bytes-per-row", 16);
  g_settings_set_uint (settings, "group-size", 1);

  local_path = hm_test_write_random ("local.bin", LOCAL_SIZE, 8, &local_contents);
  start_fuse ();

  g_test_add_func ("/hm/remote-window/not-local", test_not_local);
  g_test_add_func ("/hm/remote-window/sparse", test_sparse);
  g_test_add_func ("/hm/remote-window/fuse/open", test_fuse_open);
  g_test_add_func ("/hm/remote-window/fuse/eio", test_fuse_eio);
  g_test_add_func ("/hm/remote-window/fuse/screenshot", test_fuse_screenshot);
  g_test_add_func ("/hm/remote-window/fuse/disconnect", test_fuse_disconnect);

  app = hm_application_new ();
  /* Not the real id: a running Hexmap must not receive the test's command line. */
  g_application_set_application_id (G_APPLICATION (app), "org.hexmap.Hexmap.RemoteTest");
  g_signal_connect (app, "startup", G_CALLBACK (startup_cb), NULL);

  app_argv[0] = (char *) "hexmap";
  app_argv[1] = (char *) "--preview";
  app_argv[2] = local_path;
  app_argv[3] = NULL;
  g_application_run (G_APPLICATION (app), 3, app_argv);

  g_clear_object (&app);
  stop_fuse ();
  g_free (local_path);
  g_free (local_contents);
  hm_test_cleanup ();
  return test_status;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "hm-hex-view-private.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"

#define TIB (G_GUINT64_CONSTANT (1) << 40)

/* A view inside an unshown window, allocated by hand so a test controls the size. */
typedef struct
{
  GtkWindow  *window;
  HmHexView  *view;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->view = HM_HEX_VIEW (hm_hex_view_new ());
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
}

static void
allocate (Fixture *fixture,
          int      width,
          int      height)
{
  int min, nat;

  gtk_widget_measure (GTK_WIDGET (fixture->view), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (fixture->view), GTK_ORIENTATION_VERTICAL, width, &min, &nat, NULL, NULL);
  gtk_widget_size_allocate (GTK_WIDGET (fixture->view), &(GtkAllocation) { 0, 0, width, height }, -1);
}

static HmDocument *
open_document (const char     *path,
               HmDocumentMode  mode)
{
  g_autoptr(GError) error = NULL;
  HmDocument *document = hm_document_new_full (path, mode, 0, &error);

  g_assert_no_error (error);
  return document;
}

static void
press (Fixture         *fixture,
       guint            keyval,
       GdkModifierType  state)
{
  _hm_hex_view_key_press (fixture->view, keyval, state);
}

/* ---- Reading a frame back ---- */

#define GRID_COLS 400

typedef struct
{
  GPtrArray *rows;   /* char[GRID_COLS + 1] per row */
  GArray    *colors; /* GdkRGBA per cell, GRID_COLS per row */
} Grid;

static void
grid_free (Grid *grid)
{
  g_ptr_array_unref (grid->rows);
  g_array_unref (grid->colors);
  g_free (grid);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Grid, grid_free)

static void
grid_put (Grid          *grid,
          guint          row,
          int            col,
          char           c,
          const GdkRGBA *color)
{
  while (grid->rows->len <= row)
    {
      char *line = g_malloc (GRID_COLS + 1);

      memset (line, ' ', GRID_COLS);
      line[GRID_COLS] = '\0';
      g_ptr_array_add (grid->rows, line);
      g_array_set_size (grid->colors, grid->rows->len * GRID_COLS);
    }
  g_assert_cmpint (col, >=, 0);
  g_assert_cmpint (col, <, GRID_COLS);
  ((char *) grid->rows->pdata[row])[col] = c;
  g_array_index (grid->colors, GdkRGBA, row * GRID_COLS + (guint) col) = *color;
}

static void
collect_text (HmHexView     *view,
              GskRenderNode *node,
              Grid          *grid,
              guint         *n_text_nodes)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        collect_text (view, gsk_container_node_get_child (node, i), grid, n_text_nodes);
      break;
    case GSK_CLIP_NODE:
      collect_text (view, gsk_clip_node_get_child (node), grid, n_text_nodes);
      break;
    case GSK_TEXT_NODE:
      {
        const graphene_point_t *offset = gsk_text_node_get_offset (node);
        const GdkRGBA *color = gsk_text_node_get_color (node);
        double cw = _hm_hex_view_get_cell_width (view);
        int rh = _hm_hex_view_get_row_height (view);
        guint n;
        const PangoGlyphInfo *glyphs = gsk_text_node_get_glyphs (node, &n);
        double x = offset->x;
        /* Row 0 is the top row, even while partly scrolled out (smooth scrolling). */
        guint row = (guint) ((offset->y + _hm_hex_view_get_scroll_pixel (view)) / rh);
        int last_col = -1;

        g_assert_true (gsk_text_node_get_font (node) == _hm_hex_view_get_font (view));
        for (guint i = 0; i < n; i++)
          {
            gunichar c = _hm_hex_view_char_for_glyph (view, glyphs[i].glyph);
            int col = (int) (x / cw + 0.5);

            g_assert_cmpuint (c, !=, 0);
            /* Strictly left to right: cairo draws such a run without a mask. */
            g_assert_cmpint (col, >, last_col);
            last_col = col;
            grid_put (grid, row, col, (char) c, color);
            x += (double) glyphs[i].geometry.width / PANGO_SCALE;
          }
        (*n_text_nodes)++;
      }
      break;
    case GSK_NOT_A_RENDER_NODE:
    case GSK_CAIRO_NODE:
    case GSK_COLOR_NODE:
    case GSK_LINEAR_GRADIENT_NODE:
    case GSK_REPEATING_LINEAR_GRADIENT_NODE:
    case GSK_RADIAL_GRADIENT_NODE:
    case GSK_REPEATING_RADIAL_GRADIENT_NODE:
    case GSK_CONIC_GRADIENT_NODE:
    case GSK_BORDER_NODE:
    case GSK_TEXTURE_NODE:
    case GSK_INSET_SHADOW_NODE:
    case GSK_OUTSET_SHADOW_NODE:
    case GSK_TRANSFORM_NODE:
    case GSK_OPACITY_NODE:
    case GSK_COLOR_MATRIX_NODE:
    case GSK_REPEAT_NODE:
    case GSK_ROUNDED_CLIP_NODE:
    case GSK_SHADOW_NODE:
    case GSK_BLEND_NODE:
    case GSK_CROSS_FADE_NODE:
    case GSK_BLUR_NODE:
    case GSK_DEBUG_NODE:
    case GSK_GL_SHADER_NODE:
    default:
      break;
    }
}

static Grid *
render_grid (Fixture *fixture,
             guint   *n_text_nodes)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  Grid *grid = g_new0 (Grid, 1);
  guint n = 0;

  _hm_hex_view_snapshot_content (fixture->view, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  grid->rows = g_ptr_array_new_with_free_func (g_free);
  grid->colors = g_array_new (FALSE, TRUE, sizeof (GdkRGBA));
  g_assert_nonnull (node);
  collect_text (fixture->view, node, grid, &n);
  if (n_text_nodes != NULL)
    *n_text_nodes = n;
  return grid;
}

static const char *
grid_row (Grid *grid,
          guint row)
{
  g_assert_cmpuint (row, <, grid->rows->len);
  return g_strchomp (grid->rows->pdata[row]);
}

static const GdkRGBA *
grid_color (Grid *grid,
            guint row,
            guint col)
{
  return &g_array_index (grid->colors, GdkRGBA, row * GRID_COLS + col);
}

/* ---- Geometry ---- */

static int
width_for (Fixture *fixture,
           guint    bytes_per_row,
           guint    digits,
           guint    group)
{
  /* pad, offset, 2 spaces, hex, 2 spaces, text, pad; plus the scrollbar */
  const int cols = 1 + (int) digits + 2 + 2 * (int) bytes_per_row + ((int) bytes_per_row - 1) / (int) group + 2
             + (int) bytes_per_row + 1;

  GtkWidget *scrollbar = gtk_widget_get_last_child (GTK_WIDGET (fixture->view));
  int min, nat;

  gtk_widget_measure (scrollbar, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  return (int) (cols * _hm_hex_view_get_cell_width (fixture->view) + 0.999) + nat;
}

static void
test_geometry_columns (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("columns.bin", 4096);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  int row_height;

  hm_hex_view_set_document (fixture->view, document);
  row_height = _hm_hex_view_get_row_height (fixture->view);
  g_assert_cmpint (row_height, >, 4);
  g_assert_cmpfloat (_hm_hex_view_get_cell_width (fixture->view), >, 2.0);

  /* Auto fit: the largest power of two the width allows, up to 64, so rows
   * start at round offsets. A 4 KiB file has 4 offset digits. */
  for (guint bpr = 1; bpr <= 32; bpr *= 2)
    {
      allocate (fixture, width_for (fixture, bpr, 4, 1), row_height * 10);
      g_assert_cmpuint (hm_hex_view_get_bytes_per_row (fixture->view), ==, bpr);
      allocate (fixture, width_for (fixture, bpr * 2, 4, 1) - 2, row_height * 10);
      g_assert_cmpuint (hm_hex_view_get_bytes_per_row (fixture->view), ==, bpr);
    }
  allocate (fixture, width_for (fixture, 128, 4, 1), row_height * 10);
  g_assert_cmpuint (hm_hex_view_get_bytes_per_row (fixture->view), ==, 64);
  g_assert_cmpuint (hm_hex_view_get_n_visible_rows (fixture->view), ==, 10);
  g_assert_cmpuint (hm_hex_view_get_n_rows (fixture->view), ==, 4096 / 64);

  /* Grouping by 4 packs the hex pane tighter: more bytes fit the same width. */
  hm_hex_view_set_group_size (fixture->view, 4);
  allocate (fixture, width_for (fixture, 32, 4, 4), row_height * 10);
  g_assert_cmpuint (hm_hex_view_get_bytes_per_row (fixture->view), ==, 32);

  /* Fixed: whatever the width. */
  hm_hex_view_set_group_size (fixture->view, 1);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 24);
  allocate (fixture, 2000, row_height * 10 + row_height / 2);
  g_assert_cmpuint (hm_hex_view_get_bytes_per_row (fixture->view), ==, 24);
  g_assert_cmpuint (hm_hex_view_get_n_visible_rows (fixture->view), ==, 10);
}

static void
check_last_page (Fixture *fixture,
                 guint64  size)
{
  guint64 first, last;
  guint bpr = hm_hex_view_get_bytes_per_row (fixture->view);
  guint rows = hm_hex_view_get_n_visible_rows (fixture->view);

  g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first, &last));
  g_assert_cmpuint (last, ==, size - 1);
  g_assert_cmpuint (first, ==, size - (guint64) rows * bpr);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, size / bpr - rows);
}

static void
test_scroll_terabyte_end (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("tera.bin", TIB);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  GtkAdjustment *adjustment;
  GtkScrollbar *scrollbar;
  guint64 first, last;

  hm_hex_view_set_document (fixture->view, document);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 16);
  allocate (fixture, 900, _hm_hex_view_get_row_height (fixture->view) * 30);
  g_assert_cmpuint (hm_hex_view_get_n_rows (fixture->view), ==, TIB / 16);

  /* Ctrl+End: the cursor and the last page. */
  press (fixture, GDK_KEY_End, GDK_CONTROL_MASK);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fixture->view), ==, TIB - 1);
  check_last_page (fixture, TIB);

  /* The scrollbar shows it: its adjustment counts rows. */
  scrollbar = GTK_SCROLLBAR (gtk_widget_get_last_child (GTK_WIDGET (fixture->view)));
  g_assert_true (GTK_IS_SCROLLBAR (scrollbar));
  adjustment = gtk_scrollbar_get_adjustment (scrollbar);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), ==, (double) (TIB / 16));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==,
                     gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));

  /* Dragging the scrollbar: the middle, then the end again. */
  gtk_adjustment_set_value (adjustment, (double) (TIB / 16 / 2));
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, TIB / 16 / 2);
  g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first, &last));
  g_assert_cmpuint (first, ==, TIB / 2);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  check_last_page (fixture, TIB);

  /* Ctrl+Home and back. */
  press (fixture, GDK_KEY_Home, GDK_CONTROL_MASK);
  g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first, &last));
  g_assert_cmpuint (first, ==, 0);
  g_assert_cmpuint (last, ==, 30 * 16 - 1);
}

static void
test_scroll_zero_device (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) document = hm_document_new_full ("/dev/zero", HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_autoptr(Grid) grid = NULL;
  GtkAdjustment *adjustment;
  guint64 size, max_top;
  g_autofree char *expected = NULL;
  guint rows;
  const char *line;

  g_assert_no_error (error);
  size = hm_document_get_size (document);
  g_assert_cmpuint (size, ==, HM_ZERO_DEVICE_SIZE);

  hm_hex_view_set_document (fixture->view, document);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 16);
  allocate (fixture, 1000, _hm_hex_view_get_row_height (fixture->view) * 20);
  rows = hm_hex_view_get_n_visible_rows (fixture->view);
  max_top = size / 16 - rows;
  /* 2^58 rows: beyond what a double counts exactly. */
  g_assert_cmpuint (hm_hex_view_get_n_rows (fixture->view), >, G_GUINT64_CONSTANT (1) << 53);

  /* The scrollbar's end is exactly the last page, though the double cannot say so. */
  adjustment = gtk_scrollbar_get_adjustment (GTK_SCROLLBAR (gtk_widget_get_last_child (GTK_WIDGET (fixture->view))));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, max_top);
  check_last_page (fixture, size);

  /* Row by row from there: every row is reachable. */
  press (fixture, GDK_KEY_End, GDK_CONTROL_MASK);
  for (guint i = 0; i < rows; i++)
    press (fixture, GDK_KEY_Up, 0);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, max_top - 1);
  press (fixture, GDK_KEY_Down, 0);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, max_top - 1);
  for (guint i = 0; i < rows; i++)
    press (fixture, GDK_KEY_Down, 0);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, max_top);

  /* A pixel of smooth scrolling up from the end and back: exact 64-bit rows. */
  _hm_hex_view_scroll_pixels (fixture->view, -1);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, max_top - 1);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, _hm_hex_view_get_row_height (fixture->view) - 1);
  _hm_hex_view_scroll_pixels (fixture->view, 1);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, max_top);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, 0);

  /* Drawn with the right offsets: 16 digits, the last row at 0x3ffffffffffffff0. */
  grid = render_grid (fixture, NULL);
  g_assert_cmpuint (grid->rows->len, ==, rows);
  line = grid_row (grid, rows - 1);
  g_assert_true (g_str_has_prefix (line, " 3ffffffffffffff0  00 00 00"));
  expected = g_strdup_printf (" %016" G_GINT64_MODIFIER "x  00", max_top * 16);
  g_assert_true (g_str_has_prefix (grid_row (grid, 0), expected));
}

/* Touchpad scrolling moves by pixels; keys, pages and jumps align to rows again. */
static void
test_scroll_smooth (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("smooth.bin", TIB);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(Grid) grid = NULL;
  GtkAdjustment *adjustment;
  guint64 first, last, max_top;
  int rh;

  hm_hex_view_set_document (fixture->view, document);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 16);
  rh = _hm_hex_view_get_row_height (fixture->view);
  allocate (fixture, 900, rh * 10);
  adjustment = hm_hex_view_get_vadjustment (fixture->view);
  max_top = TIB / 16 - 10;

  /* Half a row down: the top row is partly out, one more row is drawn below. */
  _hm_hex_view_scroll_pixels (fixture->view, rh / 2);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, 0);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, rh / 2);
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (adjustment), (double) (rh / 2) / rh, 1e-9);
  grid = render_grid (fixture, NULL);
  g_assert_cmpuint (grid->rows->len, ==, 11);
  g_assert_true (g_str_has_prefix (grid_row (grid, 0), " 0000000000  00"));
  g_assert_true (g_str_has_prefix (grid_row (grid, 10), " 00000000a0  00"));
  g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first, &last));
  g_assert_cmpuint (first, ==, 0);
  g_assert_cmpuint (last, ==, 10 * 16 - 1);

  /* Fractions of a pixel add up; whole rows move the 64-bit row. */
  for (guint i = 0; i < 4; i++)
    _hm_hex_view_scroll_pixels (fixture->view, 0.25);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, rh / 2 + 1);
  _hm_hex_view_scroll_pixels (fixture->view, 2 * rh);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, 2);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, rh / 2 + 1);
  _hm_hex_view_scroll_pixels (fixture->view, -(2 * rh + 2));
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, 0);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, rh / 2 - 1);

  /* Not past the top. */
  _hm_hex_view_scroll_pixels (fixture->view, -10 * rh);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, 0);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, 0);

  /* Page Down aligns to a row. */
  _hm_hex_view_scroll_pixels (fixture->view, rh / 2);
  press (fixture, GDK_KEY_Page_Down, 0);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, 10);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, 0);

  /* So does a jump, even to a row already partly on screen. */
  _hm_hex_view_scroll_pixels (fixture->view, rh / 2);
  hm_hex_view_scroll_to_offset (fixture->view, 10 * 16);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, 0);

  /* Not past the end: the last page is exactly aligned. */
  press (fixture, GDK_KEY_End, GDK_CONTROL_MASK);
  _hm_hex_view_scroll_pixels (fixture->view, rh / 2);
  check_last_page (fixture, TIB);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, 0);
  /* A pixel up from there: the row before, nearly all scrolled out. */
  _hm_hex_view_scroll_pixels (fixture->view, -1);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, max_top - 1);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, rh - 1);
  g_clear_pointer (&grid, grid_free);
  grid = render_grid (fixture, NULL);
  g_assert_cmpuint (grid->rows->len, ==, 11);
  g_assert_true (g_str_has_prefix (grid_row (grid, 0), " ffffffff50  00"));
  g_assert_true (g_str_has_prefix (grid_row (grid, 10), " fffffffff0  00"));

  /* The scrollbar still reaches exactly the last page, and its middle. */
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  check_last_page (fixture, TIB);
  gtk_adjustment_set_value (adjustment, (double) (TIB / 16 / 2) + 0.5);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, TIB / 16 / 2);
  g_assert_cmpint (_hm_hex_view_get_scroll_pixel (fixture->view), ==, rh / 2);
}

/* ---- Cursor and selection ---- */

static void
test_cursor_edges (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("edges.bin", 100);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  HmHexView *view = fixture->view;

  hm_hex_view_set_document (view, document);
  hm_hex_view_set_fixed_bytes_per_row (view, 16);
  allocate (fixture, 900, _hm_hex_view_get_row_height (view) * 3);

  press (fixture, GDK_KEY_Left, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0);
  press (fixture, GDK_KEY_Up, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0);
  press (fixture, GDK_KEY_Page_Up, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0);
  press (fixture, GDK_KEY_End, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 15);
  press (fixture, GDK_KEY_Down, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 31);
  press (fixture, GDK_KEY_Home, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 16);
  press (fixture, GDK_KEY_Page_Down, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 64);
  press (fixture, GDK_KEY_Page_Down, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 99);
  /* The last row is short (100 = 6 * 16 + 4): Down stays, End stops at the last byte. */
  hm_hex_view_set_cursor_offset (view, 90);
  press (fixture, GDK_KEY_Down, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 90);
  hm_hex_view_set_cursor_offset (view, 96);
  press (fixture, GDK_KEY_End, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 99);
  press (fixture, GDK_KEY_Right, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 99);
  press (fixture, GDK_KEY_Home, GDK_CONTROL_MASK);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0);
  g_assert_cmpuint (hm_hex_view_get_top_row (view), ==, 0);

  /* Alt+Right and Alt+Left switch columns; Tab is left to the focus chain. */
  g_assert_cmpint (hm_hex_view_get_pane (view), ==, HM_HEX_PANE_HEX);
  g_assert_true (_hm_hex_view_key_press (view, GDK_KEY_Right, GDK_ALT_MASK));
  g_assert_cmpint (hm_hex_view_get_pane (view), ==, HM_HEX_PANE_TEXT);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 0);
  g_assert_true (_hm_hex_view_key_press (view, GDK_KEY_Left, GDK_ALT_MASK));
  g_assert_cmpint (hm_hex_view_get_pane (view), ==, HM_HEX_PANE_HEX);
  g_assert_false (_hm_hex_view_key_press (view, GDK_KEY_Tab, 0));
  g_assert_false (_hm_hex_view_key_press (view, GDK_KEY_ISO_Left_Tab, GDK_SHIFT_MASK));
  g_assert_cmpint (hm_hex_view_get_pane (view), ==, HM_HEX_PANE_HEX);
}

static void
test_selection (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("selection.bin", 1000);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  HmHexView *view = fixture->view;
  guint notified = 0;

  hm_hex_view_set_document (view, document);
  hm_hex_view_set_fixed_bytes_per_row (view, 16);
  allocate (fixture, 900, _hm_hex_view_get_row_height (view) * 10);
  g_signal_connect_swapped (view, "notify::selection-length", G_CALLBACK (g_atomic_int_inc), &notified);

  hm_hex_view_set_cursor_offset (view, 100);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 0);
  g_assert_cmpuint (notified, ==, 0);

  /* Extend right, then down: anchor stays at 100. */
  press (fixture, GDK_KEY_Right, GDK_SHIFT_MASK);
  press (fixture, GDK_KEY_Right, GDK_SHIFT_MASK);
  g_assert_cmpuint (hm_hex_view_get_selection_start (view), ==, 100);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 3);
  press (fixture, GDK_KEY_Down, GDK_SHIFT_MASK);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 19);
  /* Shrink, then cross the anchor: the selection flips to the left of it. */
  press (fixture, GDK_KEY_Up, GDK_SHIFT_MASK);
  press (fixture, GDK_KEY_Left, GDK_SHIFT_MASK);
  g_assert_cmpuint (hm_hex_view_get_selection_start (view), ==, 100);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 2);
  press (fixture, GDK_KEY_Left, GDK_SHIFT_MASK);
  press (fixture, GDK_KEY_Left, GDK_SHIFT_MASK);
  press (fixture, GDK_KEY_Left, GDK_SHIFT_MASK);
  g_assert_cmpuint (hm_hex_view_get_selection_start (view), ==, 98);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 3);
  g_assert_cmpuint (notified, ==, 8);

  /* A plain move drops it; Ctrl+A selects everything; Shift+Ctrl+Home shrinks to the start. */
  press (fixture, GDK_KEY_Right, 0);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 99);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "hex-view.select-all", NULL));
  g_assert_cmpuint (hm_hex_view_get_selection_start (view), ==, 0);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 1000);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 999);
  press (fixture, GDK_KEY_Home, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 1);

  hm_hex_view_set_selection (view, 990, 100);
  g_assert_cmpuint (hm_hex_view_get_selection_start (view), ==, 990);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 10);
}

/* ---- Editing ---- */

static void
test_edit_typing (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("typing.bin", 4096, 7, &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GError) error = NULL;
  HmHexView *view = fixture->view;
  guint8 now[8];

  hm_hex_view_set_document (view, document);
  allocate (fixture, 900, 400);

  /* Hex pane: nibble by nibble. */
  hm_hex_view_set_cursor_offset (view, 10);
  press (fixture, GDK_KEY_a, 0);
  g_assert_cmpint (hm_document_read (document, 10, now, 1, &error), ==, 1);
  g_assert_cmphex (now[0], ==, 0xa0 | (contents[10] & 0x0f));
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 10);
  press (fixture, GDK_KEY_5, 0);
  press (fixture, GDK_KEY_F, 0);
  press (fixture, GDK_KEY_0, 0);
  g_assert_cmpint (hm_document_read (document, 10, now, 2, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmphex (now[0], ==, 0xa5);
  g_assert_cmphex (now[1], ==, 0xf0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 12);
  /* Not a hex digit: not taken. */
  g_assert_false (_hm_hex_view_key_press (view, GDK_KEY_g, 0));

  /* Backspace moves left. */
  press (fixture, GDK_KEY_BackSpace, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 11);

  /* Text pane: bytes. */
  press (fixture, GDK_KEY_Right, GDK_ALT_MASK);
  hm_hex_view_set_cursor_offset (view, 100);
  press (fixture, GDK_KEY_H, 0);
  press (fixture, GDK_KEY_i, 0);
  press (fixture, GDK_KEY_exclam, 0);
  g_assert_cmpint (hm_document_read (document, 100, now, 3, &error), ==, 3);
  g_assert_cmpmem (now, 3, "Hi!", 3);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 103);

  /* Overwrite (what paste does): from the selection start, one step. */
  hm_hex_view_set_selection (view, 4094, 2);
  g_assert_true (hm_hex_view_overwrite (view, (const guint8 *) "xyz", 3));
  g_assert_cmpint (hm_document_read (document, 4094, now, 2, &error), ==, 2);
  g_assert_cmpmem (now, 2, "xy", 2);

  /* Undo everything: the file's bytes come back. */
  while (hm_document_get_can_undo (document))
    {
      g_assert_true (hm_document_undo (document, &error));
      g_assert_no_error (error);
    }
  {
    g_autofree guint8 *all = g_malloc (4096);

    g_assert_cmpint (hm_document_read (document, 0, all, 4096, &error), ==, 4096);
    g_assert_cmpmem (all, 4096, contents, 4096);
  }
}

static guint
count_undo_steps (HmDocument *document)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  while (hm_document_get_can_undo (document))
    {
      g_assert_true (hm_document_undo (document, &error));
      g_assert_no_error (error);
      n++;
    }
  return n;
}

static void
type_hex (Fixture    *fixture,
          const char *digits)
{
  for (const char *p = digits; *p != '\0'; p++)
    g_assert_true (_hm_hex_view_key_press (fixture->view, gdk_unicode_to_keyval ((guint32) *p), 0));
}

/* One undo step is what the user sees as one action: a run typed in one column
 * without moving the cursor by hand. Switching columns, or a jump of the cursor
 * (even back to where typing would go on), starts a new step; undoing one step
 * takes back exactly the bytes of that run. */
static void
test_edit_undo_steps (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("undo-steps.bin", 256, 11, &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GError) error = NULL;
  HmHexView *view = fixture->view;
  guint8 now[8];

  hm_hex_view_set_document (view, document);
  allocate (fixture, 900, 400);

  /* Four bytes in the hex column, then three in the text column: two steps. */
  hm_hex_view_set_cursor_offset (view, 0);
  type_hex (fixture, "deadbeef");
  press (fixture, GDK_KEY_Right, GDK_ALT_MASK);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 4);
  press (fixture, GDK_KEY_x, 0);
  press (fixture, GDK_KEY_y, 0);
  press (fixture, GDK_KEY_z, 0);
  g_assert_cmpint (hm_document_read (document, 0, now, 7, &error), ==, 7);
  g_assert_cmpmem (now, 7, "\xde\xad\xbe\xefxyz", 7);
  g_assert_true (hm_document_undo (document, &error));
  g_assert_cmpint (hm_document_read (document, 0, now, 7, &error), ==, 7);
  g_assert_cmpmem (now, 4, "\xde\xad\xbe\xef", 4);
  g_assert_cmpmem (now + 4, 3, contents + 4, 3);
  g_assert_true (hm_document_undo (document, &error));
  g_assert_cmpint (hm_document_read (document, 0, now, 7, &error), ==, 7);
  g_assert_cmpmem (now, 7, contents, 7);
  g_assert_false (hm_document_get_can_undo (document));
  g_assert_no_error (error);

  /* A contiguous run in one column stays one step. */
  hm_hex_view_set_pane (view, HM_HEX_PANE_HEX);
  hm_hex_view_set_cursor_offset (view, 16);
  type_hex (fixture, "0102030405");
  g_assert_cmpuint (count_undo_steps (document), ==, 1);

  /* A jump ends the run, even to the byte typing would go on at. */
  hm_hex_view_set_cursor_offset (view, 32);
  type_hex (fixture, "aabb");
  hm_hex_view_set_cursor_offset (view, 34);
  type_hex (fixture, "cc");
  press (fixture, GDK_KEY_Left, 0);
  press (fixture, GDK_KEY_Right, 0);
  type_hex (fixture, "dd");
  g_assert_cmpuint (count_undo_steps (document), ==, 3);

  /* A pause in typing ends the run (the clock of the last typed byte is set
   * back instead of waiting), but never between the two digits of a byte. */
  hm_hex_view_set_cursor_offset (view, 48);
  type_hex (fixture, "11");
  view->typing_time -= 3 * G_USEC_PER_SEC;
  type_hex (fixture, "2");
  view->typing_time -= 3 * G_USEC_PER_SEC;
  type_hex (fixture, "2");
  g_assert_cmpint (hm_document_read (document, 48, now, 2, &error), ==, 2);
  g_assert_cmpmem (now, 2, "\x11\x22", 2);
  g_assert_cmpuint (count_undo_steps (document), ==, 2);

  /* In insert mode too: typed bytes are one step until the cursor jumps. */
  hm_hex_view_set_insert_mode (view, TRUE);
  hm_hex_view_set_cursor_offset (view, 40);
  type_hex (fixture, "1122");
  hm_hex_view_set_cursor_offset (view, 42);
  type_hex (fixture, "33");
  g_assert_cmpuint (hm_document_get_size (document), ==, 259);
  g_assert_cmpuint (count_undo_steps (document), ==, 2);
  g_assert_cmpuint (hm_document_get_size (document), ==, 256);
  {
    g_autofree guint8 *all = g_malloc (256);

    g_assert_cmpint (hm_document_read (document, 0, all, 256, &error), ==, 256);
    g_assert_no_error (error);
    g_assert_cmpmem (all, 256, contents, 256);
  }
}

static void
hint_cb (HmHexView  *view,
         const char *message,
         guint      *count)
{
  (*count)++;
}

static void
test_edit_read_only (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("readonly.bin", 256, 9, &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GError) error = NULL;
  guint hints = 0;
  guint8 now[4];

  hm_hex_view_set_document (fixture->view, document);
  allocate (fixture, 900, 400);
  g_signal_connect (fixture->view, "hint", G_CALLBACK (hint_cb), &hints);

  press (fixture, GDK_KEY_1, 0);
  press (fixture, GDK_KEY_2, 0);
  g_assert_cmpuint (hints, ==, 2);
  g_assert_false (hm_hex_view_overwrite (fixture->view, (const guint8 *) "ab", 2));
  g_assert_cmpint (hm_document_read (document, 0, now, 4, &error), ==, 4);
  g_assert_cmpmem (now, 4, contents, 4);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fixture->view), ==, 0);
}

/* After Ctrl+A, typing overwrites the first byte, not the last (the cursor's end). */
static void
test_edit_over_selection (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = hm_test_write_random ("selection.bin", 256, 11, &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GError) error = NULL;
  HmHexView *view = fixture->view;
  guint8 now[256];

  hm_hex_view_set_document (view, document);
  allocate (fixture, 900, 400);

  hm_hex_view_set_pane (view, HM_HEX_PANE_HEX);
  hm_hex_view_select_all (view);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 255);
  press (fixture, GDK_KEY_0, 0);
  press (fixture, GDK_KEY_0, 0);
  g_assert_cmpint (hm_document_read (document, 0, now, 256, &error), ==, 256);
  g_assert_no_error (error);
  g_assert_cmphex (now[0], ==, 0x00);
  g_assert_cmpmem (now + 1, 255, contents + 1, 255);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 1);

  /* The text pane too, with the cursor at the selection's end. */
  hm_hex_view_set_pane (view, HM_HEX_PANE_TEXT);
  hm_hex_view_set_selection (view, 10, 5);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (view), ==, 14);
  press (fixture, GDK_KEY_Z, 0);
  g_assert_cmpint (hm_document_read (document, 10, now, 5, &error), ==, 5);
  g_assert_cmpuint (now[0], ==, 'Z');
  g_assert_cmpmem (now + 1, 4, contents + 11, 4);
}

/* Copy as C array: the same text as before the fast path, and a 1 MiB limit. */
static void
test_copy_c_array (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("c-array.bin", 2 << 20);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GString) expected = g_string_new ("unsigned char data[13] = {");
  guint8 bytes[13];
  g_autofree char *text = NULL;
  g_autofree guint8 *big = g_malloc0 (1 << 20);
  g_autofree char *big_text = NULL;
  guint hints = 0;

  for (guint i = 0; i < sizeof bytes; i++)
    {
      bytes[i] = (guint8) (i * 37 + 250);
      g_string_append_printf (expected, "%s0x%02x%s", i % 12 == 0 ? "\n  " : " ", bytes[i],
                              i + 1 < sizeof bytes ? "," : "");
    }
  g_string_append (expected, "\n};\n");
  text = hm_hex_view_format_bytes (bytes, sizeof bytes, HM_COPY_FORMAT_C_ARRAY);
  g_assert_cmpstr (text, ==, expected->str);

  /* 1 MiB: 6 characters a byte, plus the head and one line break per 12 bytes. */
  big_text = hm_hex_view_format_bytes (big, 1 << 20, HM_COPY_FORMAT_C_ARRAY);
  g_assert_true (g_str_has_prefix (big_text, "unsigned char data[1048576] = {\n  0x00, 0x00,"));
  g_assert_true (g_str_has_suffix (big_text, " 0x00\n};\n"));

  /* Beyond 1 MiB: a hint, no clipboard text. */
  hm_hex_view_set_document (fixture->view, document);
  allocate (fixture, 900, 400);
  g_signal_connect (fixture->view, "hint", G_CALLBACK (hint_cb), &hints);
  hm_hex_view_set_selection (fixture->view, 0, (1 << 20) + 1);
  hm_hex_view_copy (fixture->view, HM_COPY_FORMAT_C_ARRAY);
  g_assert_cmpuint (hints, ==, 1);
  hm_hex_view_set_selection (fixture->view, 0, 1 << 20);
  hm_hex_view_copy (fixture->view, HM_COPY_FORMAT_C_ARRAY);
  g_assert_cmpuint (hints, ==, 1);
}

/* ---- Context menu and marks ---- */

/* Every item of a menu model as "action(target)", one a line, sections in order. */
static void
describe_menu (GMenuModel *model,
               GString    *out)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autofree char *action = NULL;
      g_autoptr(GVariant) target = NULL;

      if (section != NULL)
        {
          describe_menu (section, out);
          g_string_append (out, "--\n");
          continue;
        }
      g_assert_true (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &action));
      target = g_menu_model_get_item_attribute_value (model, i, G_MENU_ATTRIBUTE_TARGET, G_VARIANT_TYPE_STRING);
      g_string_append_printf (out, "%s(%s)\n", action, target != NULL ? g_variant_get_string (target, NULL) : "");
    }
}

static void
read_text_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*text);
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

static char *
clipboard_text (HmHexView *view)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (view)), NULL, read_text_cb, &text);
  g_assert_true (hm_ui_test_wait_for (is_set, &text, HM_UI_TEST_WAIT_MS));
  return text;
}

/* The context menu offers the copies, paste, select all, and the page's
 * bookmark, fill, insert and delete; its C-array copy puts the selection on the
 * clipboard as a C initialiser. */
static void
test_context_menu (Fixture       *fixture,
                   gconstpointer  data)
{
  static const guint8 head[4] = { 0x7f, 'E', 'L', 'F' };
  g_autofree char *path = hm_test_make_sparse ("menu.bin", 4096);
  g_autoptr(HmDocument) document = NULL;
  g_autoptr(GMenuModel) model = _hm_hex_view_build_menu_model ();
  g_autoptr(GString) items = g_string_new (NULL);
  g_autofree char *c_array = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *raw = NULL;

  describe_menu (model, items);
  g_assert_cmpstr (items->str, ==,
                   "hex-view.copy(hex)\nhex-view.copy(raw)\nhex-view.copy(c)\nhex-view.paste()\n--\n"
                   "hex-view.select-all()\npage.toggle-bookmark()\n--\n"
                   "page.fill()\npage.insert-bytes()\npage.delete-selection()\n--\n");

  hm_test_pwrite (path, 0x10, head, sizeof head);
  document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  hm_hex_view_set_document (fixture->view, document);
  allocate (fixture, 900, 400);
  hm_hex_view_set_selection (fixture->view, 0x10, 4);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "hex-view.copy", "s", "c"));
  c_array = clipboard_text (fixture->view);
  g_assert_cmpstr (c_array, ==, "unsigned char data[4] = {\n  0x7f, 0x45, 0x4c, 0x46\n};\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "hex-view.copy", "s", "hex"));
  hex = clipboard_text (fixture->view);
  g_assert_cmpstr (hex, ==, "7f 45 4c 46");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "hex-view.copy", "s", "raw"));
  raw = clipboard_text (fixture->view);
  g_assert_cmpstr (raw, ==, "\x7f" "ELF");
}

/* Colour nodes of the mark colour that are as thin as a mark's line. */
static void
count_marks (GskRenderNode *node,
             const GdkRGBA *color,
             guint         *n)
{
  GskRenderNodeType type = gsk_render_node_get_node_type (node);

  if (type == GSK_CONTAINER_NODE)
    for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
      count_marks (gsk_container_node_get_child (node, i), color, n);
  else if (type == GSK_CLIP_NODE)
    count_marks (gsk_clip_node_get_child (node), color, n);
  else if (type == GSK_COLOR_NODE)
    {
      graphene_rect_t bounds;

      gsk_render_node_get_bounds (node, &bounds);
      if (gdk_rgba_equal (gsk_color_node_get_color (node), color) && bounds.size.height <= 2.5f)
        (*n)++;
    }
}

static guint
n_marks_drawn (Fixture *fixture)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  guint n = 0;

  _hm_hex_view_snapshot_content (fixture->view, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  count_marks (node, &fixture->view->colors[COLOR_MARK], &n);
  return n;
}

/* Marks (bookmarks) are drawn under their bytes in both columns, for the rows
 * on screen only; touching ranges merge. */
static void
test_marks (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("marks.bin", 1 << 20);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (HmRange));
  HmRange r;

  hm_hex_view_set_document (fixture->view, document);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 16);
  allocate (fixture, 900, _hm_hex_view_get_row_height (fixture->view) * 8);
  g_assert_cmpuint (n_marks_drawn (fixture), ==, 0);

  /* One byte, two touching ones on the next row, one far below the screen. */
  r = (HmRange) { 5, 1 };
  g_array_append_val (ranges, r);
  r = (HmRange) { 20, 1 };
  g_array_append_val (ranges, r);
  r = (HmRange) { 21, 1 };
  g_array_append_val (ranges, r);
  r = (HmRange) { 0x80000, 1 };
  g_array_append_val (ranges, r);
  hm_hex_view_set_marks (fixture->view, ranges);
  g_assert_cmpuint (hm_hex_view_get_marks (fixture->view)->len, ==, 3);
  g_assert_cmpuint (n_marks_drawn (fixture), ==, 4);

  hm_hex_view_set_top_row (fixture->view, 0x80000 / 16 - 2);
  g_assert_cmpuint (n_marks_drawn (fixture), ==, 2);

  hm_hex_view_set_marks (fixture->view, NULL);
  g_assert_null (hm_hex_view_get_marks (fixture->view));
  g_assert_cmpuint (n_marks_drawn (fixture), ==, 0);
}

/* A revealed target gets rows of context above it and the rest of the view
 * below it, unless it is comfortably visible already. */
static void
test_reveal (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("reveal.bin", 1 << 20);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  HmHexView *view = fixture->view;

  hm_hex_view_set_document (view, document);
  hm_hex_view_set_fixed_bytes_per_row (view, 16);
  allocate (fixture, 900, _hm_hex_view_get_row_height (view) * 20);
  g_assert_cmpuint (hm_hex_view_get_n_visible_rows (view), >=, 20);

  /* Moving the cursor far puts it on the last row; revealing moves it up. */
  hm_hex_view_set_cursor_offset (view, 0x1000);
  g_assert_cmpuint (hm_hex_view_get_top_row (view), ==, 0x100 - 19);
  hm_hex_view_reveal_offset (view, 0x1000);
  g_assert_cmpuint (hm_hex_view_get_top_row (view), ==, 0x100 - 3);

  /* Comfortably visible: nothing moves. */
  hm_hex_view_reveal_offset (view, 0x1000 + 16 * 10);
  g_assert_cmpuint (hm_hex_view_get_top_row (view), ==, 0x100 - 3);
  /* Too near either edge: moves. */
  hm_hex_view_reveal_offset (view, 0x1000 + 16 * 15);
  g_assert_cmpuint (hm_hex_view_get_top_row (view), ==, 0x100 + 15 - 3);
  hm_hex_view_reveal_offset (view, 0x1000 + 16 * 13);
  g_assert_cmpuint (hm_hex_view_get_top_row (view), ==, 0x100 + 13 - 3);

  /* At the start and the end of the file there is no more to show. */
  hm_hex_view_reveal_offset (view, 16);
  g_assert_cmpuint (hm_hex_view_get_top_row (view), ==, 0);
  hm_hex_view_reveal_offset (view, 0);
  g_assert_cmpuint (hm_hex_view_get_top_row (view), ==, 0);
  hm_hex_view_set_cursor_offset (view, (1 << 20) - 1);
  hm_hex_view_reveal_offset (view, (1 << 20) - 1);
  g_assert_cmpuint (hm_hex_view_get_top_row (view), ==, hm_hex_view_get_n_rows (view) - 20);
}

/* ---- Drawing ---- */

static void
test_render_text (Fixture       *fixture,
                  gconstpointer  data)
{
  static const guint8 head[16] = { 'H', 'e', 'l', 'l', 'o', ' ', 0x00, 0x0a, 0x7f, 0xff, '~', '0', 0, 0, 0, 1 };
  g_autofree char *path = hm_test_make_sparse ("render.bin", 1 << 20);
  g_autoptr(HmDocument) document = NULL;
  g_autoptr(Grid) grid = NULL;
  guint n_nodes = 0;
  const char *line;
  guint data_zero_col, hole_col;

  hm_test_pwrite (path, 0, head, sizeof head);
  document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  hm_hex_view_set_document (fixture->view, document);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 16);
  allocate (fixture, 900, _hm_hex_view_get_row_height (fixture->view) * 4);

  grid = render_grid (fixture, &n_nodes);
  g_assert_cmpuint (grid->rows->len, ==, 4);
  line = grid_row (grid, 0);
  g_assert_cmpstr (line, ==, " 000000  48 65 6c 6c 6f 20 00 0a 7f ff 7e 30 00 00 00 01  Hello ....~0....");
  g_assert_cmpstr (grid_row (grid, 3),
                   ==, " 000030  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................");
  /* One text node per colour per row, not per byte. */
  g_assert_cmpuint (n_nodes, <=, 4 * 8);

  /* Colours by class (1 MiB: 6 offset digits, so byte i of a row is at column
   * 9 + 3 i): printable, zero, whitespace, control and high bytes differ. */
  g_assert_false (gdk_rgba_equal (grid_color (grid, 0, 9), grid_color (grid, 0, 27)));   /* 'H' vs 00 */
  g_assert_false (gdk_rgba_equal (grid_color (grid, 0, 9), grid_color (grid, 0, 30)));   /* 'H' vs 0a */
  g_assert_false (gdk_rgba_equal (grid_color (grid, 0, 30), grid_color (grid, 0, 33)));  /* 0a vs 7f */
  g_assert_false (gdk_rgba_equal (grid_color (grid, 0, 33), grid_color (grid, 0, 36)));  /* 7f vs ff */
  g_assert_true (gdk_rgba_equal (grid_color (grid, 0, 9), grid_color (grid, 0, 39)));    /* 'H' vs '~' */

  /* Holes are dimmed: zeros far into the file (a hole) differ from zeros in data. */
  data_zero_col = 27;
  hole_col = 9;
  hm_hex_view_set_cursor_offset (fixture->view, (1 << 19));
  g_clear_pointer (&grid, grid_free);
  grid = render_grid (fixture, NULL);
  if (hm_document_get_n_holes (document) > 0)
    {
      g_autoptr(Grid) first = NULL;

      hm_hex_view_set_cursor_offset (fixture->view, 0);
      first = render_grid (fixture, NULL);
      g_assert_false (gdk_rgba_equal (grid_color (first, 0, data_zero_col), grid_color (grid, 0, hole_col)));
    }
  g_assert_true (g_str_has_prefix (grid_row (grid, 0), " 07ffd0  00 00"));
}

static void
test_format_and_parse (void)
{
  static const guint8 bytes[] = { 0xde, 0xad, 0xbe, 0xef, 'A' };
  g_autofree char *hex = hm_hex_view_format_bytes (bytes, 4, HM_COPY_FORMAT_HEX);
  g_autofree char *c_array = hm_hex_view_format_bytes (bytes, 5, HM_COPY_FORMAT_C_ARRAY);
  g_autofree char *raw = hm_hex_view_format_bytes (bytes + 4, 1, HM_COPY_FORMAT_RAW);
  const char *good[] = { "de ad be ef", "DEADBEEF", "0xde, 0xad,0xbe 0xef", "de:ad:be:ef", "{ 0xde, 0xad, 0xbe, 0xef }" };

  g_assert_cmpstr (hex, ==, "de ad be ef");
  g_assert_cmpstr (c_array, ==, "unsigned char data[5] = {\n  0xde, 0xad, 0xbe, 0xef, 0x41\n};\n");
  g_assert_cmpstr (raw, ==, "A");

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GBytes) parsed = hm_hex_view_parse_hex (good[i]);

      g_assert_nonnull (parsed);
      g_assert_cmpmem (g_bytes_get_data (parsed, NULL), g_bytes_get_size (parsed), bytes, 4);
    }
  g_assert_null (hm_hex_view_parse_hex ("hello"));
  g_assert_null (hm_hex_view_parse_hex ("abc"));
  g_assert_null (hm_hex_view_parse_hex ("  "));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Without a display (and not under xvfb-run): skip rather than fail. */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/hm/hex-view/geometry/columns", Fixture, NULL, fixture_setup, test_geometry_columns, fixture_teardown);
  g_test_add ("/hm/hex-view/scroll/terabyte-end", Fixture, NULL, fixture_setup, test_scroll_terabyte_end,
              fixture_teardown);
  g_test_add ("/hm/hex-view/scroll/zero-device", Fixture, NULL, fixture_setup, test_scroll_zero_device,
              fixture_teardown);
  g_test_add ("/hm/hex-view/scroll/smooth", Fixture, NULL, fixture_setup, test_scroll_smooth, fixture_teardown);
  g_test_add ("/hm/hex-view/cursor/edges", Fixture, NULL, fixture_setup, test_cursor_edges, fixture_teardown);
  g_test_add ("/hm/hex-view/selection/extend-shrink", Fixture, NULL, fixture_setup, test_selection,
              fixture_teardown);
  g_test_add ("/hm/hex-view/edit/typing", Fixture, NULL, fixture_setup, test_edit_typing, fixture_teardown);
  g_test_add ("/hm/hex-view/edit/undo-steps", Fixture, NULL, fixture_setup, test_edit_undo_steps,
              fixture_teardown);
  g_test_add ("/hm/hex-view/edit/read-only", Fixture, NULL, fixture_setup, test_edit_read_only, fixture_teardown);
  g_test_add ("/hm/hex-view/edit/over-selection", Fixture, NULL, fixture_setup, test_edit_over_selection,
              fixture_teardown);
  g_test_add ("/hm/hex-view/copy/c-array", Fixture, NULL, fixture_setup, test_copy_c_array, fixture_teardown);
  g_test_add ("/hm/hex-view/menu/items-and-copy", Fixture, NULL, fixture_setup, test_context_menu,
              fixture_teardown);
  g_test_add ("/hm/hex-view/marks", Fixture, NULL, fixture_setup, test_marks, fixture_teardown);
  g_test_add ("/hm/hex-view/scroll/reveal", Fixture, NULL, fixture_setup, test_reveal, fixture_teardown);
  g_test_add ("/hm/hex-view/render/text", Fixture, NULL, fixture_setup, test_render_text, fixture_teardown);
  g_test_add_func ("/hm/hex-view/format-and-parse", test_format_and_parse);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}

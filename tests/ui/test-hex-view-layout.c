/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The hex view's layout (issue 15): offsets never lose a digit at any width
 * (the row gives up bytes instead), automatic rows of a power of two bytes, the
 * user's bytes per row kept where they fit, the column header, the gap every
 * 8 bytes, decimal offsets, zoom, and the cursor kept in view when the font,
 * the row width or the window size changes.
 *
 * The layout is checked twice: headless, through _hm_hex_view_compute_layout()
 * for every width, and in the frame itself, whose text nodes are turned back
 * into characters.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "hm-hex-view-private.h"
#include "hm-page.h"
#include "hm-preferences-dialog.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)

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

static int
scrollbar_width (Fixture *fixture)
{
  GtkWidget *scrollbar = gtk_widget_get_last_child (GTK_WIDGET (fixture->view));
  int min, nat;

  gtk_widget_measure (scrollbar, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  return nat;
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

static gboolean
is_power_of_two (guint n)
{
  return n > 0 && (n & (n - 1)) == 0;
}

/* ---- Reading a frame back ---- */

#define GRID_COLS 600

typedef struct
{
  GPtrArray *rows; /* char[GRID_COLS + 1] per screen row, the header (if shown) first */
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
              Grid          *grid,
              float          dy)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        collect_text (view, gsk_container_node_get_child (node, i), grid, dy);
      break;
    case GSK_CLIP_NODE:
      collect_text (view, gsk_clip_node_get_child (node), grid, dy);
      break;
    case GSK_TRANSFORM_NODE:
      {
        float tx = 0, ty = 0;

        g_assert_cmpint (gsk_transform_get_category (gsk_transform_node_get_transform (node)), >=,
                         GSK_TRANSFORM_CATEGORY_2D_TRANSLATE);
        gsk_transform_to_translate (gsk_transform_node_get_transform (node), &tx, &ty);
        g_assert_cmpfloat (tx, ==, 0);
        collect_text (view, gsk_transform_node_get_child (node), grid, dy + ty);
      }
      break;
    case GSK_TEXT_NODE:
      {
        const graphene_point_t *offset = gsk_text_node_get_offset (node);
        double cw = _hm_hex_view_get_cell_width (view);
        int rh = _hm_hex_view_get_row_height (view);
        guint n;
        const PangoGlyphInfo *glyphs = gsk_text_node_get_glyphs (node, &n);
        double x = offset->x;
        guint row = (guint) ((offset->y + dy + _hm_hex_view_get_scroll_pixel (view)) / rh);

        while (grid->rows->len <= row)
          {
            char *line = g_malloc (GRID_COLS + 1);

            memset (line, ' ', GRID_COLS);
            line[GRID_COLS] = '\0';
            g_ptr_array_add (grid->rows, line);
          }
        for (guint i = 0; i < n; i++)
          {
            gunichar c = _hm_hex_view_char_for_glyph (view, glyphs[i].glyph);
            int col = (int) (x / cw + 0.5);

            g_assert_cmpuint (c, !=, 0);
            g_assert_cmpint (col, >=, 0);
            g_assert_cmpint (col, <, GRID_COLS);
            ((char *) grid->rows->pdata[row])[col] = (char) c;
            x += (double) glyphs[i].geometry.width / PANGO_SCALE;
          }
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
render_grid (Fixture *fixture)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  Grid *grid = g_new0 (Grid, 1);

  _hm_hex_view_snapshot_content (fixture->view, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  grid->rows = g_ptr_array_new_with_free_func (g_free);
  g_assert_nonnull (node);
  collect_text (fixture->view, node, grid, 0);
  return grid;
}

static const char *
grid_row (Grid *grid,
          guint row)
{
  g_assert_cmpuint (row, <, grid->rows->len);
  return g_strchomp (grid->rows->pdata[row]);
}

/* The offset a drawn row starts with: the first word after the left pad. */
static char *
row_offset (const char *row)
{
  const char *start = row;
  const char *end;

  g_assert_cmpint (row[0], ==, ' ');
  while (*start == ' ')
    start++;
  end = strchr (start, ' ');
  return end != NULL ? g_strndup (start, (gsize) (end - start)) : g_strdup (start);
}

/* ---- Offsets never lose a digit ---- */

/* The last row's offset, as drawn, is the whole offset; and the row's bytes fit
 * the width. */
static void
check_last_row (Fixture    *fixture,
                guint64     size,
                int         width,
                int         height,
                gboolean    decimal)
{
  g_autoptr(Grid) grid = NULL;
  guint bpr;
  guint64 last_row_start;
  g_autofree char *expected = NULL;
  g_autofree char *drawn = NULL;
  const char *row;
  guint64 first, last;

  allocate (fixture, width, height);
  bpr = hm_hex_view_get_bytes_per_row (fixture->view);
  hm_hex_view_set_cursor_offset (fixture->view, size - 1);
  g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first, &last));
  g_assert_cmpuint (last, ==, size - 1);

  last_row_start = (size - 1) / bpr * bpr;
  expected = decimal ? g_strdup_printf ("%" G_GUINT64_FORMAT, last_row_start)
                     : g_strdup_printf ("%" G_GINT64_MODIFIER "x", last_row_start);
  grid = render_grid (fixture);
  row = grid_row (grid, grid->rows->len - 1);
  drawn = row_offset (row);
  /* Zero-padded on the left, never cut: the number reads back the same. */
  g_assert_cmpuint (strlen (drawn), >=, strlen (expected));
  g_assert_cmpstr (drawn + strlen (drawn) - strlen (expected), ==, expected);
  g_assert_cmpuint (g_ascii_strtoull (drawn, NULL, decimal ? 10 : 16), ==, last_row_start);
  {
    g_autofree char *formatted = hm_hex_view_format_offset (fixture->view, last_row_start);

    g_assert_cmpstr (formatted, ==, drawn);
  }
  /* The text column's last character lies inside the content. */
  g_assert_cmpfloat ((strlen (row) - 1) * _hm_hex_view_get_cell_width (fixture->view), <,
                     width - scrollbar_width (fixture));
}

static void
test_offsets_never_cut (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("ten.bin", 10 * MIB);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  const double zooms[] = { 1.0, 2.0 };
  int min, nat;

  hm_hex_view_set_document (fixture->view, document);

  for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
    for (guint format = 0; format < 2; format++)
      for (guint setup = 0; setup < 3; setup++)
        {
          /* Automatic rows with the default gap; the 24 bytes in groups of
           * 4; 16 bytes, no gap. */
          hm_hex_view_set_zoom (fixture->view, zooms[z]);
          hm_hex_view_set_offset_format (fixture->view, format);
          hm_hex_view_set_fixed_bytes_per_row (fixture->view, setup == 1 ? 24 : setup == 2 ? 16 : 0);
          hm_hex_view_set_group_size (fixture->view, setup == 1 ? 4 : 1);
          hm_hex_view_set_column_gap (fixture->view, setup == 2 ? 0 : 8);

          /* The minimum width holds one byte beside the whole offset. */
          gtk_widget_measure (GTK_WIDGET (fixture->view), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);

          for (int width = 120; width <= 1700; width += 3)
            {
              HmHexLayout layout;
              int content = width - scrollbar_width (fixture);
              guint64 last = 10 * MIB - 1;
              guint need = format == HM_OFFSET_FORMAT_DECIMAL ? 8 : 6; /* 10485759, 9fffff */

              _hm_hex_view_compute_layout (fixture->view, content, &layout);
              g_assert_cmpuint (layout.offset_digits, >=, need);
              g_assert_cmpuint (layout.bytes_per_row, >=, 1);
              if (width >= min)
                g_assert_cmpfloat (layout.width, <=, content);
              if (setup == 1 && layout.bytes_per_row != 24)
                g_assert_true (is_power_of_two (layout.bytes_per_row) && layout.bytes_per_row < 24);
              if (setup == 0)
                {
                  g_assert_true (is_power_of_two (layout.bytes_per_row));
                  g_assert_cmpuint (layout.bytes_per_row, <=, 64);
                  /* The largest that fits: twice as many would not. */
                  if (layout.bytes_per_row < 64 && width >= min)
                    {
                      HmHexLayout wider;

                      hm_hex_view_set_fixed_bytes_per_row (fixture->view, layout.bytes_per_row * 2);
                      _hm_hex_view_compute_layout (fixture->view, G_MAXINT / 2, &wider);
                      hm_hex_view_set_fixed_bytes_per_row (fixture->view, 0);
                      g_assert_cmpfloat (wider.width, >, content);
                    }
                }
              (void) last;
            }

          /* In the frame: at the minimum, at 200 px, at the width the issue's
           * 800×600 window with the side pane gives the view (about 440 px),
           * and wide. */
          check_last_row (fixture, 10 * MIB, MAX (min, 200), 300, format == HM_OFFSET_FORMAT_DECIMAL);
          check_last_row (fixture, 10 * MIB, min, 300, format == HM_OFFSET_FORMAT_DECIMAL);
          check_last_row (fixture, 10 * MIB, MAX (min, 440), 500, format == HM_OFFSET_FORMAT_DECIMAL);
          check_last_row (fixture, 10 * MIB, 1500, 800, format == HM_OFFSET_FORMAT_DECIMAL);
        }
}

/* In the page, beside the side pane: the paned never gives the view less than
 * its minimum (it would shift the view left and cut the offsets), and the last
 * row's offset is whole, for windows from 800 px down to as narrow as the
 * window goes. */
static gboolean
view_allocated (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (data)) > 0 && gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
test_offsets_in_page (void)
{
  g_autofree char *path = hm_test_make_sparse ("page.bin", 10 * MIB);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  const int widths[] = { 800, 640, 500, 200 };

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      GtkWindow *window = GTK_WINDOW (gtk_window_new ());
      HmPage *page = hm_page_new (document);
      HmHexView *view = hm_page_get_view (page);
      Fixture fixture = { window, view };
      graphene_rect_t bounds;
      int min, nat;

      gtk_window_set_child (window, GTK_WIDGET (page));
      gtk_window_set_default_size (window, widths[i], 600);
      gtk_window_present (window);
      g_assert_true (hm_ui_test_wait_for (view_allocated, view, HM_UI_TEST_WAIT_MS));
      hm_ui_test_spin (50);

      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (view), GTK_WIDGET (page), &bounds));
      g_assert_cmpfloat (bounds.origin.x, >=, 0);
      gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (view)), >=, min);
      g_assert_cmpuint (view->offset_digits, ==, 6);
      g_test_message ("window %d px: view %d px, %u bytes a row", gtk_widget_get_width (GTK_WIDGET (window)),
                      gtk_widget_get_width (GTK_WIDGET (view)), hm_hex_view_get_bytes_per_row (view));

      hm_hex_view_set_cursor_offset (view, 10 * MIB - 1);
      {
        g_autoptr(Grid) grid = render_grid (&fixture);
        const char *row = grid_row (grid, grid->rows->len - 1);
        guint64 start = (10 * MIB - 1) / hm_hex_view_get_bytes_per_row (view) * hm_hex_view_get_bytes_per_row (view);
        g_autofree char *expected = g_strdup_printf ("%06" G_GINT64_MODIFIER "x", start);
        g_autofree char *drawn = row_offset (row);

        g_assert_cmpstr (drawn, ==, expected);
        g_assert_cmpfloat ((strlen (row) - 1) * _hm_hex_view_get_cell_width (view), <,
                           gtk_widget_get_width (GTK_WIDGET (view)));
      }
      gtk_window_destroy (window);
    }
}

/* The page's view follows the layout settings, and its zoom is remembered. */
static void
test_page_settings (void)
{
  g_autofree char *path = hm_test_make_sparse ("settings.bin", 4096);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  HmPage *page = hm_page_new (document);
  HmHexView *view = hm_page_get_view (page);

  gtk_window_set_child (window, GTK_WIDGET (page));

  /* The defaults: a header, a gap every 8 bytes, hex offsets, zoom 1. */
  g_assert_true (hm_hex_view_get_show_header (view));
  g_assert_cmpuint (hm_hex_view_get_column_gap (view), ==, 8);
  g_assert_cmpint (hm_hex_view_get_offset_format (view), ==, HM_OFFSET_FORMAT_HEX);
  g_assert_cmpfloat (hm_hex_view_get_zoom (view), ==, 1.0);

  g_settings_set_string (settings, "offset-format", "decimal");
  g_settings_set_boolean (settings, "column-header", FALSE);
  g_settings_set_uint (settings, "column-gap", 4);
  g_settings_set_double (settings, "zoom", 1.5);
  g_assert_cmpint (hm_hex_view_get_offset_format (view), ==, HM_OFFSET_FORMAT_DECIMAL);
  g_assert_false (hm_hex_view_get_show_header (view));
  g_assert_cmpuint (hm_hex_view_get_column_gap (view), ==, 4);
  g_assert_cmpfloat (hm_hex_view_get_zoom (view), ==, 1.5);

  /* Zooming the view (Ctrl+plus) is written back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "hex-view.zoom-in", NULL));
  g_assert_cmpfloat (g_settings_get_double (settings, "zoom"), >, 1.5);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "hex-view.zoom-reset", NULL));
  g_assert_cmpfloat (g_settings_get_double (settings, "zoom"), ==, 1.0);

  gtk_window_destroy (window);
  g_settings_reset (settings, "offset-format");
  g_settings_reset (settings, "column-header");
  g_settings_reset (settings, "column-gap");
  g_settings_reset (settings, "zoom");
}

/* Preferences: the offset format, the column header and the gap. */
static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWindow *dialog = hm_preferences_dialog_new (NULL);
  GObject *combo = gtk_widget_get_template_child (GTK_WIDGET (dialog), HM_TYPE_PREFERENCES_DIALOG,
                                                  "offset_format_combo");
  GObject *check = gtk_widget_get_template_child (GTK_WIDGET (dialog), HM_TYPE_PREFERENCES_DIALOG,
                                                  "column_header_check");
  GObject *spin = gtk_widget_get_template_child (GTK_WIDGET (dialog), HM_TYPE_PREFERENCES_DIALOG,
                                                 "column_gap_spin");

  g_assert_true (GTK_IS_COMBO_BOX (combo));
  g_assert_cmpstr (gtk_combo_box_get_active_id (GTK_COMBO_BOX (combo)), ==, "hex");
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), ==, 8);

  gtk_combo_box_set_active_id (GTK_COMBO_BOX (combo), "decimal");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), FALSE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 4);
  {
    g_autofree char *format = g_settings_get_string (settings, "offset-format");

    g_assert_cmpstr (format, ==, "decimal");
  }
  g_assert_false (g_settings_get_boolean (settings, "column-header"));
  g_assert_cmpuint (g_settings_get_uint (settings, "column-gap"), ==, 4);

  gtk_window_destroy (dialog);
  g_settings_reset (settings, "offset-format");
  g_settings_reset (settings, "column-header");
  g_settings_reset (settings, "column-gap");
}

/* A structural edit that adds a digit to the largest offset widens the column. */
static void
test_offsets_follow_size (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("grow.bin", 0x10000);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  guint8 bytes[32] = { 0 };

  hm_hex_view_set_document (fixture->view, document);
  allocate (fixture, 900, 400);
  g_assert_cmpuint (fixture->view->offset_digits, ==, 4);

  hm_hex_view_set_insert_mode (fixture->view, TRUE);
  allocate (fixture, 900, 400);
  /* The cursor may stand at 0x10000, past the last byte: its offset counts. */
  g_assert_cmpuint (fixture->view->offset_digits, ==, 6);
  hm_hex_view_set_insert_mode (fixture->view, FALSE);
  allocate (fixture, 900, 400);
  g_assert_cmpuint (fixture->view->offset_digits, ==, 4);

  hm_hex_view_set_insert_mode (fixture->view, TRUE);
  hm_hex_view_set_cursor_offset (fixture->view, 0x10000);
  g_assert_true (hm_hex_view_insert (fixture->view, bytes, sizeof bytes));
  hm_hex_view_set_insert_mode (fixture->view, FALSE);
  g_assert_cmpuint (hm_document_get_size (document), ==, 0x10000 + sizeof bytes);
  allocate (fixture, 900, 400);
  g_assert_cmpuint (fixture->view->offset_digits, ==, 6);
  check_last_row (fixture, 0x10000 + sizeof bytes, 900, 400, FALSE);
}

/* ---- Header, gaps, decimal ---- */

static void
test_header_and_gap (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("header.bin", 4096);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  int rh;
  HmHexPane pane;
  double cw;

  hm_hex_view_set_document (fixture->view, document);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 16);
  hm_hex_view_set_column_gap (fixture->view, 8);
  hm_hex_view_set_show_header (fixture->view, TRUE);
  allocate (fixture, 1200, 400);
  rh = _hm_hex_view_get_row_height (fixture->view);
  cw = _hm_hex_view_get_cell_width (fixture->view);
  g_assert_cmpuint (hm_hex_view_get_n_visible_rows (fixture->view), ==, (guint) ((400 - rh) / rh));

  {
    g_autoptr(Grid) grid = render_grid (fixture);

    /* The header names each byte's place in hex, over both columns, and the
     * rows follow it, a gap after the eighth byte. */
    g_assert_cmpstr (grid_row (grid, 0), ==,
                     "       00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  0123456789abcdef");
    g_assert_cmpstr (grid_row (grid, 1), ==,
                     " 0000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  ................");
    g_assert_cmpstr (grid_row (grid, 2), ==,
                     " 0010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  ................");
  }

  /* A click below the header lands on the row drawn there; one on the gap
   * picks the byte before it. */
  g_assert_cmpuint (_hm_hex_view_hit_test (fixture->view, (7 + 2 * 3 + 1) * cw, rh * 2.5, &pane), ==, 0x12);
  g_assert_cmpint (pane, ==, HM_HEX_PANE_HEX);
  g_assert_cmpuint (_hm_hex_view_hit_test (fixture->view, (7 + 8 * 3) * cw + cw / 2, rh * 1.5, &pane), ==, 7);
  g_assert_cmpuint (_hm_hex_view_hit_test (fixture->view, (7 + 8 * 3 + 1) * cw + cw / 2, rh * 1.5, &pane), ==, 8);
  g_assert_cmpint (_hm_hex_view_text_col (fixture->view), ==, 7 + 48 + 2);
  g_assert_cmpuint (_hm_hex_view_hit_test (fixture->view, (_hm_hex_view_text_col (fixture->view) + 4) * cw + 1, rh * 1.5, &pane),
                    ==, 4);
  g_assert_cmpint (pane, ==, HM_HEX_PANE_TEXT);

  /* Decimal: offsets and header in decimal. */
  hm_hex_view_set_offset_format (fixture->view, HM_OFFSET_FORMAT_DECIMAL);
  allocate (fixture, 1200, 400);
  {
    g_autoptr(Grid) grid = render_grid (fixture);

    g_assert_cmpstr (grid_row (grid, 0), ==,
                     "       00 01 02 03 04 05 06 07  08 09 10 11 12 13 14 15  0123456789012345");
    g_assert_cmpstr (grid_row (grid, 3), ==,
                     " 0032  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  ................");
  }

  /* Groups of 4: the header names the first byte of each group. */
  hm_hex_view_set_offset_format (fixture->view, HM_OFFSET_FORMAT_HEX);
  hm_hex_view_set_group_size (fixture->view, 4);
  allocate (fixture, 1200, 400);
  {
    g_autoptr(Grid) grid = render_grid (fixture);

    g_assert_cmpstr (grid_row (grid, 0), ==,
                     "       00       04        08       0c        0123456789abcdef");
    g_assert_cmpstr (grid_row (grid, 1), ==,
                     " 0000  00000000 00000000  00000000 00000000  ................");
  }
}

/* ---- Zoom ---- */

static void
test_zoom (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("zoom.bin", 4096);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  double cw0, cw;
  guint bpr0;

  hm_hex_view_set_document (fixture->view, document);
  allocate (fixture, 900, 400);
  cw0 = _hm_hex_view_get_cell_width (fixture->view);
  bpr0 = hm_hex_view_get_bytes_per_row (fixture->view);
  g_assert_cmpfloat (hm_hex_view_get_zoom (fixture->view), ==, 1.0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "hex-view.zoom-in", NULL));
  g_assert_cmpfloat (hm_hex_view_get_zoom (fixture->view), >, 1.0);
  for (guint i = 0; i < 5; i++)
    gtk_widget_activate_action (GTK_WIDGET (fixture->view), "hex-view.zoom-in", NULL);
  allocate (fixture, 900, 400);
  cw = _hm_hex_view_get_cell_width (fixture->view);
  g_assert_cmpfloat (cw, >, cw0 * 1.5);
  /* A larger font fits fewer bytes in the same width. */
  g_assert_cmpuint (hm_hex_view_get_bytes_per_row (fixture->view), <, bpr0);

  /* Many steps stop at the largest zoom. */
  for (guint i = 0; i < 40; i++)
    gtk_widget_activate_action (GTK_WIDGET (fixture->view), "hex-view.zoom-in", NULL);
  g_assert_cmpfloat (hm_hex_view_get_zoom (fixture->view), ==, HM_HEX_VIEW_ZOOM_MAX);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "hex-view.zoom-reset", NULL);
  g_assert_cmpfloat (hm_hex_view_get_zoom (fixture->view), ==, 1.0);
  allocate (fixture, 900, 400);
  g_assert_cmpfloat (_hm_hex_view_get_cell_width (fixture->view), ==, cw0);

  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "hex-view.zoom-out", NULL);
  g_assert_cmpfloat (hm_hex_view_get_zoom (fixture->view), <, 1.0);
  allocate (fixture, 900, 400);
  g_assert_cmpfloat (_hm_hex_view_get_cell_width (fixture->view), <, cw0);

  /* Ctrl+wheel: a notch up zooms in, down zooms out; half notches add up. */
  hm_hex_view_set_zoom (fixture->view, 1.0);
  _hm_hex_view_zoom_scroll (fixture->view, -1);
  g_assert_cmpfloat (hm_hex_view_get_zoom (fixture->view), >, 1.0);
  _hm_hex_view_zoom_scroll (fixture->view, 1);
  g_assert_cmpfloat (hm_hex_view_get_zoom (fixture->view), ==, 1.0);
  _hm_hex_view_zoom_scroll (fixture->view, 0.5);
  g_assert_cmpfloat (hm_hex_view_get_zoom (fixture->view), ==, 1.0);
  _hm_hex_view_zoom_scroll (fixture->view, 0.5);
  g_assert_cmpfloat (hm_hex_view_get_zoom (fixture->view), <, 1.0);
}

/* ---- The cursor stays in view (issue 15, item 6) ---- */

static void
check_cursor_shown (Fixture *fixture,
                    guint64  cursor)
{
  guint64 first, last;

  g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first, &last));
  g_assert_cmpuint (cursor, >=, first);
  g_assert_cmpuint (cursor, <=, last);
}

static guint64
screen_row (Fixture *fixture,
            guint64  cursor)
{
  return cursor / hm_hex_view_get_bytes_per_row (fixture->view) - hm_hex_view_get_top_row (fixture->view);
}

static void
test_cursor_kept_in_view (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("cursor.bin", 64 * MIB);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  guint32 seed = g_test_rand_int ();
  GRand *rand = g_rand_new_with_seed (seed);
  int rh;

  g_test_message ("seed %u", seed);
  hm_hex_view_set_document (fixture->view, document);
  rh = _hm_hex_view_get_row_height (fixture->view);
  allocate (fixture, 1200, rh * 30);
  hm_hex_view_set_cursor_offset (fixture->view, 40 * MIB + 5);
  hm_hex_view_scroll_to_offset (fixture->view, 40 * MIB + 5);
  check_cursor_shown (fixture, 40 * MIB + 5);

  /* Narrower: fewer bytes a row, the cursor keeps its screen row. */
  {
    guint64 before = screen_row (fixture, 40 * MIB + 5);

    allocate (fixture, 500, rh * 30);
    check_cursor_shown (fixture, 40 * MIB + 5);
    g_assert_cmpuint (screen_row (fixture, 40 * MIB + 5), ==, before);
  }

  /* A random walk of cursor moves, widths, heights, zooms, fixed rows and
   * header: after each layout change the cursor is on screen. */
  for (guint step = 0; step < 200; step++)
    {
      guint what = (guint) g_rand_int_range (rand, 0, 6);
      guint64 cursor = hm_hex_view_get_cursor_offset (fixture->view);
      int width = g_rand_int_range (rand, 150, 1700);
      int height = g_rand_int_range (rand, rh * 3, rh * 40);

      switch (what)
        {
        case 0:
          cursor = (guint64) g_rand_double_range (rand, 0, 64.0 * MIB);
          hm_hex_view_set_cursor_offset (fixture->view, cursor);
          break;
        case 1:
          allocate (fixture, width, height);
          break;
        case 2:
          hm_hex_view_set_zoom (fixture->view, g_rand_double_range (rand, 0.5, 3.0));
          allocate (fixture, width, height);
          break;
        case 3:
          hm_hex_view_set_fixed_bytes_per_row (fixture->view, (guint) g_rand_int_range (rand, 0, 40));
          allocate (fixture, width, height);
          break;
        case 4:
          hm_hex_view_set_show_header (fixture->view, g_rand_boolean (rand));
          hm_hex_view_set_offset_format (fixture->view, g_rand_boolean (rand));
          allocate (fixture, width, height);
          break;
        default:
          hm_hex_view_set_group_size (fixture->view, 1u << g_rand_int_range (rand, 0, 4));
          hm_hex_view_set_column_gap (fixture->view, (guint) g_rand_int_range (rand, 0, 3) * 4);
          allocate (fixture, width, height);
          break;
        }
      check_cursor_shown (fixture, cursor);
    }
  g_rand_free (rand);

  /* Zooming in keeps the cursor's screen row where it still fits. */
  hm_hex_view_set_zoom (fixture->view, 1.0);
  hm_hex_view_set_show_header (fixture->view, FALSE);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 0);
  allocate (fixture, 1200, rh * 30);
  hm_hex_view_set_cursor_offset (fixture->view, 20 * MIB);
  hm_hex_view_set_top_row (fixture->view, 20 * MIB / hm_hex_view_get_bytes_per_row (fixture->view) - 5);
  g_assert_cmpuint (screen_row (fixture, 20 * MIB), ==, 5);
  hm_hex_view_set_zoom (fixture->view, 1.5);
  allocate (fixture, 1200, rh * 30);
  check_cursor_shown (fixture, 20 * MIB);
  g_assert_cmpuint (screen_row (fixture, 20 * MIB), ==, 5);

  /* A cursor scrolled out of view stays where it is: the top offset is kept. */
  hm_hex_view_set_top_row (fixture->view, 0);
  allocate (fixture, 700, rh * 20);
  g_assert_cmpuint (hm_hex_view_get_top_row (fixture->view), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/hm/hex-view-layout/offsets-never-cut", Fixture, NULL, fixture_setup, test_offsets_never_cut,
              fixture_teardown);
  g_test_add_func ("/hm/hex-view-layout/offsets-in-page", test_offsets_in_page);
  g_test_add_func ("/hm/hex-view-layout/page-settings", test_page_settings);
  g_test_add_func ("/hm/hex-view-layout/preferences", test_preferences);
  g_test_add ("/hm/hex-view-layout/offsets-follow-size", Fixture, NULL, fixture_setup, test_offsets_follow_size,
              fixture_teardown);
  g_test_add ("/hm/hex-view-layout/header-and-gap", Fixture, NULL, fixture_setup, test_header_and_gap,
              fixture_teardown);
  g_test_add ("/hm/hex-view-layout/zoom", Fixture, NULL, fixture_setup, test_zoom, fixture_teardown);
  g_test_add ("/hm/hex-view-layout/cursor-kept-in-view", Fixture, NULL, fixture_setup, test_cursor_kept_in_view,
              fixture_teardown);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}

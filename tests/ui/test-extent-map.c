/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HmExtentMap: the buckets of a sparse file, a click or a drag that scrolls the
 * view there; attaching it to another document. (tests/ui/test-remote.c draws
 * it, and reads the buckets on a network mount.) */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "hm-extent-map-private.h"
#include "hm-panel-test-util.h"
#include "hm-test-util.h"

#define MIB       (1024 * 1024)
#define FILE_SIZE (64 * (guint64) MIB)

typedef HmPanelFixture Fixture;

/* Where the sparse file holds data; the rest is a hole. */
static const HmRange sparse_data[] = {
  { 0, 1 * MIB },
  { 48 * MIB, 1 * MIB },
};

static HmDocument *
open_sparse (const char *name)
{
  g_autofree char *path = hm_test_make_sparse (name, FILE_SIZE);
  g_autofree guint8 *block = g_malloc (MIB);
  g_autoptr(GError) error = NULL;
  HmDocument *document;

  memset (block, 0x5a, MIB);
  for (guint i = 0; i < G_N_ELEMENTS (sparse_data); i++)
    hm_test_pwrite (path, sparse_data[i].offset, block, (gsize) sparse_data[i].length);
  document = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);
  return document;
}

/* The map beside the view, attached to it and @document, shown. */
static HmExtentMap *
add_map (Fixture    *fixture,
         HmDocument *document)
{
  HmExtentMap *map = HM_EXTENT_MAP (hm_extent_map_new ());

  hm_hex_view_set_document (fixture->view, document);
  gtk_box_append (fixture->box, GTK_WIDGET (map));
  _hm_extent_map_attach (map, fixture->view, document);
  hm_panel_fixture_show (fixture, GTK_WIDGET (map));
  return map;
}

static gboolean
buckets_ready (gpointer map)
{
  guint n;

  return _hm_extent_map_get_buckets (map, &n) != NULL;
}

/* The buckets, once the map has drawn. */
static const float *
wait_for_buckets (HmExtentMap *map,
                  guint       *n_buckets)
{
  gtk_widget_queue_draw (GTK_WIDGET (map));
  hm_panel_test_wait_until (buckets_ready, map);
  return _hm_extent_map_get_buckets (map, n_buckets);
}

static GtkGestureDrag *
get_drag_gesture (HmExtentMap *map)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (map));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      /* The map holds it. */
      if (GTK_IS_GESTURE_DRAG (controller))
        return GTK_GESTURE_DRAG (controller);
    }
  g_assert_not_reached ();
}

/* The offset a point @y pixels down the map stands for. */
static guint64
offset_at (HmExtentMap *map,
           double       y)
{
  return (guint64) (y / gtk_widget_get_height (GTK_WIDGET (map)) * (double) FILE_SIZE);
}

static void
assert_visible (Fixture *fixture,
                guint64  offset)
{
  guint64 first, last;

  g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first, &last));
  g_assert_cmpuint (first, <=, offset);
  g_assert_cmpuint (last, >=, offset);
}

/* ---- Buckets ---- */

/* One bucket per pixel row; a bucket holds data when any of its bytes do. */
static void
test_buckets (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(HmDocument) document = open_sparse ("sparse.img");
  HmExtentMap *map;
  const float *buckets;
  guint n = 0, n_data = 0;

  if (hm_document_get_n_holes (document) == 0)
    {
      g_test_skip ("the test folder's filesystem does not report holes");
      return;
    }
  map = add_map (fixture, document);
  g_assert_true (_hm_extent_map_get_view (map) == fixture->view);
  buckets = wait_for_buckets (map, &n);
  g_assert_cmpuint (n, ==, (guint) gtk_widget_get_height (GTK_WIDGET (map)));
  g_assert_cmpuint (n, >, 64);

  for (guint b = 0; b < n; b++)
    {
      guint64 start = b * FILE_SIZE / n;
      guint64 end = (b + 1) * FILE_SIZE / n;
      gboolean has_data = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (sparse_data); i++)
        has_data |= start < sparse_data[i].offset + sparse_data[i].length && sparse_data[i].offset < end;
      g_assert_cmpint (buckets[b] > 0.0f, ==, has_data);
      g_assert_cmpfloat (buckets[b], <=, 1.0f);
      n_data += has_data;
    }
  /* A MiB of data is a 64th of the strip, twice. */
  g_assert_cmpuint (n_data, >=, 2 * (n / 64));
  g_assert_cmpuint (n_data, <=, 2 * (n / 64 + 2));
  g_assert_cmpfloat (buckets[0], ==, 1.0f);
  g_assert_cmpfloat (buckets[n / 2], ==, 0.0f);
  g_assert_cmpfloat (buckets[n - 1], ==, 0.0f);
}

/* ---- Clicking and dragging ---- */

/* A click puts that place in the middle of the view; a drag follows the
 * pointer, and past the ends stops at them. */
static void
test_click_drag (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(HmDocument) document = open_sparse ("click.img");
  HmExtentMap *map = add_map (fixture, document);
  GtkGestureDrag *drag = get_drag_gesture (map);
  int height = gtk_widget_get_height (GTK_WIDGET (map));
  guint64 first, last;

  g_assert_cmpint (height, >, 100);
  g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first, &last));
  g_assert_cmpuint (first, ==, 0);

  g_signal_emit_by_name (drag, "drag-begin", 4.0, height * 0.75);
  assert_visible (fixture, offset_at (map, height * 0.75));
  g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first, &last));
  g_assert_cmpuint (first, >, 0);

  g_signal_emit_by_name (drag, "drag-update", 0.0, -height * 0.5);
  assert_visible (fixture, offset_at (map, height * 0.25));
  g_signal_emit_by_name (drag, "drag-update", 1.0, height * 0.1);
  assert_visible (fixture, offset_at (map, height * 0.85));

  g_signal_emit_by_name (drag, "drag-update", 0.0, (double) height);
  assert_visible (fixture, FILE_SIZE - 1);
  g_signal_emit_by_name (drag, "drag-update", 0.0, -2.0 * height);
  assert_visible (fixture, 0);
}

/* ---- What the bytes are ---- */

/* 32 MiB: zeros, text, random bytes and a table of numbers, 4 MiB each, then
 * 16 MiB of hole. */
#define CLASSES_SIZE (32 * (guint64) MIB)

static HmDocument *
open_classes (void)
{
  static const char text[] = "The quick brown fox jumps over the lazy dog.\n";
  g_autofree char *path = hm_test_make_sparse ("classes.img", CLASSES_SIZE);
  g_autofree guint8 *block = g_malloc (4 * MIB);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);
  g_autoptr(GError) error = NULL;
  HmDocument *document;

  memset (block, 0, 4 * MIB);
  hm_test_pwrite (path, 0, block, 4 * MIB);
  for (gsize i = 0; i < 4 * MIB; i++)
    block[i] = (guint8) text[i % (sizeof text - 1)];
  hm_test_pwrite (path, 4 * MIB, block, 4 * MIB);
  for (gsize i = 0; i < 4 * MIB; i++)
    block[i] = (guint8) g_rand_int_range (rand, 0, 256);
  hm_test_pwrite (path, 8 * MIB, block, 4 * MIB);
  for (gsize i = 0; i < 4 * MIB; i++)
    block[i] = (guint8) (((guint32) (i / 4) * 3) >> (8 * (i % 4)));
  hm_test_pwrite (path, 12 * MIB, block, 4 * MIB);
  document = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  g_assert_no_error (error);
  return document;
}

static gboolean
entropy_refined (gpointer map)
{
  HmEntropyMap *entropy = _hm_extent_map_get_entropy (map);

  return entropy != NULL && hm_entropy_map_get_refined (entropy);
}

static gboolean
rows_ready (gpointer map)
{
  guint n;

  return _hm_extent_map_get_row_classes (map, &n) != NULL;
}

/* The strip knows each region's class, and its tooltip is the legend plus what
 * lies under the pointer. */
static void
test_classes (Fixture       *fixture,
              gconstpointer  data)
{
  static const HmByteClass expected[4] = {
    HM_BYTE_CLASS_ZEROS, HM_BYTE_CLASS_TEXT, HM_BYTE_CLASS_RANDOM, HM_BYTE_CLASS_OTHER,
  };
  g_autoptr(HmDocument) document = open_classes ();
  HmExtentMap *map = add_map (fixture, document);
  const guint8 *rows;
  guint n = 0;
  int height;

  hm_panel_test_wait_until (entropy_refined, map);
  gtk_widget_queue_draw (GTK_WIDGET (map));
  hm_panel_test_wait_until (rows_ready, map);
  rows = _hm_extent_map_get_row_classes (map, &n);
  height = gtk_widget_get_height (GTK_WIDGET (map));
  g_assert_cmpuint (n, ==, (guint) height);
  g_assert_cmpint (height, >, 64);

  /* The middle row of each eighth of the strip. */
  for (guint k = 0; k < 8; k++)
    {
      guint row = (guint) ((k + 0.5) * n / 8);
      g_autofree char *markup = _hm_extent_map_describe (map, row);

      if (k < 4)
        g_assert_cmpint (rows[row], ==, expected[k]);
      else
        g_assert_cmpint (rows[row], ==, HM_BYTE_CLASS_HOLE);

      /* The legend, always. */
      g_assert_nonnull (strstr (markup, "Zeros"));
      g_assert_nonnull (strstr (markup, "Text"));
      g_assert_nonnull (strstr (markup, "Compressed or encrypted"));
      g_assert_nonnull (strstr (markup, "Other"));
      g_assert_nonnull (strstr (markup, "Hole"));
      g_assert_true (pango_parse_markup (markup, -1, 0, NULL, NULL, NULL, NULL));
      /* And what is here: its class with its entropy, and its bytes. */
      if (k < 4)
        {
          g_autofree char *here = g_strdup_printf ("\n%s, entropy ",
                                                   hm_byte_class_get_label (expected[k]));

          g_assert_nonnull (strstr (markup, here));
        }
      else
        g_assert_nonnull (strstr (markup, "\nHole\n"));
      {
        guint64 start = (guint64) ((double) row / height * (double) CLASSES_SIZE);
        g_autofree char *range = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x – ", start);

        g_assert_nonnull (strstr (markup, range));
      }
      g_assert_null (strstr (markup, "reading every byte"));
    }

  /* Clicking still goes there. */
  g_signal_emit_by_name (get_drag_gesture (map), "drag-begin", 4.0, height * 0.3);
  {
    guint64 first, last, target = (guint64) (0.3 * CLASSES_SIZE);

    g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first, &last));
    g_assert_cmpuint (first, <=, target);
    g_assert_cmpuint (last, >=, target);
  }
}

/* ---- Attaching ---- */

/* Detached, the map shows nothing and scrolls nothing; attached to a second
 * document, it shows that one and keeps nothing of the first. Its dispose
 * detaches it. */
static void
test_attach (Fixture       *fixture,
             gconstpointer  data)
{
  HmDocument *first = open_sparse ("first.img");
  g_autoptr(HmDocument) second = hm_panel_test_open_document ("second.bin", hm_panel_test_known,
                                                               sizeof hm_panel_test_known, HM_DOCUMENT_MODE_READ_ONLY);
  GtkAdjustment *adjustment = hm_hex_view_get_vadjustment (fixture->view);
  HmExtentMap *map = add_map (fixture, first);
  GtkGestureDrag *drag = get_drag_gesture (map);
  const float *buckets;
  guint n = 0;
  guint64 first_offset, last_offset;

  buckets = wait_for_buckets (map, &n);
  g_assert_cmpfloat (buckets[0], ==, 1.0f);
  g_assert_cmpuint (g_signal_handler_find (first, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, map), !=, 0);
  g_assert_cmpuint (g_signal_handler_find (adjustment, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, map), !=, 0);

  /* Detached: no buckets, no handlers, and a click goes nowhere. */
  _hm_extent_map_attach (map, NULL, NULL);
  g_assert_null (_hm_extent_map_get_view (map));
  g_assert_null (_hm_extent_map_get_buckets (map, &n));
  hm_panel_test_assert_detached (first, map);
  hm_panel_test_assert_detached (adjustment, map);
  gtk_widget_queue_draw (GTK_WIDGET (map));
  hm_panel_test_flush ();
  g_assert_null (_hm_extent_map_get_buckets (map, &n));
  g_signal_emit_by_name (drag, "drag-begin", 4.0, gtk_widget_get_height (GTK_WIDGET (map)) * 0.9);
  g_assert_true (hm_hex_view_get_visible_range (fixture->view, &first_offset, &last_offset));
  g_assert_cmpuint (first_offset, ==, 0);

  /* Attached again, then to a second document: all data, and the first one
   * is let go. */
  _hm_extent_map_attach (map, fixture->view, first);
  buckets = wait_for_buckets (map, &n);
  g_assert_cmpfloat (buckets[0], ==, 1.0f);
  hm_hex_view_set_document (fixture->view, second);
  _hm_extent_map_attach (map, fixture->view, second);
  hm_panel_test_assert_detached (first, map);
  buckets = wait_for_buckets (map, &n);
  for (guint b = 0; b < n; b++)
    g_assert_cmpfloat (buckets[b], ==, 1.0f);
  g_assert_true (_hm_extent_map_get_view (map) == fixture->view);
  g_assert_cmpuint (g_signal_handler_find (adjustment, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, map), !=, 0);
  g_assert_finalize_object (first);

  /* Disposed (its page closes), it lets go of the view's scrollbar too. */
  g_object_ref (map);
  gtk_box_remove (fixture->box, GTK_WIDGET (map));
  g_object_run_dispose (G_OBJECT (map));
  hm_panel_test_assert_detached (second, map);
  hm_panel_test_assert_detached (adjustment, map);
  g_assert_finalize_object (map);
  hm_hex_view_set_document (fixture->view, NULL);
  g_assert_finalize_object (g_steal_pointer (&second));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hm_panel_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, hm_panel_fixture_setup, func, hm_panel_fixture_teardown)
  ADD ("/hm/extent-map/buckets", test_buckets);
  ADD ("/hm/extent-map/click-drag", test_click_drag);
  ADD ("/hm/extent-map/attach", test_attach);
  ADD ("/hm/extent-map/classes", test_classes);
#undef ADD

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}

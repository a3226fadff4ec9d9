/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hm-panel-test-util.h"
#include "hm-test-util.h"

const guint8 hm_panel_test_known[40] = {
  0x00, 0x00, 0x80, 0x3f, 0x01, 0x02, 0x03, 0x04,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f,
  0x00, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00,
  0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0xc3, 0xa9, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
};

/* Skips every test without a display; otherwise initialises GTK for tests. */
void
hm_panel_test_init (int    *argc,
                    char ***argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (*argc, *argv, "no display (run under xvfb-run)");
  /* Bookmarks go to a temporary data directory, set before GLib caches it. */
  g_setenv ("XDG_DATA_HOME", hm_test_tmpdir (), TRUE);
  gtk_test_init (argc, argv, NULL);
}

void
hm_panel_fixture_setup (HmPanelFixture *fixture,
                        gconstpointer   data)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0));
  fixture->view = HM_HEX_VIEW (hm_hex_view_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (fixture->view), TRUE);
  gtk_box_append (fixture->box, GTK_WIDGET (fixture->view));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->box));
}

void
hm_panel_fixture_teardown (HmPanelFixture *fixture,
                           gconstpointer   data)
{
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->document);
  g_clear_pointer (&fixture->path, g_free);
}

/* A file named @name in the test folder holding @contents, open in @mode. */
HmDocument *
hm_panel_test_open_document (const char     *name,
                             const guint8   *contents,
                             gsize           size,
                             HmDocumentMode  mode)
{
  g_autofree char *path = hm_test_path (name);
  g_autoptr(GError) error = NULL;
  HmDocument *document;

  g_file_set_contents (path, (const char *) contents, (gssize) size, &error);
  g_assert_no_error (error);
  document = hm_document_new_full (path, mode, 0, &error);
  g_assert_no_error (error);
  return document;
}

/* Opens the fixture's document and shows it in the view. */
void
hm_panel_fixture_open (HmPanelFixture *fixture,
                       const char     *name,
                       const guint8   *contents,
                       gsize           size,
                       HmDocumentMode  mode)
{
  fixture->path = hm_test_path (name);
  fixture->document = hm_panel_test_open_document (name, contents, size, mode);
  hm_hex_view_set_document (fixture->view, fixture->document);
}

/* The same with the known bytes. */
void
hm_panel_fixture_open_known (HmPanelFixture *fixture,
                             const char     *name,
                             HmDocumentMode  mode)
{
  hm_panel_fixture_open (fixture, name, hm_panel_test_known, sizeof hm_panel_test_known, mode);
}

static gboolean
is_allocated (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_height (widget) > 0;
}

/* Shows the window; @widget is mapped and has its size when it returns. */
void
hm_panel_fixture_show (HmPanelFixture *fixture,
                       GtkWidget      *widget)
{
  gtk_window_set_default_size (fixture->window, 1200, 600);
  gtk_window_present (fixture->window);
  hm_panel_test_wait_until (is_allocated, widget);
}

void
hm_panel_test_assert_bytes (HmDocument *document,
                            guint64     offset,
                            const void *expected,
                            gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *now = g_malloc (length);

  g_assert_cmpint (hm_document_read (document, offset, now, length, &error), ==, (gssize) length);
  g_assert_no_error (error);
  g_assert_cmpmem (now, length, expected, length);
}

/* @panel, detached from @instance (a document, a view) or attached to another,
 * or finalized (only its address is compared), has no handler left on it:
 * signal groups and g_signal_connect_object() both connect closures whose data
 * is the panel. */
void
hm_panel_test_assert_detached (gpointer instance,
                               gpointer panel)
{
  g_assert_cmpuint (g_signal_handler_find (instance, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, panel), ==, 0);
}

/* Takes @panel out of the fixture's box and disposes of it, as closing a page
 * does: it must let go of @document, the one it is attached to and the view
 * shows. Takes the caller's reference to @document, the last one once the
 * view lets go too. */
void
hm_panel_fixture_dispose_panel (HmPanelFixture *fixture,
                                GtkWidget      *panel,
                                HmDocument     *document)
{
  g_object_ref (panel);
  gtk_box_remove (fixture->box, panel);
  g_object_run_dispose (G_OBJECT (panel));
  hm_panel_test_assert_detached (document, panel);
  hm_panel_test_assert_detached (fixture->view, panel);
  g_assert_finalize_object (panel);
  hm_hex_view_set_document (fixture->view, NULL);
  g_assert_finalize_object (document);
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Drops the caller's reference to @object, which must then go: at once but for
 * what a worker that just finished still holds for a moment. */
void
hm_panel_test_assert_released (gpointer object)
{
  gpointer weak = object;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  hm_panel_test_wait_until (pointer_cleared, &weak);
}

void
hm_panel_test_flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Runs the main loop until @done (or 60 s: fails). */
void
hm_panel_test_wait_until (gboolean (*done) (gpointer data),
                          gpointer   data)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

gboolean
hm_panel_test_is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

/* Renders @window as it is now into a PNG at @path. */
void
hm_panel_test_save_screenshot (GtkWindow  *window,
                               const char *path)
{
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

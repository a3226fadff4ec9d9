/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HmBookmarksPanel: toggling at the cursor, jumping, renaming and deleting,
 * all saved at once; attaching it to another file. */
#include "config.h"

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "hm-bookmarks-panel-private.h"
#include "hm-panel-test-util.h"
#include "hm-test-util.h"

typedef HmPanelFixture Fixture;

static void
test_bookmarks_panel (Fixture       *fixture,
                      gconstpointer  data)
{
  HmBookmarksPanel *panel = HM_BOOKMARKS_PANEL (hm_bookmarks_panel_new ());
  HmBookmarksPanel *second = NULL;
  HmBookmarks *bookmarks;
  g_autoptr(HmBookmarks) reloaded = NULL;
  g_autofree char *store = NULL;
  g_autoptr(GError) error = NULL;

  gtk_box_append (fixture->box, GTK_WIDGET (panel));
  hm_panel_fixture_open_known (fixture, "marked.bin", HM_DOCUMENT_MODE_READ_ONLY);
  _hm_bookmarks_panel_attach (panel, fixture->view, fixture->document);
  bookmarks = hm_bookmarks_panel_get_bookmarks (panel);
  g_assert_nonnull (bookmarks);
  store = hm_bookmarks_get_store_path (bookmarks);
  g_assert_true (g_str_has_prefix (store, hm_test_tmpdir ()));

  /* Toggle at the cursor: added and saved at once (read-only files too). */
  hm_hex_view_set_cursor_offset (fixture->view, 30);
  g_assert_true (hm_bookmarks_panel_toggle_at_cursor (panel));
  hm_hex_view_set_cursor_offset (fixture->view, 5);
  g_assert_true (hm_bookmarks_panel_toggle_at_cursor (panel));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, 2);
  g_assert_true (g_file_test (store, G_FILE_TEST_IS_REGULAR));
  g_assert_null (_hm_bookmarks_panel_get_error (panel));

  /* Activating a row jumps there. */
  _hm_bookmarks_panel_activate (panel, 1);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fixture->view), ==, 30);

  /* Rename inline: kept on disk. */
  _hm_bookmarks_panel_rename (panel, 0, "header");
  hm_panel_test_flush ();
  g_assert_cmpstr (hm_bookmark_get_name (hm_bookmarks_lookup (bookmarks, 5)), ==, "header");
  reloaded = hm_bookmarks_new (fixture->path);
  g_assert_true (hm_bookmarks_load (reloaded, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 2);
  g_assert_cmpstr (hm_bookmark_get_name (hm_bookmarks_lookup (reloaded, 5)), ==, "header");
  g_assert_cmpstr (hm_bookmark_get_name (hm_bookmarks_lookup (reloaded, 30)), ==, "Bookmark 1");

  /* Another panel on the same file finds them. */
  second = HM_BOOKMARKS_PANEL (hm_bookmarks_panel_new ());
  gtk_box_append (fixture->box, GTK_WIDGET (second));
  _hm_bookmarks_panel_attach (second, fixture->view, fixture->document);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (hm_bookmarks_panel_get_bookmarks (second))), ==, 2);

  /* Toggle again removes; delete removes; with none left the store goes. */
  hm_hex_view_set_cursor_offset (fixture->view, 30);
  g_assert_false (hm_bookmarks_panel_toggle_at_cursor (panel));
  _hm_bookmarks_panel_delete (panel, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, 0);
  g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));
}

/* ---- Attaching ---- */

static guint
count_bookmarks (HmBookmarksPanel *panel)
{
  return g_list_model_get_n_items (G_LIST_MODEL (hm_bookmarks_panel_get_bookmarks (panel)));
}

/* Detached, it has no bookmarks; attached to a second file, that file's, and
 * it keeps nothing of the first document. Its dispose detaches it. */
static void
test_bookmarks_panel_attach (Fixture       *fixture,
                             gconstpointer  data)
{
  HmBookmarksPanel *panel = HM_BOOKMARKS_PANEL (hm_bookmarks_panel_new ());
  g_autoptr(HmDocument) second = hm_panel_test_open_document ("marked-second.bin", hm_panel_test_known,
                                                               sizeof hm_panel_test_known, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(HmBookmarks) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  HmDocument *first;

  gtk_box_append (fixture->box, GTK_WIDGET (panel));
  hm_panel_fixture_open_known (fixture, "marked-first.bin", HM_DOCUMENT_MODE_READ_ONLY);
  first = g_steal_pointer (&fixture->document);
  _hm_bookmarks_panel_attach (panel, fixture->view, first);
  hm_hex_view_set_cursor_offset (fixture->view, 12);
  g_assert_true (hm_bookmarks_panel_toggle_at_cursor (panel));

  /* Detached: no bookmarks, nothing to toggle. */
  _hm_bookmarks_panel_attach (panel, NULL, NULL);
  hm_panel_test_assert_detached (first, panel);
  g_assert_null (hm_bookmarks_panel_get_bookmarks (panel));
  g_assert_false (hm_bookmarks_panel_toggle_at_cursor (panel));

  /* Attached again: the bookmark was kept. */
  _hm_bookmarks_panel_attach (panel, fixture->view, first);
  g_assert_cmpuint (count_bookmarks (panel), ==, 1);
  g_assert_nonnull (hm_bookmarks_lookup (hm_bookmarks_panel_get_bookmarks (panel), 12));

  /* To a second file: its own bookmarks, none yet; a new one goes there, and a
   * row moves the view. */
  hm_hex_view_set_document (fixture->view, second);
  _hm_bookmarks_panel_attach (panel, fixture->view, second);
  hm_panel_test_assert_detached (first, panel);
  g_assert_cmpuint (count_bookmarks (panel), ==, 0);
  hm_hex_view_set_cursor_offset (fixture->view, 20);
  g_assert_true (hm_bookmarks_panel_toggle_at_cursor (panel));
  hm_hex_view_set_cursor_offset (fixture->view, 0);
  _hm_bookmarks_panel_activate (panel, 0);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fixture->view), ==, 20);

  /* The first file's bookmarks are as they were. */
  reloaded = hm_bookmarks_new (hm_document_get_path (first));
  g_assert_true (hm_bookmarks_load (reloaded, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 1);
  g_assert_nonnull (hm_bookmarks_lookup (reloaded, 12));
  g_assert_finalize_object (first);

  hm_panel_fixture_dispose_panel (fixture, GTK_WIDGET (panel), g_steal_pointer (&second));
}

/* ---- Many bookmarks ---- */

#define MANY 100000

static gboolean
has_rows (gpointer data)
{
  return _hm_bookmarks_panel_count_rows (data) > 0;
}

/* A store of 100,000 bookmarks: the panel shows them through a screenful of
 * recycled rows, and the rows still jump, rename and delete. */
static void
test_bookmarks_panel_many (Fixture       *fixture,
                           gconstpointer  data)
{
  HmBookmarksPanel *panel = HM_BOOKMARKS_PANEL (hm_bookmarks_panel_new ());
  g_autoptr(HmBookmarks) writer = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;
  g_autofree char *dir = NULL;
  HmBookmarks *bookmarks;
  guint rows;

  gtk_box_append (fixture->box, GTK_WIDGET (panel));
  hm_panel_fixture_open_known (fixture, "many-marks.bin", HM_DOCUMENT_MODE_READ_ONLY);

  /* Written in reverse order, offsets past the file's end are kept too. */
  writer = hm_bookmarks_new (fixture->path);
  store = hm_bookmarks_get_store_path (writer);
  dir = g_path_get_dirname (store);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_key_file_set_string (keyfile, "File", "Path", fixture->path);
  for (guint i = 0; i < MANY; i++)
    {
      g_autofree char *group = g_strdup_printf ("Bookmark %u", i);

      g_key_file_set_uint64 (keyfile, group, "Offset", (guint64) (MANY - 1 - i));
      g_key_file_set_string (keyfile, group, "Name", group);
    }
  g_assert_true (g_key_file_save_to_file (keyfile, store, &error));
  g_assert_no_error (error);

  _hm_bookmarks_panel_attach (panel, fixture->view, fixture->document);
  bookmarks = hm_bookmarks_panel_get_bookmarks (panel);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, MANY);
  g_assert_null (_hm_bookmarks_panel_get_error (panel));

  hm_panel_fixture_show (fixture, GTK_WIDGET (panel));
  hm_panel_test_wait_until (has_rows, panel);
  rows = _hm_bookmarks_panel_count_rows (panel);
  g_test_message ("%u row widgets for %u bookmarks", rows, MANY);
  g_assert_cmpuint (rows, <, 500);

  /* The rows work as before: the first, through its widgets; the last, far
   * below any row that exists. */
  _hm_bookmarks_panel_activate (panel, 30);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (fixture->view), ==, 30);
  _hm_bookmarks_panel_rename (panel, 0, "first");
  hm_panel_test_flush ();
  g_assert_cmpstr (hm_bookmark_get_name (hm_bookmarks_lookup (bookmarks, 0)), ==, "first");
  _hm_bookmarks_panel_delete (panel, MANY - 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, MANY - 1);
  g_assert_null (hm_bookmarks_lookup (bookmarks, MANY - 1));
  g_assert_cmpuint (_hm_bookmarks_panel_count_rows (panel), <, 500);

  g_unlink (store);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hm_panel_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, hm_panel_fixture_setup, func, hm_panel_fixture_teardown)
  ADD ("/hm/bookmarks-panel/toggle-jump", test_bookmarks_panel);
  ADD ("/hm/bookmarks-panel/attach", test_bookmarks_panel_attach);
  ADD ("/hm/bookmarks-panel/many", test_bookmarks_panel_many);
#undef ADD

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}

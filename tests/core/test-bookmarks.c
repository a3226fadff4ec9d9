/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "hm-bookmarks.h"
#include "hm-test-util.h"

static guint64
offset_at (HmBookmarks *bookmarks,
           guint        position)
{
  g_autoptr(HmBookmark) bookmark = g_list_model_get_item (G_LIST_MODEL (bookmarks), position);

  g_assert_nonnull (bookmark);
  return hm_bookmark_get_offset (bookmark);
}

typedef struct
{
  guint position, removed, added, calls;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  Changes *changes = user_data;

  changes->position = position;
  changes->removed = removed;
  changes->added = added;
  changes->calls++;
}

static void
test_toggle_sorted (void)
{
  g_autoptr(HmBookmarks) bookmarks = hm_bookmarks_new ("/tmp/some/file.bin");
  GListModel *model = G_LIST_MODEL (bookmarks);
  Changes changes = { 0 };

  g_signal_connect (bookmarks, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  g_assert_true (g_list_model_get_item_type (model) == HM_TYPE_BOOKMARK);

  g_assert_true (hm_bookmarks_toggle (bookmarks, 300));
  g_assert_true (hm_bookmarks_toggle (bookmarks, 100));
  g_assert_cmpuint (changes.position, ==, 0);
  g_assert_cmpuint (changes.added, ==, 1);
  g_assert_true (hm_bookmarks_toggle (bookmarks, 200));
  g_assert_cmpuint (changes.position, ==, 1);
  g_assert_true (hm_bookmarks_add (bookmarks, G_MAXUINT64, "last"));
  g_assert_false (hm_bookmarks_add (bookmarks, 200, "again"));

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  g_assert_cmpuint (offset_at (bookmarks, 0), ==, 100);
  g_assert_cmpuint (offset_at (bookmarks, 1), ==, 200);
  g_assert_cmpuint (offset_at (bookmarks, 2), ==, 300);
  g_assert_cmpuint (offset_at (bookmarks, 3), ==, G_MAXUINT64);
  g_assert_null (g_list_model_get_item (model, 4));

  /* Toggling again removes. */
  changes.calls = 0;
  g_assert_false (hm_bookmarks_toggle (bookmarks, 200));
  g_assert_cmpuint (changes.calls, ==, 1);
  g_assert_cmpuint (changes.position, ==, 1);
  g_assert_cmpuint (changes.removed, ==, 1);
  g_assert_null (hm_bookmarks_lookup (bookmarks, 200));
  g_assert_false (hm_bookmarks_remove (bookmarks, 200));
  g_assert_true (hm_bookmarks_remove (bookmarks, 100));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_rename (void)
{
  g_autoptr(HmBookmarks) bookmarks = hm_bookmarks_new ("/tmp/rename.bin");
  HmBookmark *bookmark;
  guint notified = 0;

  hm_bookmarks_toggle (bookmarks, 42);
  bookmark = hm_bookmarks_lookup (bookmarks, 42);
  g_assert_nonnull (bookmark);
  g_assert_cmpstr (hm_bookmark_get_name (bookmark), ==, "");
  g_signal_connect (bookmark, "notify::name", G_CALLBACK (notify_cb), &notified);

  g_assert_true (hm_bookmarks_rename (bookmarks, 42, "header"));
  g_assert_cmpstr (hm_bookmark_get_name (bookmark), ==, "header");
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (hm_bookmarks_rename (bookmarks, 42, "header"));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_false (hm_bookmarks_rename (bookmarks, 43, "nothing there"));
}

static void
test_store_path (void)
{
  g_autoptr(HmBookmarks) a = hm_bookmarks_new ("/tmp/x/../store.bin");
  g_autoptr(HmBookmarks) b = hm_bookmarks_new ("/tmp/store.bin");
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *absolute = g_build_filename (cwd, "relative.bin", NULL);
  g_autoptr(HmBookmarks) c = hm_bookmarks_new ("relative.bin");
  g_autofree char *store = hm_bookmarks_get_store_path (b);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "/tmp/store.bin", -1);
  g_autofree char *expected = NULL;

  expected = g_strconcat (g_get_user_data_dir (), "/hexmap/bookmarks/", hash, ".ini", NULL);
  g_assert_cmpstr (hm_bookmarks_get_path (a), ==, "/tmp/store.bin");
  g_assert_cmpstr (hm_bookmarks_get_path (c), ==, absolute);
  g_assert_cmpstr (store, ==, expected);
  g_assert_true (g_str_has_prefix (store, hm_test_tmpdir ()));
}

static void
test_save_load (void)
{
  g_autofree char *path = hm_test_write_random ("marked.bin", 100, 1, NULL);
  g_autoptr(HmBookmarks) bookmarks = hm_bookmarks_new (path);
  g_autoptr(HmBookmarks) again = hm_bookmarks_new (path);
  g_autoptr(HmBookmarks) other = NULL;
  g_autofree char *store = hm_bookmarks_get_store_path (bookmarks);
  g_autofree char *other_path = NULL;
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };

  /* Nothing saved yet: an empty set, no error. */
  g_assert_true (hm_bookmarks_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 0);

  hm_bookmarks_add (bookmarks, 10, "ten = [weird] name\nwith a newline");
  hm_bookmarks_add (bookmarks, G_MAXUINT64 - 1, "");
  hm_bookmarks_add (bookmarks, 0, "zero");
  g_assert_true (hm_bookmarks_save (bookmarks, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (store, G_FILE_TEST_IS_REGULAR));

  g_signal_connect (again, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  g_assert_true (hm_bookmarks_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes.calls, ==, 1);
  g_assert_cmpuint (changes.added, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 3);
  g_assert_cmpuint (offset_at (again, 0), ==, 0);
  g_assert_cmpuint (offset_at (again, 1), ==, 10);
  g_assert_cmpuint (offset_at (again, 2), ==, G_MAXUINT64 - 1);
  g_assert_cmpstr (hm_bookmark_get_name (hm_bookmarks_lookup (again, 10)), ==,
                   "ten = [weird] name\nwith a newline");
  g_assert_cmpstr (hm_bookmark_get_name (hm_bookmarks_lookup (again, 0)), ==, "zero");

  /* Another file has its own set. */
  other_path = hm_test_write_random ("other.bin", 100, 2, NULL);
  other = hm_bookmarks_new (other_path);
  g_assert_true (hm_bookmarks_load (other, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (other)), ==, 0);

  /* Removing the last bookmark removes the store. */
  hm_bookmarks_remove (again, 0);
  hm_bookmarks_remove (again, 10);
  hm_bookmarks_remove (again, G_MAXUINT64 - 1);
  g_assert_true (hm_bookmarks_save (again, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));
  g_assert_true (hm_bookmarks_save (again, &error));
  g_assert_no_error (error);
}

static void
test_load_errors (void)
{
  g_autofree char *path = hm_test_path ("broken.bin");
  g_autoptr(HmBookmarks) bookmarks = hm_bookmarks_new (path);
  g_autofree char *store = hm_bookmarks_get_store_path (bookmarks);
  g_autofree char *dir = g_path_get_dirname (store);
  g_autofree char *foreign = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  /* Not a key file: an error, and the set stays as it was. */
  hm_bookmarks_add (bookmarks, 5, "kept");
  g_file_set_contents (store, "this is [not a key file\n", -1, &error);
  g_assert_no_error (error);
  g_assert_false (hm_bookmarks_load (bookmarks, &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "bookmarks"));
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, 1);

  /* Somebody else's path in the file: ignored; bad offsets: skipped. */
  foreign = g_strdup ("[File]\nPath=/elsewhere\n[Bookmark 0]\nOffset=1\nName=x\n");
  g_file_set_contents (store, foreign, -1, &error);
  g_assert_no_error (error);
  g_assert_true (hm_bookmarks_load (bookmarks, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, 0);

  g_clear_pointer (&foreign, g_free);
  foreign = g_strdup_printf ("[File]\nPath=%s\n[Bookmark 0]\nOffset=-1\n[Bookmark 1]\nOffset=7\n"
                             "[Bookmark 2]\nOffset=3\nName=three\n[Bookmark 3]\nOffset=7\nName=dup\n", path);
  g_file_set_contents (store, foreign, -1, &error);
  g_assert_no_error (error);
  g_assert_true (hm_bookmarks_load (bookmarks, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bookmarks)), ==, 2);
  g_assert_cmpuint (offset_at (bookmarks, 0), ==, 3);
  g_assert_cmpuint (offset_at (bookmarks, 1), ==, 7);
  g_assert_cmpstr (hm_bookmark_get_name (hm_bookmarks_lookup (bookmarks, 7)), ==, "");

  /* A store that cannot be written: an error naming it. */
  g_assert_cmpint (g_unlink (store), ==, 0);
  g_assert_cmpint (g_mkdir (store, 0700), ==, 0);
  g_assert_false (hm_bookmarks_save (bookmarks, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, ".ini"));
  g_assert_cmpint (g_rmdir (store), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Keep the user's real data directory out of it: before GLib caches it. */
  g_setenv ("XDG_DATA_HOME", hm_test_tmpdir (), TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/bookmarks/toggle-sorted", test_toggle_sorted);
  g_test_add_func ("/hm/bookmarks/rename", test_rename);
  g_test_add_func ("/hm/bookmarks/store-path", test_store_path);
  g_test_add_func ("/hm/bookmarks/save-load", test_save_load);
  g_test_add_func ("/hm/bookmarks/load-errors", test_load_errors);

  status = g_test_run ();
  hm_test_cleanup ();
  return status;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmCompareView in a page: a file compared with a second one, byte for byte
 * and with insertions. The counts in the status bar, F6/Shift+F6 through the
 * differences in both views, scrolling together, what each view is asked to
 * highlight, the marks of the difference maps, copying a difference to the
 * other side (and the refusals), and closing back to one view.
 *
 * With HM_SCREENSHOT=file.png (and HM_SCREENSHOT_SIZE=WxH) the screenshot
 * test saves a picture of the compare.
 */
#include "config.h"

#include <string.h>

#include "hm-compare-view-private.h"
#include "hm-hex-view-private.h"
#include "hm-page-private.h"
#include "hm-panel-test-util.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"

#define FILE_SIZE   0x10000
#define INSERT_AT   0x3000
#define INSERT_LEN  8

/* The differences of the second file, byte for byte. */
static const struct
{
  guint64 offset;
  guint   length;
} changes[] = {
  { 0x100, 4 },
  { 0x2000, 1 },
  { 0x8000, 16 },
};

typedef struct
{
  GtkWindow  *window;
  HmPage     *page;
  HmDocument *a;
  guint8     *contents;
} Fixture;

static void
fill_contents (guint8 *contents)
{
  for (guint i = 0; i < FILE_SIZE; i++)
    contents[i] = (guint8) (i * 13 + (i >> 8));
}

static HmDocument *
open_changed (const char     *name,
              HmDocumentMode  mode)
{
  g_autofree guint8 *contents = g_malloc (FILE_SIZE);

  fill_contents (contents);
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    for (guint j = 0; j < changes[i].length; j++)
      contents[changes[i].offset + j] ^= 0x5a;
  return hm_panel_test_open_document (name, contents, FILE_SIZE, mode);
}

/* The first file with INSERT_LEN bytes inserted at INSERT_AT. */
static HmDocument *
open_inserted (const char *name)
{
  g_autofree guint8 *contents = g_malloc (FILE_SIZE + INSERT_LEN);
  g_autofree guint8 *original = g_malloc (FILE_SIZE);

  fill_contents (original);
  memcpy (contents, original, INSERT_AT);
  memset (contents + INSERT_AT, 0xee, INSERT_LEN);
  memcpy (contents + INSERT_AT + INSERT_LEN, original + INSERT_AT, FILE_SIZE - INSERT_AT);
  return hm_panel_test_open_document (name, contents, FILE_SIZE + INSERT_LEN, HM_DOCUMENT_MODE_READ_ONLY);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->contents = g_malloc (FILE_SIZE);
  fill_contents (fixture->contents);
  fixture->a = hm_panel_test_open_document ("a.bin", fixture->contents, FILE_SIZE, HM_DOCUMENT_MODE_PREVIEW);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->page = hm_page_new (fixture->a);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_set_default_size (fixture->window, 1400, 800);
  gtk_window_present (fixture->window);
  hm_panel_test_flush ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  hm_panel_test_flush ();
  g_assert_finalize_object (fixture->a);
  g_free (fixture->contents);
}

static gboolean
views_have_rows (gpointer data)
{
  HmCompareView *compare = data;

  return gtk_widget_get_height (GTK_WIDGET (hm_compare_view_get_view (compare, HM_COMPARE_SIDE_A))) > 0
         && gtk_widget_get_height (GTK_WIDGET (hm_compare_view_get_view (compare, HM_COMPARE_SIDE_B))) > 0;
}

static gboolean
compare_done (gpointer data)
{
  HmCompareView *compare = _hm_page_get_compare_view (HM_PAGE (data));

  return compare != NULL && !hm_compare_view_get_running (compare);
}

static HmCompareView *
compare_with (Fixture    *fixture,
              HmDocument *other)
{
  HmCompareView *compare;

  _hm_page_compare_with (fixture->page, other);
  compare = _hm_page_get_compare_view (fixture->page);
  g_assert_nonnull (compare);
  hm_hex_view_set_fixed_bytes_per_row (hm_compare_view_get_view (compare, HM_COMPARE_SIDE_A), 16);
  hm_hex_view_set_fixed_bytes_per_row (hm_compare_view_get_view (compare, HM_COMPARE_SIDE_B), 16);
  hm_panel_test_wait_until (compare_done, fixture->page);
  hm_panel_test_flush ();
  return compare;
}

static const char *
status_text (Fixture *fixture)
{
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->page->compare_label)));
  return gtk_label_get_text (fixture->page->compare_label);
}

static void
activate (Fixture    *fixture,
          const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), action, NULL));
}

static gboolean
action_enabled (Fixture    *fixture,
                const char *name)
{
  return g_action_group_get_action_enabled (hm_page_get_action_group (fixture->page), name);
}

static void
assert_cursors (HmCompareView *compare,
                guint64        a,
                guint64        b)
{
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (hm_compare_view_get_view (compare, HM_COMPARE_SIDE_A)), ==, a);
  g_assert_cmpuint (hm_hex_view_get_cursor_offset (hm_compare_view_get_view (compare, HM_COMPARE_SIDE_B)), ==, b);
}

static guint8
read_byte (HmDocument *document,
           guint64     offset)
{
  g_autoptr(GError) error = NULL;
  guint8 byte = 0;

  g_assert_cmpint (hm_document_read (document, offset, &byte, 1, &error), ==, 1);
  g_assert_no_error (error);
  return byte;
}

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

/* ---- Byte for byte ---- */

static void
test_aligned (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(HmDocument) b = open_changed ("b.bin", HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GError) error = NULL;
  HmCompareView *compare;
  HmHexView *view_a, *view_b;
  const GArray *hunks;
  GArray *highlights;
  const guint8 *marks;
  guint n_rows, n_marked = 0;
  guint children_before = count_children (GTK_WIDGET (fixture->page->view_box));
  GtkMessageDialog *dialog;

  g_assert_false (action_enabled (fixture, "compare-next"));
  g_assert_false (action_enabled (fixture, "compare-close"));
  g_assert_true (action_enabled (fixture, "compare"));

  compare = compare_with (fixture, b);
  view_a = hm_compare_view_get_view (compare, HM_COMPARE_SIDE_A);
  view_b = hm_compare_view_get_view (compare, HM_COMPARE_SIDE_B);
  g_assert_true (view_a == hm_page_get_view (fixture->page));
  g_assert_true (hm_hex_view_get_document (view_b) == b);
  g_assert_true (action_enabled (fixture, "compare-next"));
  g_assert_false (gtk_widget_get_visible (_hm_page_get_side_pane (fixture->page)));

  /* The runs, the count. */
  hunks = hm_compare_view_get_hunks (compare);
  g_assert_cmpuint (hunks->len, ==, G_N_ELEMENTS (changes));
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      const HmHunk *h = &g_array_index (hunks, HmHunk, i);

      g_assert_cmpuint (h->a_offset, ==, changes[i].offset);
      g_assert_cmpuint (h->a_length, ==, changes[i].length);
      g_assert_cmpuint (h->b_offset, ==, changes[i].offset);
      g_assert_cmpuint (h->b_length, ==, changes[i].length);
    }
  g_assert_cmpstr (status_text (fixture), ==, "3 differences");

  /* What each view highlights: the same runs on both sides. */
  for (int side = HM_COMPARE_SIDE_A; side <= HM_COMPARE_SIDE_B; side++)
    {
      highlights = _hm_hex_view_get_differences (hm_compare_view_get_view (compare, side));
      g_assert_nonnull (highlights);
      g_assert_cmpuint (highlights->len, ==, G_N_ELEMENTS (changes));
      for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
        {
          g_assert_cmpuint (g_array_index (highlights, HmRange, i).offset, ==, changes[i].offset);
          g_assert_cmpuint (g_array_index (highlights, HmRange, i).length, ==, changes[i].length);
        }
    }

  /* The map: a mark at each difference's place, nothing elsewhere. */
  marks = hm_compare_map_get_marks (hm_compare_view_get_map (compare, HM_COMPARE_SIDE_A), &n_rows);
  g_assert_cmpuint (n_rows, >, 100);
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    g_assert_true (marks[changes[i].offset * n_rows / FILE_SIZE]);
  for (guint r = 0; r < n_rows; r++)
    n_marked += marks[r] != 0;
  g_assert_cmpuint (n_marked, ==, G_N_ELEMENTS (changes));
  /* A click near a mark goes to its difference. */
  g_assert_cmpuint (hm_compare_map_offset_at (hm_compare_view_get_map (compare, HM_COMPARE_SIDE_B),
                                              (double) n_rows * 0x7e00 / FILE_SIZE), ==, 0x8000);

  /* F6 and Shift+F6: both cursors, in order. */
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      g_autofree char *expected = g_strdup_printf ("Difference %u of 3", i + 1);

      activate (fixture, "page.compare-next");
      assert_cursors (compare, changes[i].offset, changes[i].offset);
      g_assert_cmpstr (status_text (fixture), ==, expected);
    }
  g_assert_false (hm_compare_view_go_next (compare, TRUE));
  g_assert_nonnull (hm_compare_view_get_message (compare));
  assert_cursors (compare, 0x8000, 0x8000);
  activate (fixture, "page.compare-previous");
  assert_cursors (compare, 0x2000, 0x2000);
  g_assert_cmpstr (status_text (fixture), ==, "Difference 2 of 3");

  /* Scrolling either view scrolls the other; a cursor moved in one moves the other's. */
  hm_hex_view_set_top_row (view_a, 300);
  g_assert_cmpuint (hm_hex_view_get_top_row (view_b), ==, 300);
  hm_hex_view_set_top_row (view_b, 123);
  g_assert_cmpuint (hm_hex_view_get_top_row (view_a), ==, 123);
  hm_hex_view_set_cursor_offset (view_b, 0x5555);
  assert_cursors (compare, 0x5555, 0x5555);
  g_assert_cmpstr (status_text (fixture), ==, "3 differences");

  /* Copying into the read-only side is refused, with a message. */
  hm_compare_view_go_to (compare, 1);
  g_assert_false (hm_compare_view_copy_run (compare, HM_COMPARE_SIDE_A, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_nonnull (strstr (hm_compare_view_get_message (compare), "read-only"));
  g_assert_false (hm_document_get_has_pending (b));

  /* Made editable, it gets the bytes as a pending edit, and the difference goes. */
  g_assert_true (hm_document_set_mode (b, HM_DOCUMENT_MODE_PREVIEW, &error));
  g_assert_no_error (error);
  g_assert_true (hm_compare_view_copy_run (compare, HM_COMPARE_SIDE_A, &error));
  g_assert_no_error (error);
  g_assert_true (hm_document_get_has_pending (b));
  g_assert_cmpuint (read_byte (b, 0x2000), ==, fixture->contents[0x2000]);
  g_assert_cmpuint (read_byte (b, 0x1fff), ==, fixture->contents[0x1fff]);
  hm_panel_test_wait_until (compare_done, fixture->page);
  g_assert_cmpuint (hm_compare_view_get_n_differences (compare), ==, 2);
  g_assert_cmpuint (g_array_index (hunks, HmHunk, 1).a_offset, ==, 0x8000);
  g_assert_cmpstr (status_text (fixture), ==, "2 differences");
  highlights = _hm_hex_view_get_differences (view_b);
  g_assert_cmpuint (highlights->len, ==, 2);

  /* The other way: the left side's run from the right. */
  hm_compare_view_go_to (compare, 0);
  g_assert_true (hm_compare_view_copy_run (compare, HM_COMPARE_SIDE_B, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (read_byte (fixture->a, 0x101), ==, read_byte (b, 0x101));
  hm_panel_test_wait_until (compare_done, fixture->page);
  g_assert_cmpuint (hm_compare_view_get_n_differences (compare), ==, 1);
  g_assert_true (hm_document_undo (fixture->a, &error));
  g_assert_no_error (error);
  hm_panel_test_wait_until (compare_done, fixture->page);
  g_assert_cmpuint (hm_compare_view_get_n_differences (compare), ==, 2);

  /* Closing with unsaved edits in the second file asks first. */
  activate (fixture, "page.compare-close");
  dialog = hm_ui_test_wait_for_message_dialog ();
  g_assert_nonnull (_hm_page_get_compare_view (fixture->page));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  hm_panel_test_flush ();

  /* Back to one view. */
  g_assert_null (_hm_page_get_compare_view (fixture->page));
  g_assert_cmpuint (count_children (GTK_WIDGET (fixture->page->view_box)), ==, children_before);
  g_assert_null (_hm_hex_view_get_differences (hm_page_get_view (fixture->page)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->page->compare_label)));
  g_assert_false (action_enabled (fixture, "compare-next"));
  g_assert_true (gtk_widget_get_visible (_hm_page_get_side_pane (fixture->page)));
  g_assert_cmpuint (count_children (GTK_WIDGET (fixture->page->find_slot)), ==, 1);
}

/* ---- With insertions ---- */

static void
test_insertions (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(HmDocument) c = open_inserted ("c.bin");
  g_autoptr(GError) error = NULL;
  HmCompareView *compare;
  HmHexView *view_a, *view_b;
  const GArray *hunks;
  const HmHunk *h;

  compare = compare_with (fixture, c);
  view_a = hm_compare_view_get_view (compare, HM_COMPARE_SIDE_A);
  view_b = hm_compare_view_get_view (compare, HM_COMPARE_SIDE_B);

  /* Byte for byte, everything after the insertion differs. */
  g_assert_cmpuint (hm_compare_view_get_n_differences (compare), >, 1);

  hm_compare_view_set_mode (compare, HM_COMPARE_INSERTIONS);
  hm_panel_test_wait_until (compare_done, fixture->page);
  hunks = hm_compare_view_get_hunks (compare);
  g_assert_cmpuint (hunks->len, ==, 1);
  h = &g_array_index (hunks, HmHunk, 0);
  g_assert_cmpuint (h->a_offset, ==, INSERT_AT);
  g_assert_cmpuint (h->a_length, ==, 0);
  g_assert_cmpuint (h->b_offset, ==, INSERT_AT);
  g_assert_cmpuint (h->b_length, ==, INSERT_LEN);
  g_assert_cmpstr (status_text (fixture), ==, "1 difference");
  g_assert_null (hm_compare_view_get_message (compare));

  /* Only the inserted bytes are highlighted, on the side that has them. */
  g_assert_cmpuint (_hm_hex_view_get_differences (view_a)->len, ==, 0);
  g_assert_cmpuint (_hm_hex_view_get_differences (view_b)->len, ==, 1);

  /* The other side follows through the hunk (once both views have rows to
   * scroll: the compare's views are allocated after it opens). */
  hm_panel_test_wait_until (views_have_rows, compare);
  hm_hex_view_set_cursor_offset (view_a, 0x4000);
  assert_cursors (compare, 0x4000, 0x4000 + INSERT_LEN);
  hm_hex_view_set_cursor_offset (view_a, 0x100);
  assert_cursors (compare, 0x100, 0x100);
  hm_hex_view_set_top_row (view_a, 0x5000 / 16);
  g_assert_cmpuint (hm_hex_view_get_top_row (view_b), ==, (0x5000 + INSERT_LEN) / 16);
  hm_hex_view_set_top_row (view_b, 0x6010 / 16);
  g_assert_cmpuint (hm_hex_view_get_top_row (view_a), ==, (0x6010 - INSERT_LEN) / 16);

  activate (fixture, "page.compare-next");
  assert_cursors (compare, INSERT_AT, INSERT_AT);
  g_assert_cmpstr (status_text (fixture), ==, "Difference 1 of 1");

  /* An insertion cannot be copied by overwriting. */
  g_assert_true (hm_document_set_mode (c, HM_DOCUMENT_MODE_PREVIEW, &error));
  g_assert_false (hm_compare_view_copy_run (compare, HM_COMPARE_SIDE_B, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_false (hm_document_get_has_pending (fixture->a));

  /* Escape in the compare (the close button does the same): no edits, so it closes at once. */
  g_signal_emit_by_name (compare, "close-requested");
  hm_panel_test_flush ();
  g_assert_null (_hm_page_get_compare_view (fixture->page));
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
}

/* ---- A region too different to align ---- */

static void
test_too_different (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree guint8 *contents = g_malloc (FILE_SIZE);
  g_autoptr(HmDocument) other = NULL;
  g_autoptr(GError) error = NULL;
  HmCompareView *compare;
  const HmHunk *h;
  guint n_unaligned;

  /* Random bytes (as a pending edit of the first file: it is compared as it
   * looks), and the second file with the middle half rewritten: far more than
   * 64 KiB of working memory aligns. */
  for (guint i = 0; i < FILE_SIZE; i++)
    contents[i] = (guint8) g_random_int ();
  g_assert_true (hm_document_write (fixture->a, 0, contents, FILE_SIZE, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  for (guint i = FILE_SIZE / 4; i < 3 * FILE_SIZE / 4; i++)
    contents[i] = (guint8) g_random_int ();
  other = hm_panel_test_open_document ("different.bin", contents, FILE_SIZE, HM_DOCUMENT_MODE_READ_ONLY);
  compare = compare_with (fixture, other);
  _hm_compare_view_set_max_memory (compare, HM_COMPARE_MIN_MEMORY);
  hm_compare_view_set_mode (compare, HM_COMPARE_INSERTIONS);
  hm_panel_test_wait_until (compare_done, fixture->page);

  /* Changed runs around the rewritten half, one of them too different to
   * align, and the bar says so. */
  g_assert_cmpuint (hm_compare_view_get_n_differences (compare), >=, 1);
  n_unaligned = 0;
  for (guint i = 0; i < hm_compare_view_get_n_differences (compare); i++)
    {
      h = &g_array_index (hm_compare_view_get_hunks (compare), HmHunk, i);
      /* (An edit at the border may be placed a few bytes either way.) */
      g_assert_cmpuint (h->a_offset + 256, >=, FILE_SIZE / 4);
      g_assert_cmpuint (h->a_offset + h->a_length, <=, 3 * FILE_SIZE / 4 + 256);
      n_unaligned += (h->flags & HM_HUNK_UNALIGNED) != 0;
    }
  g_test_message ("%u hunks, %u unaligned", hm_compare_view_get_hunks (compare)->len, n_unaligned);
  g_assert_cmpuint (n_unaligned, >, 0);
  g_assert_nonnull (hm_compare_view_get_message (compare));
  g_assert_nonnull (strstr (hm_compare_view_get_message (compare), "too different to align within 64"));
  _hm_page_close_compare (fixture->page);
}

/* ---- A fault of the second file: its own dialog ---- */

static void
test_fault (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(HmDocument) b = open_changed ("truncated.bin", HM_DOCUMENT_MODE_READ_ONLY);
  g_autofree char *text = NULL;
  GtkMessageDialog *dialog;

  /* Cut short behind its back: the compare reads past the new end. */
  hm_test_truncate (hm_document_get_path (b), FILE_SIZE / 2);
  _hm_page_compare_with (fixture->page, b);
  dialog = hm_ui_test_wait_for_message_dialog ();
  text = hm_ui_test_dialog_text (dialog);
  g_assert_nonnull (strstr (text, "truncated.bin"));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == fixture->window);
  g_assert_null (_hm_page_get_fault_dialog (fixture->page));

  /* Close: the compare closes, the page stays. */
  gtk_dialog_response (GTK_DIALOG (dialog), HM_FAULT_RESPONSE_CLOSE);
  hm_panel_test_flush ();
  g_assert_null (_hm_page_get_compare_view (fixture->page));
  g_assert_cmpuint (hm_ui_test_count_message_dialogs (), ==, 0);
}

/* ---- Closing while the compare runs ---- */

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_close_running (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree guint8 *contents = g_malloc (4 * FILE_SIZE);
  HmDocument *other;
  HmCompareView *compare;
  gpointer weak;

  /* Different everywhere, with insertions: long enough to be still running. */
  for (guint i = 0; i < 4 * FILE_SIZE; i++)
    contents[i] = (guint8) g_random_int ();
  other = hm_panel_test_open_document ("random.bin", contents, 4 * FILE_SIZE, HM_DOCUMENT_MODE_READ_ONLY);
  _hm_page_compare_with (fixture->page, other);
  compare = _hm_page_get_compare_view (fixture->page);
  hm_compare_view_set_mode (compare, HM_COMPARE_INSERTIONS);
  g_assert_true (hm_compare_view_get_running (compare));
  g_assert_true (g_str_has_prefix (status_text (fixture), "Comparing"));
  weak = compare;
  g_object_add_weak_pointer (G_OBJECT (compare), &weak);

  /* Closing cancels it; the compare lets go of everything once its thread ends. */
  _hm_page_close_compare (fixture->page);
  g_assert_null (_hm_page_get_compare_view (fixture->page));
  hm_panel_test_wait_until (is_null, &weak);
  g_assert_finalize_object (other);
}

/* ---- Screenshot, on request ---- */

static void
test_screenshot (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *target = g_getenv ("HM_SCREENSHOT");
  const char *size = g_getenv ("HM_SCREENSHOT_SIZE");
  g_autoptr(HmDocument) b = NULL;
  g_autoptr(GError) error = NULL;
  HmCompareView *compare;
  int width = 1600, height = 1000;

  if (target == NULL)
    {
      g_test_skip ("set HM_SCREENSHOT=file.png to take one");
      return;
    }
  if (size != NULL)
    g_assert_cmpint (sscanf (size, "%dx%d", &width, &height), ==, 2);
  gtk_window_set_default_size (fixture->window, width, height);

  b = open_changed ("b.bin", HM_DOCUMENT_MODE_READ_ONLY);
  _hm_page_compare_with (fixture->page, b);
  compare = _hm_page_get_compare_view (fixture->page);
  hm_panel_test_wait_until (compare_done, fixture->page);
  hm_document_write (fixture->a, 0x8004, "\x11\x22", 2, HM_EDIT_NONE, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 60; i++)
    {
      if (i == 40)
        hm_compare_view_go_to (compare, 2);
      hm_panel_test_flush ();
      g_usleep (20000);
    }

  hm_panel_test_save_screenshot (fixture->window, target);
  _hm_page_close_compare (fixture->page);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  hm_panel_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/hm/compare-view/aligned", test_aligned);
  ADD ("/hm/compare-view/insertions", test_insertions);
  ADD ("/hm/compare-view/too-different", test_too_different);
  ADD ("/hm/compare-view/fault", test_fault);
  ADD ("/hm/compare-view/close-running", test_close_running);
  ADD ("/hm/compare-view/screenshot", test_screenshot);
#undef ADD

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "hm-fault.h"
#include "hm-find-bar-private.h"
#include "hm-hex-view-private.h"
#include "hm-pattern.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"

#define FILE_SIZE (256u * 1024u)

/* A find bar above a view, in an unshown window. */
typedef struct
{
  GtkWindow  *window;
  HmFindBar  *bar;
  HmHexView  *view;
  GPtrArray  *faults;   /* GError copies from "fault" */
} Fixture;

static void
fault_cb (HmFindBar    *bar,
          const GError *error,
          Fixture      *fixture)
{
  g_ptr_array_add (fixture->faults, g_error_copy (error));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->bar = HM_FIND_BAR (hm_find_bar_new ());
  fixture->view = HM_HEX_VIEW (hm_hex_view_new ());
  fixture->faults = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (fixture->bar));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (fixture->view));
  gtk_window_set_child (fixture->window, box);
  hm_find_bar_set_revealed (fixture->bar, TRUE);
  g_signal_connect (fixture->bar, "fault", G_CALLBACK (fault_cb), fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_ptr_array_unref (fixture->faults);
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
show_document (Fixture    *fixture,
               HmDocument *document)
{
  int min, nat;

  hm_hex_view_set_document (fixture->view, document);
  _hm_find_bar_attach (fixture->bar, fixture->view, document);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 16);
  gtk_widget_measure (GTK_WIDGET (fixture->view), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (fixture->view), GTK_ORIENTATION_VERTICAL, 900, &min, &nat, NULL, NULL);
  gtk_widget_size_allocate (GTK_WIDGET (fixture->view), &(GtkAllocation) { 0, 0, 900, 400 }, -1);
}

/* Runs the main loop until the bar is idle and every queued idle has run. */
static void
wait_idle (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (hm_find_bar_get_busy (fixture->bar))
    {
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

static void
type_pattern (Fixture    *fixture,
              const char *text)
{
  gtk_editable_set_text (_hm_find_bar_get_entry (fixture->bar), text);
}

/* A random file with "de ad xx ef" planted at @offsets; returns its contents. */
static char *
make_file (const char    *name,
           const guint64 *offsets,
           guint          n_offsets,
           guint8       **contents)
{
  g_autofree guint8 *bytes = NULL;
  char *path = hm_test_write_random (name, FILE_SIZE, 7, &bytes);

  for (guint i = 0; i < n_offsets; i++)
    {
      guint8 planted[4] = { 0xde, 0xad, (guint8) i, 0xef };

      hm_test_pwrite (path, offsets[i], planted, sizeof planted);
      memcpy (bytes + offsets[i], planted, sizeof planted);
    }
  *contents = g_steal_pointer (&bytes);
  return path;
}

/* The reference: every offset where @pattern matches, checked byte by byte. */
static GArray *
naive_search (const guint8 *data,
              gsize         size,
              const char   *hex)
{
  g_autoptr(HmPattern) pattern = hm_pattern_new_hex (hex, -1, NULL, NULL);
  const guint8 *bytes = hm_pattern_get_bytes (pattern);
  const guint8 *mask = hm_pattern_get_mask (pattern);
  gsize length = hm_pattern_get_length (pattern);
  GArray *found = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (gsize at = 0; at + length <= size; at++)
    {
      gsize i;

      for (i = 0; i < length && (data[at + i] & mask[i]) == bytes[i]; i++)
        ;
      if (i == length)
        {
          guint64 offset = at;

          g_array_append_val (found, offset);
        }
    }
  return found;
}

static void
assert_selection (Fixture *fixture,
                  guint64  start,
                  guint64  length)
{
  g_assert_cmpuint (hm_hex_view_get_selection_start (fixture->view), ==, start);
  g_assert_cmpuint (hm_hex_view_get_selection_length (fixture->view), ==, length);
}

static const guint64 planted_offsets[] = { 0, 100, 4093, 4096 * 3 + 1, 70000, 131071, FILE_SIZE - 4 };

/* ---- Find next / previous ---- */

static void
test_find_next_previous (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("next.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GArray) expected = naive_search (contents, FILE_SIZE, "de ad ?? ef");
  guint n;

  show_document (fixture, document);
  type_pattern (fixture, "de ad ?? ef");
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, "");
  n = expected->len;
  g_assert_cmpuint (n, >=, G_N_ELEMENTS (planted_offsets));

  /* Forward from the cursor at 0: every match in turn, the first one included. */
  for (guint i = 0; i < n; i++)
    {
      hm_find_bar_find_next (fixture->bar);
      wait_idle (fixture);
      assert_selection (fixture, g_array_index (expected, guint64, i), 4);
    }

  /* Wrap: from the last match back to the first, and said so. */
  hm_find_bar_find_next (fixture->bar);
  wait_idle (fixture);
  assert_selection (fixture, g_array_index (expected, guint64, 0), 4);
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), "Wrapped"));

  /* Backward from the first: wraps to the last, then walks back. */
  for (guint i = n; i-- > 0;)
    {
      hm_find_bar_find_previous (fixture->bar);
      wait_idle (fixture);
      assert_selection (fixture, g_array_index (expected, guint64, i), 4);
    }

  /* Without wrap, the end is the end: the selection stays. */
  g_object_set (fixture->bar, "wrap", FALSE, NULL);
  hm_find_bar_find_previous (fixture->bar);
  wait_idle (fixture);
  assert_selection (fixture, g_array_index (expected, guint64, 0), 4);
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), "No more matches"));
  g_assert_false (_hm_find_bar_get_message_is_error (fixture->bar));

  /* Nibble wildcards, and Enter searching backward when told to. */
  type_pattern (fixture, "?e a? 0? e?");
  g_object_set (fixture->bar, "wrap", TRUE, "backward", TRUE, NULL);
  hm_hex_view_set_cursor_offset (fixture->view, 150);
  g_signal_emit_by_name (_hm_find_bar_get_entry (fixture->bar), "activate");
  wait_idle (fixture);
  assert_selection (fixture, 100, 4);
  g_assert_cmpuint (g_array_index (expected, guint64, 1), ==, 100);
  g_assert_cmpuint (fixture->faults->len, ==, 0);
}

/* ---- Pattern errors ---- */

static void
test_pattern_error (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("errors.bin", 4096);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  GtkWidget *entry = GTK_WIDGET (_hm_find_bar_get_entry (fixture->bar));
  const char *message;

  show_document (fixture, document);

  type_pattern (fixture, "1234g");
  message = _hm_find_bar_get_message (fixture->bar);
  g_test_message ("message: %s", message);
  g_assert_nonnull (strstr (message, "“g”"));
  g_assert_nonnull (strstr (message, "column 5"));
  g_assert_true (_hm_find_bar_get_message_is_error (fixture->bar));
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (entry), ==, message);

  /* Searching is refused; nothing runs. */
  hm_find_bar_find_next (fixture->bar);
  g_assert_false (hm_find_bar_get_busy (fixture->bar));

  type_pattern (fixture, "12 3");
  message = _hm_find_bar_get_message (fixture->bar);
  g_assert_nonnull (strstr (message, "column"));
  g_assert_true (_hm_find_bar_get_message_is_error (fixture->bar));

  /* Fixed: the error goes away. */
  type_pattern (fixture, "12 34");
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, "");
  g_assert_false (gtk_widget_has_css_class (entry, "error"));

  /* The same text is fine as text. */
  type_pattern (fixture, "1234g");
  g_object_set (fixture->bar, "text-mode", TRUE, NULL);
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, "");
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
}

/* ---- Find All ---- */

static void
test_find_all (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("all.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GArray) expected = naive_search (contents, FILE_SIZE, "7? ?1");
  GListModel *results = _hm_find_bar_get_results (fixture->bar);
  g_autofree char *more = NULL;

  show_document (fixture, document);
  g_assert_cmpuint (expected->len, >, 500);

  /* Everything, in file order. */
  type_pattern (fixture, "7? ?1");
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    {
      g_autoptr(HmFindResult) result = g_list_model_get_item (results, i);

      g_assert_cmpuint (hm_find_result_get_offset (result), ==, g_array_index (expected, guint64, i));
      g_assert_cmpuint (hm_find_result_get_length (result), ==, 2);
      g_assert_false (hm_find_result_get_unreadable (result));
    }
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), "matches"));

  /* A click jumps. */
  _hm_find_bar_activate_result (fixture->bar, 42);
  assert_selection (fixture, g_array_index (expected, guint64, 42), 2);

  /* The cap: the first N, and a note that there are more. */
  g_object_set (fixture->bar, "max-results", 100u, NULL);
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 100);
  {
    g_autoptr(HmFindResult) last = g_list_model_get_item (results, 99);

    g_assert_cmpuint (hm_find_result_get_offset (last), ==, g_array_index (expected, guint64, 99));
  }
  more = g_strdup_printf ("More than %u", 100u);
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), more));

  /* Text, without case, in UTF-16LE. */
  {
    const guint8 hello[] = { 'H', 0, 'e', 0, 'L', 0, 'l', 0, 'O', 0 };

    hm_test_pwrite (path, 5000, hello, sizeof hello);
    hm_test_pwrite (path, 9001, hello, sizeof hello);
  }
  g_object_set (fixture->bar, "text-mode", TRUE, "ignore-case", TRUE, "encoding", (guint) HM_TEXT_ENCODING_UTF16LE,
                NULL);
  type_pattern (fixture, "hello");
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 2);
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, "2 matches");

  /* Not found. */
  g_object_set (fixture->bar, "ignore-case", FALSE, NULL);
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, "No matches");
  g_assert_cmpuint (fixture->faults->len, ==, 0);
}

/* ---- Replace ---- */

static void
read_all (HmDocument *document,
          guint8     *buffer)
{
  g_autoptr(GError) error = NULL;
  gssize n = hm_document_read (document, 0, buffer, FILE_SIZE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (n, ==, FILE_SIZE);
}

static void
test_replace (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("replace.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GArray) expected = naive_search (contents, FILE_SIZE, "de ad ?? ef");
  g_autofree guint8 *now = g_malloc (FILE_SIZE);
  g_autoptr(GError) error = NULL;
  guint64 first = g_array_index (expected, guint64, 0);
  guint64 second = g_array_index (expected, guint64, 1);

  show_document (fixture, document);
  type_pattern (fixture, "de ad ?? ef");

  /* A replacement that keeps bytes of the match (??) must be as long as it. */
  gtk_editable_set_text (_hm_find_bar_get_replace_entry (fixture->bar), "11 ??");
  hm_find_bar_replace (fixture->bar);
  g_assert_false (hm_find_bar_get_busy (fixture->bar));
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), "lengths must match"));
  g_assert_true (_hm_find_bar_get_message_is_error (fixture->bar));

  /* The first press finds, the second replaces and finds the next; `??` keeps a byte. */
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (_hm_find_bar_get_results (fixture->bar)), ==, expected->len);
  gtk_editable_set_text (_hm_find_bar_get_replace_entry (fixture->bar), "11 ?? 2? 33");
  hm_find_bar_replace (fixture->bar);
  wait_idle (fixture);
  assert_selection (fixture, first, 4);
  read_all (document, now);
  g_assert_cmpmem (now, FILE_SIZE, contents, FILE_SIZE);

  hm_find_bar_replace (fixture->bar);
  wait_idle (fixture);
  assert_selection (fixture, second, 4);
  /* The replaced match left the Find All list. */
  g_assert_cmpuint (g_list_model_get_n_items (_hm_find_bar_get_results (fixture->bar)), ==, expected->len - 1);
  read_all (document, now);
  g_assert_cmpuint (now[first], ==, 0x11);
  g_assert_cmpuint (now[first + 1], ==, contents[first + 1]);
  g_assert_cmpuint (now[first + 2], ==, 0x20 | (contents[first + 2] & 0x0f));
  g_assert_cmpuint (now[first + 3], ==, 0x33);
  memcpy (now + first, contents + first, 4);
  g_assert_cmpmem (now, FILE_SIZE, contents, FILE_SIZE);

  /* One undo step takes it back. */
  g_assert_true (hm_document_undo (document, &error));
  g_assert_no_error (error);
  read_all (document, now);
  g_assert_cmpmem (now, FILE_SIZE, contents, FILE_SIZE);
  g_assert_false (hm_document_get_can_undo (document));

  /* Text replacements, in the text mode's encoding. */
  g_object_set (fixture->bar, "text-mode", TRUE, NULL);
  type_pattern (fixture, "WXYZ");
  g_assert_true (hm_document_write (document, 200, "WXYZ", 4, HM_EDIT_NONE, &error));
  g_assert_no_error (error);
  hm_hex_view_set_cursor_offset (fixture->view, 0);
  gtk_editable_set_text (_hm_find_bar_get_replace_entry (fixture->bar), "abcd");
  hm_find_bar_replace (fixture->bar);
  wait_idle (fixture);
  assert_selection (fixture, 200, 4);
  hm_find_bar_replace (fixture->bar);
  wait_idle (fixture);
  read_all (document, now);
  g_assert_cmpmem (now + 200, 4, "abcd", 4);
  g_assert_cmpuint (fixture->faults->len, ==, 0);
}

static void
test_replace_all (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("replace-all.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GArray) expected = naive_search (contents, FILE_SIZE, "de ad ?? ef");
  g_autofree guint8 *now = g_malloc (FILE_SIZE);
  g_autofree guint8 *want = g_memdup2 (contents, FILE_SIZE);
  g_autofree char *replaced = NULL;
  guint steps = 0;

  show_document (fixture, document);
  type_pattern (fixture, "de ad ?? ef");
  gtk_editable_set_text (_hm_find_bar_get_replace_entry (fixture->bar), "ca fe ba be");

  /* Find All first: the list goes once the bytes change. */
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (_hm_find_bar_get_results (fixture->bar)), ==, expected->len);

  hm_find_bar_replace_all (fixture->bar);
  wait_idle (fixture);
  for (guint i = 0; i < expected->len; i++)
    memcpy (want + g_array_index (expected, guint64, i), "\xca\xfe\xba\xbe", 4);
  read_all (document, now);
  g_assert_cmpmem (now, FILE_SIZE, want, FILE_SIZE);
  replaced = g_strdup_printf ("Replaced %u matches", expected->len);
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, replaced);
  g_assert_cmpuint (g_list_model_get_n_items (_hm_find_bar_get_results (fixture->bar)), ==, 0);

  /* Replace All is one undo step, and it restores everything. */
  while (hm_document_get_can_undo (document))
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (hm_document_undo (document, &error));
      g_assert_no_error (error);
      steps++;
    }
  g_assert_cmpuint (steps, ==, 1);
  read_all (document, now);
  g_assert_cmpmem (now, FILE_SIZE, contents, FILE_SIZE);

  /* Overlapping matches: the first of each overlapping pair wins. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (hm_document_write (document, 1000, "aaaaa", 5, HM_EDIT_NONE, &error));
    g_assert_no_error (error);
  }
  g_object_set (fixture->bar, "text-mode", TRUE, NULL);
  type_pattern (fixture, "aa");
  gtk_editable_set_text (_hm_find_bar_get_replace_entry (fixture->bar), "bb");
  hm_find_bar_replace_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (hm_document_read (document, 1000, now, 5, NULL), ==, 5);
  g_assert_cmpmem (now, 5, "bbbba", 5);
  g_assert_cmpuint (fixture->faults->len, ==, 0);
}

/* Replacements of another length: each match is deleted and the replacement
 * inserted, the later matches found where the earlier replacements moved them. */
static void
test_replace_other_length (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("replace-length.bin", planted_offsets, G_N_ELEMENTS (planted_offsets),
                                     &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  g_autoptr(GArray) expected = naive_search (contents, FILE_SIZE, "de ad ?? ef");
  const char *replacements[] = { "01 02 03 04 05 06", "77" };

  show_document (fixture, document);
  type_pattern (fixture, "de ad ?? ef");

  for (guint r = 0; r < G_N_ELEMENTS (replacements); r++)
    {
      g_autoptr(GBytes) bytes = hm_hex_view_parse_hex (replacements[r]);
      gsize rlen = g_bytes_get_size (bytes);
      g_autoptr(GByteArray) want = g_byte_array_new ();
      guint64 from = 0;
      guint64 size;
      g_autofree guint8 *now = NULL;
      guint steps = 0;

      /* The reference: the file with every non-overlapping match replaced. */
      for (guint i = 0; i < expected->len; i++)
        {
          guint64 at = g_array_index (expected, guint64, i);

          if (at < from)
            continue;
          g_byte_array_append (want, contents + from, (guint) (at - from));
          g_byte_array_append (want, g_bytes_get_data (bytes, NULL), (guint) rlen);
          from = at + 4;
        }
      g_byte_array_append (want, contents + from, (guint) (FILE_SIZE - from));

      gtk_editable_set_text (_hm_find_bar_get_replace_entry (fixture->bar), replacements[r]);
      hm_find_bar_replace_all (fixture->bar);
      wait_idle (fixture);
      size = hm_document_get_size (document);
      g_assert_cmpuint (size, ==, want->len);
      now = g_malloc (size);
      g_assert_cmpint (hm_document_read (document, 0, now, size, NULL), ==, (gssize) size);
      g_assert_cmpmem (now, size, want->data, want->len);

      while (hm_document_get_can_undo (document))
        {
          g_autoptr(GError) error = NULL;

          g_assert_true (hm_document_undo (document, &error));
          g_assert_no_error (error);
          steps++;
        }
      g_assert_cmpuint (steps, ==, 1);
      g_assert_cmpuint (hm_document_get_size (document), ==, FILE_SIZE);
    }
  g_assert_cmpuint (fixture->faults->len, ==, 0);
}

static void
test_replace_read_only (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("read-only.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autofree guint8 *now = g_malloc (FILE_SIZE);

  show_document (fixture, document);
  type_pattern (fixture, "de ad ?? ef");
  gtk_editable_set_text (_hm_find_bar_get_replace_entry (fixture->bar), "00 00 00 00");

  hm_hex_view_set_selection (fixture->view, 0, 4);
  hm_find_bar_replace (fixture->bar);
  g_assert_false (hm_find_bar_get_busy (fixture->bar));
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), "read-only"));
  g_assert_true (_hm_find_bar_get_message_is_error (fixture->bar));

  hm_find_bar_replace_all (fixture->bar);
  g_assert_false (hm_find_bar_get_busy (fixture->bar));
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), "read-only"));

  read_all (document, now);
  g_assert_cmpmem (now, FILE_SIZE, contents, FILE_SIZE);
  g_assert_false (hm_document_get_can_undo (document));
}

/* ---- Faults and cancellation ---- */

static void
test_fault (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree guint8 *contents2 = NULL;
  g_autofree char *path = make_file ("fault.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autofree char *path2 = make_file ("fault2.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents2);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(HmDocument) document2 = open_document (path2, HM_DOCUMENT_MODE_READ_ONLY);
  GListModel *results = _hm_find_bar_get_results (fixture->bar);
  const GError *fault;
  guint n;

  /* Another program cuts the files short behind the documents' backs, after
   * they were shown (so their hole maps are loaded: the core search does not yet
   * notice a truncation that happened before it first loads the hole map). */
  g_array_unref (hm_document_get_extents (document, 0, FILE_SIZE));
  g_array_unref (hm_document_get_extents (document2, 0, FILE_SIZE));
  hm_test_truncate (path, 8192);
  hm_test_truncate (path2, 8192);

  /* Skip mode: the matches before the cut, and the lost range as a row. A file
   * that shrank still goes to the page. */
  show_document (fixture, document);
  type_pattern (fixture, "de ad ?? ef");
  g_object_set (fixture->bar, "skip-faults", TRUE, NULL);
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  n = g_list_model_get_n_items (results);
  g_assert_cmpuint (n, ==, 4);
  {
    g_autoptr(HmFindResult) lost = g_list_model_get_item (results, n - 1);

    g_assert_true (hm_find_result_get_unreadable (lost));
    g_assert_cmpuint (hm_find_result_get_offset (lost), ==, 8192);
    g_assert_cmpuint (hm_find_result_get_length (lost), ==, FILE_SIZE - 8192);
  }
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), "could not be read"));
  g_assert_cmpuint (fixture->faults->len, ==, 1);
  fault = fixture->faults->pdata[0];
  g_assert_error (fault, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);

  /* Stop mode: the search stops and the page hears of it. */
  show_document (fixture, document2);
  g_object_set (fixture->bar, "skip-faults", FALSE, NULL);
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (fixture->faults->len, ==, 2);
  fault = fixture->faults->pdata[1];
  g_assert_error (fault, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED);
  g_assert_true (_hm_find_bar_get_message_is_error (fixture->bar));
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("cancel.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);

  show_document (fixture, document);
  type_pattern (fixture, "de ad ?? ef");
  hm_find_bar_find_all (fixture->bar);
  g_assert_true (hm_find_bar_get_busy (fixture->bar));
  hm_find_bar_cancel (fixture->bar);
  g_assert_false (hm_find_bar_get_busy (fixture->bar));
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, "Search cancelled");
  /* The worker's late result is ignored. */
  wait_idle (fixture);
  g_usleep (G_USEC_PER_SEC / 10);
  wait_idle (fixture);
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, "Search cancelled");

  /* Hiding the bar cancels too, and gives up the highlights. */
  hm_find_bar_find_all (fixture->bar);
  hm_find_bar_set_revealed (fixture->bar, FALSE);
  g_assert_false (hm_find_bar_get_busy (fixture->bar));
  wait_idle (fixture);
}

/* ---- Attaching ---- */

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Drops the caller's reference to @object, which must then go: at once but for
 * what the worker of a search that just finished still holds for a moment. */
static void
assert_released (gpointer object)
{
  gpointer weak = object;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  g_assert_true (hm_ui_test_wait_for (pointer_cleared, &weak, HM_UI_TEST_WAIT_MS));
}

/* Detached, the bar has nothing to search and no results; attached to a second
 * document in the same view, it searches that one and keeps nothing of the
 * first: no handler, no reference. Its dispose detaches it. */
static void
test_attach (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree guint8 *contents2 = NULL;
  g_autofree char *path = make_file ("attach.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autofree char *path2 = make_file ("attach2.bin", planted_offsets, 2, &contents2);
  HmDocument *first = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(HmDocument) second = open_document (path2, HM_DOCUMENT_MODE_READ_ONLY);
  g_autoptr(GArray) expected = naive_search (contents, FILE_SIZE, "de ad ?? ef");
  g_autoptr(GArray) expected2 = naive_search (contents2, FILE_SIZE, "de ad ?? ef");
  GListModel *results = _hm_find_bar_get_results (fixture->bar);
  HmFindBar *bar = fixture->bar;

  g_assert_cmpuint (expected->len, !=, expected2->len);
  show_document (fixture, first);
  type_pattern (fixture, "de ad ?? ef");
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, expected->len);

  /* Detached: the results go, and there is nothing to search. */
  _hm_find_bar_attach (fixture->bar, NULL, NULL);
  g_assert_cmpuint (g_signal_handler_find (first, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, bar), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  hm_find_bar_find_all (fixture->bar);
  g_assert_false (hm_find_bar_get_busy (fixture->bar));
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);

  /* Attached again, then to a second document. */
  _hm_find_bar_attach (fixture->bar, fixture->view, first);
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, expected->len);
  show_document (fixture, second);
  g_assert_cmpuint (g_signal_handler_find (first, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, bar), ==, 0);
  g_assert_cmpuint (g_signal_handler_find (second, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, bar), !=, 0);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, expected2->len);
  hm_hex_view_set_cursor_offset (fixture->view, 50);
  hm_find_bar_find_next (fixture->bar);
  wait_idle (fixture);
  assert_selection (fixture, 100, 4);
  assert_released (first);

  /* Its dispose detaches it. */
  g_object_ref (bar);
  gtk_box_remove (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (bar))), GTK_WIDGET (bar));
  g_object_run_dispose (G_OBJECT (bar));
  g_assert_cmpuint (g_signal_handler_find (second, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, bar), ==, 0);
  g_assert_finalize_object (bar);
  hm_hex_view_set_document (fixture->view, NULL);
  assert_released (g_steal_pointer (&second));
  g_assert_cmpuint (fixture->faults->len, ==, 0);
}


/* ---- State that must not go stale (issue 15) ---- */

static guint
n_results (Fixture *fixture)
{
  return g_list_model_get_n_items (_hm_find_bar_get_results (fixture->bar));
}

/* A Find All list belongs to its pattern: another pattern, the mode, the case
 * or the encoding drop it and its summary; a new Find All replaces it. */
static void
test_results_follow_pattern (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("stale.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  const guint8 text[] = "needle";

  hm_test_pwrite (path, 3000, text, 6);
  show_document (fixture, document);

  /* Text Find All, then hex: the text results go at once. */
  g_object_set (fixture->bar, "text-mode", TRUE, NULL);
  type_pattern (fixture, "needle");
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (n_results (fixture), ==, 1);
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, "1 match");
  g_object_set (fixture->bar, "text-mode", FALSE, NULL);
  g_assert_cmpuint (n_results (fixture), ==, 0);
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), !=, "1 match");

  /* Hex Find All lists the hex matches only. */
  type_pattern (fixture, "de ad ?? ef");
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (n_results (fixture), ==, G_N_ELEMENTS (planted_offsets));
  for (guint i = 0; i < G_N_ELEMENTS (planted_offsets); i++)
    {
      g_autoptr(HmFindResult) result = g_list_model_get_item (_hm_find_bar_get_results (fixture->bar), i);

      g_assert_cmpuint (hm_find_result_get_offset (result), ==, planted_offsets[i]);
    }

  /* Editing the pattern drops them, and their highlights. */
  type_pattern (fixture, "de ad ?? e");
  g_assert_cmpuint (n_results (fixture), ==, 0);
  g_assert_null (_hm_find_bar_get_position (fixture->bar));

  /* So do case and encoding in text mode. */
  g_object_set (fixture->bar, "text-mode", TRUE, NULL);
  type_pattern (fixture, "needle");
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (n_results (fixture), ==, 1);
  g_object_set (fixture->bar, "ignore-case", TRUE, NULL);
  g_assert_cmpuint (n_results (fixture), ==, 0);
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_cmpuint (n_results (fixture), ==, 1);
  g_object_set (fixture->bar, "encoding", (guint) HM_TEXT_ENCODING_UTF16BE, NULL);
  g_assert_cmpuint (n_results (fixture), ==, 0);
}

/* A replacement with an error: correcting it takes the error away. */
static void
test_replace_error_cleared (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("reperr.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_PREVIEW);
  GtkEditable *replace = _hm_find_bar_get_replace_entry (fixture->bar);

  show_document (fixture, document);
  type_pattern (fixture, "de ad");
  gtk_editable_set_text (replace, "zz");
  hm_find_bar_replace (fixture->bar);
  wait_idle (fixture);
  g_assert_true (_hm_find_bar_get_message_is_error (fixture->bar));
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), "Replacement"));

  /* Still wrong: a (new) error. */
  gtk_editable_set_text (replace, "be e");
  g_assert_true (_hm_find_bar_get_message_is_error (fixture->bar));
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), "Incomplete"));

  /* Right: no error left on screen. */
  gtk_editable_set_text (replace, "be ef");
  g_assert_false (_hm_find_bar_get_message_is_error (fixture->bar));
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, "");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (replace), "error"));

  /* And Replace works with it. */
  hm_hex_view_set_selection (fixture->view, 0, 0);
  hm_find_bar_replace (fixture->bar);
  wait_idle (fixture);
  g_assert_false (_hm_find_bar_get_message_is_error (fixture->bar));
}

/* "n of N" while the selection is a listed match. */
static void
test_position (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("position.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  g_autofree char *expected = NULL;
  guint n = G_N_ELEMENTS (planted_offsets);

  show_document (fixture, document);
  type_pattern (fixture, "de ad ?? ef");
  /* Unknown until Find All. */
  hm_find_bar_find_next (fixture->bar);
  wait_idle (fixture);
  g_assert_null (_hm_find_bar_get_position (fixture->bar));

  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  _hm_find_bar_activate_result (fixture->bar, 2);
  expected = g_strdup_printf ("3 of %u", n);
  g_assert_cmpstr (_hm_find_bar_get_position (fixture->bar), ==, expected);

  /* Find next moves it on; every match in turn, then wrapping to the first. */
  for (guint i = 3; i < n + 1; i++)
    {
      g_autofree char *want = g_strdup_printf ("%u of %u", i % n + 1, n);

      hm_find_bar_find_next (fixture->bar);
      wait_idle (fixture);
      assert_selection (fixture, planted_offsets[i % n], 4);
      g_assert_cmpstr (_hm_find_bar_get_position (fixture->bar), ==, want);
    }

  /* A selection that is no match: nothing to count. */
  hm_hex_view_set_selection (fixture->view, 1, 4);
  g_assert_null (_hm_find_bar_get_position (fixture->bar));

  /* At the cap the total says there are more. */
  g_object_set (fixture->bar, "max-results", 3u, NULL);
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  _hm_find_bar_activate_result (fixture->bar, 1);
  g_assert_cmpstr (_hm_find_bar_get_position (fixture->bar), ==, "2 of 3+");
}

static gboolean
offered_as_text (Fixture *fixture)
{
  GtkWidget *button = _hm_find_bar_get_as_text_button (fixture->bar);
  GtkStack *stack = GTK_STACK (gtk_widget_get_ancestor (button, GTK_TYPE_STACK));

  return gtk_stack_get_visible_child (stack) == button;
}

/* Text typed in hex mode: the error offers to search it as text. */
static void
test_offer_text (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("astext.bin", 8192);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  gboolean text_mode = TRUE;

  show_document (fixture, document);
  g_assert_false (offered_as_text (fixture));

  type_pattern (fixture, "world");
  g_assert_true (_hm_find_bar_get_message_is_error (fixture->bar));
  g_assert_nonnull (strstr (_hm_find_bar_get_message (fixture->bar), "“w” at column 1"));
  g_assert_true (offered_as_text (fixture));

  /* Not for a hex typo that is no text mistake. */
  type_pattern (fixture, "4d 5");
  g_assert_true (_hm_find_bar_get_message_is_error (fixture->bar));
  g_assert_false (offered_as_text (fixture));

  type_pattern (fixture, "world");
  g_signal_emit_by_name (_hm_find_bar_get_as_text_button (fixture->bar), "clicked");
  g_object_get (fixture->bar, "text-mode", &text_mode, NULL);
  g_assert_true (text_mode);
  g_assert_false (_hm_find_bar_get_message_is_error (fixture->bar));
  g_assert_cmpstr (_hm_find_bar_get_message (fixture->bar), ==, "");
  g_assert_false (offered_as_text (fixture));
}

static int
natural_height (GtkWidget *widget,
                int        width)
{
  int min, nat;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &min, &nat, NULL, NULL);
  return nat;
}

/* The bar's height does not change when an error, a long message or the
 * progress appears (the view under it would jump), and it has no empty band:
 * with the replace row, the options and the list hidden it is the find row,
 * the message line and the margin between them, nothing more. */
static void
test_steady_height (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = hm_test_make_sparse ("height.bin", 8192);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  GtkWidget *bar = GTK_WIDGET (fixture->bar);
  GtkWidget *find_row = gtk_widget_get_parent (GTK_WIDGET (_hm_find_bar_get_entry (fixture->bar)));
  g_autofree char *long_message = NULL;
  GtkWidget *rows;
  int height;

  show_document (fixture, document);
  height = natural_height (bar, 900);
  rows = gtk_widget_get_parent (find_row);
  g_assert_cmpint (natural_height (rows, 900), ==,
                   natural_height (find_row, 900) + natural_height (fixture->bar->status_box, 900));
  g_assert_cmpint (gtk_widget_get_margin_top (fixture->bar->status_box), ==, 6);

  type_pattern (fixture, "wxyz");
  g_assert_true (_hm_find_bar_get_message_is_error (fixture->bar));
  g_assert_cmpint (natural_height (bar, 900), ==, height);

  long_message = g_strnfill (400, 'x');
  _hm_find_bar_set_message (fixture->bar, long_message, TRUE);
  g_assert_cmpint (natural_height (bar, 900), ==, height);

  _hm_find_bar_show_busy (fixture->bar, TRUE);
  g_assert_cmpint (natural_height (bar, 900), ==, height);
  _hm_find_bar_show_busy (fixture->bar, FALSE);
  _hm_find_bar_set_message (fixture->bar, NULL, FALSE);
  type_pattern (fixture, "");
  g_assert_cmpint (natural_height (bar, 900), ==, height);
}

static gboolean
list_shown_and_settled (gpointer data)
{
  Fixture *fixture = data;

  return gtk_revealer_get_child_revealed (fixture->bar->results_revealer) && fixture->bar->keep_visible_id == 0;
}

/* Find All opens the list above the view, which makes the view shorter: the
 * match selected on its last row must not end up out of sight. */
static void
test_find_all_keeps_match_visible (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *path = make_file ("visible.bin", planted_offsets, G_N_ELEMENTS (planted_offsets), &contents);
  g_autoptr(HmDocument) document = open_document (path, HM_DOCUMENT_MODE_READ_ONLY);
  guint64 match = planted_offsets[4];
  guint64 row;

  hm_hex_view_set_document (fixture->view, document);
  _hm_find_bar_attach (fixture->bar, fixture->view, document);
  hm_hex_view_set_fixed_bytes_per_row (fixture->view, 16);
  gtk_widget_set_vexpand (GTK_WIDGET (fixture->view), TRUE);
  gtk_window_set_default_size (fixture->window, 900, 500);
  gtk_window_present (fixture->window);
  g_assert_true (hm_ui_test_wait_for ((HmUiCondition) gtk_widget_get_mapped, fixture->view, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (50);
  g_assert_cmpuint (fixture->view->n_full_rows, >, 4);

  /* The match on the last full row. */
  row = match / 16;
  hm_hex_view_set_top_row (fixture->view, row - (fixture->view->n_full_rows - 1));
  hm_hex_view_set_selection (fixture->view, match, 4);
  hm_ui_test_spin (50);
  g_assert_cmpuint (row, <, fixture->view->top_row + fixture->view->n_full_rows);

  type_pattern (fixture, "de ad ?? ef");
  hm_find_bar_find_all (fixture->bar);
  wait_idle (fixture);
  g_assert_true (hm_ui_test_wait_for (list_shown_and_settled, fixture, HM_UI_TEST_WAIT_MS));
  hm_ui_test_spin (50);
  assert_selection (fixture, match, 4);
  g_test_message ("row %" G_GUINT64_FORMAT ", top %" G_GUINT64_FORMAT ", %u full rows", row,
                  fixture->view->top_row, fixture->view->n_full_rows);
  g_assert_cmpuint (row, >=, fixture->view->top_row);
  g_assert_cmpuint (row, <, fixture->view->top_row + fixture->view->n_full_rows);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/hm/find-bar/find/next-previous", Fixture, NULL, fixture_setup, test_find_next_previous,
              fixture_teardown);
  g_test_add ("/hm/find-bar/pattern/error", Fixture, NULL, fixture_setup, test_pattern_error, fixture_teardown);
  g_test_add ("/hm/find-bar/find-all/count-and-cap", Fixture, NULL, fixture_setup, test_find_all,
              fixture_teardown);
  g_test_add ("/hm/find-bar/replace/one", Fixture, NULL, fixture_setup, test_replace, fixture_teardown);
  g_test_add ("/hm/find-bar/replace/all", Fixture, NULL, fixture_setup, test_replace_all, fixture_teardown);
  g_test_add ("/hm/find-bar/replace/other-length", Fixture, NULL, fixture_setup, test_replace_other_length,
              fixture_teardown);
  g_test_add ("/hm/find-bar/replace/read-only", Fixture, NULL, fixture_setup, test_replace_read_only,
              fixture_teardown);
  g_test_add ("/hm/find-bar/fault/truncated", Fixture, NULL, fixture_setup, test_fault, fixture_teardown);
  g_test_add ("/hm/find-bar/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/hm/find-bar/attach", Fixture, NULL, fixture_setup, test_attach, fixture_teardown);
  g_test_add ("/hm/find-bar/results/follow-pattern", Fixture, NULL, fixture_setup, test_results_follow_pattern,
              fixture_teardown);
  g_test_add ("/hm/find-bar/replace/error-cleared", Fixture, NULL, fixture_setup, test_replace_error_cleared,
              fixture_teardown);
  g_test_add ("/hm/find-bar/position", Fixture, NULL, fixture_setup, test_position, fixture_teardown);
  g_test_add ("/hm/find-bar/pattern/offer-text", Fixture, NULL, fixture_setup, test_offer_text, fixture_teardown);
  g_test_add ("/hm/find-bar/layout/steady-height", Fixture, NULL, fixture_setup, test_steady_height,
              fixture_teardown);
  g_test_add ("/hm/find-bar/find-all/keeps-match-visible", Fixture, NULL, fixture_setup,
              test_find_all_keeps_match_visible, fixture_teardown);

  ret = g_test_run ();
  hm_test_cleanup ();
  return ret;
}

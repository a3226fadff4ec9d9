/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmFindBar, the results of Find All: the list (a GListStore of HmFindResult
 * shown by a GtkListView, each row with its offset and the first bytes of the
 * match) and the highlights in the view.
 *
 * Matches listed by Find All can go stale when the document changes: those
 * that overlap a changed range are checked again, and leave the list and the
 * highlights if they no longer match.
 *
 * Slow storage. Where the storage may stall (hm_document_get_may_stall(): network
 * and FUSE mounts) a read may wait for a server, or forever, so there the bar
 * reads nothing on the main thread: the preview of a row shown and the check of
 * a match after a change are queued, and a worker (hm_reader_read_ranges_async())
 * reads them a batch at a time, at most one batch in flight.
 * A row shows "…" until its bytes arrive; a match stays listed until its check
 * comes back (then its preview shows the new bytes). New results (Find All,
 * another document) drop what the worker read for the old ones. Local files
 * are read at once: they are mapped and answer in microseconds.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-find-bar-private.h"
#include "hm-find-result-private.h"
#include "hm-reader.h"

#define PREVIEW_BYTES        16
#define READ_BATCH           64
#define LOADING_TEXT         "…"

static void read_next (HmFindBar *self);

/* ---- Highlights ---- */

void
_hm_find_bar_apply_highlights (HmFindBar *self)
{
  if (self->view == NULL)
    return;
  hm_hex_view_set_highlights (self->view, self->revealed && self->highlights->len > 0 ? self->highlights : NULL);
}

void
_hm_find_bar_clear_results (HmFindBar *self)
{
  /* What is queued or in flight for these results is dropped with them. */
  self->generation++;
  if (self->read_cancellable != NULL)
    g_cancellable_cancel (self->read_cancellable);
  for (guint i = 0; i < self->wanted->len; i++)
    HM_FIND_RESULT (g_ptr_array_index (self->wanted, i))->queued = FALSE;
  g_ptr_array_set_size (self->wanted, 0);
  g_list_store_remove_all (self->results);
  g_clear_pointer (&self->results_pattern, hm_pattern_unref);
  g_array_set_size (self->highlights, 0);
  self->n_listed = 0;
  self->results_more = FALSE;
  gtk_revealer_set_reveal_child (self->results_revealer, FALSE);
  _hm_find_bar_apply_highlights (self);
  _hm_find_bar_update_position (self);
}

static void
rebuild_highlights (HmFindBar *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));

  g_array_set_size (self->highlights, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), i);
      HmRange range = { result->offset, result->length };

      if (!result->unreadable)
        g_array_append_val (self->highlights, range);
    }
  _hm_find_bar_apply_highlights (self);
  _hm_find_bar_update_position (self);
}

/* ---- Keeping the selection in sight ---- */

/* The list opening under the bar takes its height from the view: once it is
 * open (and the view has its new height) the selected match, or the cursor,
 * is brought back into view if it fell off the bottom. */
static void
keep_selection_visible (HmFindBar *self)
{
  guint64 target;

  if (self->view == NULL)
    return;
  target = hm_hex_view_get_selection_length (self->view) > 0 ? hm_hex_view_get_selection_start (self->view)
                                                             : hm_hex_view_get_cursor_offset (self->view);
  hm_hex_view_scroll_to_offset (self->view, target);
}

static gboolean
keep_visible_tick_cb (GtkWidget     *widget,
                      GdkFrameClock *clock,
                      gpointer       user_data)
{
  HmFindBar *self = user_data;

  /* Added during the frame that ended the animation: wait for the next one,
   * after that frame's layout gave the view its final height. */
  if (gdk_frame_clock_get_frame_counter (clock) <= self->keep_visible_frame)
    return G_SOURCE_CONTINUE;
  self->keep_visible_id = 0;
  keep_selection_visible (self);
  return G_SOURCE_REMOVE;
}

static void
results_revealed_cb (HmFindBar  *self,
                     GParamSpec *pspec,
                     GtkRevealer *revealer)
{
  GdkFrameClock *clock;

  if (self->view == NULL || !gtk_revealer_get_child_revealed (revealer) || self->keep_visible_id != 0)
    return;
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->view));
  if (clock == NULL)
    {
      keep_selection_visible (self);
      return;
    }
  self->keep_visible_frame = gdk_frame_clock_get_frame_counter (clock);
  self->keep_visible_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->view), keep_visible_tick_cb, self, NULL);
}

void
_hm_find_bar_cancel_keep_visible (HmFindBar *self)
{
  if (self->keep_visible_id != 0 && self->view != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->view), self->keep_visible_id);
  self->keep_visible_id = 0;
}

/* ---- Slow storage: previews and checks on a worker ---- */

static void
set_detail (GtkListItem *item,
            const char  *detail,
            gboolean     error)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkLabel *detail_label = GTK_LABEL (gtk_widget_get_last_child (box));

  gtk_label_set_text (detail_label, detail != NULL ? detail : "");
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (detail_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (detail_label), "error");
}

/* The detail text of a readable match: its first bytes, or "Unreadable" if
 * @bytes is %NULL. */
static char *
format_preview (HmFindResult *result,
                const guint8 *bytes,
                gssize        n)
{
  g_autofree char *hex = NULL;

  if (n <= 0)
    return g_strdup (_("Unreadable"));
  hex = hm_hex_view_format_bytes (bytes, (gsize) MIN ((guint64) n, (guint64) PREVIEW_BYTES),
                                  HM_COPY_FORMAT_HEX);
  if (result->length > (guint64) MIN (n, PREVIEW_BYTES))
    return g_strconcat (hex, " …", NULL);
  return g_steal_pointer (&hex);
}

static void
queue_read (HmFindBar    *self,
            HmFindResult *result,
            gboolean      check)
{
  if (check)
    result->want_check = TRUE;
  else
    result->want_preview = TRUE;
  if (!result->queued)
    {
      result->queued = TRUE;
      g_ptr_array_add (self->wanted, g_object_ref (result));
    }
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(HmFindBar) self = user_data;   /* the reference read_next() took */
  g_autoptr(GPtrArray) reading = g_steal_pointer (&self->reading);
  g_autoptr(GArray) checks = g_steal_pointer (&self->reading_checks);
  g_autoptr(GPtrArray) items = hm_reader_read_ranges_finish (res, NULL);
  gboolean removed = FALSE;

  g_clear_object (&self->read_cancellable);

  /* Disposed, or the results were cleared since: these are gone. */
  if (self->document == NULL || items == NULL || self->read_generation != self->generation)
    {
      if (self->document != NULL)
        read_next (self);
      return;
    }

  for (guint i = 0; i < reading->len; i++)
    {
      HmFindResult *result = g_ptr_array_index (reading, i);
      HmReadItem *read = g_ptr_array_index (items, i);
      gsize n = read->bytes != NULL ? g_bytes_get_size (read->bytes) : 0;
      const guint8 *bytes = read->bytes != NULL ? g_bytes_get_data (read->bytes, NULL) : NULL;
      GtkListItem *item;
      guint position;

      if (g_array_index (checks, gboolean, i)
          && (bytes == NULL || n != result->length || !hm_pattern_matches_at (self->results_pattern, bytes))
          && g_list_store_find (self->results, result, &position))
        {
          self->n_listed--;
          g_list_store_remove (self->results, position);
          removed = TRUE;
          continue;
        }

      g_free (result->preview);
      result->preview = format_preview (result, bytes, bytes != NULL ? (gssize) n : -1);
      item = g_hash_table_lookup (self->bound, result);
      if (item != NULL)
        set_detail (item, result->preview, FALSE);
    }
  if (removed)
    rebuild_highlights (self);
  read_next (self);
}

/* Sends the next batch of previews and checks to the worker, unless one is in
 * flight already. A check reads the whole match, which gives its preview too. */
static void
read_next (HmFindBar *self)
{
  g_autoptr(GArray) ranges = NULL;

  if (self->reading != NULL || self->document == NULL || self->wanted->len == 0)
    return;

  ranges = g_array_new (FALSE, FALSE, sizeof (HmRange));
  self->reading = g_ptr_array_new_with_free_func (g_object_unref);
  self->reading_checks = g_array_new (FALSE, FALSE, sizeof (gboolean));
  while (self->wanted->len > 0 && self->reading->len < READ_BATCH)
    {
      HmFindResult *result = g_ptr_array_steal_index (self->wanted, 0);
      gboolean check = result->want_check;
      HmRange range = { result->offset, check ? result->length : MIN (result->length, (guint64) PREVIEW_BYTES) };

      result->queued = FALSE;
      result->want_check = FALSE;
      result->want_preview = FALSE;
      /* A preview for a row scrolled away meanwhile waits until it is shown. */
      if (!check && !g_hash_table_contains (self->bound, result))
        {
          g_object_unref (result);
          continue;
        }
      g_ptr_array_add (self->reading, result);
      g_array_append_val (self->reading_checks, check);
      g_array_append_val (ranges, range);
    }
  if (self->reading->len == 0)
    {
      g_clear_pointer (&self->reading, g_ptr_array_unref);
      g_clear_pointer (&self->reading_checks, g_array_unref);
      return;
    }

  self->read_generation = self->generation;
  self->read_cancellable = g_cancellable_new ();
  hm_reader_read_ranges_async (self->document, (const HmRange *) (gpointer) ranges->data, ranges->len,
                               self->read_cancellable, read_done_cb, g_object_ref (self));
}

/* ---- Document tracking ---- */

/* Listed matches that overlap a change are checked again; those that no longer
 * match leave the list. A refresh or a truncation says "everything changed"
 * (0, G_MAXUINT64): the matches before the cut are still good, and stay. */
/* An insert or delete moved bytes: results after it move with them, and one the
 * edit cut into is gone. The "changed" that follows re-checks what moved. */
void
_hm_find_bar_content_changed_cb (HmFindBar  *self,
                                 guint64     offset,
                                 guint64     removed,
                                 guint64     added,
                                 HmDocument *document)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));

  for (guint i = n; i-- > 0;)
    {
      g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), i);

      if (result->offset + result->length <= offset)
        break;
      if (result->offset < offset || result->offset - offset < removed)
        {
          self->n_listed--;
          g_list_store_remove (self->results, i);
          continue;
        }
      result->offset = result->offset - removed + added;
    }
  if (n > 0)
    rebuild_highlights (self);
}

void
_hm_find_bar_document_changed_cb (HmFindBar  *self,
                                  guint64     offset,
                                  guint64     length,
                                  HmDocument *document)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  guint64 end = length > G_MAXUINT64 - offset ? G_MAXUINT64 : offset + length;
  g_autofree guint8 *buffer = NULL;
  gboolean removed = FALSE;

  /* A commit in a worker changes no bytes; only main-thread changes matter here. */
  if (g_thread_self () != self->thread || n == 0 || self->results_pattern == NULL)
    return;

  if (hm_document_get_may_stall (document))
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), i);

          if (result->unreadable || result->offset >= end || result->offset + result->length <= offset)
            continue;
          queue_read (self, result, TRUE);
        }
      read_next (self);
      return;
    }

  buffer = g_malloc (hm_pattern_get_length (self->results_pattern));
  for (guint i = n; i-- > 0;)
    {
      g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), i);

      if (result->unreadable || result->offset >= end || result->offset + result->length <= offset)
        continue;
      if (hm_document_read (document, result->offset, buffer, result->length, NULL) == (gssize) result->length
          && hm_pattern_matches_at (self->results_pattern, buffer))
        continue;
      self->n_listed--;
      g_list_store_remove (self->results, i);
      removed = TRUE;
    }
  if (removed)
    rebuild_highlights (self);
}

/* ---- Results list ---- */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *offset = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_widget_add_css_class (offset, "monospace");
  gtk_widget_add_css_class (detail, "monospace");
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (detail, TRUE);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_box_append (GTK_BOX (box), offset);
  gtk_box_append (GTK_BOX (box), detail);
  gtk_list_item_set_child (item, box);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  HmFindBar *self = user_data;
  HmFindResult *result = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkLabel *offset_label = GTK_LABEL (gtk_widget_get_first_child (box));
  g_autofree char *offset = g_strdup_printf ("0x%08" G_GINT64_MODIFIER "x", result->offset);
  g_autofree char *detail = NULL;

  g_hash_table_insert (self->bound, result, item);
  if (result->unreadable)
    {
      g_autofree char *size = g_format_size_full (result->length, G_FORMAT_SIZE_IEC_UNITS);

      detail = g_strdup_printf (_("Unreadable: %s skipped"), size);
    }
  else if (self->document != NULL && hm_document_get_may_stall (self->document))
    {
      if (result->preview == NULL)
        {
          queue_read (self, result, FALSE);
          read_next (self);
        }
      detail = g_strdup (result->preview != NULL ? result->preview : LOADING_TEXT);
    }
  else if (self->document != NULL)
    {
      guint8 bytes[PREVIEW_BYTES];
      gsize want = (gsize) MIN (result->length, (guint64) PREVIEW_BYTES);
      gssize n = hm_document_read (self->document, result->offset, bytes, want, NULL);

      detail = format_preview (result, bytes, n);
    }

  gtk_label_set_text (offset_label, offset);
  set_detail (item, detail, result->unreadable);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  HmFindBar *self = user_data;
  HmFindResult *result = gtk_list_item_get_item (item);

  if (result != NULL && g_hash_table_lookup (self->bound, result) == item)
    g_hash_table_remove (self->bound, result);
}

GListModel *
_hm_find_bar_get_results (HmFindBar *self)
{
  return G_LIST_MODEL (self->results);
}

void
_hm_find_bar_activate_result (HmFindBar *self,
                              guint      position)
{
  g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), position);

  if (result == NULL || self->view == NULL)
    return;
  if (result->unreadable)
    {
      hm_hex_view_set_cursor_offset (self->view, result->offset);
      hm_hex_view_reveal_offset (self->view, result->offset);
    }
  else
    _hm_find_bar_select_match (self, result->offset, result->length);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

/* The detail text row @position shows ("…" while it is being read), or %NULL
 * when the row is not shown. */
const char *
_hm_find_bar_get_preview (HmFindBar *self,
                          guint      position)
{
  g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), position);
  GtkListItem *item = result != NULL ? g_hash_table_lookup (self->bound, result) : NULL;

  if (item == NULL)
    return NULL;
  return gtk_label_get_text (GTK_LABEL (gtk_widget_get_last_child (gtk_list_item_get_child (item))));
}

/* The list view of the template shows the results. */
void
_hm_find_bar_results_init (HmFindBar *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
  gtk_list_view_set_factory (self->results_view, factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->results)));
  gtk_list_view_set_model (self->results_view, GTK_SELECTION_MODEL (selection));
  g_signal_connect_object (self->results_revealer, "notify::child-revealed", G_CALLBACK (results_revealed_cb), self,
                           G_CONNECT_SWAPPED);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView: a virtual hex view for files of any size.
 *
 * Scrolling. The vertical adjustment counts rows, not pixels, and the widget owns
 * the scrollbar beside it. A file of 2^62 bytes has 2^58 rows of 16 bytes: more
 * than a double holds exactly (53 bits). So the exact top row is a guint64 kept
 * by the widget, and the adjustment is only a coarse mirror of it: keyboard,
 * wheel and cursor moves change the guint64 and push an approximate value to the
 * adjustment (ignoring the echo); a drag of the scrollbar maps its value back to
 * a row, and a value at the end of the range means exactly the last page. Every
 * row stays reachable by keyboard, and every place in the file by dragging.
 *
 * Drawing. Only visible rows are drawn. Each frame copies the visible bytes once,
 * through the document's HmReader (core/hm-reader.c), into a buffer the widget
 * reuses; no pointer into mapped memory outlives the call. Pages that fail are
 * drawn as `??`; where the storage may stall, bytes not read yet as a placeholder
 * while the reader's worker fetches them. Backgrounds come
 * first (edits, search matches, selection, cursor), then the text: every glyph
 * of the monospace font is shaped once into a cache, and each row becomes one text
 * node per colour, filled straight from the cache, with no Pango layout per row.
 *
 * Colours. data/style.css defines named colours (`@define-color hm_zero_color …`)
 * derived from the theme's own colours, so they follow the light or dark style; the
 * widget looks them up by name for each frame and falls back to a built-in palette
 * when the style sheet is missing.
 *
 * Files. This one holds the class: properties, signals, the cursor and selection,
 * the document, size allocation, init and dispose. Each other job has a file,
 * all sharing the instance struct and `_hm_hex_view_*` calls through
 * hm-hex-view-private.h:
 *   hm-hex-view-geometry.c   rows and columns, from a point to a byte
 *   hm-hex-view-scroll.c     the position (row and pixel) and the scrollbar
 *   hm-hex-view-draw.c       the glyph cache, colours and the snapshot
 *   hm-hex-view-read.c       the visible bytes and their flags, faults, the reader
 *   hm-hex-view-edit.c       typing and overwriting
 *   hm-hex-view-clipboard.c  copy, paste and the byte formats
 *   hm-hex-view-input.c      keys, mouse, wheel and kinetic scrolling
 *   hm-hex-view-actions.c    actions and their shortcuts
 *   hm-hex-view-holes.c      hole navigation
 *   hm-hex-view-marks.c      bookmarks marked under their bytes
 *   hm-hex-view-menu.c       the context menu (right click, Shift+F10, Menu)
 *   hm-hex-view-zoom.c       zoom: Ctrl+plus/minus/0 and Ctrl+wheel
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-hex-view-private.h"

G_DEFINE_FINAL_TYPE (HmHexView, hm_hex_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_DOCUMENT,
  PROP_CURSOR_OFFSET,
  PROP_SELECTION_START,
  PROP_SELECTION_LENGTH,
  PROP_PANE,
  PROP_BYTES_PER_ROW,
  PROP_GROUP_SIZE,
  PROP_INSERT_MODE,
  PROP_OFFSET_FORMAT,
  PROP_COLUMN_GAP,
  PROP_SHOW_HEADER,
  PROP_ZOOM,
  N_PROPS
};

enum
{
  SIGNAL_READ_FAULT,
  SIGNAL_HINT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- Signals: the other files emit them through these ---- */

void
_hm_hex_view_hint (HmHexView  *self,
                   const char *message)
{
  g_signal_emit (self, signals[SIGNAL_HINT], 0, message);
}

void
_hm_hex_view_emit_read_fault (HmHexView    *self,
                              const GError *error)
{
  g_signal_emit (self, signals[SIGNAL_READ_FAULT], 0, error);
}

/* ---- Cursor and selection ---- */

guint64
hm_hex_view_get_selection_start (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  return self->has_selection ? MIN (self->anchor, self->cursor) : self->cursor;
}

guint64
hm_hex_view_get_selection_length (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  if (!self->has_selection)
    return 0;
  return MAX (self->anchor, self->cursor) - MIN (self->anchor, self->cursor) + 1;
}

static void
ensure_cursor_visible (HmHexView *self)
{
  guint64 row = self->cursor / self->bytes_per_row;
  guint rows = MAX (self->n_full_rows, 1);

  if (row < self->top_row || (row == self->top_row && self->scroll_pixel > 0))
    hm_hex_view_set_top_row (self, row);
  else if (row >= self->top_row + rows)
    hm_hex_view_set_top_row (self, row - rows + 1);
}

/* Moves the cursor; with @extend the selection grows from its anchor, without it
 * the selection goes away. Notifies only what changed. */
void
_hm_hex_view_move_cursor (HmHexView *self,
                          guint64    offset,
                          gboolean   extend)
{
  guint64 old_start = hm_hex_view_get_selection_start (self);
  guint64 old_length = hm_hex_view_get_selection_length (self);
  guint64 old_cursor = self->cursor;
  guint64 size = _hm_hex_view_doc_size (self);

  offset = MIN (offset, _hm_hex_view_last_cursor (self, size));

  if (extend && !self->has_selection)
    {
      self->anchor = self->cursor;
      self->has_selection = TRUE;
    }
  else if (!extend)
    {
      self->has_selection = FALSE;
      self->anchor = offset;
    }
  self->cursor = offset;
  self->low_nibble = FALSE;
  /* A jump ends the typing run (hm-hex-view-edit.c) */
  if (!self->typing)
    self->typing_run = FALSE;

  ensure_cursor_visible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (old_cursor != self->cursor)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR_OFFSET]);
      _hm_hex_view_announce_cursor (self);
    }
  if (old_start != hm_hex_view_get_selection_start (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_START]);
  if (old_length != hm_hex_view_get_selection_length (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_LENGTH]);
  g_object_thaw_notify (G_OBJECT (self));
}

guint64
hm_hex_view_get_cursor_offset (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  return self->cursor;
}

void
hm_hex_view_set_cursor_offset (HmHexView *self,
                               guint64    offset)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  _hm_hex_view_move_cursor (self, offset, FALSE);
}

void
hm_hex_view_set_selection (HmHexView *self,
                           guint64    start,
                           guint64    length)
{
  guint64 size;

  g_return_if_fail (HM_IS_HEX_VIEW (self));

  size = _hm_hex_view_doc_size (self);
  if (length == 0 || size == 0)
    {
      _hm_hex_view_move_cursor (self, start, FALSE);
      return;
    }
  start = MIN (start, size - 1);
  length = MIN (length, size - start);
  _hm_hex_view_move_cursor (self, start, FALSE);
  _hm_hex_view_move_cursor (self, start + length - 1, TRUE);
}

void
hm_hex_view_select_all (HmHexView *self)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  hm_hex_view_set_selection (self, 0, _hm_hex_view_doc_size (self));
}

HmHexPane
hm_hex_view_get_pane (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), HM_HEX_PANE_HEX);
  return self->pane;
}

void
hm_hex_view_set_pane (HmHexView *self,
                      HmHexPane  pane)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  g_return_if_fail (pane == HM_HEX_PANE_HEX || pane == HM_HEX_PANE_TEXT);

  if (self->pane == pane)
    return;
  self->pane = pane;
  self->low_nibble = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PANE]);
}

/* ---- Document ---- */

static void
document_changed_cb (HmHexView  *self,
                     guint64     offset,
                     guint64     length,
                     HmDocument *document)
{
  _hm_hex_view_invalidate_ranges (self);
  self->fault_reported = FALSE;
  if (self->reader != NULL)
    hm_reader_invalidate (self->reader, offset, length);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
document_size_cb (HmHexView  *self,
                  GParamSpec *pspec,
                  HmDocument *document)
{
  guint64 size = _hm_hex_view_doc_size (self);

  if (self->reader != NULL)
    hm_reader_invalidate (self->reader, 0, G_MAXUINT64);
  if (self->cursor > _hm_hex_view_last_cursor (self, size))
    _hm_hex_view_move_cursor (self, _hm_hex_view_last_cursor (self, size), FALSE);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
document_mode_cb (HmHexView  *self,
                  GParamSpec *pspec,
                  HmDocument *document)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_READ_ONLY, !_hm_hex_view_is_editable (self),
                                  -1);
  _hm_hex_view_invalidate_ranges (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Reads on a worker, or not, as the document now says. */
static void
document_may_stall_cb (HmHexView  *self,
                       GParamSpec *pspec,
                       HmDocument *document)
{
  _hm_hex_view_update_reader (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
disconnect_document (HmHexView *self)
{
  if (self->document == NULL)
    return;
  g_clear_pointer (&self->reader, hm_reader_free);
  g_clear_signal_handler (&self->changed_id, self->document);
  g_clear_signal_handler (&self->size_id, self->document);
  g_clear_signal_handler (&self->mode_id, self->document);
  g_clear_signal_handler (&self->may_stall_id, self->document);
  g_clear_object (&self->document);
}

HmDocument *
hm_hex_view_get_document (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), NULL);
  return self->document;
}

void
hm_hex_view_set_document (HmHexView  *self,
                          HmDocument *document)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  g_return_if_fail (document == NULL || HM_IS_DOCUMENT (document));

  if (self->document == document)
    return;

  disconnect_document (self);
  _hm_hex_view_invalidate_ranges (self);
  self->fault_reported = FALSE;
  if (document != NULL)
    {
      self->document = g_object_ref (document);
      self->changed_id = g_signal_connect_object (document, "changed", G_CALLBACK (document_changed_cb),
                                                  self, G_CONNECT_SWAPPED);
      self->size_id = g_signal_connect_object (document, "notify::size", G_CALLBACK (document_size_cb),
                                               self, G_CONNECT_SWAPPED);
      self->mode_id = g_signal_connect_object (document, "notify::mode", G_CALLBACK (document_mode_cb),
                                               self, G_CONNECT_SWAPPED);
      self->may_stall_id = g_signal_connect_object (document, "notify::may-stall",
                                                    G_CALLBACK (document_may_stall_cb),
                                                    self, G_CONNECT_SWAPPED);
    }
  _hm_hex_view_update_reader (self);
  self->offset_digits = _hm_hex_view_offset_digits (self);
  self->top_row = 0;
  self->scroll_pixel = 0;
  self->scroll_remainder = 0;
  _hm_hex_view_move_cursor (self, 0, FALSE);
  document_mode_cb (self, NULL, document);
  _hm_hex_view_announce_cursor (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

/* ---- GtkWidget ---- */

static void
hm_hex_view_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  HmHexView *self = HM_HEX_VIEW (widget);

  _hm_hex_view_snapshot_content (self, snapshot);
  gtk_widget_snapshot_child (widget, self->scrollbar, snapshot);
}

static void
hm_hex_view_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  HmHexView *self = HM_HEX_VIEW (widget);
  int sb_min, sb_nat;

  _hm_hex_view_ensure_font (self);
  gtk_widget_measure (self->scrollbar, orientation, -1, &sb_min, &sb_nat, NULL, NULL);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* The minimum is one byte a row beside the whole offset: a narrower window
       * drops bytes from the rows, never digits from the offsets. */
      guint digits = _hm_hex_view_offset_digits (self);
      guint nat_bpr = self->fixed_bytes_per_row > 0 ? self->fixed_bytes_per_row : 16;
      guint old_digits = self->offset_digits;
      int min_cols, nat_cols;

      self->offset_digits = digits;
      min_cols = _hm_hex_view_total_cols (self, 1);
      nat_cols = _hm_hex_view_total_cols (self, nat_bpr);
      self->offset_digits = old_digits;
      *minimum = (int) (min_cols * self->cell_width + 0.999) + sb_nat;
      *natural = (int) (nat_cols * self->cell_width + 0.999) + sb_nat;
    }
  else
    {
      int header = self->show_header ? self->row_height : 0;

      *minimum = MAX (header + self->row_height * 2, sb_min);
      *natural = MAX (header + self->row_height * 24, sb_nat);
    }
}

static void
hm_hex_view_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  HmHexView *self = HM_HEX_VIEW (widget);
  int sb_min, sb_nat;
  guint old_bpr = self->bytes_per_row;
  guint old_rows = self->n_full_rows;
  int old_row_height = self->row_height;
  guint64 top_offset = self->top_row * old_bpr;
  guint64 cursor_row = self->cursor / old_bpr;
  /* Where the cursor stood on screen, if it was there: a new font, row width or
   * window size keeps it on the same screen row, or the nearest one left. */
  gboolean cursor_shown = self->document != NULL && self->content_height > 0
                          && cursor_row >= self->top_row && cursor_row < self->top_row + old_rows;
  guint64 cursor_screen_row = cursor_shown ? cursor_row - self->top_row : 0;
  HmHexLayout layout;

  _hm_hex_view_ensure_font (self);
  gtk_widget_measure (self->scrollbar, GTK_ORIENTATION_HORIZONTAL, -1, &sb_min, &sb_nat, NULL, NULL);

  self->header_height = self->show_header ? self->row_height : 0;
  self->content_width = MAX (width - sb_nat, 0);
  self->content_height = MAX (height - self->header_height, 0);
  _hm_hex_view_compute_layout (self, self->content_width, &layout);
  self->offset_digits = layout.offset_digits;
  self->bytes_per_row = layout.bytes_per_row;
  self->n_full_rows = (guint) MAX (self->content_height / MAX (self->row_height, 1), 1);
  /* The font may have changed the row height. */
  self->scroll_pixel = CLAMP (self->scroll_pixel, 0, MAX (self->row_height - 1, 0));

  if (old_bpr != self->bytes_per_row)
    {
      self->top_row = top_offset / self->bytes_per_row;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_PER_ROW]);
    }
  if (cursor_shown
      && (old_bpr != self->bytes_per_row || old_rows != self->n_full_rows || old_row_height != self->row_height))
    {
      guint64 row = self->cursor / self->bytes_per_row;
      guint64 screen_row = MIN (cursor_screen_row, (guint64) self->n_full_rows - 1);
      guint64 top = row - MIN (row, screen_row);

      self->top_row = MIN (top, _hm_hex_view_max_top_row (self));
      if (old_bpr != self->bytes_per_row || row == self->top_row)
        self->scroll_pixel = 0;
    }
  if (self->center_pending && self->content_height > 0)
    {
      guint64 row = self->center_offset / self->bytes_per_row;

      self->center_pending = FALSE;
      self->top_row = row > self->n_full_rows / 2 ? row - self->n_full_rows / 2 : 0;
      self->scroll_pixel = 0;
    }
  /* Configure the adjustment first: the scrollbar lays out its slider from it. */
  _hm_hex_view_sync_adjustment (self);
  gtk_widget_size_allocate (self->scrollbar,
                            &(GtkAllocation) { self->content_width, 0, sb_nat, height }, -1);
  if (self->context_menu != NULL)
    gtk_popover_present (GTK_POPOVER (self->context_menu));
}

static void
hm_hex_view_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  HmHexView *self = HM_HEX_VIEW (widget);

  GTK_WIDGET_CLASS (hm_hex_view_parent_class)->css_changed (widget, change);
  _hm_hex_view_clear_font (self);
  gtk_widget_queue_resize (widget);
}

static void
hm_hex_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HmHexView *self = HM_HEX_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_CURSOR_OFFSET:
      g_value_set_uint64 (value, self->cursor);
      break;
    case PROP_SELECTION_START:
      g_value_set_uint64 (value, hm_hex_view_get_selection_start (self));
      break;
    case PROP_SELECTION_LENGTH:
      g_value_set_uint64 (value, hm_hex_view_get_selection_length (self));
      break;
    case PROP_PANE:
      g_value_set_enum (value, self->pane);
      break;
    case PROP_BYTES_PER_ROW:
      g_value_set_uint (value, self->fixed_bytes_per_row);
      break;
    case PROP_GROUP_SIZE:
      g_value_set_uint (value, self->group_size);
      break;
    case PROP_INSERT_MODE:
      g_value_set_boolean (value, self->insert_mode);
      break;
    case PROP_OFFSET_FORMAT:
      g_value_set_enum (value, self->offset_format);
      break;
    case PROP_COLUMN_GAP:
      g_value_set_uint (value, self->column_gap);
      break;
    case PROP_SHOW_HEADER:
      g_value_set_boolean (value, self->show_header);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_hex_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HmHexView *self = HM_HEX_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      hm_hex_view_set_document (self, g_value_get_object (value));
      break;
    case PROP_CURSOR_OFFSET:
      hm_hex_view_set_cursor_offset (self, g_value_get_uint64 (value));
      break;
    case PROP_PANE:
      hm_hex_view_set_pane (self, g_value_get_enum (value));
      break;
    case PROP_BYTES_PER_ROW:
      hm_hex_view_set_fixed_bytes_per_row (self, g_value_get_uint (value));
      break;
    case PROP_GROUP_SIZE:
      hm_hex_view_set_group_size (self, g_value_get_uint (value));
      break;
    case PROP_INSERT_MODE:
      hm_hex_view_set_insert_mode (self, g_value_get_boolean (value));
      break;
    case PROP_OFFSET_FORMAT:
      hm_hex_view_set_offset_format (self, g_value_get_enum (value));
      break;
    case PROP_COLUMN_GAP:
      hm_hex_view_set_column_gap (self, g_value_get_uint (value));
      break;
    case PROP_SHOW_HEADER:
      hm_hex_view_set_show_header (self, g_value_get_boolean (value));
      break;
    case PROP_ZOOM:
      hm_hex_view_set_zoom (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_hex_view_dispose (GObject *object)
{
  HmHexView *self = HM_HEX_VIEW (object);

  _hm_hex_view_stop_kinetic (self);
  g_clear_handle_id (&self->fault_idle, g_source_remove);
  disconnect_document (self);
  _hm_hex_view_dispose_menu (self);
  g_clear_pointer (&self->scrollbar, gtk_widget_unparent);
  G_OBJECT_CLASS (hm_hex_view_parent_class)->dispose (object);
}

static void
hm_hex_view_finalize (GObject *object)
{
  HmHexView *self = HM_HEX_VIEW (object);

  _hm_hex_view_clear_font (self);
  _hm_hex_view_invalidate_ranges (self);
  g_clear_pointer (&self->highlights, g_array_unref);
  g_clear_pointer (&self->differences, g_array_unref);
  g_clear_pointer (&self->marks, g_array_unref);
  for (guint i = 0; i < N_INKS; i++)
    g_clear_pointer (&self->runs[i].glyphs, pango_glyph_string_free);
  g_clear_pointer (&self->bytes, g_free);
  g_clear_pointer (&self->flags, g_free);
  g_clear_error (&self->fault_error);
  g_clear_object (&self->vadjustment);
  G_OBJECT_CLASS (hm_hex_view_parent_class)->finalize (object);
}

static void
hm_hex_view_class_init (HmHexViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  _hm_hex_view_classify_bytes ();

  object_class->get_property = hm_hex_view_get_property;
  object_class->set_property = hm_hex_view_set_property;
  object_class->dispose = hm_hex_view_dispose;
  object_class->finalize = hm_hex_view_finalize;

  widget_class->snapshot = hm_hex_view_snapshot;
  widget_class->measure = hm_hex_view_measure;
  widget_class->size_allocate = hm_hex_view_size_allocate;
  widget_class->css_changed = hm_hex_view_css_changed;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, HM_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CURSOR_OFFSET] =
    g_param_spec_uint64 ("cursor-offset", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTION_START] =
    g_param_spec_uint64 ("selection-start", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTION_LENGTH] =
    g_param_spec_uint64 ("selection-length", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PANE] =
    g_param_spec_enum ("pane", NULL, NULL, HM_TYPE_HEX_PANE, HM_HEX_PANE_HEX,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BYTES_PER_ROW] =
    g_param_spec_uint ("bytes-per-row", NULL, NULL, 0, MAX_BYTES_PER_ROW, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_GROUP_SIZE] =
    g_param_spec_uint ("group-size", NULL, NULL, 1, 8, 1,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * HmHexView:insert-mode:
   *
   * Whether typing and pasting insert bytes at the cursor (the Insert key
   * toggles it) instead of overwriting them. In insert mode the cursor may also
   * stand just past the last byte, to append.
   */
  properties[PROP_INSERT_MODE] =
    g_param_spec_boolean ("insert-mode", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * HmHexView:offset-format:
   *
   * How the offset column (and hm_hex_view_format_offset()) writes offsets.
   */
  properties[PROP_OFFSET_FORMAT] =
    g_param_spec_enum ("offset-format", NULL, NULL, HM_TYPE_OFFSET_FORMAT, HM_OFFSET_FORMAT_HEX,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * HmHexView:column-gap:
   *
   * An extra space in the hex column every this many bytes (as `hexdump -C`
   * does every 8); 0, or no more than the group size, for none.
   */
  properties[PROP_COLUMN_GAP] =
    g_param_spec_uint ("column-gap", NULL, NULL, 0, MAX_BYTES_PER_ROW, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * HmHexView:show-header:
   *
   * Whether a header row names the columns (`00 01 … 0f`, in the offset
   * format) above the hex and the text column.
   */
  properties[PROP_SHOW_HEADER] =
    g_param_spec_boolean ("show-header", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * HmHexView:zoom:
   *
   * The scale of the font's size (Ctrl+plus, Ctrl+minus, Ctrl+0, Ctrl+wheel).
   */
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, HM_HEX_VIEW_ZOOM_MIN, HM_HEX_VIEW_ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_READ_FAULT] =
    g_signal_new ("read-fault", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_HINT] =
    g_signal_new ("hint", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  _hm_hex_view_class_init_actions (widget_class);
  _hm_hex_view_class_init_zoom (widget_class);

  gtk_widget_class_set_css_name (widget_class, "hexview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_TEXT_BOX);
}

static void
hm_hex_view_init (HmHexView *self)
{
  self->group_size = 1;
  self->bytes_per_row = 16;
  self->offset_digits = 4;
  self->n_full_rows = 1;
  self->zoom = 1.0;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  _hm_hex_view_init_scrollbar (self);
  _hm_hex_view_init_input (self);
  _hm_hex_view_init_menu (self);
  _hm_hex_view_init_zoom (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Hex view"),
                                  GTK_ACCESSIBLE_PROPERTY_MULTI_LINE, TRUE,
                                  -1);
}

GtkWidget *
hm_hex_view_new (void)
{
  return g_object_new (HM_TYPE_HEX_VIEW, NULL);
}

guint
hm_hex_view_get_bytes_per_row (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 16);
  return self->bytes_per_row;
}

guint
hm_hex_view_get_fixed_bytes_per_row (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  return self->fixed_bytes_per_row;
}

/**
 * hm_hex_view_set_fixed_bytes_per_row:
 * @self: a #HmHexView
 * @bytes_per_row: bytes in a row, or 0 to fit the row to the width
 */
void
hm_hex_view_set_fixed_bytes_per_row (HmHexView *self,
                                     guint      bytes_per_row)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  g_return_if_fail (bytes_per_row <= MAX_BYTES_PER_ROW);

  if (self->fixed_bytes_per_row == bytes_per_row)
    return;
  self->fixed_bytes_per_row = bytes_per_row;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_PER_ROW]);
}

guint
hm_hex_view_get_group_size (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 1);
  return self->group_size;
}

/**
 * hm_hex_view_set_group_size:
 * @self: a #HmHexView
 * @group_size: 1, 2, 4 or 8 bytes shown together in the hex pane
 */
void
hm_hex_view_set_group_size (HmHexView *self,
                            guint      group_size)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  g_return_if_fail (group_size == 1 || group_size == 2 || group_size == 4 || group_size == 8);

  if (self->group_size == group_size)
    return;
  self->group_size = group_size;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_SIZE]);
}

/**
 * hm_hex_view_get_insert_mode:
 * @self: a #HmHexView
 *
 * Returns: %TRUE when typing and pasting insert bytes instead of overwriting them
 */
gboolean
hm_hex_view_get_insert_mode (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), FALSE);
  return self->insert_mode;
}

/**
 * hm_hex_view_set_insert_mode:
 * @self: a #HmHexView
 * @insert_mode: whether typing and pasting insert bytes
 *
 * Leaving insert mode moves a cursor that stood past the last byte back onto it.
 */
void
hm_hex_view_set_insert_mode (HmHexView *self,
                             gboolean   insert_mode)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));

  insert_mode = !!insert_mode;
  if (self->insert_mode == insert_mode)
    return;
  self->insert_mode = insert_mode;
  self->low_nibble = FALSE;
  if (self->document != NULL)
    {
      guint64 last = _hm_hex_view_last_cursor (self, _hm_hex_view_doc_size (self));

      if (self->cursor > last)
        _hm_hex_view_move_cursor (self, last, FALSE);
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INSERT_MODE]);
}

/* ---- Layout: offset format, gaps, header, zoom ---- */

HmOffsetFormat
hm_hex_view_get_offset_format (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), HM_OFFSET_FORMAT_HEX);
  return self->offset_format;
}

void
hm_hex_view_set_offset_format (HmHexView      *self,
                               HmOffsetFormat  format)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  g_return_if_fail (format == HM_OFFSET_FORMAT_HEX || format == HM_OFFSET_FORMAT_DECIMAL);

  if (self->offset_format == format)
    return;
  self->offset_format = format;
  self->offset_digits = _hm_hex_view_offset_digits (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFSET_FORMAT]);
}

guint
hm_hex_view_get_column_gap (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 0);
  return self->column_gap;
}

/**
 * hm_hex_view_set_column_gap:
 * @self: a #HmHexView
 * @column_gap: an extra space every this many bytes, or 0 for none
 */
void
hm_hex_view_set_column_gap (HmHexView *self,
                            guint      column_gap)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));
  g_return_if_fail (column_gap <= MAX_BYTES_PER_ROW);

  if (self->column_gap == column_gap)
    return;
  self->column_gap = column_gap;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLUMN_GAP]);
}

gboolean
hm_hex_view_get_show_header (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), FALSE);
  return self->show_header;
}

void
hm_hex_view_set_show_header (HmHexView *self,
                             gboolean   show_header)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));

  show_header = !!show_header;
  if (self->show_header == show_header)
    return;
  self->show_header = show_header;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_HEADER]);
}

double
hm_hex_view_get_zoom (HmHexView *self)
{
  g_return_val_if_fail (HM_IS_HEX_VIEW (self), 1.0);
  return self->zoom;
}

/**
 * hm_hex_view_set_zoom:
 * @self: a #HmHexView
 * @zoom: the scale of the font's size, clamped to 0.5 … 4
 *
 * The cursor stays where it was on screen (see size_allocate).
 */
void
hm_hex_view_set_zoom (HmHexView *self,
                      double     zoom)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));

  zoom = CLAMP (zoom, HM_HEX_VIEW_ZOOM_MIN, HM_HEX_VIEW_ZOOM_MAX);
  if (G_APPROX_VALUE (self->zoom, zoom, 1e-6))
    return;
  self->zoom = zoom;
  _hm_hex_view_clear_font (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

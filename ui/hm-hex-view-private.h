/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-hex-view.h"
#include "hm-reader.h"

G_BEGIN_DECLS

/*
 * What the files of HmHexView share: hm-hex-view.c and the hm-hex-view-<job>.c
 * files (see the comment at the top of hm-hex-view.c) include this header for
 * the instance struct and the calls between them. Tests and benchmarks use the
 * calls at the end (which some of the files call too).
 */

#define MAX_BYTES_PER_ROW 1024u

enum
{
  INK_OFFSET,
  INK_ZERO,
  INK_PRINTABLE,
  INK_SPACE,
  INK_CONTROL,
  INK_HIGH,
  INK_HOLE,
  INK_FAULT,
  INK_LOADING,
  N_INKS
};

enum
{
  COLOR_SELECTION = N_INKS,
  COLOR_CURSOR,
  COLOR_PENDING,
  COLOR_COMMITTED,
  COLOR_MATCH,
  COLOR_DIFFERENCE,
  COLOR_SEPARATOR,
  COLOR_MARK,
  N_COLORS
};

enum
{
  FLAG_HOLE      = 1 << 0,
  FLAG_FAULT     = 1 << 1,
  FLAG_PENDING   = 1 << 2,
  FLAG_COMMITTED = 1 << 3,
  FLAG_MISSING   = 1 << 4,
  FLAG_MATCH     = 1 << 5,
  FLAG_LOADING   = 1 << 6,
  FLAG_DIFFERENT = 1 << 7,
};

typedef struct
{
  PangoGlyphString *glyphs;
  int               n;
  int               start_col;
  int               end_col;
  double            ink_right;
} GlyphRun;

struct _HmHexView
{
  GtkWidget      parent_instance;

  HmDocument    *document;
  gulong         changed_id;
  gulong         size_id;
  gulong         mode_id;
  gulong         may_stall_id;

  GtkWidget     *scrollbar;
  GtkAdjustment *vadjustment;
  gboolean       updating_adjustment;

  /* Geometry. Columns are character cells; x = column * cell_width. */
  guint          fixed_bytes_per_row;
  guint          group_size;
  guint          bytes_per_row;
  guint          offset_digits;
  int            content_width;
  int            content_height;
  guint          n_full_rows;
  guint64        top_row;
  /* Smooth scrolling: how many pixels of the top row are scrolled out of view
   * (0 .. row_height - 1), and the fraction of a pixel not applied yet. */
  int            scroll_pixel;
  double         scroll_remainder;
  double         kinetic_velocity;   /* pixels per second */
  gint64         kinetic_last_time;
  guint          kinetic_tick;

  /* Cursor and selection; the selection runs from anchor to cursor, inclusive. */
  guint64        cursor;
  guint64        anchor;
  gboolean       has_selection;
  HmHexPane      pane;
  gboolean       low_nibble;
  gboolean       insert_mode;
  guint64        drag_anchor;
  gboolean       center_pending;
  guint64        center_offset;

  /* Glyph cache for the current font. */
  PangoFontDescription *font_desc;
  PangoFont     *font;
  PangoGlyph     glyph_of[128];
  int            glyph_width;
  double         cell_width;
  int            row_height;
  int            ascent;
  float          ink_left[128];
  float          ink_right[128];
  GlyphRun       runs[N_INKS];
  GdkRGBA        colors[N_COLORS];
  /* While the text of a frame is built: where full runs go. */
  GtkSnapshot   *text_snapshot;
  float          text_baseline;

  /* Per-frame buffers, reused. */
  guint8        *bytes;
  guint8        *flags;
  gsize          buffer_size;

  /* Edited ranges, fetched again after the document changes. */
  GArray        *pending;
  GArray        *committed;
  gboolean       ranges_valid;

  /* Search matches to highlight: HmRange, sorted, disjoint; NULL for none. */
  GArray        *highlights;
  /* Differences from a compare (ui/hm-compare-view.c): HmRange, sorted, disjoint,
   * shared with the compare, which appends to it as results stream in. */
  GArray        *differences;

  gboolean       fault_reported;
  GError        *fault_error;
  guint          fault_idle;

  /* The visible bytes: read in the frame, or by a worker thread where the
   * storage may stall (network and FUSE mounts). NULL without a document. */
  HmReader      *reader;
  gboolean       cursor_loading;

  guint          frames_drawn;

  /* Layout (issue 15: offsets never cut, column header, offset format, gaps,
   * zoom; hm-hex-view-geometry.c and hm-hex-view-zoom.c). */
  HmOffsetFormat offset_format;
  guint          column_gap;         /* an extra space every N bytes; 0 for none */
  gboolean       show_header;
  int            header_height;      /* pixels above the first row */
  double         zoom;               /* scale of the font's size */
  double         zoom_scroll;        /* Ctrl+touchpad scrolling not applied yet */

  /* Input (hm-hex-view-edit.c, -input.c, -menu.c): undo steps as the user sees
   * them, bookmarks marked, and the context menu. */
  gboolean       typing;        /* an edit of the view is moving the cursor */
  gboolean       typing_run;    /* typed last, and the cursor has not jumped since */
  HmHexPane      typing_pane;
  gint64         typing_time;   /* monotonic, of the last typed byte */
  GArray        *marks;         /* HmRange, sorted by offset; NULL for none */
  GtkWidget     *context_menu;
};

/* What a width gives: see _hm_hex_view_compute_layout(). */
typedef struct
{
  guint          offset_digits;
  guint          bytes_per_row;
  int            total_cols;
  double         width;              /* pixels the columns take */
} HmHexLayout;

#define HM_HEX_VIEW_ZOOM_MIN 0.5
#define HM_HEX_VIEW_ZOOM_MAX 4.0

/* Hex digits for the text of the view and of the clipboard. */
static const char hex_digits[] = "0123456789abcdef";

/* ---- Calls between the files ---- */

/* hm-hex-view.c (signals, cursor) */
void        _hm_hex_view_hint               (HmHexView  *self,
                                             const char *message);
void        _hm_hex_view_emit_read_fault    (HmHexView  *self,
                                             const GError *error);
void        _hm_hex_view_move_cursor        (HmHexView  *self,
                                             guint64     offset,
                                             gboolean    extend);

/* hm-hex-view-geometry.c */
guint64     _hm_hex_view_doc_size           (HmHexView  *self);
guint64     _hm_hex_view_last_cursor        (HmHexView  *self,
                                             guint64     size);
guint64     _hm_hex_view_n_rows             (HmHexView  *self);
guint64     _hm_hex_view_max_top_row        (HmHexView  *self);
guint       _hm_hex_view_digits_for_size    (guint64     size);
guint64     _hm_hex_view_max_offset         (HmHexView  *self);
guint       _hm_hex_view_offset_digits      (HmHexView  *self);
void        _hm_hex_view_compute_layout     (HmHexView  *self,
                                             int         width,
                                             HmHexLayout *layout);
int         _hm_hex_view_format_offset      (HmHexView  *self,
                                             guint64     offset,
                                             char       *buffer);
int         _hm_hex_view_hex_col            (HmHexView  *self);
int         _hm_hex_view_text_col           (HmHexView  *self);
int         _hm_hex_view_total_cols         (HmHexView  *self,
                                             guint       bytes_per_row);
int         _hm_hex_view_hex_byte_col       (HmHexView  *self,
                                             guint       index);
guint64     _hm_hex_view_hit_test           (HmHexView  *self,
                                             double      x,
                                             double      y,
                                             HmHexPane  *pane);

/* hm-hex-view-scroll.c */
void        _hm_hex_view_init_scrollbar     (HmHexView  *self);
void        _hm_hex_view_sync_adjustment    (HmHexView  *self);
void        _hm_hex_view_scroll_by_rows     (HmHexView  *self,
                                             gint64      delta);

/* hm-hex-view-draw.c */
void        _hm_hex_view_classify_bytes     (void);
void        _hm_hex_view_ensure_font        (HmHexView  *self);
void        _hm_hex_view_clear_font         (HmHexView  *self);

/* hm-hex-view-read.c */
void        _hm_hex_view_read_visible       (HmHexView  *self,
                                             guint64     first,
                                             gsize       length);
void        _hm_hex_view_invalidate_ranges  (HmHexView  *self);
void        _hm_hex_view_update_reader      (HmHexView  *self);
void        _hm_hex_view_announce_cursor    (HmHexView  *self);

/* hm-hex-view-edit.c */
gboolean    _hm_hex_view_is_editable        (HmHexView  *self);
void        _hm_hex_view_backspace          (HmHexView  *self);
void        _hm_hex_view_delete_forward     (HmHexView  *self);
void        _hm_hex_view_refuse_edit        (HmHexView  *self);
void        _hm_hex_view_type_hex_digit     (HmHexView  *self,
                                             guint       digit);
void        _hm_hex_view_type_char          (HmHexView  *self,
                                             guint8      byte);

/* hm-hex-view-input.c */
void        _hm_hex_view_init_input         (HmHexView  *self);
void        _hm_hex_view_stop_kinetic       (HmHexView  *self);

/* hm-hex-view-zoom.c */
void        _hm_hex_view_init_zoom          (HmHexView  *self);
void        _hm_hex_view_class_init_zoom    (GtkWidgetClass *widget_class);
void        _hm_hex_view_zoom_scroll        (HmHexView  *self,
                                             double      dy);

/* hm-hex-view-actions.c */
void        _hm_hex_view_class_init_actions (GtkWidgetClass *widget_class);

/* hm-hex-view-menu.c */
GMenuModel *_hm_hex_view_build_menu_model   (void);
void        _hm_hex_view_popup_menu         (HmHexView  *self,
                                             double      x,
                                             double      y);
void        _hm_hex_view_class_init_menu    (GtkWidgetClass *widget_class);
void        _hm_hex_view_init_menu          (HmHexView  *self);
void        _hm_hex_view_dispose_menu       (HmHexView  *self);
GtkWidget  *_hm_hex_view_get_context_menu   (HmHexView  *self);
void        _hm_hex_view_context_click      (HmHexView  *self,
                                             double      x,
                                             double      y);

/* hm-hex-view-draw.c: the marks (bookmarks) of one row */
void        _hm_hex_view_snapshot_marks     (HmHexView  *self,
                                             GtkSnapshot *snapshot,
                                             guint64     row_offset,
                                             guint       n_bytes,
                                             float       y);

/* For tests and benchmarks only: geometry in pixels and the glyph cache, so a test can
 * turn the text nodes of a frame back into characters. */

double      _hm_hex_view_get_cell_width     (HmHexView  *self);
int         _hm_hex_view_get_row_height     (HmHexView  *self);
PangoFont  *_hm_hex_view_get_font           (HmHexView  *self);
gunichar    _hm_hex_view_char_for_glyph     (HmHexView  *self,
                                             PangoGlyph  glyph);
guint       _hm_hex_view_get_frames_drawn   (HmHexView  *self);
gboolean    _hm_hex_view_key_press          (HmHexView  *self,
                                             guint       keyval,
                                             GdkModifierType state);
void        _hm_hex_view_snapshot_content   (HmHexView  *self,
                                             GtkSnapshot *snapshot);
/* Smooth scrolling as touchpad and wheel do it, and the pixels of the top row scrolled out. */
void        _hm_hex_view_scroll_pixels      (HmHexView  *self,
                                             double      pixels);
int         _hm_hex_view_get_scroll_pixel   (HmHexView  *self);
/* Whether the visible bytes come from the reader's worker thread (tests set
 * hm_document_set_may_stall() to have one on a local file), and its reads. */
gboolean    _hm_hex_view_get_async_reads    (HmHexView  *self);
guint       _hm_hex_view_get_n_async_reads  (HmHexView  *self);
GArray     *_hm_hex_view_get_differences    (HmHexView  *self);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-document.h"
#include "hm-ui-enums.h"

G_BEGIN_DECLS

/**
 * HmHexPane:
 * @HM_HEX_PANE_HEX: the cursor is in the hex pane: typing enters hex digits
 * @HM_HEX_PANE_TEXT: the cursor is in the text pane: typing enters characters
 */
typedef enum
{
  HM_HEX_PANE_HEX,
  HM_HEX_PANE_TEXT,
} HmHexPane;

/**
 * HmCopyFormat:
 * @HM_COPY_FORMAT_HEX: hex digits separated by spaces (`de ad be ef`)
 * @HM_COPY_FORMAT_RAW: the bytes themselves
 * @HM_COPY_FORMAT_C_ARRAY: a C array initialiser
 */
typedef enum
{
  HM_COPY_FORMAT_HEX,
  HM_COPY_FORMAT_RAW,
  HM_COPY_FORMAT_C_ARRAY,
} HmCopyFormat;

/**
 * HmOffsetFormat:
 * @HM_OFFSET_FORMAT_HEX: offsets in hexadecimal, zero-padded (`0009e9d8`)
 * @HM_OFFSET_FORMAT_DECIMAL: offsets in decimal, zero-padded (`10414552`)
 */
typedef enum
{
  HM_OFFSET_FORMAT_HEX,
  HM_OFFSET_FORMAT_DECIMAL,
} HmOffsetFormat;

/*
 * Signals of HmHexView:
 *   "read-fault" (GError *error): bytes on screen could not be read. Emitted once
 *     per document (again only after the document reports a change or after
 *     hm_hex_view_retry()), from an idle callback, so a handler may show a dialog.
 *     The pages that failed are drawn as `??`; on network and FUSE mounts they are
 *     remembered as unreadable until hm_hex_view_retry().
 *   "hint" (const char *message): a gentle, user-visible note, e.g. that the
 *     document is read-only after a key press that would have edited it.
 */
#define HM_TYPE_HEX_VIEW (hm_hex_view_get_type ())
G_DECLARE_FINAL_TYPE (HmHexView, hm_hex_view, HM, HEX_VIEW, GtkWidget)

GtkWidget  *hm_hex_view_new                 (void);

HmDocument *hm_hex_view_get_document        (HmHexView   *self);
void        hm_hex_view_set_document        (HmHexView   *self,
                                             HmDocument  *document);

guint64     hm_hex_view_get_cursor_offset   (HmHexView   *self);
void        hm_hex_view_set_cursor_offset   (HmHexView   *self,
                                             guint64      offset);
guint64     hm_hex_view_get_selection_start (HmHexView   *self);
guint64     hm_hex_view_get_selection_length (HmHexView  *self);
void        hm_hex_view_set_selection       (HmHexView   *self,
                                             guint64      start,
                                             guint64      length);
void        hm_hex_view_select_all          (HmHexView   *self);

HmHexPane   hm_hex_view_get_pane            (HmHexView   *self);
void        hm_hex_view_set_pane            (HmHexView   *self,
                                             HmHexPane    pane);

guint       hm_hex_view_get_bytes_per_row   (HmHexView   *self);
guint       hm_hex_view_get_fixed_bytes_per_row (HmHexView *self);
void        hm_hex_view_set_fixed_bytes_per_row (HmHexView *self,
                                             guint        bytes_per_row);
guint       hm_hex_view_get_group_size      (HmHexView   *self);
void        hm_hex_view_set_group_size      (HmHexView   *self,
                                             guint        group_size);

HmOffsetFormat hm_hex_view_get_offset_format (HmHexView *self);
void        hm_hex_view_set_offset_format   (HmHexView   *self,
                                             HmOffsetFormat format);
char       *hm_hex_view_format_offset       (HmHexView   *self,
                                             guint64      offset);
guint       hm_hex_view_get_column_gap      (HmHexView   *self);
void        hm_hex_view_set_column_gap      (HmHexView   *self,
                                             guint        column_gap);
gboolean    hm_hex_view_get_show_header     (HmHexView   *self);
void        hm_hex_view_set_show_header     (HmHexView   *self,
                                             gboolean     show_header);
double      hm_hex_view_get_zoom            (HmHexView   *self);
void        hm_hex_view_set_zoom            (HmHexView   *self,
                                             double       zoom);

guint64     hm_hex_view_get_top_row         (HmHexView   *self);
void        hm_hex_view_set_top_row         (HmHexView   *self,
                                             guint64      row);
guint64     hm_hex_view_get_n_rows          (HmHexView   *self);
guint       hm_hex_view_get_n_visible_rows  (HmHexView   *self);
gboolean    hm_hex_view_get_visible_range   (HmHexView   *self,
                                             guint64     *first,
                                             guint64     *last);
void        hm_hex_view_scroll_to_offset    (HmHexView   *self,
                                             guint64      offset);
void        hm_hex_view_set_highlights      (HmHexView   *self,
                                             GArray      *ranges);
void        hm_hex_view_set_differences     (HmHexView   *self,
                                             GArray      *ranges);
void        hm_hex_view_set_marks           (HmHexView   *self,
                                             GArray      *ranges);
GArray     *hm_hex_view_get_marks           (HmHexView   *self);
void        hm_hex_view_reveal_offset       (HmHexView   *self,
                                             guint64      offset);

void        hm_hex_view_retry               (HmHexView   *self);
gboolean    hm_hex_view_goto_next_data      (HmHexView   *self);
gboolean    hm_hex_view_goto_previous_data  (HmHexView   *self);
gboolean    hm_hex_view_goto_next_hole      (HmHexView   *self);
gboolean    hm_hex_view_goto_previous_hole  (HmHexView   *self);
GtkAdjustment *hm_hex_view_get_vadjustment  (HmHexView   *self);

void        hm_hex_view_copy                (HmHexView   *self,
                                             HmCopyFormat format);
void        hm_hex_view_paste               (HmHexView   *self);
gboolean    hm_hex_view_get_insert_mode     (HmHexView   *self);
void        hm_hex_view_set_insert_mode     (HmHexView   *self,
                                             gboolean     insert_mode);
gboolean    hm_hex_view_insert              (HmHexView   *self,
                                             const guint8 *data,
                                             gsize        length);
gboolean    hm_hex_view_delete_selection    (HmHexView   *self);
gboolean    hm_hex_view_overwrite           (HmHexView   *self,
                                             const guint8 *data,
                                             gsize        length);

char       *hm_hex_view_format_bytes        (const guint8 *data,
                                             gsize        length,
                                             HmCopyFormat format);
GBytes     *hm_hex_view_parse_hex           (const char   *text);

G_END_DECLS

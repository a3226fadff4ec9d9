/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-compare.h"
#include "hm-compare-map.h"
#include "hm-hex-view.h"

G_BEGIN_DECLS

/**
 * HmCompareSide:
 * @HM_COMPARE_SIDE_A: the page's own file, on the left
 * @HM_COMPARE_SIDE_B: the file it is compared with, on the right
 */
typedef enum
{
  HM_COMPARE_SIDE_A,
  HM_COMPARE_SIDE_B,
} HmCompareSide;

/*
 * HmCompareView: a page's file compared with a second one, side by side.
 *
 * The widget itself is what sits right of the page's view: the difference map
 * of the left side, the second file's view and its difference map. Its bar
 * (hm_compare_view_get_bar()) goes above both views: the second file's name
 * and mode, Aligned or With insertions, previous/next difference, copy the
 * difference to the other side, the progress of the compare and close.
 *
 * Properties:
 *   "status" (string, read-only): for the status bar: "3 differences",
 *     "Difference 2 of 3", "Comparing… 5 differences so far"
 * Signals:
 *   "close-requested": the close button or Escape in the compare; the page
 *     decides (it asks about unsaved edits in the second file first).
 */
#define HM_TYPE_COMPARE_VIEW (hm_compare_view_get_type ())
G_DECLARE_FINAL_TYPE (HmCompareView, hm_compare_view, HM, COMPARE_VIEW, GtkWidget)

HmCompareView *hm_compare_view_new               (HmHexView      *view_a,
                                                  HmDocument     *document_b);
GtkWidget     *hm_compare_view_get_bar           (HmCompareView  *self);
HmHexView     *hm_compare_view_get_view          (HmCompareView  *self,
                                                  HmCompareSide   side);
HmDocument    *hm_compare_view_get_document      (HmCompareView  *self,
                                                  HmCompareSide   side);
HmCompareMap  *hm_compare_view_get_map           (HmCompareView  *self,
                                                  HmCompareSide   side);
HmCompareMode  hm_compare_view_get_mode          (HmCompareView  *self);
void           hm_compare_view_set_mode          (HmCompareView  *self,
                                                  HmCompareMode   mode);
const char    *hm_compare_view_get_status        (HmCompareView  *self);
const char    *hm_compare_view_get_message       (HmCompareView  *self);
gboolean       hm_compare_view_get_running       (HmCompareView  *self);
guint64        hm_compare_view_get_n_differences (HmCompareView  *self);
const GArray  *hm_compare_view_get_hunks         (HmCompareView  *self);
gint64         hm_compare_view_get_current       (HmCompareView  *self);
HmCompareSide  hm_compare_view_get_focus_side    (HmCompareView  *self);
gboolean       hm_compare_view_go_next           (HmCompareView  *self,
                                                  gboolean        forward);
gboolean       hm_compare_view_go_to             (HmCompareView  *self,
                                                  guint           index);
gboolean       hm_compare_view_copy_run          (HmCompareView  *self,
                                                  HmCompareSide   from,
                                                  GError        **error);
guint64        hm_compare_view_map_offset        (HmCompareView  *self,
                                                  HmCompareSide   from,
                                                  guint64         offset);
void           hm_compare_view_stop              (HmCompareView  *self);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-document.h"
#include "hm-hex-view.h"

G_BEGIN_DECLS

/*
 * HmPage: one open file: the document, the view, the status bar and the page.*
 * actions (save, save-as, discard, undo, redo, goto, find, find-next,
 * find-previous, checksum, fill, toggle-bookmark, close, mode, and for sparse
 * files next-data, previous-data, next-hole, previous-hole).
 *
 * Properties:
 *   "document" (HmDocument, construct-only)
 *   "title" (string, read-only): the file name, with "•" in front while edits
 *     are unsaved
 * Signals:
 *   "close": the user asked to close the page and the unsaved edits are dealt
 *     with; the window removes it.
 */
#define HM_TYPE_PAGE (hm_page_get_type ())
G_DECLARE_FINAL_TYPE (HmPage, hm_page, HM, PAGE, GtkWidget)

typedef void (*HmPageDoneFunc) (HmPage   *page,
                                gboolean  success,
                                gpointer  user_data);

HmPage       *hm_page_new               (HmDocument     *document);
HmDocument   *hm_page_get_document      (HmPage         *self);
HmHexView    *hm_page_get_view          (HmPage         *self);
GActionGroup *hm_page_get_action_group  (HmPage         *self);
const char   *hm_page_get_title         (HmPage         *self);
const char   *hm_page_get_mode_reason   (HmPage         *self);
void          hm_page_go_to             (HmPage         *self,
                                         guint64         offset);
void          hm_page_save              (HmPage         *self,
                                         gboolean        force,
                                         HmPageDoneFunc  done,
                                         gpointer        user_data);
void          hm_page_confirm_close     (HmPage         *self,
                                         HmPageDoneFunc  done,
                                         gpointer        user_data);

G_END_DECLS

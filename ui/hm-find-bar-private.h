/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-find-bar.h"

G_BEGIN_DECLS

/* For tests: the widgets a user types into, the message line, and the Find All
 * results (a list of HmFindResult, in file order). */

#define HM_TYPE_FIND_RESULT (hm_find_result_get_type ())
G_DECLARE_FINAL_TYPE (HmFindResult, hm_find_result, HM, FIND_RESULT, GObject)

guint64       hm_find_result_get_offset        (HmFindResult *self);
guint64       hm_find_result_get_length        (HmFindResult *self);
gboolean      hm_find_result_get_unreadable    (HmFindResult *self);

GtkEditable  *_hm_find_bar_get_entry           (HmFindBar    *self);
GtkEditable  *_hm_find_bar_get_replace_entry   (HmFindBar    *self);
const char   *_hm_find_bar_get_message         (HmFindBar    *self);
gboolean      _hm_find_bar_get_message_is_error (HmFindBar   *self);
GListModel   *_hm_find_bar_get_results         (HmFindBar    *self);
void          _hm_find_bar_activate_result     (HmFindBar    *self,
                                                guint         position);
const char   *_hm_find_bar_get_preview         (HmFindBar    *self,
                                                guint         position);

G_END_DECLS

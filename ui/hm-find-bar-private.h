/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-find-bar.h"
#include "hm-find-result.h"

G_BEGIN_DECLS

/* For tests: the widgets a user types into, the message line, and the Find All
 * results (a list of HmFindResult, in file order). */

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

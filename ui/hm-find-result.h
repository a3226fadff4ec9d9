/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * HmFindResult: one row of the find bar's Find All list, in file order: a
 * match, or (when the search skips unreadable ranges) a range it could not read.
 */
#define HM_TYPE_FIND_RESULT (hm_find_result_get_type ())
G_DECLARE_FINAL_TYPE (HmFindResult, hm_find_result, HM, FIND_RESULT, GObject)

HmFindResult *hm_find_result_new            (guint64       offset,
                                             guint64       length,
                                             gboolean      unreadable);
guint64       hm_find_result_get_offset     (HmFindResult *self);
guint64       hm_find_result_get_length     (HmFindResult *self);
gboolean      hm_find_result_get_unreadable (HmFindResult *self);

G_END_DECLS

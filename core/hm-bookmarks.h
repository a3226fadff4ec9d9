/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * HmBookmark:
 *
 * One bookmark: a file offset and a name (which may be empty). Immutable from
 * the outside; change it through its #HmBookmarks.
 */
#define HM_TYPE_BOOKMARK (hm_bookmark_get_type ())
G_DECLARE_FINAL_TYPE (HmBookmark, hm_bookmark, HM, BOOKMARK, GObject)

guint64      hm_bookmark_get_offset (HmBookmark *self);
const char  *hm_bookmark_get_name   (HmBookmark *self);

/**
 * HmBookmarks:
 *
 * The bookmarks of one file, sorted by offset, at most one per offset. A
 * #GListModel of #HmBookmark, so a list widget can show it directly. Kept per
 * file in the user's data directory (see hm_bookmarks_get_store_path()).
 */
#define HM_TYPE_BOOKMARKS (hm_bookmarks_get_type ())
G_DECLARE_FINAL_TYPE (HmBookmarks, hm_bookmarks, HM, BOOKMARKS, GObject)

HmBookmarks *hm_bookmarks_new             (const char   *path);

const char  *hm_bookmarks_get_path        (HmBookmarks  *self);
char        *hm_bookmarks_get_store_path  (HmBookmarks  *self);

gboolean     hm_bookmarks_load            (HmBookmarks  *self,
                                           GError      **error);
gboolean     hm_bookmarks_save            (HmBookmarks  *self,
                                           GError      **error);

HmBookmark  *hm_bookmarks_lookup          (HmBookmarks  *self,
                                           guint64       offset);
gboolean     hm_bookmarks_add             (HmBookmarks  *self,
                                           guint64       offset,
                                           const char   *name);
gboolean     hm_bookmarks_toggle          (HmBookmarks  *self,
                                           guint64       offset);
gboolean     hm_bookmarks_rename          (HmBookmarks  *self,
                                           guint64       offset,
                                           const char   *name);
void         hm_bookmarks_apply_edit      (HmBookmarks  *self,
                                           guint64       offset,
                                           guint64       removed,
                                           guint64       added);
gboolean     hm_bookmarks_remove          (HmBookmarks  *self,
                                           guint64       offset);

G_END_DECLS

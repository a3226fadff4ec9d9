/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * Properties of HmFindBar (all read-write, bindable to GSettings):
 *   "revealed" (gboolean): the bar is shown
 *   "pattern" (string): the text of the find entry
 *   "text-mode" (gboolean): the pattern is text; otherwise hex bytes with `??`
 *   "ignore-case" (gboolean): text mode: ASCII letters match either case
 *   "encoding" (HmTextEncoding): text mode: how the text is encoded
 *   "backward" (gboolean): Enter searches backward (Shift+Enter the other way)
 *   "wrap" (gboolean): continue from the other end of the file
 *   "skip-faults" (gboolean): unreadable ranges are skipped and listed in the
 *     results, instead of stopping the search with a "fault"
 *   "max-results" (guint): Find All lists at most this many matches
 *
 * Signals of HmFindBar:
 *   "fault" (GError *error): the search or a replacement hit a core error (a
 *     paging fault, a failed store); the page shows it in a dialog.
 */
#define HM_TYPE_FIND_BAR (hm_find_bar_get_type ())
G_DECLARE_FINAL_TYPE (HmFindBar, hm_find_bar, HM, FIND_BAR, GtkWidget)

GtkWidget  *hm_find_bar_new             (void);

gboolean    hm_find_bar_get_revealed    (HmFindBar   *self);
void        hm_find_bar_set_revealed    (HmFindBar   *self,
                                         gboolean     revealed);
void        hm_find_bar_focus           (HmFindBar   *self);
void        hm_find_bar_focus_replace   (HmFindBar   *self);

void        hm_find_bar_find_next       (HmFindBar   *self);
void        hm_find_bar_find_previous   (HmFindBar   *self);
void        hm_find_bar_find_all        (HmFindBar   *self);
void        hm_find_bar_replace         (HmFindBar   *self);
void        hm_find_bar_replace_all     (HmFindBar   *self);
void        hm_find_bar_cancel          (HmFindBar   *self);
gboolean    hm_find_bar_get_busy        (HmFindBar   *self);

G_END_DECLS

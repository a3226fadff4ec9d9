/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * Signals of HmInspector:
 *   "fault" (GError *error): writing an edited value failed with a core error
 *     (a paging fault) that the page should show in a fault dialog.
 */
#define HM_TYPE_INSPECTOR (hm_inspector_get_type ())
G_DECLARE_FINAL_TYPE (HmInspector, hm_inspector, HM, INSPECTOR, GtkWidget)

GtkWidget *hm_inspector_new            (void);

gboolean   hm_inspector_get_big_endian (HmInspector *self);
gboolean   hm_inspector_get_show_hex   (HmInspector *self);
void       hm_inspector_set_show_hex   (HmInspector *self,
                                        gboolean     show_hex);
void       hm_inspector_set_big_endian (HmInspector *self,
                                        gboolean     big_endian);

G_END_DECLS

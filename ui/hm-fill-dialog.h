/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * Signals of HmFillDialog:
 *   "fault" (GError *error): the fill failed with a paging fault that the page
 *     should show in a fault dialog.
 */
#define HM_TYPE_FILL_DIALOG (hm_fill_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HmFillDialog, hm_fill_dialog, HM, FILL_DIALOG, GtkWindow)

GtkWidget *hm_fill_dialog_new      (void);

G_END_DECLS

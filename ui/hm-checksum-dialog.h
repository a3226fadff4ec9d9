/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * Signals of HmChecksumDialog:
 *   "fault" (GError *error): the file could not be read to the end (truncated,
 *     I/O error); the page should show it in a fault dialog.
 */
#define HM_TYPE_CHECKSUM_DIALOG (hm_checksum_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HmChecksumDialog, hm_checksum_dialog, HM, CHECKSUM_DIALOG, GtkWindow)

GtkWidget *hm_checksum_dialog_new            (void);

void       hm_checksum_dialog_set_whole_file (HmChecksumDialog *self,
                                              gboolean          whole_file);

G_END_DECLS

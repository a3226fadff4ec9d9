/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HM_TYPE_PREFERENCES_DIALOG (hm_preferences_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HmPreferencesDialog, hm_preferences_dialog, HM, PREFERENCES_DIALOG, GtkWindow)

GtkWindow *hm_preferences_dialog_new (GtkWindow *parent);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HM_TYPE_APPLICATION (hm_application_get_type ())
G_DECLARE_FINAL_TYPE (HmApplication, hm_application, HM, APPLICATION, GtkApplication)

HmApplication *hm_application_new (void);

G_END_DECLS

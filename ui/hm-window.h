/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-document.h"

G_BEGIN_DECLS

#define HM_TYPE_WINDOW (hm_window_get_type ())
G_DECLARE_FINAL_TYPE (HmWindow, hm_window, HM, WINDOW, GtkApplicationWindow)

HmWindow *hm_window_new          (GtkApplication *application);
void      hm_window_set_document (HmWindow       *self,
                                  HmDocument     *document);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-document.h"
#include "hm-hex-view.h"

G_BEGIN_DECLS

#define HM_TYPE_WINDOW (hm_window_get_type ())
G_DECLARE_FINAL_TYPE (HmWindow, hm_window, HM, WINDOW, GtkApplicationWindow)

HmWindow   *hm_window_new          (GtkApplication *application);
HmDocument *hm_window_get_document (HmWindow       *self);
void        hm_window_set_document (HmWindow       *self,
                                    HmDocument     *document);
HmHexView  *hm_window_get_view     (HmWindow       *self);
void        hm_window_show_error   (HmWindow       *self,
                                    const char     *primary,
                                    const char     *secondary);

G_END_DECLS

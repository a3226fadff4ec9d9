/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-document.h"
#include "hm-page.h"

G_BEGIN_DECLS

/* The mode to open a file in: one of HmDocumentMode, or this for the preference. */
#define HM_WINDOW_MODE_DEFAULT (-1)

#define HM_TYPE_WINDOW (hm_window_get_type ())
G_DECLARE_FINAL_TYPE (HmWindow, hm_window, HM, WINDOW, GtkApplicationWindow)

HmWindow   *hm_window_new              (GtkApplication *application);
HmPage     *hm_window_open_file        (HmWindow       *self,
                                        GFile          *file,
                                        int             mode,
                                        GError        **error);
HmPage     *hm_window_get_current_page (HmWindow       *self);
guint       hm_window_get_n_pages      (HmWindow       *self);
HmPage     *hm_window_get_page         (HmWindow       *self,
                                        guint           index);
void        hm_window_show_error       (HmWindow       *self,
                                        const char     *primary,
                                        const char     *secondary);

G_END_DECLS

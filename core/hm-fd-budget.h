/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * HM_FD_RESERVE:
 *
 * Descriptors a document open always leaves free: GTK, fontconfig (every glyph
 * of a font not yet loaded opens a file), dialogs, the clipboard and the D-Bus
 * connection need them, and without them every glyph becomes an empty box.
 */
#define HM_FD_RESERVE 64

guint    hm_fd_budget_count_open  (void);
guint    hm_fd_budget_get_limit   (void);
gboolean hm_fd_budget_check       (guint        needed,
                                   const char  *display_name,
                                   GError     **error);

/* For tests: a reserve other than HM_FD_RESERVE (0 restores it) */
void     _hm_fd_budget_set_reserve (guint       reserve);

G_END_DECLS

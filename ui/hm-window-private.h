/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-window.h"

G_BEGIN_DECLS

/* For tests: the mode popover as the user would see it. */

gboolean    _hm_window_get_writable_modes_sensitive (HmWindow *self);
const char *_hm_window_get_mode_reason              (HmWindow *self);
/* Whether logout is inhibited (the state, even without a session manager). */
gboolean    _hm_window_get_logout_inhibited         (HmWindow *self);

/* The drafts listed on the empty state (ui/hm-draft-prompt.c) */
GtkWidget  *_hm_window_get_drafts_list              (HmWindow *self);

G_END_DECLS

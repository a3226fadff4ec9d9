/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-fill-dialog.h"

G_BEGIN_DECLS

/* For tests only */
void        _hm_fill_dialog_set_pattern (HmFillDialog *self,
                                         const char   *text);
gboolean    _hm_fill_dialog_can_fill    (HmFillDialog *self);
gboolean    _hm_fill_dialog_fill        (HmFillDialog *self);
const char *_hm_fill_dialog_get_error   (HmFillDialog *self);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-fill-dialog.h"
#include "hm-hex-view.h"

G_BEGIN_DECLS

/* The page wires the dialog to its view and document; (NULL, NULL) detaches. */
void        _hm_fill_dialog_attach      (HmFillDialog *self,
                                         HmHexView    *view,
                                         HmDocument   *document);

/* For tests only */
void        _hm_fill_dialog_set_pattern (HmFillDialog *self,
                                         const char   *text);
gboolean    _hm_fill_dialog_can_fill    (HmFillDialog *self);
gboolean    _hm_fill_dialog_fill        (HmFillDialog *self);
const char *_hm_fill_dialog_get_error   (HmFillDialog *self);

G_END_DECLS

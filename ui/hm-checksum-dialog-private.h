/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-checksum.h"
#include "hm-checksum-dialog.h"
#include "hm-hex-view.h"

G_BEGIN_DECLS

/* The page wires the dialog to its view and document; (NULL, NULL) detaches. */
void        _hm_checksum_dialog_attach     (HmChecksumDialog *self,
                                            HmHexView        *view,
                                            HmDocument       *document);

/* For tests only */
gboolean    _hm_checksum_dialog_is_running (HmChecksumDialog *self);
const char *_hm_checksum_dialog_get_value  (HmChecksumDialog *self,
                                            HmChecksumKind    kind);
const char *_hm_checksum_dialog_get_status (HmChecksumDialog *self);
void        _hm_checksum_dialog_copy       (HmChecksumDialog *self,
                                            HmChecksumKind    kind);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-document.h"
#include "hm-hex-view.h"

G_BEGIN_DECLS

/**
 * HmStructureKind:
 * @HM_STRUCTURE_INSERT: Insert Bytes…: a count and a pattern, at the cursor
 * @HM_STRUCTURE_SET_SIZE: Set File Size…: cut off the end or add zeros
 */
typedef enum
{
  HM_STRUCTURE_INSERT,
  HM_STRUCTURE_SET_SIZE,
} HmStructureKind;

#define HM_TYPE_STRUCTURE_DIALOG (hm_structure_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HmStructureDialog, hm_structure_dialog, HM, STRUCTURE_DIALOG, GtkWindow)

GtkWidget  *hm_structure_dialog_new         (HmStructureKind    kind,
                                             HmHexView         *view,
                                             HmDocument        *document);

/* For tests */
void        _hm_structure_dialog_set_text   (HmStructureDialog *self,
                                             const char        *number,
                                             const char        *pattern);
gboolean    _hm_structure_dialog_apply      (HmStructureDialog *self);
const char *_hm_structure_dialog_get_error  (HmStructureDialog *self);

G_END_DECLS

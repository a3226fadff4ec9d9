/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TEMPORARY: replaced by the editing engine (issue 3). Read-only behaviour only. */
#include "config.h"

#include "hm-document-private.h"

void
_hm_document_edit_init (HmDocument *self)
{
}

void
_hm_document_edit_finalize (HmDocument *self)
{
}

gboolean
hm_document_set_mode (HmDocument *self, HmDocumentMode mode, GError **error)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  if (mode == self->mode)
    return TRUE;
  return _hm_document_apply_mode (self, mode, error);
}

gboolean hm_document_get_can_undo (HmDocument *self) { return FALSE; }
gboolean hm_document_get_can_redo (HmDocument *self) { return FALSE; }
gboolean hm_document_get_has_pending (HmDocument *self) { return FALSE; }

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-document.h"

G_BEGIN_DECLS

/**
 * HmFaultResponse:
 * @HM_FAULT_RESPONSE_CLOSE: close the file (the page still asks about unsaved
 *   edits); offered for truncation and I/O faults
 * @HM_FAULT_RESPONSE_RELOAD: drop the pending edits and read the file again
 * @HM_FAULT_RESPONSE_RETRY: try the failed operation again
 * @HM_FAULT_RESPONSE_SAVE_AS: save a copy elsewhere
 * @HM_FAULT_RESPONSE_KEEP_PENDING: dismiss; the edits stay pending
 * @HM_FAULT_RESPONSE_OVERWRITE: save anyway, over the other program's changes
 * @HM_FAULT_RESPONSE_CANCEL: dismiss; nothing changes (Escape, or a dialog
 *   destroyed unanswered, where no other safe choice applies)
 *
 * What the user chose in a fault dialog. Only @HM_FAULT_RESPONSE_RELOAD loses
 * pending edits (and @HM_FAULT_RESPONSE_OVERWRITE replaces the other program's
 * changes); every other choice keeps the document as it is.
 */
typedef enum
{
  HM_FAULT_RESPONSE_CLOSE,
  HM_FAULT_RESPONSE_RELOAD,
  HM_FAULT_RESPONSE_RETRY,
  HM_FAULT_RESPONSE_SAVE_AS,
  HM_FAULT_RESPONSE_KEEP_PENDING,
  HM_FAULT_RESPONSE_OVERWRITE,
  HM_FAULT_RESPONSE_CANCEL,
} HmFaultResponse;

typedef void (*HmFaultCallback) (HmFaultResponse response,
                                 gpointer        user_data);

GtkWindow *hm_fault_dialog_show (GtkWindow       *parent,
                                 HmDocument      *document,
                                 const GError    *error,
                                 HmFaultCallback  callback,
                                 gpointer         user_data);
GError    *hm_fault_error_new_truncated (HmDocument *document,
                                         guint64     new_size,
                                         guint64     lost);

G_END_DECLS

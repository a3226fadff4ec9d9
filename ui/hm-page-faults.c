/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmPage, faults and outside changes.
 *
 * Every core error the page cannot handle itself (a read fault in the view, a
 * panel's or the find bar's "fault", a failed save, a truncation) is shown in
 * a fault dialog (hm_fault_dialog_show()), and only one is ever up: a fault
 * that comes meanwhile is not shown, and its caller takes the safe choice.
 * Otherwise the caller gets the user's choice back (a HmPageFaultFunc).
 *
 * Outside changes: the document watches the file (hm_document_watch_disk())
 * and says when another program changed or removed it ("disk-changed"); our own
 * writes (saves, direct-mode stores, a reload) are never reported, and each
 * outside change only once. The page only shows it: a change or a deletion
 * shows the info bar (Reload keeps pending edits: it only looks at the file
 * again). A truncation that cuts off what is on screen or a pending edit is a
 * fault dialog instead; only one fault dialog is ever shown, whether the
 * document's monitor or a read notices first.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hm-fault.h"
#include "hm-page-private.h"

enum
{
  CHANGED_RESPONSE_RELOAD = 1,
  CHANGED_RESPONSE_SAVE_AS = 2,
};

/* ---- Faults ---- */

typedef struct
{
  HmPage          *page;
  HmPageFaultFunc  func;
  gpointer         data;
} FaultOp;

static void
fault_op_free (gpointer data)
{
  FaultOp *op = data;

  g_object_unref (op->page);
  g_free (op);
}

static void
fault_response_cb (HmFaultResponse response,
                   gpointer        user_data)
{
  FaultOp *op = user_data;
  HmPage *self = op->page;

  /* The dialog is going away; from here on the op is ours. */
  g_object_steal_data (G_OBJECT (self->fault_dialog), "hm-page-fault-op");
  g_object_remove_weak_pointer (G_OBJECT (self->fault_dialog), (gpointer *) &self->fault_dialog);
  self->fault_dialog = NULL;

  if (op->func != NULL)
    op->func (self, response, op->data);
  fault_op_free (op);
}

/* Shows @error in a fault dialog, unless one is already up (then FALSE: the
 * caller's choice defaults to the safe one). */
gboolean
_hm_page_show_fault (HmPage          *self,
                     const GError    *error,
                     HmPageFaultFunc  func,
                     gpointer         data)
{
  FaultOp *op;

  if (self->fault_dialog != NULL)
    return FALSE;

  op = g_new0 (FaultOp, 1);
  op->page = g_object_ref (self);
  op->func = func;
  op->data = data;
  self->fault_dialog = hm_fault_dialog_show (_hm_page_get_parent_window (self), self->document, error,
                                             fault_response_cb, op);
  g_object_add_weak_pointer (G_OBJECT (self->fault_dialog), (gpointer *) &self->fault_dialog);
  g_object_set_data_full (G_OBJECT (self->fault_dialog), "hm-page-fault-op", op, fault_op_free);
  return TRUE;
}

void
_hm_page_show_error (HmPage       *self,
                     const GError *error)
{
  _hm_page_show_fault (self, error, NULL, NULL);
}

/* Looks at the file again. A shrink found this way is what the user asked for,
 * not a fault to report. */
static gboolean
refresh_document (HmPage  *self,
                  GError **error)
{
  gboolean ok;

  self->refreshing = TRUE;
  ok = hm_document_refresh (self->document, error);
  self->refreshing = FALSE;
  self->doc_size = hm_document_get_size (self->document);
  self->reported_truncation = G_MAXUINT64;
  return ok;
}

/* Drops the pending edits and looks at the file again: the explicit Reload. */
void
_hm_page_reload (HmPage *self)
{
  g_autoptr(GError) error = NULL;

  if (hm_document_get_has_pending (self->document) && !hm_document_discard (self->document, &error))
    {
      _hm_page_show_error (self, error);
      return;
    }
  if (!refresh_document (self, &error))
    {
      _hm_page_show_error (self, error);
      return;
    }
  gtk_info_bar_set_revealed (self->changed_bar, FALSE);
  _hm_page_update_file_status (self);
}

static void
read_fault_response_cb (HmPage          *self,
                        HmFaultResponse  response,
                        gpointer         data)
{
  switch (response)
    {
    case HM_FAULT_RESPONSE_RELOAD:
      _hm_page_reload (self);
      break;
    case HM_FAULT_RESPONSE_RETRY:
      /* Only the view reads again (on network and FUSE mounts in its worker
       * thread): a full refresh would stat and map the file on this thread,
       * which can block on a dead mount. If the pages still fail, the view
       * reports once more, so one new dialog comes back; if the share is back,
       * the bytes appear. */
      hm_hex_view_retry (self->view);
      _hm_page_update_file_status (self);
      break;
    case HM_FAULT_RESPONSE_SAVE_AS:
      _hm_page_save_as_action_cb (NULL, NULL, self);
      break;
    case HM_FAULT_RESPONSE_CLOSE:
      _hm_page_close_after_fault (self);
      break;
    case HM_FAULT_RESPONSE_KEEP_PENDING:
    case HM_FAULT_RESPONSE_OVERWRITE:
    case HM_FAULT_RESPONSE_CANCEL:
    default:
      break;
    }
}

static void
report_truncation (HmPage  *self,
                   guint64  new_size,
                   guint64  lost)
{
  g_autoptr(GError) error = NULL;

  self->reported_truncation = new_size;
  error = hm_fault_error_new_truncated (self->document, new_size, lost);
  _hm_page_show_fault (self, error, read_fault_response_cb, NULL);
}

void
_hm_page_view_read_fault_cb (HmPage       *self,
                             const GError *error,
                             HmHexView    *view)
{
  /* The core shrinks the document when a read finds the file shorter. */
  _hm_page_update_file_status (self);
  _hm_page_show_fault (self, error, read_fault_response_cb, NULL);
}

/* "fault" from the find bar, the side panels and the selection dialogs. */
void
_hm_page_panel_fault_cb (HmPage       *self,
                         const GError *error,
                         GtkWidget    *source)
{
  _hm_page_update_file_status (self);
  _hm_page_show_fault (self, error, read_fault_response_cb, NULL);
}

/* An insert or delete of ours (or its undo) changes the size by design: count it
 * here first ("content-changed" comes before "notify::size"), so that only a size
 * nobody edited to reads as a truncation. */
void
_hm_page_document_content_changed_cb (HmPage  *self,
                                      guint64  offset,
                                      guint64  removed,
                                      guint64  added)
{
  self->doc_size = self->doc_size - MIN (removed, self->doc_size) + added;
}

/* The core shrinks the document when an access finds the file shorter: another
 * program cut it while we were reading or writing there. */
void
_hm_page_document_size_changed_cb (HmPage *self)
{
  guint64 size = hm_document_get_size (self->document);
  guint64 old_size = self->doc_size;

  self->doc_size = size;
  _hm_page_update_file_status (self);
  if (!self->refreshing && size < old_size && size != self->reported_truncation)
    report_truncation (self, size, size);
}

/* ---- Outside changes ---- */

static void
changed_bar_response_cb (HmPage *self,
                         int     response)
{
  g_autoptr(GError) error = NULL;

  gtk_info_bar_set_revealed (self->changed_bar, FALSE);
  if (response == CHANGED_RESPONSE_RELOAD)
    {
      /* Looks at the file again; pending edits stay. */
      if (!refresh_document (self, &error))
        _hm_page_show_error (self, error);
      _hm_page_update_file_status (self);
    }
  else if (response == CHANGED_RESPONSE_SAVE_AS)
    _hm_page_save_as_action_cb (NULL, NULL, self);
}

static void
show_changed_bar (HmPage     *self,
                  const char *message,
                  gboolean    deleted)
{
  gtk_label_set_text (self->changed_label, message);
  gtk_widget_set_visible (self->changed_reload_button, !deleted);
  gtk_widget_set_visible (self->changed_save_as_button, deleted);
  gtk_info_bar_set_revealed (self->changed_bar, TRUE);
}

static void
check_truncation (HmPage  *self,
                  guint64  new_size)
{
  g_autoptr(GArray) pending = hm_document_get_pending_ranges (self->document);
  guint64 first = 0, last = 0;
  guint64 lost = G_MAXUINT64;

  if (hm_hex_view_get_visible_range (self->view, &first, &last) && last >= new_size)
    lost = MAX (first, new_size);
  for (guint i = 0; pending != NULL && i < pending->len; i++)
    {
      const HmRange *range = &g_array_index (pending, HmRange, i);

      if (range->offset + range->length > new_size)
        lost = MIN (lost, MAX (range->offset, new_size));
    }

  if (lost == G_MAXUINT64)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” was shortened by another program."),
                                                  self->name);

      show_changed_bar (self, message, FALSE);
      return;
    }

  report_truncation (self, new_size, lost);
}

/* The document's monitor saw another program's change: one call per change. */
static void
document_disk_changed_cb (HmPage       *self,
                          HmDiskChange  change,
                          guint64       disk_size,
                          HmDocument   *document)
{
  g_autofree char *message = NULL;

  switch (change)
    {
    case HM_DISK_CHANGE_DELETED:
      message = g_strdup_printf (_("“%s” was deleted or moved by another program. "
                                   "It stays open here; Save As keeps a copy."),
                                 self->name);
      show_changed_bar (self, message, TRUE);
      break;
    case HM_DISK_CHANGE_MODIFIED:
      /* A truncation a read already reported (its fault dialog is the notice). */
      if (disk_size == self->reported_truncation)
        break;
      if (disk_size < hm_document_get_size (self->document))
        {
          check_truncation (self, disk_size);
          break;
        }
      message = g_strdup_printf (_("“%s” was changed by another program. Reload "
                                   "to see its new contents; your edits are kept."),
                                 self->name);
      show_changed_bar (self, message, FALSE);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Once, when the page gets its document: the document watches the file, the
 * page shows what it sees. */
void
_hm_page_watch_disk (HmPage *self)
{
  g_signal_connect_object (self->document, "disk-changed", G_CALLBACK (document_disk_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->document, "notify::disk-mtime", G_CALLBACK (_hm_page_update_mtime_status), self,
                           G_CONNECT_SWAPPED);
  hm_document_watch_disk (self->document);
  _hm_page_update_mtime_status (self);
}

void
_hm_page_class_faults_init (HmPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_bind_template_callback (widget_class, changed_bar_response_cb);
}

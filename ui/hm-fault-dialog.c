/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The one place where core errors meet the user. Each kind of fault gets plain
 * words, the file and the offset (the core's message carries it), and only the
 * choices that make sense for it:
 *
 *   truncated by another program   Reload / Close (the file)
 *   I/O error                      Retry / Close (the file)
 *   no space while saving          Retry / Save As… / Keep Pending
 *   changed on disk (conflict)     Reload / Overwrite / Cancel
 *   anything else                  Close (the dialog)
 *
 * The safe choice is what Escape does, and what the caller gets when the dialog
 * is destroyed unanswered: it only dismisses. Nothing is lost unless the user
 * picks Reload (or Overwrite, which replaces the other program's bytes); closing
 * the file still asks about unsaved edits.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hm-fault.h"
#include "hm-fault-dialog.h"

typedef struct
{
  HmFaultCallback callback;
  gpointer        user_data;
  HmFaultResponse safe_response;
  gboolean        answered;
} Closure;

static void
response_cb (GtkDialog *dialog,
             int        response,
             Closure   *closure)
{
  HmFaultCallback callback = closure->callback;
  gpointer user_data = closure->user_data;
  HmFaultResponse choice = response >= 0 ? (HmFaultResponse) response : closure->safe_response;

  /* Destroying the dialog frees the closure: take what we need first. */
  closure->answered = TRUE;
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (callback != NULL)
    callback (choice, user_data);
}

/* Destroyed without an answer (its window went away): the caller still hears,
 * with the safe choice, so whatever waits on the dialog is not leaked. */
static void
unanswered_destroy_cb (GtkWidget *dialog,
                       Closure   *closure)
{
  if (closure->answered)
    return;
  closure->answered = TRUE;
  if (closure->callback != NULL)
    closure->callback (closure->safe_response, closure->user_data);
}

static void
add_button (GtkDialog       *dialog,
            const char      *label,
            HmFaultResponse  response,
            gboolean         destructive)
{
  GtkWidget *button = gtk_dialog_add_button (dialog, label, (int) response);

  if (destructive)
    gtk_widget_add_css_class (button, "destructive-action");
}

/**
 * hm_fault_dialog_show:
 * @parent: the window the dialog belongs to
 * @document: (nullable): the document the fault happened in
 * @error: what the core reported
 * @callback: (nullable): called with the user's choice once the dialog is gone
 * @user_data: data for @callback
 *
 * Shows a modal dialog that explains @error and offers the choices that fit it
 * (see the table at the top of this file). If the dialog is destroyed without an
 * answer (its parent went away), @callback gets the safe choice.
 *
 * Returns: (transfer none): the dialog
 */
GtkWindow *
hm_fault_dialog_show (GtkWindow       *parent,
                      HmDocument      *document,
                      const GError    *error,
                      HmFaultCallback  callback,
                      gpointer         user_data)
{
  GtkWidget *dialog;
  GtkDialog *d;
  Closure *closure;
  g_autofree char *name = NULL;
  g_autofree char *primary = NULL;
  g_autoptr(GString) secondary = g_string_new (NULL);
  gboolean has_pending;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (document == NULL || HM_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  name = document != NULL ? g_filename_display_basename (hm_document_get_path (document)) : g_strdup (_("the file"));
  has_pending = document != NULL && hm_document_get_has_pending (document);

  dialog = gtk_message_dialog_new (parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_ERROR, GTK_BUTTONS_NONE, NULL);
  d = GTK_DIALOG (dialog);
  closure = g_new0 (Closure, 1);
  closure->callback = callback;
  closure->user_data = user_data;
  closure->safe_response = HM_FAULT_RESPONSE_CLOSE;

  if (g_error_matches (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED))
    {
      primary = g_strdup_printf (_("“%s” Was Shortened by Another Program"), name);
      g_string_append (secondary, _("The bytes you were looking at are no longer in the file."));
      if (has_pending)
        g_string_append_printf (secondary, " %s",
                                _("Your unsaved edits are kept unless you reload."));
      add_button (d, _("_Reload"), HM_FAULT_RESPONSE_RELOAD, has_pending);
      add_button (d, _("_Close"), HM_FAULT_RESPONSE_CLOSE, FALSE);
      closure->safe_response = HM_FAULT_RESPONSE_CANCEL;
    }
  else if (g_error_matches (error, HM_FAULT_ERROR, HM_FAULT_ERROR_NO_SPACE))
    {
      primary = g_strdup (_("The Disk Is Full"));
      g_string_append (secondary, _("Your edits could not all be written. They are still pending: "
                                    "free some space and try again, or save a copy on another disk."));
      add_button (d, _("_Keep Pending"), HM_FAULT_RESPONSE_KEEP_PENDING, FALSE);
      add_button (d, _("Save _As…"), HM_FAULT_RESPONSE_SAVE_AS, FALSE);
      add_button (d, _("_Retry"), HM_FAULT_RESPONSE_RETRY, FALSE);
      closure->safe_response = HM_FAULT_RESPONSE_KEEP_PENDING;
    }
  else if (g_error_matches (error, HM_FAULT_ERROR, HM_FAULT_ERROR_IO))
    {
      primary = g_strdup_printf (_("Could Not Access “%s”"), name);
      g_string_append (secondary, _("The storage did not deliver the data. If it is a network share "
                                    "or a removable disk, reconnect it and try again."));
      if (has_pending)
        g_string_append_printf (secondary, " %s", _("Your unsaved edits are kept."));
      add_button (d, _("_Close"), HM_FAULT_RESPONSE_CLOSE, FALSE);
      add_button (d, _("_Retry"), HM_FAULT_RESPONSE_RETRY, FALSE);
      closure->safe_response = HM_FAULT_RESPONSE_CANCEL;
    }
  else if (g_error_matches (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_CONFLICT))
    {
      primary = g_strdup_printf (_("“%s” Changed on Disk"), name);
      g_string_append (secondary, _("Another program changed the file since you opened it. Reload "
                                    "shows its new contents and drops your edits; Overwrite writes "
                                    "your edits over its changes."));
      add_button (d, _("_Cancel"), HM_FAULT_RESPONSE_CANCEL, FALSE);
      add_button (d, _("_Reload"), HM_FAULT_RESPONSE_RELOAD, TRUE);
      add_button (d, _("_Overwrite"), HM_FAULT_RESPONSE_OVERWRITE, TRUE);
      closure->safe_response = HM_FAULT_RESPONSE_CANCEL;
    }
  else
    {
      primary = g_strdup_printf (_("Something Went Wrong with “%s”"), name);
      if (has_pending)
        g_string_append (secondary, _("Your unsaved edits are kept."));
      /* Nothing to choose: this Close only dismisses the dialog. */
      add_button (d, _("_Close"), HM_FAULT_RESPONSE_CANCEL, FALSE);
      closure->safe_response = HM_FAULT_RESPONSE_CANCEL;
    }

  /* The core's message names the file and the offset in hex. */
  if (secondary->len > 0)
    g_string_append (secondary, "\n\n");
  g_string_append (secondary, error->message);
  if (document != NULL)
    {
      g_string_append (secondary, "\n\n");
      /* Translators: %s is the full path of the file */
      g_string_append_printf (secondary, _("File: %s"), hm_document_get_path (document));
    }

  g_object_set (dialog, "text", primary, "secondary-text", secondary->str, NULL);
  gtk_dialog_set_default_response (d, (int) closure->safe_response);
  g_object_set_data_full (G_OBJECT (dialog), "hm-fault-closure", closure, g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), closure);
  g_signal_connect (dialog, "destroy", G_CALLBACK (unanswered_destroy_cb), closure);
  gtk_window_present (GTK_WINDOW (dialog));
  return GTK_WINDOW (dialog);
}

/**
 * hm_fault_error_new_truncated:
 * @document: the document whose file another program cut short
 * @new_size: where the file ends now
 * @lost: the first offset found missing
 *
 * The fault to show when the core shrank @document because its file got
 * shorter behind our back (not by an edit of ours).
 *
 * Returns: (transfer full): a %HM_FAULT_ERROR_TRUNCATED error naming the file
 */
GError *
hm_fault_error_new_truncated (HmDocument *document,
                              guint64     new_size,
                              guint64     lost)
{
  g_autofree char *name = g_filename_display_basename (hm_document_get_path (document));

  return g_error_new (HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED,
                      _("“%s” was truncated by another program: it now ends at 0x%" PRIx64 ", "
                        "before offset 0x%" PRIx64 "."),
                      name, new_size, lost);
}

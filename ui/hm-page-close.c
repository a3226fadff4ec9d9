/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmPage, closing. hm_page_confirm_close() is what the close action, the
 * window when it closes and the "Close" choice of a fault dialog go through:
 * without unsaved edits it answers at once; with them it asks Save / Discard /
 * Cancel, and Save answers once the save has ended. While a save runs the page
 * does not close. Only one such dialog is up per page: a second close or quit
 * raises it, and a dialog destroyed unanswered (its window went away) answers
 * "no", so the edits stay pending.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-page-private.h"

/* ---- Closing ---- */

/* "Close" in a truncation or I/O fault dialog closes the file; unsaved edits are
 * still asked about (Save / Discard / Cancel). */
void
_hm_page_close_after_fault (HmPage *self)
{
  hm_page_confirm_close (self, _hm_page_close_confirmed_cb, NULL);
}

typedef struct
{
  HmPage         *page;
  HmPageDoneFunc  done;
  gpointer        user_data;
} CloseOp;

/* The op rides on the dialog until it is answered; taking it back also ends the
 * guard against a second dialog. */
static CloseOp *
take_close_op (GtkWidget *dialog)
{
  CloseOp *op = g_object_steal_data (G_OBJECT (dialog), "hm-close-op");

  if (op != NULL)
    op->page->close_dialog = NULL;
  return op;
}

/* Destroyed unanswered (its window went away): the edits stay pending, and the
 * caller hears "no", so nothing that waits on the answer leaks. */
static void
close_dialog_destroy_cb (GtkWidget *dialog)
{
  CloseOp *op = take_close_op (dialog);

  if (op == NULL)
    return;
  op->done (op->page, FALSE, op->user_data);
  g_object_unref (op->page);
  g_free (op);
}

static void
track_close_dialog (HmPage    *self,
                    GtkWidget *dialog,
                    CloseOp   *op)
{
  self->close_dialog = GTK_WINDOW (dialog);
  g_object_set_data (G_OBJECT (dialog), "hm-close-op", op);
  g_signal_connect (dialog, "destroy", G_CALLBACK (close_dialog_destroy_cb), NULL);
}

static void
close_response_cb (GtkDialog *dialog,
                   int        response,
                   CloseOp   *op)
{
  HmPage *self = op->page;
  g_autoptr(GError) error = NULL;

  take_close_op (GTK_WIDGET (dialog));
  /* The answer may close the last page and with it the window (Quit, then
   * Discard). The dialog outlives this handler (the emission holds it) and
   * drops its transient parent only when it is disposed: by then the window
   * would be finalized, and GTK would disconnect from a dead object (four
   * "invalid (NULL) class pointer" warnings and criticals). Let go of the
   * parent now, while it is alive. */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);
  gtk_window_destroy (GTK_WINDOW (dialog));
  switch (response)
    {
    case GTK_RESPONSE_ACCEPT:
      hm_page_save (self, FALSE, op->done, op->user_data);
      break;
    case GTK_RESPONSE_REJECT:
      if (hm_document_discard (self->document, &error))
        op->done (self, TRUE, op->user_data);
      else
        {
          _hm_page_show_error (self, error);
          op->done (self, FALSE, op->user_data);
        }
      break;
    default:
      op->done (self, FALSE, op->user_data);
      break;
    }
  g_object_unref (op->page);
  g_free (op);
}

/**
 * hm_page_confirm_close:
 * @self: a #HmPage
 * @done: called with %TRUE when the page may close
 * @user_data: data for @done
 *
 * With unsaved edits, asks Save / Discard / Cancel; without, calls @done at once.
 */
void
hm_page_confirm_close (HmPage         *self,
                       HmPageDoneFunc  done,
                       gpointer        user_data)
{
  GtkWidget *dialog;
  GtkWidget *button;
  CloseOp *op;
  const char *secondary;

  g_return_if_fail (HM_IS_PAGE (self));
  g_return_if_fail (done != NULL);

  if (!hm_document_get_has_pending (self->document) && !self->busy)
    {
      done (self, TRUE, user_data);
      return;
    }
  if (self->busy)
    {
      _hm_page_show_hint (self, _("Wait for the save to finish, or cancel it."));
      done (self, FALSE, user_data);
      return;
    }
  if (self->close_dialog != NULL)
    {
      /* Already asking: a second close or quit only raises that dialog. */
      gtk_window_present (self->close_dialog);
      done (self, FALSE, user_data);
      return;
    }

  if (hm_document_get_mode (self->document) == HM_DOCUMENT_MODE_DIRECT)
    secondary = _("In direct mode the file already holds your edits, but they are not durable "
                  "yet. Discard puts the saved bytes back.");
  else
    secondary = _("Your edits are not in the file yet. If you close without saving, they are lost.");

  dialog = gtk_message_dialog_new (_hm_page_get_parent_window (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Save Changes to “%s”?"), self->name);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Discard"), GTK_RESPONSE_REJECT);
  gtk_widget_add_css_class (button, "destructive-action");
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Save"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);

  op = g_new0 (CloseOp, 1);
  op->page = g_object_ref (self);
  op->done = done;
  op->user_data = user_data;
  g_signal_connect (dialog, "response", G_CALLBACK (close_response_cb), op);
  track_close_dialog (self, dialog, op);
  gtk_window_present (GTK_WINDOW (dialog));
}

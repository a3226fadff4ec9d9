/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmPage, saving: Save writes the pending edits into the file, Save As a copy
 * elsewhere; both run in the document's worker with progress and a Cancel
 * button in the status bar, and at most one runs at a time ("busy": the
 * actions that would change the document are disabled meanwhile).
 *
 * The worker writes the progress under a lock; a timeout on the main thread
 * moves it to the progress bar. A failure is a fault dialog whose choices
 * (Retry, Overwrite, Reload, Save As, Close, Keep pending) come back here;
 * hm_page_save() tells its caller how it ended once that dialog is answered,
 * which is what closing with Save waits for.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "hm-page-private.h"

/* ---- Progress ---- */

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  HmPage *self = user_data;

  /* Called from the worker thread; the main thread polls. */
  g_mutex_lock (&self->progress_lock);
  self->progress_done = done;
  self->progress_total = total;
  g_mutex_unlock (&self->progress_lock);
}

static gboolean
progress_tick_cb (gpointer user_data)
{
  HmPage *self = user_data;
  guint64 done, total;

  g_mutex_lock (&self->progress_lock);
  done = self->progress_done;
  total = self->progress_total;
  g_mutex_unlock (&self->progress_lock);

  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, (double) done / (double) total);
  else
    gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
begin_progress (HmPage     *self,
                const char *label)
{
  g_assert (!self->busy);

  self->busy = TRUE;
  self->progress_done = 0;
  self->progress_total = 0;
  g_set_object (&self->cancellable, NULL);
  self->cancellable = g_cancellable_new ();
  gtk_label_set_text (self->progress_label, label);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_widget_set_visible (self->progress_box, TRUE);
  self->progress_source = g_timeout_add (100, progress_tick_cb, self);
  _hm_page_update_actions (self);
}

static void
end_progress (HmPage *self)
{
  self->busy = FALSE;
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_object (&self->cancellable);
  gtk_widget_set_visible (self->progress_box, FALSE);
  _hm_page_update_actions (self);
}

static void
progress_cancel_clicked_cb (HmPage *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* ---- Saving ---- */

typedef struct
{
  HmPage         *page;
  gboolean        force;
  HmPageDoneFunc  done;
  gpointer        user_data;
} SaveOp;

static void
save_op_finish (SaveOp   *op,
                gboolean  success)
{
  if (op->done != NULL)
    op->done (op->page, success, op->user_data);
  g_object_unref (op->page);
  g_free (op);
}

static void
save_fault_response_cb (HmPage          *self,
                        HmFaultResponse  response,
                        gpointer         data)
{
  SaveOp *op = data;

  switch (response)
    {
    case HM_FAULT_RESPONSE_RETRY:
      hm_page_save (self, op->force, op->done, op->user_data);
      op->done = NULL;
      break;
    case HM_FAULT_RESPONSE_OVERWRITE:
      hm_page_save (self, TRUE, op->done, op->user_data);
      op->done = NULL;
      break;
    case HM_FAULT_RESPONSE_RELOAD:
      _hm_page_reload (self);
      break;
    case HM_FAULT_RESPONSE_SAVE_AS:
      _hm_page_save_as_action_cb (NULL, NULL, self);
      break;
    case HM_FAULT_RESPONSE_CLOSE:
      _hm_page_close_after_fault (self);
      break;
    case HM_FAULT_RESPONSE_KEEP_PENDING:
    case HM_FAULT_RESPONSE_CANCEL:
    default:
      break;
    }
  save_op_finish (op, FALSE);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SaveOp *op = user_data;
  HmPage *self = op->page;
  g_autoptr(GError) error = NULL;
  gboolean cancelled;

  hm_document_save_finish (HM_DOCUMENT (object), result, &error);
  cancelled = self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);
  end_progress (self);
  _hm_page_update_file_status (self);

  if (error == NULL)
    {
      _hm_page_show_hint (self, _("Saved."));
      save_op_finish (op, TRUE);
    }
  else if (cancelled || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      _hm_page_show_hint (self, _("Save cancelled; your edits are still pending."));
      save_op_finish (op, FALSE);
    }
  else if (!_hm_page_show_fault (self, error, save_fault_response_cb, op))
    {
      /* Another fault dialog is up: say it here rather than not at all. */
      _hm_page_show_hint (self, error->message);
      save_op_finish (op, FALSE);
    }
}

static void
get_save_options (HmPage        *self,
                  HmSaveOptions *options)
{
  g_autofree char *policy = g_settings_get_string (self->settings, "timestamp-policy");

  options->timestamp = HM_TIMESTAMP_NOW;
  options->mtime_sec = 0;
  options->mtime_nsec = 0;
  if (g_str_equal (policy, "keep"))
    options->timestamp = HM_TIMESTAMP_KEEP;
  else if (g_str_equal (policy, "explicit"))
    {
      options->timestamp = HM_TIMESTAMP_EXPLICIT;
      options->mtime_sec = g_settings_get_int64 (self->settings, "explicit-mtime");
    }
}

/**
 * hm_page_save:
 * @self: a #HmPage
 * @force: write even if the file changed on disk since it was opened
 * @done: (nullable): called once the save succeeded, failed or was cancelled,
 *   after any fault dialog it led to
 * @user_data: data for @done
 *
 * Saves the pending edits in the background, with progress and a cancel button
 * in the status bar. Failures are shown in a fault dialog.
 */
void
hm_page_save (HmPage         *self,
              gboolean        force,
              HmPageDoneFunc  done,
              gpointer        user_data)
{
  HmSaveOptions options;
  SaveOp *op;

  g_return_if_fail (HM_IS_PAGE (self));

  if (self->busy || !hm_document_get_has_pending (self->document))
    {
      if (done != NULL)
        done (self, !self->busy, user_data);
      return;
    }

  get_save_options (self, &options);
  options.force = force;
  op = g_new0 (SaveOp, 1);
  op->page = g_object_ref (self);
  op->force = force;
  op->done = done;
  op->user_data = user_data;

  begin_progress (self, _("Saving…"));
  hm_document_save_async (self->document, &options, self->cancellable, progress_cb, self,
                          save_done_cb, op);
}

/* ---- Save As ---- */

typedef struct
{
  HmPage  *page;
  char    *path;
  gboolean open_copy;   /* Edit a Copy: open the copy in preview once saved */
} SaveAsOp;

static void start_save_as (HmPage     *self,
                           const char *path,
                           gboolean    open_copy);

static void
save_as_op_free (SaveAsOp *op)
{
  g_object_unref (op->page);
  g_free (op->path);
  g_free (op);
}

static void
save_as_fault_response_cb (HmPage          *self,
                           HmFaultResponse  response,
                           gpointer         data)
{
  SaveAsOp *op = data;

  if (response == HM_FAULT_RESPONSE_RETRY)
    start_save_as (self, op->path, op->open_copy);
  else if (response == HM_FAULT_RESPONSE_SAVE_AS)
    _hm_page_save_as_action_cb (NULL, NULL, self);
  else if (response == HM_FAULT_RESPONSE_CLOSE)
    _hm_page_close_after_fault (self);
  save_as_op_free (op);
}

static void
save_as_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SaveAsOp *op = user_data;
  HmPage *self = op->page;
  g_autoptr(GError) error = NULL;

  hm_document_save_as_finish (HM_DOCUMENT (object), result, &error);
  end_progress (self);

  if (error == NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (op->path);
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *name = g_filename_display_basename (op->path);
      g_autofree char *message = g_strdup_printf (_("Saved a copy as “%s”."), name);

      gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
      _hm_page_show_hint (self, message);
      /* The window opens it, in preview: the page does not know the window. */
      if (op->open_copy)
        gtk_widget_activate_action (GTK_WIDGET (self), "win.open-preview", "s", op->path);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _hm_page_show_hint (self, _("Save As cancelled."));
  else if (_hm_page_show_fault (self, error, save_as_fault_response_cb, op))
    return;

  save_as_op_free (op);
}

static void
start_save_as (HmPage     *self,
               const char *path,
               gboolean    open_copy)
{
  SaveAsOp *op;

  if (self->busy)
    return;

  op = g_new0 (SaveAsOp, 1);
  op->page = g_object_ref (self);
  op->path = g_strdup (path);
  op->open_copy = open_copy;
  begin_progress (self, _("Saving a copy…"));
  hm_document_save_as_async (self->document, path, self->cancellable, progress_cb, self,
                             save_as_done_cb, op);
}

static void save_as_chosen (HmPage   *self,
                            GFile    *file,
                            gboolean  open_copy);

static void
save_as_response_cb (HmPage          *self,
                     int              response,
                     GtkNativeDialog *chooser)
{
  g_autoptr(GFile) file = NULL;
  gboolean open_copy = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "hm-open-copy"));

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->save_as_chooser);
  if (file != NULL)
    save_as_chosen (self, file, open_copy);
}

/* For tests: the next Save As or Edit a Copy takes this file instead of asking. */
static GFile *test_chosen_file;

void
_hm_page_set_test_chosen_file (GFile *file)
{
  g_set_object (&test_chosen_file, file);
}

static void
save_as_chosen (HmPage   *self,
                GFile    *file,
                gboolean  open_copy)
{
  g_autofree char *path = g_file_get_path (file);

  if (path == NULL)
    {
      _hm_page_show_hint (self, _("Save As needs a local file."));
      return;
    }
  if (g_str_equal (path, hm_document_get_path (self->document)))
    {
      _hm_page_show_hint (self, _("Save As writes a copy: choose another file, or use Save."));
      return;
    }
  start_save_as (self, path, open_copy);
}

static void
show_save_as_chooser (HmPage   *self,
                      gboolean  open_copy)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *name = NULL;

  if (self->busy || self->save_as_chooser != NULL)
    return;
  if (test_chosen_file != NULL)
    {
      g_autoptr(GFile) chosen = g_steal_pointer (&test_chosen_file);

      save_as_chosen (self, chosen, open_copy);
      return;
    }

  chooser = gtk_file_chooser_native_new (open_copy ? _("Edit a Copy") : _("Save a Copy"),
                                         _hm_page_get_parent_window (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         open_copy ? _("_Save and Edit") : _("_Save"), _("_Cancel"));
  g_object_set_data (G_OBJECT (chooser), "hm-open-copy", GINT_TO_POINTER (open_copy));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  file = g_file_new_for_path (hm_document_get_path (self->document));
  folder = g_file_get_parent (file);
  /* A folder the user cannot write (a read-only mount) is no place for the
   * copy: start at home then. */
  if (folder != NULL && g_file_peek_path (folder) != NULL && g_access (g_file_peek_path (folder), W_OK) != 0)
    {
      g_clear_object (&folder);
      folder = g_file_new_for_path (g_get_home_dir ());
    }
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  /* Translators: the suggested name for a copy; %s is the original file name */
  name = g_strdup_printf (_("Copy of %s"), self->name);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);

  self->save_as_chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_as_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
_hm_page_save_as_action_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  show_save_as_chooser (user_data, FALSE);
}

/* A file that cannot be written is not a dead end: save a copy where the user
 * may write, and open the copy in preview to edit it. */
void
_hm_page_edit_copy_action_cb (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  show_save_as_chooser (user_data, TRUE);
}

void
_hm_page_class_save_init (HmPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_bind_template_callback (widget_class, progress_cancel_clicked_cb);
}

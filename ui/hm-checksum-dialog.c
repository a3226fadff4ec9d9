/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmChecksumDialog: CRC-32, MD5, SHA-1, SHA-256 and SHA-512 of the selection or
 * of the whole file, computed in a worker (hm_checksum_compute_async()) with a
 * progress bar and a cancel button; each sum has a copy button.
 *
 * The worker reports progress into a small shared record; the dialog reads it
 * ten times a second, so the worker never waits on the main loop. Closing the
 * dialog or switching scope cancels a run; a late result of an older run is
 * recognised by its generation number and dropped.
 */
#include "config.h"

#include "hm-checksum-dialog.h"
#include "hm-checksum-dialog-private.h"

#include "hm-fault.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#define N_SUMS                5
#define PROGRESS_INTERVAL_MS  100

static const HmChecksumKind sum_kinds[N_SUMS] = {
  HM_CHECKSUM_CRC32, HM_CHECKSUM_MD5, HM_CHECKSUM_SHA1, HM_CHECKSUM_SHA256, HM_CHECKSUM_SHA512,
};

typedef struct
{
  GMutex  lock;
  guint64 done;
  guint64 total;
} Progress;

struct _HmChecksumDialog
{
  GtkWindow         parent_instance;

  HmHexView        *view;
  HmDocument       *document;
  gboolean          whole_file;

  GCancellable     *cancellable;
  guint             generation;
  Progress         *progress;
  guint             progress_id;
  HmChecksumResult *result;

  /* Template widgets */
  GtkCheckButton   *selection_check;
  GtkCheckButton   *file_check;
  GtkLabel         *range_label;
  GtkLabel         *crc32_label;
  GtkLabel         *md5_label;
  GtkLabel         *sha1_label;
  GtkLabel         *sha256_label;
  GtkLabel         *sha512_label;
  GtkButton        *crc32_copy;
  GtkButton        *md5_copy;
  GtkButton        *sha1_copy;
  GtkButton        *sha256_copy;
  GtkButton        *sha512_copy;
  GtkWidget        *progress_box;
  GtkProgressBar   *progress_bar;
  GtkLabel         *status_label;
};

enum
{
  SIGNAL_FAULT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HmChecksumDialog, hm_checksum_dialog, GTK_TYPE_WINDOW)

/* ---- Progress shared with the worker ---- */

static void
progress_clear (gpointer data)
{
  Progress *progress = data;

  g_mutex_clear (&progress->lock);
}

static void
progress_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, progress_clear);
}

static Progress *
progress_new (void)
{
  Progress *progress = g_atomic_rc_box_new0 (Progress);

  g_mutex_init (&progress->lock);
  return progress;
}

/* On the worker thread. */
static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Progress *progress = user_data;

  g_mutex_lock (&progress->lock);
  progress->done = done;
  progress->total = total;
  g_mutex_unlock (&progress->lock);
}

static gboolean
progress_tick_cb (gpointer user_data)
{
  HmChecksumDialog *self = user_data;
  guint64 done, total;

  g_mutex_lock (&self->progress->lock);
  done = self->progress->done;
  total = self->progress->total;
  g_mutex_unlock (&self->progress->lock);

  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / (double) total : 0.0);
  return G_SOURCE_CONTINUE;
}

/* ---- Showing ---- */

static GtkLabel *
value_label (HmChecksumDialog *self,
             guint             i)
{
  GtkLabel *labels[N_SUMS] = {
    self->crc32_label, self->md5_label, self->sha1_label, self->sha256_label, self->sha512_label,
  };

  return labels[i];
}

static GtkWidget *
copy_button (HmChecksumDialog *self,
             guint             i)
{
  GtkButton *buttons[N_SUMS] = {
    self->crc32_copy, self->md5_copy, self->sha1_copy, self->sha256_copy, self->sha512_copy,
  };

  return GTK_WIDGET (buttons[i]);
}

static void
show_values (HmChecksumDialog *self)
{
  for (guint i = 0; i < N_SUMS; i++)
    {
      const char *value = self->result != NULL ? hm_checksum_result_get (self->result, sum_kinds[i]) : NULL;

      gtk_label_set_text (value_label (self, i), value != NULL ? value : "");
      gtk_widget_set_sensitive (copy_button (self, i), value != NULL);
    }
}

static void
set_running (HmChecksumDialog *self,
             gboolean          running)
{
  gtk_widget_set_visible (self->progress_box, running);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (running)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
      self->progress_id = g_timeout_add (PROGRESS_INTERVAL_MS, progress_tick_cb, self);
    }
}

static void
stop (HmChecksumDialog *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->progress, progress_unref);
  self->generation++;
  set_running (self, FALSE);
}

/* ---- Running ---- */

typedef struct
{
  HmChecksumDialog *self;
  guint             generation;
} RunData;

static void
compute_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RunData *run = user_data;
  g_autoptr(HmChecksumDialog) self = run->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(HmChecksumResult) sums = hm_checksum_compute_finish (HM_DOCUMENT (source), result, &error);
  guint generation = run->generation;

  g_free (run);
  if (generation != self->generation)
    return;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->progress, progress_unref);
  set_running (self, FALSE);

  if (sums == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (self->status_label, _("Cancelled."));
      else
        {
          gtk_label_set_text (self->status_label, error->message);
          if (error->domain == HM_FAULT_ERROR)
            g_signal_emit (self, signals[SIGNAL_FAULT], 0, error);
        }
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
      return;
    }

  self->result = g_steal_pointer (&sums);
  show_values (self);
}

static void
start (HmChecksumDialog *self)
{
  guint64 offset = 0, length = 0;
  g_autofree char *size = NULL;
  g_autofree char *text = NULL;
  gboolean has_selection;
  RunData *run;

  stop (self);
  g_clear_pointer (&self->result, hm_checksum_result_free);
  show_values (self);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);

  has_selection = self->view != NULL && hm_hex_view_get_selection_length (self->view) > 0;
  gtk_widget_set_sensitive (GTK_WIDGET (self->selection_check), has_selection);

  if (self->document == NULL)
    {
      gtk_label_set_text (self->range_label, _("No file is open."));
      return;
    }

  if (self->whole_file || !has_selection)
    length = hm_document_get_size (self->document);
  else
    {
      offset = hm_hex_view_get_selection_start (self->view);
      length = hm_hex_view_get_selection_length (self->view);
    }

  size = g_format_size_full (length, G_FORMAT_SIZE_LONG_FORMAT);
  if (self->whole_file || !has_selection)
    text = g_strdup_printf (_("The whole file: %s"), size);
  else
    text = g_strdup_printf (_("%s from offset 0x%" PRIx64), size, offset);
  gtk_label_set_text (self->range_label, text);

  self->cancellable = g_cancellable_new ();
  self->progress = progress_new ();
  set_running (self, TRUE);

  run = g_new0 (RunData, 1);
  run->self = g_object_ref (self);
  run->generation = self->generation;
  hm_checksum_compute_async (self->document, offset, length, HM_CHECKSUM_ALL, self->cancellable,
                             progress_cb, g_atomic_rc_box_acquire (self->progress), progress_unref,
                             compute_done_cb, run);
}

static void
scope_toggled_cb (GtkCheckButton   *button,
                  HmChecksumDialog *self)
{
  if (!gtk_check_button_get_active (button))
    return;
  hm_checksum_dialog_set_whole_file (self, button == self->file_check);
}

static void
cancel_clicked_cb (GtkButton        *button,
                   HmChecksumDialog *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
copy (HmChecksumDialog *self,
      guint             i)
{
  const char *value = self->result != NULL ? hm_checksum_result_get (self->result, sum_kinds[i]) : NULL;

  if (value != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), value);
}

static void
copy_clicked_cb (GtkButton        *button,
                 HmChecksumDialog *self)
{
  for (guint i = 0; i < N_SUMS; i++)
    if (copy_button (self, i) == GTK_WIDGET (button))
      copy (self, i);
}

static gboolean
hm_checksum_dialog_close_request (GtkWindow *window)
{
  stop (HM_CHECKSUM_DIALOG (window));

  return GTK_WINDOW_CLASS (hm_checksum_dialog_parent_class)->close_request (window);
}

/* ---- GObject ---- */

static void
hm_checksum_dialog_dispose (GObject *object)
{
  HmChecksumDialog *self = HM_CHECKSUM_DIALOG (object);

  _hm_checksum_dialog_attach (self, NULL, NULL);
  stop (self);
  g_clear_pointer (&self->result, hm_checksum_result_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), HM_TYPE_CHECKSUM_DIALOG);

  G_OBJECT_CLASS (hm_checksum_dialog_parent_class)->dispose (object);
}

static void
hm_checksum_dialog_class_init (HmChecksumDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hm_checksum_dialog_dispose;
  window_class->close_request = hm_checksum_dialog_close_request;

  signals[SIGNAL_FAULT] =
    g_signal_new ("fault", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/hexmap/Hexmap/ui/hm-checksum-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, selection_check);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, file_check);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, range_label);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, crc32_label);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, md5_label);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, sha1_label);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, sha256_label);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, sha512_label);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, crc32_copy);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, md5_copy);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, sha1_copy);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, sha256_copy);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, sha512_copy);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, progress_box);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HmChecksumDialog, status_label);
  gtk_widget_class_bind_template_callback (widget_class, scope_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hm_checksum_dialog_init (HmChecksumDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  show_values (self);
}

/**
 * hm_checksum_dialog_new:
 *
 * Returns: (transfer none): a new checksum dialog; the page attaches it to its
 *   view and document with _hm_checksum_dialog_attach() (which starts
 *   computing), gives it a parent with gtk_window_set_transient_for(), and
 *   presents it
 */
GtkWidget *
hm_checksum_dialog_new (void)
{
  return g_object_new (HM_TYPE_CHECKSUM_DIALOG, NULL);
}

/**
 * _hm_checksum_dialog_attach:
 * @self: a checksum dialog
 * @view: (nullable): the view whose selection to sum
 * @document: (nullable): @view's document
 *
 * Starts computing the sums of @view's selection, or of the whole file when
 * nothing is selected. The range is taken now; later selection changes do not
 * restart it. The page attaches the dialog once; (%NULL, %NULL) detaches it
 * and stops a run, as its dispose does.
 */
void
_hm_checksum_dialog_attach (HmChecksumDialog *self,
                            HmHexView        *view,
                            HmDocument       *document)
{
  g_return_if_fail (HM_IS_CHECKSUM_DIALOG (self));
  g_return_if_fail (view == NULL || HM_IS_HEX_VIEW (view));
  g_return_if_fail (document == NULL || HM_IS_DOCUMENT (document));
  g_return_if_fail ((view == NULL) == (document == NULL));

  if (self->view == view && self->document == document)
    return;
  g_set_object (&self->view, view);
  g_set_object (&self->document, document);

  /* Default to the selection when there is one. */
  self->whole_file = view == NULL || hm_hex_view_get_selection_length (view) == 0;
  gtk_check_button_set_active (self->whole_file ? self->file_check : self->selection_check, TRUE);
  start (self);
}

/**
 * hm_checksum_dialog_set_whole_file:
 * @self: a checksum dialog
 * @whole_file: %TRUE to sum the whole file, %FALSE for the selection
 *
 * Switches scope and computes again.
 */
void
hm_checksum_dialog_set_whole_file (HmChecksumDialog *self,
                                   gboolean          whole_file)
{
  g_return_if_fail (HM_IS_CHECKSUM_DIALOG (self));

  whole_file = !!whole_file;
  if (self->whole_file == whole_file)
    return;
  self->whole_file = whole_file;
  gtk_check_button_set_active (whole_file ? self->file_check : self->selection_check, TRUE);
  start (self);
}

/* ---- For tests ---- */

gboolean
_hm_checksum_dialog_is_running (HmChecksumDialog *self)
{
  return self->cancellable != NULL;
}

const char *
_hm_checksum_dialog_get_value (HmChecksumDialog *self,
                               HmChecksumKind    kind)
{
  for (guint i = 0; i < N_SUMS; i++)
    if (sum_kinds[i] == kind)
      return gtk_label_get_text (value_label (self, i));
  return NULL;
}

const char *
_hm_checksum_dialog_get_status (HmChecksumDialog *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->status_label))
         ? gtk_label_get_text (self->status_label) : NULL;
}

void
_hm_checksum_dialog_copy (HmChecksumDialog *self,
                          HmChecksumKind    kind)
{
  for (guint i = 0; i < N_SUMS; i++)
    if (sum_kinds[i] == kind)
      g_signal_emit_by_name (copy_button (self, i), "clicked");
}

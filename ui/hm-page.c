/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmPage: everything about one open file. It owns the HmDocument and is the only
 * place that talks to it for the user: saving (async, with progress and cancel in
 * the status bar), discarding, undo/redo, mode changes, go to offset, and every
 * fault, which it shows through hm_fault_dialog_show(). Its actions live in a
 * GSimpleActionGroup that the window also inserts as "page" for the current tab,
 * so the header bar and the application's accelerators reach the current page.
 *
 * Outside changes: a GFileMonitor watches the file. A change or a deletion shows
 * the info bar (Reload keeps pending edits: it only looks at the file again). A
 * truncation that cuts off what is on screen or a pending edit is a fault dialog
 * instead; only one fault dialog is ever shown, whether the monitor or a read
 * notices first.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>

#include "hm-fault.h"
#include "hm-fault-dialog.h"
#include "hm-bookmarks-panel.h"
#include "hm-changes-panel.h"
#include "hm-checksum-dialog.h"
#include "hm-extent-map.h"
#include "hm-fill-dialog.h"
#include "hm-find-bar.h"
#include "hm-inspector.h"
#include "hm-offset.h"
#include "hm-page-private.h"
#include "hm-pattern.h"

/* Ctrl+F starts from the selection when it is at most this long. */
#define MAX_FIND_PREFILL 64

enum
{
  CHANGED_RESPONSE_RELOAD = 1,
  CHANGED_RESPONSE_SAVE_AS = 2,
};

struct _HmPage
{
  GtkWidget           parent_instance;

  HmDocument         *document;
  GSettings          *settings;
  GSimpleActionGroup *actions;
  GFileMonitor       *monitor;
  GtkWindow          *fault_dialog;
  GtkWindow          *checksum_dialog;
  GtkWindow          *fill_dialog;
  GtkNativeDialog    *save_as_chooser;
  char               *name;
  char               *title;
  char               *mode_reason;

  /* What the file looked like the last time we opened, saved or reloaded it. */
  guint64             disk_size;
  /* The document size we last saw, and the size of the last truncation we reported. */
  guint64             doc_size;
  guint64             reported_truncation;
  gboolean            refreshing;
  gint64              disk_mtime_sec;
  glong               disk_mtime_nsec;
  gboolean            disk_known;

  /* A save or save-as in progress; the progress is written by the worker thread. */
  gboolean            busy;
  GCancellable       *cancellable;
  GMutex              progress_lock;
  guint64             progress_done;
  guint64             progress_total;
  guint               progress_source;
  guint               hint_source;

  /* The hole count for the status bar: scanning the map can take a while. */
  GCancellable       *holes_cancellable;
  gboolean            holes_counted;
  /* The Save / Discard / Cancel dialog while it is up: never two at once. */
  GtkWindow          *close_dialog;

  /* Template children */
  GtkInfoBar         *changed_bar;
  GtkLabel           *changed_label;
  GtkWidget          *changed_reload_button;
  GtkWidget          *changed_save_as_button;
  GtkBox             *find_slot;
  HmFindBar          *find_bar;
  HmHexView          *view;
  HmExtentMap        *extent_map;
  GtkWidget          *side_pane;
  GtkStack           *side_stack;
  HmBookmarksPanel   *bookmarks_panel;
  GtkMenuButton      *offset_button;
  GtkPopover         *goto_popover;
  GtkEntry           *goto_entry;
  GtkLabel           *goto_error_label;
  GtkLabel           *selection_label;
  GtkLabel           *hint_label;
  GtkWidget          *progress_box;
  GtkLabel           *progress_label;
  GtkProgressBar     *progress_bar;
  GtkLabel           *size_label;
  GtkLabel           *holes_label;
  GtkLabel           *fs_label;
  GtkLabel           *mtime_label;
  GtkLabel           *mode_label;
};

G_DEFINE_FINAL_TYPE (HmPage, hm_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_DOCUMENT,
  PROP_TITLE,
  N_PROPS
};

enum
{
  SIGNAL_CLOSE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void save_as_action_cb (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data);
static void report_truncation (HmPage        *self,
                               guint64        new_size,
                               guint64        lost);
static void close_after_fault (HmPage        *self);

/* ---- Small helpers ---- */

static GtkWindow *
get_parent_window (HmPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
set_action_enabled (HmPage     *self,
                    const char *name,
                    gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static const char *
mode_to_id (HmDocumentMode mode)
{
  switch (mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      return "read-only";
    case HM_DOCUMENT_MODE_PREVIEW:
      return "preview";
    case HM_DOCUMENT_MODE_DIRECT:
      return "direct";
    default:
      g_return_val_if_reached ("read-only");
    }
}

static gboolean
mode_from_id (const char     *id,
              HmDocumentMode *mode)
{
  if (g_strcmp0 (id, "read-only") == 0)
    *mode = HM_DOCUMENT_MODE_READ_ONLY;
  else if (g_strcmp0 (id, "preview") == 0)
    *mode = HM_DOCUMENT_MODE_PREVIEW;
  else if (g_strcmp0 (id, "direct") == 0)
    *mode = HM_DOCUMENT_MODE_DIRECT;
  else
    return FALSE;
  return TRUE;
}

static gboolean
clear_hint_cb (gpointer user_data)
{
  HmPage *self = user_data;

  self->hint_source = 0;
  gtk_label_set_text (self->hint_label, "");
  return G_SOURCE_REMOVE;
}

static void
show_hint (HmPage     *self,
           const char *message)
{
  gtk_label_set_text (self->hint_label, message);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->hint_label), message);
  g_clear_handle_id (&self->hint_source, g_source_remove);
  self->hint_source = g_timeout_add_seconds (6, clear_hint_cb, self);
}

static void
view_hint_cb (HmPage     *self,
              const char *message,
              HmHexView  *view)
{
  show_hint (self, message);
}

/* ---- The state on disk ---- */

static void
update_mtime_label (HmPage *self)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;
  g_autofree char *formatted = NULL;

  if (!self->disk_known)
    {
      gtk_label_set_text (self->mtime_label, "");
      return;
    }

  time = g_date_time_new_from_unix_local (self->disk_mtime_sec);
  formatted = time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : NULL;
  /* Translators: %s is the file's modification date and time */
  text = g_strdup_printf (_("Modified %s"), formatted != NULL ? formatted : "?");
  gtk_label_set_text (self->mtime_label, text);
}

static void
record_disk_state (HmPage *self)
{
  GStatBuf st;

  self->disk_known = hm_document_get_kind (self->document) == HM_FILE_KIND_REGULAR &&
                     g_stat (hm_document_get_path (self->document), &st) == 0;
  if (self->disk_known)
    {
      self->disk_size = (guint64) st.st_size;
      self->disk_mtime_sec = st.st_mtim.tv_sec;
      self->disk_mtime_nsec = st.st_mtim.tv_nsec;
    }
  update_mtime_label (self);
}

/* ---- Status bar ---- */

static void
update_cursor_status (HmPage *self)
{
  guint64 cursor = hm_hex_view_get_cursor_offset (self->view);
  guint64 length = hm_hex_view_get_selection_length (self->view);
  g_autofree char *offset = NULL;
  g_autofree char *selection = NULL;

  /* Translators: the cursor offset in hex and in decimal */
  offset = g_strdup_printf (_("Offset 0x%" PRIX64 " (%" PRIu64 ")"), cursor, cursor);
  gtk_menu_button_set_label (self->offset_button, offset);

  if (length > 0)
    selection = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Selected %" PRIu64 " byte (0x%" PRIX64 ")",
                                              "Selected %" PRIu64 " bytes (0x%" PRIX64 ")",
                                              length),
                                 length, length);
  gtk_label_set_text (self->selection_label, selection != NULL ? selection : "");
  gtk_widget_set_visible (GTK_WIDGET (self->selection_label), length > 0);
}

static void
update_mode_reason (HmPage *self)
{
  HmDocument *doc = self->document;

  g_clear_pointer (&self->mode_reason, g_free);
  if (hm_document_get_kind (doc) == HM_FILE_KIND_ZERO_DEVICE)
    self->mode_reason = g_strdup (_("/dev/zero cannot be written."));
  else if (!hm_document_get_can_write (doc))
    self->mode_reason = g_strdup (_("You do not have permission to write this file, or its "
                                    "filesystem is mounted read-only."));
  else if (hm_document_get_kind (doc) == HM_FILE_KIND_BLOCK_DEVICE)
    self->mode_reason = g_strdup (_("This is a block device: it opens read-only so that a "
                                    "stray key press cannot damage a disk."));
  else if (hm_document_get_fs_kind (doc) == HM_FS_KIND_NETWORK)
    self->mode_reason = g_strdup_printf (_("The file is on a network filesystem (%s): reads can "
                                           "stall or fail and write errors show up late, so it "
                                           "opens read-only."),
                                         hm_document_get_fs_type (doc));
  else if (hm_document_get_fs_kind (doc) == HM_FS_KIND_FUSE)
    self->mode_reason = g_strdup_printf (_("The file is on a FUSE filesystem (%s): reads can "
                                           "stall or fail, so it opens read-only."),
                                         hm_document_get_fs_type (doc));
}

static const char *
mode_explanation (HmDocumentMode mode)
{
  switch (mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      return _("Nothing can change the file.");
    case HM_DOCUMENT_MODE_PREVIEW:
      return _("Edits stay in memory until you save; the file is untouched until then.");
    case HM_DOCUMENT_MODE_DIRECT:
      return _("Edits go into the file at once; other programs see them. Saving makes them durable.");
    default:
      g_return_val_if_reached ("");
    }
}

static void
show_holes (HmPage  *self,
            guint    n_holes,
            guint64  data_bytes)
{
  if (n_holes > 0)
    {
      g_autofree char *holes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hole", "%u holes", n_holes),
                                                n_holes);
      g_autofree char *data = g_format_size_full (data_bytes, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *tooltip = g_strdup_printf (_("A sparse file: only %s are stored on disk; "
                                                    "holes read as zeros."), data);

      gtk_label_set_text (self->holes_label, holes);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->holes_label), tooltip);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->holes_label), n_holes > 0);
}

typedef struct
{
  guint   n_holes;
  guint64 data_bytes;
} HoleCount;

/* A worker thread: the first count scans the file's extents (SEEK_HOLE), which
 * takes long on a big sparse file and can stall on NFS or FUSE. */
static void
count_holes_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  HmDocument *document = task_data;
  HoleCount *count = g_new0 (HoleCount, 1);

  count->n_holes = hm_document_get_n_holes (document);
  if (count->n_holes > 0)
    count->data_bytes = hm_document_get_data_bytes (document);
  g_task_return_pointer (task, count, g_free);
}

static void
holes_counted_cb (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autofree HoleCount *count = g_task_propagate_pointer (G_TASK (result), NULL);
  HmPage *self = user_data;

  /* Cancelled by a newer count or by dispose: then @self must not be touched. */
  if (count == NULL)
    return;
  self->holes_counted = TRUE;
  show_holes (self, count->n_holes, count->data_bytes);
}

/* No source object: the task's last reference may go in the worker, and a
 * widget must not be finalized there. Dispose cancels, so @self stays valid. */
static void
update_holes (HmPage *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->holes_cancellable != NULL)
    g_cancellable_cancel (self->holes_cancellable);
  g_clear_object (&self->holes_cancellable);
  if (hm_document_get_kind (self->document) != HM_FILE_KIND_REGULAR)
    {
      show_holes (self, 0, 0);
      return;
    }

  /* Until the first count; a recount keeps the last one on screen. */
  if (!self->holes_counted)
    {
      gtk_label_set_text (self->holes_label, "…");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->holes_label), _("Looking for holes in the file…"));
      gtk_widget_set_visible (GTK_WIDGET (self->holes_label), TRUE);
    }
  self->holes_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->holes_cancellable, holes_counted_cb, self);
  g_task_set_source_tag (task, update_holes);
  g_task_set_task_data (task, g_object_ref (self->document), g_object_unref);
  g_task_run_in_thread (task, count_holes_thread);
}

static void
update_file_status (HmPage *self)
{
  HmDocument *doc = self->document;
  HmDocumentMode mode = hm_document_get_mode (doc);
  guint64 size = hm_document_get_size (doc);
  g_autofree char *size_text = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *size_label = NULL;
  g_autofree char *size_tooltip = NULL;
  g_autofree char *fs_tooltip = NULL;
  g_autofree char *mode_tooltip = NULL;

  /* Translators: %s is a size such as "4.0 GiB" */
  size_label = g_strdup_printf (_("Size %s"), size_text);
  gtk_label_set_text (self->size_label, size_label);
  size_tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " byte",
                                               "%" PRIu64 " bytes", size), size);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->size_label), size_tooltip);

  update_holes (self);

  gtk_label_set_text (self->fs_label, hm_document_get_fs_type (doc));
  /* Translators: %s is a filesystem type such as ext4 or nfs4 */
  fs_tooltip = g_strdup_printf (_("Filesystem: %s"), hm_document_get_fs_type (doc));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->fs_label), fs_tooltip);

  switch (mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      gtk_label_set_text (self->mode_label, _("Read-Only"));
      break;
    case HM_DOCUMENT_MODE_PREVIEW:
      gtk_label_set_text (self->mode_label, _("Preview"));
      break;
    case HM_DOCUMENT_MODE_DIRECT:
      gtk_label_set_text (self->mode_label, _("Direct"));
      break;
    default:
      g_assert_not_reached ();
    }
  if (mode == HM_DOCUMENT_MODE_READ_ONLY && self->mode_reason != NULL)
    mode_tooltip = g_strdup_printf ("%s %s", mode_explanation (mode), self->mode_reason);
  else
    mode_tooltip = g_strdup (mode_explanation (mode));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mode_label), mode_tooltip);
}

static void
update_actions (HmPage *self)
{
  HmDocument *doc = self->document;
  gboolean pending = hm_document_get_has_pending (doc);

  set_action_enabled (self, "save", !self->busy && pending);
  set_action_enabled (self, "discard", !self->busy && pending);
  set_action_enabled (self, "undo", !self->busy && hm_document_get_can_undo (doc));
  set_action_enabled (self, "redo", !self->busy && hm_document_get_can_redo (doc));
  set_action_enabled (self, "save-as", !self->busy);
  set_action_enabled (self, "mode", !self->busy);
  set_action_enabled (self, "fill", !self->busy &&
                                    hm_document_get_mode (doc) != HM_DOCUMENT_MODE_READ_ONLY &&
                                    hm_hex_view_get_selection_length (self->view) > 0);
}

static void
update_title (HmPage *self)
{
  g_autofree char *title = NULL;

  if (hm_document_get_has_pending (self->document))
    title = g_strdup_printf ("•%s", self->name);
  else
    title = g_strdup (self->name);

  if (g_strcmp0 (title, self->title) == 0)
    return;
  g_free (self->title);
  self->title = g_steal_pointer (&title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/* In direct mode every edit, undo and discard writes the file: remember the
 * mtime that gave it, so check_disk() can tell an outside change from ours. */
static void
document_changed_cb (HmPage *self)
{
  if (hm_document_get_mode (self->document) == HM_DOCUMENT_MODE_DIRECT && !self->busy)
    record_disk_state (self);
}

static void
document_state_changed_cb (HmPage *self)
{
  update_actions (self);
  update_title (self);
}

/* The core shrinks the document when an access finds the file shorter: another
 * program cut it while we were reading or writing there. */
static void
document_size_changed_cb (HmPage *self)
{
  guint64 size = hm_document_get_size (self->document);
  guint64 old_size = self->doc_size;

  self->doc_size = size;
  update_file_status (self);
  if (!self->refreshing && size < old_size && size != self->reported_truncation)
    report_truncation (self, size, size);
}

static void
document_mode_changed_cb (HmPage *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "mode");

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_string (mode_to_id (hm_document_get_mode (self->document))));
  update_file_status (self);
  update_actions (self);
}

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
  update_actions (self);
}

static void
end_progress (HmPage *self)
{
  self->busy = FALSE;
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_object (&self->cancellable);
  gtk_widget_set_visible (self->progress_box, FALSE);
  update_actions (self);
}

static void
progress_cancel_clicked_cb (HmPage *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* ---- Faults ---- */

typedef void (*PageFaultFunc) (HmPage          *self,
                               HmFaultResponse  response,
                               gpointer         data);

typedef struct
{
  HmPage        *page;
  PageFaultFunc  func;
  gpointer       data;
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
static gboolean
show_fault (HmPage        *self,
            const GError  *error,
            PageFaultFunc  func,
            gpointer       data)
{
  FaultOp *op;

  if (self->fault_dialog != NULL)
    return FALSE;

  op = g_new0 (FaultOp, 1);
  op->page = g_object_ref (self);
  op->func = func;
  op->data = data;
  self->fault_dialog = hm_fault_dialog_show (get_parent_window (self), self->document, error,
                                             fault_response_cb, op);
  g_object_add_weak_pointer (G_OBJECT (self->fault_dialog), (gpointer *) &self->fault_dialog);
  g_object_set_data_full (G_OBJECT (self->fault_dialog), "hm-page-fault-op", op, fault_op_free);
  return TRUE;
}

static void
show_error (HmPage       *self,
            const GError *error)
{
  show_fault (self, error, NULL, NULL);
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
static void
reload (HmPage *self)
{
  g_autoptr(GError) error = NULL;

  if (hm_document_get_has_pending (self->document) && !hm_document_discard (self->document, &error))
    {
      show_error (self, error);
      return;
    }
  if (!refresh_document (self, &error))
    {
      show_error (self, error);
      return;
    }
  record_disk_state (self);
  gtk_info_bar_set_revealed (self->changed_bar, FALSE);
  update_file_status (self);
}

static void
read_fault_response_cb (HmPage          *self,
                        HmFaultResponse  response,
                        gpointer         data)
{
  switch (response)
    {
    case HM_FAULT_RESPONSE_RELOAD:
      reload (self);
      break;
    case HM_FAULT_RESPONSE_RETRY:
      /* Only the view reads again (on network and FUSE mounts in its worker
       * thread): a full refresh would stat and map the file on this thread,
       * which can block on a dead mount. If the pages still fail, the view
       * reports once more, so one new dialog comes back; if the share is back,
       * the bytes appear. */
      hm_hex_view_retry (self->view);
      update_file_status (self);
      break;
    case HM_FAULT_RESPONSE_SAVE_AS:
      save_as_action_cb (NULL, NULL, self);
      break;
    case HM_FAULT_RESPONSE_CLOSE:
      close_after_fault (self);
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
  error = g_error_new (HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED,
                       _("“%s” was truncated by another program: it now ends at 0x%" PRIx64 ", "
                         "before offset 0x%" PRIx64 "."),
                       self->name, new_size, lost);
  show_fault (self, error, read_fault_response_cb, NULL);
}

static void
view_read_fault_cb (HmPage       *self,
                    const GError *error,
                    HmHexView    *view)
{
  /* The core shrinks the document when a read finds the file shorter. */
  update_file_status (self);
  show_fault (self, error, read_fault_response_cb, NULL);
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
      reload (self);
      break;
    case HM_FAULT_RESPONSE_SAVE_AS:
      save_as_action_cb (NULL, NULL, self);
      break;
    case HM_FAULT_RESPONSE_CLOSE:
      close_after_fault (self);
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
  record_disk_state (self);
  update_file_status (self);

  if (error == NULL)
    {
      show_hint (self, _("Saved."));
      save_op_finish (op, TRUE);
    }
  else if (cancelled || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      show_hint (self, _("Save cancelled; your edits are still pending."));
      save_op_finish (op, FALSE);
    }
  else if (!show_fault (self, error, save_fault_response_cb, op))
    {
      /* Another fault dialog is up: say it here rather than not at all. */
      show_hint (self, error->message);
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
  HmPage *page;
  char   *path;
} SaveAsOp;

static void start_save_as (HmPage     *self,
                           const char *path);

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
    start_save_as (self, op->path);
  else if (response == HM_FAULT_RESPONSE_SAVE_AS)
    save_as_action_cb (NULL, NULL, self);
  else if (response == HM_FAULT_RESPONSE_CLOSE)
    close_after_fault (self);
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
      show_hint (self, message);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_hint (self, _("Save As cancelled."));
  else if (show_fault (self, error, save_as_fault_response_cb, op))
    return;

  save_as_op_free (op);
}

static void
start_save_as (HmPage     *self,
               const char *path)
{
  SaveAsOp *op;

  if (self->busy)
    return;

  op = g_new0 (SaveAsOp, 1);
  op->page = g_object_ref (self);
  op->path = g_strdup (path);
  begin_progress (self, _("Saving a copy…"));
  hm_document_save_as_async (self->document, path, self->cancellable, progress_cb, self,
                             save_as_done_cb, op);
}

static void
save_as_response_cb (HmPage          *self,
                     int              response,
                     GtkNativeDialog *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->save_as_chooser);
  if (file == NULL)
    return;

  path = g_file_get_path (file);
  if (path == NULL)
    {
      show_hint (self, _("Save As needs a local file."));
      return;
    }
  if (g_str_equal (path, hm_document_get_path (self->document)))
    {
      show_hint (self, _("Save As writes a copy: choose another file, or use Save."));
      return;
    }
  start_save_as (self, path);
}

static void
save_as_action_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  HmPage *self = user_data;
  GtkFileChooserNative *chooser;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *name = NULL;

  if (self->busy || self->save_as_chooser != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save a Copy"), get_parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  file = g_file_new_for_path (hm_document_get_path (self->document));
  folder = g_file_get_parent (file);
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  /* Translators: the suggested name for a copy; %s is the original file name */
  name = g_strdup_printf (_("Copy of %s"), self->name);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);

  self->save_as_chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_as_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- Actions ---- */

static void
save_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  hm_page_save (HM_PAGE (user_data), FALSE, NULL, NULL);
}

static void
discard_now (HmPage *self)
{
  g_autoptr(GError) error = NULL;

  if (!hm_document_discard (self->document, &error))
    show_error (self, error);
  else
    show_hint (self, _("Edits discarded."));
}

static void
discard_response_cb (GtkDialog *dialog,
                     int        response,
                     HmPage    *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    discard_now (self);
}

/* What Discard throws away: "N changed bytes in M ranges", and in direct mode
 * that the file gets its saved bytes back. */
static char *
describe_discard (HmPage *self)
{
  g_autoptr(GArray) pending = hm_document_get_pending_ranges (self->document);
  guint n_ranges = pending != NULL ? pending->len : 0;
  guint64 n_bytes = 0;
  g_autofree char *bytes = NULL;
  g_autofree char *ranges = NULL;

  for (guint i = 0; i < n_ranges; i++)
    n_bytes += g_array_index (pending, HmRange, i).length;
  bytes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " changed byte", "%" PRIu64 " changed bytes",
                                        (gulong) MIN (n_bytes, G_MAXULONG)),
                           n_bytes);
  ranges = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u range", "%u ranges", n_ranges), n_ranges);

  if (hm_document_get_mode (self->document) == HM_DOCUMENT_MODE_DIRECT)
    /* Translators: the first %s is "N changed bytes", the second "M ranges" */
    return g_strdup_printf (_("%s in %s will be thrown away. The file already holds them: its saved "
                              "bytes are written back into it. This cannot be undone."), bytes, ranges);
  /* Translators: the first %s is "N changed bytes", the second "M ranges" */
  return g_strdup_printf (_("%s in %s will be thrown away. This cannot be undone."), bytes, ranges);
}

static void
discard_action_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  HmPage *self = user_data;
  g_autofree char *secondary = describe_discard (self);
  GtkWidget *dialog;
  GtkWidget *button;

  dialog = gtk_message_dialog_new (get_parent_window (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                   _("Discard Your Edits to “%s”?"), self->name);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Discard"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (button, "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  /* Destroyed unanswered (the window went away): nothing is discarded. */
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
undo_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hm_document_undo (self->document, &error))
    show_error (self, error);
}

static void
redo_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hm_document_redo (self->document, &error))
    show_error (self, error);
}

static void
goto_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;

  gtk_menu_button_popup (self->offset_button);
}

static gboolean
is_printable_utf8 (const guint8 *data,
                   gsize         length)
{
  const char *text = (const char *) data;

  if (!g_utf8_validate_len (text, length, NULL))
    return FALSE;
  for (const char *p = text; p < text + length; p = g_utf8_next_char (p))
    if (!g_unichar_isprint (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* Ctrl+F looks for what is selected, when that is short: as text when the find
 * bar is in text mode or the cursor is in the text column and the bytes are
 * printable UTF-8, otherwise as hex bytes. */
static void
prefill_find_bar (HmPage *self)
{
  guint64 length = hm_hex_view_get_selection_length (self->view);
  guint8 data[MAX_FIND_PREFILL];
  g_autofree char *pattern = NULL;
  gboolean text_mode = FALSE;

  if (length == 0 || length > MAX_FIND_PREFILL)
    return;
  /* A read that fails here also fails on screen, where the view reports it. */
  if (hm_document_read (self->document, hm_hex_view_get_selection_start (self->view), data, (gsize) length,
                        NULL) != (gssize) length)
    return;

  g_object_get (self->find_bar, "text-mode", &text_mode, NULL);
  text_mode = (text_mode || hm_hex_view_get_pane (self->view) == HM_HEX_PANE_TEXT) &&
              is_printable_utf8 (data, (gsize) length);
  if (text_mode)
    pattern = g_strndup ((const char *) data, (gsize) length);
  else
    pattern = hm_hex_view_format_bytes (data, (gsize) length, HM_COPY_FORMAT_HEX);

  /* The selection's own bytes are UTF-8: search for exactly those. */
  if (text_mode)
    g_object_set (self->find_bar, "encoding", (guint) HM_TEXT_ENCODING_UTF8, NULL);
  g_object_set (self->find_bar, "text-mode", text_mode, "pattern", pattern, NULL);
}

static void
find_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;

  prefill_find_bar (self);
  hm_find_bar_set_revealed (self->find_bar, TRUE);
  hm_find_bar_focus (self->find_bar);
}

static void
find_next_action_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  HmPage *self = user_data;

  hm_find_bar_set_revealed (self->find_bar, TRUE);
  hm_find_bar_find_next (self->find_bar);
}

static void
find_previous_action_cb (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  HmPage *self = user_data;

  hm_find_bar_set_revealed (self->find_bar, TRUE);
  hm_find_bar_find_previous (self->find_bar);
}

/* "fault" from the find bar, the side panels and the selection dialogs. */
static void
panel_fault_cb (HmPage       *self,
                const GError *error,
                GtkWidget    *source)
{
  update_file_status (self);
  show_fault (self, error, read_fault_response_cb, NULL);
}

/* The selection dialogs: transient for the window, gone with the page. */
static void
track_dialog (HmPage     *self,
              GtkWindow  *dialog,
              GtkWindow **slot)
{
  g_assert (*slot == NULL);

  *slot = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) slot);
  gtk_window_set_transient_for (dialog, get_parent_window (self));
  gtk_window_set_destroy_with_parent (dialog, TRUE);
  g_signal_connect_object (dialog, "fault", G_CALLBACK (panel_fault_cb), self, G_CONNECT_SWAPPED);
}

static void
untrack_dialog (GtkWindow **slot)
{
  GtkWindow *dialog = *slot;

  if (dialog == NULL)
    return;
  g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) slot);
  *slot = NULL;
  gtk_window_destroy (dialog);
}

static void
checksum_action_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  HmPage *self = user_data;
  GtkWidget *dialog;

  /* The dialog takes its range when it gets the view: a new request is a new dialog. */
  untrack_dialog (&self->checksum_dialog);
  dialog = hm_checksum_dialog_new ();
  track_dialog (self, GTK_WINDOW (dialog), &self->checksum_dialog);
  hm_checksum_dialog_set_view (HM_CHECKSUM_DIALOG (dialog), self->view);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fill_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmPage *self = user_data;

  /* It follows the selection, so an open one only needs raising. */
  if (self->fill_dialog == NULL)
    {
      GtkWidget *dialog = hm_fill_dialog_new ();

      track_dialog (self, GTK_WINDOW (dialog), &self->fill_dialog);
      gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
      hm_fill_dialog_set_view (HM_FILL_DIALOG (dialog), self->view);
    }
  gtk_window_present (self->fill_dialog);
}

static void
toggle_bookmark_action_cb (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  HmPage *self = user_data;
  guint64 offset = hm_hex_view_get_cursor_offset (self->view);
  g_autofree char *message = NULL;

  if (hm_bookmarks_panel_toggle_at_cursor (self->bookmarks_panel))
    /* Translators: the cursor offset in hex */
    message = g_strdup_printf (_("Bookmark added at 0x%" PRIX64 "."), offset);
  else
    message = g_strdup_printf (_("Bookmark at 0x%" PRIX64 " removed."), offset);
  show_hint (self, message);
}

static void
close_confirmed_cb (HmPage   *self,
                    gboolean  proceed,
                    gpointer  user_data)
{
  if (proceed)
    g_signal_emit (self, signals[SIGNAL_CLOSE], 0);
}

static void
close_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  hm_page_confirm_close (HM_PAGE (user_data), close_confirmed_cb, NULL);
}

/* "Close" in a truncation or I/O fault dialog closes the file; unsaved edits are
 * still asked about (Save / Discard / Cancel). */
static void
close_after_fault (HmPage *self)
{
  hm_page_confirm_close (self, close_confirmed_cb, NULL);
}

/* Refusals the user can act on (save or discard first, wait for the save) are a
 * hint in the status bar, not a fault dialog. */
static void
show_mode_error (HmPage       *self,
                 const GError *error)
{
  if (g_error_matches (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY))
    show_hint (self, error->message);
  else
    show_error (self, error);
}

static void
set_mode (HmPage         *self,
          HmDocumentMode  mode)
{
  g_autoptr(GError) error = NULL;

  if (!hm_document_set_mode (self->document, mode, &error))
    {
      show_mode_error (self, error);
      /* The check buttons follow the action's state: put it back. */
      document_mode_changed_cb (self);
    }
}

static void
direct_confirm_response_cb (GtkDialog *dialog,
                            int        response,
                            HmPage    *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    set_mode (self, HM_DOCUMENT_MODE_DIRECT);
  else
    document_mode_changed_cb (self);
}

static void
mode_change_state_cb (GSimpleAction *action,
                      GVariant      *value,
                      gpointer       user_data)
{
  HmPage *self = user_data;
  HmDocumentMode mode;
  GtkWidget *dialog;
  GtkWidget *button;

  if (!mode_from_id (g_variant_get_string (value, NULL), &mode) ||
      mode == hm_document_get_mode (self->document))
    return;

  /* The popover greys these out; nothing else should ask, but it is no error. */
  if (mode != HM_DOCUMENT_MODE_READ_ONLY && !hm_document_get_can_write (self->document))
    {
      show_hint (self, self->mode_reason != NULL ? self->mode_reason : _("This file cannot be written."));
      document_mode_changed_cb (self);
      return;
    }

  if (mode != HM_DOCUMENT_MODE_DIRECT || !hm_document_get_has_pending (self->document))
    {
      set_mode (self, mode);
      return;
    }

  dialog = gtk_message_dialog_new (get_parent_window (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                   _("Write Your Edits into the File Now?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _("In direct mode, edits go into the file at once and other "
                                              "programs see them. Your pending edits will be written into "
                                              "the file now; saving then makes them durable."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("Switch to _Direct"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (button, "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (direct_confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Sparse files: the view moves the cursor, or says in a hint (shown in the
 * status bar) that there is nothing further that way. */
static void
hole_navigation_action_cb (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  HmPage *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  if (g_str_equal (name, "next-data"))
    hm_hex_view_goto_next_data (self->view);
  else if (g_str_equal (name, "previous-data"))
    hm_hex_view_goto_previous_data (self->view);
  else if (g_str_equal (name, "next-hole"))
    hm_hex_view_goto_next_hole (self->view);
  else
    hm_hex_view_goto_previous_hole (self->view);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static const GActionEntry page_actions[] = {
  { "save", save_action_cb },
  { "save-as", save_as_action_cb },
  { "discard", discard_action_cb },
  { "undo", undo_action_cb },
  { "redo", redo_action_cb },
  { "goto", goto_action_cb },
  { "find", find_action_cb },
  { "find-next", find_next_action_cb },
  { "find-previous", find_previous_action_cb },
  { "checksum", checksum_action_cb },
  { "fill", fill_action_cb },
  { "toggle-bookmark", toggle_bookmark_action_cb },
  { "close", close_action_cb },
  { "mode", NULL, "s", "'read-only'", mode_change_state_cb },
  { "next-data", hole_navigation_action_cb },
  { "previous-data", hole_navigation_action_cb },
  { "next-hole", hole_navigation_action_cb },
  { "previous-hole", hole_navigation_action_cb },
};

/* ---- Go to offset ---- */

static gboolean
resolve_goto (HmPage   *self,
              guint64  *offset,
              GError  **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->goto_entry));
  HmOffsetTarget target;

  return hm_offset_target_parse (text, &target, error) &&
         hm_offset_target_resolve (&target, hm_hex_view_get_cursor_offset (self->view),
                                   hm_document_get_size (self->document), offset, error);
}

static void
set_goto_error (HmPage       *self,
                const GError *error)
{
  gtk_label_set_text (self->goto_error_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->goto_error_label), error != NULL);
  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->goto_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->goto_entry), "error");
}

static void
goto_changed_cb (HmPage *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->goto_entry));
  guint64 offset;

  /* Inline validation, but not while the entry is still empty. */
  if (*text == '\0' || resolve_goto (self, &offset, &error))
    set_goto_error (self, NULL);
  else
    set_goto_error (self, error);
}

static void
goto_activate_cb (HmPage *self)
{
  g_autoptr(GError) error = NULL;
  guint64 offset;

  if (!resolve_goto (self, &offset, &error))
    {
      set_goto_error (self, error);
      return;
    }
  gtk_popover_popdown (self->goto_popover);
  hm_page_go_to (self, offset);
}

static void
goto_popover_show_cb (HmPage *self)
{
  g_autofree char *text = g_strdup_printf ("0x%" G_GINT64_MODIFIER "X", hm_hex_view_get_cursor_offset (self->view));

  gtk_editable_set_text (GTK_EDITABLE (self->goto_entry), text);
  set_goto_error (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->goto_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->goto_entry), 0, -1);
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
        show_error (self, error);
      record_disk_state (self);
      update_file_status (self);
    }
  else if (response == CHANGED_RESPONSE_SAVE_AS)
    save_as_action_cb (NULL, NULL, self);
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

/* Direct-mode stores move the mtime too, but record_disk_state() runs after
 * each of ours (document_changed_cb), so another mtime is another program's.
 * Not on network and FUSE mounts: the server moves it whenever it writes our
 * pages back, so there only a new size tells. */
static gboolean
mtime_is_comparable (HmPage *self)
{
  HmFsKind fs_kind = hm_document_get_fs_kind (self->document);

  return hm_document_get_mode (self->document) != HM_DOCUMENT_MODE_DIRECT ||
         (fs_kind != HM_FS_KIND_NETWORK && fs_kind != HM_FS_KIND_FUSE);
}

static void
check_disk (HmPage *self)
{
  GStatBuf st;
  gboolean same_time;

  if (self->busy)
    return;

  if (g_stat (hm_document_get_path (self->document), &st) != 0)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” was deleted or moved by another program. "
                                                    "It stays open here; Save As keeps a copy."),
                                                  self->name);

      show_changed_bar (self, message, TRUE);
      return;
    }

  same_time = st.st_mtim.tv_sec == self->disk_mtime_sec && st.st_mtim.tv_nsec == self->disk_mtime_nsec;
  if (self->disk_known && (guint64) st.st_size == self->disk_size &&
      (same_time || !mtime_is_comparable (self)))
    return;

  /* One notice per outside change: the next event compares with this state. */
  self->disk_known = TRUE;
  self->disk_size = (guint64) st.st_size;
  self->disk_mtime_sec = st.st_mtim.tv_sec;
  self->disk_mtime_nsec = st.st_mtim.tv_nsec;
  update_mtime_label (self);

  if ((guint64) st.st_size == self->reported_truncation)
    return;
  if ((guint64) st.st_size < hm_document_get_size (self->document))
    check_truncation (self, (guint64) st.st_size);
  else
    {
      g_autofree char *message = g_strdup_printf (_("“%s” was changed by another program. Reload "
                                                    "to see its new contents; your edits are kept."),
                                                  self->name);

      show_changed_bar (self, message, FALSE);
    }
}

static void
monitor_changed_cb (HmPage            *self,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    GFileMonitor      *monitor)
{
  /* Any event may mean new contents, a new size or a file that is gone; stat says which. */
  if (event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT || event == G_FILE_MONITOR_EVENT_UNMOUNTED)
    return;
  check_disk (self);
}

/* ---- Closing ---- */

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
          show_error (self, error);
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
      show_hint (self, _("Wait for the save to finish, or cancel it."));
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

  dialog = gtk_message_dialog_new (get_parent_window (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
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

/* ---- GObject ---- */

static void
hm_page_constructed (GObject *object)
{
  HmPage *self = HM_PAGE (object);
  HmDocument *doc = self->document;
  GAction *mode_action;

  G_OBJECT_CLASS (hm_page_parent_class)->constructed (object);

  g_assert (HM_IS_DOCUMENT (doc));
  self->name = g_filename_display_basename (hm_document_get_path (doc));

  hm_hex_view_set_document (self->view, doc);

  self->find_bar = HM_FIND_BAR (hm_find_bar_new ());
  hm_find_bar_set_view (self->find_bar, self->view);
  gtk_box_append (self->find_slot, GTK_WIDGET (self->find_bar));
  g_signal_connect_object (self->find_bar, "fault", G_CALLBACK (panel_fault_cb), self, G_CONNECT_SWAPPED);

  {
    GtkWidget *inspector = hm_inspector_new ();
    GtkWidget *changes = hm_changes_panel_new ();
    GtkWidget *bookmarks = hm_bookmarks_panel_new ();

    hm_inspector_set_view (HM_INSPECTOR (inspector), self->view);
    hm_changes_panel_set_view (HM_CHANGES_PANEL (changes), self->view);
    hm_bookmarks_panel_set_view (HM_BOOKMARKS_PANEL (bookmarks), self->view);
    gtk_stack_add_titled (self->side_stack, inspector, "inspector", _("Inspector"));
    gtk_stack_add_titled (self->side_stack, changes, "changes", _("Changes"));
    gtk_stack_add_titled (self->side_stack, bookmarks, "bookmarks", _("Bookmarks"));
    self->bookmarks_panel = HM_BOOKMARKS_PANEL (bookmarks);
    g_signal_connect_object (inspector, "fault", G_CALLBACK (panel_fault_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (changes, "fault", G_CALLBACK (panel_fault_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (bookmarks, "fault", G_CALLBACK (panel_fault_cb), self, G_CONNECT_SWAPPED);
  }
  g_settings_bind (self->settings, "bytes-per-row", self->view, "bytes-per-row", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "group-size", self->view, "group-size", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "show-side-pane", self->side_pane, "visible", G_SETTINGS_BIND_GET);

  g_signal_connect_object (self->view, "notify::cursor-offset", G_CALLBACK (update_cursor_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "notify::selection-length", G_CALLBACK (update_cursor_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "notify::selection-length", G_CALLBACK (update_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "hint", G_CALLBACK (view_hint_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "read-fault", G_CALLBACK (view_read_fault_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (doc, "notify::has-pending", G_CALLBACK (document_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "notify::can-undo", G_CALLBACK (document_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "notify::can-redo", G_CALLBACK (document_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "notify::mode", G_CALLBACK (document_mode_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "notify::size", G_CALLBACK (document_size_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "changed", G_CALLBACK (document_changed_cb), self, G_CONNECT_SWAPPED);
  self->doc_size = hm_document_get_size (doc);
  self->reported_truncation = G_MAXUINT64;

  mode_action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "mode");
  g_simple_action_set_state (G_SIMPLE_ACTION (mode_action),
                             g_variant_new_string (mode_to_id (hm_document_get_mode (doc))));

  if (hm_document_get_kind (doc) == HM_FILE_KIND_REGULAR)
    {
      g_autoptr(GFile) file = g_file_new_for_path (hm_document_get_path (doc));

      self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (self->monitor != NULL)
        g_signal_connect_object (self->monitor, "changed", G_CALLBACK (monitor_changed_cb), self,
                                 G_CONNECT_SWAPPED);
    }

  record_disk_state (self);
  update_mode_reason (self);
  update_cursor_status (self);
  update_file_status (self);
  update_actions (self);
  update_title (self);

  /* Say why at once, not only in a tooltip: e.g. a file on a network mount. */
  if (hm_document_get_mode (doc) == HM_DOCUMENT_MODE_READ_ONLY && self->mode_reason != NULL)
    show_hint (self, self->mode_reason);
}

static void
hm_page_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  HmPage *self = HM_PAGE (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_page_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  HmPage *self = HM_PAGE (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      self->document = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_page_dispose (GObject *object)
{
  HmPage *self = HM_PAGE (object);
  GtkWidget *child;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->holes_cancellable != NULL)
    g_cancellable_cancel (self->holes_cancellable);
  g_clear_object (&self->holes_cancellable);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_handle_id (&self->hint_source, g_source_remove);
  if (self->monitor != NULL)
    {
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->save_as_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->save_as_chooser);
      g_clear_object (&self->save_as_chooser);
    }
  untrack_dialog (&self->checksum_dialog);
  untrack_dialog (&self->fill_dialog);
  if (self->view != NULL)
    hm_hex_view_set_document (self->view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), HM_TYPE_PAGE);
  /* The separator and the boxes have no id: unparent whatever is left. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->actions);
  g_clear_object (&self->settings);
  g_clear_object (&self->document);

  G_OBJECT_CLASS (hm_page_parent_class)->dispose (object);
}

static void
hm_page_finalize (GObject *object)
{
  HmPage *self = HM_PAGE (object);

  g_free (self->name);
  g_free (self->title);
  g_free (self->mode_reason);
  g_mutex_clear (&self->progress_lock);

  G_OBJECT_CLASS (hm_page_parent_class)->finalize (object);
}

static void
hm_page_class_init (HmPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = hm_page_constructed;
  object_class->get_property = hm_page_get_property;
  object_class->set_property = hm_page_set_property;
  object_class->dispose = hm_page_dispose;
  object_class->finalize = hm_page_finalize;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, HM_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CLOSE] =
    g_signal_new ("close", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (HM_TYPE_HEX_VIEW);
  g_type_ensure (HM_TYPE_EXTENT_MAP);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/hexmap/Hexmap/ui/hm-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HmPage, changed_bar);
  gtk_widget_class_bind_template_child (widget_class, HmPage, changed_label);
  gtk_widget_class_bind_template_child (widget_class, HmPage, changed_reload_button);
  gtk_widget_class_bind_template_child (widget_class, HmPage, changed_save_as_button);
  gtk_widget_class_bind_template_child (widget_class, HmPage, find_slot);
  gtk_widget_class_bind_template_child (widget_class, HmPage, view);
  gtk_widget_class_bind_template_child (widget_class, HmPage, extent_map);
  gtk_widget_class_bind_template_child (widget_class, HmPage, side_pane);
  gtk_widget_class_bind_template_child (widget_class, HmPage, side_stack);
  gtk_widget_class_bind_template_child (widget_class, HmPage, offset_button);
  gtk_widget_class_bind_template_child (widget_class, HmPage, goto_popover);
  gtk_widget_class_bind_template_child (widget_class, HmPage, goto_entry);
  gtk_widget_class_bind_template_child (widget_class, HmPage, goto_error_label);
  gtk_widget_class_bind_template_child (widget_class, HmPage, selection_label);
  gtk_widget_class_bind_template_child (widget_class, HmPage, hint_label);
  gtk_widget_class_bind_template_child (widget_class, HmPage, progress_box);
  gtk_widget_class_bind_template_child (widget_class, HmPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, HmPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HmPage, size_label);
  gtk_widget_class_bind_template_child (widget_class, HmPage, holes_label);
  gtk_widget_class_bind_template_child (widget_class, HmPage, fs_label);
  gtk_widget_class_bind_template_child (widget_class, HmPage, mtime_label);
  gtk_widget_class_bind_template_child (widget_class, HmPage, mode_label);
  gtk_widget_class_bind_template_callback (widget_class, changed_bar_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, progress_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, goto_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, goto_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, goto_popover_show_cb);
}

static void
hm_page_init (HmPage *self)
{
  g_mutex_init (&self->progress_lock);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), page_actions, G_N_ELEMENTS (page_actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "page", G_ACTION_GROUP (self->actions));
}

HmPage *
hm_page_new (HmDocument *document)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (document), NULL);

  return g_object_new (HM_TYPE_PAGE, "document", document, NULL);
}

HmDocument *
hm_page_get_document (HmPage *self)
{
  g_return_val_if_fail (HM_IS_PAGE (self), NULL);
  return self->document;
}

HmHexView *
hm_page_get_view (HmPage *self)
{
  g_return_val_if_fail (HM_IS_PAGE (self), NULL);
  return self->view;
}

GActionGroup *
hm_page_get_action_group (HmPage *self)
{
  g_return_val_if_fail (HM_IS_PAGE (self), NULL);
  return G_ACTION_GROUP (self->actions);
}

const char *
hm_page_get_title (HmPage *self)
{
  g_return_val_if_fail (HM_IS_PAGE (self), NULL);
  return self->title;
}

/**
 * hm_page_get_mode_reason:
 * @self: a #HmPage
 *
 * Returns: (nullable): why the file opens read-only by default (a network or
 *   FUSE mount, a block device, no permission), or %NULL
 */
const char *
hm_page_get_mode_reason (HmPage *self)
{
  g_return_val_if_fail (HM_IS_PAGE (self), NULL);
  return self->mode_reason;
}

/**
 * hm_page_go_to:
 * @self: a #HmPage
 * @offset: a byte offset inside the file
 *
 * Puts the cursor on @offset and scrolls it into view.
 */
void
hm_page_go_to (HmPage  *self,
               guint64  offset)
{
  g_return_if_fail (HM_IS_PAGE (self));

  hm_hex_view_set_cursor_offset (self->view, offset);
  hm_hex_view_scroll_to_offset (self->view, offset);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

GtkEditable *
_hm_page_get_goto_entry (HmPage *self)
{
  return GTK_EDITABLE (self->goto_entry);
}

const char *
_hm_page_get_goto_error (HmPage *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->goto_error_label)))
    return NULL;
  return gtk_label_get_text (self->goto_error_label);
}

gboolean
_hm_page_get_changed_revealed (HmPage *self)
{
  return gtk_info_bar_get_revealed (self->changed_bar);
}

gboolean
_hm_page_get_busy (HmPage *self)
{
  return self->busy;
}

HmFindBar *
_hm_page_get_find_bar (HmPage *self)
{
  return self->find_bar;
}

HmBookmarksPanel *
_hm_page_get_bookmarks_panel (HmPage *self)
{
  return self->bookmarks_panel;
}

GtkWidget *
_hm_page_get_side_pane (HmPage *self)
{
  return self->side_pane;
}

GtkWindow *
_hm_page_get_checksum_dialog (HmPage *self)
{
  return self->checksum_dialog;
}

GtkWindow *
_hm_page_get_fill_dialog (HmPage *self)
{
  return self->fill_dialog;
}

HmExtentMap *
_hm_page_get_extent_map (HmPage *self)
{
  return self->extent_map;
}

const char *
_hm_page_get_hint (HmPage *self)
{
  return gtk_label_get_text (self->hint_label);
}

GtkWindow *
_hm_page_get_fault_dialog (HmPage *self)
{
  return self->fault_dialog;
}

const char *
_hm_page_get_holes_text (HmPage *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->holes_label)))
    return NULL;
  return gtk_label_get_text (self->holes_label);
}

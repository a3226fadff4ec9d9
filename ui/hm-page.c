/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmPage: everything about one open file. It owns the HmDocument and is the only
 * place that talks to it for the user: saving (async, with progress and cancel in
 * the status bar), discarding, undo/redo, mode changes, go to offset, and every
 * fault, which it shows through hm_fault_dialog_show(). Its actions live in a
 * GSimpleActionGroup that the window also inserts as "page" for the current tab,
 * so the header bar and the application's accelerators reach the current page.
 *
 * The class is split by job; the files share the instance struct and the
 * _hm_page_* calls in hm-page-private.h:
 *
 *   hm-page.c          the class: properties, the "close" signal, construction
 *                      (the view wired to the document; the find bar and the
 *                      side panels after the first frame), the title, the
 *                      public API
 *   hm-page-status.c   the status bar: hints, offset and selection, size, holes,
 *                      filesystem, mode; the go-to popover of the offset button
 *   hm-page-actions.c  the page.* actions and when they are enabled; the mode
 *                      switch; the selection dialogs (checksum, fill)
 *   hm-page-save.c     Save and Save As in the background, with progress
 *   hm-page-faults.c   the fault dialog, the state on disk, the "changed on
 *                      disk" bar and truncations
 *   hm-page-close.c    closing with unsaved edits: Save / Discard / Cancel
 *   hm-page-compare.c  comparing with a second file, side by side
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-bookmarks-panel-private.h"
#include "hm-changes-panel-private.h"
#include "hm-extent-map-private.h"
#include "hm-find-bar-private.h"
#include "hm-hex-view-private.h"
#include "hm-inspector-private.h"
#include "hm-page-private.h"

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

/* ---- Small helpers ---- */

GtkWindow *
_hm_page_get_parent_window (HmPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* ---- Title and document state ---- */

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

static void
document_state_changed_cb (HmPage *self)
{
  _hm_page_update_actions (self);
  update_title (self);
}

void
_hm_page_close_confirmed_cb (HmPage   *self,
                             gboolean  proceed,
                             gpointer  user_data)
{
  if (proceed)
    g_signal_emit (self, signals[SIGNAL_CLOSE], 0);
}

/* ---- After the first frame ---- */

/* The first frame needs the view and the status bar; the find bar and the side
 * panels (the biggest widget trees of a page; the bookmarks panel also loads the
 * file's bookmarks) are built in an idle once the view's first frame is on
 * screen, or at once when something needs them first. The side pane shows
 * empty until then, at its width, so nothing moves when they arrive. */
void
_hm_page_ensure_panels (HmPage *self)
{
  HmDocument *doc = self->document;

  if (self->panels_built || doc == NULL)
    return;
  self->panels_built = TRUE;
  g_clear_handle_id (&self->panels_idle, g_source_remove);

  /* Above the compare bar, which may be in the slot already. */
  self->find_bar = HM_FIND_BAR (hm_find_bar_new ());
  _hm_find_bar_attach (self->find_bar, self->view, doc);
  gtk_box_prepend (self->find_slot, GTK_WIDGET (self->find_bar));
  g_signal_connect_object (self->find_bar, "fault", G_CALLBACK (_hm_page_panel_fault_cb), self, G_CONNECT_SWAPPED);

  {
    GtkWidget *inspector = hm_inspector_new ();
    GtkWidget *changes = hm_changes_panel_new ();
    GtkWidget *bookmarks = hm_bookmarks_panel_new ();
    GtkWidget *inspector_scroll = gtk_scrolled_window_new ();

    _hm_inspector_attach (HM_INSPECTOR (inspector), self->view, doc);
    g_settings_bind (self->settings, "inspector-hex", inspector, "show-hex", G_SETTINGS_BIND_DEFAULT);
    _hm_changes_panel_attach (HM_CHANGES_PANEL (changes), self->view, doc);
    _hm_bookmarks_panel_attach (HM_BOOKMARKS_PANEL (bookmarks), self->view, doc);
    /* Each panel scrolls by itself (see hm-page.ui): the inspector here. */
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (inspector_scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (inspector_scroll), inspector);
    gtk_stack_add_titled (self->side_stack, inspector_scroll, "inspector", _("Inspector"));
    gtk_stack_add_titled (self->side_stack, changes, "changes", _("Changes"));
    gtk_stack_add_titled (self->side_stack, bookmarks, "bookmarks", _("Bookmarks"));
    self->bookmarks_panel = HM_BOOKMARKS_PANEL (bookmarks);
    g_signal_connect_object (inspector, "fault", G_CALLBACK (_hm_page_panel_fault_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (changes, "fault", G_CALLBACK (_hm_page_panel_fault_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (bookmarks, "fault", G_CALLBACK (_hm_page_panel_fault_cb), self, G_CONNECT_SWAPPED);
  }
}

static gboolean
panels_idle_cb (gpointer user_data)
{
  HmPage *self = HM_PAGE (user_data);

  self->panels_idle = 0;
  _hm_page_ensure_panels (self);
  return G_SOURCE_REMOVE;
}

static void
first_frame_after_paint_cb (GdkFrameClock *clock,
                            HmPage        *self)
{
  if (_hm_hex_view_get_frames_drawn (self->view) == 0)
    return;
  g_signal_handlers_disconnect_by_func (clock, first_frame_after_paint_cb, self);
  if (!self->panels_built && self->panels_idle == 0)
    self->panels_idle = g_idle_add (panels_idle_cb, self);
}

static void
hm_page_map (GtkWidget *widget)
{
  HmPage *self = HM_PAGE (widget);
  GdkFrameClock *clock;

  GTK_WIDGET_CLASS (hm_page_parent_class)->map (widget);

  clock = gtk_widget_get_frame_clock (widget);
  if (self->panels_built || self->panels_idle != 0 || clock == NULL)
    return;
  g_signal_handlers_disconnect_by_func (clock, first_frame_after_paint_cb, self);
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (first_frame_after_paint_cb), self, 0);
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

  /* The page sets its document once: the view, then the parts that follow it,
   * each attached to both. */
  hm_hex_view_set_document (self->view, doc);
  _hm_extent_map_attach (self->extent_map, self->view, doc);

  g_settings_bind (self->settings, "bytes-per-row", self->view, "bytes-per-row", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "group-size", self->view, "group-size", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "column-gap", self->view, "column-gap", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "column-header", self->view, "show-header", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "offset-format", self->view, "offset-format", G_SETTINGS_BIND_GET);
  /* Both ways: zooming a view (Ctrl+plus, Ctrl+wheel) is remembered, and every page follows. */
  g_settings_bind (self->settings, "zoom", self->view, "zoom", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-side-pane", self->side_pane, "visible", G_SETTINGS_BIND_GET);

  g_signal_connect_object (self->view, "notify::cursor-offset", G_CALLBACK (_hm_page_update_cursor_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "notify::selection-length", G_CALLBACK (_hm_page_update_cursor_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "notify::offset-format", G_CALLBACK (_hm_page_update_cursor_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "notify::selection-length", G_CALLBACK (_hm_page_update_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "hint", G_CALLBACK (_hm_page_view_hint_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "notify::insert-mode", G_CALLBACK (_hm_page_update_insert_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "notify::has-structural-pending", G_CALLBACK (_hm_page_update_insert_status), self,
                           G_CONNECT_SWAPPED);
  _hm_page_update_insert_status (self);
  g_signal_connect_object (self->view, "read-fault", G_CALLBACK (_hm_page_view_read_fault_cb), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (doc, "notify::has-pending", G_CALLBACK (document_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "notify::can-undo", G_CALLBACK (document_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "notify::can-redo", G_CALLBACK (document_state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "notify::mode", G_CALLBACK (_hm_page_document_mode_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "content-changed", G_CALLBACK (_hm_page_document_content_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (doc, "notify::size", G_CALLBACK (_hm_page_document_size_changed_cb), self,
                           G_CONNECT_SWAPPED);
  self->doc_size = hm_document_get_size (doc);
  self->reported_truncation = G_MAXUINT64;

  mode_action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "mode");
  g_simple_action_set_state (G_SIMPLE_ACTION (mode_action),
                             g_variant_new_string (_hm_page_mode_to_id (hm_document_get_mode (doc))));

  _hm_page_watch_disk (self);
  _hm_page_update_mode_reason (self);
  _hm_page_update_cursor_status (self);
  _hm_page_update_file_status (self);
  _hm_page_update_actions (self);
  update_title (self);

  /* Say why at once, not only in a tooltip: e.g. a file on a network mount. */
  if (hm_document_get_mode (doc) == HM_DOCUMENT_MODE_READ_ONLY && self->mode_reason != NULL)
    _hm_page_show_hint (self, self->mode_reason);
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
  g_clear_handle_id (&self->panels_idle, g_source_remove);
  if (self->save_as_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->save_as_chooser);
      g_clear_object (&self->save_as_chooser);
    }
  _hm_page_compare_dispose (self);
  _hm_page_untrack_dialog (&self->checksum_dialog);
  _hm_page_untrack_dialog (&self->fill_dialog);
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
  widget_class->map = hm_page_map;

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
  gtk_widget_class_bind_template_child (widget_class, HmPage, view_box);
  gtk_widget_class_bind_template_child (widget_class, HmPage, compare_label);
  gtk_widget_class_bind_template_child (widget_class, HmPage, side_pane);
  gtk_widget_class_bind_template_child (widget_class, HmPage, side_stack);
  gtk_widget_class_bind_template_child (widget_class, HmPage, offset_button);
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
  gtk_widget_class_bind_template_child (widget_class, HmPage, insert_label);
  _hm_page_class_faults_init (klass);
  _hm_page_class_save_init (klass);
}

static void
hm_page_init (HmPage *self)
{
  g_mutex_init (&self->progress_lock);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  _hm_page_actions_init (self);
  _hm_page_status_init (self);
  _hm_page_compare_init (self);
}

/* ---- Public API ---- */

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
  hm_hex_view_reveal_offset (self->view, offset);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

/* ---- For tests ---- */

GtkEditable *
_hm_page_get_goto_entry (HmPage *self)
{
  _hm_page_ensure_goto (self);
  return GTK_EDITABLE (self->goto_entry);
}

const char *
_hm_page_get_goto_error (HmPage *self)
{
  _hm_page_ensure_goto (self);
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
  _hm_page_ensure_panels (self);
  return self->find_bar;
}

HmBookmarksPanel *
_hm_page_get_bookmarks_panel (HmPage *self)
{
  _hm_page_ensure_panels (self);
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

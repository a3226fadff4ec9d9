/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-bookmarks-panel.h"
#include "hm-compare-view.h"
#include "hm-extent-map.h"
#include "hm-fault-dialog.h"
#include "hm-find-bar.h"
#include "hm-page.h"

G_BEGIN_DECLS

/* The instance struct is shared by the files that implement HmPage (see the
 * top of hm-page.c): hm-page.c, hm-page-status.c, hm-page-actions.c,
 * hm-page-save.c, hm-page-faults.c, hm-page-close.c and hm-page-compare.c. */
struct _HmPage
{
  GtkWidget           parent_instance;

  HmDocument         *document;
  GSettings          *settings;
  GSimpleActionGroup *actions;
  GtkWindow          *fault_dialog;
  GtkWindow          *checksum_dialog;
  GtkWindow          *fill_dialog;
  GtkNativeDialog    *save_as_chooser;
  char               *name;
  char               *title;
  char               *mode_reason;

  /* The document size we last saw, and the size of the last truncation we reported. */
  guint64             doc_size;
  guint64             reported_truncation;
  gboolean            refreshing;

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
  /* Compared with a second file (hm-page-compare.c), or NULL. */
  HmCompareView      *compare;
  GtkNativeDialog    *compare_chooser;

  /* The find bar and the side panels: built after the view's first frame
   * (_hm_page_ensure_panels). */
  gboolean            panels_built;
  guint               panels_idle;

  /* Template children */
  GtkInfoBar         *changed_bar;
  GtkLabel           *changed_label;
  GtkWidget          *changed_reload_button;
  GtkWidget          *changed_save_as_button;
  GtkBox             *find_slot;
  HmFindBar          *find_bar;
  HmHexView          *view;
  HmExtentMap        *extent_map;
  GtkBox             *view_box;
  GtkWidget          *side_pane;
  GtkStack           *side_stack;
  HmBookmarksPanel   *bookmarks_panel;
  GtkMenuButton      *offset_button;
  /* The Go to Offset popover: NULL until first opened (_hm_page_ensure_goto()). */
  GtkPopover         *goto_popover;
  GtkEntry           *goto_entry;
  GtkLabel           *goto_error_label;
  GtkLabel           *selection_label;
  GtkLabel           *compare_label;
  GtkLabel           *hint_label;
  GtkWidget          *progress_box;
  GtkLabel           *progress_label;
  GtkProgressBar     *progress_bar;
  GtkLabel           *size_label;
  GtkLabel           *holes_label;
  GtkLabel           *fs_label;
  GtkLabel           *mtime_label;
  GtkLabel           *mode_label;
  GtkLabel           *insert_label;

  /* Go to (hm-page-status.c): opened, and no key or click in the entry yet. */
  gboolean            goto_pristine;
};

/* hm-page.c */
GtkWindow        *_hm_page_get_parent_window         (HmPage          *self);
void              _hm_page_close_confirmed_cb        (HmPage          *self,
                                                      gboolean         proceed,
                                                      gpointer         user_data);

/* hm-page-status.c: the status bar */
void              _hm_page_status_init               (HmPage          *self);
void              _hm_page_ensure_goto               (HmPage          *self);
void              _hm_page_show_hint                 (HmPage          *self,
                                                      const char      *message);
void              _hm_page_view_hint_cb              (HmPage          *self,
                                                      const char      *message,
                                                      HmHexView       *view);
void              _hm_page_update_cursor_status      (HmPage          *self);
void              _hm_page_update_mode_reason        (HmPage          *self);
void              _hm_page_update_insert_status      (HmPage          *self);
void              _hm_page_update_file_status        (HmPage          *self);
void              _hm_page_update_mtime_status       (HmPage          *self);

/* hm-page.c: the find bar and the side panels, before the idle after the first
 * frame builds them. */
void              _hm_page_ensure_panels             (HmPage          *self);

/* hm-page-actions.c: the page.* actions */
void              _hm_page_actions_init              (HmPage          *self);
const char       *_hm_page_mode_to_id                (HmDocumentMode   mode);
void              _hm_page_update_actions            (HmPage          *self);
void              _hm_page_document_mode_changed_cb  (HmPage          *self);
void              _hm_page_untrack_dialog            (GtkWindow      **slot);

/* hm-page-save.c: Save and Save As */
void              _hm_page_class_save_init           (HmPageClass     *klass);
void              _hm_page_save_as_action_cb         (GSimpleAction   *action,
                                                      GVariant        *parameter,
                                                      gpointer         user_data);
void              _hm_page_edit_copy_action_cb       (GSimpleAction   *action,
                                                      GVariant        *parameter,
                                                      gpointer         user_data);
void              _hm_page_set_test_chosen_file      (GFile           *file);

/* hm-page-faults.c: fault dialogs, outside changes.
 * A HmPageFaultFunc gets the user's answer to the dialog show_fault() opened. */
typedef void (*HmPageFaultFunc) (HmPage          *self,
                                 HmFaultResponse  response,
                                 gpointer         data);

void              _hm_page_class_faults_init         (HmPageClass     *klass);
void              _hm_page_watch_disk                (HmPage          *self);
gboolean          _hm_page_show_fault                (HmPage          *self,
                                                      const GError    *error,
                                                      HmPageFaultFunc  func,
                                                      gpointer         data);
void              _hm_page_show_error                (HmPage          *self,
                                                      const GError    *error);
void              _hm_page_reload                    (HmPage          *self);
void              _hm_page_view_read_fault_cb        (HmPage          *self,
                                                      const GError    *error,
                                                      HmHexView       *view);
void              _hm_page_panel_fault_cb            (HmPage          *self,
                                                      const GError    *error,
                                                      GtkWidget       *source);
void              _hm_page_document_content_changed_cb (HmPage        *self,
                                                        guint64        offset,
                                                        guint64        removed,
                                                        guint64        added);
void              _hm_page_document_size_changed_cb  (HmPage          *self);

/* hm-page-close.c: closing */
void              _hm_page_close_after_fault         (HmPage          *self);

/* hm-page-compare.c: comparing with a second file */
void              _hm_page_compare_init              (HmPage          *self);
void              _hm_page_compare_dispose           (HmPage          *self);
void              _hm_page_compare_with              (HmPage          *self,
                                                      HmDocument      *other);
void              _hm_page_close_compare             (HmPage          *self);
HmCompareView    *_hm_page_get_compare_view          (HmPage          *self);

/* For tests: the go-to entry and its inline error, the "changed on disk" bar,
 * the find bar, the side pane and its bookmarks panel, the selection dialogs
 * and the fault dialog while they are open, the hole/data map and the hint in
 * the status bar. */

GtkEditable      *_hm_page_get_goto_entry       (HmPage *self);
const char       *_hm_page_get_goto_error       (HmPage *self);
/* Types @text into the go-to entry as keys would (the page's key handler, then
 * what GtkText does with a typed character: replace the selection, insert). */
void              _hm_page_goto_type            (HmPage     *self,
                                                 const char *text);
gboolean          _hm_page_get_changed_revealed (HmPage *self);
gboolean          _hm_page_get_busy             (HmPage *self);
HmFindBar        *_hm_page_get_find_bar         (HmPage *self);
HmBookmarksPanel *_hm_page_get_bookmarks_panel  (HmPage *self);
GtkWidget        *_hm_page_get_side_pane        (HmPage *self);
GtkWindow        *_hm_page_get_checksum_dialog  (HmPage *self);
GtkWindow        *_hm_page_get_fill_dialog      (HmPage *self);
GtkWindow        *_hm_page_get_fault_dialog     (HmPage *self);
HmExtentMap      *_hm_page_get_extent_map       (HmPage *self);
const char       *_hm_page_get_hint             (HmPage *self);
/* The hole count in the status bar ("…" while counting), or NULL when hidden. */
const char       *_hm_page_get_holes_text       (HmPage *self);

G_END_DECLS

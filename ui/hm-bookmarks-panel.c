/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmBookmarksPanel: the bookmarks of the view's file. A row shows the offset,
 * the name (click it to rename, Enter to keep, Escape to cancel) and a delete
 * button; activating a row moves the cursor there. Every change is saved at
 * once (the store is a small key file), so there is nothing to lose on close.
 * The view marks every bookmark under its byte (hm_hex_view_set_marks()).
 */
#include "config.h"

#include "hm-bookmarks-panel.h"
#include "hm-bookmarks-panel-private.h"

#include <glib/gi18n.h>
#include <inttypes.h>

struct _HmBookmarksPanel
{
  GtkWidget     parent_instance;

  HmHexView    *view;
  HmDocument   *document;
  HmBookmarks  *bookmarks;

  /* Template widgets */
  GtkWidget    *box;
  GtkButton    *toggle_button;
  GtkListView  *list_view;
  GtkLabel     *placeholder;
  GtkLabel     *error_label;
};

enum
{
  SIGNAL_FAULT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HmBookmarksPanel, hm_bookmarks_panel, GTK_TYPE_WIDGET)

static void
show_error (HmBookmarksPanel *self,
            const GError     *error)
{
  gtk_label_set_text (self->error_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
}

static void
save (HmBookmarksPanel *self)
{
  g_autoptr(GError) error = NULL;

  if (self->bookmarks == NULL)
    return;
  hm_bookmarks_save (self->bookmarks, &error);
  show_error (self, error);
}

static void
jump_to (HmBookmarksPanel *self,
         guint64           offset)
{
  if (self->view == NULL)
    return;
  hm_hex_view_set_cursor_offset (self->view, offset);
  hm_hex_view_reveal_offset (self->view, offset);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

/* ---- Rows ---- */

/* The rows are a GtkListView's: only the visible ones exist, recycled as the
 * list scrolls, so 100,000 bookmarks cost a screenful of widgets. Each row
 * widget carries a RowName (setup), given a bookmark on bind, none on unbind.
 *
 * A row's name is a label, or while renaming an entry in its place: Enter or
 * leaving the entry keeps the new name, Escape drops it. (Not GtkEditableLabel:
 * in GTK 4.8 its focus-out timeout outlives the widget, so deleting a row right
 * after renaming it crashes.) */

typedef struct
{
  HmBookmarksPanel *self;
  HmBookmark       *bookmark;  /* NULL while unbound */
  GtkListItem      *item;
  GtkLabel         *offset;
  GtkStack         *stack;
  GtkLabel         *label;
  GtkEntry         *entry;
  gulong            name_handler;
} RowName;

static void
row_name_unbind (RowName *name)
{
  if (name->bookmark == NULL)
    return;
  g_clear_signal_handler (&name->name_handler, name->bookmark);
  g_clear_object (&name->bookmark);
}

static void
row_name_free (gpointer data)
{
  RowName *name = data;

  row_name_unbind (name);
  /* Held so a focus change while the row is torn down finds them alive. */
  g_object_unref (name->offset);
  g_object_unref (name->stack);
  g_object_unref (name->label);
  g_object_unref (name->entry);
  g_free (name);
}

static void
show_name (RowName *name)
{
  const char *text = name->bookmark != NULL ? hm_bookmark_get_name (name->bookmark) : "";

  gtk_label_set_text (name->label, text[0] != '\0' ? text : _("Unnamed"));
  if (text[0] != '\0')
    gtk_widget_remove_css_class (GTK_WIDGET (name->label), "dim-label");
  else
    gtk_widget_add_css_class (GTK_WIDGET (name->label), "dim-label");
}

static void
start_rename (RowName *name)
{
  if (name->bookmark == NULL)
    return;
  gtk_editable_set_text (GTK_EDITABLE (name->entry), hm_bookmark_get_name (name->bookmark));
  gtk_stack_set_visible_child (name->stack, GTK_WIDGET (name->entry));
  gtk_widget_grab_focus (GTK_WIDGET (name->entry));
}

static void
rename_bookmark (HmBookmarksPanel *self,
                 HmBookmark       *bookmark,
                 const char       *text)
{
  if (self->bookmarks != NULL && g_strcmp0 (hm_bookmark_get_name (bookmark), text) != 0 &&
      hm_bookmarks_rename (self->bookmarks, hm_bookmark_get_offset (bookmark), text))
    save (self);
}

static void
stop_rename (RowName  *name,
             gboolean  keep)
{
  if (gtk_stack_get_visible_child (name->stack) != GTK_WIDGET (name->entry))
    return;
  gtk_stack_set_visible_child (name->stack, GTK_WIDGET (name->label));
  if (keep && name->bookmark != NULL)
    rename_bookmark (name->self, name->bookmark, gtk_editable_get_text (GTK_EDITABLE (name->entry)));
}

static void
rename_clicked_cb (GtkButton *button,
                   RowName   *name)
{
  start_rename (name);
}

/* Enter or Escape: hand the focus back to the row, not to a hidden entry. */
static void
finish_rename (RowName  *name,
               gboolean  keep)
{
  GtkWidget *child = gtk_list_item_get_child (name->item);
  GtkWidget *row = child != NULL ? gtk_widget_get_parent (child) : NULL;

  stop_rename (name, keep);
  if (row != NULL)
    gtk_widget_grab_focus (row);
}

static void
name_activate_cb (GtkEntry *entry,
                  RowName  *name)
{
  finish_rename (name, TRUE);
}

static void
name_leave_cb (GtkEventControllerFocus *controller,
               RowName                 *name)
{
  stop_rename (name, TRUE);
}

static gboolean
name_key_pressed_cb (GtkEventControllerKey *controller,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     RowName               *name)
{
  if (keyval != GDK_KEY_Escape)
    return FALSE;
  finish_rename (name, FALSE);
  return TRUE;
}

static void
bookmark_name_cb (HmBookmark *bookmark,
                  GParamSpec *pspec,
                  RowName    *name)
{
  show_name (name);
}

static void
delete_clicked_cb (GtkButton *button,
                   RowName   *name)
{
  HmBookmarksPanel *self = name->self;

  if (self->bookmarks == NULL || name->bookmark == NULL)
    return;
  hm_bookmarks_remove (self->bookmarks, hm_bookmark_get_offset (name->bookmark));
  save (self);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              HmBookmarksPanel         *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 9);
  GtkWidget *rename_button = gtk_button_new_from_icon_name ("document-edit-symbolic");
  GtkWidget *delete_button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkEventController *focus = gtk_event_controller_focus_new ();
  GtkEventController *key = gtk_event_controller_key_new ();
  RowName *name = g_new0 (RowName, 1);

  name->self = self;
  name->item = item;
  name->offset = g_object_ref_sink (GTK_LABEL (gtk_label_new (NULL)));
  name->stack = g_object_ref_sink (GTK_STACK (gtk_stack_new ()));
  name->label = g_object_ref_sink (GTK_LABEL (gtk_label_new (NULL)));
  name->entry = g_object_ref_sink (GTK_ENTRY (gtk_entry_new ()));
  g_object_set_data_full (G_OBJECT (item), "name", name, row_name_free);

  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 3);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);

  gtk_widget_add_css_class (GTK_WIDGET (name->offset), "monospace");

  gtk_label_set_xalign (name->label, 0.0);
  gtk_label_set_ellipsize (name->label, PANGO_ELLIPSIZE_END);
  gtk_editable_set_width_chars (GTK_EDITABLE (name->entry), 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (name->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Bookmark name"), -1);
  gtk_stack_add_child (name->stack, GTK_WIDGET (name->label));
  gtk_stack_add_child (name->stack, GTK_WIDGET (name->entry));
  gtk_stack_set_visible_child (name->stack, GTK_WIDGET (name->label));
  gtk_widget_set_hexpand (GTK_WIDGET (name->stack), TRUE);
  g_signal_connect (name->entry, "activate", G_CALLBACK (name_activate_cb), name);
  g_signal_connect (focus, "leave", G_CALLBACK (name_leave_cb), name);
  g_signal_connect (key, "key-pressed", G_CALLBACK (name_key_pressed_cb), name);
  gtk_widget_add_controller (GTK_WIDGET (name->entry), focus);
  gtk_widget_add_controller (GTK_WIDGET (name->entry), key);

  gtk_widget_add_css_class (rename_button, "flat");
  gtk_widget_set_valign (rename_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (rename_button, _("Rename bookmark"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (rename_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Rename bookmark"), -1);
  g_signal_connect (rename_button, "clicked", G_CALLBACK (rename_clicked_cb), name);

  gtk_widget_add_css_class (delete_button, "flat");
  gtk_widget_set_valign (delete_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (delete_button, _("Delete bookmark"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Delete bookmark"), -1);
  g_signal_connect (delete_button, "clicked", G_CALLBACK (delete_clicked_cb), name);

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (name->offset));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (name->stack));
  g_object_set_data (G_OBJECT (name->stack), "row-name", name);
  gtk_box_append (GTK_BOX (box), rename_button);
  gtk_box_append (GTK_BOX (box), delete_button);
  gtk_list_item_set_child (item, box);
  g_object_set_data (G_OBJECT (item), "rename", rename_button);
  g_object_set_data (G_OBJECT (item), "delete", delete_button);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             HmBookmarksPanel         *self)
{
  RowName *name = g_object_get_data (G_OBJECT (item), "name");
  HmBookmark *bookmark = gtk_list_item_get_item (item);
  guint64 offset = hm_bookmark_get_offset (bookmark);
  g_autofree char *offset_text = g_strdup_printf ("0x%08" G_GINT64_MODIFIER "x", offset);
  g_autofree char *tooltip = g_strdup_printf (_("Offset %" PRIu64 ": click to go there"), offset);

  row_name_unbind (name);
  name->bookmark = g_object_ref (bookmark);
  name->name_handler = g_signal_connect (bookmark, "notify::name", G_CALLBACK (bookmark_name_cb), name);
  gtk_label_set_text (name->offset, offset_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (name->offset), tooltip);
  gtk_stack_set_visible_child (name->stack, GTK_WIDGET (name->label));
  show_name (name);
}

/* A row scrolled away while renaming keeps what was typed, as leaving the entry does. */
static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               HmBookmarksPanel         *self)
{
  RowName *name = g_object_get_data (G_OBJECT (item), "name");

  stop_rename (name, TRUE);
  row_name_unbind (name);
}

static void
row_activated_cb (GtkListView      *list_view,
                  guint             position,
                  HmBookmarksPanel *self)
{
  g_autoptr(HmBookmark) bookmark = NULL;

  if (self->bookmarks == NULL)
    return;
  bookmark = g_list_model_get_item (G_LIST_MODEL (self->bookmarks), position);
  if (bookmark != NULL)
    jump_to (self, hm_bookmark_get_offset (bookmark));
}

static void
update_placeholder (HmBookmarksPanel *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder),
                          self->bookmarks == NULL ||
                          g_list_model_get_n_items (G_LIST_MODEL (self->bookmarks)) == 0);
}

static void
bookmarks_changed_cb (GListModel       *model,
                      guint             position,
                      guint             removed,
                      guint             added,
                      HmBookmarksPanel *self)
{
  update_placeholder (self);
}

static void
toggle_clicked_cb (GtkButton        *button,
                   HmBookmarksPanel *self)
{
  hm_bookmarks_panel_toggle_at_cursor (self);
}

/* ---- GObject ---- */

static void
hm_bookmarks_panel_dispose (GObject *object)
{
  HmBookmarksPanel *self = HM_BOOKMARKS_PANEL (object);

  _hm_bookmarks_panel_attach (self, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), HM_TYPE_BOOKMARKS_PANEL);

  G_OBJECT_CLASS (hm_bookmarks_panel_parent_class)->dispose (object);
}

static void
hm_bookmarks_panel_class_init (HmBookmarksPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hm_bookmarks_panel_dispose;

  signals[SIGNAL_FAULT] =
    g_signal_new ("fault", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/hexmap/Hexmap/ui/hm-bookmarks-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, HmBookmarksPanel, box);
  gtk_widget_class_bind_template_child (widget_class, HmBookmarksPanel, toggle_button);
  gtk_widget_class_bind_template_child (widget_class, HmBookmarksPanel, list_view);
  gtk_widget_class_bind_template_child (widget_class, HmBookmarksPanel, placeholder);
  gtk_widget_class_bind_template_child (widget_class, HmBookmarksPanel, error_label);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, toggle_clicked_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "hm-bookmarks-panel");
}

static void
hm_bookmarks_panel_init (HmBookmarksPanel *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->toggle_button), FALSE);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
}

/**
 * hm_bookmarks_panel_new:
 *
 * Returns: (transfer floating): a new bookmarks panel; the page attaches it to
 *   its view and document with _hm_bookmarks_panel_attach()
 */
GtkWidget *
hm_bookmarks_panel_new (void)
{
  return g_object_new (HM_TYPE_BOOKMARKS_PANEL, NULL);
}

/* Bookmarks move with the bytes they mark when bytes are inserted or deleted
 * before them (and back on undo). */
static void
document_content_changed_cb (HmBookmarksPanel *self,
                             guint64           offset,
                             guint64           removed,
                             guint64           added,
                             HmDocument       *document)
{
  if (self->bookmarks != NULL)
    hm_bookmarks_apply_edit (self->bookmarks, offset, removed, added);
}

/* The view marks every bookmark under its byte (hm_hex_view_set_marks()). */
static void
update_marks (HmBookmarksPanel *self)
{
  g_autoptr(GArray) ranges = NULL;
  guint n;

  if (self->view == NULL)
    return;
  n = self->bookmarks != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->bookmarks)) : 0;
  ranges = g_array_sized_new (FALSE, FALSE, sizeof (HmRange), n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HmBookmark) bookmark = g_list_model_get_item (G_LIST_MODEL (self->bookmarks), i);
      HmRange range = { hm_bookmark_get_offset (bookmark), 1 };

      g_array_append_val (ranges, range);
    }
  hm_hex_view_set_marks (self->view, ranges);
}

/**
 * _hm_bookmarks_panel_attach:
 * @self: a bookmarks panel
 * @view: (nullable): the view whose cursor it bookmarks and moves
 * @document: (nullable): @view's document, whose file's bookmarks it shows
 *
 * Loads the bookmarks of @document's file. The page attaches the panel once;
 * (%NULL, %NULL) detaches it, as its dispose does.
 */
void
_hm_bookmarks_panel_attach (HmBookmarksPanel *self,
                            HmHexView        *view,
                            HmDocument       *document)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HM_IS_BOOKMARKS_PANEL (self));
  g_return_if_fail (view == NULL || HM_IS_HEX_VIEW (view));
  g_return_if_fail (document == NULL || HM_IS_DOCUMENT (document));
  g_return_if_fail ((view == NULL) == (document == NULL));

  if (self->view != NULL && self->view != view)
    hm_hex_view_set_marks (self->view, NULL);
  g_set_object (&self->view, view);
  if (self->document == document)
    return;
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_func (self->document, document_content_changed_cb, self);
  g_set_object (&self->document, document);
  if (document != NULL)
    g_signal_connect_object (document, "content-changed", G_CALLBACK (document_content_changed_cb), self,
                             G_CONNECT_SWAPPED);

  gtk_list_view_set_model (self->list_view, NULL);
  if (self->bookmarks != NULL)
    g_signal_handlers_disconnect_by_func (self->bookmarks, bookmarks_changed_cb, self);
  g_clear_object (&self->bookmarks);
  if (document != NULL)
    {
      self->bookmarks = hm_bookmarks_new (hm_document_get_path (document));
      hm_bookmarks_load (self->bookmarks, &error);
      g_signal_connect (self->bookmarks, "items-changed", G_CALLBACK (bookmarks_changed_cb), self);
    }
  show_error (self, error);
  if (self->bookmarks != NULL)
    g_signal_connect_object (self->bookmarks, "items-changed", G_CALLBACK (update_marks), self, G_CONNECT_SWAPPED);
  update_marks (self);
  if (self->bookmarks != NULL)
    {
      g_autoptr(GtkNoSelection) selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->bookmarks)));

      gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
    }
  update_placeholder (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->toggle_button), document != NULL);
}

/**
 * hm_bookmarks_panel_get_bookmarks:
 * @self: a bookmarks panel
 *
 * Returns: (transfer none) (nullable): the bookmarks of the current file
 */
HmBookmarks *
hm_bookmarks_panel_get_bookmarks (HmBookmarksPanel *self)
{
  g_return_val_if_fail (HM_IS_BOOKMARKS_PANEL (self), NULL);
  return self->bookmarks;
}

/**
 * hm_bookmarks_panel_toggle_at_cursor:
 * @self: a bookmarks panel
 *
 * Adds a bookmark at the view's cursor, or removes the one there, and saves.
 * For the window's Ctrl+D action.
 *
 * Returns: %TRUE if there is a bookmark at the cursor now
 */
gboolean
hm_bookmarks_panel_toggle_at_cursor (HmBookmarksPanel *self)
{
  guint64 offset;
  gboolean added;

  g_return_val_if_fail (HM_IS_BOOKMARKS_PANEL (self), FALSE);

  if (self->bookmarks == NULL || self->view == NULL)
    return FALSE;

  offset = hm_hex_view_get_cursor_offset (self->view);
  added = hm_bookmarks_lookup (self->bookmarks, offset) == NULL;
  if (added)
    {
      g_autofree char *name = g_strdup_printf (_("Bookmark %u"),
                                               g_list_model_get_n_items (G_LIST_MODEL (self->bookmarks)) + 1);

      hm_bookmarks_add (self->bookmarks, offset, name);
    }
  else
    hm_bookmarks_remove (self->bookmarks, offset);
  save (self);
  return added;
}

/* ---- For tests ---- */

/* The row bound to @position, if it is one of the few that exist. */
static RowName *
find_row (HmBookmarksPanel *self,
          guint             position)
{
  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
       w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *box = gtk_widget_get_first_child (w);

      if (box == NULL || !GTK_IS_BOX (box))
        continue;
      for (GtkWidget *c = gtk_widget_get_first_child (box); c != NULL; c = gtk_widget_get_next_sibling (c))
        {
          RowName *name = g_object_get_data (G_OBJECT (c), "row-name");

          if (name != NULL && name->bookmark != NULL && gtk_list_item_get_position (name->item) == position)
            return name;
        }
    }
  return NULL;
}

void
_hm_bookmarks_panel_activate (HmBookmarksPanel *self,
                              guint             position)
{
  g_return_if_fail (self->bookmarks != NULL);
  g_return_if_fail (position < g_list_model_get_n_items (G_LIST_MODEL (self->bookmarks)));
  g_signal_emit_by_name (self->list_view, "activate", position);
}

/* Through the row's rename button and entry when the row exists (it does once
 * the panel is shown), else as the row would do it. */
void
_hm_bookmarks_panel_rename (HmBookmarksPanel *self,
                            guint             position,
                            const char       *text)
{
  RowName *name = find_row (self, position);
  g_autoptr(HmBookmark) bookmark = NULL;

  if (name != NULL)
    {
      g_signal_emit_by_name (g_object_get_data (G_OBJECT (name->item), "rename"), "clicked");
      gtk_editable_set_text (GTK_EDITABLE (name->entry), text);
      g_signal_emit_by_name (name->entry, "activate");
      return;
    }
  bookmark = g_list_model_get_item (G_LIST_MODEL (self->bookmarks), position);
  g_return_if_fail (bookmark != NULL);
  rename_bookmark (self, bookmark, text);
}

void
_hm_bookmarks_panel_delete (HmBookmarksPanel *self,
                            guint             position)
{
  RowName *name = find_row (self, position);
  g_autoptr(HmBookmark) bookmark = NULL;

  if (name != NULL)
    {
      g_signal_emit_by_name (g_object_get_data (G_OBJECT (name->item), "delete"), "clicked");
      return;
    }
  bookmark = g_list_model_get_item (G_LIST_MODEL (self->bookmarks), position);
  g_return_if_fail (bookmark != NULL);
  hm_bookmarks_remove (self->bookmarks, hm_bookmark_get_offset (bookmark));
  save (self);
}

guint
_hm_bookmarks_panel_count_rows (HmBookmarksPanel *self)
{
  guint n = 0;

  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
       w != NULL; w = gtk_widget_get_next_sibling (w))
    if (gtk_widget_get_first_child (w) != NULL && GTK_IS_BOX (gtk_widget_get_first_child (w)))
      n++;
  return n;
}

const char *
_hm_bookmarks_panel_get_error (HmBookmarksPanel *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
         ? gtk_label_get_text (self->error_label) : NULL;
}

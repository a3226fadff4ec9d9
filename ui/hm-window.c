/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmWindow: the header bar (open, mode switcher, save with its options, main
 * menu) and a GtkNotebook with one HmPage per file, or the empty state with Open
 * and the recent files. The current page's action group is inserted into the
 * window as "page", so the header bar and the application accelerators always
 * act on the current file. Closing the window asks about each page with unsaved
 * edits in turn.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "hm-draft-prompt-private.h"
#include "hm-page-private.h"
#include "hm-window-private.h"

#define MAX_RECENT 8

struct _HmWindow
{
  GtkApplicationWindow parent_instance;

  GSettings           *settings;
  HmPage              *current;
  GtkNativeDialog     *open_chooser;
  /* Closing is asking about a page: a second close must not ask again. */
  gboolean             closing;
  /* The session may not end without asking while any page has unsaved edits. */
  gboolean             logout_inhibited;
  guint                inhibit_cookie;
  GtkApplication      *inhibit_application;
  /* Until the first frame is on screen (finish_startup()): what can wait. */
  gboolean             started;
  guint                startup_idle;
  GPtrArray           *pending_recent;

  /* Template children */
  GtkStack            *stack;
  GtkNotebook         *notebook;
  GtkLabel            *title_label;
  GtkLabel            *subtitle_label;
  GtkMenuButton       *mode_button;
  GtkWidget           *side_pane_button;
  GtkWidget           *find_button;
  GtkWidget           *recent_box;
  GtkListBox          *recent_list;
  GtkMenuButton       *primary_menu_button;
  GMenuModel          *primary_menu;
  GtkMenuButton       *save_options_button;

  /* In the popovers of mode_button and save_options_button (ensure_popovers()):
   * NULL until they are built, after the first frame. Their buttons own them. */
  GtkWidget           *writable_modes_box;
  GtkLabel            *mode_reason_label;
  GtkWidget           *edit_copy_button;
  GtkEntry            *explicit_time_entry;
  GtkLabel            *explicit_time_error;

  /* Drafts (ui/hm-draft-prompt.c): the list on the empty state, and the file
   * whose row was activated while it opens */
  GtkWidget           *drafts_list;
  const char          *restoring;
};

G_DEFINE_FINAL_TYPE (HmWindow, hm_window, GTK_TYPE_APPLICATION_WINDOW)

/* ---- Header ---- */

static const char *
mode_name (HmDocumentMode mode)
{
  switch (mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY:
      return _("Read-Only");
    case HM_DOCUMENT_MODE_PREVIEW:
      return _("Preview");
    case HM_DOCUMENT_MODE_DIRECT:
      return _("Direct");
    default:
      g_return_val_if_reached ("");
    }
}

static void
update_header (HmWindow *self)
{
  HmDocument *doc;
  g_autofree char *dir = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;
  const char *reason;

  if (self->current == NULL)
    {
      gtk_label_set_text (self->title_label, _("Hexmap"));
      gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), FALSE);
      gtk_menu_button_set_label (self->mode_button, _("Read-Only"));
      gtk_widget_set_visible (GTK_WIDGET (self->mode_button), FALSE);
      gtk_widget_set_visible (self->side_pane_button, FALSE);
      gtk_widget_set_visible (self->find_button, FALSE);
      gtk_window_set_title (GTK_WINDOW (self), _("Hexmap"));
      return;
    }

  doc = hm_page_get_document (self->current);
  dir = g_path_get_dirname (hm_document_get_path (doc));
  /* Translators: the window subtitle: the mode, then the folder of the file */
  subtitle = g_strdup_printf (_("%s — %s"), mode_name (hm_document_get_mode (doc)), dir);
  gtk_label_set_text (self->title_label, hm_page_get_title (self->current));
  gtk_label_set_text (self->subtitle_label, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->subtitle_label), hm_document_get_path (doc));
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), TRUE);

  gtk_widget_set_visible (GTK_WIDGET (self->mode_button), TRUE);
  gtk_widget_set_visible (self->side_pane_button, TRUE);
  gtk_widget_set_visible (self->find_button, TRUE);
  gtk_menu_button_set_label (self->mode_button, mode_name (hm_document_get_mode (doc)));
  reason = hm_page_get_mode_reason (self->current);
  /* Preview and direct are greyed out, not refused, where the file cannot be written;
   * the reason line below says why. */
  if (self->writable_modes_box != NULL)
    {
      gtk_widget_set_sensitive (self->writable_modes_box, hm_document_get_can_write (doc));
      gtk_label_set_text (self->mode_reason_label, reason != NULL ? reason : "");
      gtk_widget_set_visible (GTK_WIDGET (self->mode_reason_label), reason != NULL);
      gtk_widget_set_visible (self->edit_copy_button, !hm_document_get_can_write (doc));
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mode_button),
                               reason != NULL && hm_document_get_mode (doc) == HM_DOCUMENT_MODE_READ_ONLY
                                 ? reason : _("How Edits Reach the File"));

  /* Translators: the window title: file name (with • when modified), mode, application */
  title = g_strdup_printf (_("%s (%s) — Hexmap"), hm_page_get_title (self->current),
                           mode_name (hm_document_get_mode (doc)));
  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
mode_popover_show_cb (HmWindow *self)
{
  update_header (self);
}

static void menu_closed_cb (HmWindow *self);
static void explicit_time_changed_cb (HmWindow *self);
static void load_explicit_time (HmWindow *self);

/* The mode and save-options popovers: built after the first frame, or when a
 * button is pressed before that (create_popup_cb), whichever comes first. */
static void
ensure_popovers (HmWindow *self)
{
  g_autoptr(GtkBuilder) builder = NULL;
  g_autoptr(GtkBuilderScope) scope = NULL;
  g_autoptr(GError) error = NULL;
  GtkPopover *mode_popover, *save_options_popover;

  if (self->writable_modes_box != NULL)
    return;

  scope = gtk_builder_cscope_new ();
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), mode_popover_show_cb);
  gtk_builder_cscope_add_callback (GTK_BUILDER_CSCOPE (scope), explicit_time_changed_cb);
  builder = gtk_builder_new ();
  gtk_builder_set_scope (builder, scope);
  gtk_builder_set_current_object (builder, G_OBJECT (self));
  if (!gtk_builder_add_from_resource (builder, "/org/hexmap/Hexmap/ui/hm-window-popovers.ui", &error))
    g_error ("The window's popovers: %s", error->message);

  mode_popover = GTK_POPOVER (gtk_builder_get_object (builder, "mode_popover"));
  save_options_popover = GTK_POPOVER (gtk_builder_get_object (builder, "save_options_popover"));
  self->writable_modes_box = GTK_WIDGET (gtk_builder_get_object (builder, "writable_modes_box"));
  self->mode_reason_label = GTK_LABEL (gtk_builder_get_object (builder, "mode_reason_label"));
  self->edit_copy_button = GTK_WIDGET (gtk_builder_get_object (builder, "edit_copy_button"));
  self->explicit_time_entry = GTK_ENTRY (gtk_builder_get_object (builder, "explicit_time_entry"));
  self->explicit_time_error = GTK_LABEL (gtk_builder_get_object (builder, "explicit_time_error"));

  gtk_menu_button_set_popover (self->mode_button, GTK_WIDGET (mode_popover));
  gtk_menu_button_set_popover (self->save_options_button, GTK_WIDGET (save_options_popover));
  /* Closing either gives the focus back to the view. */
  g_signal_connect_object (mode_popover, "closed", G_CALLBACK (menu_closed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (save_options_popover, "closed", G_CALLBACK (menu_closed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  load_explicit_time (self);
  update_header (self);
}

static void
create_popup_cb (GtkMenuButton *button,
                 gpointer       user_data)
{
  ensure_popovers (HM_WINDOW (user_data));
}

static void
set_current_page (HmWindow *self,
                  HmPage   *page)
{
  if (self->current == page)
    return;

  /* Only the header's handlers: the page's "close" handler stays while it is a tab. */
  if (self->current != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->current, update_header, self);
      g_signal_handlers_disconnect_by_func (hm_page_get_document (self->current), update_header, self);
    }
  self->current = page;
  gtk_widget_insert_action_group (GTK_WIDGET (self), "page",
                                  page != NULL ? hm_page_get_action_group (page) : NULL);
  if (page != NULL)
    {
      g_signal_connect_object (page, "notify::title", G_CALLBACK (update_header), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (hm_page_get_document (page), "notify::mode", G_CALLBACK (update_header), self,
                               G_CONNECT_SWAPPED);
    }
  update_header (self);
}

/* ---- Recent files ---- */

static int
compare_recent (gconstpointer a,
                gconstpointer b)
{
  GDateTime *ta = gtk_recent_info_get_modified ((GtkRecentInfo *) a);
  GDateTime *tb = gtk_recent_info_get_modified ((GtkRecentInfo *) b);

  return g_date_time_compare (tb, ta);
}

static void
update_recent (HmWindow *self)
{
  GtkRecentManager *manager = gtk_recent_manager_get_default ();
  GList *items = gtk_recent_manager_get_items (manager);
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  items = g_list_sort (items, compare_recent);
  for (GList *l = items; l != NULL && n < MAX_RECENT; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      g_autoptr(GFile) file = NULL;
      g_autofree char *path = NULL;
      g_autofree char *dir = NULL;
      GtkWidget *row, *box, *name, *folder;

      if (!gtk_recent_info_has_application (info, g_get_application_name ()) || !gtk_recent_info_exists (info))
        continue;
      file = g_file_new_for_uri (gtk_recent_info_get_uri (info));
      path = g_file_get_path (file);
      if (path == NULL)
        continue;
      dir = g_path_get_dirname (path);

      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      name = gtk_label_new (gtk_recent_info_get_display_name (info));
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
      folder = gtk_label_new (dir);
      gtk_label_set_xalign (GTK_LABEL (folder), 0);
      gtk_label_set_ellipsize (GTK_LABEL (folder), PANGO_ELLIPSIZE_START);
      gtk_widget_add_css_class (folder, "dim-label");
      gtk_widget_add_css_class (folder, "caption");
      gtk_box_append (GTK_BOX (box), name);
      gtk_box_append (GTK_BOX (box), folder);

      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      g_object_set_data_full (G_OBJECT (row), "hm-file", g_steal_pointer (&file), g_object_unref);
      gtk_list_box_append (self->recent_list, row);
      n++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  gtk_widget_set_visible (self->recent_box, n > 0);
}

/* ---- Opening ---- */

static void
open_files (HmWindow *self,
            GFile   **files,
            guint     n_files)
{
  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr(GError) error = NULL;

      if (hm_window_open_file (self, files[i], HM_WINDOW_MODE_DEFAULT, &error) == NULL)
        {
          g_autofree char *name = g_file_get_parse_name (files[i]);
          g_autofree char *primary = g_strdup_printf (_("Could Not Open “%s”"), name);

          hm_window_show_error (self, primary, error->message);
          /* Out of descriptors: one message, not one per remaining file. */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES))
            break;
        }
    }
}

static void
recent_row_activated_cb (HmWindow      *self,
                         GtkListBoxRow *row)
{
  GFile *file = g_object_get_data (G_OBJECT (row), "hm-file");

  open_files (self, &file, 1);
}

static void
open_response_cb (HmWindow        *self,
                  int              response,
                  GtkNativeDialog *chooser)
{
  g_autoptr(GListModel) files = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->open_chooser);

  for (guint i = 0; files != NULL && i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);

      open_files (self, &file, 1);
    }
}

static void
open_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HmWindow *self = HM_WINDOW (user_data);
  GtkFileChooserNative *chooser;

  if (self->open_chooser != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Open Files"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  self->open_chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (open_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* win.open-preview (a path): Edit a Copy opens the copy it saved, in preview. */
static void
open_preview_action_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  HmWindow *self = HM_WINDOW (user_data);
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (parameter, NULL));
  g_autoptr(GError) error = NULL;

  if (hm_window_open_file (self, file, HM_DOCUMENT_MODE_PREVIEW, &error) == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *primary = g_strdup_printf (_("Could Not Open “%s”"), name);

      hm_window_show_error (self, primary, error->message);
    }
}

static gboolean
drop_cb (HmWindow      *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  GSList *list;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  list = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  g_slist_free (list);
  open_files (self, (GFile **) files->pdata, files->len);
  return files->len > 0;
}

/* ---- Logout ---- */

static void
release_logout_inhibit (HmWindow *self)
{
  if (self->inhibit_cookie != 0 && self->inhibit_application != NULL)
    gtk_application_uninhibit (self->inhibit_application, self->inhibit_cookie);
  self->inhibit_cookie = 0;
  self->logout_inhibited = FALSE;
  g_clear_object (&self->inhibit_application);
}

static gboolean
any_page_pending (HmWindow *self)
{
  for (int i = 0; i < gtk_notebook_get_n_pages (self->notebook); i++)
    {
      HmPage *page = HM_PAGE (gtk_notebook_get_nth_page (self->notebook, i));

      if (hm_document_get_has_pending (hm_page_get_document (page)))
        return TRUE;
    }
  return FALSE;
}

/* Logging out would lose unsaved edits: hold an inhibitor while there are any.
 * Without a session manager the cookie is 0; the state is still tracked. */
static void
update_logout_inhibit (HmWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  gboolean pending = any_page_pending (self);

  if (pending == self->logout_inhibited)
    return;
  if (!pending)
    {
      release_logout_inhibit (self);
      return;
    }
  if (application == NULL)
    return;
  self->logout_inhibited = TRUE;
  g_set_object (&self->inhibit_application, application);
  self->inhibit_cookie = gtk_application_inhibit (application, GTK_WINDOW (self), GTK_APPLICATION_INHIBIT_LOGOUT,
                                                  _("Unsaved changes"));
}

/* ---- Pages ---- */

static HmPage *
find_page (HmWindow   *self,
           const char *path)
{
  for (int i = 0; i < gtk_notebook_get_n_pages (self->notebook); i++)
    {
      HmPage *page = HM_PAGE (gtk_notebook_get_nth_page (self->notebook, i));

      if (g_strcmp0 (hm_document_get_path (hm_page_get_document (page)), path) == 0)
        return page;
    }
  return NULL;
}

static void
update_pages_visibility (HmWindow *self)
{
  int n = gtk_notebook_get_n_pages (self->notebook);

  gtk_notebook_set_show_tabs (self->notebook, n > 1);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "pages" : "empty");
  if (n == 0)
    {
      set_current_page (self, NULL);
      if (self->started)
        {
          update_recent (self);
          _hm_draft_list_update (self->drafts_list);
        }
    }
}

static void
notebook_switch_page_cb (HmWindow    *self,
                         GtkWidget   *page,
                         guint        page_num,
                         GtkNotebook *notebook)
{
  set_current_page (self, HM_PAGE (page));
}

static void
notebook_page_removed_cb (HmWindow    *self,
                          GtkWidget   *page,
                          guint        page_num,
                          GtkNotebook *notebook)
{
  if (HM_PAGE (page) == self->current)
    {
      int current = gtk_notebook_get_current_page (notebook);

      set_current_page (self, current >= 0 ? HM_PAGE (gtk_notebook_get_nth_page (notebook, current)) : NULL);
    }
  update_pages_visibility (self);
  update_logout_inhibit (self);
}

static void
page_close_cb (HmWindow *self,
               HmPage   *page)
{
  int num = gtk_notebook_page_num (self->notebook, GTK_WIDGET (page));

  if (num >= 0)
    gtk_notebook_remove_page (self->notebook, num);
}

static void
tab_close_clicked_cb (HmPage    *page,
                      GtkButton *button)
{
  gtk_widget_activate_action (GTK_WIDGET (page), "page.close", NULL);
}

static GtkWidget *
create_tab_label (HmPage *page)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *close = gtk_button_new_from_icon_name ("window-close-symbolic");

  /* No ellipsizing: a notebook gives a tab its minimum width, which would be "…";
   * the notebook scrolls when the tabs do not fit. */
  g_object_bind_property (page, "title", label, "label", G_BINDING_SYNC_CREATE);
  g_object_bind_property (page, "title", box, "tooltip-text", G_BINDING_SYNC_CREATE);
  gtk_button_set_has_frame (GTK_BUTTON (close), FALSE);
  gtk_widget_set_tooltip_text (close, _("Close File"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (close), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Close File"), -1);
  gtk_widget_add_css_class (close, "small-button");
  g_signal_connect_object (close, "clicked", G_CALLBACK (tab_close_clicked_cb), page, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), close);
  return box;
}

static HmDocument *
open_document (HmWindow    *self,
               const char  *path,
               int          mode,
               GError     **error)
{
  g_autoptr(HmDocument) document = NULL;
  g_autofree char *preference = NULL;
  HmDocumentMode preferred;

  if (mode != HM_WINDOW_MODE_DEFAULT)
    return hm_document_new_full (path, (HmDocumentMode) mode, 0, error);

  document = hm_document_new (path, error);
  if (document == NULL)
    return NULL;

  /* The preference never overrides a read-only default: that one has a reason. */
  preference = g_settings_get_string (self->settings, "default-mode");
  if (g_str_equal (preference, "read-only"))
    preferred = HM_DOCUMENT_MODE_READ_ONLY;
  else if (g_str_equal (preference, "direct"))
    preferred = HM_DOCUMENT_MODE_DIRECT;
  else if (g_str_equal (preference, "preview"))
    preferred = HM_DOCUMENT_MODE_PREVIEW;
  else
    preferred = hm_document_get_default_mode (document);
  if (hm_document_get_default_mode (document) != HM_DOCUMENT_MODE_READ_ONLY &&
      preferred != hm_document_get_mode (document))
    hm_document_set_mode (document, preferred, NULL);

  return g_steal_pointer (&document);
}

/* Hexmap maps files into memory, so a URI needs a local path: say how to get one. */
static void
set_not_local_error (GFile   *file,
                     GError **error)
{
  g_autofree char *name = g_file_get_parse_name (file);
  g_autofree char *scheme = g_file_get_uri_scheme (file);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *gvfs = g_build_filename (g_get_user_runtime_dir (), "gvfs", NULL);
  g_autofree char *root = NULL;
  const char *authority = strstr (uri, "://");
  const char *end = authority != NULL ? strchr (authority + 3, '/') : NULL;

  if (scheme != NULL && (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("“%s” is a web address, not a file on a mounted disk or share. Hexmap maps "
                     "files into memory, which needs a local path: download the file first, then "
                     "open the copy."), name);
      return;
    }

  /* The location to mount: the URI up to the first slash after the host. */
  root = end != NULL ? g_strndup (uri, (gsize) (end - uri + 1)) : g_strdup (uri);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("“%s” is not on a mounted disk or share. Hexmap maps files into memory, which "
                 "needs a local path. Mount it first, for example with “gio mount %s” or by opening "
                 "it in Files; it then has a path under %s (or mount the share with sshfs, NFS or "
                 "SMB), and you can open the file from there. Files on network mounts open "
                 "read-only."), name, root, gvfs);
}

/**
 * hm_window_open_file:
 * @self: a #HmWindow
 * @file: the file to open
 * @mode: a #HmDocumentMode, or %HM_WINDOW_MODE_DEFAULT for the file's default
 *   mode and the user's preference
 * @error: a #GError
 *
 * Opens @file in a new page and makes it current; a file that is already open
 * only gets its page made current.
 *
 * Returns: (transfer none) (nullable): the page, or %NULL with @error set
 */
HmPage *
hm_window_open_file (HmWindow  *self,
                     GFile     *file,
                     int        mode,
                     GError   **error)
{
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(HmDocument) document = NULL;
  HmPage *page;
  int num;

  g_return_val_if_fail (HM_IS_WINDOW (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  /* A GVfs location that is mounted has a local path (its FUSE path). */
  path = g_file_get_path (file);
  if (path == NULL)
    {
      set_not_local_error (file, error);
      return NULL;
    }

  page = find_page (self, path);
  if (page == NULL)
    {
      document = open_document (self, path, mode, error);
      if (document == NULL)
        return NULL;

      page = hm_page_new (document);
      _hm_draft_prompt_attach (GTK_WINDOW (self), document, g_strcmp0 (self->restoring, path) == 0);
      g_signal_connect_object (page, "close", G_CALLBACK (page_close_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (document, "notify::has-pending", G_CALLBACK (update_logout_inhibit), self,
                               G_CONNECT_SWAPPED);
      gtk_notebook_append_page (self->notebook, GTK_WIDGET (page), create_tab_label (page));
      gtk_notebook_set_tab_reorderable (self->notebook, GTK_WIDGET (page), TRUE);
    }

  num = gtk_notebook_page_num (self->notebook, GTK_WIDGET (page));
  gtk_notebook_set_current_page (self->notebook, num);
  set_current_page (self, page);
  update_pages_visibility (self);
  gtk_widget_grab_focus (GTK_WIDGET (hm_page_get_view (page)));

  /* Loading the recent files list can wait until the file is on screen. */
  uri = g_file_get_uri (file);
  if (self->started)
    gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
  else
    g_ptr_array_add (self->pending_recent, g_steal_pointer (&uri));
  return page;
}

/* A row of the empty state's drafts: open the file, restore its edits. */
static void
open_draft_cb (const char *path,
               gpointer    user_data)
{
  HmWindow *self = user_data;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  self->restoring = path;
  if (hm_window_open_file (self, file, HM_WINDOW_MODE_DEFAULT, &error) == NULL)
    hm_window_show_error (self, _("The File Could Not Be Opened"), error->message);
  self->restoring = NULL;
}

/* ---- Save options ---- */

static void
explicit_time_changed_cb (HmWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->explicit_time_entry));
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  double seconds = 0;
  g_autoptr(GDateTime) time = NULL;
  int n;

  n = sscanf (text, "%d-%d-%d %d:%d:%lf", &year, &month, &day, &hour, &minute, &seconds);
  if (n >= 3)
    time = g_date_time_new_local (year, month, day, hour, minute, seconds);

  if (time == NULL)
    {
      gtk_label_set_text (self->explicit_time_error, _("Use the form 2024-12-31 23:59:00."));
      gtk_widget_set_visible (GTK_WIDGET (self->explicit_time_error), *text != '\0');
      return;
    }
  /* A filesystem would store another time, silently: core refuses it too. */
  if (g_date_time_to_unix (time) < HM_MTIME_MIN || g_date_time_to_unix (time) > HM_MTIME_MAX)
    {
      gtk_label_set_text (self->explicit_time_error, _("Choose a time from 1901-12-14 to 2446-05-10."));
      gtk_widget_set_visible (GTK_WIDGET (self->explicit_time_error), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->explicit_time_error), FALSE);
  g_settings_set_int64 (self->settings, "explicit-mtime", g_date_time_to_unix (time));
}

static void
load_explicit_time (HmWindow *self)
{
  gint64 seconds = g_settings_get_int64 (self->settings, "explicit-mtime");
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  time = seconds > 0 ? g_date_time_new_from_unix_local (seconds) : g_date_time_new_now_local ();
  text = g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
  g_signal_handlers_block_by_func (self->explicit_time_entry, explicit_time_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->explicit_time_entry), text);
  g_signal_handlers_unblock_by_func (self->explicit_time_entry, explicit_time_changed_cb, self);
}

/* ---- Side pane ---- */

static void
side_pane_changed_cb (HmWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "toggle-side-pane");

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_boolean (g_settings_get_boolean (self->settings, "show-side-pane")));
}

/* Every page binds its pane to the key: the setting is the state. */
static void
toggle_side_pane_change_state_cb (GSimpleAction *action,
                                  GVariant      *value,
                                  gpointer       user_data)
{
  HmWindow *self = HM_WINDOW (user_data);

  g_settings_set_boolean (self->settings, "show-side-pane", g_variant_get_boolean (value));
}

/* ---- Closing the window ---- */

static void
close_page_confirmed_cb (HmPage   *page,
                         gboolean  proceed,
                         gpointer  user_data)
{
  HmWindow *self = user_data;

  /* Ask about the next page with unsaved edits, or close. */
  self->closing = FALSE;
  if (proceed)
    gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

/* Unsaved edits, or a Save or Save As still writing: closing now would quit
 * mid-copy (hm_page_confirm_close() refuses that with a hint). */
static gboolean
page_needs_confirmation (HmPage *page)
{
  return hm_document_get_has_pending (hm_page_get_document (page)) || _hm_page_get_busy (page);
}

static gboolean
hm_window_close_request (GtkWindow *window)
{
  HmWindow *self = HM_WINDOW (window);
  int width, height;

  /* A Save / Discard / Cancel dialog is already up (a second Ctrl+Q, say). */
  if (self->closing)
    return TRUE;

  for (int i = 0; i < gtk_notebook_get_n_pages (self->notebook); i++)
    {
      HmPage *page = HM_PAGE (gtk_notebook_get_nth_page (self->notebook, i));

      if (page_needs_confirmation (page))
        {
          gtk_notebook_set_current_page (self->notebook, i);
          self->closing = TRUE;
          hm_page_confirm_close (page, close_page_confirmed_cb, g_object_ref (self));
          return TRUE;
        }
    }

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }

  return GTK_WINDOW_CLASS (hm_window_parent_class)->close_request (window);
}

/* ---- After the first frame ---- */

/* The first frame shows the header bar and the current page; the main menu's
 * popover, the recent files (read and written) and the shortcuts window wait
 * until it has been painted. */
static void
finish_startup (HmWindow *self)
{
  GtkRecentManager *recent;

  if (self->started)
    return;
  self->started = TRUE;
  g_clear_handle_id (&self->startup_idle, g_source_remove);

  gtk_menu_button_set_menu_model (self->primary_menu_button, self->primary_menu);
  /* Its popover exists from now on: closing it focuses the view too. */
  g_signal_connect_object (gtk_menu_button_get_popover (self->primary_menu_button), "closed",
                           G_CALLBACK (menu_closed_cb), self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  ensure_popovers (self);
  recent = gtk_recent_manager_get_default ();
  for (guint i = 0; i < self->pending_recent->len; i++)
    gtk_recent_manager_add_item (recent, g_ptr_array_index (self->pending_recent, i));
  g_ptr_array_set_size (self->pending_recent, 0);
  if (gtk_notebook_get_n_pages (self->notebook) == 0)
    {
      update_recent (self);
      _hm_draft_list_update (self->drafts_list);
    }
}

static gboolean
startup_idle_cb (gpointer user_data)
{
  HmWindow *self = HM_WINDOW (user_data);

  self->startup_idle = 0;
  finish_startup (self);
  return G_SOURCE_REMOVE;
}

static void
first_frame_after_paint_cb (GdkFrameClock *clock,
                            HmWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_after_paint_cb, self);
  if (!self->started && self->startup_idle == 0)
    self->startup_idle = g_idle_add (startup_idle_cb, self);
}

static void
hm_window_map (GtkWidget *widget)
{
  HmWindow *self = HM_WINDOW (widget);
  GdkFrameClock *clock;

  GTK_WIDGET_CLASS (hm_window_parent_class)->map (widget);

  clock = gtk_widget_get_frame_clock (widget);
  if (self->started || self->startup_idle != 0 || clock == NULL)
    return;
  g_signal_handlers_disconnect_by_func (clock, first_frame_after_paint_cb, self);
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (first_frame_after_paint_cb), self, 0);
}

/* win.show-help-overlay: GtkApplicationWindow adds no action of its own while
 * the window has this one; it keeps the shortcuts window once set. */
static void
show_help_overlay_action_cb (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  HmWindow *self = HM_WINDOW (user_data);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (self));

  if (overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/org/hexmap/Hexmap/ui/help-overlay.ui");

      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self), overlay);
    }
  gtk_window_present (GTK_WINDOW (overlay));
}

/* ---- GObject ---- */

static void
hm_window_dispose (GObject *object)
{
  HmWindow *self = HM_WINDOW (object);

  set_current_page (self, NULL);
  release_logout_inhibit (self);
  /* A window destroyed with files open: the notebook drops its pages when the
   * template goes, after the empty state is gone; nothing to update then. */
  g_signal_handlers_disconnect_by_data (self->notebook, self);
  if (self->open_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->open_chooser);
      g_clear_object (&self->open_chooser);
    }
  g_clear_object (&self->settings);
  g_clear_handle_id (&self->startup_idle, g_source_remove);
  g_clear_pointer (&self->pending_recent, g_ptr_array_unref);

  G_OBJECT_CLASS (hm_window_parent_class)->dispose (object);
}

static void
hm_window_class_init (HmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hm_window_dispose;
  window_class->close_request = hm_window_close_request;
  widget_class->map = hm_window_map;

  g_type_ensure (HM_TYPE_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/hexmap/Hexmap/ui/hm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HmWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, notebook);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, mode_button);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, side_pane_button);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, find_button);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, recent_box);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, HmWindow, save_options_button);
  gtk_widget_class_bind_template_callback (widget_class, notebook_switch_page_cb);
  gtk_widget_class_bind_template_callback (widget_class, notebook_page_removed_cb);
  gtk_widget_class_bind_template_callback (widget_class, recent_row_activated_cb);
}

static const GActionEntry window_actions[] = {
  { "open", open_action_cb },
  { "open-preview", open_preview_action_cb, "s" },
  { "toggle-side-pane", NULL, NULL, "true", toggle_side_pane_change_state_cb },
  { "show-help-overlay", show_help_overlay_action_cb },
};

/* ---- Menus give the focus back ---- */

/* Closing a header-bar menu (Escape, a click elsewhere, an item) puts the focus
 * back in the file's view, where keyboard work goes on, not on the button. */
static void
menu_closed_cb (HmWindow *self)
{
  if (self->current != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (hm_page_get_view (self->current)));
}

static void
hm_window_init (HmWindow *self)
{
  g_autoptr(GAction) timestamp_action = NULL;
  GtkDropTarget *drop;

  self->pending_recent = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  timestamp_action = g_settings_create_action (self->settings, "timestamp-policy");
  g_action_map_add_action (G_ACTION_MAP (self), timestamp_action);
  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions, G_N_ELEMENTS (window_actions), self);
  g_signal_connect_object (self->settings, "changed::show-side-pane", G_CALLBACK (side_pane_changed_cb), self,
                           G_CONNECT_SWAPPED);
  side_pane_changed_cb (self);
  gtk_menu_button_set_create_popup_func (self->mode_button, create_popup_cb, self, NULL);
  gtk_menu_button_set_create_popup_func (self->save_options_button, create_popup_cb, self, NULL);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  self->drafts_list = _hm_draft_list_new (open_draft_cb, self);
  gtk_widget_insert_before (self->drafts_list, gtk_widget_get_parent (self->recent_box), self->recent_box);

  update_header (self);
  update_pages_visibility (self);
}

HmWindow *
hm_window_new (GtkApplication *application)
{
  return g_object_new (HM_TYPE_WINDOW, "application", application, NULL);
}

GtkWidget *
_hm_window_get_drafts_list (HmWindow *self)
{
  g_return_val_if_fail (HM_IS_WINDOW (self), NULL);
  return self->drafts_list;
}

HmPage *
hm_window_get_current_page (HmWindow *self)
{
  g_return_val_if_fail (HM_IS_WINDOW (self), NULL);
  return self->current;
}

guint
hm_window_get_n_pages (HmWindow *self)
{
  g_return_val_if_fail (HM_IS_WINDOW (self), 0);
  return (guint) gtk_notebook_get_n_pages (self->notebook);
}

HmPage *
hm_window_get_page (HmWindow *self,
                    guint     index)
{
  g_return_val_if_fail (HM_IS_WINDOW (self), NULL);
  return HM_PAGE (gtk_notebook_get_nth_page (self->notebook, (int) index));
}

static void
error_response_cb (GtkDialog *dialog,
                   int        response)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/**
 * hm_window_show_error:
 * @self: a #HmWindow
 * @primary: what happened, in a few words
 * @secondary: (nullable): details and what the user can do
 *
 * Shows a modal error dialog on top of the window.
 */
void
hm_window_show_error (HmWindow   *self,
                      const char *primary,
                      const char *secondary)
{
  GtkWidget *dialog;

  g_return_if_fail (HM_IS_WINDOW (self));

  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE, "%s", primary);
  if (secondary != NULL)
    gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
  g_signal_connect (dialog, "response", G_CALLBACK (error_response_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
_hm_window_get_logout_inhibited (HmWindow *self)
{
  return self->logout_inhibited;
}

gboolean
_hm_window_get_writable_modes_sensitive (HmWindow *self)
{
  ensure_popovers (self);
  return gtk_widget_get_sensitive (self->writable_modes_box);
}

const char *
_hm_window_get_mode_reason (HmWindow *self)
{
  ensure_popovers (self);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->mode_reason_label)))
    return NULL;
  return gtk_label_get_text (self->mode_reason_label);
}

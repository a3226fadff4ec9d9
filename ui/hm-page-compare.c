/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmPage, comparing with a second file: "Compare With…" (page.compare) asks
 * for the file and opens it beside the page's own in an HmCompareView
 * (ui/hm-compare-view.c): its bar goes above the views (under the find bar),
 * the widget itself right of the page's view, its count into the status bar.
 * The actions page.compare-next and page.compare-previous (F6, Shift+F6),
 * page.compare-copy (the difference under the cursor to the other side) and
 * page.compare-close are enabled only while a compare is open: otherwise F6
 * is left to the split pane, where it moves the focus between the view and
 * the side pane. The side pane is hidden while comparing (F9 shows it).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-page-private.h"

static void
set_enabled (HmPage     *self,
             const char *name,
             gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update_compare_actions (HmPage *self)
{
  static const char *const names[] = { "compare-next", "compare-previous", "compare-copy", "compare-close" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    set_enabled (self, names[i], self->compare != NULL);
}

static void
compare_status_cb (HmPage *self)
{
  const char *status = self->compare != NULL ? hm_compare_view_get_status (self->compare) : NULL;

  gtk_label_set_text (self->compare_label, status != NULL ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->compare_label), status != NULL);
}

/* Closes the compare at once; unsaved edits in the second file are lost. */
static void
close_compare_now (HmPage *self)
{
  g_autoptr(HmCompareView) compare = g_steal_pointer (&self->compare);

  if (compare == NULL)
    return;
  g_signal_handlers_disconnect_by_data (compare, self);
  hm_compare_view_stop (compare);
  gtk_box_remove (self->find_slot, hm_compare_view_get_bar (compare));
  gtk_box_remove (self->view_box, GTK_WIDGET (compare));
  compare_status_cb (self);
  update_compare_actions (self);
  gtk_widget_set_visible (self->side_pane, g_settings_get_boolean (self->settings, "show-side-pane"));
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static void
discard_response_cb (GtkDialog *dialog,
                     int        response,
                     HmPage    *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    close_compare_now (self);
}

/**
 * _hm_page_close_compare:
 * @self: a #HmPage
 *
 * Closes the compare, back to one view; with unsaved edits in the second file
 * it asks first.
 */
void
_hm_page_close_compare (HmPage *self)
{
  HmDocument *other;
  GtkWidget *dialog, *button;

  if (self->compare == NULL)
    return;
  other = hm_compare_view_get_document (self->compare, HM_COMPARE_SIDE_B);
  if (!hm_document_get_has_pending (other))
    {
      close_compare_now (self);
      return;
    }
  dialog = gtk_message_dialog_new (_hm_page_get_parent_window (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                   _("Discard the Changes to “%s”?"), hm_document_get_display_name (other));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _("The second file has edits that are not saved. "
                                              "Save them with “Save Second File” to keep them."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Discard and Close"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (button, "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * _hm_page_compare_with:
 * @self: a #HmPage
 * @other: the second file
 *
 * Opens @other beside the page's file and compares them (replacing a compare
 * already open, without asking).
 */
void
_hm_page_compare_with (HmPage     *self,
                       HmDocument *other)
{
  HmCompareView *compare;

  g_return_if_fail (HM_IS_PAGE (self));
  g_return_if_fail (HM_IS_DOCUMENT (other));

  close_compare_now (self);
  compare = hm_compare_view_new (self->view, other);
  self->compare = g_object_ref_sink (compare);
  gtk_box_append (self->find_slot, hm_compare_view_get_bar (compare));
  gtk_box_append (self->view_box, GTK_WIDGET (compare));
  g_signal_connect_object (compare, "notify::status", G_CALLBACK (compare_status_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (compare, "close-requested", G_CALLBACK (_hm_page_close_compare), self,
                           G_CONNECT_SWAPPED);
  compare_status_cb (self);
  update_compare_actions (self);
  /* Two views need the width: the side pane comes back with F9, or when the
   * compare closes. */
  gtk_widget_set_visible (self->side_pane, FALSE);
}

HmCompareView *
_hm_page_get_compare_view (HmPage *self)
{
  return self->compare;
}

/* ---- The actions ---- */

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     HmPage          *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(HmDocument) other = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->compare_chooser);
  if (file == NULL)
    return;

  path = g_file_get_path (file);
  if (path != NULL)
    other = hm_document_new (path, &error);
  else
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("“%s” is not a local file."),
                 g_file_peek_path (file) != NULL ? g_file_peek_path (file) : "?");
  if (other == NULL)
    {
      GtkWidget *dialog = gtk_message_dialog_new (_hm_page_get_parent_window (self),
                                                  GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                                  GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE,
                                                  _("Cannot Compare"));

      gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", error->message);
      g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  _hm_page_compare_with (self, other);
}

static void
compare_action_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  HmPage *self = user_data;
  g_autoptr(GFile) file = g_file_new_for_path (hm_document_get_path (self->document));
  g_autoptr(GFile) folder = g_file_get_parent (file);

  if (self->compare_chooser != NULL)
    return;
  self->compare_chooser = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (_("Compare With"),
                                                                          _hm_page_get_parent_window (self),
                                                                          GTK_FILE_CHOOSER_ACTION_OPEN,
                                                                          _("_Compare"), _("_Cancel")));
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->compare_chooser), folder, NULL);
  g_signal_connect_object (self->compare_chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (self->compare_chooser);
}

static void
compare_step_action_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  HmPage *self = user_data;

  if (self->compare != NULL)
    hm_compare_view_go_next (self->compare, g_str_equal (g_action_get_name (G_ACTION (action)), "compare-next"));
}

static void
compare_copy_action_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  HmPage *self = user_data;

  if (self->compare != NULL)
    hm_compare_view_copy_run (self->compare, hm_compare_view_get_focus_side (self->compare), NULL);
}

static void
compare_close_action_cb (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  _hm_page_close_compare (HM_PAGE (user_data));
}

static const GActionEntry compare_actions[] = {
  { "compare", compare_action_cb },
  { "compare-next", compare_step_action_cb },
  { "compare-previous", compare_step_action_cb },
  { "compare-copy", compare_copy_action_cb },
  { "compare-close", compare_close_action_cb },
};

void
_hm_page_compare_init (HmPage *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), compare_actions, G_N_ELEMENTS (compare_actions),
                                   self);
  update_compare_actions (self);
}

void
_hm_page_compare_dispose (HmPage *self)
{
  if (self->compare_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->compare_chooser);
      g_clear_object (&self->compare_chooser);
    }
  if (self->compare != NULL)
    hm_compare_view_stop (self->compare);
  g_clear_object (&self->compare);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Drafts in the window: when a file opens and a crash (or a kill) left unsaved
 * edits of it (core/hm-drafts.c), a GtkMessageDialog offers to restore them,
 * Restore being the default, or to discard them; if the file changed since, it
 * says so and restores them anyway as a preview. The window's empty state lists
 * the drafts of files not reopened since; a row opens its file and restores.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-draft-prompt-private.h"
#include "hm-drafts.h"

typedef struct
{
  GtkWindow   *parent;
  HmDocument  *document;
  HmDraftInfo *info;
} Prompt;

static void
prompt_free (Prompt *prompt)
{
  g_clear_weak_pointer (&prompt->parent);
  g_clear_object (&prompt->document);
  hm_draft_info_free (prompt->info);
  g_free (prompt);
}

static void
show_error (GtkWindow  *parent,
            const char *primary,
            GError     *error)
{
  GtkWidget *dialog = gtk_message_dialog_new (parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_WARNING, GTK_BUTTONS_CLOSE, "%s", primary);

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", error->message);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
restore (GtkWindow         *parent,
         HmDocument        *document,
         const HmDraftInfo *info)
{
  g_autoptr(GError) error = NULL;

  if (!hm_drafts_restore (document, info, NULL, &error))
    show_error (parent, _("Not All Unsaved Edits Could Be Restored"), error);
}

static void
prompt_response_cb (GtkDialog *dialog,
                    int        response,
                    gpointer   user_data)
{
  Prompt *prompt = user_data;
  g_autoptr(GError) error = NULL;

  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    restore (prompt->parent, prompt->document, prompt->info);
  else if (response == GTK_RESPONSE_REJECT && !hm_drafts_remove (prompt->info, &error))
    show_error (prompt->parent, _("The Unsaved Edits Could Not Be Discarded"), error);
  /* Closed otherwise: the draft stays until the first new edit replaces it */
  prompt_free (prompt);
}

static char *
describe_time (gint64 usec)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return time != NULL ? g_date_time_format (time, "%x %X") : g_strdup ("?");
}

/**
 * _hm_draft_prompt_attach:
 * @parent: the window
 * @document: a document the window just opened
 * @restore_now: restore the draft without asking (the user chose it on the empty state)
 *
 * Offers the draft of @document's file, if a crash left one, then keeps the
 * document's pending edits as a draft from now on.
 */
void
_hm_draft_prompt_attach (GtkWindow  *parent,
                         HmDocument *document,
                         gboolean    restore_now)
{
  g_autoptr(HmDraftInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *when = NULL;
  g_autofree char *text = NULL;
  GtkWidget *dialog;
  GtkWidget *button;
  Prompt *prompt;

  g_return_if_fail (HM_IS_DOCUMENT (document));

  /* Nothing can be pending in a document that cannot be edited */
  if (hm_document_get_mode (document) == HM_DOCUMENT_MODE_READ_ONLY && !hm_document_get_can_write (document))
    return;

  info = hm_drafts_lookup (hm_document_get_path (document));
  if (!hm_document_keep_drafts (document, &error))
    {
      /* Another window has the file open: it keeps the draft, and offers none */
      g_debug ("%s", error->message);
      return;
    }
  if (info == NULL)
    return;
  if (restore_now)
    {
      restore (parent, document, info);
      return;
    }

  name = g_filename_display_basename (info->path);
  when = describe_time (info->updated);
  dialog = gtk_message_dialog_new (parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Restore Unsaved Edits?"));
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Hexmap closed on %2$s without saving %1$u edit of “%3$s”.",
                                       "Hexmap closed on %2$s without saving %1$u edits of “%3$s”.",
                                       info->n_edits),
                          info->n_edits, when, name);
  if (hm_draft_info_file_changed (info))
    {
      g_autofree char *more = g_strconcat (text, " ",
                                           _("The file has changed on disk since: the edits may no "
                                             "longer fit it. Restored, they are a preview; check "
                                             "them before you save."), NULL);

      g_free (text);
      text = g_steal_pointer (&more);
    }
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", text);
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Discard Edits"), GTK_RESPONSE_REJECT);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Restore"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);

  prompt = g_new0 (Prompt, 1);
  g_set_weak_pointer (&prompt->parent, parent);
  prompt->document = g_object_ref (document);
  prompt->info = g_steal_pointer (&info);
  g_signal_connect (dialog, "response", G_CALLBACK (prompt_response_cb), prompt);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (button);
}

/* ---- The list on the empty state ---- */

typedef struct
{
  GtkListBox      *rows;
  HmDraftOpenFunc  open;
  gpointer         user_data;
} DraftList;

static void
row_activated_cb (GtkListBox    *box,
                  GtkListBoxRow *row,
                  DraftList     *list)
{
  const char *path = g_object_get_data (G_OBJECT (row), "hm-draft-path");

  if (path != NULL)
    list->open (path, list->user_data);
}

static void
discard_clicked_cb (GtkButton *button,
                    GtkWidget *widget)
{
  HmDraftInfo *info = g_object_get_data (G_OBJECT (button), "hm-draft-info");
  g_autoptr(GError) error = NULL;

  if (!hm_drafts_remove (info, &error))
    g_warning ("%s", error->message);
  _hm_draft_list_update (widget);
}

static GtkWidget *
create_row (const HmDraftInfo *info,
            GtkWidget         *widget)
{
  g_autofree char *name = g_filename_display_basename (info->path);
  g_autofree char *dir = g_path_get_dirname (info->path);
  g_autofree char *dir_name = g_filename_display_name (dir);
  g_autofree char *when = describe_time (info->updated);
  g_autofree char *detail = NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (name);
  GtkWidget *subtitle;
  GtkWidget *discard = gtk_button_new_from_icon_name ("user-trash-symbolic");

  detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s — %u unsaved edit, %s",
                                         "%s — %u unsaved edits, %s", info->n_edits),
                            dir_name, info->n_edits, when);
  subtitle = gtk_label_new (detail);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), subtitle);

  gtk_widget_set_tooltip_text (discard, _("Discard These Edits"));
  gtk_widget_set_valign (discard, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (discard, "flat");
  g_object_set_data_full (G_OBJECT (discard), "hm-draft-info", hm_draft_info_copy (info),
                          (GDestroyNotify) hm_draft_info_free);
  g_signal_connect (discard, "clicked", G_CALLBACK (discard_clicked_cb), widget);

  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), discard);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, _("Open the file and restore its unsaved edits"));
  g_object_set_data_full (G_OBJECT (row), "hm-draft-path", g_strdup (info->path), g_free);
  return row;
}

/**
 * _hm_draft_list_new:
 * @open: (scope notified): called with a file's path when its row is activated
 * @user_data: for @open
 *
 * Returns: (transfer floating): a box with a heading and a row per draft
 */
GtkWidget *
_hm_draft_list_new (HmDraftOpenFunc open,
                    gpointer        user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (_("Unsaved Edits"));
  DraftList *list = g_new0 (DraftList, 1);

  list->rows = GTK_LIST_BOX (gtk_list_box_new ());
  list->open = open;
  list->user_data = user_data;
  gtk_list_box_set_selection_mode (list->rows, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (list->rows), "boxed-list");
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_margin_top (box, 12);
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (list->rows));
  g_signal_connect (list->rows, "row-activated", G_CALLBACK (row_activated_cb), list);
  g_object_set_data_full (G_OBJECT (box), "hm-draft-list", list, g_free);
  gtk_widget_set_visible (box, FALSE);
  return box;
}

/**
 * _hm_draft_list_update:
 * @widget: what _hm_draft_list_new() returned
 *
 * Lists the drafts on disk again (the window shows its empty state).
 */
void
_hm_draft_list_update (GtkWidget *widget)
{
  DraftList *list = g_object_get_data (G_OBJECT (widget), "hm-draft-list");
  g_autoptr(GPtrArray) drafts = hm_drafts_list ();
  GtkWidget *child;

  g_return_if_fail (list != NULL);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list->rows))) != NULL)
    gtk_list_box_remove (list->rows, child);
  for (guint i = 0; i < drafts->len; i++)
    gtk_list_box_append (list->rows, create_row (drafts->pdata[i], widget));
  gtk_widget_set_visible (widget, drafts->len > 0);
}

GtkListBox *
_hm_draft_list_get_rows (GtkWidget *widget)
{
  DraftList *list = g_object_get_data (G_OBJECT (widget), "hm-draft-list");

  g_return_val_if_fail (list != NULL, NULL);
  return list->rows;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-document.h"

G_BEGIN_DECLS

/*
 * Drafts in the window (core/hm-drafts.c keeps them): the prompt that offers
 * to restore the unsaved edits a crash left for a file being opened, and the
 * list of such drafts on the empty state.
 */

/* For each document the window opens: offers its draft (unless @restore_now: then
 * restores it at once), then keeps the document's drafts from now on. */
void       _hm_draft_prompt_attach       (GtkWindow  *parent,
                                          HmDocument *document,
                                          gboolean    restore_now);

/* The empty state's list: hidden when there are no drafts. Activating a row
 * calls @open with the file's path; the caller opens it and calls
 * _hm_draft_prompt_attach() with @restore_now set. */
typedef void (*HmDraftOpenFunc) (const char *path,
                                 gpointer    user_data);

GtkWidget *_hm_draft_list_new            (HmDraftOpenFunc open,
                                          gpointer        user_data);
void       _hm_draft_list_update         (GtkWidget      *list);

/* For tests */
GtkListBox *_hm_draft_list_get_rows      (GtkWidget      *list);

G_END_DECLS

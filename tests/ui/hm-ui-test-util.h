/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How long a test waits for something that must happen (bytes loaded, a
 * dialog shown): long enough that only a defect, the thing never happening,
 * can fail the wait, however busy the machine. The wait ends as soon as it
 * happens, so a long bound costs nothing. */
#define HM_UI_TEST_WAIT_MS 60000

/* Helpers for the UI tests that drive the real application: run its main loop
 * until something holds, and find the message dialogs it shows. */

typedef gboolean (*HmUiCondition) (gpointer data);

gboolean          hm_ui_test_wait_for               (HmUiCondition condition,
                                                     gpointer      data,
                                                     guint         timeout_ms);
void              hm_ui_test_spin                   (guint         ms);
GList            *hm_ui_test_list_message_dialogs   (void);
guint             hm_ui_test_count_message_dialogs  (void);
gboolean          hm_ui_test_has_message_dialog     (gpointer      unused);
gboolean          hm_ui_test_has_no_message_dialog  (gpointer      unused);
char             *hm_ui_test_dialog_text            (GtkMessageDialog *dialog);
GtkMessageDialog *hm_ui_test_wait_for_message_dialog (void);
gboolean          hm_ui_test_widget_mapped          (gpointer      widget);
gboolean          hm_ui_test_widget_unmapped        (gpointer      widget);

G_END_DECLS

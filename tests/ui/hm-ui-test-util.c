/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hm-ui-test-util.h"

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @condition holds; FALSE after @timeout_ms. A 10 ms
 * tick keeps the loop waking up while nothing else happens. */
gboolean
hm_ui_test_wait_for (HmUiCondition condition,
                     gpointer      data,
                     guint         timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);
  gboolean ok;

  while (!(ok = condition (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return ok;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Runs the main loop for @ms. */
void
hm_ui_test_spin (guint ms)
{
  hm_ui_test_wait_for (never, NULL, ms);
}

/* The visible message dialogs; free the list (not its items). */
GList *
hm_ui_test_list_message_dialogs (void)
{
  GList *toplevels = gtk_window_list_toplevels ();
  GList *dialogs = NULL;

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (GTK_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      dialogs = g_list_prepend (dialogs, l->data);
  g_list_free (toplevels);
  return dialogs;
}

guint
hm_ui_test_count_message_dialogs (void)
{
  GList *dialogs = hm_ui_test_list_message_dialogs ();
  guint n = g_list_length (dialogs);

  g_list_free (dialogs);
  return n;
}

/* An HmUiCondition: some message dialog is shown. */
gboolean
hm_ui_test_has_message_dialog (gpointer unused)
{
  return hm_ui_test_count_message_dialogs () > 0;
}

/* An HmUiCondition: no message dialog is shown (the one answered has gone). */
gboolean
hm_ui_test_has_no_message_dialog (gpointer unused)
{
  return hm_ui_test_count_message_dialogs () == 0;
}

/* The dialog's primary and secondary text, one per line. */
char *
hm_ui_test_dialog_text (GtkMessageDialog *dialog)
{
  g_autofree char *text = NULL;
  g_autofree char *secondary = NULL;

  g_object_get (dialog, "text", &text, "secondary-text", &secondary, NULL);
  return g_strdup_printf ("%s\n%s", text, secondary != NULL ? secondary : "");
}

/* Waits (HM_UI_TEST_WAIT_MS at most) for a message dialog and checks that it is the only one. */
GtkMessageDialog *
hm_ui_test_wait_for_message_dialog (void)
{
  GList *dialogs;
  GtkMessageDialog *dialog;

  g_assert_true (hm_ui_test_wait_for (hm_ui_test_has_message_dialog, NULL, HM_UI_TEST_WAIT_MS));
  dialogs = hm_ui_test_list_message_dialogs ();
  g_assert_cmpuint (g_list_length (dialogs), ==, 1);
  dialog = dialogs->data;
  g_list_free (dialogs);
  return dialog;
}

/* Conditions for hm_ui_test_wait_for(): @widget (a GtkWidget) is mapped, or not. */
gboolean
hm_ui_test_widget_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

gboolean
hm_ui_test_widget_unmapped (gpointer widget)
{
  return !gtk_widget_get_mapped (widget);
}

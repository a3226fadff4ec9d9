/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The window's chrome in the real application: the Edit section of the main
 * menu, the Find button, Ctrl+H, names and tooltips of icon-only buttons, and
 * a file that cannot be written (why, and Edit a Copy), and the header
 * popovers built after the first frame.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <gtk/gtk.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "hm-application.h"
#include "hm-find-bar-private.h"
#include "hm-hex-view-private.h"
#include "hm-page-private.h"
#include "hm-test-util.h"
#include "hm-ui-test-util.h"
#include "hm-window-private.h"

#define FILE_SIZE 0x4000

static HmApplication *app;
static char *data_path;
static int test_status = 1;

/* ---- Helpers ---- */

static HmWindow *
get_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (HM_IS_WINDOW (window));
  return HM_WINDOW (window);
}

static HmPage *
get_page (void)
{
  HmPage *page = hm_window_get_current_page (get_window ());

  g_assert_nonnull (page);
  return page;
}

static void
activate (const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), action, NULL));
}

/* Every widget under @widget, depth first, @widget included. */
static void
collect_widgets (GtkWidget *widget,
                 GPtrArray *out)
{
  g_ptr_array_add (out, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, out);
}

static GPtrArray *
all_widgets (void)
{
  GPtrArray *widgets = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (get_window ()), widgets);
  return widgets;
}

static GtkWidget *
find_actionable (const char *action)
{
  g_autoptr(GPtrArray) widgets = all_widgets ();

  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (GTK_IS_ACTIONABLE (widget)
          && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
        return widget;
    }
  return NULL;
}

static GMenuModel *
find_primary_menu (void)
{
  g_autoptr(GPtrArray) widgets = all_widgets ();

  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
        return gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget));
    }
  return NULL;
}

static gboolean
has_primary_menu (gpointer unused)
{
  return find_primary_menu () != NULL;
}

/* The window gives its menu button the model after its first frame. */
static GMenuModel *
primary_menu (void)
{
  hm_ui_test_wait_for (has_primary_menu, NULL, HM_UI_TEST_WAIT_MS);
  return find_primary_menu ();
}

static gboolean
has_accessible_name (GtkWidget *widget)
{
  return gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL)
         || gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

/* ---- Tests ---- */

/* The main menu opens with Edit: every item there, on an action the page has. */
static void
test_edit_section (void)
{
  static const char *expected[] = {
    "page.undo", "page.redo", "page.copy", "page.paste", "page.select-all", "page.find", "page.replace",
    "page.goto",
  };
  GMenuModel *menu = primary_menu ();
  g_autoptr(GMenuModel) section = NULL;
  g_autofree char *label = NULL;
  GActionGroup *group = hm_page_get_action_group (get_page ());
  HmHexView *view = hm_page_get_view (get_page ());

  g_assert_nonnull (menu);
  section = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
  g_assert_nonnull (section);
  g_assert_true (g_menu_model_get_item_attribute (menu, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  g_assert_cmpstr (label, ==, "Edit");
  g_assert_cmpint (g_menu_model_get_n_items (section), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *action = NULL;
      g_autofree char *item_label = NULL;

      g_assert_true (g_menu_model_get_item_attribute (section, (int) i, G_MENU_ATTRIBUTE_ACTION, "s", &action));
      g_assert_true (g_menu_model_get_item_attribute (section, (int) i, G_MENU_ATTRIBUTE_LABEL, "s", &item_label));
      g_test_message ("%s: %s", item_label, action);
      g_assert_cmpstr (action, ==, expected[i]);
      g_assert_true (g_action_group_has_action (group, action + strlen ("page.")));
    }

  /* The items work: Select All selects the file, from the menu's action. */
  hm_hex_view_set_selection (view, 0, 0);
  activate ("page.select-all");
  g_assert_cmpuint (hm_hex_view_get_selection_start (view), ==, 0);
  g_assert_cmpuint (hm_hex_view_get_selection_length (view), ==, FILE_SIZE);
  hm_hex_view_set_selection (view, 0, 0);
}

/* Ctrl+H is Replace: the find bar with its replace row. */
static void
test_ctrl_h (void)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "page.replace");
  HmFindBar *bar = _hm_page_get_find_bar (get_page ());
  GtkRevealer *replace_row = GTK_REVEALER (_hm_find_bar_get_replace_row (bar));
  GtkWidget *focus;

  g_assert_nonnull (accels);
  g_assert_cmpstr (accels[0], ==, "<Control>h");

  hm_find_bar_set_revealed (bar, FALSE);
  gtk_editable_set_text (_hm_find_bar_get_entry (bar), "");
  g_assert_false (gtk_revealer_get_reveal_child (replace_row));
  hm_hex_view_set_selection (hm_page_get_view (get_page ()), 0, 0);
  activate ("page.replace");
  g_assert_true (hm_find_bar_get_revealed (bar));
  g_assert_true (gtk_revealer_get_reveal_child (replace_row));
  /* Nothing to find yet: the focus goes to the find entry first. */
  focus = gtk_root_get_focus (GTK_ROOT (get_window ()));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (_hm_find_bar_get_entry (bar)))
                 || focus == GTK_WIDGET (_hm_find_bar_get_entry (bar)));

  /* With a pattern, to the replacement. */
  gtk_editable_set_text (_hm_find_bar_get_entry (bar), "00");
  activate ("page.replace");
  focus = gtk_root_get_focus (GTK_ROOT (get_window ()));
  g_assert_true (focus == GTK_WIDGET (_hm_find_bar_get_replace_entry (bar))
                 || gtk_widget_is_ancestor (focus, GTK_WIDGET (_hm_find_bar_get_replace_entry (bar))));
  hm_find_bar_set_revealed (bar, FALSE);
}

/* A Find button in the header bar, named and explained. */
static void
test_find_button (void)
{
  GtkWidget *button = find_actionable ("page.find");
  HmFindBar *bar = _hm_page_get_find_bar (get_page ());

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_ancestor (button, GTK_TYPE_HEADER_BAR) != NULL);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_nonnull (gtk_widget_get_tooltip_text (button));
  g_assert_true (has_accessible_name (button));

  hm_find_bar_set_revealed (bar, FALSE);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (hm_find_bar_get_revealed (bar));
  hm_find_bar_set_revealed (bar, FALSE);
}

/* Every button without a text label, anywhere in the window (header bar,
 * popovers, find bar with its replace row and options, status bar, side
 * pane), has a tooltip and an accessible name. A menu button's inner button
 * takes both from the menu button. The window controls are GTK's own. */
static void
test_icon_buttons_named (void)
{
  g_autoptr(GPtrArray) widgets = NULL;
  HmFindBar *bar = _hm_page_get_find_bar (get_page ());
  guint n_checked = 0;
  GString *missing = g_string_new (NULL);

  hm_find_bar_focus_replace (bar);
  hm_ui_test_spin (50);
  widgets = all_widgets ();
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);
      GtkWidget *named = widget;
      GtkWidget *child;

      if (!GTK_IS_BUTTON (widget) && !GTK_IS_MENU_BUTTON (widget))
        continue;
      /* GTK's own: window controls, a menu's submenu arrows, the notebook's
       * tab arrows and an info bar's close button (named by GTK), and a
       * drop-down's button, which shows the selected text. */
      if (gtk_widget_get_ancestor (widget, GTK_TYPE_WINDOW_CONTROLS) != NULL
          || g_str_equal (G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)), "GtkGizmo")
          || gtk_widget_get_ancestor (widget, GTK_TYPE_POPOVER_MENU) != NULL
          || GTK_IS_INFO_BAR (gtk_widget_get_ancestor (widget, GTK_TYPE_INFO_BAR))
          || GTK_IS_DROP_DOWN (gtk_widget_get_parent (widget)))
        continue;
      if (GTK_IS_BUTTON (widget) && GTK_IS_MENU_BUTTON (gtk_widget_get_parent (widget)))
        named = gtk_widget_get_parent (widget);
      if (GTK_IS_MENU_BUTTON (named) ? gtk_menu_button_get_label (GTK_MENU_BUTTON (named)) != NULL
                                     : gtk_button_get_label (GTK_BUTTON (named)) != NULL)
        continue;
      /* A child label (a check button's, a custom box with a label) names it. */
      child = GTK_IS_BUTTON (widget) ? gtk_button_get_child (GTK_BUTTON (widget)) : NULL;
      if (GTK_IS_LABEL (child) || GTK_IS_CHECK_BUTTON (widget))
        continue;
      n_checked++;
      if (gtk_widget_get_tooltip_text (named) == NULL || !has_accessible_name (named))
        g_string_append_printf (missing, " %s in %s in %s (icon %s, %s, tooltip %s, name %s)",
                                G_OBJECT_TYPE_NAME (named), G_OBJECT_TYPE_NAME (gtk_widget_get_parent (named)),
                                G_OBJECT_TYPE_NAME (gtk_widget_get_parent (gtk_widget_get_parent (named))),
                                GTK_IS_BUTTON (named) && gtk_button_get_icon_name (GTK_BUTTON (named))
                                  ? gtk_button_get_icon_name (GTK_BUTTON (named)) : "-",
                                GTK_IS_ACTIONABLE (named) && gtk_actionable_get_action_name (GTK_ACTIONABLE (named))
                                  ? gtk_actionable_get_action_name (GTK_ACTIONABLE (named)) : "-",
                                gtk_widget_get_tooltip_text (named) != NULL ? "yes" : "no",
                                has_accessible_name (named) ? "yes" : "no");
    }
  g_test_message ("%u icon-only buttons checked", n_checked);
  hm_find_bar_set_revealed (bar, FALSE);
  g_assert_cmpuint (n_checked, >=, 10);
  g_assert_cmpstr (missing->str, ==, "");
  g_string_free (missing, TRUE);
}

/* The menu buttons of @window that show a label or an icon of ours (not the
 * primary menu): the mode button and the save-options button, in that order. */
static void
find_popover_buttons (HmWindow       *window,
                      GtkMenuButton **mode_button,
                      GtkMenuButton **save_options_button)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  *mode_button = *save_options_button = NULL;
  collect_widgets (gtk_window_get_titlebar (GTK_WINDOW (window)), widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (!GTK_IS_MENU_BUTTON (widget) || gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
        continue;
      if (gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)) != NULL)
        *mode_button = GTK_MENU_BUTTON (widget);
      else
        *save_options_button = GTK_MENU_BUTTON (widget);
    }
  g_assert_nonnull (*mode_button);
  g_assert_nonnull (*save_options_button);
}

static gboolean
has_popover (gpointer button)
{
  return gtk_menu_button_get_popover (button) != NULL;
}

/* The mode and save-options popovers are not part of the first frame: a new
 * window has neither until it has painted, then both. A mode button pressed
 * before that still opens its popover, with the file's state in it. */
static void
test_popovers_after_first_frame (void)
{
  HmWindow *window = hm_window_new (GTK_APPLICATION (app));
  g_autoptr(GFile) file = g_file_new_for_path (data_path);
  g_autoptr(GError) error = NULL;
  GtkMenuButton *mode_button, *save_options_button;
  GtkPopover *popover;
  HmPage *page;

  page = hm_window_open_file (window, file, HM_DOCUMENT_MODE_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_nonnull (page);
  find_popover_buttons (window, &mode_button, &save_options_button);
  g_assert_null (gtk_menu_button_get_popover (mode_button));
  g_assert_null (gtk_menu_button_get_popover (save_options_button));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (mode_button)));

  /* Pressed at once: built on demand, and it says the file's mode. */
  gtk_window_present (GTK_WINDOW (window));
  gtk_menu_button_popup (mode_button);
  popover = gtk_menu_button_get_popover (mode_button);
  g_assert_nonnull (popover);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_mapped, popover, HM_UI_TEST_WAIT_MS));
  g_assert_true (_hm_window_get_writable_modes_sensitive (window)
                 == hm_document_get_can_write (hm_page_get_document (page)));
  gtk_menu_button_popdown (mode_button);

  /* The other one is there too; it holds the explicit time, filled in. */
  g_assert_true (hm_ui_test_wait_for (has_popover, save_options_button, HM_UI_TEST_WAIT_MS));
  gtk_menu_button_popup (save_options_button);
  popover = gtk_menu_button_get_popover (save_options_button);
  g_assert_true (hm_ui_test_wait_for (hm_ui_test_widget_mapped, popover, HM_UI_TEST_WAIT_MS));
  {
    g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
    gboolean has_time = FALSE;

    collect_widgets (GTK_WIDGET (popover), widgets);
    for (guint i = 0; i < widgets->len; i++)
      if (GTK_IS_ENTRY (g_ptr_array_index (widgets, i)))
        has_time = strlen (gtk_editable_get_text (g_ptr_array_index (widgets, i))) == strlen ("2024-12-31 23:59:00");
    g_assert_true (has_time);
  }
  gtk_menu_button_popdown (save_options_button);
  gtk_window_destroy (GTK_WINDOW (window));
  hm_ui_test_spin (50);
}

static gboolean
page_open_for (gpointer data)
{
  HmPage *page = hm_window_get_current_page (get_window ());

  return page != NULL && g_strcmp0 (hm_document_get_path (hm_page_get_document (page)), data) == 0;
}

/* A file that cannot be written: the mode menu says why and offers Edit a
 * Copy, which saves a copy where the user chooses and opens it in preview.
 * As root the file sits on a read-only bind mount (root may write a 0444
 * file); otherwise it is 0444. */
static void
test_edit_a_copy (void)
{
  HmWindow *window = get_window ();
  g_autofree char *dir = g_build_filename (hm_test_tmpdir (), "locked", NULL);
  g_autofree char *ro_dir = g_build_filename (hm_test_tmpdir (), "locked-ro", NULL);
  g_autofree char *copies = g_build_filename (hm_test_tmpdir (), "copies", NULL);
  g_autofree char *source = g_build_filename (dir, "firmware.bin", NULL);
  g_autofree char *copy = g_build_filename (copies, "firmware-copy.bin", NULL);
  g_autofree char *opened = NULL;
  g_autofree guint8 *contents = NULL;
  g_autofree char *copied = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  gboolean mounted = FALSE;
  GtkWidget *edit_copy_button;
  HmPage *page;
  const char *reason;
  gsize length = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (ro_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (copies, 0755), ==, 0);
  g_free (hm_test_write_random ("locked/firmware.bin", 4096, 23, &contents));

  if (hm_test_is_root ())
    {
      if (mount (dir, ro_dir, NULL, MS_BIND, NULL) != 0)
        {
          g_test_skip_printf ("cannot bind-mount: %s", g_strerror (errno));
          return;
        }
      mounted = mount (NULL, ro_dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0;
      if (!mounted)
        {
          umount2 (ro_dir, MNT_DETACH);
          g_test_skip ("cannot remount read-only");
          return;
        }
      opened = g_build_filename (ro_dir, "firmware.bin", NULL);
    }
  else
    {
      g_assert_cmpint (chmod (source, 0444), ==, 0);
      opened = g_strdup (source);
    }

  file = g_file_new_for_path (opened);
  page = hm_window_open_file (window, file, HM_WINDOW_MODE_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_false (hm_document_get_can_write (hm_page_get_document (page)));
  g_assert_cmpint (hm_document_get_mode (hm_page_get_document (page)), ==, HM_DOCUMENT_MODE_READ_ONLY);

  /* Why, exactly. */
  reason = hm_page_get_mode_reason (page);
  g_test_message ("reason: %s", reason);
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, mounted ? "mounted read-only" : "permission"));

  /* The mode popover offers Edit a Copy. */
  edit_copy_button = find_actionable ("page.edit-copy");
  g_assert_nonnull (edit_copy_button);
  g_assert_true (gtk_widget_get_visible (edit_copy_button));

  /* Save the copy where the user chooses; it opens in preview. */
  /* The choice a user would make in the file chooser. */
  {
    g_autoptr(GFile) copy_file = g_file_new_for_path (copy);

    _hm_page_set_test_chosen_file (copy_file);
  }
  g_signal_emit_by_name (edit_copy_button, "clicked");
  if (!hm_ui_test_wait_for (page_open_for, copy, HM_UI_TEST_WAIT_MS))
    {
      if (mounted)
        umount2 (ro_dir, MNT_DETACH);
      g_assert_not_reached ();
    }

  g_assert_true (g_file_get_contents (copy, &copied, &length, NULL));
  g_assert_cmpmem (copied, length, contents, 4096);
  page = get_page ();
  g_assert_cmpint (hm_document_get_mode (hm_page_get_document (page)), ==, HM_DOCUMENT_MODE_PREVIEW);
  g_assert_true (hm_document_get_can_write (hm_page_get_document (page)));
  g_assert_false (gtk_widget_get_visible (find_actionable ("page.edit-copy")));
  activate ("page.close");
  hm_ui_test_spin (50);

  /* Close the read-only original too, then let go of the mount. */
  for (guint i = hm_window_get_n_pages (window); i-- > 0;)
    {
      HmPage *other = hm_window_get_page (window, i);

      if (g_strcmp0 (hm_document_get_path (hm_page_get_document (other)), opened) == 0)
        gtk_widget_activate_action (GTK_WIDGET (other), "page.close", NULL);
    }
  hm_ui_test_spin (50);
  if (mounted)
    g_assert_cmpint (umount2 (ro_dir, MNT_DETACH), ==, 0);
}


/* ---- Contrast ---- */

static double
channel_luminance (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
luminance (const GdkRGBA *rgba)
{
  return 0.2126 * channel_luminance (rgba->red) + 0.7152 * channel_luminance (rgba->green)
         + 0.0722 * channel_luminance (rgba->blue);
}

/* The find bar's background, as the theme in use says it. */
static void
theme_search_bar_background (gboolean  dark,
                             GdkRGBA  *rgba)
{
  g_autoptr(GBytes) css = g_resources_lookup_data (dark ? "/org/gtk/libgtk/theme/Default/Default-dark.css"
                                                        : "/org/gtk/libgtk/theme/Default/Default-light.css",
                                                   G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("searchbar > revealer > box \\{ border-style: solid;[^}]*background-color: "
                                         "(#[0-9a-f]{6})", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *colour = NULL;

  g_assert_nonnull (css);
  text = g_strndup (g_bytes_get_data (css, NULL), g_bytes_get_size (css));
  g_assert_true (g_regex_match (regex, text, 0, &match));
  colour = g_match_info_fetch (match, 1);
  g_assert_true (gdk_rgba_parse (rgba, colour));
}

/* Error text on the find bar reads at 4.5:1 or better, light and dark. */
static void
test_error_contrast (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  HmFindBar *bar = _hm_page_get_find_bar (get_page ());
  GtkWidget *label = GTK_WIDGET (bar->message_label);
  const char *styles[] = { "light", "dark" };

  hm_find_bar_focus (bar);
  gtk_editable_set_text (_hm_find_bar_get_entry (bar), "wxyz");
  g_assert_true (_hm_find_bar_get_message_is_error (bar));
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    {
      GdkRGBA fg, bg;
      double ratio;

      g_settings_set_string (settings, "style", styles[i]);
      hm_ui_test_spin (100);
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_style_context_get_color (gtk_widget_get_style_context (label), &fg);
      G_GNUC_END_IGNORE_DEPRECATIONS
      theme_search_bar_background (i == 1, &bg);
      ratio = (MAX (luminance (&fg), luminance (&bg)) + 0.05) / (MIN (luminance (&fg), luminance (&bg)) + 0.05);
      g_test_message ("%s: error text %s on %s: %.2f:1", styles[i], gdk_rgba_to_string (&fg),
                      gdk_rgba_to_string (&bg), ratio);
      g_assert_cmpfloat (ratio, >=, 4.5);
    }
  g_settings_reset (settings, "style");
  gtk_editable_set_text (_hm_find_bar_get_entry (bar), "");
  hm_find_bar_set_revealed (bar, FALSE);
}

/* ---- Running inside the application ---- */

static gboolean
has_page (gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  return window != NULL && hm_window_get_current_page (HM_WINDOW (window)) != NULL;
}

static gboolean
run_tests_cb (gpointer data)
{
  GList *windows;

  g_assert_true (hm_ui_test_wait_for (has_page, NULL, HM_UI_TEST_WAIT_MS));
  test_status = g_test_run ();

  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
startup_cb (GApplication *application)
{
  g_idle_add (run_tests_cb, NULL);
}

int
main (int   argc,
      char *argv[])
{
  char *app_argv[3];

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    hm_test_skip_all (argc, argv, "no display (run under xvfb-run)");
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    hm_test_skip_all (argc, argv, "no session bus (run under dbus-run-session)");

  g_setenv ("XDG_DATA_HOME", hm_test_tmpdir (), TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_set_application_name ("Hexmap");

  data_path = hm_test_write_random ("data.bin", FILE_SIZE, 9, NULL);

  g_test_add_func ("/hm/window-chrome/edit-section", test_edit_section);
  g_test_add_func ("/hm/window-chrome/ctrl-h", test_ctrl_h);
  g_test_add_func ("/hm/window-chrome/find-button", test_find_button);
  g_test_add_func ("/hm/window-chrome/icon-buttons-named", test_icon_buttons_named);
  g_test_add_func ("/hm/window-chrome/edit-a-copy", test_edit_a_copy);
  g_test_add_func ("/hm/window-chrome/error-contrast", test_error_contrast);
  g_test_add_func ("/hm/window-chrome/popovers-after-first-frame", test_popovers_after_first_frame);

  app = hm_application_new ();
  g_application_set_application_id (G_APPLICATION (app), "org.hexmap.Hexmap.TestChrome");
  g_signal_connect (app, "startup", G_CALLBACK (startup_cb), NULL);
  app_argv[0] = (char *) "hexmap";
  app_argv[1] = data_path;
  app_argv[2] = NULL;
  g_application_run (G_APPLICATION (app), 2, app_argv);

  g_clear_object (&app);
  g_free (data_path);
  hm_test_cleanup ();
  return test_status;
}

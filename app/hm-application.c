/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmApplication: a single instance. `hexmap [--read-only|--preview|--direct]
 * [--offset OFF] FILE…` run a second time hands its command line to the running
 * instance, which opens the files as tabs of its window.
 *
 * The split: the local instance parses and checks the options
 * (handle-local-options), so a typo is reported in the terminal it was typed
 * in, with an exit status; the primary instance gets the parsed options and the
 * file names (relative to the caller's folder) in command-line and opens them.
 *
 * It also owns what applies to every window: the app.* actions and their
 * accelerators, the style sheet, the view font (a CSS rule made from the "font"
 * key) and the light/dark style.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-application.h"
#include "hm-hex-view-private.h"
#include "hm-offset.h"
#include "hm-preferences-dialog.h"
#include "hm-window.h"

struct _HmApplication
{
  GtkApplication  parent_instance;

  GSettings      *settings;
  GSettings      *interface_settings;
  GtkCssProvider *font_provider;
  GtkCssProvider *dark_provider;   /* style-dark.css while dark, else empty */
};

G_DEFINE_FINAL_TYPE (HmApplication, hm_application, GTK_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "offset", 'o', 0, G_OPTION_ARG_STRING, NULL,
    /* xgettext:no-c-format */
    N_("Put the cursor at this offset: decimal, 0x hex, N% of the file, end-N"), N_("OFFSET") },
  { "read-only", 'r', 0, G_OPTION_ARG_NONE, NULL, N_("Open the files read-only"), NULL },
  { "preview", 'p', 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the files in preview mode: edits stay in memory until saved"), NULL },
  { "direct", 'd', 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the files in direct mode: edits go into the files at once"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, N_("FILE…") },
  { NULL }
};

/* The mode the options ask for, or HM_WINDOW_MODE_DEFAULT; -2 if they ask for more than one. */
static int
options_get_mode (GVariantDict *options)
{
  int mode = HM_WINDOW_MODE_DEFAULT;
  guint n = 0;

  if (g_variant_dict_contains (options, "read-only"))
    mode = HM_DOCUMENT_MODE_READ_ONLY, n++;
  if (g_variant_dict_contains (options, "preview"))
    mode = HM_DOCUMENT_MODE_PREVIEW, n++;
  if (g_variant_dict_contains (options, "direct"))
    mode = HM_DOCUMENT_MODE_DIRECT, n++;
  return n > 1 ? -2 : mode;
}

static int
hm_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  const char *offset_text = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("hexmap %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (options_get_mode (options) == -2)
    {
      g_printerr (_("Choose only one of --read-only, --preview and --direct.\n"));
      return 2;
    }

  if (g_variant_dict_lookup (options, "offset", "&s", &offset_text))
    {
      g_autoptr(GError) error = NULL;
      HmOffsetTarget target;

      if (!hm_offset_target_parse (offset_text, &target, &error))
        {
          g_printerr (_("Invalid offset: %s\n"), error->message);
          return 2;
        }
    }

  /* Go on: register, and send the command line to the primary instance. */
  return -1;
}

/* ---- Launch benchmark ---- */

/* HM_BENCH_FIRST_FRAME=FILE (tests/bench/bench-launch.c): once a frame with the
 * current page's bytes has been painted, write the monotonic time to FILE and
 * quit, so a launch can be timed from exec to the bytes on screen. */
static void
bench_after_paint_cb (GdkFrameClock *clock,
                      HmWindow      *window)
{
  const char *path = g_getenv ("HM_BENCH_FIRST_FRAME");
  HmPage *page = hm_window_get_current_page (window);
  g_autofree char *text = NULL;
  GApplication *app;

  if (page != NULL && _hm_hex_view_get_frames_drawn (hm_page_get_view (page)) == 0)
    return;
  g_signal_handlers_disconnect_by_func (clock, bench_after_paint_cb, window);
  text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  if (!g_file_set_contents (path, text, -1, NULL))
    g_printerr ("hexmap: cannot write %s\n", path);
  app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  if (app != NULL)
    g_application_quit (app);
}

static void
bench_window_map_cb (HmWindow *window)
{
  g_signal_handlers_disconnect_by_func (window, bench_window_map_cb, NULL);
  g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                           G_CALLBACK (bench_after_paint_cb), window, 0);
}

static void
bench_watch_first_frame (HmWindow *window)
{
  const char *path = g_getenv ("HM_BENCH_FIRST_FRAME");

  if (path == NULL || *path == '\0' || gtk_widget_get_mapped (GTK_WIDGET (window)))
    return;
  g_signal_connect (window, "map", G_CALLBACK (bench_window_map_cb), NULL);
}

static HmWindow *
get_window (HmApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (HM_IS_WINDOW (window))
    return HM_WINDOW (window);
  return hm_window_new (GTK_APPLICATION (self));
}

static int
hm_application_command_line (GApplication            *app,
                             GApplicationCommandLine *command_line)
{
  HmApplication *self = HM_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree const char **files = NULL;
  const char *offset_text = NULL;
  HmOffsetTarget target = { HM_OFFSET_KIND_ABSOLUTE, 0 };
  gboolean has_offset = FALSE;
  HmWindow *window;
  int mode = options_get_mode (options);
  int status = 0;

  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &files);
  if (g_variant_dict_lookup (options, "offset", "&s", &offset_text))
    has_offset = hm_offset_target_parse (offset_text, &target, NULL);
  if (mode == -2)
    mode = HM_WINDOW_MODE_DEFAULT;

  if (files == NULL || files[0] == NULL)
    {
      g_application_activate (app);
      return 0;
    }

  window = get_window (self);
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, files[i]);
      g_autoptr(GError) error = NULL;
      HmPage *page = hm_window_open_file (window, file, mode, &error);

      if (page == NULL)
        {
          g_autofree char *name = g_file_get_parse_name (file);
          g_autofree char *primary = g_strdup_printf (_("Could Not Open “%s”"), name);

          g_application_command_line_printerr (command_line, "%s: %s\n", name, error->message);
          hm_window_show_error (window, primary, error->message);
          status = 1;
          /* Out of descriptors: one message, not one per remaining file. */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES))
            break;
          continue;
        }

      if (has_offset)
        {
          HmDocument *document = hm_page_get_document (page);
          guint64 offset;

          if (hm_offset_target_resolve (&target, 0, hm_document_get_size (document), &offset, &error))
            hm_page_go_to (page, offset);
          else
            {
              g_application_command_line_printerr (command_line, "%s: %s\n",
                                                   hm_document_get_display_name (document), error->message);
              status = 1;
            }
        }
    }

  bench_watch_first_frame (window);
  gtk_window_present (GTK_WINDOW (window));
  return status;
}

static void
hm_application_activate (GApplication *app)
{
  HmWindow *window = get_window (HM_APPLICATION (app));

  bench_watch_first_frame (window);
  gtk_window_present (GTK_WINDOW (window));
}

static void
hm_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  HmWindow *window = get_window (HM_APPLICATION (app));

  for (int i = 0; i < n_files; i++)
    {
      g_autoptr(GError) error = NULL;

      if (hm_window_open_file (window, files[i], HM_WINDOW_MODE_DEFAULT, &error) == NULL)
        {
          g_autofree char *name = g_file_get_parse_name (files[i]);
          g_autofree char *primary = g_strdup_printf (_("Could Not Open “%s”"), name);

          hm_window_show_error (window, primary, error->message);
          /* Out of descriptors: one message, not one per remaining file. */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES))
            break;
        }
    }
  gtk_window_present (GTK_WINDOW (window));
}

/* ---- Style ---- */

/* GTK 4.8 without libadwaita does not follow the desktop's dark style by itself:
 * read it from org.gnome.desktop.interface unless the user chose. */
static void
update_style (HmApplication *self)
{
  g_autofree char *style = g_settings_get_string (self->settings, "style");
  gboolean dark = FALSE;
  gboolean current = FALSE;

  if (g_str_equal (style, "dark"))
    dark = TRUE;
  else if (g_str_equal (style, "follow") && self->interface_settings != NULL)
    {
      g_autofree char *scheme = g_settings_get_string (self->interface_settings, "color-scheme");

      dark = g_str_equal (scheme, "prefer-dark");
    }
  /* Setting it reloads the theme even when the value stays: ~10 ms at start-up. */
  g_object_get (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", &current, NULL);
  if (current != dark)
    g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", dark, NULL);
  /* Colours the dark theme gets wrong for us (error text contrast). */
  if (self->dark_provider != NULL)
    {
      if (dark)
        gtk_css_provider_load_from_resource (self->dark_provider, "/org/hexmap/Hexmap/style-dark.css");
      else
        gtk_css_provider_load_from_data (self->dark_provider, "", -1);
    }
}

static void
update_font (HmApplication *self)
{
  g_autofree char *font = g_settings_get_string (self->settings, "font");
  PangoFontDescription *desc = pango_font_description_from_string (font);
  g_autoptr(GString) css = g_string_new ("hexview {");
  PangoFontMask mask = pango_font_description_get_set_fields (desc);

  if (mask & PANGO_FONT_MASK_FAMILY)
    {
      g_autofree char *family = g_strdup (pango_font_description_get_family (desc));

      g_strdelimit (family, "\"\\;{}", ' ');
      g_string_append_printf (css, " font-family: \"%s\", monospace;", family);
    }
  if ((mask & PANGO_FONT_MASK_SIZE) && pango_font_description_get_size (desc) > 0)
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_dtostr (number, sizeof number, (double) pango_font_description_get_size (desc) / PANGO_SCALE);
      g_string_append_printf (css, " font-size: %s%s;", number,
                              pango_font_description_get_size_is_absolute (desc) ? "px" : "pt");
    }
  if (mask & PANGO_FONT_MASK_WEIGHT)
    g_string_append_printf (css, " font-weight: %d;", (int) pango_font_description_get_weight (desc));
  if (mask & PANGO_FONT_MASK_STYLE)
    g_string_append_printf (css, " font-style: %s;",
                            pango_font_description_get_style (desc) == PANGO_STYLE_ITALIC ? "italic"
                            : pango_font_description_get_style (desc) == PANGO_STYLE_OBLIQUE ? "oblique"
                            : "normal");
  g_string_append (css, " }");
  pango_font_description_free (desc);

  gtk_css_provider_load_from_data (self->font_provider, css->str, -1);
}

/* ---- Actions ---- */

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (user_data)));

  /* Each window asks about its unsaved edits; the application ends with the last one. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_window_present (hm_preferences_dialog_new (parent));
}

static void
shortcuts_action_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  static const char *developers[] = { "The Hexmap developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_show_about_dialog (parent,
                         "program-name", _("Hexmap"),
                         "logo-icon-name", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Edit files of any size, byte by byte"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", developers,
                         /* Translators: your names, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action_cb },
  { "preferences", preferences_action_cb },
  { "shortcuts", shortcuts_action_cb },
  { "about", about_action_cb },
};

static const struct
{
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  /* The shortcuts window is built when first shown (HmWindow), not by
   * GtkApplication for every window, so it sets no accelerator for it. */
  { "win.show-help-overlay", { "<Control>question", NULL } },
  { "win.open", { "<Control>o", NULL } },
  { "page.save", { "<Control>s", NULL } },
  { "page.save-as", { "<Control><Shift>s", NULL } },
  { "page.undo", { "<Control>z", NULL } },
  { "page.redo", { "<Control><Shift>z", NULL } },
  { "page.goto", { "<Control>l", "<Control>g", NULL } },
  { "page.find", { "<Control>f", NULL } },
  { "page.replace", { "<Control>h", NULL } },
  { "page.find-next", { "F3", NULL } },
  { "page.find-previous", { "<Shift>F3", NULL } },
  { "page.toggle-bookmark", { "<Control>d", NULL } },
  { "page.close", { "<Control>w", NULL } },
  { "page.next-data", { "<Alt>Down", NULL } },
  { "page.previous-data", { "<Alt>Up", NULL } },
  { "page.next-hole", { "<Alt><Shift>Down", NULL } },
  { "page.previous-hole", { "<Alt><Shift>Up", NULL } },
  { "win.toggle-side-pane", { "F9", NULL } },
  /* Enabled only while a compare is open: otherwise F6 moves the focus
   * between the view and the side pane (GtkPaned). */
  { "page.compare", { "<Control>k", NULL } },
  { "page.compare-next", { "F6", NULL } },
  { "page.compare-previous", { "<Shift>F6", NULL } },
};

static void
hm_application_startup (GApplication *app)
{
  HmApplication *self = HM_APPLICATION (app);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  G_APPLICATION_CLASS (hm_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  gtk_css_provider_load_from_resource (provider, "/org/hexmap/Hexmap/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  self->dark_provider = gtk_css_provider_new ();
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (self->dark_provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  self->font_provider = gtk_css_provider_new ();
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (self->font_provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::font", G_CALLBACK (update_font), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::style", G_CALLBACK (update_style), self, G_CONNECT_SWAPPED);

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "color-scheme"))
    {
      self->interface_settings = g_settings_new ("org.gnome.desktop.interface");
      g_signal_connect_object (self->interface_settings, "changed::color-scheme",
                               G_CALLBACK (update_style), self, G_CONNECT_SWAPPED);
    }

  update_font (self);
  update_style (self);
}

static void
hm_application_dispose (GObject *object)
{
  HmApplication *self = HM_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->interface_settings);
  g_clear_object (&self->font_provider);
  g_clear_object (&self->dark_provider);
  G_OBJECT_CLASS (hm_application_parent_class)->dispose (object);
}

static void
hm_application_class_init (HmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = hm_application_dispose;
  app_class->startup = hm_application_startup;
  app_class->activate = hm_application_activate;
  app_class->open = hm_application_open;
  app_class->command_line = hm_application_command_line;
  app_class->handle_local_options = hm_application_handle_local_options;
}

static void
hm_application_init (HmApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("FILE…"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("A hex editor for files of any size. A second “hexmap FILE” "
                                              "opens the file in the running instance."));
}

HmApplication *
hm_application_new (void)
{
  return g_object_new (HM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", "/org/hexmap/Hexmap",
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}

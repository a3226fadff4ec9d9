/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmApplication: `hexmap [--offset OFF] [--read-only] FILE…`. Each file opens in
 * its own window; a file that cannot be opened gets a window with an error dialog.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-application.h"
#include "hm-offset.h"
#include "hm-window.h"

struct _HmApplication
{
  GtkApplication parent_instance;

  GSettings     *interface_settings;
};

G_DEFINE_FINAL_TYPE (HmApplication, hm_application, GTK_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "offset", 'o', 0, G_OPTION_ARG_STRING, NULL,
    N_("Put the cursor at this offset (decimal, or hex with 0x)"), N_("OFFSET") },
  { "read-only", 'r', 0, G_OPTION_ARG_NONE, NULL, N_("Open the files read-only"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, N_("FILE…") },
  { NULL }
};

static HmWindow *
open_file (HmApplication  *self,
           GFile          *file,
           gboolean        read_only,
           gboolean        has_offset,
           guint64         offset)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) document = NULL;
  g_autofree char *path = g_file_get_path (file);
  HmWindow *window = hm_window_new (GTK_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (window));

  if (path == NULL)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("“%s” is not a local file"), g_file_peek_path (file) != NULL ? g_file_peek_path (file) : "");
  else if (read_only)
    document = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  else
    document = hm_document_new (path, &error);

  if (document == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *primary = g_strdup_printf (_("Could not open “%s”"), name);

      hm_window_show_error (window, primary, error->message);
      return window;
    }

  hm_window_set_document (window, document);
  if (has_offset)
    {
      HmHexView *view = hm_window_get_view (window);

      hm_hex_view_set_cursor_offset (view, offset);
      hm_hex_view_scroll_to_offset (view, offset);
    }
  return window;
}

static int
hm_application_command_line (GApplication            *app,
                             GApplicationCommandLine *command_line)
{
  HmApplication *self = HM_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree const char **files = NULL;
  const char *offset_text = NULL;
  gboolean read_only = FALSE;
  guint64 offset = 0;

  g_variant_dict_lookup (options, "read-only", "b", &read_only);
  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &files);
  if (g_variant_dict_lookup (options, "offset", "&s", &offset_text))
    {
      g_autoptr(GError) error = NULL;

      if (!hm_offset_parse (offset_text, &offset, &error))
        {
          g_application_command_line_printerr (command_line, _("Invalid offset “%s”: %s\n"),
                                               offset_text, error->message);
          return 2;
        }
    }

  if (files == NULL || files[0] == NULL)
    {
      g_application_activate (app);
      return 0;
    }

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, files[i]);

      open_file (self, file, read_only, offset_text != NULL, offset);
    }
  return 0;
}

static void
hm_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (hm_window_new (GTK_APPLICATION (app)));
  gtk_window_present (window);
}

static void
hm_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  for (int i = 0; i < n_files; i++)
    open_file (HM_APPLICATION (app), files[i], FALSE, FALSE, 0);
}

/* GTK 4.8 without libadwaita does not follow the desktop's dark style by itself. */
static void
color_scheme_changed_cb (HmApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->interface_settings, "color-scheme");

  g_object_set (gtk_settings_get_default (),
                "gtk-application-prefer-dark-theme", g_str_equal (scheme, "prefer-dark"),
                NULL);
}

static void
hm_application_startup (GApplication *app)
{
  HmApplication *self = HM_APPLICATION (app);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  G_APPLICATION_CLASS (hm_application_parent_class)->startup (app);

  gtk_css_provider_load_from_resource (provider, "/org/hexmap/Hexmap/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "color-scheme"))
    {
      self->interface_settings = g_settings_new ("org.gnome.desktop.interface");
      g_signal_connect_object (self->interface_settings, "changed::color-scheme",
                               G_CALLBACK (color_scheme_changed_cb), self, G_CONNECT_SWAPPED);
      color_scheme_changed_cb (self);
    }
}

static void
hm_application_dispose (GObject *object)
{
  HmApplication *self = HM_APPLICATION (object);

  g_clear_object (&self->interface_settings);
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
}

static void
hm_application_init (HmApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("FILE…"));
}

HmApplication *
hm_application_new (void)
{
  return g_object_new (HM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_HANDLES_COMMAND_LINE
                                | G_APPLICATION_NON_UNIQUE,
                       NULL);
}

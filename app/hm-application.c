/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hm-application.h"
#include "hm-window.h"

struct _HmApplication
{
  GtkApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (HmApplication, hm_application, GTK_TYPE_APPLICATION)

static void
hm_application_activate (GApplication *app)
{
  HmWindow *window = hm_window_new (GTK_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
}

static void
hm_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  for (int i = 0; i < n_files; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_file_get_path (files[i]);
      g_autoptr(HmDocument) document = NULL;
      HmWindow *window = hm_window_new (GTK_APPLICATION (app));

      if (path != NULL)
        document = hm_document_new (path, &error);
      if (document != NULL)
        hm_window_set_document (window, document);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
hm_application_class_init (HmApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = hm_application_activate;
  app_class->open = hm_application_open;
}

static void
hm_application_init (HmApplication *self)
{
}

HmApplication *
hm_application_new (void)
{
  return g_object_new (HM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}

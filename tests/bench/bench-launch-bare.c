/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The baseline of bench-launch: the smallest GTK 4 application, a
 * GtkApplicationWindow with a label, registered on the session bus like
 * hexmap. With HM_BENCH_FIRST_FRAME=FILE it writes the monotonic time of its
 * first painted frame (the frame clock's after-paint) to FILE and quits, as
 * hexmap does once its bytes are on screen.
 */
#include "config.h"

#include <gtk/gtk.h>

static void
after_paint_cb (GdkFrameClock  *clock,
                GtkApplication *app)
{
  const char *path = g_getenv ("HM_BENCH_FIRST_FRAME");
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());

  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, app);
  if (path != NULL && *path != '\0' && !g_file_set_contents (path, text, -1, NULL))
    g_printerr ("bench-launch-bare: cannot write %s\n", path);
  g_application_quit (G_APPLICATION (app));
}

static void
window_map_cb (GtkWidget      *window,
               GtkApplication *app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (after_paint_cb), app);
}

static void
activate_cb (GtkApplication *app)
{
  GtkWidget *window = gtk_application_window_new (app);

  /* hexmap's default size (the window-width and window-height keys). */
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 720);
  gtk_window_set_title (GTK_WINDOW (window), "Bare");
  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("Hello"));
  g_signal_connect (window, "map", G_CALLBACK (window_map_cb), app);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = gtk_application_new ("org.hexmap.BenchBare", G_APPLICATION_DEFAULT_FLAGS);

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}

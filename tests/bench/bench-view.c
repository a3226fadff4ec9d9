/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Benchmarks of the hex view (run under Xvfb, GSK_RENDERER=cairo):
 *
 *   frame:       CPU time (this thread) to snapshot and render one 1920x1080 frame
 *                with the cairo renderer into a texture, on a 4 KiB file and at the
 *                end of a 1 TiB sparse file: median and worst of many frames, and
 *                how many render nodes a frame has. `--frames-only` stops after this.
 *   rss:         peak RSS (VmHWM) of a child process that shows a 64 GiB sparse
 *                file, jumps to its end and pages up 1000 times rendering each page,
 *                minus the same for a 4 KiB file.
 *   first-frame: wall time from spawning a child to its first painted frame (the
 *                frame clock's after-paint), for a bare GtkWindow and for a window
 *                with the view on a 4 KiB and a 1 TiB file; median of runs.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hm-hex-view-private.h"
#include "hm-test-util.h"

#define FRAMES     300
#define RUNS       7
#define MIB        (1024.0 * 1024.0)

static const char *self_exe;

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return da < db ? -1 : da > db;
}

static HmHexView *
make_view (GtkWindow  **window,
           const char  *path,
           int          width,
           int          height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmDocument) document = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  HmHexView *view = HM_HEX_VIEW (hm_hex_view_new ());
  int min, nat;

  g_assert_no_error (error);
  *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (*window, GTK_WIDGET (view));
  hm_hex_view_set_document (view, document);
  gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_VERTICAL, width, &min, &nat, NULL, NULL);
  gtk_widget_size_allocate (GTK_WIDGET (view), &(GtkAllocation) { 0, 0, width, height }, -1);
  return view;
}

static gint64 snapshot_ns;

/* Render nodes in a frame: each costs the cairo renderer a save/restore and more. */
static guint
count_nodes (GskRenderNode *node)
{
  guint n = 1;

  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        n += count_nodes (gsk_container_node_get_child (node, i));
      break;
    case GSK_CLIP_NODE:
      n += count_nodes (gsk_clip_node_get_child (node));
      break;
    case GSK_NOT_A_RENDER_NODE:
    case GSK_CAIRO_NODE:
    case GSK_COLOR_NODE:
    case GSK_LINEAR_GRADIENT_NODE:
    case GSK_REPEATING_LINEAR_GRADIENT_NODE:
    case GSK_RADIAL_GRADIENT_NODE:
    case GSK_REPEATING_RADIAL_GRADIENT_NODE:
    case GSK_CONIC_GRADIENT_NODE:
    case GSK_BORDER_NODE:
    case GSK_TEXTURE_NODE:
    case GSK_INSET_SHADOW_NODE:
    case GSK_OUTSET_SHADOW_NODE:
    case GSK_TRANSFORM_NODE:
    case GSK_OPACITY_NODE:
    case GSK_COLOR_MATRIX_NODE:
    case GSK_REPEAT_NODE:
    case GSK_ROUNDED_CLIP_NODE:
    case GSK_SHADOW_NODE:
    case GSK_BLEND_NODE:
    case GSK_CROSS_FADE_NODE:
    case GSK_BLUR_NODE:
    case GSK_DEBUG_NODE:
    case GSK_GL_SHADER_NODE:
    case GSK_TEXT_NODE:
    default:
      break;
    }
  return n;
}

/* The nodes of one frame, counted outside the timed frames. */
static guint
frame_nodes (HmHexView *view)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  _hm_hex_view_snapshot_content (view, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  return node != NULL ? count_nodes (node) : 0;
}

static void
render_frame (HmHexView   *view,
              GskRenderer *renderer)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gint64 start = thread_cpu_ns ();

  _hm_hex_view_snapshot_content (view, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  snapshot_ns = thread_cpu_ns () - start;
  if (node != NULL)
    texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, 1920, 1080));
}

static void
frame_cost (const char *label,
            const char *path,
            gboolean    at_end,
            double     *median_out)
{
  GtkWindow *window;
  HmHexView *view = make_view (&window, path, 1920, 1080);
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GError) error = NULL;
  double times[FRAMES];
  double snapshot_times[FRAMES];
  guint64 first, last;

  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  if (at_end)
    _hm_hex_view_key_press (view, GDK_KEY_End, GDK_CONTROL_MASK);

  /* Warm up: the glyph cache, the font's own caches, the mapped window. */
  for (guint i = 0; i < 10; i++)
    render_frame (view, renderer);

  for (guint i = 0; i < FRAMES; i++)
    {
      gint64 start = thread_cpu_ns ();

      /* Nothing is cached between frames but glyphs: each frame reads and draws anew. */
      _hm_hex_view_key_press (view, (i & 1) ? GDK_KEY_Down : GDK_KEY_Up, 0);
      render_frame (view, renderer);
      times[i] = (thread_cpu_ns () - start) / 1e6;
      snapshot_times[i] = snapshot_ns / 1e6;
    }
  qsort (times, FRAMES, sizeof times[0], compare_doubles);
  qsort (snapshot_times, FRAMES, sizeof snapshot_times[0], compare_doubles);
  hm_hex_view_get_visible_range (view, &first, &last);
  printf ("%-34s %8.3f %8.3f %8.3f %6u   (%u bytes/row, %u rows, offsets 0x%" G_GINT64_MODIFIER "x-0x%"
          G_GINT64_MODIFIER "x)\n",
          label, times[FRAMES / 2], times[FRAMES - 1], snapshot_times[FRAMES / 2], frame_nodes (view),
          hm_hex_view_get_bytes_per_row (view),
          hm_hex_view_get_n_visible_rows (view), first, last);
  *median_out = times[FRAMES / 2];

  gsk_renderer_unrealize (renderer);
  gtk_window_destroy (window);
}

static gsize
vm_hwm_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmHWM:");
  return line != NULL ? (gsize) g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

static int
rss_child (const char *path,
           gboolean    scroll)
{
  GtkWindow *window;
  HmHexView *view = make_view (&window, path, 1920, 1080);
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  render_frame (view, renderer);
  if (scroll)
    {
      _hm_hex_view_key_press (view, GDK_KEY_End, GDK_CONTROL_MASK);
      render_frame (view, renderer);
      for (guint i = 0; i < 1000; i++)
        {
          _hm_hex_view_key_press (view, GDK_KEY_Page_Up, 0);
          render_frame (view, renderer);
        }
    }
  else
    {
      for (guint i = 0; i < 1001; i++)
        render_frame (view, renderer);
    }
  printf ("%" G_GSIZE_FORMAT "\n", vm_hwm_kib ());
  gsk_renderer_unrealize (renderer);
  gtk_window_destroy (window);
  return 0;
}

static gsize
spawn_rss (const char *path,
           gboolean    scroll)
{
  const char *argv[] = { self_exe, "--rss-child", path, scroll ? "scroll" : "still", NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return (gsize) g_ascii_strtoull (out, NULL, 10);
}

/* ---- First frame ---- */

static gboolean first_frame_done;
static HmHexView *first_frame_view;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  if (first_frame_done)
    return;
  if (first_frame_view != NULL && _hm_hex_view_get_frames_drawn (first_frame_view) == 0)
    return;
  first_frame_done = TRUE;
  printf ("%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
}

static void
window_map_cb (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (after_paint_cb), NULL);
}

static int
first_frame_child (const char *path)
{
  GtkWindow *window;

  gtk_init ();
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 900, 600);
  if (path != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HmDocument) document = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, &error);

      g_assert_no_error (error);
      first_frame_view = HM_HEX_VIEW (hm_hex_view_new ());
      hm_hex_view_set_document (first_frame_view, document);
      gtk_window_set_child (window, GTK_WIDGET (first_frame_view));
    }
  g_signal_connect (window, "map", G_CALLBACK (window_map_cb), NULL);
  gtk_window_present (window);
  while (!first_frame_done)
    g_main_context_iteration (NULL, TRUE);
  gtk_window_destroy (window);
  return 0;
}

static double
spawn_first_frame (const char *path)
{
  const char *argv[] = { self_exe, "--first-frame-child", path, NULL };
  double times[RUNS];

  for (guint i = 0; i < RUNS; i++)
    {
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      int status;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      times[i] = (g_ascii_strtoll (out, NULL, 10) - start) / 1000.0;
    }
  qsort (times, RUNS, sizeof times[0], compare_doubles);
  return times[RUNS / 2];
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *small = NULL;
  g_autofree char *tera = NULL;
  g_autofree char *big = NULL;
  g_autofree guint8 *random_bytes = NULL;
  double small_ms, tera_ms, bare_ms, view_small_ms, view_tera_ms;
  gsize rss_small, rss_big;
  gboolean frames_only = argc >= 2 && g_str_equal (argv[1], "--frames-only");

  self_exe = argv[0];
  if (argc == 4 && g_str_equal (argv[1], "--rss-child"))
    {
      gtk_init ();
      return rss_child (argv[2], g_str_equal (argv[3], "scroll"));
    }
  if (argc >= 2 && g_str_equal (argv[1], "--first-frame-child"))
    return first_frame_child (argc >= 3 ? argv[2] : NULL);

  gtk_init ();
  small = hm_test_write_random ("small.bin", 4096, 1, &random_bytes);
  tera = hm_test_make_sparse ("tera.bin", G_GUINT64_CONSTANT (1) << 40);
  big = hm_test_make_sparse ("big.bin", G_GUINT64_CONSTANT (64) << 30);
  /* The same random bytes at the end of the 1 TiB file: both frames show the same
   * content, so any difference comes from the file's size. */
  hm_test_pwrite (tera, (G_GUINT64_CONSTANT (1) << 40) - 4096, random_bytes, 4096);
  hm_test_pwrite (big, (G_GUINT64_CONSTANT (64) << 30) - (G_GUINT64_CONSTANT (1) << 20), "hexmap bench end", 16);

  printf ("GSK renderer for frames: cairo (gsk_cairo_renderer_new), 1920x1080, %u frames\n\n", FRAMES);
  printf ("%-34s %8s %8s %8s %6s\n", "frame cost, CPU ms", "median", "worst", "snapshot", "nodes");
  frame_cost ("4 KiB file", small, FALSE, &small_ms);
  frame_cost ("1 TiB sparse file, at its end", tera, TRUE, &tera_ms);
  printf ("%-34s %8.2f   (1 TiB / 4 KiB medians; goal: < 2 ms, ratio ~1)\n\n", "ratio", tera_ms / small_ms);
  if (frames_only)
    {
      hm_test_cleanup ();
      return 0;
    }

  rss_small = spawn_rss (small, FALSE);
  rss_big = spawn_rss (big, TRUE);
  printf ("peak RSS (VmHWM), child process showing a 1920x1080 view, 1001 frames each\n");
  printf ("%-34s %8.1f MiB\n", "4 KiB file (baseline)", rss_small / 1024.0);
  printf ("%-34s %8.1f MiB\n", "64 GiB sparse, end + 1000 PageUp", rss_big / 1024.0);
  printf ("%-34s %8.1f MiB   (goal: < 8 MiB)\n\n", "difference", ((double) rss_big - (double) rss_small) / 1024.0);

  bare_ms = spawn_first_frame (NULL);
  view_small_ms = spawn_first_frame (small);
  view_tera_ms = spawn_first_frame (tera);
  printf ("launch to first painted frame (spawn -> frame clock after-paint in the child, wall ms,\n"
          "median of %u runs, GSK_RENDERER=%s, 900x600 window)\n", RUNS,
          g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "default");
  printf ("%-34s %8.1f\n", "bare GtkWindow (baseline)", bare_ms);
  printf ("%-34s %8.1f   (+%.1f ms, ratio %.2f)\n", "view, 4 KiB file, bytes drawn", view_small_ms,
          view_small_ms - bare_ms, view_small_ms / bare_ms);
  printf ("%-34s %8.1f   (+%.1f ms, ratio %.2f; goal: within 50 ms)\n", "view, 1 TiB file, bytes drawn",
          view_tera_ms, view_tera_ms - bare_ms, view_tera_ms / bare_ms);

  hm_test_cleanup ();
  return 0;
}

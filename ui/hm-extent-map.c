/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmExtentMap: the layout of a sparse file at a glance.
 *
 * The strip is the whole file, top to bottom; each pixel row is a bucket of
 * size / height bytes. A bucket is drawn in the data colour when any of it holds
 * data (full strength when it is all data, a little lighter when partly), and a
 * lone data bucket is drawn two pixels tall, so a single 4 KiB extent in a 1 TiB
 * image still shows as a line. The buckets come from the
 * document's hole map (hm_document_get_extents(), one pass over the extents)
 * and are cached until the height, the size or the document changes. Where the
 * storage may stall (hm_document_get_may_stall(): network and FUSE mounts) the
 * extents come from hm_document_get_extents_async(): the hole map may need round
 * trips to the server the first time (SEEK_DATA/SEEK_HOLE).
 *
 * The region on screen is drawn over the buckets; clicking or dragging puts the
 * place under the pointer in the middle of the view.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hm-extent-map-private.h"
#include "hm-map-strip-private.h"

#define MIN_DATA_PX    2.0

enum
{
  COLOR_DATA,
  COLOR_HOLE,
  COLOR_VISIBLE,
  N_COLORS
};

static const HmPaletteEntry palette_names[N_COLORS] = {
  [COLOR_DATA]    = { "hm_map_data_color",    "#3584e4" },
  [COLOR_HOLE]    = { "hm_map_hole_color",    "rgba(154,153,150,0.12)" },
  [COLOR_VISIBLE] = { "hm_map_visible_color", "#241f31" },
};

struct _HmExtentMap
{
  GtkWidget      parent_instance;

  HmHexView     *view;
  HmDocument    *document;
  GSignalGroup  *adjustment_signals;   /* the view's scrollbar */
  GSignalGroup  *document_signals;
  double         drag_start_y;

  /* Buckets for (generation, n_buckets); computing while the extents are
   * fetched off the main thread, for (computing_size, _n, _generation). */
  float         *buckets;
  guint          n_buckets;
  guint          generation;
  guint          buckets_generation;
  gboolean       computing;
  guint64        computing_size;
  guint          computing_n;
  guint          computing_generation;
  GCancellable  *cancellable;

  GdkRGBA        colors[N_COLORS];
};

G_DEFINE_FINAL_TYPE (HmExtentMap, hm_extent_map, GTK_TYPE_WIDGET)

/* ---- Buckets ---- */

/* The share of data bytes in each of @n equal parts of [0, size), from the
 * extents of that range. */
static float *
compute_buckets (const GArray *extents,
                 guint64       size,
                 guint         n)
{
  float *buckets = g_new0 (float, n);
  double scale;

  if (size == 0 || n == 0)
    return buckets;

  scale = (double) n / (double) size;
  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);
      double start, end;
      guint first, last;

      if (e->is_hole || e->length == 0)
        continue;
      start = (double) e->offset * scale;
      end = (double) (e->offset + e->length) * scale;
      first = (guint) MIN (floor (start), (double) (n - 1));
      last = (guint) MIN (ceil (end) - 1.0, (double) (n - 1));
      last = MAX (last, first);
      for (guint b = first; b <= last; b++)
        {
          double overlap = MIN (end, (double) b + 1.0) - MAX (start, (double) b);

          /* Never let rounding hide a tiny extent. */
          buckets[b] += (float) MAX (overlap, 1e-9);
        }
    }
  for (guint b = 0; b < n; b++)
    buckets[b] = MIN (buckets[b], 1.0f);
  return buckets;
}

static void
extents_ready_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HmExtentMap) self = user_data;   /* the reference ensure_buckets() took */
  g_autoptr(GArray) extents = hm_document_get_extents_finish (HM_DOCUMENT (source), result, NULL);

  /* Cancelled: another document (which reset computing), or disposed. */
  if (extents == NULL)
    return;
  self->computing = FALSE;
  if (self->computing_generation != self->generation)
    {
      /* The file changed meanwhile: start over. */
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  g_free (self->buckets);
  self->buckets = compute_buckets (extents, self->computing_size, self->computing_n);
  self->n_buckets = self->computing_n;
  self->buckets_generation = self->computing_generation;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ensure_buckets (HmExtentMap *self,
                guint        n)
{
  guint64 size;

  if (self->document == NULL || n == 0)
    return;
  if (self->buckets != NULL && self->n_buckets == n && self->buckets_generation == self->generation)
    return;
  size = hm_document_get_size (self->document);

  if (!hm_document_get_may_stall (self->document))
    {
      g_autoptr(GArray) extents = size > 0 ? hm_document_get_extents (self->document, 0, size) : NULL;

      g_free (self->buckets);
      self->buckets = compute_buckets (extents, size, n);
      self->n_buckets = n;
      self->buckets_generation = self->generation;
      return;
    }

  if (!self->computing)
    {
      self->computing = TRUE;
      self->computing_size = size;
      self->computing_n = n;
      self->computing_generation = self->generation;
      hm_document_get_extents_async (self->document, 0, size, self->cancellable,
                                     extents_ready_cb, g_object_ref (self));
    }
}

static void
invalidate_buckets (HmExtentMap *self)
{
  self->generation++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- Following the view and its document ---- */

static void
view_scrolled_cb (HmExtentMap *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * _hm_extent_map_attach:
 * @self: a #HmExtentMap
 * @view: (nullable): the view to follow and scroll
 * @document: (nullable): @view's document, whose holes and data it shows
 *
 * The map shows @document's layout and @view's visible region, and scrolls
 * @view when clicked. The page attaches it once; (%NULL, %NULL) detaches it,
 * as its dispose does.
 */
void
_hm_extent_map_attach (HmExtentMap *self,
                       HmHexView   *view,
                       HmDocument  *document)
{
  g_return_if_fail (HM_IS_EXTENT_MAP (self));
  g_return_if_fail (view == NULL || HM_IS_HEX_VIEW (view));
  g_return_if_fail (document == NULL || HM_IS_DOCUMENT (document));
  g_return_if_fail ((view == NULL) == (document == NULL));

  if (self->view == view && self->document == document)
    return;
  g_set_object (&self->view, view);
  /* The adjustment announces every scroll and every resize of the view. */
  g_signal_group_set_target (self->adjustment_signals, view != NULL ? hm_hex_view_get_vadjustment (view) : NULL);

  /* Buckets of another document, or one still being computed, are no use. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->computing = FALSE;
  g_clear_pointer (&self->buckets, g_free);
  self->n_buckets = 0;
  g_set_object (&self->document, document);
  g_signal_group_set_target (self->document_signals, document);
  invalidate_buckets (self);
}

/* ---- Drawing ---- */

/* 0: hole, 1: part data, 2: all data. */
static int
bucket_class (float share)
{
  if (share <= 0.0f)
    return 0;
  return share >= 0.999f ? 2 : 1;
}

static void
hm_extent_map_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  HmExtentMap *self = HM_EXTENT_MAP (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA partial;
  guint64 size;

  if (width <= 0 || height <= 0)
    return;

  _hm_map_strip_lookup_colors (widget, palette_names, self->colors, N_COLORS);
  _hm_map_strip_append_rect (snapshot, &self->colors[COLOR_HOLE], 0, 0, width, height);
  if (self->document == NULL)
    return;

  ensure_buckets (self, (guint) height);
  partial = self->colors[COLOR_DATA];
  partial.alpha *= 0.7f;

  /* One rectangle per run of buckets of the same kind. */
  if (self->buckets != NULL && self->n_buckets > 0)
    {
      double scale = (double) height / self->n_buckets;
      guint b = 0;

      while (b < self->n_buckets)
        {
          int kind = bucket_class (self->buckets[b]);
          guint end = b + 1;

          while (end < self->n_buckets && bucket_class (self->buckets[end]) == kind)
            end++;
          if (kind > 0)
            {
              double y = b * scale;
              double h = (end - b) * scale;

              if (h < MIN_DATA_PX)
                {
                  y = CLAMP (y + h / 2 - MIN_DATA_PX / 2, 0, height - MIN_DATA_PX);
                  h = MIN_DATA_PX;
                }
              _hm_map_strip_append_rect (snapshot, kind == 2 ? &self->colors[COLOR_DATA] : &partial, 2, y, width - 3, h);
            }
          b = end;
        }
    }

  /* The region on screen, at least a few pixels tall so it can be found. */
  size = hm_document_get_size (self->document);
  _hm_map_strip_draw_visible (snapshot, self->view, size, width, height, &self->colors[COLOR_VISIBLE]);
}

/* ---- Clicking ---- */

static void
jump_to (HmExtentMap *self,
         double       y)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  guint64 size, offset, row;
  guint rows;

  if (self->view == NULL || self->document == NULL || height <= 0)
    return;
  size = hm_document_get_size (self->document);
  if (size == 0)
    return;
  offset = (guint64) (CLAMP (y / height, 0.0, 1.0) * (double) size);
  offset = MIN (offset, size - 1);
  row = offset / MAX (hm_hex_view_get_bytes_per_row (self->view), 1);
  rows = hm_hex_view_get_n_visible_rows (self->view);
  hm_hex_view_set_top_row (self->view, row > rows / 2 ? row - rows / 2 : 0);
}

static void
drag_begin_cb (HmExtentMap    *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  self->drag_start_y = y;
  jump_to (self, y);
}

static void
drag_update_cb (HmExtentMap    *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  jump_to (self, self->drag_start_y + dy);
}

/* ---- GObject ---- */

static void
hm_extent_map_dispose (GObject *object)
{
  HmExtentMap *self = HM_EXTENT_MAP (object);

  _hm_extent_map_attach (self, NULL, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->adjustment_signals);
  g_clear_object (&self->document_signals);
  G_OBJECT_CLASS (hm_extent_map_parent_class)->dispose (object);
}

static void
hm_extent_map_finalize (GObject *object)
{
  HmExtentMap *self = HM_EXTENT_MAP (object);

  g_clear_pointer (&self->buckets, g_free);
  G_OBJECT_CLASS (hm_extent_map_parent_class)->finalize (object);
}

static void
hm_extent_map_class_init (HmExtentMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hm_extent_map_dispose;
  object_class->finalize = hm_extent_map_finalize;

  widget_class->snapshot = hm_extent_map_snapshot;
  widget_class->measure = _hm_map_strip_measure;

  gtk_widget_class_set_css_name (widget_class, "extentmap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
hm_extent_map_init (HmExtentMap *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  self->cancellable = g_cancellable_new ();

  self->adjustment_signals = g_signal_group_new (GTK_TYPE_ADJUSTMENT);
  g_signal_group_connect_swapped (self->adjustment_signals, "value-changed", G_CALLBACK (view_scrolled_cb), self);
  g_signal_group_connect_swapped (self->adjustment_signals, "changed", G_CALLBACK (view_scrolled_cb), self);
  self->document_signals = g_signal_group_new (HM_TYPE_DOCUMENT);
  g_signal_group_connect_swapped (self->document_signals, "changed", G_CALLBACK (invalidate_buckets), self);
  g_signal_group_connect_swapped (self->document_signals, "notify::size", G_CALLBACK (invalidate_buckets), self);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (drag_update_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  gtk_widget_set_tooltip_text (GTK_WIDGET (self), _("Data and holes in the whole file: click to go there"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Map of data and holes"),
                                  -1);
}

GtkWidget *
hm_extent_map_new (void)
{
  return g_object_new (HM_TYPE_EXTENT_MAP, NULL);
}

HmHexView *
_hm_extent_map_get_view (HmExtentMap *self)
{
  return self->view;
}

const float *
_hm_extent_map_get_buckets (HmExtentMap *self,
                            guint       *n_buckets)
{
  if (self->buckets == NULL || self->buckets_generation != self->generation)
    {
      *n_buckets = 0;
      return NULL;
    }
  *n_buckets = self->n_buckets;
  return self->buckets;
}

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
 * Over the data it draws what the bytes are (HmEntropyMap, core/hm-entropy.c):
 * zeros, text, compressed or encrypted data, or other bytes, each in a colour
 * of its own (data/style.css), from a quick sample of the whole file first and
 * then from every byte, read in the background. A pixel row takes the class
 * that most of its data bytes have. Until a row's bytes are known it is drawn
 * in the data colour, as are rows of files the map does not read: storage that
 * may stall (network, FUSE) and the endless /dev/zero. The tooltip is the
 * legend, with the class, entropy and byte range under the pointer.
 *
 * The region on screen is drawn over the buckets; clicking or dragging puts the
 * place under the pointer in the middle of the view.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "hm-entropy.h"
#include "hm-extent-map-private.h"
#include "hm-map-strip-private.h"

#define MIN_DATA_PX    2.0

enum
{
  COLOR_DATA,
  COLOR_HOLE,
  COLOR_VISIBLE,
  COLOR_ZEROS,
  COLOR_TEXT,
  COLOR_RANDOM,
  COLOR_OTHER,
  N_COLORS
};

static const HmPaletteEntry palette_names[N_COLORS] = {
  [COLOR_DATA]    = { "hm_map_data_color",    "#3584e4" },
  [COLOR_HOLE]    = { "hm_map_hole_color",    "rgba(154,153,150,0.12)" },
  [COLOR_VISIBLE] = { "hm_map_visible_color", "#241f31" },
  [COLOR_ZEROS]   = { "hm_map_zeros_color",   "rgba(119,118,123,0.45)" },
  [COLOR_TEXT]    = { "hm_map_text_color",    "#2ec27e" },
  [COLOR_RANDOM]  = { "hm_map_random_color",  "#c061cb" },
  [COLOR_OTHER]   = { "hm_map_other_color",   "#3584e4" },
};

/* The colour of a class of bytes; holes and unknown bytes have none of their own. */
static int
class_color (HmByteClass klass)
{
  switch (klass)
    {
    case HM_BYTE_CLASS_ZEROS:
      return COLOR_ZEROS;
    case HM_BYTE_CLASS_TEXT:
      return COLOR_TEXT;
    case HM_BYTE_CLASS_RANDOM:
      return COLOR_RANDOM;
    case HM_BYTE_CLASS_OTHER:
      return COLOR_OTHER;
    case HM_BYTE_CLASS_HOLE:
      return COLOR_HOLE;
    case HM_BYTE_CLASS_UNKNOWN:
    default:
      return COLOR_DATA;
    }
}

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

  /* What the bytes are; NULL where the map does not read them. Each pixel
   * row's class and entropy, for (n_rows), until the picture changes. */
  HmEntropyMap  *entropy;
  guint8        *row_classes;
  float         *row_entropy;
  guint          n_rows;
  gboolean       rows_valid;

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

/* ---- Classes ---- */

/* The class most of the data bytes of [start, end) have, and their mean
 * entropy; %HM_BYTE_CLASS_UNKNOWN when none are known. */
static HmByteClass
range_class (HmEntropyMap *entropy,
             guint64       start,
             guint64       end,
             float        *mean_entropy)
{
  guint n = 0;
  const HmEntropyBucket *buckets = hm_entropy_map_get_buckets (entropy, &n);
  guint64 bs = hm_entropy_map_get_bucket_size (entropy);
  double weight[HM_BYTE_CLASS_N] = { 0 };
  double entropy_sum = 0.0, total = 0.0, best = 0.0;
  HmByteClass klass = HM_BYTE_CLASS_UNKNOWN;
  guint first, last;

  *mean_entropy = 0.0f;
  if (n == 0 || bs == 0 || end <= start)
    return HM_BYTE_CLASS_UNKNOWN;
  first = (guint) MIN (start / bs, (guint64) n - 1);
  last = (guint) MIN ((end - 1) / bs, (guint64) n - 1);
  for (guint i = first; i <= last; i++)
    {
      const HmEntropyBucket *b = &buckets[i];
      guint64 b_start = (guint64) i * bs;
      double overlap = (double) (MIN (end, b_start + bs) - MAX (start, b_start));
      double w = overlap * MAX (b->data_share, 1e-6f);

      if (b->klass == HM_BYTE_CLASS_UNKNOWN || b->klass >= HM_BYTE_CLASS_N)
        continue;
      weight[b->klass] += b->klass == HM_BYTE_CLASS_HOLE ? overlap * 1e-9 : w;
      if (b->klass != HM_BYTE_CLASS_HOLE)
        {
          entropy_sum += w * b->entropy;
          total += w;
        }
    }
  for (int k = 0; k < HM_BYTE_CLASS_N; k++)
    if (weight[k] > best)
      {
        best = weight[k];
        klass = k;
      }
  if (total > 0.0)
    *mean_entropy = (float) (entropy_sum / total);
  return klass;
}

static void
ensure_rows (HmExtentMap *self,
             guint        n)
{
  guint64 size;

  if (self->entropy == NULL || n == 0)
    return;
  if (self->rows_valid && self->n_rows == n)
    return;
  size = hm_document_get_size (self->document);
  self->row_classes = g_renew (guint8, self->row_classes, n);
  self->row_entropy = g_renew (float, self->row_entropy, n);
  self->n_rows = n;
  for (guint y = 0; y < n; y++)
    {
      guint64 start = (guint64) ((double) y / n * (double) size);
      guint64 end = (guint64) ((double) (y + 1) / n * (double) size);

      self->row_classes[y] = (guint8) range_class (self->entropy, start, MAX (end, start + 1),
                                                   &self->row_entropy[y]);
    }
  self->rows_valid = TRUE;
}

static void
entropy_updated_cb (HmExtentMap *self)
{
  self->rows_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_entropy (HmExtentMap  *self,
             HmDocument   *document)
{
  if (self->entropy != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->entropy, self);
      hm_entropy_map_stop (self->entropy);
      g_clear_object (&self->entropy);
    }
  self->rows_valid = FALSE;
  /* Storage that may stall is not read for a picture (each sample is a round
   * trip), nor is the endless /dev/zero. */
  if (document == NULL || hm_document_get_may_stall (document) ||
      hm_document_get_kind (document) == HM_FILE_KIND_ZERO_DEVICE)
    return;
  self->entropy = hm_entropy_map_new (document);
  g_signal_connect_object (self->entropy, "updated", G_CALLBACK (entropy_updated_cb), self, G_CONNECT_SWAPPED);
  hm_entropy_map_start (self->entropy, TRUE);
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
  set_entropy (self, document);
  invalidate_buckets (self);
}

/* ---- Drawing ---- */

/* Pixel rows [y0, y1) of data, one rectangle per run of one class; a row the
 * picture does not know yet in the data colour, a partly hole run lighter. */
static void
draw_classes (HmExtentMap *self,
              GtkSnapshot *snapshot,
              guint        y0,
              guint        y1,
              int          width,
              gboolean     full)
{
  HmByteClass near = HM_BYTE_CLASS_UNKNOWN;

  y1 = MIN (y1, self->n_rows);
  /* A run drawn taller than its data (a lone extent is two pixels at least)
   * takes the class of its data into the rows of hole around it. */
  for (guint y = y0; y < y1 && near == HM_BYTE_CLASS_UNKNOWN; y++)
    if (self->row_classes[y] != HM_BYTE_CLASS_HOLE)
      near = self->row_classes[y];
  while (y0 < y1)
    {
      HmByteClass klass = self->row_classes[y0] == HM_BYTE_CLASS_HOLE ? near : self->row_classes[y0];
      guint end = y0 + 1;
      GdkRGBA rgba;

      near = klass;
      while (end < y1 && (self->row_classes[end] == klass || self->row_classes[end] == HM_BYTE_CLASS_HOLE))
        end++;
      rgba = self->colors[class_color (klass)];
      if (!full)
        rgba.alpha *= 0.7f;
      /* Not known yet: fainter, so that it is not taken for "other". */
      if (klass == HM_BYTE_CLASS_UNKNOWN)
        rgba.alpha *= 0.5f;
      _hm_map_strip_append_rect (snapshot, &rgba, 2, y0, width - 3, end - y0);
      y0 = end;
    }
}

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
  ensure_rows (self, (guint) height);
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
              if (self->entropy != NULL && self->rows_valid)
                draw_classes (self, snapshot, (guint) floor (y), (guint) ceil (y + h), width, kind == 2);
              else
                _hm_map_strip_append_rect (snapshot, kind == 2 ? &self->colors[COLOR_DATA] : &partial, 2, y, width - 3,
                                           h);
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

/* ---- The legend ---- */

static void
append_swatch (GString       *markup,
               const GdkRGBA *color,
               const char    *label)
{
  g_autofree char *escaped = g_markup_escape_text (label, -1);

  /* A square of the colour, as drawn (holes are faint by design, so their
   * swatch is at least half strength to be seen in a tooltip). */
  g_string_append_printf (markup, "<span foreground=\"#%02x%02x%02x\" fgalpha=\"%d%%\">\u25a0</span> %s\n",
                          (int) (CLAMP (color->red, 0, 1) * 255 + 0.5),
                          (int) (CLAMP (color->green, 0, 1) * 255 + 0.5),
                          (int) (CLAMP (color->blue, 0, 1) * 255 + 0.5),
                          (int) (MAX (color->alpha, 0.5f) * 100 + 0.5), escaped);
}

/* The tooltip: the legend, then what lies at @y pixels down the strip. */
char *
_hm_extent_map_describe (HmExtentMap *self,
                         double       y)
{
  static const HmByteClass legend[] = {
    HM_BYTE_CLASS_ZEROS, HM_BYTE_CLASS_TEXT, HM_BYTE_CLASS_RANDOM, HM_BYTE_CLASS_OTHER, HM_BYTE_CLASS_HOLE,
  };
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  GString *markup = g_string_new (NULL);
  g_autofree char *title = g_markup_escape_text (_("The whole file: click to go there"), -1);
  guint64 size, start, end;
  guint row;

  _hm_map_strip_lookup_colors (GTK_WIDGET (self), palette_names, self->colors, N_COLORS);
  g_string_append_printf (markup, "<b>%s</b>\n", title);
  for (guint i = 0; i < G_N_ELEMENTS (legend); i++)
    append_swatch (markup, &self->colors[class_color (legend[i])], hm_byte_class_get_label (legend[i]));

  if (self->document == NULL || height <= 0 || (size = hm_document_get_size (self->document)) == 0)
    {
      g_string_truncate (markup, markup->len - 1);
      return g_string_free (markup, FALSE);
    }
  row = (guint) CLAMP (y, 0, height - 1);
  start = (guint64) ((double) row / height * (double) size);
  end = MAX ((guint64) ((double) (row + 1) / height * (double) size), start + 1);
  end = MIN (end, size);

  g_string_append_c (markup, '\n');
  if (self->buckets != NULL && row < self->n_buckets && self->buckets[row] <= 0.0f)
    {
      g_autofree char *here = g_markup_escape_text (hm_byte_class_get_label (HM_BYTE_CLASS_HOLE), -1);

      g_string_append_printf (markup, "%s\n", here);
    }
  else if (self->entropy != NULL)
    {
      float entropy = 0.0f;
      HmByteClass klass = range_class (self->entropy, start, end, &entropy);
      g_autofree char *here = g_markup_escape_text (hm_byte_class_get_label (klass), -1);

      if (klass == HM_BYTE_CLASS_UNKNOWN || klass == HM_BYTE_CLASS_HOLE)
        g_string_append_printf (markup, "%s\n", here);
      else
        /* Translators: a class of bytes, then their Shannon entropy */
        g_string_append_printf (markup, _("%s, entropy %.2f bits per byte\n"), here, entropy);
    }
  g_string_append_printf (markup, "0x%" G_GINT64_MODIFIER "x – 0x%" G_GINT64_MODIFIER "x", start, end - 1);
  if (self->entropy != NULL && !hm_entropy_map_get_refined (self->entropy))
    {
      g_string_append_c (markup, '\n');
      g_string_append_printf (markup, hm_entropy_map_get_sampled (self->entropy)
                              /* Translators: the share of the file read in full so far */
                              ? _("From samples; reading every byte: %.0f%%")
                              : _("Sampling the file…"),
                              hm_entropy_map_get_progress (self->entropy) * 100.0);
    }
  return g_string_free (markup, FALSE);
}

static gboolean
query_tooltip_cb (HmExtentMap *self,
                  int          x,
                  int          y,
                  gboolean     keyboard_mode,
                  GtkTooltip  *tooltip)
{
  g_autofree char *markup = _hm_extent_map_describe (self, keyboard_mode
                                                     ? gtk_widget_get_height (GTK_WIDGET (self)) / 2.0 : y);

  gtk_tooltip_set_markup (tooltip, markup);
  return TRUE;
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
  g_clear_pointer (&self->row_classes, g_free);
  g_clear_pointer (&self->row_entropy, g_free);
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

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Map of the file: zeros, text, compressed data, "
                                                                    "other data and holes"),
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

HmEntropyMap *
_hm_extent_map_get_entropy (HmExtentMap *self)
{
  return self->entropy;
}

const guint8 *
_hm_extent_map_get_row_classes (HmExtentMap *self,
                                guint       *n_rows)
{
  if (self->entropy == NULL || !self->rows_valid)
    {
      *n_rows = 0;
      return NULL;
    }
  *n_rows = self->n_rows;
  return self->row_classes;
}

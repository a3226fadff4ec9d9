/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmCompareMap: the differences of a compare at a glance, like the hole map
 * (hm-extent-map.c) beside the scrollbar.
 *
 * The strip is the whole file, top to bottom; a pixel row is marked when any
 * differing run of the compare touches its share of the file. The marks are
 * computed in one pass over the sorted runs (shared with the compare, which
 * appends to them as results stream in) and cached until the runs, the size
 * or the height change; a lone mark is drawn two pixels tall so that one byte
 * in a huge file still shows. The region on screen is drawn over them.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "hm-compare-map.h"
#include "hm-map-strip-private.h"

#define MIN_MARK_PX 2.0

enum
{
  COLOR_BACKGROUND,
  COLOR_DIFFERENCE,
  COLOR_VISIBLE,
  N_COLORS
};

static const HmPaletteEntry palette_names[N_COLORS] = {
  [COLOR_BACKGROUND] = { "hm_map_hole_color",       "rgba(154,153,150,0.12)" },
  [COLOR_DIFFERENCE] = { "hm_map_difference_color", "#e01b24" },
  [COLOR_VISIBLE]    = { "hm_map_visible_color",    "#241f31" },
};

enum
{
  SIGNAL_JUMP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _HmCompareMap
{
  GtkWidget     parent_instance;

  HmHexView    *view;
  HmDocument   *document;
  GArray       *ranges;     /* HmRange, sorted, shared with the compare */
  GSignalGroup *adjustment_signals;

  guint8       *marks;
  guint         n_marks;
  gboolean      marks_valid;
  guint64       marks_size;

  GdkRGBA       colors[N_COLORS];
};

G_DEFINE_FINAL_TYPE (HmCompareMap, hm_compare_map, GTK_TYPE_WIDGET)

/* ---- Marks ---- */

static void
ensure_marks (HmCompareMap *self,
              guint         n)
{
  guint64 size;
  double scale;

  size = self->document != NULL ? hm_document_get_size (self->document) : 0;
  if (self->marks_valid && self->n_marks == n && self->marks_size == size)
    return;
  g_free (self->marks);
  self->marks = g_new0 (guint8, n);
  self->n_marks = n;
  self->marks_size = size;
  self->marks_valid = TRUE;
  if (size == 0 || n == 0 || self->ranges == NULL)
    return;

  scale = (double) n / (double) size;
  for (guint i = 0; i < self->ranges->len; i++)
    {
      const HmRange *r = &g_array_index (self->ranges, HmRange, i);
      guint first, last;

      if (r->length == 0 || r->offset >= size)
        continue;
      first = (guint) MIN (floor ((double) r->offset * scale), (double) (n - 1));
      last = (guint) MIN (floor ((double) (MIN (r->offset + r->length, size) - 1) * scale), (double) (n - 1));
      memset (self->marks + first, 1, last - first + 1);
    }
}

/**
 * hm_compare_map_invalidate:
 * @self: a #HmCompareMap
 *
 * The runs changed (more arrived, or a region was compared again): draw anew.
 */
void
hm_compare_map_invalidate (HmCompareMap *self)
{
  g_return_if_fail (HM_IS_COMPARE_MAP (self));

  self->marks_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * hm_compare_map_attach:
 * @self: a #HmCompareMap
 * @view: (nullable): the view whose visible region it shows
 * @document: (nullable): @view's document
 * @ranges: (nullable) (element-type HmRange): the differing runs in
 *   @document, sorted; the map keeps a reference and reads it at each draw
 *
 * (%NULL, %NULL, %NULL) detaches, as dispose does.
 */
void
hm_compare_map_attach (HmCompareMap *self,
                       HmHexView    *view,
                       HmDocument   *document,
                       GArray       *ranges)
{
  g_return_if_fail (HM_IS_COMPARE_MAP (self));

  g_set_object (&self->view, view);
  g_set_object (&self->document, document);
  if (ranges != NULL)
    g_array_ref (ranges);
  g_clear_pointer (&self->ranges, g_array_unref);
  self->ranges = ranges;
  g_signal_group_set_target (self->adjustment_signals, view != NULL ? hm_hex_view_get_vadjustment (view) : NULL);
  hm_compare_map_invalidate (self);
}

/* ---- Drawing ---- */

static void
hm_compare_map_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  HmCompareMap *self = HM_COMPARE_MAP (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  guint64 size;
  guint b = 0;

  if (width <= 0 || height <= 0)
    return;

  _hm_map_strip_lookup_colors (widget, palette_names, self->colors, N_COLORS);
  _hm_map_strip_append_rect (snapshot, &self->colors[COLOR_BACKGROUND], 0, 0, width, height);
  if (self->document == NULL)
    return;

  ensure_marks (self, (guint) height);
  while (b < self->n_marks)
    {
      guint end = b + 1;

      if (!self->marks[b])
        {
          b++;
          continue;
        }
      while (end < self->n_marks && self->marks[end])
        end++;
      {
        double y = b, h = end - b;

        if (h < MIN_MARK_PX)
          {
            y = CLAMP (y + h / 2 - MIN_MARK_PX / 2, 0, height - MIN_MARK_PX);
            h = MIN_MARK_PX;
          }
        _hm_map_strip_append_rect (snapshot, &self->colors[COLOR_DIFFERENCE], 2, y, width - 3, h);
      }
      b = end;
    }

  size = hm_document_get_size (self->document);
  _hm_map_strip_draw_visible (snapshot, self->view, size, width, height, &self->colors[COLOR_VISIBLE]);
}

/* ---- Clicking ---- */

/**
 * hm_compare_map_offset_at:
 * @self: a #HmCompareMap
 * @y: a position in the map
 *
 * Returns: the first byte of the differing run nearest to the part of the
 *   file at @y, or the offset at @y when there is none
 */
guint64
hm_compare_map_offset_at (HmCompareMap *self,
                          double        y)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  guint64 size, offset;
  guint lo;

  g_return_val_if_fail (HM_IS_COMPARE_MAP (self), 0);

  size = self->document != NULL ? hm_document_get_size (self->document) : 0;
  if (size == 0 || height <= 0)
    return 0;
  offset = MIN ((guint64) (CLAMP (y / height, 0.0, 1.0) * (double) size), size - 1);
  if (self->ranges == NULL || self->ranges->len == 0)
    return offset;

  /* The first run that ends after @offset, or the one before it if nearer. */
  lo = hm_ranges_find_end_after (self->ranges, offset);
  if (lo == self->ranges->len)
    return g_array_index (self->ranges, HmRange, lo - 1).offset;
  {
    const HmRange *next = &g_array_index (self->ranges, HmRange, lo);

    if (lo > 0 && next->offset > offset)
      {
        const HmRange *prev = &g_array_index (self->ranges, HmRange, lo - 1);

        if (offset - (prev->offset + prev->length - 1) < next->offset - offset)
          return prev->offset;
      }
    return next->offset;
  }
}

static void
click_pressed_cb (HmCompareMap *self,
                  int           n_press,
                  double        x,
                  double        y,
                  GtkGesture   *gesture)
{
  if (self->document == NULL || hm_document_get_size (self->document) == 0)
    return;
  g_signal_emit (self, signals[SIGNAL_JUMP], 0, hm_compare_map_offset_at (self, y));
}

static void
view_scrolled_cb (HmCompareMap *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- GObject ---- */

static void
hm_compare_map_dispose (GObject *object)
{
  HmCompareMap *self = HM_COMPARE_MAP (object);

  if (self->adjustment_signals != NULL)
    hm_compare_map_attach (self, NULL, NULL, NULL);
  g_clear_object (&self->adjustment_signals);
  G_OBJECT_CLASS (hm_compare_map_parent_class)->dispose (object);
}

static void
hm_compare_map_finalize (GObject *object)
{
  HmCompareMap *self = HM_COMPARE_MAP (object);

  g_free (self->marks);
  G_OBJECT_CLASS (hm_compare_map_parent_class)->finalize (object);
}

static void
hm_compare_map_class_init (HmCompareMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hm_compare_map_dispose;
  object_class->finalize = hm_compare_map_finalize;
  widget_class->snapshot = hm_compare_map_snapshot;
  widget_class->measure = _hm_map_strip_measure;

  signals[SIGNAL_JUMP] =
    g_signal_new ("jump", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT64);

  gtk_widget_class_set_css_name (widget_class, "comparemap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
hm_compare_map_init (HmCompareMap *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->adjustment_signals = g_signal_group_new (GTK_TYPE_ADJUSTMENT);
  g_signal_group_connect_swapped (self->adjustment_signals, "value-changed", G_CALLBACK (view_scrolled_cb), self);
  g_signal_group_connect_swapped (self->adjustment_signals, "changed", G_CALLBACK (view_scrolled_cb), self);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (click, "pressed", G_CALLBACK (click_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  gtk_widget_set_tooltip_text (GTK_WIDGET (self), _("Differences in the whole file: click to go to one"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Map of the differences"),
                                  -1);
}

GtkWidget *
hm_compare_map_new (void)
{
  return g_object_new (HM_TYPE_COMPARE_MAP, NULL);
}

/**
 * hm_compare_map_get_marks:
 * @self: a #HmCompareMap
 * @n_rows: (out): the number of pixel rows
 *
 * For tests: one byte per pixel row of the map, top first, nonzero where a
 * difference is, as last drawn (computed now if out of date).
 */
const guint8 *
hm_compare_map_get_marks (HmCompareMap *self,
                          guint        *n_rows)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_val_if_fail (HM_IS_COMPARE_MAP (self), NULL);

  ensure_marks (self, (guint) MAX (height, 0));
  *n_rows = self->n_marks;
  return self->marks;
}

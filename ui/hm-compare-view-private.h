/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-compare-view.h"

G_BEGIN_DECLS

/* What the results of a running compare pass through: the compare's thread
 * appends, the main thread takes them in batches. Reference-counted, since
 * the thread may outlive the view by the time a cancel takes. */
typedef struct
{
  gatomicrefcount ref;
  GMutex          lock;
  GArray         *incoming;     /* HmHunk */
  guint64         done;
  guint64         total;
  HmCompareMode   mode;
  guint64         size_a;
  guint64         size_b;
} HmCompareStream;

/* Shared by hm-compare-view.c (the widget, scrolling, moving between
 * differences, copying) and hm-compare-view-run.c (running the compare and
 * taking in its results). */
struct _HmCompareView
{
  GtkWidget        parent_instance;

  HmHexView       *view_a;
  HmDocument      *doc_a;
  HmHexView       *view_b;
  HmDocument      *doc_b;
  guint64          size_b;      /* B's size as our own edits left it: a smaller one is a truncation */
  HmCompareMap    *map_a;
  HmCompareMap    *map_b;
  GSettings       *settings;

  /* The bar above both views. */
  GtkWidget       *bar;
  GtkLabel        *name_label;
  GtkDropDown     *mode_b_drop;
  GtkDropDown     *kind_drop;
  GtkWidget       *save_b_button;
  GtkWidget       *progress_bar;
  GtkLabel        *message_label;

  HmCompareMode    mode;
  gsize            max_memory;  /* for tests; 0: core's default */
  /* The results: every hunk in order (byte for byte, a run is a hunk at the
   * same offset on both sides), and the differing bytes of each side for the
   * views and the maps (shared with them, sorted, no empty ranges). */
  GArray          *hunks;
  GArray          *ranges_a;
  GArray          *ranges_b;
  gint64           current;     /* the difference the user went to, or -1 */
  char            *status;
  char            *message;
  guint64          n_unaligned;

  /* The compare in progress. */
  gboolean         running;
  guint            generation;
  GCancellable    *cancellable;
  HmCompareStream *stream;
  guint            drain_source;

  /* Edits while compared: what to compare again, from an idle. */
  guint            refresh_source;
  gboolean         refresh_all;
  guint64          dirty_start;
  guint64          dirty_end;

  gboolean         syncing;
  gboolean         updating_mode;
  GtkWindow       *fault_dialog;
  GCancellable    *save_cancellable;
};

/* hm-compare-view-run.c */
void             _hm_compare_view_start        (HmCompareView *self);
void             _hm_compare_view_cancel       (HmCompareView *self);
void             _hm_compare_view_doc_changed  (HmCompareView *self,
                                                guint64        offset,
                                                guint64        length,
                                                HmDocument    *document);
void             _hm_compare_view_size_changed (HmCompareView *self);
void             _hm_compare_view_b_size_changed (HmCompareView *self);
void             _hm_compare_view_b_content_changed (HmCompareView *self,
                                                     guint64        offset,
                                                     guint64        removed,
                                                     guint64        added);
void             _hm_compare_view_rebuild      (HmCompareView *self);

/* For tests: a smaller memory bound for the insertion-aware compare (it
 * applies from the next compare). */
void             _hm_compare_view_set_max_memory (HmCompareView *self,
                                                  gsize          max_memory);

/* hm-compare-view.c */
void             _hm_compare_view_update_status (HmCompareView *self);
void             _hm_compare_view_set_message   (HmCompareView *self,
                                                 const char    *message);
void             _hm_compare_view_show_fault    (HmCompareView *self,
                                                 const GError  *error);
void             _hm_compare_view_results_changed (HmCompareView *self);

G_END_DECLS

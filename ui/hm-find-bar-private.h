/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-find-bar.h"
#include "hm-find-result.h"
#include "hm-hex-view.h"
#include "hm-pattern.h"

G_BEGIN_DECLS

/* One search in a worker (hm-find-bar-job.c), opaque outside that file. */
typedef struct _HmFindJob HmFindJob;

typedef enum
{
  HM_FIND_JOB_FIND,
  HM_FIND_JOB_FIND_ALL,
  HM_FIND_JOB_REPLACE_ALL,
} HmFindJobKind;

/* The instance struct is shared by the files that implement HmFindBar (see the
 * top of hm-find-bar.c): hm-find-bar.c, hm-find-bar-job.c,
 * hm-find-bar-results.c and hm-find-bar-replace.c. */
struct _HmFindBar
{
  GtkWidget       parent_instance;
  GThread        *thread;         /* the GTK thread */

  HmHexView      *view;
  HmDocument     *document;
  gulong          changed_id;     /* blocked while Replace All writes */
  gulong          content_changed_id;

  /* Template children. */
  GtkRevealer    *revealer;
  GtkDropDown    *mode_dropdown;
  GtkSearchEntry *entry;
  GtkButton      *previous_button;
  GtkButton      *next_button;
  GtkButton      *find_all_button;
  GtkToggleButton *replace_toggle;
  GtkToggleButton *options_toggle;
  GtkEntry       *replace_entry;
  GtkButton      *replace_button;
  GtkButton      *replace_all_button;
  GtkWidget      *text_options;
  GtkCheckButton *case_check;
  GtkDropDown    *encoding_dropdown;
  GtkCheckButton *backward_check;
  GtkCheckButton *wrap_check;
  GtkCheckButton *skip_check;
  GtkWidget      *status_box;
  GtkLabel       *message_label;
  GtkStack       *status_stack;
  GtkProgressBar *progress_bar;
  GtkButton      *cancel_button;
  GtkButton      *as_text_button;
  GtkLabel       *position_label;
  GtkRevealer    *results_revealer;
  GtkListView    *results_view;

  /* Options. */
  gboolean        revealed;
  gboolean        text_mode;
  gboolean        ignore_case;
  guint           encoding;
  gboolean        backward;
  gboolean        wrap;
  gboolean        skip_faults;
  guint           max_results;

  /* The parsed pattern, or the reason there is none. */
  HmPattern      *pattern;
  char           *pattern_error;
  char           *message;
  gboolean        message_is_error;
  gboolean        busy;            /* progress and Cancel are shown */
  gboolean        replace_error;   /* the message is about the replacement */
  gboolean        offer_text;      /* hex did not parse, but it is text: offer "Search as Text" */

  /* The running search. */
  HmFindJob      *job;
  guint           progress_id;

  /* Find All results: HmFindResult in file order, and the matches as HmRange. */
  GListStore     *results;
  HmPattern      *results_pattern;
  GArray         *highlights;
  guint           n_listed;
  gboolean        results_more;    /* Find All stopped at max-results */
  guint           keep_visible_id; /* tick on the view once the list is shown */
  gint64          keep_visible_frame;
  guint           generation;      /* bumped when the results are cleared */

  /* Slow storage: previews and checks for the worker (see hm-find-bar-results.c). */
  GHashTable     *bound;           /* HmFindResult -> GtkListItem showing it */
  GPtrArray      *wanted;          /* HmFindResult, queued */
  GPtrArray      *reading;         /* HmFindResult, in flight; NULL if none */
  GArray         *reading_checks;  /* gboolean per reading: a check, not just a preview */
  guint           read_generation;
  GCancellable   *read_cancellable;

  /* Replace All, applying its matches. */
  GArray         *replace_offsets;
  guint           replace_index;
  guint           replace_count;
  guint64         replace_end;
  gint64          replace_shift;  /* what earlier replacements of another length moved the rest by */
  gboolean        replace_grouped; /* Replace All's edits are one undo step, open until it ends */
  gboolean        replace_more;
  HmPattern      *replacement;
  guint           replace_id;
};

/* hm-find-bar.c: the widget */
void          _hm_find_bar_attach                 (HmFindBar     *self,
                                                   HmHexView     *view,
                                                   HmDocument    *document);
void          _hm_find_bar_set_message            (HmFindBar     *self,
                                                   const char    *message,
                                                   gboolean       is_error);
void          _hm_find_bar_show_busy              (HmFindBar     *self,
                                                   gboolean       busy);
void          _hm_find_bar_report_error           (HmFindBar     *self,
                                                   const char    *what,
                                                   const GError  *error);
void          _hm_find_bar_emit_fault             (HmFindBar     *self,
                                                   const GError  *error);
char         *_hm_find_bar_describe_pattern_error (const char    *text,
                                                   guint          column,
                                                   const GError  *error);
void          _hm_find_bar_select_match           (HmFindBar     *self,
                                                   guint64        offset,
                                                   guint64        length);
void          _hm_find_bar_update_position        (HmFindBar     *self);
gboolean      _hm_find_bar_check_ready            (HmFindBar     *self);

/* hm-find-bar-job.c: searches in a worker */
void          _hm_find_bar_start_search           (HmFindBar     *self,
                                                   HmFindJobKind  kind,
                                                   guint64        start,
                                                   gboolean       backward);
void          _hm_find_bar_drop_job               (HmFindBar     *self);
guint64       _hm_find_bar_search_start           (HmFindBar     *self,
                                                   gboolean       backward);

/* hm-find-bar-results.c: the Find All list and the highlights */
void          _hm_find_bar_results_init           (HmFindBar     *self);
void          _hm_find_bar_apply_highlights       (HmFindBar     *self);
void          _hm_find_bar_clear_results          (HmFindBar     *self);
void          _hm_find_bar_cancel_keep_visible    (HmFindBar     *self);
void          _hm_find_bar_content_changed_cb     (HmFindBar     *self,
                                                   guint64        offset,
                                                   guint64        removed,
                                                   guint64        added,
                                                   HmDocument    *document);
void          _hm_find_bar_document_changed_cb    (HmFindBar     *self,
                                                   guint64        offset,
                                                   guint64        length,
                                                   HmDocument    *document);

/* hm-find-bar-replace.c: Replace and Replace All */
void          _hm_find_bar_stop_replace_all       (HmFindBar     *self);
HmPattern    *_hm_find_bar_parse_replacement      (HmFindBar     *self);
gboolean      _hm_find_bar_replace_step_cb        (gpointer       user_data);

/* For tests: the widgets a user types into, the message line, and the Find All
 * results (a list of HmFindResult, in file order). */

GtkEditable  *_hm_find_bar_get_entry           (HmFindBar    *self);
GtkEditable  *_hm_find_bar_get_replace_entry   (HmFindBar    *self);
const char   *_hm_find_bar_get_message         (HmFindBar    *self);
const char   *_hm_find_bar_get_position        (HmFindBar    *self);
GtkWidget    *_hm_find_bar_get_as_text_button  (HmFindBar    *self);
GtkWidget    *_hm_find_bar_get_replace_row     (HmFindBar    *self);
gboolean      _hm_find_bar_get_message_is_error (HmFindBar   *self);
GListModel   *_hm_find_bar_get_results         (HmFindBar    *self);
void          _hm_find_bar_activate_result     (HmFindBar    *self,
                                                guint         position);
const char   *_hm_find_bar_get_preview         (HmFindBar    *self,
                                                guint         position);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmFindBar: find and replace over the document of a HmHexView.
 *
 * Searching. Every search is a HmSearch run in a worker thread (a "job"). The
 * bar keeps one job at a time: starting another, hiding the bar or changing the
 * document cancels it and drops it, and a dropped job's late results are
 * ignored. The worker never touches the bar: matches, unreadable ranges and
 * progress go into the job under its lock, and an idle on the main thread moves
 * them into the results list in batches, so rows appear while a long Find All
 * runs. Progress and a Cancel button appear once a search has run for a moment.
 *
 *   - Find next/previous: a search for one match from just after (before) the
 *     selection, optionally wrapping; the match becomes the selection.
 *   - Find All: the whole file, in file order, up to "max-results" matches (one
 *     more is asked for, to tell whether there are more); the matches are
 *     listed and highlighted in the view. In skip mode unreadable ranges are
 *     listed too.
 *   - Replace: replaces the selection when it is a match, then finds the next.
 *   - Replace All: finds up to HM_SEARCH_STORE_LIMIT matches, then overwrites
 *     them in batches from an idle (with progress), skipping matches that
 *     overlap one already replaced.
 *
 * Replacements are same-length overwrites through hm_document_write(), so they
 * are undoable. In hex, `??` in the replacement keeps the original byte (and
 * `4?` the low nibble). The editing engine has no compound undo step, so Replace
 * All makes one undo step per replaced match; Discard reverts them all at once.
 *
 * Matches listed by Find All can go stale when the document changes: those
 * that overlap a changed range are checked again, and leave the list and the
 * highlights if they no longer match.
 *
 * Slow storage. On a network or FUSE mount a read may wait for a server, or
 * forever, so there the bar reads nothing on the main thread: the preview of a
 * row shown and the check of a match after a change are queued, and a worker
 * (hm-panel-read.c) reads them a batch at a time, at most one batch in flight.
 * A row shows "…" until its bytes arrive; a match stays listed until its check
 * comes back (then its preview shows the new bytes). New results (Find All,
 * another document) drop what the worker read for the old ones. Local files
 * are read at once: they are mapped and answer in microseconds.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "hm-fault.h"
#include "hm-find-bar-private.h"
#include "hm-find-result-private.h"
#include "hm-panel-read.h"
#include "hm-search.h"

#define DEFAULT_MAX_RESULTS  10000
#define PROGRESS_INTERVAL_MS 100
#define REPLACE_BATCH        256
#define PREVIEW_BYTES        16
#define READ_BATCH           64
#define LOADING_TEXT         "…"

/* ---- Jobs: one search in a worker ---- */

typedef enum
{
  JOB_FIND,
  JOB_FIND_ALL,
  JOB_REPLACE_ALL,
} JobKind;

typedef struct
{
  gatomicrefcount  ref_count;
  JobKind          kind;
  HmFindBar       *bar;          /* main thread only; NULL once the bar dropped the job */
  HmSearch        *search;
  GCancellable    *cancellable;
  guint64          start;
  gsize            length;       /* of the pattern searched for */
  gboolean         backward;

  GMutex           lock;         /* the rest is shared with the worker */
  GArray          *matches;      /* guint64, not yet listed */
  GArray          *faults;       /* HmRange, not yet listed */
  gboolean         flush_queued;
  GError          *truncated;    /* skip mode: the file shrank (that is not skipped quietly) */
  guint64          done;
  guint64          total;
} Job;

static Job *
job_ref (Job *job)
{
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

static void
job_unref (Job *job)
{
  if (!g_atomic_ref_count_dec (&job->ref_count))
    return;
  g_clear_object (&job->search);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->matches, g_array_unref);
  g_clear_pointer (&job->faults, g_array_unref);
  g_clear_error (&job->truncated);
  g_mutex_clear (&job->lock);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_unref)

struct _HmFindBar
{
  GtkWidget       parent_instance;
  GThread        *thread;         /* the GTK thread */

  HmHexView      *view;
  gulong          view_document_id;
  HmDocument     *document;
  gulong          changed_id;

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
  GtkProgressBar *progress_bar;
  GtkButton      *cancel_button;
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

  /* The running search. */
  Job            *job;
  guint           progress_id;

  /* Find All results: HmFindResult in file order, and the matches as HmRange. */
  GListStore     *results;
  HmPattern      *results_pattern;
  GArray         *highlights;
  guint           n_listed;
  guint           generation;      /* bumped when the results are cleared */

  /* Slow storage: previews and checks for the worker (see the top of the file). */
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
  gboolean        replace_more;
  HmPattern      *replacement;
  guint           replace_id;
};

G_DEFINE_FINAL_TYPE (HmFindBar, hm_find_bar, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_VIEW,
  PROP_REVEALED,
  PROP_PATTERN,
  PROP_TEXT_MODE,
  PROP_IGNORE_CASE,
  PROP_ENCODING,
  PROP_BACKWARD,
  PROP_WRAP,
  PROP_SKIP_FAULTS,
  PROP_MAX_RESULTS,
  N_PROPS
};

enum
{
  SIGNAL_FAULT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_search (HmFindBar *self,
                          JobKind    kind,
                          guint64    start,
                          gboolean   backward);
static void queue_read   (HmFindBar    *self,
                          HmFindResult *result,
                          gboolean      check);
static void read_next    (HmFindBar *self);

/* ---- Messages ---- */

static void
update_status_box (HmFindBar *self)
{
  gboolean busy = gtk_widget_get_visible (GTK_WIDGET (self->progress_bar));
  const char *text = self->pattern_error != NULL ? self->pattern_error : self->message;
  gboolean error = self->pattern_error != NULL || self->message_is_error;

  gtk_label_set_text (self->message_label, text != NULL ? text : "");
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  gtk_widget_set_visible (self->status_box, busy || (text != NULL && *text != '\0'));
}

static void
set_message (HmFindBar  *self,
             const char *message,
             gboolean    is_error)
{
  g_free (self->message);
  self->message = g_strdup (message);
  self->message_is_error = is_error;
  update_status_box (self);
}

static void
show_busy (HmFindBar *self,
           gboolean   busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), busy);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), busy);
  if (!busy)
    gtk_progress_bar_set_fraction (self->progress_bar, 0);
  update_status_box (self);
}

/* An error from the core: faults and system errors go to the page's dialog too. */
static void
report_error (HmFindBar    *self,
              const char   *what,
              const GError *error)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", what, error->message);

  set_message (self, text, TRUE);
  if (error->domain == HM_FAULT_ERROR || error->domain == G_IO_ERROR)
    g_signal_emit (self, signals[SIGNAL_FAULT], 0, error);
}

/* ---- The pattern ---- */

static char *
describe_pattern_error (const char   *text,
                        guint         column,
                        const GError *error)
{
  if (error->domain != HM_PATTERN_ERROR)
    return g_strdup (error->message);

  switch ((HmPatternError) error->code)
    {
    case HM_PATTERN_ERROR_EMPTY:
      return g_strdup (_("The pattern has no bytes"));
    case HM_PATTERN_ERROR_UNEXPECTED_CHARACTER:
      if (column >= 1 && (glong) column <= g_utf8_strlen (text, -1))
        {
          gunichar c = g_utf8_get_char (g_utf8_offset_to_pointer (text, column - 1));
          char utf8[8] = { 0 };

          if (g_unichar_isgraph (c))
            {
              g_unichar_to_utf8 (c, utf8);
              /* Translators: the first %s is a character, %u a column, counted from 1 */
              return g_strdup_printf (_("Unexpected “%s” at column %u: use hex digits, “?” and spaces"),
                                      utf8, column);
            }
        }
      return g_strdup_printf (_("Unexpected character at column %u: use hex digits, “?” and spaces"), column);
    case HM_PATTERN_ERROR_INCOMPLETE_BYTE:
      return g_strdup_printf (_("Incomplete byte at column %u: each byte needs two hex digits"), column);
    case HM_PATTERN_ERROR_TOO_LONG:
      return g_strdup_printf (_("Too long at column %u: a pattern holds at most %u bytes"),
                              column, (guint) HM_PATTERN_MAX_LENGTH);
    case HM_PATTERN_ERROR_INVALID_TEXT:
    default:
      return g_strdup (error->message);
    }
}

static void
update_sensitivity (HmFindBar *self)
{
  gboolean can_search = self->document != NULL && self->pattern != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->previous_button), can_search);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), can_search);
  gtk_widget_set_sensitive (GTK_WIDGET (self->find_all_button), can_search);
  gtk_widget_set_sensitive (GTK_WIDGET (self->replace_button), can_search);
  gtk_widget_set_sensitive (GTK_WIDGET (self->replace_all_button), can_search);
}

static void
update_pattern (HmFindBar *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autoptr(GError) error = NULL;
  guint column = 0;

  g_clear_pointer (&self->pattern, hm_pattern_unref);
  g_clear_pointer (&self->pattern_error, g_free);

  if (text[0] != '\0')
    {
      if (self->text_mode)
        self->pattern = hm_pattern_new_text (text, -1, (HmTextEncoding) self->encoding,
                                             self->ignore_case ? HM_PATTERN_IGNORE_CASE : HM_PATTERN_FLAGS_NONE,
                                             &column, &error);
      else
        self->pattern = hm_pattern_new_hex (text, -1, &column, &error);
      if (self->pattern == NULL)
        self->pattern_error = describe_pattern_error (text, column, error);
    }

  if (self->pattern_error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->entry), self->pattern_error);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->pattern_error != NULL ? self->pattern_error : "",
                                  -1);

  g_object_set (self->entry, "placeholder-text",
                self->text_mode ? _("Text") : _("Hex bytes, like 4d 5a ?? 00"), NULL);
  gtk_entry_set_placeholder_text (self->replace_entry,
                                  self->text_mode ? _("Replace with text")
                                                  : _("Replace with hex bytes (?? keeps a byte)"));
  update_sensitivity (self);
  update_status_box (self);
}

static char *
bytes_text (gsize n)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zu byte", "%zu bytes", n),
                          n);
}

/* The replacement, parsed like the pattern; NULL with a message on error. */
static HmPattern *
parse_replacement (HmFindBar *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->replace_entry));
  g_autoptr(GError) error = NULL;
  g_autoptr(HmPattern) replacement = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *message = NULL;
  guint column = 0;

  if (self->text_mode)
    replacement = hm_pattern_new_text (text, -1, (HmTextEncoding) self->encoding, HM_PATTERN_FLAGS_NONE,
                                       &column, &error);
  else
    replacement = hm_pattern_new_hex (text, -1, &column, &error);

  if (replacement == NULL)
    {
      if (g_error_matches (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_EMPTY))
        reason = g_strdup (_("Enter the bytes to replace the matches with"));
      else
        reason = describe_pattern_error (text, column, error);
      message = g_strdup_printf (_("Replacement: %s"), reason);
      gtk_widget_add_css_class (GTK_WIDGET (self->replace_entry), "error");
      set_message (self, message, TRUE);
      return NULL;
    }

  if (hm_pattern_get_length (replacement) != hm_pattern_get_length (self->pattern))
    {
      g_autofree char *pattern_bytes = bytes_text (hm_pattern_get_length (self->pattern));
      g_autofree char *replacement_bytes = bytes_text (hm_pattern_get_length (replacement));

      /* Translators: both %s are lengths, like "4 bytes" */
      message = g_strdup_printf (_("The pattern is %s but the replacement %s: replacing overwrites "
                                   "in place, so the lengths must match"),
                                 pattern_bytes, replacement_bytes);
      gtk_widget_add_css_class (GTK_WIDGET (self->replace_entry), "error");
      set_message (self, message, TRUE);
      return NULL;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->replace_entry), "error");
  return g_steal_pointer (&replacement);
}

/* ---- Results and highlights ---- */

static void
apply_highlights (HmFindBar *self)
{
  if (self->view == NULL)
    return;
  hm_hex_view_set_highlights (self->view, self->revealed && self->highlights->len > 0 ? self->highlights : NULL);
}

static void
clear_results (HmFindBar *self)
{
  /* What is queued or in flight for these results is dropped with them. */
  self->generation++;
  if (self->read_cancellable != NULL)
    g_cancellable_cancel (self->read_cancellable);
  for (guint i = 0; i < self->wanted->len; i++)
    HM_FIND_RESULT (g_ptr_array_index (self->wanted, i))->queued = FALSE;
  g_ptr_array_set_size (self->wanted, 0);
  g_list_store_remove_all (self->results);
  g_clear_pointer (&self->results_pattern, hm_pattern_unref);
  g_array_set_size (self->highlights, 0);
  self->n_listed = 0;
  gtk_revealer_set_reveal_child (self->results_revealer, FALSE);
  apply_highlights (self);
}

static void
rebuild_highlights (HmFindBar *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));

  g_array_set_size (self->highlights, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), i);
      HmRange range = { result->offset, result->length };

      if (!result->unreadable)
        g_array_append_val (self->highlights, range);
    }
  apply_highlights (self);
}

/* Moves what the worker found so far into the list, in file order. */
static void
job_flush (Job *job)
{
  HmFindBar *self = job->bar;
  g_autoptr(GArray) matches = NULL;
  g_autoptr(GArray) faults = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gsize length;
  guint m = 0, f = 0;

  g_mutex_lock (&job->lock);
  matches = g_steal_pointer (&job->matches);
  faults = g_steal_pointer (&job->faults);
  job->matches = g_array_new (FALSE, FALSE, sizeof (guint64));
  job->faults = g_array_new (FALSE, FALSE, sizeof (HmRange));
  job->flush_queued = FALSE;
  g_mutex_unlock (&job->lock);

  if (self == NULL || (matches->len == 0 && faults->len == 0))
    return;

  length = job->length;
  rows = g_ptr_array_new_with_free_func (g_object_unref);
  while (m < matches->len || f < faults->len)
    {
      gboolean take_match = f >= faults->len
        || (m < matches->len && g_array_index (matches, guint64, m) < g_array_index (faults, HmRange, f).offset);

      if (take_match)
        {
          HmRange range = { g_array_index (matches, guint64, m++), length };

          /* The search asks for one more than we list, to know there are more. */
          if (self->n_listed >= self->max_results)
            continue;
          self->n_listed++;
          g_array_append_val (self->highlights, range);
          g_ptr_array_add (rows, hm_find_result_new (range.offset, range.length, FALSE));
        }
      else
        {
          const HmRange *range = &g_array_index (faults, HmRange, f++);

          g_ptr_array_add (rows, hm_find_result_new (range->offset, range->length, TRUE));
        }
    }

  g_list_store_splice (self->results, g_list_model_get_n_items (G_LIST_MODEL (self->results)), 0,
                       rows->pdata, rows->len);
  if (rows->len > 0)
    gtk_revealer_set_reveal_child (self->results_revealer, TRUE);
  apply_highlights (self);
}

static gboolean
job_flush_cb (gpointer user_data)
{
  job_flush (user_data);
  return G_SOURCE_REMOVE;
}

/* Worker side. */
static void
queue_flush_locked (Job *job)
{
  if (job->flush_queued)
    return;
  job->flush_queued = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, job_flush_cb, job_ref (job), (GDestroyNotify) job_unref);
}

static gboolean
job_match_cb (guint64  offset,
              gpointer user_data)
{
  Job *job = user_data;

  g_mutex_lock (&job->lock);
  g_array_append_val (job->matches, offset);
  queue_flush_locked (job);
  g_mutex_unlock (&job->lock);
  return TRUE;
}

static void
job_fault_cb (guint64       offset,
              guint64       length,
              const GError *error,
              gpointer      user_data)
{
  Job *job = user_data;
  HmRange range = { offset, length };

  g_mutex_lock (&job->lock);
  if (job->truncated == NULL && g_error_matches (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED))
    job->truncated = g_error_copy (error);
  /* Only Find All lists them; the others count them (hm_search_get_n_unreadable()). */
  if (job->kind == JOB_FIND_ALL)
    {
      g_array_append_val (job->faults, range);
      queue_flush_locked (job);
    }
  g_mutex_unlock (&job->lock);
}

static void
job_progress_cb (guint64  done,
                 guint64  total,
                 gpointer user_data)
{
  Job *job = user_data;

  g_mutex_lock (&job->lock);
  job->done = done;
  job->total = total;
  g_mutex_unlock (&job->lock);
}

/* Main thread: once a search has run for a moment, show how far it got. */
static gboolean
progress_tick_cb (gpointer user_data)
{
  HmFindBar *self = user_data;
  g_autofree char *done_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *text = NULL;
  guint64 done, total;

  g_assert (self->job != NULL);

  g_mutex_lock (&self->job->lock);
  done = self->job->done;
  total = self->job->total;
  g_mutex_unlock (&self->job->lock);

  done_text = g_format_size_full (done, G_FORMAT_SIZE_IEC_UNITS);
  total_text = g_format_size_full (total, G_FORMAT_SIZE_IEC_UNITS);
  /* Translators: "Searching… 1.2 GiB of 4.0 GiB" */
  text = g_strdup_printf (_("Searching… %s of %s"), done_text, total_text);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / (double) total : 0.0);
  show_busy (self, TRUE);
  set_message (self, text, FALSE);
  return G_SOURCE_CONTINUE;
}

/* Forgets the running job; a search still running is cancelled and its result ignored. */
static void
drop_job (HmFindBar *self)
{
  if (self->job == NULL)
    return;
  g_cancellable_cancel (self->job->cancellable);
  self->job->bar = NULL;
  g_clear_pointer (&self->job, job_unref);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  show_busy (self, FALSE);
}

static void
stop_replace_all (HmFindBar *self)
{
  if (self->replace_id == 0 && self->replace_offsets == NULL && self->replacement == NULL)
    return;
  g_clear_handle_id (&self->replace_id, g_source_remove);
  g_clear_pointer (&self->replace_offsets, g_array_unref);
  g_clear_pointer (&self->replacement, hm_pattern_unref);
  show_busy (self, FALSE);
}

/* ---- Moving the view ---- */

static void
select_match (HmFindBar *self,
              guint64    offset,
              guint64    length)
{
  hm_hex_view_set_selection (self->view, offset, length);
  hm_hex_view_scroll_to_offset (self->view, offset);
}

static gboolean
check_ready (HmFindBar *self)
{
  if (self->view == NULL || self->document == NULL)
    return FALSE;
  if (self->pattern == NULL)
    {
      if (self->pattern_error == NULL)
        set_message (self, _("Enter something to find"), TRUE);
      return FALSE;
    }
  if (hm_document_get_size (self->document) == 0)
    {
      set_message (self, _("The file is empty"), FALSE);
      return FALSE;
    }
  return TRUE;
}

/* Where "find next" (previous) starts: just past (at) the selection, so pressing
 * it again moves on; without a selection, at the cursor. */
static guint64
search_start (HmFindBar *self,
              gboolean   backward)
{
  if (hm_hex_view_get_selection_length (self->view) > 0)
    {
      guint64 start = hm_hex_view_get_selection_start (self->view);

      return backward ? start : start + 1;
    }
  return hm_hex_view_get_cursor_offset (self->view);
}

/* ---- Search results ---- */

static void
find_done (HmFindBar *self,
           Job       *job)
{
  GArray *matches = hm_search_get_matches (job->search);
  g_autofree char *message = NULL;
  guint64 offset;

  if (matches->len == 0)
    {
      if (self->wrap)
        set_message (self, _("No matches"), FALSE);
      else if (job->backward)
        set_message (self, _("No more matches before this point (turn on Wrap around to go on from the end)"),
                     FALSE);
      else
        set_message (self, _("No more matches after this point (turn on Wrap around to go on from the start)"),
                     FALSE);
      return;
    }

  offset = g_array_index (matches, guint64, 0);
  select_match (self, offset, job->length);

  if (!job->backward && offset < job->start)
    message = g_strdup (_("Wrapped around to the start of the file"));
  else if (job->backward && offset >= job->start)
    message = g_strdup (_("Wrapped around to the end of the file"));
  if (hm_search_get_n_unreadable (job->search) > 0)
    {
      g_autofree char *size = g_format_size_full (hm_search_get_n_unreadable (job->search), G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *skipped = g_strdup_printf (_("Skipped %s that could not be read"), size);

      g_free (message);
      message = g_steal_pointer (&skipped);
    }
  /* Nothing to say: leave the Find All summary, if there is one. */
  if (message != NULL || g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0)
    set_message (self, message, FALSE);
}

static void
find_all_done (HmFindBar *self,
               Job       *job)
{
  g_autofree char *message = NULL;
  guint64 unreadable = hm_search_get_n_unreadable (job->search);

  if (self->n_listed == 0)
    message = g_strdup (_("No matches"));
  else if (hm_search_get_n_matches (job->search) > self->max_results)
    message = g_strdup_printf (_("More than %u matches: showing the first %u"), self->max_results,
                               self->max_results);
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u match", "%u matches", self->n_listed),
                               self->n_listed);

  if (unreadable > 0)
    {
      g_autofree char *size = g_format_size_full (unreadable, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *full = g_strdup_printf (_("%s; skipped %s that could not be read"), message, size);

      g_free (message);
      message = g_steal_pointer (&full);
    }
  set_message (self, message, FALSE);
}

static gboolean replace_step_cb (gpointer user_data);

static void
replace_all_done (HmFindBar *self,
                  Job       *job)
{
  GArray *matches = hm_search_get_matches (job->search);

  if (matches->len == 0)
    {
      g_clear_pointer (&self->replacement, hm_pattern_unref);
      set_message (self, _("No matches: nothing replaced"), FALSE);
      return;
    }

  self->replace_offsets = g_array_copy (matches);
  self->replace_index = 0;
  self->replace_count = 0;
  self->replace_end = 0;
  self->replace_more = hm_search_get_limit_reached (job->search);
  /* The listed matches are about to change; the list would only go stale. */
  clear_results (self);
  show_busy (self, TRUE);
  set_message (self, _("Replacing…"), FALSE);
  self->replace_id = g_idle_add (replace_step_cb, self);
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(GError) error = NULL;
  HmFindBar *self = job->bar;
  gboolean ok = hm_search_run_finish (HM_SEARCH (source), result, &error);

  if (self == NULL)
    return;

  job_flush (job);
  g_assert (self->job == job);
  g_clear_pointer (&self->job, job_unref);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  show_busy (self, FALSE);

  if (!ok)
    {
      g_clear_pointer (&self->replacement, hm_pattern_unref);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_message (self, _("Search cancelled"), FALSE);
      else
        report_error (self, _("The search stopped"), error);
      return;
    }

  switch (job->kind)
    {
    case JOB_FIND:
      find_done (self, job);
      break;
    case JOB_FIND_ALL:
      find_all_done (self, job);
      break;
    case JOB_REPLACE_ALL:
      replace_all_done (self, job);
      break;
    default:
      g_assert_not_reached ();
    }

  /* Skipping covers unreadable pages; a file that shrank is the page's business
   * (Reload / Close), whatever the mode. */
  if (job->truncated != NULL)
    g_signal_emit (self, signals[SIGNAL_FAULT], 0, job->truncated);
}

static void
start_search (HmFindBar *self,
              JobKind    kind,
              guint64    start,
              gboolean   backward)
{
  Job *job;
  HmSearchFlags flags = HM_SEARCH_NONE;

  drop_job (self);
  stop_replace_all (self);

  job = g_new0 (Job, 1);
  g_atomic_ref_count_init (&job->ref_count);
  g_mutex_init (&job->lock);
  job->kind = kind;
  job->bar = self;
  job->start = start;
  job->backward = backward;
  job->length = hm_pattern_get_length (self->pattern);
  job->cancellable = g_cancellable_new ();
  job->matches = g_array_new (FALSE, FALSE, sizeof (guint64));
  job->faults = g_array_new (FALSE, FALSE, sizeof (HmRange));
  job->search = hm_search_new (self->document, self->pattern);

  if (self->skip_faults)
    flags |= HM_SEARCH_SKIP_FAULTS;
  switch (kind)
    {
    case JOB_FIND:
      if (backward)
        flags |= HM_SEARCH_BACKWARD;
      if (self->wrap)
        flags |= HM_SEARCH_WRAP;
      hm_search_set_max_matches (job->search, 1);
      break;
    case JOB_FIND_ALL:
      hm_search_set_max_matches (job->search, (guint64) self->max_results + 1);
      hm_search_set_match_func (job->search, job_match_cb, job, NULL);
      clear_results (self);
      self->results_pattern = hm_pattern_ref (self->pattern);
      break;
    case JOB_REPLACE_ALL:
      hm_search_set_max_matches (job->search, HM_SEARCH_STORE_LIMIT);
      break;
    default:
      g_assert_not_reached ();
    }
  hm_search_set_flags (job->search, flags);
  hm_search_set_start (job->search, start);
  hm_search_set_fault_func (job->search, job_fault_cb, job, NULL);
  hm_search_set_progress_func (job->search, job_progress_cb, job, NULL);

  self->job = job;
  self->progress_id = g_timeout_add (PROGRESS_INTERVAL_MS, progress_tick_cb, self);
  hm_search_run_async (job->search, job->cancellable, job_done_cb, job_ref (job));
}

/* ---- Replacing ---- */

/* Overwrites the match at @offset; wildcard bits of the replacement keep the old bits. */
static gboolean
replace_at (HmFindBar  *self,
            guint64     offset,
            HmPattern  *replacement,
            guint8     *buffer,
            GError    **error)
{
  gsize length = hm_pattern_get_length (replacement);
  const guint8 *bytes = hm_pattern_get_bytes (replacement);
  const guint8 *mask = hm_pattern_get_mask (replacement);
  gssize n = hm_document_read (self->document, offset, buffer, length, error);

  if (n < 0)
    return FALSE;
  if ((gsize) n != length)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE,
                   _("The match at 0x%" PRIx64 " is no longer in the file"), offset);
      return FALSE;
    }
  for (gsize i = 0; i < length; i++)
    buffer[i] = (guint8) ((buffer[i] & ~mask[i]) | bytes[i]);
  return hm_document_write (self->document, offset, buffer, length, HM_EDIT_NONE, error);
}

static gboolean
check_writable (HmFindBar *self)
{
  if (hm_document_get_mode (self->document) == HM_DOCUMENT_MODE_READ_ONLY)
    {
      set_message (self, _("The file is open read-only: switch to Preview or Direct mode to replace bytes"),
                   TRUE);
      return FALSE;
    }
  return TRUE;
}

static void
finish_replace_all (HmFindBar    *self,
                    const GError *error)
{
  g_autofree char *message = NULL;
  guint count = self->replace_count;
  gboolean more = self->replace_more;

  self->replace_id = 0;
  stop_replace_all (self);

  if (error != NULL)
    {
      g_autofree char *what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Replace All stopped after %u replacement",
                                                            "Replace All stopped after %u replacements",
                                                            count), count);

      report_error (self, what, error);
      return;
    }

  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Replaced %u match", "Replaced %u matches", count),
                             count);
  if (more)
    {
      g_autofree char *full = g_strdup_printf (_("%s; there are more: Replace All again to go on"), message);

      g_free (message);
      message = g_steal_pointer (&full);
    }
  set_message (self, message, FALSE);
}

static gboolean
replace_step_cb (gpointer user_data)
{
  HmFindBar *self = user_data;
  gsize length = hm_pattern_get_length (self->replacement);
  g_autofree guint8 *buffer = g_malloc (length);
  GArray *offsets = self->replace_offsets;
  gboolean ok = TRUE;
  g_autoptr(GError) error = NULL;

  /* Our own edits must not prune results one by one; the list is already clear. */
  g_signal_handler_block (self->document, self->changed_id);
  for (guint n = 0; ok && n < REPLACE_BATCH && self->replace_index < offsets->len; n++)
    {
      guint64 offset = g_array_index (offsets, guint64, self->replace_index++);

      /* Matches can overlap ("aa" in "aaa"): the first one wins. */
      if (offset < self->replace_end)
        continue;
      ok = replace_at (self, offset, self->replacement, buffer, &error);
      if (ok)
        {
          self->replace_count++;
          self->replace_end = offset + length;
        }
    }
  g_signal_handler_unblock (self->document, self->changed_id);

  if (!ok || self->replace_index >= offsets->len)
    {
      finish_replace_all (self, error);
      return G_SOURCE_REMOVE;
    }
  gtk_progress_bar_set_fraction (self->progress_bar, (double) self->replace_index / offsets->len);
  return G_SOURCE_CONTINUE;
}

/* ---- Slow storage: previews and checks on a worker ---- */

static void
set_detail (GtkListItem *item,
            const char  *detail,
            gboolean     error)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkLabel *detail_label = GTK_LABEL (gtk_widget_get_last_child (box));

  gtk_label_set_text (detail_label, detail != NULL ? detail : "");
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (detail_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (detail_label), "error");
}

/* The detail text of a readable match: its first bytes, or "Unreadable" if
 * @bytes is %NULL. */
static char *
format_preview (HmFindResult *result,
                const guint8 *bytes,
                gssize        n)
{
  g_autofree char *hex = NULL;

  if (n <= 0)
    return g_strdup (_("Unreadable"));
  hex = hm_hex_view_format_bytes (bytes, (gsize) MIN ((guint64) n, (guint64) PREVIEW_BYTES),
                                  HM_COPY_FORMAT_HEX);
  if (result->length > (guint64) MIN (n, PREVIEW_BYTES))
    return g_strconcat (hex, " …", NULL);
  return g_steal_pointer (&hex);
}


static void
queue_read (HmFindBar    *self,
            HmFindResult *result,
            gboolean      check)
{
  if (check)
    result->want_check = TRUE;
  else
    result->want_preview = TRUE;
  if (!result->queued)
    {
      result->queued = TRUE;
      g_ptr_array_add (self->wanted, g_object_ref (result));
    }
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(HmFindBar) self = user_data;   /* the reference read_next() took */
  g_autoptr(GPtrArray) reading = g_steal_pointer (&self->reading);
  g_autoptr(GArray) checks = g_steal_pointer (&self->reading_checks);
  g_autoptr(GPtrArray) items = hm_panel_read_finish (res, NULL);
  gboolean removed = FALSE;

  g_clear_object (&self->read_cancellable);

  /* Disposed, or the results were cleared since: these are gone. */
  if (self->document == NULL || items == NULL || self->read_generation != self->generation)
    {
      if (self->document != NULL)
        read_next (self);
      return;
    }

  for (guint i = 0; i < reading->len; i++)
    {
      HmFindResult *result = g_ptr_array_index (reading, i);
      HmPanelReadItem *read = g_ptr_array_index (items, i);
      gsize n = read->bytes != NULL ? g_bytes_get_size (read->bytes) : 0;
      const guint8 *bytes = read->bytes != NULL ? g_bytes_get_data (read->bytes, NULL) : NULL;
      GtkListItem *item;
      guint position;

      if (g_array_index (checks, gboolean, i)
          && (bytes == NULL || n != result->length || !hm_pattern_matches_at (self->results_pattern, bytes))
          && g_list_store_find (self->results, result, &position))
        {
          self->n_listed--;
          g_list_store_remove (self->results, position);
          removed = TRUE;
          continue;
        }

      g_free (result->preview);
      result->preview = format_preview (result, bytes, bytes != NULL ? (gssize) n : -1);
      item = g_hash_table_lookup (self->bound, result);
      if (item != NULL)
        set_detail (item, result->preview, FALSE);
    }
  if (removed)
    rebuild_highlights (self);
  read_next (self);
}

/* Sends the next batch of previews and checks to the worker, unless one is in
 * flight already. A check reads the whole match, which gives its preview too. */
static void
read_next (HmFindBar *self)
{
  g_autoptr(GArray) ranges = NULL;

  if (self->reading != NULL || self->document == NULL || self->wanted->len == 0)
    return;

  ranges = g_array_new (FALSE, FALSE, sizeof (HmRange));
  self->reading = g_ptr_array_new_with_free_func (g_object_unref);
  self->reading_checks = g_array_new (FALSE, FALSE, sizeof (gboolean));
  while (self->wanted->len > 0 && self->reading->len < READ_BATCH)
    {
      HmFindResult *result = g_ptr_array_steal_index (self->wanted, 0);
      gboolean check = result->want_check;
      HmRange range = { result->offset, check ? result->length : MIN (result->length, (guint64) PREVIEW_BYTES) };

      result->queued = FALSE;
      result->want_check = FALSE;
      result->want_preview = FALSE;
      /* A preview for a row scrolled away meanwhile waits until it is shown. */
      if (!check && !g_hash_table_contains (self->bound, result))
        {
          g_object_unref (result);
          continue;
        }
      g_ptr_array_add (self->reading, result);
      g_array_append_val (self->reading_checks, check);
      g_array_append_val (ranges, range);
    }
  if (self->reading->len == 0)
    {
      g_clear_pointer (&self->reading, g_ptr_array_unref);
      g_clear_pointer (&self->reading_checks, g_array_unref);
      return;
    }

  self->read_generation = self->generation;
  self->read_cancellable = g_cancellable_new ();
  hm_panel_read_async (self->document, (const HmRange *) (gpointer) ranges->data, ranges->len,
                       self->read_cancellable, read_done_cb, g_object_ref (self));
}

/* ---- Document tracking ---- */

/* Listed matches that overlap a change are checked again; those that no longer
 * match leave the list. A refresh or a truncation says "everything changed"
 * (0, G_MAXUINT64): the matches before the cut are still good, and stay. */
static void
document_changed_cb (HmFindBar  *self,
                     guint64     offset,
                     guint64     length,
                     HmDocument *document)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  guint64 end = length > G_MAXUINT64 - offset ? G_MAXUINT64 : offset + length;
  g_autofree guint8 *buffer = NULL;
  gboolean removed = FALSE;

  /* A commit in a worker changes no bytes; only main-thread changes matter here. */
  if (g_thread_self () != self->thread || n == 0 || self->results_pattern == NULL)
    return;

  if (hm_panel_read_wants_worker (self->view, document))
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), i);

          if (result->unreadable || result->offset >= end || result->offset + result->length <= offset)
            continue;
          queue_read (self, result, TRUE);
        }
      read_next (self);
      return;
    }

  buffer = g_malloc (hm_pattern_get_length (self->results_pattern));
  for (guint i = n; i-- > 0;)
    {
      g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), i);

      if (result->unreadable || result->offset >= end || result->offset + result->length <= offset)
        continue;
      if (hm_document_read (document, result->offset, buffer, result->length, NULL) == (gssize) result->length
          && hm_pattern_matches_at (self->results_pattern, buffer))
        continue;
      self->n_listed--;
      g_list_store_remove (self->results, i);
      removed = TRUE;
    }
  if (removed)
    rebuild_highlights (self);
}

static void
set_document (HmFindBar  *self,
              HmDocument *document)
{
  if (self->document == document)
    return;

  drop_job (self);
  stop_replace_all (self);
  if (self->document != NULL)
    g_clear_signal_handler (&self->changed_id, self->document);
  g_set_object (&self->document, document);
  if (document != NULL)
    self->changed_id = g_signal_connect_object (document, "changed", G_CALLBACK (document_changed_cb), self,
                                                G_CONNECT_SWAPPED);
  clear_results (self);
  set_message (self, NULL, FALSE);
  update_sensitivity (self);
}

static void
view_document_cb (HmFindBar  *self,
                  GParamSpec *pspec,
                  HmHexView  *view)
{
  set_document (self, hm_hex_view_get_document (view));
}

/* ---- Results list ---- */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *offset = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_widget_add_css_class (offset, "monospace");
  gtk_widget_add_css_class (detail, "monospace");
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (detail, TRUE);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_box_append (GTK_BOX (box), offset);
  gtk_box_append (GTK_BOX (box), detail);
  gtk_list_item_set_child (item, box);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  HmFindBar *self = user_data;
  HmFindResult *result = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkLabel *offset_label = GTK_LABEL (gtk_widget_get_first_child (box));
  g_autofree char *offset = g_strdup_printf ("0x%08" G_GINT64_MODIFIER "x", result->offset);
  g_autofree char *detail = NULL;

  g_hash_table_insert (self->bound, result, item);
  if (result->unreadable)
    {
      g_autofree char *size = g_format_size_full (result->length, G_FORMAT_SIZE_IEC_UNITS);

      detail = g_strdup_printf (_("Unreadable: %s skipped"), size);
    }
  else if (self->document != NULL && hm_panel_read_wants_worker (self->view, self->document))
    {
      if (result->preview == NULL)
        {
          queue_read (self, result, FALSE);
          read_next (self);
        }
      detail = g_strdup (result->preview != NULL ? result->preview : LOADING_TEXT);
    }
  else if (self->document != NULL)
    {
      guint8 bytes[PREVIEW_BYTES];
      gsize want = (gsize) MIN (result->length, (guint64) PREVIEW_BYTES);
      gssize n = hm_document_read (self->document, result->offset, bytes, want, NULL);

      detail = format_preview (result, bytes, n);
    }

  gtk_label_set_text (offset_label, offset);
  set_detail (item, detail, result->unreadable);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  HmFindBar *self = user_data;
  HmFindResult *result = gtk_list_item_get_item (item);

  if (result != NULL && g_hash_table_lookup (self->bound, result) == item)
    g_hash_table_remove (self->bound, result);
}

static void
result_activate_cb (HmFindBar   *self,
                    guint        position,
                    GtkListView *list)
{
  _hm_find_bar_activate_result (self, position);
}

/* ---- Signal handlers from the template ---- */

static void
entry_changed_cb (HmFindBar *self)
{
  update_pattern (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATTERN]);
}

static void
replace_changed_cb (HmFindBar *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->replace_entry), "error");
}

static void
entry_activate_cb (HmFindBar *self)
{
  if (self->backward)
    hm_find_bar_find_previous (self);
  else
    hm_find_bar_find_next (self);
}

static gboolean
entry_key_pressed_cb (HmFindBar             *self,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      GtkEventControllerKey *controller)
{
  /* Shift+Enter searches the other way. */
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
      && (state & GDK_MODIFIER_MASK) == GDK_SHIFT_MASK)
    {
      if (self->backward)
        hm_find_bar_find_next (self);
      else
        hm_find_bar_find_previous (self);
      return TRUE;
    }
  return FALSE;
}

static void
stop_search_cb (HmFindBar *self)
{
  hm_find_bar_set_revealed (self, FALSE);
}

static void
find_next_cb (HmFindBar *self)
{
  hm_find_bar_find_next (self);
}

static void
find_previous_cb (HmFindBar *self)
{
  hm_find_bar_find_previous (self);
}

static void
find_all_cb (HmFindBar *self)
{
  hm_find_bar_find_all (self);
}

static void
replace_cb (HmFindBar *self)
{
  hm_find_bar_replace (self);
}

static void
replace_all_cb (HmFindBar *self)
{
  hm_find_bar_replace_all (self);
}

static void
cancel_cb (HmFindBar *self)
{
  hm_find_bar_cancel (self);
}

/* ---- Property bindings ---- */

static gboolean
mode_to_selected_cb (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  g_value_set_uint (to, g_value_get_boolean (from) ? 1 : 0);
  return TRUE;
}

static gboolean
selected_to_mode_cb (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_uint (from) == 1);
  return TRUE;
}

/* ---- GObject ---- */

static void
set_boolean (HmFindBar *self,
             gboolean  *field,
             gboolean   value,
             guint      prop_id)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  if (prop_id == PROP_TEXT_MODE || prop_id == PROP_IGNORE_CASE)
    update_pattern (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
hm_find_bar_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HmFindBar *self = HM_FIND_BAR (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_object (value, self->view);
      break;
    case PROP_REVEALED:
      g_value_set_boolean (value, self->revealed);
      break;
    case PROP_PATTERN:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self->entry)));
      break;
    case PROP_TEXT_MODE:
      g_value_set_boolean (value, self->text_mode);
      break;
    case PROP_IGNORE_CASE:
      g_value_set_boolean (value, self->ignore_case);
      break;
    case PROP_ENCODING:
      g_value_set_uint (value, self->encoding);
      break;
    case PROP_BACKWARD:
      g_value_set_boolean (value, self->backward);
      break;
    case PROP_WRAP:
      g_value_set_boolean (value, self->wrap);
      break;
    case PROP_SKIP_FAULTS:
      g_value_set_boolean (value, self->skip_faults);
      break;
    case PROP_MAX_RESULTS:
      g_value_set_uint (value, self->max_results);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_find_bar_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HmFindBar *self = HM_FIND_BAR (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      hm_find_bar_set_view (self, g_value_get_object (value));
      break;
    case PROP_REVEALED:
      hm_find_bar_set_revealed (self, g_value_get_boolean (value));
      break;
    case PROP_PATTERN:
      {
        const char *text = g_value_get_string (value);

        /* The entry's "changed" handler notifies. */
        if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (self->entry))) != 0)
          gtk_editable_set_text (GTK_EDITABLE (self->entry), text != NULL ? text : "");
      }
      break;
    case PROP_TEXT_MODE:
      set_boolean (self, &self->text_mode, g_value_get_boolean (value), prop_id);
      break;
    case PROP_IGNORE_CASE:
      set_boolean (self, &self->ignore_case, g_value_get_boolean (value), prop_id);
      break;
    case PROP_ENCODING:
      if (self->encoding != g_value_get_uint (value))
        {
          self->encoding = g_value_get_uint (value);
          update_pattern (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_BACKWARD:
      set_boolean (self, &self->backward, g_value_get_boolean (value), prop_id);
      break;
    case PROP_WRAP:
      set_boolean (self, &self->wrap, g_value_get_boolean (value), prop_id);
      break;
    case PROP_SKIP_FAULTS:
      set_boolean (self, &self->skip_faults, g_value_get_boolean (value), prop_id);
      break;
    case PROP_MAX_RESULTS:
      if (self->max_results != g_value_get_uint (value))
        {
          self->max_results = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_find_bar_dispose (GObject *object)
{
  HmFindBar *self = HM_FIND_BAR (object);

  drop_job (self);
  stop_replace_all (self);
  /* Clears the results: a batch in flight keeps the bar alive until it
   * returns, and its callback then does nothing. */
  hm_find_bar_set_view (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), HM_TYPE_FIND_BAR);
  G_OBJECT_CLASS (hm_find_bar_parent_class)->dispose (object);
}

static void
hm_find_bar_finalize (GObject *object)
{
  HmFindBar *self = HM_FIND_BAR (object);

  g_clear_pointer (&self->pattern, hm_pattern_unref);
  g_clear_pointer (&self->pattern_error, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_object (&self->results);
  g_clear_pointer (&self->results_pattern, hm_pattern_unref);
  g_clear_pointer (&self->highlights, g_array_unref);
  g_clear_pointer (&self->bound, g_hash_table_unref);
  g_clear_pointer (&self->wanted, g_ptr_array_unref);
  G_OBJECT_CLASS (hm_find_bar_parent_class)->finalize (object);
}

static void
hm_find_bar_class_init (HmFindBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = hm_find_bar_get_property;
  object_class->set_property = hm_find_bar_set_property;
  object_class->dispose = hm_find_bar_dispose;
  object_class->finalize = hm_find_bar_finalize;

  properties[PROP_VIEW] =
    g_param_spec_object ("view", NULL, NULL, HM_TYPE_HEX_VIEW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_REVEALED] =
    g_param_spec_boolean ("revealed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PATTERN] =
    g_param_spec_string ("pattern", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TEXT_MODE] =
    g_param_spec_boolean ("text-mode", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_IGNORE_CASE] =
    g_param_spec_boolean ("ignore-case", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ENCODING] =
    g_param_spec_uint ("encoding", NULL, NULL, HM_TEXT_ENCODING_UTF8, HM_TEXT_ENCODING_UTF16BE,
                       HM_TEXT_ENCODING_UTF8,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BACKWARD] =
    g_param_spec_boolean ("backward", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_WRAP] =
    g_param_spec_boolean ("wrap", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SKIP_FAULTS] =
    g_param_spec_boolean ("skip-faults", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_RESULTS] =
    g_param_spec_uint ("max-results", NULL, NULL, 1, G_MAXUINT, DEFAULT_MAX_RESULTS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_FAULT] =
    g_signal_new ("fault", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/hexmap/Hexmap/ui/hm-find-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, revealer);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, mode_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, entry);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, previous_button);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, next_button);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, find_all_button);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, replace_toggle);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, options_toggle);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, replace_entry);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, replace_button);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, replace_all_button);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, text_options);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, case_check);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, encoding_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, backward_check);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, wrap_check);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, skip_check);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, status_box);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, message_label);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, results_revealer);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, results_view);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, find_next_cb);
  gtk_widget_class_bind_template_callback (widget_class, find_previous_cb);
  gtk_widget_class_bind_template_callback (widget_class, find_all_cb);
  gtk_widget_class_bind_template_callback (widget_class, replace_cb);
  gtk_widget_class_bind_template_callback (widget_class, replace_all_cb);
  gtk_widget_class_bind_template_callback (widget_class, replace_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_cb);
  gtk_widget_class_bind_template_callback (widget_class, result_activate_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  /* Take the theme's search bar style: searchbar > revealer > box. */
  gtk_widget_class_set_css_name (widget_class, "searchbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_SEARCH);
}

static void
hm_find_bar_init (HmFindBar *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;
  GtkEventController *keys;

  self->thread = g_thread_self ();
  self->wrap = TRUE;
  self->max_results = DEFAULT_MAX_RESULTS;
  self->encoding = HM_TEXT_ENCODING_UTF8;
  self->results = g_list_store_new (HM_TYPE_FIND_RESULT);
  self->highlights = g_array_new (FALSE, FALSE, sizeof (HmRange));
  self->bound = g_hash_table_new (NULL, NULL);
  self->wanted = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_init_template (GTK_WIDGET (self));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
  gtk_list_view_set_factory (self->results_view, factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->results)));
  gtk_list_view_set_model (self->results_view, GTK_SELECTION_MODEL (selection));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (entry_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);

  g_object_bind_property (self, "revealed", self->revealer, "reveal-child", G_BINDING_SYNC_CREATE);
  g_object_bind_property_full (self, "text-mode", self->mode_dropdown, "selected",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               mode_to_selected_cb, selected_to_mode_cb, NULL, NULL);
  g_object_bind_property (self, "text-mode", self->text_options, "sensitive", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "ignore-case", self->case_check, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "encoding", self->encoding_dropdown, "selected",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "backward", self->backward_check, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "wrap", self->wrap_check, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "skip-faults", self->skip_check, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  update_pattern (self);
}

/* ---- Public API ---- */

/**
 * hm_find_bar_new:
 *
 * Creates a find bar, hidden; give it a view with hm_find_bar_set_view().
 *
 * Returns: (transfer floating): a new #HmFindBar
 */
GtkWidget *
hm_find_bar_new (void)
{
  return g_object_new (HM_TYPE_FIND_BAR, NULL);
}

HmHexView *
hm_find_bar_get_view (HmFindBar *self)
{
  g_return_val_if_fail (HM_IS_FIND_BAR (self), NULL);
  return self->view;
}

/**
 * hm_find_bar_set_view:
 * @self: a #HmFindBar
 * @view: (nullable): the view to search in
 *
 * The bar searches the view's document (following `notify::document`), moves the
 * view's selection to matches and highlights Find All results in it.
 */
void
hm_find_bar_set_view (HmFindBar *self,
                      HmHexView *view)
{
  g_return_if_fail (HM_IS_FIND_BAR (self));
  g_return_if_fail (view == NULL || HM_IS_HEX_VIEW (view));

  if (self->view == view)
    return;

  if (self->view != NULL)
    {
      hm_hex_view_set_highlights (self->view, NULL);
      g_clear_signal_handler (&self->view_document_id, self->view);
    }
  g_set_object (&self->view, view);
  if (view != NULL)
    self->view_document_id = g_signal_connect_object (view, "notify::document", G_CALLBACK (view_document_cb),
                                                      self, G_CONNECT_SWAPPED);
  set_document (self, view != NULL ? hm_hex_view_get_document (view) : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

gboolean
hm_find_bar_get_revealed (HmFindBar *self)
{
  g_return_val_if_fail (HM_IS_FIND_BAR (self), FALSE);
  return self->revealed;
}

/**
 * hm_find_bar_set_revealed:
 * @self: a #HmFindBar
 * @revealed: whether the bar is shown
 *
 * Hiding the bar cancels a running search, takes the highlights out of the view
 * and gives the focus back to the view if the bar had it.
 */
void
hm_find_bar_set_revealed (HmFindBar *self,
                          gboolean   revealed)
{
  g_return_if_fail (HM_IS_FIND_BAR (self));

  revealed = !!revealed;
  if (self->revealed == revealed)
    return;
  self->revealed = revealed;

  if (!revealed)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

      if (self->job != NULL)
        {
          drop_job (self);
          set_message (self, NULL, FALSE);
        }
      if (self->view != NULL && focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
        gtk_widget_grab_focus (GTK_WIDGET (self->view));
    }
  apply_highlights (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVEALED]);
}

/**
 * hm_find_bar_focus:
 * @self: a #HmFindBar
 *
 * Shows the bar and puts the focus in the find entry with its text selected, so
 * typing replaces it (Ctrl+F).
 */
void
hm_find_bar_focus (HmFindBar *self)
{
  g_return_if_fail (HM_IS_FIND_BAR (self));

  hm_find_bar_set_revealed (self, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
}

/**
 * hm_find_bar_find_next:
 * @self: a #HmFindBar
 *
 * Finds the next match after the selection (or from the cursor), in a worker;
 * the match becomes the view's selection (F3).
 */
void
hm_find_bar_find_next (HmFindBar *self)
{
  g_return_if_fail (HM_IS_FIND_BAR (self));

  if (check_ready (self))
    start_search (self, JOB_FIND, search_start (self, FALSE), FALSE);
}

/**
 * hm_find_bar_find_previous:
 * @self: a #HmFindBar
 *
 * Finds the nearest match before the selection (or the cursor) (Shift+F3).
 */
void
hm_find_bar_find_previous (HmFindBar *self)
{
  g_return_if_fail (HM_IS_FIND_BAR (self));

  if (check_ready (self))
    start_search (self, JOB_FIND, search_start (self, TRUE), TRUE);
}

/**
 * hm_find_bar_find_all:
 * @self: a #HmFindBar
 *
 * Lists the matches in the whole file, up to "max-results", as they are found,
 * and highlights them in the view.
 */
void
hm_find_bar_find_all (HmFindBar *self)
{
  g_return_if_fail (HM_IS_FIND_BAR (self));

  if (check_ready (self))
    start_search (self, JOB_FIND_ALL, 0, FALSE);
}

/**
 * hm_find_bar_replace:
 * @self: a #HmFindBar
 *
 * If the selection is a match, overwrites it with the replacement (one undo
 * step); then finds the next match in the chosen direction.
 */
void
hm_find_bar_replace (HmFindBar *self)
{
  g_autoptr(HmPattern) replacement = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buffer = NULL;
  guint64 start, length;
  gsize plen;

  g_return_if_fail (HM_IS_FIND_BAR (self));

  if (!check_ready (self) || !check_writable (self))
    return;
  replacement = parse_replacement (self);
  if (replacement == NULL)
    return;

  plen = hm_pattern_get_length (self->pattern);
  start = hm_hex_view_get_selection_start (self->view);
  length = hm_hex_view_get_selection_length (self->view);
  buffer = g_malloc (plen);

  if (length == plen && hm_document_read (self->document, start, buffer, plen, NULL) == (gssize) plen
      && hm_pattern_matches_at (self->pattern, buffer))
    {
      if (!replace_at (self, start, replacement, buffer, &error))
        {
          report_error (self, _("Could not replace"), error);
          return;
        }
      /* Go on past the replaced bytes, so a replacement that contains the
       * pattern is not found again. */
      start_search (self, JOB_FIND, self->backward ? start : start + plen, self->backward);
      return;
    }

  /* Nothing to replace yet: the first press finds. */
  start_search (self, JOB_FIND, search_start (self, self->backward), self->backward);
}

/**
 * hm_find_bar_replace_all:
 * @self: a #HmFindBar
 *
 * Overwrites every match in the file with the replacement. Matches are found in
 * a worker, then replaced in batches from the main loop with progress; each
 * replacement is its own undo step (the engine has no compound step). At most
 * %HM_SEARCH_STORE_LIMIT matches are replaced per call; the message says when
 * there are more.
 */
void
hm_find_bar_replace_all (HmFindBar *self)
{
  g_autoptr(HmPattern) replacement = NULL;

  g_return_if_fail (HM_IS_FIND_BAR (self));

  if (!check_ready (self) || !check_writable (self))
    return;
  replacement = parse_replacement (self);
  if (replacement == NULL)
    return;

  start_search (self, JOB_REPLACE_ALL, 0, FALSE);
  self->replacement = g_steal_pointer (&replacement);
}

/**
 * hm_find_bar_cancel:
 * @self: a #HmFindBar
 *
 * Stops a running search or Replace All. Replacements already made stay (undo
 * takes them back).
 */
void
hm_find_bar_cancel (HmFindBar *self)
{
  g_return_if_fail (HM_IS_FIND_BAR (self));

  if (self->replace_id != 0)
    {
      g_autofree char *message =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Replace All cancelled after %u replacement",
                                      "Replace All cancelled after %u replacements", self->replace_count),
                         self->replace_count);

      stop_replace_all (self);
      set_message (self, message, FALSE);
    }
  else if (self->job != NULL)
    {
      drop_job (self);
      set_message (self, _("Search cancelled"), FALSE);
    }
}

/**
 * hm_find_bar_get_busy:
 * @self: a #HmFindBar
 *
 * Returns: %TRUE while a search or a Replace All runs
 */
gboolean
hm_find_bar_get_busy (HmFindBar *self)
{
  g_return_val_if_fail (HM_IS_FIND_BAR (self), FALSE);
  return self->job != NULL || self->replace_id != 0;
}

/* ---- For tests ---- */

GtkEditable *
_hm_find_bar_get_entry (HmFindBar *self)
{
  return GTK_EDITABLE (self->entry);
}

GtkEditable *
_hm_find_bar_get_replace_entry (HmFindBar *self)
{
  return GTK_EDITABLE (self->replace_entry);
}

const char *
_hm_find_bar_get_message (HmFindBar *self)
{
  return gtk_label_get_text (self->message_label);
}

gboolean
_hm_find_bar_get_message_is_error (HmFindBar *self)
{
  return gtk_widget_has_css_class (GTK_WIDGET (self->message_label), "error");
}

GListModel *
_hm_find_bar_get_results (HmFindBar *self)
{
  return G_LIST_MODEL (self->results);
}

void
_hm_find_bar_activate_result (HmFindBar *self,
                              guint      position)
{
  g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), position);

  if (result == NULL || self->view == NULL)
    return;
  if (result->unreadable)
    {
      hm_hex_view_set_cursor_offset (self->view, result->offset);
      hm_hex_view_scroll_to_offset (self->view, result->offset);
    }
  else
    select_match (self, result->offset, result->length);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

/* The detail text row @position shows ("…" while it is being read), or %NULL
 * when the row is not shown. */
const char *
_hm_find_bar_get_preview (HmFindBar *self,
                          guint      position)
{
  g_autoptr(HmFindResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), position);
  GtkListItem *item = result != NULL ? g_hash_table_lookup (self->bound, result) : NULL;

  if (item == NULL)
    return NULL;
  return gtk_label_get_text (GTK_LABEL (gtk_widget_get_last_child (gtk_list_item_get_child (item))));
}

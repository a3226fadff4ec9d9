/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmFindBar, searching.
 *
 * Every search is a HmSearch run in a worker thread (a "job"). The bar keeps
 * one job at a time: starting another, hiding the bar or changing the
 * document cancels it and drops it, and a dropped job's late results are
 * ignored. The worker never touches the bar: matches, unreadable ranges and
 * progress go into the job under its lock, and an idle on the main thread moves
 * them into the results list in batches, so rows appear while a long Find All
 * runs. Progress and a Cancel button appear once a search has run for a moment.
 *
 * What a job does once its search is done depends on its kind: Find next and
 * previous select the match, Find All sums up the list, and Replace All hands
 * its matches to hm-find-bar-replace.c.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-fault.h"
#include "hm-find-bar-private.h"
#include "hm-search.h"

#define PROGRESS_INTERVAL_MS 100

/* ---- Jobs: one search in a worker ---- */

struct _HmFindJob
{
  gatomicrefcount  ref_count;
  HmFindJobKind    kind;
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
};

static HmFindJob *
job_ref (HmFindJob *job)
{
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

static void
job_unref (HmFindJob *job)
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmFindJob, job_unref)

/* ---- From the worker to the list ---- */

/* Moves what the worker found so far into the list, in file order. */
static void
job_flush (HmFindJob *job)
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
  _hm_find_bar_apply_highlights (self);
  _hm_find_bar_update_position (self);
}

static gboolean
job_flush_cb (gpointer user_data)
{
  job_flush (user_data);
  return G_SOURCE_REMOVE;
}

/* Worker side. */
static void
queue_flush_locked (HmFindJob *job)
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
  HmFindJob *job = user_data;

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
  HmFindJob *job = user_data;
  HmRange range = { offset, length };

  g_mutex_lock (&job->lock);
  if (job->truncated == NULL && g_error_matches (error, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED))
    job->truncated = g_error_copy (error);
  /* Only Find All lists them; the others count them (hm_search_get_n_unreadable()). */
  if (job->kind == HM_FIND_JOB_FIND_ALL)
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
  HmFindJob *job = user_data;

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
  _hm_find_bar_show_busy (self, TRUE);
  _hm_find_bar_set_message (self, text, FALSE);
  return G_SOURCE_CONTINUE;
}

/* Forgets the running job; a search still running is cancelled and its result ignored. */
void
_hm_find_bar_drop_job (HmFindBar *self)
{
  if (self->job == NULL)
    return;
  g_cancellable_cancel (self->job->cancellable);
  self->job->bar = NULL;
  g_clear_pointer (&self->job, job_unref);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  _hm_find_bar_show_busy (self, FALSE);
}

/* ---- Search results ---- */

static void
find_done (HmFindBar *self,
           HmFindJob *job)
{
  GArray *matches = hm_search_get_matches (job->search);
  g_autofree char *message = NULL;
  guint64 offset;

  if (matches->len == 0)
    {
      if (self->wrap)
        _hm_find_bar_set_message (self, _("No matches"), FALSE);
      else if (job->backward)
        _hm_find_bar_set_message (self, _("No more matches before this point (turn on Wrap around to go on from the end)"),
                                  FALSE);
      else
        _hm_find_bar_set_message (self, _("No more matches after this point (turn on Wrap around to go on from the start)"),
                                  FALSE);
      return;
    }

  offset = g_array_index (matches, guint64, 0);
  _hm_find_bar_select_match (self, offset, job->length);

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
    _hm_find_bar_set_message (self, message, FALSE);
}

static void
find_all_done (HmFindBar *self,
               HmFindJob *job)
{
  g_autofree char *message = NULL;
  guint64 unreadable = hm_search_get_n_unreadable (job->search);

  self->results_more = hm_search_get_n_matches (job->search) > self->max_results;
  if (self->n_listed == 0)
    message = g_strdup (_("No matches"));
  else if (self->results_more)
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
  _hm_find_bar_set_message (self, message, FALSE);
  _hm_find_bar_update_position (self);
}

static void
replace_all_done (HmFindBar *self,
                  HmFindJob *job)
{
  GArray *matches = hm_search_get_matches (job->search);

  if (matches->len == 0)
    {
      g_clear_pointer (&self->replacement, hm_pattern_unref);
      _hm_find_bar_set_message (self, _("No matches: nothing replaced"), FALSE);
      return;
    }

  self->replace_offsets = g_array_copy (matches);
  self->replace_index = 0;
  self->replace_count = 0;
  self->replace_end = 0;
  self->replace_shift = 0;
  self->replace_more = hm_search_get_limit_reached (job->search);
  /* The listed matches are about to change; the list would only go stale. */
  _hm_find_bar_clear_results (self);
  _hm_find_bar_show_busy (self, TRUE);
  _hm_find_bar_set_message (self, _("Replacing…"), FALSE);
  self->replace_id = g_idle_add (_hm_find_bar_replace_step_cb, self);
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HmFindJob) job = user_data;
  g_autoptr(GError) error = NULL;
  HmFindBar *self = job->bar;
  gboolean ok = hm_search_run_finish (HM_SEARCH (source), result, &error);

  if (self == NULL)
    return;

  job_flush (job);
  g_assert (self->job == job);
  g_clear_pointer (&self->job, job_unref);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  _hm_find_bar_show_busy (self, FALSE);

  if (!ok)
    {
      g_clear_pointer (&self->replacement, hm_pattern_unref);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _hm_find_bar_set_message (self, _("Search cancelled"), FALSE);
      else
        _hm_find_bar_report_error (self, _("The search stopped"), error);
      return;
    }

  switch (job->kind)
    {
    case HM_FIND_JOB_FIND:
      find_done (self, job);
      break;
    case HM_FIND_JOB_FIND_ALL:
      find_all_done (self, job);
      break;
    case HM_FIND_JOB_REPLACE_ALL:
      replace_all_done (self, job);
      break;
    default:
      g_assert_not_reached ();
    }

  /* Skipping covers unreadable pages; a file that shrank is the page's business
   * (Reload / Close), whatever the mode. */
  if (job->truncated != NULL)
    _hm_find_bar_emit_fault (self, job->truncated);
}

void
_hm_find_bar_start_search (HmFindBar     *self,
                           HmFindJobKind  kind,
                           guint64        start,
                           gboolean       backward)
{
  HmFindJob *job;
  HmSearchFlags flags = HM_SEARCH_NONE;

  _hm_find_bar_drop_job (self);
  _hm_find_bar_stop_replace_all (self);

  job = g_new0 (HmFindJob, 1);
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
    case HM_FIND_JOB_FIND:
      if (backward)
        flags |= HM_SEARCH_BACKWARD;
      if (self->wrap)
        flags |= HM_SEARCH_WRAP;
      hm_search_set_max_matches (job->search, 1);
      break;
    case HM_FIND_JOB_FIND_ALL:
      hm_search_set_max_matches (job->search, (guint64) self->max_results + 1);
      hm_search_set_match_func (job->search, job_match_cb, job, NULL);
      _hm_find_bar_clear_results (self);
      self->results_pattern = hm_pattern_ref (self->pattern);
      break;
    case HM_FIND_JOB_REPLACE_ALL:
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

/* ---- Public API ---- */

/* Where "find next" (previous) starts: just past (at) the selection, so pressing
 * it again moves on; without a selection, at the cursor. */
guint64
_hm_find_bar_search_start (HmFindBar *self,
                           gboolean   backward)
{
  if (hm_hex_view_get_selection_length (self->view) > 0)
    {
      guint64 start = hm_hex_view_get_selection_start (self->view);

      return backward ? start : start + 1;
    }
  return hm_hex_view_get_cursor_offset (self->view);
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

  if (_hm_find_bar_check_ready (self))
    _hm_find_bar_start_search (self, HM_FIND_JOB_FIND, _hm_find_bar_search_start (self, FALSE), FALSE);
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

  if (_hm_find_bar_check_ready (self))
    _hm_find_bar_start_search (self, HM_FIND_JOB_FIND, _hm_find_bar_search_start (self, TRUE), TRUE);
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

  if (_hm_find_bar_check_ready (self))
    _hm_find_bar_start_search (self, HM_FIND_JOB_FIND_ALL, 0, FALSE);
}

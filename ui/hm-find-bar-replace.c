/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmFindBar, replacing. Replace overwrites the selection when it is a match,
 * then finds the next; Replace All runs a search for up to
 * HM_SEARCH_STORE_LIMIT matches (hm-find-bar-job.c), then overwrites them here
 * in batches from an idle, with progress, skipping matches that overlap one
 * already replaced.
 *
 * A replacement of the pattern's length overwrites the match through
 * hm_document_write(); one of another length deletes the match and inserts
 * the replacement (one undo step), and Replace All then shifts the offsets of
 * the matches after it by what earlier replacements added or removed. In hex,
 * `??` in the replacement keeps the original byte (and `4?` the low nibble), so
 * a replacement with wildcards must be as long as the pattern. Replace All is
 * one undo step, however many matches it replaces.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hm-find-bar-private.h"

#define REPLACE_BATCH        256

/* ---- The replacement ---- */

static char *
bytes_text (gsize n)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zu byte", "%zu bytes", n),
                          n);
}

static gboolean
pattern_has_wildcards (HmPattern *pattern)
{
  const guint8 *mask = hm_pattern_get_mask (pattern);

  for (gsize i = 0; i < hm_pattern_get_length (pattern); i++)
    if (mask[i] != 0xff)
      return TRUE;
  return FALSE;
}

/* The replacement, parsed like the pattern; NULL with a message on error
 * (marked as the replacement's, so that correcting it takes it away). */
HmPattern *
_hm_find_bar_parse_replacement (HmFindBar *self)
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
        reason = _hm_find_bar_describe_pattern_error (text, column, error);
      message = g_strdup_printf (_("Replacement: %s"), reason);
      gtk_widget_add_css_class (GTK_WIDGET (self->replace_entry), "error");
      _hm_find_bar_set_message (self, message, TRUE);
      self->replace_error = TRUE;
      return NULL;
    }

  if (hm_pattern_get_length (replacement) != hm_pattern_get_length (self->pattern)
      && pattern_has_wildcards (replacement))
    {
      g_autofree char *pattern_bytes = bytes_text (hm_pattern_get_length (self->pattern));
      g_autofree char *replacement_bytes = bytes_text (hm_pattern_get_length (replacement));

      /* Translators: both %s are lengths, like "4 bytes" */
      message = g_strdup_printf (_("The pattern is %s but the replacement %s: a replacement with ?? keeps "
                                   "bytes of the match, so the lengths must match"),
                                 pattern_bytes, replacement_bytes);
      gtk_widget_add_css_class (GTK_WIDGET (self->replace_entry), "error");
      _hm_find_bar_set_message (self, message, TRUE);
      self->replace_error = TRUE;
      return NULL;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->replace_entry), "error");
  return g_steal_pointer (&replacement);
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
  gsize match_length = hm_pattern_get_length (self->pattern);
  gssize n;
  gboolean done;

  if (length != match_length)
    {
      /* Another length: the match goes and the replacement comes, as one step. */
      hm_document_begin_group (self->document);
      done = hm_document_delete (self->document, offset, match_length, error)
             && hm_document_insert (self->document, offset, bytes, length, HM_EDIT_NONE, error);
      hm_document_end_group (self->document);
      return done;
    }
  n = hm_document_read (self->document, offset, buffer, length, error);
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
  if (hm_document_get_mode (self->document) != HM_DOCUMENT_MODE_READ_ONLY)
    return TRUE;
  if (!hm_document_get_can_write (self->document))
    {
      /* No mode would help: say why, and what does. */
      g_autofree char *reason = hm_document_dup_read_only_reason (self->document);
      /* Translators: %s is why the file cannot be written, a sentence */
      g_autofree char *message = g_strdup_printf (_("%s To replace bytes, use Edit a Copy… in the mode menu."),
                                                  reason != NULL ? reason : _("This file cannot be written."));

      _hm_find_bar_set_message (self, message, TRUE);
      return FALSE;
    }
  _hm_find_bar_set_message (self, _("The file is open read-only: switch to Preview or Direct mode to replace bytes"),
                            TRUE);
  return FALSE;
}

void
_hm_find_bar_stop_replace_all (HmFindBar *self)
{
  if (self->replace_id == 0 && self->replace_offsets == NULL && self->replacement == NULL)
    return;
  g_clear_handle_id (&self->replace_id, g_source_remove);
  if (self->replace_grouped)
    {
      self->replace_grouped = FALSE;
      if (self->document != NULL)
        hm_document_end_group (self->document);
    }
  g_clear_pointer (&self->replace_offsets, g_array_unref);
  g_clear_pointer (&self->replacement, hm_pattern_unref);
  _hm_find_bar_show_busy (self, FALSE);
}

static void
finish_replace_all (HmFindBar    *self,
                    const GError *error)
{
  g_autofree char *message = NULL;
  guint count = self->replace_count;
  gboolean more = self->replace_more;

  self->replace_id = 0;
  _hm_find_bar_stop_replace_all (self);

  if (error != NULL)
    {
      g_autofree char *what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Replace All stopped after %u replacement",
                                                            "Replace All stopped after %u replacements",
                                                            count), count);

      _hm_find_bar_report_error (self, what, error);
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
  _hm_find_bar_set_message (self, message, FALSE);
}

gboolean
_hm_find_bar_replace_step_cb (gpointer user_data)
{
  HmFindBar *self = user_data;
  gsize length = hm_pattern_get_length (self->replacement);
  gint64 delta = (gint64) length - (gint64) hm_pattern_get_length (self->pattern);
  g_autofree guint8 *buffer = g_malloc (length);
  GArray *offsets = self->replace_offsets;
  gboolean ok = TRUE;
  g_autoptr(GError) error = NULL;

  /* All of it is one undo step: the group stays open until Replace All ends. */
  if (!self->replace_grouped)
    {
      self->replace_grouped = TRUE;
      hm_document_begin_group (self->document);
    }
  /* Our own edits must not prune results one by one; the list is already clear. */
  g_signal_handler_block (self->document, self->changed_id);
  g_signal_handler_block (self->document, self->content_changed_id);
  for (guint n = 0; ok && n < REPLACE_BATCH && self->replace_index < offsets->len; n++)
    {
      /* Found before any replacement: where it is now that earlier ones changed length. */
      guint64 offset = (guint64) ((gint64) g_array_index (offsets, guint64, self->replace_index++)
                                  + self->replace_shift);

      /* Matches can overlap ("aa" in "aaa"): the first one wins. */
      if (offset < self->replace_end)
        continue;
      ok = replace_at (self, offset, self->replacement, buffer, &error);
      if (ok)
        {
          self->replace_count++;
          self->replace_end = offset + length;
          self->replace_shift += delta;
        }
    }
  g_signal_handler_unblock (self->document, self->content_changed_id);
  g_signal_handler_unblock (self->document, self->changed_id);

  if (!ok || self->replace_index >= offsets->len)
    {
      finish_replace_all (self, error);
      return G_SOURCE_REMOVE;
    }
  gtk_progress_bar_set_fraction (self->progress_bar, (double) self->replace_index / offsets->len);
  return G_SOURCE_CONTINUE;
}

/* ---- Public API ---- */

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

  if (!_hm_find_bar_check_ready (self) || !check_writable (self))
    return;
  replacement = _hm_find_bar_parse_replacement (self);
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
          _hm_find_bar_report_error (self, _("Could not replace"), error);
          return;
        }
      /* Go on past the replaced bytes, so a replacement that contains the
       * pattern is not found again. */
      _hm_find_bar_start_search (self, HM_FIND_JOB_FIND,
                                 self->backward ? start : start + hm_pattern_get_length (replacement),
                                 self->backward);
      return;
    }

  /* Nothing to replace yet: the first press finds. */
  _hm_find_bar_start_search (self, HM_FIND_JOB_FIND, _hm_find_bar_search_start (self, self->backward), self->backward);
}

/**
 * hm_find_bar_replace_all:
 * @self: a #HmFindBar
 *
 * Replaces every match in the file with the replacement. Matches are found in
 * a worker, then replaced in batches from the main loop with progress, all as
 * one undo step. At most
 * %HM_SEARCH_STORE_LIMIT matches are replaced per call; the message says when
 * there are more.
 */
void
hm_find_bar_replace_all (HmFindBar *self)
{
  g_autoptr(HmPattern) replacement = NULL;

  g_return_if_fail (HM_IS_FIND_BAR (self));

  if (!_hm_find_bar_check_ready (self) || !check_writable (self))
    return;
  replacement = _hm_find_bar_parse_replacement (self);
  if (replacement == NULL)
    return;

  _hm_find_bar_start_search (self, HM_FIND_JOB_REPLACE_ALL, 0, FALSE);
  self->replacement = g_steal_pointer (&replacement);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmFindBar: find and replace over the document of a HmHexView.
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
 * The class is split by job; the files share the instance struct and the
 * _hm_find_bar_* calls in hm-find-bar-private.h:
 *
 *   hm-find-bar.c          the widget: properties, the "fault" signal, the
 *                          pattern and the options, the message line, the
 *                          public API
 *   hm-find-bar-job.c      searches in a worker ("jobs"): Find next, previous
 *                          and All, and what each does with its result
 *   hm-find-bar-results.c  the Find All list and the highlights: matches that
 *                          go stale, previews and checks on slow storage
 *   hm-find-bar-replace.c  Replace and Replace All
 *
 * A row of the list is a HmFindResult (hm-find-result.c).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "hm-fault.h"
#include "hm-find-bar-private.h"

#define DEFAULT_MAX_RESULTS  10000

G_DEFINE_FINAL_TYPE (HmFindBar, hm_find_bar, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
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

/* ---- Messages ---- */

static void
update_status_box (HmFindBar *self)
{
  const char *text = self->pattern_error != NULL ? self->pattern_error : self->message;
  gboolean error = self->pattern_error != NULL || self->message_is_error;
  const char *page = "none";

  /* Nothing to say: a hint, so the line is never an empty band. */
  if (text == NULL || *text == '\0')
    text = self->text_mode ? _("Enter finds the next match, Shift+Enter the previous; Find All lists them all")
                           : _("Hex bytes like 4d 5a; ?? matches any byte. Enter finds the next match");
  gtk_label_set_text (self->message_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->message_label), text);
  if (error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
      if (self->message == NULL || *self->message == '\0')
        gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
    }
  if (self->busy)
    page = "busy";
  else if (self->offer_text && self->pattern_error != NULL)
    page = "as-text";
  gtk_stack_set_visible_child_name (self->status_stack, page);
}

void
_hm_find_bar_set_message (HmFindBar  *self,
                          const char *message,
                          gboolean    is_error)
{
  g_free (self->message);
  self->message = g_strdup (message);
  self->message_is_error = is_error;
  update_status_box (self);
}

void
_hm_find_bar_show_busy (HmFindBar *self,
                        gboolean   busy)
{
  self->busy = busy;
  if (!busy)
    gtk_progress_bar_set_fraction (self->progress_bar, 0);
  update_status_box (self);
}

/* An error from the core: faults and system errors go to the page's dialog too. */
void
_hm_find_bar_report_error (HmFindBar    *self,
                           const char   *what,
                           const GError *error)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", what, error->message);

  _hm_find_bar_set_message (self, text, TRUE);
  if (error->domain == HM_FAULT_ERROR || error->domain == G_IO_ERROR)
    g_signal_emit (self, signals[SIGNAL_FAULT], 0, error);
}

/* For the worker's results: a fault the bar does not show itself. */
void
_hm_find_bar_emit_fault (HmFindBar    *self,
                         const GError *error)
{
  g_signal_emit (self, signals[SIGNAL_FAULT], 0, error);
}

/* ---- The pattern ---- */

char *
_hm_find_bar_describe_pattern_error (const char   *text,
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
        self->pattern_error = _hm_find_bar_describe_pattern_error (text, column, error);
    }
  /* "hello" in hex mode: not hex, but a fine text pattern; offer to search it as text. */
  self->offer_text = FALSE;
  if (self->pattern == NULL && !self->text_mode
      && g_error_matches (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER))
    {
      g_autoptr(HmPattern) as_text = hm_pattern_new_text (text, -1, (HmTextEncoding) self->encoding,
                                                          HM_PATTERN_FLAGS_NONE, NULL, NULL);

      self->offer_text = as_text != NULL;
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

/* ---- Moving the view ---- */

void
_hm_find_bar_select_match (HmFindBar *self,
                           guint64    offset,
                           guint64    length)
{
  hm_hex_view_set_selection (self->view, offset, length);
  hm_hex_view_reveal_offset (self->view, offset);
  _hm_find_bar_update_position (self);
}

/* "3 of 12" beside the entry while the selection is one of the Find All matches
 * (the list is of the current pattern: it is cleared whenever that changes). */
void
_hm_find_bar_update_position (HmFindBar *self)
{
  guint64 start, length;
  guint lo = 0, hi;
  g_autofree char *text = NULL;

  if (self->view == NULL || self->highlights->len == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->position_label), FALSE);
      return;
    }
  start = hm_hex_view_get_selection_start (self->view);
  length = hm_hex_view_get_selection_length (self->view);
  hi = self->highlights->len;
  /* The matches are in file order: the first one not before the selection. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->highlights, HmRange, mid).offset < start)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (length == 0 || lo >= self->highlights->len || g_array_index (self->highlights, HmRange, lo).offset != start
      || g_array_index (self->highlights, HmRange, lo).length != length)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->position_label), FALSE);
      return;
    }
  if (self->results_more)
    /* Translators: the match selected and how many Find All listed, when there are more */
    text = g_strdup_printf (_("%u of %u+"), lo + 1, self->highlights->len);
  else
    /* Translators: the match selected and how many there are, like "3 of 12" */
    text = g_strdup_printf (_("%u of %u"), lo + 1, self->highlights->len);
  gtk_label_set_text (self->position_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->position_label), TRUE);
}

gboolean
_hm_find_bar_check_ready (HmFindBar *self)
{
  if (self->view == NULL || self->document == NULL)
    return FALSE;
  if (self->pattern == NULL)
    {
      if (self->pattern_error == NULL)
        _hm_find_bar_set_message (self, _("Enter something to find"), TRUE);
      return FALSE;
    }
  if (hm_document_get_size (self->document) == 0)
    {
      _hm_find_bar_set_message (self, _("The file is empty"), FALSE);
      return FALSE;
    }
  return TRUE;
}

/* ---- Document tracking ---- */

static void
set_document (HmFindBar  *self,
              HmDocument *document)
{
  if (self->document == document)
    return;

  _hm_find_bar_drop_job (self);
  _hm_find_bar_stop_replace_all (self);
  if (self->document != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->document);
      g_clear_signal_handler (&self->content_changed_id, self->document);
    }
  g_set_object (&self->document, document);
  if (document != NULL)
    {
      self->changed_id = g_signal_connect_object (document, "changed", G_CALLBACK (_hm_find_bar_document_changed_cb),
                                                  self, G_CONNECT_SWAPPED);
      self->content_changed_id = g_signal_connect_object (document, "content-changed",
                                                          G_CALLBACK (_hm_find_bar_content_changed_cb), self,
                                                          G_CONNECT_SWAPPED);
    }
  _hm_find_bar_clear_results (self);
  _hm_find_bar_set_message (self, NULL, FALSE);
  update_sensitivity (self);
}

/* ---- Signal handlers from the template ---- */

/* The Find All list and its summary belong to the pattern they were found
 * with: another pattern, mode, case or encoding drops them, so the list never
 * shows the results of a search the user no longer sees. */
static void
forget_results (HmFindBar *self)
{
  gboolean had_results = g_list_model_get_n_items (G_LIST_MODEL (self->results)) > 0
                         || self->results_pattern != NULL;

  if (self->job != NULL)
    {
      _hm_find_bar_drop_job (self);
      _hm_find_bar_set_message (self, NULL, FALSE);
    }
  if (!had_results)
    return;
  _hm_find_bar_clear_results (self);
  if (!self->message_is_error || self->replace_error)
    _hm_find_bar_set_message (self, NULL, FALSE);
}

static void
entry_changed_cb (HmFindBar *self)
{
  forget_results (self);
  update_pattern (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATTERN]);
}

/* A replacement with an error is checked again as it is typed: once it is
 * right, the error goes. */
static void
replace_changed_cb (HmFindBar *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->replace_entry), "error");
  if (self->replace_error && self->pattern != NULL)
    {
      g_autoptr(HmPattern) replacement = _hm_find_bar_parse_replacement (self);

      if (replacement != NULL)
        _hm_find_bar_set_message (self, NULL, FALSE);
    }
}

static void
as_text_cb (HmFindBar *self)
{
  g_object_set (self, "text-mode", TRUE, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
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

static void
result_activate_cb (HmFindBar   *self,
                    guint        position,
                    GtkListView *list)
{
  _hm_find_bar_activate_result (self, position);
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
    {
      forget_results (self);
      update_pattern (self);
    }
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
      g_value_set_enum (value, self->encoding);
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
      if (self->encoding != (HmTextEncoding) g_value_get_enum (value))
        {
          self->encoding = g_value_get_enum (value);
          forget_results (self);
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

  _hm_find_bar_drop_job (self);
  _hm_find_bar_stop_replace_all (self);
  /* Clears the results: a batch in flight keeps the bar alive until it
   * returns, and its callback then does nothing. */
  _hm_find_bar_attach (self, NULL, NULL);
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
    g_param_spec_enum ("encoding", NULL, NULL, HM_TYPE_TEXT_ENCODING, HM_TEXT_ENCODING_UTF8,
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
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, status_stack);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, as_text_button);
  gtk_widget_class_bind_template_child (widget_class, HmFindBar, position_label);
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
  gtk_widget_class_bind_template_callback (widget_class, as_text_cb);
  gtk_widget_class_bind_template_callback (widget_class, result_activate_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  /* Take the theme's search bar style: searchbar > revealer > box. */
  gtk_widget_class_set_css_name (widget_class, "searchbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_SEARCH);
}

static void
hm_find_bar_init (HmFindBar *self)
{
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

  _hm_find_bar_results_init (self);

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
 * Creates a find bar, hidden; the page attaches it to its view and document
 * with _hm_find_bar_attach().
 *
 * Returns: (transfer floating): a new #HmFindBar
 */
GtkWidget *
hm_find_bar_new (void)
{
  return g_object_new (HM_TYPE_FIND_BAR, NULL);
}

/**
 * _hm_find_bar_attach:
 * @self: a #HmFindBar
 * @view: (nullable): the view whose selection it starts from and moves
 * @document: (nullable): @view's document, the one it searches
 *
 * The bar searches @document, moves @view's selection to matches and
 * highlights Find All results in @view. The page attaches it once; (%NULL,
 * %NULL) detaches it, as its dispose does.
 */
void
_hm_find_bar_attach (HmFindBar  *self,
                     HmHexView  *view,
                     HmDocument *document)
{
  g_return_if_fail (HM_IS_FIND_BAR (self));
  g_return_if_fail (view == NULL || HM_IS_HEX_VIEW (view));
  g_return_if_fail (document == NULL || HM_IS_DOCUMENT (document));
  g_return_if_fail ((view == NULL) == (document == NULL));

  if (self->view != view)
    {
      if (self->view != NULL)
        {
          _hm_find_bar_cancel_keep_visible (self);
          g_signal_handlers_disconnect_by_func (self->view, _hm_find_bar_update_position, self);
          hm_hex_view_set_highlights (self->view, NULL);
        }
      g_set_object (&self->view, view);
      if (view != NULL)
        {
          g_signal_connect_object (view, "notify::selection-start", G_CALLBACK (_hm_find_bar_update_position),
                                   self, G_CONNECT_SWAPPED);
          g_signal_connect_object (view, "notify::selection-length", G_CALLBACK (_hm_find_bar_update_position),
                                   self, G_CONNECT_SWAPPED);
        }
    }
  set_document (self, document);
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
          _hm_find_bar_drop_job (self);
          _hm_find_bar_set_message (self, NULL, FALSE);
        }
      if (self->view != NULL && focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
        gtk_widget_grab_focus (GTK_WIDGET (self->view));
    }
  _hm_find_bar_apply_highlights (self);
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
 * hm_find_bar_focus_replace:
 * @self: a #HmFindBar
 *
 * Shows the bar with its replace row (Ctrl+H). The focus goes to the find
 * entry while it is empty, to the replacement otherwise, its text selected.
 */
void
hm_find_bar_focus_replace (HmFindBar *self)
{
  g_return_if_fail (HM_IS_FIND_BAR (self));

  hm_find_bar_set_revealed (self, TRUE);
  gtk_toggle_button_set_active (self->replace_toggle, TRUE);
  if (*gtk_editable_get_text (GTK_EDITABLE (self->entry)) == '\0')
    {
      hm_find_bar_focus (self);
      return;
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->replace_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->replace_entry), 0, -1);
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

      _hm_find_bar_stop_replace_all (self);
      _hm_find_bar_set_message (self, message, FALSE);
    }
  else if (self->job != NULL)
    {
      _hm_find_bar_drop_job (self);
      _hm_find_bar_set_message (self, _("Search cancelled"), FALSE);
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
  /* What the bar says, not the hint it shows when it has nothing to say. */
  if (self->pattern_error != NULL)
    return self->pattern_error;
  return self->message != NULL ? self->message : "";
}

/* "3 of 12", or NULL while the selection is no listed match. */
const char *
_hm_find_bar_get_position (HmFindBar *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->position_label)))
    return NULL;
  return gtk_label_get_text (self->position_label);
}

/* The "Search as Text" button, shown only when it is offered. */
GtkWidget *
_hm_find_bar_get_as_text_button (HmFindBar *self)
{
  return GTK_WIDGET (self->as_text_button);
}

/* The revealer of the replace row. */
GtkWidget *
_hm_find_bar_get_replace_row (HmFindBar *self)
{
  return gtk_widget_get_parent (gtk_widget_get_parent (GTK_WIDGET (self->replace_entry)));
}

gboolean
_hm_find_bar_get_message_is_error (HmFindBar *self)
{
  return gtk_widget_has_css_class (GTK_WIDGET (self->message_label), "error");
}

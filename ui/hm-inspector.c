/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmInspector: the bytes at the cursor read as numbers, bits, a character and a
 * time. One byte order applies to every multi-byte field (a toggle at the top),
 * which keeps the panel narrow enough to sit beside the view.
 *
 * Typing a value into a field and pressing Enter parses it and writes its bytes
 * at the cursor through hm_document_write(), one undo step; Escape or leaving
 * the field puts the current value back. A field that needs more bytes than
 * remain before the end of the file shows "—".
 *
 * Reading. The inspector reads only while it is mapped: hidden behind another
 * side panel or with the side pane closed it does nothing, and catches up when
 * it is shown again. Where the storage may stall (hm_document_get_may_stall():
 * network and FUSE mounts) a read may wait for a server, or forever, so there the
 * bytes come from a worker (hm_reader_read_ranges_async()): every field
 * shows "…" until they arrive, and editing waits for them. At most one read is
 * in flight; a cursor move meanwhile cancels it (a read that already started
 * cannot be stopped, its bytes are dropped) and reads the new position when it
 * returns, so holding an arrow key on a hung mount never piles up threads.
 * Local files are read at once: they are mapped and answer in microseconds.
 */
#include "config.h"

#include "hm-inspector.h"
#include "hm-inspector-private.h"

#include "hm-fault.h"
#include "hm-inspect.h"
#include "hm-reader.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#define MAX_FIELD_BYTES HM_INSPECT_MAX_BYTES
#define NO_VALUE        "—"
#define LOADING_VALUE   "…"

struct _HmInspector
{
  GtkWidget        parent_instance;

  HmHexView       *view;
  HmDocument      *document;
  GSignalGroup    *view_signals;
  GSignalGroup    *document_signals;
  gboolean         big_endian;
  gboolean         show_hex;

  guint64          offset;
  guint8           bytes[MAX_FIELD_BYTES];
  gsize            n_bytes;
  int              error_field;    /* the field showing an error, or -1 */
  gboolean         loaded;         /* bytes holds what is at offset */
  gboolean         loading;        /* waiting for the worker: fields show "…" */
  gboolean         dirty;          /* a refresh was skipped while unmapped */

  /* The read in flight on the worker, if any (see "Reading" above). */
  GCancellable    *read_cancellable;
  gboolean         reading;
  guint            generation;     /* bumped whenever the wanted bytes change */
  guint            read_generation;

  /* Template widgets */
  GtkWidget       *box;
  GtkLabel        *offset_label;
  GtkToggleButton *little_button;
  GtkToggleButton *big_button;
  GtkToggleButton *hex_button;
  GtkGrid         *grid;
  GtkLabel        *error_label;
  GtkLabel        *status_label;

  GtkWidget       *values[HM_INSPECTOR_N_FIELDS];
};

enum
{
  PROP_0,
  PROP_BIG_ENDIAN,
  PROP_SHOW_HEX,
  N_PROPS
};

enum
{
  SIGNAL_FAULT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HmInspector, hm_inspector, GTK_TYPE_WIDGET)

/* ---- Values ---- */

/* The values themselves (formatting, parsing, ranges) are core's: hm-inspect.h. */
static char *
format_field (HmInspector      *self,
              HmInspectorField  field)
{
  char *text = NULL;

  if (self->show_hex)
    text = hm_inspect_format_hex ((HmInspectField) field, self->bytes, self->n_bytes, self->big_endian);
  if (text == NULL)
    text = hm_inspect_format ((HmInspectField) field, self->bytes, self->n_bytes, self->big_endian);

  return text != NULL ? text : g_strdup (NO_VALUE);
}

/* ---- Showing ---- */

static gboolean
is_writable (HmInspector *self)
{
  return self->document != NULL && hm_document_get_mode (self->document) != HM_DOCUMENT_MODE_READ_ONLY;
}

static void
set_field_text (HmInspector      *self,
                HmInspectorField  field,
                const char       *text)
{
  GtkWidget *widget = self->values[field];

  if (GTK_IS_LABEL (widget))
    gtk_label_set_text (GTK_LABEL (widget), text);
  else
    gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

/* The error line sits right under the field it is about (a row inserted in
 * the grid), where the eye is, not below fifteen fields; the field's tooltip
 * and accessible description carry it too. */
static void
clear_error (HmInspector *self)
{
  if (self->error_field >= 0)
    {
      GtkWidget *value = self->values[self->error_field];

      gtk_widget_remove_css_class (value, "error");
      gtk_widget_set_tooltip_text (value, NULL);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_grid_remove (self->grid, GTK_WIDGET (self->error_label));
      gtk_grid_remove_row (self->grid, self->error_field + 1);
    }
  self->error_field = -1;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

static void
show_error (HmInspector      *self,
            HmInspectorField  field,
            const char       *message)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", hm_inspect_field_get_name ((HmInspectField) field),
                                           message);

  clear_error (self);
  self->error_field = (int) field;
  gtk_widget_add_css_class (self->values[field], "error");
  gtk_widget_set_tooltip_text (self->values[field], message);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->values[field]),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->values[field]),
                               GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE, -1);
  gtk_label_set_text (self->error_label, text);
  gtk_grid_insert_row (self->grid, (int) field + 1);
  gtk_grid_attach (self->grid, GTK_WIDGET (self->error_label), 1, (int) field + 1, 1, 1);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
show_field (HmInspector      *self,
            HmInspectorField  field)
{
  g_autofree char *text = NULL;
  gboolean available = self->n_bytes >= hm_inspect_field_get_size ((HmInspectField) field);

  if (self->loading)
    text = g_strdup (LOADING_VALUE);
  else
    text = format_field (self, field);
  set_field_text (self, field, text);
  if (GTK_IS_EDITABLE (self->values[field]))
    gtk_editable_set_editable (GTK_EDITABLE (self->values[field]),
                               !self->loading && available &&
                               hm_inspect_field_is_editable ((HmInspectField) field) && is_writable (self));
}

static void
show_fields (HmInspector *self)
{
  for (guint i = 0; i < HM_INSPECTOR_N_FIELDS; i++)
    show_field (self, (HmInspectorField) i);
}

/* Shows what a read of the bytes at the cursor gave: @n bytes, or @error. */
static void
show_bytes (HmInspector  *self,
            gssize        n,
            const GError *error)
{
  self->loading = FALSE;
  self->loaded = TRUE;
  if (n < 0)
    {
      /* The view reports unreadable bytes on screen through its own fault
       * signal; the inspector only says why it shows nothing. */
      g_autofree char *text = g_strdup_printf (_("Unreadable: %s"), error->message);

      gtk_label_set_text (self->status_label, text);
      n = 0;
    }
  else if (!hm_document_get_can_write (self->document))
    {
      g_autofree char *reason = hm_document_dup_read_only_reason (self->document);
      /* Translators: %s is why the file cannot be written, a sentence */
      g_autofree char *text = g_strdup_printf (_("%s To change values, use Edit a Copy… in the mode menu."),
                                               reason != NULL ? reason : _("This file cannot be written."));

      gtk_label_set_text (self->status_label, text);
    }
  else if (!is_writable (self))
    gtk_label_set_text (self->status_label,
                        _("The file is open read-only: choose Preview or Direct in the mode menu to change values."));
  else
    gtk_label_set_text (self->status_label, _("Type a value and press Enter to write it at the cursor."));
  self->n_bytes = (gsize) n;
  show_fields (self);
}

static void start_read (HmInspector *self);

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HmInspector) self = user_data;   /* the reference start_read() took */
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  items = hm_reader_read_ranges_finish (result, &error);
  self->reading = FALSE;
  g_clear_object (&self->read_cancellable);

  /* Disposed, or moved on: read the bytes wanted now, if any. */
  if (self->view == NULL)
    return;
  if (items == NULL || self->read_generation != self->generation)
    {
      if (self->loading && gtk_widget_get_mapped (GTK_WIDGET (self)))
        start_read (self);
      return;
    }

  {
    HmReadItem *item = g_ptr_array_index (items, 0);
    gsize n = item->bytes != NULL ? g_bytes_get_size (item->bytes) : 0;

    if (item->bytes != NULL)
      memcpy (self->bytes, g_bytes_get_data (item->bytes, NULL), MIN (n, sizeof self->bytes));
    show_bytes (self, item->bytes != NULL ? (gssize) n : -1, item->error);
  }
}

/* Reads the bytes at the cursor on the worker, unless a read is in flight: that
 * one is cancelled, and its callback starts the next. */
static void
start_read (HmInspector *self)
{
  HmRange range = { self->offset, MAX_FIELD_BYTES };

  if (self->reading)
    {
      g_cancellable_cancel (self->read_cancellable);
      return;
    }
  self->reading = TRUE;
  self->read_generation = self->generation;
  self->read_cancellable = g_cancellable_new ();
  hm_reader_read_ranges_async (self->document, &range, 1, self->read_cancellable,
                               read_done_cb, g_object_ref (self));
}

static void
refresh (HmInspector *self)
{
  g_autofree char *offset_text = NULL;

  clear_error (self);
  self->n_bytes = 0;
  self->loaded = FALSE;
  self->loading = FALSE;
  self->generation++;

  /* Hidden: read nothing; map() catches up. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->dirty = TRUE;
      if (self->reading)
        g_cancellable_cancel (self->read_cancellable);
      return;
    }
  self->dirty = FALSE;

  if (self->document == NULL)
    {
      gtk_label_set_text (self->offset_label, _("No file"));
      gtk_label_set_text (self->status_label, "");
      show_fields (self);
      return;
    }

  self->offset = hm_hex_view_get_cursor_offset (self->view);
  offset_text = g_strdup_printf (_("At offset 0x%" PRIX64 " (%" PRIu64 ")"),
                                 self->offset, self->offset);
  gtk_label_set_text (self->offset_label, offset_text);

  if (hm_document_get_may_stall (self->document))
    {
      self->loading = TRUE;
      gtk_label_set_text (self->status_label, _("Reading the bytes at the cursor…"));
      show_fields (self);
      start_read (self);
    }
  else
    {
      g_autoptr(GError) error = NULL;
      gssize n = hm_document_read (self->document, self->offset, self->bytes, sizeof self->bytes, &error);

      show_bytes (self, n, error);
    }
}

/* ---- Editing ---- */

static gboolean
commit_field (HmInspector      *self,
              HmInspectorField  field,
              const char       *text)
{
  g_autoptr(GError) error = NULL;
  guint8 bytes[MAX_FIELD_BYTES];
  guint size = hm_inspect_field_get_size ((HmInspectField) field);

  if (!hm_inspect_field_is_editable ((HmInspectField) field) || !is_writable (self) || self->n_bytes < size)
    return FALSE;

  if (!hm_inspect_parse ((HmInspectField) field, text, self->big_endian, bytes, &error))
    {
      show_error (self, field, error->message);
      return FALSE;
    }

  if (!hm_document_write (self->document, self->offset, bytes, size, HM_EDIT_NONE, &error))
    {
      show_error (self, field, error->message);
      if (error->domain == HM_FAULT_ERROR)
        g_signal_emit (self, signals[SIGNAL_FAULT], 0, error);
      return FALSE;
    }

  /* The document's "changed" has already refreshed the fields. */
  return TRUE;
}

static int
field_of (HmInspector *self,
          GtkWidget   *widget)
{
  for (guint i = 0; i < HM_INSPECTOR_N_FIELDS; i++)
    if (self->values[i] == widget)
      return (int) i;
  return -1;
}

static void
entry_activate_cb (GtkEntry    *entry,
                   HmInspector *self)
{
  int field = field_of (self, GTK_WIDGET (entry));

  g_assert (field >= 0);
  commit_field (self, (HmInspectorField) field, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static gboolean
entry_key_pressed_cb (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      HmInspector           *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  int field = field_of (self, entry);

  if (keyval != GDK_KEY_Escape || field < 0)
    return FALSE;
  if (self->error_field == field)
    clear_error (self);
  show_field (self, (HmInspectorField) field);
  return TRUE;
}

static void
entry_focus_leave_cb (GtkEventControllerFocus *controller,
                      HmInspector             *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  int field = field_of (self, entry);

  /* Leaving a field drops what was typed but not entered; an error stays
   * visible until the next change, so the user can read it. */
  if (field >= 0 && self->error_field != field)
    show_field (self, (HmInspectorField) field);
}

static void
byte_order_toggled_cb (GtkToggleButton *button,
                       HmInspector     *self)
{
  if (gtk_toggle_button_get_active (button))
    hm_inspector_set_big_endian (self, button == self->big_button);
}

static void
build_fields (HmInspector *self)
{
  for (guint i = 0; i < HM_INSPECTOR_N_FIELDS; i++)
    {
      GtkWidget *name = gtk_label_new (hm_inspect_field_get_name ((HmInspectField) i));
      GtkWidget *value;

      gtk_label_set_xalign (GTK_LABEL (name), 0.0);
      gtk_widget_add_css_class (name, "dim-label");

      if (hm_inspect_field_is_editable ((HmInspectField) i))
        {
          GtkEventController *key = gtk_event_controller_key_new ();
          GtkEventController *focus = gtk_event_controller_focus_new ();

          value = gtk_entry_new ();
          gtk_editable_set_width_chars (GTK_EDITABLE (value), 21);
          g_signal_connect (value, "activate", G_CALLBACK (entry_activate_cb), self);
          g_signal_connect (key, "key-pressed", G_CALLBACK (entry_key_pressed_cb), self);
          g_signal_connect (focus, "leave", G_CALLBACK (entry_focus_leave_cb), self);
          gtk_widget_add_controller (value, key);
          gtk_widget_add_controller (value, focus);
        }
      else
        {
          value = gtk_label_new (NULL);
          gtk_label_set_xalign (GTK_LABEL (value), 0.0);
          gtk_label_set_selectable (GTK_LABEL (value), TRUE);
          gtk_widget_set_margin_start (value, 9);
        }
      gtk_widget_set_hexpand (value, TRUE);
      gtk_widget_add_css_class (value, "monospace");
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, name, NULL, -1);

      gtk_grid_attach (self->grid, name, 0, (int) i, 1, 1);
      gtk_grid_attach (self->grid, value, 1, (int) i, 1, 1);
      self->values[i] = value;
    }
}

/* ---- Following the view ---- */

static void
document_changed_cb (HmInspector *self,
                     guint64      offset,
                     guint64      length)
{
  if (offset < self->offset + MAX_FIELD_BYTES && self->offset < offset + length)
    refresh (self);
}

static void
document_notify_cb (HmInspector *self)
{
  refresh (self);
}

static void
view_cursor_cb (HmInspector *self)
{
  refresh (self);
}

/* ---- GObject ---- */

static void
hm_inspector_map (GtkWidget *widget)
{
  HmInspector *self = HM_INSPECTOR (widget);

  GTK_WIDGET_CLASS (hm_inspector_parent_class)->map (widget);
  if (self->dirty)
    refresh (self);
}

static void
hm_inspector_dispose (GObject *object)
{
  HmInspector *self = HM_INSPECTOR (object);

  /* A read in flight keeps the inspector alive until it returns; its callback
   * sees no view and does nothing. */
  if (self->read_cancellable != NULL)
    g_cancellable_cancel (self->read_cancellable);

  _hm_inspector_attach (self, NULL, NULL);
  g_clear_object (&self->view_signals);
  g_clear_object (&self->document_signals);
  if (self->error_label != NULL && gtk_widget_get_parent (GTK_WIDGET (self->error_label)) != NULL)
    gtk_grid_remove (self->grid, GTK_WIDGET (self->error_label));
  g_clear_object (&self->error_label);
  gtk_widget_dispose_template (GTK_WIDGET (self), HM_TYPE_INSPECTOR);

  G_OBJECT_CLASS (hm_inspector_parent_class)->dispose (object);
}

static void
hm_inspector_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HmInspector *self = HM_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_BIG_ENDIAN:
      g_value_set_boolean (value, self->big_endian);
      break;
    case PROP_SHOW_HEX:
      g_value_set_boolean (value, self->show_hex);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_inspector_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HmInspector *self = HM_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_BIG_ENDIAN:
      hm_inspector_set_big_endian (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_HEX:
      hm_inspector_set_show_hex (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_inspector_class_init (HmInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hm_inspector_dispose;
  object_class->get_property = hm_inspector_get_property;
  object_class->set_property = hm_inspector_set_property;
  widget_class->map = hm_inspector_map;

  properties[PROP_BIG_ENDIAN] =
    g_param_spec_boolean ("big-endian", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_HEX] =
    g_param_spec_boolean ("show-hex", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_FAULT] =
    g_signal_new ("fault", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/hexmap/Hexmap/ui/hm-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, HmInspector, box);
  gtk_widget_class_bind_template_child (widget_class, HmInspector, offset_label);
  gtk_widget_class_bind_template_child (widget_class, HmInspector, little_button);
  gtk_widget_class_bind_template_child (widget_class, HmInspector, big_button);
  gtk_widget_class_bind_template_child (widget_class, HmInspector, hex_button);
  gtk_widget_class_bind_template_child (widget_class, HmInspector, grid);
  gtk_widget_class_bind_template_child (widget_class, HmInspector, error_label);
  gtk_widget_class_bind_template_child (widget_class, HmInspector, status_label);
  gtk_widget_class_bind_template_callback (widget_class, byte_order_toggled_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "hm-inspector");
}

static void
hm_inspector_init (HmInspector *self)
{
  self->error_field = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The error line moves into the grid under the field it is about; the
   * inspector keeps it alive while it is out of the grid. */
  g_object_ref (self->error_label);
  gtk_box_remove (GTK_BOX (self->box), GTK_WIDGET (self->error_label));
  build_fields (self);
  g_object_bind_property (self, "show-hex", self->hex_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  self->view_signals = g_signal_group_new (HM_TYPE_HEX_VIEW);
  g_signal_group_connect_swapped (self->view_signals, "notify::cursor-offset",
                                  G_CALLBACK (view_cursor_cb), self);

  self->document_signals = g_signal_group_new (HM_TYPE_DOCUMENT);
  g_signal_group_connect_swapped (self->document_signals, "changed",
                                  G_CALLBACK (document_changed_cb), self);
  g_signal_group_connect_swapped (self->document_signals, "notify::mode",
                                  G_CALLBACK (document_notify_cb), self);
  g_signal_group_connect_swapped (self->document_signals, "notify::size",
                                  G_CALLBACK (document_notify_cb), self);

  refresh (self);
}

/**
 * hm_inspector_new:
 *
 * Returns: (transfer floating): a new inspector; the page attaches it to its
 *   view and document with _hm_inspector_attach()
 */
GtkWidget *
hm_inspector_new (void)
{
  return g_object_new (HM_TYPE_INSPECTOR, NULL);
}

/**
 * _hm_inspector_attach:
 * @self: an inspector
 * @view: (nullable): the view whose cursor it follows
 * @document: (nullable): @view's document, whose bytes it shows
 *
 * The inspector shows the bytes at @view's cursor in @document, and follows the
 * cursor and the document's edits, mode and size. The page attaches it once;
 * (%NULL, %NULL) detaches it, as its dispose does.
 */
void
_hm_inspector_attach (HmInspector *self,
                      HmHexView   *view,
                      HmDocument  *document)
{
  g_return_if_fail (HM_IS_INSPECTOR (self));
  g_return_if_fail (view == NULL || HM_IS_HEX_VIEW (view));
  g_return_if_fail (document == NULL || HM_IS_DOCUMENT (document));
  g_return_if_fail ((view == NULL) == (document == NULL));

  if (self->view == view && self->document == document)
    return;
  g_set_object (&self->view, view);
  g_set_object (&self->document, document);
  g_signal_group_set_target (self->view_signals, view);
  g_signal_group_set_target (self->document_signals, document);
  refresh (self);
}

gboolean
hm_inspector_get_big_endian (HmInspector *self)
{
  g_return_val_if_fail (HM_IS_INSPECTOR (self), FALSE);
  return self->big_endian;
}

/**
 * hm_inspector_set_big_endian:
 * @self: an inspector
 * @big_endian: %TRUE to read multi-byte fields most significant byte first
 *
 * Sets the byte order of every field wider than a byte.
 */
void
hm_inspector_set_big_endian (HmInspector *self,
                             gboolean     big_endian)
{
  g_return_if_fail (HM_IS_INSPECTOR (self));

  big_endian = !!big_endian;
  if (self->big_endian == big_endian)
    return;
  self->big_endian = big_endian;
  gtk_toggle_button_set_active (big_endian ? self->big_button : self->little_button, TRUE);
  /* The same bytes read the other way round: no need to read them again. */
  if (self->loaded || self->loading)
    {
      clear_error (self);
      show_fields (self);
    }
  else
    refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BIG_ENDIAN]);
}

gboolean
hm_inspector_get_show_hex (HmInspector *self)
{
  g_return_val_if_fail (HM_IS_INSPECTOR (self), FALSE);
  return self->show_hex;
}

/**
 * hm_inspector_set_show_hex:
 * @self: an inspector
 * @show_hex: %TRUE to show the integer fields in hexadecimal
 *
 * Shows the integers as `0x…` (zero-padded to the field's width) instead of
 * decimal. Either form can be typed whatever is shown.
 */
void
hm_inspector_set_show_hex (HmInspector *self,
                           gboolean     show_hex)
{
  g_return_if_fail (HM_IS_INSPECTOR (self));

  show_hex = !!show_hex;
  if (self->show_hex == show_hex)
    return;
  self->show_hex = show_hex;
  if (self->loaded || self->loading)
    {
      clear_error (self);
      show_fields (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_HEX]);
}

/* ---- For tests ---- */

const char *
_hm_inspector_get_text (HmInspector      *self,
                        HmInspectorField  field)
{
  GtkWidget *widget = self->values[field];

  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  return gtk_editable_get_text (GTK_EDITABLE (widget));
}

gboolean
_hm_inspector_get_editable (HmInspector      *self,
                            HmInspectorField  field)
{
  GtkWidget *widget = self->values[field];

  return GTK_IS_EDITABLE (widget) && gtk_editable_get_editable (GTK_EDITABLE (widget));
}

gboolean
_hm_inspector_edit (HmInspector      *self,
                    HmInspectorField  field,
                    const char       *text)
{
  GtkWidget *widget = self->values[field];

  g_return_val_if_fail (GTK_IS_ENTRY (widget), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
  return commit_field (self, field, text);
}

const char *
_hm_inspector_get_error (HmInspector *self)
{
  if (self->error_field < 0)
    return NULL;
  return gtk_label_get_text (self->error_label);
}

GtkWidget *
_hm_inspector_get_error_label (HmInspector *self)
{
  return GTK_WIDGET (self->error_label);
}

GtkWidget *
_hm_inspector_get_field_widget (HmInspector      *self,
                                HmInspectorField  field)
{
  return self->values[field];
}

const char *
_hm_inspector_get_status (HmInspector *self)
{
  return gtk_label_get_text (self->status_label);
}

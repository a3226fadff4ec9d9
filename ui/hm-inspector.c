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
 * it is shown again. On a network or FUSE mount a read may wait for a server, or
 * forever, so there the bytes come from a worker (hm-panel-read.c): every field
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
#include "hm-panel-read.h"

#include <errno.h>
#include <float.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#define MAX_FIELD_BYTES 8
#define NO_VALUE        "—"
#define LOADING_VALUE   "…"

typedef struct
{
  const char *name;
  guint       size;       /* bytes it needs */
  gboolean    editable;
  gboolean    is_signed;
  gboolean    has_order;  /* depends on the byte order */
} FieldInfo;

static const FieldInfo field_info[HM_INSPECTOR_N_FIELDS] = {
  [HM_INSPECTOR_INT8] = { N_("Int8"), 1, TRUE, TRUE, FALSE },
  [HM_INSPECTOR_UINT8] = { N_("UInt8"), 1, TRUE, FALSE, FALSE },
  [HM_INSPECTOR_INT16] = { N_("Int16"), 2, TRUE, TRUE, TRUE },
  [HM_INSPECTOR_UINT16] = { N_("UInt16"), 2, TRUE, FALSE, TRUE },
  [HM_INSPECTOR_INT32] = { N_("Int32"), 4, TRUE, TRUE, TRUE },
  [HM_INSPECTOR_UINT32] = { N_("UInt32"), 4, TRUE, FALSE, TRUE },
  [HM_INSPECTOR_INT64] = { N_("Int64"), 8, TRUE, TRUE, TRUE },
  [HM_INSPECTOR_UINT64] = { N_("UInt64"), 8, TRUE, FALSE, TRUE },
  [HM_INSPECTOR_FLOAT] = { N_("Float"), 4, TRUE, TRUE, TRUE },
  [HM_INSPECTOR_DOUBLE] = { N_("Double"), 8, TRUE, TRUE, TRUE },
  [HM_INSPECTOR_BINARY] = { N_("Binary"), 1, TRUE, FALSE, FALSE },
  [HM_INSPECTOR_OCTAL] = { N_("Octal"), 1, TRUE, FALSE, FALSE },
  [HM_INSPECTOR_UTF8] = { N_("UTF-8"), 1, FALSE, FALSE, FALSE },
  [HM_INSPECTOR_TIME32] = { N_("Unix time 32"), 4, TRUE, TRUE, TRUE },
  [HM_INSPECTOR_TIME64] = { N_("Unix time 64"), 8, TRUE, TRUE, TRUE },
};

struct _HmInspector
{
  GtkWidget        parent_instance;

  HmHexView       *view;
  HmDocument      *document;
  GSignalGroup    *view_signals;
  GSignalGroup    *document_signals;
  gboolean         big_endian;

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
  GtkGrid         *grid;
  GtkLabel        *error_label;
  GtkLabel        *status_label;

  GtkWidget       *values[HM_INSPECTOR_N_FIELDS];
};

enum
{
  PROP_0,
  PROP_VIEW,
  PROP_BIG_ENDIAN,
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

/* ---- Bytes and values ---- */

static guint64
load_uint (const guint8 *bytes,
           guint         size,
           gboolean      big_endian)
{
  guint64 v = 0;

  for (guint i = 0; i < size; i++)
    v |= (guint64) bytes[big_endian ? i : size - 1 - i] << (8 * (size - 1 - i));
  return v;
}

static void
store_uint (guint8   *bytes,
            guint     size,
            guint64   v,
            gboolean  big_endian)
{
  for (guint i = 0; i < size; i++)
    bytes[big_endian ? size - 1 - i : i] = (guint8) (v >> (8 * i));
}

static gint64
sign_extend (guint64 v,
             guint   size)
{
  if (size < 8 && (v >> (8 * size - 1)) & 1)
    v |= ~((G_GUINT64_CONSTANT (1) << (8 * size)) - 1);
  return (gint64) v;
}

/* The shortest text that reads back as the same value. */
static char *
format_double (double v,
               int    min_digits,
               int    max_digits,
               gboolean single)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = min_digits; digits <= max_digits; digits++)
    {
      char format[8];
      double back;

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, v);
      back = g_ascii_strtod (buf, NULL);
      if ((single && (float) back == (float) v) || (!single && back == v) || isnan (v))
        break;
    }
  return g_strdup (buf);
}

static char *
format_time (gint64 seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (seconds);

  if (dt == NULL)
    return g_strdup (_("Out of range"));
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
format_utf8 (const guint8 *bytes,
             gsize         n_bytes)
{
  gunichar c = g_utf8_get_char_validated ((const char *) bytes, (gssize) MIN (n_bytes, 4));
  char utf8[7] = { 0 };

  /* NUL is valid UTF-8 (U+0000), but the validator reports a sequence holding a
   * NUL byte as incomplete (-2). */
  if (n_bytes > 0 && bytes[0] == 0)
    return g_strdup ("U+0000");
  if (c == (gunichar) -1 || c == (gunichar) -2)
    return g_strdup (_("Not valid UTF-8"));
  if (!g_unichar_isprint (c))
    return g_strdup_printf ("U+%04X", c);
  g_unichar_to_utf8 (c, utf8);
  return g_strdup_printf ("%s  U+%04X", utf8, c);
}

static char *
format_field (HmInspectorField  field,
              const guint8     *bytes,
              gsize             n_bytes,
              gboolean          big_endian)
{
  const FieldInfo *info = &field_info[field];
  guint64 v;

  if (n_bytes < info->size)
    return g_strdup (NO_VALUE);

  v = load_uint (bytes, info->size, big_endian);
  switch (field)
    {
    case HM_INSPECTOR_INT8:
    case HM_INSPECTOR_INT16:
    case HM_INSPECTOR_INT32:
    case HM_INSPECTOR_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, sign_extend (v, info->size));
    case HM_INSPECTOR_UINT8:
    case HM_INSPECTOR_UINT16:
    case HM_INSPECTOR_UINT32:
    case HM_INSPECTOR_UINT64:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
    case HM_INSPECTOR_FLOAT:
      {
        guint32 bits = (guint32) v;
        float f;

        memcpy (&f, &bits, sizeof f);
        return format_double (f, 6, 9, TRUE);
      }
    case HM_INSPECTOR_DOUBLE:
      {
        double d;

        memcpy (&d, &v, sizeof d);
        return format_double (d, 15, 17, FALSE);
      }
    case HM_INSPECTOR_BINARY:
      {
        char text[10];

        for (guint i = 0; i < 8; i++)
          text[i + (i >= 4)] = (v >> (7 - i)) & 1 ? '1' : '0';
        text[4] = ' ';
        text[9] = '\0';
        return g_strdup (text);
      }
    case HM_INSPECTOR_OCTAL:
      return g_strdup_printf ("%03" G_GINT64_MODIFIER "o", v);
    case HM_INSPECTOR_UTF8:
      return format_utf8 (bytes, n_bytes);
    case HM_INSPECTOR_TIME32:
    case HM_INSPECTOR_TIME64:
      return format_time (sign_extend (v, info->size));
    case HM_INSPECTOR_N_FIELDS:
    default:
      g_assert_not_reached ();
    }
}

static char *
normalize_input (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (*p != ' ' && *p != '_' && *p != '\t')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

static gboolean
parse_integer (const char  *text,
               guint        size,
               gboolean     is_signed,
               guint64     *bits,
               GError     **error)
{
  g_autofree char *clean = normalize_input (text);
  const char *p = clean;
  gboolean negative = FALSE;
  guint base = 10;
  guint64 magnitude;
  guint64 max_positive, max_negative;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    {
      base = 16;
      p += 2;
    }
  if (*p == '\0' || !g_ascii_string_to_unsigned (p, base, 0, G_MAXUINT64, &magnitude, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("Not a whole number: use digits, or 0x and hex digits"));
      return FALSE;
    }

  if (is_signed)
    {
      max_positive = (G_GUINT64_CONSTANT (1) << (8 * size - 1)) - 1;
      max_negative = max_positive + 1;
    }
  else
    {
      max_positive = size == 8 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << (8 * size)) - 1;
      max_negative = 0;
    }

  if ((!negative && magnitude > max_positive) || (negative && magnitude > max_negative))
    {
      if (is_signed)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("Out of range: from -%" PRIu64 " to %" PRIu64),
                     max_negative, max_positive);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("Out of range: from 0 to %" PRIu64), max_positive);
      return FALSE;
    }

  *bits = negative ? (guint64) 0 - magnitude : magnitude;
  return TRUE;
}

static gboolean
parse_float (const char  *text,
             gboolean     single,
             double      *value,
             GError     **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (text));
  char *end = NULL;
  double d;

  errno = 0;
  d = g_ascii_strtod (clean, &end);
  if (*clean == '\0' || end == NULL || *end != '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("Not a number: write it like 3.14, -2e-5, inf or nan"));
      return FALSE;
    }
  if ((errno == ERANGE && isinf (d)) || (single && isfinite (d) && fabs (d) > FLT_MAX))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Out of range: the largest %s is about %g"),
                   single ? _("float") : _("double"), single ? (double) FLT_MAX : DBL_MAX);
      return FALSE;
    }
  *value = d;
  return TRUE;
}

static gboolean
parse_digits (const char  *text,
              guint        base,
              guint64     *value,
              GError     **error)
{
  g_autofree char *clean = normalize_input (text);
  const char *p = clean;

  if (base == 2 && p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
    p += 2;
  if (base == 8 && p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
    p += 2;
  if (*p == '\0' || !g_ascii_string_to_unsigned (p, base, 0, G_MAXUINT64, value, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           base == 2 ? _("Not binary: use the digits 0 and 1")
                                     : _("Not octal: use the digits 0 to 7"));
      return FALSE;
    }
  if (*value > 0xff)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           base == 2 ? _("Out of range: at most eight binary digits (11111111)")
                                     : _("Out of range: from 0 to 377 (one byte)"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_time (const char  *text,
            guint        size,
            guint64     *bits,
            GError     **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (text));
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (clean, utc);
  gint64 seconds;

  if (dt == NULL)
    {
      /* Plain seconds since 1970 work too. */
      if (!parse_integer (clean, size, TRUE, bits, NULL))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("Not a time: write it like 2024-01-31T12:00:00Z, or in seconds since 1970"));
          return FALSE;
        }
      return TRUE;
    }

  seconds = g_date_time_to_unix (dt);
  if (size == 4 && (seconds < G_MININT32 || seconds > G_MAXINT32))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("Out of range: 32-bit Unix time runs from 1901-12-13 to 2038-01-19"));
      return FALSE;
    }
  *bits = (guint64) seconds;
  return TRUE;
}

/* Turns @text into the bytes of @field, in the given byte order. */
static gboolean
parse_field (HmInspectorField   field,
             const char        *text,
             gboolean           big_endian,
             guint8            *out,
             GError           **error)
{
  const FieldInfo *info = &field_info[field];
  guint64 bits = 0;

  switch (field)
    {
    case HM_INSPECTOR_INT8:
    case HM_INSPECTOR_INT16:
    case HM_INSPECTOR_INT32:
    case HM_INSPECTOR_INT64:
    case HM_INSPECTOR_UINT8:
    case HM_INSPECTOR_UINT16:
    case HM_INSPECTOR_UINT32:
    case HM_INSPECTOR_UINT64:
      if (!parse_integer (text, info->size, info->is_signed, &bits, error))
        return FALSE;
      break;
    case HM_INSPECTOR_FLOAT:
      {
        double d;
        float f;
        guint32 b32;

        if (!parse_float (text, TRUE, &d, error))
          return FALSE;
        f = (float) d;
        memcpy (&b32, &f, sizeof b32);
        bits = b32;
      }
      break;
    case HM_INSPECTOR_DOUBLE:
      {
        double d;

        if (!parse_float (text, FALSE, &d, error))
          return FALSE;
        memcpy (&bits, &d, sizeof bits);
      }
      break;
    case HM_INSPECTOR_BINARY:
      if (!parse_digits (text, 2, &bits, error))
        return FALSE;
      break;
    case HM_INSPECTOR_OCTAL:
      if (!parse_digits (text, 8, &bits, error))
        return FALSE;
      break;
    case HM_INSPECTOR_TIME32:
    case HM_INSPECTOR_TIME64:
      if (!parse_time (text, info->size, &bits, error))
        return FALSE;
      break;
    case HM_INSPECTOR_UTF8:
    case HM_INSPECTOR_N_FIELDS:
    default:
      g_assert_not_reached ();
    }

  store_uint (out, info->size, bits, big_endian);
  return TRUE;
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

static void
clear_error (HmInspector *self)
{
  if (self->error_field >= 0)
    gtk_widget_remove_css_class (self->values[self->error_field], "error");
  self->error_field = -1;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

static void
show_error (HmInspector      *self,
            HmInspectorField  field,
            const char       *message)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", _(field_info[field].name), message);

  clear_error (self);
  self->error_field = (int) field;
  gtk_widget_add_css_class (self->values[field], "error");
  gtk_label_set_text (self->error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
show_field (HmInspector      *self,
            HmInspectorField  field)
{
  g_autofree char *text = NULL;
  gboolean available = self->n_bytes >= field_info[field].size;

  if (self->loading)
    text = g_strdup (LOADING_VALUE);
  else
    text = format_field (field, self->bytes, self->n_bytes, self->big_endian);
  set_field_text (self, field, text);
  if (GTK_IS_EDITABLE (self->values[field]))
    gtk_editable_set_editable (GTK_EDITABLE (self->values[field]),
                               !self->loading && available && field_info[field].editable && is_writable (self));
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
  else if (!is_writable (self))
    gtk_label_set_text (self->status_label,
                        _("The file is open read-only: switch to an editing mode to change values."));
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

  items = hm_panel_read_finish (result, &error);
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
    HmPanelReadItem *item = g_ptr_array_index (items, 0);
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
  hm_panel_read_async (self->document, &range, 1, self->read_cancellable,
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

  if (hm_panel_read_wants_worker (self->view, self->document))
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
  guint size = field_info[field].size;

  if (!field_info[field].editable || !is_writable (self) || self->n_bytes < size)
    return FALSE;

  if (!parse_field (field, text, self->big_endian, bytes, &error))
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
      const FieldInfo *info = &field_info[i];
      GtkWidget *name = gtk_label_new (_(info->name));
      GtkWidget *value;

      gtk_label_set_xalign (GTK_LABEL (name), 0.0);
      gtk_widget_add_css_class (name, "dim-label");

      if (info->editable)
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
view_document_cb (HmInspector *self)
{
  HmDocument *document = self->view != NULL ? hm_hex_view_get_document (self->view) : NULL;

  if (g_set_object (&self->document, document))
    g_signal_group_set_target (self->document_signals, document);
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

  if (self->view_signals != NULL)
    g_signal_group_set_target (self->view_signals, NULL);
  if (self->document_signals != NULL)
    g_signal_group_set_target (self->document_signals, NULL);
  g_clear_object (&self->view_signals);
  g_clear_object (&self->document_signals);
  g_clear_object (&self->view);
  g_clear_object (&self->document);
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
    case PROP_VIEW:
      g_value_set_object (value, self->view);
      break;
    case PROP_BIG_ENDIAN:
      g_value_set_boolean (value, self->big_endian);
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
    case PROP_VIEW:
      hm_inspector_set_view (self, g_value_get_object (value));
      break;
    case PROP_BIG_ENDIAN:
      hm_inspector_set_big_endian (self, g_value_get_boolean (value));
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

  properties[PROP_VIEW] =
    g_param_spec_object ("view", NULL, NULL, HM_TYPE_HEX_VIEW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BIG_ENDIAN] =
    g_param_spec_boolean ("big-endian", NULL, NULL, FALSE,
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
  build_fields (self);

  self->view_signals = g_signal_group_new (HM_TYPE_HEX_VIEW);
  g_signal_group_connect_swapped (self->view_signals, "notify::document",
                                  G_CALLBACK (view_document_cb), self);
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
 * Returns: (transfer floating): a new inspector; give it a view with
 *   hm_inspector_set_view()
 */
GtkWidget *
hm_inspector_new (void)
{
  return g_object_new (HM_TYPE_INSPECTOR, NULL);
}

HmHexView *
hm_inspector_get_view (HmInspector *self)
{
  g_return_val_if_fail (HM_IS_INSPECTOR (self), NULL);
  return self->view;
}

/**
 * hm_inspector_set_view:
 * @self: an inspector
 * @view: (nullable): the view whose cursor it follows
 *
 * The inspector shows the bytes at @view's cursor in @view's document, and
 * follows both as they change.
 */
void
hm_inspector_set_view (HmInspector *self,
                       HmHexView   *view)
{
  g_return_if_fail (HM_IS_INSPECTOR (self));
  g_return_if_fail (view == NULL || HM_IS_HEX_VIEW (view));

  if (!g_set_object (&self->view, view))
    return;
  g_signal_group_set_target (self->view_signals, view);
  view_document_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
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

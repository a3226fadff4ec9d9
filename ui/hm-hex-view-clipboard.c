/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmHexView clipboard: copying the selection as hex digits, raw bytes or a C
 * array, and pasting over the bytes at the cursor (hex digits in the hex pane,
 * text otherwise). The byte formats, hm_hex_view_format_bytes() and
 * hm_hex_view_parse_hex(), are public: the find bar, the page and the fill
 * dialog use them too.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "hm-hex-view-private.h"

#define MAX_COPY_BYTES    (16u * 1024u * 1024u)
/* Six characters a byte: 1 MiB is already a 6 MiB clipboard text. */
#define MAX_C_ARRAY_BYTES (1024u * 1024u)

/* ---- Byte formats ---- */

/* 12 bytes a line, "0xde," each: printf per byte took seconds for a few MiB. */
static char *
format_c_array (const guint8 *data,
                gsize         length)
{
  GString *out = g_string_sized_new (length * 6 + 64);

  g_string_append_printf (out, "unsigned char data[%" G_GSIZE_FORMAT "] = {", length);
  for (gsize i = 0; i < length; i++)
    {
      const char item[5] = { '0', 'x', hex_digits[data[i] >> 4], hex_digits[data[i] & 15], ',' };

      if (i % 12 == 0)
        g_string_append_len (out, "\n  ", 3);
      else
        g_string_append_c (out, ' ');
      g_string_append_len (out, item, i + 1 < length ? 5 : 4);
    }
  g_string_append (out, "\n};\n");
  return g_string_free (out, FALSE);
}

/**
 * hm_hex_view_format_bytes:
 * @data: (array length=length): bytes
 * @length: how many
 * @format: how to write them
 *
 * Returns: (transfer full): the bytes as text, for the clipboard
 */
char *
hm_hex_view_format_bytes (const guint8 *data,
                          gsize         length,
                          HmCopyFormat  format)
{
  GString *out;

  switch (format)
    {
    case HM_COPY_FORMAT_HEX:
      out = g_string_sized_new (length * 3);
      for (gsize i = 0; i < length; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          g_string_append_c (out, hex_digits[data[i] >> 4]);
          g_string_append_c (out, hex_digits[data[i] & 15]);
        }
      return g_string_free (out, FALSE);

    case HM_COPY_FORMAT_C_ARRAY:
      return format_c_array (data, length);

    case HM_COPY_FORMAT_RAW:
    default:
      return g_utf8_make_valid ((const char *) data, (gssize) length);
    }
}

static gboolean
is_hex_separator (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' || c == ';'
         || c == '{' || c == '}';
}

/**
 * hm_hex_view_parse_hex:
 * @text: hex digits: `de ad be ef`, `deadbeef`, `0xde, 0xad` or `de:ad`
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL if @text is not hex
 */
GBytes *
hm_hex_view_parse_hex (const char *text)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  const char *p = text;

  g_return_val_if_fail (text != NULL, NULL);

  while (*p != '\0')
    {
      const char *start;
      gsize n;

      if (is_hex_separator (*p))
        {
          p++;
          continue;
        }
      if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
      start = p;
      while (g_ascii_isxdigit (*p))
        p++;
      n = (gsize) (p - start);
      if (n == 0 || (*p != '\0' && !is_hex_separator (*p)) || (n % 2 != 0 && n != 1))
        return NULL;
      if (n == 1)
        {
          guint8 b = (guint8) g_ascii_xdigit_value (start[0]);
          g_byte_array_append (bytes, &b, 1);
          continue;
        }
      for (gsize i = 0; i < n; i += 2)
        {
          guint8 b = (guint8) (g_ascii_xdigit_value (start[i]) << 4 | g_ascii_xdigit_value (start[i + 1]));
          g_byte_array_append (bytes, &b, 1);
        }
    }
  if (bytes->len == 0)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/* ---- Copy and paste ---- */

static gboolean
c_array_too_large (HmHexView    *self,
                   HmCopyFormat  format,
                   guint64       length)
{
  if (format != HM_COPY_FORMAT_C_ARRAY || length <= MAX_C_ARRAY_BYTES)
    return FALSE;
  _hm_hex_view_hint (self, _("The selection is too large to copy as a C array (the limit is 1 MiB)"));
  return TRUE;
}

void
hm_hex_view_copy (HmHexView   *self,
                  HmCopyFormat format)
{
  GdkClipboard *clipboard;
  g_autofree guint8 *data = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  guint64 length;
  gssize n;

  g_return_if_fail (HM_IS_HEX_VIEW (self));

  if (self->document == NULL || _hm_hex_view_doc_size (self) == 0)
    return;
  length = MAX (hm_hex_view_get_selection_length (self), 1);
  if (length > MAX_COPY_BYTES)
    {
      _hm_hex_view_hint (self, _("The selection is too large to copy (the limit is 16 MiB)"));
      return;
    }
  if (c_array_too_large (self, format, length))
    return;
  data = g_malloc (length);
  n = hm_document_read (self->document, hm_hex_view_get_selection_start (self), data, length, &error);
  if (n < 0)
    {
      _hm_hex_view_hint (self, error->message);
      return;
    }

  clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));
  text = hm_hex_view_format_bytes (data, (gsize) n, format);
  if (format == HM_COPY_FORMAT_RAW)
    {
      g_autoptr(GBytes) raw = g_bytes_new (data, (gsize) n);
      g_autoptr(GBytes) utf8 = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
      GdkContentProvider *providers[] = {
        gdk_content_provider_new_for_bytes ("application/octet-stream", raw),
        gdk_content_provider_new_for_bytes ("text/plain;charset=utf-8", utf8),
      };
      g_autoptr(GdkContentProvider) union_provider = gdk_content_provider_new_union (providers, 2);

      gdk_clipboard_set_content (clipboard, union_provider);
    }
  else
    gdk_clipboard_set_text (clipboard, text);
}

static void
paste_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(HmHexView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_autoptr(GBytes) bytes = NULL;

  if (text == NULL || self->document == NULL)
    return;
  if (self->pane == HM_HEX_PANE_HEX)
    bytes = hm_hex_view_parse_hex (text);
  if (bytes == NULL)
    bytes = g_bytes_new (text, strlen (text));
  hm_hex_view_overwrite (self, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

void
hm_hex_view_paste (HmHexView *self)
{
  g_return_if_fail (HM_IS_HEX_VIEW (self));

  if (!_hm_hex_view_is_editable (self))
    {
      _hm_hex_view_refuse_edit (self);
      return;
    }
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (self)), NULL,
                                 paste_ready_cb, g_object_ref (self));
}

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

#include "hm-hex-text.h"

/* The byte formats and the hex grammar are core's (hm-hex-text.h), shared with
 * the find bar, the fill dialog, the inspector and hexmap-cli. */
G_STATIC_ASSERT ((int) HM_COPY_FORMAT_HEX == (int) HM_HEX_FORMAT_HEX);
G_STATIC_ASSERT ((int) HM_COPY_FORMAT_RAW == (int) HM_HEX_FORMAT_RAW);
G_STATIC_ASSERT ((int) HM_COPY_FORMAT_C_ARRAY == (int) HM_HEX_FORMAT_C_ARRAY);

#define MAX_COPY_BYTES    HM_HEX_FORMAT_MAX_BYTES
#define MAX_C_ARRAY_BYTES HM_HEX_FORMAT_C_ARRAY_MAX_BYTES

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
  return hm_hex_text_format (data, length, (HmHexFormat) format);
}

/**
 * hm_hex_view_parse_hex:
 * @text: hex digits in the one hex grammar (hm-hex-text.h): `de ad be ef`,
 *   `deadbeef`, `0xde, 0xad` or `de:ad`
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL if @text is not hex
 */
GBytes *
hm_hex_view_parse_hex (const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);

  return hm_hex_text_parse (text, -1, NULL, NULL);
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
  if (self->insert_mode)
    hm_hex_view_insert (self, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  else
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

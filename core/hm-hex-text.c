/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Hex text in both directions: the one parser behind every hex entry of the
 * editor and the command line (the grammar is in hm-hex-text.h), and the
 * clipboard formats.
 *
 * The parser walks the text once, character by character. A "run" is what lies
 * between separators: an optional 0x, then digits. Digits pair up into bytes as
 * they come, so a run that ends with a digit left over had an odd count; that
 * digit's column is where the error points.
 */
#include "config.h"

#include "hm-hex-text.h"
#include "hm-hex-text-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (hm-hex-text-error-quark, hm_hex_text_error)

void
_hm_text_cursor_init (HmTextCursor *cursor,
                      const char   *text,
                      gsize         length)
{
  cursor->p = text;
  cursor->end = text + length;
  cursor->column = 1;
}

/* Returns the character at the cursor and advances; *raw_byte is set to its
 * first byte and *valid to whether it starts a valid UTF-8 sequence. */
gunichar
_hm_text_cursor_next (HmTextCursor *cursor,
                      guchar       *raw_byte,
                      gboolean     *valid)
{
  gunichar c;
  const char *next;

  g_assert (cursor->p < cursor->end);

  *raw_byte = (guchar) *cursor->p;
  if (*raw_byte == 0)
    {
      /* An embedded NUL (only possible with an explicit length) is a character. */
      c = 0;
      *valid = TRUE;
      next = cursor->p + 1;
    }
  else
    {
      c = g_utf8_get_char_validated (cursor->p, cursor->end - cursor->p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          *valid = FALSE;
          next = cursor->p + 1;
        }
      else
        {
          *valid = TRUE;
          next = g_utf8_next_char (cursor->p);
        }
    }

  cursor->p = next;
  cursor->column++;
  return c;
}

/* ---- Parsing ---- */

static gboolean
is_separator (gunichar c)
{
  switch (c)
    {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case ',':
    case ':':
    case ';':
    case '{':
    case '}':
      return TRUE;
    default:
      return FALSE;
    }
}

static void
set_error_column (guint *error_column,
                  guint  column)
{
  if (error_column != NULL)
    *error_column = column;
}

static void
unexpected_character_error (GError   **error,
                            gunichar   c,
                            guchar     raw_byte,
                            gboolean   valid,
                            gboolean   wildcards,
                            guint      column)
{
  /* The hint is a separate string, so each message stays one sentence for the
   * translators. */
  const char *hint = wildcards ? _("expected a hex digit, '?' or a space")
                               : _("expected a hex digit or a space");

  if (valid && c > 0x20 && c != 0x7f && g_unichar_isprint (c))
    {
      char utf8[8] = { 0 };

      g_unichar_to_utf8 (c, utf8);
      /* Translators: the first %s is a character, the last a hint like "expected a hex digit" */
      g_set_error (error, HM_HEX_TEXT_ERROR, HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER,
                   _("unexpected '%s' at column %u (%s)"), utf8, column, hint);
    }
  else if (valid && c >= 0x80)
    g_set_error (error, HM_HEX_TEXT_ERROR, HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER,
                 _("unexpected character U+%04X at column %u (%s)"), c, column, hint);
  else
    g_set_error (error, HM_HEX_TEXT_ERROR, HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER,
                 _("unexpected byte 0x%02x at column %u (%s)"), raw_byte, column, hint);
}

typedef struct
{
  GByteArray *bytes;
  GByteArray *mask;           /* NULL: no wildcards */
  gsize       max_bytes;      /* 0: no limit */

  gboolean    in_run;
  gboolean    prefixed;       /* the run began with 0x */
  guint       prefix_column;
  guint       run_digits;

  gboolean    have_high;      /* a digit waits for its partner */
  guint8      high_value;
  guint8      high_bits;      /* 0xf for a digit, 0 for '?' */
  guint       high_column;
} Parser;

static void
emit (Parser *parser,
      guint8  value,
      guint8  bits)
{
  value &= bits;
  g_byte_array_append (parser->bytes, &value, 1);
  if (parser->mask != NULL)
    g_byte_array_append (parser->mask, &bits, 1);
}

static gboolean
add_digit (Parser  *parser,
           guint8   value,
           guint8   bits,
           guint    column,
           guint   *error_column,
           GError **error)
{
  parser->run_digits++;
  if (parser->have_high)
    {
      emit (parser, (guint8) (parser->high_value << 4 | value), (guint8) (parser->high_bits << 4 | bits));
      parser->have_high = FALSE;
      return TRUE;
    }

  if (parser->max_bytes > 0 && parser->bytes->len >= parser->max_bytes)
    {
      set_error_column (error_column, column);
      g_set_error (error, HM_HEX_TEXT_ERROR, HM_HEX_TEXT_ERROR_TOO_LONG,
                   _("more than %" G_GSIZE_FORMAT " bytes at column %u"), parser->max_bytes, column);
      return FALSE;
    }
  parser->have_high = TRUE;
  parser->high_value = value;
  parser->high_bits = bits;
  parser->high_column = column;
  return TRUE;
}

static gboolean
end_run (Parser  *parser,
         guint   *error_column,
         GError **error)
{
  if (!parser->in_run)
    return TRUE;
  parser->in_run = FALSE;

  if (parser->prefixed && parser->run_digits == 0)
    {
      set_error_column (error_column, parser->prefix_column);
      g_set_error (error, HM_HEX_TEXT_ERROR, HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE,
                   _("“0x” at column %u has no hex digits after it"), parser->prefix_column);
      return FALSE;
    }

  if (!parser->have_high)
    return TRUE;

  /* 0x5: one digit after 0x is a byte of its own. */
  if (parser->prefixed && parser->run_digits == 1)
    {
      emit (parser, parser->high_value, (guint8) (0xf0 | parser->high_bits));
      parser->have_high = FALSE;
      return TRUE;
    }

  set_error_column (error_column, parser->high_column);
  g_set_error (error, HM_HEX_TEXT_ERROR, HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE,
               _("incomplete byte at column %u: a byte needs two hex digits "
                 "(odd number of digits; write 0%c for a single digit)"),
               parser->high_column,
               parser->high_bits == 0 ? '?' : "0123456789abcdef"[parser->high_value]);
  return FALSE;
}

/**
 * hm_hex_text_parse_masked:
 * @text: hex text, for example `"4D 5A ?? 00 4?"`
 * @length: length of @text in bytes, or -1 if it is nul-terminated
 * @max_bytes: the most bytes to accept, or 0 for no limit
 * @bytes: where to append the byte values (wildcard bits are 0)
 * @mask: (nullable): where to append, for each byte, the bits that are fixed
 *   (0xff, 0x00 for `??`, 0xf0 or 0x0f for a wildcard nibble); %NULL to refuse
 *   wildcards
 * @error_column: (out) (optional): where to store the 1-based column of an error
 * @error: return location for a %HM_HEX_TEXT_ERROR
 *
 * Parses hex text as described in hm-hex-text.h, with wildcards when @mask is
 * given. This is the parser behind hm_hex_text_parse() and search patterns.
 * On error, @bytes and @mask may hold the bytes before it.
 *
 * Returns: %TRUE if @text is valid hex text
 */
gboolean
hm_hex_text_parse_masked (const char  *text,
                          gssize       length,
                          gsize        max_bytes,
                          GByteArray  *bytes,
                          GByteArray  *mask,
                          guint       *error_column,
                          GError     **error)
{
  Parser parser = { 0 };
  HmTextCursor cursor;
  guint start_length;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length < 0)
    length = (gssize) strlen (text);

  parser.bytes = bytes;
  parser.mask = mask;
  parser.max_bytes = max_bytes > 0 ? bytes->len + max_bytes : 0;
  start_length = bytes->len;
  _hm_text_cursor_init (&cursor, text, (gsize) length);

  while (cursor.p < cursor.end)
    {
      guint column = cursor.column;
      guchar raw;
      gboolean valid;
      gunichar c = _hm_text_cursor_next (&cursor, &raw, &valid);

      if (valid && g_ascii_isxdigit (c))
        {
          if (!parser.in_run && c == '0' && cursor.p < cursor.end && (*cursor.p == 'x' || *cursor.p == 'X'))
            {
              _hm_text_cursor_next (&cursor, &raw, &valid);
              parser.in_run = TRUE;
              parser.prefixed = TRUE;
              parser.prefix_column = column;
              parser.run_digits = 0;
              continue;
            }
          if (!parser.in_run)
            {
              parser.in_run = TRUE;
              parser.prefixed = FALSE;
              parser.run_digits = 0;
            }
          if (!add_digit (&parser, (guint8) g_ascii_xdigit_value (c), 0xf, column, error_column, error))
            return FALSE;
        }
      else if (valid && c == '?' && mask != NULL)
        {
          if (!parser.in_run)
            {
              parser.in_run = TRUE;
              parser.prefixed = FALSE;
              parser.run_digits = 0;
            }
          if (!add_digit (&parser, 0, 0, column, error_column, error))
            return FALSE;
        }
      else if (valid && is_separator (c))
        {
          if (!end_run (&parser, error_column, error))
            return FALSE;
        }
      else
        {
          set_error_column (error_column, column);
          unexpected_character_error (error, c, raw, valid, mask != NULL, column);
          return FALSE;
        }
    }

  if (!end_run (&parser, error_column, error))
    return FALSE;

  if (bytes->len == start_length)
    {
      set_error_column (error_column, 1);
      g_set_error (error, HM_HEX_TEXT_ERROR, HM_HEX_TEXT_ERROR_EMPTY,
                   _("no bytes: the hex text is empty (at column 1)"));
      return FALSE;
    }

  return TRUE;
}

/**
 * hm_hex_text_parse:
 * @text: hex text: `de ad be ef`, `DEADBEEF`, `0xde, 0xad`, `de:ad`…
 * @length: length of @text in bytes, or -1 if it is nul-terminated
 * @error_column: (out) (optional): where to store the 1-based column of an error
 * @error: return location for a %HM_HEX_TEXT_ERROR
 *
 * Parses hex text as described in hm-hex-text.h, without wildcards and without
 * a length limit. With @error %NULL it is the test "is this hex?" that pasting
 * needs: %NULL means paste the text as it is.
 *
 * Returns: (transfer full) (nullable): the bytes (at least one), or %NULL with
 *   @error set
 */
GBytes *
hm_hex_text_parse (const char  *text,
                   gssize       length,
                   guint       *error_column,
                   GError     **error)
{
  g_autoptr(GByteArray) bytes = NULL;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = g_byte_array_new ();
  if (!hm_hex_text_parse_masked (text, length, 0, bytes, NULL, error_column, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/* ---- Formatting ---- */

static const char hex_digits[] = "0123456789abcdef";

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
 * hm_hex_text_format:
 * @data: (array length=length): bytes
 * @length: how many
 * @format: how to write them
 *
 * Writes bytes as text for the clipboard. The hex and C array forms read back
 * with hm_hex_text_parse() once the C declaration before `{` is dropped.
 * Callers cap @length at %HM_HEX_FORMAT_MAX_BYTES (and C arrays at
 * %HM_HEX_FORMAT_C_ARRAY_MAX_BYTES): this function formats whatever it is given.
 *
 * Returns: (transfer full): the bytes as text, valid UTF-8
 */
char *
hm_hex_text_format (const guint8 *data,
                    gsize         length,
                    HmHexFormat   format)
{
  GString *out;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  switch (format)
    {
    case HM_HEX_FORMAT_HEX:
      out = g_string_sized_new (length * 3);
      for (gsize i = 0; i < length; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          g_string_append_c (out, hex_digits[data[i] >> 4]);
          g_string_append_c (out, hex_digits[data[i] & 15]);
        }
      return g_string_free (out, FALSE);

    case HM_HEX_FORMAT_C_ARRAY:
      return format_c_array (data, length);

    case HM_HEX_FORMAT_RAW:
    default:
      return g_utf8_make_valid (data != NULL ? (const char *) data : "", (gssize) length);
    }
}

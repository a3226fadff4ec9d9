/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Search patterns.
 *
 * A pattern is a row of bytes, each with a mask: a file byte d matches pattern byte
 * i when (d & mask[i]) == bytes[i]. Every kind of looseness the user can ask for
 * fits in that one test, so the scanners in hm-search-kernel.c need no special
 * cases:
 *   - a fixed byte has mask 0xff;
 *   - a wildcard byte `??` has mask 0x00 (and value 0);
 *   - a wildcard nibble `4?` has mask 0xf0, `?f` has mask 0x0f;
 *   - an ASCII letter matched without regard to case has mask 0xdf and the
 *     upper-case value: 'A' (0x41) and 'a' (0x61) differ only in bit 5, and no other
 *     byte gives 0x41 once bit 5 is cleared.
 * bytes[] is always stored already masked.
 */
#include "config.h"

#include "hm-pattern.h"

#include "hm-hex-text-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _HmPattern
{
  gatomicrefcount  ref_count;
  gsize            length;
  gboolean         has_wildcards;
  guint8          *bytes;
  guint8          *mask;
};

G_DEFINE_QUARK (hm-pattern-error-quark, hm_pattern_error)
G_DEFINE_BOXED_TYPE (HmPattern, hm_pattern, hm_pattern_ref, hm_pattern_unref)

/* Takes ownership of @bytes and @mask (both g_malloc'd, @length long). */
static HmPattern *
pattern_new_take (guint8 *bytes,
                  guint8 *mask,
                  gsize   length)
{
  HmPattern *self = g_new0 (HmPattern, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->length = length;
  self->bytes = bytes;
  self->mask = mask;
  for (gsize i = 0; i < length; i++)
    {
      self->bytes[i] &= self->mask[i];
      if (self->mask[i] != 0xff)
        self->has_wildcards = TRUE;
    }

  return self;
}

/**
 * hm_pattern_new:
 * @bytes: (array length=length): the byte values
 * @mask: (array length=length) (nullable): the bits of each byte that must match,
 *   or %NULL for an exact pattern
 * @length: number of bytes, at least 1 and at most %HM_PATTERN_MAX_LENGTH
 *
 * Builds a pattern directly from bytes and masks, for callers that already have
 * binary data (a selection, a test).
 *
 * Returns: (transfer full): a new pattern
 */
HmPattern *
hm_pattern_new (const guint8 *bytes,
                const guint8 *mask,
                gsize         length)
{
  guint8 *m;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (length > 0 && length <= HM_PATTERN_MAX_LENGTH, NULL);

  if (mask != NULL)
    m = g_memdup2 (mask, length);
  else
    m = memset (g_malloc (length), 0xff, length);

  return pattern_new_take (g_memdup2 (bytes, length), m, length);
}

/**
 * hm_pattern_ref:
 * @self: a pattern
 *
 * Patterns are immutable and reference counted, so a search running in a worker
 * thread can hold the same pattern as the UI.
 *
 * Returns: (transfer full): @self
 */
HmPattern *
hm_pattern_ref (HmPattern *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * hm_pattern_unref:
 * @self: (transfer full): a pattern
 *
 * Drops a reference; frees the pattern with the last one.
 */
void
hm_pattern_unref (HmPattern *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_free (self->bytes);
      g_free (self->mask);
      g_free (self);
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
too_long_error (GError **error,
                guint   *error_column,
                guint    column)
{
  set_error_column (error_column, column);
  g_set_error (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_TOO_LONG,
               _("the pattern is longer than %u bytes at column %u"),
               (guint) HM_PATTERN_MAX_LENGTH, column);
}

static void
empty_error (GError **error,
             guint   *error_column)
{
  set_error_column (error_column, 1);
  g_set_error (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_EMPTY,
               _("the pattern is empty (at column 1)"));
}

/* The hex text parser's errors, as pattern errors: the find bar and the command
 * line tell them apart by HM_PATTERN_ERROR codes. Emptiness and length are the
 * pattern's own rules, worded as for text patterns. */
static void
propagate_hex_text_error (GError **error,
                          guint   *error_column,
                          guint    column,
                          GError  *hex_error)
{
  switch ((HmHexTextError) hex_error->code)
    {
    case HM_HEX_TEXT_ERROR_EMPTY:
      empty_error (error, error_column);
      break;
    case HM_HEX_TEXT_ERROR_TOO_LONG:
      too_long_error (error, error_column, column);
      break;
    case HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER:
      set_error_column (error_column, column);
      g_set_error_literal (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER,
                           hex_error->message);
      break;
    case HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE:
      set_error_column (error_column, column);
      g_set_error_literal (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_INCOMPLETE_BYTE,
                           hex_error->message);
      break;
    default:
      g_assert_not_reached ();
    }
  g_error_free (hex_error);
}

/**
 * hm_pattern_new_hex:
 * @text: hex text, for example `"4D 5A ?? 00 4?"`
 * @length: length of @text in bytes, or -1 if it is nul-terminated
 * @error_column: (out) (optional): where to store the 1-based column of an error
 * @error: return location for a %HM_PATTERN_ERROR
 *
 * Parses a hex pattern in the grammar of hm-hex-text.h, wildcards included:
 * pairs of hex digits make bytes, separators between bytes are optional
 * (`"4d5a"` equals `"4d 5a"`, `"0x4d, 0x5a"`) but may not split a byte. `??`
 * matches any byte and `?` in place of one digit matches any value of that
 * nibble (`4?` matches 0x40–0x4f).
 *
 * Returns: (transfer full) (nullable): the pattern, or %NULL with @error set
 */
HmPattern *
hm_pattern_new_hex (const char  *text,
                    gssize       length,
                    guint       *error_column,
                    GError     **error)
{
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(GByteArray) mask = NULL;
  GError *hex_error = NULL;
  guint column = 0;
  gsize n;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = g_byte_array_new ();
  mask = g_byte_array_new ();
  if (!hm_hex_text_parse_masked (text, length, HM_PATTERN_MAX_LENGTH, bytes, mask,
                                 &column, &hex_error))
    {
      propagate_hex_text_error (error, error_column, column, hex_error);
      return NULL;
    }

  n = bytes->len;
  return pattern_new_take (g_byte_array_free (g_steal_pointer (&bytes), FALSE),
                           g_byte_array_free (g_steal_pointer (&mask), FALSE),
                           n);
}

static void
append_unit (GByteArray *bytes,
             GByteArray *mask,
             guint8      value,
             gboolean    fold)
{
  guint8 m = 0xff;

  if (fold && g_ascii_isalpha (value))
    {
      value = (guint8) g_ascii_toupper (value);
      m = 0xdf;
    }

  g_byte_array_append (bytes, &value, 1);
  g_byte_array_append (mask, &m, 1);
}

static void
append_utf16_unit (GByteArray     *bytes,
                   GByteArray     *mask,
                   guint16         unit,
                   HmTextEncoding  encoding,
                   gboolean        fold)
{
  guint8 lo = unit & 0xff, hi = unit >> 8;
  /* Only a code unit below 0x80 is an ASCII letter; its high byte is zero. */
  gboolean fold_lo = fold && hi == 0;

  if (encoding == HM_TEXT_ENCODING_UTF16LE)
    {
      append_unit (bytes, mask, lo, fold_lo);
      append_unit (bytes, mask, hi, FALSE);
    }
  else
    {
      append_unit (bytes, mask, hi, FALSE);
      append_unit (bytes, mask, lo, fold_lo);
    }
}

/**
 * hm_pattern_new_text:
 * @text: UTF-8 text
 * @length: length of @text in bytes, or -1 if it is nul-terminated
 * @encoding: how the text is encoded in the file
 * @flags: %HM_PATTERN_IGNORE_CASE to match ASCII letters in either case
 * @error_column: (out) (optional): where to store the 1-based column of an error
 * @error: return location for a %HM_PATTERN_ERROR
 *
 * Builds a pattern that finds @text as stored in @encoding. Case folding covers
 * ASCII letters only: folding other scripts changes byte lengths, which a
 * byte-level matcher cannot express.
 *
 * Returns: (transfer full) (nullable): the pattern, or %NULL with @error set
 */
HmPattern *
hm_pattern_new_text (const char      *text,
                     gssize           length,
                     HmTextEncoding   encoding,
                     HmPatternFlags   flags,
                     guint           *error_column,
                     GError         **error)
{
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(GByteArray) mask = NULL;
  gboolean fold = (flags & HM_PATTERN_IGNORE_CASE) != 0;
  HmTextCursor cursor;
  gsize n;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (encoding <= HM_TEXT_ENCODING_UTF16BE, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (text);

  bytes = g_byte_array_new ();
  mask = g_byte_array_new ();
  _hm_text_cursor_init (&cursor, text, (gsize) length);

  while (cursor.p < cursor.end)
    {
      const char *start = cursor.p;
      guint column = cursor.column;
      guchar raw;
      gboolean valid;
      gunichar c = _hm_text_cursor_next (&cursor, &raw, &valid);

      if (!valid)
        {
          set_error_column (error_column, column);
          g_set_error (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_INVALID_TEXT,
                       _("invalid UTF-8 (byte 0x%02x) at column %u"), raw, column);
          return NULL;
        }

      switch (encoding)
        {
        case HM_TEXT_ENCODING_UTF8:
          for (const char *q = start; q < cursor.p; q++)
            append_unit (bytes, mask, (guint8) *q, fold && c < 0x80);
          break;

        case HM_TEXT_ENCODING_UTF16LE:
        case HM_TEXT_ENCODING_UTF16BE:
          if (c < 0x10000)
            append_utf16_unit (bytes, mask, (guint16) c, encoding, fold);
          else
            {
              gunichar v = c - 0x10000;

              append_utf16_unit (bytes, mask, (guint16) (0xd800 | (v >> 10)), encoding, FALSE);
              append_utf16_unit (bytes, mask, (guint16) (0xdc00 | (v & 0x3ff)), encoding, FALSE);
            }
          break;

        default:
          g_assert_not_reached ();
        }

      if (bytes->len > HM_PATTERN_MAX_LENGTH)
        {
          too_long_error (error, error_column, column);
          return NULL;
        }
    }

  if (bytes->len == 0)
    {
      empty_error (error, error_column);
      return NULL;
    }

  n = bytes->len;
  return pattern_new_take (g_byte_array_free (g_steal_pointer (&bytes), FALSE),
                           g_byte_array_free (g_steal_pointer (&mask), FALSE),
                           n);
}

/**
 * hm_pattern_get_length:
 * @self: a pattern
 *
 * Returns: the number of bytes a match covers
 */
gsize
hm_pattern_get_length (const HmPattern *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->length;
}

/**
 * hm_pattern_get_bytes:
 * @self: a pattern
 *
 * The byte values, already masked with hm_pattern_get_mask().
 *
 * Returns: (array) (transfer none): hm_pattern_get_length() bytes
 */
const guint8 *
hm_pattern_get_bytes (const HmPattern *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->bytes;
}

/**
 * hm_pattern_get_mask:
 * @self: a pattern
 *
 * The bits of each byte that take part in the comparison: 0xff for a fixed byte,
 * 0x00 for `??`, 0xf0/0x0f for a wildcard nibble, 0xdf for a case-folded letter.
 *
 * Returns: (array) (transfer none): hm_pattern_get_length() masks
 */
const guint8 *
hm_pattern_get_mask (const HmPattern *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->mask;
}

/**
 * hm_pattern_has_wildcards:
 * @self: a pattern
 *
 * Whether any byte matches more than one value. An exact pattern can be compared
 * with memcmp(), which is faster.
 *
 * Returns: %TRUE if some mask is not 0xff
 */
gboolean
hm_pattern_has_wildcards (const HmPattern *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->has_wildcards;
}

/**
 * hm_pattern_matches_zeros:
 * @self: a pattern
 *
 * Whether a run of zero bytes matches. Holes in sparse files read as zeros; a
 * pattern that cannot match zeros lets the search skip holes without reading them.
 *
 * Returns: %TRUE if the pattern matches all-zero bytes
 */
gboolean
hm_pattern_matches_zeros (const HmPattern *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (gsize i = 0; i < self->length; i++)
    if (self->bytes[i] != 0)
      return FALSE;

  return TRUE;
}

/**
 * hm_pattern_matches_at:
 * @self: a pattern
 * @data: (array): at least hm_pattern_get_length() bytes
 *
 * Compares @data with the pattern. Touches nothing but @data and the pattern, so
 * it is safe inside the fault guard.
 *
 * Returns: %TRUE if @data matches
 */
gboolean
hm_pattern_matches_at (const HmPattern *self,
                       const guint8    *data)
{
  for (gsize i = 0; i < self->length; i++)
    if ((data[i] & self->mask[i]) != self->bytes[i])
      return FALSE;

  return TRUE;
}

/**
 * hm_pattern_to_string:
 * @self: a pattern
 *
 * Writes the pattern in the hex syntax, for messages and debugging. Bytes whose
 * mask the hex syntax cannot express (case-folded letters) are written as
 * `{value/mask}`, for example `{41/df}`.
 *
 * Returns: (transfer full): a new string
 */
char *
hm_pattern_to_string (const HmPattern *self)
{
  GString *s;

  g_return_val_if_fail (self != NULL, NULL);

  s = g_string_new (NULL);
  for (gsize i = 0; i < self->length; i++)
    {
      guint8 v = self->bytes[i], m = self->mask[i];

      if (i > 0)
        g_string_append_c (s, ' ');

      switch (m)
        {
        case 0xff:
          g_string_append_printf (s, "%02x", v);
          break;
        case 0x00:
          g_string_append (s, "??");
          break;
        case 0xf0:
          g_string_append_printf (s, "%x?", v >> 4);
          break;
        case 0x0f:
          g_string_append_printf (s, "?%x", v & 0xf);
          break;
        default:
          g_string_append_printf (s, "{%02x/%02x}", v, m);
          break;
        }
    }

  return g_string_free (s, FALSE);
}

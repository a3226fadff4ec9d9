/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Hex text: bytes as people type, paste and copy them. One grammar for every
 * place that reads hex (Find, Replace, Paste, Fill, `hexmap-cli find` and
 * `hexmap-cli patch`):
 *
 *   - A byte is two hex digits, in either case: `4d`, `4D`.
 *   - A run of digits makes consecutive bytes: `deadbeef` is de ad be ef.
 *   - A run may start with `0x` or `0X`: `0xdeadbeef`, `0xde, 0xad`. After 0x
 *     a single digit is a byte of its own (`0x5` is 05), as C writes it.
 *   - Runs are separated by any number of blanks (space, tab, newline, carriage
 *     return) and `,` `:` `;` `{` `}`, so `de ad`, `de:ad`, `de,ad` and
 *     `{ 0xde, 0xad };` are the same two bytes. Separators are optional
 *     between bytes but never split one.
 *   - An odd number of digits in a run is an error at the column of the digit
 *     that lacks its partner: `4 1` is not 04 01 (did the writer mean 41?),
 *     and `abc` is not 0a bc or ab 0c. Write `04 01` or `0x4 0x1`.
 *   - A run must end at a separator or at the end of the text (`0xde0xad` is
 *     an error at the second `x`); any other character is an error at its column.
 *   - Text without a single digit is an error at column 1.
 *   - Where wildcards are allowed (search patterns), `?` stands for a digit:
 *     `??` is any byte, `4?` any byte 0x40–0x4f, `?f` any byte ending in f.
 *
 * Columns count characters from 1; a byte that is not valid UTF-8 counts as one.
 */

/**
 * HM_HEX_TEXT_ERROR:
 *
 * Error domain for hex text. Every error names the column (1-based, in
 * characters) where the parser gave up.
 */
#define HM_HEX_TEXT_ERROR (hm_hex_text_error_quark ())

/**
 * HmHexTextError:
 * @HM_HEX_TEXT_ERROR_EMPTY: the text holds no digits
 * @HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER: a character that has no place in hex text
 * @HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE: an odd number of digits (a byte lacks its
 *   second digit), or `0x` with no digit after it
 * @HM_HEX_TEXT_ERROR_TOO_LONG: more bytes than the caller allows
 */
typedef enum
{
  HM_HEX_TEXT_ERROR_EMPTY,
  HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER,
  HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE,
  HM_HEX_TEXT_ERROR_TOO_LONG,
} HmHexTextError;

/**
 * HmHexFormat:
 * @HM_HEX_FORMAT_HEX: two lowercase hex digits a byte, separated by spaces (`de ad be ef`)
 * @HM_HEX_FORMAT_RAW: the bytes themselves, made valid UTF-8
 * @HM_HEX_FORMAT_C_ARRAY: a C array initialiser, twelve `0xde,` a line
 *
 * How hm_hex_text_format() writes bytes, for the clipboard.
 */
typedef enum
{
  HM_HEX_FORMAT_HEX,
  HM_HEX_FORMAT_RAW,
  HM_HEX_FORMAT_C_ARRAY,
} HmHexFormat;

/**
 * HM_HEX_FORMAT_MAX_BYTES:
 *
 * The most bytes worth formatting for the clipboard at once (16 MiB): the hex
 * format makes three characters of each.
 */
#define HM_HEX_FORMAT_MAX_BYTES (16u * 1024u * 1024u)

/**
 * HM_HEX_FORMAT_C_ARRAY_MAX_BYTES:
 *
 * The most bytes worth formatting as a C array (1 MiB): six characters a
 * byte, so 1 MiB is already a 6 MiB text.
 */
#define HM_HEX_FORMAT_C_ARRAY_MAX_BYTES (1024u * 1024u)

GQuark    hm_hex_text_error_quark  (void);

GBytes   *hm_hex_text_parse        (const char    *text,
                                    gssize         length,
                                    guint         *error_column,
                                    GError       **error);
gboolean  hm_hex_text_parse_masked (const char    *text,
                                    gssize         length,
                                    gsize          max_bytes,
                                    GByteArray    *bytes,
                                    GByteArray    *mask,
                                    guint         *error_column,
                                    GError       **error);

char     *hm_hex_text_format       (const guint8  *data,
                                    gsize          length,
                                    HmHexFormat    format);

G_END_DECLS

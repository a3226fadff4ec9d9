/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "hm-hex-text.h"

static void
assert_bytes (GBytes       *bytes,
              const guint8 *expected,
              gsize         length)
{
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, length);
}

static void
test_parse_valid (void)
{
  static const guint8 deadbeef[] = { 0xde, 0xad, 0xbe, 0xef };
  /* What paste took before the grammar moved to core, and what patch took. */
  const char *texts[] = {
    "de ad be ef", "DEADBEEF", "0xde, 0xad,0xbe 0xef", "de:ad:be:ef", "{ 0xde, 0xad, 0xbe, 0xef }",
    "0xdeadbeef", "0XDEADBEEF", "de\tad\nbe\r\nef", "dead beef", "{0xde,0xad};{0xbe,0xef};",
    "  de ad be ef  ", ",de,,ad,be,ef,",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      guint column = 7;

      bytes = hm_hex_text_parse (texts[i], -1, &column, &error);
      g_assert_no_error (error);
      assert_bytes (bytes, deadbeef, sizeof deadbeef);
      g_assert_cmpuint (column, ==, 7);
    }
}

static void
test_parse_single_digit_after_0x (void)
{
  static const guint8 expected[] = { 0x05, 0x0a, 0x10, 0x00 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = hm_hex_text_parse ("{ 0x5, 0xA, 0x10, 0x0 }", -1, NULL, &error);
  g_assert_no_error (error);
  assert_bytes (bytes, expected, sizeof expected);
}

static void
test_parse_length (void)
{
  static const guint8 expected[] = { 0x41, 0x42 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint column = 0;

  /* Only the first @length bytes count. */
  bytes = hm_hex_text_parse ("41 42 zz", 5, NULL, &error);
  g_assert_no_error (error);
  assert_bytes (bytes, expected, sizeof expected);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* An embedded NUL is a character like any other: not a separator. */
  bytes = hm_hex_text_parse ("41\0" "42", 5, &column, &error);
  g_assert_error (error, HM_HEX_TEXT_ERROR, HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER);
  g_assert_null (bytes);
  g_assert_cmpuint (column, ==, 3);
}

static void
test_parse_errors (void)
{
  static const struct
  {
    const char *text;
    int         code;
    guint       column;
    const char *message;
  } cases[] = {
    { "hello", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 1, "unexpected 'h' at column 1 (expected a hex digit or a space)" },
    { "abc", HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE, 3, "incomplete byte at column 3" },
    { "a", HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE, 1, "write 0a for a single digit" },
    { "de ad b", HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE, 7, "column 7" },
    { "4 1", HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE, 1, "column 1" },
    { "0x123", HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE, 5, "column 5" },
    { "0x", HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE, 1, "“0x” at column 1 has no hex digits after it" },
    { "de 0x ad", HM_HEX_TEXT_ERROR_INCOMPLETE_BYTE, 4, "column 4" },
    { "de0xad", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 4, "unexpected 'x' at column 4" },
    { "0x0x12", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 4, "unexpected 'x' at column 4" },
    { "x12", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 1, "column 1" },
    { "de ??", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 4, "unexpected '?' at column 4" },
    { "de-ad", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 3, "unexpected '-' at column 3" },
    { "éé de g", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 1, "unexpected 'é' at column 1" },
    { "de é", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 4, "unexpected 'é' at column 4" },
    { "de\xc2\x85" "ad", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 3, "unexpected character U+0085 at column 3" },
    { "de\xff", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 3, "unexpected byte 0xff at column 3" },
    { "de\x0b" "ad", HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER, 3, "unexpected byte 0x0b at column 3" },
    { "", HM_HEX_TEXT_ERROR_EMPTY, 1, "empty (at column 1)" },
    { "  ", HM_HEX_TEXT_ERROR_EMPTY, 1, "empty" },
    { "{ , }", HM_HEX_TEXT_ERROR_EMPTY, 1, "empty" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      guint column = 0;

      bytes = hm_hex_text_parse (cases[i].text, -1, &column, &error);
      g_assert_null (bytes);
      g_assert_error (error, HM_HEX_TEXT_ERROR, cases[i].code);
      if (column != cases[i].column || strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s”: column %u, message “%s”; expected column %u and “%s”",
                 cases[i].text, column, error->message, cases[i].column, cases[i].message);

      /* Without an error location it is the quiet test pasting needs. */
      g_assert_null (hm_hex_text_parse (cases[i].text, -1, NULL, NULL));
    }
}

static void
test_parse_masked (void)
{
  static const guint8 bytes[] = { 0x4d, 0x00, 0x40, 0x0f, 0x00, 0x05 };
  static const guint8 mask[] = { 0xff, 0x00, 0xf0, 0x0f, 0xf0, 0xff };
  g_autoptr(GByteArray) b = g_byte_array_new ();
  g_autoptr(GByteArray) m = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint column = 0;

  g_assert_true (hm_hex_text_parse_masked ("4d ?? 4? ?F 0x? 0x5", -1, 0, b, m, &column, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (b->data, b->len, bytes, sizeof bytes);
  g_assert_cmpmem (m->data, m->len, mask, sizeof mask);

  /* A limit: the byte beyond it is the error, at its first digit. */
  g_byte_array_set_size (b, 0);
  g_byte_array_set_size (m, 0);
  g_assert_true (hm_hex_text_parse_masked ("0102 03", -1, 3, b, m, NULL, &error));
  g_assert_no_error (error);
  g_byte_array_set_size (b, 0);
  g_byte_array_set_size (m, 0);
  g_assert_false (hm_hex_text_parse_masked ("0102 0304", -1, 3, b, m, &column, &error));
  g_assert_error (error, HM_HEX_TEXT_ERROR, HM_HEX_TEXT_ERROR_TOO_LONG);
  g_assert_cmpuint (column, ==, 8);
  g_assert_nonnull (strstr (error->message, "column 8"));
  g_clear_error (&error);

  /* Without a mask, ? is a wrong character. */
  g_byte_array_set_size (b, 0);
  g_assert_false (hm_hex_text_parse_masked ("4?", -1, 0, b, NULL, &column, &error));
  g_assert_error (error, HM_HEX_TEXT_ERROR, HM_HEX_TEXT_ERROR_UNEXPECTED_CHARACTER);
  g_assert_cmpuint (column, ==, 2);
}

/* ---- Formatting (these were the hex view's tests) ---- */

static void
test_format (void)
{
  static const guint8 bytes[] = { 0xde, 0xad, 0xbe, 0xef, 'A' };
  g_autofree char *hex = hm_hex_text_format (bytes, 4, HM_HEX_FORMAT_HEX);
  g_autofree char *c_array = hm_hex_text_format (bytes, 5, HM_HEX_FORMAT_C_ARRAY);
  g_autofree char *raw = hm_hex_text_format (bytes + 4, 1, HM_HEX_FORMAT_RAW);
  g_autofree char *invalid = hm_hex_text_format (bytes, 5, HM_HEX_FORMAT_RAW);
  g_autofree char *empty_hex = hm_hex_text_format (bytes, 0, HM_HEX_FORMAT_HEX);
  g_autofree char *empty_c = hm_hex_text_format (bytes, 0, HM_HEX_FORMAT_C_ARRAY);

  g_assert_cmpstr (hex, ==, "de ad be ef");
  g_assert_cmpstr (c_array, ==, "unsigned char data[5] = {\n  0xde, 0xad, 0xbe, 0xef, 0x41\n};\n");
  g_assert_cmpstr (raw, ==, "A");
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_true (g_str_has_suffix (invalid, "A"));
  g_assert_cmpstr (empty_hex, ==, "");
  g_assert_cmpstr (empty_c, ==, "unsigned char data[0] = {\n};\n");
}

static void
test_format_c_array (void)
{
  g_autoptr(GString) expected = g_string_new ("unsigned char data[13] = {");
  guint8 bytes[13];
  g_autofree char *text = NULL;
  g_autofree guint8 *big = g_malloc0 (HM_HEX_FORMAT_C_ARRAY_MAX_BYTES);
  g_autofree char *big_text = NULL;

  for (guint i = 0; i < sizeof bytes; i++)
    {
      bytes[i] = (guint8) (i * 37 + 250);
      g_string_append_printf (expected, "%s0x%02x%s", i % 12 == 0 ? "\n  " : " ", bytes[i],
                              i + 1 < sizeof bytes ? "," : "");
    }
  g_string_append (expected, "\n};\n");
  text = hm_hex_text_format (bytes, sizeof bytes, HM_HEX_FORMAT_C_ARRAY);
  g_assert_cmpstr (text, ==, expected->str);

  /* 1 MiB: 6 characters a byte, plus the head and one line break per 12 bytes. */
  g_assert_cmpuint (HM_HEX_FORMAT_C_ARRAY_MAX_BYTES, ==, 1 << 20);
  g_assert_cmpuint (HM_HEX_FORMAT_MAX_BYTES, ==, 16 << 20);
  big_text = hm_hex_text_format (big, HM_HEX_FORMAT_C_ARRAY_MAX_BYTES, HM_HEX_FORMAT_C_ARRAY);
  g_assert_true (g_str_has_prefix (big_text, "unsigned char data[1048576] = {\n  0x00, 0x00,"));
  g_assert_true (g_str_has_suffix (big_text, " 0x00\n};\n"));
}

/* What we copy as hex or as a C array pastes back as the same bytes. */
static void
test_round_trip (void)
{
  guint8 bytes[256];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) (255 - i);

  for (gsize n = 1; n <= sizeof bytes; n += 17)
    {
      g_autofree char *hex = hm_hex_text_format (bytes, n, HM_HEX_FORMAT_HEX);
      g_autofree char *c_array = hm_hex_text_format (bytes, n, HM_HEX_FORMAT_C_ARRAY);
      g_autoptr(GBytes) from_hex = hm_hex_text_parse (hex, -1, NULL, NULL);
      g_autoptr(GBytes) from_c = hm_hex_text_parse (strchr (c_array, '{'), -1, NULL, NULL);

      assert_bytes (from_hex, bytes, n);
      assert_bytes (from_c, bytes, n);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/hex-text/parse/valid", test_parse_valid);
  g_test_add_func ("/hm/hex-text/parse/single-digit-after-0x", test_parse_single_digit_after_0x);
  g_test_add_func ("/hm/hex-text/parse/length", test_parse_length);
  g_test_add_func ("/hm/hex-text/parse/errors", test_parse_errors);
  g_test_add_func ("/hm/hex-text/parse/masked", test_parse_masked);
  g_test_add_func ("/hm/hex-text/format/basic", test_format);
  g_test_add_func ("/hm/hex-text/format/c-array", test_format_c_array);
  g_test_add_func ("/hm/hex-text/round-trip", test_round_trip);

  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "hm-pattern.h"

static void
assert_pattern (HmPattern    *pattern,
                const guint8 *bytes,
                const guint8 *mask,
                gsize         length)
{
  g_assert_nonnull (pattern);
  g_assert_cmpuint (hm_pattern_get_length (pattern), ==, length);
  g_assert_cmpmem (hm_pattern_get_bytes (pattern), length, bytes, length);
  g_assert_cmpmem (hm_pattern_get_mask (pattern), length, mask, length);
}

static void
test_hex_basic (void)
{
  static const guint8 bytes[] = { 0x4d, 0x5a, 0x00, 0x00, 0x40, 0x0f, 0xab };
  static const guint8 mask[] = { 0xff, 0xff, 0x00, 0xff, 0xf0, 0x0f, 0xff };
  g_autoptr(HmPattern) spaced = NULL;
  g_autoptr(HmPattern) packed = NULL;
  g_autoptr(HmPattern) mixed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *str = NULL;

  spaced = hm_pattern_new_hex ("4D 5A ?? 00 4? ?f aB", -1, NULL, &error);
  g_assert_no_error (error);
  assert_pattern (spaced, bytes, mask, sizeof bytes);
  g_assert_true (hm_pattern_has_wildcards (spaced));

  packed = hm_pattern_new_hex ("4d5a??004??fab", -1, NULL, &error);
  g_assert_no_error (error);
  assert_pattern (packed, bytes, mask, sizeof bytes);

  mixed = hm_pattern_new_hex ("\t4d5a ??\n004? ?fab  ", -1, NULL, &error);
  g_assert_no_error (error);
  assert_pattern (mixed, bytes, mask, sizeof bytes);

  str = hm_pattern_to_string (spaced);
  g_assert_cmpstr (str, ==, "4d 5a ?? 00 4? ?f ab");
}

/* The separators and 0x prefixes of hm-hex-text.h, wildcards included. */
static void
test_hex_prefixes_and_separators (void)
{
  static const guint8 bytes[] = { 0x4d, 0x5a, 0x00, 0x05, 0x40 };
  static const guint8 mask[] = { 0xff, 0xff, 0x00, 0xff, 0xf0 };
  const char *texts[] = {
    "0x4d, 0x5a, 0x??, 0x05, 0x4?",
    "{ 0x4D5A, ??, 0x5, 4? };",
    "4d:5a:??:05:4?",
    "0X4d5a??054?",
    "4d;5a,,?? 0x5\r\n4?",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(HmPattern) pattern = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strcompress (texts[i]);

      pattern = hm_pattern_new_hex (text, -1, NULL, &error);
      g_assert_no_error (error);
      assert_pattern (pattern, bytes, mask, sizeof bytes);
    }
}

static void
test_hex_exact (void)
{
  g_autoptr(HmPattern) pattern = NULL;
  g_autoptr(GError) error = NULL;

  pattern = hm_pattern_new_hex ("00 ff", -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (hm_pattern_has_wildcards (pattern));
  g_assert_false (hm_pattern_matches_zeros (pattern));
  g_assert_true (hm_pattern_matches_at (pattern, (const guint8 *) "\x00\xff"));
  g_assert_false (hm_pattern_matches_at (pattern, (const guint8 *) "\x00\xfe"));
}

static void
test_hex_errors (void)
{
  static const struct
  {
    const char *text;
    gssize      length;
    int         code;
    guint       column;
    const char *message;
  } cases[] = {
    { "4d 5g", -1, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER, 5, "unexpected 'g' at column 5" },
    /* 0x starts a run (hm-hex-text.h); elsewhere an x is just a wrong character. */
    { "4x1", -1, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER, 2, "unexpected 'x' at column 2" },
    { "0x4d0x5a", -1, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER, 6, "unexpected 'x' at column 6" },
    { "4d 0x", -1, HM_PATTERN_ERROR_INCOMPLETE_BYTE, 4, "column 4" },
    { "0x123", -1, HM_PATTERN_ERROR_INCOMPLETE_BYTE, 5, "incomplete byte at column 5" },
    { "4d/5a", -1, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER, 3, "unexpected '/' at column 3" },
    { "abc", -1, HM_PATTERN_ERROR_INCOMPLETE_BYTE, 3, "incomplete byte at column 3" },
    { "4 1", -1, HM_PATTERN_ERROR_INCOMPLETE_BYTE, 1, "incomplete byte at column 1" },
    { "41 ?", -1, HM_PATTERN_ERROR_INCOMPLETE_BYTE, 4, "column 4" },
    { "", -1, HM_PATTERN_ERROR_EMPTY, 1, "empty" },
    { " \t\n", -1, HM_PATTERN_ERROR_EMPTY, 1, "empty" },
    { "é1", -1, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER, 1, "unexpected 'é' at column 1" },
    { "41é", -1, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER, 3, "unexpected 'é' at column 3" },
    { "éé41g", -1, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER, 1, "column 1" },
    { "41\xff", -1, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER, 3, "unexpected byte 0xff at column 3" },
    { "41\x07", -1, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER, 3, "unexpected byte 0x07 at column 3" },
    { "41\0" "42", 5, HM_PATTERN_ERROR_UNEXPECTED_CHARACTER, 3, "unexpected byte 0x00 at column 3" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HmPattern) pattern = NULL;
      g_autoptr(GError) error = NULL;
      guint column = 0;

      pattern = hm_pattern_new_hex (cases[i].text, cases[i].length, &column, &error);
      g_assert_null (pattern);
      g_assert_error (error, HM_PATTERN_ERROR, cases[i].code);
      g_assert_cmpuint (column, ==, cases[i].column);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": message '%s' lacks '%s'",
                 i, error->message, cases[i].message);
    }
}

static void
test_hex_too_long (void)
{
  g_autoptr(HmPattern) ok = NULL;
  g_autoptr(HmPattern) too_long = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  guint column = 0;

  for (guint i = 0; i < HM_PATTERN_MAX_LENGTH; i++)
    g_string_append (text, "a5");

  ok = hm_pattern_new_hex (text->str, text->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hm_pattern_get_length (ok), ==, HM_PATTERN_MAX_LENGTH);

  g_string_append (text, "a5");
  too_long = hm_pattern_new_hex (text->str, text->len, &column, &error);
  g_assert_error (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_TOO_LONG);
  g_assert_null (too_long);
  g_assert_cmpuint (column, ==, 2 * HM_PATTERN_MAX_LENGTH + 1);
}

static void
test_text_utf8 (void)
{
  static const guint8 exact_mask[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  static const guint8 fold_mask[] = { 0xdf, 0xff, 0xdf, 0xff, 0xff, 0xff };
  g_autoptr(HmPattern) exact = NULL;
  g_autoptr(HmPattern) fold = NULL;
  g_autoptr(GError) error = NULL;

  /* "a1Z é": é is two bytes in UTF-8 and never folded. */
  exact = hm_pattern_new_text ("a1Zé", -1, HM_TEXT_ENCODING_UTF8, HM_PATTERN_FLAGS_NONE,
                               NULL, &error);
  g_assert_no_error (error);
  assert_pattern (exact, (const guint8 *) "a1Z\xc3\xa9", exact_mask, 5);
  g_assert_false (hm_pattern_has_wildcards (exact));

  fold = hm_pattern_new_text ("a1Z@[é", -1, HM_TEXT_ENCODING_UTF8, HM_PATTERN_IGNORE_CASE,
                              NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hm_pattern_get_length (fold), ==, 7);
  g_assert_cmpmem (hm_pattern_get_mask (fold), 3, fold_mask, 3);
  g_assert_cmpmem (hm_pattern_get_bytes (fold), 3, "A1Z", 3);
  /* '@' and '[' border the letters but are not letters: exact. */
  g_assert_cmphex (hm_pattern_get_mask (fold)[3], ==, 0xff);
  g_assert_cmphex (hm_pattern_get_mask (fold)[4], ==, 0xff);
  g_assert_true (hm_pattern_matches_at (fold, (const guint8 *) "A1z@[\xc3\xa9"));
  g_assert_true (hm_pattern_matches_at (fold, (const guint8 *) "a1Z@[\xc3\xa9"));
  g_assert_false (hm_pattern_matches_at (fold, (const guint8 *) "a1Z`[\xc3\xa9"));
  g_assert_false (hm_pattern_matches_at (fold, (const guint8 *) "a1Z@{\xc3\xa9"));
  g_assert_false (hm_pattern_matches_at (fold, (const guint8 *) "a1Z@[\xc3\x89"));
}

static void
test_text_ignore_case_exhaustive (void)
{
  /* For every ASCII letter, exactly its two cases match. */
  for (guint c = 0; c < 128; c++)
    {
      g_autoptr(HmPattern) pattern = NULL;
      char text[2] = { (char) c, 0 };

      if (c == 0)
        continue;
      pattern = hm_pattern_new_text (text, 1, HM_TEXT_ENCODING_UTF8, HM_PATTERN_IGNORE_CASE,
                                     NULL, NULL);
      g_assert_nonnull (pattern);
      for (guint d = 0; d < 256; d++)
        {
          guint8 byte = (guint8) d;
          gboolean expected = d == c ||
                              (g_ascii_isalpha (c) && d < 128 &&
                               g_ascii_tolower (d) == g_ascii_tolower (c));

          g_assert_cmpint (hm_pattern_matches_at (pattern, &byte), ==, expected);
        }
    }
}

static void
test_text_utf16 (void)
{
  static const guint8 le[] = { 'A', 0, 0xe9, 0, 0x3d, 0xd8, 0x00, 0xde };
  static const guint8 be[] = { 0, 'A', 0, 0xe9, 0xd8, 0x3d, 0xde, 0x00 };
  static const guint8 le_fold_mask[] = { 0xdf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  static const guint8 be_fold_mask[] = { 0xff, 0xdf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  static const guint8 full_mask[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  const char *text = "Aé\xf0\x9f\x98\x80";  /* A, é, U+1F600 (a surrogate pair) */
  g_autoptr(HmPattern) p_le = NULL;
  g_autoptr(HmPattern) p_be = NULL;
  g_autoptr(HmPattern) p_le_fold = NULL;
  g_autoptr(HmPattern) p_be_fold = NULL;

  p_le = hm_pattern_new_text (text, -1, HM_TEXT_ENCODING_UTF16LE, 0, NULL, NULL);
  p_be = hm_pattern_new_text (text, -1, HM_TEXT_ENCODING_UTF16BE, 0, NULL, NULL);
  p_le_fold = hm_pattern_new_text (text, -1, HM_TEXT_ENCODING_UTF16LE, HM_PATTERN_IGNORE_CASE,
                                   NULL, NULL);
  p_be_fold = hm_pattern_new_text (text, -1, HM_TEXT_ENCODING_UTF16BE, HM_PATTERN_IGNORE_CASE,
                                   NULL, NULL);
  assert_pattern (p_le, le, full_mask, sizeof le);
  assert_pattern (p_be, be, full_mask, sizeof be);
  assert_pattern (p_le_fold, le, le_fold_mask, sizeof le);
  assert_pattern (p_be_fold, be, be_fold_mask, sizeof be);
  g_assert_true (hm_pattern_matches_at (p_le_fold, (const guint8 *) "a\0\xe9\0\x3d\xd8\x00\xde"));
}

static void
test_text_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HmPattern) pattern = NULL;
  guint column = 0;

  pattern = hm_pattern_new_text ("ab\xc3(", -1, HM_TEXT_ENCODING_UTF8, 0, &column, &error);
  g_assert_null (pattern);
  g_assert_error (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_INVALID_TEXT);
  g_assert_cmpuint (column, ==, 3);
  g_assert_nonnull (strstr (error->message, "column 3"));
  g_clear_error (&error);

  /* An encoded surrogate is not valid UTF-8. */
  pattern = hm_pattern_new_text ("é\xed\xa0\x80", -1, HM_TEXT_ENCODING_UTF16LE, 0, &column, &error);
  g_assert_null (pattern);
  g_assert_error (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_INVALID_TEXT);
  g_assert_cmpuint (column, ==, 2);
  g_clear_error (&error);

  pattern = hm_pattern_new_text ("", -1, HM_TEXT_ENCODING_UTF16BE, 0, &column, &error);
  g_assert_null (pattern);
  g_assert_error (error, HM_PATTERN_ERROR, HM_PATTERN_ERROR_EMPTY);
  g_clear_error (&error);

  /* An explicit length may include NUL: it is a character like any other. */
  pattern = hm_pattern_new_text ("a\0b", 3, HM_TEXT_ENCODING_UTF8, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hm_pattern_get_length (pattern), ==, 3);
}

static void
test_matches_zeros (void)
{
  static const struct
  {
    const char *hex;
    gboolean    zeros;
  } cases[] = {
    { "00", TRUE }, { "00 ?? 00", TRUE }, { "??", TRUE }, { "0? ?0", TRUE },
    { "01", FALSE }, { "00 00 10", FALSE }, { "?1", FALSE }, { "1?", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HmPattern) pattern = hm_pattern_new_hex (cases[i].hex, -1, NULL, NULL);

      g_assert_cmpint (hm_pattern_matches_zeros (pattern), ==, cases[i].zeros);
    }
}

static void
test_new_bytes (void)
{
  static const guint8 bytes[] = { 0x12, 0x34, 0xff };
  static const guint8 mask[] = { 0xf0, 0x00, 0xff };
  static const guint8 stored[] = { 0x10, 0x00, 0xff };
  g_autoptr(HmPattern) pattern = hm_pattern_new (bytes, mask, 3);
  g_autoptr(HmPattern) exact = hm_pattern_new (bytes, NULL, 3);
  g_autofree char *str = hm_pattern_to_string (pattern);

  /* Values are stored masked, so comparing with the mask applied is enough. */
  assert_pattern (pattern, stored, mask, 3);
  g_assert_false (hm_pattern_has_wildcards (exact));
  g_assert_cmpstr (str, ==, "1? ?? ff");
}

/* Random input must never crash or leak; it either parses, or fails with a
 * column inside the input (or just past it). Parsed hex patterns survive a round
 * trip through hm_pattern_to_string(). CI runs a short version; set
 * HM_PATTERN_FUZZ_ITERATIONS for a long run. */
static void
test_random_input (void)
{
  static const char alphabet[] = "0123456789abcdefABCDEF?? \t\n gxé\xff\xc3\x80\xed\xa0x0x,:;{}";
  const char *env = g_getenv ("HM_PATTERN_FUZZ_ITERATIONS");
  guint iterations = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 20000;
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  if (g_test_slow ())
    iterations *= 20;

  for (guint it = 0; it < iterations; it++)
    {
      guint len = g_rand_int_range (rand, 0, 40);
      g_autofree char *text = g_malloc (len + 1);
      gboolean from_alphabet = g_rand_boolean (rand);
      glong n_chars;
      const char *end;

      for (guint i = 0; i < len; i++)
        text[i] = from_alphabet
          ? alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)]
          : (char) g_rand_int_range (rand, 0, 256);
      text[len] = 0;

      /* Columns count characters; an invalid byte counts as one. */
      n_chars = 0;
      end = text + len;
      for (const char *p = text; p < end; n_chars++)
        {
          gunichar c = *p == 0 ? 0 : g_utf8_get_char_validated (p, end - p);

          p = (c == (gunichar) -1 || c == (gunichar) -2 || *p == 0) ? p + 1 : g_utf8_next_char (p);
        }

      for (int kind = 0; kind < 4; kind++)
        {
          g_autoptr(HmPattern) pattern = NULL;
          g_autoptr(GError) error = NULL;
          guint column = 0;

          if (kind == 0)
            pattern = hm_pattern_new_hex (text, len, &column, &error);
          else
            pattern = hm_pattern_new_text (text, len, (HmTextEncoding) (kind - 1),
                                           g_rand_boolean (rand) ? HM_PATTERN_IGNORE_CASE : 0,
                                           &column, &error);

          if (pattern == NULL)
            {
              g_assert_nonnull (error);
              g_assert_true (error->domain == HM_PATTERN_ERROR);
              g_assert_nonnull (strstr (error->message, "column"));
              g_assert_true (g_utf8_validate (error->message, -1, NULL));
              g_assert_cmpuint (column, >=, 1);
              g_assert_cmpuint (column, <=, (guint) n_chars + 1);
            }
          else
            {
              g_assert_no_error (error);
              g_assert_cmpuint (hm_pattern_get_length (pattern), >=, 1);
              if (kind == 0)
                {
                  g_autofree char *str = hm_pattern_to_string (pattern);
                  g_autoptr(HmPattern) again = hm_pattern_new_hex (str, -1, NULL, &error);
                  gsize plen = hm_pattern_get_length (pattern);

                  g_assert_no_error (error);
                  assert_pattern (again, hm_pattern_get_bytes (pattern),
                                  hm_pattern_get_mask (pattern), plen);
                }
            }
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/pattern/hex/basic", test_hex_basic);
  g_test_add_func ("/hm/pattern/hex/prefixes-and-separators", test_hex_prefixes_and_separators);
  g_test_add_func ("/hm/pattern/hex/exact", test_hex_exact);
  g_test_add_func ("/hm/pattern/hex/errors", test_hex_errors);
  g_test_add_func ("/hm/pattern/hex/too-long", test_hex_too_long);
  g_test_add_func ("/hm/pattern/text/utf8", test_text_utf8);
  g_test_add_func ("/hm/pattern/text/ignore-case", test_text_ignore_case_exhaustive);
  g_test_add_func ("/hm/pattern/text/utf16", test_text_utf16);
  g_test_add_func ("/hm/pattern/text/errors", test_text_errors);
  g_test_add_func ("/hm/pattern/matches-zeros", test_matches_zeros);
  g_test_add_func ("/hm/pattern/new-bytes", test_new_bytes);
  g_test_add_func ("/hm/pattern/random-input", test_random_input);

  return g_test_run ();
}

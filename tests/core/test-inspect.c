/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "hm-inspect.h"

/* Formats @hex (the bytes at the cursor) as @field in the given byte order. */
static char *
format_hex (HmInspectField  field,
            const char     *bytes,
            gsize           n_bytes,
            gboolean        big_endian)
{
  return hm_inspect_format (field, (const guint8 *) bytes, n_bytes, big_endian);
}

#define assert_format(field, bytes, big_endian, expected)                                  \
  G_STMT_START {                                                                          \
    g_autofree char *_text = format_hex (field, bytes, sizeof bytes - 1, big_endian);     \
    g_assert_cmpstr (_text, ==, expected);                                                 \
  } G_STMT_END

static void
test_fields (void)
{
  g_assert_cmpuint (HM_INSPECT_N_FIELDS, ==, 15);
  for (guint i = 0; i < HM_INSPECT_N_FIELDS; i++)
    {
      guint size = hm_inspect_field_get_size ((HmInspectField) i);

      g_assert_nonnull (hm_inspect_field_get_name ((HmInspectField) i));
      g_assert_cmpuint (size, >=, 1);
      g_assert_cmpuint (size, <=, HM_INSPECT_MAX_BYTES);
      g_assert_cmpint (hm_inspect_field_is_editable ((HmInspectField) i), ==, i != HM_INSPECT_UTF8);
    }
  g_assert_cmpstr (hm_inspect_field_get_name (HM_INSPECT_INT8), ==, "Int8");
  g_assert_cmpstr (hm_inspect_field_get_name (HM_INSPECT_TIME64), ==, "Unix time 64");
  g_assert_cmpuint (hm_inspect_field_get_size (HM_INSPECT_UINT16), ==, 2);
  g_assert_cmpuint (hm_inspect_field_get_size (HM_INSPECT_FLOAT), ==, 4);
  g_assert_cmpuint (hm_inspect_field_get_size (HM_INSPECT_TIME32), ==, 4);
  g_assert_cmpuint (hm_inspect_field_get_size (HM_INSPECT_DOUBLE), ==, 8);
  g_assert_cmpuint (hm_inspect_field_get_size (HM_INSPECT_BINARY), ==, 1);
}

/* The inspector's own examples (tests/ui/test-panels.c), now without a display. */
static void
test_format_integers (void)
{
  assert_format (HM_INSPECT_INT8, "\x00", FALSE, "0");
  assert_format (HM_INSPECT_INT8, "\xff", FALSE, "-1");
  assert_format (HM_INSPECT_INT8, "\x80", TRUE, "-128");
  assert_format (HM_INSPECT_UINT8, "\xff", FALSE, "255");
  assert_format (HM_INSPECT_INT16, "\xff\xfe", FALSE, "-257");
  assert_format (HM_INSPECT_INT16, "\xff\xfe", TRUE, "-2");
  assert_format (HM_INSPECT_UINT16, "\xff\xfe", TRUE, "65534");
  assert_format (HM_INSPECT_UINT16, "\x00\x00", TRUE, "0");
  assert_format (HM_INSPECT_INT16, "\x44\x45", FALSE, "17732");
  assert_format (HM_INSPECT_UINT32, "\x00\x00\x80\x3f", FALSE, "1065353216");
  assert_format (HM_INSPECT_UINT32, "\x00\x00\x80\x3f", TRUE, "32831");
  assert_format (HM_INSPECT_INT32, "\x00\xf1\x53\x65", FALSE, "1700000000");
  assert_format (HM_INSPECT_INT32, "\xff\xff\xff\x7f", FALSE, "2147483647");
  assert_format (HM_INSPECT_INT32, "\x00\x00\x00\x80", FALSE, "-2147483648");
  assert_format (HM_INSPECT_UINT64, "\x00\x00\x80\x3f\x01\x02\x03\x04", FALSE, "289077005465419776");
  assert_format (HM_INSPECT_UINT64, "\xff\xff\xff\xff\xff\xff\xff\xff", TRUE, "18446744073709551615");
  assert_format (HM_INSPECT_INT64, "\xff\xff\xff\xff\xff\xff\xff\xff", TRUE, "-1");
  assert_format (HM_INSPECT_INT64, "\x80\x00\x00\x00\x00\x00\x00\x00", TRUE, "-9223372036854775808");
  /* Extra bytes after the field do not matter. */
  assert_format (HM_INSPECT_INT8, "\x7f\x01\x02", FALSE, "127");
}

static void
test_format_floats (void)
{
  assert_format (HM_INSPECT_FLOAT, "\x00\x00\x80\x3f", FALSE, "1");
  assert_format (HM_INSPECT_FLOAT, "\x3f\x80\x00\x00", TRUE, "1");
  assert_format (HM_INSPECT_FLOAT, "\x00\x00\x20\x40", FALSE, "2.5");
  /* 0.1f: the shortest text that reads back as the same float. */
  assert_format (HM_INSPECT_FLOAT, "\xcd\xcc\xcc\x3d", FALSE, "0.1");
  assert_format (HM_INSPECT_FLOAT, "\x00\x00\x80\x7f", FALSE, "inf");
  assert_format (HM_INSPECT_FLOAT, "\x00\x00\x80\xff", FALSE, "-inf");
  assert_format (HM_INSPECT_FLOAT, "\x00\x00\xc0\x7f", FALSE, "nan");
  assert_format (HM_INSPECT_DOUBLE, "\x00\x00\x00\x00\x00\x00\xf8\x3f", FALSE, "1.5");
  assert_format (HM_INSPECT_DOUBLE, "\xbf\xb9\x99\x99\x99\x99\x99\x9a", TRUE, "-0.1");
  assert_format (HM_INSPECT_DOUBLE, "\x00\x00\x00\x00\x00\x00\x00\x80", FALSE, "-0");
  assert_format (HM_INSPECT_DOUBLE, "\x01\x00\x00\x00\x00\x00\x00\x00", FALSE, "4.94065645841247e-324");
  /* 0.1 + 0.2 needs all 17 digits. */
  assert_format (HM_INSPECT_DOUBLE, "\x34\x33\x33\x33\x33\x33\xd3\x3f", FALSE, "0.30000000000000004");
}

static void
test_format_bits_and_text (void)
{
  assert_format (HM_INSPECT_BINARY, "\xff", FALSE, "1111 1111");
  assert_format (HM_INSPECT_BINARY, "\xa5", TRUE, "1010 0101");
  assert_format (HM_INSPECT_BINARY, "\x00", FALSE, "0000 0000");
  assert_format (HM_INSPECT_OCTAL, "\xff", FALSE, "377");
  assert_format (HM_INSPECT_OCTAL, "\x0f", FALSE, "017");
  assert_format (HM_INSPECT_OCTAL, "\x00", FALSE, "000");
  assert_format (HM_INSPECT_UTF8, "\xc3\xa9\x41", FALSE, "é  U+00E9");
  assert_format (HM_INSPECT_UTF8, "A", FALSE, "A  U+0041");
  assert_format (HM_INSPECT_UTF8, "\xf0\x9f\x98\x80", FALSE, "\xf0\x9f\x98\x80  U+1F600");
  assert_format (HM_INSPECT_UTF8, "\x00\x00", FALSE, "U+0000");
  assert_format (HM_INSPECT_UTF8, "\x0a", FALSE, "U+000A");
  assert_format (HM_INSPECT_UTF8, "\xff\xfe", FALSE, "Not valid UTF-8");
  /* A character cut short by the end of the file. */
  assert_format (HM_INSPECT_UTF8, "\xc3", FALSE, "Not valid UTF-8");
}

static void
test_format_times (void)
{
  assert_format (HM_INSPECT_TIME32, "\x00\xf1\x53\x65", FALSE, "2023-11-14T22:13:20Z");
  assert_format (HM_INSPECT_TIME32, "\x65\x53\xf1\x00", TRUE, "2023-11-14T22:13:20Z");
  assert_format (HM_INSPECT_TIME64, "\x00\xf1\x53\x65\x00\x00\x00\x00", FALSE, "2023-11-14T22:13:20Z");
  assert_format (HM_INSPECT_TIME32, "\x00\x00\x00\x00", FALSE, "1970-01-01T00:00:00Z");
  assert_format (HM_INSPECT_TIME32, "\xff\xff\xff\xff", FALSE, "1969-12-31T23:59:59Z");
  assert_format (HM_INSPECT_TIME32, "\x00\x00\x00\x80", FALSE, "1901-12-13T20:45:52Z");
  assert_format (HM_INSPECT_TIME64, "\xff\xff\xff\xff\xff\xff\xff\x7f", FALSE, "Out of range");
  /* Four-digit years, so that the text parses back. */
  assert_format (HM_INSPECT_TIME64, "\xe6\x84\xea\xe5\xf6\xff\xff\xff", FALSE, "0731-03-20T13:55:50Z");
}

/* Too few bytes (the end of the file): no value. */
static void
test_format_short (void)
{
  static const guint8 bytes[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

  for (guint i = 0; i < HM_INSPECT_N_FIELDS; i++)
    {
      guint size = hm_inspect_field_get_size ((HmInspectField) i);
      g_autofree char *enough = hm_inspect_format ((HmInspectField) i, bytes, size, FALSE);
      g_autofree char *short_ = hm_inspect_format ((HmInspectField) i, bytes, size - 1, FALSE);

      g_assert_nonnull (enough);
      g_assert_null (short_);
    }
}

static void
assert_parse (HmInspectField  field,
              const char     *text,
              gboolean        big_endian,
              const char     *expected)
{
  g_autoptr(GError) error = NULL;
  guint8 out[HM_INSPECT_MAX_BYTES];
  guint size = hm_inspect_field_get_size (field);

  memset (out, 0xaa, sizeof out);
  if (!hm_inspect_parse (field, text, big_endian, out, &error))
    g_error ("%s “%s”: %s", hm_inspect_field_get_name (field), text, error->message);
  g_assert_cmpmem (out, size, expected, size);
  /* Nothing past the field's bytes. */
  for (guint i = size; i < sizeof out; i++)
    g_assert_cmphex (out[i], ==, 0xaa);
}

static void
test_parse_valid (void)
{
  assert_parse (HM_INSPECT_INT8, "-128", FALSE, "\x80");
  assert_parse (HM_INSPECT_INT8, "127", FALSE, "\x7f");
  assert_parse (HM_INSPECT_INT8, "+5", FALSE, "\x05");
  assert_parse (HM_INSPECT_UINT8, "0xff", FALSE, "\xff");
  assert_parse (HM_INSPECT_INT16, "-2", TRUE, "\xff\xfe");
  assert_parse (HM_INSPECT_INT16, "-2", FALSE, "\xfe\xff");
  assert_parse (HM_INSPECT_UINT16, "0XBEEF", TRUE, "\xbe\xef");
  assert_parse (HM_INSPECT_UINT32, "305419896", FALSE, "\x78\x56\x34\x12");
  assert_parse (HM_INSPECT_UINT32, "0xdeadbeef", FALSE, "\xef\xbe\xad\xde");
  assert_parse (HM_INSPECT_UINT32, "0xdead_beef", TRUE, "\xde\xad\xbe\xef");
  assert_parse (HM_INSPECT_INT32, "1 700 000 000", FALSE, "\x00\xf1\x53\x65");
  assert_parse (HM_INSPECT_INT32, "-0x80000000", FALSE, "\x00\x00\x00\x80");
  assert_parse (HM_INSPECT_INT64, "-9223372036854775808", TRUE, "\x80\x00\x00\x00\x00\x00\x00\x00");
  assert_parse (HM_INSPECT_UINT64, "18446744073709551615", FALSE, "\xff\xff\xff\xff\xff\xff\xff\xff");
  assert_parse (HM_INSPECT_FLOAT, "2.5", FALSE, "\x00\x00\x20\x40");
  assert_parse (HM_INSPECT_FLOAT, " 1 ", TRUE, "\x3f\x80\x00\x00");
  assert_parse (HM_INSPECT_FLOAT, "-inf", FALSE, "\x00\x00\x80\xff");
  assert_parse (HM_INSPECT_DOUBLE, "-0.1", TRUE, "\xbf\xb9\x99\x99\x99\x99\x99\x9a");
  assert_parse (HM_INSPECT_DOUBLE, "1.5", FALSE, "\x00\x00\x00\x00\x00\x00\xf8\x3f");
  assert_parse (HM_INSPECT_DOUBLE, "1e-320", FALSE, "\xe8\x07\x00\x00\x00\x00\x00\x00");
  assert_parse (HM_INSPECT_BINARY, "1010 0101", FALSE, "\xa5");
  assert_parse (HM_INSPECT_BINARY, "0b1", FALSE, "\x01");
  assert_parse (HM_INSPECT_OCTAL, "017", FALSE, "\x0f");
  assert_parse (HM_INSPECT_OCTAL, "0o377", FALSE, "\xff");
  assert_parse (HM_INSPECT_TIME32, "1970-01-01T00:01:00Z", TRUE, "\x00\x00\x00\x3c");
  assert_parse (HM_INSPECT_TIME32, "2023-11-14T22:13:20Z", FALSE, "\x00\xf1\x53\x65");
  assert_parse (HM_INSPECT_TIME32, "2023-11-14T23:13:20+01:00", FALSE, "\x00\xf1\x53\x65");
  assert_parse (HM_INSPECT_TIME32, "1700000000", FALSE, "\x00\xf1\x53\x65");
  assert_parse (HM_INSPECT_TIME32, "-1", FALSE, "\xff\xff\xff\xff");
  assert_parse (HM_INSPECT_TIME64, "0731-03-20T13:55:50Z", FALSE, "\xe6\x84\xea\xe5\xf6\xff\xff\xff");
  assert_parse (HM_INSPECT_TIME64, "2100-01-01T00:00:00Z", FALSE, "\x00\x57\x86\xf4\x00\x00\x00\x00");
}

static void
test_parse_errors (void)
{
  static const struct
  {
    HmInspectField field;
    const char    *text;
    int            code;
    const char    *message;
  } cases[] = {
    { HM_INSPECT_INT8, "twelve", HM_INSPECT_ERROR_INVALID, "Not a whole number" },
    { HM_INSPECT_INT8, "", HM_INSPECT_ERROR_INVALID, "Not a whole number" },
    { HM_INSPECT_INT8, "0x", HM_INSPECT_ERROR_INVALID, "Not a whole number" },
    { HM_INSPECT_INT8, "1.5", HM_INSPECT_ERROR_INVALID, "Not a whole number" },
    { HM_INSPECT_INT8, "128", HM_INSPECT_ERROR_OUT_OF_RANGE, "from -128 to 127" },
    { HM_INSPECT_INT8, "-129", HM_INSPECT_ERROR_OUT_OF_RANGE, "from -128 to 127" },
    { HM_INSPECT_UINT8, "256", HM_INSPECT_ERROR_OUT_OF_RANGE, "from 0 to 255" },
    { HM_INSPECT_UINT16, "-1", HM_INSPECT_ERROR_OUT_OF_RANGE, "from 0 to 65535" },
    { HM_INSPECT_INT16, "32768", HM_INSPECT_ERROR_OUT_OF_RANGE, "from -32768 to 32767" },
    { HM_INSPECT_UINT32, "0x100000000", HM_INSPECT_ERROR_OUT_OF_RANGE, "from 0 to 4294967295" },
    { HM_INSPECT_INT32, "2147483648", HM_INSPECT_ERROR_OUT_OF_RANGE, "from -2147483648 to 2147483647" },
    { HM_INSPECT_INT64, "9223372036854775808", HM_INSPECT_ERROR_OUT_OF_RANGE, "to 9223372036854775807" },
    { HM_INSPECT_UINT64, "18446744073709551616", HM_INSPECT_ERROR_OUT_OF_RANGE, "from 0 to 18446744073709551615" },
    { HM_INSPECT_INT64, "-0x10000000000000000", HM_INSPECT_ERROR_OUT_OF_RANGE, "from -9223372036854775808" },
    { HM_INSPECT_FLOAT, "1e39", HM_INSPECT_ERROR_OUT_OF_RANGE, "the largest float" },
    { HM_INSPECT_FLOAT, "abc", HM_INSPECT_ERROR_INVALID, "Not a number" },
    { HM_INSPECT_FLOAT, "", HM_INSPECT_ERROR_INVALID, "Not a number" },
    { HM_INSPECT_DOUBLE, "1e309", HM_INSPECT_ERROR_OUT_OF_RANGE, "the largest double" },
    { HM_INSPECT_DOUBLE, "1.5x", HM_INSPECT_ERROR_INVALID, "Not a number" },
    { HM_INSPECT_BINARY, "102", HM_INSPECT_ERROR_INVALID, "Not binary" },
    { HM_INSPECT_BINARY, "1 0000 0000", HM_INSPECT_ERROR_OUT_OF_RANGE, "eight binary digits" },
    { HM_INSPECT_OCTAL, "8", HM_INSPECT_ERROR_INVALID, "Not octal" },
    { HM_INSPECT_OCTAL, "400", HM_INSPECT_ERROR_OUT_OF_RANGE, "from 0 to 377" },
    { HM_INSPECT_TIME32, "2100-01-01T00:00:00Z", HM_INSPECT_ERROR_OUT_OF_RANGE, "1901-12-13 to 2038-01-19" },
    { HM_INSPECT_TIME32, "1901-12-13T20:45:51Z", HM_INSPECT_ERROR_OUT_OF_RANGE, "1901-12-13 to 2038-01-19" },
    { HM_INSPECT_TIME32, "2147483648", HM_INSPECT_ERROR_OUT_OF_RANGE, "1901-12-13 to 2038-01-19" },
    { HM_INSPECT_TIME32, "yesterday", HM_INSPECT_ERROR_INVALID, "Not a time" },
    { HM_INSPECT_TIME64, "2024-13-01T00:00:00Z", HM_INSPECT_ERROR_INVALID, "Not a time" },
    { HM_INSPECT_TIME64, "9223372036854775808", HM_INSPECT_ERROR_OUT_OF_RANGE, "Out of range" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint8 out[HM_INSPECT_MAX_BYTES];

      memset (out, 0xaa, sizeof out);
      g_assert_false (hm_inspect_parse (cases[i].field, cases[i].text, FALSE, out, &error));
      g_assert_error (error, HM_INSPECT_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("%s “%s”: message “%s” lacks “%s”", hm_inspect_field_get_name (cases[i].field),
                 cases[i].text, error->message, cases[i].message);
      for (guint j = 0; j < sizeof out; j++)
        g_assert_cmphex (out[j], ==, 0xaa);
    }
}

/* Whatever a field shows, typed back, gives the same bytes. */
static void
test_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint it = 0; it < 2000; it++)
    {
      guint8 bytes[HM_INSPECT_MAX_BYTES];
      gboolean big_endian = g_rand_boolean (rand);

      for (guint i = 0; i < sizeof bytes; i++)
        bytes[i] = (guint8) g_rand_int_range (rand, 0, 256);
      for (guint f = 0; f < HM_INSPECT_N_FIELDS; f++)
        {
          HmInspectField field = (HmInspectField) f;
          guint size = hm_inspect_field_get_size (field);
          g_autofree char *text = NULL;
          g_autoptr(GError) error = NULL;
          guint8 back[HM_INSPECT_MAX_BYTES];

          if (!hm_inspect_field_is_editable (field))
            continue;
          /* Times show years 1 to 9999 only: about ±1700 years around 1970 here. */
          if (field == HM_INSPECT_TIME64)
            {
              gint64 seconds = (gint64) (gint32) g_rand_int (rand) * 25;
              guint8 le[8];

              for (guint i = 0; i < 8; i++)
                le[i] = (guint8) ((guint64) seconds >> (8 * i));
              for (guint i = 0; i < 8; i++)
                bytes[i] = le[big_endian ? 7 - i : i];
            }
          text = hm_inspect_format (field, bytes, sizeof bytes, big_endian);
          if (!hm_inspect_parse (field, text, big_endian, back, &error))
            g_error ("%s “%s” does not read back: %s", hm_inspect_field_get_name (field), text,
                     error->message);

          /* A NaN keeps no payload through text; any NaN will do. */
          if (field == HM_INSPECT_FLOAT || field == HM_INSPECT_DOUBLE)
            {
              g_autofree char *again = hm_inspect_format (field, back, size, big_endian);

              if (strcmp (text, "nan") == 0 || strcmp (text, "-nan") == 0)
                {
                  g_assert_true (g_str_has_suffix (again, "nan"));
                  continue;
                }
            }
          g_assert_cmpmem (back, size, bytes, size);
        }
    }
}


/* Hex: zero-padded to the field's width, signed with a minus sign, and it
 * parses back to the same bytes, for random bytes in both byte orders. */
static void
test_format_hex (void)
{
  const guint8 bytes[8] = { 0xff, 0xfe, 0x00, 0x80, 0x01, 0x02, 0x03, 0x04 };
  static const struct
  {
    HmInspectField field;
    gboolean       big_endian;
    const char    *text;
  } cases[] = {
    { HM_INSPECT_INT8, FALSE, "-0x01" },
    { HM_INSPECT_UINT8, FALSE, "0xff" },
    { HM_INSPECT_INT16, FALSE, "-0x0101" },
    { HM_INSPECT_UINT16, FALSE, "0xfeff" },
    { HM_INSPECT_INT16, TRUE, "-0x0002" },
    { HM_INSPECT_UINT32, TRUE, "0xfffe0080" },
    { HM_INSPECT_INT32, FALSE, "-0x7fff0101" },
    { HM_INSPECT_UINT64, TRUE, "0xfffe008001020304" },
  };
  const guint8 min64[8] = { 0, 0, 0, 0, 0, 0, 0, 0x80 };
  g_autofree char *min_text = hm_inspect_format_hex (HM_INSPECT_INT64, min64, 8, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = hm_inspect_format_hex (cases[i].field, bytes, sizeof bytes, cases[i].big_endian);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
  g_assert_cmpstr (min_text, ==, "-0x8000000000000000");
  /* Not integers, or too few bytes: no hex form. */
  g_assert_null (hm_inspect_format_hex (HM_INSPECT_FLOAT, bytes, 8, FALSE));
  g_assert_null (hm_inspect_format_hex (HM_INSPECT_OCTAL, bytes, 8, FALSE));
  g_assert_null (hm_inspect_format_hex (HM_INSPECT_UINT32, bytes, 3, FALSE));

  for (guint round = 0; round < 2000; round++)
    {
      guint8 in[8], out[8];
      HmInspectField field = (HmInspectField) g_test_rand_int_range (HM_INSPECT_INT8, HM_INSPECT_UINT64 + 1);
      gboolean big_endian = g_test_rand_bit ();
      guint size = hm_inspect_field_get_size (field);
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < 8; i++)
        in[i] = (guint8) g_test_rand_int_range (0, 256);
      text = hm_inspect_format_hex (field, in, 8, big_endian);
      g_assert_nonnull (text);
      g_assert_true (hm_inspect_parse (field, text, big_endian, out, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (in, size, out, size);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/inspect/fields", test_fields);
  g_test_add_func ("/hm/inspect/format/integers", test_format_integers);
  g_test_add_func ("/hm/inspect/format/floats", test_format_floats);
  g_test_add_func ("/hm/inspect/format/bits-and-text", test_format_bits_and_text);
  g_test_add_func ("/hm/inspect/format/times", test_format_times);
  g_test_add_func ("/hm/inspect/format/short", test_format_short);
  g_test_add_func ("/hm/inspect/format/hex", test_format_hex);
  g_test_add_func ("/hm/inspect/parse/valid", test_parse_valid);
  g_test_add_func ("/hm/inspect/parse/errors", test_parse_errors);
  g_test_add_func ("/hm/inspect/round-trip", test_round_trip);

  return g_test_run ();
}

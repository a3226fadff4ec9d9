/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hm-offset.h"

static void
test_valid (void)
{
  const struct { const char *text; guint64 value; } cases[] = {
    { "0", 0 },
    { "4096", 4096 },
    { "0x1000", 4096 },
    { "0XfF", 255 },
    { "  12", 12 },
    { "4K", 4096 },
    { "4k", 4096 },
    { "4KiB", 4096 },
    { "4KB", 4000 },
    { "1M", 1048576 },
    { "4G", G_GUINT64_CONSTANT (4) << 30 },
    { "1T", G_GUINT64_CONSTANT (1) << 40 },
    { "2b", 1024 },
    { "15E", G_GUINT64_CONSTANT (15) << 60 },
    { "18446744073709551615", G_MAXUINT64 },
    { "0xffffffffffffffff", G_MAXUINT64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 value = 1234567;

      g_assert_true (hm_offset_parse (cases[i].text, &value, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (value, ==, cases[i].value);
    }
}

static void
test_invalid (void)
{
  const struct { const char *text; int code; const char *message; } cases[] = {
    { "", HM_OFFSET_ERROR_INVALID, "a number is expected" },
    { "x12", HM_OFFSET_ERROR_INVALID, "unexpected “x” at column 1" },
    { "12q", HM_OFFSET_ERROR_INVALID, "unknown unit “q” at column 3" },
    { "0x", HM_OFFSET_ERROR_INVALID, "a number is expected" },
    { "0x12G", HM_OFFSET_ERROR_INVALID, "at column 5" },
    { "-5", HM_OFFSET_ERROR_INVALID, "column 1" },
    { "4Gx", HM_OFFSET_ERROR_INVALID, "unknown unit" },
    { "18446744073709551616", HM_OFFSET_ERROR_OVERFLOW, "too large" },
    { "16E", HM_OFFSET_ERROR_OVERFLOW, "too large" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 value = 7;

      g_assert_false (hm_offset_parse (cases[i].text, &value, &error));
      g_assert_error (error, HM_OFFSET_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", cases[i].text, error->message, cases[i].message);
      g_assert_cmpuint (value, ==, 7);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/offset/valid", test_valid);
  g_test_add_func ("/hm/offset/invalid", test_invalid);

  return g_test_run ();
}

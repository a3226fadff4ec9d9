/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hm-offset.h"

#include <string.h>

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

static void
test_goto_valid (void)
{
  const guint64 size = 0x10000;
  const guint64 cursor = 0x100;
  const struct { const char *text; guint64 offset; } cases[] = {
    { "0", 0 },
    { "4096", 4096 },
    { "0x1000", 0x1000 },
    { " 4K", 4096 },
    { "+16", cursor + 16 },
    { "+0x10", cursor + 16 },
    { "-0x100", 0 },
    { "- 1", cursor - 1 },
    { "50%", size / 2 },
    { "12.5%", size / 8 },
    { "0%", 0 },
    { "100%", size - 1 },
    { "end", size - 1 },
    { "END", size - 1 },
    { "end-0", size - 1 },
    { "end-16", size - 16 },
    { "end - 0x10", size - 16 },
    { "end-1K", size - 1024 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      HmGotoTarget target;
      guint64 offset = 7;

      if (!hm_goto_parse (cases[i].text, &target, &error) ||
          !hm_goto_resolve (&target, cursor, size, &offset, &error))
        g_error ("“%s”: %s", cases[i].text, error->message);
      g_assert_no_error (error);
      if (offset != cases[i].offset)
        g_error ("“%s”: got 0x%" G_GINT64_MODIFIER "x, expected 0x%" G_GINT64_MODIFIER "x",
                 cases[i].text, offset, cases[i].offset);
    }
}

static void
test_goto_huge_percent (void)
{
  g_autoptr(GError) error = NULL;
  HmGotoTarget target;
  guint64 offset = 0;
  const guint64 size = G_GUINT64_CONSTANT (1) << 62;

  g_assert_true (hm_goto_parse ("25%", &target, &error));
  g_assert_true (hm_goto_resolve (&target, 0, size, &offset, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (offset, ==, size / 4);

  g_assert_true (hm_goto_parse ("+0xffffffffffffffff", &target, &error));
  g_assert_false (hm_goto_resolve (&target, 1, size, &offset, &error));
  g_assert_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  /* An empty file has one place to go: offset 0. */
  g_assert_true (hm_goto_parse ("end", &target, &error));
  g_assert_true (hm_goto_resolve (&target, 0, 0, &offset, &error));
  g_assert_cmpuint (offset, ==, 0);
}

static void
test_goto_invalid (void)
{
  const struct { const char *text; int code; const char *message; } cases[] = {
    { "", HM_OFFSET_ERROR_INVALID, "a number is expected" },
    { "+", HM_OFFSET_ERROR_INVALID, "a number is expected" },
    { "+x", HM_OFFSET_ERROR_INVALID, "unexpected “x” at column 2" },
    { "-12q", HM_OFFSET_ERROR_INVALID, "unknown unit “q” at column 4" },
    { "end+4", HM_OFFSET_ERROR_INVALID, "expected “-” after “end” at column 4" },
    { "end-0x1g", HM_OFFSET_ERROR_INVALID, "unexpected “g” at column 8" },
    { "%", HM_OFFSET_ERROR_INVALID, "a number is expected before “%” at column 1" },
    { "5a%", HM_OFFSET_ERROR_INVALID, "unexpected “a” at column 2" },
    { "50%x", HM_OFFSET_ERROR_INVALID, "unexpected “x” at column 4" },
    { "101%", HM_OFFSET_ERROR_OUT_OF_RANGE, "between 0 and 100" },
    { "+18446744073709551616", HM_OFFSET_ERROR_OVERFLOW, "too large" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      HmGotoTarget target;

      g_assert_false (hm_goto_parse (cases[i].text, &target, &error));
      g_assert_error (error, HM_OFFSET_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", cases[i].text, error->message, cases[i].message);
    }
}

static void
test_goto_out_of_range (void)
{
  const struct { const char *text; const char *message; } cases[] = {
    { "0x100", "beyond the end" },
    { "256", "beyond the end" },
    { "+0xf0", "beyond the end" },
    { "-0x11", "passes the start" },
    { "end-0x101", "before its start" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      HmGotoTarget target;
      guint64 offset = 7;

      g_assert_true (hm_goto_parse (cases[i].text, &target, &error));
      g_assert_false (hm_goto_resolve (&target, 0x10, 0x100, &offset, &error));
      g_assert_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OUT_OF_RANGE);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", cases[i].text, error->message, cases[i].message);
      g_assert_cmpuint (offset, ==, 7);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hm/offset/valid", test_valid);
  g_test_add_func ("/hm/offset/invalid", test_invalid);
  g_test_add_func ("/hm/offset/goto/valid", test_goto_valid);
  g_test_add_func ("/hm/offset/goto/huge-percent", test_goto_huge_percent);
  g_test_add_func ("/hm/offset/goto/invalid", test_goto_invalid);
  g_test_add_func ("/hm/offset/goto/out-of-range", test_goto_out_of_range);

  return g_test_run ();
}

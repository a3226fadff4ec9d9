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
    /* Every message points at a column. */
    { "", HM_OFFSET_ERROR_INVALID, "at column 1" },
    { "0x", HM_OFFSET_ERROR_INVALID, "a number is expected at column 3" },
    { " 18446744073709551616", HM_OFFSET_ERROR_OVERFLOW, "at column 2" },
    { "16E", HM_OFFSET_ERROR_OVERFLOW, "at column 1" },
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
      HmOffsetTarget target;
      guint64 offset = 7;

      if (!hm_offset_target_parse (cases[i].text, &target, &error) ||
          !hm_offset_target_resolve (&target, cursor, size, &offset, &error))
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
  HmOffsetTarget target;
  guint64 offset = 0;
  const guint64 size = G_GUINT64_CONSTANT (1) << 62;

  g_assert_true (hm_offset_target_parse ("25%", &target, &error));
  g_assert_true (hm_offset_target_resolve (&target, 0, size, &offset, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (offset, ==, size / 4);

  g_assert_true (hm_offset_target_parse ("+0xffffffffffffffff", &target, &error));
  g_assert_false (hm_offset_target_resolve (&target, 1, size, &offset, &error));
  g_assert_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  /* An empty file has one place to go: offset 0. */
  g_assert_true (hm_offset_target_parse ("end", &target, &error));
  g_assert_true (hm_offset_target_resolve (&target, 0, 0, &offset, &error));
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
    { "+", HM_OFFSET_ERROR_INVALID, "at column 2" },
    { " 101%", HM_OFFSET_ERROR_OUT_OF_RANGE, "at column 2" },
    { "end-18446744073709551616", HM_OFFSET_ERROR_OVERFLOW, "at column 5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      HmOffsetTarget target;

      g_assert_false (hm_offset_target_parse (cases[i].text, &target, &error));
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
      HmOffsetTarget target;
      guint64 offset = 7;

      g_assert_true (hm_offset_target_parse (cases[i].text, &target, &error));
      g_assert_false (hm_offset_target_resolve (&target, 0x10, 0x100, &offset, &error));
      g_assert_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OUT_OF_RANGE);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", cases[i].text, error->message, cases[i].message);
      g_assert_cmpuint (offset, ==, 7);
    }
}

/* The command line has no cursor, and a length has no end. */
static void
test_forms (void)
{
  const HmOffsetForms offset_forms = HM_OFFSET_FORMS_PERCENT | HM_OFFSET_FORMS_FROM_END;
  const struct { const char *text; HmOffsetForms forms; HmOffsetKind kind; guint64 value; } valid[] = {
    { "4K", HM_OFFSET_FORMS_NUMBER, HM_OFFSET_KIND_ABSOLUTE, 4096 },
    { "0x10", offset_forms, HM_OFFSET_KIND_ABSOLUTE, 16 },
    { "end-16", offset_forms, HM_OFFSET_KIND_FROM_END, 16 },
    { "end", offset_forms, HM_OFFSET_KIND_FROM_END, 0 },
    { "50%", offset_forms, HM_OFFSET_KIND_PERCENT, 50000000 },
    { "12.5%", HM_OFFSET_FORMS_PERCENT, HM_OFFSET_KIND_PERCENT, 12500000 },
    { "+16", HM_OFFSET_FORMS_ALL, HM_OFFSET_KIND_FORWARD, 16 },
    { "-16", HM_OFFSET_FORMS_RELATIVE, HM_OFFSET_KIND_BACKWARD, 16 },
  };
  const struct { const char *text; HmOffsetForms forms; const char *message; } refused[] = {
    { "+16", offset_forms, "“+16”: + at column 1 makes an offset relative to the cursor" },
    { "  -5", offset_forms, "- at column 3 makes an offset relative" },
    { "-5", HM_OFFSET_FORMS_NUMBER, "no cursor here" },
    { "end-16", HM_OFFSET_FORMS_PERCENT, "“end” (at column 1) is not accepted here" },
    { " END", HM_OFFSET_FORMS_RELATIVE, "(at column 2)" },
    { "50%", HM_OFFSET_FORMS_FROM_END, "a percentage (at column 3) is not accepted here" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      HmOffsetTarget target;

      g_assert_true (hm_offset_target_parse_forms (valid[i].text, valid[i].forms, &target, &error));
      g_assert_no_error (error);
      g_assert_cmpint (target.kind, ==, valid[i].kind);
      g_assert_cmpuint (target.value, ==, valid[i].value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      HmOffsetTarget target;

      g_assert_false (hm_offset_target_parse_forms (refused[i].text, refused[i].forms, &target, &error));
      g_assert_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID);
      if (strstr (error->message, refused[i].message) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", refused[i].text, error->message, refused[i].message);
    }
}

static void
test_length (void)
{
  const struct { const char *text; guint64 size; guint64 length; } cases[] = {
    { "16", 100, 16 },
    { "1K", 100, 1024 },
    { "0", 100, 0 },
    { "100%", 100, 100 },
    { "50%", 5, 2 },
    { "0%", 100, 0 },
    { "12.5%", 0x10000, 0x2000 },
    { "100%", G_MAXUINT64, G_MAXUINT64 },
    { "50%", G_GUINT64_CONSTANT (1) << 62, G_GUINT64_CONSTANT (1) << 61 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      HmOffsetTarget target;

      g_assert_true (hm_offset_target_parse_forms (cases[i].text, HM_OFFSET_FORMS_PERCENT, &target, &error));
      g_assert_cmpuint (hm_offset_target_resolve_length (&target, cases[i].size), ==, cases[i].length);
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
  g_test_add_func ("/hm/offset/forms", test_forms);
  g_test_add_func ("/hm/offset/length", test_length);

  return g_test_run ();
}

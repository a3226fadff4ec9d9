/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hexmap-cli diff: compare two files.
 *
 * Byte for byte (the default), one line per run of differing bytes,
 * "0xOFFSET 0xLENGTH"; when one file is longer, its tail is the last run.
 * With --insertions, one line per hunk, "0xA_OFFSET 0xA_LENGTH 0xB_OFFSET
 * 0xB_LENGTH": replacing each hunk's bytes of FILE1 with its bytes of FILE2
 * gives FILE2. Lowercase hex with a 0x prefix; scripts depend on the format.
 * Exit status like cmp: 0 same, 1 different, 2 on any error or bad usage.
 */
#include "config.h"

#include "hm-cli.h"

#include "hm-compare.h"
#include "hm-offset.h"

#include <stdio.h>

enum
{
  DIFF_SAME = 0,
  DIFF_DIFFERENT = 1,
  DIFF_ERROR = 2,
};

/* Small windows: each byte is passed once, and mapped pages count in RSS. */
#define WINDOW_BYTES (1024 * 1024)

static gboolean
print_run_cb (guint64  offset,
              guint64  length,
              gpointer user_data)
{
  char line[48];
  int n = g_snprintf (line, sizeof line, "0x%" G_GINT64_MODIFIER "x 0x%" G_GINT64_MODIFIER "x\n",
                      offset, length);

  /* Stop when stdout fails (a closed pipe): the dispatcher reports the cause. */
  return hm_cli_write (line, (gsize) n);
}

static void
warn_unaligned (const HmHunk *hunk,
                gsize         max_memory)
{
  g_autofree char *memory = g_format_size_full (max_memory, G_FORMAT_SIZE_IEC_UNITS);

  hm_cli_error ("region 0x%" G_GINT64_MODIFIER "x–0x%" G_GINT64_MODIFIER "x too different to align "
                "(0x%" G_GINT64_MODIFIER "x–0x%" G_GINT64_MODIFIER "x in the second file) "
                "within %s of memory; reported as one changed hunk (see --max-memory)",
                hunk->a_offset, hunk->a_offset + hunk->a_length,
                hunk->b_offset, hunk->b_offset + hunk->b_length, memory);
}

static gboolean
print_hunk_cb (const HmHunk *hunk,
               gpointer      user_data)
{
  gsize *max_memory = user_data;
  char line[96];
  int n;

  if (hunk->flags & HM_HUNK_UNALIGNED)
    warn_unaligned (hunk, *max_memory);
  n = g_snprintf (line, sizeof line,
                  "0x%" G_GINT64_MODIFIER "x 0x%" G_GINT64_MODIFIER "x 0x%" G_GINT64_MODIFIER "x 0x%"
                  G_GINT64_MODIFIER "x\n",
                  hunk->a_offset, hunk->a_length, hunk->b_offset, hunk->b_length);
  return hm_cli_write (line, (gsize) n);
}

static gboolean
count_hunk_cb (const HmHunk *hunk,
               gpointer      user_data)
{
  gsize *max_memory = user_data;

  if (hunk->flags & HM_HUNK_UNALIGNED)
    warn_unaligned (hunk, *max_memory);
  return TRUE;
}

static gboolean
parse_size_option (const char *option,
                   const char *text,
                   guint64    *value)
{
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return TRUE;
  if (!hm_offset_parse (text, value, &error))
    {
      hm_cli_usage_error ("diff", "%s: %s", option, error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * hm_cli_diff:
 * @argc: argument count, argv[0] being "diff"
 * @argv: arguments
 *
 * The `diff` subcommand.
 *
 * Returns: 0 if the files are the same, 1 if they differ, 2 on error
 */
int
hm_cli_diff (int    argc,
             char **argv)
{
  gboolean insertions = FALSE, count = FALSE;
  g_autofree char *skip_text = NULL;
  g_autofree char *length_text = NULL;
  g_autofree char *memory_text = NULL;
  HmCliOffset skip_option = { "-s", NULL, FALSE, { 0 } };
  HmCliOffset length_option = { "-n", NULL, TRUE, { 0 } };
  const GOptionEntry entries[] = {
    { "insertions", 'i', 0, G_OPTION_ARG_NONE, &insertions,
      "Find inserted, deleted and changed regions; print hunks", NULL },
    { "count", 'c', 0, G_OPTION_ARG_NONE, &count, "Print the number of runs (or hunks) only", NULL },
    { "skip", 's', 0, G_OPTION_ARG_STRING, &skip_text,
      "Start at OFFSET in both files (default 0)", "OFFSET" },
    { "length", 'n', 0, G_OPTION_ARG_STRING, &length_text,
      "Compare at most LENGTH bytes of each file", "LENGTH" },
    { "max-memory", 0, 0, G_OPTION_ARG_STRING, &memory_text,
      "Working memory of --insertions (default 64M); edits up to a third of it are aligned", "SIZE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE1 FILE2");
  g_autoptr(HmDocument) a = NULL;
  g_autoptr(HmDocument) b = NULL;
  g_autoptr(HmCompare) compare = NULL;
  g_autoptr(GError) error = NULL;
  guint64 skip = 0, length = G_MAXUINT64, memory = HM_COMPARE_DEFAULT_MAX_MEMORY;
  guint64 size;
  gsize max_memory;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Compare FILE1 with FILE2. Byte for byte (like cmp), print each run of differing\n"
    "bytes as \"0xOFFSET 0xLENGTH\", one per line; when one file is longer, its tail\n"
    "is the last run. Holes of sparse files are skipped without being read.\n"
    "\n"
    "With --insertions, find where bytes were inserted, deleted or changed and print\n"
    "each hunk as \"0xA_OFFSET 0xA_LENGTH 0xB_OFFSET 0xB_LENGTH\": replacing A_LENGTH\n"
    "bytes at A_OFFSET of FILE1 with B_LENGTH bytes at B_OFFSET of FILE2, hunk after\n"
    "hunk, gives FILE2 (A_LENGTH 0: an insertion; B_LENGTH 0: a deletion).");
  g_option_context_set_description (context,
    "Printed offsets and lengths are lowercase hexadecimal with a 0x prefix, in\n"
    "ascending order. A region too different to align within --max-memory is one\n"
    "hunk, with a message on standard error.\n"
    "\n"
    HM_CLI_OFFSET_HELP
    HM_CLI_LENGTH_HELP
    "end, end-N and N% count from the size of the larger file. SIZE: a number as\n"
    "for LENGTH.\n"
    "\n"
    "Exit status: 0 if the files (ranges) are the same, 1 if they differ, 2 on an\n"
    "error or bad usage (like cmp).");

  if (hm_cli_parse_options (context, "diff", &argc, &argv) != HM_CLI_STATUS_OK)
    return DIFF_ERROR;
  skip_option.text = skip_text;
  length_option.text = length_text;
  if (hm_cli_parse_offset ("diff", &skip_option) != HM_CLI_STATUS_OK ||
      hm_cli_parse_offset ("diff", &length_option) != HM_CLI_STATUS_OK ||
      !parse_size_option ("--max-memory", memory_text, &memory))
    return DIFF_ERROR;
  if (memory < HM_COMPARE_MIN_MEMORY || memory > G_MAXSIZE)
    {
      hm_cli_usage_error ("diff", "--max-memory: must be at least %uK", HM_COMPARE_MIN_MEMORY / 1024);
      return DIFF_ERROR;
    }
  if (memory_text != NULL && !insertions)
    {
      hm_cli_usage_error ("diff", "--max-memory applies to --insertions");
      return DIFF_ERROR;
    }
  if (argc < 3)
    {
      hm_cli_usage_error ("diff", "FILE1 and FILE2 are needed");
      return DIFF_ERROR;
    }
  if (argc > 3)
    {
      hm_cli_usage_error ("diff", "too many arguments (got “%s”)", argv[3]);
      return DIFF_ERROR;
    }
  max_memory = (gsize) memory;

  a = hm_document_new_full (argv[1], HM_DOCUMENT_MODE_READ_ONLY, WINDOW_BYTES, &error);
  if (a == NULL)
    {
      hm_cli_error ("%s", error->message);
      return DIFF_ERROR;
    }
  b = hm_document_new_full (argv[2], HM_DOCUMENT_MODE_READ_ONLY, WINDOW_BYTES, &error);
  if (b == NULL)
    {
      hm_cli_error ("%s", error->message);
      return DIFF_ERROR;
    }

  /* end-N and N% count from the larger file's size. */
  size = MAX (hm_document_get_size (a), hm_document_get_size (b));
  if ((skip_text != NULL && hm_cli_resolve_offset ("diff", &skip_option, size, &skip) != HM_CLI_STATUS_OK) ||
      (length_text != NULL && hm_cli_resolve_offset ("diff", &length_option, size, &length) != HM_CLI_STATUS_OK))
    return DIFF_ERROR;

  compare = hm_compare_new (a, b);
  hm_compare_set_range (compare, skip, length);
  if (insertions)
    {
      hm_compare_set_mode (compare, HM_COMPARE_INSERTIONS);
      hm_compare_set_max_memory (compare, max_memory);
      hm_compare_set_hunk_func (compare, count ? count_hunk_cb : print_hunk_cb, &max_memory, NULL);
    }
  else if (!count)
    hm_compare_set_run_func (compare, print_run_cb, NULL, NULL);

  if (!hm_compare_run (compare, NULL, &error))
    {
      hm_cli_error ("%s", error->message);
      return DIFF_ERROR;
    }

  if (count)
    {
      char line[32];
      int n = g_snprintf (line, sizeof line, "%" G_GUINT64_FORMAT "\n",
                          hm_compare_get_n_differences (compare));

      hm_cli_write (line, (gsize) n);
    }

  return hm_compare_get_n_differences (compare) > 0 ? DIFF_DIFFERENT : DIFF_SAME;
}

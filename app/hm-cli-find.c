/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hexmap-cli find: search a file for a hex or text pattern, like grep for bytes.
 * Prints each match's offset (0x…, lowercase hex) on a line of its own, or the
 * count. Exit status like grep: 0 found, 1 not found, 2 on any error.
 */
#include "config.h"

#include "hm-cli.h"

#include "hm-offset.h"
#include "hm-search.h"

#include <stdio.h>
#include <string.h>

enum
{
  FIND_FOUND = 0,
  FIND_NOT_FOUND = 1,
  FIND_ERROR = 2,
};

static gboolean
print_match_cb (guint64  offset,
                gpointer user_data)
{
  char line[32];
  int n = g_snprintf (line, sizeof line, "0x%" G_GINT64_MODIFIER "x\n", offset);

  /* Stop when stdout fails (a closed pipe): the dispatcher reports the cause. */
  return hm_cli_write (line, (gsize) n);
}

/* The message, then the pattern with a caret under the column. */
static void
pattern_error (const char   *pattern,
               const GError *error,
               guint         column)
{
  hm_cli_error ("%s", error->message);
  if (column > 0 && g_utf8_validate (pattern, -1, NULL) && strchr (pattern, '\n') == NULL)
    fprintf (stderr, "  %s\n  %*s^\n", pattern, (int) column - 1, "");
}

/**
 * hm_cli_find:
 * @argc: argument count, argv[0] being "find"
 * @argv: arguments
 *
 * The `find` subcommand.
 *
 * Returns: 0 if something was found, 1 if not, 2 on error
 */
int
hm_cli_find (int    argc,
             char **argv)
{
  gboolean text = FALSE, hex = FALSE, ignore_case = FALSE;
  gboolean utf16le = FALSE, utf16be = FALSE, count = FALSE, backward = FALSE;
  g_autofree char *start_text = NULL;
  g_autofree char *max_text = NULL;
  HmCliOffset start_option = { "-s", NULL, FALSE, { 0 } };
  const GOptionEntry entries[] = {
    { "text", 't', 0, G_OPTION_ARG_NONE, &text, "PATTERN is text (UTF-8)", NULL },
    { "hex", 'x', 0, G_OPTION_ARG_NONE, &hex, "PATTERN is hex bytes (the default)", NULL },
    { "ignore-case", 'i', 0, G_OPTION_ARG_NONE, &ignore_case,
      "Text: match ASCII letters in either case", NULL },
    { "utf16le", 0, 0, G_OPTION_ARG_NONE, &utf16le, "Text: find it encoded as UTF-16LE", NULL },
    { "utf16be", 0, 0, G_OPTION_ARG_NONE, &utf16be, "Text: find it encoded as UTF-16BE", NULL },
    { "start", 's', 0, G_OPTION_ARG_STRING, &start_text,
      "Forward: matches at or after OFFSET; backward: matches before it", "OFFSET" },
    { "count", 'c', 0, G_OPTION_ARG_NONE, &count, "Print the number of matches only", NULL },
    { "max", 'm', 0, G_OPTION_ARG_STRING, &max_text, "Stop after N matches", "N" },
    { "backward", 'b', 0, G_OPTION_ARG_NONE, &backward,
      "Search toward the start of the file; offsets come out in descending order", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE PATTERN");
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmPattern) pattern = NULL;
  g_autoptr(HmSearch) search = NULL;
  g_autoptr(GError) error = NULL;
  guint64 start = 0, max = 0;
  guint column = 0;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Find PATTERN in FILE and print the offset of each match (0x…), one per line.\n"
    "Holes of sparse files are skipped without being read.");
  g_option_context_set_description (context,
    "Hex patterns: pairs of hex digits; blanks, commas and colons optional between\n"
    "bytes, 0x optional: \"4d 5a\", \"4d5a\", \"0x4d, 0x5a\". ?? matches any byte\n"
    "and ? any nibble: \"4d 5a ?? ?? 5?\". Text patterns: --text, with -i and\n"
    "--utf16le/--utf16be.\n"
    "\n"
    HM_CLI_OFFSET_HELP
    "\n"
    "Exit status: 0 if a match was found, 1 if not, 2 on an error (like grep).");

  status = hm_cli_parse_options (context, "find", &argc, &argv);
  if (status != HM_CLI_STATUS_OK)
    return FIND_ERROR;

  if (argc < 3)
    {
      hm_cli_usage_error ("find", "FILE and PATTERN are needed");
      return FIND_ERROR;
    }
  if (argc > 3)
    {
      hm_cli_usage_error ("find", "too many arguments (got “%s”)", argv[3]);
      return FIND_ERROR;
    }
  if (text && hex)
    {
      hm_cli_usage_error ("find", "--text and --hex exclude each other");
      return FIND_ERROR;
    }
  if (utf16le && utf16be)
    {
      hm_cli_usage_error ("find", "--utf16le and --utf16be exclude each other");
      return FIND_ERROR;
    }
  if (utf16le || utf16be || ignore_case)
    {
      if (hex)
        {
          hm_cli_usage_error ("find", "-i, --utf16le and --utf16be apply to --text patterns");
          return FIND_ERROR;
        }
      text = TRUE;
    }
  start_option.text = start_text;
  if (hm_cli_parse_offset ("find", &start_option) != HM_CLI_STATUS_OK)
    return FIND_ERROR;
  if (max_text != NULL && (!hm_offset_parse (max_text, &max, &error) || max == 0))
    {
      hm_cli_usage_error ("find", "--max: %s", error != NULL ? error->message : "must be at least 1");
      return FIND_ERROR;
    }

  if (text)
    pattern = hm_pattern_new_text (argv[2], -1,
                                   utf16le ? HM_TEXT_ENCODING_UTF16LE :
                                   utf16be ? HM_TEXT_ENCODING_UTF16BE : HM_TEXT_ENCODING_UTF8,
                                   ignore_case ? HM_PATTERN_IGNORE_CASE : HM_PATTERN_FLAGS_NONE,
                                   &column, &error);
  else
    pattern = hm_pattern_new_hex (argv[2], -1, &column, &error);
  if (pattern == NULL)
    {
      pattern_error (argv[2], error, column);
      if (!text && error->code == HM_PATTERN_ERROR_UNEXPECTED_CHARACTER)
        fprintf (stderr, "(for a text pattern, use --text)\n");
      return FIND_ERROR;
    }

  doc = hm_document_new (argv[1], &error);
  if (doc == NULL)
    {
      hm_cli_error ("%s", error->message);
      return FIND_ERROR;
    }
  if (start_text != NULL &&
      hm_cli_resolve_offset ("find", &start_option, hm_document_get_size (doc), &start) != HM_CLI_STATUS_OK)
    return FIND_ERROR;

  search = hm_search_new (doc, pattern);
  hm_search_set_flags (search, backward ? HM_SEARCH_BACKWARD : HM_SEARCH_NONE);
  hm_search_set_start (search, start_text != NULL ? start : backward ? G_MAXUINT64 : 0);
  hm_search_set_max_matches (search, max);
  if (!count)
    hm_search_set_match_func (search, print_match_cb, NULL, NULL);

  if (!hm_search_run (search, NULL, &error))
    {
      hm_cli_error ("%s", error->message);
      return FIND_ERROR;
    }

  if (count)
    {
      char line[32];
      int n = g_snprintf (line, sizeof line, "%" G_GUINT64_FORMAT "\n", hm_search_get_n_matches (search));

      hm_cli_write (line, (gsize) n);
    }

  return hm_search_get_n_matches (search) > 0 ? FIND_FOUND : FIND_NOT_FOUND;
}

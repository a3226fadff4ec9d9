/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `hexmap-cli patch FILE -s OFFSET (-x HEXBYTES | -f FILLHEX -n LENGTH)`: one edit,
 * made through the same engine as the editor and saved at once. With --insert
 * the bytes go in before OFFSET (the rest moves up); --delete -n LENGTH takes
 * bytes out (the rest moves down): the save then shifts the file in place.
 *
 * Status 0 means the bytes are durably on disk (written, msynced, fsynced, time
 * stamps set); anything else means the file holds what it held before, or the
 * message says which part of the edit reached it. Killed midway, it leaves a
 * save journal: `hexmap-cli recover FILE` then gives back the old file.
 */
#include "config.h"

#include "hm-cli.h"
#include "hm-document.h"
#include "hm-hex-text.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* now | keep | @SECONDS[.NANOSECONDS] */
static gboolean
parse_mtime (const char    *text,
             HmSaveOptions *options,
             GError       **error)
{
  const char *dot;
  char *end = NULL;

  if (g_strcmp0 (text, "now") == 0)
    {
      options->timestamp = HM_TIMESTAMP_NOW;
      return TRUE;
    }
  if (g_strcmp0 (text, "keep") == 0)
    {
      options->timestamp = HM_TIMESTAMP_KEEP;
      return TRUE;
    }
  if (text == NULL || text[0] != '@')
    goto bad;

  options->timestamp = HM_TIMESTAMP_EXPLICIT;
  errno = 0;
  options->mtime_sec = g_ascii_strtoll (text + 1, &end, 10);
  if (end == text + 1)
    goto bad;
  /* strtoll clamps what it cannot hold; a clamped time would be set silently. */
  if (errno == ERANGE || options->mtime_sec < HM_MTIME_MIN || options->mtime_sec > HM_MTIME_MAX)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--mtime %s is out of range (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " seconds)",
                   text, (gint64) HM_MTIME_MIN, (gint64) HM_MTIME_MAX);
      return FALSE;
    }
  options->mtime_nsec = 0;
  dot = end;
  if (*dot == '.')
    {
      glong scale = 100000000;
      const char *p;

      for (p = dot + 1; g_ascii_isdigit (*p); p++)
        {
          if (scale > 0)
            options->mtime_nsec += (*p - '0') * scale;
          scale /= 10;
        }
      if (p == dot + 1)
        goto bad;
      end = (char *) p;
    }
  if (*end != '\0')
    goto bad;
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--mtime takes now, keep or @SECONDS.NANOSECONDS (got “%s”)", text ? text : "");
  return FALSE;
}

int
hm_cli_patch (int    argc,
              char **argv)
{
  g_autofree char *offset_text = NULL;
  g_autofree char *hex_text = NULL;
  g_autofree char *fill_text = NULL;
  g_autofree char *length_text = NULL;
  g_autofree char *mode_text = NULL;
  g_autofree char *mtime_text = NULL;
  HmCliOffset offset_option = { "-s", NULL, FALSE, { 0 } };
  HmCliOffset length_option = { "-n", NULL, TRUE, { 0 } };
  gboolean force = FALSE;
  gboolean insert = FALSE;
  gboolean delete = FALSE;
  const GOptionEntry entries[] = {
    { "insert", 'i', 0, G_OPTION_ARG_NONE, &insert,
      "Insert the bytes (-x) or the fill (-f -n) before OFFSET instead of overwriting", NULL },
    { "delete", 'd', 0, G_OPTION_ARG_NONE, &delete,
      "Delete -n LENGTH bytes at OFFSET", NULL },
    { "skip", 's', 0, G_OPTION_ARG_STRING, &offset_text,
      "Where the edit starts: 0x1fe, 4K, 50%, end-16…", "OFFSET" },
    { "hex", 'x', 0, G_OPTION_ARG_STRING, &hex_text, "The bytes to write, in hex", "HEXBYTES" },
    { "fill", 'f', 0, G_OPTION_ARG_STRING, &fill_text, "A pattern to repeat, in hex", "FILLHEX" },
    { "length", 'n', 0, G_OPTION_ARG_STRING, &length_text,
      "How many bytes to fill, insert or delete: 1M, 0x200, 10%…", "LENGTH" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode_text,
      "preview (default: write only the changed bytes at save) or direct (through a "
      "writable mapping)", "MODE" },
    { "mtime", 0, 0, G_OPTION_ARG_STRING, &mtime_text,
      "Modification time after the save: now (default), keep, or @EPOCH.NS", "WHEN" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      "Write even if the file changes while we work", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE");
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *data = NULL;
  gsize n_bytes = 0;
  HmSaveOptions options = { HM_TIMESTAMP_NOW, 0, 0, FALSE };
  HmDocumentMode mode = HM_DOCUMENT_MODE_PREVIEW;
  guint64 offset = 0;
  guint64 length = 0;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Overwrite, insert or delete bytes of FILE in place and save: only the changed\n"
    "bytes are written (an insert or delete moves the rest of the file in place),\n"
    "the file keeps its inode, holes elsewhere stay holes.");
  g_option_context_set_description (context,
    "HEXBYTES and FILLHEX: pairs of hex digits; blanks, commas and colons optional\n"
    "between bytes, 0x optional: 55aa, \"55 aa\", 55:aa, \"0x55, 0xaa\".\n"
    HM_CLI_OFFSET_HELP
    HM_CLI_LENGTH_HELP
    "\n"
    "Exit status 0 only once the data is durably on disk (msync, fsync).\n"
    "Examples:\n"
    "  hexmap-cli patch disk.img -s 0x1fe -x 55aa\n"
    "  hexmap-cli patch big.bin -s 4G -f 00 -n 1M --mtime keep\n"
    "  hexmap-cli patch log.bin -s end-4 -x 0a0a0a0a\n"
    "  hexmap-cli patch data.bin -s 0x10 --insert -x 'de ad'\n"
    "  hexmap-cli patch data.bin -s 1M --insert -f 00 -n 4K\n"
    "  hexmap-cli patch data.bin -s 0x4000 --delete -n 0x200");

  status = hm_cli_parse_options (context, "patch", &argc, &argv);
  if (status != HM_CLI_STATUS_OK)
    return status;
  if (argc < 2)
    return hm_cli_usage_error ("patch", "no FILE given");
  if (argc > 2)
    return hm_cli_usage_error ("patch", "only one FILE, please (got “%s” too)", argv[2]);
  if (offset_text == NULL)
    return hm_cli_usage_error ("patch", "say where with -s OFFSET");
  if (insert && delete)
    return hm_cli_usage_error ("patch", "--insert or --delete, not both");
  if (delete && (hex_text != NULL || fill_text != NULL))
    return hm_cli_usage_error ("patch", "--delete takes only -n LENGTH");
  if (delete && length_text == NULL)
    return hm_cli_usage_error ("patch", "--delete needs -n LENGTH");
  if (!delete && (hex_text == NULL) == (fill_text == NULL))
    return hm_cli_usage_error ("patch", "give either -x HEXBYTES or -f FILLHEX -n LENGTH");
  if (fill_text != NULL && length_text == NULL)
    return hm_cli_usage_error ("patch", "-f needs -n LENGTH");
  if (hex_text != NULL && length_text != NULL)
    return hm_cli_usage_error ("patch", "-n goes with -f, not -x");

  offset_option.text = offset_text;
  length_option.text = length_text;
  status = hm_cli_parse_offset ("patch", &offset_option);
  if (status != HM_CLI_STATUS_OK)
    return status;
  status = hm_cli_parse_offset ("patch", &length_option);
  if (status != HM_CLI_STATUS_OK)
    return status;
  if (!delete)
    {
      bytes = hm_hex_text_parse (hex_text != NULL ? hex_text : fill_text, -1, NULL, &error);
      if (bytes == NULL)
        return hm_cli_usage_error ("patch", "%s: %s", hex_text != NULL ? "-x" : "-f", error->message);
      data = g_bytes_get_data (bytes, &n_bytes);
    }
  if (mtime_text != NULL && !parse_mtime (mtime_text, &options, &error))
    return hm_cli_usage_error ("patch", "%s", error->message);
  options.force = force;

  if (mode_text == NULL || g_strcmp0 (mode_text, "preview") == 0)
    mode = HM_DOCUMENT_MODE_PREVIEW;
  else if (g_strcmp0 (mode_text, "direct") == 0)
    mode = HM_DOCUMENT_MODE_DIRECT;
  else
    return hm_cli_usage_error ("patch", "--mode is preview or direct (got “%s”)", mode_text);

  doc = hm_document_new_full (argv[1], mode, 0, &error);
  if (doc == NULL)
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_ERROR;
    }

  /* end-N and N% need the size. */
  status = hm_cli_resolve_offset ("patch", &offset_option, hm_document_get_size (doc), &offset);
  if (status != HM_CLI_STATUS_OK)
    return status;
  if (length_text != NULL)
    {
      status = hm_cli_resolve_offset ("patch", &length_option, hm_document_get_size (doc), &length);
      if (status != HM_CLI_STATUS_OK)
        return status;
    }

  /* Direct mode: the old bytes go to the save journal first, so a crash before
   * the save completes can be rolled back by `hexmap-cli recover`. Inserts and
   * deletes wait for the save in every mode; the save engine journals them. */
  if (!insert && !delete &&
      !hm_document_journal_range (doc, offset, hex_text != NULL ? n_bytes : length, &error))
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_ERROR;
    }

  if (insert || delete)
    {
      gboolean ok;

      if (delete)
        ok = hm_document_delete (doc, offset, length, &error);
      else if (hex_text != NULL)
        ok = hm_document_insert (doc, offset, data, n_bytes, HM_EDIT_NONE, &error);
      else
        ok = hm_document_insert_fill (doc, offset, length, data, n_bytes, &error);
      if (!ok)
        {
          hm_cli_error ("%s", error->message);
          return HM_CLI_STATUS_ERROR;
        }
    }
  else if (hex_text != NULL)
    {
      if (!hm_document_write (doc, offset, data, n_bytes, HM_EDIT_NONE, &error))
        {
          hm_cli_error ("%s", error->message);
          return HM_CLI_STATUS_ERROR;
        }
    }
  else if (!hm_document_fill (doc, offset, length, data, n_bytes, &error))
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_ERROR;
    }

  if (!hm_document_save (doc, &options, NULL, NULL, NULL, &error))
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_ERROR;
    }
  return HM_CLI_STATUS_OK;
}

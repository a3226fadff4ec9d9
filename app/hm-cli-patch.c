/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `hexmap-cli patch FILE -s OFFSET (-x HEXBYTES | -f FILLHEX -n LENGTH)`: one edit,
 * made through the same engine as the editor and saved at once.
 *
 * Status 0 means the bytes are durably on disk (written, msynced, fsynced, time
 * stamps set); anything else means the file holds what it held before, or the
 * message says which part of the edit reached it.
 */
#include "config.h"

#include "hm-cli.h"
#include "hm-document.h"
#include "hm-offset.h"

#include <stdio.h>
#include <string.h>

/* "de ad be ef", "DEADBEEF", "0xdeadbeef", "de:ad": pairs of hex digits. */
static GByteArray *
parse_hex (const char *text,
           GError    **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  int high = -1;

  if (g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X"))
    text += 2;

  for (const char *p = text; *p != '\0'; p++)
    {
      int digit;

      if (*p == ' ' || *p == ':' || *p == '\t')
        {
          if (high >= 0)
            break;
          continue;
        }
      digit = g_ascii_xdigit_value (*p);
      if (digit < 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "“%s” is not hexadecimal (bad character “%c”)", text, *p);
          return NULL;
        }
      if (high < 0)
        high = digit;
      else
        {
          guint8 byte = (guint8) (high << 4 | digit);

          g_byte_array_append (bytes, &byte, 1);
          high = -1;
        }
    }

  if (high >= 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "“%s” has an odd number of hex digits; give whole bytes", text);
      return NULL;
    }
  if (bytes->len == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "no bytes given");
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

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
  options->mtime_sec = g_ascii_strtoll (text + 1, &end, 10);
  if (end == text + 1)
    goto bad;
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
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "skip", 's', 0, G_OPTION_ARG_STRING, &offset_text,
      "Where the edit starts (decimal, 0x hex, or with K/M/G/T suffix)", "OFFSET" },
    { "hex", 'x', 0, G_OPTION_ARG_STRING, &hex_text, "The bytes to write, in hex", "HEXBYTES" },
    { "fill", 'f', 0, G_OPTION_ARG_STRING, &fill_text, "A pattern to repeat, in hex", "FILLHEX" },
    { "length", 'n', 0, G_OPTION_ARG_STRING, &length_text, "How many bytes to fill", "LENGTH" },
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
  g_autoptr(GByteArray) bytes = NULL;
  HmSaveOptions options = { HM_TIMESTAMP_NOW, 0, 0, FALSE };
  HmDocumentMode mode = HM_DOCUMENT_MODE_PREVIEW;
  guint64 offset = 0;
  guint64 length = 0;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Overwrite bytes of FILE in place and save: only the changed bytes are written,\n"
    "the file keeps its inode, holes elsewhere stay holes.");
  g_option_context_set_description (context,
    "Exit status 0 only once the data is durably on disk (msync, fsync).\n"
    "Examples:\n"
    "  hexmap-cli patch disk.img -s 0x1fe -x 55aa\n"
    "  hexmap-cli patch big.bin -s 4G -f 00 -n 1M --mtime keep");

  status = hm_cli_parse_options (context, "patch", &argc, &argv);
  if (status != HM_CLI_STATUS_OK)
    return status;
  if (argc < 2)
    return hm_cli_usage_error ("patch", "no FILE given");
  if (argc > 2)
    return hm_cli_usage_error ("patch", "only one FILE, please (got “%s” too)", argv[2]);
  if (offset_text == NULL)
    return hm_cli_usage_error ("patch", "say where with -s OFFSET");
  if ((hex_text == NULL) == (fill_text == NULL))
    return hm_cli_usage_error ("patch", "give either -x HEXBYTES or -f FILLHEX -n LENGTH");
  if (fill_text != NULL && length_text == NULL)
    return hm_cli_usage_error ("patch", "-f needs -n LENGTH");
  if (hex_text != NULL && length_text != NULL)
    return hm_cli_usage_error ("patch", "-n goes with -f, not -x");

  if (!hm_offset_parse (offset_text, &offset, &error))
    return hm_cli_usage_error ("patch", "-s: %s", error->message);
  if (length_text != NULL && !hm_offset_parse (length_text, &length, &error))
    return hm_cli_usage_error ("patch", "-n: %s", error->message);
  bytes = parse_hex (hex_text != NULL ? hex_text : fill_text, &error);
  if (bytes == NULL)
    return hm_cli_usage_error ("patch", "%s: %s", hex_text != NULL ? "-x" : "-f", error->message);
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
      return HM_CLI_STATUS_FAILURE;
    }

  if (hex_text != NULL)
    {
      if (!hm_document_write (doc, offset, bytes->data, bytes->len, HM_EDIT_NONE, &error))
        {
          hm_cli_error ("%s", error->message);
          return HM_CLI_STATUS_FAILURE;
        }
    }
  else if (!hm_document_fill (doc, offset, length, bytes->data, bytes->len, &error))
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_FAILURE;
    }

  if (!hm_document_save (doc, &options, NULL, NULL, NULL, &error))
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_FAILURE;
    }
  return HM_CLI_STATUS_OK;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `hexmap-cli sum FILE... [--crc32] [--md5] [--sha1] [--sha256] [--sha512]
 * [--tag] [-s OFFSET] [-n LENGTH]`: checksums in the formats of coreutils.
 *
 * One sum prints what md5sum, sha1sum, sha256sum or sha512sum print, byte for
 * byte: `HEX  FILE`. Several sums (or --tag) print one line per sum in the
 * tagged format of `sha256sum --tag`: `SHA256 (FILE) = HEX`, which `cksum -c`
 * checks. CRC-32 is zlib's (the one of PNG, gzip and `crc32`), as 8 lowercase
 * hex digits; it is not the POSIX `cksum` CRC. A name holding a backslash, a
 * newline or a carriage return is escaped as coreutils does: the line starts
 * with a backslash and those become \\, \n and \r.
 *
 * All the sums asked for come from one pass over the file (core/hm-checksum.c:
 * one thread per sum), and holes cost nothing for CRC-32.
 */
#include "config.h"

#include "hm-checksum.h"
#include "hm-cli.h"
#include "hm-document.h"

#include <string.h>

#define WINDOW_BYTES (1024 * 1024)

typedef struct
{
  HmChecksumKind  kind;
  const char     *tag;    /* as `sha256sum --tag` names it */
} SumName;

/* In the order the lines are printed. */
static const SumName sum_names[] = {
  { HM_CHECKSUM_CRC32, "CRC32" },
  { HM_CHECKSUM_MD5, "MD5" },
  { HM_CHECKSUM_SHA1, "SHA1" },
  { HM_CHECKSUM_SHA256, "SHA256" },
  { HM_CHECKSUM_SHA512, "SHA512" },
};

/* The name as coreutils prints it; *escaped tells whether the line needs its
 * leading backslash. */
static char *
escape_name (const char *name,
             gboolean   *escaped)
{
  GString *out;

  *escaped = strpbrk (name, "\\\n\r") != NULL;
  if (!*escaped)
    return g_strdup (name);

  out = g_string_sized_new (strlen (name) + 8);
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\r')
        g_string_append (out, "\\r");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static void
print_sums (const char             *path,
            const HmChecksumResult *result,
            HmChecksumKind          kinds,
            gboolean                tagged)
{
  gboolean escaped;
  g_autofree char *name = escape_name (path, &escaped);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sum_names); i++)
    {
      const char *hex;

      if (!(kinds & sum_names[i].kind))
        continue;
      hex = hm_checksum_result_get (result, sum_names[i].kind);
      if (escaped)
        g_string_append_c (text, '\\');
      if (tagged)
        g_string_append_printf (text, "%s (%s) = %s\n", sum_names[i].tag, name, hex);
      else
        g_string_append_printf (text, "%s  %s\n", hex, name);
    }
  hm_cli_write (text->str, text->len);
}

/* Sums one file; returns a status, after a message if it is not OK. */
static int
sum_file (const char        *path,
          HmChecksumKind     kinds,
          gboolean           tagged,
          const HmCliOffset *skip_option,
          const HmCliOffset *length_option)
{
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(HmChecksumResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint64 size, skip = 0, length = G_MAXUINT64;
  int status;

  doc = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, WINDOW_BYTES, &error);
  if (doc == NULL)
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_ERROR;
    }

  /* end-N and N% need the size. */
  size = hm_document_get_size (doc);
  if (skip_option->text != NULL)
    {
      status = hm_cli_resolve_offset ("sum", skip_option, size, &skip);
      if (status != HM_CLI_STATUS_OK)
        return status;
    }
  if (length_option->text != NULL)
    {
      status = hm_cli_resolve_offset ("sum", length_option, size, &length);
      if (status != HM_CLI_STATUS_OK)
        return status;
    }
  /* The range is clipped to the file, as `tail -c +N | head -c LENGTH` would. */
  skip = MIN (skip, size);
  length = MIN (length, size - skip);

  result = hm_checksum_compute (doc, skip, length, kinds, NULL, NULL, NULL, &error);
  if (result == NULL)
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_ERROR;
    }
  print_sums (path, result, kinds, tagged);
  return HM_CLI_STATUS_OK;
}

int
hm_cli_sum (int    argc,
            char **argv)
{
  g_autofree char *skip_text = NULL;
  g_autofree char *length_text = NULL;
  HmCliOffset skip_option = { "-s", NULL, FALSE, { 0 } };
  HmCliOffset length_option = { "-n", NULL, TRUE, { 0 } };
  gboolean want[G_N_ELEMENTS (sum_names)] = { FALSE };
  gboolean tagged = FALSE;
  const GOptionEntry entries[] = {
    { "crc32", 0, 0, G_OPTION_ARG_NONE, &want[0],
      "CRC-32 as zlib, gzip and PNG compute it (8 hex digits)", NULL },
    { "md5", 0, 0, G_OPTION_ARG_NONE, &want[1], "MD5, as md5sum", NULL },
    { "sha1", 0, 0, G_OPTION_ARG_NONE, &want[2], "SHA-1, as sha1sum", NULL },
    { "sha256", 0, 0, G_OPTION_ARG_NONE, &want[3], "SHA-256, as sha256sum (the default)", NULL },
    { "sha512", 0, 0, G_OPTION_ARG_NONE, &want[4], "SHA-512, as sha512sum", NULL },
    { "tag", 0, 0, G_OPTION_ARG_NONE, &tagged,
      "Print “SHA256 (FILE) = HEX” lines even for one sum", NULL },
    { "skip", 's', 0, G_OPTION_ARG_STRING, &skip_text,
      "Start at OFFSET (default 0)", "OFFSET" },
    { "length", 'n', 0, G_OPTION_ARG_STRING, &length_text,
      "Sum at most LENGTH bytes (default: to the end of the file)", "LENGTH" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE...");
  HmChecksumKind kinds = 0;
  guint n_kinds = 0;
  int status;
  int result = HM_CLI_STATUS_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Print checksums of each FILE, computed in one pass with one thread per sum.\n"
    "With no sum named, --sha256. Holes of sparse files cost nothing for CRC-32.");
  g_option_context_set_description (context,
    "Output, exactly:\n"
    "  one sum:            HEX  FILE            (md5sum, sha1sum, sha256sum and\n"
    "                                            sha512sum print the same bytes)\n"
    "  several, or --tag:  NAME (FILE) = HEX    one line per sum, NAME one of\n"
    "                                            CRC32 MD5 SHA1 SHA256 SHA512, in\n"
    "                                            that order (`sha256sum --tag`;\n"
    "                                            `cksum -c` checks all but CRC32)\n"
    "HEX is lowercase; CRC-32 is 8 digits. A FILE name holding a backslash, a\n"
    "newline or a carriage return is printed as coreutils does: the line starts\n"
    "with \\ and those characters become \\\\, \\n and \\r.\n"
    "\n"
    HM_CLI_OFFSET_HELP
    HM_CLI_LENGTH_HELP
    "The range is clipped to the file: an OFFSET past the end sums no bytes.\n"
    "\n"
    "Exit status: 0 when every FILE was summed, 2 on any error or bad usage (the\n"
    "other files are still summed).\n"
    "\n"
    "Differences from coreutils: no standard input and no --check; CRC-32 is\n"
    "zlib's, not the CRC of POSIX `cksum`.");

  status = hm_cli_parse_options (context, "sum", &argc, &argv);
  if (status != HM_CLI_STATUS_OK)
    return status;
  skip_option.text = skip_text;
  length_option.text = length_text;
  status = hm_cli_parse_offset ("sum", &skip_option);
  if (status != HM_CLI_STATUS_OK)
    return status;
  status = hm_cli_parse_offset ("sum", &length_option);
  if (status != HM_CLI_STATUS_OK)
    return status;
  if (argc < 2)
    return hm_cli_usage_error ("sum", "no FILE given");

  for (guint i = 0; i < G_N_ELEMENTS (sum_names); i++)
    if (want[i])
      {
        kinds |= sum_names[i].kind;
        n_kinds++;
      }
  if (n_kinds == 0)
    {
      kinds = HM_CHECKSUM_SHA256;
      n_kinds = 1;
    }
  tagged = tagged || n_kinds > 1;

  for (int i = 1; i < argc && !hm_cli_output_failed (); i++)
    if (sum_file (argv[i], kinds, tagged, &skip_option, &length_option) != HM_CLI_STATUS_OK)
      result = HM_CLI_STATUS_ERROR;

  return result;
}

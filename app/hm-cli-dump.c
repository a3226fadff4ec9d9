/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `hexmap-cli dump FILE [-s OFFSET] [-n LENGTH] [-v]`: the output of util-linux
 * `hexdump -C`, byte for byte, without reading holes.
 *
 * hexdump -C prints 16-byte lines starting at the skip offset. A full line equal to
 * the line before it is not printed: the first such line becomes `*`, the next ones
 * nothing, until a different line comes (-v turns this off). The very first line and
 * a partial last line are always printed. The last line of output is the offset
 * where reading stopped, unless that is 0; with -n 0 nothing is printed at all.
 *
 * Inside a hole every full line is zeros, so after two of them the squeezing state
 * is settled (the previous line is zeros and `*` has been printed if it was going
 * to be): all further full lines of the hole are skipped without reading. That is
 * why dumping a 1 TiB sparse file takes no time. With -v every line is printed and
 * holes are "read" (the core fills them with zeros without touching the file).
 */
#include "config.h"

#include "hm-cli.h"
#include "hm-document.h"

#include <stdio.h>
#include <string.h>

#define LINE_BYTES   16
#define CHUNK_BYTES  (1024 * 1024)
#define WINDOW_BYTES (1024 * 1024)
/* The longest line: 16 offset digits, 2 spaces, 16 * 3 hex, 1 group space,
 * "  |", 16 characters, "|\n". */
#define MAX_LINE_CHARS 96
#define TEXT_BUFFER_SIZE (256 * 1024)

typedef enum
{
  SQUEEZE_FIRST,   /* nothing printed yet: the next line is printed */
  SQUEEZE_WAIT,    /* a line was printed: a repeat of it prints `*` */
  SQUEEZE_DUP,     /* `*` printed: repeats print nothing */
  SQUEEZE_NEVER,   /* -v: every line is printed */
} SqueezeState;

typedef struct
{
  SqueezeState state;
  guint8       previous[LINE_BYTES];
  char        *text;
  gsize        text_length;
} HmDumper;

static const char hex_digits[] = "0123456789abcdef";

static gboolean
dumper_flush (HmDumper *self)
{
  gboolean ok = hm_cli_write (self->text, self->text_length);

  self->text_length = 0;
  return ok;
}

/* At least 8 lowercase digits, more when needed: printf's "%08llx". */
static char *
put_offset (char    *p,
            guint64  offset)
{
  int digits = 8;

  while (digits < 16 && (offset >> (4 * digits)) != 0)
    digits++;
  for (int i = digits - 1; i >= 0; i--)
    *p++ = hex_digits[(offset >> (4 * i)) & 0xf];
  return p;
}

static void
format_line (HmDumper     *self,
             guint64       offset,
             const guint8 *bytes,
             gsize         n)
{
  char *start = self->text + self->text_length;
  char *p = put_offset (start, offset);

  *p++ = ' ';
  *p++ = ' ';
  for (gsize i = 0; i < LINE_BYTES; i++)
    {
      if (i == 8)
        *p++ = ' ';
      if (i < n)
        {
          p[0] = hex_digits[bytes[i] >> 4];
          p[1] = hex_digits[bytes[i] & 0xf];
        }
      else
        {
          p[0] = ' ';
          p[1] = ' ';
        }
      p[2] = ' ';
      p += 3;
    }
  *p++ = ' ';
  *p++ = '|';
  /* hexdump's %_p: printable ASCII; everything else (also in UTF-8 locales) is '.'. */
  for (gsize i = 0; i < n; i++)
    *p++ = bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char) bytes[i] : '.';
  *p++ = '|';
  *p++ = '\n';
  self->text_length += (gsize) (p - start);
}

/* One line of hexdump -C: @n is LINE_BYTES except for the last line. */
static gboolean
dumper_line (HmDumper     *self,
             guint64       offset,
             const guint8 *bytes,
             gsize         n)
{
  if (self->text_length > TEXT_BUFFER_SIZE - MAX_LINE_CHARS && !dumper_flush (self))
    return FALSE;

  if (n == LINE_BYTES && self->state != SQUEEZE_NEVER)
    {
      if (self->state != SQUEEZE_FIRST && memcmp (bytes, self->previous, LINE_BYTES) == 0)
        {
          if (self->state == SQUEEZE_WAIT)
            {
              self->text[self->text_length++] = '*';
              self->text[self->text_length++] = '\n';
              self->state = SQUEEZE_DUP;
            }
          return TRUE;
        }
      memcpy (self->previous, bytes, LINE_BYTES);
      self->state = SQUEEZE_WAIT;
    }

  format_line (self, offset, bytes, n);
  return TRUE;
}

static gboolean
dumper_end (HmDumper *self,
            guint64   offset)
{
  /* hexdump prints no final offset when it never moved from 0. */
  if (offset != 0)
    {
      char *p = put_offset (self->text + self->text_length, offset);

      *p++ = '\n';
      self->text_length = (gsize) (p - self->text);
    }
  return dumper_flush (self);
}

static guint64
round_up_lines (guint64 length)
{
  return length + (LINE_BYTES - length % LINE_BYTES) % LINE_BYTES;
}

/* Dumps [start, start + length) clipped to the file; returns the offset reached,
 * or sets @error. Returns early (without error) when stdout fails. */
static gboolean
dump_range (HmDocument *doc,
            HmDumper   *dumper,
            guint64     start,
            guint64     length,
            guint64    *reached,
            GError    **error)
{
  static const guint8 zeros[LINE_BYTES];
  guint64 size = hm_document_get_size (doc);
  g_autofree guint8 *buffer = NULL;
  guint64 pos = MIN (start, size);
  guint64 end = pos + MIN (length, size - pos);

  *reached = pos;
  if (pos >= end)
    return TRUE;

  buffer = g_malloc (CHUNK_BYTES);
  while (pos < end)
    {
      guint64 chunk_end = MIN (end, pos + CHUNK_BYTES);
      guint64 run_end;
      gsize want;
      gssize got;

      if (dumper->state != SQUEEZE_NEVER)
        {
          gboolean is_hole = hm_document_is_hole (doc, pos, &run_end);
          guint64 run_lines = (MIN (run_end, end) - pos) / LINE_BYTES;

          if (is_hole && run_lines >= 3)
            {
              /* Two zero lines settle the squeezing; the rest print nothing. */
              if (!dumper_line (dumper, pos, zeros, LINE_BYTES) ||
                  !dumper_line (dumper, pos + LINE_BYTES, zeros, LINE_BYTES))
                return TRUE;
              pos += run_lines * LINE_BYTES;
              *reached = pos;
              continue;
            }

          /* Stop at the line holding the end of this run, so that the next
           * round sees the hole that follows. */
          chunk_end = MIN (chunk_end, pos + round_up_lines (run_end - pos));
        }

      want = (gsize) (chunk_end - pos);
      got = hm_document_read (doc, pos, buffer, want, error);
      if (got < 0)
        return FALSE;
      if (got == 0)
        break;

      for (gsize i = 0; i < (gsize) got; i += LINE_BYTES)
        if (!dumper_line (dumper, pos + i, buffer + i, MIN (LINE_BYTES, (gsize) got - i)))
          return TRUE;

      pos += (guint64) got;
      *reached = pos;
      if ((gsize) got < want)
        break;  /* the file ended early */
    }

  return TRUE;
}

int
hm_cli_dump (int    argc,
             char **argv)
{
  g_autofree char *skip_text = NULL;
  g_autofree char *length_text = NULL;
  HmCliOffset skip_option = { "-s", NULL, FALSE, { 0 } };
  HmCliOffset length_option = { "-n", NULL, TRUE, { 0 } };
  gboolean verbose = FALSE;
  gboolean canonical = FALSE;
  const GOptionEntry entries[] = {
    { "skip", 's', 0, G_OPTION_ARG_STRING, &skip_text,
      "Start at OFFSET (default 0)", "OFFSET" },
    { "length", 'n', 0, G_OPTION_ARG_STRING, &length_text,
      "Dump at most LENGTH bytes (default: to the end of the file)", "LENGTH" },
    { "no-squeezing", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      "Print every line; do not replace repeated lines with *", NULL },
    { "canonical", 'C', 0, G_OPTION_ARG_NONE, &canonical,
      "Accepted for compatibility: the only format there is", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE");
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  HmDumper dumper = { 0 };
  g_autofree char *text = NULL;
  guint64 skip = 0;
  guint64 length = G_MAXUINT64;
  guint64 reached = 0;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Print FILE like `hexdump -C`, byte for byte the same output. Holes of sparse\n"
    "files are skipped without being read, so a huge sparse file dumps instantly.");
  g_option_context_set_description (context,
    HM_CLI_OFFSET_HELP
    HM_CLI_LENGTH_HELP
    "\n"
    "Differences from util-linux hexdump:\n"
    "  - a leading 0 is decimal here (hexdump reads -s 010 as octal 8);\n"
    "    the b unit, N% and end-N are not accepted by util-linux hexdump;\n"
    "  - one FILE only, no standard input;\n"
    "  - the ASCII column shows bytes 0x20-0x7e only (as hexdump does in the C and\n"
    "    UTF-8 locales; in a Latin-1 locale hexdump also shows 0xa0-0xff);\n"
    "  - /dev/zero ends after 2^62 bytes;\n"
    "  - -n 0 still opens FILE and reports errors (hexdump does not open it);\n"
    "  - a read error ends the dump with a message naming the file and the offset,\n"
    "    and exit status 2;\n"
    "  - a reader that closes the pipe early (| head) ends it quietly with status 0,\n"
    "    where hexdump is killed by SIGPIPE.");

  status = hm_cli_parse_options (context, "dump", &argc, &argv);
  if (status != HM_CLI_STATUS_OK)
    return status;
  skip_option.text = skip_text;
  length_option.text = length_text;
  status = hm_cli_parse_offset ("dump", &skip_option);
  if (status != HM_CLI_STATUS_OK)
    return status;
  status = hm_cli_parse_offset ("dump", &length_option);
  if (status != HM_CLI_STATUS_OK)
    return status;
  if (argc < 2)
    return hm_cli_usage_error ("dump", "no FILE given");
  if (argc > 2)
    return hm_cli_usage_error ("dump", "only one FILE, please (got “%s” too)", argv[2]);

  /* Small windows: a dump passes each byte once, and the file pages a big window
   * keeps mapped count in our RSS (16 MiB windows: ~70 MiB). */
  doc = hm_document_new_full (argv[1], HM_DOCUMENT_MODE_READ_ONLY, WINDOW_BYTES, &error);
  if (doc == NULL)
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_ERROR;
    }

  /* end-N and N% need the size. */
  if (skip_text != NULL)
    {
      status = hm_cli_resolve_offset ("dump", &skip_option, hm_document_get_size (doc), &skip);
      if (status != HM_CLI_STATUS_OK)
        return status;
    }
  if (length_text != NULL)
    {
      status = hm_cli_resolve_offset ("dump", &length_option, hm_document_get_size (doc), &length);
      if (status != HM_CLI_STATUS_OK)
        return status;
    }

  /* hexdump -n 0 prints nothing, not even an offset. */
  if (length == 0)
    return HM_CLI_STATUS_OK;

  text = g_malloc (TEXT_BUFFER_SIZE);
  dumper.text = text;
  dumper.state = verbose ? SQUEEZE_NEVER : SQUEEZE_FIRST;

  if (!dump_range (doc, &dumper, skip, length, &reached, &error))
    {
      dumper_flush (&dumper);
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_ERROR;
    }
  if (!hm_cli_output_failed ())
    dumper_end (&dumper, reached);

  return HM_CLI_STATUS_OK;
}

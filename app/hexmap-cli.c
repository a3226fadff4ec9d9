/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hexmap-cli: the command-line face of the Hexmap core.
 *
 * This file only dispatches: each subcommand lives in hm-cli-NAME.c and is listed
 * in the commands[] table below. Output goes through stdio with a large buffer;
 * SIGPIPE is ignored so that `hexmap-cli dump … | head` ends with status 0 instead
 * of being killed by a signal.
 */
#include "config.h"

#include "hm-cli.h"

#include "hm-offset.h"

#include <errno.h>
#include <libintl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define OUTPUT_BUFFER_SIZE (1024 * 1024)

typedef struct
{
  const char *name;
  int       (*run) (int    argc,
                    char **argv);
  const char *summary;
} HmCliCommand;

/* Add a subcommand here (and its source file to app/meson.build). */
static const HmCliCommand commands[] = {
  { "info", hm_cli_info, "Show the size, kind, filesystem and holes of a file" },
  { "dump", hm_cli_dump, "Print bytes exactly like `hexdump -C`, skipping holes instantly" },
  { "find", hm_cli_find, "Find hex bytes or text; print offsets like grep" },
  { "patch", hm_cli_patch, "Overwrite bytes in place and save them durably" },
  { "diff", hm_cli_diff, "Compare two files: differing runs, or inserted/deleted hunks" },
  { "recover", hm_cli_recover, "Finish or roll back an interrupted save of a file" },
  { "sum", hm_cli_sum, "Print CRC-32, MD5, SHA-1, SHA-256 or SHA-512 sums like sha256sum" },
};

static int output_errno;

void
hm_cli_error (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* The document's messages are UTF-8 and one line; keep them so. */
  g_strdelimit (message, "\n", ' ');
  fflush (stdout);
  fprintf (stderr, "hexmap-cli: %s\n", message);
}

int
hm_cli_usage_error (const char *command,
                    const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (command != NULL)
    fprintf (stderr, "hexmap-cli %s: %s\nTry “hexmap-cli %s --help”.\n", command, message, command);
  else
    fprintf (stderr, "hexmap-cli: %s\nTry “hexmap-cli --help”.\n", message);
  return HM_CLI_STATUS_USAGE;
}

int
hm_cli_parse_options (GOptionContext *context,
                      const char     *command,
                      int            *argc,
                      char         ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    return hm_cli_usage_error (command, "%s", error->message);
  return HM_CLI_STATUS_OK;
}

/**
 * hm_cli_parse_offset:
 * @command: the subcommand, for the message
 * @offset: the option; its text may be %NULL (not given)
 *
 * Parses an offset or length option before any file is open, so that a typo
 * is bad usage (status 2) whatever the file. The message names the option and
 * the column.
 *
 * Returns: a status: %HM_CLI_STATUS_OK, or %HM_CLI_STATUS_USAGE after a message
 */
int
hm_cli_parse_offset (const char  *command,
                     HmCliOffset *offset)
{
  g_autoptr(GError) error = NULL;
  HmOffsetForms forms = offset->is_length ? HM_OFFSET_FORMS_PERCENT
                                          : HM_OFFSET_FORMS_PERCENT | HM_OFFSET_FORMS_FROM_END;

  if (offset->text == NULL)
    return HM_CLI_STATUS_OK;
  if (!hm_offset_target_parse_forms (offset->text, forms, &offset->target, &error))
    return hm_cli_usage_error (command, "%s: %s", offset->option, error->message);
  return HM_CLI_STATUS_OK;
}

/**
 * hm_cli_resolve_offset:
 * @command: the subcommand, for the message
 * @offset: an option that hm_cli_parse_offset() accepted, and was given
 * @size: the size of the file
 * @value: (out): the offset or length in bytes
 *
 * Resolves a parsed option against the file. A plain offset is taken as it
 * is, even past the end of the file (`dump -s` then prints nothing, as hexdump
 * does); `end-N` before the start of the file is bad usage (status 2).
 *
 * Returns: a status: %HM_CLI_STATUS_OK, or %HM_CLI_STATUS_USAGE after a message
 */
int
hm_cli_resolve_offset (const char        *command,
                       const HmCliOffset *offset,
                       guint64            size,
                       guint64           *value)
{
  g_autoptr(GError) error = NULL;

  g_assert (offset->text != NULL);

  if (offset->is_length)
    *value = hm_offset_target_resolve_length (&offset->target, size);
  else if (offset->target.kind == HM_OFFSET_KIND_ABSOLUTE)
    *value = offset->target.value;
  else if (!hm_offset_target_resolve (&offset->target, 0, size, value, &error))
    return hm_cli_usage_error (command, "%s %s: %s", offset->option, offset->text, error->message);
  return HM_CLI_STATUS_OK;
}

/**
 * hm_cli_write:
 * @data: bytes for stdout
 * @length: how many
 *
 * Returns: %FALSE once stdout failed (the reader went away, the disk is full):
 *   stop producing output then; the dispatcher reports the cause.
 */
gboolean
hm_cli_write (const void *data,
              gsize       length)
{
  if (output_errno != 0)
    return FALSE;
  if (fwrite (data, 1, length, stdout) != length)
    {
      output_errno = errno != 0 ? errno : EIO;
      return FALSE;
    }
  return TRUE;
}

gboolean
hm_cli_output_failed (void)
{
  return output_errno != 0;
}

/* A reader that closed the pipe early wanted no more: that is success. */
static int
finish_output (int status)
{
  if (output_errno == 0 && (fflush (stdout) != 0 || ferror (stdout)))
    output_errno = errno != 0 ? errno : EIO;

  if (output_errno == EPIPE)
    return status;
  if (output_errno != 0)
    {
      fprintf (stderr, "hexmap-cli: cannot write to standard output: %s\n", g_strerror (output_errno));
      return HM_CLI_STATUS_ERROR;
    }
  return status;
}

static int
run_command (const HmCliCommand *command,
             int                 argc,
             char              **argv)
{
  g_autofree char *prgname = g_strdup_printf ("hexmap-cli %s", command->name);

  /* GOptionContext's --help shows "Usage: hexmap-cli dump …". */
  g_set_prgname (prgname);
  return finish_output (command->run (argc, argv));
}

static void
print_usage (FILE *stream)
{
  fprintf (stream,
           "Usage:\n"
           "  hexmap-cli COMMAND [OPTION...] FILE\n"
           "\n"
           "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf (stream,
           "\n"
           "Options:\n"
           "  -h, --help     Show this help (`hexmap-cli COMMAND --help` for a command)\n"
           "  --version      Show the version\n"
           "\n"
           "Exit status, for every command: 0 on success (find: found; diff: the same),\n"
           "1 for \"no\" where a command asks (find: not found; diff: different),\n"
           "2 on any error or bad usage.\n"
           "\n"
           "A file whose save was interrupted (a crash, a kill) is refused by every\n"
           "command (status 2) until `hexmap-cli recover FILE` has run.\n");
}

int
main (int   argc,
      char *argv[])
{
  const char *name;

  /* The character set (GOptionContext's help) and the language of the core's
   * error messages; numbers stay in the C locale so that the output is the same
   * for every user. */
  setlocale (LC_CTYPE, "");
  setlocale (LC_MESSAGES, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  /* Write errors become EPIPE, handled in finish_output(). */
  signal (SIGPIPE, SIG_IGN);
  setvbuf (stdout, NULL, _IOFBF, OUTPUT_BUFFER_SIZE);

  if (argc < 2)
    {
      print_usage (stderr);
      return HM_CLI_STATUS_USAGE;
    }

  name = argv[1];
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0 ||
      (strcmp (name, "help") == 0 && argc == 2))
    {
      print_usage (stdout);
      return finish_output (HM_CLI_STATUS_OK);
    }
  if (strcmp (name, "--version") == 0)
    {
      printf ("hexmap-cli %s\n", PACKAGE_VERSION);
      return finish_output (HM_CLI_STATUS_OK);
    }

  /* `hexmap-cli help dump` is `hexmap-cli dump --help`. */
  if (strcmp (name, "help") == 0)
    {
      char *help_argv[] = { argv[2], (char *) "--help", NULL };

      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        if (strcmp (argv[2], commands[i].name) == 0)
          return run_command (&commands[i], 2, help_argv);
      return hm_cli_usage_error (NULL, "unknown command “%s”", argv[2]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (name, commands[i].name) == 0)
        return run_command (&commands[i], argc - 1, argv + 1);
    }

  if (name[0] == '-')
    return hm_cli_usage_error (NULL, "unknown option “%s”", name);
  return hm_cli_usage_error (NULL, "unknown command “%s”", name);
}

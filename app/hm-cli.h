/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * hexmap-cli: one entry point (hexmap-cli.c) dispatching to subcommands.
 *
 * A subcommand is `int hm_cli_NAME (int argc, char **argv)` with argv[0] set to
 * the subcommand's name, like a program of its own. It returns an exit status
 * (HmCliStatus) and leaves stdout for the dispatcher to flush: the dispatcher
 * turns a closed pipe (EPIPE) into a quiet success and any other write error into
 * a message and status 1. SIGPIPE is ignored process-wide, so no subcommand is
 * ever killed by a reader that went away.
 */

#include <glib.h>

#include "hm-offset.h"

G_BEGIN_DECLS

typedef enum
{
  HM_CLI_STATUS_OK = 0,
  HM_CLI_STATUS_NO = 1,       /* the answer is "no": find found nothing, diff found differences */
  HM_CLI_STATUS_ERROR = 2,    /* any error: cannot open, cannot read, cannot write, … */
  HM_CLI_STATUS_USAGE = 2,    /* bad usage (unknown option, bad offset, missing FILE): an error too */
} HmCliStatus;

/*
 * Offset and length options: the offset grammar of hm-offset.h, the same in
 * every subcommand. An offset takes what the editor's Go to takes except +N and
 * -N (there is no cursor); a length takes numbers and N% of the file size.
 */
typedef struct
{
  const char     *option;     /* as the messages name it: "-s" */
  const char     *text;       /* what was given, or NULL */
  gboolean        is_length;
  HmOffsetTarget  target;     /* set by hm_cli_parse_offset() */
} HmCliOffset;

/* For g_option_context_set_description(): what OFFSET and LENGTH take. */
#define HM_CLI_OFFSET_HELP \
  "OFFSET: decimal, or hexadecimal after 0x, with an optional unit: K, M, G, T,\n" \
  "P, E (or KiB, MiB, ...) in powers of 1024, KB, MB, ... in powers of 1000, b for\n" \
  "512-byte blocks; N% of the file size (up to six decimals); end (the last byte)\n" \
  "or end-N (N bytes before the end of the file).\n" \
  "Examples: 4096, 0x1000, 4K, 1T, 8b, 50%, 12.5%, end-16, end-0x200.\n" \
  "+N and -N, which Go to in the editor counts from the cursor, are refused.\n"
#define HM_CLI_LENGTH_HELP \
  "LENGTH: a number as for OFFSET (4096, 0x1000, 1M), or N% of the file size.\n"

/* Subcommands. */
int      hm_cli_info          (int          argc,
                               char       **argv);
int      hm_cli_dump          (int          argc,
                               char       **argv);
int      hm_cli_find          (int          argc,
                               char       **argv);
int      hm_cli_patch         (int          argc,
                               char       **argv);
int      hm_cli_diff          (int          argc,
                               char       **argv);
int      hm_cli_recover       (int          argc,
                               char       **argv);
int      hm_cli_sum           (int          argc,
                               char       **argv);

/* Shared helpers (hexmap-cli.c). */
void     hm_cli_error         (const char  *format,
                               ...) G_GNUC_PRINTF (1, 2);
int      hm_cli_usage_error   (const char  *command,
                               const char  *format,
                               ...) G_GNUC_PRINTF (2, 3);
int      hm_cli_parse_options (GOptionContext *context,
                               const char  *command,
                               int         *argc,
                               char      ***argv);
int      hm_cli_parse_offset  (const char  *command,
                               HmCliOffset *offset);
int      hm_cli_resolve_offset (const char        *command,
                                const HmCliOffset *offset,
                                guint64            size,
                                guint64           *value);
gboolean hm_cli_write         (const void  *data,
                               gsize        length);
gboolean hm_cli_output_failed (void);

G_END_DECLS

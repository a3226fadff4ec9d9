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

G_BEGIN_DECLS

typedef enum
{
  HM_CLI_STATUS_OK = 0,
  HM_CLI_STATUS_FAILURE = 1,  /* a runtime error: cannot open, cannot read, … */
  HM_CLI_STATUS_USAGE = 2,    /* bad usage: unknown option, bad offset, missing FILE */
} HmCliStatus;

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
gboolean hm_cli_write         (const void  *data,
                               gsize        length);
gboolean hm_cli_output_failed (void);

G_END_DECLS

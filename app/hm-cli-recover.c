/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `hexmap-cli recover FILE`: finish an interrupted save of FILE (a crash, a
 * kill, a power cut during `patch` or an editor's Save). The save journal says
 * whether the save had completed; if not, the old bytes go back and FILE is
 * exactly as it was before that save.
 *
 * Status 0 when FILE is consistent afterwards (also when there was nothing to
 * do), 2 on any error.
 */
#include "config.h"

#include "hm-cli.h"
#include "hm-document.h"

#include <stdio.h>

int
hm_cli_recover (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE");
  g_autoptr(GError) error = NULL;
  HmRecoverOutcome outcome;
  int status;

  g_option_context_set_summary (context,
    "Finish an interrupted save of FILE: roll it back to how it was before the\n"
    "save, or, if the save had completed, just remove its journal.");
  g_option_context_set_description (context,
    "Output: one line, \"rolled back: FILE is as it was before the interrupted save\",\n"
    "\"completed: FILE holds the saved bytes\" or \"nothing to recover: FILE\".\n"
    "Save journals live in $XDG_STATE_HOME/hexmap/journals (~/.local/state/...).");

  status = hm_cli_parse_options (context, "recover", &argc, &argv);
  if (status != HM_CLI_STATUS_OK)
    return status;
  if (argc < 2)
    return hm_cli_usage_error ("recover", "no FILE given");
  if (argc > 2)
    return hm_cli_usage_error ("recover", "only one FILE, please (got “%s” too)", argv[2]);

  if (!hm_document_recover (argv[1], &outcome, &error))
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_ERROR;
    }

  switch (outcome)
    {
    case HM_RECOVER_NOTHING:
      printf ("nothing to recover: %s\n", argv[1]);
      break;
    case HM_RECOVER_ROLLED_BACK:
      printf ("rolled back: %s is as it was before the interrupted save\n", argv[1]);
      break;
    case HM_RECOVER_COMPLETED:
      printf ("completed: %s holds the saved bytes\n", argv[1]);
      break;
    default:
      g_assert_not_reached ();
    }
  return HM_CLI_STATUS_OK;
}

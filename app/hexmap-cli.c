/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TEMPORARY skeleton: info and dump land with the CLI work. */
#include "config.h"

#include <stdio.h>

#include "hm-document.h"

int
main (int   argc,
      char *argv[])
{
  fprintf (stderr, "usage: hexmap-cli info|dump FILE\n");
  return 2;
}

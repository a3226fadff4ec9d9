/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "hm-application.h"

/* Run straight from a Meson build folder (as the README's quick start does), the
 * schema is not installed yet; the build compiles it into BUILD/data. Use that
 * one, before anything creates the default schema source. An installed binary
 * has no build.ninja next to it and is left alone. */
static void
use_build_tree_schemas (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *app_dir = NULL;
  g_autofree char *build_dir = NULL;
  g_autofree char *ninja = NULL;
  g_autofree char *schema_dir = NULL;
  g_autofree char *compiled = NULL;
  const char *current;

  if (exe == NULL)
    return;
  app_dir = g_path_get_dirname (exe);
  build_dir = g_path_get_dirname (app_dir);
  ninja = g_build_filename (build_dir, "build.ninja", NULL);
  schema_dir = g_build_filename (build_dir, "data", NULL);
  compiled = g_build_filename (schema_dir, "gschemas.compiled", NULL);
  if (!g_file_test (ninja, G_FILE_TEST_EXISTS) || !g_file_test (compiled, G_FILE_TEST_EXISTS))
    return;

  current = g_getenv ("GSETTINGS_SCHEMA_DIR");
  if (current == NULL || *current == '\0')
    g_setenv ("GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
  else
    {
      g_autofree char *both = g_strconcat (schema_dir, G_SEARCHPATH_SEPARATOR_S, current, NULL);

      g_setenv ("GSETTINGS_SCHEMA_DIR", both, TRUE);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HmApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name (_("Hexmap"));
  use_build_tree_schemas ();

  app = hm_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}

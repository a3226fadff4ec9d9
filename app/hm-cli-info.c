/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `hexmap-cli info FILE`: what Hexmap knows about a file before reading any of it.
 *
 * One `key: value` line per fact, keys stable and lowercase so that scripts can
 * grep them; offsets and lengths of extents in 0x hex, sizes in decimal bytes.
 */
#include "config.h"

#include "hm-cli.h"
#include "hm-document.h"

#include <stdio.h>

#define DEFAULT_MAX_EXTENTS 1000

/* "1.0 TiB", with a plain space: GLib puts a no-break space (U+00A0) there. */
static char *
format_size (guint64 size)
{
  g_autofree char *text = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
  g_auto(GStrv) parts = g_strsplit (text, "\u00a0", -1);

  return g_strjoinv (" ", parts);
}

int
hm_cli_info (int    argc,
             char **argv)
{
  gboolean all_extents = FALSE;
  const GOptionEntry entries[] = {
    { "all-extents", 'a', 0, G_OPTION_ARG_NONE, &all_extents,
      "List every data extent (default: the first " G_STRINGIFY (DEFAULT_MAX_EXTENTS) ")", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE");
  g_autoptr(HmDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) extents = NULL;
  g_autofree char *human = NULL;
  guint64 size;
  guint n_data = 0;
  guint listed = 0;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Show what Hexmap knows about FILE without reading its bytes: size, kind,\n"
    "filesystem, the mode the editor would open it in, and its holes.");
  g_option_context_set_description (context,
    "Output: one \"key: value\" line each, in this order:\n"
    "  file, size (bytes), size-human, kind (regular file, block device, zero device),\n"
    "  filesystem, filesystem-kind (local, memory, network, fuse, other),\n"
    "  default-mode (read-only, preview), writable (yes/no), holes, data-bytes,\n"
    "  data-extents (count), then one \"data-extent: 0xOFFSET 0xLENGTH\" line per\n"
    "  data extent and, if the list was cut, \"data-extents-omitted: N\".");

  status = hm_cli_parse_options (context, "info", &argc, &argv);
  if (status != HM_CLI_STATUS_OK)
    return status;
  if (argc < 2)
    return hm_cli_usage_error ("info", "no FILE given");
  if (argc > 2)
    return hm_cli_usage_error ("info", "only one FILE, please (got “%s” too)", argv[2]);

  doc = hm_document_new_full (argv[1], HM_DOCUMENT_MODE_READ_ONLY, 0, &error);
  if (doc == NULL)
    {
      hm_cli_error ("%s", error->message);
      return HM_CLI_STATUS_ERROR;
    }

  size = hm_document_get_size (doc);
  human = format_size (size);
  extents = hm_document_get_extents (doc, 0, size);
  for (guint i = 0; i < extents->len; i++)
    n_data += g_array_index (extents, HmExtent, i).is_hole ? 0 : 1;

  printf ("file: %s\n", hm_document_get_display_name (doc));
  printf ("size: %" G_GUINT64_FORMAT "\n", size);
  printf ("size-human: %s\n", human);
  printf ("kind: %s\n", hm_file_kind_to_string (hm_document_get_kind (doc)));
  printf ("filesystem: %s\n", hm_document_get_fs_type (doc));
  printf ("filesystem-kind: %s\n", hm_fs_kind_to_string (hm_document_get_fs_kind (doc)));
  printf ("default-mode: %s\n", hm_document_mode_to_string (hm_document_get_default_mode (doc)));
  printf ("writable: %s\n", hm_document_get_can_write (doc) ? "yes" : "no");
  printf ("holes: %u\n", hm_document_get_n_holes (doc));
  printf ("data-bytes: %" G_GUINT64_FORMAT "\n", hm_document_get_data_bytes (doc));
  printf ("data-extents: %u\n", n_data);

  for (guint i = 0; i < extents->len; i++)
    {
      const HmExtent *e = &g_array_index (extents, HmExtent, i);

      if (e->is_hole)
        continue;
      if (!all_extents && listed == DEFAULT_MAX_EXTENTS)
        break;
      printf ("data-extent: 0x%" G_GINT64_MODIFIER "x 0x%" G_GINT64_MODIFIER "x\n",
              e->offset, e->length);
      listed++;
    }
  if (listed < n_data)
    printf ("data-extents-omitted: %u\n", n_data - listed);

  return HM_CLI_STATUS_OK;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int   hm_file_create_temporary (const char *dir,
                                const char *base,
                                gboolean    no_tmpfile,
                                char      **tmp_name);
char *hm_file_link_temporary   (int         out,
                                const char *dir,
                                const char *base);
void  hm_file_sync_directory   (const char *dir);
gboolean hm_file_write_all     (int         fd,
                                const void *data,
                                gsize       length);

G_END_DECLS

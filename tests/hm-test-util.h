/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Shared helpers for Hexmap's tests. Files go into a per-process temporary folder
 * that hm_test_cleanup() removes. */

const char *hm_test_tmpdir          (void);
char       *hm_test_path            (const char   *name);
char       *hm_test_write_random    (const char   *name,
                                     gsize         size,
                                     guint32       seed,
                                     guint8      **contents);
char       *hm_test_make_sparse     (const char   *name,
                                     guint64       size);
void        hm_test_pwrite          (const char   *path,
                                     guint64       offset,
                                     const void   *data,
                                     gsize         length);
void        hm_test_truncate        (const char   *path,
                                     guint64       size);
guint64     hm_test_allocated_bytes (const char   *path);
guint       hm_test_count_fds       (void);
guint       hm_test_count_mappings  (void);
gsize       hm_test_rss_kib         (void);
gboolean    hm_test_is_root         (void);
char       *hm_test_run             (const char   *command_line);
void        hm_test_skip_all        (int           argc,
                                     char        **argv,
                                     const char   *reason);
void        hm_test_cleanup         (void);

G_END_DECLS

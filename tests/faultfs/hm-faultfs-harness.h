/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * HmFaultfs:
 *
 * A running hm-faultfs mount for a test: the daemon mirrors a backing
 * directory at a temporary mountpoint and injects faults on command
 * (see the command list at the top of `tests/faultfs/hm-faultfs.c`).
 *
 * The daemon is found through the `HM_FAULTFS` environment variable, which
 * `meson test` sets, else in this build tree (for a test run by hand; tests
 * using the harness need `depends: faultfs_exe` in meson).  Mounting needs root and `/dev/fuse`: a test binary calls
 * hm_faultfs_skip_unless_available() first thing in main().
 */
typedef struct _HmFaultfs HmFaultfs;

gboolean    hm_faultfs_available            (char       **reason);
void        hm_faultfs_skip_unless_available (int          argc,
                                              char       **argv);

HmFaultfs  *hm_faultfs_start                (const char  *backing_dir,
                                             GError     **error);
const char *hm_faultfs_get_mountpoint       (HmFaultfs   *self);
char       *hm_faultfs_build_path           (HmFaultfs   *self,
                                             const char  *name);
gboolean    hm_faultfs_control              (HmFaultfs   *self,
                                             const char  *command,
                                             GError     **error);
gboolean    hm_faultfs_controlf             (HmFaultfs   *self,
                                             GError     **error,
                                             const char  *format,
                                             ...) G_GNUC_PRINTF (3, 4);
gboolean    hm_faultfs_watch_thread         (HmFaultfs   *self,
                                             int          tid,
                                             GError     **error);
gboolean    hm_faultfs_get_watched_ops      (HmFaultfs   *self,
                                             guint64     *n_ops,
                                             GError     **error);
void        hm_faultfs_stop                 (HmFaultfs   *self);
gboolean    hm_faultfs_stop_clean           (HmFaultfs   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmFaultfs, hm_faultfs_stop)

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-hex-view.h"

G_BEGIN_DECLS

/*
 * Reads for the side panels and the find bar (inspector values, change and
 * match previews, re-checking matches), off the main thread when the document
 * lives on storage that may stall (network and FUSE mounts). Private to ui/.
 */

/**
 * HmPanelReadItem:
 * @offset: where the read started
 * @bytes: (nullable): the bytes (short at the end of the file), or %NULL if
 *   they could not be read
 * @error: (nullable): why @bytes is %NULL
 */
typedef struct
{
  guint64  offset;
  GBytes  *bytes;
  GError  *error;
} HmPanelReadItem;

gboolean   hm_panel_read_wants_worker (HmHexView           *view,
                                       HmDocument          *document);
void       hm_panel_read_async        (HmDocument          *document,
                                       const HmRange       *ranges,
                                       guint                n_ranges,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GPtrArray *hm_panel_read_finish       (GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS

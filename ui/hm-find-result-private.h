/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-find-result.h"

G_BEGIN_DECLS

/* The instance struct, shared with the find bar (hm-find-bar*.c): on slow
 * storage the bar keeps the state of each row's preview on the row itself. */
struct _HmFindResult
{
  GObject  parent_instance;

  guint64  offset;
  guint64  length;
  gboolean unreadable;

  /* Slow storage only (see hm-find-bar-results.c). */
  char    *preview;       /* the detail text, once read */
  gboolean want_preview;
  gboolean want_check;    /* overlaps a change: match it again */
  gboolean queued;        /* in the bar's read queue */
};

G_END_DECLS

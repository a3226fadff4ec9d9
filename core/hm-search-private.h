/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the files of HmSearch share: hm-search.c is the object, the passes and
 * their worker threads, and the reporting of what they found in search order;
 * hm-search-scan.c scans one chunk of a pass into a list of items. Nothing
 * outside these files may include this header.
 */
#pragma once

#include "hm-bulk.h"
#include "hm-search.h"

G_BEGIN_DECLS

#define MAX_ITEMS 16384   /* runs and faults one chunk's list holds */

/* What a chunk found, in file order: a run of @count consecutive match starts
 * from @offset, or (@error set) @count bytes from @offset that could not be
 * read. */
typedef struct
{
  guint64  offset;
  guint64  count;
  GError  *error;
} Item;

/* What the workers of a pass share; read-only while they run, but for the
 * atomics. */
typedef struct
{
  HmDocument           *doc;
  const HmSearchKernel *kernel;
  gsize                 plen;
  gboolean              zeros;          /* the pattern matches zeros: holes match */
  gboolean              stop_at_fault;  /* forward, no skipping: nothing after a fault counts */
  gsize                 page_size;
  GCancellable         *cancellable;
  gint                  stop;           /* atomic: the caller needs no more */
  gint                  cold;           /* atomic: bytes were not in the page cache */
} Pass;

/* One thread's scanner: its bulk reader, and the carry between blocks. */
typedef struct
{
  Pass     *pass;
  HmBulk   *bulk;
  guint8   *carry;       /* 2 * plen: bytes [pos - carry_len, pos), then a block's head */
  guint8   *saved;       /* 2 * plen: the carry before a block, to start it again */
  gsize     carry_len;
  guint64   c1;          /* the chunk's starts end here */
  GArray   *items;       /* Item */
  gboolean  full;        /* the list is full */
  gboolean  ended;       /* a truncation, or a fault that ends a forward search */
} Scanner;

void    _hm_search_scanner_init  (Scanner *sc,
                                  Pass    *pass);
void    _hm_search_scanner_clear (Scanner *sc);
GArray *_hm_search_items_new     (void);
void    _hm_search_scan_chunk    (Scanner *sc,
                                  guint64  c0,
                                  guint64  c1,
                                  guint64  b1,
                                  GArray  *items);

G_END_DECLS

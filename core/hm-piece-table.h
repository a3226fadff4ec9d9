/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * HmPieceTable: the content of a document with inserts and deletes, as a sequence
 * of pieces, internal to core/. It knows nothing of mappings: a FILE piece is a
 * range of the file at its baseline offset, and the document reads it through its
 * windows (so preview overwrites in copy-on-write pages show). See hm-piece-table.c.
 */

/**
 * HmPieceKind:
 * @HM_PIECE_FILE: bytes of the file at their baseline offset (@start)
 * @HM_PIECE_MEMORY: inserted bytes held in memory (@source, from @start)
 * @HM_PIECE_PATTERN: a pattern repeated over the piece; @start is the phase
 * @HM_PIECE_SPILL: inserted bytes in an unlinked temporary file (@source)
 */
typedef enum
{
  HM_PIECE_FILE,
  HM_PIECE_MEMORY,
  HM_PIECE_PATTERN,
  HM_PIECE_SPILL,
} HmPieceKind;

typedef struct _HmPieceSource HmPieceSource;
typedef struct _HmPieceTable  HmPieceTable;

/* A piece holds a reference to its source (none for FILE pieces). */
typedef struct
{
  HmPieceKind    kind;
  guint64        start;
  guint64        length;
  HmPieceSource *source;
} HmPiece;

/* A piece of a range, and where it begins in the content. */
typedef struct
{
  guint64 offset;
  HmPiece piece;
} HmPieceSpan;

HmPieceSource *hm_piece_source_ref          (HmPieceSource     *source);
void           hm_piece_source_unref        (HmPieceSource     *source);

void           hm_piece_clear               (HmPiece           *piece);
HmPiece        hm_piece_slice               (const HmPiece     *piece,
                                             guint64            start,
                                             guint64            length);
gboolean       hm_piece_copy                (const HmPiece     *piece,
                                             guint64            start,
                                             guint8            *buffer,
                                             gsize              length,
                                             GError           **error);
gboolean       hm_piece_is_zeros            (const HmPiece     *piece);
GArray        *hm_piece_array_new           (void);

HmPieceTable  *hm_piece_table_new           (guint64            file_size);
void           hm_piece_table_free          (HmPieceTable      *self);
guint64        hm_piece_table_get_size      (HmPieceTable      *self);
guint          hm_piece_table_get_n_pieces  (HmPieceTable      *self);
gboolean       hm_piece_table_is_identity   (HmPieceTable      *self,
                                             guint64            file_size);
gboolean       hm_piece_table_make_bytes    (HmPieceTable      *self,
                                             const guint8      *data,
                                             gsize              length,
                                             HmPiece           *piece,
                                             GError           **error);
HmPiece        hm_piece_table_make_pattern  (const guint8      *pattern,
                                             gsize              pattern_length,
                                             guint64            length);
void           hm_piece_table_replace       (HmPieceTable      *self,
                                             guint64            offset,
                                             guint64            remove_length,
                                             const HmPiece     *add,
                                             guint              n_add,
                                             GArray            *removed);
GArray        *hm_piece_table_get_range     (HmPieceTable      *self,
                                             guint64            offset,
                                             guint64            length);
gsize          hm_piece_table_get_bytes_used (HmPieceTable     *self);

/* For tests */
void           _hm_piece_table_set_spill_threshold (HmPieceTable *self,
                                                    gsize         threshold);
void           _hm_piece_table_validate     (HmPieceTable      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmPieceTable, hm_piece_table_free)

G_END_DECLS

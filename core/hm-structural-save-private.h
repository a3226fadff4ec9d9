/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-structural-save.h"

G_BEGIN_DECLS

/* The largest chunk a shift moves at once, and so the size of a journal slot. */
#define HM_SHIFT_CHUNK_MAX (32 * 1024 * 1024)

/* One step of a structural save, as the journal keeps it (native byte order). */
typedef enum
{
  HM_SHIFT_STEP_COPY = 1,      /* copy [src, src + length) to dst */
  HM_SHIFT_STEP_PUNCH = 2,     /* [dst, dst + length) becomes a hole */
  HM_SHIFT_STEP_INSERT = 3,    /* FALLOC_FL_INSERT_RANGE at dst, length */
  HM_SHIFT_STEP_COLLAPSE = 4,  /* FALLOC_FL_COLLAPSE_RANGE at dst, length */
} HmShiftStepKind;

/* A copy whose source and destination overlap: its source goes to the journal
 * first, since the copy destroys it. */
#define HM_SHIFT_STEP_OVERLAP 1u

typedef struct
{
  guint32 kind;
  guint32 flags;
  guint64 src;
  guint64 dst;
  guint64 length;
  guint64 size_before;  /* INSERT/COLLAPSE: the file's size before the step */
} HmShiftStep;

/* Tests: plan copies in chunks of at most @chunk bytes (0: the default), so
 * that a small file makes many steps. */
void _hm_structural_save_set_chunk_for_tests (guint64 chunk);

/* Tests: whether plans may use the filesystem's insert and collapse, so that
 * the copying paths are tested on ext4 and XFS too. */
void _hm_structural_save_set_range_changes_for_tests (gboolean allowed);

/* Tests that only kill processes (the page cache survives) may skip the
 * fsync after every step, which is there for power cuts. */
void _hm_structural_save_set_step_sync_for_tests (gboolean sync);

/* Where the journal of a structural save ends its plan: after the plan (steps
 * and new bytes), a NO_RETURN record with offset = number of steps and
 * length = the new size; then two slots of HM_SHIFT_CHUNK_MAX + a record. */

G_END_DECLS

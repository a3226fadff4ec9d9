/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-hex-text.h"

G_BEGIN_DECLS

/*
 * Reading UTF-8 input one character at a time, counting columns in characters,
 * for the parsers that point at a column (hex text here, text patterns in
 * hm-pattern.c). A byte that is not valid UTF-8 counts as one column, so an
 * error in garbage input still points somewhere sensible.
 */
typedef struct
{
  const char *p;
  const char *end;
  guint       column;   /* column of the character at p, 1-based */
} HmTextCursor;

void     _hm_text_cursor_init (HmTextCursor *cursor,
                               const char   *text,
                               gsize         length);
gunichar _hm_text_cursor_next (HmTextCursor *cursor,
                               guchar       *raw_byte,
                               gboolean     *valid);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Offsets as people type them, one grammar for Go to, `hexmap --offset` and
 * every offset and length option of hexmap-cli:
 *
 *   4096, 0x1000          decimal, or hexadecimal after 0x
 *   4K 4KiB 1M 1T 2E      units in powers of 1024 (K M G T P E, iB optional)
 *   4KB 1MB               units in powers of 1000
 *   8b                    512-byte blocks, as `hexdump -s` takes them
 *   +N, -N                N bytes after or before the cursor
 *   N%, 12.5%             a share of the file size (up to six decimals)
 *   end, end-N            the last byte; N bytes before the end of the file
 *
 * Blanks may stand around numbers and signs. Errors point at the column (from 1)
 * of the first character that does not fit.
 */

/**
 * HM_OFFSET_ERROR:
 *
 * Error domain for offsets.
 */
#define HM_OFFSET_ERROR (hm_offset_error_quark ())

/**
 * HmOffsetError:
 * @HM_OFFSET_ERROR_INVALID: not an offset expression, or a form not accepted there
 * @HM_OFFSET_ERROR_OVERFLOW: a number beyond 64 bits
 * @HM_OFFSET_ERROR_OUT_OF_RANGE: a percentage above 100, or a target outside the file
 */
typedef enum
{
  HM_OFFSET_ERROR_INVALID,
  HM_OFFSET_ERROR_OVERFLOW,
  HM_OFFSET_ERROR_OUT_OF_RANGE,
} HmOffsetError;

/**
 * HmOffsetKind:
 * @HM_OFFSET_KIND_ABSOLUTE: `N`: an offset from the start of the file
 * @HM_OFFSET_KIND_FORWARD: `+N`: N bytes after the cursor
 * @HM_OFFSET_KIND_BACKWARD: `-N`: N bytes before the cursor
 * @HM_OFFSET_KIND_PERCENT: `N%`: a share of the file; the value counts millionths of a percent
 * @HM_OFFSET_KIND_FROM_END: `end-N`: N bytes before the end of the file
 */
typedef enum
{
  HM_OFFSET_KIND_ABSOLUTE,
  HM_OFFSET_KIND_FORWARD,
  HM_OFFSET_KIND_BACKWARD,
  HM_OFFSET_KIND_PERCENT,
  HM_OFFSET_KIND_FROM_END,
} HmOffsetKind;

/**
 * HmOffsetForms:
 * @HM_OFFSET_FORMS_NUMBER: only numbers (`4096`, `0x1000`, `4K`), always accepted
 * @HM_OFFSET_FORMS_RELATIVE: `+N` and `-N`, which need a cursor
 * @HM_OFFSET_FORMS_PERCENT: `N%`
 * @HM_OFFSET_FORMS_FROM_END: `end` and `end-N`
 * @HM_OFFSET_FORMS_ALL: everything Go to takes
 *
 * Which expressions hm_offset_target_parse_forms() accepts, for places where
 * some have no meaning: the command line has no cursor, a length has no end.
 */
typedef enum
{
  HM_OFFSET_FORMS_NUMBER = 0,
  HM_OFFSET_FORMS_RELATIVE = 1 << 0,
  HM_OFFSET_FORMS_PERCENT = 1 << 1,
  HM_OFFSET_FORMS_FROM_END = 1 << 2,
  HM_OFFSET_FORMS_ALL = 0x7,
} HmOffsetForms;

/**
 * HmOffsetTarget:
 * @kind: the form of the expression
 * @value: its number: bytes, or millionths of a percent for %HM_OFFSET_KIND_PERCENT
 *
 * A parsed offset expression, resolved against a file (and a cursor) with
 * hm_offset_target_resolve() or hm_offset_target_resolve_length().
 */
typedef struct
{
  HmOffsetKind kind;
  guint64      value;
} HmOffsetTarget;

GQuark   hm_offset_error_quark           (void);
gboolean hm_offset_parse                 (const char           *text,
                                          guint64              *value,
                                          GError              **error);
gboolean hm_offset_target_parse          (const char           *text,
                                          HmOffsetTarget       *target,
                                          GError              **error);
gboolean hm_offset_target_parse_forms    (const char           *text,
                                          HmOffsetForms         forms,
                                          HmOffsetTarget       *target,
                                          GError              **error);
gboolean hm_offset_target_resolve        (const HmOffsetTarget *target,
                                          guint64               cursor,
                                          guint64               size,
                                          guint64              *offset,
                                          GError              **error);
guint64  hm_offset_target_resolve_length (const HmOffsetTarget *target,
                                          guint64               size);

G_END_DECLS

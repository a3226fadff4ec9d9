/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * HM_PATTERN_ERROR:
 *
 * Error domain for pattern parsing. Every error names the column (1-based, in
 * characters) where the parser gave up, so the UI can point at it.
 */
#define HM_PATTERN_ERROR (hm_pattern_error_quark ())

/**
 * HmPatternError:
 * @HM_PATTERN_ERROR_EMPTY: the pattern has no bytes
 * @HM_PATTERN_ERROR_UNEXPECTED_CHARACTER: a character that has no place in a hex pattern
 * @HM_PATTERN_ERROR_INCOMPLETE_BYTE: an odd number of hex digits: a byte lacks its second digit
 * @HM_PATTERN_ERROR_INVALID_TEXT: text that is not valid UTF-8
 * @HM_PATTERN_ERROR_TOO_LONG: more than %HM_PATTERN_MAX_LENGTH bytes
 */
typedef enum
{
  HM_PATTERN_ERROR_EMPTY,
  HM_PATTERN_ERROR_UNEXPECTED_CHARACTER,
  HM_PATTERN_ERROR_INCOMPLETE_BYTE,
  HM_PATTERN_ERROR_INVALID_TEXT,
  HM_PATTERN_ERROR_TOO_LONG,
} HmPatternError;

/**
 * HmTextEncoding:
 * @HM_TEXT_ENCODING_UTF8: the text's own UTF-8 bytes (ASCII is a subset)
 * @HM_TEXT_ENCODING_UTF16LE: UTF-16, little-endian code units, no BOM
 * @HM_TEXT_ENCODING_UTF16BE: UTF-16, big-endian code units, no BOM
 */
typedef enum
{
  HM_TEXT_ENCODING_UTF8,
  HM_TEXT_ENCODING_UTF16LE,
  HM_TEXT_ENCODING_UTF16BE,
} HmTextEncoding;

/**
 * HmPatternFlags:
 * @HM_PATTERN_FLAGS_NONE: match bytes exactly
 * @HM_PATTERN_IGNORE_CASE: ASCII letters match either case (other characters exactly)
 */
typedef enum
{
  HM_PATTERN_FLAGS_NONE = 0,
  HM_PATTERN_IGNORE_CASE = 1 << 0,
} HmPatternFlags;

/**
 * HM_PATTERN_MAX_LENGTH:
 *
 * The longest pattern, in bytes. Search keeps pattern-sized buffers around; this
 * keeps them small.
 */
#define HM_PATTERN_MAX_LENGTH 65536

typedef struct _HmPattern HmPattern;

#define HM_TYPE_PATTERN (hm_pattern_get_type ())

GType         hm_pattern_get_type        (void) G_GNUC_CONST;
GQuark        hm_pattern_error_quark     (void);

HmPattern    *hm_pattern_new             (const guint8    *bytes,
                                          const guint8    *mask,
                                          gsize            length);
HmPattern    *hm_pattern_new_hex         (const char      *text,
                                          gssize           length,
                                          guint           *error_column,
                                          GError         **error);
HmPattern    *hm_pattern_new_text        (const char      *text,
                                          gssize           length,
                                          HmTextEncoding   encoding,
                                          HmPatternFlags   flags,
                                          guint           *error_column,
                                          GError         **error);
HmPattern    *hm_pattern_ref             (HmPattern       *self);
void          hm_pattern_unref           (HmPattern       *self);

gsize         hm_pattern_get_length      (const HmPattern *self);
const guint8 *hm_pattern_get_bytes       (const HmPattern *self);
const guint8 *hm_pattern_get_mask        (const HmPattern *self);
gboolean      hm_pattern_has_wildcards   (const HmPattern *self);
gboolean      hm_pattern_matches_zeros   (const HmPattern *self);
gboolean      hm_pattern_matches_at      (const HmPattern *self,
                                          const guint8    *data);
char         *hm_pattern_to_string       (const HmPattern *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HmPattern, hm_pattern_unref)

G_END_DECLS

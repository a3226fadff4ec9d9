/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * HM_INSPECT_ERROR:
 *
 * Error domain for values typed into the inspector.
 */
#define HM_INSPECT_ERROR (hm_inspect_error_quark ())

/**
 * HmInspectError:
 * @HM_INSPECT_ERROR_INVALID: the text is not a value of the field's kind
 * @HM_INSPECT_ERROR_OUT_OF_RANGE: a value, but one the field's bytes cannot hold
 */
typedef enum
{
  HM_INSPECT_ERROR_INVALID,
  HM_INSPECT_ERROR_OUT_OF_RANGE,
} HmInspectError;

/**
 * HmInspectField:
 * @HM_INSPECT_INT8: signed byte
 * @HM_INSPECT_UINT8: unsigned byte
 * @HM_INSPECT_INT16: signed 16-bit integer
 * @HM_INSPECT_UINT16: unsigned 16-bit integer
 * @HM_INSPECT_INT32: signed 32-bit integer
 * @HM_INSPECT_UINT32: unsigned 32-bit integer
 * @HM_INSPECT_INT64: signed 64-bit integer
 * @HM_INSPECT_UINT64: unsigned 64-bit integer
 * @HM_INSPECT_FLOAT: IEEE 754 single precision
 * @HM_INSPECT_DOUBLE: IEEE 754 double precision
 * @HM_INSPECT_BINARY: one byte as eight binary digits
 * @HM_INSPECT_OCTAL: one byte in octal
 * @HM_INSPECT_UTF8: the UTF-8 character starting at the byte (read only)
 * @HM_INSPECT_TIME32: seconds since 1970 (UTC), signed 32-bit
 * @HM_INSPECT_TIME64: seconds since 1970 (UTC), signed 64-bit
 * @HM_INSPECT_N_FIELDS: the number of fields
 *
 * The ways the inspector reads the bytes at the cursor, in the order it shows
 * them. Fields wider than a byte (except UTF-8) depend on the byte order.
 */
typedef enum
{
  HM_INSPECT_INT8,
  HM_INSPECT_UINT8,
  HM_INSPECT_INT16,
  HM_INSPECT_UINT16,
  HM_INSPECT_INT32,
  HM_INSPECT_UINT32,
  HM_INSPECT_INT64,
  HM_INSPECT_UINT64,
  HM_INSPECT_FLOAT,
  HM_INSPECT_DOUBLE,
  HM_INSPECT_BINARY,
  HM_INSPECT_OCTAL,
  HM_INSPECT_UTF8,
  HM_INSPECT_TIME32,
  HM_INSPECT_TIME64,
  HM_INSPECT_N_FIELDS
} HmInspectField;

/**
 * HM_INSPECT_MAX_BYTES:
 *
 * The most bytes a field reads: what to read at the cursor for all of them.
 */
#define HM_INSPECT_MAX_BYTES 8

GQuark      hm_inspect_error_quark        (void);

const char *hm_inspect_field_get_name     (HmInspectField  field);
guint       hm_inspect_field_get_size     (HmInspectField  field);
gboolean    hm_inspect_field_is_editable  (HmInspectField  field);

char       *hm_inspect_format             (HmInspectField  field,
                                           const guint8   *bytes,
                                           gsize           n_bytes,
                                           gboolean        big_endian);
char       *hm_inspect_format_hex         (HmInspectField  field,
                                           const guint8   *bytes,
                                           gsize           n_bytes,
                                           gboolean        big_endian);
gboolean    hm_inspect_parse              (HmInspectField  field,
                                           const char     *text,
                                           gboolean        big_endian,
                                           guint8         *out,
                                           GError        **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The inspector's values: the bytes at the cursor read as numbers, bits, a
 * character and a time, and typed values turned back into bytes. Kept apart
 * from the widget so that every field's text can be tested without a display.
 *
 * Numbers are written in the C locale (a dot before the decimals), and floats
 * with the fewest digits that read back as the same value: 0.1 stays "0.1",
 * not "0.100000001".
 */
#include "config.h"

#include "hm-inspect.h"

#include <errno.h>
#include <float.h>
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (hm-inspect-error-quark, hm_inspect_error)

typedef struct
{
  const char *name;
  guint       size;       /* bytes it needs */
  gboolean    editable;
  gboolean    is_signed;
} FieldInfo;

static const FieldInfo field_info[HM_INSPECT_N_FIELDS] = {
  [HM_INSPECT_INT8] = { N_("Int8"), 1, TRUE, TRUE },
  [HM_INSPECT_UINT8] = { N_("UInt8"), 1, TRUE, FALSE },
  [HM_INSPECT_INT16] = { N_("Int16"), 2, TRUE, TRUE },
  [HM_INSPECT_UINT16] = { N_("UInt16"), 2, TRUE, FALSE },
  [HM_INSPECT_INT32] = { N_("Int32"), 4, TRUE, TRUE },
  [HM_INSPECT_UINT32] = { N_("UInt32"), 4, TRUE, FALSE },
  [HM_INSPECT_INT64] = { N_("Int64"), 8, TRUE, TRUE },
  [HM_INSPECT_UINT64] = { N_("UInt64"), 8, TRUE, FALSE },
  [HM_INSPECT_FLOAT] = { N_("Float"), 4, TRUE, TRUE },
  [HM_INSPECT_DOUBLE] = { N_("Double"), 8, TRUE, TRUE },
  [HM_INSPECT_BINARY] = { N_("Binary"), 1, TRUE, FALSE },
  [HM_INSPECT_OCTAL] = { N_("Octal"), 1, TRUE, FALSE },
  [HM_INSPECT_UTF8] = { N_("UTF-8"), 1, FALSE, FALSE },
  [HM_INSPECT_TIME32] = { N_("Unix time 32"), 4, TRUE, TRUE },
  [HM_INSPECT_TIME64] = { N_("Unix time 64"), 8, TRUE, TRUE },
};

/**
 * hm_inspect_field_get_name:
 * @field: a field
 *
 * Returns: (transfer none): the field's name, translated: "Int8", "Float"…
 */
const char *
hm_inspect_field_get_name (HmInspectField field)
{
  g_return_val_if_fail (field < HM_INSPECT_N_FIELDS, NULL);

  return _(field_info[field].name);
}

/**
 * hm_inspect_field_get_size:
 * @field: a field
 *
 * Returns: how many bytes the field reads (and writes)
 */
guint
hm_inspect_field_get_size (HmInspectField field)
{
  g_return_val_if_fail (field < HM_INSPECT_N_FIELDS, 0);

  return field_info[field].size;
}

/**
 * hm_inspect_field_is_editable:
 * @field: a field
 *
 * Returns: whether hm_inspect_parse() takes the field (all but UTF-8)
 */
gboolean
hm_inspect_field_is_editable (HmInspectField field)
{
  g_return_val_if_fail (field < HM_INSPECT_N_FIELDS, FALSE);

  return field_info[field].editable;
}

/* ---- Bytes and values ---- */

static guint64
load_uint (const guint8 *bytes,
           guint         size,
           gboolean      big_endian)
{
  guint64 v = 0;

  for (guint i = 0; i < size; i++)
    v |= (guint64) bytes[big_endian ? i : size - 1 - i] << (8 * (size - 1 - i));
  return v;
}

static void
store_uint (guint8   *bytes,
            guint     size,
            guint64   v,
            gboolean  big_endian)
{
  for (guint i = 0; i < size; i++)
    bytes[big_endian ? size - 1 - i : i] = (guint8) (v >> (8 * i));
}

static gint64
sign_extend (guint64 v,
             guint   size)
{
  if (size < 8 && (v >> (8 * size - 1)) & 1)
    v |= ~((G_GUINT64_CONSTANT (1) << (8 * size)) - 1);
  return (gint64) v;
}

/* ---- Formatting ---- */

/* The shortest text that reads back as the same value. */
static char *
format_double (double   v,
               int      min_digits,
               int      max_digits,
               gboolean single)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = min_digits; digits <= max_digits; digits++)
    {
      char format[8];
      double back;

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, v);
      back = g_ascii_strtod (buf, NULL);
      if ((single && (float) back == (float) v) || (!single && back == v) || isnan (v))
        break;
    }
  return g_strdup (buf);
}

static char *
format_time (gint64 seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (seconds);

  g_autofree char *rest = NULL;

  if (dt == NULL)
    return g_strdup (_("Out of range"));
  /* Four-digit years, as ISO 8601 wants them (%Y writes the year 731 as "731"):
   * what is shown must parse back. */
  rest = g_date_time_format (dt, "%m-%dT%H:%M:%SZ");
  return g_strdup_printf ("%04d-%s", g_date_time_get_year (dt), rest);
}

static char *
format_utf8 (const guint8 *bytes,
             gsize         n_bytes)
{
  gunichar c = g_utf8_get_char_validated ((const char *) bytes, (gssize) MIN (n_bytes, 4));
  char utf8[7] = { 0 };

  /* NUL is valid UTF-8 (U+0000), but the validator reports a sequence holding a
   * NUL byte as incomplete (-2). */
  if (n_bytes > 0 && bytes[0] == 0)
    return g_strdup ("U+0000");
  if (c == (gunichar) -1 || c == (gunichar) -2)
    return g_strdup (_("Not valid UTF-8"));
  if (!g_unichar_isprint (c))
    return g_strdup_printf ("U+%04X", c);
  g_unichar_to_utf8 (c, utf8);
  return g_strdup_printf ("%s  U+%04X", utf8, c);
}

/**
 * hm_inspect_format:
 * @field: a field
 * @bytes: (array length=n_bytes): the bytes at the cursor
 * @n_bytes: how many there are (fewer near the end of the file)
 * @big_endian: %TRUE to read multi-byte fields most significant byte first
 *
 * Reads @bytes as @field: "-2", "1.5", "1111 1111", "377", "é  U+00E9",
 * "2023-11-14T22:13:20Z". A UTF-8 character may be shorter than @n_bytes, or
 * longer than the bytes that remain; "Not valid UTF-8" then.
 *
 * Returns: (transfer full) (nullable): the value as text, or %NULL when @n_bytes
 *   is less than hm_inspect_field_get_size()
 */
char *
hm_inspect_format (HmInspectField  field,
                   const guint8   *bytes,
                   gsize           n_bytes,
                   gboolean        big_endian)
{
  guint size;
  guint64 v;

  g_return_val_if_fail (field < HM_INSPECT_N_FIELDS, NULL);
  g_return_val_if_fail (bytes != NULL || n_bytes == 0, NULL);

  size = field_info[field].size;
  if (n_bytes < size)
    return NULL;

  v = load_uint (bytes, size, big_endian);
  switch (field)
    {
    case HM_INSPECT_INT8:
    case HM_INSPECT_INT16:
    case HM_INSPECT_INT32:
    case HM_INSPECT_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, sign_extend (v, size));
    case HM_INSPECT_UINT8:
    case HM_INSPECT_UINT16:
    case HM_INSPECT_UINT32:
    case HM_INSPECT_UINT64:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
    case HM_INSPECT_FLOAT:
      {
        guint32 bits = (guint32) v;
        float f;

        memcpy (&f, &bits, sizeof f);
        return format_double (f, 6, 9, TRUE);
      }
    case HM_INSPECT_DOUBLE:
      {
        double d;

        memcpy (&d, &v, sizeof d);
        return format_double (d, 15, 17, FALSE);
      }
    case HM_INSPECT_BINARY:
      {
        char text[10];

        for (guint i = 0; i < 8; i++)
          text[i + (i >= 4)] = (v >> (7 - i)) & 1 ? '1' : '0';
        text[4] = ' ';
        text[9] = '\0';
        return g_strdup (text);
      }
    case HM_INSPECT_OCTAL:
      return g_strdup_printf ("%03" G_GINT64_MODIFIER "o", v);
    case HM_INSPECT_UTF8:
      return format_utf8 (bytes, n_bytes);
    case HM_INSPECT_TIME32:
    case HM_INSPECT_TIME64:
      return format_time (sign_extend (v, size));
    case HM_INSPECT_N_FIELDS:
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * hm_inspect_format_hex:
 * @field: an integer field (%HM_INSPECT_INT8 to %HM_INSPECT_UINT64)
 * @bytes: (array length=n_bytes): the bytes at the cursor
 * @n_bytes: how many there are
 * @big_endian: the byte order
 *
 * Formats an integer field in hexadecimal, zero-padded to the field's width:
 * `0x00ff` for an unsigned 16-bit 255, `-0x01` for a signed byte -1. The text
 * parses back (hm_inspect_parse()) to the same bytes.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL when @field is not
 *   an integer or @n_bytes is too short for it
 */
char *
hm_inspect_format_hex (HmInspectField  field,
                       const guint8   *bytes,
                       gsize           n_bytes,
                       gboolean        big_endian)
{
  guint size;
  guint64 v;

  g_return_val_if_fail (field < HM_INSPECT_N_FIELDS, NULL);
  g_return_val_if_fail (bytes != NULL || n_bytes == 0, NULL);

  if (field > HM_INSPECT_UINT64)
    return NULL;
  size = field_info[field].size;
  if (n_bytes < size)
    return NULL;
  v = load_uint (bytes, size, big_endian);
  switch (field)
    {
    case HM_INSPECT_INT8:
    case HM_INSPECT_INT16:
    case HM_INSPECT_INT32:
    case HM_INSPECT_INT64:
      {
        gint64 sv = sign_extend (v, size);

        if (sv < 0)
          return g_strdup_printf ("-0x%0*" G_GINT64_MODIFIER "x", (int) (2 * size), (guint64) 0 - (guint64) sv);
        return g_strdup_printf ("0x%0*" G_GINT64_MODIFIER "x", (int) (2 * size), (guint64) sv);
      }
    case HM_INSPECT_UINT8:
    case HM_INSPECT_UINT16:
    case HM_INSPECT_UINT32:
    case HM_INSPECT_UINT64:
      return g_strdup_printf ("0x%0*" G_GINT64_MODIFIER "x", (int) (2 * size), v);
    case HM_INSPECT_FLOAT:
    case HM_INSPECT_DOUBLE:
    case HM_INSPECT_BINARY:
    case HM_INSPECT_OCTAL:
    case HM_INSPECT_UTF8:
    case HM_INSPECT_TIME32:
    case HM_INSPECT_TIME64:
    case HM_INSPECT_N_FIELDS:
    default:
      return NULL;
    }
}

/* ---- Parsing ---- */

/* Digit group separators people type: "1 000 000", "0xdead_beef". */
static char *
normalize_input (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (*p != ' ' && *p != '_' && *p != '\t')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

static gboolean
parse_integer (const char  *text,
               guint        size,
               gboolean     is_signed,
               guint64     *bits,
               GError     **error)
{
  g_autofree char *clean = normalize_input (text);
  g_autoptr(GError) number_error = NULL;
  const char *p = clean;
  gboolean negative = FALSE;
  guint base = 10;
  guint64 magnitude = 0;
  guint64 max_positive, max_negative;
  gboolean in_range;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    {
      base = 16;
      p += 2;
    }
  if (is_signed)
    {
      max_positive = (G_GUINT64_CONSTANT (1) << (8 * size - 1)) - 1;
      max_negative = max_positive + 1;
    }
  else
    {
      max_positive = size == 8 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << (8 * size)) - 1;
      max_negative = 0;
    }

  if (*p == '\0' || !g_ascii_string_to_unsigned (p, base, 0, G_MAXUINT64, &magnitude, &number_error))
    {
      /* Digits, but more than 64 bits of them: a range error like any other. */
      if (!g_error_matches (number_error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
        {
          g_set_error_literal (error, HM_INSPECT_ERROR, HM_INSPECT_ERROR_INVALID,
                               _("Not a whole number: use digits, or 0x and hex digits"));
          return FALSE;
        }
      in_range = FALSE;
    }
  else
    in_range = negative ? magnitude <= max_negative : magnitude <= max_positive;

  if (!in_range)
    {
      if (is_signed)
        g_set_error (error, HM_INSPECT_ERROR, HM_INSPECT_ERROR_OUT_OF_RANGE,
                     _("Out of range: from -%" PRIu64 " to %" PRIu64),
                     max_negative, max_positive);
      else
        g_set_error (error, HM_INSPECT_ERROR, HM_INSPECT_ERROR_OUT_OF_RANGE,
                     _("Out of range: from 0 to %" PRIu64), max_positive);
      return FALSE;
    }

  *bits = negative ? (guint64) 0 - magnitude : magnitude;
  return TRUE;
}

static gboolean
parse_float (const char  *text,
             gboolean     single,
             double      *value,
             GError     **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (text));
  char *end = NULL;
  double d;

  errno = 0;
  d = g_ascii_strtod (clean, &end);
  if (*clean == '\0' || end == NULL || *end != '\0')
    {
      g_set_error_literal (error, HM_INSPECT_ERROR, HM_INSPECT_ERROR_INVALID,
                           _("Not a number: write it like 3.14, -2e-5, inf or nan"));
      return FALSE;
    }
  if ((errno == ERANGE && isinf (d)) || (single && isfinite (d) && fabs (d) > FLT_MAX))
    {
      g_set_error (error, HM_INSPECT_ERROR, HM_INSPECT_ERROR_OUT_OF_RANGE,
                   _("Out of range: the largest %s is about %g"),
                   single ? _("float") : _("double"), single ? (double) FLT_MAX : DBL_MAX);
      return FALSE;
    }
  *value = d;
  return TRUE;
}

static gboolean
parse_digits (const char  *text,
              guint        base,
              guint64     *value,
              GError     **error)
{
  g_autofree char *clean = normalize_input (text);
  const char *p = clean;

  if (base == 2 && p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
    p += 2;
  if (base == 8 && p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
    p += 2;
  if (*p == '\0' || !g_ascii_string_to_unsigned (p, base, 0, G_MAXUINT64, value, NULL))
    {
      g_set_error_literal (error, HM_INSPECT_ERROR, HM_INSPECT_ERROR_INVALID,
                           base == 2 ? _("Not binary: use the digits 0 and 1")
                                     : _("Not octal: use the digits 0 to 7"));
      return FALSE;
    }
  if (*value > 0xff)
    {
      g_set_error_literal (error, HM_INSPECT_ERROR, HM_INSPECT_ERROR_OUT_OF_RANGE,
                           base == 2 ? _("Out of range: at most eight binary digits (11111111)")
                                     : _("Out of range: from 0 to 377 (one byte)"));
      return FALSE;
    }
  return TRUE;
}

static void
time32_range_error (GError **error)
{
  g_set_error_literal (error, HM_INSPECT_ERROR, HM_INSPECT_ERROR_OUT_OF_RANGE,
                       _("Out of range: 32-bit Unix time runs from 1901-12-13 to 2038-01-19"));
}

static gboolean
parse_time (const char  *text,
            guint        size,
            guint64     *bits,
            GError     **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (text));
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (clean, utc);
  gint64 seconds;

  if (dt == NULL)
    {
      g_autoptr(GError) integer_error = NULL;

      /* Plain seconds since 1970 work too. */
      if (parse_integer (clean, size, TRUE, bits, &integer_error))
        return TRUE;
      if (g_error_matches (integer_error, HM_INSPECT_ERROR, HM_INSPECT_ERROR_OUT_OF_RANGE))
        {
          if (size == 4)
            time32_range_error (error);
          else
            g_propagate_error (error, g_steal_pointer (&integer_error));
          return FALSE;
        }
      g_set_error_literal (error, HM_INSPECT_ERROR, HM_INSPECT_ERROR_INVALID,
                           _("Not a time: write it like 2024-01-31T12:00:00Z, or in seconds since 1970"));
      return FALSE;
    }

  seconds = g_date_time_to_unix (dt);
  if (size == 4 && (seconds < G_MININT32 || seconds > G_MAXINT32))
    {
      time32_range_error (error);
      return FALSE;
    }
  *bits = (guint64) seconds;
  return TRUE;
}

/**
 * hm_inspect_parse:
 * @field: an editable field (see hm_inspect_field_is_editable())
 * @text: what the user typed
 * @big_endian: %TRUE to write multi-byte fields most significant byte first
 * @out: (out caller-allocates) (array fixed-size=8): where to store the bytes:
 *   hm_inspect_field_get_size() of them, at most %HM_INSPECT_MAX_BYTES
 * @error: a %HM_INSPECT_ERROR saying what the field takes, or its range
 *
 * Turns typed text into the bytes of @field. Integers take decimal or `0x` hex
 * with an optional sign, and spaces or `_` between digits; floats take what
 * g_ascii_strtod() takes (`inf`, `nan`, `1e-5`); binary and octal one byte's
 * worth of digits, with an optional `0b` or `0o`; times an ISO 8601 date and
 * time (UTC unless it says otherwise) or seconds since 1970.
 *
 * Returns: %TRUE if @text is a value of @field; @out is untouched otherwise
 */
gboolean
hm_inspect_parse (HmInspectField   field,
                  const char      *text,
                  gboolean         big_endian,
                  guint8          *out,
                  GError         **error)
{
  const FieldInfo *info;
  guint64 bits = 0;

  g_return_val_if_fail (field < HM_INSPECT_N_FIELDS, FALSE);
  g_return_val_if_fail (field_info[field].editable, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  info = &field_info[field];
  switch (field)
    {
    case HM_INSPECT_INT8:
    case HM_INSPECT_INT16:
    case HM_INSPECT_INT32:
    case HM_INSPECT_INT64:
    case HM_INSPECT_UINT8:
    case HM_INSPECT_UINT16:
    case HM_INSPECT_UINT32:
    case HM_INSPECT_UINT64:
      if (!parse_integer (text, info->size, info->is_signed, &bits, error))
        return FALSE;
      break;
    case HM_INSPECT_FLOAT:
      {
        double d;
        float f;
        guint32 b32;

        if (!parse_float (text, TRUE, &d, error))
          return FALSE;
        f = (float) d;
        memcpy (&b32, &f, sizeof b32);
        bits = b32;
      }
      break;
    case HM_INSPECT_DOUBLE:
      {
        double d;

        if (!parse_float (text, FALSE, &d, error))
          return FALSE;
        memcpy (&bits, &d, sizeof bits);
      }
      break;
    case HM_INSPECT_BINARY:
      if (!parse_digits (text, 2, &bits, error))
        return FALSE;
      break;
    case HM_INSPECT_OCTAL:
      if (!parse_digits (text, 8, &bits, error))
        return FALSE;
      break;
    case HM_INSPECT_TIME32:
    case HM_INSPECT_TIME64:
      if (!parse_time (text, info->size, &bits, error))
        return FALSE;
      break;
    case HM_INSPECT_UTF8:
    case HM_INSPECT_N_FIELDS:
    default:
      g_return_val_if_reached (FALSE);
    }

  store_uint (out, info->size, bits, big_endian);
  return TRUE;
}

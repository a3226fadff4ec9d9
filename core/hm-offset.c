/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Offsets as people type them: "4096", "0x1000", "4K", "4KiB", "4KB" (1000s),
 * "1T", "512b" (512-byte blocks, as hexdump -s takes them); and offset
 * expressions on top: "+16", "-0x10", "50%", "end-512". The grammar is in
 * hm-offset.h.
 */
#include "config.h"

#include "hm-offset.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

G_DEFINE_QUARK (hm-offset-error-quark, hm_offset_error)

static gboolean
suffix_multiplier (const char *suffix,
                   guint64    *multiplier)
{
  static const char units[] = "KMGTPE";
  const char *unit;
  guint exponent;
  guint64 base = 1024;

  if (*suffix == '\0')
    {
      *multiplier = 1;
      return TRUE;
    }

  if (strcmp (suffix, "b") == 0)
    {
      *multiplier = 512;
      return TRUE;
    }

  unit = strchr (units, g_ascii_toupper (*suffix));
  if (unit == NULL)
    return FALSE;
  exponent = (guint) (unit - units) + 1;
  suffix++;

  if (g_ascii_strcasecmp (suffix, "iB") == 0 || *suffix == '\0')
    base = 1024;
  else if (g_ascii_strcasecmp (suffix, "B") == 0)
    base = 1000;
  else
    return FALSE;

  *multiplier = 1;
  for (guint i = 0; i < exponent; i++)
    *multiplier *= base;
  return TRUE;
}

static void
too_large_error (GError     **error,
                 const char  *text,
                 const char  *number)
{
  g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OVERFLOW,
               _("“%s” is too large: the number at column %d does not fit in 64 bits"),
               text, (int) (number - text) + 1);
}

/* Parses the number that starts at @start inside @text; errors quote all of @text
 * and count columns from its start, so a caller parsing a longer expression
 * still points at the right character. */
static gboolean
parse_number (const char *text,
              const char *start,
              guint64    *value,
              GError    **error)
{
  const char *p = start;
  const char *number_start;
  const char *digits;
  guint64 number = 0;
  guint64 multiplier;
  guint radix = 10;

  while (g_ascii_isspace (*p))
    p++;
  number_start = p;

  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    {
      radix = 16;
      p += 2;
    }

  digits = p;
  for (; *p != '\0'; p++)
    {
      int digit = radix == 16 ? g_ascii_xdigit_value (*p) : g_ascii_digit_value (*p);

      if (digit < 0)
        break;
      if (number > (G_MAXUINT64 - (guint64) digit) / radix)
        {
          too_large_error (error, text, number_start);
          return FALSE;
        }
      number = number * radix + (guint64) digit;
    }

  if (p == digits)
    {
      if (*p == '\0')
        g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                     _("“%s” is not an offset: a number is expected at column %d"),
                     text, (int) (p - text) + 1);
      else
        g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                     _("“%s” is not an offset: unexpected “%c” at column %d"),
                     text, *p, (int) (p - text) + 1);
      return FALSE;
    }

  {
    g_autofree char *suffix = g_strdup (p);

    g_strchomp (suffix);
    if (radix == 16 && *suffix != '\0')
      {
        g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                     _("“%s” is not an offset: unexpected “%c” at column %d"),
                     text, *p, (int) (p - text) + 1);
        return FALSE;
      }
    if (!suffix_multiplier (suffix, &multiplier))
      {
        g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                     _("“%s” is not an offset: unknown unit “%s” at column %d "
                       "(use K, M, G, T, P, E, KB, MB…)"),
                     text, suffix, (int) (p - text) + 1);
        return FALSE;
      }
  }

  if (multiplier != 1 && number > G_MAXUINT64 / multiplier)
    {
      too_large_error (error, text, number_start);
      return FALSE;
    }

  *value = number * multiplier;
  return TRUE;
}

/**
 * hm_offset_parse:
 * @text: what the user typed
 * @value: (out): the offset in bytes
 * @error: a #HM_OFFSET_ERROR that points at the first wrong character
 *
 * Parses a decimal or `0x` hexadecimal number with an optional size suffix
 * (K, M, G, T, P, E in powers of 1024, or KB, MB… in powers of 1000; `b` is 512).
 *
 * Returns: %TRUE if @text is a valid offset
 */
gboolean
hm_offset_parse (const char *text,
                 guint64    *value,
                 GError    **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  return parse_number (text, text, value, error);
}

/* Percentages keep six decimals: 100% is 100 000 000 parts. */
#define PERCENT_SCALE G_GUINT64_CONSTANT (1000000)
#define PERCENT_FULL  (100 * PERCENT_SCALE)

static gboolean
parse_percent (const char *text,
               const char *start,
               const char *percent_sign,
               guint64    *parts,
               GError    **error)
{
  const char *p = start;
  const char *number;
  guint64 whole = 0;
  guint64 fraction = 0;
  guint64 scale = PERCENT_SCALE;

  while (g_ascii_isspace (*p))
    p++;
  number = p;
  if (p == percent_sign)
    {
      g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                   _("“%s” is not an offset: a number is expected before “%%” at column %d"),
                   text, (int) (percent_sign - text) + 1);
      return FALSE;
    }
  for (; p < percent_sign && g_ascii_isdigit (*p); p++)
    {
      whole = whole * 10 + (guint64) g_ascii_digit_value (*p);
      if (whole > 100)
        break;
    }
  if (p < percent_sign && *p == '.')
    for (p++; p < percent_sign && g_ascii_isdigit (*p) && scale > 1; p++)
      {
        scale /= 10;
        fraction += (guint64) g_ascii_digit_value (*p) * scale;
      }
  while (p < percent_sign && g_ascii_isspace (*p))
    p++;
  if (whole > 100 || (whole == 100 && fraction > 0))
    {
      g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OUT_OF_RANGE,
                   _("“%s”: a percentage must be between 0 and 100 (at column %d)"),
                   text, (int) (number - text) + 1);
      return FALSE;
    }
  if (p != percent_sign)
    {
      g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                   _("“%s” is not an offset: unexpected “%c” at column %d"),
                   text, *p, (int) (p - text) + 1);
      return FALSE;
    }
  for (p = percent_sign + 1; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      {
        g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                     _("“%s” is not an offset: unexpected “%c” at column %d"),
                     text, *p, (int) (p - text) + 1);
        return FALSE;
      }

  *parts = whole * PERCENT_SCALE + fraction;
  return TRUE;
}

static void
refused_form_error (GError        **error,
                    const char     *text,
                    const char     *at,
                    HmOffsetForms   form)
{
  int column = (int) (at - text) + 1;

  switch (form)
    {
    case HM_OFFSET_FORMS_RELATIVE:
      g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                   _("“%s”: %c at column %d makes an offset relative to the cursor, "
                     "and there is no cursor here"), text, *at, column);
      break;
    case HM_OFFSET_FORMS_PERCENT:
      g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                   _("“%s”: a percentage (at column %d) is not accepted here"), text, column);
      break;
    case HM_OFFSET_FORMS_FROM_END:
      g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                   _("“%s”: “end” (at column %d) is not accepted here"), text, column);
      break;
    case HM_OFFSET_FORMS_NUMBER:
    case HM_OFFSET_FORMS_ALL:
    default:
      g_assert_not_reached ();
    }
}

/**
 * hm_offset_target_parse_forms:
 * @text: what the user typed
 * @forms: the forms accepted besides plain numbers
 * @target: (out): the parsed target, to resolve with hm_offset_target_resolve()
 *   or hm_offset_target_resolve_length()
 * @error: a #HM_OFFSET_ERROR that points at the first wrong character
 *
 * Parses an offset expression (see hm-offset.h): an offset as hm_offset_parse()
 * takes it, `+N` or `-N` relative to the cursor, `N%` of the file (up to six
 * decimals), or `end` and `end-N` counted back from the end of the file, each
 * only if @forms has it. A form that is not accepted is an error that says so,
 * rather than "unexpected character".
 *
 * Parsing needs neither the cursor nor the file size, so the command line can
 * check an expression before any file is open.
 *
 * Returns: %TRUE if @text is a valid expression of an accepted form
 */
gboolean
hm_offset_target_parse_forms (const char      *text,
                              HmOffsetForms    forms,
                              HmOffsetTarget  *target,
                              GError         **error)
{
  const char *p;
  const char *percent;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (target != NULL, FALSE);

  p = text;
  while (g_ascii_isspace (*p))
    p++;

  if (*p == '+' || *p == '-')
    {
      HmOffsetKind kind = *p == '+' ? HM_OFFSET_KIND_FORWARD : HM_OFFSET_KIND_BACKWARD;
      guint64 value;

      if (!(forms & HM_OFFSET_FORMS_RELATIVE))
        {
          refused_form_error (error, text, p, HM_OFFSET_FORMS_RELATIVE);
          return FALSE;
        }
      if (!parse_number (text, p + 1, &value, error))
        return FALSE;
      target->kind = kind;
      target->value = value;
      return TRUE;
    }

  if (g_ascii_strncasecmp (p, "end", 3) == 0)
    {
      const char *q = p + 3;
      guint64 value = 0;

      if (!(forms & HM_OFFSET_FORMS_FROM_END))
        {
          refused_form_error (error, text, p, HM_OFFSET_FORMS_FROM_END);
          return FALSE;
        }
      while (g_ascii_isspace (*q))
        q++;
      if (*q == '-')
        {
          if (!parse_number (text, q + 1, &value, error))
            return FALSE;
        }
      else if (*q != '\0')
        {
          g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                       _("“%s” is not an offset: expected “-” after “end” at column %d"),
                       text, (int) (q - text) + 1);
          return FALSE;
        }
      target->kind = HM_OFFSET_KIND_FROM_END;
      target->value = value;
      return TRUE;
    }

  percent = strchr (p, '%');
  if (percent != NULL)
    {
      guint64 parts;

      if (!(forms & HM_OFFSET_FORMS_PERCENT))
        {
          refused_form_error (error, text, percent, HM_OFFSET_FORMS_PERCENT);
          return FALSE;
        }
      if (!parse_percent (text, p, percent, &parts, error))
        return FALSE;
      target->kind = HM_OFFSET_KIND_PERCENT;
      target->value = parts;
      return TRUE;
    }

  {
    guint64 value;

    if (!parse_number (text, p, &value, error))
      return FALSE;
    target->kind = HM_OFFSET_KIND_ABSOLUTE;
    target->value = value;
  }
  return TRUE;
}

/**
 * hm_offset_target_parse:
 * @text: what the user typed into "Go to offset"
 * @target: (out): the parsed target, to resolve with hm_offset_target_resolve()
 * @error: a #HM_OFFSET_ERROR that points at the first wrong character
 *
 * Parses any offset expression Go to takes: hm_offset_target_parse_forms()
 * with %HM_OFFSET_FORMS_ALL.
 *
 * Returns: %TRUE if @text is a valid expression
 */
gboolean
hm_offset_target_parse (const char      *text,
                        HmOffsetTarget  *target,
                        GError         **error)
{
  return hm_offset_target_parse_forms (text, HM_OFFSET_FORMS_ALL, target, error);
}

/**
 * hm_offset_target_resolve:
 * @target: a target from hm_offset_target_parse()
 * @cursor: the cursor offset, for relative targets
 * @size: the file size
 * @offset: (out): the byte to go to
 * @error: a %HM_OFFSET_ERROR_OUT_OF_RANGE error when the target lies outside the file
 *
 * Turns a target into an offset in a file of @size bytes. `end` and `end-0`
 * land on the last byte; `100%` too. An empty file has only offset 0.
 *
 * Returns: %TRUE if the target lies inside the file
 */
gboolean
hm_offset_target_resolve (const HmOffsetTarget *target,
                          guint64               cursor,
                          guint64               size,
                          guint64              *offset,
                          GError              **error)
{
  guint64 last = size > 0 ? size - 1 : 0;
  guint64 result;

  g_return_val_if_fail (target != NULL, FALSE);
  g_return_val_if_fail (offset != NULL, FALSE);

  switch (target->kind)
    {
    case HM_OFFSET_KIND_ABSOLUTE:
      result = target->value;
      break;
    case HM_OFFSET_KIND_FORWARD:
      if (target->value > G_MAXUINT64 - cursor)
        result = G_MAXUINT64;
      else
        result = cursor + target->value;
      break;
    case HM_OFFSET_KIND_BACKWARD:
      if (target->value > cursor)
        {
          g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OUT_OF_RANGE,
                       _("Going back 0x%" PRIx64 " bytes from 0x%" PRIx64 " "
                         "passes the start of the file"), target->value, cursor);
          return FALSE;
        }
      result = cursor - target->value;
      break;
    case HM_OFFSET_KIND_PERCENT:
      /* size / 10^8 * parts + size % 10^8 * parts / 10^8: no 64-bit overflow. */
      result = size / PERCENT_FULL * target->value + size % PERCENT_FULL * target->value / PERCENT_FULL;
      result = MIN (result, last);
      break;
    case HM_OFFSET_KIND_FROM_END:
      if (target->value > size || (size == 0 && target->value > 0))
        {
          g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OUT_OF_RANGE,
                       _("The file has only 0x%" PRIx64 " bytes: end-0x%" PRIx64 " "
                         "lies before its start"), size, target->value);
          return FALSE;
        }
      result = MIN (size - target->value, last);
      break;
    default:
      g_return_val_if_reached (FALSE);
    }

  if (result > last)
    {
      g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OUT_OF_RANGE,
                   _("0x%" PRIx64 " lies beyond the end of the file (0x%" PRIx64 " bytes)"),
                   result, size);
      return FALSE;
    }

  *offset = result;
  return TRUE;
}

/**
 * hm_offset_target_resolve_length:
 * @target: a target from hm_offset_target_parse_forms() with at most
 *   %HM_OFFSET_FORMS_PERCENT
 * @size: the file size
 *
 * Turns a target into a length: a number of bytes as it is, `N%` as that share
 * of @size (`100%` is all of it, `50%` of 5 bytes is 2). A length may reach
 * beyond the end of the file; clipping it is the caller's business.
 *
 * Returns: the length in bytes
 */
guint64
hm_offset_target_resolve_length (const HmOffsetTarget *target,
                                 guint64               size)
{
  g_return_val_if_fail (target != NULL, 0);

  switch (target->kind)
    {
    case HM_OFFSET_KIND_ABSOLUTE:
      return target->value;
    case HM_OFFSET_KIND_PERCENT:
      /* As for offsets: no 64-bit overflow, but no clipping to the last byte. */
      return size / PERCENT_FULL * target->value + size % PERCENT_FULL * target->value / PERCENT_FULL;
    case HM_OFFSET_KIND_FORWARD:
    case HM_OFFSET_KIND_BACKWARD:
    case HM_OFFSET_KIND_FROM_END:
    default:
      g_return_val_if_reached (0);
    }
}

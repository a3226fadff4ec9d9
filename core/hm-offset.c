/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Offsets as people type them: "4096", "0x1000", "4K", "4KiB", "4KB" (1000s),
 * "1T", "512b" (512-byte blocks, as hexdump -s takes them).
 */
#include "config.h"

#include "hm-offset.h"

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
  const char *p;
  const char *digits;
  guint64 number = 0;
  guint64 multiplier;
  guint radix = 10;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  p = text;
  while (g_ascii_isspace (*p))
    p++;

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
          g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OVERFLOW,
                       "“%s” is too large", text);
          return FALSE;
        }
      number = number * radix + (guint64) digit;
    }

  if (p == digits)
    {
      if (*p == '\0')
        g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                     "“%s” is not an offset: a number is expected", text);
      else
        g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                     "“%s” is not an offset: unexpected “%c” at column %d",
                     text, *p, (int) (p - text) + 1);
      return FALSE;
    }

  {
    g_autofree char *suffix = g_strdup (p);

    g_strchomp (suffix);
    if (radix == 16 && *suffix != '\0')
      {
        g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                     "“%s” is not an offset: unexpected “%c” at column %d",
                     text, *p, (int) (p - text) + 1);
        return FALSE;
      }
    if (!suffix_multiplier (suffix, &multiplier))
      {
        g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_INVALID,
                     "“%s” is not an offset: unknown unit “%s” at column %d "
                     "(use K, M, G, T, P, E, KB, MB…)",
                     text, suffix, (int) (p - text) + 1);
        return FALSE;
      }
  }

  if (multiplier != 1 && number > G_MAXUINT64 / multiplier)
    {
      g_set_error (error, HM_OFFSET_ERROR, HM_OFFSET_ERROR_OVERFLOW,
                   "“%s” is too large", text);
      return FALSE;
    }

  *value = number * multiplier;
  return TRUE;
}

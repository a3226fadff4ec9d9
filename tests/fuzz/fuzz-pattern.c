/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the pattern parsers. Build with clang and -Dfuzzing=true;
 * `meson test --suite fuzz` runs it briefly, or run it by hand for longer:
 *   ./tests/fuzz/fuzz-pattern -max_total_time=600 CORPUS_DIR
 * Every input must either parse, or fail with a HM_PATTERN_ERROR whose column
 * lies within the input (or just past it). The plain hex parser (hm-hex-text.h,
 * the same grammar without wildcards) must agree with the hex pattern parser.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm-hex-text.h"
#include "hm-pattern.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check (HmPattern *pattern,
       GError    *error,
       guint      column,
       size_t     size)
{
  if (pattern == NULL)
    {
      if (error == NULL || error->domain != HM_PATTERN_ERROR ||
          strstr (error->message, "column") == NULL ||
          !g_utf8_validate (error->message, -1, NULL) ||
          column < 1 || column > size + 1)
        abort ();
      return;
    }

  if (error != NULL || hm_pattern_get_length (pattern) < 1 ||
      hm_pattern_get_length (pattern) > HM_PATTERN_MAX_LENGTH)
    abort ();
}

/* Without wildcards the two hex parsers are one: the same bytes, or an error at
 * the same column. */
static void
check_hex_text (const char *text,
                size_t      size)
{
  GError *error = NULL, *pattern_error = NULL;
  guint column = 0, pattern_column = 0;
  GBytes *bytes = hm_hex_text_parse (text, size, &column, &error);
  HmPattern *pattern = hm_pattern_new_hex (text, size, &pattern_column, &pattern_error);

  if (bytes == NULL)
    {
      if (error == NULL || error->domain != HM_HEX_TEXT_ERROR || column < 1 || column > size + 1 ||
          !g_utf8_validate (error->message, -1, NULL))
        abort ();
      /* A '?' is a wildcard to the pattern parser, an error here; a long input
       * may be too long a pattern before it goes wrong. */
      if (memchr (text, '?', size) == NULL && size < HM_PATTERN_MAX_LENGTH &&
          (pattern != NULL || pattern_column != column))
        abort ();
    }
  else if (error != NULL || g_bytes_get_size (bytes) == 0 ||
           (g_bytes_get_size (bytes) <= HM_PATTERN_MAX_LENGTH &&
            (pattern == NULL || hm_pattern_has_wildcards (pattern) ||
             hm_pattern_get_length (pattern) != g_bytes_get_size (bytes) ||
             memcmp (hm_pattern_get_bytes (pattern), g_bytes_get_data (bytes, NULL),
                     g_bytes_get_size (bytes)) != 0)))
    abort ();

  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&pattern, hm_pattern_unref);
  g_clear_error (&error);
  g_clear_error (&pattern_error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;

  check_hex_text (text, size);

  for (int kind = 0; kind < 5; kind++)
    {
      HmPattern *pattern;
      GError *error = NULL;
      guint column = 0;

      if (kind == 0)
        pattern = hm_pattern_new_hex (text, size, &column, &error);
      else
        pattern = hm_pattern_new_text (text, size, (HmTextEncoding) ((kind - 1) % 3),
                                       kind == 4 ? HM_PATTERN_IGNORE_CASE : HM_PATTERN_FLAGS_NONE,
                                       &column, &error);
      check (pattern, error, column, size);

      /* A parsed hex pattern prints back to itself. */
      if (kind == 0 && pattern != NULL)
        {
          char *str = hm_pattern_to_string (pattern);
          HmPattern *again = hm_pattern_new_hex (str, -1, NULL, NULL);
          gsize n = hm_pattern_get_length (pattern);

          if (again == NULL || hm_pattern_get_length (again) != n ||
              memcmp (hm_pattern_get_bytes (again), hm_pattern_get_bytes (pattern), n) != 0 ||
              memcmp (hm_pattern_get_mask (again), hm_pattern_get_mask (pattern), n) != 0)
            abort ();
          hm_pattern_unref (again);
          g_free (str);
        }

      g_clear_pointer (&pattern, hm_pattern_unref);
      g_clear_error (&error);
    }

  return 0;
}

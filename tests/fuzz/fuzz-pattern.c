/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the pattern parsers. Build with clang and -Dfuzzing=true;
 * `meson test --suite fuzz` runs it briefly, or run it by hand for longer:
 *   ./tests/fuzz/fuzz-pattern -max_total_time=600 CORPUS_DIR
 * Every input must either parse, or fail with a HM_PATTERN_ERROR whose column
 * lies within the input (or just past it).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;

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

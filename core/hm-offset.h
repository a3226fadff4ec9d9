/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HM_OFFSET_ERROR (hm_offset_error_quark ())

typedef enum
{
  HM_OFFSET_ERROR_INVALID,
  HM_OFFSET_ERROR_OVERFLOW,
  HM_OFFSET_ERROR_OUT_OF_RANGE,
} HmOffsetError;

/**
 * HmGotoKind:
 * @HM_GOTO_ABSOLUTE: an offset from the start of the file
 * @HM_GOTO_FORWARD: `+N`: N bytes after the cursor
 * @HM_GOTO_BACKWARD: `-N`: N bytes before the cursor
 * @HM_GOTO_PERCENT: `N%`: a share of the file; the value counts millionths of a percent
 * @HM_GOTO_FROM_END: `end-N`: N bytes before the end of the file
 */
typedef enum
{
  HM_GOTO_ABSOLUTE,
  HM_GOTO_FORWARD,
  HM_GOTO_BACKWARD,
  HM_GOTO_PERCENT,
  HM_GOTO_FROM_END,
} HmGotoKind;

typedef struct
{
  HmGotoKind kind;
  guint64    value;
} HmGotoTarget;

GQuark   hm_offset_error_quark (void);
gboolean hm_offset_parse       (const char         *text,
                                guint64            *value,
                                GError            **error);
gboolean hm_goto_parse         (const char         *text,
                                HmGotoTarget       *target,
                                GError            **error);
gboolean hm_goto_resolve       (const HmGotoTarget *target,
                                guint64             cursor,
                                guint64             size,
                                guint64            *offset,
                                GError            **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HM_OFFSET_ERROR (hm_offset_error_quark ())

typedef enum
{
  HM_OFFSET_ERROR_INVALID,
  HM_OFFSET_ERROR_OVERFLOW,
} HmOffsetError;

GQuark   hm_offset_error_quark (void);
gboolean hm_offset_parse       (const char *text,
                                guint64    *value,
                                GError    **error);

G_END_DECLS

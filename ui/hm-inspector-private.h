/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-inspector.h"

G_BEGIN_DECLS

/* The inspector's fields, in the order it shows them. */
typedef enum
{
  HM_INSPECTOR_INT8,
  HM_INSPECTOR_UINT8,
  HM_INSPECTOR_INT16,
  HM_INSPECTOR_UINT16,
  HM_INSPECTOR_INT32,
  HM_INSPECTOR_UINT32,
  HM_INSPECTOR_INT64,
  HM_INSPECTOR_UINT64,
  HM_INSPECTOR_FLOAT,
  HM_INSPECTOR_DOUBLE,
  HM_INSPECTOR_BINARY,
  HM_INSPECTOR_OCTAL,
  HM_INSPECTOR_UTF8,
  HM_INSPECTOR_TIME32,
  HM_INSPECTOR_TIME64,
  HM_INSPECTOR_N_FIELDS
} HmInspectorField;

/* For tests only */
const char *_hm_inspector_get_text     (HmInspector      *self,
                                        HmInspectorField  field);
gboolean    _hm_inspector_get_editable (HmInspector      *self,
                                        HmInspectorField  field);
gboolean    _hm_inspector_edit         (HmInspector      *self,
                                        HmInspectorField  field,
                                        const char       *text);
const char *_hm_inspector_get_error    (HmInspector      *self);

G_END_DECLS

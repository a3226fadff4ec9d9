/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hm-hex-view.h"
#include "hm-inspect.h"
#include "hm-inspector.h"

G_BEGIN_DECLS

/* The inspector's fields, in the order it shows them: core's (hm-inspect.h). */
typedef enum
{
  HM_INSPECTOR_INT8 = HM_INSPECT_INT8,
  HM_INSPECTOR_UINT8 = HM_INSPECT_UINT8,
  HM_INSPECTOR_INT16 = HM_INSPECT_INT16,
  HM_INSPECTOR_UINT16 = HM_INSPECT_UINT16,
  HM_INSPECTOR_INT32 = HM_INSPECT_INT32,
  HM_INSPECTOR_UINT32 = HM_INSPECT_UINT32,
  HM_INSPECTOR_INT64 = HM_INSPECT_INT64,
  HM_INSPECTOR_UINT64 = HM_INSPECT_UINT64,
  HM_INSPECTOR_FLOAT = HM_INSPECT_FLOAT,
  HM_INSPECTOR_DOUBLE = HM_INSPECT_DOUBLE,
  HM_INSPECTOR_BINARY = HM_INSPECT_BINARY,
  HM_INSPECTOR_OCTAL = HM_INSPECT_OCTAL,
  HM_INSPECTOR_UTF8 = HM_INSPECT_UTF8,
  HM_INSPECTOR_TIME32 = HM_INSPECT_TIME32,
  HM_INSPECTOR_TIME64 = HM_INSPECT_TIME64,
  HM_INSPECTOR_N_FIELDS = HM_INSPECT_N_FIELDS
} HmInspectorField;

/* The page wires the inspector to its view and document; (NULL, NULL) detaches. */
void        _hm_inspector_attach       (HmInspector      *self,
                                        HmHexView        *view,
                                        HmDocument       *document);

/* For tests only */
const char *_hm_inspector_get_text     (HmInspector      *self,
                                        HmInspectorField  field);
gboolean    _hm_inspector_get_editable (HmInspector      *self,
                                        HmInspectorField  field);
gboolean    _hm_inspector_edit         (HmInspector      *self,
                                        HmInspectorField  field,
                                        const char       *text);
const char *_hm_inspector_get_error    (HmInspector      *self);
GtkWidget  *_hm_inspector_get_error_label (HmInspector   *self);
GtkWidget  *_hm_inspector_get_field_widget (HmInspector  *self,
                                            HmInspectorField field);
const char *_hm_inspector_get_status   (HmInspector      *self);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hm-hex-view.h"

G_BEGIN_DECLS

/* What the tests of the side panels and the selection dialogs share: a view
 * in a window, the files they open, and the checks that a panel attached to a
 * document lets go of it. */

/* Known bytes (40):
 *   0: 00 00 80 3f            float 1.0 (LE)
 *   8: 00 .. f8 3f            double 1.5 (LE)
 *  16: 00 f1 53 65 00 00 00 00  1700000000 (LE), as time32 and time64
 *  24: ff fe                  -1 / 255, int16 -257 (LE) / -2 (BE)
 *  32: c3 a9                  "é"
 */
extern const guint8 hm_panel_test_known[40];

/* A view in a horizontal box in a window, not shown yet: a test appends its
 * panel to the box. */
typedef struct
{
  GtkWindow  *window;
  GtkBox     *box;
  HmHexView  *view;
  HmDocument *document;
  char       *path;
} HmPanelFixture;

void        hm_panel_test_init             (int             *argc,
                                            char          ***argv);
void        hm_panel_fixture_setup         (HmPanelFixture  *fixture,
                                            gconstpointer    data);
void        hm_panel_fixture_teardown      (HmPanelFixture  *fixture,
                                            gconstpointer    data);
void        hm_panel_fixture_open          (HmPanelFixture  *fixture,
                                            const char      *name,
                                            const guint8    *contents,
                                            gsize            size,
                                            HmDocumentMode   mode);
void        hm_panel_fixture_open_known    (HmPanelFixture  *fixture,
                                            const char      *name,
                                            HmDocumentMode   mode);
void        hm_panel_fixture_show          (HmPanelFixture  *fixture,
                                            GtkWidget       *widget);
void        hm_panel_fixture_dispose_panel (HmPanelFixture  *fixture,
                                            GtkWidget       *panel,
                                            HmDocument      *document);
HmDocument *hm_panel_test_open_document    (const char      *name,
                                            const guint8    *contents,
                                            gsize            size,
                                            HmDocumentMode   mode);

void        hm_panel_test_assert_bytes     (HmDocument      *document,
                                            guint64          offset,
                                            const void      *expected,
                                            gsize            length);
void        hm_panel_test_assert_detached  (gpointer         instance,
                                            gpointer         panel);
void        hm_panel_test_assert_released  (gpointer         object);
void        hm_panel_test_flush            (void);
void        hm_panel_test_wait_until       (gboolean       (*done) (gpointer data),
                                            gpointer         data);
gboolean    hm_panel_test_is_mapped        (gpointer         widget);
void        hm_panel_test_save_screenshot  (GtkWindow       *window,
                                            const char      *path);

G_END_DECLS

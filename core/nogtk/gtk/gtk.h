/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core/ is GLib/GIO only. This header shadows GTK's so that an include of it fails
 * with a clear message even on a machine where GTK's headers are on the default path. */
#error "core/ must not depend on GTK: move this code to ui/"

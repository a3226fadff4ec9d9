/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * HM_FAULT_ERROR:
 *
 * Error domain for paging faults on mapped file data. A fault is what the kernel
 * reports (as SIGBUS) when a mapped page cannot be read or written; the fault
 * guard turns it into one of these errors.
 */
#define HM_FAULT_ERROR (hm_fault_error_quark ())

/**
 * HmFaultError:
 * @HM_FAULT_ERROR_TRUNCATED: the file is now shorter than the offset that was accessed
 * @HM_FAULT_ERROR_IO: the storage failed to deliver the page (I/O error, lost network share)
 * @HM_FAULT_ERROR_NO_SPACE: a store needed a new block and the filesystem is full
 */
typedef enum
{
  HM_FAULT_ERROR_TRUNCATED,
  HM_FAULT_ERROR_IO,
  HM_FAULT_ERROR_NO_SPACE,
} HmFaultError;

GQuark hm_fault_error_quark (void);

/**
 * HmGuardedFunc:
 * @user_data: the data passed to hm_fault_guard_run()
 *
 * A leaf function run under the fault guard. It must not allocate, take locks or
 * call into GLib: if a fault interrupts it, it never returns.
 */
typedef void (*HmGuardedFunc) (gpointer user_data);

void     hm_fault_guard_install (void);
gboolean hm_fault_guard_run     (const void   *base,
                                 gsize         length,
                                 HmGuardedFunc func,
                                 gpointer      user_data,
                                 const void  **fault_addr);
gboolean hm_fault_copy          (void         *dest,
                                 const void   *src,
                                 gsize         length,
                                 const void  **fault_addr);
gboolean hm_fault_store         (void         *dest,
                                 const void   *src,
                                 gsize         length,
                                 const void  **fault_addr);
gboolean hm_fault_fill          (void         *dest,
                                 guint8        value,
                                 gsize         length,
                                 const void  **fault_addr);

guint64  hm_fault_guard_get_recoveries (void);

G_END_DECLS

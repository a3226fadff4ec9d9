/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The fault guard.
 *
 * A mapped page that the kernel cannot deliver (the file was truncated, the disk or
 * the network failed, a store into a hole found the filesystem full) raises SIGBUS at
 * the instruction that touched it. We install one process-wide handler. Each thread
 * keeps a stack of guard frames in thread-local storage: a jump buffer and the
 * address range the current leaf operation may touch. When a SIGBUS is a real paging
 * fault (si_code > 0) inside one of this thread's ranges, the handler jumps back out
 * of the operation, which then reports failure. Every other SIGBUS goes to whatever
 * handler was installed before ours (a sanitizer's, or the default action, so the
 * process still dies with a real core for faults that are not ours).
 *
 * SA_NODEFER keeps SIGBUS unblocked after the jump, which lets us use the cheap
 * sigsetjmp(jb, 0) (no signal-mask syscall) and still catch the next fault.
 *
 * Code inside a guarded region must be a leaf: no allocation, no locks, no GLib. If
 * a fault interrupts it, it never finishes, and a lock taken inside would stay held.
 */
#include "config.h"

#include "hm-fault.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

typedef struct _HmGuardFrame HmGuardFrame;

struct _HmGuardFrame
{
  sigjmp_buf             jump;
  const char            *lo;
  const char            *hi;
  const void *volatile   fault_addr;
  HmGuardFrame          *prev;
};

/* initial-exec: the handler must not go through __tls_get_addr, which may allocate. */
static __thread HmGuardFrame *current_frame __attribute__ ((tls_model ("initial-exec")));
static struct sigaction previous_action;
static guint64 recoveries;  /* only touched with __atomic builtins */

G_DEFINE_QUARK (hm-fault-error-quark, hm_fault_error)

static void
restore_default (int signum)
{
  struct sigaction dfl;

  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);
  sigaction (signum, &dfl, NULL);
}

static void
chain_to_previous (int        signum,
                   siginfo_t *info,
                   void      *ucontext)
{
  gboolean hardware = info != NULL && info->si_code > 0;
  void (*handler) (int) = previous_action.sa_handler;

  /* sa_handler and sa_sigaction share storage: check the special values first,
   * whatever the flags say. */
  if (handler == SIG_DFL || (handler == SIG_IGN && hardware))
    {
      /* Default action. A hardware fault repeats when we return and now kills
       * the process with a core (the kernel does the same for an ignored
       * hardware SIGBUS); a signal sent with kill() does not repeat, so send it
       * again. */
      restore_default (signum);
      if (!hardware)
        raise (signum);
      return;
    }

  if (handler == SIG_IGN)
    return;

  if (previous_action.sa_flags & SA_SIGINFO)
    previous_action.sa_sigaction (signum, info, ucontext);
  else
    handler (signum);
}

static void
sigbus_handler (int        signum,
                siginfo_t *info,
                void      *ucontext)
{
  int saved_errno = errno;

  if (info != NULL && info->si_code > 0)
    {
      const char *addr = info->si_addr;

      for (HmGuardFrame *frame = current_frame; frame != NULL; frame = frame->prev)
        {
          if (addr >= frame->lo && addr < frame->hi)
            {
              frame->fault_addr = addr;
              current_frame = frame->prev;
              errno = saved_errno;
              siglongjmp (frame->jump, 1);
            }
        }
    }

  errno = saved_errno;
  chain_to_previous (signum, info, ucontext);
}

/**
 * hm_fault_guard_install:
 *
 * Installs the process-wide SIGBUS handler, once. Safe to call from any thread and
 * any number of times; every guarded call does it for you.
 */
void
hm_fault_guard_install (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed))
    {
      struct sigaction action;

      memset (&action, 0, sizeof action);
      action.sa_sigaction = sigbus_handler;
      action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
      sigemptyset (&action.sa_mask);
      if (sigaction (SIGBUS, &action, &previous_action) != 0)
        g_error ("Cannot install the SIGBUS handler: %s", g_strerror (errno));

      g_once_init_leave (&installed, 1);
    }
}

/**
 * hm_fault_guard_run:
 * @base: start of the mapped range @func may touch
 * @length: length of that range
 * @func: (scope call): a leaf function
 * @user_data: data for @func
 * @fault_addr: (out) (optional): where the fault happened
 *
 * Runs @func. If it touches a page in [@base, @base + @length) that raises SIGBUS,
 * @func is abandoned and %FALSE is returned with the faulting address.
 *
 * Returns: %TRUE if @func ran to completion
 */
gboolean
hm_fault_guard_run (const void   *base,
                    gsize         length,
                    HmGuardedFunc func,
                    gpointer      user_data,
                    const void  **fault_addr)
{
  HmGuardFrame frame;

  hm_fault_guard_install ();

  frame.lo = base;
  frame.hi = (const char *) base + length;
  frame.fault_addr = NULL;
  frame.prev = current_frame;

  if (sigsetjmp (frame.jump, 0) == 0)
    {
      current_frame = &frame;
      func (user_data);
      current_frame = frame.prev;
      return TRUE;
    }

  /* The handler popped the frame before jumping. */
  __atomic_fetch_add (&recoveries, 1, __ATOMIC_RELAXED);
  if (fault_addr != NULL)
    *fault_addr = (const void *) frame.fault_addr;
  return FALSE;
}

typedef struct
{
  void       *dest;
  const void *src;
  gsize       length;
  guint8      value;
} CopyArgs;

static void
guarded_memcpy (gpointer user_data)
{
  CopyArgs *args = user_data;

  memcpy (args->dest, args->src, args->length);
}

static void
guarded_memset (gpointer user_data)
{
  CopyArgs *args = user_data;

  memset (args->dest, args->value, args->length);
}

/**
 * hm_fault_copy:
 * @dest: ordinary memory
 * @src: mapped memory
 * @length: bytes to copy
 * @fault_addr: (out) (optional): the faulting address inside @src
 *
 * The one way to read mapped bytes: a memcpy() that survives paging faults.
 *
 * Returns: %TRUE if all bytes were copied
 */
gboolean
hm_fault_copy (void        *dest,
               const void  *src,
               gsize        length,
               const void **fault_addr)
{
  CopyArgs args = { dest, src, length, 0 };

  return hm_fault_guard_run (src, length, guarded_memcpy, &args, fault_addr);
}

/**
 * hm_fault_store:
 * @dest: mapped memory
 * @src: ordinary memory
 * @length: bytes to store
 * @fault_addr: (out) (optional): the faulting address inside @dest
 *
 * The one way to write mapped bytes: a memcpy() into a mapping that survives
 * paging faults (ENOSPC while filling a hole, I/O errors).
 *
 * Returns: %TRUE if all bytes were stored
 */
gboolean
hm_fault_store (void        *dest,
                const void  *src,
                gsize        length,
                const void **fault_addr)
{
  CopyArgs args = { dest, src, length, 0 };

  return hm_fault_guard_run (dest, length, guarded_memcpy, &args, fault_addr);
}

/**
 * hm_fault_fill:
 * @dest: mapped memory
 * @value: the byte to store
 * @length: bytes to store
 * @fault_addr: (out) (optional): the faulting address inside @dest
 *
 * A guarded memset() into a mapping.
 *
 * Returns: %TRUE if all bytes were stored
 */
gboolean
hm_fault_fill (void        *dest,
               guint8       value,
               gsize        length,
               const void **fault_addr)
{
  CopyArgs args = { dest, NULL, length, value };

  return hm_fault_guard_run (dest, length, guarded_memset, &args, fault_addr);
}

/**
 * hm_fault_guard_get_recoveries:
 *
 * Returns: how many faults the guard has turned into errors in this process
 */
guint64
hm_fault_guard_get_recoveries (void)
{
  return __atomic_load_n (&recoveries, __ATOMIC_RELAXED);
}

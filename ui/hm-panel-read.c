/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reads for the panels on a worker thread.
 *
 * The hex view has its own worker and cache (hm-view-reader.c) for the visible
 * rows. The panels read elsewhere (the bytes at the cursor, the first bytes of
 * a change or a match, a match to check again after an edit), a few bytes at a
 * time and rarely, so they use GIO's thread pool: one GTask reads a batch of
 * ranges with hm_document_read() (safe on any thread) and hands back copies.
 *
 * A read on a hung mount never returns until the server answers, and nothing
 * can interrupt it; cancelling only skips the ranges not yet started. So each
 * panel keeps at most one batch in flight (more would only pile up blocked
 * threads in the shared pool) and drops results that are no longer wanted.
 * The callback always runs on the main context of the thread that started the
 * read; the document reference the task holds is given back there too, so a
 * document is never finalized on a worker.
 */
#include "config.h"

#include "hm-panel-read.h"
#include "hm-hex-view-private.h"

typedef struct
{
  HmDocument   *document;
  GMainContext *context;
  GThread      *owner;
  HmRange      *ranges;
  guint         n_ranges;
} Request;

static gboolean
unref_document_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
request_free (gpointer data)
{
  Request *request = data;

  /* The last reference to the task may go on the worker. */
  if (g_thread_self () == request->owner)
    g_object_unref (request->document);
  else
    g_main_context_invoke (request->context, unref_document_cb, request->document);
  g_main_context_unref (request->context);
  g_free (request->ranges);
  g_free (request);
}

static void
read_item_free (gpointer data)
{
  HmPanelReadItem *item = data;

  g_clear_pointer (&item->bytes, g_bytes_unref);
  g_clear_error (&item->error);
  g_free (item);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (request->n_ranges, read_item_free);

  for (guint i = 0; i < request->n_ranges; i++)
    {
      const HmRange *range = &request->ranges[i];
      HmPanelReadItem *item = g_new0 (HmPanelReadItem, 1);
      gsize length = (gsize) MIN (range->length, (guint64) G_MAXSSIZE);
      g_autofree guint8 *buffer = g_malloc (MAX (length, 1));
      gssize n;

      if (g_task_return_error_if_cancelled (task))
        {
          read_item_free (item);
          return;
        }
      item->offset = range->offset;
      n = hm_document_read (request->document, range->offset, buffer, length, &item->error);
      if (n >= 0)
        item->bytes = g_bytes_new_take (g_steal_pointer (&buffer), (gsize) n);
      g_ptr_array_add (items, item);
    }
  g_task_return_pointer (task, g_steal_pointer (&items), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * hm_panel_read_wants_worker:
 * @view: (nullable): the view the panel follows
 * @document: (nullable): its document
 *
 * Whether a panel must read @document off the main thread: exactly when the
 * view does, that is on network and FUSE mounts (and when a test forces the
 * view's worker on a local file). Local files are mapped and read in
 * microseconds, so the panels keep reading them at once: no placeholder flashes.
 */
gboolean
hm_panel_read_wants_worker (HmHexView  *view,
                            HmDocument *document)
{
  HmFsKind kind;

  if (document == NULL)
    return FALSE;
  kind = hm_document_get_fs_kind (document);
  if (kind == HM_FS_KIND_NETWORK || kind == HM_FS_KIND_FUSE)
    return TRUE;
  return view != NULL && _hm_hex_view_get_async_reads (view);
}

/**
 * hm_panel_read_async:
 * @document: the document to read
 * @ranges: (array length=n_ranges): what to read
 * @n_ranges: how many ranges
 * @cancellable: (nullable): skips the ranges not started yet
 * @callback: called on the current thread's main context when done
 * @user_data: for @callback
 *
 * Reads @ranges on a worker thread; hm_panel_read_finish() gives the bytes.
 */
void
hm_panel_read_async (HmDocument          *document,
                     const HmRange       *ranges,
                     guint                n_ranges,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (HM_IS_DOCUMENT (document));
  g_return_if_fail (ranges != NULL || n_ranges == 0);

  request = g_new0 (Request, 1);
  request->document = g_object_ref (document);
  request->context = g_main_context_ref_thread_default ();
  request->owner = g_thread_self ();
  request->ranges = g_memdup2 (ranges, sizeof *ranges * n_ranges);
  request->n_ranges = n_ranges;

  /* No source object: the task may be finalized on the worker, and a widget
   * must not be. Callers pass a reference in @user_data instead. */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hm_panel_read_async);
  g_task_set_name (task, "[hexmap] panel read");
  g_task_set_task_data (task, request, request_free);
  g_task_run_in_thread (task, read_thread);
}

/**
 * hm_panel_read_finish:
 * @result: the result given to the callback
 * @error: %G_IO_ERROR_CANCELLED if the read was cancelled
 *
 * Returns: (transfer container) (element-type HmPanelReadItem): one item per
 *   range, in order, or %NULL with @error set
 */
GPtrArray *
hm_panel_read_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hm_panel_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmChangesPanel: the pending changes, so a user can review a preview before
 * saving it. One row per modified range (byte-exact, as the journal keeps
 * them): its offset, its length, and the first bytes before and after. A click
 * moves the view's cursor there.
 *
 * Ranges already saved are not listed (they are no longer something to
 * review); the summary line counts them. The list is rebuilt once per main
 * loop iteration however many edits arrive, and a row reads its bytes only
 * when it is shown, so a long list costs what is on screen.
 *
 * Where the storage may stall (hm_document_get_may_stall(): network and FUSE
 * mounts) a read may wait for a server, or forever, so there the new bytes of
 * the rows shown come from a worker (hm_reader_read_ranges_async()),
 * a batch at a time with at most one batch in flight; a row shows "…" until
 * its bytes arrive. The old bytes of a pending range are the journal's, read
 * on the main thread only once the worker has shown the pages answer (the
 * core's journal is not for workers). A rebuild makes new rows, so the bytes
 * of a batch read before it are dropped. Local files are read in the bind:
 * they are mapped and answer in microseconds.
 */
#include "config.h"

#include "hm-changes-panel.h"
#include "hm-changes-panel-private.h"

#include "hm-fault.h"
#include "hm-reader.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#define PREVIEW_BYTES 16
#define MAX_ROWS      10000
#define READ_BATCH    64
#define LOADING_TEXT  "…"

/* ---- One row's data ---- */

#define HM_TYPE_CHANGE_ITEM (hm_change_item_get_type ())
G_DECLARE_FINAL_TYPE (HmChangeItem, hm_change_item, HM, CHANGE_ITEM, GObject)

struct _HmChangeItem
{
  GObject   parent_instance;
  guint64   offset;
  guint64   length;
  char     *old_text;   /* the previews, once read */
  char     *new_text;
  gboolean  queued;     /* waiting for the worker */
};

G_DEFINE_FINAL_TYPE (HmChangeItem, hm_change_item, G_TYPE_OBJECT)

static void
hm_change_item_finalize (GObject *object)
{
  HmChangeItem *self = HM_CHANGE_ITEM (object);

  g_free (self->old_text);
  g_free (self->new_text);
  G_OBJECT_CLASS (hm_change_item_parent_class)->finalize (object);
}

static void
hm_change_item_class_init (HmChangeItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hm_change_item_finalize;
}

static void
hm_change_item_init (HmChangeItem *self)
{
}

static HmChangeItem *
hm_change_item_new (guint64 offset,
                    guint64 length)
{
  HmChangeItem *self = g_object_new (HM_TYPE_CHANGE_ITEM, NULL);

  self->offset = offset;
  self->length = length;
  return self;
}

/* ---- The panel ---- */

struct _HmChangesPanel
{
  GtkWidget     parent_instance;

  HmHexView    *view;
  HmDocument   *document;
  GSignalGroup *document_signals;
  GListStore   *store;
  guint         rebuild_id;
  guint         generation;      /* bumped at every rebuild */

  /* Worker reads (remote files): rows shown, rows waiting, the batch in flight. */
  GHashTable   *bound;           /* HmChangeItem -> GtkListItem showing it */
  GPtrArray    *wanted;          /* HmChangeItem, queued */
  GPtrArray    *reading;         /* HmChangeItem, in flight; NULL if none */
  guint         read_generation;
  GCancellable *read_cancellable;

  /* Template widgets */
  GtkWidget    *box;
  GtkLabel     *summary_label;
  GtkLabel     *saved_label;
  GtkLabel     *structure_label;
  GtkStack     *stack;
  GtkListView  *list_view;
};

enum
{
  SIGNAL_FAULT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HmChangesPanel, hm_changes_panel, GTK_TYPE_WIDGET)

static char *
format_preview (const guint8 *bytes,
                gsize         n,
                guint64       length)
{
  GString *s = g_string_sized_new (3 * PREVIEW_BYTES + 4);

  /* Groups of four bytes: 16 bytes fit a narrow side pane. */
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (s, i > 0 && i % 4 == 0 ? " %02x" : "%02x", bytes[i]);
  if (length > n)
    g_string_append (s, " …");
  return g_string_free (s, FALSE);
}

/* The old bytes of a pending range: the journal's. @n_new is what a read of
 * the new bytes gave (so the pages answer), or -1. */
static char *
describe_old (HmDocument   *document,
              HmChangeItem *item,
              gssize        n_new)
{
  g_autoptr(GError) error = NULL;
  guint8 old_bytes[PREVIEW_BYTES];
  gssize n_old;

  if (n_new < 0)
    return g_strdup (_("unreadable"));
  n_old = hm_document_read_baseline (document, item->offset, old_bytes, (gsize) n_new, &error);
  return n_old >= 0 ? format_preview (old_bytes, (gsize) n_old, item->length) : g_strdup (_("unreadable"));
}

/* The first bytes of a range, before and after the edit, read here. */
static void
describe_change (HmDocument    *document,
                 HmChangeItem  *item,
                 char         **old_text,
                 char         **new_text)
{
  guint8 new_bytes[PREVIEW_BYTES];
  gsize want = (gsize) MIN (item->length, (guint64) PREVIEW_BYTES);
  gssize n_new;

  n_new = hm_document_read (document, item->offset, new_bytes, want, NULL);
  *old_text = describe_old (document, item, n_new);
  *new_text = n_new >= 0 ? format_preview (new_bytes, (gsize) n_new, item->length)
                         : g_strdup (_("unreadable"));
}

static char *
format_count (guint64 length)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " byte",
                                       "%" PRIu64 " bytes", (gulong) MIN (length, G_MAXULONG)),
                          length);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              HmChangesPanel           *self)
{
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *offset = gtk_label_new (NULL);
  GtkWidget *count = gtk_label_new (NULL);
  GtkWidget *old_name = gtk_label_new (_("old"));
  GtkWidget *new_name = gtk_label_new (_("new"));
  GtkWidget *old_bytes = gtk_label_new (NULL);
  GtkWidget *new_bytes = gtk_label_new (NULL);

  gtk_grid_set_column_spacing (GTK_GRID (grid), 9);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  gtk_widget_set_margin_top (grid, 6);
  gtk_widget_set_margin_bottom (grid, 6);
  gtk_widget_set_margin_start (grid, 6);
  gtk_widget_set_margin_end (grid, 6);

  gtk_label_set_xalign (GTK_LABEL (offset), 0.0);
  gtk_widget_add_css_class (offset, "monospace");
  gtk_widget_add_css_class (offset, "heading");
  gtk_label_set_xalign (GTK_LABEL (count), 1.0);
  gtk_widget_set_hexpand (count, TRUE);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "caption");

  gtk_label_set_xalign (GTK_LABEL (old_name), 0.0);
  gtk_label_set_xalign (GTK_LABEL (new_name), 0.0);
  gtk_widget_add_css_class (old_name, "dim-label");
  gtk_widget_add_css_class (new_name, "dim-label");
  gtk_widget_add_css_class (old_name, "caption");
  gtk_widget_add_css_class (new_name, "caption");

  gtk_label_set_xalign (GTK_LABEL (old_bytes), 0.0);
  gtk_label_set_xalign (GTK_LABEL (new_bytes), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (old_bytes), PANGO_ELLIPSIZE_END);
  gtk_label_set_ellipsize (GTK_LABEL (new_bytes), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (old_bytes, "monospace");
  gtk_widget_add_css_class (new_bytes, "monospace");
  gtk_widget_add_css_class (old_bytes, "hm-change-old");
  gtk_widget_add_css_class (new_bytes, "hm-change-new");

  gtk_grid_attach (GTK_GRID (grid), offset, 0, 0, 2, 1);
  gtk_grid_attach (GTK_GRID (grid), count, 2, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), old_name, 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), old_bytes, 1, 1, 2, 1);
  gtk_grid_attach (GTK_GRID (grid), new_name, 0, 2, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), new_bytes, 1, 2, 2, 1);

  g_object_set_data (G_OBJECT (grid), "offset", offset);
  g_object_set_data (G_OBJECT (grid), "count", count);
  g_object_set_data (G_OBJECT (grid), "old", old_bytes);
  g_object_set_data (G_OBJECT (grid), "new", new_bytes);
  gtk_list_item_set_child (list_item, grid);
}

static void
show_previews (GtkListItem  *list_item,
               HmChangeItem *item)
{
  GObject *grid = G_OBJECT (gtk_list_item_get_child (list_item));

  gtk_label_set_text (g_object_get_data (grid, "old"), item->old_text != NULL ? item->old_text : LOADING_TEXT);
  gtk_label_set_text (g_object_get_data (grid, "new"), item->new_text != NULL ? item->new_text : LOADING_TEXT);
}

static void read_next (HmChangesPanel *self);

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HmChangesPanel) self = user_data;   /* the reference read_next() took */
  g_autoptr(GPtrArray) reading = g_steal_pointer (&self->reading);
  g_autoptr(GPtrArray) items = hm_reader_read_ranges_finish (result, NULL);

  g_clear_object (&self->read_cancellable);
  for (guint i = 0; i < reading->len; i++)
    HM_CHANGE_ITEM (g_ptr_array_index (reading, i))->queued = FALSE;

  /* Disposed; or cancelled, or rebuilt since: those rows are gone. */
  if (self->document == NULL)
    return;
  if (items != NULL && self->read_generation == self->generation)
    {
      for (guint i = 0; i < reading->len; i++)
        {
          HmChangeItem *item = g_ptr_array_index (reading, i);
          HmReadItem *read = g_ptr_array_index (items, i);
          GtkListItem *list_item = g_hash_table_lookup (self->bound, item);
          gsize n = read->bytes != NULL ? g_bytes_get_size (read->bytes) : 0;

          g_free (item->new_text);
          g_free (item->old_text);
          item->new_text = read->bytes != NULL
                           ? format_preview (g_bytes_get_data (read->bytes, NULL), n, item->length)
                           : g_strdup (_("unreadable"));
          item->old_text = describe_old (self->document, item, read->bytes != NULL ? (gssize) n : -1);
          if (list_item != NULL)
            show_previews (list_item, item);
        }
    }
  read_next (self);
}

/* Sends the next batch of rows shown but not read to the worker, unless one is
 * in flight already. */
static void
read_next (HmChangesPanel *self)
{
  g_autoptr(GArray) ranges = NULL;

  if (self->reading != NULL || self->document == NULL)
    return;

  ranges = g_array_new (FALSE, FALSE, sizeof (HmRange));
  self->reading = g_ptr_array_new_with_free_func (g_object_unref);
  while (self->wanted->len > 0 && self->reading->len < READ_BATCH)
    {
      HmChangeItem *item = g_ptr_array_steal_index (self->wanted, 0);
      HmRange range = { item->offset, MIN (item->length, (guint64) PREVIEW_BYTES) };

      /* Scrolled away meanwhile: read it when it is shown again. */
      if (!g_hash_table_contains (self->bound, item))
        {
          item->queued = FALSE;
          g_object_unref (item);
          continue;
        }
      g_ptr_array_add (self->reading, item);
      g_array_append_val (ranges, range);
    }
  if (self->reading->len == 0)
    {
      g_clear_pointer (&self->reading, g_ptr_array_unref);
      return;
    }

  self->read_generation = self->generation;
  self->read_cancellable = g_cancellable_new ();
  hm_reader_read_ranges_async (self->document, (const HmRange *) (gpointer) ranges->data, ranges->len,
                               self->read_cancellable, read_done_cb, g_object_ref (self));
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             HmChangesPanel           *self)
{
  HmChangeItem *item = gtk_list_item_get_item (list_item);
  GObject *grid = G_OBJECT (gtk_list_item_get_child (list_item));
  g_autofree char *offset = g_strdup_printf ("0x%08" G_GINT64_MODIFIER "x", item->offset);
  g_autofree char *count = format_count (item->length);

  if (self->document == NULL)
    return;
  gtk_label_set_text (g_object_get_data (grid, "offset"), offset);
  gtk_label_set_text (g_object_get_data (grid, "count"), count);
  g_hash_table_insert (self->bound, item, list_item);

  if (item->new_text == NULL)
    {
      if (!hm_document_get_may_stall (self->document))
        describe_change (self->document, item, &item->old_text, &item->new_text);
      else if (!item->queued)
        {
          item->queued = TRUE;
          g_ptr_array_add (self->wanted, g_object_ref (item));
          read_next (self);
        }
    }
  show_previews (list_item, item);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               HmChangesPanel           *self)
{
  HmChangeItem *item = gtk_list_item_get_item (list_item);

  if (item != NULL && g_hash_table_lookup (self->bound, item) == list_item)
    g_hash_table_remove (self->bound, item);
}

#define MAX_STRUCTURE_LINES 20

/* Inserts and deletes, readably ("inserted 3 bytes at 0x10"), above the byte
 * ranges: they move everything after them, so they come first. */
static void
update_structure (HmChangesPanel *self)
{
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->document != NULL)
    lines = hm_document_describe_structural_edits (self->document);
  if (lines == NULL || lines->len == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->structure_label), FALSE);
      return;
    }
  for (guint i = 0; i < MIN (lines->len, MAX_STRUCTURE_LINES); i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, g_ptr_array_index (lines, i));
    }
  if (lines->len > MAX_STRUCTURE_LINES)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "and %u more insert or delete",
                                                 "and %u more inserts and deletes",
                                                 lines->len - MAX_STRUCTURE_LINES),
                              lines->len - MAX_STRUCTURE_LINES);
    }
  gtk_label_set_text (self->structure_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->structure_label), TRUE);
}

static void
rebuild (HmChangesPanel *self)
{
  g_autoptr(GArray) pending = NULL;
  g_autoptr(GArray) saved = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint64 total = 0;
  guint n_rows;

  g_clear_handle_id (&self->rebuild_id, g_source_remove);

  /* New rows: what was queued or is being read for the old ones is dropped. */
  self->generation++;
  if (self->read_cancellable != NULL)
    g_cancellable_cancel (self->read_cancellable);
  for (guint i = 0; i < self->wanted->len; i++)
    HM_CHANGE_ITEM (g_ptr_array_index (self->wanted, i))->queued = FALSE;
  g_ptr_array_set_size (self->wanted, 0);

  if (self->document != NULL)
    {
      pending = hm_document_get_pending_ranges (self->document);
      saved = hm_document_get_committed_ranges (self->document);
    }

  n_rows = pending != NULL ? MIN (pending->len, MAX_ROWS) : 0;
  for (guint i = 0; pending != NULL && i < pending->len; i++)
    {
      const HmRange *r = &g_array_index (pending, HmRange, i);

      total += r->length;
      if (i < n_rows)
        g_ptr_array_add (items, hm_change_item_new (r->offset, r->length));
    }
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);

  if (pending == NULL || pending->len == 0)
    {
      gtk_label_set_text (self->summary_label,
                          self->document != NULL ? _("No pending changes") : _("No file"));
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    {
      g_autofree char *bytes = format_count (total);
      g_autofree char *text = NULL;

      if (pending->len > n_rows)
        text = g_strdup_printf (_("%u changed ranges, %s (showing the first %u)"),
                                pending->len, bytes, n_rows);
      else
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u changed range, %s",
                                             "%u changed ranges, %s", pending->len),
                                pending->len, bytes);
      gtk_label_set_text (self->summary_label, text);
      gtk_stack_set_visible_child_name (self->stack, "list");
    }

  if (saved != NULL && saved->len > 0)
    {
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u range saved since the file was opened",
                                      "%u ranges saved since the file was opened", saved->len),
                         saved->len);

      gtk_label_set_text (self->saved_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->saved_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->saved_label), FALSE);

  update_structure (self);
}

static gboolean
rebuild_idle_cb (gpointer user_data)
{
  HmChangesPanel *self = user_data;

  self->rebuild_id = 0;
  rebuild (self);
  return G_SOURCE_REMOVE;
}

static void
queue_rebuild (HmChangesPanel *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (rebuild_idle_cb, self);
}

static void
jump_to (HmChangesPanel *self,
         guint           position)
{
  g_autoptr(HmChangeItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);

  if (item == NULL || self->view == NULL)
    return;
  hm_hex_view_set_cursor_offset (self->view, item->offset);
  hm_hex_view_reveal_offset (self->view, item->offset);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static void
list_activate_cb (GtkListView    *list_view,
                  guint           position,
                  HmChangesPanel *self)
{
  jump_to (self, position);
}

static void
document_changed_cb (HmChangesPanel *self)
{
  queue_rebuild (self);
}

static void
hm_changes_panel_dispose (GObject *object)
{
  HmChangesPanel *self = HM_CHANGES_PANEL (object);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  /* A batch in flight keeps the panel alive until it returns; its callback
   * sees no document and does nothing. */
  if (self->read_cancellable != NULL)
    g_cancellable_cancel (self->read_cancellable);
  _hm_changes_panel_attach (self, NULL, NULL);
  g_clear_object (&self->document_signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), HM_TYPE_CHANGES_PANEL);
  g_clear_object (&self->store);
  if (self->bound != NULL)
    g_hash_table_remove_all (self->bound);
  if (self->wanted != NULL)
    g_ptr_array_set_size (self->wanted, 0);

  G_OBJECT_CLASS (hm_changes_panel_parent_class)->dispose (object);
}

static void
hm_changes_panel_finalize (GObject *object)
{
  HmChangesPanel *self = HM_CHANGES_PANEL (object);

  g_clear_pointer (&self->bound, g_hash_table_unref);
  g_clear_pointer (&self->wanted, g_ptr_array_unref);

  G_OBJECT_CLASS (hm_changes_panel_parent_class)->finalize (object);
}

static void
hm_changes_panel_class_init (HmChangesPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hm_changes_panel_dispose;
  object_class->finalize = hm_changes_panel_finalize;

  signals[SIGNAL_FAULT] =
    g_signal_new ("fault", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/hexmap/Hexmap/ui/hm-changes-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, HmChangesPanel, box);
  gtk_widget_class_bind_template_child (widget_class, HmChangesPanel, summary_label);
  gtk_widget_class_bind_template_child (widget_class, HmChangesPanel, saved_label);
  gtk_widget_class_bind_template_child (widget_class, HmChangesPanel, structure_label);
  gtk_widget_class_bind_template_child (widget_class, HmChangesPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, HmChangesPanel, list_view);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "hm-changes-panel");
}

static void
hm_changes_panel_init (HmChangesPanel *self)
{
  GtkListItemFactory *factory;
  GtkNoSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->bound = g_hash_table_new (NULL, NULL);
  self->wanted = g_ptr_array_new_with_free_func (g_object_unref);
  self->store = g_list_store_new (HM_TYPE_CHANGE_ITEM);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->store)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  self->document_signals = g_signal_group_new (HM_TYPE_DOCUMENT);
  g_signal_group_connect_swapped (self->document_signals, "changed",
                                  G_CALLBACK (document_changed_cb), self);
  g_signal_group_connect_swapped (self->document_signals, "notify::has-pending",
                                  G_CALLBACK (document_changed_cb), self);

  rebuild (self);
}

/**
 * hm_changes_panel_new:
 *
 * Returns: (transfer floating): a new changes panel; the page attaches it to
 *   its view and document with _hm_changes_panel_attach()
 */
GtkWidget *
hm_changes_panel_new (void)
{
  return g_object_new (HM_TYPE_CHANGES_PANEL, NULL);
}

/**
 * _hm_changes_panel_attach:
 * @self: a changes panel
 * @view: (nullable): the view whose cursor a click moves
 * @document: (nullable): @view's document, whose pending changes it lists
 *
 * The panel lists @document's pending changes and follows its edits. The page
 * attaches it once; (%NULL, %NULL) detaches it, as its dispose does.
 */
void
_hm_changes_panel_attach (HmChangesPanel *self,
                          HmHexView      *view,
                          HmDocument     *document)
{
  g_return_if_fail (HM_IS_CHANGES_PANEL (self));
  g_return_if_fail (view == NULL || HM_IS_HEX_VIEW (view));
  g_return_if_fail (document == NULL || HM_IS_DOCUMENT (document));
  g_return_if_fail ((view == NULL) == (document == NULL));

  if (self->view == view && self->document == document)
    return;
  g_set_object (&self->view, view);
  g_set_object (&self->document, document);
  g_signal_group_set_target (self->document_signals, document);
  rebuild (self);
}

/* ---- For tests ---- */

void
_hm_changes_panel_flush (HmChangesPanel *self)
{
  if (self->rebuild_id != 0)
    rebuild (self);
}

guint
_hm_changes_panel_get_n_rows (HmChangesPanel *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->store));
}

char *
_hm_changes_panel_describe (HmChangesPanel *self,
                            guint           position)
{
  g_autoptr(HmChangeItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);
  g_autofree char *old_text = NULL;
  g_autofree char *new_text = NULL;
  g_autofree char *count = NULL;

  if (item == NULL || self->document == NULL)
    return NULL;
  describe_change (self->document, item, &old_text, &new_text);
  count = format_count (item->length);
  return g_strdup_printf ("0x%08" G_GINT64_MODIFIER "x %s: %s -> %s", item->offset, count, old_text, new_text);
}

/* What row @position shows as "OLD -> NEW" ("…" while it is being read), or
 * %NULL when the row is not shown. */
char *
_hm_changes_panel_get_shown (HmChangesPanel *self,
                             guint           position)
{
  g_autoptr(HmChangeItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);

  if (item == NULL || !g_hash_table_contains (self->bound, item))
    return NULL;
  return g_strdup_printf ("%s -> %s", item->old_text != NULL ? item->old_text : LOADING_TEXT,
                          item->new_text != NULL ? item->new_text : LOADING_TEXT);
}

void
_hm_changes_panel_activate (HmChangesPanel *self,
                            guint           position)
{
  g_signal_emit_by_name (self->list_view, "activate", position);
}

const char *
_hm_changes_panel_get_summary (HmChangesPanel *self)
{
  return gtk_label_get_text (self->summary_label);
}

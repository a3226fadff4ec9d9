/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Bookmarks of one file, kept in the user's data directory as a key file named
 * after the SHA-256 of the file's absolute path:
 *
 *   $XDG_DATA_HOME/hexmap/bookmarks/<sha256>.ini
 *
 *   [File]
 *   Path=/home/me/disk.img
 *
 *   [Bookmark 0]
 *   Offset=4096
 *   Name=superblock
 *
 * The path is stored too, for people reading the folder, and checked on load so
 * a stray file cannot attach bookmarks to the wrong file.
 */
#include "config.h"

#include "hm-bookmarks.h"
#include "hm-document.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#define FILE_GROUP      "File"
#define BOOKMARK_PREFIX "Bookmark "

/* ---- HmBookmark ---- */

struct _HmBookmark
{
  GObject  parent_instance;

  guint64  offset;
  char    *name;
};

enum
{
  BOOKMARK_PROP_0,
  BOOKMARK_PROP_OFFSET,
  BOOKMARK_PROP_NAME,
  BOOKMARK_N_PROPS
};

static GParamSpec *bookmark_properties[BOOKMARK_N_PROPS];

G_DEFINE_FINAL_TYPE (HmBookmark, hm_bookmark, G_TYPE_OBJECT)

static void
hm_bookmark_finalize (GObject *object)
{
  HmBookmark *self = HM_BOOKMARK (object);

  g_free (self->name);

  G_OBJECT_CLASS (hm_bookmark_parent_class)->finalize (object);
}

static void
hm_bookmark_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HmBookmark *self = HM_BOOKMARK (object);

  switch (prop_id)
    {
    case BOOKMARK_PROP_OFFSET:
      g_value_set_uint64 (value, self->offset);
      break;
    case BOOKMARK_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_bookmark_class_init (HmBookmarkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hm_bookmark_finalize;
  object_class->get_property = hm_bookmark_get_property;

  bookmark_properties[BOOKMARK_PROP_OFFSET] =
    g_param_spec_uint64 ("offset", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  bookmark_properties[BOOKMARK_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, BOOKMARK_N_PROPS, bookmark_properties);
}

static void
hm_bookmark_init (HmBookmark *self)
{
  self->name = g_strdup ("");
}

static HmBookmark *
bookmark_new (guint64     offset,
              const char *name)
{
  HmBookmark *self = g_object_new (HM_TYPE_BOOKMARK, NULL);

  self->offset = offset;
  g_free (self->name);
  self->name = g_strdup (name != NULL ? name : "");
  return self;
}

/**
 * hm_bookmark_get_offset:
 * @self: a bookmark
 *
 * Returns: the file offset it marks
 */
guint64
hm_bookmark_get_offset (HmBookmark *self)
{
  g_return_val_if_fail (HM_IS_BOOKMARK (self), 0);
  return self->offset;
}

/**
 * hm_bookmark_get_name:
 * @self: a bookmark
 *
 * Returns: its name; empty when the user gave none
 */
const char *
hm_bookmark_get_name (HmBookmark *self)
{
  g_return_val_if_fail (HM_IS_BOOKMARK (self), NULL);
  return self->name;
}

/* ---- HmBookmarks ---- */

struct _HmBookmarks
{
  GObject    parent_instance;

  char      *path;      /* absolute path of the file the bookmarks belong to */
  GPtrArray *items;     /* HmBookmark, sorted by offset */
};

enum
{
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HmBookmarks, hm_bookmarks, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
list_model_get_item_type (GListModel *model)
{
  return HM_TYPE_BOOKMARK;
}

static guint
list_model_get_n_items (GListModel *model)
{
  return HM_BOOKMARKS (model)->items->len;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  HmBookmarks *self = HM_BOOKMARKS (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

static void
hm_bookmarks_finalize (GObject *object)
{
  HmBookmarks *self = HM_BOOKMARKS (object);

  g_free (self->path);
  g_ptr_array_unref (self->items);

  G_OBJECT_CLASS (hm_bookmarks_parent_class)->finalize (object);
}

static void
hm_bookmarks_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HmBookmarks *self = HM_BOOKMARKS (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_bookmarks_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HmBookmarks *self = HM_BOOKMARKS (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_assert (self->path == NULL);
      self->path = g_canonicalize_filename (g_value_get_string (value), NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_bookmarks_class_init (HmBookmarksClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hm_bookmarks_finalize;
  object_class->get_property = hm_bookmarks_get_property;
  object_class->set_property = hm_bookmarks_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hm_bookmarks_init (HmBookmarks *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * hm_bookmarks_new:
 * @path: the file the bookmarks belong to; made absolute
 *
 * Creates an empty set of bookmarks for @path. Call hm_bookmarks_load() to read
 * the ones saved earlier.
 *
 * Returns: (transfer full): the bookmarks
 */
HmBookmarks *
hm_bookmarks_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (HM_TYPE_BOOKMARKS, "path", path, NULL);
}

/**
 * hm_bookmarks_get_path:
 * @self: bookmarks
 *
 * Returns: the absolute path of the file they belong to
 */
const char *
hm_bookmarks_get_path (HmBookmarks *self)
{
  g_return_val_if_fail (HM_IS_BOOKMARKS (self), NULL);
  return self->path;
}

/**
 * hm_bookmarks_get_store_path:
 * @self: bookmarks
 *
 * Where they are kept: `hexmap/bookmarks/<SHA-256 of the path>.ini` under
 * g_get_user_data_dir(). Hashing keeps file names short and free of the
 * characters a path may hold.
 *
 * Returns: (transfer full): the key file's path
 */
char *
hm_bookmarks_get_store_path (HmBookmarks *self)
{
  g_autofree char *hash = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (HM_IS_BOOKMARKS (self), NULL);

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, self->path, -1);
  name = g_strconcat (hash, ".ini", NULL);
  return g_build_filename (g_get_user_data_dir (), "hexmap", "bookmarks", name, NULL);
}

/* Index of the first bookmark at or after @offset. */
static guint
find_position (HmBookmarks *self,
               guint64      offset)
{
  guint lo = 0, hi = self->items->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (HM_BOOKMARK (g_ptr_array_index (self->items, mid))->offset < offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/**
 * hm_bookmarks_lookup:
 * @self: bookmarks
 * @offset: a file offset
 *
 * Returns: (transfer none) (nullable): the bookmark at @offset, if any
 */
HmBookmark *
hm_bookmarks_lookup (HmBookmarks *self,
                     guint64      offset)
{
  guint pos;

  g_return_val_if_fail (HM_IS_BOOKMARKS (self), NULL);

  pos = find_position (self, offset);
  if (pos < self->items->len && HM_BOOKMARK (g_ptr_array_index (self->items, pos))->offset == offset)
    return g_ptr_array_index (self->items, pos);
  return NULL;
}

/**
 * hm_bookmarks_add:
 * @self: bookmarks
 * @offset: a file offset
 * @name: (nullable): its name
 *
 * Adds a bookmark at @offset, unless there is one already.
 *
 * Returns: %TRUE if a bookmark was added
 */
gboolean
hm_bookmarks_add (HmBookmarks *self,
                  guint64      offset,
                  const char  *name)
{
  guint pos;

  g_return_val_if_fail (HM_IS_BOOKMARKS (self), FALSE);

  if (hm_bookmarks_lookup (self, offset) != NULL)
    return FALSE;
  pos = find_position (self, offset);
  g_ptr_array_insert (self->items, (gint) pos, bookmark_new (offset, name));
  g_list_model_items_changed (G_LIST_MODEL (self), pos, 0, 1);
  return TRUE;
}

/**
 * hm_bookmarks_remove:
 * @self: bookmarks
 * @offset: a file offset
 *
 * Returns: %TRUE if there was a bookmark at @offset and it is gone
 */
gboolean
hm_bookmarks_remove (HmBookmarks *self,
                     guint64      offset)
{
  guint pos;

  g_return_val_if_fail (HM_IS_BOOKMARKS (self), FALSE);

  if (hm_bookmarks_lookup (self, offset) == NULL)
    return FALSE;
  pos = find_position (self, offset);
  g_ptr_array_remove_index (self->items, pos);
  g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
  return TRUE;
}

/**
 * hm_bookmarks_toggle:
 * @self: bookmarks
 * @offset: a file offset
 *
 * Removes the bookmark at @offset, or adds an unnamed one there.
 *
 * Returns: %TRUE if there is a bookmark at @offset now
 */
gboolean
hm_bookmarks_toggle (HmBookmarks *self,
                     guint64      offset)
{
  g_return_val_if_fail (HM_IS_BOOKMARKS (self), FALSE);

  if (hm_bookmarks_remove (self, offset))
    return FALSE;
  hm_bookmarks_add (self, offset, NULL);
  return TRUE;
}

/**
 * hm_bookmarks_rename:
 * @self: bookmarks
 * @offset: the offset of a bookmark
 * @name: its new name; may be empty
 *
 * Returns: %TRUE if there is a bookmark at @offset (renamed or already so named)
 */
gboolean
hm_bookmarks_rename (HmBookmarks *self,
                     guint64      offset,
                     const char  *name)
{
  HmBookmark *bookmark;

  g_return_val_if_fail (HM_IS_BOOKMARKS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  bookmark = hm_bookmarks_lookup (self, offset);
  if (bookmark == NULL)
    return FALSE;
  if (g_strcmp0 (bookmark->name, name) == 0)
    return TRUE;
  g_free (bookmark->name);
  bookmark->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (bookmark), bookmark_properties[BOOKMARK_PROP_NAME]);
  return TRUE;
}

/* g_ptr_array_sort() is stable (GLib's merge sort), so equal offsets keep file order. */
static gint
compare_offsets (gconstpointer a,
                 gconstpointer b)
{
  guint64 x = HM_BOOKMARK (*(HmBookmark * const *) a)->offset;
  guint64 y = HM_BOOKMARK (*(HmBookmark * const *) b)->offset;

  return x < y ? -1 : x > y;
}

/**
 * hm_bookmarks_load:
 * @self: bookmarks
 * @error: return location for an error
 *
 * Replaces the bookmarks with the saved ones. No saved file is not an error:
 * the set is then empty.
 *
 * Returns: %TRUE on success; %FALSE with @error set if the store exists but
 *   cannot be read or parsed (the set is left as it was)
 */
gboolean
hm_bookmarks_load (HmBookmarks  *self,
                   GError      **error)
{
  g_autofree char *store = NULL;
  g_autoptr(GKeyFile) keyfile = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *stored_path = NULL;
  g_auto(GStrv) groups = NULL;
  guint old_len;
  guint kept = 0;

  g_return_val_if_fail (HM_IS_BOOKMARKS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  store = hm_bookmarks_get_store_path (self);
  keyfile = g_key_file_new ();
  items = g_ptr_array_new_with_free_func (g_object_unref);

  if (!g_key_file_load_from_file (keyfile, store, G_KEY_FILE_NONE, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_autofree char *display = g_filename_display_name (store);

          g_set_error (error, local_error->domain, local_error->code,
                       _("Could not read the bookmarks in “%s”: %s"), display, local_error->message);
          return FALSE;
        }
    }
  else
    {
      stored_path = g_key_file_get_string (keyfile, FILE_GROUP, "Path", NULL);
      /* Another file's bookmarks (a hash collision, or a copied folder): ignore them. */
      if (g_strcmp0 (stored_path, self->path) == 0)
        groups = g_key_file_get_groups (keyfile, NULL);
    }

  for (guint i = 0; groups != NULL && groups[i] != NULL; i++)
    {
      g_autofree char *offset_text = NULL;
      g_autofree char *name = NULL;
      guint64 offset;

      if (!g_str_has_prefix (groups[i], BOOKMARK_PREFIX))
        continue;
      offset_text = g_key_file_get_string (keyfile, groups[i], "Offset", NULL);
      if (offset_text == NULL ||
          !g_ascii_string_to_unsigned (offset_text, 10, 0, G_MAXUINT64, &offset, NULL))
        continue;
      name = g_key_file_get_string (keyfile, groups[i], "Name", NULL);

      g_ptr_array_add (items, bookmark_new (offset, name));
    }

  /* Sorted and unique, whatever order the file lists them in: one stable sort
   * (O(n log n); inserting each in place was quadratic, minutes for 100,000),
   * then the first of each offset stays. */
  g_ptr_array_sort (items, compare_offsets);
  for (guint i = 0; i < items->len; i++)
    {
      HmBookmark *b = g_ptr_array_index (items, i);

      if (kept > 0 && HM_BOOKMARK (g_ptr_array_index (items, kept - 1))->offset == b->offset)
        {
          g_object_unref (b);
          continue;
        }
      items->pdata[kept++] = b;
    }
  /* The tail holds moved or freed pointers: drop it without freeing. */
  g_ptr_array_set_free_func (items, NULL);
  g_ptr_array_set_size (items, kept);
  g_ptr_array_set_free_func (items, g_object_unref);

  old_len = self->items->len;
  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&items);
  if (old_len > 0 || self->items->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->items->len);

  return TRUE;
}

/**
 * hm_bookmarks_save:
 * @self: bookmarks
 * @error: return location for an error
 *
 * Writes the bookmarks to their store, atomically; with no bookmarks, removes
 * the store instead of leaving an empty file behind.
 *
 * Returns: %TRUE on success
 */
gboolean
hm_bookmarks_save (HmBookmarks  *self,
                   GError      **error)
{
  g_autofree char *store = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GKeyFile) keyfile = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (HM_IS_BOOKMARKS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  store = hm_bookmarks_get_store_path (self);

  if (self->items->len == 0)
    {
      if (g_unlink (store) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;
          g_autofree char *display = g_filename_display_name (store);

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Could not remove “%s”: %s"), display, g_strerror (saved_errno));
          return FALSE;
        }
      return TRUE;
    }

  dir = g_path_get_dirname (store);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (dir);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the folder “%s”: %s"), display, g_strerror (saved_errno));
      return FALSE;
    }

  keyfile = g_key_file_new ();
  g_key_file_set_string (keyfile, FILE_GROUP, "Path", self->path);
  for (guint i = 0; i < self->items->len; i++)
    {
      HmBookmark *bookmark = g_ptr_array_index (self->items, i);
      g_autofree char *group = g_strdup_printf (BOOKMARK_PREFIX "%u", i);
      g_autofree char *offset_text = g_strdup_printf ("%" G_GUINT64_FORMAT, bookmark->offset);

      g_key_file_set_string (keyfile, group, "Offset", offset_text);
      g_key_file_set_string (keyfile, group, "Name", bookmark->name);
    }

  if (!g_key_file_save_to_file (keyfile, store, &local_error))
    {
      g_autofree char *display = g_filename_display_name (store);

      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not save the bookmarks to “%s”: %s"), display, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/**
 * hm_bookmarks_apply_edit:
 * @self: the bookmarks
 * @offset: where an insert or delete replaced bytes (#HmDocument::content-changed)
 * @removed: bytes it removed
 * @added: bytes it put there
 *
 * Moves the bookmarks with the bytes they mark: those after the edit shift by
 * @added - @removed; one whose byte was deleted goes to @offset, unless another
 * bookmark is there already, and then it goes away. Undoing the edit emits the
 * opposite edit, which moves them back (a deleted one stays at @offset).
 */
void
hm_bookmarks_apply_edit (HmBookmarks *self,
                         guint64      offset,
                         guint64      removed,
                         guint64      added)
{
  GPtrArray *items;
  guint first;
  guint old_n;
  guint out;

  g_return_if_fail (HM_IS_BOOKMARKS (self));

  if (removed == added)
    return;
  first = find_position (self, offset);
  old_n = self->items->len - first;
  if (old_n == 0)
    return;
  items = g_ptr_array_new_full (self->items->len, g_object_unref);
  for (guint i = 0; i < self->items->len; i++)
    {
      HmBookmark *b = g_ptr_array_index (self->items, i);
      guint64 moved = i < first ? b->offset : hm_offset_through_edit (b->offset, offset, removed, added, NULL);

      if (items->len > 0 && ((HmBookmark *) g_ptr_array_index (items, items->len - 1))->offset == moved)
        continue;
      b->offset = moved;
      g_ptr_array_add (items, g_object_ref (b));
    }
  out = items->len;
  g_ptr_array_unref (self->items);
  self->items = items;
  g_list_model_items_changed (G_LIST_MODEL (self), first, old_n, out - first);
}

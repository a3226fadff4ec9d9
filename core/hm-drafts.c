/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Drafts: the pending edits of a document, kept on disk so that a crash, a kill
 * or a power cut does not lose them (as an editor's swap file or crash backup).
 *
 * What is kept. Not the bytes of the content but the edits themselves, as the
 * document's public API received them: WRITE (the bytes), FILL (the pattern and
 * the length: a 256 MiB fill costs a record of a few bytes), INSERT, INSERT_FILL,
 * DELETE, UNDO, REDO and the group marks. Restoring a draft replays them, in
 * order, on the file as it was when the edits began (hm_drafts_restore()); the
 * same calls rebuild the same content and the same undo history. Offsets are
 * those of the content at the time of each edit, as the API takes them.
 *
 * The log starts at a base: when the document starts keeping drafts, and again
 * after each save or discard (when nothing is pending otherwise, the draft file
 * is removed but the log kept, for the history). An undo or redo
 * that reaches steps older than the base (undo past a save) cannot be replayed
 * as a command; it is kept by its effect instead, a WRITE of the bytes it left
 * (possible for overwrites on a file without inserts or deletes pending; in the
 * rare remaining case the draft is dropped until the next base, and a debug
 * message says so).
 *
 * On disk. $XDG_STATE_HOME/hexmap/drafts/ (0700), one file per edited path, named
 * after a SHA-256 of the absolute path, 0600, created under a temporary name
 * with O_EXCL | O_NOFOLLOW, written and fdatasync'd, then renamed into place. A
 * header names the file (path, device, inode, size, mtime when the edits began);
 * records follow, each with its length and a CRC-32, appended as edits are made:
 * a flush runs at most half a second after an edit (or at once with
 * hm_document_flush_drafts(), after which the records are on disk: the
 * durability point). A torn last record (a kill during a write) fails its CRC
 * and is ignored with everything after it. Typing is merged into one record per
 * run; when the file holds many records that merge, it is rewritten (compacted)
 * the same way it was created.
 *
 * The process keeping a draft holds an flock() on it: lookups skip drafts that
 * are locked, so a draft is only offered when its writer is gone. The draft is
 * removed when the edits are saved or discarded, and when the document is
 * finalized with nothing pending.
 */
#include "config.h"

#include "hm-drafts.h"

#include "hm-checksum.h"
#include "hm-document-private.h"
#include "hm-file-util.h"
#include "hm-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#define MAGIC           "HMDRAFT\1"
#define VERSION         1
#define PATH_MAX_LEN    (64 * 1024)
#define FLUSH_DELAY_MS  500
#define COMPACT_RECORDS 256  /* records appended before a compaction is tried */
#define READ_CHUNK      (1024 * 1024)

typedef struct
{
  char    magic[8];
  guint32 version;
  guint32 path_length;
  guint64 dev;
  guint64 ino;
  guint64 size;
  gint64  mtime_sec;
  gint64  mtime_nsec;
  guint32 reserved;
  guint32 crc;        /* of the header with crc = 0, then the path */
} Header;

typedef struct
{
  guint64 body_length;  /* sizeof (Body) + data_length */
  guint32 crc;          /* of the body */
  guint32 reserved;
} RecordHead;

typedef struct
{
  guint8  op;
  guint8  flags;        /* HmEditFlags */
  guint16 reserved;
  guint32 reserved2;
  guint64 offset;
  guint64 length;
  guint64 data_length;  /* the bytes (WRITE, INSERT) or the pattern (fills) */
} Body;

G_STATIC_ASSERT (sizeof (RecordHead) == 16);
G_STATIC_ASSERT (sizeof (Body) == 32);

struct _HmDraft
{
  HmDocument   *document;   /* not a reference: the document owns us */
  char         *key;        /* the absolute path of the file */
  char         *file;       /* the draft file */
  int           fd;         /* -1 until the first flush */
  Header        header;
  GByteArray   *log;        /* every record since the base */
  gsize         flushed;    /* bytes of log in the file */
  guint         n_records;
  guint         n_since_compact;
  gsize         last_record; /* offset of the last record in log, or G_MAXSIZE */
  GSource      *timer;
  GMainContext *context;

  /* The journal positions the log accounts for: undo and redo inside
   * [base_pos, valid_top] are replayed as commands. */
  guint64       base_pos;
  guint64       valid_top;
  gboolean      effects_only;
  gboolean      broken;     /* cannot be represented until the next base */
};

/* Paths kept by a document of this process: one writer per path. */
static GMutex      keys_lock;
static GHashTable *keys_in_use;

/* ---- Files and names ---- */

/**
 * hm_drafts_get_dir:
 *
 * Returns: (transfer full): where drafts live: $XDG_STATE_HOME/hexmap/drafts
 */
char *
hm_drafts_get_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "hexmap", "drafts", NULL);
}

static char *
absolute_path (const char *path)
{
  char *real = realpath (path, NULL);
  char *result;

  if (real == NULL)
    return g_canonicalize_filename (path, NULL);
  result = g_strdup (real);
  free (real);
  return result;
}

static char *
draft_file_for (const char *key)
{
  g_autofree char *dir = hm_drafts_get_dir ();
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strdup_printf ("%.32s.draft", sum);

  return g_build_filename (dir, name, NULL);
}

static void
set_errno_error (GError    **error,
                 int         saved_errno,
                 const char *file)
{
  g_autofree char *name = g_filename_display_name (file);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Cannot keep the unsaved edits in “%s”: %s"), name, g_strerror (saved_errno));
}

static guint32
header_crc (const Header *header,
            const char   *path)
{
  Header copy = *header;

  copy.crc = 0;
  return hm_crc32_update (hm_crc32_update (0, &copy, sizeof copy), path, header->path_length);
}

/* ---- Reading ---- */

typedef struct
{
  Header       header;
  char        *path;
  const guint8 *records;
  gsize         length;  /* of the valid records */
  guint         n_records;
} Parsed;

/* The header and the valid records of a draft file's contents. */
static gboolean
parse (const guint8 *data,
       gsize         length,
       Parsed       *parsed)
{
  gsize pos;

  memset (parsed, 0, sizeof *parsed);
  if (length < sizeof (Header))
    return FALSE;
  memcpy (&parsed->header, data, sizeof (Header));
  if (memcmp (parsed->header.magic, MAGIC, 8) != 0 || parsed->header.version != VERSION ||
      parsed->header.path_length == 0 || parsed->header.path_length > PATH_MAX_LEN ||
      length - sizeof (Header) < parsed->header.path_length)
    return FALSE;
  if (header_crc (&parsed->header, (const char *) data + sizeof (Header)) != parsed->header.crc)
    return FALSE;
  parsed->path = g_strndup ((const char *) data + sizeof (Header), parsed->header.path_length);

  pos = sizeof (Header) + parsed->header.path_length;
  parsed->records = data + pos;
  while (length - pos >= sizeof (RecordHead))
    {
      RecordHead head;
      Body body;

      memcpy (&head, data + pos, sizeof head);
      if (head.body_length < sizeof (Body) || head.body_length > length - pos - sizeof head)
        break;  /* torn */
      if (hm_crc32_update (0, data + pos + sizeof head, (gsize) head.body_length) != head.crc)
        break;
      memcpy (&body, data + pos + sizeof head, sizeof body);
      if (body.data_length != head.body_length - sizeof (Body))
        break;
      pos += sizeof head + (gsize) head.body_length;
      parsed->length = (gsize) (data + pos - parsed->records);
      parsed->n_records++;
    }
  return TRUE;
}

static gboolean
is_locked (int fd)
{
  if (flock (fd, LOCK_SH | LOCK_NB) != 0)
    return errno == EWOULDBLOCK;
  flock (fd, LOCK_UN);
  return FALSE;
}

/* The info of a draft file no live process keeps, or NULL. With @contents, its
 * bytes too. */
static HmDraftInfo *
read_draft (const char *file,
            GBytes    **contents)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  struct stat st;
  Parsed parsed;
  HmDraftInfo *info;
  int fd;

  fd = open (file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || is_locked (fd))
    {
      close (fd);
      return NULL;
    }
  close (fd);
  if (!g_file_get_contents (file, &data, &length, NULL) ||
      !parse ((const guint8 *) data, length, &parsed))
    return NULL;

  info = g_new0 (HmDraftInfo, 1);
  info->path = parsed.path;
  info->draft_path = g_strdup (file);
  info->dev = parsed.header.dev;
  info->ino = parsed.header.ino;
  info->size = parsed.header.size;
  info->mtime_sec = parsed.header.mtime_sec;
  info->mtime_nsec = parsed.header.mtime_nsec;
  info->updated = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
  info->n_edits = parsed.n_records;
  if (contents != NULL)
    *contents = g_bytes_new_take (g_steal_pointer (&data), length);
  return info;
}

void
hm_draft_info_free (HmDraftInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->path);
  g_free (info->draft_path);
  g_free (info);
}

HmDraftInfo *
hm_draft_info_copy (const HmDraftInfo *info)
{
  HmDraftInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_memdup2 (info, sizeof *info);
  copy->path = g_strdup (info->path);
  copy->draft_path = g_strdup (info->draft_path);
  return copy;
}

/**
 * hm_draft_info_file_changed:
 * @info: a draft
 *
 * Returns: %TRUE if the file at the draft's path is no longer the one the edits
 *   were made on (another inode, size or modification time), or is gone
 */
gboolean
hm_draft_info_file_changed (const HmDraftInfo *info)
{
  struct stat st;

  g_return_val_if_fail (info != NULL, TRUE);

  if (stat (info->path, &st) != 0)
    return TRUE;
  return (guint64) st.st_dev != info->dev || (guint64) st.st_ino != info->ino ||
         (S_ISREG (st.st_mode) && (guint64) st.st_size != info->size) ||
         (gint64) st.st_mtim.tv_sec != info->mtime_sec ||
         (gint64) st.st_mtim.tv_nsec != info->mtime_nsec;
}

/**
 * hm_drafts_lookup:
 * @path: a file
 *
 * The draft of @path left by a process that is gone, if any. A draft that a
 * live document (of this process or another) keeps is not returned.
 *
 * Returns: (transfer full) (nullable): the draft, or %NULL
 */
HmDraftInfo *
hm_drafts_lookup (const char *path)
{
  g_autofree char *key = NULL;
  g_autofree char *file = NULL;
  HmDraftInfo *info;

  g_return_val_if_fail (path != NULL, NULL);

  key = absolute_path (path);
  file = draft_file_for (key);
  info = read_draft (file, NULL);
  if (info != NULL && g_strcmp0 (info->path, key) != 0)
    g_clear_pointer (&info, hm_draft_info_free);
  return info;
}

static gint
compare_updated (gconstpointer a,
                 gconstpointer b)
{
  const HmDraftInfo *x = *(HmDraftInfo * const *) a;
  const HmDraftInfo *y = *(HmDraftInfo * const *) b;

  return x->updated < y->updated ? 1 : x->updated > y->updated ? -1 : g_strcmp0 (x->path, y->path);
}

/**
 * hm_drafts_list:
 *
 * Every draft left by processes that are gone, newest first.
 *
 * Returns: (transfer full) (element-type HmDraftInfo): the drafts
 */
GPtrArray *
hm_drafts_list (void)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) hm_draft_info_free);
  g_autofree char *dir_path = hm_drafts_get_dir ();
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return list;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = NULL;
      HmDraftInfo *info;

      if (!g_str_has_suffix (name, ".draft"))
        continue;
      file = g_build_filename (dir_path, name, NULL);
      info = read_draft (file, NULL);
      if (info != NULL)
        g_ptr_array_add (list, info);
    }
  g_ptr_array_sort (list, compare_updated);
  return list;
}

/**
 * hm_drafts_remove:
 * @info: a draft
 * @error: a #GError
 *
 * Throws the draft away (the user chose to discard it).
 *
 * Returns: %TRUE if it is gone
 */
gboolean
hm_drafts_remove (const HmDraftInfo *info,
                  GError           **error)
{
  g_return_val_if_fail (info != NULL, FALSE);

  if (g_unlink (info->draft_path) != 0 && errno != ENOENT)
    {
      set_errno_error (error, errno, info->draft_path);
      return FALSE;
    }
  return TRUE;
}

static gboolean draft_flush (HmDraft *draft,
                             GError **error);

/* ---- Replay ---- */

static gboolean
replay_one (HmDocument   *document,
            const Body   *body,
            const guint8 *data,
            guint        *depth,
            GError      **error)
{
  HmEditFlags flags = (HmEditFlags) (body->flags & HM_EDIT_COALESCE);

  switch (body->op)
    {
    case HM_DRAFT_WRITE:
      return hm_document_write (document, body->offset, data, (gsize) body->data_length, flags, error);
    case HM_DRAFT_FILL:
      return hm_document_fill (document, body->offset, body->length, data,
                               (gsize) body->data_length, error);
    case HM_DRAFT_INSERT:
      return hm_document_insert (document, body->offset, data, (gsize) body->data_length, flags, error);
    case HM_DRAFT_INSERT_FILL:
      return hm_document_insert_fill (document, body->offset, body->length, data,
                                      (gsize) body->data_length, error);
    case HM_DRAFT_DELETE:
      return hm_document_delete (document, body->offset, body->length, error);
    case HM_DRAFT_UNDO:
      return hm_document_undo (document, error);
    case HM_DRAFT_REDO:
      return hm_document_redo (document, error);
    case HM_DRAFT_BEGIN_GROUP:
      hm_document_begin_group (document);
      (*depth)++;
      return TRUE;
    case HM_DRAFT_END_GROUP:
      if (*depth > 0)
        {
          hm_document_end_group (document);
          (*depth)--;
        }
      return TRUE;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The saved edits contain an unknown kind of edit (%u)"), body->op);
      return FALSE;
    }
}

/**
 * hm_drafts_restore:
 * @document: the document of the draft's file, just opened, with nothing pending
 * @info: its draft
 * @n_restored: (out) (optional): how many edit records were replayed
 * @error: a #GError
 *
 * Replays a draft's edits on @document, in preview mode (the document switches
 * to it first): nothing reaches the file until the user saves. Stops at the
 * first edit that no longer applies (the file changed since); the ones before
 * stay restored. If @document keeps drafts (hm_document_keep_drafts()), the
 * replayed edits become its new draft, which replaces the old one at the next
 * flush.
 *
 * Returns: %TRUE if every edit was restored
 */
gboolean
hm_drafts_restore (HmDocument        *document,
                   const HmDraftInfo *info,
                   guint             *n_restored,
                   GError           **error)
{
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(HmDraftInfo) current = NULL;
  const guint8 *data;
  gsize length;
  Parsed parsed;
  gsize pos = 0;
  guint done = 0;
  guint depth = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (HM_IS_DOCUMENT (document), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  if (n_restored != NULL)
    *n_restored = 0;
  current = read_draft (info->draft_path, &contents);
  if (current == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The unsaved edits of “%s” are no longer there"), info->path);
      return FALSE;
    }
  if (hm_document_get_mode (document) != HM_DOCUMENT_MODE_PREVIEW &&
      !hm_document_set_mode (document, HM_DOCUMENT_MODE_PREVIEW, error))
    return FALSE;

  data = g_bytes_get_data (contents, &length);
  if (!parse (data, length, &parsed))
    g_assert_not_reached ();  /* read_draft() parsed it */
  g_free (parsed.path);

  while (pos < parsed.length && ok)
    {
      RecordHead head;
      Body body;

      memcpy (&head, parsed.records + pos, sizeof head);
      memcpy (&body, parsed.records + pos + sizeof head, sizeof body);
      ok = replay_one (document, &body, parsed.records + pos + sizeof head + sizeof body, &depth, error);
      if (ok)
        done++;
      pos += sizeof head + (gsize) head.body_length;
    }
  while (depth-- > 0)
    hm_document_end_group (document);
  /* The replayed edits are the document's draft now; none left: none kept */
  if (document->draft != NULL)
    {
      g_autoptr(GError) flush_error = NULL;

      if (!draft_flush (document->draft, &flush_error))
        g_debug ("%s", flush_error->message);
      if (document->draft->fd < 0)
        hm_drafts_remove (info, NULL);
    }
  if (!ok)
    g_prefix_error (error, _("%u of %u unsaved edits restored; the others no longer apply: "),
                    done, parsed.n_records);
  if (n_restored != NULL)
    *n_restored = done;
  return ok;
}

/* ---- Writing ---- */

static void
draft_release_key (HmDraft *draft)
{
  g_mutex_lock (&keys_lock);
  if (keys_in_use != NULL)
    g_hash_table_remove (keys_in_use, draft->key);
  g_mutex_unlock (&keys_lock);
}

static void
draft_close_file (HmDraft *draft,
                  gboolean remove)
{
  if (remove && draft->fd >= 0)
    g_unlink (draft->file);
  if (draft->fd >= 0)
    close (draft->fd);
  draft->fd = -1;
}

static void
draft_set_identity (HmDraft *draft)
{
  HmDocument *document = draft->document;
  const struct stat *st = &document->baseline_stat;

  memset (&draft->header, 0, sizeof draft->header);
  memcpy (draft->header.magic, MAGIC, 8);
  draft->header.version = VERSION;
  draft->header.path_length = (guint32) MIN (strlen (draft->key), (gsize) PATH_MAX_LEN);
  draft->header.dev = (guint64) st->st_dev;
  draft->header.ino = (guint64) st->st_ino;
  draft->header.size = _hm_document_file_size (document);
  draft->header.mtime_sec = (gint64) st->st_mtim.tv_sec;
  draft->header.mtime_nsec = (gint64) st->st_mtim.tv_nsec;
  draft->header.crc = header_crc (&draft->header, draft->key);
}

/* A new base: nothing recorded, the draft file gone. */
static void
draft_rebase (HmDraft *draft)
{
  draft_close_file (draft, TRUE);
  g_byte_array_set_size (draft->log, 0);
  draft->flushed = 0;
  draft->n_records = 0;
  draft->n_since_compact = 0;
  draft->last_record = G_MAXSIZE;
  draft->base_pos = draft->valid_top = hm_journal_get_position (draft->document->journal);
  draft->effects_only = FALSE;
  draft->broken = FALSE;
  draft_set_identity (draft);
}

/* Write the header and the whole log to a new file and put it in place. */
static gboolean
draft_write_file (HmDraft *draft,
                  GError **error)
{
  g_autofree char *dir = hm_drafts_get_dir ();
  g_autofree char *tmp = g_strconcat (draft->file, ".new", NULL);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      set_errno_error (error, errno, dir);
      return FALSE;
    }
  g_unlink (tmp);  /* left by a process that died while writing it */
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_errno_error (error, errno, tmp);
      return FALSE;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0 ||
      !hm_file_write_all (fd, &draft->header, sizeof draft->header) ||
      !hm_file_write_all (fd, draft->key, draft->header.path_length) ||
      (draft->log->len > 0 && !hm_file_write_all (fd, draft->log->data, draft->log->len)) ||
      fdatasync (fd) != 0 || g_rename (tmp, draft->file) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (tmp);
      set_errno_error (error, saved_errno, draft->file);
      return FALSE;
    }
  hm_file_sync_directory (dir);
  if (draft->fd >= 0)
    close (draft->fd);
  draft->fd = fd;
  draft->flushed = draft->log->len;
  return TRUE;
}

/* Body.flags beyond HmEditFlags: typed bytes that may merge with the typed
 * bytes just before them. Inserts always may; overwrites only when the content
 * had no inserts or deletes then: else the two bytes may lie in different
 * pieces, where the document keeps them as separate steps. */
#define FLAG_MERGEABLE 0x80

static gboolean
record_coalesces (const Body *body)
{
  return (body->op == HM_DRAFT_WRITE || body->op == HM_DRAFT_INSERT) &&
         (body->flags & HM_EDIT_COALESCE) != 0 && (body->flags & FLAG_MERGEABLE) != 0;
}

/* The log with typing runs merged: the same calls replayed give the same
 * content and history. Not inside groups: there a typed byte that joins the
 * run still marks the run as grouped with the step before. */
static GByteArray *
compact_log (const GByteArray *log,
             guint            *n_records)
{
  GByteArray *out = g_byte_array_sized_new (log->len);
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize pos = 0;
  guint depth = 0;

  *n_records = 0;
  while (pos < log->len)
    {
      RecordHead head;
      Body body;
      const guint8 *data;
      gsize start;

      memcpy (&head, log->data + pos, sizeof head);
      memcpy (&body, log->data + pos + sizeof head, sizeof body);
      data = log->data + pos + sizeof head + sizeof body;
      pos += sizeof head + (gsize) head.body_length;
      if (body.op == HM_DRAFT_BEGIN_GROUP)
        depth++;
      else if (body.op == HM_DRAFT_END_GROUP && depth > 0)
        depth--;

      if (starts->len > 0 && depth == 0)
        {
          gsize last = g_array_index (starts, gsize, starts->len - 1);
          RecordHead last_head;
          Body last_body;

          memcpy (&last_head, out->data + last, sizeof last_head);
          memcpy (&last_body, out->data + last + sizeof last_head, sizeof last_body);
          if (record_coalesces (&body) && record_coalesces (&last_body) && body.op == last_body.op &&
              last_body.offset + last_body.data_length == body.offset)
            {
              last_body.data_length += body.data_length;
              last_body.length += body.length;
              g_byte_array_append (out, data, (guint) body.data_length);
              last_head.body_length += body.data_length;
              memcpy (out->data + last + sizeof last_head, &last_body, sizeof last_body);
              last_head.crc = hm_crc32_update (0, out->data + last + sizeof last_head,
                                               (gsize) last_head.body_length);
              memcpy (out->data + last, &last_head, sizeof last_head);
              continue;
            }
        }
      start = out->len;
      g_array_append_val (starts, start);
      g_byte_array_append (out, (const guint8 *) &head, sizeof head);
      g_byte_array_append (out, (const guint8 *) &body, sizeof body);
      g_byte_array_append (out, data, (guint) body.data_length);
    }
  *n_records = starts->len;
  g_array_unref (starts);
  return out;
}

static gboolean
draft_has_something (HmDraft *draft)
{
  HmDocument *document = draft->document;

  if (_hm_document_is_structural (document))
    return TRUE;
  /* Direct-mode overwrites are in the file already */
  return document->mode != HM_DOCUMENT_MODE_DIRECT && hm_document_get_has_pending (document);
}

static gboolean
draft_flush (HmDraft *draft,
             GError **error)
{
  g_clear_pointer (&draft->timer, g_source_destroy);

  if (draft->broken)
    return TRUE;
  /* Nothing to lose: no file (the log stays, for the history: an undo or redo
   * from here makes a draft again) */
  if (!draft_has_something (draft))
    {
      draft_close_file (draft, TRUE);
      draft->flushed = 0;
      return TRUE;
    }
  if (draft->flushed == draft->log->len && draft->fd >= 0)
    return TRUE;

  if (draft->n_since_compact >= COMPACT_RECORDS)
    {
      guint n;
      GByteArray *compacted = compact_log (draft->log, &n);

      draft->n_since_compact = 0;
      if (compacted->len < draft->log->len)
        {
          g_byte_array_unref (draft->log);
          draft->log = compacted;
          draft->n_records = n;
          draft->last_record = G_MAXSIZE;
          return draft_write_file (draft, error);
        }
      g_byte_array_unref (compacted);
    }

  if (draft->fd < 0)
    return draft_write_file (draft, error);
  if (!hm_file_write_all (draft->fd, draft->log->data + draft->flushed, draft->log->len - draft->flushed) ||
      fdatasync (draft->fd) != 0)
    {
      set_errno_error (error, errno, draft->file);
      /* Write it whole next time */
      draft_close_file (draft, FALSE);
      return FALSE;
    }
  draft->flushed = draft->log->len;
  return TRUE;
}

static gboolean
draft_timer_cb (gpointer data)
{
  HmDraft *draft = data;
  g_autoptr(GError) error = NULL;

  draft->timer = NULL;
  if (!draft_flush (draft, &error))
    g_debug ("%s", error->message);
  return G_SOURCE_REMOVE;
}

static void
draft_schedule (HmDraft *draft)
{
  if (draft->timer != NULL)
    return;
  draft->timer = g_timeout_source_new (FLUSH_DELAY_MS);
  g_source_set_callback (draft->timer, draft_timer_cb, draft, NULL);
  g_source_set_static_name (draft->timer, "[hexmap] draft flush");
  g_source_attach (draft->timer, draft->context);
  g_source_unref (draft->timer);
}

static void
draft_append (HmDraft      *draft,
              HmDraftOp     op,
              guint64       offset,
              guint64       length,
              const guint8 *data,
              gsize         data_length,
              HmEditFlags   flags)
{
  RecordHead head = { 0, 0, 0 };
  Body body = { 0, 0, 0, 0, 0, 0, 0 };
  guint32 crc;

  body.op = (guint8) op;
  body.flags = (guint8) (flags & HM_EDIT_COALESCE);
  if (op == HM_DRAFT_INSERT || (op == HM_DRAFT_WRITE && !_hm_document_is_structural (draft->document)))
    body.flags |= FLAG_MERGEABLE;
  body.offset = offset;
  body.length = length;
  body.data_length = data_length;

  /* Typing: extend the previous record while it is not in the file yet */
  if (draft->last_record != G_MAXSIZE && draft->last_record >= draft->flushed && record_coalesces (&body) &&
      draft->document->group_depth == 0)
    {
      RecordHead last_head;
      Body last_body;

      memcpy (&last_head, draft->log->data + draft->last_record, sizeof last_head);
      memcpy (&last_body, draft->log->data + draft->last_record + sizeof last_head, sizeof last_body);
      if (record_coalesces (&last_body) && last_body.op == body.op &&
          last_body.offset + last_body.data_length == offset)
        {
          last_body.data_length += data_length;
          last_body.length += length;
          last_head.body_length += data_length;
          g_byte_array_append (draft->log, data, (guint) data_length);
          memcpy (draft->log->data + draft->last_record + sizeof last_head, &last_body, sizeof last_body);
          last_head.crc = hm_crc32_update (0, draft->log->data + draft->last_record + sizeof last_head,
                                           (gsize) last_head.body_length);
          memcpy (draft->log->data + draft->last_record, &last_head, sizeof last_head);
          draft_schedule (draft);
          return;
        }
    }

  head.body_length = sizeof body + data_length;
  crc = hm_crc32_update (0, &body, sizeof body);
  head.crc = data_length > 0 ? hm_crc32_update (crc, data, data_length) : crc;
  draft->last_record = draft->log->len;
  g_byte_array_append (draft->log, (const guint8 *) &head, sizeof head);
  g_byte_array_append (draft->log, (const guint8 *) &body, sizeof body);
  if (data_length > 0)
    g_byte_array_append (draft->log, data, (guint) data_length);
  draft->n_records++;
  draft->n_since_compact++;
  draft_schedule (draft);
}

static void
draft_break (HmDraft *draft)
{
  g_debug ("The unsaved edits of “%s” cannot be kept as a draft until the next save",
           draft->key);
  draft->broken = TRUE;
  draft_close_file (draft, TRUE);
  g_byte_array_set_size (draft->log, 0);
  draft->flushed = 0;
}

/* Hooks from the document's edit calls, after each succeeded. */
void
_hm_document_draft_record (HmDocument   *self,
                           HmDraftOp     op,
                           guint64       offset,
                           guint64       length,
                           const guint8 *data,
                           gsize         data_length,
                           HmEditFlags   flags)
{
  HmDraft *draft = self->draft;

  if (draft == NULL || draft->broken)
    return;
  if (data_length > G_MAXUINT - 64 || draft->log->len > G_MAXUINT - 64 - data_length)
    {
      draft_break (draft);
      return;
    }
  draft_append (draft, op, offset, length, data, data_length, flags);
  if (op != HM_DRAFT_BEGIN_GROUP && op != HM_DRAFT_END_GROUP)
    draft->valid_top = hm_journal_get_position (self->journal);
}

/* The effect of undoing or redoing steps [from, to) of the history, which the
 * log cannot replay as commands: the bytes they left, as writes. */
static gboolean
record_effects (HmDraft *draft,
                guint64  from,
                guint64  to)
{
  HmDocument *document = draft->document;
  g_autofree guint8 *buffer = NULL;

  if (_hm_document_is_structural (document))
    return FALSE;
  for (guint64 i = from; i < to; i++)
    if (hm_journal_step_get_structural (hm_journal_get_step (document->journal, i)) != NULL)
      return FALSE;

  buffer = g_malloc (READ_CHUNK);
  for (guint64 i = from; i < to; i++)
    {
      const HmJournalStep *step = hm_journal_get_step (document->journal, i);
      guint64 offset = hm_journal_step_get_offset (step);
      guint64 length = hm_journal_step_get_length (step);

      for (guint64 done = 0; done < length;)
        {
          gsize n = (gsize) MIN (length - done, (guint64) READ_CHUNK);

          if (hm_document_read (document, offset + done, buffer, n, NULL) != (gssize) n)
            return FALSE;
          draft_append (draft, HM_DRAFT_WRITE, offset + done, n, buffer, n, HM_EDIT_NONE);
          done += n;
        }
    }
  return TRUE;
}

void
_hm_document_draft_undo_redo (HmDocument *self,
                              gboolean    undo,
                              gboolean    complete,
                              guint64     pos_before,
                              guint64     pos_after)
{
  HmDraft *draft = self->draft;
  guint64 low = MIN (pos_before, pos_after);
  guint64 high = MAX (pos_before, pos_after);

  if (draft == NULL || draft->broken || pos_before == pos_after)
    return;
  if (complete && !draft->effects_only && low >= draft->base_pos && high <= draft->valid_top)
    {
      draft_append (draft, undo ? HM_DRAFT_UNDO : HM_DRAFT_REDO, 0, 0, NULL, 0, HM_EDIT_NONE);
      return;
    }
  /* From here the replayed history differs from ours: effects only */
  draft->effects_only = TRUE;
  if (!record_effects (draft, low, high))
    draft_break (draft);
}

/* After a save or a discard: the file (or the baseline) is the new base. */
void
_hm_document_draft_rebase (HmDocument *self)
{
  if (self->draft != NULL)
    draft_rebase (self->draft);
}

void
_hm_document_draft_finalize (HmDocument *self)
{
  HmDraft *draft = self->draft;
  g_autoptr(GError) error = NULL;

  if (draft == NULL)
    return;
  if (!draft_flush (draft, &error))
    g_debug ("%s", error->message);
  /* Nothing pending: a clean close; else keep the draft for the next start */
  draft_close_file (draft, !draft_has_something (draft));
  g_clear_pointer (&draft->timer, g_source_destroy);
  draft_release_key (draft);
  g_main_context_unref (draft->context);
  g_byte_array_unref (draft->log);
  g_free (draft->key);
  g_free (draft->file);
  g_free (draft);
  self->draft = NULL;
}

/**
 * hm_document_keep_drafts:
 * @self: a #HmDocument
 * @error: a #GError
 *
 * From now on, keeps the pending edits of @self on disk (see hm-drafts.c), so
 * that they survive a crash. Ask the user about a draft left from before
 * (hm_drafts_lookup()) first: the first edit replaces it. Flushes run on the
 * thread-default main context of the caller.
 *
 * Fails if another document of this process keeps drafts for the same file.
 *
 * Returns: %TRUE if drafts are kept
 */
gboolean
hm_document_keep_drafts (HmDocument *self,
                         GError    **error)
{
  g_autofree char *key = NULL;
  HmDraft *draft;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  if (self->draft != NULL)
    return TRUE;
  if (self->kind == HM_FILE_KIND_ZERO_DEVICE)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("Edits of “%s” cannot be kept as a draft"), self->display_name);
      return FALSE;
    }

  key = absolute_path (self->path);
  g_mutex_lock (&keys_lock);
  if (keys_in_use == NULL)
    keys_in_use = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_contains (keys_in_use, key))
    {
      g_mutex_unlock (&keys_lock);
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                   _("Another window keeps the unsaved edits of “%s”"), self->display_name);
      return FALSE;
    }
  g_hash_table_add (keys_in_use, g_strdup (key));
  g_mutex_unlock (&keys_lock);

  draft = g_new0 (HmDraft, 1);
  draft->document = self;
  draft->key = g_steal_pointer (&key);
  draft->file = draft_file_for (draft->key);
  draft->fd = -1;
  draft->log = g_byte_array_new ();
  draft->context = g_main_context_ref_thread_default ();
  self->draft = draft;
  hm_journal_break_coalescing (self->journal);
  /* Not draft_rebase(): a draft left from before stays until the first flush */
  draft->last_record = G_MAXSIZE;
  draft->base_pos = draft->valid_top = hm_journal_get_position (self->journal);
  draft_set_identity (draft);
  return TRUE;
}

/**
 * hm_document_flush_drafts:
 * @self: a #HmDocument
 * @error: a #GError
 *
 * Writes the edits made so far to the draft and waits until they are on disk.
 * After it returns %TRUE, a crash or a kill loses none of them. Without it, the
 * same happens by itself within a second of each edit.
 *
 * Returns: %TRUE on success, or if @self keeps no drafts
 */
gboolean
hm_document_flush_drafts (HmDocument *self,
                          GError    **error)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  if (self->draft == NULL)
    return TRUE;
  return draft_flush (self->draft, error);
}

/**
 * hm_document_get_draft_path:
 * @self: a #HmDocument
 *
 * Returns: (nullable): the draft file of @self when one is on disk, else %NULL
 */
const char *
hm_document_get_draft_path (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);

  if (self->draft == NULL || self->draft->fd < 0)
    return NULL;
  return self->draft->file;
}

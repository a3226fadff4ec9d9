/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmPieceTable: a document's content after inserts and deletes.
 *
 * The content is a sequence of pieces (hm-piece-table.h): ranges of the file at
 * their baseline offsets, bytes inserted in memory, patterns repeated over a
 * length (a fill or an extension with zeros costs the pattern, not the length),
 * and large inserts spilled to an unlinked temporary file so they never stay in
 * RAM. Memory grows with the number of edits, never with the file or a fill.
 *
 * The pieces are the in-order nodes of a treap (a binary search tree by position
 * whose nodes also form a heap on random priorities, which keeps its depth
 * logarithmic in expectation); each node knows the total length of its subtree,
 * so finding the piece at an offset, splitting at an offset, and joining two
 * trees all take O(log n). Every edit is one operation, replace: split out the
 * range removed, hand its pieces to the caller (undo keeps them), put the new
 * pieces in. Neighbours that continue each other (the next bytes of the same
 * file range, memory buffer or pattern) are joined after each replace, so undoing
 * every edit gives back the single piece of the file, and typing a run of bytes
 * at one place keeps one piece: small inserts are appended to a shared buffer
 * that is never moved once allocated.
 *
 * Not thread-safe: the document calls it under its lock. Pieces handed out hold
 * references to their sources, so a reader can copy from them after the lock is
 * released; the bytes a published piece covers never change.
 */
#include "config.h"

#include "hm-piece-table.h"

#include <gio/gio.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#define APPEND_CAPACITY  (64u * 1024u)
#define SPILL_THRESHOLD  (1024u * 1024u)

struct _HmPieceSource
{
  gint        ref;
  HmPieceKind kind;
  guint8     *data;     /* MEMORY: the bytes; PATTERN: the pattern */
  gsize       length;   /* MEMORY: bytes used; PATTERN: pattern length */
  gsize       capacity; /* MEMORY: bytes allocated */
  int         fd;       /* SPILL */
};

typedef struct _Node Node;
struct _Node
{
  Node   *left;
  Node   *right;
  guint32 priority;
  guint32 count;
  guint64 sum;
  HmPiece piece;
};

struct _HmPieceTable
{
  Node          *root;
  guint32        seed;
  HmPieceSource *append;   /* where small inserts go */
  gsize          spill_threshold;
  gsize          source_bytes;
};

/* ---- Sources ---- */

static HmPieceSource *
source_new (HmPieceKind kind)
{
  HmPieceSource *source = g_new0 (HmPieceSource, 1);

  source->ref = 1;
  source->kind = kind;
  source->fd = -1;
  return source;
}

HmPieceSource *
hm_piece_source_ref (HmPieceSource *source)
{
  if (source != NULL)
    g_atomic_int_inc (&source->ref);
  return source;
}

void
hm_piece_source_unref (HmPieceSource *source)
{
  if (source == NULL || !g_atomic_int_dec_and_test (&source->ref))
    return;
  if (source->fd >= 0)
    close (source->fd);
  g_free (source->data);
  g_free (source);
}

/* An unlinked file only we can reach: O_TMPFILE, or mkstemp and unlink. */
static int
open_spill_file (GError **error)
{
  const char *dir = g_get_tmp_dir ();
  g_autofree char *templ = NULL;
  int fd;

#ifdef O_TMPFILE
  fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0)
    return fd;
#endif
  templ = g_build_filename (dir, "hexmap-insert-XXXXXX", NULL);
  fd = g_mkstemp_full (templ, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create a temporary file in %s for the inserted bytes: %s"),
                   dir, g_strerror (saved_errno));
      return -1;
    }
  g_unlink (templ);
  return fd;
}

static HmPieceSource *
spill_new (const guint8 *data,
           gsize         length,
           GError      **error)
{
  HmPieceSource *source;
  int fd = open_spill_file (error);
  gsize done = 0;

  if (fd < 0)
    return NULL;
  while (done < length)
    {
      ssize_t n = pwrite (fd, data + done, length - done, (off_t) done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved_errno = n < 0 ? errno : ENOSPC;

          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot keep the %zu inserted bytes in a temporary file: %s"),
                       length, g_strerror (saved_errno));
          return NULL;
        }
      done += (gsize) n;
    }
  source = source_new (HM_PIECE_SPILL);
  source->fd = fd;
  source->length = length;
  return source;
}

/* ---- Pieces ---- */

void
hm_piece_clear (HmPiece *piece)
{
  g_clear_pointer (&piece->source, hm_piece_source_unref);
}

static void
piece_clear_func (gpointer data)
{
  hm_piece_clear (data);
}

/**
 * hm_piece_array_new:
 *
 * Returns: (transfer full): an empty array of #HmPiece that drops the pieces'
 *   references when freed
 */
GArray *
hm_piece_array_new (void)
{
  GArray *array = g_array_new (FALSE, FALSE, sizeof (HmPiece));

  g_array_set_clear_func (array, piece_clear_func);
  return array;
}

/**
 * hm_piece_slice:
 * @piece: a piece
 * @start: first byte of the slice, relative to the piece
 * @length: bytes in the slice
 *
 * Returns: a new piece over part of @piece, holding its own reference
 */
HmPiece
hm_piece_slice (const HmPiece *piece,
                guint64        start,
                guint64        length)
{
  HmPiece slice = *piece;

  g_assert (start + length <= piece->length);
  slice.length = length;
  if (piece->kind == HM_PIECE_PATTERN)
    slice.start = (piece->start + start) % piece->source->length;
  else
    slice.start = piece->start + start;
  hm_piece_source_ref (slice.source);
  return slice;
}

/**
 * hm_piece_copy:
 * @piece: a piece that is not a FILE piece
 * @start: first byte, relative to the piece
 * @buffer: (out caller-allocates): where to copy to
 * @length: bytes to copy
 * @error: a #GError (a spill file that cannot be read)
 *
 * Copies inserted bytes. FILE pieces are read by the document.
 *
 * Returns: %TRUE on success
 */
gboolean
hm_piece_copy (const HmPiece *piece,
               guint64        start,
               guint8        *buffer,
               gsize          length,
               GError       **error)
{
  HmPieceSource *source = piece->source;

  g_assert (start + length <= piece->length);
  switch (piece->kind)
    {
    case HM_PIECE_MEMORY:
      memcpy (buffer, source->data + piece->start + start, length);
      return TRUE;

    case HM_PIECE_PATTERN:
      {
        gsize p = (gsize) ((piece->start + start) % source->length);
        gsize done = 0;

        while (done < length)
          {
            gsize n = MIN (source->length - p, length - done);

            memcpy (buffer + done, source->data + p, n);
            done += n;
            p = 0;
          }
      }
      return TRUE;

    case HM_PIECE_SPILL:
      {
        gsize done = 0;

        while (done < length)
          {
            ssize_t n = pread (source->fd, buffer + done, length - done,
                               (off_t) (piece->start + start + done));

            if (n < 0 && errno == EINTR)
              continue;
            if (n <= 0)
              {
                int saved_errno = n < 0 ? errno : EIO;

                g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                             _("Cannot read inserted bytes back from their temporary file: %s"),
                             g_strerror (saved_errno));
                return FALSE;
              }
            done += (gsize) n;
          }
      }
      return TRUE;

    case HM_PIECE_FILE:
    default:
      g_assert_not_reached ();
    }
}

/**
 * hm_piece_is_zeros:
 * @piece: a piece
 *
 * Returns: %TRUE for a pattern of zero bytes: shown and skipped as a hole
 */
gboolean
hm_piece_is_zeros (const HmPiece *piece)
{
  if (piece->kind != HM_PIECE_PATTERN)
    return FALSE;
  for (gsize i = 0; i < piece->source->length; i++)
    if (piece->source->data[i] != 0)
      return FALSE;
  return TRUE;
}

/* Whether @b continues @a, so the two can be one piece. */
static gboolean
pieces_continue (const HmPiece *a,
                 const HmPiece *b)
{
  if (a->kind != b->kind || a->source != b->source)
    return FALSE;
  if (a->kind == HM_PIECE_PATTERN)
    return (a->start + a->length) % a->source->length == b->start;
  return a->start + a->length == b->start;
}

/* ---- The treap ---- */

static inline guint64
node_sum (const Node *node)
{
  return node != NULL ? node->sum : 0;
}

static inline guint32
node_count (const Node *node)
{
  return node != NULL ? node->count : 0;
}

static inline void
node_update (Node *node)
{
  node->sum = node_sum (node->left) + node->piece.length + node_sum (node->right);
  node->count = node_count (node->left) + 1 + node_count (node->right);
}

static guint32
next_priority (HmPieceTable *self)
{
  /* xorshift32: the shape only needs to be unpredictable to the edits */
  guint32 x = self->seed;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  self->seed = x;
  return x;
}

/* Takes over the reference of @piece. */
static Node *
node_new (HmPieceTable *self,
          HmPiece       piece)
{
  Node *node = g_new0 (Node, 1);

  node->piece = piece;
  node->priority = next_priority (self);
  node_update (node);
  return node;
}

static void
node_free_tree (Node *node)
{
  while (node != NULL)
    {
      Node *right = node->right;

      node_free_tree (node->left);
      hm_piece_clear (&node->piece);
      g_free (node);
      node = right;
    }
}

static Node *
merge (Node *a,
       Node *b)
{
  if (a == NULL)
    return b;
  if (b == NULL)
    return a;
  if (a->priority >= b->priority)
    {
      a->right = merge (a->right, b);
      node_update (a);
      return a;
    }
  b->left = merge (a, b->left);
  node_update (b);
  return b;
}

/* Splits @node into the first @pos bytes and the rest, cutting a piece if needed. */
static void
split (HmPieceTable *self,
       Node         *node,
       guint64       pos,
       Node        **left,
       Node        **right)
{
  guint64 before;

  if (node == NULL)
    {
      *left = *right = NULL;
      return;
    }

  before = node_sum (node->left);
  if (pos <= before)
    {
      split (self, node->left, pos, left, &node->left);
      node_update (node);
      *right = node;
    }
  else if (pos >= before + node->piece.length)
    {
      split (self, node->right, pos - before - node->piece.length, &node->right, right);
      node_update (node);
      *left = node;
    }
  else
    {
      guint64 cut = pos - before;
      HmPiece tail = hm_piece_slice (&node->piece, cut, node->piece.length - cut);
      Node *rest = node->right;

      node->piece.length = cut;
      node->right = NULL;
      node_update (node);
      *left = node;
      *right = merge (node_new (self, tail), rest);
    }
}

/* Detaches the first (or last) node of @node's tree. */
static Node *
pop_end (Node  *node,
         Node **popped,
         gboolean last)
{
  Node **child = last ? &node->right : &node->left;

  if (*child == NULL)
    {
      *popped = node;
      node = last ? node->left : node->right;
      (*popped)->left = (*popped)->right = NULL;
      node_update (*popped);
      return node;
    }
  *child = pop_end (*child, popped, last);
  node_update (node);
  return node;
}

/* Moves the pieces of a tree into @out (or drops them), freeing its nodes. */
static void
take_pieces (Node   *node,
             GArray *out)
{
  while (node != NULL)
    {
      Node *right = node->right;

      take_pieces (node->left, out);
      if (out != NULL)
        g_array_append_val (out, node->piece);
      else
        hm_piece_clear (&node->piece);
      g_free (node);
      node = right;
    }
}

/* Joins the pieces on either side of @pos if the second continues the first. */
static void
join_at (HmPieceTable *self,
         guint64       pos)
{
  Node *left;
  Node *right;
  Node *a;
  Node *b;

  if (pos == 0 || pos >= node_sum (self->root))
    return;

  split (self, self->root, pos, &left, &right);
  left = pop_end (left, &a, TRUE);
  right = pop_end (right, &b, FALSE);
  if (pieces_continue (&a->piece, &b->piece))
    {
      a->piece.length += b->piece.length;
      node_update (a);
      hm_piece_clear (&b->piece);
      g_free (b);
      self->root = merge (merge (left, a), right);
    }
  else
    self->root = merge (merge (merge (left, a), b), right);
}

/* ---- The table ---- */

/**
 * hm_piece_table_new:
 * @file_size: the size of the file: the content is one FILE piece over it
 *
 * Returns: (transfer full): a table showing the file as it is
 */
HmPieceTable *
hm_piece_table_new (guint64 file_size)
{
  HmPieceTable *self = g_new0 (HmPieceTable, 1);

  self->seed = g_random_int () | 1;
  self->spill_threshold = SPILL_THRESHOLD;
  if (file_size > 0)
    {
      HmPiece whole = { HM_PIECE_FILE, 0, file_size, NULL };

      self->root = node_new (self, whole);
    }
  return self;
}

void
hm_piece_table_free (HmPieceTable *self)
{
  if (self == NULL)
    return;
  node_free_tree (self->root);
  hm_piece_source_unref (self->append);
  g_free (self);
}

guint64
hm_piece_table_get_size (HmPieceTable *self)
{
  return node_sum (self->root);
}

guint
hm_piece_table_get_n_pieces (HmPieceTable *self)
{
  return node_count (self->root);
}

/**
 * hm_piece_table_is_identity:
 * @self: a table
 * @file_size: the file's size
 *
 * Returns: %TRUE if the content is the file itself, with nothing inserted,
 *   deleted or moved
 */
gboolean
hm_piece_table_is_identity (HmPieceTable *self,
                            guint64       file_size)
{
  if (self->root == NULL)
    return file_size == 0;
  return self->root->count == 1 && self->root->piece.kind == HM_PIECE_FILE &&
         self->root->piece.start == 0 && self->root->piece.length == file_size;
}

/**
 * hm_piece_table_make_bytes:
 * @self: a table
 * @data: (array length=length): bytes to insert
 * @length: at least 1
 * @piece: (out): a piece holding a copy of them
 * @error: a #GError (the temporary file for a large insert could not be written)
 *
 * Small inserts go to a shared append buffer, so a run of typing is one piece;
 * inserts of the spill threshold (1 MiB) or more go to a temporary file.
 *
 * Returns: %TRUE on success
 */
gboolean
hm_piece_table_make_bytes (HmPieceTable *self,
                           const guint8 *data,
                           gsize         length,
                           HmPiece      *piece,
                           GError      **error)
{
  HmPieceSource *source;

  g_assert (length > 0);

  if (length >= self->spill_threshold)
    {
      source = spill_new (data, length, error);
      if (source == NULL)
        return FALSE;
      piece->kind = HM_PIECE_SPILL;
      piece->start = 0;
      piece->length = length;
      piece->source = source;
      return TRUE;
    }

  source = self->append;
  if (source == NULL || source->capacity - source->length < length)
    {
      hm_piece_source_unref (self->append);
      source = self->append = source_new (HM_PIECE_MEMORY);
      source->capacity = MAX ((gsize) APPEND_CAPACITY, length);
      source->data = g_malloc (source->capacity);
      self->source_bytes += source->capacity;
    }
  /* Bytes past source->length belong to no piece yet: no reader looks at them. */
  memcpy (source->data + source->length, data, length);
  piece->kind = HM_PIECE_MEMORY;
  piece->start = source->length;
  piece->length = length;
  piece->source = hm_piece_source_ref (source);
  source->length += length;
  return TRUE;
}

/**
 * hm_piece_table_make_pattern:
 * @pattern: (array length=pattern_length): the bytes to repeat
 * @pattern_length: at least 1
 * @length: the length of the piece
 *
 * Returns: a piece repeating @pattern from its first byte, costing only the pattern
 */
HmPiece
hm_piece_table_make_pattern (const guint8 *pattern,
                             gsize         pattern_length,
                             guint64       length)
{
  HmPieceSource *source = source_new (HM_PIECE_PATTERN);
  HmPiece piece = { HM_PIECE_PATTERN, 0, length, source };

  g_assert (pattern_length > 0);
  source->length = (gsize) MIN ((guint64) pattern_length, MAX (length, 1));
  source->data = g_memdup2 (pattern, source->length);
  return piece;
}

/**
 * hm_piece_table_replace:
 * @self: a table
 * @offset: where the change starts
 * @remove_length: bytes to remove from @offset (inside the content)
 * @add: (array length=n_add): pieces to put there; the table takes references of
 *   its own
 * @n_add: how many
 * @removed: (nullable): an array from hm_piece_array_new() that receives the
 *   removed pieces, in order (each holding a reference)
 *
 * The one edit: removes a range and puts pieces in its place, joining neighbours
 * that continue each other. O(log n + pieces moved).
 */
void
hm_piece_table_replace (HmPieceTable  *self,
                        guint64        offset,
                        guint64        remove_length,
                        const HmPiece *add,
                        guint          n_add,
                        GArray        *removed)
{
  Node *left;
  Node *middle;
  Node *right;
  Node *added = NULL;
  guint64 added_length = 0;

  g_assert (offset <= node_sum (self->root));
  g_assert (remove_length <= node_sum (self->root) - offset);

  split (self, self->root, offset, &left, &right);
  split (self, right, remove_length, &middle, &right);
  take_pieces (middle, removed);

  for (guint i = 0; i < n_add; i++)
    {
      HmPiece piece = add[i];

      if (piece.length == 0)
        continue;
      added_length += piece.length;
      hm_piece_source_ref (piece.source);
      added = merge (added, node_new (self, piece));
    }

  self->root = merge (merge (left, added), right);

  /* Join inside the added run too: a caller may hand back pieces cut apart. */
  if (n_add > 1)
    {
      guint64 pos = offset;

      for (guint i = 0; i + 1 < n_add; i++)
        {
          pos += add[i].length;
          join_at (self, pos);
        }
    }
  join_at (self, offset + added_length);
  join_at (self, offset);
}

static void
collect (const Node *node,
         guint64     base,
         guint64     offset,
         guint64     end,
         GArray     *out)
{
  while (node != NULL)
    {
      guint64 start = base + node_sum (node->left);
      guint64 stop = start + node->piece.length;

      if (offset < start)
        collect (node->left, base, offset, end, out);
      if (start < end && stop > offset)
        {
          guint64 a = MAX (start, offset);
          guint64 b = MIN (stop, end);
          HmPieceSpan span = { a, hm_piece_slice (&node->piece, a - start, b - a) };

          g_array_append_val (out, span);
        }
      if (end <= stop)
        return;
      base = stop;
      node = node->right;
    }
}

static void
span_clear_func (gpointer data)
{
  hm_piece_clear (&((HmPieceSpan *) data)->piece);
}

/**
 * hm_piece_table_get_range:
 * @self: a table
 * @offset: first byte
 * @length: bytes; clamped to the content
 *
 * The pieces over a range, cut to it. They hold references, so they can be read
 * after the table changed (or was freed).
 *
 * Returns: (transfer full) (element-type HmPieceSpan): the spans, in order
 */
GArray *
hm_piece_table_get_range (HmPieceTable *self,
                          guint64       offset,
                          guint64       length)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (HmPieceSpan));
  guint64 size = node_sum (self->root);

  g_array_set_clear_func (out, span_clear_func);
  if (offset < size && length > 0)
    collect (self->root, 0, offset, offset + MIN (length, size - offset), out);
  return out;
}

/**
 * hm_piece_table_get_bytes_used:
 * @self: a table
 *
 * Returns: about the memory the tree and its append buffers hold (for benchmarks)
 */
gsize
hm_piece_table_get_bytes_used (HmPieceTable *self)
{
  return sizeof *self + node_count (self->root) * (sizeof (Node) + 2 * sizeof (gsize))
         + self->source_bytes;
}

void
_hm_piece_table_set_spill_threshold (HmPieceTable *self,
                                     gsize         threshold)
{
  self->spill_threshold = threshold > 0 ? threshold : SPILL_THRESHOLD;
}

static void
validate_node (const Node    *node,
               const HmPiece **previous)
{
  if (node == NULL)
    return;
  validate_node (node->left, previous);

  g_assert_cmpuint (node->piece.length, >, 0);
  g_assert_cmpuint (node->sum, ==, node_sum (node->left) + node->piece.length + node_sum (node->right));
  g_assert_cmpuint (node->count, ==, node_count (node->left) + 1 + node_count (node->right));
  if (node->left != NULL)
    g_assert_cmpuint (node->left->priority, <=, node->priority);
  if (node->right != NULL)
    g_assert_cmpuint (node->right->priority, <=, node->priority);
  g_assert ((node->piece.kind == HM_PIECE_FILE) == (node->piece.source == NULL));
  if (node->piece.kind == HM_PIECE_MEMORY)
    g_assert_cmpuint (node->piece.start + node->piece.length, <=, node->piece.source->length);
  if (node->piece.kind == HM_PIECE_PATTERN)
    g_assert_cmpuint (node->piece.start, <, node->piece.source->length);
  if (*previous != NULL)
    g_assert (!pieces_continue (*previous, &node->piece));
  *previous = &node->piece;

  validate_node (node->right, previous);
}

/* Checks every invariant of the tree; aborts on a violation. */
void
_hm_piece_table_validate (HmPieceTable *self)
{
  const HmPiece *previous = NULL;

  validate_node (self->root, &previous);
}

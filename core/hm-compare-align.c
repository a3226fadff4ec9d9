/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The insertion-aware compare (%HM_COMPARE_INSERTIONS): hunks that turn the
 * first document (A) into the second (B).
 *
 * Why this method. A full shortest-edit-script diff (Myers' O(ND)) needs time
 * proportional to the file size times the number of differing bytes, so one
 * 10 MiB insertion in a 1 GiB file is out of reach; suffix-array differs
 * (bsdiff) need several bytes of memory per byte of input. What we want from a
 * hex editor is different anyway: where the files fall out of step and where
 * they come back into step, exactly, with memory that does not grow with the
 * files. So the compare walks both files in step, like cmp, and at each byte
 * where they disagree looks for the nearest point where they agree again (a
 * "resync": at least 32 equal bytes, or both ends), reports the region in
 * between as one hunk and walks on from there. A hunk is only the bounding box
 * of an edit, so no edit script (and no trace memory) is ever built.
 *
 * Candidate resyncs are found in two steps:
 *   1. Myers' greedy furthest-reaching search, bounded to 64 edits over 4 KiB
 *      windows: snakes of 32 equal bytes (or running to the end of a file).
 *      Exact and cheap (O(D^2) time, a few hundred bytes) for the common small
 *      edits, and right even when two small edits lie close together.
 *   2. Anchors, rsync-style, for longer edits: the 32-byte blocks of the A
 *      window (at multiples of 32 from the mismatch) go into a hash table; a
 *      rolling buzhash visits every position of the B window; a hit is checked
 *      with memcmp and extended backwards to the exact end of the edit.
 *      Windows grow 16 KiB, 128 KiB, 1 MiB, ... up to the memory bound; the
 *      candidates are taken once no better one could hide past the window.
 * The resync taken is the cheapest (fewest bytes in the hunk), so a pure
 * insertion comes back with A length 0 and a deletion with B length 0; only
 * where low-entropy data (runs of zeros) makes the same bytes readable two ways
 * does a slightly costlier reading win: see choose().
 *
 * Both windows and the table together stay within the memory bound (2 W for
 * the windows, at most W for the table, so W is a third of the bound). When
 * neither step finds a resync within the largest windows, both windows become
 * one hunk flagged %HM_HUNK_UNALIGNED and the walk resumes after them; hunks
 * that touch (or are parted by fewer than 32 equal bytes from an unaligned one)
 * are merged, so a region too different to align comes back as one hunk.
 *
 * Guarantees: the bytes between hunks are equal in A and B (they were compared),
 * so applying the hunks to A gives B exactly. Edits with at least 64 equal,
 * non-repetitive bytes between them come back one hunk each with their exact
 * inserted, deleted or changed lengths. Stretches where both files have holes
 * are skipped without reading.
 */
#include "config.h"

#include "hm-compare-private.h"

#include "hm-document-private.h"

#include <string.h>

#define SYNC            32            /* equal bytes that mean "back in step" */
#define BLOCK           32            /* anchor block size */
#define GREEDY_D        64            /* edit distance the greedy search tries */
#define GREEDY_WINDOW   4096
#define FIRST_WINDOW    (16 * 1024)
#define WINDOW_GROWTH   8
#define STREAM_CHUNK    (1024 * 1024)
#define HOLE_SKIP_MIN   (64 * 1024)
#define BUFFER_ROUNDING (64 * 1024)
#define MAX_CANDIDATES  256

/* Which windows end where their file's range ends. */
#define END_A           1u
#define END_B           2u
#define END_BOTH        (END_A | END_B)
#define AGREEMENT_ENOUGH 512
#define HASH_MULTIPLIER G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)

typedef struct
{
  HmDocument *doc;
  guint64     end;         /* end of the compared range */
  guint8     *data;
  gsize       capacity;
  guint64     base;        /* file offset of data[0] */
  gsize       filled;
  /* The hole-map run last looked up: [run_start, run_end). */
  guint64     run_start;
  guint64     run_end;
  gboolean    run_is_hole;
} Side;

/* Where equal bytes start again, (x, y) from the mismatch, and how many follow
 * (up to the end of the windows). */
typedef struct
{
  gsize   x;
  gsize   y;
  gsize   length;
} Candidate;

typedef struct
{
  HmCompare    *self;
  GCancellable *cancellable;
  Side          a;
  Side          b;
  guint64       pa;
  guint64       pb;
  guint64       a_start;
  guint64       b_start;
  gsize         max_window;
  gsize         stream_chunk;
  guint64      *table;      /* anchor hash table: tag << 32 | block index + 1 */
  gsize         table_size;
  gint32        v[2 * GREEDY_D + 3];
  Candidate     candidates[MAX_CANDIDATES];
  guint         n_candidates;
  HmHunk        pending;
  gboolean      have_pending;
  gboolean      stop;       /* the hunk function said stop */
  GError       *error;
} Align;

/* --- memory ---------------------------------------------------------------- */

static void
account (Align *al)
{
  gsize used = al->a.capacity + al->b.capacity + al->table_size * sizeof (guint64) +
    sizeof al->v + sizeof al->candidates;

  g_assert (used <= al->self->max_memory);
  al->self->peak_memory = MAX (al->self->peak_memory, used);
}

/* --- reading --------------------------------------------------------------- */

/* Makes [pos, pos + n) of the side (clipped to its end) available and returns
 * a pointer to pos; *avail says how many bytes that is. The buffer keeps
 * bytes from pos on, never before: the walk only moves forward. */
static const guint8 *
side_get (Align   *al,
          Side    *s,
          guint64  pos,
          gsize    n,
          gsize   *avail)
{
  guint64 want_end = pos + MIN ((guint64) n, s->end - pos);

  g_assert (pos >= s->base && pos <= s->end);
  g_assert (want_end - pos <= al->max_window);

  if (want_end > s->base + s->filled)
    {
      gsize keep = pos < s->base + s->filled ? (gsize) (s->base + s->filled - pos) : 0;
      gsize need = (gsize) (want_end - pos);
      guint64 read_end;

      if (need > s->capacity)
        {
          gsize capacity = MIN (((need + BUFFER_ROUNDING - 1) / BUFFER_ROUNDING) * BUFFER_ROUNDING,
                                al->max_window);

          /* Move first: the copy realloc makes is then only what we keep. */
          if (keep > 0)
            memmove (s->data, s->data + (pos - s->base), keep);
          s->data = g_realloc (s->data, capacity);
          s->capacity = capacity;
          account (al);
        }
      else if (keep > 0)
        memmove (s->data, s->data + (pos - s->base), keep);
      s->base = pos;
      s->filled = keep;

      /* Read a stream chunk ahead, not the whole buffer: after a resync the
       * rest of the buffer moves to the front, and it should be short. */
      read_end = MAX (want_end, pos + MIN ((guint64) al->stream_chunk, s->end - pos));
      read_end = MIN (read_end, pos + s->capacity);
      if (!_hm_compare_read (s->doc, s->base + s->filled, s->data + s->filled,
                             (gsize) (read_end - (s->base + s->filled)), &al->error))
        return NULL;
      s->filled = (gsize) (read_end - s->base);
    }

  *avail = (gsize) (want_end - pos);
  return s->data + (pos - s->base);
}

/* Whether @pos lies in a hole; *hole_end: where that hole ends (clipped). */
static gboolean
side_in_hole (Side    *s,
              guint64  pos,
              guint64 *hole_end)
{
  if (pos < s->run_start || pos >= s->run_end)
    {
      s->run_is_hole = hm_document_is_hole (s->doc, pos, &s->run_end);
      s->run_start = pos;
      if (s->run_end <= pos)
        s->run_end = pos + 1;   /* past the end (the file shrank): data, let reading tell */
    }
  *hole_end = MIN (s->run_end, s->end);
  return s->run_is_hole;
}

/* --- hunks ------------------------------------------------------------------ */

static void
flush_pending (Align *al)
{
  HmCompare *self = al->self;

  if (!al->have_pending)
    return;
  al->have_pending = FALSE;
  self->n_differences++;
  if (al->pending.flags & HM_HUNK_UNALIGNED)
    self->n_unaligned++;
  if (self->hunk_func != NULL && !self->hunk_func (&al->pending, self->hunk_data))
    al->stop = TRUE;
}

static void
emit_hunk (Align       *al,
           guint64      a_length,
           guint64      b_length,
           HmHunkFlags  flags)
{
  HmHunk *p = &al->pending;

  if (al->have_pending)
    {
      guint64 gap_a = al->pa - (p->a_offset + p->a_length);
      guint64 gap_b = al->pb - (p->b_offset + p->b_length);

      /* Touching hunks are one; so are a few equal bytes next to a region too
       * different to align (chance agreement, not a resync). */
      if (gap_a == gap_b &&
          (gap_a == 0 || (((p->flags | flags) & HM_HUNK_UNALIGNED) && gap_a < SYNC)))
        {
          p->a_length = al->pa + a_length - p->a_offset;
          p->b_length = al->pb + b_length - p->b_offset;
          p->flags |= flags;
          return;
        }
      flush_pending (al);
      if (al->stop)
        return;
    }

  p->a_offset = al->pa;
  p->a_length = a_length;
  p->b_offset = al->pb;
  p->b_length = b_length;
  p->flags = flags;
  al->have_pending = TRUE;
}

/* --- choosing among resyncs ------------------------------------------------- */

static inline guint64
candidate_cost (const Candidate *c)
{
  return (guint64) c->x + c->y;
}

static inline gsize
candidate_shift (const Candidate *c)
{
  return c->x > c->y ? c->x - c->y : c->y - c->x;
}

/* Whether two candidates are two readings of the same bytes: their
 * agreements overlap in both files. */
static gboolean
candidates_overlap (const Candidate *c,
                    const Candidate *o)
{
  return c->x < o->x + o->length && o->x < c->x + c->length &&
         c->y < o->y + o->length && o->y < c->y + c->length;
}

/* Low-entropy data (zeros above all) makes some edits ambiguous: one changed
 * byte in a run of zeros also reads as "one byte inserted", followed by as
 * many equal zeros, and a deletion further on. Between such readings, the one
 * followed by the longer agreement wins (up to AGREEMENT_ENOUGH bytes: past
 * that both are convincing), then the one that keeps the files' alignment
 * (binary files are mostly edited in place), then the cheaper. */
static gboolean
candidate_better (const Candidate *c,
                  const Candidate *than)
{
  gsize length = MIN (c->length, (gsize) AGREEMENT_ENOUGH);
  gsize than_length = MIN (than->length, (gsize) AGREEMENT_ENOUGH);

  if (length != than_length)
    return length > than_length;
  if (candidate_shift (c) != candidate_shift (than))
    return candidate_shift (c) < candidate_shift (than);
  return candidate_cost (c) < candidate_cost (than);
}

/* The resync to take: the cheapest (fewest bytes in the hunk), unless another
 * reading of the same bytes, costing at most twice as much (a change of n
 * bytes costs 2n, the insertion reading n), is better. A candidate whose
 * agreement comes after the cheapest one's is a later resync, never chosen. */
static const Candidate *
choose (Align *al)
{
  const Candidate *best = NULL;
  guint64 cheapest;

  for (guint i = 0; i < al->n_candidates; i++)
    {
      const Candidate *c = &al->candidates[i];

      if (best == NULL || candidate_cost (c) < candidate_cost (best) ||
          (candidate_cost (c) == candidate_cost (best) && c->length > best->length))
        best = c;
    }
  g_assert (best != NULL);
  cheapest = candidate_cost (best);
  for (guint i = 0; i < al->n_candidates; i++)
    {
      const Candidate *c = &al->candidates[i];

      if (c != best && candidate_cost (c) <= 2 * cheapest &&
          candidates_overlap (c, best) && candidate_better (c, best))
        best = c;
    }
  return best;
}

/* Adds a candidate; when the list is full the costliest goes. */
static void
add_candidate (Align *al,
               gsize  x,
               gsize  y,
               gsize  length)
{
  Candidate c = { x, y, length };
  guint slot = al->n_candidates;

  if (slot == MAX_CANDIDATES)
    {
      slot = 0;
      for (guint i = 1; i < MAX_CANDIDATES; i++)
        if (candidate_cost (&al->candidates[i]) > candidate_cost (&al->candidates[slot]))
          slot = i;
      if (candidate_cost (&al->candidates[slot]) <= candidate_cost (&c))
        return;
    }
  else
    al->n_candidates++;
  al->candidates[slot] = c;
}

/* --- step 1: greedy O(ND) --------------------------------------------------- */

/* Myers' furthest-reaching D-paths from (0, 0), x in @a and y in @b, up to
 * GREEDY_D edits. Every snake of SYNC equal bytes, or one that runs to the
 * end of a range (@ends), is a candidate;
 * after the first one the search goes on to twice its distance, so that the
 * change reading of an edit can compete with the insertion reading. */
static gboolean
greedy (Align        *al,
        const guint8 *a,
        gsize         n,
        const guint8 *b,
        gsize         m,
        guint         ends)
{
  gint32 *v = al->v + GREEDY_D + 1;   /* v[k] for k in [-D-1, D+1] */
  gint32 last_d = GREEDY_D;

  al->n_candidates = 0;
  for (gint32 k = -GREEDY_D - 1; k <= GREEDY_D + 1; k++)
    v[k] = -1;

  for (gint32 d = 0; d <= last_d; d++)
    for (gint32 k = -d; k <= d; k += 2)
      {
        gint64 x = -1, y;
        gint64 start;

        if (d == 0)
          x = 0;
        else
          {
            /* From diagonal k - 1 by skipping a byte of A, or from k + 1 by
             * taking a byte of B; the one reaching further, if inside. */
            if (k > -d && v[k - 1] >= 0)
              {
                gint64 cx = (gint64) v[k - 1] + 1;

                if (cx <= (gint64) n && cx - k >= 0 && cx - k <= (gint64) m)
                  x = cx;
              }
            if (k < d && v[k + 1] >= 0)
              {
                gint64 cx = v[k + 1];

                if (cx > x && cx <= (gint64) n && cx - k >= 0 && cx - k <= (gint64) m)
                  x = cx;
              }
          }
        if (x < 0)
          {
            v[k] = -1;
            continue;
          }

        y = x - k;
        start = x;
        {
          gsize run = _hm_compare_equal_span (a + x, b + y, MIN (n - (gsize) x, m - (gsize) y));

          x += (gint64) run;
          y += (gint64) run;
        }
        v[k] = (gint32) x;

        if ((x - start >= SYNC ||
             ((ends & END_A) && x == (gint64) n) || ((ends & END_B) && y == (gint64) m)) &&
            (start > 0 || start - k > 0))
          {
            add_candidate (al, (gsize) start, (gsize) (start - k), (gsize) (x - start));
            if (al->n_candidates == 1)
              last_d = MIN (GREEDY_D, 2 * d + 1);
          }
      }

  return al->n_candidates > 0;
}

/* --- step 2: anchors ---------------------------------------------------------- */

static guint64 buz_table[256];

static gpointer
init_buz_table (gpointer data)
{
  guint64 state = G_GUINT64_CONSTANT (0x243f6a8885a308d3);

  /* splitmix64: fixed, well-mixed values. */
  for (guint i = 0; i < 256; i++)
    {
      guint64 z = (state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

      z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
      z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
      buz_table[i] = z ^ (z >> 31);
    }
  return NULL;
}

static inline guint64
rotl64 (guint64 x,
        guint   r)
{
  r &= 63;
  return r == 0 ? x : (x << r) | (x >> (64 - r));
}

static guint64
block_hash (const guint8 *p)
{
  guint64 h = 0;

  for (guint i = 0; i < BLOCK; i++)
    h = rotl64 (h, 1) ^ buz_table[p[i]];
  return h;
}

static inline guint64
roll_hash (guint64 h,
           guint8  out,
           guint8  in)
{
  return rotl64 (h, 1) ^ rotl64 (buz_table[out], BLOCK) ^ buz_table[in];
}

static guint
table_bits_for (gsize n_blocks)
{
  guint bits = 6;

  while (((gsize) 1 << bits) < 2 * n_blocks)
    bits++;
  return bits;
}

/* Whether (x, y) lies inside the agreement of a candidate already found. */
static gboolean
known_agreement (Align *al,
                 gsize  x,
                 gsize  y)
{
  for (guint i = 0; i < al->n_candidates; i++)
    {
      const Candidate *c = &al->candidates[i];

      if (c->x - c->y == x - y && x >= c->x && x < c->x + c->length)
        return TRUE;
    }
  return FALSE;
}

/* The resync that keeps the files' alignment, if one starts within @limit
 * bytes: the first SYNC equal bytes at the same distance from the mismatch in
 * both files. The searches above can miss it: Myers' furthest-reaching paths
 * run past it along a neighbouring diagonal in a run of zeros, and the anchor
 * table keeps only the first of identical blocks. */
static void
add_aligned_candidate (Align        *al,
                       const guint8 *a,
                       gsize         n,
                       const guint8 *b,
                       gsize         m,
                       guint         ends,
                       guint64       limit)
{
  gsize end = MIN (n, m);
  gsize x = 1;

  if (limit < G_MAXUINT64)
    end = (gsize) MIN ((guint64) end, limit + SYNC);
  while (x < end)
    {
      gsize same = _hm_compare_equal_span (a + x, b + x, MIN (n, m) - x);

      if (same >= SYNC || ((ends & END_A) && x + same == n) || ((ends & END_B) && x + same == m))
        {
          if (x <= limit && !known_agreement (al, x, x))
            add_candidate (al, x, x, same);
          return;
        }
      x += same;
      if (x < end)
        x += _hm_compare_differ_span (a + x, b + x, end - x);
    }
}

/* Collects the resyncs visible in the windows into al->candidates; returns
 * the cost of the cheapest (G_MAXUINT64: none). */
static guint64
anchors (Align        *al,
         const guint8 *a,
         gsize         n,
         const guint8 *b,
         gsize         m,
         guint         ends)
{
  gsize n_blocks = n / BLOCK;
  guint64 cheapest = G_MAXUINT64;
  guint64 budget;
  guint bits;
  gsize mask;
  guint64 h;

  al->n_candidates = 0;
  /* Both ends are a resync: the rest of A replaced by the rest of B. */
  if (ends == END_BOTH)
    {
      add_candidate (al, n, m, 0);
      cheapest = (guint64) n + m;
    }
  if (n_blocks == 0 || m < BLOCK)
    return cheapest;

  bits = table_bits_for (n_blocks);
  if (((gsize) 1 << bits) > al->table_size)
    {
      g_free (al->table);
      al->table_size = (gsize) 1 << bits;
      al->table = g_new (guint64, al->table_size);
      account (al);
    }
  mask = ((gsize) 1 << bits) - 1;
  memset (al->table, 0, ((gsize) 1 << bits) * sizeof (guint64));

  for (gsize i = 0; i < n_blocks; i++)
    {
      guint64 bh = block_hash (a + i * BLOCK);
      gsize idx = (gsize) ((bh * HASH_MULTIPLIER) >> (64 - bits));
      guint32 tag = (guint32) bh;
      gboolean duplicate = FALSE;

      /* Keep the first of identical blocks: the nearest is the cheapest. */
      while (al->table[idx] != 0)
        {
          guint64 e = al->table[idx];

          if ((guint32) (e >> 32) == tag &&
              memcmp (a + ((e & G_MAXUINT32) - 1) * BLOCK, a + i * BLOCK, BLOCK) == 0)
            {
              duplicate = TRUE;
              break;
            }
          idx = (idx + 1) & mask;
        }
      if (!duplicate)
        al->table[idx] = ((guint64) tag << 32) | (guint64) (i + 1);
    }

  /* Every position of B. A candidate found later starts later in B, so once
   * the position passes twice the cheapest cost (plus the slack of block
   * alignment) no eligible one can come. Repetitive data could make
   * candidates many: the bytes spent checking them are budgeted. */
  budget = 4 * ((guint64) n + m) + 65536;
  h = block_hash (b);
  for (gsize j = 0; j + BLOCK <= m; j++)
    {
      gsize idx;
      guint32 tag;

      if (j > 0)
        h = roll_hash (h, b[j - 1], b[j + BLOCK - 1]);
      if (cheapest != G_MAXUINT64 && (guint64) j > 2 * cheapest + 2 * BLOCK)
        break;

      idx = (gsize) ((h * HASH_MULTIPLIER) >> (64 - bits));
      tag = (guint32) h;
      while (al->table[idx] != 0)
        {
          guint64 e = al->table[idx];

          if ((guint32) (e >> 32) == tag)
            {
              gsize x = (gsize) ((e & G_MAXUINT32) - 1) * BLOCK;
              gsize y = j;
              gsize shift = x > y ? x - y : y - x;

              /* cost >= |x - y| whatever the extension back. */
              if (shift <= 2 * cheapest && !known_agreement (al, x, y) &&
                  memcmp (a + x, b + y, BLOCK) == 0)
                {
                  gsize back = 0, ahead;

                  while (x > 0 && y > 0 && a[x - 1] == b[y - 1])
                    {
                      x--;
                      y--;
                      back++;
                    }
                  ahead = _hm_compare_equal_span (a + x + back + BLOCK, b + y + back + BLOCK,
                                                  MIN (n - x - back, m - y - back) - BLOCK);
                  add_candidate (al, x, y, back + BLOCK + ahead);
                  cheapest = MIN (cheapest, (guint64) x + y);
                  budget -= MIN (budget, back + BLOCK + ahead);
                }
            }
          idx = (idx + 1) & mask;
        }
      if (budget == 0)
        break;
    }

  return cheapest;
}

/* --- the walk ------------------------------------------------------------------ */

/* At a mismatch at (pa, pb): reports the hunk up to the next resync (or an
 * unaligned one) and moves past it. FALSE on an error. */
static gboolean
resync (Align *al)
{
  const guint8 *a, *b;
  const Candidate *c;
  gsize na, nb, x, y;
  guint ends;
  gsize window;

  a = side_get (al, &al->a, al->pa, GREEDY_WINDOW, &na);
  if (a == NULL)
    return FALSE;
  b = side_get (al, &al->b, al->pb, GREEDY_WINDOW, &nb);
  if (b == NULL)
    return FALSE;
  ends = (al->pa + na == al->a.end ? END_A : 0) | (al->pb + nb == al->b.end ? END_B : 0);
  if (greedy (al, a, na, b, nb, ends))
    {
      guint64 cheapest = G_MAXUINT64;

      for (guint i = 0; i < al->n_candidates; i++)
        cheapest = MIN (cheapest, candidate_cost (&al->candidates[i]));
      add_aligned_candidate (al, a, na, b, nb, ends, cheapest);
      goto found;
    }

  for (window = MIN ((gsize) FIRST_WINDOW, al->max_window); ;
       window = MIN (window * WINDOW_GROWTH, al->max_window))
    {
      guint64 cheapest;

      a = side_get (al, &al->a, al->pa, window, &na);
      if (a == NULL)
        return FALSE;
      b = side_get (al, &al->b, al->pb, window, &nb);
      if (b == NULL)
        return FALSE;
      ends = (al->pa + na == al->a.end ? END_A : 0) | (al->pb + nb == al->b.end ? END_B : 0);

      /* Eligible candidates cost at most twice the cheapest: all of them are
       * in sight when that fits the window. */
      cheapest = anchors (al, a, na, b, nb, ends);
      if (cheapest != G_MAXUINT64)
        add_aligned_candidate (al, a, na, b, nb, ends, cheapest);
      if (cheapest != G_MAXUINT64 &&
          (2 * cheapest + 2 * BLOCK <= window || window == al->max_window || ends == END_BOTH))
        goto found;
      if (window == al->max_window)
        break;
      if (g_cancellable_set_error_if_cancelled (al->cancellable, &al->error))
        return FALSE;
    }

  /* Too different within the memory bound: all of both windows. */
  emit_hunk (al, na, nb, HM_HUNK_UNALIGNED);
  al->pa += na;
  al->pb += nb;
  return TRUE;

found:
  c = choose (al);
  x = c->x;
  y = c->y;
  /* The greedy search may reach a snake's start by an edit where equal bytes
   * would do: move back to the edit's true end. */
  while (x > 0 && y > 0 && a[x - 1] == b[y - 1])
    {
      x--;
      y--;
    }
  g_assert (x > 0 || y > 0);
  emit_hunk (al, x, y, HM_HUNK_NONE);
  al->pa += x;
  al->pb += y;
  return TRUE;
}

static void
walk (Align *al)
{
  HmCompare *self = al->self;
  guint64 total = (al->a.end - al->a_start) + (al->b.end - al->b_start);

  while (!al->stop && al->pa < al->a.end && al->pb < al->b.end)
    {
      const guint8 *a, *b;
      guint64 a_hole_end, b_hole_end;
      gsize na, nb, n, same;

      if (g_cancellable_set_error_if_cancelled (al->cancellable, &al->error))
        return;
      _hm_compare_progress (self, (al->pa - al->a_start) + (al->pb - al->b_start), total, FALSE);

      /* Holes against holes: skip without reading. */
      if (side_in_hole (&al->a, al->pa, &a_hole_end) &&
          side_in_hole (&al->b, al->pb, &b_hole_end))
        {
          guint64 skip = MIN (a_hole_end - al->pa, b_hole_end - al->pb);

          if (skip >= HOLE_SKIP_MIN)
            {
              al->pa += skip;
              al->pb += skip;
              continue;
            }
        }

      a = side_get (al, &al->a, al->pa, al->stream_chunk, &na);
      if (a == NULL)
        return;
      b = side_get (al, &al->b, al->pb, al->stream_chunk, &nb);
      if (b == NULL)
        return;
      n = MIN (na, nb);
      same = _hm_compare_equal_span (a, b, n);
      al->pa += same;
      al->pb += same;
      if (same < n && !resync (al))
        return;
    }

  /* One file ended: the rest of the other is one more hunk. */
  if (!al->stop && (al->pa < al->a.end || al->pb < al->b.end))
    {
      emit_hunk (al, al->a.end - al->pa, al->b.end - al->pb, HM_HUNK_NONE);
      al->pa = al->a.end;
      al->pb = al->b.end;
    }
}

gboolean
_hm_compare_run_insertions (HmCompare     *self,
                            GCancellable  *cancellable,
                            GError       **error)
{
  static GOnce buz_once = G_ONCE_INIT;
  Align al = { 0 };
  gsize fixed = sizeof al.v + sizeof al.candidates;
  guint64 total;

  g_once (&buz_once, init_buz_table, NULL);

  al.self = self;
  al.cancellable = cancellable;
  al.a.doc = self->a;
  al.b.doc = self->b;
  _hm_compare_get_range (self, self->a, &al.a_start, &al.a.end);
  _hm_compare_get_range (self, self->b, &al.b_start, &al.b.end);
  al.a.base = al.a.run_start = al.a.run_end = al.pa = al.a_start;
  al.b.base = al.b.run_start = al.b.run_end = al.pb = al.b_start;
  /* Two windows of W and a table of at most W bytes. */
  al.max_window = ((self->max_memory - fixed) / 3 / BLOCK) * BLOCK;
  al.stream_chunk = MIN (MIN ((gsize) STREAM_CHUNK, self->chunk_size), al.max_window);
  total = (al.a.end - al.a_start) + (al.b.end - al.b_start);
  account (&al);

  if (!g_cancellable_set_error_if_cancelled (cancellable, &al.error))
    walk (&al);

  if (al.error == NULL && !al.stop &&
      _hm_compare_check_end (self->a, al.a_start, al.a.end, &al.error) &&
      _hm_compare_check_end (self->b, al.b_start, al.b.end, &al.error))
    {
      flush_pending (&al);
      _hm_compare_progress (self, total, total, TRUE);
    }

  g_free (al.a.data);
  g_free (al.b.data);
  g_free (al.table);

  if (al.error != NULL)
    {
      g_propagate_error (error, al.error);
      return FALSE;
    }
  return TRUE;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The edit journal against a plain reference model. The test plays the document:
 * it keeps a "file" buffer and stores into it what the journal's steps say, while
 * the model keeps full snapshots of every state. Set HM_TEST_SEED to replay a run.
 */
#include "config.h"

#include "hm-journal.h"

#include <string.h>

/* Model */

#define FILE_SIZE 192

typedef struct
{
  guint8 bytes[FILE_SIZE];
} State;

typedef struct
{
  GRand     *rand;
  guint32    seed;
  guint      step;
  HmJournal *journal;

  guint8     file[FILE_SIZE];       /* what the journal's steps produce */

  GArray    *states;                /* State: the model's history, states[pos] is current */
  guint      pos;
  GArray    *baseline_states;       /* the history that led to the baseline */
  State      baseline;
  gboolean   committed[FILE_SIZE];

  gboolean   run_open;              /* the model's idea of an open typing run */
  guint64    run_offset;
  guint64    run_length;
  guint      cursor;                /* typing position */
} Model;

#define MODEL_CHECK(m, cond)                                                     \
  G_STMT_START                                                                   \
  {                                                                              \
    if (!(cond))                                                                 \
      {                                                                          \
        g_test_message ("journal model failed: HM_TEST_SEED=%u, step %u: %s",   \
                        (m)->seed, (m)->step, #cond);                            \
        g_assert (cond);                                                         \
      }                                                                          \
  }                                                                              \
  G_STMT_END

static guint32
test_seed (void)
{
  const char *env = g_getenv ("HM_TEST_SEED");

  if (env != NULL && *env != '\0')
    return (guint32) g_ascii_strtoull (env, NULL, 0);
  return g_test_rand_int ();
}

static State *
model_current (Model *m)
{
  return &g_array_index (m->states, State, m->pos);
}

static void
model_init (Model   *m,
            guint32  seed,
            gboolean small_limits)
{
  State initial;

  memset (m, 0, sizeof *m);
  m->seed = seed;
  m->rand = g_rand_new_with_seed (seed);
  m->journal = hm_journal_new ();
  if (small_limits)
    _hm_journal_set_limits (m->journal, 8, 6);
  for (guint i = 0; i < FILE_SIZE; i++)
    initial.bytes[i] = g_rand_int_range (m->rand, 0, 4);
  memcpy (m->file, initial.bytes, FILE_SIZE);
  m->states = g_array_new (FALSE, FALSE, sizeof (State));
  g_array_append_val (m->states, initial);
  m->baseline_states = g_array_new (FALSE, FALSE, sizeof (State));
  g_array_append_val (m->baseline_states, initial);
  m->baseline = initial;
}

static void
model_clear (Model *m)
{
  g_clear_pointer (&m->journal, hm_journal_free);
  g_clear_pointer (&m->states, g_array_unref);
  g_clear_pointer (&m->baseline_states, g_array_unref);
  g_clear_pointer (&m->rand, g_rand_free);
}

/* A new state, or with @merge the current one changed in place */
static void
model_push (Model       *m,
            const State *state,
            gboolean     merge)
{
  if (merge)
    {
      *model_current (m) = *state;
      return;
    }
  g_array_set_size (m->states, m->pos + 1);
  g_array_append_vals (m->states, state, 1);
  m->pos++;
}

static void
do_write (Model       *m,
          guint64      offset,
          const guint8 *data,
          gsize        length,
          HmEditFlags  flags)
{
  guint8 old[FILE_SIZE];
  State state = *model_current (m);
  gboolean merge = FALSE;

  if (length == 0)
    {
      /* records nothing, and leaves a typing run open */
      hm_journal_record (m->journal, offset, NULL, NULL, 0, flags);
      return;
    }

  memcpy (old, m->file + offset, length);
  memcpy (m->file + offset, data, length);
  hm_journal_record (m->journal, offset, old, data, length, flags);

  memcpy (state.bytes + offset, data, length);
  if ((flags & HM_EDIT_COALESCE) != 0)
    {
      if (m->run_open && offset <= m->run_offset + m->run_length
          && offset + length > m->run_offset)
        {
          guint64 end = MAX (offset + length, m->run_offset + m->run_length);

          merge = TRUE;
          m->run_offset = MIN (offset, m->run_offset);
          m->run_length = end - m->run_offset;
        }
      else
        {
          m->run_open = TRUE;
          m->run_offset = offset;
          m->run_length = length;
        }
    }
  else
    m->run_open = FALSE;
  model_push (m, &state, merge);
}

static void
do_fill (Model        *m,
         guint64       offset,
         gsize         length,
         const guint8 *pattern,
         gsize         pattern_length)
{
  guint8 old[FILE_SIZE];
  State state = *model_current (m);

  memcpy (old, m->file + offset, length);
  for (gsize i = 0; i < length; i++)
    m->file[offset + i] = pattern[i % pattern_length];
  hm_journal_record_fill (m->journal, offset, old, length, pattern, pattern_length);

  memcpy (state.bytes + offset, m->file + offset, length);
  m->run_open = FALSE;
  model_push (m, &state, FALSE);
}

/* Stores a step's bytes into the file in random pieces, as windows would split it */
static void
store_step (Model               *m,
            const HmJournalStep *step,
            gboolean             use_old)
{
  guint64 offset = hm_journal_step_get_offset (step);
  guint64 length = hm_journal_step_get_length (step);
  guint64 done = 0;

  while (done < length)
    {
      gsize n = g_rand_int_range (m->rand, 1, (gint32) (length - done) + 1);

      if (use_old)
        hm_journal_step_copy_old (step, done, m->file + offset + done, n);
      else
        hm_journal_step_copy_new (step, done, m->file + offset + done, n);
      done += n;
    }
}

static void
do_undo (Model   *m,
         gboolean fail)
{
  const HmJournalStep *step = hm_journal_peek_undo (m->journal);

  m->run_open = FALSE;
  MODEL_CHECK (m, (step != NULL) == (m->pos > 0));
  if (step == NULL)
    return;

  MODEL_CHECK (m, memcmp (hm_journal_step_get_old_data (step),
                          g_array_index (m->states, State, m->pos - 1).bytes
                            + hm_journal_step_get_offset (step),
                          hm_journal_step_get_length (step)) == 0);
  if (fail)
    return;  /* the store faulted: the journal must not move */

  store_step (m, step, TRUE);
  hm_journal_commit_undo (m->journal);
  m->pos--;
}

static void
do_redo (Model   *m,
         gboolean fail)
{
  const HmJournalStep *step = hm_journal_peek_redo (m->journal);

  m->run_open = FALSE;
  MODEL_CHECK (m, (step != NULL) == (m->pos + 1 < m->states->len));
  if (step == NULL || fail)
    return;

  store_step (m, step, FALSE);
  hm_journal_commit_redo (m->journal);
  m->pos++;
}

static void
do_commit (Model *m)
{
  for (guint i = 0; i < FILE_SIZE; i++)
    if (model_current (m)->bytes[i] != m->baseline.bytes[i])
      m->committed[i] = TRUE;

  hm_journal_mark_committed (m->journal);
  m->baseline = *model_current (m);
  g_array_set_size (m->baseline_states, 0);
  g_array_append_vals (m->baseline_states, m->states->data, m->pos + 1);
  m->run_open = FALSE;
}

static void
do_discard (Model *m)
{
  /* The document goes back to the baseline: here through copy_baseline */
  hm_journal_copy_baseline (m->journal, 0, m->file, FILE_SIZE);
  hm_journal_discard (m->journal);

  g_array_set_size (m->states, 0);
  g_array_append_vals (m->states, m->baseline_states->data, m->baseline_states->len);
  m->pos = m->states->len - 1;
  m->run_open = FALSE;
}

static void
check_ranges (Model        *m,
              GArray       *ranges,
              const gboolean *expected)
{
  gboolean got[FILE_SIZE] = { FALSE };

  for (guint i = 0; i < ranges->len; i++)
    {
      HmRange *range = &g_array_index (ranges, HmRange, i);

      MODEL_CHECK (m, range->length > 0);
      MODEL_CHECK (m, range->offset + range->length <= FILE_SIZE);
      if (i > 0)
        {
          HmRange *prev = &g_array_index (ranges, HmRange, i - 1);

          /* sorted and merged: a gap between any two */
          MODEL_CHECK (m, prev->offset + prev->length < range->offset);
        }
      for (guint64 j = range->offset; j < range->offset + range->length; j++)
        got[j] = TRUE;
    }
  for (guint i = 0; i < FILE_SIZE; i++)
    MODEL_CHECK (m, got[i] == expected[i]);
}

static void
model_check (Model *m)
{
  gboolean diff[FILE_SIZE];
  g_autoptr(GArray) pending = hm_journal_get_pending_ranges (m->journal);
  g_autoptr(GArray) committed = hm_journal_get_committed_ranges (m->journal);
  guint8 base[FILE_SIZE];
  guint n_diff = 0;

  _hm_journal_validate (m->journal);
  MODEL_CHECK (m, memcmp (m->file, model_current (m)->bytes, FILE_SIZE) == 0);
  MODEL_CHECK (m, hm_journal_can_undo (m->journal) == (m->pos > 0));
  MODEL_CHECK (m, hm_journal_can_redo (m->journal) == (m->pos + 1 < m->states->len));

  for (guint i = 0; i < FILE_SIZE; i++)
    {
      diff[i] = m->file[i] != m->baseline.bytes[i];
      n_diff += diff[i];
    }
  check_ranges (m, pending, diff);
  check_ranges (m, committed, m->committed);
  MODEL_CHECK (m, hm_journal_get_pending_bytes (m->journal) == n_diff);
  MODEL_CHECK (m, hm_journal_has_pending (m->journal) == (n_diff > 0));

  memcpy (base, m->file, FILE_SIZE);
  hm_journal_copy_baseline (m->journal, 0, base, FILE_SIZE);
  MODEL_CHECK (m, memcmp (base, m->baseline.bytes, FILE_SIZE) == 0);

  /* Random queries */
  for (guint q = 0; q < 4; q++)
    {
      guint offset = g_rand_int_range (m->rand, 0, FILE_SIZE + 8);
      guint length = g_rand_int_range (m->rand, 0, 24);
      gboolean expected = FALSE;
      HmRange range;
      gboolean found;
      guint next;

      for (guint i = offset; i < offset + length && i < FILE_SIZE; i++)
        expected |= diff[i];
      MODEL_CHECK (m, hm_journal_range_is_modified (m->journal, offset, length) == expected);

      for (next = offset; next < FILE_SIZE && !diff[next]; next++)
        ;
      found = hm_journal_next_modified (m->journal, offset, &range);
      MODEL_CHECK (m, found == (next < FILE_SIZE));
      if (found)
        {
          guint end;

          for (end = next; end < FILE_SIZE && diff[end]; end++)
            ;
          MODEL_CHECK (m, range.offset == next);
          MODEL_CHECK (m, range.offset + range.length == end);
        }
    }

  /* A partial baseline copy agrees too */
  {
    guint offset = g_rand_int_range (m->rand, 0, FILE_SIZE);
    guint length = g_rand_int_range (m->rand, 0, FILE_SIZE - offset + 1);

    memcpy (base, m->file, FILE_SIZE);
    hm_journal_copy_baseline (m->journal, offset, base + offset, length);
    for (guint i = 0; i < FILE_SIZE; i++)
      MODEL_CHECK (m, base[i] == (i >= offset && i < offset + length ? m->baseline.bytes[i]
                                                                     : m->file[i]));
  }
}

static void
model_random_step (Model *m)
{
  guint choice = g_rand_int_range (m->rand, 0, 100);
  guint8 data[FILE_SIZE];

  if (choice < 22)
    {
      /* An ordinary write, small values so bytes often go back to the baseline */
      guint offset = g_rand_int_range (m->rand, 0, FILE_SIZE);
      guint length = g_rand_int_range (m->rand, 0, MIN (FILE_SIZE - offset, 24u) + 1);

      for (guint i = 0; i < length; i++)
        data[i] = g_rand_int_range (m->rand, 0, 4);
      do_write (m, offset, data, length, HM_EDIT_NONE);
    }
  else if (choice < 44)
    {
      /* Typing: a nibble, then often the other nibble of the same byte, then move on */
      guint8 value;

      if (g_rand_int_range (m->rand, 0, 8) == 0)
        m->cursor = g_rand_int_range (m->rand, 0, FILE_SIZE);
      if (m->cursor >= FILE_SIZE)
        m->cursor = 0;

      value = (m->file[m->cursor] & 0x0f) | (g_rand_int_range (m->rand, 0, 2) << 4);
      do_write (m, m->cursor, &value, 1, HM_EDIT_COALESCE);
      if (g_rand_boolean (m->rand))
        {
          value = (value & 0xf0) | g_rand_int_range (m->rand, 0, 4);
          do_write (m, m->cursor, &value, 1, HM_EDIT_COALESCE);
        }
      /* sometimes typing goes back a byte, overlapping the run's start */
      if (g_rand_int_range (m->rand, 0, 6) == 0 && m->cursor > 0)
        m->cursor--;
      else
        m->cursor++;
    }
  else if (choice < 48)
    {
      /* A coalescing write of several bytes, possibly overlapping the run's front */
      guint offset = g_rand_int_range (m->rand, 0, FILE_SIZE);
      guint length = g_rand_int_range (m->rand, 1, MIN (FILE_SIZE - offset, 8u) + 1);

      for (guint i = 0; i < length; i++)
        data[i] = g_rand_int_range (m->rand, 0, 4);
      do_write (m, offset, data, length, HM_EDIT_COALESCE);
    }
  else if (choice < 56)
    {
      guint offset = g_rand_int_range (m->rand, 0, FILE_SIZE);
      guint length = g_rand_int_range (m->rand, 1, FILE_SIZE - offset + 1);
      guint pattern_length = g_rand_int_range (m->rand, 1, 6);

      for (guint i = 0; i < pattern_length; i++)
        data[i] = g_rand_int_range (m->rand, 0, 4);
      do_fill (m, offset, length, data, pattern_length);
    }
  else if (choice < 58)
    {
      hm_journal_break_coalescing (m->journal);
      m->run_open = FALSE;
    }
  else if (choice < 74)
    do_undo (m, g_rand_int_range (m->rand, 0, 8) == 0);
  else if (choice < 88)
    do_redo (m, g_rand_int_range (m->rand, 0, 8) == 0);
  else if (choice < 93)
    do_commit (m);
  else if (choice < 97)
    do_discard (m);
  else
    {
      hm_journal_clear_committed (m->journal);
      memset (m->committed, 0, sizeof m->committed);
    }
}

static void
test_journal_model (gconstpointer data)
{
  gboolean small_limits = GPOINTER_TO_INT (data);
  guint32 seed = test_seed ();
  guint rounds = g_getenv ("HM_TEST_SEED") != NULL ? 1 : (g_test_slow () ? 200 : 25);

  for (guint round = 0; round < rounds; round++)
    {
      Model m;

      model_init (&m, seed + round, small_limits);
      if (round == 0)
        g_test_message ("journal model: HM_TEST_SEED=%u (and on, one per round)", m.seed);
      for (m.step = 0; m.step < 3000; m.step++)
        {
          model_random_step (&m);
          model_check (&m);
        }
      model_clear (&m);
    }
}

/* Targeted tests */

static void
record_byte (HmJournal  *journal,
             guint8     *file,
             guint64     offset,
             guint8      value,
             HmEditFlags flags)
{
  guint8 old = file[offset];

  file[offset] = value;
  hm_journal_record (journal, offset, &old, &value, 1, flags);
}

static void
test_journal_coalesce (void)
{
  g_autoptr(HmJournal) journal = hm_journal_new ();
  guint8 file[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
  const HmJournalStep *step;
  guint8 bytes[4];

  /* Type "AB" "CD" over bytes 1 and 2, nibble by nibble */
  record_byte (journal, file, 1, 0xA2, HM_EDIT_COALESCE);
  record_byte (journal, file, 1, 0xAB, HM_EDIT_COALESCE);
  record_byte (journal, file, 2, 0xC3, HM_EDIT_COALESCE);
  record_byte (journal, file, 2, 0xCD, HM_EDIT_COALESCE);

  step = hm_journal_peek_undo (journal);
  g_assert_nonnull (step);
  g_assert_cmpuint (hm_journal_step_get_offset (step), ==, 1);
  g_assert_cmpuint (hm_journal_step_get_length (step), ==, 2);
  hm_journal_step_copy_old (step, 0, bytes, 2);
  g_assert_cmphex (bytes[0], ==, 0x22);  /* the original, not the first nibble */
  g_assert_cmphex (bytes[1], ==, 0x33);
  hm_journal_step_copy_new (step, 0, bytes, 2);
  g_assert_cmphex (bytes[0], ==, 0xAB);
  g_assert_cmphex (bytes[1], ==, 0xCD);

  /* One undo reverts the whole run */
  hm_journal_step_copy_old (step, 0, file + 1, 2);
  hm_journal_commit_undo (journal);
  g_assert_false (hm_journal_can_undo (journal));
  g_assert_false (hm_journal_has_pending (journal));
  hm_journal_commit_redo (journal);
  memcpy (file + 1, (guint8[]) { 0xAB, 0xCD }, 2);

  /* peek_undo ended the run: the next byte is a new step */
  record_byte (journal, file, 3, 0x99, HM_EDIT_COALESCE);
  /* not adjacent: a new step */
  record_byte (journal, file, 9, 0x99, HM_EDIT_COALESCE);
  /* break_coalescing: a new step even though adjacent */
  hm_journal_break_coalescing (journal);
  record_byte (journal, file, 10, 0x98, HM_EDIT_COALESCE);
  /* a non-coalescing edit never merges, and ends the run */
  record_byte (journal, file, 11, 0x97, HM_EDIT_NONE);
  record_byte (journal, file, 12, 0x96, HM_EDIT_COALESCE);

  for (guint n = 0; n < 5; n++)
    {
      static const guint offsets[] = { 12, 11, 10, 9, 3 };

      step = hm_journal_peek_undo (journal);
      g_assert_cmpuint (hm_journal_step_get_offset (step), ==, offsets[n]);
      g_assert_cmpuint (hm_journal_step_get_length (step), ==, 1);
      hm_journal_commit_undo (journal);
    }
  g_assert_true (hm_journal_can_undo (journal));  /* the first run */
}

static void
test_journal_redo_tail (void)
{
  g_autoptr(HmJournal) journal = hm_journal_new ();
  guint8 file[8] = { 0 };
  const HmJournalStep *step;

  record_byte (journal, file, 0, 1, HM_EDIT_NONE);
  record_byte (journal, file, 1, 2, HM_EDIT_NONE);
  record_byte (journal, file, 2, 3, HM_EDIT_NONE);

  hm_journal_commit_undo (journal);
  hm_journal_commit_undo (journal);
  g_assert_true (hm_journal_can_redo (journal));

  /* A failed undo: peeked but not committed; nothing moves */
  step = hm_journal_peek_undo (journal);
  g_assert_cmpuint (hm_journal_step_get_offset (step), ==, 0);
  g_assert_true (hm_journal_can_redo (journal));

  file[1] = file[2] = 0;
  record_byte (journal, file, 5, 9, HM_EDIT_NONE);
  g_assert_false (hm_journal_can_redo (journal));
  g_assert_null (hm_journal_peek_redo (journal));

  step = hm_journal_peek_undo (journal);
  g_assert_cmpuint (hm_journal_step_get_offset (step), ==, 5);
  hm_journal_commit_undo (journal);
  step = hm_journal_peek_undo (journal);
  g_assert_cmpuint (hm_journal_step_get_offset (step), ==, 0);
  hm_journal_commit_undo (journal);
  g_assert_false (hm_journal_can_undo (journal));
  g_assert_false (hm_journal_has_pending (journal));

  step = hm_journal_peek_redo (journal);
  g_assert_cmpuint (hm_journal_step_get_offset (step), ==, 0);
  hm_journal_commit_redo (journal);
  step = hm_journal_peek_redo (journal);
  g_assert_cmpuint (hm_journal_step_get_offset (step), ==, 5);
  hm_journal_commit_redo (journal);
  g_assert_false (hm_journal_can_redo (journal));
}

static void
test_journal_exact (void)
{
  g_autoptr(HmJournal) journal = hm_journal_new ();
  guint8 file[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

  /* Writing a byte's own value changes nothing */
  record_byte (journal, file, 3, 3, HM_EDIT_NONE);
  g_assert_false (hm_journal_has_pending (journal));
  g_assert_true (hm_journal_can_undo (journal));

  /* Writing it back makes it clean again */
  record_byte (journal, file, 4, 0xff, HM_EDIT_NONE);
  g_assert_true (hm_journal_range_is_modified (journal, 4, 1));
  g_assert_false (hm_journal_range_is_modified (journal, 3, 1));
  g_assert_false (hm_journal_range_is_modified (journal, 5, 100));
  g_assert_true (hm_journal_range_is_modified (journal, 0, G_MAXUINT64));
  record_byte (journal, file, 4, 4, HM_EDIT_NONE);
  g_assert_false (hm_journal_has_pending (journal));

  /* Across a commit, undo makes pending changes against the new baseline */
  record_byte (journal, file, 6, 0xee, HM_EDIT_NONE);
  hm_journal_mark_committed (journal);
  g_assert_false (hm_journal_has_pending (journal));
  hm_journal_commit_undo (journal);
  g_assert_true (hm_journal_range_is_modified (journal, 6, 1));
  g_assert_cmpuint (hm_journal_get_pending_bytes (journal), ==, 1);
  {
    g_autoptr(GArray) committed = hm_journal_get_committed_ranges (journal);

    g_assert_cmpuint (committed->len, ==, 1);
    g_assert_cmpuint (g_array_index (committed, HmRange, 0).offset, ==, 6);
    hm_journal_clear_committed (journal);
  }
  {
    g_autoptr(GArray) committed = hm_journal_get_committed_ranges (journal);

    g_assert_cmpuint (committed->len, ==, 0);
  }
}

static void
test_journal_discard (void)
{
  g_autoptr(HmJournal) journal = hm_journal_new ();
  guint8 file[8] = { 0 };

  record_byte (journal, file, 0, 1, HM_EDIT_NONE);  /* A */
  record_byte (journal, file, 1, 2, HM_EDIT_NONE);  /* B */
  hm_journal_mark_committed (journal);

  /* Undo past the baseline, then a new edit drops A and B from the redo tail */
  hm_journal_commit_undo (journal);
  hm_journal_commit_undo (journal);
  record_byte (journal, file, 2, 3, HM_EDIT_NONE);  /* C */
  g_assert_cmpuint (hm_journal_get_pending_bytes (journal), ==, 3);

  /* Discard still gets back to the baseline, with A and B to undo */
  hm_journal_discard (journal);
  g_assert_false (hm_journal_has_pending (journal));
  g_assert_false (hm_journal_can_redo (journal));
  g_assert_cmpuint (hm_journal_step_get_offset (hm_journal_peek_undo (journal)), ==, 1);
  hm_journal_commit_undo (journal);
  g_assert_cmpuint (hm_journal_step_get_offset (hm_journal_peek_undo (journal)), ==, 0);
  hm_journal_commit_undo (journal);
  g_assert_false (hm_journal_can_undo (journal));
  g_assert_cmpuint (hm_journal_get_pending_bytes (journal), ==, 2);
}

static void
test_journal_fill_memory (void)
{
  const gsize length = 16 * 1024 * 1024;
  g_autofree guint8 *old = g_malloc0 (length);
  g_autofree guint8 *new = g_malloc (length);
  static const guint8 pattern[] = { 0xde, 0xad, 0xbe, 0xef };
  g_autoptr(HmJournal) fill = hm_journal_new ();
  g_autoptr(HmJournal) write = hm_journal_new ();
  const HmJournalStep *step;
  const guint8 *stored;
  gsize pattern_length;
  guint8 bytes[6];
  gsize fill_bytes;
  gsize write_bytes;

  for (gsize i = 0; i < length; i++)
    new[i] = pattern[i % 4];

  hm_journal_record_fill (fill, 1000, old, length, pattern, sizeof pattern);
  hm_journal_record (write, 1000, old, new, length, HM_EDIT_NONE);
  fill_bytes = hm_journal_get_bytes_used (fill);
  write_bytes = hm_journal_get_bytes_used (write);
  g_test_message ("fill of 16 MiB: %" G_GSIZE_FORMAT " bytes used; the same as a write: %"
                  G_GSIZE_FORMAT, fill_bytes, write_bytes);

  /* Old bytes and the pending baseline bytes, but no new bytes */
  g_assert_cmpuint (fill_bytes, <, 2 * length + length / 16);
  g_assert_cmpuint (write_bytes - fill_bytes, >=, length - sizeof pattern);

  step = hm_journal_peek_undo (fill);
  stored = hm_journal_step_get_pattern (step, &pattern_length);
  g_assert_cmpuint (pattern_length, ==, 4);
  g_assert_cmpmem (stored, 4, pattern, 4);
  hm_journal_step_copy_new (step, length - 3, bytes, 3);
  g_assert_cmpmem (bytes, 3, new + length - 3, 3);
  hm_journal_step_copy_new (step, 1, bytes, 6);
  g_assert_cmpmem (bytes, 6, new + 1, 6);
  g_assert_true (hm_journal_range_is_modified (fill, 1000 + length - 1, 1));
  g_assert_false (hm_journal_range_is_modified (fill, 1000 + length, 1));

  /* Undo: nothing pending any more, the baseline bytes are gone */
  hm_journal_commit_undo (fill);
  g_assert_false (hm_journal_has_pending (fill));
  g_assert_cmpuint (hm_journal_get_bytes_used (fill), <, length + length / 16);
}

static void
test_journal_million (void)
{
  const guint n = 1000000;
  g_autoptr(HmJournal) journal = hm_journal_new ();
  g_autoptr(GTimer) timer = g_timer_new ();
  const guint8 zero = 0;
  double record_seconds;
  double per_edit;

  /* Scattered one-byte edits over a terabyte, in random order, none adjacent:
   * the worst case for the pending map (multiplying by an odd number permutes) */
  for (guint i = 0; i < n; i++)
    {
      guint64 offset = (guint64) (guint32) (i * 2654435761u) << 8;
      guint8 value = 1 + (i % 255);

      hm_journal_record (journal, offset, &zero, &value, 1, HM_EDIT_NONE);
    }
  record_seconds = g_timer_elapsed (timer, NULL);
  per_edit = (double) hm_journal_get_bytes_used (journal) / n;
  g_test_message ("1,000,000 scattered one-byte edits: %.2f s, %" G_GSIZE_FORMAT
                  " bytes used, %.1f bytes per edit, %" G_GUINT64_FORMAT " bytes pending",
                  record_seconds, hm_journal_get_bytes_used (journal), per_edit,
                  hm_journal_get_pending_bytes (journal));
  g_assert_cmpfloat (per_edit, <, 64.0);
  g_assert_cmpuint (hm_journal_get_pending_bytes (journal), >, n - n / 100);

  g_timer_start (timer);
  while (hm_journal_can_undo (journal))
    hm_journal_commit_undo (journal);
  g_test_message ("undoing them all: %.2f s, %" G_GSIZE_FORMAT " bytes used",
                  g_timer_elapsed (timer, NULL), hm_journal_get_bytes_used (journal));
  g_assert_false (hm_journal_has_pending (journal));
  g_assert_cmpfloat ((double) hm_journal_get_bytes_used (journal) / n, <, 40.0);
}

static void
test_journal_million_sequential (void)
{
  const guint n = 1000000;
  g_autoptr(HmJournal) journal = hm_journal_new ();
  g_autoptr(HmJournal) typing = hm_journal_new ();
  g_autoptr(GTimer) timer = g_timer_new ();
  const guint8 zero = 0;
  const guint8 one = 1;
  double per_edit;

  /* Every other byte, each its own step */
  for (guint i = 0; i < n; i++)
    hm_journal_record (journal, (guint64) i * 2, &zero, &one, 1, HM_EDIT_NONE);
  per_edit = (double) hm_journal_get_bytes_used (journal) / n;
  g_test_message ("1,000,000 one-byte steps, every other byte: %.2f s, %.1f bytes per edit",
                  g_timer_elapsed (timer, NULL), per_edit);
  g_assert_cmpfloat (per_edit, <, 64.0);

  /* A million typed bytes: one step, linear time */
  g_timer_start (timer);
  for (guint i = 0; i < n; i++)
    {
      hm_journal_record (typing, i, &zero, &zero, 1, HM_EDIT_COALESCE);
      hm_journal_record (typing, i, &zero, &one, 1, HM_EDIT_COALESCE);
    }
  g_test_message ("2,000,000 typed nibbles: %.2f s, %" G_GSIZE_FORMAT " bytes used",
                  g_timer_elapsed (timer, NULL), hm_journal_get_bytes_used (typing));
  g_assert_cmpuint (hm_journal_get_pending_bytes (typing), ==, n);
  g_assert_cmpuint (hm_journal_step_get_length (hm_journal_peek_undo (typing)), ==, n);
  hm_journal_commit_undo (typing);
  g_assert_false (hm_journal_can_undo (typing));
  g_assert_false (hm_journal_has_pending (typing));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/hm/journal/model", GINT_TO_POINTER (FALSE), test_journal_model);
  g_test_add_data_func ("/hm/journal/model-small-leaves", GINT_TO_POINTER (TRUE), test_journal_model);
  g_test_add_func ("/hm/journal/coalesce", test_journal_coalesce);
  g_test_add_func ("/hm/journal/redo-tail", test_journal_redo_tail);
  g_test_add_func ("/hm/journal/exact", test_journal_exact);
  g_test_add_func ("/hm/journal/discard", test_journal_discard);
  g_test_add_func ("/hm/journal/fill-memory", test_journal_fill_memory);
  g_test_add_func ("/hm/journal/million", test_journal_million);
  g_test_add_func ("/hm/journal/million-sequential", test_journal_million_sequential);

  return g_test_run ();
}

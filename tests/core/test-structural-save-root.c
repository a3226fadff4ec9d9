/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The root tier of test-structural-save.c (included from it): XFS on a loop
 * device, tmpfs (no insert/collapse; ENOSPC), a write error in the middle of a
 * shift on the FUSE fault filesystem, a block device. Skipped when not root. */

static gboolean
skip_unless_root (void)
{
  if (hm_test_is_root ())
    return FALSE;
  g_test_skip ("needs root (loop devices, mounts)");
  return TRUE;
}

/* Mounts @fstype (an image of @image_mib on a loop device, or tmpfs when
 * @image_mib is 0, with @options); the mountpoint, or NULL (skipped). */
static char *
mount_fs (const char *fstype,
          guint       image_mib,
          const char *options,
          char      **device_out)
{
  g_autofree char *mnt = hm_test_path (fstype);
  g_autofree char *cmd = NULL;
  g_autofree char *out = NULL;

  g_mkdir_with_parents (mnt, 0700);
  *device_out = NULL;
  if (image_mib > 0)
    {
      g_autofree char *image = hm_test_path ("fs.img");
      g_autofree char *device = NULL;

      int ifd = open (image, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

      g_assert_no_errno (ftruncate (ifd, (off_t) image_mib * MIB));
      close (ifd);
      cmd = g_strdup_printf ("sh -c 'PATH=$PATH:/sbin:/usr/sbin mkfs.%s -q %s %s'", fstype,
                             g_str_equal (fstype, "xfs") ? "-f" : "-F", image);
      out = hm_test_run (cmd);
      if (out == NULL)
        return NULL;
      g_free (cmd);
      cmd = g_strdup_printf ("losetup -f --show %s", image);
      device = hm_test_run (cmd);
      if (device == NULL || *device == '\0')
        return NULL;
      g_free (cmd);
      cmd = g_strdup_printf ("mount -t %s %s %s", fstype, device, mnt);
      *device_out = g_steal_pointer (&device);
    }
  else
    cmd = g_strdup_printf ("mount -t tmpfs -o %s tmpfs %s", options, mnt);
  g_free (out);
  out = hm_test_run (cmd);
  if (out == NULL)
    {
      if (*device_out != NULL)
        {
          g_autofree char *detach = g_strdup_printf ("losetup -d %s", *device_out);

          g_free (hm_test_run (detach));
          g_clear_pointer (device_out, g_free);
        }
      return NULL;
    }
  return g_steal_pointer (&mnt);
}

static void
unmount_fs (char *mnt,
            char *device)
{
  g_autofree char *cmd = g_strdup_printf ("umount %s", mnt);

  g_free (hm_test_run (cmd));
  if (device != NULL)
    {
      g_free (cmd);
      cmd = g_strdup_printf ("losetup -d %s", device);
      g_free (hm_test_run (cmd));
    }
  g_free (mnt);
  g_free (device);
}

/* Block edits on a fresh @fstype filesystem on a loop device: made by the
 * filesystem's insert and collapse. */
static void
check_on_loop (const char *fstype,
               guint       image_mib)
{
  char *device = NULL;
  char *mnt;

  if (skip_unless_root ())
    return;
  mnt = mount_fs (fstype, image_mib, NULL, &device);
  if (mnt == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("could not make and mount %s on a loop device here", fstype);

      g_test_skip (reason);
      return;
    }
  check_block_edits (mnt, TRUE);
  unmount_fs (mnt, device);
}

static void
test_xfs (void)
{
  check_on_loop ("xfs", 320);
}

static void
test_ext4_loop (void)
{
  check_on_loop ("ext4", 64);
}

static void
test_tmpfs (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GError) error = NULL;
  g_autofree char *full = NULL;
  HmSegment one_more[] = { { HM_SEGMENT_DATA, 1, 0 }, { HM_SEGMENT_FILE, 0, 0 } };
  g_autoptr(HmSavePlan) plan = NULL;
  guint8 byte = 7;
  guint8 *bytes;
  gsize size;
  char *device = NULL;
  char *mnt;
  int fd;

  if (skip_unless_root ())
    return;
  mnt = mount_fs ("tmpfs", 0, "size=16m", &device);
  if (mnt == NULL)
    {
      g_test_skip ("could not mount a tmpfs here");
      return;
    }
  /* No insert/collapse here: the tail is copied. */
  check_block_edits (mnt, FALSE);
  full = g_build_filename (mnt, "blocks", NULL);
  g_unlink (full);
  g_free (full);

  /* Full: a 1-byte insert fails before anything moves. */
  full = g_build_filename (mnt, "full", NULL);
  size = 15 * MIB;
  bytes = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    bytes[i] = (guint8) g_rand_int (rand);
  fd = open (full, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (write (fd, bytes, size), ==, (gssize) size);
  /* Fill what is left. */
  {
    g_autofree char *filler = g_build_filename (mnt, "filler", NULL);
    int ffd = open (filler, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    guint8 block[BLOCK] = { 0 };

    while (write (ffd, block, sizeof block) == (gssize) sizeof block)
      ;
    close (ffd);
  }
  one_more[1].length = size;
  plan = hm_save_plan_new (fd, one_more, 2, &error);
  g_assert_no_error (error);
  g_assert_false (hm_save_plan_execute (plan, fd, full, "full", byte_cb, &byte, NULL, NULL, NULL, &error));
  g_assert_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
  close (fd);
  g_assert_true (file_equals (full, bytes, size));
  assert_no_journal (full);
  g_free (bytes);
  unmount_fs (mnt, device);
}

typedef struct
{
  HmFaultfs *fs;
  gboolean   armed;
} FaultAt;

static void
fault_progress_cb (guint64  done,
                   guint64  total,
                   gpointer user_data)
{
  FaultAt *at = user_data;

  /* Once the shift has begun: every write fails. */
  if (at->armed && done > total / 2)
    {
      g_assert_true (hm_faultfs_control (at->fs, "write-error EIO", NULL));
      at->armed = FALSE;
    }
}

static void
test_write_error_midway (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GError) error = NULL;
  g_autoptr(HmFaultfs) fs = NULL;
  g_autoptr(Case) c = NULL;
  g_autoptr(HmSavePlan) plan = NULL;
  g_autofree char *backing = hm_test_path ("backing");
  g_autofree char *reason = NULL;
  HmRecoverOutcome outcome;
  FaultAt at = { NULL, TRUE };
  int fd;

  if (!hm_faultfs_available (&reason))
    {
      g_test_skip (reason);
      return;
    }
  g_mkdir_with_parents (backing, 0700);
  fs = hm_faultfs_start (backing, &error);
  g_assert_no_error (error);
  at.fs = fs;
  c = make_case (rand, "faulty", 2 * MIB, FALSE);
  g_free (c->path);
  c->path = hm_faultfs_build_path (fs, "faulty");
  g_assert_true (g_file_set_contents (c->path, (char *) c->old, (gssize) c->old_size, NULL));
  edit_insert (c, rand, 100, 3);
  random_edits (c, rand, 0);

  _hm_structural_save_set_chunk_for_tests (64 * KIB);
  fd = open (c->path, O_RDWR | O_CLOEXEC);
  plan = hm_save_plan_new (fd, (HmSegment *) c->segments->data, c->segments->len, &error);
  g_assert_no_error (error);
  g_assert_false (hm_save_plan_execute (plan, fd, c->path, "faulty", read_data_cb, c, fault_progress_cb, &at,
                                        NULL, &error));
  _hm_structural_save_set_chunk_for_tests (0);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "faulty"));
  g_assert_nonnull (strstr (error->message, "recover"));
  close (fd);

  /* The fault goes away; recovery finishes the save. */
  g_assert_true (hm_faultfs_control (fs, "clear", NULL));
  fd = open (c->path, O_RDWR | O_CLOEXEC);
  g_clear_error (&error);
  g_assert_true (hm_save_journal_recover (fd, "faulty", &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, HM_RECOVER_COMPLETED);
  close (fd);
  g_assert_true (file_equals (c->path, c->expected, c->new_size));
}

static void
test_block_device (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(Case) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *device = NULL;
  g_autofree char *image_path = NULL;
  guint8 byte = 9;
  int fd;

  if (skip_unless_root ())
    return;
  c = make_case (rand, "device.img", 4 * MIB, FALSE);
  cmd = g_strdup_printf ("losetup -f --show %s", c->path);
  device = hm_test_run (cmd);
  if (device == NULL || *device == '\0')
    {
      g_test_skip ("losetup could not attach a loop device here");
      return;
    }
  image_path = g_steal_pointer (&c->path);
  c->path = g_strdup (device);
  edit_insert (c, rand, 5, 1);
  random_edits (c, rand, 0);
  fd = open (device, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  /* A size change is refused. */
  g_assert_null (hm_save_plan_new (fd, (HmSegment *) c->segments->data, c->segments->len, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  /* The same size (an insert and a delete): moved in place. */
  edit_delete (c, 3 * MIB, 1);
  g_free (c->expected);
  random_edits (c, rand, 0);
  close (fd);
  g_assert_true (save (c, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (file_equals (device, c->expected, c->new_size));
  (void) byte;
  g_free (cmd);
  cmd = g_strdup_printf ("losetup -d %s", device);
  g_free (hm_test_run (cmd));
  g_free (c->path);
  c->path = g_steal_pointer (&image_path);
}

static void
add_root_tests (void)
{
  g_test_add_func ("/hm/structural-save/root/xfs", test_xfs);
  g_test_add_func ("/hm/structural-save/root/ext4", test_ext4_loop);
  g_test_add_func ("/hm/structural-save/root/tmpfs", test_tmpfs);
  g_test_add_func ("/hm/structural-save/root/write-error", test_write_error_midway);
  g_test_add_func ("/hm/structural-save/root/block-device", test_block_device);
}

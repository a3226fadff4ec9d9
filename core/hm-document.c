/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmDocument: one open file, read through mapped windows.
 *
 * Opening never reads the file: it classifies it (regular file, block device,
 * /dev/zero; everything else is refused with a reason), learns its size and the
 * filesystem it lives on, and sets up an empty window cache. Bytes are copied out of
 * the windows through the fault guard only. Holes read as zeros without touching
 * the mapping, so reading a hole never allocates disk (tmpfs would otherwise).
 *
 * This file holds the class (properties, signals, life cycle), opening, the
 * windows and faults, and reading. The other jobs have files of their own, all
 * sharing hm-document-private.h:
 *   hm-document-holes.c  the hole map
 *   hm-document-mode.c   the modes and switching between them
 *   hm-document-edit.c   stores, write, fill, undo, redo, discard
 *   hm-document-save.c   Save (commit, direct save) and Save As
 *   hm-document-disk.c   the file on disk: conflict checks, the disk monitor
 */
#include "config.h"

#include "hm-document-private.h"
#include "hm-fd-budget.h"
#include "hm-fault.h"
#include "hm-piece-table.h"
#include "hm-window-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gio/gunixmounts.h>
#include <glib/gi18n-lib.h>

/* Magic numbers linux/magic.h does not always carry. */
#define HM_NFS_SUPER_MAGIC      0x6969
#define HM_SMB_SUPER_MAGIC      0x517B
#define HM_CIFS_SUPER_MAGIC     0xFF534D42
#define HM_SMB2_SUPER_MAGIC     0xFE534D42
#define HM_AFS_SUPER_MAGIC      0x5346414F
#define HM_AFS_FS_MAGIC         0x6B414653
#define HM_CEPH_SUPER_MAGIC     0x00C36400
#define HM_CODA_SUPER_MAGIC     0x73757245
#define HM_NCP_SUPER_MAGIC      0x564C
#define HM_V9FS_MAGIC           0x01021997
#define HM_LUSTRE_SUPER_MAGIC   0x0BD00BD0
#define HM_GPFS_SUPER_MAGIC     0x47504653
#define HM_FUSE_SUPER_MAGIC     0x65735546
#define HM_TMPFS_MAGIC          0x01021994
#define HM_RAMFS_MAGIC          0x858458F6
#define HM_PROC_SUPER_MAGIC     0x9FA0
#define HM_SYSFS_MAGIC          0x62656572
#define HM_DEBUGFS_MAGIC        0x64626720
#define HM_TRACEFS_MAGIC        0x74726163
#define HM_SECURITYFS_MAGIC     0x73636673
#define HM_CGROUP_SUPER_MAGIC   0x27E0EB
#define HM_CGROUP2_SUPER_MAGIC  0x63677270
#define HM_CONFIGFS_MAGIC       0x62656570
#define HM_PSTOREFS_MAGIC       0x6165676C
#define HM_BPF_FS_MAGIC         0xCAFE4A11
#define HM_EFIVARFS_MAGIC       0xDE5E81E4

#define MAX_IDLE_WINDOWS 4

enum {
  PROP_0,
  PROP_PATH,
  PROP_MODE,
  PROP_WINDOW_SIZE,
  PROP_SIZE,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_HAS_PENDING,
  PROP_HAS_STRUCTURAL_PENDING,
  PROP_MAY_STALL,
  PROP_DISK_MTIME,
  N_PROPS
};

enum {
  CHANGED,
  CONTENT_CHANGED,
  DISK_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void hm_document_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HmDocument, hm_document, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      hm_document_initable_iface_init))

G_DEFINE_QUARK (hm-document-error-quark, hm_document_error)

static const struct {
  gint64      magic;
  const char *name;
  HmFsKind    kind;
} fs_table[] = {
  { HM_NFS_SUPER_MAGIC, "nfs", HM_FS_KIND_NETWORK },
  { HM_SMB_SUPER_MAGIC, "smbfs", HM_FS_KIND_NETWORK },
  { HM_CIFS_SUPER_MAGIC, "cifs", HM_FS_KIND_NETWORK },
  { HM_SMB2_SUPER_MAGIC, "smb3", HM_FS_KIND_NETWORK },
  { HM_AFS_SUPER_MAGIC, "afs", HM_FS_KIND_NETWORK },
  { HM_AFS_FS_MAGIC, "afs", HM_FS_KIND_NETWORK },
  { HM_CEPH_SUPER_MAGIC, "ceph", HM_FS_KIND_NETWORK },
  { HM_CODA_SUPER_MAGIC, "coda", HM_FS_KIND_NETWORK },
  { HM_NCP_SUPER_MAGIC, "ncpfs", HM_FS_KIND_NETWORK },
  { HM_V9FS_MAGIC, "9p", HM_FS_KIND_NETWORK },
  { HM_LUSTRE_SUPER_MAGIC, "lustre", HM_FS_KIND_NETWORK },
  { HM_GPFS_SUPER_MAGIC, "gpfs", HM_FS_KIND_NETWORK },
  { HM_FUSE_SUPER_MAGIC, "fuse", HM_FS_KIND_FUSE },
  { HM_TMPFS_MAGIC, "tmpfs", HM_FS_KIND_MEMORY },
  { HM_RAMFS_MAGIC, "ramfs", HM_FS_KIND_MEMORY },
  { EXT4_SUPER_MAGIC, "ext4", HM_FS_KIND_LOCAL },
  { XFS_SUPER_MAGIC, "xfs", HM_FS_KIND_LOCAL },
  { BTRFS_SUPER_MAGIC, "btrfs", HM_FS_KIND_LOCAL },
  { OVERLAYFS_SUPER_MAGIC, "overlay", HM_FS_KIND_LOCAL },
  { MSDOS_SUPER_MAGIC, "vfat", HM_FS_KIND_LOCAL },
  { SQUASHFS_MAGIC, "squashfs", HM_FS_KIND_LOCAL },
  { ISOFS_SUPER_MAGIC, "iso9660", HM_FS_KIND_LOCAL },
  { F2FS_SUPER_MAGIC, "f2fs", HM_FS_KIND_LOCAL },
};

/* Kernel pseudo-filesystems: their files lie about their size and cannot be mapped. */
static const struct {
  gint64      magic;
  const char *name;
} pseudo_fs_table[] = {
  { HM_PROC_SUPER_MAGIC, "/proc" },
  { HM_SYSFS_MAGIC, "sysfs" },
  { HM_DEBUGFS_MAGIC, "debugfs" },
  { HM_TRACEFS_MAGIC, "tracefs" },
  { HM_SECURITYFS_MAGIC, "securityfs" },
  { HM_CGROUP_SUPER_MAGIC, "cgroup" },
  { HM_CGROUP2_SUPER_MAGIC, "cgroup2" },
  { HM_CONFIGFS_MAGIC, "configfs" },
  { HM_PSTOREFS_MAGIC, "pstore" },
  { HM_BPF_FS_MAGIC, "bpf" },
  { HM_EFIVARFS_MAGIC, "efivarfs" },
};

static gboolean
is_zero_device (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && major (st->st_rdev) == 1 && minor (st->st_rdev) == 5;
}

static gboolean
refuse_file_type (HmDocument        *self,
                  const struct stat *st,
                  GError           **error)
{
  const char *what = NULL;

  if (S_ISREG (st->st_mode) || S_ISBLK (st->st_mode) || is_zero_device (st))
    return TRUE;

  if (S_ISDIR (st->st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("Cannot open “%s”: it is a folder, not a file"), self->display_name);
      return FALSE;
    }

  if (S_ISFIFO (st->st_mode))
    /* Translators: this and the next three are the second %s of “Cannot open
     * “%s”: %s. Copy it to a regular file first.”; “it” is the file. */
    what = _("it is a pipe (FIFO), whose bytes exist only while they flow");
  else if (S_ISSOCK (st->st_mode))
    what = _("it is a socket");
  else if (S_ISCHR (st->st_mode))
    what = _("it is a character device, which has no addressable bytes");
  else
    what = _("it is not a regular file or block device");

  g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_NOT_MAPPABLE,
               _("Cannot open “%s”: %s. Copy it to a regular file first."),
               self->display_name, what);
  return FALSE;
}

static gboolean
classify_filesystem (HmDocument *self,
                     GError    **error)
{
  struct statfs sfs;
  g_autoptr(GUnixMountEntry) mount = NULL;

  self->fs_kind = HM_FS_KIND_OTHER;
  g_clear_pointer (&self->fs_type, g_free);

  if (fstatfs (self->fd, &sfs) != 0)
    {
      self->fs_type = g_strdup ("unknown");
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (pseudo_fs_table); i++)
    {
      if ((gint64) sfs.f_type == pseudo_fs_table[i].magic)
        {
          g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_NOT_MAPPABLE,
                       _("Cannot open “%s”: it is a kernel file on %s, generated when read; "
                         "its size is not real and it cannot be mapped. "
                         "Copy it to a regular file first (cat FILE > copy)."),
                       self->display_name, pseudo_fs_table[i].name);
          return FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (fs_table); i++)
    {
      if ((gint64) sfs.f_type == fs_table[i].magic)
        {
          self->fs_kind = fs_table[i].kind;
          self->fs_type = g_strdup (fs_table[i].name);
          break;
        }
    }

  /* The mount table knows the precise name (nfs4, fuse.sshfs, …). */
  mount = g_unix_mount_for (self->path, NULL);
  if (mount != NULL && self->kind == HM_FILE_KIND_REGULAR)
    {
      g_free (self->fs_type);
      self->fs_type = g_strdup (g_unix_mount_get_fs_type (mount));
    }

  if (self->fs_type == NULL)
    self->fs_type = g_strdup_printf ("0x%lx", (unsigned long) sfs.f_type);

  if (sfs.f_flags & ST_RDONLY)
    {
      self->can_write = FALSE;
      self->fs_read_only = TRUE;
    }

  return TRUE;
}

static gboolean
read_size (HmDocument        *self,
           const struct stat *st,
           guint64           *size,
           GError           **error)
{
  switch (self->kind)
    {
    case HM_FILE_KIND_REGULAR:
      *size = (guint64) st->st_size;
      return TRUE;

    case HM_FILE_KIND_BLOCK_DEVICE:
      {
        guint64 bytes = 0;

        if (ioctl (self->fd, BLKGETSIZE64, &bytes) != 0)
          {
            int saved_errno = errno;

            g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                         _("Cannot read the size of the block device “%s”: %s"),
                         self->display_name, g_strerror (saved_errno));
            return FALSE;
          }
        *size = bytes;
        return TRUE;
      }

    case HM_FILE_KIND_ZERO_DEVICE:
      *size = HM_ZERO_DEVICE_SIZE;
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
hm_document_initable_init (GInitable    *initable,
                           GCancellable *cancellable,
                           GError      **error)
{
  HmDocument *self = HM_DOCUMENT (initable);
  struct stat st;
  guint64 size;
  int flags;

  if (self->path == NULL || *self->path == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("No file name given"));
      return FALSE;
    }

  self->display_name = g_filename_display_name (self->path);

  if (stat (self->path, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot open “%s”: %s"), self->display_name, g_strerror (saved_errno));
      return FALSE;
    }

  /* Refuse before open(): opening a FIFO for reading would block until a writer comes. */
  if (!refuse_file_type (self, &st, error))
    return FALSE;

  /* Two: this one, and the writable one a save opens. */
  if (!hm_fd_budget_check (2, self->display_name, error))
    return FALSE;

  self->fd = open (self->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (self->fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot open “%s”: %s"), self->display_name, g_strerror (saved_errno));
      return FALSE;
    }

  flags = fcntl (self->fd, F_GETFL);
  if (flags >= 0)
    fcntl (self->fd, F_SETFL, flags & ~O_NONBLOCK);

  /* The path may have been replaced between stat() and open(). */
  if (fstat (self->fd, &st) != 0 || !refuse_file_type (self, &st, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                     _("Cannot open “%s”: %s"), self->display_name, g_strerror (errno));
      return FALSE;
    }

  /* A save of this file was interrupted: it may be part old, part new. */
  if (!_hm_document_check_interrupted_save (self, &st, error))
    return FALSE;

  if (S_ISBLK (st.st_mode))
    self->kind = HM_FILE_KIND_BLOCK_DEVICE;
  else if (is_zero_device (&st))
    self->kind = HM_FILE_KIND_ZERO_DEVICE;
  else
    self->kind = HM_FILE_KIND_REGULAR;

  self->can_write = self->kind != HM_FILE_KIND_ZERO_DEVICE;
  self->write_errno = 0;
  self->fs_read_only = FALSE;
  if (self->can_write && access (self->path, W_OK) != 0)
    {
      self->write_errno = errno;
      self->can_write = FALSE;
    }
  /* A mounted block device belongs to its filesystem: a write under it corrupts
   * the filesystem (and is overwritten by its cache). The kernel says so: an
   * O_EXCL open of a block device fails with EBUSY while it is mounted or claimed. */
  if (self->kind == HM_FILE_KIND_BLOCK_DEVICE && self->can_write)
    {
      int probe = open (self->path, O_RDONLY | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

      if (probe >= 0)
        close (probe);
      else if (errno == EBUSY)
        {
          self->device_in_use = TRUE;
          self->can_write = FALSE;
        }
    }

  if (!classify_filesystem (self, error))
    return FALSE;

  if (!read_size (self, &st, &size, error))
    return FALSE;

  self->size = size;
  self->baseline_stat = st;
  _hm_document_disk_init (self, &st);
  self->may_stall = self->fs_kind == HM_FS_KIND_NETWORK || self->fs_kind == HM_FS_KIND_FUSE;

  if (self->mode != HM_DOCUMENT_MODE_READ_ONLY && !self->can_write)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   /* Translators: the second %s is one of the two reasons below */
                   _("Cannot open “%s” for editing: %s"), self->display_name,
                   self->kind == HM_FILE_KIND_ZERO_DEVICE ? _("/dev/zero has nothing to edit")
                   : self->device_in_use ? _("the device is mounted or in use; unmount it first")
                   : _("you may not write to it"));
      return FALSE;
    }

  self->cache = hm_window_cache_new (self->window_size, MAX_IDLE_WINDOWS);
  if (!_hm_document_apply_mode (self, self->mode, error))
    return FALSE;

  return TRUE;
}

static void
hm_document_initable_iface_init (GInitableIface *iface)
{
  iface->init = hm_document_initable_init;
}

static void
hm_document_finalize (GObject *object)
{
  HmDocument *self = HM_DOCUMENT (object);

  _hm_document_disk_finalize (self);
  _hm_document_save_finalize (self);
  _hm_document_structure_finalize (self);
  _hm_document_edit_finalize (self);
  g_clear_pointer (&self->cache, hm_window_cache_free);
  if (self->fd >= 0)
    close (self->fd);
  if (self->wfd >= 0)
    close (self->wfd);
  g_clear_pointer (&self->extents, g_array_unref);
  g_clear_pointer (&self->marks, g_array_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->fs_type, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (hm_document_parent_class)->finalize (object);
}

static void
hm_document_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HmDocument *self = HM_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_WINDOW_SIZE:
      g_value_set_uint64 (value, self->window_size);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, hm_document_get_size (self));
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, hm_document_get_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, hm_document_get_can_redo (self));
      break;
    case PROP_HAS_PENDING:
      g_value_set_boolean (value, hm_document_get_has_pending (self));
      break;
    case PROP_HAS_STRUCTURAL_PENDING:
      g_value_set_boolean (value, hm_document_get_has_structural_pending (self));
      break;
    case PROP_MAY_STALL:
      g_value_set_boolean (value, hm_document_get_may_stall (self));
      break;
    case PROP_DISK_MTIME:
      g_value_set_int64 (value, hm_document_get_disk_mtime (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_document_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HmDocument *self = HM_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    case PROP_WINDOW_SIZE:
      {
        guint64 size = g_value_get_uint64 (value);
        guint64 page = (guint64) sysconf (_SC_PAGESIZE);

        /* A power of two and a multiple of the page size; anything else gets the default. */
        if (size < page || (size & (size - 1)) != 0)
          size = HM_DOCUMENT_DEFAULT_WINDOW_SIZE;
        self->window_size = (gsize) size;
      }
      break;
    case PROP_MAY_STALL:
      hm_document_set_may_stall (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hm_document_class_init (HmDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hm_document_finalize;
  object_class->get_property = hm_document_get_property;
  object_class->set_property = hm_document_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Change it with hm_document_set_mode(). */
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL,
                       HM_TYPE_DOCUMENT_MODE, HM_DOCUMENT_MODE_READ_ONLY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW_SIZE] =
    g_param_spec_uint64 ("window-size", NULL, NULL,
                         0, G_MAXUINT64, HM_DOCUMENT_DEFAULT_WINDOW_SIZE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIZE] =
    g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_PENDING] =
    g_param_spec_boolean ("has-pending", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * HmDocument:has-structural-pending:
   *
   * Inserts or deletes are pending. They always wait for Save, in direct mode
   * too (where overwrites reach the file at once): a shift of the file's tail
   * cannot be made in place byte by byte while other programs read it.
   */
  properties[PROP_HAS_STRUCTURAL_PENDING] =
    g_param_spec_boolean ("has-structural-pending", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * HmDocument:may-stall:
   *
   * Whether a read may block for long or fail (see hm_document_get_may_stall()).
   */
  properties[PROP_MAY_STALL] =
    g_param_spec_boolean ("may-stall", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * HmDocument:disk-mtime:
   *
   * The modification time of the file as last seen, in microseconds since the
   * epoch, or -1 when unknown (see hm_document_get_disk_mtime()).
   */
  properties[PROP_DISK_MTIME] =
    g_param_spec_int64 ("disk-mtime", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HmDocument::changed:
   * @offset: first changed byte
   * @length: number of bytes
   *
   * Bytes in the range changed: an edit, undo, redo, discard, commit, or a refresh
   * after the file changed on disk.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_UINT64);

  /**
   * HmDocument::content-changed:
   * @offset: where the change starts
   * @removed: bytes removed there
   * @added: bytes put in their place
   *
   * An insert, delete or resize, or the undo or redo of one: every byte after
   * the change moved by @added - @removed. Emitted before #HmDocument::changed.
   */
  signals[CONTENT_CHANGED] =
    g_signal_new ("content-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT64, G_TYPE_UINT64, G_TYPE_UINT64);

  /**
   * HmDocument::disk-changed:
   * @change: what happened to the file
   * @disk_size: with %HM_DISK_CHANGE_MODIFIED, the file's new size on disk; else 0
   *
   * Another program changed or removed the file, once per change; the
   * document's own writes are never reported. Only after hm_document_watch_disk().
   */
  signals[DISK_CHANGED] =
    g_signal_new ("disk-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, HM_TYPE_DISK_CHANGE, G_TYPE_UINT64);

  hm_fault_guard_install ();
}

static void
hm_document_init (HmDocument *self)
{
  self->fd = -1;
  self->wfd = -1;
  self->window_size = HM_DOCUMENT_DEFAULT_WINDOW_SIZE;
  self->marks = g_array_new (FALSE, FALSE, sizeof (HmRange));
  g_mutex_init (&self->lock);
  _hm_document_edit_init (self);
  _hm_document_structure_init (self);
}

/**
 * hm_document_new:
 * @path: a file name in the GLib filename encoding
 * @error: a #GError
 *
 * Opens @path in its default mode (see hm_document_get_default_mode()). Nothing is
 * read yet: opening a file of any size is instant.
 *
 * Returns: (transfer full): the document, or %NULL with @error set
 */
HmDocument *
hm_document_new (const char *path,
                 GError    **error)
{
  g_autoptr(HmDocument) probe = NULL;
  HmDocumentMode mode;

  g_return_val_if_fail (path != NULL, NULL);

  probe = hm_document_new_full (path, HM_DOCUMENT_MODE_READ_ONLY, 0, error);
  if (probe == NULL)
    return NULL;

  mode = hm_document_get_default_mode (probe);
  if (mode == HM_DOCUMENT_MODE_READ_ONLY)
    return g_steal_pointer (&probe);

  if (!hm_document_set_mode (probe, mode, error))
    return NULL;
  return g_steal_pointer (&probe);
}

/**
 * hm_document_new_full:
 * @path: a file name in the GLib filename encoding
 * @mode: how edits reach the file
 * @window_size: the size of a mapped window (a power of two, at least a page), or 0
 *   for the default of 16 MiB
 * @error: a #GError
 *
 * Returns: (transfer full): the document, or %NULL with @error set
 */
HmDocument *
hm_document_new_full (const char    *path,
                      HmDocumentMode mode,
                      gsize          window_size,
                      GError       **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_initable_new (HM_TYPE_DOCUMENT, NULL, error,
                         "path", path,
                         "mode", (int) mode,
                         "window-size", (guint64) window_size,
                         NULL);
}


gsize
_hm_document_page_size (void)
{
  static gsize size = 0;

  if (size == 0)
    size = (gsize) sysconf (_SC_PAGESIZE);
  return size;
}

/* Sets @error from errno: "WHAT: strerror". A full disk or quota is
 * %HM_FAULT_ERROR_NO_SPACE, like a store that faults for the same reason. */
void
_hm_document_set_errno_error (GError    **error,
                              int         saved_errno,
                              const char *format,
                              ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, HM_FAULT_ERROR, HM_FAULT_ERROR_NO_SPACE, "%s: %s",
                 what, g_strerror (saved_errno));
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s",
                 what, g_strerror (saved_errno));
}

const char *
hm_document_get_path (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);
  return self->path;
}

const char *
hm_document_get_display_name (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);
  return self->display_name;
}

/**
 * hm_document_get_size:
 * @self: a #HmDocument
 *
 * The size of the content: the file's size as last seen (at open, at the last
 * hm_document_refresh(), or lowered when a fault revealed that the file was
 * truncated), changed by the pending inserts and deletes.
 *
 * Returns: the size in bytes
 */
guint64
hm_document_get_size (HmDocument *self)
{
  guint64 size;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), 0);

  g_mutex_lock (&self->lock);
  size = self->structural ? hm_piece_table_get_size (self->pieces) : self->size;
  g_mutex_unlock (&self->lock);
  return size;
}

/* The size of the file itself, whatever the pending inserts and deletes. */
guint64
_hm_document_file_size (HmDocument *self)
{
  guint64 size;

  g_mutex_lock (&self->lock);
  size = self->size;
  g_mutex_unlock (&self->lock);
  return size;
}

HmFileKind
hm_document_get_kind (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), HM_FILE_KIND_REGULAR);
  return self->kind;
}

HmFsKind
hm_document_get_fs_kind (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), HM_FS_KIND_OTHER);
  return self->fs_kind;
}

const char *
hm_document_get_fs_type (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);
  return self->fs_type;
}

/**
 * hm_document_get_can_write:
 * @self: a #HmDocument
 *
 * Returns: %TRUE if the user may write to the file at all (permissions, a writable
 *   mount, not /dev/zero)
 */
gboolean
hm_document_get_can_write (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  return self->can_write;
}

/**
 * hm_document_get_device_in_use:
 * @self: a #HmDocument
 *
 * Whether the file is a block device that was mounted or otherwise claimed
 * (an O_EXCL open failed with EBUSY) when it was opened. Such a device opens
 * read-only, and hm_document_get_can_write() is %FALSE.
 *
 * Returns: %TRUE for a block device in use
 */
gboolean
hm_document_get_device_in_use (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  return self->device_in_use;
}

/**
 * hm_document_dup_read_only_reason:
 * @self: a #HmDocument
 *
 * Says, in a sentence for the user, why the file opens read-only: it cannot
 * be written (the filesystem is mounted read-only, no write permission,
 * /dev/zero), or it could be but opens read-only by default (a block device,
 * a network or FUSE mount). The document knows which check refused, so the
 * interface does not guess.
 *
 * Returns: (transfer full) (nullable): the reason, or %NULL when the file
 *   opens for editing by default
 */
char *
hm_document_dup_read_only_reason (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), NULL);

  if (self->kind == HM_FILE_KIND_ZERO_DEVICE)
    return g_strdup (_("/dev/zero cannot be written."));
  if (self->device_in_use)
    return g_strdup (_("This block device is mounted or in use by the system: writing under a "
                       "mounted filesystem would corrupt it, so it opens read-only. Unmount it "
                       "to edit it."));
  if (self->fs_read_only || self->write_errno == EROFS)
    return g_strdup_printf (_("The filesystem holding this file (%s) is mounted read-only."),
                            self->fs_type != NULL ? self->fs_type : "?");
  if (self->write_errno == EACCES || self->write_errno == EPERM)
    return g_strdup (_("You do not have permission to write this file."));
  if (self->write_errno == ETXTBSY)
    return g_strdup (_("The file is a program that is running: it cannot be written now."));
  if (self->write_errno != 0)
    return g_strdup_printf (_("The file cannot be written: %s."), g_strerror (self->write_errno));
  if (self->kind == HM_FILE_KIND_BLOCK_DEVICE)
    return g_strdup (_("This is a block device: it opens read-only so that a stray key press "
                       "cannot damage a disk."));
  if (self->fs_kind == HM_FS_KIND_NETWORK)
    return g_strdup_printf (_("The file is on a network filesystem (%s): reads can stall or fail and "
                              "write errors show up late, so it opens read-only."), self->fs_type);
  if (self->fs_kind == HM_FS_KIND_FUSE)
    return g_strdup_printf (_("The file is on a FUSE filesystem (%s): reads can stall or fail, so it "
                              "opens read-only."), self->fs_type);
  return NULL;
}

/**
 * hm_document_get_may_stall:
 * @self: a #HmDocument
 *
 * Whether touching the file may block for long or fail: %TRUE by default on
 * network and FUSE filesystems, where a read waits for a server that may be slow
 * or gone. Callers on the main thread then read on a worker instead (and the
 * document itself looks at the file on a worker, see hm_document_watch_disk()).
 * Settable, for instance to force the worker path on a local file in tests.
 *
 * Returns: %TRUE if reads should not run on the main thread
 */
gboolean
hm_document_get_may_stall (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);
  return self->may_stall;
}

/**
 * hm_document_set_may_stall:
 * @self: a #HmDocument
 * @may_stall: whether reads may stall
 *
 * Overrides what the filesystem kind says; emits "notify::may-stall" on a change.
 */
void
hm_document_set_may_stall (HmDocument *self,
                           gboolean    may_stall)
{
  g_return_if_fail (HM_IS_DOCUMENT (self));

  may_stall = !!may_stall;
  if (self->may_stall == may_stall)
    return;
  self->may_stall = may_stall;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAY_STALL]);
}

HmDocumentMode
hm_document_get_mode (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), HM_DOCUMENT_MODE_READ_ONLY);
  return self->mode;
}

gsize
hm_document_get_window_size (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), 0);
  return self->window_size;
}

guint
hm_document_get_n_mapped_windows (HmDocument *self)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), 0);
  return hm_window_cache_get_n_mapped (self->cache);
}

HmWindow *
_hm_document_acquire_window (HmDocument  *self,
                             guint64      offset,
                             HmAccessHint hint,
                             GError     **error)
{
  guint64 size = _hm_document_file_size (self);

  if (offset >= size)
    {
      g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_OUT_OF_RANGE,
                   _("Offset 0x%" PRIx64 " lies past the end of “%s” (0x%"
                     PRIx64 " bytes)"), offset, self->display_name, size);
      return NULL;
    }

  return hm_window_cache_acquire (self->cache, offset, size, hint, error);
}

void
_hm_document_release_window (HmDocument *self,
                             HmWindow   *window)
{
  hm_window_cache_release (self->cache, window);
}

static gboolean
notify_size_idle (gpointer user_data)
{
  g_autoptr(HmDocument) self = g_weak_ref_get (user_data);

  if (self != NULL)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
      g_signal_emit (self, signals[CHANGED], 0, (guint64) 0, G_MAXUINT64);
    }
  return G_SOURCE_REMOVE;
}

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Records a new, smaller size found after a fault. Any thread. */
static void
shrink_to (HmDocument *self,
           guint64     new_size)
{
  gboolean changed = FALSE;

  g_mutex_lock (&self->lock);
  if (new_size < self->size)
    {
      self->size = new_size;
      g_clear_pointer (&self->extents, g_array_unref);
      changed = TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (changed)
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      hm_window_cache_drop_beyond (self->cache, new_size);
      /* Tell the main thread; signals must not run on a worker. A weak reference:
       * a program without a main loop (hexmap-cli) must still free the document. */
      g_weak_ref_init (ref, self);
      g_idle_add_full (G_PRIORITY_DEFAULT, notify_size_idle, ref, free_weak_ref);
    }
}

/**
 * _hm_document_fault_error:
 * @offset: the file offset of the faulting access
 * @writing: whether the access was a store
 *
 * Turns a paging fault into an error that says what happened and where. Checks the
 * file again: if it now ends at or before @offset it was truncated behind our back
 * (and the document adopts the new size); a store into a full filesystem is "no
 * space"; anything else is an I/O error.
 *
 * Returns: (transfer full): a %HM_FAULT_ERROR
 */
GError *
_hm_document_fault_error (HmDocument *self,
                          guint64     offset,
                          gboolean    writing)
{
  struct stat st;

  if (self->kind == HM_FILE_KIND_REGULAR && fstat (self->fd, &st) == 0 &&
      (guint64) st.st_size <= offset)
    {
      shrink_to (self, (guint64) st.st_size);
      return g_error_new (HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED,
                          _("“%s” was truncated by another program: it now ends at 0x%"
                            PRIx64 ", before offset 0x%" PRIx64 ". "
                            "Reload the file to see what is left."),
                          self->display_name, (guint64) st.st_size, offset);
    }

  if (writing)
    {
      struct statvfs vfs;

      if (fstatvfs (self->fd, &vfs) == 0 && vfs.f_bavail == 0)
        return g_error_new (HM_FAULT_ERROR, HM_FAULT_ERROR_NO_SPACE,
                            _("No space left on the device that holds “%s” while writing at "
                              "offset 0x%" PRIx64 ". Free some space or save a copy "
                              "elsewhere; your edits are kept."),
                            self->display_name, offset);
      return g_error_new (HM_FAULT_ERROR, HM_FAULT_ERROR_IO,
                          _("Could not write “%s” at offset 0x%" PRIx64 ": the "
                            "storage reported an error. Your edits are kept."),
                          self->display_name, offset);
    }

  return g_error_new (HM_FAULT_ERROR, HM_FAULT_ERROR_IO,
                      _("Could not read “%s” at offset 0x%" PRIx64 ": the storage "
                        "reported an I/O error%s. Try again when the device is back."),
                      self->display_name, offset,
                      self->fs_kind == HM_FS_KIND_NETWORK || self->fs_kind == HM_FS_KIND_FUSE
                        /* Translators: completes “reported an I/O error%s”, with its leading space */
                        ? _(" (the network share may have gone away)") : "");
}


void
_hm_document_emit_changed (HmDocument *self,
                           guint64     offset,
                           guint64     length)
{
  g_signal_emit (self, signals[CHANGED], 0, offset, length);
}

void
_hm_document_emit_content_changed (HmDocument *self,
                                   guint64     offset,
                                   guint64     removed,
                                   guint64     added)
{
  g_signal_emit (self, signals[CONTENT_CHANGED], 0, offset, removed, added);
}

void
_hm_document_emit_disk_changed (HmDocument  *self,
                                HmDiskChange change,
                                guint64      disk_size)
{
  g_signal_emit (self, signals[DISK_CHANGED], 0, change, disk_size);
}

void
_hm_document_notify (HmDocument *self,
                     const char *property)
{
  for (guint i = 1; i < N_PROPS; i++)
    {
      if (g_strcmp0 (properties[i]->name, property) == 0)
        {
          g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
          return;
        }
    }
  g_assert_not_reached ();
}

/* ---- Guarded access to the windows ---- */

/**
 * _hm_document_guard_window:
 * @self: a #HmDocument
 * @pos: the file offset about to be touched
 * @hint: how the caller walks the file
 * @flags: how trouble is reported
 * @fault_offset: (out) (optional): with %HM_GUARD_RAW_FAULTS, where the file ended
 * @error: a #GError
 *
 * One step of every guarded walk over the windows (reads, scans, stores): the
 * window holding @pos, checked to reach past it. A window can end at or before
 * @pos when it holds edits (pinned, so never remapped) and the file grew since
 * it was mapped.
 *
 * Returns: (nullable): the window, to give back with _hm_document_release_window();
 *   %NULL with @error set, or with %HM_GUARD_RAW_FAULTS and no error when the
 *   position is a fault at *@fault_offset
 */
HmWindow *
_hm_document_guard_window (HmDocument   *self,
                           guint64       pos,
                           HmAccessHint  hint,
                           HmGuardFlags  flags,
                           guint64      *fault_offset,
                           GError      **error)
{
  gboolean writing = (flags & HM_GUARD_WRITING) != 0;
  GError *local = NULL;
  HmWindow *window;

  g_assert (fault_offset != NULL || !(flags & HM_GUARD_RAW_FAULTS));

  window = _hm_document_acquire_window (self, pos, hint, &local);
  if (window == NULL)
    {
      /* A window past the (new) end: the file shrank under us. */
      if ((flags & HM_GUARD_END_IS_FAULT) && pos >= _hm_document_file_size (self))
        {
          g_error_free (local);
          local = _hm_document_fault_error (self, pos, writing);
          if ((flags & HM_GUARD_RAW_FAULTS) &&
              g_error_matches (local, HM_FAULT_ERROR, HM_FAULT_ERROR_TRUNCATED))
            {
              g_error_free (local);
              *fault_offset = pos;
              return NULL;
            }
        }
      g_propagate_error (error, local);
      return NULL;
    }

  if (window->offset + window->length > pos || (flags & HM_GUARD_ALLOW_SHORT))
    return window;

  _hm_document_release_window (self, window);
  if (flags & HM_GUARD_RAW_FAULTS)
    *fault_offset = pos;
  else if (flags & HM_GUARD_END_IS_FAULT)
    g_propagate_error (error, _hm_document_fault_error (self, pos, writing));
  else if (writing)
    g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                 _("“%s” changed size on disk while edits are pending near its end; "
                   "save or discard them, then reload"), self->display_name);
  else
    g_set_error (error, HM_DOCUMENT_ERROR, HM_DOCUMENT_ERROR_BUSY,
                 _("“%s” grew on disk while edits are pending near its end; "
                   "save or discard them, then reload"), self->display_name);
  return NULL;
}

/* The file offset of the byte the fault guard reported in @window. */
guint64
_hm_document_window_fault_offset (HmWindow   *window,
                                  const void *fault_addr)
{
  return window->offset + (guint64) ((const guint8 *) fault_addr - window->data);
}

/**
 * _hm_document_copy_guarded:
 * @self: a #HmDocument
 * @offset: the first byte to copy; the range is data (the caller knows the holes)
 * @buffer: (out caller-allocates): where to copy to
 * @length: bytes to copy
 * @hint: how the caller walks the file
 * @flags: how trouble is reported (%HM_GUARD_WRITING makes no sense here)
 * @fault_offset: (out) (optional): with %HM_GUARD_RAW_FAULTS, the faulting byte
 * @error: a #GError
 *
 * Copies bytes out of the windows, each copy under the fault guard. A fault
 * becomes the document's fault error at the first byte of the bad page (never
 * before @offset): si_addr lies somewhere in the page, and memcpy may touch a
 * range's tail first. With %HM_GUARD_RAW_FAULTS it is returned as is instead,
 * for a scanner that reports or skips faults itself.
 *
 * Returns: %TRUE if every byte was copied
 */
gboolean
_hm_document_copy_guarded (HmDocument   *self,
                           guint64       offset,
                           void         *buffer,
                           gsize         length,
                           HmAccessHint  hint,
                           HmGuardFlags  flags,
                           guint64      *fault_offset,
                           GError      **error)
{
  guint8 *out = buffer;
  gsize done = 0;

  flags &= ~HM_GUARD_ALLOW_SHORT;
  while (done < length)
    {
      guint64 pos = offset + done;
      HmWindow *window = _hm_document_guard_window (self, pos, hint, flags, fault_offset, error);
      const void *fault_addr = NULL;
      gsize n;

      if (window == NULL)
        return FALSE;

      n = (gsize) MIN (window->offset + window->length - pos, (guint64) (length - done));
      if (!hm_fault_copy (out + done, window->data + (pos - window->offset), n, &fault_addr))
        {
          guint64 at = _hm_document_window_fault_offset (window, fault_addr);

          _hm_document_release_window (self, window);
          if (flags & HM_GUARD_RAW_FAULTS)
            {
              *fault_offset = at;
              return FALSE;
            }
          at = MAX (pos, at & ~((guint64) _hm_document_page_size () - 1));
          g_propagate_error (error, _hm_document_fault_error (self, at, FALSE));
          return FALSE;
        }
      _hm_document_release_window (self, window);
      done += n;
    }

  return TRUE;
}

/* ---- Reading ---- */

/**
 * hm_document_read:
 * @self: a #HmDocument
 * @offset: where to start
 * @buffer: (out caller-allocates) (array length=length): where to copy to
 * @length: how many bytes to copy
 * @error: a #GError, %HM_FAULT_ERROR for a paging fault
 *
 * Copies bytes out of the document as it is now (in preview mode: with the pending
 * edits; with inserts and deletes: the content they make). Holes are filled with
 * zeros without touching the file. Safe to call from any thread.
 *
 * Returns: the number of bytes copied (fewer than @length only at the end of the
 *   file), or -1 if a page could not be read
 */
gssize
hm_document_read (HmDocument *self,
                  guint64     offset,
                  void       *buffer,
                  gsize       length,
                  GError    **error)
{
  g_return_val_if_fail (HM_IS_DOCUMENT (self), -1);
  g_return_val_if_fail (buffer != NULL || length == 0, -1);
  g_return_val_if_fail (length <= G_MAXSSIZE, -1);

  if (_hm_document_is_structural (self))
    return _hm_document_read_content (self, offset, buffer, length, error);
  return _hm_document_read_file (self, offset, buffer, length, error);
}

/* hm_document_read() in file coordinates: the file's bytes at their offsets, as
 * the windows show them (with preview overwrites). */
gssize
_hm_document_read_file (HmDocument *self,
                        guint64     offset,
                        void       *buffer,
                        gsize       length,
                        GError    **error)
{
  guint8 *out = buffer;
  guint64 size;
  gsize done = 0;
  guint64 hole_end = 0;

  size = _hm_document_file_size (self);
  if (offset >= size)
    return 0;
  length = (gsize) MIN ((guint64) length, size - offset);

  while (done < length)
    {
      guint64 pos = offset + done;
      guint64 run_end;
      gboolean is_hole = _hm_document_file_is_hole (self, pos, &run_end);
      gsize n = (gsize) MIN (run_end - pos, (guint64) (length - done));

      if (is_hole)
        {
          memset (out + done, 0, n);
          hole_end = pos + n;
        }
      else if (!_hm_document_copy_guarded (self, pos, out + done, n, HM_ACCESS_RANDOM,
                                           HM_GUARD_DEFAULT, NULL, error))
        return -1;
      done += n;
    }

  /* Zeros from the hole map need no page, so no fault tells us if the file was
   * truncated behind our back: ask the file instead (one fstat). */
  if (hole_end > 0 && self->kind == HM_FILE_KIND_REGULAR)
    {
      struct stat st;

      if (fstat (self->fd, &st) == 0 && (guint64) st.st_size < hole_end)
        {
          g_propagate_error (error, _hm_document_fault_error (self, MAX (offset, (guint64) st.st_size), FALSE));
          return -1;
        }
    }

  return (gssize) done;
}

/**
 * hm_document_refresh:
 * @self: a #HmDocument
 * @error: a #GError
 *
 * Looks at the file again: its size and its holes. Call it after a fault or when
 * the file changed on disk. Emits #HmDocument::changed for the whole file. The
 * disk monitor (hm_document_watch_disk()) takes the file as it is now as seen.
 *
 * Returns: %TRUE on success
 */
gboolean
hm_document_refresh (HmDocument *self,
                     GError    **error)
{
  struct stat st;
  guint64 size;
  guint64 old_size;

  g_return_val_if_fail (HM_IS_DOCUMENT (self), FALSE);

  if (fstat (self->fd, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot check “%s”: %s"), self->display_name, g_strerror (saved_errno));
      return FALSE;
    }
  if (!read_size (self, &st, &size, error))
    return FALSE;

  g_mutex_lock (&self->lock);
  old_size = self->size;
  self->size = size;
  g_clear_pointer (&self->extents, g_array_unref);
  g_mutex_unlock (&self->lock);

  if (size < old_size)
    hm_window_cache_drop_beyond (self->cache, size);

  /* Whatever the file looks like now is what the user chose to see. */
  _hm_document_disk_record (self);

  if (size != old_size)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
  g_signal_emit (self, signals[CHANGED], 0, (guint64) 0, MAX (size, old_size));
  return TRUE;
}

const char *
hm_fs_kind_to_string (HmFsKind kind)
{
  switch (kind)
    {
    case HM_FS_KIND_LOCAL: return "local";
    case HM_FS_KIND_MEMORY: return "memory";
    case HM_FS_KIND_NETWORK: return "network";
    case HM_FS_KIND_FUSE: return "fuse";
    case HM_FS_KIND_OTHER: return "other";
    default: return "unknown";
    }
}

const char *
hm_file_kind_to_string (HmFileKind kind)
{
  switch (kind)
    {
    case HM_FILE_KIND_REGULAR: return "regular file";
    case HM_FILE_KIND_BLOCK_DEVICE: return "block device";
    case HM_FILE_KIND_ZERO_DEVICE: return "zero device";
    default: return "unknown";
    }
}

const char *
hm_document_mode_to_string (HmDocumentMode mode)
{
  switch (mode)
    {
    case HM_DOCUMENT_MODE_READ_ONLY: return "read-only";
    case HM_DOCUMENT_MODE_PREVIEW: return "preview";
    case HM_DOCUMENT_MODE_DIRECT: return "direct";
    default: return "unknown";
    }
}

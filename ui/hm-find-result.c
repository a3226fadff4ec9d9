/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HmFindResult: one row of the find bar's results list (Find All). A small
 * value object, so that the list can be a GListStore that a GtkListView shows
 * and tests read: the offset and length of a match, or of an unreadable range
 * that a search in skip mode went past. The find bar also keeps on each row
 * what it has read for the row's preview on slow storage (see the fields in
 * hm-find-result-private.h).
 */
#include "config.h"

#include "hm-find-result-private.h"

G_DEFINE_FINAL_TYPE (HmFindResult, hm_find_result, G_TYPE_OBJECT)

static void
hm_find_result_finalize (GObject *object)
{
  g_free (HM_FIND_RESULT (object)->preview);
  G_OBJECT_CLASS (hm_find_result_parent_class)->finalize (object);
}

static void
hm_find_result_class_init (HmFindResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hm_find_result_finalize;
}

static void
hm_find_result_init (HmFindResult *self)
{
}

HmFindResult *
hm_find_result_new (guint64  offset,
                    guint64  length,
                    gboolean unreadable)
{
  HmFindResult *self = g_object_new (HM_TYPE_FIND_RESULT, NULL);

  self->offset = offset;
  self->length = length;
  self->unreadable = unreadable;
  return self;
}

guint64
hm_find_result_get_offset (HmFindResult *self)
{
  g_return_val_if_fail (HM_IS_FIND_RESULT (self), 0);
  return self->offset;
}

guint64
hm_find_result_get_length (HmFindResult *self)
{
  g_return_val_if_fail (HM_IS_FIND_RESULT (self), 0);
  return self->length;
}

gboolean
hm_find_result_get_unreadable (HmFindResult *self)
{
  g_return_val_if_fail (HM_IS_FIND_RESULT (self), FALSE);
  return self->unreadable;
}

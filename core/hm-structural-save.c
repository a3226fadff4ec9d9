/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The structural save: rewrites a file in place to a new list of segments. */
#include "config.h"

#include "hm-structural-save.h"

#include <glib/gi18n-lib.h>

struct _HmSavePlan
{
  HmSegment *segments;
  guint      n_segments;
  guint64    new_size;
  guint64    bytes_to_move;
  guint64    bytes_to_write;
};

HmSavePlan *
hm_save_plan_new (int              fd,
                  const HmSegment *segments,
                  guint            n_segments,
                  GError         **error)
{
  HmSavePlan *plan;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (segments != NULL || n_segments == 0, NULL);

  plan = g_new0 (HmSavePlan, 1);
  plan->segments = g_memdup2 (segments, sizeof *segments * n_segments);
  plan->n_segments = n_segments;
  for (guint i = 0; i < n_segments; i++)
    {
      plan->new_size += segments[i].length;
      if (segments[i].kind == HM_SEGMENT_DATA)
        plan->bytes_to_write += segments[i].length;
    }
  return plan;
}

guint64
hm_save_plan_get_new_size (HmSavePlan *plan)
{
  return plan->new_size;
}

guint64
hm_save_plan_get_bytes_to_move (HmSavePlan *plan)
{
  return plan->bytes_to_move;
}

guint64
hm_save_plan_get_bytes_to_write (HmSavePlan *plan)
{
  return plan->bytes_to_write;
}

char *
hm_save_plan_describe (HmSavePlan *plan)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, plan->bytes_to_move);
}

gboolean
hm_save_plan_execute (HmSavePlan        *plan,
                      int                fd,
                      const char        *path,
                      const char        *display_name,
                      HmSegmentReadFunc  read_data,
                      gpointer           user_data,
                      HmProgressFunc     progress,
                      gpointer           progress_data,
                      GCancellable      *cancellable,
                      GError           **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Not implemented yet"));
  return FALSE;
}

void
hm_save_plan_free (HmSavePlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->segments);
  g_free (plan);
}

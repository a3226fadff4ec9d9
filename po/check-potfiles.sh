#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Fails when po/POTFILES.in is out of step with the sources:
#  - a C file or .ui template that marks strings for translation is not listed;
#  - a desktop, metainfo or schema file in data/ is not listed;
#  - a listed file does not exist (xgettext would stop on it).
# Usage: check-potfiles.sh SOURCE-ROOT
set -eu
cd "$1"
potfiles=po/POTFILES.in
listed=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$potfiles")
status=0

# _("…"), N_("…"), C_("ctx", "…"), NC_(…), and the plural/context functions.
c_marker='(^|[^A-Za-z0-9_])(_|N_|C_|NC_|ngettext|g_dngettext|g_dpgettext2?)[[:space:]]*\('
ui_marker='translatable="yes"'

candidates() {
  find core ui app -type f \( -name '*.c' -o -name '*.h' \) -exec grep -lE "$c_marker" {} + 2>/dev/null || true
  if [ -d data/ui ]; then
    find data/ui -type f -name '*.ui' -exec grep -lF "$ui_marker" {} + 2>/dev/null || true
  fi
  find data -maxdepth 1 -type f \( -name '*.desktop.in' -o -name '*.metainfo.xml.in' -o -name '*.gschema.xml' \)
}

for file in $(candidates | LC_ALL=C sort); do
  if ! printf '%s\n' "$listed" | grep -qxF "$file"; then
    echo "$file has translatable strings but is missing from $potfiles" >&2
    status=1
  fi
done

for file in $listed; do
  if [ ! -f "$file" ]; then
    echo "$potfiles lists $file, which does not exist" >&2
    status=1
  fi
done

[ "$status" -eq 0 ] && echo "$potfiles lists every translatable file"
exit $status

#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every screenshot the metainfo names (https://hexmap.org/screenshots/NAME.png,
# where the files in data/screenshots/ are published) must exist in that folder.
# Usage: check-screenshots.sh METAINFO.xml.in SCREENSHOTS-DIR
set -eu
metainfo=$1
dir=$2
status=0
count=0
for url in $(sed -n 's|.*<image[^>]*>\(https://hexmap.org/screenshots/[^<]*\)</image>.*|\1|p' "$metainfo"); do
  count=$((count + 1))
  name=${url##*/}
  if [ ! -f "$dir/$name" ]; then
    echo "$metainfo names $url, but $dir/$name does not exist" >&2
    status=1
  fi
done
if [ "$count" -eq 0 ]; then
  echo "$metainfo names no screenshot under https://hexmap.org/screenshots/" >&2
  status=1
fi
exit $status

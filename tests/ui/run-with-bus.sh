#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one UI test on a session bus of its own (GTK's accessibility goes
# through it). The bus and the services it starts (the accessibility registry
# prints "SpiRegistry daemon is running…") write to stderr; only the test
# writes to stdout, so stdout stays pure TAP.
#   run-with-bus.sh DBUS_RUN_SESSION TEST [ARGS…]
set -eu
dbus_run_session=$1
shift
exec 3>&1
exec "$dbus_run_session" -- sh -c 'exec "$@" >&3 3>&-' sh "$@" >&2

#!/usr/bin/env bash
# Stops the vigia started by scripts/start.sh: SIGTERM (vigia flushes and prints its session summary into
# logs/vigia.out), then SIGKILL if it is still running after STOP_GRACE_SECONDS (default 15).
# A stale PID file (process gone, or the PID now belongs to something that is not vigia) is removed with a
# message and nothing is signalled.
#
#   scripts/stop.sh
#   VIGIA_HOME=/home/bot/app STOP_GRACE_SECONDS=30 scripts/stop.sh
#
# Exit: 0 stopped or not running, 1 could not stop it.
set -euo pipefail

SCRIPT_NAME=stop
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

case ${1:-} in
  -h | --help)
    sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    exit 0
    ;;
  "") ;;
  *) die "unexpected argument '$1'" 2 ;;
esac

grace=${STOP_GRACE_SECONDS:-15}
is_seconds "$grace" || die "STOP_GRACE_SECONDS must be whole seconds, got '$grace'" 2

enter_home

if [[ ! -e $PID_FILE ]]; then
  say "vigia is not running (no $PID_FILE)"
  exit 0
fi
pid=$(read_pid_file)
if [[ -z $pid ]]; then
  rm -f "$PID_FILE"
  say "stale PID file $PID_FILE held no PID: removed"
  exit 0
fi
if ! is_alive "$pid"; then
  rm -f "$PID_FILE"
  say "stale PID file $PID_FILE: PID $pid is not running: removed"
  exit 0
fi
if ! is_vigia "$pid"; then
  rm -f "$PID_FILE"
  say "stale PID file $PID_FILE: PID $pid is not vigia ($(read_cmdline "$pid")): removed, process left alone"
  exit 0
fi

say "stopping vigia (PID $pid): SIGTERM, up to ${grace}s"
stop_process "$pid" vigia "$grace" || exit 1
rm -f "$PID_FILE"
say "vigia stopped"

#!/usr/bin/env bash
# Starts `vigia run` in the background with nohup: output appended to logs/vigia.out, PID in logs/vigia.pid.
# Refuses when vigia is already running; replaces a stale PID file (with a message).
#
#   scripts/start.sh                     # in the repository folder
#   VIGIA_HOME=/home/bot/app scripts/start.sh
#   VIGIA_ARGS="--config /etc/vigia/vigia.config.yaml" scripts/start.sh
#
# Environment: VIGIA_HOME (working folder, default: the repository), VIGIA_ARGS (extra `vigia run` arguments,
# split on blanks), START_CHECK_SECONDS (how long vigia must stay up to count as started, default 1),
# VIGIA_NODE / VIGIA_JS (node binary / entry point). Exit: 0 started, 1 not started or already running.
set -euo pipefail

SCRIPT_NAME=start
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

case ${1:-} in
  -h | --help)
    sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    exit 0
    ;;
  "") ;;
  *) die "unexpected argument '$1' (vigia's own options go in VIGIA_ARGS)" 2 ;;
esac

check_seconds=${START_CHECK_SECONDS:-1}
is_seconds "$check_seconds" || die "START_CHECK_SECONDS must be whole seconds, got '$check_seconds'" 2

enter_home
mkdir -p logs

if [[ -e $PID_FILE ]]; then
  pid=$(read_pid_file)
  if [[ -n $pid ]] && is_alive "$pid" && is_vigia "$pid"; then
    die "vigia is already running (PID $pid, $(pwd -P)/$PID_FILE); stop it with scripts/stop.sh"
  fi
  say "stale PID file $PID_FILE (${pid:-no PID in it}; not a running vigia): removed"
  rm -f "$PID_FILE"
fi

build_vigia_command run
# Claim the PID file atomically (noclobber) so two concurrent starts cannot both launch a vigia.
if ! (set -C && printf '%s\n' "$$" >"$PID_FILE") 2>/dev/null; then
  die "another start is in progress ($PID_FILE appeared meanwhile)"
fi

printf '\n=== %s start.sh: %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "${VIGIA_CMD[*]}" >>"$OUT_FILE"
# Its own process group (set -m): a Ctrl+C in this terminal during the start check does not reach vigia.
set -m
nohup "${VIGIA_CMD[@]}" </dev/null >>"$OUT_FILE" 2>&1 &
pid=$!
set +m
printf '%s\n' "$pid" >"$PID_FILE"

# A bad config ends vigia within a second: say so now rather than leave a PID file for a dead process.
if wait_for_exit "$pid" "$check_seconds"; then
  code=0
  wait "$pid" || code=$?
  rm -f "$PID_FILE"
  say "vigia exited at once (exit $code); last lines of $OUT_FILE:"
  tail -n 20 "$OUT_FILE" >&2
  exit 1
fi
say "vigia started (PID $pid) in $(pwd -P); output: $OUT_FILE; stop with scripts/stop.sh"

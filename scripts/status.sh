#!/usr/bin/env bash
# Says whether the vigia started by scripts/start.sh is running, then shows the last lines of logs/monitor.log
# (or of the newest logs/monitor*.log when the log is rotated by date). Read-only: a stale PID file is
# reported, not removed (scripts/stop.sh or scripts/start.sh clean it up).
#
#   scripts/status.sh            # state + last 10 lines
#   scripts/status.sh -n 50      # more lines
#   scripts/status.sh --health   # also ask the running vigia's /health (`vigia status`)
#
# Exit (LSB style): 0 running, 1 not running but a stale PID file remains, 3 not running.
set -euo pipefail

SCRIPT_NAME=status
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

lines=10
health=false
while (($#)); do
  case $1 in
    -n)
      [[ ${2:-} =~ ^[0-9]+$ ]] || die "-n needs a number of lines" 2
      lines=$2
      shift 2
      ;;
    --health)
      health=true
      shift
      ;;
    -h | --help)
      sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) die "unexpected argument '$1'" 2 ;;
  esac
done

enter_home

code=3
if [[ -e $PID_FILE ]]; then
  pid=$(read_pid_file)
  if [[ -z $pid ]]; then
    echo "vigia: stopped (stale PID file $PID_FILE holds no PID)"
    code=1
  elif ! is_alive "$pid"; then
    echo "vigia: stopped (stale PID file $PID_FILE: PID $pid is not running)"
    code=1
  elif ! is_vigia "$pid"; then
    echo "vigia: stopped (stale PID file $PID_FILE: PID $pid is not vigia)"
    code=1
  else
    elapsed=$(ps -o etime= -p "$pid" 2>/dev/null | tr -d ' ') || elapsed=""
    echo "vigia: running (PID $pid${elapsed:+, up $elapsed}) in $(pwd -P)"
    code=0
  fi
else
  echo "vigia: stopped"
fi

monitor_log=logs/monitor.log
if [[ ! -f $monitor_log ]]; then
  # winston's daily rotation names files monitor-YYYY-MM-DD.log: take the newest.
  newest=""
  for f in logs/monitor*.log; do
    [[ -f $f && (-z $newest || $f -nt $newest) ]] && newest=$f
  done
  [[ -n $newest ]] && monitor_log=$newest
fi
if [[ -f $monitor_log ]]; then
  echo "--- last $lines lines of $monitor_log ---"
  tail -n "$lines" "$monitor_log"
else
  echo "--- no $monitor_log yet ---"
fi

if [[ $health == true && $code == 0 ]]; then
  echo "--- vigia status ---"
  # `vigia status` takes only --config from the run's VIGIA_ARGS (the config says where /health listens).
  config_args=()
  read -r -a run_args <<<"${VIGIA_ARGS:-}"
  for ((i = 0; i < ${#run_args[@]}; i++)); do
    case ${run_args[i]} in
      --config | -c) config_args=(--config "${run_args[i + 1]:-}") ;;
      --config=*) config_args=("${run_args[i]}") ;;
    esac
  done
  VIGIA_ARGS="" build_vigia_command status
  "${VIGIA_CMD[@]}" ${config_args[@]+"${config_args[@]}"} || true
fi
exit "$code"

#!/usr/bin/env bash
# Runs the bot and `vigia run` side by side in the foreground, for a test session: Ctrl+C stops both.
#
#   scripts/run-with-monitor.sh                          # bot = python3 main.py
#   scripts/run-with-monitor.sh -- python3 main.py --debug
#   BOT_CMD="python3 main.py" VIGIA_ARGS="--dry-run" scripts/run-with-monitor.sh
#
# The bot's stdout and stderr are appended to BOT_LOG (default logs/bot_central.log), the file `vigia run`
# tails; vigia's own output (and its session summary at the end) stays on this terminal. vigia starts first
# and gets VIGIA_WARMUP_SECONDS (default 2) to begin tailing, so the bot's first lines are not missed.
# On SIGINT/SIGTERM/SIGHUP: the bot gets SIGTERM, then vigia (after the bot is gone, so it reads the bot's
# last lines); each is SIGKILLed after STOP_GRACE_SECONDS (default 10). When the bot ends by itself, vigia is
# stopped the same way. If vigia dies first, the bot keeps running (a warning is printed).
#
# Environment: VIGIA_HOME (working folder for both, default: the repository), BOT_CMD (split on blanks, no
# quotes: use `-- CMD ARGS...` for anything fancier), BOT_LOG, VIGIA_ARGS (extra `vigia run` arguments, split
# on blanks), VIGIA_WARMUP_SECONDS, STOP_GRACE_SECONDS, VIGIA_NODE / VIGIA_JS.
# Exit: the bot's exit status (128+N when a signal ended it); vigia's status if vigia failed to start.
set -euo pipefail

SCRIPT_NAME=run-with-monitor
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

bot_cmd=()
if (($#)); then
  case $1 in
    -h | --help)
      sed -n '2,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    --) shift ;;
  esac
  bot_cmd=("$@")
fi
if ((${#bot_cmd[@]} == 0)); then
  read -r -a bot_cmd <<<"${BOT_CMD:-python3 main.py}"
  ((${#bot_cmd[@]})) || die "BOT_CMD is blank" 2
fi

bot_log=${BOT_LOG:-logs/bot_central.log}
warmup=${VIGIA_WARMUP_SECONDS:-2}
grace=${STOP_GRACE_SECONDS:-10}
is_seconds "$warmup" || die "VIGIA_WARMUP_SECONDS must be whole seconds, got '$warmup'" 2
is_seconds "$grace" || die "STOP_GRACE_SECONDS must be whole seconds, got '$grace'" 2

enter_home
build_vigia_command run
mkdir -p logs "$(dirname "$bot_log")"

bot_pid=""
vigia_pid=""
sleeper_pid=""
stopping=false

# Stops one child ($1 = bot|vigia): TERM, grace, KILL to its process group; prints and returns its status.
stop_child() {
  local name=$1 pid code=0
  [[ $name == bot ]] && pid=$bot_pid || pid=$vigia_pid
  [[ -n $pid ]] || return 0
  stop_process "$pid" "$name" "$grace" group || true
  wait "$pid" 2>/dev/null || code=$?
  say "$name stopped (exit $code)"
  return "$code"
}

# Ends the session on signal $1: the bot first, then vigia; exits with the bot's status (128+N if it never ran).
# shellcheck disable=SC2317 # called from the traps below
shut_down() {
  local signal=$1 bot_code
  $stopping && return 0
  stopping=true
  trap '' INT TERM HUP # a second Ctrl+C must not cut the shutdown short: the grace period bounds it
  [[ -z $sleeper_pid ]] || kill "$sleeper_pid" 2>/dev/null || true
  say "got SIG$signal: stopping the bot, then vigia"
  bot_code=$((128 + $(kill -l "$signal")))
  if [[ -n $bot_pid ]]; then
    bot_code=0
    stop_child bot || bot_code=$?
  fi
  if [[ -n $vigia_pid ]]; then
    sleep 0.5 # let vigia read the bot's last lines before it stops tailing
    stop_child vigia || true
  fi
  exit "$bot_code"
}

# Traps first: a signal that lands between the two launches must still stop what was started.
trap 'shut_down INT' INT
trap 'shut_down TERM' TERM
trap 'shut_down HUP' HUP

# Each child gets its own process group (set -m), so a terminal Ctrl+C reaches only this script, which then
# stops the two in order; it also keeps SIGINT from being ignored in them, as it is for `&` jobs otherwise.
set -m
"${VIGIA_CMD[@]}" </dev/null &
vigia_pid=$!
set +m
say "started vigia (PID $vigia_pid): ${VIGIA_CMD[*]}"

if wait_for_exit "$vigia_pid" "$warmup"; then
  code=0
  wait "$vigia_pid" || code=$?
  vigia_pid=""
  die "vigia exited during start-up (exit $code); the bot was not started" "$((code == 0 ? 1 : code))"
fi

set -m
"${bot_cmd[@]}" </dev/null >>"$bot_log" 2>&1 &
bot_pid=$!
set +m
say "started bot (PID $bot_pid): ${bot_cmd[*]} >> $bot_log"
say "Ctrl+C stops both; follow the bot with: tail -f $(pwd -P)/$bot_log"

while is_alive "$bot_pid"; do
  if [[ -n $vigia_pid ]] && ! is_alive "$vigia_pid"; then
    code=0
    wait "$vigia_pid" || code=$?
    vigia_pid=""
    say "warning: vigia exited (exit $code) while the bot runs on unwatched; see logs/monitor.log"
  fi
  # A background sleep, so a signal is handled at once instead of after the sleep.
  sleep 0.5 &
  sleeper_pid=$!
  wait "$sleeper_pid" || true
  sleeper_pid=""
done

code=0
wait "$bot_pid" || code=$?
bot_pid=""
say "bot exited (exit $code)"
if ((code != 0)); then
  # A bot that could not start at all (127: command not found) says why only in its log.
  say "last lines of $bot_log:"
  tail -n 5 "$bot_log" >&2
fi
trap '' INT TERM HUP
if [[ -n $vigia_pid ]]; then
  sleep 0.5 # let vigia read the bot's last lines before it stops tailing
  stop_child vigia || true
fi
exit "$code"

# shellcheck shell=bash
# Helpers shared by vigia's shell scripts (sourced, never run): the working folder, vigia's command line,
# "is this PID alive / is it vigia", and stopping a process with TERM then KILL.
# The caller sets SCRIPT_NAME before sourcing; it prefixes every message.

# The repository (parent of scripts/), whatever the caller's working directory.
VIGIA_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck disable=SC2034 # used by the scripts that source this file
PID_FILE=logs/vigia.pid
# shellcheck disable=SC2034
OUT_FILE=logs/vigia.out

# Prints a message for the operator on stderr, prefixed with the script's name.
say() {
  printf '%s: %s\n' "${SCRIPT_NAME:-vigia}" "$*" >&2
}

# Prints a message and exits with status 1 (or the status given as $2).
die() {
  say "$1"
  exit "${2:-1}"
}

# Succeeds when $1 is a whole number of seconds (the grace periods are integers, for `sleep`-free arithmetic).
is_seconds() {
  [[ $1 =~ ^[0-9]+$ ]]
}

# Moves into the working folder: VIGIA_HOME, or the repository. Relative paths (logs/...) start there.
enter_home() {
  local home=${VIGIA_HOME:-$VIGIA_REPO}
  cd "$home" 2>/dev/null || die "VIGIA_HOME '$home' is not a folder"
}

# Fills the array VIGIA_CMD with `env MALLOC_ARENA_MAX=2 … node --max-semi-space-size=1 <repo>/bin/vigia.js
# <subcommand> $VIGIA_ARGS` (the environment and node flags of the bin's shebang, docs/cli.md#node-flags).
# VIGIA_ARGS is split on blanks only (no quotes, no globs): it never goes through a shell parser.
# VIGIA_NODE and VIGIA_JS pick another node binary or entry point (e.g. a global install).
build_vigia_command() {
  local subcommand=$1 node=${VIGIA_NODE:-node} entry=${VIGIA_JS:-$VIGIA_REPO/bin/vigia.js}
  local -a extra=()
  command -v "$node" >/dev/null 2>&1 || die "node not found ('$node'); install Node.js 20 or set VIGIA_NODE"
  [[ -f $entry ]] || die "vigia entry point not found: $entry (set VIGIA_JS)"
  read -r -a extra <<<"${VIGIA_ARGS:-}"
  # shellcheck disable=SC2034 # the caller's output
  VIGIA_CMD=(env "VIGIA_CALLER_MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX-}" MALLOC_ARENA_MAX=2 "$node" --max-semi-space-size=1 "$entry" "$subcommand" ${extra[@]+"${extra[@]}"})
}

# Succeeds while process $1 exists and has not exited. A zombie (exited, not yet reaped by its parent) counts
# as gone: under a container init that never reaps, an orphaned vigia stays a zombie forever.
is_alive() {
  local pid=$1 stat
  if [[ -d /proc ]]; then
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    # Field 3 follows the command name, which is in parentheses and may itself hold spaces or ')'.
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
  else
    kill -0 "$pid" 2>/dev/null
  fi
}

# Prints the command line of process $1, arguments separated by spaces.
read_cmdline() {
  local pid=$1
  local args
  if [[ -r /proc/$pid/cmdline ]]; then
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline")
    printf '%s\n' "${args% }"
  else
    ps -o args= -p "$pid" 2>/dev/null
  fi
}

# Succeeds when process $1 is vigia (its command line mentions vigia), so a recycled PID is never signalled.
is_vigia() {
  [[ $(read_cmdline "$1") == *vigia* ]]
}

# Prints the PID stored in the PID file, or nothing when the file is missing or holds no PID.
read_pid_file() {
  local pid=""
  if [[ -f $PID_FILE ]]; then
    read -r pid <"$PID_FILE" 2>/dev/null || true # a file without a final newline still fills pid
  fi
  [[ $pid =~ ^[0-9]+$ ]] && printf '%s\n' "$pid"
  return 0
}

# Waits up to $2 seconds (polling every 0.2 s) for process $1 to end; succeeds when it has.
wait_for_exit() {
  local pid=$1 ticks=$(($2 * 5))
  while is_alive "$pid"; do
    ((ticks-- > 0)) || return 1
    sleep 0.2
  done
}

# Stops process $1 (named $2 in messages): SIGTERM, up to $3 seconds of grace, then SIGKILL. With $4 = group,
# the KILL goes to the whole process group led by $1 (its own children included). Fails if it survives.
stop_process() {
  local pid=$1 name=$2 grace=$3 scope=${4:-process}
  is_alive "$pid" || return 0
  if ! kill -TERM "$pid" 2>/dev/null; then
    is_alive "$pid" || return 0
    say "cannot signal $name (PID $pid): not permitted; run this as its owner or root"
    return 1
  fi
  wait_for_exit "$pid" "$grace" && return 0
  say "$name (PID $pid) still running ${grace}s after SIGTERM: sending SIGKILL"
  if [[ $scope == group ]]; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  else
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait_for_exit "$pid" 5 || { say "$name (PID $pid) survived SIGKILL"; return 1; }
}

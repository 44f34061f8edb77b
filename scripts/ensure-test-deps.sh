#!/usr/bin/env bash
# Run by `npm test` (pretest): makes sure the programs the test suite drives for real are installed. As root with
# apt-get it installs what is missing; otherwise it says in one line what to install and lets the suite run (the
# tests that need a missing program fail and name it). VIGIA_SKIP_TEST_DEPS=1 skips the check.
set -euo pipefail

[ "${VIGIA_SKIP_TEST_DEPS:-}" = 1 ] && exit 0

# "command debian-package": one program per line. Add a line when a test starts driving a new program.
# "python3:MODULE debian-package": a Python module the system's python3 imports (a real bot's library).
REQUIRED="
logrotate logrotate
jq jq
python3 python3
python3:telegram python3-python-telegram-bot
setpriv util-linux
chromium chromium
ffprobe ffmpeg
"

# A program counts as present on PATH or in an sbin folder (not on a normal user's PATH).
SBIN_DIRS=${VIGIA_TEST_DEPS_SBIN-/usr/sbin /sbin}
# Debian's python3-* packages install for /usr/bin/python3, not for a pyenv or venv python3 earlier on PATH.
SYSTEM_PYTHON=${VIGIA_TEST_DEPS_PYTHON-/usr/bin/python3}
is_installed() {
  case $1 in
    python3:*)
      "$SYSTEM_PYTHON" -c "import ${1#python3:}" >/dev/null 2>&1
      return
      ;;
  esac
  command -v "$1" >/dev/null 2>&1 && return 0
  local dir
  for dir in $SBIN_DIRS; do
    [ -x "$dir/$1" ] && return 0
  done
  return 1
}

missing=()
while read -r program package; do
  [ -z "$program" ] && continue
  is_installed "$program" || missing+=("$package")
done <<<"$REQUIRED"
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log=$(mktemp "${TMPDIR:-/tmp}/vigia-test-deps-XXXXXX.log")
  if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    echo "test deps: installed ${missing[*]}"
    rm -f "$log"
    exit 0
  fi
  echo "test deps: apt-get could not install ${missing[*]} (see $log); the tests that need them will fail"
  exit 0
fi

echo "test deps: missing ${missing[*]}; install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}); the tests that need them will fail"
exit 0

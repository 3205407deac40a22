# Sourced by test.sh: the console's browser tests (test/console) drive Debian's chromium through playwright-core.
# Installs it when it is missing, quietly and without questions (CI runs as root on Debian); elsewhere it says what
# to do. CHROMIUM_PATH points the tests at another Chromium.
ensure_chromium() {
  local path="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$path" ] && return 0
  if [ -n "${CHROMIUM_PATH:-}" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium: no browser at $path: install Chromium and set CHROMIUM_PATH to it" >&2
    return 1
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! sudo -n true 2>/dev/null; then
      echo "chromium: the console's browser tests need it: sudo apt-get install chromium" >&2
      return 1
    fi
    sudo=(sudo -n)
  fi
  echo "chromium: installing Debian's chromium for the console's browser tests"
  local log
  log=$(mktemp)
  # Fresh machines have no package lists; a busy dpkg (unattended upgrades) is waited for rather than failed on.
  if ! {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=300 update &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq -y -o DPkg::Lock::Timeout=300 \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install chromium
  } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "chromium: apt-get could not install it (see above)" >&2
    return 1
  fi
  rm -f "$log"
  [ -x "$path" ] || { echo "chromium: installed, but $path is missing" >&2; return 1; }
}

#!/usr/bin/env bash
# install_missing.sh PACKAGE... - install the Debian packages that are not
# installed yet, as root or through sudo; otherwise stop with the one
# command to run. The Makefile's deps targets call it.
#
# `dpkg -s` is the cheap check that needs no network; apt-get runs only
# when something is missing. Another apt or dpkg (unattended upgrades, a
# second make) may hold the package locks: wait for them, up to ten
# minutes, rather than fail.
set -u

missing=()
for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
((${#missing[@]})) || exit 0

if [[ $(id -u) == 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
else
    echo "missing packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

# apt-get with the lock wait that apt itself offers (DPkg::Lock::Timeout
# covers the dpkg lock); the lists lock of `apt-get update` is not
# covered by it, so a lock message there means: wait and try again.
apt_waiting() {
    local log tries=0
    log=$(mktemp)
    while :; do
        if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get -q -o DPkg::Lock::Timeout=600 "$@" >"$log" 2>&1; then
            rm -f "$log"
            return 0
        fi
        if grep -q -e 'Could not get lock' -e 'Unable to lock' "$log" &&
            ((tries++ < 120)); then
            sleep 5
            continue
        fi
        tail -n 5 "$log" >&2
        rm -f "$log"
        return 1
    done
}

echo "installing: ${missing[*]}"
if ! apt_waiting update || ! apt_waiting install -y "${missing[@]}"; then
    echo "could not install: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

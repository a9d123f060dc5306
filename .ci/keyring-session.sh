#!/usr/bin/env bash
# Run a command inside a private D-Bus session with its own unlocked Secret Service
# (gnome-keyring-daemon --components=secrets), so tests store, read and delete real keyring
# items without touching anyone's own keychain.
#
#   .ci/keyring-session.sh python3 dev.py test
#
# The keyring files go to a throwaway folder (not ~/.local/share/keyrings), are unlocked
# with a random password, and are removed when the command ends; the daemon exits with the
# session bus. Inside, IMGLOOP_KEYRING_SESSION=private marks the session as disposable and
# IMGLOOP_REQUIRE_SECRET_SERVICE=1 makes the live keyring tests fail, not skip, if the
# Secret Service is somehow not what `keyring` finds.
# Needs (Debian): dbus gnome-keyring libsecret-tools (secret-tool, used by the tests).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

if [ "${IMGLOOP_KEYRING_SESSION_STAGE:-}" != "inside" ]; then
  missing=()
  for tool in dbus-run-session dbus-send gnome-keyring-daemon secret-tool; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "keyring-session: missing ${missing[*]};" \
      "install the Debian packages: dbus gnome-keyring libsecret-tools" >&2
    exit 127
  fi
  state="$(mktemp -d "${TMPDIR:-/tmp}/imgloop-keyring.XXXXXX")"
  chmod 700 "$state"
  status=0
  IMGLOOP_KEYRING_SESSION_STAGE=inside IMGLOOP_KEYRING_STATE="$state" \
    dbus-run-session -- "$0" "$@" || status=$?
  rm -rf "$state"
  exit "$status"
fi

# Inside the private session bus from here on.
state="$IMGLOOP_KEYRING_STATE"
unset IMGLOOP_KEYRING_SESSION_STAGE IMGLOOP_KEYRING_STATE
mkdir -p "$state/data" "$state/runtime"
chmod 700 "$state/runtime"
password="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The daemon forks into the background and stays until the session bus goes away. Its
# data and control socket live under $state; only the daemon sees these two variables.
printf '%s' "$password" |
  XDG_DATA_HOME="$state/data" XDG_RUNTIME_DIR="$state/runtime" \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null
unset password

# Wait (bounded) until the Secret Service name is owned on this bus.
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q "boolean true"; then
    break
  fi
  sleep 0.05
done

export IMGLOOP_KEYRING_SESSION=private
export IMGLOOP_REQUIRE_SECRET_SERVICE=1
exec "$@"

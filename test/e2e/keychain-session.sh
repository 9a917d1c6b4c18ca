#!/usr/bin/env bash
# A private Secret Service for the keychain test: a D-Bus session (dbus-run-session) with
# gnome-keyring unlocked in a fresh XDG_DATA_HOME (the first argument). Prints the session's
# DBUS_SESSION_BUS_ADDRESS and READY on stdout, then keeps the session alive until stdin closes;
# the session, and the keyring with it, end then. Exits non-zero, saying why, if a part cannot start.
set -euo pipefail
data_home="${1:?usage: keychain-session.sh XDG_DATA_HOME}"
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" > /dev/null || { echo "keychain-session: $tool is not installed (apt-get install -y --no-install-recommends dbus gnome-keyring)" >&2; exit 3; }
done
mkdir -p "$data_home"
export XDG_DATA_HOME="$data_home"
# The keyring's control socket goes under XDG_RUNTIME_DIR: a private one, removed with the session.
export XDG_RUNTIME_DIR="$data_home/runtime"
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- bash -c '
  set -euo pipefail
  eval "$(printf %s pw | gnome-keyring-daemon --unlock --components=secrets)"
  echo "DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS"
  echo READY
  # gnome-keyring-daemon leaves when the bus it is on goes away, at the end of the session.
  cat > /dev/null
'

#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through its chromedriver; never a browser a
# tool downloads itself. Install both when missing and this user can.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium and chromium-driver for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
  echo "Browser tests need Debian's Chromium: sudo apt-get install chromium chromium-driver" >&2
  exit 1
fi

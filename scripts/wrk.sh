#!/usr/bin/env bash
# The page benchmarks (bench/load.py) drive gunicorn with Debian's wrk on
# loopback. Install it when missing and this user can.
set -euo pipefail
if command -v wrk >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's wrk for the page benchmarks…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
else
  echo "The page benchmarks need wrk: sudo apt-get install wrk" >&2
  exit 1
fi

#!/usr/bin/env bash
# WeasyPrint subsets the fonts it embeds with HarfBuzz's subsetting library; without
# it a certificate takes about four times longer and its PDF is larger. Install it
# when missing and this user can; otherwise say so, once, at start.
set -euo pipefail
present() { ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0'; }
if present; then
  echo "Font subsetting (HarfBuzz) is present: certificates render at full speed."
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's libharfbuzz-subset0 so certificates subset their fonts…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null || true
fi
if present; then
  echo "Font subsetting (HarfBuzz) is present: certificates render at full speed."
else
  echo "WARNING: HarfBuzz's font subsetting library is missing; certificates render" >&2
  echo "about 4x slower. Install it with: sudo apt-get install libharfbuzz-subset0" >&2
fi

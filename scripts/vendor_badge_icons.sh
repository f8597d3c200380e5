#!/usr/bin/env bash
# Copies the badge designer's icons from the lucide-static npm package (ISC
# licence) into static/badge-icons/, with the licence. Run again to change the
# set or the version; the copied files are committed, nothing is fetched at run time.
set -euo pipefail
VERSION=1.87.0
ICONS=(
  award book-open brain briefcase calculator chart-bar code compass cpu
  database flask-conical globe graduation-cap hammer heart-pulse landmark
  languages leaf lightbulb mic microscope music palette pen-tool
  rocket scale shield-check sprout star stethoscope target trophy
  users wrench zap
)
here="$(cd "$(dirname "$0")/.." && pwd)"
target="$here/static/badge-icons"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "lucide-static@$VERSION" >/dev/null && tar -xzf lucide-static-*.tgz)
rm -f "$target"/*.svg
for name in "${ICONS[@]}"; do
  cp "$work/package/icons/$name.svg" "$target/$name.svg"
done
cp "$work/package/LICENSE" "$target/LICENSE"
echo "lucide-static $VERSION (ISC): ${#ICONS[@]} icons in static/badge-icons/" > "$target/SOURCE"

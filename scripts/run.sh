#!/usr/bin/env bash
# Serve the demo on http://127.0.0.1:8000. With no settings: SQLite and tasks in
# process. With DATABASE_URL and REDIS_URL: PostgreSQL, Redis and a Celery worker.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
PY=.venv/bin/python
mkdir -p var

pids=()
cleanup() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$PY" scripts/ensure_database.py
"$PY" manage.py migrate --noinput
if [ -n "${REDIS_URL:-}" ]; then
  echo "Starting a Celery worker (queues default, signing, pdf, mail, bulk, webhooks) with beat…"
  .venv/bin/celery -A config worker -B -s var/celerybeat-schedule \
    -Q default,signing,pdf,mail,bulk,webhooks --concurrency 2 --loglevel INFO &
  pids+=($!)
else
  echo "No REDIS_URL: tasks run in process."
fi
"$PY" manage.py seed_demo
echo "Cairn is serving on http://127.0.0.1:8000 (Ctrl-C stops it)."
if [ "$DEBUG" = "1" ]; then
  "$PY" manage.py runserver 127.0.0.1:8000 --noreload &
else
  "$PY" manage.py collectstatic --noinput -v0
  .venv/bin/gunicorn config.wsgi -b 127.0.0.1:8000 -w 2 &
fi
pids+=($!)
wait "${pids[-1]}"

#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1; start them if installed but
# stopped; say exactly what to install if they are missing.
set -euo pipefail

postgres_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { [ "$(printf 'PING\r\n' | timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379; cat >&3; head -c 5 <&3' 2>/dev/null)" = "+PONG" ]; }

if ! postgres_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  else
    echo "PostgreSQL is not installed. Install it with: apt-get install postgresql" >&2
    echo "(tests expect trust auth for user postgres on 127.0.0.1:5432)" >&2
    exit 1
  fi
  for _ in $(seq 30); do postgres_up && break; sleep 0.5; done
  postgres_up || { echo "PostgreSQL did not start." >&2; exit 1; }
fi

if ! redis_up; then
  if command -v redis-server >/dev/null; then
    echo "Starting Redis…"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" \
      --appendonly no --dir /tmp --logfile /tmp/cairn-redis.log
  else
    echo "Redis is not installed. Install it with: apt-get install redis-server" >&2
    exit 1
  fi
  for _ in $(seq 30); do redis_up && break; sleep 0.5; done
  redis_up || { echo "Redis did not start." >&2; exit 1; }
fi
echo "PostgreSQL and Redis are up."

#!/usr/bin/env bash
# A PostgreSQL streaming replica of the local cluster, for the read-replica
# routing tests (docs/scale.md). Needs root and Debian's postgresql-common
# (pg_createcluster, pg_ctlcluster), as on the CI machine.
#
#   bash scripts/replica.sh start   # replica on 127.0.0.1:5433 (idempotent)
#   bash scripts/replica.sh stop    # stop and remove it
set -euo pipefail
VER=$(ls /etc/postgresql | sort -n | tail -1)
PORT=${REPLICA_PORT:-5433}
NAME=replica
HBA=/etc/postgresql/$VER/main/pg_hba.conf
DATA=/var/lib/postgresql/$VER/$NAME

case "${1:-start}" in
start)
  # The primary must accept replication connections from loopback.
  if ! grep -qE '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$HBA"; then
    echo "host replication all 127.0.0.1/32 trust" >>"$HBA"
    pg_ctlcluster --skip-systemctl-redirect "$VER" main reload
  fi
  if pg_isready -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
    echo "replica already running on port $PORT"
    exit 0
  fi
  if [ ! -d "/etc/postgresql/$VER/$NAME" ]; then
    pg_createcluster "$VER" "$NAME" -p "$PORT" >/dev/null
  fi
  # Same (loopback trust) access rules as the primary.
  cp "$HBA" "/etc/postgresql/$VER/$NAME/pg_hba.conf"
  rm -rf "$DATA"
  install -d -o postgres -g postgres -m 700 "$DATA"
  su postgres -c "pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D '$DATA' -R -X stream -c fast"
  pg_ctlcluster --skip-systemctl-redirect "$VER" "$NAME" stop 2>/dev/null || true
  pg_ctlcluster --skip-systemctl-redirect "$VER" "$NAME" start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$PORT" -q && break; sleep 1; done
  psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc "select pg_is_in_recovery()" | grep -q t
  echo "replica streaming on 127.0.0.1:$PORT"
  ;;
stop)
  pg_ctlcluster --skip-systemctl-redirect "$VER" "$NAME" stop 2>/dev/null || true
  pg_dropcluster "$VER" "$NAME" 2>/dev/null || true
  ;;
*)
  echo "usage: bash scripts/replica.sh start|stop" >&2
  exit 2
  ;;
esac

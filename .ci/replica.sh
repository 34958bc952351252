#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL cluster, for the `replica` tests and bench/replica.py:
# a second Debian cluster on REPLICA_PORT (5433) made with `pg_basebackup -R` from PRIMARY_PORT
# (5432), started and waited for until it is in recovery and streaming. Idempotent: a replica
# already streaming is left as it is; one that is not is made again. Needs the Debian PostgreSQL
# tools (pg_createcluster, pg_ctlcluster, pg_basebackup) and root or the postgres user.
# Prints the replica's URL on its last line.
set -euo pipefail

PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
CLUSTER="${REPLICA_CLUSTER:-replica}"
primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atqc "$1"; }
replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atqc "$1" 2>/dev/null; }
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
streaming() {
    [ "$(replica 'select pg_is_in_recovery()' || true)" = t ] &&
        [ "$(replica 'select status from pg_stat_wal_receiver' || true)" = streaming ]
}

for tool in pg_createcluster pg_ctlcluster pg_basebackup pg_lsclusters; do
    command -v "$tool" >/dev/null || { echo "replica.sh: $tool not found (Debian's postgresql)"; exit 1; }
done
primary 'select 1' >/dev/null || { echo "replica.sh: no PostgreSQL answers on $PRIMARY_PORT"; exit 1; }
URL="postgres://postgres@127.0.0.1:$REPLICA_PORT"

if streaming; then
    echo "replica.sh: the replica on $REPLICA_PORT is streaming already"
    echo "$URL"
    exit 0
fi

VERSION="$(primary 'show server_version_num')"
VERSION="${VERSION:0:2}"
[ "$(primary 'show wal_level')" != minimal ] || {
    echo "replica.sh: the primary has wal_level = minimal; set it to replica and restart it"; exit 1; }
[ "$(primary 'show max_wal_senders')" -ge 2 ] || {
    echo "replica.sh: the primary needs max_wal_senders >= 2; set it and restart it"; exit 1; }

# Replication connections match only lines naming "replication": allow them on loopback, with
# the same trust the primary gives loopback's ordinary connections here.
HBA="$(primary 'show hba_file')"
if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32' "$HBA"; then
    echo "host replication postgres 127.0.0.1/32 trust" >>"$HBA"
    primary 'select pg_reload_conf()' >/dev/null
    echo "replica.sh: allowed replication from 127.0.0.1 in $HBA"
fi

if pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c' | grep -q .; then
    echo "replica.sh: cluster $VERSION/$CLUSTER exists but is not streaming; making it again"
    pg_dropcluster --stop "$VERSION" "$CLUSTER"
fi
pg_createcluster "$VERSION" "$CLUSTER" -p "$REPLICA_PORT" >/dev/null
CONF_DIR="/etc/postgresql/$VERSION/$CLUSTER"
DATA_DIR="$(awk -F"'" '/^data_directory/ {print $2}' "$CONF_DIR/postgresql.conf")"
# A hot standby refuses to start with fewer of these than its primary has.
{
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $REPLICA_PORT"
    for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
        max_locks_per_transaction; do
        echo "$name = $(primary "show $name")"
    done
    echo "hot_standby = on"
} >"$CONF_DIR/conf.d/90-replica.conf"
# Clients reach the replica as they reach the primary.
install -o postgres -g postgres -m 640 "$HBA" "$CONF_DIR/pg_hba.conf"

as_postgres find "$DATA_DIR" -mindepth 1 -delete
# -R writes standby.signal and primary_conninfo; -X stream keeps the WAL of the copy itself.
as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DATA_DIR" \
    -R -X stream -c fast
pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start

for _ in $(seq 60); do streaming && break; sleep 1; done
streaming || { echo "replica.sh: the replica on $REPLICA_PORT did not start streaming"; exit 1; }
echo "replica.sh: a streaming replica of $PRIMARY_PORT answers on $REPLICA_PORT"
echo "$URL"

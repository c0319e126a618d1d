#!/bin/sh
# Starts PostgreSQL with the part of the official postgres image's contract that charts/tickethub
# relies on:
#   POSTGRES_USER      the superuser (default: postgres)
#   POSTGRES_PASSWORD  its password, required for a new data directory
#   POSTGRES_DB        a database made for it on a new data directory (default: POSTGRES_USER)
#   PGDATA             the data directory (a directory below a mount point, so that a fresh volume's
#                      lost+found does not stop initdb)
# A new data directory is initialised once: initdb, then every /docker-entrypoint-initdb.d/*.sql in
# name order, run by psql as the superuser in POSTGRES_DB against a temporary server that listens on
# the Unix socket only; a failing script stops the container. Then the server starts for real: on
# every address, passwords (scram-sha-256) over TCP, trust on the socket inside the container.
# It runs as any uid: initdb wants a user name for it, which nss_wrapper lends when /etc/passwd has
# none. `postgres -c name=value ...` passes options on; any other command runs as given.
set -eu

case "${1:-}" in
    -*) set -- postgres "$@" ;;
esac
if [ "${1:-}" != postgres ]; then
    exec "$@"
fi
shift

fail() {
    echo "postgresql: $*" >&2
    exit 1
}

POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

# nss_wrapper answers getpwuid() from files of ours for this process and its children.
lend_a_user_name() {
    if id -un >/dev/null 2>&1; then
        return
    fi
    NSS_WRAPPER_PASSWD=$(mktemp)
    NSS_WRAPPER_GROUP=$(mktemp)
    cat /etc/passwd >"$NSS_WRAPPER_PASSWD"
    echo "postgres-$(id -u):x:$(id -u):$(id -g):PostgreSQL:$PGDATA:/usr/sbin/nologin" >>"$NSS_WRAPPER_PASSWD"
    cat /etc/group >"$NSS_WRAPPER_GROUP"
    if ! getent group "$(id -g)" >/dev/null; then
        echo "postgres-$(id -g):x:$(id -g):" >>"$NSS_WRAPPER_GROUP"
    fi
    LD_PRELOAD=libnss_wrapper.so
    export NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP LD_PRELOAD
}

forget_the_user_name() {
    if [ -n "${NSS_WRAPPER_PASSWD:-}" ]; then
        rm -f "$NSS_WRAPPER_PASSWD" "$NSS_WRAPPER_GROUP"
        unset NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP LD_PRELOAD
    fi
}

superuser_sql() {
    psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --username="$POSTGRES_USER" --no-password "$@"
}

initialise() {
    [ -n "${POSTGRES_PASSWORD:-}" ] || fail "POSTGRES_PASSWORD must be set to initialise $PGDATA"
    mkdir -p "$PGDATA"
    chmod 700 "$PGDATA" || fail "$PGDATA belongs to another user than uid $(id -u)"
    lend_a_user_name
    password_file=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
    initdb --username="$POSTGRES_USER" --pwfile="$password_file" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-instructions
    rm -f "$password_file"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"

    pg_ctl --wait --silent --options="-c listen_addresses=''" start
    if [ "$POSTGRES_DB" != postgres ]; then
        echo "CREATE DATABASE :\"database\";" | superuser_sql --dbname=postgres --set=database="$POSTGRES_DB"
    fi
    for script in /docker-entrypoint-initdb.d/*; do
        case "$script" in
            *.sql)
                echo "postgresql: running $script"
                superuser_sql --dbname="$POSTGRES_DB" --file="$script"
                ;;
            *)
                if [ -e "$script" ]; then
                    echo "postgresql: ignoring $script (only *.sql files run)"
                fi
                ;;
        esac
    done
    pg_ctl --wait --silent --mode=fast stop
    forget_the_user_name
    echo "postgresql: $PGDATA initialised"
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    initialise
fi
exec postgres "$@"

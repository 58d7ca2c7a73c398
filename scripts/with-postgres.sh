#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: a new cluster in a temporary directory,
# listening on 127.0.0.1 at a free port, run as the `postgres` user when started as root, and
# stopped (its directory removed) when the command ends. The command finds it through
# METL_TEST_POSTGRES_URL. The server also takes TLS, with a certificate for 127.0.0.1 signed by a
# CA made for the run (METL_TEST_POSTGRES_CA), so sslmode=verify-full can be tested. An already
# set METL_TEST_POSTGRES_URL is used as it is.
set -euo pipefail
if [ -n "${METL_TEST_POSTGRES_URL:-}" ]; then exec "$@"; fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
    echo "with-postgres: no PostgreSQL server installed (Debian: postgresql)" >&2
    exit 1
fi
dir=$(mktemp -d /tmp/metl-postgres.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_server=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir"
    as_server=(runuser -u postgres --)
fi
user=$("${as_server[@]}" id -un)

stop() {
    "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

"${as_server[@]}" "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
# Members of metl_password_login log in with a password (the first matching line wins); everyone
# else is trusted. A test makes such a member to show what a wrong or missing password says.
{ echo "host all +metl_password_login 127.0.0.1/32 scram-sha-256"; cat "$dir/data/pg_hba.conf"; } > "$dir/hba" \
    && mv "$dir/hba" "$dir/data/pg_hba.conf"
[ ${#as_server[@]} -eq 0 ] || chown postgres "$dir/data/pg_hba.conf"
# A throwaway CA and a server certificate, generated now, never committed. The certificate names
# `localhost` only, not the address 127.0.0.1 the URL uses, so a test can show that verify-full
# checks the name (by localhost: accepted; by 127.0.0.1: refused) and verify-ca does not.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=metl test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/data/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' > "$dir/san.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/san.ext" -out "$dir/data/server.crt" 2>/dev/null
chmod 0600 "$dir/data/server.key"
[ ${#as_server[@]} -eq 0 ] || chown postgres "$dir/data/server.key" "$dir/data/server.crt"
chmod 0644 "$dir/ca.pem"
# Tests open many short-lived pools at once; fsync stays on, as the durability tests rely on it.
"${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=400 -c shared_buffers=128MB -c ssl=on" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
"$bin/psql" -q -h 127.0.0.1 -p "$port" -U "$user" -d postgres -c "CREATE ROLE metl_password_login NOLOGIN" >/dev/null
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
export METL_TEST_POSTGRES_URL="postgres://$user@127.0.0.1:$port/postgres?sslmode=disable"
export METL_TEST_POSTGRES_CA="$dir/ca.pem"
status=0
"$@" || status=$?
exit $status

#!/usr/bin/env bash
# Harness stand-in for docker-library/postgres 17/bookworm docker-entrypoint.sh (see postgres.ts for what
# is mapped). Function names and quoting follow the original so the two can be compared line by line.
set -Eeo pipefail

if [ "$(id -u)" = '0' ] && [ -n "${HARNESS_VOLUME:-}" ]; then
	# Docker's part, not the entrypoint's: the named volume is mounted at PGDATA before the entrypoint runs.
	mount --bind "$HARNESS_VOLUME" "$PGDATA"
fi
unset HARNESS_VOLUME

file_env() {
	local var="$1" fileVar="${1}_FILE" def="${2:-}"
	if [ "${!var:-}" ] && [ "${!fileVar:-}" ]; then
		printf >&2 'error: both %s and %s are set (but are exclusive)\n' "$var" "$fileVar"; exit 1
	fi
	local val="$def"
	if [ "${!var:-}" ]; then val="${!var}"; elif [ "${!fileVar:-}" ]; then val="$(< "${!fileVar}")"; fi
	export "$var"="$val"
	unset "$fileVar"
}

docker_setup_env() {
	file_env 'POSTGRES_PASSWORD'
	file_env 'POSTGRES_USER' 'postgres'
	file_env 'POSTGRES_DB' "$POSTGRES_USER"
	DATABASE_ALREADY_EXISTS=
	if [ -s "$PGDATA/PG_VERSION" ]; then DATABASE_ALREADY_EXISTS='true'; fi
}

docker_process_sql() {
	local query_runner=( psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc )
	if [ -n "$POSTGRES_DB" ]; then query_runner+=( --dbname "$POSTGRES_DB" ); fi
	PGHOST= PGHOSTADDR= "${query_runner[@]}" "$@"
}

[ "$1" = 'postgres' ] || { echo >&2 "harness entrypoint: only the 'postgres' command is emulated, got: $1"; exit 1; }
docker_setup_env

if [ "$(id -u)" = '0' ]; then
	# docker_create_db_directories
	mkdir -p "$PGDATA"; chmod 00700 "$PGDATA"
	mkdir -p /var/run/postgresql; chmod 03775 /var/run/postgresql
	find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
	find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
	# gosu postgres in the image; setpriv execs in place just the same.
	exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$BASH_SOURCE" "$@"
fi

if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
	if [ -z "$POSTGRES_PASSWORD" ]; then
		echo >&2 'Error: Database is uninitialized and superuser password is not specified.'; exit 1
	fi
	ls /docker-entrypoint-initdb.d/ > /dev/null
	# docker_init_database_dir
	initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD")
	# pg_setup_hba_conf: appended to $PGDATA/pg_hba.conf, which a custom hba_file makes irrelevant.
	auth="$(postgres -C password_encryption "${@:2}")"
	printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
	export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
	# docker_temp_server_start
	NOTIFY_SOCKET= PGUSER="${PGUSER:-$POSTGRES_USER}" \
		pg_ctl -D "$PGDATA" -o "$(printf '%q ' "${@:2}" -c listen_addresses='' -p "${PGPORT:-5432}")" -w start
	# docker_setup_db
	exists="$(POSTGRES_DB= docker_process_sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<-'EOSQL'
		SELECT 1 FROM pg_database WHERE datname = :'db' ;
	EOSQL
	)"
	if [ -z "$exists" ]; then
		POSTGRES_DB= docker_process_sql --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
			CREATE DATABASE :"db" ;
		EOSQL
	fi
	# docker_process_init_files
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh) if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
			*.sql) printf '%s: running %s\n' "$0" "$f"; docker_process_sql -f "$f" ;;
			*) printf '%s: ignoring %s\n' "$0" "$f" ;;
		esac
	done
	# docker_temp_server_stop
	PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
	unset PGPASSWORD
	echo 'PostgreSQL init process complete; ready for start up.'
else
	echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
fi

exec "$@"

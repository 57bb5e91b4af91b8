#!/bin/sh
# sessionkv's container entrypoint, as the official Redis image's docker-entrypoint.sh:
#   docker run sessionkv                          -> sessionkv-server /usr/local/etc/sessionkv/sessionkv.conf
#   docker run sessionkv --maxmemory 1gb          -> sessionkv-server <default conf> --maxmemory 1gb
#   docker run sessionkv /etc/my/redis.conf       -> sessionkv-server /etc/my/redis.conf
#   docker run sessionkv redis-server --port 7000 -> sessionkv-server --port 7000
#   docker run sessionkv sh                       -> sh
# Started as root it hands /data to the sessionkv user and re-runs itself through gosu (SKIP_DROP_PRIVS=1
# keeps root). REDIS_PASSWORD, when set, becomes --requirepass (the Bitnami charts' convention).
# It writes nothing itself; the server writes only under its dir.
set -e

default_conf=/usr/local/etc/sessionkv/sessionkv.conf

# A first argument that is an option or a config file means the server. Options go after the image's
# default file: the server's compiled-in bind is loopback only, which a container cannot be reached on.
if [ "${1#-}" != "$1" ]; then
	set -- sessionkv-server "$default_conf" "$@"
elif [ "${1%.conf}" != "$1" ]; then
	set -- sessionkv-server "$@"
fi
if [ "$1" = 'redis-server' ]; then
	shift
	set -- sessionkv-server "$@"
fi

if [ "$1" = 'sessionkv-server' ] && [ "$(id -u)" = '0' ] && [ -z "$SKIP_DROP_PRIVS" ]; then
	find . \! -user sessionkv -exec chown sessionkv '{}' +
	exec gosu sessionkv "$0" "$@"
fi

if [ "$1" = 'sessionkv-server' ]; then
	# Files the server creates are its own alone, as Redis's image does for the default umask.
	um="$(umask)"
	if [ "$um" = '0022' ]; then
		umask 0077
	fi
	if [ -n "$REDIS_PASSWORD" ]; then
		set -- "$@" --requirepass "$REDIS_PASSWORD"
	fi
fi

exec "$@"

#!/usr/bin/env bash
# tools/stack.sh -- run a local Kedr stack (PostgreSQL, kedr, nginx) in DIR.
#
#   tools/stack.sh up DIR [--conf FILE] [--port N] [--dev]
#   tools/stack.sh down DIR [--purge]
#   tools/stack.sh pg-stop DIR | pg-start DIR
#   tools/stack.sh status DIR
#   tools/stack.sh psql DIR [PSQL-ARGS...]
#
# `make run` uses DIR=var; the test harness uses a temporary DIR per run.
# Everything a stack writes lives under DIR:
#
#   DIR/pg/{data,run,postgres.log}   private PostgreSQL cluster (unix socket
#                                    in DIR/pg/run, no TCP); when root and
#                                    the postgres user cannot reach DIR, a
#                                    symlink to /var/tmp/kedr-pg-<hash>
#   DIR/run/kedr.sock, kedr.pid      kedr's FastCGI socket and master pid
#   DIR/run/stack.env                KEDR_DATABASE_URL, PORT, KEDR_URL of the
#                                    running stack (sourceable shell)
#   DIR/nginx/nginx.conf, nginx.pid  the rendered nginx.conf.example, tmp/
#   DIR/log/kedr.log, nginx-error.log, nginx-access.log, postgres.log
#   DIR/admin-password               the password of user "admin", made
#                                    by the first `up` (mode 0600)
#   DIR/kedr.conf                    with --dev (`make run`): the config
#                                    kedr runs with, FILE with
#                                    security.cookie_secure = false, since
#                                    the stack is plain HTTP on 127.0.0.1
#
# Contract: the kedr config must put its socket (server.listen) at
# DIR/run/kedr.sock; conf/kedr.conf says "var/run/kedr.sock", so it fits
# DIR=var.  `up` refuses a config that says otherwise.
#
# Environment read:
#   KEDR_DATABASE_URL   set: use that database, no private cluster
#   PORT                nginx port when --port is not given (default 8080)
#   KEDR_BIND           address nginx listens on (default 127.0.0.1)
#   KEDR_BIN            the kedr binary (default <project>/build/kedr)
#   KEDR_NGINX          the nginx binary (default: nginx on PATH, /usr/sbin)
#   KEDR_NGINX_WORKERS  nginx worker_processes (default 1)
#   KEDR_LOGIN_RATE     nginx's limit on logins per address (default 10r/m;
#                       the test suites, which log in often, raise it)
#   KEDR_PG_BINDIR      PostgreSQL server binaries (default: pg_config
#                       --bindir, else the newest /usr/lib/postgresql/*/bin)
#
# Stacks in different DIRs are independent and may run at the same time
# (on different ports); commands on one DIR are serialised by a lock.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PROG=tools/stack.sh
PG_PORT=5432            # only names the socket file; there is no TCP
WAIT_KEDR=150           # tenths of a second to wait for kedr's socket
WAIT_NGINX=100          # tenths of a second to wait for nginx's port
STOP_WAIT=100           # tenths of a second between SIGTERM and SIGKILL

# The values nginx.conf.example ships with, which `up` substitutes.  Keep
# in step with the header comment of nginx.conf.example.
NGX_DEF_USER='user www-data;'
NGX_DEF_WORKERS='worker_processes 1;'
NGX_DEF_PID='/run/nginx.pid'
NGX_DEF_LOGDIR='/var/log/nginx/'
NGX_DEF_TMPDIR='/var/lib/nginx/'
NGX_DEF_LISTEN='listen 8080;'
NGX_DEF_WWW='/srv/kedr/www'
NGX_DEF_SOCK='unix:/run/kedr/kedr.sock'
NGX_DEF_LOGIN_RATE='rate=10r/m;'   # KEDR_LOGIN_RATE overrides (tests)

LOCK_FD=

usage()
{
    cat <<EOF
usage: $PROG up DIR [--conf FILE] [--port N] [--dev]
       $PROG down DIR [--purge]
       $PROG pg-stop DIR
       $PROG pg-start DIR
       $PROG status DIR
       $PROG psql DIR [PSQL-ARGS...]

  up        start (or reuse) PostgreSQL, kedr and nginx with state in DIR;
            --dev: plain-HTTP development, kedr runs with DIR/kedr.conf,
            FILE with security.cookie_secure = false
  down      stop whatever runs in DIR; --purge also deletes its database
  pg-stop   stop only the private PostgreSQL of DIR
  pg-start  start it again
  status    print what runs (exit 0 when all runs, 3 otherwise)
  psql      psql on DIR's private database as role kedr
EOF
}

die()
{
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 1
}

note()
{
    printf '%s: %s\n' "$PROG" "$*" >&2
}

# Print the last lines of a log file to stderr, framed.
show_log()
{
    local f=$1
    if [[ -r $f ]]; then
        printf -- '--- last lines of %s ---\n' "$f" >&2
        tail -n 40 "$f" >&2 || true
        printf -- '---\n' >&2
    fi
}

is_root()
{
    [[ $EUID -eq 0 ]]
}

# Sleep a tenth of a second.
tick()
{
    sleep 0.1
}

# True if $1 is the pid of a live (not zombie) process.
pid_alive()
{
    [[ $1 =~ ^[0-9]+$ ]] && running "$1"
}

# The pid stored in file $1 (empty when there is none).
pid_read()
{
    local p=
    [[ -r $1 ]] && read -r p <"$1" 2>/dev/null
    [[ $p =~ ^[0-9]+$ ]] && printf '%s' "$p"
    return 0
}

# True if process $1 lives and its command line contains $2 (guards
# against a stale pid file naming an unrelated, recycled pid).
pid_is()
{
    local cmd
    pid_alive "$1" || return 1
    cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *"$2"* ]]
}

# True while process $1 -- or, with $2 = group, any process of group $1 --
# runs.  Zombies do not count: an exited daemon is reparented to init,
# which may take its time to reap it.
running()
{
    if [[ ${2:-} == group ]]; then
        ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'
    else
        local st
        st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
        [[ -n $st && $st != Z* ]]
    fi
}

# Send SIGTERM (or $3) to process $1, wait for it -- and for its process
# group when it leads one (kedr's workers) -- to exit, then SIGKILL what
# is left.  Never fails.
stop_process()
{
    local pid=$1 what=$2 sig=${3:-TERM} pgid i mode=
    pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') || true
    [[ $pgid == "$pid" ]] && mode=group
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_WAIT; i++)); do
        running "$pid" $mode || break
        tick
    done
    if running "$pid" $mode; then
        note "$what (pid $pid) did not stop in $((STOP_WAIT / 10)) s, killing it"
        if [[ $mode == group ]]; then
            kill -KILL -- "-$pid" 2>/dev/null || true
        else
            kill -KILL "$pid" 2>/dev/null || true
        fi
        for ((i = 0; i < 50; i++)); do
            running "$pid" $mode || break
            tick
        done
    fi
    return 0
}

# Escape $1 for use as the replacement of a sed `s|...|...|`.
sed_repl()
{
    printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# Paths end up in nginx.conf, a libpq connection string and unix socket
# addresses; refuse characters any of them would need quoting for.
check_path()
{
    [[ $1 =~ ^/[A-Za-z0-9_./@+-]*$ ]] ||
        die "unsupported characters in path '$1' (use letters, digits, _ . / @ + -)"
}

# A unix socket path must fit in sun_path (108 bytes with the NUL).
check_socket_path()
{
    ((${#1} <= 107)) || die "socket path too long for a unix socket: '$1'"
}

# Set the DIR-derived globals from the DIR argument.  With create=1 the
# directory is created, otherwise a missing DIR leaves DIR empty.
set_dir()
{
    local arg=$1 create=$2
    [[ -n $arg ]] || die "missing DIR (try --help)"
    if [[ ! -d $arg ]]; then
        if ((create)); then
            mkdir -p -- "$arg"
        else
            DIR=
            return 0
        fi
    fi
    DIR=$(cd -- "$arg" && pwd -P)
    check_path "$DIR"
    RUN=$DIR/run
    LOG=$DIR/log
    NGX=$DIR/nginx
    PGLINK=$DIR/pg
    SOCK=$RUN/kedr.sock
    KPID=$RUN/kedr.pid
    ENVF=$RUN/stack.env
    NGX_CONF=$NGX/nginx.conf
    NGX_PID=$NGX/nginx.pid
    NGX_ERR=$LOG/nginx-error.log
}

# Serialise commands on one DIR.  Every background process started while
# the lock is held gets the descriptor closed ({LOCK_FD}>&-), or it would
# hold the lock for as long as it runs.
take_lock()
{
    mkdir -p "$RUN" "$LOG"
    exec {LOCK_FD}>>"$RUN/stack.lock"
    flock -w 120 "$LOCK_FD" || die "$DIR is locked by another $PROG for over 120 s"
}

# --- PostgreSQL -------------------------------------------------------

# Find the server binaries (initdb, pg_ctl, psql) into PGBIN.  With
# argument "soft", return 1 instead of dying when there are none.
pg_find_bindir()
{
    local soft=${1:-} d cands=()
    if [[ -n ${KEDR_PG_BINDIR:-} ]]; then
        [[ -x $KEDR_PG_BINDIR/initdb ]] || die "no initdb in KEDR_PG_BINDIR=$KEDR_PG_BINDIR"
        PGBIN=$KEDR_PG_BINDIR
        return 0
    fi
    d=$(pg_config --bindir 2>/dev/null) || d=
    if [[ -n $d && -x $d/initdb && -x $d/pg_ctl ]]; then
        PGBIN=$d
        return 0
    fi
    shopt -s nullglob
    cands=(/usr/lib/postgresql/*/bin/initdb)
    shopt -u nullglob
    if ((${#cands[@]} > 0)); then
        d=$(printf '%s\n' "${cands[@]}" | sort -V | tail -n 1)
        PGBIN=${d%/initdb}
        return 0
    fi
    [[ $soft == soft ]] && return 1
    die "PostgreSQL server binaries not found (run tools/deps.sh, or set KEDR_PG_BINDIR)"
}

# Run a command as the cluster's owner: the postgres user when we are root
# (initdb and pg_ctl refuse root), ourselves otherwise.  Run from / so that
# an unreadable working directory does not bother it.
as_pg()
{
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Set the cluster globals (PGREAL, PGDATA, PGSOCK, PGLOG) for DIR.  With
# create=1, make the cluster directory: DIR/pg itself, or -- when we are
# root and the postgres user cannot traverse DIR (say, under /root) -- a
# directory in /var/tmp named after DIR's path, with DIR/pg a symlink to
# it, so that a later `up` of the same DIR finds the same data.  Returns 1
# (create=0) when DIR has no cluster.
pg_locate()
{
    local create=$1 hash owner
    if [[ -L $PGLINK ]]; then
        PGREAL=$(readlink -- "$PGLINK")
    elif [[ -d $PGLINK ]]; then
        PGREAL=$PGLINK
    elif ((create)); then
        if is_root && ! (cd / && runuser -u postgres -- test -x "$DIR") 2>/dev/null; then
            hash=$(printf '%s' "$DIR" | sha256sum | cut -c1-16)
            PGREAL=/var/tmp/kedr-pg-$hash
        else
            PGREAL=$PGLINK
        fi
    else
        return 1
    fi
    check_path "$PGREAL"
    PGDATA=$PGREAL/data
    PGSOCK=$PGREAL/run
    PGLOG=$PGREAL/postgres.log
    check_socket_path "$PGSOCK/.s.PGSQL.$PG_PORT"
    ((create)) || return 0

    if is_root; then
        id -u postgres >/dev/null 2>&1 ||
            die "no 'postgres' user to run PostgreSQL as (run tools/deps.sh)"
    fi
    if [[ $PGREAL != "$PGLINK" ]]; then
        # /var/tmp is shared: accept only a real directory of our own.
        if [[ -e $PGREAL || -L $PGREAL ]]; then
            owner=$(stat -c %U -- "$PGREAL")
            [[ -d $PGREAL && ! -L $PGREAL && $owner == postgres ]] ||
                die "$PGREAL exists but is not a directory owned by postgres"
        fi
        [[ -L $PGLINK ]] || ln -s -- "$PGREAL" "$PGLINK"
    fi
    if is_root; then
        install -d -m 0700 -o postgres -g postgres -- "$PGREAL" "$PGSOCK"
    else
        install -d -m 0700 -- "$PGREAL" "$PGSOCK"
    fi
    # Keep all logs findable under DIR/log.
    ln -sfn ../pg/postgres.log "$LOG/postgres.log"
}

pg_running()
{
    [[ -f $PGDATA/PG_VERSION ]] &&
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

# Create the cluster (first time only): role postgres as superuser, trust
# on the unix socket only (its directory is private), no TCP at all.
pg_init()
{
    [[ -f $PGDATA/PG_VERSION ]] && return 0
    note "creating PostgreSQL cluster in $PGDATA"
    if ! as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 --no-instructions >"$LOG/initdb.log" 2>&1; then
        show_log "$LOG/initdb.log"
        die "initdb failed"
    fi
    cat >>"$PGDATA/postgresql.conf" <<EOF

# --- private Kedr cluster (tools/stack.sh) ---
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$PGSOCK'
unix_socket_permissions = 0700
max_connections = 100
log_line_prefix = '%m [%p] %q%u@%d '
EOF
    cat >"$PGDATA/pg_hba.conf" <<'EOF'
# Private Kedr cluster (tools/stack.sh): unix socket only, in a directory
# only the cluster's owner can enter.
# TYPE  DATABASE  USER  METHOD
local   all       all   trust
EOF
}

pg_start()
{
    if pg_running; then
        return 0
    fi
    note "starting PostgreSQL ($PGDATA)"
    if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 -s start \
        </dev/null >>"$LOG/pg_ctl.log" 2>&1 {LOCK_FD}>&-; then
        show_log "$LOG/pg_ctl.log"
        show_log "$PGLOG"
        die "PostgreSQL did not start"
    fi
}

pg_stop()
{
    pg_running || return 0
    note "stopping PostgreSQL ($PGDATA)"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 -s stop >/dev/null 2>&1 ||
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w -t 30 -s stop >/dev/null 2>&1 ||
        note "could not stop PostgreSQL in $PGDATA"
    return 0
}

# psql as superuser on the private cluster.
pg_psql()
{
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -p "$PG_PORT" \
        -U postgres -d postgres "$@"
}

# The role kedr owning the database kedr.  Not a superuser: superusers
# bypass row-level security (as the owner of its tables kedr still needs
# FORCE ROW LEVEL SECURITY on them for policies to bind it).
pg_ensure_db()
{
    if [[ $(pg_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'kedr'") != 1 ]]; then
        pg_psql -c 'CREATE ROLE kedr LOGIN' >/dev/null
    fi
    if [[ $(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'kedr'") != 1 ]]; then
        pg_psql -c 'CREATE DATABASE kedr OWNER kedr' >/dev/null
    fi
}

# Connection settings from the caller would point libpq elsewhere.
pg_clear_env()
{
    unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGSERVICEFILE \
        PGOPTIONS PGPASSWORD PGPASSFILE PGSSLMODE PGTARGETSESSIONATTRS
}

# --- kedr -------------------------------------------------------------

kedr_running()
{
    local pid
    pid=$(pid_read "$KPID")
    [[ -n $pid ]] && pid_is "$pid" kedr
}

# Refuse a config whose server.listen is not DIR/run/kedr.sock.
kedr_check_conf()
{
    local conf=$1 listen
    listen=$(sed -nE '/^[[:space:]]*listen[[:space:]]*[=:][[:space:]]*"/{
        s/^[[:space:]]*listen[[:space:]]*[=:][[:space:]]*"([^"]*)".*/\1/p
        q
    }' "$conf")
    [[ -n $listen ]] || return 0
    [[ $listen == /* ]] || listen=$ROOT/$listen
    if [[ $(realpath -m -- "$listen") != "$(realpath -m -- "$SOCK")" ]]; then
        die "$conf puts kedr's socket at '$listen'; for DIR=$DIR it must be $SOCK (server.listen)"
    fi
}

# Checks before anything starts: the binary, the config and its socket.
kedr_preflight()
{
    local conf=$1
    KEDR=${KEDR_BIN:-$ROOT/build/kedr}
    [[ -x $KEDR ]] || die "$KEDR not found or not executable (run make first)"
    [[ -r $conf ]] || die "cannot read config $conf"
    check_socket_path "$SOCK"
    kedr_check_conf "$conf"
}

kedr_up()
{
    local conf=$1 bin=$KEDR pid i
    if kedr_running; then
        if [[ $bin -nt $KPID ]]; then
            # a rebuilt binary takes a restart (a reload keeps the old one)
            note "kedr binary is newer than the running server: restarting"
            kedr_down
        else
            if [[ ! -S $SOCK ]]; then
                die "kedr runs but its socket $SOCK is missing"
            fi
            # a reload re-reads the config and the modules (rebuilt .so
            # files included) and applies new migrations
            note "kedr already running (pid $(pid_read "$KPID")): reloading"
            kill -HUP "$(pid_read "$KPID")"
            return 0
        fi
    fi
    rm -f -- "$SOCK" "$KPID"

    printf '=== %s up %s, %s -c %s ===\n' "$PROG" "$(date '+%F %T')" "$bin" "$conf" \
        >>"$LOG/kedr.log"
    note "kedr schema"
    if ! (cd "$ROOT" && "$bin" -c "$conf" schema) \
        >>"$LOG/kedr.log" 2>&1 </dev/null {LOCK_FD}>&-; then
        show_log "$LOG/kedr.log"
        die "kedr schema failed"
    fi

    admin_ensure "$conf"

    note "starting kedr"
    # setsid: its own session and process group (so `down` can signal the
    # master and its workers together, and a closed terminal leaves it be).
    (cd "$ROOT" && exec setsid "$bin" -c "$conf" serve) \
        >>"$LOG/kedr.log" 2>&1 </dev/null {LOCK_FD}>&- &
    pid=$!
    printf '%s\n' "$pid" >"$KPID"
    for ((i = 0; i < WAIT_KEDR; i++)); do
        [[ -S $SOCK ]] && return 0
        if ! pid_alive "$pid"; then
            show_log "$LOG/kedr.log"
            rm -f -- "$KPID"
            die "kedr exited during startup"
        fi
        tick
    done
    show_log "$LOG/kedr.log"
    stop_process "$pid" kedr
    rm -f -- "$KPID"
    die "kedr's socket $SOCK did not appear in $((WAIT_KEDR / 10)) s"
}

# The first administrator: when DIR/admin-password does not exist and the
# database has no user "admin", create one with a random password, keep
# the password in DIR/admin-password (mode 0600) and print it once.  The
# password reaches kedr on its standard input, never on a command line.
admin_ensure()
{
    local conf=$1 bin=$KEDR file=$DIR/admin-password users pw
    [[ -e $file ]] && return 0
    if ! users=$(cd "$ROOT" && "$bin" -c "$conf" user list \
        2>>"$LOG/kedr.log" </dev/null {LOCK_FD}>&-); then
        show_log "$LOG/kedr.log"
        die "kedr user list failed"
    fi
    if awk 'NR > 1 && tolower($1) == "admin" { found = 1 } END { exit !found }' \
        <<<"$users"; then
        return 0
    fi
    pw=$(head -c 18 /dev/urandom | base64)
    if ! (cd "$ROOT" && printf '%s\n' "$pw" |
        "$bin" -c "$conf" user add admin --role admin --name 'Администратор' \
            --password-stdin) >>"$LOG/kedr.log" 2>&1 {LOCK_FD}>&-; then
        show_log "$LOG/kedr.log"
        die "cannot create the admin user"
    fi
    rm -f -- "$file.new"
    if ! (umask 077 && printf '%s\n' "$pw" >"$file.new") || ! mv -f -- "$file.new" "$file"; then
        die "user admin created, but its password could not be saved in $file: it is $pw"
    fi
    printf 'admin password: %s (saved in %s)\n' "$pw" "$file"
}

kedr_down()
{
    local pid
    pid=$(pid_read "$KPID")
    if [[ -n $pid ]] && pid_is "$pid" kedr; then
        note "stopping kedr (pid $pid)"
        stop_process "$pid" kedr
    fi
    rm -f -- "$KPID"
    kedr_running || rm -f -- "$SOCK"
}

# --- nginx ------------------------------------------------------------

nginx_find()
{
    if [[ -n ${KEDR_NGINX:-} ]]; then
        NGINX=$KEDR_NGINX
    elif NGINX=$(command -v nginx); then
        :
    elif [[ -x /usr/sbin/nginx ]]; then
        NGINX=/usr/sbin/nginx
    else
        die "nginx not found (run tools/deps.sh, or set KEDR_NGINX)"
    fi
}

nginx_running()
{
    local pid
    pid=$(pid_read "$NGX_PID")
    [[ -n $pid ]] && pid_is "$pid" nginx
}

# nginx with DIR's prefix, config and startup error log.
nginx_cmd()
{
    "$NGINX" -p "$NGX/" -c "$NGX_CONF" -e "$NGX_ERR" "$@"
}

# Render nginx.conf.example into DIR/nginx/nginx.conf for port $1.
nginx_render()
{
    local port=$1 bind=${KEDR_BIND:-127.0.0.1} workers=${KEDR_NGINX_WORKERS:-1}
    local tmpl=$ROOT/nginx.conf.example user_expr left
    [[ -r $tmpl ]] || die "missing $tmpl"
    # the UI's page, with its paths stamped (nginx.conf.example: /v/)
    [[ -r $ROOT/www/app.html ]] || die "missing $ROOT/www/app.html (run make first)"
    [[ $workers =~ ^([1-9][0-9]*|auto)$ ]] || die "bad KEDR_NGINX_WORKERS '$workers'"
    local bind_re='^[][0-9A-Za-z.:-]+$'
    [[ $bind =~ $bind_re ]] || die "bad KEDR_BIND '$bind'"
    mkdir -p "$NGX/tmp"
    if is_root; then
        # Workers run as us, so they reach the socket and files under DIR.
        user_expr="s|^$NGX_DEF_USER|user $(sed_repl "$(id -un)");|"
    else
        user_expr="/^$NGX_DEF_USER/d"
    fi
    {
        printf '# Rendered by %s from nginx.conf.example for %s -- do not edit.\n' \
            "$PROG" "$DIR"
        printf 'daemon on;\n'
        sed -E \
            -e "$user_expr" \
            -e "s|^$NGX_DEF_WORKERS|worker_processes $workers;|" \
            -e "/^[[:space:]]*#/!s|$NGX_DEF_PID|$(sed_repl "$NGX_PID")|g" \
            -e "/^[[:space:]]*#/!s|$NGX_DEF_LOGDIR|$(sed_repl "$LOG/nginx-")|g" \
            -e "/^[[:space:]]*#/!s|$NGX_DEF_TMPDIR|$(sed_repl "$NGX/tmp/")|g" \
            -e "s|^([[:space:]]*)$NGX_DEF_LISTEN|\\1listen $(sed_repl "$bind:$port");|" \
            -e "/^[[:space:]]*#/!s|$NGX_DEF_WWW|$(sed_repl "$ROOT/www")|g" \
            -e "/^[[:space:]]*#/!s|$NGX_DEF_SOCK|unix:$(sed_repl "$SOCK")|g" \
            -e "s|zone=kedr_login:10m $NGX_DEF_LOGIN_RATE|zone=kedr_login:10m rate=${KEDR_LOGIN_RATE:-10r/m};|" \
            "$tmpl"
    } >"$NGX_CONF.new"
    # Every default must have been replaced: a drifted template would
    # otherwise make the private nginx write to the system's paths.
    left=$(grep -vE '^[[:space:]]*#' "$NGX_CONF.new" |
        grep -nE "www-data|$NGX_DEF_PID|$NGX_DEF_LOGDIR|$NGX_DEF_TMPDIR|$NGX_DEF_LISTEN|$NGX_DEF_WWW|$NGX_DEF_SOCK" ||
        true)
    [[ -z $left ]] || die "nginx.conf.example has defaults stack.sh does not replace: $left"
    grep -q "unix:$SOCK;" "$NGX_CONF.new" || die "nginx.conf.example lacks '$NGX_DEF_SOCK'"
    grep -q "listen $bind:$port;" "$NGX_CONF.new" || die "nginx.conf.example lacks '$NGX_DEF_LISTEN'"
    grep -q "^worker_processes $workers;" "$NGX_CONF.new" ||
        die "nginx.conf.example lacks '$NGX_DEF_WORKERS'"
    mv -f -- "$NGX_CONF.new" "$NGX_CONF"
    if ! nginx_cmd -t -q 2>>"$NGX_ERR"; then
        show_log "$NGX_ERR"
        die "nginx -t failed on $NGX_CONF"
    fi
}

# Warn when nginx could pin every kedr worker with idle kept connections
# (worker_processes x keepalive >= server.workers): requests would then
# queue until they time out.  See nginx.conf.example.
nginx_check_pinning()
{
    local conf=$1 workers=${KEDR_NGINX_WORKERS:-1} keep kedr_workers
    [[ $workers == auto ]] && workers=$(nproc)
    keep=$(sed -nE '/^[[:space:]]*keepalive[[:space:]]+[0-9]+;/{
        s/^[[:space:]]*keepalive[[:space:]]+([0-9]+);.*/\1/p
        q
    }' "$ROOT/nginx.conf.example")
    kedr_workers=$(sed -nE '/^[[:space:]]*workers[[:space:]]*[=:][[:space:]]*[0-9]+/{
        s/^[[:space:]]*workers[[:space:]]*[=:][[:space:]]*([0-9]+).*/\1/p
        q
    }' "$conf")
    [[ -n $keep && -n $kedr_workers ]] || return 0
    if ((workers * keep >= kedr_workers)); then
        note "warning: nginx worker_processes ($workers) x keepalive ($keep) >= kedr workers ($kedr_workers): requests may stall behind pinned workers"
    fi
}

# True when something accepts TCP connections on 127.0.0.1:$1 (or on the
# bind address).
port_open()
{
    local host=${KEDR_BIND:-127.0.0.1}
    [[ $host == 0.0.0.0 || $host == "[::]" ]] && host=127.0.0.1
    (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null
}

nginx_up()
{
    local port=$1 i
    if nginx_running; then
        nginx_render "$port"
        note "nginx already running (pid $(pid_read "$NGX_PID")), reloading its config"
        nginx_cmd -s reload </dev/null >/dev/null 2>>"$NGX_ERR" || { show_log "$NGX_ERR"; die "nginx reload failed"; }
    else
        nginx_render "$port"
        note "starting nginx on port $port"
        if ! nginx_cmd </dev/null >/dev/null 2>>"$NGX_ERR" {LOCK_FD}>&-; then
            show_log "$NGX_ERR"
            die "nginx did not start"
        fi
    fi
    for ((i = 0; i < WAIT_NGINX; i++)); do
        port_open "$port" && return 0
        tick
    done
    show_log "$NGX_ERR"
    die "nginx does not answer on port $port"
}

nginx_down()
{
    local pid
    pid=$(pid_read "$NGX_PID")
    if [[ -n $pid ]] && pid_is "$pid" nginx; then
        note "stopping nginx (pid $pid)"
        # SIGQUIT: graceful (finish requests in flight), then escalate.
        stop_process "$pid" nginx QUIT
    fi
    rm -f -- "$NGX_PID"
}

# --- subcommands --------------------------------------------------------

# up --dev: write DIR/kedr.conf, config $1 with its security.cookie_secure
# line set to false (a Secure cookie never comes back over plain HTTP),
# and print its path.  The shipped conf/kedr.conf stays as a server needs
# it.  Relative paths in it keep their meaning: kedr runs from ROOT.
dev_conf()
{
    local src=$1 out=$DIR/kedr.conf re='^([[:space:]]*cookie_secure[[:space:]]*[=:][[:space:]]*)(true|false)[[:space:]]*;'
    grep -qE "$re" "$src" ||
        die "--dev: $src has no line 'cookie_secure = true|false;' (in its security group) to turn off"
    {
        printf '# Rendered by %s up --dev from %s -- do not edit.\n' "$PROG" "$src"
        sed -E "s/$re/\\1false;/" "$src"
    } >"$out.new"
    mv -f -- "$out.new" "$out"
    printf '%s' "$out"
}

cmd_up()
{
    local conf=$ROOT/conf/kedr.conf port=${PORT:-8080} url dev=0
    while (($# > 0)); do
        case $1 in
            --dev) dev=1; shift ;;
            --conf) (($# >= 2)) || die "--conf needs a FILE"; conf=$2; shift 2 ;;
            --conf=*) conf=${1#--conf=}; shift ;;
            --port) (($# >= 2)) || die "--port needs a number"; port=$2; shift 2 ;;
            --port=*) port=${1#--port=}; shift ;;
            *) die "up: unknown argument '$1'" ;;
        esac
    done
    if [[ ! $port =~ ^[1-9][0-9]{0,4}$ ]] || ((port > 65535)); then
        die "bad port '$port'"
    fi
    [[ -e $conf ]] || die "no such config: $conf"
    # Relative to the caller's directory, before anything changes it.
    conf=$(realpath -- "$conf")

    set_dir "$DIR_ARG" 1
    take_lock

    ((dev)) && conf=$(dev_conf "$conf")
    kedr_preflight "$conf"
    nginx_find
    nginx_check_pinning "$conf"
    if ! nginx_running && port_open "$port"; then
        die "port $port is already in use (choose another with --port or PORT)"
    fi

    if [[ -n ${KEDR_DATABASE_URL:-} ]]; then
        note "using KEDR_DATABASE_URL from the environment (no private PostgreSQL)"
    else
        pg_clear_env
        pg_find_bindir
        pg_locate 1
        pg_init
        pg_start
        pg_ensure_db
        export KEDR_DATABASE_URL="host=$PGSOCK dbname=kedr user=kedr"
    fi

    kedr_up "$conf"
    nginx_up "$port"

    url="http://127.0.0.1:$port/"
    install -m 0600 /dev/null "$ENVF"
    {
        printf '# Written by %s up; source it to reach this stack.\n' "$PROG"
        printf 'KEDR_DATABASE_URL=%q\n' "$KEDR_DATABASE_URL"
        printf 'PORT=%q\n' "$port"
        printf 'KEDR_URL=%q\n' "$url"
        printf 'KEDR_CONF=%q\n' "$conf"
        printf 'export KEDR_DATABASE_URL PORT KEDR_URL KEDR_CONF\n'
    } >"$ENVF"
    printf 'Kedr is running at %s\n' "$url"
}

cmd_down()
{
    local purge=0
    while (($# > 0)); do
        case $1 in
            --purge) purge=1; shift ;;
            *) die "down: unknown argument '$1'" ;;
        esac
    done
    set_dir "$DIR_ARG" 0
    [[ -n $DIR ]] || return 0
    take_lock
    nginx_down
    kedr_down
    if pg_locate 0; then
        if pg_find_bindir soft; then
            pg_stop
        fi
        if ((purge)); then
            note "deleting the database in $PGREAL"
            rm -rf -- "$PGREAL"
            rm -f -- "$PGLINK" "$LOG/postgres.log"
        fi
    fi
    rm -f -- "$ENVF"
    return 0
}

cmd_pg()
{
    local action=$1
    set_dir "$DIR_ARG" 0
    [[ -n $DIR ]] || die "no such directory: $DIR_ARG"
    pg_locate 0 || die "no private PostgreSQL cluster in $DIR"
    take_lock
    pg_clear_env
    pg_find_bindir
    case $action in
        start)
            [[ -f $PGDATA/PG_VERSION ]] || die "no cluster in $PGDATA (run up first)"
            pg_start
            ;;
        stop)
            pg_stop
            ;;
    esac
}

cmd_status()
{
    local pid all=0 port
    set_dir "$DIR_ARG" 0
    if [[ -z $DIR ]]; then
        printf '%s: nothing (no such directory)\n' "$DIR_ARG"
        return 3
    fi
    printf 'stack:    %s\n' "$DIR"
    if pg_locate 0; then
        pg_find_bindir
        if pg_running; then
            pid=$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null) || pid='?'
            printf 'postgres: running (pid %s, socket dir %s)\n' "$pid" "$PGSOCK"
        else
            printf 'postgres: stopped (%s)\n' "$PGDATA"
            all=3
        fi
    else
        printf 'postgres: no private cluster\n'
    fi
    if kedr_running; then
        printf 'kedr:     running (pid %s, socket %s)\n' "$(pid_read "$KPID")" "$SOCK"
    else
        printf 'kedr:     stopped\n'
        all=3
    fi
    if nginx_running; then
        port=$(sed -nE '/^[[:space:]]*listen[[:space:]]/{
            s/^[[:space:]]*listen[[:space:]]+[^;]*:([0-9]+);.*/\1/p
            q
        }' "$NGX_CONF")
        printf 'nginx:    running (pid %s) at http://127.0.0.1:%s/\n' "$(pid_read "$NGX_PID")" "$port"
    else
        printf 'nginx:    stopped\n'
        all=3
    fi
    [[ -r $ENVF ]] && printf 'env:      . %s\n' "$ENVF"
    return "$all"
}

cmd_psql()
{
    set_dir "$DIR_ARG" 0
    [[ -n $DIR ]] || die "no such directory: $DIR_ARG"
    pg_locate 0 || die "no private PostgreSQL cluster in $DIR"
    pg_clear_env
    pg_find_bindir
    exec "$PGBIN/psql" -X -h "$PGSOCK" -p "$PG_PORT" -U kedr -d kedr "$@"
}

main()
{
    local cmd=${1:-}
    case $cmd in
        -h | --help | help) usage; return 0 ;;
        up | down | pg-stop | pg-start | status | psql) ;;
        '') usage >&2; return 2 ;;
        *) printf '%s: unknown command %s\n' "$PROG" "$cmd" >&2; usage >&2; return 2 ;;
    esac
    (($# >= 2)) || die "$cmd: missing DIR"
    DIR_ARG=$2
    shift 2
    case $cmd in
        up) cmd_up "$@" ;;
        down) cmd_down "$@" ;;
        pg-stop) (($# == 0)) || die "pg-stop: unexpected '$1'"; cmd_pg stop ;;
        pg-start) (($# == 0)) || die "pg-start: unexpected '$1'"; cmd_pg start ;;
        status) (($# == 0)) || die "status: unexpected '$1'"; cmd_status ;;
        psql) cmd_psql "$@" ;;
    esac
}

main "$@"

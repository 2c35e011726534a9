# bench/stack.sh -- sourced by the benchmarks: a throw-away stack of the
# shipped configuration, removed on exit.
#
#   . bench/stack.sh
#   bench_stack NAME '"catalog", "clients"'    # the enabled modules
#
# BENCH_WORKERS, when set, replaces the shipped server.workers;
# BENCH_ACCESS_LOG (true or false) the shipped server.access_log.
#
# sets DIR (the stack's folder), PORT, BASE, KEDR_DATABASE_URL (from the
# stack's run/stack.env); the caller's cleanup may add files to
# BENCH_CLEAN.
# shellcheck shell=bash disable=SC2034  # DIR, PORT, BASE are for the caller

BENCH_CLEAN=()
bench_cleanup()
{
    tools/stack.sh down "$DIR" --purge >/dev/null 2>&1 || true
    rm -rf "$DIR" "${BENCH_CLEAN[@]}"
}

bench_stack()
{
    local name=$1 enabled=$2 root
    root=$(pwd -P)
    tools/deps.sh bench >/dev/null
    make -s build >/dev/null
    DIR=$(mktemp -d "/tmp/kedr-bench-$name.XXXXXX")
    chmod 755 "$DIR"
    trap bench_cleanup EXIT
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
           node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
    # the shipped configuration with these modules, the socket in DIR
    sed -e "s|\"var/run/kedr.sock\"|\"$DIR/run/kedr.sock\"|" \
        -e "s|\"var/run/kedr.pid\"|\"$DIR/run/kedr.pid\"|" \
        -e "s|path = \[ \"build/modules\" \];|path = [ \"$root/build/modules\" ];|" \
        -e "s|^\( *enabled = \)\[.*\];|\1[ $enabled ];|" \
        -e "${BENCH_WORKERS:+s|^\( *workers = \)[0-9]*;|\1$BENCH_WORKERS;|}" \
        -e "${BENCH_ACCESS_LOG:+s|^\( *access_log = \)[a-z]*;|\1$BENCH_ACCESS_LOG;|}" \
        conf/kedr.conf >"$DIR/kedr.conf"
    tools/stack.sh up "$DIR" --conf "$DIR/kedr.conf" --port "$PORT" >/dev/null
    # shellcheck disable=SC1091
    . "$DIR/run/stack.env"
    BASE="http://127.0.0.1:$PORT"
}

/*
 * worker.c -- a request worker (FastCGI accept loop) and the jobs worker.
 *
 * Both are forked by the master, load the modules themselves (so a reload
 * picks up changed .so files), and stop on SIGTERM: at once when idle, or
 * after the request in flight.  The jobs worker runs the modules'
 * periodic jobs and the durable jobs of core.job (jobs.c), polled every
 * JOBS_POLL_MS.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "core.h"

/*
 * How a worker waits.  The worker accepts connections itself and hands
 * each to libfcgi as an open connection (libfcgi's own listening socket
 * is one that does not listen, so libfcgi never blocks in accept()).
 * SIGTERM is blocked except while the worker waits in epoll_pwait() or
 * ppoll(): a stop can never cut an accept() that took a connection, a
 * read of a request or a request in flight; it only ends a wait.  The
 * listening socket is non-blocking and registered with EPOLLEXCLUSIVE,
 * so one connection wakes one idle worker, and a worker that loses the
 * race gets EAGAIN and waits again.
 *
 * Kept connections.  With fastcgi_keep_conn on, nginx keeps a FastCGI
 * connection open between requests, and a worker serving it belongs to
 * it until it closes: the worker then waits on that connection only (up
 * to KEPT_IDLE_MS, a backstop for an nginx whose upstream
 * keepalive_timeout is longer), since the side that closes an idle
 * connection must be nginx: a close from kedr can cross a request nginx
 * is just sending on it, which then fails (502).  A worker that must stop
 * or has served max_requests keeps answering on its kept connection
 * until nginx closes it, and closes it itself between two requests only
 * past DRAIN_MS.  nginx.conf.example ships keep_conn off: a worker pinned
 * to an idle kept connection is a worker new connections queue behind
 * (bench/RESULTS.md, "kept FastCGI connections").
 */
#define KEPT_IDLE_MS 5000
#define DRAIN_MS 3000
#define JOBS_POLL_MS 1000 /* how often the jobs worker looks at core.job */

static volatile sig_atomic_t worker_stop;
static FCGX_Request worker_fr;

static void
worker_on_term(int sig)
{
    (void)sig;
    worker_stop = 1; /* ends the wait the worker is in, if any */
}

static void
worker_signals(void)
{
    struct sigaction sa;
    sigset_t all;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = worker_on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL); /* Ctrl-C reaches the master, which
                                     stops the workers in order */
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
}

static int
worker_setup(void)
{
    if (kedr_server_setup(kedr_srv.conf, true) != 0) {
        kedr_error("worker: modules failed to start");
        return -1;
    }
    kedr_db_worker_session();
    (void)kedr_db_connect(); /* a database that is down is not fatal */
    return 0;
}

/* Wait for a new connection and take it: its descriptor, or -1 when the
 * wait ended without one (SIGTERM, or another worker took it). */
static int
worker_accept(int epfd, int listen_fd, const sigset_t *waitmask)
{
    struct epoll_event ev;
    int n, fd;

    n = epoll_pwait(epfd, &ev, 1, -1, waitmask);
    if (n <= 0)
        return -1; /* EINTR: SIGTERM */
    fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
        errno != ECONNABORTED) {
        struct timespec pause = {0, 100 * 1000000L};

        kedr_error("worker: accept failed: %s", strerror(errno));
        (void)ppoll(NULL, 0, &pause, waitmask); /* EMFILE and the like */
    }
    return fd;
}

/* Wait up to `ms` for the next request on the kept connection `fd`:
 * 1 when it has data (or was closed by nginx), 0 on timeout, -1 when
 * SIGTERM ended the wait. */
static int
worker_wait_kept(int fd, int ms, const sigset_t *waitmask)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    int n = ppoll(&p, 1, &ts, waitmask);

    return n < 0 ? -1 : n > 0;
}

/*
 * A connection nginx does not keep is closed by FCGX_Finish_r without
 * libfcgi's lingering close (shutdown, then poll and read until nginx has
 * closed its end: a wait for nginx to run, on every request).  The
 * lingering guards a TCP peer against a reset that would drop the answer;
 * on a unix socket the answer already queued to nginx is read before any
 * reset, and what would cause one (bytes left unread here) is read now:
 * nginx sends the whole request before it reads the answer, so whatever
 * is left of it is in the socket already.
 */
static void
worker_close_now(FCGX_Request *fr)
{
    char sink[4096];

    while (recv(fr->ipcFd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
        ;
    (void)FCGX_Detach(fr);
}

int
kedr_worker_run(int listen_fd, int slot)
{
    struct kedr_slot *me = &kedr_slots[slot];
    FCGX_Request *fr = &worker_fr;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};
    static struct kedr_req r;
    static int served;
    bool draining = false;
    uint64_t drain_start = 0;
    sigset_t term, waitmask;
    int epfd, dead;

    worker_signals();
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &waitmask); /* waitmask: SIGTERM open */
    kedr_my_slot = me;
    if (worker_setup() != 0)
        return 2;
    /* libfcgi's listening socket: one that does not listen, so that when
     * a kept connection closes libfcgi's accept() fails at once */
    dead = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    ev.data.fd = listen_fd;
    if (dead < 0 || epfd < 0 ||
        epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
        kedr_error("worker: cannot wait for connections: %s", strerror(errno));
        return 2;
    }
    FCGX_Init();
    if (FCGX_InitRequest(fr, dead, 0) != 0)
        return 2;
    kedr_arena_init(&r.arena);
    for (;;) {
        if (!draining &&
            (worker_stop || (kedr_srv.conf->max_requests > 0 &&
                             served >= kedr_srv.conf->max_requests))) {
            draining = true; /* no new connections from here on */
            drain_start = kedr_now_ms();
        }
        if (fr->ipcFd < 0) {
            int fd;

            if (draining)
                break;
            if ((fd = worker_accept(epfd, listen_fd, &waitmask)) < 0)
                continue;
            /* hand libfcgi an open connection: with keepConnection set,
             * FCGX_Accept_r's finishing of the previous request leaves
             * it open and reads the request from it */
            fr->ipcFd = fd;
            fr->keepConnection = 1;
        } else {
            int ms = KEPT_IDLE_MS, w;

            if (draining) {
                uint64_t spent = kedr_now_ms() - drain_start;

                ms = spent >= DRAIN_MS ? 0 : (int)(DRAIN_MS - spent);
            }
            w = worker_wait_kept(fr->ipcFd, ms, &waitmask);
            if (w < 0)
                continue; /* SIGTERM: start draining */
            if (w == 0) {
                FCGX_Free(fr, 1); /* idle past the backstop, or drained */
                continue;
            }
        }
        if (FCGX_Accept_r(fr) < 0) {
            /* the connection closed, or broke before a whole request;
             * libfcgi closed it and found no listening socket */
            FCGX_Free(fr, 1);
            continue;
        }
        me->req_start_ms = kedr_now_ms();
        kedr_server_handle(&r, fr);
        if (!fr->keepConnection)
            worker_close_now(fr);
        FCGX_Finish_r(fr);
        kedr_arena_clear(&r.arena);
        kedr_log_rid = NULL;
        me->req_start_ms = 0;
        me->served++;
        served++;
    }
    FCGX_Free(fr, 1);
    close(epfd);
    close(dead);
    kedr_arena_release(&r.arena);
    kedr_server_teardown();
    kedr_db_close();
    return 0;
}

int
kedr_jobs_run(int slot)
{
    struct kedr_req r;
    struct jobent {
        struct kedr_mod *mod;
        const struct kedr_job *job;
        uint64_t due;
    } *jobs = NULL;
    size_t njobs = 0;

    (void)slot;
    worker_signals();
    if (worker_setup() != 0)
        return 2;
    for (size_t i = 0; i < kedr_srv.mods.norder; i++) {
        struct kedr_mod *m = kedr_srv.mods.order[i];

        for (const struct kedr_job *j = m->desc->jobs; j && j->name; j++) {
            if (j->fn == NULL || j->interval == 0) {
                kedr_warn("module \"%s\": job \"%s\" has no function or "
                          "interval, skipped",
                          m->name, j->name);
                continue;
            }
            jobs = kedr_xrealloc(jobs, (njobs + 1) * sizeof(*jobs));
            jobs[njobs].mod = m;
            jobs[njobs].job = j;
            jobs[njobs].due = kedr_now_ms() + 1000u * j->interval;
            njobs++;
        }
    }
    kedr_arena_init(&r.arena);
    kedr_info("jobs worker: %zu job%s", njobs, njobs == 1 ? "" : "s");
    while (!worker_stop) {
        uint64_t now, next;
        struct timespec ts;

        /* the durable jobs first: a queued import waits at most a poll */
        (void)kedr_jobs_poll(&r, &worker_stop);
        now = kedr_now_ms();
        next = now + JOBS_POLL_MS;

        for (size_t i = 0; i < njobs && !worker_stop; i++) {
            if (jobs[i].due <= now) {
                (void)kedr_server_run_job(&r, jobs[i].mod, jobs[i].job);
                now = kedr_now_ms();
                jobs[i].due = now + 1000u * jobs[i].job->interval;
            }
            if (jobs[i].due < next)
                next = jobs[i].due;
        }
        now = kedr_now_ms();
        if (next > now && !worker_stop) {
            uint64_t wait = next - now;

            ts.tv_sec = (time_t)(wait / 1000);
            ts.tv_nsec = (long)(wait % 1000) * 1000000L;
            nanosleep(&ts, NULL); /* SIGTERM cuts it short */
        }
    }
    free(jobs);
    kedr_arena_release(&r.arena);
    kedr_server_teardown();
    kedr_jobs_close();
    kedr_db_close();
    return 0;
}

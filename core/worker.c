/*
 * worker.c -- a request worker (FastCGI accept loop) and the jobs worker.
 *
 * Both are forked by the master, load the modules themselves (so a reload
 * picks up changed .so files), and stop on SIGTERM: at once when idle, or
 * after the request in flight.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "core.h"

/*
 * Kept connections.  nginx keeps FastCGI connections open between requests
 * (fastcgi_keep_conn), and libfcgi serves the next request of a kept
 * connection before it accepts a new one, so a worker belongs to one
 * connection until it closes.  nginx closes idle ones first (its upstream
 * keepalive_timeout, 1 s in nginx.conf.example); KEPT_IDLE_MS is only a
 * backstop for an nginx configured otherwise: a one-shot SIGALRM, whose
 * handler does not restart system calls, cuts the read of the next
 * request, and libfcgi drops the connection.  (A receive timeout on the
 * socket cannot do this: it also makes reads interrupted by SIGTERM fail
 * instead of restarting.)  The side that closes an
 * idle connection must be nginx: a close from kedr can cross a request
 * nginx is just sending on it, which then fails (502).
 *
 * So a worker that must stop (SIGTERM: reload or shutdown) or that has
 * served max_requests never closes a kept connection on its own: it stops
 * accepting (its listening descriptor is replaced by a socket that does
 * not listen, so libfcgi's next accept() fails), keeps answering on the
 * kept connection until nginx closes it, then exits.  Only when nginx
 * keeps using it past DRAIN_MS does the worker close it between two
 * requests.
 */
#define KEPT_IDLE_MS 5000
#define DRAIN_MS 3000

static volatile sig_atomic_t worker_stop;
static volatile sig_atomic_t worker_in_accept;
static sigjmp_buf worker_jmp;
static FCGX_Request worker_fr;
static int worker_listen = -1, worker_dead = -1;

/* Stop accepting new connections (async-signal-safe). */
static void
worker_close_listen(void)
{
    if (worker_listen >= 0 && worker_dead >= 0)
        dup2(worker_dead, worker_listen);
}

static void
worker_on_alarm(int sig)
{
    (void)sig; /* its only work: interrupting the blocked read */
}

/* Arm (or, with 0, disarm) the idle backstop of a kept connection. */
static void
worker_idle_timer(int ms)
{
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};

    setitimer(ITIMER_REAL, &it, NULL);
}

static void
worker_on_term(int sig)
{
    (void)sig;
    worker_stop = 1;
    worker_close_listen();
    /* blocked in accept() with no connection: nothing is in flight */
    if (worker_in_accept && worker_fr.ipcFd < 0)
        siglongjmp(worker_jmp, 1);
}

static void
worker_signals(void)
{
    struct sigaction sa;
    sigset_t all;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = worker_on_term;
    /* restart interrupted reads: a request being read on a kept
     * connection must not fail because the worker was asked to stop */
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_flags = 0;
    sa.sa_handler = worker_on_alarm; /* no SA_RESTART: see KEPT_IDLE_MS */
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL); /* Ctrl-C reaches the master, which
                                     stops the workers in order */
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);
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
    (void)kedr_db_connect(); /* a database that is down is not fatal */
    return 0;
}

int
kedr_worker_run(int listen_fd, int slot)
{
    struct kedr_slot *me = &kedr_slots[slot];
    FCGX_Request *fr = &worker_fr;
    static struct kedr_req r;
    static int served;
    static bool draining;
    static uint64_t drain_start;

    worker_listen = listen_fd;
    worker_dead = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    worker_signals();
    kedr_my_slot = me;
    if (worker_setup() != 0)
        return 2;
    FCGX_Init();
    if (FCGX_InitRequest(fr, listen_fd, 0) != 0)
        return 2;
    kedr_arena_init(&r.arena);
    if (sigsetjmp(worker_jmp, 1) != 0)
        goto out;
    for (;;) {
        int rc;

        worker_in_accept = 1;
        if (worker_stop && fr->ipcFd < 0)
            break;
        rc = FCGX_Accept_r(fr);
        worker_in_accept = 0;
        worker_idle_timer(0);
        if (rc < 0) {
            if (worker_stop || draining)
                break; /* the kept connection closed; no more accepting */
            kedr_error("worker: accept failed (%d)", rc);
            break;
        }
        me->req_start_ms = kedr_now_ms();
        kedr_server_handle(&r, fr);
        FCGX_Finish_r(fr);
        if (fr->ipcFd >= 0)
            worker_idle_timer(KEPT_IDLE_MS);
        kedr_arena_clear(&r.arena);
        kedr_log_rid = NULL;
        me->req_start_ms = 0;
        me->served++;
        if (!draining &&
            (worker_stop || (kedr_srv.conf->max_requests > 0 &&
                             ++served >= kedr_srv.conf->max_requests))) {
            draining = true;
            drain_start = kedr_now_ms();
            worker_close_listen();
        }
        if (draining &&
            (fr->ipcFd < 0 || kedr_now_ms() - drain_start > DRAIN_MS))
            break;
    }
out:
    worker_in_accept = 0;
    FCGX_Free(fr, 1);
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
        uint64_t now = kedr_now_ms(), next = now + 60000;
        struct timespec ts;

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
    kedr_db_close();
    return 0;
}

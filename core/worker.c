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

/* An idle kept connection from nginx is closed after this long, so it
 * never pins a worker while new connections wait on the socket (nginx
 * drops a cached connection the moment it sees it closed). */
#define KEPT_IDLE_MS 1000

static volatile sig_atomic_t worker_stop;
static volatile sig_atomic_t worker_idle;
static sigjmp_buf worker_jmp;

static void
worker_on_term(int sig)
{
    (void)sig;
    worker_stop = 1;
    if (worker_idle)
        siglongjmp(worker_jmp, 1);
}

static void
worker_signals(void)
{
    struct sigaction sa;
    sigset_t all;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = worker_on_term; /* no SA_RESTART: accept is cut */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
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
    static FCGX_Request fr;
    static struct kedr_req r;
    static int served;

    worker_signals();
    kedr_my_slot = me;
    if (worker_setup() != 0)
        return 2;
    FCGX_Init();
    if (FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
        return 2;
    kedr_arena_init(&r.arena);
    if (sigsetjmp(worker_jmp, 1) != 0)
        goto out;
    for (;;) {
        int rc;

        worker_idle = 1;
        if (worker_stop)
            break;
        rc = FCGX_Accept_r(&fr);
        worker_idle = 0;
        if (rc < 0) {
            if (worker_stop)
                break;
            if (rc == -EINTR || errno == EINTR)
                continue;
            kedr_error("worker: accept failed (%d)", rc);
            break;
        }
        me->req_start_ms = kedr_now_ms();
        kedr_server_handle(&r, &fr);
        FCGX_Finish_r(&fr);
        if (fr.ipcFd >= 0) {
            struct timeval tv = {KEPT_IDLE_MS / 1000,
                                 (KEPT_IDLE_MS % 1000) * 1000};

            setsockopt(fr.ipcFd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        }
        kedr_arena_clear(&r.arena);
        kedr_log_rid = NULL;
        me->req_start_ms = 0;
        me->served++;
        if (kedr_srv.conf->max_requests > 0 &&
            ++served >= kedr_srv.conf->max_requests)
            break;
    }
out:
    worker_idle = 0;
    FCGX_Free(&fr, 1);
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

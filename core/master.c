/*
 * master.c -- the supervising process.
 *
 * The master never loads modules: a child checks them and applies the
 * migrations ("prepare"), then workers are forked and each loads the
 * modules itself.  The master respawns a worker that dies (with back-off
 * when workers die young), lets a worker exit after max_requests, kills
 * one whose request runs past request_timeout, reloads on SIGHUP (a new
 * generation of workers; the old one finishes its requests) and stops
 * gracefully on SIGTERM or SIGINT.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "core.h"

#define MAX_PROCS 1024
#define YOUNG_MS 2000u /* a worker dying younger than this backs off */
#define BACKOFF_MAX_MS 10000u

struct proc {
    pid_t pid;
    bool jobs;
    bool retiring;
    uint64_t started;
};

struct kedr_slot *kedr_slots;

static struct proc procs[MAX_PROCS];
static int listen_fd = -1;
static const char *master_conf_file;
static char *master_listen; /* what we listen on, for the master's life */
static uint64_t backoff_ms, next_spawn_ms;
static bool stopping;
static pid_t master_pid;

static int
spawn(bool jobs)
{
    pid_t pid;
    int i;

    for (i = 0; i < MAX_PROCS && procs[i].pid != 0; i++)
        ;
    if (i == MAX_PROCS) {
        kedr_error("no free worker slot");
        return -1;
    }
    memset(&kedr_slots[i], 0, sizeof(kedr_slots[i]));
    pid = fork();
    if (pid < 0) {
        kedr_error("fork failed: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int rc;

        /* a worker never outlives its master */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != master_pid)
            _exit(0);
        if (jobs) {
            close(listen_fd);
            rc = kedr_jobs_run(i);
        } else {
            rc = kedr_worker_run(listen_fd, i);
        }
        exit(rc);
    }
    procs[i].pid = pid;
    procs[i].jobs = jobs;
    procs[i].retiring = false;
    procs[i].started = kedr_now_ms();
    kedr_slots[i].pid = pid;
    return 0;
}

/* Check modules and apply migrations in a child, so a module's init can
 * never touch the master.  0 when the configuration can serve. */
static int
prepare(struct kedr_conf *conf)
{
    pid_t pid = fork();
    int st;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        sigset_t none;
        int rc;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        kedr_srv.conf = conf;
        rc = kedr_server_setup(conf, false) == 0 &&
                     kedr_schema_apply(conf, &kedr_srv.mods) == 0
                 ? 0
                 : 1;
        kedr_server_teardown();
        kedr_db_close();
        _exit(rc);
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int
count_live(bool jobs)
{
    int n = 0;

    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].pid != 0 && !procs[i].retiring && procs[i].jobs == jobs)
            n++;
    return n;
}

/* Start the workers that are missing, respecting the back-off. */
static void
maintain(void)
{
    const struct kedr_conf *c = kedr_srv.conf;
    uint64_t now = kedr_now_ms();
    int want = c->workers;

    if (stopping || now < next_spawn_ms)
        return;
    while (count_live(false) < want) {
        if (spawn(false) != 0)
            break;
        if (backoff_ms > 0)
            break; /* one at a time while backing off */
    }
    if (c->jobs && count_live(true) == 0)
        (void)spawn(true);
    if (backoff_ms > 0)
        next_spawn_ms = now + backoff_ms;
}

static void
reap(void)
{
    pid_t pid;
    int st;

    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        uint64_t age;
        bool bad;
        int i;

        for (i = 0; i < MAX_PROCS && procs[i].pid != pid; i++)
            ;
        if (i == MAX_PROCS)
            continue;
        age = kedr_now_ms() - procs[i].started;
        bad = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        if (WIFSIGNALED(st))
            kedr_log_write(procs[i].retiring ? KEDR_LOG_INFO : KEDR_LOG_ERROR,
                           "%s %d died on signal %d (%s)",
                           procs[i].jobs ? "jobs worker" : "worker", pid,
                           WTERMSIG(st), strsignal(WTERMSIG(st)));
        else if (bad)
            kedr_error("%s %d exited with status %d",
                       procs[i].jobs ? "jobs worker" : "worker", pid,
                       WEXITSTATUS(st));
        else if (!procs[i].retiring)
            kedr_info("worker %d recycled after %llu requests", pid,
                      (unsigned long long)kedr_slots[i].served);
        if (!procs[i].retiring && !stopping) {
            if (bad && age < YOUNG_MS) {
                backoff_ms = backoff_ms ? backoff_ms * 2 : 100;
                if (backoff_ms > BACKOFF_MAX_MS)
                    backoff_ms = BACKOFF_MAX_MS;
                next_spawn_ms = kedr_now_ms() + backoff_ms;
                kedr_warn("workers die young: next start in %llu ms",
                          (unsigned long long)backoff_ms);
            } else {
                backoff_ms = 0;
            }
        }
        procs[i].pid = 0;
        kedr_slots[i].pid = 0;
    }
}

static void
check_timeouts(void)
{
    uint64_t now = kedr_now_ms();
    uint64_t limit = 1000u * (uint64_t)kedr_srv.conf->request_timeout;

    for (int i = 0; i < MAX_PROCS; i++) {
        uint64_t start = kedr_slots[i].req_start_ms;

        if (procs[i].pid == 0 || procs[i].jobs || start == 0 ||
            now - start <= limit)
            continue;
        kedr_error("request rid=%s \"%s\" ran past request_timeout (%d s): "
                   "killing worker %d",
                   kedr_slots[i].rid, kedr_slots[i].route,
                   kedr_srv.conf->request_timeout, procs[i].pid);
        kill(procs[i].pid, SIGKILL);
        kedr_slots[i].req_start_ms = 0;
    }
}

static void
retire_all(void)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].pid != 0 && !procs[i].retiring) {
            procs[i].retiring = true;
            kill(procs[i].pid, SIGTERM);
        }
}

static void
reload(void)
{
    struct kedr_conf *old = kedr_srv.conf, *c;

    kedr_info("reload: reading \"%s\"", master_conf_file);
    c = kedr_conf_load(master_conf_file);
    if (c == NULL) {
        kedr_error("reload refused: the configuration has errors; still "
                   "serving the previous one");
        return;
    }
    if (strcmp(c->listen, old->listen) != 0)
        kedr_warn("reload: server.listen changed; it takes a restart");
    if (prepare(c) != 0) {
        kedr_error("reload refused: modules or migrations failed; still "
                   "serving the previous configuration");
        kedr_conf_free(c);
        return;
    }
    /* keep listening where we listen */
    c->listen = master_listen;
    retire_all();
    kedr_srv.conf = c;
    kedr_auth_prepare();
    kedr_conf_free(old); /* the workers that use it have their own copy */
    kedr_log_level = c->log_level;
    backoff_ms = 0;
    next_spawn_ms = 0;
    maintain();
    kedr_info("reload: new workers started, old ones finish their requests");
}

/* Open the FastCGI socket; refuses one another server still listens on. */
static int
open_listen(const char *addr, int backlog)
{
    int fd;

    if (strchr(addr, ':') == NULL) {
        struct sockaddr_un sun;
        struct stat sb;
        int probe;

        if (strlen(addr) >= sizeof(sun.sun_path)) {
            kedr_error("server.listen: path \"%s\" is too long", addr);
            return -1;
        }
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        strcpy(sun.sun_path, addr);
        probe = socket(AF_UNIX, SOCK_STREAM, 0);
        if (probe >= 0 &&
            connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
            close(probe);
            kedr_error("server.listen: \"%s\" is in use by another process",
                       addr);
            return -1;
        }
        if (probe >= 0)
            close(probe);
        if (lstat(addr, &sb) == 0 && S_ISSOCK(sb.st_mode))
            unlink(addr);
    }
    fd = FCGX_OpenSocket(addr, backlog);
    if (fd < 0) {
        kedr_error("server.listen: cannot listen on \"%s\": %s", addr,
                   strerror(errno));
        return -1;
    }
    if (strchr(addr, ':') == NULL)
        chmod(addr, 0660);
    fcntl(fd, F_SETFD, 0);
    /* workers wait in epoll and then accept(): whoever loses the race for
     * a connection must get EAGAIN, not block (see worker.c) */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void
write_pid_file(const char *path)
{
    FILE *f;

    if (path == NULL || *path == '\0')
        return;
    f = fopen(path, "w");
    if (f == NULL) {
        kedr_warn("pid_file: cannot write \"%s\": %s", path, strerror(errno));
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

int
kedr_master_run(const char *conf_file)
{
    struct kedr_conf *c = kedr_conf_load(conf_file);
    sigset_t set;
    uint64_t deadline;
    char *pid_file;

    if (c == NULL)
        return 1;
    master_conf_file = conf_file;
    master_pid = getpid();
    kedr_srv.conf = c;
    kedr_log_level = c->log_level;
    if (prepare(c) != 0) {
        kedr_error("not starting: modules or migrations failed (see above)");
        return 1;
    }
    kedr_auth_prepare();
    listen_fd = open_listen(c->listen, c->backlog);
    if (listen_fd < 0)
        return 1;
    kedr_slots =
        mmap(NULL, MAX_PROCS * sizeof(*kedr_slots), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (kedr_slots == MAP_FAILED)
        kedr_oom();
    pid_file = kedr_xstrdup(c->pid_file);
    master_listen = kedr_xstrdup(c->listen);
    write_pid_file(pid_file);

    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    kedr_info("kedr %s serving on \"%s\" with %d workers", KEDR_VERSION,
              c->listen, c->workers);
    maintain();
    while (!stopping) {
        struct timespec ts = {0, 200 * 1000000L};
        int sig = sigtimedwait(&set, NULL, &ts);

        if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
            kedr_info("stopping: workers finish their requests");
            stopping = true;
            retire_all();
            break;
        }
        if (sig == SIGHUP)
            reload();
        reap();
        check_timeouts();
        maintain();
    }
    /* wait for the workers; kill what is still running at the deadline */
    deadline =
        kedr_now_ms() + 1000u * (uint64_t)(kedr_srv.conf->request_timeout + 5);
    for (;;) {
        struct timespec ts = {0, 100 * 1000000L};
        bool any = false;

        reap();
        check_timeouts();
        for (int i = 0; i < MAX_PROCS; i++)
            any = any || procs[i].pid != 0;
        if (!any)
            break;
        if (kedr_now_ms() > deadline) {
            for (int i = 0; i < MAX_PROCS; i++)
                if (procs[i].pid != 0)
                    kill(procs[i].pid, SIGKILL);
        }
        (void)sigtimedwait(&set, NULL, &ts);
    }
    close(listen_fd);
    if (strchr(master_listen, ':') == NULL)
        unlink(master_listen);
    if (*pid_file)
        unlink(pid_file);
    free(pid_file);
    free(master_listen);
    kedr_info("stopped");
    return 0;
}

/*
 * arena.c -- request memory: chunks handed out by bumping a pointer,
 * freed all at once when the request ends; cleanups for non-memory
 * resources (result sets) run first, last registered first.
 *
 * Out of memory (design, issue 3): an allocation never returns NULL.  When
 * it fails -- malloc said no, or a fault build injected the failure --
 * and the arena has a recovery point (a->recover: kedr_server_handle sets
 * one around route handling, hooks and commit, kedr_server_run_job around
 * a job and its commit), it unwinds there with
 * siglongjmp, as PostgreSQL's palloc raises ERROR: the request rolls back
 * its transaction and answers 500 {"error":{"code":"internal","message":
 * "out of memory"}}, and the arena's cleanups release what was in flight
 * (result sets, JSON bodies) when the request ends.  Without a recovery
 * point (the master, startup) it aborts the process as before
 * (kedr_oom).  So code that holds a resource across a call that may
 * allocate from the arena registers it with kedr_arena_on_cleanup first.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define ARENA_CHUNK 16384
#define ARENA_ALIGN 16

struct kedr_arena_chunk {
    struct kedr_arena_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t pos;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct kedr_cleanup {
    struct kedr_cleanup *next;
    void (*fn)(void *);
    void *arg;
};

/*
 * The allocator is chosen at compile time.  The default bumps a pointer
 * and keeps one chunk across kedr_arena_clear.  With -DKEDR_ARENA_MALLOC
 * (make asan) every allocation is its own malloc'd block, tracked in the
 * chunk list and freed by kedr_arena_clear, so AddressSanitizer reports
 * an overflow of arena memory and a use after the request ended.
 */
__attribute__((unused)) static void *arena_take_bump(struct kedr_arena *a,
                                                     size_t size);
__attribute__((unused)) static void *arena_take_block(struct kedr_arena *a,
                                                      size_t size);

#ifdef KEDR_ARENA_MALLOC
#define ARENA_TAKE arena_take_block
#define ARENA_KEEP_CHUNK false
#else
#define ARENA_TAKE arena_take_bump
#define ARENA_KEEP_CHUNK true
#endif

void
kedr_oom(void)
{
    static const char msg[] = "kedr: out of memory\n";

    (void)!fwrite(msg, 1, sizeof(msg) - 1, stderr);
    abort();
}

void *
kedr_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        kedr_oom();
    return p;
}

void *
kedr_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        kedr_oom();
    return p;
}

void *
kedr_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL)
        kedr_oom();
    return p;
}

char *
kedr_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;

    return memcpy(kedr_xmalloc(n), s, n);
}

void
kedr_arena_init(struct kedr_arena *a)
{
    a->head = NULL;
    a->cleanups = NULL;
    a->used = 0;
    a->recover = NULL;
}

/* An allocation failed: unwind to the arena's recovery point (disarmed
 * first), or abort when there is none. */
void
kedr_arena_fail(struct kedr_arena *a)
{
    sigjmp_buf *to = a->recover;

    if (to == NULL)
        kedr_oom();
    a->recover = NULL;
    siglongjmp(*to, 1);
}

static void
arena_run_cleanups(struct kedr_arena *a)
{
    while (a->cleanups != NULL) {
        struct kedr_cleanup *c = a->cleanups;

        a->cleanups = c->next;
        c->fn(c->arg);
    }
}

void
kedr_arena_clear(struct kedr_arena *a)
{
    struct kedr_arena_chunk *c, *keep = NULL;

    arena_run_cleanups(a);
    /* keep one standard chunk for the next request, free the rest */
    for (c = a->head; c != NULL;) {
        struct kedr_arena_chunk *next = c->next;

        if (ARENA_KEEP_CHUNK && keep == NULL && c->size == ARENA_CHUNK) {
            keep = c;
            keep->pos = 0;
            keep->next = NULL;
        } else {
            free(c);
        }
        c = next;
    }
    a->head = keep;
    a->used = 0;
}

void
kedr_arena_release(struct kedr_arena *a)
{
    kedr_arena_clear(a);
    free(a->head);
    a->head = NULL;
}

static struct kedr_arena_chunk *
arena_chunk_new(struct kedr_arena *a, size_t size)
{
    struct kedr_arena_chunk *c;

    if (size > SIZE_MAX - sizeof(*c))
        kedr_arena_fail(a);
    c = malloc(sizeof(*c) + size);
    if (c == NULL)
        kedr_arena_fail(a);
    c->size = size;
    c->pos = 0;
    c->next = NULL;
    return c;
}

/* `size` rounded up to the alignment, at least ARENA_ALIGN. */
static size_t
arena_rounded(size_t size)
{
    if (size > SIZE_MAX - ARENA_ALIGN)
        kedr_oom();
    if (size == 0)
        return ARENA_ALIGN;
    return (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/* Default: bump a pointer in ARENA_CHUNK chunks. */
static void *
arena_take_bump(struct kedr_arena *a, size_t size)
{
    struct kedr_arena_chunk *c = a->head;
    size_t need = arena_rounded(size);
    void *p;

    a->used += need;
    if (need > ARENA_CHUNK / 4) {
        /* a big block gets a chunk of its own, behind the current one so
         * the rest of the current chunk stays in use */
        c = arena_chunk_new(a, need);
        c->pos = need;
        if (a->head == NULL) {
            a->head = c;
        } else {
            c->next = a->head->next;
            a->head->next = c;
        }
        return c->data;
    }
    if (c == NULL || c->size - c->pos < need) {
        c = arena_chunk_new(a, ARENA_CHUNK);
        c->next = a->head;
        a->head = c;
    }
    p = c->data + c->pos;
    c->pos += need;
    return p;
}

/* KEDR_ARENA_MALLOC: a malloc'd block of exactly `size` bytes per
 * allocation, so a sanitizer sees where each one ends.  `used` counts as
 * the default allocator does. */
static void *
arena_take_block(struct kedr_arena *a, size_t size)
{
    struct kedr_arena_chunk *c = arena_chunk_new(a, size);

    c->pos = size;
    c->next = a->head;
    a->head = c;
    a->used += arena_rounded(size);
    return c->data;
}

void *
kedr_arena_alloc(struct kedr_arena *a, size_t size)
{
    /* no block can be that large: fail (and unwind) before the size
     * arithmetic overflows */
    if (size > SIZE_MAX / 2 || (a->recover != NULL && kedr_fault_alloc()))
        kedr_arena_fail(a);
    return ARENA_TAKE(a, size);
}

void *
kedr_arena_calloc(struct kedr_arena *a, size_t size)
{
    return memset(kedr_arena_alloc(a, size), 0, size);
}

char *
kedr_arena_strndup(struct kedr_arena *a, const char *s, size_t n)
{
    char *p = kedr_arena_alloc(a, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
kedr_arena_strdup(struct kedr_arena *a, const char *s)
{
    return kedr_arena_strndup(a, s, strlen(s));
}

char *
kedr_arena_vsprintf(struct kedr_arena *a, const char *fmt, va_list ap)
{
    va_list aq;
    char small[256], *p;
    int n;

    va_copy(aq, ap);
    n = vsnprintf(small, sizeof(small), fmt, aq);
    va_end(aq);
    if (n < 0)
        return kedr_arena_strdup(a, "");
    p = kedr_arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof(small))
        memcpy(p, small, (size_t)n + 1);
    else
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
kedr_arena_sprintf(struct kedr_arena *a, const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = kedr_arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

/* The cleanup record, allocated under a recovery point of its own: when
 * the allocation fails, fn(arg) runs before the failure unwinds on. */
static struct kedr_cleanup *
arena_cleanup_new(struct kedr_arena *a, void (*fn)(void *), void *arg)
{
    sigjmp_buf *outer = a->recover, here;
    struct kedr_cleanup *c;

    if (outer == NULL)
        return kedr_arena_alloc(a, sizeof(*c));
    if (sigsetjmp(here, 0) != 0) {
        fn(arg);
        a->recover = outer;
        kedr_arena_fail(a);
    }
    a->recover = &here;
    c = kedr_arena_alloc(a, sizeof(*c));
    a->recover = outer;
    return c;
}

void
kedr_arena_on_cleanup(struct kedr_arena *a, void (*fn)(void *), void *arg)
{
    struct kedr_cleanup *c = arena_cleanup_new(a, fn, arg);

    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}

void
kedr_buf_init(struct kedr_buf *b, struct kedr_arena *a)
{
    b->arena = a;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void
kedr_buf_add(struct kedr_buf *b, const void *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        char *p;

        while (cap < b->len + len + 1)
            cap *= 2;
        p = kedr_arena_alloc(b->arena, cap);
        if (b->len)
            memcpy(p, b->data, b->len);
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void
kedr_buf_adds(struct kedr_buf *b, const char *s)
{
    kedr_buf_add(b, s, strlen(s));
}

void
kedr_buf_addf(struct kedr_buf *b, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = kedr_arena_vsprintf(b->arena, fmt, ap);
    va_end(ap);
    kedr_buf_adds(b, s);
}

/*
 * tests/oom_shim.c: a malloc shim, loaded with LD_PRELOAD, that makes any
 * allocation of the whole process fail: ours, libxml2's, zlib's, igraph's
 * and the C library's own. It counts every call to malloc, calloc, realloc,
 * reallocarray, posix_memalign, aligned_alloc, memalign, valloc and pvalloc
 * (strdup, fopen and the rest of the C library allocate through these) and
 *
 *   AB_OOM_FAIL=N      fails the N-th call (1-based), and only that one;
 *   AB_OOM_PERSIST=1   with AB_OOM_FAIL, fails the N-th call and every later one;
 *   AB_OOM_REPORT=FILE at exit writes "calls C failed F live L" to FILE: the
 *                      calls counted, the calls failed, and the blocks
 *                      allocated and not freed (a leak shows as more live
 *                      blocks than the run without failures leaves);
 *   AB_OOM_PROGRAM=NAME  acts only in the program of that name (argv[0]'s
 *                      last component): not in the shell of a wrapper script
 *                      such as valgrind's, which inherits LD_PRELOAD too.
 *
 * Calls are counted from the entry of main: what the C runtime and the
 * constructors of the libraries (libgomp, libgfortran under igraph's BLAS)
 * allocate before it is not the program's to handle, and those libraries
 * end the process on failure. The shim wraps __libc_start_main to see main
 * begin. The real allocator is glibc's, reached through its __libc_* entry
 * points. Counts are atomic, but the N-th call is only the same call from
 * run to run when the program is single-threaded (asbuilt --threads 1).
 * Built only on glibc.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t size);

#define SHIM_EXPORT __attribute__((visibility("default")))

static atomic_ullong calls;
static atomic_ullong failed;
static atomic_llong live;
static unsigned long long fail_at; /* 0: never. */
static int persist;
static atomic_int ready;
static atomic_int armed; /* main has begun. */
static int inactive;     /* Not the program named by AB_OOM_PROGRAM. */

static unsigned long long env_number(const char *name)
{
    const char *s = getenv(name);
    unsigned long long n = 0;
    if (s == NULL) {
        return 0;
    }
    for (; *s >= '0' && *s <= '9'; s++) {
        n = n * 10 + (unsigned long long)(*s - '0');
    }
    return n;
}

/* Reads the settings at the first call, which may come before any
 * constructor runs (the C library's own start-up allocates). The first call
 * is made before the program starts threads. */
static void shim_init(void)
{
    fail_at = env_number("AB_OOM_FAIL");
    persist = env_number("AB_OOM_PERSIST") != 0;
    atomic_store(&ready, 1);
}

/* Called at each injected failure: `break oom_shim_failed` in gdb shows
 * the allocation that failed. */
__attribute__((noinline)) SHIM_EXPORT void oom_shim_failed(unsigned long long n);
__attribute__((noinline)) SHIM_EXPORT void oom_shim_failed(unsigned long long n)
{
    __asm__ volatile("" : : "r"(n) : "memory");
}

/* Counts one call; 1 when it must fail. */
static int shim_fail(void)
{
    if (!atomic_load_explicit(&ready, memory_order_acquire)) {
        shim_init();
    }
    if (!atomic_load_explicit(&armed, memory_order_acquire)) {
        return 0;
    }
    unsigned long long n = atomic_fetch_add(&calls, 1) + 1;
    if (fail_at == 0 || n < fail_at || (n > fail_at && !persist)) {
        return 0;
    }
    atomic_fetch_add(&failed, 1);
    oom_shim_failed(n);
    errno = ENOMEM;
    return 1;
}

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void),
                        void *);
static main_fn real_main;
int __libc_start_main(main_fn main_, int argc, char **argv, void (*init)(void), void (*fini)(void),
                      void (*rtld_fini)(void), void *stack_end);

static int counting_main(int argc, char **argv, char **envp)
{
    const char *want = getenv("AB_OOM_PROGRAM");
    const char *name = argc > 0 && argv[0] != NULL ? strrchr(argv[0], '/') : NULL;
    name = name != NULL ? name + 1 : argc > 0 && argv[0] != NULL ? argv[0] : "";
    if (want != NULL && want[0] != '\0' && strcmp(name, want) != 0) {
        inactive = 1;
    } else {
        atomic_store(&armed, 1);
    }
    return real_main(argc, argv, envp);
}

SHIM_EXPORT int __libc_start_main(main_fn main_, int argc, char **argv, void (*init)(void),
                                  void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    start_fn real_start = (start_fn)(uintptr_t)dlsym(RTLD_NEXT, "__libc_start_main");
    real_main = main_;
    return real_start(counting_main, argc, argv, init, fini, rtld_fini, stack_end);
}

static void *counted(void *p)
{
    if (p != NULL) {
        atomic_fetch_add(&live, 1);
    }
    return p;
}

SHIM_EXPORT void *malloc(size_t size)
{
    return shim_fail() ? NULL : counted(__libc_malloc(size));
}

SHIM_EXPORT void *calloc(size_t n, size_t size)
{
    return shim_fail() ? NULL : counted(__libc_calloc(n, size));
}

SHIM_EXPORT void free(void *p)
{
    if (p != NULL) {
        atomic_fetch_sub(&live, 1);
        __libc_free(p);
    }
}

SHIM_EXPORT void *realloc(void *p, size_t size)
{
    if (p == NULL) {
        return malloc(size);
    }
    if (size == 0) {
        free(p); /* glibc frees and returns NULL. */
        return NULL;
    }
    return shim_fail() ? NULL : __libc_realloc(p, size);
}

SHIM_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, n * size);
}

static void *aligned(size_t align, size_t size)
{
    return shim_fail() ? NULL : counted(__libc_memalign(align, size));
}

SHIM_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0) {
        return EINVAL;
    }
    void *p = aligned(align, size);
    if (p == NULL) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}

SHIM_EXPORT void *aligned_alloc(size_t align, size_t size)
{
    return aligned(align, size);
}

SHIM_EXPORT void *memalign(size_t align, size_t size)
{
    return aligned(align, size);
}

SHIM_EXPORT void *valloc(size_t size)
{
    return aligned((size_t)sysconf(_SC_PAGESIZE), size);
}

SHIM_EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return aligned(page, (size + page - 1) / page * page);
}

/* Writes n in decimal at p; returns the end. */
static char *put_number(char *p, long long n)
{
    char digits[24];
    int k = 0;
    unsigned long long u = n < 0 ? (unsigned long long)-n : (unsigned long long)n;
    if (n < 0) {
        *p++ = '-';
    }
    do {
        digits[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    while (k > 0) {
        *p++ = digits[--k];
    }
    return p;
}

static char *put_text(char *p, const char *s)
{
    while (*s != '\0') {
        *p++ = *s++;
    }
    return p;
}

/* Runs after the program's own destructors and atexit handlers (the
 * preloaded library is finalised last); writes without allocating. */
__attribute__((destructor)) static void shim_report(void)
{
    const char *path = getenv("AB_OOM_REPORT");
    if (inactive || path == NULL || path[0] == '\0') {
        return;
    }
    char line[128];
    char *p = put_text(line, "calls ");
    p = put_number(p, (long long)atomic_load(&calls));
    p = put_text(p, " failed ");
    p = put_number(p, (long long)atomic_load(&failed));
    p = put_text(p, " live ");
    p = put_number(p, (long long)atomic_load(&live));
    *p++ = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        ssize_t w = write(fd, line, (size_t)(p - line));
        (void)w;
        close(fd);
    }
}

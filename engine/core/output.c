/*
 * core/output.c: atomic output files, alone or as a set. Every regular file
 * of a set is first written to a temporary file beside its destination and
 * flushed to disk; only when all are ready are they renamed over their
 * destinations, one after the other, with the catchable termination signals
 * held back, so a failed or interrupted run leaves every report of the set
 * as it was before or every one new (a kill -9 can only land in the few
 * renames). A destination that is a symbolic link is written through, as
 * cp does: the temporary file goes beside the file the link names and is
 * renamed there, and the link stays. Devices, pipes and /dev/std* are
 * written in place.
 *
 * Temporary files are named ".NAME.asbuilt-tmp.PID.XXXXXX": hidden, never
 * taken for a report, and tied to the process that made them. Their names
 * are kept in a fixed table that ab_output_signal_cleanup() (safe in a
 * signal handler) unlinks, and a later write to the same destination removes
 * those whose process is gone.
 *
 * A kill -9 between two renames of a set would leave some reports new and
 * some old. So before renaming two or more files, the set writes a commit
 * journal, ".asbuilt-commit.PID.XXXXXX" beside its first file, naming each
 * temporary file and its destination, and removes it after the renames. A
 * later write into that folder finds a journal whose process is gone and
 * finishes its renames (every temporary file was complete and flushed before
 * the journal was written), so the set ends all new.
 */
#include "core/core_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_TAG ".asbuilt-tmp."
/* Bytes of the destination's name kept in a temporary file's name, so that
 * the whole name stays within NAME_MAX. */
#define TMP_BASE_MAX 200
/* Symbolic links followed from one destination at most (as the kernel). */
#define MAX_LINKS 40

/* ---- The table of temporary files a signal handler removes ---- */

#define PENDING_SLOTS 64

static char pending_name[PENDING_SLOTS][PATH_MAX];
static volatile sig_atomic_t pending_used[PENDING_SLOTS];
static pthread_mutex_t pending_mu = PTHREAD_MUTEX_INITIALIZER;

/* Registers name; returns its slot, or -1 when the table is full (the file
 * is then still removed on every error path, only not from a handler). */
static int pending_add(const char *name)
{
    int slot = -1;
    pthread_mutex_lock(&pending_mu);
    for (int i = 0; i < PENDING_SLOTS && slot < 0; i++) {
        if (!pending_used[i]) {
            slot = i;
            snprintf(pending_name[i], sizeof(pending_name[i]), "%s", name);
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            pending_used[i] = 1;
        }
    }
    pthread_mutex_unlock(&pending_mu);
    return slot;
}

static void pending_remove(int slot)
{
    if (slot >= 0) {
        pthread_mutex_lock(&pending_mu);
        pending_used[slot] = 0;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        pthread_mutex_unlock(&pending_mu);
    }
}

void ab_output_signal_cleanup(void)
{
    int saved = errno;
    for (int i = 0; i < PENDING_SLOTS; i++) {
        if (pending_used[i]) {
            unlink(pending_name[i]);
        }
    }
    errno = saved;
}

/* ---- Helpers ---- */

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The descriptor a name for one of this process's open descriptors stands
 * for ("/dev/stdout", "/dev/fd/3", "/proc/self/fd/3"), or -1. Writing to it
 * directly keeps a redirected stdout's file, offset and append mode. */
static int named_fd(const char *path)
{
    int fd = -1;
    if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0) {
        fd = STDOUT_FILENO;
    } else if (strcmp(path, "/dev/stderr") == 0) {
        fd = STDERR_FILENO;
    } else {
        const char *digits = NULL;
        if (strncmp(path, "/dev/fd/", 8) == 0) {
            digits = path + 8;
        } else if (strncmp(path, "/proc/self/fd/", 14) == 0) {
            digits = path + 14;
        }
        if (digits != NULL && digits[0] >= '0' && digits[0] <= '9') {
            char *end;
            long n = strtol(digits, &end, 10);
            if (*end == '\0' && n <= INT_MAX) {
                fd = (int)n;
            }
        }
    }
    if (fd >= 0 && strcmp(path, "-") != 0 && fcntl(fd, F_GETFD) == -1) {
        return -1; /* Not open here: the name is opened like any other. */
    }
    return fd;
}

/*
 * Follows the symbolic links of path's last component to the name of the
 * file they lead to (which may not exist yet: a dangling link is written
 * where it points, as cp does). *exists and *st tell about that file.
 */
static int resolve_links(const char *path, char *out, size_t cap, int *exists, struct stat *st,
                         int *fd_out, ab_error *err)
{
    if (strlen(path) >= cap) {
        return ab__error(err, AB_EIO, path, 0, 0, "path too long");
    }
    snprintf(out, cap, "%s", path);
    for (int hops = 0; hops <= MAX_LINKS; hops++) {
        if ((*fd_out = named_fd(out)) >= 0) {
            return AB_OK; /* A link to /dev/stdout, say: that descriptor. */
        }
        if (lstat(out, st) != 0) {
            if (errno == ENOENT) {
                *exists = 0;
                return AB_OK;
            }
            return ab__error(err, AB_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
        }
        if (!S_ISLNK(st->st_mode)) {
            *exists = 1;
            return AB_OK;
        }
        char target[PATH_MAX];
        ssize_t n = readlink(out, target, sizeof(target) - 1);
        if (n < 0) {
            return ab__error(err, AB_EIO, path, 0, 0, "cannot read the link %s: %s", out,
                             strerror(errno));
        }
        target[n] = '\0';
        if (target[0] == '/') {
            if ((size_t)n >= cap) {
                return ab__error(err, AB_EIO, path, 0, 0, "path too long");
            }
            memcpy(out, target, (size_t)n + 1);
        } else {
            /* Relative to the link's own directory. */
            char *slash = strrchr(out, '/');
            size_t dlen = slash != NULL ? (size_t)(slash - out) + 1 : 0;
            if (dlen + (size_t)n >= cap) {
                return ab__error(err, AB_EIO, path, 0, 0, "path too long");
            }
            memcpy(out + dlen, target, (size_t)n + 1);
        }
    }
    return ab__error(err, AB_EIO, path, 0, 0, "too many levels of symbolic links");
}

/* Splits path into its directory ("." when none) and last component. */
static void split_path(const char *path, char *dir, size_t dcap, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(dir, dcap, ".");
        *base = path;
    } else if (slash == path) {
        snprintf(dir, dcap, "/");
        *base = slash + 1;
    } else {
        snprintf(dir, dcap, "%.*s", (int)(slash - path), path);
        *base = slash + 1;
    }
}

/* Whether two paths name files of the same folder (as written). */
static int same_dir(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    size_t la = sa != NULL ? (size_t)(sa - a) : 0, lb = sb != NULL ? (size_t)(sb - b) : 0;
    return la == lb && (sa == NULL) == (sb == NULL) && strncmp(a, b, la) == 0;
}

/* ---- The commit journal ---- */

#define JOURNAL_TAG ".asbuilt-commit."

/* The dead process's pid of a journal or temporary file's name whose PID
 * starts at p ("PID.XXXXXX"), or 0 when the name does not fit or its
 * process may still run. */
static long dead_owner(const char *p)
{
    char *end;
    errno = 0;
    long pid = strtol(p, &end, 10);
    if (end == p || *end != '.' || strlen(end + 1) != 6 || errno != 0 || pid <= 0 ||
        pid > INT_MAX || pid == (long)getpid()) {
        return 0;
    }
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) {
        return 0; /* Its process still runs (or is not ours to see). */
    }
    return pid;
}

/* Finishes the renames that a killed set's journal names, then removes the
 * journal. Best effort: a line whose temporary file is gone is skipped. */
static void finish_journal(const char *journal)
{
    FILE *f = fopen(journal, "r");
    if (f == NULL) {
        return;
    }
    char line[2 * PATH_MAX + 4];
    while (fgets(line, sizeof(line), f) != NULL) {
        char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');
        if (tab == NULL || nl == NULL || nl < tab) {
            continue;
        }
        *tab = '\0';
        *nl = '\0';
        if (line[0] == '/' && tab[1] == '/' && access(line, F_OK) == 0) {
            (void)rename(line, tab + 1);
        }
    }
    fclose(f);
    unlink(journal);
}

/* Leftover temporary files one sweep removes at most (the rest wait for a
 * later run). */
#define STALE_MAX 16

/*
 * One pass over dir before a file is staged there: finishes every set whose
 * process was killed during its renames (its journal), and removes the
 * temporary files other runs left for base when their process is gone. The
 * removals wait until the pass is over, so a journal met later in the same
 * pass still finds the files it names. Best effort: what cannot be done is
 * left alone.
 */
static void sweep_dir(const char *dir, const char *base)
{
    char prefix[TMP_BASE_MAX + 32];
    snprintf(prefix, sizeof(prefix), ".%.*s" TMP_TAG, TMP_BASE_MAX, base);
    size_t plen = strlen(prefix), jlen = strlen(JOURNAL_TAG);
    char stale[STALE_MAX][PATH_MAX];
    int n_stale = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        int journal = strncmp(name, JOURNAL_TAG, jlen) == 0;
        int tmp = !journal && n_stale < STALE_MAX && strncmp(name, prefix, plen) == 0;
        /* PID "." six characters, nothing after, and the process gone. */
        if ((!journal && !tmp) || dead_owner(name + (journal ? jlen : plen)) == 0) {
            continue;
        }
        char jpath[PATH_MAX];
        char *full = journal ? jpath : stale[n_stale];
        if ((size_t)snprintf(full, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) {
            continue;
        }
        if (journal) {
            finish_journal(full);
        } else {
            n_stale++;
        }
    }
    closedir(d);
    for (int i = 0; i < n_stale; i++) {
        unlink(stale[i]); /* A journal may have renamed it already. */
    }
}

/* path made absolute into buf (cap bytes); 0 when it does not fit. */
static int absolute(const char *path, char *buf, size_t cap)
{
    if (path[0] == '/') {
        return (size_t)snprintf(buf, cap, "%s", path) < cap;
    }
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        return 0;
    }
    return (size_t)snprintf(buf, cap, "%s/%s", cwd, path) < cap;
}

/* ---- Output sets ---- */

typedef struct out_file {
    char *path;       /* The destination as given (for messages). */
    char *target;     /* The file renamed over (links followed); NULL: in place. */
    char *tmp;        /* The temporary file, or NULL once renamed or removed. */
    int slot;         /* Its slot in the signal table, or -1. */
    int fd;           /* In place: a descriptor of this process to write to, or -1. */
    const void *data; /* In place: written at commit. */
    size_t len;
    ab_output_writer writer; /* Or NULL: the data come from writer. */
    void *payload;
} out_file;

struct ab_output_set {
    out_file *files;
    size_t count, cap;
    int committed;
    int failed; /* An add failed: the set is not to be committed. */
};

int ab_output_set_create(ab_output_set **out, ab_error *err)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        return ab__error(err, AB_ENOMEM, "output", 0, 0, "out of memory");
    }
    return AB_OK;
}

static void drop_tmp(out_file *f)
{
    if (f->tmp != NULL) {
        unlink(f->tmp);
        pending_remove(f->slot);
        f->slot = -1;
        free(f->tmp);
        f->tmp = NULL;
    }
}

void ab_output_set_destroy(ab_output_set *set)
{
    if (set == NULL) {
        return;
    }
    for (size_t i = 0; i < set->count; i++) {
        drop_tmp(&set->files[i]);
        free(set->files[i].path);
        free(set->files[i].target);
    }
    free(set->files);
    free(set);
}

/*
 * Writes f's data to fd: its bytes, or its writer's pieces one after the
 * other. AB_OK; AB_EIO with errno set (*wrote_err 0); the writer's status
 * with err set (*wrote_err 1).
 */
static int emit(const out_file *f, int fd, int *writer_err, ab_error *err)
{
    *writer_err = 0;
    if (f->writer == NULL) {
        return write_all(fd, f->data, f->len) == 0 ? AB_OK : AB_EIO;
    }
    ab_buf piece = AB_BUF_INIT;
    int done = 0, rc = AB_OK;
    while (!done && rc == AB_OK) {
        piece.len = 0;
        rc = f->writer(f->payload, &piece, &done, err);
        if (rc != AB_OK) {
            *writer_err = 1;
        } else if (piece.len > 0 && write_all(fd, piece.ptr, piece.len) != 0) {
            int e = errno;
            ab_buf_dispose(&piece);
            errno = e;
            return AB_EIO;
        }
    }
    ab_buf_dispose(&piece);
    return rc;
}

/* Writes f's data to a new temporary file beside f->target. */
static int stage_regular(out_file *f, int exists, const struct stat *st, ab_error *err)
{
    const char *path = f->path;
    char dir[PATH_MAX];
    const char *base;
    split_path(f->target, dir, sizeof(dir), &base);
    sweep_dir(dir, base);
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof(tmp), "%s/.%.*s" TMP_TAG "%ld.XXXXXX", dir, TMP_BASE_MAX, base,
                     (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        return ab__error(err, AB_EIO, path, 0, 0, "path too long");
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        return ab__error(err, AB_EIO, path, 0, 0, "cannot create a temporary file beside it: %s",
                         strerror(errno));
    }
    f->tmp = strdup(tmp);
    if (f->tmp == NULL) {
        close(fd);
        unlink(tmp);
        return ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
    }
    f->slot = pending_add(tmp);
    /* mkstemp creates 0600; a report replacing a file keeps that file's
     * permissions, a new one gets the umask's. */
    mode_t mode;
    if (exists) {
        mode = st->st_mode & 0777;
    } else {
        mode_t um = umask(0);
        umask(um);
        mode = 0666 & ~um;
    }
    int saved, writer_err;
    int rc = emit(f, fd, &writer_err, err);
    if (rc != AB_OK || fsync(fd) != 0) {
        saved = errno;
        close(fd);
        drop_tmp(f);
        return writer_err ? rc
                          : ab__error(err, AB_EIO, path, 0, 0, "write failed: %s", strerror(saved));
    }
    if (fchmod(fd, mode) != 0 || close(fd) != 0) {
        saved = errno;
        drop_tmp(f);
        return ab__error(err, AB_EIO, path, 0, 0, "write failed: %s", strerror(saved));
    }
    return AB_OK;
}

/* Finds where f goes; a regular file is written to its temporary file. */
static int stage(out_file *f, const char *path, ab_error *err)
{
    char target[PATH_MAX];
    int exists = 0;
    struct stat st;
    int rc = resolve_links(path, target, sizeof(target), &exists, &st, &f->fd, err);
    if (rc != AB_OK || f->fd >= 0) {
        return rc;
    }
    if (exists && S_ISDIR(st.st_mode)) {
        return ab__error(err, AB_EIO, path, 0, 0, "is a directory");
    }
    if (exists && !S_ISREG(st.st_mode)) {
        return AB_OK; /* A device or a pipe: written in place at commit. */
    }
    if ((f->target = strdup(target)) == NULL) {
        return ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
    }
    return stage_regular(f, exists, &st, err);
}

static int add(ab_output_set *set, const char *path, const void *data, size_t len,
               ab_output_writer writer, void *payload, ab_error *err)
{
    if (set == NULL || set->committed) {
        return ab__error(err, AB_EINVAL, "output", 0, 0, "ab_output_set_add: bad arguments");
    }
    if (path == NULL) {
        path = "-";
    }
    if (path[0] == '\0') {
        set->failed = 1;
        return ab__error(err, AB_EIO, "output", 0, 0, "an empty file name");
    }
    if (data == NULL) {
        data = "";
        len = 0;
    }
    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 4;
        out_file *nf = realloc(set->files, cap * sizeof(*nf));
        if (nf == NULL) {
            set->failed = 1;
            return ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
        }
        set->files = nf;
        set->cap = cap;
    }
    out_file *f = &set->files[set->count];
    memset(f, 0, sizeof(*f));
    f->slot = -1;
    f->fd = -1;
    f->data = data;
    f->len = len;
    f->writer = writer;
    f->payload = payload;
    if ((f->path = strdup(path)) == NULL) {
        set->failed = 1;
        return ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
    }
    set->count++;
    int rc = stage(f, path, err);
    set->failed |= rc != AB_OK;
    return rc;
}

int ab_output_set_add(ab_output_set *set, const char *path, const void *data, size_t len,
                      ab_error *err)
{
    return add(set, path, data, len, NULL, NULL, err);
}

int ab_output_set_add_writer(ab_output_set *set, const char *path, ab_output_writer writer,
                             void *payload, ab_error *err)
{
    if (writer == NULL) {
        return ab__error(err, AB_EINVAL, "output", 0, 0, "ab_output_set_add_writer: bad arguments");
    }
    return add(set, path, NULL, 0, writer, payload, err);
}

static int write_in_place(const out_file *f, ab_error *err)
{
    const char *name = f->fd == STDOUT_FILENO ? "<stdout>" : f->path;
    int fd = f->fd;
    if (fd == STDOUT_FILENO || fd == STDERR_FILENO) {
        fflush(fd == STDOUT_FILENO ? stdout : stderr); /* What the program printed comes first. */
    }
    if (fd < 0) {
        fd = open(f->path, O_WRONLY | O_NOCTTY);
        if (fd < 0) {
            return ab__error(err, AB_EIO, name, 0, 0, "cannot open: %s", strerror(errno));
        }
    }
    int writer_err, rc = emit(f, fd, &writer_err, err);
    if (rc != AB_OK) {
        int e = errno;
        if (f->fd < 0) {
            close(fd);
        }
        return writer_err ? rc
                          : ab__error(err, AB_EIO, name, 0, 0, "write failed: %s", strerror(e));
    }
    if (f->fd < 0 && close(fd) != 0) {
        return ab__error(err, AB_EIO, name, 0, 0, "write failed: %s", strerror(errno));
    }
    return AB_OK;
}

/* Flushes a directory's entries to disk (best effort). */
static void sync_dir(const char *target)
{
    char dir[PATH_MAX];
    const char *base;
    split_path(target, dir, sizeof(dir), &base);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

/*
 * Writes and flushes the commit journal of a set with two renames or more
 * beside its first renamed file; its name goes to path ("" when none is
 * needed). AB_OK, or AB_EIO with errno set.
 */
static int write_journal(const ab_output_set *set, char *path, size_t cap)
{
    size_t renames = 0, first = set->count;
    for (size_t i = 0; i < set->count; i++) {
        if (set->files[i].target != NULL) {
            renames++;
            first = first == set->count ? i : first;
        }
    }
    path[0] = '\0';
    if (renames < 2) {
        return AB_OK;
    }
    for (size_t i = 0; i < set->count; i++) {
        const out_file *o = &set->files[i];
        char a[PATH_MAX], b[PATH_MAX];
        if (o->target != NULL &&
            (!absolute(o->tmp, a, sizeof(a)) || !absolute(o->target, b, sizeof(b)) ||
             strpbrk(a, "\t\n") != NULL || strpbrk(b, "\t\n") != NULL)) {
            return AB_OK; /* Names a journal line cannot hold: renamed without one. */
        }
    }
    char dir[PATH_MAX];
    const char *base;
    split_path(set->files[first].target, dir, sizeof(dir), &base);
    if ((size_t)snprintf(path, cap, "%s/" JOURNAL_TAG "%ld.XXXXXX", dir, (long)getpid()) >= cap) {
        errno = ENAMETOOLONG;
        return AB_EIO;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        path[0] = '\0';
        return AB_EIO;
    }
    FILE *f = fdopen(fd, "w");
    int ok = f != NULL;
    for (size_t i = 0; i < set->count && ok; i++) {
        const out_file *o = &set->files[i];
        char a[PATH_MAX], b[PATH_MAX];
        if (o->target == NULL) {
            continue;
        }
        ok = absolute(o->tmp, a, sizeof(a)) && absolute(o->target, b, sizeof(b)) &&
             fprintf(f, "%s\t%s\n", a, b) > 0;
    }
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    } else {
        close(fd);
    }
    if (!ok) {
        int saved = errno;
        unlink(path);
        path[0] = '\0';
        errno = saved;
        return AB_EIO;
    }
    return AB_OK;
}

int ab_output_set_commit(ab_output_set *set, ab_error *err)
{
    if (set == NULL || set->committed || set->failed) {
        return ab__error(err, AB_EINVAL, "output", 0, 0,
                         set != NULL && set->failed
                             ? "ab_output_set_commit: an output of the set could not be staged"
                             : "ab_output_set_commit: bad arguments");
    }
    set->committed = 1;
    for (size_t i = 0; i < set->count; i++) {
        const out_file *f = &set->files[i];
        if (f->target == NULL) {
            int rc = write_in_place(f, err);
            if (rc != AB_OK) {
                return rc;
            }
        } else if (f->tmp == NULL) {
            return ab__error(err, AB_EINVAL, f->path, 0, 0, "not staged");
        }
    }
    /* The journal and the renames: nothing else happens between them, and
     * an interrupt or a termination request waits until they are done. A
     * kill -9 among the renames leaves the journal, which the next write
     * into the folder completes. */
    sigset_t hold, old;
    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    sigaddset(&hold, SIGHUP);
    sigaddset(&hold, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &hold, &old);
    char journal[PATH_MAX] = "";
    if (write_journal(set, journal, sizeof(journal)) != AB_OK) {
        int saved_j = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return ab__error(err, AB_EIO, set->files[0].path, 0, 0,
                         "cannot write the commit journal beside it: %s", strerror(saved_j));
    }
    size_t done = 0;
    int saved = 0;
    for (; done < set->count; done++) {
        out_file *f = &set->files[done];
        if (f->target != NULL && rename(f->tmp, f->target) != 0) {
            saved = errno;
            break;
        }
    }
    if (journal[0] != '\0') {
        unlink(journal);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    size_t renamed = 0;
    for (size_t i = 0; i < done; i++) {
        out_file *f = &set->files[i];
        if (f->target != NULL) {
            pending_remove(f->slot);
            f->slot = -1;
            free(f->tmp);
            f->tmp = NULL;
            renamed++;
        }
    }
    if (done < set->count) {
        out_file *f = &set->files[done];
        if (renamed > 0) {
            return ab__error(err, AB_EIO, f->path, 0, 0,
                             "cannot rename the temporary file: %s (%zu other output%s already "
                             "replaced)",
                             strerror(saved), renamed, renamed == 1 ? " was" : "s were");
        }
        return ab__error(err, AB_EIO, f->path, 0, 0, "cannot rename the temporary file: %s",
                         strerror(saved));
    }
    /* Each folder that received a rename, once. */
    for (size_t i = 0; i < set->count; i++) {
        const char *t = set->files[i].target;
        int seen = t == NULL;
        for (size_t k = 0; k < i && !seen; k++) {
            seen = set->files[k].target != NULL && same_dir(set->files[k].target, t);
        }
        if (!seen) {
            sync_dir(t);
        }
    }
    return AB_OK;
}

int ab_write_file_atomic(const char *path, const void *data, size_t len, ab_error *err)
{
    ab_output_set *set = NULL;
    int rc = ab_output_set_create(&set, err);
    if (rc == AB_OK) {
        rc = ab_output_set_add(set, path, data, len, err);
    }
    if (rc == AB_OK) {
        rc = ab_output_set_commit(set, err);
    }
    ab_output_set_destroy(set);
    return rc;
}

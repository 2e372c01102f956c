/*
 * core/output.c: atomic output files. A report is written to a temporary
 * file beside its destination, flushed to disk, then renamed over it, so a
 * failed or interrupted run never leaves a half-written report behind.
 */
#include "core/core_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

int ab_write_file_atomic(const char *path, const void *data, size_t len, ab_error *err)
{
    if (path == NULL || strcmp(path, "-") == 0) {
        if (write_all(STDOUT_FILENO, data, len) != 0) {
            return ab__error(err, AB_EIO, "<stdout>", 0, 0, "write failed: %s", strerror(errno));
        }
        return AB_OK;
    }
    /* A device or a pipe (/dev/null, a FIFO, /dev/stdout) is written in
     * place: renaming over it would replace the device with a plain file. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        int dfd = open(path, O_WRONLY);
        if (dfd < 0) {
            return ab__error(err, AB_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
        }
        if (write_all(dfd, data, len) != 0) {
            int e = errno;
            close(dfd);
            return ab__error(err, AB_EIO, path, 0, 0, "write failed: %s", strerror(e));
        }
        if (close(dfd) != 0) {
            return ab__error(err, AB_EIO, path, 0, 0, "write failed: %s", strerror(errno));
        }
        return AB_OK;
    }
    size_t plen = strlen(path);
    if (plen > 4000) {
        return ab__error(err, AB_EIO, path, 0, 0, "path too long");
    }
    char tmp[4096 + 16];
    snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        return ab__error(err, AB_EIO, path, 0, 0, "cannot create a temporary file beside it: %s",
                         strerror(errno));
    }
    int saved;
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        saved = errno;
        close(fd);
        unlink(tmp);
        return ab__error(err, AB_EIO, path, 0, 0, "write failed: %s", strerror(saved));
    }
    /* mkstemp creates 0600; reports are ordinary files. Respect the umask. */
    mode_t um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) != 0 || close(fd) != 0) {
        saved = errno;
        unlink(tmp);
        return ab__error(err, AB_EIO, path, 0, 0, "write failed: %s", strerror(saved));
    }
    if (rename(tmp, path) != 0) {
        saved = errno;
        unlink(tmp);
        return ab__error(err, AB_EIO, path, 0, 0, "cannot rename the temporary file: %s",
                         strerror(saved));
    }
    return AB_OK;
}

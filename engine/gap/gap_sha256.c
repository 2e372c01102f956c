/*
 * gap/gap_sha256.c: SHA-256 (FIPS 180-4) for the report header, which
 * records the hash of the log files, the map and the label mapping so that a
 * reviewer can tell which inputs a number came from. Files are hashed as
 * stored (compressed bytes for .gz), so `sha256sum FILE` gives the same.
 *
 * The digest is OpenSSL's (libcrypto, EVP interface), which uses the CPU's
 * SHA extensions or its vector units where it has them: some five times the
 * speed of a portable implementation on a log of hundreds of megabytes.
 */
#include "gap/gap_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

void ab__sha256_init(ab__sha256 *s)
{
    s->md = EVP_MD_CTX_new();
    s->failed = s->md == NULL || EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1;
}

void ab__sha256_update(ab__sha256 *s, const void *data, size_t len)
{
    if (!s->failed && len > 0 && EVP_DigestUpdate(s->md, data, len) != 1) {
        s->failed = 1;
    }
}

int ab__sha256_hex(ab__sha256 *s, char hex[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    int ok = !s->failed && EVP_DigestFinal_ex(s->md, d, &len) == 1 && len == 32;
    EVP_MD_CTX_free(s->md);
    s->md = NULL;
    s->failed = 1;
    if (!ok) {
        hex[0] = '\0';
        return AB_ENOMEM;
    }
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
    return AB_OK;
}

int ab__sha256_files(const char *const *paths, size_t count, char hex[65], ab_error *err)
{
    /* Reads of 256 KiB: few calls at gigabytes a second, a buffer that stays in cache. */
    enum { CHUNK = 1 << 18 };
    unsigned char *buf = malloc(CHUNK);
    ab__sha256 s;
    ab__sha256_init(&s);
    if (buf == NULL || s.failed) {
        free(buf);
        ab__sha256_hex(&s, hex);
        return ab__error(err, AB_ENOMEM, "sha256", 0, 0, "out of memory");
    }
    for (size_t i = 0; i < count; i++) {
        int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            free(buf);
            ab__sha256_hex(&s, hex);
            return ab__error(err, AB_EIO, paths[i], 0, 0, "cannot open to hash: %s", strerror(e));
        }
        ssize_t n;
        while ((n = read(fd, buf, CHUNK)) != 0) {
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                break;
            }
            ab__sha256_update(&s, buf, (size_t)n);
        }
        close(fd);
        if (n < 0) {
            free(buf);
            ab__sha256_hex(&s, hex);
            return ab__error(err, AB_EIO, paths[i], 0, 0, "read error while hashing");
        }
    }
    free(buf);
    if (ab__sha256_hex(&s, hex) != AB_OK) {
        return ab__error(err, AB_ENOMEM, "sha256", 0, 0, "out of memory");
    }
    return AB_OK;
}

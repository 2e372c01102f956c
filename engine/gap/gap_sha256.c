/*
 * gap/gap_sha256.c: SHA-256 (FIPS 180-4) for the report header, which
 * records the hash of the log files, the map and the label mapping so that a
 * reviewer can tell which inputs a number came from. Files are hashed as
 * stored (compressed bytes for .gz), so `sha256sum FILE` gives the same.
 *
 * The digest is OpenSSL's (libcrypto), whose block function uses the CPU's
 * SHA extensions or its vector units where it has them (chosen when the
 * library loads): some five times the speed of a portable implementation.
 * It is called through SHA256_Init/Update/Final, not EVP: their context
 * lives in ab__sha256, so hashing allocates nothing, takes no lock and
 * cannot fail. EVP_MD_CTX is allocated, and the first EVP digest loads
 * OpenSSL's providers, whose allocation failures end in a crash in
 * OpenSSL 3.0 (a lock left NULL), and whose allocations on the hashing
 * thread of `asbuilt diff` would interleave with the command's own.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_*: deprecated in 3.0, still there. */

#include "gap/gap_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((ab__sha256 *)0)->ctx) &&
                   alignof(SHA256_CTX) <= alignof(uint64_t),
               "ab__sha256 must hold libcrypto's SHA256_CTX");

static SHA256_CTX *ctx_of(ab__sha256 *s)
{
    return (SHA256_CTX *)(void *)s->ctx;
}

void ab__sha256_init(ab__sha256 *s)
{
    SHA256_Init(ctx_of(s));
}

void ab__sha256_update(ab__sha256 *s, const void *data, size_t len)
{
    SHA256_Update(ctx_of(s), data, len);
}

void ab__sha256_hex(ab__sha256 *s, char hex[65])
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256_Final(d, ctx_of(s));
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

int ab__sha256_files(const char *const *paths, size_t count, char hex[65], ab_error *err)
{
    ab__sha256 s;
    ab__sha256_init(&s);
    /* On the stack: nothing to allocate, from any thread. Larger pieces
     * measured no faster. */
    unsigned char buf[65536];
    for (size_t i = 0; i < count; i++) {
        int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            return ab__error(err, AB_EIO, paths[i], 0, 0, "cannot open to hash: %s",
                             strerror(errno));
        }
        struct stat st;
        if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
            /* Read once already: what is left is not the input. */
            close(fd);
            hex[0] = '\0';
            return AB_OK;
        }
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) != 0) {
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
            return ab__error(err, AB_EIO, paths[i], 0, 0, "read error while hashing");
        }
    }
    ab__sha256_hex(&s, hex);
    return AB_OK;
}

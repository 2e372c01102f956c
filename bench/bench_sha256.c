/*
 * bench/bench_sha256.c: the throughput of the engine's SHA-256 of input
 * files (ab__sha256_files, what the gap report records), on files already in
 * the page cache. Hashes the files, as one log, --repeat times and prints
 * the digest, the bytes, the fastest run and its GB/s. bench/sha_bench.sh
 * runs it beside `sha256sum` on the same bytes, the baseline.
 *
 *   bench_sha256 [--repeat=N] FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "asbuilt/asbuilt.h"
#include "gap/gap_int.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int repeat = 3, first = 1;
    if (argc > 1 && strncmp(argv[1], "--repeat=", 9) == 0) {
        repeat = atoi(argv[1] + 9);
        first = 2;
    }
    if (first >= argc || repeat < 1) {
        fprintf(stderr, "usage: bench_sha256 [--repeat=N] FILE...\n");
        return 2;
    }
    const char *const *paths = (const char *const *)argv + first;
    size_t count = (size_t)(argc - first);
    double bytes = 0;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            perror(paths[i]);
            return 4;
        }
        bytes += (double)st.st_size;
    }
    char hex[65];
    double best = 1e30;
    for (int r = 0; r < repeat; r++) {
        ab_error err;
        ab_error_clear(&err);
        double t = now();
        if (ab__sha256_files(paths, count, hex, &err) != AB_OK) {
            fprintf(stderr, "%s: %s\n", err.source, err.msg);
            return 4;
        }
        t = now() - t;
        best = t < best ? t : best;
    }
    printf("%s %.0f bytes %.3f s %.3f GB/s\n", hex, bytes, best, bytes / best / 1e9);
    return 0;
}

/*
 * who/who_files.c: reading the small CSV files of the resource perspective
 * (roles, lanes to roles, segregation-of-duties pairs): one record per
 * line, with the file and line named in every error.
 */
#include "who/who_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ab__who_read_csv(ab_ctx *ctx, const char *path, const char *what, ab__who_line_fn fn,
                     void *payload, ab_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return ab__error(err, AB_EIO, path, 0, 0, "cannot open the %s: %s", what, strerror(errno));
    }
    char *line = NULL, *scratch = NULL;
    size_t cap = 0, scap = 0, len = 0;
    uint64_t lineno = 0;
    int rc = AB_OK, c = 0;
    while (rc == AB_OK && c != EOF) {
        len = 0;
        while ((c = fgetc(f)) != EOF && c != '\n') {
            if (AB_GROW(ctx, line, cap, len + 2) != AB_OK) {
                rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
                break;
            }
            line[len++] = (char)c;
        }
        if (rc != AB_OK) {
            break;
        }
        if (c == EOF && len == 0) {
            break;
        }
        lineno++;
        if (ferror(f)) {
            rc = ab__error(err, AB_EIO, path, lineno, 0, "read error");
            break;
        }
        size_t k = 0;
        if (lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            k = 3;
        }
        while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r')) {
            k++;
        }
        if (k == len || line[k] == '#') {
            continue;
        }
        if (AB_GROW(ctx, scratch, scap, len + 64) != AB_OK) {
            rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
            break;
        }
        const char *fields[8];
        int n = ab__split_fields(line + k, len - k, ",;\t", scratch, fields, 8);
        if (n < 0) {
            rc = ab__error(err, AB_EPARSE, path, lineno, 0, "unterminated or misplaced double quote in the %s",
                             what);
            break;
        }
        rc = fn(fields, n > 8 ? 8 : n, lineno, payload, err);
    }
    if (rc == AB_OK && ferror(f)) {
        rc = ab__error(err, AB_EIO, path, lineno, 0, "read error");
    }
    fclose(f);
    ab__free(ctx, line);
    ab__free(ctx, scratch);
    return rc;
}

/*
 * report/report_text.c: text for the report: the one escape every string of
 * a page or picture goes through, and what drawing labels needs: character
 * widths estimated per class of character (no font is measured, so the same
 * label always wraps the same way), greedy wrapping, and the colour scale.
 */
#include "report/report_int.h"

#include <math.h>
#include <stdio.h>

size_t ab__report_utf8_next(const char *str, size_t len, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    uint32_t c = s[0];
    size_t n;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        min = 0x80;
        c &= 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        min = 0x800;
        c &= 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        min = 0x10000;
        c &= 0x07;
    } else {
        *cp = 0xfffd;
        return 1;
    }
    if (n > len) {
        *cp = 0xfffd;
        return 1;
    }
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return 1;
        }
        c = (c << 6) | (s[k] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        *cp = 0xfffd;
        return 1;
    }
    *cp = c;
    return n;
}

/*
 * The escape. Five characters are markup in text or in a quoted attribute
 * (HTML and XML alike); escaping all five everywhere means one function
 * serves both, whatever the quotes. Line breaks and tabs become character
 * references so that an attribute keeps them. The other C0 and C1 controls,
 * U+FFFE/U+FFFF and undecodable bytes become U+FFFD: XML forbids most of
 * them, and an invisible character in a readiness report only hides things.
 */
int ab_report_escape(ab_buf *b, ab_ctx *ctx, const char *s, size_t len)
{
    static const char repl[] = "\xef\xbf\xbd";
    int rc = AB_OK;
    size_t start = 0, i = 0;
    if (s == NULL) {
        return AB_OK;
    }
    while (i < len && rc == AB_OK) {
        uint32_t cp;
        size_t n = ab__report_utf8_next(s + i, len - i, &cp);
        const char *rep = NULL;
        size_t rep_len = 0;
        if (cp == 0xfffd && n == 1) {
            rep = repl;
        } else if (cp < 0x80) {
            switch (cp) {
            case '&':
                rep = "&amp;";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '"':
                rep = "&quot;";
                break;
            case '\'':
                rep = "&#39;";
                break;
            case '\n':
                rep = "&#10;";
                break;
            case '\t':
                rep = "&#9;";
                break;
            default:
                if (cp < 0x20 || cp == 0x7f) {
                    rep = repl;
                }
            }
        } else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff) {
            rep = repl;
        }
        if (rep != NULL) {
            rep_len = strlen(rep);
            rc = ab_buf_append(b, ctx, s + start, i - start);
            if (rc == AB_OK) {
                rc = ab_buf_append(b, ctx, rep, rep_len);
            }
            start = i + n;
        }
        i += n;
    }
    if (rc == AB_OK) {
        rc = ab_buf_append(b, ctx, s + start, len - start);
    }
    return rc;
}

int ab__report_text(ab_buf *b, ab_ctx *ctx, const char *s, uint32_t max_cp)
{
    if (s == NULL) {
        return AB_OK;
    }
    size_t len = strlen(s);
    if (max_cp == 0) {
        return ab_report_escape(b, ctx, s, len);
    }
    size_t i = 0;
    uint32_t cps = 0;
    while (i < len && cps + 1 < max_cp) {
        uint32_t cp;
        i += ab__report_utf8_next(s + i, len - i, &cp);
        cps++;
    }
    if (i < len) {
        /* More than max_cp characters: max_cp - 1 of them and the ellipsis. */
        size_t j = i;
        uint32_t cp;
        j += ab__report_utf8_next(s + j, len - j, &cp);
        if (j < len) {
            int rc = ab_report_escape(b, ctx, s, i);
            return rc == AB_OK ? ab_buf_append(b, ctx, "\xe2\x80\xa6", 3) : rc;
        }
    }
    return ab_report_escape(b, ctx, s, len);
}

/*
 * Width of a character in em. Helvetica/Arial-like proportions by class;
 * East Asian wide characters take a full em and combining marks none. An
 * estimate errs on the wide side so that labels stay inside their boxes.
 */
static double cp_em(uint32_t cp)
{
    if (cp < 0x80) {
        if (cp == ' ' || cp == 'i' || cp == 'l' || cp == 'j' || cp == '.' || cp == ',' ||
            cp == '\'' || cp == '|' || cp == ':' || cp == ';' || cp == '!' || cp == 'I' ||
            cp == 'f' || cp == 't' || cp == 'r') {
            return 0.32;
        }
        if (cp == 'm' || cp == 'w' || cp == 'M' || cp == 'W' || cp == '@') {
            return 0.88;
        }
        if (cp >= 'A' && cp <= 'Z') {
            return 0.68;
        }
        return 0.56;
    }
    if (cp >= 0x300 && cp <= 0x36f) {
        return 0.0;
    }
    if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
        (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
        (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
        (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
        (cp >= 0x20000 && cp <= 0x3fffd)) {
        return 1.0;
    }
    return 0.62;
}

double ab__report_text_width(const char *s, size_t len, double font_px)
{
    double em = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        i += ab__report_utf8_next(s + i, len - i, &cp);
        em += cp_em(cp);
    }
    return em * font_px;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Bytes of the character that ends at s[end) (end > 0). */
static size_t back_one(const char *s, size_t end)
{
    size_t k = end - 1;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80 && end - k < 4) {
        k--;
    }
    return end - k;
}

uint32_t ab__report_wrap(const char *s, double max_w, double font_px, uint32_t max_lines,
                         ab__report_line *lines)
{
    size_t len = s != NULL ? strlen(s) : 0;
    size_t i = 0;
    uint32_t n = 0;
    double space_w = 0.32 * font_px;
    if (max_lines > 16) {
        max_lines = 16;
    }
    while (i < len && is_space(s[i])) {
        i++;
    }
    while (i < len && n < max_lines) {
        size_t start = i, end = i;
        double w = 0;
        for (;;) {
            size_t ws = end;
            while (ws < len && is_space(s[ws])) {
                ws++;
            }
            if (ws >= len) {
                break;
            }
            size_t we = ws;
            while (we < len && !is_space(s[we])) {
                we++;
            }
            double ww = ab__report_text_width(s + ws, we - ws, font_px);
            if (end == start) {
                if (ww <= max_w) {
                    end = we;
                    w = ww;
                    continue;
                }
                /* A word wider than the line: cut it between characters (at least one). */
                size_t k = ws;
                double cw = 0;
                while (k < we) {
                    uint32_t cp;
                    size_t step = ab__report_utf8_next(s + k, len - k, &cp);
                    double c = cp_em(cp) * font_px;
                    if (cw + c > max_w && k > ws) {
                        break;
                    }
                    cw += c;
                    k += step;
                }
                end = k;
                w = cw;
                break;
            }
            if (w + space_w + ww <= max_w) {
                end = we;
                w += space_w + ww;
                continue;
            }
            break;
        }
        lines[n++] = (ab__report_line){start, end - start, 0, w, 0};
        i = end;
        while (i < len && is_space(s[i])) {
            i++;
        }
    }
    if (i < len && n > 0) {
        /* Text left over: the last line ends in an ellipsis that must fit too. */
        ab__report_line *ln = &lines[n - 1];
        double ew = 1.0 * font_px;
        ln->ellipsis = 1;
        while (ln->len > 0 && (ln->width + ew > max_w || is_space(s[ln->off + ln->len - 1]))) {
            ln->len -= back_one(s + ln->off, ln->len);
            ln->width = ab__report_text_width(s + ln->off, ln->len, font_px);
        }
    }
    return n;
}

uint32_t ab__report_wrap_ends(const char *s, double max_w, double font_px, uint32_t max_lines,
                              ab__report_line *lines)
{
    uint32_t n = ab__report_wrap(s, max_w, font_px, max_lines, lines);
    if (n == 0 || !lines[n - 1].ellipsis || max_lines < 2) {
        return n;
    }
    /* The head: the first lines as wrapped, without their ellipsis (the tail line has it). */
    n = ab__report_wrap(s, max_w, font_px, max_lines - 1, lines);
    ab__report_line *last = &lines[n - 1];
    size_t head_end = last->off + last->len;
    last->ellipsis = 0;
    size_t len = strlen(s);
    while (len > head_end && is_space(s[len - 1])) {
        len--;
    }
    double avail = max_w - 1.0 * font_px;
    /* The tail: the longest run of whole words at the end that fits after "…". */
    size_t best = len;
    for (size_t p = len; p > head_end; p--) {
        if (p < len && is_space(s[p - 1]) && !is_space(s[p])) {
            if (ab__report_text_width(s + p, len - p, font_px) > avail) {
                break;
            }
            best = p;
        }
    }
    if (best >= len) {
        /* The last word alone is too wide: a part of a word says less than the start. */
        return ab__report_wrap(s, max_w, font_px, max_lines, lines);
    }
    lines[n] = (ab__report_line){best, len - best, 0,
                                 ab__report_text_width(s + best, len - best, font_px), 1};
    return n + 1;
}

int ab__report_line_put(ab_buf *b, ab_ctx *ctx, const char *s, const ab__report_line *line)
{
    int rc = line->lead ? ab_buf_append(b, ctx, "\xe2\x80\xa6", 3) : AB_OK;
    rc = rc == AB_OK ? ab_report_escape(b, ctx, s + line->off, line->len) : rc;
    if (rc == AB_OK && line->ellipsis) {
        rc = ab_buf_append(b, ctx, "\xe2\x80\xa6", 3);
    }
    return rc;
}

void ab__report_rate_color(double t, char buf[8])
{
    /* Pale yellow, orange, dark red: ColorBrewer's YlOrRd ends and middle. */
    static const double stops[3][3] = {{0xff, 0xf7, 0xbc}, {0xfd, 0x8d, 0x3c}, {0xa5, 0x0f, 0x15}};
    if (!(t >= 0.0)) {
        t = 0.0;
    }
    if (t > 1.0) {
        t = 1.0;
    }
    int seg = t < 0.5 ? 0 : 1;
    double u = seg == 0 ? t * 2.0 : (t - 0.5) * 2.0;
    int c[3];
    for (int i = 0; i < 3; i++) {
        c[i] = (int)lround(stops[seg][i] + (stops[seg + 1][i] - stops[seg][i]) * u);
    }
    snprintf(buf, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

const char *ab__report_rate_ink(double t)
{
    return t > 0.62 ? "#ffffff" : "#1a1a1a";
}

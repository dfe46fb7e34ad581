// Debian sid's Swift runtime is built against glibc 2.43 and calls C23 entry points that bookworm's
// glibc 2.36 does not have. Linked into the arm64 binaries (see scripts/arm64/toolchain), each one
// forwards to its C99 counterpart, which behaves the same for the inputs the runtime passes (C23
// adds only binary "0b" prefixes). strlcpy/strlcat are written out (BSD semantics).
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long __isoc23_strtol(const char *s, char **end, int base) { return strtol(s, end, base); }
long long __isoc23_strtoll(const char *s, char **end, int base) { return strtoll(s, end, base); }
unsigned long __isoc23_strtoul(const char *s, char **end, int base) { return strtoul(s, end, base); }
unsigned long long __isoc23_strtoull(const char *s, char **end, int base) { return strtoull(s, end, base); }

int __isoc23_vsscanf(const char *s, const char *format, va_list args) { return vsscanf(s, format, args); }
int __isoc23_sscanf(const char *s, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsscanf(s, format, args);
    va_end(args);
    return n;
}

size_t strlcpy(char *dst, const char *src, size_t size) {
    size_t len = strlen(src);
    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

size_t strlcat(char *dst, const char *src, size_t size) {
    size_t dlen = strnlen(dst, size);
    if (dlen == size) return size + strlen(src);
    return dlen + strlcpy(dst + dlen, src, size - dlen);
}

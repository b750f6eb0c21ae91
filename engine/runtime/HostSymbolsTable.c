// The symbol table proper, in C: C has no overloads, so `&sqrt` names
// exactly the C library function.
#define _GNU_SOURCE
#include <assert.h>
#include <complex.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

// glibc's internal names that clang-built code references directly.
int __isoc99_scanf(const char *, ...);
int __isoc99_sscanf(const char *, const char *, ...);
int __isoc99_fscanf(FILE *, const char *, ...);
int __isoc99_vsscanf(const char *, const char *, va_list);
int __isoc99_vfscanf(FILE *, const char *, va_list);
int __isoc99_vscanf(const char *, va_list);
// libgcc helpers (complex arithmetic, 128-bit division, powi).
double _Complex __muldc3(double, double, double, double);
double _Complex __divdc3(double, double, double, double);
float _Complex __mulsc3(float, float, float, float);
float _Complex __divsc3(float, float, float, float);
__int128 __divti3(__int128, __int128);
__int128 __modti3(__int128, __int128);
unsigned __int128 __udivti3(unsigned __int128, unsigned __int128);
unsigned __int128 __umodti3(unsigned __int128, unsigned __int128);
double __powidf2(double, int);
float __powisf2(float, int);
void __stack_chk_fail(void);
void __assert_fail(const char *, const char *, unsigned, const char *);

// One X-macro list per header family keeps the table easy to audit.
#define GTS_STDIO(X)                                                           \
  X(printf) X(fprintf) X(sprintf) X(snprintf) X(vprintf) X(vfprintf)          \
  X(vsprintf) X(vsnprintf) X(puts) X(fputs) X(putchar) X(fputc) X(putc)       \
  X(getchar) X(fgetc) X(getc) X(fgets) X(ungetc) X(fopen) X(fclose)           \
  X(fflush) X(fread) X(fwrite) X(fseek) X(ftell) X(rewind) X(feof)            \
  X(ferror) X(clearerr) X(perror) X(remove) X(rename) X(setvbuf) X(setbuf)    \
  X(tmpfile) X(scanf) X(sscanf) X(fscanf) X(fileno) X(fdopen) X(freopen)      \
  X(fseeko) X(ftello) X(getline) X(dprintf) X(__isoc99_scanf)                 \
  X(__isoc99_sscanf) X(__isoc99_fscanf) X(__isoc99_vsscanf)                   \
  X(__isoc99_vfscanf) X(__isoc99_vscanf)

#define GTS_STDLIB(X)                                                          \
  X(malloc) X(calloc) X(realloc) X(free) X(aligned_alloc) X(posix_memalign)   \
  X(exit) X(_Exit) X(abort) X(atexit) X(atoi) X(atol) X(atoll) X(atof)        \
  X(strtol) X(strtoul) X(strtoll) X(strtoull) X(strtod) X(strtof) X(strtold)  \
  X(qsort) X(bsearch) X(abs) X(labs) X(llabs) X(div) X(ldiv) X(rand)          \
  X(srand) X(getenv) X(setenv) X(system) X(__assert_fail) X(__errno_location) \
  X(__stack_chk_fail)

#define GTS_STRING(X)                                                          \
  X(memcpy) X(memmove) X(memset) X(memcmp) X(memchr) X(strlen) X(strnlen)     \
  X(strcpy) X(strncpy) X(strcat) X(strncat) X(strcmp) X(strncmp) X(strchr)    \
  X(strrchr) X(strstr) X(strspn) X(strcspn) X(strpbrk) X(strtok) X(strdup)   \
  X(strndup) X(strerror) X(strcoll) X(strxfrm) X(strcasecmp) X(strncasecmp)   \
  X(bzero) X(memrchr)

#define GTS_CTYPE(X)                                                           \
  X(isalnum) X(isalpha) X(isdigit) X(isxdigit) X(islower) X(isupper)          \
  X(isspace) X(ispunct) X(isprint) X(iscntrl) X(isgraph) X(tolower)           \
  X(toupper) X(__ctype_b_loc) X(__ctype_tolower_loc) X(__ctype_toupper_loc)

#define GTS_MATH(X)                                                            \
  X(sqrt) X(sqrtf) X(cbrt) X(cbrtf) X(exp) X(expf) X(exp2) X(exp2f) X(expm1)  \
  X(log) X(logf) X(log2) X(log2f) X(log10) X(log10f) X(log1p) X(pow) X(powf)  \
  X(sin) X(sinf) X(cos) X(cosf) X(tan) X(tanf) X(asin) X(asinf) X(acos)       \
  X(acosf) X(atan) X(atanf) X(atan2) X(atan2f) X(sinh) X(cosh) X(tanh)        \
  X(tanhf) X(asinh) X(acosh) X(atanh) X(fabs) X(fabsf) X(floor) X(floorf)     \
  X(ceil) X(ceilf) X(trunc) X(truncf) X(round) X(roundf) X(lround) X(llround) \
  X(rint) X(rintf) X(lrint) X(nearbyint) X(fmod) X(fmodf) X(remainder)        \
  X(fmin) X(fminf) X(fmax) X(fmaxf) X(fma) X(fmaf) X(frexp) X(ldexp)          \
  X(ldexpf) X(modf) X(hypot) X(hypotf) X(copysign) X(copysignf) X(erf)        \
  X(erfc) X(tgamma) X(lgamma) X(sincos) X(sincosf) X(scalbn)

#define GTS_TIME(X)                                                            \
  X(time) X(clock) X(difftime) X(mktime) X(localtime) X(gmtime) X(strftime)   \
  X(clock_gettime) X(gettimeofday) X(nanosleep) X(sleep) X(usleep)         \
  X(timespec_get)

#define GTS_POSIX(X)                                                           \
  X(open) X(close) X(read) X(write) X(lseek) X(stat) X(fstat) X(unlink)       \
  X(mkdir) X(getpid) X(isatty) X(setjmp) X(longjmp) X(_setjmp) X(signal)      \
  X(raise) X(mmap) X(munmap)

#define GTS_RUNTIME(X)                                                         \
  X(__muldc3) X(__divdc3) X(__mulsc3) X(__divsc3) X(__divti3) X(__modti3)     \
  X(__udivti3) X(__umodti3) X(__powidf2) X(__powisf2)

#define GTS_DATA(X) X(stdin) X(stdout) X(stderr)

#include "HostSymbolsTable.h"

#define GTS_FN(name) {#name, (void *)&name},
const struct GtsHostSymbol gtsHostSymbolTable[] = {
    GTS_STDIO(GTS_FN) GTS_STDLIB(GTS_FN) GTS_STRING(GTS_FN) GTS_CTYPE(GTS_FN)
        GTS_MATH(GTS_FN) GTS_TIME(GTS_FN) GTS_POSIX(GTS_FN)
            GTS_RUNTIME(GTS_FN) GTS_DATA(GTS_FN)};
#undef GTS_FN
const unsigned gtsHostSymbolCount =
    sizeof(gtsHostSymbolTable) / sizeof(gtsHostSymbolTable[0]);

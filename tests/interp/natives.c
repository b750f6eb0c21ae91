// Native symbols visible to gts-interp-run (a static binary cannot dlsym).
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "natives.h"

void __stack_chk_fail(void);
void __assert_fail(const char *, const char *, unsigned, const char *);
int __isoc99_sscanf(const char *, const char *, ...);

#define S(n) {#n, (void *)&n},
const struct InterpNative interpNatives[] = {
    S(printf) S(fprintf) S(sprintf) S(snprintf) S(vprintf) S(vfprintf) S(
        vsprintf) S(vsnprintf) S(puts) S(putchar) S(fputs) S(fputc) S(fwrite)
        S(fflush) S(putc) S(malloc) S(calloc) S(realloc) S(free) S(memcpy) S(
            memmove) S(memset) S(memcmp) S(strlen) S(strcmp) S(strncmp)
            S(strcpy) S(strncpy) S(strcat) S(strchr) S(strrchr) S(strstr) S(strdup) S(qsort) S(
                bsearch) S(abs) S(labs) S(llabs) S(atoi) S(atol) S(atof) S(strtol) S(strtoul)
                S(strtod) S(exit) S(abort) S(rand) S(srand) S(clock) S(time) S(
                    toupper) S(tolower) S(__ctype_b_loc) S(__errno_location) S(sqrt) S(sqrtf)
                    S(exp) S(expf) S(exp2) S(log) S(logf) S(log2) S(log10) S(
                        pow) S(powf) S(sin) S(sinf)
                        S(cos) S(cosf) S(tan) S(atan) S(atan2) S(tanh) S(fabs) S(fabsf) S(
                            floor) S(ceil) S(round) S(trunc) S(fmod) S(fmin) S(fmax)
                            S(lround) S(llround) S(stdout) S(stderr) S(stdin) S(
                                __assert_fail) S(__stack_chk_fail) S(sscanf) S(__isoc99_sscanf)
                                S(fmodf) S(floorf) S(
                                    ceilf) S(roundf) S(truncf) S(tanf) S(asin) S(acos)
                                    S(atan2f) S(sinh) S(cosh) S(hypot) S(cbrt) S(
                                        expm1) S(log1p) S(ldexp) S(frexp) S(modf)
                                        S(fminf) S(fmaxf) S(copysign) S(rint) S(
                                            nearbyint) S(exp2f) S(log2f)
                                            S(log10f) S(lrint) S(strtoll) S(strtoull) S(
                                                strtof) S(getchar) S(fgets) S(fopen)
                                                S(fclose) S(fread) S(perror) S(
                                                    strerror) S(memchr)
                                                    S(strncat) S(strspn) S(
                                                        strcspn) S(strtok) S(fgetc)
                                                        S(tanhf) S(expf) S(atanf) S(
                                                            __ctype_tolower_loc)
                                                            S(__ctype_toupper_loc) S(
                                                                ferror) S(feof)
                                                                S(fseek) S(ftell) S(
                                                                    timespec_get)
                                                                    S(clock_gettime)
                                                                        S(rewind)};
#undef S
const unsigned interpNativeCount =
    sizeof(interpNatives) / sizeof(interpNatives[0]);

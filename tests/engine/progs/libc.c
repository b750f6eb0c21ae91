// A sample of the C11 and POSIX functions the engine's C library offers
// (engine/runtime/libc.txt), with results that do not depend on the time,
// the locale or the environment: every tier prints what the native build
// prints.
#define _GNU_SOURCE
#include <complex.h>
#include <fenv.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <regex.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <wchar.h>

static int cmpInt(const void *A, const void *B) {
  int X = *(const int *)A, Y = *(const int *)B;
  return (X > Y) - (X < Y);
}

static void rand48(void) {
  unsigned short Seed[3] = {0x1234, 0xabcd, 0x330e};
  seed48(Seed);
  long L = lrand48();
  double D = drand48();
  long M = mrand48();
  unsigned short X[3] = {1, 2, 3};
  long N = nrand48(X);
  double E = erand48(X);
  long J = jrand48(X);
  srand48(7);
  printf("rand48 %ld %.6f %ld %ld %.6f %ld %ld\n", L, D, M, N, E, J, lrand48());
  srandom(11);
  long R1 = random();
  unsigned RS = 5;
  printf("random %ld rand_r %d\n", R1, rand_r(&RS));
}

static void strings(void) {
  char Buf[] = "alpha,beta;;gamma,delta";
  char *Save, *Tok;
  for (Tok = strtok_r(Buf, ",;", &Save); Tok; Tok = strtok_r(NULL, ",;", &Save))
    printf("[%s]", Tok);
  char Out[64], *End = stpcpy(Out, "ab");
  End = stpcpy(End, "cd");
  char *Dup = strndup("truncate me", 8);
  printf(" %s %zu %s %s %s %d %d\n", Out, (size_t)(End - Out), Dup,
         strcasestr("Hello World", "WORLD"),
         (char *)memmem("xxneedlexx", 10, "needle", 6), ffs(0x50),
         strcasecmp("ABC", "abd") < 0);
  free(Dup);
  char Path[] = "/usr/lib/libm.a", Path2[] = "/usr/lib/libm.a";
  printf("basename %s dirname %s fnmatch %d %d\n", basename(Path),
         dirname(Path2), fnmatch("*.[ch]", "x.c", 0),
         fnmatch("*.[ch]", "x.o", 0) == FNM_NOMATCH);
}

static void sorting(void) {
  int V[] = {42, 7, 19, 3, 88, 61, 7, 25};
  size_t N = sizeof V / sizeof V[0];
  qsort(V, N, sizeof V[0], cmpInt);
  int Key = 61;
  int *Hit = bsearch(&Key, V, N, sizeof V[0], cmpInt);
  printf("sorted");
  for (size_t K = 0; K < N; ++K)
    printf(" %d", V[K]);
  printf(", 61 at %td\n", Hit - V);
  void *Root = NULL;
  static int Keys[] = {5, 1, 9, 3};
  for (int K = 0; K < 4; ++K)
    tsearch(&Keys[K], &Root, cmpInt);
  int Three = 3;
  int **Found = tfind(&Three, &Root, cmpInt);
  printf("tfind %d\n", Found ? **Found : -1);
}

static void formatting(void) {
  char Buf[128];
  int N = snprintf(Buf, 10, "%s-%05d-%x", "abcdef", 42, 255);
  printf("snprintf %d '%s'\n", N, Buf);
  int A;
  double D;
  char W[16];
  int Got = sscanf("17 2.5 word", "%d %lf %15s", &A, &D, W);
  printf("sscanf %d %d %.2f %s\n", Got, A, D, W);
  time_t T = 1000000000;
  struct tm Tm;
  gmtime_r(&T, &Tm);
  strftime(Buf, sizeof Buf, "%Y-%m-%d %H:%M:%S %j %a %b", &Tm);
  printf("strftime %s timegm %lld\n", Buf, (long long)timegm(&Tm));
  intmax_t Big = strtoimax("-123456789012", NULL, 10);
  imaxdiv_t Q = imaxdiv(Big, 1000);
  printf("strtoimax %" PRIdMAX " div %" PRIdMAX " rem %" PRIdMAX "\n", Big,
         Q.quot, Q.rem);
  wchar_t Wide[16];
  size_t WN = mbstowcs(Wide, "wide", 16);
  printf("mbstowcs %zu wcslen %zu\n", WN, wcslen(Wide));
  FILE *F = fmemopen((void *)"line one\nline two\n", 18, "r");
  char *Line = NULL;
  size_t Cap = 0;
  ssize_t Len;
  while ((Len = getline(&Line, &Cap, F)) > 0)
    printf("getline %zd %s", Len, Line);
  free(Line);
  fclose(F);
  regex_t Re;
  regmatch_t M[2];
  regcomp(&Re, "b([0-9]+)c", REG_EXTENDED);
  int Rc = regexec(&Re, "aab123cdd", 2, M, 0);
  printf("regexec %d %d-%d\n", Rc, (int)M[1].rm_so, (int)M[1].rm_eo);
  regfree(&Re);
}

static void numbers(void) {
  int Sign, Quo;
  double L = lgamma_r(4.5, &Sign);
  double Rq = remquo(10.0, 3.0, &Quo);
  printf("math %.6f %d %.3f %d %.17g %.6f %.6f %.6f\n", L, Sign, Rq, Quo,
         nextafter(1.0, 2.0), cbrt(27.0), expm1(1e-3), j0(1.0));
  double complex Z = cexp(I * M_PI / 4);
  printf("complex %.6f %.6f %.6f\n", creal(Z), cimag(Z), cabs(3.0 + 4.0 * I));
  printf("fenv %d lldiv %lld\n", fegetround() == FE_TONEAREST,
         lldiv(1000000000000LL, 7).rem);
}

int main(void) {
  rand48();
  strings();
  sorting();
  formatting();
  numbers();
  return 3;
}

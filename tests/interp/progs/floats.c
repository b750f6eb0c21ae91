#include <math.h>
#include <stdio.h>
static double poly(double x) { return 3.0 * x * x + 2.0 * x + 1.0; }
int main(void) {
  double xs[] = {0.0, 0.5, -1.25, 3.75, 100.0, 1e-3};
  for (int i = 0; i < 6; i++) {
    double x = xs[i];
    printf("%.12g %.12g %.12g %.12g %.12g %.12g\n", sqrt(fabs(x)), exp(x / 50), log(fabs(x) + 1),
           sin(x), cos(x), pow(fabs(x), 1.5));
    printf("%g %g %g %g %g %g %.12g\n", floor(x), ceil(x), trunc(x), round(x), rint(x), nearbyint(x), poly(x));
    printf("%.12g %.12g %.12g %g %g\n", exp2(x / 10), log2(fabs(x) + 2), log10(fabs(x) + 3),
           copysign(2.0, -x), fmin(x, 1.0) + fmax(x, -1.0));
  }
  float f = 0.1f; double acc = 0;
  for (int i = 0; i < 100; i++) { acc += f * i; f = f * 1.01f + 0.001f; }
  printf("%.9g %.9g %.9g\n", acc, (double)f, fma(1.0 + 1e-8, 1.0 - 1e-8, -1.0));
  double nan = 0.0 / 0.0, inf = 1.0 / 0.0;
  printf("%d %d %d %d %d %d\n", nan < 1, nan != nan, nan == nan, inf > 1e308, !(nan >= 0), isnan(nan));
  printf("%d %u %lld %d %g %g\n", (int)-3.99, (unsigned)3e9, (long long)-1e15, (int)(float)1e9,
         (double)(float)1.1, (float)1e-50);
  unsigned long long big = 18446744073709551615ULL;
  printf("%g %g %llu\n", (double)big, (float)(long long)-5, (unsigned long long)1.8e19);
  float m = fmodf(7.5f, 2.0f); double dm = fmod(-7.5, 2.0);
  printf("%g %g %g\n", m, dm, -m);
  return 0;
}

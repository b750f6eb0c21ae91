// Integer and floating-point arithmetic across widths.
#include <math.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

static double poly(double x) { return ((0.5 * x + 1.25) * x - 3.0) * x + 7.0; }

int main(void) {
  int8_t c = 100;
  int16_t s = 30000;
  int32_t i = -123456789;
  uint32_t u = 4000000000u;
  int64_t l = -9000000000000LL;
  for (int k = 0; k < 5; ++k) {
    c = (int8_t)(c + 77);
    s = (int16_t)(s * 3 + 1);
    i = i / 7 + i % 13;
    u = u * 2654435761u + (u >> 7);
    l = l * -3 + (l >> 5);
  }
  printf("%d %d %d %u %lld\n", c, s, i, u, (long long)l);
  uint64_t h = 0;
  for (uint64_t k = 1; k <= 1000; ++k)
    h += mix(k) % 1000003;
  printf("hash %llu\n", (unsigned long long)h);
  double acc = 0;
  float f = 1.0f;
  for (int k = 1; k <= 200; ++k) {
    acc += poly(k * 0.01) * sqrt(k) + pow(1.01, k) - exp(-k * 0.1);
    f = f * 1.0001f + 0.5f / k;
  }
  printf("%.17g %.9g %.17g\n", acc, f, fmod(acc, 3.7) + floor(-2.5));
  printf("%d %d\n", (int)(acc * 1000) >> 3, (unsigned)-7 / 3u > 5);
  return 0;
}

#include <stdio.h>
#include <stdint.h>
int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int main(void) {
  long s = 0;
  for (int i = 0; i < 1000; i++) s += i * 7 % 13;
  printf("%ld %d\n", s, fib(20));
  unsigned char c = 250; c += 10; short h = -3; h *= 1000;
  printf("%u %d %lld\n", c, h, (long long)s * 123456789LL);
  double d = 1.5; float f = 2.25f;
  for (int i = 0; i < 10; i++) { d = d * 1.1 + f; f = f / 1.5f - 0.1f; }
  printf("%.10f %.6f %d %u\n", d, f, (int)d, (unsigned)(d * 3));
  int64_t x = -12345678901LL; uint32_t u = 4000000000u;
  printf("%lld %lld %u %u %d\n", (long long)(x / 7), (long long)(x % 7), u / 3, u >> 5, (int)(x >> 3));
  return (int)(s % 100);
}

// The only hot code is one long loop in main, entered once.
#include <stdio.h>

int main(void) {
  double s = 0;
  unsigned x = 1;
  for (long i = 1; i < 100000000; ++i) {
    x = x * 1664525u + 1013904223u;
    s += (double)(x >> 20) / (double)(i % 1000 + 1);
  }
  printf("%.6f\n", s);
  return 0;
}

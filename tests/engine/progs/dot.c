// A dot product and a checksum loop: at O0, their counters and sums stay in
// registers (tests/engine/check_o0_registers.py).
#include <stdio.h>

static int a[1000], b[1000];

long dot(const int *x, const int *y, int n) {
  long s = 0;
  for (int i = 0; i < n; i++)
    s += (long)x[i] * y[i];
  return s;
}

int main(void) {
  for (int i = 0; i < 1000; i++) {
    a[i] = i % 7 - 3;
    b[i] = i % 5 + 1;
  }
  long total = 0;
  for (int r = 0; r < 2000; r++)
    total += dot(a, b, 1000) + r;
  printf("%ld\n", total);
  return 0;
}

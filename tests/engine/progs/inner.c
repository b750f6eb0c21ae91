// The hot loop is an inner loop of main, under an outer loop that runs only
// three times: on-stack replacement must reach the inner loop's header.
#include <stdio.h>

int main(void) {
  double total = 0;
  for (int rep = 0; rep < 3; ++rep) {
    unsigned x = 1 + rep;
    double s = 0;
    for (long i = 1; i < 10000000; ++i) {
      x = x * 1664525u + 1013904223u;
      s += (double)(x >> 20) / (double)(i % 1000 + 1);
    }
    total += s;
  }
  printf("%.6f\n", total);
  return 0;
}

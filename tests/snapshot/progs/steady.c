// A hot function with a while of work per call: run with loop tier-up off,
// boot 1 leaves it below O3 and the boots after it are asked to promote it
// (background compiles). argv[1]: the number of calls.
#include <stdio.h>
#include <stdlib.h>

static double step(double x) {
  for (int i = 0; i < 20000; ++i)
    x = x * 0.999 + 1.0;
  return x;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  double x = 0;
  for (int i = 0; i < n; ++i)
    x = step(x);
  printf("x = %.6f\n", x);
  return 0;
}

// qsort with an app comparator: native code calling back into the app.
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(void) {
  enum { N = 1000000 };
  double *v = malloc(sizeof(double) * N);
  unsigned s = 1;
  double sum = 0;
  for (int r = 0; r < 4; ++r) {
    for (int i = 0; i < N; ++i) {
      s = s * 1664525u + 1013904223u;
      v[i] = s / 4294967296.0;
    }
    qsort(v, N, sizeof(double), cmp);
    sum += v[N / 2] + v[N / 10];
  }
  printf("%.12f\n", sum);
  free(v);
  return 0;
}

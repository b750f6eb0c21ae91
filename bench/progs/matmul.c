// Dense double matrix multiply, repeated.
#include <stdio.h>
#include <stdlib.h>

enum { N = 256 };

static void matmul(const double *a, const double *b, double *c) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      double s = 0;
      for (int k = 0; k < N; ++k)
        s += a[i * N + k] * b[k * N + j];
      c[i * N + j] = s;
    }
}

int main(void) {
  double *a = malloc(sizeof(double) * N * N),
         *b = malloc(sizeof(double) * N * N),
         *c = malloc(sizeof(double) * N * N);
  for (int i = 0; i < N * N; ++i) {
    a[i] = (i % 17) * 0.25 - 2;
    b[i] = (i % 13) * 0.5 - 3;
  }
  double t = 0;
  for (int r = 0; r < 20; ++r) {
    matmul(a, b, c);
    t += c[r * 7 % (N * N)];
    a[r] += 1;
  }
  printf("%.6f\n", t);
  free(a);
  free(b);
  free(c);
  return 0;
}

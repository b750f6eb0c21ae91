// Spectral norm of the infinite matrix A(i,j) = 1/((i+j)(i+j+1)/2+i+1).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double a(int i, int j) { return 1.0 / ((i + j) * (i + j + 1) / 2 + i + 1); }

static void mulAv(int n, const double *v, double *av) {
  for (int i = 0; i < n; ++i) {
    double s = 0;
    for (int j = 0; j < n; ++j)
      s += a(i, j) * v[j];
    av[i] = s;
  }
}

static void mulAtv(int n, const double *v, double *atv) {
  for (int i = 0; i < n; ++i) {
    double s = 0;
    for (int j = 0; j < n; ++j)
      s += a(j, i) * v[j];
    atv[i] = s;
  }
}

static void mulAtAv(int n, const double *v, double *out, double *tmp) {
  mulAv(n, v, tmp);
  mulAtv(n, tmp, out);
}

int main(void) {
  enum { N = 2500 };
  double *u = malloc(N * sizeof *u), *v = malloc(N * sizeof *v);
  double *tmp = malloc(N * sizeof *tmp);
  for (int i = 0; i < N; ++i)
    u[i] = 1;
  for (int i = 0; i < 10; ++i) {
    mulAtAv(N, u, v, tmp);
    mulAtAv(N, v, u, tmp);
  }
  double vBv = 0, vv = 0;
  for (int i = 0; i < N; ++i) {
    vBv += u[i] * v[i];
    vv += v[i] * v[i];
  }
  printf("%.9f\n", sqrt(vBv / vv));
  free(u);
  free(v);
  free(tmp);
  return 0;
}

// Matrix-vector products whose output may overlap their inputs: the export
// jams rows only behind a run-time check that it does not. Prints every
// result bit for bit, for comparison with a clang build.
#include <stdio.h>
#include <stdlib.h>

static void matvec(float *out, const float *x, const float *w, int n, int d) {
  for (int i = 0; i < d; i++) {
    const float *row = w + (size_t)i * (size_t)n;
    float sum = 0.0f;
    for (int j = 0; j < n; j++)
      sum += row[j] * x[j];
    out[i] = sum;
  }
}

static void fill(float *p, int n, unsigned seed) {
  for (int i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    p[i] = (float)((seed >> 8) & 0xffff) / 65536.0f - 0.5f;
  }
}

static unsigned bits(float f) {
  union {
    float f;
    unsigned u;
  } v = {f};
  return v.u;
}

int main(int argc, char **argv) {
  // Sizes from the command line (N > 5): constants would let the optimizer
  // unroll the rows completely.
  int rounds = argc > 1 ? atoi(argv[1]) : 200;
  int N = argc > 2 ? atoi(argv[2]) : 37, D = argc > 3 ? atoi(argv[3]) : 23;
  float *w = calloc((size_t)(N * D + N), sizeof(float));
  float *x = calloc((size_t)(N + D), sizeof(float));
  float *out = calloc((size_t)D, sizeof(float));
  if (N <= 5 || D <= 0 || !w || !x || !out)
    return 1;
  fill(w, N * D + N, 1);
  fill(x, N + D, 2);
  unsigned h = 0;
  for (int r = 0; r < rounds; r++) {
    matvec(out, x, w, N, D); // disjoint
    x[r % N] = out[r % D];
    h = h * 31 + bits(out[D - 1]);
  }
  // Output inside the input vector and inside the matrix: the rows must
  // see the values earlier rows stored.
  matvec(x + 5, x, w, N, D);
  matvec(w + 3, x, w, N, D);
  for (int i = 0; i < N + D; i++)
    h = h * 31 + bits(x[i]);
  for (int i = 0; i < N * D + N; i++)
    h = h * 31 + bits(w[i]);
  printf("%08x\n", h);
  free(w);
  free(x);
  free(out);
  return 0;
}

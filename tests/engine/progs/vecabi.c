// Functions that pass and return vectors (GCC vector extensions): the
// interpreter runs them (calls between interpreted functions, native
// callers through its entries, calls into compiled code and outlined loops
// with vector live-ins), in every tier and when they tier up mid-run.
#include <stdio.h>

typedef double v2d __attribute__((vector_size(16)));
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));
typedef short v8s __attribute__((vector_size(16)));

static v2d axpy(double A, v2d X, v2d Y) { return X * A + Y; }

static v4f mix(v4f A, float S, int N, v4f B) { return A * S + B * (float)N; }

static v4i lanes(long A, long B, long C, long D, long E, long F, long G,
                 v4i X) {
  v4i R = {(int)(A + B), (int)(C + D), (int)(E + F), (int)G};
  return R + X;
}

// Ten vectors: the last two go on the stack.
static v2d sum10(v2d A, v2d B, v2d C, v2d D, v2d E, v2d F, v2d G, v2d H, v2d I,
                 v2d J) {
  return A + B + C + D + E + F + G + H + I * 2 + J * 3;
}

static v8s widen(v8s X) { return X + X; }

static double hsum(v2d X) { return X[0] + X[1]; }

int main(void) {
  v2d (*volatile Indirect)(double, v2d, v2d) = axpy;
  v2d Acc = {0, 0};
  v4f M = {1, 2, 3, 4};
  v4i L = {0, 0, 0, 0};
  v8s W = {1, -2, 3, -4, 5, -6, 7, -8};
  double Total = 0;
  for (int I = 0; I < 3000; ++I) {
    v2d X = {I * 0.5, I * 0.25};
    Acc = axpy(0.001, X, Acc);
    Acc = Indirect(-0.0005, X, Acc);
    M = mix(M, 0.5f, I % 3, (v4f){1, 1, 1, 1});
    L = lanes(I, 1, 2, 3, 4, 5, I % 7, L);
    v2d One = {1, 1};
    Total += hsum(sum10(X, One, One, One, One, One, One, One, X, One));
    if (I % 100 == 0)
      W = widen(W) / 2 + 1;
  }
  printf("acc %.9f %.9f\n", Acc[0], Acc[1]);
  printf("mix %.6f %.6f %.6f %.6f\n", M[0], M[1], M[2], M[3]);
  printf("lanes %d %d %d %d\n", L[0], L[1], L[2], L[3]);
  printf("total %.3f w %d %d %d\n", Total, W[0], W[1], W[7]);
  return (int)Total % 97;
}

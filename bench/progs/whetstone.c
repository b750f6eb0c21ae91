// A Whetstone-like floating-point kernel: main does the work in a series of
// short loops and straight-line code, not in one outlined loop.
#include <math.h>
#include <stdio.h>

static double e1[4];

static void pa(double *e, double t, double t2) {
  for (int j = 0; j < 6; ++j) {
    e[0] = (e[0] + e[1] + e[2] - e[3]) * t;
    e[1] = (e[0] + e[1] - e[2] + e[3]) * t;
    e[2] = (e[0] - e[1] + e[2] + e[3]) * t;
    e[3] = (-e[0] + e[1] + e[2] + e[3]) / t2;
  }
}

int main(void) {
  const double t = 0.499975, t1 = 0.50025, t2 = 2.0;
  int loops = 10000;
  int n1 = 0, n2 = 12 * loops, n3 = 14 * loops, n4 = 345 * loops;
  int n6 = 210 * loops, n7 = 32 * loops, n8 = 899 * loops, n9 = 616 * loops;
  int n10 = 0, n11 = 93 * loops;
  double x1 = 1.0, x2 = -1.0, x3 = -1.0, x4 = -1.0, x, y, z;
  double check = 0;
  for (int pass = 0; pass < 4; ++pass) {
    for (int i = 0; i < n1; ++i) {
      x1 = (x1 + x2 + x3 - x4) * t;
      x2 = (x1 + x2 - x3 + x4) * t;
      x3 = (x1 - x2 + x3 + x4) * t;
      x4 = (-x1 + x2 + x3 + x4) * t;
    }
    e1[0] = 1.0;
    e1[1] = e1[2] = e1[3] = -1.0;
    for (int i = 0; i < n2; ++i) {
      e1[0] = (e1[0] + e1[1] + e1[2] - e1[3]) * t;
      e1[1] = (e1[0] + e1[1] - e1[2] + e1[3]) * t;
      e1[2] = (e1[0] - e1[1] + e1[2] + e1[3]) * t;
      e1[3] = (-e1[0] + e1[1] + e1[2] + e1[3]) * t;
    }
    for (int i = 0; i < n3; ++i)
      pa(e1, t, t2);
    int j = 1;
    for (int i = 0; i < n4; ++i) {
      j = j == 1 ? 2 : 3;
      j = j > 2 ? 0 : 1;
      j = j < 1 ? 1 : 0;
    }
    int k = 2, l = 3;
    for (int i = 0; i < n6; ++i) {
      j = j * (k - j) * (l - k);
      k = l * k - (l - j) * k;
      l = (l - k) * (k + j);
      e1[l > 0 && l < 4 ? l - 1 : 0] = j + k + l;
      e1[k > 0 && k < 4 ? k - 1 : 0] = j * k * l;
    }
    x = y = 0.5;
    for (int i = 0; i < n7; ++i) {
      x = t * atan(t2 * sin(x) * cos(x) / (cos(x + y) + cos(x - y) - 1.0));
      y = t * atan(t2 * sin(y) * cos(y) / (cos(x + y) + cos(x - y) - 1.0));
    }
    x = y = z = 1.0;
    for (int i = 0; i < n8; ++i) {
      double xa = t * (x + y), ya = t * (xa + y);
      z = (xa + ya) / t2;
    }
    j = 1, k = 2, l = 3;
    e1[0] = 1.0, e1[1] = 2.0, e1[2] = 3.0;
    for (int i = 0; i < n9; ++i) {
      e1[j - 1] = e1[k - 1];
      e1[k - 1] = e1[l - 1];
      e1[l - 1] = e1[j - 1];
    }
    for (int i = 0; i < n10; ++i)
      j += i;
    x = 0.75;
    for (int i = 0; i < n11; ++i)
      x = sqrt(exp(log(x) / t1));
    check += x + y + z + e1[0] + e1[1] + e1[2] + e1[3] + x1 + j + k + l;
  }
  printf("%.9f\n", check);
  return 0;
}

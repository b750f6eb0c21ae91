// Mandelbrot set: escape-time iteration over a grid, checksum of counts.
#include <stdio.h>

int main(void) {
  enum { W = 1200, H = 1200, MAXIT = 100 };
  unsigned long sum = 0;
  for (int y = 0; y < H; ++y) {
    double ci = 2.0 * y / H - 1.0;
    for (int x = 0; x < W; ++x) {
      double cr = 2.5 * x / W - 2.0, zr = 0, zi = 0;
      int it = 0;
      while (it < MAXIT && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        ++it;
      }
      sum = sum * 31 + it;
    }
  }
  printf("%lu\n", sum);
  return 0;
}

// Nested loops with stores in one long call: a loop that moves to compiled
// code while it runs must resume at its outer header, never at an inner
// back-edge (redoing part of an outer iteration would store twice).
#include <stdio.h>

static unsigned long Cells[64];

static void grid(int n) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i % 37; ++j)
      Cells[(i + j) % 64] = Cells[(i + j) % 64] * 31 + (unsigned long)(i ^ j);
}

int main(void) {
  for (int r = 0; r < 3; ++r)
    grid(20000 + r);
  unsigned long t = 0;
  for (int k = 0; k < 64; ++k)
    t = t * 7 + Cells[k];
  printf("%lu\n", t);
  return 0;
}

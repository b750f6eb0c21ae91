// N-queens by recursive backtracking with bit masks.
#include <stdio.h>

static long solve(int n, int row, unsigned cols, unsigned d1, unsigned d2) {
  if (row == n)
    return 1;
  long count = 0;
  unsigned free = ~(cols | d1 | d2) & ((1u << n) - 1);
  while (free) {
    unsigned bit = free & -free;
    free -= bit;
    count += solve(n, row + 1, cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
  }
  return count;
}

int main(void) {
  long total = 0;
  for (int n = 8; n <= 14; ++n)
    total += solve(n, 0, 0, 0, 0);
  printf("%ld\n", total);
  return 0;
}

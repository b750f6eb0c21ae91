// Levenshtein distance by dynamic programming over pseudo-random strings.
#include <stdio.h>
#include <stdlib.h>

static int dist(const char *a, int n, const char *b, int m, int *row) {
  for (int j = 0; j <= m; ++j)
    row[j] = j;
  for (int i = 1; i <= n; ++i) {
    int diag = row[0];
    row[0] = i;
    for (int j = 1; j <= m; ++j) {
      int up = row[j];
      int best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[m];
}

int main(void) {
  enum { LEN = 3000 };
  char *a = malloc(LEN), *b = malloc(LEN);
  int *row = malloc((LEN + 1) * sizeof *row);
  unsigned s = 7;
  long total = 0;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < LEN; ++i) {
      s = s * 1664525u + 1013904223u;
      a[i] = (char)('a' + (s >> 24) % 4);
      s = s * 1664525u + 1013904223u;
      b[i] = (char)('a' + (s >> 24) % 4);
    }
    total += dist(a, LEN, b, LEN, row);
  }
  printf("%ld\n", total);
  free(a);
  free(b);
  free(row);
  return 0;
}

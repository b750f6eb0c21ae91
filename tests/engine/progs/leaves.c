// Two trivial leaves (one block, no calls): `twice`, called 150 times from
// interpreted code only, and `cmp`, called by the C library's qsort.
#include <stdio.h>
#include <stdlib.h>

static int twice(int x) { return 2 * x; }

static int cmp(const void *a, const void *b) {
  return *(const int *)a - *(const int *)b;
}

// Seconds of sorting with `cmp` interpreted: its code comes first, even on
// a loaded machine.
enum { N = 200000 };
static int v[N];

int main(void) {
  int s = 0;
  for (int i = 0; i < 150; ++i)
    s += twice(i);
  for (int i = 0; i < N; ++i)
    v[i] = (int)((i * 7919u) % N);
  qsort(v, N, sizeof v[0], cmp);
  printf("%d %d %d\n", s, v[0], v[N - 1]);
  return 0;
}

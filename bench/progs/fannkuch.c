// Fannkuch-redux: permutations and prefix reversals.
#include <stdio.h>

int main(void) {
  enum { N = 10 };
  int perm[N], perm1[N], count[N];
  int maxFlips = 0, checksum = 0, permCount = 0, r = N;
  for (int i = 0; i < N; ++i)
    perm1[i] = i;
  for (;;) {
    for (; r != 1; --r)
      count[r - 1] = r;
    for (int i = 0; i < N; ++i)
      perm[i] = perm1[i];
    int flips = 0, k;
    while ((k = perm[0]) != 0) {
      for (int i = 0, j = k; i < j; ++i, --j) {
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      ++flips;
    }
    if (flips > maxFlips)
      maxFlips = flips;
    checksum += permCount % 2 == 0 ? flips : -flips;
    for (;;) {
      if (r == N) {
        printf("%d\nPfannkuchen(%d) = %d\n", checksum, N, maxFlips);
        return 0;
      }
      int p0 = perm1[0];
      for (int i = 0; i < r; ++i)
        perm1[i] = perm1[i + 1];
      perm1[r] = p0;
      if (--count[r] > 0)
        break;
      ++r;
    }
    ++permCount;
  }
}

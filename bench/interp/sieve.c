#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2000000;
  char *p = malloc(n + 1);
  int count = 0;
  for (int rep = 0; rep < 3; rep++) {
    memset(p, 1, n + 1);
    p[0] = p[1] = 0;
    for (long i = 2; i * i <= n; i++)
      if (p[i])
        for (long j = i * i; j <= n; j += i) p[j] = 0;
    count = 0;
    for (int i = 0; i <= n; i++) count += p[i];
  }
  printf("%d primes\n", count);
  free(p);
  return 0;
}

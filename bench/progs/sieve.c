// Sieve of Eratosthenes, repeated.
#include <stdio.h>
#include <string.h>

enum { LIMIT = 4000000 };
static char composite[LIMIT + 1];

static int sieve(void) {
  memset(composite, 0, sizeof composite);
  int count = 0;
  for (int i = 2; i <= LIMIT; ++i) {
    if (composite[i])
      continue;
    ++count;
    for (long j = (long)i * i; j <= LIMIT; j += i)
      composite[j] = 1;
  }
  return count;
}

int main(void) {
  int c = 0;
  for (int r = 0; r < 25; ++r)
    c += sieve();
  printf("%d\n", c);
  return 0;
}

// A bit sieve whose hot loops sit in main, under an outer loop that runs a
// few times: the shape on-stack replacement must reach at the inner loop.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { LIMIT = 1 << 25 };
static uint32_t bits[LIMIT / 32 + 1];

int main(void) {
  long total = 0;
  for (int rep = 0; rep < 3; ++rep) {
    memset(bits, 0, sizeof bits);
    for (uint32_t i = 2; (uint64_t)i * i <= LIMIT; ++i)
      if (!(bits[i >> 5] >> (i & 31) & 1))
        for (uint32_t j = i * i; j <= LIMIT; j += i)
          bits[j >> 5] |= 1u << (j & 31);
    int count = 0;
    for (uint32_t i = 2; i <= LIMIT; ++i)
      count += !(bits[i >> 5] >> (i & 31) & 1);
    total += count;
  }
  printf("%ld\n", total);
  return 0;
}

// One function called 150,000 times: climbs every tier.
#include <stdio.h>

static unsigned step(unsigned x) { return x * 1664525u + 1013904223u; }

int main(void) {
  unsigned x = 1;
  for (int i = 0; i < 150000; ++i)
    x = step(x);
  printf("x = %u\n", x);
  return 0;
}

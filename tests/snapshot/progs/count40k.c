// One function called 40,000 times per run: with --state its calls add up
// across boots (O2 in boot 1, O3 at call 100,000 in boot 3).
#include <stdio.h>

static unsigned work(unsigned x) { return x * 2654435761u + 12345u; }

int main(void) {
  unsigned x = 7;
  for (int i = 0; i < 40000; ++i)
    x = work(x);
  printf("x = %u\n", x);
  return 0;
}

// App for qemu_gts_engine, shipped as LLVM IR: one function called
// 150,000 times, so the engine moves it up its JIT tiers on bare metal.
#include <stdio.h>

__attribute__((noinline)) unsigned step(unsigned x) {
  return x * 1664525u + 1013904223u;
}

int main(void) {
  unsigned x = 1;
  for (int i = 0; i < 150000; ++i)
    x = step(x);
  printf("x = %u\n", x);
  return 0;
}

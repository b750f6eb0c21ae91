// longjmp out of interpreted frames into a compiled setjmp, 100,000 times:
// each jump abandons interpreted frames of 64 KiB, so an interpreter stack
// that is not reclaimed (256 MiB) overflows after about 4,000 jumps.
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static jmp_buf Env;

static int deep(int N, int Depth) {
  volatile char Pad[65536];
  memset((char *)Pad, N & 0xff, 16);
  if (Depth > 0)
    return deep(N, Depth - 1) + Pad[3];
  longjmp(Env, N + 1);
}

int main(void) {
  long Sum = 0;
  for (int I = 0; I < 100000; ++I) {
    int R = setjmp(Env);
    if (R == 0)
      deep(I, I % 3);
    Sum += R;
  }
  printf("sum %ld\n", Sum);
  return 0;
}

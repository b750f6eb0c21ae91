// Spins in one named function for 1.6 s of wall time, for the kernel's
// sampling profiler (qemu_profile): most samples must land in
// spin_for_profile. Long enough that the program's two system calls
// (printf's fstat and write) stay a minority of the samples where kernel
// code runs emulated and slow (kvm-pvm under load: about 0.9 s each).
#include <stdio.h>
#include <time.h>

static double nowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

__attribute__((noinline)) unsigned long spin_for_profile(double ms) {
  volatile unsigned long x = 0;
  double end = nowMs() + ms;
  while (nowMs() < end)
    for (int i = 0; i < 10000000; ++i)
      x = x * 6364136223846793005ul + 1442695040888963407ul;
  return x;
}

int main(void) {
  printf("spin: %lx\n", spin_for_profile(1600));
  return 0;
}

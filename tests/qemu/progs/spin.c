// Spins in one named function for the kernel's sampling profiler
// (qemu_profile): most samples must land in spin_for_profile. The spin
// lasts three times as long as everything before it (the boot, the C
// library's start-up, the first output's system calls: CLOCK_MONOTONIC
// counts from the boot in our kernel), at least 1.6 s: under a loaded
// kvm-pvm host the start-up's cpuid and brk took seconds, and each system
// call about 0.9 s, and a fixed 1.6 s spin was outweighed.
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
  printf("spin: start\n");
  fflush(stdout);
  double before = nowMs();
  double ms = 3 * before > 1600 ? 3 * before : 1600;
  printf("spin: %lx\n", spin_for_profile(ms));
  return 0;
}

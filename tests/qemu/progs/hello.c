// Test 1: a static glibc program prints (stdio, argv, envp), exercises the
// clock, sleep, randomness, uname, readlink, pointer checks and an unknown
// syscall, and exits with the status given as its first argument.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static long msSince(const struct timespec *a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

int main(int argc, char **argv) {
  printf("hello from gts user space: argc=%d argv[0]=%s\n", argc, argv[0]);
  for (int i = 1; i < argc; ++i)
    printf("arg[%d]=%s\n", i, argv[i]);
  const char *env = getenv("GTS_GREETING");
  printf("env GTS_GREETING=%s\n", env ? env : "(unset)");

  char *heap = malloc(1 << 20); // brk or mmap
  memset(heap, 'x', 1 << 20);
  printf("malloc 1 MiB: %s\n", heap[12345] == 'x' ? "ok" : "bad");
  // Touch 2 MiB through a volatile pointer (the compiler may drop the
  // memset above): the peak resident size must count them.
  volatile char *big = malloc(2 << 20);
  for (int i = 0; i < (2 << 20); i += 4096)
    big[i] = 1;
  struct rusage ru;
  int ru_ok = getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss >= 2048;
  free((void *)big);
  int ru_bad = getrusage(42, &ru) == -1 && errno == EINVAL;
  printf("getrusage peak >= 2 MiB: %s, bad who: %s\n", ru_ok ? "yes" : "no",
         ru_bad ? "EINVAL" : "accepted");
  free(heap);

  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  usleep(30000);
  long slept = msSince(&t0);
  printf("sleep 30 ms: %s\n", slept >= 30 && slept < 1000 ? "ok" : "bad");
  struct timeval tv;
  gettimeofday(&tv, NULL);
  printf("wall clock after 2020: %s\n", tv.tv_sec > 1577836800 ? "yes" : "no");

  unsigned char rnd[32] = {0};
  int nonzero = 0;
  if (getrandom(rnd, sizeof rnd, 0) == sizeof rnd)
    for (size_t i = 0; i < sizeof rnd; ++i)
      nonzero += rnd[i] != 0;
  printf("getrandom: %s\n", nonzero > 16 ? "ok" : "bad");

  struct utsname u;
  uname(&u);
  printf("uname: %s %s\n", u.sysname, u.machine);
  char exe[64] = {0};
  readlink("/proc/self/exe", exe, sizeof exe - 1);
  printf("exe: %s\n", exe);

  // Bad pointers come back as EFAULT, never as a kernel fault.
  long r = syscall(SYS_write, 1, (void *)0x10, 5);
  printf("write(NULL+16): %s\n", r == -1 && errno == EFAULT ? "EFAULT" : "?");
  r = syscall(SYS_write, 1, (void *)0xffffffff80100000ull, 5);
  printf("write(kernel address): %s\n",
         r == -1 && errno == EFAULT ? "EFAULT" : "?");
  r = syscall(444);
  printf("syscall 444: %s\n", r == -1 && errno == ENOSYS ? "ENOSYS" : "?");
  return argc > 1 ? atoi(argv[1]) : 0;
}

// Test 4: a program that reads kernel memory is killed with a fault report
// and status 126; the file it wrote before stays intact on disk.
#include <stdio.h>

int main(void) {
  FILE *f = fopen("/before.txt", "w");
  if (!f || fputs("written before the fault\n", f) < 0 || fclose(f) != 0) {
    printf("kfault: FAILED to write /before.txt\n");
    return 1;
  }
  printf("kfault: reading kernel address 0xffffffff80100000\n");
  fflush(stdout);
  volatile long *kernel = (volatile long *)0xffffffff80100000ull;
  long v = *kernel;
  printf("kfault: FAILED: read %lx from kernel memory\n", v);
  return 1;
}

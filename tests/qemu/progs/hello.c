// Test 1: a static glibc program prints (stdio and argv/envp) and exits
// with the status given as its first argument.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  printf("hello from gts user space: argc=%d argv[0]=%s\n", argc, argv[0]);
  for (int i = 1; i < argc; ++i)
    printf("arg[%d]=%s\n", i, argv[i]);
  const char *env = getenv("GTS_GREETING");
  printf("env GTS_GREETING=%s\n", env ? env : "(unset)");
  char *heap = malloc(1 << 20); // brk or mmap
  memset(heap, 'x', 1 << 20);
  printf("malloc 1 MiB: %s\n", heap[12345] == 'x' ? "ok" : "bad");
  free(heap);
  return argc > 1 ? atoi(argv[1]) : 0;
}

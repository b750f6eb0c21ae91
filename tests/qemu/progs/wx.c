// Test 3: W^X. Maps RW memory, writes machine code, flips it to R+X with
// mprotect and calls it; mapping or protecting W+X at once is refused.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(void) {
  // mov eax, 42 ; ret
  static const unsigned char code[] = {0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3};
  void *wx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (wx != MAP_FAILED) {
    printf("wx: FAILED: W+X mapping was granted\n");
    return 1;
  }
  printf("wx: W+X mmap refused (errno %d%s)\n", errno,
         errno == EACCES ? ", EACCES" : "");

  unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    printf("wx: FAILED: RW mmap\n");
    return 1;
  }
  memcpy(p, code, sizeof code);
  if (mprotect(p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) == 0) {
    printf("wx: FAILED: mprotect to W+X was granted\n");
    return 1;
  }
  printf("wx: W+X mprotect refused (errno %d)\n", errno);
  if (mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0) {
    printf("wx: FAILED: mprotect to R+X (errno %d)\n", errno);
    return 1;
  }
  int r = ((int (*)(void))p)();
  printf("wx: generated code returned %d\n", r);
  return r == 42 ? 0 : 1;
}

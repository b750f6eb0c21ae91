// Test 3: W^X. Maps RW memory, writes machine code, flips it to R+X with
// mprotect and calls it; mapping or protecting W+X at once is refused.
// Then the other W^X-friendly JIT scheme: one memfd mapped twice, RW and
// RX (what libffi closures use).
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int dualMapping(void) {
  // mov eax, 43 ; ret
  static const unsigned char code[] = {0xB8, 0x2B, 0x00, 0x00, 0x00, 0xC3};
  int fd = memfd_create("jit", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, 8192) != 0) {
    printf("wx: FAILED: memfd (errno %d)\n", errno);
    return 1;
  }
  unsigned char *rw =
      mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  unsigned char *rx =
      mmap(NULL, 8192, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  if (rw == MAP_FAILED || rx == MAP_FAILED) {
    printf("wx: FAILED: memfd mmap (errno %d)\n", errno);
    return 1;
  }
  memcpy(rw + 4096, code, sizeof code);
  int r = ((int (*)(void))(rx + 4096))();
  void *wx = mmap(NULL, 4096, PROT_WRITE | PROT_EXEC, MAP_SHARED, fd, 0);
  printf("wx: memfd RX view returned %d, W+X view %s\n", r,
         wx == MAP_FAILED ? "refused" : "granted");
  munmap(rw, 8192);
  munmap(rx, 8192);
  close(fd);
  return r == 43 && wx == MAP_FAILED ? 0 : 1;
}

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
  if (r != 42)
    return 1;
  return dualMapping();
}

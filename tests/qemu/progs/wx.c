// Test 3: W^X. Maps RW memory, writes machine code, flips it to R+X with
// mprotect and calls it; mapping or protecting W+X at once is refused.
// A memfd may not be mapped RW and RX at once (a W+X alias).
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

// A memfd's shared views are never executable: a second, writable view (or
// write(2)) would change the code, a W+X alias of the same frames. A
// private executable copy is fine.
static int memfdViews(void) {
  // mov eax, 43 ; ret
  static const unsigned char code[] = {0xB8, 0x2B, 0x00, 0x00, 0x00, 0xC3};
  int fd = memfd_create("jit", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, 8192) != 0) {
    printf("wx: FAILED: memfd (errno %d)\n", errno);
    return 1;
  }
  unsigned char *rw =
      mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (rw == MAP_FAILED) {
    printf("wx: FAILED: memfd RW mmap (errno %d)\n", errno);
    return 1;
  }
  memcpy(rw + 4096, code, sizeof code);
  void *rx = mmap(NULL, 8192, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  int rxErr = errno;
  int flip = mprotect(rw, 8192, PROT_READ | PROT_EXEC);
  int flipErr = errno;
  unsigned char *copy =
      mmap(NULL, 8192, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
  int r = copy == MAP_FAILED ? -1 : ((int (*)(void))(copy + 4096))();
  printf("wx: memfd shared RX view %s (errno %d), mprotect RW view to RX %s "
         "(errno %d), private RX copy returned %d\n",
         rx == MAP_FAILED ? "refused" : "granted", rxErr,
         flip ? "refused" : "granted", flipErr, r);
  close(fd);
  return rx == MAP_FAILED && rxErr == EACCES && flip && flipErr == EACCES &&
                 r == 43
             ? 0
             : 1;
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
  // The RX page stays mapped: the kernel's page-table audit at exit sees it.
  return memfdViews();
}

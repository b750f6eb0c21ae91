// Ring-3 containment tests (CTest labels qemu and security): each mode
// tries one way out of ring 3 and reports what it got. The kernel must
// answer with an error or kill the program with a fault report (status
// 126); it must never fault, panic or hand out privileges. "FAILED" on
// the console means an attack worked.
//
//   attack iopl       jump to the syscall entry with R11 = IOPL 3, then port
//   I/O attack popf       raise IOPL with popf, then port I/O attack nt
//   RFLAGS.NT set across a syscall, a thread switch, a tick attack lastpage
//   map/use the last user page; syscall at its edge attack tls non-canonical
//   FS/GS bases (clone TLS, arch_prctl) attack deadlock   every thread blocked
//   forever attack umip       sgdt from ring 3 attack bootfiles  change
//   /KERNEL.BIN and /CMDLINE.TXT attack hugeio     I/O with lengths of 2^40
//   over small buffers
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void say(const char *s) {
  fputs(s, stdout);
  fflush(stdout);
}

// The port the kernel powers off through (isa-debug-exit): status 42 if a
// program ever gets there.
static void portIo(void) {
  say("attack: trying out 0xF4\n");
  asm volatile("outb %%al, $0xF4" ::"a"(42));
  say("attack: FAILED: port I/O from ring 3 worked\n");
}

// The kernel's syscall entry (LSTAR), found in /KERNEL.BIN (a flat image
// loaded at 0xFFFFFFFF80100000) by its first instructions: swapgs;
// mov %rsp, %gs:8; mov %gs:0, %rsp.
static uint64_t syscallEntry(void) {
  static const unsigned char sig[] = {0x0F, 0x01, 0xF8, 0x65, 0x48, 0x89,
                                      0x24, 0x25, 0x08, 0x00, 0x00, 0x00,
                                      0x65, 0x48, 0x8B, 0x24, 0x25};
  static unsigned char image[1 << 20];
  int fd = open("/KERNEL.BIN", O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, image, sizeof image);
  for (ssize_t i = 0; i + (ssize_t)sizeof sig <= n; ++i)
    if (memcmp(image + i, sig, sizeof sig) == 0)
      return 0xFFFFFFFF80100000ull + (uint64_t)i;
  return 0;
}

static int iopl(void) {
  uint64_t entry = syscallEntry();
  if (!entry) {
    say("attack: FAILED: syscall entry not found in /KERNEL.BIN\n");
    return 1;
  }
  printf("attack: syscall entry at %016lx; jumping there with R11 = 0x3202\n",
         entry);
  fflush(stdout);
  // RCX points just after a real `syscall` instruction, as the kvm-pvm
  // workaround expects; RAX = getpid. Whatever comes back, try port I/O.
  asm volatile("leaq 1f(%%rip), %%rcx\n"
               "movq $0x3202, %%r11\n"
               "movl $39, %%eax\n"
               "jmp *%0\n"
               "syscall\n"
               "1:\n" ::"r"(entry)
               : "rax", "rcx", "r11", "memory");
  say("attack: came back from the syscall entry\n");
  portIo();
  return 1;
}

static int popfIopl(void) {
  uint64_t flags;
  asm volatile("pushfq; orq $0x3000, (%%rsp); popfq; pushfq; popq %0"
               : "=r"(flags)::"memory", "cc");
  printf("attack: RFLAGS after popf with IOPL 3: %lx (IOPL %lu)\n", flags,
         (flags >> 12) & 3);
  fflush(stdout);
  portIo();
  return 1;
}

static void *spin(void *arg) {
  volatile long *n = arg;
  for (long i = 0; i < 2000000; ++i)
    ++*n;
  return NULL;
}

static uint64_t withNt(long nr, long a0, long a1) {
  long r;
  uint64_t after;
  asm volatile("pushfq; orq $0x4000, (%%rsp); popfq\n"
               "syscall\n"
               "pushfq; popq %1\n"
               : "=a"(r), "=r"(after)
               : "a"(nr), "D"(a0), "S"(a1)
               : "rcx", "r11", "memory", "cc");
  return after;
}

// NT set in ring 3 must not reach a kernel iretq: a syscall that blocks
// switches to a thread that has never run (its first iretq), and a timer
// tick preempts a thread running with NT.
static int nt(void) {
  volatile long count = 0;
  pthread_t t;
  if (pthread_create(&t, NULL, spin, (void *)&count) != 0) {
    say("attack: FAILED: pthread_create\n");
    return 1;
  }
  struct timespec ts = {0, 20 * 1000 * 1000};
  uint64_t after = withNt(SYS_nanosleep, (long)&ts, 0);
  printf("attack: nanosleep with NT set returned, NT now %lu\n",
         (after >> 14) & 1);
  fflush(stdout);
  asm volatile("pushfq; orq $0x4000, (%%rsp); popfq" ::: "memory", "cc");
  for (volatile long i = 0; i < 50000000; ++i) // a few timer ticks
    ;
  asm volatile("pushfq; andq $~0x4000, (%%rsp); popfq" ::: "memory", "cc");
  pthread_join(t, NULL);
  printf("attack: preempted with NT set; spinner counted %ld\n", count);
  say("attack: nt contained\n");
  return 0;
}

// `syscall` in the last two bytes below the limit returns to 2^47 - 4096.
// The page below the limit holds the top of the main stack, so this runs
// on a stack of its own and calls the kernel directly: mmap that page
// (MAP_FIXED), write `0F 05` at its end, mprotect it RX, call it.
static void edge(void *stackTop) {
  asm volatile("movq %0, %%rsp\n"
               "movl $9, %%eax\n" // mmap
               "movabsq $0x7FFFFFFFE000, %%rdi\n"
               "movl $4096, %%esi\n"
               "movl $3, %%edx\n"     // PROT_READ | PROT_WRITE
               "movl $0x32, %%r10d\n" // MAP_PRIVATE | MAP_ANONYMOUS | FIXED
               "movq $-1, %%r8\n"
               "xorl %%r9d, %%r9d\n"
               "syscall\n"
               "movabsq $0x7FFFFFFFEFFE, %%rbx\n"
               "movw $0x050F, (%%rbx)\n"
               "movl $10, %%eax\n" // mprotect
               "movabsq $0x7FFFFFFFE000, %%rdi\n"
               "movl $4096, %%esi\n"
               "movl $5, %%edx\n" // PROT_READ | PROT_EXEC
               "syscall\n"
               "movl $39, %%eax\n"
               "call *%%rbx\n"
               "ud2\n" ::"r"(stackTop)
               : "memory");
}

static int lastPage(void) {
  const uintptr_t last = 0x7FFFFFFFF000ull;
  void *p = mmap((void *)last, 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  int e1 = errno;
  void *h = mmap((void *)last, 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int mp = mprotect((void *)last, 4096, PROT_READ);
  int e2 = errno;
  printf("attack: MAP_FIXED last page %s (errno %d), hint %s, mprotect %s "
         "(errno %d)\n",
         p == MAP_FAILED ? "refused" : "granted", e1,
         h == (void *)last ? "granted" : "moved", mp ? "refused" : "granted",
         e2);
  fflush(stdout);
  if (p != MAP_FAILED || h == (void *)last || !mp) {
    say("attack: FAILED: the last page was mapped\n");
    return 1;
  }
  static char stack[16384] __attribute__((aligned(16)));
  say("attack: running a syscall in the last two bytes below the limit\n");
  edge(stack + sizeof stack);
  say("attack: FAILED: returned from the edge of user space\n");
  return 1;
}

static int tls(void) {
  const uint64_t bad[] = {0x8000000000000000ull, 0xFFFFFFFF80100000ull,
                          0x0000800000000000ull, 0x00007FFFFFFFF000ull};
  static char stack[16384];
  int ok = 1;
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    long fs = syscall(SYS_arch_prctl, 0x1002, bad[i]);
    int efs = errno;
    long gs = syscall(SYS_arch_prctl, 0x1001, bad[i]);
    int egs = errno;
    long c = syscall(SYS_clone,
                     CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                         CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS,
                     stack + sizeof stack, NULL, NULL, bad[i]);
    int ec = errno;
    printf("attack: base %016lx: ARCH_SET_FS %ld/%d ARCH_SET_GS %ld/%d clone "
           "%ld/%d\n",
           bad[i], fs, efs, gs, egs, c, ec);
    ok &= fs == -1 && efs == EPERM && gs == -1 && egs == EPERM && c == -1 &&
          ec == EPERM;
  }
  fflush(stdout);
  say(ok ? "attack: tls contained (EPERM)\n" : "attack: FAILED: tls\n");
  return ok ? 0 : 1;
}

static int futexWord;

static void *waitForever(void *arg) {
  (void)arg;
  syscall(SYS_futex, &futexWord, FUTEX_WAIT_PRIVATE, 0, NULL);
  return NULL;
}

static int deadlock(void) {
  FILE *f = fopen("/before.txt", "w");
  if (!f || fputs("written before the deadlock\n", f) < 0 || fclose(f)) {
    say("attack: FAILED: cannot write /before.txt\n");
    return 1;
  }
  pthread_t t;
  pthread_create(&t, NULL, waitForever, NULL);
  say("attack: both threads now wait forever\n");
  syscall(SYS_futex, &futexWord, FUTEX_WAIT_PRIVATE, 0, NULL);
  say("attack: FAILED: woke up\n");
  return 1;
}

static int umip(void) {
  struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } gdt = {0, 0};
  say("attack: sgdt from ring 3\n");
  asm volatile("sgdt %0" : "=m"(gdt));
  printf("attack: FAILED: sgdt gave base %lx\n", gdt.base);
  return 1;
}

static int expect(const char *what, long r, int err, int want) {
  int ok = r == -1 && err == want;
  printf("attack: %s: %s (errno %d)\n", what, ok ? "refused" : "FAILED", err);
  return ok;
}

static uint32_t checksum(const char *path) {
  static unsigned char buf[65536];
  uint32_t h = 2166136261u;
  int fd = open(path, O_RDONLY);
  ssize_t n;
  while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < n; ++i)
      h = (h ^ buf[i]) * 16777619u;
  close(fd);
  return h;
}

static int bootFiles(void) {
  uint32_t k0 = checksum("/KERNEL.BIN"), c0 = checksum("/CMDLINE.TXT");
  int ok = 1, fd;
  ok &= expect("open /KERNEL.BIN O_WRONLY", fd = open("/KERNEL.BIN", O_WRONLY),
               errno, EACCES);
  ok &= expect("open /kernel.bin O_RDWR", fd = open("/kernel.bin", O_RDWR),
               errno, EACCES);
  ok &= expect("open //KERNEL.BIN O_TRUNC",
               fd = open("//KERNEL.BIN", O_RDONLY | O_TRUNC), errno, EACCES);
  ok &= expect("open /./CMDLINE.TXT O_WRONLY|O_APPEND",
               fd = open("/./CMDLINE.TXT", O_WRONLY | O_APPEND), errno, EACCES);
  ok &= expect("unlink /KERNEL.BIN", unlink("/KERNEL.BIN"), errno, EPERM);
  ok &= expect("unlink /cmdline.txt", unlink("/cmdline.txt"), errno, EPERM);
  ok &= expect("rename /KERNEL.BIN", rename("/KERNEL.BIN", "/K2.BIN"), errno,
               EPERM);
  int tmp = open("/evil.txt", O_WRONLY | O_CREAT, 0644);
  if (tmp < 0 || write(tmp, "/evil\n", 6) != 6 || close(tmp) != 0)
    ok = 0;
  ok &= expect("rename over /CMDLINE.TXT", rename("/evil.txt", "/CMDLINE.TXT"),
               errno, EPERM);
  int dir = open("/", O_RDONLY | O_DIRECTORY);
  ok &= expect("unlinkat(/, KERNEL.BIN)", unlinkat(dir, "KERNEL.BIN", 0), errno,
               EPERM);
  fd = open("/KERNEL.BIN", O_RDONLY);
  printf("attack: open /KERNEL.BIN read-only: %s\n", fd >= 0 ? "ok" : "FAILED");
  ok &= fd >= 0;
  ok &= expect("ftruncate of a read-only /KERNEL.BIN", ftruncate(fd, 0), errno,
               EINVAL);
  ok &= expect("write to a read-only /KERNEL.BIN", write(fd, "x", 1), errno,
               EBADF);
  ok &= checksum("/KERNEL.BIN") == k0 && checksum("/CMDLINE.TXT") == c0;
  say(ok ? "attack: boot files intact\n" : "attack: FAILED: boot files\n");
  return ok ? 0 : 1;
}

static long peakKiB(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

static int hugeIo(void) {
  static char small[4096];
  const size_t huge = (size_t)1 << 40;
  long before = peakKiB();
  int fd = open("/huge.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, small, sizeof small) != sizeof small) {
    say("attack: FAILED: /huge.bin\n");
    return 1;
  }
  lseek(fd, 0, SEEK_SET);
  int ok = 1;
  ssize_t r = write(1, small, huge);
  printf("\nattack: write(1, 4 KiB buffer, 2^40): %zd (errno %d)\n", r, errno);
  ok &= r == -1 ? errno == EFAULT : (size_t)r <= sizeof small;
  r = write(fd, small, huge);
  printf("attack: write(file, 4 KiB buffer, 2^40): %zd (errno %d)\n", r, errno);
  ok &= r == -1 ? errno == EFAULT : (size_t)r <= sizeof small;
  r = read(fd, small, huge);
  printf("attack: read(file, 4 KiB buffer, 2^40): %zd (errno %d)\n", r, errno);
  ok &= r == -1 ? errno == EFAULT : (size_t)r <= sizeof small;
  r = write(1, (void *)0x1000, huge);
  printf("attack: write(1, unmapped, 2^40): %zd (errno %d)\n", r, errno);
  ok &= r == -1 && errno == EFAULT;
  r = syscall(SYS_getrandom, small, huge, 0);
  printf("attack: getrandom(4 KiB buffer, 2^40): %zd (errno %d)\n", r, errno);
  ok &= r == -1 && errno == EFAULT;
  void *big = mmap(NULL, huge, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  printf("attack: mmap 2^40 bytes: %s (errno %d)\n",
         big == MAP_FAILED ? "refused" : "granted", errno);
  ok &= big == MAP_FAILED && errno == ENOMEM;
  close(fd);
  long after = peakKiB();
  printf("attack: peak resident memory %ld KiB -> %ld KiB\n", before, after);
  ok &= after - before < 4096;
  say(ok ? "attack: hugeio contained\n" : "attack: FAILED: hugeio\n");
  return ok ? 0 : 1;
}

// memfd frames go back when the file is closed and unmapped: 8 rounds of
// 16 MiB fit in the test's 64 MiB guest only if they do.
static int memfdRounds(void) {
  const size_t size = 16u << 20;
  for (int i = 0; i < 8; ++i) {
    int fd = memfd_create("round", 0);
    if (fd < 0 || ftruncate(fd, size) != 0) {
      printf("attack: FAILED: memfd round %d (errno %d)\n", i, errno);
      return 1;
    }
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      printf("attack: FAILED: memfd round %d mmap (errno %d)\n", i, errno);
      return 1;
    }
    p[size - 1] = 1;
    close(fd); // the mapping keeps the frames until munmap
    if (p[size - 1] != 1 || munmap(p, size) != 0) {
      printf("attack: FAILED: memfd round %d contents\n", i);
      return 1;
    }
  }
  say("attack: 8 memfd rounds of 16 MiB: frames reused\n");
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  static const struct {
    const char *name;
    int (*run)(void);
  } modes[] = {{"iopl", iopl},     {"popf", popfIopl},
               {"nt", nt},         {"lastpage", lastPage},
               {"tls", tls},       {"deadlock", deadlock},
               {"umip", umip},     {"bootfiles", bootFiles},
               {"hugeio", hugeIo}, {"memfd", memfdRounds}};
  for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; ++i)
    if (strcmp(mode, modes[i].name) == 0) {
      printf("attack: %s\n", mode);
      fflush(stdout);
      return modes[i].run();
    }
  printf("attack: unknown mode '%s'\n", mode);
  return 2;
}

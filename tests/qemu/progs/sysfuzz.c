// Guest syscall fuzzer: random system call numbers with arguments drawn
// from hostile pools (NULL, kernel and non-canonical pointers, the last
// user page, huge lengths, bad descriptors, odd flags, random bits). Every
// call must return; the kernel must stay up and the volume clean.
//
//   sysfuzz SEED CALLS
//
// Prints the seed first and a summary at the end (exit 0). Calls that
// would end or wreck the fuzzer itself are kept away from it: exit, kill,
// clone with CLONE_VM, blocking forever, unmapping or protecting its own
// memory, closing its console, changing its FS base. Those paths have
// their own tests (attack.c).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t rng;

static uint64_t next(void) { // xorshift64*
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545F4914F6CDD1Dull;
}

static uint64_t pick(const uint64_t *pool, unsigned n) {
  return pool[next() % n];
}
#define PICK(pool) pick(pool, sizeof pool / sizeof pool[0])

static long raw(long nr, const uint64_t a[6]) {
  long r;
  register uint64_t r10 asm("r10") = a[3];
  register uint64_t r8 asm("r8") = a[4];
  register uint64_t r9 asm("r9") = a[5];
  asm volatile("syscall"
               : "=a"(r)
               : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8),
                 "r"(r9)
               : "rcx", "r11", "memory");
  return r;
}

// Where pointers may point: a scratch buffer, a scratch arena for memory
// calls, and places that must give EFAULT.
static unsigned char scratch[65536] __attribute__((aligned(4096)));
#define ARENA 0x500000000000ull
#define ARENA_BYTES (64ull << 20)
static const uint64_t badPointers[] = {
    0,
    16,
    4096,
    0xFFFFFFFF80100000ull, // kernel text
    0xFFFF800000000000ull, // direct map
    0xFFFFFE0000000000ull, // kernel stacks
    0x8000000000000000ull, // non-canonical
    0x0000800000000000ull, // first non-canonical above user space
    0x00007FFFFFFFF000ull, // the last page (never user memory)
    0x00007FFFFFFFFFF8ull,
    0x00007FFFFFFFEFF8ull,
    ~0ull,
};
// The numbers linux/*.cpp registers (kernel/linux, `add(N, ...)`).
static const uint64_t implemented[] = {
    0,   1,   2,   3,   4,   5,   6,   8,   9,   10,  11,  12,  13,
    14,  16,  17,  18,  19,  20,  21,  24,  28,  32,  33,  35,  39,
    56,  62,  63,  72,  74,  75,  77,  79,  82,  83,  84,  87,  89,
    96,  97,  98,  102, 104, 107, 108, 110, 131, 137, 138, 158, 186,
    200, 201, 202, 204, 217, 218, 228, 229, 230, 234, 257, 258, 262,
    263, 264, 267, 269, 273, 302, 316, 318, 319, 334, 435, 439,
};
static const uint64_t badBases[] = {
    0x00007FFFFFFFF000ull, 0x0000800000000000ull, 0x8000000000000000ull,
    0xFFFF800000000000ull, 0xFFFFFFFF80100000ull, ~0ull,
};
static const char *const paths[] = {
    "/fuzz/a",
    "/fuzz/b",
    "/fuzz/dir",
    "/fuzz",
    "/fuzz/dir/c",
    "/KERNEL.BIN",
    "/CMDLINE.TXT",
    "/kernel.bin",
    "/",
    "",
    "/../..",
    "/fuzz/../fuzz/./a",
    "/nonexistent/x",
    "/fuzz/a/",
    "//",
    "/fuzz/long-long-long-long-long-long-long-long-long-long-long-name.txt",
};
static const uint64_t lengths[] = {
    0,
    1,
    2,
    7,
    8,
    16,
    64,
    512,
    4095,
    4096,
    4097,
    65536,
    1ull << 20,
    1ull << 31,
    1ull << 32,
    1ull << 40,
    1ull << 62,
    ~0ull,
    0x7FFFFFFFFFFFFFFFull,
};
static const uint64_t numbers[] = {
    0,
    1,
    2,
    3,
    4,
    8,
    0x10,
    0x20,
    0x40,
    0x80,
    0x100,
    0x1000,
    0x1002,
    0x1003,
    0x7FFFFFFF,
    0x80000000ull,
    0xFFFFFFFFull,
    ~0ull,
    (uint64_t)-100,
    (uint64_t)-1,
    0x800,
    0x80000,
    0x200000,
    01101,
    0101,
    02,
    0100000,
};

static int console = 1; // a dup of stdout the fuzzer keeps for itself
static int scratchFd = -1;

static uint64_t pointer(void) {
  switch (next() % 4) {
  case 0:
    return PICK(badPointers);
  case 1:
    return (uint64_t)(scratch + next() % sizeof scratch);
  case 2:
    return (uint64_t)paths[next() % (sizeof paths / sizeof paths[0])];
  default:
    return (uint64_t)scratch;
  }
}

static uint64_t anyArgument(void) {
  switch (next() % 6) {
  case 0:
    return pointer();
  case 1:
    return PICK(lengths);
  case 2:
    return PICK(numbers);
  case 3:
    return next() % 300; // descriptors, small counts
  case 4:
    return next() >> (next() % 64);
  default:
    return next();
  }
}

// The fuzzer's own image, TLS and brk heap live here: random values that
// land in it become pool values instead (the kernel would rightly let a
// call write there, and the fuzzer would wreck itself).
static uint64_t argument(void) {
  uint64_t v = anyArgument();
  return v >= 0x400000 && v < 0x40000000 ? pointer() : v;
}

// Sizes that a memfd or a file could really grow to: at most 16 MiB,
// unless hopelessly large (EFBIG, ENOSPC, EINVAL).
static uint64_t boundedSize(uint64_t v) {
  return v > (16u << 20) && v <= (1ull << 30) ? v % (16u << 20) : v;
}

// Memory calls act on the arena or on addresses outside user space; a
// length that stays in user space stays within the arena's reach (the
// kernel would rightly unmap the fuzzer's own image or stack).
static uint64_t arenaAddress(void) {
  return next() % 3 ? ARENA + (next() % (ARENA_BYTES / 4096)) * 4096
                    : PICK(badBases);
}

static uint64_t arenaLength(uint64_t v) {
  return v < (1ull << 47) ? v % (ARENA_BYTES + 8192) : v;
}

// Keeps a call from ending or blocking the fuzzer; false to skip it.
static int tame(long nr, uint64_t a[6]) {
  static const struct timespec zero = {0, 0}, shortNap = {0, 100000};
  switch (nr) {
  case SYS_exit:
  case SYS_exit_group:
  case SYS_rt_sigreturn:
  case SYS_vfork:
  case SYS_pause:
    return 0;
  case SYS_kill:
  case SYS_tkill:
  case SYS_tgkill:
    a[nr == SYS_tgkill ? 2 : 1] = next() % 2 ? 0 : 65 + next() % 100;
    return 1;
  case SYS_clone:
    a[0] &= ~(uint64_t)0x100; // no CLONE_VM: refused, never a thread
    return 1;
  case SYS_arch_prctl:
    if (a[0] == 0x1002 || a[0] == 0x1001) // SET_FS / SET_GS: bad bases only
      a[1] = PICK(badBases);
    if (a[0] == 0x1003 || a[0] == 0x1004) // GET: no TLS address in scratch
      a[1] = PICK(badPointers);
    return 1;
  case SYS_ftruncate:
    a[1] = boundedSize(a[1]);
    return 1;
  case SYS_pread64:
  case SYS_pwrite64:
    a[3] = boundedSize(a[3]);
    break;
  case SYS_mmap:
  case SYS_munmap:
  case SYS_mprotect:
  case SYS_madvise:
  case SYS_mremap:
  case SYS_msync:
  case SYS_mlock:
  case SYS_munlock:
  case SYS_mincore:
    a[0] = arenaAddress();
    a[1] = arenaLength(a[1]);
    if (nr == SYS_mremap)
      a[4] = arenaAddress();
    return 1;
  case SYS_brk:
    a[0] = next() % 2 ? 0 : PICK(badPointers);
    return 1;
  case SYS_nanosleep:
    a[0] = next() % 2 ? (uint64_t)&shortNap : PICK(badPointers);
    return 1;
  case SYS_clock_nanosleep:
    a[1] = 0; // relative
    a[2] = next() % 2 ? (uint64_t)&shortNap : PICK(badPointers);
    return 1;
  case SYS_futex: // waits time out at once (or fault)
    a[3] = next() % 2 ? (uint64_t)&zero : PICK(badPointers);
    if ((a[1] & 0x7F) == 0 || (a[1] & 0x7F) == 9)
      a[1] &= ~(uint64_t)256; // relative clock for the zero timeout
    return 1;
  case SYS_close:
  case SYS_dup2:
  case SYS_dup3:
    if (a[nr == SYS_close ? 0 : 1] <= 2 ||
        a[nr == SYS_close ? 0 : 1] == (uint64_t)console ||
        a[nr == SYS_close ? 0 : 1] == (uint64_t)scratchFd)
      return 0;
    return 1;
  default:
    break;
  }
  bool writes = nr == SYS_write || nr == SYS_writev || nr == SYS_pwrite64 ||
                nr == SYS_pwritev || nr == SYS_pwritev2;
  if (writes && (a[0] == 1 || a[0] == 2 || a[0] == (uint64_t)console))
    a[0] = (uint64_t)scratchFd; // keep the console readable
  return 1;
}

static void say(const char *s) { write(console, s, strlen(s)); }

int main(int argc, char **argv) {
  uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
  long calls = argc > 2 ? strtol(argv[2], NULL, 0) : 1000;
  rng = seed ? seed : 1;
  char line[256];
  console = dup(1);
  mkdir("/fuzz", 0755);
  mkdir("/fuzz/dir", 0755);
  scratchFd = open("/fuzz/scratch", O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (console < 0 || scratchFd < 0 ||
      mmap((void *)ARENA, ARENA_BYTES, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
    say("sysfuzz: FAILED to set up\n");
    return 1;
  }
  snprintf(line, sizeof line, "sysfuzz: seed %lu, %ld calls\n",
           (unsigned long)seed, calls);
  say(line);
  long errors = 0, successes = 0, skipped = 0;
  for (long i = 0; i < calls;) {
    // Half the calls go to what the kernel implements, the rest anywhere.
    long nr = next() % 2 ? (long)PICK(implemented)
                         : (long)(next() % 8 ? next() % 335 : next() % 600);
    uint64_t a[6];
    for (int k = 0; k < 6; ++k)
      a[k] = argument();
    if (!tame(nr, a)) {
      ++skipped;
      continue;
    }
    long r = raw(nr, a);
    ++i;
    if (r < 0 && r > -4096)
      ++errors;
    else
      ++successes;
    // New mappings outside the arena go again (memory stays available).
    if (nr == SYS_mmap && r > 0 &&
        ((uint64_t)r < ARENA || (uint64_t)r >= ARENA + ARENA_BYTES))
      munmap((void *)r, a[1]);
    if (i % 10000 == 0) {
      snprintf(line, sizeof line, "sysfuzz: %ld calls made\n", i);
      say(line);
    }
    if ((i & 255) == 0) // keep descriptors available
      for (int fd = 3; fd < 256; ++fd)
        if (fd != console && fd != scratchFd)
          close(fd);
  }
  snprintf(line, sizeof line,
           "sysfuzz: done: seed %lu, %ld calls returned (%ld errors, %ld "
           "successes), %ld drawn and skipped\n",
           (unsigned long)seed, errors + successes, errors, successes, skipped);
  say(line);
  return 0;
}

// Randomness and the remaining odds and ends.
#include "arch/x86.h"
#include "linux/syscall.h"
#include "linux/user_access.h"

namespace gts::sys {
namespace {

bool hasRdrand() { return arch::cpuid(1).ecx & (1u << 30); }

uint64_t random64() {
  if (hasRdrand()) {
    for (int i = 0; i < 10; ++i) {
      uint64_t v;
      unsigned char ok;
      asm volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
      if (ok)
        return v;
    }
  }
  // No RDRAND (or it keeps failing): a TSC-seeded splitmix64. Not
  // cryptographic; documented in docs/KERNEL.md.
  static uint64_t state;
  state += 0x9E3779B97F4A7C15ull ^ arch::rdtsc();
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int64_t sysGetrandom(const uint64_t *a) {
  uint64_t buf = a[0], len = a[1];
  if (a[2] & ~7ull)
    return err::Inval;
  if (len > (32u << 20))
    len = 32u << 20;
  if (!mm::userPopulate(buf, len, true))
    return err::Fault;
  arch::UserAccess access;
  for (uint64_t i = 0; i < len; i += 8) {
    uint64_t v = random64();
    lib::memCopy(reinterpret_cast<void *>(buf + i), &v,
                 len - i < 8 ? len - i : 8);
  }
  return int64_t(len);
}

int64_t sysRseq(const uint64_t *) { return err::NoSys; }

} // namespace

void fillRandom(uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = random64();
    lib::memCopy(out + i, &v, n - i < 8 ? n - i : 8);
  }
}

void registerMisc() {
  add(318, sysGetrandom);
  add(334, sysRseq);
}

} // namespace gts::sys

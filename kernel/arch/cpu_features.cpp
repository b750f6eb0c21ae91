#include "arch/cpu_features.h"
#include "arch/x86.h"
#include "drivers/console.h"

namespace gts::arch {

void enableSimd() {
  // CR0: no x87 emulation (EM), monitor coprocessor (MP), native errors (NE).
  writeCr0((readCr0() & ~uint64_t(1u << 2)) | (1u << 1) | (1u << 5));
  uint64_t cr4 = readCr4() | (1u << 9) | (1u << 10); // OSFXSR, OSXMMEXCPT
  CpuidResult id = cpuid(1);
  bool xsave = id.ecx & (1u << 26), avx = id.ecx & (1u << 28);
  if (xsave)
    cr4 |= 1u << 18; // OSXSAVE
  writeCr4(cr4);
  asm volatile("fninit");
  if (xsave) {
    uint64_t xcr0 = 3 | (avx ? 4 : 0); // x87 | SSE | AVX
    asm volatile("xsetbv" ::"c"(0), "a"(uint32_t(xcr0)), "d"(0));
  }
  kprintf("cpu: SSE on, XSAVE %s, AVX %s\n", xsave ? "on" : "absent",
          avx && xsave ? "on" : "absent");
}

uint64_t hwcap() { return cpuid(1).edx; }

} // namespace gts::arch

#include "arch/cpu_features.h"
#include "arch/x86.h"
#include "drivers/console.h"

namespace gts::arch {

static uint64_t xcr0Value;
static bool emulated;

// Whether this kernel's own code runs under instruction emulation (the
// kvm-pvm hypervisor does that): 1000 loop iterations take about 1k cycles
// natively, some 10k under TCG, millions when emulated. Best of three.
static bool kernelCodeEmulated() {
  uint64_t best = ~0ull;
  for (int trial = 0; trial < 3; ++trial) {
    uint64_t t0 = rdtsc();
    for (int i = 0; i < 1000; ++i)
      asm volatile("" ::: "memory");
    uint64_t t = rdtsc() - t0;
    if (t < best)
      best = t;
  }
  return best > 200000;
}

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
  emulated = kernelCodeEmulated();
  // Thread switches save user SIMD state with xsave when AVX is on, but an
  // emulating hypervisor cannot run xsave (kvm-pvm stops the VM): there,
  // AVX stays off and fxsave covers x87 and SSE.
  if (avx && xsave && emulated) {
    kprintf("cpu: kernel code is emulated (kvm-pvm): AVX left off\n");
    avx = false;
  }
  if (xsave) {
    xcr0Value = 3 | (avx ? 4 : 0); // x87 | SSE | AVX
    asm volatile("xsetbv" ::"c"(0), "a"(uint32_t(xcr0Value)), "d"(0));
  }
  kprintf("cpu: SSE on, XSAVE %s, AVX %s\n", xsave ? "on" : "absent",
          avx && xsave ? "on" : "off");
}

uint64_t xcr0() { return xcr0Value; }

bool kernelEmulated() { return emulated; }

uint64_t hwcap() { return cpuid(1).edx; }

} // namespace gts::arch

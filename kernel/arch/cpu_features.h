// SSE and AVX for user programs: the kernel itself is built without SIMD
// (-mgeneral-regs-only), so with one process nothing needs saving.
#pragma once
#include <stdint.h>

namespace gts::arch {

void enableSimd();
// CPUID.1:EDX, the value Linux reports as AT_HWCAP on x86-64.
uint64_t hwcap();

} // namespace gts::arch

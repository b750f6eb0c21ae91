// SSE and AVX for user programs. The kernel itself is built without SIMD
// (-mgeneral-regs-only): user SIMD state is only saved when threads switch
// (sched/scheduler.cpp).
#pragma once
#include <stdint.h>

namespace gts::arch {

void enableSimd();
// The XCR0 value enableSimd set (0 without XSAVE). Kept here because
// xgetbv hangs under kvm-pvm.
uint64_t xcr0();
// Whether this kernel's code runs under instruction emulation (the kvm-pvm
// hypervisor; measured by enableSimd).
bool kernelEmulated();
// CPUID.1:EDX, the value Linux reports as AT_HWCAP on x86-64.
uint64_t hwcap();

} // namespace gts::arch

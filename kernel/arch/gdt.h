// GDT and TSS. Selector layout is fixed by syscall/sysret (STAR).
#pragma once
#include <stdint.h>

namespace gts::arch {

inline constexpr uint16_t KernelCode = 0x08;
inline constexpr uint16_t KernelData = 0x10;
// sysret loads CS = base + 16 and SS = base + 8 with base = 0x18.
inline constexpr uint16_t UserData = 0x20 | 3;
inline constexpr uint16_t UserCode = 0x28 | 3;
inline constexpr uint16_t TssSelector = 0x30;

void gdtInit();
// Stack the CPU switches to when an interrupt arrives in ring 3.
void setKernelStack(uint64_t rsp0);

} // namespace gts::arch

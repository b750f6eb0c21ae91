// Ends the machine. Under QEMU the isa-debug-exit device (port 0xF4) turns
// status s into the QEMU exit code (s << 1) | 1; scripts/qemu-run.sh maps it
// back, so statuses 0..127 reach the host unchanged (docs/KERNEL.md).
#pragma once
#include <stdint.h>

namespace gts::drivers {

// Statuses the kernel itself reports (programs own 0..122).
// A trial of /CMDLINE.NEW failed before main; the next boot falls back
// (init/boot_ab.h).
inline constexpr int StatusTrialFailed = 123;
inline constexpr int StatusBootFailure = 125; // also stage 2's failures
inline constexpr int StatusUserFault = 126;   // program killed by a fault
inline constexpr int StatusKernelPanic = 127; // kernel exception or panic

[[noreturn]] void powerOff(int status);

} // namespace gts::drivers

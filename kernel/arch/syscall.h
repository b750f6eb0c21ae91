// syscall/sysret setup and the jump to ring 3.
#pragma once
#include <stdint.h>

namespace gts::arch {

// Programs STAR/LSTAR/SFMASK and the per-CPU block swapgs finds; the
// kernel stack serves syscalls and interrupts from ring 3 alike.
void syscallInit(uint64_t kernelStackTop);
// The stack that syscalls and ring-3 interrupts of the running thread use.
void setThreadKernelStack(uint64_t top);

struct TrapFrame;
// Some hypervisors (the kvm-pvm module in our CI machines) execute a ring-3
// `syscall` without switching to ring 0: the fetch at LSTAR then faults in
// user mode. Recognises exactly that fault (only where kernel code is
// emulated) and completes the system call; true if it did. Documented in
// docs/KERNEL.md.
bool syscallViaFault(TrapFrame *f);
[[noreturn]] void enterUser(uint64_t rip, uint64_t rsp);

} // namespace gts::arch

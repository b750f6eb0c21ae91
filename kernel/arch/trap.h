// Interrupts and exceptions: IDT setup, the saved register frame, and the
// fault report (register dump + frame-pointer backtrace, then power off).
#pragma once
#include <stdint.h>

namespace gts::arch {

// Layout pushed by arch/isr.S (lowest address first).
struct TrapFrame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
  uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error;
  uint64_t rip, cs, rflags, rsp, ss; // pushed by the CPU
};

void idtInit();
using IrqHandler = void (*)(TrapFrame *);
// Legacy PIC line 0..15 (vector 32 + line).
void setIrqHandler(unsigned line, IrqHandler h);
// Page faults in user space go here first; true if resolved (demand paging).
using PageFaultHook = bool (*)(uint64_t addr, uint64_t error);
void setPageFaultHook(PageFaultHook h);
// Called for a fault in ring 3 after the report; must not return.
using UserFaultHook = void (*)(TrapFrame *);
void setUserFaultHook(UserFaultHook h);

// Called after a timer interrupt that arrived in ring 3 (preemption).
using PreemptHook = void (*)();
void setPreemptHook(PreemptHook h);

// Called at every timer tick with the interrupted frame (the sampler).
using TickHook = void (*)(const TrapFrame *);
void setTickHook(TickHook h);

// Kernel backtrace from a frame pointer.
void printBacktrace(uint64_t rbp);
[[noreturn]] void panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

} // namespace gts::arch

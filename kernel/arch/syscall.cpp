#include "arch/syscall.h"
#include "arch/gdt.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "linux/syscall.h"

extern "C" void syscallEntry();
extern "C" void syscallDispatch(gts::sys::SyscallFrame *f);
extern "C" [[noreturn]] void enterUser(uint64_t rip, uint64_t rsp);

namespace gts::arch {
namespace {

struct PerCpu {
  uint64_t kernelStack; // +0
  uint64_t userRsp;     // +8
};
PerCpu perCpu;

} // namespace

void syscallInit(uint64_t kernelStackTop) {
  perCpu.kernelStack = kernelStackTop;
  setKernelStack(kernelStackTop);
  wrmsr(msr::Efer, rdmsr(msr::Efer) | 1); // SCE
  // sysret: CS = 0x18 + 16, SS = 0x18 + 8; syscall: CS = 0x08, SS = 0x10.
  wrmsr(msr::Star, (uint64_t(0x18) << 48) | (uint64_t(KernelCode) << 32));
  wrmsr(msr::Lstar, uint64_t(&syscallEntry));
  wrmsr(msr::Sfmask, 0x40700); // AC, DF, IF, TF
  // In the kernel GS base is the per-CPU block and KERNEL_GS_BASE the
  // user's; enterUser and every syscall swap them.
  wrmsr(msr::GsBase, uint64_t(&perCpu));
  wrmsr(msr::KernelGsBase, 0);
}

void setThreadKernelStack(uint64_t top) {
  perCpu.kernelStack = top;
  setKernelStack(top);
}

bool syscallViaFault(TrapFrame *f) {
  if (f->vector != 14 || !(f->cs & 3) || f->rip != uint64_t(&syscallEntry))
    return false;
  // The CPU (or hypervisor) did the syscall's register work (RCX, R11,
  // RFLAGS mask, RIP = LSTAR) but left CPL at 3, so fetching the entry
  // faulted. Run the call from here and return with iretq.
  sys::SyscallFrame s{f->r15, f->r14, f->r13, f->r12, f->rbp, f->rbx,
                      f->r9,  f->r8,  f->r10, f->rdx, f->rsi, f->rdi,
                      f->rax, f->rcx, f->r11, f->rsp};
  asm volatile("swapgs"); // same GS state as the real entry path
  syscallDispatch(&s);
  asm volatile("swapgs");
  f->r15 = s.r15, f->r14 = s.r14, f->r13 = s.r13, f->r12 = s.r12;
  f->rbp = s.rbp, f->rbx = s.rbx, f->r9 = s.r9, f->r8 = s.r8;
  f->r10 = s.r10, f->rdx = s.rdx, f->rsi = s.rsi, f->rdi = s.rdi;
  f->rax = s.rax;
  f->rip = s.rip;
  // sysret semantics: RFLAGS from R11, minus what user space may not set.
  f->rflags = (s.rflags & 0x3C7FD7) | 0x202;
  return true;
}

void enterUser(uint64_t rip, uint64_t rsp) { ::enterUser(rip, rsp); }

} // namespace gts::arch

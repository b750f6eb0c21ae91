#include "arch/syscall.h"
#include "arch/cpu_features.h"
#include "arch/gdt.h"
#include "arch/protection.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "linux/syscall.h"
#include "mm/user_memory.h"

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
bool pvmWorkaround;

// Cleared on entry, as Linux does: IF, DF, TF, AC, NT, IOPL, RF, ID and the
// arithmetic flags. NT must not reach the kernel (an iretq with NT set is a
// task return: #GP in ring 0), nor IOPL, nor AC (SMAP).
constexpr uint64_t SyscallFlagMask = 0x257FD5;

// Whether a ring-3 page fault is the one a kvm-pvm `syscall` leaves: the
// fetch at exactly LSTAR, with IF clear (ring 3 cannot clear IF; only the
// syscall's SFMASK did) and RCX just after a `syscall` instruction (0F 05),
// on a machine whose kernel code is emulated. Anything else that jumps to
// LSTAR is an ordinary user fault. Even a forged match only makes a system
// call: the return is sanitized like sysret's.
bool isPvmSyscallFault(const TrapFrame *f) {
  uint64_t entry = uint64_t(&syscallEntry);
  if (!pvmWorkaround || f->vector != 14 || (f->cs & 3) != 3 ||
      f->rip != entry || readCr2() != entry || (f->rflags & 0x200) ||
      f->rcx < 2 || !mm::userPopulate(f->rcx - 2, 2, false))
    return false;
  UserAccess access;
  auto *insn = reinterpret_cast<const volatile uint8_t *>(f->rcx - 2);
  return insn[0] == 0x0F && insn[1] == 0x05;
}

} // namespace

void syscallInit(uint64_t kernelStackTop) {
  perCpu.kernelStack = kernelStackTop;
  setKernelStack(kernelStackTop);
  wrmsr(msr::Efer, rdmsr(msr::Efer) | 1); // SCE
  // sysret: CS = 0x18 + 16, SS = 0x18 + 8; syscall: CS = 0x08, SS = 0x10.
  wrmsr(msr::Star, (uint64_t(0x18) << 48) | (uint64_t(KernelCode) << 32));
  wrmsr(msr::Lstar, uint64_t(&syscallEntry));
  wrmsr(msr::Sfmask, SyscallFlagMask);
  pvmWorkaround = kernelEmulated();
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
  if (!isPvmSyscallFault(f))
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
  // sysret semantics, minus what a program may not choose (R11 is its own).
  f->rflags = sanitizeUserFlags(s.rflags);
  return true;
}

void enterUser(uint64_t rip, uint64_t rsp) { ::enterUser(rip, rsp); }

} // namespace gts::arch

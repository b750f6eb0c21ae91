#include "arch/trap.h"
#include "arch/gdt.h"
#include "arch/pic.h"
#include "arch/syscall.h"
#include "arch/x86.h"
#include "drivers/console.h"
#include "drivers/poweroff.h"
#include "mm/user_memory.h"

extern "C" const uint64_t isrTable[48];
extern "C" char __kernel_start[], __kernel_end[];

namespace gts::arch {
namespace {

struct [[gnu::packed]] Gate {
  uint16_t offLo, selector;
  uint8_t ist, type;
  uint16_t offMid;
  uint32_t offHi, zero;
};
struct [[gnu::packed]] Pointer {
  uint16_t limit;
  uint64_t base;
};

Gate idt[48];
IrqHandler irqHandlers[16];
PageFaultHook pageFaultHook;
UserFaultHook userFaultHook;
PreemptHook preemptHook;
TickHook tickHook;

const char *const names[32] = {"divide error",
                               "debug",
                               "NMI",
                               "breakpoint",
                               "overflow",
                               "bound range",
                               "invalid opcode",
                               "device not available",
                               "double fault",
                               "coprocessor overrun",
                               "invalid TSS",
                               "segment not present",
                               "stack fault",
                               "general protection",
                               "page fault",
                               "reserved",
                               "x87 floating point",
                               "alignment check",
                               "machine check",
                               "SIMD floating point",
                               "virtualization",
                               "control protection",
                               "reserved",
                               "reserved",
                               "reserved",
                               "reserved",
                               "reserved",
                               "reserved",
                               "hypervisor injection",
                               "VMM communication",
                               "security",
                               "reserved"};

bool isKernelText(uint64_t a) {
  return a >= uint64_t(__kernel_start) && a < uint64_t(__kernel_end);
}

void dump(const TrapFrame *f) {
  kprintf("\n*** %s (vector %lu) error 0x%lx in %s mode\n",
          names[f->vector & 31], f->vector, f->error,
          (f->cs & 3) ? "user" : "kernel");
  if (f->vector == 14)
    kprintf("    cr2 %016lx (%s, %s%s)\n", readCr2(),
            (f->error & 1) ? "protection" : "not present",
            (f->error & 2) ? "write" : "read",
            (f->error & 16) ? ", instruction fetch" : "");
  kprintf("rip %016lx cs %04lx rflags %016lx\n", f->rip, f->cs, f->rflags);
  kprintf("rsp %016lx ss %04lx rbp %016lx\n", f->rsp, f->ss, f->rbp);
  kprintf("rax %016lx rbx %016lx rcx %016lx\n", f->rax, f->rbx, f->rcx);
  kprintf("rdx %016lx rsi %016lx rdi %016lx\n", f->rdx, f->rsi, f->rdi);
  kprintf("r8  %016lx r9  %016lx r10 %016lx\n", f->r8, f->r9, f->r10);
  kprintf("r11 %016lx r12 %016lx r13 %016lx\n", f->r11, f->r12, f->r13);
  kprintf("r14 %016lx r15 %016lx\n", f->r14, f->r15);
  kprintf("cr0 %016lx cr3 %016lx cr4 %016lx\n", readCr0(), readCr3(),
          readCr4());
}

} // namespace

void printBacktrace(uint64_t rbp) {
  kprintf("backtrace (llvm-addr2line -e kernel.elf ADDR):\n");
  for (int depth = 0; depth < 32; ++depth) {
    // Only follow frames that live in kernel space and are aligned.
    if (rbp < 0xFFFF800000000000ull || (rbp & 7))
      break;
    uint64_t ret = reinterpret_cast<uint64_t *>(rbp)[1];
    if (!isKernelText(ret))
      break;
    kprintf("  #%d %016lx\n", depth, ret);
    rbp = reinterpret_cast<uint64_t *>(rbp)[0];
  }
}

void panic(const char *fmt, ...) {
  cli();
  kprintf("\n*** kernel panic: ");
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
  kprintf("\n");
  printBacktrace(uint64_t(__builtin_frame_address(0)));
  drivers::powerOff(drivers::StatusKernelPanic);
}

void idtInit() {
  for (int v = 0; v < 48; ++v) {
    uint64_t a = isrTable[v];
    idt[v] = Gate{uint16_t(a),
                  KernelCode,
                  uint8_t(v == 8 || v == 2 ? 1 : 0),
                  0x8E,
                  uint16_t(a >> 16),
                  uint32_t(a >> 32),
                  0};
  }
  Pointer p{sizeof idt - 1, uint64_t(idt)};
  asm volatile("lidt %0" ::"m"(p));
}

void setIrqHandler(unsigned line, IrqHandler h) { irqHandlers[line] = h; }
void setPageFaultHook(PageFaultHook h) { pageFaultHook = h; }
void setUserFaultHook(UserFaultHook h) { userFaultHook = h; }
void setPreemptHook(PreemptHook h) { preemptHook = h; }
void setTickHook(TickHook h) { tickHook = h; }

} // namespace gts::arch

using namespace gts::arch;

extern "C" void trapDispatch(TrapFrame *f) {
  if (f->vector >= 32) {
    unsigned line = unsigned(f->vector - 32);
    if (irqHandlers[line])
      irqHandlers[line](f);
    if (line == 0 && tickHook)
      tickHook(f);
    picEoi(line);
    // Threads switch only here (tick from ring 3) and in blocking calls.
    // The switch happens with the kernel's GS, like in a syscall.
    if (line == 0 && (f->cs & 3) && preemptHook) {
      asm volatile("swapgs");
      preemptHook();
      asm volatile("swapgs");
    }
    return;
  }
  if (syscallViaFault(f))
    return;
  if (f->vector == 14 && pageFaultHook && readCr2() < gts::mm::UserTop &&
      pageFaultHook(readCr2(), f->error))
    return;
  dump(f);
  if ((f->cs & 3) && userFaultHook)
    userFaultHook(f);
  printBacktrace(f->rbp);
  gts::drivers::powerOff(gts::drivers::StatusKernelPanic);
}

#include "arch/gdt.h"

namespace gts::arch {
namespace {

struct [[gnu::packed]] Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t ioMapBase;
};

struct [[gnu::packed]] Pointer {
  uint16_t limit;
  uint64_t base;
};

Tss tss;
uint64_t gdt[8];
// Double faults and NMIs get their own stack: a kernel stack overflow must
// still produce a register dump.
alignas(16) uint8_t istStack[16384];

} // namespace

void gdtInit() {
  gdt[0] = 0;
  gdt[1] = 0x00AF9A000000FFFF; // kernel code 64
  gdt[2] = 0x00CF92000000FFFF; // kernel data
  gdt[3] = 0x00CFFA000000FFFF; // user code 32 (unused, keeps STAR layout)
  gdt[4] = 0x00CFF2000000FFFF; // user data
  gdt[5] = 0x00AFFA000000FFFF; // user code 64
  uint64_t base = uint64_t(&tss), limit = sizeof(Tss) - 1;
  gdt[6] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
           ((limit >> 16) & 0xF) << 48 | ((base >> 24) & 0xFF) << 56;
  gdt[7] = base >> 32;
  tss.ist[0] = uint64_t(istStack + sizeof istStack);
  tss.ioMapBase = sizeof(Tss);

  Pointer p{sizeof gdt - 1, uint64_t(gdt)};
  asm volatile("lgdt %0\n"
               "pushq %1\n"
               "leaq 1f(%%rip), %%rax\n"
               "pushq %%rax\n"
               "lretq\n"
               "1:\n"
               "movw %w2, %%ax\n"
               "movw %%ax, %%ds\n"
               "movw %%ax, %%es\n"
               "movw %%ax, %%ss\n"
               "xorl %%eax, %%eax\n"
               "movw %%ax, %%fs\n"
               "movw %%ax, %%gs\n"
               "ltr %w3\n"
               :
               : "m"(p), "i"(uint64_t(KernelCode)), "r"(uint32_t(KernelData)),
                 "r"(uint32_t(TssSelector))
               : "rax", "memory");
}

void setKernelStack(uint64_t rsp0) { tss.rsp[0] = rsp0; }

} // namespace gts::arch

#include "mm/paging.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "drivers/console.h"
#include "mm/pmm.h"

extern "C" char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

namespace gts::mm {
namespace {

uint64_t *pml4;
uint64_t nextStack = KernelStackBase;
uint64_t roStart, roEnd; // kernel text and rodata (physical)
// One page-table frame per 2 MiB of the direct map, reserved at boot so
// that splitting a huge page (setFrameWritable) cannot fail; 0 where the
// region is split already or beyond RAM.
constexpr uint64_t Region = 2u << 20;
uint64_t splitFrames[(4ull << 30) / Region];

uint64_t *table(uint64_t entry) {
  return static_cast<uint64_t *>(physToVirt(entry & pte::AddrMask));
}

// Next-level table under `e`, allocated on demand. User-half tables are
// user-accessible: the leaf decides the rights.
uint64_t *descend(uint64_t *e, bool create, bool user) {
  if (!(*e & pte::Present)) {
    if (!create)
      return nullptr;
    uint64_t f = allocFrame();
    if (!f)
      return nullptr;
    *e = f | pte::Present | pte::Write | (user ? pte::User : 0);
  }
  if (*e & pte::Huge)
    return nullptr;
  return table(*e);
}

void mapKernelRange(uint64_t start, uint64_t end, uint64_t flags) {
  for (uint64_t va = start; va < end; va += PageSize) {
    uint64_t *e = pteFor(va, true);
    if (!e)
      arch::panic("paging: out of memory mapping the kernel");
    *e = (va - KernelBase) | flags;
  }
}

// Direct-map entries for the 2 MiB at `pa`: one huge page, or 4 KiB pages
// where the kernel image lies, so that its text and rodata are read-only
// through the direct map too (kernel code is never writable).
void mapDirect(uint64_t *pd, uint64_t pa, uint64_t imageStart, uint64_t roEnd) {
  using namespace pte;
  uint64_t *slot = &pd[((PhysMapBase + pa) >> 21) & 511];
  if (pa + (2u << 20) <= imageStart || pa >= roEnd) {
    *slot = pa | Present | Write | Huge | Global | NoExec;
    return;
  }
  uint64_t f = allocFrame();
  if (!f)
    arch::panic("paging: out of memory splitting the direct map");
  splitFrames[pa / Region] = 0;
  *slot = f | Present | Write;
  auto *pt = static_cast<uint64_t *>(physToVirt(f));
  for (int i = 0; i < 512; ++i) {
    uint64_t a = pa + uint64_t(i) * PageSize;
    bool ro = a >= imageStart && a < roEnd;
    pt[i] = a | Present | Global | NoExec | (ro ? 0 : Write);
  }
}

} // namespace

uint64_t *pteFor(uint64_t va, bool create) {
  bool user = va < 0x0000800000000000ull;
  uint64_t *t = pml4;
  for (int shift = 39; shift > 12; shift -= 9) {
    t = descend(&t[(va >> shift) & 511], create, user);
    if (!t)
      return nullptr;
  }
  return &t[(va >> 12) & 511];
}

void pagingInit() {
  using namespace pte;
  // NX needs EFER.NXE (stage 2 set it); WP makes the kernel honour
  // read-only user pages too; PGE keeps kernel entries across CR3 loads.
  arch::wrmsr(arch::msr::Efer, arch::rdmsr(arch::msr::Efer) | (1u << 11));
  pml4 = static_cast<uint64_t *>(physToVirt(allocFrame()));

  uint64_t ks = uint64_t(__kernel_start), te = uint64_t(__text_end),
           re = uint64_t(__rodata_end), ke = uint64_t(__kernel_end);
  // Direct map with 2 MiB pages (4 KiB around the kernel image).
  uint64_t top = (physTop() + (2u << 20) - 1) & ~uint64_t((2u << 20) - 1);
  for (uint64_t pa = 0; pa < top; pa += 2u << 20) {
    uint64_t va = PhysMapBase + pa;
    uint64_t *t = pml4;
    for (int shift = 39; shift > 21; shift -= 9)
      t = descend(&t[(va >> shift) & 511], true, false);
    splitFrames[pa / Region] = allocFrame();
    if (!splitFrames[pa / Region])
      arch::panic("paging: out of memory for the direct map");
    mapDirect(t, pa, ks - KernelBase, re - KernelBase);
  }
  roStart = ks - KernelBase;
  roEnd = re - KernelBase;

  // Kernel image with per-section rights: W^X in the kernel too.
  mapKernelRange(ks, te, Present | Global);
  mapKernelRange(te, re, Present | Global | NoExec);
  mapKernelRange(re, ke, Present | Write | Global | NoExec);

  arch::writeCr3(virtToPhys(pml4)); // via the boot mirror
  usePhysMap();
  pml4 = static_cast<uint64_t *>(physToVirt(arch::readCr3() & AddrMask));
  arch::writeCr0(arch::readCr0() | (1u << 16));
  arch::writeCr4(arch::readCr4() | (1u << 7));
}

namespace {

// The 4 KiB direct-map table over `pa`'s 2 MiB, splitting the huge page on
// first use. The last one is remembered: callers go frame by frame through
// a program's pages, and walks cost under an emulating hypervisor.
uint64_t *directTable(uint64_t pa) {
  using namespace pte;
  static uint64_t cachedRegion = ~0ull, *cached;
  uint64_t region = pa / Region;
  if (region == cachedRegion)
    return cached;
  uint64_t va = PhysMapBase + pa, *t = pml4;
  for (int shift = 39; shift > 21; shift -= 9)
    t = table(t[(va >> shift) & 511]);
  uint64_t *pde = &t[(va >> 21) & 511];
  if (*pde & Huge) {
    uint64_t f = splitFrames[region];
    if (!f)
      arch::panic("paging: frame %lx outside the direct map", pa);
    auto *pt = static_cast<uint64_t *>(physToVirt(f));
    for (uint64_t i = 0; i < 512; ++i)
      pt[i] =
          (region * Region + i * PageSize) | Present | Write | Global | NoExec;
    *pde = f | Present | Write;
    splitFrames[region] = 0;
    arch::invlpg(va); // drops the 2 MiB translation
  }
  cachedRegion = region;
  cached = table(*pde);
  return cached;
}

} // namespace

void setFrameWritable(uint64_t pa, bool writable, bool flush) {
  if (pa >= roStart && pa < roEnd)
    return; // kernel code stays read-only
  uint64_t *e = &directTable(pa)[(pa >> 12) & 511];
  *e = writable ? *e | pte::Write : *e & ~pte::Write;
  if (flush)
    arch::invlpg(PhysMapBase + pa);
}

void flushTlbAll() {
  uint64_t cr4 = arch::readCr4();
  arch::writeCr4(cr4 & ~uint64_t(1u << 7)); // PGE off and on: global too
  arch::writeCr4(cr4);
}

uint64_t allocKernelStack(uint64_t bytes) {
  using namespace pte;
  uint64_t base = nextStack + PageSize; // the page below stays unmapped
  for (uint64_t va = base; va < base + bytes; va += PageSize) {
    uint64_t *e = pteFor(va, true);
    uint64_t f = e ? allocFrame() : 0;
    if (!f)
      return 0; // the pages mapped so far stay with the (unused) slot
    *e = f | Present | Write | Global | NoExec;
  }
  nextStack = base + bytes;
  return base + bytes;
}

} // namespace gts::mm

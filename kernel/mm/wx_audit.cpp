#include "mm/wx_audit.h"
#include "arch/x86.h"
#include "drivers/console.h"
#include "mm/paging.h"
#include "mm/pmm.h"

namespace gts::mm {
namespace {

// One bit per frame below physTop() in each map.
struct Bits {
  uint64_t *w = nullptr;
  bool get(uint64_t f) const { return w[f / 64] >> (f % 64) & 1; }
  void set(uint64_t f) { w[f / 64] |= 1ull << (f % 64); }
};

struct Walk {
  uint64_t frames;
  Bits execAny, execKernel, writeMapped, writeDirect;
  WxAuditResult r{};
};

bool inDirectMap(uint64_t va) {
  return va >= PhysMapBase && va < PhysMapBase + (1ull << 39);
}

void report(Walk &w, const char *what, uint64_t va, uint64_t pa) {
  if (w.r.violations++ < 8)
    kprintf("audit: %s: va %016lx frame %lx\n", what, va, pa);
}

void leaf(Walk &w, uint64_t va, uint64_t pa, uint64_t bytes, bool write,
          bool exec, bool user) {
  if (write && exec)
    report(w, "mapping writable and executable", va, pa);
  uint64_t n = bytes / PageSize;
  (user ? w.r.userPages : w.r.kernelPages) += n;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t f = pa / PageSize + i;
    if (f >= w.frames)
      continue; // not RAM
    if (exec)
      w.execAny.set(f);
    if (exec && !user)
      w.execKernel.set(f);
    if (write)
      (inDirectMap(va) ? w.writeDirect : w.writeMapped).set(f);
  }
}

// Entries of one table at `level` (3 = PML4 .. 0 = PT), with the rights
// the levels above allow.
void walk(Walk &w, const uint64_t *t, int level, uint64_t base, bool write,
          bool exec, bool user) {
  for (uint64_t i = 0; i < 512; ++i) {
    uint64_t e = t[i];
    if (!(e & pte::Present))
      continue;
    uint64_t va = base | (i << (12 + 9 * level));
    if (level == 3 && i >= 256)
      va |= 0xFFFF000000000000ull; // canonical upper half
    bool wr = write && (e & pte::Write), ex = exec && !(e & pte::NoExec),
         us = user && (e & pte::User);
    uint64_t pa = e & pte::AddrMask;
    if (level == 0 || (level < 3 && (e & pte::Huge)))
      leaf(w, va, level ? pa & ~((PageSize << (9 * level)) - 1) : pa,
           PageSize << (9 * level), wr, ex, us);
    else
      walk(w, static_cast<const uint64_t *>(physToVirt(pa)), level - 1, va, wr,
           ex, us);
  }
}

} // namespace

WxAuditResult auditWx() {
  Walk w;
  w.frames = physTop() / PageSize;
  uint64_t bytes = (w.frames + 63) / 64 * 8;
  uint64_t pages = (bytes + PageSize - 1) / PageSize;
  uint64_t mem = allocFrames(4 * pages);
  if (!mem) {
    kprintf("audit: no memory for the frame maps\n");
    w.r.violations = ~0ull;
    return w.r;
  }
  Bits *maps[4] = {&w.execAny, &w.execKernel, &w.writeMapped, &w.writeDirect};
  for (int k = 0; k < 4; ++k)
    maps[k]->w = static_cast<uint64_t *>(
        physToVirt(mem + uint64_t(k) * pages * PageSize));
  walk(w,
       static_cast<const uint64_t *>(
           physToVirt(arch::readCr3() & pte::AddrMask)),
       3, 0, true, true, true);
  for (uint64_t f = 0; f < w.frames; ++f) {
    if (w.execAny.get(f) && w.writeMapped.get(f))
      report(w, "frame executable and writable through another mapping", 0,
             f * PageSize);
    else if (w.execKernel.get(f) && w.writeDirect.get(f))
      report(w, "kernel code writable through the direct map", 0, f * PageSize);
    else if (w.execAny.get(f) && w.writeDirect.get(f))
      report(w, "user code writable through the direct map", 0, f * PageSize);
  }
  for (uint64_t p = 0; p < 4 * pages; ++p)
    freeFrame(mem + p * PageSize);
  kprintf("audit: page tables: %lu user pages, %lu kernel pages, %lu W+X "
          "violations\n",
          w.r.userPages, w.r.kernelPages, w.r.violations);
  return w.r;
}

} // namespace gts::mm

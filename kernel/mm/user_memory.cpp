#include "mm/user_memory.h"
#include "arch/x86.h"
#include "drivers/console.h"
#include "mm/paging.h"
#include "mm/pmm.h"

namespace gts::mm {
namespace {

uint64_t resident;
uint64_t peakResident;

void addResident(uint64_t bytes) {
  resident += bytes;
  if (resident > peakResident)
    peakResident = resident;
}
uint64_t lazyStart, lazyEnd;

// The leaf entry for a user page; inside the lazy region an absent page
// first becomes an ordinary lazy read-write mapping.
uint64_t *entryFor(uint64_t va) {
  bool lazy = va >= lazyStart && va < lazyEnd;
  uint64_t *e = pteFor(va, lazy);
  if (e && lazy && !(*e & pte::SwMapped))
    *e = pte::SwMapped | pte::User | pte::Write | pte::NoExec | pte::SwRead;
  return e;
}

uint64_t rightsBits(int p) {
  uint64_t b = pte::SwMapped | pte::User;
  if (p & prot::Write)
    b |= pte::Write;
  if (!(p & prot::Exec))
    b |= pte::NoExec;
  if (p != 0)
    b |= pte::SwRead;
  return b;
}

bool executable(uint64_t e) { return (e & pte::Present) && !(e & pte::NoExec); }

// Every change of a present user entry goes through here: a frame that
// ring 3 may execute is read-only in the kernel's direct map too (W^X per
// frame, not only per mapping; mm/wx_audit.h). The caller flushes the TLB
// entry of the user page.
void setEntry(uint64_t *e, uint64_t v, bool flush = true) {
  uint64_t old = *e, oldFrame = old & pte::AddrMask,
           newFrame = v & pte::AddrMask;
  bool wasX = executable(old), isX = executable(v);
  if (isX && (!wasX || oldFrame != newFrame))
    setFrameWritable(newFrame, false, flush);
  *e = v;
  if (wasX && (!isX || oldFrame != newFrame))
    setFrameWritable(oldFrame, true, flush);
}

// The leaf entry of each page of [va, va+len) (null where no table), one
// walk per page table: mprotect of a big range stays cheap where kernel
// code is emulated. `f(a, e)` returns false to stop.
template <typename F> bool forEachEntry(uint64_t va, uint64_t len, F f) {
  uint64_t *e = nullptr;
  for (uint64_t a = va; a < va + len; a += PageSize) {
    e = e && (a & (512 * PageSize - 1)) ? e + 1 : pteFor(a, false);
    if (!f(a, e))
      return false;
  }
  return true;
}

// A shared frame's freeFrame only drops this mapping's reference.
void dropPage(uint64_t *e) {
  uint64_t old = *e;
  setEntry(e, 0);
  if (old & (pte::Present | pte::SwHasFrame)) {
    freeFrame(old & pte::AddrMask);
    if (!(old & pte::SwShared))
      resident -= PageSize;
  }
}

constexpr int FaultAround = 16; // pages populated per fault, at most

// Backs up to `max` consecutive lazy, frameless entries from `e` on (same
// page table) with one batch of zeroed frames. Returns how many; 0 if
// memory ran out.
int populateRun(uint64_t *e, uint64_t va, int max) {
  int n = 1;
  uint64_t index = (va >> 12) & 511;
  auto lazy = [](uint64_t v) {
    return (v & (pte::SwMapped | pte::SwRead | pte::Present |
                 pte::SwHasFrame)) == (pte::SwMapped | pte::SwRead);
  };
  while (n < max && index + n < 512 && lazy(e[n]))
    ++n;
  uint64_t frames[FaultAround];
  if (!allocZeroedFrames(frames, size_t(n))) {
    kprintf("mm: out of physical memory at %lx\n", va);
    return 0;
  }
  for (int i = 0; i < n; ++i)
    setEntry(&e[i], (e[i] & ~pte::AddrMask) | frames[i] | pte::Present);
  addResident(uint64_t(n) * PageSize);
  return n;
}

// Makes a not-present page present. No invlpg: the TLB never caches
// not-present entries (and under shadow paging every flush costs a trap).
bool populate(uint64_t *e, uint64_t va, bool zero = true) {
  uint64_t frame = *e & pte::AddrMask;
  if (!(*e & pte::SwHasFrame)) {
    frame = zero ? allocFrame() : allocFrameUninitialized();
    if (!frame) {
      kprintf("mm: out of physical memory at %lx\n", va);
      return false;
    }
    addResident(PageSize);
  }
  setEntry(e, (*e & ~(pte::AddrMask | pte::SwHasFrame)) | frame | pte::Present);
  return true;
}

} // namespace

bool userMap(uint64_t va, uint64_t len, int p, bool populateNow, bool zero) {
  if (wxConflict(p) || !isUserRange(va, len))
    return false;
  for (uint64_t a = va; a < va + len; a += PageSize) {
    uint64_t *e = pteFor(a, true);
    if (!e)
      return false;
    bool wasPresent = *e & pte::Present;
    dropPage(e);
    *e = rightsBits(p);
    if (wasPresent)
      arch::invlpg(a);
    if (populateNow && p && !populate(e, a, zero))
      return false;
  }
  return true;
}

bool userMapShared(uint64_t va, const uint64_t *frames, size_t count, int p) {
  if ((p & prot::Exec) || !isUserRange(va, count * PageSize))
    return false;
  for (size_t i = 0; i < count; ++i) {
    uint64_t a = va + i * PageSize;
    uint64_t *e = pteFor(a, true);
    if (!e)
      return false;
    bool wasPresent = *e & pte::Present;
    dropPage(e);
    shareFrame(frames[i]);
    setEntry(e, rightsBits(p) | frames[i] | pte::SwShared |
                    (p ? pte::Present : pte::SwHasFrame));
    if (wasPresent)
      arch::invlpg(a);
  }
  return true;
}

bool userProtect(uint64_t va, uint64_t len, int p, bool flush) {
  if (wxConflict(p) || !isUserRange(va, len))
    return false;
  bool ok = forEachEntry(va, len, [p](uint64_t, uint64_t *e) {
    return e && (*e & pte::SwMapped) &&
           !((p & prot::Exec) && (*e & pte::SwShared));
  });
  if (!ok)
    return false;
  return forEachEntry(va, len, [p, flush](uint64_t a, uint64_t *e) {
    bool hasFrame = *e & (pte::Present | pte::SwHasFrame);
    uint64_t frame = *e & pte::AddrMask;
    uint64_t n = rightsBits(p) | (*e & pte::SwShared);
    if (hasFrame)
      // PROT_NONE keeps the frame but leaves the page not present.
      n |= frame | (p ? pte::Present : pte::SwHasFrame);
    setEntry(e, n, flush);
    if (flush)
      arch::invlpg(a);
    return true;
  });
}

bool userRangeShared(uint64_t va, uint64_t len) {
  for (uint64_t a = va; a < va + len && a < UserTop; a += PageSize) {
    uint64_t *e = pteFor(a, false);
    if (e && (*e & pte::SwMapped) && (*e & pte::SwShared))
      return true;
  }
  return false;
}

void userUnmap(uint64_t va, uint64_t len) {
  for (uint64_t a = va; a < va + len && a < UserTop; a += PageSize) {
    uint64_t *e = pteFor(a, false);
    if (e && (*e & pte::SwMapped)) {
      dropPage(e);
      arch::invlpg(a);
    }
  }
}

void userDiscard(uint64_t va, uint64_t len) {
  for (uint64_t a = va; a < va + len && a < UserTop; a += PageSize) {
    uint64_t *e = pteFor(a, false);
    if (e && (*e & pte::SwMapped) && !(*e & pte::SwShared)) {
      uint64_t rights = *e & ~(pte::AddrMask | pte::Present | pte::SwHasFrame);
      dropPage(e);
      *e = rights;
      arch::invlpg(a);
    }
  }
}

bool userRangeFree(uint64_t va, uint64_t len) {
  if (!isUserRange(va, len))
    return false;
  for (uint64_t a = va; a < va + len; a += PageSize) {
    uint64_t *e = pteFor(a, false);
    if (e && (*e & pte::SwMapped))
      return false;
  }
  return true;
}

bool userPopulate(uint64_t va, uint64_t len, bool write) {
  if (len == 0)
    return true;
  if (!isUserRange(va, len))
    return false;
  uint64_t end = va + len;
  for (uint64_t a = va & ~(PageSize - 1); a < end; a += PageSize) {
    uint64_t *e = entryFor(a);
    if (!e || !(*e & pte::SwMapped) || !(*e & pte::SwRead))
      return false;
    if (write && !(*e & pte::Write))
      return false;
    if (*e & pte::Present)
      continue;
    if (*e & pte::SwHasFrame) {
      if (!populate(e, a))
        return false;
      continue;
    }
    // Back the following frameless pages of the range in the same batch;
    // the loop still checks their rights when it reaches them.
    uint64_t left = (end - a + PageSize - 1) / PageSize;
    if (!populateRun(e, a, left < FaultAround ? int(left) : FaultAround))
      return false;
  }
  return true;
}

bool userPageFault(uint64_t addr, uint64_t error) {
  uint64_t *e = entryFor(addr & ~(PageSize - 1));
  if (!e || (*e & pte::Present) || !(*e & pte::SwMapped) || !(*e & pte::SwRead))
    return false;
  if ((error & 2) && !(*e & pte::Write))
    return false;
  if ((error & 16) && (*e & pte::NoExec))
    return false;
  if (*e & pte::SwHasFrame)
    return populate(e, addr & ~(PageSize - 1));
  // Fault-around: the neighbours of a touched page are usually next.
  return populateRun(e, addr & ~(PageSize - 1), FaultAround) > 0;
}

void userSetLazyRegion(uint64_t start, uint64_t end) {
  lazyStart = start;
  lazyEnd = end;
}

uint64_t userResidentBytes() { return resident; }
uint64_t userPeakResidentBytes() { return peakResident; }

} // namespace gts::mm

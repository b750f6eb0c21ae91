#include "mm/user_memory.h"
#include "arch/x86.h"
#include "drivers/console.h"
#include "mm/paging.h"
#include "mm/pmm.h"

namespace gts::mm {
namespace {

uint64_t resident;
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

void dropPage(uint64_t *e) {
  if (*e & (pte::Present | pte::SwHasFrame)) {
    freeFrame(*e & pte::AddrMask);
    resident -= PageSize;
  }
  *e = 0;
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
    resident += PageSize;
  }
  *e = (*e & ~(pte::AddrMask | pte::SwHasFrame)) | frame | pte::Present;
  return true;
}

} // namespace

bool userMap(uint64_t va, uint64_t len, int p, bool populateNow,
             bool zero) {
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

bool userProtect(uint64_t va, uint64_t len, int p) {
  if (wxConflict(p) || !isUserRange(va, len))
    return false;
  for (uint64_t a = va; a < va + len; a += PageSize) {
    uint64_t *e = pteFor(a, false);
    if (!e || !(*e & pte::SwMapped))
      return false;
  }
  for (uint64_t a = va; a < va + len; a += PageSize) {
    uint64_t *e = pteFor(a, false);
    bool hasFrame = *e & (pte::Present | pte::SwHasFrame);
    uint64_t frame = *e & pte::AddrMask;
    uint64_t n = rightsBits(p);
    if (hasFrame)
      // PROT_NONE keeps the frame but leaves the page not present.
      n |= frame | (p ? pte::Present : pte::SwHasFrame);
    *e = n;
    arch::invlpg(a);
  }
  return true;
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
    if (e && (*e & pte::SwMapped)) {
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
  for (uint64_t a = va & ~(PageSize - 1); a < va + len; a += PageSize) {
    uint64_t *e = entryFor(a);
    if (!e || !(*e & pte::SwMapped) || !(*e & pte::SwRead))
      return false;
    if (write && !(*e & pte::Write))
      return false;
    if (!(*e & pte::Present) && !populate(e, a))
      return false;
  }
  return true;
}

bool userPageFault(uint64_t addr, uint64_t error) {
  uint64_t *e = entryFor(addr & ~(PageSize - 1));
  if (!e || (*e & pte::Present) || !(*e & pte::SwMapped) ||
      !(*e & pte::SwRead))
    return false;
  if ((error & 2) && !(*e & pte::Write))
    return false;
  if ((error & 16) && (*e & pte::NoExec))
    return false;
  return populate(e, addr & ~(PageSize - 1));
}

void userSetLazyRegion(uint64_t start, uint64_t end) {
  lazyStart = start;
  lazyEnd = end;
}

uint64_t userResidentBytes() { return resident; }

} // namespace gts::mm

#include "mm/user_memory.h"
#include "arch/x86.h"
#include "drivers/console.h"
#include "mm/paging.h"
#include "mm/pmm.h"

namespace gts::mm {
namespace {

uint64_t resident;

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

bool populate(uint64_t *e, uint64_t va) {
  uint64_t frame = *e & pte::AddrMask;
  if (!(*e & pte::SwHasFrame)) {
    frame = allocFrame();
    if (!frame) {
      kprintf("mm: out of physical memory at %lx\n", va);
      return false;
    }
    resident += PageSize;
  }
  *e = (*e & ~(pte::AddrMask | pte::SwHasFrame)) | frame | pte::Present;
  arch::invlpg(va);
  return true;
}

} // namespace

bool userMap(uint64_t va, uint64_t len, int p) {
  if (wxConflict(p) || !isUserRange(va, len))
    return false;
  for (uint64_t a = va; a < va + len; a += PageSize) {
    uint64_t *e = pteFor(a, true);
    if (!e)
      return false;
    dropPage(e);
    *e = rightsBits(p);
    arch::invlpg(a);
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
    uint64_t *e = pteFor(a, false);
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
  uint64_t *e = pteFor(addr, false);
  if (!e || (*e & pte::Present) || !(*e & pte::SwMapped) ||
      !(*e & pte::SwRead))
    return false;
  if ((error & 2) && !(*e & pte::Write))
    return false;
  if ((error & 16) && (*e & pte::NoExec))
    return false;
  return populate(e, addr & ~(PageSize - 1));
}

uint64_t userResidentBytes() { return resident; }

} // namespace gts::mm

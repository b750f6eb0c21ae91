// Memory calls. W^X: a request for PROT_WRITE|PROT_EXEC together (mmap or
// mprotect) fails with EACCES, so no user page is ever writable and
// executable at once; JITs map RW, write, then mprotect to RX.
#include "arch/protection.h"
#include "arch/x86.h"
#include "lib/string.h"
#include "linux/files.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "mm/user_memory.h"

namespace gts::sys {
namespace {

constexpr uint64_t Page = mm::PageSize;
constexpr uint64_t MapShared = 1, MapPrivate = 2, MapSharedValidate = 3,
                   MapFixed = 0x10, MapAnonymous = 0x20,
                   MapFixedNoReplace = 0x100000;

// Rights of pages while the kernel fills them.
constexpr int Fill = mm::prot::Read | mm::prot::Write;

uint64_t pageUp(uint64_t v) { return (v + Page - 1) & ~(Page - 1); }

// A free range of `len` bytes below the mmap cursor.
uint64_t pickAddress(uint64_t len) {
  Process &p = process();
  for (int tries = 0; tries < 64; ++tries) {
    if (p.mmapCursor < len + (1ull << 32))
      return 0;
    uint64_t va = p.mmapCursor - len;
    p.mmapCursor = va;
    if (mm::userRangeFree(va, len))
      return va;
  }
  return 0;
}

// MAP_SHARED shows the memfd's own frames (a second mapping of the same
// frames sees every write); MAP_PRIVATE gets a copy.
int64_t mapMemfd(MemFile *m, uint64_t va, uint64_t len, uint64_t off, int prot,
                 bool shared) {
  uint64_t first = off / Page, count = len / Page;
  if (first > m->pages || count > m->pages - first)
    return err::Inval; // beyond the end: Linux would SIGBUS on access
  // Never executable when shared: another view, or write(2), could change
  // the code (a W+X alias of the same frames).
  if (shared && (prot & mm::prot::Exec))
    return err::Acces;
  if (shared)
    return mm::userMapShared(va, m->frames + first, count, prot) ? int64_t(va)
                                                                 : err::NoMem;
  if (prot == 0) // nothing can see the copy yet
    return mm::userMap(va, len, 0) ? int64_t(va) : err::NoMem;
  // Filled read-write, then given its rights: an executable frame is never
  // writable, not even through the kernel's direct map.
  if (!mm::userMap(va, len, Fill, true, false)) {
    mm::userUnmap(va, len);
    return err::NoMem;
  }
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t *e = mm::pteFor(va + i * Page, false);
    lib::memCopy(mm::physToVirt(*e & mm::pte::AddrMask),
                 mm::physToVirt(m->frames[first + i]), Page);
  }
  if (prot != Fill && !mm::userProtect(va, len, prot)) {
    mm::userUnmap(va, len);
    return err::NoMem;
  }
  return int64_t(va);
}

int64_t sysMmap(const uint64_t *a) {
  uint64_t addr = a[0], len = a[1], flags = a[3], off = a[5];
  int prot = int(a[2]);
  int64_t fd = int64_t(a[4]);
  if (len == 0 || (prot & ~7) || (off & (Page - 1)))
    return err::Inval;
  if (mm::wxConflict(prot))
    return err::Acces;
  uint64_t type = flags & 0xF;
  if (type != MapShared && type != MapPrivate && type != MapSharedValidate)
    return err::Inval;
  len = pageUp(len);
  // Like Linux's overcommit heuristic, a bound on one mapping: lazy
  // reservations (the interpreter's 256 MiB stack) fit, while a terabyte
  // would cost more page-table entries than there is RAM.
  if (len == 0 || len > 4 * mm::physTop())
    return err::NoMem;

  File *f = nullptr;
  if (!(flags & MapAnonymous)) {
    f = fileFor(fd);
    if (!f)
      return err::BadF;
    if (f->kind != File::Regular && f->kind != File::Memfd)
      return err::Acces;
  }

  uint64_t va;
  if (flags & (MapFixed | MapFixedNoReplace)) {
    if ((addr & (Page - 1)) || !mm::isUserRange(addr, len) || addr == 0)
      return err::Inval;
    if ((flags & MapFixedNoReplace) && !mm::userRangeFree(addr, len))
      return err::Exist;
    va = addr;
  } else if (addr && !(addr & (Page - 1)) && mm::isUserRange(addr, len) &&
             mm::userRangeFree(addr, len)) {
    va = addr; // honour a free hint
  } else {
    va = pickAddress(len);
    if (!va)
      return err::NoMem;
  }

  if (!f) {
    if (mm::userMap(va, len, prot))
      return int64_t(va);
    mm::userUnmap(va, len); // what was mapped before memory ran out
    return err::NoMem;
  }
  if (f->kind == File::Memfd)
    return mapMemfd(f->mem, va, len, off, prot, type != MapPrivate);
  // File-backed: a private copy of the file's bytes (MAP_SHARED too: there
  // is no write-back to the file). Pages the file fills completely are not
  // cleared first. They are mapped read-write (never executable) while the
  // file is read into them, then get their final rights: write protection
  // stays on in the kernel.
  fs::Stat st;
  process().fs->stat(f->node, &st);
  uint64_t fileBytes = off < st.size ? st.size - off : 0;
  if (fileBytes > len)
    fileBytes = len;
  if (prot == 0 || fileBytes == 0)
    return mm::userMap(va, len, prot) ? int64_t(va) : err::NoMem;
  for (uint64_t pg = va; pg < va + len; pg += Page)
    if (!mm::userMap(pg, Page, Fill, true, pg + Page > va + fileBytes)) {
      mm::userUnmap(va, len);
      return err::NoMem;
    }
  int64_t n;
  {
    arch::UserAccess access;
    n = process().fs->read(f->node, off, reinterpret_cast<void *>(va),
                           fileBytes);
  }
  if (n < 0 || uint64_t(n) != fileBytes ||
      (prot != Fill && !mm::userProtect(va, len, prot))) {
    mm::userUnmap(va, len);
    return n < 0 ? n : err::IO;
  }
  return int64_t(va); // the partial last page was allocated zeroed
}

int64_t sysMunmap(const uint64_t *a) {
  if ((a[0] & (Page - 1)) || a[1] == 0 || !mm::isUserRange(a[0], a[1]))
    return err::Inval;
  mm::userUnmap(a[0], pageUp(a[1]));
  return 0;
}

int64_t sysMprotect(const uint64_t *a) {
  int prot = int(a[2]);
  if ((a[0] & (Page - 1)) || (prot & ~7) || !mm::isUserRange(a[0], a[1]))
    return err::Inval;
  if (mm::wxConflict(prot))
    return err::Acces;
  if (a[1] == 0)
    return 0;
  if ((prot & mm::prot::Exec) && mm::userRangeShared(a[0], pageUp(a[1])))
    return err::Acces; // memfd views stay non-executable (mapMemfd)
  return mm::userProtect(a[0], pageUp(a[1]), prot) ? 0 : err::NoMem;
}

int64_t sysMadvise(const uint64_t *a) {
  if ((a[0] & (Page - 1)) || !mm::isUserRange(a[0], a[1]))
    return err::Inval;
  if (a[2] == 4) // MADV_DONTNEED: private pages read back as zeros
    mm::userDiscard(a[0], pageUp(a[1]));
  return 0; // other advice is only advice
}

int64_t sysBrk(const uint64_t *a) {
  Process &p = process();
  uint64_t want = a[0];
  if (want < p.brkStart || want > p.brkStart + (16ull << 30))
    return int64_t(p.brkCur);
  uint64_t oldEnd = pageUp(p.brkCur), newEnd = pageUp(want);
  if (newEnd > oldEnd) {
    if (!mm::userRangeFree(oldEnd, newEnd - oldEnd) ||
        !mm::userMap(oldEnd, newEnd - oldEnd, mm::prot::Read | mm::prot::Write))
      return int64_t(p.brkCur);
  } else if (newEnd < oldEnd) {
    mm::userUnmap(newEnd, oldEnd - newEnd);
  }
  p.brkCur = want;
  return int64_t(want);
}

} // namespace

void registerMm() {
  add(9, sysMmap);
  add(10, sysMprotect);
  add(11, sysMunmap);
  add(12, sysBrk);
  add(28, sysMadvise);
}

} // namespace gts::sys

// The user half of the address space, page by page. Mappings live in the
// page tables themselves (software PTE bits, mm/paging.h): anonymous pages
// get a zeroed frame on first touch. W^X: no page is ever both writable and
// executable; callers get false for such a request.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gts::mm {

namespace prot {
inline constexpr int Read = 1, Write = 2, Exec = 4; // Linux PROT_* values
}
// One page below the end of the lower half, like Linux's TASK_SIZE_MAX: a
// `syscall` in the last bytes of user space must not make sysret return to
// a non-canonical RCX (a ring-0 #GP on Intel CPUs, CVE-2012-0217).
inline constexpr uint64_t UserTop = 0x00007FFFFFFFF000ull;

inline bool isUserRange(uint64_t va, uint64_t len) {
  return va < UserTop && len <= UserTop - va;
}
inline bool wxConflict(int p) { return (p & prot::Write) && (p & prot::Exec); }

// Replaces whatever was mapped in [va, va+len) (page-aligned) by anonymous
// pages with rights `p`: lazy, or backed right away when `populate` (then
// `zero` false skips clearing frames the caller overwrites entirely).
// False on W^X or when memory runs out.
bool userMap(uint64_t va, uint64_t len, int p, bool populate = false,
             bool zero = true);
// Maps frames owned by someone else (a memfd's pages) at va with rights
// `p`, never executable (a second, writable view or write(2) could change
// the code: a W+X alias); each mapping holds a reference (pmm shareFrame).
bool userMapShared(uint64_t va, const uint64_t *frames, size_t count, int p);
// Changes the rights of mapped pages; false if a page is unmapped, W^X, or
// shared and asked to become executable. `flush` false leaves the TLB to
// the caller (one mm::flushTlbAll after many pages).
bool userProtect(uint64_t va, uint64_t len, int p, bool flush = true);
void userUnmap(uint64_t va, uint64_t len);
// Whether a page of the range maps shared (memfd) frames.
bool userRangeShared(uint64_t va, uint64_t len);
// Frees the frames but keeps the mapping: the next touch sees zeros
// (MADV_DONTNEED on private memory).
void userDiscard(uint64_t va, uint64_t len);
bool userRangeFree(uint64_t va, uint64_t len);
// Checks that every byte of [va, va+len) is mapped with the needed rights
// and faults the pages in, so the kernel may then access them directly.
// This is how syscalls validate user pointers (false -> EFAULT).
bool userPopulate(uint64_t va, uint64_t len, bool write);
// A read-write, non-executable region whose page-table entries are created
// on first touch (the stack reserve): reserving it costs nothing, while
// writing one entry per page up front is slow under shadow paging.
void userSetLazyRegion(uint64_t start, uint64_t end);
// Demand paging (arch/trap.h hook): true if the fault was resolved.
bool userPageFault(uint64_t addr, uint64_t error);
// Bytes of user memory backed by frames right now, and at most so far.
uint64_t userResidentBytes();
uint64_t userPeakResidentBytes();

} // namespace gts::mm

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
inline constexpr uint64_t UserTop = 0x0000800000000000ull;

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
// `p`; unmapping never frees them. Two mappings of the same frames, one
// RW and one RX, are how a JIT stays W^X without mprotect flips.
bool userMapShared(uint64_t va, const uint64_t *frames, size_t count, int p);
// Changes the rights of mapped pages; false if a page is unmapped or W^X.
bool userProtect(uint64_t va, uint64_t len, int p);
void userUnmap(uint64_t va, uint64_t len);
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

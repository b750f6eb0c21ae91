// 4-level page tables. One address space: the kernel in the upper half
// (direct map of physical memory at PhysMapBase, image at -2 GiB), the one
// user program in the lower half.
#pragma once
#include <stdint.h>

namespace gts::mm {

namespace pte {
inline constexpr uint64_t Present = 1, Write = 2, User = 4, Huge = 0x80,
                          Global = 0x100;
// Software bits: a user page that belongs to a mapping. When not present,
// SwRead says it may be touched (faulted in) and SwHasFrame that the address
// field still holds its frame (PROT_NONE over a populated page).
inline constexpr uint64_t SwMapped = 1ull << 9, SwHasFrame = 1ull << 10,
                          SwRead = 1ull << 11;
// SwShared: the frame belongs to someone else (a memfd), never freed here.
inline constexpr uint64_t SwShared = 1ull << 52;
inline constexpr uint64_t NoExec = 1ull << 63;
inline constexpr uint64_t AddrMask = 0x000FFFFFFFFFF000ull;
} // namespace pte

// Kernel stacks live here, 4 KiB pages each under an unmapped guard page:
// an overflow faults (a double fault on the IST stack) instead of silently
// overwriting the next stack.
inline constexpr uint64_t KernelStackBase = 0xFFFFFE0000000000ull;

void pagingInit();
// Write access to a frame through the direct map: off while ring 3 may
// execute the frame, so that no frame is ever writable through one mapping
// and executable through another (mm/wx_audit.h). Splits the frame's 2 MiB
// page on first use (into a page-table frame reserved at boot). `flush`
// false leaves the (global) TLB entry to a later flushTlbAll.
void setFrameWritable(uint64_t pa, bool writable, bool flush = true);
// Flushes every TLB entry, global ones included.
void flushTlbAll();
// A fresh kernel stack of `bytes` (page multiple) with a guard page below;
// returns its top, 0 when memory runs out.
uint64_t allocKernelStack(uint64_t bytes);
// Leaf (4 KiB) entry for `va`, creating the intermediate tables if asked;
// null if absent (or under a huge page).
uint64_t *pteFor(uint64_t va, bool create);

} // namespace gts::mm

// Physical page frames, from the E820 map: a bitmap over the first 4 GiB
// (enough for the 256 MiB guest; memory above 4 GiB is ignored).
#pragma once
#include "boot/boot_info.h"
#include <stddef.h>
#include <stdint.h>

namespace gts::mm {

inline constexpr uint64_t PageSize = 4096;
inline constexpr uint64_t KernelBase = 0xFFFFFFFF80000000ull;
// All physical memory is mapped here once paging is up (mm/paging.h).
inline constexpr uint64_t PhysMapBase = 0xFFFF800000000000ull;

void pmmInit(const boot::BootInfo &info);
// Zeroed frames; 0 when memory is exhausted.
uint64_t allocFrame();
uint64_t allocFrames(size_t count); // physically contiguous
// A frame the caller overwrites entirely (for instance by DMA).
uint64_t allocFrameUninitialized();
// `count` zeroed single frames into out[]; false (none kept) if memory runs
// out. Zeroing goes through the frame zeroer, in one batch.
bool allocZeroedFrames(uint64_t *out, size_t count);
// Replaces CPU zeroing (rep stosq) for allocZeroedFrames, e.g. by DMA,
// which is much cheaper where guest kernel code is emulated.
using FrameZeroer = bool (*)(const uint64_t *frames, size_t count);
void setFrameZeroer(FrameZeroer z);
// CPU zeroing of one frame, for comparisons.
void zeroFrameCpu(uint64_t phys);
// Frees a frame, or drops one reference taken by shareFrame.
void freeFrame(uint64_t phys);
// One more holder of an allocated frame (a memfd page mapped MAP_SHARED):
// the frame is freed when every holder has called freeFrame.
void shareFrame(uint64_t phys);
size_t freeFrameCount();
uint64_t physTop(); // end of the highest usable byte

// Kernel pointer for a physical address (the direct map; before it exists,
// the boot mirror at -2 GiB, which covers the first GiB).
void *physToVirt(uint64_t phys);
// Physical address of a kernel pointer (direct map or kernel image).
uint64_t virtToPhys(const void *p);
// Switches physToVirt to the direct map (called by pagingInit).
void usePhysMap();

} // namespace gts::mm

#include "mm/pmm.h"
#include "arch/trap.h"

extern "C" char __kernel_end[];

namespace gts::mm {
namespace {

constexpr uint64_t MaxFrames = (4ull << 30) / PageSize;
uint64_t bitmap[MaxFrames / 64]; // 1 = used
uint64_t frameLimit;             // frames below this may be free
uint64_t freeCount;
uint64_t searchHint;
uint64_t physOffset = KernelBase;
uint64_t top;
// Extra holders per frame (shareFrame), frameLimit entries; 32 bits cannot
// overflow (each holder is a page-table entry).
uint64_t sharesPhys;
// Through physToVirt each time: the boot mirror goes away with pagingInit.
uint32_t *shares() { return static_cast<uint32_t *>(physToVirt(sharesPhys)); }

bool isUsed(uint64_t f) { return bitmap[f / 64] >> (f % 64) & 1; }
void setUsed(uint64_t f) { bitmap[f / 64] |= 1ull << (f % 64); }
void setFree(uint64_t f) { bitmap[f / 64] &= ~(1ull << (f % 64)); }

} // namespace

// Frees [first, end) a word at a time where it can: under an emulating
// hypervisor every loop iteration counts.
void freeRange(uint64_t first, uint64_t end) {
  for (uint64_t f = first; f < end;) {
    if (f % 64 == 0 && end - f >= 64) {
      bitmap[f / 64] = 0;
      f += 64;
    } else {
      setFree(f++);
    }
  }
}

void pmmInit(const boot::BootInfo &info) {
  // Low memory holds the BIOS data, stage 2's tables and BootInfo; the
  // kernel image follows at 1 MiB.
  uint64_t firstFree =
      (uint64_t(__kernel_end) - KernelBase + PageSize - 1) / PageSize;
  for (uint32_t i = 0; i < info.e820Count && i < boot::E820Max; ++i) {
    const boot::E820Entry &e = info.e820[i];
    uint64_t end = (e.base + e.length) / PageSize;
    if (e.type == boot::E820Usable && end > frameLimit)
      frameLimit = end < MaxFrames ? end : MaxFrames;
  }
  // Everything used, then the usable ranges freed.
  uint64_t words = (frameLimit + 63) / 64, *w = bitmap;
  asm volatile("rep stosq" : "+D"(w), "+c"(words) : "a"(~0ull) : "memory");
  for (uint32_t i = 0; i < info.e820Count && i < boot::E820Max; ++i) {
    const boot::E820Entry &e = info.e820[i];
    if (e.type != boot::E820Usable)
      continue;
    uint64_t first = (e.base + PageSize - 1) / PageSize;
    uint64_t end = (e.base + e.length) / PageSize;
    if (end > frameLimit)
      end = frameLimit;
    if (first < firstFree)
      first = firstFree;
    if (first >= end)
      continue;
    freeRange(first, end);
    freeCount += end - first;
    if (end * PageSize > top)
      top = end * PageSize;
  }
  searchHint = firstFree;
  uint64_t shareBytes = frameLimit * sizeof(uint32_t);
  uint64_t first = allocFrames((shareBytes + PageSize - 1) / PageSize);
  if (!first)
    arch::panic("pmm: no memory for the frame share counts");
  sharesPhys = first;
}

namespace {

// One `rep stosq`: emulating hypervisors (kvm-pvm) run it as one
// instruction instead of thousands.
void zero(void *p, size_t bytes) {
  size_t words = bytes / 8;
  asm volatile("rep stosq" : "+D"(p), "+c"(words) : "a"(0) : "memory");
}

uint64_t take(size_t count, bool zeroed) {
  uint64_t run = 0;
  for (uint64_t pass = 0; pass < 2; ++pass) {
    uint64_t start = pass ? 0 : searchHint;
    run = 0;
    for (uint64_t f = start; f < frameLimit; ++f) {
      if (count == 1 && (f % 64) == 0 && bitmap[f / 64] == ~0ull) {
        f += 63; // skip full words quickly
        continue;
      }
      if (isUsed(f)) {
        run = 0;
        continue;
      }
      if (++run == count) {
        uint64_t first = f + 1 - count;
        for (uint64_t g = first; g <= f; ++g)
          setUsed(g);
        freeCount -= count;
        searchHint = f + 1;
        if (zeroed)
          zero(physToVirt(first * PageSize), count * PageSize);
        return first * PageSize;
      }
    }
  }
  return 0;
}

} // namespace

uint64_t allocFrames(size_t count) { return take(count, true); }
uint64_t allocFrame() { return take(1, true); }
uint64_t allocFrameUninitialized() { return take(1, false); }

static FrameZeroer zeroer;
void setFrameZeroer(FrameZeroer z) { zeroer = z; }
void zeroFrameCpu(uint64_t phys) { zero(physToVirt(phys), PageSize); }

bool allocZeroedFrames(uint64_t *out, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    out[i] = take(1, !zeroer);
    if (!out[i]) {
      while (i--)
        freeFrame(out[i]);
      return false;
    }
  }
  if (zeroer && !zeroer(out, count))
    for (size_t i = 0; i < count; ++i)
      zeroFrameCpu(out[i]); // the device failed: fall back to the CPU
  return true;
}

void shareFrame(uint64_t phys) {
  uint64_t f = phys / PageSize;
  if (f < frameLimit)
    ++shares()[f];
}

void freeFrame(uint64_t phys) {
  uint64_t f = phys / PageSize;
  if (f < frameLimit && shares()[f]) {
    --shares()[f];
    return;
  }
  if (f < frameLimit && isUsed(f)) {
    setFree(f);
    ++freeCount;
    if (f < searchHint)
      searchHint = f;
  }
}

size_t freeFrameCount() { return freeCount; }
uint64_t physTop() { return top; }

void *physToVirt(uint64_t phys) {
  return reinterpret_cast<void *>(phys + physOffset);
}

uint64_t virtToPhys(const void *p) {
  uint64_t v = uint64_t(p);
  return v >= KernelBase ? v - KernelBase : v - PhysMapBase;
}

void usePhysMap() { physOffset = PhysMapBase; }

} // namespace gts::mm

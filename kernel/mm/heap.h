// Kernel heap: a boundary-tag allocator with segregated free lists
// (two-level size classes, O(1) bin search through bitmaps) and immediate
// coalescing. Works on any memory regions handed to it; when they are full
// it asks a grow callback for more (for instance fresh page frames).
// Every pointer it returns is 16-byte aligned. Not thread-safe: the kernel
// serialises calls (single core, interrupts off or a lock around it).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gts::mm {

class Heap {
public:
  // Returns a new region of at least `minBytes` bytes (or null) through
  // *base/*size. Called when no free block fits a request.
  using GrowFn = bool (*)(void *ctx, size_t minBytes, void **base,
                          size_t *size);

  // Starts with one region (may be empty: base null, size 0).
  void init(void *base, size_t size);
  // Adds memory; regions need not be contiguous. Too-small regions ignored.
  void addRegion(void *base, size_t size);
  void setGrow(GrowFn fn, void *ctx) {
    grow_ = fn;
    growCtx_ = ctx;
  }

  void *malloc(size_t size);
  void free(void *p);
  void *realloc(void *p, size_t size);
  void *calloc(size_t count, size_t size);
  // `align` must be a power of two; values below 16 mean 16.
  void *alignedAlloc(size_t align, size_t size);
  size_t usableSize(const void *p) const;

  struct Stats {
    size_t totalBytes; // all regions, including headers
    size_t freeBytes;  // sum of free blocks (payload + header)
    size_t largestFree;
    size_t usedBlocks;
  };
  Stats stats() const;
  // Walks every region checking headers, tags and list links; false on
  // corruption. For tests and debug builds.
  bool check() const;

private:
  static constexpr unsigned FirstLevels = 48;
  static constexpr unsigned SubBits = 3; // 8 classes per power of two
  struct Block;
  struct Region;

  Block *findFit(size_t size);
  void insertFree(Block *b);
  void removeFree(Block *b);
  Block *split(Block *b, size_t size);
  Block *merge(Block *b);
  bool growFor(size_t size);
  static void mapping(size_t size, unsigned *fl, unsigned *sl);

  uint64_t flBitmap_ = 0;
  uint8_t slBitmap_[FirstLevels] = {};
  Block *bins_[FirstLevels][1u << SubBits] = {};
  Region *regions_ = nullptr;
  GrowFn grow_ = nullptr;
  void *growCtx_ = nullptr;
};

} // namespace gts::mm

#include "mm/heap.h"
#include "lib/string.h"

namespace gts::mm {

namespace {
constexpr size_t Align = 16;
constexpr size_t HeaderSize = 16;
constexpr size_t MinBlock = 32;    // header + the two free-list links
constexpr size_t SmallLimit = 256; // below: 32-byte classes in first level 0
constexpr size_t FreeBit = 1, FirstBit = 2, FlagMask = 15;

size_t alignUp(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }

unsigned log2(size_t v) { return 63u - unsigned(__builtin_clzll(v)); }
} // namespace

// Boundary tag. prevSize is kept up to date for every block, so the previous
// neighbour is always reachable for coalescing.
struct Heap::Block {
  size_t prevSize;
  size_t sizeFlags;
  Block *next, *prev; // free blocks only (overlap the payload)

  size_t size() const { return sizeFlags & ~FlagMask; }
  bool isFree() const { return sizeFlags & FreeBit; }
  bool isFirst() const { return sizeFlags & FirstBit; }
  void setSize(size_t s) { sizeFlags = s | (sizeFlags & FlagMask); }
  void setFree(bool f) {
    sizeFlags = f ? sizeFlags | FreeBit : sizeFlags & ~FreeBit;
  }
  Block *after() {
    return reinterpret_cast<Block *>(reinterpret_cast<char *>(this) + size());
  }
  Block *before() {
    return reinterpret_cast<Block *>(reinterpret_cast<char *>(this) - prevSize);
  }
  void *payload() { return reinterpret_cast<char *>(this) + HeaderSize; }
  static Block *of(const void *p) {
    return reinterpret_cast<Block *>(
        const_cast<char *>(static_cast<const char *>(p)) - HeaderSize);
  }
};

// Start of each region; its blocks follow, ended by a zero-size used block.
struct Heap::Region {
  Region *next;
  size_t size; // bytes from this header to the end of the sentinel
  Block *first() {
    return reinterpret_cast<Block *>(reinterpret_cast<char *>(this) +
                                     sizeof(Region));
  }
  char *end() { return reinterpret_cast<char *>(this) + size; }
};

void Heap::mapping(size_t size, unsigned *fl, unsigned *sl) {
  if (size < SmallLimit) {
    *fl = 0;
    *sl = unsigned(size / 32);
    return;
  }
  unsigned f = log2(size);
  *fl = f - 7;
  *sl = unsigned(size >> (f - SubBits)) & ((1u << SubBits) - 1);
}

void Heap::insertFree(Block *b) {
  unsigned fl, sl;
  mapping(b->size(), &fl, &sl);
  b->setFree(true);
  b->prev = nullptr;
  b->next = bins_[fl][sl];
  if (b->next)
    b->next->prev = b;
  bins_[fl][sl] = b;
  flBitmap_ |= 1ull << fl;
  slBitmap_[fl] |= uint8_t(1u << sl);
}

void Heap::removeFree(Block *b) {
  unsigned fl, sl;
  mapping(b->size(), &fl, &sl);
  if (b->next)
    b->next->prev = b->prev;
  if (b->prev)
    b->prev->next = b->next;
  else
    bins_[fl][sl] = b->next;
  if (!bins_[fl][sl]) {
    slBitmap_[fl] &= uint8_t(~(1u << sl));
    if (!slBitmap_[fl])
      flBitmap_ &= ~(1ull << fl);
  }
  b->setFree(false);
}

// A free block of at least `size` bytes, found in O(1): the request is
// rounded up to its class's upper bound so any block in the bin fits.
Heap::Block *Heap::findFit(size_t size) {
  size_t rounded = size < SmallLimit
                       ? alignUp(size, 32)
                       : size + (size_t(1) << (log2(size) - SubBits)) - 1;
  unsigned fl, sl;
  mapping(rounded, &fl, &sl);
  if (fl >= FirstLevels)
    return nullptr;
  unsigned slMap = slBitmap_[fl] & (~0u << sl);
  if (!slMap) {
    uint64_t flMap = fl + 1 < 64 ? flBitmap_ & (~0ull << (fl + 1)) : 0;
    if (!flMap)
      return nullptr;
    fl = unsigned(__builtin_ctzll(flMap));
    slMap = slBitmap_[fl];
  }
  return bins_[fl][__builtin_ctz(slMap)];
}

// Coalesces a block that is not in any list with free neighbours.
Heap::Block *Heap::merge(Block *b) {
  if (!b->isFirst() && b->before()->isFree()) {
    Block *p = b->before();
    removeFree(p);
    p->setSize(p->size() + b->size());
    b = p;
  }
  Block *n = b->after();
  if (n->isFree()) {
    removeFree(n);
    b->setSize(b->size() + n->size());
  }
  b->after()->prevSize = b->size();
  return b;
}

// Cuts `b` (in use) down to `size`, returning the tail to the free lists.
Heap::Block *Heap::split(Block *b, size_t size) {
  if (b->size() - size < MinBlock)
    return b;
  auto *rest = reinterpret_cast<Block *>(reinterpret_cast<char *>(b) + size);
  rest->sizeFlags = b->size() - size;
  rest->prevSize = size;
  b->setSize(size);
  insertFree(merge(rest));
  return b;
}

void Heap::init(void *base, size_t size) {
  flBitmap_ = 0;
  lib::memFill(slBitmap_, 0, sizeof(slBitmap_));
  lib::memFill(bins_, 0, sizeof(bins_));
  regions_ = nullptr;
  addRegion(base, size);
}

void Heap::addRegion(void *base, size_t size) {
  uintptr_t start = alignUp(reinterpret_cast<uintptr_t>(base), Align);
  if (!base || size < start - reinterpret_cast<uintptr_t>(base) +
                          sizeof(Region) + MinBlock + HeaderSize)
    return;
  size = (size - (start - reinterpret_cast<uintptr_t>(base))) & ~(Align - 1);
  // Memory right after a region (as fresh pages usually are) extends it:
  // the old sentinel becomes the header of the new free space.
  for (Region *r = regions_; r; r = r->next) {
    if (reinterpret_cast<uintptr_t>(r->end()) != start)
      continue;
    auto *b = reinterpret_cast<Block *>(r->end() - HeaderSize);
    b->sizeFlags = size;
    r->size += size;
    auto *sentinel = b->after();
    sentinel->sizeFlags = 0;
    sentinel->prevSize = size;
    insertFree(merge(b));
    return;
  }
  auto *r = reinterpret_cast<Region *>(start);
  r->size = size;
  r->next = regions_;
  regions_ = r;
  Block *b = r->first();
  b->prevSize = 0;
  b->sizeFlags = (size - sizeof(Region) - HeaderSize) | FirstBit;
  Block *sentinel = b->after();
  sentinel->sizeFlags = 0;
  sentinel->prevSize = b->size();
  insertFree(b);
}

bool Heap::growFor(size_t size) {
  void *base;
  size_t got;
  if (!grow_ ||
      !grow_(growCtx_, size + sizeof(Region) + HeaderSize + Align, &base, &got))
    return false;
  addRegion(base, got);
  return true;
}

namespace {
// Block size for a payload of `n` bytes; 0 if it cannot be represented.
size_t blockFor(size_t n) {
  if (n > (size_t(1) << 60))
    return 0;
  size_t s = alignUp(n ? n : 1, Align) + HeaderSize;
  return s < MinBlock ? MinBlock : s;
}
} // namespace

void *Heap::malloc(size_t n) {
  size_t size = blockFor(n);
  if (!size)
    return nullptr;
  Block *b = findFit(size);
  if (!b && growFor(size))
    b = findFit(size);
  if (!b)
    return nullptr;
  removeFree(b);
  return split(b, size)->payload();
}

void Heap::free(void *p) {
  if (!p)
    return;
  Block *b = Block::of(p);
  if (b->isFree())
    return; // double free: keep the lists intact
  insertFree(merge(b));
}

void *Heap::calloc(size_t count, size_t size) {
  if (size && count > size_t(-1) / size)
    return nullptr;
  void *p = malloc(count * size);
  if (p)
    lib::memFill(p, 0, count * size);
  return p;
}

void *Heap::realloc(void *p, size_t n) {
  if (!p)
    return malloc(n);
  if (n == 0) {
    free(p);
    return nullptr;
  }
  size_t size = blockFor(n);
  if (!size)
    return nullptr;
  Block *b = Block::of(p);
  Block *next = b->after();
  if (size > b->size() && next->isFree() &&
      b->size() + next->size() >= size) { // grow in place
    removeFree(next);
    b->setSize(b->size() + next->size());
    b->after()->prevSize = b->size();
  }
  if (size <= b->size())
    return split(b, size)->payload();
  void *q = malloc(n);
  if (q) {
    lib::memCopy(q, p, b->size() - HeaderSize);
    free(p);
  }
  return q;
}

void *Heap::alignedAlloc(size_t align, size_t n) {
  if (align & (align - 1))
    return nullptr;
  if (align <= Align)
    return malloc(n);
  size_t size = blockFor(n);
  if (!size || align > (size_t(1) << 40))
    return nullptr;
  // Room to move the payload to the boundary and leave a free block before.
  size_t need = size + align + MinBlock;
  Block *b = findFit(need);
  if (!b && growFor(need))
    b = findFit(need);
  if (!b)
    return nullptr;
  removeFree(b);
  auto payload = reinterpret_cast<uintptr_t>(b->payload());
  uintptr_t aligned = alignUp(payload, align);
  if (aligned != payload) {
    if (aligned - payload < MinBlock)
      aligned += align;
    size_t gap = aligned - payload;
    auto *a = reinterpret_cast<Block *>(reinterpret_cast<char *>(b) + gap);
    a->sizeFlags = b->size() - gap;
    a->prevSize = gap;
    a->after()->prevSize = a->size();
    b->setSize(gap);
    insertFree(b); // its predecessor is in use: b was maximal
    b = a;
  }
  return split(b, size)->payload();
}

size_t Heap::usableSize(const void *p) const {
  return p ? Block::of(p)->size() - HeaderSize : 0;
}

Heap::Stats Heap::stats() const {
  Stats s{};
  for (Region *r = regions_; r; r = r->next) {
    s.totalBytes += r->size;
    for (Block *b = r->first(); b->size(); b = b->after()) {
      if (!b->isFree()) {
        ++s.usedBlocks;
        continue;
      }
      s.freeBytes += b->size();
      if (b->size() > s.largestFree)
        s.largestFree = b->size();
    }
  }
  return s;
}

bool Heap::check() const {
  size_t freeBlocks = 0;
  for (Region *r = regions_; r; r = r->next) {
    size_t prev = 0;
    bool prevFree = false;
    Block *b = r->first();
    for (; b->size(); b = b->after()) {
      if (b->prevSize != prev || (b == r->first()) != b->isFirst() ||
          b->size() % Align || b->size() < MinBlock ||
          reinterpret_cast<char *>(b) + b->size() + HeaderSize > r->end() ||
          (prevFree && b->isFree())) // free neighbours must have merged
        return false;
      freeBlocks += b->isFree();
      prev = b->size();
      prevFree = b->isFree();
    }
    if (b->prevSize != prev || b->isFree() ||
        reinterpret_cast<char *>(b) + HeaderSize != r->end())
      return false;
  }
  // Every free block sits in the bin its size maps to, exactly once.
  for (unsigned fl = 0; fl < FirstLevels; ++fl)
    for (unsigned sl = 0; sl < (1u << SubBits); ++sl) {
      bool bit = (flBitmap_ >> fl & 1) && (slBitmap_[fl] >> sl & 1);
      if (bit != (bins_[fl][sl] != nullptr))
        return false;
      Block *prev = nullptr;
      for (Block *b = bins_[fl][sl]; b; prev = b, b = b->next) {
        unsigned f, s;
        mapping(b->size(), &f, &s);
        if (!b->isFree() || b->prev != prev || f != fl || s != sl ||
            freeBlocks-- == 0)
          return false;
      }
    }
  return freeBlocks == 0;
}

} // namespace gts::mm

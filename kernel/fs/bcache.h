// Write-back sector cache (the role of xv6's bio.c). Lines are tagged by
// kind: file data may leave the cache whenever a line is needed, but
// directory sectors (metadata) stay pinned until the commit layer writes
// them in their turn, after the data and the FAT they point to.
#pragma once
#include "block_device.h"
#include <stdint.h>

namespace gts::fs {

inline constexpr uint32_t CacheSectors = 64;

class BufferCache {
public:
  enum Kind : uint8_t { Data, Meta };

  void reset(BlockDevice *dev);
  // The cached sector at `lba` (read on a miss). With `forWrite` the line
  // becomes dirty and takes `kind`. nullptr on an I/O error, or when every
  // line holds unwritten metadata: full() then says so and the caller must
  // commit before asking again. Pointers stay valid until the next call.
  uint8_t *get(uint64_t lba, bool forWrite, Kind kind);
  bool full() const { return full_; }
  // Direct reads must see cached sectors, which are newer than the disk.
  void overlay(uint64_t lba, uint32_t count, uint8_t *buf) const;
  // A direct write replaces whole sectors: cached copies are now stale.
  void drop(uint64_t lba, uint32_t count);
  bool hasDirty(Kind kind) const;
  // Writes every dirty line of `kind` (no flush); false on an I/O error.
  bool writeBack(Kind kind, bool *wrote);

private:
  struct Line {
    uint64_t lba;
    uint32_t age;
    bool valid, dirty;
    Kind kind;
    uint8_t data[SectorSize];
  };
  Line *victim();

  BlockDevice *dev_ = nullptr;
  uint32_t tick_ = 0;
  bool full_ = false;
  Line lines_[CacheSectors];
};

} // namespace gts::fs

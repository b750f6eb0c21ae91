// The file allocation table, kept in memory twice: the live table that the
// file system edits (mem) and the table as it is on the disk (disk). Their
// difference is what the next commit must write, in two steps so that no
// cluster a directory entry on the disk still uses is ever freed first:
//
// - Union view: new allocations and chain extensions, with every cluster
//   that the disk's directories may still use kept as it is on the disk.
//   Written before the directory sectors.
// - Final view: the live table (frees and truncations). Written after.
//
// A cluster is allocatable only if it is free in both tables, so data for a
// new file never lands in a cluster that the disk still gives to another.
//
// FAT[1] bit 15 is the FAT spec's "clean shutdown" bit: cleared on the disk
// while a commit is under way, set again when it completed.
#pragma once
#include "block_device.h"
#include <stdint.h>

namespace gts::fs {

class FatTable {
public:
  static constexpr uint16_t CleanBit = 0x8000;
  static constexpr uint32_t Entries = 65536;
  enum View { Union, Final };

  // Reads `sectors` sectors of FAT #1 into both tables.
  bool load(BlockDevice &dev, uint64_t lba, uint32_t sectors);
  void setLayout(uint64_t lba, uint32_t fatSectors, uint32_t copies,
                 uint32_t usedSectors) {
    lba_ = lba, fatSectors_ = fatSectors, copies_ = copies;
    used_ = usedSectors;
  }

  uint32_t usedSectors() const { return used_; }
  uint16_t get(uint32_t c) const { return mem_[c]; }
  void set(uint32_t c, uint16_t v) { mem_[c] = v; }
  bool allocatable(uint32_t c) const { return mem_[c] == 0 && disk_[c] == 0; }
  // True when the disk links `c` onward and the live table changed that
  // link: the disk's chain must be committed before `c` links elsewhere.
  bool relinks(uint32_t c) const {
    return disk_[c] && disk_[c] < 0xFFF8 && mem_[c] != disk_[c];
  }
  // Clusters freed in memory that the disk still marks in use.
  bool freesPending() const;
  // Whether any entry differs between the tables (entry 1 aside).
  bool pending() const;
  bool diskDirty() const { return !(disk_[1] & CleanBit); }

  // Writes every sector whose `view` differs from the disk to all copies,
  // then takes it as the disk's. *wrote tells whether anything was written.
  bool write(BlockDevice &dev, View view, bool *wrote);
  // Rewrites sector 0 of every copy with the clean bit set or cleared.
  bool writeFlag(BlockDevice &dev, bool clean);
  // Sector `s` of copy `copy` as the disk has it, compared with the disk
  // table; rewritten from it when different. -1 on I/O error, else 0 or 1.
  int syncCopy(BlockDevice &dev, uint32_t copy, uint32_t s);

private:
  uint16_t value(uint32_t c, View view) const;
  bool writeSector(BlockDevice &dev, uint32_t s, const uint16_t *entries);

  uint64_t lba_ = 0;
  uint32_t fatSectors_ = 0, copies_ = 0, used_ = 0;
  uint16_t mem_[Entries];
  uint16_t disk_[Entries];
};

} // namespace gts::fs

#include "fs/fat_table.h"
#include "lib/string.h"

namespace gts::fs {

namespace {
constexpr uint32_t PerSector = SectorSize / 2;
bool isEnd(uint16_t v) { return v >= 0xFFF8; }
} // namespace

bool FatTable::load(BlockDevice &dev, uint64_t lba, uint32_t sectors) {
  lib::memFill(mem_, 0, sizeof(mem_));
  lib::memFill(disk_, 0, sizeof(disk_));
  if (!dev.read(lba, sectors, disk_))
    return false;
  lib::memCopy(mem_, disk_, sizeof(mem_));
  mem_[1] |= CleanBit; // the live table always says clean
  return true;
}

// Union: what the disk's directories may still use stays as on the disk;
// allocations and extensions of an end-of-chain are taken from memory.
uint16_t FatTable::value(uint32_t c, View view) const {
  if (c == 1)
    return disk_[1]; // only writeFlag changes the flag
  uint16_t d = disk_[c], m = mem_[c];
  if (view == Final || d == 0)
    return m;
  if (m == 0)
    return d;
  return isEnd(d) ? m : d;
}

bool FatTable::freesPending() const {
  for (uint32_t c = 2; c < used_ * PerSector; ++c)
    if (mem_[c] == 0 && disk_[c] != 0)
      return true;
  return false;
}

bool FatTable::pending() const {
  for (uint32_t c = 0; c < used_ * PerSector; ++c)
    if (c != 1 && mem_[c] != disk_[c])
      return true;
  return false;
}

bool FatTable::writeSector(BlockDevice &dev, uint32_t s,
                           const uint16_t *entries) {
  for (uint32_t k = 0; k < copies_; ++k)
    if (!dev.write(lba_ + k * fatSectors_ + s, 1, entries))
      return false;
  return true;
}

bool FatTable::write(BlockDevice &dev, View view, bool *wrote) {
  *wrote = false;
  uint16_t buf[PerSector];
  for (uint32_t s = 0; s < used_; ++s) {
    bool differs = false;
    for (uint32_t i = 0; i < PerSector; ++i) {
      buf[i] = value(s * PerSector + i, view);
      differs |= buf[i] != disk_[s * PerSector + i];
    }
    if (!differs)
      continue;
    if (!writeSector(dev, s, buf))
      return false;
    lib::memCopy(disk_ + s * PerSector, buf, sizeof(buf));
    *wrote = true;
  }
  return true;
}

bool FatTable::writeFlag(BlockDevice &dev, bool clean) {
  uint16_t buf[PerSector];
  lib::memCopy(buf, disk_, sizeof(buf));
  buf[1] = clean ? uint16_t(mem_[1] | CleanBit) : uint16_t(mem_[1] & ~CleanBit);
  if (!writeSector(dev, 0, buf))
    return false;
  disk_[1] = buf[1];
  return true;
}

int FatTable::syncCopy(BlockDevice &dev, uint32_t copy, uint32_t s) {
  uint16_t buf[PerSector];
  if (!dev.read(lba_ + copy * fatSectors_ + s, 1, buf))
    return -1;
  if (lib::memCompare(buf, disk_ + s * PerSector, sizeof(buf)) == 0)
    return 0;
  bool ok = dev.write(lba_ + copy * fatSectors_ + s, 1, disk_ + s * PerSector);
  return ok ? 1 : -1;
}

} // namespace gts::fs

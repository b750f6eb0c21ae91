// Mount-time check and repair of a volume that was not cleanly unmounted
// (FAT[1]'s clean bit cleared in either FAT copy). The commit protocol
// (commit.cpp) limits what power loss can leave behind; this undoes it:
//
// - FAT #2 differs from FAT #1: FAT #1 is always the newer copy (both are
//   written in one step, #1 first), so #2 is rewritten from it.
// - A chain longer than its file needs (grown, size not yet on the disk;
//   or cut in memory, FAT not yet on the disk): cut to the size.
// - A chain shorter than its file's size, or through a free cluster: the
//   size is cut to the chain.
// - Two entries using one cluster (a rename between its two commits): the
//   entry found second is erased.
// - LFN slots without their 8.3 entry: erased.
// - Clusters in use in the FAT that no entry uses: freed.
//
// Then everything is committed and the volume marked clean.
#include "fs/fat16.h"
#include "fs/fat_bytes.h"
#include "lib/string.h"

namespace gts::fs {

namespace {
constexpr uint8_t AttrVolume = 0x08, AttrDir = 0x10, AttrLfn = 0x0F;
constexpr uint16_t EndOfChain = 0xFFFF, BadCluster = 0xFFF7;
constexpr uint32_t MaxDirSlots = 65536;
} // namespace

int Fat16::repair() {
  bool dirty = fat_.diskDirty();
  for (uint32_t k = 1; k < numFats_ && !dirty; ++k) {
    uint8_t s0[SectorSize];
    if (rawIO(start_ + fatLba_ + k * fatSectors_, 1, s0, false))
      return err::IO;
    dirty = !(rd16(s0 + 2) & FatTable::CleanBit);
  }
  if (!dirty)
    return 0;
  repair_.wasDirty = true;
  if (int r = repairFats())
    return r;
  lib::memFill(used_, 0, sizeof(used_));
  queueFull_ = false;
  uint32_t queued = 0;
  if (int r = repairDir(&root_, &queued))
    return r;
  for (uint32_t i = 0; i < queued; ++i) {
    Node d{};
    d.refs = 1;
    d.isDir = true;
    d.firstCluster = dirQueue_[i];
    if (int r = repairDir(&d, &queued))
      return r;
  }
  // With directories left unvisited, unused-looking clusters may be theirs.
  for (uint32_t c = 2; !queueFull_ && c < clusterCount_ + 2; ++c)
    if (!(used_[c / 8] & (1 << c % 8)) && fat_.get(c) &&
        fat_.get(c) != BadCluster) {
      fat_.set(c, 0);
      ++repair_.lostClusters;
    }
  return commit(true);
}

int Fat16::repairFats() {
  for (uint32_t k = 1; k < numFats_; ++k)
    for (uint32_t s = 0; s < fat_.usedSectors(); ++s) {
      int r = fat_.syncCopy(*dev_, k, s);
      if (r < 0)
        return err::IO;
      repair_.fatSectors += uint32_t(r);
    }
  return 0;
}

bool Fat16::usable(uint16_t c) const {
  return validCluster(c) && fat_.get(c) && fat_.get(c) != BadCluster &&
         !(used_[c / 8] & (1 << c % 8));
}

// Marks up to `need` clusters of the chain at `c` as used and ends the
// chain there; *cut tells whether the chain went on (or broke) after them.
uint32_t Fat16::keepChain(uint16_t c, uint32_t need, bool *cut) {
  uint32_t k = 0;
  uint16_t last = 0;
  *cut = false;
  while (k < need && usable(c)) {
    used_[c / 8] |= uint8_t(1 << c % 8);
    ++k;
    last = c;
    c = fat_.get(c);
    if (c >= 0xFFF8)
      return k;
  }
  if (last) {
    fat_.set(last, EndOfChain);
    *cut = true;
  }
  return k;
}

int Fat16::eraseSlots(Node *dir, uint32_t from, uint32_t to) {
  for (uint32_t s = from; s <= to; ++s) {
    uint64_t lba;
    if (int r = dirSlot(dir, s, false, &lba))
      return r;
    uint8_t *p = dirSector(lba, true);
    if (!p)
      return err::IO;
    p[(s % 16) * 32] = 0xE5;
  }
  return 0;
}

// Scans every slot, past end-of-directory marks too (as fsck.fat does):
// directory sectors of one commit may reach the disk in any order, so a
// later sector can hold entries while an earlier one still ends the
// directory. Such marks before live entries become free slots.
int Fat16::repairDir(Node *dir, uint32_t *queued) {
  int expect = -1; // LFN order expected next; -1: no LFN run open
  uint32_t lfnStart = 0, firstEnd = MaxDirSlots;
  uint8_t sum = 0;
  for (uint32_t slot = 0; slot < MaxDirSlots; ++slot) {
    uint64_t lba;
    int r = dirSlot(dir, slot, false, &lba);
    if (r)
      return r == err::NoEnt ? 0 : r;
    const uint8_t *s = dirSector(lba, false);
    if (!s)
      return err::IO;
    uint8_t e[32];
    lib::memCopy(e, s + (slot % 16) * 32, 32);
    bool live = e[0] != 0 && e[0] != 0xE5;
    if (e[0] == 0 && firstEnd == MaxDirSlots)
      firstEnd = slot;
    if (live && firstEnd < slot) {
      repair_.endMarks += slot - firstEnd;
      if (int r = eraseSlots(dir, firstEnd, slot - 1))
        return r;
    }
    if (live)
      firstEnd = MaxDirSlots;
    if (live && (e[11] & 0x3F) == AttrLfn) {
      uint32_t ord = e[0] & 0x1F;
      if (e[0] & 0x40) {
        if (expect >= 0) { // the run before never reached its 8.3 slot
          repair_.orphanNames += slot - lfnStart;
          if (int r = eraseSlots(dir, lfnStart, slot - 1))
            return r;
        }
        expect = int(ord);
        lfnStart = slot;
        sum = e[13];
      }
      if (expect < 0 || ord == 0 || int(ord) != expect || e[13] != sum) {
        uint32_t from = expect < 0 ? slot : lfnStart;
        repair_.orphanNames += slot - from + 1;
        if (int r = eraseSlots(dir, from, slot))
          return r;
        expect = -1;
        continue;
      }
      expect = int(ord) - 1;
      continue;
    }
    uint32_t start = slot;
    if (expect >= 0) {
      bool owner =
          expect == 0 && live && !(e[11] & AttrVolume) && lfnChecksum(e) == sum;
      if (owner) {
        start = lfnStart;
      } else {
        repair_.orphanNames += slot - lfnStart;
        if (int r = eraseSlots(dir, lfnStart, slot - 1))
          return r;
      }
      expect = -1;
    }
    if (!live || (e[11] & AttrVolume) || e[0] == '.')
      continue;
    if (int r = repairEntry(dir, slot, start, e, queued))
      return r;
  }
  return 0;
}

int Fat16::repairEntry(Node *dir, uint32_t slot, uint32_t lfnStart,
                       const uint8_t *e, uint32_t *queued) {
  uint16_t first = rd16(e + 26);
  bool isDir = e[11] & AttrDir;
  uint32_t size = isDir ? 0 : rd32(e + 28);
  uint32_t need =
      isDir ? 0xFFFFFFFFu
            : uint32_t((uint64_t(size) + clusterBytes_ - 1) / clusterBytes_);
  bool shared = validCluster(first) && (used_[first / 8] & (1 << first % 8));
  if (shared || (isDir && !usable(first))) {
    ++repair_.crossLinks;
    return eraseSlots(dir, lfnStart, slot);
  }
  bool cut = false;
  uint32_t k = need ? keepChain(first, need, &cut) : 0;
  if (isDir) {
    if (*queued < sizeof(dirQueue_) / sizeof(dirQueue_[0]))
      dirQueue_[(*queued)++] = first;
    else
      queueFull_ = true;
    repair_.sizes += cut;
    return 0;
  }
  uint32_t newSize = k < need ? k * clusterBytes_ : size;
  uint16_t newFirst = k ? first : 0;
  if (newSize == size && newFirst == first && !cut)
    return 0;
  ++repair_.sizes;
  uint64_t lba;
  if (int r = dirSlot(dir, slot, false, &lba))
    return r;
  uint8_t *p = dirSector(lba, true);
  if (!p)
    return err::IO;
  wr16(p + (slot % 16) * 32 + 26, newFirst);
  wr32(p + (slot % 16) * 32 + 28, newSize);
  return 0;
}

} // namespace gts::fs

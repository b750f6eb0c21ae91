// Ordered write-out: the crash-consistency protocol of the FAT16 driver
// (docs/FAT16.md). Each step ends with a device flush, so a step reaches the
// disk only after the ones before it, whatever order the device keeps
// inside a step:
//
//   1. File data (and the FAT[1] "dirty" mark, when metadata follows).
//   2. FAT, union view: allocations and extensions, in both copies. Every
//      cluster that a directory entry on the disk uses is kept.
//   3. Directory sectors: entries now name chains that are on the disk.
//   4. FAT, final view: frees and truncations, in both copies.
//   5. FAT[1] "clean" again (sync and unmount only).
//
// Power lost at any point leaves every directory entry pointing at a whole
// chain holding its old or its new data; at worst clusters that no entry
// uses, or a chain longer than its file: the mount-time repair frees those
// (the volume is marked dirty from step 1 to step 5). An I/O error stops
// the sequence, so no later step runs on top of a missing earlier one.
#include "fs/fat16.h"

namespace gts::fs {

int Fat16::commit(bool clean) {
  bool meta = fat_.pending() || cache_.hasDirty(BufferCache::Meta);
  bool wrote;
  if (!cache_.writeBack(BufferCache::Data, &wrote))
    return err::IO;
  if (meta && !fat_.diskDirty() && !fat_.writeFlag(*dev_, false))
    return err::IO;
  if (!dev_->flush())
    return err::IO;
  if (meta) {
    if (!fat_.write(*dev_, FatTable::Union, &wrote) ||
        (wrote && !dev_->flush()))
      return err::IO;
    if (!cache_.writeBack(BufferCache::Meta, &wrote) ||
        (wrote && !dev_->flush()))
      return err::IO;
    if (!fat_.write(*dev_, FatTable::Final, &wrote) ||
        (wrote && !dev_->flush()))
      return err::IO;
  }
  if (clean && fat_.diskDirty())
    if (!fat_.writeFlag(*dev_, true) || !dev_->flush())
      return err::IO;
  return 0;
}

} // namespace gts::fs

#include "fs/bcache.h"
#include "lib/string.h"

namespace gts::fs {

void BufferCache::reset(BlockDevice *dev) {
  dev_ = dev;
  full_ = false;
  for (auto &line : lines_)
    line.valid = line.dirty = false;
}

// Least recently used line that may be reused: free, clean, or dirty data.
BufferCache::Line *BufferCache::victim() {
  Line *best = nullptr;
  for (auto &line : lines_) {
    if (!line.valid)
      return &line;
    if (line.dirty && line.kind == Meta)
      continue;
    if (!best || line.age < best->age)
      best = &line;
  }
  return best;
}

uint8_t *BufferCache::get(uint64_t lba, bool forWrite, Kind kind) {
  full_ = false;
  for (auto &line : lines_)
    if (line.valid && line.lba == lba) {
      line.age = ++tick_;
      if (forWrite) {
        line.dirty = true;
        line.kind = kind;
      }
      return line.data;
    }
  Line *v = victim();
  if (!v) {
    full_ = true;
    return nullptr;
  }
  if (v->valid && v->dirty && !dev_->write(v->lba, 1, v->data))
    return nullptr;
  v->valid = false;
  if (!dev_->read(lba, 1, v->data))
    return nullptr;
  v->lba = lba;
  v->age = ++tick_;
  v->valid = true;
  v->dirty = forWrite;
  v->kind = kind;
  return v->data;
}

void BufferCache::overlay(uint64_t lba, uint32_t count, uint8_t *buf) const {
  for (auto &line : lines_)
    if (line.valid && line.lba >= lba && line.lba < lba + count)
      lib::memCopy(buf + (line.lba - lba) * SectorSize, line.data, SectorSize);
}

void BufferCache::drop(uint64_t lba, uint32_t count) {
  for (auto &line : lines_)
    if (line.valid && line.lba >= lba && line.lba < lba + count)
      line.valid = line.dirty = false;
}

bool BufferCache::hasDirty(Kind kind) const {
  for (auto &line : lines_)
    if (line.valid && line.dirty && line.kind == kind)
      return true;
  return false;
}

// In LBA order: a directory's LFN slots reach the disk before its 8.3 slot
// when the device keeps the order.
bool BufferCache::writeBack(Kind kind, bool *wrote) {
  *wrote = false;
  for (;;) {
    Line *next = nullptr;
    for (auto &line : lines_)
      if (line.valid && line.dirty && line.kind == kind &&
          (!next || line.lba < next->lba))
        next = &line;
    if (!next)
      return true;
    if (!dev_->write(next->lba, 1, next->data))
      return false;
    next->dirty = false;
    *wrote = true;
  }
}

} // namespace gts::fs

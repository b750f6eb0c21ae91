// Interface between block drivers (virtio-blk in the kernel, a file on the
// host in unit tests) and the FAT16 file system.
#pragma once
#include <stdint.h>

namespace gts::fs {

inline constexpr uint32_t SectorSize = 512;

class BlockDevice {
public:
  virtual ~BlockDevice() = default;
  // Number of 512-byte sectors on the device.
  virtual uint64_t sectorCount() const = 0;
  // Reads or writes `count` sectors starting at `lba`; false on I/O error.
  virtual bool read(uint64_t lba, uint32_t count, void *buf) = 0;
  virtual bool write(uint64_t lba, uint32_t count, const void *buf) = 0;
  // Makes every completed write durable.
  virtual bool flush() = 0;
};

} // namespace gts::fs

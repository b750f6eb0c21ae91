// A block device that loses power: every write is seen by the file system
// (reads return it), but only the first `limit` sector writes reach the
// "disk" that survives. Writes between two flushes form an epoch, and with
// reordering each epoch reaches the disk in a shuffled order, as a device
// with a volatile write cache may do; flushes are never crossed.
#pragma once
#include "fs/block_device.h"
#include <cstdint>
#include <random>
#include <vector>

namespace gts::fs {

class CrashDevice : public BlockDevice {
public:
  // `limit` < 0: no power cut. `seed` != 0 shuffles every epoch.
  CrashDevice(std::vector<uint8_t> image, int64_t limit, uint32_t seed);
  uint64_t sectorCount() const override { return live_.size() / SectorSize; }
  bool read(uint64_t lba, uint32_t count, void *buf) override;
  bool write(uint64_t lba, uint32_t count, const void *buf) override;
  bool flush() override;

  // Sector writes issued so far (each sector of a request counts once).
  uint64_t writes() const { return issued_; }
  // The disk after the power cut: the last epoch is applied as far as the
  // limit allows.
  std::vector<uint8_t> crashedImage();

private:
  void applyEpoch();
  std::vector<uint8_t> live_, disk_;
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> epoch_;
  int64_t limit_;
  uint64_t issued_ = 0, applied_ = 0;
  bool shuffle_;
  std::mt19937 rng_;
};

} // namespace gts::fs

// BlockDevice over an image file, for host tests and tools.
#pragma once
#include "fs/block_device.h"
#include <cstdint>
#include <string>

namespace gts::fs {

class FileDevice : public BlockDevice {
public:
  // Opens `path` read-write; ok() tells whether it worked.
  explicit FileDevice(const std::string &path);
  ~FileDevice() override;
  bool ok() const { return fd_ >= 0; }
  uint64_t sectorCount() const override { return sectors_; }
  bool read(uint64_t lba, uint32_t count, void *buf) override;
  bool write(uint64_t lba, uint32_t count, const void *buf) override;
  bool flush() override;

  // Fault injection: every I/O after `ops` more requests fails.
  void failAfter(int64_t ops) { failAfter_ = ops; }
  uint64_t flushes() const { return flushes_; }
  uint64_t requests() const { return requests_; }

private:
  bool fail();
  int fd_ = -1;
  uint64_t sectors_ = 0;
  int64_t failAfter_ = -1;
  uint64_t flushes_ = 0, requests_ = 0;
};

} // namespace gts::fs

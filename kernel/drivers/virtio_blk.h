// virtio-blk over the legacy (transitional) virtio-pci I/O interface: one
// virtqueue, one request in flight, polled completion. Data moves through a
// physically contiguous bounce buffer, so callers may pass any kernel or
// (validated) user pointer.
#pragma once
#include "drivers/pci.h"
#include "fs/block_device.h"

namespace gts::drivers {

class VirtioBlk final : public fs::BlockDevice {
public:
  // Finds and initialises the first virtio-blk device; false if none.
  bool probe(const PciDevice *devs, int count);
  uint64_t sectorCount() const override { return sectors_; }
  bool read(uint64_t lba, uint32_t count, void *buf) override;
  bool write(uint64_t lba, uint32_t count, const void *buf) override;
  bool flush() override;
  uint64_t bytesRead() const { return bytesRead_; }

private:
  struct Desc;
  bool init(const PciDevice &d);
  // Runs one request: type, sector, byte count of the bounce buffer used.
  bool request(uint32_t type, uint64_t lba, uint32_t bytes);

  uint16_t io_ = 0;
  uint16_t queueSize_ = 0;
  uint16_t lastUsed_ = 0;
  bool hasFlush_ = false;
  uint64_t sectors_ = 0;
  uint64_t bytesRead_ = 0;
  Desc *desc_ = nullptr;
  volatile uint16_t *avail_ = nullptr; // flags, idx, ring[]
  volatile uint16_t *usedIdx_ = nullptr;
  // Request header (16 bytes) and status byte share one page.
  uint8_t *meta_ = nullptr;
  uint64_t metaPhys_ = 0;
  uint8_t *bounce_ = nullptr;
  uint64_t bouncePhys_ = 0;
};

} // namespace gts::drivers

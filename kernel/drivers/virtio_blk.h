// virtio-blk over the legacy (transitional) virtio-pci I/O interface: one
// virtqueue, one request in flight, polled completion (with a timeout). The
// device DMAs straight into the caller's buffer through a scatter list of its
// physical pages (kernel image, direct map, or populated user pages), so the
// kernel never copies file data: under a hypervisor that emulates guest kernel
// code (kvm-pvm), a copy costs hundreds of cycles per byte.
#pragma once
#include "drivers/pci.h"
#include "fs/block_device.h"
#include <stddef.h>

namespace gts::drivers {

class VirtioBlk final : public fs::BlockDevice {
public:
  // Finds and initialises the first virtio-blk device; false if none.
  bool probe(const PciDevice *devs, int count);
  uint64_t sectorCount() const override { return sectors_; }
  bool read(uint64_t lba, uint32_t count, void *buf) override;
  bool write(uint64_t lba, uint32_t count, const void *buf) override;
  // True without a flush command too (there is nothing to send); whether
  // the device can commit its cache is canFlush().
  bool flush() override;
  bool canFlush() const { return hasFlush_; }
  uint64_t bytesRead() const { return bytesRead_; }
  // Zeroing page frames by DMA: the device reads `sectors` known-zero
  // sectors (the unused gap before the partition) into them. Checks that
  // the gap reads as zeros; false if not.
  bool setZeroSource(uint64_t lba, uint64_t sectors);
  bool zeroFrames(const uint64_t *frames, size_t count);

private:
  struct Desc;
  bool init(const PciDevice &d);
  // A request is built as header, data segments, status, then run.
  void begin(uint32_t type, uint64_t lba);
  bool addSegment(uint64_t phys, uint32_t len); // false: list full
  bool submit();                                // false: device error
  // One request over `bytes` of `buf`; false on device error or an
  // untranslatable buffer.
  bool request(uint32_t type, uint64_t lba, uint8_t *buf, uint32_t bytes);
  bool transfer(uint32_t type, uint64_t lba, uint32_t count, uint8_t *buf);
  // One sector per request through a bounce buffer (seg_max = 1).
  bool transferBounced(uint32_t type, uint64_t lba, uint32_t count,
                       uint8_t *buf);

  uint16_t io_ = 0;
  uint16_t queueSize_ = 0;
  uint16_t lastUsed_ = 0;
  bool hasFlush_ = false;
  bool broken_ = false; // a request timed out; the device was reset
  uint64_t sectors_ = 0;
  uint64_t bytesRead_ = 0;
  Desc *desc_ = nullptr;
  volatile uint16_t *avail_ = nullptr; // flags, idx, ring[]
  volatile uint16_t *usedIdx_ = nullptr;
  // Request header (16 bytes) and status byte share one page.
  uint8_t *meta_ = nullptr;
  uint64_t metaPhys_ = 0;
  uint32_t maxSegments_ = 0;
  uint32_t type_ = 0;
  uint16_t descs_ = 0;
  uint64_t zeroLba_ = 0;
  uint32_t zeroPages_ = 0;
};

} // namespace gts::drivers

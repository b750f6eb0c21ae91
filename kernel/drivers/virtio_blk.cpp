#include "drivers/virtio_blk.h"
#include "arch/x86.h"
#include "drivers/clock.h"
#include "drivers/console.h"
#include "lib/string.h"
#include "mm/paging.h"
#include "mm/pmm.h"

namespace gts::drivers {
namespace {
using arch::inb;
using arch::inl;
using arch::inw;
using arch::outb;
using arch::outl;
using arch::outw;

// Legacy virtio-pci register offsets in BAR0 (I/O space).
enum : uint16_t {
  DeviceFeatures = 0x00,
  GuestFeatures = 0x04,
  QueueAddress = 0x08,
  QueueSize = 0x0C,
  QueueSelect = 0x0E,
  QueueNotify = 0x10,
  DeviceStatus = 0x12,
  IsrStatus = 0x13,
  Capacity = 0x14, // device config: u64 sectors
};
enum : uint8_t { Acknowledge = 1, Driver = 2, DriverOk = 4, Failed = 128 };
enum : uint32_t { ReqIn = 0, ReqOut = 1, ReqFlush = 4 };
constexpr uint32_t FeatureSegMax = 1u << 2, FeatureFlush = 1u << 9;
constexpr uint16_t DescNext = 1, DescWrite = 2;
constexpr uint32_t MaxRequestBytes = 1u << 20;
// A request not completed by then means a broken device: I/O errors from
// then on rather than a hang. Generous: kvm-pvm moves about 5 MB/s.
constexpr uint64_t CompletionTimeoutSeconds = 30;
// Sector-at-a-time fallback buffer inside the meta page (after header and
// status), for devices that allow a single data segment.
constexpr uint32_t BounceOffset = 512;

// Physical address of a kernel pointer; user pages must be present
// (callers populate them first). 0 if not translatable.
uint64_t physOf(const uint8_t *p) {
  uint64_t v = uint64_t(p);
  bool stack = v >= mm::KernelStackBase && v < mm::KernelBase;
  if (v >= mm::PhysMapBase && !stack) // kernel image or direct map
    return mm::virtToPhys(p);
  uint64_t *e = mm::pteFor(v & ~0xFFFull, false);
  if (!e || !(*e & mm::pte::Present))
    return 0;
  return (*e & mm::pte::AddrMask) | (v & 0xFFF);
}

} // namespace

struct VirtioBlk::Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};

bool VirtioBlk::probe(const PciDevice *devs, int count) {
  for (int i = 0; i < count; ++i)
    // 0x1001: transitional virtio-blk, which keeps the legacy interface.
    if (devs[i].vendor == 0x1AF4 && devs[i].device == 0x1001)
      return init(devs[i]);
  return false;
}

bool VirtioBlk::init(const PciDevice &d) {
  uint32_t bar0 = pciRead32(d, 0x10);
  if (!(bar0 & 1))
    return false;
  io_ = uint16_t(bar0 & ~3u);
  // I/O decoding and bus mastering (the device DMAs into our memory).
  pciWrite16(d, 0x04, pciRead16(d, 0x04) | 0x05);

  outb(io_ + DeviceStatus, 0); // reset
  outb(io_ + DeviceStatus, Acknowledge);
  outb(io_ + DeviceStatus, Acknowledge | Driver);
  uint32_t features = inl(io_ + DeviceFeatures);
  hasFlush_ = features & FeatureFlush;
  outl(io_ + GuestFeatures, features & (FeatureFlush | FeatureSegMax));

  outw(io_ + QueueSelect, 0);
  queueSize_ = inw(io_ + QueueSize);
  // A request needs three descriptors (header, data, status).
  if (queueSize_ < 3 || (queueSize_ & (queueSize_ - 1))) {
    kprintf("virtio-blk: unusable queue size %u\n", queueSize_);
    outb(io_ + DeviceStatus, Failed);
    return false;
  }
  // Legacy layout: descriptors, available ring, then the used ring on the
  // next 4 KiB boundary.
  uint64_t availEnd = 16ull * queueSize_ + 6 + 2ull * queueSize_;
  uint64_t usedOff = (availEnd + 4095) & ~4095ull;
  uint64_t bytes = usedOff + 6 + 8ull * queueSize_;
  size_t pages = (bytes + 4095) / 4096;
  uint64_t ring = mm::allocFrames(pages);
  metaPhys_ = mm::allocFrame();
  if (!ring || !metaPhys_) {
    outb(io_ + DeviceStatus, Failed);
    return false;
  }
  uint8_t *base = static_cast<uint8_t *>(mm::physToVirt(ring));
  desc_ = reinterpret_cast<Desc *>(base);
  avail_ = reinterpret_cast<volatile uint16_t *>(base + 16ull * queueSize_);
  usedIdx_ = reinterpret_cast<volatile uint16_t *>(base + usedOff + 2);
  meta_ = static_cast<uint8_t *>(mm::physToVirt(metaPhys_));
  // Header and status take two descriptors; seg_max bounds the rest.
  maxSegments_ = queueSize_ - 2u;
  if (features & FeatureSegMax) {
    uint32_t segMax = inl(io_ + Capacity + 12);
    if (segMax && segMax < maxSegments_)
      maxSegments_ = segMax; // 1: transfers go sector by sector
  }
  outl(io_ + QueueAddress, uint32_t(ring / 4096));
  outb(io_ + DeviceStatus, Acknowledge | Driver | DriverOk);

  sectors_ = inl(io_ + Capacity) | uint64_t(inl(io_ + Capacity + 4)) << 32;
  kprintf("virtio-blk: %02x:%02x.%x io 0x%x, queue %u, %u segments, %lu "
          "sectors (%lu MiB)%s\n",
          d.bus, d.slot, d.func, io_, queueSize_, maxSegments_, sectors_,
          sectors_ >> 11, hasFlush_ ? ", flush" : "");
  return true;
}

void VirtioBlk::begin(uint32_t type, uint64_t lba) {
  uint32_t *hdr = reinterpret_cast<uint32_t *>(meta_);
  hdr[0] = type;
  hdr[1] = 0;
  *reinterpret_cast<uint64_t *>(meta_ + 8) = lba;
  meta_[16] = 0xFF;
  type_ = type;
  descs_ = 0;
  desc_[descs_++] = {metaPhys_, 16, DescNext, 1};
}

bool VirtioBlk::addSegment(uint64_t phys, uint32_t len) {
  Desc &prev = desc_[descs_ - 1];
  if (descs_ > 1 && prev.addr + prev.len == phys) {
    prev.len += len; // physically adjacent: one segment
    return true;
  }
  if (descs_ - 1u == maxSegments_)
    return false;
  uint16_t flags = uint16_t(DescNext | (type_ == ReqIn ? DescWrite : 0));
  desc_[descs_] = {phys, len, flags, uint16_t(descs_ + 1)};
  ++descs_;
  return true;
}

bool VirtioBlk::submit() {
  if (broken_)
    return false;
  desc_[descs_] = {metaPhys_ + 16, 1, DescWrite, 0};
  uint16_t idx = avail_[1];
  avail_[2 + (idx & (queueSize_ - 1))] = 0;
  asm volatile("mfence" ::: "memory"); // descriptors before the index
  avail_[1] = uint16_t(idx + 1);
  asm volatile("mfence" ::: "memory");
  outw(io_ + QueueNotify, 0);
  uint64_t hz = tscHz() ? tscHz() : 3000000000ull;
  uint64_t deadline = arch::rdtsc() + CompletionTimeoutSeconds * hz;
  while (*usedIdx_ == lastUsed_) {
    if (arch::rdtsc() > deadline) {
      // Reset: the device must not DMA into the buffer later.
      outb(io_ + DeviceStatus, 0);
      broken_ = true;
      kprintf("virtio-blk: no completion in %lu s: device reset, disk I/O "
              "fails from now on\n",
              CompletionTimeoutSeconds);
      return false;
    }
    asm volatile("pause" ::: "memory");
  }
  ++lastUsed_;
  inb(io_ + IsrStatus); // acknowledge: drops the (masked) interrupt line
  asm volatile("" ::: "memory");
  return meta_[16] == 0;
}

bool VirtioBlk::request(uint32_t type, uint64_t lba, uint8_t *buf,
                        uint32_t bytes) {
  begin(type, lba);
  // The buffer page by page.
  for (uint32_t off = 0; off < bytes;) {
    uint64_t phys = physOf(buf + off);
    uint32_t len = 4096 - uint32_t(phys & 0xFFF);
    if (len > bytes - off)
      len = bytes - off;
    if (!phys || !addSegment(phys, len))
      return false; // callers size requests so that the list fits
    off += len;
  }
  return submit();
}

bool VirtioBlk::setZeroSource(uint64_t lba, uint64_t sectors) {
  static uint8_t check[4096];
  uint64_t pages = sectors / 8;
  if (pages > maxSegments_)
    pages = maxSegments_;
  for (uint64_t p = 0; p < pages; ++p) {
    if (!read(lba + p * 8, 8, check))
      return false;
    uint64_t nonzero = 0, words = sizeof check / 8;
    const void *w = check;
    asm volatile("repe scasq; setne %b0"
                 : "=r"(nonzero), "+D"(w), "+c"(words)
                 : "a"(0), "0"(0)
                 : "memory", "cc");
    if (nonzero)
      return false;
  }
  zeroLba_ = lba;
  zeroPages_ = uint32_t(pages);
  return pages > 0;
}

bool VirtioBlk::zeroFrames(const uint64_t *frames, size_t count) {
  while (count) {
    size_t n = count < zeroPages_ ? count : zeroPages_;
    begin(ReqIn, zeroLba_);
    for (size_t i = 0; i < n; ++i)
      addSegment(frames[i], 4096);
    if (!submit())
      return false;
    frames += n;
    count -= n;
  }
  return true;
}

bool VirtioBlk::transferBounced(uint32_t type, uint64_t lba, uint32_t count,
                                uint8_t *buf) {
  uint8_t *bounce = meta_ + BounceOffset;
  for (uint32_t i = 0; i < count; ++i, buf += fs::SectorSize) {
    if (type == ReqOut)
      lib::memCopy(bounce, buf, fs::SectorSize);
    begin(type, lba + i);
    addSegment(metaPhys_ + BounceOffset, fs::SectorSize);
    if (!submit())
      return false;
    if (type == ReqIn) {
      lib::memCopy(buf, bounce, fs::SectorSize);
      bytesRead_ += fs::SectorSize;
    }
  }
  return true;
}

bool VirtioBlk::transfer(uint32_t type, uint64_t lba, uint32_t count,
                         uint8_t *buf) {
  if (lba > sectors_ || count > sectors_ - lba)
    return false;
  if (maxSegments_ < 2) // a page-crossing sector may need two segments
    return transferBounced(type, lba, count, buf);
  // Worst case one segment per page (+1 for a misaligned start).
  uint32_t maxBytes = (maxSegments_ - 1) * 4096;
  if (maxBytes > MaxRequestBytes)
    maxBytes = MaxRequestBytes;
  uint32_t maxSectors = maxBytes / fs::SectorSize;
  while (count) {
    uint32_t n = count < maxSectors ? count : maxSectors;
    if (!request(type, lba, buf, n * fs::SectorSize))
      return false;
    if (type == ReqIn)
      bytesRead_ += n * fs::SectorSize;
    buf += n * fs::SectorSize;
    lba += n;
    count -= n;
  }
  return true;
}

bool VirtioBlk::read(uint64_t lba, uint32_t count, void *buf) {
  return transfer(ReqIn, lba, count, static_cast<uint8_t *>(buf));
}

bool VirtioBlk::write(uint64_t lba, uint32_t count, const void *buf) {
  // The device only reads the buffer for ReqOut.
  return transfer(ReqOut, lba, count,
                  const_cast<uint8_t *>(static_cast<const uint8_t *>(buf)));
}

bool VirtioBlk::flush() {
  if (!hasFlush_)
    return true;
  begin(ReqFlush, 0);
  return submit();
}

} // namespace gts::drivers

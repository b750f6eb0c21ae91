#include "crash_device.h"
#include <algorithm>
#include <cstring>
#include <map>

namespace gts::fs {

CrashDevice::CrashDevice(std::vector<uint8_t> image, int64_t limit,
                         uint32_t seed)
    : live_(image), disk_(std::move(image)), limit_(limit), shuffle_(seed),
      rng_(seed) {}

bool CrashDevice::read(uint64_t lba, uint32_t count, void *buf) {
  if ((lba + count) * SectorSize > live_.size())
    return false;
  std::memcpy(buf, live_.data() + lba * SectorSize, count * SectorSize);
  return true;
}

bool CrashDevice::write(uint64_t lba, uint32_t count, const void *buf) {
  if ((lba + count) * SectorSize > live_.size())
    return false;
  auto *p = static_cast<const uint8_t *>(buf);
  std::memcpy(live_.data() + lba * SectorSize, p, count * SectorSize);
  for (uint32_t i = 0; i < count; ++i, ++issued_)
    epoch_.emplace_back(
        lba + i,
        std::vector<uint8_t>(p + i * SectorSize, p + (i + 1) * SectorSize));
  return true;
}

// Shuffled, an epoch keeps only the last write of each sector: a device
// cache holds one copy of a sector, the newest. (The power cut may then
// come a few writes early; never late.)
void CrashDevice::applyEpoch() {
  if (shuffle_) {
    std::map<uint64_t, size_t> last;
    for (size_t i = 0; i < epoch_.size(); ++i)
      last[epoch_[i].first] = i;
    std::vector<std::pair<uint64_t, std::vector<uint8_t>>> kept;
    for (auto &[lba, i] : last)
      kept.push_back(std::move(epoch_[i]));
    // Superseded writes count as done, so counts match the issued ones.
    applied_ += epoch_.size() - kept.size();
    epoch_ = std::move(kept);
    std::shuffle(epoch_.begin(), epoch_.end(), rng_);
  }
  for (auto &[lba, data] : epoch_) {
    if (limit_ >= 0 && applied_ >= uint64_t(limit_))
      break;
    std::memcpy(disk_.data() + lba * SectorSize, data.data(), SectorSize);
    ++applied_;
  }
  epoch_.clear();
}

bool CrashDevice::flush() {
  applyEpoch();
  return true;
}

std::vector<uint8_t> CrashDevice::crashedImage() {
  applyEpoch();
  return disk_;
}

} // namespace gts::fs

#include "host_device.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gts::fs {

FileDevice::FileDevice(const std::string &path) {
  fd_ = ::open(path.c_str(), O_RDWR);
  struct stat st;
  if (fd_ >= 0 && fstat(fd_, &st) == 0)
    sectors_ = uint64_t(st.st_size) / SectorSize;
}

FileDevice::~FileDevice() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool FileDevice::fail() {
  ++requests_;
  if (failAfter_ < 0)
    return false;
  return failAfter_-- == 0 ? (failAfter_ = 0, true) : false;
}

bool FileDevice::read(uint64_t lba, uint32_t count, void *buf) {
  if (fail() || lba + count > sectors_)
    return false;
  size_t n = size_t(count) * SectorSize;
  return pread(fd_, buf, n, off_t(lba * SectorSize)) == ssize_t(n);
}

bool FileDevice::write(uint64_t lba, uint32_t count, const void *buf) {
  if (fail() || lba + count > sectors_)
    return false;
  size_t n = size_t(count) * SectorSize;
  return pwrite(fd_, buf, n, off_t(lba * SectorSize)) == ssize_t(n);
}

// Other processes (fsck.fat, mtools) read through the page cache, so no
// fsync is needed to make the data visible to them.
bool FileDevice::flush() {
  ++flushes_;
  return !fail();
}

} // namespace gts::fs

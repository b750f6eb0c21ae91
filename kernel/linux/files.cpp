#include "linux/files.h"
#include "lib/string.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "linux/user_access.h"

namespace gts::sys {
namespace {
File files[MaxFds];
} // namespace

void filesInit() {
  for (int fd = 0; fd < 3; ++fd) {
    files[fd].kind = File::Console;
    files[fd].flags = fd == 0 ? 0 : 1; // O_RDONLY / O_WRONLY
  }
}

File *fileFor(int64_t fd) {
  if (fd < 0 || fd >= MaxFds || files[fd].kind == File::Free)
    return nullptr;
  return &files[fd];
}

File *fileSlot(int fd) { return &files[fd]; }

int64_t copyStringFromUser(char *dst, size_t cap, uint64_t src) {
  for (size_t i = 0; i < cap; ++i) {
    // Validate page by page: the string may end right before an unmapped
    // page.
    if ((i == 0 || ((src + i) & 4095) == 0) &&
        !mm::userPopulate(src + i, 1, false))
      return err::Fault;
    arch::UserAccess access;
    char c = *reinterpret_cast<const char *>(src + i);
    dst[i] = c;
    if (!c)
      return int64_t(i);
  }
  return err::NameTooLong;
}

int64_t resolveAt(int64_t dirfd, uint64_t userPath, char *out) {
  char rel[MaxPath];
  int64_t n = copyStringFromUser(rel, sizeof rel, userPath);
  if (n < 0)
    return n;
  if (n == 0)
    return err::NoEnt;
  const char *base = "/";
  if (rel[0] != '/' && dirfd != AtFdCwd) {
    File *d = fileFor(dirfd);
    if (!d)
      return err::BadF;
    if (d->kind != File::Directory)
      return err::NotDir;
    base = d->path;
  }
  if (rel[0] == '/')
    base = "";
  size_t bl = lib::strLength(base);
  if (bl + 1 + size_t(n) + 1 > MaxPath)
    return err::NameTooLong;
  lib::memCopy(out, base, bl);
  if (bl && out[bl - 1] != '/')
    out[bl++] = '/';
  lib::memCopy(out + bl, rel, size_t(n) + 1);
  return 0;
}

} // namespace gts::sys

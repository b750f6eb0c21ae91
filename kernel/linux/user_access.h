// Copies between kernel and user memory. Every user pointer goes through
// mm::userPopulate first: range in the user half, pages mapped with the
// needed rights (and faulted in), else -EFAULT. The copy itself runs in an
// arch::UserAccess scope (SMAP).
#pragma once
#include "arch/protection.h"
#include "lib/string.h"
#include "mm/user_memory.h"
#include <stddef.h>
#include <stdint.h>

namespace gts::sys {

inline bool copyFromUser(void *dst, uint64_t src, size_t n) {
  if (!mm::userPopulate(src, n, false))
    return false;
  arch::UserAccess access;
  lib::memCopy(dst, reinterpret_cast<const void *>(src), n);
  return true;
}

inline bool copyToUser(uint64_t dst, const void *src, size_t n) {
  if (!mm::userPopulate(dst, n, true))
    return false;
  arch::UserAccess access;
  lib::memCopy(reinterpret_cast<void *>(dst), src, n);
  return true;
}

// Copies a NUL-terminated string of at most cap-1 bytes. Returns its length,
// -EFAULT, or -ENAMETOOLONG.
int64_t copyStringFromUser(char *dst, size_t cap, uint64_t src);

} // namespace gts::sys

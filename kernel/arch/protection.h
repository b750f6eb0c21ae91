// CPU protections for ring 3: SMEP (the kernel never runs user code), SMAP
// (the kernel touches user memory only inside a UserAccess scope) and UMIP
// (no sgdt/sidt/sldt/smsw/str in ring 3), each when CPUID has it.
#pragma once
#include <stdint.h>

// Whether SMAP is on (then UserAccess toggles RFLAGS.AC).
extern "C" bool gtsSmapEnabled;

namespace gts::arch {

// Turns on what the CPU offers; prints one line saying which.
void enableProtection();

// RFLAGS bits a ring-3 program may choose (arithmetic flags, TF, DF, AC,
// ID); IOPL, NT, RF, VM, VIF, VIP and IF are the kernel's.
inline constexpr uint64_t UserFlagsMask = 0x240DD5;
// RFLAGS for a return to ring 3 built from user-controlled bits: only the
// bits above, IF always on (Linux does the same).
inline uint64_t sanitizeUserFlags(uint64_t f) {
  return (f & UserFlagsMask) | 0x202;
}

// A region in which the kernel may read or write user pages (RFLAGS.AC set
// under SMAP). Nests: the outer scope keeps access until it ends.
class UserAccess {
public:
  UserAccess();
  ~UserAccess();
  UserAccess(const UserAccess &) = delete;
  UserAccess &operator=(const UserAccess &) = delete;

private:
  bool wasOpen_;
};

} // namespace gts::arch

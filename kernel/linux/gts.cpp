// gts's own system calls, numbered from 1000 (far above Linux's, which
// answers -ENOSYS to them, so a program that makes them still runs there).
#include "linux/syscall.h"

namespace gts::sys {
namespace {

void (*mainReached)();

// 1000 gts_main_reached(): the program got to its main; ends an A/B trial
// successfully (init/boot_ab.h). Idempotent; outside a trial a no-op.
int64_t sysMainReached(const uint64_t *) {
  if (mainReached)
    mainReached();
  return 0;
}

} // namespace

void registerGts(void (*onMainReached)()) {
  mainReached = onMainReached;
  add(1000, sysMainReached);
}

} // namespace gts::sys

// A sampling profiler for finding where a boot's time goes (under TCG,
// cold code costs far more than on a host, so hosted profiles mislead).
// `ENV GTS_KERNEL_PROFILE=HZ` in /CMDLINE.TXT raises the timer to HZ and
// records the interrupted instruction pointer at every tick; at program
// exit the samples go to the console as `profile: MS RIP` lines (ms since
// the program started), for scripts/guest_profile.py to symbolize.
// The kernel runs syscalls with interrupts off: a tick that arrives in one
// is taken on the way out and charged to the instruction after `syscall`.
#pragma once
#include <stdint.h>

namespace gts::arch {
struct TrapFrame;
}

namespace gts::sched {

// Starts sampling at `hz` ticks per second (clamped to 50..2000).
void samplerStart(unsigned hz);
// Prints the samples, once; nothing if sampling never started.
void samplerReport();

} // namespace gts::sched

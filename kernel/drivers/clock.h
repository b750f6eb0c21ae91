// Time: TSC calibrated against PIT channel 2 at boot, wall clock from the
// CMOS RTC at boot, and a 100 Hz PIT tick (IRQ 0) that wakes hlt and
// preempts threads (sched/scheduler.h).
#pragma once
#include <stdint.h>

namespace gts::drivers {

void clockInit();
uint64_t tscHz();
uint64_t monotonicNs();
int64_t realtimeNs(); // Unix epoch
inline constexpr unsigned TickHz = 100;
// Reprograms the tick (the sampler); preemption follows it.
void setTickHz(unsigned hz);

} // namespace gts::drivers

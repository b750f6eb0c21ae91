#include "sched/sampler.h"

#include "arch/trap.h"
#include "drivers/clock.h"
#include "drivers/console.h"

namespace gts::sched {
namespace {

struct Sample {
  uint32_t micros; // since samplerStart
  uint32_t ring;
  uint64_t rip;
};

// 16 s at 1 kHz; later ticks are counted, not kept.
constexpr unsigned MaxSamples = 16384;
Sample samples[MaxSamples];
unsigned kept, dropped;
uint64_t startNs;
bool running;

void onTick(const arch::TrapFrame *f) {
  if (kept == MaxSamples) {
    ++dropped;
    return;
  }
  uint64_t us = (drivers::monotonicNs() - startNs) / 1000;
  samples[kept++] = {uint32_t(us), uint32_t(f->cs & 3), f->rip};
}

} // namespace

void samplerStart(unsigned hz) {
  hz = hz < 50 ? 50 : hz > 2000 ? 2000 : hz;
  startNs = drivers::monotonicNs();
  running = true;
  drivers::setTickHz(hz);
  arch::setTickHook(onTick);
  kprintf("profile: sampling at %u Hz from monotonic %lu us\n", hz,
          startNs / 1000);
}

void samplerReport() {
  if (!running)
    return;
  arch::setTickHook(nullptr);
  running = false;
  kprintf("profile: %u samples, %u dropped\n", kept, dropped);
  for (unsigned i = 0; i < kept; ++i)
    kprintf("profile: %u.%03u %u %lx\n", samples[i].micros / 1000,
            samples[i].micros % 1000, samples[i].ring, samples[i].rip);
}

} // namespace gts::sched

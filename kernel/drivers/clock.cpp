#include "drivers/clock.h"
#include "arch/pic.h"
#include "arch/trap.h"
#include "arch/x86.h"

namespace gts::drivers {
namespace {
using arch::inb;
using arch::outb;

constexpr uint64_t PitHz = 1193182;
uint64_t hz;
uint64_t tscBoot;
uint64_t nsPerTsc32; // 32.32 fixed point: ns = (ticks * nsPerTsc32) >> 32
int64_t bootEpochNs;
volatile uint64_t ticks;

// Counts TSC ticks over a 20 ms one-shot of PIT channel 2 (gate on
// port 0x61, output readable in bit 5).
uint64_t calibrateTsc() {
  constexpr uint16_t count = PitHz / 50;
  outb(0x61, (inb(0x61) & ~0x02) | 0x01);
  outb(0x43, 0xB0); // channel 2, lo/hi byte, mode 0
  outb(0x42, count & 0xFF);
  outb(0x42, count >> 8);
  uint8_t v = inb(0x61);
  outb(0x61, v & ~1); // restart the count with a gate edge
  outb(0x61, v | 1);
  uint64_t t0 = arch::rdtsc();
  while (!(inb(0x61) & 0x20)) {
  }
  uint64_t t1 = arch::rdtsc();
  return (t1 - t0) * PitHz / count;
}

uint8_t cmos(uint8_t reg) {
  outb(0x70, reg);
  return inb(0x71);
}

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = unsigned(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

// Reads the RTC twice until stable (it may tick mid-read).
int64_t readRtcSeconds() {
  uint8_t r[6], again[6];
  auto snap = [](uint8_t *o) {
    while (cmos(0x0A) & 0x80) {
    }
    const uint8_t regs[6] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09};
    for (int i = 0; i < 6; ++i)
      o[i] = cmos(regs[i]);
  };
  snap(r);
  do {
    for (int i = 0; i < 6; ++i)
      again[i] = r[i];
    snap(r);
  } while (r[0] != again[0] || r[1] != again[1] || r[2] != again[2]);
  bool bcd = !(cmos(0x0B) & 0x04);
  bool h24 = cmos(0x0B) & 0x02;
  bool pm = r[2] & 0x80;
  r[2] &= 0x7F;
  if (bcd)
    for (int i = 0; i < 6; ++i)
      r[i] = uint8_t((r[i] & 0x0F) + (r[i] >> 4) * 10);
  if (!h24)
    r[2] = uint8_t(r[2] % 12 + (pm ? 12 : 0));
  int64_t days = daysFromCivil(2000 + r[5], r[4], r[3]);
  return days * 86400 + r[2] * 3600 + r[1] * 60 + r[0];
}

void onTick(arch::TrapFrame *) { ticks = ticks + 1; }

} // namespace

void clockInit() {
  hz = calibrateTsc();
  nsPerTsc32 = (1000000000ull << 32) / hz;
  tscBoot = arch::rdtsc();
  bootEpochNs = readRtcSeconds() * 1000000000ll;
  setTickHz(TickHz);
  arch::setIrqHandler(0, onTick);
  arch::picUnmask(0);
}

void setTickHz(unsigned tickHz) {
  uint16_t div = uint16_t(PitHz / tickHz);
  outb(0x43, 0x34); // channel 0, lo/hi, mode 2 (rate generator)
  outb(0x40, div & 0xFF);
  outb(0x40, div >> 8);
}

uint64_t tscHz() { return hz; }

uint64_t monotonicNs() {
  unsigned __int128 d = arch::rdtsc() - tscBoot;
  return uint64_t((d * nsPerTsc32) >> 32);
}

int64_t realtimeNs() { return bootEpochNs + int64_t(monotonicNs()); }

} // namespace gts::drivers

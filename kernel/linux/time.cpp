// Clocks and sleeping, from the TSC (drivers/clock.h).
#include "drivers/clock.h"
#include "linux/syscall.h"
#include "linux/user_access.h"
#include "sched/scheduler.h"

namespace gts::sys {
namespace {

struct Timespec {
  int64_t sec, nsec;
};

int64_t nowNs(uint64_t clock, bool *ok) {
  *ok = true;
  switch (clock) {
  case 0:  // REALTIME
  case 5:  // REALTIME_COARSE
  case 11: // TAI
    return drivers::realtimeNs();
  case 1: // MONOTONIC
  case 2: // PROCESS_CPUTIME_ID: the one process owns the CPU
  case 3: // THREAD_CPUTIME_ID
  case 4: // MONOTONIC_RAW
  case 6: // MONOTONIC_COARSE
  case 7: // BOOTTIME
    return int64_t(drivers::monotonicNs());
  default:
    *ok = false;
    return 0;
  }
}

int64_t sysClockGettime(const uint64_t *a) {
  bool ok;
  int64_t ns = nowNs(a[0], &ok);
  if (!ok)
    return err::Inval;
  Timespec ts{ns / 1000000000, ns % 1000000000};
  return copyToUser(a[1], &ts, sizeof ts) ? 0 : err::Fault;
}

int64_t sysClockGetres(const uint64_t *a) {
  bool ok;
  nowNs(a[0], &ok);
  if (!ok)
    return err::Inval;
  Timespec ts{0, 1};
  return !a[1] || copyToUser(a[1], &ts, sizeof ts) ? 0 : err::Fault;
}

int64_t sysGettimeofday(const uint64_t *a) {
  int64_t ns = drivers::realtimeNs();
  int64_t tv[2] = {ns / 1000000000, ns % 1000000000 / 1000};
  if (a[0] && !copyToUser(a[0], tv, sizeof tv))
    return err::Fault;
  int32_t tz[2] = {0, 0};
  if (a[1] && !copyToUser(a[1], tz, sizeof tz))
    return err::Fault;
  return 0;
}

int64_t sysTime(const uint64_t *a) {
  int64_t s = drivers::realtimeNs() / 1000000000;
  if (a[0] && !copyToUser(a[0], &s, sizeof s))
    return err::Fault;
  return s;
}

int64_t sleepFor(uint64_t reqPtr, uint64_t remPtr, bool absolute,
                 uint64_t clock) {
  Timespec req;
  if (!copyFromUser(&req, reqPtr, sizeof req))
    return err::Fault;
  if (req.sec < 0 || req.nsec < 0 || req.nsec >= 1000000000)
    return err::Inval;
  int64_t ns = req.sec * 1000000000 + req.nsec;
  if (absolute) {
    bool ok;
    ns -= nowNs(clock, &ok);
    if (!ok)
      return err::Inval;
  }
  if (ns > 0) // other threads run meanwhile; alone, the CPU halts
    sched::block(0, drivers::monotonicNs() + uint64_t(ns));
  Timespec zero{0, 0};
  if (remPtr && !absolute && !copyToUser(remPtr, &zero, sizeof zero))
    return err::Fault;
  return 0;
}

int64_t sysNanosleep(const uint64_t *a) {
  return sleepFor(a[0], a[1], false, 1);
}

int64_t sysClockNanosleep(const uint64_t *a) {
  return sleepFor(a[2], a[3], a[1] & 1, a[0]);
}

} // namespace

void registerTime() {
  add(35, sysNanosleep);
  add(96, sysGettimeofday);
  add(201, sysTime);
  add(228, sysClockGettime);
  add(229, sysClockGetres);
  add(230, sysClockNanosleep);
}

} // namespace gts::sys

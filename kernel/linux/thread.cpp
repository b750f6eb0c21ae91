// Threads: clone (CLONE_VM|CLONE_THREAD only), futex, thread exit,
// set_tid_address, gettid, sched_yield, getpriority/setpriority.
// sched/scheduler.h does the work.
#include "arch/gdt.h"
#include "arch/protection.h"
#include "arch/trap.h"
#include "drivers/clock.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "linux/user_access.h"
#include "sched/scheduler.h"

namespace gts::sys {
namespace {

constexpr uint64_t CloneVm = 0x100, CloneThread = 0x10000,
                   CloneSettls = 0x80000, CloneParentSettid = 0x100000,
                   CloneChildCleartid = 0x200000, CloneChildSettid = 0x1000000;

int64_t sysClone(const uint64_t *a) {
  uint64_t flags = a[0], stack = a[1], parentTid = a[2], childTid = a[3],
           tls = a[4];
  // Threads only: no fork (one address space, no copy-on-write).
  if ((flags & (CloneVm | CloneThread)) != (CloneVm | CloneThread))
    return err::NoSys;
  if (!stack || !mm::isUserRange(stack, 0))
    return err::Inval;
  // As ARCH_SET_FS: a base outside user space is refused (a non-canonical
  // one would make wrmsr fault in the kernel at the thread switch).
  if ((flags & CloneSettls) && tls >= mm::UserTop)
    return err::Perm;
  const SyscallFrame &s = *currentFrame;
  arch::TrapFrame parent{};
  parent.r15 = s.r15, parent.r14 = s.r14, parent.r13 = s.r13;
  parent.r12 = s.r12, parent.r11 = s.rflags, parent.r10 = s.r10;
  parent.r9 = s.r9, parent.r8 = s.r8, parent.rbp = s.rbp;
  parent.rdi = s.rdi, parent.rsi = s.rsi, parent.rdx = s.rdx;
  parent.rcx = s.rip, parent.rbx = s.rbx;
  parent.rip = s.rip;
  parent.cs = arch::UserCode;
  parent.rflags = arch::sanitizeUserFlags(s.rflags); // R11 is the user's
  parent.ss = arch::UserData;
  int tid = sched::spawn(parent, stack, tls, flags & CloneSettls,
                         (flags & CloneChildCleartid) ? childTid : 0);
  if (tid < 0)
    return tid;
  uint32_t t = uint32_t(tid);
  if ((flags & CloneParentSettid) && !copyToUser(parentTid, &t, 4))
    return err::Fault;
  if ((flags & CloneChildSettid) && !copyToUser(childTid, &t, 4))
    return err::Fault; // one address space: the child would see it too
  return tid;
}

// exit: the thread ends; the last one ends the program.
int64_t sysExitThread(const uint64_t *a) {
  if (sched::liveThreads() <= 1)
    exitProcess(int(a[0] & 0xFF));
  uint64_t tidAddr = sched::clearChildTid();
  uint32_t zero = 0;
  if (tidAddr && copyToUser(tidAddr, &zero, 4))
    sched::wake(tidAddr, 1 << 30); // pthread_join waits on this futex
  sched::exitThread();
}

int64_t sysSetTidAddress(const uint64_t *a) {
  sched::setClearChildTid(a[0]);
  return sched::currentTid();
}

int64_t sysGettid(const uint64_t *) { return sched::currentTid(); }

int64_t sysSchedYield(const uint64_t *) {
  sched::yield();
  return 0;
}

struct Timespec {
  int64_t sec, nsec;
};

int64_t sysFutex(const uint64_t *a) {
  uint64_t addr = a[0];
  uint32_t op = uint32_t(a[1]) & 0x7F; // without PRIVATE / CLOCK_REALTIME
  bool realtime = a[1] & 256;
  if (addr & 3)
    return err::Inval;
  switch (op) {
  case 0:   // FUTEX_WAIT: relative timeout
  case 9: { // FUTEX_WAIT_BITSET: absolute timeout
    uint32_t v;
    if (!copyFromUser(&v, addr, sizeof v))
      return err::Fault;
    if (v != uint32_t(a[2]))
      return err::Again;
    uint64_t deadline = 0;
    if (a[3]) {
      Timespec ts;
      if (!copyFromUser(&ts, a[3], sizeof ts))
        return err::Fault;
      if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
        return err::Inval;
      int64_t ns = ts.sec * 1000000000 + ts.nsec;
      if (op == 9) // absolute, on CLOCK_MONOTONIC or CLOCK_REALTIME
        ns -=
            realtime ? drivers::realtimeNs() : int64_t(drivers::monotonicNs());
      deadline = drivers::monotonicNs() + (ns > 0 ? uint64_t(ns) : 1);
    }
    return sched::block(addr, deadline) ? 0 : err::TimedOut;
  }
  case 1:  // FUTEX_WAKE
  case 10: // FUTEX_WAKE_BITSET
    return sched::wake(addr, int(a[2] > 0x7FFFFFFF ? 0x7FFFFFFF : a[2]));
  default:
    return err::NoSys;
  }
}

// getpriority/setpriority for PRIO_PROCESS only: a nice value is kept per
// thread, as on Linux (who: a tid, or 0 for the caller). One program, no
// users: any thread may set any value (clamped to -20..19, as Linux does).
constexpr uint64_t PrioProcess = 0;

int64_t sysGetpriority(const uint64_t *a) {
  int nice;
  if (a[0] != PrioProcess)
    return err::Inval;
  if (!sched::niceOf(int(int32_t(a[1])), &nice))
    return err::Srch;
  return 20 - nice; // the system call's form: 1..40, never negative
}

int64_t sysSetpriority(const uint64_t *a) {
  if (a[0] != PrioProcess)
    return err::Inval;
  return sched::setNice(int(int32_t(a[1])), int(int32_t(a[2]))) ? 0 : err::Srch;
}

// clone3 is answered ENOSYS on purpose (without the unknown-call log):
// glibc then uses clone.
int64_t sysClone3(const uint64_t *) { return err::NoSys; }

} // namespace

void registerThreads() {
  add(24, sysSchedYield);
  add(56, sysClone);
  add(140, sysGetpriority);
  add(141, sysSetpriority);
  add(60, sysExitThread);
  add(186, sysGettid);
  add(202, sysFutex);
  add(218, sysSetTidAddress);
  add(435, sysClone3);
}

} // namespace gts::sys

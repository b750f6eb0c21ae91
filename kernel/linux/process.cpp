// Process and thread calls for the one single-threaded process.
#include "linux/process.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "drivers/console.h"
#include "drivers/poweroff.h"
#include "linux/syscall.h"
#include "linux/user_access.h"
#include "mm/user_memory.h"
#include "mm/wx_audit.h"
#include "sched/sampler.h"

namespace gts::sys {
namespace {

Process theProcess;

struct SigAction {
  uint64_t handler, flags, restorer, mask;
};
SigAction actions[65];
uint64_t sigMask;
uint64_t altStack[3]; // ss_sp, ss_flags (+pad), ss_size

int64_t sysExit(const uint64_t *a) { exitProcess(int(a[0] & 0xFF)); }

int64_t sysGetpid(const uint64_t *) { return 1; }
int64_t sysGetppid(const uint64_t *) { return 0; }
int64_t sysGetZero(const uint64_t *) { return 0; } // uid, gid, ...
int64_t sysSetRobustList(const uint64_t *) { return 0; }

int64_t sysArchPrctl(const uint64_t *a) {
  switch (a[0]) {
  case 0x1001: // ARCH_SET_GS: the user's GS base waits in KERNEL_GS_BASE
  case 0x1002: // ARCH_SET_FS
    if (a[1] >= mm::UserTop)
      return err::Perm;
    arch::wrmsr(a[0] == 0x1002 ? arch::msr::FsBase : arch::msr::KernelGsBase,
                a[1]);
    return 0;
  case 0x1003:   // ARCH_GET_FS
  case 0x1004: { // ARCH_GET_GS
    uint64_t v = arch::rdmsr(a[0] == 0x1003 ? arch::msr::FsBase
                                            : arch::msr::KernelGsBase);
    return copyToUser(a[1], &v, sizeof v) ? 0 : err::Fault;
  }
  default:
    return err::Inval;
  }
}

int64_t sysPrlimit64(const uint64_t *a) {
  if (a[0] != 0 && a[0] != 1)
    return err::Srch;
  if (a[1] >= 16)
    return err::Inval;
  uint64_t lim[2] = {~0ull, ~0ull};
  if (a[1] == 3) // RLIMIT_STACK
    lim[0] = 8ull << 20;
  if (a[1] == 7) // RLIMIT_NOFILE
    lim[0] = lim[1] = 256;
  if (a[3] && !copyToUser(a[3], lim, sizeof lim))
    return err::Fault;
  return 0; // new limits are accepted and ignored
}

int64_t sysGetrlimit(const uint64_t *a) {
  const uint64_t b[4] = {0, a[0], 0, a[1]};
  return sysPrlimit64(b);
}

// Signals are recorded but never delivered: nothing raises them.
int64_t sysRtSigaction(const uint64_t *a) {
  uint64_t sig = a[0];
  if (sig == 0 || sig > 64 || sig == 9 || sig == 19 || a[3] != 8)
    return err::Inval;
  SigAction old = actions[sig], act;
  if (a[1]) {
    if (!copyFromUser(&act, a[1], sizeof act))
      return err::Fault;
    actions[sig] = act;
  }
  if (a[2] && !copyToUser(a[2], &old, sizeof old))
    return err::Fault;
  return 0;
}

int64_t sysRtSigprocmask(const uint64_t *a) {
  if (a[3] != 8)
    return err::Inval;
  uint64_t old = sigMask, set;
  if (a[1]) {
    if (!copyFromUser(&set, a[1], sizeof set))
      return err::Fault;
    switch (a[0]) {
    case 0:
      sigMask |= set;
      break;
    case 1:
      sigMask &= ~set;
      break;
    case 2:
      sigMask = set;
      break;
    default:
      return err::Inval;
    }
  }
  if (a[2] && !copyToUser(a[2], &old, sizeof old))
    return err::Fault;
  return 0;
}

int64_t sysSigaltstack(const uint64_t *a) {
  uint64_t old[3] = {altStack[0], altStack[1] ? altStack[1] : 2 /*SS_DISABLE*/,
                     altStack[2]};
  if (a[0] && !copyFromUser(altStack, a[0], sizeof altStack))
    return err::Fault;
  if (a[1] && !copyToUser(a[1], old, sizeof old))
    return err::Fault;
  return 0;
}

// No delivery: a signal sent to ourselves ends the program (disk synced,
// status 126) unless it is ignored, explicitly or by default.
int64_t raise(uint64_t sig) {
  if (sig == 0)
    return 0; // existence check
  if (sig > 64)
    return err::Inval;
  bool defaultIgnored = sig == 17 || sig == 18 || sig == 23 || sig == 28;
  uint64_t handler = actions[sig].handler;
  if (sig != 9 && (handler == 1 || (handler == 0 && defaultIgnored)))
    return 0;
  kprintf("kernel: program killed by signal %lu%s\n", sig,
          sig == 6 ? " (SIGABRT)" : "");
  killProcess("a signal");
}

bool isSelf(int64_t pid) { return pid == 1 || pid == 0 || pid == -1; }

int64_t sysKill(const uint64_t *a) {
  return isSelf(int64_t(a[0])) ? raise(a[1]) : err::Srch;
}
// Any thread of ours: the signal ends the whole program all the same.
int64_t sysTkill(const uint64_t *a) {
  return int64_t(a[0]) >= 1 ? raise(a[1]) : err::Srch;
}
int64_t sysTgkill(const uint64_t *a) {
  return int64_t(a[0]) == 1 ? raise(a[2]) : err::Srch;
}

int64_t sysSchedGetaffinity(const uint64_t *a) {
  if (a[1] < 8 || (a[1] & 7))
    return err::Inval;
  uint64_t mask = 1;
  return copyToUser(a[2], &mask, sizeof mask) ? 8 : err::Fault;
}

// getrusage: the peak of the program's resident memory (ru_maxrss, KiB);
// times are not accounted (zero).
int64_t sysGetrusage(const uint64_t *a) {
  constexpr int64_t Self = 0, Thread = 1;
  if (int64_t(a[0]) != Self && int64_t(a[0]) != Thread)
    return err::Inval;
  uint64_t usage[18] = {}; // struct rusage: two timevals, then 14 longs
  usage[4] = mm::userPeakResidentBytes() >> 10;
  return copyToUser(a[1], usage, sizeof usage) ? 0 : err::Fault;
}

int64_t sysUname(const uint64_t *a) {
  char u[6][65] = {"Linux",         "gts",    "6.1.0-gts",
                   "gts unikernel", "x86_64", "(none)"};
  return copyToUser(a[0], u, sizeof u) ? 0 : err::Fault;
}

} // namespace

Process &process() { return theProcess; }

bool isProtectedIno(uint64_t ino) {
  for (uint64_t p : theProcess.protectedIno)
    if (p && p == ino)
      return true;
  return false;
}

void exitProcess(int status) {
  if (theProcess.auditWx && mm::auditWx().violations)
    arch::panic("page-table audit failed");
  kprintf("\nkernel: program exited with status %d (%lu MiB of memory in "
          "use, peak %lu MiB)\n",
          status, mm::userResidentBytes() >> 20,
          mm::userPeakResidentBytes() >> 20);
  sched::samplerReport();
  if (theProcess.onExit)
    status = theProcess.onExit(status);
  if (theProcess.fs && theProcess.fs->mounted()) {
    int r = theProcess.fs->unmount();
    if (r < 0)
      kprintf("kernel: disk sync failed (%d)\n", r);
  }
  drivers::powerOff(status);
}

void killProcess(const char *why) {
  theProcess.killedBy = why;
  exitProcess(drivers::StatusUserFault);
}

void registerProcess() {
  add(13, sysRtSigaction);
  add(14, sysRtSigprocmask);
  add(39, sysGetpid);
  add(97, sysGetrlimit);
  add(102, sysGetZero); // getuid
  add(104, sysGetZero); // getgid
  add(107, sysGetZero); // geteuid
  add(108, sysGetZero); // getegid
  add(110, sysGetppid);
  add(131, sysSigaltstack);
  add(158, sysArchPrctl);
  add(62, sysKill);
  add(200, sysTkill);
  add(234, sysTgkill);
  add(204, sysSchedGetaffinity);
  add(231, sysExit); // exit_group: the whole process
  add(273, sysSetRobustList);
  add(302, sysPrlimit64);
  add(63, sysUname);
  add(98, sysGetrusage);
}

} // namespace gts::sys

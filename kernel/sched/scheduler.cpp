#include "sched/scheduler.h"
#include "arch/cpu_features.h"
#include "arch/gdt.h"
#include "arch/syscall.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "drivers/clock.h"
#include "drivers/console.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "mm/paging.h"
#include "mm/pmm.h"

extern "C" void switchStacks(uint64_t *save, uint64_t next);
extern "C" void threadStart();

namespace gts::sched {
namespace {

enum class State : uint8_t { Free, Runnable, Blocked, Dead };

struct Thread {
  State state;
  int tid;
  uint64_t kernelRsp; // saved by switchStacks
  uint64_t stackTop;  // kernel stack
  uint64_t fsBase, gsBase;
  uint8_t *simd;     // xsave / fxsave area, 64-byte aligned
  uint64_t key;      // what a blocked thread waits for (0: sleep)
  uint64_t deadline; // monotonic ns, 0: none
  bool woken;
  uint64_t clearTid;
  int8_t nice;
};

constexpr uint64_t KernelStackBytes = 32 * 1024;
Thread threads[MaxThreads];
int current;
int nextTid = 2;
bool useXsave;
uint64_t xcr0;
uint32_t simdBytes = 512;
void (*onDeadlock)();

void saveSimd(uint8_t *area) {
  if (useXsave)
    asm volatile("xsave64 (%0)" ::"r"(area), "a"(uint32_t(xcr0)),
                 "d"(uint32_t(xcr0 >> 32))
                 : "memory");
  else
    asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

void restoreSimd(uint8_t *area) {
  if (useXsave)
    asm volatile("xrstor64 (%0)" ::"r"(area), "a"(uint32_t(xcr0)),
                 "d"(uint32_t(xcr0 >> 32))
                 : "memory");
  else
    asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

uint8_t *allocSimdArea() {
  auto *raw = static_cast<uint8_t *>(mm::kmalloc(simdBytes + 64));
  if (!raw)
    return nullptr;
  auto *a = reinterpret_cast<uint8_t *>((uint64_t(raw) + 63) & ~uint64_t(63));
  lib::memFill(a, 0, simdBytes);
  return a;
}

// Runs `next` instead of the current thread (GS holds the kernel's base).
void switchTo(int next) {
  Thread &from = threads[current], &to = threads[next];
  saveSimd(from.simd);
  from.fsBase = arch::rdmsr(arch::msr::FsBase);
  from.gsBase = arch::rdmsr(arch::msr::KernelGsBase);
  restoreSimd(to.simd);
  arch::wrmsr(arch::msr::FsBase, to.fsBase);
  arch::wrmsr(arch::msr::KernelGsBase, to.gsBase);
  arch::setThreadKernelStack(to.stackTop);
  current = next;
  switchStacks(&from.kernelRsp, to.kernelRsp);
}

// Marks sleepers whose deadline passed as runnable.
void expireDeadlines() {
  uint64_t now = drivers::monotonicNs();
  for (auto &t : threads)
    if (t.state == State::Blocked && t.deadline && now >= t.deadline) {
      t.state = State::Runnable;
      t.woken = false;
    }
}

// The runnable thread (not the current one) with the lowest nice value,
// the first after the current one among equals (round robin); -1 if none.
int pickNext() {
  expireDeadlines();
  int best = -1;
  for (int i = 1; i < MaxThreads; ++i) {
    int k = (current + i) % MaxThreads;
    if (threads[k].state == State::Runnable &&
        (best < 0 || threads[k].nice < threads[best].nice))
      best = k;
  }
  return best;
}

// Whether `next` (from pickNext) runs instead of the current thread.
bool takesOver(int next) {
  const Thread &now = threads[current];
  return next >= 0 &&
         (now.state != State::Runnable || threads[next].nice <= now.nice);
}

Thread *find(int tid) {
  if (tid == 0)
    return &threads[current];
  for (auto &t : threads)
    if (t.tid == tid &&
        (t.state == State::Runnable || t.state == State::Blocked))
      return &t;
  return nullptr;
}

// Switches to another runnable thread; when the current one cannot run,
// idles (hlt) until something can.
void schedule() {
  for (;;) {
    int next = pickNext(); // also wakes expired sleepers, us included
    if (takesOver(next)) {
      switchTo(next);
      return;
    }
    if (threads[current].state == State::Runnable)
      return;
    bool anyDeadline = false;
    for (auto &t : threads)
      anyDeadline |= t.state == State::Blocked && t.deadline;
    if (!anyDeadline) {
      // The program's own doing, not the kernel's: it ends like a killed
      // program (disk synced, status 126).
      kprintf("kernel: program killed: every thread is blocked forever "
              "(deadlock)\n");
      onDeadlock();
    }
    asm volatile("sti; hlt; cli" ::: "memory");
  }
}

} // namespace

void init(uint64_t mainKernelStackTop, void (*deadlock)()) {
  onDeadlock = deadlock;
  xcr0 = arch::xcr0();
  useXsave = xcr0 & 4; // AVX on; else fxsave holds everything enabled
  if (useXsave)
    simdBytes = arch::cpuid(0xD, 0).ebx; // size for the enabled features
  Thread &t = threads[0];
  t = Thread{};
  t.state = State::Runnable;
  t.tid = 1;
  t.stackTop = mainKernelStackTop;
  t.simd = allocSimdArea();
  if (!t.simd)
    arch::panic("sched: no memory for the SIMD save area");
  arch::setPreemptHook([] {
    int next = pickNext();
    if (takesOver(next))
      switchTo(next);
  });
}

int currentTid() { return threads[current].tid; }

int liveThreads() {
  int n = 0;
  for (auto &t : threads)
    n += t.state == State::Runnable || t.state == State::Blocked;
  return n;
}

int spawn(const arch::TrapFrame &parent, uint64_t userStack, uint64_t tls,
          bool setTls, uint64_t clearTid) {
  int slot = -1;
  for (int i = 0; i < MaxThreads && slot < 0; ++i)
    if (threads[i].state == State::Free || threads[i].state == State::Dead)
      slot = i;
  if (slot < 0)
    return -11; // EAGAIN
  Thread &t = threads[slot];
  // A dead thread's kernel stack and SIMD area are reused: it cannot be
  // running on them any more.
  if (!t.simd && !(t.simd = allocSimdArea()))
    return -11;
  if (!t.stackTop && !(t.stackTop = mm::allocKernelStack(KernelStackBytes)))
    return -11;
  // The child inherits the SIMD state; its first run pops a TrapFrame.
  saveSimd(t.simd);
  auto *frame =
      reinterpret_cast<arch::TrapFrame *>(t.stackTop - sizeof(arch::TrapFrame));
  *frame = parent;
  frame->rax = 0;
  frame->rsp = userStack;
  auto *sp = reinterpret_cast<uint64_t *>(frame);
  *--sp = uint64_t(&threadStart);
  for (int i = 0; i < 6; ++i)
    *--sp = 0; // rbp, rbx, r12..r15 for switchStacks
  t.kernelRsp = uint64_t(sp);
  t.fsBase = setTls ? tls : arch::rdmsr(arch::msr::FsBase);
  t.gsBase = arch::rdmsr(arch::msr::KernelGsBase);
  t.tid = nextTid++;
  t.key = 0;
  t.deadline = 0;
  t.woken = false;
  t.clearTid = clearTid;
  t.nice = threads[current].nice;
  t.state = State::Runnable;
  return t.tid;
}

bool block(uint64_t key, uint64_t deadlineNs) {
  Thread &t = threads[current];
  t.state = State::Blocked;
  t.key = key;
  t.deadline = deadlineNs;
  t.woken = false;
  schedule();
  return threads[current].woken;
}

int wake(uint64_t key, int count) {
  int n = 0;
  for (auto &t : threads)
    if (n < count && t.state == State::Blocked && key && t.key == key) {
      t.state = State::Runnable;
      t.woken = true;
      ++n;
    }
  return n;
}

void yield() { schedule(); }

void exitThread() {
  threads[current].state = State::Dead;
  schedule();
  arch::panic("sched: a dead thread ran");
}

void setClearChildTid(uint64_t addr) { threads[current].clearTid = addr; }
uint64_t clearChildTid() { return threads[current].clearTid; }

bool niceOf(int tid, int *nice) {
  Thread *t = find(tid);
  if (t)
    *nice = t->nice;
  return t;
}

bool setNice(int tid, int nice) {
  Thread *t = find(tid);
  if (t)
    t->nice = int8_t(nice < -20 ? -20 : nice > 19 ? 19 : nice);
  return t;
}

} // namespace gts::sched

// Threads of the one process (clone with CLONE_VM|CLONE_THREAD): each has
// a kernel stack, its FS/GS bases and its SIMD state (xsave). One CPU,
// round robin; a thread switches at a timer tick that interrupted ring 3
// or when it blocks (futex, sleep). The kernel itself is never preempted.
// A thread runs only when no runnable thread has a lower nice value (on
// one CPU, Linux's nice 19 against nice 0 is about that: 1.5% of it).
#pragma once
#include <stdint.h>

namespace gts::arch {
struct TrapFrame;
}

namespace gts::sched {

inline constexpr int MaxThreads = 64;

// `deadlock` runs (and must not return) when every thread is blocked with
// no deadline: nothing could ever wake them.
void init(uint64_t mainKernelStackTop, void (*deadlock)());
int currentTid();
int liveThreads();
// Starts a thread that returns to ring 3 like `parent` (a syscall's user
// registers in TrapFrame form) with RAX = 0, RSP = userStack, FS = tls
// (when setTls) and `clearTid` as its clear-child-tid address.
// Returns its tid or a negative errno.
int spawn(const arch::TrapFrame &parent, uint64_t userStack, uint64_t tls,
          bool setTls, uint64_t clearTid);
// Blocks the calling thread until wake(key) or the monotonic deadline
// (0: none). True if woken, false on timeout.
bool block(uint64_t key, uint64_t deadlineNs);
// Wakes up to `count` threads blocked on `key`; returns how many.
int wake(uint64_t key, int count);
void yield();
// Ends the calling thread (not the last one); never returns.
[[noreturn]] void exitThread();
// Address to clear and wake at thread exit (set_tid_address).
void setClearChildTid(uint64_t addr);
uint64_t clearChildTid();
// The nice value (-20..19) of thread `tid` (0: the calling one); false if
// there is no such thread. A new thread inherits its creator's.
bool niceOf(int tid, int *nice);
bool setNice(int tid, int nice);

} // namespace gts::sched

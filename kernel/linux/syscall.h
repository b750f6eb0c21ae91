// Linux x86-64 system call layer: the frame built by arch/syscall_entry.S,
// errno values, and the handlers, one family per file (fs, mm, time,
// process, misc, gts). Handlers take the six raw argument registers and return
// a result or a negative errno.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gts::sys {

// Layout pushed by arch/syscall_entry.S (lowest address first).
struct SyscallFrame {
  uint64_t r15, r14, r13, r12, rbp, rbx, r9, r8, r10, rdx, rsi, rdi;
  uint64_t rax; // number in, result out
  uint64_t rip, rflags, rsp;
};

using Handler = int64_t (*)(const uint64_t *args);

namespace err {
inline constexpr int64_t Perm = -1, NoEnt = -2, Srch = -3, Intr = -4, IO = -5,
                         BadF = -9, Again = -11, NoMem = -12, Acces = -13,
                         Fault = -14, Exist = -17, NotDir = -20, IsDir = -21,
                         Inval = -22, MFile = -24, NoTty = -25, FBig = -27,
                         NoSpc = -28, SPipe = -29, Range = -34,
                         NameTooLong = -36, NoSys = -38, TimedOut = -110;
}

// The frame of the syscall being dispatched (clone copies the caller's
// registers from it).
extern SyscallFrame *currentFrame;

// Registers the handlers of each family (linux/*.cpp).
void registerFs();
void registerMm();
void registerTime();
void registerProcess();
void registerMisc();
void registerMemfd();
void registerThreads();
// gts's own calls (linux/gts.cpp); `onMainReached` runs on syscall 1000.
void registerGts(void (*onMainReached)());
void add(unsigned number, Handler h);

// Random bytes (RDRAND when the CPU has it), also for AT_RANDOM.
void fillRandom(uint8_t *out, size_t n);

// Name of a syscall number for logs ("?" if unknown).
const char *syscallName(unsigned number);

} // namespace gts::sys

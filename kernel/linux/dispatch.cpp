// Syscall dispatch: a table by number; unknown numbers answer -ENOSYS and
// are logged once each.
#include "drivers/console.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "mm/user_memory.h"

namespace gts::sys {
namespace {

constexpr unsigned TableSize = 1024; // gts's own calls from 1000
Handler table[TableSize];
uint64_t warned[TableSize / 64];

} // namespace

void add(unsigned number, Handler h) { table[number] = h; }

SyscallFrame *currentFrame;

namespace {

// sysret to a non-canonical RCX faults in ring 0 on Intel CPUs (on the
// user's stack). User space ends below 2^47 - 4096, so a `syscall` cannot
// return there; should any path ever set such a return address, the
// program is killed before the call runs.
void checkReturn(const SyscallFrame *f) {
  if (f->rip < mm::UserTop)
    return;
  kprintf("kernel: program killed: system call would return to %016lx\n",
          f->rip);
  killProcess("a system call returning outside user space");
}

} // namespace

} // namespace gts::sys

using namespace gts::sys;

extern "C" void syscallDispatch(SyscallFrame *f) {
  const uint64_t args[6] = {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9};
  uint64_t nr = f->rax;
  currentFrame = f;
  checkReturn(f);
  if (nr < TableSize && table[nr]) {
    f->rax = uint64_t(table[nr](args));
    return;
  }
  if (nr >= TableSize || !(warned[nr / 64] >> (nr % 64) & 1)) {
    if (nr < TableSize)
      warned[nr / 64] |= 1ull << (nr % 64);
    gts::kprintf("kernel: syscall %lu (%s) not implemented: ENOSYS\n", nr,
                 syscallName(unsigned(nr)));
  }
  f->rax = uint64_t(err::NoSys);
}

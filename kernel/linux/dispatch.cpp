// Syscall dispatch: a table by number; unknown numbers answer -ENOSYS and
// are logged once each.
#include "drivers/console.h"
#include "linux/syscall.h"

namespace gts::sys {
namespace {

constexpr unsigned TableSize = 512;
Handler table[TableSize];
uint64_t warned[TableSize / 64];

} // namespace

void add(unsigned number, Handler h) { table[number] = h; }

SyscallFrame *currentFrame;

} // namespace gts::sys

using namespace gts::sys;

extern "C" void syscallDispatch(SyscallFrame *f) {
  const uint64_t args[6] = {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9};
  uint64_t nr = f->rax;
  currentFrame = f;
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

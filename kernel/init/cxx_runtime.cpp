// The few C++ runtime hooks a freestanding kernel still needs.
#include "arch/trap.h"
#include <stddef.h>

// Referenced by deleting destructors of classes with virtual destructors;
// the kernel never deletes such objects (they are static).
void operator delete(void *, size_t) noexcept {
  gts::arch::panic("operator delete on a static object");
}
void operator delete(void *) noexcept {
  gts::arch::panic("operator delete on a static object");
}

extern "C" void __cxa_pure_virtual() { gts::arch::panic("pure virtual call"); }

// The C++ runtime hooks a freestanding kernel still needs (operator new and
// delete live with the heap, mm/kheap.cpp).
#include "arch/trap.h"

extern "C" void __cxa_pure_virtual() { gts::arch::panic("pure virtual call"); }

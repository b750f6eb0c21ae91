// Faulting memory in ahead of use, in one system call per range.
//
// A page's first touch costs a page fault: about 10-15 us per 4 KiB page in
// a paravirtualised guest (docs/BENCHMARKS.md), where a cold TinyLlama run
// takes some 1,500 of them in fresh malloc memory on its two threads,
// before its first token. MADV_POPULATE_WRITE maps the same pages for about
// 0.5 us each. Where the kernel lacks it (Linux < 5.14, our kernel), nothing
// happens and the pages fault as before.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gts {

// Part of a malloc arena, not mapped yet.
struct HeapRange {
  uintptr_t Begin = 0, End = 0;
};

// Grows the calling thread's malloc arena by MiB without touching it, and
// keeps glibc from giving freed memory back (it would fault in again): the
// range to map, by any thread. Empty in sanitizer builds, whose allocators
// are not glibc's.
HeapRange reserveHeap(size_t MiB);
// Maps R (which the arena's owner may be using meanwhile: mapping a page
// changes nothing in it).
void populateHeap(HeapRange R);
// Both, on the calling thread.
void pretouchHeap(size_t MiB);

// Maps the binary's .data and .bss (cl::opt objects of LLVM's static
// constructors and the like).
void pretouchStatics();

} // namespace gts

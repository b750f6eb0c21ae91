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

namespace gts {

// Maps MiB of the calling thread's malloc arena ahead of use, and keeps
// glibc from giving freed memory back (it would fault in again). Nothing in
// sanitizer builds, whose allocators are not glibc's.
void pretouchHeap(size_t MiB);

// Maps the binary's .data and .bss (cl::opt objects of LLVM's static
// constructors and the like).
void pretouchStatics();

} // namespace gts

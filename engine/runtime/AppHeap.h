// The app's malloc, calloc and free: glibc's, behind a cache of small freed
// blocks per thread (realloc is glibc's own).
//
// Once gts has started its compile thread, glibc's malloc is in its
// multi-threaded mode for good: every call that misses glibc's own
// 7-entry per-thread cache takes the arena lock or an atomic fastbin
// operation, which a single-threaded native program never pays. An app that
// frees and allocates many small blocks (binary trees) paid about twice
// native's cost per call for it (docs/BENCHMARKS.md). Cached blocks stay
// glibc's (allocated, as glibc sees them), so pointers pass freely between
// this cache, glibc's free and realloc, and blocks glibc hands out itself
// (strdup). Under the sanitizers the cache is off: they must see every call.
#pragma once

#include <cstddef>

namespace gts {

void *appMalloc(size_t Size);
void *appCalloc(size_t Count, size_t Size);
void appFree(void *Block);

} // namespace gts

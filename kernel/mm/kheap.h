// The kernel heap: the fs engineer's allocator (mm/heap.h) fed with page
// frames from the direct map.
#pragma once
#include <stddef.h>

namespace gts::mm {

void kheapInit();
void *kmalloc(size_t size);
void kfree(void *p);

} // namespace gts::mm

#include "mm/kheap.h"
#include "arch/trap.h"
#include "mm/heap.h"
#include "mm/pmm.h"

namespace gts::mm {
namespace {

Heap heap;

// Grows by physically contiguous runs (at least 1 MiB) seen through the
// direct map.
bool grow(void *, size_t minBytes, void **base, size_t *size) {
  size_t bytes = minBytes + 4 * PageSize;
  if (bytes < (1u << 20))
    bytes = 1u << 20;
  size_t pages = (bytes + PageSize - 1) / PageSize;
  uint64_t phys = allocFrames(pages);
  if (!phys)
    return false;
  *base = physToVirt(phys);
  *size = pages * PageSize;
  return true;
}

} // namespace

void kheapInit() {
  heap.init(nullptr, 0);
  heap.setGrow(grow, nullptr);
}

void *kmalloc(size_t size) { return heap.malloc(size); }
void kfree(void *p) { heap.free(p); }

} // namespace gts::mm

void *operator new(size_t size) {
  void *p = gts::mm::kmalloc(size);
  if (!p)
    gts::arch::panic("kernel heap exhausted (%zu bytes)", size);
  return p;
}
void *operator new[](size_t size) { return operator new(size); }
void operator delete(void *p) noexcept { gts::mm::kfree(p); }
void operator delete(void *p, size_t) noexcept { gts::mm::kfree(p); }
void operator delete[](void *p) noexcept { gts::mm::kfree(p); }
void operator delete[](void *p, size_t) noexcept { gts::mm::kfree(p); }
